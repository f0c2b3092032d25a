"""Staging layer, SSI returns: validated scheme inventory, long coverage counts and the legal
provisions of the non-nationals module, per return.
"""

import time
from datetime import UTC, datetime

import dagster as dg
import polars as pl

from assets.partitions import SSI_RETURNS
from assets.raw.ssi import ssi_return
from assets.resources import PipelineResource
from assets.source_steps import source_step
from assets.tables import asset_key, table_outs
from assets.validation_results import check_specs, quarantine_result, reconcile_result, schema_result
from engine.sources import discover_ssi, relative
from engine.ssi import ingest_return
from engine.store import SOURCE_RECORDS
from schemas import registry
from schemas.registry import STAGING
from schemas.resources import ssi as st

TABLES = (
    STAGING.ssi_coverage,
    STAGING.ssi_schemes,
    STAGING.ssi_legal_provisions,
    STAGING.ssi_expenditure,
    STAGING.ssi_returns,
)
COVERAGE, SCHEMES, LEGAL, EXPENDITURE, RETURNS = (asset_key(t) for t in TABLES)


@dg.multi_asset(
    ins={"sheets": dg.AssetIn(key=ssi_return.key)},
    outs=table_outs(*TABLES, kinds={"polars"}),
    check_specs=check_specs(COVERAGE) + check_specs(SCHEMES) + check_specs(LEGAL) + check_specs(EXPENDITURE),
    partitions_def=SSI_RETURNS,
    can_subset=False,
)
def ssi_tables(context: dg.AssetExecutionContext, pipeline: PipelineResource, sheets: dict[str, pl.DataFrame]):
    """One SSI return in its canonical tables, with its record and quarantine."""
    return_id = context.partition_key
    store = pipeline.store()
    source = discover_ssi(pipeline.input_path).get(return_id)
    shown = relative(source.path, pipeline.input_path) if source else f"ssi/{return_id}"
    started = time.perf_counter()
    with source_step(context, store, "ssi", return_id, "staging/ssi_tables"):
        result = ingest_return(return_id, sheets, file=shown)
        quarantine = store.write_quarantine(result.quarantine, "ssi", return_id)
    store.write_record(
        SOURCE_RECORDS,
        "ssi",
        return_id,
        {
            "source_kind": "ssi",
            "source_id": return_id,
            "country": result.country,
            "year": result.year,
            "files": source.file_records(pipeline.input_path) if source else [],
            "fingerprint": source.fingerprint() if source else None,
            "vintage": result.metadata.get("vintage"),
            "synthetic": str(result.metadata.get("synthetic", "")).lower() == "true",
            "tables": list(result.tables_present),
            "rows_read": result.rows_read,
            "rows_kept": result.rows_kept,
            "rows_quarantined": result.quarantined_rows,
            "run_id": context.run_id,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )
    context.log.info(
        f"{return_id}: {result.rows_read:,} rows read from {len(result.tables_present)} tables, {result.rows_kept:,} kept, "
        f"{result.quarantined_rows:,} quarantined in {time.perf_counter() - started:.1f}s"
    )
    common = {"country": result.country, "year": result.year, "vintage": result.metadata.get("vintage") or ""}
    yield dg.Output(
        result.coverage,
        output_name=COVERAGE.path[-1],
        metadata={
            **common,
            "rows_read": result.rows_read,
            "rows_kept": result.rows_kept,
            "rows_quarantined": result.quarantined_rows,
            "quarantine_path": dg.MetadataValue.path(str(quarantine.path)),
        },
    )
    yield dg.Output(result.schemes, output_name=SCHEMES.path[-1], metadata=common)
    yield dg.Output(
        result.legal_provisions,
        output_name=LEGAL.path[-1],
        metadata={**common, "module_present": st.LEGAL.sheet in result.tables_present},
    )
    yield dg.Output(
        result.expenditure,
        output_name=EXPENDITURE.path[-1],
        metadata={**common, "table_present": st.EXPENDITURE.sheet in result.tables_present},
    )
    yield dg.Output(
        pl.DataFrame([{**result.metadata, "return_id": return_id, "file": shown}]),
        output_name=RETURNS.path[-1],
        metadata=common,
    )

    def written(key: dg.AssetKey):  # a table as the IO manager wrote it (outputs are handled as yielded)
        return store.table_path(*key.path, return_id)

    # coverage is built from every table of the return; the inventory and the legal provisions
    # are the kept rows of one sheet each, and their checks count that sheet only
    yield reconcile_result(COVERAGE, result.rows_read, result.rows_kept, result.quarantined_rows)
    yield schema_result(
        COVERAGE,
        written(COVERAGE),
        registry.table(COVERAGE.path).pandera(),
    )
    yield quarantine_result(COVERAGE, result.quarantine, result.quarantined_rows)
    for key, table in ((SCHEMES, st.SCHEMES), (LEGAL, st.LEGAL), (EXPENDITURE, st.EXPENDITURE)):
        read, kept, quarantined = result.table_rows.get(table.sheet, (0, 0, 0))
        yield reconcile_result(key, read, kept, quarantined)
        yield schema_result(key, written(key), registry.table(key.path).pandera())
        yield quarantine_result(key, result.quarantine.filter(pl.col("sheet") == table.sheet), quarantined)
