"""The short summary printed at the end of the main command: sources read, rows kept and
quarantined, sources left out and why, checks failed, where the outputs are, and the result.
The same content is written to ``<output>/run_summary.json``.

The result (``result``: ``succeeded`` or ``failed`` with its reasons; :func:`exit_code`) is
failed when a Dagster run failed (a source left out, a step failed) or when a check of severity
ERROR failed: an ERROR check guards a published number, so a run whose ERROR check fails is a
failed run (exit code 1), named on the last line of the summary. WARN checks (quarantined rows,
changes to review) are listed and leave the result alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from engine.publication.labels import synthetic_names
from engine.store import FAILURE_RECORDS, SOURCE_RECORDS, ParquetStore
from pipelines.runner import RunOutcome

OUTPUT_LAYERS = ("indicators", "publication")
# Outputs that are not Parquet tables, per layer folder: the SDMX export, the DuckDB catalog,
# the figures and the entry page of the Data Docs.
FILE_OUTPUTS = (
    "*.csv",
    "*.duckdb",
    "*.xlsx",
    "figures/*.png",
    "figures/*/*.png",
    "figures/*/*.svg",
    "figures/*/*.pdf",
    "figures/*.svg",
    "figures/*.pdf",
    "data_docs/index.html",
)


def build_summary(store: ParquetStore, outcomes: list[RunOutcome], *, input_dir: Path, dagster_home: Path) -> dict:
    """The summary of the runs ``outcomes`` (their sources, rows, checks, skips and result) as a JSON-ready dict."""
    run_ids = {o.run_id for o in outcomes}
    sources = [r for r in store.read_records(SOURCE_RECORDS) if r.get("run_id") in run_ids]
    failures = [r for r in store.read_records(FAILURE_RECORDS) if r.get("run_id") in run_ids]
    checks = [c for o in outcomes for c in o.check_failures]
    reasons = [f"run failed: {_where(o.job, o.partition)}" for o in outcomes if not o.success]
    reasons += [f"{len(failures)} source(s) left out (see Left out)"] if failures else []
    reasons += [
        f"ERROR check failed: {_where(c['asset'], c.get('partition'))} {c['check']}"
        for c in checks
        if c["severity"] == "ERROR"
    ]
    outputs = []
    for layer in OUTPUT_LAYERS:
        folder = store.root / layer
        for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
            outputs.append({"path": str(path), "rows": pl.scan_parquet(path).select(pl.len()).collect().item()})
        files = [p for pattern in FILE_OUTPUTS for p in folder.glob(pattern)] if folder.is_dir() else []
        for path in sorted(files):
            outputs.append({"path": str(path), "rows": None})
    return {
        "input_dir": str(input_dir),
        "output_dir": str(store.root),
        "dagster_home": str(dagster_home),
        "runs": [
            {
                "job": o.job,
                "partition": o.partition,
                "run_id": o.run_id,
                "success": o.success,
                "seconds": round(o.seconds, 2),
                "cpu_seconds": None if o.cpu_seconds is None else round(o.cpu_seconds, 2),
                "peak_memory_mb": None if o.peak_memory_bytes is None else round(o.peak_memory_bytes / 1e6),
                "skipped": o.skipped,
                "run_reason": o.reason,
            }
            for o in outcomes
        ],
        "sources": sorted(sources, key=lambda r: (r["source_kind"], r["source_id"])),
        "left_out": sorted(failures, key=lambda r: (r["source_kind"], r["source_id"])),
        "failed_steps": [
            {"job": o.job, "partition": o.partition, "steps": o.failed_steps} for o in outcomes if o.failed_steps
        ],
        "checks_failed": checks,
        "result": {"status": "failed" if reasons else "succeeded", "reasons": reasons},
        "outputs": outputs,
        "totals": {
            "sources_read": len(sources),
            "rows_read": sum(r.get("rows_read", 0) for r in sources),
            "rows_kept": sum(r.get("rows_kept", 0) for r in sources),
            "rows_quarantined": sum(r.get("rows_quarantined", 0) for r in sources),
            "sources_left_out": len(failures),
            "sources_synthetic": sum(1 for r in sources if synthetic_names([r])),
            "checks_failed": len(checks),
            "checks_failed_error": sum(1 for c in checks if c["severity"] == "ERROR"),
        },
    }


def _where(name: str, partition: str | None) -> str:
    return name + (f"[{partition}]" if partition else "")


def exit_code(summary: dict) -> int:
    """The main command's exit code: 0 when the result succeeded, 1 when it failed."""
    return 0 if summary["result"]["status"] == "succeeded" else 1


def write_summary(store: ParquetStore, summary: dict) -> Path:
    """Write ``summary`` to ``<output>/run_summary.json`` and return its path."""
    path = store.root / "run_summary.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    return path


def _runs_lines(runs: list[dict]) -> list[str]:
    """What ran and what was skipped, and why (``pipelines.run_state``)."""
    skipped = [r for r in runs if r.get("skipped")]
    ran = len(runs) - len(skipped)
    lines = [f"Runs: {ran} ran, {len(skipped)} skipped"]
    if skipped and ran:
        lines.append("Ran:")
        lines.extend(f"  {_where(r['job'], r['partition'])}: {r['run_reason']}" for r in runs if not r.get("skipped"))
    if skipped:
        lines.append(
            "Skipped (inputs, method configuration, code and settings unchanged since their last run, which "
            "succeeded, and outputs as it left them; its outputs and failed checks are the ones reported here):"
        )
        by_job: dict[str, list[str]] = {}
        for r in skipped:
            by_job.setdefault(r["job"], []).append(r["partition"] or "")
        for job, partitions in by_job.items():
            named = [p for p in partitions if p]
            lines.append(f"  {job}" + (f" ({len(named)}): {', '.join(named)}" if named else ""))
    return lines


def format_summary(summary: dict) -> str:
    """The summary as the text printed at the end of the main command."""
    t = summary["totals"]
    lines = ["", "=" * 78, "Run summary", "=" * 78]
    lines.append(f"Input:  {summary['input_dir']}")
    lines.append(f"Output: {summary['output_dir']}")
    kinds = {}
    for r in summary["sources"]:
        kinds[r["source_kind"]] = kinds.get(r["source_kind"], 0) + 1
    lines.append(
        f"Sources read: {t['sources_read']} ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}); "
        f"rows read {t['rows_read']:,}, kept {t['rows_kept']:,}, quarantined {t['rows_quarantined']:,}"
    )
    synthetic = sorted(r["source_id"] for r in summary["sources"] if synthetic_names([r]))
    lines.append(
        f"Synthetic sources: {len(synthetic)} of {t['sources_read']}"
        + (
            f" (values resting on them are labelled synthetic in every published table, the SDMX file, the workbook and the figures): {', '.join(synthetic)}"
            if synthetic
            else ""
        )
    )
    quarantined = [r for r in summary["sources"] if r.get("rows_quarantined")]
    if quarantined:
        lines.append("Quarantined rows by source (see <output>/quarantine/):")
        for r in quarantined:
            lines.append(
                f"  {r['source_kind']:<8} {r['source_id']:<24} {r['rows_quarantined']:>7,} of {r['rows_read']:>9,}"
            )
    if summary["left_out"]:
        lines.append(f"Left out of this run ({len(summary['left_out'])}):")
        for f in summary["left_out"]:
            lines.append(f"  {f['source_kind']} {f['source_id']}: {f['message']}")
    else:
        lines.append("Left out of this run: none")
    other_failures = [
        s for s in summary["failed_steps"] if not any(f["source_id"] == s["partition"] for f in summary["left_out"])
    ]
    for s in other_failures:
        lines.append(f"Failed steps in {s['job']}{'[' + s['partition'] + ']' if s['partition'] else ''}:")
        lines.extend(f"  {step}" for step in s["steps"])
    lines.append(
        f"Checks failed: {t['checks_failed']} ({t['checks_failed_error']} errors, {t['checks_failed'] - t['checks_failed_error']} warnings)"
    )
    for c in summary["checks_failed"]:
        where = _where(c["asset"], c.get("partition"))
        detail = ", ".join(
            f"{k}={v}" for k, v in c["metadata"].items() if isinstance(v, (int, float, str)) and len(str(v)) < 40
        )
        lines.append(f"  {c['severity']:<5} {where} {c['check']}: {detail}")
    lines.append("Outputs:")
    for o in summary["outputs"]:
        rows = f" ({o['rows']:,} rows)" if o["rows"] is not None else ""
        lines.append(f"  {o['path']}{rows}")
    lines.extend(_runs_lines(summary["runs"]))
    lines.append(f"Dagster runs recorded in {summary['dagster_home']} (open the UI with: python tasks.py ui)")
    result = summary["result"]
    if result["status"] == "succeeded":
        lines.append("Result: succeeded (exit code 0)")
    else:
        lines.append(f"Result: FAILED (exit code 1): {'; '.join(result['reasons'])}")
    return "\n".join(lines)
