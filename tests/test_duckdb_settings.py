"""DuckDB limits reach the connection each step opens: memory_limit and threads from the
settings resource (built from ``SP_DUCKDB_*`` by ``pipelines.settings`` in a deployment),
spilling into a folder per process under the resource's own output directory (not the one in
the environment)."""

from __future__ import annotations

import os

from pipelines.settings import resource_from_environment
from tests.pipeline_settings import pipeline_settings


def _settings(con) -> tuple:
    return con.execute(
        "SELECT current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')"
    ).fetchone()


def test_resource_limits_reach_the_connection_and_spill_under_its_output_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("SP_DUCKDB_TEMP_DIR", raising=False)
    monkeypatch.setenv("SP_OUTPUT_DIR", str(tmp_path / "elsewhere"))
    out = tmp_path / "out"
    resource = pipeline_settings(
        tmp_path / "in", out, duckdb_memory_limit="64MiB", duckdb_threads=3, estimation_threads=1
    )
    spill = out / ".duckdb_tmp" / str(os.getpid())
    with resource.duckdb().connect() as con:
        assert _settings(con) == ("64.0 MiB", 3, str(spill))
        assert not spill.exists()  # created when DuckDB first spills
        con.execute("CREATE TABLE t AS SELECT range AS i, hash(range) AS h FROM range(4000000)")
        assert con.execute("SELECT count(DISTINCT h) FROM (SELECT h FROM t ORDER BY h)").fetchone()[0] > 3_990_000
        assert spill.is_dir()  # the sort spilled here, beyond 64 MiB
    assert not (tmp_path / "elsewhere").exists()
    with resource.estimation_duckdb().connect() as con:
        assert _settings(con) == ("64.0 MiB", 1, str(spill))


def test_environment_limits_and_temp_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("SP_DUCKDB_MEMORY_LIMIT", "512MiB")
    monkeypatch.setenv("SP_DUCKDB_THREADS", "1")
    monkeypatch.setenv("SP_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    with resource_from_environment().duckdb().connect() as con:
        assert _settings(con) == ("512.0 MiB", 1, str(tmp_path / "spill" / str(os.getpid())))
