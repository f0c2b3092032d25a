"""Type hints are checked where they exist: mypy over ``engine/`` and ``schemas/`` with the
configuration of ``pyproject.toml`` ([tool.mypy]: functions without annotations are not checked).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def mypy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the mypy of this environment (pinned in the test extra); its cache is .mypy_cache/."""
    return subprocess.run([sys.executable, "-m", "mypy", *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_the_type_hints_of_engine_and_schemas_hold():
    result = mypy()  # the files of [tool.mypy]
    assert result.returncode == 0, "mypy findings:\n" + result.stdout + result.stderr
    checked = re.search(r"no issues found in (\d+) source files", result.stdout)
    modules = [p for folder in ("engine", "schemas") for p in (ROOT / folder).rglob("*.py")]
    assert checked and int(checked[1]) == len(modules), (result.stdout, len(modules))


def test_a_wrong_hint_is_found_and_an_unannotated_function_is_left_alone(tmp_path):
    module = tmp_path / "hinted.py"
    module.write_text(
        'def label(code: int) -> str:\n    return code\n\n\ndef untyped(code):\n    return code + "a" + 1\n',
        encoding="utf-8",
    )
    result = mypy("--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / "cache"), str(module))
    assert result.returncode == 1, result.stdout
    assert 'hinted.py:2: error: Incompatible return value type (got "int", expected "str")' in result.stdout
    assert "hinted.py:6" not in result.stdout  # check_untyped_defs is off
