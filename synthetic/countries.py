"""Country profiles of the synthetic data: calibration targets and modelling assumptions.

Two kinds of numbers live here, kept apart on purpose:

* ``Published``: values of the UN SDG Global Database, December 2023 extract (bundled verbatim
  in ``data/raw/reference/unsdg_2023-12``). For each series the rule is the same: the latest year
  with a both-sexes value (``total``, ``year``) and, where the extract has sex detail, the latest
  year with female and male values (``female``, ``male``, ``sex_year``). ``tests/test_synthetic.py``
  re-derives every one of them from the bundled extract, so a typo cannot go unnoticed.
* ``Assumed``: everything else the generator needs (regions, household size, participation,
  consumption levels, PPPs, poverty rates...). These are rounded, plausible magnitudes for the
  country, not citations; every file built from them is marked ``synthetic: true``.

Statutory pensionable ages are real legislation (``PENSIONABLE_AGES``), with the year each age
came into force.
"""

from __future__ import annotations

from dataclasses import dataclass

# Published rates of 100 are capped country estimates; the generator uses this ceiling so that a
# synthetic survey still has some uncovered persons.
COVERAGE_CEILING = 0.97


@dataclass(frozen=True)
class Published:
    """A published percentage (UN SDG Global Database, 2023-12 extract): the latest both-sexes
    value and year, and, where published, the latest female/male values and their year.
    """

    total: float
    year: int
    female: float | None = None
    male: float | None = None
    sex_year: int | None = None


@dataclass(frozen=True)
class Assumed:
    """A percentage the extract does not publish for the country: an assumption, with why."""

    total: float
    reason: str
    female: float | None = None
    male: float | None = None


Rate = Published | Assumed

# Female-to-male ratio of coverage used when a series has no sex detail for the country
# (assumption: women are less often contributors, pensioners and injury-insured; equal otherwise).
ASSUMED_FEMALE_TO_MALE = {
    "pensn": 0.85,
    "wkinjry": 0.85,
    "uemp": 0.90,
    "disab": 1.0,
    "chld": 1.0,
    "vuln": 1.05,
}


def sex_rates(rate: Rate, series: str, share_female: float, ceiling: float = COVERAGE_CEILING) -> tuple[float, float]:
    """(female, male) proportions whose population-weighted mean is the published total (capped
    at ``ceiling``), in the published female/male ratio where there is one, else in the assumed
    ratio ``ASSUMED_FEMALE_TO_MALE[series]``. ``share_female`` is the women's share of the
    population the rate applies to.
    """
    total = min(rate.total / 100.0, ceiling)
    if rate.female is not None and rate.male is not None:
        if rate.male == 0:
            return (0.0, 0.0) if rate.female == 0 else (total / share_female, 0.0)
        ratio = rate.female / rate.male
    else:
        ratio = ASSUMED_FEMALE_TO_MALE.get(series, 1.0)
    male = total / (share_female * ratio + (1.0 - share_female))
    female = ratio * male
    if male > ceiling:
        male = ceiling
        female = (total - (1.0 - share_female) * ceiling) / share_female
    if female > ceiling:
        female = ceiling
        male = (total - share_female * ceiling) / (1.0 - share_female)
    return min(max(female, 0.0), ceiling), min(max(male, 0.0), ceiling)


@dataclass(frozen=True)
class Calibration:
    """Published targets of one country (percent). Series codes: SI_COV_CHLD, SI_COV_MATNL
    (women only), SI_COV_DISAB, SI_COV_UEMP, SI_COV_PENSN, SI_COV_VULN, SI_COV_WKINJRY (SDG 1.3.1),
    SL_TLF_UEM age 15+ (unemployment rate, SDG 8.5.2), SH_XPD_EARN10/25 (SDG 3.8.2),
    SH_ACS_UNHC (SDG 3.8.1). ``health`` is the share of the population covered by health
    insurance from the ILO World Social Protection Report 2014 (as republished by Our World in
    Data, ``owid_ILO_2014_health_coverage.csv``), with its year.
    """

    chld: Rate
    matnl: Rate
    disab: Rate
    uemp: Rate
    pensn: Rate
    vuln: Rate
    wkinjry: Rate
    unemployment: Published
    earn10: Published
    earn25: Published
    uhc_index: Published
    health: float
    health_year: int


@dataclass(frozen=True)
class Region:
    """A first-level region: share of the population and share of it living in urban areas."""

    name: str
    population_share: float
    urban_share: float


@dataclass(frozen=True)
class Profile:
    """Everything the generator knows about one country. All fields except ``calibration`` and
    the identifiers are assumptions (see the module docstring).
    """

    iso3: str
    m49: int
    name: str
    currency: str
    calibration: Calibration
    regions: tuple[Region, ...]
    mean_household_size: float
    single_person_households: float  # share of households with one member
    male_headed: float  # share of households headed by a man
    non_nationals: float  # share of the population (household level)
    citizenships: tuple[tuple[str, float], ...]  # countries of citizenship of non-nationals
    participation: tuple[float, float]  # labour-force participation at ages 25-54 (F, M)
    older_work: float  # multiplier of participation at ages 60+
    pension_noncontrib_share: float  # share of pension recipients with a non-contributory pension
    noncontrib_min_age: int  # minimum age of the non-contributory pension
    disability_noncontrib_share: float  # share of disability recipients in non-contributory schemes
    disability_prevalence: tuple[float, float]  # severe disability, share of population (F, M)
    tfr: float  # total fertility rate around 2015-2020
    early_fertility: bool  # early (Africa, Latin America) or late age pattern
    twin_share: float  # share of deliveries that are twin deliveries
    median_consumption_ppp: float  # median daily per-capita consumption, 2017 PPP $
    consumption_sigma: float  # sd of log per-capita consumption
    oop_positive: float  # share of households with positive OOP health spending
    ppp2017: float  # LCU per international $, private consumption, ICP 2017
    inflation: float  # average annual consumer price inflation, 2015-2023
    poverty: tuple[float, int, float]  # national poverty rate (%), its year, change per year (points)
    default_year: int  # reference year of the calibration


def _p(total, year, female=None, male=None, sex_year=None) -> Published:
    return Published(total, year, female, male, sex_year)


# Published values: UN SDG Global Database, December 2023 extract, latest year (see module docstring).
PROFILES: dict[str, Profile] = {
    p.iso3: p
    for p in (
        Profile(
            "GHA",
            288,
            "Ghana",
            "GHS",
            Calibration(
                chld=_p(25.9, 2020),
                matnl=_p(41.7, 2016),
                disab=_p(0.2, 2020),
                uemp=_p(0.0, 2020, 0.0, 0.0, 2020),
                pensn=_p(19.0, 2019, 7.2, 21.2, 2020),
                vuln=_p(5.1, 2020),
                wkinjry=_p(16.6, 2019),
                unemployment=_p(3.37, 2017, 3.48, 3.25, 2017),
                earn10=_p(1.33, 2016),
                earn25=_p(0.11, 2016),
                uhc_index=_p(48, 2021),
                health=73.9,
                health_year=2010,
            ),
            (
                Region("Greater Accra", 0.17, 0.92),
                Region("Ashanti", 0.19, 0.61),
                Region("Western", 0.13, 0.42),
                Region("Eastern", 0.11, 0.45),
                Region("Central", 0.09, 0.50),
                Region("Volta", 0.09, 0.35),
                Region("Northern", 0.16, 0.30),
                Region("Bono", 0.06, 0.45),
            ),
            mean_household_size=3.6,
            single_person_households=0.20,
            male_headed=0.65,
            non_nationals=0.015,
            citizenships=(("NGA", 0.35), ("TGO", 0.25), ("BFA", 0.20), ("CIV", 0.20)),
            participation=(0.85, 0.90),
            older_work=1.5,
            pension_noncontrib_share=0.0,
            noncontrib_min_age=65,
            disability_noncontrib_share=0.5,
            disability_prevalence=(0.030, 0.026),
            tfr=3.9,
            early_fertility=True,
            twin_share=0.028,
            median_consumption_ppp=4.6,
            consumption_sigma=0.75,
            oop_positive=0.45,
            ppp2017=2.1,
            inflation=0.12,
            poverty=(23.4, 2016, -0.4),
            default_year=2020,
        ),
        Profile(
            "KEN",
            404,
            "Kenya",
            "KES",
            Calibration(
                chld=_p(1.5, 2021, 2.4, 0.7, 2021),
                matnl=_p(30.2, 2019),
                disab=_p(2.4, 2021),
                uemp=_p(0.0, 2022, 0.0, 0.0, 2022),
                pensn=_p(13.2, 2019),
                vuln=_p(0.2, 2021, 0.2, 0.2, 2021),
                wkinjry=_p(9.3, 2019),
                unemployment=_p(5.01, 2019, 5.26, 4.78, 2019),
                earn10=_p(5.19, 2015),
                earn25=_p(1.4, 2015),
                uhc_index=_p(53, 2021),
                health=39.4,
                health_year=2009,
            ),
            (
                Region("Nairobi", 0.09, 1.0),
                Region("Coast", 0.09, 0.45),
                Region("North Eastern", 0.05, 0.15),
                Region("Eastern", 0.14, 0.15),
                Region("Central", 0.11, 0.30),
                Region("Rift Valley", 0.26, 0.20),
                Region("Western", 0.11, 0.12),
                Region("Nyanza", 0.15, 0.18),
            ),
            mean_household_size=3.9,
            single_person_households=0.20,
            male_headed=0.65,
            non_nationals=0.02,
            citizenships=(("SOM", 0.35), ("SSD", 0.20), ("UGA", 0.25), ("TZA", 0.20)),
            participation=(0.80, 0.90),
            older_work=1.5,
            pension_noncontrib_share=0.6,
            noncontrib_min_age=70,
            disability_noncontrib_share=0.6,
            disability_prevalence=(0.028, 0.024),
            tfr=3.5,
            early_fertility=True,
            twin_share=0.020,
            median_consumption_ppp=3.4,
            consumption_sigma=0.80,
            oop_positive=0.55,
            ppp2017=46.0,
            inflation=0.06,
            poverty=(36.1, 2015, -0.5),
            default_year=2021,
        ),
        Profile(
            "ZAF",
            710,
            "South Africa",
            "ZAR",
            Calibration(
                chld=_p(76.6, 2020),
                matnl=_p(7.6, 2020),
                disab=_p(66.5, 2020),
                uemp=_p(11.9, 2020),
                pensn=_p(81.5, 2020),
                vuln=_p(32.4, 2020),
                wkinjry=_p(19.2, 2020),
                unemployment=_p(28.77, 2021, 30.29, 27.48, 2021),
                earn10=_p(1.03, 2014),
                earn25=_p(0.12, 2014),
                uhc_index=_p(71, 2021),
                health=100.0,
                health_year=2010,
            ),
            (
                Region("Gauteng", 0.26, 0.97),
                Region("KwaZulu-Natal", 0.19, 0.55),
                Region("Western Cape", 0.12, 0.90),
                Region("Eastern Cape", 0.11, 0.45),
                Region("Limpopo", 0.10, 0.20),
                Region("Mpumalanga", 0.08, 0.45),
                Region("North West", 0.07, 0.50),
                Region("Free State", 0.05, 0.85),
                Region("Northern Cape", 0.02, 0.80),
            ),
            mean_household_size=3.3,
            single_person_households=0.22,
            male_headed=0.58,
            non_nationals=0.07,
            citizenships=(("ZWE", 0.45), ("MOZ", 0.25), ("LSO", 0.15), ("MWI", 0.15)),
            participation=(0.68, 0.80),
            older_work=0.6,
            pension_noncontrib_share=0.85,
            noncontrib_min_age=60,
            disability_noncontrib_share=0.9,
            disability_prevalence=(0.032, 0.028),
            tfr=2.4,
            early_fertility=True,
            twin_share=0.018,
            median_consumption_ppp=6.5,
            consumption_sigma=1.05,
            oop_positive=0.35,
            ppp2017=7.2,
            inflation=0.045,
            poverty=(55.5, 2014, 0.0),
            default_year=2020,
        ),
        Profile(
            "BRA",
            76,
            "Brazil",
            "BRL",
            Calibration(
                chld=_p(65.9, 2021),
                matnl=_p(48.9, 2021),
                disab=_p(100, 2021, 100, 100, 2021),
                uemp=_p(13.9, 2021),
                pensn=_p(79.3, 2021, 64.1, 100, 2021),
                vuln=_p(45.8, 2021, 43.7, 43.3, 2021),
                wkinjry=_p(48.7, 2020, 50.7, 46.9, 2020),
                unemployment=_p(13.16, 2021, 16.41, 10.66, 2021),
                earn10=_p(11.81, 2017),
                earn25=_p(1.88, 2017),
                uhc_index=_p(80, 2021),
                health=100.0,
                health_year=2009,
            ),
            (
                Region("Norte", 0.09, 0.75),
                Region("Nordeste", 0.27, 0.73),
                Region("Sudeste", 0.42, 0.93),
                Region("Sul", 0.14, 0.86),
                Region("Centro-Oeste", 0.08, 0.90),
            ),
            mean_household_size=2.9,
            single_person_households=0.15,
            male_headed=0.55,
            non_nationals=0.01,
            citizenships=(("VEN", 0.45), ("BOL", 0.20), ("HTI", 0.20), ("PRY", 0.15)),
            participation=(0.70, 0.90),
            older_work=0.8,
            pension_noncontrib_share=0.35,
            noncontrib_min_age=65,
            disability_noncontrib_share=0.7,
            disability_prevalence=(0.034, 0.030),
            tfr=1.7,
            early_fertility=True,
            twin_share=0.011,
            median_consumption_ppp=11.0,
            consumption_sigma=0.95,
            oop_positive=0.75,
            ppp2017=2.4,
            inflation=0.05,
            poverty=(25.0, 2018, -0.5),
            default_year=2021,
        ),
        Profile(
            "MEX",
            484,
            "Mexico",
            "MXN",
            Calibration(
                chld=_p(11.3, 2021),
                matnl=_p(11.5, 2021),
                disab=_p(47.1, 2021),
                uemp=_p(6.0, 2020, 19.9, 11.5, 2017),
                pensn=_p(100, 2021, 100, 100, 2021),
                vuln=_p(52.2, 2021),
                wkinjry=_p(36.8, 2021, 36.8, 36.8, 2021),
                unemployment=_p(4.09, 2021, 4.13, 4.06, 2021),
                earn10=_p(4.44, 2020),
                earn25=_p(1.22, 2020),
                uhc_index=_p(75, 2021),
                health=85.6,
                health_year=2010,
            ),
            (
                Region("Noroeste", 0.12, 0.85),
                Region("Noreste", 0.12, 0.88),
                Region("Occidente", 0.17, 0.80),
                Region("Centro", 0.32, 0.85),
                Region("Sur-Sureste", 0.27, 0.60),
            ),
            mean_household_size=3.6,
            single_person_households=0.10,
            male_headed=0.72,
            non_nationals=0.01,
            citizenships=(("USA", 0.50), ("GTM", 0.25), ("VEN", 0.15), ("HND", 0.10)),
            participation=(0.58, 0.94),
            older_work=1.1,
            pension_noncontrib_share=0.65,
            noncontrib_min_age=65,
            disability_noncontrib_share=0.7,
            disability_prevalence=(0.030, 0.026),
            tfr=2.1,
            early_fertility=True,
            twin_share=0.011,
            median_consumption_ppp=9.0,
            consumption_sigma=0.80,
            oop_positive=0.60,
            ppp2017=10.0,
            inflation=0.05,
            poverty=(43.9, 2020, -2.0),
            default_year=2021,
        ),
        Profile(
            "COL",
            170,
            "Colombia",
            "COP",
            Calibration(
                chld=_p(34.3, 2021),
                matnl=Assumed(
                    30.0, "SI_COV_MATNL is not published for Colombia; assumed near the level of its neighbours"
                ),
                disab=_p(12.0, 2021),
                uemp=_p(2.5, 2021),
                pensn=_p(45.7, 2021, 53.0, 53.6, 2016),
                vuln=_p(28.9, 2021),
                wkinjry=_p(43.5, 2021),
                unemployment=_p(13.9, 2021, 18.13, 10.9, 2021),
                earn10=_p(8.19, 2016),
                earn25=_p(2.23, 2016),
                uhc_index=_p(80, 2021),
                health=87.7,
                health_year=2010,
            ),
            (
                Region("Bogotá", 0.16, 1.0),
                Region("Atlántica", 0.22, 0.75),
                Region("Oriental", 0.17, 0.70),
                Region("Central", 0.25, 0.78),
                Region("Pacífica", 0.16, 0.60),
                Region("Orinoquía-Amazonía", 0.04, 0.55),
            ),
            mean_household_size=3.1,
            single_person_households=0.15,
            male_headed=0.62,
            non_nationals=0.05,
            citizenships=(("VEN", 0.90), ("ECU", 0.05), ("PER", 0.05)),
            participation=(0.70, 0.93),
            older_work=1.0,
            pension_noncontrib_share=0.45,
            noncontrib_min_age=60,
            disability_noncontrib_share=0.0,
            disability_prevalence=(0.031, 0.027),
            tfr=1.8,
            early_fertility=True,
            twin_share=0.011,
            median_consumption_ppp=9.5,
            consumption_sigma=0.90,
            oop_positive=0.50,
            ppp2017=1450.0,
            inflation=0.05,
            poverty=(39.3, 2021, -1.0),
            default_year=2021,
        ),
        Profile(
            "JOR",
            400,
            "Jordan",
            "JOD",
            Calibration(
                chld=_p(13.6, 2021),
                matnl=_p(9.6, 2021),
                disab=_p(48.5, 2021),
                uemp=_p(5.3, 2020),
                pensn=_p(46.1, 2021, 16.2, 80.7, 2019),
                vuln=_p(9.7, 2021),
                wkinjry=_p(57.5, 2020),
                unemployment=_p(19.84, 2021, 26.23, 18.55, 2021),
                earn10=_p(6.36, 2018),
                earn25=_p(1.25, 2018),
                uhc_index=_p(65, 2021),
                health=75.0,
                health_year=2006,
            ),
            (
                Region("Amman", 0.42, 0.98),
                Region("Irbid", 0.18, 0.88),
                Region("Zarqa", 0.15, 0.95),
                Region("Balqa", 0.05, 0.80),
                Region("Mafraq", 0.06, 0.60),
                Region("Madaba-Jerash-Ajloun", 0.08, 0.75),
                Region("South", 0.06, 0.75),
            ),
            mean_household_size=4.8,
            single_person_households=0.05,
            male_headed=0.88,
            non_nationals=0.30,
            citizenships=(("SYR", 0.55), ("EGY", 0.25), ("PSE", 0.12), ("IRQ", 0.08)),
            participation=(0.18, 0.86),
            older_work=0.6,
            pension_noncontrib_share=0.03,
            noncontrib_min_age=60,
            disability_noncontrib_share=0.3,
            disability_prevalence=(0.022, 0.022),
            tfr=2.8,
            early_fertility=False,
            twin_share=0.013,
            median_consumption_ppp=11.5,
            consumption_sigma=0.65,
            oop_positive=0.60,
            ppp2017=0.31,
            inflation=0.02,
            poverty=(15.7, 2018, 0.0),
            default_year=2021,
        ),
        Profile(
            "IDN",
            360,
            "Indonesia",
            "IDR",
            Calibration(
                chld=_p(25.6, 2020),
                matnl=_p(28.4, 2020),
                disab=_p(2.5, 2020),
                uemp=_p(0.0, 2020, 0.0, 0.0, 2020),
                pensn=_p(14.8, 2020),
                vuln=_p(16.5, 2020),
                wkinjry=_p(22.5, 2020),
                unemployment=_p(3.46, 2022, 3.15, 3.66, 2022),
                earn10=_p(1.97, 2021),
                earn25=_p(0.35, 2021),
                uhc_index=_p(55, 2021),
                health=59.0,
                health_year=2010,
            ),
            (
                Region("Sumatera", 0.22, 0.48),
                Region("Jawa", 0.56, 0.66),
                Region("Bali-Nusa Tenggara", 0.06, 0.45),
                Region("Kalimantan", 0.06, 0.55),
                Region("Sulawesi", 0.07, 0.40),
                Region("Maluku-Papua", 0.03, 0.35),
            ),
            mean_household_size=3.8,
            single_person_households=0.08,
            male_headed=0.85,
            non_nationals=0.01,
            citizenships=(("CHN", 0.30), ("MYS", 0.30), ("KOR", 0.20), ("IND", 0.20)),
            participation=(0.60, 0.96),
            older_work=1.4,
            pension_noncontrib_share=0.15,
            noncontrib_min_age=60,
            disability_noncontrib_share=0.6,
            disability_prevalence=(0.024, 0.021),
            tfr=2.3,
            early_fertility=False,
            twin_share=0.009,
            median_consumption_ppp=5.5,
            consumption_sigma=0.70,
            oop_positive=0.55,
            ppp2017=4800.0,
            inflation=0.03,
            poverty=(9.5, 2022, -0.3),
            default_year=2020,
        ),
        Profile(
            "VNM",
            704,
            "Viet Nam",
            "VND",
            Calibration(
                chld=_p(1.0, 2019),
                matnl=_p(44.0, 2020),
                disab=_p(83.5, 2020),
                uemp=_p(66.6, 2020, 56.7, 35.3, 2016),
                pensn=_p(40.9, 2020),
                vuln=_p(24.6, 2020),
                wkinjry=_p(26.2, 2020),
                unemployment=_p(2.38, 2021, 2.29, 2.47, 2021),
                earn10=_p(8.46, 2020),
                earn25=_p(1.73, 2020),
                uhc_index=_p(68, 2021),
                health=61.0,
                health_year=2010,
            ),
            (
                Region("Red River Delta", 0.23, 0.37),
                Region("Northern Midlands and Mountains", 0.13, 0.20),
                Region("North Central and Central Coast", 0.21, 0.30),
                Region("Central Highlands", 0.06, 0.28),
                Region("Southeast", 0.19, 0.63),
                Region("Mekong River Delta", 0.18, 0.25),
            ),
            mean_household_size=3.5,
            single_person_households=0.08,
            male_headed=0.75,
            non_nationals=0.01,
            citizenships=(("CHN", 0.50), ("KOR", 0.30), ("LAO", 0.20)),
            participation=(0.87, 0.95),
            older_work=1.3,
            pension_noncontrib_share=0.35,
            noncontrib_min_age=70,
            disability_noncontrib_share=0.8,
            disability_prevalence=(0.027, 0.023),
            tfr=2.1,
            early_fertility=False,
            twin_share=0.009,
            median_consumption_ppp=8.0,
            consumption_sigma=0.65,
            oop_positive=0.80,
            ppp2017=7700.0,
            inflation=0.03,
            poverty=(4.8, 2020, -0.8),
            default_year=2020,
        ),
        Profile(
            "PHL",
            608,
            "Philippines",
            "PHP",
            Calibration(
                chld=_p(31.1, 2020),
                matnl=_p(12.4, 2020),
                disab=_p(3.3, 2020, 2.3, 4.5, 2017),
                uemp=_p(0.0, 2020, 0.0, 0.0, 2020),
                pensn=_p(20.5, 2020, 12.0, 23.3, 2020),
                vuln=_p(22.4, 2020),
                wkinjry=_p(27.8, 2020),
                unemployment=_p(3.4, 2021, 3.83, 3.13, 2021),
                earn10=_p(6.31, 2015),
                earn25=_p(1.41, 2015),
                uhc_index=_p(58, 2021),
                health=82.0,
                health_year=2009,
            ),
            (
                Region("National Capital Region", 0.13, 1.0),
                Region("Balance of Luzon", 0.44, 0.50),
                Region("Visayas", 0.20, 0.45),
                Region("Mindanao", 0.23, 0.38),
            ),
            mean_household_size=4.2,
            single_person_households=0.07,
            male_headed=0.80,
            non_nationals=0.01,
            citizenships=(("CHN", 0.50), ("USA", 0.30), ("KOR", 0.20)),
            participation=(0.55, 0.92),
            older_work=1.2,
            pension_noncontrib_share=0.5,
            noncontrib_min_age=60,
            disability_noncontrib_share=0.2,
            disability_prevalence=(0.022, 0.020),
            tfr=2.6,
            early_fertility=False,
            twin_share=0.009,
            median_consumption_ppp=5.5,
            consumption_sigma=0.80,
            oop_positive=0.60,
            ppp2017=20.5,
            inflation=0.035,
            poverty=(18.1, 2021, -0.7),
            default_year=2020,
        ),
        Profile(
            "ALB",
            8,
            "Albania",
            "ALL",
            Calibration(
                chld=Assumed(
                    12.0,
                    "SI_COV_CHLD is not published for Albania; assumed from the child supplements of Ndihma Ekonomike",
                ),
                matnl=_p(47.9, 2019),
                disab=_p(100, 2021, 100, 100, 2021),
                uemp=_p(2.6, 2021),
                pensn=_p(100, 2021, 100, 100, 2021),
                vuln=Assumed(10.0, "SI_COV_VULN is not published for Albania; assumed"),
                wkinjry=_p(40.7, 2021),
                unemployment=_p(11.47, 2019, 11.32, 11.58, 2019),
                earn10=_p(8.85, 2017),
                earn25=_p(1.41, 2017),
                uhc_index=_p(64, 2021),
                health=23.6,
                health_year=2008,
            ),
            (
                Region("Tirana", 0.32, 0.80),
                Region("North", 0.20, 0.45),
                Region("Central", 0.28, 0.60),
                Region("South", 0.20, 0.55),
            ),
            mean_household_size=3.4,
            single_person_households=0.10,
            male_headed=0.85,
            non_nationals=0.02,
            citizenships=(("GRC", 0.40), ("ITA", 0.30), ("MKD", 0.20), ("SRB", 0.10)),
            participation=(0.66, 0.86),
            older_work=0.8,
            pension_noncontrib_share=0.1,
            noncontrib_min_age=70,
            disability_noncontrib_share=0.6,
            disability_prevalence=(0.029, 0.026),
            tfr=1.6,
            early_fertility=False,
            twin_share=0.013,
            median_consumption_ppp=9.0,
            consumption_sigma=0.60,
            oop_positive=0.70,
            ppp2017=48.0,
            inflation=0.03,
            poverty=(22.0, 2021, -0.5),
            default_year=2021,
        ),
    )
}

# Statutory pensionable age: (country, sex, from_year, age); sex T when the law does not differ by
# sex. Real legislation, simplified to whole years where a reform raises the age by months:
#   GHA National Pensions Act 2008 (Act 766): 60. KEN NSSF Act 2013: 60.
#   ZAF Social Assistance Act (older person's grant, 60 for men since 2010): 60.
#   BRA Constitutional Amendment 103/2019: men 65; women 60, rising 6 months a year to 62 in 2023.
#   MEX Ley del Seguro Social (old age, IMSS): 65. COL Ley 797 de 2003: 60/55, 62/57 from 2014.
#   JOR Social Security Law 2014: men 60, women 55.
#   IDN Government Regulation 45/2015: 56, plus one year every three years from 2019.
#   VNM Labour Code 2019: 60/55 until 2020, then +3 months (men) and +4 months (women) a year
#       (women 56 in 2023, men 61 in 2024).
#   PHL Social Security Act (SSS optional retirement): 60.
#   ALB Law 104/2014: men 65; women 60, rising 2 months a year from 2016 (61 from 2021).
#   AUT ASVG: men 65, women 60 (equalisation starts in 2024).
PENSIONABLE_AGES: tuple[tuple[str, str, int, int], ...] = (
    ("GHA", "T", 2008, 60),
    ("KEN", "T", 2013, 60),
    ("ZAF", "T", 2010, 60),
    ("BRA", "M", 1991, 65),
    ("BRA", "F", 1991, 60),
    ("BRA", "F", 2021, 61),
    ("BRA", "F", 2023, 62),
    ("MEX", "T", 1997, 65),
    ("COL", "M", 2003, 60),
    ("COL", "F", 2003, 55),
    ("COL", "M", 2014, 62),
    ("COL", "F", 2014, 57),
    ("JOR", "M", 2014, 60),
    ("JOR", "F", 2014, 55),
    ("IDN", "T", 2015, 56),
    ("IDN", "T", 2019, 57),
    ("IDN", "T", 2022, 58),
    ("VNM", "M", 1995, 60),
    ("VNM", "F", 1995, 55),
    ("VNM", "F", 2023, 56),
    ("VNM", "M", 2024, 61),
    ("PHL", "T", 1997, 60),
    ("ALB", "M", 2014, 65),
    ("ALB", "F", 2014, 60),
    ("ALB", "F", 2021, 61),
    ("AUT", "M", 1961, 65),
    ("AUT", "F", 1961, 60),
)


def pensionable_age(iso3: str, sex: str, year: int) -> int:
    """The statutory pensionable age of ``sex`` (F or M) in force in ``year``."""
    rows = [(y, a) for c, s, y, a in PENSIONABLE_AGES if c == iso3 and s in (sex, "T") and y <= year]
    if not rows:
        raise KeyError(f"no pensionable age for {iso3} {sex} {year}")
    return max(rows)[1]


# Age pattern of fertility: share of the total fertility rate by 5-year age group of the mother,
# 15-19 ... 45-49 (assumed; early = sub-Saharan Africa and Latin America, late = elsewhere).
FERTILITY_PATTERN = {
    True: (0.12, 0.25, 0.24, 0.19, 0.13, 0.05, 0.02),
    False: (0.04, 0.20, 0.30, 0.26, 0.14, 0.05, 0.01),
}
FERTILITY_DECLINE_PER_YEAR = 0.02  # TFR points per year after 2017 (assumed)
TRIPLET_SHARE = 0.0002  # share of deliveries that are triplet deliveries (assumed)


def asfr(profile: Profile, year: int) -> tuple[float, ...]:
    """Age-specific fertility rates (births per woman per year) for 15-19 ... 45-49."""
    tfr = max(profile.tfr - FERTILITY_DECLINE_PER_YEAR * (year - 2017), 1.0)
    return tuple(round(share * tfr / 5.0, 5) for share in FERTILITY_PATTERN[profile.early_fertility])


def ppp_factor(profile: Profile, year: int) -> float:
    """LCU of ``year`` per 2017 international dollar (private consumption): the ICP 2017 PPP
    carried by the country's average inflation.
    """
    return profile.ppp2017 * (1.0 + profile.inflation) ** (year - 2017)


def poverty_rate(profile: Profile, year: int) -> float:
    """National poverty headcount (percent) assumed for ``year``."""
    rate, base_year, trend = profile.poverty
    return round(min(max(rate + trend * (year - base_year), 1.0), 95.0), 1)


@dataclass(frozen=True)
class LabourMarket:
    """Labour-market magnitudes of the groups at risk (issue 11), percent of the employed.

    ``informal``: informal employment, share of total employment including agriculture (F, M):
    SDG indicator 8.3.1 magnitudes as published by the ILO (ILOSTAT, series "informal employment
    rate by sex", harmonized series; ILO 2018, *Women and men in the informal economy: a
    statistical picture*, 3rd edition, annex table B.1), ROUNDED to the point and, except Mexico
    (checked against INEGI, below), not re-checked against the source in this repository (no copy
    of ILOSTAT is bundled): treat them as magnitudes, not as citations to the decimal. ``agriculture``: employment in agriculture
    (ISIC section A), ILOSTAT modelled estimates, rounded (same caveat). ``domestic`` and
    ``platform``: assumed (ILO 2021, *Making decent work a reality for domestic workers*: about
    2% of employment worldwide, 4.5% of women's; platform work: about 1-3% of the employed in
    the countries that measure it), (F, M).
    """

    informal: tuple[float, float]
    agriculture: float
    domestic: tuple[float, float] = (4.5, 0.8)
    platform: tuple[float, float] = (1.0, 2.0)


LABOUR_MARKETS: dict[str, LabourMarket] = {
    # GHA magnitude: "about 90 percent" of the workforce in the informal economy (Ghana TUC, 2009,
    # The labour market in Ghana, IHSN citation 28450); the split by sex is assumed.
    "GHA": LabourMarket(informal=(92.0, 87.0), agriculture=30.0),
    "KEN": LabourMarket(informal=(86.0, 80.0), agriculture=33.0),
    "ZAF": LabourMarket(informal=(36.0, 33.0), agriculture=5.0, domestic=(11.0, 1.0)),
    "BRA": LabourMarket(informal=(45.0, 47.0), agriculture=9.0, domestic=(13.0, 1.0)),
    # MEX checked: INEGI, ENOE-N third quarter 2021 (press release 651/21, 22 November 2021): 31.4
    # million persons in informal employment of 55.8 million employed (56.3%), 12.3 million women
    # and 19.2 million men.
    "MEX": LabourMarket(informal=(57.0, 55.0), agriculture=12.0, domestic=(9.0, 1.0), platform=(1.5, 2.5)),
    "COL": LabourMarket(informal=(61.0, 59.0), agriculture=16.0, domestic=(6.0, 0.5)),
    "JOR": LabourMarket(informal=(40.0, 48.0), agriculture=3.0),
    "IDN": LabourMarket(informal=(82.0, 78.0), agriculture=29.0),
    "VNM": LabourMarket(informal=(66.0, 70.0), agriculture=30.0),
    "PHL": LabourMarket(informal=(73.0, 71.0), agriculture=24.0, domestic=(7.0, 1.0)),
    "ALB": LabourMarket(informal=(55.0, 58.0), agriculture=36.0),
}
# Annual benefit levels relative to the median annual per-capita consumption, by function
# (assumed), and the women's level per unit of men's for earnings-related benefits: women
# receive $0.81 per $1 received by men (World Bank, State of Social Protection Report 2025, 27
# countries; methodology notes 5.1). Flat-rate benefits are the same for both sexes.
BENEFIT_LEVEL = {
    "oldage_contrib": 0.9,
    "oldage_noncontrib": 0.25,
    "child_family": 0.08,
    "social_assistance": 0.15,
    "disability": 0.5,
    "unemployment": 0.5,
    "maternity": 0.6,
    "sickness": 0.1,
    "survivors": 0.5,
    "employment_injury": 0.4,
}
FEMALE_BENEFIT_RATIO = 0.81
EARNINGS_RELATED = ("oldage_contrib", "disability", "unemployment", "sickness", "employment_injury")
