"""Where the pipeline reads and writes, and the defaults that make it run out of the box.

Input and output directories come from ``SP_INPUT_DIR`` / ``SP_OUTPUT_DIR`` (or the CLI's
``--input`` / ``--output``), defaulting to ``data/raw`` and ``output`` in the project folder.
Dagster's own storage (runs, events, check results) lives in ``DAGSTER_HOME``, defaulting to
``.dagster_home`` in the project folder so that the UI shows the runs the main command made.
The project folder is the clone the code runs from (it holds ``pyproject.toml``); when the
project is installed from a wheel, it is the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path

_SOURCE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = _SOURCE_DIR if (_SOURCE_DIR / "pyproject.toml").is_file() else Path.cwd()
DEFAULT_INPUT_DIR = PROJECT_DIR / "data" / "raw"
DEFAULT_OUTPUT_DIR = PROJECT_DIR / "output"
DEFAULT_DAGSTER_HOME = PROJECT_DIR / ".dagster_home"


def input_dir() -> Path:
    return Path(os.environ.get("SP_INPUT_DIR", DEFAULT_INPUT_DIR)).resolve()


def output_dir() -> Path:
    return Path(os.environ.get("SP_OUTPUT_DIR", DEFAULT_OUTPUT_DIR)).resolve()


def dagster_home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME", DEFAULT_DAGSTER_HOME)).resolve()


# DuckDB limits per process. With N processes running partitions side by side, give each about
# half the memory of the machine divided by N, and the cores divided by N (DuckDB's default is
# 80 % of RAM and every core *per process*). Spilling goes to the temp directory.
def duckdb_memory_limit() -> str:
    """``SP_DUCKDB_MEMORY_LIMIT``; by default 4GB, or half the run's memory limit when that is
    lower (``SP_RUN_MEMORY_LIMIT``, exported to every run process), so that DuckDB spills to disk
    before its process reaches the limit and is stopped."""
    if "SP_DUCKDB_MEMORY_LIMIT" in os.environ:
        return os.environ["SP_DUCKDB_MEMORY_LIMIT"]
    run_limit = os.environ.get("SP_RUN_MEMORY_LIMIT")
    if run_limit and parse_size(run_limit) // 2 < parse_size("4GB"):
        return f"{parse_size(run_limit) // 2 // 1_000_000}MB"
    return "4GB"


def duckdb_threads() -> int:
    return int(os.environ.get("SP_DUCKDB_THREADS", "2"))


def estimation_threads() -> int:
    """DuckDB threads of the survey estimation steps. 1 (the default) sums floating-point numbers
    in a fixed order, so that a re-run gives bit-for-bit identical estimates; parallelism then
    comes from running survey partitions side by side."""
    return int(os.environ.get("SP_ESTIMATION_THREADS", "1"))


def survey_engine() -> str:
    """Where the survey estimation SQL runs: ``duckdb`` (default) or ``spark`` (``SP_SURVEY_ENGINE``;
    Spark's master from ``SP_SPARK_MASTER``, see engine/spark.py)."""
    return os.environ.get("SP_SURVEY_ENGINE", "duckdb")


def duckdb_temp_directory() -> Path | None:
    """``SP_DUCKDB_TEMP_DIR`` when set; otherwise the resource spills under its own output
    directory (see ``PipelineResource.duckdb``)."""
    value = os.environ.get("SP_DUCKDB_TEMP_DIR")
    return Path(value).resolve() if value else None


def method_editions() -> dict[str, str]:
    """Editions chosen by ``SP_METHOD_EDITIONS``, e.g. ``sdg_1_3_1=ILO-2020,sdg_3_8_1=2017``."""
    raw = os.environ.get("SP_METHOD_EDITIONS", "")
    pairs = [p.split("=", 1) for p in raw.split(",") if "=" in p]
    return {k.strip(): v.strip() for k, v in pairs}


# Limits of every run the main command starts (the context tables, each survey, each SSI return,
# the publication), each in a process of its own (``pipelines.run_processes``).
_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def parse_size(text: str) -> int:
    """Bytes in ``text``: a number with an optional unit, ``B``, ``KB``/``MB``/``GB``/``TB``
    (powers of 1000, as DuckDB reads them) or ``KiB``/``MiB``/``GiB``/``TiB`` (powers of 1024)."""
    value = text.strip().upper().replace(" ", "")
    number = value.rstrip("KMGTIB")
    unit = value[len(number):] or "B"
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
    (e.g. ``6GB``), by default half the machine's memory divided by the number of runs at once."""
    value = os.environ.get("SP_RUN_MEMORY_LIMIT")
    return parse_size(value) if value else machine_memory() // 2 // max(workers, 1)


def run_time_limit() -> float:
    """Seconds one run may take before it is stopped: ``SP_RUN_TIME_LIMIT`` (default 1800)."""
    return float(os.environ.get("SP_RUN_TIME_LIMIT", "1800"))
