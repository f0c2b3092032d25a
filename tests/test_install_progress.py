"""Issue 13: the first ``python tasks.py ...`` installs the locked dependencies for minutes; it
prints where it is (every tenth package found, when the wheels are being unpacked) and, while pip
works silently, a line every ``HEARTBEAT_SECONDS``; pip's full output goes to a log file, and when
pip fails its last lines are printed. pip is played here by a script printing lines of a real pip
log (those of this project's install), with pauses.
"""

from __future__ import annotations

import sys
import textwrap

import pytest

import tasks

PIP_LINES = [
    "Looking in indexes: https://pypi.org/simple",
    *(
        f"Processing /opt/pypi/files/pkg{i}-1.{i}.0-py3-none-any.whl (from -r requirements.lock (line {i}))"
        for i in range(1, 12)
    ),
    "Requirement already satisfied: dagster==1.13.27 in ./.venv/lib/python3.11/site-packages (from -r requirements.lock (line 12))",
    "Installing collected packages: " + ", ".join(f"pkg{i}" for i in range(1, 12)),
    "PAUSE",
    "Successfully installed " + " ".join(f"pkg{i}-1.{i}.0" for i in range(1, 12)),
]


def _fake_pip(lines: list[str], exit_code: int = 0) -> list[str]:
    script = textwrap.dedent(
        f"""
        import sys, time
        for line in {lines!r}:
            if line == "PAUSE":
                time.sleep(1.2)
                continue
            print(line, flush=True)
        sys.exit({exit_code})
        """
    )
    return [sys.executable, "-c", script]


def test_install_prints_packages_found_the_long_part_and_a_heartbeat(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tasks, "HEARTBEAT_SECONDS", 0.3)
    log = tmp_path / "pip-install.log"
    with log.open("w", encoding="utf-8") as out:
        tasks._pip(_fake_pip(PIP_LINES), out, 12, started=0.0)
    lines = [line.split("] ", 1)[1] for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == "found 10 of 12 packages (pkg10==1.10.0)"
    assert lines[1] == "found 12 of 12 packages (dagster==1.13.27)"
    assert lines[2] == "installing 11 packages (unpacking wheels; this is the long part)"
    assert "still installing ..." in lines[3:]  # pip silent for 1.2 s, heartbeat every 0.3 s
    assert log.read_text(encoding="utf-8").splitlines() == [line for line in PIP_LINES if line != "PAUSE"]


def test_a_failed_install_names_the_log_and_prints_pips_last_lines(tmp_path, capsys):
    failing = [*PIP_LINES[:3], "ERROR: Could not find a version that satisfies the requirement pkg99==9.9"]
    log = tmp_path / "pip-install.log"
    with log.open("w", encoding="utf-8") as out, pytest.raises(SystemExit) as stop:
        tasks._pip(_fake_pip(failing, exit_code=1), out, 12, started=0.0)
    assert str(stop.value) == f"pip failed (exit code 1); the full output is in {log}"
    assert capsys.readouterr().err.splitlines()[-1] == failing[-1]
