"""The UI as users use it: start the Dagster webserver on 127.0.0.1, ask its GraphQL API for the
asset lineage, launch a partition run through it, read back the asset checks, and switch a
sensor on. The server is stopped at the end."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("web")
    input_dir = write_minimal_inputs(base / "in")
    home = base / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    port = _free_port()
    env = dict(os.environ, DAGSTER_HOME=str(home), SP_INPUT_DIR=str(input_dir), SP_OUTPUT_DIR=str(base / "out"), GX_ANALYTICS_ENABLED="false")
    log = open(base / "webserver.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dagster_webserver", "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    # The daemon dequeues launched runs (Dagster's default run coordinator queues them) and
    # evaluates sensors and schedules.
    daemon_log = open(base / "daemon.log", "w")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "dagster._daemon", "run", "-m", "pipelines.definitions"],
        cwd=PROJECT, env=env, stdout=daemon_log, stderr=subprocess.STDOUT,
    )
    gql = GraphQL(port)
    deadline = time.time() + 120
    while True:
        try:
            gql("{ version }")
            break
        except Exception:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("webserver did not start: " + (base / "webserver.log").read_text()[-3000:])
            time.sleep(1)
    yield gql, base
    for p in (proc, daemon):
        p.terminate()
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
    log.close()
    daemon_log.close()


REPO = """{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }"""


def _repository(gql) -> dict:
    node = gql(REPO)["repositoriesOrError"]["nodes"][0]
    return {"repositoryName": node["name"], "repositoryLocationName": node["location"]["name"]}


def test_lineage_from_raw_file_to_published_table(server):
    gql, _ = server
    nodes = gql("{ assetNodes { assetKey { path } dependencyKeys { path } groupName } }")["assetNodes"]
    deps = {"/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]} for n in nodes}
    groups = {"/".join(n["assetKey"]["path"]): n["groupName"] for n in nodes}
    assert "raw/survey_file" in deps["staging/survey_persons"]
    assert "raw/ssi_return" in deps["staging/ssi_coverage"]
    assert "raw/population" in deps["staging/population"]
    assert "staging/survey_persons" in deps["publication/sources"]
    assert set(groups.values()) >= {"raw", "staging", "publication"}


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
    for _ in range(30):  # check evaluations are stored with the run's last events
        checks = gql(query)["assetNodes"][0]["assetChecksOrError"]["checks"]
        statuses = {c["name"]: (c["executionForLatestMaterialization"] or {}).get("status") for c in checks}
        if statuses == expected:
            break
        time.sleep(1)
    assert statuses == expected


def test_sensors_and_schedule_are_visible_and_switchable(server):
    gql, _ = server
    repo = _repository(gql)
    sensors = gql(
        """query($repo: RepositorySelector!) { sensorsOrError(repositorySelector: $repo) {
             ... on Sensors { results { name sensorState { status } } } } }""",
        {"repo": repo},
    )["sensorsOrError"]["results"]
    assert {s["name"] for s in sensors} >= {"input_files_sensor", "publication_sensor"}
    schedules = gql(
        """query($repo: RepositorySelector!) { schedulesOrError(repositorySelector: $repo) {
             ... on Schedules { results { name cronSchedule } } } }""",
        {"repo": repo},
    )["schedulesOrError"]["results"]
    assert [(s["name"], s["cronSchedule"]) for s in schedules] == [("publication_schedule", "0 6 1 * *")]
    started = gql(
        """mutation($sel: SensorSelector!) { startSensor(sensorSelector: $sel) {
             __typename ... on Sensor { sensorState { status } } } }""",
        {"sel": {**repo, "sensorName": "input_files_sensor"}},
    )["startSensor"]
    assert started["sensorState"]["status"] == "RUNNING"
