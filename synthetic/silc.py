"""Harmonisation spec of AUT_SILC_2006: the EU-SILC sample of the R package laeken (a real public
file, synthetic by design, GPL >= 2), bundled verbatim in ``surveys/AUT_SILC_2006``.

The spec is written by hand here because the file is not generated: it maps the EU-SILC target
variables (db030 household, rb030 person, db040 region, rb050/db090 weights, rb090 sex, pl030
self-defined economic status, py*/hy* net benefit amounts, pb220a citizenship) onto the
canonical variables, and explains every proxy in a comment.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from synthetic.real_files import REAL_FILES, source_entry
from synthetic.survey_files import spec_text
from synthetic.writers import write_text

SURVEY_ID = "AUT_SILC_2006"
DATA = next(e for e in REAL_FILES if e.path.startswith(f"surveys/{SURVEY_ID}/"))
# At-risk-of-poverty threshold: 60% of the weighted median equivalised income (laeken vignette:
# 10859.24 EUR; the rate is 14.44%).
POVERTY_THRESHOLD = 10859.24

VARIABLES = {
    "hh_id": ("db030", None),
    "person_id": ("rb030", "person number, unique in the file"),
    "person_weight": ("rb050", None),
    "household_weight": ("db090", None),
    "stratum": ("db040", "NUTS 2 region"),
    "psu": (
        "db030",
        "single-stage sample of households from the population register: the household is the ultimate cluster",
    ),
    "sex": ({"source": "rb090", "codes": {"male": "M", "female": "F"}}, None),
    "age": (
        {"expr": "CASE WHEN age < 0 THEN 0 ELSE age END"},
        "age at the end of the income reference year; -1 (born after the end of that year) recoded to 0",
    ),
    "lf_status": (
        {
            "source": "pl030",
            "codes": {
                1: "employed",
                2: "employed",
                3: "unemployed",
                4: "outside_labour_force",
                5: "outside_labour_force",
                6: "outside_labour_force",
                7: "outside_labour_force",
            },
        },
        "self-defined status (1 full-time, 2 part-time, 3 unemployed, 4 student, 5 retired, 6 disabled, 7 domestic tasks); persons 16+",
    ),
    "contributor": (
        {"expr": "py010n > 0 OR py050n > 0"},
        "proxy: employee or self-employment income; all workers above the marginal-earnings threshold are compulsorily insured",
    ),
    "rec_child_family": (
        {"source": "hy050n", "rule": "positive"},
        "household-level family allowances: flags everyone in a receiving household",
    ),
    "rec_sickness": ({"source": "py120n", "rule": "positive"}, None),
    "rec_disability": ({"source": "py130n", "rule": "positive"}, None),
    "rec_unemployment": ({"source": "py090n", "rule": "positive"}, None),
    "rec_oldage_contrib": ({"source": "py100n", "rule": "positive"}, "old-age benefits (statutory pension insurance)"),
    "rec_oldage_noncontrib": (
        {"value": False},
        "Austria has no non-contributory old-age pension: the equalisation supplement tops up contributory pensions",
    ),
    "rec_survivors": ({"source": "py110n", "rule": "positive"}, None),
    "severe_disability": ({"expr": "pl030 = 6"}, "proxy: permanently disabled or unfit to work (persons 16+)"),
    "nationality": (
        {"source": "pb220a", "codes": {"AT": "national"}, "other": "non_national"},
        "citizenship AT / EU / Other; persons 16+",
    ),
    "health_protected": ({"value": True}, "statutory health insurance covers virtually every resident"),
    "hh_consumption": (
        {"expr": "eqIncome * eqSS"},
        "no consumption in EU-SILC: household disposable income (equivalised income x equivalence scale)",
    ),
    "poor": (
        {"expr": f"eqIncome < {POVERTY_THRESHOLD}"},
        "at-risk-of-poverty threshold, 60% of the weighted median equivalised income",
    ),
    # Benefit amounts and welfare (issue 11): the net annual amounts behind the receipt flags.
    "hh_welfare_pc": (
        {"expr": "eqIncome * eqSS / hsize"},
        "household disposable income per capita (quintiles ranked by the pipeline)",
    ),
    "poverty_line": (
        {"value": POVERTY_THRESHOLD},
        "at-risk-of-poverty threshold (60% of the median equivalised income), EUR per year",
    ),
    "amt_sickness": ("py120n", None),
    "amt_disability": ("py130n", None),
    "amt_unemployment": ("py090n", None),
    "amt_oldage_contrib": ("py100n", None),
    "amt_survivors": ("py110n", None),
}
ABSENT = [
    "rec_maternity",
    "rec_employment_injury",
    "rec_social_assistance",
    "injury_insured",
    "gave_birth",
    "citizenship",
    "urban_rural",
    "hh_head",
    "hh_oop_health",
    # no labour-market detail, Washington Group items or quintile variable in the laeken file;
    # family allowances (hy050n) are a household amount, not a person's benefit
    "status_in_employment",
    "informal_employment",
    "isic_section",
    "domestic_worker",
    "platform_worker",
    "wg_difficulty",
    "welfare_quintile",
    "amt_child_family",
    "amt_maternity",
    "amt_oldage_noncontrib",
    "amt_employment_injury",
    "amt_social_assistance",
]


def write_silc_spec(out: Path) -> None:
    """``surveys/AUT_SILC_2006/spec.yaml`` (the data file is copied by ``real_files``)."""
    folder = out / "surveys" / SURVEY_ID
    file_name = DATA.path.rsplit("/", 1)[1]
    negative = int((pl.read_csv(folder / file_name, columns=["age"])["age"] < 0).sum())
    survey = {
        "id": SURVEY_ID,
        "country": "AUT",
        "year": 2006,
        "kind": "SILC",
        "file": file_name,
        "vintage": DATA.vintage,
        "synthetic": True,
        "source": "R package laeken 0.5.3, data set eusilc: synthetic EU-SILC data simulated from the Austrian EU-SILC 2006 "
        "(Statistics Austria) by the package authors",
        "licence": DATA.licence,
        "amounts_period": "year",
        "currency": "EUR",
        "known_issues": [
            f"{negative} persons have age -1 (born after the end of the income reference year): recoded to 0 by the spec",
            "person-level variables (pl030, py*, pb220a) are missing below age 16, so lf_status, contributor, benefits other than "
            "family allowances, severe_disability and nationality are missing for children",
        ],
        "notes": "Real public file, synthetic by design; copied verbatim. No PSU variable: households are the clusters.",
    }
    variables = {k: v for k, (v, _) in VARIABLES.items()}
    comments = {k: c for k, (_, c) in VARIABLES.items() if c}
    header = [
        f"Harmonisation spec of {SURVEY_ID}, the EU-SILC sample of the R package laeken (GPL >= 2), bundled verbatim.",
        "Written by `python -m synthetic` (synthetic/silc.py).",
    ]
    write_text(folder / "spec.yaml", spec_text(header, survey, False, variables, comments, ABSENT))


def silc_sources() -> dict[str, dict]:
    """``surveys/sources.yaml`` entries of AUT_SILC_2006: the real laeken file and its spec."""
    return {
        DATA.path.removeprefix("surveys/"): source_entry(DATA),
        f"{SURVEY_ID}/spec.yaml": {
            "origin": "Harmonisation spec written for this project (synthetic/silc.py)",
            "licence": "Apache-2.0",
            "vintage": DATA.vintage,
            "synthetic": False,
            "notes": "Maps the laeken EU-SILC variables onto the canonical ones; every proxy explained in a comment.",
        },
    }
