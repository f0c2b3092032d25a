"""Staging layer, surveys: the harmonised, validated person table of each survey."""

import time
from datetime import UTC, datetime

import dagster as dg
import polars as pl

from assets.partitions import SURVEYS
from assets.raw.surveys import survey_file
from assets.resources import PipelineResource
from assets.source_steps import source_step
from assets.tables import asset_key
from assets.validation_results import check_specs, quarantine_result, reconcile_result, schema_result
from engine.harmonise import ingest_survey
from engine.sources import discover_surveys, file_records, relative, spec_path
from engine.store import SOURCE_RECORDS
from engine.survey_files import read_value_labels
from engine.survey_spec import load_spec
from schemas.registry import STAGING

PERSONS = STAGING.survey_persons
KEY = asset_key(PERSONS)


@dg.asset(
    key=KEY,
    ins={"raw": dg.AssetIn(key=survey_file.key)},
    partitions_def=SURVEYS,
    group_name="staging",
    kinds={"polars", "parquet"},
    check_specs=check_specs(KEY),
    description=PERSONS.description,
)
def survey_persons(context: dg.AssetExecutionContext, pipeline: PipelineResource, raw: pl.DataFrame):
    """One survey harmonised to the canonical person table, with its record and quarantine."""
    survey_id = context.partition_key
    store = pipeline.store()
    started = time.perf_counter()
    with source_step(context, store, "survey", survey_id, PERSONS.name):
        spec = load_spec(spec_path(pipeline.input_path, survey_id))
        context.log.info(f"{survey_id}: harmonising {raw.height:,} rows x {raw.width} columns")
        shown_file = relative(spec.data_file, pipeline.input_path)
        result = ingest_survey(spec, raw, labels=read_value_labels(spec), source_file=shown_file)
        quarantine = store.write_quarantine(result.quarantine, "survey", survey_id)
        source = discover_surveys(pipeline.input_path).get(survey_id)
        store.write_record(
            SOURCE_RECORDS,
            "survey",
            survey_id,
            {
                "source_kind": "survey",
                "source_id": survey_id,
                "country": spec.country,
                "year": spec.year,
                "survey_kind": spec.kind,
                "files": file_records([spec.path, *spec.data_files], pipeline.input_path),
                "fingerprint": source.fingerprint() if source else None,
                "vintage": spec.vintage,
                "synthetic": spec.synthetic,
                "absent_variables": list(spec.absent),
                "rows_read": result.rows_read,
                "rows_kept": result.rows_kept,
                "rows_quarantined": result.quarantined_rows,
                "run_id": context.run_id,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        # a survey without a kept row fails here, keeping its quarantine and record
        result.require_rows_kept(shown_file)
    context.log.info(
        f"{survey_id}: {result.rows_read:,} rows read, {result.rows_kept:,} kept, {result.quarantined_rows:,} quarantined "
        f"in {time.perf_counter() - started:.1f}s"
    )
    yield dg.Output(
        result.persons,
        metadata={
            "rows_read": result.rows_read,
            "rows_kept": result.rows_kept,
            "rows_quarantined": result.quarantined_rows,
            "absent_variables": ", ".join(spec.absent) or "none",
            "country": spec.country,
            "year": spec.year,
            "vintage": spec.vintage or "",
            "quarantine_path": dg.MetadataValue.path(str(quarantine.path)),
        },
    )
    yield reconcile_result(KEY, result.rows_read, result.rows_kept, result.quarantined_rows)
    yield schema_result(KEY, store.table_path(*KEY.path, survey_id), PERSONS.pandera())  # as the IO manager wrote it
    yield quarantine_result(KEY, result.quarantine, result.quarantined_rows)
