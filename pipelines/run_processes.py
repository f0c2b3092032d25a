"""Run tasks in worker processes, several at once, each task under a memory and a time limit.

The main command runs every Dagster run (the context tables, each survey, each SSI return, the
publication) through ``run_tasks``, so that a source which makes its step allocate without bound
(a zip bomb, an expanding YAML, a Parquet file of a few kilobytes holding billions of values) or
hang (a FIFO given as a data file) is stopped and fails alone while the others go on.

* **Workers.** A worker is a new interpreter (``spawn``) that imports the project once (``preload``)
  and then runs tasks one at a time; workers are kept for the life of the calling process and
  reused by later calls. Starting a process per task would cost the ~4 s of CPU that importing
  Dagster, Polars, DuckDB and Great Expectations takes, per task; forking a process that has
  imported them instead is not safe, because importing Polars and NumPy already starts threads
  (jemalloc background threads, Polars' spill cleaner, OpenBLAS) and only the forking thread
  survives in the child.
* **Memory.** While a worker runs a task, the parent reads its resident memory
  (``/proc/<pid>/statm``) every ``POLL_SECONDS`` and kills the worker (SIGKILL) when it exceeds
  ``Limits.memory_bytes``; the task is reported ``Stopped`` and a new worker takes the next task.
  An address-space limit (``RLIMIT_AS``) cannot do this job: a run of the bundle with 0.4 GB
  resident reserves 3.1 to 3.4 GB of address space (thread arenas, DuckDB and Polars allocators),
  so such a limit would either stop ordinary runs or sit far above the memory really used.
  Resident memory is read from ``/proc`` (Linux); elsewhere only the time limit is enforced.
* **Time.** A task still running ``Limits.seconds`` after it started is stopped the same way.
* **Environment.** A task runs with the caller's environment as it was when the task was handed
  out, plus ``Limits.environment()``.

The caller decides what a stopped task means; ``run_tasks`` only reports it.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

POLL_SECONDS = 0.05
# What a worker imports before its first task, by default: the project (``pipelines.run_preload``).
PRELOAD = ("pipelines.run_preload",)
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Limits:
    """The memory (bytes) and time (seconds) one task may use before its worker is stopped."""

    memory_bytes: int
    seconds: float

    def environment(self) -> dict[str, str]:
        """What a task is told about its limits (``settings.resource_from_environment`` derives DuckDB's
        memory limit from it where a run builds its settings from the environment).
        """
        return {"SP_RUN_MEMORY_LIMIT": str(self.memory_bytes), "SP_RUN_TIME_LIMIT": f"{self.seconds:g}"}

    def without_time_limit(self) -> Limits:
        """The same memory limit with no time limit."""
        return Limits(self.memory_bytes, float("inf"))


@dataclass(frozen=True)
class Task:
    """One unit of work: ``target(*args)`` in a worker, handed out once every task in ``after``
    has finished (whether it succeeded or not), under ``limits`` when given. ``target`` must be
    importable (module level).
    """

    key: Hashable
    target: Callable[..., Any]
    args: tuple = ()
    after: frozenset = frozenset()
    limits: Limits | None = None  # instead of the limits given to ``run_tasks``


@dataclass(frozen=True)
class Finished:
    """``target`` returned ``value``; the task's CPU time, and the peak resident memory of its
    worker while it ran (None where it cannot be read).
    """

    value: Any
    cpu_seconds: float
    peak_memory_bytes: int | None


@dataclass(frozen=True)
class Failed:
    """``target`` raised: the exception's type and message, and the traceback."""

    error: str
    traceback: str


@dataclass(frozen=True)
class Stopped:
    """The task's worker ended before the task did: ``reason`` is ``memory_limit`` or
    ``time_limit`` (the parent killed it) or ``died`` (killed from outside, e.g. by the kernel's
    out-of-memory killer, or crashed).
    """

    reason: str
    message: str
    pid: int
    peak_memory_bytes: int | None


def format_bytes(n: float) -> str:
    """``n`` bytes in decimal units (B, KB, MB, GB), as messages print them."""
    for unit in ("B", "KB", "MB"):
        if abs(n) < 1000:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def resident_memory(pid: int) -> int | None:
    """Resident memory of process ``pid`` in bytes (None where ``/proc`` is not available)."""
    try:
        with Path(f"/proc/{pid}/statm").open("rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None


def _worker_main(conn: Connection, preload: Sequence[str]) -> None:
    """A worker: import ``preload``, then run the tasks received until told to stop (None) or
    until the parent goes away. Ctrl-C is the parent's to handle (it stops the workers).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    broken = None
    try:
        for module in preload:
            importlib.import_module(module)
    except Exception as err:  # noqa: BLE001 - every task is answered with it
        broken = Failed(f"the worker could not import {module}: {type(err).__name__}: {err}", traceback.format_exc())
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        if broken is not None:
            conn.send(("failed", broken, None))
            continue
        target, args, environment = message
        conn.send(("started", None, None))  # the time limit counts from here, not from the worker's imports
        os.environ.clear()
        os.environ.update(environment)
        cpu = time.process_time()
        try:
            value = target(*args)
            conn.send(("finished", value, time.process_time() - cpu))
        except BaseException as err:  # noqa: BLE001 - reported to the parent, which decides
            conn.send(("failed", Failed(f"{type(err).__name__}: {err}", traceback.format_exc()), None))


class _Worker:
    def __init__(self, context: multiprocessing.context.BaseContext, preload: Sequence[str]):
        self.conn, child_end = context.Pipe(duplex=True)
        self.process = context.Process(
            target=_worker_main, args=(child_end, list(preload)), daemon=True, name="sp-run-worker"
        )
        self.process.start()
        child_end.close()
        self.preload = tuple(preload)
        self.task: Task | None = None
        self.started: float | None = None  # when the task began (after the worker's imports)
        self.peak: int | None = None

    def give(self, task: Task, environment: dict[str, str]) -> None:
        self.task, self.started, self.peak = task, None, None
        self.conn.send((task.target, task.args, environment))

    def watch_memory(self) -> int | None:
        memory = resident_memory(self.process.pid)
        if memory is not None:
            self.peak = max(self.peak or 0, memory)
        return memory

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()  # SIGKILL (TerminateProcess on Windows)
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        """Ask the worker to exit, and kill it if it has not after 5 seconds."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.kill()


class WorkerPool:
    """Idle workers kept between calls of ``run_tasks`` (one pool per calling process), by what
    they preloaded.
    """

    def __init__(self) -> None:
        self._idle: dict[tuple[str, ...], list[_Worker]] = {}
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")

    def warm_up(self, count: int, preload: Sequence[str] | None = None) -> None:
        """Start workers now (they import ``preload``, default ``PRELOAD``, while the caller goes
        on), until ``count`` are idle.
        """
        preload = _preload(preload)
        with self._lock:
            idle = self._alive(preload)
            while len(idle) < count:
                idle.append(_Worker(self._context, preload))

    def take(self, preload: tuple[str, ...]) -> _Worker:
        """An idle worker that preloaded ``preload``, or a new one."""
        with self._lock:
            idle = self._alive(preload)
            return idle.pop(0) if idle else _Worker(self._context, preload)

    def give_back(self, worker: _Worker) -> None:
        """Keep ``worker`` idle for the next task with its preload."""
        with self._lock:
            self._idle.setdefault(worker.preload, []).append(worker)

    def shutdown(self) -> None:
        """Stop every idle worker."""
        with self._lock:
            for worker in [w for idle in self._idle.values() for w in idle]:
                worker.stop()
            self._idle.clear()

    def _alive(self, preload: tuple[str, ...]) -> list[_Worker]:
        idle = self._idle.setdefault(preload, [])
        for worker in [w for w in idle if not w.process.is_alive()]:
            idle.remove(worker)
            worker.kill()
        return idle


def _preload(preload: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(PRELOAD if preload is None else preload)


POOL = WorkerPool()
atexit.register(POOL.shutdown)


def run_tasks(  # noqa: C901 (one scheduling loop: start, wait, collect, stop on limits)
    tasks: Iterable[Task],
    *,
    workers: int,
    limits: Limits,
    preload: Sequence[str] | None = None,
    on_start: Callable[[Task, int], None] = lambda task, pid: None,
    on_done: Callable[[Task, Any], None] = lambda task, result: None,
    on_wait: Callable[[list[Task]], None] = lambda running: None,
) -> dict[Hashable, Any]:
    """Run every task in a worker, at most ``workers`` at a time, in the order given as far as
    ``Task.after`` allows. Returns key -> ``Finished``, ``Failed`` or ``Stopped``. Workers import
    ``preload`` (default ``PRELOAD``, read when called) before their first task. ``on_start`` is
    called with the worker's pid when a task starts, ``on_done`` with each result as it arrives,
    ``on_wait`` with the tasks running, every ``POLL_SECONDS`` or so while they run.
    """
    preload = _preload(preload)
    pending = list(tasks)
    keys = [t.key for t in pending]
    if len(set(keys)) != len(keys):
        raise ValueError("task keys must be unique")
    unknown = {k for t in pending for k in t.after} - set(keys)
    if unknown:
        raise ValueError(f"tasks wait for unknown tasks: {sorted(map(str, unknown))}")
    results: dict[Hashable, Any] = {}
    busy: list[_Worker] = []

    def finish(worker: _Worker, result: Any, keep: bool) -> None:
        busy.remove(worker)
        task = worker.task
        worker.task = None
        if keep:
            POOL.give_back(worker)
        results[task.key] = result
        on_done(task, result)

    def stop(worker: _Worker, reason: str, message: str) -> None:
        if reason != "died":
            worker.kill()
        else:
            worker.process.join()
            worker.conn.close()
        finish(worker, Stopped(reason, message, worker.process.pid, worker.peak), keep=False)

    try:
        while pending or busy:
            for task in list(pending):
                if len(busy) >= max(workers, 1):
                    break
                if task.after <= results.keys():
                    pending.remove(task)
                    worker = POOL.take(preload)
                    busy.append(worker)
                    worker.give(task, {**os.environ, **(task.limits or limits).environment()})
                    on_start(task, worker.process.pid)
            if not busy:
                if pending:
                    raise ValueError(f"tasks wait for each other: {[str(t.key) for t in pending]}")
                break
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=POLL_SECONDS)
            on_wait([w.task for w in busy])
            for worker in list(busy):
                memory = worker.watch_memory()
                limit = worker.task.limits or limits
                if worker.conn in ready or worker.conn.poll():
                    try:
                        kind, value, cpu = worker.conn.recv()
                    except (EOFError, OSError):  # the worker ended without answering
                        stop(worker, "died", _died_message(worker))
                        continue
                    if kind == "started":
                        worker.started = time.monotonic()
                        continue
                    result = Finished(value, cpu, worker.peak) if kind == "finished" else value
                    finish(worker, result, keep=True)
                    continue
                if not worker.process.is_alive():
                    stop(worker, "died", _died_message(worker))
                    continue
                if memory is not None and memory > limit.memory_bytes:
                    stop(
                        worker,
                        "memory_limit",
                        (
                            f"stopped: its process used {format_bytes(memory)} of memory, more than the limit of "
                            f"{format_bytes(limit.memory_bytes)} for one run (SP_RUN_MEMORY_LIMIT)"
                        ),
                    )
                elif worker.started is not None and time.monotonic() - worker.started > limit.seconds:
                    stop(
                        worker,
                        "time_limit",
                        (
                            f"stopped: still running after {limit.seconds:g} s, the time limit for one run (SP_RUN_TIME_LIMIT)"
                        ),
                    )
    finally:
        for worker in busy:  # interrupted (Ctrl-C) or failed: leave no task running
            worker.kill()
    return results


def _died_message(worker: _Worker) -> str:
    worker.process.join()
    code = worker.process.exitcode
    if code is not None and code < 0:
        return (
            f"stopped: its process was killed by {signal.Signals(-code).name} (from outside the pipeline, "
            "e.g. by the system when memory ran out) or crashed"
        )
    return f"stopped: its process ended with exit code {code} before the run did"
