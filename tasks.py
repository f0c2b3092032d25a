#!/usr/bin/env python3
"""One entry point for people and CI: installs the project into ./.venv (once, and again when
the lock file changes), then runs what you ask for.

    python tasks.py pipeline [--input DIR] [--output DIR]   run the whole pipeline, print a summary
    python tasks.py test [pytest args]                      run the test suite
    python tasks.py ui [--port 3000]                        open the Dagster UI on 127.0.0.1

Needs only Python 3.11 and pip (packages come from PyPI, pinned in requirements.lock).
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import os
import subprocess
import sys
import threading
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("SP_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
PYSPARK_PANDAS_WARNING = "ignore:PySpark does not yet fully support pandas:FutureWarning"


def _install_stamp() -> Path:
    digest = hashlib.sha256()
    for name in ("requirements.lock", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return VENV / f".installed-{digest.hexdigest()[:16]}"


def ensure_environment() -> None:
    """Create the virtualenv and install the locked dependencies and the project, if needed."""
    if sys.version_info[:2] != (3, 11):
        print(f"warning: the project is tested on Python 3.11 (this is {sys.version.split()[0]})", file=sys.stderr)
    if not PYTHON.exists():
        print(f"Creating virtual environment in {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    stamp = _install_stamp()
    if stamp.exists():
        return
    log = VENV / "pip-install.log"
    packages = sum(1 for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines() if "==" in line)
    print(
        f"Installing {packages} locked dependencies into {VENV} (first run only; full pip output in {log}) ...",
        flush=True,
    )
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off"]
        _pip(pip + ["-r", str(ROOT / "requirements.lock")], out, packages, started)
        _pip(pip + ["--no-deps", "-e", f"{ROOT}[test]"], out, 1, started)
    print(f"Installed in {_clock(time.monotonic() - started)}.", flush=True)
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


HEARTBEAT_SECONDS = 15


def _pip(command: list[str], log, packages: int, started: float) -> None:  # noqa: C901 (reader and heartbeat share state)
    """Run pip with its output going to ``log``, and print a line of progress: each tenth
    package found, when it starts installing, and every ``HEARTBEAT_SECONDS`` while it works
    silently (unpacking wheels takes minutes). On failure, print pip's last lines.
    """
    # the venv's own pip with the lock file and this folder: no argument comes from outside
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)  # noqa: S603
    state = {"found": 0, "phase": "finding packages", "last": time.monotonic()}
    tail: collections.deque[str] = collections.deque(maxlen=30)

    def say(text: str) -> None:
        print(f"  [{_clock(time.monotonic() - started)}] {text}", flush=True)
        state["last"] = time.monotonic()

    def read() -> None:
        for line in proc.stdout:
            log.write(line)
            tail.append(line.rstrip())
            if line.startswith(("Collecting ", "Processing ", "Requirement already satisfied")):
                state["found"] += 1
                if state["found"] == packages:
                    state["phase"] = "downloading and checking packages"
                if state["found"] % 10 == 0 or state["found"] == packages:
                    say(f"found {state['found']} of {packages} packages ({_package(line)})")
            elif line.startswith("Installing collected packages"):
                state["phase"] = "installing"
                count = len(line.split(":", 1)[1].split(","))
                say(f"installing {count} package{'s' if count > 1 else ''} (unpacking wheels; this is the long part)")
            elif line.startswith("Successfully installed"):
                state["phase"] = "finishing"

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while reader.is_alive():
        reader.join(timeout=1)
        if reader.is_alive() and time.monotonic() - state["last"] >= HEARTBEAT_SECONDS:
            say(f"still {state['phase']} ...")
    if proc.wait() != 0:
        print("\n".join(tail), file=sys.stderr)
        raise SystemExit(f"pip failed (exit code {proc.returncode}); the full output is in {log.name}")


def _package(line: str) -> str:
    """``name==version`` from a pip line naming a requirement or a wheel file."""
    words = line.split()
    name = words[3] if line.startswith("Requirement") else words[1]
    if name.endswith(".whl"):  # Processing /path/name-version-tags.whl
        name = "==".join(Path(name).name.split("-")[:2])
    return name


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}m{int(seconds) % 60:02d}s"


def pytest_arguments(args: list[str], cores: int | None = None) -> list[str]:
    """``args`` for pytest; the fast tier alone (``-m unit``) runs on one worker process per core,
    at most two (pytest-xdist, a module's tests in one worker), unless ``args`` choose the workers
    (``-n``, ``-p no:xdist``). The whole suite runs in one process: its services and ports are
    shared.
    """
    tier = "-munit" in args or ("-m", "unit") in itertools.pairwise(args)
    chosen = any(a.startswith(("-n", "--numprocesses")) or a == "no:xdist" for a in args)
    workers = min(2, cores or os.cpu_count() or 1)
    if not tier or chosen or workers < 2:
        return args
    return [*args, "-n", str(workers), "--dist", "loadscope"]


def main(argv: list[str]) -> int:
    """Run ``pipeline``, ``test`` or ``ui`` (the other arguments passed on) in the project's
    virtualenv, installing it first when needed; returns the command's exit code (2 for usage).
    """
    if not argv or argv[0] not in ("pipeline", "test", "ui"):
        print(__doc__)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false", PYTHONDONTWRITEBYTECODE="1")
    # pandera imports pyspark.pandas when pyspark (the spark extra) is installed, and pyspark warns
    # about pandas 3 in every process: a module the project does not use.
    env["PYTHONWARNINGS"] = ",".join(filter(None, [env.get("PYTHONWARNINGS"), PYSPARK_PANDAS_WARNING]))
    if command == "pipeline":
        cmd = [str(PYTHON), "-m", "pipelines.cli", "run", *rest]
    elif command == "ui":
        cmd = [str(PYTHON), "-m", "pipelines.cli", "ui", *rest]
        if os.name == "posix":  # become the UI process: Ctrl-C and SIGTERM reach its supervisor directly
            os.chdir(ROOT)
            os.execve(cmd[0], cmd, env)  # noqa: S606 (the venv's python; the user's own arguments)
    else:
        cmd = [str(PYTHON), "-m", "pytest", *pytest_arguments(rest)]
    return subprocess.call(cmd, cwd=ROOT, env=env)  # noqa: S603 (the venv's python; the user's own arguments)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
