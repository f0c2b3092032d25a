"""Declarations of the context, UHC and reference tables (input contract, ``data/raw/README.md``
sections 3-5): file, columns, key and the cross-row rules that apply. Each is written twice
(``RESOURCES``): ``raw/<name>`` as read (every column as text) and ``staging/<name>`` in its
declared columns and types.
"""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

from schemas.fields import NATIONALITY, SEX_TFM
from schemas.fields import Field as V
from schemas.table import Table

ISO3 = tuple(sorted(c.alpha_3 for c in pycountry.countries))
WPP_AGE5 = tuple(f"{a}_{a + 4}" for a in range(0, 100, 5)) + ("100plus",)
FERTILITY_AGES = tuple(f"{a}_{a + 4}" for a in range(15, 50, 5))
TRACERS = (
    "fp_demand_satisfied",
    "anc4",
    "dtp3",
    "careseek_ari",
    "tb_treatment",
    "art",
    "itn",
    "basic_sanitation",
    "hypertension_treated",
    "bp_nonraised",
    "fpg_mean",
    "tobacco_use",
    "hospital_beds",
    "physicians",
    "psychiatrists",
    "surgeons",
    "ihr",
)
INCOME_GROUPS = ("L", "LM", "UM", "H")

_COUNTRY = V("country", "code", "ISO 3166-1 alpha-3.", codes=ISO3, required=True)
_YEAR = V("year", "int", "Year.", required=True, min=1950, max=2100)
_SEX = V("sex", "code", "T, F or M.", codes=SEX_TFM, required=True)


@dataclass(frozen=True)
class ContextTable:
    """One context table. ``sex_totals`` names the value columns for which F + M must not
    exceed T (same key otherwise); ``required`` tables must be present in the input.
    """

    name: str
    file: str
    columns: tuple[V, ...]
    key: tuple[str, ...]
    required: bool = False
    sex_totals: tuple[str, ...] = ()
    description: str = ""


TABLES: tuple[ContextTable, ...] = (
    ContextTable(
        "population",
        "context/population_wpp.csv",
        (
            V("country", "int", "UN M49 code.", required=True, min=1, max=999),
            V("time", "int", "Year.", required=True, min=1950, max=2100),
            V("age5yearinterval", "code", "5-year age group.", codes=WPP_AGE5, required=True),
            V("gender", "code", "1 male, 2 female.", codes=("1", "2"), required=True),
            V("population", "float", "Population, thousands.", required=True, min=0),
        ),
        ("country", "time", "age5yearinterval", "gender"),
        required=True,
        description="Population by 5-year age group and sex (UN WPP layout, thousands).",
    ),
    ContextTable(
        "labour_force",
        "context/labour_force.csv",
        (
            _COUNTRY,
            _YEAR,
            _SEX,
            V("labour_force", "float", "Labour force 15+, persons.", required=True, min=0),
            V("employed", "float", "Employed 15+, persons.", required=True, min=0),
            V("unemployed", "float", "Unemployed 15+, persons.", required=True, min=0),
        ),
        ("country", "year", "sex"),
        sex_totals=("labour_force", "employed", "unemployed"),
        description="Labour force, employment and unemployment by sex (persons aged 15+).",
    ),
    ContextTable(
        "births",
        "context/births.csv",
        (
            _COUNTRY,
            _YEAR,
            V("live_births", "float", "Live births in the year.", required=True, min=0),
            V("twin_delivery_share", "float", "Share of deliveries that are twin deliveries.", min=0, max=1),
            V("triplet_delivery_share", "float", "Share of deliveries that are triplet deliveries.", min=0, max=1),
        ),
        ("country", "year"),
        description="Live births and multiple-delivery shares (mothers giving birth = deliveries).",
    ),
    ContextTable(
        "fertility",
        "context/fertility.csv",
        (
            _COUNTRY,
            _YEAR,
            V("age_group", "code", "Age group of the mother.", codes=FERTILITY_AGES, required=True),
            V("asfr", "float", "Births per woman per year.", required=True, min=0, max=1),
        ),
        ("country", "year", "age_group"),
        description="Age-specific fertility rates (used where births.csv has no row).",
    ),
    ContextTable(
        "pensionable_age",
        "context/pensionable_age.csv",
        (
            _COUNTRY,
            _SEX,
            V("from_year", "int", "First year in force.", required=True, min=1900, max=2100),
            V("age", "int", "Statutory pensionable age.", required=True, min=40, max=80),
        ),
        ("country", "sex", "from_year"),
        description="Statutory pensionable age by sex, with the year it came into force.",
    ),
    ContextTable(
        "disability_prevalence",
        "context/disability_prevalence.csv",
        (_COUNTRY, _SEX, V("prevalence", "float", "Share with severe disability.", required=True, min=0, max=1)),
        ("country", "sex"),
        description="Prevalence of severe disability (share of the population).",
    ),
    ContextTable(
        "poverty",
        "context/poverty.csv",
        (
            _COUNTRY,
            _YEAR,
            _SEX,
            V("poverty_rate", "float", "Percent below the national poverty line.", required=True, min=0, max=100),
        ),
        ("country", "year", "sex"),
        description="Population below the national poverty line (percent).",
    ),
    ContextTable(
        "ppp",
        "context/ppp.csv",
        (
            _COUNTRY,
            _YEAR,
            V("ppp_vintage", "int", "ICP round of the PPPs (2017, 2021).", required=True, min=2005, max=2100),
            V(
                "ppp_private_consumption",
                "float",
                "Local currency per international dollar.",
                required=True,
                positive=True,
            ),
        ),
        ("country", "year", "ppp_vintage"),
        description="Private-consumption PPP conversion factors.",
    ),
    ContextTable(
        "population_by_nationality",
        "context/population_by_nationality.csv",
        (
            _COUNTRY,
            _YEAR,
            _SEX,
            V(
                "nationality",
                "code",
                "National or non-national (citizenship).",
                codes=NATIONALITY,
                required=True,
            ),
            V("population", "float", "Population, all ages, persons.", required=True, min=0),
            V("population_15plus", "float", "Population aged 15+, persons.", min=0),
            V("labour_force", "float", "Labour force 15+, persons.", min=0),
            V("employed", "float", "Employed 15+, persons.", min=0),
            V("unemployed", "float", "Unemployed 15+, persons.", min=0),
        ),
        ("country", "year", "sex", "nationality"),
        sex_totals=("population", "population_15plus", "labour_force", "employed", "unemployed"),
        description="Population and labour force by citizenship (denominators of nationality gaps).",
    ),
    ContextTable(
        "uhc_tracers",
        "uhc/tracers.csv",
        (
            V("indicator", "code", "Tracer code.", codes=TRACERS, required=True),
            _COUNTRY,
            _YEAR,
            V("value", "float", "Tracer value in its unit.", required=True, min=0),
            V("source", "id", "Source of the value."),
        ),
        ("indicator", "country", "year"),
        description="UHC tracer indicators (long layout).",
    ),
    ContextTable(
        "malaria_high_burden",
        "uhc/malaria_high_burden.csv",
        (_COUNTRY, V("high_burden", "flag", "High malaria burden.", required=True)),
        ("country",),
        description="Countries where the bed-net tracer counts.",
    ),
    ContextTable(
        "countries",
        "reference/countries.csv",
        (
            V("iso3", "code", "ISO3.", codes=ISO3, required=True),
            V("m49", "int", "UN M49 code.", required=True, min=1, max=999),
            V("name", "id", "Name.", required=True),
            V("ilo_region", "id", "ILO region."),
            V("ilo_subregion", "id", "ILO subregion."),
            V("sdg_region", "id", "SDG region."),
            V("m49_subregion", "id", "M49 subregion."),
        ),
        ("iso3",),
        required=True,
        description="Country codes and groupings.",
    ),
    ContextTable(
        "m49_groups",
        "reference/m49_groups.csv",
        (
            V(
                "level",
                "code",
                "Grouping level: m49_region, m49_subregion or un_group.",
                codes=("m49_region", "m49_subregion", "un_group"),
                required=True,
            ),
            V("region", "id", "Group name (M49 name; LDC, LLDC, SIDS).", required=True),
            V("m49", "int", "UN M49 code of the group.", required=True, min=1, max=999),
            V("iso3", "code", "Member country, ISO3.", codes=ISO3, required=True),
        ),
        ("level", "region", "iso3"),
        description="M49 regions and subregions and UN country groups (LDC, LLDC, SIDS) with their M49 codes: membership of the "
        "aggregates the UN SDG Global Database publishes.",
    ),
    ContextTable(
        "income_groups",
        "reference/income_groups.csv",
        (
            V("iso3", "code", "ISO3.", codes=ISO3, required=True),
            _YEAR,
            V("income_group", "code", "World Bank income group.", codes=INCOME_GROUPS, required=True),
        ),
        ("iso3", "year"),
        description="World Bank income groups by year.",
    ),
)
BY_NAME = {t.name: t for t in TABLES}

RESOURCES = [
    *(
        Table(
            f"raw/{t.name}",
            f"{t.description} As read from {t.file}: the file's columns, every one as text.",
            as_read=True,
        )
        for t in TABLES
    ),
    *(Table(f"staging/{t.name}", t.description, t.columns, primary_key=t.key) for t in TABLES),
]
