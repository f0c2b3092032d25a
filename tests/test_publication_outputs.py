"""The publication assets end to end on a small output directory written by the test: every
table, the SDMX file, figures rendered to PNG (non-trivial images; their titles, units, notes
and missing cells are read from the Figure objects in test_publication_figures.py), Data Docs,
the DuckDB catalog whose views are readable, and one asset check per GX suite."""

from __future__ import annotations

import struct

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.publication import PUBLICATION_ASSETS, PUBLICATION_CHECKS
from assets.staging.published_sdg import PUBLISHED_SDG_ASSETS
from engine.publication.sdmx import HEADER
from engine.store import ParquetStore
from pipelines.definitions import ASSETS
from pipelines.io_managers import parquet_io_manager
from schemas.gx_suites import SUITES
from schemas.resources.publication import RESOURCES
from tests.pipeline_settings import pipeline_settings
from tests.test_publication_builders import (
    countries_frame,
    coverage,
    coverage_frame,
    gap,
    gap_frame,
    hardship,
    hardship_frame,
    income_groups_frame,
    population_frame,
)

EXTRACT = (
    "geo_area,nature,observation_status,sex,units,year,si_cov_pensn\n"
    "1,n,a,bothsex,percent,2021,77.5\n288,e,a,bothsex,percent,2021,35\n768,e,a,bothsex,percent,2021,41\n"
)


def write_inputs(input_dir, output_dir) -> None:
    folder = input_dir / "reference" / "unsdg_2023-12"
    folder.mkdir(parents=True)
    (
        folder / "ddf--datapoints--si_cov_pensn--by--geo_area--nature--observation_status--sex--units--year.csv"
    ).write_text(EXTRACT)
    store = ParquetStore(output_dir)
    rows = []
    for iso, (t, f, m) in {"GHA": (30, 10, 20), "TGO": (40, 15, 25), "KEN": (50, 20, 30)}.items():
        for year in (2022, 2023):
            rows += [
                coverage(iso, "SI_COV_PENSN", t, 100, year=year),
                coverage(iso, "SI_COV_PENSN", f, 50, year=year, sex="F"),
                coverage(iso, "SI_COV_PENSN", m, 50, year=year, sex="M"),
                coverage(iso, "SI_COV_BENFTS", t + 10, 100, year=year),
                coverage(iso, "SI_COV_BENFTS", f + 5, 50, year=year, sex="F"),
                coverage(iso, "SI_COV_BENFTS", m + 5, 50, year=year, sex="M"),
            ]
    rows.append(coverage("GHA", "SI_COV_PENSN", 3, 10, nationality="non_national", year=2023, n=30))
    store.write(coverage_frame(rows), "indicators", "sdg_1_3_1")
    store.write(
        gap_frame(
            [
                gap("GHA", "SI_COV_PENSN", "sex", 20, 40, year=2023),
                gap("KEN", "SI_COV_PENSN", "nationality", 30, 51, year=2023),
            ]
        ),
        "indicators",
        "sdg_1_3_1_gaps",
    )
    store.write(
        hardship_frame(
            [hardship("GHA", "SH_XPD_EARN10", 9.0, year=2023), hardship("GHA", "SH_XPD_EARN25", 2.0, year=2023)]
        ),
        "indicators",
        "sdg_3_8_2",
    )
    # one survey of the inputs is synthetic (its source record says so): labels and notes name it
    store.write_record(
        "sources",
        "survey",
        "GHA_LFS_2023",
        {
            "source_kind": "survey",
            "source_id": "GHA_LFS_2023",
            "synthetic": True,
            "rows_read": 1,
            "rows_kept": 1,
            "rows_quarantined": 0,
            "run_id": "an-earlier-run",  # every record names its run and time (provenance/source_records)
            "at": "2026-01-01T00:00:00+00:00",
        },
    )
    store.write(countries_frame(), "staging", "countries")
    store.write(income_groups_frame(years=range(2015, 2024)), "staging", "income_groups")
    store.write(
        population_frame({(iso, y): 1000.0 for iso in ("GHA", "TGO", "BEN", "KEN", "COL") for y in range(2018, 2024)}),
        "staging",
        "population",
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("publication")
    write_inputs(base / "in", base / "out")
    result = dg.materialize(
        [*ASSETS, *PUBLICATION_CHECKS],
        selection=[*PUBLISHED_SDG_ASSETS, *PUBLICATION_ASSETS, *PUBLICATION_CHECKS],
        resources={"pipeline": pipeline_settings(base / "in", base / "out"), "io_manager": parquet_io_manager},
        raise_on_error=True,
    )
    return base / "out", result


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_every_publication_table_is_written_in_its_declared_columns(run):
    out, result = run
    assert result.success
    for table in RESOURCES:
        if table.storage != "parquet":
            continue
        frame = pl.read_parquet(out / table.path())
        assert frame.columns[: len(table.columns)] == list(table.fields), table.name
    lineup = pl.read_parquet(out / "publication" / "country_lineup.parquet")
    assert set(lineup["status"]) >= {"reported", "imputed"}
    assert (out / "publication" / "sdg_sdmx.csv").read_text().splitlines()[0] == ",".join(HEADER)


def test_figures_are_rendered_to_non_trivial_pngs_and_to_svg_and_pdf_naming_the_synthetic_inputs(run):
    out, _ = run
    folder = out / "publication" / "figures"
    figures = {p.name: p for p in folder.glob("*.png")}
    assert set(figures) == {"coverage_by_region_sex.png", "gender_gap_by_series.png", "nationality_gap.png"}
    for path in figures.values():
        width, height = png_size(path)
        assert width >= 1200 and height >= 600 and path.stat().st_size > 20_000, path.name
        svg, pdf = path.with_suffix(".svg"), path.with_suffix(".pdf")
        assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml") and pdf.read_bytes()[:5] == b"%PDF-", (
            path.name
        )
    # the survey GHA_LFS_2023 is synthetic: the notes of the figures of aggregates name it (text of the SVG)
    for name in ("coverage_by_region_sex.svg", "gender_gap_by_series.svg"):
        assert "Synthetic inputs (not official statistics) under the values shown: GHA_LFS_2023" in (
            folder / name
        ).read_text(encoding="utf-8"), name


def test_the_catalog_exposes_every_parquet_output_as_a_readable_view(run):
    out, _ = run
    con = duckdb.connect(str(out / "publication" / "catalog.duckdb"), read_only=True)
    views = {row[0] for row in con.sql("SELECT view FROM catalog_tables").fetchall()}
    expected = {
        f"{p.parent.name}.{p.stem}"
        for layer in ("staging", "indicators", "publication")
        for p in (out / layer).glob("*.parquet")
    }
    assert expected <= views and "publication.headline" in views
    for view in views:
        con.sql(f"SELECT * FROM {view} LIMIT 1").fetchall()
    for name in ("publication.headline", "indicators.sdg_1_3_1", "staging.published_sdg"):
        layer, table = name.split(".")
        assert (
            con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            == pl.read_parquet(out / layer / f"{table}.parquet").height
        )
    world = con.execute(
        "SELECT value FROM publication.headline WHERE level = 'world' AND sex = 'T' AND series = 'SI_COV_PENSN' AND latest"
    ).fetchone()
    assert world[0] == pytest.approx(100 * 120 / 300)
    con.close()


def test_the_catalog_has_a_view_of_the_sdmx_file(run):
    out, _ = run
    csv_rows = pl.read_csv(out / "publication" / "sdg_sdmx.csv", infer_schema=False)
    con = duckdb.connect(str(out / "publication" / "catalog.duckdb"), read_only=True)
    assert con.execute("SELECT format, files FROM catalog_tables WHERE view = 'publication.sdg_sdmx'").fetchall() == [
        ("csv", 1)
    ]
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE publication.sdg_sdmx)").fetchall())
    assert list(types) == list(HEADER)
    assert {c: types[c] for c in ("OBS_VALUE", "UPPER_BOUND", "LOWER_BOUND")} == dict.fromkeys(
        ("OBS_VALUE", "UPPER_BOUND", "LOWER_BOUND"), "DOUBLE"
    )
    assert all(types[c] == "VARCHAR" for c in HEADER if c not in ("OBS_VALUE", "UPPER_BOUND", "LOWER_BOUND"))
    assert con.execute("SELECT count(*) FROM publication.sdg_sdmx").fetchone()[0] == csv_rows.height
    # codes as written; the suppressed non-national cell has no value
    world = con.execute(
        "SELECT OBS_VALUE FROM publication.sdg_sdmx WHERE REF_AREA = '1' AND SEX = '_T' AND SERIES = 'SI_COV_PENSN' "
        "AND TIME_PERIOD = '2023'"
    ).fetchall()
    assert world == [(pytest.approx(100 * 120 / 300),)]
    assert con.execute(
        "SELECT OBS_STATUS, OBS_VALUE FROM publication.sdg_sdmx_breakdowns WHERE NATIONALITY = 'NONNAT'"
    ).fetchall() == [("Q", None)]
    assert con.execute("SELECT count(*) FROM publication.sdg_sdmx WHERE CUST_BREAKDOWN <> '_T'").fetchone() == (0,)
    con.close()
    assert not list((out / "publication").glob(".catalog.duckdb*"))


def test_each_suite_is_an_asset_check_of_its_table_and_the_data_docs_are_written(run):
    out, result = run
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    for suite in SUITES:  # on the table the suite validates (headline, annex, sdg_sdmx ...)
        assert evaluations[suite.name].asset_key == dg.AssetKey(["publication", suite.table]), suite.name
    failed = {s.name: evaluations[s.name].metadata for s in SUITES if not evaluations[s.name].passed}
    assert not failed
    assert (out / "publication" / "data_docs" / "index.html").exists()
    staging = {
        e.check_name: e.passed
        for e in result.get_asset_check_evaluations()
        if e.asset_key == dg.AssetKey(["staging", "published_sdg"])
    }
    assert staging == {"rows_reconcile": True, "canonical_schema": True, "no_quarantined_rows": True}


def test_disclosure_control_reaches_every_published_table(run):
    out, _ = run
    cells = pl.read_parquet(out / "publication" / "country_values.parquet").filter(
        pl.col("nationality") == "non_national"
    )
    assert cells["suppressed"].to_list() == [True] and cells["value"].to_list() == [None]
    assert (
        pl.read_csv(out / "publication" / "sdg_sdmx.csv", infer_schema=False)
        .filter(pl.col("CUST_BREAKDOWN") != "_T")
        .is_empty()
    )
    sdmx = pl.read_csv(out / "publication" / "sdg_sdmx_breakdowns.csv", infer_schema=False).filter(
        pl.col("NATIONALITY") == "NONNAT"
    )
    assert sdmx["OBS_STATUS"].to_list() == ["Q"] and sdmx["OBS_VALUE"].to_list() == [None]
    indicators = pl.read_parquet(out / "indicators" / "sdg_1_3_1.parquet").filter(
        pl.col("nationality") == "non_national"
    )
    assert indicators["value"].to_list() == [pytest.approx(30.0)]
    revisions = pl.read_parquet(out / "publication" / "revisions.parquet").filter(
        (pl.col("series") == "SI_COV_PENSN") & (pl.col("sex") == "T")
    )
    assert set(revisions["ref_area"]) == {"GHA", "KEN", "TGO"}


def test_the_excel_workbook_reads_back_with_its_tables_notes_and_formats(run):
    from openpyxl import load_workbook

    out, _ = run
    book = load_workbook(out / "publication" / "report_tables.xlsx")
    assert book.sheetnames == ["Headline", "Annex", "Aggregate comparison"]
    sheet = book["Headline"]
    header = [c.value for c in sheet[3]]
    assert header[:9] == ["Series", "Series label", "Level", "Group", "M49 code", "Year", "Total", "Women", "Men"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    table = [r for r in rows if r[0] is not None and str(r[0]).startswith(("SI_", "SH_"))]
    world = next(r for r in table if r[0] == "SI_COV_PENSN" and r[3] == "World")
    headline = pl.read_parquet(out / "publication" / "headline.parquet").filter(
        (pl.col("series") == "SI_COV_PENSN") & (pl.col("level") == "world") & pl.col("latest")
    )
    assert world[6] == pytest.approx(headline.filter(pl.col("sex") == "T")["value"][0])
    assert world[7] == pytest.approx(headline.filter(pl.col("sex") == "F")["value"][0])
    assert world[header.index("Status")] == headline.filter(pl.col("sex") == "T")["obs_status"][0]
    # number formats: percentages one decimal, shares as percent, years as integers
    world_row = 4 + rows.index(world)
    assert sheet.cell(row=world_row, column=7).number_format == "0.0"
    assert sheet.cell(row=world_row, column=header.index("Reported share of denominator") + 1).number_format == "0.0%"
    assert sheet.cell(row=world_row, column=6).number_format == "0"
    # notes and sources under the table, after an empty row
    first_note = 4 + len(table) + 1
    notes = [sheet.cell(row=r, column=1).value for r in range(first_note, sheet.max_row + 1)]
    assert notes[0] == "Notes:" and "Sources:" in notes
    assert any(n and n.startswith("Status: A normal; E estimated") for n in notes)
    assert any(n and n.startswith("Synthetic inputs:") for n in notes)
    annex = book["Annex"]
    annex_header = [c.value for c in annex[3]]
    assert annex_header[:3] == ["ISO3", "Country", "M49"] and "SI_COV_PENSN synthetic input" in annex_header
    iso = [annex.cell(row=r, column=1).value for r in range(4, 4 + 5)]
    assert iso == sorted(iso) and "GHA" in iso
