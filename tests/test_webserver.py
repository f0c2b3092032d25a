"""The UI as users use it: start the Dagster webserver (and the daemon) on 127.0.0.1, wait for
the code location, ask its GraphQL API for the lineage from a raw survey file to a published
table, launch a partition run through it, read back the asset checks, and switch the input
sensor and the schedule on and off. Webserver, daemon and the processes they start are stopped
at the end, whatever happened."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.sensors import DEFAULT_PUBLICATION_CRON
from tests.pipeline_inputs import write_minimal_inputs

PROJECT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GraphQL:
    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}/graphql"

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        req = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            payload = json.loads(resp.read())
        assert "errors" not in payload, payload["errors"]
        return payload["data"]


STARTUP_SECONDS = 240  # a slow, shared 2-core machine needs well over a minute to load the code
BIND_ERRORS = ("address already in use", "errno 98", "could not bind")
LOCATIONS = """{ workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def _start(command: list[str], env: dict, log_path: Path) -> tuple[subprocess.Popen, object]:
    """A process in a session of its own, so that stopping it also stops the code server and
    run processes it starts."""
    log = open(log_path, "w")
    return subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True), log


def _stop(proc: subprocess.Popen) -> None:
    """Stop the process and everything in its session (SIGTERM, then SIGKILL after 30 s)."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _start_webserver(env: dict, base: Path, started: list) -> GraphQL:
    """Start the webserver and wait until it answers; a port taken in the meantime (between
    choosing it and binding it) means another try on a new port."""
    for attempt in range(3):
        port = _free_port()
        log_path = base / f"webserver{attempt}.log"
        proc, log = _start([sys.executable, "-m", "dagster_webserver", "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(port)], env, log_path)
        started.append((proc, log))
        gql = GraphQL(port)
        deadline = time.time() + STARTUP_SECONDS
        while proc.poll() is None and time.time() < deadline:
            try:
                gql("{ version }")
                return gql
            except Exception:
                time.sleep(1)
        log.flush()
        text = log_path.read_text()
        if proc.poll() is not None and any(e in text.lower() for e in BIND_ERRORS):
            continue
        raise RuntimeError(f"webserver did not start within {STARTUP_SECONDS}s: " + text[-3000:])
    raise RuntimeError("webserver could not bind a port in 3 tries")


def _wait_for_code_location(gql: GraphQL) -> None:
    deadline = time.time() + STARTUP_SECONDS
    while True:
        entries = gql(LOCATIONS)["workspaceOrError"]["locationEntries"]
        if entries and all(e["loadStatus"] == "LOADED" for e in entries):
            loaded = [e["locationOrLoadError"] or {} for e in entries]
            assert all(x.get("__typename") == "RepositoryLocation" for x in loaded), loaded
            return
        if time.time() > deadline:
            raise RuntimeError(f"code location not loaded within {STARTUP_SECONDS}s: {entries}")
        time.sleep(2)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("web")
    input_dir = write_minimal_inputs(base / "in")
    home = base / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = dict(os.environ, DAGSTER_HOME=str(home), SP_INPUT_DIR=str(input_dir), SP_OUTPUT_DIR=str(base / "out"), GX_ANALYTICS_ENABLED="false")
    started: list = []
    try:
        gql = _start_webserver(env, base, started)
        # The daemon dequeues launched runs (Dagster's default run coordinator queues them) and
        # evaluates sensors and schedules.
        started.append(_start([sys.executable, "-m", "dagster._daemon", "run", "-m", "pipelines.definitions"], env, base / "daemon.log"))
        _wait_for_code_location(gql)
        yield gql, base
    finally:
        for proc, log in reversed(started):
            _stop(proc)
            log.close()


REPO = """{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }"""


def _repository(gql) -> dict:
    node = gql(REPO)["repositoriesOrError"]["nodes"][0]
    return {"repositoryName": node["name"], "repositoryLocationName": node["location"]["name"]}


# raw survey file -> harmonised persons -> survey estimates -> country-level SDG 1.3.1 ->
# aggregates -> the published headline table and the SDMX export
SURVEY_CHAIN = [
    "raw/survey_file", "staging/survey_persons", "indicators/survey_estimates", "indicators/sdg_1_3_1",
    "publication/aggregates", "publication/headline",
]


def test_lineage_from_raw_file_to_published_table(server):
    gql, _ = server
    nodes = gql("{ assetNodes { assetKey { path } dependencyKeys { path } groupName } }")["assetNodes"]
    deps = {"/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]} for n in nodes}
    groups = {"/".join(n["assetKey"]["path"]): n["groupName"] for n in nodes}
    for upstream, downstream in zip(SURVEY_CHAIN, SURVEY_CHAIN[1:]):
        assert upstream in deps[downstream], (upstream, downstream)
    assert "publication/aggregates" in deps["publication/sdg_sdmx"]
    assert [groups[k] for k in SURVEY_CHAIN] == ["raw", "staging", "indicators", "indicators", "publication", "publication"]
    assert "raw/ssi_return" in deps["staging/ssi_coverage"] and "staging/ssi_coverage" in deps["indicators/admin_coverage"]
    assert "indicators/admin_coverage" in deps["indicators/sdg_1_3_1"]
    assert "raw/population" in deps["staging/population"]
    assert "staging/survey_persons" in deps["publication/sources"]


def test_launch_a_partition_run_and_read_its_checks(server):
    gql, _ = server
    repo = _repository(gql)
    added = gql(
        """mutation($repo: RepositorySelector!, $name: String!, $key: String!) {
             addDynamicPartition(repositorySelector: $repo, partitionsDefName: $name, partitionKey: $key) { __typename } }""",
        {"repo": repo, "name": "surveys", "key": "TST_HIES_2021"},
    )
    assert added["addDynamicPartition"]["__typename"] == "AddDynamicPartitionSuccess"
    launched = gql(
        """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
             __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }""",
        {"params": {
            "selector": {**repo, "jobName": "survey_job"},
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": "TST_HIES_2021"}]},
            "runConfigData": {},
        }},
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline = time.time() + 300
    status = None
    while time.time() < deadline:
        status = gql("query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", {"id": run_id})["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(1)
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
    repo = _repository(gql)
    sensors = gql(
        """query($repo: RepositorySelector!) { sensorsOrError(repositorySelector: $repo) {
             ... on Sensors { results { name sensorState { status } } } } }""",
        {"repo": repo},
    )["sensorsOrError"]["results"]
    assert {s["name"]: s["sensorState"]["status"] for s in sensors} == {"input_files_sensor": "STOPPED", "publication_sensor": "STOPPED"}
    schedules = gql(
        """query($repo: RepositorySelector!) { schedulesOrError(repositorySelector: $repo) {
             ... on Schedules { results { name cronSchedule scheduleState { status } } } } }""",
        {"repo": repo},
    )["schedulesOrError"]["results"]
    cron = os.environ.get("SP_PUBLICATION_CRON", DEFAULT_PUBLICATION_CRON)
    assert [(s["name"], s["cronSchedule"], s["scheduleState"]["status"]) for s in schedules] == [("publication_schedule", cron, "STOPPED")]

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
