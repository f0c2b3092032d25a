"""SDG 3.8.2 for one harmonised survey: legacy catastrophic shares and the 2025 financial-hardship
definition, with design-based standard errors and the gap by sex of the household head.

Runs ``sql/sdg_3_8_2.sql`` (household table, exclusions, societal poverty line, flags, domains)
and then the generic ``sql/survey_variance.sql``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from engine.method_config import MethodConfigError, MethodEdition
from engine.sql import fetch, params_frame, run_sql_file
from engine.survey_estimation import (
    NOT_COMPUTABLE_SCHEMA,
    empty_populations,
    estimate_domains,
    published_estimate_columns,
    published_gap_columns,
    register_persons,
)
from schemas import registry

# The per-survey tables, in their registry layout even when a survey has no 3.8.2 estimate.
ESTIMATES = registry.table("indicators/sdg_3_8_2_survey")
GAPS = registry.table("indicators/sdg_3_8_2_survey_gaps")
EXCLUSIONS = registry.table("indicators/sdg_3_8_2_survey_exclusions")

LEGACY_SERIES = ("SH_XPD_EARN10", "SH_XPD_EARN25")
HARDSHIP_SERIES = ("SH_FIN_HARDSHIP", "SH_FIN_IMPOVERISHING", "SH_FIN_LARGE")
# Definition (key of the edition's definition_editions) -> its series.
DEFINITIONS = {"legacy": LEGACY_SERIES, "hardship": HARDSHIP_SERIES}
DIMS = ("head_sex", "urban_rural", "quintile", "hh_composition")
REQUIRED = ("hh_consumption", "hh_oop_health", "hh_size")
# Breakdown -> the variable it needs; without it the breakdown is listed as not computable.
BREAKDOWN_VARIABLES = {"head_sex": "hh_head", "urban_rural": "urban_rural", "hh_composition": "age"}
# Edition key oop_above_consumption: what households spending more on health than they consume
# count as (sql/sdg_3_8_2.sql, header).
OOP_ABOVE_CONSUMPTION = ("count", "exclude")


@dataclass(frozen=True)
class HardshipEstimates:
    """SDG 3.8.2 for one survey: estimates, gaps, cells not computable and excluded households, with
    the societal poverty line and median consumption they used.
    """

    estimates: pl.DataFrame
    gaps: pl.DataFrame
    not_computable: pl.DataFrame
    exclusions: pl.DataFrame
    spl: float | None
    median_consumption: float | None
    oop_above_consumption: int | None = None  # households with OOP > consumption (None: not computed)


def ppp_for(ppp: pl.DataFrame, country: str, year: int, vintage: int) -> float | None:
    """PPP conversion factor of the survey year, else the latest earlier year, for the edition's
    PPP vintage (None when there is none).
    """
    rows = ppp.filter(
        (pl.col("country") == country) & (pl.col("ppp_vintage") == vintage) & (pl.col("year") <= year)
    ).sort("year")
    return float(rows["ppp_private_consumption"][-1]) if rows.height else None


def estimate_hardship(
    con: duckdb.DuckDBPyConnection,
    persons: str | pl.DataFrame,
    ppp_private_consumption: float | None,
    method: MethodEdition,
    estimation: MethodEdition,
) -> HardshipEstimates:
    """Estimate every 3.8.2 series for one survey (``persons``: the kept rows of the canonical
    person table, with the harmoniser's ``hh_size``, as a Parquet path or a frame).
    """
    register_persons(con, persons)  # a path is passed as a value, never spliced into SQL
    counted = REQUIRED + tuple(BREAKDOWN_VARIABLES.values())
    columns = ", ".join(f"COUNT({v})" for v in counted)  # canonical names, constants of this module
    survey_id, country, year, *counts = con.execute(
        f"SELECT MIN(survey_id), MIN(country), MIN(year), {columns} FROM persons"  # noqa: S608 (identifiers from code, no value)
    ).fetchall()[0]
    have = dict(zip(counted, counts, strict=True))
    editions = series_editions(method, estimation)
    oop_rule = method["oop_above_consumption"]
    if oop_rule not in OOP_ABOVE_CONSUMPTION:
        raise MethodConfigError(
            f"{method.source}: edition '{method.edition}': oop_above_consumption must be one of "
            f"{', '.join(OOP_ABOVE_CONSUMPTION)}, got {oop_rule!r}"
        )
    missing = []
    absent = [v for v in REQUIRED if not have[v]]
    if absent:
        reason = f"{', '.join(absent)} absent in {survey_id}"
        missing = [(s, "all", reason) for s in LEGACY_SERIES + HARDSHIP_SERIES]
        return _result(survey_id, country, year, None, None, None, pl.DataFrame(), missing, editions, None, None)
    active = list(LEGACY_SERIES)
    if ppp_private_consumption is None:
        reason = f"no {method['ppp_vintage']} PPP conversion factor for {country} in or before {year}"
        missing += [(s, "all", reason) for s in HARDSHIP_SERIES]
    else:
        active += list(HARDSHIP_SERIES)
    missing += [
        (s, b, f"{v} absent in {survey_id}") for b, v in BREAKDOWN_VARIABLES.items() if not have[v] for s in active
    ]
    low, high = (float(x) for x in method["legacy_thresholds"])
    params = params_frame(
        {
            "legacy_10": low,
            "legacy_25": high,
            "spl_floor": float(method["spl_floor"]),
            "spl_base": float(method["spl_base"]),
            "spl_median_share": float(method["spl_median_share"]),
            "hardship_share": float(method["hardship_share"]),
            "impoverishing_share": float(method["impoverishing_share"]),
            "days_per_year": float(method["days_per_year"]),
            "ppp_private_consumption": ppp_private_consumption if ppp_private_consumption is not None else 1.0,
            "child_age_below": int(method["child_age_below"]),
            "older_age_from": int(method["older_age_from"]),
            "quintiles": int(method["quintiles"]),
            "oop_above_consumption": oop_rule,
        }
    )
    run_sql_file(con, "sdg_3_8_2.sql", {"params": params, "active_series": pl.DataFrame({"series": active})})
    exclusions = fetch(con, "hardship_exclusions")
    spl_row = fetch(con, "hardship_spl").row(0, named=True)
    est, gap = estimate_domains(con, estimation)
    missing += empty_populations(active, est, survey_id, unit="household").rows()  # e.g. every household excluded
    spl = spl_row["spl"] if ppp_private_consumption is not None else None
    median = spl_row["median_pc_consumption"] if ppp_private_consumption is not None else None
    above = int(fetch(con, "hardship_oop_above_consumption")["n_households"][0])
    return _result(
        survey_id,
        country,
        year,
        est,
        gap,
        fetch(con, "domains"),
        exclusions,
        missing,
        editions,
        spl,
        median,
        fetch(con, "gap_pairs"),
        above,
    )


def series_editions(method: MethodEdition, estimation: MethodEdition) -> dict[str, str]:
    """Series -> its ``method_edition``: the 3.8.2 edition with the metadata edition of the
    series' definition, and the survey-estimation edition.
    """
    return {
        s: f"{method.label}/{method['definition_editions'][definition]}+{estimation.label}"
        for definition, series in DEFINITIONS.items()
        for s in series
    }


def _result(
    survey_id, country, year, est, gap, domains, exclusions, missing, editions, spl, median, gap_pairs=None, above=None
) -> HardshipEstimates:
    edition = pl.col("series").replace_strict(editions, return_dtype=pl.String).alias("method_edition")
    ident = [
        pl.lit(survey_id).alias("survey_id"),
        pl.lit(country).alias("country"),
        pl.lit(int(year), dtype=pl.Int64).alias("year"),
    ]
    estimates = ESTIMATES.empty()
    gaps = GAPS.empty()
    if est is not None and est.height:
        estimates = (
            est.join(domains, on=["series", "domain_id"], how="left")
            .select(
                *ident,
                "series",
                *DIMS,
                *published_estimate_columns(),
                pl.lit(above, dtype=pl.Int64).alias("n_oop_above_consumption"),
                edition,
            )
            .with_columns(pl.col("df", "n_unweighted", "n_numerator_unweighted").cast(pl.Int64))
            .sort("series", *DIMS)
        )
    if gap is not None and gap.height:
        gaps = (
            gap.join(gap_pairs.select("series", "gap_id", "gap_type"), on=["series", "gap_id"])
            .join(domains.rename({"domain_id": "focus_id"}), on=["series", "focus_id"], how="left")
            .select(
                *ident,
                "series",
                "gap_type",
                pl.lit("T").alias("head_sex"),
                "urban_rural",
                "quintile",
                "hh_composition",
                *published_gap_columns(),
                pl.col("df").cast(pl.Int64),
                edition,
            )
            .sort("series", "urban_rural", "quintile", "hh_composition")
        )
    not_computable = pl.DataFrame(
        [(survey_id, country, int(year), s, b, r) for s, b, r in missing], schema=NOT_COMPUTABLE_SCHEMA, orient="row"
    )
    exclusions = (
        EXCLUSIONS.conform(exclusions.with_columns(pl.lit(survey_id).alias("survey_id"))).sort("hh_id")
        if exclusions.height
        else EXCLUSIONS.empty()
    )
    return HardshipEstimates(estimates, gaps, not_computable, exclusions, spl, median, above)
