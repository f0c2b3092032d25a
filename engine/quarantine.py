"""Row-level validation with quarantine.

A *row issue* is one broken rule on one row: which source, file, sheet, row, column, rule and
value. ``validate_rows`` runs a Pandera schema (Polars backend, data-level checks forced) and
turns every failure case into an issue; ``split_rows`` then separates kept rows from
quarantined rows so that, for every source, rows read = rows kept + rows quarantined.
Schema-level failures (a column missing or of the wrong type) are structural: they raise
``SourceError`` because no row can be trusted.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

from engine.errors import SourceError
from schemas import registry

ROW_ID = "__row"  # 1-based position of the row in its source table, carried through validation

ISSUE_SCHEMA = registry.table("publication/quarantine").polars_schema()


# Row issues before they get their source (``issues_frame`` completes them).
ROW_ISSUE_SCHEMA = pl.Schema({"row_number": pl.Int64, "column": pl.String, "rule": pl.String, "value": pl.String})


def empty_issues() -> pl.DataFrame:
    """An empty frame in the issue layout."""
    return pl.DataFrame(schema=ISSUE_SCHEMA)


def issues_frame(
    rows: pl.DataFrame, *, source_kind: str, source_id: str, source_file: str, sheet: str | None = None
) -> pl.DataFrame:
    """Complete a frame with columns ``row_number, column, rule, value`` into the issue layout."""
    return rows.select(
        pl.lit(source_kind).alias("source_kind"),
        pl.lit(source_id).alias("source_id"),
        pl.lit(source_file).alias("source_file"),
        pl.lit(sheet, dtype=pl.String).alias("sheet"),
        pl.col("row_number").cast(pl.Int64),
        pl.col("column").cast(pl.String),
        pl.col("rule").cast(pl.String),
        pl.col("value").cast(pl.String),
    )


def validate_rows(frame: pl.DataFrame, schema: pa.DataFrameSchema, *, file: str) -> pl.DataFrame:
    """Validate ``frame`` (which carries ``ROW_ID``) and return its row issues as
    ``row_number, column, rule, value``. Raises ``SourceError`` on schema-level failures.
    """
    try:
        with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
            schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        structural = cases.filter(pl.col("index").is_null())
        if structural.height:
            first = structural.row(0, named=True)
            raise SourceError(
                file,
                f"{first['check']} failed",
                where=f"column {first['column']}",
                value=first["failure_case"],
                rule=first["check"],
            ) from exc
        key = list(schema.unique or [])
        rows = frame.select(
            pl.col(ROW_ID),
            pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in key], separator="|").alias("__key")
            if key
            else pl.lit(None, dtype=pl.String).alias("__key"),
        ).with_row_index("index")
        is_unique_rule = pl.col("check") == "multiple_fields_uniqueness"
        return (
            cases.with_columns(pl.col("index").cast(pl.UInt32))
            .join(rows, on="index", how="left")
            .select(
                pl.col(ROW_ID).alias("row_number"),
                pl.when(is_unique_rule).then(pl.lit("+".join(key))).otherwise(pl.col("column")).alias("column"),
                pl.when(is_unique_rule).then(pl.lit("unique_key")).otherwise(pl.col("check")).alias("rule"),
                pl.when(is_unique_rule).then(pl.col("__key")).otherwise(pl.col("failure_case")).alias("value"),
            )
        )
    return pl.DataFrame(schema=ROW_ISSUE_SCHEMA)


def column_check_issues(frame: pl.DataFrame, checks: dict[str, tuple[pl.Expr, pl.Expr]], rule: str) -> pl.DataFrame:
    """Row issues (``row_number, column, rule, value``) of a rule evaluated per column on
    ``frame`` (which carries ``ROW_ID``): ``checks`` maps a column to (fails, value shown), one
    issue per failing row and column.
    """
    c = pl.col
    structs = [
        pl.struct(fails=fails.fill_null(False), value=shown).alias(col) for col, (fails, shown) in checks.items()
    ]
    return (
        frame.select(c(ROW_ID).cast(pl.Int64).alias("row_number"), *structs)
        .unpivot(index="row_number", variable_name="column", value_name="check")
        .unnest("check")
        .filter(c("fails"))
        .select("row_number", "column", pl.lit(rule).alias("rule"), "value")
    )


def top_rules(issues: pl.DataFrame, n: int = 3) -> str:
    """The ``n`` most frequent (rule, column) pairs of ``issues`` with their rows, as
    ``code_not_in_spec on sex (14,612), type_integer on age (3)``; ``and k more`` when there are
    others.
    """
    counts = (
        issues.group_by("rule", "column")
        .agg(pl.col("row_number").n_unique().alias("rows"))
        .sort(["rows", "rule", "column"], descending=[True, False, False])
    )
    text = ", ".join(f"{r['rule']} on {r['column']} ({r['rows']:,})" for r in counts.head(n).iter_rows(named=True))
    return text + (f", and {counts.height - n} more" if counts.height > n else "")


def split_rows(frame: pl.DataFrame, issues: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (kept, quarantined): rows with at least one issue are quarantined whole."""
    bad = issues.select(pl.col("row_number").alias(ROW_ID)).unique()
    bad = bad.with_columns(pl.col(ROW_ID).cast(frame.schema[ROW_ID]))
    kept = frame.join(bad, on=ROW_ID, how="anti", maintain_order="left")
    quarantined = frame.join(bad, on=ROW_ID, how="semi", maintain_order="left")
    return kept, quarantined
