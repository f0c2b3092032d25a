"""The DuckDB catalog (``publication/catalog.duckdb``): one view per Parquet table, for analysts
who want SQL. It holds no data: each view reads its Parquet file(s) by absolute path, so the
catalog must be rebuilt (the ``publication/catalog`` asset) if the output directory moves.

Views: schema = layer, view = table, for every ``<layer>/<table>.parquet`` and every
``<layer>/<table>/`` folder of per-partition files (``read_parquet([<files>], union_by_name =
true)``; partitions written without a single column are skipped) of the configured layers; a
view ``main.catalog_tables`` lists them (layer, table, view, files). Deeper folders (the sheets
of raw SSI returns) are left out. A partition added later appears when the catalog is rebuilt.

The file is built under a temporary name in the same folder and renamed over the old one, so a
reader never sees a half-built catalog; the asset that calls :func:`build_catalog` runs in the
Dagster pool ``duckdb_catalog`` (limit 1), so two runs never write it at once.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class CatalogView:
    layer: str
    table: str
    paths: tuple[str, ...]  # absolute paths of the Parquet files read

    @property
    def name(self) -> str:
        return f"{self.layer}.{self.table}"

    @property
    def files(self) -> int:
        return len(self.paths)


def _has_columns(path: Path) -> bool:
    """False for a Parquet file without a single column (an empty partition written without
    schema): DuckDB cannot read it."""
    return bool(pl.read_parquet_schema(path))


def discover(root: Path, layers: tuple[str, ...]) -> list[CatalogView]:
    views = []
    for layer in layers:
        folder = root / layer
        if not folder.is_dir() or not IDENTIFIER.match(layer):
            continue
        for path in sorted(folder.iterdir()):
            name = path.stem if path.is_file() else path.name
            if not IDENTIFIER.match(name):
                continue
            files = [path] if path.is_file() and path.suffix == ".parquet" else sorted(path.glob("*.parquet")) if path.is_dir() else []
            readable = tuple(str(f.resolve()) for f in files if _has_columns(f))
            if readable:
                views.append(CatalogView(layer, name, readable))
    return views


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def build_catalog(root: Path, target: Path, layers: tuple[str, ...]) -> list[CatalogView]:
    """Write the catalog of the output directory ``root`` to ``target``; returns its views."""
    views = discover(root, layers)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB creates the file itself
    try:
        con = duckdb.connect(str(tmp))
        try:
            for layer in sorted({v.layer for v in views}):
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {layer}")
            for v in views:
                reader = f"read_parquet([{', '.join(_quote(p) for p in v.paths)}], union_by_name = true)"
                con.execute(f"CREATE VIEW {v.name} AS SELECT * FROM {reader}")
            listing = " UNION ALL ".join(
                f"SELECT {_quote(v.layer)} AS layer, {_quote(v.table)} AS \"table\", {_quote(v.name)} AS view, {v.files} AS files"
                for v in views
            ) or "SELECT NULL AS layer, NULL AS \"table\", NULL AS view, NULL AS files WHERE FALSE"
            con.execute(f"CREATE VIEW main.catalog_tables AS {listing}")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        raise
    return views
