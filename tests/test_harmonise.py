"""Harmonisation on data: every spec form, every input format, every row rule with a bad input,
and the reconciliation rows read = rows kept + rows quarantined."""

from __future__ import annotations

import polars as pl
import pytest

from engine.errors import AllRowsQuarantined, SourceError
from engine.harmonise import ingest_survey
from engine.survey_spec import load_spec
from schemas.resources import survey as sv
from tests.conftest import BASE_SPEC, SOURCE_COLUMNS, SOURCE_ROWS, source_frame, write_survey


def _ingest(tmp_path, spec_dict, frame=None, ext=".csv"):
    return ingest_survey(load_spec(write_survey(tmp_path, spec_dict, frame, ext)))


def _rules(result) -> set[tuple[int, str, str]]:
    return {(r["row_number"], r["column"], r["rule"]) for r in result.quarantine.iter_rows(named=True)}


def test_every_spec_form_maps_as_declared(tmp_path, spec_dict):
    res = _ingest(tmp_path, spec_dict)
    p = res.persons.sort("source_row")
    assert res.rows_read == res.rows_kept == 8 and res.quarantined_rows == 0
    assert p.columns == list(sv.COLUMN_ORDER)
    # copy / codes
    assert p["sex"].to_list() == ["M", "F", "F", "M", "F", "M", "F", "F"]
    assert p["lf_status"][5] == "unemployed"
    # codes with `other`
    assert p["nationality"].to_list() == ["national"] * 3 + ["non_national"] * 2 + ["national"] * 2 + ["non_national"]
    # rule: positive (amount > 0)
    assert p["rec_child_family"].to_list() == [False, True, False, False, False, False, True, False]
    # in: [codes]
    assert p["rec_oldage_contrib"].to_list() == [False, False, False, True, False, False, False, False]
    # expr over source variables (CSV text is compared as numbers)
    assert p["rec_social_assistance"].to_list() == [False, True, False, False, True, False, False, False]
    assert p["hh_head"].to_list() == [True, False, False, True, False, True, False, True]
    # value
    assert p["health_protected"].to_list() == [False] * 8
    # absent -> all null
    assert p["gave_birth"].null_count() == 8
    # survey block and traceability
    assert set(p["survey_id"]) == {"TST_HIES_2021"} and set(p["country"]) == {"GHA"} and set(p["year"]) == {2021}
    assert p["source_row"].to_list() == list(range(1, 9))


def test_design_defaults_and_nested_psus(tmp_path, spec_dict):
    p = _ingest(tmp_path, spec_dict).persons.sort("source_row")
    # psu_nested_in_strata: EA 1 of stratum 1 is not EA 1 of stratum 2
    assert p["psu"].to_list() == ["1/1", "1/1", "1/1", "1/2", "1/2", "2/1", "2/1", "2/2"]
    # household weight absent -> person weight (contract 1.2)
    assert p["household_weight"].to_list() == p["person_weight"].to_list()


def test_unstratified_weights_only_design(tmp_path, spec_dict):
    del spec_dict["variables"]["stratum"], spec_dict["variables"]["psu"]
    spec_dict["absent"] += ["stratum", "psu"]
    p = _ingest(tmp_path, spec_dict).persons.sort("source_row")
    assert set(p["stratum"]) == {"all"}
    assert p["psu"].n_unique() == 8  # each person its own PSU


@pytest.mark.parametrize("ext", [".csv", ".parquet", ".dta", ".sav"])
def test_every_format_gives_the_same_canonical_table(tmp_path, spec_dict, ext):
    reference = _ingest(tmp_path / "csv", spec_dict).persons
    other = _ingest(tmp_path / ext.strip("."), spec_dict, ext=ext).persons
    assert other.equals(reference), f"{ext} differs from CSV"


def test_amounts_period_converts_to_annual(tmp_path, spec_dict):
    spec_dict["survey"]["amounts_period"] = "month"
    p = _ingest(tmp_path, spec_dict).persons.sort("source_row")
    assert p["hh_consumption"][0] == 12000.0 * 12 and p["hh_oop_health"][0] == 300.0 * 12


def _bad(row_index: int, **changes) -> pl.DataFrame:
    rows = [list(r) for r in SOURCE_ROWS]
    for col, value in changes.items():
        rows[row_index][SOURCE_COLUMNS.index(col)] = value
    return pl.DataFrame([[str(v) for v in r] for r in rows], schema=SOURCE_COLUMNS, orient="row")


@pytest.mark.parametrize(
    ("changes", "column", "rule"),
    [
        ({"age": "abc"}, "age", "type_integer"),
        ({"age": "34.5"}, "age", "type_integer"),
        ({"age": "130"}, "age", "less_than_or_equal_to(120)"),
        ({"age": "-1"}, "age", "greater_than_or_equal_to(0)"),
        ({"sx": "3"}, "sex", "code_not_in_spec"),
        ({"wgt": "0"}, "person_weight", "greater_than(0)"),
        ({"wgt": ""}, "person_weight", "not_nullable"),
        ({"cons": "-5"}, "hh_consumption", "greater_than_or_equal_to(0)"),
        ({"ssc": "7"}, "contributor", "code_not_in_spec"),
        ({"amt_child": "lots"}, "rec_child_family", "type_number"),
        ({"hid": ""}, "hh_id", "not_nullable"),
        ({"strat": ""}, "stratum", "design_id_present"),
        ({"ea": ""}, "psu", "design_id_present"),
    ],
)
def test_each_row_rule_quarantines_the_row(tmp_path, spec_dict, changes, column, rule):
    res = _ingest(tmp_path, spec_dict, frame=_bad(2, **changes))
    assert (3, column, rule) in _rules(res)
    assert res.rows_read == 8 and res.rows_kept == 7 and res.quarantined_rows == 1
    assert 3 not in res.persons["source_row"].to_list()
    row = res.quarantine.filter(pl.col("column") == column).row(0, named=True)
    assert (
        row["source_file"].endswith("data.csv")
        and row["source_kind"] == "survey"
        and row["source_id"] == "TST_HIES_2021"
    )


@pytest.mark.parametrize("absent", ["stratum", "psu"])
def test_the_mapped_design_variable_must_be_given_when_the_other_is_absent(tmp_path, spec_dict, absent):
    present, source = {"stratum": ("psu", "ea"), "psu": ("stratum", "strat")}[absent]
    del spec_dict["variables"][absent]
    spec_dict["absent"].append(absent)
    spec_dict["variables"][present] = {"source": source, "missing": [9]}
    res = _ingest(tmp_path, spec_dict, frame=_bad(4, **{source: "9"}))
    assert res.quarantine.select("row_number", "column", "rule", "value").rows() == [
        (5, present, "design_id_present", "9")
    ]
    assert res.rows_read == 8 and res.rows_kept == 7 and res.persons[present].null_count() == 0


def test_missing_code_reads_as_missing_not_as_an_error(tmp_path, spec_dict):
    res = _ingest(tmp_path, spec_dict, frame=_bad(2, age="999"))
    assert (3, "age", "not_nullable") in _rules(res)  # age is required: missing still quarantines


def test_missing_codes_of_an_expression_are_nulled_before_it_is_evaluated(tmp_path, spec_dict):
    spec_dict["variables"]["rec_social_assistance"] = {"expr": "pens = 2", "missing": [2]}
    p = _ingest(tmp_path, spec_dict).persons.sort("source_row")
    # pens = 2 on row 5 only: a missing code, so the flag is unknown there, not True
    assert p["rec_social_assistance"].to_list() == [False, False, False, False, None, False, False, False]


def test_text_missing_code_in_a_numeric_expression_column_is_not_a_type_error(tmp_path, spec_dict):
    spec_dict["variables"]["rec_social_assistance"] = {"expr": "amt_child > 35", "missing": ["NA"]}
    spec_dict["variables"]["rec_child_family"]["missing"] = ["NA"]
    res = _ingest(tmp_path, spec_dict, frame=_bad(1, amt_child="NA"))
    assert res.quarantined_rows == 0 and res.rows_kept == 8
    p = res.persons.sort("source_row")
    assert p["rec_social_assistance"].to_list() == [False, None, False, False, False, False, False, False]


def test_duplicated_person_key_quarantines_every_copy(tmp_path, spec_dict):
    res = _ingest(tmp_path, spec_dict, frame=_bad(1, pid="1"))
    dup = res.quarantine.filter(pl.col("rule") == "unique_key")
    assert sorted(dup["row_number"].to_list()) == [1, 2]
    assert set(dup["value"]) == {"TST_HIES_2021|1|1"} and set(dup["column"]) == {"survey_id+hh_id+person_id"}
    assert res.rows_kept == 6 and res.quarantined_rows == 2


def test_reconciliation_with_several_bad_rows(tmp_path, spec_dict):
    frame = _bad(0, age="abc")
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 5).then(pl.lit("9")).otherwise(pl.col("sx")).alias("sx")
    )
    res = _ingest(tmp_path, spec_dict, frame=frame)
    assert res.rows_read == res.rows_kept + res.quarantined_rows
    assert res.quarantined_rows == 2 and res.quarantine["row_number"].n_unique() == 2


@pytest.mark.parametrize(
    ("ext", "content", "fmt"),
    [
        (".csv", b"hid,pid,wgt\n1,1,100\n1,2,100,7,7\n", "csv"),  # a row with more fields than the header
        (".csv", b"hid,pid\n\xff\xfe,1\n", "csv"),  # not UTF-8 (and no csv: encoding declared)
        (".parquet", b"PAR1 this is not a Parquet file", "parquet"),
        (".dta", b"this is not a Stata file", "stata"),
        (".sav", b"$FL2 this is not an SPSS file", "spss"),
    ],
)
def test_unreadable_file_names_the_file(tmp_path, spec_dict, ext, content, fmt):
    path = write_survey(tmp_path, spec_dict, ext=ext)
    (path.parent / f"data{ext}").write_bytes(content)
    with pytest.raises(SourceError) as info:
        ingest_survey(load_spec(path))
    assert info.value.file.endswith(f"data{ext}") and info.value.rule == "readable"
    assert f"data{ext}: cannot read {fmt} file" in str(info.value)


def test_copied_flag_that_is_not_a_flag_value(tmp_path, spec_dict):
    spec_dict["variables"]["severe_disability"] = "disab"  # copied: 1/0 read as true/false
    res = _ingest(tmp_path, spec_dict, frame=_bad(2, disab="sometimes"))
    assert res.quarantine.select("row_number", "column", "rule", "value").rows() == [
        (3, "severe_disability", "type_flag", "sometimes")
    ]
    assert res.persons.sort("source_row")["severe_disability"].to_list() == [
        False,
        False,
        True,
        False,
        False,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("variable", "source", "codes", "bad"),
    [("sex", "sx", {1: "M", 2: "F"}, "female"), ("urban_rural", "urb", {1: "urban", 2: "rural"}, "town")],
)
def test_copied_code_outside_the_canonical_code_list(tmp_path, spec_dict, variable, source, codes, bad):
    """A code copied as it is (no `codes:` block) must already be canonical."""
    spec_dict["variables"][variable] = source
    frame = source_frame().with_columns(pl.col(source).replace_strict(codes, return_dtype=pl.String))
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 5).then(pl.lit(bad)).otherwise(pl.col(source)).alias(source)
    )
    res = _ingest(tmp_path, spec_dict, frame=frame)
    expected = sv.BY_NAME[variable].codes
    assert res.quarantine.select("row_number", "column", "rule", "value").rows() == [
        (6, variable, f"isin({list(expected)})", bad)
    ]
    assert res.rows_kept == 7 and res.quarantined_rows == 1


def test_missing_data_file(tmp_path, spec_dict):
    path = write_survey(tmp_path, spec_dict)
    (path.parent / "data.csv").unlink()
    with pytest.raises(SourceError) as info:
        load_spec(path)  # the spec names a file that is not there
    err = info.value
    assert (
        err.rule == "file_exists" and err.file == str(path) and err.where == "survey.file" and err.value == "data.csv"
    )


def test_a_survey_without_a_kept_row_fails_with_its_rules(tmp_path, spec_dict):
    """No row kept: ``require_rows_kept`` names the most frequent rules with their row counts;
    a file with a header and no data row fails as such (before: an error about an expression)."""
    spec_dict["variables"]["sex"] = {"source": "sx", "codes": {"male": "M", "female": "F"}}
    res = _ingest(tmp_path / "codes", spec_dict, frame=_bad(2, age="abc"))
    assert (res.rows_read, res.rows_kept, res.quarantined_rows) == (8, 0, 8)
    with pytest.raises(AllRowsQuarantined) as info:
        res.require_rows_kept("data.csv")
    assert (
        str(info.value)
        == "data.csv: 8 of 8 rows quarantined: code_not_in_spec on sex (8), type_integer on age (1) [rule: rows_kept]"
    )
    with pytest.raises(SourceError) as info:
        _ingest(tmp_path / "empty", spec_dict, frame=source_frame().head(0))
    assert info.value.rule == "rows_read" and "no data rows" in str(info.value)
    _ingest(tmp_path / "fine", BASE_SPEC).require_rows_kept("data.csv")  # rows kept: no error
