"""Imports point down only: ``pipelines/`` (the Dagster wiring) -> ``assets/`` (asset
definitions) -> ``engine/`` (statistics) -> ``schemas/`` (declarations); ``sql/`` and ``config/``
hold data. A module may import its own package and the packages below it, never one above, and
``engine/`` and ``schemas/`` never import Dagster. Imports inside ``if TYPE_CHECKING:`` are
left out: they name a type for annotations and are not run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("schemas", "engine", "assets", "pipelines")  # bottom first
DATA = ("sql", "config")
NO_DAGSTER = ("schemas", "engine")


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:``."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            inside |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return inside


def imports(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, top-level package) of every import the module (of ``package``) runs, relative
    imports resolved to ``package``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _type_checking_blocks(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, package if node.level else (node.module or "").split(".")[0]))
    return found


def upward_edges(root: Path = ROOT) -> list[str]:
    """``file:line: layer imports package`` for every import that points up or into Dagster."""
    edges = []
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            for line, top in imports(path, layer):
                where = f"{path.relative_to(root)}:{line}"
                if top in LAYERS and LAYERS.index(top) > LAYERS.index(layer):
                    edges.append(f"{where}: {layer} imports {top}")
                elif top == "dagster" and layer in NO_DAGSTER:
                    edges.append(f"{where}: {layer} imports dagster")
    return edges


def test_the_import_graph_has_no_upward_edge():
    assert upward_edges() == []


@pytest.mark.parametrize(
    ("layer", "source", "expected"),
    [
        ("assets", "from pipelines.resources import PipelineResource\n", "assets imports pipelines"),
        ("schemas", "import engine.finite\n", "schemas imports engine"),
        ("engine", "def f():\n    from assets.partitions import SURVEYS\n", "engine imports assets"),
        ("engine", "import dagster as dg\n", "engine imports dagster"),
    ],
)
def test_an_upward_import_is_found_with_its_file_and_line(tmp_path, layer, source, expected):
    for name in LAYERS:
        (tmp_path / name).mkdir()
    (tmp_path / layer / "module.py").write_text("from __future__ import annotations\n" + source)
    assert [e.split(": ", 1)[1] for e in upward_edges(tmp_path)] == [expected]
    assert upward_edges(tmp_path)[0].startswith(f"{layer}/module.py:")


def test_downward_and_type_only_imports_are_allowed(tmp_path):
    for name in LAYERS:
        (tmp_path / name).mkdir()
    (tmp_path / "pipelines" / "wiring.py").write_text(
        "import assets.resources\nfrom engine import store\nimport dagster\n"
    )
    (tmp_path / "assets" / "asset.py").write_text(
        "from engine.sql import run_sql_file\nfrom schemas import tables\nfrom . import partitions\n"
    )
    (tmp_path / "schemas" / "suite.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from engine.publication.config import PublicationConfig\n"
    )
    assert upward_edges(tmp_path) == []
