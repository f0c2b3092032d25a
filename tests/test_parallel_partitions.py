"""Two survey partitions run at once with Dagster's multiprocess executor (every step in a
process of its own, two runs side by side): both succeed, without lock errors, and every
per-partition output equals the one of a sequential in-process run."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import dagster as dg
import yaml

from assets.resources import PipelineResource
from assets.source_steps import PARTITIONED_TABLES
from engine.store import ParquetStore
from pipelines import job_handles
from pipelines.runner import execute
from tests.conftest import BASE_SPEC, write_survey
from tests.pipeline_inputs import write_minimal_inputs
from tests.pipeline_settings import pipeline_settings

SURVEYS = ["TST_HIES_2021", "TST_LFS_2022"]
MULTIPROCESS = {
    "execution": {"config": {"multiprocess": {"max_concurrent": 2}}},
    "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
}


def _multiprocess_run(partition: str, fields: dict) -> tuple[bool, list[str], list[int]]:
    """One survey_job run with the multiprocess executor, in a worker process (instance from
    the settings' Dagster home): success, failed steps, the process each step ran in."""
    pipeline = PipelineResource(**fields)
    with (
        dg.DagsterInstance.from_config(pipeline.dagster_home) as instance,
        dg.execute_job(
            dg.reconstructable(job_handles.survey_job),
            instance=instance,
            run_config={**MULTIPROCESS, **pipeline.run_config()},
            tags={"dagster/partition": partition},
            raise_on_error=False,
        ) as result,
    ):
        started = [e for e in result.all_events if e.event_type_value == "STEP_START"]
        failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        return result.success, failed, [e.pid for e in started]


def _outputs(out) -> dict:
    store = ParquetStore(out)
    return {
        (layer, table, p): store.read(layer, table, p)
        for layer, table in PARTITIONED_TABLES["survey"]
        for p in store.partitions(layer, table)
    }


def test_two_survey_partitions_with_the_multiprocess_executor_match_a_sequential_run(tmp_path):
    input_dir = write_minimal_inputs(tmp_path / "in")
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["survey"]["id"] = SURVEYS[1]
    write_survey(input_dir, spec, ext=".parquet")
    outputs = {}
    for mode in ("sequential", "parallel"):
        home = tmp_path / f"home_{mode}"
        home.mkdir()
        pipeline = pipeline_settings(input_dir, tmp_path / f"out_{mode}", home)
        with dg.DagsterInstance.from_config(str(home)) as instance:
            instance.add_dynamic_partitions("surveys", SURVEYS)
            assert execute(
                instance, "context_job", pipeline=pipeline
            ).success  # survey estimates read staging/pensionable_age
            if mode == "sequential":
                assert all(execute(instance, "survey_job", s, pipeline=pipeline).success for s in SURVEYS)
        if mode == "parallel":
            with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
                results = list(pool.map(_multiprocess_run, SURVEYS, [pipeline.fields()] * len(SURVEYS)))
            assert [(ok, failed) for ok, failed, _ in results] == [(True, []), (True, [])]
            for _, _, pids in results:
                assert len(pids) == len(set(pids)) >= 4  # a process per step: the multiprocess executor ran them
        outputs[mode] = _outputs(tmp_path / f"out_{mode}")
    assert sorted(outputs["parallel"]) == sorted(outputs["sequential"])
    assert {p for _, _, p in outputs["sequential"]} == set(SURVEYS)
    for key, frame in outputs["sequential"].items():
        assert frame.equals(outputs["parallel"][key]), key
