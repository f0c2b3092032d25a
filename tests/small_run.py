"""One run of the main command's work on a small input directory, shared by the test modules
that read it (a whole-pipeline run costs tens of seconds): the minimal inputs
(tests/pipeline_inputs.py), a second survey (``SECOND``) and one row of ``TST_HIES_2021``
quarantined (age 400 on its third data row). A test that changes an input or an output puts it
back as it was (content, and modification time for an output), so that the run stays the one
every test reads. Progress lines come every half second while a run goes on.

A pytest plugin (``pytest_plugins`` in tests/conftest.py), so that the session has one such run
whatever the modules using it; the wiring is imported when the fixture is first used, so that
the unit tier (``-m unit``) does not import Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
import yaml

if TYPE_CHECKING:
    from assets.resources import PipelineResource
    from pipelines.runner import RunOutcome

FIRST, SECOND = "TST_HIES_2021", "TST_LFS_2022"


@dataclass(frozen=True)
class SmallRun:
    settings: PipelineResource  # input and output folders, Dagster home
    outcomes: list[RunOutcome]
    lines: list[str]  # progress

    def outcome(self, job: str, partition: str | None = None) -> RunOutcome:
        """The outcome of ``job`` (on ``partition``)."""
        return next(o for o in self.outcomes if (o.job, o.partition) == (job, partition))


@pytest.fixture(scope="session")
def small_run(tmp_path_factory) -> SmallRun:
    import dagster as dg

    from pipelines import runner
    from tests.conftest import BASE_SPEC, write_survey
    from tests.pipeline_inputs import write_minimal_inputs
    from tests.pipeline_settings import pipeline_settings

    base = tmp_path_factory.mktemp("small_run")
    input_dir = write_minimal_inputs(base / "in")
    data = input_dir / "surveys" / FIRST / "data.csv"
    lines = data.read_text().splitlines()
    lines[3] = lines[3].replace(",4,", ",400,", 1)
    data.write_text("\n".join(lines) + "\n")
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["survey"]["id"] = SECOND
    write_survey(input_dir, spec)
    (base / "home").mkdir()
    settings = pipeline_settings(input_dir, base / "out", base / "home")
    progress: list[str] = []
    with pytest.MonkeyPatch.context() as m, dg.DagsterInstance.from_config(str(base / "home")) as instance:
        m.setattr(runner, "HEARTBEAT_SECONDS", 0.5)
        outcomes = runner.run_all(instance, settings, progress=progress.append)
    assert all(o.success and not o.skipped for o in outcomes), [(o.job, o.partition, o.failed_steps) for o in outcomes]
    return SmallRun(settings, outcomes, progress)
