"""Aggregates (sql/aggregates.sql): sum of numerators over sum of denominators, population
weights for 3.8.x, imputation flags and covered shares, sex coherence, denominator growth to
the reference year, vintage separation, and suppressed cells left out. Every expected number is
computed by hand in the test."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from engine.method_config import MethodConfigError, load_method
from engine.publication.aggregates import compute_aggregates
from engine.publication.annex import headline_table
from engine.publication.config import publication_config
from engine.publication.country_values import country_rows
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

POP = {
    ("GHA", 2021): 30000.0,
    ("TGO", 2021): 8000.0,
    ("BEN", 2021): 12000.0,
    ("KEN", 2021): 50000.0,
    ("COL", 2021): 50000.0,
}


def run(tables: dict[str, pl.DataFrame], config=None, population=POP, countries=None):
    config = config or config_2021()
    rows = country_rows(tables, config)
    return compute_aggregates(
        rows,
        countries if countries is not None else countries_frame(),
        income_groups_frame(),
        population_frame(population),
        config,
        population_vintage="WPP test",
    )


def agg(result, series, level="world", region="World", sex="T", year=2021) -> dict:
    rows = result.aggregates.filter(
        (pl.col("series") == series)
        & (pl.col("level") == level)
        & (pl.col("region") == region)
        & (pl.col("sex") == sex)
        & (pl.col("year") == year)
    )
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def cell(result, ref_area, series, sex="T") -> dict:
    rows = result.lineup.filter(
        (pl.col("ref_area") == ref_area) & (pl.col("series") == series) & (pl.col("sex") == sex)
    )
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def only(*iso3):
    return countries_frame().filter(pl.col("iso3").is_in(list(iso3)))


def test_sum_of_numerators_over_sum_of_denominators_not_a_mean_of_rates():
    # GHA 30 / 100 = 30%, TGO 45 / 50 = 90%: mean of rates 60%, the rule gives 75 / 150 = 50%.
    table = coverage_frame([coverage("GHA", "SI_COV_PENSN", 30, 100), coverage("TGO", "SI_COV_PENSN", 45, 50)])
    result = run({"sdg_1_3_1": table}, countries=only("GHA", "TGO"))
    world = agg(result, "SI_COV_PENSN")
    assert world["value"] == pytest.approx(50.0)
    assert (world["numerator"], world["denominator"]) == pytest.approx((75.0, 150.0))
    assert world["n_reported"] == 2 and world["n_imputed"] == 0
    assert world["denominator_share_reported"] == pytest.approx(1.0) and not world["low_coverage"]
    assert agg(result, "SI_COV_PENSN", "ilo_region", "Africa")["value"] == pytest.approx(50.0)
    assert agg(result, "SI_COV_PENSN", "income_group", "LM")["value"] == pytest.approx(50.0)


def test_an_aggregate_of_countries_all_at_100_is_100_not_a_rounding_above():
    # 100 * sum(value / 100 * den) / sum(den) gives 100 + 1.4e-14 in floating point for these
    # denominators; a weighted mean never leaves the range of its country values
    dens = {"GHA": 15847490.109580895, "TGO": 797404.2475543028, "KEN": 29130156.794192974}
    assert 100 * sum(100.0 / 100 * d for d in dens.values()) / sum(dens.values()) > 100
    table = coverage_frame([coverage(iso, "SI_COV_POOR", d, d) for iso, d in dens.items()])
    result = run({"sdg_1_3_1": table}, countries=only(*dens))
    assert agg(result, "SI_COV_POOR")["value"] == 100.0
    assert agg(result, "SI_COV_POOR", "ilo_region", "Africa")["value"] == 100.0


X_ROUNDING_ABOVE = 853942488.4226801


def test_a_country_at_100_stays_at_100_in_the_line_up():
    # numerator = denominator = x, and (100 * x) / x != 100 in floating point for this x
    x = X_ROUNDING_ABOVE
    assert 100 * x / x > 100
    result = run(
        {"sdg_1_3_1": coverage_frame([coverage("GHA", "SI_COV_POOR", x, x, value=100.0)])}, countries=only("GHA")
    )
    assert cell(result, "GHA", "SI_COV_POOR")["value"] == 100.0
    assert agg(result, "SI_COV_POOR")["value"] == 100.0


def test_population_weighted_3_8_2_and_3_8_1():
    # WPP totals in thousands x 1000: GHA 30 000 000, TGO 8 000 000.
    hard = hardship_frame([hardship("GHA", "SH_XPD_EARN10", 10.0), hardship("TGO", "SH_XPD_EARN10", 29.0)])
    # 3.8.1 in the layout of engine.sdg_3_8_1 (country, sci, categories...): accepted as is
    uhc = pl.DataFrame(
        {
            "country": ["GHA", "TGO"],
            "year": [2021, 2021],
            "sci": [50.0, 70.0],
            "rmnch": [60.0, 80.0],
            "imputed_share": [0.0, 0.1],
            "method_edition": ["sdg_3_8_1:2023-01-24"] * 2,
        }
    )
    result = run({"sdg_3_8_2": hard, "sdg_3_8_1": uhc}, countries=only("GHA", "TGO"))
    expected = (10 * 30_000_000 + 29 * 8_000_000) / 38_000_000
    world = agg(result, "SH_XPD_EARN10")
    assert world["value"] == pytest.approx(expected)
    assert world["denominator"] == pytest.approx(38_000_000) and world["weighting"] == "population"
    assert agg(result, "SH_ACS_UNHC")["value"] == pytest.approx((50 * 30 + 70 * 8) / 38)
    assert result.aggregates.filter(pl.col("family") == "sdg_3_8_2")["sex"].unique().to_list() == ["T"]


def test_imputed_country_is_flagged_with_its_group_and_the_covered_share():
    # Donors of the income-group x SDG-region cell "LM | Sub-Saharan Africa": GHA 10%, TGO 20%, KEN 40% (den / pop
    # ratios 0.5, 1.0, 0.5 of their base population). BEN has no value: median 20%, ratio 0.5.
    table = coverage_frame(
        [
            coverage("GHA", "SI_COV_BENFTS", 1.5e6, 15e6),
            coverage("TGO", "SI_COV_BENFTS", 1.6e6, 8e6),
            coverage("KEN", "SI_COV_BENFTS", 1e7, 25e6),
        ]
    )
    result = run({"sdg_1_3_1": table}, countries=only("GHA", "TGO", "KEN", "BEN"))
    ben = cell(result, "BEN", "SI_COV_BENFTS")
    assert ben["status"] == "imputed" and ben["value"] == pytest.approx(20.0)
    assert (ben["imputation_level"], ben["imputation_group"], ben["imputation_donors"]) == (
        "income_group_x_sdg_region",
        "LM | Sub-Saharan Africa",
        3,
    )
    assert ben["denominator"] == pytest.approx(0.5 * 12e6)
    assert cell(result, "GHA", "SI_COV_BENFTS")["status"] == "reported"
    world = agg(result, "SI_COV_BENFTS")
    assert world["n_imputed"] == 1 and world["n_reported"] == 3
    reported = 15e6 + 8e6 + 25e6
    assert world["denominator_share_reported"] == pytest.approx(reported / (reported + 6e6))
    assert world["population_share_reported"] == pytest.approx((30 + 8 + 50) / (30 + 8 + 50 + 12))
    assert world["value"] == pytest.approx(100 * (1.5e6 + 1.6e6 + 1e7 + 0.2 * 6e6) / (reported + 6e6))
    assert "covariates: income_group, sdg_region" in ben["imputation_model"]


def test_imputation_falls_back_to_the_next_level_when_the_group_is_too_small():
    # Donors GHA and TGO (LM, Africa) and COL (UM, Americas). For BEN (LM, Africa) the cell
    # "LM | Sub-Saharan Africa", the SDG region and the income group LM have 2 donors each (3 needed):
    # the world median of 10, 30, 50 is used.
    table = coverage_frame(
        [
            coverage("GHA", "SI_COV_CHLD", 10, 100),
            coverage("TGO", "SI_COV_CHLD", 30, 100),
            coverage("COL", "SI_COV_CHLD", 50, 100),
        ]
    )
    result = run({"sdg_1_3_1": table}, countries=only("GHA", "TGO", "COL", "BEN"))
    ben = cell(result, "BEN", "SI_COV_CHLD")
    assert (ben["imputation_level"], ben["imputation_group"], ben["imputation_donors"], ben["value"]) == (
        "world",
        "World",
        3,
        pytest.approx(30.0),
    )


def test_sex_cells_add_up_to_the_total_and_a_residual_is_derived_and_withheld():
    # GHA reports T and F; its M cell is suppressed (n = 20 < 50): M = T - F, derived and withheld.
    table = coverage_frame(
        [
            coverage("GHA", "SI_COV_UEMP", 40, 200),
            coverage("GHA", "SI_COV_UEMP", 10, 80, sex="F"),
            coverage("GHA", "SI_COV_UEMP", 30, 120, sex="M", n=20),
            coverage("TGO", "SI_COV_UEMP", 20, 100),
            coverage("TGO", "SI_COV_UEMP", 8, 50, sex="F"),
            coverage("TGO", "SI_COV_UEMP", 12, 50, sex="M"),
        ]
    )
    result = run({"sdg_1_3_1": table}, countries=only("GHA", "TGO"))
    m = cell(result, "GHA", "SI_COV_UEMP", "M")
    assert (m["status"], m["imputation_level"], m["value_withheld"], m["value"]) == (
        "derived",
        "residual_of_total",
        True,
        None,
    )
    assert (m["source_id"], m["obs_year"]) == ("GHA_LFS_2021", 2021)  # the source of the total it comes from
    female, male, total = (agg(result, "SI_COV_UEMP", sex=s) for s in ("F", "M", "T"))
    assert female["numerator"] + male["numerator"] == pytest.approx(total["numerator"])
    assert male["value"] == pytest.approx(100 * (30 + 12) / (120 + 50))
    assert total["value"] == pytest.approx(100 * 60 / 300)


def test_only_a_residual_that_would_reveal_a_suppressed_cell_is_withheld():
    # GHA (survey): M suppressed (n = 20), derived M withheld. TGO (administrative) reports T and F
    # and has no M cell at all: M = T - F reveals nothing hidden and is shown. KEN (survey) has an
    # M cell that is suppressed in another source only (an older survey): its derived M is shown.
    # COL reports every sex (the donor of the imputed M cells before they become residuals).
    table = coverage_frame(
        [
            coverage("COL", "SI_COV_UEMP", 10, 100),
            coverage("COL", "SI_COV_UEMP", 4, 50, sex="F"),
            coverage("COL", "SI_COV_UEMP", 6, 50, sex="M"),
            coverage("GHA", "SI_COV_UEMP", 40, 200),
            coverage("GHA", "SI_COV_UEMP", 10, 80, sex="F"),
            coverage("GHA", "SI_COV_UEMP", 30, 120, sex="M", n=20),
            coverage("TGO", "SI_COV_UEMP", 20, 100, source_kind="administrative"),
            coverage("TGO", "SI_COV_UEMP", 8, 50, sex="F", source_kind="administrative"),
            coverage("KEN", "SI_COV_UEMP", 30, 100),
            coverage("KEN", "SI_COV_UEMP", 10, 50, sex="F"),
            coverage("KEN", "SI_COV_UEMP", 22, 50, sex="M", year=2019, n=10),
            coverage("KEN", "SI_COV_UEMP", 40, 100, year=2019),
            coverage("KEN", "SI_COV_UEMP", 18, 50, sex="F", year=2019),
        ]
    )
    result = run({"sdg_1_3_1": table}, countries=only("GHA", "TGO", "KEN", "COL"))
    gha, tgo, ken = (cell(result, iso, "SI_COV_UEMP", "M") for iso in ("GHA", "TGO", "KEN"))
    assert (gha["status"], gha["value_withheld"], gha["value"], gha["numerator"], gha["denominator"]) == (
        "derived",
        True,
        None,
        None,
        None,
    )
    assert (tgo["status"], tgo["imputation_level"], tgo["value_withheld"]) == ("derived", "residual_of_total", False)
    assert (tgo["value"], tgo["denominator"], tgo["source_id"]) == (
        pytest.approx(100 * 12 / 50),
        pytest.approx(50.0),
        "TGO_2021",
    )
    assert (ken["status"], ken["value_withheld"], ken["value"]) == ("derived", False, pytest.approx(100 * 20 / 50))
    # the aggregate uses every derived cell, withheld or not
    assert agg(result, "SI_COV_UEMP", sex="M")["numerator"] == pytest.approx(30 + 12 + 20 + 6)


def test_total_of_a_country_without_a_total_is_the_sum_of_its_sexes():
    table = coverage_frame(
        [
            coverage("GHA", "SI_COV_MATNL", 5, 50, sex="F"),
            coverage("TGO", "SI_COV_MATNL", 6, 20, sex="F"),
        ]
    )
    result = run({"sdg_1_3_1": table}, countries=only("GHA", "TGO"))
    gha = cell(result, "GHA", "SI_COV_MATNL")
    assert (gha["status"], gha["imputation_level"], gha["value"]) == ("derived", "sum_of_sexes", pytest.approx(10.0))
    assert agg(result, "SI_COV_MATNL")["value"] == pytest.approx(100 * 11 / 70)
    assert agg(result, "SI_COV_MATNL", sex="F")["value"] == pytest.approx(100 * 11 / 70)


def test_an_imputed_country_of_a_female_only_series_gets_the_median_not_zero():
    # SI_COV_MATNL is reported for women only: no country has a T cell. BEN has no value and is
    # imputed the median of GHA 10%, TGO 30%, KEN 20% ("LM | Sub-Saharan Africa"); with GREATEST(NULL, 0) = 0
    # the missing T numerator made every imputed F cell 0% (world 3.7% on the bundle where the
    # reported countries range from 7.7% to 49.5%).
    table = coverage_frame(
        [
            coverage("GHA", "SI_COV_MATNL", 5, 50, sex="F"),
            coverage("TGO", "SI_COV_MATNL", 6, 20, sex="F"),
            coverage("KEN", "SI_COV_MATNL", 10, 50, sex="F"),
        ]
    )
    result = run({"sdg_1_3_1": table}, countries=only("GHA", "TGO", "KEN", "BEN"))
    ben = cell(result, "BEN", "SI_COV_MATNL", "F")
    assert (ben["status"], ben["imputation_level"], ben["imputation_group"], ben["value"]) == (
        "imputed",
        "income_group_x_sdg_region",
        "LM | Sub-Saharan Africa",
        pytest.approx(20.0),
    )
    assert ben["numerator"] == pytest.approx(0.2 * ben["denominator"]) and ben["denominator"] > 0
    assert cell(result, "BEN", "SI_COV_MATNL")["value"] == pytest.approx(20.0)  # T = the sum of its (one) sex
    for sex in ("F", "T"):
        world = agg(result, "SI_COV_MATNL", sex=sex)
        assert 10.0 <= world["value"] <= 30.0
        assert world["value"] == pytest.approx(
            100 * (5 + 6 + 10 + ben["numerator"]) / (50 + 20 + 50 + ben["denominator"])
        )


def test_two_imputed_sexes_share_a_reported_total_and_say_so():
    # COL, TGO, KEN report every sex; GHA reports T only: its F and M cells are imputed (world
    # medians F 20%, M 40%) and then scaled to share GHA's reported total: no longer the medians,
    # so their imputation_level says how they were made (residual_of_total_split).
    rows = []
    for iso in ("COL", "TGO", "KEN"):
        rows += [
            coverage(iso, "SI_COV_UEMP", 30, 100),
            coverage(iso, "SI_COV_UEMP", 10, 50, sex="F"),
            coverage(iso, "SI_COV_UEMP", 20, 50, sex="M"),
        ]
    rows += [coverage("GHA", "SI_COV_UEMP", 60, 100)]
    result = run({"sdg_1_3_1": coverage_frame(rows)}, countries=only("GHA", "TGO", "KEN", "COL"))
    f, m = (cell(result, "GHA", "SI_COV_UEMP", s) for s in ("F", "M"))
    assert (f["status"], f["imputation_level"], m["imputation_level"]) == (
        "imputed",
        "residual_of_total_split",
        "residual_of_total_split",
    )
    assert f["numerator"] + m["numerator"] == pytest.approx(60.0)
    assert f["denominator"] + m["denominator"] == pytest.approx(100.0)


def test_an_older_value_is_carried_to_the_reference_year_with_its_base_population():
    # GHA observed in 2020 (within the 5-year window); its base population grows 10% to 2021.
    table = coverage_frame([coverage("GHA", "SI_COV_BENFTS", 25, 100, year=2020)])
    result = run(
        {"sdg_1_3_1": table}, population={("GHA", 2020): 10000.0, ("GHA", 2021): 11000.0}, countries=only("GHA")
    )
    gha = cell(result, "GHA", "SI_COV_BENFTS")
    assert (gha["obs_year"], gha["ref_year"], gha["value"]) == (2020, 2021, pytest.approx(25.0))
    assert gha["denominator"] == pytest.approx(110.0)


def test_administrative_values_are_preferred_to_survey_values_of_a_later_year():
    table = coverage_frame(
        [
            coverage("GHA", "SI_COV_PENSN", 60, 100, year=2020, source_kind="administrative"),
            coverage("GHA", "SI_COV_PENSN", 40, 100, year=2021),
        ]
    )
    result = run({"sdg_1_3_1": table}, countries=only("GHA"))
    gha = cell(result, "GHA", "SI_COV_PENSN")
    assert (gha["source_kind"], gha["obs_year"], gha["value"]) == ("administrative", 2020, pytest.approx(60.0))


def test_input_vintages_are_never_mixed():
    # Administrative values of two denominator vintages (WPP 2019, WPP 2022) give two aggregates
    # (other inputs, here births, do not split them); the survey value (own weighted
    # denominators) enters both; another edition gives its own.
    table = coverage_frame(
        [
            coverage(
                "GHA",
                "SI_COV_CHLD",
                10,
                100,
                source_kind="administrative",
                input_vintage="GHA_2021@1; population_wpp@WPP 2019; births@a",
            ),
            coverage(
                "TGO",
                "SI_COV_CHLD",
                30,
                100,
                source_kind="administrative",
                input_vintage="TGO_2021@1; population_wpp@WPP 2022",
            ),
            coverage(
                "BEN",
                "SI_COV_CHLD",
                20,
                100,
                source_kind="administrative",
                input_vintage="BEN_2021@1; births@b; population_wpp@WPP 2019",
            ),
            coverage("KEN", "SI_COV_CHLD", 50, 100),
            coverage("COL", "SI_COV_CHLD", 70, 100, method_edition="sdg_1_3_1:ILO-2020+survey_estimation:2026.1"),
        ]
    )
    result = run({"sdg_1_3_1": table}, countries=only("GHA", "TGO", "KEN", "COL", "BEN"))
    world = result.aggregates.filter((pl.col("level") == "world") & (pl.col("sex") == "T"))
    values = dict(zip(world["vintage"].to_list(), world["value"].to_list(), strict=True))
    assert set(values) == {
        "sdg_1_3_1:ILO-2024 | denominators: population_wpp@WPP 2019",
        "sdg_1_3_1:ILO-2024 | denominators: population_wpp@WPP 2022",
        "sdg_1_3_1:ILO-2020",
    }
    # each vintage: its own reported countries (the others imputed from them, never from another vintage)
    wpp19 = result.lineup.filter(pl.col("vintage").str.contains("WPP 2019") & (pl.col("status") == "reported"))
    assert sorted(wpp19["ref_area"].to_list()) == ["BEN", "GHA", "KEN"]
    ilo2020 = result.lineup.filter((pl.col("vintage") == "sdg_1_3_1:ILO-2020") & (pl.col("sex") == "T"))
    assert ilo2020.filter(pl.col("status") == "imputed")["value"].unique().to_list() == [pytest.approx(70.0)]


def test_suppressed_survey_cells_do_not_enter_an_aggregate():
    table = coverage_frame([coverage("GHA", "SI_COV_DISAB", 45, 50, n=30), coverage("TGO", "SI_COV_DISAB", 10, 100)])
    result = run({"sdg_1_3_1": table}, countries=only("GHA", "TGO"))
    gha = cell(result, "GHA", "SI_COV_DISAB")
    assert gha["status"] == "imputed" and gha["value"] == pytest.approx(10.0)


def test_a_country_changing_income_group_is_aggregated_and_imputed_with_its_group_of_each_year():
    # GHA is lower middle income (LM) in 2020 and upper middle income (UM) in 2021 (dated table).
    config = dataclasses.replace(config_2021(imputation_levels=(("income_group", 1),)), first_year=2020)
    groups = pl.concat(
        [
            income_groups_frame(years=(2020, 2021), groups={"TGO": "LM", "BEN": "LM", "COL": "UM"}),
            pl.DataFrame(
                [("GHA", 2020, "LM"), ("GHA", 2021, "UM")], schema=["iso3", "year", "income_group"], orient="row"
            ),
        ]
    )
    table = coverage_frame(
        [
            coverage("GHA", "SI_COV_PENSN", 30, 100, year=2020),
            coverage("GHA", "SI_COV_PENSN", 32, 100),
            coverage("TGO", "SI_COV_PENSN", 50, 100, year=2020),
            coverage("TGO", "SI_COV_PENSN", 50, 100),
            coverage("COL", "SI_COV_PENSN", 70, 100, year=2020),
            coverage("COL", "SI_COV_PENSN", 70, 100),
        ]
    )
    population = {(iso, year): 1000.0 for iso in ("GHA", "TGO", "BEN", "COL") for year in (2020, 2021)}
    result = compute_aggregates(
        country_rows({"sdg_1_3_1": table}, config),
        only("GHA", "TGO", "BEN", "COL"),
        groups,
        population_frame(population),
        config,
    )
    lm20, lm21 = (agg(result, "SI_COV_PENSN", "income_group", "LM", year=y) for y in (2020, 2021))
    um20, um21 = (agg(result, "SI_COV_PENSN", "income_group", "UM", year=y) for y in (2020, 2021))
    # BEN (LM, no data) is imputed with the LM median of each year: 2020 median(30, 50) = 40; 2021 TGO alone = 50
    ben = {
        r["ref_year"]: r
        for r in result.lineup.filter((pl.col("ref_area") == "BEN") & (pl.col("sex") == "T")).iter_rows(named=True)
    }
    assert (ben[2020]["value"], ben[2020]["imputation_group"], ben[2020]["imputation_donors"]) == (
        pytest.approx(40.0),
        "LM",
        2,
    )
    assert (ben[2021]["value"], ben[2021]["imputation_group"], ben[2021]["imputation_donors"]) == (
        pytest.approx(50.0),
        "LM",
        1,
    )
    # BEN's denominator: its base population (65+: 1 000 000 / 3) x the donors' median ratio (100 / 333 333.3)
    assert ben[2020]["denominator"] == pytest.approx(100.0)
    assert (lm20["n_countries"], lm20["value"]) == (3, pytest.approx(100 * (30 + 50 + 40) / 300))
    assert (lm21["n_countries"], lm21["value"]) == (2, pytest.approx(100 * (50 + 50) / 200))
    assert (um20["n_countries"], um20["value"]) == (1, pytest.approx(70.0))
    assert (um21["n_countries"], um21["value"]) == (2, pytest.approx(100 * (32 + 70) / 200))


def test_ilo_subregions_are_aggregated():
    # EGY (Northern Africa) and GHA, TGO (Sub-Saharan Africa) in the ILO region Africa; COL in the Americas.
    egypt = pl.DataFrame(
        [("EGY", 818, "Egypt", "Africa", "Northern Africa", "Northern Africa and Western Asia", "Northern Africa")],
        schema=countries_frame().columns,
        orient="row",
    )
    countries = pl.concat([only("GHA", "TGO", "COL"), egypt])
    groups = pl.concat(
        [
            income_groups_frame(),
            pl.DataFrame([("EGY", 2021, "LM")], schema=["iso3", "year", "income_group"], orient="row"),
        ]
    )
    population = population_frame({("GHA", 2021): 1000.0, ("TGO", 2021): 1000.0, ("COL", 2021): 1000.0})
    population = pl.concat(
        [
            population,
            population.filter(pl.col("country") == 288).with_columns(pl.lit(818, dtype=pl.Int64).alias("country")),
        ]
    )
    table = coverage_frame(
        [
            coverage("GHA", "SI_COV_PENSN", 30, 100),
            coverage("TGO", "SI_COV_PENSN", 50, 100),
            coverage("EGY", "SI_COV_PENSN", 20, 100),
            coverage("COL", "SI_COV_PENSN", 70, 100),
        ]
    )
    config = config_2021()
    result = compute_aggregates(country_rows({"sdg_1_3_1": table}, config), countries, groups, population, config)
    subregions = result.aggregates.filter((pl.col("level") == "ilo_subregion") & (pl.col("sex") == "T"))
    values = dict(zip(subregions["region"].to_list(), subregions["value"].to_list(), strict=True))
    assert values == {
        "Sub-Saharan Africa": pytest.approx(40.0),
        "Northern Africa": pytest.approx(20.0),
        "Latin America and the Caribbean": pytest.approx(70.0),
    }
    assert agg(result, "SI_COV_PENSN", "ilo_region", "Africa")["value"] == pytest.approx(100 * 100 / 300)
    head = headline_table(result.aggregates, config).filter(pl.col("level") == "ilo_subregion")
    assert sorted(head["region"].unique().to_list()) == [
        "Latin America and the Caribbean",
        "Northern Africa",
        "Sub-Saharan Africa",
    ]


def test_an_aggregate_on_too_little_reported_data_is_withheld_with_its_reason():
    # 3.8.2, population-weighted: GHA (30 000 000) and KEN (50 000 000) report; TGO, BEN and COL are
    # imputed. Africa: 80 / 100 of its population reported; world 80 / 150; the Americas (COL only): 0.
    hard = hardship_frame([hardship("GHA", "SH_XPD_EARN10", 10.0), hardship("KEN", "SH_XPD_EARN10", 20.0)])
    config = config_2021(min_reported_share=0.3)
    result = run({"sdg_3_8_2": hard}, config=config)
    assert (config.min_reported_share, config.low_coverage_share) == (0.3, 0.5)
    africa = agg(result, "SH_XPD_EARN10", "ilo_region", "Africa")
    assert (africa["value_withheld"], africa["low_coverage"], africa["withheld_reason"]) == (False, False, None)
    assert africa["denominator_share_reported"] == pytest.approx(0.8)
    world = agg(result, "SH_XPD_EARN10")
    assert (world["value_withheld"], world["low_coverage"], world["denominator_share_reported"]) == (
        False,
        False,
        pytest.approx(80 / 150),
    )
    americas = agg(result, "SH_XPD_EARN10", "ilo_region", "Americas")
    assert (americas["value_withheld"], americas["low_coverage"], americas["value"], americas["numerator"]) == (
        True,
        True,
        None,
        None,
    )
    assert americas["denominator"] == pytest.approx(50_000_000)  # the population stays: it tells how much is missing
    assert (
        americas["withheld_reason"]
        == "reported data cover 0.0% of the denominator (0 of 1 countries with data), below the minimum of 30.0%"
    )
    # the headline carries the flag and no value; the line-up keeps the imputed country values
    head = headline_table(result.aggregates, config).filter(
        (pl.col("region") == "Americas") & (pl.col("series") == "SH_XPD_EARN10")
    )
    assert head.select("value", "value_withheld").rows() == [(None, True)]
    assert cell(result, "COL", "SH_XPD_EARN10")["value"] == pytest.approx(15.0)


def test_the_default_edition_publishes_every_aggregate_and_flags_low_coverage():
    hard = hardship_frame([hardship("GHA", "SH_XPD_EARN10", 10.0), hardship("KEN", "SH_XPD_EARN10", 20.0)])
    result = run({"sdg_3_8_2": hard})
    assert config_2021().min_reported_share == 0.0
    americas = agg(result, "SH_XPD_EARN10", "ilo_region", "Americas")
    assert (americas["value_withheld"], americas["low_coverage"], americas["value"]) == (
        False,
        True,
        pytest.approx(15.0),
    )


def test_a_low_coverage_aggregate_between_the_thresholds_is_published_and_flagged():
    hard = hardship_frame([hardship("GHA", "SH_XPD_EARN10", 10.0), hardship("KEN", "SH_XPD_EARN10", 20.0)])
    result = run({"sdg_3_8_2": hard}, config=config_2021(min_reported_share=0.5, low_coverage_share=0.9))
    world = agg(result, "SH_XPD_EARN10")
    assert (world["value_withheld"], world["low_coverage"]) == (False, True)
    assert world["value"] == pytest.approx(
        (10 * 30 + 20 * 50 + 15 * 70) / 150
    )  # TGO, BEN, COL imputed at the median 15


def test_the_minimum_share_cannot_exceed_the_low_coverage_share():
    method = load_method("publication")
    broken = dataclasses.replace(method, params={**method.params, "min_reported_share": 0.6})
    with pytest.raises(MethodConfigError, match=r"min_reported_share \(0.6\) <= low_coverage_share \(0.5\)"):
        publication_config(broken)


def test_the_3_8_2_identities_hold_in_the_line_up_and_the_aggregates():
    # Reported (hardship, impoverishing, large): GHA (20, 15, 5), TGO (30, 10, 20), KEN (40, 35, 5).
    # BEN is imputed from the three (income group LM): medians 30, 15 and 5, which do not add up
    # (30 != 15 + 5); large is derived as 30 - 15 = 15 instead, so the aggregates add up too.
    rows = []
    for iso, (h, i, large) in {"GHA": (20.0, 15.0, 5.0), "TGO": (30.0, 10.0, 20.0), "KEN": (40.0, 35.0, 5.0)}.items():
        rows += [
            hardship(iso, "SH_FIN_HARDSHIP", h),
            hardship(iso, "SH_FIN_IMPOVERISHING", i),
            hardship(iso, "SH_FIN_LARGE", large),
        ]
    result = run({"sdg_3_8_2": hardship_frame(rows)}, countries=only("GHA", "TGO", "KEN", "BEN"))
    ben = {s: cell(result, "BEN", s) for s in ("SH_FIN_HARDSHIP", "SH_FIN_IMPOVERISHING", "SH_FIN_LARGE")}
    assert (ben["SH_FIN_HARDSHIP"]["value"], ben["SH_FIN_IMPOVERISHING"]["value"]) == (
        pytest.approx(30.0),
        pytest.approx(15.0),
    )
    large = ben["SH_FIN_LARGE"]
    assert (large["value"], large["status"], large["imputation_level"]) == (
        pytest.approx(15.0),
        "imputed",
        "SH_FIN_HARDSHIP - SH_FIN_IMPOVERISHING",
    )
    gha = cell(result, "GHA", "SH_FIN_LARGE")  # both from the same survey: reported, with its source
    assert (gha["value"], gha["status"], gha["source_id"], gha["imputation_level"]) == (
        pytest.approx(5.0),
        "reported",
        "GHA_HBS_2021",
        None,
    )
    pop = {"GHA": 30, "TGO": 8, "KEN": 50, "BEN": 12}
    h = (20 * 30 + 30 * 8 + 40 * 50 + 30 * 12) / 100
    i = (15 * 30 + 10 * 8 + 35 * 50 + 15 * 12) / 100
    world = {s: agg(result, s)["value"] for s in ("SH_FIN_HARDSHIP", "SH_FIN_IMPOVERISHING", "SH_FIN_LARGE")}
    assert sum(pop.values()) == 100
    assert world == {
        "SH_FIN_HARDSHIP": pytest.approx(h),
        "SH_FIN_IMPOVERISHING": pytest.approx(i),
        "SH_FIN_LARGE": pytest.approx(h - i),
    }
    assert abs(world["SH_FIN_HARDSHIP"] - world["SH_FIN_IMPOVERISHING"] - world["SH_FIN_LARGE"]) < 1e-9
    # without the rule large would be imputed at its own median 5: 20.412... + 2.113... style mismatch
    assert world["SH_FIN_LARGE"] != pytest.approx((5 * 30 + 20 * 8 + 5 * 50 + 5 * 12) / 100)


def test_an_imputed_part_never_exceeds_its_whole():
    # SH_XPD_EARN10 (whole) reported by GHA 10 and TGO 6; SH_XPD_EARN25 (part) by GHA 10, TGO 6 and
    # KEN 30 (KEN has no 10% value). BEN is imputed with the median of its income group LM
    # (3.8.2 line-up): 10% at median(10, 6) = 8, 25% at median(10, 6, 30) = 10: lowered to 8.
    # KEN's imputed 10% (8) is below its reported 25% (30): raised to 30.
    hard = hardship_frame(
        [
            hardship("GHA", "SH_XPD_EARN10", 10.0),
            hardship("GHA", "SH_XPD_EARN25", 10.0),
            hardship("TGO", "SH_XPD_EARN10", 6.0),
            hardship("TGO", "SH_XPD_EARN25", 6.0),
            hardship("KEN", "SH_XPD_EARN25", 30.0),
        ]
    )
    result = run({"sdg_3_8_2": hard}, countries=only("GHA", "TGO", "KEN", "BEN"))
    ben25, ken10 = cell(result, "BEN", "SH_XPD_EARN25"), cell(result, "KEN", "SH_XPD_EARN10")
    assert (ben25["value"], ben25["status"], ben25["imputation_level"], ben25["imputation_group"]) == (
        pytest.approx(8.0),
        "imputed",
        "capped at SH_XPD_EARN10",
        "LM",
    )
    assert (ken10["value"], ken10["status"], ken10["imputation_level"]) == (
        pytest.approx(30.0),
        "imputed",
        "raised to SH_XPD_EARN25",
    )
    assert cell(result, "KEN", "SH_XPD_EARN25")["value"] == pytest.approx(30.0)  # a reported value is never moved
    lineup = result.lineup.pivot(on="series", index=["ref_area", "ref_year", "sex"], values="value")
    assert (lineup["SH_XPD_EARN25"] <= lineup["SH_XPD_EARN10"] + 1e-12).all()
    assert agg(result, "SH_XPD_EARN25")["value"] <= agg(result, "SH_XPD_EARN10")["value"]


def test_identities_need_a_population_weighted_family_and_distinct_series():
    method = load_method("publication")
    for identities, message in (
        (
            [{"family": "sdg_1_3_1", "whole": "SI_COV_BENFTS", "part": "SI_COV_PENSN"}],
            "must be a population-weighted family",
        ),
        (
            [
                {"family": "sdg_3_8_2", "whole": "SH_XPD_EARN10", "part": "SH_XPD_EARN25"},
                {"family": "sdg_3_8_2", "whole": "SH_FIN_HARDSHIP", "part": "SH_XPD_EARN25"},
            ],
            r"\['SH_XPD_EARN25'\] already in another identity",
        ),
    ):
        broken = dataclasses.replace(method, params={**method.params, "identities": identities})
        with pytest.raises(MethodConfigError, match=message):
            publication_config(broken)


def test_the_3_8_2_line_up_observed_interpolated_then_income_group_and_regional_medians():
    # Methodology notes 3.4, reference year 2021 (10% share): GHA observed in 2021 (10); TGO
    # observed in 2018 (10) and 2023 (20): interpolated 10 + 10 x 3/5 = 16; KEN only in 2020 and
    # BEN only in 2017 and 2019 (no value after 2021: nothing to interpolate, and the multilevel
    # model of step 3 is not implemented): both take the median of their income group LM,
    # median(10, 16) = 13; COL (UM, Latin America): no UM or regional donor, the world median 13.
    hard = hardship_frame(
        [
            hardship("GHA", "SH_XPD_EARN10", 10.0),
            hardship("TGO", "SH_XPD_EARN10", 10.0, year=2018),
            hardship("TGO", "SH_XPD_EARN10", 20.0, year=2023),
            hardship("KEN", "SH_XPD_EARN10", 50.0, year=2020),
            hardship("BEN", "SH_XPD_EARN10", 40.0, year=2017),
            hardship("BEN", "SH_XPD_EARN10", 42.0, year=2019),
        ]
    )
    result = run({"sdg_3_8_2": hard})
    gha, tgo, ken, ben, col = (cell(result, iso, "SH_XPD_EARN10") for iso in ("GHA", "TGO", "KEN", "BEN", "COL"))
    assert (gha["status"], gha["obs_year"], gha["value"]) == ("reported", 2021, pytest.approx(10.0))
    assert (tgo["status"], tgo["value"], tgo["source_id"], tgo["obs_year"]) == (
        "interpolated",
        pytest.approx(16.0),
        "TGO_HBS_2018 + TGO_HBS_2023",
        2018,
    )
    assert (tgo["imputation_level"], tgo["imputation_group"]) == ("linear_interpolation", "2018-2023")
    for imputed in (ken, ben):
        assert (
            imputed["status"],
            imputed["value"],
            imputed["imputation_level"],
            imputed["imputation_group"],
            imputed["imputation_donors"],
        ) == ("imputed", pytest.approx(13.0), "income_group", "LM", 2)
    assert (col["value"], col["imputation_level"], col["imputation_donors"]) == (pytest.approx(13.0), "world", 2)
    africa = agg(result, "SH_XPD_EARN10", "ilo_region", "Africa")
    assert africa["value"] == pytest.approx((10 * 30 + 16 * 8 + 13 * 12 + 13 * 50) / 100)
    assert (africa["n_reported"], africa["n_interpolated"], africa["n_imputed"]) == (1, 1, 2)
    assert africa["denominator_share_reported"] == pytest.approx(
        (30 + 8) / 100
    )  # interpolated values are the country's data
    assert africa["imputation_model"] == (
        "linear_interpolation(+-5 years); group_median(income_group>=1, sdg_region>=1, world>=1); covariates: income_group, sdg_region"
    )


def test_3_8_2_interpolates_only_within_the_window_and_falls_to_the_regional_median():
    # TGO: 2015 and 2027 are 6 years from 2021, outside +-5: no interpolation. TGO (LM) has no LM
    # donor (GHA is UM here), so the median of its SDG region (Sub-Saharan Africa: GHA 30) is used.
    hard = hardship_frame(
        [
            hardship("GHA", "SH_XPD_EARN10", 30.0),
            hardship("TGO", "SH_XPD_EARN10", 10.0, year=2015),
            hardship("TGO", "SH_XPD_EARN10", 20.0, year=2027),
        ]
    )
    config = config_2021()
    groups = income_groups_frame(groups={"GHA": "UM", "TGO": "LM"})
    result = compute_aggregates(
        country_rows({"sdg_3_8_2": hard}, config), only("GHA", "TGO"), groups, population_frame(POP), config
    )
    tgo = cell(result, "TGO", "SH_XPD_EARN10")
    assert (tgo["status"], tgo["value"], tgo["imputation_level"], tgo["imputation_group"]) == (
        "imputed",
        pytest.approx(30.0),
        "sdg_region",
        "Sub-Saharan Africa",
    )
    # SDG 1.3.1 keeps the latest value within 5 years before the reference year
    pensn = coverage_frame([coverage("TGO", "SI_COV_PENSN", 20, 100, year=2017)])
    carried = compute_aggregates(
        country_rows({"sdg_1_3_1": pensn}, config), only("TGO"), groups, population_frame(POP), config
    )
    assert (cell(carried, "TGO", "SI_COV_PENSN")["status"], cell(carried, "TGO", "SI_COV_PENSN")["obs_year"]) == (
        "reported",
        2017,
    )


def test_interpolation_needs_a_population_weighted_family_of_totals():
    method = load_method("publication")
    families = {**method["families"], "sdg_1_3_1": {**method["families"]["sdg_1_3_1"], "interpolation_years": 5}}
    broken = dataclasses.replace(method, params={**method.params, "families": families})
    with pytest.raises(MethodConfigError, match="families.sdg_1_3_1.interpolation_years needs population weighting"):
        publication_config(broken)


def test_base_populations_are_the_proxy_ages_and_sex_of_each_series():
    # population_frame: each country's total split evenly over the bands 0-4, 15-19, 65-69 and
    # both sexes (GHA 30 000 thousand: 5 000 000 persons per band and sex).
    table = coverage_frame(
        [
            coverage("GHA", "SI_COV_MATNL", 5, 50, sex="F"),  # ages 15-49, women: the 15-19 band of women
            coverage("GHA", "SI_COV_PENSN", 10, 100),  # 65+: the 65-69 band, both sexes
            coverage("GHA", "SI_COV_CHLD", 10, 100),  # 0-14: the 0-4 band
        ]
    )
    hard = hardship_frame([hardship("GHA", "SH_XPD_EARN10", 10.0)])  # population weighting: every age
    result = run({"sdg_1_3_1": table, "sdg_3_8_2": hard}, countries=only("GHA"))
    base = {(r["series"], r["sex"]): r["base_pop"] for r in result.lineup.iter_rows(named=True)}
    assert base == {
        ("SI_COV_MATNL", "F"): pytest.approx(5e6),
        ("SI_COV_MATNL", "T"): pytest.approx(5e6),
        ("SI_COV_PENSN", "T"): pytest.approx(1e7),
        ("SI_COV_CHLD", "T"): pytest.approx(1e7),
        ("SH_XPD_EARN10", "T"): pytest.approx(3e7),
    }
    assert agg(result, "SH_XPD_EARN10")["population"] == pytest.approx(3e7)
