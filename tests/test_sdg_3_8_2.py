"""SDG 3.8.2: the six-household example of the methodology notes, the identities, exclusions
with reasons, the design-based SE against svy, and the not-computable paths."""

from __future__ import annotations

import dataclasses

import duckdb
import polars as pl
import pytest
import svy

from engine.harmonise import ingest_survey
from engine.method_config import MethodConfigError, load_method
from engine.sdg_3_8_2 import HARDSHIP_SERIES, LEGACY_SERIES, estimate_hardship, ppp_for
from engine.survey_spec import load_spec
from schemas import registry
from schemas.resources import survey as sv
from schemas.tables import polars_dtype
from tests.conftest import SOURCE_ROWS, source_frame, write_survey

# (household weight, size, daily per-capita consumption, daily per-capita OOP), PPP = 1
EXAMPLE = [
    (100, 4, 10.0, 3.5),
    (200, 5, 3.0, 0.1),
    (150, 3, 2.0, 0.3),
    (50, 2, 20.0, 0.0),
    (120, 6, 6.0, 0.9),
    (80, 1, 4.0, 2.0),
]


def households_to_persons(
    households, *, psus=None, head_sex=None, quarantined=(), heads=None, ages=None
) -> pl.DataFrame:
    """Kept person rows of ``households``; ``quarantined``: (household, member) pairs left out
    of the kept rows, as validation would (the household keeps its recorded size); ``heads``:
    household -> its members flagged as head (default: member 0); ``ages``: household -> ages
    of its members (default 35, 35, then 10)."""
    rows = []
    for i, (w, m, c, o) in enumerate(households):
        for j in range(m):
            if (i, j) in quarantined:
                continue
            rows.append(
                {
                    "survey_id": "TST_HBS_2020",
                    "country": "GHA",
                    "year": 2020,
                    "survey_kind": "HBS",
                    "hh_id": str(i),
                    "person_id": str(j),
                    "household_weight": float(w),
                    "person_weight": float(w),
                    "stratum": "all",
                    "psu": psus[i] if psus else str(i),
                    "sex": (head_sex[i] if head_sex and j == 0 else "M"),
                    "age": ages[i][j] if ages else (35 if j < 2 else 10),
                    "hh_head": j in (heads or {}).get(i, (0,)),
                    "urban_rural": "urban" if i % 2 else "rural",
                    "hh_consumption": None if c is None else c * m * 365,
                    "hh_oop_health": None if o is None else o * m * 365,
                    "hh_size": m,
                    "source_row": len(rows) + 1,
                }
            )
    frame = pl.DataFrame(rows)
    return frame.with_columns(
        [pl.lit(None, dtype=polars_dtype(v)).alias(v.name) for v in sv.ALL if v.name not in frame.columns]
    ).select(sv.COLUMN_ORDER)


def _estimate(persons, ppp=1.0):
    return estimate_hardship(duckdb.connect(), persons, ppp, load_method("sdg_3_8_2"), load_method("survey_estimation"))


def _totals(res) -> dict[str, float]:
    return _domain(res)


def _domain(res, **dims) -> dict[str, float]:
    """Series -> value in the domain ``dims`` (every other dimension 'T')."""
    cell = {"head_sex": "T", "urban_rural": "T", "quintile": "T", "hh_composition": "T", **dims}
    t = res.estimates.filter(pl.all_horizontal([pl.col(k) == v for k, v in cell.items()]))
    return dict(zip(t["series"], t["value"], strict=True))


def _pct(share: float) -> dict[str, float]:
    return pytest.approx(share, abs=5e-5)


# Flags of the six example households (SPL 2.65): EARN10, EARN25, HARDSHIP, IMPOVERISHING, LARGE
SERIES = ("SH_XPD_EARN10", "SH_XPD_EARN25", "SH_FIN_HARDSHIP", "SH_FIN_IMPOVERISHING", "SH_FIN_LARGE")
FLAGS = [(1, 1, 1, 0, 1), (0, 0, 0, 0, 0), (1, 0, 1, 1, 0), (0, 0, 0, 0, 0), (1, 0, 0, 0, 0), (1, 1, 1, 1, 0)]


def _expected(households: list[int]) -> dict[str, float]:
    """Person-weighted share (percent) of ``households`` of EXAMPLE with each flag, by hand."""
    persons = {i: EXAMPLE[i][0] * EXAMPLE[i][1] for i in households}
    return {
        s: 100 * sum(persons[i] * FLAGS[i][k] for i in households) / sum(persons.values()) for k, s in enumerate(SERIES)
    }


def test_six_household_example():
    res = _estimate(households_to_persons(EXAMPLE))
    v = _totals(res)
    assert res.median_consumption == pytest.approx(3.0) and res.spl == pytest.approx(2.65)
    assert v["SH_XPD_EARN10"] == pytest.approx(60.0000, abs=5e-5)
    assert v["SH_XPD_EARN25"] == pytest.approx(17.4545, abs=5e-5)
    assert v["SH_FIN_HARDSHIP"] == pytest.approx(33.8182, abs=5e-5)
    assert v["SH_FIN_IMPOVERISHING"] == pytest.approx(19.2727, abs=5e-5)
    assert v["SH_FIN_LARGE"] == pytest.approx(14.5455, abs=5e-5)


def test_unweighted_counts_are_households():
    # 6 households of 21 persons; OOP above 10% of consumption in households 0, 2, 4 and 5
    t = _estimate(households_to_persons(EXAMPLE)).estimates.filter(
        (pl.col("series") == "SH_XPD_EARN10")
        & (pl.col("head_sex") == "T")
        & (pl.col("urban_rural") == "T")
        & (pl.col("quintile") == "T")
        & (pl.col("hh_composition") == "T")
    )
    assert t.select("n_unweighted", "n_numerator_unweighted").row(0) == (6, 4)


def test_every_row_records_the_metadata_edition_of_its_definition():
    res = _estimate(households_to_persons(EXAMPLE * 2, head_sex=["F", "M"] * 6))
    estimation = load_method("survey_estimation").label
    legacy = f"sdg_3_8_2:2025/metadata-2023-05-15+{estimation}"
    hardship = f"sdg_3_8_2:2025/metadata-2025-03+{estimation}"
    for frame in (res.estimates, res.gaps):
        editions = dict(frame.group_by("series").agg(pl.col("method_edition").unique()).rows())
        assert editions == {
            "SH_XPD_EARN10": [legacy],
            "SH_XPD_EARN25": [legacy],
            "SH_FIN_HARDSHIP": [hardship],
            "SH_FIN_IMPOVERISHING": [hardship],
            "SH_FIN_LARGE": [hardship],
        }


def test_flags_by_hand_reproduce_the_totals():
    assert _expected(list(range(6))) == {
        "SH_XPD_EARN10": _pct(60.0000),
        "SH_XPD_EARN25": _pct(17.4545),
        "SH_FIN_HARDSHIP": _pct(33.8182),
        "SH_FIN_IMPOVERISHING": _pct(19.2727),
        "SH_FIN_LARGE": _pct(14.5455),
    }


def test_consumption_quintiles_assign_whole_households_by_cumulative_person_share():
    # ranked by per-capita consumption: hh 2 (2.0, 450 persons), 1 (3.0, 1000), 5 (4.0, 80),
    # 4 (6.0, 720), 0 (10.0, 400), 3 (20.0, 100); cumulative shares .164 .527 .556 .818 .964 1
    # -> ceil(5 x share) = 1, 3, 3, 5, 5, 5: quintiles 2 and 4 hold no household
    res = _estimate(households_to_persons(EXAMPLE))
    assert set(res.estimates["quintile"]) == {"T", "1", "3", "5"}
    for quintile, households in {"1": [2], "3": [1, 5], "5": [4, 0, 3]}.items():
        assert _domain(res, quintile=quintile) == {s: _pct(v) for s, v in _expected(households).items()}, quintile
    assert _domain(res, quintile="3")["SH_XPD_EARN10"] == _pct(7.4074) and _domain(res, quintile="5")[
        "SH_XPD_EARN25"
    ] == _pct(32.7869)


def test_quintile_boundaries_on_exact_fifths():
    # five equal households: cumulative shares 0.2, 0.4, ... end exactly on each fifth
    res = _estimate(households_to_persons([(100, 2, c, 0.1 * c) for c in (9.0, 1.0, 5.0, 3.0, 7.0)]))
    n = res.estimates.filter(
        (pl.col("series") == "SH_XPD_EARN10") & (pl.col("quintile") != "T") & (pl.col("head_sex") == "T")
    )
    assert dict(n.select("quintile", "n_unweighted").rows()) == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}


def test_urban_rural_values_by_hand():
    # urban: households 1, 3, 5 (1 180 persons); rural: 0, 2, 4 (1 570 persons)
    res = _estimate(households_to_persons(EXAMPLE))
    assert _domain(res, urban_rural="urban") == {s: _pct(v) for s, v in _expected([1, 3, 5]).items()}
    assert _domain(res, urban_rural="rural") == {s: _pct(v) for s, v in _expected([0, 2, 4]).items()}
    assert _domain(res, urban_rural="rural")["SH_FIN_HARDSHIP"] == _pct(54.1401)
    assert _domain(res, urban_rural="urban")["SH_XPD_EARN10"] == _pct(6.7797)


def test_household_age_composition_six_groups_at_the_age_bounds():
    # under 20 young, 20-59 adults, 60+ older (config child_age_below, older_age_from)
    ages = {
        0: [20, 59, 19, 0],
        1: [60, 40, 38, 12, 5],
        2: [19, 17, 15],
        3: [20, 59],
        4: [60, 62, 40, 38, 30, 25],
        5: [60],
    }
    groups = {
        0: "adults_with_children",
        1: "multigenerational",
        2: "only_under_20",
        3: "adults_only",
        4: "adults_with_older",
        5: "older_only",
    }
    res = _estimate(households_to_persons(EXAMPLE, ages=ages))
    assert set(res.estimates["hh_composition"]) == {"T", *groups.values()}
    for i, group in groups.items():
        assert _domain(res, hh_composition=group) == {s: _pct(v) for s, v in _expected([i]).items()}, group


def test_head_sex_values_by_hand():
    # women head households 0, 2 and 5 (930 persons); men 1, 3, 4 (1 820 persons)
    res = _estimate(households_to_persons(EXAMPLE, head_sex=["F", "M", "F", "M", "M", "F"]))
    assert _domain(res, head_sex="F") == {s: _pct(v) for s, v in _expected([0, 2, 5]).items()}
    assert _domain(res, head_sex="M") == {s: _pct(v) for s, v in _expected([1, 3, 4]).items()}
    gap = res.gaps.filter(
        (pl.col("series") == "SH_FIN_HARDSHIP")
        & (pl.col("urban_rural") == "T")
        & (pl.col("quintile") == "T")
        & (pl.col("hh_composition") == "T")
    )
    assert gap["difference_pp"][0] == _pct(100.0)  # every woman-headed household in hardship, no man-headed one


def test_identities_hold_in_every_domain():
    res = _estimate(households_to_persons(EXAMPLE * 3, head_sex=["F", "M", "F"] * 6))
    wide = res.estimates.pivot(
        on="series", index=["head_sex", "urban_rural", "quintile", "hh_composition"], values="value"
    )
    assert (wide["SH_XPD_EARN25"] <= wide["SH_XPD_EARN10"] + 1e-12).all()
    assert ((wide["SH_FIN_HARDSHIP"] - wide["SH_FIN_IMPOVERISHING"] - wide["SH_FIN_LARGE"]).abs() < 1e-9).all()


ABOVE = (90, 2, 1.0, 1.5)  # a household spending 150% of its consumption on health (180 persons)


def test_spending_above_consumption_counts_above_every_threshold_by_default():
    # OOP / consumption = 1.5 is above every threshold: the household is in every numerator
    # but LARGE (it is impoverishing). It was dropped, lowering every share (78 of 5,006
    # households of one survey: SH_XPD_EARN25 10.95% -> 9.78%). SPL stays 2.65 (median 3.0).
    res = _estimate(households_to_persons(EXAMPLE + [ABOVE, (60, 3, None, 0.2)]))
    assert dict(zip(res.exclusions["hh_id"], res.exclusions["reason"], strict=True)) == {"7": "missing consumption"}
    assert res.spl == pytest.approx(2.65)
    persons = [w * m for w, m, *_ in EXAMPLE] + [180]
    flags = FLAGS + [(1, 1, 1, 1, 0)]
    expected = {
        s: 100 * sum(p * f[k] for p, f in zip(persons, flags, strict=True)) / sum(persons) for k, s in enumerate(SERIES)
    }
    assert (expected["SH_XPD_EARN10"], expected["SH_XPD_EARN25"]) == (
        pytest.approx(100 * 1830 / 2930),
        pytest.approx(100 * 660 / 2930),
    )
    assert _totals(res) == {s: _pct(v) for s, v in expected.items()}
    # how many there were, on every row of the survey
    assert res.oop_above_consumption == 1 and set(res.estimates["n_oop_above_consumption"]) == {1}


def test_an_edition_may_exclude_spending_above_consumption_with_the_reason():
    method = load_method("sdg_3_8_2")
    exclude = dataclasses.replace(method, params={**method.params, "oop_above_consumption": "exclude"})
    res = estimate_hardship(
        duckdb.connect(), households_to_persons(EXAMPLE + [ABOVE]), 1.0, exclude, load_method("survey_estimation")
    )
    assert dict(zip(res.exclusions["hh_id"], res.exclusions["reason"], strict=True)) == {
        "6": "out-of-pocket spending above consumption"
    }
    assert _totals(res) == {s: _pct(v) for s, v in _expected(list(range(6))).items()}  # the six other households
    assert res.oop_above_consumption == 1 and set(res.estimates["n_oop_above_consumption"]) == {1}
    wrong = dataclasses.replace(method, params={**method.params, "oop_above_consumption": "drop"})
    with pytest.raises(MethodConfigError, match="oop_above_consumption must be one of count, exclude, got 'drop'"):
        estimate_hardship(
            duckdb.connect(), households_to_persons(EXAMPLE), 1.0, wrong, load_method("survey_estimation")
        )


def test_a_survey_whose_every_household_is_left_out_lists_every_series_as_not_computable():
    res = _estimate(households_to_persons([(w, m, 0.0, o) for w, m, _, o in EXAMPLE]))  # consumption 0 everywhere
    assert set(res.exclusions["reason"]) == {"consumption not positive"} and res.estimates.is_empty()
    assert dict(zip(res.not_computable["series"], res.not_computable["reason"], strict=True)) == {
        s: "empty population: no household of TST_HBS_2020 in the population of " + s + " (with a known outcome)"
        for s in SERIES
    }


def test_household_with_a_quarantined_member_is_left_out_not_shrunk():
    # household 6 (2 persons) lost a member to the quarantine: with m = 1 it would count 90
    # persons at twice its per-capita consumption; it is left out and the six households remain
    res = _estimate(households_to_persons(EXAMPLE + [(90, 2, 1.0, 0.5)], quarantined={(6, 1)}))
    assert res.exclusions.select("hh_id", "reason").rows() == [
        ("6", "household roster incomplete: 1 of 2 member rows quarantined")
    ]
    v = _totals(res)
    assert v["SH_XPD_EARN10"] == pytest.approx(60.0000, abs=5e-5) and v["SH_FIN_HARDSHIP"] == pytest.approx(
        33.8182, abs=5e-5
    )
    assert res.spl == pytest.approx(2.65)


def test_roster_larger_than_the_recorded_size_and_size_not_recorded_are_left_out():
    persons = households_to_persons(EXAMPLE + [(90, 2, 1.0, 0.5), (70, 3, 5.0, 0.5)]).with_columns(
        pl.when(pl.col("hh_id") == "6")
        .then(1)
        .when(pl.col("hh_id") == "7")
        .then(None)
        .otherwise(pl.col("hh_size"))
        .alias("hh_size")
    )
    res = _estimate(persons)
    assert dict(res.exclusions.select("hh_id", "reason").rows()) == {
        "6": "household roster larger than its size: 2 members, size 1",
        "7": "household size not recorded",
    }
    assert _totals(res)["SH_FIN_HARDSHIP"] == pytest.approx(33.8182, abs=5e-5)


def test_household_size_is_counted_in_the_source_file_before_validation(tmp_path, spec_dict):
    # row 2 (household 1, member 2) has an age out of range: quarantined; household 1 keeps
    # 2 of its 3 rows, so 3.8.2 leaves it out while the other households stay complete
    raw = source_frame([r if i != 1 else r[:6] + (130,) + r[7:] for i, r in enumerate(SOURCE_ROWS)])
    survey = ingest_survey(load_spec(write_survey(tmp_path, spec_dict, raw)))
    assert survey.quarantined_rows == 1
    sizes = dict(survey.persons.group_by("hh_id").agg(pl.col("hh_size").first()).rows())
    assert sizes == {"1": 3, "2": 2, "3": 2, "4": 1}
    res = _estimate(survey.persons)
    assert res.exclusions.select("hh_id", "reason").rows() == [
        ("1", "household roster incomplete: 1 of 3 member rows quarantined")
    ]
    assert res.estimates.filter(pl.col("series") == "SH_XPD_EARN10")["n_unweighted"].max() == 3


def test_households_without_a_head_or_with_two_are_left_out():
    # household 6 has two heads (a man and a woman: MAX(sex) made it 'M'), household 7 none
    persons = households_to_persons(
        EXAMPLE + [(90, 2, 1.0, 0.5), (70, 3, 5.0, 0.5)], heads={6: (0, 1), 7: ()}
    ).with_columns(
        pl.when((pl.col("hh_id") == "6") & (pl.col("person_id") == "1"))
        .then(pl.lit("F"))
        .otherwise(pl.col("sex"))
        .alias("sex")
    )
    res = _estimate(persons)
    assert dict(res.exclusions.select("hh_id", "reason").rows()) == {
        "6": "2 household heads",
        "7": "no household head among its members",
    }
    v = _totals(res)
    assert v["SH_XPD_EARN10"] == pytest.approx(60.0000, abs=5e-5) and v["SH_FIN_HARDSHIP"] == pytest.approx(
        33.8182, abs=5e-5
    )
    assert set(res.estimates["head_sex"]) == {"T", "M"}  # every remaining head is a man


def test_households_whose_members_disagree_on_household_values_are_left_out():
    # 6: one member reports other consumption (MAX took the larger); 7: OOP missing on one
    # member only; 8: consumption and area both differ
    persons = households_to_persons(EXAMPLE + [(90, 2, 1.0, 0.5), (70, 3, 5.0, 0.5), (60, 2, 4.0, 0.4)])
    member = lambda h, j: (pl.col("hh_id") == h) & (pl.col("person_id") == j)  # noqa: E731
    persons = persons.with_columns(
        pl.when(member("6", "1") | member("8", "0"))
        .then(pl.col("hh_consumption") * 2)
        .otherwise(pl.col("hh_consumption"))
        .alias("hh_consumption"),
        pl.when(member("7", "2")).then(None).otherwise(pl.col("hh_oop_health")).alias("hh_oop_health"),
        pl.when(member("8", "1")).then(pl.lit("urban")).otherwise(pl.col("urban_rural")).alias("urban_rural"),
    )
    assert persons.filter(pl.col("hh_id") == "8")["urban_rural"].n_unique() == 2
    res = _estimate(persons)
    assert dict(res.exclusions.select("hh_id", "reason").rows()) == {
        "6": "household values differ between members: hh_consumption",
        "7": "household values differ between members: hh_oop_health",
        "8": "household values differ between members: hh_consumption, urban_rural",
    }
    assert _totals(res)["SH_FIN_HARDSHIP"] == pytest.approx(33.8182, abs=5e-5)


def test_person_weights_differing_within_a_household_sum_to_its_persons():
    # no household weight declared (household_weight = person_weight on every row): household 0
    # has members weighted 100, 60, 100, 100; it stands for 360 persons, not 4 x 100
    persons = (
        households_to_persons(EXAMPLE)
        .with_columns(
            pl.when((pl.col("hh_id") == "0") & (pl.col("person_id") == "1"))
            .then(60.0)
            .otherwise(pl.col("person_weight"))
            .alias("person_weight"),
        )
        .with_columns(pl.col("person_weight").alias("household_weight"))
    )
    res = _estimate(persons)
    assert res.exclusions.is_empty()
    weights = {0: 360.0} | {i: EXAMPLE[i][0] * EXAMPLE[i][1] for i in range(1, 6)}
    earn10 = 100 * sum(w * FLAGS[i][0] for i, w in weights.items()) / sum(weights.values())
    assert _totals(res)["SH_XPD_EARN10"] == pytest.approx(earn10, rel=1e-12)
    assert earn10 != pytest.approx(60.0, abs=1e-3)


def test_declared_household_weights_and_design_values_must_agree_between_members():
    persons = households_to_persons(EXAMPLE + [(90, 2, 1.0, 0.5), (70, 3, 5.0, 0.5)])
    member = lambda h, j: (pl.col("hh_id") == h) & (pl.col("person_id") == j)  # noqa: E731
    persons = persons.with_columns(
        pl.when(member("6", "1")).then(45.0).otherwise(pl.col("household_weight")).alias("household_weight"),
        pl.when(member("7", "2")).then(pl.lit("other")).otherwise(pl.col("psu")).alias("psu"),
    )
    res = _estimate(persons)
    assert dict(res.exclusions.select("hh_id", "reason").rows()) == {
        "6": "household values differ between members: household_weight",
        "7": "household values differ between members: psu",
    }
    assert _totals(res)["SH_FIN_HARDSHIP"] == pytest.approx(33.8182, abs=5e-5)


def test_zero_consumption_missing_oop_and_negative_oop_are_left_out():
    bad = EXAMPLE + [(90, 2, 0.0, 0.0), (70, 3, 5.0, None), (60, 2, 3.0, -0.1)]
    res = _estimate(households_to_persons(bad))
    assert dict(res.exclusions.select("hh_id", "reason").rows()) == {
        "6": "consumption not positive",
        "7": "missing out-of-pocket spending",
        "8": "out-of-pocket spending negative",
    }
    assert _totals(res) == {s: _pct(v) for s, v in _expected(list(range(6))).items()}


def test_negative_oop_in_the_source_file_is_quarantined_before_3_8_2(tmp_path, spec_dict):
    # household 2 reports -1500 OOP on both rows: both quarantined (amounts >= 0), so the
    # household never reaches 3.8.2; the others are estimated
    raw = source_frame([r[:15] + (-1500.0,) if r[0] == 2 else r for r in SOURCE_ROWS])
    survey = ingest_survey(load_spec(write_survey(tmp_path, spec_dict, raw)))
    assert survey.quarantined_rows == 2 and set(survey.quarantine["column"]) == {"hh_oop_health"}
    res = _estimate(survey.persons)
    assert res.exclusions.is_empty()
    assert res.estimates.filter(pl.col("series") == "SH_XPD_EARN10")["n_unweighted"].max() == 3


def test_survey_without_head_flags_keeps_every_household_and_lists_the_lost_breakdown():
    res = _estimate(households_to_persons(EXAMPLE).with_columns(pl.lit(None, dtype=pl.Boolean).alias("hh_head")))
    assert res.exclusions.is_empty()
    assert _totals(res)["SH_FIN_HARDSHIP"] == pytest.approx(33.8182, abs=5e-5)
    assert set(res.estimates["head_sex"]) == {"T"} and res.gaps.is_empty()
    lost = res.not_computable.filter(pl.col("breakdown") == "head_sex")
    assert sorted(lost["series"]) == sorted(LEGACY_SERIES + HARDSHIP_SERIES)
    assert set(lost["reason"]) == {"hh_head absent in TST_HBS_2020"}


def test_standard_error_and_head_sex_gap_against_svy():
    households = [(100 + 7 * i, 1 + i % 5, 2.0 + (i * 37 % 23), 0.05 * (i * 13 % 17)) for i in range(60)]
    psus = [str(i // 5) for i in range(60)]
    heads = ["F" if i % 3 == 0 else "M" for i in range(60)]
    persons = households_to_persons(households, psus=psus, head_sex=heads)
    res = _estimate(persons)
    hh = pl.DataFrame(
        {
            "psu": psus,
            "w": [w * m for w, m, _, _ in households],
            "head": heads,
            "y": [1.0 if o / c > 0.10 else 0.0 for _, _, c, o in households],
        }
    )
    sample = svy.Sample(hh, svy.Design(psu="psu", wgt="w"))
    total = sample.estimation.mean("y").to_polars().row(0, named=True)
    mine = res.estimates.filter(
        (pl.col("series") == "SH_XPD_EARN10")
        & (pl.col("head_sex") == "T")
        & (pl.col("urban_rural") == "T")
        & (pl.col("quintile") == "T")
        & (pl.col("hh_composition") == "T")
    ).row(0, named=True)
    assert mine["value"] / 100 == pytest.approx(total["est"], rel=1e-9) and mine["se"] / 100 == pytest.approx(
        total["se"], rel=1e-9
    )
    by_head = sample.estimation.mean("y", by="head")
    contrast = by_head.contrast(svy.estd("F") - svy.estd("M")).to_polars().row(0, named=True)
    gap = res.gaps.filter(
        (pl.col("series") == "SH_XPD_EARN10")
        & (pl.col("urban_rural") == "T")
        & (pl.col("quintile") == "T")
        & (pl.col("hh_composition") == "T")
    ).row(0, named=True)
    assert gap["difference_pp"] / 100 == pytest.approx(contrast["est"], rel=1e-9)
    assert gap["difference_se"] / 100 == pytest.approx(contrast["se"], rel=1e-9)


def test_without_ppp_only_the_legacy_series():
    res = _estimate(households_to_persons(EXAMPLE), ppp=None)
    assert set(res.estimates["series"]) == {"SH_XPD_EARN10", "SH_XPD_EARN25"}
    reasons = set(res.not_computable["reason"])
    assert reasons == {"no 2017 PPP conversion factor for GHA in or before 2020"}


def test_without_household_sizes_nothing_is_guessed():
    res = _estimate(households_to_persons(EXAMPLE).with_columns(pl.lit(None, dtype=pl.Int64).alias("hh_size")))
    assert res.estimates.is_empty() and set(res.not_computable["reason"]) == {"hh_size absent in TST_HBS_2020"}


def test_without_consumption_nothing_is_guessed():
    persons = households_to_persons(EXAMPLE).with_columns(pl.lit(None, dtype=pl.Float64).alias("hh_consumption"))
    res = _estimate(persons)
    assert res.estimates.is_empty() and res.not_computable.height == 5
    assert set(res.not_computable["reason"]) == {"hh_consumption absent in TST_HBS_2020"}


def test_a_survey_without_estimates_gives_its_tables_in_their_declared_layout():
    """A survey that gives no 3.8.2 estimate (no consumption) still writes its three tables in
    the registry's columns and types, with no rows (they were written with no columns at all)."""
    persons = households_to_persons(EXAMPLE).with_columns(pl.lit(None, dtype=pl.Float64).alias("hh_consumption"))
    res = _estimate(persons)
    for frame, name in ((res.estimates, ""), (res.gaps, "_gaps"), (res.exclusions, "_exclusions")):
        declared = registry.table(f"indicators/sdg_3_8_2_survey{name}")
        assert frame.height == 0 and frame.schema == pl.Schema(declared.polars_schema()), name
        declared.validate(frame)


def test_excluded_households_carry_their_survey_in_the_declared_layout():
    res = _estimate(households_to_persons([(w, m, 0.0, o) for w, m, _, o in EXAMPLE]))
    declared = registry.table("indicators/sdg_3_8_2_survey_exclusions")
    assert res.exclusions.columns == list(declared.fields) and set(res.exclusions["survey_id"]) == {"TST_HBS_2020"}
    declared.validate(res.exclusions)


def test_ppp_lookup_uses_the_survey_year_or_the_latest_before():
    ppp = pl.DataFrame(
        {
            "country": ["GHA"] * 3,
            "year": [2015, 2018, 2021],
            "ppp_vintage": [2017] * 3,
            "ppp_private_consumption": [1.5, 2.0, 3.0],
        }
    )
    assert ppp_for(ppp, "GHA", 2020, 2017) == 2.0 and ppp_for(ppp, "GHA", 2021, 2017) == 3.0
    assert ppp_for(ppp, "GHA", 2010, 2017) is None and ppp_for(ppp, "GHA", 2020, 2021) is None
