"""Great Expectations suites (schemas/gx_suites.py): every suite passes on good publication
tables built from small indicator frames, and on a bad input every expectation of the suite
fails; Data Docs are written. One GX context for the module (importing GX is slow)."""

from __future__ import annotations

import dataclasses
import io
import itertools
from datetime import date

import polars as pl
import pytest

from engine.publication.aggregates import compute_aggregates
from engine.publication.annex import aggregate_gender_gaps, gap_table, headline_table, statistical_annex
from engine.publication.country_values import country_rows, published_values, select_sources
from engine.publication.quality import gx_context, results_frame, run_suites, write_data_docs
from engine.publication.sdmx import sdmx_frame, to_csv
from schemas.gx_suites import BY_NAME, SUITES
from tests.test_publication_builders import (
    config_2021,
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

TAGS = itertools.count()


@pytest.fixture(scope="module")
def gx():
    return gx_context()


def _config():
    # withholding on (the default edition withholds nothing), so that its expectations are tested
    return dataclasses.replace(config_2021(), first_year=2020, last_year=2021, min_reported_share=0.3)


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    config = _config()
    rows_131 = []
    for iso, year, (t, f, m) in [
        ("GHA", 2020, (30, 10, 20)),
        ("GHA", 2021, (33, 12, 21)),
        ("TGO", 2021, (40, 15, 25)),
        ("KEN", 2021, (50, 20, 30)),
    ]:
        rows_131 += [
            coverage(iso, "SI_COV_PENSN", t, 100, year=year),
            coverage(iso, "SI_COV_PENSN", f, 50, year=year, sex="F"),
            coverage(iso, "SI_COV_PENSN", m, 50, year=year, sex="M"),
        ]
    rows_131 += [
        coverage("GHA", "SI_COV_PENSN", 2, 10, nationality="non_national", n=30),
        coverage("COL", "SI_COV_PENSN", 80, 100, year=2021, source_kind="administrative", capped=False),
        coverage("BEN", "SI_COV_UEMP", 2, 10, year=2021, n=30),
    ]  # a suppressed total: OBS_STATUS Q in the UN file
    # 3.8.2 in three countries, so that imputed medians would break the identities without the rule
    hard = hardship_frame(
        [
            hardship(iso, series, value)
            for iso, values in {
                "GHA": (9.0, 2.0, 20.0, 15.0, 5.0),
                "TGO": (12.0, 4.0, 30.0, 10.0, 20.0),
                "KEN": (15.0, 3.0, 40.0, 35.0, 5.0),
            }.items()
            for series, value in zip(
                ("SH_XPD_EARN10", "SH_XPD_EARN25", "SH_FIN_HARDSHIP", "SH_FIN_IMPOVERISHING", "SH_FIN_LARGE"),
                values,
                strict=True,
            )
        ]
    )
    tables = {"sdg_1_3_1": coverage_frame(rows_131), "sdg_3_8_2": hard}
    rows = country_rows(tables, config)
    countries = countries_frame()
    population = population_frame({(iso, y): 1000.0 for iso, *_ in countries.iter_rows() for y in (2020, 2021)})
    result = compute_aggregates(rows, countries, income_groups_frame(), population, config)
    selected = select_sources(rows, config)
    published = published_values(rows, config)
    gaps_131 = gap_frame([gap("GHA", "SI_COV_PENSN", "sex", 24, 42), gap("GHA", "SI_COV_PENSN", "nationality", 20, 33)])
    gender = pl.concat(
        [gap_table(gaps_131, "sdg_1_3_1", selected, "sex", config), aggregate_gender_gaps(result.aggregates, config)]
    )
    sdmx = sdmx_frame(published, result.aggregates, countries, config, updated=date(2026, 11, 24))
    return {
        "aggregates": result.aggregates,
        "headline": headline_table(result.aggregates, config),
        "country_values": published,
        "country_lineup": result.lineup,
        "countries": countries,
        "income_groups": income_groups_frame(),
        "annex": statistical_annex(published, countries, income_groups_frame(), config),
        "gender_gaps": gender,
        "nationality_gaps": gap_table(gaps_131, "sdg_1_3_1", selected, "nationality", config),
        "sdg_sdmx": pl.read_csv(io.StringIO(to_csv(sdmx)), infer_schema=False),
    }


def _set(frame: pl.DataFrame, row: int, **values) -> pl.DataFrame:
    """``frame`` with ``values`` written into row ``row`` (columns cast to fit)."""
    out = frame.with_row_index("_i")
    for col, value in values.items():
        expr = pl.lit(value)
        if value is not None and isinstance(value, str) and out.schema[col] != pl.String:
            out = out.with_columns(pl.col(col).cast(pl.String))
        out = out.with_columns(pl.when(pl.col("_i") == row).then(expr).otherwise(pl.col(col)).alias(col))
    return out.drop("_i")


def _dup(frame: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([frame, frame.head(1)])


def _row(frame: pl.DataFrame, **where) -> int:
    idx = frame.with_row_index("_i").filter(pl.all_horizontal([pl.col(k) == v for k, v in where.items()]))["_i"]
    return int(idx[0])


def _bad_annex(frame: pl.DataFrame, config) -> pl.DataFrame:
    out = _dup(frame)
    for series in config.annex_series:
        p = series.lower()
        out = _set(out, 0, **{f"{p}_value": -1.0})
        out = _set(out, 1, **{f"{p}_flag": "unknown"})
        out = _set(out, 2, **{f"{p}_flag": "suppressed", f"{p}_value": 5.0})
    return out


def _bad_gaps(frame: pl.DataFrame) -> pl.DataFrame:
    out = _set(_dup(frame), 1, difference_pp=150.0)
    return _set(out, 2, suppressed=True, difference_pp=3.0)


def bad_frames(name: str, frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:  # noqa: C901 (one branch per suite)
    """``frames`` with the table of suite ``name`` broken so that each of its expectations fails."""
    config = _config()
    f = dict(frames)
    agg, cv, sdmx = frames["aggregates"], frames["country_values"], frames["sdg_sdmx"]
    if name == "aggregates_integrity":
        published = _row(agg, value_withheld=False)
        out = _set(_set(_set(_dup(agg), published, value=None), 2, value=120.0), 3, denominator_share_reported=1.5)
        out = _set(out, _row(agg, value_withheld=True), value=5.0)  # a withheld aggregate with a value
        f["aggregates"] = _set(
            out, 4, value_withheld=False, denominator_share_reported=0.1
        )  # published on 10% reported
    elif name == "aggregates_sex_consistency":
        i = _row(agg, series="SI_COV_PENSN", level="world", year=2021, sex="F")
        f["aggregates"] = _set(agg, i, numerator=agg["numerator"][i] * 2)
    elif name == "headline_integrity":
        head = frames["headline"]
        out = _set(_set(_dup(head), 1, value=-5.0), 2, denominator_share_reported=2.0)
        f["headline"] = _set(
            _set(out, _row(head, value_withheld=True), value=5.0),
            3,
            value_withheld=False,
            denominator_share_reported=0.1,
        )
    elif name == "country_values_integrity":
        i = _row(cv, ref_area="GHA", year=2021, sex="T", nationality="T", series="SI_COV_PENSN")
        j = _row(cv, ref_area="KEN", sex="T", series="SI_COV_PENSN")  # a survey value: capped is empty
        out = _set(_set(_dup(cv), i, value=-1.0), j, value=150.0)
        f["country_values"] = _set(_set(out, 2, flag="weird"), _row(cv, suppressed=True), value=7.0)
    elif name == "country_values_sex_consistency":
        i = _row(cv, ref_area="GHA", year=2021, sex="F", nationality="T", series="SI_COV_PENSN")
        f["country_values"] = _set(cv, i, numerator=cv["numerator"][i] + 5)
    elif name == "year_on_year_review":
        i = _row(cv, ref_area="GHA", year=2021, sex="T", nationality="T", series="SI_COV_PENSN")
        f["country_values"] = _set(cv, i, value=70.0)
    elif name == "hardship_identities":
        i = _row(cv, series="SH_XPD_EARN25")
        f["country_values"] = _set(_set(cv, i, value=12.0), _row(cv, series="SH_FIN_LARGE"), value=5.5)
    elif name in ("aggregates_hardship_identities", "headline_hardship_identities"):
        table = "aggregates" if name.startswith("aggregates") else "headline"
        frame = frames[table]
        large = _row(frame, series="SH_FIN_LARGE", level="world", year=2021)
        earn25 = _row(frame, series="SH_XPD_EARN25", level="world", year=2021)
        f[table] = _set(_set(frame, large, value=frame["value"][large] + 0.5), earn25, value=50.0)
    elif name == "lineup_imputation_range":
        # BEN imputed 0% (the GREATEST(NULL, 0) defect; its T holds the group median, its sexes are
        # scaled to it) and COL imputed from a group with no donor
        lineup = frames["country_lineup"]
        ben = _row(lineup, ref_area="BEN", series="SI_COV_PENSN", sex="T", status="imputed")
        col = _row(lineup, ref_area="COL", series="SH_XPD_EARN10", status="imputed")
        f["country_lineup"] = _set(_set(lineup, ben, value=0.0), col, imputation_group="Nowhere")
    elif name == "annex_integrity":
        f["annex"] = _bad_annex(frames["annex"], config)
    elif name == "gender_gaps_integrity":
        f["gender_gaps"] = _bad_gaps(frames["gender_gaps"])
    elif name == "nationality_gaps_integrity":
        f["nationality_gaps"] = _bad_gaps(
            pl.concat([frames["nationality_gaps"]] * 3).with_columns(pl.Series("year", [2019, 2020, 2021]))
        )
    elif name == "sdmx_integrity":
        pt = _row(sdmx, UNIT_MEASURE="PT", OBS_STATUS="A")
        out = _set(_set(_set(_dup(sdmx), 1, SEX="X"), 2, OBS_STATUS="Z"), 3, REF_AREA="GHA")
        out = _set(_set(out, pt, OBS_VALUE="150"), _row(sdmx, OBS_STATUS="Q"), OBS_VALUE="3")
        out = _set(_set(_set(out, 4, AGE="Y15T24"), 5, URBANISATION="U"), 6, CUST_BREAKDOWN="NONNAT")
        f["sdg_sdmx"] = out.select("DATA_LAST_UPDATE", pl.exclude("DATA_LAST_UPDATE"))
    return f


def test_the_good_tables_pass_every_suite(gx, frames, tmp_path):
    results = run_suites(frames, _config(), gx, tag=f"_good{next(TAGS)}")
    assert {r.name for r in results} == {s.name for s in SUITES}
    failed = {r.name: r.failed for r in results if not r.success}
    assert not failed
    assert all(not r.skipped and r.rows > 0 for r in results)
    table = results_frame(results)
    assert table.height == sum(len(s.expectations(_config())) for s in SUITES) and table["success"].all()
    index = write_data_docs(gx, tmp_path / "data_docs")
    html = index.read_text(encoding="utf-8")
    assert index.exists() and "aggregates_integrity" in html and "sdmx_integrity" in html
    assert list((tmp_path / "data_docs" / "validations").rglob("*.html"))


@pytest.mark.parametrize("name", [s.name for s in SUITES])
def test_every_expectation_of_a_suite_fails_on_a_bad_input(gx, frames, name):
    suite = BY_NAME[name]
    result = run_suites(bad_frames(name, frames), _config(), gx, tag=f"_bad{next(TAGS)}", suites=(suite,))[0]
    assert not result.success and not result.skipped
    passed = [(e["expectation"], e["column"]) for e in result.expectations if e["success"]]
    assert not passed, f"{name}: expectations not failed by the bad input: {passed}"
    assert all(e["error"] is None for e in result.expectations), result.expectations
    if any(e["unexpected_count"] for e in result.expectations):
        assert result.failure_sample.height > 0


def test_a_suite_whose_table_is_absent_is_skipped(gx, frames):
    partial = {k: v for k, v in frames.items() if k != "annex"}
    result = run_suites(partial, _config(), gx, tag=f"_skip{next(TAGS)}", suites=(BY_NAME["annex_integrity"],))[0]
    assert result.skipped and result.success


def test_a_failed_suite_becomes_a_failed_asset_check_of_its_table_with_counts_and_a_sample(gx, frames):
    from assets.publication.quality import suite_check_result

    suite = BY_NAME["year_on_year_review"]
    result = run_suites(bad_frames(suite.name, frames), _config(), gx, tag=f"_check{next(TAGS)}", suites=(suite,))[0]
    check = suite_check_result(suite, results_frame([result]))
    assert (check.check_name, check.passed, check.severity.value) == ("year_on_year_review", False, "WARN")
    assert check.asset_key.path == ["publication", suite.table]
    meta = {k: getattr(v, "value", v) for k, v in check.metadata.items()}
    assert meta["expectations_failed"] == 1 and meta["unexpected_rows"] >= 1 and not meta["skipped"]
    assert "change_pp" in meta["failed"]


def test_the_line_up_of_a_female_only_series_keeps_its_imputed_values_within_their_donors(gx):
    # SI_COV_MATNL (women only, no T cell): GREATEST(NULL, 0) once made every imputed cell 0%,
    # below all its donors; lineup_imputation_range is the check that catches that.
    config = _config()
    rows = country_rows(
        {
            "sdg_1_3_1": coverage_frame(
                [coverage(iso, "SI_COV_MATNL", num, 50, sex="F") for iso, num in (("GHA", 5), ("TGO", 15), ("KEN", 10))]
            )
        },
        config,
    )
    countries = countries_frame()
    population = population_frame({(iso, y): 1000.0 for iso in countries["iso3"] for y in (2020, 2021)})
    lineup = compute_aggregates(rows, countries, income_groups_frame(), population, config).lineup
    frames = {"country_lineup": lineup, "countries": countries, "income_groups": income_groups_frame()}
    result = run_suites(frames, config, gx, tag=f"_matnl{next(TAGS)}", suites=(BY_NAME["lineup_imputation_range"],))[0]
    assert result.success, result.failure_sample
    imputed = lineup.filter((pl.col("status") == "imputed") & (pl.col("sex") == "F"))
    assert result.rows == imputed.height == 4  # BEN and COL, 2020 and 2021 (the 2021 values are lined up in 2020 too)
    assert imputed["value"].min() >= 10.0
