"""Command line: ``sp-pipeline run`` (the whole pipeline) and ``sp-pipeline ui`` (Dagster UI).

``python tasks.py pipeline`` and ``python tasks.py ui`` call these after installing the project.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import tempfile
from pathlib import Path

from pipelines import settings

DAGSTER_YAML_HEADER = "# Project-local Dagster instance used by `sp-pipeline run` and `sp-pipeline ui`."
DAGSTER_YAML = f"""\
{DAGSTER_YAML_HEADER}
telemetry:
  enabled: false
# One step at a time in each pool: the DuckDB catalog (pool duckdb_catalog) is never written by
# two runs at once (the same setting as deploy/dagster.yaml).
concurrency:
  pools:
    default_limit: 1
"""


def _prepare_environment(args: argparse.Namespace) -> Path:
    """Export the directories (so Dagster's code and subprocesses see them) and make sure the
    Dagster home exists with its dagster.yaml."""
    if getattr(args, "input", None):
        os.environ["SP_INPUT_DIR"] = str(Path(args.input).resolve())
    if getattr(args, "output", None):
        os.environ["SP_OUTPUT_DIR"] = str(Path(args.output).resolve())
    home = Path(args.dagster_home).resolve() if getattr(args, "dagster_home", None) else settings.dagster_home()
    os.environ["DAGSTER_HOME"] = str(home)
    home.mkdir(parents=True, exist_ok=True)
    instance_yaml = home / "dagster.yaml"
    if not instance_yaml.exists() or (instance_yaml.read_text(encoding="utf-8").startswith(DAGSTER_YAML_HEADER)
                                      and instance_yaml.read_text(encoding="utf-8") != DAGSTER_YAML):
        instance_yaml.write_text(DAGSTER_YAML, encoding="utf-8")  # ours, or an older version of ours: (re)write it
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    return home


# A folder that cannot be written: read-only, full, over quota, no permission, not a folder.
OUTPUT_ERRNOS = (errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EEXIST)


def output_problem(output_dir: Path) -> str | None:
    """None when ``output_dir`` can be created and a file written in it; otherwise the one
    line that says why not (the run then stops before it starts)."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".sp-write-probe.", dir=output_dir)
        try:
            os.write(fd, b"\0" * 65536)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        return f"sp-pipeline: cannot write to the output folder {output_dir}: {exc.strerror or exc}"
    return None


def cmd_run(args: argparse.Namespace) -> int:
    home = _prepare_environment(args)
    from pipelines.output_lock import OutputInUse, output_lock
    from pipelines.run_processes import POOL

    input_dir, output_dir = settings.input_dir(), settings.output_dir()
    problem = output_problem(output_dir)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        with output_lock(output_dir):
            POOL.warm_up(args.workers)  # the workers import the project while this process does
            return _run(input_dir, output_dir, home, args.workers)
    except OutputInUse as err:
        print(f"Not started: {err}", file=sys.stderr, flush=True)
        return 2
    except OSError as exc:  # the output folder filled up or turned read-only during the run
        if exc.errno not in OUTPUT_ERRNOS:
            raise
        print(f"sp-pipeline: cannot write to the output folder {output_dir}: {exc.strerror} ({exc.filename or output_dir})", file=sys.stderr)
        return 2


def _run(input_dir: Path, output_dir: Path, home: Path, workers: int) -> int:
    import dagster as dg

    from engine.store import ParquetStore
    from pipelines.run_processes import Limits, format_bytes
    from pipelines.runner import run_all
    from pipelines.summary import build_summary, exit_code, format_summary, write_summary

    limits = Limits(settings.run_memory_limit(workers), settings.run_time_limit())
    print(f"Running the pipeline on {input_dir} -> {output_dir}", flush=True)
    print(f"{workers} run(s) at once, each stopped beyond {format_bytes(limits.memory_bytes)} of memory or "
          f"{limits.seconds:g} s (SP_RUN_MEMORY_LIMIT, SP_RUN_TIME_LIMIT)", flush=True)
    with dg.DagsterInstance.get() as instance:
        outcomes = run_all(instance, input_dir, progress=lambda line: print(line, flush=True), workers=workers, limits=limits)
    store = ParquetStore(output_dir)
    summary = build_summary(store, outcomes, input_dir=input_dir, dagster_home=home)
    path = write_summary(store, summary)
    print(format_summary(summary))
    print(f"Summary written to {path}")
    return exit_code(summary)


def cmd_ui(args: argparse.Namespace) -> int:
    """``dagster dev`` (webserver, daemon, code server) on ``--host`` (127.0.0.1 unless told
    otherwise: Dagster has no authentication, see docs/deployment.md); Ctrl-C or SIGTERM stops
    it with every process it started (pipelines/supervise.py)."""
    from pipelines.supervise import run_supervised

    _prepare_environment(args)
    cmd = [sys.executable, "-m", "dagster", "dev", "-m", "pipelines.definitions", "--host", args.host, "--port", str(args.port)]
    print(f"Dagster UI on http://{args.host}:{args.port} (Ctrl-C to stop)", flush=True)
    return run_supervised(cmd, cwd=settings.PROJECT_DIR)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sp-pipeline", description="Social protection coverage indicators (SDG 1.3.1, 3.8.1, 3.8.2).")
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--input", help="input directory (default: $SP_INPUT_DIR or data/raw)")
    common.add_argument("--output", help="output directory (default: $SP_OUTPUT_DIR or output)")
    common.add_argument("--dagster-home", help="Dagster instance directory (default: $DAGSTER_HOME or .dagster_home)")
    run = sub.add_parser("run", parents=[common], help="run the whole pipeline and print a summary")
    run.add_argument("--workers", type=int, default=1, help="runs (survey and SSI partitions) at once, each in a worker process of its own (default 1)")
    run.set_defaults(func=cmd_run)
    ui = sub.add_parser("ui", parents=[common], help="open the Dagster UI on 127.0.0.1")
    ui.add_argument("--host", default="127.0.0.1", help="address the webserver binds to (default 127.0.0.1: this machine only; "
                    "Dagster has no login, so put an authenticating proxy in front before binding a public address)")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
