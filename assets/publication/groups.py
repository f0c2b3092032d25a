"""Publication layer, groups at risk and adequacy (issue 11): the informal vs formal coverage gap
table, the gender gap in benefit levels table, the figure of the informality gap by sex with
CIs, and the SDMX-CSV extension file (engine/publication/groups.py).
"""

from datetime import date

import dagster as dg
import polars as pl

from assets.publication.inputs import GROUP, config_of, synthetic_sources
from assets.resources import PipelineResource
from assets.tables import MaybeIndicators, Staging, asset_key, output_file, table_multi_asset, table_outs
from engine.method_config import GROUPS_AT_RISK
from engine.publication.figures import save
from engine.publication.groups import (
    benefit_level_gap_table,
    groups_sdmx_frame,
    informality_gap_chart,
    informality_gap_table,
)
from engine.publication.sdmx import write_csv
from schemas.registry import PUBLICATION, table

FIGURE = "figures/groups_at_risk/informality_gap_by_sex"  # a folder of its own: the figures asset clears figures/*.png


def _or_empty(context: dg.AssetExecutionContext, **tables: pl.DataFrame | None) -> list[pl.DataFrame]:
    """The indicator tables (input name -> frame), an empty one in its declared columns where
    none is written (no survey).
    """
    return [
        frame if frame is not None else table(context.asset_key_for_input(name).path).empty()
        for name, frame in tables.items()
    ]


OUTPUTS = (PUBLICATION.informality_gaps, PUBLICATION.benefit_level_gaps)
FIGURES, SDMX = PUBLICATION.groups_figures, PUBLICATION.groups_sdmx


@table_multi_asset(
    outs={
        **table_outs(*OUTPUTS, kinds={"polars"}),
        **table_outs(FIGURES, kinds={"matplotlib", "png"}),
        **table_outs(SDMX),
    },
    can_subset=False,
)
def groups_publication(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    groups_at_risk: MaybeIndicators,
    groups_at_risk_gaps: MaybeIndicators,
    benefit_adequacy: MaybeIndicators,
    benefit_adequacy_gaps: MaybeIndicators,
    countries: Staging,
):
    """The groups-at-risk and adequacy tables, figure and SDMX-CSV extension file."""
    store = pipeline.store()
    method = pipeline.method(GROUPS_AT_RISK)
    settings = method["publication"]
    groups, groups_gaps, adequacy, adequacy_gaps = _or_empty(
        context,
        groups_at_risk=groups_at_risk,
        groups_at_risk_gaps=groups_at_risk_gaps,
        benefit_adequacy=benefit_adequacy,
        benefit_adequacy_gaps=benefit_adequacy_gaps,
    )
    synthetic = set(synthetic_sources(store))
    informality = informality_gap_table(groups, groups_gaps, synthetic)
    levels = benefit_level_gap_table(adequacy, adequacy_gaps, synthetic)
    yield dg.Output(informality, output_name=OUTPUTS[0].table)
    yield dg.Output(levels, output_name=OUTPUTS[1].table)
    target = store.root / GROUP / FIGURE
    formats = tuple(config_of(pipeline).figures.get("formats") or ("png",))
    chart = informality_gap_chart(
        informality, settings["figure_series"], settings["figure_series_label"], settings["source_note"]
    )
    for stale in (target.with_suffix(f".{fmt}") for fmt in formats):
        stale.unlink(missing_ok=True)  # no figure from an older run where there is no gap to draw
    drawn = save(chart, target.with_suffix(".png"), formats) if chart is not None else []
    yield dg.Output(target.parent, output_name=FIGURES.table, metadata={"figures": [p.name for p in drawn]})
    sdmx = groups_sdmx_frame(
        groups,
        adequacy,
        countries,
        settings["sdmx"],
        (int(method["youth_min_age"]), int(method["youth_max_age"])),
        date.today().isoformat(),  # noqa: DTZ011 (the date of the file, as before)
        synthetic,
    )
    path = output_file(store.root, asset_key(SDMX), ".csv")
    rows = write_csv(sdmx, path)
    yield dg.Output(
        path,
        output_name=SDMX.table,
        metadata={"observations": rows, "series": sorted(sdmx["SERIES"].unique().to_list())},
    )
