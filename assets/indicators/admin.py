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
from assets.tables import MaybeStaging, Staging, table_multi_asset
from engine.admin_coverage import compute_admin_coverage
from engine.store import ParquetStore
from schemas.resources import ssi as st

GROUP = "indicators"

# The context tables of the computation, in the order their vintages label a row (input_vintage).
CONTEXT_TABLES = (
    "population",
    "countries",
    "labour_force",
    "births",
    "fertility",
    "pensionable_age",
    "disability_prevalence",
    "poverty",
    "population_by_nationality",
)
REQUIRED_CONTEXT = ("population", "countries")


def context_records(store: ParquetStore) -> dict[str, dict]:
    """Source records of the context tables (table name -> record)."""
    return {r["source_id"]: r for r in store.read_json_records("sources", "context")}


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


def _out(description: str, kinds: set[str]) -> dg.AssetOut:
    return dg.AssetOut(key_prefix=GROUP, group_name=GROUP, kinds=kinds, description=description)


@table_multi_asset(
    outs={
        "admin_coverage": _out(
            "SDG 1.3.1 from the SSI returns (sql/sdg_1_3_1_admin.sql): every series by sex and nationality, "
            "numerators after the scheme-overlap or life-cycle rule, denominators from the context tables, capping flag.",
            {"duckdb", "sql", "parquet"},
        ),
        "admin_gaps": _out(
            "Gender (F - M) and nationality (non-national - national) gaps of the administrative rates.",
            {"duckdb", "sql", "parquet"},
        ),
        "admin_not_computable": _out(
            "Series and breakdowns an SSI return cannot give, with the reason (no recipients reported, denominator missing...).",
            {"parquet"},
        ),
        "admin_lifecycle": _out(
            "The life-cycle construction of SI_COV_BENFTS per return and sex (populations, counts, caps, vulnerable "
            "residual), for review of the overlap assumptions.",
            {"parquet"},
        ),
    },
    can_subset=False,
)
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
        if tables[required] is None:
            raise dg.Failure(f"staging/{required} is missing: administrative coverage needs it (run context_job first)")
    method = pipeline.method("sdg_1_3_1")
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
    yield dg.Output(
        result.coverage,
        output_name="admin_coverage",
        metadata={
            "returns": returns,
            "method_edition": method.label,
            "capped_rows": int(result.coverage["capped"].sum() or 0),
        },
    )
    yield dg.Output(result.gaps, output_name="admin_gaps")
    yield dg.Output(result.not_computable, output_name="admin_not_computable")
    yield dg.Output(result.lifecycle, output_name="admin_lifecycle")


ADMIN_ASSETS = [admin_coverage]
