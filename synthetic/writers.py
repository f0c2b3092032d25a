"""Deterministic file writers: the same table always gives the same bytes.

CSV and Parquet are deterministic as written by Polars. Stata and SPSS files carry a creation
timestamp in their header, and xlsx workbooks carry timestamps in ``docProps/core.xml`` and in
the zip entries; the writers below replace them with ``FIXED_TIME`` so that a re-run with the
same seed reproduces every file byte for byte.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import yaml

# A wall-clock stamp without zone, as the file headers it goes into (Stata, SPSS, zip entries) hold.
FIXED_TIME = datetime(2024, 1, 1, 0, 0, 0)  # noqa: DTZ001


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` in ``encoding`` (parent folders created); line ends as given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def write_csv(frame: pl.DataFrame, path: Path, *, separator: str = ",", encoding: str = "utf-8") -> None:
    """CSV with a header; nulls as empty fields."""
    write_text(path, frame.write_csv(separator=separator, line_terminator="\n"), encoding)


def write_parquet(frame: pl.DataFrame, path: Path) -> None:
    """Write ``frame`` as zstd Parquet with statistics (parent folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path, compression="zstd", statistics=True)


def write_yaml(path: Path, doc: Any, header: str = "") -> None:
    """A YAML document in block style, keys in the given order, after ``header`` comment lines."""
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    write_text(path, header + body)


def flow(value: Any) -> str:
    """One value as single-line YAML flow text (``{source: v, codes: {1: M}}``)."""
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=100_000, allow_unicode=True).strip()
    return text[:-3].strip() if text.endswith("...") else text


def _pandas(frame: pl.DataFrame):
    """Integer columns with nulls become floats (Stata/SPSS missing); the rest keep their type."""
    casts = [pl.col(c).cast(pl.Float64) for c, t in frame.schema.items() if t.is_integer() and frame[c].null_count()]
    casts += [pl.col(c).cast(pl.Int32) for c, t in frame.schema.items() if t.is_integer() and not frame[c].null_count()]
    return frame.with_columns(casts).to_pandas()


def write_stata(
    frame: pl.DataFrame, path: Path, *, label: str, column_labels: dict[str, str], value_labels: dict[str, dict]
) -> None:
    """Stata 14+ .dta (format 118) with variable and value labels; fixed header timestamp."""
    import pyreadstat

    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_dta(
        _pandas(frame),
        str(path),
        file_label=label,
        column_labels=[column_labels.get(c) for c in frame.columns],
        version=14,
        variable_value_labels=value_labels or None,
    )
    data = path.read_bytes()
    tag = b"<timestamp>"
    at = data.index(tag) + len(tag)
    size = data[at]
    fixed = FIXED_TIME.strftime("%d %b %Y %H:%M").encode("ascii")
    assert size == len(fixed), "unexpected Stata timestamp layout"
    path.write_bytes(data[: at + 1] + fixed + data[at + 1 + size :])


def write_spss(
    frame: pl.DataFrame, path: Path, *, label: str, column_labels: dict[str, str], value_labels: dict[str, dict]
) -> None:
    """SPSS .sav (bytecode-compressed) with variable and value labels; fixed header date/time."""
    import pyreadstat

    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(
        _pandas(frame),
        str(path),
        file_label=label,
        column_labels=[column_labels.get(c) for c in frame.columns],
        row_compress=True,
        variable_value_labels=value_labels or None,
    )
    data = bytearray(path.read_bytes())
    # Header: creation date (9 bytes, "dd Mon yy") at offset 92, creation time (8 bytes) at 101.
    data[92:101] = FIXED_TIME.strftime("%d %b %y").encode("ascii")
    data[101:109] = FIXED_TIME.strftime("%H:%M:%S").encode("ascii")
    path.write_bytes(bytes(data))


_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def write_xlsx(sheets: dict[str, list[list[Any]]], path: Path) -> None:
    """A workbook with one sheet per table (first row = header); fixed document and zip times."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.properties.creator = "synthetic"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(3), data)
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            dst.writestr(info, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
