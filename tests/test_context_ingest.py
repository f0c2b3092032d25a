"""Context tables: validation rules with bad inputs, optional and required tables."""

from __future__ import annotations

import polars as pl
import pytest

from engine.context import ingest_context_table
from engine.errors import SourceError
from schemas.resources.context import BY_NAME


def _write(tmp_path, table: str, text: str):
    path = tmp_path / BY_NAME[table].file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


LABOUR = """country,year,sex,labour_force,employed,unemployed
GHA,2022,T,1000,900,100
GHA,2022,F,450,400,50
GHA,2022,M,550,500,50
KEN,2022,T,1000,900,100
KEN,2022,F,600,560,40
KEN,2022,M,500,440,60
"""


def test_female_plus_male_must_not_exceed_total(tmp_path):
    _write(tmp_path, "labour_force", LABOUR)
    res = ingest_context_table(BY_NAME["labour_force"], tmp_path)
    q = res.quarantine
    # KEN: labour force F + M = 1100 > T = 1000 and employed 1000 > 900 (unemployed 100 = 100
    # passes) -> all three rows of the group are quarantined, once per failing column, with
    # the three numbers
    assert set(q["rule"]) == {"female_plus_male_le_total"}
    assert sorted(q.select("row_number", "column", "value").rows()) == [
        (row, column, value)
        for row in (4, 5, 6)
        for column, value in (("employed", "F=560.0 M=440.0 T=900.0"), ("labour_force", "F=600.0 M=500.0 T=1000.0"))
    ]
    assert res.kept["country"].to_list() == ["GHA"] * 3
    assert res.rows_read == res.kept.height + res.quarantined_rows == 6


def test_a_value_not_given_for_one_sex_skips_that_column_only(tmp_path):
    header = "country,year,sex,nationality,population,population_15plus,labour_force,employed,unemployed\n"
    _write(
        tmp_path,
        "population_by_nationality",
        header
        + (
            # GHA: population_15plus has no total, labour_force no male value: nothing to compare
            "GHA,2022,T,national,1000,,500,400,100\n"
            "GHA,2022,F,national,500,300,250,200,50\n"
            "GHA,2022,M,national,500,300,,200,50\n"
            # KEN: population_15plus has no total, but F + M > T for population
            "KEN,2022,T,national,1000,,500,400,100\n"
            "KEN,2022,F,national,600,400,250,200,50\n"
            "KEN,2022,M,national,500,400,250,200,50\n"
        ),
    )
    res = ingest_context_table(BY_NAME["population_by_nationality"], tmp_path)
    assert sorted(res.quarantine.select("row_number", "column", "value").rows()) == [
        (row, "population", "F=600.0 M=500.0 T=1000.0") for row in (4, 5, 6)
    ]
    assert res.kept["country"].to_list() == ["GHA"] * 3 and res.quarantined_rows == 3


@pytest.mark.parametrize(
    ("table", "text", "row", "column", "rule"),
    [
        ("labour_force", "country,year,sex,labour_force,employed,unemployed\nXYZ,2022,T,1,1,0\n", 1, "country", "isin"),
        ("labour_force", "country,year,sex,labour_force,employed,unemployed\nGHA,2022,X,1,1,0\n", 1, "sex", "isin"),
        (
            "labour_force",
            "country,year,sex,labour_force,employed,unemployed\nGHA,2022,T,-1,1,0\n",
            1,
            "labour_force",
            "greater_than_or_equal_to(0)",
        ),
        (
            "births",
            "country,year,live_births,twin_delivery_share,triplet_delivery_share\nGHA,2022,100,1.5,0\n",
            1,
            "twin_delivery_share",
            "less_than_or_equal_to(1)",
        ),
        ("pensionable_age", "country,sex,from_year,age\nGHA,M,2000,15\n", 1, "age", "greater_than_or_equal_to(40)"),
        ("poverty", "country,year,sex,poverty_rate\nGHA,2022,T,many\n", 1, "poverty_rate", "type_number"),
        ("uhc_tracers", "indicator,country,year,value\nbogus,GHA,2020,50\n", 1, "indicator", "isin"),
        (
            "uhc_tracers",
            "indicator,country,year,value\nanc4,GHA,2020,50\nanc4,GHA,2020,51\n",
            2,
            "indicator+country+year",
            "unique_key",
        ),
        ("population", "country,time,age5yearinterval,gender,population\n288,2020,0_4,3,10.5\n", 1, "gender", "isin"),
    ],
)
def test_each_rule_with_a_bad_row(tmp_path, table, text, row, column, rule):
    _write(tmp_path, table, text)
    res = ingest_context_table(BY_NAME[table], tmp_path)
    hits = res.quarantine.filter((pl.col("row_number") == row) & (pl.col("column") == column))
    assert hits.height == 1 and hits["rule"][0].startswith(rule)
    assert res.rows_read == res.kept.height + res.quarantined_rows


def test_optional_table_absent_is_empty(tmp_path):
    res = ingest_context_table(BY_NAME["births"], tmp_path)
    assert not res.present and res.kept.height == 0 and res.rows_read == 0
    assert set(res.kept.columns) == {"country", "year", "live_births", "twin_delivery_share", "triplet_delivery_share"}


def test_required_table_absent_fails(tmp_path):
    with pytest.raises(SourceError) as info:
        ingest_context_table(BY_NAME["population"], tmp_path)
    assert info.value.rule == "file_exists" and "population_wpp.csv" in info.value.file


def test_missing_required_column_fails(tmp_path):
    _write(tmp_path, "poverty", "country,year,poverty_rate\nGHA,2022,20\n")
    with pytest.raises(SourceError) as info:
        ingest_context_table(BY_NAME["poverty"], tmp_path)
    assert info.value.rule == "required_column" and info.value.where == "column sex"
