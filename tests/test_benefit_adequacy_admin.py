"""Average benefit per beneficiary from SSI returns (issue 11): the optional Expenditure table of
the return, its row rules, and expenditure / beneficiaries by function and sex, hand-computed."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from engine.benefit_adequacy import admin_adequacy
from engine.method_config import load_method
from engine.ssi import ingest_return, read_return
from tests.ssi_builders import TABLES, write_return

EXPENDITURE = [
    ["scheme_id", "benefit_type", "total", "men", "women"],
    ["S1", "old_age", 1_500_000.0, 1_100_000.0, 400_000.0],  # 300 pensioners: 200 men, 100 women
    ["S1", "survivors", 60_000.0, None, None],  # beneficiaries not by sex: total only
    ["S2", "social_assistance", 250_000.0, 100_000.0, 150_000.0],
]


def _ingest(tmp_path, expenditure, workbook=True):
    path = write_return(tmp_path, workbook=workbook, tables={**TABLES, "Expenditure": expenditure})
    return ingest_return("GHA_2022", read_return(path), file=str(path))


@pytest.mark.parametrize("workbook", [True, False])
def test_expenditure_table_is_read_in_long_form(tmp_path, workbook):
    res = _ingest(tmp_path, EXPENDITURE, workbook)
    assert "Expenditure" in res.tables_present and res.table_rows["Expenditure"] == (3, 3, 0)
    e = res.expenditure
    assert e.height == 7  # S1 old_age T/F/M, survivors T, S2 T/F/M
    assert (
        e.filter((pl.col("scheme_id") == "S1") & (pl.col("benefit_type") == "old_age") & (pl.col("sex") == "F"))[
            "expenditure"
        ].item()
        == 400_000.0
    )
    assert set(e["function"]) == {"old_age", "social_assistance"}


@pytest.mark.parametrize(
    "row, column, rule",
    [
        (["S2", "social_assistance", -250_000.0, None, None], "total", "greater_than_or_equal_to(0)"),
        (["S2", "social_assistance", "n/a", None, None], "total", "type_number"),
        (["S2", "funeral", 1000.0, None, None], "benefit_type", "isin"),
        (["S9", "social_assistance", 1000.0, None, None], "scheme_id", "scheme_in_inventory"),
        (["S2", "social_assistance", 100.0, 80.0, 40.0], "men+women", "men_plus_women_le_total"),
    ],
)
def test_bad_expenditure_rows_are_quarantined(tmp_path, row, column, rule):
    res = _ingest(tmp_path, [*EXPENDITURE[:3], row])
    q = res.quarantine.filter(pl.col("sheet") == "Expenditure")
    assert q["row_number"].to_list() == [3] and q["column"][0] == column and q["rule"][0].startswith(rule)
    read, kept, quarantined = res.table_rows["Expenditure"]
    assert (read, kept, quarantined) == (3, 2, 1)


def test_average_benefit_per_beneficiary_by_sex(tmp_path):
    res = _ingest(tmp_path, EXPENDITURE)
    with duckdb.connect() as con:
        est, gaps = admin_adequacy(con, res.expenditure, res.coverage, load_method("groups_at_risk"))
    got = {(r["function"], r["sex"]): r["value"] for r in est.iter_rows(named=True)}
    assert got[("oldage_contrib", "T")] == pytest.approx(1_500_000 / 300)
    assert got[("oldage_contrib", "M")] == pytest.approx(1_100_000 / 200)
    assert got[("oldage_contrib", "F")] == pytest.approx(400_000 / 100)
    assert got[("survivors", "T")] == pytest.approx(60_000 / 50) and ("survivors", "F") not in got
    assert got[("social_assistance", "F")] == pytest.approx(150_000 / 300)
    assert set(est["reliability"]) == {"not_applicable"} and est["se"].null_count() == est.height
    pension = gaps.filter(pl.col("function") == "oldage_contrib").row(0, named=True)
    assert pension["ratio"] == pytest.approx(4000 / 5500) and pension["difference"] == pytest.approx(4000 - 5500)
    assert "survivors" not in set(gaps["function"])


def test_return_without_expenditure_gives_no_levels(tmp_path):
    path = write_return(tmp_path, workbook=False)
    res = ingest_return("GHA_2022", read_return(path), file=str(path))
    assert res.expenditure.is_empty() and "Expenditure" not in res.tables_present
    with duckdb.connect() as con:
        est, gaps = admin_adequacy(con, res.expenditure, res.coverage, load_method("groups_at_risk"))
    assert est.is_empty() and gaps.is_empty()
