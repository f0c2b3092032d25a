"""The canonical person-level survey table (``staging/survey_persons``, one file per survey) and
the survey file as read (``raw/survey_file``): one catalogue of variables, used by the
harmoniser, the Pandera model and the data dictionary.

Every harmonisation spec maps source variables onto these names. A variable that a survey lacks
is declared ``absent`` in its spec: the column is then present but entirely null, and every
indicator that needs it is reported as not computable for that survey.
"""

from __future__ import annotations

from schemas.fields import BENEFIT_FUNCTIONS, NATIONALITY, SEX_FM, URBAN_RURAL, Field
from schemas.table import Table

SURVEY_KINDS = ("LFS", "HIES", "HBS", "SILC", "DHS", "MICS", "CENSUS", "OTHER")
LF_STATUS_CODES = ("employed", "unemployed", "outside_labour_force")
# ICSE-18 (20th ICLS, 2018) aggregate groups of status in employment by type of authority, with
# employers split from the other independent workers (methodology notes 11.1): employers (ICSE-18
# 11, 12), independent workers without employees (21, 22), dependent contractors (30), employees
# (41-44), contributing family workers (51).
ICSE_CODES = (
    "employer",
    "independent_without_employees",
    "dependent_contractor",
    "employee",
    "contributing_family_worker",
)
# ISIC Rev.4 sections (A agriculture, forestry and fishing ... U extraterritorial organisations).
ISIC_SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")


# Variables filled from the spec's `survey:` block, not from the data file.
SURVEY_LEVEL = (
    Field(
        "survey_id",
        "id",
        "Survey identifier (the partition key), e.g. GHA_LFS_2022.",
        required=True,
        level="survey",
        derivable=False,
    ),
    Field("country", "id", "Reference area, ISO 3166-1 alpha-3.", required=True, level="survey", derivable=False),
    Field(
        "year",
        "int",
        "Reference year of the survey.",
        required=True,
        min=1950,
        max=2100,
        level="survey",
        derivable=False,
    ),
    Field("survey_kind", "code", "Kind of survey.", codes=SURVEY_KINDS, required=True, level="survey", derivable=False),
)

# Variables mapped from the data file by the spec's `variables:` block.
MAPPED = (
    Field("hh_id", "id", "Household identifier (unique within the survey).", required=True, level="household"),
    Field("person_id", "id", "Person identifier (unique within the household).", required=True),
    Field("person_weight", "float", "Person sampling weight (expansion factor).", required=True, positive=True),
    Field(
        "household_weight",
        "float",
        "Household sampling weight; defaults to the person weight when absent.",
        positive=True,
        level="household",
    ),
    Field("stratum", "id", "First-stage stratum; absent means an unstratified design.", level="household"),
    Field("psu", "id", "Primary sampling unit; absent means each person is its own PSU.", level="household"),
    Field("sex", "code", "Sex of the person.", codes=SEX_FM, required=True),
    Field(
        "age",
        "int",
        "Age in completed years; missing (for every person) when the survey gives age in classes only (see age_class).",
        required=True,
        min=0,
        max=120,
        nullable=True,
    ),
    Field("lf_status", "code", "Labour-force status (ICLS).", codes=LF_STATUS_CODES),
    Field(
        "contributor",
        "flag",
        "Actively contributes to a social insurance scheme (at least one contribution in the reference period).",
    ),
    Field("rec_child_family", "flag", "Receives a child or family cash benefit (in own name or for the child)."),
    Field("rec_maternity", "flag", "Receives a maternity cash benefit."),
    Field("rec_sickness", "flag", "Receives a sickness cash benefit."),
    Field("rec_disability", "flag", "Receives a disability (invalidity) cash benefit."),
    Field("rec_unemployment", "flag", "Receives an unemployment cash benefit."),
    Field("rec_oldage_contrib", "flag", "Receives a contributory old-age pension."),
    Field("rec_oldage_noncontrib", "flag", "Receives a non-contributory (social) old-age pension."),
    Field("rec_survivors", "flag", "Receives a survivors' benefit."),
    Field("rec_employment_injury", "flag", "Receives an employment-injury cash benefit."),
    Field("rec_social_assistance", "flag", "Receives a general social assistance cash benefit."),
    Field("injury_insured", "flag", "Worker protected by employment-injury insurance."),
    Field(
        "severe_disability",
        "flag",
        "Has a severe disability (e.g. Washington Group: cannot do at all / a lot of difficulty).",
    ),
    Field("gave_birth", "flag", "Gave birth during the reference period (live birth)."),
    Field("nationality", "code", "National or non-national of the country of the survey.", codes=NATIONALITY),
    Field("citizenship", "id", "Country of citizenship, ISO 3166-1 alpha-3, where given."),
    Field("health_protected", "flag", "Affiliated to / protected by a publicly mandated health protection scheme."),
    Field("urban_rural", "code", "Area of residence.", codes=URBAN_RURAL, level="household"),
    Field("hh_head", "flag", "Is the head (reference person) of the household."),
    Field(
        "hh_consumption",
        "float",
        "Total household consumption expenditure (or income when the survey has no consumption), annual, local currency.",
        min=0,
        level="household",
    ),
    Field(
        "hh_oop_health",
        "float",
        "Household out-of-pocket health spending, annual, local currency.",
        min=0,
        level="household",
    ),
    Field("poor", "flag", "Lives below the national poverty line."),
    # Groups at risk, welfare and benefit amounts (issue 11; methodology notes section 11): status,
    # informality, industry, domestic and platform work describe the main job of the employed.
    Field(
        "status_in_employment",
        "code",
        "Status in employment of the main job, ICSE-18 groups (employers 11-12, independent workers without employees 21-22, dependent contractors 30, employees 41-44, contributing family workers 51).",
        codes=ICSE_CODES,
        absent_unless_mapped=True,
    ),
    Field(
        "informal_employment",
        "flag",
        "Main job is informal, by the survey's operational definition following the ICLS resolutions (17th ICLS 2003, 21st ICLS 2023).",
        absent_unless_mapped=True,
    ),
    Field(
        "isic_section",
        "code",
        "Economic activity of the main job, ISIC Rev.4 section letter (A = agriculture, forestry and fishing).",
        codes=ISIC_SECTIONS,
        absent_unless_mapped=True,
    ),
    Field(
        "domestic_worker",
        "flag",
        "Domestic worker (ISIC Rev.4 division 97, or ISCO-08 9111/5152 as the spec maps it).",
        absent_unless_mapped=True,
    ),
    Field(
        "platform_worker",
        "flag",
        "Works through a digital labour platform (where the survey asks it).",
        absent_unless_mapped=True,
    ),
    Field(
        "wg_difficulty",
        "int",
        "Washington Group short set: the highest level of difficulty over the six domains (1 no difficulty, 2 some, 3 a lot, 4 cannot do at all); missing when a domain is not answered. The disability identifier (level >= cut-off) is method configuration (config/methods/groups_at_risk.yaml).",
        min=1,
        max=4,
        absent_unless_mapped=True,
    ),
    Field(
        "hh_welfare_pc",
        "float",
        "Household welfare (consumption or income) per capita, annual, local currency: the ranking variable of the welfare quintiles.",
        min=0,
        level="household",
        absent_unless_mapped=True,
    ),
    Field(
        "welfare_quintile",
        "int",
        "Quintile of household welfare per capita (1 = poorest 20% of persons), as the survey gives it; when absent, the estimation ranks hh_welfare_pc.",
        min=1,
        max=5,
        level="household",
        absent_unless_mapped=True,
    ),
    Field(
        "poverty_line",
        "float",
        "National poverty line per person, annual, local currency (usually the same for everyone: `{value: ...}`; a spatially deflated line may vary): the unit of the benefit-to-poverty-line ratio.",
        positive=True,
        level="household",
        absent_unless_mapped=True,
    ),
    *(
        Field(
            f"amt_{f}",
            "float",
            f"Amount of the {f.replace('_', ' ')} benefit received, annual, local currency (0 for non-recipients).",
            min=0,
            absent_unless_mapped=True,
        )
        for f in BENEFIT_FUNCTIONS
    ),
)

# Derived by the harmoniser from a mapping of the spec.
DERIVED = (
    Field(
        "age_class",
        "id",
        "Age class in completed years, '<low>_<high>' (e.g. 15_24), when the survey gives age in classes only (spec: age: {source: v, classes: {...}}); missing when age is given in single years.",
        derivable=False,
    ),
)

# Added by the harmoniser: the household roster count and traceability.
TRACE = (
    Field(
        "hh_size",
        "int",
        "Rows of the household in the source file, counted before validation (a quarantined member still counts); null when the household id is missing. SDG 3.8.2 leaves out households with fewer kept members.",
        min=1,
        level="household",
        derivable=False,
    ),
    Field(
        "source_row",
        "int",
        "Row number in the source file (1 = first data row).",
        required=True,
        min=1,
        derivable=False,
    ),
)

ALL: tuple[Field, ...] = SURVEY_LEVEL + MAPPED + DERIVED + TRACE
BY_NAME: dict[str, Field] = {v.name: v for v in ALL}
MAPPED_NAMES: tuple[str, ...] = tuple(v.name for v in MAPPED)
# Money amounts: converted to annual values with the spec's amounts_period.
AMOUNTS: tuple[str, ...] = (
    "hh_consumption",
    "hh_oop_health",
    "hh_welfare_pc",
    "poverty_line",
    *(f"amt_{f}" for f in BENEFIT_FUNCTIONS),
)
# Each benefit amount and the receipt flag it goes with.
AMOUNT_RECEIPT: dict[str, str] = {f"amt_{f}": f"rec_{f}" for f in BENEFIT_FUNCTIONS}
COLUMN_ORDER: tuple[str, ...] = tuple(v.name for v in ALL)
# Key of the person table: one row per person in a survey.
PRIMARY_KEY = ("survey_id", "hh_id", "person_id")

RESOURCES = [
    Table(
        "raw/survey_file",
        "The survey's data file as read (Stata, SPSS, CSV or Parquet), its own columns and types; the harmonisation "
        "spec maps them onto staging/survey_persons.",
        partitions="surveys",
        as_read=True,
    ),
    Table(
        "staging/survey_persons",
        "The canonical person table of one survey: every variable of the catalogue (absent ones all null), the "
        "survey-level variables from the spec, and traceability (source_row, hh_size).",
        ALL,
        primary_key=PRIMARY_KEY,
        partitions="surveys",
    ),
]
PERSONS = RESOURCES[1]
