"""The production setup of ``deploy/``, started for real: a throwaway PostgreSQL server holds the
run, event and schedule storage of ``deploy/dagster.yaml`` (used as it is), a code server serves
the definitions the way ``deploy/workspace.yaml`` and the Dockerfile do, and the daemon with the
queued run coordinator starts the runs the webserver launches.

The pipeline runs through the webserver's API: the context run, then every survey partition and
the SSI return at once (more survey runs than the coordinator's ``sp/workload=survey`` limit),
then, after the daemon and the webserver have been restarted, the publication run. Asserted: every
run succeeds; no more survey runs than the limit were in progress at once, read from the run
records' start and end times, yet several were (each in a process of its own); the run history
read through the restarted webserver is the one from before; the outputs are written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from engine.store import ParquetStore
from tests.conftest import BASE_SPEC, write_survey
from tests.dagster_services import PROJECT, Deployment, launch_run, repository, run_errors, wait_for_runs
from tests.pipeline_inputs import write_minimal_inputs
from tests.postgres_server import PostgresServer, PostgresUnavailable

DEPLOY = PROJECT / "deploy"
# one more survey than the coordinator lets run at once (4): the limit is seen at work
SURVEYS = ["TST_HIES_2021", "TST_LFS_2021", "TST_HBS_2021", "TST_DHS_2021", "TST_MICS_2021"]
RUN_SECONDS = 900
# Each run is a process of its own already; its steps run one after the other inside it (as the
# main command runs them), not in a process per step.
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}


def workload_limit(instance_yaml: Path, workload: str) -> int:
    """The queued run coordinator's limit for runs tagged ``sp/workload=<workload>``."""
    runs = yaml.safe_load(instance_yaml.read_text())["concurrency"]["runs"]
    return next(
        t["limit"] for t in runs["tag_concurrency_limits"] if t["key"] == "sp/workload" and t.get("value") == workload
    )


def max_in_progress(intervals: list[tuple[float, float]]) -> int:
    """The largest number of (start, end) intervals open at one instant (an end at the very
    instant of another's start is not an overlap)."""
    events = sorted([(end, -1) for _, end in intervals] + [(start, 1) for start, _ in intervals])
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


def test_max_in_progress_counts_overlaps():
    assert max_in_progress([(0, 10), (1, 2), (3, 4), (3.5, 11)]) == 3
    assert max_in_progress([(0, 1), (1, 2), (2, 3)]) == 1
    assert max_in_progress([]) == 0


@pytest.fixture(scope="module")
def postgres():
    try:
        server = PostgresServer()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    with server:
        yield server


RUNS = """{ runsOrError(limit: 100) { ... on Runs { results { runId jobName status tags { key value } } } } }"""


def _history(gql) -> dict[str, tuple[str, str, str | None]]:
    runs = gql(RUNS)["runsOrError"]["results"]
    return {
        r["runId"]: (r["jobName"], r["status"], {t["key"]: t["value"] for t in r["tags"]}.get("dagster/partition"))
        for r in runs
    }


@pytest.mark.slow
def test_pipeline_on_the_production_instance(postgres, tmp_path, monkeypatch):
    input_dir = write_minimal_inputs(tmp_path / "in")
    for survey_id in SURVEYS[1:]:
        spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
        spec["survey"]["id"] = survey_id
        write_survey(input_dir, spec)
    deployment = Deployment(
        tmp_path, postgres.env(), input_dir, tmp_path / "out", (DEPLOY / "dagster.yaml").read_text()
    )
    try:
        deployment.start_code_server()
        deployment.start_ui_and_daemon()
        gql = deployment.gql
        repo = repository(gql)
        deployment.add_partitions("surveys", SURVEYS)
        deployment.add_partitions("ssi_returns", ["GHA_2022"])

        context = launch_run(gql, repo, "context_job", run_config=IN_PROCESS)
        assert wait_for_runs(gql, [context], RUN_SECONDS) == {context: "SUCCESS"}, run_errors(gql, context)
        partition_runs = {launch_run(gql, repo, "survey_job", s, IN_PROCESS): s for s in SURVEYS}
        ssi = launch_run(gql, repo, "ssi_job", "GHA_2022", IN_PROCESS)
        statuses = wait_for_runs(gql, [*partition_runs, ssi], RUN_SECONDS)
        assert set(statuses.values()) == {"SUCCESS"}, {
            r: run_errors(gql, r) for r, status in statuses.items() if status != "SUCCESS"
        }

        # the coordinator's limit, from the run records in PostgreSQL
        monkeypatch.setenv("DAGSTER_HOME", str(deployment.home))
        for key, value in deployment.env.items():
            if key.startswith("DAGSTER_"):
                monkeypatch.setenv(key, value)
        import dagster as dg

        with dg.DagsterInstance.get() as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
            records = instance.get_run_records(filters=dg.RunsFilter(run_ids=list(partition_runs)))
            assert all(r.dagster_run.tags.get("sp/workload") == "survey" for r in records)
            intervals = [(r.start_time, r.end_time) for r in records]
            pids = {
                r.dagster_run.run_id: instance.all_logs(r.dagster_run.run_id, of_type=dg.DagsterEventType.RUN_START)[
                    0
                ].dagster_event.pid
                for r in records
            }
        limit = workload_limit(deployment.home / "dagster.yaml", "survey")
        assert limit < len(SURVEYS)  # else the test could not see the limit at work
        peak = max_in_progress(intervals)
        assert 2 <= peak <= limit, (peak, intervals)
        assert len(set(pids.values())) == len(SURVEYS)  # a process per run
        assert {p.proc.pid for p in deployment.started}.isdisjoint(pids.values())

        before = _history(gql)
        assert len(before) == len(SURVEYS) + 2
        deployment.restart_ui_and_daemon()
        assert _history(deployment.gql) == before  # the run history survived the restart

        publication = launch_run(deployment.gql, repository(deployment.gql), "publication_job", run_config=IN_PROCESS)
        assert wait_for_runs(deployment.gql, [publication], RUN_SECONDS) == {publication: "SUCCESS"}, run_errors(
            deployment.gql, publication
        )
        after = _history(deployment.gql)
        assert {k: v for k, v in after.items() if k != publication} == before
    finally:
        deployment.stop()
    store = ParquetStore(deployment.output_dir)
    assert sorted(store.partitions("indicators", "survey_estimates")) == sorted(SURVEYS)
    assert store.read("publication", "headline").height > 0
