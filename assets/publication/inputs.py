"""What every publication asset shares: the publication edition, the country rows of the
indicator tables and of the published country series, and the facts read from the source
records (which inputs are synthetic, the WPP vintage).
"""

import polars as pl

from assets.resources import PipelineResource
from engine.method_config import PUBLICATION
from engine.publication.config import PublicationConfig, publication_config
from engine.publication.country_values import country_rows
from engine.publication.labels import synthetic_names
from engine.store import SOURCE_RECORDS, ParquetStore
from schemas.registry import STAGING

GROUP = "publication"


def config_of(pipeline: PipelineResource) -> PublicationConfig:
    """The publication method edition of the run."""
    return publication_config(pipeline.method(PUBLICATION))


def all_country_rows(
    config: PublicationConfig, published_sdg: pl.DataFrame | None, **indicator_tables: pl.DataFrame | None
) -> pl.DataFrame:
    """The country rows of every indicator table written (None: not written) and of the
    published country series.
    """
    written = {name: frame for name, frame in indicator_tables.items() if frame is not None}
    return country_rows(written, config, published_sdg)


def synthetic_sources(store: ParquetStore) -> list[str]:
    """Names of the sources and inputs of this output directory whose source record says they are synthetic."""
    return synthetic_names(store.read_records(SOURCE_RECORDS))


def population_vintage(store: ParquetStore) -> str:
    """The vintage declared for the WPP population table (context/sources.yaml)."""
    for record in store.read_records(SOURCE_RECORDS, "context"):
        if record.get("source_id") == STAGING.population.table:
            return str(record.get("vintage") or "")
    return ""
