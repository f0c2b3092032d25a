"""Spec forms for surveys as they are shipped (issue 9, "contract gaps"): several files joined by
declared keys, a household value spread to its members, generated ids, codes named by their
Stata/SPSS value label, and age given in classes only. Each on data, with its bad inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from engine.errors import SourceError, SpecError
from engine.harmonise import ingest_survey
from engine.method_config import load_method
from engine.sdg_3_8_2 import estimate_hardship
from engine.survey_estimation import estimate_survey
from engine.survey_spec import load_spec
from tests.conftest import BASE_SPEC, SOURCE_COLUMNS, SOURCE_ROWS, write_data

PROJECT = Path(__file__).resolve().parent.parent
BUNDLE = PROJECT / "data" / "raw" / "surveys"
PENSION_AGE = pl.DataFrame({"sex": ["F", "M"], "age": [60, 65]})
HOUSEHOLD = ["hid", "strat", "ea", "urb", "cons", "oop"]  # household-level columns of SOURCE_ROWS


def _spec(tmp_path: Path, spec: dict, files: dict[str, pl.DataFrame]) -> Path:
    folder = tmp_path / "surveys" / spec["survey"]["id"]
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in files.items():
        write_data(frame, folder / name)
    (folder / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return folder / "spec.yaml"


def _base() -> dict:
    return yaml.safe_load(yaml.safe_dump(BASE_SPEC))


def _persons_and_households() -> tuple[pl.DataFrame, pl.DataFrame]:
    """SOURCE_ROWS split as a household file (one row per household, hid written 1.0 ...) and a
    person file without the household columns (its household key named hh)."""
    frame = pl.DataFrame(SOURCE_ROWS, schema=SOURCE_COLUMNS, orient="row")
    households = (
        frame.select(HOUSEHOLD)
        .unique("hid", keep="first", maintain_order=True)
        .with_columns(pl.col("hid").cast(pl.Float64))
    )
    persons = frame.drop([c for c in HOUSEHOLD if c != "hid"]).rename({"hid": "hh"})
    return persons, households


@pytest.fixture(scope="module")
def single_file(tmp_path_factory):
    """The canonical table of the one-file survey of tests/conftest.py, for comparison."""
    tmp = tmp_path_factory.mktemp("single")
    frame = pl.DataFrame(SOURCE_ROWS, schema=SOURCE_COLUMNS, orient="row")
    return ingest_survey(load_spec(_spec(tmp, _base(), {"data.csv": frame}))).persons


# --- several files ----------------------------------------------------------------------------


def _joined_spec(**join) -> dict:
    spec = _base()
    spec["survey"]["file"] = "persons.csv"
    spec["survey"]["join"] = [{"file": "households.dta", "on": {"hh": "hid"}, **join}]
    spec["variables"]["hh_id"] = "hh"
    return spec


def test_household_file_joined_to_the_person_file(tmp_path, single_file):
    """Household variables (stratum, PSU, area, consumption) reach every member through the
    declared key, whose codes compare by value (hid 1.0 in the Stata household file, 1 in the
    person CSV): the same canonical table as the one-file survey."""
    persons, households = _persons_and_households()
    spec = load_spec(_spec(tmp_path, _joined_spec(), {"persons.csv": persons, "households.dta": households}))
    res = ingest_survey(spec)
    assert res.quarantined_rows == 0, res.quarantine
    assert res.persons.equals(single_file)
    assert [p.name for p in spec.data_files] == ["persons.csv", "households.dta"]


def test_a_person_without_a_household_row_is_quarantined(tmp_path):
    persons, households = _persons_and_households()
    households = households.filter(pl.col("hid") != 3)
    res = ingest_survey(
        load_spec(_spec(tmp_path / "req", _joined_spec(), {"persons.csv": persons, "households.dta": households}))
    )
    rows = res.quarantine.filter(pl.col("rule") == "join_match").select("row_number", "column", "value").rows()
    assert rows == [(6, "hh", "3 not in households.dta"), (7, "hh", "3 not in households.dta")]
    assert res.rows_kept == 6
    # optional join: kept, with the household's variables missing
    spec = _joined_spec(required=False)
    spec["variables"]["stratum"] = {"source": "strat", "missing": [9]}
    res = ingest_survey(
        load_spec(_spec(tmp_path / "opt", spec, {"persons.csv": persons, "households.dta": households}))
    )
    assert "join_match" not in set(res.quarantine["rule"])
    assert set(res.quarantine.filter(pl.col("row_number").is_in([6, 7]))["rule"]) == {"design_id_present"}


def test_join_errors_name_the_file_and_the_key(tmp_path):
    persons, households = _persons_and_households()
    doubled = pl.concat([households, households.filter(pl.col("hid") == 2)])
    with pytest.raises(SourceError) as info:
        ingest_survey(
            load_spec(_spec(tmp_path / "dup", _joined_spec(), {"persons.csv": persons, "households.dta": doubled}))
        )
    assert info.value.rule == "join_key_unique" and info.value.file.endswith("households.dta")
    assert "1 keys occur on several rows (e.g. hid=2 on 2 rows)" in str(info.value)

    clashing = households.with_columns(pl.lit(1).alias("age"))
    with pytest.raises(SpecError) as info:
        ingest_survey(
            load_spec(_spec(tmp_path / "clash", _joined_spec(), {"persons.csv": persons, "households.dta": clashing}))
        )
    assert (
        info.value.rule == "join_columns"
        and "repeats variables already read (age)" in str(info.value)
        and "columns: [...]" in str(info.value)
    )
    res = ingest_survey(
        load_spec(
            _spec(
                tmp_path / "cols",
                _joined_spec(columns=HOUSEHOLD[1:]),
                {"persons.csv": persons, "households.dta": clashing},
            )
        )
    )
    assert res.quarantined_rows == 0

    with pytest.raises(SpecError) as info:
        load_spec(
            _spec(tmp_path / "form", _joined_spec() | {}, {"persons.csv": persons}) if False else _bad_join(tmp_path)
        )
    assert info.value.where == "survey.join[0].on" and info.value.rule == "join_form"
    with pytest.raises(SpecError) as info:
        ingest_survey(
            load_spec(
                _spec(
                    tmp_path / "key",
                    _joined_spec(on={"household": "hid"}),
                    {"persons.csv": persons, "households.dta": households},
                )
            )
        )
    assert info.value.rule == "source_variable_exists" and "join key 'household' is not in the files before it" in str(
        info.value
    )


def _bad_join(tmp_path: Path) -> Path:
    spec = _joined_spec()
    spec["survey"]["join"][0]["on"] = "hh"
    persons, households = _persons_and_households()
    return _spec(tmp_path / "badform", spec, {"persons.csv": persons, "households.dta": households})


# --- household values spread to the members ---------------------------------------------------


def test_household_value_on_one_row_is_spread_to_every_member(tmp_path, single_file):
    """Consumption and out-of-pocket spending given on the first row of each household only
    (empty on the other members' rows): `spread: household` gives them to every member."""
    frame = pl.DataFrame(SOURCE_ROWS, schema=SOURCE_COLUMNS, orient="row")
    first = pl.col("pid") == 1
    frame = frame.with_columns(pl.when(first).then(pl.col(c)).alias(c) for c in ("cons", "oop"))
    spec = _base()
    spec["variables"]["hh_consumption"] = {"source": "cons", "spread": "household"}
    spec["variables"]["hh_oop_health"] = {"source": "oop", "spread": "household"}
    res = ingest_survey(load_spec(_spec(tmp_path / "spread", spec, {"data.csv": frame})))
    assert res.quarantined_rows == 0 and res.persons.equals(single_file)
    # without `spread` the other members have no consumption
    plain = ingest_survey(load_spec(_spec(tmp_path / "plain", _base(), {"data.csv": frame}))).persons
    assert plain["hh_consumption"].null_count() == 4


def test_a_household_with_different_values_is_quarantined(tmp_path):
    frame = pl.DataFrame(SOURCE_ROWS, schema=SOURCE_COLUMNS, orient="row").with_columns(
        pl.when(pl.col("hid") == 2).then(pl.col("pid") * 1000.0).otherwise(pl.col("cons")).alias("cons")
    )
    spec = _base()
    spec["variables"]["hh_consumption"] = {"source": "cons", "spread": "household"}
    res = ingest_survey(load_spec(_spec(tmp_path, spec, {"data.csv": frame})))
    assert res.quarantine.select("row_number", "column", "rule", "value").rows() == [
        (4, "hh_consumption", "household_value_unique", "1000.0"),
        (5, "hh_consumption", "household_value_unique", "2000.0"),
    ]


# --- generated ids ----------------------------------------------------------------------------


def test_ids_generated_from_the_row_number_and_composed_from_a_key(tmp_path, single_file):
    """No person id: 1, 2, ... within the household in file order; the household id composed of
    stratum and a household number that restarts in each stratum."""
    frame = (
        pl.DataFrame(SOURCE_ROWS, schema=SOURCE_COLUMNS, orient="row")
        .drop("pid")
        .with_columns(
            (pl.col("hid") - 2 * (pl.col("strat") - 1)).alias("hhno")  # 1, 2 in stratum 1; 1, 2 in stratum 2
        )
        .drop("hid")
    )
    spec = _base()
    spec["variables"]["person_id"] = {"generate": "row_in_household"}
    spec["variables"]["hh_id"] = {"key": ["strat", "hhno"]}
    spec["variables"]["hh_head"] = {"value": False}
    res = ingest_survey(load_spec(_spec(tmp_path / "ids", spec, {"data.csv": frame})))
    assert res.quarantined_rows == 0
    p = res.persons.sort("source_row")
    assert p["hh_id"].to_list() == ["1/1", "1/1", "1/1", "1/2", "1/2", "2/1", "2/1", "2/2"]
    assert p["person_id"].to_list() == ["1", "2", "3", "1", "2", "1", "2", "1"]
    assert p.drop("hh_id", "hh_head").equals(single_file.sort("source_row").drop("hh_id", "hh_head"))
    # one person per row, each its own household
    spec["variables"]["hh_id"] = {"generate": "row_number"}
    p = ingest_survey(load_spec(_spec(tmp_path / "rows", spec, {"data.csv": frame}))).persons.sort("source_row")
    assert p["hh_id"].to_list() == [str(i) for i in range(1, 9)] and set(p["person_id"]) == {"1"}


def test_id_forms_are_refused_where_they_do_not_apply(tmp_path):
    for name, entry, text in (
        ("hh_id", {"generate": "row_in_household"}, "'hh_id' can be generated as ['row_number']"),
        ("age", {"generate": "row_number"}, "'generate' and 'key' make ids"),
        ("person_id", {"generate": "uuid"}, "'person_id' can be generated as"),
        ("hh_id", {"key": "hid"}, "'key' lists the source variables"),
    ):
        spec = _base()
        spec["variables"][name] = entry
        with pytest.raises(SpecError) as info:
            load_spec(
                _spec(
                    tmp_path / name / str(len(text)),
                    spec,
                    {"data.csv": pl.DataFrame(SOURCE_ROWS, schema=SOURCE_COLUMNS, orient="row")},
                )
            )
        assert info.value.where == f"variables.{name}" and text in str(info.value), str(info.value)


# --- value labels -----------------------------------------------------------------------------


@pytest.mark.parametrize("survey", ["GHA_LFS_2015", "MEX_HIES_2022"])
def test_codes_named_by_their_value_label(tmp_path, survey):
    """The bundled SPSS (GHA_LFS_2015) and Stata (MEX_HIES_2022) files carry value labels: a spec
    naming sex, labour-force status, the 'Don't know' missing code and nationality by their
    labels gives the same canonical table as the bundled spec written with the stored codes."""
    bundled = load_spec(BUNDLE / survey / "spec.yaml")
    doc = yaml.safe_load((BUNDLE / survey / "spec.yaml").read_text())
    folder = tmp_path / "surveys" / survey
    folder.mkdir(parents=True)
    shutil.copyfile(bundled.data_file, folder / bundled.data_file.name)  # a copy: a link leaving the folder is refused
    if survey == "GHA_LFS_2015":
        doc["variables"]["sex"]["codes"] = {"Male": "M", "female": "F"}  # labels compare without case
        doc["variables"]["lf_status"]["codes"] = {
            "Employed": "employed",
            "Unemployed": "unemployed",
            "Outside the labour force": "outside_labour_force",
        }
        doc["variables"]["contributor"] = {
            "source": "E25",
            "codes": {"Yes": True, "No": False},
            "missing": ["Don't know"],
        }
        doc["variables"]["nationality"]["codes"] = {"Ghanaian": "national"}
    else:
        doc["variables"]["sex"]["codes"] = {"Hombre": "M", "Mujer": "F"}
        doc["variables"]["nationality"]["codes"] = {"Mexicana": "national", "Mexicana y otra": "national"}
    (folder / "spec.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    by_label = ingest_survey(load_spec(folder / "spec.yaml"))
    by_code = ingest_survey(bundled)
    assert by_label.persons.equals(by_code.persons) and by_label.quarantined_rows == by_code.quarantined_rows
    doc["variables"]["sex"]["codes"] = (
        {"Hombre": "M", "Mujer": "F", 1: "F"} if survey == "MEX_HIES_2022" else {"Male": "M", 1: "F"}
    )
    (folder / "spec.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(SpecError) as info:
        ingest_survey(load_spec(folder / "spec.yaml"))
    assert info.value.where == "variables.sex.codes" and "names the stored code 1 twice" in str(info.value)


def test_labels_do_not_apply_to_csv(tmp_path):
    """A CSV has no value labels: a code written as a label is then an unmapped code."""
    spec = _base()
    spec["variables"]["sex"] = {"source": "sx", "codes": {"Male": "M", "Female": "F"}}
    res = ingest_survey(
        load_spec(_spec(tmp_path, spec, {"data.csv": pl.DataFrame(SOURCE_ROWS, schema=SOURCE_COLUMNS, orient="row")}))
    )
    assert res.rows_kept == 0 and set(res.quarantine["rule"]) == {"code_not_in_spec"}


# --- age in classes ---------------------------------------------------------------------------


def _age_class_survey(tmp_path: Path, classes: dict) -> tuple[pl.DataFrame, dict]:
    """SOURCE_ROWS 30 times (30 blocks of the 4 households, 240 persons), age classes 1-4 in
    turn, and a spec mapping them with ``classes``."""
    frame = (
        pl.DataFrame(SOURCE_ROWS * 30, schema=SOURCE_COLUMNS, orient="row")
        .with_row_index("i")
        .with_columns(
            (pl.col("i") // 8).alias("block"),
            (pl.col("hid") * 100 + pl.col("i") // 8).alias("hid"),
            (pl.col("i") % 4 + 1).alias("agecl"),
            (pl.col("ea") + (pl.col("i") // 8) % 3 * 10).alias("ea"),
        )
        .drop("i", "age")
    )
    spec = _base()
    spec["variables"]["age"] = {"source": "agecl", "classes": classes, "missing": [9]}
    return frame, spec


def test_age_in_classes_gives_the_age_groups_and_no_single_year_series(tmp_path):
    """Age given as 4 classes mapped onto the canonical age groups: single-year age missing,
    age_class set; the series bounded by single years (children, working age, pensionable age)
    are not computable with that reason; the others are estimated, by age group too."""
    frame, spec = _age_class_survey(tmp_path, {1: "0_14", 2: "15_24", 3: [25, 64], 4: "65_120"})
    frame = frame.with_columns(
        pl.when(pl.col("block") == 3)
        .then(9)
        .when(pl.col("block") == 4)
        .then(5)
        .otherwise(pl.col("agecl"))
        .alias("agecl")
    )
    res = ingest_survey(load_spec(_spec(tmp_path, spec, {"data.csv": frame})))
    issues = dict(
        res.quarantine.group_by("rule", "column")
        .len()
        .select(pl.concat_str("rule", "column", separator=" on "), "len")
        .iter_rows()
    )
    assert issues == {
        "not_nullable on age": 8,
        "code_not_in_spec on age": 8,
    }  # block 3: code 9 (missing), block 4: class 5 (unknown)
    p = res.persons
    assert p["age"].null_count() == p.height == 224 and dict(p.group_by("age_class").len().iter_rows()) == {
        "0_14": 56,
        "15_24": 56,
        "25_64": 56,
        "65_120": 56,
    }

    result = estimate_survey(
        duckdb.connect(), p, PENSION_AGE, load_method("sdg_1_3_1"), load_method("survey_estimation")
    )
    reasons = dict(result.not_computable.filter(pl.col("breakdown") == "all").select("series", "reason").iter_rows())
    in_classes = "age given in classes only in TST_HIES_2021 (the series needs single years of age)"
    for series in ("SI_COV_CHLD", "SI_COV_PENSN", "SP_CONTRIB_LF", "SP_CONTRIB_WAP"):
        assert reasons[series] == in_classes, series
    assert reasons["SI_COV_UEMP"] == f"rec_unemployment absent in TST_HIES_2021; {in_classes}"
    assert reasons["SI_COV_VULN"].endswith(in_classes)
    health = result.estimates.filter(
        (pl.col("series") == "SP_HEALTH_PROT")
        & (pl.col("sex") == "T")
        & (pl.col("nationality") == "T")
        & (pl.col("urban_rural") == "T")
    )
    assert dict(health.select("age_group", "n_unweighted").iter_rows()) == {
        "T": 224,
        "0_14": 56,
        "15_24": 56,
        "25_64": 56,
        "65_120": 56,
    }
    assert set(result.estimates["series"]) == {"SP_HEALTH_PROT"}  # the others lack a variable in this spec

    hardship = estimate_hardship(duckdb.connect(), p, 1.0, load_method("sdg_3_8_2"), load_method("survey_estimation"))
    assert hardship.not_computable.filter(pl.col("breakdown") == "hh_composition")["reason"].unique().to_list() == [
        "age absent in TST_HIES_2021"
    ]
    assert set(hardship.estimates["hh_composition"]) == {"T"}


def test_age_classes_that_straddle_the_age_groups(tmp_path):
    """Classes 0_19 and 20_64 are not within one canonical group (0_14, 15_24, 25_64, 65_120):
    the age-group breakdown is not computable, with the classes named; totals are estimated."""
    frame, spec = _age_class_survey(tmp_path, {1: "0_19", 2: "0_19", 3: "20_64", 4: "65_120"})
    p = ingest_survey(load_spec(_spec(tmp_path, spec, {"data.csv": frame}))).persons
    result = estimate_survey(
        duckdb.connect(), p, PENSION_AGE, load_method("sdg_1_3_1"), load_method("survey_estimation")
    )
    lost = result.not_computable.filter(pl.col("breakdown") == "age_group")
    assert lost["series"].to_list() == ["SP_HEALTH_PROT"]
    assert lost["reason"].unique().to_list() == [
        "age classes 0_19, 20_64 of TST_HIES_2021 are not within one age group (0_14, 15_24, 25_64, 65_120)"
    ]
    assert set(result.estimates["age_group"]) == {"T"} and result.estimates.height > 0


def test_age_classes_are_checked(tmp_path):
    for classes, text in (
        ({1: "0-14"}, "an age class is '<low>_<high>'"),
        ({1: "30_20"}, "low <= high"),
        ({1: "60_130"}, "<= 120"),
    ):
        spec = _base()
        spec["variables"]["age"] = {"source": "age", "classes": classes}
        with pytest.raises(SpecError) as info:
            load_spec(
                _spec(
                    tmp_path / str(len(str(classes))) / text[:3].strip("'<"),
                    spec,
                    {"data.csv": pl.DataFrame(SOURCE_ROWS, schema=SOURCE_COLUMNS, orient="row")},
                )
            )
        assert info.value.where == "variables.age.classes" and text in str(info.value)
    spec = _base()
    spec["variables"]["sex"] = {"source": "sx", "classes": {1: "0_14"}}
    with pytest.raises(SpecError) as info:
        load_spec(
            _spec(tmp_path / "sex", spec, {"data.csv": pl.DataFrame(SOURCE_ROWS, schema=SOURCE_COLUMNS, orient="row")})
        )
    assert "only for 'age'" in str(info.value)
