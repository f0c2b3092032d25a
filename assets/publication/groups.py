"""Publication layer, groups at risk and adequacy (issue 11): the informal vs formal coverage gap
table, the gender gap in benefit levels table, the figure of the informality gap by sex with
CIs, and the SDMX-CSV extension file (engine/publication/groups.py).
"""

from datetime import date

import dagster as dg
import polars as pl

from assets.publication.inputs import GROUP, config_of, key, read_optional, synthetic_sources
from assets.resources import PipelineResource
from engine.publication.figures import save
from engine.publication.groups import (
    benefit_level_gap_table,
    groups_sdmx_frame,
    informality_gap_chart,
    informality_gap_table,
)
from engine.publication.sdmx import write_csv
from schemas.registry import table

SDMX_FILE = "groups_sdmx.csv"
FIGURE = (
    "figures/groups_at_risk/informality_gap_by_sex.png"  # a folder of its own: the figures asset clears figures/*.png
)
TABLES = {
    name: table(["indicators", name])
    for name in ("groups_at_risk", "groups_at_risk_gaps", "benefit_adequacy", "benefit_adequacy_gaps")
}
INPUTS = [dg.AssetKey(["indicators", t]) for t in TABLES]


def _read(store, table: str) -> pl.DataFrame:
    """An indicator table, or an empty one in its columns where none is written (no survey)."""
    frame = read_optional(store, "indicators", table)
    return frame if frame is not None else TABLES[table].empty()


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key("informality_gaps"),
            deps=INPUTS,
            group_name=GROUP,
            kinds={"polars", "parquet"},
            description="Coverage of informal and formal workers by survey, series and sex with CIs, and informal minus formal with its design-based SE; masked where an estimate is suppressed.",
        ),
        dg.AssetSpec(
            key("benefit_level_gaps"),
            deps=INPUTS,
            group_name=GROUP,
            kinds={"polars", "parquet"},
            description="Women's and men's mean benefit by source and function, women / men with its CI (surveys).",
        ),
        dg.AssetSpec(
            key("groups_figures"),
            deps=INPUTS,
            group_name=GROUP,
            kinds={"matplotlib", "png"},
            description="Coverage gap between informal and formal workers by sex, with 95% CIs (publication/figures/groups_at_risk/).",
        ),
        dg.AssetSpec(
            key("groups_sdmx"),
            deps=[*INPUTS, dg.AssetKey(["staging", "countries"])],
            group_name=GROUP,
            kinds={"csv"},
            description="SDMX-CSV extension file (publication/groups_sdmx.csv): coverage of the groups at risk and benefit levels in the UN SDG file's columns under an extension dataflow.",
        ),
    ],
    can_subset=False,
)
def groups_publication(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    store = pipeline.store()
    method = pipeline.method("groups_at_risk")
    settings = method["publication"]
    groups, groups_gaps, adequacy, adequacy_gaps = (_read(store, t) for t in TABLES)
    synthetic = set(synthetic_sources(store))
    informality = informality_gap_table(groups, groups_gaps, synthetic)
    levels = benefit_level_gap_table(adequacy, adequacy_gaps, synthetic)
    for name, frame in (("informality_gaps", informality), ("benefit_level_gaps", levels)):
        w = store.write(frame, "publication", name)
        yield dg.MaterializeResult(
            asset_key=key(name), metadata={"rows": w.rows, "path": dg.MetadataValue.path(str(w.path))}
        )
    target = store.root / "publication" / FIGURE
    formats = tuple(config_of(pipeline).figures.get("formats") or ("png",))
    chart = informality_gap_chart(
        informality, settings["figure_series"], settings["figure_series_label"], settings["source_note"]
    )
    for stale in (target.with_suffix(f".{fmt}") for fmt in formats):
        stale.unlink(missing_ok=True)  # no figure from an older run where there is no gap to draw
    drawn = save(chart, target, formats) if chart is not None else []
    yield dg.MaterializeResult(
        asset_key=key("groups_figures"),
        metadata={"figures": [p.name for p in drawn], "path": dg.MetadataValue.path(str(target.parent))},
    )
    sdmx = groups_sdmx_frame(
        groups,
        adequacy,
        store.read("staging", "countries"),
        settings["sdmx"],
        (int(method["youth_min_age"]), int(method["youth_max_age"])),
        date.today().isoformat(),
        synthetic,
    )
    rows = write_csv(sdmx, store.root / "publication" / SDMX_FILE)
    yield dg.MaterializeResult(
        asset_key=key("groups_sdmx"),
        metadata={"observations": rows, "series": sorted(sdmx["SERIES"].unique().to_list())},
    )
