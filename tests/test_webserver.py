"""The UI as users use it: start the Dagster webserver (and the daemon) on 127.0.0.1, wait for
the code location, ask its GraphQL API for the lineage from a raw survey file to a published
table, launch a partition run through it, read back the asset checks, and switch the input
sensor and the schedule on and off. Webserver, daemon and the processes they start are stopped
at the end, whatever happened."""

from __future__ import annotations

import itertools
import os
import time

import pytest

from pipelines.settings import publication_cron
from tests.dagster_services import (
    launch_run,
    repository,
    start_daemon,
    start_webserver,
    wait_for_code_location,
    wait_for_runs,
)
from tests.pipeline_inputs import write_minimal_inputs


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("web")
    input_dir = write_minimal_inputs(base / "in")
    home = base / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = dict(
        os.environ,
        DAGSTER_HOME=str(home),
        SP_INPUT_DIR=str(input_dir),
        SP_OUTPUT_DIR=str(base / "out"),
        GX_ANALYTICS_ENABLED="false",
    )
    started: list = []
    try:
        gql = start_webserver(env, base, ["-m", "pipelines.definitions"], started)
        # The daemon dequeues launched runs (Dagster's default run coordinator queues them) and
        # evaluates sensors and schedules.
        start_daemon(env, base, ["-m", "pipelines.definitions"], started)
        wait_for_code_location(gql)
        yield gql, base
    finally:
        for service in reversed(started):
            service.stop()


# raw survey file -> harmonised persons -> survey estimates -> country-level SDG 1.3.1 ->
# aggregates -> the published headline table and the SDMX export
SURVEY_CHAIN = [
    "raw/survey_file",
    "staging/survey_persons",
    "indicators/survey_estimates",
    "indicators/sdg_1_3_1",
    "publication/aggregates",
    "publication/headline",
]


def test_lineage_from_raw_file_to_published_table(server):
    gql, _ = server
    nodes = gql("{ assetNodes { assetKey { path } dependencyKeys { path } groupName } }")["assetNodes"]
    deps = {"/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]} for n in nodes}
    groups = {"/".join(n["assetKey"]["path"]): n["groupName"] for n in nodes}
    for upstream, downstream in itertools.pairwise(SURVEY_CHAIN):
        assert upstream in deps[downstream], (upstream, downstream)
    assert "publication/aggregates" in deps["publication/sdg_sdmx"]
    assert [groups[k] for k in SURVEY_CHAIN] == [
        "raw",
        "staging",
        "indicators",
        "indicators",
        "publication",
        "publication",
    ]
    assert (
        "raw/ssi_return" in deps["staging/ssi_coverage"] and "staging/ssi_coverage" in deps["indicators/admin_coverage"]
    )
    assert "indicators/admin_coverage" in deps["indicators/sdg_1_3_1"]
    assert "raw/population" in deps["staging/population"]
    assert "staging/survey_persons" in deps["publication/sources"]


def test_launch_a_partition_run_and_read_its_checks(server):
    gql, _ = server
    repo = repository(gql)
    added = gql(
        """mutation($repo: RepositorySelector!, $name: String!, $key: String!) {
             addDynamicPartition(repositorySelector: $repo, partitionsDefName: $name, partitionKey: $key) { __typename } }""",
        {"repo": repo, "name": "surveys", "key": "TST_HIES_2021"},
    )
    assert added["addDynamicPartition"]["__typename"] == "AddDynamicPartitionSuccess"
    run_id = launch_run(gql, repo, "survey_job", "TST_HIES_2021")
    status = wait_for_runs(gql, [run_id], timeout=300)[run_id]
    assert status == "SUCCESS"
    query = """{ assetNodes(assetKeys: [{path: ["staging", "survey_persons"]}]) {
             assetChecksOrError { ... on AssetChecks { checks { name executionForLatestMaterialization { status } } } } } }"""
    expected = {"rows_reconcile": "SUCCEEDED", "canonical_schema": "SUCCEEDED", "no_quarantined_rows": "SUCCEEDED"}
    for _ in range(60):  # check evaluations are stored with the run's last events
        checks = gql(query)["assetNodes"][0]["assetChecksOrError"]["checks"]
        statuses = {c["name"]: (c["executionForLatestMaterialization"] or {}).get("status") for c in checks}
        if statuses == expected:
            break
        time.sleep(1)
    assert statuses == expected


def test_sensors_and_schedule_are_visible_and_switchable(server):
    """Both sensors and the schedule are listed; the input sensor and the schedule can be
    switched on and off again (left off: nothing keeps running at teardown)."""
    gql, _ = server
    repo = repository(gql)
    sensors = gql(
        """query($repo: RepositorySelector!) { sensorsOrError(repositorySelector: $repo) {
             ... on Sensors { results { name sensorState { status } } } } }""",
        {"repo": repo},
    )["sensorsOrError"]["results"]
    assert {s["name"]: s["sensorState"]["status"] for s in sensors} == {
        "input_files_sensor": "STOPPED",
        "publication_sensor": "STOPPED",
    }
    schedules = gql(
        """query($repo: RepositorySelector!) { schedulesOrError(repositorySelector: $repo) {
             ... on Schedules { results { name cronSchedule scheduleState { status } } } } }""",
        {"repo": repo},
    )["schedulesOrError"]["results"]
    cron = publication_cron()
    assert [(s["name"], s["cronSchedule"], s["scheduleState"]["status"]) for s in schedules] == [
        ("publication_schedule", cron, "STOPPED")
    ]

    started = gql(
        """mutation($sel: SensorSelector!) { startSensor(sensorSelector: $sel) {
             __typename ... on Sensor { id sensorState { status } } ... on PythonError { message } } }""",
        {"sel": {**repo, "sensorName": "input_files_sensor"}},
    )["startSensor"]
    assert started["sensorState"]["status"] == "RUNNING", started
    stopped = gql(
        """mutation($id: String!) { stopSensor(id: $id) {
             __typename ... on StopSensorMutationResult { instigationState { status } } ... on PythonError { message } } }""",
        {"id": started["id"]},
    )["stopSensor"]
    assert stopped["instigationState"]["status"] == "STOPPED", stopped

    on = gql(
        """mutation($sel: ScheduleSelector!) { startSchedule(scheduleSelector: $sel) {
             __typename ... on ScheduleStateResult { scheduleState { status } } ... on PythonError { message } } }""",
        {"sel": {**repo, "scheduleName": "publication_schedule"}},
    )["startSchedule"]
    assert on["scheduleState"]["status"] == "RUNNING", on
    schedule_id = gql(
        """query($sel: ScheduleSelector!) { scheduleOrError(scheduleSelector: $sel) { ... on Schedule { id } } }""",
        {"sel": {**repo, "scheduleName": "publication_schedule"}},
    )["scheduleOrError"]["id"]
    off = gql(
        """mutation($id: String!) { stopRunningSchedule(id: $id) {
             __typename ... on ScheduleStateResult { scheduleState { status } } ... on PythonError { message } } }""",
        {"id": schedule_id},
    )["stopRunningSchedule"]
    assert off["scheduleState"]["status"] == "STOPPED", off
