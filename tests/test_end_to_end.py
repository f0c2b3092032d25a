"""The main command on the bundled data, end to end, as a user runs it: it completes, prints
its summary, writes every indicator table (administrative and survey rows of SDG 1.3.1, SDG
3.8.1, SDG 3.8.2) and every publication output (tables, SDMX-CSV, figures, Data Docs, DuckDB
catalog), and every source reconciles. A second run on unchanged inputs skips every run and
rewrites nothing; runs made to re-run (their outputs removed) give identical outputs (only the
run ids differ)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from engine.publication.comparison import comparison_summary, render_markdown
from engine.sources import discover_ssi
from tools.compare_outputs import compare, compare_file

PROJECT = Path(__file__).resolve().parent.parent
TABLES = ("sdg_1_3_1", "sdg_1_3_1_gaps", "sdg_3_8_1", "sdg_3_8_2", "sdg_3_8_2_gaps", "not_computable")
PUBLICATION_TABLES = (
    "country_values",
    "aggregates",
    "headline",
    "annex",
    "gender_gaps",
    "nationality_gaps",
    "revisions",
    "aggregate_comparison",
)
PUBLICATION_FILES = (
    "sdg_sdmx.csv",
    "sdg_sdmx_breakdowns.csv",
    "report_tables.xlsx",
    "catalog.duckdb",
    "data_docs/index.html",
    *(
        f"figures/{name}.{fmt}"
        for name in ("coverage_by_region_sex", "gender_gap_by_series", "nationality_gap")
        for fmt in ("png", "svg", "pdf")
    ),
)

pytestmark = pytest.mark.slow


def _run(output: Path, home: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false")
    env.pop("SP_INPUT_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--output", str(output), "--dagster-home", str(home), *extra],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    proc = _run(base / "out", base / "home", "--workers", "2")
    return base, proc


def test_main_command_completes_with_a_summary(first_run):
    base, proc = first_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    for text in (
        "Run summary",
        "Sources read:",
        "quarantined",
        "Left out of this run: none",
        "Checks failed:",
        "Outputs:",
        "sdg_1_3_1.parquet",
    ):
        assert text in out
    # progress while it runs: which run, how many are left, the time elapsed
    progress = [line for line in out.splitlines() if re.match(r"\[ *\d+\.\ds\] \S+: (started|ok|FAILED)", line)]
    total = (
        2
        + len(discover_ssi(PROJECT / "data" / "raw"))
        + len(list((PROJECT / "data" / "raw" / "surveys").glob("*/spec.yaml")))
    )
    assert len(progress) == 2 * total  # started, then ok / FAILED
    assert re.fullmatch(
        r"\[ *\d+\.\ds\] survey_job\[\w+\]: started \(\d+ runs left\)", next(p for p in progress if "survey_job" in p)
    )
    assert re.search(rf"\] publication_job: ok in \d+\.\ds \({total}/{total} done, 0 left\)$", progress[-1]), progress[
        -1
    ]
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
    assert (
        coverage["run_id"].n_unique() == 1
        and coverage["method_edition"].null_count() == 0
        and coverage["input_vintage"].null_count() == 0
    )


def test_every_ssi_return_has_administrative_rates_or_reasons(first_run):
    base, _ = first_run
    coverage = pl.read_parquet(base / "out" / "indicators" / "sdg_1_3_1.parquet").filter(
        pl.col("source_kind") == "administrative"
    )
    missing = pl.read_parquet(base / "out" / "indicators" / "not_computable.parquet").filter(
        pl.col("source_kind") == "administrative"
    )
    returns = sorted(discover_ssi(PROJECT / "data" / "raw"))
    assert sorted(coverage["source_id"].unique()) == returns
    for source in returns:
        have = set(
            coverage.filter((pl.col("source_id") == source) & (pl.col("sex") == "T") & (pl.col("nationality") == "T"))[
                "series"
            ]
        )
        listed = set(missing.filter((pl.col("source_id") == source) & (pl.col("breakdown") == "all"))["series"])
        assert {"SI_COV_CHLD", "SI_COV_PENSN", "SP_HEALTH_PROT"} <= have | listed and have.isdisjoint(listed), source
    assert set(coverage["reliability"]) == {"not_applicable"} and coverage["se"].null_count() == coverage.height
    # the non-nationals module reaches the published table, and its gaps the gap table
    assert coverage.filter(pl.col("nationality") == "non_national").height > 0
    gaps = pl.read_parquet(base / "out" / "indicators" / "sdg_1_3_1_gaps.parquet").filter(
        pl.col("source_kind") == "administrative"
    )
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
    assert {"administrative", "survey", "uhc_index", "published"} <= kinds
    summary = json.loads((base / "out" / "run_summary.json").read_text())
    listed = {Path(o["path"]).relative_to(base / "out").as_posix() for o in summary["outputs"]}
    assert {f"publication/{name}" for name in PUBLICATION_FILES} <= listed


def _outputs(out: Path) -> dict[Path, int]:
    """Output file -> modification time (ns), but the summary and the hidden files (lock, state)."""
    return {
        p: p.stat().st_mtime_ns
        for p in out.rglob("*")
        if p.is_file() and p.name != "run_summary.json" and not any(x.startswith(".") for x in p.relative_to(out).parts)
    }


def test_a_second_run_on_unchanged_inputs_skips_every_run_and_says_so(first_run):
    """Issue 13: the second run of the main command skips all 30 runs (inputs, methods, code and
    settings unchanged, outputs as the first run left them), rewrites no output, starts no
    Dagster run, and its summary says what was skipped; the summary's content is the first run's.
    """
    base, _ = first_run
    out = base / "out"
    shutil.copy(out / "run_summary.json", base / "first_summary.json")
    before = _outputs(out)
    proc = _run(out, base / "home")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    total = len(json.loads((base / "first_summary.json").read_text())["runs"])
    skipped = [line for line in proc.stdout.splitlines() if re.match(r"\[ *\d+\.\ds\] \S+: skipped, ", line)]
    assert len(skipped) == total and f"{total} of {total} runs skipped, 0 to run" in proc.stdout
    assert f"Runs: 0 ran, {total} skipped" in proc.stdout and "  survey_job (15): ALB_HBS_2021, " in proc.stdout
    assert _outputs(out) == before
    assert compare_file(base / "first_summary.json", out / "run_summary.json", out, out) is None
    assert all(r["skipped"] for r in json.loads((out / "run_summary.json").read_text())["runs"])


def test_rerun_with_unchanged_inputs_is_identical(first_run):
    """Re-computed outputs equal the first run's, file for file (tools/compare_outputs.py over the
    whole output folder): two surveys of different designs, an SSI return and the publication
    re-run (their outputs removed, so that the skip of unchanged runs re-runs them), one at a
    time, while the first run ran two at a time (``--workers 2``).
    """
    base, _ = first_run
    out = base / "out"
    shutil.copytree(out, base / "before")
    removed = [
        "indicators/survey_estimates/AUT_SILC_2006.parquet",
        "indicators/survey_gaps/GHA_LFS_2015.parquet",
        "staging/ssi_coverage/GHA_2022.parquet",
    ]
    for rel in removed:
        (out / rel).unlink()
    proc = _run(out, base / "home")
    assert proc.returncode == 0, proc.stdout[-2000:]
    ran = [line.split("] ")[1].split(":")[0] for line in proc.stdout.splitlines() if re.search(r": ok in \d", line)]
    assert sorted(ran) == [
        "publication_job",
        "ssi_job[GHA_2022]",
        "survey_job[AUT_SILC_2006]",
        "survey_job[GHA_LFS_2015]",
    ]
    for rel in removed:
        assert f"its output {rel} was removed since its last run" in proc.stdout
    # the two files that name the output folder (the catalog's views, the summary's output paths)
    # are compared as if the copy were in it
    named = ("publication/catalog.duckdb", "run_summary.json")
    assert compare(base / "before", out, ignore=named) == []
    for rel in named:
        assert compare_file(base / "before" / rel, out / rel, out, out) is None, rel
    for table in ("staging/survey_persons", "indicators/survey_estimates", "indicators/survey_gaps"):
        for survey in ("AUT_SILC_2006", "GHA_LFS_2015"):
            a, b = base / "before" / table / f"{survey}.parquet", out / table / f"{survey}.parquet"
            assert a.read_bytes() == b.read_bytes() and a.stat().st_mtime_ns != b.stat().st_mtime_ns, (table, survey)


def test_the_aggregates_rest_on_the_published_country_values_and_reproduce_the_published_ones(first_run):
    """Issue 10: world and regional aggregates of the real published country values plus the values
    computed here, labelled; the reproduction of the UN SDG 2023-12 aggregates meets the targets it
    can meet (world SI_COV_BENFTS 2016 and 2020 within 0.5 pp, world SH_ACS_UNHC within 1 point), and
    the docs table of differences is the run's."""
    base, proc = first_run
    publication = base / "out" / "publication"
    lineup = pl.read_parquet(publication / "country_lineup.parquet").filter(
        (pl.col("series") == "SI_COV_BENFTS") & (pl.col("ref_year") == 2020) & (pl.col("sex") == "T")
    )
    kinds = dict(lineup.group_by("source_kind").len().iter_rows())
    assert kinds["published"] > 150 and kinds.get("administrative", 0) + kinds.get("survey", 0) >= 5
    both = lineup.filter(pl.col("computed_value").is_not_null() & pl.col("published_value").is_not_null())
    assert (
        both.height >= 5
        and (both["difference_pp"] - (both["computed_value"] - both["published_value"])).abs().max() < 1e-9
    )
    world = pl.read_parquet(publication / "headline.parquet").filter(
        (pl.col("series") == "SI_COV_BENFTS")
        & (pl.col("level") == "world")
        & (pl.col("sex") == "T")
        & (pl.col("year") == 2020)
    )
    assert world.height == 1 and 40 < world["value"][0] < 55 and world["synthetic_share"][0] > 0
    assert world["synthetic_inputs"][0] and world["obs_status"][0] == "A"
    table = pl.read_parquet(publication / "aggregate_comparison.parquet")
    summary = comparison_summary(table)
    assert summary["vintage"] == "2023-12"
    for year in ("2016", "2020"):
        assert abs(summary["world_benfts"][year]["difference_pp"]) <= 0.5, summary["world_benfts"]
    assert summary["world_uhc_max_abs_pp"] <= 1.0
    above = table.filter((pl.col("vintage") == "2023-12") & (pl.col("difference_pp").abs() > 1))
    assert above.height and above["explanation"].null_count() == 0
    assert (PROJECT / "docs" / "aggregate_comparison.md").read_text(encoding="utf-8") == render_markdown(table)
    run_summary = json.loads((base / "out" / "run_summary.json").read_text())
    assert run_summary["totals"]["sources_synthetic"] >= 20 and "Synthetic sources: " in proc.stdout


def test_every_table_is_written_as_the_registry_declares_it(first_run):
    """Every registry table of the bundle run: the Parquet schema of every file (every partition)
    equals ``polars_schema()`` (an ``extra_columns`` table: its declared columns first, an
    ``as_read`` table: its required columns present) and the rows keep the contract (codes,
    bounds, key); a CSV has the declared header; a file output exists."""
    from schemas.registry import TABLES

    out = first_run[0] / "out"
    checked = 0
    for t in TABLES.values():
        if t.storage == "other":
            assert (out / t.path()).exists(), t.name
            continue
        if t.storage == "folder":
            assert [p for p in (out / t.name).iterdir() if p.is_dir()], t.name
            continue
        if t.storage == "csv":
            header = (out / t.path()).read_text(encoding="utf-8").splitlines()[0]
            assert header.split(",") == list(t.fields), t.name
            continue
        if t.layer == "provenance":  # one file per source, its columns the record's keys in sorted order
            records = sorted(out.glob(t.path().replace("<source_kind>", "*").replace("<source_id>", "*")))
            assert records or t.table == "failure_records", t.name  # the bundle leaves no source out
            for file in records:
                assert set(t.fields) <= set(pl.read_parquet_schema(file)), file
            continue
        files = sorted((out / t.name).glob("*.parquet")) if t.partitions else [out / t.path()]
        assert files, t.name
        for file in files:
            schema = dict(pl.read_parquet_schema(file))
            if t.as_read:
                assert set(t.fields) <= set(schema), file
                continue
            declared = t.polars_schema()
            assert dict(list(schema.items())[: len(declared)]) == declared, file
            assert t.extra_columns or len(schema) == len(declared), file
            t.validate(pl.read_parquet(file))
            checked += 1
    assert checked > 100
