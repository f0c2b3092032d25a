"""One run per output folder at a time: while a run of the main command holds its output folder,
a second run on the same folder is refused at once with a message naming the holder, and the
first run completes unaffected; the lock goes with the process that held it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.output_lock import OutputInUse, output_lock
from tests.pipeline_inputs import write_minimal_inputs

PROJECT = Path(__file__).resolve().parent.parent
HOLD = (
    "import sys, time; from pathlib import Path; from pipelines.output_lock import output_lock\n"
    "with output_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)\n"
)


def test_a_held_folder_is_refused_with_its_holder_and_freed_when_the_holder_ends(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], cwd=PROJECT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputInUse) as refused, output_lock(tmp_path):
            pass
        message = str(refused.value)
        assert f"{tmp_path} is being written by another run of the pipeline (process {holder.pid} on " in message
        assert message.endswith("Wait for it to finish, or give this run another output folder (--output).")
    finally:
        holder.kill()  # killed, not ended cleanly: the system still releases the lock
        holder.wait()
    with output_lock(tmp_path) as path:
        assert json.loads(path.read_text())["pid"] == os.getpid()
    with output_lock(tmp_path / "other"), output_lock(tmp_path / "third"):  # nested folders are separate outputs
        pass


def _command(input_dir: Path, output: Path, home: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pipelines.cli",
        "run",
        "--input",
        str(input_dir),
        "--output",
        str(output),
        "--dagster-home",
        str(home),
    ]


@pytest.mark.slow
def test_a_second_run_on_the_same_output_is_refused_and_the_first_is_unaffected(tmp_path):
    input_dir = write_minimal_inputs(tmp_path / "in")
    output = tmp_path / "out"
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false")
    first = subprocess.Popen(
        _command(input_dir, output, tmp_path / "home1"),
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        for line in first.stdout:  # wait until the first run is under way
            lines.append(line)
            if line.startswith("Running the pipeline"):
                break
        began = time.monotonic()
        second = subprocess.run(
            _command(input_dir, output, tmp_path / "home2"),
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert second.returncode == 2 and second.stdout == ""
        assert second.stderr.startswith(
            f"Not started: {output} is being written by another run of the pipeline (process {first.pid} on "
        )
        assert time.monotonic() - began < 60  # refused before importing the pipeline, let alone running it
        rest, errors = first.communicate(timeout=1200)
    finally:
        first.kill()
    out = "".join(lines) + rest
    assert first.returncode == 0, out[-3000:] + errors[-3000:]
    assert "Left out of this run: none" in out
    summary = json.loads((output / "run_summary.json").read_text())
    assert summary["dagster_home"] == str(tmp_path / "home1")
    assert sorted((r["job"], r["partition"], r["success"]) for r in summary["runs"]) == [
        ("context_job", None, True),
        ("publication_job", None, True),
        ("ssi_job", "GHA_2022", True),
        ("survey_job", "TST_HIES_2021", True),
    ]
    assert not (tmp_path / "home2").exists() or not any(
        (tmp_path / "home2").rglob("*.db")
    )  # the refused run recorded nothing
    with output_lock(output):  # released
        pass
