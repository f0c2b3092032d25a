"""Raw layer, published country series: every published source of the input directory (UN SDG
extracts ``reference/unsdg_<vintage>/``, files of ``published/``) as read, every column as text,
one table (engine/publication/published_sdg.py). A source that cannot be read is left out with
its failure record (file, rule); the others are read.
"""

import hashlib

import dagster as dg
import polars as pl

from assets.resources import PipelineResource
from assets.source_steps import forget_removed_sources, record_failure
from assets.tables import asset_key
from engine.errors import SourceError
from engine.publication.published_sdg import EMPTY_RAW, SOURCE_KIND, published_sources, read_source
from engine.store import FAILURE_RECORDS, SOURCE_RECORDS, sha256_file
from schemas.registry import RAW


@dg.asset(
    key=asset_key(RAW.published_sdg),
    group_name=RAW.published_sdg.layer,
    kinds={"csv", "parquet"},
    description=RAW.published_sdg.description,
)
def raw_published_sdg(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.Output[pl.DataFrame]:
    """The published UN SDG extracts as read."""
    store = pipeline.store()
    sources = published_sources(pipeline.input_path)
    forget_removed_sources(store, SOURCE_KIND, {s.source_id for s in sources})
    frames, left_out = [], []
    for source in sources:
        try:
            frames.append(read_source(pipeline.input_path, source))
        except SourceError as err:
            record_failure(context, store, SOURCE_KIND, source.source_id, RAW.published_sdg.name, err)
            store.remove_record(SOURCE_RECORDS, SOURCE_KIND, source.source_id)
            left_out.append(source.source_id)
        else:
            store.remove_record(FAILURE_RECORDS, SOURCE_KIND, source.source_id)
    frame = pl.concat(frames, how="diagonal_relaxed") if frames else EMPTY_RAW
    files = [f for s in sources for f in s.files]
    digest = hashlib.sha256("".join(sha256_file(f) for f in files).encode()).hexdigest()
    return dg.Output(
        frame,
        metadata={
            "sources": [s.source_id for s in sources if s.source_id not in left_out],
            "left_out": left_out,
            "files": len(files),
            "rows_read": frame.height,
        },
        data_version=dg.DataVersion(digest if files else "absent"),
    )
