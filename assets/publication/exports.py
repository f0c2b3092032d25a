"""Publication layer, exports: the SDMX-CSV file for SDG data platforms, the report's figures
and the revisions against the previously published UN SDG vintage (published with suppressed
cells masked; the unmasked listing is the internal ``indicators/revisions_unmasked``).
"""

from pathlib import Path

import dagster as dg
import polars as pl

from assets.publication.inputs import GROUP, all_country_rows, config_of, synthetic_sources
from assets.resources import PipelineResource
from assets.tables import (
    MaybeIndicators,
    MaybePublication,
    MaybeStaging,
    Publication,
    Staging,
    output_file,
    table_asset,
    table_multi_asset,
    table_out,
)
from engine.publication.country_values import select_sources
from engine.publication.figures import draw_figures
from engine.publication.report_tables import report_sheets
from engine.publication.revisions import published_revisions, revision_summary, revisions_table
from engine.publication.sdmx import BREAKDOWN_HEADER, HEADER, breakdown_frame, sdmx_frame, write_csv
from engine.publication.workbook import write_workbook
from schemas.resources.publication import REVISIONS, REVISIONS_UNMASKED

SDMX_SUFFIX = ".csv"
BREAKDOWNS_SUFFIX = "_breakdowns.csv"  # the breakdowns the UN layout lacks, beside the SDMX file


@table_asset(
    key_prefix=GROUP,
    group_name=GROUP,
    kinds={"csv"},
)
def sdg_sdmx(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    country_values: Publication,
    aggregates: Publication,
    countries: Staging,
    m49_groups: MaybeStaging,
) -> dg.Output[Path]:
    """The SDMX-CSV file and its breakdowns file."""
    config = config_of(pipeline)
    frame = sdmx_frame(country_values, aggregates, countries, config, m49_groups=m49_groups)
    target = output_file(pipeline.store().root, context.asset_key, SDMX_SUFFIX)
    rows = write_csv(frame, target)
    breakdowns = breakdown_frame(country_values, countries, config)
    extra = output_file(pipeline.store().root, context.asset_key, BREAKDOWNS_SUFFIX)
    write_csv(breakdowns, extra, BREAKDOWN_HEADER)
    status = frame["OBS_STATUS"].value_counts()
    return dg.Output(
        target,
        metadata={
            "observations": rows,
            "breakdown_observations": breakdowns.height,
            "series": sorted(frame["SERIES"].unique().to_list()),
            "obs_status": dg.MetadataValue.json(
                dict(zip(status["OBS_STATUS"].to_list(), status["count"].to_list(), strict=True))
            ),
            "header": ",".join(HEADER),
            "breakdowns_path": dg.MetadataValue.path(str(extra)),
        },
    )


@table_asset(
    key_prefix=GROUP,
    group_name=GROUP,
    kinds={"excel"},
)
def report_tables(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    headline: Publication,
    annex: Publication,
    aggregate_comparison: MaybePublication,
) -> dg.Output[Path]:
    """The Excel workbook of the report tables."""
    sheets = report_sheets(headline, annex, aggregate_comparison, config_of(pipeline))
    target = write_workbook(sheets, output_file(pipeline.store().root, context.asset_key, ".xlsx"))
    return dg.Output(
        target,
        metadata={"sheets": [s.name for s in sheets], "rows": {s.name: s.frame.height for s in sheets}},
    )


@table_asset(
    key_prefix=GROUP,
    group_name=GROUP,
    kinds={"matplotlib", "png", "svg", "pdf"},
)
def figures(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    headline: Publication,
    gender_gaps: Publication,
    nationality_gaps: Publication,
) -> dg.Output[Path]:
    """The report figures (a folder)."""
    config = config_of(pipeline)
    folder = output_file(pipeline.store().root, context.asset_key, "")
    drawn = draw_figures(headline, gender_gaps, nationality_gaps, config, folder)
    for stale in [p for fmt in config.figures.get("formats") or ("png",) for p in folder.glob(f"*.{fmt}")]:
        if stale not in drawn:
            stale.unlink()  # e.g. no nationality gap any more: no figure from an older run
    return dg.Output(folder, metadata={"figures": [p.name for p in drawn]})


@table_multi_asset(
    outs={
        t.table: table_out(
            dg.AssetKey(list(t.key)),
            group_name=GROUP,
            kinds={"polars", "parquet"},
            description=t.description,
        )
        for t in (REVISIONS, REVISIONS_UNMASKED)
    },
    can_subset=False,
)
def revisions(
    pipeline: PipelineResource,
    sdg_1_3_1: MaybeIndicators,
    sdg_3_8_2: MaybeIndicators,
    sdg_3_8_1: MaybeIndicators,
    published_sdg: Staging,
):
    """The revisions listing, published (masked) and internal (unmasked)."""
    config = config_of(pipeline)
    rows = all_country_rows(config, published_sdg, sdg_1_3_1=sdg_1_3_1, sdg_3_8_2=sdg_3_8_2, sdg_3_8_1=sdg_3_8_1)
    unmasked = revisions_table(select_sources(rows, config), published_sdg, config, synthetic_sources(pipeline.store()))
    table = published_revisions(unmasked)
    shown = table.filter(pl.col("old_value").is_not_null() & pl.col("new_value").is_not_null())
    yield dg.Output(
        table,
        output_name=REVISIONS.table,
        metadata={
            "summary": dg.MetadataValue.json(revision_summary(table)),
            "suppressed": table.filter(pl.col("suppressed")).height,
            "largest": dg.MetadataValue.md(
                "| comparison | series | country | year | sex | old | new | reason |\n|---|---|---|---|---|---|---|---|\n"
                + "\n".join(
                    f"| {r['comparison']} {r['old_vintage']} | {r['series']} | {r['ref_area']} | {r['year']} | {r['sex']} | {r['old_value']:.1f} | {r['new_value']:.1f} | {r['reason_code']} |"
                    for r in shown.sort(pl.col("difference_pp").abs(), descending=True).head(10).iter_rows(named=True)
                )
            ),
        },
    )
    yield dg.Output(
        unmasked,
        output_name=REVISIONS_UNMASKED.table,
        metadata={"rows_masked_in_publication": table.filter(pl.col("suppressed")).height},
    )
