"""Design-based estimation: YRBS published values, agreement with svy, hand-computed cases,
single-PSU strata policies, reliability flags and the not-computable path."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
import svy

from engine.method_config import load_method
from engine.survey_estimation import LonelyPsuError, estimate_domains, estimate_survey
from tests.survey_fixtures import make_persons

YRBS = Path(__file__).parent / "data" / "survey_yrbs.csv"
EMPTY_PAIRS = pl.DataFrame(schema={"series": pl.String, "gap_id": pl.String, "gap_type": pl.String, "focus_id": pl.String, "reference_id": pl.String})
EMPTY_PAIR_MOMENTS = pl.DataFrame(schema={"series": pl.String, "gap_id": pl.String, "stratum": pl.String, "s_afar": pl.Float64, "s_afbr": pl.Float64, "s_bfar": pl.Float64, "s_bfbr": pl.Float64})
PENSION_AGE = pl.DataFrame({"sex": ["F", "M"], "age": [60, 65]})


def _proportion(frame: pl.DataFrame, edition: str = "2026.1-t") -> dict:
    """Estimate the proportion of y over the whole frame (columns stratum, psu, w, y) through
    the same variance SQL as every indicator."""
    psu = frame.group_by("stratum", "psu").agg(a=(pl.col("w") * pl.col("y")).sum(), b=pl.col("w").sum(), n=pl.len(), n_y=pl.col("y").sum())
    moments = psu.group_by("stratum").agg(
        sa=pl.col("a").sum(), sb=pl.col("b").sum(), saa=(pl.col("a") ** 2).sum(), sab=(pl.col("a") * pl.col("b")).sum(),
        sbb=(pl.col("b") ** 2).sum(), n=pl.col("n").sum(), n_y=pl.col("n_y").sum(),
    ).with_columns(series=pl.lit("Y"), domain_id=pl.lit("T"))
    con = duckdb.connect()
    con.register("domain_moments", moments)
    con.register("pair_moments", EMPTY_PAIR_MOMENTS)
    con.register("design_psus", frame.select("stratum", "psu").unique())
    con.register("gap_pairs", EMPTY_PAIRS)
    est, _ = estimate_domains(con, load_method("survey_estimation", edition))
    return est.row(0, named=True)


@pytest.fixture(scope="module")
def yrbs() -> pl.DataFrame:
    # R survey package data (GPL), expected values from samplics tests/estimation/test_expansion.py
    # cross-checked there against R; rows with missing qn8 dropped first (complete cases).
    d = pl.read_csv(YRBS).filter(pl.col("qn8").is_not_null())
    return d.select(
        pl.col("stratum").cast(pl.Int64).cast(pl.String), pl.col("psu").cast(pl.Int64).cast(pl.String),
        pl.col("weight").alias("w"), (pl.col("qn8") == 1).cast(pl.Int64).alias("y"),
    )


def test_yrbs_stratified_cluster_design(yrbs):
    r = _proportion(yrbs)
    assert r["p"] == pytest.approx(0.8136225, rel=1e-6)
    assert r["se"] == pytest.approx(0.0198621, rel=1e-5)
    assert r["df"] == 39
    assert (r["ci_lower"], r["ci_upper"]) == pytest.approx((0.7734476, 0.8537974), rel=1e-6)


def test_yrbs_logit_interval(yrbs):
    r = _proportion(yrbs, "2026.1")
    assert (r["ci_lower"], r["ci_upper"]) == pytest.approx((0.770084, 0.850516), rel=1e-5)


def test_yrbs_psu_only_and_weights_only(yrbs):
    psu_only = _proportion(yrbs.with_columns(stratum=pl.lit("all")))
    assert psu_only["se"] == pytest.approx(0.0202856, rel=1e-5) and psu_only["df"] == 51
    weights_only = _proportion(yrbs.with_columns(stratum=pl.lit("all"), psu=pl.int_range(pl.len()).cast(pl.String)))
    assert weights_only["se"] == pytest.approx(0.0066567, rel=1e-5)


def test_hand_computed_two_strata():
    """2 strata x 2 PSUs. p = (1*1 + 2*0 + 1*1 + 1*1 + 2*0 + 1*0) / 8 = 3/8.
    z_i = w_i (y_i - 3/8) / 8; PSU totals: A1 = (1*5/8 + 2*-3/8)/8 = -1/64, A2 = 10/64 ... see below."""
    frame = pl.DataFrame({
        "stratum": ["A", "A", "A", "B", "B", "B"],
        "psu": ["1", "1", "2", "1", "2", "2"],
        "w": [1.0, 2.0, 1.0, 1.0, 2.0, 1.0],
        "y": [1, 0, 1, 1, 0, 0],
    })
    p = 3 / 8
    z = [w * (y - p) / 8 for w, y in zip(frame["w"], frame["y"])]
    a1, a2, b1, b2 = z[0] + z[1], z[2], z[3], z[4] + z[5]
    var = 2 * ((a1 - (a1 + a2) / 2) ** 2 + (a2 - (a1 + a2) / 2) ** 2) + 2 * ((b1 - (b1 + b2) / 2) ** 2 + (b2 - (b1 + b2) / 2) ** 2)
    r = _proportion(frame)
    assert r["p"] == pytest.approx(p, rel=1e-12) and r["se"] == pytest.approx(var ** 0.5, rel=1e-12) and r["df"] == 2


def test_single_psu_stratum_policies():
    frame = pl.DataFrame({
        "stratum": ["A", "A", "A", "B", "B", "C"],
        "psu": ["1", "1", "2", "1", "2", "1"],
        "w": [1.0, 2.0, 1.0, 1.0, 2.0, 3.0],
        "y": [1, 0, 1, 1, 0, 1],
    })
    certainty = _proportion(frame, "2026.1-t")  # lonely stratum C adds nothing
    adjust = _proportion(frame, "2026.1")  # C centred at the grand mean of PSU totals (0 for a proportion)
    p = certainty["p"]
    w_total = frame["w"].sum()
    z_c = 3.0 * (1 - p) / w_total
    assert adjust["se"] ** 2 == pytest.approx(certainty["se"] ** 2 + z_c ** 2, rel=1e-12)
    # R survey's lonely.psu = "adjust" and svy's SingletonMethod.CENTER agree
    sample = svy.Sample(
        frame.with_columns(psu_id=pl.col("stratum") + "/" + pl.col("psu")),
        svy.Design(stratum="stratum", psu="psu_id", wgt="w", singleton=svy.Singleton(svy.SingletonMethod.CENTER)),
    )
    assert sample.estimation.mean("y").to_polars()["se"][0] == pytest.approx(adjust["se"], rel=1e-9)


def test_single_psu_fail_policy_names_the_strata(tmp_path):
    persons = make_persons(n_strata=2, psus_per_stratum=1)
    edition = load_method("survey_estimation")
    failing = type(edition)(edition.family, "fail", {**edition.params, "lonely_psu": "fail"}, edition.source, edition.sha256)
    with pytest.raises(LonelyPsuError, match=r"\['0', '1'\]"):
        estimate_survey(duckdb.connect(), persons, PENSION_AGE, load_method("sdg_1_3_1"), failing)


@pytest.fixture(scope="module")
def persons() -> pl.DataFrame:
    return make_persons()


@pytest.fixture(scope="module")
def result(persons):
    return estimate_survey(duckdb.connect(), persons, PENSION_AGE, load_method("sdg_1_3_1"), load_method("survey_estimation"))


def test_agrees_with_svy_by_sex_and_nationality(persons, result):
    """Every sex x nationality domain of SP_HEALTH_PROT against svy (rows with a missing outcome
    dropped first, as svy's complete-case domain estimate; design = nested PSUs)."""
    ours = result.estimates.filter(
        (pl.col("series") == "SP_HEALTH_PROT") & (pl.col("age_group") == "T") & (pl.col("urban_rural") == "T")
    )
    data = persons.with_columns(psu_id=pl.col("stratum") + "/" + pl.col("psu"), y=pl.col("health_protected").cast(pl.Float64))
    sample = svy.Sample(data, svy.Design(stratum="stratum", psu="psu_id", wgt="person_weight"))
    checked = 0
    for by, filt in ((["sex", "nationality"], None), (["sex"], "nationality"), (["nationality"], "sex"), (None, None)):
        est = sample.estimation.mean("y", by=by, drop_nulls=True).to_polars()
        for row in est.iter_rows(named=True):
            sex = row.get("sex", "T") if by and "sex" in by else "T"
            nat = row.get("nationality", "T") if by and "nationality" in by else "T"
            mine = ours.filter((pl.col("sex") == sex) & (pl.col("nationality") == nat)).row(0, named=True)
            assert mine["value"] / 100 == pytest.approx(row["est"], rel=1e-9)
            assert mine["se"] / 100 == pytest.approx(row["se"], rel=1e-9)
            checked += 1
    assert checked == 9


def test_gender_gap_se_is_design_based(persons, result):
    gap = result.gaps.filter(
        (pl.col("series") == "SP_HEALTH_PROT") & (pl.col("gap_type") == "sex")
        & (pl.col("nationality") == "T") & (pl.col("age_group") == "T") & (pl.col("urban_rural") == "T")
    ).row(0, named=True)
    data = persons.with_columns(psu_id=pl.col("stratum") + "/" + pl.col("psu"), y=pl.col("health_protected").cast(pl.Float64))
    est = svy.Sample(data, svy.Design(stratum="stratum", psu="psu_id", wgt="person_weight")).estimation.mean("y", by="sex", drop_nulls=True)
    contrast = est.contrast(svy.estd("F") - svy.estd("M")).to_polars().row(0, named=True)
    assert gap["difference_pp"] / 100 == pytest.approx(contrast["est"], rel=1e-9)
    assert gap["difference_se"] / 100 == pytest.approx(contrast["se"], rel=1e-9)
    # the naive formula ignores the covariance the two domains share through the PSUs
    assert abs(gap["difference_se_independent"] - gap["difference_se"]) > 1e-3 * gap["difference_se"]
    assert gap["ratio"] == pytest.approx(gap["value_group"] / gap["value_reference"], rel=1e-12)


def test_every_series_and_domain_in_one_run(result):
    totals = result.estimates.filter((pl.col("sex") == "T") & (pl.col("nationality") == "T") & (pl.col("age_group") == "T") & (pl.col("urban_rural") == "T"))
    assert set(totals["series"]) == {"SP_CONTRIB_LF", "SP_CONTRIB_WAP", "SP_HEALTH_PROT"}
    assert set(result.estimates["sex"]) == {"T", "F", "M"}
    assert set(result.estimates["nationality"]) == {"T", "national", "non_national"}
    assert set(result.estimates["age_group"]) == {"T", "0_14", "15_24", "25_64", "65_120"}
    # numerator / denominator = value; CI contains the value
    e = result.estimates
    assert (e["numerator"] / e["denominator"] * 100 - e["value"]).abs().max() < 1e-9
    assert ((e["ci_lower"] <= e["value"]) & (e["value"] <= e["ci_upper"])).all()


def test_not_computable_lists_reasons(result):
    nc = result.not_computable
    matnl = nc.filter(pl.col("series") == "SI_COV_MATNL").row(0, named=True)
    assert matnl["reason"] == "gave_birth, rec_maternity absent in TST_LFS_2022" and matnl["breakdown"] == "all"
    assert "SI_COV_MATNL" not in result.estimates["series"].to_list()


def test_missing_pensionable_age_is_not_computable(persons):
    full = persons.with_columns(
        *[pl.lit(False).alias(c) for c in ("rec_oldage_contrib", "rec_oldage_noncontrib", "rec_sickness", "rec_maternity", "rec_unemployment", "rec_employment_injury", "rec_survivors", "rec_social_assistance")]
    )
    res = estimate_survey(duckdb.connect(), full, PENSION_AGE.clear(), load_method("sdg_1_3_1"), load_method("survey_estimation"))
    reasons = dict(zip(res.not_computable["series"], res.not_computable["reason"]))
    assert reasons["SI_COV_PENSN"] == "no statutory pensionable age for GHA in 2022"
    assert "SI_COV_PENSN" not in res.estimates["series"].to_list()


def test_reliability_flags_follow_the_thresholds(result):
    e = result.estimates
    assert (e.filter(pl.col("n_unweighted") < 50)["reliability"] == "suppress").all()
    mid = e.filter((pl.col("n_unweighted") >= 50) & (pl.col("n_unweighted") < 100))
    assert mid.height and (mid["reliability"] == "caution").all()
    big = e.filter(pl.col("n_unweighted") >= 100)
    assert ((big["cv"] > 0.30) == (big["reliability"] == "caution")).all()


def test_pension_series_uses_sex_specific_ages(persons):
    full = persons.with_columns(
        rec_oldage_contrib=pl.col("age") >= 70, rec_oldage_noncontrib=pl.lit(False),
        *[pl.lit(False).alias(c) for c in ("rec_sickness", "rec_maternity", "rec_unemployment", "rec_employment_injury", "rec_survivors", "rec_social_assistance")]
    )
    res = estimate_survey(duckdb.connect(), full, PENSION_AGE, load_method("sdg_1_3_1"), load_method("survey_estimation"))
    pensn = res.estimates.filter((pl.col("series") == "SI_COV_PENSN") & (pl.col("nationality") == "T") & (pl.col("age_group") == "T") & (pl.col("urban_rural") == "T"))
    by_sex = {r["sex"]: r for r in pensn.iter_rows(named=True)}
    for sex, age in (("F", 60), ("M", 65)):
        pop = full.filter((pl.col("sex") == sex) & (pl.col("age") >= age))
        expected = (pop.filter(pl.col("age") >= 70)["person_weight"].sum()) / pop["person_weight"].sum()
        assert by_sex[sex]["value"] / 100 == pytest.approx(expected, rel=1e-12)
        assert by_sex[sex]["n_unweighted"] == pop.height


def test_unasked_contribution_counts_as_no_when_the_edition_says_so(persons):
    """Contributions asked of employed persons only: with contributor_unasked_as_no the others
    count as not contributing; without it they drop out of the series population."""
    data = persons.with_columns(
        contributor=pl.when(pl.col("lf_status") == "employed").then(pl.col("contributor")).otherwise(None)
    )
    method = load_method("sdg_1_3_1")
    strict = type(method)(method.family, "strict", {**method.params, "contributor_unasked_as_no": False}, method.source, method.sha256)

    def wap(m):
        res = estimate_survey(duckdb.connect(), data, PENSION_AGE, m, load_method("survey_estimation"))
        return res.estimates.filter((pl.col("series") == "SP_CONTRIB_WAP") & (pl.col("sex") == "T") & (pl.col("nationality") == "T") & (pl.col("age_group") == "T") & (pl.col("urban_rural") == "T")).row(0, named=True)

    adults = data.filter(pl.col("age") >= 15)
    contributing = adults.filter(pl.col("contributor").fill_null(False))["person_weight"].sum()
    assert wap(method)["value"] / 100 == pytest.approx(contributing / adults["person_weight"].sum(), rel=1e-12)
    employed = adults.filter(pl.col("contributor").is_not_null())
    assert wap(strict)["value"] / 100 == pytest.approx(contributing / employed["person_weight"].sum(), rel=1e-12)
