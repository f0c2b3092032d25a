"""Honest labels: aggregates resting mostly on imputed values carry observation status E with the
reported share in the comment (line-up, aggregates, headline, SDMX), and every published table
says which values rest on synthetic inputs and names them (country values, line-up, aggregates,
annex, gaps, SDMX). Hand cases."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from engine.publication.aggregates import compute_aggregates
from engine.publication.annex import headline_table, statistical_annex
from engine.publication.country_values import country_rows, published_values
from engine.publication.labels import label_values, synthetic_names
from engine.publication.sdmx import sdmx_frame
from tests.test_publication_builders import (
    config_2021,
    countries_frame,
    coverage,
    coverage_frame,
    income_groups_frame,
    population_frame,
)

RECORDS = [
    {"source_kind": "survey", "source_id": "GHA_LFS_2021", "synthetic": True},
    {"source_kind": "context", "source_id": "labour_force", "synthetic": True},
    {"source_kind": "context", "source_id": "population", "synthetic": False},
    {"source_kind": "ssi", "source_id": "KEN_2021", "synthetic": False},
    {"source_kind": "ssi", "source_id": "COL_2021", "synthetic": "false"},
    {"source_kind": "published", "source_id": "unsdg_2023-12", "synthetic": False},
]


def world(result, series="SI_COV_PENSN") -> dict:
    rows = result.aggregates.filter(
        (pl.col("series") == series) & (pl.col("level") == "world") & (pl.col("sex") == "T")
    )
    assert rows.height == 1
    return rows.row(0, named=True)


def pensions_of_ghana_only(pop_togo: float):
    # GHA reports 40 of 100; TGO has no value: imputed 40% on a denominator of TGO's 65+ population x
    # GHA's ratio 100 / (30 000 000 / 3), i.e. pop_togo * 1000 / 3 * 1e-5
    table = coverage_frame(
        [coverage("GHA", "SI_COV_PENSN", 40, 100, source_kind="administrative", source_id="GHA_2021")]
    )
    config = config_2021()
    countries = countries_frame().filter(pl.col("iso3").is_in(["GHA", "TGO"]))
    return compute_aggregates(
        country_rows({"sdg_1_3_1": table}, config),
        countries,
        income_groups_frame(),
        population_frame({("GHA", 2021): 30000.0, ("TGO", 2021): pop_togo}),
        config,
    ), config


def test_an_aggregate_resting_mostly_on_imputed_values_is_estimated():
    # TGO 8 000: imputed denominator 26.67, reported share 100 / 126.67 = 78.9% -> A
    result, config = pensions_of_ghana_only(8000.0)
    mostly_reported = world(result)
    assert mostly_reported["denominator_share_reported"] == pytest.approx(100 / (100 + 8e6 / 3 * 1e-5))
    assert (mostly_reported["obs_status"], mostly_reported["status_comment"]) == (
        "A",
        "Reported data cover 78.9% of the denominator",
    )
    # TGO 100 000: imputed denominator 333.3, reported share 100 / 433.3 = 23.1% -> E, the share in the comment
    result, config = pensions_of_ghana_only(100000.0)
    mostly_imputed = world(result)
    assert mostly_imputed["denominator_share_reported"] == pytest.approx(100 / (100 + 1e8 / 3 * 1e-5))
    assert mostly_imputed["obs_status"] == "E"
    assert (
        mostly_imputed["status_comment"]
        == "Estimated: rests mostly on imputed values; reported data cover 23.1% of the denominator (1 of 2 countries)"
    )
    # the threshold is low_coverage_share: at 0.2 the same aggregate is A
    relaxed = dataclasses.replace(config, low_coverage_share=0.2)
    table = coverage_frame(
        [coverage("GHA", "SI_COV_PENSN", 40, 100, source_kind="administrative", source_id="GHA_2021")]
    )
    countries = countries_frame().filter(pl.col("iso3").is_in(["GHA", "TGO"]))
    again = compute_aggregates(
        country_rows({"sdg_1_3_1": table}, relaxed),
        countries,
        income_groups_frame(),
        population_frame({("GHA", 2021): 30000.0, ("TGO", 2021): 100000.0}),
        relaxed,
    )
    assert world(again)["obs_status"] == "A"
    # headline and SDMX carry it
    head = headline_table(result.aggregates, config)
    assert head.filter((pl.col("level") == "world") & (pl.col("sex") == "T"))["obs_status"].to_list() == ["E"]
    sdmx = sdmx_frame(
        published_values(country_rows({"sdg_1_3_1": table}, config), config),
        result.aggregates,
        countries_frame(),
        config,
    )
    row = sdmx.filter((pl.col("REF_AREA") == "1") & (pl.col("SEX") == "_T")).row(0, named=True)
    assert row["OBS_STATUS"] == "E" and "reported data cover 23.1% of the denominator" in row["COMMENT_OBS"]


def labelled_inputs():
    table = coverage_frame(
        [
            coverage("GHA", "SI_COV_PENSN", 40, 100, se=2.0),  # survey GHA_LFS_2021: synthetic
            coverage(
                "KEN",
                "SI_COV_PENSN",
                30,
                100,
                source_kind="administrative",
                source_id="KEN_2021",
                input_vintage="KEN_2021@2022-06-30; labour_force@seed 1; population@WPP 2019",
            ),  # synthetic context input
            coverage(
                "COL",
                "SI_COV_PENSN",
                80,
                100,
                source_kind="administrative",
                source_id="COL_2021",
                input_vintage="COL_2021@2022-06-30; population@WPP 2019",
            ),  # nothing synthetic
            coverage(
                "TGO",
                "SI_COV_PENSN",
                50,
                100,
                source_kind="administrative",
                source_id="TGO_2021",
                input_vintage="TGO_2021@2022-06-30; population@WPP 2019",
            ),
        ]
    )
    return {"sdg_1_3_1": table}


def test_synthetic_inputs_are_named_in_every_table():
    config = config_2021()
    synthetic = synthetic_names(RECORDS)
    assert synthetic == ["GHA_LFS_2021", "labour_force"]
    rows = country_rows(labelled_inputs(), config)
    values = label_values(rows, synthetic)
    named = dict(zip(values["ref_area"], values["synthetic_inputs"], strict=True))
    assert named == {"GHA": "GHA_LFS_2021", "KEN": "labour_force", "COL": None, "TGO": None}
    assert dict(zip(values["ref_area"], values["synthetic"], strict=True)) == {
        "GHA": True,
        "KEN": True,
        "COL": False,
        "TGO": False,
    }
    # line-up: BEN has no value; its group (income group LM x Sub-Saharan Africa: GHA, KEN, TGO) gives its
    # median, so BEN rests on the donors' synthetic inputs too; COL (UM, Latin America) does not
    population = population_frame({(iso, 2021): 1000.0 for iso in ("GHA", "TGO", "BEN", "KEN", "COL")})
    result = compute_aggregates(rows, countries_frame(), income_groups_frame(), population, config, synthetic=synthetic)
    lineup = result.lineup.filter((pl.col("sex") == "T") & (pl.col("series") == "SI_COV_PENSN"))
    assert dict(zip(lineup["ref_area"], lineup["synthetic_inputs"], strict=True)) == {
        "GHA": "GHA_LFS_2021",
        "KEN": "labour_force",
        "COL": None,
        "TGO": None,
        "BEN": "GHA_LFS_2021, labour_force",
    }
    assert lineup.filter(pl.col("ref_area") == "BEN")["status"].to_list() == ["imputed"]
    # aggregates: share of the denominator resting on synthetic inputs, and their names
    agg = world(result)
    cells = {r["ref_area"]: r for r in lineup.iter_rows(named=True)}
    synthetic_den = sum(cells[iso]["denominator"] for iso in ("GHA", "KEN", "BEN"))
    assert agg["synthetic_share"] == pytest.approx(synthetic_den / sum(c["denominator"] for c in cells.values()))
    assert agg["synthetic_inputs"] == "GHA_LFS_2021, labour_force"
    latin = result.aggregates.filter(
        (pl.col("region") == "Latin America and the Caribbean") & (pl.col("sex") == "T")
    ).row(0, named=True)
    assert (latin["synthetic_share"], latin["synthetic_inputs"]) == (0.0, None)
    # published country values, annex and SDMX
    published = published_values(rows, config, synthetic)
    annex = statistical_annex(published, countries_frame(), income_groups_frame(), config)
    assert dict(zip(annex["iso3"], annex["si_cov_pensn_synthetic"], strict=True)) == {
        "GHA": True,
        "KEN": True,
        "COL": False,
        "TGO": False,
        "BEN": None,
    }
    sdmx = sdmx_frame(published, result.aggregates, countries_frame(), config)
    kenya = sdmx.filter((pl.col("REF_AREA") == "404") & (pl.col("SEX") == "_T")).row(0, named=True)
    assert kenya["COMMENT_OBS"] == "Rests on synthetic inputs: labour_force"
    colombia = sdmx.filter((pl.col("REF_AREA") == "170") & (pl.col("SEX") == "_T")).row(0, named=True)
    assert colombia["COMMENT_OBS"] == ""
    world_row = sdmx.filter((pl.col("REF_AREA") == "1") & (pl.col("SEX") == "_T")).row(0, named=True)
    assert world_row["COMMENT_OBS"].endswith("; Rests on synthetic inputs: GHA_LFS_2021, labour_force")
