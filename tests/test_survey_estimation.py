"""Design-based estimation of SDG 1.3.1 (engine/survey_estimation.py, sql/sdg_1_3_1_survey.sql,
sql/survey_variance.sql): published YRBS values, agreement with svy on generated stratified
cluster samples, a hand-computed case, lonely-PSU policies, the missing-outcome convention,
reliability flags and the not-computable path. Every estimate goes through ``estimate_survey``,
i.e. the production SQL from the person table to the standard error."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
import svy
from scipy import stats

from engine.method_config import MethodConfigError, MethodEdition, load_method
from engine.survey_estimation import LonelyPsuError, estimate_survey
from schemas.resources import survey as sv
from schemas.tables import polars_dtype

YRBS = Path(__file__).parent / "data" / "survey_yrbs.csv"
PENSION_AGE = pl.DataFrame({"sex": ["F", "M"], "age": [60, 65]})
SURVEY_ID = "TST_LFS_2022"
DOMAIN_TOTAL = (pl.col("age_group") == "T") & (pl.col("urban_rural") == "T")
FLAG_BASES = {  # logit intercepts of the generated flags
    "contributor": 0.2,
    "rec_child_family": -0.5,
    "rec_maternity": 0.0,
    "rec_sickness": -2.5,
    "rec_disability": -0.3,
    "rec_unemployment": -1.0,
    "rec_oldage_contrib": 0.3,
    "rec_oldage_noncontrib": -1.2,
    "rec_survivors": -3.0,
    "rec_employment_injury": -3.0,
    "rec_social_assistance": -1.0,
    "injury_insured": 0.1,
    "health_protected": 0.4,
}


def canonical(columns: dict, survey_id: str = SURVEY_ID) -> pl.DataFrame:
    """A canonical person table holding ``columns``; every other canonical variable missing."""
    n = len(next(iter(columns.values())))
    frame = {v.name: pl.Series(v.name, [None] * n, dtype=polars_dtype(v)) for v in sv.ALL}
    frame.update(
        survey_id=pl.Series([survey_id] * n),
        country=pl.Series(["GHA"] * n),
        year=pl.Series([2022] * n, dtype=pl.Int64),
        survey_kind=pl.Series(["LFS"] * n),
        hh_id=pl.Series([str(i) for i in range(n)]),
        person_id=pl.Series(["1"] * n),
        source_row=pl.Series(range(1, n + 1), dtype=pl.Int64),
    )
    frame.update({k: pl.Series(k, list(v), dtype=polars_dtype(sv.BY_NAME[k])) for k, v in columns.items()})
    return pl.DataFrame(frame).select(sv.COLUMN_ORDER)


def make_survey(
    seed: int = 11, n_strata: int = 6, psus_per_stratum: int = 5, persons_per_psu: int = 40, nested: bool = True
) -> pl.DataFrame:
    """A generated stratified cluster sample with every canonical variable of 1.3.1. PSU codes
    restart in every stratum when ``nested`` (the SQL must identify a PSU by (stratum, psu)).
    Coverage depends on a PSU effect (real design effects), on sex and on nationality; about 3%
    of each flag, of nationality and of area are missing; contributions are asked of employed
    persons only."""
    rng = np.random.default_rng(seed)
    rows = n_strata * psus_per_stratum * persons_per_psu
    stratum = np.repeat(np.arange(n_strata), psus_per_stratum * persons_per_psu)
    psu = np.tile(np.repeat(np.arange(psus_per_stratum), persons_per_psu), n_strata)
    effect = rng.normal(0, 0.8, n_strata * psus_per_stratum)[stratum * psus_per_stratum + psu]
    sex = rng.choice(["F", "M"], rows)
    nationality = rng.choice(np.array(["national", "non_national", None], dtype=object), rows, p=[0.75, 0.22, 0.03])
    age = rng.integers(0, 96, rows)
    lf = np.where(
        age < 15,
        "outside_labour_force",
        rng.choice(["employed", "unemployed", "outside_labour_force"], rows, p=[0.55, 0.12, 0.33]),
    )
    shift = effect + 0.4 * (sex == "M") - 0.7 * (nationality == "non_national")

    def flag(base: float) -> list:
        values = rng.random(rows) < 1 / (1 + np.exp(-(base + shift)))
        return [None if m else bool(v) for v, m in zip(values, rng.random(rows) < 0.03, strict=True)]

    flags = {name: flag(base) for name, base in FLAG_BASES.items()}
    flags["contributor"] = [
        c if status == "employed" else None for c, status in zip(flags["contributor"], lf, strict=True)
    ]
    return canonical(
        {
            "person_weight": rng.uniform(50, 400, rows) * (1 + stratum),
            "stratum": [f"s{h}" for h in stratum],
            "psu": [str(j + 1) if nested else f"s{h}-{j + 1}" for h, j in zip(stratum, psu, strict=True)],
            "sex": sex,
            "age": age,
            "lf_status": lf,
            "nationality": nationality,
            "urban_rural": rng.choice(np.array(["urban", "rural", None], dtype=object), rows, p=[0.5, 0.47, 0.03]),
            "gave_birth": (sex == "F") & (age >= 15) & (age <= 49) & (rng.random(rows) < 0.2),
            "severe_disability": rng.random(rows) < 0.08,
            "poor": rng.random(rows) < 0.3,
            **flags,
        }
    )


def edition(base: MethodEdition, name: str, **changes) -> MethodEdition:
    """``base`` with some parameters replaced (``survey`` entries merged)."""
    params = {**base.params, **{k: v for k, v in changes.items() if k != "survey"}}
    if "survey" in changes:
        params["survey"] = {**base.params["survey"], **changes["survey"]}
    return MethodEdition(base.family, name, params, base.source, base.sha256)


def reference_series(method: MethodEdition) -> dict[str, tuple[pl.Expr, pl.Expr]]:
    """An independent Polars statement of each series: (population, covered)."""
    child, wam = int(method["child_max_age"]), int(method["working_age_min"])
    above = pl.col("age") >= pl.when(pl.col("sex") == "F").then(60).otherwise(65)
    unasked = (
        pl.col("contributor").is_null()
        & (pl.col("lf_status").fill_null("") != "employed")
        & pl.lit(bool(method["survey"]["contributor_unasked_as_no"]))
    )
    contributes = pl.when(unasked).then(False).otherwise(pl.col("contributor"))
    benefits = [c for c in sv.BY_NAME if c.startswith("rec_")]
    # contributory benefits: the contributory old-age pension and the edition's working-age list
    contributory = pl.any_horizontal(
        "rec_oldage_contrib", *[f"rec_{t}" for t in method["contributory_benefits_working_age"]]
    )
    labour_force = pl.col("lf_status").is_in(["employed", "unemployed"])
    # vulnerable persons covered: the edition's non-contributory benefit types (old_age: social pension)
    assisted = pl.any_horizontal(
        *["rec_oldage_noncontrib" if t == "old_age" else f"rec_{t}" for t in method["vulnerable_numerator_benefits"]]
    )
    return {
        "SI_COV_BENFTS": (pl.lit(True), pl.any_horizontal(contributes, *benefits)),
        "SI_COV_CHLD": (pl.col("age") <= child, pl.col("rec_child_family")),
        "SI_COV_MATNL": ((pl.col("sex") == "F") & pl.col("gave_birth"), pl.col("rec_maternity")),
        "SI_COV_DISAB": (pl.col("severe_disability"), pl.col("rec_disability")),
        "SI_COV_UEMP": ((pl.col("age") >= wam) & (pl.col("lf_status") == "unemployed"), pl.col("rec_unemployment")),
        "SI_COV_PENSN": (above, pl.col("rec_oldage_contrib") | pl.col("rec_oldage_noncontrib")),
        "SI_COV_VULN": (
            (pl.col("age") <= child)
            | (~above & ~(contributes | contributory))
            | (above & ~pl.col("rec_oldage_contrib")),
            assisted,
        ),
        "SI_COV_POOR": (pl.col("poor"), pl.col("rec_social_assistance")),
        "SI_COV_WKINJRY": (
            (pl.col("age") >= wam)
            & (labour_force if method["wkinjry_denominator"] == "labour_force" else pl.col("lf_status") == "employed"),
            pl.col("injury_insured"),
        ),
        "SP_CONTRIB_LF": ((pl.col("age") >= wam) & labour_force, contributes),
        "SP_CONTRIB_WAP": (pl.col("age") >= wam, contributes),
        "SP_HEALTH_PROT": (pl.lit(True), pl.col("health_protected")),
    }


def svy_sample(persons: pl.DataFrame, method: MethodEdition, singleton: str = "center") -> svy.Sample:
    """The svy sample of ``persons`` with y_<series> and pop_<series> columns; svy's PSU id is
    made unique across strata (svy does not nest PSUs in strata by itself)."""
    definitions = reference_series(method)
    data = persons.with_columns(
        (pl.col("stratum") + "/" + pl.col("psu")).alias("psu_id"),
        *[pop.fill_null(False).alias(f"pop_{s}") for s, (pop, _) in definitions.items()],
        *[y.cast(pl.Float64).alias(f"y_{s}") for s, (_, y) in definitions.items()],
    )
    return svy.Sample(
        data, svy.Design(stratum="stratum", psu="psu_id", wgt="person_weight", singleton=svy.Singleton(singleton))
    )


def run(persons, method=None, estimation=None, pension_age=PENSION_AGE):
    """estimate_survey on a one-thread connection, as the pipeline runs it (pipelines/settings.py:
    estimation_threads): floating-point sums in a fixed order, so re-runs are bit-identical."""
    return estimate_survey(
        duckdb.connect(config={"threads": "1"}),
        persons,
        pension_age,
        method or load_method("sdg_1_3_1"),
        estimation or load_method("survey_estimation"),
    )


def one(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()])
    assert rows.height == 1, (where, rows)
    return rows.row(0, named=True)


# --- (a) YRBS: R survey data, values published in the samplics tests -------------------------


@pytest.fixture(scope="module")
def yrbs() -> pl.DataFrame:
    """YRBS as a canonical person table: y = 1 if qn8 == 1, 0 if qn8 == 2, missing otherwise,
    carried as health_protected so that SP_HEALTH_PROT (population: everyone) is the proportion
    of y. Sex alternates by row (a required variable; only the total is checked)."""
    d = pl.read_csv(YRBS)
    return canonical(
        {
            "person_weight": d["weight"],
            "stratum": d["stratum"].cast(pl.Int64).cast(pl.String),
            "psu": d["psu"].cast(pl.Int64).cast(pl.String),
            "sex": ["F", "M"] * (d.height // 2) + ["F"] * (d.height % 2),
            "age": [16] * d.height,
            "health_protected": d["qn8"].replace_strict({1.0: True, 2.0: False}, default=None, return_dtype=pl.Boolean),
        }
    )


def yrbs_total(persons: pl.DataFrame, estimation: str) -> dict:
    method = edition(load_method("sdg_1_3_1"), "totals", survey={"breakdowns": []})
    res = run(persons, method, load_method("survey_estimation", estimation))
    return one(res.estimates, series="SP_HEALTH_PROT", sex="T", nationality="T")


def test_yrbs_stratified_cluster_design_t_interval(yrbs):
    r = yrbs_total(yrbs.filter(pl.col("health_protected").is_not_null()), "2026.1-t")
    assert r["value"] / 100 == pytest.approx(0.8136225, abs=5e-8)
    assert r["se"] / 100 == pytest.approx(0.0198621, abs=5e-8)
    assert r["df"] == 39 and r["n_unweighted"] == 8757
    assert r["ci_lower"] / 100 == pytest.approx(0.7734476, abs=5e-8)
    assert r["ci_upper"] / 100 == pytest.approx(0.8537974, abs=5e-8)


def test_yrbs_logit_interval(yrbs):
    r = yrbs_total(yrbs.filter(pl.col("health_protected").is_not_null()), "2026.1")
    assert (r["ci_lower"] / 100, r["ci_upper"] / 100) == pytest.approx((0.770084, 0.850516), abs=5e-7)


def test_yrbs_psu_only_and_weights_only(yrbs):
    complete = yrbs.filter(pl.col("health_protected").is_not_null())
    psu_only = yrbs_total(complete.with_columns(stratum=pl.lit("all")), "2026.1-t")
    assert psu_only["se"] / 100 == pytest.approx(0.0202856, abs=5e-8) and psu_only["df"] == 51
    weights_only = yrbs_total(
        complete.with_columns(stratum=pl.lit("all"), psu=pl.col("source_row").cast(pl.String)), "2026.1-t"
    )
    assert weights_only["se"] / 100 == pytest.approx(0.0066567, abs=5e-8) and weights_only["df"] == 8756


def test_missing_outcome_stays_in_the_design(yrbs):
    """Rows with qn8 missing kept: out of the domain, in the design (PSU counts unchanged). That
    is svy's drop_nulls=True (0.020089, methodology notes 6.4), not the complete-case 0.0198621."""
    r = yrbs_total(yrbs, "2026.1-t")
    assert r["value"] / 100 == pytest.approx(0.8136225, abs=5e-8) and r["n_unweighted"] == 8757
    assert r["se"] / 100 == pytest.approx(0.020089, abs=5e-7)
    peer = (
        svy.Sample(
            yrbs.with_columns(
                y=pl.col("health_protected").cast(pl.Float64), psu_id=pl.col("stratum") + "/" + pl.col("psu")
            ),
            svy.Design(stratum="stratum", psu="psu_id", wgt="person_weight"),
        )
        .estimation.mean("y", drop_nulls=True)
        .to_polars()
        .row(0, named=True)
    )
    assert r["se"] / 100 == pytest.approx(peer["se"], rel=1e-9)
    # df: ours is the design's (54 PSUs - 13 strata); svy, like R's degf() of a subset, counts
    # only the PSUs and strata left with a non-missing outcome (two PSUs hold none).
    assert (r["df"], peer["df"]) == (41, 39)


# --- (b) svy on generated stratified cluster samples --------------------------------------------


@pytest.fixture(scope="module")
def persons() -> pl.DataFrame:
    return make_survey()


@pytest.fixture(scope="module")
def result(persons):
    return run(persons)


def test_every_series_and_sex_nationality_domain_agrees_with_svy(persons, result):
    """All 12 series x {total, sex, nationality, sex x nationality} on a nested-PSU design."""
    method = load_method("sdg_1_3_1")
    sample = svy_sample(persons, method)
    ours = result.estimates.filter(DOMAIN_TOTAL)
    checked = 0
    for series in reference_series(method):
        for by in (None, ["sex"], ["nationality"], ["sex", "nationality"]):
            if series == "SI_COV_MATNL" and (by is None or by == ["nationality"]):
                continue  # published for women only: the engine gives the female domains only
            peer = sample.estimation.mean(
                f"y_{series}", by=by, where=pl.col(f"pop_{series}"), drop_nulls=True
            ).to_polars()
            for row in peer.iter_rows(named=True):
                if by and any(row[b] is None for b in by):
                    continue  # nationality missing: in the nationality 'T' domains only
                mine = one(ours, series=series, sex=row.get("sex", "T"), nationality=row.get("nationality", "T"))
                assert mine["value"] / 100 == pytest.approx(row["est"], rel=1e-9)
                assert mine["se"] / 100 == pytest.approx(row["se"], rel=1e-9)
                assert mine["n_unweighted"] == row["n"]
                checked += 1
    assert checked == 11 * 9 + 3
    assert ours.height == checked


@pytest.mark.parametrize(
    ("series", "by"),
    [
        ("SP_HEALTH_PROT", ["age_group", "sex"]),
        ("SI_COV_BENFTS", ["urban_rural", "nationality"]),
        ("SI_COV_VULN", ["age_group"]),
    ],
)
def test_breakdown_domains_agree_with_svy(persons, result, series, by):
    method = load_method("sdg_1_3_1")
    bands = (
        pl.col("age").cut([14, 24, 64], labels=["0_14", "15_24", "25_64", "65_120"], left_closed=False).cast(pl.String)
    )
    sample = svy_sample(persons.with_columns(age_group=bands), method)
    peer = sample.estimation.mean(f"y_{series}", by=by, where=pl.col(f"pop_{series}"), drop_nulls=True).to_polars()
    assert peer.height >= 4
    for row in peer.iter_rows(named=True):
        if any(row[b] is None for b in by):
            continue
        key = {"sex": "T", "nationality": "T", "age_group": "T", "urban_rural": "T", **{b: row[b] for b in by}}
        mine = one(result.estimates, series=series, **key)
        assert (mine["value"] / 100, mine["se"] / 100) == pytest.approx((row["est"], row["se"]), rel=1e-9)


def test_psus_are_identified_by_stratum_and_psu(persons, result):
    """The same sample with PSU codes unique across strata gives the same estimates (with PSUs
    keyed by their code alone, the nested codes 1..5 would merge six PSUs each)."""
    unique = run(persons.with_columns(psu=pl.col("stratum") + "-" + pl.col("psu")))
    joined = result.estimates.join(unique.estimates, on=["series", "sex", "nationality", "age_group", "urban_rural"])
    assert joined.height == result.estimates.height
    assert (joined["se"] - joined["se_right"]).abs().max() < 1e-12
    assert (joined["df"] == 30 - 6).all() and (joined["df_right"] == 30 - 6).all()


def test_parquet_path_gives_the_same_estimates(persons, result, tmp_path):
    path = tmp_path / "persons.parquet"
    persons.write_parquet(path)
    from_file = run(str(path)).estimates
    keys = ["series", "sex", "nationality", "age_group", "urban_rural"]
    assert from_file.select(keys).equals(result.estimates.select(keys))
    assert from_file.equals(result.estimates)  # bit-identical: same rows, same summation order


def test_every_series_and_domain_in_one_run(result):
    e = result.estimates
    assert set(e["series"]) == set(reference_series(load_method("sdg_1_3_1")))
    assert set(e["sex"]) == {"T", "F", "M"} and set(e["nationality"]) == {"T", "national", "non_national"}
    assert set(e["age_group"]) == {"T", "0_14", "15_24", "25_64", "65_120"} and set(e["urban_rural"]) == {
        "T",
        "urban",
        "rural",
    }
    assert set(e.filter(pl.col("series") == "SI_COV_MATNL")["sex"]) == {"F"}
    assert (e["numerator"] / e["denominator"] * 100 - e["value"]).abs().max() < 1e-9
    assert ((e["ci_lower"] <= e["value"]) & (e["value"] <= e["ci_upper"])).all()
    assert (e["cv"] - e["se"] / e["value"]).abs().max() < 1e-12
    assert set(e["method_edition"]) == {"sdg_1_3_1:ILO-2024+survey_estimation:2026.1"}
    assert result.not_computable.is_empty()


# --- (c) a case computed by hand -------------------------------------------------------------


def test_hand_computed_domain_estimate():
    """SI_COV_UEMP for women. 2 strata; PSU B2 holds no woman, one woman's outcome is missing.
    Women unemployed with a known outcome (w, y): A1 (2, 1), (1, 0); A2 (1, 1); B1 (2, 0); B3 (3, 1).
    W = 9, p = 6/9 = 2/3. PSU scores z = sum w (y - p) / W:
      A1 = (2/3 - 2/3)/9 = 0, A2 = (1/3)/9 = 1/27; B1 = -4/27, B2 = 0, B3 = 3/27.
    Stratum A (n_h = 2): mean 1/54, 2 * 2 (1/54)^2 = 1/729.
    Stratum B (n_h = 3, B2 included): mean -1/81, deviations -11/81, 1/81, 10/81,
      3/2 * 222/6561 = 37/729.
    V = 38/729, SE = sqrt(38)/27, df = 5 PSUs - 2 strata = 3. (Leaving B2 out of n_h would give
    V = 50/729.) deff = V / (p (1 - p) / 5) = 95/81."""
    rows = [  # stratum, psu, sex, lf_status, weight, rec_unemployment
        ("A", "1", "F", "unemployed", 2.0, True),
        ("A", "1", "F", "unemployed", 1.0, False),
        ("A", "1", "M", "unemployed", 3.0, True),
        ("A", "2", "F", "unemployed", 1.0, True),
        ("A", "2", "F", "employed", 5.0, True),
        ("B", "1", "F", "unemployed", 2.0, False),
        ("B", "1", "F", "unemployed", 4.0, None),
        ("B", "2", "M", "unemployed", 2.0, False),
        ("B", "3", "F", "unemployed", 3.0, True),
    ]
    stratum, psu, sex, lf, w, y = (list(c) for c in zip(*rows, strict=True))
    persons = canonical(
        {
            "stratum": stratum,
            "psu": psu,
            "sex": sex,
            "lf_status": lf,
            "person_weight": w,
            "rec_unemployment": y,
            "age": [30] * len(rows),
            "nationality": ["national"] * len(rows),
        }
    )
    estimation = load_method("survey_estimation", "2026.1-t")
    res = run(persons, edition(load_method("sdg_1_3_1"), "totals", survey={"breakdowns": []}), estimation)
    assert res.not_computable.filter(pl.col("breakdown") == "all")["series"].to_list() == [
        s for s in reference_series(load_method("sdg_1_3_1")) if s != "SI_COV_UEMP"
    ]
    r = one(res.estimates, series="SI_COV_UEMP", sex="F", nationality="T")
    se = 38**0.5 / 27
    t3 = stats.t.ppf(0.975, 3)
    assert r["value"] == pytest.approx(200 / 3, rel=1e-12) and r["se"] == pytest.approx(100 * se, rel=1e-12)
    assert (r["numerator"], r["denominator"], r["n_unweighted"], r["n_numerator_unweighted"], r["df"]) == (
        6.0,
        9.0,
        5,
        3,
        3,
    )
    assert (r["ci_lower"], r["ci_upper"]) == pytest.approx(
        (100 * max(0.0, 2 / 3 - t3 * se), 100 * min(1.0, 2 / 3 + t3 * se)), rel=1e-12
    )
    assert r["deff"] == pytest.approx(95 / 81, rel=1e-12)
    assert r["reliability"] == "suppress"
    males = one(res.estimates, series="SI_COV_UEMP", sex="M", nationality="T")
    assert males["value"] == pytest.approx(60.0, rel=1e-12)


def test_design_effect_of_a_simple_random_sample():
    """Equal weights, every person a PSU, one stratum: V = p (1 - p) / (n - 1), so
    deff = n / (n - 1) exactly (V_srs = p (1 - p) / n)."""
    n = 40
    y = [i % 4 == 0 for i in range(n)]
    persons = canonical(
        {
            "stratum": ["s"] * n,
            "psu": [str(i) for i in range(n)],
            "sex": ["F"] * n,
            "age": [30] * n,
            "person_weight": [7.0] * n,
            "health_protected": y,
        }
    )
    r = one(run(persons).estimates.filter(DOMAIN_TOTAL), series="SP_HEALTH_PROT", sex="T", nationality="T")
    assert r["deff"] == pytest.approx(n / (n - 1), rel=1e-12)
    assert r["se"] / 100 == pytest.approx((0.25 * 0.75 / (n - 1)) ** 0.5, rel=1e-12)


# --- (d) strata with a single PSU ----------------------------------------------------------


@pytest.fixture(scope="module")
def lonely() -> pl.DataFrame:
    """The generated sample with stratum s5 reduced to its first PSU."""
    return make_survey(seed=5).filter((pl.col("stratum") != "s5") | (pl.col("psu") == "1"))


@pytest.mark.parametrize(("policy", "singleton"), [("certainty", "skip"), ("adjust", "center"), ("average", "scale")])
def test_lonely_psu_policies_agree_with_svy(lonely, policy, singleton):
    estimation = load_method("survey_estimation")
    estimation = MethodEdition(
        estimation.family, policy, {**estimation.params, "lonely_psu": policy}, estimation.source, estimation.sha256
    )
    ours = run(lonely, estimation=estimation).estimates.filter(DOMAIN_TOTAL & (pl.col("series") == "SI_COV_BENFTS"))
    sample = svy_sample(lonely, load_method("sdg_1_3_1"), singleton)
    peer = sample.estimation.mean("y_SI_COV_BENFTS", by=["sex", "nationality"], drop_nulls=True).to_polars()
    for row in peer.iter_rows(named=True):
        mine = one(ours, sex=row["sex"], nationality=row["nationality"])
        assert mine["se"] / 100 == pytest.approx(row["se"], rel=1e-9)
        assert mine["df"] == 5 * 5 + 1 - 6


def test_lonely_psu_policies_relate_as_documented(lonely):
    """adjust = certainty + z_lonely^2 (the grand mean of linearised scores is 0);
    average = certainty x #strata / #strata with several PSUs."""

    def total(policy):
        e = load_method("survey_estimation")
        e = MethodEdition(e.family, policy, {**e.params, "lonely_psu": policy}, e.source, e.sha256)
        return one(
            run(lonely, estimation=e).estimates.filter(DOMAIN_TOTAL), series="SP_HEALTH_PROT", sex="T", nationality="T"
        )

    certainty, adjust, average = total("certainty"), total("adjust"), total("average")
    known = lonely.filter(pl.col("health_protected").is_not_null())
    p = certainty["value"] / 100
    w_total = known["person_weight"].sum()
    lone = known.filter(pl.col("stratum") == "s5")
    z = ((lone["person_weight"] * (lone["health_protected"].cast(pl.Float64) - p)).sum()) / w_total
    assert (adjust["se"] / 100) ** 2 == pytest.approx((certainty["se"] / 100) ** 2 + z * z, rel=1e-10)
    assert average["se"] ** 2 == pytest.approx(certainty["se"] ** 2 * 6 / 5, rel=1e-10)


def test_lonely_psu_fail_policy_names_the_strata(lonely):
    e = load_method("survey_estimation")
    failing = MethodEdition(e.family, "fail", {**e.params, "lonely_psu": "fail"}, e.source, e.sha256)
    with pytest.raises(LonelyPsuError, match=r"\['s5'\]"):
        run(lonely, estimation=failing)


# --- (e) series a survey cannot give ---------------------------------------------------------


def test_absent_variable_makes_the_series_not_computable(persons):
    res = run(persons.with_columns(gave_birth=pl.lit(None, dtype=pl.Boolean)))
    assert res.not_computable.select("survey_id", "series", "breakdown", "reason").rows() == [
        (SURVEY_ID, "SI_COV_MATNL", "all", f"gave_birth absent in {SURVEY_ID}")
    ]
    assert "SI_COV_MATNL" not in res.estimates["series"].to_list()
    assert res.estimates["series"].n_unique() == 11


def test_missing_pensionable_age_is_not_computable(persons):
    res = run(persons, pension_age=PENSION_AGE.clear())
    reasons = dict(zip(res.not_computable["series"], res.not_computable["reason"], strict=True))
    assert reasons == {
        "SI_COV_PENSN": "no statutory pensionable age for GHA in 2022",
        "SI_COV_VULN": "no statutory pensionable age for GHA in 2022",
    }
    only_women = run(persons, pension_age=PENSION_AGE.filter(pl.col("sex") == "F"))
    assert set(only_women.not_computable["reason"]) == {"no statutory pensionable age for sex M in GHA in 2022"}
    assert not {"SI_COV_PENSN", "SI_COV_VULN"} & set(only_women.estimates["series"])
    with pytest.raises(ValueError, match="one row per sex"):  # would count persons twice
        run(persons, pension_age=pl.concat([PENSION_AGE, PENSION_AGE]))


def test_absent_area_drops_the_area_breakdown_only(persons):
    res = run(persons.with_columns(urban_rural=pl.lit(None, dtype=pl.String)))
    nc = res.not_computable
    assert set(nc["breakdown"]) == {"urban_rural"} and nc.height == 12
    assert set(nc["reason"]) == {f"urban_rural absent in {SURVEY_ID}"}
    assert set(res.estimates["urban_rural"]) == {"T"} and res.estimates["series"].n_unique() == 12


def test_a_series_whose_population_is_empty_is_listed_as_not_computable(persons):
    # nobody unemployed, no mother of a newborn: SI_COV_UEMP and SI_COV_MATNL had no estimate and
    # no reason (they silently disappeared and the series_complete ERROR check fired)
    res = run(
        persons.with_columns(
            lf_status=pl.when(pl.col("lf_status") == "unemployed")
            .then(pl.lit("outside_labour_force"))
            .otherwise(pl.col("lf_status")),
            gave_birth=pl.lit(False),
        )
    )
    reasons = {r["series"]: (r["breakdown"], r["reason"]) for r in res.not_computable.iter_rows(named=True)}
    assert reasons == {
        s: ("all", f"empty population: no sample person of {SURVEY_ID} in the population of {s} (with a known outcome)")
        for s in ("SI_COV_MATNL", "SI_COV_UEMP")
    }
    assert res.estimates["series"].n_unique() == 10 and not {"SI_COV_MATNL", "SI_COV_UEMP"} & set(
        res.estimates["series"]
    )


def test_nothing_computable_gives_empty_frames():
    persons = canonical(
        {"stratum": ["a", "a"], "psu": ["1", "2"], "sex": ["F", "M"], "age": [3, 40], "person_weight": [1.0, 1.0]}
    )
    res = run(persons)
    assert (
        res.estimates.is_empty()
        and res.gaps.is_empty()
        and res.not_computable.filter(pl.col("breakdown") == "all").height == 12
    )


# --- (g) reliability flags ------------------------------------------------------------------


def test_reliability_flags_follow_the_thresholds(result):
    e = result.estimates
    expected = (
        pl.when(pl.col("n_unweighted") < 50)
        .then(pl.lit("suppress"))
        .when((pl.col("n_unweighted") < 100) | (pl.col("cv") > 0.30))
        .then(pl.lit("caution"))
        .otherwise(pl.lit("reliable"))
    )
    assert e.select((pl.col("reliability") == expected).all()).item()
    assert set(e["reliability"]) == {"suppress", "caution", "reliable"}
    assert e.filter((pl.col("n_unweighted") >= 100) & (pl.col("cv") > 0.30)).height > 0  # the CV rule is exercised


def test_reliability_thresholds_come_from_the_edition(persons):
    base = load_method("survey_estimation")
    strict = MethodEdition(
        base.family,
        "strict",
        {**base.params, "reliability": {"suppress_below_n": 1000, "caution_below_n": 1000, "caution_cv_above": 0.30}},
        base.source,
        base.sha256,
    )
    e = run(persons, estimation=strict).estimates
    assert (e.filter(pl.col("n_unweighted") < 1000)["reliability"] == "suppress").all()
    assert set(e.filter(pl.col("n_unweighted") >= 1000)["reliability"]) == {"reliable"}


# --- series definitions ---------------------------------------------------------------------


def test_pension_series_uses_sex_specific_ages(persons, result):
    pensn = result.estimates.filter(
        DOMAIN_TOTAL & (pl.col("series") == "SI_COV_PENSN") & (pl.col("nationality") == "T")
    )
    for sex, age in (("F", 60), ("M", 65)):
        pop = persons.filter((pl.col("sex") == sex) & (pl.col("age") >= age))
        known = pop.filter((pl.col("rec_oldage_contrib") | pl.col("rec_oldage_noncontrib")).is_not_null())
        covered = known.filter(pl.col("rec_oldage_contrib") | pl.col("rec_oldage_noncontrib"))
        assert one(pensn, sex=sex)["n_unweighted"] == known.height
        assert one(pensn, sex=sex)["value"] / 100 == pytest.approx(
            covered["person_weight"].sum() / known["person_weight"].sum(), rel=1e-12
        )


def test_editions_change_child_band_and_injury_denominator(persons, result):
    old = run(persons, load_method("sdg_1_3_1", "ILO-2020")).estimates.filter(
        DOMAIN_TOTAL & (pl.col("sex") == "T") & (pl.col("nationality") == "T")
    )
    new = result.estimates.filter(DOMAIN_TOTAL & (pl.col("sex") == "T") & (pl.col("nationality") == "T"))
    known_child = persons.filter(pl.col("rec_child_family").is_not_null())
    assert one(old, series="SI_COV_CHLD")["n_unweighted"] == known_child.filter(pl.col("age") <= 14).height
    assert one(new, series="SI_COV_CHLD")["n_unweighted"] == known_child.filter(pl.col("age") <= 15).height
    known_inj = persons.filter(pl.col("injury_insured").is_not_null())
    assert (
        one(old, series="SI_COV_WKINJRY")["n_unweighted"] == known_inj.filter(pl.col("lf_status") == "employed").height
    )
    assert (
        one(new, series="SI_COV_WKINJRY")["n_unweighted"]
        == known_inj.filter(pl.col("lf_status").is_in(["employed", "unemployed"])).height
    )
    assert set(old.join(new, on="series")["method_edition"]) == {"sdg_1_3_1:ILO-2020+survey_estimation:2026.1"}


def test_vulnerable_population_follows_the_configured_contributory_benefits(persons, result):
    """The vulnerable population (metadata 1.3 h): children; persons below pensionable age who
    neither contribute nor receive a benefit of the edition's contributory_benefits_working_age
    (or a contributory old-age pension); persons at or above it without a contributory pension.
    The default list (disability, unemployment, employment injury) is the administrative one; a
    changed list changes the population."""

    def vulnerable(res):
        return one(res.estimates.filter(DOMAIN_TOTAL), series="SI_COV_VULN", sex="T", nationality="T")

    def expected(types):
        contributes = (
            pl.when(pl.col("contributor").is_null() & (pl.col("lf_status") != "employed"))
            .then(False)
            .otherwise(pl.col("contributor"))
        )
        above = pl.col("age") >= pl.when(pl.col("sex") == "F").then(60).otherwise(65)
        contributory = pl.any_horizontal(contributes, "rec_oldage_contrib", *[f"rec_{t}" for t in types])
        pop = (pl.col("age") <= 15) | (~above & ~contributory) | (above & ~pl.col("rec_oldage_contrib"))
        return persons.filter(pop.fill_null(False) & pl.col("rec_social_assistance").is_not_null()).height

    default = load_method("sdg_1_3_1")
    assert default["contributory_benefits_working_age"] == ["disability", "unemployment", "employment_injury"]
    assert "contributory_benefits_working_age" not in default["admin"]  # one list, read by both sources
    assert vulnerable(result)["n_unweighted"] == expected(["disability", "unemployment", "employment_injury"])
    wider = edition(
        default,
        "wider",
        contributory_benefits_working_age=["sickness", "maternity", "survivors", "unemployment", "employment_injury"],
    )
    changed = vulnerable(run(persons, wider))
    assert changed["n_unweighted"] == expected(
        ["sickness", "maternity", "survivors", "unemployment", "employment_injury"]
    )
    assert changed["n_unweighted"] != vulnerable(result)["n_unweighted"]
    assert changed["value"] != pytest.approx(vulnerable(result)["value"], rel=1e-6)


def test_only_the_listed_contributory_flags_are_required(persons):
    """A survey without a sickness-benefit question gives SI_COV_VULN when sickness is not in the
    edition's list, and lists it as not computable when it is."""
    no_sickness = persons.with_columns(rec_sickness=pl.lit(None, dtype=pl.Boolean))
    assert "SI_COV_VULN" in run(no_sickness).estimates["series"].to_list()
    listed = edition(load_method("sdg_1_3_1"), "sickness", contributory_benefits_working_age=["sickness", "disability"])
    nc = run(no_sickness, listed).not_computable.filter(pl.col("series") == "SI_COV_VULN")
    assert nc["reason"].to_list() == [f"rec_sickness absent in {SURVEY_ID}"]


@pytest.mark.parametrize("types", [["old_age"], ["social_assistance"], ["child_family"], ["pension"]])
def test_contributory_list_rejects_types_counted_elsewhere(persons, types):
    bad = edition(load_method("sdg_1_3_1"), "bad", contributory_benefits_working_age=types)
    with pytest.raises(MethodConfigError, match="contributory_benefits_working_age"):
        run(persons.head(10), bad)


def test_vulnerable_numerator_benefits_are_configuration(persons, result):
    """SI_COV_VULN counts social-assistance recipients (the metadata numerator, default); an
    edition may count other non-contributory benefits too (an open ILO interpretation question),
    e.g. social pensions: covered = rec_social_assistance or rec_oldage_noncontrib."""

    def vulnerable(res):
        return one(res.estimates.filter(DOMAIN_TOTAL), series="SI_COV_VULN", sex="T", nationality="T")

    default = load_method("sdg_1_3_1")
    assert default["vulnerable_numerator_benefits"] == ["social_assistance"]
    pop, _ = reference_series(default)["SI_COV_VULN"]
    members = persons.filter(pop.fill_null(False))
    both = pl.any_horizontal("rec_social_assistance", "rec_oldage_noncontrib")
    known = members.filter(both.is_not_null())
    wider = edition(default, "social_pensions", vulnerable_numerator_benefits=["social_assistance", "old_age"])
    r = vulnerable(run(persons, wider))
    assert (r["n_unweighted"], r["n_numerator_unweighted"]) == (known.height, known.filter(both).height)
    assert r["value"] / 100 == pytest.approx(
        known.filter(both)["person_weight"].sum() / known["person_weight"].sum(), rel=1e-12
    )
    assert r["value"] > vulnerable(result)["value"]
    # the flags the list names are the ones required: without rec_social_assistance, a list
    # without it still gives the series
    no_sa = persons.with_columns(rec_social_assistance=pl.lit(None, dtype=pl.Boolean))
    assert "SI_COV_VULN" not in run(no_sa).estimates["series"].to_list()
    pensions_only = edition(default, "social_pensions_only", vulnerable_numerator_benefits=["old_age"])
    assert "SI_COV_VULN" in run(no_sa, pensions_only).estimates["series"].to_list()


@pytest.mark.parametrize("types", [[], ["pension"], "social_assistance"])
def test_vulnerable_numerator_list_is_checked(persons, types):
    bad = edition(load_method("sdg_1_3_1"), "bad", vulnerable_numerator_benefits=types)
    with pytest.raises(MethodConfigError, match="vulnerable_numerator_benefits"):
        run(persons.head(10), bad)


def test_labour_market_series_count_persons_of_working_age_only():
    """SI_COV_UEMP, SI_COV_WKINJRY and SP_CONTRIB_LF take persons aged working_age_min and over,
    as the administrative denominators (labour force statistics of persons 15+).
    (age, lf_status, weight, rec_unemployment, injury_insured, contributor):
    unemployed 14 (w 2, yes), 30 (w 1, no), 40 (w 1, yes); employed 12 (w 3, insured, contributes),
    35 (w 1, not insured, no), 50 (w 1, insured, contributes).
    UEMP = 1 / 2 (the 14-year-old left out; 3 / 4 with him); WKINJRY over the labour force (the
    unemployed have no injury flag): employed 15+ 1 / 2 (4 / 5 with the 12-year-old); CONTRIB_LF
    over 30, 40, 35, 50: 1 / 4 (the unemployed count as not contributing).
    With working_age_min 31: UEMP 1 / 1, WKINJRY 1 / 2, CONTRIB_LF 1 / 3."""
    rows = [
        (14, "unemployed", 2.0, True, None, None),
        (30, "unemployed", 1.0, False, None, None),
        (40, "unemployed", 1.0, True, None, None),
        (12, "employed", 3.0, None, True, True),
        (35, "employed", 1.0, None, False, False),
        (50, "employed", 1.0, None, True, True),
    ]
    age, lf, w, unemp, injury, contributor = (list(c) for c in zip(*rows, strict=True))
    persons = canonical(
        {
            "stratum": ["s"] * 6,
            "psu": [str(i) for i in range(6)],
            "sex": ["F"] * 6,
            "age": age,
            "lf_status": lf,
            "person_weight": w,
            "rec_unemployment": unemp,
            "injury_insured": injury,
            "contributor": contributor,
        }
    )
    base = edition(load_method("sdg_1_3_1"), "totals", survey={"breakdowns": []})

    def values(method):
        e = run(persons, method).estimates.filter(pl.col("sex") == "T", pl.col("nationality") == "T")
        return {
            s: (one(e, series=s)["value"], one(e, series=s)["n_unweighted"])
            for s in ("SI_COV_UEMP", "SI_COV_WKINJRY", "SP_CONTRIB_LF")
        }

    assert values(base) == {
        "SI_COV_UEMP": (pytest.approx(50), 2),
        "SI_COV_WKINJRY": (pytest.approx(50), 2),
        "SP_CONTRIB_LF": (pytest.approx(25), 4),
    }
    older = edition(base, "older", working_age_min=31)
    assert values(older) == {
        "SI_COV_UEMP": (pytest.approx(100), 1),
        "SI_COV_WKINJRY": (pytest.approx(50), 2),
        "SP_CONTRIB_LF": (pytest.approx(100 / 3), 3),
    }


def test_unasked_contribution_counts_as_no_when_the_edition_says_so(persons, result):
    """Contributions asked of employed persons only: with contributor_unasked_as_no the others
    count as not contributing; without it they drop out of the series population."""
    strict = edition(load_method("sdg_1_3_1"), "strict", survey={"contributor_unasked_as_no": False})
    adults = persons.filter(pl.col("age") >= 15)
    contributing = adults.filter(pl.col("contributor").fill_null(False))["person_weight"].sum()
    asked_no = adults.filter((pl.col("lf_status") != "employed") | pl.col("contributor").is_not_null())
    employed_known = adults.filter(pl.col("contributor").is_not_null())

    def wap(res):
        return one(res.estimates.filter(DOMAIN_TOTAL), series="SP_CONTRIB_WAP", sex="T", nationality="T")["value"] / 100

    assert wap(result) == pytest.approx(contributing / asked_no["person_weight"].sum(), rel=1e-12)
    assert wap(run(persons, strict)) == pytest.approx(contributing / employed_known["person_weight"].sum(), rel=1e-12)
