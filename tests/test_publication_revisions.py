"""Revisions against the previously published UN SDG vintage (hand case: a changed value, a
value within tolerance, a new value; reasons), and the normalisation of the DDF extracts
(regional areas kept, sex codes, breakdowns, quarantine)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest

from engine.publication.country_values import country_rows, select_sources
from engine.publication.published_sdg import normalise, read_sources
from engine.publication.revisions import published_revisions, revision_summary, revisions_table
from engine.publication.tables import REVISIONS, conform
from tests.test_publication_builders import config_2021, coverage, coverage_frame

PREVIOUS = pl.DataFrame(
    [
        ("2020-10", "SI_COV_PENSN", 288, "GHA", "country", 2021, "T", "T", 30.0, "PERCENT", "E", None),
        ("2023-12", "SI_COV_PENSN", 288, "GHA", "country", 2021, "T", "T", 35.0, "PERCENT", "C", "A"),
        ("2023-12", "SI_COV_CHLD", 288, "GHA", "country", 2021, "T", "T", 19.95, "PERCENT", "C", "A"),
        ("2023-12", "SI_COV_CHLD", 768, "TGO", "country", 2021, "T", "T", 50.0, "PERCENT", "E", "A"),
        ("2023-12", "SI_COV_PENSN", 1, None, "other_area", 2021, "T", "T", 77.5, "PERCENT", "N", "A"),
    ],
    schema=["vintage", "series", "m49", "ref_area", "area_kind", "year", "sex", "breakdown", "value", "unit", "nature", "obs_status"],
    orient="row",
)


def selected(config):
    table = coverage_frame([
        coverage("GHA", "SI_COV_PENSN", 40, 100),            # 35 -> 40: revised
        coverage("GHA", "SI_COV_CHLD", 20, 100),             # 19.95 -> 20: within 0.1 pp, not listed
        coverage("GHA", "SI_COV_UEMP", 5, 100),              # not published before: new
        coverage("GHA", "SI_COV_UEMP", 3, 50, sex="F", n=20),  # suppressed: compared, masked in the published listing
        coverage("GHA", "SI_COV_UEMP", 2, 50, sex="M", n=60, reliability="caution"),  # listed with its caution flag
    ])
    return select_sources(country_rows({"sdg_1_3_1": table}, config), config)


def undeclared():
    """The edition with nothing declared about the previous vintages (reasons: new_source only)."""
    config = config_2021()
    return dataclasses.replace(config, revisions={**config.revisions, "previous_vintages": {}})


def test_revision_listing_hand_case():
    config = undeclared()
    table = revisions_table(selected(config), PREVIOUS, config)
    rows = {(r["series"], r["sex"]): r for r in table.iter_rows(named=True)}
    assert set(rows) == {("SI_COV_PENSN", "T"), ("SI_COV_UEMP", "T"), ("SI_COV_UEMP", "F"), ("SI_COV_UEMP", "M")}
    revised = rows[("SI_COV_PENSN", "T")]
    assert (revised["ref_area"], revised["year"], revised["old_value"], revised["new_value"], revised["difference_pp"]) == (
        "GHA", 2021, 35.0, pytest.approx(40.0), pytest.approx(5.0))
    assert (revised["old_vintage"], revised["reason_code"], revised["reason"]) == ("2023-12", "unexplained", None)
    new = rows[("SI_COV_UEMP", "T")]
    assert (new["old_value"], new["new_value"], new["reason_code"]) == (None, pytest.approx(5.0), "new_source")
    assert new["reason"] == "new source: no value in UN SDG 2023-12"
    # the internal listing keeps the value of the suppressed cell, with its flags
    female = rows[("SI_COV_UEMP", "F")]
    assert (female["new_value"], female["suppressed"], female["flag"]) == (pytest.approx(6.0), True, "suppressed")
    summary = revision_summary(table, selected(config), PREVIOUS, config)
    assert summary == {"compared_vintage": "2023-12", "listed": 4, "new_values": 3, "revised_values": 1,
                       "by_reason": {"unexplained": 1, "new_source": 3}, "previous_values_not_reproduced": 1}


def test_published_revisions_mask_suppressed_cells():
    config = undeclared()
    internal = revisions_table(selected(config), PREVIOUS, config)
    table = conform(published_revisions(internal), REVISIONS)
    rows = {(r["series"], r["sex"]): r for r in table.iter_rows(named=True)}
    female = rows[("SI_COV_UEMP", "F")]
    # the row stays (a revision exists), its value and difference do not
    assert (female["new_value"], female["difference_pp"], female["suppressed"], female["flag"]) == (None, None, True, "suppressed")
    assert (female["reason_code"], female["new_source_id"]) == ("new_source", "GHA_LFS_2021")
    male = rows[("SI_COV_UEMP", "M")]
    assert (male["new_value"], male["suppressed"], male["flag"]) == (pytest.approx(4.0), False, "caution")
    revised = rows[("SI_COV_PENSN", "T")]
    assert (revised["new_value"], revised["difference_pp"], revised["suppressed"], revised["flag"]) == (
        pytest.approx(40.0), pytest.approx(5.0), False, None)
    # no published value of a suppressed cell, anywhere in the table
    assert table.filter(pl.col("suppressed") & (pl.col("new_value").is_not_null() | pl.col("difference_pp").is_not_null())).is_empty()


def test_reasons_known_from_the_declared_previous_vintage():
    config = config_2021()
    config = dataclasses.replace(config, revisions={
        **config.revisions,
        "compare_vintage": "2020-10",
        "previous_vintages": {"2020-10": {"method_editions": {"sdg_1_3_1": "ILO-2020"}, "population_vintage": "WPP 2017"}},
    })
    admin = coverage_frame([coverage("GHA", "SI_COV_PENSN", 40, 100, source_kind="administrative",
                                     input_vintage="GHA_2021@2022-06-30; births@x; population@WPP 2019")])
    rows = select_sources(country_rows({"sdg_1_3_1": admin}, config), config)
    row = revisions_table(rows, PREVIOUS, config).filter(pl.col("series") == "SI_COV_PENSN").row(0, named=True)
    assert row["old_value"] == 30.0
    assert row["reason_code"] == "new_source;new_method_edition;new_denominator_vintage"
    assert row["reason"] == (
        "new source: UN SDG 2020-10 value was an estimate (NATURE E), now country data; "
        "new method edition: sdg_1_3_1:ILO-2020 -> sdg_1_3_1:ILO-2024; new denominator vintage: WPP 2017 -> WPP 2019"
    )
    # a survey rate has its own weighted denominator: no denominator vintage, the edition only
    survey = revisions_table(selected(config), PREVIOUS, config).filter(pl.col("series") == "SI_COV_PENSN").row(0, named=True)
    assert survey["reason_code"] == "new_source;new_method_edition"


BUNDLED = Path(__file__).resolve().parent.parent / "data" / "raw"


def test_the_reasons_fire_on_the_bundled_releases_with_the_declared_editions_and_wpp_vintages():
    countries = pl.read_csv(BUNDLED / "reference" / "countries.csv")
    previous, _ = normalise(read_sources(BUNDLED), countries)
    assert sorted(previous["vintage"].unique()) == ["2020-10", "2023-12"]
    config = config_2021()
    declared = config.revisions["previous_vintages"]
    assert set(declared) == {"2020-10", "2023-12"}  # every bundled release is declared
    # GHA in the bundled extracts: SI_COV_PENSN 2019 = 19 (2020-10 and 2023-12, NATURE E); SH_ACS_UNHC 2017 = 45 (2023-12), 47 (2020-10)
    rows = country_rows({
        "sdg_1_3_1": coverage_frame([
            coverage("GHA", "SI_COV_PENSN", 25, 100, year=2019, source_kind="administrative",
                     input_vintage="GHA_2019@2020-06-30; population@WPP 2019; pensionable_age@2024"),
            coverage("GHA", "SI_COV_PENSN", 10, 100, year=2019, sex="F", source_kind="administrative",
                     input_vintage="GHA_2019@2020-06-30; population@WPP 2019; pensionable_age@2024"),
        ]),
        "sdg_3_8_1": pl.DataFrame({"ref_area": ["GHA"], "year": [2017], "value": [50.0], "imputed_share": [0.0],
                                   "method_edition": ["sdg_3_8_1:2023-01-24"], "input_vintage": ["uhc_tracers@1; population@WPP 2019"]}),
    }, config)
    chosen = select_sources(rows, config)
    latest = {(r["series"], r["sex"]): r for r in revisions_table(chosen, previous, config).iter_rows(named=True)}
    pensn = latest[("SI_COV_PENSN", "T")]
    assert (pensn["old_vintage"], pensn["old_value"], pensn["new_value"]) == ("2023-12", 19.0, pytest.approx(25.0))
    assert pensn["reason_code"] == "new_source;new_method_edition;new_denominator_vintage"
    assert pensn["reason"].endswith("new method edition: sdg_1_3_1:ILO-2020 -> sdg_1_3_1:ILO-2024; new denominator vintage: WPP 2022 -> WPP 2019")
    # 3.8.1: same edition as declared for 2023-12, and its values do not depend on WPP
    uhc = latest[("SH_ACS_UNHC", "T")]
    assert (uhc["old_value"], uhc["reason_code"], uhc["reason"]) == (45.0, "unexplained", None)
    # against 2020-10 (WPP 2019, 3.8.1 edition 2017): the edition explains the 3.8.1 revision, WPP does not change
    older = dataclasses.replace(config, revisions={**config.revisions, "compare_vintage": "2020-10"})
    earlier = {(r["series"], r["sex"]): r for r in revisions_table(chosen, previous, older).iter_rows(named=True)}
    assert earlier[("SI_COV_PENSN", "T")]["reason_code"] == "new_source;new_method_edition"
    assert (earlier[("SH_ACS_UNHC", "T")]["old_value"], earlier[("SH_ACS_UNHC", "T")]["reason_code"]) == (47.0, "new_method_edition")
    assert earlier[("SH_ACS_UNHC", "T")]["reason"] == "new method edition: sdg_3_8_1:2017 -> sdg_3_8_1:2023-01-24"
