"""SDG 1.3.1 as published per country (``indicators/sdg_1_3_1``), its gaps, and the series no
source can give (``indicators/not_computable``, every family).
"""

from __future__ import annotations

from schemas.fields import FIELDS as F
from schemas.fields import Field
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

# Per-survey estimates (sql/sdg_1_3_1_survey.sql, sql/survey_variance.sql, sql/survey_gaps.sql):
# one file per survey; indicators/sdg_1_3_1 publishes them in the long layout.
SURVEY_ID = ("survey_id", "country", "year", "series")
SURVEY_ESTIMATE_FIELDS = (
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
)
SURVEY_GAP_FIELDS = (
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
)
SURVEY_NOT_COMPUTABLE_FIELDS = (*SURVEY_ID, "breakdown", "reason")
_DOMAIN = ("sex", "nationality", "age_group", "urban_rural")
_ADMIN = F["source_kind"].but(description="administrative.")
_RETURN = F["source_id"].but(description="SSI return id.")
_PERSONS = F["numerator"].but(description="Persons.")

RESOURCES += [
    Table(
        "indicators/survey_estimates",
        "Every SDG 1.3.1 series x sex x nationality x age group x urban/rural for one survey: weighted estimate, "
        "Taylor-linearised SE, CI, df, deff, CV, unweighted n, reliability (sql/sdg_1_3_1_survey.sql, "
        "sql/survey_variance.sql).",
        (*SURVEY_ID, *_DOMAIN, *SURVEY_ESTIMATE_FIELDS),
        primary_key=(*SURVEY_ID, *_DOMAIN),
        partitions="surveys",
    ),
    Table(
        "indicators/survey_gaps",
        "Gender and nationality gaps of one survey's estimates, with the design-based SE of the difference "
        "(sql/survey_gaps.sql).",
        (*SURVEY_ID, "gap_type", *_DOMAIN, *SURVEY_GAP_FIELDS),
        primary_key=(*SURVEY_ID, "gap_type", *_DOMAIN),
        partitions="surveys",
    ),
    Table(
        "indicators/survey_not_computable",
        "Series this survey cannot give, with the reason (a variable declared absent in its spec, or nobody of the "
        "sample in the series' population).",
        SURVEY_NOT_COMPUTABLE_FIELDS,
        partitions="surveys",
    ),
    Table(
        "indicators/admin_coverage",
        "SDG 1.3.1 from the SSI returns (sql/sdg_1_3_1_admin.sql): every series by sex and nationality, numerators "
        "after the scheme-overlap or life-cycle rule, denominators from the context tables, capping flag.",
        (
            "country",
            "year",
            "series",
            *_DOMAIN,
            F["value"].but(description="Coverage, percent (capped at 100 when the edition caps)."),
            F["numerator"].but(description="Persons covered, after the scheme-overlap or life-cycle rule, not capped."),
            F["numerator"].but(name="numerator_reported", description="Plain sum of the SSI counts used."),
            "denominator",
            F["capped"].but(description="A cap of the method edition was applied to the row (never null)."),
            "cap_applied",
            Field("aggregation_rule", "id", "The scheme-overlap rule, or the BENFTS rule."),
            _ADMIN,
            _RETURN,
            Field("denominator_source", "id", "The context tables of the denominator and their vintages."),
            F["method_edition"].but(description="Method edition (sdg_1_3_1:<edition>)."),
        ),
        primary_key=("country", "year", "series", *_DOMAIN, "source_id"),
    ),
    Table(
        "indicators/admin_gaps",
        "Gender (F - M) and nationality (non-national - national) gaps of the administrative rates.",
        (
            "country",
            "year",
            "series",
            "gap_type",
            *_DOMAIN,
            _ADMIN,
            _RETURN,
            "value_group",
            "value_reference",
            "difference_pp",
            "ratio",
            F["method_edition"].but(description="Method edition (sdg_1_3_1:<edition>)."),
        ),
        primary_key=("country", "year", "series", "gap_type", *_DOMAIN, "source_id"),
    ),
    Table(
        "indicators/admin_not_computable",
        "Series and breakdowns an SSI return cannot give, with the reason (no recipients reported, denominator "
        "missing...); a breakdown (all, sex, nationality, nationality_by_sex) is listed only when its parent cell is "
        "computable.",
        ("country", "year", _ADMIN, _RETURN, "series", "breakdown", "reason"),
    ),
    Table(
        "indicators/admin_lifecycle",
        "The life-cycle construction of SI_COV_BENFTS per return and sex (populations, counts, caps, vulnerable "
        "residual), for review of the overlap assumptions (sql/sdg_1_3_1_admin.sql, block adm_lifecycle_out).",
        (
            "country",
            "year",
            _RETURN,
            "sex",
            _PERSONS.but(name="pop_total", description="Population, all ages."),
            _PERSONS.but(name="pop_child", description="Children up to the edition's child_max_age."),
            _PERSONS.but(
                name="pop_working", description="Persons above child_max_age and below the pensionable age in force."
            ),
            _PERSONS.but(
                name="pop_old", description="Persons at or above the pensionable age in force (empty: no age in force)."
            ),
            _PERSONS.but(name="child_recipients", description="Recipients of child and family benefits."),
            _PERSONS.but(name="contributors", description="Active contributors."),
            _PERSONS.but(name="contributory_recipients", description="Recipients of contributory benefits."),
            _PERSONS.but(name="assistance_recipients", description="Recipients of social assistance."),
            _PERSONS.but(name="pension_recipients", description="Old-age pension recipients."),
            _PERSONS.but(
                name="contributory_pension_recipients", description="Contributory old-age pension recipients."
            ),
            _PERSONS.but(name="children_covered", description="Child benefit recipients, capped at pop_child."),
            _PERSONS.but(
                name="contributory_working",
                description="Contributors and contributory benefit recipients, capped at pop_working.",
            ),
            _PERSONS.but(name="contributory_older", description="Contributory pension recipients, capped at pop_old."),
            _PERSONS.but(
                name="vulnerable",
                description="pop_total - contributory_working - contributory_older (the vulnerable residual).",
            ),
            _PERSONS.but(
                name="assistance_working",
                description="The working-age part of the social assistance recipients (assistance_age_allocation).",
            ),
            _PERSONS.but(name="working_covered", description="Working-age persons covered."),
            _PERSONS.but(name="older_covered", description="Pension recipients, capped at pop_old."),
            _PERSONS.but(name="covered", description="Persons covered by at least one benefit (the BENFTS numerator)."),
            Field("benefts_rule", "id", "The BENFTS rule of the edition (lifecycle_capped)."),
            Field("assistance_age_allocation", "id", "How social assistance recipients are split by age."),
            F["method_edition"].but(description="Method edition (sdg_1_3_1:<edition>)."),
        ),
        primary_key=("source_id", "sex"),
    ),
]
