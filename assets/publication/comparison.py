"""Publication layer, the check of the aggregation method: every aggregate published in a
published source against the pipeline's reproduction from that source's country values
(``publication/aggregate_comparison``; engine/publication/comparison.py,
sql/aggregate_comparison.sql; the table of differences is docs/aggregate_comparison.md).
"""

import dagster as dg
import polars as pl

from assets.publication.inputs import GROUP, config_of
from assets.resources import PipelineResource
from assets.tables import MaybeStaging, Staging, table_asset
from engine.publication.comparison import comparison_summary, comparison_table
from schemas.resources.publication import AGGREGATE_COMPARISON


@table_asset(
    key_prefix=GROUP,
    group_name=GROUP,
    kinds={"duckdb", "sql", "parquet"},
)
def aggregate_comparison(
    pipeline: PipelineResource,
    published_sdg: MaybeStaging,
    countries: Staging,
    income_groups: Staging,
    population: Staging,
    m49_groups: MaybeStaging,
) -> dg.Output[pl.DataFrame]:
    """Every published aggregate against its reproduction from the same source."""
    table = AGGREGATE_COMPARISON.empty()
    if published_sdg is not None:
        with pipeline.duckdb().connect() as con:
            table = comparison_table(
                published_sdg, countries, income_groups, population, m49_groups, config_of(pipeline), con=con
            )
    return dg.Output(table, metadata={"summary": dg.MetadataValue.json(comparison_summary(table))})
