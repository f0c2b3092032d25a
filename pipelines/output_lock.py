"""One run of the main command per output folder at a time.

Two runs writing one output folder at once overwrite each other's tables and records: both end
with exit code 0, their summaries are wrong and, with different inputs, the outputs mix.
``output_lock`` holds an exclusive lock on ``<output>/.sp-run.lock`` for the whole run (runs,
summary); a second run on the same folder is refused at once with who holds it. The operating
system releases the lock when the holding process ends, however it ends, so a killed run never
leaves a stale lock behind.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = ".sp-run.lock"

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class OutputInUse(RuntimeError):
    """Another run holds the output folder."""


@contextmanager
def output_lock(output_dir: Path) -> Iterator[Path]:
    """Hold the output folder's lock for the block; raise ``OutputInUse`` (naming the holder's
    process, machine and start time) when another run holds it.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if not _try_lock(fd):
            raise OutputInUse(
                f"{output_dir} is being written by another run of the pipeline ({_holder(path)}). "
                "Wait for it to finish, or give this run another output folder (--output)."
            )
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(sys.argv),
        }
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(holder).encode())
        try:
            yield path
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
        return f"process {holder['pid']} on {holder['host']}, started {holder['started']}"
    except (OSError, ValueError, KeyError):
        return "holder unknown"
