"""What every publication asset reads and how it writes: the publication edition, the indicator
tables and context tables from the output directory (a table not yet written reads as absent or
empty), the WPP vintage, and :func:`write_table` (declared columns, atomic Parquet write,
standard metadata).
"""

import dagster as dg
import polars as pl

from assets.resources import PipelineResource
from engine.publication.config import PublicationConfig, publication_config
from engine.publication.country_values import country_rows
from engine.publication.labels import synthetic_names
from engine.store import ParquetStore
from schemas.registry import Table

GROUP = "publication"
INDICATOR_TABLES = ("sdg_1_3_1", "sdg_3_8_2", "sdg_3_8_1", "sdg_1_3_1_gaps", "sdg_3_8_2_gaps")
INDICATOR_KEYS = [dg.AssetKey(["indicators", t]) for t in INDICATOR_TABLES]
STAGING_KEYS = [dg.AssetKey(["staging", t]) for t in ("countries", "income_groups", "population", "m49_groups")]
PUBLISHED_KEY = dg.AssetKey(["staging", "published_sdg"])
COUNTRY_VALUE_KEYS = [*INDICATOR_KEYS, PUBLISHED_KEY]  # what all_country_rows reads


def key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["publication", name])


def config_of(pipeline: PipelineResource) -> PublicationConfig:
    return publication_config(pipeline.method("publication"))


def read_optional(store: ParquetStore, layer: str, table: str) -> pl.DataFrame | None:
    return store.read(layer, table) if store.exists(layer, table) else None


def indicator_tables(store: ParquetStore) -> dict[str, pl.DataFrame]:
    """The indicator tables that exist in the output directory (name -> frame)."""
    return {t: frame for t in INDICATOR_TABLES if (frame := read_optional(store, "indicators", t)) is not None}


def all_country_rows(store: ParquetStore, config: PublicationConfig) -> pl.DataFrame:
    """The country rows of every indicator table and of the published country series."""
    return country_rows(indicator_tables(store), config, read_optional(store, "staging", "published_sdg"))


def synthetic_sources(store: ParquetStore) -> list[str]:
    """Names of the sources and inputs of this output directory whose source record says they are synthetic."""
    return synthetic_names(store.read_json_records("sources"))


def population_vintage(store: ParquetStore) -> str:
    """The vintage declared for the WPP population table (context/sources.yaml)."""
    for record in store.read_json_records("sources", "context"):
        if record.get("source_id") == "population":
            return str(record.get("vintage") or "")
    return ""


def table_key(table: Table) -> dg.AssetKey:
    """``<layer>/<table>``, the layer being the folder of the table's path."""
    return dg.AssetKey(list(table.key))


def write_table(store: ParquetStore, frame: pl.DataFrame, table: Table, **metadata) -> dg.MaterializeResult:
    written = store.write_to(table.conform(frame), store.root / table.path())
    return dg.MaterializeResult(
        asset_key=table_key(table),
        metadata={
            "rows": written.rows,
            "path": dg.MetadataValue.path(str(written.path)),
            "sha256": written.sha256,
            **metadata,
        },
    )
