"""The DuckDB catalog (``publication/catalog.duckdb``): one view per output table, for analysts
who want SQL. It holds no data: each view reads its file(s) by absolute path, so the catalog
must be rebuilt (the ``publication/catalog`` asset) if the output directory moves.

Views: schema = layer, view = table, for every table of the registry (``schemas.registry``) in
the configured layers whose file(s) exist: a Parquet table, or the files of its partitions
(``read_parquet([<files>], union_by_name = true)``; a partition written without a single column
is skipped), and a CSV table (the SDMX exports such as ``publication/sdg_sdmx.csv``): ``read_csv``
with a header row, every column text as written (codes such as ``_T`` and M49 codes unchanged,
empty fields NULL) except the columns given a type in ``csv_types`` (the SDMX numbers). A view
``main.catalog_tables`` lists them (layer, table, view, format, files). Folders of files per
partition (the sheets of raw SSI returns) and file outputs are left out. A partition added later appears when the catalog is
rebuilt.

This is DuckDB-only code (``read_parquet``/``read_csv`` table functions, a ``.duckdb`` file for
DuckDB users): it is not statistics and not part of ``sql/``, so the sqlglot portability rules
of ``sql/*.sql`` (``tests/test_sql_portability.py``) do not apply to it.

The file is built under a temporary name in the same folder and renamed over the old one, so a
reader never sees a half-built catalog; the asset that calls :func:`build_catalog` runs in the
Dagster pool ``duckdb_catalog`` (limit 1), so two runs never write it at once.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from engine.store import publish
from schemas import registry


@dataclass(frozen=True)
class CatalogView:
    """One view of the DuckDB catalog: ``layer.table`` over the Parquet (or CSV) files of a table."""

    layer: str
    table: str
    paths: tuple[str, ...]  # absolute paths of the files read
    format: str = "parquet"  # or "csv"

    @property
    def name(self) -> str:
        """The view's qualified name, ``layer.table``."""
        return f"{self.layer}.{self.table}"

    @property
    def files(self) -> int:
        """Number of files the view reads."""
        return len(self.paths)


def _has_columns(path: Path) -> bool:
    """False for a Parquet file without a single column (an empty partition written without
    schema): DuckDB cannot read it.
    """
    return bool(pl.read_parquet_schema(path))


def discover(root: Path, layers: tuple[str, ...]) -> list[CatalogView]:
    """The views of the registry tables of ``layers`` whose files exist under ``root``, in layer
    order then by table name: a Parquet table (every partition of a partitioned one) or a CSV
    file. Folders of files per partition (raw SSI returns) and file outputs are left out.
    """
    views = []
    for layer in layers:
        for t in sorted(registry.tables_in_layer(layer), key=lambda t: t.table):
            if t.storage == "csv" and (root / t.path()).is_file():
                views.append(CatalogView(layer, t.table, (str((root / t.path()).resolve()),), "csv"))
            elif t.storage == "parquet":
                files = sorted((root / t.name).glob("*.parquet")) if t.partitions else [root / t.path()]
                readable = tuple(str(f.resolve()) for f in files if f.is_file() and _has_columns(f))
                if readable:
                    views.append(CatalogView(layer, t.table, readable))
    return views


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _reader(view: CatalogView, csv_types: Mapping[str, Mapping[str, str]]) -> str:
    paths = ", ".join(_quote(p) for p in view.paths)
    if view.format == "parquet":
        return f"read_parquet([{paths}], union_by_name = true)"
    with Path(view.paths[0]).open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), [])
    types = {c: t for c, t in (csv_types.get(view.table) or {}).items() if c in header}
    typed = ", types = {" + ", ".join(f"{_quote(c)}: {_quote(t)}" for c, t in types.items()) + "}" if types else ""
    return f"read_csv([{paths}], header = true, all_varchar = true{typed})"


def build_catalog(
    root: Path, target: Path, layers: tuple[str, ...], csv_types: Mapping[str, Mapping[str, str]] | None = None
) -> list[CatalogView]:
    """Write the catalog of the output directory ``root`` to ``target``; returns its views.
    ``csv_types``: table name -> {column: DuckDB type} for the columns of a CSV table that are
    not text.
    """
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
            # A view's definition cannot take parameters: layer and table names have passed
            # IDENTIFIER (discover), paths and other text are literals quoted by _quote.
            for v in views:
                con.execute(f"CREATE VIEW {v.name} AS SELECT * FROM {_reader(v, csv_types or {})}")  # noqa: S608
            listing = (
                " UNION ALL ".join(
                    f'SELECT {_quote(v.layer)} AS layer, {_quote(v.table)} AS "table", {_quote(v.name)} AS view, '
                    f"{_quote(v.format)} AS format, {v.files} AS files"
                    for v in views
                )
                or 'SELECT NULL AS layer, NULL AS "table", NULL AS view, NULL AS format, NULL AS files WHERE FALSE'
            )
            con.execute(f"CREATE VIEW main.catalog_tables AS {listing}")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        publish(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        raise
    return views
