"""Codebooks of the bundled synthetic surveys: how each survey names and codes its variables.

Each function takes a ``SourceFile`` and maps every canonical variable once (or declares it
absent), in the style of the national survey it imitates (variable names, numeric codes,
amounts, missing-value codes, Washington Group items...). Across the set, every spec form of
the input contract is used: copy, ``codes`` with ``other`` and ``missing``, ``rule: positive``,
``in``, ``expr``, ``value``, ``scale``, inline ``absent`` and the ``absent:`` list. The catalogue
of surveys (design, file format, known issues) is ``synthetic.survey_files.SURVEYS``.
"""

from __future__ import annotations

import numpy as np

from schemas.resources import survey as sv
from synthetic.source_coding import NOT_ASKED, RELATION_LABELS, SourceFile

YES_NO = {1: True, 2: False}
YES_NO_LABELS = {1: "Yes", 2: "No"}
SEX_LABELS = {1: "Male", 2: "Female"}
LF_CODES = {1: "employed", 2: "unemployed", 3: "outside_labour_force"}
LF_LABELS = {1: "Employed", 2: "Unemployed", 3: "Outside the labour force"}
URBAN_CODES = {1: "urban", 2: "rural"}
URBAN_LABELS = {1: "Urban", 2: "Rural"}


# ICSE-18 detailed codes of each canonical group (methodology notes 11.1) and ICSE-93 codes.
ICSE18_DETAILED = {
    "employer": (11, 12),
    "independent_without_employees": (21, 22),
    "dependent_contractor": (30,),
    "employee": (41, 42, 43, 44),
    "contributing_family_worker": (51,),
}
ICSE18_MAP = {code: group for group, codes in ICSE18_DETAILED.items() for code in codes}
# ICSE-93 has no dependent contractors: they are coded own-account workers (3), as surveys did.
ICSE93_OF = {
    "employer": 2,
    "independent_without_employees": 3,
    "dependent_contractor": 3,
    "employee": 1,
    "contributing_family_worker": 4,
}
ICSE93_MAP = {1: "employee", 2: "employer", 3: "independent_without_employees", 4: "contributing_family_worker"}
ICSE93_LABELS = {1: "Employee", 2: "Employer", 3: "Own-account worker", 4: "Contributing family worker"}
# A representative ISIC Rev.4 division of each section (A 01 crop and animal production ...
# T 97 households as employers of domestic personnel).
SECTION_DIVISION = {
    "A": 1,
    "B": 5,
    "C": 10,
    "D": 35,
    "E": 36,
    "F": 41,
    "G": 47,
    "H": 49,
    "I": 56,
    "J": 61,
    "K": 64,
    "L": 68,
    "M": 69,
    "N": 78,
    "O": 84,
    "P": 85,
    "Q": 86,
    "R": 90,
    "S": 96,
    "T": 97,
    "U": 99,
}
OTHER_OCCUPATIONS = (2341, 4110, 5223, 6111, 7112, 8322, 9211, 9313)  # ISCO-08 codes of other jobs


# -- shared items -----------------------------------------------------------------------------------


def sex12(f: SourceFile) -> np.ndarray:
    """Sex coded 1 (man) / 2 (woman)."""
    return np.where(f.sample.female, 2.0, 1.0)


def lf123(f: SourceFile) -> np.ndarray:
    """1 employed, 2 unemployed, 3 outside the labour force; missing below 15."""
    lf = f.sample.lf.astype(float)
    lf[lf == 0] = NOT_ASKED
    return lf


def urban12(f: SourceFile) -> np.ndarray:
    """Area coded 1 (urban) / 2 (rural), from the household's stratum."""
    return f.per_person(np.where(f.sample.stratum_urban[f.sample.hh_stratum], 1.0, 2.0))


def stratum_code(f: SourceFile) -> np.ndarray:
    """Region number x 10 + 1 (urban) or 2 (rural)."""
    s = f.sample
    code = (s.stratum_region + 1) * 10 + np.where(s.stratum_urban, 1, 2)
    return f.per_person(code[s.hh_stratum].astype(float))


def psu_number(f: SourceFile, nested: bool, first: int = 1) -> np.ndarray:
    """PSU numbers restarting in each stratum (``nested``) or numbered nationally from ``first``."""
    s = f.sample
    f.psu_nested = nested
    return f.per_person((s.hh_psu_in_stratum if nested else s.hh_psu) + float(first))


def household_number(f: SourceFile) -> np.ndarray:
    """Household number within its PSU (1, 2, ...)."""
    psu = f.sample.hh_psu
    return f.per_person(np.arange(psu.size) - np.searchsorted(psu, psu) + 1.0)


def household_serial(f: SourceFile, prefix: str, width: int) -> list[str]:
    """Household serial numbers ``<prefix><n>``, ``n`` zero-padded to ``width`` digits."""
    serial = f.per_person(np.arange(1, f.sample.hh_size.size + 1))
    return [f"{prefix}{v:0{width}d}" for v in serial]


def household_weight(f: SourceFile, decimals: int) -> np.ndarray:
    """The household weight of each person, rounded to ``decimals``."""
    return np.round(f.per_person(f.sample.hh_weight), decimals)


def hh_size(f: SourceFile) -> np.ndarray:
    """The size of each person's household."""
    return f.per_person(f.sample.hh_size.astype(float))


def pc_consumption(f: SourceFile, decimals: int = 2) -> np.ndarray:
    """Household consumption per person, in the file's period and currency."""
    s = f.sample
    return f.money(s.hh_consumption / s.hh_size, decimals)


def poverty_line(f: SourceFile, decimals: int = 2) -> float:
    """The national poverty line per person, in the file's period and currency."""
    return round(f.sample.poverty_line / f.period, decimals)


def icse_codes(f: SourceFile, detailed: bool) -> np.ndarray:
    """Status in employment of the employed: ICSE-18 detailed codes (one of each group's codes at
    random) or ICSE-93 codes; missing outside employment.
    """
    s = f.sample
    groups = list(ICSE18_DETAILED)
    out = np.full(f.n, NOT_ASKED)
    for group in groups:
        rows = s.status == list(sv.ICSE_CODES).index(group)
        codes = np.array(ICSE18_DETAILED[group] if detailed else (ICSE93_OF[group],), float)
        out[rows] = f.rng.choice(codes, int(rows.sum()))
    return out


def isic_section_letters(f: SourceFile) -> list[str | None]:
    """ISIC Rev. 4 section letter of each employed person (None for the others)."""
    return [None if i < 0 else sv.ISIC_SECTIONS[i] for i in f.sample.isic]


def isic_divisions(f: SourceFile) -> np.ndarray:
    """ISIC Rev. 4 division of each employed person (the first of the section; ``NOT_ASKED`` for the
    others).
    """
    s = f.sample
    divisions = np.array([SECTION_DIVISION[c] for c in sv.ISIC_SECTIONS], float)
    return np.where(s.isic >= 0, divisions[np.maximum(s.isic, 0)], NOT_ASKED)


def pension_source(
    f: SourceFile, contributory: tuple[int, ...], noncontributory: int | None, none: int, asked: np.ndarray
) -> np.ndarray:
    """One 'main pension' question: a random contributory code for contributory pensioners,
    ``noncontributory`` for social pensioners, ``none`` otherwise, missing outside ``asked``.
    """
    s = f.sample
    codes = f.rng.choice(
        np.array(contributory, float),
        f.n,
        p=np.linspace(2, 1, len(contributory)) / np.linspace(2, 1, len(contributory)).sum(),
    )
    out = np.where(s.rec["rec_oldage_contrib"], codes, float(none))
    if noncontributory is not None:
        out[s.rec["rec_oldage_noncontrib"]] = noncontributory
    out[~asked] = NOT_ASKED
    return out


def household_or_amount(f: SourceFile, flag: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """A programme asked twice, as in many HIES: 'is the household a beneficiary' (1/2) and
    'amount received'; each recipient answers at least one of the two positively.
    """
    ticks = f.rng.random(f.n)
    member = np.where(flag & (ticks < 0.85), 1.0, 2.0)
    amount = f.amount(flag & ((ticks >= 0.85) | (f.rng.random(f.n) < 0.7)), kind)
    return member, amount


# -- Ghana ----------------------------------------------------------------------------------------


def gha_lfs_2015(f: SourceFile) -> None:
    """Ghana Labour Force Survey style (SPSS): employment, SSNIT contributions, pensions."""
    s = f.sample
    adult = s.age >= 15
    f.copy("hh_id", "HHID", f.per_person(np.arange(1, s.hh_size.size + 1) + 100000.0), "Household identification")
    f.copy("person_id", "PID", s.member.astype(float), "Person line number")
    f.copy("person_weight", "WEIGHT", np.round(s.weight, 3), "Person weight (calibrated)")
    f.copy("stratum", "STRATUM", stratum_code(f), "Region x locality")
    f.copy("psu", "EA", psu_number(f, nested=False, first=1001), "Enumeration area")
    f.codes("sex", "B1", sex12(f), {1: "M", 2: "F"}, label="Sex", value_labels=SEX_LABELS)
    f.copy("age", "B2", s.age.astype(float), "Age in completed years")
    f.codes("lf_status", "ILO_STATUS", lf123(f), LF_CODES, label="ILO activity status", value_labels=LF_LABELS)
    employed = s.lf == 1
    f.codes(
        "contributor",
        "E25",
        f.flag(s.contributor, asked=employed, dont_know=8, dont_know_share=0.02),
        YES_NO,
        missing=(8,),
        label="Contributes to SSNIT",
        value_labels={**YES_NO_LABELS, 8: "Don't know"},
        comment="asked of the employed; 8 = don't know",
    )
    f.add(
        "P1",
        pension_source(f, (1, 2), None, 3, adult),
        "Receives a pension",
        {1: "SSNIT", 2: "Other occupational pension", 3: "None"},
    )
    f.among("rec_oldage_contrib", "P1", [1, 2])
    f.value("rec_oldage_noncontrib", False, "Ghana has no non-contributory pension")
    nationality = np.where(f.per_person(s.hh_non_national), f.rng.choice([2.0, 3.0, 4.0], f.n, p=[0.7, 0.2, 0.1]), 1.0)
    f.codes(
        "nationality",
        "B7",
        nationality,
        {1: "national"},
        other="non_national",
        label="Nationality",
        value_labels={1: "Ghanaian", 2: "ECOWAS national", 3: "Other African", 4: "Other"},
    )
    f.codes("urban_rural", "URBRUR", urban12(f), URBAN_CODES, label="Locality", value_labels=URBAN_LABELS)
    f.add("B3", f.relationship(), "Relationship to head", RELATION_LABELS)
    f.among("hh_head", "B3", [1])
    f.declare_absent(
        "household_weight",
        "rec_child_family",
        "rec_maternity",
        "rec_sickness",
        "rec_disability",
        "rec_unemployment",
        "rec_survivors",
        "rec_employment_injury",
        "rec_social_assistance",
        "injury_insured",
        "severe_disability",
        "gave_birth",
        "citizenship",
        "health_protected",
        "hh_consumption",
        "hh_oop_health",
        "poor",
    )


def gha_hies_2022(f: SourceFile) -> None:
    """Ghana Annual Household Income and Expenditure Survey style (Stata)."""
    s, rec = f.sample, f.sample.rec
    adult = s.age >= 15
    employed = s.lf == 1
    f.copy("hh_id", "hhid", household_serial(f, "GH22", 6), "Household ID")
    f.copy("person_id", "pid", s.member.astype(float), "Member line number")
    f.copy("person_weight", "wgt_ind", np.round(s.weight, 3), "Individual weight")
    f.copy("household_weight", "wgt_hh", household_weight(f, 3), "Household weight")
    f.copy("stratum", "strat", stratum_code(f), "Stratum (region x urban/rural)")
    f.copy("psu", "ea", psu_number(f, nested=True), "Enumeration area number within stratum")
    f.codes("sex", "s1q2", sex12(f), {1: "M", 2: "F"}, label="Sex", value_labels=SEX_LABELS)
    f.copy("age", "s1q5y", s.age.astype(float), "Age (years)")
    f.codes("lf_status", "lfstat", lf123(f), LF_CODES, label="Labour force status (ILO)", value_labels=LF_LABELS)
    f.codes(
        "contributor",
        "s4q30",
        f.flag(s.contributor, asked=employed, dont_know=8, dont_know_share=0.02),
        YES_NO,
        missing=(8,),
        label="Contributes to SSNIT in main job",
        value_labels={**YES_NO_LABELS, 8: "Don't know"},
    )
    f.codes(
        "injury_insured",
        "s4q31",
        f.flag(s.injury_insured, asked=employed),
        YES_NO,
        label="Covered by workmen's compensation",
        value_labels=YES_NO_LABELS,
    )
    f.positive(
        "rec_child_family",
        "amt_child",
        f.amount(rec["rec_child_family"], "child"),
        "Child grant received, last 12 months (GHS)",
    )
    births = s.gave_birth & s.birth_eligible
    f.codes(
        "rec_maternity",
        "s4q38",
        f.flag(rec["rec_maternity"], asked=births),
        YES_NO,
        label="Received maternity pay",
        value_labels=YES_NO_LABELS,
    )
    f.absent_inline("rec_sickness", "sickness benefits are not asked")
    f.positive(
        "rec_disability",
        "amt_disab",
        f.amount(rec["rec_disability"], "disability"),
        "Disability grant (DACF), last 12 months (GHS)",
    )
    f.value("rec_unemployment", False, "Ghana has no unemployment benefit scheme")
    f.add(
        "pens_type",
        pension_source(f, (1, 2), None, 0, adult),
        "Type of pension received",
        {0: "None", 1: "SSNIT", 2: "CAP 30"},
    )
    f.among("rec_oldage_contrib", "pens_type", [1, 2])
    f.value(
        "rec_oldage_noncontrib",
        False,
        "Ghana has no non-contributory pension; LEAP grants to older persons are social assistance",
    )
    f.positive(
        "rec_survivors",
        "amt_surv",
        f.amount(rec["rec_survivors"], "survivors"),
        "Survivors' benefit, last 12 months (GHS)",
    )
    f.declare_absent("rec_employment_injury")
    leap, leap_amt = household_or_amount(f, rec["rec_social_assistance"], "assistance")
    f.add("leap", leap, "Household is a LEAP beneficiary", YES_NO_LABELS)
    f.add("leap_amt", leap_amt, "LEAP cash received, last 12 months (GHS)")
    f.expr("rec_social_assistance", "leap = 1 OR leap_amt > 0")
    f.add_washington_group("severe_disability", ["s2d1", "s2d2", "s2d3", "s2d4", "s2d5", "s2d6"])
    f.codes(
        "gave_birth",
        "s3q12",
        f.flag(s.gave_birth, asked=s.birth_eligible),
        YES_NO,
        label="Live birth in the last 12 months",
        value_labels=YES_NO_LABELS,
    )
    citizenship = [s.citizenship_codes[c] for c in f.per_person(s.hh_citizenship)]
    f.codes(
        "nationality", "citz", citizenship, {"GHA": "national"}, other="non_national", label="Citizenship (ISO 3166)"
    )
    f.copy("citizenship", "citz")
    nhis = np.where(s.health_protected, 1.0, f.rng.choice([2.0, 3.0], f.n, p=[0.4, 0.6]))
    f.codes(
        "health_protected",
        "nhis",
        nhis,
        {1: True, 2: False, 3: False},
        label="NHIS membership",
        value_labels={1: "Active card", 2: "Expired card", 3: "Never registered"},
    )
    f.codes("urban_rural", "urbrur", urban12(f), URBAN_CODES, label="Locality", value_labels=URBAN_LABELS)
    f.add("s1q3", f.relationship(), "Relationship to head", RELATION_LABELS)
    f.among("hh_head", "s1q3", [1])
    f.copy("hh_consumption", "totcons", f.money(s.hh_consumption), "Total household consumption, annual (GHS)")
    f.copy("hh_oop_health", "hlthexp", f.money(s.hh_oop), "Out-of-pocket health expenditure, annual (GHS)")
    f.add("pcexp", pc_consumption(f), "Consumption per capita, annual (GHS)")
    f.expr("poor", f"pcexp < {poverty_line(f)}", "national poverty line, GHS per person per year")
    # Groups at risk and benefit amounts (issue 11).
    f.codes(
        "status_in_employment",
        "s4q7",
        icse_codes(f, detailed=False),
        ICSE93_MAP,
        label="Employment status, main job (ICSE-93)",
        value_labels=ICSE93_LABELS,
        comment="ICSE-93: dependent contractors are among own-account workers (3)",
    )
    f.codes(
        "informal_employment",
        "s4q40",
        f.flag(s.informal, asked=employed),
        YES_NO,
        label="Informal main job (GSS definition)",
        value_labels=YES_NO_LABELS,
        comment="employees without employer SSNIT contributions; independent workers in unregistered units",
    )
    f.copy("isic_section", "s4q6_sect", isic_section_letters(f), "Industry of main job, ISIC Rev.4 section")
    f.add("s4q6_div", isic_divisions(f), "Industry of main job, ISIC Rev.4 division")
    f.among(
        "domestic_worker",
        "s4q6_div",
        [97],
        comment="ISIC Rev.4 division 97: households as employers of domestic personnel",
    )
    f.absent_inline("platform_worker", "platform work is not asked")
    f.map_washington_group("wg_difficulty", ["s2d1", "s2d2", "s2d3", "s2d4", "s2d5", "s2d6"])
    f.copy("hh_welfare_pc", "pcexp", comment="ranks the welfare quintiles (no quintile variable in the file)")
    f.absent_inline("welfare_quintile", "ranked by the pipeline from hh_welfare_pc")
    f.copy("amt_child_family", "amt_child")
    f.copy("amt_disability", "amt_disab")
    f.copy("amt_survivors", "amt_surv")
    f.copy(
        "amt_social_assistance",
        "leap_amt",
        comment="LEAP households that gave no amount count as covered, not in the mean benefit",
    )
    f.copy(
        "amt_oldage_contrib",
        "pens_amt",
        f.amount(rec["rec_oldage_contrib"], "pension", asked=adult),
        "Pension received, last 12 months (GHS)",
    )
    f.value("poverty_line", poverty_line(f), "national poverty line, GHS per person per year")


# -- Kenya ----------------------------------------------------------------------------------------


def ken_hbs_2015(f: SourceFile) -> None:
    """Kenya Integrated Household Budget Survey style (CSV, monthly amounts)."""
    s, rec = f.sample, f.sample.rec
    adult = s.age >= 15
    employed = s.lf == 1
    cluster = psu_number(f, nested=False, first=10001)
    f.copy("psu", "clid", cluster, "Cluster")
    f.copy(
        "hh_id",
        "hhid",
        [f"{int(c)}_{int(h):02d}" for c, h in zip(cluster, household_number(f), strict=True)],
        "Cluster_household",
    )
    f.copy("person_id", "b01", s.member.astype(float), "Line number")
    f.copy("person_weight", "wta_pop", np.round(s.weight, 3), "Population weight")
    f.copy("household_weight", "wta_hh", household_weight(f, 3), "Household weight")
    labels = [
        f"{s.profile.regions[s.stratum_region[k]].name} {'Urban' if s.stratum_urban[k] else 'Rural'}"
        for k in range(len(s.stratum_labels))
    ]
    f.copy("stratum", "strat_lbl", [labels[k] for k in f.per_person(s.hh_stratum)], "Sampling stratum")
    f.codes("sex", "b04", sex12(f), {1: "M", 2: "F"}, label="Sex")
    f.copy("age", "b05_years", s.age.astype(float), "Age in years")
    status = {1: "Employed", 2: "Unemployed", 3: "Inactive"}
    f.codes(
        "lf_status",
        "lfs_status",
        [status.get(v) for v in s.lf],
        {"Employed": "employed", "Unemployed": "unemployed", "Inactive": "outside_labour_force"},
        label="Labour force status",
    )
    f.codes("contributor", "nssf", f.flag(s.contributor, asked=employed), YES_NO, label="Contributes to NSSF")
    f.codes(
        "injury_insured", "wiba", f.flag(s.injury_insured, asked=employed), YES_NO, label="Covered by WIBA insurance"
    )
    f.positive(
        "rec_child_family", "ct_ovc_amt", f.amount(rec["rec_child_family"], "child"), "CT-OVC received, KSh per month"
    )
    f.declare_absent(
        "rec_maternity",
        "rec_sickness",
        "rec_unemployment",
        "rec_survivors",
        "rec_employment_injury",
        "nationality",
        "citizenship",
    )
    f.codes("rec_disability", "pwsd_ct", f.flag(rec["rec_disability"]), YES_NO, label="Receives PWSD cash transfer")
    f.add(
        "pension_src",
        pension_source(f, (1,), 2, 0, adult),
        "Pension received",
        {0: "None", 1: "NSSF/civil service", 2: "Inua Jamii 70+"},
    )
    f.among("rec_oldage_contrib", "pension_src", [1])
    f.among("rec_oldage_noncontrib", "pension_src", [2])
    hsnp, other_ct = household_or_amount(f, rec["rec_social_assistance"], "assistance")
    f.add("hsnp", hsnp, "Household in HSNP")
    f.add("other_ct_amt", other_ct, "Other government cash transfers, KSh per month")
    f.expr("rec_social_assistance", "hsnp = 1 OR other_ct_amt > 0")
    f.add_washington_group("severe_disability", ["wg_see", "wg_hear", "wg_walk", "wg_cog", "wg_care", "wg_comm"])
    f.codes(
        "gave_birth",
        "f10",
        f.flag(s.gave_birth, asked=s.birth_eligible),
        YES_NO,
        label="Gave birth in the last 12 months",
    )
    f.codes("health_protected", "nhif", f.flag(s.health_protected), YES_NO, label="Covered by NHIF")
    f.codes(
        "urban_rural",
        "resid",
        np.where(urban12(f) == 1, 2.0, 1.0),
        {1: "rural", 2: "urban"},
        label="Residence (1 rural, 2 urban)",
    )
    f.add("b03", f.relationship(), "Relationship to head")
    f.among("hh_head", "b03", [1])
    f.copy("hh_consumption", "hhcons_m", f.money(s.hh_consumption), "Household consumption, KSh per month")
    f.copy("hh_oop_health", "hlth_m", f.money(s.hh_oop), "Health out-of-pocket, KSh per month")
    f.codes(
        "poor",
        "poor",
        f.flag(f.per_person(s.hh_poor), true=1, false=0),
        {1: True, 0: False},
        label="Below the national poverty line",
    )


# -- South Africa ---------------------------------------------------------------------------------


def zaf_lfs_2021(f: SourceFile) -> None:
    """Quarterly Labour Force Survey style (Parquet)."""
    s, rec = f.sample, f.sample.rec
    employed, unemployed = s.lf == 1, s.lf == 2
    psu = psu_number(f, nested=False, first=79000001)
    f.copy("psu", "PSU", psu, "Primary sampling unit")
    f.copy(
        "hh_id",
        "UQNO",
        [f"{int(p)}{int(h):04d}" for p, h in zip(psu, household_number(f), strict=True)],
        "Unique household number",
    )
    f.copy("person_id", "PERSONNO", s.member.astype(float), "Person number")
    f.copy("person_weight", "Weight", np.round(s.weight, 4), "Person weight")
    f.copy("stratum", "Stratum", stratum_code(f) + 10000, "Stratum")
    f.codes("sex", "Q13GENDER", sex12(f), {1: "M", 2: "F"}, label="Gender")
    f.copy("age", "Q14AGE", s.age.astype(float), "Age")
    status = np.where(s.lf == 3, f.rng.choice([3.0, 4.0], f.n, p=[0.15, 0.85]), lf123(f))
    f.codes(
        "lf_status",
        "Status",
        status,
        {1: "employed", 2: "unemployed", 3: "outside_labour_force", 4: "outside_labour_force"},
        label="Labour market status",
        value_labels={1: "Employed", 2: "Unemployed", 3: "Discouraged job-seeker", 4: "Other not economically active"},
    )
    f.codes(
        "contributor",
        "Q4_UIF",
        f.flag(s.contributor, asked=employed, dont_know=3, dont_know_share=0.03),
        YES_NO,
        missing=(3,),
        label="UIF deductions made",
        value_labels={**YES_NO_LABELS, 3: "Don't know"},
    )
    f.codes(
        "rec_unemployment",
        "Q39UIFCLAIM",
        f.flag(rec["rec_unemployment"], asked=unemployed),
        YES_NO,
        label="Receiving UIF benefits (unemployed)",
    )
    f.codes(
        "nationality",
        "Q19CITIZEN",
        f.flag(~f.per_person(s.hh_non_national)),
        {1: "national", 2: "non_national"},
        label="South African citizen",
    )
    f.codes(
        "urban_rural",
        "Geo_type",
        np.where(urban12(f) == 1, 1.0, f.rng.choice([2.0, 3.0], f.n, p=[0.8, 0.2])),
        {1: "urban", 2: "rural", 3: "rural"},
        label="Geography type",
        value_labels={1: "Urban", 2: "Traditional", 3: "Farms"},
    )
    f.add("Q11REL", f.relationship(), "Relationship to household head")
    f.among("hh_head", "Q11REL", [1])
    f.declare_absent(
        "household_weight",
        "rec_child_family",
        "rec_maternity",
        "rec_sickness",
        "rec_disability",
        "rec_oldage_contrib",
        "rec_oldage_noncontrib",
        "rec_survivors",
        "rec_employment_injury",
        "rec_social_assistance",
        "injury_insured",
        "severe_disability",
        "gave_birth",
        "citizenship",
        "health_protected",
        "hh_consumption",
        "hh_oop_health",
        "poor",
    )


# -- Brazil ---------------------------------------------------------------------------------------


def bra_hbs_2018(f: SourceFile) -> None:
    """Pesquisa de Orçamentos Familiares style (CSV with ';' and latin-1, monthly amounts)."""
    s, rec = f.sample, f.sample.rec
    employed = s.lf == 1
    upa = psu_number(f, nested=False, first=110000001)
    f.copy("psu", "COD_UPA", upa, "Unidade primária de amostragem")
    f.copy(
        "hh_id", "ID_DOM", [f"{int(u)}{int(h):02d}" for u, h in zip(upa, household_number(f), strict=True)], "Domicílio"
    )
    f.copy("person_id", "COD_INFORMANTE", s.member.astype(float), "Número do morador")
    f.copy("person_weight", "PESO_FINAL", np.round(s.weight, 4), "Peso final")
    f.declare_absent("household_weight")
    f.copy("stratum", "ESTRATO_POF", stratum_code(f) * 100 + 1, "Estrato")
    f.add(
        "REGIAO_NOME",
        [f"Região {s.profile.regions[r].name}" for r in f.per_person(s.stratum_region[s.hh_stratum])],
        "Região",
    )
    f.codes("sex", "V0404", sex12(f), {1: "M", 2: "F"}, label="Sexo")
    f.copy("age", "V0403_IDADE", s.age.astype(float), "Idade em anos")
    f.codes("lf_status", "COND_OCUP", lf123(f), LF_CODES, label="Condição de ocupação")
    f.codes(
        "contributor",
        "CONTRIB_PREV",
        f.flag(s.contributor, asked=employed),
        YES_NO,
        label="Contribui para a previdência",
    )
    position = np.where(
        s.injury_insured,
        f.rng.choice([1.0, 2.0], f.n, p=[0.8, 0.2]),
        np.where(s.contributor, f.rng.choice([3.0, 4.0], f.n, p=[0.8, 0.2]), 5.0),
    )
    position[~employed] = NOT_ASKED
    f.add(
        "POSICAO",
        position,
        "Posição na ocupação",
        {1: "Empregado com carteira", 2: "Servidor público", 3: "Conta própria", 4: "Empregador", 5: "Sem carteira"},
    )
    f.among("injury_insured", "POSICAO", [1, 2], comment="employees with a signed work card and civil servants (SAT)")
    f.positive(
        "rec_child_family", "V_BOLSA_FAMILIA", f.amount(rec["rec_child_family"], "child"), "Bolsa Família (R$ por mês)"
    )
    f.positive(
        "rec_maternity",
        "V_SAL_MATERNIDADE",
        f.amount(rec["rec_maternity"], "maternity"),
        "Salário-maternidade (R$ por mês)",
    )
    f.positive("rec_sickness", "V_AUX_DOENCA", f.amount(rec["rec_sickness"], "sickness"), "Auxílio-doença (R$ por mês)")
    split = f.rng.random(f.n) < s.profile.disability_noncontrib_share
    f.add("V_BPC_DEF", f.amount(rec["rec_disability"] & split, "disability"), "BPC pessoa com deficiência (R$ por mês)")
    f.add(
        "V_APOS_INVALIDEZ",
        f.amount(rec["rec_disability"] & ~split, "disability"),
        "Aposentadoria por invalidez (R$ por mês)",
    )
    f.expr("rec_disability", "V_BPC_DEF > 0 OR V_APOS_INVALIDEZ > 0")
    f.positive(
        "rec_unemployment",
        "V_SEG_DESEMP",
        f.amount(rec["rec_unemployment"], "unemployment"),
        "Seguro-desemprego (R$ por mês)",
    )
    f.positive(
        "rec_oldage_contrib", "V_APOSENT", f.amount(rec["rec_oldage_contrib"], "pension"), "Aposentadoria (R$ por mês)"
    )
    f.positive(
        "rec_oldage_noncontrib",
        "V_BPC_IDOSO",
        f.amount(rec["rec_oldage_noncontrib"], "social_pension"),
        "BPC idoso (R$ por mês)",
    )
    f.positive(
        "rec_survivors", "V_PENSAO_MORTE", f.amount(rec["rec_survivors"], "survivors"), "Pensão por morte (R$ por mês)"
    )
    f.positive(
        "rec_employment_injury",
        "V_AUX_ACIDENTE",
        f.amount(rec["rec_employment_injury"], "injury"),
        "Auxílio-acidente (R$ por mês)",
    )
    f.positive(
        "rec_social_assistance",
        "V_PROG_SOCIAL",
        f.amount(rec["rec_social_assistance"], "assistance"),
        "Outros programas sociais (R$ por mês)",
    )
    f.add_washington_group(
        "severe_disability",
        ["V_DIF_ENXERGAR", "V_DIF_OUVIR", "V_DIF_ANDAR", "V_DIF_LEMBRAR", "V_DIF_CUIDADO", "V_DIF_COMUNICAR"],
    )
    f.codes(
        "gave_birth",
        "V_PARTO12M",
        f.flag(s.gave_birth, asked=s.birth_eligible),
        YES_NO,
        label="Teve parto nos últimos 12 meses",
    )
    nationality = np.where(f.per_person(s.hh_non_national), 3.0, f.rng.choice([1.0, 2.0], f.n, p=[0.995, 0.005]))
    f.codes(
        "nationality",
        "V_NACIONALIDADE",
        nationality,
        {1: "national", 2: "national", 3: "non_national"},
        label="Nacionalidade",
        value_labels={1: "Brasileiro nato", 2: "Naturalizado", 3: "Estrangeiro"},
    )
    f.declare_absent("citizenship")
    f.value(
        "health_protected", True, "the Sistema Único de Saúde covers every resident (Constituição de 1988, art. 196)"
    )
    f.codes("urban_rural", "TIPO_SITUACAO_REG", urban12(f), URBAN_CODES, label="Situação do domicílio")
    f.add("V0306", f.relationship(), "Condição no domicílio")
    f.codes("hh_head", "V0306", None, {1: True}, other=False, new=False, comment="1 = pessoa de referência")
    f.copy("hh_consumption", "DESPESA_MENSAL", f.money(s.hh_consumption), "Despesa total do domicílio (R$ por mês)")
    f.copy("hh_oop_health", "DESP_SAUDE_MENSAL", f.money(s.hh_oop), "Despesa com saúde (R$ por mês)")
    f.add("MORADORES", hh_size(f), "Número de moradores")
    f.expr("poor", f"DESPESA_MENSAL / MORADORES < {poverty_line(f)}", "poverty line, R$ per person per month")


# -- Mexico ---------------------------------------------------------------------------------------


def mex_lfs_2021(f: SourceFile) -> None:
    """Encuesta Nacional de Ocupación y Empleo style (Parquet, integer expansion factors)."""
    s = f.sample
    employed = s.lf == 1
    upm = psu_number(f, nested=False, first=100001)
    f.copy("psu", "upm", upm, "Unidad primaria de muestreo")
    f.copy(
        "hh_id",
        "folio",
        [f"{int(u)}{int(h):03d}1" for u, h in zip(upm, household_number(f), strict=True)],
        "Vivienda y hogar",
    )
    f.copy("person_id", "n_ren", s.member.astype(float), "Número de renglón")
    f.copy("person_weight", "fac_tri", np.maximum(np.round(s.weight), 1.0), "Factor de expansión trimestral")
    f.copy("stratum", "est_d_tri", stratum_code(f), "Estrato de diseño")
    f.codes("sex", "sex", sex12(f), {1: "M", 2: "F"}, label="Sexo")
    f.copy(
        "age",
        "eda",
        np.minimum(s.age, 98).astype(float),
        "Edad (98 = 98 y más, 99 = no especificado)",
        missing=(99,),
        comment="99 = not specified (read as missing); ages 98 and over are top-coded 98",
    )
    clase = np.where(s.lf == 3, f.rng.choice([3.0, 4.0], f.n, p=[0.2, 0.8]), lf123(f))
    f.codes(
        "lf_status",
        "clase2",
        clase,
        {1: "employed", 2: "unemployed", 3: "outside_labour_force", 4: "outside_labour_force"},
        label="Clasificación de la población",
        value_labels={1: "Ocupada", 2: "Desocupada", 3: "Disponible", 4: "No disponible"},
    )
    access = np.where(
        s.injury_insured, f.rng.choice([1.0, 2.0], f.n, p=[0.85, 0.15]), np.where(s.contributor, 3.0, 4.0)
    )
    access[~employed] = NOT_ASKED
    access[employed & (f.rng.random(f.n) < 0.01)] = 5
    f.add(
        "imssissste",
        access,
        "Acceso a instituciones de salud por el trabajo",
        {1: "IMSS", 2: "ISSSTE", 3: "Otra institución", 4: "No recibe", 5: "No especificado"},
    )
    f.among("contributor", "imssissste", [1, 2, 3], missing=(5,))
    f.among("injury_insured", "imssissste", [1, 2], missing=(5,), comment="IMSS and ISSSTE insure work risks")
    seg_pop = f.flag(s.health_protected)
    f.add("seg_pop", seg_pop, "Afiliado a algún servicio de salud", YES_NO_LABELS)
    f.expr("health_protected", "imssissste IN (1, 2, 3) OR seg_pop = 1")
    f.codes("urban_rural", "ur", urban12(f), URBAN_CODES, label="Urbano/rural")
    f.add("par_c", np.where(f.relationship() == 1, 101.0, 200.0 + f.relationship()), "Parentesco")
    f.codes("hh_head", "par_c", None, {101: True}, other=False, new=False, comment="101 = jefe(a) del hogar")
    f.declare_absent(
        "household_weight",
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
        "severe_disability",
        "gave_birth",
        "nationality",
        "citizenship",
        "hh_consumption",
        "hh_oop_health",
        "poor",
    )
    # Groups at risk (issue 11): ICSE-18 detailed codes, INEGI's informality, industry, occupation, platform work.
    f.codes(
        "status_in_employment",
        "pos_ocu18",
        icse_codes(f, detailed=True),
        ICSE18_MAP,
        label="Situación en el empleo (CISE-18)",
    )
    f.codes(
        "informal_employment",
        "emp_ppal",
        f.flag(s.informal, asked=employed),
        {1: True, 2: False},
        label="Empleo informal (INEGI)",
        value_labels={1: "Informal", 2: "Formal"},
    )
    f.codes(
        "isic_section",
        "rama_ciiu",
        isic_divisions(f),
        {d: c for c, d in SECTION_DIVISION.items()},
        label="Rama (CIIU Rev.4, división)",
        comment="one division per section in this file",
    )
    occupation = np.where(s.domestic, 9111.0, f.rng.choice(np.array(OTHER_OCCUPATIONS, float), f.n))
    occupation[~employed] = NOT_ASKED
    f.add("cmo_isco", occupation, "Ocupación (CIUO-08)")
    f.among(
        "domestic_worker",
        "cmo_isco",
        [9111, 5152],
        comment="ISCO-08 9111 domestic cleaners and helpers, 5152 domestic housekeepers",
    )
    f.codes(
        "platform_worker",
        "plataforma",
        f.flag(s.platform, asked=employed),
        YES_NO,
        label="Trabaja mediante una plataforma digital",
    )


def mex_hies_2022(f: SourceFile) -> None:
    """Encuesta Nacional de Ingresos y Gastos de los Hogares style (Stata, monthly amounts)."""
    s, rec = f.sample, f.sample.rec
    employed = s.lf == 1
    upm = psu_number(f, nested=False, first=200001)
    f.copy("psu", "upm", upm, "Unidad primaria de muestreo")
    f.copy(
        "hh_id",
        "folioviv",
        [f"{int(u)}{int(h):03d}" for u, h in zip(upm, household_number(f), strict=True)],
        "Folio de la vivienda",
    )
    f.copy("person_id", "numren", s.member.astype(float), "Número de renglón")
    factor = household_weight(f, 0)
    f.copy(
        "person_weight",
        "factor",
        factor,
        "Factor de expansión (hogar)",
        comment="ENIGH applies the household factor to persons",
    )
    f.copy("household_weight", "factor")
    f.copy("stratum", "est_dis", stratum_code(f) + 100, "Estrato de diseño")
    f.codes("sex", "sexo", sex12(f), {1: "M", 2: "F"}, label="Sexo", value_labels={1: "Hombre", 2: "Mujer"})
    f.copy("age", "edad", s.age.astype(float), "Edad")
    f.absent_inline("lf_status", "the ENIGH person file has no ILO labour-force status")
    f.codes(
        "contributor", "segsoc", f.flag(s.contributor, asked=employed), YES_NO, label="Cotiza a la seguridad social"
    )
    f.absent_inline("injury_insured", "not asked")
    f.positive(
        "rec_child_family",
        "becas",
        f.amount(rec["rec_child_family"], "child"),
        "Becas para el Bienestar (pesos al mes)",
    )
    f.declare_absent("rec_maternity", "rec_sickness", "rec_unemployment", "rec_employment_injury")
    split = f.rng.random(f.n) < s.profile.disability_noncontrib_share
    f.add(
        "discap",
        f.amount(rec["rec_disability"] & split, "disability"),
        "Pensión para personas con discapacidad (pesos al mes)",
    )
    f.add("pension_inv", f.amount(rec["rec_disability"] & ~split, "disability"), "Pensión de invalidez (pesos al mes)")
    f.expr("rec_disability", "discap > 0 OR pension_inv > 0")
    f.positive(
        "rec_oldage_contrib",
        "jubilacion",
        f.amount(rec["rec_oldage_contrib"], "pension"),
        "Jubilaciones y pensiones (pesos al mes)",
    )
    f.positive(
        "rec_oldage_noncontrib",
        "adulmay",
        f.amount(rec["rec_oldage_noncontrib"], "social_pension"),
        "Pensión para adultos mayores (pesos al mes)",
    )
    f.positive(
        "rec_survivors",
        "pension_viudez",
        f.amount(rec["rec_survivors"], "survivors"),
        "Pensión de viudez u orfandad (pesos al mes)",
    )
    f.positive(
        "rec_social_assistance",
        "otros_prog",
        f.amount(rec["rec_social_assistance"], "assistance"),
        "Otros programas sociales (pesos al mes)",
    )
    f.add_washington_group(
        "severe_disability", ["disc_ver", "disc_oir", "disc_cam", "disc_rec", "disc_ves", "disc_hab"]
    )
    f.codes(
        "gave_birth",
        "hijos_12m",
        f.flag(s.gave_birth, asked=s.birth_eligible),
        YES_NO,
        label="Tuvo un hijo nacido vivo en los últimos 12 meses",
    )
    nat = np.where(f.per_person(s.hh_non_national), 2.0, f.rng.choice([1.0, 3.0], f.n, p=[0.99, 0.01]))
    f.codes(
        "nationality",
        "nacionalidad",
        nat,
        {1: "national", 3: "national"},
        other="non_national",
        label="Nacionalidad",
        value_labels={1: "Mexicana", 2: "Extranjera", 3: "Mexicana y otra"},
    )
    f.declare_absent("citizenship")
    f.codes("health_protected", "atemed", f.flag(s.health_protected), YES_NO, label="Afiliado a servicios médicos")
    size = np.where(urban12(f) == 1, f.rng.choice([1.0, 2.0, 3.0], f.n, p=[0.6, 0.25, 0.15]), 4.0)
    f.codes(
        "urban_rural",
        "tam_loc",
        size,
        {1: "urban", 2: "urban", 3: "urban", 4: "rural"},
        label="Tamaño de localidad",
        value_labels={1: "100 000 y más", 2: "15 000 a 99 999", 3: "2 500 a 14 999", 4: "Menos de 2 500"},
    )
    rel = f.relationship()
    f.add("parentesco", np.where(rel == 1, 101.0, 200.0 + rel), "Parentesco con el jefe(a)")
    f.codes("hh_head", "parentesco", None, {101: True}, other=False, new=False)
    f.copy(
        "hh_consumption",
        "gasto_mon",
        f.money(s.hh_consumption),
        "Gasto corriente monetario y no monetario (pesos al mes)",
    )
    f.copy("hh_oop_health", "salud", f.money(s.hh_oop), "Gasto en salud (pesos al mes)")
    f.add("ictpc", pc_consumption(f), "Gasto per cápita (pesos al mes)")
    f.expr("poor", f"ictpc < {poverty_line(f)}", "national poverty line, pesos per person per month")
    # Benefit amounts, welfare and its deciles (issue 11); monthly amounts become annual (amounts_period).
    f.copy("hh_welfare_pc", "ictpc")
    decile = f.per_person(np.minimum(np.ceil(s.hh_pc_rank * 10), 10))
    f.codes(
        "welfare_quintile",
        "decil",
        decile,
        {d: (d + 1) // 2 for d in range(1, 11)},
        label="Decil de gasto per cápita",
        comment="deciles 1-2 are quintile 1, ...",
    )
    f.value("poverty_line", poverty_line(f), "national poverty line, pesos per person per month")
    f.copy("amt_child_family", "becas")
    f.expr("amt_disability", "discap + pension_inv")
    f.copy("amt_oldage_contrib", "jubilacion")
    f.copy("amt_oldage_noncontrib", "adulmay")
    f.copy("amt_survivors", "pension_viudez")
    f.copy("amt_social_assistance", "otros_prog")


# -- Colombia -------------------------------------------------------------------------------------


def col_lfs_2021(f: SourceFile) -> None:
    """Gran Encuesta Integrada de Hogares style (SPSS)."""
    s, rec = f.sample, f.sample.rec
    adult = s.age >= 15
    employed, unemployed = s.lf == 1, s.lf == 2
    f.copy(
        "hh_id",
        "DIRECTORIO",
        f.per_person(np.arange(1, s.hh_size.size + 1) * 7 + 5000000.0),
        "Directorio de la vivienda",
    )
    f.copy("person_id", "ORDEN", s.member.astype(float), "Orden de la persona")
    f.copy("person_weight", "FEX_C18", np.round(s.weight, 4), "Factor de expansión (proyecciones CNPV 2018)")
    f.copy("stratum", "ESTRATO", stratum_code(f), "Estrato de diseño")
    f.copy("psu", "SEGMENTO", psu_number(f, nested=True), "Segmento (numerado dentro del estrato)")
    f.codes("sex", "P3271", sex12(f), {1: "M", 2: "F"}, label="Sexo al nacer", value_labels={1: "Hombre", 2: "Mujer"})
    f.copy("age", "P6040", s.age.astype(float), "Edad")
    f.codes(
        "lf_status",
        "FT_STATUS",
        lf123(f),
        LF_CODES,
        label="Fuerza de trabajo",
        value_labels={1: "Ocupado", 2: "Desocupado", 3: "Fuera de la fuerza de trabajo"},
    )
    pens = f.flag(s.contributor, asked=employed)
    pens[employed & s.rec["rec_oldage_contrib"]] = 3
    f.codes(
        "contributor",
        "P6920",
        pens,
        {1: True, 2: False, 3: False},
        label="Cotiza a un fondo de pensiones",
        value_labels={1: "Sí", 2: "No", 3: "Ya es pensionado"},
    )
    f.codes(
        "injury_insured",
        "P6990",
        f.flag(s.injury_insured, asked=employed, dont_know=9, dont_know_share=0.01),
        YES_NO,
        missing=(9,),
        label="Afiliado a una ARL",
        value_labels={1: "Sí", 2: "No", 9: "No sabe"},
    )
    f.codes(
        "health_protected",
        "P6090",
        f.flag(s.health_protected, dont_know=9, dont_know_share=0.005),
        YES_NO,
        missing=(9,),
        label="Afiliado a seguridad social en salud",
        value_labels={1: "Sí", 2: "No", 9: "No sabe"},
    )
    f.codes("rec_child_family", "P7510S9", f.flag(rec["rec_child_family"]), YES_NO, label="Recibió Familias en Acción")
    f.codes(
        "rec_unemployment",
        "P7422",
        f.flag(rec["rec_unemployment"], asked=unemployed),
        YES_NO,
        label="Recibió subsidio de desempleo",
    )
    f.positive(
        "rec_oldage_contrib",
        "P7500S2A1",
        f.amount(rec["rec_oldage_contrib"], "pension", asked=adult),
        "Pensión de jubilación (pesos al mes)",
    )
    f.add("P7510S5", f.flag(rec["rec_oldage_noncontrib"], asked=adult), "Recibió Colombia Mayor", YES_NO_LABELS)
    f.among("rec_oldage_noncontrib", "P7510S5", [1])
    f.add("P7510S3", f.flag(rec["rec_social_assistance"]), "Recibió ayudas de instituciones del Estado", YES_NO_LABELS)
    f.expr("rec_social_assistance", "P7510S3 = 1")
    citizenship = [s.citizenship_codes[c] for c in f.per_person(s.hh_citizenship)]
    f.codes(
        "nationality",
        "NACIONALIDAD",
        citizenship,
        {"COL": "national"},
        other="non_national",
        label="Nacionalidad (ISO 3166)",
    )
    f.copy("citizenship", "NACIONALIDAD")
    f.codes(
        "urban_rural",
        "CLASE",
        urban12(f),
        URBAN_CODES,
        label="Clase",
        value_labels={1: "Cabecera", 2: "Centros poblados y rural disperso"},
    )
    f.add("P6050", f.relationship(), "Parentesco con el jefe del hogar")
    f.among("hh_head", "P6050", [1])
    f.declare_absent(
        "household_weight",
        "rec_maternity",
        "rec_sickness",
        "rec_disability",
        "rec_survivors",
        "rec_employment_injury",
        "severe_disability",
        "gave_birth",
        "hh_consumption",
        "hh_oop_health",
        "poor",
    )


# -- Jordan ---------------------------------------------------------------------------------------


def jor_hies_2018(f: SourceFile) -> None:
    """Jordan Household Expenditure and Income Survey style (CSV)."""
    s, rec = f.sample, f.sample.rec
    adult = s.age >= 15
    employed, unemployed = s.lf == 1, s.lf == 2
    f.copy("hh_id", "hhid", household_serial(f, "J18-", 5), "Household ID")
    f.copy("person_id", "ind_id", s.member.astype(float), "Individual number")
    f.copy("person_weight", "wt_ind", np.round(s.weight, 3), "Individual weight")
    f.copy("household_weight", "wt_hh", household_weight(f, 3), "Household weight")
    f.copy("stratum", "stratum", stratum_code(f), "Stratum")
    f.copy("psu", "cluster", psu_number(f, nested=False, first=501), "Cluster (block)")
    f.codes("sex", "sex", sex12(f), {1: "M", 2: "F"}, label="Sex")
    f.copy("age", "age", s.age.astype(float), "Age")
    f.codes("lf_status", "lf", lf123(f), LF_CODES, label="Labour force status")
    ssc = f.flag(s.contributor, asked=employed)
    f.codes("contributor", "ssc", ssc, YES_NO, label="Insured with the Social Security Corporation")
    f.codes(
        "injury_insured",
        "ssc",
        None,
        YES_NO,
        new=False,
        comment="every SSC insured person is covered for work injuries",
    )
    f.positive(
        "rec_child_family",
        "child_allow",
        f.amount(rec["rec_child_family"], "child", decimals=2),
        "Child allowance received, JD per year",
    )
    births = s.gave_birth & s.birth_eligible
    f.codes(
        "rec_maternity",
        "ssc_mat",
        f.flag(rec["rec_maternity"], asked=births),
        YES_NO,
        label="Received SSC maternity allowance",
    )
    f.declare_absent("rec_sickness")
    f.positive(
        "rec_disability",
        "dis_allow",
        f.amount(rec["rec_disability"], "disability", decimals=2),
        "Disability pension or allowance, JD per year",
    )
    f.codes(
        "rec_unemployment",
        "ssc_unemp",
        f.flag(rec["rec_unemployment"], asked=unemployed),
        YES_NO,
        label="Received SSC unemployment benefit",
    )
    f.add(
        "pens_src",
        pension_source(f, (1, 2), 3, 0, adult),
        "Source of pension",
        {0: "None", 1: "SSC", 2: "Civil/military retirement", 3: "National Aid Fund"},
    )
    f.among("rec_oldage_contrib", "pens_src", [1, 2])
    f.among("rec_oldage_noncontrib", "pens_src", [3])
    f.positive(
        "rec_survivors",
        "pens_surv",
        f.amount(rec["rec_survivors"], "survivors", decimals=2),
        "Survivors' pension, JD per year",
    )
    f.positive(
        "rec_employment_injury",
        "inj_ben",
        f.amount(rec["rec_employment_injury"], "injury", decimals=2),
        "Work injury benefit, JD per year",
    )
    f.positive(
        "rec_social_assistance",
        "naf_amt",
        f.amount(rec["rec_social_assistance"], "assistance", decimals=2),
        "National Aid Fund cash, JD per year",
    )
    f.add_washington_group("severe_disability", ["wg1", "wg2", "wg3", "wg4", "wg5", "wg6"])
    f.codes(
        "gave_birth",
        "birth12",
        f.flag(s.gave_birth, asked=s.birth_eligible),
        YES_NO,
        label="Live birth in last 12 months",
    )
    origin = {"SYR": 2.0, "EGY": 3.0, "IRQ": 4.0, "PSE": 4.0}
    nat = np.array([1.0] + [origin.get(c, 5.0) for c in s.citizenship_codes[1:]])[f.per_person(s.hh_citizenship)]
    f.codes(
        "nationality",
        "nat",
        nat,
        {1: "national"},
        other="non_national",
        label="Nationality",
        value_labels={1: "Jordanian", 2: "Syrian", 3: "Egyptian", 4: "Other Arab", 5: "Other"},
    )
    f.declare_absent("citizenship")
    f.codes("health_protected", "hins", f.flag(s.health_protected), YES_NO, label="Has health insurance")
    f.codes("urban_rural", "urban", urban12(f), URBAN_CODES, label="Urban/rural")
    f.add("rel", f.relationship(), "Relationship to head")
    f.among("hh_head", "rel", [1])
    f.copy("hh_consumption", "tot_exp", f.money(s.hh_consumption), "Total household expenditure, JD per year")
    f.copy("hh_oop_health", "health_exp", f.money(s.hh_oop), "Health expenditure, JD per year")
    f.codes(
        "poor",
        "poor",
        f.flag(f.per_person(s.hh_poor), true=1, false=0),
        {1: True, 0: False},
        label="Poor (national line)",
    )


# -- Indonesia ------------------------------------------------------------------------------------


def idn_lfs_2022(f: SourceFile) -> None:
    """Survei Angkatan Kerja Nasional style (Parquet)."""
    s = f.sample
    employed = s.lf == 1
    f.copy("stratum", "STRATA", stratum_code(f) + 1000, "Strata")
    nks = psu_number(f, nested=True)
    f.copy("psu", "NKS", nks, "Nomor kode sampel (dalam strata)")
    f.copy("hh_id", "ID_RT", household_serial(f, "RT", 6), "ID rumah tangga")
    f.copy("person_id", "B4_K1", s.member.astype(float), "Nomor urut ART")
    f.copy("person_weight", "WEIGHT", np.round(s.weight, 2), "Penimbang")
    f.codes("sex", "B4_K4", sex12(f), {1: "M", 2: "F"}, label="Jenis kelamin")
    f.copy("age", "B4_K6", s.age.astype(float), "Umur")
    f.codes(
        "lf_status",
        "STATUS_AK",
        lf123(f),
        LF_CODES,
        label="Status angkatan kerja",
        value_labels={1: "Bekerja", 2: "Pengangguran", 3: "Bukan angkatan kerja"},
    )
    f.codes(
        "contributor",
        "R22A",
        f.flag(s.contributor, asked=employed, dont_know=3, dont_know_share=0.02),
        YES_NO,
        missing=(3,),
        label="Peserta BPJS Ketenagakerjaan",
        value_labels={1: "Ya", 2: "Tidak", 3: "Tidak tahu"},
    )
    f.codes(
        "injury_insured",
        "R22B",
        f.flag(s.injury_insured, asked=employed, dont_know=3, dont_know_share=0.02),
        YES_NO,
        missing=(3,),
        label="Jaminan Kecelakaan Kerja",
        value_labels={1: "Ya", 2: "Tidak", 3: "Tidak tahu"},
    )
    jkn = np.where(s.health_protected, f.rng.choice([1.0, 2.0], f.n, p=[0.45, 0.55]), 3.0)
    f.codes(
        "health_protected",
        "R23",
        jkn,
        {1: True, 2: True, 3: False},
        label="Jaminan Kesehatan Nasional",
        value_labels={1: "PBI (subsidi)", 2: "Non-PBI", 3: "Tidak punya"},
    )
    f.codes(
        "urban_rural",
        "KLAS",
        urban12(f),
        URBAN_CODES,
        label="Klasifikasi desa",
        value_labels={1: "Perkotaan", 2: "Perdesaan"},
    )
    f.add("B4_K3", f.relationship(), "Hubungan dengan kepala rumah tangga")
    f.among("hh_head", "B4_K3", [1])
    f.declare_absent(
        "household_weight",
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
        "severe_disability",
        "gave_birth",
        "nationality",
        "citizenship",
        "hh_consumption",
        "hh_oop_health",
        "poor",
    )


def idn_hies_2021(f: SourceFile) -> None:
    """Survei Sosial Ekonomi Nasional (KOR) style (SPSS, monthly amounts)."""
    s, rec = f.sample, f.sample.rec
    adult = s.age >= 15
    employed = s.lf == 1
    f.copy("hh_id", "URUT", f.per_person(np.arange(1, s.hh_size.size + 1) + 3000000.0), "Nomor urut rumah tangga")
    f.copy("person_id", "R401", s.member.astype(float), "Nomor urut ART")
    f.copy("person_weight", "FWT", np.round(s.weight, 2), "Penimbang")
    f.declare_absent("household_weight")
    f.copy("stratum", "STRATA", stratum_code(f), "Strata")
    f.copy("psu", "PSU", psu_number(f, nested=False, first=30001), "Blok sensus")
    f.codes("sex", "R405", sex12(f), {1: "M", 2: "F"}, label="Jenis kelamin")
    f.copy("age", "R407", s.age.astype(float), "Umur")
    f.codes(
        "lf_status",
        "R705",
        lf123(f),
        LF_CODES,
        label="Kegiatan seminggu yang lalu",
        value_labels={1: "Bekerja", 2: "Mencari kerja", 3: "Lainnya"},
    )
    f.codes("contributor", "R1101", f.flag(s.contributor, asked=employed), YES_NO, label="Peserta BPJS Ketenagakerjaan")
    f.absent_inline("injury_insured", "not asked in the KOR questionnaire")
    f.codes(
        "rec_child_family", "R1207", f.flag(rec["rec_child_family"]), YES_NO, label="Penerima Program Indonesia Pintar"
    )
    f.codes("rec_social_assistance", "R1206", f.flag(rec["rec_social_assistance"]), YES_NO, label="Penerima PKH")
    f.add(
        "R1105",
        pension_source(f, (1, 2), 3, 4, adult),
        "Sumber pensiun",
        {1: "TASPEN/ASABRI", 2: "BPJS Ketenagakerjaan", 3: "Asistensi lanjut usia", 4: "Tidak ada"},
    )
    f.among("rec_oldage_contrib", "R1105", [1, 2])
    f.among("rec_oldage_noncontrib", "R1105", [3])
    f.positive(
        "rec_disability",
        "R1210",
        f.amount(rec["rec_disability"], "disability"),
        "Bantuan penyandang disabilitas (Rp/bulan)",
    )
    f.declare_absent(
        "rec_maternity",
        "rec_sickness",
        "rec_unemployment",
        "rec_survivors",
        "rec_employment_injury",
        "nationality",
        "citizenship",
    )
    f.add_washington_group("severe_disability", ["R1001A", "R1001B", "R1001C", "R1001D", "R1001E", "R1001F"])
    f.codes(
        "gave_birth",
        "R1501",
        f.flag(s.gave_birth, asked=s.birth_eligible),
        YES_NO,
        label="Melahirkan dalam 12 bulan terakhir",
    )
    jkn = np.where(s.health_protected, f.rng.choice([1.0, 2.0], f.n, p=[0.45, 0.55]), 3.0)
    f.codes(
        "health_protected",
        "R1101B",
        jkn,
        {1: True, 2: True, 3: False},
        label="Jaminan Kesehatan Nasional",
        value_labels={1: "PBI", 2: "Non-PBI", 3: "Tidak punya"},
    )
    f.codes(
        "urban_rural", "R105", urban12(f), URBAN_CODES, label="Daerah", value_labels={1: "Perkotaan", 2: "Perdesaan"}
    )
    f.add("R403", f.relationship(), "Hubungan dengan kepala rumah tangga")
    f.among("hh_head", "R403", [1])
    f.add("KAPITA", pc_consumption(f, 0), "Pengeluaran per kapita (Rp/bulan)")
    f.add("R301", hh_size(f), "Jumlah ART")
    f.expr("hh_consumption", "KAPITA * R301", "per-capita expenditure x household size (monthly)")
    f.copy("hh_oop_health", "EXP_KES", f.money(s.hh_oop, 0), "Pengeluaran kesehatan (Rp/bulan)")
    f.expr("poor", f"KAPITA < {poverty_line(f, 0)}", "poverty line (garis kemiskinan), Rp per person per month")


# -- Viet Nam -------------------------------------------------------------------------------------


def vnm_hies_2020(f: SourceFile) -> None:
    """Viet Nam Household Living Standards Survey style (Stata, amounts in thousand dong)."""
    s, rec = f.sample, f.sample.rec
    employed = s.lf == 1
    f.copy("stratum", "strata", stratum_code(f), "Strata")
    diaban = psu_number(f, nested=True)
    f.copy("psu", "diaban", diaban, "Dia ban (within strata)")
    f.copy("hh_id", "hhid", household_serial(f, "VN", 6), "Household")
    f.copy("person_id", "matv", s.member.astype(float), "Member code")
    f.copy(
        "person_weight", "wt9", household_weight(f, 3), "Household weight", comment="VHLSS has one (household) weight"
    )
    f.declare_absent("household_weight")
    f.codes("sex", "m1ac2", sex12(f), {1: "M", 2: "F"}, label="Gioi tinh", value_labels={1: "Nam", 2: "Nu"})
    f.copy("age", "m1ac5", s.age.astype(float), "Tuoi")
    f.codes("lf_status", "m4_status", lf123(f), LF_CODES, label="Labour force status")
    f.codes("contributor", "m4ac10a", f.flag(s.contributor, asked=employed), YES_NO, label="Dong BHXH")
    f.codes(
        "injury_insured",
        "m4ac10a",
        None,
        YES_NO,
        new=False,
        comment="compulsory social insurance includes occupational accident insurance",
    )
    k = 1000.0
    for var, col, kind, label in (
        ("rec_child_family", "m4c_child", "child", "Tro cap tre em"),
        ("rec_maternity", "m4c_thaisan", "maternity", "Che do thai san"),
        ("rec_sickness", "m4c_omdau", "sickness", "Che do om dau"),
        ("rec_disability", "m4c_disab", "disability", "Tro cap nguoi khuyet tat"),
        ("rec_unemployment", "m4c_thatnghiep", "unemployment", "Tro cap that nghiep"),
        ("rec_oldage_contrib", "m4c_huutri", "pension", "Luong huu"),
        ("rec_oldage_noncontrib", "m4c_xahoi80", "social_pension", "Tro cap huu tri xa hoi"),
        ("rec_survivors", "m4c_tuat", "survivors", "Tro cap tuat"),
        ("rec_employment_injury", "m4c_tnld", "injury", "Tro cap tai nan lao dong"),
        ("rec_social_assistance", "m4c_tcxh", "assistance", "Tro cap xa hoi hang thang"),
    ):
        f.positive(var, col, np.round(f.amount(rec[var], kind) / k, 0), f"{label} (nghin dong/nam)")
    f.add_washington_group("severe_disability", ["m1ac9a", "m1ac9b", "m1ac9c", "m1ac9d", "m1ac9e", "m1ac9f"])
    f.declare_absent("gave_birth", "nationality", "citizenship")
    f.codes("health_protected", "m3c1", f.flag(s.health_protected), YES_NO, label="The BHYT")
    f.codes(
        "urban_rural",
        "ttnt",
        urban12(f),
        URBAN_CODES,
        label="Thanh thi/nong thon",
        value_labels={1: "Thanh thi", 2: "Nong thon"},
    )
    f.add("m1ac3", f.relationship(), "Quan he voi chu ho")
    f.among("hh_head", "m1ac3", [1])
    f.scaled(
        "hh_consumption",
        "chitieu",
        f.money(s.hh_consumption, 0, scale=k),
        k,
        "Chi tieu (nghin dong/nam)",
        "thousand dong",
    )
    f.scaled("hh_oop_health", "chiyte", f.money(s.hh_oop, 0, scale=k), k, "Chi y te (nghin dong/nam)", "thousand dong")
    f.codes("poor", "hongheo", f.flag(f.per_person(s.hh_poor)), YES_NO, label="Ho ngheo (danh sach)")


# -- Philippines ----------------------------------------------------------------------------------


def phl_hies_2021(f: SourceFile) -> None:
    """Family Income and Expenditure Survey merged with the LFS, style (CSV)."""
    s, rec = f.sample, f.sample.rec
    adult = s.age >= 15
    employed = s.lf == 1
    f.copy("hh_id", "SEQ_NO", f.per_person(np.arange(1, s.hh_size.size + 1) + 40000.0), "Household sequence number")
    f.copy("person_id", "LNO", s.member.astype(float), "Line number")
    f.copy(
        "person_weight",
        "RFACT",
        household_weight(f, 4),
        "Raising factor",
        comment="the FIES raising factor applies to persons",
    )
    f.declare_absent("household_weight")
    f.copy("stratum", "STRATUM", stratum_code(f) + 200, "Stratum")
    f.copy("psu", "PSU", psu_number(f, nested=False, first=60001), "Primary sampling unit")
    f.codes("sex", "C04_SEX", sex12(f), {1: "M", 2: "F"}, label="Sex")
    f.copy("age", "C05_AGE", s.age.astype(float), "Age")
    f.codes("lf_status", "NEWEMPST", lf123(f), LF_CODES, label="Employment status")
    member = np.where(s.injury_insured, f.rng.choice([1.0, 2.0], f.n, p=[0.8, 0.2]), np.where(s.contributor, 3.0, 4.0))
    member[~employed] = NOT_ASKED
    f.add(
        "SSS_GSIS",
        member,
        "Social insurance membership",
        {1: "SSS paying member", 2: "GSIS", 3: "Voluntary member", 4: "None"},
    )
    f.among("contributor", "SSS_GSIS", [1, 2, 3])
    f.among(
        "injury_insured", "SSS_GSIS", [1, 2], comment="employees are covered by the Employees' Compensation Program"
    )
    ph = np.where(s.health_protected, f.rng.choice([1.0, 2.0], f.n, p=[0.5, 0.5]), 3.0)
    f.codes(
        "health_protected",
        "PHILHEALTH",
        ph,
        {1: True, 2: True, 3: False},
        label="PhilHealth",
        value_labels={1: "Member", 2: "Dependent", 3: "None"},
    )
    f.codes(
        "rec_child_family",
        "PANTAWID",
        f.flag(rec["rec_child_family"]),
        YES_NO,
        label="Pantawid Pamilya (4Ps) beneficiary",
    )
    f.positive(
        "rec_social_assistance",
        "AICS_AMT",
        f.amount(rec["rec_social_assistance"], "assistance"),
        "AICS and other assistance, PHP per year",
    )
    births = s.gave_birth & s.birth_eligible
    f.codes(
        "rec_maternity", "SSS_MAT", f.flag(rec["rec_maternity"], asked=births), YES_NO, label="SSS maternity benefit"
    )
    f.positive("rec_sickness", "SSS_SICK", f.amount(rec["rec_sickness"], "sickness"), "SSS sickness benefit, PHP")
    f.positive("rec_disability", "DISAB_PEN", f.amount(rec["rec_disability"], "disability"), "Disability pension, PHP")
    f.positive("rec_survivors", "SURV_PEN", f.amount(rec["rec_survivors"], "survivors"), "Survivorship pension, PHP")
    f.positive(
        "rec_employment_injury",
        "EC_BEN",
        f.amount(rec["rec_employment_injury"], "injury"),
        "Employees' compensation benefit, PHP",
    )
    f.absent_inline("rec_unemployment", "the SSS unemployment insurance is not asked")
    f.add(
        "PENSION_SRC",
        pension_source(f, (1, 2), 3, 0, adult),
        "Source of pension",
        {0: "None", 1: "SSS", 2: "GSIS", 3: "Social pension (SocPen)"},
    )
    f.among("rec_oldage_contrib", "PENSION_SRC", [1, 2])
    f.among("rec_oldage_noncontrib", "PENSION_SRC", [3])
    f.add_washington_group(
        "severe_disability", ["D_SEE", "D_HEAR", "D_WALK", "D_REMEMBER", "D_SELFCARE", "D_COMMUNICATE"]
    )
    f.codes(
        "gave_birth",
        "BIRTH_12M",
        f.flag(s.gave_birth, asked=s.birth_eligible),
        YES_NO,
        label="Gave birth in the past 12 months",
    )
    cit = ["Filipino" if not nn else "Other" for nn in f.per_person(s.hh_non_national)]
    f.codes("nationality", "CITIZENSHIP", cit, {"Filipino": "national"}, other="non_national", label="Citizenship")
    f.declare_absent("citizenship")
    f.codes("urban_rural", "URB", urban12(f), URBAN_CODES, label="Urban/rural")
    f.add("C03_REL", f.relationship(), "Relationship to household head")
    f.among("hh_head", "C03_REL", [1])
    f.copy("hh_consumption", "TOTEX", f.money(s.hh_consumption), "Total family expenditure, PHP per year")
    f.copy("hh_oop_health", "HEALTH", f.money(s.hh_oop), "Medical care expenditure, PHP per year")
    f.add("PCEXP", pc_consumption(f), "Per capita expenditure, PHP per year")
    f.expr("poor", f"PCEXP < {poverty_line(f)}", "official poverty threshold, PHP per person per year")


# -- Albania --------------------------------------------------------------------------------------


def alb_hbs_2021(f: SourceFile) -> None:
    """Albania Household Budget Survey style (Parquet)."""
    s, rec = f.sample, f.sample.rec
    employed = s.lf == 1
    f.copy("hh_id", "hhid", f.per_person(np.arange(1, s.hh_size.size + 1) + 1000.0), "Household ID")
    f.copy("person_id", "memberid", s.member.astype(float), "Member ID")
    f.copy("person_weight", "ppeso", np.round(s.weight, 3), "Person weight")
    f.copy("household_weight", "hpeso", household_weight(f, 3), "Household weight")
    f.copy("stratum", "strata", stratum_code(f), "Strata")
    f.copy("psu", "psu", psu_number(f, nested=True), "PSU (within strata)")
    f.codes("sex", "B02", sex12(f), {1: "M", 2: "F"}, label="Gjinia")
    f.copy("age", "B04", s.age.astype(float), "Mosha")
    f.codes("lf_status", "lfs", lf123(f), LF_CODES, label="Labour force status")
    f.codes(
        "contributor",
        "SI_CONTR",
        f.flag(s.contributor, asked=employed),
        YES_NO,
        label="Pays social insurance contributions",
    )
    f.declare_absent("injury_insured", "rec_employment_injury", "citizenship")
    f.positive(
        "rec_child_family",
        "CHILD_SUPP",
        f.amount(rec["rec_child_family"], "child"),
        "Child supplement of Ndihma Ekonomike (ALL per year)",
    )
    f.positive(
        "rec_maternity", "MATERN", f.amount(rec["rec_maternity"], "maternity"), "Maternity benefit (ALL per year)"
    )
    f.positive("rec_sickness", "SICK", f.amount(rec["rec_sickness"], "sickness"), "Sickness benefit (ALL per year)")
    split = f.rng.random(f.n) < s.profile.disability_noncontrib_share
    f.add("PENS_INV", f.amount(rec["rec_disability"] & ~split, "disability"), "Invalidity pension (ALL per year)")
    f.add("PAK", f.amount(rec["rec_disability"] & split, "disability"), "Disability payment (ALL per year)")
    f.expr("rec_disability", "PENS_INV > 0 OR PAK > 0")
    f.positive(
        "rec_unemployment",
        "PAPUN",
        f.amount(rec["rec_unemployment"], "unemployment"),
        "Unemployment benefit (ALL per year)",
    )
    f.positive(
        "rec_oldage_contrib",
        "PENS_OLD",
        f.amount(rec["rec_oldage_contrib"], "pension"),
        "Old-age pension (ALL per year)",
    )
    f.positive(
        "rec_oldage_noncontrib",
        "PENS_SOC",
        f.amount(rec["rec_oldage_noncontrib"], "social_pension"),
        "Social pension (ALL per year)",
    )
    f.positive(
        "rec_survivors",
        "PENS_FAM",
        f.amount(rec["rec_survivors"], "survivors"),
        "Family (survivors') pension (ALL per year)",
    )
    f.positive(
        "rec_social_assistance",
        "NE_AMOUNT",
        f.amount(rec["rec_social_assistance"], "assistance"),
        "Ndihma Ekonomike (ALL per year)",
    )
    f.add_washington_group("severe_disability", ["WG1", "WG2", "WG3", "WG4", "WG5", "WG6"])
    f.codes(
        "gave_birth",
        "BIRTH",
        f.flag(s.gave_birth, asked=s.birth_eligible),
        YES_NO,
        label="Gave birth in the past 12 months",
    )
    cit = np.where(f.per_person(s.hh_non_national), 2.0, f.rng.choice([1.0, 3.0], f.n, p=[0.98, 0.02]))
    f.codes(
        "nationality",
        "CITIZEN",
        cit,
        {1: "national", 3: "national"},
        other="non_national",
        label="Citizenship",
        value_labels={1: "Albanian", 2: "Other", 3: "Albanian and other"},
    )
    f.codes("health_protected", "HEALTH_CARD", f.flag(s.health_protected), YES_NO, label="Has a health insurance card")
    f.codes("urban_rural", "URBAN", urban12(f), URBAN_CODES, label="Urban/rural")
    f.add("B03", f.relationship(), "Relationship to head")
    f.among("hh_head", "B03", [1])
    f.copy("hh_consumption", "CONS_TOTAL", f.money(s.hh_consumption, 0), "Total consumption (ALL per year)")
    f.copy("hh_oop_health", "HEALTH_OOP", f.money(s.hh_oop, 0), "Out-of-pocket health spending (ALL per year)")
    f.add("HHSIZE", hh_size(f), "Household size")
    f.expr("poor", f"CONS_TOTAL / HHSIZE < {poverty_line(f, 0)}", "national poverty line, ALL per person per year")
