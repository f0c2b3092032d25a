"""Every block of every file in sql/ stays within the SQL that sqlglot transpiles to Spark, so
that users who outgrow one machine can run the same statistics there (engineering notes: DuckDB
SQL -> Spark with sqlglot).

sqlglot raises on constructs it cannot express in Spark, but passes functions it does not know
through verbatim (``exp.Anonymous``), and turns some DuckDB functions into Spark calls that Spark
rejects (``quantile_cont`` -> ``PERCENTILE_CONT(x, q)``) or leaves DuckDB table functions as they
are (``read_csv``). So each block is also checked for unknown functions on both sides and for a
list of DuckDB-only functions; inputs arrive as registered relations, never as file reads."""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from engine.sql import SQL_DIR, load_blocks

DUCKDB_ONLY = re.compile(
    r"\b(read_parquet|read_csv\w*|read_json\w*|quantile_cont|quantile_disc|median|list_\w+|array_\w+|struct_pack|unnest|range|"
    r"generate_series|macro|regexp_\w+|strftime|epoch\w*|arg_m(?:ax|in)|string_split\w*)\s*\(",
    re.IGNORECASE,
)
# Table-valued or file-reading expressions: a block reads registered relations only.
NOT_A_RELATION = (exp.ReadCSV, exp.ReadParquet, exp.GenerateSeries, exp.Explode, exp.PercentileCont, exp.PercentileDisc)
BLOCKS = [(path.name, block) for path in sorted(SQL_DIR.glob("*.sql")) for block in load_blocks(path.name)]


def test_there_is_sql_to_check():
    names = {name for name, _ in BLOCKS}
    assert {"survey_variance.sql", "survey_gaps.sql", "sdg_1_3_1_survey.sql"} <= names


@pytest.mark.parametrize(("filename", "block"), BLOCKS, ids=[f"{n}:{b.name}" for n, b in BLOCKS])
def test_block_transpiles_to_spark(filename, block):
    where = f"{filename}:{block.name}"
    assert not DUCKDB_ONLY.search(block.sql), f"DuckDB-only function in {where}"
    tree = sqlglot.parse_one(block.sql, read="duckdb")
    unknown = sorted({f.name for f in tree.find_all(exp.Anonymous)})
    assert not unknown, f"{where}: functions sqlglot does not know (passed through untranslated): {unknown}"
    assert not list(tree.find_all(*NOT_A_RELATION)), f"{where}: table function or non-portable aggregate"
    spark = sqlglot.transpile(block.sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
    assert len(spark) == 1
    parsed = sqlglot.parse_one(spark[0], read="spark")
    assert isinstance(parsed, (exp.Select, exp.SetOperation)), f"{where} is not one query"
    unknown_in_spark = sorted({f.name for f in parsed.find_all(exp.Anonymous)})
    assert not unknown_in_spark, f"{where}: Spark output calls unknown functions {unknown_in_spark}"


def test_the_checks_catch_what_sqlglot_lets_through():
    """The guard itself: each of these transpiles without error yet would fail on Spark, and the
    syntax-tree checks (not only the name list) reject it."""
    for sql in (
        "SELECT LIST_REDUCE(a, x -> x) FROM t",
        "SELECT * FROM READ_CSV('f.csv')",
        "SELECT QUANTILE_CONT(a, 0.5) FROM t",
    ):
        sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
        tree = sqlglot.parse_one(sql, read="duckdb")
        assert list(tree.find_all(exp.Anonymous)) or list(tree.find_all(*NOT_A_RELATION)), sql


@pytest.mark.parametrize("path", sorted(SQL_DIR.glob("*.sql")), ids=lambda p: p.name)
def test_file_header_states_the_formula_and_edition(path):
    header = path.read_text(encoding="utf-8").split("-- name:", 1)[0]
    assert "edition" in header.lower() or "metadata" in header.lower(), (
        f"{path.name}: header must name the metadata edition"
    )
    assert "=" in header, f"{path.name}: header must state the formula"
