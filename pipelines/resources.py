"""Dagster resources: one ``PipelineResource`` carries the input and output directories, the
DuckDB limits for each process and the method editions chosen for this deployment."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from engine.duckdb_session import DuckDBSettings
from engine.method_config import MethodEdition, load_method
from engine.store import ParquetStore
from pipelines import settings


class PipelineResource(dg.ConfigurableResource):
    """Paths, DuckDB limits and method editions. Empty fields fall back to the environment
    (``SP_INPUT_DIR``, ``SP_OUTPUT_DIR``, ``SP_DUCKDB_*``; see ``pipelines.settings``); an edition
    not given means the default edition named in ``config/methods/<family>.yaml``."""

    input_dir: str = ""
    output_dir: str = ""
    duckdb_memory_limit: str = ""
    duckdb_threads: int = 0
    duckdb_temp_directory: str = ""
    editions: dict[str, str] = {}
    survey_engine: str = ""

    @property
    def input_path(self) -> Path:
        return Path(self.input_dir).resolve() if self.input_dir else settings.input_dir()

    @property
    def output_path(self) -> Path:
        return Path(self.output_dir).resolve() if self.output_dir else settings.output_dir()

    def store(self) -> ParquetStore:
        return ParquetStore(self.output_path)

    def duckdb(self) -> DuckDBSettings:
        """Limits for this process's in-memory DuckDB (empty/0 fields: ``SP_DUCKDB_*`` env).
        Spilling goes to ``<temp directory>/<pid>``, one folder per process (parallel runs never
        share temporary files); the temp directory defaults to ``<output_dir>/.duckdb_tmp``."""
        return DuckDBSettings(
            memory_limit=self.duckdb_memory_limit or settings.duckdb_memory_limit(),
            threads=self.duckdb_threads or settings.duckdb_threads(),
            temp_directory=str(self.duckdb_spill_directory(os.getpid())),
        )

    def duckdb_spill_directory(self, pid: int) -> Path:
        """Where the DuckDB of process ``pid`` spills: ``<temp directory>/<pid>``."""
        base = self.duckdb_temp_directory or settings.duckdb_temp_directory() or self.output_path / ".duckdb_tmp"
        return Path(base) / str(pid)

    def estimation_duckdb(self) -> DuckDBSettings:
        """Limits for the survey estimation steps: as ``duckdb()`` with ``SP_ESTIMATION_THREADS``
        threads (1 by default: reproducible sums)."""
        base = self.duckdb()
        return DuckDBSettings(memory_limit=base.memory_limit, threads=settings.estimation_threads(), temp_directory=base.temp_directory)

    def survey_estimation_engine(self) -> str:
        """``duckdb`` or ``spark``: this field, else ``SP_SURVEY_ENGINE``, else ``duckdb``."""
        engine = self.survey_engine or settings.survey_engine()
        if engine not in ("duckdb", "spark"):
            raise ValueError(f"survey engine must be 'duckdb' or 'spark', got {engine!r}")
        return engine

    def survey_estimation_connection(self):
        """The connection the survey estimation runs its SQL in (use it in a ``with`` block): an
        in-memory DuckDB with ``estimation_duckdb()`` limits, or for the ``spark`` engine an
        ``engine.spark.SparkConnection`` on the process's Spark session (the same SQL,
        transpiled by sqlglot, giving the same outputs)."""
        if self.survey_estimation_engine() == "spark":
            from engine.spark import spark_connection

            return spark_connection()
        return self.estimation_duckdb().connect()

    def method(self, family: str) -> MethodEdition:
        chosen = self.editions.get(family) or settings.method_editions().get(family)
        return load_method(family, chosen or None)
