"""SDG 3.8.1: the UHC service coverage index (SCI) per country and year, its four categories,
per-tracer detail with imputation flags, and population-weighted regional values.

Method constants (tracers, rescaling rules, clamp bounds, imputation and grouping choices) come
from ``config/methods/sdg_3_8_1.yaml``; the formulas are in ``sql/sdg_3_8_1.sql``. This module
validates the inputs, turns the edition into relations (``uhc_rules``, ``params``, groupings) and
runs the SQL.

Inputs of :func:`compute_uhc_index`:

* ``tracers``: long table ``indicator, country, year, value`` (data/raw/README.md section 4;
  other columns ignored). Rows with an unknown indicator code, a missing, non-numeric or negative
  value, a missing year, a country absent from ``countries``, or a duplicated
  ``(indicator, country, year)`` (every copy) are quarantined, never used.
* ``high_burden``: ``country, high_burden`` (uhc/malaria_high_burden.csv).
* ``countries``: ``iso3`` and the grouping columns the edition names (``m49_subregion``,
  ``sdg_region``; reference/countries.csv).
* ``population``: ``country, year, population`` (total, any unit), or None (no regional values).

Outputs (:class:`UhcIndexResult`):

* ``index`` (``sdg_3_8_1``), one row per year and per country with a value of an indicator the
  edition uses: ``country, year, sci, rmnch, infectious_diseases, ncd, capacity`` (1-100; null
  when a tracer is missing),
  ``n_tracers_used`` (tracers with a value: 14, or 13 without bed nets), ``n_tracers_imputed``
  (tracers with a component not observed), ``n_tracers_missing``, ``imputed_share`` (0-1,
  imputed / used), ``malaria_high_burden``, ``method_edition`` (``sdg_3_8_1:<edition>``).
* ``tracers`` (``sdg_3_8_1_tracers``), one row per country, year and input indicator (the
  workforce tracer has three): ``category, tracer, indicator, raw_value`` (value used, in the
  input unit, after gap filling), ``rescaled_value`` (0-100, clamped), ``tracer_value`` (the
  tracer entering its category: the workforce geometric mean), ``imputation`` (observed,
  interpolated, carried_forward, carried_back, regional_median, missing), ``from_year, to_year``
  (observed years used), ``imputation_group`` (``level:group`` of a regional median),
  ``imputation_group_countries``, ``method_edition``.
* ``regional`` (``sdg_3_8_1_regional``): ``level, region, year``, population-weighted ``sci``
  and categories, ``imputed_share``, ``n_countries`` (with an SCI and a population),
  ``n_countries_in_group`` (with a population), ``n_countries_without_population``,
  ``population_covered, population_total, population_coverage`` (0-1), ``method_edition``.
* ``quarantine``: ``row_number`` (1-based, in ``tracers``), ``indicator, country, year, value``
  (as text), ``reason``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import polars as pl

from engine.method_config import MethodConfigError, MethodEdition
from engine.sql import fetch, run_sql_file
from schemas import registry

FAMILY = "sdg_3_8_1"
SQL_FILE = "sdg_3_8_1.sql"
CATEGORIES = ("rmnch", "infectious_diseases", "ncd", "capacity")
RESCALE_METHODS = ("natural", "linear", "capped_ratio")
IMPUTATION_FLAGS = ("observed", "interpolated", "carried_forward", "carried_back", "regional_median", "missing")
KEY = ("indicator", "country", "year")

INDEX_COLUMNS = (
    "country",
    "year",
    "sci",
    *CATEGORIES,
    "n_tracers_used",
    "n_tracers_imputed",
    "n_tracers_missing",
    "imputed_share",
    "malaria_high_burden",
    "method_edition",
)
TRACER_COLUMNS = registry.table("indicators/sdg_3_8_1_tracers").fields
REGIONAL_COLUMNS = registry.table("indicators/sdg_3_8_1_regional").fields
QUARANTINE_SCHEMA = pl.Schema(
    {
        "row_number": pl.Int64,
        "indicator": pl.String,
        "country": pl.String,
        "year": pl.String,
        "value": pl.String,
        "reason": pl.String,
    }
)
RULE_SCHEMA = {
    "indicator": pl.String,
    "tracer": pl.String,
    "category": pl.String,
    "category_order": pl.Int64,
    "tracer_order": pl.Int64,
    "component_order": pl.Int64,
    "method": pl.String,
    "lo": pl.Float64,
    "hi": pl.Float64,
    "non_use": pl.Boolean,
    "lower_is_better": pl.Boolean,
    "threshold": pl.Float64,
    "high_burden_only": pl.Boolean,
}


class UhcInputError(ValueError):
    """A structural problem with an input table (missing column, conflicting rows)."""


@dataclass(frozen=True)
class UhcIndexResult:
    """The SDG 3.8.1 index per country and year, its tracer values, the regional aggregates and the
    quarantined rows.
    """

    index: pl.DataFrame
    tracers: pl.DataFrame
    regional: pl.DataFrame
    quarantine: pl.DataFrame


def tracer_rules(method: MethodEdition) -> pl.DataFrame:
    """One row per input indicator the edition uses (schema ``RULE_SCHEMA``): its tracer,
    category, rescaling rule and whether it counts only for high malaria burden. Raises
    ``MethodConfigError`` on a malformed edition.
    """
    where = f"{method.source}, edition {method.edition}"
    categories = method["categories"]
    if tuple(categories or ()) != CATEGORIES:
        raise MethodConfigError(
            f"{where}: categories must be {list(CATEGORIES)} in that order, got {list(categories or ())}"
        )
    codes = set(method["indicator_codes"])
    dropped = set(method.get("dropped_for_low_malaria_burden") or ())
    rows, tracers = [], set()
    for c_order, category in enumerate(CATEGORIES):
        for t_order, (tracer, spec) in enumerate((categories[category].get("tracers") or {}).items()):
            tracers.add(tracer)
            for k_order, comp in enumerate(spec.get("components") or [spec]):
                rows.append(_rule(where, tracer, category, c_order, t_order, k_order, comp, codes, tracer in dropped))
        if not categories[category].get("tracers"):
            raise MethodConfigError(f"{where}: category {category} has no tracers")
    if unknown := dropped - tracers:
        raise MethodConfigError(f"{where}: dropped_for_low_malaria_burden names unknown tracers {sorted(unknown)}")
    frame = pl.DataFrame(rows, schema=RULE_SCHEMA, orient="row")
    if frame["indicator"].is_duplicated().any():
        raise MethodConfigError(f"{where}: an indicator is used by more than one tracer")
    return frame


def _rule(where, tracer, category, c_order, t_order, k_order, comp, codes, high_burden_only) -> tuple:
    indicator, method = comp.get("indicator"), comp.get("rescale")
    if indicator not in codes:
        raise MethodConfigError(f"{where}: tracer {tracer}: indicator {indicator!r} is not in indicator_codes")
    if method not in RESCALE_METHODS:
        raise MethodConfigError(f"{where}: tracer {tracer}: rescale must be one of {RESCALE_METHODS}, got {method!r}")
    lo, hi, threshold = comp.get("min"), comp.get("max"), comp.get("threshold")
    if method == "linear" and not (lo is not None and hi is not None and float(hi) > float(lo)):
        raise MethodConfigError(f"{where}: tracer {tracer}: linear rescaling needs min < max")
    if method == "capped_ratio" and not (threshold is not None and float(threshold) > 0):
        raise MethodConfigError(f"{where}: tracer {tracer}: capped_ratio needs a positive threshold")
    if comp.get("input", "value") not in ("value", "non_use"):
        raise MethodConfigError(f"{where}: tracer {tracer}: input must be value or non_use")
    return (
        indicator,
        tracer,
        category,
        c_order,
        t_order,
        k_order,
        method,
        _float(lo),
        _float(hi),
        comp.get("input") == "non_use",
        bool(comp.get("lower_is_better", False)),
        _float(threshold),
        high_burden_only,
    )


def _float(value) -> float | None:
    return None if value is None else float(value)


def method_params(method: MethodEdition) -> pl.DataFrame:
    """The one-row ``params`` relation of ``sql/sdg_3_8_1.sql``."""
    imp = method["imputation"]
    before = imp.get("before_first_observed", "missing")
    if before not in ("carry_back", "missing"):
        raise MethodConfigError(f"{method.source}: before_first_observed must be carry_back or missing, got {before!r}")
    values = imp["regional_median"].get("values", "country_series")
    if values not in ("country_series", "observed"):
        raise MethodConfigError(f"{method.source}: regional_median.values must be country_series or observed")
    clamp_max = method.get("clamp_max")
    return pl.DataFrame(
        {
            "clamp_min": [float(method["clamp_min"])],
            "clamp_max": [None if clamp_max is None else float(clamp_max)],
            "interpolate": [bool(imp.get("interpolate_between_observed", True))],
            "carry_forward": [bool(imp.get("carry_forward_after_last", True))],
            "carry_back": [before == "carry_back"],
            "median_observed_only": [values == "observed"],
            "unlisted_high_burden": [bool(method.get("unlisted_country_high_malaria_burden", False))],
            "method_edition": [method.label],
        },
        schema={
            "clamp_min": pl.Float64,
            "clamp_max": pl.Float64,
            "interpolate": pl.Boolean,
            "carry_forward": pl.Boolean,
            "carry_back": pl.Boolean,
            "median_observed_only": pl.Boolean,
            "unlisted_high_burden": pl.Boolean,
            "method_edition": pl.String,
        },
    )


def _require(frame: pl.DataFrame, columns: Iterable[str], name: str) -> None:
    if missing := [c for c in columns if c not in frame.columns]:
        raise UhcInputError(f"{name}: missing column(s) {missing} (has {frame.columns})")


def validate_tracers(
    tracers: pl.DataFrame, method: MethodEdition, countries: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split the tracer input into (kept ``indicator, country, year, value``, quarantine). Every
    broken rule of a row is listed in its ``reason`` (separated by '; ').
    """
    _require(tracers, KEY + ("value",), "tracers")
    codes = list(method["indicator_codes"])
    known = countries["iso3"].cast(pl.String).to_list() if countries is not None else None
    df = tracers.with_row_index("row_number", offset=1).select(
        pl.col("row_number").cast(pl.Int64),
        pl.col("indicator").cast(pl.String),
        pl.col("country").cast(pl.String),
        pl.col("year").cast(pl.String).alias("year_text"),
        pl.col("value").cast(pl.String).alias("value_text"),
        pl.col("year").cast(pl.Int64, strict=False),
        pl.col("value").cast(pl.Float64, strict=False),
    )
    bad_value = pl.col("value").is_null() | pl.col("value").is_nan() | pl.col("value").is_infinite()
    checks = [
        (pl.col("indicator").is_null() | ~pl.col("indicator").is_in(codes), "unknown indicator code"),
        (pl.col("country").is_null(), "missing country"),
        (pl.col("country").is_not_null() & ~pl.col("country").is_in(known), "country not in the country table")
        if known is not None
        else None,
        (pl.col("year").is_null(), "missing or non-integer year"),
        (bad_value, "missing or non-numeric value"),
        (~bad_value & (pl.col("value") < 0), "negative value"),
        (pl.len().over(list(KEY)) > 1, "duplicate (indicator, country, year)"),
    ]
    reasons = [pl.when(expr).then(pl.lit(reason)) for expr, reason in (c for c in checks if c is not None)]
    df = df.with_columns(pl.concat_str(reasons, separator="; ", ignore_nulls=True).alias("reason"))
    df = df.with_columns(pl.when(pl.col("reason") == "").then(None).otherwise(pl.col("reason")).alias("reason"))
    kept = df.filter(pl.col("reason").is_null()).select(*KEY, "value")
    quarantine = df.filter(pl.col("reason").is_not_null()).select(
        "row_number",
        "indicator",
        "country",
        pl.col("year_text").alias("year"),
        pl.col("value_text").alias("value"),
        "reason",
    )
    return kept, quarantine.cast(QUARANTINE_SCHEMA)


def _burden(high_burden: pl.DataFrame) -> pl.DataFrame:
    _require(high_burden, ("country", "high_burden"), "high_burden")
    flag = pl.col("high_burden")
    if high_burden.schema["high_burden"] != pl.Boolean:
        flag = flag.cast(pl.String).str.to_lowercase().is_in(["true", "1", "yes", "t", "y"])
    frame = high_burden.select(pl.col("country").cast(pl.String), flag.alias("high_burden")).unique()
    if (dup := frame.filter(pl.col("country").is_duplicated())).height:
        raise UhcInputError(f"high_burden: conflicting flags for {sorted(set(dup['country']))}")
    return frame


def _groups(countries: pl.DataFrame, levels: list[str], mins: list[int] | None = None) -> pl.DataFrame:
    """Long table country -> group for each level (``world``: one group, ``World``)."""
    _require(countries, ["iso3", *(lv for lv in levels if lv != "world")], "countries")
    parts = []
    for rank, level in enumerate(levels):
        group = pl.lit("World") if level == "world" else pl.col(level).cast(pl.String)
        parts.append(
            countries.select(
                pl.col("iso3").cast(pl.String).alias("country"),
                pl.lit(rank, dtype=pl.Int64).alias("level_rank"),
                pl.lit(level).alias("level"),
                group.alias("group_name"),
                pl.lit(mins[rank] if mins else 0, dtype=pl.Int64).alias("min_countries"),
            )
        )
    return pl.concat(parts).filter(pl.col("group_name").is_not_null()).unique(maintain_order=True)


def _population(population: pl.DataFrame | None) -> pl.DataFrame:
    schema = {"country": pl.String, "year": pl.Int64, "population": pl.Float64}
    if population is None:
        return pl.DataFrame(schema=schema)
    _require(population, schema, "population")
    frame = population.select(pl.col(c).cast(t) for c, t in schema.items()).drop_nulls()
    if (dup := frame.filter(pl.struct("country", "year").is_duplicated())).height:
        raise UhcInputError(f"population: duplicate country-year rows, e.g. {dup.row(0)}")
    if (frame["population"] < 0).any():
        raise UhcInputError("population: negative values")
    return frame


def _years(kept: pl.DataFrame, method: MethodEdition, years: Iterable[int] | None) -> pl.DataFrame:
    configured = method.get("years")
    if years is not None:
        chosen = sorted({int(y) for y in years})
    elif configured:
        first, last = (int(y) for y in configured)
        chosen = list(range(first, last + 1))
    else:
        chosen = sorted(set(kept["year"].to_list()))
    return pl.DataFrame({"year": chosen}, schema={"year": pl.Int64})


def compute_uhc_index(
    tracers: pl.DataFrame,
    high_burden: pl.DataFrame,
    countries: pl.DataFrame,
    population: pl.DataFrame | None = None,
    *,
    method: MethodEdition,
    years: Iterable[int] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> UhcIndexResult:
    """Compute SDG 3.8.1 for every country of ``tracers`` and every year (``years``, else the
    edition's ``years``, else the years present in ``tracers``). ``method``: the edition of
    ``config/methods/sdg_3_8_1.yaml`` the settings chose (``PipelineResource.method``). ``con``: a DuckDB connection to run on
    (default: a new single-threaded in-memory one). See the module docstring for the frames.
    """
    rules = tracer_rules(method)
    params = method_params(method)
    median_levels = method["imputation"]["regional_median"]["levels"]
    agg_levels = list(method["aggregation"]["levels"])
    kept, quarantine = validate_tracers(tracers, method, countries)
    relations = {
        "uhc_obs": kept,
        "uhc_rules": rules,
        "uhc_burden": _burden(high_burden),
        "uhc_years": _years(kept, method, years),
        "uhc_median_groups": _groups(
            countries, [lv["level"] for lv in median_levels], [int(lv["min_countries"]) for lv in median_levels]
        ),
        "uhc_population": _population(population),
        "uhc_aggregate_groups": _groups(countries, agg_levels).select("country", "level", "group_name"),
        "params": params,
    }
    con = con or duckdb.connect(config={"threads": "1"})  # one thread: sums in a fixed order, re-runs bit-identical
    run_sql_file(con, SQL_FILE, relations)
    index = (
        fetch(con, "uhc_index")
        .sort("country", "year")
        .select(INDEX_COLUMNS)
        .cast(
            {"year": pl.Int64, "n_tracers_used": pl.Int64, "n_tracers_imputed": pl.Int64, "n_tracers_missing": pl.Int64}
        )
    )
    detail = (
        fetch(con, "uhc_tracer_detail")
        .sort("country", "year", "category_order", "tracer_order", "component_order")
        .select(TRACER_COLUMNS)
        .cast({"year": pl.Int64, "from_year": pl.Int64, "to_year": pl.Int64, "imputation_group_countries": pl.Int64})
    )
    order = {lv: i for i, lv in enumerate(agg_levels)}
    regional = fetch(con, "uhc_regional")
    regional = (
        regional.with_columns(pl.col("level").replace_strict(order, return_dtype=pl.Int64).alias("_order"))
        .sort("_order", "region", "year")
        .select(REGIONAL_COLUMNS)
        .cast(
            {
                "year": pl.Int64,
                "n_countries": pl.Int64,
                "n_countries_in_group": pl.Int64,
                "n_countries_without_population": pl.Int64,
            }
        )
    )
    return UhcIndexResult(index=index, tracers=detail, regional=regional, quarantine=quarantine)
