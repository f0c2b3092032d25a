"""Publication layer, exports: the SDMX-CSV file for SDG data platforms, the report's figures
and the revisions against the previously published UN SDG vintage (published with suppressed
cells masked; the unmasked listing is the internal ``indicators/revisions_unmasked``).
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
    table_key,
    write_table,
)
from assets.resources import PipelineResource
from engine.publication.country_values import select_sources
from engine.publication.figures import draw_figures
from engine.publication.report_tables import report_sheets
from engine.publication.revisions import published_revisions, revision_summary, revisions_table
from engine.publication.sdmx import BREAKDOWN_HEADER, HEADER, breakdown_frame, sdmx_frame, write_csv
from engine.publication.workbook import write_workbook
from schemas.resources.publication import REVISIONS, REVISIONS_UNMASKED

SDMX_FILE = "sdg_sdmx.csv"
BREAKDOWNS_FILE = "sdg_sdmx_breakdowns.csv"
WORKBOOK_FILE = "report_tables.xlsx"
FIGURES_DIR = "figures"


@dg.asset(
    key=key("sdg_sdmx"),
    deps=[
        key("country_values"),
        key("aggregates"),
        dg.AssetKey(["staging", "countries"]),
        dg.AssetKey(["staging", "m49_groups"]),
    ],
    group_name=GROUP,
    kinds={"csv"},
    description="SDMX-CSV in the layout of the UN SDG harmonised global dataflow (DF_SDG_GLH), UN dimensions and codes only: country "
    "values computed here after disclosure control (REF_AREA = M49) and the aggregates of areas with an M49 code "
    "(publication/sdg_sdmx.csv); the breakdowns the UN layout lacks in a second file with documented codes "
    "(publication/sdg_sdmx_breakdowns.csv).",
)
def sdg_sdmx(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    store = pipeline.store()
    config = config_of(pipeline)
    published, countries = store.read("publication", "country_values"), store.read("staging", "countries")
    frame = sdmx_frame(
        published,
        store.read("publication", "aggregates"),
        countries,
        config,
        m49_groups=read_optional(store, "staging", "m49_groups"),
    )
    target = store.root / "publication" / SDMX_FILE
    rows = write_csv(frame, target)
    breakdowns = breakdown_frame(published, countries, config)
    extra = store.root / "publication" / BREAKDOWNS_FILE
    write_csv(breakdowns, extra, BREAKDOWN_HEADER)
    status = frame["OBS_STATUS"].value_counts()
    return dg.MaterializeResult(
        metadata={
            "observations": rows,
            "breakdown_observations": breakdowns.height,
            "series": sorted(frame["SERIES"].unique().to_list()),
            "obs_status": dg.MetadataValue.json(dict(zip(status["OBS_STATUS"].to_list(), status["count"].to_list()))),
            "header": ",".join(HEADER),
            "path": dg.MetadataValue.path(str(target)),
            "breakdowns_path": dg.MetadataValue.path(str(extra)),
        }
    )


@dg.asset(
    key=key("report_tables"),
    deps=[key("headline"), key("annex"), key("aggregate_comparison")],
    group_name=GROUP,
    kinds={"excel"},
    description="Excel workbook of the headline table, the statistical annex and the aggregate comparison (publication/report_tables.xlsx): "
    "one sheet per table, notes and sources under each table, numbers formatted.",
)
def report_tables(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    store = pipeline.store()
    sheets = report_sheets(
        store.read("publication", "headline"),
        store.read("publication", "annex"),
        read_optional(store, "publication", "aggregate_comparison"),
        config_of(pipeline),
    )
    target = write_workbook(sheets, store.root / "publication" / WORKBOOK_FILE)
    return dg.MaterializeResult(
        metadata={
            "sheets": [s.name for s in sheets],
            "rows": {s.name: s.frame.height for s in sheets},
            "path": dg.MetadataValue.path(str(target)),
        }
    )


@dg.asset(
    key=key("figures"),
    deps=[key("headline"), key("gender_gaps"), key("nationality_gaps")],
    group_name=GROUP,
    kinds={"matplotlib", "png", "svg", "pdf"},
    description="Figures for the report (PNG, SVG and PDF, publication/figures/): coverage by region and sex, the gender gap by "
    "series, the nationality gap where data exist; titles, axis units, source notes naming the synthetic inputs.",
)
def figures(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    store = pipeline.store()
    folder = store.root / "publication" / FIGURES_DIR
    drawn = draw_figures(
        store.read("publication", "headline"),
        store.read("publication", "gender_gaps"),
        store.read("publication", "nationality_gaps"),
        config_of(pipeline),
        folder,
    )
    for stale in [p for fmt in config_of(pipeline).figures.get("formats") or ("png",) for p in folder.glob(f"*.{fmt}")]:
        if stale not in drawn:
            stale.unlink()  # e.g. no nationality gap any more: no figure from an older run
    return dg.MaterializeResult(
        metadata={"figures": [p.name for p in drawn], "path": dg.MetadataValue.path(str(folder))}
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            table_key(t),
            deps=COUNTRY_VALUE_KEYS,
            group_name=GROUP,
            kinds={"polars", "parquet"},
            description=t.description,
        )
        for t in (REVISIONS, REVISIONS_UNMASKED)
    ],
    can_subset=False,
)
def revisions(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    store = pipeline.store()
    config = config_of(pipeline)
    selected = select_sources(all_country_rows(store, config), config)
    previous = store.read("staging", "published_sdg")
    unmasked = revisions_table(selected, previous, config, synthetic_sources(store))
    table = published_revisions(unmasked)
    summary = revision_summary(table)
    shown = table.filter(pl.col("old_value").is_not_null() & pl.col("new_value").is_not_null())
    yield write_table(
        store,
        table,
        REVISIONS,
        summary=dg.MetadataValue.json(summary),
        suppressed=table.filter(pl.col("suppressed")).height,
        largest=dg.MetadataValue.md(
            "| comparison | series | country | year | sex | old | new | reason |\n|---|---|---|---|---|---|---|---|\n"
            + "\n".join(
                f"| {r['comparison']} {r['old_vintage']} | {r['series']} | {r['ref_area']} | {r['year']} | {r['sex']} | {r['old_value']:.1f} | {r['new_value']:.1f} | {r['reason_code']} |"
                for r in shown.sort(pl.col("difference_pp").abs(), descending=True).head(10).iter_rows(named=True)
            )
        ),
    )
    yield write_table(
        store, unmasked, REVISIONS_UNMASKED, rows_masked_in_publication=table.filter(pl.col("suppressed")).height
    )
