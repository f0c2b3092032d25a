"""Dagster resources: one ``PipelineResource`` carries the input and output directories, the
DuckDB limits for each process and the method editions chosen for this deployment."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from engine.duckdb_session import DuckDBSettings
from engine.method_config import MethodEdition, load_method
from engine.store import ParquetStore
from pipelines import settings


class PipelineResource(dg.ConfigurableResource):
    """Paths, DuckDB limits and method editions. Empty edition strings mean the default edition
    named in ``config/methods/<family>.yaml``."""

    input_dir: str = ""
    output_dir: str = ""
    duckdb_memory_limit: str = "2GB"
    duckdb_threads: int = 2
    duckdb_temp_directory: str = ""
    editions: dict[str, str] = {}

    @property
    def input_path(self) -> Path:
        return Path(self.input_dir).resolve() if self.input_dir else settings.input_dir()

    @property
    def output_path(self) -> Path:
        return Path(self.output_dir).resolve() if self.output_dir else settings.output_dir()

    def store(self) -> ParquetStore:
        return ParquetStore(self.output_path)

    def duckdb(self) -> DuckDBSettings:
        temp = self.duckdb_temp_directory or str(self.output_path / ".duckdb_tmp")
        return DuckDBSettings(memory_limit=self.duckdb_memory_limit, threads=self.duckdb_threads, temp_directory=temp)

    def method(self, family: str) -> MethodEdition:
        return load_method(family, self.editions.get(family) or None)
