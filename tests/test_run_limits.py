"""Every run of the main command runs in a worker process under a memory and a time limit: a
survey whose Parquet file is a few hundred kilobytes on disk and gigabytes in memory is stopped
at the memory limit, and a survey whose read blocks for ever (on a FIFO) at the time limit. Each
fails alone: its Dagster run is marked failed with the reason, its outputs are removed, the
summary lists it as left out with the reason, and the other sources complete and publish. The
Dagster instance records one run per partition, with its materialisations and checks."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
import yaml

from assets.source_steps import PARTITIONED_TABLES
from engine.store import ParquetStore
from pipelines import run_processes, settings
from pipelines.run_processes import Limits
from pipelines.runner import run_all
from pipelines.summary import build_summary, format_summary
from tests.conftest import BASE_SPEC, write_survey
from tests.pipeline_inputs import write_minimal_inputs
from tests.pipeline_settings import pipeline_settings

pytestmark = pytest.mark.slow

GOOD, BIG, BLOCKED, RETURN = "TST_HIES_2021", "BIG_LFS_2021", "SLOW_LFS_2021", "GHA_2022"
# The blocked survey holds a worker until the time limit, on the run's critical path: 15 s is
# still several times what a good survey of these inputs takes on a loaded 2-core machine.
LIMITS = Limits(memory_bytes=1_200 * 10**6, seconds=15)
BIG_ROWS = 16_000_000  # 16 numeric columns: about 2 GB once read, 1 MB on disk


def _write_big_parquet_survey(input_dir: Path) -> Path:
    """A survey whose data file holds 16 million copies of one row: run-length encoded on disk,
    every value materialised in memory when read."""
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["survey"]["id"] = BIG
    spec_path = write_survey(input_dir, spec, ext=".parquet")
    row = pl.read_parquet(spec_path.parent / "data.parquet").head(1)
    pl.LazyFrame().select(
        [pl.repeat(row[c][0], BIG_ROWS, dtype=row[c].dtype).alias(c) for c in row.columns]
    ).sink_parquet(spec_path.parent / "data.parquet", compression="zstd")
    return spec_path.parent / "data.parquet"


def _write_blocked_survey(input_dir: Path) -> None:
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["survey"]["id"] = BLOCKED
    folder = write_survey(input_dir, spec).parent
    (folder / "data.csv").rename(folder / "blocked.csv")
    spec["survey"]["file"] = "blocked.csv"
    (folder / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def limited_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("limits")
    input_dir = write_minimal_inputs(base / "in")
    big_file = _write_big_parquet_survey(input_dir)
    _write_blocked_survey(input_dir)
    fifo = base / "nobody_writes.fifo"
    os.mkfifo(fifo)
    patch = pytest.MonkeyPatch()
    patch.setenv("SP_TEST_BLOCKING_FIFO", str(fifo))
    # as the main command does: DuckDB spills before its process reaches the run's memory limit
    pipeline = pipeline_settings(
        input_dir, base / "out", duckdb_memory_limit=settings.duckdb_memory_limit(LIMITS.memory_bytes)
    )
    patch.setattr(run_processes, "PRELOAD", (*run_processes.PRELOAD, "tests.blocking_reader"))
    try:
        with dg.instance_for_test() as instance:
            lines: list[str] = []
            outcomes = run_all(instance, pipeline, progress=lines.append, workers=2, limits=LIMITS)
            yield {
                "instance": instance,
                "input_dir": input_dir,
                "store": ParquetStore(base / "out"),
                "lines": lines,
                "outcomes": {(o.job, o.partition): o for o in outcomes},
                "big_file": big_file,
            }
    finally:
        patch.undo()


def _left_out(run, source_id: str) -> dict:
    [record] = [r for r in run["store"].read_records("failures") if r["source_id"] == source_id]
    return record


def _assert_failed_alone(run, source_id: str, rule: str, reason: str) -> None:
    outcome = run["outcomes"][("survey_job", source_id)]
    assert not outcome.success
    record = _left_out(run, source_id)
    assert record["rule"] == rule and reason in record["message"]
    assert record["file"] == f"surveys/{source_id}" and record["run_id"] == outcome.run_id
    assert record["step"] == "raw/survey_file"  # the step that was running when it was stopped
    # the Dagster run is marked failed with the reason (what the UI shows)
    dagster_run = run["instance"].get_run_by_id(outcome.run_id)
    assert dagster_run.status == dg.DagsterRunStatus.FAILURE and dagster_run.tags["dagster/partition"] == source_id
    failure = run["instance"].all_logs(outcome.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert reason in failure[-1].message
    # nothing of the source is left to be published
    for layer, table in PARTITIONED_TABLES["survey"]:
        assert source_id not in run["store"].partition_ids(layer, table), (layer, table)
    progress = [line for line in run["lines"] if f"survey_job[{source_id}]: FAILED" in line]
    assert len(progress) == 1 and reason in progress[0]


def test_a_source_beyond_the_memory_limit_fails_alone(limited_run):
    assert limited_run["big_file"].stat().st_size < 5_000_000  # a few MB on disk ...
    _assert_failed_alone(
        limited_run, BIG, "memory_limit", "of memory, more than the limit of 1.2 GB for one run (SP_RUN_MEMORY_LIMIT)"
    )
    assert (
        limited_run["outcomes"][("survey_job", BIG)].peak_memory_bytes > LIMITS.memory_bytes
    )  # ... gigabytes in memory


def test_a_source_beyond_the_time_limit_fails_alone(limited_run):
    _assert_failed_alone(
        limited_run, BLOCKED, "time_limit", "still running after 15 s, the time limit for one run (SP_RUN_TIME_LIMIT)"
    )
    assert limited_run["outcomes"][("survey_job", BLOCKED)].seconds >= LIMITS.seconds


def test_the_other_sources_complete_and_publish(limited_run):
    outcomes, store = limited_run["outcomes"], limited_run["store"]
    for key in [("context_job", None), ("survey_job", GOOD), ("ssi_job", RETURN), ("publication_job", None)]:
        assert outcomes[key].success, (key, outcomes[key].failed_steps)
    sources = store.read("publication", "sources").filter(pl.col("source_kind").is_in(["survey", "ssi"]))
    assert sorted(zip(sources["source_id"], sources["status"], strict=True)) == sorted(
        [(GOOD, "read"), (RETURN, "read"), (BIG, "left_out"), (BLOCKED, "left_out")]
    )
    assert set(store.read("indicators", "sdg_1_3_1")["source_id"]) == {GOOD, RETURN}
    summary = build_summary(
        store,
        list(outcomes.values()),
        input_dir=limited_run["input_dir"],
        dagster_home=Path(limited_run["instance"].root_directory),
    )
    assert {(r["source_id"], r["rule"]) for r in summary["left_out"]} == {
        (BIG, "memory_limit"),
        (BLOCKED, "time_limit"),
    }
    text = format_summary(summary)
    assert (
        f"survey {BIG}: stopped: its process used" in text
        and f"survey {BLOCKED}: stopped: still running after 15 s" in text
    )


def test_every_partition_has_its_run_recorded_in_the_instance(limited_run):
    instance, outcomes = limited_run["instance"], limited_run["outcomes"]
    runs = instance.get_runs(filters=dg.RunsFilter(job_name="survey_job"))
    assert sorted(r.tags["dagster/partition"] for r in runs) == sorted([GOOD, BIG, BLOCKED])  # one run each
    assert {r.run_id for r in runs} == {outcomes[("survey_job", s)].run_id for s in (GOOD, BIG, BLOCKED)}
    [ssi_run] = instance.get_runs(filters=dg.RunsFilter(job_name="ssi_job"))
    assert ssi_run.tags["dagster/partition"] == RETURN and ssi_run.status == dg.DagsterRunStatus.SUCCESS
    persons = dg.AssetKey(["staging", "survey_persons"])
    assert instance.get_materialized_partitions(persons) == {GOOD}
    assert instance.get_materialized_partitions(dg.AssetKey(["staging", "ssi_coverage"])) == {RETURN}
    checks = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(persons, "rows_reconcile")]
    )
    assert checks[dg.AssetCheckKey(persons, "rows_reconcile")].run_id == outcomes[("survey_job", GOOD)].run_id
