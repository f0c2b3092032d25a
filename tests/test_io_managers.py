"""The Parquet IO manager (pipelines/io_managers.py) on tiny assets: where it writes (one file per
partition), that it writes the bytes the store always wrote, what it reads (a partition, every
partition present in sorted order, an empty table, a table never written), that a table breaking
its declared contract is refused before the good file of an earlier run is replaced and nothing
downstream runs, and that it writes where the run's settings say.
"""

from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from engine.store import ParquetStore
from pipelines.io_managers import contract_of, parquet_io_manager
from schemas.resources.publication import HEADLINE
from tests.pipeline_settings import pipeline_settings

PARTS = dg.DynamicPartitionsDefinition(name="things")


@dg.asset(key=["indicators", "per_thing"], partitions_def=PARTS)
def per_thing(context: dg.AssetExecutionContext) -> pl.DataFrame:
    return pl.DataFrame({"thing": [context.partition_key], "n": [len(context.partition_key)]})


@dg.asset(key=["indicators", "all_things"], ins={"per_thing": dg.AssetIn(key=["indicators", "per_thing"])})
def all_things(per_thing: pl.DataFrame) -> pl.DataFrame:
    return per_thing


@dg.asset(key=["indicators", "one_thing"], partitions_def=PARTS, ins={"per_thing": dg.AssetIn(key=per_thing.key)})
def one_thing(per_thing: pl.LazyFrame) -> pl.DataFrame:
    return per_thing.collect()


def resources(out: Path) -> dict:
    return {"pipeline": pipeline_settings(out.parent / "in", out), "io_manager": parquet_io_manager}


@pytest.fixture(scope="module")
def instance():
    with dg.instance_for_test() as inst:
        inst.add_dynamic_partitions("things", ["CCC", "BBB", "AAA"])  # registered out of order
        yield inst


def test_partitions_are_written_one_file_each_and_read_present_in_sorted_order(tmp_path, instance):
    out = tmp_path / "out"
    assert dg.materialize([per_thing, all_things], selection=[all_things], resources=resources(out), instance=instance)
    assert pl.read_parquet(out / "indicators" / "all_things.parquet").shape == (0, 0)  # no partition yet: empty
    for part in ("CCC", "AAA"):  # BBB is registered but never written (a failed source)
        assert dg.materialize(
            [per_thing, one_thing], partition_key=part, resources=resources(out), instance=instance
        ).success
    assert sorted(p.name for p in (out / "indicators" / "per_thing").iterdir()) == ["AAA.parquet", "CCC.parquet"]
    assert pl.read_parquet(out / "indicators" / "one_thing" / "AAA.parquet")["thing"].to_list() == ["AAA"]
    assert dg.materialize([per_thing, all_things], selection=[all_things], resources=resources(out), instance=instance)
    assert pl.read_parquet(out / "indicators" / "all_things.parquet")["thing"].to_list() == ["AAA", "CCC"]
    # the bytes ParquetStore.write gives the same frame: identical frames, identical files
    again = ParquetStore(tmp_path / "again").write(pl.DataFrame({"thing": ["AAA"], "n": [3]}), "x", "y")
    assert again.path.read_bytes() == (out / "indicators" / "per_thing" / "AAA.parquet").read_bytes()


def planted_headline(frame: pl.DataFrame) -> dg.AssetsDefinition:
    @dg.asset(key=["publication", "headline"])
    def headline() -> pl.DataFrame:
        return frame

    return headline


@dg.asset(ins={"headline": dg.AssetIn(key=["publication", "headline"])}, key=["publication", "after_headline"])
def after_headline(headline: pl.DataFrame) -> pl.DataFrame:
    return headline.head(1)


def good_headline() -> pl.DataFrame:
    """One row meeting the declared contract: a code of each code list, numbers within bounds."""
    contract = contract_of(dg.AssetKey(["publication", "headline"]))
    samples = {"id": "x", "int": 2023, "float": 50.0, "flag": False}
    row = {
        v.name: v.codes[0]
        if v.codes
        else max(v.min or 0, min(v.max or 2023, samples[v.kind]))
        if v.kind in ("int", "float")
        else samples[v.kind]
        for v in contract.columns
    }
    return pl.DataFrame([row]).cast(contract.polars_schema())


def test_a_table_breaking_its_contract_is_not_written_and_nothing_downstream_runs(tmp_path):
    out = tmp_path / "out"
    good = good_headline()
    assert list(good.columns) == list(HEADLINE.fields)
    first = dg.materialize([planted_headline(good), after_headline], resources=resources(out), raise_on_error=False)
    path = out / "publication" / "headline.parquet"
    assert first.success
    before = path.read_bytes()
    (out / "publication" / "after_headline.parquet").unlink()
    bad = good.with_columns(sex=pl.lit("X"))  # not a code of the declared list
    second = dg.materialize([planted_headline(bad), after_headline], resources=resources(out), raise_on_error=False)
    assert not second.success
    failure = next(e for e in second.all_events if e.event_type_value == "STEP_FAILURE")
    assert "publication/headline" in str(failure.event_specific_data.error) and "sex" in str(
        failure.event_specific_data.error
    )
    assert path.read_bytes() == before  # the good table of the first run stands
    assert not (out / "publication" / "after_headline.parquet").exists()  # downstream did not run
    assert not list(path.parent.glob(".headline*"))  # no temporary file left


@dg.asset(
    key=["publication", "reads_optional"],
    ins={
        "maybe": dg.AssetIn(key=["indicators", "never_written"]),
        "sure": dg.AssetIn(key=["indicators", "all_things"]),
    },
)
def reads_optional(maybe: pl.DataFrame | None, sure: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame({"maybe_is_none": [maybe is None], "sure_rows": [sure.height]})


never_written = dg.AssetSpec(["indicators", "never_written"])


def test_a_table_never_written_reads_as_none_where_admitted_and_fails_naming_it_elsewhere(tmp_path, instance):
    out = tmp_path / "out"
    graph = [per_thing, all_things, never_written, reads_optional]
    result = dg.materialize(graph, selection=[reads_optional], resources=resources(out), raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "indicators/all_things has not been written" in str(failure.event_specific_data.error)
    ParquetStore(out).write(pl.DataFrame({"x": [1, 2]}), "indicators", "all_things")
    assert dg.materialize(graph, selection=[reads_optional], resources=resources(out)).success
    assert pl.read_parquet(out / "publication" / "reads_optional.parquet").row(0) == (True, 2)


def test_the_io_manager_writes_where_the_run_configuration_says(tmp_path, instance):
    bound, configured = tmp_path / "bound", tmp_path / "configured"
    defs = dg.Definitions(assets=[per_thing], resources=resources(bound))
    job = defs.get_implicit_global_asset_job_def()
    run_config = pipeline_settings(tmp_path / "in", configured).run_config()
    assert job.execute_in_process(run_config=run_config, partition_key="AAA", instance=instance).success
    assert (configured / "indicators" / "per_thing" / "AAA.parquet").exists()
    assert not bound.exists()
