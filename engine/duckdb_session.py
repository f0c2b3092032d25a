"""In-process DuckDB connections with bounded memory and threads.

Each step opens its own ``:memory:`` database (never a shared writable file: parallel steps would
fight over its lock) and reads Parquet. ``memory_limit``, ``threads`` and ``temp_directory``
come from the pipeline configuration so that several processes can run side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class DuckDBSettings:
    """Limits of a DuckDB connection: memory limit, threads and the folder it may spill to."""

    memory_limit: str = "2GB"
    threads: int = 2
    temp_directory: str | None = None

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A new in-memory DuckDB connection with these limits (insertion order not preserved)."""
        config: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": self.memory_limit,
            "threads": str(self.threads),
            "preserve_insertion_order": "false",
        }
        if self.temp_directory:
            # DuckDB creates the folder itself when it first spills (and removes it on close),
            # but not its parents
            Path(self.temp_directory).parent.mkdir(parents=True, exist_ok=True)
            config["temp_directory"] = self.temp_directory
        return duckdb.connect(":memory:", config=config)
