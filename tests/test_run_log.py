"""The run log tells people what the long steps did: rows read, kept and quarantined, and how
long they took, for the survey and SSI staging steps."""

from __future__ import annotations

import re

import dagster as dg

from tests.small_run import SmallRun


def _messages(instance, run_id) -> list[str]:
    return [e.user_message for e in instance.all_logs(run_id) if e.dagster_event is None]


def test_staging_steps_log_rows_and_elapsed_time(small_run: SmallRun):
    """On the shared small run, where one row of TST_HIES_2021 is quarantined (age 400)."""
    with dg.DagsterInstance.from_config(small_run.settings.dagster_home) as instance:
        survey = _messages(instance, small_run.outcome("survey_job", "TST_HIES_2021").run_id)
        ssi = _messages(instance, small_run.outcome("ssi_job", "GHA_2022").run_id)
    assert "TST_HIES_2021: harmonising 8 rows x 16 columns" in survey
    assert any(re.fullmatch(r"TST_HIES_2021: 8 rows read, 7 kept, 1 quarantined in \d+\.\ds", m) for m in survey), (
        survey
    )
    assert any(
        re.fullmatch(r"GHA_2022: [\d,]+ rows read from \d+ tables, [\d,]+ kept, 0 quarantined in \d+\.\ds", m)
        for m in ssi
    ), ssi
    assert any(re.fullmatch(r"GHA_2022: read tables \{.+\} in \d+\.\ds", m) for m in ssi), ssi
