"""Which runs of the main command can be skipped, and why each other one runs.

The main command does its work in units, one Dagster run each: the context tables, each SSI
return, each survey, the publication. After every command, ``<output>/.sp_run_state.json``
records for each unit the fingerprints its last run started from, that run's id, whether it
succeeded and the checks it failed, and the size and modification time of every output file.
The next command skips a unit only when all of these hold:

* its last run succeeded, and the Dagster instance still holds that run as succeeded (a new
  Dagster home re-runs everything, so that the UI shows every partition's lineage);
* its fingerprints are the same (:func:`fingerprints`):

  - ``source``: the SHA-256 of the source's files (``engine.sources.Source.fingerprint``, the
    data version its raw asset records); for the publication, of every source and their list;
  - ``shared``: every other file of the input directory (context, UHC and reference tables,
    ``sources.yaml`` inventories, published files) and the layout problems the context run
    reports (``assets.raw.input_layout.input_problems``);
  - ``methods``: ``config/methods/*.yaml`` and the editions chosen;
  - ``code``: the project's packages (Python, SQL) and the versions of the installed
    distributions;
  - ``settings``: the settings that name or can change an output (input and output folders,
    DuckDB threads, estimation threads, survey engine); DuckDB's memory limit (which follows
    the number of workers) and spill folder cannot, and are left out;

* every output file the unit owns is as the state recorded it: not removed, not rewritten since
  (a source's partitions, quarantine, source and failure records belong to its unit; other files
  under ``raw/``, ``staging/`` and ``failures/layout/`` to the context unit; the rest to the
  publication);

and the publication is skipped only when every other unit was. A unit that runs is told why
(:class:`Decision`); a skipped one names the run whose outputs it keeps, and carries that run's
failed checks into the summary.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import dagster as dg

from assets.raw.input_layout import input_problems
from assets.resources import PipelineResource
from assets.source_steps import PARTITIONED_TABLES
from engine import method_config
from engine.paths import regular_files
from engine.sources import Source
from engine.store import FAILURE_RECORDS, SOURCE_RECORDS, ParquetStore, sha256_file
from pipelines.sensors import method_fingerprints

STATE_FILE = ".sp_run_state.json"
STATE_VERSION = 1
# Written after the state (by the command), so never part of a unit's outputs.
NOT_OWNED = frozenset({"run_summary.json"})
# The project's packages (pyproject.toml) whose files make the code fingerprint.
PACKAGES = ("assets", "engine", "pipelines", "schemas", "sql", "config", "synthetic")
# Settings that cannot change an output: left out of the ``settings`` fingerprint.
NEUTRAL_SETTINGS = frozenset({"dagster_home", "duckdb_memory_limit", "duckdb_temp_directory"})
CONTEXT_FOLDERS = ("raw/", "staging/", "failures/layout/")
WHAT = {
    "source": "its source files changed",
    "shared": "the shared inputs changed (context, UHC or reference tables, sources.yaml, input layout)",
    "methods": "the method configuration changed (config/methods, editions)",
    "code": "the code or the installed packages changed",
    "settings": "the settings changed (folders, threads, survey engine)",
}


@dataclass(frozen=True)
class Unit:
    """One Dagster run of the main command: ``kind`` is ``context``, ``survey``, ``ssi`` or
    ``publication`` (the survey or SSI return is ``partition``).
    """

    job: str
    partition: str | None
    kind: str

    @property
    def label(self) -> str:
        """``job`` or ``job[partition]``: how progress lines and the summary name the run."""
        return self.job + (f"[{self.partition}]" if self.partition else "")


@dataclass(frozen=True)
class Decision:
    """Whether a unit runs; ``reason`` says why it runs or why it is skipped; ``run_id``, for a
    skipped unit, is the run whose outputs it keeps, ``checks`` that run's failed checks.
    """

    skip: bool
    reason: str
    run_id: str | None = None
    checks: list[dict] = field(default_factory=list)


def _digest(parts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def _files_digest(files: Iterable[Path], root: Path) -> str:
    return _digest(part for f in files for part in (f.relative_to(root).as_posix(), sha256_file(f)))


@cache
def code_fingerprint() -> str:
    """The project's package files (method files aside) and the installed distributions."""
    methods = method_config.METHODS_DIR.resolve()
    parts = []
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        for folder in map(Path, spec.submodule_search_locations if spec else []):
            for f in regular_files(folder, recursive=True):
                if "__pycache__" not in f.parts and not f.resolve().is_relative_to(methods):
                    parts += [f"{package}/{f.relative_to(folder).as_posix()}", sha256_file(f)]
    # every installed distribution by its metadata folder (``<name>-<version>.dist-info``)
    dists = sorted(d.name for p in map(Path, sys.path) if p.is_dir() for d in p.glob("*.dist-info"))
    return _digest(parts + dists)


def fingerprints(
    pipeline: PipelineResource, surveys: dict[str, Source], returns: dict[str, Source], units: list[Unit]
) -> dict[str, dict[str, str]]:
    """Unit label -> its fingerprints (see the module docstring)."""
    input_dir = pipeline.input_path
    sources = {("survey", k): s for k, s in surveys.items()} | {("ssi", k): s for k, s in returns.items()}
    source_files = {f.resolve() for s in sources.values() for f in s.files}
    shared_files = [f for f in regular_files(input_dir, recursive=True) if f.resolve() not in source_files]
    problems = sorted((p.source_kind, p.path, p.problem, p.rule) for p in input_problems(input_dir))
    settings = {k: v for k, v in pipeline.fields().items() if k not in NEUTRAL_SETTINGS and k != "editions"}
    common = {
        "shared": _digest([_files_digest(shared_files, input_dir), json.dumps(problems)]),
        "methods": _digest(
            [json.dumps(method_fingerprints(), sort_keys=True), json.dumps(pipeline.editions, sort_keys=True)]
        ),
        "code": code_fingerprint(),
        "settings": _digest([json.dumps(settings, sort_keys=True, default=str)]),
    }
    by_source = {f"{kind}:{k}": s.fingerprint() for (kind, k), s in sorted(sources.items())}
    every_source = _digest(f"{k}={v}" for k, v in by_source.items())
    out = {}
    for unit in units:
        if unit.kind == "context":  # its inputs are the shared ones
            out[unit.label] = common
        else:
            source = every_source if unit.kind == "publication" else by_source[f"{unit.kind}:{unit.partition}"]
            out[unit.label] = {**common, "source": source}
    return out


def short(fingerprints: dict[str, str]) -> str:
    """A short digest of a unit's fingerprints (a run tag in the UI)."""
    return _digest(f"{k}={v}" for k, v in sorted(fingerprints.items()))[:16]


def snapshot(root: Path) -> dict[str, list[int]]:
    """Output path (relative) -> [size, modification time in ns], for every file not hidden."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if rel in NOT_OWNED:
                continue
            st = path.stat()
            found[rel] = [st.st_size, st.st_mtime_ns]
    return found


def owners(store: ParquetStore, units: list[Unit], outputs: Iterable[str]) -> dict[str, set[str]]:
    """Unit label -> the output paths (relative) it owns, of ``outputs``. Files of a source
    that is no longer a unit (removed from the input directory) belong to no unit.
    """
    root = store.root
    owner: dict[str, str] = {}  # a source's file, or its partition folder (ending in /) -> unit
    for unit in (u for u in units if u.partition is not None):
        for layer, table in PARTITIONED_TABLES[unit.kind]:
            owner[store.table_path(layer, table, unit.partition).relative_to(root).as_posix()] = unit.label
            owner[store.partition_dir(layer, table, unit.partition).relative_to(root).as_posix() + "/"] = unit.label
        owner[store.quarantine_path(unit.kind, unit.partition).relative_to(root).as_posix()] = unit.label
        for folder in (SOURCE_RECORDS, FAILURE_RECORDS):
            owner[store.record_path(folder, unit.kind, unit.partition).relative_to(root).as_posix()] = unit.label
    per_source = tuple(
        {f"{layer}/{table}/" for tables in PARTITIONED_TABLES.values() for layer, table in tables}
        | {
            f"{folder}/{kind}/"
            for folder in ("quarantine", SOURCE_RECORDS, FAILURE_RECORDS)
            for kind in PARTITIONED_TABLES
        }
    )
    by_kind = {u.kind: u.label for u in units if u.partition is None}
    owned: dict[str, set[str]] = {u.label: set() for u in units}
    for rel in outputs:
        folders = [rel[: i + 1] for i, c in enumerate(rel) if c == "/"]
        label = owner.get(rel) or next((owner[f] for f in folders if f in owner), None)
        if label is None and not rel.startswith(per_source):
            label = by_kind.get("context" if rel.startswith(CONTEXT_FOLDERS) else "publication")
        if label is not None:
            owned[label].add(rel)
    return owned


def read_state(output_dir: Path) -> dict:
    """The state the last command recorded in ``output_dir`` ({} when none, or unreadable)."""
    try:
        state = json.loads((output_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and state.get("version") == STATE_VERSION else {}


def write_state(output_dir: Path, units: dict[str, dict], outputs: dict[str, list[int]]) -> None:
    """Record ``units`` (label -> fingerprints, run_id, success, checks) and the output snapshot."""
    path = output_dir / STATE_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"version": STATE_VERSION, "units": units, "outputs": outputs}, default=str), "utf-8")
    tmp.replace(path)


def decide(
    instance: dg.DagsterInstance,
    store: ParquetStore,
    state: dict,
    units: list[Unit],
    current: dict[str, dict[str, str]],
) -> dict[str, Decision]:
    """Unit label -> ``Decision`` for every unit, given the ``state`` of the last command and
    the ``current`` fingerprints. The publication is decided as if every other unit were
    skipped; the caller runs it when one was not.
    """
    recorded = state.get("units", {})
    run_ids = [r["run_id"] for r in recorded.values() if r.get("run_id")]
    status = {r.run_id: r.status for r in instance.get_runs(filters=dg.RunsFilter(run_ids=run_ids))} if run_ids else {}
    now = snapshot(store.root)
    before = state.get("outputs", {})
    owned_now = owners(store, units, now)
    owned_before = owners(store, units, before)
    decisions = {}
    for unit in units:
        label = unit.label
        last = recorded.get(label)
        if last is None:
            decisions[label] = Decision(False, "no earlier run recorded in this output folder")
            continue
        run_id = last.get("run_id")
        if not last.get("success"):
            decisions[label] = Decision(False, f"its last run {run_id} failed")
            continue
        if status.get(run_id) != dg.DagsterRunStatus.SUCCESS:
            decisions[label] = Decision(
                False, f"its last run {run_id} is not recorded as succeeded in the Dagster instance"
            )
            continue
        changed = [WHAT[k] for k in WHAT if last.get("fingerprints", {}).get(k) != current[label].get(k)]
        if changed:
            decisions[label] = Decision(False, "; ".join(changed))
            continue
        mine = owned_now[label] | owned_before[label]
        touched = sorted(rel for rel in mine if now.get(rel) != before.get(rel))
        if touched:
            what = "removed" if touched[0] not in now else "changed"
            more = f" and {len(touched) - 1} more" if len(touched) > 1 else ""
            decisions[label] = Decision(False, f"its output {touched[0]} was {what} since its last run{more}")
            continue
        decisions[label] = Decision(
            True,
            f"inputs, methods, code and settings unchanged since run {run_id}",
            run_id,
            list(last.get("checks", [])),
        )
    return decisions


@dataclass(frozen=True)
class Plan:
    """The units of one command, their fingerprints and decisions, and the state read."""

    units: list[Unit]
    current: dict[str, dict[str, str]]
    decisions: dict[str, Decision]
    state: dict


def plan(
    instance: dg.DagsterInstance,
    pipeline: PipelineResource,
    surveys: dict[str, Source],
    returns: dict[str, Source],
    jobs: tuple[str, str, str, str],
) -> Plan:
    """The units of a command on ``surveys`` and ``returns`` (``jobs``: the context, SSI,
    survey and publication jobs' names) and whether each runs; the publication runs when any
    other unit does.
    """
    context, ssi, survey, publication = jobs
    units = (
        [Unit(context, None, "context")]
        + [Unit(ssi, r, "ssi") for r in returns]
        + [Unit(survey, s, "survey") for s in surveys]
        + [Unit(publication, None, "publication")]
    )
    state = read_state(pipeline.output_path)
    current = fingerprints(pipeline, surveys, returns, units)
    decisions = decide(instance, pipeline.store(), state, units, current)
    upstream = sum(1 for u in units[:-1] if not decisions[u.label].skip)
    if upstream:
        decisions[units[-1].label] = Decision(False, f"{upstream} run{'s' if upstream > 1 else ''} it reads from ran")
    return Plan(units, current, decisions, state)


def record(store: ParquetStore, plan: Plan, outcomes: dict[str, dict]) -> None:
    """Write the state after a command: a skipped unit keeps its record; a unit that ran gets
    the fingerprints it started from and its outcome (label -> run_id, success, checks).
    """
    recorded = plan.state.get("units", {})
    units = {}
    for unit in plan.units:
        if plan.decisions[unit.label].skip:
            units[unit.label] = recorded[unit.label]
        else:
            units[unit.label] = {"fingerprints": plan.current[unit.label], **outcomes[unit.label]}
    write_state(store.root, units, snapshot(store.root))
