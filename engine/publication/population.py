"""WPP population for the publication layer: persons by country, year, sex and 5-year age band,
and the base population standing for each series' denominator.

Input: ``staging/population`` in the WPP layout (``country`` M49 code, ``time``,
``age5yearinterval`` such as ``15_19`` or ``100plus``, ``gender`` 1 male / 2 female,
``population`` in thousands) and ``staging/countries`` (``iso3``, ``m49``). Populations are
returned in persons (thousands x 1000); M49 codes without a country row are dropped.
"""

from __future__ import annotations

from typing import Iterable

import polars as pl

from engine.publication.config import ProxySpec, PublicationConfig

TOTAL_POPULATION = ProxySpec(0, None, None)
PERSONS_SCHEMA = {"ref_area": pl.String, "year": pl.Int64, "sex": pl.String, "age_from": pl.Int64, "persons": pl.Float64}
BASE_SCHEMA = {"family": pl.String, "series": pl.String, "ref_area": pl.String, "year": pl.Int64, "sex": pl.String, "base_pop": pl.Float64}


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


def proxy_population(people: pl.DataFrame, proxy: ProxySpec) -> pl.DataFrame:
    """``ref_area, year, sex (T/F/M), base_pop``: population of the proxy's ages and sex. With
    ``proxy.sex`` set, T is that sex's population and the other sex has no row."""
    ages = pl.col("age_from") >= proxy.age_from
    if proxy.age_to is not None:
        ages = ages & (pl.col("age_from") + 4 <= proxy.age_to)
    chosen = people.filter(ages)
    if proxy.sex is not None:
        chosen = chosen.filter(pl.col("sex") == proxy.sex)
    by_sex = chosen.group_by("ref_area", "year", "sex").agg(pl.col("persons").sum().alias("base_pop"))
    total = chosen.group_by("ref_area", "year").agg(pl.col("persons").sum().alias("base_pop")).with_columns(pl.lit("T").alias("sex"))
    return pl.concat([by_sex, total.select(by_sex.columns)])


def base_population(people: pl.DataFrame, keys: Iterable[tuple[str, str]], config: PublicationConfig) -> pl.DataFrame:
    """``family, series, ref_area, year, sex, base_pop`` for each (family, series) in ``keys``:
    the series' denominator proxy for denominator-weighted families, the total population for
    population-weighted ones."""
    frames = []
    cache: dict[ProxySpec, pl.DataFrame] = {}
    for family, series in sorted(set(keys)):
        weighting = config.families[family].weighting
        proxy = TOTAL_POPULATION if weighting == "population" else config.proxy(series)
        if proxy not in cache:
            cache[proxy] = proxy_population(people, proxy)
        frames.append(cache[proxy].with_columns(pl.lit(family).alias("family"), pl.lit(series).alias("series")))
    if not frames:
        return pl.DataFrame(schema=BASE_SCHEMA)
    return pl.concat(frames).select(list(BASE_SCHEMA)).cast(BASE_SCHEMA)

