"""Benefit levels among recipients (issue 11, adequacy): mean benefit by function and sex, the
benefit relative to the poverty line and to welfare, and the female/male ratio of means with its
linearised SE, checked against an independent Taylor linearisation written here with numpy and,
where R and its survey package are installed, against R survey (svyby + svycontrast)."""

from __future__ import annotations

import shutil
import subprocess

import duckdb
import numpy as np
import polars as pl
import pytest

from engine.benefit_adequacy import estimate_adequacy
from engine.method_config import load_method
from synthetic.survey import generate_persons

LINE = 3000.0


@pytest.fixture(scope="module")
def persons() -> pl.DataFrame:
    df = generate_persons("GHA", 6000, seed=5, survey_id="GHA_HIES_2021")
    # a constant national poverty line; 40 pensioners who reported no amount
    pensioners = df.with_row_index("i").filter(pl.col("rec_oldage_contrib"))["i"].head(40)
    return df.with_columns(
        pl.lit(LINE).alias("poverty_line"),
        pl.when(pl.int_range(pl.len()).is_in(pensioners))
        .then(None)
        .otherwise(pl.col("amt_oldage_contrib"))
        .alias("amt_oldage_contrib"),
    )


@pytest.fixture(scope="module")
def adequacy(persons):
    with duckdb.connect() as con:
        return estimate_adequacy(con, persons, load_method("groups_at_risk"), load_method("survey_estimation"))


def _domain(df, function, sex=None):
    paid = (df[f"rec_{function}"].fill_null(False) & (df[f"amt_{function}"].fill_null(0) > 0)).to_numpy()
    return paid if sex is None else paid & (df["sex"] == sex).to_numpy()


def _ratio_scores(df, in_domain, a, b):
    """(R, z) of the domain ratio R = sum w a / sum w b, z_i = w_i I_i (a_i - R b_i) / sum w I b."""
    w = df["person_weight"].to_numpy()
    a, b = np.nan_to_num(a), np.nan_to_num(b)
    den = (w * in_domain * b).sum()
    r = (w * in_domain * a).sum() / den
    return r, w * in_domain * (a - r * b) / den


def _variance(df, z):
    totals = df.select("stratum", "psu").with_columns(z=pl.Series(z)).group_by("stratum", "psu").agg(pl.col("z").sum())
    v = 0.0
    for _, g in totals.group_by("stratum"):
        t, n = g["z"].to_numpy(), g.height
        v += n / (n - 1) * ((t - t.mean()) ** 2).sum()
    return v


def test_mean_benefit_and_female_male_ratio_agree_with_an_independent_linearisation(persons, adequacy):
    amt = persons["amt_oldage_contrib"].to_numpy()
    one = np.ones(persons.height)
    m_f, z_f = _ratio_scores(persons, _domain(persons, "oldage_contrib", "F"), amt, one)
    m_m, z_m = _ratio_scores(persons, _domain(persons, "oldage_contrib", "M"), amt, one)
    est = adequacy.estimates.filter(pl.col("function") == "oldage_contrib", pl.col("measure") == "mean_benefit")
    f = est.filter(pl.col("sex") == "F").row(0, named=True)
    assert f["value"] == pytest.approx(m_f, rel=1e-12)
    assert f["se"] == pytest.approx(np.sqrt(_variance(persons, z_f)), rel=1e-9)
    assert f["n_recipients"] == int(_domain(persons, "oldage_contrib", "F").sum())
    gap = adequacy.gaps.filter(pl.col("function") == "oldage_contrib", pl.col("measure") == "mean_benefit").row(
        0, named=True
    )
    ratio = m_f / m_m
    assert gap["ratio"] == pytest.approx(ratio, rel=1e-12)
    assert gap["ratio_se"] == pytest.approx(np.sqrt(_variance(persons, (z_f - ratio * z_m) / m_m)), rel=1e-9)
    assert gap["difference_se"] == pytest.approx(np.sqrt(_variance(persons, z_f - z_m)), rel=1e-9)
    # the generator pays women 0.81 of men's earnings-related benefits: the estimate finds it
    assert gap["ratio_ci_lower"] < 0.81 < gap["ratio_ci_upper"]


def test_benefit_relative_to_the_poverty_line_and_to_welfare(persons, adequacy):
    amt = persons["amt_social_assistance"].to_numpy()
    est = adequacy.estimates.filter(pl.col("function") == "social_assistance", pl.col("sex") == "T")
    mean = est.filter(pl.col("measure") == "mean_benefit")["value"][0]
    line = est.filter(pl.col("measure") == "benefit_to_poverty_line").row(0, named=True)
    assert line["value"] == pytest.approx(mean / LINE, rel=1e-12)
    welfare = persons["hh_welfare_pc"].to_numpy()
    r, z = _ratio_scores(persons, _domain(persons, "social_assistance"), amt, welfare)
    w = est.filter(pl.col("measure") == "benefit_to_welfare").row(0, named=True)
    assert w["value"] == pytest.approx(r, rel=1e-12) and w["se"] == pytest.approx(
        np.sqrt(_variance(persons, z)), rel=1e-9
    )


def test_recipients_without_an_amount_are_counted_not_averaged(persons, adequacy):
    row = adequacy.estimates.filter(
        pl.col("function") == "oldage_contrib", pl.col("measure") == "mean_benefit", pl.col("sex") == "T"
    ).row(0, named=True)
    assert row["n_recipients_without_amount"] == 40
    assert row["n_recipients"] == persons.filter(pl.col("rec_oldage_contrib")).height - 40


def test_functions_without_amounts_are_not_computable(persons):
    absent = persons.with_columns(
        pl.lit(None, dtype=pl.Float64).alias("amt_survivors"), pl.lit(None, dtype=pl.Float64).alias("poverty_line")
    )
    with duckdb.connect() as con:
        res = estimate_adequacy(con, absent, load_method("groups_at_risk"), load_method("survey_estimation"))
    nc = {(r["series"], r["breakdown"]): r["reason"] for r in res.not_computable.iter_rows(named=True)}
    assert nc[("adequacy:survivors", "all")] == "amt_survivors absent in GHA_HIES_2021"
    assert nc[("adequacy:oldage_contrib", "benefit_to_poverty_line")] == "poverty_line absent in GHA_HIES_2021"
    assert "survivors" not in set(res.estimates["function"])
    assert res.estimates.filter(pl.col("measure") == "benefit_to_poverty_line").is_empty()


R_SCRIPT = """
suppressMessages(library(survey)); options(survey.lonely.psu = "adjust")
d <- read.csv(commandArgs(TRUE)[1])
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
m <- svyby(~amt, ~sex, subset(des, paid == 1), svymean, covmat = TRUE)
r <- svycontrast(m, quote(`F` / `M`))
cat(sprintf("%.17g", c(coef(m)[["F"]], SE(m)[1], coef(r), SE(r))), sep = "\\n")
"""


def _r_survey_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    return subprocess.run(["Rscript", "-e", "library(survey)"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _r_survey_available(), reason="Rscript with the survey package is not installed")
@pytest.mark.integration  # runs the R peer in a process of its own (tests/tiers.py)
def test_female_male_ratio_se_agrees_with_r_survey(tmp_path, persons, adequacy):
    data = persons.select(
        pl.col("stratum"),
        pl.col("psu"),
        pl.col("person_weight").alias("w"),
        "sex",
        pl.col("amt_oldage_contrib").fill_null(0).alias("amt"),
        (pl.col("rec_oldage_contrib").fill_null(False) & (pl.col("amt_oldage_contrib").fill_null(0) > 0))
        .cast(pl.Int64)
        .alias("paid"),
    )
    data.write_csv(tmp_path / "d.csv")
    (tmp_path / "peer.R").write_text(R_SCRIPT)
    out = subprocess.run(
        ["Rscript", str(tmp_path / "peer.R"), str(tmp_path / "d.csv")], capture_output=True, text=True, check=True
    )
    mean_f, se_f, ratio, ratio_se = map(float, out.stdout.split())
    f = adequacy.estimates.filter(
        pl.col("function") == "oldage_contrib", pl.col("measure") == "mean_benefit", pl.col("sex") == "F"
    ).row(0, named=True)
    gap = adequacy.gaps.filter(pl.col("function") == "oldage_contrib", pl.col("measure") == "mean_benefit").row(
        0, named=True
    )
    assert f["value"] == pytest.approx(mean_f, rel=1e-12) and f["se"] == pytest.approx(se_f, rel=1e-9)
    assert gap["ratio"] == pytest.approx(ratio, rel=1e-12) and gap["ratio_se"] == pytest.approx(ratio_se, rel=1e-9)


@pytest.fixture(scope="module")
def silc():
    """The bundled EU-SILC file of the R package laeken (AUT_SILC_2006), harmonised by its spec:
    net annual old-age, survivors', sickness, disability and unemployment benefits by person."""
    from engine.harmonise import ingest_survey
    from engine.survey_spec import load_spec
    from synthetic.real_files import BUNDLE_DIR

    persons = ingest_survey(load_spec(BUNDLE_DIR / "surveys" / "AUT_SILC_2006" / "spec.yaml")).persons
    with duckdb.connect() as con:
        return persons, estimate_adequacy(con, persons, load_method("groups_at_risk"), load_method("survey_estimation"))


def test_gender_gap_in_pensions_of_the_eu_silc_file(silc):
    """On the laeken file (households as PSUs in NUTS-2 strata): women's old-age benefits are 0.741
    of men's, the ratio and its SE as the independent linearisation gives them."""
    persons, res = silc
    amt = persons["amt_oldage_contrib"].to_numpy()
    one = np.ones(persons.height)
    m_f, z_f = _ratio_scores(persons, _domain(persons, "oldage_contrib", "F"), amt, one)
    m_m, z_m = _ratio_scores(persons, _domain(persons, "oldage_contrib", "M"), amt, one)
    gap = res.gaps.filter(pl.col("function") == "oldage_contrib", pl.col("measure") == "mean_benefit").row(
        0, named=True
    )
    assert gap["ratio"] == pytest.approx(m_f / m_m, rel=1e-12) and round(gap["ratio"], 3) == 0.741
    assert gap["ratio_se"] == pytest.approx(np.sqrt(_variance(persons, (z_f - m_f / m_m * z_m) / m_m)), rel=1e-9)
    line = res.estimates.filter(
        pl.col("function") == "oldage_contrib", pl.col("measure") == "benefit_to_poverty_line", pl.col("sex") == "T"
    )
    mean = res.estimates.filter(
        pl.col("function") == "oldage_contrib", pl.col("measure") == "mean_benefit", pl.col("sex") == "T"
    )
    assert line["value"][0] == pytest.approx(mean["value"][0] / 10859.24, rel=1e-12)


@pytest.mark.skipif(not _r_survey_available(), reason="Rscript with the survey package is not installed")
@pytest.mark.integration  # runs the R peer in a process of its own (tests/tiers.py)
def test_eu_silc_ratio_se_agrees_with_r_survey(tmp_path, silc):
    persons, res = silc
    data = persons.select(
        "stratum",
        "psu",
        pl.col("person_weight").alias("w"),
        "sex",
        pl.col("amt_oldage_contrib").fill_null(0).alias("amt"),
        (pl.col("rec_oldage_contrib").fill_null(False) & (pl.col("amt_oldage_contrib").fill_null(0) > 0))
        .cast(pl.Int64)
        .alias("paid"),
    )
    data.write_csv(tmp_path / "d.csv")
    (tmp_path / "peer.R").write_text(R_SCRIPT)
    out = subprocess.run(
        ["Rscript", str(tmp_path / "peer.R"), str(tmp_path / "d.csv")], capture_output=True, text=True, check=True
    )
    mean_f, se_f, ratio, ratio_se = map(float, out.stdout.split())
    gap = res.gaps.filter(pl.col("function") == "oldage_contrib", pl.col("measure") == "mean_benefit").row(
        0, named=True
    )
    assert gap["value_female"] == pytest.approx(mean_f, rel=1e-12)
    assert gap["ratio"] == pytest.approx(ratio, rel=1e-12) and gap["ratio_se"] == pytest.approx(ratio_se, rel=1e-9)


def test_share_of_recipients_whose_benefit_reaches_the_poverty_line(persons, adequacy):
    """A proportion among recipients: percent, with the SE of a domain proportion and a logit CI
    inside [0, 100]."""
    paid = _domain(persons, "social_assistance", "F")
    amt = persons["amt_social_assistance"].fill_null(0).to_numpy()
    p, z = _ratio_scores(persons, paid, (amt >= LINE).astype(float), np.ones(persons.height))
    row = adequacy.estimates.filter(
        pl.col("function") == "social_assistance",
        pl.col("measure") == "recipients_at_poverty_line",
        pl.col("sex") == "F",
    ).row(0, named=True)
    assert row["value"] == pytest.approx(100 * p, rel=1e-12) and row["se"] == pytest.approx(
        100 * np.sqrt(_variance(persons, z)), rel=1e-9
    )
    assert 0 <= row["ci_lower"] <= row["value"] <= row["ci_upper"] <= 100
