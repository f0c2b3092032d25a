"""SDMX-CSV exports: the exact header of the UN file, which carries only the UN SDG dimensions and
codes; one country row of the breakdowns file (nationality, age, area: ILOSTAT codes where ILOSTAT
has them) and one aggregate row checked field by field, the suppressed cell, and what is left
out; the UN dimensions of the edition are those of the bundled UN SDG extract."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date

import polars as pl
import pytest

from engine.method_config import MethodConfigError, load_method
from engine.publication.aggregates import compute_aggregates
from engine.publication.config import publication_config
from engine.publication.country_values import country_rows, published_values
from engine.publication.sdmx import BREAKDOWN_HEADER, HEADER, breakdown_frame, sdmx_frame, to_csv, write_csv
from tests.test_publication_builders import (
    config_2021,
    countries_frame,
    coverage,
    coverage_frame,
    hardship,
    hardship_frame,
    income_groups_frame,
    population_frame,
)

EXPECTED_HEADER = (
    "DATAFLOW,FREQ,REPORTING_TYPE,SERIES,REF_AREA,SEX,AGE,URBANISATION,INCOME_WEALTH_QUANTILE,EDUCATION_LEV,OCCUPATION,"
    "CUST_BREAKDOWN,COMPOSITE_BREAKDOWN,DISABILITY_STATUS,ACTIVITY,PRODUCT,TIME_PERIOD,OBS_VALUE,OBS_STATUS,UNIT_MULT,"
    "UNIT_MEASURE,BASE_PER,NATURE,TIME_DETAIL,COMMENT_OBS,TIME_COVERAGE,UPPER_BOUND,LOWER_BOUND,SOURCE_DETAIL,COMMENT_TS,"
    "GEO_INFO_URL,GEO_INFO_TYPE,CUST_BREAKDOWN_LB,DATA_LAST_UPDATE"
)


def inputs():
    config = config_2021()
    table = coverage_frame(
        [
            coverage(
                "GHA",
                "SI_COV_PENSN",
                455.5,
                1000,
                sex="F",
                nationality="non_national",
                age_group="65_120",
                urban_rural="rural",
                n=300,
                reliability="caution",
                se=2.5,
                ci_lower=40.61,
                ci_upper=50.55,
            ),
            coverage("GHA", "SI_COV_PENSN", 30, 100, n=20),
            coverage("TGO", "SI_COV_PENSN", 120, 100, value=100.0, capped=True, source_kind="administrative"),
            coverage("TGO", "SP_CONTRIB_LF", 30, 100, source_kind="administrative"),
        ]
    )
    hard = hardship_frame(
        [
            hardship("GHA", "SH_XPD_EARN10", 9.5),
            hardship("GHA", "SH_XPD_EARN10", 12.0, sex="F"),
            hardship("GHA", "SH_XPD_EARN10", 11.0, quintile="1"),
        ]
    )
    rows = country_rows({"sdg_1_3_1": table, "sdg_3_8_2": hard}, config)
    published = published_values(rows, config)
    countries = countries_frame().filter(pl.col("iso3").is_in(["GHA", "TGO"]))
    aggregates = compute_aggregates(
        rows, countries, income_groups_frame(), population_frame({("GHA", 2021): 100.0, ("TGO", 2021): 50.0}), config
    ).aggregates
    return published, aggregates, countries, config


def export():
    published, aggregates, countries, config = inputs()
    return sdmx_frame(published, aggregates, countries, config, updated=date(2026, 11, 24))


def breakdowns():
    published, _, countries, config = inputs()
    return breakdown_frame(published, countries, config, updated=date(2026, 11, 24))


def find(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(pl.all_horizontal([pl.col(k) == v for k, v in where.items()]))
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_header_is_the_sdg_dataflow_layout_exactly(tmp_path):
    assert ",".join(HEADER) == EXPECTED_HEADER
    path = tmp_path / "sdg_sdmx.csv"
    write_csv(export(), path)
    raw = path.read_bytes()
    assert raw.startswith(EXPECTED_HEADER.encode() + b"\r\n") and not raw.startswith(b"\xef\xbb\xbf")


def test_a_country_row_of_the_breakdowns_file_field_by_field():
    row = find(breakdowns(), SERIES="SI_COV_PENSN", REF_AREA="288", SEX="F")
    assert row == {
        "DATAFLOW": "SP-PIPELINE:DF_SP_BREAKDOWNS(1.0)",
        "FREQ": "A",
        "SERIES": "SI_COV_PENSN",
        "REF_AREA": "288",
        "SEX": "F",
        "AGE": "AGE_AGGREGATE_YGE65",
        "AREA": "GEO_COV_RUR",
        "NATIONALITY": "NONNAT",
        "QUINTILE": "_T",
        "HH_COMPOSITION": "_T",
        "TIME_PERIOD": "2021",
        "OBS_VALUE": "45.55",
        "OBS_STATUS": "U",
        "UNIT_MULT": "0",
        "UNIT_MEASURE": "PT",
        "NATURE": "C",
        "COMMENT_OBS": "Use with caution: low reliability (sample size or coefficient of variation)",
        "UPPER_BOUND": "50.55",
        "LOWER_BOUND": "40.61",
        "SOURCE_DETAIL": "Household survey GHA_LFS_2021",
        "DATA_LAST_UPDATE": "2026-11-24",
    }
    assert breakdowns().columns == list(BREAKDOWN_HEADER)


def test_the_un_file_has_only_un_dimensions_and_codes():
    frame = export()
    assert (
        frame.filter(pl.col("REF_AREA") == "288").filter(pl.col("SEX") == "F").is_empty()
    )  # the F cell is non-national, rural, 65+
    for dimension in ("AGE", "URBANISATION", "INCOME_WEALTH_QUANTILE", "CUST_BREAKDOWN", "EDUCATION_LEV", "OCCUPATION"):
        assert set(frame[dimension]) == {"_T"}, dimension
    assert set(frame.filter(pl.col("SERIES") == "SH_XPD_EARN10")["SEX"]) == {"_T"}


def test_the_un_dimensions_of_the_edition_are_those_of_the_bundled_extract():
    # dimensions of each series in the file names of the UN SDG 2023-12 extract (DDF: ...--by--<dims>--year.csv)
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "data" / "raw" / "reference" / "unsdg_2023-12"
    names = {"sex": "SEX", "quantile": "INCOME_WEALTH_QUANTILE", "age": "AGE"}
    extract = {}
    for path in folder.glob("ddf--datapoints--*.csv"):
        series, dims = path.name[len("ddf--datapoints--") : -len("--year.csv")].split("--by--")
        extract[series.upper()] = sorted(names[d] for d in dims.split("--") if d in names)
    configured = config_2021().sdmx["un_dimensions"]
    assert {s: sorted(d) for s, d in configured.items()} == {s: extract[s] for s in configured}


def test_suppressed_capped_and_aggregate_rows():
    frame = export()
    suppressed = find(frame, SERIES="SI_COV_PENSN", REF_AREA="288", SEX="_T")
    assert (suppressed["OBS_VALUE"], suppressed["OBS_STATUS"], suppressed["UPPER_BOUND"]) == ("", "Q", "")
    assert suppressed["COMMENT_OBS"].startswith("Suppressed: fewer than 50")
    capped = find(frame, SERIES="SI_COV_PENSN", REF_AREA="768", SEX="_T")
    assert (capped["OBS_VALUE"], capped["OBS_STATUS"], capped["NATURE"], capped["SOURCE_DETAIL"]) == (
        "100",
        "E",
        "CA",
        "ILO Social Security Inquiry return TGO_2021",
    )
    world = find(frame, SERIES="SI_COV_PENSN", REF_AREA="1", SEX="_T")
    # GHA's total is suppressed (n = 20): imputed from TGO (100%), so the world is 100%; GHA's imputed
    # denominator is the larger part: the world rests mostly on imputed values, status E
    assert (world["OBS_VALUE"], world["NATURE"], world["OBS_STATUS"], world["CUST_BREAKDOWN"]) == (
        "100",
        "N",
        "E",
        "_T",
    )
    assert world["COMMENT_OBS"].startswith(
        "Aggregate of 2 countries, 1 imputed; Estimated: rests mostly on imputed values; reported data cover "
    )
    assert set(frame.filter(pl.col("SERIES") == "SI_COV_PENSN")["REF_AREA"]) == {"288", "768", "1", "202", "912"}


def test_aggregates_name_the_custodian_of_their_family():
    config = config_2021()
    rows = country_rows(
        {
            "sdg_1_3_1": coverage_frame([coverage("GHA", "SI_COV_PENSN", 30, 100)]),
            "sdg_3_8_2": hardship_frame([hardship("GHA", "SH_XPD_EARN10", 9.5)]),
            "sdg_3_8_1": pl.DataFrame(
                {
                    "ref_area": ["GHA"],
                    "year": [2021],
                    "value": [45.0],
                    "imputed_share": [0.0],
                    "method_edition": ["sdg_3_8_1:2023-01-24"],
                }
            ),
        },
        config,
    )
    countries = countries_frame().filter(pl.col("iso3") == "GHA")
    aggregates = compute_aggregates(
        rows, countries, income_groups_frame(), population_frame({("GHA", 2021): 100.0}), config
    ).aggregates
    frame = sdmx_frame(published_values(rows, config), aggregates, countries, config, updated=date(2026, 11, 24))
    detail = {
        s: find(frame, SERIES=s, REF_AREA="1", SEX="_T")["SOURCE_DETAIL"]
        for s in ("SI_COV_PENSN", "SH_XPD_EARN10", "SH_ACS_UNHC")
    }
    assert detail == {
        "SI_COV_PENSN": "Aggregate of country data; custodian: ILO (publication:WSPR-2024; sdg_1_3_1:ILO-2024)",
        "SH_XPD_EARN10": "Aggregate of country data; custodian: WHO and World Bank (publication:WSPR-2024; sdg_3_8_2:2025)",
        "SH_ACS_UNHC": "Aggregate of country data; custodian: WHO (publication:WSPR-2024; sdg_3_8_1:2023-01-24)",
    }


def test_a_family_without_a_custodian_is_a_configuration_error():
    method = load_method("publication")
    sdmx = {**method["sdmx"], "custodians": {"sdg_1_3_1": "ILO", "sdg_3_8_1": "WHO"}}
    broken = dataclasses.replace(method, params={**method.params, "sdmx": sdmx})
    with pytest.raises(MethodConfigError, match=r"sdmx.custodians: no custodian agency for \['sdg_3_8_2'\]"):
        publication_config(broken)


def test_what_is_not_exported():
    frame, extra = export(), breakdowns()
    # report series without a UN SDG code; 3.8.2 by sex of the household head
    assert "SP_CONTRIB_LF" not in frame["SERIES"].to_list() + extra["SERIES"].to_list()
    earn10 = frame.filter((pl.col("SERIES") == "SH_XPD_EARN10") & (pl.col("REF_AREA") == "288"))
    assert earn10.height == 1 and earn10["INCOME_WEALTH_QUANTILE"].to_list() == ["_T"]
    by_quintile = extra.filter(pl.col("SERIES") == "SH_XPD_EARN10")
    assert (by_quintile["QUINTILE"].to_list(), by_quintile["SEX"].to_list(), by_quintile["OBS_VALUE"].to_list()) == (
        ["Q1"],
        ["_T"],
        ["11"],
    )


def test_csv_text_loads_back_unchanged():
    frame = export()
    rows = list(csv.reader(io.StringIO(to_csv(frame), newline="")))
    assert tuple(rows[0]) == HEADER and len(rows) == frame.height + 1
    assert [tuple(r) for r in rows[1:]] == list(frame.iter_rows())
