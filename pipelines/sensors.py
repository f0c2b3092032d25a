"""Sensors and schedules: pick up new or changed input files, refresh the publication layer.

``input_files_sensor`` fingerprints every survey, SSI return, context file and method file
(config/methods) by content (SHA-256, not modification time). A new survey or return becomes a
new partition and gets a run of its own; a changed one gets a re-run; a removed one loses its
partition, its outputs and its records (and the publication job re-runs without it). A changed
context table re-runs the context job and, once that run has succeeded (a later evaluation
looks it up), the survey assets that read the table, in every survey partition
(``SurveyDependents``, from the asset graph); a changed method file re-runs the indicators of
every survey partition. The cursor holds the fingerprints last seen, an evaluation counter and
the context run being waited for; on its first evaluation the sensor starts from the
fingerprints recorded by the last pipeline run (output/sources), so switching the sensor on
after a full run does not redo everything. Run keys carry the counter: Dagster drops a run
request whose key it has seen before, so a key made of the fingerprint alone would never re-run
a file changed back to an earlier content (A -> B -> A); a daemon retrying the same tick (same
cursor) still gets the same keys and launches nothing twice.

``publication_sensor`` runs the publication job once the partition and context runs have
settled: when the most recent of those runs to finish is newer than the one it last reacted to
and none is queued or in progress.

``publication_schedule`` refreshes the publication layer on the cron it is given
(``pipelines.settings.publication_cron``: monthly by default, ``SP_PUBLICATION_CRON``).
"""

from __future__ import annotations

import json

import dagster as dg

from assets.partitions import SSI_RETURNS, SURVEYS
from assets.resources import PipelineResource
from assets.source_steps import forget_removed_sources
from engine import method_config
from engine.paths import regular_files
from engine.sources import discover_ssi, discover_surveys
from engine.store import SOURCE_RECORDS, ParquetStore, sha256_file
from pipelines.jobs import CONTEXT_JOB, PUBLICATION_JOB, SSI_JOB, SURVEY_JOB
from schemas.resources.context import TABLES as CONTEXT_TABLES

CONTEXT_FOLDERS = ("context", "uhc", "reference")
UPSTREAM_JOBS = (CONTEXT_JOB, SURVEY_JOB, SSI_JOB)
CONTEXT_RUN_TAG = "sp/context_run"  # on a context run: its run key, looked up by the follow-up
METHOD_GROUP = "indicators"  # the layer that reads config/methods (raw and staging do not)


def context_fingerprints(input_dir) -> dict[str, str]:
    """``context:<path>`` -> SHA-256 of every context, UHC and reference file."""
    found = {}
    for folder in CONTEXT_FOLDERS:
        base = input_dir / folder
        for path in regular_files(base, recursive=True) if base.is_dir() else []:
            found[f"context:{path.relative_to(input_dir).as_posix()}"] = sha256_file(path)
    return found


def method_fingerprints() -> dict[str, str]:
    """``method:<file>`` -> SHA-256 of every method configuration file (config/methods/*.yaml)."""
    return {f"method:{p.name}": sha256_file(p) for p in sorted(method_config.METHODS_DIR.glob("*.yaml"))}


def current_fingerprints(input_dir) -> dict[str, str]:
    """Fingerprint of everything the sensor watches: each survey and SSI return (by content), the
    context files and the method files.
    """
    found = {f"survey:{k}": s.fingerprint() for k, s in discover_surveys(input_dir).items()}
    found |= {f"ssi:{k}": s.fingerprint() for k, s in discover_ssi(input_dir).items()}
    return found | context_fingerprints(input_dir) | method_fingerprints()


def recorded_fingerprints(output_dir) -> dict[str, str]:
    """Fingerprints of the sources the last pipeline run processed (from output/sources)."""
    store = ParquetStore(output_dir)
    out = {}
    for kind in ("survey", "ssi"):
        for rec in store.read_records(SOURCE_RECORDS, kind):
            if rec.get("fingerprint"):
                out[f"{kind}:{rec['source_id']}"] = rec["fingerprint"]
    return out


def _changed(previous: dict[str, str], current: dict[str, str], prefix: str) -> list[str]:
    """Names (after ``prefix``) added, changed or removed between the two fingerprint maps."""
    names = {k for k in previous.keys() | current.keys() if k.startswith(prefix)}
    return sorted(k[len(prefix) :] for k in names if previous.get(k) != current.get(k))


class SurveyDependents:
    """Which assets of ``survey_job`` a changed context file or method file makes stale, read
    off the asset graph: the survey assets downstream of the raw table read from the file (a
    file no context table reads stands for every context asset not fed by such a table), or,
    for method files, the survey assets of the indicators layer. Multi-assets that cannot be
    subset come whole.
    """

    def __init__(self, repository: dg.RepositoryDefinition):
        self._graph = repository.asset_graph
        self._survey = repository.get_job(SURVEY_JOB).asset_layer.selected_asset_keys
        context_keys = repository.get_job(CONTEXT_JOB).asset_layer.selected_asset_keys
        self._by_file = {
            t.file: dg.AssetKey(["raw", t.name]) for t in CONTEXT_TABLES if dg.AssetKey(["raw", t.name]) in context_keys
        }
        self._unmapped = context_keys - self._downstream(set(self._by_file.values()))

    def _downstream(self, roots: set[dg.AssetKey]) -> set[dg.AssetKey]:
        seen, todo = set(roots), list(roots)
        while todo:
            for child in self._graph.get(todo.pop()).child_keys:
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    def _whole(self, keys) -> list[dg.AssetKey]:
        out = set()
        for key in keys:
            out |= {k for k in self._graph.get_execution_set_asset_and_check_keys(key) if isinstance(k, dg.AssetKey)}
        return sorted(out, key=lambda k: k.path)

    def of_context_files(self, files: list[str]) -> list[dg.AssetKey]:
        """The survey assets to re-run when the context ``files`` (paths relative to the input
        directory) changed: those downstream of the raw tables read from them.
        """
        roots: set[dg.AssetKey] = set()
        for f in files:
            roots |= {self._by_file[f]} if f in self._by_file else self._unmapped
        return self._whole(self._downstream(roots) & self._survey)

    def of_methods(self) -> list[dg.AssetKey]:
        """The survey assets to re-run when a method file changed: those of the indicators layer."""
        return self._whole(k for k in self._survey if self._graph.get(k).group_name == METHOD_GROUP)


def plan_requests(
    previous: dict[str, str],
    current: dict[str, str],
    known: dict[str, set[str]],
    seq: int,
    dependents: SurveyDependents,
):
    """What to do given the fingerprints seen before and now, and the partitions that exist;
    ``seq`` is this evaluation's number (part of every run key). Returns (run requests,
    dynamic-partition requests, survey assets to re-run once the context run requested here
    has succeeded).
    """
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
                runs.append(
                    dg.RunRequest(
                        job_name=job,
                        partition_key=key,
                        run_key=f"{kind}:{key}:{fp[:16]}:{seq}",
                        tags={"sp/reason": "new" if f"{kind}:{key}" not in previous else "changed"},
                    )
                )
        gone = sorted(k for k in known[partitions_name] if k not in now)
        if gone:
            partition_requests.append(dg.DeleteDynamicPartitionsRequest(partitions_name, gone))
    rerun_in_full = {r.partition_key for r in runs if r.job_name == SURVEY_JOB}
    methods = _changed(previous, current, "method:")
    if methods and (assets := dependents.of_methods()):
        for key in sorted(k.split(":", 1)[1] for k in current if k.startswith("survey:")):
            if key not in rerun_in_full:
                runs.append(
                    dg.RunRequest(
                        job_name=SURVEY_JOB,
                        partition_key=key,
                        asset_selection=assets,
                        run_key=f"methods:{key}:{seq}",
                        tags={"sp/reason": "method changed: " + ", ".join(methods)},
                    )
                )
    context_files = _changed(previous, current, "context:")
    after_context: list[dg.AssetKey] = []
    if context_files:
        run_key = f"context:{seq}"
        runs.append(
            dg.RunRequest(
                job_name=CONTEXT_JOB,
                run_key=run_key,
                tags={"sp/reason": "changed: " + ", ".join(context_files), CONTEXT_RUN_TAG: run_key},
            )
        )
        after_context = dependents.of_context_files(context_files)
    return runs, partition_requests, after_context


def follow_up_requests(
    instance: dg.DagsterInstance, waiting: dict, surveys: list[str], seq: int, log
) -> tuple[list[dg.RunRequest], bool]:
    """Once the context run ``waiting["run_key"]`` has succeeded, re-run ``waiting["assets"]``
    of every survey partition. Returns (run requests, still waiting).
    """
    found = instance.get_runs(
        filters=dg.RunsFilter(job_name=CONTEXT_JOB, tags={CONTEXT_RUN_TAG: waiting["run_key"]}), limit=1
    )
    status = found[0].status if found else None
    if status in (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED):
        log.warning(
            f"context run {found[0].run_id} did not succeed: survey estimates are not re-run for the changed context tables"
        )
        return [], False
    if status != dg.DagsterRunStatus.SUCCESS:
        return [], True
    assets = [dg.AssetKey.from_user_string(a) for a in waiting["assets"]]
    tags = {"sp/reason": "context changed", "sp/after_run": found[0].run_id}
    return [
        dg.RunRequest(
            job_name=SURVEY_JOB,
            partition_key=s,
            asset_selection=assets,
            run_key=f"after-{waiting['run_key']}:{s}:{seq}",
            tags=tags,
        )
        for s in surveys
    ], False


def build_automation(  # noqa: C901 (the sensors are defined inside, bound to the jobs)
    jobs: dict[str, dg.UnresolvedAssetJobDefinition], publication_cron: str
) -> tuple[list[dg.SensorDefinition], list[dg.ScheduleDefinition]]:
    """The sensors and the schedule (on ``publication_cron``), bound to the project's jobs (by
    name).
    """

    @dg.sensor(
        name="input_files_sensor",
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="New or changed survey files, SSI returns, context tables and method files (by content) -> runs of what they affect.",
        jobs=[jobs[CONTEXT_JOB], jobs[SURVEY_JOB], jobs[SSI_JOB], jobs[PUBLICATION_JOB]],
    )
    def input_files_sensor(context: dg.SensorEvaluationContext, pipeline: PipelineResource) -> dg.SensorResult:
        input_dir = pipeline.input_path
        current = current_fingerprints(input_dir)
        cursor = json.loads(context.cursor) if context.cursor else {}
        if "fingerprints" in cursor:
            previous = cursor["fingerprints"]
        else:
            previous = recorded_fingerprints(pipeline.output_path)
            previous |= {k: v for k, v in current.items() if k.startswith(("context:", "method:"))}
        seq = cursor.get("seq", 0) + 1
        known = {name: set(context.instance.get_dynamic_partitions(name)) for name in (SURVEYS.name, SSI_RETURNS.name)}
        dependents = SurveyDependents(context.repository_def)
        runs, partition_requests, after_context = plan_requests(previous, current, known, seq, dependents)
        waiting = cursor.get("waiting")
        if after_context or (waiting and any(r.job_name == CONTEXT_JOB for r in runs)):
            # a newer context run carries the earlier change too: wait for it instead
            assets = sorted(set(waiting["assets"] if waiting else []) | {k.to_user_string() for k in after_context})
            waiting = {"run_key": next(r.run_key for r in runs if r.job_name == CONTEXT_JOB), "assets": assets}
        elif waiting:
            full = {r.partition_key for r in runs if r.job_name == SURVEY_JOB}
            surveys = sorted(
                k.split(":", 1)[1] for k in current if k.startswith("survey:") and k.split(":", 1)[1] not in full
            )
            follow_ups, still = follow_up_requests(context.instance, waiting, surveys, seq, context.log)
            runs += follow_ups
            waiting = waiting if still else None
        store = pipeline.store()
        removed = []
        for kind, name in (("survey", SURVEYS.name), ("ssi", SSI_RETURNS.name)):
            present = {k.split(":", 1)[1] for k in current if k.startswith(kind + ":")}
            removed += [f"{kind}:{k}" for k in forget_removed_sources(store, kind, present, known[name])]
        if removed:
            context.log.info("no longer in the input directory, outputs and records removed: " + ", ".join(removed))
            if not runs:  # otherwise publication_sensor follows those runs
                runs.append(
                    dg.RunRequest(
                        job_name=PUBLICATION_JOB,
                        run_key=f"removed:{seq}",
                        tags={"sp/reason": "removed: " + ", ".join(removed)},
                    )
                )
        if runs:
            context.log.info(f"requesting {len(runs)} run(s): " + ", ".join(r.run_key for r in runs))
        state = {"seq": seq, "fingerprints": current} | ({"waiting": waiting} if waiting else {})
        return dg.SensorResult(
            run_requests=runs, dynamic_partitions_requests=partition_requests, cursor=json.dumps(state, sort_keys=True)
        )

    @dg.sensor(
        name="publication_sensor",
        minimum_interval_seconds=120,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Recompute the country-level indicators and publication tables once partition and context runs have settled.",
        job=jobs[PUBLICATION_JOB],
    )
    def publication_sensor(context: dg.SensorEvaluationContext):
        active = [
            dg.DagsterRunStatus.QUEUED,
            dg.DagsterRunStatus.NOT_STARTED,
            dg.DagsterRunStatus.STARTING,
            dg.DagsterRunStatus.STARTED,
        ]
        if any(r.job_name in UPSTREAM_JOBS for r in context.instance.get_runs(filters=dg.RunsFilter(statuses=active))):
            return dg.SkipReason("partition or context runs still in progress")
        finished = [
            r
            for r in context.instance.get_runs(
                filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE]), limit=200
            )
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
        cron_schedule=publication_cron,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Refresh the publication layer (monthly by default; SP_PUBLICATION_CRON).",
    )
    return [input_files_sensor, publication_sensor], [publication_schedule]
