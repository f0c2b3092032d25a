"""No table name spelled in ``assets/``: an asset names a table through the registry
(``INDICATORS.sdg_1_3_1``, ``table_outs(...)``, an argument named after the table it reads),
never by a string of its own, so that a table's name lives in ``schemas/resources/`` only and a
misspelt one fails on import instead of reading or writing the wrong file (issue 12, done-when:
"a grep for table-name strings in assets/ finds none").

The scan reads the source with ``ast``: every string constant (f-string parts included) equal to
a registry table's name (``indicators/sdg_1_3_1``) or its name within its layer (``sdg_1_3_1``)
is a finding, except the keys of a ``metadata={...}`` dict (labels of the numbers shown with a
materialisation, such as ``countries``: a count, not a table) and the entries of ``ALLOWED``,
each with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

from engine.method_config import FAMILIES, available_families
from schemas.registry import TABLES

ROOT = Path(__file__).resolve().parents[1]

# (file relative to the project, string) -> why it is not a table name there.
ALLOWED = {
    ("assets/partitions.py", "ssi_returns"): "the name of the dynamic partition set of the SSI returns, which the "
    "registry's `partitions=` field names; the Dagster instance stores partitions under it",
}


def table_names() -> set[str]:
    """Every registry table as ``<layer>/<table>`` and as ``<table>``."""
    return set(TABLES) | {name.split("/", 1)[1] for name in TABLES}


def metadata_keys(tree: ast.AST) -> set[int]:
    """Ids of the key nodes of every ``metadata={...}`` dict literal."""
    keys = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "metadata":
            for value in ast.walk(node.value):
                if isinstance(value, ast.Dict):
                    keys |= {id(k) for k in value.keys if k is not None}
    return keys


def table_name_strings(source: str, names: set[str]) -> list[tuple[int, str]]:
    """(line, string) of every string constant of ``source`` that is a table name."""
    tree = ast.parse(source)
    labels = metadata_keys(tree)
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in names
        and id(node) not in labels
    )


def findings(folder: Path) -> list[str]:
    names = table_names()
    out = []
    for path in sorted(folder.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.as_posix()
        for line, value in table_name_strings(path.read_text(encoding="utf-8"), names):
            if (rel, value) not in ALLOWED:
                out.append(f"{rel}:{line}: {value!r}")
    return out


def test_no_table_name_strings_in_assets():
    found = findings(ROOT / "assets")
    assert found == [], "table names spelled as strings in assets/ (name them through schemas.registry):\n" + "\n".join(
        found
    )


def test_the_scan_finds_what_the_assets_spelled_before():
    """The scan flags the forms the assets used (output names, asset keys, step names, frame
    dicts, check keys) and leaves metadata labels alone.
    """
    before = """
outs = {"sdg_1_3_1": _out("SDG 1.3.1 ...", {"parquet"})}
KEY = dg.AssetKey(["staging", "survey_persons"])
with source_step(context, store, "survey", survey_id, "raw/survey_file"):
    pass
frames = {"headline": headline, "annex": annex}
yield dg.Output(frame, output_name=f"{'sdg_3_8_1'}", metadata={"countries": 3, "rows": 2})
"""
    found = sorted(v for _, v in table_name_strings(before, table_names()))
    assert found == sorted(["sdg_1_3_1", "survey_persons", "raw/survey_file", "headline", "annex", "sdg_3_8_1"])


def test_allowed_strings_are_still_there():
    """An allowance whose string left its file is stale: remove it."""
    names = table_names()
    for rel, value in ALLOWED:
        assert value in names
        assert value in {v for _, v in table_name_strings((ROOT / rel).read_text(encoding="utf-8"), names)}, rel


def test_method_families_are_the_config_files():
    assert sorted(FAMILIES) == available_families()
