"""The `-- name:` block runner (engine/sql.py): blocks run in order, views stay views, a failing
block is named, and every block's elapsed time is logged (what the benchmarks read)."""

from __future__ import annotations

import logging

import duckdb
import polars as pl
import pytest

from engine import sql as runner


@pytest.fixture
def sql_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "SQL_DIR", tmp_path)
    return tmp_path


def test_blocks_run_in_order_and_log_their_time(sql_dir, caplog):
    (sql_dir / "family.sql").write_text(
        "-- header: x = y\n-- name: doubled [view]\nSELECT 2 * x AS y FROM inputs\n\n-- name: total\nSELECT SUM(y) AS s FROM doubled\n"
    )
    con = duckdb.connect()
    with caplog.at_level(logging.DEBUG, logger="engine.sql"):
        done = runner.run_sql_file(con, "family.sql", {"inputs": pl.DataFrame({"x": [1, 2, 3]})})
    assert list(done) == ["doubled", "total"]
    assert runner.fetch(con, "total")["s"].to_list() == [12]
    kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables WHERE table_name IN ('doubled', 'total')").fetchall())
    assert kinds == {"doubled": "VIEW", "total": "LOCAL TEMPORARY"}
    timed = [r.getMessage() for r in caplog.records if r.name == "engine.sql"]
    assert [m.split(":")[0] for m in timed] == ["sql/family.sql doubled", "sql/family.sql total"]
    assert all(m.endswith(" s") and float(m.split(": ")[1][:-2]) >= 0 for m in timed)


def test_a_failing_block_is_named(sql_dir):
    (sql_dir / "broken.sql").write_text("-- name: fine\nSELECT 1 AS a\n-- name: wrong\nSELECT missing_column FROM fine\n")
    with pytest.raises(RuntimeError, match=r"sql/broken.sql, block 'wrong'"):
        runner.run_sql_file(duckdb.connect(), "broken.sql")
