"""Country groupings by year: the groups aggregates are taken over and the groups whose
reporting countries' median imputes a country without data.

Levels (``config/methods/publication.yaml``): ``world``; a column of ``staging/countries``
(``ilo_region``, ``ilo_subregion``, ``sdg_region``, ``m49_subregion``); a level of
``staging/m49_groups`` (``m49_region``, ``un_group``: LDC, LLDC, SIDS; a country may be in
several groups of a level); ``income_group``, the World Bank group of the country *in that
year* (``staging/income_groups``: ``iso3, year, income_group``); ``income_group_x_ilo_region``
and ``income_group_x_sdg_region``, the cells ``<income group> | <region>``. A country without a
value for a level in a year (no income group that year, an empty region) has no group at that
level in that year.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from engine.publication.config import PublicationConfig

GROUP_SCHEMA = pl.Schema({"ref_area": pl.String, "year": pl.Int64, "level": pl.String, "region": pl.String})


GROUP_TABLE_LEVELS = ("m49_region", "un_group")  # levels read from staging/m49_groups


def memberships(
    countries: pl.DataFrame,
    income_groups: pl.DataFrame,
    years: Iterable[int],
    levels: Iterable[str],
    m49_groups: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``ref_area, year, level, region``: one row per country, year and level (and group, for the
    levels of ``m49_groups``).
    """
    levels = list(levels)
    years = list(years)
    grid = countries.select(
        pl.col("iso3").alias("ref_area"), "ilo_region", "ilo_subregion", "sdg_region", "m49_subregion"
    ).join(pl.DataFrame({"year": list(years)}, schema={"year": pl.Int64}), how="cross")
    dated = income_groups.select(pl.col("iso3").alias("ref_area"), pl.col("year").cast(pl.Int64), "income_group")
    grid = grid.join(dated, on=["ref_area", "year"], how="left")
    expressions = {
        "world": pl.lit("World"),
        "income_group": pl.col("income_group"),
        "income_group_x_ilo_region": pl.concat_str([pl.col("income_group"), pl.col("ilo_region")], separator=" | "),
        "income_group_x_sdg_region": pl.concat_str([pl.col("income_group"), pl.col("sdg_region")], separator=" | "),
    }
    frames = [
        grid.select(
            "ref_area", "year", pl.lit(level).alias("level"), expressions.get(level, pl.col(level)).alias("region")
        )
        for level in levels
        if level not in GROUP_TABLE_LEVELS
    ]
    listed = [level for level in levels if level in GROUP_TABLE_LEVELS]
    if listed and m49_groups is not None and not m49_groups.is_empty():
        members = m49_groups.filter(pl.col("level").is_in(listed)).select(
            pl.col("iso3").alias("ref_area"), "level", "region"
        )
        frames.append(
            members.join(pl.DataFrame({"year": years}, schema={"year": pl.Int64}), how="cross").select(
                list(GROUP_SCHEMA)
            )
        )
    if not frames:
        return pl.DataFrame(schema=GROUP_SCHEMA)
    return pl.concat([f.cast(GROUP_SCHEMA) for f in frames]).filter(
        pl.col("region").is_not_null() & (pl.col("region") != "")
    )


def aggregation_groups(
    countries: pl.DataFrame,
    income_groups: pl.DataFrame,
    config: PublicationConfig,
    m49_groups: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The groups aggregates are computed for, by reference year."""
    return memberships(countries, income_groups, config.reference_years, config.aggregation_levels, m49_groups)


def area_codes(config: PublicationConfig, m49_groups: pl.DataFrame | None = None) -> pl.DataFrame:
    """``level, region, region_code``: the M49 (or UN SDG) code of every aggregate that has one:
    ``sdmx.area_codes`` of the edition (world, SDG regions, income groups) and the groups of
    ``staging/m49_groups`` (M49 regions and subregions, LDC / LLDC / SIDS), one group per code.
    """
    rows = [
        (level, region, str(code))
        for level, codes in config.sdmx["area_codes"].items()
        for region, code in codes.items()
    ]
    frame = pl.DataFrame(rows, schema={"level": pl.String, "region": pl.String, "region_code": pl.String}, orient="row")
    if m49_groups is not None and not m49_groups.is_empty():
        listed = m49_groups.select("level", "region", pl.col("m49").cast(pl.String).alias("region_code")).unique()
        frame = pl.concat([frame, listed.join(frame, on=["level", "region"], how="anti")])
    # a code names one group: the same area at two levels (Australia and New Zealand, 53, is an SDG
    # region and an M49 subregion) is taken at the first of aggregation_levels
    order = {level: i for i, level in enumerate(config.aggregation_levels)}
    return (
        frame.with_columns(
            pl.col("level").replace_strict(order, default=len(order), return_dtype=pl.Int64).alias("_order")
        )
        .sort("_order", "level", "region")
        .unique("region_code", keep="first", maintain_order=True)
        .drop("_order")
    )


def imputation_groups(
    countries: pl.DataFrame,
    income_groups: pl.DataFrame,
    config: PublicationConfig,
    m49_groups: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``family, ref_area, year, level_rank, level, region, min_countries``: each family's
    imputation levels in their order of preference.
    """
    ranks = pl.DataFrame(
        [
            (family, level, rank, n)
            for family in config.families
            for rank, (level, n) in enumerate(config.family_imputation(family))
        ],
        schema={"family": pl.String, "level": pl.String, "level_rank": pl.Int64, "min_countries": pl.Int64},
        orient="row",
    )
    levels = ranks["level"].unique().sort().to_list()
    return (
        memberships(countries, income_groups, config.reference_years, levels, m49_groups)
        .join(ranks, on="level")
        .select("family", "ref_area", "year", "level_rank", "level", "region", "min_countries")
    )


def donor_ranges(
    lineup: pl.DataFrame, countries: pl.DataFrame, income_groups: pl.DataFrame, config: PublicationConfig
) -> pl.DataFrame:
    """The line-up cells imputed with a group median (``imputation_level`` among the family's
    imputation levels), with ``donor_min``, ``donor_max``, ``n_donors`` (the reported and
    interpolated values of the same family, vintage, series, reference year and sex in the
    imputation group; null without any) and ``outside_donor_range_pp`` = how far the value lies
    below ``donor_min`` or above ``donor_max`` (0 within the range).
    """
    cell = ["family", "vintage", "series", "ref_year", "sex"]
    levels = pl.DataFrame(
        [(family, level) for family in config.families for level, _ in config.family_imputation(family)],
        schema={"family": pl.String, "imputation_level": pl.String},
        orient="row",
    )
    imputed = lineup.filter((pl.col("status") == "imputed") & pl.col("value").is_not_null()).join(
        levels, on=["family", "imputation_level"]
    )
    groups = memberships(
        countries,
        income_groups,
        sorted(lineup["ref_year"].unique().to_list()),
        sorted(levels["imputation_level"].unique().to_list()),
    )
    donors = (
        lineup.filter(pl.col("status").is_in(["reported", "interpolated"]) & pl.col("value").is_not_null())
        .join(groups, left_on=["ref_area", "ref_year"], right_on=["ref_area", "year"])
        .group_by(*cell, pl.col("level").alias("imputation_level"), pl.col("region").alias("imputation_group"))
        .agg(
            pl.col("value").min().alias("donor_min"),
            pl.col("value").max().alias("donor_max"),
            pl.len().alias("n_donors"),
        )
    )
    view = imputed.select(*cell, "ref_area", "imputation_level", "imputation_group", "imputation_donors", "value").join(
        donors, on=[*cell, "imputation_level", "imputation_group"], how="left"
    )
    return view.with_columns(
        pl.max_horizontal(
            pl.col("donor_min") - pl.col("value"), pl.col("value") - pl.col("donor_max"), pl.lit(0.0)
        ).alias("outside_donor_range_pp")
    )
