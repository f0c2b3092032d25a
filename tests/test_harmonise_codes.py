"""Codes as users write them, and missing values that stay missing (issue 9, defects 1 and 2).

* A missing source value (null, empty text, NaN, a code listed in ``missing:``) is never caught by
  ``other:`` or by any recode: the canonical value is missing, so a person with missing
  citizenship is in the nationality ``T`` domains only. Regression on the bundled AUT_SILC_2006
  (citizenship not asked below 16: 2,720 children were published as non-nationals).
* Numeric codes compare by value: a CSV exported by R or Stata holding ``1.0``/``2.0`` matches the
  spec keys ``1``/``2`` (every row was quarantined with ``code_not_in_spec``).
* Specs are read with YAML 1.2 scalars: unquoted ``yes:``/``no:``/``on:``/``off:`` keys stay text.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from engine.errors import SpecError
from engine.harmonise import ingest_survey
from engine.method_config import load_method
from engine.survey_estimation import estimate_survey
from engine.survey_spec import load_spec
from tests.conftest import SOURCE_COLUMNS, SOURCE_ROWS, write_survey

PROJECT = Path(__file__).resolve().parent.parent
AUT = PROJECT / "data" / "raw" / "surveys" / "AUT_SILC_2006" / "spec.yaml"


def _text_frame(rows) -> pl.DataFrame:
    return pl.DataFrame([[None if v is None else str(v) for v in r] for r in rows], schema=SOURCE_COLUMNS, orient="row")


def _with(column: str, values: dict[int, object]) -> list[list]:
    rows = [list(r) for r in SOURCE_ROWS]
    for i, v in values.items():
        rows[i][SOURCE_COLUMNS.index(column)] = v
    return rows


@pytest.mark.parametrize("ext", [".csv", ".parquet", ".dta"])
def test_other_never_catches_a_missing_citizenship(tmp_path, spec_dict, ext):
    """Rows 2 and 5 have no citizenship (empty / null), row 7 the code 'XXX' listed as missing:
    nationality is missing for the three, not non_national; the others are recoded as before."""
    spec_dict["variables"]["nationality"] = {
        "source": "citz",
        "codes": {"GHA": "national"},
        "other": "non_national",
        "missing": ["XXX"],
    }
    rows = _with("citz", {1: "" if ext == ".csv" else None, 4: None, 6: "XXX"})
    frame = (
        _text_frame(rows).with_columns(pl.col(c).cast(pl.Float64) for c in SOURCE_COLUMNS if c != "citz")
        if ext != ".csv"
        else _text_frame(rows)
    )
    res = ingest_survey(load_spec(write_survey(tmp_path, spec_dict, frame, ext)))
    assert res.quarantined_rows == 0
    nationality = res.persons.sort("source_row")["nationality"].to_list()
    assert nationality == ["national", None, "national", "non_national", None, "national", None, "non_national"]


def test_no_recode_catches_a_missing_value(tmp_path, spec_dict):
    """codes with other, in:, codes to flags: a missing code (9) or an empty cell stays missing."""
    spec_dict["variables"]["hh_head"] = {"source": "pid", "codes": {1: True}, "other": False, "missing": [9]}
    spec_dict["variables"]["rec_oldage_contrib"] = {"source": "pens", "in": [1], "missing": [9]}
    spec_dict["variables"]["contributor"] = {"source": "ssc", "codes": {1: True}, "other": False}
    rows = _with("pid", {2: 9})
    rows = [r[:] for r in rows]
    rows[3][SOURCE_COLUMNS.index("pens")] = 9
    rows[4][SOURCE_COLUMNS.index("ssc")] = ""
    res = ingest_survey(load_spec(write_survey(tmp_path, spec_dict, _text_frame(rows))))
    p = res.persons.sort("source_row")
    assert p["hh_head"].to_list() == [True, False, None, True, False, True, False, True]
    assert p["rec_oldage_contrib"].to_list() == [False, False, False, None, False, False, False, False]
    assert p["contributor"].to_list() == [True, False, False, False, None, False, False, True]


def test_bundled_silc_children_are_in_the_nationality_totals_only(tmp_path):
    """AUT_SILC_2006 as bundled: pb220a (citizenship) is empty for the 2,720 persons below 16.
    Before the fix they were all non-nationals (child benefit coverage 98.16% published as the
    non-national value); now their nationality is missing and SI_COV_CHLD has no nationality
    domains (every child is in T only)."""
    spec = load_spec(AUT)
    res = ingest_survey(spec)
    p = res.persons
    assert res.rows_read == 14_827 and res.quarantined_rows == 0
    counts = dict(p.group_by("nationality").len().iter_rows())
    assert counts == {"national": 11_073, "non_national": 1_034, None: 2_720}
    assert p.filter(pl.col("nationality").is_null())["age"].max() == 15
    assert p.filter(pl.col("age") <= 15)["nationality"].null_count() == 2_720 == p.filter(pl.col("age") <= 15).height

    result = estimate_survey(
        duckdb.connect(config={"threads": "1"}),
        p,
        pl.DataFrame({"sex": ["F", "M"], "age": [60, 65]}),
        load_method("sdg_1_3_1"),
        load_method("survey_estimation"),
    )
    child = result.estimates.filter(pl.col("series") == "SI_COV_CHLD")
    assert set(child["nationality"]) == {"T"}
    total = child.filter((pl.col("sex") == "T") & (pl.col("age_group") == "T") & (pl.col("urban_rural") == "T"))
    assert total["n_unweighted"].to_list() == [2_720]
    assert round(total["value"][0], 2) == 98.16
    assert result.gaps.filter((pl.col("series") == "SI_COV_CHLD") & (pl.col("gap_type") == "nationality")).is_empty()
    # adults keep their nationality domains
    pension = result.estimates.filter(pl.col("series") == "SI_COV_PENSN")
    assert {"T", "national", "non_national"} == set(pension["nationality"])


def test_numeric_codes_written_with_decimals_match_integer_keys(tmp_path, spec_dict):
    """A CSV exported by R or Stata: every number written '1.0', '2.0' (and ' 02' with a leading
    zero): the spec keys 1, 2, 3 match by value; nothing is quarantined."""
    rows = [
        [
            f"{v}.0" if isinstance(v, int) and c not in ("hid", "pid") else v
            for c, v in zip(SOURCE_COLUMNS, r, strict=True)
        ]
        for r in SOURCE_ROWS
    ]
    rows[1][SOURCE_COLUMNS.index("sx")] = " 02"
    reference = ingest_survey(load_spec(write_survey(tmp_path / "ints", spec_dict))).persons
    res = ingest_survey(load_spec(write_survey(tmp_path / "decimals", spec_dict, _text_frame(rows))))
    assert res.quarantined_rows == 0, res.quarantine
    assert res.persons.drop("source_row").equals(reference.drop("source_row"))
    assert res.persons.sort("source_row")["sex"].to_list() == ["M", "F", "F", "M", "F", "M", "F", "F"]


def test_missing_codes_and_in_lists_compare_by_value(tmp_path, spec_dict):
    """`missing: [999]` catches '999.0' (the age is then missing: quarantined, not a range
    error); `in: [1]` and `missing: [9]` match '1.00' and '9.0'."""
    spec_dict["variables"]["rec_oldage_contrib"] = {"source": "pens", "in": ["1.0"], "missing": [9]}
    rows = _with("age", {2: "999.0"})
    rows[3][SOURCE_COLUMNS.index("pens")] = "1.00"
    rows[4][SOURCE_COLUMNS.index("pens")] = "9.0"
    res = ingest_survey(load_spec(write_survey(tmp_path, spec_dict, _text_frame(rows))))
    assert res.quarantine.select("row_number", "column", "rule").rows() == [(3, "age", "not_nullable")]
    flags = dict(zip(res.persons["source_row"], res.persons["rec_oldage_contrib"], strict=True))
    assert flags[4] is True and flags[5] is None and flags[1] is False


def test_two_keys_that_are_the_same_number_must_agree(tmp_path, spec_dict):
    spec_dict["variables"]["sex"] = {"source": "sx", "codes": {1: "M", "01": "F", 2: "F"}}
    with pytest.raises(SpecError) as info:
        load_spec(write_survey(tmp_path, spec_dict))
    assert info.value.where == "variables.sex.codes" and "same code (1)" in str(info.value)


YES_NO_SPEC = """\
survey: {{id: TST_HIES_2021, country: GHA, year: 2021, kind: HIES, file: data.csv, synthetic: {synthetic}}}
design: {{psu_nested_in_strata: {nested}}}
variables:
  hh_id: hid
  person_id: pid
  person_weight: wgt
  sex: {{source: sx, codes: {{1: M, 2: F}}}}
  age: age
  contributor: {{source: ssc, codes: {{yes: true, no: false}}}}
  health_protected: {{source: ins, codes: {{on: yes, off: no}}}}
  hh_head: {{source: head, codes: {{Y: true, N: false}}}}
  lf_status: {{source: lfs, codes: {{010: employed, 020: unemployed, 030: outside_labour_force}}}}
absent: [household_weight, stratum, psu, rec_child_family, rec_maternity, rec_sickness, rec_disability,
         rec_unemployment, rec_oldage_contrib, rec_oldage_noncontrib, rec_survivors, rec_employment_injury,
         rec_social_assistance, injury_insured, severe_disability, gave_birth, nationality, citizenship,
         urban_rural, hh_consumption, hh_oop_health, poor]
"""


def _yes_no_survey(tmp_path: Path, synthetic: str = "true", nested: str = "false") -> Path:
    folder = tmp_path / "surveys" / "TST_HIES_2021"
    folder.mkdir(parents=True)
    (folder / "spec.yaml").write_text(YES_NO_SPEC.format(synthetic=synthetic, nested=nested))
    (folder / "data.csv").write_text(
        "hid,pid,wgt,sx,age,ssc,ins,head,lfs\n"
        "1,1,10,1,40,yes,on,Y,10\n"
        "1,2,10,2,38,no,off,N,30\n"
        "2,1,12,2,25,yes,off,Y,020\n"
    )
    return folder / "spec.yaml"


def test_unquoted_yes_no_on_off_keys_stay_text(tmp_path):
    """YAML 1.1 reads `yes:`, `no:`, `on:`, `off:` (and `y`, `n`) as booleans and `010` as octal 8:
    the spec is read with YAML 1.2 scalars, so these keys match the text of the file."""
    spec = load_spec(_yes_no_survey(tmp_path))
    assert spec.mappings["contributor"].codes == {"yes": True, "no": False}
    assert spec.mappings["lf_status"].codes == {"10": "employed", "20": "unemployed", "30": "outside_labour_force"}
    res = ingest_survey(spec)
    assert res.quarantined_rows == 0, res.quarantine
    p = res.persons.sort("source_row")
    assert p["contributor"].to_list() == [True, False, True]
    assert p["health_protected"].to_list() == [True, False, False]
    assert p["hh_head"].to_list() == [True, False, True]
    assert p["lf_status"].to_list() == ["employed", "outside_labour_force", "unemployed"]


@pytest.mark.parametrize(("written", "read"), [("true", True), ("false", False), ("yes", True), ("no", False)])
def test_yes_no_settings_keep_their_meaning(tmp_path, written, read):
    spec = load_spec(_yes_no_survey(tmp_path, synthetic=written, nested=written))
    assert spec.synthetic is read and spec.psu_nested_in_strata is read


def test_a_setting_that_is_not_a_flag_is_refused(tmp_path):
    with pytest.raises(SpecError) as info:
        load_spec(_yes_no_survey(tmp_path, synthetic="perhaps"))
    assert info.value.where == "survey.synthetic" and "true or false" in str(info.value)
