"""Statutory pensionable age in force: one rule, ``sql/pensionable_age.sql``, run by the survey
path (engine/pensionable_age.py) and included by the administrative SQL
(sql/sdg_1_3_1_admin.sql, adm_pension_age): for each sex, among the rows of that sex and of sex T
with from_year <= year, the row with the largest from_year; at equal from_year the sex-specific
row. Each case is checked on both paths: the survey function and the admin SQL's blocks up to
``adm_pension_age`` over a return of the same country and year."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from engine.pensionable_age import pension_age_in_force
from engine.sql import fetch, load_blocks, run_sql_file, sql_path

RULES = {"country": pl.String, "sex": pl.String, "from_year": pl.Int64, "age": pl.Int64}


def rules(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=RULES, orient="row")


def survey_ages(rows, country="GHA", year=2022) -> dict[str, int]:
    with duckdb.connect() as con:
        out = pension_age_in_force(con, rules(rows), country, year)
    assert out.columns == ["sex", "age"] and out["sex"].to_list() == sorted(out["sex"].to_list())
    return dict(zip(out["sex"], out["age"], strict=True))


def admin_ages(rows, country="GHA", year=2022) -> dict[str, int]:
    """The admin SQL's own blocks (adm_returns from an SSI row, then the pensionable-age blocks)."""
    ssi = pl.DataFrame({"return_id": ["R1"], "country": [country], "year": [year], "nationality": ["T"]})
    names = [b.name for b in load_blocks("sdg_1_3_1_admin.sql")]
    wanted = names[names.index("pension_age_requests") : names.index("adm_pension_age") + 1]
    with duckdb.connect() as con:
        con.register("adm_ssi", ssi)
        con.register("adm_pensionable_age", rules(rows))
        con.execute(
            "CREATE TEMP TABLE adm_returns AS SELECT return_id, MIN(country) AS country, MIN(year) AS year FROM adm_ssi GROUP BY return_id"
        )
        run_sql_file(con, "sdg_1_3_1_admin.sql", only=tuple(wanted))
        out = fetch(con, "adm_pension_age").sort("sex")
    assert set(out["return_id"]) <= {"R1"}
    return dict(zip(out["sex"], out["age"], strict=True))


CASES = {
    # F 60 since 2010, then a reform of 2020 sets 65 for both sexes: 65 is in force in 2022
    "a newer row for both sexes supersedes an older sex-specific row": (
        [("GHA", "F", 2010, 60), ("GHA", "M", 2010, 63), ("GHA", "T", 2020, 65)],
        2022,
        {"F": 65, "M": 65},
    ),
    "the sex-specific row wins at equal from_year": (
        [("GHA", "T", 2015, 62), ("GHA", "F", 2015, 60), ("GHA", "M", 2018, 64)],
        2022,
        {"F": 60, "M": 64},
    ),
    "rows not yet in force and other countries are ignored": (
        [("GHA", "T", 2000, 55), ("GHA", "M", 2025, 67), ("GHA", "F", 2022, 61), ("KEN", "T", 2021, 70)],
        2022,
        {"F": 61, "M": 55},
    ),
    "an earlier year sees the older rows": (
        [("GHA", "T", 2000, 55), ("GHA", "M", 2025, 67), ("GHA", "F", 2022, 61), ("KEN", "T", 2021, 70)],
        2019,
        {"F": 55, "M": 55},
    ),
    "before every row there is no age": ([("GHA", "T", 2000, 55), ("GHA", "F", 2022, 61)], 1999, {}),
    # the rows of tests/test_admin_coverage.py: F 60 and M 65 in 2022
    "the admin fixture": (
        [
            ("GHA", "T", 2000, 55),
            ("GHA", "F", 2010, 60),
            ("GHA", "M", 2010, 63),
            ("GHA", "M", 2020, 65),
            ("GHA", "M", 2025, 67),
        ],
        2022,
        {"F": 60, "M": 65},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_survey_and_the_admin_path_apply_the_same_rule(case):
    rows, year, expected = CASES[case]
    assert survey_ages(rows, year=year) == expected
    assert admin_ages(rows, year=year) == expected


def test_no_table_gives_no_ages():
    with duckdb.connect() as con:
        out = pension_age_in_force(con, None, "GHA", 2022)
    assert out.is_empty() and out.schema == pl.Schema({"sex": pl.String, "age": pl.Int64})


def test_the_rule_is_written_once():
    """The admin SQL includes sql/pensionable_age.sql instead of a copy of its window."""
    admin = sql_path("sdg_1_3_1_admin.sql").read_text(encoding="utf-8")
    assert "-- include: pensionable_age.sql" in admin and "rank_in_force" not in admin
    blocks = {b.name: b.sql for b in load_blocks("sdg_1_3_1_admin.sql")}
    assert "rank_in_force" in blocks["pension_age_in_force"] and "pension_age_in_force" in blocks["adm_pension_age"]
