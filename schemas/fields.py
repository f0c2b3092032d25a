"""Every column of the tables the pipeline writes, declared once (PUDL's ``fields.py``): kind,
meaning, unit and constraints. A table of the registry (``schemas.registry``) lists field names;
where a column means something narrower in one table (the ``sex`` within which a gap is taken),
the table gives its own :class:`Field`, usually ``FIELDS[name].but(description=...)``.

Kinds: ``id`` (text identifier), ``code`` (text from ``codes``), ``flag`` (boolean), ``int``,
``float``. Percent values are 0-100; standard errors, confidence bounds and gaps are in
percentage points.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import polars as pl

# Code lists shared by several tables.
SEX_FM = ("F", "M")
SEX_TFM = ("T", *SEX_FM)
NATIONALITY = ("national", "non_national")
NATIONALITY_T = ("T", *NATIONALITY)
URBAN_RURAL = ("urban", "rural")
URBAN_RURAL_T = ("T", *URBAN_RURAL)
SOURCE_KINDS = ("administrative", "survey")
RELIABILITY = ("reliable", "caution", "suppress", "not_applicable")
# SDMX code list CL_OBS_STATUS (subset used here).
OBS_STATUS = ("A", "E", "U")
# Benefit functions whose receipt (rec_<function>) and annual amount (amt_<function>) a survey
# may give; amounts are converted to annual values with the spec's amounts_period.
BENEFIT_FUNCTIONS = (
    "child_family",
    "maternity",
    "sickness",
    "disability",
    "unemployment",
    "oldage_contrib",
    "oldage_noncontrib",
    "survivors",
    "employment_injury",
    "social_assistance",
)
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
ADEQUACY_MEASURES = ("mean_benefit", "benefit_to_poverty_line", "benefit_to_welfare", "recipients_at_poverty_line")

KINDS = ("id", "code", "flag", "int", "float")
DTYPES: dict[str, pl.DataType] = {
    "id": pl.String(),
    "code": pl.String(),
    "flag": pl.Boolean(),
    "int": pl.Int64(),
    "float": pl.Float64(),
}


@dataclass(frozen=True)
class Field:
    """One column: ``kind`` gives its type (``DTYPES``); ``codes`` the values allowed;
    ``min``/``max`` inclusive bounds, ``positive`` > 0; ``required`` columns are never missing,
    unless ``nullable`` says the column may be missing where another stands for it. ``level``,
    ``derivable`` and ``absent_unless_mapped`` describe canonical survey variables
    (``schemas.resources.survey``). ``unit`` is the unit of a number.
    """

    name: str
    kind: str
    description: str
    codes: tuple[str, ...] | None = None
    required: bool = False
    min: float | None = None
    max: float | None = None
    positive: bool = False
    level: str = "person"
    derivable: bool = True
    nullable: bool | None = None
    absent_unless_mapped: bool = False
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.codes is not None and self.kind != "code":
            raise ValueError(f"field {self.name!r}: codes are given but the kind is {self.kind!r}, not 'code'")

    @property
    def may_be_missing(self) -> bool:
        """Whether a value may be null."""
        return not self.required if self.nullable is None else self.nullable

    @property
    def dtype(self) -> pl.DataType:
        """The Polars type of the column."""
        return DTYPES[self.kind]

    def but(self, **changes: Any) -> Field:
        """This field with ``changes`` (a table's narrower meaning or constraint)."""
        return dataclasses.replace(self, **changes)


def _fields(*fields: Field) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for f in fields:
        if f.name in out:
            raise ValueError(f"field {f.name!r} is declared twice")
        out[f.name] = f
    return out


FIELDS: dict[str, Field] = _fields(
    # Identification of an indicator value.
    Field("ref_area", "id", "Reference area, ISO 3166-1 alpha-3.", required=True),
    Field("year", "int", "Reference year (time period).", required=True),
    Field("series", "id", "UN SDG series code (SI_COV_*), or a report series (SP_*).", required=True),
    Field("sex", "code", "T total, F female, M male.", codes=SEX_TFM, required=True),
    Field("nationality", "code", "T total, national, non_national.", codes=NATIONALITY_T, required=True),
    Field("age_group", "id", "T, or an age band such as 15_24.", required=True),
    Field("urban_rural", "code", "T total, urban, rural.", codes=URBAN_RURAL_T, required=True),
    Field("source_kind", "code", "administrative (SSI) or survey.", codes=SOURCE_KINDS, required=True),
    Field("source_id", "id", "SSI return id or survey id.", required=True),
    Field("survey_id", "id", "Survey identifier (the partition key), e.g. GHA_LFS_2022.", required=True),
    Field("country", "id", "Country of the source, ISO 3166-1 alpha-3.", required=True),
    Field("head_sex", "code", "Sex of the household head: T total, F female, M male.", codes=SEX_TFM, required=True),
    Field("quintile", "id", "T, or the quintile (1 = poorest) of per-capita consumption (3.8.2).", required=True),
    Field(
        "hh_composition",
        "id",
        "T, or the household age composition (3.8.2): only_under_20, adults_only, adults_with_children, adults_with_older, older_only, multigenerational.",
        required=True,
    ),
    # Survey and administrative estimates.
    Field("value", "float", "Coverage, percent.", min=0, unit="percent"),
    Field("numerator", "float", "Persons covered (weighted for surveys).", min=0, unit="persons"),
    Field("denominator", "float", "Persons in the series population (weighted for surveys).", min=0, unit="persons"),
    Field(
        "se",
        "float",
        "Design-based standard error, percentage points (surveys).",
        min=0,
        unit="percentage points",
    ),
    Field("ci_lower", "float", "Lower bound of the 95% confidence interval, percent (surveys).", unit="percent"),
    Field("ci_upper", "float", "Upper bound of the 95% confidence interval, percent (surveys).", unit="percent"),
    Field("df", "int", "Degrees of freedom of the design (#PSU - #strata) (surveys)."),
    Field(
        "n_unweighted",
        "int",
        "Unweighted number of sample persons in the series population (surveys); in sdg_3_8_2, sample households (its sampled units).",
    ),
    Field("n_numerator_unweighted", "int", "Unweighted number of sample units counted in the numerator.", min=0),
    Field("deff", "float", "Design effect (surveys)."),
    Field("cv", "float", "Coefficient of variation se/value (surveys)."),
    Field(
        "reliability",
        "code",
        "reliable, caution, suppress (survey rules in config/methods/survey_estimation.yaml) or not_applicable (administrative).",
        codes=RELIABILITY,
        required=True,
    ),
    Field(
        "n_oop_above_consumption",
        "int",
        "Sample households of the survey whose out-of-pocket health spending exceeds their consumption "
        "(the same on every row of the survey): counted above every threshold, or left out under the edition's "
        "oop_above_consumption: exclude (3.8.2).",
        min=0,
    ),
    Field(
        "capped",
        "flag",
        "Administrative value: a cap of the method edition was applied (see cap_applied); null for survey estimates.",
    ),
    Field(
        "cap_applied",
        "id",
        "Caps applied to an administrative value: value_at_100 (value brought down to 100), numerator_at_denominator (overlapping schemes), lifecycle_groups (a life-cycle group above its population); 'F: ...; M: ...' on a total built from the sexes.",
    ),
    Field(
        "obs_status",
        "code",
        "SDMX observation status: A normal, E estimated (administrative counts above their population: capped, or shown above 100 by an edition that does not cap), U low reliability (survey estimate not flagged reliable).",
        codes=OBS_STATUS,
        required=True,
    ),
    # Provenance of a row.
    Field("method_edition", "id", "Method configuration editions used (family:edition).", required=True),
    Field("input_vintage", "id", "Vintages of the inputs (source; denominators).", required=True),
    Field("run_id", "id", "Dagster run that produced the row.", required=True),
    # Gaps between two domains.
    Field(
        "gap_type",
        "code",
        "sex (female minus male) or nationality (non-national minus national).",
        codes=("sex", "nationality"),
        required=True,
    ),
    Field("value_group", "float", "Coverage of the focus group (female / non-national), percent.", unit="percent"),
    Field("value_reference", "float", "Coverage of the reference group (male / national), percent.", unit="percent"),
    Field("difference_pp", "float", "Focus minus reference, percentage points.", unit="percentage points"),
    Field("difference_se", "float", "Design-based SE of the difference (surveys; both domains share PSUs)."),
    Field("difference_ci_lower", "float", "Lower 95% bound of the difference (surveys)."),
    Field("difference_ci_upper", "float", "Upper 95% bound of the difference (surveys)."),
    Field(
        "difference_se_independent",
        "float",
        "SE of the difference if the two domains were independent samples (for comparison with the design-based SE).",
    ),
    Field("ratio", "float", "Focus / reference."),
    Field("ratio_se", "float", "Linearised SE of the ratio (surveys)."),
    # Series a source cannot give.
    Field("breakdown", "id", "Which breakdown (total, sex, nationality...).", required=True),
    Field(
        "reason",
        "id",
        "Why, e.g. 'gave_birth absent in GHA_LFS_2022', or 'empty population: no sample person of GHA_LFS_2022 in the population of SI_COV_UEMP (with a known outcome)'.",
        required=True,
    ),
    # SDG 3.8.1, the UHC service coverage index.
    Field("rmnch", "float", "Category: reproductive, maternal, newborn and child health (1-100).", min=1, max=100),
    Field(
        "infectious_diseases",
        "float",
        "Category: infectious diseases (1-100; without bed nets for low malaria burden).",
        min=1,
        max=100,
    ),
    Field("ncd", "float", "Category: noncommunicable diseases (1-100).", min=1, max=100),
    Field("capacity", "float", "Category: service capacity and access (1-100).", min=1, max=100),
    Field("n_tracers_used", "int", "Tracers entering the index (14, or 13 without bed nets).", min=0),
    Field(
        "n_tracers_imputed",
        "int",
        "Tracers with a value not observed in the year (interpolated, carried, regional median).",
        min=0,
    ),
    Field("n_tracers_missing", "int", "Tracers without any value.", min=0),
    Field(
        "imputed_share",
        "float",
        "Share of the tracers used that are imputed (0-1), published with the index.",
        min=0,
        max=1,
    ),
    Field("malaria_high_burden", "flag", "High malaria burden: the bed-net tracer counts."),
    # Groups at risk (issue 11).
    Field(
        "group",
        "id",
        "Group within the breakdown: T (all); employer, independent_without_employees, dependent_contractor, employee, contributing_family_worker; informal, formal; agriculture, non_agriculture; domestic, non_domestic; platform, non_platform; with_disability, without_disability (Washington Group); youth (15-24), adult; Q1 (poorest) ... Q5.",
        required=True,
    ),
    Field("reference_group", "id", "The group compared with (the group itself for a sex gap).", required=True),
    Field("reference_sex", "code", "Sex of the reference domain (M for a sex gap).", codes=SEX_TFM, required=True),
    # Benefit adequacy (issue 11).
    Field(
        "function",
        "code",
        "Benefit function: rec_<function> / amt_<function> of the survey; for SSI returns the benefit_type, old_age split into oldage_contrib (contributory schemes) and oldage_noncontrib.",
        codes=BENEFIT_FUNCTIONS,
        required=True,
    ),
    Field(
        "measure",
        "code",
        "mean_benefit: mean annual benefit per recipient, local currency; benefit_to_poverty_line: total benefits / total poverty lines of the recipients; benefit_to_welfare: total benefits / total welfare per capita of the recipients (ASPIRE adequacy); recipients_at_poverty_line: percent of the recipients whose benefit is at least the poverty line.",
        codes=ADEQUACY_MEASURES,
        required=True,
    ),
    Field("n_recipients", "int", "Unweighted recipients with an amount above 0 (surveys)."),
    Field(
        "n_recipients_without_amount",
        "int",
        "Unweighted recipients who gave no amount (missing or 0): covered, but not in the measure (surveys).",
    ),
    Field("value_female", "float", "The measure for women."),
    Field("value_male", "float", "The measure for men."),
    Field("difference", "float", "Women minus men (unit of the measure)."),
    Field("ratio_ci_lower", "float", "ratio - t(df) SE (surveys)."),
    Field("ratio_ci_upper", "float", "ratio + t(df) SE (surveys)."),
)
