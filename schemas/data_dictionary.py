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
from schemas.resources import ssi as ssi_tables

TARGET = Path(__file__).resolve().parent.parent / "docs" / "data_dictionary.md"
TYPES = {"id": "text", "code": "code", "flag": "boolean", "int": "integer", "float": "number"}


def _table(variables: Sequence[Field]) -> list[str]:
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


LAYERS = {
    "raw": "Raw layer (`output/raw/`): the inputs as read",
    "staging": "Staging layer (`output/staging/`): validated canonical tables",
    "indicators": "Indicators layer (`output/indicators/`): estimates and the published indicator tables",
    "publication": "Publication layer (`output/publication/`): country values, aggregates, exports",
    "provenance": "Provenance (`output/sources/`, `output/failures/`): the record of each source read or left out",
}


def render() -> str:
    """The whole dictionary: every table of the registry by layer, then the input contract of
    the SSI return sheets and the context files.
    """
    out = [
        "# Data dictionary",
        "",
        "Generated from the table registry (`schemas/registry.py`: every table the pipeline writes, declared once in "
        "`schemas/resources/` with the columns of `schemas/fields.py`) by `python -m schemas.data_dictionary`; do not "
        "edit by hand. Percent values are 0-100; standard errors, confidence bounds and gaps are in percentage points. "
        "How the publication tables are made and how to open them: `docs/publication.md`.",
        "",
    ]
    for layer, title in LAYERS.items():
        out += [f"## {title}", ""]
        for t in tables_in_layer(layer):
            out += _registry_table(t)
    out += [
        "## Input contract: the tables of an SSI return (`data/raw/ssi/`)",
        "",
        "Sheets of the workbook, or CSV files of the return's folder (`data/raw/README.md`, section 2); the staging "
        "tables above are built from their kept rows.",
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
        "## Input contract: context, UHC and reference files (`data/raw/`)",
        "",
        "Each file is read as text into `raw/<table>` and validated into `staging/<table>`, whose columns are "
        "listed above; a required file must be present (`data/raw/README.md`, sections 3-5).",
        "",
        "| file | table | required | F + M <= T for |",
        "|---|---|---|---|",
        *(
            f"| `{t.file}` | `staging/{t.name}` | {'yes' if t.required else ''} | "
            f"{', '.join(f'`{c}`' for c in t.sex_totals)} |"
            for t in context_tables.TABLES
        ),
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
