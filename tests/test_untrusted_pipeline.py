"""Issue 15 through the whole pipeline: a reduced input folder (the test builders' survey and
return, and the bundled KEN_HBS_2015) run once clean, then re-run into the same output folder
with every attack and careless input planted beside the good sources. Each fault is refused or
contained with its rule; the good sources complete and publish unchanged outputs; every source
reconciles; nothing of a file outside the input folder reaches an output. Both output folders
have an apostrophe in their name (it once broke every survey)."""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
import yaml

from assets.source_steps import PARTITIONED_TABLES
from engine.finite import non_finite_cells
from engine.store import ParquetStore
from pipelines.runner import run_all
from pipelines.summary import build_summary, format_summary
from tests.pipeline_inputs import write_minimal_inputs
from tests.pipeline_settings import pipeline_settings
from tests.test_untrusted_inputs import BUNDLE, LAUGHING_ISSUES, bundled_survey, edit_spec

SECRET = "TOP-SECRET-LINE"
GOOD_SURVEYS = ("KEN_HBS_2015", "TST_HIES_2021")
GOOD_RETURNS = ("GHA_2022",)
# survey / return id -> rule of its failure record
REFUSED = {
    ("survey", "EXPR_ATTACK"): "expression",
    ("survey", "PATH_ESCAPE"): "path_confined",
    ("survey", "LINKED_DATA"): "path_confined",
    ("survey", "FIFO_DATA"): "regular_file",
    ("survey", "TRUNCATED"): "complete_last_row",
    ("survey", "LAUGHS"): "yaml_size",
    ("ssi", "BOMB_2021"): "workbook_size",
    ("ssi", "KEN_2021"): "one_return_per_country_year",
    ("ssi", "KEN_2021_COPY"): "one_return_per_country_year",
}
# path -> rule of its layout record (not a source at all)
LEFT_OUT = {
    "surveys/bad.name/": "identifier",
    "surveys/NO_SPEC/": "file_exists",
    "ssi/...xlsx": "identifier",
    "ssi/ZAF_2020/": "file_exists",
    "ssi/LINKED_2021.xlsx": "path_confined",
    "uhc/sources.yaml": "yaml_size",
}


def _copy_survey(input_dir: Path, new_id: str, edit=None) -> Path:
    folder = input_dir / "surveys" / new_id
    shutil.copytree(BUNDLE / "surveys" / "KEN_HBS_2015", folder)
    spec = folder / "spec.yaml"

    def rename(doc):
        doc["survey"]["id"] = new_id
        if edit:
            edit(doc)

    edit_spec(spec, rename)
    return folder


def plant_faults(input_dir: Path, secret: Path) -> None:
    """Every case of issue 15 that a run can show, each in a source of its own."""
    _copy_survey(
        input_dir,
        "EXPR_ATTACK",
        lambda d: d["variables"].__setitem__(
            "rec_social_assistance", {"expr": f"hsnp IN (SELECT x FROM read_csv('{secret}'))"}
        ),
    )
    _copy_survey(input_dir, "PATH_ESCAPE", lambda d: d["survey"].__setitem__("file", "../../../secret.csv"))
    linked = _copy_survey(input_dir, "LINKED_DATA")
    (linked / "ken_hbs_2015.csv").unlink()
    (linked / "ken_hbs_2015.csv").symlink_to(secret)
    fifo = _copy_survey(input_dir, "FIFO_DATA")
    (fifo / "ken_hbs_2015.csv").unlink()
    os.mkfifo(fifo / "ken_hbs_2015.csv")
    truncated = _copy_survey(input_dir, "TRUNCATED") / "ken_hbs_2015.csv"
    text = truncated.read_text()
    truncated.write_text(text[: len(text) - 60])
    laughs = _copy_survey(input_dir, "LAUGHS") / "spec.yaml"
    laughs.write_text(laughs.read_text().replace("survey:\n", f"survey:\n  known_issues: {LAUGHING_ISSUES}\n", 1))
    # one infinite weight in a survey of its own country (TZA, not in the reference tables)
    inf = _copy_survey(input_dir, "INF_WEIGHT", lambda d: d["survey"].__setitem__("country", "TZA"))
    frame = pl.read_csv(inf / "ken_hbs_2015.csv", infer_schema=False)
    weight = yaml.safe_load((inf / "spec.yaml").read_text())["variables"]["person_weight"]
    frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 9).then(pl.lit("inf")).otherwise(pl.col(weight)).alias(weight)
    ).write_csv(inf / "ken_hbs_2015.csv")
    shutil.copytree(input_dir / "surveys" / "KEN_HBS_2015", input_dir / "surveys" / "bad.name")
    (input_dir / "surveys" / "NO_SPEC").mkdir()
    shutil.copy(BUNDLE / "surveys" / "KEN_HBS_2015" / "ken_hbs_2015.csv", input_dir / "surveys" / "NO_SPEC")

    ssi = input_dir / "ssi"
    shutil.copy(ssi / "GHA_2022.xlsx", ssi / "...xlsx")
    shutil.copytree(BUNDLE / "ssi" / "KEN_2021", ssi / "KEN_2021")
    shutil.copytree(BUNDLE / "ssi" / "KEN_2021", ssi / "KEN_2021_COPY")
    shutil.copytree(BUNDLE / "ssi" / "KEN_2021", ssi / "ZAF_2020")
    (ssi / "ZAF_2020" / "return.csv").unlink()
    with zipfile.ZipFile(ssi / "BOMB_2021.xlsx", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    (ssi / "LINKED_2021.xlsx").symlink_to(secret)
    (input_dir / "uhc").mkdir()
    (input_dir / "uhc" / "sources.yaml").write_text(f"files: {LAUGHING_ISSUES}\n")


def _run(input_dir: Path, output_dir: Path):
    with dg.instance_for_test() as instance:
        lines: list[str] = []
        outcomes = run_all(instance, pipeline_settings(input_dir, output_dir), progress=lines.append)
        summary = build_summary(
            ParquetStore(output_dir), outcomes, input_dir=input_dir, dagster_home=Path(instance.root_directory)
        )
    return outcomes, summary


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("untrusted")
    secret = base / "secret.csv"
    secret.write_text(f"x\n{SECRET}\n")
    clean_in = write_minimal_inputs(base / "clean_in")
    bundled_survey(clean_in, "KEN_HBS_2015")
    clean_out = base / "out'clean"
    clean = _run(clean_in, clean_out)
    clean_tables = _partition_tables(ParquetStore(clean_out)) | _publication(ParquetStore(clean_out))
    attacked_in = base / "attacked_in"
    shutil.copytree(clean_in, attacked_in)
    plant_faults(attacked_in, secret)
    attacked_out = base / "out'attacked"
    shutil.copytree(clean_out, attacked_out)  # a re-run into an existing output folder
    attacked = _run(attacked_in, attacked_out)
    return {"clean": clean, "clean_tables": clean_tables, "attacked": attacked, "store": ParquetStore(attacked_out)}


def _partition_tables(store: ParquetStore) -> dict[tuple, pl.DataFrame]:
    out = {}
    for kind, ids in (("survey", GOOD_SURVEYS), ("ssi", GOOD_RETURNS)):
        for layer, table in PARTITIONED_TABLES[kind]:
            for source_id in ids:
                path = store.table_path(layer, table, source_id)
                if path.exists():
                    out[(layer, table, source_id)] = pl.read_parquet(path)
                folder = store.partition_dir(layer, table, source_id)
                for f in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
                    out[(layer, table, source_id, f.name)] = pl.read_parquet(f)
    return out


def _publication(store: ParquetStore) -> dict[tuple, pl.DataFrame]:
    tables = ("country_values", "aggregates", "headline", "annex", "gender_gaps", "nationality_gaps")
    out = {("publication", t): store.read("publication", t) for t in tables}
    out[("publication", "sdg_sdmx")] = pl.read_csv(
        store.root / "publication" / "sdg_sdmx.csv", infer_schema=False
    ).drop("DATA_LAST_UPDATE", strict=False)
    return out


@pytest.mark.slow
def test_a_clean_run_into_a_folder_with_an_apostrophe_succeeds(runs):
    outcomes, summary = runs["clean"]
    assert all(o.success for o in outcomes), [(o.job, o.partition, o.failed_steps) for o in outcomes]
    assert summary["left_out"] == [] and summary["totals"]["sources_left_out"] == 0


@pytest.mark.slow
def test_every_planted_fault_is_refused_with_its_rule(runs):
    outcomes, summary = runs["attacked"]
    store = runs["store"]
    by_partition = {(o.job, o.partition): o for o in outcomes}
    for kind, source_id in REFUSED:
        job = "survey_job" if kind == "survey" else "ssi_job"
        if REFUSED[(kind, source_id)] != "one_return_per_country_year":
            assert not by_partition[(job, source_id)].success, source_id
    failures = {(r["source_kind"], r["source_id"]): r for r in store.read_records("failures")}
    for key, rule in REFUSED.items():
        assert failures[key]["rule"] == rule, (key, failures[key]["message"])
        assert key[1] in failures[key]["message"] or failures[key]["file"], key
    assert (
        "KEN_2021_COPY" in failures[("ssi", "KEN_2021")]["message"]
        and "KEN_2021" in failures[("ssi", "KEN_2021_COPY")]["message"]
    )
    assert (
        "sub-query" in failures[("survey", "EXPR_ATTACK")]["message"]
        and failures[("survey", "EXPR_ATTACK")]["where"] == "variables.rec_social_assistance"
    )
    layout = {r["source_id"]: r for r in store.read_records("failures", "layout")}
    assert {path: r["rule"] for path, r in layout.items()} == LEFT_OUT
    assert "without return.csv" in layout["ssi/ZAF_2020/"]["message"]
    # all of them are in the summary and in publication/sources, as left out
    left = {r["source_id"] for r in summary["left_out"]}
    assert {k[1] for k in REFUSED} | set(LEFT_OUT) <= left
    text = format_summary(summary)
    assert f"Left out of this run ({len(summary['left_out'])})" in text and "ssi ssi/...xlsx" in text
    published = store.read("publication", "sources")
    assert set(published.filter(pl.col("status") == "left_out")["source_id"]) >= {k[1] for k in REFUSED} | set(LEFT_OUT)


@pytest.mark.slow
def test_good_sources_complete_with_unchanged_outputs(runs):
    outcomes, _ = runs["attacked"]
    store = runs["store"]
    by_partition = {(o.job, o.partition): o for o in outcomes}
    for survey in (*GOOD_SURVEYS, "INF_WEIGHT"):
        assert by_partition[("survey_job", survey)].success, by_partition[("survey_job", survey)].failed_steps
    assert by_partition[("ssi_job", "GHA_2022")].success and by_partition[("context_job", None)].success
    assert by_partition[("publication_job", None)].success, by_partition[("publication_job", None)].failed_steps
    after = _partition_tables(store) | _publication(store)
    before = runs["clean_tables"]
    assert sorted(after) == sorted(before)
    for key, frame in before.items():
        if key[0] == "publication":  # the TZA survey adds its own rows; the others are unchanged
            frame, now = (
                f.filter(~pl.any_horizontal(pl.col(pl.String).is_in(["TZA", "834", "INF_WEIGHT"])))
                for f in (frame, after[key])
            )
        else:
            now = after[key]
        assert frame.equals(now), key
    # the cleanup of the return named '...xlsx' removed nothing: every raw partition is there
    assert {"GHA_2022"} <= set(store.partition_ids("raw", "ssi_return")) and set(GOOD_SURVEYS) <= set(
        store.partitions("raw", "survey_file")
    )


@pytest.mark.slow
def test_sources_reconcile_and_the_infinite_weight_is_quarantined(runs):
    outcomes, summary = runs["attacked"]
    store = runs["store"]
    records = {(r["source_kind"], r["source_id"]): r for r in store.read_records("sources")}
    assert ("survey", "INF_WEIGHT") in records and not set(REFUSED) & set(records)
    for r in records.values():
        assert r["rows_read"] == r["rows_kept"] + r["rows_quarantined"], r
    quarantine = pl.read_parquet(store.quarantine_path("survey", "INF_WEIGHT"))
    assert quarantine.filter(pl.col("rule") == "finite").select("row_number", "column", "value").rows() == [
        (10, "person_weight", "inf")
    ]
    assert (
        records[("survey", "INF_WEIGHT")]["rows_quarantined"]
        == records[("survey", "KEN_HBS_2015")]["rows_quarantined"] + 1
    )
    # every table is finite: no finite_numbers check failed, and none other than the clean run's
    checks = [c for o in outcomes for c in o.check_failures]
    assert not [c for c in checks if c["check"] == "finite_numbers"]
    assert {(c["asset"], c["check"]) for c in checks} == {
        (c["asset"], c["check"]) for o in runs["clean"][0] for c in o.check_failures
    } | {("staging/survey_persons", "no_quarantined_rows")}


@pytest.mark.slow
def test_nothing_of_a_file_outside_the_input_folder_reaches_an_output(runs):
    root = runs["store"].root
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".csv", ".html"):
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path
        elif path.is_file() and path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            for col in [c for c, t in frame.schema.items() if t == pl.String]:
                assert not frame[col].str.contains(SECRET, literal=True).any(), (path, col)


@pytest.mark.slow
def test_invalid_context_sources_yaml_is_one_left_out_record(tmp_path):
    """It once failed the nine context steps with the message '^' and no left-out record."""
    from pipelines.jobs import CONTEXT_JOB
    from pipelines.runner import execute

    input_dir = write_minimal_inputs(tmp_path / "in")
    (input_dir / "context" / "sources.yaml").write_text("files:\n  population_wpp.csv: {vintage: 2019\n^\n")
    with dg.instance_for_test() as instance:
        outcome = execute(instance, CONTEXT_JOB, pipeline=pipeline_settings(input_dir, tmp_path / "out"))
    assert outcome.success and outcome.failed_steps == []
    store = ParquetStore(tmp_path / "out")
    [record] = store.read_records("failures")
    assert (record["source_id"], record["rule"]) == ("context/sources.yaml", "yaml")
    assert re.match(r"line \d+, column \d+: invalid YAML: expected ',' or '}'.* \[rule: yaml\]$", record["message"]), (
        record["message"]
    )
    population = next(r for r in store.read_records("sources", "context") if r["source_id"] == "population")
    assert population["vintage"] is None and population["rows_read"] == population["rows_kept"] > 0


def test_output_check_finds_nan_and_infinity(tmp_path):
    from assets.finite_checks import finite_result

    key = dg.AssetKey(["publication", "headline"])
    clean = pl.DataFrame({"value": [1.0, None], "series": ["A", "B"]})
    assert finite_result(key, clean).passed and non_finite_cells(clean) == {}
    broken = pl.DataFrame(
        {"value": [1.0, float("nan"), float("inf")], "se": [0.1, 0.2, None], "series": ["A", "B", "C"]}
    )
    result = finite_result(key, broken)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert result.metadata["columns"].value == {"value": 2} and result.metadata["non_finite_cells"].value == 2
    sdmx = pl.DataFrame({"OBS_VALUE": ["12.5", "NaN", "inf", ""], "SERIES": ["A"] * 4})
    assert non_finite_cells(sdmx, ("OBS_VALUE",)) == {"OBS_VALUE": 2}


def test_an_output_folder_that_cannot_be_written_gives_one_line(tmp_path, capsys, monkeypatch):
    """Read-only, full or not a folder: one line naming the folder and the reason, exit 2, no
    traceback (also when the folder fills up during the run)."""
    import errno

    from pipelines import cli

    for name in ("SP_INPUT_DIR", "SP_OUTPUT_DIR", "DAGSTER_HOME", "GX_ANALYTICS_ENABLED"):
        monkeypatch.setenv(name, "unset-by-test")  # the command line wins over the environment
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    args = ["run", "--input", str(tmp_path / "in"), "--dagster-home", str(tmp_path / "home")]
    assert cli.main([*args, "--output", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert err == f"sp-pipeline: cannot write to the output folder {blocker / 'out'}: Not a directory\n"

    real_write = os.write
    for code in (errno.ENOSPC, errno.EROFS):

        def failing_write(fd, data, code=code):
            raise OSError(code, os.strerror(code))

        monkeypatch.setattr(cli.os, "write", failing_write)
        assert (
            cli.output_problem(tmp_path / "out")
            == f"sp-pipeline: cannot write to the output folder {tmp_path / 'out'}: {os.strerror(code)}"
        )
    monkeypatch.setattr(cli.os, "write", real_write)
    assert cli.output_problem(tmp_path / "out") is None and list((tmp_path / "out").iterdir()) == []

    def full_during_the_run(*_):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "out" / "staging" / "x.parquet"))

    monkeypatch.setattr(cli, "_run", full_during_the_run)
    assert cli.main([*args, "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "x.parquet" in err
