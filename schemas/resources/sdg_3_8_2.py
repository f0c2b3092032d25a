"""SDG 3.8.2 as published per country (``indicators/sdg_3_8_2``) and its gaps: the layouts of
SDG 1.3.1 with the household breakdowns; ``sex`` is the sex of the household head.
"""

from __future__ import annotations

from schemas.fields import FIELDS as F
from schemas.fields import Field
from schemas.resources.sdg_1_3_1 import (
    COVERAGE_FIELDS,
    COVERAGE_KEY,
    GAP_FIELDS,
    GAP_KEY,
    SURVEY_ESTIMATE_FIELDS,
    SURVEY_GAP_FIELDS,
    SURVEY_ID,
    SURVEY_NOT_COMPUTABLE_FIELDS,
)
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

# Per-survey estimates (sql/sdg_3_8_2.sql): one file per survey; indicators/sdg_3_8_2 publishes them.
_HOUSEHOLD_DOMAIN = ("head_sex", "urban_rural", *HOUSEHOLD_BREAKDOWNS)
_HOUSEHOLDS = F["n_unweighted"].but(description="Unweighted number of sample households in the domain.")

RESOURCES += [
    Table(
        "indicators/sdg_3_8_2_survey",
        "SDG 3.8.2 for one survey: OOP above 10%/25% of consumption, and financial hardship (2025 definition) split "
        "into impoverishing and large, by sex of head, area, quintile and household composition, with design-based "
        "SEs (sql/sdg_3_8_2.sql).",
        (
            *SURVEY_ID,
            *_HOUSEHOLD_DOMAIN,
            *(_HOUSEHOLDS if f == "n_unweighted" else f for f in SURVEY_ESTIMATE_FIELDS[:-1]),
            "n_oop_above_consumption",
            "method_edition",
        ),
        primary_key=(*SURVEY_ID, *_HOUSEHOLD_DOMAIN),
        partitions="surveys",
    ),
    Table(
        "indicators/sdg_3_8_2_survey_gaps",
        "Households headed by women minus households headed by men, with the design-based SE of the difference.",
        (
            *SURVEY_ID,
            "gap_type",
            *_HOUSEHOLD_DOMAIN,
            *(f for f in SURVEY_GAP_FIELDS if f != "difference_se_independent"),
        ),
        primary_key=(*SURVEY_ID, "gap_type", *_HOUSEHOLD_DOMAIN),
        partitions="surveys",
    ),
    Table(
        "indicators/sdg_3_8_2_survey_exclusions",
        "Households left out of 3.8.2 and why (missing consumption, an incomplete roster; spending above consumption "
        "only under an edition that excludes it).",
        (
            "survey_id",
            Field("hh_id", "id", "Household identifier (unique within the survey).", required=True),
            F["reason"].but(
                description="Why the household is left out, e.g. 'household roster incomplete: 1 of 6 member rows quarantined'."
            ),
            Field("consumption", "float", "Household consumption expenditure, annual, local currency (as read)."),
            Field("oop", "float", "Household out-of-pocket health spending, annual, local currency (as read)."),
        ),
        primary_key=("survey_id", "hh_id"),
        partitions="surveys",
    ),
    Table(
        "indicators/sdg_3_8_2_survey_not_computable",
        "SDG 3.8.2 series this survey cannot give, with the reason. Written by the sdg_3_8_2_survey asset "
        "beside its table (no asset of its own); indicators/not_computable publishes it.",
        SURVEY_NOT_COMPUTABLE_FIELDS,
        partitions="surveys",
    ),
]
