"""Jobs: the work split the way inputs arrive.

* ``context_job``: denominators, UHC tracers and reference tables (small, all at once);
* ``survey_job``: one survey partition, from its raw file to its estimates;
* ``ssi_job``: one SSI return partition, from its workbook to its canonical tables;
* ``publication_job``: the country-level indicators and publication tables, recomputed in one
  vectorised step over every country from whatever partitions exist.

Selections are derived from the assets' partitions and groups, so a new asset lands in the
right job without editing this file.
"""

from __future__ import annotations

from typing import Sequence

import dagster as dg

from pipelines.partitions import SSI_RETURNS, SURVEYS

CONTEXT_JOB = "context_job"
SURVEY_JOB = "survey_job"
SSI_JOB = "ssi_job"
PUBLICATION_JOB = "publication_job"


def _keys(assets: Sequence[dg.AssetsDefinition], *, partitions: dg.PartitionsDefinition | None, groups: set[str]) -> list[dg.AssetKey]:
    keys = []
    for a in assets:
        if a.partitions_def != partitions:
            continue
        for key in a.keys:
            if partitions is not None or a.group_names_by_key[key] in groups:
                keys.append(key)
    return keys


def build_jobs(assets: Sequence[dg.AssetsDefinition]) -> list[dg.UnresolvedAssetJobDefinition]:
    """The four jobs (a job whose selection would be empty is left out)."""
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
    return jobs
