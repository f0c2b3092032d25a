"""Module-level functions returning each job, so that ``dagster.reconstructable`` can rebuild a
job in another process (the multiprocess executor and ``execute_job`` need this).
"""

from __future__ import annotations

import dagster as dg


def _job(name: str) -> dg.JobDefinition:
    from pipelines.definitions import defs

    return defs.resolve_job_def(name)


def context_job() -> dg.JobDefinition:
    """The `context_job` of the Definitions (imported when a run process needs it)."""
    return _job("context_job")


def survey_job() -> dg.JobDefinition:
    """The `survey_job` of the Definitions (imported when a run process needs it)."""
    return _job("survey_job")


def ssi_job() -> dg.JobDefinition:
    """The `ssi_job` of the Definitions (imported when a run process needs it)."""
    return _job("ssi_job")


def publication_job() -> dg.JobDefinition:
    """The `publication_job` of the Definitions (imported when a run process needs it)."""
    return _job("publication_job")


HANDLES = {
    "context_job": context_job,
    "survey_job": survey_job,
    "ssi_job": ssi_job,
    "publication_job": publication_job,
}
