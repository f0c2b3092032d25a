"""Benefit levels among recipients from one survey (``sql/benefit_adequacy.sql``): by function
and sex, the mean annual benefit, the benefit as a share of the national poverty line and of the
recipients' welfare, and women's level relative to men's (difference and ratio F / M with
linearised SEs from the same design; ``sql/survey_variance.sql``, ``sql/survey_gaps.sql``).

Values are in the survey's local currency per year (mean_benefit), plain ratios (benefit to
poverty line, to welfare: confidence intervals value -/+ t(df) SE, no logit) or percent (share of
recipients whose benefit reaches the poverty line: a proportion, logit CI; its gap in points).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from engine.method_config import MethodEdition
from engine.sql import fetch, run_sql_file
from engine.survey_estimation import NOT_COMPUTABLE_SCHEMA, estimate_domains, register_persons, survey_profile
from schemas import registry
from schemas.fields import BENEFIT_FUNCTIONS

SQL_FILE = "benefit_adequacy.sql"
ADMIN_SQL_FILE = "benefit_adequacy_admin.sql"
# The variable each measure needs besides the receipt flag and the amount.
MEASURE_VARIABLES = {
    "benefit_to_poverty_line": "poverty_line",
    "benefit_to_welfare": "hh_welfare_pc",
    "recipients_at_poverty_line": "poverty_line",
}
# Measures that are proportions: in percent, with the logit CI of survey_variance.sql.
PERCENT_MEASURES = ("recipients_at_poverty_line",)
ADEQUACY_SCHEMA = registry.table("indicators/survey_adequacy").polars_schema()
ADEQUACY_GAP_SCHEMA = registry.table("indicators/survey_adequacy_gaps").polars_schema()


@dataclass(frozen=True)
class AdequacyEstimates:
    """``estimates``: one row per function x measure x sex (ADEQUACY_SCHEMA); ``gaps``: women vs
    men per function x measure (ADEQUACY_GAP_SCHEMA); ``not_computable``: functions (breakdown
    'all') or measures (breakdown = the measure) the survey cannot give, with the reason; the
    ``series`` column holds ``adequacy:<function>``.
    """

    estimates: pl.DataFrame
    gaps: pl.DataFrame
    not_computable: pl.DataFrame


def estimate_adequacy(
    con: duckdb.DuckDBPyConnection,
    persons: str | Path | pl.DataFrame | duckdb.DuckDBPyRelation,
    method: MethodEdition,
    estimation: MethodEdition,
) -> AdequacyEstimates:
    """Benefit levels of ONE survey's canonical person table. ``method``: a ``groups_at_risk``
    edition (recorded in method_edition); ``estimation``: a ``survey_estimation`` edition.
    ``con`` must be a connection of its own.
    """
    register_persons(con, persons)
    variables = (
        [f"rec_{f}" for f in BENEFIT_FUNCTIONS]
        + [f"amt_{f}" for f in BENEFIT_FUNCTIONS]
        + list(MEASURE_VARIABLES.values())
    )
    survey_id, country, year, present = survey_profile(con, variables)
    ident = [
        pl.lit(survey_id).alias("survey_id"),
        pl.lit(country).alias("country"),
        pl.lit(year, dtype=pl.Int64).alias("year"),
    ]
    functions = [f for f in BENEFIT_FUNCTIONS if {f"rec_{f}", f"amt_{f}"} <= present]
    missing = [
        (
            f"adequacy:{f}",
            "all",
            f"{', '.join(v for v in (f'rec_{f}', f'amt_{f}') if v not in present)} absent in {survey_id}",
        )
        for f in BENEFIT_FUNCTIONS
        if f not in functions
    ] + [
        (f"adequacy:{f}", measure, f"{variable} absent in {survey_id}")
        for f in functions
        for measure, variable in MEASURE_VARIABLES.items()
        if variable not in present
    ]
    not_computable = pl.DataFrame(
        missing, schema={"series": pl.String, "breakdown": pl.String, "reason": pl.String}, orient="row"
    )
    not_computable = not_computable.select(*ident, "series", "breakdown", "reason").cast(NOT_COMPUTABLE_SCHEMA)
    edition = f"{method.label}+{estimation.label}"
    if not functions:
        return AdequacyEstimates(
            pl.DataFrame(schema=ADEQUACY_SCHEMA), pl.DataFrame(schema=ADEQUACY_GAP_SCHEMA), not_computable
        )

    run_sql_file(con, SQL_FILE, {"active_functions": pl.DataFrame({"function": functions})})
    domain_est, gap_est = estimate_domains(con, estimation)
    domains, counts = fetch(con, "domains"), fetch(con, "amount_counts")
    share = pl.col("measure").is_in(PERCENT_MEASURES)
    unit = pl.when(share).then(100.0).otherwise(1.0)
    estimates = (
        domain_est.join(domains, on=["series", "domain_id"])
        .join(counts, on=["function", "sex"], how="left")
        .select(
            *ident,
            "function",
            "measure",
            "sex",
            (pl.col("p") * unit).alias("value"),
            "numerator",
            "denominator",
            (pl.col("se") * unit).alias("se"),
            (pl.when(share).then(pl.col("ci_lower")).otherwise(pl.col("p") - pl.col("t") * pl.col("se")) * unit).alias(
                "ci_lower"
            ),
            (pl.when(share).then(pl.col("ci_upper")).otherwise(pl.col("p") + pl.col("t") * pl.col("se")) * unit).alias(
                "ci_upper"
            ),
            "df",
            pl.col("n").alias("n_recipients"),
            pl.col("n_without_amount").alias("n_recipients_without_amount"),
            "cv",
            "reliability",
            pl.lit(edition).alias("method_edition"),
        )
        .cast(ADEQUACY_SCHEMA)
        .sort("function", "measure", "sex")
    )
    t = domain_est.select("df", "t").unique().head(1)
    gaps = (
        gap_est.join(domains.filter(pl.col("sex") == "F").select("series", "measure", "function"), on="series")
        .join(t, on="df", how="left")
        .with_columns(pl.when(share).then(100.0).otherwise(1.0).alias("_unit"))
        .select(
            *ident,
            "function",
            "measure",
            (pl.col("p_focus") * pl.col("_unit")).alias("value_female"),
            (pl.col("p_reference") * pl.col("_unit")).alias("value_male"),
            *(
                (pl.col(c) * pl.col("_unit")).alias(c)
                for c in ("difference", "difference_se", "difference_ci_lower", "difference_ci_upper")
            ),
            "ratio",
            "ratio_se",
            (pl.col("ratio") - pl.col("t") * pl.col("ratio_se")).alias("ratio_ci_lower"),
            (pl.col("ratio") + pl.col("t") * pl.col("ratio_se")).alias("ratio_ci_upper"),
            "df",
            pl.lit(edition).alias("method_edition"),
        )
        .cast(ADEQUACY_GAP_SCHEMA)
        .sort("function", "measure")
    )
    return AdequacyEstimates(estimates, gaps, not_computable)


def admin_adequacy(
    con: duckdb.DuckDBPyConnection, expenditure: pl.DataFrame, coverage: pl.DataFrame, method: MethodEdition
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Average benefit per beneficiary from SSI returns (``sql/benefit_adequacy_admin.sql``):
    ``expenditure`` and ``coverage`` are the canonical SSI tables of any number of returns.
    Returns (estimates, gaps) in ADEQUACY_SCHEMA / ADEQUACY_GAP_SCHEMA with ``survey_id`` holding
    the return id, measure ``mean_benefit``, no sampling error.
    """
    if expenditure.is_empty() or coverage.is_empty():
        return pl.DataFrame(schema=ADEQUACY_SCHEMA), pl.DataFrame(schema=ADEQUACY_GAP_SCHEMA)
    run_sql_file(con, ADMIN_SQL_FILE, {"ssi_expenditure": expenditure, "ssi_coverage": coverage})
    common = [pl.lit("mean_benefit").alias("measure"), pl.lit(method.label).alias("method_edition")]
    estimates = fetch(con, "admin_adequacy").select(
        pl.col("return_id").alias("survey_id"),
        "country",
        "year",
        "function",
        *common[:1],
        "sex",
        "value",
        "numerator",
        "denominator",
        pl.lit("not_applicable").alias("reliability"),
        common[1],
    )
    gaps = fetch(con, "admin_adequacy_gaps").select(
        pl.col("return_id").alias("survey_id"),
        "country",
        "year",
        "function",
        *common[:1],
        "value_female",
        "value_male",
        "difference",
        "ratio",
        common[1],
    )
    return _in_schema(estimates, ADEQUACY_SCHEMA).sort("survey_id", "function", "sex"), _in_schema(
        gaps, ADEQUACY_GAP_SCHEMA
    ).sort("survey_id", "function")


def _in_schema(frame: pl.DataFrame, schema: dict) -> pl.DataFrame:
    """``frame`` in the columns of ``schema``, those it lacks empty."""
    return frame.select([pl.col(c) if c in frame.columns else pl.lit(None).alias(c) for c in schema]).cast(schema)
