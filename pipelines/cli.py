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
from typing import TYPE_CHECKING

from pipelines import settings

if TYPE_CHECKING:
    from assets.resources import PipelineResource
    from pipelines.run_processes import Limits

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


def _prepare_dagster_home(home: Path) -> None:
    """Make sure the Dagster home exists with its dagster.yaml."""
    home.mkdir(parents=True, exist_ok=True)
    instance_yaml = home / "dagster.yaml"
    if not instance_yaml.exists() or (
        instance_yaml.read_text(encoding="utf-8").startswith(DAGSTER_YAML_HEADER)
        and instance_yaml.read_text(encoding="utf-8") != DAGSTER_YAML
    ):
        instance_yaml.write_text(DAGSTER_YAML, encoding="utf-8")  # ours, or an older version of ours: (re)write it
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


# A folder that cannot be written: read-only, full, over quota, no permission, not a folder.
OUTPUT_ERRNOS = (errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EEXIST)


def output_problem(output_dir: Path) -> str | None:
    """None when ``output_dir`` can be created and a file written in it; otherwise the one
    line that says why not (the run then stops before it starts).
    """
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".sp-write-probe.", dir=output_dir)
        try:
            os.write(fd, b"\0" * 65536)
        finally:
            os.close(fd)
            Path(probe).unlink()
    except OSError as exc:
        return f"sp-pipeline: cannot write to the output folder {output_dir}: {exc.strerror or exc}"
    return None


def cmd_run(args: argparse.Namespace) -> int:
    """The whole pipeline with the settings of the command line (``settings.resource_from_arguments``),
    handed to every run it starts as run configuration: nothing is passed through the environment.
    """
    from pipelines.output_lock import OutputInUse, output_lock
    from pipelines.run_processes import Limits

    output_dir = settings.folder("SP_OUTPUT_DIR", args.output)
    problem = output_problem(output_dir)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        with output_lock(output_dir):
            limits = Limits(settings.run_memory_limit(args.workers), settings.run_time_limit())
            resource = settings.resource_from_arguments(
                args.input, args.output, args.dagster_home, run_memory_bytes=limits.memory_bytes
            )
            _prepare_dagster_home(Path(resource.dagster_home))
            return _run(resource, args.workers, limits)
    except OutputInUse as err:
        print(f"Not started: {err}", file=sys.stderr, flush=True)
        return 2
    except OSError as exc:  # the output folder filled up or turned read-only during the run
        if exc.errno not in OUTPUT_ERRNOS:
            raise
        print(
            f"sp-pipeline: cannot write to the output folder {output_dir}: {exc.strerror} ({exc.filename or output_dir})",
            file=sys.stderr,
        )
        return 2


def _run(resource: PipelineResource, workers: int, limits: Limits) -> int:
    import dagster as dg

    from pipelines.run_processes import format_bytes
    from pipelines.runner import run_all
    from pipelines.summary import build_summary, exit_code, format_summary, write_summary

    input_dir, home = resource.input_path, Path(resource.dagster_home)
    print(f"Running the pipeline on {input_dir} -> {resource.output_path}", flush=True)
    print(
        f"{workers} run(s) at once, each stopped beyond {format_bytes(limits.memory_bytes)} of memory or "
        f"{limits.seconds:g} s (SP_RUN_MEMORY_LIMIT, SP_RUN_TIME_LIMIT)",
        flush=True,
    )
    with dg.DagsterInstance.from_config(str(home)) as instance:
        outcomes = run_all(
            instance, resource, progress=lambda line: print(line, flush=True), workers=workers, limits=limits
        )
    store = resource.store()
    summary = build_summary(store, outcomes, input_dir=input_dir, dagster_home=home)
    path = write_summary(store, summary)
    print(format_summary(summary))
    print(f"Summary written to {path}")
    return exit_code(summary)


def cmd_ui(args: argparse.Namespace) -> int:
    """``dagster dev`` (webserver, daemon, code server) on ``--host`` (127.0.0.1 unless told
    otherwise: Dagster has no authentication, see docs/deployment.md); Ctrl-C or SIGTERM stops
    it with every process it started (pipelines/supervise.py).
    """
    from pipelines.supervise import run_supervised

    resource = settings.resource_from_arguments(args.input, args.output, args.dagster_home)
    _prepare_dagster_home(Path(resource.dagster_home))
    os.environ.update(settings.environment_of(resource))  # dagster dev's code server builds the resource from these
    cmd = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-m",
        "pipelines.definitions",
        "--host",
        args.host,
        "--port",
        str(args.port),
    ]
    print(f"Dagster UI on http://{args.host}:{args.port} (Ctrl-C to stop)", flush=True)
    return run_supervised(cmd, cwd=settings.PROJECT_DIR)


def main(argv: list[str] | None = None) -> int:
    """The `sp-pipeline` command: parse the arguments, run the sub-command, return its exit code."""
    parser = argparse.ArgumentParser(
        prog="sp-pipeline", description="Social protection coverage indicators (SDG 1.3.1, 3.8.1, 3.8.2)."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--input", help="input directory (default: $SP_INPUT_DIR or data/raw)")
    common.add_argument("--output", help="output directory (default: $SP_OUTPUT_DIR or output)")
    common.add_argument("--dagster-home", help="Dagster instance directory (default: $DAGSTER_HOME or .dagster_home)")
    run = sub.add_parser("run", parents=[common], help="run the whole pipeline and print a summary")
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="runs (survey and SSI partitions) at once, each in a worker process of its own (default 1)",
    )
    run.set_defaults(func=cmd_run)
    ui = sub.add_parser("ui", parents=[common], help="open the Dagster UI on 127.0.0.1")
    ui.add_argument(
        "--host",
        default="127.0.0.1",
        help="address the webserver binds to (default 127.0.0.1: this machine only; "
        "Dagster has no login, so put an authenticating proxy in front before binding a public address)",
    )
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
