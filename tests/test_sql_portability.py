"""Every block of every file in sql/ stays within the SQL that sqlglot transpiles to Spark, so
that users who outgrow one machine can run the same statistics there."""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from engine.sql import SQL_DIR, load_blocks

DUCKDB_ONLY = re.compile(r"\b(read_parquet|read_csv\w*|quantile_cont|quantile_disc|list_\w+|struct_pack|unnest|range|generate_series|macro)\s*\(", re.IGNORECASE)
BLOCKS = [(path.name, block) for path in sorted(SQL_DIR.glob("*.sql")) for block in load_blocks(path.name)]


def test_there_is_sql_to_check():
    assert len({name for name, _ in BLOCKS}) >= 3


@pytest.mark.parametrize(("filename", "block"), BLOCKS, ids=[f"{n}:{b.name}" for n, b in BLOCKS])
def test_block_transpiles_to_spark(filename, block):
    assert not DUCKDB_ONLY.search(block.sql), f"DuckDB-only function in {filename}:{block.name}"
    spark = sqlglot.transpile(block.sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
    assert len(spark) == 1
    parsed = sqlglot.parse_one(spark[0], read="spark")
    assert isinstance(parsed, (sqlglot.exp.Select, sqlglot.exp.SetOperation)), f"{filename}:{block.name} is not one query"


@pytest.mark.parametrize("path", sorted(SQL_DIR.glob("*.sql")), ids=lambda p: p.name)
def test_file_header_states_the_formula_and_edition(path):
    header = path.read_text(encoding="utf-8").split("-- name:", 1)[0]
    assert "edition" in header.lower() or "metadata" in header.lower(), f"{path.name}: header must name the metadata edition"
    assert "=" in header, f"{path.name}: header must state the formula"
