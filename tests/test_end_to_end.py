"""The main command on the bundled data, end to end, as a user runs it: it completes, prints
its summary, writes every indicator table (administrative and survey rows of SDG 1.3.1, SDG
3.8.1, SDG 3.8.2) and every publication output (tables, SDMX-CSV, figures, Data Docs, DuckDB
catalog), and every source reconciles. A re-run with unchanged inputs gives identical tables
(row for row; only the run id differs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from engine.sources import discover_ssi

PROJECT = Path(__file__).resolve().parent.parent
TABLES = ("sdg_1_3_1", "sdg_1_3_1_gaps", "sdg_3_8_1", "sdg_3_8_2", "sdg_3_8_2_gaps", "not_computable")
PUBLICATION_TABLES = ("country_values", "aggregates", "headline", "annex", "gender_gaps", "nationality_gaps", "revisions")
PUBLICATION_FILES = (
    "sdg_sdmx.csv", "catalog.duckdb", "data_docs/index.html",
    "figures/coverage_by_region_sex.png", "figures/gender_gap_by_series.png", "figures/nationality_gap.png",
)

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


def test_every_ssi_return_has_administrative_rates_or_reasons(first_run):
    base, _ = first_run
    coverage = pl.read_parquet(base / "out" / "indicators" / "sdg_1_3_1.parquet").filter(pl.col("source_kind") == "administrative")
    missing = pl.read_parquet(base / "out" / "indicators" / "not_computable.parquet").filter(pl.col("source_kind") == "administrative")
    returns = sorted(discover_ssi(PROJECT / "data" / "raw"))
    assert sorted(coverage["source_id"].unique()) == returns
    for source in returns:
        have = set(coverage.filter((pl.col("source_id") == source) & (pl.col("sex") == "T") & (pl.col("nationality") == "T"))["series"])
        listed = set(missing.filter((pl.col("source_id") == source) & (pl.col("breakdown") == "all"))["series"])
        assert {"SI_COV_CHLD", "SI_COV_PENSN", "SP_HEALTH_PROT"} <= have | listed and have.isdisjoint(listed), source
    assert set(coverage["reliability"]) == {"not_applicable"} and coverage["se"].null_count() == coverage.height
    # the non-nationals module reaches the published table, and its gaps the gap table
    assert coverage.filter(pl.col("nationality") == "non_national").height > 0
    gaps = pl.read_parquet(base / "out" / "indicators" / "sdg_1_3_1_gaps.parquet").filter(pl.col("source_kind") == "administrative")
    assert set(gaps["gap_type"]) == {"sex", "nationality"}
    # every row names the SSI return and the denominator vintages it was computed from
    assert coverage["input_vintage"].str.contains("population@WPP 2019").all()
    over = coverage.filter(pl.col("numerator") > pl.col("denominator"))
    assert over.height and (over["obs_status"] == "E").all()


def test_sdg_3_8_1_and_3_8_2_carry_their_editions(first_run):
    base, _ = first_run
    uhc = pl.read_parquet(base / "out" / "indicators" / "sdg_3_8_1.parquet")
    tracers = sorted(pl.read_csv(PROJECT / "data" / "raw" / "uhc" / "tracers.csv")["country"].unique())
    assert sorted(uhc["ref_area"].unique()) == tracers
    assert uhc["method_edition"].str.starts_with("sdg_3_8_1:").all() and uhc["value"].is_between(1, 100).all()
    assert ((uhc["imputed_share"] > 0) == (uhc["obs_status"] == "E")).all()
    hardship = pl.read_parquet(base / "out" / "indicators" / "sdg_3_8_2.parquet")
    assert hardship.height and hardship["method_edition"].null_count() == 0
    assert hardship["method_edition"].str.contains("sdg_3_8_2:").all()


def test_every_publication_output_is_written(first_run):
    base, _ = first_run
    publication = base / "out" / "publication"
    for table in PUBLICATION_TABLES:
        assert pl.read_parquet(publication / f"{table}.parquet").height > 0, table
    for name in PUBLICATION_FILES:
        assert (publication / name).stat().st_size > 0, name
    families = set(pl.read_parquet(publication / "country_values.parquet")["family"])
    assert families == {"sdg_1_3_1", "sdg_3_8_1", "sdg_3_8_2"}
    kinds = set(pl.read_parquet(publication / "country_values.parquet")["source_kind"])
    assert {"administrative", "survey", "uhc_index"} <= kinds
    summary = json.loads((base / "out" / "run_summary.json").read_text())
    listed = {Path(o["path"]).relative_to(base / "out").as_posix() for o in summary["outputs"]}
    assert {f"publication/{name}" for name in PUBLICATION_FILES} <= listed


def test_rerun_with_unchanged_inputs_is_identical(first_run):
    base, _ = first_run
    proc = _run(base / "out2", base / "home")
    assert proc.returncode == 0, proc.stdout[-2000:]
    for layer, table in [("indicators", t) for t in TABLES] + [("publication", t) for t in PUBLICATION_TABLES]:
        a = pl.read_parquet(base / "out" / layer / f"{table}.parquet")
        b = pl.read_parquet(base / "out2" / layer / f"{table}.parquet")
        cols = [c for c in a.columns if c != "run_id"]
        assert a.select(cols).equals(b.select(cols)), table
    assert (base / "out" / "publication" / "sdg_sdmx.csv").read_bytes() == (base / "out2" / "publication" / "sdg_sdmx.csv").read_bytes()
    for survey_file in (base / "out" / "staging" / "survey_persons").glob("*.parquet"):
        twin = base / "out2" / "staging" / "survey_persons" / survey_file.name
        assert survey_file.read_bytes() == twin.read_bytes(), survey_file.name
