"""Staging layer, previously published values: the UN SDG extracts as one long table
(``vintage, series, m49, ref_area, area_kind, year, sex, breakdown, value, unit, nature,
obs_status``; engine/publication/published_sdg.py), rows that break a rule quarantined.
Regional and other M49 areas are kept, with an empty ``ref_area`` and ``area_kind =
'other_area'``.

``PUBLISHED_SDG_ASSETS`` holds the raw and the staging asset."""


from datetime import datetime, timezone

import dagster as dg
import polars as pl

from assets.raw.published_sdg import RAW_PUBLISHED_SDG, raw_published_sdg
from assets.validation_results import check_specs, quarantine_result, reconcile_result, schema_result
from engine.publication.published_sdg import normalise
from engine.publication.tables import PUBLISHED_SDG
from pipelines.resources import PipelineResource
from schemas.tables import schema_for

STAGING_PUBLISHED_SDG = dg.AssetKey(["staging", "published_sdg"])


@dg.asset(
    key=STAGING_PUBLISHED_SDG,
    deps=[RAW_PUBLISHED_SDG, dg.AssetKey(["staging", "countries"])],
    group_name="staging",
    kinds={"polars", "parquet"},
    check_specs=check_specs(STAGING_PUBLISHED_SDG),
    description=PUBLISHED_SDG.description,
)
def published_sdg(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    store = pipeline.store()
    raw = store.read("raw", "published_sdg")
    kept, quarantine = normalise(raw, store.read("staging", "countries"))
    rows_quarantined = quarantine.select(pl.struct("source_file", "row_number").n_unique()).item() if quarantine.height else 0
    written = store.write(kept, "staging", "published_sdg")
    quarantined = store.write_quarantine(quarantine, "reference", "published_sdg")
    store.write_json(
        "sources", "reference", "published_sdg",
        {
            "source_kind": "reference",
            "source_id": "published_sdg",
            "files": sorted(raw["file"].unique().to_list()) if raw.height else [],
            "vintage": ";".join(sorted(kept["vintage"].unique().to_list())),
            "rows_read": raw.height,
            "rows_kept": kept.height,
            "rows_quarantined": rows_quarantined,
            "run_id": context.run_id,
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        },
    )
    yield dg.MaterializeResult(
        asset_key=STAGING_PUBLISHED_SDG,
        metadata={
            "rows_read": raw.height,
            "rows_kept": kept.height,
            "rows_quarantined": rows_quarantined,
            "countries": kept.filter(pl.col("area_kind") == "country")["ref_area"].n_unique(),
            "other_areas": kept.filter(pl.col("area_kind") == "other_area")["m49"].n_unique(),
            "path": dg.MetadataValue.path(str(written.path)),
            "quarantine_path": dg.MetadataValue.path(str(quarantined.path)),
        },
    )
    yield reconcile_result(STAGING_PUBLISHED_SDG, raw.height, kept.height, rows_quarantined)
    yield schema_result(STAGING_PUBLISHED_SDG, written.path, schema_for(PUBLISHED_SDG.columns, name="published_sdg", unique=list(PUBLISHED_SDG.key)))
    yield quarantine_result(STAGING_PUBLISHED_SDG, quarantine, rows_quarantined)


PUBLISHED_SDG_ASSETS = [raw_published_sdg, published_sdg]
