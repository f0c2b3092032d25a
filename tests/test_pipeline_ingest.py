"""The Dagster layer on data: partitions per survey and SSI return, asset checks reported,
a broken source failing alone with its message, and every source reconciling."""

from __future__ import annotations

import dagster as dg
import polars as pl
import pytest
import yaml

from engine.store import ParquetStore
from pipelines.runner import run_all
from tests.pipeline_inputs import write_minimal_inputs
from tests.ssi_builders import TABLES, write_return
from tests.conftest import BASE_SPEC, write_survey


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    input_dir = write_minimal_inputs(tmp_path / "in")
    output_dir = tmp_path / "out"
    monkeypatch.setenv("SP_INPUT_DIR", str(input_dir))
    monkeypatch.setenv("SP_OUTPUT_DIR", str(output_dir))
    return input_dir, output_dir


def _broken_survey(input_dir):
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["survey"]["id"] = "BAD_LFS_2021"
    spec["variables"]["age"] = "age_in_years"  # not in the file
    write_survey(input_dir, spec)


def _broken_return(input_dir):
    write_return(input_dir, "KEN_2021", workbook=False, tables={k: v for k, v in TABLES.items() if k != "Schemes"})


def test_broken_sources_fail_alone(dirs):
    input_dir, output_dir = dirs
    _broken_survey(input_dir)
    _broken_return(input_dir)
    with dg.instance_for_test() as instance:
        outcomes = run_all(instance, input_dir, progress=lambda _: None)
        by_key = {(o.job, o.partition): o for o in outcomes}
        assert by_key[("survey_job", "TST_HIES_2021")].success
        assert by_key[("ssi_job", "GHA_2022")].success
        assert by_key[("context_job", None)].success
        assert not by_key[("survey_job", "BAD_LFS_2021")].success
        assert not by_key[("ssi_job", "KEN_2021")].success
        assert set(instance.get_dynamic_partitions("surveys")) == {"TST_HIES_2021", "BAD_LFS_2021"}

        # the good partition's checks are recorded in the instance (what the UI shows)
        key = dg.AssetKey(["staging", "survey_persons"])
        records = instance.event_log_storage.get_latest_asset_check_execution_by_key([dg.AssetCheckKey(key, "rows_reconcile")])
        assert records  # a check execution exists for the asset

    store = ParquetStore(output_dir)
    failures = {r["source_id"]: r for r in store.read_json_records("failures")}
    assert set(failures) == {"BAD_LFS_2021", "KEN_2021"}
    assert "age_in_years" in failures["BAD_LFS_2021"]["message"] and failures["BAD_LFS_2021"]["where"] == "variables.age"
    assert failures["KEN_2021"]["rule"] == "required_table" and "Schemes" in failures["KEN_2021"]["message"]
    assert store.partitions("staging", "survey_persons") == ["TST_HIES_2021"]
    assert store.partitions("staging", "ssi_coverage") == ["GHA_2022"]


def test_every_source_reconciles_and_checks_pass(dirs):
    input_dir, output_dir = dirs
    with dg.instance_for_test() as instance:
        outcomes = run_all(instance, input_dir, progress=lambda _: None)
    assert all(o.success for o in outcomes)
    failed = [c for o in outcomes for c in o.check_failures]
    assert failed == []
    store = ParquetStore(output_dir)
    records = store.read_json_records("sources")
    assert {(r["source_kind"], r["source_id"]) for r in records} >= {("survey", "TST_HIES_2021"), ("ssi", "GHA_2022"), ("context", "population")}
    for r in records:
        assert r["rows_read"] == r["rows_kept"] + r["rows_quarantined"], r
    survey = next(r for r in records if r["source_id"] == "TST_HIES_2021")
    assert survey["files"] and all(len(f["sha256"]) == 64 for f in survey["files"]) and survey["vintage"] == "2022-03-01"


def test_quarantined_rows_fail_the_warning_check(dirs):
    input_dir, output_dir = dirs
    data = input_dir / "surveys" / "TST_HIES_2021" / "data.csv"
    lines = data.read_text().splitlines()
    lines[3] = lines[3].replace(",4,", ",400,", 1)  # age 400 on the third data row
    data.write_text("\n".join(lines) + "\n")
    with dg.instance_for_test() as instance:
        outcomes = run_all(instance, input_dir, progress=lambda _: None)
    checks = [c for o in outcomes for c in o.check_failures]
    assert [(c["asset"], c["check"], c["severity"]) for c in checks] == [("staging/survey_persons", "no_quarantined_rows", "WARN")]
    assert checks[0]["metadata"]["rows_quarantined"] == 1
    quarantine = pl.read_parquet(ParquetStore(output_dir).quarantine_path("survey", "TST_HIES_2021"))
    assert quarantine.select("row_number", "column", "value").rows() == [(3, "age", "400")]


def test_partitions_in_parallel_processes_match_a_sequential_run(tmp_path, monkeypatch):
    """Two worker processes run survey and SSI partitions side by side (each with its own
    in-memory DuckDB and Parquet files): no lock errors, and the same tables as one by one."""
    input_dir = write_minimal_inputs(tmp_path / "in")
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["survey"]["id"] = "TST_LFS_2022"
    write_survey(input_dir, spec, ext=".sav")
    monkeypatch.setenv("SP_INPUT_DIR", str(input_dir))
    tables = {}
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        home = tmp_path / f"home{workers}"
        home.mkdir()
        monkeypatch.setenv("SP_OUTPUT_DIR", str(out))
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        with dg.DagsterInstance.get() as instance:
            outcomes = run_all(instance, input_dir, progress=lambda _: None, workers=workers)
        assert all(o.success for o in outcomes), [(o.job, o.partition, o.failed_steps) for o in outcomes]
        store = ParquetStore(out)
        tables[workers] = {
            (t, p): store.read("staging", t, p)
            for t in ("survey_persons", "ssi_coverage")
            for p in store.partitions("staging", t)
        }
    assert sorted(tables[2]) == sorted(tables[1]) and len(tables[1]) == 3
    for key, frame in tables[1].items():
        assert frame.equals(tables[2][key]), key
