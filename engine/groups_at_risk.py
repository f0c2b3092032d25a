"""Coverage of the groups at risk from one survey (``sql/groups_survey.sql``): contributors among
the employed and the labour force, SI_COV_BENFTS, and the World Bank series SI_COV_SOCINS,
SI_COV_SOCAST, SI_COV_LMKT, by status in employment, informality, agriculture, domestic and
platform work, disability, youth and welfare quintile, each by sex; gaps between women and men
within each group and between groups (informal - formal, ...) within each sex. Design-based SEs,
CIs, design effects and reliability come from the generic ``sql/survey_variance.sql`` and
``sql/survey_gaps.sql`` (``engine.survey_estimation.estimate_domains``).

Values leave this module in percent (gaps in percentage points), as ``sdg_1_3_1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from engine.method_config import MethodConfigError, MethodEdition
from engine.sql import fetch, params_frame, run_sql_file
from engine.survey_estimation import (
    NOT_COMPUTABLE_SCHEMA,
    absence_reason,
    estimate_domains,
    published_estimate_columns,
    published_gap_columns,
    register_persons,
    survey_profile,
)
from schemas import registry
from schemas.fields import BENEFIT_FUNCTIONS

SQL_FILE = "groups_survey.sql"
# World Bank programme groups: series -> (edition key listing its functions, params prefix).
PROGRAMME_GROUPS = {
    "SI_COV_SOCINS": ("social_insurance_functions", "si"),
    "SI_COV_SOCAST": ("social_assistance_functions", "sa"),
    "SI_COV_LMKT": ("labour_market_functions", "lm"),
}
GROUP_ESTIMATE_SCHEMA = registry.table("indicators/survey_groups").polars_schema()
GROUP_GAP_SCHEMA = registry.table("indicators/survey_groups_gaps").polars_schema()


@dataclass(frozen=True)
class GroupEstimates:
    """``estimates``: one row per series x breakdown x group x sex (GROUP_ESTIMATE_SCHEMA);
    ``gaps``: one row per compared pair (GROUP_GAP_SCHEMA); ``not_computable``: series (breakdown
    'all') and breakdowns the survey cannot give, with the reason.
    """

    estimates: pl.DataFrame
    gaps: pl.DataFrame
    not_computable: pl.DataFrame


def programme_switches(method: MethodEdition, present: set[str]) -> tuple[dict[str, bool], dict[str, list[str]]]:
    """Params ``<prefix>_<function>`` of the World Bank series: the function is listed in the
    edition and the survey has its receipt flag. Returns (switches, series -> the receipt flags
    of its ``required_functions`` the survey lacks: the series is then not computable). A listed
    name that is not a benefit function, or a required function not listed, is a
    MethodConfigError.
    """
    required = method["required_functions"]
    switches: dict[str, bool] = {}
    lacking: dict[str, list[str]] = {}
    for series, (key, prefix) in PROGRAMME_GROUPS.items():
        listed, needed = method[key], required.get(series, []) if isinstance(required, dict) else None
        if (
            not isinstance(listed, list)
            or set(map(str, listed)) - set(BENEFIT_FUNCTIONS)
            or not isinstance(needed, list)
            or set(needed) - set(listed)
        ):
            raise MethodConfigError(
                f"{method.source}, edition {method.edition}: {key} must list benefit functions among {list(BENEFIT_FUNCTIONS)} "
                f"and required_functions.{series} some of them, got {listed!r} and {needed!r}"
            )
        lacking[series] = [f"rec_{f}" for f in needed if f"rec_{f}" not in present]
        switches |= {
            f"{prefix}_{f}": f in listed and f"rec_{f}" in present and not lacking[series] for f in BENEFIT_FUNCTIONS
        }
    return switches, lacking


def _params(method: MethodEdition, switches: dict[str, bool]) -> pl.DataFrame:
    return params_frame(
        {
            "working_age_min": int(method["working_age_min"]),
            "youth_min_age": int(method["youth_min_age"]),
            "youth_max_age": int(method["youth_max_age"]),
            "wg_disability_cutoff": int(method["wg_disability_cutoff"]),
            "contributor_unasked_as_no": bool(method["contributor_unasked_as_no"]),
            **switches,
        }
    )


def _not_computable(
    con: duckdb.DuckDBPyConnection, present: set[str], lacking: dict[str, list[str]], survey_id: str
) -> pl.DataFrame:
    """Series lacking a variable (World Bank series: a receipt flag of a required function);
    breakdowns lacking a variable (quintile: neither welfare_quintile nor hh_welfare_pc).
    """
    series_req = fetch(con, "series_requirements")
    rows = []
    for series, variables in series_req.group_by("series", maintain_order=True).agg("variable").iter_rows():
        lost = [v for v in variables if v not in present]
        if lost:
            rows.append((series, "all", absence_reason(lost, present, survey_id)))
    for series, flags in lacking.items():
        if flags:
            rows.append((series, "all", f"{', '.join(flags)} absent in {survey_id}"))
    series_out = {r[0] for r in rows}
    breakdown_req = fetch(con, "breakdown_requirements")
    lost_breakdowns = []
    for breakdown, variables in breakdown_req.group_by("breakdown", maintain_order=True).agg("variable").iter_rows():
        lost = [v for v in variables if v not in present]
        if lost:
            lost_breakdowns.append((breakdown, absence_reason(lost, present, survey_id, "breakdown")))
    if not {"welfare_quintile", "hh_welfare_pc"} & present:
        lost_breakdowns.append(("quintile", f"welfare_quintile, hh_welfare_pc absent in {survey_id}"))
    computable = [
        s for s in [*series_req["series"].unique(maintain_order=True), *PROGRAMME_GROUPS] if s not in series_out
    ]
    # the World Bank series are given in total and by quintile only
    rows += [
        (s, b, reason)
        for s in computable
        for b, reason in lost_breakdowns
        if s not in PROGRAMME_GROUPS or b == "quintile"
    ]
    return pl.DataFrame(rows, schema={"series": pl.String, "breakdown": pl.String, "reason": pl.String}, orient="row")


def estimate_groups(
    con: duckdb.DuckDBPyConnection,
    persons: str | Path | pl.DataFrame | duckdb.DuckDBPyRelation,
    method: MethodEdition,
    estimation: MethodEdition,
) -> GroupEstimates:
    """Every series x group x sex domain of ONE survey's canonical person table, with gaps.
    ``method``: a ``groups_at_risk`` edition; ``estimation``: a ``survey_estimation`` edition.
    ``con`` must be a connection of its own (temporary tables with fixed names).
    """
    register_persons(con, persons)
    run_sql_file(con, SQL_FILE, only=("series_requirements", "breakdown_requirements"))
    needed = set(fetch(con, "series_requirements")["variable"]) | set(fetch(con, "breakdown_requirements")["variable"])
    needed |= {"welfare_quintile", "hh_welfare_pc", "age_class"} | {f"rec_{f}" for f in BENEFIT_FUNCTIONS}
    survey_id, country, year, present = survey_profile(con, sorted(needed))
    switches, lacking = programme_switches(method, present)
    missing = _not_computable(con, present, lacking, survey_id)
    all_series = list(fetch(con, "series_requirements")["series"].unique(maintain_order=True)) + list(PROGRAMME_GROUPS)
    active = pl.DataFrame(
        {
            "series": [
                s for s in all_series if s not in missing.filter(pl.col("breakdown") == "all")["series"].to_list()
            ]
        },
        schema={"series": pl.String},
    )

    ident = [
        pl.lit(survey_id).alias("survey_id"),
        pl.lit(country).alias("country"),
        pl.lit(year, dtype=pl.Int64).alias("year"),
    ]
    edition = f"{method.label}+{estimation.label}"
    estimates, gaps = pl.DataFrame(schema=GROUP_ESTIMATE_SCHEMA), pl.DataFrame(schema=GROUP_GAP_SCHEMA)
    if active.height:
        run_sql_file(
            con,
            SQL_FILE,
            {"params": _params(method, switches), "active_series": active},
            skip=("series_requirements", "breakdown_requirements"),
        )
        domain_est, gap_est = estimate_domains(con, estimation)
        domains, gap_pairs = fetch(con, "domains"), fetch(con, "gap_pairs")
        lost = missing.filter(pl.col("breakdown") != "all").select("series", "breakdown")
        estimates = _estimates_frame(domain_est, domains, ident, edition).join(
            lost, on=["series", "breakdown"], how="anti"
        )
        gaps = _gaps_frame(gap_est, gap_pairs, domains, ident, edition).join(
            lost, on=["series", "breakdown"], how="anti"
        )
    return GroupEstimates(
        estimates=estimates,
        gaps=gaps,
        not_computable=missing.select(*ident, "series", "breakdown", "reason").cast(NOT_COMPUTABLE_SCHEMA),
    )


def _estimates_frame(est: pl.DataFrame, domains: pl.DataFrame, ident: list[pl.Expr], edition: str) -> pl.DataFrame:
    if est.is_empty():
        return pl.DataFrame(schema=GROUP_ESTIMATE_SCHEMA)
    out = est.join(domains, on=["series", "domain_id"], how="left").select(
        *ident,
        "series",
        "breakdown",
        pl.col("grp").alias("group"),
        "sex",
        *published_estimate_columns(),
        pl.lit(edition).alias("method_edition"),
    )
    return out.cast(GROUP_ESTIMATE_SCHEMA).sort("series", "breakdown", "group", "sex")


def _gaps_frame(
    gap_est: pl.DataFrame, gap_pairs: pl.DataFrame, domains: pl.DataFrame, ident: list[pl.Expr], edition: str
) -> pl.DataFrame:
    if gap_est.is_empty():
        return pl.DataFrame(schema=GROUP_GAP_SCHEMA)
    focus = domains.select(
        "series", pl.col("domain_id").alias("focus_id"), "breakdown", pl.col("grp").alias("group"), "sex"
    )
    reference = domains.select(
        "series",
        pl.col("domain_id").alias("reference_id"),
        pl.col("grp").alias("reference_group"),
        pl.col("sex").alias("reference_sex"),
    )
    out = (
        gap_est.join(gap_pairs.select("series", "gap_id", "gap_type"), on=["series", "gap_id"])
        .join(focus, on=["series", "focus_id"], how="left")
        .join(reference, on=["series", "reference_id"], how="left")
        .select(
            *ident,
            "series",
            "gap_type",
            "breakdown",
            "group",
            "reference_group",
            "sex",
            "reference_sex",
            *published_gap_columns(),
            (pl.col("difference_se_independent") * 100).alias("difference_se_independent"),
            "df",
            pl.lit(edition).alias("method_edition"),
        )
    )
    return out.cast(GROUP_GAP_SCHEMA).sort("series", "gap_type", "breakdown", "group", "sex")
