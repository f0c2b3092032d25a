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
    return os.environ.get("SP_DUCKDB_MEMORY_LIMIT", "4GB")


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
