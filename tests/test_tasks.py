"""``python tasks.py test``: the fast tier alone runs on the machine's cores, the whole suite in one
process."""

from __future__ import annotations

import tasks


def test_the_fast_tier_alone_runs_on_two_workers():
    assert tasks.pytest_arguments(["-m", "unit", "-q"], cores=2) == [
        "-m",
        "unit",
        "-q",
        "-n",
        "2",
        "--dist",
        "loadscope",
    ]
    assert tasks.pytest_arguments(["-munit"], cores=8)[-4:] == ["-n", "2", "--dist", "loadscope"]


def test_the_whole_suite_and_chosen_workers_are_left_as_given():
    for args in (["-q"], ["-m", "not slow"], ["-m", "integration"], ["tests/test_store.py", "-x"]):
        assert tasks.pytest_arguments(args, cores=2) == args
    for args in (["-m", "unit", "-n", "0"], ["-m", "unit", "-n4"], ["-m", "unit", "-p", "no:xdist"]):
        assert tasks.pytest_arguments(args, cores=2) == args
    assert tasks.pytest_arguments(["-m", "unit"], cores=1) == ["-m", "unit"]  # one core: no workers
