"""``python tasks.py ui`` stops with every process it started: Ctrl-C (SIGINT to the terminal's
process group) and SIGTERM (``kill``, a service manager) each leave no process behind: not the
command, not ``dagster dev``, not its webserver, daemon or code servers. Before the fix the
command died at once and left ``dagster dev`` and four children running."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.dagster_services import STARTUP_SECONDS, free_port

PROJECT = Path(__file__).resolve().parent.parent
STOP_SECONDS = 90


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state first), None when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _identity(pid: int) -> tuple[int, str] | None:
    """(pid, start time): a pid reused by an unrelated process is not the same process."""
    fields = _stat(pid)
    return (pid, fields[19]) if fields and fields[0] != "Z" else None


def _descendants(root: int) -> set[tuple[int, str]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if (ident := _identity(child)) is not None:
                found.add(ident)
                todo.append(child)
    return found


def _alive(processes: set[tuple[int, str]]) -> set[tuple[int, str]]:
    return {p for p in processes if _identity(p[0]) == p}


def _group(pgid: int) -> set[int]:
    return {
        int(e.name)
        for e in Path("/proc").iterdir()
        if e.name.isdigit() and (f := _stat(int(e.name))) and f[0] != "Z" and int(f[2]) == pgid
    }


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="process groups and /proc are POSIX/Linux")
@pytest.mark.parametrize(
    ("sig", "to_group"), [(signal.SIGINT, True), (signal.SIGTERM, False)], ids=["ctrl-c", "sigterm"]
)
def test_ui_stops_with_all_its_children(tmp_path, sig, to_group):
    port = free_port()
    log_path = tmp_path / "ui.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "tasks.py",
                "ui",
                "--port",
                str(port),
                "--dagster-home",
                str(tmp_path / "home"),
                "--output",
                str(tmp_path / "out"),
            ],
            cwd=PROJECT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    tree: set = set()
    try:
        deadline = time.time() + STARTUP_SECONDS
        while True:
            assert proc.poll() is None, log_path.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as resp:
                    assert resp.status == 200
                break
            except OSError:
                assert time.time() < deadline, "UI did not answer: " + log_path.read_text()[-3000:]
                time.sleep(0.25)
        tree = _descendants(proc.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ") for pid, _ in tree]
        assert any("dagster_webserver" in c for c in commands) and any("dagster._daemon" in c for c in commands), (
            commands
        )
        assert _listening_address(port) == "127.0.0.1"  # by default this machine only, not every interface

        (os.killpg if to_group else os.kill)(proc.pid, sig)
        proc.wait(timeout=STOP_SECONDS)
        deadline = time.time() + 10  # the supervisor has already cleared its group; let /proc settle
        while (_alive(tree) or _group(proc.pid)) and time.time() < deadline:
            time.sleep(0.5)
        assert not _alive(tree), f"left running: {sorted(_alive(tree))}\n" + log_path.read_text()[-3000:]
        assert not _group(proc.pid)
        assert "Dagster services shut down" in log_path.read_text()  # dagster dev shut down in order, not killed
    finally:
        for pid, _ in _alive(tree | ({_identity(proc.pid)} - {None})):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _listening_address(port: int) -> str:
    """The local IPv4 address of the socket listening on ``port`` (from /proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, hex_port = fields[1].split(":")
        if int(hex_port, 16) == port and fields[3] == "0A":  # LISTEN
            return ".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0))
    raise AssertionError(f"nothing listens on port {port} over IPv4")
