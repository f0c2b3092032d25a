"""Raw layer, surveys: each survey's data file, read as it is, kept as a Parquet snapshot."""

import dagster as dg
import polars as pl

from assets.partitions import SURVEYS
from assets.resources import PipelineResource
from assets.source_steps import source_step
from assets.tables import asset_key
from engine.sources import discover_surveys, file_records, spec_path
from engine.survey_files import read_survey_files
from engine.survey_spec import load_spec
from schemas.registry import RAW


@dg.asset(
    key=asset_key(RAW.survey_file),
    partitions_def=SURVEYS,
    group_name=RAW.survey_file.layer,
    kinds={"parquet"},
    description=RAW.survey_file.description,
)
def survey_file(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.Output[pl.DataFrame]:
    """One survey microdata file as read."""
    survey_id = context.partition_key
    store = pipeline.store()
    with source_step(context, store, "survey", survey_id, RAW.survey_file.name):
        source = discover_surveys(pipeline.input_path).get(survey_id)
        spec = load_spec(spec_path(pipeline.input_path, survey_id))
        raw = read_survey_files(spec)
    files = file_records([spec.path, *spec.data_files], pipeline.input_path)
    context.log.info(
        f"{survey_id}: read {raw.height:,} rows x {raw.width} columns from {' + '.join(p.name for p in spec.data_files)} ({spec.fmt})"
    )
    return dg.Output(
        raw,
        metadata={
            "source_files": dg.MetadataValue.json(files),
            "format": spec.fmt,
            "rows_read": raw.height,
            "columns": raw.width,
            "vintage": spec.vintage or "",
            "synthetic": spec.synthetic,
        },
        data_version=dg.DataVersion(source.fingerprint() if source else "undiscovered"),
    )
