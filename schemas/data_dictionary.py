"""Render the data dictionary (``docs/data_dictionary.md``) from the table declarations, so the
documentation cannot drift from the code: ``python -m schemas.data_dictionary`` rewrites it and a
test fails when it is out of date.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from schemas.fields import Field
from schemas.registry import Table, tables_in_layer
from schemas.resources import context as context_tables
from schemas.resources import publication as publication_tables
from schemas.resources import ssi as ssi_tables

TARGET = Path(__file__).resolve().parent.parent / "docs" / "data_dictionary.md"
TYPES = {"id": "text", "code": "code", "flag": "boolean", "int": "integer", "float": "number"}


def _table(variables: Sequence[Field | Variable]) -> list[str]:
    lines = ["| column | type | values | required | meaning |", "|---|---|---|---|---|"]
    for v in variables:
        values = ""
        if v.codes and len(v.codes) <= 12:
            values = ", ".join(f"`{c}`" for c in v.codes)
        elif v.codes:
            values = f"{len(v.codes)} codes"
        bounds = []
        if v.min is not None:
            bounds.append(f">= {v.min:g}")
        if v.max is not None:
            bounds.append(f"<= {v.max:g}")
        if v.positive:
            bounds.append("> 0")
        values = "; ".join(x for x in (values, " ".join(bounds)) if x)
        lines.append(f"| `{v.name}` | {TYPES[v.kind]} | {values} | {'yes' if v.required else ''} | {v.description} |")
    return lines


def _registry_table(t: Table) -> list[str]:
    """One table of the registry: name and path, description, key, columns."""
    where = (
        f"`output/{t.path('<survey>' if t.partitions == 'surveys' else '<return>')}`"
        if t.partitions
        else f"`output/{t.path()}`"
    )
    head = [f"### `{t.name}` ({where})", "", t.description, ""]
    if t.storage == "other":
        return [*head, "Files, not a table.", ""]
    if t.as_read and not t.fields:
        return [*head, "Columns as read from the input, every one as text.", ""]
    key = f"Key: {', '.join(f'`{k}`' for k in t.primary_key)}." if t.primary_key else "No key: rows may repeat."
    more = [f"Columns as read; these are required: {', '.join(f'`{c}`' for c in t.fields)}.", ""] if t.as_read else []
    extra = [f"Further columns: {t.extra_columns}.", ""] if t.extra_columns else []
    return [*head, key, "", *more, *extra, *_table(t.columns), ""]


def render() -> str:
    """The data dictionary (Markdown) of every declared table."""
    out = [
        "# Data dictionary",
        "",
        "Generated from `schemas/` by `python -m schemas.data_dictionary`; do not edit by hand.",
        "Percent values are 0-100; standard errors, confidence bounds and gaps are in percentage points.",
        "",
        "## Published indicator tables (`output/indicators/`)",
        "",
        "Declared in `schemas/resources/` with the columns of `schemas/fields.py` (the table registry, `schemas.registry`).",
        "",
    ]
    for t in tables_in_layer("indicators"):
        out += _registry_table(t)
    out += []
    out += ["## Staging tables of surveys and SSI returns (`output/staging/`)", ""]
    for t in tables_in_layer("staging"):
        if t.partitions and not t.as_read:
            out += _registry_table(t)
    out += [
        "## SSI return tables (input)",
        "",
    ]
    for sheet in ssi_tables.TABLES:
        out += [
            f"### `{sheet.sheet}` (`{sheet.csv}`)",
            "",
            f"Key: {', '.join(f'`{k}`' for k in sheet.key)}.",
            "",
            *_table(sheet.columns),
            "",
        ]
    out += [
        "## Publication tables (`output/publication/`, and their internal companions)",
        "",
        "Declared in `schemas/resources/publication.py`; every table is written in exactly these columns. "
        "How they are made and how to open them: `docs/publication.md`.",
        "",
    ]
    for t in publication_tables.RESOURCES:
        out += _registry_table(t)
    out += ["## Context, UHC and reference tables (input and `output/staging/<table>.parquet`)", ""]
    for context in context_tables.TABLES:
        out += [
            f"### `{context.name}` (`{context.file}`)",
            "",
            context.description,
            "",
            f"Key: {', '.join(f'`{k}`' for k in context.key)}.",
            "",
            *_table(context.columns),
            "",
        ]
    out += [
        "## Quarantine (`output/quarantine/<kind>/<source>.parquet`, `output/publication/quarantine.parquet`)",
        "",
        "| column | meaning |",
        "|---|---|",
        "| `source_kind` | survey, ssi or context |",
        "| `source_id` | survey id, SSI return id or context table name |",
        "| `source_file` | file, relative to the input directory |",
        "| `sheet` | sheet (table) of an SSI return |",
        "| `row_number` | data row in the file or sheet (1 = first row below the header) |",
        "| `column` | canonical variable or column that broke the rule (`a+b` for rules on several columns) |",
        "| `rule` | the rule (e.g. `type_integer`, `code_not_in_spec`, `isin([...])`, `greater_than(0)`, `finite`, `unique_key`, `men_plus_women_le_total`) |",
        "| `value` | the offending value as read |",
        "",
        "## Left out by the input layout (`output/raw/input_layout.parquet`, `output/failures/layout/<name>.json`)",
        "",
        "What sits where a survey or SSI return goes but is not one, and every unreadable `sources.yaml` "
        '(data/raw/README.md, "Untrusted files"); each is also a left-out row of `publication/sources`.',
        "",
        "| column | meaning |",
        "|---|---|",
        "| `source_kind` | survey, ssi or context |",
        "| `path` | file or folder, relative to the input directory (a folder ends with `/`) |",
        "| `problem` | what is wrong with it |",
        "| `rule` | the rule (`layout`, `identifier`, `unique_id`, `file_exists`, `path_confined`, `regular_file`, `yaml`, `yaml_size`, `sources_layout`) |",
        "",
    ]
    return "\n".join(out)


def main() -> int:
    """Write the data dictionary to ``docs/data_dictionary.md``."""
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
