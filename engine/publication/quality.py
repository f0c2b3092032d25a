"""Run the Great Expectations suites of ``schemas.gx_suites`` and write Data Docs.

GX 1.x, ephemeral context (nothing written besides the Data Docs), pandas copies of the Polars
frames (GX has no Polars engine), progress bars off; set ``GX_ANALYTICS_ENABLED=false`` in the
environment (the pipeline's entry points do). GX is imported on first use: it takes seconds.

:func:`run_suites` validates every suite whose table is among the frames given and returns one
:class:`SuiteResult` per suite (a suite whose table is absent is ``skipped``).
:func:`write_data_docs` renders the context's validation results as GX Data Docs (a file site
built in a temporary folder next to the target, then renamed over it): ``index.html`` links
every suite and every validation result. :func:`results_frame` flattens the results, one row
per expectation, for ``publication/validation_results``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from engine.publication.config import PublicationConfig
from engine.publication.imputation import donor_ranges
from schemas.gx_suites import DONOR_RANGES, SUITES, Frames, Suite
from schemas.resources.publication import VALIDATION_RESULTS

RESULT_SCHEMA = VALIDATION_RESULTS.polars_schema()


@dataclass
class SuiteResult:
    """The result of one expectation suite on one table: success, the rows checked and one record
    per expectation (``skipped`` when the table was not there to check).
    """

    name: str
    table: str
    severity: str
    description: str
    success: bool
    skipped: bool = False
    rows: int = 0
    expectations: list[dict[str, Any]] = field(default_factory=list)
    failure_sample: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The records of the expectations that failed."""
        return [e for e in self.expectations if not e["success"]]


def gx_context():
    """A new ephemeral GX context without progress bars."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _expectation(kind: str, kwargs: dict[str, Any]):
    import great_expectations.expectations as gxe

    return getattr(gxe, kind)(**kwargs)


def _column(kwargs: dict[str, Any]) -> str:
    for key in ("column", "column_list"):
        if key in kwargs:
            value = kwargs[key]
            return ",".join(value) if isinstance(value, list) else str(value)
    if "column_A" in kwargs:
        return f"{kwargs['column_A']},{kwargs['column_B']}"
    return ""


def _error(info: dict | None) -> str | None:
    """The exception message of a result (GX nests it per metric when a metric failed)."""
    if not info:
        return None
    if "exception_message" in info:
        return info["exception_message"] if info.get("raised_exception") else None
    messages = [
        str(v["exception_message"]) for v in info.values() if isinstance(v, dict) and v.get("exception_message")
    ]
    return "; ".join(messages) or None


def _sample(frame: pl.DataFrame, indices: list[int], n: int) -> pl.DataFrame:
    if not indices:
        return pl.DataFrame()
    rows = sorted({int(i) for i in indices if i is not None})[:n]
    return frame.with_row_index("row").filter(pl.col("row").is_in(rows))


def run_suite(context, suite: Suite, frame: pl.DataFrame, config: PublicationConfig, tag: str = "") -> SuiteResult:
    """Run ``suite`` on ``frame`` in the GX ``context`` (suite and asset named with ``tag``) and
    return one record per expectation, in the suite's order, with a sample of the failing values.
    """
    import great_expectations as gx

    name = f"{suite.name}{tag}"
    source = context.data_sources.add_or_update_pandas(f"publication{tag}")
    if name in [a.name for a in source.assets]:
        source.delete_asset(name)
    asset = source.add_dataframe_asset(name)
    batch = asset.add_batch_definition_whole_dataframe("whole")
    specs = suite.expectations(config)
    # the suite is stored once with all its expectations (adding them one by one re-serialises the
    # whole suite at each one: a quarter of the suites' time)
    gx_suite = context.suites.add_or_update(
        gx.ExpectationSuite(
            name=name,
            expectations=[_expectation(kind, kwargs) for kind, kwargs in specs],
            meta={"notes": suite.description},
        )
    )
    ids = [e.id for e in gx_suite.expectations]
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=batch, suite=gx_suite)
    )
    pdf = frame.to_pandas()
    result = definition.run(
        batch_parameters={"dataframe": pdf}, result_format={"result_format": "COMPLETE", "partial_unexpected_count": 20}
    )
    n = int(config.quality["failure_sample_rows"])
    expectations, bad_rows = [], []
    by_id = {r.expectation_config.id: r for r in result.results}  # results do not keep the suite's order
    for (kind, kwargs), gx_id in zip(specs, ids, strict=True):
        r = by_id[gx_id]
        info = r.result or {}
        indices = [i for i in (info.get("unexpected_index_list") or []) if isinstance(i, (int,))]
        bad_rows += indices
        expectations.append(
            {
                "expectation": kind,
                "column": _column(kwargs),
                "success": bool(r.success),
                "element_count": info.get("element_count"),
                "unexpected_count": info.get("unexpected_count"),
                "unexpected_sample": json.dumps([str(v) for v in (info.get("partial_unexpected_list") or [])[:n]]),
                "error": _error(r.exception_info),
            }
        )
    return SuiteResult(
        name=suite.name,
        table=suite.table,
        severity=suite.severity,
        description=suite.description,
        success=bool(result.success),
        rows=frame.height,
        expectations=expectations,
        failure_sample=_sample(frame, bad_rows, n),
    )


def derived_views(frames: Frames, config: PublicationConfig) -> Frames:
    """The check views that need the publication's rules, by the name the suites read them
    (``schemas.gx_suites.DONOR_RANGES``), for the tables present.
    """
    if all(t in frames for t in ("country_lineup", "countries", "income_groups")):
        return {
            DONOR_RANGES: donor_ranges(frames["country_lineup"], frames["countries"], frames["income_groups"], config)
        }
    return {}


def run_suites(
    frames: Frames, config: PublicationConfig, context=None, *, tag: str = "", suites: tuple[Suite, ...] = SUITES
) -> list[SuiteResult]:
    """Validate ``suites`` on ``frames`` (table name -> Polars frame). ``context``: a GX context
    to reuse (a new ephemeral one by default); ``tag`` suffixes GX object names so that
    several runs can share one context.
    """
    context = context or gx_context()
    frames = {**frames, **derived_views(frames, config)}
    results = []
    for suite in suites:
        if any(t not in frames for t in (suite.table, *suite.also_reads)):
            results.append(
                SuiteResult(suite.name, suite.table, suite.severity, suite.description, success=True, skipped=True)
            )
            continue
        results.append(run_suite(context, suite, suite.prepare(frames, config), config, tag))
    return results


def results_frame(results: list[SuiteResult]) -> pl.DataFrame:
    """The expectation records of ``results`` as one frame of ``RESULT_SCHEMA``."""
    rows = [{"suite": r.name, "table": r.table, "severity": r.severity, **e} for r in results for e in r.expectations]
    return pl.DataFrame(rows, schema=RESULT_SCHEMA)


def write_data_docs(context, target: Path) -> Path:
    """Build the context's Data Docs into ``target`` (replaced); returns ``target/index.html``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    build.chmod(0o755)  # a site to be read by others (mkdtemp makes it private)
    site = f"publication_{build.name.strip('.').replace('.', '_')}"
    context.add_data_docs_site(
        site_name=site,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(build)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    try:
        context.build_data_docs(site_names=[site])
        old = target.with_name(f".{target.name}.old")
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
            target.replace(old)
        build.replace(target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    finally:
        context.delete_data_docs_site(site)
    return target / "index.html"
