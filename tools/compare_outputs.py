"""Compare two output folders of the pipeline: the proof that a refactoring changes no output.

    python tools/compare_outputs.py BEFORE AFTER [--ignore GLOB ...]

Every file of either folder is compared with its namesake in the other (hidden files and folders,
such as the run lock and DuckDB's spill folder, are left out):

* **bytes**: identical files are equal, whatever their kind;
* **Parquet**: otherwise the same columns in the same order with the same types, and the same
  rows in the same order, once the columns that name the run (``VOLATILE_COLUMNS``: ``run_id``,
  ``at``) are dropped;
* **JSON** (source and failure records, the run summary): the same document once the keys that
  name the run or time it (``VOLATILE_KEYS``) are dropped, at any depth;
* **CSV** (the SDMX file): the same header and rows, once ``VOLATILE_COLUMNS`` are dropped;
* **DuckDB** (the catalog): the same views with the same definitions (paths inside the output
  folder written relative to it), since the file's bytes differ from run to run;
* any other file (figures, Data Docs HTML) must be byte-identical unless ``--ignore`` names it.

A file present in one folder only is a difference. The exit code is 0 when the folders are equal,
1 otherwise; each difference is printed on one line: ``path: what differs``.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

VOLATILE_COLUMNS = frozenset({"run_id", "at"})
VOLATILE_KEYS = frozenset({"run_id", "at", "started", "finished", "seconds", "cpu_seconds", "peak_memory_bytes", "dagster_home",
                           "output_dir", "input_dir", "generated_at"})


@dataclass(frozen=True)
class Difference:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def files(root: Path) -> set[str]:
    """Paths (relative, POSIX) of the regular files under ``root``, hidden files and folders left out."""
    found = set()
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            found.add(rel.as_posix())
    return found


def compare(before: Path, after: Path, ignore: tuple[str, ...] = ()) -> list[Difference]:
    """Differences between the output folders ``before`` and ``after`` (empty when equal);
    files matching a glob of ``ignore`` are not compared (nor required in both)."""
    before, after = Path(before), Path(after)
    for root in (before, after):
        if not root.is_dir():
            raise FileNotFoundError(f"not a folder: {root}")
    a, b = files(before), files(after)
    differences = []
    for rel in sorted(a | b):
        if any(fnmatch.fnmatch(rel, pattern) for pattern in ignore):
            continue
        if rel not in b:
            differences.append(Difference(rel, "only in the first folder"))
        elif rel not in a:
            differences.append(Difference(rel, "only in the second folder"))
        else:
            reason = compare_file(before / rel, after / rel, before, after)
            if reason:
                differences.append(Difference(rel, reason))
    return differences


def compare_file(x: Path, y: Path, x_root: Path, y_root: Path) -> str | None:
    """None when the two files are equal (see the module docstring), else what differs."""
    if x.read_bytes() == y.read_bytes():
        return None
    suffix = x.suffix.lower()
    if suffix == ".parquet":
        return _frames(pl.read_parquet(x), pl.read_parquet(y))
    if suffix == ".json":
        left, right = _without_volatile(json.loads(x.read_text("utf-8"))), _without_volatile(json.loads(y.read_text("utf-8")))
        return None if left == right else f"JSON differs: {_first_json_difference(left, right)}"
    if suffix == ".csv":
        return _frames(_read_csv(x), _read_csv(y))
    if suffix == ".duckdb":
        left, right = _views(x, x_root), _views(y, y_root)
        if left == right:
            return None
        changed = sorted(k for k in left.keys() | right.keys() if left.get(k) != right.get(k))
        return f"catalog views differ: {', '.join(changed)}"
    return "bytes differ"


def _frames(left: pl.DataFrame, right: pl.DataFrame) -> str | None:
    left = left.drop([c for c in left.columns if c in VOLATILE_COLUMNS])
    right = right.drop([c for c in right.columns if c in VOLATILE_COLUMNS])
    if left.schema != right.schema:
        return f"columns differ: {_schema(left)} != {_schema(right)}"
    if left.height != right.height:
        return f"rows differ: {left.height} != {right.height}"
    if left.equals(right, null_equal=True):
        return None
    unequal = [c for c in left.columns if not left[c].equals(right[c], null_equal=True)]
    row = next(i for i in range(left.height) if left.row(i) != right.row(i))
    return f"values differ in {', '.join(unequal)} (first at row {row})"


def _schema(frame: pl.DataFrame) -> str:
    return ", ".join(f"{name}:{dtype}" for name, dtype in frame.schema.items())


def _read_csv(path: Path) -> pl.DataFrame:
    """A CSV file as text columns, exactly as written (no type inference)."""
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    return pl.DataFrame(body, schema={name: pl.String for name in header}, orient="row")


def _without_volatile(value):
    if isinstance(value, dict):
        return {k: _without_volatile(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_without_volatile(v) for v in value]
    return value


def _first_json_difference(left, right, where: str = "") -> str:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(left.keys() | right.keys()):
            if left.get(key) != right.get(key):
                return _first_json_difference(left.get(key), right.get(key), f"{where}.{key}")
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for i, (x, y) in enumerate(zip(left, right, strict=True)):
            if x != y:
                return _first_json_difference(x, y, f"{where}[{i}]")
    return f"{where or '(document)'}: {json.dumps(left)[:120]} != {json.dumps(right)[:120]}"


def _views(path: Path, root: Path) -> dict[str, str]:
    """View name -> definition (with ``root`` written as ``<output>``) of a DuckDB catalog file."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("SELECT schema_name || '.' || view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall()
    return {name: sql.replace(str(root.resolve()), "<output>") for name, sql in rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare two output folders of the pipeline (bytes, or rows without run_id/at).")
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--ignore", action="append", default=[], metavar="GLOB", help="paths not compared (repeatable), e.g. 'publication/data_docs/*'")
    args = parser.parse_args(argv)
    differences = compare(args.before, args.after, tuple(args.ignore))
    for difference in differences:
        print(difference)
    compared = len(files(args.before) | files(args.after))
    print(f"{compared} files compared, {len(differences)} differ" + (f" (ignored: {', '.join(args.ignore)})" if args.ignore else ""))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
