"""Publication layer, the check of the aggregation method: every aggregate published in a
published source against the pipeline's reproduction from that source's country values
(``publication/aggregate_comparison``; engine/publication/comparison.py,
sql/aggregate_comparison.sql; the table of differences is docs/aggregate_comparison.md).
"""

import dagster as dg
import polars as pl

from assets.publication.inputs import GROUP, PUBLISHED_KEY, STAGING_KEYS, config_of, key, read_optional, write_table
from assets.resources import PipelineResource
from engine.publication.comparison import comparison_summary, comparison_table
from schemas.resources.publication import AGGREGATE_COMPARISON


@dg.asset(
    key=key("aggregate_comparison"),
    deps=[PUBLISHED_KEY, *STAGING_KEYS],
    group_name=GROUP,
    kinds={"duckdb", "sql", "parquet"},
    description=AGGREGATE_COMPARISON.description,
)
def aggregate_comparison(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    store = pipeline.store()
    published = read_optional(store, "staging", "published_sdg")
    table = AGGREGATE_COMPARISON.empty()
    if published is not None:
        with pipeline.duckdb().connect() as con:
            table = comparison_table(
                published,
                store.read("staging", "countries"),
                store.read("staging", "income_groups"),
                store.read("staging", "population"),
                read_optional(store, "staging", "m49_groups"),
                config_of(pipeline),
                con=con,
            )
    return write_table(store, table, AGGREGATE_COMPARISON, summary=dg.MetadataValue.json(comparison_summary(table)))
