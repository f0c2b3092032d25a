"""Read and validate one context table (denominators, UHC tracers, reference tables).

``ingest_context_table`` reads the CSV as text, converts the declared columns, validates rows
(types, code lists, ranges, unique key, female + male <= total where all three are given) and
returns kept rows and the quarantine. A missing required table, or a missing required column,
raises ``SourceError``. Files are read through ``engine.paths`` (confined to their folder,
regular files only) and ``engine.readers.read_csv_text``.

``declared_sources`` reads the ``sources.yaml`` of a folder (origin, licence, vintage of each
file) through ``engine.safe_yaml``; an invalid one raises ``SourceError`` naming the file, the
line and the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from engine.errors import SourceError
from engine.paths import confined_file, confined_folder
from engine.quarantine import ROW_ID, column_check_issues, empty_issues, issues_frame, split_rows, validate_rows
from engine.readers import read_csv_text
from engine.safe_yaml import load_yaml_file
from engine.typed_columns import convert_table
from schemas import registry
from schemas.resources.context import ContextTable

SEX_TOLERANCE = 1e-6  # relative: F + M may exceed T by rounding only
SEX_RULE = "female_plus_male_le_total"
SOURCES_YAML = "sources.yaml"


@dataclass(frozen=True)
class IngestedTable:
    """One context table read and validated: the rows kept (typed) and the quarantined ones in the
    issue layout; ``present`` is False when the table's file is absent from the input directory.
    """

    table: ContextTable
    file: str
    present: bool
    rows_read: int
    kept: pl.DataFrame
    quarantine: pl.DataFrame
    quarantined_rows: int


def _sex_total_issues(typed: pl.DataFrame, table: ContextTable) -> pl.DataFrame:
    """Rows breaking F + M <= T (within rounding) for a value column of ``table.sex_totals``,
    comparing the F, M and T rows that share the other keys. A column is compared only where
    its F, M and T values are all given. One issue per row and failing column, the value
    showing the three numbers (``F=.. M=.. T=..``).
    """
    c = pl.col
    group = [k for k in table.key if k != "sex"]
    checks = {}
    for col in table.sex_totals:
        f, m, t = (c(col).filter(c("sex") == s).sum().over(group) for s in ("F", "M", "T"))
        given = pl.all_horizontal(
            [((c("sex") == s) & c(col).is_not_null()).sum().over(group) > 0 for s in ("F", "M", "T")]
        )
        checks[col] = (given & (f + m > t * (1 + SEX_TOLERANCE)), pl.format("F={} M={} T={}", f, m, t))
    return column_check_issues(typed, checks, SEX_RULE)


def empty_table(table: ContextTable) -> pl.DataFrame:
    """The staging table of ``table`` with no rows."""
    return registry.table(["staging", table.name]).empty()


def ingest_context_table(table: ContextTable, input_dir: Path, raw: pl.DataFrame | None = None) -> IngestedTable:
    """Validate ``raw`` (the table as text; read from the input directory when None)."""
    path = input_dir / table.file
    file = table.file
    if raw is None:
        raw = read_context_file(table, input_dir)
    if raw is None:
        return IngestedTable(table, file, False, 0, empty_table(table), empty_issues(), 0)
    missing = [v.name for v in table.columns if v.required and v.name not in raw.columns]
    if missing:
        raise SourceError(
            str(path), f"missing required column '{missing[0]}'", where=f"column {missing[0]}", rule="required_column"
        )
    frame = raw.with_row_index(ROW_ID, offset=1)
    typed, conversion = convert_table(frame, table.columns, ROW_ID)
    schema = registry.table(["staging", table.name]).pandera({ROW_ID: pl.UInt32()})
    rules = validate_rows(typed, schema, file=str(path))
    sex_totals = (
        _sex_total_issues(typed, table)
        if table.sex_totals
        else empty_issues().select("row_number", "column", "rule", "value")
    )
    issues = pl.concat([conversion, rules, sex_totals], how="vertical_relaxed").unique(
        subset=["row_number", "column"], keep="first", maintain_order=True
    )
    kept, quarantined = split_rows(typed, issues)
    return IngestedTable(
        table=table,
        file=file,
        present=True,
        rows_read=raw.height,
        kept=kept.drop(ROW_ID),
        quarantine=issues_frame(issues, source_kind="context", source_id=table.name, source_file=file),
        quarantined_rows=quarantined.height,
    )


def context_file(input_dir: Path, file: str) -> Path | None:
    """The confined path of ``file`` (``<folder>/<name>`` under the input directory), or None
    when it is not there. Raises ``SourceError`` when it leaves its folder or is not a regular
    file.
    """
    folder, name = file.split("/", 1)
    base = input_dir / folder
    if not base.exists() and not base.is_symlink():
        return None
    return confined_file(confined_folder(input_dir, Path(folder)), name, missing_ok=True)


def read_context_file(table: ContextTable, input_dir: Path) -> pl.DataFrame | None:
    """The table's CSV as text; None when an optional table is absent."""
    path = context_file(input_dir, table.file)
    if path is None:
        if table.required:
            raise SourceError(
                str(input_dir / table.file), f"required table '{table.name}' not found", rule="file_exists"
            )
        return None
    return read_csv_text(path, shown=str(input_dir / table.file))


def declared_sources(input_dir: Path, folder: str) -> dict[str, dict]:
    """File name -> its entry (origin, licence, vintage, synthetic...) in ``<folder>/sources.yaml``
    ({} when there is none). Raises ``SourceError`` when the file is not valid YAML or not laid
    out as ``files: {<name>: {...}}`` (README section 3).
    """
    path = context_file(input_dir, f"{folder}/{SOURCES_YAML}")
    if path is None:
        return {}
    shown = f"{folder}/{SOURCES_YAML}"
    doc = load_yaml_file(path, file=shown) or {}
    entries = doc.get("files", doc) if isinstance(doc, dict) else None
    if not isinstance(entries, dict) or not all(isinstance(v, dict) or v is None for v in entries.values()):
        raise SourceError(
            shown,
            "expected 'files:' mapping each file name to {origin, licence, vintage, synthetic}",
            where="files",
            rule="sources_layout",
        )
    return {str(k): v or {} for k, v in entries.items()}
