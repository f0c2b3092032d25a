"""A per-source step failing for a reason other than bad input (a bug, a missing file, the
machine) still records the failure with the error's type and clears the source's outputs, and
the original error reaches the run log."""

from __future__ import annotations

import dagster as dg

from assets.source_steps import PARTITIONED_TABLES
from engine.store import ParquetStore
from pipelines.definitions import defs
from pipelines.runner import execute
from tests.pipeline_inputs import write_minimal_inputs
from tests.pipeline_settings import pipeline_settings

ESTIMATES = [dg.AssetKey(["indicators", k]) for k in ("survey_estimates", "survey_gaps", "survey_not_computable")]


def test_unexpected_error_is_recorded_and_clears_the_source(tmp_path):
    input_dir = write_minimal_inputs(tmp_path / "in")
    pipeline = pipeline_settings(input_dir, tmp_path / "out")
    store = ParquetStore(tmp_path / "out")
    with dg.instance_for_test() as instance:
        # the context tables the estimates read, then the survey's partition: its outputs exist
        instance.add_dynamic_partitions("surveys", ["TST_HIES_2021"])
        assert execute(instance, "context_job", pipeline=pipeline).success
        assert execute(instance, "survey_job", "TST_HIES_2021", pipeline=pipeline).success
        assert store.exists("indicators", "survey_estimates", "TST_HIES_2021")
        persons = store.table_path("staging", "survey_persons", "TST_HIES_2021")
        persons.unlink()  # the estimation step now meets a missing file: not a SourceError
        result = defs.resolve_job_def("survey_job").execute_in_process(
            instance=instance,
            partition_key="TST_HIES_2021",
            asset_selection=ESTIMATES,
            run_config=pipeline.run_config(),
            raise_on_error=False,
        )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    error = failure.event_specific_data.error
    while error.cause is not None:
        error = error.cause
    assert error.cls_name == "FileNotFoundError"  # re-raised as it was, not wrapped in a dg.Failure
    [record] = store.read_records("failures", "survey")
    assert record["source_id"] == "TST_HIES_2021" and record["step"] == "indicators/survey_estimates"
    assert record["message"].startswith("FileNotFoundError: ") and str(persons.name) in record["message"]
    for layer, table in PARTITIONED_TABLES["survey"]:
        assert "TST_HIES_2021" not in store.partition_ids(layer, table), (layer, table)
    assert store.record_ids("sources", "survey") == []
