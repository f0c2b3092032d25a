"""Read survey data files (CSV, Parquet, Stata, SPSS) into Polars, unchanged.

Contract: ``read_table(path, fmt)`` returns every column of the file and one row per data row,
in file order. CSV columns are read as text (no type guessing: the harmonisation spec decides
types). Stata and SPSS value labels are not applied (the table holds the stored codes);
``read_value_labels(path, fmt)`` returns them, so that a spec may name codes by their label.
Any failure to open or parse the file raises ``SourceError`` naming the file. Callers confine
the path first (``engine.paths``). ``read_csv_text`` is the one CSV reader of the project's
inputs (surveys, SSI folders, context and reference tables).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import polars as pl

from engine.errors import SourceError

FORMATS_BY_EXTENSION = {".csv": "csv", ".parquet": "parquet", ".dta": "stata", ".sav": "spss"}
FORMATS = tuple(sorted(set(FORMATS_BY_EXTENSION.values())))


def detect_format(path: Path, declared: str | None = None) -> str:
    """The file format: the declared one, else from the extension."""
    if declared:
        if declared not in FORMATS:
            raise SourceError(str(path), f"unknown format '{declared}'; expected one of {FORMATS}", rule="format")
        return declared
    fmt = FORMATS_BY_EXTENSION.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(
            str(path),
            f"cannot tell the format from the extension '{path.suffix}'; use one of "
            f"{sorted(FORMATS_BY_EXTENSION)} or declare 'format:' in the spec",
            rule="format",
        )
    return fmt


def read_table(path: Path, fmt: str, *, separator: str = ",", encoding: str = "utf8") -> pl.DataFrame:
    """Read one data file as it is. See the module docstring for the contract."""
    if not path.exists():
        raise SourceError(str(path), "data file not found", rule="file_exists")
    if fmt == "csv":
        return read_csv_text(path, separator=separator, encoding=encoding)
    try:
        if fmt == "parquet":
            return pl.read_parquet(path)
        if fmt in ("stata", "spss"):
            return _read_readstat(path, fmt)
    except SourceError:
        raise
    except Exception as exc:  # any parser failure: name the file and the parser's reason
        raise SourceError(str(path), f"cannot read {fmt} file: {exc}", rule="readable") from exc
    raise SourceError(str(path), f"unsupported format '{fmt}'", rule="format")


TRUNCATED_RULE = "complete_last_row"
_TAIL_BYTES = 1 << 16


def read_csv_text(
    path: Path, *, separator: str = ",", encoding: str = "utf8", shown: str | None = None
) -> pl.DataFrame:
    """A CSV file with a header row, every column as text. Refuses (``SourceError``, rule
    ``complete_last_row``) a file whose last line is cut: no line end and fewer fields than the
    header, as a transfer stopped mid-row leaves it (the parser would pad the row with
    missing values and the rows after the cut would be lost unnoticed). ``shown``: the file
    as named in messages (default: the path).
    """
    shown = shown or str(path)
    utf8 = encoding.lower().replace("-", "").replace("_", "") == "utf8"
    try:
        if len(separator) != 1:
            raise SourceError(shown, "the CSV separator must be one character", value=separator, rule="csv_dialect")
        text = None if utf8 else path.read_bytes().decode(encoding)
        unique_header(shown, _header(path, separator, text))
        cut = _cut_last_line(path, separator, encoding, text)
        if cut is not None:
            row, fields, expected = cut
            raise SourceError(
                shown,
                f"the file ends in the middle of a row: its last line (data row {row:,}) has {fields} of {expected} fields and no "
                "line end, as a file cut short in transfer; complete or re-export the file",
                where=f"row {row}",
                rule=TRUNCATED_RULE,
            )
        return pl.read_csv(path if utf8 else io.StringIO(text), infer_schema=False, separator=separator)
    except SourceError:
        raise
    except LookupError:
        raise SourceError(shown, "unknown text encoding", value=encoding, rule="csv_dialect") from None
    except UnicodeDecodeError as exc:
        raise SourceError(
            shown, f"the file is not {encoding} text (byte {exc.start:,}: {exc.reason})", rule="readable"
        ) from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise SourceError(shown, f"cannot read csv file: {str(exc).splitlines()[0]}", rule="readable") from exc


def unique_header(file: str, names: list[str], where: str | None = None) -> None:
    """Refuse a table whose header names a column twice (a parser would rename or drop one)."""
    seen = set()
    for name in names:
        if name in seen:
            raise SourceError(
                file, f"the column '{name}' appears twice in the header", where=where, value=name, rule="unique_column"
            )
        seen.add(name)


def _header(path: Path, separator: str, text: str | None) -> list[str]:
    if text is None:
        with path.open("rb") as fh:
            first = fh.readline(_TAIL_BYTES).decode("utf-8", errors="replace")
    else:
        first = text[:_TAIL_BYTES].split("\n", 1)[0]
    return [h.strip() for h in next(csv.reader([first.lstrip("\ufeff").rstrip("\r\n")], delimiter=separator), [])]


def _cut_last_line(path: Path, separator: str, encoding: str, text: str | None) -> tuple[int, int, int] | None:
    """(data row, fields, header fields) when the file does not end with a line end and its
    last line has fewer fields than the header; None otherwise.
    """
    if text is None:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(_TAIL_BYTES).decode("utf-8", errors="replace")
            fh.seek(max(0, size - _TAIL_BYTES))
            tail = fh.read().decode("utf-8", errors="replace")
        lines = None
    else:
        head, tail = text[:_TAIL_BYTES], text[-_TAIL_BYTES:]
        lines = text.count("\n")
    if not tail or tail.endswith(("\n", "\r")) or "\n" not in head:
        return None
    header = next(csv.reader([head.split("\n", 1)[0]], delimiter=separator), [])
    last = next(csv.reader([tail.rsplit("\n", 1)[-1]], delimiter=separator), [])
    if len(last) >= len(header):
        return None
    if lines is None:
        with path.open("rb") as fh:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return lines, len(last), len(header)


def _read_readstat(path: Path, fmt: str) -> pl.DataFrame:
    import pyreadstat

    reader = pyreadstat.read_dta if fmt == "stata" else pyreadstat.read_sav
    frame, _meta = reader(str(path), apply_value_formats=False, user_missing=False)
    return pl.from_pandas(frame)


def read_value_labels(path: Path, fmt: str) -> dict[str, dict[Any, str]]:
    """Value labels of a Stata or SPSS file, ``{variable: {stored value: label}}`` (read from
    the file's metadata only); empty for the other formats.
    """
    if fmt not in ("stata", "spss"):
        return {}
    import pyreadstat

    reader = pyreadstat.read_dta if fmt == "stata" else pyreadstat.read_sav
    try:
        _frame, meta = reader(str(path), metadataonly=True)
    except Exception as exc:
        raise SourceError(str(path), f"cannot read the value labels of the {fmt} file: {exc}", rule="readable") from exc
    return {var: dict(labels) for var, labels in (meta.variable_value_labels or {}).items()}
