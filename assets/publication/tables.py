"""Publication layer, flagship tables: headline, statistical annex, gender and nationality gaps
(engine/publication/annex.py). Published tables: survey cells below the minimum sample size
are suppressed, unreliable ones flagged.
"""

import dagster as dg
import polars as pl

from assets.publication.inputs import GROUP, all_country_rows, config_of, synthetic_sources
from assets.resources import PipelineResource
from assets.tables import (
    MaybeIndicators,
    MaybeStaging,
    Publication,
    Staging,
    table_asset,
    table_multi_asset,
    table_out,
)
from engine.method_config import SDG_1_3_1, SDG_3_8_2
from engine.publication.annex import aggregate_gender_gaps, gap_table, headline_table, statistical_annex
from engine.publication.country_values import select_sources
from schemas.resources.publication import GENDER_GAPS, HEADLINE, NATIONALITY_GAPS


@table_asset(key_prefix=GROUP, group_name=GROUP, kinds={"polars", "parquet"})
def headline(pipeline: PipelineResource, aggregates: Publication, m49_groups: MaybeStaging) -> dg.Output[pl.DataFrame]:
    """The headline table from the aggregates."""
    table = headline_table(aggregates, config_of(pipeline), m49_groups).sort(list(HEADLINE.primary_key))
    latest = table.filter(pl.col("latest"))
    return dg.Output(
        table,
        metadata={
            "latest_year": int(latest["year"].max()) if latest.height else None,
            "low_coverage_rows": table.filter(pl.col("low_coverage")).height,
            "withheld_rows": table.filter(pl.col("value_withheld")).height,
        },
    )


@table_asset(key_prefix=GROUP, group_name=GROUP, kinds={"polars", "parquet"})
def annex(
    pipeline: PipelineResource, country_values: Publication, countries: Staging, income_groups: Staging
) -> dg.Output[pl.DataFrame]:
    """The statistical annex from the country values."""
    table = statistical_annex(country_values, countries, income_groups, config_of(pipeline))
    with_value = (
        table.select(pl.any_horizontal([pl.col(c).is_not_null() for c in table.columns if c.endswith("_value")]))
        .to_series()
        .sum()
    )
    return dg.Output(table, metadata={"countries": table.height, "countries_with_a_value": int(with_value)})


@table_multi_asset(
    outs={
        t.table: table_out(
            dg.AssetKey(list(t.key)), group_name=GROUP, kinds={"polars", "parquet"}, description=t.description
        )
        for t in (GENDER_GAPS, NATIONALITY_GAPS)
    },
    can_subset=False,
)
def gaps(
    pipeline: PipelineResource,
    aggregates: Publication,
    sdg_1_3_1: MaybeIndicators,
    sdg_3_8_2: MaybeIndicators,
    sdg_3_8_1: MaybeIndicators,
    published_sdg: MaybeStaging,
    sdg_1_3_1_gaps: MaybeIndicators,
    sdg_3_8_2_gaps: MaybeIndicators,
):
    """The gender and nationality gap tables."""
    config = config_of(pipeline)
    rows = all_country_rows(config, published_sdg, sdg_1_3_1=sdg_1_3_1, sdg_3_8_2=sdg_3_8_2, sdg_3_8_1=sdg_3_8_1)
    selected = select_sources(rows, config)
    synthetic = synthetic_sources(pipeline.store())
    tables = {"sex": [aggregate_gender_gaps(aggregates, config)], "nationality": []}
    family_gaps = ((SDG_1_3_1, sdg_1_3_1_gaps), (SDG_3_8_2, sdg_3_8_2_gaps))  # family -> its gap table
    for family, frame in family_gaps:
        if frame is None:
            continue
        for gap_type, out in tables.items():
            out.append(
                gap_table(frame, family, selected.filter(pl.col("family") == family), gap_type, config, synthetic)
            )
    for gap_type, target in (("sex", GENDER_GAPS), ("nationality", NATIONALITY_GAPS)):
        # sorted by key: joins do not keep row order, and a re-run must write the same table
        frame = (
            pl.concat(tables[gap_type]).sort(list(target.primary_key), nulls_last=True)
            if tables[gap_type]
            else target.empty()
        )
        yield dg.Output(
            frame,
            output_name=target.table,
            metadata={
                "suppressed": frame.filter(pl.col("suppressed")).height,
                "countries": frame.filter(pl.col("area_kind") == "country")["ref_area"].n_unique(),
            },
        )
