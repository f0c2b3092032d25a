"""Design-based survey estimation in DuckDB: registers the inputs, runs the indicator SQL and the
generic variance SQL in one connection, and returns Polars frames in the long publication layout.

* ``estimate_survey`` — every SDG 1.3.1 series x domain of one harmonised survey
  (``sql/sdg_1_3_1_survey.sql``), with gender and nationality gaps.
* ``estimate_domains`` — the generic step: ``sql/survey_variance.sql`` (domain proportions) then
  ``sql/survey_gaps.sql`` (differences and ratios of domain pairs) over the relations a producer
  built in the connection (interface documented at the top of those files). SDG 3.8.2 reuses it.

Student t quantiles are not available in DuckDB (nor portable): they are computed here with scipy
(``scipy.special.stdtrit``, the function behind ``scipy.stats.t.ppf``, without the import cost of
``scipy.stats``) for the design's degrees of freedom and registered as the relation
``t_quantiles(df, t)``.
Values, SEs and confidence bounds leave this module in percent (gaps in percentage points);
the SQL works with proportions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
from scipy.special import stdtrit

from engine.method_config import MethodConfigError, MethodEdition
from engine.sql import fetch, params_frame, run_sql_file
from schemas import registry

DOMAIN_DIMS = ("sex", "nationality", "age_group", "urban_rural")
# Breakdown -> the canonical variable it needs; nationality is part of every survey's domains,
# the others only when the edition's `survey.breakdowns` lists them.
BREAKDOWN_VARIABLES = {"nationality": "nationality", "urban_rural": "urban_rural"}
PENSION_AGE_SERIES = ("SI_COV_PENSN", "SI_COV_VULN")
PENSION_AGE_SEXES = ("F", "M")
# Benefit lists of the edition whose flags the SQL switches on (params <switch>_<type>): edition
# key -> (prefix of series_requirements.needed_for, params prefix, may the list be empty).
BENEFIT_LISTS = {
    "contributory_benefits_working_age": ("contributory", "cb", True),
    "vulnerable_numerator_benefits": ("vulnerable_numerator", "vn", False),
}
NOT_COMPUTABLE_SCHEMA = registry.table("indicators/survey_not_computable").polars_schema()
ESTIMATE_SCHEMA = registry.table("indicators/survey_estimates").polars_schema()
GAP_SCHEMA = registry.table("indicators/survey_gaps").polars_schema()


@dataclass(frozen=True)
class SurveyEstimates:
    """``estimates``: one row per series x domain (ESTIMATE_SCHEMA); ``gaps``: one row per
    series x compared pair (GAP_SCHEMA); ``not_computable``: series (breakdown 'all') or
    breakdowns of a series the survey cannot give, with the reason (NOT_COMPUTABLE_SCHEMA).
    """

    estimates: pl.DataFrame
    gaps: pl.DataFrame
    not_computable: pl.DataFrame


class LonelyPsuError(ValueError):
    """Raised under the ``fail`` policy when a stratum of the design has a single PSU."""


def t_quantiles(df_values: list[int], confidence_level: float) -> pl.DataFrame:
    """Two-sided Student t critical values t_{df, (1 + level) / 2} for the given df (df < 1
    has none: the confidence interval is then missing).
    """
    df = sorted({int(d) for d in df_values if d is not None and d >= 1})
    return pl.DataFrame(
        {"df": df, "t": [float(stdtrit(d, 0.5 + confidence_level / 2.0)) for d in df]},
        schema={"df": pl.Int64, "t": pl.Float64},
    )


def estimation_params(estimation: MethodEdition) -> pl.DataFrame:
    """The one-row ``params`` relation of survey_variance.sql / survey_gaps.sql."""
    rel = estimation["reliability"]
    return params_frame(
        {
            "ci_method": estimation["ci_method"],
            "lonely_psu": estimation["lonely_psu"],
            "suppress_below_n": int(rel["suppress_below_n"]),
            "caution_below_n": int(rel["caution_below_n"]),
            "caution_cv_above": float(rel["caution_cv_above"]),
        }
    )


def estimate_domains(con: duckdb.DuckDBPyConnection, estimation: MethodEdition) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Run ``survey_variance.sql`` and ``survey_gaps.sql`` on the relations ``domain_moments``,
    ``design_psus``, ``gap_pairs`` and ``pair_moments`` present in ``con``. Returns (domain
    estimates, gap estimates) as the SQL computes them (proportions, 0-1).

    Raises LonelyPsuError under the ``fail`` lonely-PSU policy when a stratum has one PSU.
    """
    design = ("design_strata", "design_summary")
    run_sql_file(con, "survey_variance.sql", {"params": estimation_params(estimation)}, only=design)
    if estimation["lonely_psu"] == "fail":
        lonely = con.execute("SELECT stratum FROM design_strata WHERE n_h = 1 ORDER BY stratum").fetchall()
        if lonely:
            raise LonelyPsuError(f"strata with a single PSU: {[r[0] for r in lonely]} (lonely_psu policy 'fail')")
    df_values = [r[0] for r in con.execute("SELECT df FROM design_summary").fetchall()]
    con.register("t_quantiles", t_quantiles(df_values, float(estimation["confidence_level"])))
    run_sql_file(con, "survey_variance.sql", skip=design)
    run_sql_file(con, "survey_gaps.sql")
    return fetch(con, "domain_estimates"), fetch(con, "gap_estimates")


def register_persons(
    con: duckdb.DuckDBPyConnection, persons: str | Path | pl.DataFrame | duckdb.DuckDBPyRelation
) -> None:
    """Make ``persons`` (a Parquet path, a Polars frame or a DuckDB relation) the relation
    ``persons`` of ``con``.
    """
    if isinstance(persons, (str, Path)):
        con.read_parquet(str(persons)).create_view("persons", replace=True)
    elif isinstance(persons, duckdb.DuckDBPyRelation):
        persons.create_view("persons", replace=True)
    else:
        con.register("persons", persons)


def survey_profile(con: duckdb.DuckDBPyConnection, variables: list[str]) -> tuple[str, str, int, set[str]]:
    """One aggregate scan: the survey's identity and the variables with at least one value.
    Checks the design columns (one survey; stratum and psu never missing).
    """
    counts = ", ".join(f"COUNT({v})" for v in variables)  # canonical variable names (sql/, editions)
    row = con.execute(
        "SELECT COUNT(DISTINCT survey_id), MIN(survey_id), MIN(country), MIN(year), "  # noqa: S608 (identifiers from code, no value)
        f"COUNT(*) - COUNT(stratum), COUNT(*) - COUNT(psu), {counts} FROM persons"
    ).fetchall()[0]
    n_surveys, survey_id, country, year, missing_stratum, missing_psu = row[:6]
    if n_surveys != 1:
        raise ValueError(f"persons must hold exactly one survey, found {n_surveys}")
    if missing_stratum or missing_psu:
        raise ValueError(
            f"{survey_id}: stratum missing in {missing_stratum} rows, psu in {missing_psu} rows (the harmoniser fills both)"
        )
    present = {v for v, n in zip(variables, row[6:], strict=True) if n}
    return survey_id, country, int(year), present


def _edition_requirements(requirements: pl.DataFrame, method: MethodEdition) -> tuple[pl.DataFrame, dict[str, bool]]:
    """The variables each series needs under ``method`` (series, variable) and the params
    switches ``<switch>_<type>`` of its benefit lists (BENEFIT_LISTS). A listed type must be one
    series_requirements names (needed_for ``<prefix>:<type>``), else MethodConfigError.
    """
    needed: list[str] = []
    switches: dict[str, bool] = {}
    for key, (prefix, switch, may_be_empty) in BENEFIT_LISTS.items():
        listed = method[key]
        allowed = sorted(
            n.split(":", 1)[1] for n in requirements["needed_for"].drop_nulls().unique() if n.startswith(f"{prefix}:")
        )
        if not isinstance(listed, list) or set(map(str, listed)) - set(allowed) or not (listed or may_be_empty):
            raise MethodConfigError(
                f"{method.source}, edition {method.edition}: {key} must list {'' if may_be_empty else 'at least one of the '}benefit types among {allowed}, got {listed!r}"
            )
        needed += [f"{prefix}:{t}" for t in listed]
        switches |= {f"{switch}_{t}": t in listed for t in allowed}
    kept = requirements.filter(pl.col("needed_for").is_null() | pl.col("needed_for").is_in(needed))
    return kept.select("series", "variable").unique(maintain_order=True), switches


def _method_params(method: MethodEdition, switches: dict[str, bool]) -> pl.DataFrame:
    survey = method["survey"]
    return params_frame(
        {
            "child_max_age": int(method["child_max_age"]),
            "working_age_min": int(method["working_age_min"]),
            "wkinjry_labour_force": method["wkinjry_denominator"] == "labour_force",
            "contributor_unasked_as_no": bool(survey["contributor_unasked_as_no"]),
            "by_age_group": "age_group" in survey["breakdowns"],
            "by_urban_rural": "urban_rural" in survey["breakdowns"],
            **switches,
        }
    )


def _age_bands(method: MethodEdition) -> pl.DataFrame:
    """Single years of age -> the label of their configured age group (e.g. 15_24)."""
    rows = [(age, f"{int(lo)}_{int(hi)}") for lo, hi in method["age_groups"] for age in range(int(lo), int(hi) + 1)]
    return pl.DataFrame(rows, schema={"age": pl.Int64, "label": pl.String}, orient="row")


def _age_class_bands(classes: list[str], method: MethodEdition) -> tuple[pl.DataFrame, list[str]]:
    """Age classes of a survey ('<low>_<high>', ``age_class``) -> the configured age group that
    holds each, and the classes no group holds (they straddle two groups or fall outside all).
    With any such class the age-group breakdown is not computable (its groups would miss
    persons): the relation is then empty.
    """
    groups = [(int(lo), int(hi)) for lo, hi in method["age_groups"]]
    rows, straddling = [], []
    for c in classes:
        lo, hi = (int(x) for x in c.split("_"))
        holder = next((f"{a}_{b}" for a, b in groups if a <= lo and hi <= b), None)
        if holder:
            rows.append((c, holder))
        else:
            straddling.append(c)
    schema = {"age_class": pl.String, "label": pl.String}
    return pl.DataFrame([] if straddling else rows, schema=schema, orient="row"), straddling


def absence_reason(variables: list[str], present: set[str], survey_id: str, what: str = "series") -> str:
    """Why a series (or breakdown: ``what``) is not computable: '<variables> absent in <survey>';
    for ``age`` in a survey that gives age in classes only, that it needs single years of age.
    """
    in_classes = "age" not in present and "age_class" in present
    others = [v for v in variables if not (in_classes and v == "age")]
    said = [f"{', '.join(others)} absent in {survey_id}"] if others else []
    if len(others) < len(variables):
        said.append(f"age given in classes only in {survey_id} (the {what} needs single years of age)")
    return "; ".join(said)


def _not_computable(
    requirements: pl.DataFrame,
    present: set[str],
    pensionable_age: pl.DataFrame,
    method: MethodEdition,
    survey_id: str,
    country: str,
    year: int,
    straddling: list[str] | None = None,
) -> pl.DataFrame:
    """Series the survey cannot give (breakdown 'all') and breakdowns it cannot give for the
    series it can (columns series, breakdown, reason). ``straddling``: the survey's age classes
    that no configured age group holds.
    """

    def reason(variables: list[str]) -> str:
        return absence_reason(variables, present, survey_id)

    missing_variables = (
        requirements.filter(~pl.col("variable").is_in(sorted(present)))
        .group_by("series", maintain_order=True)
        .agg("variable")
    )
    absent = pl.DataFrame(
        [(series, "all", reason(variables)) for series, variables in missing_variables.iter_rows()],
        schema={"series": pl.String, "breakdown": pl.String, "reason": pl.String},
        orient="row",
    )
    known = pensionable_age.filter(pl.col("age").is_not_null())["sex"].to_list()
    missing_sexes = [s for s in PENSION_AGE_SEXES if s not in known]
    if missing_sexes:
        who = "" if len(missing_sexes) == len(PENSION_AGE_SEXES) else f"sex {', '.join(missing_sexes)} in "
        no_age = pl.DataFrame({"series": list(PENSION_AGE_SERIES)}).select(
            "series",
            pl.lit("all").alias("breakdown"),
            pl.lit(f"no statutory pensionable age for {who}{country} in {year}").alias("reason"),
        )
        absent = pl.concat([absent, no_age.filter(~pl.col("series").is_in(absent["series"].to_list()))])
    wanted = {"nationality"} | set(method["survey"]["breakdowns"])
    lost = [(b, v) for b, v in BREAKDOWN_VARIABLES.items() if b in wanted and v not in present]
    active = requirements.select(pl.col("series").unique(maintain_order=True)).filter(
        ~pl.col("series").is_in(absent["series"].to_list())
    )
    breakdowns = pl.DataFrame(lost, schema={"breakdown": pl.String, "variable": pl.String}, orient="row")
    lost_rows = active.join(breakdowns, how="cross").select(
        "series", "breakdown", (pl.col("variable") + f" absent in {survey_id}").alias("reason")
    )
    if straddling and "age_group" in wanted:
        groups = ", ".join(f"{int(lo)}_{int(hi)}" for lo, hi in method["age_groups"])
        straddle = f"age classes {', '.join(straddling)} of {survey_id} are not within one age group ({groups})"
        lost_rows = pl.concat(
            [
                lost_rows,
                active.select("series", pl.lit("age_group").alias("breakdown"), pl.lit(straddle).alias("reason")),
            ]
        )
    return pl.concat([absent, lost_rows])


def empty_populations(
    series: list[str], estimates: pl.DataFrame | None, survey_id: str, unit: str = "sample person"
) -> pl.DataFrame:
    """``series, breakdown, reason``: the ``series`` estimated without a single domain, because
    no ``unit`` of the survey is in the series' population with its outcome known (no
    unemployed person, no mother of a newborn): not computable (breakdown 'all'), never
    silently absent.
    """
    have = set() if estimates is None or estimates.is_empty() else set(estimates["series"].to_list())
    rows = [
        (s, "all", f"empty population: no {unit} of {survey_id} in the population of {s} (with a known outcome)")
        for s in series
        if s not in have
    ]
    return pl.DataFrame(rows, schema={"series": pl.String, "breakdown": pl.String, "reason": pl.String}, orient="row")


def estimate_survey(
    con: duckdb.DuckDBPyConnection,
    persons: str | Path | pl.DataFrame | duckdb.DuckDBPyRelation,
    pensionable_age: pl.DataFrame,
    method: MethodEdition,
    estimation: MethodEdition,
) -> SurveyEstimates:
    """Every SDG 1.3.1 series x domain of one survey, with gaps.

    ``persons``: the canonical person table of ONE survey (Parquet path, Polars frame or DuckDB
    relation), registered as the relation ``persons``. ``pensionable_age``: columns ``sex``
    (F, M) and ``age``, the statutory pensionable age for the survey's country and year; without
    an age for each sex, SI_COV_PENSN and SI_COV_VULN are not computable (ValueError when a sex
    has several rows). ``method``: an
    ``sdg_1_3_1`` edition; ``estimation``: a ``survey_estimation`` edition. ``con`` must be a
    connection of its own (the SQL creates temporary tables with fixed names in it).
    """
    if pensionable_age["sex"].is_duplicated().any():
        raise ValueError(f"pensionable_age must have one row per sex, got {pensionable_age['sex'].to_list()}")
    register_persons(con, persons)
    run_sql_file(con, "sdg_1_3_1_survey.sql", only=("series_requirements",))
    requirements, switches = _edition_requirements(fetch(con, "series_requirements"), method)
    variables = sorted(set(requirements["variable"]) | set(BREAKDOWN_VARIABLES.values()) | {"age_class"})
    survey_id, country, year, present = survey_profile(con, variables)
    classes = [
        r[0]
        for r in con.execute("SELECT DISTINCT age_class FROM persons WHERE age_class IS NOT NULL ORDER BY 1").fetchall()
    ]
    class_bands, straddling = _age_class_bands(classes, method)
    missing = _not_computable(requirements, present, pensionable_age, method, survey_id, country, year, straddling)
    active = requirements.select(pl.col("series").unique(maintain_order=True)).filter(
        ~pl.col("series").is_in(missing.filter(pl.col("breakdown") == "all")["series"].to_list())
    )

    domain_est = gap_est = domains = gap_pairs = None
    if active.height:
        run_sql_file(
            con,
            "sdg_1_3_1_survey.sql",
            {
                "params": _method_params(method, switches),
                "pensionable_age": pensionable_age.select(pl.col("sex").cast(pl.String), pl.col("age").cast(pl.Int64)),
                "age_bands": _age_bands(method),
                "age_class_bands": class_bands,
                "active_series": active,
            },
            skip=("series_requirements",),
        )
        domain_est, gap_est = estimate_domains(con, estimation)
        domains, gap_pairs = fetch(con, "domains"), fetch(con, "gap_pairs")
    missing = pl.concat([missing, empty_populations(active["series"].to_list(), domain_est, survey_id)])

    edition = f"{method.label}+{estimation.label}"
    ident = [
        pl.lit(survey_id).alias("survey_id"),
        pl.lit(country).alias("country"),
        pl.lit(year, dtype=pl.Int64).alias("year"),
    ]
    return SurveyEstimates(
        estimates=_estimates_frame(domain_est, domains, ident, edition),
        gaps=_gaps_frame(gap_est, gap_pairs, domains, ident, edition),
        not_computable=missing.select(*ident, "series", "breakdown", "reason").cast(NOT_COMPUTABLE_SCHEMA),
    )


def published_estimate_columns() -> list[pl.Expr]:
    """The published columns of a domain estimate from the variance engine's moments, one rule for
    every survey indicator: the proportion, its SE and confidence bounds in percent, the weighted
    numerator and denominator, df, the unweighted counts, design effect, CV and reliability flag.
    """
    return [
        (pl.col("p") * 100).alias("value"),
        pl.col("numerator"),
        pl.col("denominator"),
        (pl.col("se") * 100).alias("se"),
        (pl.col("ci_lower") * 100).alias("ci_lower"),
        (pl.col("ci_upper") * 100).alias("ci_upper"),
        pl.col("df"),
        pl.col("n").alias("n_unweighted"),
        pl.col("n_y").alias("n_numerator_unweighted"),
        pl.col("deff"),
        pl.col("cv"),
        pl.col("reliability"),
    ]


def published_gap_columns() -> list[pl.Expr]:
    """The published columns of a gap between two domains from the gap engine's moments, one rule
    for every survey indicator: both proportions, their difference with its SE and confidence
    bounds in percentage points, and the ratio with its SE.
    """
    return [
        (pl.col("p_focus") * 100).alias("value_group"),
        (pl.col("p_reference") * 100).alias("value_reference"),
        (pl.col("difference") * 100).alias("difference_pp"),
        (pl.col("difference_se") * 100).alias("difference_se"),
        (pl.col("difference_ci_lower") * 100).alias("difference_ci_lower"),
        (pl.col("difference_ci_upper") * 100).alias("difference_ci_upper"),
        pl.col("ratio"),
        pl.col("ratio_se"),
    ]


def _estimates_frame(
    est: pl.DataFrame | None, domains: pl.DataFrame | None, ident: list[pl.Expr], edition: str
) -> pl.DataFrame:
    if est is None or est.is_empty():
        return pl.DataFrame(schema=ESTIMATE_SCHEMA)
    assert domains is not None  # computed with the estimates
    out = est.join(domains, on=["series", "domain_id"], how="left").select(
        *ident,
        "series",
        *DOMAIN_DIMS,
        *published_estimate_columns(),
        pl.lit(edition).alias("method_edition"),
    )
    return out.cast(ESTIMATE_SCHEMA).sort("series", *DOMAIN_DIMS)


def _gaps_frame(
    gap_est: pl.DataFrame | None,
    gap_pairs: pl.DataFrame | None,
    domains: pl.DataFrame | None,
    ident: list[pl.Expr],
    edition: str,
) -> pl.DataFrame:
    """One row per gap; the breakdown columns say within which group the gap is taken (the
    compared dimension is 'T').
    """
    if gap_est is None or gap_est.is_empty():
        return pl.DataFrame(schema=GAP_SCHEMA)
    assert gap_pairs is not None and domains is not None  # computed with the gap estimates
    out = (
        gap_est.join(gap_pairs.select("series", "gap_id", "gap_type"), on=["series", "gap_id"])
        .join(domains.rename({"domain_id": "focus_id"}), on=["series", "focus_id"], how="left")
        .with_columns(
            pl.when(pl.col("gap_type") == "sex").then(pl.lit("T")).otherwise(pl.col("sex")).alias("sex"),
            pl.when(pl.col("gap_type") == "nationality")
            .then(pl.lit("T"))
            .otherwise(pl.col("nationality"))
            .alias("nationality"),
        )
        .select(
            *ident,
            "series",
            "gap_type",
            *DOMAIN_DIMS,
            *published_gap_columns(),
            (pl.col("difference_se_independent") * 100).alias("difference_se_independent"),
            "df",
            pl.lit(edition).alias("method_edition"),
        )
    )
    return out.cast(GAP_SCHEMA).sort("series", "gap_type", *DOMAIN_DIMS)
