"""Sensors and schedules: pick up new or changed input files, refresh the publication layer.

``input_files_sensor`` fingerprints every survey, SSI return and context file by content
(SHA-256, not modification time). A new survey or return becomes a new partition and gets a run
of its own; a changed one gets a re-run; a removed one loses its partition; a changed context
table re-runs the context job. The cursor holds the fingerprints last seen and an evaluation
counter; on its first evaluation the sensor starts from the fingerprints recorded by the last
pipeline run (output/sources), so switching the sensor on after a full run does not redo
everything. Run keys carry the counter: Dagster drops a run request whose key it has seen
before, so a key made of the fingerprint alone would never re-run a file changed back to an
earlier content (A -> B -> A); a daemon retrying the same tick (same cursor) still gets the
same keys and launches nothing twice.

``publication_sensor`` runs the publication job once the partition and context runs have
settled: when the most recent of those runs to finish is newer than the one it last reacted to
and none is queued or in progress.

``publication_schedule`` refreshes the publication layer on a cron (monthly by default,
``SP_PUBLICATION_CRON``).
"""

from __future__ import annotations

import hashlib
import json
import os

import dagster as dg

from engine.sources import discover_ssi, discover_surveys
from engine.store import ParquetStore, sha256_file
from pipelines import settings
from pipelines.jobs import CONTEXT_JOB, PUBLICATION_JOB, SSI_JOB, SURVEY_JOB
from pipelines.partitions import SSI_RETURNS, SURVEYS

CONTEXT_FOLDERS = ("context", "uhc", "reference")
UPSTREAM_JOBS = (CONTEXT_JOB, SURVEY_JOB, SSI_JOB)
DEFAULT_PUBLICATION_CRON = "0 6 1 * *"  # 06:00 on the first day of every month


def context_fingerprint(input_dir) -> str:
    """One fingerprint for every context, UHC and reference file."""
    h = hashlib.sha256()
    for folder in CONTEXT_FOLDERS:
        base = input_dir / folder
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if path.is_file():
                h.update(str(path.relative_to(input_dir)).encode())
                h.update(sha256_file(path).encode())
    return h.hexdigest()


def current_fingerprints(input_dir) -> dict[str, str]:
    found = {f"survey:{k}": s.fingerprint() for k, s in discover_surveys(input_dir).items()}
    found |= {f"ssi:{k}": s.fingerprint() for k, s in discover_ssi(input_dir).items()}
    found["context"] = context_fingerprint(input_dir)
    return found


def recorded_fingerprints(output_dir) -> dict[str, str]:
    """Fingerprints of the sources the last pipeline run processed (from output/sources)."""
    store = ParquetStore(output_dir)
    out = {}
    for kind in ("survey", "ssi"):
        for rec in store.read_json_records("sources", kind):
            if rec.get("fingerprint"):
                out[f"{kind}:{rec['source_id']}"] = rec["fingerprint"]
    return out


def plan_requests(previous: dict[str, str], current: dict[str, str], known: dict[str, set[str]], seq: int):
    """What to do given the fingerprints seen before and now, and the partitions that exist;
    ``seq`` is this evaluation's number (part of every run key). Returns (run requests,
    dynamic-partition requests)."""
    runs: list[dg.RunRequest] = []
    partition_requests: list = []
    jobs = {"survey": (SURVEY_JOB, SURVEYS.name), "ssi": (SSI_JOB, SSI_RETURNS.name)}
    for kind, (job, partitions_name) in jobs.items():
        now = {k.split(":", 1)[1]: fp for k, fp in current.items() if k.startswith(kind + ":")}
        new_keys = sorted(k for k in now if k not in known[partitions_name])
        if new_keys:
            partition_requests.append(dg.AddDynamicPartitionsRequest(partitions_name, new_keys))
        for key, fp in sorted(now.items()):
            if previous.get(f"{kind}:{key}") != fp:
                runs.append(dg.RunRequest(job_name=job, partition_key=key, run_key=f"{kind}:{key}:{fp[:16]}:{seq}", tags={"sp/reason": "new" if f"{kind}:{key}" not in previous else "changed"}))
        gone = sorted(k for k in known[partitions_name] if k not in now)
        if gone:
            partition_requests.append(dg.DeleteDynamicPartitionsRequest(partitions_name, gone))
    if "context" in previous and previous["context"] != current["context"]:
        runs.append(dg.RunRequest(job_name=CONTEXT_JOB, run_key=f"context:{current['context'][:16]}:{seq}", tags={"sp/reason": "changed"}))
    return runs, partition_requests


def build_automation(jobs: dict[str, dg.UnresolvedAssetJobDefinition]) -> tuple[list[dg.SensorDefinition], list[dg.ScheduleDefinition]]:
    """The sensors and the schedule, bound to the project's jobs (by name)."""

    @dg.sensor(
        name="input_files_sensor",
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="New or changed survey files, SSI returns and context tables (by content) -> runs of what they affect.",
        jobs=[jobs[CONTEXT_JOB], jobs[SURVEY_JOB], jobs[SSI_JOB]],
    )
    def input_files_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        input_dir = settings.input_dir()
        current = current_fingerprints(input_dir)
        cursor = json.loads(context.cursor) if context.cursor else {}
        if "fingerprints" in cursor:
            previous = cursor["fingerprints"]
        else:
            previous = recorded_fingerprints(settings.output_dir())
            previous.setdefault("context", current["context"])
        seq = cursor.get("seq", 0) + 1
        known = {name: set(context.instance.get_dynamic_partitions(name)) for name in (SURVEYS.name, SSI_RETURNS.name)}
        runs, partition_requests = plan_requests(previous, current, known, seq)
        if runs:
            context.log.info(f"requesting {len(runs)} run(s): " + ", ".join(r.run_key for r in runs))
        return dg.SensorResult(
            run_requests=runs,
            dynamic_partitions_requests=partition_requests,
            cursor=json.dumps({"seq": seq, "fingerprints": current}, sort_keys=True),
        )

    @dg.sensor(
        name="publication_sensor",
        minimum_interval_seconds=120,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Recompute the country-level indicators and publication tables once partition and context runs have settled.",
        job=jobs[PUBLICATION_JOB],
    )
    def publication_sensor(context: dg.SensorEvaluationContext):
        active = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
        if any(r.job_name in UPSTREAM_JOBS for r in context.instance.get_runs(filters=dg.RunsFilter(statuses=active))):
            return dg.SkipReason("partition or context runs still in progress")
        finished = [
            r for r in context.instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE]), limit=200)
            if r.job_name in UPSTREAM_JOBS
        ]
        if not finished:
            return dg.SkipReason("no partition or context run yet")
        latest = finished[0].run_id  # newest first
        if latest == context.cursor:
            return dg.SkipReason("publication already reflects the latest runs")
        context.update_cursor(latest)
        return dg.RunRequest(run_key=f"publication:{latest}", tags={"sp/after_run": latest})

    publication_schedule = dg.ScheduleDefinition(
        name="publication_schedule",
        job=jobs[PUBLICATION_JOB],
        cron_schedule=os.environ.get("SP_PUBLICATION_CRON", DEFAULT_PUBLICATION_CRON),
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Refresh the publication layer (monthly by default; SP_PUBLICATION_CRON).",
    )
    return [input_files_sensor, publication_sensor], [publication_schedule]
