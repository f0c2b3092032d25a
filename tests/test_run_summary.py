"""The main command's result: a run whose Dagster runs all succeeded but whose ERROR-severity
check failed is a failed run (exit code 1, the check named on the summary's last line); WARN
checks alone leave it succeeded. The runs are given (``run_all`` replaced by their outcomes):
what is tested is the command's verdict, the pipeline's own checks are tested on data elsewhere
(test_pipeline_ingest: an empty population is listed as not computable, not a failed check)."""

from __future__ import annotations

import json

import pytest

from pipelines import cli, runner
from pipelines.runner import RunOutcome

ERROR_CHECK = {
    "asset": "indicators/sdg_1_3_1",
    "partition": None,
    "check": "series_complete",
    "severity": "ERROR",
    "metadata": {"missing": 1},
}
WARN_CHECK = {
    "asset": "staging/survey_persons",
    "partition": "TST_HIES_2021",
    "check": "no_quarantined_rows",
    "severity": "WARN",
    "metadata": {},
}


def run_command(tmp_path, monkeypatch, capsys, outcomes: list[RunOutcome]) -> tuple[int, str, dict]:
    (tmp_path / "in").mkdir()
    monkeypatch.setattr(runner, "run_all", lambda *args, **kwargs: outcomes)
    code = cli.main(
        [
            "run",
            "--input",
            str(tmp_path / "in"),
            "--output",
            str(tmp_path / "out"),
            "--dagster-home",
            str(tmp_path / "home"),
        ]
    )
    summary = json.loads((tmp_path / "out" / "run_summary.json").read_text(encoding="utf-8"))
    return code, capsys.readouterr().out, summary


def outcome(job: str, partition: str | None = None, success: bool = True, checks: tuple[dict, ...] = ()) -> RunOutcome:
    return RunOutcome(job, partition, f"run-{job}-{partition}", success, 1.0, [], list(checks))


def test_a_failed_error_check_fails_the_run_and_is_named(tmp_path, monkeypatch, capsys):
    # all Dagster runs succeeded, but an ERROR check failed: the command exited 0 before
    code, out, summary = run_command(
        tmp_path,
        monkeypatch,
        capsys,
        [
            outcome("context_job"),
            outcome("survey_job", "TST_HIES_2021", checks=(WARN_CHECK,)),
            outcome("publication_job", checks=(ERROR_CHECK,)),
        ],
    )
    assert code == 1
    assert (
        out.rstrip().splitlines()[-2]
        == "Result: FAILED (exit code 1): ERROR check failed: indicators/sdg_1_3_1 series_complete"
    )
    assert summary["result"] == {
        "status": "failed",
        "reasons": ["ERROR check failed: indicators/sdg_1_3_1 series_complete"],
    }
    assert summary["totals"]["checks_failed_error"] == 1


def test_warnings_alone_leave_the_run_succeeded(tmp_path, monkeypatch, capsys):
    code, out, summary = run_command(
        tmp_path,
        monkeypatch,
        capsys,
        [
            outcome("context_job"),
            outcome("survey_job", "TST_HIES_2021", checks=(WARN_CHECK,)),
            outcome("publication_job"),
        ],
    )
    assert (code, summary["result"]) == (0, {"status": "succeeded", "reasons": []})
    assert (
        "Result: succeeded (exit code 0)" in out
        and "WARN  staging/survey_persons[TST_HIES_2021] no_quarantined_rows" in out
    )


@pytest.mark.parametrize("error_check", [False, True])
def test_a_failed_run_fails_the_command_with_every_reason(tmp_path, monkeypatch, capsys, error_check):
    checks = (
        (dict(ERROR_CHECK, asset="staging/ssi_coverage", partition="GHA_2022", check="rows_reconcile"),)
        if error_check
        else ()
    )
    code, out, summary = run_command(
        tmp_path,
        monkeypatch,
        capsys,
        [
            outcome("context_job"),
            outcome("survey_job", "BAD_LFS_2021", success=False),
            outcome("ssi_job", "GHA_2022", checks=checks),
        ],
    )
    expected = ["run failed: survey_job[BAD_LFS_2021]"] + (
        ["ERROR check failed: staging/ssi_coverage[GHA_2022] rows_reconcile"] if error_check else []
    )
    assert (code, summary["result"]["reasons"]) == (1, expected)
    assert f"Result: FAILED (exit code 1): {'; '.join(expected)}" in out
