"""Indicators layer, SDG 3.8.1: the UHC service coverage index of every country and year in one
step (``sql/sdg_3_8_1.sql`` through ``engine.uhc_index``), from the staged tracer table, the
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
from engine.indicator_tables import published_index, quarantine_issues, total_population
from engine.uhc_index import compute_uhc_index
from schemas.registry import table as table_of

SDG_3_8_1 = dg.AssetKey(["indicators", "sdg_3_8_1"])
TRACERS = dg.AssetKey(["indicators", "sdg_3_8_1_tracers"])
REGIONAL = dg.AssetKey(["indicators", "sdg_3_8_1_regional"])
INPUTS = ("uhc_tracers", "malaria_high_burden", "countries", "population")


def index_check_results(table: pl.DataFrame) -> list[dg.AssetCheckResult]:
    """Values and category values within [1, 100]; one row per country, year and series; the
    imputed share consistent with the tracer counts.
    """
    values = ("value", "rmnch", "infectious_diseases", "ncd", "capacity")
    out_of_range = table.filter(pl.any_horizontal((pl.col(c) < 1) | (pl.col(c) > 100) for c in values))
    dupes = (
        table.group_by(list(table_of("indicators/sdg_3_8_1").primary_key))
        .agg(pl.len().alias("n"))
        .filter(pl.col("n") > 1)
    )
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


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            SDG_3_8_1,
            group_name="indicators",
            kinds={"duckdb", "sql", "parquet"},
            deps=[dg.AssetKey(["staging", t]) for t in INPUTS],
            description="SDG 3.8.1, the UHC service coverage index (SH_ACS_UNHC) and its four category values per country and "
            "year, with the share of imputed tracers and the method edition (sql/sdg_3_8_1.sql).",
        ),
        dg.AssetSpec(
            TRACERS,
            group_name="indicators",
            kinds={"duckdb", "sql", "parquet"},
            deps=[dg.AssetKey(["staging", "uhc_tracers"])],
            description="Every tracer of every country-year: value used, rescaled value, imputation flag "
            "(observed, interpolated, carried forward or back, regional median) and the observed years used.",
        ),
        dg.AssetSpec(
            REGIONAL,
            group_name="indicators",
            kinds={"duckdb", "sql", "parquet"},
            deps=[dg.AssetKey(["staging", "population"])],
            description="Population-weighted regional and world values of the index and its categories, with the population covered.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec("values_in_range", asset=SDG_3_8_1, description="Index and category values within [1, 100]."),
        dg.AssetCheckSpec("keys_unique", asset=SDG_3_8_1, description="One row per country, year and series."),
        dg.AssetCheckSpec(
            "imputed_share_consistent", asset=SDG_3_8_1, description="imputed_share = tracers imputed / tracers used."
        ),
        dg.AssetCheckSpec(
            "no_quarantined_rows",
            asset=SDG_3_8_1,
            description="No tracer row was set aside (warning: see quarantine/uhc/sdg_3_8_1).",
        ),
    ],
    can_subset=False,
)
def uhc_index(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    store = pipeline.store()
    started = time.perf_counter()
    missing = [t for t in INPUTS if not store.exists("staging", t)]
    if missing:
        raise dg.Failure(f"SDG 3.8.1 needs the staging tables {missing} (run context_job first)")
    frames = {t: store.read("staging", t) for t in INPUTS}
    method = pipeline.method("sdg_3_8_1")
    result = compute_uhc_index(
        frames["uhc_tracers"],
        frames["malaria_high_burden"],
        frames["countries"],
        total_population(frames["population"], frames["countries"]),
        method=method,
    )
    records = context_records(store)
    vintage = vintage_label(records, ("uhc_tracers", "population"))
    index = published_index(result.index, vintage, context.run_id)
    written = {
        SDG_3_8_1: store.write(index, "indicators", "sdg_3_8_1"),
        TRACERS: store.write(result.tracers, "indicators", "sdg_3_8_1_tracers"),
        REGIONAL: store.write(result.regional, "indicators", "sdg_3_8_1_regional"),
    }
    quarantine = store.write_quarantine(quarantine_issues(result.quarantine), "uhc", "sdg_3_8_1")
    store.write_json(
        "sources",
        "uhc",
        "sdg_3_8_1",
        {
            "source_kind": "uhc",
            "source_id": "sdg_3_8_1",
            "files": ["uhc/tracers.csv"],
            "vintage": vintage,
            "rows_read": frames["uhc_tracers"].height,
            "rows_kept": frames["uhc_tracers"].height - result.quarantine.height,
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
    yield dg.MaterializeResult(
        asset_key=SDG_3_8_1,
        metadata={
            "rows": written[SDG_3_8_1].rows,
            "countries": index["ref_area"].n_unique(),
            "method_edition": method.label,
            "tracer_imputation": dg.MetadataValue.json(
                dict(zip(imputed["imputation"].to_list(), imputed["len"].to_list()))
            ),
            "path": dg.MetadataValue.path(str(written[SDG_3_8_1].path)),
        },
    )
    for key in (TRACERS, REGIONAL):
        yield dg.MaterializeResult(
            asset_key=key, metadata={"rows": written[key].rows, "path": dg.MetadataValue.path(str(written[key].path))}
        )
    yield from index_check_results(index)
    yield dg.AssetCheckResult(
        asset_key=SDG_3_8_1,
        check_name="no_quarantined_rows",
        passed=result.quarantine.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rows_quarantined": result.quarantine.height, "path": dg.MetadataValue.path(str(quarantine.path))},
    )


UHC_ASSETS = [uhc_index]
