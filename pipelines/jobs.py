"""Jobs: the work split the way inputs arrive.

* ``context_job``: denominators, UHC tracers and reference tables (small, all at once);
* ``survey_job``: one survey partition, from its raw file to its estimates;
* ``ssi_job``: one SSI return partition, from its workbook to its canonical tables;
* ``publication_job``: the country-level indicators and publication tables, recomputed in one
  vectorised step over every country from whatever partitions exist;
* ``survey_spark_job``: one survey partition's estimation (``indicators/survey_estimates`` and
  its gaps) run on Apache Spark instead of DuckDB: same SQL, transpiled, same Parquet outputs
  (engine/spark.py); for a survey too large for one machine, after ``survey_job`` staged it.

Selections are derived from the assets' partitions and groups, so a new asset lands in the
right job without editing this file.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from assets.partitions import SSI_RETURNS, SURVEYS
from assets.resources import PipelineResource

CONTEXT_JOB = "context_job"
SURVEY_JOB = "survey_job"
SSI_JOB = "ssi_job"
PUBLICATION_JOB = "publication_job"
SURVEY_SPARK_JOB = "survey_spark_job"
SURVEY_ESTIMATES = dg.AssetKey(["indicators", "survey_estimates"])


def _keys(
    assets: Sequence[dg.AssetsDefinition], *, partitions: dg.PartitionsDefinition | None, groups: set[str]
) -> list[dg.AssetKey]:
    keys = []
    for a in assets:
        if a.partitions_def != partitions:
            continue
        for key in a.keys:
            if partitions is not None or a.group_names_by_key[key] in groups:
                keys.append(key)
    return keys


def build_jobs(
    assets: Sequence[dg.AssetsDefinition], settings: PipelineResource
) -> list[dg.UnresolvedAssetJobDefinition]:
    """The four jobs (a job whose selection would be empty is left out), and the Spark job with
    ``settings`` (those bound in the Definitions) and the ``spark`` engine as its configuration: a
    resource configured in a job's config is configured whole, so the job names every field.
    """
    jobs = [
        dg.define_asset_job(
            CONTEXT_JOB,
            selection=dg.AssetSelection.assets(*_keys(assets, partitions=None, groups={"raw", "staging"})),
            tags={"sp/workload": "context"},
            description="Context, UHC and reference tables: raw and staging.",
        ),
        dg.define_asset_job(
            SURVEY_JOB,
            selection=dg.AssetSelection.assets(*_keys(assets, partitions=SURVEYS, groups=set())),
            partitions_def=SURVEYS,
            tags={"sp/workload": "survey"},
            description="One survey: raw file, harmonised persons, survey estimates.",
        ),
        dg.define_asset_job(
            SSI_JOB,
            selection=dg.AssetSelection.assets(*_keys(assets, partitions=SSI_RETURNS, groups=set())),
            partitions_def=SSI_RETURNS,
            tags={"sp/workload": "ssi"},
            description="One SSI return: raw tables and canonical tables.",
        ),
        dg.define_asset_job(
            PUBLICATION_JOB,
            selection=dg.AssetSelection.assets(*_keys(assets, partitions=None, groups={"indicators", "publication"})),
            tags={"sp/workload": "publication"},
            description="Country-level indicators and publication tables over every country.",
        ),
    ]
    estimation = [k for a in assets if SURVEY_ESTIMATES in a.keys for k in a.keys]
    if estimation:
        jobs.append(
            dg.define_asset_job(
                SURVEY_SPARK_JOB,
                selection=dg.AssetSelection.assets(*estimation),
                partitions_def=SURVEYS,
                config=settings.model_copy(update={"survey_engine": "spark"}).run_config(),
                tags={"sp/workload": "survey"},
                description="One survey's estimation on Apache Spark (SP_SPARK_MASTER, default local): the SQL of sql/ transpiled by sqlglot, "
                "the same Parquet outputs as survey_job. Needs the staged persons of the partition (survey_job) and the spark extra.",
            )
        )
    return jobs
