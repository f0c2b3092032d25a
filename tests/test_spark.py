"""The survey statistics on Apache Spark: every SQL block the survey estimation runs, transpiled by
sqlglot and executed on a local Spark session (engine/spark.py), gives the estimates, SEs, CIs,
design effects and gaps that DuckDB gives, to 1e-9; and ``survey_spark_job`` writes the same
Parquet outputs as ``survey_job``. One Spark session serves the whole test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import dagster as dg
import duckdb
import polars as pl
import pytest

from engine.method_config import load_method
from engine.store import ParquetStore
from engine.survey_estimation import estimate_survey
from pipelines.runner import execute
from tests.pipeline_inputs import write_minimal_inputs
from tests.pipeline_settings import pipeline_settings

pytest.importorskip("pyspark", reason="the spark extra (pip install -e .[spark]) is not installed")
TOLERANCE = 1e-9
PENSION_AGE = pl.DataFrame({"sex": ["F", "M"], "age": [60, 65]})


@pytest.fixture(scope="session")
def spark():
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        message = "Java 17 or later is needed by Spark: install it (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    from engine.spark import SparkSettings, spark_session

    # small data, many small queries: one shuffle partition, no adaptive planning, no code generation
    small = {
        "spark.sql.shuffle.partitions": "1",
        "spark.default.parallelism": "1",
        "spark.sql.adaptive.enabled": "false",
        "spark.sql.codegen.wholeStage": "false",
    }
    session = spark_session(SparkSettings(master="local[2]"), app_name="sp-tests", config=small)
    yield session
    session.stop()


def assert_same(duck: pl.DataFrame, spark: pl.DataFrame, name: str) -> None:
    """Same rows and columns; floats equal to TOLERANCE (relative, absolute below 1), the rest exactly."""
    assert duck.schema == spark.schema, name
    assert duck.height == spark.height, name
    floats = [c for c, t in duck.schema.items() if t == pl.Float64]
    others = [c for c in duck.columns if c not in floats]
    assert duck.select(others).equals(spark.select(others)), name
    for c in floats:
        a, b = duck[c], spark[c]
        assert a.is_null().equals(b.is_null()), (name, c)
        worst = ((a - b).abs() / a.abs().clip(lower_bound=1.0)).max()
        assert worst is None or worst <= TOLERANCE, (name, c, worst)


@pytest.mark.slow
def test_survey_estimation_on_spark_equals_duckdb(spark):
    """A generated survey (stratified cluster design, 2,000 persons) with one variable absent, so
    that a series is not computable and a breakdown is lost."""
    from engine.spark import SparkConnection
    from synthetic.survey import generate_persons

    persons = generate_persons(country="GHA", n_persons=2_000, seed=11).with_columns(
        pl.lit(None, dtype=pl.Boolean).alias("rec_maternity")
    )
    method, estimation = load_method("sdg_1_3_1"), load_method("survey_estimation")
    with duckdb.connect() as con:
        duck = estimate_survey(con, persons, PENSION_AGE, method, estimation)
    with SparkConnection(spark) as con:
        on_spark = estimate_survey(con, persons, PENSION_AGE, method, estimation)
        ran = con.statements
    assert duck.estimates.height > 100 and duck.gaps.height > 50
    assert (duck.estimates["se"] > 0).sum() > 100  # design-based SEs (0 where a domain is all covered or none)
    assert duck.not_computable.height >= 1
    for name in ("estimates", "gaps", "not_computable"):
        assert_same(getattr(duck, name), getattr(on_spark, name), name)
    # the blocks ran on Spark as Spark SQL (not DuckDB syntax passed through)
    assert len(ran) > 20 and any(
        "FILTER(WHERE" in spark_sql.replace(" ", "").upper() or "CASE WHEN" in spark_sql.upper() for _, spark_sql in ran
    )


@pytest.mark.slow
def test_groups_at_risk_on_spark_equals_duckdb(spark):
    """The groups-at-risk SQL (sql/groups_survey.sql: household window values, quintiles ranked
    from welfare, PSU x domain totals, gaps) gives on Spark what it gives on DuckDB."""
    from engine.groups_at_risk import estimate_groups
    from engine.spark import SparkConnection
    from synthetic.survey import generate_persons

    persons = generate_persons(country="GHA", n_persons=2_000, seed=11).with_columns(
        pl.lit(None, dtype=pl.Int64).alias("welfare_quintile")
    )
    method, estimation = load_method("groups_at_risk"), load_method("survey_estimation")
    with duckdb.connect() as con:
        duck = estimate_groups(con, persons, method, estimation)
    with SparkConnection(spark) as con:
        on_spark = estimate_groups(con, persons, method, estimation)
    assert duck.estimates.filter(pl.col("breakdown") == "quintile").height > 20 and duck.gaps.height > 50
    for name in ("estimates", "gaps", "not_computable"):
        assert_same(getattr(duck, name), getattr(on_spark, name), name)


def test_great_expectations_imports_where_main_has_no_file():
    """Great Expectations imports pyspark.sql.connect when pyspark is installed; without the
    Spark Connect packages (the ``connect`` extra of pyspark) that import calls sys.exit(0) in a
    process whose __main__ has no file (``python -c``, the run workers a Dagster code server
    starts), and the publication's quality step died with SystemExit: 0."""
    code = "import great_expectations, pyspark.sql.connect; print('imported')"
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip() == "imported", done.stderr[-2000:]


def test_assert_same_catches_a_difference():
    frame = pl.DataFrame({"series": ["A", "B"], "se": [0.25, 1e3]})
    assert_same(frame, frame.clone(), "equal")
    with pytest.raises(AssertionError):
        assert_same(frame, frame.with_columns(pl.col("se") * (1 + 1e-8)), "off by 1e-8")
    with pytest.raises(AssertionError):
        assert_same(frame, frame.with_columns(pl.lit("C").alias("series")), "other labels")


@pytest.mark.slow
def test_survey_spark_job_writes_the_outputs_of_survey_job(spark, tmp_path):
    input_dir = write_minimal_inputs(tmp_path / "in")
    output = tmp_path / "out"
    home = tmp_path / "home"
    home.mkdir()
    pipeline = pipeline_settings(input_dir, output, home)
    store = ParquetStore(output)
    tables = ("survey_estimates", "survey_gaps", "survey_not_computable")
    survey = "TST_HIES_2021"
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.add_dynamic_partitions("surveys", [survey])
        assert execute(instance, "context_job", pipeline=pipeline).success
        assert execute(instance, "survey_job", survey, pipeline=pipeline).success
        on_duckdb = {t: store.read("indicators", t, survey) for t in tables}
        for t in tables:
            store.remove("indicators", t, survey)

        from pipelines.definitions import defs

        result = defs.resolve_job_def("survey_spark_job").execute_in_process(
            instance=instance,
            partition_key=survey,
            # the settings of this run, with the engine the job's own configuration chooses (spark)
            run_config=pipeline.model_copy(update={"survey_engine": "spark"}).run_config(),
        )
        assert result.success
        materialized = instance.get_latest_materialization_event(dg.AssetKey(["indicators", "survey_estimates"]))
        assert materialized.run_id == result.run_id
        assert materialized.asset_materialization.metadata["engine"].value == "spark"
    assert on_duckdb["survey_estimates"].height > 10
    for t in tables:
        assert_same(on_duckdb[t], store.read("indicators", t, survey), t)
