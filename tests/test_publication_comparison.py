"""The check of the aggregation against published aggregates (engine/publication/comparison.py,
sql/aggregate_comparison.sql) on a hand case: the reproduction, the feasible range, the mean the
published value implies for the imputed countries, and the reasons of the differences."""

from __future__ import annotations

import polars as pl
import pytest

from engine.publication.comparison import comparison_summary, comparison_table, render_markdown
from schemas.resources.publication import PUBLISHED_SDG
from tests.test_publication_builders import config_2021, countries_frame, income_groups_frame, population_frame

M49 = {"GHA": 288, "TGO": 768, "BEN": 204}
POP = {"GHA": 1000.0, "TGO": 3000.0, "BEN": 2000.0}  # thousands


def row(vintage, iso, area, value, series="SI_COV_BENFTS", year=2020):
    return {
        "source_id": f"unsdg_{vintage}",
        "layout": "unsdg_ddf",
        "vintage": vintage,
        "series": series,
        "area_code": str(area),
        "m49": area,
        "ref_area": iso,
        "area_kind": "country" if iso else "other_area",
        "year": year,
        "sex": "T",
        "breakdown": "T",
        "value": value,
        "unit": "PERCENT",
        "nature": "N" if iso is None else "E",
        "obs_status": "A",
        "source_detail": "UN SDG",
    }


def published() -> pl.DataFrame:
    rows = [
        row("2023-12", "GHA", 288, 10.0),
        row("2023-12", "TGO", 768, 20.0),  # BEN: no value
        row("2023-12", None, 1, 14.0),  # world
        row("2023-12", None, 11, 50.0),  # Western Africa (GHA, TGO, BEN): no imputation can reach 50
        row("2023-12", None, 999, 30.0),  # an area that is not a grouping
        row("2020-10", None, 1, 14.0),  # the same world value in the older release
    ]
    return pl.DataFrame(rows, schema=PUBLISHED_SDG.polars_schema())


def groups() -> pl.DataFrame:
    return pl.DataFrame(
        {"level": ["m49_subregion"] * 3, "region": ["Western Africa"] * 3, "m49": [11] * 3, "iso3": list(M49)}
    )


def table():
    countries = countries_frame().filter(pl.col("iso3").is_in(list(M49)))
    population = population_frame({(iso, 2020): p for iso, p in POP.items()})
    return comparison_table(
        published(), countries, income_groups_frame(years=(2020,)), population, groups(), config_2021()
    )


def one(frame, area):
    rows = frame.filter((pl.col("area_code") == str(area)) & (pl.col("vintage") == "2023-12"))
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_reproduction_range_implied_mean_and_reasons_by_hand():
    frame = table()
    world = one(frame, 1)
    # BEN imputed with the median of GHA and TGO (15): (10*1000 + 20*3000 + 15*2000) / 6000
    assert world["reproduced_value"] == pytest.approx(100000 / 6000)
    assert world["difference_pp"] == pytest.approx(100000 / 6000 - 14.0)
    assert (world["n_countries"], world["n_imputed"], world["n_exact"]) == (3, 1, 2)
    assert (world["imputed_share"], world["exact_share"]) == pytest.approx((2000 / 6000, 4000 / 6000))
    assert (world["feasible_min"], world["feasible_max"]) == pytest.approx((70000 / 6000, 270000 / 6000))
    # the published 14.0 implies (14*6000 - 70000) / 2000 = 7.0 for BEN; the model gives 15
    assert (world["implied_imputed_mean"], world["model_imputed_mean"]) == pytest.approx((7.0, 15.0))
    assert world["unchanged_since"] == "2020-10"
    assert world["reason_code"] == "unchanged_since_vintage;mostly_imputed"
    assert world["explanation"] == (
        "the same aggregate and value are in the 2020-10 extract: it predates the country values now published, which cover 67% of "
        "the weight for 2020 (2 countries); 33% of the weight imputed (1 countries): the published value implies a mean of 7.0 for them, "
        "this model gives 15.0"
    )
    west = one(frame, 11)
    assert (west["level"], west["region"], west["reproduced_value"]) == (
        "m49_subregion",
        "Western Africa",
        pytest.approx(100000 / 6000),
    )
    assert west["reason_code"].startswith("outside_feasible_range")
    assert "published 50.0 lies outside [11.7, 45.0]" in west["explanation"]
    other = one(frame, 999)
    assert (other["level"], other["reproduced_value"], other["reason_code"]) == (None, None, "area_not_grouped")
    # the 2020-10 world aggregate has no country values of its own: nothing reproduced, said so
    older = frame.filter(pl.col("vintage") == "2020-10").row(0, named=True)
    assert older["reproduced_value"] is None and older["reason_code"] is not None


def test_summary_and_the_docs_table():
    frame = table()
    summary = comparison_summary(frame)
    assert summary["vintage"] == "2023-12"
    assert summary["world_benfts"]["2020"]["difference_pp"] == pytest.approx(100000 / 6000 - 14.0)
    assert summary["regional_131_n"] == 1 and summary["regional_131_mad_pp"] == pytest.approx(50.0 - 100000 / 6000)
    text = render_markdown(frame)
    assert "| world SI_COV_BENFTS 2020 within 0.5 pp | 14.0 | 16.67 | 2.67 | no |" in text
    assert (
        "| SI_COV_BENFTS | 2020 | T | Western Africa (11) | 50.00 | 16.67 | -33.33 | published 50.0 lies outside"
        in text
    )
