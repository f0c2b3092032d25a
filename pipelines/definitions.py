"""The one Dagster ``Definitions`` object of the project.

Load it in the UI with ``sp-pipeline ui`` (or ``dagster dev -m pipelines.definitions``).
"""

from __future__ import annotations

import dagster as dg

from assets.finite_checks import FINITE_CHECKS
from assets.indicators.admin import ADMIN_ASSETS
from assets.indicators.groups import GROUP_INDICATOR_ASSETS
from assets.indicators.publication_tables import INDICATOR_TABLE_ASSETS
from assets.indicators.surveys import SURVEY_INDICATOR_ASSETS
from assets.indicators.uhc import UHC_ASSETS
from assets.publication import PUBLICATION_ASSETS, PUBLICATION_CHECKS
from assets.raw.context import RAW_CONTEXT_ASSETS
from assets.raw.input_layout import input_layout
from assets.raw.ssi import ssi_return
from assets.raw.surveys import survey_file
from assets.source_records import SOURCE_RECORD_ASSETS
from assets.staging.context import STAGING_CONTEXT_ASSETS
from assets.staging.published_sdg import PUBLISHED_SDG_ASSETS
from assets.staging.ssi import ssi_tables
from assets.staging.surveys import survey_persons
from pipelines.io_managers import parquet_io_manager
from pipelines.jobs import build_jobs
from pipelines.sensors import build_automation
from pipelines.settings import publication_cron, resource_from_environment

ASSETS = [
    input_layout,
    *RAW_CONTEXT_ASSETS,
    survey_file,
    ssi_return,
    *STAGING_CONTEXT_ASSETS,
    *PUBLISHED_SDG_ASSETS,
    survey_persons,
    ssi_tables,
    *SURVEY_INDICATOR_ASSETS,
    *GROUP_INDICATOR_ASSETS,
    *ADMIN_ASSETS,
    *UHC_ASSETS,
    *INDICATOR_TABLE_ASSETS,
    *SOURCE_RECORD_ASSETS,
    *PUBLICATION_ASSETS,
]

# The settings of a deployment or of the UI; the main command gives every run its own settings
# as run configuration (pipelines/runner.py), which takes precedence.
SETTINGS = resource_from_environment()
JOBS = {job.name: job for job in build_jobs(ASSETS, SETTINGS)}
SENSORS, SCHEDULES = build_automation(JOBS, publication_cron())

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=[*FINITE_CHECKS, *PUBLICATION_CHECKS],
    jobs=list(JOBS.values()),
    sensors=SENSORS,
    schedules=SCHEDULES,
    resources={"pipeline": SETTINGS, "io_manager": parquet_io_manager},
)
