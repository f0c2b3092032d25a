"""SDG 3.8.1 UHC service coverage index: the worked example of the methodology notes (section
2.5), every rescaling rule, edition differences pinned by hand, each imputation rule with its
flag, population-weighted regional values, and bad inputs (quarantine and errors)."""

from __future__ import annotations

import copy
import dataclasses
from math import prod

import polars as pl
import pytest

from engine.method_config import MethodConfigError, MethodEdition, load_method
from engine.sdg_3_8_1 import (
    CATEGORIES,
    IMPUTATION_FLAGS,
    UhcInputError,
    compute_uhc_index,
    tracer_rules,
)


def index_of(tracers, burden, countries, population=None, *, method=None, **options):
    """``compute_uhc_index`` on the edition a test names (an edition, a name in
    ``config/methods/sdg_3_8_1.yaml``, or its default), as the settings hand it over.
    """
    edition = method if isinstance(method, MethodEdition) else load_method("sdg_3_8_1", method)
    return compute_uhc_index(tracers, burden, countries, population, method=edition, **options)


# Worked example, 2023 rules (methodology notes section 2.5); bp_nonraised only for 2017.
EXAMPLE = {
    "fp_demand_satisfied": 60,
    "anc4": 70,
    "dtp3": 85,
    "careseek_ari": 55,
    "tb_treatment": 65,
    "art": 70,
    "itn": 50,
    "basic_sanitation": 60,
    "hypertension_treated": 40,
    "bp_nonraised": 75,
    "fpg_mean": 5.8,
    "tobacco_use": 20,
    "hospital_beds": 12,
    "physicians": 0.5,
    "psychiatrists": 0.4,
    "surgeons": 10,
    "ihr": 65,
}
COUNTRIES = pl.DataFrame(
    {
        "iso3": ["AAA", "AAB", "AAC", "AAD", "BBA", "BBB", "CCA"],
        "m49_subregion": ["Sub A", "Sub A", "Sub A", "Sub A", "Sub B", "Sub B", "Sub C"],
        "sdg_region": ["R1", "R1", "R1", "R1", "R1", "R1", "R2"],
    }
)


def gm(*x: float) -> float:
    return prod(x) ** (1 / len(x))


def rows(country: str, year: int = 2020, drop: tuple[str, ...] = (), **override: float) -> list[dict]:
    values = {**EXAMPLE, **override}
    return [
        {"indicator": k, "country": country, "year": year, "value": float(v)}
        for k, v in values.items()
        if k not in drop
    ]


def tracers(*parts: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        [r for part in parts for r in part],
        schema={"indicator": pl.String, "country": pl.String, "year": pl.Int64, "value": pl.Float64},
    )


def burden(**flags: bool) -> pl.DataFrame:
    return pl.DataFrame(
        {"country": list(flags), "high_burden": list(flags.values())},
        schema={"country": pl.String, "high_burden": pl.Boolean},
    )


def edition_with(edition: str | None = None, **changes):
    """A copy of an edition with some parameters changed (nested keys joined by '__')."""
    method = load_method("sdg_3_8_1", edition)
    params = copy.deepcopy(method.params)
    for dotted, value in changes.items():
        *path, last = dotted.split("__")
        target = params
        for key in path:
            target = target[key]
        target[last] = value
    return dataclasses.replace(method, params=params)


def one(frame: pl.DataFrame, **where) -> dict:
    out = frame.filter(*(pl.col(k) == v for k, v in where.items()))
    assert out.height == 1, out
    return out.row(0, named=True)


def detail(res, country="AAA", year=2020) -> dict[str, dict]:
    return {
        r["indicator"]: r
        for r in res.tracers.filter((pl.col("country") == country) & (pl.col("year") == year)).iter_rows(named=True)
    }


# --- worked example -------------------------------------------------------------------------


def test_worked_example_with_bed_nets():
    res = index_of(tracers(rows("AAA")), burden(AAA=True), COUNTRIES)
    row = one(res.index, country="AAA", year=2020)
    assert row["sci"] == pytest.approx(61.7758, abs=5e-5)
    assert row["rmnch"] == pytest.approx(66.5668, abs=5e-5)
    assert row["infectious_diseases"] == pytest.approx(60.7831, abs=5e-5)
    assert row["ncd"] == pytest.approx(58.3590, abs=5e-5)
    assert row["capacity"] == pytest.approx(61.6773, abs=5e-5)
    assert (row["n_tracers_used"], row["n_tracers_imputed"], row["n_tracers_missing"], row["imputed_share"]) == (
        14,
        0,
        0,
        0.0,
    )
    assert row["malaria_high_burden"] and row["method_edition"] == "sdg_3_8_1:2023-01-24"
    d = detail(res)
    assert d["physicians"]["tracer_value"] == pytest.approx(54.1444, abs=5e-5)
    assert d["fpg_mean"]["rescaled_value"] == pytest.approx(69.5652, abs=5e-5)
    assert d["tobacco_use"]["rescaled_value"] == pytest.approx(71.4286, abs=5e-5)
    assert d["hospital_beds"]["rescaled_value"] == pytest.approx(66.6667, abs=5e-5)
    assert "bp_nonraised" not in d and len(d) == 16  # 14 tracers, workforce in 3 rows
    assert {r["imputation"] for r in d.values()} == {"observed"}
    assert res.quarantine.height == 0


def test_worked_example_without_bed_nets_for_low_burden_and_unlisted_countries():
    res = index_of(tracers(rows("AAA"), rows("AAB")), burden(AAA=False), COUNTRIES)
    for country in ("AAA", "AAB"):  # AAB is not in the burden list: low burden by configuration
        row = one(res.index, country=country)
        assert row["sci"] == pytest.approx(62.7894, abs=5e-5)
        assert row["infectious_diseases"] == pytest.approx(64.8715, abs=5e-5)
        assert row["n_tracers_used"] == 13 and not row["malaria_high_burden"]
        assert "itn" not in detail(res, country)


# --- rescaling rules ------------------------------------------------------------------------

RESCALING = [
    # (edition, indicator, input, rescaled)
    ("2023-01-24", "tobacco_use", 20, (80 - 30) / 70 * 100),  # non-use 80, minimum 30
    ("2017", "tobacco_use", 20, (80 - 50) / 50 * 100),  # minimum 50 -> 60
    ("2023-01-24", "tobacco_use", 75, 1.0),  # non-use 25 below the minimum -> 1
    ("2023-01-24", "fpg_mean", 5.8, (7.4 - 5.8) / 2.3 * 100),  # 69.5652
    ("2023-01-24-annex", "fpg_mean", 5.8, (7.41 - 5.8) / 2.31 * 100),  # 69.6970
    ("2017", "fpg_mean", 5.8, (7.1 - 5.8) / 2.0 * 100),  # 65
    ("2023-01-24", "fpg_mean", 7.6, 1.0),  # above the maximum: negative -> 1
    ("2023-01-24", "fpg_mean", 4.9, 100.0),  # below 5.1 -> above 100 -> 100
    ("2023-01-24", "hospital_beds", 12, 12 / 18 * 100),
    ("2023-01-24", "hospital_beds", 30, 100.0),  # capped at 18 per 10 000
    ("2023-01-24", "physicians", 0.5, 0.5 / 0.9 * 100),
    ("2023-01-24", "physicians", 2.5, 100.0),  # cap 0.9 per 1 000
    ("2023-01-24", "psychiatrists", 0.4, 40.0),
    ("2023-01-24", "psychiatrists", 3.0, 100.0),  # cap 1 per 100 000
    ("2023-01-24", "surgeons", 10, 10 / 14 * 100),
    ("2023-01-24", "surgeons", 20, 100.0),  # cap 14 per 100 000
    ("2023-01-24", "psychiatrists", 0.0, 1.0),  # zero -> 1 before the geometric mean
    ("2023-01-24", "dtp3", 0, 1.0),  # zero -> 1
    ("2023-01-24", "dtp3", 0.4, 1.0),  # below 1 -> 1
    ("2023-01-24", "dtp3", 104, 100.0),  # beyond 100 -> 100
    ("2017", "dtp3", 104, 104.0),  # 2017: only the "zero set to 1" rule
    ("2017", "dtp3", 0, 1.0),
    ("2023-01-24", "hypertension_treated", 40, 40.0),  # 2023: treatment coverage, natural
    ("2017", "bp_nonraised", 75, (75 - 50) / 50 * 100),  # 2017: non-raised BP, minimum 50
]


@pytest.mark.parametrize(
    ("edition", "indicator", "value", "expected"), RESCALING, ids=[f"{e}:{i}={v}" for e, i, v, _ in RESCALING]
)
def test_rescaling_rule(edition, indicator, value, expected):
    res = index_of(tracers(rows("AAA", **{indicator: value})), burden(AAA=True), COUNTRIES, method=edition)
    d = detail(res)
    assert d[indicator]["raw_value"] == pytest.approx(value)
    assert d[indicator]["rescaled_value"] == pytest.approx(expected, abs=1e-9)
    assert 1 <= one(res.index, country="AAA")["sci"] <= 100


def test_workforce_is_the_geometric_mean_of_three_capped_densities():
    res = index_of(tracers(rows("AAA", physicians=2.0, psychiatrists=0.5, surgeons=28)), burden(AAA=True), COUNTRIES)
    hwf = gm(100, 50, 100)
    values = [r["tracer_value"] for r in detail(res).values() if r["tracer"] == "health_workforce"]
    assert values == [pytest.approx(hwf)] * 3
    assert one(res.index, country="AAA")["capacity"] == pytest.approx(gm(12 / 18 * 100, hwf, 65))


# --- editions -------------------------------------------------------------------------------


def test_same_inputs_two_editions_pinned_by_hand():
    data = tracers(rows("AAA"))
    new = one(index_of(data, burden(AAA=True), COUNTRIES, method="2023-01-24").index, country="AAA")
    old = one(index_of(data, burden(AAA=True), COUNTRIES, method="2017").index, country="AAA")
    annex = one(index_of(data, burden(AAA=True), COUNTRIES, method="2023-01-24-annex").index, country="AAA")
    # 2017: BP (75-50)/50 = 50, FPG (7.1-5.8)/2.0 = 65, tobacco (80-50)/50 = 60 -> NCD (50*65*60)^(1/3)
    assert old["ncd"] == pytest.approx(57.9889, abs=5e-5)
    assert old["sci"] == pytest.approx(61.6776, abs=5e-5)  # (66.5668 * 60.7831 * 57.9889 * 61.6773)^(1/4)
    assert new["sci"] == pytest.approx(61.7758, abs=5e-5)
    # annex FPG maximum 7.41: (7.41-5.8)/2.31 = 69.6970 -> NCD 58.3958
    assert annex["ncd"] == pytest.approx(58.3958, abs=5e-5)
    assert annex["sci"] == pytest.approx(61.7856, abs=5e-5)
    assert (old["rmnch"], old["capacity"]) == (pytest.approx(new["rmnch"]), pytest.approx(new["capacity"]))
    assert (old["method_edition"], annex["method_edition"]) == ("sdg_3_8_1:2017", "sdg_3_8_1:2023-01-24-annex")


def test_each_edition_uses_its_own_blood_pressure_tracer():
    data = tracers(rows("AAA"))
    assert "hypertension_treated" in detail(index_of(data, burden(), COUNTRIES, method="2023-01-24"))
    d17 = detail(index_of(data, burden(), COUNTRIES, method="2017"))
    assert "bp_nonraised" in d17 and "hypertension_treated" not in d17


@pytest.mark.parametrize("edition", ["2023-01-24", "2023-01-24-annex", "2017"])
def test_editions_define_fourteen_tracers_in_four_categories(edition):
    rules = tracer_rules(load_method("sdg_3_8_1", edition))
    assert tuple(rules["category"].unique(maintain_order=True)) == CATEGORIES
    assert rules["tracer"].n_unique() == 14 and rules.height == 16
    assert rules.filter(pl.col("high_burden_only"))["indicator"].to_list() == ["itn"]


# --- imputation -----------------------------------------------------------------------------


def _series(dtp3: dict[int, float], years=range(2015, 2021)) -> pl.DataFrame:
    parts = [rows("AAA", y, drop=("dtp3",)) for y in years]
    parts.append([{"indicator": "dtp3", "country": "AAA", "year": y, "value": v} for y, v in dtp3.items()])
    return tracers(*parts)


def test_interpolation_carry_forward_and_carry_back_are_flagged():
    res = index_of(_series({2016: 80.0, 2019: 86.0}), burden(AAA=True), COUNTRIES)
    got = {
        y: (r["raw_value"], r["imputation"], r["from_year"], r["to_year"])
        for y in range(2015, 2021)
        for r in [detail(res, year=y)["dtp3"]]
    }
    assert got == {
        2015: (80.0, "carried_back", 2016, 2016),
        2016: (80.0, "observed", 2016, 2016),
        2017: (pytest.approx(82.0), "interpolated", 2016, 2019),
        2018: (pytest.approx(84.0), "interpolated", 2016, 2019),
        2019: (86.0, "observed", 2019, 2019),
        2020: (86.0, "carried_forward", 2019, 2019),
    }
    shares = dict(zip(res.index["year"], res.index["imputed_share"], strict=True))
    assert shares[2016] == 0.0 and shares[2017] == pytest.approx(1 / 14)
    assert one(res.index, year=2017)["n_tracers_imputed"] == 1
    assert one(res.index, year=2017)["rmnch"] == pytest.approx(gm(60, 70, 82, 55))


def test_before_first_observed_missing_when_configured():
    method = edition_with(imputation__before_first_observed="missing")
    res = index_of(_series({2016: 80.0, 2019: 86.0}), burden(AAA=True), COUNTRIES, method=method)
    row = one(res.index, year=2015)
    assert row["sci"] is None and row["rmnch"] is None and row["n_tracers_missing"] == 1 and row["n_tracers_used"] == 13
    assert detail(res, year=2015)["dtp3"]["imputation"] == "missing"
    assert one(res.index, year=2016)["sci"] is not None


def test_years_argument_and_configured_range():
    data = _series({2016: 80.0, 2019: 86.0}, years=[2016, 2019])
    assert index_of(data, burden(), COUNTRIES, years=[2018]).index["year"].to_list() == [2018]
    assert index_of(data, burden(), COUNTRIES).index["year"].to_list() == [2016, 2019]
    ranged = index_of(data, burden(), COUNTRIES, method=edition_with(years=[2016, 2022]))
    assert ranged.index["year"].to_list() == list(range(2016, 2023))
    assert detail(ranged, year=2022)["dtp3"]["imputation"] == "carried_forward"


def test_regional_median_with_grouping_fallback():
    # careseek_ari: Sub A reporters 50, 60, 80 -> 60; Sub B has one reporter (70), too few:
    # sdg_region R1 (50, 60, 70, 80) -> 65; Sub C / R2 have none: world -> 65.
    # itn: only high-burden countries report or receive it: AAB 40, AAC 50 (AAD low burden, 90 ignored).
    data = tracers(
        rows("AAA", drop=("careseek_ari", "itn")),
        rows("AAB", careseek_ari=50, itn=40),
        rows("AAC", careseek_ari=60, itn=50),
        rows("AAD", careseek_ari=80, itn=90),
        rows("BBA", drop=("careseek_ari",)),
        rows("BBB", careseek_ari=70),
        rows("CCA", drop=("careseek_ari",)),
    )
    res = index_of(data, burden(AAA=True, AAB=True, AAC=True), COUNTRIES)
    expect = {
        "AAA": (60.0, "m49_subregion:Sub A", 3),
        "BBA": (65.0, "sdg_region:R1", 4),
        "CCA": (65.0, "world:World", 4),
    }
    for country, (value, group, n) in expect.items():
        r = detail(res, country)["careseek_ari"]
        assert (r["raw_value"], r["imputation"], r["imputation_group"], r["imputation_group_countries"]) == (
            value,
            "regional_median",
            group,
            n,
        )
    itn = detail(res, "AAA")["itn"]
    assert (itn["raw_value"], itn["imputation_group"], itn["imputation_group_countries"]) == (45.0, "world:World", 2)
    row = one(res.index, country="AAA")
    assert (row["n_tracers_imputed"], row["imputed_share"]) == (2, pytest.approx(2 / 14))
    assert one(res.index, country="AAB")["n_tracers_imputed"] == 0


def test_regional_median_of_observed_values_only_when_configured():
    data = tracers(
        rows("AAA", drop=("careseek_ari",)),
        rows("AAB", 2020),
        rows("AAB", 2021, drop=("careseek_ari",)),
        rows("AAC", 2021, careseek_ari=30),
        rows("AAD", 2021, careseek_ari=40),
    )
    series = index_of(data, burden(), COUNTRIES)  # AAB carried forward (55) counts
    observed = index_of(
        data,
        burden(),
        COUNTRIES,
        method=edition_with(
            imputation__regional_median__values="observed",
            imputation__regional_median__levels=[{"level": "m49_subregion", "min_countries": 2}],
        ),
    )
    assert detail(series, "AAA", 2021)["careseek_ari"]["raw_value"] == 40.0  # median(55, 30, 40)
    assert detail(observed, "AAA", 2021)["careseek_ari"]["raw_value"] == 35.0  # median(30, 40)


def test_a_tracer_nobody_reports_is_missing_and_the_index_not_computed():
    res = index_of(tracers(rows("AAA", drop=("ihr",)), rows("AAB", drop=("ihr",))), burden(), COUNTRIES)
    row = one(res.index, country="AAA")
    assert row["sci"] is None and row["capacity"] is None and row["rmnch"] == pytest.approx(66.5668, abs=5e-5)
    assert (row["n_tracers_used"], row["n_tracers_missing"]) == (12, 1)
    assert detail(res)["ihr"]["imputation"] == "missing"
    assert set(res.tracers["imputation"]) <= set(IMPUTATION_FLAGS)


def test_a_capped_ratio_component_nobody_reports_is_missing_not_100():
    # LEAST(100, NULL) = 100: a health-worker density missing everywhere became 100 (the cap)
    # and the workforce tracer and the index were computed from it.
    res = index_of(tracers(rows("AAA", drop=("physicians",)), rows("AAB", drop=("physicians",))), burden(), COUNTRIES)
    physicians = detail(res)["physicians"]
    assert (
        physicians["imputation"],
        physicians["raw_value"],
        physicians["rescaled_value"],
        physicians["tracer_value"],
    ) == ("missing", None, None, None)
    row = one(res.index, country="AAA")
    assert row["sci"] is None and row["capacity"] is None and row["n_tracers_missing"] == 1


# Tracer inputs that all rescale to 100 (clamped at 100 in the 2023 edition).
AT_100 = dict.fromkeys(EXAMPLE, 100.0) | {
    "fpg_mean": 4.0,
    "tobacco_use": 0.0,
    "hospital_beds": 30.0,
    "physicians": 2.0,
    "psychiatrists": 2.0,
    "surgeons": 20.0,
}


def test_geometric_means_of_values_at_100_are_100():
    # exp(avg(ln(100))) = 100.00000000000004: a category (and the index) at 100 failed the
    # [1, 100] ERROR check; every geometric mean stays within the range of its inputs
    import math

    assert math.exp(sum(math.log(100.0) for _ in range(3)) / 3) > 100

    res = index_of(
        tracers(rows("AAA", **AT_100), rows("AAB", **AT_100)),
        burden(AAA=True),
        COUNTRIES,
        pl.DataFrame(
            {"country": ["AAA", "AAB"], "year": [2020, 2020], "population": [148680982.6188731, 134902370.33014256]}
        ),
    )
    row = one(res.index, country="AAA")
    assert [row[c] for c in ("sci", "rmnch", "infectious_diseases", "ncd", "capacity")] == [100.0] * 5
    assert detail(res)["physicians"]["tracer_value"] == 100.0  # the health workforce composite
    values = res.index.select("sci", "rmnch", "infectious_diseases", "ncd", "capacity")
    assert (
        values.select(pl.all().max()).row(0) == (100.0,) * 5
    )  # within [1, 100], the values_in_range check of indicators/sdg_3_8_1
    # a population-weighted regional mean of countries at 100 (these populations give 100 + 1e-14)
    assert (148680982.6188731 * 100 + 134902370.33014256 * 100) / (148680982.6188731 + 134902370.33014256) > 100
    assert set(res.regional.filter(pl.col("region") == "R1")["sci"]) == {100.0}


# --- regional values ------------------------------------------------------------------------


def test_population_weighted_regional_values_and_coverage():
    # AAA 61.7758 (high burden, pop 100), AAB 62.7894 (pop 300); AAC (pop 600) reports nothing;
    # CCA 62.7894 has no population row.
    population = pl.DataFrame(
        {"country": ["AAA", "AAB", "AAC", "BBA"], "year": [2020] * 4, "population": [100.0, 300.0, 600.0, 1000.0]}
    )
    res = index_of(tracers(rows("AAA"), rows("AAB"), rows("CCA")), burden(AAA=True), COUNTRIES, population)
    sub = one(res.regional, level="m49_subregion", region="Sub A", year=2020)
    assert sub["sci"] == pytest.approx((100 * 61.77582 + 300 * 62.78939) / 400, abs=5e-5)  # 62.5360
    assert sub["sci"] == pytest.approx(62.5360, abs=5e-5)
    assert sub["infectious_diseases"] == pytest.approx((100 * 60.78314 + 300 * 64.87154) / 400, abs=5e-5)
    assert (sub["n_countries"], sub["n_countries_in_group"], sub["population_covered"], sub["population_total"]) == (
        2,
        3,
        400.0,
        1000.0,
    )
    assert sub["population_coverage"] == pytest.approx(0.4)
    region = one(res.regional, level="sdg_region", region="R1")
    assert region["sci"] == pytest.approx(sub["sci"]) and region["population_coverage"] == pytest.approx(400 / 2000)
    world = one(res.regional, level="world", region="World")
    assert world["n_countries_without_population"] == 1 and world["n_countries"] == 2
    assert res.regional.filter(pl.col("region") == "Sub C").height == 0  # CCA cannot be weighted
    assert res.regional["level"].unique(maintain_order=True).to_list() == ["m49_subregion", "sdg_region", "world"]


def test_no_population_means_no_regional_rows():
    res = index_of(tracers(rows("AAA")), burden(), COUNTRIES)
    assert res.regional.height == 0 and "population_coverage" in res.regional.columns


# --- bad inputs -----------------------------------------------------------------------------


def test_bad_rows_are_quarantined_with_reasons_and_the_rest_is_computed():
    bad = [
        {"indicator": "uhc_magic", "country": "AAA", "year": 2020, "value": 10.0},
        {"indicator": "ihr", "country": "AAB", "year": 2020, "value": -3.0},
        {"indicator": "bp_nonraised", "country": "AAA", "year": 2020, "value": 70.0},  # duplicates the example's row
        {"indicator": "anc4", "country": "ZZZ", "year": 2020, "value": 50.0},
        {"indicator": "dtp3", "country": "AAB", "year": 2020, "value": None},
    ]
    res = index_of(tracers(rows("AAA"), bad), burden(AAA=True), COUNTRIES)
    reasons = {(r["indicator"], r["country"]): r["reason"] for r in res.quarantine.iter_rows(named=True)}
    assert reasons == {
        ("uhc_magic", "AAA"): "unknown indicator code",
        ("ihr", "AAB"): "negative value",
        ("bp_nonraised", "AAA"): "duplicate (indicator, country, year)",
        ("anc4", "ZZZ"): "country not in the country table",
        ("dtp3", "AAB"): "missing or non-numeric value",
    }
    assert res.quarantine.filter(pl.col("indicator") == "bp_nonraised").height == 2  # every copy
    assert res.quarantine["row_number"].to_list() == [10, 18, 19, 20, 21, 22]
    assert one(res.index, country="AAA")["sci"] == pytest.approx(61.7758, abs=5e-5)


def test_several_reasons_on_one_row_and_text_values():
    data = pl.DataFrame(
        {"indicator": ["nope", "dtp3"], "country": ["AAA", "AAA"], "year": ["2020", "20x0"], "value": ["-1", "abc"]}
    )
    res = index_of(data, burden(), COUNTRIES)
    assert res.quarantine["reason"].to_list() == [
        "unknown indicator code; negative value",
        "missing or non-integer year; missing or non-numeric value",
    ]
    assert res.index.height == 0 and res.tracers.height == 0


def test_structural_errors():
    with pytest.raises(UhcInputError, match="value"):
        index_of(tracers(rows("AAA")).drop("value"), burden(), COUNTRIES)
    with pytest.raises(UhcInputError, match="sdg_region"):
        index_of(tracers(rows("AAA")), burden(), COUNTRIES.drop("sdg_region"))
    with pytest.raises(UhcInputError, match="conflicting"):
        index_of(
            tracers(rows("AAA")), pl.DataFrame({"country": ["AAA", "AAA"], "high_burden": [True, False]}), COUNTRIES
        )
    bad = edition_with()
    bad.params["categories"]["ncd"]["tracers"]["diabetes"] = {
        "indicator": "fpg_mean",
        "rescale": "linear",
        "min": 7.4,
        "max": 5.1,
    }
    with pytest.raises(MethodConfigError, match="min < max"):
        index_of(tracers(rows("AAA")), burden(), COUNTRIES, method=bad)
    with pytest.raises(MethodConfigError, match="no edition"):
        load_method("sdg_3_8_1", "1999")
