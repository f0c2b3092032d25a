"""Issue 15 at the level of the engine functions: each attack or careless input, built from the
bundled data or the test builders with the fault planted, is refused (structural error naming
the file, the key and the rule) or contained (rows quarantined with their rule, rows read =
kept + quarantined). The whole-pipeline runs are in ``test_untrusted_pipeline.py``."""

from __future__ import annotations

import os
import shutil
import signal
import zipfile
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest
import yaml

import engine.ssi
from engine.context import declared_sources, read_context_file
from engine.errors import SourceError, SpecError
from engine.harmonise import ingest_survey
from engine.method_config import load_method
from engine.paths import confined_file
from engine.publication.catalog import build_catalog
from engine.readers import read_csv_text
from engine.sdg_3_8_2 import estimate_hardship
from engine.sources import discover_ssi, discover_surveys, file_records, layout_problems, scan_ssi
from engine.ssi import duplicate_returns, ingest_return, read_return
from engine.store import ParquetStore
from engine.survey_spec import load_spec
from schemas.resources.context import BY_NAME as CONTEXT_TABLES
from tests.conftest import source_frame, write_survey
from tests.ssi_builders import write_return

BUNDLE = Path(__file__).resolve().parent.parent / "data" / "raw"


@contextmanager
def deadline(seconds: int):
    """Fail instead of hanging (a FIFO opened for reading blocks until a writer comes)."""

    def expired(*_):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def bundled_survey(input_dir: Path, survey_id: str) -> Path:
    """A copy of a bundled survey folder under ``input_dir/surveys``; returns its spec path."""
    target = input_dir / "surveys" / survey_id
    shutil.copytree(BUNDLE / "surveys" / survey_id, target)
    return target / "spec.yaml"


def edit_spec(spec: Path, edit) -> None:
    doc = yaml.safe_load(spec.read_text(encoding="utf-8"))
    edit(doc)
    spec.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "outside" / "secret.csv"
    path.parent.mkdir()
    path.write_text("hid,pid\nTOP-SECRET,1\n")
    return path


# --- 2. paths stay inside their source folder -------------------------------------------------


@pytest.mark.parametrize("name", ["../../../outside/secret.csv", "sub/../../x.csv", "ABSOLUTE"])
def test_spec_path_leaving_the_survey_folder_is_refused(tmp_path, secret, name):
    spec = bundled_survey(tmp_path / "in", "KEN_HBS_2015")
    edit_spec(spec, lambda d: d["survey"].__setitem__("file", str(secret) if name == "ABSOLUTE" else name))
    with pytest.raises(SpecError) as err:
        load_spec(spec)
    e = err.value
    assert (e.rule, e.where, e.file) == ("path_confined", "survey.file", str(spec))
    assert "TOP-SECRET" not in str(e)


def test_symbolic_links_leaving_their_folder_are_refused(tmp_path, secret):
    """Data file, survey folder and spec.yaml linked to places outside: refused or left out,
    never read."""
    input_dir = tmp_path / "in"
    spec = bundled_survey(input_dir, "KEN_HBS_2015")
    data = spec.parent / "ken_hbs_2015.csv"
    data.unlink()
    data.symlink_to(secret)
    with pytest.raises(SpecError) as err:
        load_spec(spec)
    assert err.value.rule == "path_confined" and err.value.where == "survey.file"

    (input_dir / "surveys" / "LINKED_FOLDER").symlink_to(secret.parent, target_is_directory=True)
    linked_spec = input_dir / "surveys" / "LINKED_SPEC"
    linked_spec.mkdir()
    (linked_spec / "spec.yaml").symlink_to(secret)
    problems = {p.path: p for p in layout_problems(input_dir)}
    assert problems["surveys/LINKED_FOLDER/"].rule == "path_confined"
    assert problems["surveys/LINKED_SPEC/"].rule == "path_confined"
    assert set(discover_surveys(input_dir)) == {"KEN_HBS_2015"}


def test_a_link_inside_the_folder_is_read_and_recorded_resolved(tmp_path):
    """A link to another file of the same folder is allowed; the source record names the file
    actually read, with its SHA-256."""
    spec = bundled_survey(tmp_path / "in", "KEN_HBS_2015")
    real = spec.parent / "release" / "ken_hbs_2015_v2.csv"
    real.parent.mkdir()
    (spec.parent / "ken_hbs_2015.csv").rename(real)
    (spec.parent / "ken_hbs_2015.csv").symlink_to(Path("release") / real.name)
    parsed = load_spec(spec)
    assert parsed.data_file == real.resolve()
    records = file_records([parsed.path, parsed.data_file], tmp_path / "in")
    assert records[1]["path"] == "surveys/KEN_HBS_2015/release/ken_hbs_2015_v2.csv" and len(records[1]["sha256"]) == 64
    assert ingest_survey(parsed).rows_read == 4000


def test_fifo_is_refused_before_it_is_opened(tmp_path):
    """A FIFO as survey data file, SSI table or context table: refused from its file type
    (opening it would wait for a writer forever); discovery does not hash it."""
    input_dir = tmp_path / "in"
    spec = bundled_survey(input_dir, "KEN_HBS_2015")
    data = spec.parent / "ken_hbs_2015.csv"
    data.unlink()
    os.mkfifo(data)
    folder = write_return(input_dir, "KEN_2021", workbook=False)
    (folder / "schemes.csv").unlink()
    os.mkfifo(folder / "schemes.csv")
    (input_dir / "context").mkdir()
    os.mkfifo(input_dir / "context" / "labour_force.csv")
    with deadline(60):
        with pytest.raises(SpecError) as err:
            load_spec(spec)
        assert err.value.rule == "regular_file" and "FIFO" in str(err.value)
        assert (
            set(discover_surveys(input_dir)) == {"KEN_HBS_2015"} and discover_ssi(input_dir)["KEN_2021"].fingerprint()
        )
        with pytest.raises(SourceError) as err:
            read_return(folder)
        assert err.value.rule == "regular_file" and err.value.file.endswith("schemes.csv")
        with pytest.raises(SourceError) as err:
            read_context_file(CONTEXT_TABLES["labour_force"], input_dir)
        assert err.value.rule == "regular_file"


def test_ssi_and_context_paths_are_confined(tmp_path, secret):
    input_dir = tmp_path / "in"
    outside = write_return(tmp_path / "elsewhere", "GHA_2022", workbook=True)
    (input_dir / "ssi").mkdir(parents=True)
    (input_dir / "ssi" / "GHA_2022.xlsx").symlink_to(outside)
    folder = write_return(input_dir, "KEN_2021", workbook=False)
    (folder / "return.csv").unlink()
    (folder / "return.csv").symlink_to(secret)
    linked_table = write_return(input_dir, "PHL_2020", workbook=False)
    (linked_table / "schemes.csv").unlink()
    (linked_table / "schemes.csv").symlink_to(secret)
    problems = {p.path: p.rule for p in layout_problems(input_dir)}
    assert problems == {"ssi/GHA_2022.xlsx": "path_confined", "ssi/KEN_2021/": "path_confined"}
    with pytest.raises(SourceError) as err:
        read_return(discover_ssi(input_dir)["PHL_2020"].path)
    assert err.value.rule == "path_confined" and "TOP-SECRET" not in str(err.value)

    (input_dir / "context").mkdir()
    (input_dir / "context" / "labour_force.csv").symlink_to(secret)
    with pytest.raises(SourceError) as err:
        read_context_file(CONTEXT_TABLES["labour_force"], input_dir)
    assert err.value.rule == "path_confined"
    shutil.rmtree(input_dir / "context")
    (input_dir / "context").symlink_to(secret.parent, target_is_directory=True)
    with pytest.raises(SourceError) as err:
        read_context_file(CONTEXT_TABLES["labour_force"], input_dir)
    assert err.value.rule == "path_confined"


def test_confined_file_rules(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.csv").write_text("x\n")
    assert confined_file(tmp_path / "a", "x.csv") == (tmp_path / "a" / "x.csv").resolve()
    assert confined_file(tmp_path / "a", "missing.csv", missing_ok=True) is None
    for name, rule in (
        ("", "path_confined"),
        ("..", "path_confined"),
        ("/etc/hostname", "path_confined"),
        (".", "path_confined"),
        ("missing.csv", "file_exists"),
    ):
        with pytest.raises(SourceError) as err:
            confined_file(tmp_path / "a", name)
        assert err.value.rule == rule, name
    (tmp_path / "a" / "sub").mkdir()
    with pytest.raises(SourceError) as err:
        confined_file(tmp_path / "a", "sub")
    assert err.value.rule == "regular_file" and "folder" in str(err.value)


# --- 3. finite numbers only ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def ken_as_bundled(tmp_path_factory):
    """The bundled KEN_HBS_2015 ingested as shipped (once for the module)."""
    return ingest_survey(load_spec(bundled_survey(tmp_path_factory.mktemp("ken") / "in", "KEN_HBS_2015")))


@pytest.mark.parametrize(
    "bad, rule, shown",
    [
        ("inf", "finite", "inf"),
        ("-inf", "finite", "-inf"),
        ("1e308", "finite", "1e308"),
        ("1e16", "finite", "1e16"),
        ("nan", "not_nullable", None),  # NaN is a missing value (as Stata's system missing): a missing weight
    ],
)
def test_non_finite_weight_in_a_bundled_survey_is_quarantined(tmp_path, ken_as_bundled, bad, rule, shown):
    """One planted cell in the bundled KEN_HBS_2015 (CSV): its row is quarantined (rule
    ``finite``), every other row is kept as before, and no kept weight is non-finite."""
    spec = bundled_survey(tmp_path / "in", "KEN_HBS_2015")
    before = ken_as_bundled
    data = spec.parent / "ken_hbs_2015.csv"
    frame = pl.read_csv(data, infer_schema=False)
    weight = yaml.safe_load(spec.read_text())["variables"]["person_weight"]
    frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 99).then(pl.lit(bad)).otherwise(pl.col(weight)).alias(weight)
    ).write_csv(data)
    after = ingest_survey(load_spec(spec))
    issues = after.quarantine.filter(pl.col("row_number") == 100)
    assert issues.select("column", "rule", "value").rows() == [("person_weight", rule, shown)]
    assert after.rows_read == after.rows_kept + after.quarantined_rows == before.rows_read
    assert after.quarantined_rows == before.quarantined_rows + 1
    assert after.persons["person_weight"].is_finite().all()
    assert after.persons.equals(before.persons.filter(pl.col("source_row") != 100))


def test_non_finite_numbers_in_binary_files_and_ssi_counts_are_quarantined(tmp_path):
    """Parquet inf and 1e308 (which once turned into a silent null), an SSI count of 1e308."""
    frame = source_frame().with_columns(
        pl.when(pl.col("pid") == 2).then(float("inf")).otherwise(pl.col("wgt")).alias("wgt"),
        pl.when(pl.col("hid") == 4).then(1e308).otherwise(pl.col("cons")).alias("cons"),
    )
    result = ingest_survey(load_spec(write_survey(tmp_path / "s", frame=frame, ext=".parquet")))
    rules = result.quarantine.group_by("column", "rule").len().sort("column").rows()
    assert rules == [("hh_consumption", "finite", 1), ("person_weight", "finite", 3)]
    assert result.rows_read == result.rows_kept + result.quarantined_rows == 8

    from tests.ssi_builders import TABLES

    tables = {k: [list(r) for r in v] for k, v in TABLES.items()}
    tables["Contributors"][1] = ["S1", "1e308", 600, 400]
    ret = ingest_return(
        "GHA_2022", read_return(write_return(tmp_path / "r", workbook=False, tables=tables)), file="GHA_2022"
    )
    assert ret.quarantine.select("sheet", "column", "rule").rows() == [("Contributors", "total", "finite")]
    assert ret.coverage["persons"].max() < 1e15


def test_spec_constants_must_be_finite(tmp_path, spec_dict):
    for key, entry, rule in (
        ("hh_oop_health", {"value": float("inf")}, "finite"),
        ("hh_consumption", {"source": "cons", "scale": 1e300}, "type"),
    ):
        spec = yaml.safe_load(yaml.safe_dump(spec_dict))
        spec["variables"][key] = entry
        with pytest.raises(SpecError) as err:
            load_spec(write_survey(tmp_path / key, spec))
        assert err.value.rule == rule and err.value.where == f"variables.{key}"


# --- 4. bounded parsing -------------------------------------------------------------------------

BILLION_LAUGHS = "lol0: &a0 ['lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol']\n" + "".join(
    f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
)
# the same, as one list of sentences: known_issues: [&a0 [...], &a1 [*a0, ...], ...]
LAUGHING_ISSUES = (
    "[&a0 ['lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol'], "
    + ", ".join(f"&a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10))
    + "]"
)


def test_billion_laughs_in_a_spec_is_refused_before_it_is_built(tmp_path, spec_dict):
    """10^9 'lol' once expanded in memory when the known issues were read; refused now."""
    path = write_survey(tmp_path, spec_dict)
    path.write_text(path.read_text().replace("survey:\n", f"survey:\n  known_issues: {LAUGHING_ISSUES}\n", 1))
    with deadline(60), pytest.raises(SpecError) as err:
        load_spec(path)
    assert err.value.rule == "yaml_size" and "aliases" in str(err.value) and err.value.file == str(path)


def test_aliases_within_the_limit_still_work(tmp_path, spec_dict):
    """Reusing a block of codes with &anchor / *alias is what aliases are for: accepted."""
    spec_dict["variables"]["contributor"] = {"source": "ssc", "codes": "ANCHOR"}
    spec_dict["variables"]["severe_disability"] = {"source": "disab", "codes": "ALIAS"}
    path = write_survey(tmp_path, spec_dict)
    path.write_text(
        path.read_text()
        .replace("codes: ANCHOR", "codes: &yesno {1: true, 2: false}")
        .replace("codes: ALIAS", "codes: *yesno")
    )
    mappings = load_spec(path).mappings
    assert mappings["severe_disability"].codes == mappings["contributor"].codes == {"1": True, "2": False}


@pytest.mark.parametrize(
    "text, rule",
    [(BILLION_LAUGHS, "yaml_size"), ("files: &a [*a]\n", "yaml_size"), ("files:\n  a.csv: {vintage: [2020\n^", "yaml")],
)
def test_invalid_sources_yaml_raises_a_named_error(tmp_path, text, rule):
    (tmp_path / "context").mkdir()
    (tmp_path / "context" / "sources.yaml").write_text(text)
    with pytest.raises(SourceError) as err:
        declared_sources(tmp_path, "context")
    assert err.value.rule == rule and err.value.file == "context/sources.yaml"
    assert str(err.value).strip() != "^"


def test_zip_bomb_workbook_is_refused_before_openpyxl_opens_it(tmp_path, monkeypatch):
    bomb = tmp_path / "ssi" / "BOMB_2021.xlsx"
    bomb.parent.mkdir()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    assert bomb.stat().st_size < 200_000

    def never(*_, **__):
        raise AssertionError("openpyxl must not open a refused workbook")

    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(SourceError) as err:
        read_return(bomb)
    assert err.value.rule == "workbook_size" and "60,000,000" in str(err.value)


def test_sheets_are_read_within_row_and_column_limits(tmp_path, monkeypatch):
    import openpyxl

    huge = tmp_path / "HUGE_2021.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Return"
    ws.append(["field", "value"])
    ws.cell(row=1_048_576, column=1, value="x")  # declares a million rows in a few bytes
    wb.save(huge)
    with pytest.raises(SourceError) as err:
        read_return(huge)
    assert err.value.rule == "sheet_size" and err.value.where == "sheet Return"

    from tests.ssi_builders import TABLES

    monkeypatch.setattr(engine.ssi, "SHEET_MAX_ROWS", 5)
    schemes = TABLES["Schemes"] + [[f"S{i}", "Scheme", "old_age", "contributory", None] for i in range(4, 10)]
    many = write_return(tmp_path / "many", "GHA_2022", workbook=True, tables={**TABLES, "Schemes": schemes})
    with pytest.raises(SourceError) as err:
        read_return(many)
    assert err.value.rule == "sheet_size" and err.value.where == "sheet Schemes"


# --- 5. identifiers, cleanup, one return per country and year -----------------------------------


def test_return_ids_and_layout(tmp_path):
    write_return(tmp_path, "GHA_2022", workbook=True)
    shutil.copy(tmp_path / "ssi" / "GHA_2022.xlsx", tmp_path / "ssi" / "...xlsx")
    shutil.copy(tmp_path / "ssi" / "GHA_2022.xlsx", tmp_path / "ssi" / "GHA 2022 (copy).xlsx")
    write_return(tmp_path, "KEN_2021", workbook=False)
    (tmp_path / "ssi" / "KEN_2021" / "return.csv").unlink()
    write_return(tmp_path, "PHL_2020", workbook=False)
    shutil.copy(tmp_path / "ssi" / "GHA_2022.xlsx", tmp_path / "ssi" / "PHL_2020.xlsx")
    (tmp_path / "ssi" / "notes.docx").write_text("x")
    (tmp_path / "ssi" / "~$GHA_2022.xlsx").write_text("lock")
    (tmp_path / "ssi" / "sources.yaml").write_text("files: {}\n")
    found, left = scan_ssi(tmp_path)
    assert sorted(found) == ["GHA_2022"]
    assert {(p.path, p.rule) for p in left} == {
        ("ssi/...xlsx", "identifier"),
        ("ssi/GHA 2022 (copy).xlsx", "identifier"),
        ("ssi/KEN_2021/", "file_exists"),
        ("ssi/PHL_2020/", "unique_id"),
        ("ssi/PHL_2020.xlsx", "unique_id"),
        ("ssi/notes.docx", "layout"),
    }
    messages = {p.path: p.message for p in left}
    assert (
        "without return.csv" in messages["ssi/KEN_2021/"]
        and "PHL_2020/ and PHL_2020.xlsx" in messages["ssi/PHL_2020.xlsx"]
    )
    assert len({p.record_id for p in left}) == len(left)


def test_survey_layout(tmp_path, spec_dict):
    write_survey(tmp_path, spec_dict)
    (tmp_path / "surveys" / "NO_SPEC").mkdir()
    (tmp_path / "surveys" / "bad.name").mkdir()
    (tmp_path / "surveys" / "readme.txt").write_text("x")
    found = discover_surveys(tmp_path)
    assert sorted(found) == ["TST_HIES_2021"]
    assert {(p.path, p.rule) for p in layout_problems(tmp_path)} == {
        ("surveys/NO_SPEC/", "file_exists"),
        ("surveys/bad.name/", "identifier"),
        ("surveys/readme.txt", "layout"),
    }


def test_outputs_are_only_ever_removed_for_a_valid_source_id(tmp_path):
    """The cleanup of a source named '..' once removed the whole raw/ folder."""
    store = ParquetStore(tmp_path / "out")
    store.write(pl.DataFrame({"a": [1]}), "raw", "survey_file", "GHA_LFS_2015")
    for bad in ("..", ".", "", "a/b", "../raw", "x.y"):
        with pytest.raises(ValueError):
            store.remove("raw", "ssi_return", bad)
        with pytest.raises(ValueError):
            store.remove_record("sources", "ssi", bad)
    assert store.exists("raw", "survey_file", "GHA_LFS_2015")


def test_duplicate_returns_name_each_other():
    staged = pl.DataFrame(
        {
            "return_id": ["GHA_2022", "GHA_2022_copy", "KEN_2021", "GHA_2021"],
            "country": ["GHA", "GHA", "KEN", "GHA"],
            "reference_year": ["2022", "2022", "2021", "2021"],
        }
    )
    assert duplicate_returns(staged) == {"GHA_2022": ["GHA_2022_copy"], "GHA_2022_copy": ["GHA_2022"]}


# --- 7. other faults ------------------------------------------------------------------------------


def test_truncated_csv_is_refused_naming_the_row(tmp_path):
    """The bundled KEN_HBS_2015 cut in the middle of its last row (a transfer stopped short):
    refused, not read with the cut row padded with missing values."""
    spec = bundled_survey(tmp_path / "in", "KEN_HBS_2015")
    data = spec.parent / "ken_hbs_2015.csv"
    text = data.read_text()
    data.write_text(text[: text.rstrip("\n").rfind(",", 0, len(text) - 40)])
    with pytest.raises(SourceError) as err:
        ingest_survey(load_spec(spec))
    e = err.value
    assert e.rule == "complete_last_row" and e.file == str(data.resolve()) and e.where == "row 4000"
    data.write_text(text.rstrip("\n"))  # no final line end but a complete last row: fine
    assert ingest_survey(load_spec(spec)).rows_read == 4000


def test_truncated_context_and_ssi_csv_are_refused(tmp_path):
    (tmp_path / "context").mkdir()
    (tmp_path / "context" / "labour_force.csv").write_text(
        "country,year,sex,labour_force,employed,unemployed\nGHA,2022,T,100,90,10\nGHA,20"
    )
    with pytest.raises(SourceError) as err:
        read_context_file(CONTEXT_TABLES["labour_force"], tmp_path)
    assert err.value.rule == "complete_last_row"
    folder = write_return(tmp_path, "KEN_2021", workbook=False)
    schemes = folder / "schemes.csv"
    schemes.write_text(schemes.read_text().rstrip("\n")[:-25])
    with pytest.raises(SourceError) as err:
        read_return(folder)
    assert err.value.rule == "complete_last_row" and err.value.file.endswith("schemes.csv")


def test_duplicated_column_names_are_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("hid,pid,hid\n1,2,3\n")
    with pytest.raises(SourceError) as err:
        read_csv_text(path)
    assert err.value.rule == "unique_column" and err.value.value == "hid"


def test_paths_with_an_apostrophe_reach_duckdb_as_values(tmp_path):
    """3.8.2 reads the person table by path and the catalog names every output file: an
    apostrophe in the output folder once broke every survey (SQL built with f-strings)."""
    folder = tmp_path / "o'brien's output"
    folder.mkdir()
    persons = ingest_survey(load_spec(write_survey(tmp_path / "in"))).persons
    path = folder / "persons.parquet"
    persons.write_parquet(path)
    import duckdb

    with duckdb.connect() as con:
        from_path = estimate_hardship(con, str(path), 1.0, load_method("sdg_3_8_2"), load_method("survey_estimation"))
    with duckdb.connect() as con:
        from_frame = estimate_hardship(con, persons, 1.0, load_method("sdg_3_8_2"), load_method("survey_estimation"))
    assert from_path.estimates.height and from_path.estimates.equals(from_frame.estimates)

    store = ParquetStore(folder)
    store.write(persons, "staging", "survey_persons", "TST_HIES_2021")
    views = build_catalog(folder, folder / "publication" / "catalog.duckdb", ("staging",))
    assert [v.name for v in views] == ["staging.survey_persons"]
    with duckdb.connect(str(folder / "publication" / "catalog.duckdb"), read_only=True) as con:
        assert con.execute("SELECT COUNT(*) FROM staging.survey_persons").fetchone()[0] == persons.height


def test_spec_values_that_once_raised_raw_library_errors(tmp_path, spec_dict):
    """Each once ended in an OverflowError, TypeError or Polars error naming nothing; now a
    structural error naming the spec, the key and the rule."""
    cases = [
        (("survey", "year"), float("inf"), "survey.year", "type"),
        (("survey", "year"), 10**30, "survey.year", "type"),
        (("survey", "year"), 2021.7, "survey.year", "type"),
        (("variables", "age"), {"source": "age", "missing": 999}, "variables.age", "mapping_form"),
        (("variables", "hh_oop_health"), {"value": [1]}, "variables.hh_oop_health", "mapping_form"),
        (("survey", "known_issues"), {"a": 1}, "survey.known_issues", "type"),
    ]
    for i, ((block, key), value, where, rule) in enumerate(cases):
        spec = yaml.safe_load(yaml.safe_dump(spec_dict))
        spec[block][key] = value
        with pytest.raises(SpecError) as err:
            load_spec(write_survey(tmp_path / str(i), spec))
        assert (err.value.where, err.value.rule) == (where, rule), (key, value)


def test_source_columns_of_unusable_types_are_refused(tmp_path):
    frame = source_frame().with_columns(pl.concat_list("hid", "pid").alias("sx"), pl.struct("hid", "pid").alias("age"))
    with pytest.raises(SpecError) as err:
        ingest_survey(load_spec(write_survey(tmp_path, frame=frame, ext=".parquet")))
    assert err.value.rule == "source_type"
    assert (err.value.where, err.value.value) in (("variables.sex", "sx"), ("variables.age", "age"))
    assert "List(Int64)" in str(err.value) or "Struct" in str(err.value)


@pytest.mark.parametrize("year", ["inf", "1e20", "3000"])
def test_ssi_reference_year_that_once_overflowed(tmp_path, year):
    from tests.ssi_builders import RETURN

    meta = [(k, year if k == "reference_year" else v) for k, v in RETURN]
    folder = write_return(tmp_path, "GHA_2022", workbook=False, meta=meta)
    with pytest.raises(SourceError) as err:
        ingest_return("GHA_2022", read_return(folder), file="ssi/GHA_2022")
    assert err.value.rule == "type_integer" and err.value.where == "sheet Return, field reference_year"
