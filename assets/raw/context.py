"""Raw layer, context tables: each denominator, UHC and reference CSV as read (text)."""

import dagster as dg
import polars as pl

from assets.resources import PipelineResource
from assets.source_steps import source_step
from engine.context import context_file, read_context_file
from engine.store import sha256_file
from schemas import registry
from schemas.resources.context import TABLES, ContextTable


def raw_context_asset(table: ContextTable) -> dg.AssetsDefinition:
    """The raw asset of one context table: its file as read."""

    @dg.asset(
        key=["raw", table.name],
        group_name="raw",
        kinds={"csv", "parquet"},
        description=registry.table(["raw", table.name]).description,
    )
    def _raw(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.Output[pl.DataFrame]:
        store = pipeline.store()
        with source_step(
            context,
            store,
            "context",
            table.name,
            f"raw/{table.name}",
            stale=(("raw", table.name), ("staging", table.name)),
        ):
            frame = read_context_file(table, pipeline.input_path)
            path = context_file(pipeline.input_path, table.file)
        if frame is None:
            context.log.warning(f"{table.file} not found: optional table '{table.name}' is empty in this run")
            frame = pl.DataFrame(schema={v.name: pl.String for v in table.columns})
        sha = sha256_file(path) if path is not None else ""
        return dg.Output(
            frame,
            metadata={"file": table.file, "present": path is not None, "sha256": sha, "rows_read": frame.height},
            data_version=dg.DataVersion(sha or "absent"),
        )

    return _raw


RAW_CONTEXT_ASSETS = [raw_context_asset(t) for t in TABLES]
