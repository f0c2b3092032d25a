"""Staging layer, context tables: typed and validated, failing rows quarantined."""

from datetime import UTC, datetime

import dagster as dg
import polars as pl

from assets.resources import PipelineResource
from assets.source_steps import source_step
from assets.validation_results import check_specs, quarantine_result, reconcile_result, schema_result
from engine.context import context_file, declared_sources, ingest_context_table
from engine.errors import SourceError
from engine.sources import file_records
from engine.store import SOURCE_RECORDS
from schemas import registry
from schemas.resources.context import TABLES, ContextTable


def declared_vintage(context: dg.AssetExecutionContext, input_dir, file: str) -> dict:
    """The ``sources.yaml`` entry (origin, licence, vintage, synthetic) of a context file; {}
    when its folder's ``sources.yaml`` is invalid (that file is reported left out by
    ``raw/input_layout``, and the vintage reads undeclared).
    """
    folder, name = file.split("/", 1)
    try:
        return declared_sources(input_dir, folder).get(name, {})
    except SourceError as err:
        context.log.warning(f"{file}: vintage undeclared: {err}")
        return {}


def staging_context_asset(table: ContextTable) -> dg.AssetsDefinition:
    """The staging asset of one context table: validated, typed, with its checks."""
    key = dg.AssetKey(["staging", table.name])

    @dg.asset(
        key=key,
        ins={"raw": dg.AssetIn(key=["raw", table.name])},
        group_name="staging",
        kinds={"polars", "parquet"},
        check_specs=check_specs(key),
        description=registry.table(key.path).description,
    )
    def _staging(context: dg.AssetExecutionContext, pipeline: PipelineResource, raw: pl.DataFrame):
        store = pipeline.store()
        with source_step(
            context, store, "context", table.name, f"staging/{table.name}", stale=(("staging", table.name),)
        ):
            result = ingest_context_table(
                table, pipeline.input_path, raw if (pipeline.input_path / table.file).exists() else None
            )
        quarantine = store.write_quarantine(result.quarantine, "context", table.name)
        declared = declared_vintage(context, pipeline.input_path, table.file)
        store.write_record(
            SOURCE_RECORDS,
            "context",
            table.name,
            {
                "source_kind": "context",
                "source_id": table.name,
                "files": file_records([path], pipeline.input_path)
                if (path := context_file(pipeline.input_path, table.file))
                else [],
                "present": result.present,
                "vintage": declared.get("vintage"),
                "synthetic": declared.get("synthetic"),
                "origin": declared.get("origin"),
                "licence": declared.get("licence"),
                "rows_read": result.rows_read,
                "rows_kept": result.kept.height,
                "rows_quarantined": result.quarantined_rows,
                "run_id": context.run_id,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        yield dg.Output(
            result.kept,
            metadata={
                "rows_read": result.rows_read,
                "rows_kept": result.kept.height,
                "rows_quarantined": result.quarantined_rows,
                "present": result.present,
                "vintage": str(declared.get("vintage") or ""),
                "quarantine_path": dg.MetadataValue.path(str(quarantine.path)),
            },
        )
        # the table as written by the IO manager (the output is handled before the body resumes)
        written = store.table_path("staging", table.name)
        yield reconcile_result(key, result.rows_read, result.kept.height, result.quarantined_rows)
        yield schema_result(key, written, registry.table(key.path).pandera())
        yield quarantine_result(key, result.quarantine, result.quarantined_rows)

    return _staging


STAGING_CONTEXT_ASSETS = [staging_context_asset(t) for t in TABLES]
