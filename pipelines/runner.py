"""Run the whole pipeline on an input directory, the way the main command does.

1. Register every survey and SSI return found in the input directory as a partition (and drop
   partitions whose files are gone, with their outputs and records).
2. Decide which runs can be skipped (``pipelines.run_state``): a run whose source files, shared
   inputs, method configuration, code and settings are those of its last run, which succeeded,
   and whose outputs are as that run left them; the publication only when every other run is
   skipped. Each decision is printed with its reason.
3. Run ``context_job``, ``ssi_job`` for each return and ``survey_job`` for each survey (after the
   context tables, which the survey estimates read), then ``publication_job``, each unless
   skipped: one Dagster run per partition, ``workers`` at once, each in a worker process under a
   memory limit and, for a source partition, a time limit (``pipelines.run_processes``). A broken
   source fails its own run only; a run stopped at a limit is marked failed in the instance, and
   its source is left out with the reason, as when one of its steps fails.
4. Record what ran (``<output>/.sp_run_state.json``) and return what happened, for the summary.

Runs are recorded in the Dagster instance (its ``InstanceRef`` is handed to every run), so the
UI shows them, their partitions, materialisations and checks afterwards.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from assets.partitions import SSI_RETURNS, SURVEYS
from assets.resources import PipelineResource
from assets.source_steps import PARTITIONED_TABLES, clear_outputs, forget_removed_sources, write_failure_record
from engine.sources import Source, discover_ssi, discover_surveys, relative
from engine.store import ParquetStore
from pipelines import job_handles, run_state, settings
from pipelines.jobs import CONTEXT_JOB, PUBLICATION_JOB, SSI_JOB, SURVEY_JOB
from pipelines.run_processes import POOL, Failed, Finished, Limits, Stopped, Task, run_tasks
from pipelines.sqlite_writes import sqlite_kept_open

# In-process execution (fast for many small partition runs); Dagster's console log is kept quiet
# because the runner prints one progress line per run and the summary names every failure. The
# full event log of every run is in the Dagster instance (the UI).
IN_PROCESS = {
    "execution": {"config": {"in_process": {}}},
    "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
}
# Source kind of each partitioned job (the ``failures/<kind>/`` folder of its sources).
SOURCE_KIND = {SURVEY_JOB: "survey", SSI_JOB: "ssi"}
# Run tag naming the process a run was started in, so that the runner finds the run of a process
# it had to stop.
LAUNCH_TAG = "sp/launch"
# Run tags shown in the UI: the fingerprint of what the run started from, and why it ran.
INPUTS_TAG = "sp/inputs"
REASON_TAG = "sp/reason"
# A run still going this long after the last progress line about it gets another one.
HEARTBEAT_SECONDS = 15.0


@dataclass
class RunOutcome:
    """What one Dagster run of the main command did (or, ``skipped``, which earlier run stands for it)."""

    job: str
    partition: str | None
    run_id: str
    success: bool
    seconds: float
    failed_steps: list[str] = field(default_factory=list)
    check_failures: list[dict] = field(default_factory=list)
    cpu_seconds: float | None = None  # of the run's process, when it ran in one of its own
    peak_memory_bytes: int | None = None
    skipped: bool = False  # not run: ``run_id`` is the earlier run whose outputs it keeps
    reason: str = ""  # why it ran, or why it was skipped (``pipelines.run_state``)


def sync_partitions(
    instance: dg.DagsterInstance, pipeline: PipelineResource
) -> tuple[dict[str, Source], dict[str, Source], list[str]]:
    """Make the dynamic partitions match the input directory, and delete the outputs and
    records of sources no longer there, so that the publication leaves them out; return
    (surveys, returns, removed as ``kind:id``), surveys and returns by id, sorted.
    """
    store, input_dir = pipeline.store(), pipeline.input_path
    found = {
        SURVEYS.name: dict(sorted(discover_surveys(input_dir).items())),
        SSI_RETURNS.name: dict(sorted(discover_ssi(input_dir).items())),
    }
    removed = []
    for kind, name in (("survey", SURVEYS.name), ("ssi", SSI_RETURNS.name)):
        keys = list(found[name])
        have = set(instance.get_dynamic_partitions(name))
        new = [k for k in keys if k not in have]
        if new:
            instance.add_dynamic_partitions(name, new)
        for gone in sorted(have - set(keys)):
            instance.delete_dynamic_partition(name, gone)
        removed += [f"{kind}:{k}" for k in forget_removed_sources(store, kind, set(keys), have)]
    return found[SURVEYS.name], found[SSI_RETURNS.name], removed


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


def execute(
    instance: dg.DagsterInstance,
    job: str,
    partition: str | None = None,
    tags: dict[str, str] | None = None,
    *,
    pipeline: PipelineResource,
) -> RunOutcome:
    """Execute one job (one partition) in this process, recorded in ``instance``, with the
    settings ``pipeline`` (given as the run's configuration, shown with the run in the UI).
    """
    tags = {**({"dagster/partition": partition} if partition else {}), **(tags or {})}
    started = time.perf_counter()
    with dg.execute_job(
        dg.reconstructable(job_handles.HANDLES[job]),
        instance=instance,
        run_config={**IN_PROCESS, **pipeline.run_config()},
        tags={**tags, "sp/launched_by": "sp-pipeline run"},
        raise_on_error=False,
    ) as result:
        return _outcome(job, partition, result, time.perf_counter() - started)


def _execute_in_process_of_its_own(
    ref: dg.InstanceRef, fields: dict, job: str, partition: str | None, launch: str, tags: dict[str, str]
) -> RunOutcome:
    """Run-process entry (``run_processes``): open the instance and run one job with the settings
    ``fields`` (``PipelineResource.fields``).
    """
    with sqlite_kept_open(), dg.DagsterInstance.from_ref(ref) as instance:
        return execute(instance, job, partition, tags={**tags, LAUNCH_TAG: launch}, pipeline=PipelineResource(**fields))


def run_all(
    instance: dg.DagsterInstance,
    pipeline: PipelineResource,
    progress: Callable[[str], None] = print,
    workers: int = 1,
    limits: Limits | None = None,
) -> list[RunOutcome]:
    """The main command's work on the settings ``pipeline`` (input and output folders, DuckDB
    limits, editions: every run gets them as its run configuration); see the module docstring.
    ``workers``: runs at once; ``limits``:
    of each run's process (default ``SP_RUN_MEMORY_LIMIT`` / ``SP_RUN_TIME_LIMIT``, see
    ``pipelines.settings``). ``instance`` must be persistent (the run processes open it).
    """
    if instance.is_ephemeral:
        raise ValueError("run_all needs a persistent Dagster instance (DAGSTER_HOME, or dagster.instance_for_test)")
    surveys, returns, removed = sync_partitions(instance, pipeline)
    for source in removed:
        progress(f"{source}: no longer in the input directory, its outputs and records removed")
    plan = run_state.plan(instance, pipeline, surveys, returns, (CONTEXT_JOB, SSI_JOB, SURVEY_JOB, PUBLICATION_JOB))
    limits = limits or Limits(settings.run_memory_limit(workers), settings.run_time_limit())
    tasks = _tasks(plan, instance.get_ref(), pipeline, limits)
    POOL.warm_up(min(workers, len(tasks)))  # the workers import the project while the skipped runs are reported
    began = time.monotonic()
    started: dict[tuple, float] = {}
    outcomes: list[RunOutcome] = []
    total = len(plan.units)

    def label(key: tuple) -> str:
        return run_state.Unit(key[0], key[1], "").label

    for outcome in _skipped(plan):
        outcomes.append(outcome)
        progress(
            f"[{time.monotonic() - began:6.1f}s] {label((outcome.job, outcome.partition))}: skipped, {outcome.reason}"
        )
    if outcomes:
        progress(f"{len(outcomes)} of {total} runs skipped, {len(tasks)} to run")
    elif not plan.state:
        progress(f"No earlier run recorded in {pipeline.output_path}: all {total} runs run")

    def on_start(task: Task, pid: int) -> None:
        started[task.key] = time.monotonic()
        why = f"{plan.decisions[label(task.key)].reason}; " if plan.state else ""
        progress(
            f"[{time.monotonic() - began:6.1f}s] {label(task.key)}: started ({why}{total - len(outcomes)} runs left)"
        )

    def on_done(task: Task, result: object) -> None:
        seconds = time.monotonic() - started[task.key]
        if isinstance(result, Finished):
            outcome = dataclasses.replace(
                result.value,
                seconds=seconds,
                cpu_seconds=result.cpu_seconds,
                peak_memory_bytes=result.peak_memory_bytes,
            )
        else:
            outcome = _lost_run(instance, pipeline, task, result, seconds)
        outcome.reason = plan.decisions[label(task.key)].reason
        outcomes.append(outcome)
        status = "ok" if outcome.success else "FAILED"
        reason = "" if isinstance(result, Finished) else f": {outcome.failed_steps[0]}"
        progress(
            f"[{time.monotonic() - began:6.1f}s] {label(task.key)}: {status} in {seconds:.1f}s{reason} "
            f"({len(outcomes)}/{total} done, {total - len(outcomes)} left)"
        )

    heartbeat = _Heartbeat(instance, progress, began, started)
    run_tasks(tasks, workers=workers, limits=limits, on_start=on_start, on_done=on_done, on_wait=heartbeat)
    by_label = {label((o.job, o.partition)): o for o in outcomes}
    run_state.record(
        pipeline.store(),
        plan,
        {k: {"run_id": o.run_id, "success": o.success, "checks": o.check_failures} for k, o in by_label.items()},
    )
    return [by_label[u.label] for u in plan.units]


class _Heartbeat:
    """A progress line for each run still going ``HEARTBEAT_SECONDS`` after the last line about
    it: how long it has run, its steps done out of all, and the steps running (from the run's
    events in the instance), so that a long run (the publication) is never silent.
    """

    def __init__(
        self,
        instance: dg.DagsterInstance,
        progress: Callable[[str], None],
        began: float,
        started: dict[tuple, float],
    ):
        self.instance, self.progress, self.began, self.started = instance, progress, began, started
        self.last: dict[tuple, float] = {}
        self.runs: dict[tuple, dg.DagsterRun] = {}

    def __call__(self, running: list[Task]) -> None:
        now = time.monotonic()
        for task in running:
            if (
                task.key not in self.started
                or now - self.last.get(task.key, self.started[task.key]) < HEARTBEAT_SECONDS
            ):
                continue
            self.last[task.key] = now
            self.progress(
                f"[{now - self.began:6.1f}s] {run_state.Unit(task.key[0], task.key[1], '').label}: "
                f"running for {now - self.started[task.key]:.0f}s{self._steps(task)}"
            )

    def _steps(self, task: Task) -> str:
        """``, k of n steps done, running <steps>`` (empty until the run is recorded)."""
        run = self.runs.get(task.key)
        if run is None:
            found = self.instance.get_runs(filters=dg.RunsFilter(tags={LAUNCH_TAG: task.args[4]}), limit=1)
            if not found:
                return ""
            run = self.runs[task.key] = found[0]
        types = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE}
        begun, ended = [], set()
        for event in self.instance.all_logs(run.run_id, of_type=types):
            if event.dagster_event_type == dg.DagsterEventType.STEP_START:
                begun.append(event.step_key)
            else:
                ended.add(event.step_key)
        plan = self.instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
        total = len(plan.step_keys_to_execute) if plan else len(begun)
        now = [k.replace("__", "/") for k in begun if k not in ended]
        return f", {len(ended)} of {total} steps done" + (f", running {', '.join(now)}" if now else "")


def _tasks(plan: run_state.Plan, ref: dg.InstanceRef, pipeline: PipelineResource, limits: Limits) -> list[Task]:
    """The runs of ``plan`` not skipped, as tasks: surveys after the context run when it runs,
    the publication after every other run.
    """
    whole = limits.without_time_limit()  # context and publication: their time grows with the countries, not with a file
    context = (CONTEXT_JOB, None)
    tasks: list[Task] = []
    for unit in plan.units:
        decision = plan.decisions[unit.label]
        if decision.skip:
            continue
        if unit.kind == "survey" and context in {t.key for t in tasks}:
            after = frozenset({context})  # survey estimates read context tables
        elif unit.kind == "publication":
            after = frozenset(t.key for t in tasks)
        else:
            after = frozenset()  # SSI returns do not read context tables, and start beside the context run
        tags = {INPUTS_TAG: run_state.short(plan.current[unit.label]), REASON_TAG: decision.reason}
        args = (ref, pipeline.fields(), unit.job, unit.partition, uuid.uuid4().hex, tags)
        tasks.append(
            Task(
                (unit.job, unit.partition),
                _execute_in_process_of_its_own,
                args,
                after,
                whole if unit.partition is None else None,
            )
        )
    return tasks


def _skipped(plan: run_state.Plan) -> list[RunOutcome]:
    """The outcomes of the skipped runs: the earlier run whose outputs each keeps, its failed checks."""
    return [
        RunOutcome(u.job, u.partition, d.run_id, True, 0.0, [], d.checks, skipped=True, reason=d.reason)
        for u in plan.units
        if (d := plan.decisions[u.label]).skip
    ]


def _lost_run(
    instance: dg.DagsterInstance, pipeline: PipelineResource, task: Task, result: Stopped | Failed, seconds: float
) -> RunOutcome:
    """A run whose process was stopped at a limit, died, or failed outside Dagster: mark its
    Dagster run failed with the reason, and for a source partition do what a failing source step
    does (remove the source's outputs, record why it was left out).
    """
    _, _, job, partition, launch, _ = task.args
    message = result.message if isinstance(result, Stopped) else f"failed outside its steps: {result.error}"
    runs = instance.get_runs(filters=dg.RunsFilter(tags={LAUNCH_TAG: launch}), limit=1)
    run = runs[0] if runs else None
    step = _unfinished_step(instance, run.run_id) if run else None
    if run is not None and not run.is_finished:
        instance.report_run_failed(run, f"{step or 'run'}: {message}")
    run_id = run.run_id if run else launch
    if isinstance(result, Stopped):
        shutil.rmtree(pipeline.duckdb_spill_directory(result.pid), ignore_errors=True)
    kind = SOURCE_KIND.get(job)
    if kind is not None:
        store = pipeline.store()
        clear_outputs(store, kind, partition)
        _remove_temporary_files(store, kind, partition)
        write_failure_record(
            store,
            kind,
            partition,
            step=step or job,
            message=message,
            run_id=run_id,
            file=_source_file(kind, partition, pipeline.input_path),
            rule=result.reason if isinstance(result, Stopped) else "run_process",
        )
    peak = result.peak_memory_bytes if isinstance(result, Stopped) else None
    return RunOutcome(job, partition, run_id, False, seconds, [f"{step or job}: {message}"], peak_memory_bytes=peak)


def _unfinished_step(instance: dg.DagsterInstance, run_id: str) -> str | None:
    """The asset step a run had started and not finished (``layer/table``), if any."""
    types = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE}
    open_steps: list[str] = []
    for event in instance.all_logs(run_id, of_type=types):
        key = event.step_key
        if event.dagster_event_type == dg.DagsterEventType.STEP_START:
            open_steps.append(key)
        elif key in open_steps:
            open_steps.remove(key)
    return open_steps[-1].replace("__", "/") if open_steps else None


def _source_file(kind: str, source_id: str, input_dir: Path) -> str | None:
    sources = discover_surveys(input_dir) if kind == "survey" else discover_ssi(input_dir)
    return relative(sources[source_id].path, input_dir) if source_id in sources else None


def _remove_temporary_files(store: ParquetStore, kind: str, source_id: str) -> None:
    """Temporary files and folders a killed process left beside the source's partitions (the
    store writes ``.<partition>....tmp`` and renames it into place).
    """
    for layer, table in PARTITIONED_TABLES[kind]:
        for path in (store.root / layer / table).glob(f".{source_id}.*.tmp"):
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
