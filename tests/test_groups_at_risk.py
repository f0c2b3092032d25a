"""Groups at risk (issue 11): the new canonical variables on data (spec forms, bad inputs
quarantined with their rule, amounts and receipts), and coverage by group x sex with design-based
SEs of the estimates and of the gaps, checked against an independent Taylor linearisation written
here with numpy (per-person scores, PSU totals, stratified with-replacement variance)."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
import pytest

from engine.errors import SpecError
from engine.groups_at_risk import estimate_groups
from engine.harmonise import ingest_survey
from engine.method_config import load_method
from engine.survey_spec import load_spec
from synthetic.survey import generate_persons
from tests.conftest import source_frame, write_survey

GROUP_COLUMNS = {
    # hid, pid: status (ICSE-18 detailed), informal, isic section, isic division, platform, 6 WG items, welfare pc, child amount, pension amount
    "icse": [41, 51, 41, 12, 22, 22, 41, 30],
    "infor": [2, 1, 1, 2, 1, 1, 1, 2],
    "sect": ["G", "A", "T", "C", "A", "A", "G", "P"],
    "div": [47, 1, 97, 10, 1, 1, 47, 85],
    "platf": [2, 2, 2, 2, 2, 2, 1, 2],
    "wg1": [1, 1, 1, 3, 1, 1, 1, 1],
    "wg2": [1, 2, 1, 1, 1, 1, 1, 1],
    "wg3": [1, 1, 1, 1, 4, 1, 1, 1],
    "wg4": [1, 1, 1, 1, 1, 1, 1, 1],
    "wg5": [1, 1, 1, 1, 1, 9, 1, 1],
    "wg6": [1, 1, 1, 1, 1, 1, 1, 1],
    "pcw": [4000.0, 4000.0, 4000.0, 4000.0, 4000.0, 2500.0, 2500.0, 15000.0],
    "pens_amt": [0.0, 0.0, 0.0, 6000.0, 0.0, 0.0, 0.0, 0.0],
}
ICSE18 = {
    11: "employer",
    12: "employer",
    21: "independent_without_employees",
    22: "independent_without_employees",
    30: "dependent_contractor",
    41: "employee",
    42: "employee",
    43: "employee",
    44: "employee",
    51: "contributing_family_worker",
}


def _frame(changes: dict | None = None) -> pl.DataFrame:
    cols = {k: list(v) for k, v in GROUP_COLUMNS.items()}
    for (col, row), value in (changes or {}).items():
        cols[col][row] = value
    return pl.concat([source_frame(), pl.DataFrame(cols, strict=False)], how="horizontal")


def _spec(spec_dict: dict) -> dict:
    spec_dict["variables"] |= {
        "status_in_employment": {"source": "icse", "codes": ICSE18},
        "informal_employment": {"source": "infor", "codes": {1: True, 2: False}},
        "isic_section": "sect",
        "domestic_worker": {"source": "div", "in": [97]},
        "platform_worker": {"source": "platf", "codes": {1: True, 2: False}},
        "wg_difficulty": {"washington_group": ["wg1", "wg2", "wg3", "wg4", "wg5", "wg6"], "missing": [9]},
        "hh_welfare_pc": "pcw",
        "amt_child_family": "amt_child",
        "amt_oldage_contrib": "pens_amt",
    }
    return spec_dict


def _ingest(tmp_path, spec_dict, frame):
    return ingest_survey(load_spec(write_survey(tmp_path, spec_dict, frame)))


def _rules(res) -> set[tuple[int, str, str]]:
    """(row, column, rule name) of the quarantine; a code-list rule without its list."""
    return {
        (r["row_number"], r["column"], r["rule"].split("(")[0] if r["rule"].startswith("isin") else r["rule"])
        for r in res.quarantine.iter_rows(named=True)
    }


def test_group_variables_map_as_declared(tmp_path, spec_dict):
    res = _ingest(tmp_path, _spec(spec_dict), _frame())
    p = res.persons.sort("source_row")
    assert res.rows_kept == 8 and res.quarantined_rows == 0
    assert p["status_in_employment"].to_list() == [
        "employee",
        "contributing_family_worker",
        "employee",
        "employer",
        "independent_without_employees",
        "independent_without_employees",
        "employee",
        "dependent_contractor",
    ]
    assert p["informal_employment"].to_list() == [False, True, True, False, True, True, True, False]
    assert p["isic_section"].to_list() == ["G", "A", "T", "C", "A", "A", "G", "P"]
    assert p["domestic_worker"].to_list() == [False, False, True, False, False, False, False, False]
    # highest difficulty; row 6 answered 9 (missing) in one domain: unknown
    assert p["wg_difficulty"].to_list() == [1, 2, 1, 3, 4, None, 1, 1]
    assert p["hh_welfare_pc"].to_list() == GROUP_COLUMNS["pcw"]
    assert p["amt_oldage_contrib"].to_list() == GROUP_COLUMNS["pens_amt"]
    # variables of issue 11 a spec does not name are absent (all missing), not an error
    assert p["welfare_quintile"].null_count() == 8 and "amt_maternity" in res.spec.absent


def test_monthly_amounts_become_annual(tmp_path, spec_dict):
    spec_dict["survey"]["amounts_period"] = "month"
    p = _ingest(tmp_path, _spec(spec_dict), _frame()).persons.sort("source_row")
    assert p["amt_oldage_contrib"].to_list()[3:5] == [72000.0, 0.0]
    assert p["hh_welfare_pc"][0] == 48000.0


@pytest.mark.parametrize(
    "change, row, column, rule",
    [
        ({("icse", 0): 99}, 1, "status_in_employment", "code_not_in_spec"),  # ICSE code the spec does not map
        ({("sect", 2): "Z"}, 3, "isic_section", "isin"),  # not an ISIC Rev.4 section
        ({("pens_amt", 3): -6000.0}, 4, "amt_oldage_contrib", "greater_than_or_equal_to(0)"),
        ({("pens_amt", 3): "n/a"}, 4, "amt_oldage_contrib", "type_number"),
        ({("wg3", 0): 7}, 1, "wg_difficulty", "washington_group_level"),  # WG answers are 1-4
        ({("pens_amt", 0): 5000.0}, 1, "amt_oldage_contrib", "amount_without_receipt"),  # amount, but pens = 0
    ],
)
def test_bad_group_values_are_quarantined_with_their_rule(tmp_path, spec_dict, change, row, column, rule):
    frame = _frame(change)
    res = _ingest(tmp_path, _spec(spec_dict), frame)
    assert (row, column, rule) in _rules(res)
    assert res.rows_read == res.rows_kept + res.quarantined_rows == 8 and res.quarantined_rows == 1


def test_icse_copy_outside_the_code_list_is_quarantined(tmp_path, spec_dict):
    spec = _spec(spec_dict)
    spec["variables"]["status_in_employment"] = "icse_text"
    frame = _frame().with_columns(pl.Series("icse_text", ["employee", "self_employed", *["employee"] * 6]))
    res = _ingest(tmp_path, spec, frame)
    assert _rules(res) == {(2, "status_in_employment", "isin")}


def test_receipt_without_amount_is_kept_as_a_recipient(tmp_path, spec_dict):
    # pensioner (pens = 1) with no amount: kept, covered, amount 0 (left out of mean benefits)
    res = _ingest(tmp_path, _spec(spec_dict), _frame())
    p = res.persons.sort("source_row")
    assert p["rec_oldage_contrib"][3] is True and p["amt_oldage_contrib"][3] == 6000.0
    frame = _frame({("pens_amt", 3): None})
    p = _ingest(tmp_path, _spec(spec_dict), frame).persons.sort("source_row")
    assert p.height == 8 and p["rec_oldage_contrib"][3] is True and p["amt_oldage_contrib"][3] is None


@pytest.mark.parametrize(
    "variable, entry",
    [
        ("severe_disability", {"washington_group": ["wg1", "wg2"]}),  # the form maps wg_difficulty only
        ("wg_difficulty", {"washington_group": "wg1"}),  # not a list
        ("wg_difficulty", {"washington_group": ["wg1", "wg1"]}),  # an item twice
        ("wg_difficulty", {"washington_group": ["wg1"], "codes": {1: 1}}),  # nothing but missing: besides the items
    ],
)
def test_washington_group_form_errors(tmp_path, spec_dict, variable, entry):
    spec = _spec(spec_dict)
    spec["variables"][variable] = entry
    with pytest.raises(SpecError) as err:
        load_spec(write_survey(tmp_path, spec, _frame()))
    assert err.value.rule == "mapping_form" and err.value.where == f"variables.{variable}"


# -- estimation ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def persons() -> pl.DataFrame:
    return generate_persons("GHA", 3000, seed=11, survey_id="GHA_LFS_2020")


@pytest.fixture(scope="module")
def groups(persons):
    with duckdb.connect() as con:
        return estimate_groups(con, persons, load_method("groups_at_risk"), load_method("survey_estimation"))


def _scores(df: pl.DataFrame, in_domain: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """(p, z) with z_i = w_i I_i (y_i - p) / sum w I, the linearised score of a domain ratio."""
    w = df["person_weight"].to_numpy()
    p = (w * in_domain * y).sum() / (w * in_domain).sum()
    return p, w * in_domain * (y - p) / (w * in_domain).sum()


def _variance(df: pl.DataFrame, z: np.ndarray) -> float:
    """Stratified with-replacement variance of the PSU totals of z (every stratum has >1 PSU)."""
    totals = df.select("stratum", "psu").with_columns(z=pl.Series(z)).group_by("stratum", "psu").agg(pl.col("z").sum())
    v = 0.0
    for _, g in totals.group_by("stratum"):
        t, n = g["z"].to_numpy(), g.height
        v += n / (n - 1) * ((t - t.mean()) ** 2).sum()
    return v


def test_contributors_by_informality_and_sex_agree_with_an_independent_linearisation(persons, groups):
    emp = (persons["lf_status"] == "employed").fill_null(False).to_numpy() & (persons["age"].to_numpy() >= 15)
    y = persons["contributor"].fill_null(False).cast(pl.Float64).to_numpy()
    informal = persons["informal_employment"].fill_null(False).to_numpy()
    formal = (~persons["informal_employment"].fill_null(True)).to_numpy()
    female = (persons["sex"] == "F").to_numpy()
    est = groups.estimates.filter(pl.col("series") == "SP_CONTRIB_EMP", pl.col("breakdown") == "informality")
    for grp, mask in (("informal", informal), ("formal", formal)):
        for sex, smask in (("T", np.ones_like(female)), ("F", female)):
            p, z = _scores(persons, emp & mask & smask, y)
            row = est.filter(pl.col("group") == grp, pl.col("sex") == sex).row(0, named=True)
            assert row["value"] == pytest.approx(100 * p, rel=1e-12)
            assert row["se"] == pytest.approx(100 * np.sqrt(_variance(persons, z)), rel=1e-9)
    # informal minus formal among women: the SE keeps the covariance of the two domains
    p_i, z_i = _scores(persons, emp & informal & female, y)
    p_f, z_f = _scores(persons, emp & formal & female, y)
    gap = groups.gaps.filter(
        pl.col("series") == "SP_CONTRIB_EMP",
        pl.col("gap_type") == "group",
        pl.col("breakdown") == "informality",
        pl.col("sex") == "F",
    ).row(0, named=True)
    assert (gap["group"], gap["reference_group"]) == ("informal", "formal")
    assert gap["difference_pp"] == pytest.approx(100 * (p_i - p_f), rel=1e-12)
    assert gap["difference_se"] == pytest.approx(100 * np.sqrt(_variance(persons, z_i - z_f)), rel=1e-9)
    # women minus men among informal workers
    male = ~female
    p_m, z_m = _scores(persons, emp & informal & male, y)
    sex_gap = groups.gaps.filter(
        pl.col("series") == "SP_CONTRIB_EMP",
        pl.col("gap_type") == "sex",
        pl.col("breakdown") == "informality",
        pl.col("group") == "informal",
    ).row(0, named=True)
    assert sex_gap["difference_pp"] == pytest.approx(100 * (p_i - p_m), rel=1e-12)
    assert sex_gap["difference_se"] == pytest.approx(100 * np.sqrt(_variance(persons, z_i - z_m)), rel=1e-9)


def test_calibrated_informality_shows_in_the_estimates(persons):
    """The generator's informal shares (GHA: women 92%, men 87%, synthetic/countries.py) are what
    a reader finds among the employed of the sample, within sampling error."""
    emp = persons.filter(pl.col("lf_status") == "employed")
    share = emp.group_by("sex").agg(
        (pl.col("informal_employment").cast(pl.Float64) * pl.col("person_weight")).sum() / pl.col("person_weight").sum()
    )
    got = dict(share.iter_rows())
    assert got["F"] == pytest.approx(0.92, abs=0.03) and got["M"] == pytest.approx(0.87, abs=0.03)


def test_world_bank_series_count_household_members(persons, groups):
    """SI_COV_SOCAST: share of persons in a household where someone receives social assistance,
    child/family or a social pension (edition 2026.1), in total and in the poorest quintile."""
    flags = persons.with_columns(
        x=(pl.col("rec_social_assistance") | pl.col("rec_child_family") | pl.col("rec_oldage_noncontrib")).fill_null(
            False
        )
    ).with_columns(hx=pl.col("x").max().over("hh_id").cast(pl.Float64))
    w = flags["person_weight"]
    expected = (flags["hx"] * w).sum() / w.sum()
    q1 = flags.filter(pl.col("welfare_quintile") == 1)
    expected_q1 = (q1["hx"] * q1["person_weight"]).sum() / q1["person_weight"].sum()
    est = groups.estimates.filter(pl.col("series") == "SI_COV_SOCAST")
    assert set(est["sex"]) == {"T"} and set(est["breakdown"]) == {"all", "quintile"}
    assert est.filter(pl.col("breakdown") == "all")["value"][0] == pytest.approx(100 * expected, rel=1e-12)
    assert est.filter(pl.col("group") == "Q1")["value"][0] == pytest.approx(100 * expected_q1, rel=1e-12)


def test_quintiles_are_ranked_from_welfare_when_the_survey_gives_none(persons, groups):
    without = persons.with_columns(pl.lit(None, dtype=pl.Int64).alias("welfare_quintile"))
    with duckdb.connect() as con:
        res = estimate_groups(con, without, load_method("groups_at_risk"), load_method("survey_estimation"))
    q = res.estimates.filter(
        pl.col("series") == "SP_CONTRIB_LF", pl.col("breakdown") == "quintile", pl.col("sex") == "T"
    )
    assert q["group"].to_list() == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    # the generator's quintiles rank the same welfare: the estimates agree closely
    given = groups.estimates.filter(
        pl.col("series") == "SP_CONTRIB_LF", pl.col("breakdown") == "quintile", pl.col("sex") == "T"
    )
    assert q["value"].to_numpy() == pytest.approx(given["value"].to_numpy(), abs=2.0)
    # person-weighted quintiles hold about a fifth of the population each
    pop = res.estimates.filter(pl.col("series") == "SI_COV_SOCAST", pl.col("breakdown") == "quintile")["denominator"]
    assert (pop / pop.sum()).to_numpy() == pytest.approx([0.2] * 5, abs=0.03)


def test_absent_group_variables_make_breakdowns_not_computable(persons):
    absent = persons.with_columns(
        pl.lit(None, dtype=pl.String).alias("status_in_employment"),
        pl.lit(None, dtype=pl.Boolean).alias("platform_worker"),
        pl.lit(None, dtype=pl.Int64).alias("welfare_quintile"),
        pl.lit(None, dtype=pl.Float64).alias("hh_welfare_pc"),
    )
    with duckdb.connect() as con:
        res = estimate_groups(con, absent, load_method("groups_at_risk"), load_method("survey_estimation"))
    nc = {(r["series"], r["breakdown"]): r["reason"] for r in res.not_computable.iter_rows(named=True)}
    assert nc[("SP_CONTRIB_EMP", "status_in_employment")] == "status_in_employment absent in GHA_LFS_2020"
    assert nc[("SI_COV_SOCAST", "quintile")] == "welfare_quintile, hh_welfare_pc absent in GHA_LFS_2020"
    assert ("SI_COV_SOCAST", "platform_work") not in nc
    assert res.estimates.filter(
        pl.col("breakdown").is_in(["status_in_employment", "platform_work", "quintile"])
    ).is_empty()
    assert not res.estimates.filter(pl.col("breakdown") == "informality").is_empty()


def test_totals_equal_the_sdg_1_3_1_estimates_of_the_same_series(persons, groups):
    """The labour-force contributors and SI_COV_BENFTS over everyone (breakdown 'all') are the
    series sdg_1_3_1 computes in its total domain: the two SQL files agree to the last digit."""
    from engine.survey_estimation import estimate_survey

    pension_age = pl.DataFrame({"sex": ["F", "M"], "age": [60, 60]})
    with duckdb.connect() as con:
        sdg = estimate_survey(
            con, persons, pension_age, load_method("sdg_1_3_1"), load_method("survey_estimation")
        ).estimates
    for series in ("SP_CONTRIB_LF", "SI_COV_BENFTS"):
        for sex in ("T", "F", "M"):
            a = sdg.filter(
                (pl.col("series") == series)
                & (pl.col("sex") == sex)
                & (pl.col("nationality") == "T")
                & (pl.col("age_group") == "T")
                & (pl.col("urban_rural") == "T")
            ).row(0, named=True)
            b = groups.estimates.filter(
                (pl.col("series") == series) & (pl.col("breakdown") == "all") & (pl.col("sex") == sex)
            ).row(0, named=True)
            assert b["value"] == pytest.approx(a["value"], rel=1e-12) and b["se"] == pytest.approx(a["se"], rel=1e-9)
            assert b["n_unweighted"] == a["n_unweighted"]


def test_world_bank_series_need_their_required_functions(persons, groups):
    """SI_COV_SOCAST without rec_social_assistance is not computable (a survey that does not ask
    about social assistance must not publish 0% coverage); without child benefits it is computed
    from the functions the survey has."""
    without = persons.with_columns(
        pl.lit(None, dtype=pl.Boolean).alias("rec_social_assistance"),
        pl.lit(None, dtype=pl.Boolean).alias("rec_unemployment"),
    )
    with duckdb.connect() as con:
        res = estimate_groups(con, without, load_method("groups_at_risk"), load_method("survey_estimation"))
    nc = {(r["series"], r["breakdown"]): r["reason"] for r in res.not_computable.iter_rows(named=True)}
    assert nc[("SI_COV_SOCAST", "all")] == "rec_social_assistance absent in GHA_LFS_2020"
    assert nc[("SI_COV_LMKT", "all")] == "rec_unemployment absent in GHA_LFS_2020"
    assert not {"SI_COV_SOCAST", "SI_COV_LMKT"} & set(res.estimates["series"]) and "SI_COV_SOCINS" in set(
        res.estimates["series"]
    )
    no_child = persons.with_columns(pl.lit(None, dtype=pl.Boolean).alias("rec_child_family"))
    with duckdb.connect() as con:
        partial = estimate_groups(con, no_child, load_method("groups_at_risk"), load_method("survey_estimation"))

    def total(res):
        return res.estimates.filter((pl.col("series") == "SI_COV_SOCAST") & (pl.col("breakdown") == "all"))["value"][0]

    assert total(partial) < total(groups)


def test_age_in_classes_only(persons):
    """A survey giving age in classes only (age_class, input contract 1.5): the labour-market
    populations and the youth breakdown need single years of age and are not computable; the
    series over everyone and the other breakdowns are given."""
    classes = persons.with_columns(
        pl.when(pl.col("age") < 15)
        .then(pl.lit("0_14"))
        .when(pl.col("age") < 25)
        .then(pl.lit("15_24"))
        .otherwise(pl.lit("25_120"))
        .alias("age_class"),
        pl.lit(None, dtype=pl.Int64).alias("age"),
    )
    with duckdb.connect() as con:
        res = estimate_groups(con, classes, load_method("groups_at_risk"), load_method("survey_estimation"))
    nc = {(r["series"], r["breakdown"]): r["reason"] for r in res.not_computable.iter_rows(named=True)}
    assert (
        nc[("SP_CONTRIB_EMP", "all")]
        == "age given in classes only in GHA_LFS_2020 (the series needs single years of age)"
    )
    assert (
        nc[("SI_COV_BENFTS", "youth")]
        == "age given in classes only in GHA_LFS_2020 (the breakdown needs single years of age)"
    )
    assert not {"SP_CONTRIB_EMP", "SP_CONTRIB_LF"} & set(res.estimates["series"])
    assert set(res.estimates.filter(pl.col("series") == "SI_COV_BENFTS")["breakdown"]) >= {
        "all",
        "quintile",
        "disability",
        "informality",
    }
    assert "youth" not in set(res.estimates["breakdown"])
