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

import yaml

PROJECT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 240  # a slow, shared 2-core machine needs well over a minute to load the code
# How often a wait asks again (a refused connection, a ping or a small GraphQL query is cheap; a
# longer interval only adds to every wait: on average half of it)
POLL_SECONDS = 0.25
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
        self._log = log_path.open("w")  # noqa: SIM115 (the process writes to it until stop() closes it)
        self.proc = subprocess.Popen(
            command, cwd=PROJECT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

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
    for _attempt in range(3):
        port = free_port()
        service = Service(
            [sys.executable, "-m", "dagster_webserver", *target, "-h", "127.0.0.1", "-p", str(port)],
            env,
            base / f"webserver-{port}.log",
        )
        started.append(service)
        gql = GraphQL(port)
        deadline = time.time() + STARTUP_SECONDS
        while service.proc.poll() is None and time.time() < deadline:
            try:
                gql("{ version }")
                return gql
            except Exception:
                time.sleep(POLL_SECONDS)
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
                raise RuntimeError(
                    f"code server not answering within {STARTUP_SECONDS}s: " + service.log_text()[-3000:]
                ) from None
            time.sleep(POLL_SECONDS)


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
        time.sleep(POLL_SECONDS)


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
        {
            "params": {
                "selector": {**repo, "jobName": job},
                "executionMetadata": {"tags": tags},
                "runConfigData": run_config or {},
            }
        },
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
        time.sleep(2 * POLL_SECONDS)


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


class Deployment:
    """A production-like setup on this machine: a gRPC code server (the Dockerfile's command on
    127.0.0.1, found through a copy of deploy/workspace.yaml), the daemon and the webserver, all
    on one DAGSTER_HOME holding ``instance_yaml`` (e.g. deploy/dagster.yaml) and the storage
    settings in ``pg_env`` (``DAGSTER_PG_*``)."""

    def __init__(self, base: Path, pg_env: dict, input_dir: Path, output_dir: Path, instance_yaml: str):
        self.base = base
        self.home = base / "home"
        self.home.mkdir()
        (self.home / "dagster.yaml").write_text(instance_yaml)
        self.input_dir, self.output_dir = input_dir, output_dir
        self.env = dict(
            os.environ,
            **pg_env,
            DAGSTER_HOME=str(self.home),
            DAGSTER_COMPUTE_LOG_DIR=str(base / "compute_logs"),
            SP_INPUT_DIR=str(input_dir),
            SP_OUTPUT_DIR=str(output_dir),
            GX_ANALYTICS_ENABLED="false",
        )
        # deploy/workspace.yaml names the code server's host and port in the cluster; here it runs on 127.0.0.1
        workspace = yaml.safe_load((PROJECT / "deploy" / "workspace.yaml").read_text())
        (server,) = [entry["grpc_server"] for entry in workspace["load_from"]]
        server.update(host="127.0.0.1", port=free_port())
        self.workspace = base / "workspace.yaml"
        self.workspace.write_text(yaml.safe_dump(workspace))
        self.code_server_address = server
        self.code_server: Service | None = None
        self.started: list[Service] = []
        self.gql: GraphQL | None = None
        self.daemon: Service | None = None

    def start_code_server(self) -> None:
        port = self.code_server_address["port"]
        command = [
            sys.executable,
            "-m",
            "dagster",
            "api",
            "grpc",
            "-m",
            "pipelines.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ]
        self.code_server = Service(command, self.env, self.base / "code_server.log")
        self.started.append(self.code_server)
        wait_for_code_server(self.code_server, "127.0.0.1", port)

    def start_ui_and_daemon(self, generation: int = 1) -> None:
        target = ["-w", str(self.workspace)]
        self.gql = start_webserver(self.env, self.base, target, self.started)
        self.daemon = start_daemon(self.env, self.base, target, self.started, name=f"daemon{generation}")
        wait_for_code_location(self.gql)

    def restart_ui_and_daemon(self) -> None:
        for service in [s for s in self.started if s is self.daemon or "webserver" in s.log_path.name]:
            service.stop()
            self.started.remove(service)
        self.start_ui_and_daemon(generation=2)

    def add_partitions(self, name: str, keys: list[str]) -> None:
        repo = repository(self.gql)
        for key in keys:
            added = self.gql(
                """mutation($repo: RepositorySelector!, $name: String!, $key: String!) {
                     addDynamicPartition(repositorySelector: $repo, partitionsDefName: $name, partitionKey: $key) { __typename } }""",
                {"repo": repo, "name": name, "key": key},
            )["addDynamicPartition"]
            assert added["__typename"] == "AddDynamicPartitionSuccess", added

    def stop(self) -> None:
        for service in reversed(self.started):
            service.stop()
