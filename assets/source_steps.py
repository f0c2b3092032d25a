"""What every per-source step does around its work: record what it read, and when a source is
broken (or its step fails for any other reason), record why, remove that source's stale
outputs and fail with the message.

Downstream tables read whatever partitions exist, so removing a broken source's outputs is what
keeps it out of the indicators, and the failure record is how the run summary can say what was
left out and why.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import dagster as dg
import polars as pl

from assets.partitions import SSI_RETURNS, SURVEYS
from engine.errors import AllRowsQuarantined, SourceError
from engine.paths import valid_source_id
from engine.sources import LeftOut
from engine.ssi import DUPLICATE_RULE, duplicate_returns
from engine.store import FAILURE_RECORDS, SOURCE_RECORDS, ParquetStore
from schemas.registry import INDICATORS, partitioned_by

LAYOUT = "layout"  # failures/layout/: what is not a source although it sits where one goes

# The partition set of each source kind.
SOURCE_PARTITIONS = {"survey": SURVEYS, "ssi": SSI_RETURNS}

# Tables holding one partition per source, by source kind (the registry's tables partitioned by
# the kind's partition set, as (layer, table)); cleared when a source fails.
PARTITIONED_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    kind: tuple(t.key for t in partitioned_by(partitions.name)) for kind, partitions in SOURCE_PARTITIONS.items()
}


def clear_outputs(store: ParquetStore, source_kind: str, source_id: str, *, keep_records: bool = False) -> None:
    """Remove a source's partitions (``PARTITIONED_TABLES``), and its quarantine and source
    record unless ``keep_records``.
    """
    for layer, table in PARTITIONED_TABLES.get(source_kind, ()):
        store.remove(layer, table, source_id)
    if keep_records:
        return
    store.quarantine_path(source_kind, source_id).unlink(missing_ok=True)
    store.remove_record(SOURCE_RECORDS, source_kind, source_id)


def forget_removed_sources(
    store: ParquetStore, source_kind: str, present: set[str], partitions: set[str] = frozenset()
) -> list[str]:
    """Sources of ``source_kind`` no longer in the input directory (``present``) but with
    outputs, records or a partition (``partitions``): remove their outputs and their source and
    failure records, so that no later run reads or publishes them. Returns their ids.
    """
    stored = set(partitions)
    for layer, table in PARTITIONED_TABLES.get(source_kind, ()):
        stored |= set(store.partition_ids(layer, table))
    for folder in (SOURCE_RECORDS, FAILURE_RECORDS):
        stored |= set(store.record_ids(folder, source_kind))
    gone = sorted(s for s in stored - present if valid_source_id(s))  # no other name ever had outputs
    for source_id in gone:
        clear_outputs(store, source_kind, source_id)
        store.remove_record(FAILURE_RECORDS, source_kind, source_id)
    return gone


def record_left_out(store: ParquetStore, problems: list[LeftOut], *, run_id: str, step: str) -> None:
    """Replace the layout failure records (``failures/layout/``) by one per problem."""
    for old in store.record_ids(FAILURE_RECORDS, LAYOUT):
        store.remove_record(FAILURE_RECORDS, LAYOUT, old)
    for p in problems:
        write_failure_record(
            store,
            LAYOUT,
            p.record_id,
            source_kind=p.source_kind,
            source_id=p.path,
            step=step,
            message=p.message,
            run_id=run_id,
            file=p.path,
            rule=p.rule,
        )


def refuse_duplicate_returns(context: dg.AssetExecutionContext, store: ParquetStore, staged: pl.DataFrame) -> list[str]:
    """One return per country and year: every staged return (``staged``: ``staging/ssi_returns``,
    one row per return) that shares its country and reference year with another is left out
    (failure record naming the others, rule ``one_return_per_country_year``) and its outputs are
    removed, so that no table counts a return twice. Returns their ids.
    """
    if not staged.height:
        return []
    duplicates = duplicate_returns(staged.select("return_id", "country", "reference_year"))
    meta = {r["return_id"]: r for r in staged.iter_rows(named=True)}
    for return_id, others in duplicates.items():
        r = meta[return_id]
        err = SourceError(
            r.get("file") or return_id,
            f"{r['country']} {r['reference_year']} is also reported by {', '.join(others)}: one return per country and reference year; "
            "keep one of them (all are left out meanwhile)",
            value=return_id,
            rule=DUPLICATE_RULE,
        )
        clear_outputs(store, "ssi", return_id)
        record_failure(context, store, "ssi", return_id, INDICATORS.admin_coverage.name, err)
    return list(duplicates)


def write_failure_record(
    store: ParquetStore,
    kind_folder: str,
    record_id: str,
    *,
    source_kind: str | None = None,
    source_id: str | None = None,
    step: str,
    message: str,
    run_id: str,
    file: str | None = None,
    where: str | None = None,
    rule: str | None = None,
    value: str | None = None,
) -> None:
    """Write ``failures/<kind_folder>/<record_id>.parquet``: why the source (``source_kind`` and
    ``source_id``, by default the folder and the record id) was left out of run ``run_id`` (the
    summary and ``publication/sources.parquet`` read it). The one writer of failure records.
    """
    store.write_record(
        FAILURE_RECORDS,
        kind_folder,
        record_id,
        {
            "source_kind": source_kind or kind_folder,
            "source_id": source_id or record_id,
            "step": step,
            "message": message,
            "file": file,
            "where": where,
            "rule": rule,
            "value": value,
            "run_id": run_id,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )


@contextmanager
def source_step(
    context: dg.AssetExecutionContext,
    store: ParquetStore,
    source_kind: str,
    source_id: str,
    step: str,
    stale: tuple[tuple[str, str], ...] = (),
) -> Iterator[None]:
    """Run one source's step; on any exception record the failure, remove the source's
    partitions (``PARTITIONED_TABLES``) and the unpartitioned ``stale`` tables (layer, table),
    then fail: a ``SourceError`` (bad input: file, place, rule) as ``dg.Failure`` with its
    message, any other error (a bug or the machine) re-raised as it is, recorded with its type.
    A source whose every row was quarantined (``AllRowsQuarantined``) keeps its quarantine and
    source record (written by the step before it failed): they explain the failure, and the run
    totals count its rows.
    """
    try:
        yield
    except Exception as err:
        clear_outputs(store, source_kind, source_id, keep_records=isinstance(err, AllRowsQuarantined))
        for layer, table in stale:
            store.remove(layer, table)
        record_failure(context, store, source_kind, source_id, step, err)
        if not isinstance(err, SourceError):
            raise
        raise dg.Failure(
            description=str(err),
            metadata={
                "file": err.file,
                "where": err.where or "",
                "rule": err.rule or "",
                "value": "" if err.value is None else str(err.value),
            },
        ) from err
    else:
        store.remove_record(FAILURE_RECORDS, source_kind, source_id)


def record_failure(
    context: dg.AssetExecutionContext, store: ParquetStore, source_kind: str, source_id: str, step: str, err: Exception
) -> None:
    """Write the failure record of a source left out of the run (``failures/<kind>/<id>.parquet``:
    the step, the message and, for a ``SourceError``, the file, place, rule and value) and log it.
    """
    known = isinstance(err, SourceError)
    message = str(err) if known else f"{type(err).__name__}: {err}"
    write_failure_record(
        store,
        source_kind,
        source_id,
        step=step,
        message=message,
        run_id=context.run_id,
        file=err.file if known else None,
        where=err.where if known else None,
        rule=err.rule if known else None,
        value=None if not known or err.value is None else str(err.value),
    )
    context.log.error(f"{source_kind} {source_id} left out of this run: {message}")
