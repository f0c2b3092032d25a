"""Indicators layer, country level: the published long tables ``sdg_1_3_1``, ``sdg_3_8_2``,
their gap tables and ``not_computable``, assembled in one step over every country from the
per-survey partitions and the administrative (SSI) computation (``indicators/admin_*``), in the
columns of ``schemas.indicator_tables`` (documented in docs/data_dictionary.md).

Each row carries its source, the vintage of its inputs, the method editions and the run id; the
layout and the rules labelling the rows (observation status, reliability) are in
``engine.indicator_tables``.
"""

import dagster as dg
import polars as pl

from assets.indicators.admin import CONTEXT_TABLES, context_records, vintage_label
from assets.resources import PipelineResource
from assets.tables import Indicators, MaybeIndicators, asset_key, table_multi_asset, table_outs
from engine.indicator_tables import (
    HARDSHIP_DTYPES,
    HARDSHIP_GAP_DTYPES,
    NOT_COMPUTABLE_DTYPES,
    admin_coverage_rows,
    admin_gap_rows,
    not_computable_rows,
    sorted_rows,
    source_vintages,
    survey_coverage_rows,
    survey_gap_rows,
)
from engine.method_config import SDG_1_3_1 as SDG_1_3_1_METHOD
from engine.method_config import SDG_3_8_2 as SDG_3_8_2_METHOD
from schemas.registry import INDICATORS

SDG_1_3_1, SDG_1_3_1_GAPS = INDICATORS.sdg_1_3_1, INDICATORS.sdg_1_3_1_gaps
SDG_3_8_2, SDG_3_8_2_GAPS = INDICATORS.sdg_3_8_2, INDICATORS.sdg_3_8_2_gaps
NOT_COMPUTABLE = INDICATORS.not_computable


# --- asset checks -------------------------------------------------------------------------


def coverage_checks(key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    """The five checks of an indicator table of coverage."""
    return [
        dg.AssetCheckSpec(
            "values_in_range",
            asset=key,
            blocking=True,
            description="Values within [0, 100]; above 100 only in rows of a method edition that does not cap.",
        ),
        dg.AssetCheckSpec(
            "numerator_le_denominator",
            asset=key,
            blocking=True,
            description="Numerator <= denominator, except in rows flagged with observation status E (administrative counts above their population).",
        ),
        dg.AssetCheckSpec(
            "value_matches_ratio",
            asset=key,
            blocking=True,
            description="value = 100 x numerator / denominator where no cap was applied; a capped value is never above that ratio.",
        ),
        dg.AssetCheckSpec(
            "keys_unique",
            asset=key,
            blocking=True,
            description="One row per country, year, series, breakdown and source.",
        ),
        dg.AssetCheckSpec(
            "series_complete",
            asset=key,
            blocking=True,
            description="Every series is present for every source that can compute it; the rest is listed as not computable with a reason.",
        ),
    ]


def _sample(frame: pl.DataFrame) -> str:
    """Up to 10 failing cells, named by source, series and breakdown."""
    rows = frame.head(10).iter_rows(named=True)
    return (
        "; ".join(
            f"{r['source_id']} {r['series']} {r['sex']}/{r['nationality']}/{r['age_group']}/{r['urban_rural']}: {r['value']}"
            for r in rows
        )
        or "none"
    )


def coverage_check_results(
    key: dg.AssetKey,
    table: pl.DataFrame,
    not_computable: pl.DataFrame,
    expected_series: dict[str, tuple[str, ...]],
    uncapped_editions: frozenset[str] = frozenset(),
) -> list[dg.AssetCheckResult]:
    """``expected_series``: source_kind -> the series a source of that kind can give;
    ``uncapped_editions``: method_edition labels whose edition does not cap at 100.
    """
    out_of_range = table.filter(
        (pl.col("value") < 0) | ((pl.col("value") > 100) & ~pl.col("method_edition").is_in(sorted(uncapped_editions)))
    )
    over = table.filter((pl.col("numerator") > pl.col("denominator") * (1 + 1e-12)) & (pl.col("obs_status") != "E"))
    ratio = 100 * pl.col("numerator") / pl.col("denominator")
    tolerance = 1e-9 * pl.max_horizontal(pl.lit(1.0), ratio.abs())
    capped = pl.col("capped").fill_null(False)
    mismatch = table.filter(
        pl.col("value").is_not_null()
        & ((~capped & ((pl.col("value") - ratio).abs() > tolerance)) | (capped & (pl.col("value") > ratio + tolerance)))
    )
    table_key = [c for c in SDG_3_8_2.primary_key if c in table.columns]
    dupes = table.group_by(table_key).agg(pl.len().alias("n")).filter(pl.col("n") > 1)
    missing = []
    for (kind, source), group in table.group_by("source_kind", "source_id"):
        have = set(group["series"])
        listed = set(not_computable.filter((pl.col("source_id") == source) & (pl.col("breakdown") == "all"))["series"])
        missing += [f"{source}: {s}" for s in expected_series.get(kind, ()) if s not in have and s not in listed]
    return [
        dg.AssetCheckResult(
            asset_key=key,
            check_name="values_in_range",
            passed=out_of_range.is_empty(),
            metadata={"failures": out_of_range.height, "sample": _sample(out_of_range)},
        ),
        dg.AssetCheckResult(
            asset_key=key,
            check_name="numerator_le_denominator",
            passed=over.is_empty(),
            metadata={"failures": over.height, "sample": _sample(over)},
        ),
        dg.AssetCheckResult(
            asset_key=key,
            check_name="value_matches_ratio",
            passed=mismatch.is_empty(),
            metadata={"failures": mismatch.height, "sample": _sample(mismatch)},
        ),
        dg.AssetCheckResult(
            asset_key=key, check_name="keys_unique", passed=dupes.is_empty(), metadata={"duplicated_keys": dupes.height}
        ),
        dg.AssetCheckResult(
            asset_key=key,
            check_name="series_complete",
            passed=not missing,
            metadata={
                "missing_without_reason": dg.MetadataValue.md("\n".join(f"- {m}" for m in missing) or "_none_"),
                "not_computable": dg.MetadataValue.md(
                    "\n".join(
                        f"- {r['source_id']} {r['series']} ({r['breakdown']}): {r['reason']}"
                        for r in not_computable.head(50).iter_rows(named=True)
                    )
                    or "_none_"
                ),
            },
        ),
    ]


# --- assets -------------------------------------------------------------------------------


@table_multi_asset(
    outs=table_outs(SDG_1_3_1, SDG_1_3_1_GAPS, SDG_3_8_2, SDG_3_8_2_GAPS, NOT_COMPUTABLE, kinds={"polars"}),
    check_specs=coverage_checks(asset_key(SDG_1_3_1)) + coverage_checks(asset_key(SDG_3_8_2)),
    can_subset=False,
)
def indicator_tables(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    survey_estimates: Indicators,
    survey_gaps: Indicators,
    sdg_3_8_2_survey: Indicators,
    sdg_3_8_2_survey_gaps: Indicators,
    survey_not_computable: Indicators,
    sdg_3_8_2_survey_not_computable: Indicators,
    survey_groups_not_computable: Indicators,
    admin_coverage: MaybeIndicators,
    admin_gaps: MaybeIndicators,
    admin_not_computable: MaybeIndicators,
):
    """The published long tables of SDG 1.3.1 and 3.8.2, their gaps and not_computable, over
    every survey partition present and the administrative computation.
    """
    store = pipeline.store()
    vintages = source_vintages(store)
    run_id = context.run_id
    context_vintages = vintage_label(context_records(store), CONTEXT_TABLES)
    admin = admin_coverage if admin_coverage is not None else pl.DataFrame()
    admin_gap_frame = admin_gaps if admin_gaps is not None else pl.DataFrame()
    admin_missing = admin_not_computable if admin_not_computable is not None else pl.DataFrame()
    hardship, hardship_gaps = sdg_3_8_2_survey, sdg_3_8_2_survey_gaps

    coverage = sorted_rows(
        pl.concat(
            [
                admin_coverage_rows(admin, vintages, context_vintages, run_id),
                survey_coverage_rows(survey_estimates, vintages, run_id),
            ]
        ),
        SDG_1_3_1.primary_key,
    )
    gaps = sorted_rows(
        pl.concat(
            [
                admin_gap_rows(admin_gap_frame, vintages, context_vintages, run_id),
                survey_gap_rows(survey_gaps, vintages, run_id),
            ]
        ),
        SDG_1_3_1_GAPS.primary_key,
    )
    household_dims = {"nationality": "T", "age_group": "T"}
    fin = sorted_rows(
        survey_coverage_rows(
            hardship.rename({"head_sex": "sex"}) if hardship.height else hardship,
            vintages,
            run_id,
            household_dims,
            HARDSHIP_DTYPES,
        ),
        SDG_3_8_2.primary_key,
    )
    fin_gaps = sorted_rows(
        survey_gap_rows(
            hardship_gaps.rename({"head_sex": "sex"}) if hardship_gaps.height else hardship_gaps,
            vintages,
            run_id,
            household_dims,
            HARDSHIP_GAP_DTYPES,
        ),
        SDG_3_8_2_GAPS.primary_key,
    )
    missing = pl.concat(
        [
            not_computable_rows(admin_missing, "administrative"),
            not_computable_rows(survey_not_computable, "survey"),
            not_computable_rows(sdg_3_8_2_survey_not_computable, "survey"),
            not_computable_rows(survey_groups_not_computable, "survey"),
        ],
        how="vertical_relaxed",
    ).sort(list(NOT_COMPUTABLE_DTYPES))

    yield dg.Output(coverage, output_name=SDG_1_3_1.table)
    yield dg.Output(gaps, output_name=SDG_1_3_1_GAPS.table)
    yield dg.Output(fin, output_name=SDG_3_8_2.table)
    yield dg.Output(fin_gaps, output_name=SDG_3_8_2_GAPS.table)
    yield dg.Output(missing, output_name=NOT_COMPUTABLE.table)
    method = pipeline.method(SDG_1_3_1_METHOD)
    uncapped = frozenset() if method["cap_at_100"] else frozenset({method.label})
    series_1_3_1 = tuple(method["series"])
    yield from coverage_check_results(
        asset_key(SDG_1_3_1), coverage, missing, {"survey": series_1_3_1, "administrative": series_1_3_1}, uncapped
    )
    yield from coverage_check_results(
        asset_key(SDG_3_8_2), fin, missing, {"survey": tuple(pipeline.method(SDG_3_8_2_METHOD)["series"])}
    )


INDICATOR_TABLE_ASSETS = [indicator_tables]
