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
* **text** (SVG figures), **PDF** and **xlsx** (a zip of XML parts): the same content once the
  stamps of the moment they were written are blanked (``STAMPS``: times, UUIDs; a PDF's creation
  date; matplotlib's random SVG ids);
* **Data Docs** (``NAMES_ONLY``): the same pages, their names matched with the time of their
  validation run blanked; their content renders ``publication/validation_results``, which is
  compared row by row;
* any other file must be byte-identical unless ``--ignore`` names it.

In JSON and text files, each folder's own path is written ``<output>`` before comparing.

A file present in one folder only is a difference. The exit code is 0 when the folders are equal,
1 otherwise; each difference is printed on one line: ``path: what differs``.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

VOLATILE_COLUMNS = frozenset({"run_id", "at"})
VOLATILE_KEYS = frozenset(
    {
        "run_id",
        "at",
        "started",
        "finished",
        "seconds",
        "cpu_seconds",
        "peak_memory_bytes",
        "peak_memory_mb",
        "skipped",
        "run_reason",
        "dagster_home",
        "output_dir",
        "input_dir",
        "generated_at",
    }
)
# Compared by name only: Great Expectations' Data Docs render publication/validation_results
# (compared row by row) with run times, temporary names and random element ids in every page.
NAMES_ONLY = ("publication/data_docs/*",)
# matplotlib's SVG ids of markers, paths, hatches and clip paths (a random salt per process).
SVG_IDS = re.compile(r"\b([mph]|C\d+_\d+_)[0-9a-f]{10}\b")
# Stamps of the moment a file was written: compact and ISO times (GX run names, Data Docs,
# matplotlib's SVG metadata, xlsx document properties) and UUIDs (Data Docs element ids).
STAMPS = re.compile(
    r"\d{8}T\d{6}(\.\d+)?Z"
    r"|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:[^)]*\)")
TEXT_SUFFIXES = frozenset({".html", ".svg", ".xml", ".md", ".txt", ".css", ".js", ".yaml", ".yml"})


@dataclass(frozen=True)
class Difference:
    """A file that differs between the two folders (or is in one only), and how."""

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
    files matching a glob of ``ignore`` are not compared (nor required in both).
    """
    before, after = Path(before), Path(after)
    for root in (before, after):
        if not root.is_dir():
            raise FileNotFoundError(f"not a folder: {root}")
    a, b = _by_key(files(before), ignore), _by_key(files(after), ignore)
    differences = []
    for key in sorted(a.keys() | b.keys()):
        left, right = a.get(key, []), b.get(key, [])
        for rel in left[len(right) :]:
            differences.append(Difference(rel, "only in the first folder"))
        for rel in right[len(left) :]:
            differences.append(Difference(rel, "only in the second folder"))
        for x, y in zip(left, right, strict=False):  # the unpaired ones are listed above
            if any(fnmatch.fnmatch(x, pattern) for pattern in NAMES_ONLY):
                continue
            reason = compare_file(before / x, after / y, before, after)
            if reason:
                differences.append(Difference(x, reason))
    return differences


def _by_key(paths: set[str], ignore: tuple[str, ...]) -> dict[str, list[str]]:
    """Paths by their name with stamps blanked (files of one key paired in sorted order)."""
    keyed: dict[str, list[str]] = {}
    for rel in sorted(paths):
        if not any(fnmatch.fnmatch(rel, pattern) for pattern in ignore):
            keyed.setdefault(STAMPS.sub("<stamp>", rel), []).append(rel)
    return keyed


def compare_file(x: Path, y: Path, x_root: Path, y_root: Path) -> str | None:  # noqa: C901 (one branch per file kind)
    """None when the two files are equal (see the module docstring), else what differs."""
    if x.read_bytes() == y.read_bytes():
        return None
    suffix = x.suffix.lower()
    if suffix == ".parquet":
        return _frames(pl.read_parquet(x), pl.read_parquet(y))
    if suffix == ".json":
        left = _without_volatile(json.loads(_text(x.read_bytes(), x_root, stamps=False)))
        right = _without_volatile(json.loads(_text(y.read_bytes(), y_root, stamps=False)))
        return None if left == right else f"JSON differs: {_first_json_difference(left, right)}"
    if suffix == ".csv":
        return _frames(_read_csv(x), _read_csv(y))
    if suffix == ".duckdb":
        left, right = _views(x, x_root), _views(y, y_root)
        if left == right:
            return None
        changed = sorted(k for k in left.keys() | right.keys() if left.get(k) != right.get(k))
        return f"catalog views differ: {', '.join(changed)}"
    if suffix in TEXT_SUFFIXES:
        left, right = _text(x.read_bytes(), x_root), _text(y.read_bytes(), y_root)
        if suffix == ".svg":
            left, right = SVG_IDS.sub("<id>", left), SVG_IDS.sub("<id>", right)
        return None if left == right else "text differs (stamps blanked)"
    if suffix == ".pdf":
        return (
            None
            if PDF_DATES.sub(b"", x.read_bytes()) == PDF_DATES.sub(b"", y.read_bytes())
            else "bytes differ (creation date left out)"
        )
    if suffix == ".xlsx":
        return _zip_parts(x, y)
    return "bytes differ"


def _text(data: bytes, root: Path, stamps: bool = True) -> str:
    text = (
        data.decode("utf-8", errors="replace").replace(str(root.resolve()), "<output>").replace(str(root), "<output>")
    )
    return STAMPS.sub("<stamp>", text) if stamps else text


def _zip_parts(x: Path, y: Path) -> str | None:
    with zipfile.ZipFile(x) as zx, zipfile.ZipFile(y) as zy:
        left = {n: STAMPS.sub("<stamp>", zx.read(n).decode("utf-8", errors="replace")) for n in zx.namelist()}
        right = {n: STAMPS.sub("<stamp>", zy.read(n).decode("utf-8", errors="replace")) for n in zy.namelist()}
    changed = sorted(n for n in left.keys() | right.keys() if left.get(n) != right.get(n))
    return f"parts differ: {', '.join(changed)}" if changed else None


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
    return pl.DataFrame(body, schema=dict.fromkeys(header, pl.String), orient="row")


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
        rows = con.execute(
            "SELECT schema_name || '.' || view_name, sql FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    return {name: sql.replace(str(root.resolve()), "<output>") for name, sql in rows}


def main(argv: list[str] | None = None) -> int:
    """Compare the two folders named on the command line; exit code 0 when equal, 1 when not."""
    parser = argparse.ArgumentParser(
        description="Compare two output folders of the pipeline (bytes, or rows without run_id/at)."
    )
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="GLOB",
        help="paths not compared (repeatable), e.g. 'publication/data_docs/*'",
    )
    args = parser.parse_args(argv)
    differences = compare(args.before, args.after, tuple(args.ignore))
    for difference in differences:
        print(difference)
    compared = len(files(args.before) | files(args.after))
    print(
        f"{compared} files compared, {len(differences)} differ"
        + (f" (ignored: {', '.join(args.ignore)})" if args.ignore else "")
    )
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
