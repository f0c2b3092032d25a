"""Column declarations of the ILO Social Security Inquiry return tables (input contract,
``data/raw/README.md`` section 2) and of the canonical SSI tables built from them (``staging/ssi_*``,
one file per return, in ``RESOURCES``).
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.fields import NATIONALITY, SEX_TFM
from schemas.fields import Field as V
from schemas.table import Table

FUNCTIONS = (
    "medical_care",
    "sickness",
    "unemployment",
    "old_age",
    "employment_injury",
    "family",
    "maternity",
    "invalidity",
    "survivors",
    "social_assistance",
)
SCHEME_TYPES = ("contributory", "non_contributory_universal", "means_tested")
BENEFIT_TYPES = (
    "child_family",
    "maternity",
    "sickness",
    "disability",
    "unemployment",
    "old_age",
    "survivors",
    "employment_injury",
    "social_assistance",
)
MEASURES = ("active_contributors", "beneficiaries", "health_protected")

EQUALITY = ("full", "partial", "none")
YES_NO = ("yes", "no")

_COUNTS = (
    V("total", "int", "Persons, both sexes.", required=True, min=0),
    V("men", "int", "Men.", min=0),
    V("women", "int", "Women.", min=0),
)
_SCHEME = V("scheme_id", "id", "Scheme identifier, as in the Schemes table.", required=True)


@dataclass(frozen=True)
class ReturnTable:
    """One table of an SSI return: its sheet name, CSV file name, columns and key."""

    sheet: str
    csv: str
    columns: tuple[V, ...]
    key: tuple[str, ...]
    required: bool
    has_counts: bool


SCHEMES = ReturnTable(
    "Schemes",
    "schemes.csv",
    (
        _SCHEME,
        V("scheme_name", "id", "Name of the scheme.", required=True),
        V("function", "code", "ILO C102 branch or general social assistance.", codes=FUNCTIONS, required=True),
        V(
            "scheme_type",
            "code",
            "Contributory, non-contributory universal or means-tested.",
            codes=SCHEME_TYPES,
            required=True,
        ),
        V("legal_coverage", "id", "Group legally covered (free text)."),
    ),
    ("scheme_id",),
    True,
    False,
)
CONTRIBUTORS = ReturnTable("Contributors", "contributors.csv", (_SCHEME, *_COUNTS), ("scheme_id",), False, True)
BENEFICIARIES = ReturnTable(
    "Beneficiaries",
    "beneficiaries.csv",
    (_SCHEME, V("benefit_type", "code", "Benefit type.", codes=BENEFIT_TYPES, required=True), *_COUNTS),
    ("scheme_id", "benefit_type"),
    False,
    True,
)
# Benefit expenditure (issue 11, adequacy): annual amounts paid, local currency of the return.
EXPENDITURE = ReturnTable(
    "Expenditure",
    "expenditure.csv",
    (
        _SCHEME,
        V("benefit_type", "code", "Benefit type.", codes=BENEFIT_TYPES, required=True),
        V(
            "total",
            "float",
            "Benefit expenditure of the reference year, both sexes, local currency.",
            required=True,
            min=0,
        ),
        V("men", "float", "Expenditure on benefits paid to men.", min=0),
        V("women", "float", "Expenditure on benefits paid to women.", min=0),
    ),
    ("scheme_id", "benefit_type"),
    False,
    True,
)
HEALTH = ReturnTable("HealthProtection", "health_protection.csv", (_SCHEME, *_COUNTS), ("scheme_id",), False, True)
NON_NATIONALS = ReturnTable(
    "NonNationals",
    "non_nationals.csv",
    (
        _SCHEME,
        V("measure", "code", "What is counted.", codes=MEASURES, required=True),
        V("benefit_type", "code", "Benefit type (beneficiaries only).", codes=BENEFIT_TYPES),
        V("nationality", "code", "National or non-national.", codes=NATIONALITY, required=True),
        *_COUNTS,
    ),
    ("scheme_id", "measure", "benefit_type", "nationality"),
    False,
    True,
)
LEGAL = ReturnTable(
    "LegalProvisions",
    "legal_provisions.csv",
    (
        _SCHEME,
        V("equality_of_treatment", "code", "Equality of treatment of non-nationals.", codes=EQUALITY),
        V("export_of_benefits", "code", "Benefits can be paid abroad.", codes=YES_NO),
        V(
            "agreements_in_force",
            "int",
            "Number of bilateral or multilateral social security agreements in force.",
            min=0,
        ),
        V("notes", "id", "Notes."),
    ),
    ("scheme_id",),
    False,
    False,
)
TABLES: tuple[ReturnTable, ...] = (SCHEMES, CONTRIBUTORS, BENEFICIARIES, EXPENDITURE, HEALTH, NON_NATIONALS, LEGAL)
RETURN_SHEET = "Return"
RETURN_CSV = "return.csv"
RETURN_FIELDS_REQUIRED = ("country", "reference_year")

# Columns the canonical SSI tables start with: which return, country and year a row is from.
RETURN_COLUMNS = (
    V("return_id", "id", "SSI return identifier.", required=True),
    V("country", "id", "ISO3.", required=True),
    V("year", "int", "Reference year.", required=True),
)

# Canonical scheme inventory and legal provisions: the kept rows of their sheets, per return.
SCHEMES_COLUMNS = RETURN_COLUMNS + SCHEMES.columns
LEGAL_COLUMNS = RETURN_COLUMNS + LEGAL.columns
SCHEMES_KEY = LEGAL_KEY = ("return_id", "scheme_id")

# Canonical long coverage table (one count per scheme, measure, benefit, nationality and sex).
COVERAGE_COLUMNS = RETURN_COLUMNS + (
    V("scheme_id", "id", "Scheme.", required=True),
    V("function", "code", "C102 branch.", codes=FUNCTIONS, required=True),
    V("scheme_type", "code", "Scheme type.", codes=SCHEME_TYPES, required=True),
    V("measure", "code", "What is counted.", codes=MEASURES, required=True),
    V("benefit_type", "code", "Benefit type (beneficiaries only).", codes=BENEFIT_TYPES),
    V("nationality", "code", "total, national or non_national.", codes=("total", *NATIONALITY), required=True),
    V("sex", "code", "T, F or M.", codes=SEX_TFM, required=True),
    V("persons", "int", "Number of persons.", required=True, min=0),
)
COVERAGE_KEY = ("return_id", "scheme_id", "measure", "benefit_type", "nationality", "sex")

# Canonical benefit expenditure (one amount per scheme, benefit type and sex).
EXPENDITURE_COLUMNS = RETURN_COLUMNS + (
    V("scheme_id", "id", "Scheme.", required=True),
    V("function", "code", "C102 branch.", codes=FUNCTIONS, required=True),
    V("scheme_type", "code", "Scheme type.", codes=SCHEME_TYPES, required=True),
    V("benefit_type", "code", "Benefit type.", codes=BENEFIT_TYPES, required=True),
    V("sex", "code", "T, F or M.", codes=SEX_TFM, required=True),
    V(
        "expenditure",
        "float",
        "Benefit expenditure of the reference year, local currency of the return.",
        required=True,
        min=0,
    ),
)
EXPENDITURE_KEY = ("return_id", "scheme_id", "benefit_type", "sex")

RESOURCES = [
    Table(
        "raw/ssi_return",
        "One SSI return as read: a folder with one Parquet file per sheet (or CSV table), every column as text.",
        partitions="ssi_returns",
        storage="folder",
        as_read=True,
    ),
    Table(
        "staging/ssi_returns",
        "The Return sheet of one SSI return (country, reference_year and the optional fields the return gives, as "
        "text), with its return_id and file. Written beside the staging tables; read by the catalog only.",
        (
            V("country", "id", "ISO3, as given in the Return sheet.", required=True),
            V("reference_year", "id", "Reference year, as given in the Return sheet.", required=True),
        ),
        partitions="ssi_returns",
        as_read=True,
    ),
    Table(
        "staging/ssi_coverage",
        "SSI counts in long form: scheme x measure (active contributors, beneficiaries, health protected) x benefit "
        "type x nationality x sex.",
        COVERAGE_COLUMNS,
        primary_key=COVERAGE_KEY,
        partitions="ssi_returns",
    ),
    Table(
        "staging/ssi_schemes",
        "SSI scheme inventory: function (C102 branch), type, legal coverage.",
        SCHEMES_COLUMNS,
        primary_key=SCHEMES_KEY,
        partitions="ssi_returns",
    ),
    Table(
        "staging/ssi_legal_provisions",
        "SSI non-nationals module: legal provisions per scheme (equality of treatment, export of benefits, agreements).",
        LEGAL_COLUMNS,
        primary_key=LEGAL_KEY,
        partitions="ssi_returns",
    ),
    Table(
        "staging/ssi_expenditure",
        "SSI benefit expenditure in long form (optional Expenditure table): scheme x benefit type x sex, local currency.",
        EXPENDITURE_COLUMNS,
        primary_key=EXPENDITURE_KEY,
        partitions="ssi_returns",
    ),
]
