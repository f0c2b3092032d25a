"""tools/compare_outputs.py: two output folders are equal when every file is byte-identical, or
row-identical once the columns and keys that name the run are dropped; every other change is
reported with the file and what differs."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tools.compare_outputs import compare, main


def _output(root: Path, run_id: str, value: float = 1.5) -> Path:
    """A small output folder: a table with run_id, a partition, a JSON record, the SDMX CSV, a
    figure, a catalog with a view on the table, and the hidden files a run leaves."""
    (root / "indicators" / "survey_estimates").mkdir(parents=True)
    frame = pl.DataFrame({"ref_area": ["KEN", "UGA"], "value": [value, 2.5], "run_id": [run_id, run_id]})
    frame.write_parquet(root / "indicators" / "sdg_1_3_1.parquet")
    frame.drop("run_id").write_parquet(root / "indicators" / "survey_estimates" / "KEN_2019.parquet")
    (root / "sources" / "survey").mkdir(parents=True)
    (root / "sources" / "survey" / "KEN_2019.json").write_text(
        json.dumps(
            {"source_id": "KEN_2019", "rows_read": 10, "run_id": run_id, "at": f"2026-12-06T06:{len(run_id):02d}:00"}
        )
    )
    (root / "publication").mkdir()
    (root / "publication" / "sdg_sdmx.csv").write_text(f"REF_AREA,OBS_VALUE\n404,{value}\n800,2.5\n")
    (root / "publication" / "figures").mkdir()
    (root / "publication" / "figures" / "headline.png").write_bytes(b"\x89PNG 1")
    with duckdb.connect(str(root / "publication" / "catalog.duckdb")) as con:
        con.execute(
            f"CREATE VIEW sdg_1_3_1 AS SELECT * FROM read_parquet('{root.resolve()}/indicators/sdg_1_3_1.parquet')"
        )
        con.execute(f"CREATE TABLE written_at AS SELECT '{run_id}' AS run_id")  # changes the file's bytes
    (root / ".sp-run.lock").write_text(run_id)
    (root / ".duckdb_tmp").mkdir()
    return root


def test_two_runs_of_the_same_outputs_are_equal(tmp_path: Path) -> None:
    before, after = _output(tmp_path / "a", "run-1"), _output(tmp_path / "b", "run-22")
    assert (before / "indicators" / "sdg_1_3_1.parquet").read_bytes() != (
        after / "indicators" / "sdg_1_3_1.parquet"
    ).read_bytes()
    assert compare(before, after) == []
    assert main([str(before), str(after)]) == 0


def test_a_changed_value_is_named_with_its_file_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, after = _output(tmp_path / "a", "run-1"), _output(tmp_path / "b", "run-2", value=1.6)
    found = {d.path: d.reason for d in compare(before, after)}
    assert found == {
        "indicators/sdg_1_3_1.parquet": "values differ in value (first at row 0)",
        "indicators/survey_estimates/KEN_2019.parquet": "values differ in value (first at row 0)",
        "publication/sdg_sdmx.csv": "values differ in OBS_VALUE (first at row 0)",
    }
    assert main([str(before), str(after)]) == 1
    assert "indicators/sdg_1_3_1.parquet: values differ in value" in capsys.readouterr().out


def test_column_type_order_and_row_changes_are_differences(tmp_path: Path) -> None:
    before, after = _output(tmp_path / "a", "run-1"), _output(tmp_path / "b", "run-2")
    table = after / "indicators" / "sdg_1_3_1.parquet"
    frame = pl.read_parquet(table)
    frame.with_columns(pl.col("value").cast(pl.Float32)).write_parquet(table)
    assert compare(before, after)[0].reason.startswith("columns differ: ref_area:String, value:Float64")
    frame.select("value", "ref_area", "run_id").write_parquet(table)
    assert compare(before, after)[0].reason.startswith("columns differ")
    frame.reverse().write_parquet(table)
    assert compare(before, after)[0].reason == "values differ in ref_area, value (first at row 0)"
    frame.head(1).write_parquet(table)
    assert compare(before, after)[0].reason == "rows differ: 2 != 1"


def test_records_catalog_and_other_files(tmp_path: Path) -> None:
    before, after = _output(tmp_path / "a", "run-1"), _output(tmp_path / "b", "run-2")
    record = after / "sources" / "survey" / "KEN_2019.json"
    record.write_text(json.dumps({**json.loads(record.read_text()), "rows_read": 11}))
    (after / "publication" / "figures" / "headline.png").write_bytes(b"\x89PNG 2")
    with duckdb.connect(str(after / "publication" / "catalog.duckdb")) as con:
        con.execute("CREATE OR REPLACE VIEW sdg_1_3_1 AS SELECT 1 AS one")
    (after / "publication" / "annex.parquet").write_bytes(b"")
    shutil.rmtree(after / "indicators" / "survey_estimates")
    found = {d.path: d.reason for d in compare(before, after)}
    assert found == {
        "sources/survey/KEN_2019.json": "JSON differs: .rows_read: 10 != 11",
        "publication/figures/headline.png": "bytes differ",
        "publication/catalog.duckdb": "catalog views differ: main.sdg_1_3_1",
        "publication/annex.parquet": "only in the second folder",
        "indicators/survey_estimates/KEN_2019.parquet": "only in the first folder",
    }
    ignored = compare(before, after, ignore=("publication/*", "indicators/survey_estimates/*"))
    assert [d.path for d in ignored] == ["sources/survey/KEN_2019.json"]


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a folder"):
        compare(tmp_path, tmp_path / "nowhere")


def test_stamps_of_the_moment_of_writing_are_not_differences(tmp_path: Path) -> None:
    """What two runs of the same code on the bundle differ in (measured: 493 files, these only):
    Data Docs pages named and filled with their run time, matplotlib's random SVG ids, a PDF's
    creation date, xlsx document times, the output folder's own path and the run's timings in
    run_summary.json. A changed number next to them still counts."""

    def write(root: Path, when: str, salt: str, value: str) -> Path:
        docs = (
            root
            / "publication"
            / "data_docs"
            / "validations"
            / "headline_integrity"
            / "__none__"
            / f"20261206T{when}.123456Z"
        )
        docs.mkdir(parents=True)
        (docs / "page.html").write_text(f"<p>{salt}</p>")
        figures = root / "publication" / "figures"
        figures.mkdir()
        (figures / "gap.svg").write_text(
            f'<dc:date>2026-12-06T{when[:2]}:00:00.1</dc:date><path id="m{salt}"/><use href="#C0_0_{salt}"/>'
            f'<g style="fill: url(#h{salt})">{value}</g>'
        )
        (figures / "gap.pdf").write_bytes(f"%PDF /CreationDate (D:20261206{when}Z) {value}".encode())
        with zipfile.ZipFile(root / "publication" / "tables.xlsx", "w") as z:
            z.writestr("docProps/core.xml", f"<dcterms:created>2026-12-06T{when[:2]}:01:02Z</dcterms:created>")
            z.writestr("xl/worksheets/sheet1.xml", f"<v>{value}</v>")
        (root / "run_summary.json").write_text(
            json.dumps(
                {
                    "outputs": [{"path": f"{root}/publication/headline.parquet"}],
                    "runs": [{"seconds": len(salt), "peak_memory_mb": len(when), "ok": value}],
                }
            )
        )
        return root

    before = write(tmp_path / "a", "060303", "0123456789", "12.5")
    assert compare(before, write(tmp_path / "b", "070404", "abcdefabcd", "12.5")) == []
    found = {d.path: d.reason for d in compare(before, write(tmp_path / "c", "080505", "fedcba9876", "12.6"))}
    assert found == {
        "publication/figures/gap.svg": "text differs (stamps blanked)",
        "publication/figures/gap.pdf": "bytes differ (creation date left out)",
        "publication/tables.xlsx": "parts differ: xl/worksheets/sheet1.xml",
        "run_summary.json": 'JSON differs: .runs[0].ok: "12.5" != "12.6"',
    }
