"""Publication layer, exports: the SDMX-CSV file for SDG data platforms, the report's figures
and the revisions against the previously published UN SDG vintage (published with suppressed
cells masked; the unmasked listing is the internal ``indicators/revisions_unmasked``)."""

import dagster as dg
import polars as pl

from assets.publication.inputs import GROUP, INDICATOR_KEYS, all_country_rows, config_of, key, table_key, write_table
from engine.publication.country_values import select_sources
from engine.publication.figures import draw_figures
from engine.publication.revisions import published_revisions, revision_summary, revisions_table
from engine.publication.sdmx import HEADER, sdmx_frame, write_csv
from engine.publication.tables import REVISIONS, REVISIONS_UNMASKED
from pipelines.resources import PipelineResource

SDMX_FILE = "sdg_sdmx.csv"
FIGURES_DIR = "figures"


@dg.asset(
    key=key("sdg_sdmx"),
    deps=[key("country_values"), key("aggregates"), dg.AssetKey(["staging", "countries"])],
    group_name=GROUP,
    kinds={"csv"},
    description="SDMX-CSV in the layout of the UN SDG harmonised global dataflow (DF_SDG_GLH): country values after "
    "disclosure control (REF_AREA = M49) and the aggregates of areas with an M49 code (publication/sdg_sdmx.csv).",
)
def sdg_sdmx(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    store = pipeline.store()
    config = config_of(pipeline)
    frame = sdmx_frame(store.read("publication", "country_values"), store.read("publication", "aggregates"), store.read("staging", "countries"), config)
    target = store.root / "publication" / SDMX_FILE
    rows = write_csv(frame, target)
    status = frame["OBS_STATUS"].value_counts()
    return dg.MaterializeResult(
        metadata={
            "observations": rows,
            "series": sorted(frame["SERIES"].unique().to_list()),
            "obs_status": dg.MetadataValue.json(dict(zip(status["OBS_STATUS"].to_list(), status["count"].to_list()))),
            "header": ",".join(HEADER),
            "path": dg.MetadataValue.path(str(target)),
        }
    )


@dg.asset(
    key=key("figures"),
    deps=[key("headline"), key("gender_gaps"), key("nationality_gaps")],
    group_name=GROUP,
    kinds={"matplotlib", "png"},
    description="Figures for the report (PNG, publication/figures/): coverage by region and sex, the gender gap by series, "
    "the nationality gap where data exist; titles, axis units and source notes.",
)
def figures(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    store = pipeline.store()
    folder = store.root / "publication" / FIGURES_DIR
    drawn = draw_figures(
        store.read("publication", "headline"), store.read("publication", "gender_gaps"), store.read("publication", "nationality_gaps"),
        config_of(pipeline), folder,
    )
    for stale in folder.glob("*.png"):
        if stale not in drawn:
            stale.unlink()  # e.g. no nationality gap any more: no figure from an older run
    return dg.MaterializeResult(metadata={"figures": [p.name for p in drawn], "path": dg.MetadataValue.path(str(folder))})


@dg.multi_asset(
    specs=[
        dg.AssetSpec(table_key(t), deps=[*INDICATOR_KEYS, dg.AssetKey(["staging", "published_sdg"])],
                     group_name=GROUP, kinds={"polars", "parquet"}, description=t.description)
        for t in (REVISIONS, REVISIONS_UNMASKED)
    ],
    can_subset=False,
)
def revisions(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    store = pipeline.store()
    config = config_of(pipeline)
    selected = select_sources(all_country_rows(store, config), config)
    previous = store.read("staging", "published_sdg")
    unmasked = revisions_table(selected, previous, config)
    table = published_revisions(unmasked)
    summary = revision_summary(table, selected, previous, config)
    shown = table.filter(pl.col("old_value").is_not_null() & pl.col("new_value").is_not_null())
    yield write_table(
        store, table, REVISIONS,
        summary=dg.MetadataValue.json(summary),
        suppressed=table.filter(pl.col("suppressed")).height,
        largest=dg.MetadataValue.md(
            "| series | country | year | sex | old | new | reason |\n|---|---|---|---|---|---|---|\n" + "\n".join(
                f"| {r['series']} | {r['ref_area']} | {r['year']} | {r['sex']} | {r['old_value']:.1f} | {r['new_value']:.1f} | {r['reason_code']} |"
                for r in shown.sort(pl.col("difference_pp").abs(), descending=True).head(10).iter_rows(named=True)
            )
        ),
    )
    yield write_table(store, unmasked, REVISIONS_UNMASKED, rows_masked_in_publication=table.filter(pl.col("suppressed")).height)
