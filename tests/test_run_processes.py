"""Tasks in worker processes under limits (``pipelines.run_processes``), on small targets: a
task that allocates without bound is stopped at the memory limit, one blocked on a FIFO at the
time limit, one that kills its own process is reported as died, one that raises as failed; the
other tasks finish, in the order their dependencies allow, in reused workers."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from pipelines.run_processes import Failed, Finished, Limits, Stopped, Task, run_tasks

LIMITS = Limits(memory_bytes=400 * 10**6, seconds=30)
NO_PRELOAD = ()  # these targets need nothing imported beforehand


def pid_and_environment(name: str) -> tuple[int, str | None]:
    return os.getpid(), os.environ.get(name)


def allocate_forever() -> None:
    chunks = []
    while True:
        chunks.append(bytearray(50 * 10**6))  # zero-filled: every page is touched
        time.sleep(0.01)


def read_fifo(path: str) -> bytes:
    with Path(path).open("rb") as fifo:  # blocks until a writer opens it: nobody will
        return fifo.read()


def kill_own_process() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def raise_error() -> None:
    raise ValueError("bad value in row 3")


def started_at() -> float:
    time.sleep(0.3)
    return time.monotonic()


def test_a_task_beyond_the_memory_limit_is_stopped_and_the_others_finish():
    tasks = [
        Task("before", pid_and_environment, ("HOME",)),
        Task("hog", allocate_forever),
        Task("after", pid_and_environment, ("HOME",)),
    ]
    results = run_tasks(tasks, workers=1, limits=LIMITS, preload=NO_PRELOAD)
    hog = results["hog"]
    assert isinstance(hog, Stopped) and hog.reason == "memory_limit"
    assert hog.peak_memory_bytes > LIMITS.memory_bytes
    assert "more than the limit of 400.0 MB for one run (SP_RUN_MEMORY_LIMIT)" in hog.message
    assert isinstance(results["before"], Finished) and isinstance(results["after"], Finished)
    # the worker that ran the hog was killed; the next task ran in a new one
    assert results["after"].value[0] != hog.pid and results["before"].value[0] == hog.pid
    with pytest.raises(ProcessLookupError):
        os.kill(hog.pid, 0)


def test_a_task_blocked_on_a_fifo_is_stopped_at_the_time_limit(tmp_path):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    began = time.monotonic()
    results = run_tasks(
        [Task("fifo", read_fifo, (str(fifo),)), Task("other", pid_and_environment, ("HOME",))],
        workers=2,
        limits=Limits(LIMITS.memory_bytes, seconds=2),
        preload=NO_PRELOAD,
    )
    stopped = results["fifo"]
    assert isinstance(stopped, Stopped) and stopped.reason == "time_limit"
    assert stopped.message == "stopped: still running after 2 s, the time limit for one run (SP_RUN_TIME_LIMIT)"
    assert 2 <= time.monotonic() - began < 20
    assert isinstance(results["other"], Finished)


def test_a_process_that_dies_or_a_task_that_raises_is_reported():
    results = run_tasks(
        [Task("dies", kill_own_process), Task("raises", raise_error), Task("fine", pid_and_environment, ("X",))],
        workers=1,
        limits=LIMITS,
        preload=NO_PRELOAD,
    )
    assert isinstance(results["dies"], Stopped) and results["dies"].reason == "died"
    assert "killed by SIGKILL" in results["dies"].message
    assert isinstance(results["raises"], Failed) and results["raises"].error == "ValueError: bad value in row 3"
    assert "raise_error" in results["raises"].traceback
    assert isinstance(results["fine"], Finished)


def test_dependencies_order_and_environment(monkeypatch):
    """A task starts after the tasks it waits for; independent ones run side by side; each task
    sees the caller's environment of when it was handed out, and its limits."""
    monkeypatch.setenv("SP_TEST_MARK", "first")
    done, pids = [], set()
    results = run_tasks(
        [
            Task("a", started_at),
            Task("b", started_at),
            Task("c", started_at, after=frozenset({"a", "b"})),
            Task("env", pid_and_environment, ("SP_TEST_MARK",)),
            Task("limit", pid_and_environment, ("SP_RUN_MEMORY_LIMIT",)),
        ],
        workers=2,
        limits=LIMITS,
        preload=NO_PRELOAD,
        on_done=lambda task, result: done.append(task.key),
        on_start=lambda task, pid: pids.add(pid),
    )
    assert results["c"].value > max(results["a"].value, results["b"].value)
    assert done.index("c") > max(done.index("a"), done.index("b"))
    assert results["env"].value[1] == "first" and results["limit"].value[1] == str(LIMITS.memory_bytes)
    monkeypatch.setenv("SP_TEST_MARK", "second")  # workers are reused, the environment is not
    again = run_tasks(
        [Task("env", pid_and_environment, ("SP_TEST_MARK",))], workers=1, limits=LIMITS, preload=NO_PRELOAD
    )
    assert again["env"].value[1] == "second"
    assert len(pids) == 2 and again["env"].value[0] in pids


def test_unknown_or_circular_dependencies_are_refused():
    with pytest.raises(ValueError, match="unknown"):
        run_tasks([Task("a", started_at, after=frozenset({"z"}))], workers=1, limits=LIMITS, preload=NO_PRELOAD)
    with pytest.raises(ValueError, match="wait for each other"):
        run_tasks(
            [Task("a", started_at, after=frozenset({"b"})), Task("b", started_at, after=frozenset({"a"}))],
            workers=1,
            limits=LIMITS,
            preload=NO_PRELOAD,
        )
