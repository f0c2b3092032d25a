"""WPP population for the publication layer: persons by country, year, sex and 5-year age band,
and the proxies (ages and sex) whose population stands for each series' denominator (summed in
``sql/aggregates.sql``, block ``pub_base_population``).

Input: ``staging/population`` in the WPP layout (``country`` M49 code, ``time``,
``age5yearinterval`` such as ``15_19`` or ``100plus``, ``gender`` 1 male / 2 female,
``population`` in thousands) and ``staging/countries`` (``iso3``, ``m49``). Populations are
returned in persons (thousands x 1000); M49 codes without a country row are dropped. The rates a
proxy may apply (the unemployment rate for the unemployed) are published country series
(``staging/published_sdg``).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from engine.publication.config import ProxySpec, PublicationConfig

TOTAL_POPULATION = ProxySpec(0, None, None)
PERSONS_SCHEMA = pl.Schema(
    {
        "ref_area": pl.String,
        "year": pl.Int64,
        "sex": pl.String,
        "age_from": pl.Int64,
        "persons": pl.Float64,
    }
)
PROXY_SCHEMA = {
    "family": pl.String,
    "series": pl.String,
    "age_from": pl.Int64,
    "age_to": pl.Int64,
    "sex": pl.String,
    "rate_series": pl.String,
    "rate_breakdown": pl.String,
}
RATE_SCHEMA = pl.Schema(
    {
        "series": pl.String,
        "breakdown": pl.String,
        "ref_area": pl.String,
        "year": pl.Int64,
        "sex": pl.String,
        "rate": pl.Float64,
    }
)


def persons(population: pl.DataFrame, countries: pl.DataFrame) -> pl.DataFrame:
    """``ref_area, year, sex (F/M), age_from, persons``: one row per WPP cell."""
    if population.is_empty():
        return pl.DataFrame(schema=PERSONS_SCHEMA)
    codes = countries.select(pl.col("m49").cast(pl.Int64), pl.col("iso3").alias("ref_area"))
    return (
        population.join(codes, left_on=pl.col("country").cast(pl.Int64), right_on="m49", how="inner")
        .select(
            "ref_area",
            pl.col("time").cast(pl.Int64).alias("year"),
            pl.when(pl.col("gender").cast(pl.String) == "2").then(pl.lit("F")).otherwise(pl.lit("M")).alias("sex"),
            pl.col("age5yearinterval").str.extract(r"^(\d+)").cast(pl.Int64).alias("age_from"),
            (pl.col("population").cast(pl.Float64) * 1000).alias("persons"),
        )
        .cast(PERSONS_SCHEMA)
    )


def proxies(keys: Iterable[tuple[str, str]], config: PublicationConfig) -> pl.DataFrame:
    """``family, series, age_from, age_to, sex`` for each (family, series) in ``keys``: the
    series' ``denominator_proxy`` for denominator-weighted families, the total population (all
    ages, both sexes) for population-weighted ones.
    """
    specs = {
        (family, series): TOTAL_POPULATION
        if config.families[family].weighting == "population"
        else config.proxy(series)
        for family, series in set(keys)
    }
    rows = [
        (family, series, p.age_from, p.age_to, p.sex, p.rate, p.rate_breakdown if p.rate else None)
        for (family, series), p in sorted(specs.items())
    ]
    return pl.DataFrame(rows, schema=PROXY_SCHEMA, orient="row")


def proxy_rates(published: pl.DataFrame | None, config: PublicationConfig) -> pl.DataFrame:
    """``series, breakdown, ref_area, year, sex, rate``: the published country values of the rate
    series the proxies name (``denominator_proxy.<series>.rate``), each from its latest vintage.
    """
    wanted = {(p.rate, p.rate_breakdown) for p in config.proxies.values() if p.rate}
    if published is None or published.is_empty() or not wanted:
        return pl.DataFrame(schema=RATE_SCHEMA)
    keys = pl.DataFrame(sorted(wanted), schema={"series": pl.String, "breakdown": pl.String}, orient="row")
    rows = published.filter(pl.col("area_kind") == "country").join(keys, on=["series", "breakdown"])
    rows = rows.filter(pl.col("vintage") == pl.col("vintage").max().over("series"))
    return rows.select("series", "breakdown", "ref_area", "year", "sex", pl.col("value").alias("rate")).cast(
        RATE_SCHEMA
    )
