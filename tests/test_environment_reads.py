"""Settings in one place: the ``SP_*`` variables are read by ``pipelines/settings.py`` only.

Every other module of the code (``engine/``, ``schemas/``, ``assets/``, ``pipelines/``) takes its
settings as arguments or from the settings resource; a module that reads ``os.environ`` or
``os.getenv`` for an ``SP_*`` variable is named here with the line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READER = ROOT / "pipelines" / "settings.py"
SETTING = re.compile(r"SP_[A-Z0-9_]+")


def _is_environ(node: ast.AST) -> bool:
    """``os.environ`` or ``os.getenv``."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr in ("environ", "getenv")
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _setting(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and SETTING.fullmatch(node.value):
        return node.value
    return None


def environment_reads(path: Path) -> list[tuple[int, str]]:
    """(line, variable) of every read of an ``SP_*`` variable from the environment in ``path``:
    ``os.environ.get("SP_X")``, ``os.getenv("SP_X")``, ``os.environ["SP_X"]``, ``"SP_X" in os.environ``.
    """
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        name = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if _is_environ(func) or (isinstance(func, ast.Attribute) and _is_environ(func.value)):
                name = _setting(node.args[0])
        elif isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.ctx, ast.Load):
            name = _setting(node.slice)
        elif isinstance(node, ast.Compare) and any(_is_environ(c) for c in node.comparators):
            name = _setting(node.left)
        if name:
            found.append((node.lineno, name))
    return found


def test_only_the_settings_module_reads_sp_variables():
    modules = [p for folder in ("engine", "schemas", "assets", "pipelines") for p in (ROOT / folder).rglob("*.py")]
    reads = {
        f"{p.relative_to(ROOT)}:{line}": name for p in modules if p != READER for line, name in environment_reads(p)
    }
    assert reads == {}, f"read {', '.join(f'{k} ({v})' for k, v in reads.items())}: read it in pipelines/settings.py"
    assert environment_reads(READER)  # the reader itself is found by the same rules


def test_each_form_of_read_is_found(tmp_path):
    module = tmp_path / "reads.py"
    module.write_text(
        "import os\n"
        'a = os.environ.get("SP_A", "1")\n'
        'b = os.getenv("SP_B")\n'
        'c = os.environ["SP_C"]\n'
        'd = "SP_D" in os.environ\n'
        'os.environ["SP_E"] = "written, not read"\n'
        'e = os.environ.get("HOME")\n',
        encoding="utf-8",
    )
    assert environment_reads(module) == [(2, "SP_A"), (3, "SP_B"), (4, "SP_C"), (5, "SP_D")]
