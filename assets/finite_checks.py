"""Asset checks ``finite_numbers``: no NaN or infinity in an indicator table, a publication
table or the numbers of the SDMX file (``engine.finite``). Inputs are kept finite by the row
rule ``finite``; these blocking ERROR checks are the backstop: a table holding a non-finite
number fails its run (exit 1) and its downstream tables are not built, instead of NaN rows
being published. Metadata: the offending columns with their counts and a sample of rows.
"""

import dagster as dg
import polars as pl

from assets.resources import PipelineResource
from assets.tables import asset_key
from assets.validation_results import SAMPLE_ROWS, _md_table
from engine.finite import non_finite_cells
from schemas.registry import INDICATORS, PUBLICATION
from schemas.resources.publication import RESOURCES as PUBLICATION_TABLES

CHECK = "finite_numbers"
SDMX_NUMBERS = ("OBS_VALUE", "UPPER_BOUND", "LOWER_BOUND")

# The published indicator tables (their rows feed the publication), the publication tables and
# the SDMX file.
INDICATOR_TABLES = (
    INDICATORS.sdg_1_3_1,
    INDICATORS.sdg_3_8_2,
    INDICATORS.sdg_3_8_1,
    INDICATORS.sdg_1_3_1_gaps,
    INDICATORS.sdg_3_8_2_gaps,
)

# asset key -> file (relative to the output directory)
CHECKED: dict[dg.AssetKey, str] = {
    asset_key(t): t.path()
    for t in (
        *INDICATOR_TABLES,
        *(t for t in PUBLICATION_TABLES if t.storage == "parquet" and not t.as_read),
        PUBLICATION.sdg_sdmx,
    )
}


def finite_result(key: dg.AssetKey, frame: pl.DataFrame, text_columns: tuple[str, ...] = ()) -> dg.AssetCheckResult:
    """The check result: the non-finite cells of frame by column, with a sample of rows."""
    bad = non_finite_cells(frame, text_columns)
    sample = pl.DataFrame()
    if bad:
        number = lambda c: pl.col(c).cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)  # noqa: E731
        sample = frame.filter(pl.any_horizontal([number(c).is_nan() | number(c).is_infinite() for c in bad])).head(
            SAMPLE_ROWS
        )
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=CHECK,
        passed=not bad,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rows": frame.height,
            "non_finite_cells": sum(bad.values()),
            "columns": dg.MetadataValue.json(bad),
            "sample": _md_table(sample),
        },
    )


def finite_check(key: dg.AssetKey, file: str) -> dg.AssetChecksDefinition:
    """The blocking finite_numbers check of the table at key (its file: file)."""

    @dg.asset_check(
        asset=key,
        name=CHECK,
        blocking=True,
        description="No NaN or infinite number in the table (or in the SDMX numbers).",
    )
    def _check(pipeline: PipelineResource) -> dg.AssetCheckResult:
        path = pipeline.store().root / file
        if path.suffix == ".csv":
            return finite_result(key, pl.read_csv(path, infer_schema=False), SDMX_NUMBERS)
        return finite_result(key, pl.read_parquet(path))

    return _check


FINITE_CHECKS = [finite_check(key, file) for key, file in CHECKED.items()]
