"""The one Dagster ``Definitions`` object of the project.

Load it in the UI with ``sp-pipeline ui`` (or ``dagster dev -m pipelines.definitions``).
"""

from __future__ import annotations

import dagster as dg

from assets.raw.context import RAW_CONTEXT_ASSETS
from assets.raw.ssi import ssi_return
from assets.raw.surveys import survey_file
from assets.staging.context import STAGING_CONTEXT_ASSETS
from assets.staging.ssi import ssi_tables
from assets.staging.surveys import survey_persons
from pipelines.jobs import build_jobs
from pipelines.resources import PipelineResource

ASSETS = [
    *RAW_CONTEXT_ASSETS,
    survey_file,
    ssi_return,
    *STAGING_CONTEXT_ASSETS,
    survey_persons,
    ssi_tables,
]

defs = dg.Definitions(
    assets=ASSETS,
    jobs=build_jobs(ASSETS),
    resources={"pipeline": PipelineResource()},
)
