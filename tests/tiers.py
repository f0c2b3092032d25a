"""The two test tiers, set on every collected test by its module (``tests/conftest.py``).

* ``integration``: the module uses the Dagster wiring: it imports ``dagster``, ``pipelines`` or
  ``assets`` (anywhere in the module, or through a helper module of ``tests/``), or runs one of
  the ``pipelines`` modules in a subprocess (a string such as ``"pipelines.cli"``: the main
  command, the webserver);
* ``unit``: every other module: engine, SQL, specs, schemas and the synthetic generator, tested
  directly. ``python tasks.py test -m unit`` runs this fast tier alone, and the integration tier
  (``-m "not unit"``) is the second run of ``python tasks.py test``.

``slow`` (whole-pipeline runs, the webserver, the wheel install) is set by hand and combines with
either tier. A new test module lands in the right tier without being listed anywhere.

A test of a ``unit`` module marked ``integration`` by hand (``@pytest.mark.integration``) is in the
integration tier only: a test of the engine on every bundled file, or a build of the whole
synthetic bundle, is integration-level in what it costs though it uses no wiring.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
WIRING = frozenset({"dagster", "pipelines", "assets"})
PIPELINE_MODULE = re.compile(r"pipelines(\.[A-Za-z_]\w*)+")


def _imported(tree: ast.AST) -> list[str]:
    """Module names the code imports, and ``pipelines.*`` module names it spells in strings."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and PIPELINE_MODULE.fullmatch(node.value):
            names.append(node.value)
    return names


def uses_wiring(path: Path, seen: frozenset[Path] = frozenset()) -> bool:
    """True when the module at ``path`` (or a ``tests.*`` helper it imports) uses the wiring."""
    for name in _imported(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        top, _, rest = name.partition(".")
        if top in WIRING:
            return True
        helper = TESTS_DIR / f"{rest.replace('.', '/')}.py"
        if top == "tests" and helper.is_file() and helper not in seen | {path} and uses_wiring(helper, seen | {path}):
            return True
    return False


@cache
def tier(path: Path) -> str:
    return "integration" if uses_wiring(path.resolve()) else "unit"


@cache
def marks_integration(path: Path) -> bool:
    """True when the module marks a test (or itself) ``integration`` by hand (``mark.integration``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == "integration"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "mark"
        for node in ast.walk(tree)
    )


def without_tests_of(markexpr: str, path: Path) -> bool:
    """True when no test of the module at ``path`` can be selected by the marker expression: a
    ``unit`` module with ``-m integration`` or ``-m "not unit"`` unless it marks a test
    ``integration`` by hand, an ``integration`` module with ``-m unit``. Such a module need not
    be imported (``tests/conftest.py``): importing Dagster and the wiring costs seconds of the fast
    tier, and importing the unit modules seconds of the integration tier.
    """
    if markexpr == "unit":
        return tier(path) == "integration"
    if markexpr in ("integration", "not unit"):
        return tier(path) == "unit" and not marks_integration(path.resolve())
    return False


def mark_tiers(items: list[pytest.Item]) -> None:
    """Mark each test with the tier of its module, unless it is marked ``integration`` by hand."""
    for item in items:
        if item.get_closest_marker("integration") is None:
            item.add_marker(tier(item.path))
