"""Flagship tables and disclosure control: the suppression rule (survey cells below the minimum
sample size, or marked suppress, emptied and flagged; caution cells flagged; administrative
cells and the internal indicator tables untouched), the source published per country-year, the
statistical annex layout, the gap tables (a gap of a suppressed cell is suppressed) and the
headline."""

from __future__ import annotations

import polars as pl
import pytest

from engine.publication.aggregates import compute_aggregates
from engine.publication.annex import aggregate_gender_gaps, gap_table, headline_table, statistical_annex
from engine.publication.country_values import country_rows, published_values, select_sources
from schemas.resources.publication import ANNEX, COUNTRY_VALUES, GENDER_GAPS, HEADLINE
from tests.test_publication_builders import (
    config_2021,
    countries_frame,
    coverage,
    coverage_frame,
    gap,
    gap_frame,
    income_groups_frame,
    population_frame,
)


def published(rows: list[dict], config=None):
    config = config or config_2021()
    table = coverage_frame(rows)
    return table, published_values(country_rows({"sdg_1_3_1": table}, config), config)


def test_survey_cells_below_the_minimum_sample_size_are_suppressed():
    config = config_2021()
    assert config.min_unweighted_n == 50
    table, out = published(
        [
            coverage("GHA", "SI_COV_DISAB", 45, 50, n=49, se=3.0, ci_lower=80.0, ci_upper=97.0),
            coverage("TGO", "SI_COV_DISAB", 45, 50, n=50, reliability="caution"),
            coverage("KEN", "SI_COV_DISAB", 45, 50, n=400, reliability="suppress"),
            coverage("COL", "SI_COV_DISAB", 5, 10, source_kind="administrative"),
        ]
    )
    cells = {r["ref_area"]: r for r in out.iter_rows(named=True)}
    gha = cells["GHA"]
    assert (gha["suppressed"], gha["flag"]) == (True, "suppressed")
    assert all(gha[c] is None for c in ("value", "numerator", "denominator", "se", "ci_lower", "ci_upper"))
    assert gha["n_unweighted"] == 49  # the key and the reason stay
    assert (cells["TGO"]["suppressed"], cells["TGO"]["flag"], cells["TGO"]["value"]) == (
        False,
        "caution",
        pytest.approx(90.0),
    )
    assert (cells["KEN"]["suppressed"], cells["KEN"]["value"]) == (True, None)
    assert (cells["COL"]["suppressed"], cells["COL"]["flag"], cells["COL"]["value"]) == (
        False,
        None,
        pytest.approx(50.0),
    )
    # the internal table keeps its values
    assert table.filter(pl.col("ref_area") == "GHA")["value"].item() == pytest.approx(90.0)
    assert COUNTRY_VALUES.conform(out).columns == [v.name for v in COUNTRY_VALUES.columns]


def test_one_source_is_published_per_country_and_year_administrative_first():
    _, out = published(
        [
            coverage("GHA", "SI_COV_PENSN", 60, 100, source_kind="administrative"),
            coverage("GHA", "SI_COV_PENSN", 40, 100),
            coverage("GHA", "SI_COV_PENSN", 20, 100, sex="F"),
            coverage("GHA", "SI_COV_PENSN", 45, 100, year=2015),
        ]
    )
    by_year = {(r["year"], r["sex"]): (r["source_kind"], r["value"]) for r in out.iter_rows(named=True)}
    assert by_year == {
        (2021, "T"): ("administrative", pytest.approx(60.0)),
        (2015, "T"): ("survey", pytest.approx(45.0)),
    }


def test_statistical_annex_has_one_row_per_country_with_latest_value_year_source_and_flag():
    config = config_2021()
    _, out = published(
        [
            coverage("GHA", "SI_COV_PENSN", 40, 100, year=2015),
            coverage("GHA", "SI_COV_PENSN", 55, 100, year=2021, n=30),
            coverage("TGO", "SI_COV_BENFTS", 30, 100, source_kind="administrative"),
        ]
    )
    annex = ANNEX.conform(statistical_annex(out, countries_frame(), income_groups_frame(), config))
    assert annex.height == countries_frame().height and annex["iso3"].is_unique().all()
    gha = annex.filter(pl.col("iso3") == "GHA").row(0, named=True)
    # the latest year is published even when suppressed: empty value, flag set
    assert (
        gha["si_cov_pensn_value"],
        gha["si_cov_pensn_year"],
        gha["si_cov_pensn_source"],
        gha["si_cov_pensn_flag"],
    ) == (None, 2021, "survey:GHA_LFS_2021", "suppressed")
    assert (gha["income_group"], gha["income_group_year"]) == ("LM", 2021)
    tgo = annex.filter(pl.col("iso3") == "TGO").row(0, named=True)
    assert (tgo["si_cov_benfts_value"], tgo["si_cov_benfts_source"], tgo["si_cov_benfts_flag"]) == (
        pytest.approx(30.0),
        "administrative:TGO_2021",
        None,
    )
    assert annex.columns[:8] == [v.name for v in ANNEX.columns]
    assert {f"{s.lower()}_{x}" for s in config.annex_series for x in ("value", "year", "source", "flag")} <= set(
        annex.columns
    )


def test_the_annex_shows_the_female_value_of_a_series_about_women_only():
    # SI_COV_MATNL is published for women only (sex F, no T row): the annex took the T value and
    # left maternity empty for every country. The rule comes from the series' configured sex.
    config = config_2021()
    assert (config.series_sex("SI_COV_MATNL"), config.series_sex("SI_COV_PENSN")) == ("F", "T")
    _, out = published(
        [
            coverage("GHA", "SI_COV_MATNL", 12, 40, sex="F"),
            coverage("GHA", "SI_COV_PENSN", 40, 100),
            coverage("GHA", "SI_COV_PENSN", 15, 50, sex="F"),
        ]
    )
    gha = (
        statistical_annex(out, countries_frame(), income_groups_frame(), config)
        .filter(pl.col("iso3") == "GHA")
        .row(0, named=True)
    )
    assert (gha["si_cov_matnl_value"], gha["si_cov_matnl_year"], gha["si_cov_matnl_source"]) == (
        pytest.approx(30.0),
        2021,
        "survey:GHA_LFS_2021",
    )
    assert gha["si_cov_pensn_value"] == pytest.approx(40.0)  # both-sexes total, not the women's 30%


def test_a_gap_of_a_suppressed_cell_is_suppressed_and_a_caution_cell_flags_it():
    config = config_2021()
    rows = [
        coverage("GHA", "SI_COV_CHLD", 10, 100, sex="F", n=400),
        coverage("GHA", "SI_COV_CHLD", 12, 100, sex="M", n=400),
        coverage("GHA", "SI_COV_CHLD", 5, 20, sex="F", nationality="non_national", n=40),
        coverage("GHA", "SI_COV_CHLD", 6, 20, sex="M", nationality="non_national", n=60, reliability="caution"),
        coverage("GHA", "SI_COV_CHLD", 5, 20, nationality="non_national", n=100),
        coverage("GHA", "SI_COV_CHLD", 11, 100, nationality="national", n=300),
    ]
    selected = select_sources(country_rows({"sdg_1_3_1": coverage_frame(rows)}, config), config)
    gaps = gap_frame(
        [
            gap("GHA", "SI_COV_CHLD", "sex", 10, 12),
            gap("GHA", "SI_COV_CHLD", "sex", 25, 30, nationality="non_national"),
            gap("GHA", "SI_COV_CHLD", "nationality", 25, 11),
        ]
    )
    sex = {r["nationality"]: r for r in gap_table(gaps, "sdg_1_3_1", selected, "sex", config).iter_rows(named=True)}
    assert (sex["T"]["suppressed"], sex["T"]["flag"], sex["T"]["difference_pp"]) == (False, None, pytest.approx(-2.0))
    assert (
        sex["non_national"]["suppressed"],
        sex["non_national"]["difference_pp"],
        sex["non_national"]["value_group"],
    ) == (True, None, None)
    nationality = gap_table(gaps, "sdg_1_3_1", selected, "nationality", config).row(0, named=True)
    assert (nationality["suppressed"], nationality["flag"], nationality["difference_pp"]) == (
        False,
        None,
        pytest.approx(14.0),
    )
    caution = gap_table(
        gap_frame([gap("GHA", "SI_COV_CHLD", "sex", 25, 30, nationality="non_national")]),
        "sdg_1_3_1",
        selected.filter(~((pl.col("sex") == "F") & (pl.col("nationality") == "non_national"))),
        "sex",
        config,
    )
    assert caution.row(0, named=True)["flag"] == "caution"
    # a gap of a source that is not the published one is left out
    other = gap_frame([gap("GHA", "SI_COV_CHLD", "sex", 10, 12, source_id="GHA_HIES_2021")])
    assert gap_table(other, "sdg_1_3_1", selected, "sex", config).is_empty()


def test_headline_and_aggregate_gender_gaps():
    config = config_2021()
    rows = [
        coverage("GHA", "SI_COV_PENSN", 30, 100, sex="F"),
        coverage("GHA", "SI_COV_PENSN", 50, 100, sex="M"),
        coverage("GHA", "SI_COV_PENSN", 80, 200),
        coverage("TGO", "SI_COV_PENSN", 10, 50, sex="F"),
        coverage("TGO", "SI_COV_PENSN", 20, 50, sex="M"),
        coverage("TGO", "SI_COV_PENSN", 30, 100),
    ]
    result = compute_aggregates(
        country_rows({"sdg_1_3_1": coverage_frame(rows)}, config),
        countries_frame().filter(pl.col("iso3").is_in(["GHA", "TGO"])),
        income_groups_frame(),
        population_frame({("GHA", 2021): 100.0, ("TGO", 2021): 50.0}),
        config,
    )
    head = HEADLINE.conform(headline_table(result.aggregates, config))
    world = head.filter((pl.col("level") == "world") & (pl.col("sex") == "T")).row(0, named=True)
    assert (world["region_code"], world["latest"], world["series_label"]) == (
        "1",
        True,
        "Older persons receiving a pension",
    )
    assert world["value"] == pytest.approx(100 * 110 / 300)
    assert head.filter(pl.col("level") == "sdg_region")["region_code"].unique().to_list() == ["202"]
    gaps = GENDER_GAPS.conform(aggregate_gender_gaps(result.aggregates, config))
    w = gaps.filter(pl.col("ref_area") == "World").row(0, named=True)
    assert w["difference_pp"] == pytest.approx(100 * 40 / 150 - 100 * 70 / 150)
    assert (w["area_kind"], w["level"], w["gap_type"], w["suppressed"]) == ("aggregate", "world", "sex", False)


def test_3_8_1_rows_keep_their_observation_status():
    # indicators/sdg_3_8_1 (schemas/resources/sdg_3_8_1.py): E where tracers are imputed
    config = config_2021()
    uhc = pl.DataFrame(
        {
            "ref_area": ["GHA", "TGO"],
            "year": [2021, 2021],
            "series": ["SH_ACS_UNHC"] * 2,
            "value": [45.0, 50.0],
            "imputed_share": [0.0, 0.25],
            "obs_status": ["A", "E"],
            "method_edition": ["sdg_3_8_1:2023-01-24"] * 2,
            "input_vintage": ["uhc_tracers@1; population@WPP 2019"] * 2,
        }
    )
    rows = country_rows({"sdg_3_8_1": uhc}, config)
    assert dict(zip(rows["ref_area"], rows["obs_status"], strict=True)) == {"GHA": "A", "TGO": "E"}
    assert set(rows["source_kind"]) == {"uhc_index"} and set(rows["series"]) == {"SH_ACS_UNHC"}
