#!/usr/bin/env python3
"""One entry point for people and CI: installs the project into ./.venv (once, and again when
the lock file changes), then runs what you ask for.

    python tasks.py pipeline [--input DIR] [--output DIR]   run the whole pipeline, print a summary
    python tasks.py test [pytest args]                      run the test suite (fast tier on 2
                                                            workers, then the integration tier)
    python tasks.py ui [--port 3000]                        open the Dagster UI on 127.0.0.1

Needs only Python 3.11 and pip (packages come from PyPI, pinned in requirements.lock).
"""

from __future__ import annotations

import codecs
import collections
import hashlib
import itertools
import os
import re
import shlex
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
    (``-n``, ``-p no:xdist``). Other selections run in one process: the integration tests share
    services and ports.
    """
    tier = "-munit" in args or ("-m", "unit") in itertools.pairwise(args)
    workers = min(2, cores or os.cpu_count() or 1)
    if not tier or _chooses_workers(args) or workers < 2:
        return args
    return [*args, "-n", str(workers), "--dist", "loadscope"]


def _chooses_workers(args: list[str]) -> bool:
    return any(a.startswith(("-n", "--numprocesses")) or a == "no:xdist" for a in args)


# pytest options whose value is the next argument (a value is not a test path)
VALUE_OPTIONS = frozenset(
    {"-k", "-m", "-p", "-o", "-W", "-c", "-n", "-r", "--maxfail", "--durations", "--durations-min", "--basetemp"}
    | {"--numprocesses", "--dist", "--junitxml", "--junit-xml", "--rootdir", "--deselect", "--ignore", "--tb"}
    | {"--color", "--confcutdir", "--log-level", "--override-ini", "--pythonwarnings", "--timeout"}
)
# the two runs of the whole suite: (name, marker expression); "not unit" also runs a test no tier marks
TIERS = (("unit tier", "unit"), ("integration tier", "not unit"))


def selects_tests(args: list[str]) -> bool:
    """True when ``args`` choose the tests themselves: a marker expression (``-m``), a test path or
    node id, or the worker processes; then ``python tasks.py test`` runs them as given, in one
    pytest process. Other options (``-q``, ``-x``, ``-k``, ``--durations=25`` ...) go to both tiers.
    """
    if _chooses_workers(args):
        return True
    previous = ""
    for arg in args:
        if arg.startswith(("-m", "--markexpr=")) or arg == "--markexpr":
            return True
        if not arg.startswith("-") and previous not in VALUE_OPTIONS and ("::" in arg or (ROOT / arg).exists()):
            return True
        previous = arg
    return False


def tier_commands(args: list[str], cores: int | None = None) -> list[tuple[str, list[str]]]:
    """The pytest runs of ``python tasks.py test <args>``, each ``(name, pytest arguments)``.

    The whole suite (no ``-m``, no test path) is two runs: the fast tier on the workers of
    :func:`pytest_arguments`, then every other test (the integration tier) in one process, as the
    integration tests share services and ports; ``args`` go to both. Arguments that choose the
    tests make one run, as given.
    """
    if selects_tests(args):
        return [("tests", pytest_arguments(args, cores))]
    return [(name, pytest_arguments([*args, "-m", tier], cores)) for name, tier in TIERS]


ANSI = re.compile(r"\x1b\[[0-9;]*m")
# pytest's closing line, e.g. "==== 2 failed, 767 passed, 3 skipped in 51.20s ====" (no "=" with -q)
RESULT_LINE = re.compile(r"^=* ?((?:\d+ \w+|no tests ran)\b.* in [0-9.]+s(?: \([0-9:]+\))?) ?=*\s*$")
EXIT_CODES = {0: "passed", 1: "tests failed", 2: "interrupted", 3: "internal error", 4: "usage error", 5: "no tests"}


def _pytest(arguments: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run pytest with ``arguments``, its output passed through as it comes; returns its exit
    code and its closing line ("767 passed in 51.20s", empty if none).
    """
    command = [str(PYTHON), "-m", "pytest", *arguments]
    if sys.stdout.isatty() and not any(a.startswith("--color") for a in arguments):
        command.append("--color=yes")  # pytest writes to a pipe here
    # the venv's python; the user's own arguments
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    tail = ""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while chunk := proc.stdout.read1(65536):
        text = decoder.decode(chunk)
        sys.stdout.write(text)
        sys.stdout.flush()
        tail = (tail + text)[-4096:]
    code = proc.wait()
    lines = ANSI.sub("", tail).splitlines()
    closing = next((m.group(1) for line in reversed(lines) if (m := RESULT_LINE.search(line))), "")
    return code, closing


def combined_exit_code(codes: list[int]) -> int:
    """One exit code for several pytest runs: 0 when every run passed (a run that selected no test,
    code 5, counts as passed if another run had tests), else the first failure's code.
    """
    failed = [c for c in codes if c not in (0, 5)]
    if failed:
        return failed[0]
    return 5 if codes and all(c == 5 for c in codes) else 0


def run_tests(args: list[str], env: dict[str, str], pytest=_pytest, call=subprocess.call) -> int:
    """``python tasks.py test <args>``: the runs of :func:`tier_commands`, one after the other
    (with ``-x``, none after a failed one), then one line per run and the combined result;
    returns the combined exit code. A single run (arguments that choose the tests) is pytest as
    given, writing to the terminal, and returns pytest's exit code.
    """
    commands = tier_commands(args)
    if len(commands) == 1:  # as given, pytest writing to this terminal
        return call([str(PYTHON), "-m", "pytest", *commands[0][1]], cwd=ROOT, env=env)
    results = []
    for name, arguments in commands:
        print(f"\n--- {name}: pytest {shlex.join(arguments)}", flush=True)
        started = time.monotonic()
        code, closing = pytest(arguments, env)
        results.append((name, code, closing, time.monotonic() - started))
        if code not in (0, 5) and ("-x" in args or "--exitfirst" in args):
            break
    total = combined_exit_code([code for _, code, _, _ in results])
    print("\n--- summary of the test runs", flush=True)
    for name, code, closing, seconds in results:
        print(f"{name}: {closing or EXIT_CODES.get(code, f'exit code {code}')} ({_clock(seconds)} wall)")
    for name, _ in commands[len(results) :]:
        print(f"{name}: not run (-x: stopped at the first failure)")
    seconds = sum(r[3] for r in results)
    print(f"Result: {'PASSED' if total == 0 else 'FAILED'} (exit code {total}) in {_clock(seconds)}", flush=True)
    return total


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
        return run_tests(rest, env)
    return subprocess.call(cmd, cwd=ROOT, env=env)  # noqa: S603 (the venv's python; the user's own arguments)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
