"""The main command skips a run whose inputs, method configuration, code and settings are those of
its last run, which succeeded, and whose outputs are as that run left them
(``pipelines.run_state``), and re-runs everything else: a changed survey file or spec, a changed
context table, a changed method file or edition, a removed source, a deleted or rewritten output,
a run the Dagster instance no longer holds. One real first run (tests/small_run.py, shared) and
one real second run of a small input directory (two surveys, one SSI return); the other cases
are the decisions taken on that state after changing one thing, undone afterwards. A failed run re-running is tested where a real
run fails (test_pipeline_ingest.py::test_broken_sources_fail_alone).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import dagster as dg
import pytest

from engine import method_config
from engine.sources import discover_ssi, discover_surveys
from engine.store import ParquetStore
from pipelines import run_state
from pipelines.jobs import CONTEXT_JOB, PUBLICATION_JOB, SSI_JOB, SURVEY_JOB
from pipelines.runner import run_all
from pipelines.summary import build_summary, format_summary
from tests.small_run import SECOND, SmallRun

pytestmark = pytest.mark.slow
JOBS = (CONTEXT_JOB, SSI_JOB, SURVEY_JOB, PUBLICATION_JOB)


@pytest.fixture
def state(small_run: SmallRun):
    return small_run.settings, small_run.outcomes, small_run.lines


def test_a_long_run_reports_its_steps_while_it_runs(state):
    """Issue 13: progress while the pipeline runs, within a run too (the publication runs for
    tens of seconds): how long it has run, its steps done out of all, the steps running.
    """
    *_, lines = state
    assert lines[0] == f"No earlier run recorded in {state[0].output_path}: all 5 runs run"
    beats = [line for line in lines if re.match(r"\[ *\d+\.\ds\] publication_job: running for \d+s, ", line)]
    assert beats, lines
    counts = [tuple(map(int, re.search(r"(\d+) of (\d+) steps done", b).groups())) for b in beats]
    total = counts[0][1]
    assert total > 20 and all(n == total for _, n in counts) and counts == sorted(counts)
    assert any(", running indicators/" in b or ", running publication/" in b for b in beats), beats


def _decisions(settings, **changes) -> dict[str, run_state.Decision]:
    settings = settings.model_copy(update=changes) if changes else settings
    with dg.DagsterInstance.from_config(settings.dagster_home) as instance:
        surveys, returns = discover_surveys(settings.input_path), discover_ssi(settings.input_path)
        return run_state.plan(instance, settings, surveys, returns, JOBS).decisions


def _running(decisions: dict[str, run_state.Decision]) -> dict[str, str]:
    return {label: d.reason for label, d in decisions.items() if not d.skip}


def test_a_second_run_on_unchanged_inputs_skips_every_run_and_rewrites_nothing(state):
    settings, first, _ = state
    store = ParquetStore(settings.output_path)
    before = run_state.snapshot(store.root)
    lines: list[str] = []
    with dg.DagsterInstance.from_config(settings.dagster_home) as instance:
        runs_before = len(instance.get_runs())
        second = run_all(instance, settings, progress=lines.append)
        assert len(instance.get_runs()) == runs_before  # no Dagster run started
    assert [(o.job, o.partition) for o in second] == [(o.job, o.partition) for o in first]
    assert all(o.skipped and o.success for o in second)
    # each skipped run stands for the run whose outputs it keeps, with that run's failed checks
    assert [o.run_id for o in second] == [o.run_id for o in first]
    assert [o.check_failures for o in second] == [o.check_failures for o in first]
    assert [c["check"] for o in second for c in o.check_failures] == ["no_quarantined_rows"]  # TST_HIES_2021's
    assert run_state.snapshot(store.root) == before  # no output rewritten
    assert (
        f"[   0.0s] survey_job[{SECOND}]: skipped, inputs, methods, code and settings unchanged since run"
        in "\n".join(lines)
    )
    assert "5 of 5 runs skipped, 0 to run" in lines
    summary = build_summary(store, second, input_dir=settings.input_path, dagster_home=settings.dagster_home)
    text = format_summary(summary)
    assert "Runs: 0 ran, 5 skipped" in text and f"  survey_job (2): TST_HIES_2021, {SECOND}" in text
    assert all(r["skipped"] for r in summary["runs"]) and summary["result"]["status"] == "succeeded"
    # the sources of the skipped runs are still counted (their records name the runs kept)
    assert summary["totals"]["sources_read"] == len(
        build_summary(store, first, input_dir=settings.input_path, dagster_home=settings.dagster_home)["sources"]
    )


def test_a_changed_survey_file_or_spec_reruns_that_survey_and_the_publication(state):
    settings, _, _ = state
    for name in ("data.csv", "spec.yaml"):
        path = settings.input_path / "surveys" / SECOND / name
        original = path.read_bytes()
        path.write_bytes(original.replace(b"100.0", b"101.0") if name == "data.csv" else original + b"\n# edited\n")
        try:
            running = _running(_decisions(settings))
        finally:
            path.write_bytes(original)
        assert running == {
            f"survey_job[{SECOND}]": "its source files changed",
            "publication_job": "1 run it reads from ran",
        }, name
    # a file touched but not changed keeps its fingerprint: nothing runs
    (settings.input_path / "surveys" / SECOND / "data.csv").touch()
    assert _running(_decisions(settings)) == {}


def test_a_changed_context_table_reruns_every_run(state):
    settings, _, _ = state
    path = settings.input_path / "context" / "pensionable_age.csv"
    original = path.read_bytes()
    path.write_bytes(original.replace(b",60", b",62"))
    try:
        running = _running(_decisions(settings))
    finally:
        path.write_bytes(original)
    assert set(running) == {
        "context_job",
        "ssi_job[GHA_2022]",
        "survey_job[TST_HIES_2021]",
        f"survey_job[{SECOND}]",
        "publication_job",
    }
    assert running["context_job"].startswith("the shared inputs changed")


def test_a_changed_method_file_or_edition_reruns_every_run(state, tmp_path, monkeypatch):
    settings, _, _ = state
    methods = tmp_path / "methods"
    shutil.copytree(method_config.METHODS_DIR, methods)
    path = methods / "sdg_1_3_1.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment is a change too\n", encoding="utf-8")
    with monkeypatch.context() as m:
        m.setattr(method_config, "METHODS_DIR", methods)
        running = _running(_decisions(settings))
    assert len(running) == 5 and running["survey_job[TST_HIES_2021]"].startswith("the method configuration changed")
    running = _running(_decisions(settings, editions={"sdg_3_8_2": "another"}))
    assert len(running) == 5 and running["context_job"].startswith("the method configuration changed")
    # settings that name or change an output count; DuckDB's memory limit does not
    assert _running(_decisions(settings, duckdb_memory_limit="1GB")) == {}
    assert _running(_decisions(settings, estimation_threads=2))["context_job"].startswith("the settings changed")


def test_a_removed_source_reruns_the_publication(state, tmp_path):
    settings, _, _ = state
    folder = settings.input_path / "surveys" / SECOND
    shutil.move(folder, tmp_path / SECOND)
    try:
        decisions = _decisions(settings)
    finally:
        shutil.move(tmp_path / SECOND, folder)
    assert f"survey_job[{SECOND}]" not in decisions
    assert _running(decisions) == {"publication_job": "its source files changed"}


@pytest.mark.parametrize(
    ("output", "unit"),
    [
        (f"indicators/survey_estimates/{SECOND}.parquet", f"survey_job[{SECOND}]"),
        ("raw/ssi_return/GHA_2022/Schemes.parquet", "ssi_job[GHA_2022]"),
        (f"sources/survey/{SECOND}.parquet", f"survey_job[{SECOND}]"),
        ("staging/population.parquet", "context_job"),
        ("publication/sdg_sdmx.csv", "publication_job"),
    ],
)
def test_a_removed_or_rewritten_output_reruns_the_run_that_wrote_it(state, output, unit):
    settings, _, _ = state
    path = settings.output_path / output
    assert path.is_file(), sorted(p.name for p in path.parent.iterdir())
    original = path.read_bytes()
    for change in ("rewrite", "remove"):
        path.write_bytes(original) if change == "rewrite" else path.unlink()
        try:
            running = _running(_decisions(settings))
        finally:
            path.write_bytes(original)
        expected = {
            unit: f"its output {output} was {'changed' if change == 'rewrite' else 'removed'} since its last run"
        }
        if unit != "publication_job":
            expected["publication_job"] = "1 run it reads from ran"
        assert running == expected, change
    # restored as the state recorded it: skipped again
    stat = run_state.read_state(settings.output_path)["outputs"][output]
    os.utime(path, ns=(stat[1], stat[1]))
    assert _running(_decisions(settings)) == {}


def test_a_run_missing_from_the_dagster_instance_reruns(state, tmp_path):
    """Another Dagster home (or one wiped): every run again, so that the UI shows its lineage."""
    settings, _, _ = state
    (tmp_path / "home").mkdir()
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        decisions = run_state.plan(
            instance,
            settings,
            discover_surveys(settings.input_path),
            discover_ssi(settings.input_path),
            JOBS,
        ).decisions
    assert all(not d.skip for d in decisions.values())
    assert "is not recorded as succeeded in the Dagster instance" in decisions["context_job"].reason
    assert Path(settings.output_path / run_state.STATE_FILE).is_file()
