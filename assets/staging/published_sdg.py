"""Staging layer, published country series: every published source as one long table
(``source_id, layout, vintage, series, area_code, m49, ref_area, area_kind, year, sex,
breakdown, value, unit, nature, obs_status, source_detail``; engine/publication/published_sdg.py),
rows that break a rule quarantined. Regional and other areas are kept, with an empty
``ref_area`` and ``area_kind = 'other_area'``. Each source gets its own source record
(``sources/published/<id>.parquet``: files, layout, vintage, origin, licence, synthetic, rows read
/ kept / quarantined) and quarantine file.

``PUBLISHED_SDG_ASSETS`` holds the raw and the staging asset.
"""

from datetime import UTC, datetime

import dagster as dg
import polars as pl

from assets.raw.published_sdg import raw_published_sdg
from assets.resources import PipelineResource
from assets.tables import Staging, table_asset
from assets.validation_results import check_specs, quarantine_result, reconcile_result, schema_result
from engine.method_config import PUBLICATION
from engine.publication.config import publication_config
from engine.publication.published_sdg import SOURCE_KIND, normalise, published_sources
from engine.store import FAILURE_RECORDS, SOURCE_RECORDS
from schemas.resources.publication import PUBLISHED_SDG

STAGING_PUBLISHED_SDG = dg.AssetKey(list(PUBLISHED_SDG.key))


def _count(frame: pl.DataFrame, column: str) -> dict[str, int]:
    if frame.is_empty():
        return {}
    counts = frame.group_by(column).len()
    return dict(zip(counts[column].to_list(), counts["len"].to_list(), strict=True))


@table_asset(
    key=STAGING_PUBLISHED_SDG,
    ins={"raw": dg.AssetIn(key=raw_published_sdg.key)},
    group_name="staging",
    kinds={"polars", "parquet"},
    check_specs=check_specs(STAGING_PUBLISHED_SDG),
)
def published_sdg(context: dg.AssetExecutionContext, pipeline: PipelineResource, raw: pl.DataFrame, countries: Staging):
    """The published UN SDG country series in the canonical layout."""
    store = pipeline.store()
    config = publication_config(pipeline.method(PUBLICATION))
    kept, quarantine = normalise(raw, countries, config.published_inputs)
    quarantined_rows = (
        quarantine.select("source_id", "source_file", "row_number").unique() if quarantine.height else quarantine
    )
    read_by, kept_by, quarantined_by = (
        _count(raw, "source_id"),
        _count(kept, "source_id"),
        _count(quarantined_rows, "source_id"),
    )
    now = datetime.now(UTC).isoformat(timespec="seconds")
    left_out = {
        r["source_id"] for r in store.read_records(FAILURE_RECORDS, SOURCE_KIND)
    }  # by the raw step, which says why
    for source in published_sources(pipeline.input_path):
        if source.source_id in left_out:
            continue
        rows = raw.filter(pl.col("source_id") == source.source_id)
        store.write_quarantine(
            quarantine.filter(pl.col("source_id") == source.source_id), SOURCE_KIND, source.source_id
        )
        store.write_record(
            SOURCE_RECORDS,
            SOURCE_KIND,
            source.source_id,
            {
                "source_kind": SOURCE_KIND,
                "source_id": source.source_id,
                "layout": rows["layout"][0] if rows.height else source.layout,
                "files": sorted(rows["file"].unique().to_list()) if rows.height else [],
                "vintage": source.vintage,
                "origin": source.declared.get("origin"),
                "licence": source.declared.get("licence"),
                "synthetic": bool(source.declared.get("synthetic", False)),
                "rows_read": read_by.get(source.source_id, 0),
                "rows_kept": kept_by.get(source.source_id, 0),
                "rows_quarantined": quarantined_by.get(source.source_id, 0),
                "run_id": context.run_id,
                "at": now,
            },
        )
    yield dg.Output(
        kept,
        metadata={
            "rows_read": raw.height,
            "rows_kept": kept.height,
            "rows_quarantined": quarantined_rows.height,
            "sources": dg.MetadataValue.json(
                {
                    s: {"read": n, "kept": kept_by.get(s, 0), "quarantined": quarantined_by.get(s, 0)}
                    for s, n in read_by.items()
                }
            ),
            "countries": kept.filter(pl.col("area_kind") == "country")["ref_area"].n_unique(),
            "other_areas": kept.filter(pl.col("area_kind") == "other_area")["area_code"].n_unique(),
        },
    )
    yield reconcile_result(STAGING_PUBLISHED_SDG, raw.height, kept.height, quarantined_rows.height)
    yield schema_result(
        STAGING_PUBLISHED_SDG,
        store.table_path(*STAGING_PUBLISHED_SDG.path),  # as written by the IO manager
        PUBLISHED_SDG.pandera(),
    )
    yield quarantine_result(STAGING_PUBLISHED_SDG, quarantine, quarantined_rows.height)


PUBLISHED_SDG_ASSETS = [raw_published_sdg, published_sdg]
