"""Groups at risk and benefit adequacy (issue 11; ``sql/groups_survey.sql``,
``sql/benefit_adequacy.sql``, ``sql/benefit_adequacy_admin.sql``): survey estimates in the long
layout of sdg_1_3_1 with a group breakdown instead of nationality, age group and area, and
benefit levels by function and sex.
"""

from __future__ import annotations

from schemas.fields import FIELDS as F
from schemas.fields import GROUP_BREAKDOWNS, Field
from schemas.table import Table

_SERIES = F["series"].but(
    description="SP_CONTRIB_EMP (contributors among the employed), SP_CONTRIB_LF, SI_COV_BENFTS, or the World Bank "
    "household series SI_COV_SOCINS, SI_COV_SOCAST, SI_COV_LMKT (sex T; in total and by quintile: Q1 is the "
    "poorest-quintile series SI_COV_*PQ)."
)
_BREAKDOWN = F["breakdown"].but(
    kind="code", description="Group breakdown (sql/groups_survey.sql header).", codes=GROUP_BREAKDOWNS
)
_SURVEY_KIND = F["source_kind"].but(description="survey.")
_SURVEY_ID = F["source_id"].but(description="Survey id.")
_ESTIMATE = (
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
_ADEQUACY_ID = (
    "ref_area",
    "year",
    "function",
    "measure",
    F["source_kind"].but(description="survey or administrative (SSI expenditure / beneficiaries)."),
    "source_id",
)
_PROVENANCE = ("method_edition", "input_vintage", "run_id")
_GROUP_GAP_TYPE = F["gap_type"].but(
    description="sex: women minus men within the group; group: the group minus its reference group "
    "within the sex (informal - formal, agriculture - non_agriculture, domestic - non_domestic, platform "
    "- non_platform, with - without disability, youth - adult, Q1 - Q5, each status - employee).",
    codes=("sex", "group"),
)
_FOCUS_SEX = F["sex"].but(description="Sex of the focus domain (F for a sex gap).")
# The measures of benefit adequacy with their sampling error, and women against men.
_ADEQUACY_VALUES = (
    F["value"].but(
        description="The measure: local currency per year (mean_benefit), percent (recipients_at_poverty_line) "
        "or a ratio (the others).",
        min=None,
        unit=None,
    ),
    F["numerator"].but(
        description="Weighted total of benefits (surveys) or benefit expenditure (SSI).", min=None, unit=None
    ),
    F["denominator"].but(
        description="Weighted recipients, poverty lines or welfare (surveys), or beneficiaries (SSI).",
        min=None,
        unit=None,
    ),
    F["se"].but(description="Linearised standard error, in the unit of the value (surveys).", min=None, unit=None),
    F["ci_lower"].but(description="value - t(df) SE (surveys).", unit=None),
    F["ci_upper"].but(description="value + t(df) SE (surveys).", unit=None),
    "df",
    "n_recipients",
    "n_recipients_without_amount",
    "cv",
    F["reliability"].but(description="reliable, caution, suppress (survey rules) or not_applicable (administrative)."),
)
_ADEQUACY_GAP_VALUES = (
    "value_female",
    "value_male",
    "difference",
    F["difference_se"].but(description="Linearised SE of the difference (surveys)."),
    "difference_ci_lower",
    "difference_ci_upper",
    F["ratio"].but(description="Women / men: the gender gap in benefit levels."),
    F["ratio_se"].but(description="Linearised SE of the ratio of two domain means from the same design (surveys)."),
    "ratio_ci_lower",
    "ratio_ci_upper",
    "df",
    "method_edition",
)

RESOURCES = [
    Table(
        "indicators/groups_at_risk",
        "Coverage of the groups at risk from surveys (sql/groups_survey.sql): the long layout with a group breakdown "
        "instead of nationality, age group and area.",
        ("ref_area", "year", _SERIES, _BREAKDOWN, "group", "sex", _SURVEY_KIND, _SURVEY_ID, *_ESTIMATE),
        primary_key=("ref_area", "year", "series", "breakdown", "group", "sex", "source_kind", "source_id"),
    ),
    Table(
        "indicators/groups_at_risk_gaps",
        "Gaps between women and men within groups and between groups (informal - formal...) within sexes, every survey.",
        (
            "ref_area",
            "year",
            _SERIES,
            _GROUP_GAP_TYPE,
            _BREAKDOWN,
            "group",
            "reference_group",
            _FOCUS_SEX,
            "reference_sex",
            _SURVEY_KIND,
            _SURVEY_ID,
            "value_group",
            "value_reference",
            "difference_pp",
            "difference_se",
            "difference_ci_lower",
            "difference_ci_upper",
            "ratio",
            "ratio_se",
            F["df"].but(description="Degrees of freedom of the design."),
            *_PROVENANCE,
        ),
        primary_key=(
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
        ),
    ),
    Table(
        "indicators/benefit_adequacy",
        "Benefit levels by function and sex: surveys (sql/benefit_adequacy.sql) and SSI returns with an Expenditure "
        "table (sql/benefit_adequacy_admin.sql). Amounts in the local currency of the source, per year.",
        (
            *_ADEQUACY_ID[:4],
            "sex",
            *_ADEQUACY_ID[4:],
            *_ADEQUACY_VALUES,
            *_PROVENANCE,
        ),
        primary_key=("ref_area", "year", "function", "measure", "sex", "source_kind", "source_id"),
    ),
    Table(
        "indicators/benefit_adequacy_gaps",
        "Gender gaps in benefit levels (women / men), surveys with linearised SEs and SSI returns.",
        (
            *_ADEQUACY_ID,
            *_ADEQUACY_GAP_VALUES[:-1],
            *_PROVENANCE,
        ),
        primary_key=("ref_area", "year", "function", "measure", "source_kind", "source_id"),
    ),
]

# Per-survey estimates (sql/groups_survey.sql, sql/benefit_adequacy.sql): one file per survey;
# indicators/groups_at_risk and indicators/benefit_adequacy publish them.
_SURVEY = ("survey_id", "country", "year")
_ADEQUACY_ESTIMATE = (*_ADEQUACY_VALUES, "method_edition")

RESOURCES += [
    Table(
        "indicators/survey_groups",
        "Coverage of the groups at risk for one survey: series x group x sex with design-based SE, CI, df, deff, "
        "reliability (sql/groups_survey.sql).",
        (
            *_SURVEY,
            _SERIES,
            _BREAKDOWN,
            "group",
            "sex",
            "value",
            "numerator",
            "denominator",
            "se",
            "ci_lower",
            "ci_upper",
            "df",
            "n_unweighted",
            "n_numerator_unweighted",
            "deff",
            "cv",
            "reliability",
            "method_edition",
        ),
        primary_key=(*_SURVEY, "series", "breakdown", "group", "sex"),
        partitions="surveys",
    ),
    Table(
        "indicators/survey_groups_gaps",
        "Women minus men within each group, and informal - formal (and the other group contrasts) within each sex, "
        "with design-based SEs.",
        (
            *_SURVEY,
            _SERIES,
            _GROUP_GAP_TYPE,
            _BREAKDOWN,
            "group",
            "reference_group",
            _FOCUS_SEX,
            "reference_sex",
            "value_group",
            "value_reference",
            "difference_pp",
            "difference_se",
            "difference_ci_lower",
            "difference_ci_upper",
            "ratio",
            "ratio_se",
            "difference_se_independent",
            "df",
            "method_edition",
        ),
        primary_key=(*_SURVEY, "series", "gap_type", "breakdown", "group", "reference_group", "sex", "reference_sex"),
        partitions="surveys",
    ),
    Table(
        "indicators/survey_groups_not_computable",
        "Group breakdowns, World Bank series and benefit functions this survey cannot give, with the reason (the "
        "series column holds adequacy:<function> for a benefit function).",
        (*_SURVEY, "series", "breakdown", "reason"),
        partitions="surveys",
    ),
    Table(
        "indicators/survey_adequacy",
        "Benefit levels among recipients by function and sex: mean benefit, relative to the poverty line and to "
        "welfare (sql/benefit_adequacy.sql).",
        (*_SURVEY, "function", "measure", "sex", *_ADEQUACY_ESTIMATE),
        primary_key=(*_SURVEY, "function", "measure", "sex"),
        partitions="surveys",
    ),
    Table(
        "indicators/survey_adequacy_gaps",
        "Women's benefit levels relative to men's: difference and ratio of domain means with linearised SEs.",
        (*_SURVEY, "function", "measure", *_ADEQUACY_GAP_VALUES),
        primary_key=(*_SURVEY, "function", "measure"),
        partitions="surveys",
    ),
]


def _per_group(column: str, group: str) -> Field:
    """``<column>_<group>``: a column of the informal or the formal workers' estimate."""
    base = F[column]
    return base.but(name=f"{column}_{group}", description=f"{base.description} Of the {group} workers.", required=False)


RESOURCES += [
    Table(
        "publication/informality_gaps",
        "Coverage of informal and formal workers by survey, series and sex with CIs, and informal minus formal with "
        "its design-based SE; masked where an estimate is suppressed (engine/publication/groups.py).",
        (
            "ref_area",
            "year",
            _SURVEY_ID,
            _SERIES,
            "sex",
            *(
                _per_group(c, g)
                for g in ("informal", "formal")
                for c in ("value", "ci_lower", "ci_upper", "n_unweighted", "reliability")
            ),
            F["difference_pp"].but(description="Informal minus formal, percentage points; empty when masked."),
            "difference_se",
            "difference_ci_lower",
            "difference_ci_upper",
            "method_edition",
            "input_vintage",
            Field("suppressed", "flag", "Either estimate is suppressed: the gap is masked.", required=True),
            Field("synthetic", "flag", "The survey is marked synthetic in its source record.", required=True),
        ),
        primary_key=("ref_area", "year", "source_id", "series", "sex"),
    ),
    Table(
        "publication/benefit_level_gaps",
        "Women's and men's mean benefit by source and function, women / men with its CI (surveys) and the "
        "recipients behind each, masked likewise (engine/publication/groups.py).",
        (
            "ref_area",
            "year",
            _ADEQUACY_ID[4],
            "source_id",
            "function",
            F["value_female"].but(description="Mean benefit of women, local currency per year."),
            F["value_male"].but(description="Mean benefit of men, local currency per year."),
            F["ratio"].but(description="Women / men: the gender gap in benefit levels."),
            "ratio_se",
            "ratio_ci_lower",
            "ratio_ci_upper",
            "method_edition",
            "input_vintage",
            *(
                f
                for s in ("female", "male")
                for f in (
                    F["n_recipients"].but(name=f"n_recipients_{s}", description=f"Unweighted recipients ({s})."),
                    F["reliability"].but(
                        name=f"reliability_{s}", description=f"Reliability of the {s} estimate.", required=False
                    ),
                )
            ),
            Field("suppressed", "flag", "Either estimate is suppressed: the ratio is masked.", required=True),
            Field("synthetic", "flag", "The source is marked synthetic in its source record.", required=True),
        ),
        primary_key=("ref_area", "year", "source_kind", "source_id", "function"),
    ),
]
