"""Groups at risk and benefit adequacy (issue 11; ``sql/groups_survey.sql``,
``sql/benefit_adequacy.sql``, ``sql/benefit_adequacy_admin.sql``): survey estimates in the long
layout of sdg_1_3_1 with a group breakdown instead of nationality, age group and area, and
benefit levels by function and sex.
"""

from __future__ import annotations

from schemas.fields import FIELDS as F
from schemas.fields import GROUP_BREAKDOWNS
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
            F["gap_type"].but(
                description="sex: women minus men within the group; group: the group minus its reference group "
                "within the sex (informal - formal, agriculture - non_agriculture, domestic - non_domestic, platform "
                "- non_platform, with - without disability, youth - adult, Q1 - Q5, each status - employee).",
                codes=("sex", "group"),
            ),
            _BREAKDOWN,
            "group",
            "reference_group",
            F["sex"].but(description="Sex of the focus domain (F for a sex gap)."),
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
            F["se"].but(
                description="Linearised standard error, in the unit of the value (surveys).", min=None, unit=None
            ),
            F["ci_lower"].but(description="value - t(df) SE (surveys).", unit=None),
            F["ci_upper"].but(description="value + t(df) SE (surveys).", unit=None),
            "df",
            "n_recipients",
            "n_recipients_without_amount",
            "cv",
            F["reliability"].but(
                description="reliable, caution, suppress (survey rules) or not_applicable (administrative)."
            ),
            *_PROVENANCE,
        ),
        primary_key=("ref_area", "year", "function", "measure", "sex", "source_kind", "source_id"),
    ),
    Table(
        "indicators/benefit_adequacy_gaps",
        "Gender gaps in benefit levels (women / men), surveys with linearised SEs and SSI returns.",
        (
            *_ADEQUACY_ID,
            "value_female",
            "value_male",
            "difference",
            F["difference_se"].but(description="Linearised SE of the difference (surveys)."),
            "difference_ci_lower",
            "difference_ci_upper",
            F["ratio"].but(description="Women / men: the gender gap in benefit levels."),
            F["ratio_se"].but(
                description="Linearised SE of the ratio of two domain means from the same design (surveys)."
            ),
            "ratio_ci_lower",
            "ratio_ci_upper",
            "df",
            *_PROVENANCE,
        ),
        primary_key=("ref_area", "year", "function", "measure", "source_kind", "source_id"),
    ),
]
