"""Regional and global aggregates with imputation of countries without data
(``sql/aggregates.sql`` holds the formulas; ``config/methods/publication.yaml`` the choices).

:func:`compute_aggregates` takes the country rows of :func:`engine.publication.country_values.country_rows`
(unsuppressed, every source), ``staging/countries``, ``staging/income_groups`` and
``staging/population`` and returns two frames:

* ``lineup`` (``publication/country_lineup``): one row per family, vintage, series, reference
  year, country and sex: ``status`` (``reported``; ``interpolated`` between the country's values
  before and after the reference year, families with ``interpolation_years``; ``derived``,
  computed exactly from reported cells of the same country; ``imputed``), the source and
  observation year of a reported value,
  (the series ``identities`` hold in every cell: part <= whole, remainder = whole - part),
  ``value``, ``numerator``, ``denominator`` (carried to the reference year; emptied where
  ``value_withheld``, see :func:`withhold_residuals`), ``base_pop`` (WPP population of the
  series' base ages), the imputation level and group and its number of donors;
* ``aggregates`` (``publication/aggregates``): one row per family, vintage, series, level,
  region, reference year and sex: ``value`` = 100 * sum numerator / sum denominator,
  ``denominator_share_reported`` and ``population_share_reported`` (shares covered by reported
  or derived values), country counts by status, ``low_coverage`` (share below
  ``low_coverage_share``) and, below ``min_reported_share``, ``value_withheld`` with
  ``withheld_reason``: the value and numerator of such an aggregate are emptied (not published;
  :func:`withhold_low_coverage`).

Vintages are never mixed: every row carries ``vintage`` = the family's method edition (the
``<family>:<edition>`` part of ``method_edition``) and, when ``input_vintage``
(``<source>@<vintage>; <input>@<vintage>; ...``) names denominator inputs listed in
``vintage_inputs`` (the WPP population), those inputs with their vintages. Rows without them
(survey estimates, whose denominators are their own weighted counts) are compatible with every
denominator vintage and enter each of them. Both tables also carry the WPP vintage used
for weights and proxies (``population_vintage``) and the imputation model
(``imputation_model``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from engine.publication.config import PublicationConfig
from engine.publication.country_values import PUBLISHED_SOURCE_KIND, at_totals, source_rank
from engine.publication.disclosure import suppression_rule
from engine.publication.imputation import aggregation_groups, imputation_groups
from engine.publication.labels import label_aggregates, label_lineup, label_values
from engine.publication.population import persons, proxies, proxy_rates
from engine.sql import fetch, run_sql_file

SQL_FILE = "aggregates.sql"
OBS_SCHEMA = pl.Schema(
    {
        "family": pl.String,
        "vintage": pl.String,
        "weighting": pl.String,
        "series": pl.String,
        "ref_area": pl.String,
        "year": pl.Int64,
        "sex": pl.String,
        "source_kind": pl.String,
        "source_id": pl.String,
        "source_rank": pl.Int64,
        "value": pl.Float64,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "se": pl.Float64,
    }
)
LINEUP_SCHEMA = pl.Schema(
    {
        "family": pl.String,
        "vintage": pl.String,
        "series": pl.String,
        "ref_year": pl.Int64,
        "ref_area": pl.String,
        "sex": pl.String,
        "status": pl.String,
        "source_kind": pl.String,
        "source_id": pl.String,
        "obs_year": pl.Int64,
        "value": pl.Float64,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "base_pop": pl.Float64,
        "imputation_level": pl.String,
        "imputation_group": pl.String,
        "imputation_donors": pl.Int64,
        "computed_value": pl.Float64,
        "computed_se": pl.Float64,
        "computed_source_id": pl.String,
        "computed_obs_year": pl.Int64,
        "published_value": pl.Float64,
        "published_source_id": pl.String,
        "published_obs_year": pl.Int64,
        "difference_pp": pl.Float64,
        "difference_se": pl.Float64,
    }
)
AGGREGATE_SCHEMA = pl.Schema(
    {
        "family": pl.String,
        "vintage": pl.String,
        "weighting": pl.String,
        "series": pl.String,
        "level": pl.String,
        "region": pl.String,
        "year": pl.Int64,
        "sex": pl.String,
        "value": pl.Float64,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "denominator_share_reported": pl.Float64,
        "population_share_reported": pl.Float64,
        "population": pl.Float64,
        "n_countries": pl.Int64,
        "n_reported": pl.Int64,
        "n_derived": pl.Int64,
        "n_interpolated": pl.Int64,
        "n_imputed": pl.Int64,
    }
)


@dataclass(frozen=True)
class AggregationResult:
    """The country line-up (observed and imputed values per country and year) and the aggregates
    computed from it.
    """

    lineup: pl.DataFrame
    aggregates: pl.DataFrame


def imputation_model(config: PublicationConfig, family: str) -> str:
    """The line-up and model of ``family`` as stated in the outputs, e.g.
    ``group_median(income_group_x_ilo_region>=3, ...); covariates: income_group, ilo_region``,
    preceded by ``linear_interpolation(+-5 years); `` for an interpolating family.
    """
    levels = ", ".join(f"{level}>={n}" for level, n in config.family_imputation(family))
    years = config.families[family].interpolation_years
    interpolation = f"linear_interpolation(+-{years} years); " if years else ""
    return (
        f"{interpolation}{config.imputation_model}({levels}); covariates: {', '.join(config.family_covariates(family))}"
    )


def family_edition(families) -> pl.Expr:
    """The ``<family>:<edition>`` part of ``method_edition`` for the row's ``family`` (the whole
    ``method_edition`` when it has no such part).
    """
    edition = pl.col("method_edition")
    for family in families:
        part = pl.col("method_edition").str.extract(f"({re.escape(family)}:[^+;,]+)")
        edition = (
            pl.when(pl.col("family") == family).then(pl.coalesce(part, pl.col("method_edition"))).otherwise(edition)
        )
    return edition


def denominator_inputs(config: PublicationConfig) -> pl.Expr:
    """The ``<input>@<vintage>`` parts of ``input_vintage`` naming an input of
    ``vintage_inputs`` (the first part, the source itself, excepted), sorted, joined by ``; ``
    (empty when there is none).
    """
    names = [re.escape(n) for n in config.vintage_inputs]
    token = rf"^\s*(?:{'|'.join(names)})\s*@" if names else r"^$^"
    return (
        pl.col("input_vintage")
        .fill_null("")
        .str.split(";")
        .list.slice(1)
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element().str.contains(token)))
        .list.sort()
        .list.join("; ")
    )


def with_vintage(obs: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """Add ``vintage`` (see the module docstring); rows without a denominator input of
    ``vintage_inputs`` are repeated for every denominator vintage of their family edition.
    Published country values (source kind ``published``, the custodians' own method and
    denominators) enter every vintage of their family; a family with no value computed here
    has one vintage, ``published:<source_id>``.
    """
    published = obs.filter(pl.col("source_kind") == PUBLISHED_SOURCE_KIND)
    keyed = obs.filter(pl.col("source_kind") != PUBLISHED_SOURCE_KIND).with_columns(
        family_edition(config.families).alias("_edition"),
        denominator_inputs(config).alias("_denominators"),
    )
    with_dens = keyed.filter(pl.col("_denominators") != "")
    known = with_dens.select("_edition", "_denominators").unique()
    without = keyed.filter(pl.col("_denominators") == "")
    spread = (
        without.drop("_denominators")
        .join(known, on="_edition", how="left")
        .with_columns(pl.col("_denominators").fill_null(""))
    )
    computed = (
        pl.concat([with_dens, spread.select(with_dens.columns)])
        .with_columns(
            pl.when(pl.col("_denominators") == "")
            .then(pl.col("_edition"))
            .otherwise(pl.concat_str([pl.col("_edition"), pl.lit(" | denominators: "), pl.col("_denominators")]))
            .alias("vintage")
        )
        .drop("_edition", "_denominators")
    )
    vintages = computed.select("family", "vintage").unique()
    published = published.join(vintages, on="family", how="left").with_columns(
        pl.coalesce("vintage", "method_edition").alias("vintage")
    )
    return pl.concat([computed, published.select(computed.columns)])


def aggregation_inputs(rows: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """``OBS_SCHEMA``: the breakdown-total cells of the aggregated sexes, with weighting,
    source rank and vintage; survey cells that disclosure control suppresses are left out
    (too imprecise: the country-sex cell is then derived or imputed).
    """
    weighting = {f.name: f.weighting for f in config.families.values()}
    sexes = [(f.name, s) for f in config.families.values() for s in f.aggregate_sexes]
    obs = at_totals(rows, keep=("sex",)).filter(pl.col("value").is_not_null())
    obs = obs.join(
        pl.DataFrame(sexes, schema={"family": pl.String, "sex": pl.String}, orient="row"), on=["family", "sex"]
    )
    obs = obs.filter(
        ~((pl.col("source_kind") == "survey") & suppression_rule(config, pl.col("n_unweighted"), pl.col("reliability")))
    )
    obs = obs.with_columns(
        pl.col("family").replace_strict(weighting, return_dtype=pl.String).alias("weighting"),
        source_rank(config).alias("source_rank"),
    )
    return with_vintage(obs, config).select(list(OBS_SCHEMA)).cast(OBS_SCHEMA)


def suppressed_cells(rows: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """``family, series, ref_area, year, source_id, sex``: the survey breakdown-total cells (by
    sex) that disclosure control suppresses.
    """
    cells = at_totals(rows, keep=("sex",)).filter(
        (pl.col("source_kind") == "survey") & suppression_rule(config, pl.col("n_unweighted"), pl.col("reliability"))
    )
    return cells.select("family", "series", "ref_area", "year", "source_id", "sex").unique()


def withhold_residuals(lineup: pl.DataFrame, suppressed: pl.DataFrame) -> pl.DataFrame:
    """Add ``value_withheld``: a derived sex cell (reported total minus the other reported sex,
    ``imputation_level`` residual_of_total) whose own cell in the same source and year is among
    ``suppressed`` (:func:`suppressed_cells`) would reproduce that suppressed survey cell, so its
    value, numerator and denominator are emptied in the published line-up (the aggregates use
    them). Other derived cells (the source has no such cell, or publishes it) keep their values.
    """
    hidden = suppressed.select(
        "family",
        "series",
        "ref_area",
        pl.col("year").alias("obs_year"),
        "source_id",
        "sex",
        pl.lit(True).alias("_hidden"),
    )
    keys = ["family", "series", "ref_area", "obs_year", "source_id", "sex"]
    marked = lineup.join(hidden, on=keys, how="left")
    withheld = (pl.col("status") == "derived") & (pl.col("sex") != "T") & pl.col("_hidden").fill_null(False)
    return (
        marked.with_columns(withheld.alias("value_withheld"))
        .drop("_hidden")
        .with_columns(
            [
                pl.when(pl.col("value_withheld")).then(None).otherwise(pl.col(c)).alias(c)
                for c in ("value", "numerator", "denominator")
            ]
        )
    )


def withhold_low_coverage(aggregates: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """Add ``low_coverage``, ``value_withheld`` and ``withheld_reason``; empty the value and
    numerator of the withheld aggregates (see the module docstring).
    """
    share = pl.col("denominator_share_reported")
    withheld = (share < config.min_reported_share).fill_null(True)
    reason = pl.format(
        "reported data cover {}% of the denominator ({} of {} countries with data), below the minimum of {}%",
        (share * 100).round(1),
        pl.col("n_countries") - pl.col("n_imputed"),
        pl.col("n_countries"),
        pl.lit(round(config.min_reported_share * 100, 1)),
    )
    return aggregates.with_columns(
        (share < config.low_coverage_share).fill_null(True).alias("low_coverage"),
        withheld.alias("value_withheld"),
        pl.when(withheld).then(reason).otherwise(pl.lit(None, dtype=pl.String)).alias("withheld_reason"),
    ).with_columns(
        [pl.when(pl.col("value_withheld")).then(None).otherwise(pl.col(c)).alias(c) for c in ("value", "numerator")]
    )


def compute_aggregates(
    rows: pl.DataFrame,
    countries: pl.DataFrame,
    income_groups: pl.DataFrame,
    population: pl.DataFrame,
    config: PublicationConfig,
    *,
    m49_groups: pl.DataFrame | None = None,
    published: pl.DataFrame | None = None,
    synthetic: Sequence[str] = (),
    population_vintage: str = "",
    con: duckdb.DuckDBPyConnection | None = None,
) -> AggregationResult:
    """Line up, impute and aggregate (see the module docstring). ``m49_groups``: the members of
    the M49 regions and UN groups (``staging/m49_groups``); ``published``: the published country
    series (``staging/published_sdg``), read here for the rates some population groups apply
    (the unemployment rate); either absent leaves those levels or rates out. ``synthetic``: the
    names of the synthetic sources and inputs (``engine.publication.labels``), which label the
    line-up and the aggregates. ``con``: the DuckDB
    connection to run on (default: a new one); it is set to one thread, so that sums are
    bit-identical on re-runs.
    """
    obs = aggregation_inputs(rows, config)
    people = persons(population, countries)
    agg_groups = aggregation_groups(countries, income_groups, config, m49_groups)
    imp_groups = imputation_groups(countries, income_groups, config, m49_groups)
    years = set(config.reference_years) | set(obs["year"].to_list())
    relations = {
        "pub_obs": obs,
        "pub_ref_years": pl.DataFrame({"ref_year": config.reference_years}, schema={"ref_year": pl.Int64}),
        "pub_persons": people.filter(pl.col("year").is_in(sorted(years))),
        "pub_proxies": proxies(obs.select("family", "series").unique().iter_rows(), config),
        "pub_rates": proxy_rates(published, config),
        "pub_agg_groups": agg_groups,
        "pub_imp_groups": imp_groups,
        "pub_identities": pl.DataFrame(
            [(i.family, i.whole, i.part, i.remainder) for i in config.identities],
            schema={"family": pl.String, "whole": pl.String, "part": pl.String, "remainder": pl.String},
            orient="row",
        ),
        "pub_families": pl.DataFrame(
            [
                (name, config.family_window(name), config.family_window_after(name), f.interpolation_years)
                for name, f in config.families.items()
            ],
            schema={
                "family": pl.String,
                "window_years": pl.Int64,
                "window_after_years": pl.Int64,
                "interpolation_years": pl.Int64,
            },
            orient="row",
        ),
    }
    con = con or duckdb.connect()
    con.execute("SET threads = 1")
    run_sql_file(con, SQL_FILE, relations)
    models = {name: imputation_model(config, name) for name in config.families}
    provenance = [
        pl.col("family").replace_strict(models, return_dtype=pl.String).alias("imputation_model"),
        pl.lit(population_vintage).alias("population_vintage"),
        pl.lit(config.label).alias("method_edition"),
    ]
    lineup = label_lineup(
        fetch(con, "pub_lineup").select(list(LINEUP_SCHEMA)).cast(LINEUP_SCHEMA),
        label_values(rows, list(synthetic)),
        imp_groups,
    )
    level_order = {level: i for i, level in enumerate(config.aggregation_levels)}
    aggregates = (
        label_aggregates(
            withhold_low_coverage(
                fetch(con, "pub_aggregates").select(list(AGGREGATE_SCHEMA)).cast(AGGREGATE_SCHEMA), config
            ),
            lineup,
            agg_groups,
            config,
        )
        .with_columns(*provenance)
        .with_columns(pl.col("level").replace_strict(level_order, return_dtype=pl.Int64).alias("_order"))
        .sort("family", "vintage", "series", "_order", "region", "year", "sex")
        .drop("_order")
    )
    lineup = withhold_residuals(lineup, suppressed_cells(rows, config)).with_columns(provenance)
    return AggregationResult(
        lineup=lineup.sort("family", "vintage", "series", "ref_year", "ref_area", "sex"),
        aggregates=aggregates,
    )
