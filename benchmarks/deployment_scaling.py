"""Benchmark: survey partitions across run workers in the production setup, 1 worker against 2.

    python benchmarks/deployment_scaling.py --persons 1000000            # the generator's surveys at 1M persons
    python benchmarks/deployment_scaling.py --persons 200000 --copies 4  # each survey 4 times (more partitions)

The input folder is written once by the generator (``python -m synthetic --persons-per-survey N``)
under ``benchmarks/work/`` (git-ignored); ``--copies K`` adds K-1 copies of every survey under
new ids (same file, same design: more partitions of the same size). For each worker count W the
script starts what ``tests/test_deployment.py`` starts (a throwaway PostgreSQL, the gRPC code
server, the daemon, the webserver) with ``deploy/dagster.yaml`` whose run limits are set to W,
runs the context job, then launches every survey partition at once through the webserver's API
and lets the queued run coordinator start them, W at a time, each run a process of its own
(``in_process`` executor inside it, as the main command runs).

Measured, from the run records in PostgreSQL: the wall time from the first survey run's launch
to the last one's end, each run's own duration (start to end), and each run process's peak
resident memory (``VmHWM`` of the code server's child processes, sampled every 0.2 s; DuckDB's
native memory is counted). Also printed: the 1-minute load average before and after (other
users of the machine slow every number). Results go to ``benchmarks/results/deployment_scaling.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = ROOT / "benchmarks" / "work" / "deployment_scaling"
RESULTS = ROOT / "benchmarks" / "results" / "deployment_scaling.md"
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}


def build_inputs(persons: int, copies: int) -> Path:
    """The generator's bundle at ``persons`` persons per survey, each survey ``copies`` times."""
    folder = WORK / f"in_{persons}_x{copies}"
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.check_call(
        [sys.executable, "-m", "synthetic", "--out", str(folder), "--persons-per-survey", str(persons)], cwd=ROOT
    )
    surveys = folder / "surveys"
    originals = [d for d in sorted(surveys.iterdir()) if d.is_dir()]
    for copy in range(2, copies + 1):
        for original in originals:
            spec = yaml.safe_load((original / "spec.yaml").read_text())
            new_id = f"{spec['survey']['id']}_C{copy}"
            target = surveys / new_id
            shutil.copytree(original, target)
            spec["survey"]["id"] = new_id
            (target / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    (folder / ".complete").touch()
    return folder


class PeakMemory(threading.Thread):
    """Samples the peak resident memory (VmHWM) of every child process of ``parent``."""

    def __init__(self, parent: int):
        super().__init__(daemon=True)
        self.parent, self.peak_kb, self._done = parent, {}, threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) != self.parent:
                        continue
                    for line in (entry / "status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            pid = int(entry.name)
                            self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), int(line.split()[1]))
                except (OSError, ValueError, IndexError):
                    continue
            time.sleep(0.2)

    def stop(self) -> None:
        self._done.set()
        self.join()


def measure(workers: int, input_dir: Path, surveys: list[str], base: Path) -> dict:
    import dagster as dg

    from tests.dagster_services import Deployment, launch_run, repository, run_errors, wait_for_runs
    from tests.postgres_server import PostgresServer

    instance_yaml = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text())
    runs = instance_yaml["concurrency"]["runs"]
    runs["max_concurrent_runs"] = workers
    for limit in runs["tag_concurrency_limits"]:
        limit["limit"] = min(limit["limit"], workers)
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    with PostgresServer() as pg:
        deployment = Deployment(base, pg.env(), input_dir, base / "out", yaml.safe_dump(instance_yaml))
        try:
            deployment.start_code_server()
            deployment.start_ui_and_daemon()
            gql, repo = deployment.gql, repository(deployment.gql)
            deployment.add_partitions("surveys", surveys)
            context = launch_run(gql, repo, "context_job", run_config=IN_PROCESS)
            assert wait_for_runs(gql, [context], 3600) == {context: "SUCCESS"}, run_errors(gql, context)
            sampler = PeakMemory(deployment.code_server.proc.pid)
            sampler.start()
            load_before = os.getloadavg()[0]
            launched = time.time()
            run_ids = [launch_run(gql, repo, "survey_job", s, IN_PROCESS) for s in surveys]
            statuses = wait_for_runs(gql, run_ids, 6 * 3600)
            sampler.stop()
            load_after = os.getloadavg()[0]
            failed = {r: run_errors(gql, r) for r, s in statuses.items() if s != "SUCCESS"}
            assert not failed, failed
            os.environ.update(
                pg.env(), DAGSTER_HOME=str(deployment.home), DAGSTER_COMPUTE_LOG_DIR=str(base / "compute_logs")
            )
            with dg.DagsterInstance.get() as instance:
                records = instance.get_run_records(filters=dg.RunsFilter(run_ids=run_ids))
                pid_of = {
                    r.dagster_run.run_id: instance.all_logs(
                        r.dagster_run.run_id, of_type=dg.DagsterEventType.RUN_START
                    )[0].dagster_event.pid
                    for r in records
                }
                per_run = [
                    {
                        "survey": r.dagster_run.tags["dagster/partition"],
                        "seconds": r.end_time - r.start_time,
                        "peak_mb": sampler.peak_kb.get(pid_of[r.dagster_run.run_id], 0) / 1024,
                    }
                    for r in records
                ]
                wall = max(r.end_time for r in records) - launched
        finally:
            deployment.stop()
    return {
        "workers": workers,
        "wall_seconds": wall,
        "runs": per_run,
        "load_before": load_before,
        "load_after": load_after,
    }


def write_results(args, results: list[dict], surveys: list[str]) -> None:
    one, two = results[0], results[-1]
    lines = [
        "# Survey partitions across run workers (deploy/dagster.yaml, queued run coordinator)",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores), "
        f"{len(surveys)} survey partitions of {args.persons:,} persons (generator bundle, {args.copies} copies).",
        "",
        "| workers | wall time (s) | run time median / max (s) | peak memory per run median / max (MB) | load before / after |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        secs = sorted(x["seconds"] for x in r["runs"])
        mem = sorted(x["peak_mb"] for x in r["runs"])
        lines.append(
            f"| {r['workers']} | {r['wall_seconds']:.0f} | {secs[len(secs) // 2]:.1f} / {secs[-1]:.1f} | "
            f"{mem[len(mem) // 2]:.0f} / {mem[-1]:.0f} | {r['load_before']:.1f} / {r['load_after']:.1f} |"
        )
    if len(results) > 1:
        lines += [
            "",
            f"Speed-up from {one['workers']} to {two['workers']} workers: {one['wall_seconds'] / two['wall_seconds']:.2f}x.",
        ]
    lines += ["", "Per run:", "", "```", json.dumps(results, indent=1), "```", ""]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines[:12]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000, help="persons per survey (default 1,000,000)")
    parser.add_argument("--copies", type=int, default=1, help="copies of every generated survey (default 1)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to compare (default 1 2)")
    parser.add_argument("--limit", type=int, help="use only the first N survey partitions")
    args = parser.parse_args()
    input_dir = build_inputs(args.persons, args.copies)
    from engine.sources import discover_surveys

    surveys = sorted(discover_surveys(input_dir))[: args.limit]
    results = [measure(w, input_dir, surveys, WORK / f"run_w{w}") for w in args.workers]
    write_results(args, results, surveys)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
