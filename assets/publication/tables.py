"""Publication layer, flagship tables: headline, statistical annex, gender and nationality gaps
(engine/publication/annex.py). Published tables: survey cells below the minimum sample size
are suppressed, unreliable ones flagged.
"""

import dagster as dg
import polars as pl

from assets.publication.inputs import (
    COUNTRY_VALUE_KEYS,
    GROUP,
    all_country_rows,
    config_of,
    key,
    read_optional,
    synthetic_sources,
    write_table,
)
from assets.resources import PipelineResource
from engine.publication.annex import aggregate_gender_gaps, gap_table, headline_table, statistical_annex
from engine.publication.country_values import select_sources
from schemas.resources.publication import ANNEX, GENDER_GAPS, HEADLINE, NATIONALITY_GAPS

GAP_TABLES = {"sdg_1_3_1": "sdg_1_3_1_gaps", "sdg_3_8_2": "sdg_3_8_2_gaps"}


@dg.asset(
    key=key("headline"),
    deps=[key("aggregates"), dg.AssetKey(["staging", "m49_groups"])],
    group_name=GROUP,
    kinds={"polars", "parquet"},
    description=HEADLINE.description,
)
def headline(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    store = pipeline.store()
    table = headline_table(
        store.read("publication", "aggregates"), config_of(pipeline), read_optional(store, "staging", "m49_groups")
    ).sort(list(HEADLINE.primary_key))
    latest = table.filter(pl.col("latest"))
    return write_table(
        store,
        table,
        HEADLINE,
        latest_year=int(latest["year"].max()) if latest.height else None,
        low_coverage_rows=table.filter(pl.col("low_coverage")).height,
        withheld_rows=table.filter(pl.col("value_withheld")).height,
    )


@dg.asset(
    key=key("annex"),
    deps=[key("country_values"), dg.AssetKey(["staging", "countries"]), dg.AssetKey(["staging", "income_groups"])],
    group_name=GROUP,
    kinds={"polars", "parquet"},
    description=ANNEX.description,
)
def annex(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    store = pipeline.store()
    config = config_of(pipeline)
    table = statistical_annex(
        store.read("publication", "country_values"),
        store.read("staging", "countries"),
        store.read("staging", "income_groups"),
        config,
    )
    with_value = (
        table.select(pl.any_horizontal([pl.col(c).is_not_null() for c in table.columns if c.endswith("_value")]))
        .to_series()
        .sum()
    )
    return write_table(store, table, ANNEX, countries=table.height, countries_with_a_value=int(with_value))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key("gender_gaps"),
            deps=[*COUNTRY_VALUE_KEYS, key("aggregates")],
            group_name=GROUP,
            kinds={"polars", "parquet"},
            description=GENDER_GAPS.description,
        ),
        dg.AssetSpec(
            key("nationality_gaps"),
            deps=COUNTRY_VALUE_KEYS,
            group_name=GROUP,
            kinds={"polars", "parquet"},
            description=NATIONALITY_GAPS.description,
        ),
    ],
    can_subset=False,
)
def gaps(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    store = pipeline.store()
    config = config_of(pipeline)
    selected = select_sources(all_country_rows(store, config), config)
    synthetic = synthetic_sources(store)
    tables = {"sex": [aggregate_gender_gaps(store.read("publication", "aggregates"), config)], "nationality": []}
    for family, table in GAP_TABLES.items():
        frame = read_optional(store, "indicators", table)
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
        yield write_table(
            store,
            frame,
            target,
            suppressed=frame.filter(pl.col("suppressed")).height,
            countries=frame.filter(pl.col("area_kind") == "country")["ref_area"].n_unique(),
        )
