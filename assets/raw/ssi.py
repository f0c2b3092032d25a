"""Raw layer, SSI returns: every table of a return (workbook sheet or CSV file) as read, as text."""

import time

import dagster as dg
import polars as pl

from assets.partitions import SSI_RETURNS
from assets.resources import PipelineResource
from assets.source_steps import source_step
from assets.tables import asset_key
from engine.errors import SourceError
from engine.sources import discover_ssi
from engine.ssi import read_return
from schemas.registry import RAW


@dg.asset(
    key=asset_key(RAW.ssi_return),
    partitions_def=SSI_RETURNS,
    group_name=RAW.ssi_return.layer,
    kinds={"parquet"},
    description=RAW.ssi_return.description,
)
def ssi_return(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.Output[dict[str, pl.DataFrame]]:
    """One SSI return as read: its sheets as text tables."""
    return_id = context.partition_key
    store = pipeline.store()
    started = time.perf_counter()
    with source_step(context, store, "ssi", return_id, RAW.ssi_return.name):
        source = discover_ssi(pipeline.input_path).get(return_id)
        if source is None:
            raise SourceError(
                str(pipeline.input_path / "ssi" / return_id),
                "SSI return not found (neither a workbook nor a folder with return.csv)",
                rule="file_exists",
            )
        sheets = read_return(source.path)  # written as one folder, swapped in whole
    rows = {sheet: frame.height for sheet, frame in sorted(sheets.items())}
    context.log.info(f"{return_id}: read tables {rows} in {time.perf_counter() - started:.1f}s")
    return dg.Output(
        sheets,
        metadata={
            "source_files": dg.MetadataValue.json(source.file_records(pipeline.input_path)),
            "tables": dg.MetadataValue.json(rows),
        },
        data_version=dg.DataVersion(source.fingerprint()),
    )
