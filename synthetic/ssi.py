"""Synthetic ILO Social Security Inquiry returns (input contract, section 2).

Counts are the calibration targets of ``synthetic.countries`` applied to the WPP 2019 population
and to the labour force of ``context/labour_force.csv`` (same formulas): e.g. old-age
beneficiaries = SI_COV_PENSN (by sex) x persons above the pensionable age, active contributors =
the surveys' contributor rate x employed persons. So coverage computed from a return agrees with
the surveys of the same country. Each country has a scheme inventory covering the C102 branches
with contributory, universal and means-tested schemes (real programme names); most returns
carry the supplementary module on non-nationals. Returns are written as workbooks or CSV folders.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from schemas.resources import ssi as st
from synthetic.context import country_unemployment, labour_force, unemployment_rates
from synthetic.countries import (
    BENEFIT_LEVEL,
    COVERAGE_CEILING,
    EARNINGS_RELATED,
    FEMALE_BENEFIT_RATIO,
    PROFILES,
    Profile,
    asfr,
    pensionable_age,
    ppp_factor,
    sex_rates,
)
from synthetic.population import SEXES, Population, between
from synthetic.survey import (
    CHILD_MAX_AGE,
    CONTRIBUTOR_TO_INJURY,
    INJURY_BENEFIT_RATE,
    SICKNESS_BENEFIT_RATE,
    SURVIVOR_SHARE,
)
from synthetic.writers import write_csv, write_xlsx, write_yaml

UNEMPLOYMENT_CONTRIBUTORS = 0.8  # share of pension contributors also insured against unemployment (employees; assumed)
NON_NATIONAL_RISK = {"active_contributors": 0.4, "beneficiaries": 0.3, "health_protected": 0.4}  # as in the surveys
NON_NATIONAL_SHARE_FACTOR = {"active_contributors": 1.25 * 1.10, "beneficiaries": 0.4, "health_protected": 1.0}
BENEFIT_OF_ROLE = {
    "old_age": "old_age",
    "old_age_nc": "old_age",
    "disability": "disability",
    "disability_nc": "disability",
    "survivors": "survivors",
    "child": "child_family",
    "maternity": "maternity",
    "unemployment": "unemployment",
    "injury": "employment_injury",
    "sickness": "sickness",
    "assistance": "social_assistance",
}
CONTRIBUTOR_ROLES = ("contributors", "injury_contributors", "unemployment_contributors")
EXPORTABLE = (
    "old_age",
    "invalidity",
    "survivors",
    "employment_injury",
)  # long-term cash benefits paid abroad under agreements


@dataclass(frozen=True)
class Scheme:
    """A scheme of the inventory and the counts it reports (``roles``: keys of ``counts``)."""

    scheme_id: str
    name: str
    function: str
    scheme_type: str
    legal_coverage: str
    roles: tuple[str, ...]


S = Scheme
SCHEMES: dict[str, tuple[Scheme, ...]] = {
    "GHA": (
        S(
            "GH01",
            "SSNIT Basic National Social Security Scheme (Tier 1)",
            "old_age",
            "contributory",
            "formal-sector employees; self-employed voluntarily",
            ("contributors", "old_age", "disability", "survivors"),
        ),
        S(
            "GH02",
            "Livelihood Empowerment Against Poverty (LEAP)",
            "social_assistance",
            "means_tested",
            "extremely poor households with orphans, older persons or persons with severe disabilities",
            ("child", "assistance"),
        ),
        S(
            "GH03",
            "National Health Insurance Scheme (NHIS)",
            "medical_care",
            "contributory",
            "all residents; premium exemptions for children, older persons and the indigent",
            ("health",),
        ),
        S(
            "GH04",
            "Workmen's compensation (employer liability)",
            "employment_injury",
            "contributory",
            "employees",
            ("injury_contributors", "injury"),
        ),
        S(
            "GH05",
            "Maternity leave with full pay (Labour Act 2003)",
            "maternity",
            "contributory",
            "women employees",
            ("maternity",),
        ),
        S(
            "GH06",
            "District Assemblies Common Fund, disability component",
            "invalidity",
            "means_tested",
            "persons with disabilities",
            ("disability_nc",),
        ),
    ),
    "KEN": (
        S(
            "KE01",
            "National Social Security Fund (NSSF)",
            "old_age",
            "contributory",
            "employees; voluntary for the self-employed",
            ("contributors", "old_age", "disability", "survivors"),
        ),
        S(
            "KE02",
            "Inua Jamii 70+ Older Persons Cash Transfer",
            "old_age",
            "non_contributory_universal",
            "residents aged 70+ without a pension",
            ("old_age_nc",),
        ),
        S(
            "KE03",
            "Cash Transfer for Orphans and Vulnerable Children (CT-OVC)",
            "family",
            "means_tested",
            "poor households caring for orphans and vulnerable children",
            ("child",),
        ),
        S(
            "KE04",
            "Persons with Severe Disabilities Cash Transfer (PWSD-CT)",
            "invalidity",
            "means_tested",
            "poor persons with severe disabilities",
            ("disability_nc",),
        ),
        S(
            "KE05",
            "Hunger Safety Net Programme (HSNP)",
            "social_assistance",
            "means_tested",
            "poor households in arid counties",
            ("assistance",),
        ),
        S(
            "KE06",
            "Work Injury Benefits Act (WIBA) insurance",
            "employment_injury",
            "contributory",
            "employees",
            ("injury_contributors", "injury"),
        ),
        S(
            "KE07",
            "Employer-paid maternity leave (Employment Act 2007)",
            "maternity",
            "contributory",
            "women employees",
            ("maternity",),
        ),
        S(
            "KE08",
            "National Hospital Insurance Fund (NHIF)",
            "medical_care",
            "contributory",
            "employees, voluntary members and dependants",
            ("health",),
        ),
    ),
    "ZAF": (
        S(
            "ZA01",
            "Government Employees Pension Fund (GEPF)",
            "old_age",
            "contributory",
            "public servants",
            ("contributors", "old_age", "disability", "survivors"),
        ),
        S(
            "ZA02",
            "Older Person's Grant",
            "old_age",
            "means_tested",
            "citizens, permanent residents and refugees aged 60+",
            ("old_age_nc",),
        ),
        S("ZA03", "Child Support Grant", "family", "means_tested", "caregivers of children under 18", ("child",)),
        S(
            "ZA04",
            "Disability Grant",
            "invalidity",
            "means_tested",
            "persons aged 18-59 with disabilities",
            ("disability_nc",),
        ),
        S(
            "ZA05",
            "Unemployment Insurance Fund (UIF)",
            "unemployment",
            "contributory",
            "employees",
            ("unemployment_contributors", "unemployment", "maternity", "sickness"),
        ),
        S(
            "ZA06",
            "Compensation Fund (COIDA)",
            "employment_injury",
            "contributory",
            "employees",
            ("injury_contributors", "injury"),
        ),
        S(
            "ZA07",
            "Social Relief of Distress grant",
            "social_assistance",
            "means_tested",
            "persons without income or other grants",
            ("assistance",),
        ),
        S(
            "ZA08",
            "Public health services (National Department of Health)",
            "medical_care",
            "non_contributory_universal",
            "all residents",
            ("health",),
        ),
    ),
    "BRA": (
        S(
            "BR01",
            "Regime Geral de Previdência Social (RGPS)",
            "old_age",
            "contributory",
            "private-sector employees and the self-employed",
            ("contributors", "old_age", "disability", "survivors", "maternity", "sickness"),
        ),
        S(
            "BR02",
            "Benefício de Prestação Continuada (BPC), idoso",
            "old_age",
            "means_tested",
            "residents aged 65+ with a household income below a quarter of the minimum wage",
            ("old_age_nc",),
        ),
        S(
            "BR03",
            "Benefício de Prestação Continuada (BPC), pessoa com deficiência",
            "invalidity",
            "means_tested",
            "low-income persons with disabilities",
            ("disability_nc",),
        ),
        S(
            "BR04",
            "Auxílio Brasil (Bolsa Família)",
            "social_assistance",
            "means_tested",
            "families in poverty",
            ("child", "assistance"),
        ),
        S(
            "BR05",
            "Seguro-desemprego",
            "unemployment",
            "contributory",
            "formal employees dismissed without cause",
            ("unemployment_contributors", "unemployment"),
        ),
        S(
            "BR06",
            "Seguro de Acidente do Trabalho (SAT)",
            "employment_injury",
            "contributory",
            "employees",
            ("injury_contributors", "injury"),
        ),
        S(
            "BR07",
            "Sistema Único de Saúde (SUS)",
            "medical_care",
            "non_contributory_universal",
            "all residents",
            ("health",),
        ),
    ),
    "MEX": (
        S(
            "MX01",
            "IMSS, seguro de retiro, cesantía y vejez",
            "old_age",
            "contributory",
            "private-sector employees",
            ("contributors", "old_age", "disability", "survivors"),
        ),
        S(
            "MX02",
            "Pensión para el Bienestar de las Personas Adultas Mayores",
            "old_age",
            "non_contributory_universal",
            "residents aged 65+",
            ("old_age_nc",),
        ),
        S(
            "MX03",
            "Pensión para el Bienestar de las Personas con Discapacidad",
            "invalidity",
            "non_contributory_universal",
            "children and young people with permanent disabilities",
            ("disability_nc",),
        ),
        S(
            "MX04",
            "Becas para el Bienestar Benito Juárez",
            "family",
            "means_tested",
            "students from poor households",
            ("child", "assistance"),
        ),
        S(
            "MX05",
            "IMSS, seguro de enfermedades y maternidad",
            "medical_care",
            "contributory",
            "insured workers and their families",
            ("maternity", "sickness", "health"),
        ),
        S(
            "MX06",
            "IMSS, seguro de riesgos de trabajo",
            "employment_injury",
            "contributory",
            "private-sector employees",
            ("injury_contributors", "injury"),
        ),
        S(
            "MX07",
            "Seguro de Desempleo de la Ciudad de México",
            "unemployment",
            "means_tested",
            "unemployed residents of Mexico City",
            ("unemployment",),
        ),
    ),
    "COL": (
        S(
            "CO01",
            "Colpensiones, régimen de prima media",
            "old_age",
            "contributory",
            "employees and the self-employed",
            ("contributors", "old_age", "disability", "survivors"),
        ),
        S("CO02", "Colombia Mayor", "old_age", "means_tested", "poor older persons without a pension", ("old_age_nc",)),
        S(
            "CO03",
            "Familias en Acción",
            "family",
            "means_tested",
            "poor families with children",
            ("child", "assistance"),
        ),
        S(
            "CO04",
            "Licencia de maternidad (EPS)",
            "maternity",
            "contributory",
            "women affiliated to the contributory health regime",
            ("maternity", "sickness"),
        ),
        S(
            "CO05",
            "Mecanismo de Protección al Cesante",
            "unemployment",
            "contributory",
            "employees contributing to a family compensation fund",
            ("unemployment_contributors", "unemployment"),
        ),
        S(
            "CO06",
            "Sistema General de Riesgos Laborales (ARL)",
            "employment_injury",
            "contributory",
            "employees and some contractors",
            ("injury_contributors", "injury"),
        ),
        S(
            "CO07",
            "Sistema General de Seguridad Social en Salud",
            "medical_care",
            "contributory",
            "all residents (contributory and subsidised regimes)",
            ("health",),
        ),
    ),
    "JOR": (
        S(
            "JO01",
            "Social Security Corporation, old-age insurance",
            "old_age",
            "contributory",
            "employees, including non-Jordanian workers",
            ("contributors", "old_age", "disability", "survivors"),
        ),
        S(
            "JO02",
            "Social Security Corporation, maternity insurance",
            "maternity",
            "contributory",
            "insured women",
            ("maternity",),
        ),
        S(
            "JO03",
            "Social Security Corporation, unemployment insurance",
            "unemployment",
            "contributory",
            "insured Jordanian employees",
            ("unemployment_contributors", "unemployment"),
        ),
        S(
            "JO04",
            "Social Security Corporation, work injury insurance",
            "employment_injury",
            "contributory",
            "all insured workers",
            ("injury_contributors", "injury"),
        ),
        S(
            "JO05",
            "National Aid Fund (Takaful)",
            "social_assistance",
            "means_tested",
            "poor Jordanian households",
            ("old_age_nc", "disability_nc", "child", "assistance"),
        ),
        S(
            "JO06",
            "Civil Insurance Program (Ministry of Health)",
            "medical_care",
            "contributory",
            "civil servants, children under 6, persons aged 60+ and the poor",
            ("health",),
        ),
    ),
    "IDN": (
        S(
            "ID01",
            "BPJS Ketenagakerjaan, Jaminan Pensiun and Jaminan Hari Tua",
            "old_age",
            "contributory",
            "employees; self-employed voluntarily",
            ("contributors", "old_age", "disability", "survivors"),
        ),
        S(
            "ID02",
            "Asistensi Sosial Lanjut Usia (ASLUT)",
            "old_age",
            "means_tested",
            "poor older persons",
            ("old_age_nc",),
        ),
        S(
            "ID03",
            "Program Keluarga Harapan (PKH)",
            "social_assistance",
            "means_tested",
            "poor families",
            ("child", "maternity", "assistance"),
        ),
        S(
            "ID04",
            "Asistensi Sosial Penyandang Disabilitas Berat",
            "invalidity",
            "means_tested",
            "poor persons with severe disabilities",
            ("disability_nc",),
        ),
        S(
            "ID05",
            "BPJS Ketenagakerjaan, Jaminan Kecelakaan Kerja (JKK)",
            "employment_injury",
            "contributory",
            "employees and registered self-employed",
            ("injury_contributors", "injury"),
        ),
        S(
            "ID06",
            "Jaminan Kesehatan Nasional (JKN)",
            "medical_care",
            "contributory",
            "all residents (contributions paid by the State for the poor)",
            ("health",),
        ),
    ),
    "VNM": (
        S(
            "VN01",
            "Vietnam Social Security, compulsory social insurance",
            "old_age",
            "contributory",
            "employees",
            ("contributors", "old_age", "disability", "survivors", "maternity", "sickness"),
        ),
        S(
            "VN02",
            "Social pension for persons aged 80+ (Decree 20/2021)",
            "old_age",
            "non_contributory_universal",
            "residents aged 80+ without a pension; 60+ if poor",
            ("old_age_nc",),
        ),
        S(
            "VN03",
            "Monthly social assistance (Decree 20/2021)",
            "social_assistance",
            "means_tested",
            "children in special circumstances, poor households, persons with severe disabilities",
            ("child", "disability_nc", "assistance"),
        ),
        S(
            "VN04",
            "Unemployment insurance",
            "unemployment",
            "contributory",
            "employees with contracts of 1 month or more",
            ("unemployment_contributors", "unemployment"),
        ),
        S(
            "VN05",
            "Occupational accident and disease insurance",
            "employment_injury",
            "contributory",
            "employees",
            ("injury_contributors", "injury"),
        ),
        S(
            "VN06",
            "Vietnam Social Security, health insurance",
            "medical_care",
            "contributory",
            "all residents (State-paid for the poor, children and older persons)",
            ("health",),
        ),
    ),
    "PHL": (
        S(
            "PH01",
            "Social Security System (SSS)",
            "old_age",
            "contributory",
            "private-sector employees, self-employed and OFWs",
            ("contributors", "old_age", "disability", "survivors", "maternity", "sickness"),
        ),
        S(
            "PH02",
            "Social Pension for Indigent Senior Citizens (SocPen)",
            "old_age",
            "means_tested",
            "indigent citizens aged 60+",
            ("old_age_nc",),
        ),
        S(
            "PH03",
            "Pantawid Pamilyang Pilipino Program (4Ps)",
            "social_assistance",
            "means_tested",
            "poor households with children or pregnant women",
            ("child", "assistance"),
        ),
        S(
            "PH04",
            "Employees' Compensation Program (ECC)",
            "employment_injury",
            "contributory",
            "employees covered by SSS or GSIS",
            ("injury_contributors", "injury"),
        ),
        S(
            "PH05",
            "PhilHealth (National Health Insurance Program)",
            "medical_care",
            "contributory",
            "all citizens",
            ("health",),
        ),
    ),
    "ALB": (
        S(
            "AL01",
            "Social Insurance Institute (ISSH), pensions",
            "old_age",
            "contributory",
            "employees and the self-employed",
            ("contributors", "old_age", "disability", "survivors", "maternity", "sickness"),
        ),
        S(
            "AL02",
            "Social pension",
            "old_age",
            "non_contributory_universal",
            "residents aged 70+ without a pension",
            ("old_age_nc",),
        ),
        S(
            "AL03",
            "Ndihma Ekonomike (economic assistance)",
            "social_assistance",
            "means_tested",
            "poor families",
            ("child", "assistance"),
        ),
        S(
            "AL04",
            "Disability payment",
            "invalidity",
            "non_contributory_universal",
            "persons with disabilities assessed by a medical commission",
            ("disability_nc",),
        ),
        S(
            "AL05",
            "ISSH, unemployment benefit",
            "unemployment",
            "contributory",
            "insured employees",
            ("unemployment_contributors", "unemployment"),
        ),
        S(
            "AL06",
            "ISSH, work injury insurance",
            "employment_injury",
            "contributory",
            "employees",
            ("injury_contributors", "injury"),
        ),
        S(
            "AL07",
            "Compulsory Health Insurance Fund (FSDKSH)",
            "medical_care",
            "contributory",
            "all residents",
            ("health",),
        ),
    ),
}

# Legal provisions for non-nationals (assumed, in the spirit of national law): equality of
# treatment in means-tested schemes and number of social security agreements in force.
NON_NATIONALS_LAW = {
    "GHA": ("none", 0, "LEAP and other transfers target Ghanaian households"),
    "ZAF": ("partial", 0, "grants for citizens, permanent residents and refugees"),
    "BRA": ("full", 15, "BPC and Auxílio Brasil open to resident foreigners"),
    "MEX": ("partial", 3, "federal programmes require residence"),
    "COL": ("partial", 6, "Venezuelans with a temporary protection permit are eligible"),
    "JOR": ("none", 2, "National Aid Fund for Jordanians only"),
    "PHL": ("none", 14, "means-tested programmes for Filipino citizens"),
    "ALB": ("partial", 7, "residence condition"),
}
INSTITUTIONS = {
    "GHA": "Ministry of Employment and Labour Relations",
    "KEN": "Ministry of Labour and Social Protection",
    "ZAF": "Department of Social Development",
    "BRA": "Ministério do Trabalho e Previdência",
    "MEX": "Secretaría del Trabajo y Previsión Social",
    "COL": "Ministerio del Trabajo",
    "JOR": "Ministry of Social Development",
    "IDN": "Kementerian Ketenagakerjaan",
    "VNM": "Ministry of Labour, Invalids and Social Affairs",
    "PHL": "Department of Labor and Employment",
    "ALB": "Ministry of Health and Social Protection",
}
CHILD_TOTAL_ONLY = ("GHA", "IDN", "PHL")  # these report child benefits without sex detail


@dataclass(frozen=True)
class Return:
    """One return: country, reference year, format, whether it has the non-nationals module."""

    country: str
    year: int
    workbook: bool
    module: bool

    @property
    def return_id(self) -> str:
        """The return's id, ``<country>_<year>``."""
        return f"{self.country}_{self.year}"

    @property
    def vintage(self) -> str:
        """Release date of the return (its ``vintage`` field)."""
        return f"{self.year + 1}-09-30"


RETURNS: tuple[Return, ...] = (
    Return("GHA", 2020, True, True),
    Return("GHA", 2022, True, True),
    Return("KEN", 2021, False, False),
    Return("ZAF", 2020, True, True),
    Return("BRA", 2021, False, True),
    Return("MEX", 2021, True, True),
    Return("COL", 2021, False, True),
    Return("JOR", 2021, True, True),
    Return("IDN", 2020, False, False),
    Return("IDN", 2022, False, False),
    Return("VNM", 2020, True, False),
    Return("PHL", 2020, False, True),
    Return("ALB", 2021, True, True),
)


def counts(profile: Profile, year: int, population: Population, unemployment: dict) -> dict[str, tuple[float, float]]:
    """Role -> (women, men) for one country-year (see the module docstring)."""
    cal = profile.calibration
    pop5 = population.by_age5(profile.m49, year)
    pop = pop5.sum(axis=1)
    force = labour_force(profile, pop5, country_unemployment(unemployment, profile, year))
    employed = [force[s][1] for s in SEXES]
    unemployed = [force[s][2] for s in SEXES]
    pa = [pensionable_age(profile.iso3, s, year) for s in SEXES]
    older = [between(pop5, pa[0])[0], between(pop5, pa[1])[1]]
    disabled = [profile.disability_prevalence[i] * pop[i] for i in range(2)]
    children = between(pop5, 0, CHILD_MAX_AGE + 1)

    def share(x: list[float]) -> float:
        return x[0] / (x[0] + x[1]) if x[0] + x[1] else 0.5

    pension = sex_rates(cal.pensn, "pensn", share(older))
    disab = sex_rates(cal.disab, "disab", share(disabled))
    injury = sex_rates(cal.wkinjry, "wkinjry", share(employed))
    contrib = [min(r * CONTRIBUTOR_TO_INJURY, COVERAGE_CEILING) for r in injury]
    uemp = sex_rates(cal.uemp, "uemp", share(unemployed))
    nc, dnc = profile.pension_noncontrib_share, profile.disability_noncontrib_share
    survivors_base = [between(pop5, pa[0] - 10)[0], between(pop5, pa[1])[1]]
    births = float(pop5[0, 3:10] @ asfr(profile, year))

    def by_sex(f) -> tuple[float, float]:
        return f(0), f(1)

    return {
        "contributors": by_sex(lambda i: contrib[i] * employed[i]),
        "injury_contributors": by_sex(lambda i: injury[i] * employed[i]),
        "unemployment_contributors": by_sex(lambda i: UNEMPLOYMENT_CONTRIBUTORS * contrib[i] * employed[i]),
        "old_age": by_sex(lambda i: (1 - nc) * pension[i] * older[i]),
        "old_age_nc": by_sex(lambda i: nc * pension[i] * older[i]),
        "disability": by_sex(lambda i: (1 - dnc) * disab[i] * disabled[i]),
        "disability_nc": by_sex(lambda i: dnc * disab[i] * disabled[i]),
        "survivors": by_sex(lambda i: SURVIVOR_SHARE[SEXES[i]] * pension[i] * survivors_base[i]),
        "child": by_sex(lambda i: min(cal.chld.total / 100, COVERAGE_CEILING) * children[i]),
        "maternity": (min(cal.matnl.total / 100, COVERAGE_CEILING) * births, 0.0),
        "unemployment": by_sex(lambda i: uemp[i] * unemployed[i]),
        "injury": by_sex(lambda i: INJURY_BENEFIT_RATE * injury[i] * employed[i]),
        "sickness": by_sex(lambda i: SICKNESS_BENEFIT_RATE * contrib[i] * employed[i]),
        "assistance": by_sex(lambda i: min(cal.vuln.total / 100, COVERAGE_CEILING) * pop[i]),
        "health": by_sex(lambda i: min(cal.health / 100, COVERAGE_CEILING) * pop[i]),
    }


def _count_row(women: float, men: float, by_sex: bool = True) -> list:
    w, m = round(women), round(men)
    return [w + m, m, w] if by_sex else [w + m, None, None]


def _non_national_share(profile: Profile, measure: str) -> float:
    """Share of non-nationals in a count: their population share, scaled to the population the
    measure concerns, times their relative coverage (as in the surveys).
    """
    s = min(profile.non_nationals * NON_NATIONAL_SHARE_FACTOR[measure], 0.95)
    r = NON_NATIONAL_RISK[measure]
    return s * r / (s * r + (1 - s))


def return_tables(ret: Return, population: Population, unemployment: dict, seed: int) -> dict[str, list[list]]:
    """Sheet name -> rows (header first) of one return."""
    profile = PROFILES[ret.country]
    c = counts(profile, ret.year, population, unemployment)
    schemes = SCHEMES[ret.country]
    meta = [
        ["field", "value"],
        ["country", ret.country],
        ["reference_year", ret.year],
        ["institution", f"{INSTITUTIONS[ret.country]} (synthetic return)"],
        ["submitted", f"{ret.year + 1}-05-31"],
        ["vintage", ret.vintage],
        ["synthetic", "true"],
        [
            "notes",
            f"Synthetic SSI return generated by `python -m synthetic --seed {seed}`; counts calibrated to the UN SDG "
            "Global Database (2023-12) and WPP 2019 (synthetic/ssi.py).",
        ],
    ]
    tables: dict[str, list[list]] = {st.RETURN_SHEET: meta}
    tables[st.SCHEMES.sheet] = [[v.name for v in st.SCHEMES.columns]] + [
        [s.scheme_id, s.name, s.function, s.scheme_type, s.legal_coverage] for s in schemes
    ]
    contributors = [[v.name for v in st.CONTRIBUTORS.columns]]
    beneficiaries = [[v.name for v in st.BENEFICIARIES.columns]]
    health = [[v.name for v in st.HEALTH.columns]]
    nn_rows = [[v.name for v in st.NON_NATIONALS.columns]]
    for s in schemes:
        for role in s.roles:
            women, men = c[role]
            if role in CONTRIBUTOR_ROLES:
                contributors.append([s.scheme_id, *_count_row(women, men)])
                nn_rows += _split(profile, s.scheme_id, "active_contributors", None, women, men)
            elif role == "health":
                health.append([s.scheme_id, *_count_row(women, men)])
                nn_rows += _split(profile, s.scheme_id, "health_protected", None, women, men)
            else:
                by_sex = not (role == "child" and ret.country in CHILD_TOTAL_ONLY)
                beneficiaries.append([s.scheme_id, BENEFIT_OF_ROLE[role], *_count_row(women, men, by_sex)])
                if role == "old_age":
                    nn_rows += _split(profile, s.scheme_id, "beneficiaries", "old_age", women, men)
    tables[st.CONTRIBUTORS.sheet] = contributors
    tables[st.BENEFICIARIES.sheet] = beneficiaries
    if ret.return_id in EXPENDITURE_RETURNS:
        tables[st.EXPENDITURE.sheet] = expenditure_rows(profile, ret.year, schemes, beneficiaries)
    tables[st.HEALTH.sheet] = health
    if ret.module:
        tables[st.NON_NATIONALS.sheet] = nn_rows
        equality, agreements, note = NON_NATIONALS_LAW[ret.country]
        legal = [[v.name for v in st.LEGAL.columns]]
        for s in schemes:
            if s.scheme_type == "contributory":
                export = "yes" if agreements and s.function in EXPORTABLE else "no"
                legal.append([s.scheme_id, "full", export, agreements, None])
            else:
                legal.append([s.scheme_id, equality, "no", 0, note])
        tables[st.LEGAL.sheet] = legal
    return tables


# Returns that report benefit expenditure (the optional Expenditure table; issue 11).
EXPENDITURE_RETURNS = ("GHA_2022", "MEX_2021", "ZAF_2020")


def expenditure_rows(profile: Profile, year: int, schemes, beneficiaries: list[list]) -> list[list]:
    """Expenditure of every Beneficiaries row: beneficiaries x the annual level of their function
    (``synthetic.countries.BENEFIT_LEVEL`` x median consumption), women's earnings-related
    contributory benefits at FEMALE_BENEFIT_RATIO of men's; by sex where the count is.
    """
    median = profile.median_consumption_ppp * 365 * ppp_factor(profile, year)
    scheme_type = {s.scheme_id: s.scheme_type for s in schemes}
    rows = [[v.name for v in st.EXPENDITURE.columns]]
    for scheme_id, benefit, total, men, women in beneficiaries[1:]:
        contributory = scheme_type[scheme_id] == "contributory"
        function = {"old_age": "oldage_contrib" if contributory else "oldage_noncontrib"}.get(benefit, benefit)
        level = BENEFIT_LEVEL[function] * median
        female = FEMALE_BENEFIT_RATIO if contributory and function in EARNINGS_RELATED else 1.0
        if men is None:
            rows.append([scheme_id, benefit, float(round(total * level)), None, None])
        else:
            m, w = round(men * level), round(women * level * female)
            rows.append([scheme_id, benefit, float(m + w), float(m), float(w)])
    return rows


def _split(profile: Profile, scheme_id: str, measure: str, benefit: str | None, women: float, men: float) -> list[list]:
    """National and non-national rows of one count (they add up to the count)."""
    share = _non_national_share(profile, measure)
    nn_w, nn_m = round(women * share), round(men * share)
    nat_w, nat_m = round(women) - nn_w, round(men) - nn_m
    return [
        [scheme_id, measure, benefit, "national", nat_w + nat_m, nat_m, nat_w],
        [scheme_id, measure, benefit, "non_national", nn_w + nn_m, nn_m, nn_w],
    ]


def damage(ret: Return, tables: dict[str, list[list]]) -> list[str]:
    """Plant the documented bad rows of ``BAD_ROWS`` in ``tables``; returns the descriptions."""
    issues = []
    for sheet, kind in BAD_ROWS.get(ret.return_id, ()):
        rows = tables[sheet]
        if kind == "sum":
            row = next(r for r in rows[1:] if r[3] is not None and r[3] > 200)
            row[-3] = row[-3] - 150
            issues.append(
                f"{sheet}, data row {rows.index(row)}: men + women exceed total by 150 (keying error): quarantined"
            )
        elif kind == "negative":
            row = rows[-1]
            row[1] = -row[1]
            issues.append(f"{sheet}, data row {len(rows) - 1}: negative total ({row[1]}): quarantined")
        elif kind == "negative_amount":
            row = rows[1]
            row[2] = -row[2]
            issues.append(f"{sheet}, data row 1: negative expenditure ({row[2]}): quarantined")
        elif kind == "unknown_benefit":
            rows.append([rows[1][0], "funeral_grant", 1250, 600, 650])
            issues.append(
                f"{sheet}, data row {len(rows) - 1}: benefit_type 'funeral_grant' is not an SSI code: quarantined"
            )
    return issues


# Bad rows planted in some returns: (sheet, kind).
BAD_ROWS = {
    "GHA_2022": ((st.BENEFICIARIES.sheet, "sum"),),
    "PHL_2020": ((st.CONTRIBUTORS.sheet, "negative"), (st.BENEFICIARIES.sheet, "unknown_benefit")),
    "MEX_2021": ((st.EXPENDITURE.sheet, "negative_amount"),),
}


def write_return(ret: Return, tables: dict[str, list[list]], out: Path) -> Path:
    """A workbook ``ssi/<id>.xlsx`` or a folder ``ssi/<id>/`` of CSV files."""
    if ret.workbook:
        path = out / "ssi" / f"{ret.return_id}.xlsx"
        write_xlsx(tables, path)
        return path
    folder = out / "ssi" / ret.return_id
    csv_names = {t.sheet: t.csv for t in st.TABLES} | {st.RETURN_SHEET: st.RETURN_CSV}
    for sheet, rows in tables.items():
        frame = pl.DataFrame(
            [[None if v is None else str(v) for v in r] for r in rows[1:]],
            schema=[str(h) for h in rows[0]],
            orient="row",
        )
        write_csv(frame, folder / csv_names[sheet])
    return folder


def write_ssi(out: Path, population: Population, seed: int) -> list[tuple[Return, list[str]]]:
    """Every return of ``RETURNS``; returns each with its known issues."""
    unemployment = unemployment_rates(out)
    written = []
    for ret in RETURNS:
        tables = return_tables(ret, population, unemployment, seed)
        issues = damage(ret, tables)
        if issues:
            tables[st.RETURN_SHEET].append(["known_issues", "; ".join(issues)])
        write_return(ret, tables, out)
        written.append((ret, issues))
    write_ssi_sources(out, written, seed)
    return written


def write_ssi_sources(out: Path, written: list[tuple[Return, list[str]]], seed: int) -> None:
    """``ssi/sources.yaml``: one entry per return (a workbook, or a CSV folder with a trailing /)."""
    files = {
        (f"{ret.return_id}.xlsx" if ret.workbook else f"{ret.return_id}/"): {
            "origin": "Synthetic SSI return generated by synthetic/ssi.py; counts calibrated to the UN SDG Global Database "
            "(2023-12) and WPP 2019",
            "licence": "Apache-2.0 (generated by this project)",
            "vintage": ret.vintage,
            "synthetic": True,
            "notes": f"Generated with seed {seed}. Non-nationals module: {'yes' if ret.module else 'no'}; "
            + (f"{len(issues)} known issue(s), listed in its Return table." if issues else "no known issues."),
        }
        for ret, issues in sorted(written, key=lambda item: item[0].return_id)
    }
    header = "# Origin, licence and vintage of every SSI return of data/raw/ssi (written by `python -m synthetic`).\n"
    write_yaml(out / "ssi" / "sources.yaml", {"files": files}, header)
