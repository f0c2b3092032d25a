"""Run the whole pipeline on an input directory, the way the main command does.

1. Register every survey and SSI return found in the input directory as a partition (and drop
   partitions whose files are gone, with their outputs and records).
2. Run ``context_job``, then ``survey_job`` for each survey and ``ssi_job`` for each return
   (a broken source fails its own run only), then ``publication_job``.
3. Return what happened, for the summary.

Runs are recorded in the Dagster instance at ``DAGSTER_HOME``, so the UI shows them afterwards.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import dagster as dg

from assets.source_steps import forget_removed_sources
from engine.sources import discover_ssi, discover_surveys
from engine.store import ParquetStore
from pipelines import job_handles, settings
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


def sync_partitions(instance: dg.DagsterInstance, input_dir: Path, output_dir: Path | None = None) -> tuple[list[str], list[str], list[str]]:
    """Make the dynamic partitions match the input directory, and delete the outputs and
    records of sources no longer there (``output_dir``, default ``SP_OUTPUT_DIR``), so that the
    publication leaves them out; return (surveys, returns, removed as ``kind:id``)."""
    store = ParquetStore(output_dir or settings.output_dir())
    wanted = {SURVEYS.name: sorted(discover_surveys(input_dir)), SSI_RETURNS.name: sorted(discover_ssi(input_dir))}
    removed = []
    for kind, name in (("survey", SURVEYS.name), ("ssi", SSI_RETURNS.name)):
        keys = wanted[name]
        have = set(instance.get_dynamic_partitions(name))
        new = [k for k in keys if k not in have]
        if new:
            instance.add_dynamic_partitions(name, new)
        for gone in sorted(have - set(keys)):
            instance.delete_dynamic_partition(name, gone)
        removed += [f"{kind}:{k}" for k in forget_removed_sources(store, kind, set(keys), have)]
    return wanted[SURVEYS.name], wanted[SSI_RETURNS.name], removed


def _outcome(job: str, partition: str | None, result: dg.ExecuteJobResult, seconds: float) -> RunOutcome:
    failed = []
    for e in result.all_events:
        if e.event_type_value == "STEP_FAILURE":
            error = e.event_specific_data.error
            while error.cause is not None and "Error occurred while executing" in error.message:
                error = error.cause  # the user-code error, not Dagster's wrapper
            failed.append(f"{e.step_key}: {error.message.strip().splitlines()[-1][:300]}")
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


def _execute_in_worker(job: str, partition: str | None) -> RunOutcome:
    """Worker-process entry: open the instance from ``DAGSTER_HOME`` and run one partition."""
    with dg.DagsterInstance.get() as instance:
        return execute(instance, job, partition)


def run_all(instance: dg.DagsterInstance, input_dir: Path, progress: Callable[[str], None] = print, workers: int = 1) -> list[RunOutcome]:
    """The main command's work; see the module docstring. With ``workers`` > 1 the survey and
    SSI partitions run in that many processes at once (the instance must then live in
    ``DAGSTER_HOME`` so that the workers can open it)."""
    surveys, returns, removed = sync_partitions(instance, input_dir)
    for source in removed:
        progress(f"{source}: no longer in the input directory, its outputs and records removed")
    partitions = [(SURVEY_JOB, s) for s in surveys] + [(SSI_JOB, r) for r in returns]
    total = len(partitions) + 2
    outcomes: list[RunOutcome] = []

    def report(outcome: RunOutcome) -> None:
        outcomes.append(outcome)
        label = outcome.job + (f"[{outcome.partition}]" if outcome.partition else "")
        progress(f"[{len(outcomes)}/{total}] {label}: {'ok' if outcome.success else 'FAILED'} in {outcome.seconds:.1f}s")

    report(execute(instance, CONTEXT_JOB))
    if workers > 1 and len(partitions) > 1:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(_execute_in_worker, job, partition) for job, partition in partitions]
            for future in as_completed(futures):
                report(future.result())
    else:
        for job, partition in partitions:
            report(execute(instance, job, partition))
    report(execute(instance, PUBLICATION_JOB))
    return outcomes
