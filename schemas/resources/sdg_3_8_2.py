"""SDG 3.8.2 as published per country (``indicators/sdg_3_8_2``) and its gaps: the layouts of
SDG 1.3.1 with the household breakdowns; ``sex`` is the sex of the household head.
"""

from __future__ import annotations

from schemas.fields import FIELDS as F
from schemas.resources.sdg_1_3_1 import COVERAGE_FIELDS, COVERAGE_KEY, GAP_FIELDS, GAP_KEY
from schemas.table import Table

HOUSEHOLD_BREAKDOWNS = ("quintile", "hh_composition")
_AREA = COVERAGE_FIELDS.index("urban_rural") + 1
_RELIABILITY = COVERAGE_FIELDS.index("reliability") + 1
_HEAD_SEX = F["sex"].but(description="Sex of the household head: T total, F female, M male.")

RESOURCES = [
    Table(
        "indicators/sdg_3_8_2",
        "SDG 3.8.2 from household budget surveys: legacy and 2025 definitions, the layout of sdg_1_3_1 with two "
        "household breakdowns after urban_rural and a count of the survey's households after reliability; sex is the "
        "sex of the household head.",
        (
            *COVERAGE_FIELDS[: COVERAGE_FIELDS.index("sex")],
            _HEAD_SEX,
            *COVERAGE_FIELDS[COVERAGE_FIELDS.index("sex") + 1 : _AREA],
            *HOUSEHOLD_BREAKDOWNS,
            *COVERAGE_FIELDS[_AREA:_RELIABILITY],
            "n_oop_above_consumption",
            *COVERAGE_FIELDS[_RELIABILITY:],
        ),
        primary_key=COVERAGE_KEY + HOUSEHOLD_BREAKDOWNS,
    ),
    Table(
        "indicators/sdg_3_8_2_gaps",
        "SDG 3.8.2 gaps between households headed by women and by men: the gap layout with the household breakdowns.",
        (*GAP_FIELDS, *HOUSEHOLD_BREAKDOWNS),
        primary_key=GAP_KEY + HOUSEHOLD_BREAKDOWNS,
    ),
]
