"""Turn validation outcomes into Dagster asset-check results (pass/fail, counts, a sample)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandera.polars as pa
import polars as pl
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

ROWS_RECONCILE = "rows_reconcile"
CANONICAL_SCHEMA = "canonical_schema"
NO_QUARANTINE = "no_quarantined_rows"
SAMPLE_ROWS = 10


def check_specs(asset_key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    """The three checks every ingested source carries."""
    return [
        dg.AssetCheckSpec(ROWS_RECONCILE, asset=asset_key, description="Rows read = rows kept + rows quarantined."),
        dg.AssetCheckSpec(
            CANONICAL_SCHEMA,
            asset=asset_key,
            description="The Parquet file as written, read back: the declared columns in their order and dtypes, and the canonical Pandera model's data-level checks.",
        ),
        dg.AssetCheckSpec(
            NO_QUARANTINE, asset=asset_key, description="No row was quarantined (warning: see the quarantine table)."
        ),
    ]


def _md_table(frame: pl.DataFrame) -> dg.MetadataValue:
    if frame.is_empty():
        return dg.MetadataValue.md("_none_")
    header = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * frame.width + "\n"
    body = "\n".join(
        "| " + " | ".join("" if v is None else str(v)[:60] for v in row) + " |" for row in frame.iter_rows()
    )
    return dg.MetadataValue.md(header + body)


def reconcile_result(
    asset_key: dg.AssetKey, rows_read: int, rows_kept: int, rows_quarantined: int
) -> dg.AssetCheckResult:
    """The rows_reconcile check result: rows read = rows kept + rows quarantined."""
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=ROWS_RECONCILE,
        passed=rows_read == rows_kept + rows_quarantined,
        metadata={"rows_read": rows_read, "rows_kept": rows_kept, "rows_quarantined": rows_quarantined},
    )


def _column_order(found: list[str], declared: list[str]) -> list[dict]:
    """A failure at the first position where the file's columns depart from the declared order
    (missing and extra columns are also reported by the strict schema).
    """
    if found == declared:
        return []
    at = next(
        (i for i, (a, b) in enumerate(zip(found, declared, strict=False)) if a != b), min(len(found), len(declared))
    )
    file_col, declared_col = (repr(cols[at]) if at < len(cols) else "none" for cols in (found, declared))
    return [
        {
            "column": None,
            "check": "column_order",
            "failure_case": f"position {at}: {file_col}, declared {declared_col}",
            "index": None,
        }
    ]


def schema_result(asset_key: dg.AssetKey, path: Path, schema: pa.DataFrameSchema) -> dg.AssetCheckResult:
    """Validate the table *as written*: the Parquet file at ``path`` read back, against its
    declared canonical ``schema``: column names and order, dtypes (strict schema), and the
    data-level checks (code lists, ranges, key unique). The ingest validated the rows before
    writing; this checks the artefact every downstream step reads, so a write that changes a
    type (an all-null column, an empty table), drops, adds or reorders a column fails here.
    """
    frame = pl.read_parquet(path)
    failures = _column_order(frame.columns, list(schema.columns))
    try:
        with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
            schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases.select(
            "column", "check", pl.col("failure_case").cast(pl.String), pl.col("index").cast(pl.Int64)
        )
        failures += cases.to_dicts()
    found = pl.DataFrame(
        failures, schema={"column": pl.String, "check": pl.String, "failure_case": pl.String, "index": pl.Int64}
    )
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=CANONICAL_SCHEMA,
        passed=found.is_empty(),
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "rows": frame.height,
            "failures": found.height,
            "failure_sample": _md_table(found.head(SAMPLE_ROWS)),
        },
    )


def quarantine_result(asset_key: dg.AssetKey, quarantine: pl.DataFrame, rows_quarantined: int) -> dg.AssetCheckResult:
    """The no_quarantined_rows check result (WARN), with the issues by rule and a sample."""
    by_rule = (
        quarantine.group_by("column", "rule")
        .agg(pl.len().alias("rows"))
        .sort("rows", "column", descending=[True, False])
        if quarantine.height
        else pl.DataFrame()
    )
    sample_cols = [c for c in ("sheet", "row_number", "column", "rule", "value") if c in quarantine.columns]
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=NO_QUARANTINE,
        passed=rows_quarantined == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rows_quarantined": rows_quarantined,
            "issues": quarantine.height,
            "issues_by_rule": _md_table(by_rule),
            "sample": _md_table(quarantine.select(sample_cols).head(SAMPLE_ROWS)),
        },
    )
