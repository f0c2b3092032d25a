"""The one settings resource of the pipeline: where it reads and writes, the Dagster home, the
DuckDB limits of each process and the method editions chosen.

Every field is set explicitly where the resource is built, in one place for each entry point:
``pipelines.settings.resource_from_environment`` for a deployment, the UI and the sensors (the
only reader of the ``SP_*`` variables), ``pipelines.settings.resource_from_arguments`` for the
main command, which hands it to every run it starts as run configuration; tests build it from
their temporary folders. Nothing below this resource reads the environment for these values.
The class lives here, below ``pipelines/``, because the assets are declared with it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dagster as dg

from engine.duckdb_session import DuckDBSettings
from engine.method_config import MethodEdition, load_method
from engine.store import ParquetStore

SURVEY_ENGINES = ("duckdb", "spark")


class PipelineResource(dg.ConfigurableResource):
    """Paths, Dagster home, DuckDB limits and method editions of one deployment or one run.

    ``duckdb_temp_directory`` empty: DuckDB spills under ``<output_dir>/.duckdb_tmp``.
    ``estimation_threads``: DuckDB threads of the survey estimation steps; 1 sums floating-point
    numbers in a fixed order, so that a re-run gives bit-for-bit identical estimates.
    ``editions``: family -> edition; a family not named runs the default edition of
    ``config/methods/<family>.yaml``. ``survey_engine``: ``duckdb`` or ``spark`` (engine/spark.py),
    ``spark_*`` the Spark session's settings (``engine.spark.SparkSettings``).
    """

    input_dir: str
    output_dir: str
    dagster_home: str
    duckdb_memory_limit: str = "4GB"
    duckdb_threads: int = 2
    estimation_threads: int = 1
    duckdb_temp_directory: str = ""
    editions: dict[str, str] = {}
    survey_engine: str = "duckdb"
    spark_master: str = "local[2]"
    spark_shuffle_partitions: int = 200
    spark_log_level: str = "ERROR"

    def fields(self) -> dict[str, Any]:
        """Every field and its value: ``PipelineResource(**fields)`` is the same resource (how it
        travels to another process: the resource itself cannot be pickled).
        """
        return {name: getattr(self, name) for name in type(self).model_fields}

    def run_config(self) -> dict[str, Any]:
        """Run configuration that gives a run of the Definitions exactly these settings (explicit
        resource configuration takes precedence over the resource bound in the Definitions).
        """
        return {"resources": {"pipeline": {"config": self.fields()}}}

    @property
    def input_path(self) -> Path:
        """The input directory, absolute."""
        return Path(self.input_dir).resolve()

    @property
    def output_path(self) -> Path:
        """The output directory, absolute."""
        return Path(self.output_dir).resolve()

    def store(self) -> ParquetStore:
        """The Parquet store of the output directory."""
        return ParquetStore(self.output_path)

    def duckdb(self) -> DuckDBSettings:
        """Limits for this process's in-memory DuckDB. Spilling goes to ``<temp directory>/<pid>``,
        one folder per process (parallel runs never share temporary files).
        """
        return DuckDBSettings(
            memory_limit=self.duckdb_memory_limit,
            threads=self.duckdb_threads,
            temp_directory=str(self.duckdb_spill_directory(os.getpid())),
        )

    def duckdb_spill_directory(self, pid: int) -> Path:
        """Where the DuckDB of process ``pid`` spills: ``<temp directory>/<pid>``."""
        base = self.duckdb_temp_directory or self.output_path / ".duckdb_tmp"
        return Path(base) / str(pid)

    def estimation_duckdb(self) -> DuckDBSettings:
        """Limits for the survey estimation steps: as ``duckdb()`` with ``estimation_threads``."""
        base = self.duckdb()
        return DuckDBSettings(
            memory_limit=base.memory_limit, threads=self.estimation_threads, temp_directory=base.temp_directory
        )

    def survey_estimation_engine(self) -> str:
        """``duckdb`` or ``spark``."""
        if self.survey_engine not in SURVEY_ENGINES:
            raise ValueError(f"survey engine must be 'duckdb' or 'spark', got {self.survey_engine!r}")
        return self.survey_engine

    def survey_estimation_connection(self):
        """The connection the survey estimation runs its SQL in (use it in a ``with`` block): an
        in-memory DuckDB with ``estimation_duckdb()`` limits, or for the ``spark`` engine an
        ``engine.spark.SparkConnection`` on the process's Spark session (the same SQL,
        transpiled by sqlglot, giving the same outputs).
        """
        if self.survey_estimation_engine() == "spark":
            from engine.spark import SparkSettings, spark_connection

            return spark_connection(
                SparkSettings(self.spark_master, self.spark_shuffle_partitions, self.spark_log_level)
            )
        return self.estimation_duckdb().connect()

    def method(self, family: str) -> MethodEdition:
        """The edition of method ``family`` chosen (``editions``), or its default."""
        return load_method(family, self.editions.get(family) or None)
