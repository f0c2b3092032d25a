"""Columns of the published indicator tables (the data dictionary is generated from here).

``sdg_1_3_1`` and ``sdg_3_8_2`` share the long survey/administrative layout; ``*_gaps`` tables
share the gap layout. Percent values are in percent (0-100); standard errors, confidence bounds
and gaps in percentage points.
"""

from __future__ import annotations

from schemas.survey_variables import Variable as V

SEX = ("T", "F", "M")
NATIONALITY = ("T", "national", "non_national")
URBAN_RURAL = ("T", "urban", "rural")
SOURCE_KINDS = ("administrative", "survey")
RELIABILITY = ("reliable", "caution", "suppress", "not_applicable")
# SDMX code list CL_OBS_STATUS (subset used here).
OBS_STATUS = ("A", "E", "U")

COVERAGE_COLUMNS: tuple[V, ...] = (
    V("ref_area", "id", "Reference area, ISO 3166-1 alpha-3.", required=True),
    V("year", "int", "Reference year (time period).", required=True),
    V("series", "id", "UN SDG series code (SI_COV_*), or a report series (SP_*).", required=True),
    V("sex", "code", "T total, F female, M male.", codes=SEX, required=True),
    V("nationality", "code", "T total, national, non_national.", codes=NATIONALITY, required=True),
    V("age_group", "id", "T, or an age band such as 15_24.", required=True),
    V("urban_rural", "code", "T total, urban, rural.", codes=URBAN_RURAL, required=True),
    V("source_kind", "code", "administrative (SSI) or survey.", codes=SOURCE_KINDS, required=True),
    V("source_id", "id", "SSI return id or survey id.", required=True),
    V("value", "float", "Coverage, percent.", min=0),
    V("numerator", "float", "Persons covered (weighted for surveys).", min=0),
    V("denominator", "float", "Persons in the series population (weighted for surveys).", min=0),
    V("se", "float", "Design-based standard error, percentage points (surveys).", min=0),
    V("ci_lower", "float", "Lower bound of the 95% confidence interval, percent (surveys)."),
    V("ci_upper", "float", "Upper bound of the 95% confidence interval, percent (surveys)."),
    V("df", "int", "Degrees of freedom of the design (#PSU - #strata) (surveys)."),
    V("n_unweighted", "int", "Unweighted number of sample persons in the series population (surveys); in sdg_3_8_2, sample households (its sampled units)."),
    V("deff", "float", "Design effect (surveys)."),
    V("cv", "float", "Coefficient of variation se/value (surveys)."),
    V("reliability", "code", "reliable, caution, suppress (survey rules in config/methods/survey_estimation.yaml) or not_applicable (administrative).", codes=RELIABILITY, required=True),
    V("capped", "flag", "Administrative value: a cap of the method edition was applied (see cap_applied); null for survey estimates."),
    V("cap_applied", "id", "Caps applied to an administrative value: value_at_100 (value brought down to 100), numerator_at_denominator (overlapping schemes), lifecycle_groups (a life-cycle group above its population); 'F: ...; M: ...' on a total built from the sexes."),
    V("obs_status", "code", "SDMX observation status: A normal, E estimated (administrative counts above their population: capped, or shown above 100 by an edition that does not cap), U low reliability (survey estimate not flagged reliable).", codes=OBS_STATUS, required=True),
    V("method_edition", "id", "Method configuration editions used (family:edition).", required=True),
    V("input_vintage", "id", "Vintages of the inputs (source; denominators).", required=True),
    V("run_id", "id", "Dagster run that produced the row.", required=True),
)
COVERAGE_KEY = ("ref_area", "year", "series", "sex", "nationality", "age_group", "urban_rural", "source_kind", "source_id")

# SDG 3.8.2 adds the household breakdowns; its `sex` is the sex of the household head.
HARDSHIP_EXTRA: tuple[V, ...] = (
    V("quintile", "id", "T, or the quintile (1 = poorest) of per-capita consumption (3.8.2).", required=True),
    V("hh_composition", "id", "T, or the household age composition (3.8.2): only_under_20, adults_only, adults_with_children, adults_with_older, older_only, multigenerational.", required=True),
)
# ... and, per survey, the households whose OOP exceeds their consumption (after reliability).
HARDSHIP_SURVEY_COUNTS: tuple[V, ...] = (
    V("n_oop_above_consumption", "int", "Sample households of the survey whose out-of-pocket health spending exceeds their consumption "
      "(the same on every row of the survey): counted above every threshold, or left out under the edition's "
      "oop_above_consumption: exclude (3.8.2).", min=0),
)
_AFTER_RELIABILITY = [v.name for v in COVERAGE_COLUMNS].index("reliability") + 1
HARDSHIP_COLUMNS: tuple[V, ...] = (
    COVERAGE_COLUMNS[:7] + HARDSHIP_EXTRA + COVERAGE_COLUMNS[7:_AFTER_RELIABILITY] + HARDSHIP_SURVEY_COUNTS + COVERAGE_COLUMNS[_AFTER_RELIABILITY:]
)
HARDSHIP_KEY = COVERAGE_KEY + ("quintile", "hh_composition")

GAP_COLUMNS: tuple[V, ...] = (
    V("ref_area", "id", "Reference area, ISO3.", required=True),
    V("year", "int", "Reference year.", required=True),
    V("series", "id", "Series code.", required=True),
    V("gap_type", "code", "sex (female minus male) or nationality (non-national minus national).", codes=("sex", "nationality"), required=True),
    V("sex", "code", "Sex within which a nationality gap is taken (T for the sex gap).", codes=SEX, required=True),
    V("nationality", "code", "Nationality within which a sex gap is taken (T for the nationality gap).", codes=NATIONALITY, required=True),
    V("age_group", "id", "T or an age band.", required=True),
    V("urban_rural", "code", "T, urban or rural.", codes=URBAN_RURAL, required=True),
    V("source_kind", "code", "administrative or survey.", codes=SOURCE_KINDS, required=True),
    V("source_id", "id", "SSI return id or survey id.", required=True),
    V("value_group", "float", "Coverage of the focus group (female / non-national), percent."),
    V("value_reference", "float", "Coverage of the reference group (male / national), percent."),
    V("difference_pp", "float", "Focus minus reference, percentage points."),
    V("difference_se", "float", "Design-based SE of the difference (surveys; both domains share PSUs)."),
    V("difference_ci_lower", "float", "Lower 95% bound of the difference (surveys)."),
    V("difference_ci_upper", "float", "Upper 95% bound of the difference (surveys)."),
    V("ratio", "float", "Focus / reference."),
    V("ratio_se", "float", "Linearised SE of the ratio (surveys)."),
    V("method_edition", "id", "Method editions used.", required=True),
    V("input_vintage", "id", "Vintages of the inputs.", required=True),
    V("run_id", "id", "Dagster run that produced the row.", required=True),
)
GAP_KEY = ("ref_area", "year", "series", "gap_type", "sex", "nationality", "age_group", "urban_rural", "source_kind", "source_id")

NOT_COMPUTABLE_COLUMNS: tuple[V, ...] = (
    V("ref_area", "id", "ISO3.", required=True),
    V("year", "int", "Year.", required=True),
    V("source_kind", "code", "administrative or survey.", codes=SOURCE_KINDS, required=True),
    V("source_id", "id", "Source.", required=True),
    V("series", "id", "Series that could not be computed.", required=True),
    V("breakdown", "id", "Which breakdown (total, sex, nationality...).", required=True),
    V("reason", "id", "Why, e.g. 'gave_birth absent in GHA_LFS_2022', or 'empty population: no sample person of GHA_LFS_2022 in the population of SI_COV_UEMP (with a known outcome)'.", required=True),
)

# SDG 3.8.1: one row per country and year (engine/uhc_index.py, sql/sdg_3_8_1.sql).
UHC_SERIES = "SH_ACS_UNHC"
UHC_COLUMNS: tuple[V, ...] = (
    V("ref_area", "id", "Reference area, ISO 3166-1 alpha-3.", required=True),
    V("year", "int", "Reference year.", required=True),
    V("series", "id", "UN SDG series code: SH_ACS_UNHC (UHC service coverage index).", required=True),
    V("value", "float", "UHC service coverage index (1-100): geometric mean of the four category values; empty when a tracer has no value, observed or imputed.", min=1, max=100),
    V("rmnch", "float", "Category: reproductive, maternal, newborn and child health (1-100).", min=1, max=100),
    V("infectious_diseases", "float", "Category: infectious diseases (1-100; without bed nets for low malaria burden).", min=1, max=100),
    V("ncd", "float", "Category: noncommunicable diseases (1-100).", min=1, max=100),
    V("capacity", "float", "Category: service capacity and access (1-100).", min=1, max=100),
    V("n_tracers_used", "int", "Tracers entering the index (14, or 13 without bed nets).", min=0),
    V("n_tracers_imputed", "int", "Tracers with a value not observed in the year (interpolated, carried, regional median).", min=0),
    V("n_tracers_missing", "int", "Tracers without any value.", min=0),
    V("imputed_share", "float", "Share of the tracers used that are imputed (0-1), published with the index.", min=0, max=1),
    V("malaria_high_burden", "flag", "High malaria burden: the bed-net tracer counts."),
    V("obs_status", "code", "SDMX observation status: A all tracers observed, E some imputed.", codes=OBS_STATUS, required=True),
    V("method_edition", "id", "Method edition (sdg_3_8_1:<edition>).", required=True),
    V("input_vintage", "id", "Vintages of the inputs (tracers; population).", required=True),
    V("run_id", "id", "Dagster run that produced the row.", required=True),
)
UHC_KEY = ("ref_area", "year", "series")
