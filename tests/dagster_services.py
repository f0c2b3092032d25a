"""Dagster services started the way a deployment starts them, for the tests that talk to them:
each in a session of its own (so that stopping it also stops the code servers and run processes
it starts), its output in a log file, stopped whatever happens; GraphQL access to the webserver."""

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

PROJECT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 240  # a slow, shared 2-core machine needs well over a minute to load the code
BIND_ERRORS = ("address already in use", "errno 98", "could not bind")
LOCATIONS = """{ workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def free_port() -> int:
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


class Service:
    """One started process (a session leader) and its log file."""

    def __init__(self, command: list[str], env: dict, log_path: Path):
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.proc = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the process and everything in its session (SIGTERM, then SIGKILL after 30 s)."""
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self._log.close()


def start_webserver(env: dict, base: Path, target: list[str], started: list[Service]) -> GraphQL:
    """Start ``dagster-webserver`` with ``target`` (``-m module`` or ``-w workspace.yaml``) on
    127.0.0.1 and wait until it answers; a port taken between choosing it and binding it means
    another try on a new port. The service is appended to ``started`` (to be stopped by the caller)."""
    for attempt in range(3):
        port = free_port()
        service = Service([sys.executable, "-m", "dagster_webserver", *target, "-h", "127.0.0.1", "-p", str(port)], env, base / f"webserver-{port}.log")
        started.append(service)
        gql = GraphQL(port)
        deadline = time.time() + STARTUP_SECONDS
        while service.proc.poll() is None and time.time() < deadline:
            try:
                gql("{ version }")
                return gql
            except Exception:
                time.sleep(1)
        text = service.log_text()
        if service.proc.poll() is not None and any(e in text.lower() for e in BIND_ERRORS):
            continue
        raise RuntimeError(f"webserver did not start within {STARTUP_SECONDS}s: " + text[-3000:])
    raise RuntimeError("webserver could not bind a port in 3 tries")


def start_daemon(env: dict, base: Path, target: list[str], started: list[Service], name: str = "daemon") -> Service:
    """``dagster-daemon run`` (run queue, sensors, schedules, backfills) for ``target``."""
    service = Service([sys.executable, "-m", "dagster._daemon", "run", *target], env, base / f"{name}.log")
    started.append(service)
    return service


def wait_for_code_server(service: Service, host: str, port: int) -> None:
    """Wait until the gRPC code server answers a ping (it loads the definitions first)."""
    from dagster._grpc.client import DagsterGrpcClient

    client = DagsterGrpcClient(port=port, host=host)
    deadline = time.time() + STARTUP_SECONDS
    while True:
        assert service.proc.poll() is None, "code server exited: " + service.log_text()[-3000:]
        try:
            client.ping("ready")
            return
        except Exception:
            if time.time() > deadline:
                raise RuntimeError(f"code server not answering within {STARTUP_SECONDS}s: " + service.log_text()[-3000:])
            time.sleep(1)


def wait_for_code_location(gql: GraphQL) -> None:
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


REPO = """{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }"""


def repository(gql: GraphQL) -> dict:
    node = gql(REPO)["repositoriesOrError"]["nodes"][0]
    return {"repositoryName": node["name"], "repositoryLocationName": node["location"]["name"]}


def launch_run(gql: GraphQL, repo: dict, job: str, partition: str | None = None, run_config: dict | None = None) -> str:
    """Launch ``job`` (one partition) through the webserver; returns the run id."""
    tags = [{"key": "dagster/partition", "value": partition}] if partition else []
    launched = gql(
        """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
             __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }""",
        {"params": {"selector": {**repo, "jobName": job}, "executionMetadata": {"tags": tags}, "runConfigData": run_config or {}}},
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    return launched["run"]["runId"]


FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


def wait_for_runs(gql: GraphQL, run_ids: list[str], timeout: float) -> dict[str, str]:
    """Poll until every run has finished; returns run id -> status."""
    deadline = time.time() + timeout
    query = "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"
    while True:
        statuses = {r: gql(query, {"id": r})["runOrError"]["status"] for r in run_ids}
        if all(s in FINISHED for s in statuses.values()) or time.time() > deadline:
            return statuses
        time.sleep(2)


def run_errors(gql: GraphQL, run_id: str) -> list[str]:
    """The error messages of a run's failed steps (and of the run), for assertion messages."""
    events = gql(
        """query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events { __typename
             ... on ExecutionStepFailureEvent { stepKey error { message causes { message } } }
             ... on RunFailureEvent { message } } } } }""",
        {"id": run_id},
    )["logsForRun"]["events"]
    out = []
    for e in events:
        if e["__typename"] == "ExecutionStepFailureEvent":
            causes = " <- ".join(c["message"].strip() for c in e["error"]["causes"])
            out.append(f"{e['stepKey']}: {e['error']['message'].strip()} {causes}"[:2000])
        elif e["__typename"] == "RunFailureEvent":
            out.append(e["message"])
    return out
