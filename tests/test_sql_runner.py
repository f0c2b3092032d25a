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
    kinds = dict(
        con.execute(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_name IN ('doubled', 'total')"
        ).fetchall()
    )
    assert kinds == {"doubled": "VIEW", "total": "LOCAL TEMPORARY"}
    timed = [r.getMessage() for r in caplog.records if r.name == "engine.sql"]
    assert [m.split(":")[0] for m in timed] == ["sql/family.sql doubled", "sql/family.sql total"]
    assert all(m.endswith(" s") and float(m.split(": ")[1][:-2]) >= 0 for m in timed)


def test_a_failing_block_is_named(sql_dir):
    (sql_dir / "broken.sql").write_text(
        "-- name: fine\nSELECT 1 AS a\n-- name: wrong\nSELECT missing_column FROM fine\n"
    )
    with pytest.raises(RuntimeError, match=r"sql/broken.sql, block 'wrong'"):
        runner.run_sql_file(duckdb.connect(), "broken.sql")


def test_an_included_file_runs_in_place_and_a_failure_names_its_file(sql_dir):
    """``-- include: rule.sql``: a rule written once, run between the blocks of the files using it."""
    (sql_dir / "rule.sql").write_text("-- the rule\n-- name: doubled\nSELECT request, 2 * x AS y FROM rule_input\n")
    (sql_dir / "family.sql").write_text(
        "-- header\n-- name: rule_input [view]\nSELECT 'a' AS request, x FROM inputs\n\n-- include: rule.sql\n"
        "-- after the rule\n-- name: total\nSELECT SUM(y) AS s FROM doubled\n"
    )
    con = duckdb.connect()
    done = runner.run_sql_file(con, "family.sql", {"inputs": pl.DataFrame({"x": [1, 2, 3]})})
    assert list(done) == ["rule_input", "doubled", "total"]
    assert runner.fetch(con, "total")["s"].to_list() == [12]
    assert [(b.name, b.file) for b in runner.load_blocks("family.sql")] == [
        ("rule_input", "family.sql"),
        ("doubled", "rule.sql"),
        ("total", "family.sql"),
    ]
    (sql_dir / "rule.sql").write_text("-- name: doubled\nSELECT 2 * missing FROM rule_input\n")
    with pytest.raises(RuntimeError, match=r"sql/rule.sql, block 'doubled'"):
        runner.run_sql_file(duckdb.connect(), "family.sql", {"inputs": pl.DataFrame({"x": [1]})})


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"loop.sql": "-- name: a\nSELECT 1 AS a\n-- include: loop.sql\n"},
            r"included by itself \(loop.sql -> loop.sql\)",
        ),
        ({"family.sql": "-- name: a\nSELECT 1 AS a\n-- include: ../secret.sql\n"}, r"must name a .sql file of sql/"),
        (
            {
                "family.sql": "-- name: a\nSELECT 1 AS a\n-- include: rule.sql\nSELECT 2\n-- name: b\nSELECT 3 AS b\n",
                "rule.sql": "-- name: r\nSELECT 1 AS r\n",
            },
            r"SQL after an include outside any '-- name:' block",
        ),
        (
            {
                "family.sql": "-- name: r\nSELECT 1 AS a\n-- include: rule.sql\n",
                "rule.sql": "-- name: r\nSELECT 1 AS r\n",
            },
            r"blocks named twice: \['r'\]",
        ),
    ],
)
def test_a_wrong_include_is_refused_with_the_file(sql_dir, files, message):
    for name, text in files.items():
        (sql_dir / name).write_text(text)
    with pytest.raises(ValueError, match=message):
        runner.load_blocks(next(iter(files)))
