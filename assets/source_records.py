"""Publication layer, traceability: what was read and what was set aside, in two tables.

``publication/sources``: one row per input source of the last runs (kind, id, files with their
SHA-256, vintage, rows read / kept / quarantined, run id), and one row per source left out with
the reason. ``publication/quarantine``: every quarantined row of every source, with source file,
row number, column, rule and value.

``publication/sources`` depends on every asset that writes a source record (``RECORD_WRITERS``):
in the publication job that orders it after the SDG 3.8.1 index, which records the UHC tracer
source, so that its row is there on a fresh output folder and carries this run's id (before,
it was read before being written: missing on a first run, the previous run's on later ones).
"""

from pathlib import Path

import dagster as dg
import polars as pl

from assets.resources import PipelineResource
from assets.tables import asset_key
from engine.quarantine import ISSUE_SCHEMA
from engine.store import FAILURE_RECORDS, SOURCE_RECORDS
from schemas.registry import INDICATORS, PUBLICATION, STAGING
from schemas.resources.context import TABLES as CONTEXT_TABLES

# The assets that write a record under <output>/sources/ (surveys and SSI returns per partition,
# context tables and the published SDG reference in the context job, the UHC index in the
# publication job).
RECORD_WRITERS = [
    asset_key(STAGING.survey_persons),
    asset_key(STAGING.ssi_coverage),
    asset_key(STAGING.published_sdg),
    asset_key(INDICATORS.sdg_3_8_1),
    # admin_coverage leaves out SSI returns that duplicate another's country and year
    asset_key(INDICATORS.admin_coverage),
    *(asset_key(getattr(STAGING, t.name)) for t in CONTEXT_TABLES),
]

SOURCES, QUARANTINE = PUBLICATION.sources, PUBLICATION.quarantine
SOURCES_SCHEMA = SOURCES.polars_schema()


def sources_table(records: list[dict], failures: list[dict]) -> pl.DataFrame:
    """One row per source read and per source left out, with the reason."""
    rows = [
        {
            "source_kind": r["source_kind"],
            "source_id": r["source_id"],
            "status": "read",
            "files": ";".join(
                f"{f['path']}@{f['sha256'][:12]}" if isinstance(f, dict) else str(f) for f in r.get("files", [])
            ),
            "vintage": None if r.get("vintage") is None else str(r.get("vintage")),
            "rows_read": r.get("rows_read"),
            "rows_kept": r.get("rows_kept"),
            "rows_quarantined": r.get("rows_quarantined"),
            "reason": None,
            "run_id": r.get("run_id"),
        }
        for r in records
    ] + [
        {
            "source_kind": f["source_kind"],
            "source_id": f["source_id"],
            "status": "left_out",
            "files": f.get("file"),
            "vintage": None,
            "rows_read": f.get("rows_read"),
            "rows_kept": f.get("rows_kept"),
            "rows_quarantined": f.get("rows_quarantined"),
            "reason": f.get("message"),
            "run_id": f.get("run_id"),
        }
        for f in failures
    ]
    return pl.DataFrame(rows, schema=SOURCES_SCHEMA).sort("source_kind", "source_id", "status")


def _record_ins() -> dict[str, dg.AssetIn]:
    """One input per asset that writes source records (its path: the records are read from
    ``sources/`` and ``failures/``), so that the lineage shows where the rows come from.
    """
    return {"__".join(k.path): dg.AssetIn(key=k, dagster_type=Path) for k in RECORD_WRITERS}


@dg.asset(
    key=asset_key(SOURCES),
    group_name=SOURCES.layer,
    kinds={"parquet"},
    ins=_record_ins(),
    description=SOURCES.description,
)
def sources(context: dg.AssetExecutionContext, pipeline: PipelineResource, **record_writers) -> dg.Output[pl.DataFrame]:
    """The table of the sources of the last runs."""
    store = pipeline.store()
    failures = store.read_records(FAILURE_RECORDS)
    failed = {(f["source_kind"], f["source_id"]) for f in failures}
    all_records = store.read_records(SOURCE_RECORDS)
    records = [r for r in all_records if (r["source_kind"], r["source_id"]) not in failed]
    # a source left out after reading (every row quarantined) keeps its row counts
    counts = {(r["source_kind"], r["source_id"], r.get("run_id")): r for r in all_records}
    for f in failures:
        record = counts.get((f["source_kind"], f["source_id"], f.get("run_id")))
        if record:
            f.update({k: record.get(k) for k in ("rows_read", "rows_kept", "rows_quarantined")})
    table = sources_table(records, failures)
    return dg.Output(
        table,
        metadata={
            "sources_read": len(records),
            "sources_left_out": len(failures),
            "rows_read": int(table["rows_read"].sum() or 0),
            "rows_quarantined": int(table["rows_quarantined"].sum() or 0),
        },
    )


@dg.asset(
    key=asset_key(QUARANTINE),
    group_name=QUARANTINE.layer,
    kinds={"parquet"},
    ins={SOURCES.table: dg.AssetIn(key=sources.key, dagster_type=Path)},
    description=QUARANTINE.description,
)
def quarantine(context: dg.AssetExecutionContext, pipeline: PipelineResource, sources: Path) -> dg.Output[pl.DataFrame]:
    """Every quarantined row of every source (after ``publication/sources``, like it read from the sources' steps)."""
    store = pipeline.store()
    frames = [pl.read_parquet(p) for p in store.quarantine_paths()]
    table = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame(schema=ISSUE_SCHEMA)
    table = table.sort("source_kind", "source_id", "sheet", "row_number", "column", nulls_last=True)
    by_rule = table.group_by("rule").agg(pl.len().alias("n")).sort("n", descending=True).head(10)
    return dg.Output(
        table,
        metadata={
            "issues": table.height,
            "top_rules": dg.MetadataValue.json(
                dict(zip(by_rule["rule"].to_list(), by_rule["n"].to_list(), strict=True))
            ),
        },
    )


SOURCE_RECORD_ASSETS = [sources, quarantine]
