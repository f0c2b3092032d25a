"""SDG 3.8.1, the UHC service coverage index, one row per country and year (``engine/uhc_index.py``,
``sql/sdg_3_8_1.sql``).
"""

from __future__ import annotations

from schemas.fields import FIELDS as F
from schemas.fields import OBS_STATUS
from schemas.table import Table

UHC_SERIES = "SH_ACS_UNHC"

RESOURCES = [
    Table(
        "indicators/sdg_3_8_1",
        "SDG 3.8.1, the UHC service coverage index (SH_ACS_UNHC) and its four category values per country and year, "
        "with the share of imputed tracers and the method edition; the tracer detail with imputation flags is "
        "indicators/sdg_3_8_1_tracers, the population-weighted regional values indicators/sdg_3_8_1_regional.",
        (
            "ref_area",
            "year",
            F["series"].but(description=f"UN SDG series code: {UHC_SERIES} (UHC service coverage index)."),
            F["value"].but(
                description="UHC service coverage index (1-100): geometric mean of the four category values; empty "
                "when a tracer has no value, observed or imputed.",
                min=1,
                max=100,
                unit=None,
            ),
            "rmnch",
            "infectious_diseases",
            "ncd",
            "capacity",
            "n_tracers_used",
            "n_tracers_imputed",
            "n_tracers_missing",
            "imputed_share",
            "malaria_high_burden",
            F["obs_status"].but(
                description="SDMX observation status: A all tracers observed, E some imputed.", codes=OBS_STATUS
            ),
            F["method_edition"].but(description="Method edition (sdg_3_8_1:<edition>)."),
            F["input_vintage"].but(description="Vintages of the inputs (tracers; population)."),
            "run_id",
        ),
        primary_key=("ref_area", "year", "series"),
    ),
]
