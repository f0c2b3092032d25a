"""The Parquet IO manager: how every table asset is written to and read from the output directory.

An asset returns its table as a ``pl.DataFrame`` and takes the tables it reads as arguments; the
IO manager puts them at today's places (``engine/store.py``: ``<layer>/<table>.parquet``, one file
per partition ``<layer>/<table>/<partition>.parquet``), with the store's guarantees: a temporary
file renamed over the target, fixed Parquet options (identical frames give identical bytes).

On write, a table with a declared contract (:func:`contract_of`) is conformed (the declared
columns in their order and types) and validated against its Pandera model (codes, bounds,
required values, key unique) *before* anything is written: a table that breaks its contract
fails its step and never replaces the good file of an earlier run, and nothing downstream runs
on it.

A partition made of several files (the sheets of an SSI return) is returned as a dict of frames
(name -> frame) and written as a folder swapped in whole (``ParquetStore.write_folder``).

On read, by the argument's annotation: ``pl.DataFrame`` (the default), ``pl.LazyFrame`` (a scan),
``Path`` (the file; for every partition of a partitioned table, their folder) or ``dict`` (the
frames of a folder partition); an annotation that admits ``None`` reads a table that was never written
as ``None``, any other raises naming the table. A partitioned asset reads its own partition of a
partitioned input; an unpartitioned asset reads every partition present in the output
directory, in sorted order, concatenated (no partition: an empty frame in the declared columns),
as ``ParquetStore.read_partitions`` always did: the partitions of a failed source were removed by
its step, so they are not read.

An asset whose output is a file of another format (the SDMX-CSV file, the workbook, the figures,
the catalog) writes it itself at ``<layer>/<table>.<ext>`` (or the folder ``<layer>/<table>/``)
and returns its ``Path``: the IO manager records it, and gives that path to an argument annotated
``Path``.

The IO manager is a resource that requires the ``pipeline`` settings resource, so it writes where
the run's settings say (run configuration included; a nested resource field would keep the
settings bound in the Definitions and ignore those of the run).
"""

from __future__ import annotations

import typing
from pathlib import Path

import dagster as dg
import polars as pl

from engine.store import ParquetStore
from schemas import registry
from schemas.registry import Table

FAILURE_SAMPLE = 10


def contract_of(key: dg.AssetKey) -> Table | None:
    """The declared contract of the table of asset ``key`` (``<layer>/<table>``): its table in
    the registry (``schemas/registry.py``), else None (not a registry table). The one place that
    maps an asset to its declaration.
    """
    name = "/".join(key.path)
    return registry.table(name) if name in registry.TABLES else None


def _layer_table(key: dg.AssetKey) -> tuple[str, str]:
    if len(key.path) != 2:
        raise dg.Failure(f"asset {key.to_user_string()} is not a <layer>/<table> key: the IO manager cannot place it")
    return key.path[0], key.path[1]


def _wanted(context: dg.InputContext) -> tuple[type, bool]:
    """The type an input asks for and whether it admits None (``X | None``)."""
    typing_type = context.dagster_type.typing_type
    args = typing.get_args(typing_type)
    optional = type(None) in args
    wanted = next(a for a in args if a is not type(None)) if optional else typing_type
    return typing.get_origin(wanted) or wanted, optional  # dict[str, pl.DataFrame] -> dict


class ParquetIOManager(dg.IOManager):
    """Tables as Parquet in ``store`` (see the module docstring)."""

    def __init__(self, store: ParquetStore):
        self.store = store

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        """Write ``obj`` (a frame: conformed, validated, then written atomically; a ``Path``: recorded)."""
        if obj is None:
            return
        if isinstance(obj, Path):
            context.add_output_metadata({"path": dg.MetadataValue.path(str(obj))})
            return
        layer, table = _layer_table(context.asset_key)
        partition = context.partition_key if context.has_partition_key else None
        if isinstance(obj, dict):  # a partition of several files (the sheets of an SSI return)
            written = self.store.write_folder(obj, layer, table, partition)
            context.add_output_metadata(
                {
                    "rows": dg.MetadataValue.json({name: w.rows for name, w in written.items()}),
                    "path": dg.MetadataValue.path(str(self.store.partition_dir(layer, table, partition))),
                }
            )
            return
        contract = contract_of(context.asset_key)
        frame = obj
        if contract is not None:
            frame = contract.conform(obj)
            contract.validate(frame)
        written = self.store.write(frame, layer, table, partition)
        context.add_output_metadata(
            {"rows": written.rows, "path": dg.MetadataValue.path(str(written.path)), "sha256": written.sha256}
        )

    def load_input(self, context: dg.InputContext):
        """Read the upstream table as the argument's annotation asks (see the module docstring)."""
        layer, table = _layer_table(context.asset_key)
        wanted, optional = _wanted(context)
        if context.has_asset_partitions:
            if context.has_partition_key:  # a partitioned run reads its own partition
                return self._read(layer, table, context.asset_partition_key, wanted, optional)
            return self._read_partitions(context.asset_key, layer, table, wanted)
        return self._read(layer, table, None, wanted, optional)

    def _read(self, layer: str, table: str, partition: str | None, wanted: type, optional: bool):
        if wanted is dict:  # a partition of several files, name -> frame
            folder = self.store.partition_dir(layer, table, partition)
            return {p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}
        path = self.store.table_path(layer, table, partition)
        if wanted is Path:
            return path if path.exists() or partition else self._file_output(layer, table)
        if not path.exists():
            if optional:
                return None
            where = f"{layer}/{table}" + (f" partition {partition}" if partition else "")
            raise dg.Failure(f"{where} has not been written (run the job that materialises it first)")
        return pl.scan_parquet(path) if wanted is pl.LazyFrame else pl.read_parquet(path)

    def _file_output(self, layer: str, table: str) -> Path:
        """The file of a table stored in another format (``<layer>/<table>.<ext>``) or its folder
        (``<layer>/<table>/``); ``<layer>/<table>.parquet`` when there is neither.
        """
        folder = self.store.root / layer
        found = sorted(folder.glob(f"{table}.*")) + ([folder / table] if (folder / table).is_dir() else [])
        return found[0] if found else self.store.table_path(layer, table)

    def _read_partitions(self, key: dg.AssetKey, layer: str, table: str, wanted: type):
        if wanted is Path:  # the folder of the table's partitions
            return self.store.root / layer / table
        paths = self.store.partition_paths(layer, table)
        if not paths:
            contract = contract_of(key)
            empty = contract.empty() if contract is not None else pl.DataFrame()
            return empty.lazy() if wanted is pl.LazyFrame else empty
        frame = pl.concat([pl.read_parquet(p) for p in paths], how="diagonal_relaxed")
        return frame.lazy() if wanted is pl.LazyFrame else frame


@dg.io_manager(
    required_resource_keys={"pipeline"},
    description="Parquet tables in the output directory of the pipeline settings (pipelines/io_managers.py).",
)
def parquet_io_manager(init_context: dg.InitResourceContext) -> ParquetIOManager:
    """The IO manager on the output directory of the run's ``pipeline`` settings."""
    return ParquetIOManager(init_context.resources.pipeline.store())
