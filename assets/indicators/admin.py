"""Indicators layer, administrative sources: SDG 1.3.1 from every SSI return at once (one
vectorised step over all countries: ``sql/sdg_1_3_1_admin.sql`` through
``engine.admin_coverage``), with the context tables as denominators.

Writes the engine's four outputs to ``indicators/admin_*``; ``indicators/sdg_1_3_1`` and its gap
and not-computable tables take their administrative rows from here. A context table that is not
provided (``present: false`` in its source record) is passed as absent, so the series that need
it are listed as not computable with that reason.
"""

import time

import dagster as dg
import polars as pl

from assets.resources import PipelineResource
from assets.source_steps import refuse_duplicate_returns
from assets.tables import MaybeStaging, Staging, table_multi_asset, table_outs
from engine.admin_coverage import compute_admin_coverage
from engine.method_config import SDG_1_3_1
from engine.store import SOURCE_RECORDS, ParquetStore
from schemas.registry import INDICATORS, STAGING
from schemas.resources import ssi as st

# The context tables of the computation, in the order their vintages label a row (input_vintage).
CONTEXT_TABLES = tuple(
    t.table
    for t in (
        STAGING.population,
        STAGING.countries,
        STAGING.labour_force,
        STAGING.births,
        STAGING.fertility,
        STAGING.pensionable_age,
        STAGING.disability_prevalence,
        STAGING.poverty,
        STAGING.population_by_nationality,
    )
)
REQUIRED_CONTEXT = (STAGING.population, STAGING.countries)
OUTPUTS = (
    INDICATORS.admin_coverage,
    INDICATORS.admin_gaps,
    INDICATORS.admin_not_computable,
    INDICATORS.admin_lifecycle,
)


def context_records(store: ParquetStore) -> dict[str, dict]:
    """Source records of the context tables (table name -> record)."""
    return {r["source_id"]: r for r in store.read_records(SOURCE_RECORDS, "context")}


def provided(records: dict[str, dict], **tables: pl.DataFrame | None) -> dict[str, pl.DataFrame | None]:
    """The staging context tables (name -> frame), None for one not staged or not provided
    (``present: false`` in its source record).
    """
    return {
        name: None if frame is None or records.get(name, {}).get("present") is False else frame
        for name, frame in tables.items()
    }


def vintage_label(records: dict[str, dict], tables) -> str:
    """'<table>@<vintage>; ...' of the provided context tables among ``tables`` (input_vintage)."""
    return "; ".join(
        f"{t}@{records[t].get('vintage') or 'undeclared'}" for t in tables if records.get(t, {}).get("present")
    )


def input_vintages(records: dict[str, dict], used: list[str]) -> dict[str, str]:
    """Table name -> declared vintage (the ``vintage`` of its sources.yaml entry), for ``used``."""
    return {name: str(records[name]["vintage"]) for name in used if records.get(name, {}).get("vintage")}


@table_multi_asset(outs=table_outs(*OUTPUTS, kinds={"duckdb", "sql"}), can_subset=False)
def admin_coverage(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    ssi_coverage: Staging,
    ssi_returns: Staging,
    population: MaybeStaging,
    labour_force: MaybeStaging,
    births: MaybeStaging,
    fertility: MaybeStaging,
    pensionable_age: MaybeStaging,
    disability_prevalence: MaybeStaging,
    poverty: MaybeStaging,
    population_by_nationality: MaybeStaging,
    countries: MaybeStaging,
):
    """SDG 1.3.1 from every SSI return at once, with the context tables as denominators."""
    store = pipeline.store()
    started = time.perf_counter()
    refused = refuse_duplicate_returns(context, store, ssi_returns)  # a return counted twice must not reach a rate
    if ssi_coverage.width == 0:  # no return staged
        ssi_coverage = pl.DataFrame(schema={v.name: pl.String for v in st.COVERAGE_COLUMNS})
    ssi = ssi_coverage.filter(~pl.col("return_id").is_in(refused))
    records = context_records(store)
    tables = provided(
        records,
        population=population,
        countries=countries,
        labour_force=labour_force,
        births=births,
        fertility=fertility,
        pensionable_age=pensionable_age,
        disability_prevalence=disability_prevalence,
        poverty=poverty,
        population_by_nationality=population_by_nationality,
    )
    for required in REQUIRED_CONTEXT:
        if tables[required.table] is None:
            raise dg.Failure(f"{required.name} is missing: administrative coverage needs it (run context_job first)")
    method = pipeline.method(SDG_1_3_1)
    with pipeline.estimation_duckdb().connect() as con:
        result = compute_admin_coverage(
            con,
            ssi,
            method=method,
            vintages=input_vintages(records, [t for t, f in tables.items() if f is not None]),
            **tables,
        )
    returns = result.coverage["source_id"].n_unique() if result.coverage.height else 0
    context.log.info(
        f"administrative coverage: {returns} SSI returns, {result.coverage.height:,} rates, {result.gaps.height:,} gaps, "
        f"{result.not_computable.height} not computable, {int(result.coverage['capped'].sum() or 0)} capped, "
        f"in {time.perf_counter() - started:.1f}s"
    )
    coverage, gaps, not_computable, lifecycle = OUTPUTS
    yield dg.Output(
        result.coverage,
        output_name=coverage.table,
        metadata={
            "returns": returns,
            "method_edition": method.label,
            "capped_rows": int(result.coverage["capped"].sum() or 0),
        },
    )
    yield dg.Output(result.gaps, output_name=gaps.table)
    yield dg.Output(result.not_computable, output_name=not_computable.table)
    yield dg.Output(result.lifecycle, output_name=lifecycle.table)


ADMIN_ASSETS = [admin_coverage]
