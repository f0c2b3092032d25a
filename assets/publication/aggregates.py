"""Publication layer, country values and aggregates.

``publication/country_values``: the published country values (one source per country-year,
disclosure control applied). ``publication/country_lineup`` and ``publication/aggregates``:
the reference-year line-up with every imputed country flagged, and the world, regional and
income-group aggregates with the shares covered by reported data (engine/publication/aggregates.py,
sql/aggregates.sql).
"""

import dagster as dg
import polars as pl

from assets.publication.inputs import GROUP, all_country_rows, config_of, population_vintage, synthetic_sources
from assets.resources import PipelineResource
from assets.tables import MaybeIndicators, MaybeStaging, Staging, table_asset, table_multi_asset, table_out
from engine.publication.aggregates import compute_aggregates, imputation_model
from engine.publication.country_values import published_values
from schemas.resources.publication import AGGREGATES, COUNTRY_LINEUP


@table_asset(key_prefix=GROUP, group_name=GROUP, kinds={"polars", "parquet"})
def country_values(
    pipeline: PipelineResource,
    sdg_1_3_1: MaybeIndicators,
    sdg_3_8_2: MaybeIndicators,
    sdg_3_8_1: MaybeIndicators,
    published_sdg: MaybeStaging,
) -> dg.Output[pl.DataFrame]:
    """The published country values of every family, after disclosure control."""
    config = config_of(pipeline)
    published = published_values(
        all_country_rows(config, published_sdg, sdg_1_3_1=sdg_1_3_1, sdg_3_8_2=sdg_3_8_2, sdg_3_8_1=sdg_3_8_1),
        config,
        synthetic_sources(pipeline.store()),
    )
    flags = published["flag"].value_counts()
    return dg.Output(
        published,
        metadata={
            "families": sorted(published["family"].unique().to_list()),
            "countries": published["ref_area"].n_unique(),
            "flags": dg.MetadataValue.json(
                {str(k): int(v) for k, v in zip(flags["flag"].to_list(), flags["count"].to_list(), strict=True)}
            ),
        },
    )


@table_multi_asset(
    outs={
        t.table: table_out(
            dg.AssetKey(list(t.key)),
            group_name=GROUP,
            kinds={"duckdb", "sql", "parquet"},
            description=t.description,
        )
        for t in (COUNTRY_LINEUP, AGGREGATES)
    },
    can_subset=False,
)
def aggregates(
    pipeline: PipelineResource,
    sdg_1_3_1: MaybeIndicators,
    sdg_3_8_2: MaybeIndicators,
    sdg_3_8_1: MaybeIndicators,
    published_sdg: MaybeStaging,
    countries: Staging,
    income_groups: Staging,
    population: Staging,
    m49_groups: MaybeStaging,
):
    """The reference-year line-up and the world, regional and income-group aggregates."""
    store = pipeline.store()
    config = config_of(pipeline)
    with pipeline.duckdb().connect() as con:
        result = compute_aggregates(
            all_country_rows(config, published_sdg, sdg_1_3_1=sdg_1_3_1, sdg_3_8_2=sdg_3_8_2, sdg_3_8_1=sdg_3_8_1),
            countries,
            income_groups,
            population,
            config,
            m49_groups=m49_groups,
            published=published_sdg,
            synthetic=synthetic_sources(store),
            population_vintage=population_vintage(store),
            con=con,
        )
    status = result.lineup.group_by("status").len()
    yield dg.Output(
        result.lineup,
        output_name=COUNTRY_LINEUP.table,
        metadata={
            "by_status": dg.MetadataValue.json(
                dict(zip(status["status"].to_list(), status["len"].to_list(), strict=True))
            ),
            "imputed_countries": result.lineup.filter(pl.col("status") == "imputed")["ref_area"].n_unique(),
            "imputation_model": dg.MetadataValue.json(
                {family: imputation_model(config, family) for family in config.families}
            ),
        },
    )
    world = result.aggregates.filter(
        (pl.col("level") == "world") & (pl.col("sex") == "T") & (pl.col("year") == config.last_year)
    )
    yield dg.Output(
        result.aggregates,
        output_name=AGGREGATES.table,
        metadata={
            "vintages": sorted(result.aggregates["vintage"].unique().to_list()),
            "withheld": result.aggregates.filter(pl.col("value_withheld")).height,
            "world_latest": dg.MetadataValue.md(
                "| series | value | share reported |\n|---|---|---|\n"
                + "\n".join(
                    f"| {r['series']} | {'withheld' if r['value'] is None else format(r['value'], '.1f')} | {r['denominator_share_reported']:.0%} |"
                    for r in world.iter_rows(named=True)
                )
            ),
        },
    )
