"""Statutory pensionable age in force for a survey (assets/indicators/surveys.py:
pensionable_age_for): the same rule as the administrative SQL (sql/sdg_1_3_1_admin.sql,
adm_pension_age): for each sex, among the rows of that sex and of sex T with from_year <= year,
the row with the largest from_year; at equal from_year the sex-specific row."""

from __future__ import annotations

import polars as pl

from assets.indicators.surveys import pensionable_age_for
from engine.store import ParquetStore


def ages(tmp_path, rows, country="GHA", year=2022) -> dict[str, int]:
    store = ParquetStore(tmp_path)
    table = pl.DataFrame(rows, schema={"country": pl.String, "sex": pl.String, "from_year": pl.Int64, "age": pl.Int64}, orient="row")
    store.write(table, "staging", "pensionable_age")
    out = pensionable_age_for(store, country, year)
    assert out.columns == ["sex", "age"] and out["sex"].to_list() == sorted(out["sex"].to_list())
    return dict(zip(out["sex"], out["age"]))


def test_a_newer_row_for_both_sexes_supersedes_an_older_sex_specific_row(tmp_path):
    # F 60 since 2010, then a reform of 2020 sets 65 for both sexes: 65 is in force in 2022
    rows = [("GHA", "F", 2010, 60), ("GHA", "M", 2010, 63), ("GHA", "T", 2020, 65)]
    assert ages(tmp_path, rows) == {"F": 65, "M": 65}


def test_the_sex_specific_row_wins_at_equal_from_year(tmp_path):
    rows = [("GHA", "T", 2015, 62), ("GHA", "F", 2015, 60), ("GHA", "M", 2018, 64)]
    assert ages(tmp_path, rows) == {"F": 60, "M": 64}


def test_rows_not_yet_in_force_and_other_countries_are_ignored(tmp_path):
    rows = [("GHA", "T", 2000, 55), ("GHA", "M", 2025, 67), ("GHA", "F", 2022, 61), ("KEN", "T", 2021, 70)]
    assert ages(tmp_path, rows) == {"F": 61, "M": 55}
    assert ages(tmp_path, rows, year=2019) == {"F": 55, "M": 55}
    assert ages(tmp_path, rows, year=1999) == {}


def test_the_admin_fixture_gives_the_same_ages_as_the_admin_sql(tmp_path):
    """The rows of tests/test_admin_coverage.py (F 60 from 2010, M 65 from 2020, M 67 from 2025,
    T 55 from 2000): the admin SQL uses F 60 and M 65 in 2022."""
    rows = [("GHA", "T", 2000, 55), ("GHA", "F", 2010, 60), ("GHA", "M", 2010, 63), ("GHA", "M", 2020, 65), ("GHA", "M", 2025, 67)]
    assert ages(tmp_path, rows) == {"F": 60, "M": 65}


def test_no_table_gives_no_ages(tmp_path):
    out = pensionable_age_for(ParquetStore(tmp_path), "GHA", 2022)
    assert out.is_empty() and out.schema == pl.Schema({"sex": pl.String, "age": pl.Int64})
