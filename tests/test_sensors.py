"""The input sensor: new files trigger their partition only, changed files re-run, unchanged
files do nothing, removed files drop their partition; the publication sensor waits for runs to
settle."""

from __future__ import annotations

import json
import shutil

import dagster as dg
import pytest
import yaml

from assets.source_steps import PARTITIONED_TABLES
from engine import method_config
from engine.store import ParquetStore
from pipelines.definitions import defs
from pipelines.runner import run_all
from pipelines.sensors import SurveyDependents
from tests.conftest import BASE_SPEC, write_survey
from tests.pipeline_inputs import write_minimal_inputs
from tests.pipeline_settings import pipeline_settings


@pytest.fixture
def env(tmp_path, monkeypatch):
    input_dir = write_minimal_inputs(tmp_path / "in")
    methods = tmp_path / "methods"  # a copy: the sensor fingerprints config/methods too
    shutil.copytree(method_config.METHODS_DIR, methods)
    monkeypatch.setattr(method_config, "METHODS_DIR", methods)
    with dg.instance_for_test() as instance:
        yield input_dir, instance, pipeline_settings(input_dir, tmp_path / "out")


def _evaluate(instance, settings, cursor=None) -> dg.SensorResult:
    sensor = defs.get_sensor_def("input_files_sensor")
    result = sensor(
        dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs, resources={"pipeline": settings})
    )
    for req in result.dynamic_partitions_requests or []:
        if isinstance(req, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(req.partitions_def_name, list(req.partition_keys))
        else:
            for key in req.partition_keys:
                instance.delete_dynamic_partition(req.partitions_def_name, key)
    return result


def _runs(result) -> list[tuple[str, str | None]]:
    return [(r.job_name, r.partition_key) for r in result.run_requests]


def test_first_evaluation_runs_every_source_not_seen_before(env):
    _, instance, settings = env
    result = _evaluate(instance, settings)
    assert sorted(_runs(result)) == [("ssi_job", "GHA_2022"), ("survey_job", "TST_HIES_2021")]
    assert set(instance.get_dynamic_partitions("surveys")) == {"TST_HIES_2021"}


def test_new_survey_triggers_only_its_partition(env):
    input_dir, instance, settings = env
    cursor = _evaluate(instance, settings).cursor
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["survey"]["id"] = "NEW_LFS_2023"
    write_survey(input_dir, spec, ext=".parquet")
    result = _evaluate(instance, settings, cursor)
    assert _runs(result) == [("survey_job", "NEW_LFS_2023")]
    assert result.run_requests[0].tags["sp/reason"] == "new"
    assert "NEW_LFS_2023" in instance.get_dynamic_partitions("surveys")


def test_unchanged_files_do_nothing_even_when_touched(env):
    input_dir, instance, settings = env
    cursor = _evaluate(instance, settings).cursor
    data = input_dir / "surveys" / "TST_HIES_2021" / "data.csv"
    data.write_bytes(data.read_bytes())  # new modification time, same content
    assert _runs(_evaluate(instance, settings, cursor)) == []


def test_changed_file_triggers_a_rerun(env):
    input_dir, instance, settings = env
    cursor = _evaluate(instance, settings).cursor
    data = input_dir / "surveys" / "TST_HIES_2021" / "data.csv"
    data.write_text(data.read_text().replace("12000.0", "12500.0"))
    result = _evaluate(instance, settings, cursor)
    assert _runs(result) == [("survey_job", "TST_HIES_2021")]
    assert result.run_requests[0].tags["sp/reason"] == "changed"


def test_file_changed_back_to_earlier_content_is_rerun(env):
    """A -> B -> A: the third evaluation requests a run whose key Dagster has not seen (the
    daemon drops a request whose run key was used before, so a key repeating the first one
    would never run)."""
    input_dir, instance, settings = env
    data = input_dir / "surveys" / "TST_HIES_2021" / "data.csv"
    original = data.read_text()
    first = _evaluate(instance, settings)
    data.write_text(original.replace("12000.0", "12500.0"))
    second = _evaluate(instance, settings, first.cursor)
    data.write_text(original)
    third = _evaluate(instance, settings, second.cursor)
    keys = [r.run_key for res in (first, second, third) for r in res.run_requests if r.job_name == "survey_job"]
    assert _runs(third) == [("survey_job", "TST_HIES_2021")]
    assert len(keys) == 3 and len(set(keys)) == 3, keys


def test_same_cursor_gives_the_same_run_keys(env):
    """A tick evaluated again from the same cursor (a daemon retrying it) asks for the same run
    keys, so Dagster launches nothing twice."""
    _, instance, settings = env
    cursor = _evaluate(instance, settings).cursor
    data = env[0] / "surveys" / "TST_HIES_2021" / "data.csv"
    data.write_text(data.read_text().replace("12000.0", "12500.0"))
    assert [r.run_key for r in _evaluate(instance, settings, cursor).run_requests] == [
        r.run_key for r in _evaluate(instance, settings, cursor).run_requests
    ]


ESTIMATES = ["indicators/survey_estimates", "indicators/survey_gaps", "indicators/survey_not_computable"]
HARDSHIP = [
    "indicators/sdg_3_8_2_survey",
    "indicators/sdg_3_8_2_survey_exclusions",
    "indicators/sdg_3_8_2_survey_gaps",
    "indicators/sdg_3_8_2_survey_not_computable",  # an asset since issue 12 (was written without one)
]
GROUPS = [
    "indicators/survey_adequacy",
    "indicators/survey_adequacy_gaps",
    "indicators/survey_groups",
    "indicators/survey_groups_gaps",
    "indicators/survey_groups_not_computable",
]


def _selection(request) -> list[str]:
    return sorted(k.to_user_string() for k in request.asset_selection)


def _run_context_job(instance, settings, request) -> bool:
    """Launch the requested context run the way the daemon would (with the request's tags)."""
    job = defs.resolve_job_def("context_job")
    return job.execute_in_process(
        instance=instance, tags=dict(request.tags), run_config=settings.run_config(), raise_on_error=False
    ).success


def test_changed_context_table_reruns_the_context_job_then_the_survey_estimates_reading_it(env):
    input_dir, instance, settings = env
    cursor = _evaluate(instance, settings).cursor
    (input_dir / "context" / "pensionable_age.csv").write_text("country,sex,from_year,age\nGHA,T,1991,62\n")
    first = _evaluate(instance, settings, cursor)
    assert _runs(first) == [("context_job", None)]
    waiting = _evaluate(instance, settings, first.cursor)  # the context run has not run yet: nothing to do
    assert _runs(waiting) == []
    assert _run_context_job(instance, settings, first.run_requests[0])
    after = _evaluate(instance, settings, waiting.cursor)
    assert _runs(after) == [("survey_job", "TST_HIES_2021")]
    assert (
        _selection(after.run_requests[0]) == ESTIMATES
    )  # survey_estimates reads staging/pensionable_age, 3.8.2 does not
    assert _runs(_evaluate(instance, settings, after.cursor)) == []


def test_survey_assets_stale_after_a_context_table_follow_the_asset_graph():
    dependents = SurveyDependents(defs.get_repository_def())
    assert sorted(k.to_user_string() for k in dependents.of_context_files(["context/ppp.csv"])) == HARDSHIP
    assert sorted(
        k.to_user_string() for k in dependents.of_context_files(["context/pensionable_age.csv", "context/ppp.csv"])
    ) == sorted(ESTIMATES + HARDSHIP)
    assert dependents.of_context_files(["context/population_wpp.csv"]) == []  # read by the publication job only


def test_failed_context_run_does_not_rerun_the_surveys(env):
    input_dir, instance, settings = env
    cursor = _evaluate(instance, settings).cursor
    (input_dir / "context" / "pensionable_age.csv").write_text("country,sex,from_year\nGHA,T,1991\n")  # no age column
    first = _evaluate(instance, settings, cursor)
    assert _runs(first) == [("context_job", None)]
    assert not _run_context_job(instance, settings, first.run_requests[0])
    after = _evaluate(instance, settings, first.cursor)
    assert _runs(after) == [] and "waiting" not in json.loads(after.cursor)


def test_changed_method_file_reruns_the_survey_indicators(env):
    _, instance, settings = env
    cursor = _evaluate(instance, settings).cursor
    assert _runs(_evaluate(instance, settings, cursor)) == []
    path = method_config.METHODS_DIR / "survey_estimation.yaml"
    path.write_text(path.read_text() + "\n# edited\n")
    result = _evaluate(instance, settings, cursor)
    assert _runs(result) == [("survey_job", "TST_HIES_2021")]
    assert _selection(result.run_requests[0]) == sorted(ESTIMATES + HARDSHIP + GROUPS)
    assert "survey_estimation.yaml" in result.run_requests[0].tags["sp/reason"]


def test_removed_survey_leaves_the_outputs_and_the_publication_reruns(env, tmp_path):
    input_dir, instance, settings = env
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["survey"]["id"] = "NEW_LFS_2023"
    write_survey(input_dir, spec)
    assert all(o.success for o in run_all(instance, settings, progress=lambda _: None))
    store = ParquetStore(tmp_path / "out")
    assert "NEW_LFS_2023" in store.partitions("staging", "survey_persons")
    cursor = _evaluate(instance, settings).cursor  # starts from what the run recorded: nothing to do
    shutil.rmtree(input_dir / "surveys" / "NEW_LFS_2023")
    result = _evaluate(instance, settings, cursor)
    assert _runs(result) == [("publication_job", None)]
    assert "NEW_LFS_2023" not in instance.get_dynamic_partitions("surveys")
    for layer, table in PARTITIONED_TABLES["survey"]:
        assert "NEW_LFS_2023" not in store.partition_ids(layer, table), (layer, table)
    assert store.partition_ids("indicators", "survey_estimates") == ["TST_HIES_2021"]
    assert store.record_ids("sources", "survey") == ["TST_HIES_2021"]
    assert not store.quarantine_path("survey", "NEW_LFS_2023").exists()


def test_removed_survey_drops_its_partition(env):
    input_dir, instance, settings = env
    cursor = _evaluate(instance, settings).cursor
    for f in (input_dir / "surveys" / "TST_HIES_2021").iterdir():
        f.unlink()
    (input_dir / "surveys" / "TST_HIES_2021").rmdir()
    result = _evaluate(instance, settings, cursor)
    assert _runs(result) == [("publication_job", None)] and "TST_HIES_2021" not in instance.get_dynamic_partitions(
        "surveys"
    )
    assert "survey:TST_HIES_2021" not in json.loads(result.cursor)["fingerprints"]
