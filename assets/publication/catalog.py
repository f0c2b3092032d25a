"""Publication layer, the DuckDB catalog: ``publication/catalog.duckdb``, one view per Parquet
table of the output directory and one over each SDMX-CSV file (``publication.sdg_sdmx``, its
breakdowns file and ``publication.groups_sdmx``: numbers typed, codes as text)
(engine/publication/catalog.py). Written by this one asset, in
the Dagster pool ``duckdb_catalog`` (limit 1 in deploy/dagster.yaml), to a temporary file then
renamed: never two writers, never a half-built file.
"""

from pathlib import Path

import dagster as dg

from assets.publication.exports import BREAKDOWNS_FILE, SDMX_FILE
from assets.publication.groups import INPUTS as GROUP_INDICATOR_KEYS
from assets.publication.groups import SDMX_FILE as GROUPS_SDMX_FILE
from assets.publication.inputs import GROUP, INDICATOR_KEYS, config_of, key
from assets.resources import PipelineResource
from engine.publication.catalog import build_catalog
from engine.publication.sdmx import NUMERIC

CATALOG_FILE = "catalog.duckdb"
CSV_TYPES = {
    Path(name).stem: dict.fromkeys(NUMERIC, "DOUBLE") for name in (SDMX_FILE, BREAKDOWNS_FILE, GROUPS_SDMX_FILE)
}
PARQUET_ASSETS = (
    "country_values",
    "country_lineup",
    "aggregates",
    "headline",
    "annex",
    "gender_gaps",
    "nationality_gaps",
    "revisions",
    "validation_results",
    "sources",
    "quarantine",
    "aggregate_comparison",
    "informality_gaps",
    "benefit_level_gaps",
)


@dg.asset(
    key=key("catalog"),
    deps=[
        *(key(t) for t in PARQUET_ASSETS),
        key("sdg_sdmx"),
        key("groups_sdmx"),
        *INDICATOR_KEYS,
        *GROUP_INDICATOR_KEYS,
        dg.AssetKey(["indicators", "not_computable"]),
        dg.AssetKey(["indicators", "revisions_unmasked"]),
        dg.AssetKey(["staging", "published_sdg"]),
    ],
    group_name=GROUP,
    kinds={"duckdb"},
    pool="duckdb_catalog",
    description="DuckDB catalog (publication/catalog.duckdb): a view <layer>.<table> over every Parquet table of the "
    "configured layers and over the SDMX-CSV file (publication.sdg_sdmx), and main.catalog_tables listing them.",
)
def catalog(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    store = pipeline.store()
    target = store.root / "publication" / CATALOG_FILE
    views = build_catalog(store.root, target, config_of(pipeline).catalog_layers, CSV_TYPES)
    return dg.MaterializeResult(
        metadata={
            "views": len(views),
            "view_names": dg.MetadataValue.md(
                "\n".join(f"- `{v.name}` ({v.files} file{'s' if v.files > 1 else ''})" for v in views) or "_none_"
            ),
            "path": dg.MetadataValue.path(str(target)),
        }
    )
