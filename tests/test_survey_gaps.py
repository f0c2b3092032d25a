"""Gender and nationality gaps with design-based SEs (sql/survey_gaps.sql): svy contrasts,
an independent person-level computation, and the naive sqrt(se_f^2 + se_m^2) that ignores the
covariance of two domains sharing PSUs."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import svy
from scipy import stats

from engine.method_config import load_method
from tests.test_survey_estimation import make_survey, one, reference_series, run, svy_sample

DOMAIN_TOTAL = (pl.col("age_group") == "T") & (pl.col("urban_rural") == "T")


@pytest.fixture(scope="module")
def persons() -> pl.DataFrame:
    return make_survey(seed=23)


@pytest.fixture(scope="module")
def result(persons):
    return run(persons)


@pytest.fixture(scope="module")
def sample(persons):
    return svy_sample(persons, load_method("sdg_1_3_1"))


@pytest.mark.parametrize("series", ["SI_COV_BENFTS", "SP_HEALTH_PROT", "SI_COV_VULN", "SP_CONTRIB_LF"])
def test_gender_gaps_agree_with_svy_contrasts(result, sample, series):
    """Female minus male and female / male, overall and within each nationality group."""
    gaps = result.gaps.filter(DOMAIN_TOTAL & (pl.col("series") == series) & (pl.col("gap_type") == "sex"))
    overall = sample.estimation.mean(f"y_{series}", by="sex", where=pl.col(f"pop_{series}"), drop_nulls=True)
    within = sample.estimation.mean(
        f"y_{series}", by=["sex", "nationality"], where=pl.col(f"pop_{series}"), drop_nulls=True
    )
    cases = {"T": (overall, svy.estd("F"), svy.estd("M"))}
    cases |= {nat: (within, svy.estd("F", nat), svy.estd("M", nat)) for nat in ("national", "non_national")}
    for nationality, (est, female, male) in cases.items():
        contrast = est.contrast({"difference": female - male, "ratio": female / male}).to_polars()
        difference, ratio = (one(contrast, contrast=c) for c in ("difference", "ratio"))
        gap = one(gaps, nationality=nationality, sex="T")
        assert gap["difference_pp"] / 100 == pytest.approx(difference["est"], rel=1e-9)
        assert gap["difference_se"] / 100 == pytest.approx(difference["se"], rel=1e-9)
        assert gap["ratio"] == pytest.approx(ratio["est"], rel=1e-9)
        assert gap["ratio_se"] == pytest.approx(ratio["se"], rel=1e-9)
    assert gaps.height == 3


@pytest.mark.parametrize("series", ["SI_COV_BENFTS", "SI_COV_MATNL"])
def test_nationality_gaps_agree_with_svy_contrasts(result, sample, series):
    """Non-nationals minus nationals, overall and within each sex (women only for SI_COV_MATNL)."""
    gaps = result.gaps.filter(DOMAIN_TOTAL & (pl.col("series") == series) & (pl.col("gap_type") == "nationality"))
    overall = sample.estimation.mean(f"y_{series}", by="nationality", where=pl.col(f"pop_{series}"), drop_nulls=True)
    within = sample.estimation.mean(
        f"y_{series}", by=["sex", "nationality"], where=pl.col(f"pop_{series}"), drop_nulls=True
    )
    cases = {"F": (within, svy.estd("F", "non_national"), svy.estd("F", "national"))}
    if series != "SI_COV_MATNL":
        cases |= {
            "T": (overall, svy.estd("non_national"), svy.estd("national")),
            "M": (within, svy.estd("M", "non_national"), svy.estd("M", "national")),
        }
    for sex, (est, focus, reference) in cases.items():
        contrast = est.contrast({"difference": focus - reference, "ratio": focus / reference}).to_polars()
        difference, ratio = (one(contrast, contrast=c) for c in ("difference", "ratio"))
        gap = one(gaps, sex=sex, nationality="T")
        assert (gap["difference_pp"] / 100, gap["difference_se"] / 100) == pytest.approx(
            (difference["est"], difference["se"]), rel=1e-9
        )
        assert (gap["ratio"], gap["ratio_se"]) == pytest.approx((ratio["est"], ratio["se"]), rel=1e-9)
    assert gaps.height == len(cases)


def test_no_gender_gap_for_a_women_only_series(result):
    assert result.gaps.filter((pl.col("series") == "SI_COV_MATNL") & (pl.col("gap_type") == "sex")).is_empty()


def _design_variance(frame: pl.DataFrame, score: str) -> float:
    """sum_h n_h/(n_h-1) sum_j (z_hj - zbar_h)^2 from person-level scores, n_h = all PSUs."""
    psu = frame.group_by("stratum", "psu").agg(pl.col(score).sum().alias("z"))
    strata = psu.group_by("stratum").agg(n=pl.len(), ss=((pl.col("z") - pl.col("z").mean()) ** 2).sum())
    return float(strata.select((pl.col("n") / (pl.col("n") - 1) * pl.col("ss")).sum()).item())


def test_gap_within_an_age_group_matches_a_person_level_computation(persons, result):
    """An independent computation from person-level scores for the gender gap of SP_HEALTH_PROT
    among persons aged 25-64: z_D = z_f - z_m, z_Q = (z_f - Q z_m) / p_m."""
    y = pl.col("health_protected").cast(pl.Float64)
    member = (pl.col("age").is_between(25, 64)) & pl.col("health_protected").is_not_null()
    f = member & (pl.col("sex") == "F")
    m = member & (pl.col("sex") == "M")
    w = pl.col("person_weight")
    sums = persons.select(wf=(w * f).sum(), wyf=(w * y * f).sum(), wm=(w * m).sum(), wym=(w * y * m).sum()).row(
        0, named=True
    )
    p_f, p_m = sums["wyf"] / sums["wf"], sums["wym"] / sums["wm"]
    q = p_f / p_m
    scores = persons.with_columns(
        z_f=pl.when(f).then(w * (y - p_f) / sums["wf"]).otherwise(0.0),
        z_m=pl.when(m).then(w * (y - p_m) / sums["wm"]).otherwise(0.0),
    ).with_columns(z_d=pl.col("z_f") - pl.col("z_m"), z_q=(pl.col("z_f") - q * pl.col("z_m")) / p_m)
    gap = one(result.gaps, series="SP_HEALTH_PROT", gap_type="sex", age_group="25_64", nationality="T", urban_rural="T")
    se_d = _design_variance(scores, "z_d") ** 0.5
    assert gap["difference_pp"] == pytest.approx(100 * (p_f - p_m), rel=1e-12)
    assert gap["difference_se"] == pytest.approx(100 * se_d, rel=1e-10)
    assert gap["ratio"] == pytest.approx(q, rel=1e-12)
    assert gap["ratio_se"] == pytest.approx(_design_variance(scores, "z_q") ** 0.5, rel=1e-10)
    t = stats.t.ppf(0.975, gap["df"])
    assert (gap["difference_ci_lower"], gap["difference_ci_upper"]) == pytest.approx(
        (100 * (p_f - p_m - t * se_d), 100 * (p_f - p_m + t * se_d)), rel=1e-10
    )
    naive = (_design_variance(scores, "z_f") + _design_variance(scores, "z_m")) ** 0.5
    assert gap["difference_se_independent"] == pytest.approx(100 * naive, rel=1e-10)


def test_naive_gap_se_differs_from_the_design_based_one(result):
    """Both sexes share every PSU and its coverage effect: the estimates covary positively and
    sqrt(se_f^2 + se_m^2) overstates the SE of the difference. The naive value is what the
    domain estimates' SEs give."""
    estimates = result.estimates.filter(
        DOMAIN_TOTAL & (pl.col("series") == "SI_COV_BENFTS") & (pl.col("nationality") == "T")
    )
    gap = one(result.gaps.filter(DOMAIN_TOTAL), series="SI_COV_BENFTS", gap_type="sex", nationality="T")
    se_f, se_m = one(estimates, sex="F")["se"], one(estimates, sex="M")["se"]
    assert gap["difference_se_independent"] == pytest.approx((se_f**2 + se_m**2) ** 0.5, rel=1e-12)
    assert gap["difference_se_independent"] > 1.2 * gap["difference_se"]


def test_every_series_has_its_gaps(result):
    series = set(reference_series(load_method("sdg_1_3_1")))
    gaps = result.gaps.filter(DOMAIN_TOTAL)
    assert set(gaps.filter(pl.col("gap_type") == "sex")["series"]) == series - {"SI_COV_MATNL"}
    assert set(gaps.filter(pl.col("gap_type") == "nationality")["series"]) == series
    assert set(result.gaps["age_group"]) == {"T", "0_14", "15_24", "25_64", "65_120"}
    assert set(result.gaps["urban_rural"]) == {"T", "urban", "rural"}
    assert np.isfinite(result.gaps["difference_se"].to_numpy()).all()
