"""Run a long-lived command (``dagster dev``) so that stopping us stops it and everything it
started.

The child runs in a process group of its own. A first SIGINT or SIGTERM sent to us (Ctrl-C in a
terminal, ``kill``, a service manager) is passed on to it once, as SIGINT, which ``dagster dev``
answers by shutting its webserver, daemon and code servers down. When it has exited, whatever is
left in its group is sent SIGTERM, then SIGKILL after a grace period; the child itself gets
SIGKILL if it has not exited within the grace period, or at a second signal (an impatient second
Ctrl-C). In its own group the child never receives the terminal's Ctrl-C directly, so it sees one
interrupt, not two: ``dagster dev`` abandons its own clean-up when interrupted during it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

GRACE_SECONDS = 60.0


def _signal_group(pgid: int, sig: int) -> bool:
    """Send ``sig`` to the process group; False when the group is empty."""
    try:
        os.killpg(pgid, sig)
        return True
    except ProcessLookupError:
        return False


def _group_members(pgid: int) -> list[int]:
    """Processes of group ``pgid`` still present (zombies included), read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def _clear_group(pgid: int, grace: float) -> None:
    """SIGTERM what is left of the group, SIGKILL it after ``grace`` seconds."""
    if not _signal_group(pgid, signal.SIGTERM):
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _group_members(pgid):
        time.sleep(0.2)
    _signal_group(pgid, signal.SIGKILL)


def run_supervised(cmd: list[str], *, cwd: Path | None = None, grace: float = GRACE_SECONDS) -> int:
    """Run ``cmd`` until it exits or we are told to stop (see the module docstring); return its
    exit code. POSIX only (elsewhere the command simply runs as our child).
    """
    if os.name != "posix":
        return subprocess.call(cmd, cwd=cwd)  # noqa: S603 (cmd is built by the CLI from its own arguments)
    proc = subprocess.Popen(cmd, cwd=cwd, start_new_session=True)  # noqa: S603 (as above)
    stop_requested: list[float] = []

    def on_signal(signum, _frame) -> None:
        if not stop_requested:
            stop_requested.append(time.monotonic())
            proc.send_signal(signal.SIGINT)
        else:
            _signal_group(proc.pid, signal.SIGKILL)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                return_code = proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if stop_requested and time.monotonic() - stop_requested[0] > grace:
                    _signal_group(proc.pid, signal.SIGKILL)
    finally:
        _clear_group(proc.pid, grace)
        for s, handler in previous.items():
            signal.signal(s, handler)
    return return_code
