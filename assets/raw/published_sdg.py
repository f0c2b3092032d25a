"""Raw layer, previously published values: the UN SDG Global Database extracts of
``reference/unsdg_<vintage>/`` (DDF datapoint files), every file as read (text), one table."""


import hashlib

import dagster as dg

from assets.source_steps import source_step
from engine.publication.published_sdg import datapoint_files, extract_folders, read_extracts
from engine.store import sha256_file
from pipelines.resources import PipelineResource

RAW_PUBLISHED_SDG = dg.AssetKey(["raw", "published_sdg"])


@dg.asset(
    key=RAW_PUBLISHED_SDG,
    group_name="raw",
    kinds={"csv", "parquet"},
    description="UN SDG Global Database extracts (reference/unsdg_<vintage>/ddf--datapoints--*.csv) as read: every "
    "column as text, the measure column renamed value, with vintage, series, file and row number.",
)
def raw_published_sdg(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    store = pipeline.store()
    with source_step(context, store, "reference", "published_sdg", "raw/published_sdg", stale=(("raw", "published_sdg"), ("staging", "published_sdg"))):
        frame = read_extracts(pipeline.input_path)
    files = datapoint_files(pipeline.input_path)
    digest = hashlib.sha256("".join(sha256_file(f) for f in files).encode()).hexdigest()
    written = store.write(frame, "raw", "published_sdg")
    return dg.MaterializeResult(
        metadata={
            "vintages": [v for v, _ in extract_folders(pipeline.input_path)],
            "files": len(files),
            "rows_read": frame.height,
            "path": dg.MetadataValue.path(str(written.path)),
        },
        data_version=dg.DataVersion(digest if files else "absent"),
    )
