"""The country-level indicator tables (engine/indicator_tables.py; their checks in
assets/indicators/publication_tables.py, uhc.py): the
administrative rows in the published layout, and every asset check on a good frame and on a
frame that breaks it (a check that cannot fail is no check)."""

from __future__ import annotations

import dagster as dg
import polars as pl
import pytest

from assets.indicators.publication_tables import coverage_check_results
from assets.indicators.uhc import index_check_results
from engine.indicator_tables import (
    COVERAGE_DTYPES,
    admin_coverage_rows,
    admin_gap_rows,
    not_computable_rows,
    published_index,
    quarantine_issues,
)
from engine.method_config import load_method
from engine.quarantine import ISSUE_SCHEMA
from schemas.registry import table as registry_table
from tests.test_publication_builders import coverage, coverage_frame

SERIES_1_3_1 = tuple(load_method("sdg_1_3_1")["series"])  # the series every source gives (config)

KEY = dg.AssetKey(["indicators", "sdg_1_3_1"])
VINTAGES = pl.DataFrame(
    {"source_kind": ["administrative"], "source_id": ["GHA_2021"], "input_vintage": ["GHA_2021@2022-06-30"]}
)
CONTEXT = "population@WPP 2019; labour_force@synthetic seed 1"


def admin_row(
    series: str, numerator: float, denominator: float, *, sex: str = "T", nationality: str = "T", cap: bool = True
) -> dict:
    uncapped = 100 * numerator / denominator
    return {
        "country": "GHA",
        "year": 2021,
        "series": series,
        "sex": sex,
        "nationality": nationality,
        "age_group": "T",
        "urban_rural": "T",
        "value": min(uncapped, 100.0) if cap else uncapped,
        "numerator": numerator,
        "numerator_reported": numerator,
        "denominator": denominator,
        "capped": cap and uncapped > 100,
        "cap_applied": "value_at_100" if cap and uncapped > 100 else None,
        "aggregation_rule": "sum",
        "source_kind": "administrative",
        "source_id": "GHA_2021",
        "denominator_source": "population (WPP 2019)",
        "method_edition": "sdg_1_3_1:ILO-2024",
    }


def test_admin_rows_in_the_published_layout():
    admin = pl.DataFrame([admin_row("SI_COV_PENSN", 300, 1000), admin_row("SI_COV_POOR", 1200, 1000)])
    rows = admin_coverage_rows(admin, VINTAGES, CONTEXT, "run-1")
    assert rows.columns == list(COVERAGE_DTYPES) and rows.height == 2
    pensn, poor = rows.sort("series").iter_rows(named=True)
    assert (pensn["ref_area"], pensn["value"], pensn["obs_status"], pensn["capped"]) == ("GHA", 30.0, "A", False)
    assert (poor["value"], poor["obs_status"], poor["capped"]) == (100.0, "E", True)
    assert (
        set(rows["reliability"]) == {"not_applicable"}
        and rows["se"].null_count() == 2
        and rows["n_unweighted"].null_count() == 2
    )
    assert pensn["input_vintage"] == "GHA_2021@2022-06-30; population@WPP 2019; labour_force@synthetic seed 1"
    assert set(rows["run_id"]) == {"run-1"}


def test_admin_gaps_and_reasons_in_the_published_layout():
    gaps = pl.DataFrame(
        [
            {
                "country": "GHA",
                "year": 2021,
                "series": "SI_COV_PENSN",
                "gap_type": "sex",
                "sex": "T",
                "nationality": "T",
                "age_group": "T",
                "urban_rural": "T",
                "source_kind": "administrative",
                "source_id": "GHA_2021",
                "value_group": 20.0,
                "value_reference": 40.0,
                "difference_pp": -20.0,
                "ratio": 0.5,
                "method_edition": "sdg_1_3_1:ILO-2024",
            }
        ]
    )
    rows = admin_gap_rows(gaps, VINTAGES, CONTEXT, "run-1")
    assert rows.columns == list(registry_table("indicators/sdg_1_3_1_gaps").fields)
    assert rows.row(0, named=True)["difference_pp"] == -20.0 and rows["difference_se"].null_count() == 1
    reasons = pl.DataFrame(
        [
            {
                "country": "GHA",
                "year": 2021,
                "source_kind": "administrative",
                "source_id": "GHA_2021",
                "series": "SI_COV_UEMP",
                "breakdown": "all",
                "reason": "no unemployment benefit recipients in GHA_2021",
            }
        ]
    )
    listed = not_computable_rows(reasons, "administrative")
    assert listed.row(0, named=True)["ref_area"] == "GHA" and listed.columns == list(
        registry_table("indicators/not_computable").fields
    )


def good_table() -> pl.DataFrame:
    admin = admin_coverage_rows(
        pl.DataFrame([admin_row(s, 300, 1000) for s in SERIES_1_3_1] + [admin_row("SI_COV_POOR", 1500, 1000)]).unique(
            ["series"], keep="last"
        ),
        VINTAGES,
        CONTEXT,
        "run-1",
    )
    survey = coverage_frame([coverage("GHA", s, 40, 100, source_id="GHA_LFS_2021") for s in SERIES_1_3_1])
    return pl.concat([admin, survey])


def results(
    table: pl.DataFrame, not_computable: pl.DataFrame | None = None, uncapped=frozenset()
) -> dict[str, dg.AssetCheckResult]:
    missing = (
        not_computable
        if not_computable is not None
        else pl.DataFrame(schema=dict.fromkeys(registry_table("indicators/not_computable").fields, pl.String))
    )
    expected = {"survey": SERIES_1_3_1, "administrative": SERIES_1_3_1}
    return {r.check_name: r for r in coverage_check_results(KEY, table, missing, expected, uncapped)}


def test_every_check_passes_on_a_good_table():
    checks = results(good_table())
    assert set(checks) == {
        "values_in_range",
        "numerator_le_denominator",
        "value_matches_ratio",
        "keys_unique",
        "series_complete",
    }
    assert all(c.passed for c in checks.values()), {n: c.metadata for n, c in checks.items() if not c.passed}


@pytest.mark.parametrize(
    ("check", "breakage"),
    [
        (
            "values_in_range",
            lambda t: t.with_columns(  # a negative count, consistent with its own ratio
                pl.when(pl.col("source_kind") == "survey").then(-5.0).otherwise(pl.col(c)).alias(c)
                for c in ("value", "numerator")
            ),
        ),
        (
            "numerator_le_denominator",
            lambda t: t.with_columns(
                pl.when(pl.col("source_kind") == "administrative")
                .then(pl.lit("A"))
                .otherwise(pl.col("obs_status"))
                .alias("obs_status")
            ),
        ),
        (
            "value_matches_ratio",
            lambda t: t.with_columns(
                pl.when(pl.col("series") == "SI_COV_CHLD")
                .then(pl.col("value") + 1)
                .otherwise(pl.col("value"))
                .alias("value")
            ),
        ),
        ("keys_unique", lambda t: pl.concat([t, t.head(1)])),
        (
            "series_complete",
            lambda t: t.filter(~((pl.col("series") == "SI_COV_UEMP") & (pl.col("source_kind") == "administrative"))),
        ),
    ],
)
def test_each_check_fails_on_a_table_that_breaks_it(check, breakage):
    checks = results(breakage(good_table()))
    assert not checks[check].passed
    assert [name for name, c in checks.items() if not c.passed] == [check]


def test_values_above_100_only_in_an_edition_that_does_not_cap():
    uncapped = admin_coverage_rows(
        pl.DataFrame(
            [admin_row(s, 300, 1000) for s in SERIES_1_3_1 if s != "SI_COV_POOR"]
            + [admin_row("SI_COV_POOR", 1500, 1000, cap=False)]
        ),
        VINTAGES,
        CONTEXT,
        "run-1",
    )
    table = pl.concat([uncapped, good_table().filter(pl.col("source_kind") == "survey")])
    assert table.filter(pl.col("series") == "SI_COV_POOR")["value"].max() == 150.0
    assert not results(table)["values_in_range"].passed
    checks = results(table, uncapped=frozenset({"sdg_1_3_1:ILO-2024"}))
    assert all(c.passed for c in checks.values())


def test_a_capped_value_may_be_below_its_ratio_never_above():
    # a total built from the sexes with one sex capped: below 100 x numerator / denominator
    poor = (pl.col("series") == "SI_COV_POOR") & (pl.col("source_kind") == "administrative")
    table = good_table().with_columns(
        pl.when(poor).then(pl.lit(80.0)).otherwise(pl.col("value")).alias("value"),
        pl.when(poor).then(pl.lit("M: value_at_100")).otherwise(pl.col("cap_applied")).alias("cap_applied"),
    )
    assert table.filter(poor)["capped"].to_list() == [True]
    assert results(table)["value_matches_ratio"].passed
    above = table.with_columns(pl.when(poor).then(pl.col("value") * 3).otherwise(pl.col("value")).alias("value"))
    assert not results(above)["value_matches_ratio"].passed


def test_a_series_listed_as_not_computable_is_complete():
    table = good_table().filter(~((pl.col("series") == "SI_COV_UEMP") & (pl.col("source_kind") == "administrative")))
    reasons = pl.DataFrame(
        [
            {
                "ref_area": "GHA",
                "year": "2021",
                "source_kind": "administrative",
                "source_id": "GHA_2021",
                "series": "SI_COV_UEMP",
                "breakdown": "all",
                "reason": "no unemployment benefit recipients",
            }
        ]
    )
    assert results(table, reasons)["series_complete"].passed


def uhc_index_frame(**changes) -> pl.DataFrame:
    row = {
        "country": "GHA",
        "year": 2021,
        "sci": 61.7758,
        "rmnch": 66.5668,
        "infectious_diseases": 60.7831,
        "ncd": 58.3590,
        "capacity": 61.6773,
        "n_tracers_used": 14,
        "n_tracers_imputed": 2,
        "n_tracers_missing": 0,
        "imputed_share": 2 / 14,
        "malaria_high_burden": True,
        "method_edition": "sdg_3_8_1:2023-01-24",
    }
    observed = {**row, "year": 2020, "n_tracers_imputed": 0, "imputed_share": 0.0}
    return pl.DataFrame([{**row, **changes}, observed])


def test_sdg_3_8_1_published_layout_and_checks():
    table = published_index(uhc_index_frame(), "uhc_tracers@synthetic; population@WPP 2019", "run-1")
    assert table.columns == list(registry_table("indicators/sdg_3_8_1").fields)
    assert table["obs_status"].to_list() == ["A", "E"] and set(table["series"]) == {"SH_ACS_UNHC"}
    assert all(r.passed for r in index_check_results(table))
    broken = {
        "values_in_range": published_index(uhc_index_frame(ncd=0.5), "v", "r"),
        "imputed_share_consistent": published_index(uhc_index_frame(imputed_share=0.5), "v", "r"),
        "keys_unique": pl.concat([table, table.head(1)]),
    }
    for check, frame in broken.items():
        failed = [r.check_name for r in index_check_results(frame) if not r.passed]
        assert failed == [check]


def test_tracer_rows_set_aside_by_the_index_are_quarantine_issues():
    quarantine = pl.DataFrame(
        {
            "row_number": [3],
            "indicator": ["anc4"],
            "country": ["XKX"],
            "year": ["2021"],
            "value": ["-2"],
            "reason": ["country not in the country table; negative value"],
        }
    )
    issues = quarantine_issues(quarantine)
    assert issues.schema == pl.Schema(ISSUE_SCHEMA)
    assert issues.select("column", "rule").rows() == [
        ("country", "country not in the country table"),
        ("value", "negative value"),
    ]
    assert issues["value"].to_list() == ["indicator=anc4, country=XKX, year=2021, value=-2"] * 2
    assert set(issues["source_file"]) == {"uhc/tracers.csv"}
