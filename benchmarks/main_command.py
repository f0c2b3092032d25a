"""Benchmark: the main command on the bundled data, twice, as a user runs it.

    python benchmarks/main_command.py                     # this checkout, 1 and 2 workers
    python benchmarks/main_command.py --workers 2         # one setting
    python benchmarks/main_command.py --fresh-venv        # the first run includes the install
    python benchmarks/main_command.py --project /path/to/other/checkout   # e.g. an older commit

Each setting runs ``python tasks.py pipeline`` twice into a new output folder and a new Dagster
instance under ``benchmarks/work/`` (git-ignored): the first run creates the instance and every
output, the second re-runs on unchanged inputs (the target: at most 30 s on the project's
2-core machine), where every Dagster run is skipped (``pipelines/run_state.py``). With ``--fresh-venv`` the first run also creates the virtual environment and
installs the locked dependencies (``SP_VENV`` points tasks.py at a new folder; pip's cache is
whatever the machine has). Reported: wall time of each command, the CPU time of each command
(its processes and the run workers they started: user + system), the machine's load average
before and after (other work on the machine slows every figure; compare runs made at the same
load), and from ``run_summary.json`` the time of the Dagster runs by job, and the runs skipped. Prints a Markdown
table; the figures kept are in ``benchmarks/results/main_command.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work" / "main_command"


def run_once(project: Path, output: Path, home: Path, workers: int | None, env: dict[str, str]) -> dict:
    command = [
        sys.executable,
        str(project / "tasks.py"),
        "pipeline",
        "--output",
        str(output),
        "--dagster-home",
        str(home),
    ]
    if workers is not None:
        command += ["--workers", str(workers)]
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(
            f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    summary = json.loads((output / "run_summary.json").read_text(encoding="utf-8"))
    by_job: dict[str, list[float]] = {}
    skipped: dict[str, int] = {}
    for run in summary["runs"]:
        if run.get("skipped"):
            skipped[run["job"]] = skipped.get(run["job"], 0) + 1
        else:
            by_job.setdefault(run["job"], []).append(run["seconds"])
    return {
        "seconds": seconds,
        "cpu": cpu,
        "exit": proc.returncode,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "runs": {job: (len(times), sum(times)) for job, times in by_job.items()},
        "skipped": skipped,
        "lines": len(proc.stdout.splitlines()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=ROOT, help="checkout to measure (default: this one)")
    parser.add_argument(
        "--workers", type=int, nargs="*", default=[1, 2], help="settings of --workers (none: the command's default)"
    )
    parser.add_argument("--fresh-venv", action="store_true", help="first run installs into a new virtual environment")
    args = parser.parse_args()
    project = args.project.resolve()
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false")
    env.pop("SP_INPUT_DIR", None)
    env.pop("SP_OUTPUT_DIR", None)
    settings = args.workers or [None]
    supports_workers = "--workers" in (project / "pipelines" / "cli.py").read_text(encoding="utf-8")
    rows = []
    for workers in settings:
        work = WORK / f"workers_{workers}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        run_env = dict(env, SP_VENV=str(work / "venv")) if args.fresh_venv else env
        w = workers if supports_workers else None
        first = run_once(project, work / "out", work / "home", w, run_env)
        second = run_once(project, work / "out", work / "home", w, run_env)
        rows.append((workers, first, second))
        if args.fresh_venv:
            shutil.rmtree(work / "venv", ignore_errors=True)

    commit = subprocess.run(
        ["git", "-C", str(project), "log", "-1", "--format=%h %s"], capture_output=True, text=True
    ).stdout.strip()
    print(
        f"Run {datetime.now(UTC).isoformat(timespec='seconds')} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; checkout {project} at {commit[:80]}"
    )
    print()
    print(
        "| workers | first run (s) | second run (s) | CPU of first / second run (s) | load before / after (1 min) | "
        "first run: Dagster runs by job, n x total s | second run: runs made, runs skipped |"
    )
    print("|---|---|---|---|---|---|---|")
    for workers, first, second in rows:
        first_label = f"{first['seconds']:.1f}" + (" (with install)" if args.fresh_venv else "")
        print(
            f"| {workers if workers is not None else 'default'} | {first_label} | {second['seconds']:.1f} | "
            f"{first['cpu']:.1f} / {second['cpu']:.1f} | {first['load_before']:.1f} / {second['load_after']:.1f} | "
            f"{_jobs(first)} | {_jobs(second)} |"
        )


def _jobs(run: dict) -> str:
    """Runs made by job (count x total seconds) and runs skipped by job."""
    made = ", ".join(f"{job} {n} x {total:.1f}" for job, (n, total) in run["runs"].items()) or "none"
    skipped = sum(run["skipped"].values())
    return made + (
        f"; skipped {skipped} ({', '.join(f'{j} {n}' for j, n in run['skipped'].items())})" if skipped else ""
    )


if __name__ == "__main__":
    main()
