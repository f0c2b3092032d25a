"""Country groupings by year: the groups aggregates are taken over and the groups whose
reporting countries' median imputes a country without data.

Levels (``config/methods/publication.yaml``): ``world``; a column of ``staging/countries``
(``ilo_region``, ``ilo_subregion``, ``sdg_region``, ``m49_subregion``); ``income_group``, the
World Bank group of the country *in that year* (``staging/income_groups``: ``iso3, year,
income_group``); ``income_group_x_ilo_region``, the cell ``<income group> | <ILO region>``.
A country without a value for a level in a year (no income group that year, an empty region)
has no group at that level in that year.
"""

from __future__ import annotations

from typing import Iterable

import polars as pl

from engine.publication.config import PublicationConfig

GROUP_SCHEMA = {"ref_area": pl.String, "year": pl.Int64, "level": pl.String, "region": pl.String}


def memberships(countries: pl.DataFrame, income_groups: pl.DataFrame, years: Iterable[int], levels: Iterable[str]) -> pl.DataFrame:
    """``ref_area, year, level, region``: one row per country, year and level."""
    grid = countries.select(pl.col("iso3").alias("ref_area"), "ilo_region", "ilo_subregion", "sdg_region", "m49_subregion").join(
        pl.DataFrame({"year": list(years)}, schema={"year": pl.Int64}), how="cross"
    )
    dated = income_groups.select(pl.col("iso3").alias("ref_area"), pl.col("year").cast(pl.Int64), "income_group")
    grid = grid.join(dated, on=["ref_area", "year"], how="left")
    expressions = {
        "world": pl.lit("World"),
        "income_group": pl.col("income_group"),
        "income_group_x_ilo_region": pl.concat_str([pl.col("income_group"), pl.col("ilo_region")], separator=" | "),
    }
    frames = [
        grid.select("ref_area", "year", pl.lit(level).alias("level"), expressions.get(level, pl.col(level)).alias("region"))
        for level in levels
    ]
    if not frames:
        return pl.DataFrame(schema=GROUP_SCHEMA)
    return pl.concat(frames).filter(pl.col("region").is_not_null() & (pl.col("region") != "")).cast(GROUP_SCHEMA)


def aggregation_groups(countries: pl.DataFrame, income_groups: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """The groups aggregates are computed for, by reference year."""
    return memberships(countries, income_groups, config.reference_years, config.aggregation_levels)


def imputation_groups(countries: pl.DataFrame, income_groups: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """``family, ref_area, year, level_rank, level, region, min_countries``: each family's
    imputation levels in their order of preference."""
    ranks = pl.DataFrame(
        [(family, level, rank, n) for family in config.families for rank, (level, n) in enumerate(config.family_imputation(family))],
        schema={"family": pl.String, "level": pl.String, "level_rank": pl.Int64, "min_countries": pl.Int64}, orient="row",
    )
    levels = ranks["level"].unique().sort().to_list()
    return memberships(countries, income_groups, config.reference_years, levels).join(ranks, on="level").select(
        "family", "ref_area", "year", "level_rank", "level", "region", "min_countries"
    )
