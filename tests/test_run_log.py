"""The run log tells people what the long steps did: rows read, kept and quarantined, and how
long they took, for the survey and SSI staging steps."""

from __future__ import annotations

import re

import dagster as dg

from pipelines.runner import run_all
from tests.pipeline_inputs import write_minimal_inputs
from tests.pipeline_settings import pipeline_settings


def _messages(instance, run_id) -> list[str]:
    return [e.user_message for e in instance.all_logs(run_id) if e.dagster_event is None]


def test_staging_steps_log_rows_and_elapsed_time(tmp_path):
    input_dir = write_minimal_inputs(tmp_path / "in")
    data = input_dir / "surveys" / "TST_HIES_2021" / "data.csv"
    lines = data.read_text().splitlines()
    lines[3] = lines[3].replace(",4,", ",400,", 1)  # one row quarantined (age 400)
    data.write_text("\n".join(lines) + "\n")
    with dg.instance_for_test() as instance:
        outcomes = {
            (o.job, o.partition): o
            for o in run_all(instance, pipeline_settings(input_dir, tmp_path / "out"), progress=lambda _: None)
        }
        survey = _messages(instance, outcomes[("survey_job", "TST_HIES_2021")].run_id)
        ssi = _messages(instance, outcomes[("ssi_job", "GHA_2022")].run_id)
    assert "TST_HIES_2021: harmonising 8 rows x 16 columns" in survey
    assert any(re.fullmatch(r"TST_HIES_2021: 8 rows read, 7 kept, 1 quarantined in \d+\.\ds", m) for m in survey), (
        survey
    )
    assert any(
        re.fullmatch(r"GHA_2022: [\d,]+ rows read from \d+ tables, [\d,]+ kept, 0 quarantined in \d+\.\ds", m)
        for m in ssi
    ), ssi
    assert any(re.fullmatch(r"GHA_2022: read tables \{.+\} in \d+\.\ds", m) for m in ssi), ssi
