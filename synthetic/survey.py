"""Synthetic survey microdata of one country-year: a stratified two-stage cluster sample of
households (strata = region x urban/rural, PSUs = enumeration areas) with every canonical
person variable of ``schemas/resources/survey.py``.

``simulate`` returns a ``Sample`` of numpy arrays (households and persons); ``generate_persons``
turns one into the canonical person table (canonical names and dtypes), e.g. for benchmarks::

    generate_persons("GHA", n_persons=10_000_000, seed=1)

Everything is vectorised; the same seed gives the same sample. Rates are calibrated, in the
sample and with the survey weights, to the targets of ``synthetic.countries`` (published UN SDG
values where they exist): pension coverage above the statutory pensionable age, child benefits,
maternity, disability, unemployment benefits, employment-injury cover, social assistance,
unemployment rates, health protection, the poverty rate and the 3.8.2 shares. Person weights are
post-stratified to the WPP 2019 population by 5-year age group and sex.

Missing values follow the questionnaires: ``lf_status``, ``contributor`` and
``injury_insured`` are missing below age 15; ``gave_birth`` is asked of women aged 15-49 only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist
from zlib import crc32

import numpy as np
import polars as pl

from schemas.resources import survey as sv
from synthetic.countries import (
    BENEFIT_LEVEL,
    COVERAGE_CEILING,
    EARNINGS_RELATED,
    FEMALE_BENEFIT_RATIO,
    LABOUR_MARKETS,
    PROFILES,
    LabourMarket,
    Profile,
    asfr,
    pensionable_age,
    poverty_rate,
    ppp_factor,
    sex_rates,
)
from synthetic.population import AGE5_LOWER, Population

# Assumed behavioural parameters (not published anywhere; plausible magnitudes).
HEADSHIP_BY_AGE5 = np.array([0, 0, 0, 0.05, 0.35, 0.7, 0.9] + [1.0] * 14)  # propensity to head a household
SPOUSE_SHARE = 0.75  # share of multi-person households with a spouse of the head
PARTICIPATION_BY_AGE5 = np.array([0, 0, 0, 0.35, 0.75, 1, 1, 1, 1, 1, 1, 0.85, 0.6, 0.4, 0.25] + [0.1] * 6)
OLDER_AGE5_FROM = 12  # participation at ages 60+ is scaled by Profile.older_work
YOUTH_UNEMPLOYMENT_RISK = 2.2  # relative unemployment risk at ages 15-24
CONTRIBUTOR_TO_INJURY = 1.10  # active contributors per worker covered for employment injury
SURVIVOR_SHARE = {"F": 0.25, "M": 0.04}  # survivors' benefit, relative to the pension rate of the sex
INJURY_BENEFIT_RATE = 0.01  # injury-insured workers receiving an employment-injury benefit
SICKNESS_BENEFIT_RATE = 0.015  # contributors receiving a sickness benefit in the reference period
DISABILITY_AGE_SLOPE = 0.035  # severe disability prevalence grows as exp(slope * age)
OOP_FLOOR_10 = 3.0  # floor of the 3.8.2 (10%) target, percent, so every HIES has cases
OOP_RATIO_25_TO_10 = 0.10  # floor of the 25% share relative to the 10% share
OOP_OLDER_SHIFT = 0.3  # log-share shift of OOP health spending in households with a member 60+
CHILD_MAX_AGE = 15  # children are aged 0-15 (ILO/UNICEF 2024)
MAX_HOUSEHOLD_SIZE = 20
DEFAULT_LABOUR_MARKET = LabourMarket(informal=(60.0, 60.0), agriculture=20.0)
# Status in employment (ICSE-18 groups, ``ICSE_CODES`` order: employer, independent without
# employees, dependent contractor, employee, contributing family worker): probabilities by kind
# of job (assumed). Contributors and domestic workers are employees or employers.
STATUS_PROBABILITIES = {
    "contributor": (0.06, 0.02, 0.0, 0.92, 0.0),
    "informal_agriculture": (0.02, 0.53, 0.0, 0.15, 0.30),
    "informal_other": (0.03, 0.40, 0.04, 0.45, 0.08),
    "formal_other": (0.10, 0.10, 0.02, 0.78, 0.0),
}
# ISIC Rev.4 sections of non-agricultural, non-domestic jobs (assumed shares; A and T excluded).
ISIC_OTHER = {
    "B": 0.01,
    "C": 0.17,
    "D": 0.01,
    "E": 0.01,
    "F": 0.08,
    "G": 0.26,
    "H": 0.06,
    "I": 0.07,
    "J": 0.02,
    "K": 0.02,
    "L": 0.01,
    "M": 0.02,
    "N": 0.03,
    "O": 0.05,
    "P": 0.07,
    "Q": 0.04,
    "R": 0.01,
    "S": 0.05,
    "U": 0.01,
}
WG_MIN_AGE = 5  # the Washington Group short set is asked of persons aged 5+
WG_SOME_DIFFICULTY = 0.1  # chance of "some difficulty" in a domain without a severe one
WEIGHT_JITTER = 0.12  # sd of the log non-response adjustment per PSU


@dataclass(frozen=True)
class Design:
    """Sample design choices: households per PSU (cluster take) and, optionally, one stratum
    (label ``"<region> - urban|rural"``) given a single PSU.
    """

    households_per_psu: int = 12
    single_psu_stratum: str | None = None


@dataclass
class Sample:
    """Households (``hh_*``, length H) and persons (length N) of one synthetic survey. Person
    arrays index their household with ``hh``. Codes: ``lf`` 0 = not asked (age < 15),
    1 employed, 2 unemployed, 3 outside the labour force.
    """

    profile: Profile
    year: int
    stratum_labels: list[str]
    stratum_region: np.ndarray
    stratum_urban: np.ndarray
    hh_stratum: np.ndarray
    hh_psu: np.ndarray
    hh_psu_in_stratum: np.ndarray
    hh_weight: np.ndarray
    hh_size: np.ndarray
    hh_start: np.ndarray
    hh_non_national: np.ndarray
    hh_citizenship: np.ndarray  # index into citizenship_codes
    citizenship_codes: list[str]
    hh_consumption: np.ndarray
    hh_oop: np.ndarray
    hh_pc_rank: np.ndarray
    hh_poor: np.ndarray
    poverty_line: float  # annual per-capita consumption, LCU
    hh: np.ndarray
    member: np.ndarray
    female: np.ndarray
    age: np.ndarray
    weight: np.ndarray
    lf: np.ndarray
    contributor: np.ndarray
    injury_insured: np.ndarray
    severe_disability: np.ndarray
    gave_birth: np.ndarray  # meaningful for women aged 15-49 only
    health_protected: np.ndarray
    status: np.ndarray  # ICSE group index (ICSE_CODES), -1 when not employed
    informal: np.ndarray  # employed persons only
    isic: np.ndarray  # ISIC section letter index (0 = A), -1 when not employed
    domestic: np.ndarray
    platform: np.ndarray
    wg_items: np.ndarray  # (6, N) Washington Group levels 1-4, 0 below WG_MIN_AGE
    hh_quintile: np.ndarray  # welfare quintile of the household (1 = poorest)
    benefit_level: dict[str, np.ndarray]  # annual amount each person would receive, by function
    rec: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_persons(self) -> int:
        """Number of persons in the sample."""
        return self.hh.size

    @property
    def head(self) -> np.ndarray:
        """True for household heads (member number 1)."""
        return self.member == 1

    @property
    def birth_eligible(self) -> np.ndarray:
        """True for women aged 15 to 49 (asked about births)."""
        return self.female & (self.age >= 15) & (self.age <= 49)


def rng_for(seed: int, *names: object) -> np.random.Generator:
    """An independent, reproducible generator for one component (``names``) of a seeded build."""
    keys = [crc32(str(n).encode()) for n in names]
    return np.random.default_rng(np.random.SeedSequence([seed, *keys]))


def _calibrated(eligible: np.ndarray, target: float, weight: np.ndarray, risk: np.ndarray | None = None) -> np.ndarray:
    """Probabilities, zero outside ``eligible``, proportional to ``risk`` and scaled so that their
    ``weight``-ed mean over the eligible units is ``target`` (probabilities capped below 1).
    """
    p = np.zeros(eligible.size, dtype=np.float32)
    if target <= 0 or not eligible.any():
        return p
    w = weight[eligible]
    q = np.ones(w.size) if risk is None else risk[eligible].astype(float)
    total = w.sum()
    for _ in range(50):
        q = np.minimum(q * target / max((w * q).sum() / total, 1e-12), 0.995)
        if abs((w * q).sum() / total - target) < 1e-7:
            break
    p[eligible] = q
    return p


def _weighted_share_female(eligible: np.ndarray, female: np.ndarray, weight: np.ndarray) -> float:
    w = weight * eligible
    return float((w * female).sum() / w.sum()) if w.sum() > 0 else 0.5


def _by_sex(
    eligible: np.ndarray, female: np.ndarray, weight: np.ndarray, rates: tuple[float, float], risk: np.ndarray | None
) -> np.ndarray:
    """Calibrated probabilities with a separate target for women and men."""
    p = _calibrated(eligible & female, rates[0], weight, risk)
    p += _calibrated(eligible & ~female, rates[1], weight, risk)
    return p


def _household_sizes(profile: Profile, n_persons: int, rng: np.random.Generator) -> np.ndarray:
    q1 = profile.single_person_households
    extra = (profile.mean_household_size - q1) / (1 - q1) - 2  # Poisson mean above 2 members
    sizes = np.empty(0, dtype=np.int64)
    while sizes.sum() < n_persons:
        k = int(n_persons / profile.mean_household_size * 1.1) + 16
        more = np.where(rng.random(k) < q1, 1, 2 + rng.poisson(extra, k))
        sizes = np.concatenate([sizes, np.minimum(more, MAX_HOUSEHOLD_SIZE)])
    cum = np.cumsum(sizes)
    n_households = int(np.searchsorted(cum, n_persons)) + 1
    sizes = sizes[:n_households].copy()
    sizes[-1] -= cum[n_households - 1] - n_persons
    return sizes


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    raw = total * shares / shares.sum()
    out = np.floor(raw).astype(np.int64)
    out[np.argsort(-(raw - out), kind="stable")[: total - out.sum()]] += 1
    return out


def _strata(profile: Profile) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    labels, region, urban, share = [], [], [], []
    for r, reg in enumerate(profile.regions):
        for is_urban, part in ((True, reg.urban_share), (False, 1 - reg.urban_share)):
            if part > 0:
                labels.append(f"{reg.name} - {'urban' if is_urban else 'rural'}")
                region.append(r)
                urban.append(is_urban)
                share.append(reg.population_share * part)
    return labels, np.array(region), np.array(urban), np.array(share)


def _allocate(n_households: int, shares: np.ndarray, labels: list[str], design: Design) -> np.ndarray:
    """Households per stratum: proportional to the square root of the population share (small
    strata oversampled), one PSU for the designated single-PSU stratum.
    """
    alloc = np.sqrt(shares)
    if design.single_psu_stratum is None:
        return _largest_remainder(n_households, alloc)
    single = labels.index(design.single_psu_stratum)
    counts = np.zeros(len(labels), dtype=np.int64)
    counts[single] = design.households_per_psu
    others = np.arange(len(labels)) != single
    counts[others] = _largest_remainder(n_households - design.households_per_psu, alloc[others])
    return counts


def _age_sex_tables(profile: Profile, pop5: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell distributions (42 cells: women 0-4 ... 100+, men 0-4 ... 100+) of household heads by
    sex and of the other members.
    """
    pi = pop5.ravel() / pop5.sum()
    head_f = pop5[0] * HEADSHIP_BY_AGE5
    head_m = pop5[1] * HEADSHIP_BY_AGE5
    head_f, head_m = head_f / head_f.sum(), head_m / head_m.sum()
    pm = profile.male_headed
    spouse = SPOUSE_SHARE * (1 - profile.single_person_households)
    couples = np.concatenate([(1 - pm) * head_f + pm * spouse * head_f, pm * head_m + (1 - pm) * spouse * head_m])
    others = np.maximum(pi - couples / profile.mean_household_size, 0)
    return head_f, head_m, others / others.sum()


def _draw_cells(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(np.cumsum(p), rng.random(n) * p.sum(), side="right"), p.size - 1)


def _ages_in_cells(rng: np.random.Generator, cell: np.ndarray) -> np.ndarray:
    return (AGE5_LOWER[cell % 21] + rng.integers(0, 5, cell.size)).astype(np.int16)


def _oop_lognormal(profile: Profile) -> tuple[float, float, float]:
    """(share of households with OOP > 0, mu, sigma) of the log OOP/consumption share, so that
    the shares above 10% and 25% of consumption match SH_XPD_EARN10/25 (floored).
    """
    t10 = max(profile.calibration.earn10.total, OOP_FLOOR_10) / 100
    t25 = min(max(profile.calibration.earn25.total / 100, OOP_RATIO_25_TO_10 * t10), 0.5 * t10)
    positive = max(profile.oop_positive, 2 * t10)
    z10 = NormalDist().inv_cdf(1 - t10 / positive)
    z25 = NormalDist().inv_cdf(1 - t25 / positive)
    sigma = (np.log(0.25) - np.log(0.10)) / (z25 - z10)
    return positive, float(np.log(0.10) - z10 * sigma), float(sigma)


def _weighted_rank(values: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rank in (0, 1] of each value, sort order, cumulative weight share in sort order)."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weight[order]) / weight.sum()
    rank = np.empty(values.size)
    rank[order] = cum
    return rank, order, cum


def simulate(
    profile: Profile,
    year: int,
    n_persons: int,
    rng: np.random.Generator,
    design: Design = Design(),
    population: Population | None = None,
) -> Sample:
    """Draw one survey sample of exactly ``n_persons`` persons. See the module docstring."""
    population = population or Population.load()

    def uniform() -> np.ndarray:
        return rng.random(n, dtype=np.float32)

    pop5 = population.by_age5(profile.m49, year)
    cal = profile.calibration

    # Design: strata, households, PSUs, base weights.
    labels, s_region, s_urban, s_share = _strata(profile)
    sizes = _household_sizes(profile, n_persons, rng)
    n_hh = sizes.size
    counts = _allocate(n_hh, s_share, labels, design)
    hh_stratum = np.repeat(np.arange(len(labels)), counts)
    take = design.households_per_psu
    psu_in, psu_offset, offset = np.empty(n_hh, dtype=np.int64), np.zeros(len(labels), dtype=np.int64), 0
    for s, count in enumerate(counts):
        n_psu = max(count // take, 1)
        psu_in[hh_stratum == s] = np.minimum(np.arange(count) // take, n_psu - 1)
        psu_offset[s] = offset
        offset += n_psu
    hh_psu = psu_offset[hh_stratum] + psu_in
    households_in_population = pop5.sum() * s_share / profile.mean_household_size
    base = households_in_population / np.maximum(counts, 1)
    hh_weight = base[hh_stratum] * np.exp(rng.normal(0, WEIGHT_JITTER, offset))[hh_psu]
    hh_urban = s_urban[hh_stratum]

    # Nationality (whole households; non-nationals live mostly in towns).
    nn_p = _calibrated(np.ones(n_hh, bool), profile.non_nationals, hh_weight * sizes, np.where(hh_urban, 1.4, 0.5))
    hh_nn = rng.random(n_hh) < nn_p
    codes = [profile.iso3] + [c for c, _ in profile.citizenships]
    origin = 1 + _draw_cells(rng, np.array([s for _, s in profile.citizenships]), n_hh)
    hh_cit = np.where(hh_nn, origin, 0).astype(np.int16)

    # Persons: head, spouse, other members; ages and sexes from WPP.
    n = int(sizes.sum())
    start = np.cumsum(sizes) - sizes
    hh = np.repeat(np.arange(n_hh, dtype=np.int32), sizes)
    member = (np.arange(n) - start[hh] + 1).astype(np.int16)
    head_f, head_m, others = _age_sex_tables(profile, pop5)
    cell = _draw_cells(rng, others, n)
    head_male = rng.random(n_hh) < profile.male_headed
    head_cell = np.where(head_male, 21 + _draw_cells(rng, head_m, n_hh), _draw_cells(rng, head_f, n_hh))
    cell[start] = head_cell
    female = cell < 21
    age = _ages_in_cells(rng, cell)
    head_age = age[start]
    spouse = (member == 2) & (uniform() < SPOUSE_SHARE)
    female[spouse] = ~female[start][hh[spouse]]
    gap = np.where(female[spouse], -4, 4)
    age[spouse] = np.clip(head_age[hh[spouse]] + gap + np.rint(rng.normal(0, 4, spouse.sum())), 16, 104).astype(
        np.int16
    )

    # Person weights: household weight post-stratified to WPP age group x sex.
    cell = np.where(female, 0, 21) + np.minimum(age // 5, 20)
    w_hh = hh_weight[hh]
    sums = np.bincount(cell, weights=w_hh, minlength=42)
    factor = np.divide(pop5.ravel(), sums, out=np.ones(42), where=sums > 0)
    weight = w_hh * factor[cell]
    del cell, w_hh

    # Consumption, poverty, OOP health spending.
    hh_persons_w = np.bincount(hh, weights=weight, minlength=n_hh)
    region_effect = rng.normal(0, 0.15, len(profile.regions))
    log_pc = (
        rng.normal(0, profile.consumption_sigma, n_hh)
        + region_effect[s_region[hh_stratum]]
        + 0.35 * hh_urban
        - 0.15 * hh_nn
    )
    pc = np.exp(log_pc)
    rank, order, cum = _weighted_rank(pc, hh_persons_w)
    median_lcu = profile.median_consumption_ppp * 365 * ppp_factor(profile, year)
    pc *= median_lcu / pc[order][np.searchsorted(cum, 0.5)]
    line = float(pc[order][np.searchsorted(cum, poverty_rate(profile, year) / 100)])
    hh_poor = pc < line
    consumption = np.round(pc * sizes, 2)
    has_older = np.maximum.reduceat(age, start) >= 60
    positive, mu, sigma = _oop_lognormal(profile)
    log_share = mu + OOP_OLDER_SHIFT * (has_older - has_older.mean()) + sigma * rng.standard_normal(n_hh)
    oop = np.round(consumption * np.minimum(np.exp(log_share), 0.9) * (rng.random(n_hh) < positive), 2)

    # Labour force.
    urban = hh_urban[hh]
    nn = hh_nn[hh]
    prank = rank.astype(np.float32)[hh]
    adult = age >= 15
    group = np.minimum(age // 5, 20)
    part = PARTICIPATION_BY_AGE5[group] * np.where(female, profile.participation[0], profile.participation[1])
    part = np.where(group >= OLDER_AGE5_FROM, part * profile.older_work, part) * np.where(nn, 1.1, 1.0)
    in_lf = adult & (uniform() < np.minimum(part, 0.98))
    u = cal.unemployment
    unemp_rates = (
        (u.female if u.female is not None else u.total) / 100,
        (u.male if u.male is not None else u.total) / 100,
    )
    unemployed = uniform() < _by_sex(
        in_lf, female, weight, unemp_rates, np.where(age < 25, YOUTH_UNEMPLOYMENT_RISK, 1.0)
    )
    employed = in_lf & ~unemployed
    lf = np.where(~adult, 0, np.where(employed, 1, np.where(unemployed, 2, 3))).astype(np.int8)

    # Contributors and employment-injury cover.
    injury = sex_rates(cal.wkinjry, "wkinjry", _weighted_share_female(employed, female, weight))
    contrib_rates = tuple(min(r * CONTRIBUTOR_TO_INJURY, COVERAGE_CEILING) for r in injury)
    risk = (
        np.where(urban, 1.5, 0.6)
        * np.where(nn, 0.4, 1.0)
        * (0.3 + 1.4 * prank)
        * np.where((age >= 25) & (age < 55), 1.2, 0.7)
    )
    contributor = uniform() < _by_sex(employed, female, weight, contrib_rates, risk)
    keep = np.where(female, injury[0] / max(contrib_rates[0], 1e-9), injury[1] / max(contrib_rates[1], 1e-9))
    injury_insured = contributor & (uniform() < keep)

    # Health protection: contributors' households, then a calibrated share of the others.
    contrib_hh = np.bincount(hh, weights=contributor, minlength=n_hh) > 0
    covered = hh_persons_w[contrib_hh].sum() / hh_persons_w.sum()
    target = min(cal.health / 100, COVERAGE_CEILING)
    rest = (target - covered) / (1 - covered) if target > covered else 0.0
    hh_risk = np.where(hh_urban, 1.2, 0.8) * np.where(hh_nn, 0.4, 1.0) * (0.7 + 0.6 * rank)
    health_hh = contrib_hh | (rng.random(n_hh) < _calibrated(~contrib_hh, rest, hh_persons_w, hh_risk))

    rec: dict[str, np.ndarray] = {}
    # Old-age pensions above the statutory pensionable age.
    pa = np.where(female, pensionable_age(profile.iso3, "F", year), pensionable_age(profile.iso3, "M", year))
    older = age >= pa
    pension_rates = sex_rates(cal.pensn, "pensn", _weighted_share_female(older, female, weight))
    risk = np.where(urban, 1.3, 0.7) * np.where(nn, 0.3, 1.0) * (0.6 + 0.8 * prank)
    pensioner = uniform() < _by_sex(older, female, weight, pension_rates, risk)
    nc_eligible = pensioner & (age >= profile.noncontrib_min_age)
    nc_share = profile.pension_noncontrib_share * weight[pensioner].sum() / max(weight[nc_eligible].sum(), 1e-9)
    noncontrib = nc_eligible & (uniform() < min(nc_share, COVERAGE_CEILING))
    rec["rec_oldage_contrib"] = pensioner & ~noncontrib
    rec["rec_oldage_noncontrib"] = noncontrib
    survivor_p = np.where(female, SURVIVOR_SHARE["F"] * pension_rates[0], SURVIVOR_SHARE["M"] * pension_rates[1])
    rec["rec_survivors"] = (age >= pa - 10 * female) & (uniform() < survivor_p)

    # Severe disability and disability benefits.
    slope = np.exp(DISABILITY_AGE_SLOPE * age)
    disabled = uniform() < _by_sex(np.ones(n, bool), female, weight, profile.disability_prevalence, slope)
    disab_rates = sex_rates(cal.disab, "disab", _weighted_share_female(disabled, female, weight))
    rec["rec_disability"] = uniform() < _by_sex(disabled, female, weight, disab_rates, np.where(nn, 0.5, 1.0))

    # Births and maternity benefits.
    rates = np.array(asfr(profile, year))
    eligible = female & (age >= 15) & (age <= 49)
    birth_p = np.where(eligible, rates[np.clip((age - 15) // 5, 0, 6)], 0.0)
    gave_birth = uniform() < birth_p
    risk = np.where(contributor, 3.0, np.where(employed, 1.0, 0.4))
    rec["rec_maternity"] = uniform() < _calibrated(
        gave_birth, min(cal.matnl.total / 100, COVERAGE_CEILING), weight, risk
    )

    # Unemployment, employment-injury and sickness benefits.
    uemp_rates = sex_rates(cal.uemp, "uemp", _weighted_share_female(unemployed, female, weight))
    rec["rec_unemployment"] = uniform() < _by_sex(unemployed, female, weight, uemp_rates, np.where(urban, 1.3, 0.7))
    rec["rec_employment_injury"] = injury_insured & (uniform() < INJURY_BENEFIT_RATE)
    rec["rec_sickness"] = contributor & (uniform() < SICKNESS_BENEFIT_RATE)

    # Household transfers: child/family benefit (children 0-15 and the head), social assistance.
    child = age <= CHILD_MAX_AGE
    child_w = np.bincount(hh, weights=weight * child, minlength=n_hh)
    hh_risk = (1.6 - 1.2 * rank) * np.where(hh_nn, 0.4, 1.0)
    child_hh = rng.random(n_hh) < _calibrated(
        child_w > 0, min(cal.chld.total / 100, COVERAGE_CEILING), child_w, hh_risk
    )
    rec["rec_child_family"] = child_hh[hh] & (child | (member == 1))
    hh_risk = np.exp(-3 * rank) * np.where(hh_nn, 0.5, 1.0)
    assist_hh = rng.random(n_hh) < _calibrated(
        np.ones(n_hh, bool), min(cal.vuln.total / 100, COVERAGE_CEILING), hh_persons_w, hh_risk
    )
    rec["rec_social_assistance"] = assist_hh[hh]

    # Groups at risk (issue 11), drawn after every variable above so that those keep the draws
    # they had before: informality (calibrated by sex to the ILOSTAT magnitude), agriculture,
    # domestic and platform work, status in employment.
    lm = LABOUR_MARKETS.get(profile.iso3, DEFAULT_LABOUR_MARKET)
    # informal jobs are mostly those without contributions (an own-account contributor to a
    # voluntary scheme may still work in an unregistered unit)
    informal_risk = np.where(contributor, 0.05, 1.0) * np.where(urban, 0.8, 1.3)
    informal = uniform() < _by_sex(
        employed, female, weight, (lm.informal[0] / 100, lm.informal[1] / 100), informal_risk
    )
    agriculture = uniform() < _calibrated(
        employed, lm.agriculture / 100, weight, np.where(urban, 0.25, 2.0) * np.where(informal, 2.0, 0.5)
    )
    domestic = uniform() < _by_sex(
        employed & ~agriculture,
        female,
        weight,
        (lm.domestic[0] / 100, lm.domestic[1] / 100),
        np.where(informal, 3.0, 0.5),
    )
    young_urban = urban & (age >= 18) & (age < 45)
    platform = uniform() < _by_sex(
        employed & ~agriculture & ~domestic,
        female,
        weight,
        (lm.platform[0] / 100, lm.platform[1] / 100),
        np.where(young_urban, 4.0, 0.3),
    )
    kind = np.where(contributor, 0, np.where(informal & agriculture, 1, np.where(informal, 2, 3)))
    table = np.array(
        [STATUS_PROBABILITIES[k] for k in ("contributor", "informal_agriculture", "informal_other", "formal_other")]
    )
    cum = np.cumsum(table, axis=1)[kind]
    status = (uniform()[:, None] > cum[:, :-1]).sum(axis=1)
    status = np.where(domestic, 3, status)
    status = np.where(employed, status, -1).astype(np.int8)
    sections = list(ISIC_OTHER)
    other_section = np.array([ord(c) - ord("A") for c in sections])[
        _draw_cells(rng, np.array(list(ISIC_OTHER.values())), n)
    ]
    isic = np.where(agriculture, 0, np.where(domestic, ord("T") - ord("A"), other_section))
    isic = np.where(employed, isic, -1).astype(np.int8)

    # Washington Group short set: a severe disability is "a lot of difficulty" (3) or "cannot do
    # at all" (4) in one domain; other domains "some difficulty" (2) by chance, else 1.
    wg_items = np.where(rng.random((6, n), dtype=np.float32) < WG_SOME_DIFFICULTY, 2, 1).astype(np.int8)
    domain = rng.integers(0, 6, n)
    severe_level = np.where(uniform() < 0.6, 3, 4).astype(np.int8)
    wg_items[domain[disabled], np.flatnonzero(disabled)] = severe_level[disabled]
    wg_items[:, age < WG_MIN_AGE] = 0

    # Benefit levels: what each person would receive from each function (annual, LCU); women's
    # earnings-related benefits are FEMALE_BENEFIT_RATIO of men's.
    benefit_level = {}
    for function, level in BENEFIT_LEVEL.items():
        gap = np.where(female, FEMALE_BENEFIT_RATIO, 1.0) if function in EARNINGS_RELATED else 1.0
        benefit_level[function] = level * median_lcu * gap * np.exp(rng.normal(0, 0.3, n))
    hh_quintile = np.minimum(np.ceil(rank * 5), 5).astype(np.int8)

    return Sample(
        profile=profile,
        year=year,
        stratum_labels=labels,
        stratum_region=s_region,
        stratum_urban=s_urban,
        hh_stratum=hh_stratum,
        hh_psu=hh_psu,
        hh_psu_in_stratum=psu_in,
        hh_weight=hh_weight,
        hh_size=sizes,
        hh_start=start,
        hh_non_national=hh_nn,
        hh_citizenship=hh_cit,
        citizenship_codes=codes,
        hh_consumption=consumption,
        hh_oop=oop,
        hh_pc_rank=rank,
        hh_poor=hh_poor,
        poverty_line=line,
        hh=hh,
        member=member,
        female=female,
        age=age,
        weight=weight,
        lf=lf,
        contributor=contributor,
        injury_insured=injury_insured,
        severe_disability=disabled,
        gave_birth=gave_birth,
        health_protected=health_hh[hh],
        status=status,
        informal=informal & employed,
        isic=isic,
        domestic=domestic,
        platform=platform,
        wg_items=wg_items,
        hh_quintile=hh_quintile,
        benefit_level=benefit_level,
        rec=rec,
    )


REC_FLAGS = (
    "rec_child_family",
    "rec_maternity",
    "rec_sickness",
    "rec_disability",
    "rec_unemployment",
    "rec_oldage_contrib",
    "rec_oldage_noncontrib",
    "rec_survivors",
    "rec_employment_injury",
    "rec_social_assistance",
)
LF_CODES = (None, "employed", "unemployed", "outside_labour_force")


def _codes(values: list[str | None], index: np.ndarray) -> pl.Series:
    """Text column from small integer codes (``values[index]``), without a numpy string array."""
    return pl.Series(values, dtype=pl.String).gather(index)


def canonical_frame(sample: Sample, survey_id: str, survey_kind: str) -> pl.DataFrame:
    """The sample as the canonical person table (names, order and dtypes of
    ``schemas.resources.survey``).
    """
    hh = sample.hh
    n = sample.n_persons
    adult = sample.age >= 15
    employed = sample.lf == 1

    def masked(flag: np.ndarray, keep: np.ndarray) -> pl.Series:
        return pl.select(pl.when(pl.Series(keep)).then(pl.Series(flag))).to_series()

    hh_ids = pl.Series(np.arange(1, sample.hh_size.size + 1)).cast(pl.String).str.zfill(7)
    psu_ids = pl.Series(sample.hh_psu + 1).cast(pl.String).str.zfill(5)
    columns = {
        "hh_id": hh_ids.gather(hh),
        "person_id": pl.Series(sample.member).cast(pl.String),
        "person_weight": pl.Series(sample.weight),
        "household_weight": pl.Series(sample.hh_weight[hh]),
        "stratum": _codes(sample.stratum_labels, sample.hh_stratum[hh]),
        "psu": psu_ids.gather(hh),
        "sex": _codes(["M", "F"], sample.female.view(np.uint8)),
        "age": pl.Series(sample.age, dtype=pl.Int64),
        "lf_status": _codes(list(LF_CODES), sample.lf),
        "contributor": masked(sample.contributor, adult),
        **{name: pl.Series(sample.rec[name]) for name in REC_FLAGS},
        "injury_insured": masked(sample.injury_insured, adult),
        "severe_disability": pl.Series(sample.severe_disability),
        "gave_birth": masked(sample.gave_birth, sample.birth_eligible),
        "nationality": _codes(["national", "non_national"], sample.hh_non_national.view(np.uint8)[hh]),
        "citizenship": _codes(sample.citizenship_codes, sample.hh_citizenship[hh]),
        "health_protected": pl.Series(sample.health_protected),
        "urban_rural": _codes(["rural", "urban"], sample.stratum_urban.view(np.uint8)[sample.hh_stratum][hh]),
        "hh_head": pl.Series(sample.head),
        "hh_consumption": pl.Series(sample.hh_consumption[hh]),
        "hh_oop_health": pl.Series(sample.hh_oop[hh]),
        "poor": pl.Series(sample.hh_poor[hh]),
        "status_in_employment": _codes([*sv.ICSE_CODES, None], sample.status),
        "informal_employment": masked(sample.informal, employed),
        "isic_section": _codes([*sv.ISIC_SECTIONS, None], sample.isic),
        "domestic_worker": masked(sample.domestic, employed),
        "platform_worker": masked(sample.platform, employed),
        "wg_difficulty": pl.Series(sample.wg_items.max(axis=0), dtype=pl.Int64).replace(0, None),
        "hh_welfare_pc": pl.Series(sample.hh_consumption[hh] / sample.hh_size[hh]),
        "welfare_quintile": pl.Series(sample.hh_quintile[hh], dtype=pl.Int64),
        "poverty_line": pl.Series(np.full(n, sample.poverty_line)),
        **{
            f"amt_{f}": pl.Series(np.where(sample.rec[f"rec_{f}"], sample.benefit_level[f], 0.0))
            for f in sv.BENEFIT_FUNCTIONS
        },
        "hh_size": pl.Series(sample.hh_size[hh], dtype=pl.Int64),
        "source_row": pl.Series(np.arange(1, n + 1, dtype=np.int64)),
    }
    constants = (
        pl.lit(survey_id).alias("survey_id"),
        pl.lit(sample.profile.iso3).alias("country"),
        pl.lit(sample.year, dtype=pl.Int64).alias("year"),
        pl.lit(survey_kind).alias("survey_kind"),
        pl.lit(None, dtype=pl.String).alias("age_class"),  # age is given in single years
    )
    return pl.DataFrame(columns).with_columns(constants).select(sv.COLUMN_ORDER)


def generate_persons(
    country: str = "GHA",
    n_persons: int = 10_000_000,
    seed: int = 1,
    *,
    year: int | None = None,
    survey_kind: str = "HIES",
    survey_id: str | None = None,
) -> pl.DataFrame:
    """A synthetic canonical person table of ``n_persons`` persons for ``country`` (ISO3, one of
    ``synthetic.countries.PROFILES``) and ``year`` (default: the calibration year), ready for the
    pipeline's survey steps. Same arguments, same table.
    """
    profile = PROFILES[country]
    year = year or profile.default_year
    sample = simulate(profile, year, n_persons, rng_for(seed, "persons", country, year))
    return canonical_frame(sample, survey_id or f"{country}_{survey_kind}_{year}", survey_kind)
