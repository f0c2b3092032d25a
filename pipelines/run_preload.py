"""What every worker process of the main command imports once, before its first run
(``pipelines.run_processes``): the Definitions, the libraries the steps import when they first
need them (Great Expectations, openpyxl, pyreadstat), and Dagster's instance, storage and
execution modules, loaded by running an empty job on an in-memory instance. Workers start while
the main command syncs the partitions, so this is done before the first run is handed out, once
per worker instead of once per run.
"""

from __future__ import annotations

import dagster as dg
import great_expectations  # noqa: F401 - the quality suites (engine/publication/quality.py)
import great_expectations.expectations  # noqa: F401
import openpyxl  # noqa: F401 - SSI workbooks (engine/ssi.py)
import pyreadstat  # noqa: F401 - Stata and SPSS surveys (engine/readers.py)

from pipelines.definitions import defs  # noqa: F401


@dg.op
def _nothing() -> None:
    return None


@dg.job
def _empty_job() -> None:
    _nothing()


def _load_dagster_execution() -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        _empty_job.execute_in_process(
            instance=instance, run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
        )


_load_dagster_execution()
