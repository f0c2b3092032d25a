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

from assets.indicators.admin import (
    ADMIN_COVERAGE,
    ADMIN_GAPS,
    ADMIN_NOT_COMPUTABLE,
    CONTEXT_DEPS,
    context_records,
    vintage_label,
)
from assets.resources import PipelineResource
from engine.indicator_tables import (
    HARDSHIP_DTYPES,
    HARDSHIP_GAP_DTYPES,
    NOT_COMPUTABLE_DTYPES,
    SERIES_1_3_1,
    SURVEY_3_8_2_SERIES,
    admin_coverage_rows,
    admin_gap_rows,
    not_computable_rows,
    sorted_rows,
    source_vintages,
    survey_coverage_rows,
    survey_gap_rows,
)
from schemas.registry import table as table_of

ADMIN_CONTEXT_TABLES = tuple(k.path[-1] for k in CONTEXT_DEPS)


# --- asset checks -------------------------------------------------------------------------


def coverage_checks(key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            "values_in_range",
            asset=key,
            description="Values within [0, 100]; above 100 only in rows of a method edition that does not cap.",
        ),
        dg.AssetCheckSpec(
            "numerator_le_denominator",
            asset=key,
            description="Numerator <= denominator, except in rows flagged with observation status E (administrative counts above their population).",
        ),
        dg.AssetCheckSpec(
            "value_matches_ratio",
            asset=key,
            description="value = 100 x numerator / denominator where no cap was applied; a capped value is never above that ratio.",
        ),
        dg.AssetCheckSpec(
            "keys_unique", asset=key, description="One row per country, year, series, breakdown and source."
        ),
        dg.AssetCheckSpec(
            "series_complete",
            asset=key,
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
    table_key = [c for c in table_of(SDG_3_8_2.path).primary_key if c in table.columns]
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

SDG_1_3_1 = dg.AssetKey(["indicators", "sdg_1_3_1"])
SDG_1_3_1_GAPS = dg.AssetKey(["indicators", "sdg_1_3_1_gaps"])
SDG_3_8_2 = dg.AssetKey(["indicators", "sdg_3_8_2"])
SDG_3_8_2_GAPS = dg.AssetKey(["indicators", "sdg_3_8_2_gaps"])
NOT_COMPUTABLE = dg.AssetKey(["indicators", "not_computable"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            SDG_1_3_1,
            group_name="indicators",
            kinds={"polars", "parquet"},
            deps=[dg.AssetKey(["indicators", "survey_estimates"]), ADMIN_COVERAGE],
            description="SDG 1.3.1, every series, by sex, nationality, age group and area, from administrative (SSI) and survey sources, with SEs for survey estimates.",
        ),
        dg.AssetSpec(
            SDG_1_3_1_GAPS,
            group_name="indicators",
            kinds={"polars", "parquet"},
            deps=[dg.AssetKey(["indicators", "survey_gaps"]), ADMIN_GAPS],
            description="Gender gaps (female minus male) and nationality gaps (non-nationals minus nationals) of SDG 1.3.1, with design-based SEs for survey estimates.",
        ),
        dg.AssetSpec(
            SDG_3_8_2,
            group_name="indicators",
            kinds={"polars", "parquet"},
            deps=[dg.AssetKey(["indicators", "survey_financial_hardship"])],
            description="SDG 3.8.2 from household budget surveys: legacy and 2025 definitions; `sex` is the sex of the household head.",
        ),
        dg.AssetSpec(
            SDG_3_8_2_GAPS,
            group_name="indicators",
            kinds={"polars", "parquet"},
            deps=[dg.AssetKey(["indicators", "survey_financial_hardship_gaps"])],
            description="SDG 3.8.2 gaps between households headed by women and by men.",
        ),
        dg.AssetSpec(
            NOT_COMPUTABLE,
            group_name="indicators",
            kinds={"parquet"},
            deps=[
                dg.AssetKey(["indicators", "survey_not_computable"]),
                dg.AssetKey(["indicators", "survey_groups_not_computable"]),
                ADMIN_NOT_COMPUTABLE,
            ],
            description="Every series a source cannot give, with the reason (e.g. a variable declared absent).",
        ),
    ],
    check_specs=coverage_checks(SDG_1_3_1) + coverage_checks(SDG_3_8_2),
    can_subset=False,
)
def indicator_tables(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    store = pipeline.store()
    vintages = source_vintages(store)
    run_id = context.run_id
    survey_est = store.read_partitions("indicators", "survey_estimates")
    survey_gaps = store.read_partitions("indicators", "survey_gaps")
    hardship = store.read_partitions("indicators", "survey_financial_hardship")
    hardship_gaps = store.read_partitions("indicators", "survey_financial_hardship_gaps")

    context_vintages = vintage_label(context_records(store), ADMIN_CONTEXT_TABLES)
    admin = (
        store.read("indicators", "admin_coverage") if store.exists("indicators", "admin_coverage") else pl.DataFrame()
    )
    admin_gaps = store.read("indicators", "admin_gaps") if store.exists("indicators", "admin_gaps") else pl.DataFrame()
    admin_missing = (
        store.read("indicators", "admin_not_computable")
        if store.exists("indicators", "admin_not_computable")
        else pl.DataFrame()
    )

    coverage = sorted_rows(
        pl.concat(
            [
                admin_coverage_rows(admin, vintages, context_vintages, run_id),
                survey_coverage_rows(survey_est, vintages, run_id),
            ]
        ),
        table_of(SDG_1_3_1.path).primary_key,
    )
    gaps = sorted_rows(
        pl.concat(
            [
                admin_gap_rows(admin_gaps, vintages, context_vintages, run_id),
                survey_gap_rows(survey_gaps, vintages, run_id),
            ]
        ),
        table_of(SDG_1_3_1_GAPS.path).primary_key,
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
        table_of(SDG_3_8_2.path).primary_key,
    )
    fin_gaps = sorted_rows(
        survey_gap_rows(
            hardship_gaps.rename({"head_sex": "sex"}) if hardship_gaps.height else hardship_gaps,
            vintages,
            run_id,
            household_dims,
            HARDSHIP_GAP_DTYPES,
        ),
        table_of(SDG_3_8_2_GAPS.path).primary_key,
    )
    missing = pl.concat(
        [
            not_computable_rows(admin_missing, "administrative"),
            not_computable_rows(store.read_partitions("indicators", "survey_not_computable"), "survey"),
            not_computable_rows(
                store.read_partitions("indicators", "survey_financial_hardship_not_computable"), "survey"
            ),
            not_computable_rows(store.read_partitions("indicators", "survey_groups_not_computable"), "survey"),
        ],
        how="vertical_relaxed",
    ).sort(list(NOT_COMPUTABLE_DTYPES))

    written = {
        SDG_1_3_1: store.write(coverage, "indicators", "sdg_1_3_1"),
        SDG_1_3_1_GAPS: store.write(gaps, "indicators", "sdg_1_3_1_gaps"),
        SDG_3_8_2: store.write(fin, "indicators", "sdg_3_8_2"),
        SDG_3_8_2_GAPS: store.write(fin_gaps, "indicators", "sdg_3_8_2_gaps"),
        NOT_COMPUTABLE: store.write(missing, "indicators", "not_computable"),
    }
    for key, w in written.items():
        yield dg.MaterializeResult(asset_key=key, metadata={"rows": w.rows, "path": dg.MetadataValue.path(str(w.path))})
    method = pipeline.method("sdg_1_3_1")
    uncapped = frozenset() if method["cap_at_100"] else frozenset({method.label})
    yield from coverage_check_results(
        SDG_1_3_1, coverage, missing, {"survey": SERIES_1_3_1, "administrative": SERIES_1_3_1}, uncapped
    )
    yield from coverage_check_results(SDG_3_8_2, fin, missing, {"survey": SURVEY_3_8_2_SERIES})


INDICATOR_TABLE_ASSETS = [indicator_tables]
