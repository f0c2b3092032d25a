"""Indicators layer, SDG 3.8.1: the UHC service coverage index of every country and year in one
step (``sql/sdg_3_8_1.sql`` through ``engine.sdg_3_8_1``), from the staged tracer table, the
malaria high-burden list, the country groupings and the WPP population (regional values are
population-weighted).

Writes ``indicators/sdg_3_8_1`` (the published layout, ``schemas/resources/sdg_3_8_1.py``),
the per-tracer detail with imputation flags (``sdg_3_8_1_tracers``), the population-weighted
regional values (``sdg_3_8_1_regional``), and the tracer rows the index cannot use
(``quarantine/uhc/sdg_3_8_1``), each with its asset checks.
"""

import time
from datetime import UTC, datetime

import dagster as dg
import polars as pl

from assets.indicators.admin import context_records, vintage_label
from assets.resources import PipelineResource
from assets.tables import MaybeStaging, asset_key, table_multi_asset, table_outs
from engine.indicator_tables import published_index, quarantine_issues, total_population
from engine.method_config import SDG_3_8_1 as SDG_3_8_1_METHOD
from engine.sdg_3_8_1 import compute_uhc_index
from engine.store import SOURCE_RECORDS
from schemas.registry import INDICATORS, STAGING

INDEX, TRACERS, REGIONAL = INDICATORS.sdg_3_8_1, INDICATORS.sdg_3_8_1_tracers, INDICATORS.sdg_3_8_1_regional
SDG_3_8_1 = asset_key(INDEX)
UHC = "uhc"  # the source kind of the tracer table's record and quarantine (quarantine/uhc/<index table>)


def index_check_results(table: pl.DataFrame) -> list[dg.AssetCheckResult]:
    """Values and category values within [1, 100]; one row per country, year and series; the
    imputed share consistent with the tracer counts.
    """
    values = ("value", "rmnch", "infectious_diseases", "ncd", "capacity")
    out_of_range = table.filter(pl.any_horizontal((pl.col(c) < 1) | (pl.col(c) > 100) for c in values))
    dupes = table.group_by(list(INDEX.primary_key)).agg(pl.len().alias("n")).filter(pl.col("n") > 1)
    share = table.filter(
        (pl.col("n_tracers_used") > 0)
        & ((pl.col("imputed_share") - pl.col("n_tracers_imputed") / pl.col("n_tracers_used")).abs() > 1e-12)
    )
    sample = ", ".join(f"{r['ref_area']} {r['year']}" for r in out_of_range.head(10).iter_rows(named=True)) or "none"
    return [
        dg.AssetCheckResult(
            asset_key=SDG_3_8_1,
            check_name="values_in_range",
            passed=out_of_range.is_empty(),
            metadata={"failures": out_of_range.height, "sample": sample},
        ),
        dg.AssetCheckResult(
            asset_key=SDG_3_8_1,
            check_name="keys_unique",
            passed=dupes.is_empty(),
            metadata={"duplicated_keys": dupes.height},
        ),
        dg.AssetCheckResult(
            asset_key=SDG_3_8_1,
            check_name="imputed_share_consistent",
            passed=share.is_empty(),
            metadata={"failures": share.height},
        ),
    ]


@table_multi_asset(
    outs=table_outs(INDEX, TRACERS, REGIONAL, kinds={"duckdb", "sql"}),
    check_specs=[
        dg.AssetCheckSpec(
            "values_in_range", asset=SDG_3_8_1, blocking=True, description="Index and category values within [1, 100]."
        ),
        dg.AssetCheckSpec(
            "keys_unique", asset=SDG_3_8_1, blocking=True, description="One row per country, year and series."
        ),
        dg.AssetCheckSpec(
            "imputed_share_consistent",
            asset=SDG_3_8_1,
            blocking=True,
            description="imputed_share = tracers imputed / tracers used.",
        ),
        dg.AssetCheckSpec(
            "no_quarantined_rows",
            asset=SDG_3_8_1,
            description="No tracer row was set aside (warning: see quarantine/uhc/sdg_3_8_1).",
        ),
    ],
    can_subset=False,
)
def sdg_3_8_1(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    uhc_tracers: MaybeStaging,
    malaria_high_burden: MaybeStaging,
    countries: MaybeStaging,
    population: MaybeStaging,
):
    """The UHC service coverage index of every country and year, its tracers and regional values."""
    store = pipeline.store()
    started = time.perf_counter()
    frames = (
        (STAGING.uhc_tracers, uhc_tracers),
        (STAGING.malaria_high_burden, malaria_high_burden),
        (STAGING.countries, countries),
        (STAGING.population, population),
    )
    missing = [t.table for t, frame in frames if frame is None]
    if missing:
        raise dg.Failure(f"SDG 3.8.1 needs the staging tables {missing} (run context_job first)")
    method = pipeline.method(SDG_3_8_1_METHOD)
    result = compute_uhc_index(
        uhc_tracers, malaria_high_burden, countries, total_population(population, countries), method=method
    )
    records = context_records(store)
    vintage = vintage_label(records, (STAGING.uhc_tracers.table, STAGING.population.table))
    index = published_index(result.index, vintage, context.run_id)
    quarantine = store.write_quarantine(quarantine_issues(result.quarantine), UHC, INDEX.table)
    store.write_record(
        SOURCE_RECORDS,
        UHC,
        INDEX.table,
        {
            "source_kind": UHC,
            "source_id": INDEX.table,
            "files": ["uhc/tracers.csv"],
            "vintage": vintage,
            "rows_read": uhc_tracers.height,
            "rows_kept": uhc_tracers.height - result.quarantine.height,
            "rows_quarantined": result.quarantine.height,
            "run_id": context.run_id,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )
    imputed = result.tracers.group_by("imputation").agg(pl.len()).sort("imputation")
    context.log.info(
        f"SDG 3.8.1: {index['ref_area'].n_unique()} countries, {index.height} country-years, {result.regional.height} regional values, "
        f"{result.quarantine.height} tracer rows set aside, in {time.perf_counter() - started:.1f}s"
    )
    yield dg.Output(
        index,
        output_name=INDEX.table,
        metadata={
            "countries": index["ref_area"].n_unique(),
            "method_edition": method.label,
            "tracer_imputation": dg.MetadataValue.json(
                dict(zip(imputed["imputation"].to_list(), imputed["len"].to_list(), strict=True))
            ),
        },
    )
    yield dg.Output(result.tracers, output_name=TRACERS.table)
    yield dg.Output(result.regional, output_name=REGIONAL.table)
    yield from index_check_results(index)
    yield dg.AssetCheckResult(
        asset_key=SDG_3_8_1,
        check_name="no_quarantined_rows",
        passed=result.quarantine.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rows_quarantined": result.quarantine.height, "path": dg.MetadataValue.path(str(quarantine.path))},
    )


UHC_ASSETS = [sdg_3_8_1]
