"""SSI returns: workbook and CSV forms, row rules with bad inputs, structural errors."""

from __future__ import annotations

import copy

import polars as pl
import pytest

from engine.errors import SourceError
from engine.sources import discover_ssi
from engine.ssi import ingest_return, read_return
from tests.ssi_builders import RETURN, TABLES, write_return


def _ingest(path, return_id="GHA_2022"):
    return ingest_return(return_id, read_return(path), file=path.name)


def test_workbook_and_csv_forms_agree(tmp_path):
    wb = _ingest(write_return(tmp_path / "a", workbook=True))
    csv = _ingest(write_return(tmp_path / "b", workbook=False))
    assert (
        wb.coverage.equals(csv.coverage)
        and wb.schemes.equals(csv.schemes)
        and wb.legal_provisions.equals(csv.legal_provisions)
    )
    assert wb.country == "GHA" and wb.year == 2022 and wb.quarantined_rows == 0
    assert wb.rows_read == wb.rows_kept == sum(len(rows) - 1 for rows in TABLES.values())


def test_long_coverage_layout(tmp_path):
    cov = _ingest(write_return(tmp_path, workbook=False)).coverage
    pension = cov.filter((pl.col("measure") == "beneficiaries") & (pl.col("benefit_type") == "old_age"))
    assert dict(zip(pension["sex"], pension["persons"], strict=True)) == {"T": 300, "M": 200, "F": 100}
    assert set(pension["function"]) == {"old_age"} and set(pension["scheme_type"]) == {"contributory"}
    survivors = cov.filter(pl.col("benefit_type") == "survivors")
    assert survivors["sex"].to_list() == ["T"]  # men/women not reported: no F/M rows, never guessed
    nn = cov.filter(pl.col("nationality") == "non_national")
    assert dict(zip(nn["sex"], nn["persons"], strict=True)) == {"T": 50, "M": 30, "F": 20}


def test_discovery_finds_both_forms(tmp_path):
    write_return(tmp_path, "GHA_2022", workbook=True)
    write_return(tmp_path, "KEN_2021", workbook=False)
    assert sorted(discover_ssi(tmp_path)) == ["GHA_2022", "KEN_2021"]


def _with(table: str, row: list) -> dict:
    tables = copy.deepcopy(TABLES)
    tables[table].append(row)
    return tables


@pytest.mark.parametrize(
    ("table", "row", "column", "rule"),
    [
        ("Beneficiaries", ["S1", "disability", 10, 8, 7], "men+women", "men_plus_women_le_total"),
        ("Beneficiaries", ["S1", "disability", -3, None, None], "total", "greater_than_or_equal_to(0)"),
        ("Beneficiaries", ["S1", "disability", 2.5, None, None], "total", "type_integer"),
        (
            "Beneficiaries",
            ["S1", "pension", 10, None, None],
            "benefit_type",
            "isin(['child_family', 'maternity', 'sickness', 'disability', 'unemployment', 'old_age', 'survivors', 'employment_injury', 'social_assistance'])",
        ),
        ("Beneficiaries", ["S9", "disability", 10, None, None], "scheme_id", "scheme_in_inventory"),
        ("Beneficiaries", ["S1", "old_age", 10, None, None], "scheme_id+benefit_type", "unique_key"),
        (
            "Schemes",
            ["S4", "Odd", "housing", "contributory", None],
            "function",
            "isin(['medical_care', 'sickness', 'unemployment', 'old_age', 'employment_injury', 'family', 'maternity', 'invalidity', 'survivors', 'social_assistance'])",
        ),
        (
            "NonNationals",
            ["S1", "beneficiaries", "old_age", "stateless", 3, None, None],
            "nationality",
            "isin(['national', 'non_national'])",
        ),
        (
            "LegalProvisions",
            ["S3", "sometimes", "yes", 1, None],
            "equality_of_treatment",
            "isin(['full', 'partial', 'none'])",
        ),
    ],
)
def test_each_row_rule(tmp_path, table, row, column, rule):
    res = _ingest(write_return(tmp_path, workbook=True, tables=_with(table, row)))
    bad = res.quarantine.filter(pl.col("sheet") == table)
    assert (column, rule) in set(zip(bad["column"], bad["rule"], strict=True))
    assert res.rows_read == res.rows_kept + res.quarantined_rows
    assert res.quarantine["source_file"][0] == "GHA_2022.xlsx"


def _split_issues(res):
    q = res.quarantine.filter(pl.col("rule") == "nationality_split_le_total")
    return sorted(q.select("sheet", "row_number", "column", "value").rows())


def test_nationality_splits_must_not_exceed_the_reported_total(tmp_path):
    tables = copy.deepcopy(TABLES)
    tables["NonNationals"][2] = ["S1", "active_contributors", None, "non_national", 60, 30, 20]  # 950 + 60 > 1000
    tables["NonNationals"] += [
        ["S1", "beneficiaries", "old_age", "national", 280, 190, 90],
        ["S1", "beneficiaries", "old_age", "non_national", 15, 10, 11],  # women 90 + 11 > 100
        ["S1", "beneficiaries", "survivors", "national", 40, None, None],
        ["S1", "beneficiaries", "survivors", "non_national", 10, 6, 4],  # 40 + 10 = 50: equal passes
    ]
    res = _ingest(write_return(tmp_path, workbook=False, tables=tables))
    assert _split_issues(res) == [
        ("NonNationals", 1, "total", "national=950 non_national=60 reported=1000 (Contributors)"),
        ("NonNationals", 2, "total", "national=950 non_national=60 reported=1000 (Contributors)"),
        ("NonNationals", 3, "women", "national=90 non_national=11 reported=100 (Beneficiaries)"),
        ("NonNationals", 4, "women", "national=90 non_national=11 reported=100 (Beneficiaries)"),
    ]
    nn = res.coverage.filter(pl.col("nationality") != "total")
    assert set(nn["benefit_type"].to_list()) == {"survivors"}  # both rows of each failing split quarantined
    assert res.quarantined_rows == 4 and res.rows_read == res.rows_kept + res.quarantined_rows


def test_a_split_given_for_one_nationality_only_is_compared_on_its_own(tmp_path):
    tables = copy.deepcopy(TABLES)
    tables["NonNationals"] += [
        ["S3", "active_contributors", None, "non_national", 950, None, None],  # > 900 contributors to S3
        ["S1", "beneficiaries", "survivors", "non_national", 10, 6, 4],  # survivors: no men/women reported
    ]
    res = _ingest(write_return(tmp_path, workbook=False, tables=tables))
    assert _split_issues(res) == [
        ("NonNationals", 3, "total", "national=not given non_national=950 reported=900 (Contributors)")
    ]
    assert res.quarantined_rows == 1 and res.rows_read == res.rows_kept + res.quarantined_rows


def test_quarantined_scheme_takes_its_counts_with_it(tmp_path):
    tables = copy.deepcopy(TABLES)
    tables["Schemes"][2][2] = "welfare"  # S2's function is not a C102 branch
    res = _ingest(write_return(tmp_path, workbook=False, tables=tables))
    q = res.quarantine
    assert ("Schemes", "function") in set(zip(q["sheet"], q["column"], strict=True))
    assert ("Beneficiaries", "scheme_in_inventory") in set(zip(q["sheet"], q["rule"], strict=True))
    assert "S2" not in res.coverage["scheme_id"].to_list()
    assert res.rows_read == res.rows_kept + res.quarantined_rows


def test_optional_module_absent(tmp_path):
    tables = {k: v for k, v in TABLES.items() if k not in ("NonNationals", "LegalProvisions")}
    res = _ingest(write_return(tmp_path, workbook=False, tables=tables))
    assert set(res.coverage["nationality"]) == {"total"} and res.legal_provisions.height == 0
    assert "NonNationals" not in res.tables_present


@pytest.mark.parametrize(
    ("mutate", "where", "rule"),
    [
        (lambda t, m: (t, [r for r in m if r[0] != "country"]), "sheet Return, field country", "required_field"),
        (
            lambda t, m: (t, [("country", "GHA"), ("reference_year", "last year")]),
            "sheet Return, field reference_year",
            "type_integer",
        ),
        (
            lambda t, m: (t, [("country", "XYZ"), ("reference_year", "2022")]),
            "sheet Return, field country",
            "iso3166_alpha3",
        ),
        (
            lambda t, m: (t, [("country", "Ghana"), ("reference_year", "2022")]),
            "sheet Return, field country",
            "iso3166_alpha3",
        ),
        (lambda t, m: ({k: v for k, v in t.items() if k != "Schemes"}, m), "sheet Schemes", "required_table"),
        (
            lambda t, m: ({**t, "Contributors": [["scheme_id", "men", "women"], ["S1", 1, 2]]}, m),
            "sheet Contributors",
            "required_column",
        ),
    ],
)
def test_structural_errors_name_file_sheet_and_column(tmp_path, mutate, where, rule):
    tables, meta = mutate(copy.deepcopy(TABLES), list(RETURN))
    path = write_return(tmp_path, workbook=True, tables=tables, meta=meta)
    with pytest.raises(SourceError) as info:
        _ingest(path)
    assert info.value.where == where and info.value.rule == rule and "GHA_2022.xlsx" in str(info.value)


def test_country_not_iso3_names_the_value(tmp_path):
    path = write_return(tmp_path, workbook=False, meta=[("country", "XYZ"), ("reference_year", "2022")])
    with pytest.raises(SourceError) as info:
        _ingest(path)
    assert info.value.value == "XYZ" and "ISO 3166-1 alpha-3" in str(info.value) and info.value.file == "GHA_2022"


def test_unreadable_workbook(tmp_path):
    (tmp_path / "ssi").mkdir()
    bad = tmp_path / "ssi" / "GHA_2022.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(SourceError) as info:
        read_return(bad)
    assert info.value.rule == "readable" and "GHA_2022.xlsx" in info.value.file
