#!/usr/bin/env python3
"""One entry point for people and CI: installs the project into ./.venv (once, and again when
the lock file changes), then runs what you ask for.

    python tasks.py pipeline [--input DIR] [--output DIR]   run the whole pipeline, print a summary
    python tasks.py test [pytest args]                      run the test suite
    python tasks.py ui [--port 3000]                        open the Dagster UI on 127.0.0.1

Needs only Python 3.11 and pip (packages come from PyPI, pinned in requirements.lock).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
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
    print("Installing locked dependencies (first run only) ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.check_call(pip + ["-r", str(ROOT / "requirements.lock")])
    subprocess.check_call(pip + ["--no-deps", "-e", f"{ROOT}[test]"])
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def main(argv: list[str]) -> int:
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
            os.execve(cmd[0], cmd, env)
    else:
        cmd = [str(PYTHON), "-m", "pytest", *rest]
    return subprocess.call(cmd, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
