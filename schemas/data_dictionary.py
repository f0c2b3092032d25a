"""Render the data dictionary (``docs/data_dictionary.md``) from the table declarations, so the
documentation cannot drift from the code: ``python -m schemas.data_dictionary`` rewrites it and a
test fails when it is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from schemas import context_tables, indicator_tables, publication_tables, ssi_tables, survey_variables
from schemas.survey_variables import Variable

TARGET = Path(__file__).resolve().parent.parent / "docs" / "data_dictionary.md"
TYPES = {"id": "text", "code": "code", "flag": "boolean", "int": "integer", "float": "number"}


def _table(variables: tuple[Variable, ...]) -> list[str]:
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


def render() -> str:
    out = [
        "# Data dictionary",
        "",
        "Generated from `schemas/` by `python -m schemas.data_dictionary`; do not edit by hand.",
        "Percent values are 0-100; standard errors, confidence bounds and gaps are in percentage points.",
        "",
        "## Published indicator tables (`output/indicators/`, `output/publication/`)",
        "",
        "### `sdg_1_3_1`, `sdg_3_8_2` (long layout)",
        "",
        f"Key: {', '.join(f'`{k}`' for k in indicator_tables.COVERAGE_KEY)}.",
        "",
        *_table(indicator_tables.COVERAGE_COLUMNS),
        "",
        "### `sdg_3_8_2`",
        "",
        "The layout of `sdg_1_3_1` with two household breakdowns after `urban_rural` and a count of the survey's households after "
        "`reliability`; `sex` is the sex of the household head.",
        "",
        *_table(indicator_tables.HARDSHIP_EXTRA + indicator_tables.HARDSHIP_SURVEY_COUNTS),
        "",
        "### `sdg_1_3_1_gaps`, `sdg_3_8_2_gaps`",
        "",
        f"Key: {', '.join(f'`{k}`' for k in indicator_tables.GAP_KEY)}.",
        "",
        *_table(indicator_tables.GAP_COLUMNS),
        "",
        "### `not_computable`",
        "",
        *_table(indicator_tables.NOT_COMPUTABLE_COLUMNS),
        "",
        "### `sdg_3_8_1`",
        "",
        "The UHC service coverage index per country and year; the tracer detail with imputation flags is",
        "`indicators/sdg_3_8_1_tracers.parquet`, the population-weighted regional values",
        "`indicators/sdg_3_8_1_regional.parquet` (columns described in `engine/uhc_index.py`).",
        "",
        f"Key: {', '.join(f'`{k}`' for k in indicator_tables.UHC_KEY)}.",
        "",
        *_table(indicator_tables.UHC_COLUMNS),
        "",
        "### `groups_at_risk`",
        "",
        "Coverage of the groups at risk from surveys (sql/groups_survey.sql): the long layout with a group breakdown instead of nationality, age group and area.",
        "",
        f"Key: {', '.join(f'`{k}`' for k in indicator_tables.GROUPS_KEY)}.",
        "",
        *_table(indicator_tables.GROUPS_COLUMNS),
        "",
        "### `groups_at_risk_gaps`",
        "",
        f"Key: {', '.join(f'`{k}`' for k in indicator_tables.GROUPS_GAP_KEY)}.",
        "",
        *_table(indicator_tables.GROUPS_GAP_COLUMNS),
        "",
        "### `benefit_adequacy`",
        "",
        "Benefit levels by function and sex: surveys (sql/benefit_adequacy.sql) and SSI returns with an Expenditure table (sql/benefit_adequacy_admin.sql). Amounts in the local currency of the source, per year.",
        "",
        f"Key: {', '.join(f'`{k}`' for k in indicator_tables.ADEQUACY_KEY)}.",
        "",
        *_table(indicator_tables.ADEQUACY_COLUMNS),
        "",
        "### `benefit_adequacy_gaps`",
        "",
        f"Key: {', '.join(f'`{k}`' for k in indicator_tables.ADEQUACY_GAP_KEY)}.",
        "",
        *_table(indicator_tables.ADEQUACY_GAP_COLUMNS),
        "",
        "## Canonical survey person table (`output/staging/survey_persons/<survey>.parquet`)",
        "",
        f"Key: {', '.join(f'`{k}`' for k in survey_variables.PRIMARY_KEY)}.",
        "",
        *_table(survey_variables.ALL),
        "",
        "## SSI coverage counts (`output/staging/ssi_coverage/<return>.parquet`)",
        "",
        f"Key: {', '.join(f'`{k}`' for k in ssi_tables.COVERAGE_KEY)}.",
        "",
        *_table(ssi_tables.COVERAGE_COLUMNS),
        "",
        "## SSI scheme inventory (`output/staging/ssi_schemes/<return>.parquet`)",
        "",
        f"Key: {', '.join(f'`{k}`' for k in ssi_tables.SCHEMES_KEY)}.",
        "",
        *_table(ssi_tables.SCHEMES_COLUMNS),
        "",
        "## SSI benefit expenditure (`output/staging/ssi_expenditure/<return>.parquet`)",
        "",
        f"Key: {', '.join(f'`{k}`' for k in ssi_tables.EXPENDITURE_KEY)}.",
        "",
        *_table(ssi_tables.EXPENDITURE_COLUMNS),
        "",
        "## SSI legal provisions for non-nationals (`output/staging/ssi_legal_provisions/<return>.parquet`)",
        "",
        f"Key: {', '.join(f'`{k}`' for k in ssi_tables.LEGAL_KEY)}.",
        "",
        *_table(ssi_tables.LEGAL_COLUMNS),
        "",
        "## SSI return tables (input)",
        "",
    ]
    for t in ssi_tables.TABLES:
        out += [
            f"### `{t.sheet}` (`{t.csv}`)",
            "",
            f"Key: {', '.join(f'`{k}`' for k in t.key)}.",
            "",
            *_table(t.columns),
            "",
        ]
    out += [
        "## Publication tables (`output/publication/`, and their internal companions)",
        "",
        "Declared in `schemas/publication_tables.py`; every table is written in exactly these columns. "
        "How they are made and how to open them: `docs/publication.md`.",
        "",
        *publication_tables.render_markdown(_table),
    ]
    out += ["## Context, UHC and reference tables (input and `output/staging/<table>.parquet`)", ""]
    for t in context_tables.TABLES:
        out += [
            f"### `{t.name}` (`{t.file}`)",
            "",
            t.description,
            "",
            f"Key: {', '.join(f'`{k}`' for k in t.key)}.",
            "",
            *_table(t.columns),
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
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
