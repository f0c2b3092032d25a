"""Where the outputs come from: the record of each source read (``provenance/source_records``)
or left out (``provenance/failure_records``), their table (``publication/sources``), every
quarantined row (``publication/quarantine``) and what sits in the input directory but is not a
source (``raw/input_layout``).
"""

from __future__ import annotations

from schemas.fields import Field
from schemas.table import Table

_SOURCE_KIND = Field(
    "source_kind", "id", "survey, ssi, context, uhc, reference, published or layout (the input folder).", required=True
)
_SOURCE_ID = Field("source_id", "id", "Survey id, SSI return id, table name or published source.", required=True)
# One quarantined row: the columns of quarantine/<kind>/<source>.parquet and publication/quarantine.
ISSUE_FIELDS = (
    Field("source_kind", "id", "survey, ssi, context, uhc or published.", required=True),
    Field("source_id", "id", "Survey id, SSI return id or context table name.", required=True),
    Field("source_file", "id", "File, relative to the input directory."),
    Field("sheet", "id", "Sheet (table) of an SSI return."),
    Field("row_number", "int", "Data row in the file or sheet (1 = first row below the header)."),
    Field("column", "id", "Canonical variable or column that broke the rule (a+b for rules on several columns)."),
    Field(
        "rule",
        "id",
        "The rule (e.g. type_integer, code_not_in_spec, isin([...]), greater_than(0), finite, unique_key, "
        "men_plus_women_le_total).",
        required=True,
    ),
    Field("value", "id", "The offending value as read."),
)

RESOURCES = [
    Table(
        "raw/input_layout",
        "What sits where a survey or SSI return goes but is not one, and every unreadable sources.yaml "
        '(data/raw/README.md, "Untrusted files"); each is also a left-out row of publication/sources.',
        (
            Field("source_kind", "id", "survey, ssi or context.", required=True),
            Field(
                "path", "id", "File or folder, relative to the input directory (a folder ends with /).", required=True
            ),
            Field("problem", "id", "What is wrong with it.", required=True),
            Field(
                "rule",
                "id",
                "The rule (layout, identifier, unique_id, file_exists, path_confined, regular_file, yaml, yaml_size, "
                "sources_layout).",
                required=True,
            ),
        ),
    ),
    Table(
        "publication/sources",
        "Every input source: files and SHA-256, vintage, rows read / kept / quarantined, run id; and every source "
        "left out, with the reason.",
        (
            _SOURCE_KIND,
            _SOURCE_ID,
            Field(
                "status", "code", "read, or left_out (the reason says why).", codes=("read", "left_out"), required=True
            ),
            Field("files", "id", "Files read, '<path>@<first 12 hex digits of the SHA-256>' joined by ';'."),
            Field("vintage", "id", "Vintage declared for the source (sources.yaml or the return)."),
            Field("rows_read", "int", "Rows read.", min=0),
            Field("rows_kept", "int", "Rows kept (rows read = kept + quarantined).", min=0),
            Field("rows_quarantined", "int", "Rows quarantined (publication/quarantine).", min=0),
            Field("reason", "id", "Why a source is left out."),
            Field("run_id", "id", "Dagster run that read the source."),
        ),
        primary_key=("source_kind", "source_id", "status"),
    ),
    Table(
        "publication/quarantine",
        "Every quarantined row of every source, with source file, sheet, row, column, rule and value (also per "
        "source in quarantine/<kind>/<source>.parquet).",
        ISSUE_FIELDS,
    ),
]

# The records of each source: one row per source, one file each (engine/store.py write_record),
# written by the step that read the source (or left it out), read by publication/sources, the
# indicator tables (vintages), the run summary and the sensors (fingerprints).
_RECORD_COMMON = (
    _SOURCE_KIND,
    _SOURCE_ID,
    Field("run_id", "id", "Dagster run that wrote the record.", required=True),
    Field("at", "id", "When the record was written (UTC, ISO 8601).", required=True),
)
RESOURCES += [
    Table(
        "provenance/source_records",
        "What was read of one source: its files with their SHA-256, fingerprint, vintage, whether it is synthetic, "
        "rows read / kept / quarantined and the run; one file per source (sources/<kind>/<source>.parquet).",
        (
            *_RECORD_COMMON,
            Field("rows_read", "int", "Rows read.", min=0),
            Field("rows_kept", "int", "Rows kept.", min=0),
            Field("rows_quarantined", "int", "Rows quarantined.", min=0),
        ),
        extra_columns="by source kind: files (path and SHA-256 of each file, or the paths), fingerprint, vintage, "
        "synthetic, country, year, survey_kind, absent_variables (surveys), tables (SSI returns), present, origin, "
        "licence (context tables), layout (published series)",
        file="sources/<source_kind>/<source_id>.parquet",
    ),
    Table(
        "provenance/failure_records",
        "Why a source was left out of its last run: the step, the message and, for a bad input, the file, place, "
        "rule and value; one file per source (failures/<kind>/<source>.parquet).",
        (
            *_RECORD_COMMON,
            Field("step", "id", "The step (asset) that failed.", required=True),
            Field("message", "id", "What is wrong, and how to fix it.", required=True),
            Field("file", "id", "The file at fault, relative to the input directory."),
            Field("where", "id", "Where in the file (sheet, row, column, spec key)."),
            Field("rule", "id", "The rule broken."),
            Field("value", "id", "The offending value."),
        ),
        file="failures/<source_kind>/<source_id>.parquet",
    ),
]
