"""Statutory pensionable age in force for one survey: the rule of ``sql/pensionable_age.sql``,
the same block the administrative SQL runs for each SSI return.
"""

from __future__ import annotations

import duckdb
import polars as pl

from engine.sql import fetch, run_sql_file

SQL_FILE = "pensionable_age.sql"
RULES_SCHEMA = pl.Schema({"country": pl.String, "sex": pl.String, "from_year": pl.Int64, "age": pl.Int64})
AGES_SCHEMA = pl.Schema({"sex": pl.String, "age": pl.Int64})


def pension_age_in_force(
    con: duckdb.DuckDBPyConnection, rules: pl.DataFrame | None, country: str, year: int
) -> pl.DataFrame:
    """``sex, age``: the pensionable age by sex (F, M) in force in ``year`` for ``country``, from
    ``rules`` (``staging/pensionable_age``: country, sex, from_year, age; None when the table is
    not there); a sex without an age in force is left out. Rows sorted by sex.
    """
    if rules is None:
        return pl.DataFrame(schema=AGES_SCHEMA)
    relations = {
        "pension_age_requests": pl.DataFrame(
            {"request_id": [0], "country": [country], "year": [year]},
            schema={"request_id": pl.Int64, "country": pl.String, "year": pl.Int64},
        ),
        "pension_age_rules": rules.select(list(RULES_SCHEMA)).cast(RULES_SCHEMA),
    }
    run_sql_file(con, SQL_FILE, relations)
    return fetch(con, "pension_age_in_force").sort("sex").select(list(AGES_SCHEMA)).cast(AGES_SCHEMA)
