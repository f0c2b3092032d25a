"""The line-up of published and computed country values (sql/aggregates.sql): which value enters
for each country and reference year by the series' source preference, both values kept with
their difference (and the SE of a survey value), later values standing in only where nothing is
earlier, and population-weighted aggregates of published values computed by hand."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from engine.publication.aggregates import compute_aggregates
from engine.publication.country_values import country_rows, published_rows, select_sources
from schemas.resources.publication import PUBLISHED_SDG
from tests.test_publication_builders import (
    config_2021,
    countries_frame,
    coverage,
    coverage_frame,
    income_groups_frame,
    population_frame,
)

M49 = {"GHA": 288, "TGO": 768, "BEN": 204, "KEN": 404, "COL": 170}
# thousands; WPP builder splits each total evenly over ages 0-4, 15-19, 65-69 and both sexes
POP = {"GHA": 1000.0, "TGO": 3000.0, "BEN": 2000.0, "KEN": 4000.0, "COL": 5000.0}


def published(rows: list[tuple], vintage: str = "2023-12") -> pl.DataFrame:
    """staging/published_sdg rows: (series, iso3, year, sex, value[, breakdown])."""
    out = []
    for series, iso, year, sex, value, *rest in rows:
        breakdown = rest[0] if rest else "T"
        out.append(
            {
                "source_id": f"unsdg_{vintage}",
                "layout": "unsdg_ddf",
                "vintage": vintage,
                "series": series,
                "area_code": str(M49.get(iso, 1)),
                "m49": M49.get(iso, 1),
                "ref_area": iso,
                "area_kind": "country" if iso else "other_area",
                "year": year,
                "sex": sex,
                "breakdown": breakdown,
                "value": value,
                "unit": "PERCENT",
                "nature": "E",
                "obs_status": "A",
                "source_detail": "UN SDG",
            }
        )
    return pl.DataFrame(out, schema=PUBLISHED_SDG.polars_schema())


def run(tables, pub, config=None, years=(2021,)):
    config = config or config_2021()
    rows = country_rows(tables, config, pub)
    population = {(iso, y): total for iso, total in POP.items() for y in range(2015, 2025)}
    return compute_aggregates(
        rows, countries_frame(), income_groups_frame(years=range(2015, 2025)), population_frame(population), config
    )


def cell(result, iso, series, sex="T", year=2021) -> dict:
    rows = result.lineup.filter(
        (pl.col("ref_area") == iso)
        & (pl.col("series") == series)
        & (pl.col("sex") == sex)
        & (pl.col("ref_year") == year)
    )
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def agg(result, series, level="world", region="World", year=2021) -> dict:
    rows = result.aggregates.filter(
        (pl.col("series") == series)
        & (pl.col("level") == level)
        & (pl.col("region") == region)
        & (pl.col("sex") == "T")
        & (pl.col("year") == year)
    )
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_published_values_alone_aggregate_by_the_population_of_the_series_group():
    # BENFTS (whole population): (10*1000 + 20*3000 + 30*2000 + 40*4000 + 50*5000) / 15000 = 36.0;
    # ILO Africa (GHA, TGO, BEN, KEN): 290000 / 10000 = 29.0. PENSN (65+, a third of each
    # population): the same weights in proportion, GHA 60 and COL 90 only -> (60*1000 + 90*5000) / 6000 = 85.0
    pub = published(
        [("SI_COV_BENFTS", iso, 2021, "T", v) for iso, v in zip(POP, (10.0, 20.0, 30.0, 40.0, 50.0), strict=True)]
        + [("SI_COV_PENSN", "GHA", 2021, "T", 60.0), ("SI_COV_PENSN", "COL", 2021, "T", 90.0)]
    )
    result = run({}, pub)
    world = agg(result, "SI_COV_BENFTS")
    assert world["value"] == pytest.approx(36.0) and world["n_reported"] == 5 and world["n_imputed"] == 0
    assert world["denominator"] == pytest.approx(15_000_000)
    assert agg(result, "SI_COV_BENFTS", "ilo_region", "Africa")["value"] == pytest.approx(29.0)
    ghana = cell(result, "GHA", "SI_COV_BENFTS")
    assert (ghana["source_kind"], ghana["source_id"], ghana["denominator"]) == (
        "published",
        "unsdg_2023-12",
        pytest.approx(1_000_000),
    )
    pensn = result.lineup.filter(
        (pl.col("series") == "SI_COV_PENSN") & (pl.col("status") == "reported") & (pl.col("sex") == "T")
    )
    assert dict(zip(pensn["ref_area"], pensn["denominator"], strict=True)) == pytest.approx(
        {"GHA": 1e6 / 3, "COL": 5e6 / 3}
    )
    # the three countries without a value are imputed (median of the reporting ones: 75), so the world is
    # (60*1000 + 90*5000 + 75*(3000 + 2000 + 4000)) / 15000 = 79.0
    assert agg(result, "SI_COV_PENSN")["value"] == pytest.approx(79.0)


def survey_ghana():
    return coverage_frame(
        [
            coverage("GHA", "SI_COV_PENSN", 400_000, 1_000_000, se=2.0),
            coverage("GHA", "SI_COV_SOCAST", 250_000, 1_000_000, se=1.5),
        ]
    )


PUB = [
    ("SI_COV_PENSN", "GHA", 2021, "T", 30.0),
    ("SI_COV_PENSN", "TGO", 2021, "T", 50.0),
    ("SI_COV_SOCAST", "GHA", 2021, "T", 20.0),
    ("SI_COV_SOCAST", "GHA", 2021, "T", 2.0, "quantile=q1"),
]


def test_the_source_preference_of_each_series_decides_and_both_values_are_kept():
    config = config_2021()
    assert config.source_preference[:2] == ("administrative", "survey") and config.preference("SI_COV_SOCAST") == (
        "published",
    )
    result = run({"sdg_1_3_1": survey_ghana()}, published(PUB), config)
    pensn = cell(result, "GHA", "SI_COV_PENSN")
    assert (pensn["source_kind"], pensn["value"]) == ("survey", pytest.approx(40.0))
    assert (
        pensn["computed_value"],
        pensn["computed_source_id"],
        pensn["published_value"],
        pensn["published_source_id"],
    ) == (pytest.approx(40.0), "GHA_LFS_2021", 30.0, "unsdg_2023-12")
    assert (pensn["difference_pp"], pensn["difference_se"]) == (pytest.approx(10.0), 2.0)
    togo = cell(result, "TGO", "SI_COV_PENSN")
    assert (togo["source_kind"], togo["value"], togo["computed_value"], togo["difference_pp"]) == (
        "published",
        pytest.approx(50.0),
        None,
        None,
    )
    socast = cell(result, "GHA", "SI_COV_SOCAST")  # ASPIRE series: published first
    assert (socast["source_kind"], socast["value"], socast["computed_value"], socast["difference_pp"]) == (
        "published",
        pytest.approx(20.0),
        pytest.approx(25.0),
        pytest.approx(5.0),
    )
    # published first for every series: GHA PENSN now the published value, the survey value still shown
    first = dataclasses.replace(config, source_preference=("published", "administrative", "survey", "uhc_index"))
    pensn = cell(run({"sdg_1_3_1": survey_ghana()}, published(PUB), first), "GHA", "SI_COV_PENSN")
    assert (pensn["source_kind"], pensn["value"], pensn["computed_value"], pensn["difference_pp"]) == (
        "published",
        pytest.approx(30.0),
        pytest.approx(40.0),
        pytest.approx(10.0),
    )
    # the country values table follows the same preference; the quintile of the ASPIRE series is kept
    chosen = select_sources(country_rows({"sdg_1_3_1": survey_ghana()}, config, published(PUB)), config)
    ghana = chosen.filter(pl.col("ref_area") == "GHA")
    assert dict(zip(zip(ghana["series"], ghana["quintile"], strict=True), ghana["source_kind"], strict=True)) == {
        ("SI_COV_PENSN", "T"): "survey",
        ("SI_COV_SOCAST", "T"): "published",
        ("SI_COV_SOCAST", "1"): "published",
    }


def test_a_later_value_stands_in_only_where_there_is_none_before():
    config = config_2021()
    assert config.window_after_years == 4
    pub = published(
        [
            ("SI_COV_BENFTS", "KEN", 2019, "T", 35.0),
            ("SI_COV_BENFTS", "BEN", 2023, "T", 12.0),
            ("SI_COV_BENFTS", "COL", 2026, "T", 70.0),
        ]
    )
    later = coverage_frame([coverage("KEN", "SI_COV_BENFTS", 50, 100, year=2023, source_kind="administrative")])
    result = run({"sdg_1_3_1": later}, pub, config)
    kenya = cell(result, "KEN", "SI_COV_BENFTS")  # a published 2019 value beats an administrative 2023 one for 2021
    assert (kenya["source_kind"], kenya["obs_year"], kenya["value"]) == ("published", 2019, pytest.approx(35.0))
    benin = cell(result, "BEN", "SI_COV_BENFTS")  # nothing before: 2023 stands in
    assert (benin["status"], benin["obs_year"], benin["value"]) == ("reported", 2023, pytest.approx(12.0))
    assert cell(result, "COL", "SI_COV_BENFTS")["status"] == "imputed"  # 2026 is beyond 2021 + 4
    none_after = dataclasses.replace(config, window_after_years=0)
    assert cell(run({"sdg_1_3_1": later}, pub, none_after), "BEN", "SI_COV_BENFTS")["status"] == "imputed"


def test_published_rows_take_the_latest_vintage_of_each_series():
    config = config_2021()
    pub = pl.concat(
        [
            published([("SI_COV_BENFTS", "GHA", 2021, "T", 10.0), ("SI_COV_PENSN", "GHA", 2021, "T", 60.0)], "2020-10"),
            published([("SI_COV_BENFTS", "GHA", 2021, "T", 12.0)], "2023-12"),
        ]
    )
    rows = published_rows(pub, config)
    assert sorted(zip(rows["series"], rows["source_id"], rows["value"], strict=True)) == [
        ("SI_COV_BENFTS", "unsdg_2023-12", 12.0),
        ("SI_COV_PENSN", "unsdg_2020-10", 60.0),
    ]
    assert set(rows["nature"]) == {"E"} and set(rows["input_vintage"]) == {
        "unsdg_2023-12@2023-12",
        "unsdg_2020-10@2020-10",
    }
    named = published_rows(pub, dataclasses.replace(config, published_vintage="2020-10"))
    assert sorted(named["value"]) == [10.0, 60.0]
