"""Publication layer, country values and aggregates.

``publication/country_values``: the published country values (one source per country-year,
disclosure control applied). ``publication/country_lineup`` and ``publication/aggregates``:
the reference-year line-up with every imputed country flagged, and the world, regional and
income-group aggregates with the shares covered by reported data (engine/publication/aggregates.py,
sql/aggregates.sql).
"""

import dagster as dg
import polars as pl

from assets.publication.inputs import (
    COUNTRY_VALUE_KEYS,
    GROUP,
    STAGING_KEYS,
    all_country_rows,
    config_of,
    key,
    population_vintage,
    read_optional,
    synthetic_sources,
    write_table,
)
from assets.resources import PipelineResource
from engine.publication.aggregates import compute_aggregates, imputation_model
from engine.publication.country_values import published_values
from schemas.resources.publication import AGGREGATES, COUNTRY_LINEUP, COUNTRY_VALUES


@dg.asset(
    key=key("country_values"),
    deps=COUNTRY_VALUE_KEYS,
    group_name=GROUP,
    kinds={"polars", "parquet"},
    description=COUNTRY_VALUES.description,
)
def country_values(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    store = pipeline.store()
    config = config_of(pipeline)
    published = published_values(all_country_rows(store, config), config, synthetic_sources(store))
    flags = published["flag"].value_counts()
    return write_table(
        store,
        published,
        COUNTRY_VALUES,
        families=sorted(published["family"].unique().to_list()),
        countries=published["ref_area"].n_unique(),
        flags=dg.MetadataValue.json(
            {str(k): int(v) for k, v in zip(flags["flag"].to_list(), flags["count"].to_list())}
        ),
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key("country_lineup"),
            deps=[*COUNTRY_VALUE_KEYS, *STAGING_KEYS],
            group_name=GROUP,
            kinds={"duckdb", "sql", "parquet"},
            description=COUNTRY_LINEUP.description,
        ),
        dg.AssetSpec(
            key("aggregates"),
            deps=[*COUNTRY_VALUE_KEYS, *STAGING_KEYS],
            group_name=GROUP,
            kinds={"duckdb", "sql", "parquet"},
            description=AGGREGATES.description,
        ),
    ],
    can_subset=False,
)
def aggregates(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    store = pipeline.store()
    config = config_of(pipeline)
    with pipeline.duckdb().connect() as con:
        result = compute_aggregates(
            all_country_rows(store, config),
            store.read("staging", "countries"),
            store.read("staging", "income_groups"),
            store.read("staging", "population"),
            config,
            m49_groups=read_optional(store, "staging", "m49_groups"),
            published=read_optional(store, "staging", "published_sdg"),
            synthetic=synthetic_sources(store),
            population_vintage=population_vintage(store),
            con=con,
        )
    status = result.lineup.group_by("status").len()
    yield write_table(
        store,
        result.lineup,
        COUNTRY_LINEUP,
        by_status=dg.MetadataValue.json(dict(zip(status["status"].to_list(), status["len"].to_list()))),
        imputed_countries=result.lineup.filter(pl.col("status") == "imputed")["ref_area"].n_unique(),
        imputation_model=dg.MetadataValue.json(
            {family: imputation_model(config, family) for family in config.families}
        ),
    )
    world = result.aggregates.filter(
        (pl.col("level") == "world") & (pl.col("sex") == "T") & (pl.col("year") == config.last_year)
    )
    yield write_table(
        store,
        result.aggregates,
        AGGREGATES,
        vintages=sorted(result.aggregates["vintage"].unique().to_list()),
        withheld=result.aggregates.filter(pl.col("value_withheld")).height,
        world_latest=dg.MetadataValue.md(
            "| series | value | share reported |\n|---|---|---|\n"
            + "\n".join(
                f"| {r['series']} | {'withheld' if r['value'] is None else format(r['value'], '.1f')} | {r['denominator_share_reported']:.0%} |"
                for r in world.iter_rows(named=True)
            )
        ),
    )
