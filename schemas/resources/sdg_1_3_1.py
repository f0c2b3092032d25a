"""SDG 1.3.1 as published per country (``indicators/sdg_1_3_1``), its gaps, and the series no
source can give (``indicators/not_computable``, every family).
"""

from __future__ import annotations

from schemas.fields import FIELDS as F
from schemas.table import Table

COVERAGE_FIELDS = (
    "ref_area",
    "year",
    "series",
    "sex",
    "nationality",
    "age_group",
    "urban_rural",
    "source_kind",
    "source_id",
    "value",
    "numerator",
    "denominator",
    "se",
    "ci_lower",
    "ci_upper",
    "df",
    "n_unweighted",
    "deff",
    "cv",
    "reliability",
    "capped",
    "cap_applied",
    "obs_status",
    "method_edition",
    "input_vintage",
    "run_id",
)
COVERAGE_KEY = COVERAGE_FIELDS[:9]
GAP_FIELDS = (
    "ref_area",
    "year",
    "series",
    "gap_type",
    F["sex"].but(description="Sex within which a nationality gap is taken (T for the sex gap)."),
    F["nationality"].but(description="Nationality within which a sex gap is taken (T for the nationality gap)."),
    "age_group",
    "urban_rural",
    "source_kind",
    "source_id",
    "value_group",
    "value_reference",
    "difference_pp",
    "difference_se",
    "difference_ci_lower",
    "difference_ci_upper",
    "ratio",
    "ratio_se",
    "method_edition",
    "input_vintage",
    "run_id",
)
GAP_KEY = (
    "ref_area",
    "year",
    "series",
    "gap_type",
    "sex",
    "nationality",
    "age_group",
    "urban_rural",
    "source_kind",
    "source_id",
)

RESOURCES = [
    Table(
        "indicators/sdg_1_3_1",
        "SDG 1.3.1, every series, by sex, nationality, age group and area, from administrative (SSI) and survey "
        "sources, with SEs for survey estimates (the long layout).",
        COVERAGE_FIELDS,
        primary_key=COVERAGE_KEY,
    ),
    Table(
        "indicators/sdg_1_3_1_gaps",
        "Gender gaps (female minus male) and nationality gaps (non-nationals minus nationals) of SDG 1.3.1, with "
        "design-based SEs for survey estimates (the gap layout).",
        GAP_FIELDS,
        primary_key=GAP_KEY,
    ),
    Table(
        "indicators/not_computable",
        "Every series a source cannot give, with the reason (e.g. a variable declared absent), every family.",
        (
            "ref_area",
            "year",
            "source_kind",
            "source_id",
            F["series"].but(description="Series that could not be computed."),
            "breakdown",
            "reason",
        ),
    ),
]
