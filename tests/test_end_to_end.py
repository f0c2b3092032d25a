"""The main command on the bundled data, end to end, as a user runs it: it completes, prints
its summary, writes every indicator table, and every source reconciles. A re-run with unchanged
inputs gives identical tables (row for row; only the run id differs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

PROJECT = Path(__file__).resolve().parent.parent
TABLES = ("sdg_1_3_1", "sdg_1_3_1_gaps", "sdg_3_8_2", "sdg_3_8_2_gaps", "not_computable")

pytestmark = pytest.mark.slow


def _run(output: Path, home: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false")
    env.pop("SP_INPUT_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--output", str(output), "--dagster-home", str(home), *extra],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=1200,
    )


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    proc = _run(base / "out", base / "home")
    return base, proc


def test_main_command_completes_with_a_summary(first_run):
    base, proc = first_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    for text in ("Run summary", "Sources read:", "quarantined", "Left out of this run: none", "Checks failed:", "Outputs:", "sdg_1_3_1.parquet"):
        assert text in out
    summary = json.loads((base / "out" / "run_summary.json").read_text())
    assert summary["totals"]["sources_left_out"] == 0 and summary["totals"]["checks_failed_error"] == 0


def test_every_bundled_source_reconciles(first_run):
    base, _ = first_run
    summary = json.loads((base / "out" / "run_summary.json").read_text())
    surveys = sorted(p.name for p in (PROJECT / "data" / "raw" / "surveys").iterdir() if (p / "spec.yaml").exists())
    seen = {(r["source_kind"], r["source_id"]) for r in summary["sources"]}
    assert {("survey", s) for s in surveys} <= seen
    for r in summary["sources"]:
        assert r["rows_read"] == r["rows_kept"] + r["rows_quarantined"], r


def test_every_survey_has_estimates_or_reasons(first_run):
    base, _ = first_run
    coverage = pl.read_parquet(base / "out" / "indicators" / "sdg_1_3_1.parquet")
    missing = pl.read_parquet(base / "out" / "indicators" / "not_computable.parquet")
    surveys = [p.name for p in (PROJECT / "data" / "raw" / "surveys").iterdir() if (p / "spec.yaml").exists()]
    for survey in surveys:
        have = set(coverage.filter(pl.col("source_id") == survey)["series"])
        listed = set(missing.filter((pl.col("source_id") == survey) & (pl.col("breakdown") == "all"))["series"])
        assert have, survey
        assert have.isdisjoint(listed)
    assert coverage["run_id"].n_unique() == 1 and coverage["method_edition"].null_count() == 0 and coverage["input_vintage"].null_count() == 0


def test_rerun_with_unchanged_inputs_is_identical(first_run):
    base, _ = first_run
    proc = _run(base / "out2", base / "home")
    assert proc.returncode == 0, proc.stdout[-2000:]
    for table in TABLES:
        a = pl.read_parquet(base / "out" / "indicators" / f"{table}.parquet")
        b = pl.read_parquet(base / "out2" / "indicators" / f"{table}.parquet")
        cols = [c for c in a.columns if c != "run_id"]
        assert a.select(cols).equals(b.select(cols)), table
    for survey_file in (base / "out" / "staging" / "survey_persons").glob("*.parquet"):
        twin = base / "out2" / "staging" / "survey_persons" / survey_file.name
        assert survey_file.read_bytes() == twin.read_bytes(), survey_file.name
