"""``python tasks.py test``: the whole suite is two pytest runs, the fast tier on the machine's
cores (at most two workers), then the integration tier in one process, with one exit code that
fails when either fails; arguments that choose the tests make one run, as given."""

from __future__ import annotations

import sys

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


def test_other_selections_and_chosen_workers_are_left_as_given():
    for args in (["-q"], ["-m", "not slow"], ["-m", "integration"], ["tests/test_store.py", "-x"]):
        assert tasks.pytest_arguments(args, cores=2) == args
    for args in (["-m", "unit", "-n", "0"], ["-m", "unit", "-n4"], ["-m", "unit", "-p", "no:xdist"]):
        assert tasks.pytest_arguments(args, cores=2) == args
    assert tasks.pytest_arguments(["-m", "unit"], cores=1) == ["-m", "unit"]  # one core: no workers


def test_the_whole_suite_is_the_fast_tier_on_workers_then_the_rest_in_one_process():
    workers = ["-n", "2", "--dist", "loadscope"]
    assert tasks.tier_commands([], cores=2) == [
        ("unit tier", ["-m", "unit", *workers]),
        ("integration tier", ["-m", "not unit"]),
    ]
    # options that do not choose the tests go to both runs
    options = ["-q", "-p", "no:cacheprovider", "--durations=25", "-k", "tests", "--basetemp", "tests"]
    assert tasks.tier_commands(options, cores=2) == [
        ("unit tier", [*options, "-m", "unit", *workers]),
        ("integration tier", [*options, "-m", "not unit"]),
    ]
    assert tasks.tier_commands([], cores=1) == [("unit tier", ["-m", "unit"]), ("integration tier", ["-m", "not unit"])]


def test_arguments_that_choose_the_tests_make_one_run_as_given():
    for args in (
        ["-m", "integration"],
        ["-m", "not slow", "-q"],
        ["-mslow"],
        ["--markexpr=slow"],
        ["tests/test_store.py", "-x"],
        ["tests"],
        ["-q", "tests/test_store.py::test_round_trip"],
        ["-n", "0"],
        ["-p", "no:xdist"],
    ):
        assert tasks.tier_commands(args, cores=2) == [("tests", args)], args
    assert tasks.tier_commands(["-m", "unit"], cores=2) == [("tests", ["-m", "unit", "-n", "2", "--dist", "loadscope"])]


def _fake_runs(codes: dict[str, int], ran: list[list[str]]):
    def pytest(arguments, env):
        ran.append(arguments)
        tier = arguments[arguments.index("-m") + 1]
        return codes[tier], f"{'1 failed, ' if codes[tier] else ''}3 passed in 1.00s"

    return pytest


def test_the_default_command_runs_both_tiers_and_fails_if_either_fails(capsys):
    for unit, integration, expected in ((0, 0, 0), (1, 0, 1), (0, 1, 1), (0, 5, 0), (5, 5, 5), (2, 1, 2)):
        ran: list[list[str]] = []
        code = tasks.run_tests(["-q"], {}, pytest=_fake_runs({"unit": unit, "not unit": integration}, ran))
        assert code == expected, (unit, integration)
        assert [a[a.index("-m") + 1] for a in ran] == ["unit", "not unit"]  # both ran, the fast tier first
        out = capsys.readouterr().out
        assert f"Result: {'PASSED' if expected == 0 else 'FAILED'} (exit code {expected})" in out
        assert "unit tier: " in out and "integration tier: " in out


def test_with_exitfirst_a_failed_fast_tier_stops_the_run(capsys):
    ran: list[list[str]] = []
    assert tasks.run_tests(["-x"], {}, pytest=_fake_runs({"unit": 1, "not unit": 0}, ran)) == 1
    assert len(ran) == 1
    assert "integration tier: not run" in capsys.readouterr().out


def test_a_chosen_selection_is_one_pytest_run_with_its_exit_code():
    calls = []

    def call(command, **kwargs):
        calls.append(command)
        return 3

    def no_tiers(arguments, env):
        raise AssertionError("not a two-tier run")

    assert tasks.run_tests(["-m", "integration"], {}, pytest=no_tiers, call=call) == 3
    assert calls == [[str(tasks.PYTHON), "-m", "pytest", "-m", "integration"]]


def test_two_real_pytest_runs_one_exit_code_and_their_summary(tmp_path, monkeypatch, capsys):
    """On a tiny project of its own: the fast tier passes, a test of the integration tier fails:
    the command fails, and the summary gives each run's counts."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    unit: fast\n    integration: wired\n")
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n\ndef pytest_collection_modifyitems(items):\n    for item in items:\n"
        "        item.add_marker(pytest.mark.integration if 'wired' in item.name else pytest.mark.unit)\n"
    )
    (tmp_path / "test_example.py").write_text(
        "def test_fast_one():\n    pass\n\n\ndef test_fast_two():\n    pass\n\n\n"
        "def test_wired_fails():\n    assert 1 == 2\n"
    )
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setattr(tasks, "PYTHON", sys.executable)
    monkeypatch.setattr(tasks.os, "cpu_count", lambda: 1)  # no worker processes: seconds less
    assert tasks.run_tests(["-q", "-p", "no:cacheprovider"], {"PATH": ""} | dict(tasks.os.environ)) == 1
    out = capsys.readouterr().out
    assert "unit tier: 2 passed, 1 deselected in" in out
    assert "integration tier: 1 failed, 2 deselected in" in out
    assert "Result: FAILED (exit code 1)" in out
