"""The Excel workbook report authors open (``publication/report_tables.xlsx``): one sheet per
table, the table's title in the first row, a header row, the rows, then its notes and sources
under the table; numbers formatted (percentages with one decimal, shares as percent, years and
counts as integers), header frozen, columns sized to their content.

:func:`write_workbook` writes :class:`Sheet` objects with openpyxl, atomically (temporary
file, then rename). Which tables, columns and notes go in is decided by the caller
(``engine.publication.report_tables``); this module only lays them out.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from engine.store import publish

# column format names -> Excel number formats
FORMATS = {"percent": "0.0", "share": "0.0%", "integer": "0", "number": "0.00", "text": "@"}
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
MAX_WIDTH = 60


@dataclass(frozen=True)
class Sheet:
    """One table: sheet name (at most 31 characters), title, the frame (column names as shown),
    a format name (``FORMATS``) per column that is not text, and the notes written under it.
    """

    name: str
    title: str
    frame: pl.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def _width(values: list, header: str) -> int:
    longest = max([len(header), *(len(str(v)) for v in values if v is not None)], default=8)
    return min(MAX_WIDTH, longest + 2)


def _fill(ws, sheet: Sheet) -> None:
    ws.cell(row=1, column=1, value=sheet.title).font = Font(bold=True, size=12)
    header_row = 3
    columns = sheet.frame.columns
    for j, name in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=j, value=name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(sheet.frame.iter_rows(), start=header_row + 1):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j, value=value)
            fmt = sheet.formats.get(columns[j - 1])
            if fmt:
                cell.number_format = FORMATS[fmt]
    note_row = header_row + sheet.frame.height + 2
    for k, note in enumerate(sheet.notes):
        ws.cell(row=note_row + k, column=1, value=note).alignment = Alignment(wrap_text=False)
    for j, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = _width(sheet.frame[name].to_list(), name)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def write_workbook(sheets: list[Sheet], target: Path) -> Path:
    """Write ``sheets`` (in order) to ``target`` (xlsx), atomically; returns ``target``."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        _fill(book.create_sheet(sheet.name[:31]), sheet)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        book.save(tmp)
        publish(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
