"""The output directory: Parquet per asset (and per partition), written atomically.

Layout (``root`` is the output directory)::

    <layer>/<table>.parquet                  unpartitioned tables
    <layer>/<table>/<partition>.parquet      one file per survey or SSI return
    <layer>/<table>/<partition>/<name>.parquet  a partition of several files (SSI sheets)
    quarantine/<source_kind>/<source_id>.parquet
    sources/<source_kind>/<source_id>.parquet   what was read: files, sha256, vintage, row counts
    failures/<source_kind>/<source_id>.parquet  why a source was left out of this run

Every write goes to a temporary file in the same directory and is then renamed over the target,
so a crash or a killed run never leaves a half-written table where the old one stood (a folder
partition is written beside its target and swapped in whole). Parquet is
written with fixed settings so that identical frames give identical bytes.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from engine.paths import valid_output_name
from schemas.registry import table

PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "compression_level": 3, "statistics": True}

# The folders of the source and failure records (``sources/<kind>/<id>.parquet``,
# ``failures/<kind>/<id>.parquet``: the registry tables ``provenance/source_records`` and
# ``provenance/failure_records``).
SOURCE_RECORDS = "sources"
FAILURE_RECORDS = "failures"
RECORD_TABLES = {SOURCE_RECORDS: "provenance/source_records", FAILURE_RECORDS: "provenance/failure_records"}


def _check_record(folder: str, record: dict[str, Any]) -> None:
    """A record holds the columns its registry table requires, with a value."""
    declared = table(RECORD_TABLES[folder])
    missing = [c.name for c in declared.columns if c.required and record.get(c.name) is None]
    if missing:
        raise ValueError(f"{declared.name}: record of {record.get('source_id')!r} lacks {missing}")


def sha256_file(path: Path) -> str:
    """The SHA-256 of the file at ``path``, in hex, read in chunks of 1 MiB."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# The process umask, read once: temporary files are created private (mkstemp: 0600, mkdtemp:
# 0700) and get the permissions of a normally created file or folder before they are renamed
# into place, so that outputs can be read by the colleagues they are handed to.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def publish(tmp: Path | str, target: Path | str) -> None:
    """Give ``tmp`` ordinary permissions (0666 / 0777 minus the umask) and rename it over
    ``target`` in one step.
    """
    tmp = Path(tmp)
    tmp.chmod((0o777 if tmp.is_dir() else 0o666) & ~_UMASK)
    tmp.replace(target)


def _atomic_write(target: Path, write) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        publish(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _exchange(new: Path, old: Path) -> None:
    """Swap two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``); where the system or
    file system cannot, move the old one aside and the new one in (two renames).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, rename_exchange = -100, 2
    if (
        hasattr(libc, "renameat2")
        and libc.renameat2(at_fdcwd, os.fsencode(new), at_fdcwd, os.fsencode(old), rename_exchange) == 0
    ):
        return
    aside = new.with_name(new.name + ".old")
    old.rename(aside)
    new.rename(old)
    aside.rename(new)


@dataclass(frozen=True)
class Written:
    """A file written: its path, rows and SHA-256."""

    path: Path
    rows: int
    sha256: str


def _safe(name: str) -> str:
    """A partition or source id used in a path: only names of ``engine.paths.OUTPUT_NAME`` (no
    dot, no slash), so that writing or removing a source's outputs can never reach beyond
    them (a return named ``...xlsx`` once removed the whole ``raw/`` folder).
    """
    if not valid_output_name(name):
        raise ValueError(f"not a valid source id for an output path: {name!r}")
    return name


@dataclass(frozen=True)
class ParquetStore:
    """The Parquet outputs under ``root``: one file per table, or one per partition in a folder per
    table; every write is atomic.
    """

    root: Path

    def table_path(self, layer: str, table: str, partition: str | None = None) -> Path:
        """The file of ``table`` in ``layer`` (of ``partition`` when the table is partitioned)."""
        if partition is None:
            return self.root / layer / f"{table}.parquet"
        return self.root / layer / table / f"{_safe(partition)}.parquet"

    def write(self, frame: pl.DataFrame, layer: str, table: str, partition: str | None = None) -> Written:
        """Write ``frame`` to the file of ``table`` (atomically); returns what was written."""
        target = self.table_path(layer, table, partition)
        return self.write_to(frame, target)

    def write_to(self, frame: pl.DataFrame, target: Path) -> Written:
        """Write ``frame`` as Parquet to ``target`` (atomically); returns what was written."""
        _atomic_write(target, lambda tmp: frame.write_parquet(tmp, **PARQUET_OPTIONS))
        return Written(target, frame.height, sha256_file(target))

    def read(self, layer: str, table: str, partition: str | None = None) -> pl.DataFrame:
        """The table (or one partition of it) as a frame."""
        return pl.read_parquet(self.table_path(layer, table, partition))

    def exists(self, layer: str, table: str, partition: str | None = None) -> bool:
        """True when the file of the table (or of the partition) exists."""
        return self.table_path(layer, table, partition).exists()

    def partitions(self, layer: str, table: str) -> list[str]:
        """Ids of the partitions written as one Parquet file each, sorted."""
        folder = self.root / layer / table
        return sorted(p.stem for p in folder.glob("*.parquet")) if folder.is_dir() else []

    def partition_ids(self, layer: str, table: str) -> list[str]:
        """Partitions present as a file or as a folder of files (temporary files excluded)."""
        folder = self.root / layer / table
        if not folder.is_dir():
            return []
        return sorted(
            {
                p.stem if p.is_file() else p.name
                for p in folder.iterdir()
                if not p.name.startswith(".") and (p.is_dir() or p.suffix == ".parquet")
            }
        )

    def partition_paths(self, layer: str, table: str) -> list[Path]:
        """The files of the partitions of ``table``, in the order of :meth:`partitions`."""
        return [self.table_path(layer, table, p) for p in self.partitions(layer, table)]

    def read_partitions(self, layer: str, table: str, schema: dict | None = None) -> pl.DataFrame:
        """All partitions of a table, concatenated (empty frame with ``schema`` when none)."""
        paths = self.partition_paths(layer, table)
        if not paths:
            return pl.DataFrame(schema=schema or {})
        return pl.concat([pl.read_parquet(p) for p in paths], how="diagonal_relaxed")

    def remove(self, layer: str, table: str, partition: str | None = None) -> None:
        """Remove a table or one partition of it (a file, or a folder of files)."""
        self.table_path(layer, table, partition).unlink(missing_ok=True)
        if partition is not None:
            folder = self.partition_dir(layer, table, partition)
            if folder.is_dir():
                shutil.rmtree(folder)

    def partition_dir(self, layer: str, table: str, partition: str) -> Path:
        """Folder for a partition made of several files (e.g. the sheets of an SSI return)."""
        return self.root / layer / table / _safe(partition)

    def write_folder(
        self, frames: dict[str, pl.DataFrame], layer: str, table: str, partition: str
    ) -> dict[str, Written]:
        """A partition made of several files (``<name>.parquet`` for each frame), written into
        a temporary folder beside it and swapped in with one rename: a crash or a killed run
        leaves the old folder or the new one, never a half-filled one (an unfinished temporary
        folder is hidden, its name starting with a dot).
        """
        target = self.partition_dir(layer, table, partition)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{partition}.", suffix=".tmp", dir=target.parent))
        tmp.chmod(0o777 & ~_UMASK)
        try:
            written = {name: self.write_to(frame, tmp / f"{name}.parquet") for name, frame in sorted(frames.items())}
            if target.is_dir():
                _exchange(tmp, target)  # tmp now holds the old folder
                shutil.rmtree(tmp)
            else:
                tmp.rename(target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return {name: Written(target / w.path.name, w.rows, w.sha256) for name, w in written.items()}

    # --- quarantine, source records and failure records -------------------------------

    def quarantine_path(self, source_kind: str, source_id: str) -> Path:
        """The quarantine file of one source."""
        return self.root / "quarantine" / source_kind / f"{_safe(source_id)}.parquet"

    def quarantine_paths(self) -> list[Path]:
        """Every source's quarantine file, in path order."""
        return sorted((self.root / "quarantine").glob("*/*.parquet"))

    def write_quarantine(self, frame: pl.DataFrame, source_kind: str, source_id: str) -> Written:
        """Write the quarantined rows of one source (atomically)."""
        return self.write_to(frame, self.quarantine_path(source_kind, source_id))

    def record_path(self, folder: str, source_kind: str, source_id: str) -> Path:
        """The record of one source in ``folder`` (``sources`` or ``failures``)."""
        return self.root / folder / source_kind / f"{_safe(source_id)}.parquet"

    def write_record(self, folder: str, source_kind: str, source_id: str, record: dict[str, Any]) -> Path:
        """Write ``record`` (one source's record: ``provenance/source_records`` or
        ``provenance/failure_records``, schemas/resources/provenance.py) as a one-row Parquet file
        ``folder/source_kind/source_id.parquet`` (atomically); returns the path. Its columns are the
        record's keys in sorted order, nested values (lists of file records) as lists and structs,
        values that are not JSON types (paths, dates) as text, so that :meth:`read_records` gives
        back the same dict.
        """
        _check_record(folder, record)
        plain = json.loads(json.dumps(record, sort_keys=True, default=str))
        return self.write_to(pl.DataFrame([plain]), self.record_path(folder, source_kind, source_id)).path

    def read_records(self, folder: str, source_kind: str | None = None) -> list[dict[str, Any]]:
        """The records in ``folder`` (of one source kind, or all), in path order."""
        base = self.root / folder
        pattern = f"{source_kind}/*.parquet" if source_kind else "*/*.parquet"
        return [pl.read_parquet(p).to_dicts()[0] for p in sorted(base.glob(pattern))]

    def record_ids(self, folder: str, source_kind: str) -> list[str]:
        """Source ids with a record in ``folder`` (``sources`` or ``failures``)."""
        return sorted(p.stem for p in (self.root / folder / source_kind).glob("*.parquet"))

    def remove_record(self, folder: str, source_kind: str, source_id: str) -> None:
        """Remove the record of one source (nothing when there is none)."""
        self.record_path(folder, source_kind, source_id).unlink(missing_ok=True)
