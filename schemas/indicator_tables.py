"""Columns of the published indicator tables (the data dictionary is generated from here).

``sdg_1_3_1`` and ``sdg_3_8_2`` share the long survey/administrative layout; ``*_gaps`` tables
share the gap layout. Percent values are in percent (0-100); standard errors, confidence bounds
and gaps in percentage points.
"""

from __future__ import annotations

from schemas.survey_variables import BENEFIT_FUNCTIONS
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
    V(
        "n_unweighted",
        "int",
        "Unweighted number of sample persons in the series population (surveys); in sdg_3_8_2, sample households (its sampled units).",
    ),
    V("deff", "float", "Design effect (surveys)."),
    V("cv", "float", "Coefficient of variation se/value (surveys)."),
    V(
        "reliability",
        "code",
        "reliable, caution, suppress (survey rules in config/methods/survey_estimation.yaml) or not_applicable (administrative).",
        codes=RELIABILITY,
        required=True,
    ),
    V(
        "capped",
        "flag",
        "Administrative value: a cap of the method edition was applied (see cap_applied); null for survey estimates.",
    ),
    V(
        "cap_applied",
        "id",
        "Caps applied to an administrative value: value_at_100 (value brought down to 100), numerator_at_denominator (overlapping schemes), lifecycle_groups (a life-cycle group above its population); 'F: ...; M: ...' on a total built from the sexes.",
    ),
    V(
        "obs_status",
        "code",
        "SDMX observation status: A normal, E estimated (administrative counts above their population: capped, or shown above 100 by an edition that does not cap), U low reliability (survey estimate not flagged reliable).",
        codes=OBS_STATUS,
        required=True,
    ),
    V("method_edition", "id", "Method configuration editions used (family:edition).", required=True),
    V("input_vintage", "id", "Vintages of the inputs (source; denominators).", required=True),
    V("run_id", "id", "Dagster run that produced the row.", required=True),
)
COVERAGE_KEY = (
    "ref_area",
    "year",
    "series",
    "sex",
    "nationality",
    "age_group",
    "urban_rural",
    "source_kind",
    "source_id",
)

# SDG 3.8.2 adds the household breakdowns; its `sex` is the sex of the household head.
HARDSHIP_EXTRA: tuple[V, ...] = (
    V("quintile", "id", "T, or the quintile (1 = poorest) of per-capita consumption (3.8.2).", required=True),
    V(
        "hh_composition",
        "id",
        "T, or the household age composition (3.8.2): only_under_20, adults_only, adults_with_children, adults_with_older, older_only, multigenerational.",
        required=True,
    ),
)
# ... and, per survey, the households whose OOP exceeds their consumption (after reliability).
HARDSHIP_SURVEY_COUNTS: tuple[V, ...] = (
    V(
        "n_oop_above_consumption",
        "int",
        "Sample households of the survey whose out-of-pocket health spending exceeds their consumption "
        "(the same on every row of the survey): counted above every threshold, or left out under the edition's "
        "oop_above_consumption: exclude (3.8.2).",
        min=0,
    ),
)
_AFTER_RELIABILITY = [v.name for v in COVERAGE_COLUMNS].index("reliability") + 1
HARDSHIP_COLUMNS: tuple[V, ...] = (
    COVERAGE_COLUMNS[:7]
    + HARDSHIP_EXTRA
    + COVERAGE_COLUMNS[7:_AFTER_RELIABILITY]
    + HARDSHIP_SURVEY_COUNTS
    + COVERAGE_COLUMNS[_AFTER_RELIABILITY:]
)
HARDSHIP_KEY = COVERAGE_KEY + ("quintile", "hh_composition")

GAP_COLUMNS: tuple[V, ...] = (
    V("ref_area", "id", "Reference area, ISO3.", required=True),
    V("year", "int", "Reference year.", required=True),
    V("series", "id", "Series code.", required=True),
    V(
        "gap_type",
        "code",
        "sex (female minus male) or nationality (non-national minus national).",
        codes=("sex", "nationality"),
        required=True,
    ),
    V("sex", "code", "Sex within which a nationality gap is taken (T for the sex gap).", codes=SEX, required=True),
    V(
        "nationality",
        "code",
        "Nationality within which a sex gap is taken (T for the nationality gap).",
        codes=NATIONALITY,
        required=True,
    ),
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

NOT_COMPUTABLE_COLUMNS: tuple[V, ...] = (
    V("ref_area", "id", "ISO3.", required=True),
    V("year", "int", "Year.", required=True),
    V("source_kind", "code", "administrative or survey.", codes=SOURCE_KINDS, required=True),
    V("source_id", "id", "Source.", required=True),
    V("series", "id", "Series that could not be computed.", required=True),
    V("breakdown", "id", "Which breakdown (total, sex, nationality...).", required=True),
    V(
        "reason",
        "id",
        "Why, e.g. 'gave_birth absent in GHA_LFS_2022', or 'empty population: no sample person of GHA_LFS_2022 in the population of SI_COV_UEMP (with a known outcome)'.",
        required=True,
    ),
)

# SDG 3.8.1: one row per country and year (engine/uhc_index.py, sql/sdg_3_8_1.sql).
UHC_SERIES = "SH_ACS_UNHC"
UHC_COLUMNS: tuple[V, ...] = (
    V("ref_area", "id", "Reference area, ISO 3166-1 alpha-3.", required=True),
    V("year", "int", "Reference year.", required=True),
    V("series", "id", "UN SDG series code: SH_ACS_UNHC (UHC service coverage index).", required=True),
    V(
        "value",
        "float",
        "UHC service coverage index (1-100): geometric mean of the four category values; empty when a tracer has no value, observed or imputed.",
        min=1,
        max=100,
    ),
    V("rmnch", "float", "Category: reproductive, maternal, newborn and child health (1-100).", min=1, max=100),
    V(
        "infectious_diseases",
        "float",
        "Category: infectious diseases (1-100; without bed nets for low malaria burden).",
        min=1,
        max=100,
    ),
    V("ncd", "float", "Category: noncommunicable diseases (1-100).", min=1, max=100),
    V("capacity", "float", "Category: service capacity and access (1-100).", min=1, max=100),
    V("n_tracers_used", "int", "Tracers entering the index (14, or 13 without bed nets).", min=0),
    V(
        "n_tracers_imputed",
        "int",
        "Tracers with a value not observed in the year (interpolated, carried, regional median).",
        min=0,
    ),
    V("n_tracers_missing", "int", "Tracers without any value.", min=0),
    V(
        "imputed_share",
        "float",
        "Share of the tracers used that are imputed (0-1), published with the index.",
        min=0,
        max=1,
    ),
    V("malaria_high_burden", "flag", "High malaria burden: the bed-net tracer counts."),
    V(
        "obs_status",
        "code",
        "SDMX observation status: A all tracers observed, E some imputed.",
        codes=OBS_STATUS,
        required=True,
    ),
    V("method_edition", "id", "Method edition (sdg_3_8_1:<edition>).", required=True),
    V("input_vintage", "id", "Vintages of the inputs (tracers; population).", required=True),
    V("run_id", "id", "Dagster run that produced the row.", required=True),
)
UHC_KEY = ("ref_area", "year", "series")

# Groups at risk and adequacy (issue 11; sql/groups_survey.sql, sql/benefit_adequacy.sql): survey
# estimates in the long layout of sdg_1_3_1, with the group breakdown instead of nationality,
# age group and area.
GROUP_BREAKDOWNS = (
    "all",
    "status_in_employment",
    "informality",
    "agriculture",
    "domestic_work",
    "platform_work",
    "disability",
    "youth",
    "quintile",
)
GROUPS_ID: tuple[V, ...] = (
    V("ref_area", "id", "Reference area, ISO 3166-1 alpha-3.", required=True),
    V("year", "int", "Reference year.", required=True),
    V(
        "series",
        "id",
        "SP_CONTRIB_EMP (contributors among the employed), SP_CONTRIB_LF, SI_COV_BENFTS, or the World Bank household series SI_COV_SOCINS, SI_COV_SOCAST, SI_COV_LMKT (sex T; in total and by quintile: Q1 is the poorest-quintile series SI_COV_*PQ).",
        required=True,
    ),
    V("breakdown", "code", "Group breakdown (sql/groups_survey.sql header).", codes=GROUP_BREAKDOWNS, required=True),
    V(
        "group",
        "id",
        "Group within the breakdown: T (all); employer, independent_without_employees, dependent_contractor, employee, contributing_family_worker; informal, formal; agriculture, non_agriculture; domestic, non_domestic; platform, non_platform; with_disability, without_disability (Washington Group); youth (15-24), adult; Q1 (poorest) ... Q5.",
        required=True,
    ),
    V("sex", "code", "T total, F female, M male.", codes=SEX, required=True),
    V("source_kind", "code", "survey.", codes=SOURCE_KINDS, required=True),
    V("source_id", "id", "Survey id.", required=True),
)
GROUPS_COLUMNS: tuple[V, ...] = GROUPS_ID + tuple(
    v
    for v in COVERAGE_COLUMNS
    if v.name
    in (
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
        "obs_status",
        "method_edition",
        "input_vintage",
        "run_id",
    )
)
GROUPS_KEY = ("ref_area", "year", "series", "breakdown", "group", "sex", "source_kind", "source_id")
GROUPS_GAP_COLUMNS: tuple[V, ...] = (
    *GROUPS_ID[:3],
    V(
        "gap_type",
        "code",
        "sex: women minus men within the group; group: the group minus its reference group within the sex (informal - formal, agriculture - non_agriculture, domestic - non_domestic, platform - non_platform, with - without disability, youth - adult, Q1 - Q5, each status - employee).",
        codes=("sex", "group"),
        required=True,
    ),
    *GROUPS_ID[3:5],
    V("reference_group", "id", "The group compared with (the group itself for a sex gap).", required=True),
    V("sex", "code", "Sex of the focus domain (F for a sex gap).", codes=SEX, required=True),
    V("reference_sex", "code", "Sex of the reference domain (M for a sex gap).", codes=SEX, required=True),
    *GROUPS_ID[6:],
    *(
        v
        for v in GAP_COLUMNS
        if v.name
        in (
            "value_group",
            "value_reference",
            "difference_pp",
            "difference_se",
            "difference_ci_lower",
            "difference_ci_upper",
            "ratio",
            "ratio_se",
        )
    ),
    V("df", "int", "Degrees of freedom of the design."),
    *(v for v in GAP_COLUMNS if v.name in ("method_edition", "input_vintage", "run_id")),
)
GROUPS_GAP_KEY = (
    "ref_area",
    "year",
    "series",
    "gap_type",
    "breakdown",
    "group",
    "reference_group",
    "sex",
    "reference_sex",
    "source_kind",
    "source_id",
)

ADEQUACY_MEASURES = ("mean_benefit", "benefit_to_poverty_line", "benefit_to_welfare", "recipients_at_poverty_line")
ADEQUACY_ID: tuple[V, ...] = (
    V("ref_area", "id", "Reference area, ISO 3166-1 alpha-3.", required=True),
    V("year", "int", "Reference year.", required=True),
    V(
        "function",
        "code",
        "Benefit function: rec_<function> / amt_<function> of the survey; for SSI returns the benefit_type, old_age split into oldage_contrib (contributory schemes) and oldage_noncontrib.",
        codes=BENEFIT_FUNCTIONS,
        required=True,
    ),
    V(
        "measure",
        "code",
        "mean_benefit: mean annual benefit per recipient, local currency; benefit_to_poverty_line: total benefits / total poverty lines of the recipients; benefit_to_welfare: total benefits / total welfare per capita of the recipients (ASPIRE adequacy); recipients_at_poverty_line: percent of the recipients whose benefit is at least the poverty line.",
        codes=ADEQUACY_MEASURES,
        required=True,
    ),
    V(
        "source_kind",
        "code",
        "survey or administrative (SSI expenditure / beneficiaries).",
        codes=SOURCE_KINDS,
        required=True,
    ),
    V("source_id", "id", "Survey id or SSI return id.", required=True),
)
ADEQUACY_COLUMNS: tuple[V, ...] = (
    *ADEQUACY_ID[:4],
    V("sex", "code", "T total, F female, M male.", codes=SEX, required=True),
    *ADEQUACY_ID[4:],
    V(
        "value",
        "float",
        "The measure: local currency per year (mean_benefit), percent (recipients_at_poverty_line) or a ratio (the others).",
    ),
    V("numerator", "float", "Weighted total of benefits (surveys) or benefit expenditure (SSI)."),
    V("denominator", "float", "Weighted recipients, poverty lines or welfare (surveys), or beneficiaries (SSI)."),
    V("se", "float", "Linearised standard error, in the unit of the value (surveys)."),
    V("ci_lower", "float", "value - t(df) SE (surveys)."),
    V("ci_upper", "float", "value + t(df) SE (surveys)."),
    V("df", "int", "Degrees of freedom of the design (surveys)."),
    V("n_recipients", "int", "Unweighted recipients with an amount above 0 (surveys)."),
    V(
        "n_recipients_without_amount",
        "int",
        "Unweighted recipients who gave no amount (missing or 0): covered, but not in the measure (surveys).",
    ),
    V("cv", "float", "Coefficient of variation se/value (surveys)."),
    V(
        "reliability",
        "code",
        "reliable, caution, suppress (survey rules) or not_applicable (administrative).",
        codes=RELIABILITY,
        required=True,
    ),
    V("method_edition", "id", "Method editions used.", required=True),
    V("input_vintage", "id", "Vintages of the inputs.", required=True),
    V("run_id", "id", "Dagster run that produced the row.", required=True),
)
ADEQUACY_KEY = ("ref_area", "year", "function", "measure", "sex", "source_kind", "source_id")
ADEQUACY_GAP_COLUMNS: tuple[V, ...] = (
    *ADEQUACY_ID,
    V("value_female", "float", "The measure for women."),
    V("value_male", "float", "The measure for men."),
    V("difference", "float", "Women minus men (unit of the measure)."),
    V("difference_se", "float", "Linearised SE of the difference (surveys)."),
    V("difference_ci_lower", "float", "Lower 95% bound of the difference (surveys)."),
    V("difference_ci_upper", "float", "Upper 95% bound of the difference (surveys)."),
    V("ratio", "float", "Women / men: the gender gap in benefit levels."),
    V("ratio_se", "float", "Linearised SE of the ratio of two domain means from the same design (surveys)."),
    V("ratio_ci_lower", "float", "ratio - t(df) SE (surveys)."),
    V("ratio_ci_upper", "float", "ratio + t(df) SE (surveys)."),
    V("df", "int", "Degrees of freedom of the design (surveys)."),
    V("method_edition", "id", "Method editions used.", required=True),
    V("input_vintage", "id", "Vintages of the inputs.", required=True),
    V("run_id", "id", "Dagster run that produced the row.", required=True),
)
ADEQUACY_GAP_KEY = ("ref_area", "year", "function", "measure", "source_kind", "source_id")
