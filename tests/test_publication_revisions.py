"""Revisions with reasons observed in the data: a release against the one before it (revised,
new, withdrawn, re-referenced, changed nature, a series re-estimated as a whole, a common
denominator changed) and this run's values against the latest release (with disclosure control
of the published listing), by hand; the patterns found in the two bundled UN SDG releases."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from engine.publication.country_values import country_rows, select_sources
from engine.publication.published_sdg import normalise, read_sources
from engine.publication.revisions import (
    published_revisions,
    revision_summary,
    revisions_table,
    run_revisions,
    vintage_revisions,
)
from schemas.resources.publication import PUBLISHED_SDG, REVISIONS
from tests.test_publication_builders import config_2021, coverage, coverage_frame

M49 = {"GHA": 288, "TGO": 768, "KEN": 404, "BEN": 204}


def release(vintage: str, rows: list[tuple]) -> pl.DataFrame:
    """staging/published_sdg country rows: (series, iso3, year, value, nature)."""
    return pl.DataFrame(
        [
            {
                "source_id": f"unsdg_{vintage}",
                "layout": "unsdg_ddf",
                "vintage": vintage,
                "series": s,
                "area_code": str(M49[iso]),
                "m49": M49[iso],
                "ref_area": iso,
                "area_kind": "country",
                "year": y,
                "sex": "T",
                "breakdown": "T",
                "value": v,
                "unit": "PERCENT",
                "nature": n,
                "obs_status": "A",
                "source_detail": "UN SDG",
            }
            for s, iso, y, v, n in rows
        ],
        schema=PUBLISHED_SDG.polars_schema(),
    )


OLD = release(
    "2020-10",
    [
        ("SI_COV_PENSN", "GHA", 2019, 19.0, "E"),  # kept: not listed
        ("SI_COV_CHLD", "GHA", 2019, 10.0, "E"),  # withdrawn, the same value now for 2020: re-referenced
        ("SI_COV_CHLD", "TGO", 2019, 30.0, "E"),  # withdrawn
        ("SI_COV_DISAB", "KEN", 2016, 20.0, "E"),  # KEN 2016 DISAB and VULN x1.1 (total population both): denominator
        ("SI_COV_VULN", "KEN", 2016, 40.0, "E"),
        ("SI_COV_UEMP", "KEN", 2016, 5.0, "E"),  # x1.1 too, but another population group (the unemployed)
        ("SI_COV_POOR", "BEN", 2016, 50.0, "E"),  # nature E -> C, same value otherwise: revised 50 -> 55
        *[("SH_ACS_UNHC", iso, y, 50.0, "E") for iso in ("GHA", "TGO", "KEN") for y in (2010, 2015, 2017)],
    ],
)
NEW = release(
    "2023-12",
    [
        ("SI_COV_PENSN", "GHA", 2019, 19.0, "E"),
        ("SI_COV_CHLD", "GHA", 2020, 10.0, "E"),
        ("SI_COV_DISAB", "KEN", 2016, 22.0, "E"),
        ("SI_COV_VULN", "KEN", 2016, 44.0, "E"),
        ("SI_COV_UEMP", "KEN", 2016, 5.5, "E"),
        ("SI_COV_POOR", "BEN", 2016, 55.0, "C"),
        ("SI_COV_BENFTS", "GHA", 2020, 25.0, "E"),  # new
        # 3.8.1 re-estimated: 7 of 9 common values revised, over 3 years
        *[
            ("SH_ACS_UNHC", iso, y, 50.0 if (iso, y) in {("GHA", 2010), ("TGO", 2010)} else 55.0, "E")
            for iso in ("GHA", "TGO", "KEN")
            for y in (2010, 2015, 2017)
        ],
    ],
)
BOTH = pl.concat([OLD, NEW])


def listing(table: pl.DataFrame) -> dict:
    return {(r["series"], r["ref_area"], r["year"]): r for r in table.iter_rows(named=True)}


def test_a_release_against_the_one_before_with_reasons_from_the_data():
    table = vintage_revisions(BOTH, config_2021())
    rows = listing(table)
    assert set(table["comparison"]) == {"vintage"} and set(
        zip(table["old_vintage"], table["new_vintage"], strict=True)
    ) == {("2020-10", "2023-12")}
    assert ("SI_COV_PENSN", "GHA", 2019) not in rows
    assert (rows[("SI_COV_CHLD", "GHA", 2019)]["reason_code"], rows[("SI_COV_CHLD", "GHA", 2019)]["reason"]) == (
        "withdrawn;re_referenced",
        "the newer release has no value for this year; the same value is now published for 2020",
    )
    assert rows[("SI_COV_CHLD", "GHA", 2020)]["reason_code"] == "new_value;re_referenced"
    assert rows[("SI_COV_CHLD", "TGO", 2019)]["reason_code"] == "withdrawn"
    assert rows[("SI_COV_BENFTS", "GHA", 2020)]["reason_code"] == "new_value"
    disab = rows[("SI_COV_DISAB", "KEN", 2016)]
    assert (disab["difference_pp"], disab["reason_code"]) == (pytest.approx(2.0), "denominator_revised")
    assert (
        disab["reason"] == "same relative change (x1.1) as SI_COV_VULN, same population group: the denominator changed"
    )
    assert rows[("SI_COV_UEMP", "KEN", 2016)]["reason_code"] == "unexplained"
    poor = rows[("SI_COV_POOR", "BEN", 2016)]
    assert (poor["reason_code"], poor["reason"], poor["new_nature"]) == (
        "new_source",
        "new source: NATURE E before, now C",
        "C",
    )
    uhc = table.filter(pl.col("series") == "SH_ACS_UNHC")
    assert uhc.height == 7 and set(uhc["reason_code"]) == {"series_revised"}
    # every row names the family of its series (it was empty in release comparisons)
    assert set(uhc["family"]) == {"sdg_3_8_1"} and table["family"].null_count() == 0
    assert set(table.filter(pl.col("series") == "SI_COV_CHLD")["family"]) == {"sdg_1_3_1"}
    REVISIONS.validate(REVISIONS.conform(table))
    assert uhc["reason"][0] == "series re-estimated as a whole: 78% of its 9 common values revised (a change of method)"
    # 2 of 3 years only: not a series revision
    fewer = BOTH.filter(~((pl.col("series") == "SH_ACS_UNHC") & (pl.col("year") == 2017)))
    assert set(vintage_revisions(fewer, config_2021()).filter(pl.col("series") == "SH_ACS_UNHC")["reason_code"]) == {
        "unexplained"
    }


def computed(config):
    table = coverage_frame(
        [
            coverage("GHA", "SI_COV_PENSN", 40, 100),  # 19 -> 40: revised, the release had an estimate
            coverage("GHA", "SI_COV_CHLD", 10.05, 100, year=2020),  # 10 -> 10.05: within 0.1 pp, not listed
            coverage("GHA", "SI_COV_UEMP", 5, 100),  # not published before: new
            coverage(
                "GHA", "SI_COV_UEMP", 3, 50, sex="F", n=20
            ),  # suppressed: compared, masked in the published listing
            coverage("GHA", "SI_COV_UEMP", 2, 50, sex="M", n=60, reliability="caution"),  # listed with its caution flag
        ]
    )
    rows = coverage_frame(
        [
            dict(r, year=2019) if r["series"] in ("SI_COV_PENSN", "SI_COV_UEMP") else r
            for r in table.iter_rows(named=True)
        ]
    )
    return select_sources(country_rows({"sdg_1_3_1": rows}, config), config)


def test_this_run_against_the_latest_release_and_the_masked_listing():
    config = config_2021()
    table = run_revisions(computed(config), BOTH, config, synthetic=["GHA_LFS_2021"])
    rows = {(r["series"], r["sex"]): r for r in table.iter_rows(named=True)}
    assert set(rows) == {("SI_COV_PENSN", "T"), ("SI_COV_UEMP", "T"), ("SI_COV_UEMP", "F"), ("SI_COV_UEMP", "M")}
    pensn = rows[("SI_COV_PENSN", "T")]
    assert (
        pensn["old_vintage"],
        pensn["new_vintage"],
        pensn["old_value"],
        pensn["new_value"],
        pensn["difference_pp"],
    ) == ("2023-12", "this run", 19.0, pytest.approx(40.0), pytest.approx(21.0))
    assert (pensn["reason_code"], pensn["reason"]) == ("new_source", "new source: NATURE E before, now C")
    assert (pensn["synthetic"], pensn["synthetic_inputs"]) == (True, "GHA_LFS_2021")
    assert rows[("SI_COV_UEMP", "T")]["reason_code"] == "new_value"
    female = rows[("SI_COV_UEMP", "F")]
    assert (female["new_value"], female["suppressed"], female["flag"]) == (pytest.approx(6.0), True, "suppressed")
    published = REVISIONS.conform(published_revisions(table))
    masked = {(r["series"], r["sex"]): r for r in published.iter_rows(named=True)}
    assert (masked[("SI_COV_UEMP", "F")]["new_value"], masked[("SI_COV_UEMP", "F")]["difference_pp"]) == (None, None)
    assert (masked[("SI_COV_UEMP", "M")]["new_value"], masked[("SI_COV_UEMP", "M")]["flag"]) == (
        pytest.approx(4.0),
        "caution",
    )
    assert published.filter(
        pl.col("suppressed") & (pl.col("new_value").is_not_null() | pl.col("difference_pp").is_not_null())
    ).is_empty()
    both = revisions_table(computed(config), BOTH, config)
    summary = revision_summary(both)
    assert summary["run"]["listed"] == 4 and summary["vintage"]["listed"] == vintage_revisions(BOTH, config).height
    assert summary["run"]["by_reason"] == {"new_source": 1, "new_value": 3}


BUNDLED = Path(__file__).resolve().parent.parent / "data" / "raw"


def test_the_patterns_of_the_bundled_releases():
    config = config_2021()
    previous, _ = normalise(
        read_sources(BUNDLED), pl.read_csv(BUNDLED / "reference" / "countries.csv"), config.published_inputs
    )
    table = vintage_revisions(previous, config)
    # SH_ACS_UNHC was re-estimated between the releases: every revised value says so
    uhc = table.filter(
        (pl.col("series") == "SH_ACS_UNHC") & pl.col("old_value").is_not_null() & pl.col("new_value").is_not_null()
    )
    assert uhc.height > 500 and (uhc["reason_code"] == "series_revised").all()
    # the 2019 SI_COV_BENFTS values of the 2020-10 release were withdrawn, and many 2020 values of the 2023-12
    # release are the values published for another year before (carried to the reference year 2020)
    benfts = table.filter(pl.col("series") == "SI_COV_BENFTS")
    assert benfts.filter((pl.col("year") == 2019) & (pl.col("reason_code") == "withdrawn")).height > 30
    carried = benfts.filter((pl.col("year") == 2020) & (pl.col("reason_code") == "new_value;re_referenced"))
    assert carried.height > 30 and carried["reason"].str.contains("published for 2016 before").sum() > 20
    # GHA SI_COV_PENSN 2019 = 19 in both releases: not a revision
    assert table.filter(
        (pl.col("ref_area") == "GHA") & (pl.col("series") == "SI_COV_PENSN") & (pl.col("year") == 2019)
    ).is_empty()
    assert table.filter(pl.col("reason_code") == "unexplained").height < 0.01 * table.height
