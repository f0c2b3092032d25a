"""Settings in one place: ``pipelines.settings`` builds the one settings resource from the
environment (a deployment, the UI, the sensors) or from the command line (the main command);
the main command hands it to every run as run configuration, which wins over the resource bound
in the Definitions; the UI command hands it to ``dagster dev`` as the variables it is read from."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from assets.resources import PipelineResource
from pipelines import settings
from pipelines.definitions import JOBS, defs
from pipelines.sensors import build_automation
from tests.pipeline_settings import pipeline_settings

VARIABLES = (
    "SP_INPUT_DIR",
    "SP_OUTPUT_DIR",
    "DAGSTER_HOME",
    "SP_DUCKDB_MEMORY_LIMIT",
    "SP_DUCKDB_THREADS",
    "SP_ESTIMATION_THREADS",
    "SP_DUCKDB_TEMP_DIR",
    "SP_METHOD_EDITIONS",
    "SP_SURVEY_ENGINE",
    "SP_SPARK_MASTER",
    "SP_SPARK_THREADS",
    "SP_SPARK_SHUFFLE_PARTITIONS",
    "SP_SPARK_LOG_LEVEL",
    "SP_RUN_MEMORY_LIMIT",
    "SP_PUBLICATION_CRON",
)


@pytest.fixture
def clean_environment(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_are_the_project_folders_and_the_documented_limits(clean_environment):
    resource = settings.resource_from_environment()
    assert Path(resource.input_dir) == settings.PROJECT_DIR / "data" / "raw"
    assert Path(resource.output_dir) == settings.PROJECT_DIR / "output"
    assert Path(resource.dagster_home) == settings.PROJECT_DIR / ".dagster_home"
    assert (resource.duckdb_memory_limit, resource.duckdb_threads, resource.estimation_threads) == ("4GB", 2, 1)
    assert (resource.duckdb_temp_directory, resource.editions, resource.survey_engine) == ("", {}, "duckdb")
    assert (resource.spark_master, resource.spark_shuffle_partitions, resource.spark_log_level) == (
        "local[2]",
        200,
        "ERROR",
    )
    assert settings.publication_cron() == settings.DEFAULT_PUBLICATION_CRON == "0 6 1 * *"


def test_every_variable_reaches_its_field(clean_environment, tmp_path):
    env = {
        "SP_INPUT_DIR": str(tmp_path / "in"),
        "SP_OUTPUT_DIR": str(tmp_path / "out"),
        "DAGSTER_HOME": str(tmp_path / "home"),
        "SP_DUCKDB_MEMORY_LIMIT": "512MiB",
        "SP_DUCKDB_THREADS": "3",
        "SP_ESTIMATION_THREADS": "2",
        "SP_DUCKDB_TEMP_DIR": str(tmp_path / "spill"),
        "SP_METHOD_EDITIONS": "sdg_1_3_1=ILO-2020, sdg_3_8_1 = 2017",
        "SP_SURVEY_ENGINE": "spark",
        "SP_SPARK_MASTER": "spark://spark-master:7077",
        "SP_SPARK_SHUFFLE_PARTITIONS": "64",
        "SP_SPARK_LOG_LEVEL": "WARN",
    }
    resource = settings.resource_from_environment(env)
    assert resource == PipelineResource(
        input_dir=str(tmp_path / "in"),
        output_dir=str(tmp_path / "out"),
        dagster_home=str(tmp_path / "home"),
        duckdb_memory_limit="512MiB",
        duckdb_threads=3,
        estimation_threads=2,
        duckdb_temp_directory=str(tmp_path / "spill"),
        editions={"sdg_1_3_1": "ILO-2020", "sdg_3_8_1": "2017"},
        survey_engine="spark",
        spark_master="spark://spark-master:7077",
        spark_shuffle_partitions=64,
        spark_log_level="WARN",
    )
    assert settings.resource_from_environment(settings.environment_of(resource)) == resource  # the UI's round trip
    local = settings.resource_from_environment({"SP_SPARK_THREADS": "6"})
    assert local.spark_master == "local[6]"  # the threads of a local master


def test_the_publication_schedule_runs_on_the_configured_cron(clean_environment):
    assert settings.publication_cron({"SP_PUBLICATION_CRON": "0 3 * * 1"}) == "0 3 * * 1"
    clean_environment.setenv("SP_PUBLICATION_CRON", "30 2 15 * *")
    assert settings.publication_cron() == "30 2 15 * *"
    (schedule,) = build_automation(JOBS, "0 3 * * 1")[1]
    assert (schedule.name, schedule.cron_schedule) == ("publication_schedule", "0 3 * * 1")


def test_duckdb_memory_is_half_a_lower_run_limit(clean_environment):
    assert settings.resource_from_environment({"SP_RUN_MEMORY_LIMIT": "3GB"}).duckdb_memory_limit == "1500MB"
    assert settings.resource_from_environment({"SP_RUN_MEMORY_LIMIT": "12GB"}).duckdb_memory_limit == "4GB"
    assert (
        settings.resource_from_environment(
            {"SP_RUN_MEMORY_LIMIT": "3GB", "SP_DUCKDB_MEMORY_LIMIT": "2GB"}
        ).duckdb_memory_limit
        == "2GB"
    )


def test_the_command_line_wins_over_the_environment(clean_environment, tmp_path):
    clean_environment.setenv("SP_INPUT_DIR", str(tmp_path / "env_in"))
    clean_environment.setenv("SP_OUTPUT_DIR", str(tmp_path / "env_out"))
    clean_environment.setenv("SP_DUCKDB_THREADS", "5")
    resource = settings.resource_from_arguments(
        str(tmp_path / "cli_in"), None, str(tmp_path / "cli_home"), run_memory_bytes=2 * 10**9
    )
    assert (resource.input_dir, resource.output_dir, resource.dagster_home) == (
        str(tmp_path / "cli_in"),
        str(tmp_path / "env_out"),
        str(tmp_path / "cli_home"),
    )
    assert (resource.duckdb_threads, resource.duckdb_memory_limit) == (5, "1000MB")
    clean_environment.setenv("SP_DUCKDB_MEMORY_LIMIT", "3GB")
    assert settings.resource_from_arguments(None, None, None, run_memory_bytes=2 * 10**9).duckdb_memory_limit == "3GB"


def test_a_wrong_survey_engine_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="survey engine must be 'duckdb' or 'spark', got 'polars'"):
        pipeline_settings(tmp_path, tmp_path, survey_engine="polars").survey_estimation_engine()


@dg.asset
def _settings_seen(pipeline: PipelineResource) -> dict:
    return {"input_dir": pipeline.input_dir, "output_dir": pipeline.output_dir, "editions": pipeline.editions}


def test_run_configuration_wins_over_the_bound_resource(tmp_path):
    """What the runner relies on: a run given ``run_config()`` sees exactly those settings, not
    the resource the Definitions bind from the environment."""
    bound = defs.resources["pipeline"]
    assert isinstance(bound, PipelineResource)
    mine = pipeline_settings(tmp_path / "in", tmp_path / "out", editions={"sdg_1_3_1": "ILO-2020"})
    job = dg.Definitions(assets=[_settings_seen], resources={"pipeline": bound}).resolve_implicit_global_asset_job_def()
    seen = job.execute_in_process(run_config=mine.run_config()).output_for_node("_settings_seen")
    assert seen == {
        "input_dir": str(tmp_path / "in"),
        "output_dir": str(tmp_path / "out"),
        "editions": {"sdg_1_3_1": "ILO-2020"},
    }


def test_the_settings_travel_to_a_run_process_as_their_fields(tmp_path):
    import pickle

    mine = pipeline_settings(tmp_path / "in", tmp_path / "out", editions={"sdg_3_8_2": "2025"}, duckdb_threads=1)
    assert PipelineResource(**pickle.loads(pickle.dumps(mine.fields()))) == mine


def test_every_job_runs_with_the_bound_settings_by_default():
    """A job launched from the UI or a sensor without run configuration gets the settings of the
    Definitions; the Spark job too, with only its engine changed (a job configuring the resource
    configures it whole: once it named the engine only, and lost the folders)."""
    bound = defs.resources["pipeline"].fields()
    from pipelines.definitions import JOBS

    for job in (defs.resolve_job_def(name) for name in JOBS):
        # what a launch of one partition (or of the unpartitioned job) is given, with the defaults filled in
        given = job.partitioned_config.get_run_config_for_partition_key("A_SURVEY") if job.partitioned_config else {}
        config = dg.validate_run_config(job, given)["resources"]["pipeline"]["config"]
        expected = {**bound, "survey_engine": "spark"} if job.name == "survey_spark_job" else bound
        assert {k: config.get(k) for k in bound} == expected, job.name
