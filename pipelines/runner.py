"""Run the whole pipeline on an input directory, the way the main command does.

1. Register every survey and SSI return found in the input directory as a partition (and drop
   partitions whose files are gone).
2. Run ``context_job``, then ``survey_job`` for each survey and ``ssi_job`` for each return
   (a broken source fails its own run only), then ``publication_job``.
3. Return what happened, for the summary.

Runs are recorded in the Dagster instance at ``DAGSTER_HOME``, so the UI shows them afterwards.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import dagster as dg

from engine.sources import discover_ssi, discover_surveys
from pipelines import job_handles
from pipelines.jobs import CONTEXT_JOB, PUBLICATION_JOB, SSI_JOB, SURVEY_JOB
from pipelines.partitions import SSI_RETURNS, SURVEYS

# In-process execution (fast for many small partition runs); Dagster's console log is kept quiet
# because the runner prints one progress line per run and the summary names every failure. The
# full event log of every run is in the Dagster instance (the UI).
IN_PROCESS = {
    "execution": {"config": {"in_process": {}}},
    "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
}


@dataclass
class RunOutcome:
    job: str
    partition: str | None
    run_id: str
    success: bool
    seconds: float
    failed_steps: list[str] = field(default_factory=list)
    check_failures: list[dict] = field(default_factory=list)


def sync_partitions(instance: dg.DagsterInstance, input_dir: Path) -> tuple[list[str], list[str]]:
    """Make the dynamic partitions match the input directory; return (surveys, returns)."""
    wanted = {SURVEYS.name: sorted(discover_surveys(input_dir)), SSI_RETURNS.name: sorted(discover_ssi(input_dir))}
    for name, keys in wanted.items():
        have = set(instance.get_dynamic_partitions(name))
        new = [k for k in keys if k not in have]
        if new:
            instance.add_dynamic_partitions(name, new)
        for gone in sorted(have - set(keys)):
            instance.delete_dynamic_partition(name, gone)
    return wanted[SURVEYS.name], wanted[SSI_RETURNS.name]


def _outcome(job: str, partition: str | None, result: dg.ExecuteJobResult, seconds: float) -> RunOutcome:
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    checks = []
    for ev in result.get_asset_check_evaluations():
        if not ev.passed:
            checks.append(
                {
                    "asset": ev.asset_key.to_user_string(),
                    "partition": partition,
                    "check": ev.check_name,
                    "severity": ev.severity.value if ev.severity else "ERROR",
                    "metadata": {k: getattr(v, "value", v) for k, v in (ev.metadata or {}).items()},
                }
            )
    return RunOutcome(job, partition, result.run_id, result.success, seconds, failed, checks)


def execute(instance: dg.DagsterInstance, job: str, partition: str | None = None) -> RunOutcome:
    """Execute one job (one partition) in process, recorded in ``instance``."""
    tags = {"dagster/partition": partition} if partition else {}
    started = time.perf_counter()
    with dg.execute_job(
        dg.reconstructable(job_handles.HANDLES[job]),
        instance=instance,
        run_config=IN_PROCESS,
        tags={**tags, "sp/launched_by": "sp-pipeline run"},
        raise_on_error=False,
    ) as result:
        return _outcome(job, partition, result, time.perf_counter() - started)


def run_all(instance: dg.DagsterInstance, input_dir: Path, progress: Callable[[str], None] = print) -> list[RunOutcome]:
    """The main command's work; see the module docstring."""
    surveys, returns = sync_partitions(instance, input_dir)
    plan = [(CONTEXT_JOB, None)] + [(SURVEY_JOB, s) for s in surveys] + [(SSI_JOB, r) for r in returns]
    if PUBLICATION_JOB in job_handles.HANDLES and job_handles.has_job(PUBLICATION_JOB):
        plan.append((PUBLICATION_JOB, None))
    outcomes = []
    for i, (job, partition) in enumerate(plan, start=1):
        label = job + (f"[{partition}]" if partition else "")
        outcome = execute(instance, job, partition)
        status = "ok" if outcome.success else "FAILED"
        progress(f"[{i}/{len(plan)}] {label}: {status} in {outcome.seconds:.1f}s")
        outcomes.append(outcome)
    return outcomes
