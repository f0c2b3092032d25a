"""SDG 1.3.1 from SSI returns (engine/admin_coverage.py, sql/sdg_1_3_1_admin.sql): every
denominator, series, rule and breakdown against values computed by hand on tiny frames.

The fixture country is GHA (M49 288), reference year 2022. WPP population in thousands, the same
for women and men: 0_4, 5_9, 10_14, 15_19: 1; 20_24 .. 45_49: 2; 50_54, 55_59, 60_64: 1; 65_69,
70_74: 0.5 -> 20 000 persons per sex, 40 000 in all. Pensionable age in 2022: women 60 (F row of
2010), men 65 (M row of 2020; the M row of 2025 is not yet in force, the T row of 2000 is
superseded). Hence, per sex: children 0-14 = 3000, 0-15 = 3000 + 1000/5 = 3200; women 60+ =
2000, men 65+ = 1000; aged 15+ = 17 000; working age (16 .. pensionable age - 1) = 20 000 -
3200 - 2000 = 14 800 (F), 15 800 (M).
"""

from __future__ import annotations

import dataclasses

import duckdb
import polars as pl
import pytest

from engine.admin_coverage import AdminInputError, compute_admin_coverage
from engine.method_config import MethodConfigError, load_method

GROUPS = {
    "0_4": 1.0,
    "5_9": 1.0,
    "10_14": 1.0,
    "15_19": 1.0,
    "20_24": 2.0,
    "25_29": 2.0,
    "30_34": 2.0,
    "35_39": 2.0,
    "40_44": 2.0,
    "45_49": 2.0,
    "50_54": 1.0,
    "55_59": 1.0,
    "60_64": 1.0,
    "65_69": 0.5,
    "70_74": 0.5,
}

# scheme, function, scheme_type, measure, benefit_type, nationality, T, F, M (None: not reported)
GHA_COUNTS = [
    ("S1", "old_age", "contributory", "active_contributors", None, "total", 8000, 3000, 5000),
    ("S1", "old_age", "contributory", "beneficiaries", "old_age", "total", 1500, 600, 900),
    ("S1", "old_age", "contributory", "beneficiaries", "disability", "total", 200, 80, 120),
    ("S2", "old_age", "non_contributory_universal", "beneficiaries", "old_age", "total", 1200, 700, 500),
    ("S3", "family", "means_tested", "beneficiaries", "child_family", "total", 2000, None, None),
    ("S4", "social_assistance", "means_tested", "beneficiaries", "social_assistance", "total", 4000, 2200, 1800),
    ("S5", "employment_injury", "contributory", "active_contributors", None, "total", 7000, 2500, 4500),
    ("S6", "unemployment", "contributory", "active_contributors", None, "total", 6000, 2400, 3600),
    ("S6", "unemployment", "contributory", "beneficiaries", "unemployment", "total", 300, 100, 200),
    ("S7", "maternity", "contributory", "beneficiaries", "maternity", "total", 450, 450, 0),
    ("S8", "medical_care", "non_contributory_universal", "health_protected", None, "total", 30000, 16000, 14000),
    # NonNationals module
    ("S1", "old_age", "contributory", "active_contributors", None, "national", 7600, 2850, 4750),
    ("S1", "old_age", "contributory", "active_contributors", None, "non_national", 400, 150, 250),
    ("S5", "employment_injury", "contributory", "active_contributors", None, "national", 6700, 2400, 4300),
    ("S8", "medical_care", "non_contributory_universal", "health_protected", None, "national", 29000, None, None),
    ("S8", "medical_care", "non_contributory_universal", "health_protected", None, "non_national", 1000, None, None),
]
KEN_COUNTS = [
    ("K1", "old_age", "contributory", "active_contributors", None, "total", 500, None, None),
    ("K1", "old_age", "contributory", "beneficiaries", "old_age", "total", 300, None, None),
    ("K2", "maternity", "contributory", "beneficiaries", "maternity", "total", 390, 390, 0),
]


def ssi_frame(counts, return_id="GHA_2022", country="GHA", year=2022) -> pl.DataFrame:
    rows = []
    for scheme, function, scheme_type, measure, benefit, nationality, *values in counts:
        for sex, persons in zip(("T", "F", "M"), values, strict=True):
            if persons is not None:
                rows.append(
                    (
                        return_id,
                        country,
                        year,
                        scheme,
                        function,
                        scheme_type,
                        measure,
                        benefit,
                        nationality,
                        sex,
                        persons,
                    )
                )
    return pl.DataFrame(
        rows,
        orient="row",
        schema={
            "return_id": pl.String,
            "country": pl.String,
            "year": pl.Int64,
            "scheme_id": pl.String,
            "function": pl.String,
            "scheme_type": pl.String,
            "measure": pl.String,
            "benefit_type": pl.String,
            "nationality": pl.String,
            "sex": pl.String,
            "persons": pl.Int64,
        },
    )


def population_frame() -> pl.DataFrame:
    rows = [(288, 2022, g, gender, v) for g, v in GROUPS.items() for gender in ("1", "2")]
    # GHA in another year and KEN (M49 404), with other numbers: must not leak into GHA 2022
    rows += [(288, 2021, g, gender, 9.0) for g in GROUPS for gender in ("1", "2")]
    rows += [
        (404, 2021, g, gender, v)
        for g, v in {
            "0_4": 3.0,
            "15_19": 2.0,
            "20_24": 2.0,
            "25_29": 2.0,
            "30_34": 1.0,
            "35_39": 1.0,
            "40_44": 1.0,
            "45_49": 1.0,
            "60_64": 1.0,
        }.items()
        for gender in ("1", "2")
    ]
    return pl.DataFrame(
        rows,
        orient="row",
        schema={
            "country": pl.Int64,
            "time": pl.Int64,
            "age5yearinterval": pl.String,
            "gender": pl.String,
            "population": pl.Float64,
        },
    )


def context(**overrides) -> dict:
    tables = {
        "population": population_frame(),
        "labour_force": pl.DataFrame(
            {
                "country": ["GHA"] * 3,
                "year": [2022] * 3,
                "sex": ["T", "F", "M"],
                "labour_force": [20000.0, 9000.0, 11000.0],
                "employed": [18000.0, 8000.0, 10000.0],
                "unemployed": [2000.0, 1000.0, 1000.0],
            }
        ),
        "births": pl.DataFrame(
            {
                "country": ["GHA"],
                "year": [2022],
                "live_births": [1030.0],
                "twin_delivery_share": [0.02],
                "triplet_delivery_share": [0.005],
            }
        ),
        "fertility": pl.DataFrame(
            {
                "country": ["KEN"] * 7,
                "year": [2021] * 7,
                "age_group": ["15_19", "20_24", "25_29", "30_34", "35_39", "40_44", "45_49"],
                "asfr": [0.05, 0.10, 0.15, 0.10, 0.05, 0.02, 0.01],
            }
        ),
        "pensionable_age": pl.DataFrame(
            {
                "country": ["GHA", "GHA", "GHA", "GHA", "GHA", "KEN"],
                "sex": ["T", "F", "M", "M", "M", "T"],
                "from_year": [2000, 2010, 2010, 2020, 2025, 2013],
                "age": [55, 60, 63, 65, 67, 60],
            }
        ),
        "disability_prevalence": pl.DataFrame(
            {"country": ["GHA"] * 3, "sex": ["T", "F", "M"], "prevalence": [0.03, 0.04, 0.02]}
        ),
        "poverty": pl.DataFrame(
            {
                "country": ["GHA"] * 5,
                "year": [2018, 2021, 2021, 2021, 2023],
                "sex": ["T", "T", "F", "M", "T"],
                "poverty_rate": [60.0, 25.0, 30.0, 20.0, 50.0],
            }
        ),
        "population_by_nationality": pl.DataFrame(
            {
                "country": ["GHA"] * 6,
                "year": [2022] * 6,
                "sex": ["T", "F", "M"] * 2,
                "nationality": ["national"] * 3 + ["non_national"] * 3,
                "population": [38000.0, 19000.0, 19000.0, 2000.0, 1000.0, 1000.0],
                "population_15plus": [32000.0, 16000.0, 16000.0, 2000.0, 1000.0, 1000.0],
                "labour_force": [19000.0, 8500.0, 10500.0, 800.0, 400.0, 400.0],
                "employed": [17100.0, 7600.0, 9500.0, 700.0, 300.0, 400.0],
                "unemployed": [1900.0, 900.0, 1000.0, 100.0, 100.0, 0.0],
            }
        ),
        "countries": pl.DataFrame({"iso3": ["GHA", "KEN", "TGO"], "m49": [288, 404, 768]}),
    }
    tables.update(overrides)
    return tables


def method(edition="ILO-2024", shared=None, **admin):
    """An edition with some ``admin`` entries (keyword arguments) and some shared, top-level
    entries (``shared``) replaced."""
    m = load_method("sdg_1_3_1", edition)
    params = {**m.params, **(shared or {}), "admin": {**m.params["admin"], **admin}}
    return dataclasses.replace(m, params=params)


def run(ssi=None, m=None, **overrides):
    t = context(**overrides)
    return compute_admin_coverage(
        duckdb.connect(),
        ssi_frame(GHA_COUNTS) if ssi is None else ssi,
        t["population"],
        t["labour_force"],
        t["births"],
        t["fertility"],
        t["pensionable_age"],
        t["disability_prevalence"],
        t["poverty"],
        t["population_by_nationality"],
        t["countries"],
        m or method(),
        vintages={"population": "WPP 2019"},
    )


@pytest.fixture(scope="module")
def result():
    return run()


def row(res, series, sex="T", nationality="T", source="GHA_2022") -> dict:
    rows = res.coverage.filter(
        pl.col("source_id") == source,
        pl.col("series") == series,
        pl.col("sex") == sex,
        pl.col("nationality") == nationality,
    )
    assert rows.height == 1, f"{series} {sex} {nationality}: {rows.height} rows"
    return rows.row(0, named=True)


def has_row(res, series, sex="T", nationality="T", source="GHA_2022") -> bool:
    return (
        res.coverage.filter(
            pl.col("source_id") == source,
            pl.col("series") == series,
            pl.col("sex") == sex,
            pl.col("nationality") == nationality,
        ).height
        > 0
    )


def reasons(res, series, breakdown, source="GHA_2022") -> list[str]:
    return res.not_computable.filter(
        pl.col("source_id") == source, pl.col("series") == series, pl.col("breakdown") == breakdown
    )["reason"].to_list()


def check(r: dict, numerator: float, denominator: float) -> None:
    assert r["numerator"] == pytest.approx(numerator)
    assert r["denominator"] == pytest.approx(denominator)
    assert r["value"] == pytest.approx(100 * numerator / denominator)


# --- denominators ------------------------------------------------------------------------


def test_children_0_15_uniform_split_and_0_14_by_edition(result):
    check(row(result, "SI_COV_CHLD"), 2000, 6400)  # 2 x (3000 + 1000 / 5)
    assert (
        "population (WPP 2019): population aged 0-15 (uniform split" in row(result, "SI_COV_CHLD")["denominator_source"]
    )
    check(row(run(m=method("ILO-2020")), "SI_COV_CHLD"), 2000, 6000)


def test_split_weights_are_configuration():
    skewed = method(age_split={"rule": "declining", "weights": [0.3, 0.25, 0.2, 0.15, 0.1]})
    check(row(run(m=skewed), "SI_COV_CHLD"), 2000, 2 * (3000 + 300))


def test_women_giving_birth_from_births_corrected_for_multiple_deliveries(result):
    r = row(result, "SI_COV_MATNL", sex="F")
    check(r, 450, 1000)  # 1030 / (1 + 0.02 + 2 x 0.005)
    assert "live births 2022 / (1 + twin" in r["denominator_source"]
    assert not has_row(result, "SI_COV_MATNL", sex="T") and not has_row(result, "SI_COV_MATNL", sex="M")


def test_women_giving_birth_from_asfr_where_births_has_no_row():
    res = run(ssi=ssi_frame(KEN_COUNTS, "KEN_2021", "KEN", 2021))
    # women (thousands) 15_19, 20_24, 25_29: 2; 30_34 .. 45_49: 1
    births = 1000 * (0.05 * 2 + 0.10 * 2 + 0.15 * 2 + 0.10 + 0.05 + 0.02 + 0.01)
    r = row(res, "SI_COV_MATNL", sex="F", source="KEN_2021")
    check(r, 390, births)
    assert births == pytest.approx(780)
    assert r["denominator_source"].startswith("fertility: sum of ASFR 2021")


def test_births_from_asfr_corrected_with_the_nearest_multiple_delivery_shares():
    """No KEN births row for 2021: births from ASFR (780), corrected with the twin and triplet
    delivery shares of the nearest year within admin.multiple_delivery_max_year_gap (2019 and
    2023 are both two years away: the earlier, 2019):  780 / (1 + 0.02 + 2 x 0.005) = 757.28."""
    births = pl.concat(
        [
            context()["births"],
            pl.DataFrame(
                {
                    "country": ["KEN", "KEN"],
                    "year": [2019, 2023],
                    "live_births": [999.0, 999.0],
                    "twin_delivery_share": [0.02, 0.03],
                    "triplet_delivery_share": [0.005, 0.0],
                }
            ),
        ]
    )
    kenya = ssi_frame(KEN_COUNTS, "KEN_2021", "KEN", 2021)
    r = row(run(ssi=kenya, births=births), "SI_COV_MATNL", sex="F", source="KEN_2021")
    check(r, 390, 780 / 1.03)
    assert r["denominator_source"].endswith("/ (1 + twin delivery share + 2 x triplet delivery share of 2019, births)")
    # shares too far away: births, not deliveries, and the label says so
    far = row(
        run(ssi=kenya, births=births, m=method(multiple_delivery_max_year_gap=1)),
        "SI_COV_MATNL",
        sex="F",
        source="KEN_2021",
    )
    check(far, 390, 780)
    assert "no multiple-delivery shares within 1 year(s) of 2021: births, not deliveries" in far["denominator_source"]
    with pytest.raises(MethodConfigError, match="multiple_delivery_max_year_gap"):
        run(ssi=kenya, m=method(multiple_delivery_max_year_gap=-1))


def test_asfr_needs_all_seven_age_groups():
    fertility = context()["fertility"].filter(pl.col("age_group") != "45_49")
    res = run(ssi=ssi_frame(KEN_COUNTS, "KEN_2021", "KEN", 2021), fertility=fertility)
    assert reasons(res, "SI_COV_MATNL", "all", "KEN_2021") == [
        "births: no row for KEN 2021; fertility: no complete ASFR (7 age groups with women) for KEN 2021"
    ]


def test_severe_disability_prevalence_by_sex(result):
    check(row(result, "SI_COV_DISAB"), 200, 0.03 * 40000)
    check(row(result, "SI_COV_DISAB", sex="F"), 80, 0.04 * 20000)
    check(row(result, "SI_COV_DISAB", sex="M"), 120, 0.02 * 20000)


def test_total_prevalence_applied_to_sexes_only_when_configured():
    total_only = context()["disability_prevalence"].filter(pl.col("sex") == "T")
    r = row(run(disability_prevalence=total_only), "SI_COV_DISAB", sex="F")
    check(r, 80, 0.03 * 20000)
    assert "prevalence (sex T)" in r["denominator_source"]
    strict = run(disability_prevalence=total_only, m=method(total_rate_for_sexes=False))
    assert not has_row(strict, "SI_COV_DISAB", sex="F")
    assert reasons(strict, "SI_COV_DISAB", "sex") == [
        "disability_prevalence: no prevalence for GHA sex F",
        "disability_prevalence: no prevalence for GHA sex M",
    ]


def test_pensionable_age_by_sex_row_in_force(result):
    # F 60 (2010), M 65 (2020; 2025 not in force; T 2000 superseded): 60+ women 2000, 65+ men 1000
    assert row(result, "SI_COV_PENSN", sex="F")["denominator"] == pytest.approx(2000)
    assert row(result, "SI_COV_PENSN", sex="M")["denominator"] == pytest.approx(1000)
    assert row(result, "SI_COV_PENSN")["denominator"] == pytest.approx(3000)
    total = row(result, "SI_COV_PENSN")["denominator_source"]  # T = F + M (sex_total_rule from_sexes)
    assert (
        "F: population (WPP 2019): population aged 60+" in total
        and "; M: population (WPP 2019): population aged 65+" in total
    )
    assert total.endswith("; T = F + M")
    own = row(run(m=method(sex_total_rule="own")), "SI_COV_PENSN")
    assert "population aged F 60+, M 65+" in own["denominator_source"] and own["denominator"] == pytest.approx(3000)


def test_pensionable_age_off_the_5_year_boundary_and_sex_t_rows():
    ages = pl.DataFrame({"country": ["GHA", "GHA"], "sex": ["T", "F"], "from_year": [2000, 2022], "age": [66, 61]})
    res = run(pensionable_age=ages)
    assert row(res, "SI_COV_PENSN", sex="F")["denominator"] == pytest.approx(800 + 500 + 500)  # 4/5 of 60_64
    assert row(res, "SI_COV_PENSN", sex="M")["denominator"] == pytest.approx(400 + 500)  # T row: 66+ = 4/5 of 65_69


def test_vulnerable_residual(result):
    # Wc = min(C 8000 + Rc (S1 disability 200 + S6 unemployment 300), 30 600) = 8500;
    # Oc = min(contributory pensions 1500, 3000) = 1500; V = 40 000 - 8500 - 1500 = 30 000
    check(row(result, "SI_COV_VULN"), 4000, 30000)
    check(row(result, "SI_COV_VULN", sex="F"), 2200, 20000 - (3000 + 80 + 100) - 600)
    check(row(result, "SI_COV_VULN", sex="M"), 1800, 20000 - (5000 + 120 + 200) - 900)


def test_vulnerable_residual_follows_the_configured_contributory_benefits():
    """contributory_benefits_working_age is shared with the survey side (top level of the
    edition): without disability, Rc = 300 (S6 unemployment) and V = 40 000 - 8300 - 1500; with
    survivors added nothing changes (no survivors' benefits in the return)."""
    assert "contributory_benefits_working_age" not in load_method("sdg_1_3_1")["admin"]
    check(
        row(
            run(m=method(shared={"contributory_benefits_working_age": ["unemployment", "employment_injury"]})),
            "SI_COV_VULN",
        ),
        4000,
        40000 - 8300 - 1500,
    )
    check(
        row(
            run(m=method(shared={"contributory_benefits_working_age": ["disability", "unemployment", "survivors"]})),
            "SI_COV_VULN",
        ),
        4000,
        30000,
    )
    with pytest.raises(MethodConfigError, match="contributory_benefits_working_age"):
        run(m=method(shared={"contributory_benefits_working_age": ["old_age"]}))


def test_vulnerable_numerator_benefits_are_configuration(result):
    """Default: social assistance recipients (metadata numerator). With social pensions added,
    the non-contributory old-age scheme S2 counts too (contributory pensions never do):
    4000 + 1200 (T), 2200 + 700 (F), 1800 + 500 (M), over the same residual."""
    assert row(result, "SI_COV_VULN")["numerator"] == 4000
    wider = run(m=method(shared={"vulnerable_numerator_benefits": ["social_assistance", "old_age"]}))
    check(row(wider, "SI_COV_VULN"), 5200, 30000)
    check(row(wider, "SI_COV_VULN", sex="F"), 2900, 16220)
    check(row(wider, "SI_COV_VULN", sex="M"), 2300, 13780)
    pensions = run(
        ssi=ssi_frame([c for c in GHA_COUNTS if c[0] != "S2"]),
        m=method(shared={"vulnerable_numerator_benefits": ["old_age"]}),
    )
    assert reasons(pensions, "SI_COV_VULN", "all") == [
        "no non-contributory-scheme recipients of old_age benefits (vulnerable numerator) in GHA_2022"
    ]
    for bad in ([], ["pension"]):
        with pytest.raises(MethodConfigError, match="vulnerable_numerator_benefits"):
            run(m=method(shared={"vulnerable_numerator_benefits": bad}))


def test_poor_from_the_nearest_poverty_year(result):
    # no 2022 rate: 2021 and 2023 are both one year away, the earlier is used; 2018 is too far
    r = row(run(m=method(sex_total_rule="own")), "SI_COV_POOR")  # T from its own rate
    check(r, 4000, 0.25 * 40000)
    assert "poverty rate 2021 (sex T)" in r["denominator_source"]
    check(row(result, "SI_COV_POOR", sex="F"), 2200, 0.30 * 20000)
    check(row(result, "SI_COV_POOR"), 4000, 0.30 * 20000 + 0.20 * 20000)  # from_sexes: F + M
    exact = run(m=method(poverty_max_year_gap=0))
    assert reasons(exact, "SI_COV_POOR", "all") == ["poverty: no poverty rate for GHA sex T within 0 year(s) of 2022"]


# --- series -------------------------------------------------------------------------------


def test_series_with_labour_force_and_population_denominators(result):
    check(row(result, "SI_COV_UEMP"), 300, 2000)
    check(row(result, "SI_COV_UEMP", sex="F"), 100, 1000)
    check(row(result, "SI_COV_WKINJRY"), 7000, 20000)  # ILO-2024: labour force
    check(row(run(m=method("ILO-2020")), "SI_COV_WKINJRY"), 7000, 18000)  # ILO-2020: employed
    check(row(result, "SP_CONTRIB_LF"), 8000, 20000)  # S6 unemployment-insurance contributors not added
    check(row(result, "SP_CONTRIB_LF", sex="M"), 5000, 11000)
    check(row(result, "SP_CONTRIB_WAP"), 8000, 34000)
    check(row(result, "SP_HEALTH_PROT"), 30000, 40000)
    check(row(result, "SP_HEALTH_PROT", sex="F"), 16000, 20000)
    assert set(result.coverage["series"]) == {
        "SI_COV_BENFTS",
        "SI_COV_CHLD",
        "SI_COV_MATNL",
        "SI_COV_DISAB",
        "SI_COV_UEMP",
        "SI_COV_PENSN",
        "SI_COV_VULN",
        "SI_COV_POOR",
        "SI_COV_WKINJRY",
        "SP_CONTRIB_LF",
        "SP_CONTRIB_WAP",
        "SP_HEALTH_PROT",
    }
    assert set(result.coverage["source_kind"]) == {"administrative"}
    assert set(result.coverage["method_edition"]) == {"sdg_1_3_1:ILO-2024"}
    assert set(result.coverage["age_group"]) == {"T"}


def test_pensions_contributory_plus_social_pension_with_overlap_rule(result):
    check(row(result, "SI_COV_PENSN"), (600 + 700) + 1000, 3000)  # T = F + M after the men's cap (below)
    check(row(result, "SI_COV_PENSN", sex="F"), 600 + 700, 2000)
    # men: 900 + 500 = 1400 pensioners for 1000 men aged 65+: sum_capped_at_denominator
    m = row(result, "SI_COV_PENSN", sex="M")
    assert (m["numerator"], m["numerator_reported"], m["value"]) == (1000, 1400, 100)
    assert m["aggregation_rule"] == "sum_capped_at_denominator"
    assert (m["capped"], m["cap_applied"]) == (True, "numerator_at_denominator")  # flagged, not a silent 100
    largest = row(run(m=method(scheme_overlap="largest_scheme")), "SI_COV_PENSN", sex="M")
    assert (largest["numerator"], largest["value"]) == (900, pytest.approx(90))


def test_capping_at_100_per_edition():
    capped = row(run(m=method("ILO-2024", scheme_overlap="sum")), "SI_COV_PENSN", sex="M")
    assert (capped["value"], capped["capped"], capped["numerator"], capped["denominator"]) == (100, True, 1400, 1000)
    assert capped["cap_applied"] == "value_at_100"
    # ILO-2020, the edition without capping, adds schemes up (scheme_overlap: sum): 140, not 100
    uncapped = row(run(m=method("ILO-2020")), "SI_COV_PENSN", sex="M")
    assert (uncapped["value"], uncapped["capped"], uncapped["cap_applied"], uncapped["numerator"]) == (
        pytest.approx(140),
        False,
        None,
        1400,
    )
    assert uncapped["aggregation_rule"] == "sum"
    assert uncapped["method_edition"] == "sdg_1_3_1:ILO-2020"


def test_a_cap_of_the_overlap_rule_is_flagged_in_an_edition_without_capping():
    # cap_at_100 false with sum_capped_at_denominator: the numerator is brought down to the
    # denominator (100) -- flagged as a cap on the row
    r = row(run(m=method("ILO-2020", scheme_overlap="sum_capped_at_denominator")), "SI_COV_PENSN", sex="M")
    assert (r["value"], r["numerator"], r["capped"], r["cap_applied"]) == (100, 1000, True, "numerator_at_denominator")


@pytest.mark.parametrize("edition", ["ILO-2024", "ILO-2020"])
def test_every_row_records_whether_a_cap_was_applied(edition):
    coverage = run(m=method(edition)).coverage
    assert coverage["capped"].null_count() == 0
    assert (coverage["capped"] == coverage["cap_applied"].is_not_null()).all()
    # T rows built from the sexes name the caps of each sex, e.g. 'M: numerator_at_denominator'
    labels = {
        c.split(": ")[-1] for a in coverage["cap_applied"].drop_nulls() for b in a.split("; ") for c in b.split(", ")
    }
    assert labels <= {"value_at_100", "numerator_at_denominator", "lifecycle_groups"}
    uncapped = coverage.filter(~pl.col("capped"))
    assert (uncapped["value"] - 100 * uncapped["numerator"] / uncapped["denominator"]).abs().max() < 1e-9


def test_a_capped_life_cycle_group_flags_the_vulnerable_residual():
    # 32 000 old-age contributors for 30 600 persons of working age: Wc = 30 600 (capped), so
    # V = 40 000 - 30 600 - 1500 = 7900 is built with a capped group
    counts = [c for c in GHA_COUNTS if not (c[0] == "S1" and c[3] == "active_contributors")]
    counts.append(("S1", "old_age", "contributory", "active_contributors", None, "total", 32000, None, None))
    r = row(run(ssi=ssi_frame(counts)), "SI_COV_VULN")
    check(r, 4000, 7900)
    assert (r["capped"], r["cap_applied"]) == (True, "lifecycle_groups")


def totals_and_sexes(res) -> pl.DataFrame:
    cells = ["source_id", "series", "nationality"]
    t = res.coverage.filter(pl.col("sex") == "T")
    f = res.coverage.filter(pl.col("sex") == "F").select(*cells, pl.exclude(cells).name.suffix("_f"))
    m = res.coverage.filter(pl.col("sex") == "M").select(*cells, pl.exclude(cells).name.suffix("_m"))
    return t.join(f, on=cells).join(m, on=cells)


@pytest.mark.parametrize(("edition", "overlap"), [("ILO-2024", None), ("ILO-2024", "sum"), ("ILO-2020", None)])
def test_totals_are_coherent_with_the_sexes(edition, overlap):
    """sex_total_rule from_sexes (both editions): where F and M are computable, T = F + M for the
    numerator and the denominator, and the published T value is the denominator-weighted mean of
    the published F and M values (after each sex's own caps)."""
    res = run(m=method(edition, **({"scheme_overlap": overlap} if overlap else {})))
    both = totals_and_sexes(res)
    assert both.height >= 12  # every series with sexes, total and by nationality
    assert (both["numerator"] - both["numerator_f"] - both["numerator_m"]).abs().max() < 1e-6
    assert (both["denominator"] - both["denominator_f"] - both["denominator_m"]).abs().max() < 1e-6
    published = (both["value_f"] * both["denominator_f"] + both["value_m"] * both["denominator_m"]) / both[
        "denominator"
    ]
    assert (both["value"] - published).abs().max() < 1e-9


def test_total_pension_coverage_from_the_capped_sexes():
    # men: 1400 pensioners for 1000 men 65+. Default (sum capped at the denominator): M numerator
    # 1000, T = (1300 + 1000) / 3000; with scheme_overlap sum and cap_at_100: M value 100, T =
    # (1300 + min(1400, 1000)) / 3000, numerator 2700 kept uncapped; T on its own (rule own): 90
    r = row(run(), "SI_COV_PENSN")
    check(r, 2300, 3000)
    assert (r["capped"], r["cap_applied"]) == (True, "M: numerator_at_denominator")
    summed = row(run(m=method(scheme_overlap="sum")), "SI_COV_PENSN")
    assert (summed["value"], summed["numerator"], summed["denominator"]) == (
        pytest.approx(100 * 2300 / 3000),
        2700,
        3000,
    )
    assert (summed["capped"], summed["cap_applied"]) == (True, "M: value_at_100")
    own = row(run(m=method(scheme_overlap="sum", sex_total_rule="own")), "SI_COV_PENSN")
    assert (own["value"], own["capped"], own["cap_applied"]) == (pytest.approx(90), False, None)
    with pytest.raises(MethodConfigError, match="sex_total_rule"):
        run(m=method(sex_total_rule="mean"))


def test_total_from_sex_specific_prevalences_not_from_the_total_rate():
    # T prevalence 5 % but F 4 %, M 2 %: from_sexes gives 200 / (800 + 400); own 200 / 2000.
    # total_rate_for_sexes is about the other case: a T rate applied to each sex that has none.
    prevalence = pl.DataFrame({"country": ["GHA"] * 3, "sex": ["T", "F", "M"], "prevalence": [0.05, 0.04, 0.02]})
    check(row(run(disability_prevalence=prevalence), "SI_COV_DISAB"), 200, 1200)
    check(row(run(disability_prevalence=prevalence, m=method(sex_total_rule="own")), "SI_COV_DISAB"), 200, 2000)


def test_total_on_its_own_where_a_sex_is_not_computable(result):
    # child benefits are not reported by sex: T from the T counts
    check(row(result, "SI_COV_CHLD"), 2000, 6400)
    assert not row(result, "SI_COV_CHLD")["denominator_source"].endswith("T = F + M")


def test_benefts_lifecycle_rule(result):
    # children min(2000, 6400) = 2000; working age: Wc 8500 + assistance 4000 x (30 600 - 8500) /
    # 30 000 = 2946.67 (capped at 30 600); older: min(1500 + 1200, 3000) = 2700
    numerator = 2000 + 8500 + 4000 * 22100 / 30000 + 2700
    r = row(result, "SI_COV_BENFTS")
    check(r, numerator, 40000)
    assert r["aggregation_rule"] == "lifecycle_capped"
    assert r["numerator_reported"] == 2000 + 8000 + 500 + 4000 + 2700
    lc = result.lifecycle.filter(pl.col("sex") == "T").row(0, named=True)
    assert (lc["pop_child"], lc["pop_working"], lc["pop_old"], lc["vulnerable"]) == pytest.approx(
        (6400, 30600, 3000, 30000)
    )
    assert lc["assistance_working"] == pytest.approx(4000 * 22100 / 30000)
    all_wa = row(run(m=method(assistance_age_allocation="all_working_age")), "SI_COV_BENFTS")
    check(all_wa, 2000 + 8500 + 4000 + 2700, 40000)


def test_benefts_with_overlapping_schemes_stays_below_the_naive_sum():
    # child benefits from two schemes (7000 for 6400 children), pensions from two schemes (3500 for
    # 3000 older persons), a pensioner also in social assistance: every group is capped
    counts = [c for c in GHA_COUNTS if c[0] not in ("S2", "S3")] + [
        ("S2", "old_age", "non_contributory_universal", "beneficiaries", "old_age", "total", 2000, None, None),
        ("S3", "family", "means_tested", "beneficiaries", "child_family", "total", 4000, None, None),
        ("S9", "family", "contributory", "beneficiaries", "child_family", "total", 3000, None, None),
    ]
    res = run(ssi=ssi_frame(counts))
    everything = sum(c[6] for c in counts if c[5] == "total" and c[3] != "health_protected")
    vulnerable = 40000 - 8500 - 1500
    lifecycle = 6400 + 8500 + 4000 * (30600 - 8500) / vulnerable + 3000
    r = row(res, "SI_COV_BENFTS")
    check(r, lifecycle, 40000)
    # naive sums: the life-cycle inputs (children + contributors + contributory and assistance
    # recipients + pensioners), and every beneficiary and contributor count of the return
    assert r["numerator_reported"] == 7000 + 8000 + 500 + 4000 + 3500 > r["numerator"]
    assert everything == 36450 > r["numerator"]
    assert (r["capped"], r["cap_applied"]) == (True, "lifecycle_groups")  # children and older groups capped
    assert row(run(), "SI_COV_BENFTS")["cap_applied"] is None  # no group above its population


def test_benefts_needs_pension_recipients():
    res = run(ssi=ssi_frame([c for c in GHA_COUNTS if c[4] != "old_age"]))
    assert reasons(res, "SI_COV_BENFTS", "all") == ["no old-age pension recipients in GHA_2022"]


# --- breakdowns -----------------------------------------------------------------------------


def test_sex_rows_absent_when_not_reported(result):
    assert has_row(result, "SI_COV_CHLD") and not has_row(result, "SI_COV_CHLD", sex="F")
    assert not has_row(result, "SI_COV_CHLD", sex="M")
    assert reasons(result, "SI_COV_CHLD", "sex") == ["not reported by sex: child/family benefit recipients (scheme S3)"]
    assert reasons(result, "SI_COV_BENFTS", "sex") == [
        "not reported by sex: child/family benefit recipients (scheme S3)"
    ]


def test_sex_gap(result):
    gap = result.gaps.filter(pl.col("series") == "SI_COV_DISAB", pl.col("gap_type") == "sex").row(0, named=True)
    assert (gap["sex"], gap["nationality"]) == ("T", "T")
    assert gap["value_group"] == pytest.approx(10) and gap["value_reference"] == pytest.approx(30)
    assert gap["difference_pp"] == pytest.approx(-20) and gap["ratio"] == pytest.approx(1 / 3)
    assert result.gaps.filter(pl.col("series") == "SI_COV_MATNL").is_empty()


def test_nationality_coverage_and_gaps(result):
    check(row(result, "SP_CONTRIB_LF", nationality="national"), 7600, 19000)
    check(row(result, "SP_CONTRIB_LF", nationality="non_national"), 400, 800)
    check(row(result, "SP_CONTRIB_LF", sex="F", nationality="non_national"), 150, 400)
    check(row(result, "SP_CONTRIB_WAP", nationality="non_national"), 400, 2000)
    check(row(result, "SP_HEALTH_PROT", nationality="non_national"), 1000, 2000)
    assert (
        "population_by_nationality: labour_force (non_national)"
        in row(result, "SP_CONTRIB_LF", nationality="non_national")["denominator_source"]
    )
    gaps = result.gaps.filter(pl.col("series") == "SP_CONTRIB_LF", pl.col("gap_type") == "nationality")
    total = gaps.filter(pl.col("sex") == "T").row(0, named=True)
    assert (total["value_group"], total["value_reference"]) == pytest.approx((50, 40))
    assert (total["difference_pp"], total["ratio"]) == pytest.approx((10, 1.25))
    women = gaps.filter(pl.col("sex") == "F").row(0, named=True)
    assert women["difference_pp"] == pytest.approx(100 * 150 / 400 - 100 * 2850 / 8500)
    within = result.gaps.filter(
        pl.col("series") == "SP_CONTRIB_LF", pl.col("gap_type") == "sex", pl.col("nationality") == "non_national"
    )
    assert within.row(0, named=True)["difference_pp"] == pytest.approx(100 * 150 / 400 - 100 * 250 / 400)


def test_nationality_not_computable_reasons(result):
    assert reasons(result, "SI_COV_PENSN", "nationality") == [
        "population above pensionable age not available by nationality"
    ]
    assert reasons(result, "SI_COV_BENFTS", "nationality") == [
        "population by life-cycle age group not available by nationality"
    ]
    assert reasons(result, "SI_COV_UEMP", "nationality") == [
        "not in the NonNationals module: unemployment benefit recipients (scheme S6)"
    ]
    # injury contributors: nationals reported, non-nationals not
    check(row(result, "SI_COV_WKINJRY", nationality="national"), 6700, 19000)
    assert not has_row(result, "SI_COV_WKINJRY", nationality="non_national")
    assert reasons(result, "SI_COV_WKINJRY", "nationality") == [
        "not in the NonNationals module: active contributors to employment-injury schemes (scheme S5)"
    ]
    assert reasons(result, "SP_HEALTH_PROT", "nationality_by_sex") == [
        "not reported by sex in the NonNationals module: persons protected by a health scheme (scheme S8)"
    ]


def test_return_without_module_and_missing_tables():
    res = run(ssi=pl.concat([ssi_frame(GHA_COUNTS), ssi_frame(KEN_COUNTS, "KEN_2021", "KEN", 2021)]), labour_force=None)
    assert reasons(res, "SP_CONTRIB_WAP", "nationality", "KEN_2021") == ["no NonNationals module in KEN_2021"]
    assert reasons(res, "SI_COV_UEMP", "all") == ["labour_force table not provided"]
    assert reasons(res, "SP_CONTRIB_LF", "all") == ["labour_force table not provided"]
    # KEN has no health count at all: listed once, its breakdowns are not listed on top
    assert reasons(res, "SP_HEALTH_PROT", "all", "KEN_2021") == ["no persons protected by a health scheme in KEN_2021"]
    assert reasons(res, "SP_HEALTH_PROT", "nationality", "KEN_2021") == []
    # KEN: T pensionable-age row for both sexes; 60+ = 60_64 only, 1000 per sex
    check(row(res, "SI_COV_PENSN", source="KEN_2021"), 300, 2000)
    check(row(res, "SP_CONTRIB_WAP", source="KEN_2021"), 500, 2 * 11000)
    assert not has_row(res, "SP_CONTRIB_WAP", sex="F", source="KEN_2021")


def test_country_missing_from_population_or_country_table():
    res = run(
        ssi=pl.concat([ssi_frame(KEN_COUNTS, "TGO_2022", "TGO", 2022), ssi_frame(KEN_COUNTS, "BEN_2022", "BEN", 2022)])
    )
    assert reasons(res, "SP_CONTRIB_WAP", "all", "TGO_2022") == [
        "population (WPP 2019): no rows for TGO (M49 768) in 2022"
    ]
    assert reasons(res, "SP_CONTRIB_WAP", "all", "BEN_2022") == [
        "country BEN not in the countries table (no M49 code for the population)"
    ]
    assert res.coverage.is_empty()


def test_m49_join_picks_the_country_and_year(result):
    # GHA is M49 288 in 2022: KEN (404) and GHA 2021 rows of the population table are not used
    assert row(result, "SP_HEALTH_PROT")["denominator"] == pytest.approx(40000)
    # with GHA mapped to KEN's code, GHA 2022 is looked up as M49 404, which has no 2022 rows
    swapped = context()["countries"].with_columns(
        pl.when(pl.col("iso3") == "GHA")
        .then(404)
        .when(pl.col("iso3") == "KEN")
        .then(288)
        .otherwise(pl.col("m49"))
        .alias("m49")
    )
    res = run(countries=swapped)
    assert reasons(res, "SP_HEALTH_PROT", "all") == ["population (WPP 2019): no rows for GHA (M49 404) in 2022"]


def test_bad_inputs_raise_clear_errors():
    bad = ssi_frame(GHA_COUNTS).with_columns(
        pl.when(pl.col("scheme_id") == "S4").then(-5).otherwise(pl.col("persons")).alias("persons")
    )
    with pytest.raises(
        AdminInputError, match=r"ssi_coverage: 3 row\(s\) with negative persons, e.g. return_id=GHA_2022"
    ):
        run(ssi=bad)
    with pytest.raises(AdminInputError, match="duplicated key"):
        run(ssi=pl.concat([ssi_frame(GHA_COUNTS), ssi_frame(GHA_COUNTS[:1])]))
    with pytest.raises(AdminInputError, match="population: 1 row"):
        run(
            population=population_frame().with_columns(
                pl.when(pl.col("age5yearinterval") == "0_4", pl.col("gender") == "1", pl.col("time") == 2022)
                .then(-1.0)
                .otherwise(pl.col("population"))
                .alias("population")
            )
        )
    with pytest.raises(MethodConfigError, match="scheme_overlap"):
        run(m=method(scheme_overlap="union"))
