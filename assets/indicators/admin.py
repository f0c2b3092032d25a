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
from engine.admin_coverage import compute_admin_coverage
from engine.store import ParquetStore
from schemas.resources import ssi as st

ADMIN_COVERAGE = dg.AssetKey(["indicators", "admin_coverage"])
ADMIN_GAPS = dg.AssetKey(["indicators", "admin_gaps"])
ADMIN_NOT_COMPUTABLE = dg.AssetKey(["indicators", "admin_not_computable"])
ADMIN_LIFECYCLE = dg.AssetKey(["indicators", "admin_lifecycle"])

# Context tables of the computation (argument of compute_admin_coverage = staging table name).
OPTIONAL_CONTEXT = (
    "labour_force",
    "births",
    "fertility",
    "pensionable_age",
    "disability_prevalence",
    "poverty",
    "population_by_nationality",
)
CONTEXT_DEPS = [dg.AssetKey(["staging", t]) for t in ("population", "countries", *OPTIONAL_CONTEXT)]


def context_records(store: ParquetStore) -> dict[str, dict]:
    """Source records of the context tables (table name -> record)."""
    return {r["source_id"]: r for r in store.read_json_records("sources", "context")}


def context_table(store: ParquetStore, name: str, records: dict[str, dict]) -> pl.DataFrame | None:
    """A staging context table, or None when it was not provided or not staged."""
    if not store.exists("staging", name) or records.get(name, {}).get("present") is False:
        return None
    return store.read("staging", name)


def vintage_label(records: dict[str, dict], tables) -> str:
    """'<table>@<vintage>; ...' of the provided context tables among ``tables`` (input_vintage)."""
    return "; ".join(
        f"{t}@{records[t].get('vintage') or 'undeclared'}" for t in tables if records.get(t, {}).get("present")
    )


def input_vintages(records: dict[str, dict], used: list[str]) -> dict[str, str]:
    """Table name -> declared vintage (the ``vintage`` of its sources.yaml entry), for ``used``."""
    return {name: str(records[name]["vintage"]) for name in used if records.get(name, {}).get("vintage")}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ADMIN_COVERAGE,
            group_name="indicators",
            kinds={"duckdb", "sql", "parquet"},
            deps=[dg.AssetKey(["staging", "ssi_coverage"]), *CONTEXT_DEPS],
            description="SDG 1.3.1 from the SSI returns (sql/sdg_1_3_1_admin.sql): every series by sex and nationality, "
            "numerators after the scheme-overlap or life-cycle rule, denominators from the context tables, capping flag.",
        ),
        dg.AssetSpec(
            ADMIN_GAPS,
            group_name="indicators",
            kinds={"duckdb", "sql", "parquet"},
            deps=[dg.AssetKey(["staging", "ssi_coverage"])],
            description="Gender (F - M) and nationality (non-national - national) gaps of the administrative rates.",
        ),
        dg.AssetSpec(
            ADMIN_NOT_COMPUTABLE,
            group_name="indicators",
            kinds={"parquet"},
            deps=[dg.AssetKey(["staging", "ssi_coverage"])],
            description="Series and breakdowns an SSI return cannot give, with the reason (no recipients reported, denominator missing...).",
        ),
        dg.AssetSpec(
            ADMIN_LIFECYCLE,
            group_name="indicators",
            kinds={"parquet"},
            deps=[dg.AssetKey(["staging", "ssi_coverage"])],
            description="The life-cycle construction of SI_COV_BENFTS per return and sex (populations, counts, caps, vulnerable "
            "residual), for review of the overlap assumptions.",
        ),
    ],
    can_subset=False,
)
def admin_coverage(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    store = pipeline.store()
    started = time.perf_counter()
    refuse_duplicate_returns(context, store)  # before reading: a return counted twice must not reach a rate
    ssi = store.read_partitions("staging", "ssi_coverage", schema={v.name: pl.String for v in st.COVERAGE_COLUMNS})
    records = context_records(store)
    tables = {name: context_table(store, name, records) for name in ("population", "countries", *OPTIONAL_CONTEXT)}
    for required in ("population", "countries"):
        if tables[required] is None:
            raise dg.Failure(f"staging/{required} is missing: administrative coverage needs it (run context_job first)")
    method = pipeline.method("sdg_1_3_1")
    with pipeline.estimation_duckdb().connect() as con:
        result = compute_admin_coverage(
            con,
            ssi,
            tables["population"],
            *(tables[t] for t in OPTIONAL_CONTEXT),
            tables["countries"],
            method,
            vintages=input_vintages(records, [t for t, f in tables.items() if f is not None]),
        )
    written = {
        ADMIN_COVERAGE: store.write(result.coverage, "indicators", "admin_coverage"),
        ADMIN_GAPS: store.write(result.gaps, "indicators", "admin_gaps"),
        ADMIN_NOT_COMPUTABLE: store.write(result.not_computable, "indicators", "admin_not_computable"),
        ADMIN_LIFECYCLE: store.write(result.lifecycle, "indicators", "admin_lifecycle"),
    }
    returns = result.coverage["source_id"].n_unique() if result.coverage.height else 0
    context.log.info(
        f"administrative coverage: {returns} SSI returns, {result.coverage.height:,} rates, {result.gaps.height:,} gaps, "
        f"{result.not_computable.height} not computable, {int(result.coverage['capped'].sum() or 0)} capped, "
        f"in {time.perf_counter() - started:.1f}s"
    )
    for key, w in written.items():
        meta = {"rows": w.rows, "path": dg.MetadataValue.path(str(w.path))}
        if key == ADMIN_COVERAGE:
            meta |= {
                "returns": returns,
                "method_edition": method.label,
                "capped_rows": int(result.coverage["capped"].sum() or 0),
            }
        yield dg.MaterializeResult(asset_key=key, metadata=meta)


ADMIN_ASSETS = [admin_coverage]
