"""Where the settings resource (``assets.resources.PipelineResource``) gets its values, and the
defaults that make the pipeline run out of the box.

Input and output directories come from the CLI's ``--input`` / ``--output`` or from
``SP_INPUT_DIR`` / ``SP_OUTPUT_DIR``, defaulting to ``data/raw`` and ``output`` in the project
folder. Dagster's own storage (runs, events, check results) lives in ``--dagster-home`` or
``DAGSTER_HOME``, defaulting to ``.dagster_home`` in the project folder so that the UI shows the
runs the main command made. This module is the only reader of these variables.
The project folder is the clone the code runs from (it holds ``pyproject.toml``); when the
project is installed from a wheel, it is the current directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a resource is built: the main command takes its output lock first
    from assets.resources import PipelineResource

_SOURCE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = _SOURCE_DIR if (_SOURCE_DIR / "pyproject.toml").is_file() else Path.cwd()
DEFAULT_INPUT_DIR = PROJECT_DIR / "data" / "raw"
DEFAULT_OUTPUT_DIR = PROJECT_DIR / "output"
DEFAULT_DAGSTER_HOME = PROJECT_DIR / ".dagster_home"
FOLDERS = {"SP_INPUT_DIR": DEFAULT_INPUT_DIR, "SP_OUTPUT_DIR": DEFAULT_OUTPUT_DIR, "DAGSTER_HOME": DEFAULT_DAGSTER_HOME}


def folder(variable: str, given: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The folder ``given`` on the command line, else the one in ``variable``, else its default
    (``FOLDERS``), as an absolute path.
    """
    env = os.environ if environ is None else environ
    return Path(given or env.get(variable) or FOLDERS[variable]).resolve()


def resource_from_environment(environ: Mapping[str, str] | None = None) -> PipelineResource:
    """The settings of a deployment, the UI and the sensors, from the variables (``environ``,
    default ``os.environ``) ``SP_INPUT_DIR``, ``SP_OUTPUT_DIR``, ``DAGSTER_HOME`` (defaults: ``data/raw``, ``output`` and
    ``.dagster_home`` in the project folder); ``SP_DUCKDB_MEMORY_LIMIT`` (default 4GB, or half
    of ``SP_RUN_MEMORY_LIMIT`` when that is lower, so that DuckDB spills to disk before its
    process reaches the run's limit and is stopped), ``SP_DUCKDB_THREADS`` (2),
    ``SP_ESTIMATION_THREADS`` (1: reproducible sums), ``SP_DUCKDB_TEMP_DIR`` (default
    ``<output>/.duckdb_tmp``); ``SP_METHOD_EDITIONS`` (e.g. ``sdg_1_3_1=ILO-2020,sdg_3_8_1=2017``);
    ``SP_SURVEY_ENGINE`` (``duckdb`` or ``spark``) and, for Spark, ``SP_SPARK_MASTER`` (default
    ``local[<SP_SPARK_THREADS, 2>]``), ``SP_SPARK_SHUFFLE_PARTITIONS`` (200) and
    ``SP_SPARK_LOG_LEVEL`` (ERROR).
    """
    from assets.resources import PipelineResource

    env = os.environ if environ is None else environ
    run_limit = env.get("SP_RUN_MEMORY_LIMIT")
    temp = env.get("SP_DUCKDB_TEMP_DIR")
    return PipelineResource(
        input_dir=str(folder("SP_INPUT_DIR", None, env)),
        output_dir=str(folder("SP_OUTPUT_DIR", None, env)),
        dagster_home=str(folder("DAGSTER_HOME", None, env)),
        duckdb_memory_limit=env.get("SP_DUCKDB_MEMORY_LIMIT")
        or duckdb_memory_limit(parse_size(run_limit) if run_limit else None),
        duckdb_threads=int(env.get("SP_DUCKDB_THREADS", "2")),
        estimation_threads=int(env.get("SP_ESTIMATION_THREADS", "1")),
        duckdb_temp_directory=str(Path(temp).resolve()) if temp else "",
        editions=method_editions(env.get("SP_METHOD_EDITIONS", "")),
        survey_engine=env.get("SP_SURVEY_ENGINE") or "duckdb",
        spark_master=env.get("SP_SPARK_MASTER") or f"local[{int(env.get('SP_SPARK_THREADS', '2'))}]",
        spark_shuffle_partitions=int(env.get("SP_SPARK_SHUFFLE_PARTITIONS", "200")),
        spark_log_level=env.get("SP_SPARK_LOG_LEVEL") or "ERROR",
    )


def resource_from_arguments(
    input_dir: str | None, output_dir: str | None, dagster_home: str | None, run_memory_bytes: int | None = None
) -> PipelineResource:
    """The settings of one main command: ``resource_from_environment`` with the folders given on
    the command line, and DuckDB's memory limit from the limit of each run (``run_memory_bytes``)
    unless ``SP_DUCKDB_MEMORY_LIMIT`` is set.
    """
    base = resource_from_environment()
    changes: dict[str, object] = {
        "input_dir": str(folder("SP_INPUT_DIR", input_dir)),
        "output_dir": str(folder("SP_OUTPUT_DIR", output_dir)),
        "dagster_home": str(folder("DAGSTER_HOME", dagster_home)),
    }
    if run_memory_bytes is not None and "SP_DUCKDB_MEMORY_LIMIT" not in os.environ:
        changes["duckdb_memory_limit"] = duckdb_memory_limit(run_memory_bytes)
    return base.model_copy(update=changes)


def environment_of(resource: PipelineResource) -> dict[str, str]:
    """The variables from which ``resource_from_environment`` builds ``resource`` again: what the
    UI command hands to ``dagster dev`` (its code server builds the resource of the Definitions).
    """
    env = {
        "SP_INPUT_DIR": resource.input_dir,
        "SP_OUTPUT_DIR": resource.output_dir,
        "DAGSTER_HOME": resource.dagster_home,
        "SP_DUCKDB_MEMORY_LIMIT": resource.duckdb_memory_limit,
        "SP_DUCKDB_THREADS": str(resource.duckdb_threads),
        "SP_ESTIMATION_THREADS": str(resource.estimation_threads),
        "SP_METHOD_EDITIONS": ",".join(f"{k}={v}" for k, v in sorted(resource.editions.items())),
        "SP_SURVEY_ENGINE": resource.survey_engine,
        "SP_SPARK_MASTER": resource.spark_master,
        "SP_SPARK_SHUFFLE_PARTITIONS": str(resource.spark_shuffle_partitions),
        "SP_SPARK_LOG_LEVEL": resource.spark_log_level,
    }
    if resource.duckdb_temp_directory:
        env["SP_DUCKDB_TEMP_DIR"] = resource.duckdb_temp_directory
    return env


DEFAULT_PUBLICATION_CRON = "0 6 1 * *"  # 06:00 on the first day of every month


def publication_cron(environ: Mapping[str, str] | None = None) -> str:
    """The cron of ``publication_schedule``: ``SP_PUBLICATION_CRON`` (``environ``, default
    ``os.environ``), else ``DEFAULT_PUBLICATION_CRON``.
    """
    env = os.environ if environ is None else environ
    return env.get("SP_PUBLICATION_CRON") or DEFAULT_PUBLICATION_CRON


def duckdb_memory_limit(run_memory_bytes: int | None) -> str:
    """4GB, or half the memory limit of the run when that is lower."""
    if run_memory_bytes is not None and run_memory_bytes // 2 < parse_size("4GB"):
        return f"{run_memory_bytes // 2 // 1_000_000}MB"
    return "4GB"


def method_editions(text: str) -> dict[str, str]:
    """Editions named in ``text`` (``SP_METHOD_EDITIONS``): ``family=edition`` pairs, comma-separated."""
    pairs = [p.split("=", 1) for p in text.split(",") if "=" in p]
    return {k.strip(): v.strip() for k, v in pairs}


# Limits of every run the main command starts (the context tables, each survey, each SSI return,
# the publication), each in a process of its own (``pipelines.run_processes``).
_UNITS = {
    "B": 1,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
    "TIB": 2**40,
}


def parse_size(text: str) -> int:
    """Bytes in ``text``: a number with an optional unit, ``B``, ``KB``/``MB``/``GB``/``TB``
    (powers of 1000, as DuckDB reads them) or ``KiB``/``MiB``/``GiB``/``TiB`` (powers of 1024).
    """
    value = text.strip().upper().replace(" ", "")
    number = value.rstrip("KMGTIB")
    unit = value[len(number) :] or "B"
    if unit not in _UNITS or not number:
        raise ValueError(f"not a size: {text!r} (write e.g. 6GB, 512MB or 2GiB)")
    return int(float(number) * _UNITS[unit])


def machine_memory() -> int:
    """Physical memory of the machine, in bytes (16 GB where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 16 * 10**9


def run_memory_limit(workers: int = 1) -> int:
    """Memory (resident) one run's process may use before it is stopped: ``SP_RUN_MEMORY_LIMIT``
    (e.g. ``6GB``), by default half the machine's memory divided by the number of runs at once.
    """
    value = os.environ.get("SP_RUN_MEMORY_LIMIT")
    return parse_size(value) if value else machine_memory() // 2 // max(workers, 1)


def run_time_limit() -> float:
    """Seconds one run may take before it is stopped: ``SP_RUN_TIME_LIMIT`` (default 1800)."""
    return float(os.environ.get("SP_RUN_TIME_LIMIT", "1800"))
