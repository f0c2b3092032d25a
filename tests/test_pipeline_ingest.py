"""The Dagster layer on data: partitions per survey and SSI return, asset checks reported,
a broken source failing alone with its message, and every source reconciling."""

from __future__ import annotations

import copy
import shutil

import dagster as dg
import polars as pl
import pytest
import yaml

from assets.source_steps import PARTITIONED_TABLES
from assets.staging import ssi as ssi_staging
from assets.staging.ssi import ssi_tables
from assets.staging.surveys import KEY
from assets.validation_results import quarantine_result, schema_result
from engine.harmonise import ingest_survey
from engine.sources import discover_ssi, discover_surveys
from engine.ssi import ingest_return, read_return
from engine.store import ParquetStore
from engine.survey_spec import load_spec
from pipelines import run_state
from pipelines.jobs import CONTEXT_JOB, PUBLICATION_JOB, SSI_JOB, SURVEY_JOB
from pipelines.runner import run_all
from pipelines.summary import build_summary, exit_code, format_summary
from schemas.registry import table as registry_table
from tests.conftest import BASE_SPEC, SOURCE_COLUMNS, SOURCE_ROWS, source_frame, write_survey
from tests.pipeline_inputs import write_minimal_inputs
from tests.pipeline_settings import pipeline_settings
from tests.small_run import SmallRun
from tests.ssi_builders import TABLES, write_return


@pytest.fixture
def dirs(tmp_path):
    input_dir = write_minimal_inputs(tmp_path / "in")
    output_dir = tmp_path / "out"
    return input_dir, output_dir


def _broken_survey(input_dir):
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["survey"]["id"] = "BAD_LFS_2021"
    spec["variables"]["age"] = "age_in_years"  # not in the file
    write_survey(input_dir, spec)


def _broken_return(input_dir):
    write_return(input_dir, "KEN_2021", workbook=False, tables={k: v for k, v in TABLES.items() if k != "Schemes"})


def _all_quarantined_survey(input_dir):
    """Sex coded male/female in the spec but 1/2 in the file: all 8 rows are quarantined (the
    first also for its age)."""
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["survey"]["id"] = "ALL_LFS_2021"
    spec["variables"]["sex"] = {"source": "sx", "codes": {"male": "M", "female": "F"}}
    rows = [list(r) for r in SOURCE_ROWS]
    rows[0][SOURCE_COLUMNS.index("age")] = 130
    write_survey(input_dir, spec, pl.DataFrame(rows, schema=SOURCE_COLUMNS, orient="row"))


@pytest.fixture(scope="module")
def broken_then_removed(tmp_path_factory) -> dict:
    """Two runs of the main command's work on one output folder and Dagster instance. The first
    has two good surveys and a good return beside a survey naming a variable its file lacks, a
    survey whose every row is quarantined and a return without its Schemes table; what its tests
    read is kept (the output folder copied, the instance's answers). Then the second good survey
    and the broken return are deleted from the input directory and the second run made."""
    base = tmp_path_factory.mktemp("broken_then_removed")
    input_dir, output_dir = write_minimal_inputs(base / "in"), base / "out"
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["survey"]["id"] = "TST_LFS_2022"
    write_survey(input_dir, spec)
    _broken_survey(input_dir)
    _broken_return(input_dir)
    _all_quarantined_survey(input_dir)
    (base / "home").mkdir()
    settings = pipeline_settings(input_dir, output_dir, base / "home")
    first: dict = {"input_dir": input_dir}
    with dg.DagsterInstance.from_config(str(base / "home")) as instance:
        first["outcomes"] = run_all(instance, settings, progress=lambda _: None)
        first["partitions"] = set(instance.get_dynamic_partitions("surveys"))
        # what the next command would run, nothing having changed
        first["plan"] = run_state.plan(
            instance,
            settings,
            discover_surveys(input_dir),
            discover_ssi(input_dir),
            (CONTEXT_JOB, SSI_JOB, SURVEY_JOB, PUBLICATION_JOB),
        )
        key = dg.AssetCheckKey(dg.AssetKey(["staging", "survey_persons"]), "rows_reconcile")
        first["checks"] = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])
        shutil.copytree(output_dir, base / "out_first")
        first["store"] = ParquetStore(base / "out_first")

        shutil.rmtree(input_dir / "surveys" / "TST_LFS_2022")
        shutil.rmtree(input_dir / "ssi" / "KEN_2021")
        lines: list[str] = []
        outcomes = run_all(instance, settings, progress=lines.append)
        second = {
            "input_dir": input_dir,
            "outcomes": outcomes,
            "lines": lines,
            "partitions": set(instance.get_dynamic_partitions("surveys")),
            "store": ParquetStore(output_dir),
        }
    return {"first": first, "second": second}


def test_broken_sources_fail_alone(broken_then_removed):
    first = broken_then_removed["first"]
    outcomes, input_dir = first["outcomes"], first["input_dir"]
    by_key = {(o.job, o.partition): o for o in outcomes}
    for good in (("survey_job", "TST_HIES_2021"), ("survey_job", "TST_LFS_2022"), ("ssi_job", "GHA_2022")):
        assert by_key[good].success, good
    assert by_key[("context_job", None)].success
    assert not by_key[("survey_job", "BAD_LFS_2021")].success
    assert not by_key[("ssi_job", "KEN_2021")].success
    assert first["partitions"] == {"TST_HIES_2021", "TST_LFS_2022", "BAD_LFS_2021", "ALL_LFS_2021"}

    # the next command re-runs the failed ones although nothing changed, and skips the others
    running = {label: d.reason for label, d in first["plan"].decisions.items() if not d.skip}
    failed = {f"survey_job[{s}]": by_key[("survey_job", s)] for s in ("BAD_LFS_2021", "ALL_LFS_2021")}
    failed["ssi_job[KEN_2021]"] = by_key[("ssi_job", "KEN_2021")]
    assert running == {label: f"its last run {o.run_id} failed" for label, o in failed.items()} | {
        "publication_job": "3 runs it reads from ran"
    }

    # the good partitions' checks are recorded in the instance (what the UI shows)
    assert first["checks"]  # a check execution exists for the asset

    store = first["store"]
    failures = {r["source_id"]: r for r in store.read_records("failures")}
    assert set(failures) == {"BAD_LFS_2021", "KEN_2021", "ALL_LFS_2021"}
    assert (
        "age_in_years" in failures["BAD_LFS_2021"]["message"] and failures["BAD_LFS_2021"]["where"] == "variables.age"
    )
    assert failures["KEN_2021"]["rule"] == "required_table" and "Schemes" in failures["KEN_2021"]["message"]
    assert store.partitions("staging", "survey_persons") == ["TST_HIES_2021", "TST_LFS_2022"]
    assert store.partitions("staging", "ssi_coverage") == ["GHA_2022"]

    # Every row quarantined: the survey fails in staging with its top rules and counts (before:
    # IndexError and FileNotFoundError in the estimation steps, its quarantine and record
    # deleted, the run totals without its rows), keeping its quarantine table and record.
    assert [s.split(":")[0] for s in by_key[("survey_job", "ALL_LFS_2021")].failed_steps] == ["staging__survey_persons"]
    failure = failures["ALL_LFS_2021"]
    assert failure["message"] == (
        "surveys/ALL_LFS_2021/data.csv: 8 of 8 rows quarantined: code_not_in_spec on sex (8), "
        "less_than_or_equal_to(120) on age (1) [rule: rows_kept]"
    )
    assert failure["step"] == "staging/survey_persons"
    quarantine = pl.read_parquet(store.quarantine_path("survey", "ALL_LFS_2021"))
    assert quarantine.height == 9 and quarantine["row_number"].n_unique() == 8
    record = {r["source_id"]: r for r in store.read_records("sources", "survey")}["ALL_LFS_2021"]
    assert (record["rows_read"], record["rows_kept"], record["rows_quarantined"]) == (8, 0, 8)
    summary = build_summary(store, outcomes, input_dir=input_dir, dagster_home=input_dir)
    assert summary["totals"]["rows_quarantined"] == 8 and summary["totals"]["sources_left_out"] == 3
    assert summary["totals"]["rows_read"] == summary["totals"]["rows_kept"] + summary["totals"]["rows_quarantined"]
    assert "  survey ALL_LFS_2021: surveys/ALL_LFS_2021/data.csv: 8 of 8 rows quarantined" in format_summary(summary)
    published = store.read("publication", "sources").filter(pl.col("source_id") == "ALL_LFS_2021")
    assert published.select("status", "rows_read", "rows_kept", "rows_quarantined").rows() == [("left_out", 8, 0, 8)]
    assert store.read("publication", "quarantine").filter(pl.col("source_id") == "ALL_LFS_2021").height == 9


def test_removed_sources_leave_the_outputs_and_the_publication(broken_then_removed):
    """A survey and a (failed) SSI return deleted from the input directory: the next run drops
    their partitions, per-partition outputs and source/failure records, and publishes without
    them."""
    first, second = broken_then_removed["first"], broken_then_removed["second"]
    assert "TST_LFS_2022" in first["store"].partitions("indicators", "survey_estimates")
    assert "TST_LFS_2022" in first["store"].read("publication", "sources")["source_id"].to_list()
    assert first["store"].record_ids("failures", "ssi") == ["KEN_2021"]
    store, outcomes, lines = second["store"], second["outcomes"], second["lines"]
    assert "TST_LFS_2022" not in second["partitions"]
    # a second run on the same folder: every row of publication/sources is of this run (the UHC
    # row carried the previous run's id)
    assert_sources_table_lists_this_run(store, outcomes, second["input_dir"])
    assert [line for line in lines if "no longer in the input directory" in line] == [
        "survey:TST_LFS_2022: no longer in the input directory, its outputs and records removed",
        "ssi:KEN_2021: no longer in the input directory, its outputs and records removed",
    ]
    for tables in PARTITIONED_TABLES.values():
        for layer, table in tables:
            assert not {"TST_LFS_2022", "KEN_2021"} & set(store.partition_ids(layer, table)), (layer, table)
    assert not store.quarantine_path("survey", "TST_LFS_2022").exists()
    # the surveys still in the input directory keep theirs (ALL_LFS_2021's rows are all quarantined)
    assert store.record_ids("sources", "survey") == ["ALL_LFS_2021", "TST_HIES_2021"]
    assert store.record_ids("failures", "ssi") == []
    published = store.read("publication", "sources")["source_id"].to_list()
    assert "TST_HIES_2021" in published and not {"TST_LFS_2022", "KEN_2021"} & set(published)
    assert store.read_partitions("indicators", "survey_estimates")["survey_id"].unique().to_list() == ["TST_HIES_2021"]


def assert_sources_table_lists_this_run(store: ParquetStore, outcomes, input_dir) -> None:
    """``publication/sources`` lists every source the run summary counts as read (the UHC tracer
    source included; a source left out, such as a survey whose every row is quarantined, is
    listed as such), each with an id of this run."""
    run_ids = {o.run_id for o in outcomes}
    summary = build_summary(store, outcomes, input_dir=input_dir, dagster_home=input_dir)
    left_out = {(r["source_kind"], r["source_id"]) for r in summary["left_out"]}
    counted = {(r["source_kind"], r["source_id"]) for r in summary["sources"]} - left_out
    table = store.read("publication", "sources").filter(pl.col("status") == "read")
    assert ("uhc", "sdg_3_8_1") in counted
    assert set(zip(table["source_kind"], table["source_id"], strict=True)) == counted
    listed = store.read("publication", "sources").filter(pl.col("status") == "left_out")
    assert set(zip(listed["source_kind"], listed["source_id"], strict=True)) == left_out
    stale = table.filter(~pl.col("run_id").is_in(sorted(run_ids)))
    assert stale.is_empty(), stale


def test_every_source_reconciles_and_checks_pass(dirs):
    """... also with a series whose population is empty in the survey: rec_unemployment is
    declared but nobody is unemployed. SI_COV_UEMP is then listed as not computable with the
    reason; it used to vanish and fail the series_complete ERROR check while the run exited 0."""
    input_dir, output_dir = dirs
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["variables"]["rec_unemployment"] = {"value": False}
    spec["absent"].remove("rec_unemployment")
    write_survey(input_dir, spec, source_frame().with_columns(pl.col("lfs").replace(2, 3)))
    with dg.instance_for_test() as instance:
        outcomes = run_all(instance, pipeline_settings(input_dir, output_dir), progress=lambda _: None)
    assert all(o.success for o in outcomes)
    # a fresh output folder: the UHC tracer source was written after publication/sources read the records
    assert_sources_table_lists_this_run(ParquetStore(output_dir), outcomes, input_dir)
    failed = [c for o in outcomes for c in o.check_failures]
    assert failed == []
    store = ParquetStore(output_dir)
    assert exit_code(build_summary(store, outcomes, input_dir=input_dir, dagster_home=input_dir)) == 0
    uemp = store.read("indicators", "not_computable").filter(
        (pl.col("series") == "SI_COV_UEMP") & (pl.col("source_kind") == "survey")
    )
    uemp = uemp.select("source_id", "breakdown", "reason")
    assert uemp.rows() == [
        (
            "TST_HIES_2021",
            "all",
            "empty population: no sample person of TST_HIES_2021 in the population of SI_COV_UEMP (with a known outcome)",
        )
    ]
    records = store.read_records("sources")
    assert {(r["source_kind"], r["source_id"]) for r in records} >= {
        ("survey", "TST_HIES_2021"),
        ("ssi", "GHA_2022"),
        ("context", "population"),
    }
    for r in records:
        assert r["rows_read"] == r["rows_kept"] + r["rows_quarantined"], r
    survey = next(r for r in records if r["source_id"] == "TST_HIES_2021")
    assert (
        survey["files"] and all(len(f["sha256"]) == 64 for f in survey["files"]) and survey["vintage"] == "2022-03-01"
    )


def test_quarantined_rows_fail_the_warning_check(small_run: SmallRun):
    """On the shared small run, where one row of TST_HIES_2021 is quarantined (age 400 on the
    third data row)."""
    checks = [c for o in small_run.outcomes for c in o.check_failures]
    assert [(c["asset"], c["check"], c["severity"]) for c in checks] == [
        ("staging/survey_persons", "no_quarantined_rows", "WARN")
    ]
    metadata = checks[0]["metadata"]
    assert metadata["rows_quarantined"] == 1 and metadata["issues"] == 1
    # what the UI shows: the issues by rule and a sample of the quarantined rows
    assert (
        metadata["issues_by_rule"]
        == "| column | rule | rows |\n|---|---|---|\n| age | less_than_or_equal_to(120) | 1 |"
    )
    assert (
        metadata["sample"]
        == "| sheet | row_number | column | rule | value |\n|---|---|---|---|---|\n|  | 3 | age | less_than_or_equal_to(120) | 400 |"
    )
    quarantine = pl.read_parquet(
        ParquetStore(small_run.settings.output_path).quarantine_path("survey", "TST_HIES_2021")
    )
    assert quarantine.select("row_number", "column", "value").rows() == [(3, "age", "400")]


def test_partitions_in_parallel_processes_match_a_sequential_run(small_run: SmallRun, tmp_path):
    """Two worker processes run survey and SSI partitions side by side (each with its own
    in-memory DuckDB and Parquet files): no lock errors, and the same tables as the shared small
    run, which ran them one by one."""
    assert small_run.settings.output_path != tmp_path / "out"
    (tmp_path / "home").mkdir()
    settings = small_run.settings.model_copy(
        update={"output_dir": str(tmp_path / "out"), "dagster_home": str(tmp_path / "home")}
    )
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        outcomes = run_all(instance, settings, progress=lambda _: None, workers=2)
    assert all(o.success and not o.skipped for o in outcomes), [(o.job, o.partition, o.failed_steps) for o in outcomes]
    tables = {}
    for name, out in (("one by one", small_run.settings.output_path), ("two at once", tmp_path / "out")):
        store = ParquetStore(out)
        tables[name] = {
            (t, p): store.read("staging", t, p)
            for t in ("survey_persons", "ssi_coverage")
            for p in store.partitions("staging", t)
        }
    assert sorted(tables["two at once"]) == sorted(tables["one by one"]) and len(tables["one by one"]) == 3
    for key, frame in tables["one by one"].items():
        assert frame.equals(tables["two at once"][key]), key


def test_quarantine_check_counts_rules_and_samples_the_failures(tmp_path):
    rows = [list(r) for r in SOURCE_ROWS]
    rows[0][SOURCE_COLUMNS.index("age")] = 130
    rows[4][SOURCE_COLUMNS.index("age")] = 140
    rows[5][SOURCE_COLUMNS.index("sx")] = 7
    frame = pl.DataFrame(rows, schema=SOURCE_COLUMNS, orient="row")
    result = ingest_survey(load_spec(write_survey(tmp_path, frame=frame)))
    check = quarantine_result(KEY, result.quarantine, result.quarantined_rows)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    meta = {k: v.value for k, v in check.metadata.items()}
    assert meta["rows_quarantined"] == 3 and meta["issues"] == 3
    assert meta["issues_by_rule"].splitlines()[2:] == [
        "| age | less_than_or_equal_to(120) | 2 |",
        "| sex | code_not_in_spec | 1 |",
    ]
    assert meta["sample"].splitlines()[2:] == [
        "|  | 1 | age | less_than_or_equal_to(120) | 130 |",
        "|  | 5 | age | less_than_or_equal_to(120) | 140 |",
        "|  | 6 | sex | code_not_in_spec | 7 |",
    ]
    clean = ingest_survey(load_spec(write_survey(tmp_path / "clean")))
    assert quarantine_result(KEY, clean.quarantine, clean.quarantined_rows).passed


def test_canonical_schema_check_validates_the_written_file(tmp_path):
    persons = ingest_survey(load_spec(write_survey(tmp_path))).persons
    store = ParquetStore(tmp_path / "out")
    cases = {
        "as_written": persons,
        "retyped": persons.with_columns(pl.col("age").cast(pl.String)),
        "reordered": persons.select("age", pl.exclude("age")),
        "dropped": persons.drop("poor"),
        "out_of_range": persons.with_columns(
            pl.when(pl.col("source_row") == 2).then(130).otherwise(pl.col("age")).alias("age")
        ),
    }
    results = {
        name: schema_result(
            KEY, store.write(frame, "staging", "survey_persons", name).path, registry_table(KEY.path).pandera()
        )
        for name, frame in cases.items()
    }
    assert results["as_written"].passed and results["as_written"].metadata["failures"].value == 0
    sample = {name: r.metadata["failure_sample"].value for name, r in results.items()}
    assert not results["retyped"].passed and "age" in sample["retyped"] and "dtype('Int64')" in sample["retyped"]
    assert not results["reordered"].passed and results["reordered"].metadata["failures"].value == 1
    assert "| column_order | position 0: 'age', declared 'survey_id' |" in sample["reordered"]
    assert not results["dropped"].passed and "poor" in sample["dropped"]
    assert not results["out_of_range"].passed and "less_than_or_equal_to(120) | 130 | 1" in sample["out_of_range"]


def test_ssi_inventory_and_legal_provisions_carry_their_checks(tmp_path):
    """The scheme inventory and the legal provisions have their own checks: per-sheet
    reconciliation, the written file against its schema (also when the module is absent and
    the table is empty), and the sheet's quarantine."""
    specs = {(s.asset_key, s.name) for s in ssi_tables.check_specs}
    for key in (ssi_staging.COVERAGE, ssi_staging.SCHEMES, ssi_staging.LEGAL):
        assert {(key, name) for name in ("rows_reconcile", "canonical_schema", "no_quarantined_rows")} <= specs
    tables = copy.deepcopy(TABLES)
    tables["Schemes"].append(["S4", "Odd", "housing", "contributory", None])
    result = ingest_return(
        "GHA_2022", read_return(write_return(tmp_path / "bad", workbook=False, tables=tables)), file="GHA_2022"
    )
    assert result.table_rows["Schemes"] == (4, 3, 1) and result.table_rows["LegalProvisions"] == (2, 2, 0)
    schemes_q = result.quarantine.filter(pl.col("sheet") == "Schemes")
    check = quarantine_result(ssi_staging.SCHEMES, schemes_q, result.table_rows["Schemes"][2])
    assert not check.passed and "| Schemes | 4 | function |" in check.metadata["sample"].value

    store = ParquetStore(tmp_path / "out")
    without_module = {k: v for k, v in TABLES.items() if k not in ("NonNationals", "LegalProvisions")}
    empty = ingest_return(
        "GHA_2022",
        read_return(write_return(tmp_path / "nomodule", workbook=False, tables=without_module)),
        file="GHA_2022",
    )
    for res, name in ((result, "bad"), (empty, "nomodule")):
        schemes = store.write(res.schemes, "staging", "ssi_schemes", name)
        legal = store.write(res.legal_provisions, "staging", "ssi_legal_provisions", name)
        assert schema_result(
            ssi_staging.SCHEMES,
            schemes.path,
            registry_table(ssi_staging.SCHEMES.path).pandera(),
        ).passed
        assert schema_result(
            ssi_staging.LEGAL,
            legal.path,
            registry_table(ssi_staging.LEGAL.path).pandera(),
        ).passed, name
