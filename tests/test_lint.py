"""The code base keeps the lint and format rules of ``pyproject.toml`` ([tool.ruff]).

``CHECKED`` is the whole tree (ruff's own excludes in ``pyproject.toml`` leave out outputs and
benchmark work folders).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
CHECKED = (".",)


def ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the ruff of this environment (the version pinned in the test extra)."""
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_the_code_is_formatted():
    result = ruff("format", "--check", *CHECKED)
    would = [line for line in result.stdout.splitlines() if line.startswith("Would reformat")]
    assert result.returncode == 0, (
        f"{len(would)} file(s) not formatted (run `ruff format <file>`):\n" + "\n".join(would) + result.stderr
    )


def test_the_code_passes_the_lint_rules():
    result = ruff("check", "--no-fix", "--output-format", "concise", *CHECKED)
    assert result.returncode == 0, "ruff check findings (fix them, or `# noqa: <code>` with the reason):\n" + (
        result.stdout + result.stderr
    )


def test_the_rules_find_what_they_are_for(tmp_path):
    """The configured rules, run on a small module that breaks some of them, name each finding."""
    module = tmp_path / "bad.py"
    module.write_text(
        '"""A module."""\n\n\ndef pairs(a, b):\n    return list(zip(a, b))\n\n\nx=open("f").read()\n',
        encoding="utf-8",
    )
    config = ("--config", str(PYPROJECT))
    found = ruff("check", "--no-fix", "--output-format", "concise", *config, str(module), cwd=tmp_path)
    codes = set(re.findall(r"bad\.py:\d+:\d+: ([A-Z]+\d+)", found.stdout))
    assert found.returncode == 1 and {"D103", "B905", "PTH123", "SIM115"} <= codes, found.stdout
    formatted = ruff("format", "--check", *config, str(module), cwd=tmp_path)
    assert formatted.returncode == 1 and "bad.py" in formatted.stdout


def test_ruff_is_pinned_to_one_version_everywhere():
    """The test extra, the lock file and the pre-commit hooks use the same ruff."""
    extra = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["optional-dependencies"]["test"]
    pins = {"pyproject test extra": [r for r in extra if r.startswith("ruff==")]}
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pins["requirements.lock"] = [r for r in lock if r.startswith("ruff==")]
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    pins[".pre-commit-config.yaml"] = [
        dep
        for repo in hooks["repos"]
        for hook in repo["hooks"]
        if hook["id"].startswith("ruff")
        for dep in hook.get("additional_dependencies", [])
    ]
    versions = {where: set(found) for where, found in pins.items()}
    assert all(len(v) == 1 for v in versions.values()) and len(set().union(*versions.values())) == 1, versions
    installed = ruff("--version").stdout.split()[-1]
    assert {f"ruff=={installed}"} == set().union(*versions.values()), (installed, versions)
