"""Design-based survey estimation: registers the inputs, runs the indicator-family SQL and the
generic variance SQL (``sql/survey_variance.sql``) in one DuckDB connection, and returns Polars
frames in the long publication layout.

``estimate_domains`` is the generic entry: given per-stratum moments of the domains' PSU totals
(the interface of ``survey_variance.sql``), it returns estimates and gap contrasts.
``estimate_survey`` does SDG 1.3.1 for one harmonised survey.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import duckdb
import numpy as np
import polars as pl
from scipy import stats

from engine.method_config import MethodEdition
from engine.sql import fetch, params_frame, run_sql_file

MAX_DF = 100_000
DOMAIN_DIMS = ("sex", "nationality", "age_group", "urban_rural")
BREAKDOWN_VARIABLES = {"nationality": "nationality", "urban_rural": "urban_rural"}
PENSION_AGE_SERIES = ("SI_COV_PENSN", "SI_COV_VULN")
NOT_COMPUTABLE_SCHEMA = {"survey_id": pl.String, "country": pl.String, "year": pl.Int64, "series": pl.String, "breakdown": pl.String, "reason": pl.String}


@dataclass(frozen=True)
class SurveyEstimates:
    estimates: pl.DataFrame
    gaps: pl.DataFrame
    not_computable: pl.DataFrame


class LonelyPsuError(ValueError):
    """Raised under the ``fail`` policy when a stratum has a single PSU."""


@lru_cache(maxsize=8)
def t_quantiles(confidence_level: float) -> pl.DataFrame:
    """Two-sided Student t critical values for df = 1 .. MAX_DF."""
    df = np.arange(1, MAX_DF + 1)
    t = stats.t.ppf(0.5 + confidence_level / 2.0, df)
    return pl.DataFrame({"df": df.astype(np.int64), "t": t})


def estimation_params(estimation: MethodEdition) -> pl.DataFrame:
    rel = estimation["reliability"]
    return params_frame(
        {
            "ci_method": estimation["ci_method"],
            "lonely_psu": estimation["lonely_psu"],
            "suppress_below_n": int(rel["suppress_below_n"]),
            "caution_cv_above": float(rel["caution_cv_above"]),
            "caution_below_n": int(rel["caution_below_n"]),
        }
    )


def _check_lonely(con: duckdb.DuckDBPyConnection, estimation: MethodEdition) -> None:
    if estimation["lonely_psu"] != "fail":
        return
    lonely = con.execute("SELECT stratum FROM design_psus GROUP BY stratum HAVING COUNT(*) = 1 ORDER BY stratum").fetchall()
    if lonely:
        raise LonelyPsuError(f"strata with a single PSU: {[r[0] for r in lonely]} (lonely_psu policy 'fail')")


def estimate_domains(con: duckdb.DuckDBPyConnection, estimation: MethodEdition) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Run ``survey_variance.sql`` on the relations ``domain_moments``, ``pair_moments``,
    ``gap_pairs`` and ``design_psus`` already present in ``con``. Returns (domain estimates, gap
    estimates) with proportions (0-1), as computed by the SQL."""
    _check_lonely(con, estimation)
    run_sql_file(
        con,
        "survey_variance.sql",
        {"params": estimation_params(estimation), "t_quantiles": t_quantiles(float(estimation["confidence_level"]))},
    )
    return fetch(con, "domain_estimates"), fetch(con, "gap_estimates")


def _available_variables(con: duckdb.DuckDBPyConnection, variables: list[str]) -> set[str]:
    """Variables with at least one non-missing value (one aggregate scan)."""
    counts = con.execute("SELECT " + ", ".join(f"COUNT({v}) AS {v}" for v in variables) + " FROM persons").fetchall()[0]
    return {v for v, n in zip(variables, counts) if n}


def _method_params(method: MethodEdition) -> pl.DataFrame:
    return params_frame(
        {
            "child_max_age": int(method["child_max_age"]),
            "working_age_min": int(method["working_age_min"]),
            "wkinjry_labour_force": method["wkinjry_denominator"] == "labour_force",
            "contributor_unasked_as_no": bool(method["contributor_unasked_as_no"]),
            "by_age_group": "age_group" in method["breakdowns"],
            "by_urban_rural": "urban_rural" in method["breakdowns"],
        }
    )


def _age_bands(method: MethodEdition) -> pl.DataFrame:
    """Single years of age -> the label of their configured age group (e.g. 15_24)."""
    rows = [(age, f"{int(lo)}_{int(hi)}") for lo, hi in method["age_groups"] for age in range(int(lo), int(hi) + 1)]
    return pl.DataFrame(rows, schema={"age": pl.Int64, "label": pl.String}, orient="row")


def estimate_survey(
    con: duckdb.DuckDBPyConnection,
    persons: str | pl.DataFrame,
    pensionable_age: pl.DataFrame,
    method: MethodEdition,
    estimation: MethodEdition,
) -> SurveyEstimates:
    """Every SDG 1.3.1 series for one survey.

    ``persons`` is the canonical person table (a Parquet path or a frame) of ONE survey;
    ``pensionable_age`` has columns ``sex`` (F, M), ``age`` for the survey's country and year
    (empty when unknown: the series that need it are then not computable).
    """
    if isinstance(persons, str):
        con.execute(f"CREATE OR REPLACE TEMP VIEW persons AS SELECT * FROM read_parquet('{persons}')")
    else:
        con.register("persons", persons)
    ident = con.execute("SELECT MIN(survey_id), MIN(country), MIN(year) FROM persons").fetchall()[0]
    survey_id, country, year = ident[0], ident[1], int(ident[2])
    edition = f"{method.label}+{estimation.label}"

    run_sql_file(con, "sdg_1_3_1_survey.sql", only=("series_requirements",))
    requirements = fetch(con, "series_requirements")
    needed = sorted(set(requirements["variable"]) | set(BREAKDOWN_VARIABLES.values()))
    present = _available_variables(con, needed)

    missing_rows = []
    active = []
    for series, group in requirements.group_by("series", maintain_order=True):
        series = series[0]
        absent = [v for v in group["variable"] if v not in present]
        if absent:
            missing_rows.append((series, "all", f"{', '.join(absent)} absent in {survey_id}"))
        elif series in PENSION_AGE_SERIES and pensionable_age.is_empty():
            missing_rows.append((series, "all", f"no statutory pensionable age for {country} in {year}"))
        else:
            active.append(series)
    for breakdown, variable in BREAKDOWN_VARIABLES.items():
        if variable not in present:
            missing_rows += [(s, breakdown, f"{variable} absent in {survey_id}") for s in active]

    if active:
        run_sql_file(
            con,
            "sdg_1_3_1_survey.sql",
            {
                "params": _method_params(method),
                "pensionable_age": pensionable_age.select(pl.col("sex").cast(pl.String), pl.col("age").cast(pl.Int64)),
                "age_bands": _age_bands(method),
                "active_series": pl.DataFrame({"series": active}),
            },
            skip=("series_requirements",),
        )
        domain_est, gap_est = estimate_domains(con, estimation)
        domains = fetch(con, "domains")
        gap_pairs = fetch(con, "gap_pairs")
    else:
        domain_est = gap_est = domains = gap_pairs = None

    ident_cols = [pl.lit(survey_id).alias("survey_id"), pl.lit(country).alias("country"), pl.lit(year, dtype=pl.Int64).alias("year")]
    estimates = _estimates_frame(domain_est, domains, ident_cols, edition)
    gaps = _gaps_frame(gap_est, gap_pairs, domains, ident_cols, edition)
    not_computable = pl.DataFrame(
        [(survey_id, country, year, s, b, r) for s, b, r in missing_rows], schema=NOT_COMPUTABLE_SCHEMA, orient="row"
    )
    return SurveyEstimates(estimates, gaps, not_computable)


ESTIMATE_SCHEMA = {
    "survey_id": pl.String, "country": pl.String, "year": pl.Int64, "series": pl.String,
    "sex": pl.String, "nationality": pl.String, "age_group": pl.String, "urban_rural": pl.String,
    "value": pl.Float64, "numerator": pl.Float64, "denominator": pl.Float64, "se": pl.Float64,
    "ci_lower": pl.Float64, "ci_upper": pl.Float64, "df": pl.Int64, "n_unweighted": pl.Int64,
    "n_numerator_unweighted": pl.Int64, "deff": pl.Float64, "cv": pl.Float64,
    "reliability": pl.String, "method_edition": pl.String,
}


def _estimates_frame(est: pl.DataFrame | None, domains: pl.DataFrame | None, ident_cols, edition: str) -> pl.DataFrame:
    if est is None or est.is_empty():
        return pl.DataFrame(schema=ESTIMATE_SCHEMA)
    out = est.join(domains, on=["series", "domain_id"], how="left").select(
        *ident_cols,
        "series", *DOMAIN_DIMS,
        (pl.col("p") * 100).alias("value"),
        "numerator", "denominator",
        (pl.col("se") * 100).alias("se"),
        (pl.col("ci_lower") * 100).alias("ci_lower"),
        (pl.col("ci_upper") * 100).alias("ci_upper"),
        pl.col("df").cast(pl.Int64),
        pl.col("n").cast(pl.Int64).alias("n_unweighted"),
        pl.col("n_y").cast(pl.Int64).alias("n_numerator_unweighted"),
        "deff", "cv", "reliability",
        pl.lit(edition).alias("method_edition"),
    )
    return out.cast(ESTIMATE_SCHEMA).sort("series", *DOMAIN_DIMS)


GAP_SCHEMA = {
    "survey_id": pl.String, "country": pl.String, "year": pl.Int64, "series": pl.String, "gap_type": pl.String,
    "sex": pl.String, "nationality": pl.String, "age_group": pl.String, "urban_rural": pl.String,
    "value_group": pl.Float64, "value_reference": pl.Float64, "difference_pp": pl.Float64,
    "difference_se": pl.Float64, "difference_ci_lower": pl.Float64, "difference_ci_upper": pl.Float64,
    "ratio": pl.Float64, "ratio_se": pl.Float64, "difference_se_independent": pl.Float64,
    "df": pl.Int64, "method_edition": pl.String,
}


def _gaps_frame(gap_est, gap_pairs, domains, ident_cols, edition: str) -> pl.DataFrame:
    """One row per gap; the breakdown columns say within which group the gap is taken (the
    compared dimension is 'T')."""
    if gap_est is None or gap_est.is_empty():
        return pl.DataFrame(schema=GAP_SCHEMA)
    focus = domains.rename({"domain_id": "focus_id"})
    out = (
        gap_est.join(gap_pairs.select("series", "gap_id", "gap_type"), on=["series", "gap_id"])
        .join(focus, on=["series", "focus_id"], how="left")
        .with_columns(
            pl.when(pl.col("gap_type") == "sex").then(pl.lit("T")).otherwise(pl.col("sex")).alias("sex"),
            pl.when(pl.col("gap_type") == "nationality").then(pl.lit("T")).otherwise(pl.col("nationality")).alias("nationality"),
        )
        .select(
            *ident_cols,
            "series", "gap_type", *DOMAIN_DIMS,
            (pl.col("p_focus") * 100).alias("value_group"),
            (pl.col("p_reference") * 100).alias("value_reference"),
            (pl.col("difference") * 100).alias("difference_pp"),
            (pl.col("difference_se") * 100).alias("difference_se"),
            (pl.col("difference_ci_lower") * 100).alias("difference_ci_lower"),
            (pl.col("difference_ci_upper") * 100).alias("difference_ci_upper"),
            "ratio", "ratio_se",
            (pl.col("difference_se_independent") * 100).alias("difference_se_independent"),
            pl.col("df").cast(pl.Int64),
            pl.lit(edition).alias("method_edition"),
        )
    )
    return out.cast(GAP_SCHEMA).sort("series", "gap_type", *DOMAIN_DIMS)
