"""SDG 3.8.1, the UHC service coverage index, one row per country and year (``engine/sdg_3_8_1.py``,
``sql/sdg_3_8_1.sql``).
"""

from __future__ import annotations

from schemas.fields import FIELDS as F
from schemas.fields import OBS_STATUS, Field
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

_EDITION = F["method_edition"].but(description="Method edition (sdg_3_8_1:<edition>).")
_CATEGORIES = ("rmnch", "infectious_diseases", "ncd", "capacity")

RESOURCES += [
    Table(
        "indicators/sdg_3_8_1_tracers",
        "Every tracer of every country-year: value used, rescaled value, imputation flag (observed, interpolated, "
        "carried forward or back, regional median) and the observed years used; one row per input indicator (the "
        "workforce tracer has three).",
        (
            "country",
            "year",
            Field(
                "category", "id", "Category of the index (rmnch, infectious_diseases, ncd, capacity).", required=True
            ),
            Field("tracer", "id", "Tracer of the index.", required=True),
            Field("indicator", "id", "Input indicator (uhc/tracers.csv) entering the tracer.", required=True),
            Field("raw_value", "float", "Value used, in the input unit, after gap filling."),
            Field("rescaled_value", "float", "Value rescaled to 0-100 (clamped).", min=0, max=100),
            Field(
                "tracer_value", "float", "The tracer entering its category (the workforce tracer: a geometric mean)."
            ),
            Field(
                "imputation",
                "id",
                "observed, interpolated, carried_forward, carried_back, regional_median or missing.",
                required=True,
            ),
            Field("from_year", "int", "First observed year used."),
            Field("to_year", "int", "Last observed year used."),
            Field("imputation_group", "id", "level:group of a regional median."),
            Field("imputation_group_countries", "int", "Countries with an observed value in that group.", min=0),
            _EDITION,
        ),
        primary_key=("country", "year", "indicator"),
    ),
    Table(
        "indicators/sdg_3_8_1_regional",
        "Population-weighted regional and world values of the index and its categories, with the population covered.",
        (
            Field("level", "id", "Grouping level.", required=True),
            Field("region", "id", "Group.", required=True),
            "year",
            F["value"].but(
                name="sci",
                description="UHC service coverage index of the group (population-weighted).",
                min=1,
                max=100,
                unit=None,
            ),
            *_CATEGORIES,
            "imputed_share",
            Field("n_countries", "int", "Countries with an index and a population.", min=0),
            Field("n_countries_in_group", "int", "Countries of the group with a population.", min=0),
            Field("n_countries_without_population", "int", "Countries of the group without a population.", min=0),
            Field("population_covered", "float", "Population of the countries with an index.", min=0),
            Field("population_total", "float", "Population of the group.", min=0),
            Field("population_coverage", "float", "population_covered / population_total (0-1).", min=0, max=1),
            _EDITION,
        ),
        primary_key=("level", "region", "year"),
    ),
]
