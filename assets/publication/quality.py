"""Publication layer, quality: the Great Expectations suites of ``schemas/gx_suites.py`` run on
the publication tables (and on the SDMX file as loaded), their Data Docs
(``publication/data_docs/index.html``) and ``publication/validation_results``. Each suite's
result is an asset check of ``publication/validation_results``, named after the suite: pass or
fail (severity ERROR, or WARN for review suites), rows, expectations failed, unexpected counts
and a sample of failing rows.
"""

import io

import dagster as dg
import polars as pl

from assets.publication.inputs import GROUP, config_of, key, write_table
from assets.resources import PipelineResource
from assets.validation_results import SAMPLE_ROWS, _md_table
from engine.publication.quality import SuiteResult, gx_context, results_frame, run_suites, write_data_docs
from schemas.gx_suites import SUITES
from schemas.resources.publication import VALIDATION_RESULTS

RESULTS = key("validation_results")
VALIDATED = ("aggregates", "headline", "country_values", "country_lineup", "annex", "gender_gaps", "nationality_gaps")
GROUPINGS = ("countries", "income_groups")  # staging tables the line-up suite reads the imputation groups from


def check_specs() -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(s.name, asset=RESULTS, description=f"{s.description} (table: {s.table}; {s.severity})")
        for s in SUITES
    ]


def check_result(result: SuiteResult) -> dg.AssetCheckResult:
    columns = ("expectation", "column", "unexpected_count", "unexpected_sample", "error")
    failed = pl.DataFrame(result.failed).select(columns) if result.failed else pl.DataFrame()
    return dg.AssetCheckResult(
        asset_key=RESULTS,
        check_name=result.name,
        passed=result.success,
        severity=dg.AssetCheckSeverity.WARN if result.severity == "WARN" else dg.AssetCheckSeverity.ERROR,
        metadata={
            "table": result.table,
            "skipped": result.skipped,
            "rows": result.rows,
            "expectations": len(result.expectations),
            "expectations_failed": len(result.failed),
            "unexpected_rows": sum(e["unexpected_count"] or 0 for e in result.failed),
            "failed": _md_table(failed),
            "failure_sample": _md_table(result.failure_sample.head(SAMPLE_ROWS)),
        },
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            RESULTS,
            deps=[*(key(t) for t in VALIDATED), key("sdg_sdmx"), *(dg.AssetKey(["staging", t]) for t in GROUPINGS)],
            group_name=GROUP,
            kinds={"great_expectations", "parquet"},
            description=VALIDATION_RESULTS.description,
        ),
        dg.AssetSpec(
            key("data_docs"),
            deps=[*(key(t) for t in VALIDATED), key("sdg_sdmx"), *(dg.AssetKey(["staging", t]) for t in GROUPINGS)],
            group_name=GROUP,
            kinds={"great_expectations", "html"},
            description="Great Expectations Data Docs of the publication suites (publication/data_docs/index.html).",
        ),
    ],
    check_specs=check_specs(),
    can_subset=False,
)
def quality_reports(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    store = pipeline.store()
    config = config_of(pipeline)
    frames = {t: store.read("publication", t) for t in VALIDATED if store.exists("publication", t)}
    frames |= {t: store.read("staging", t) for t in GROUPINGS if store.exists("staging", t)}
    sdmx_path = store.root / "publication" / "sdg_sdmx.csv"
    if sdmx_path.exists():
        frames["sdg_sdmx"] = pl.read_csv(io.StringIO(sdmx_path.read_text(encoding="utf-8")), infer_schema=False)
    gx = gx_context()
    results = run_suites(frames, config, gx)
    index = write_data_docs(gx, store.root / "publication" / "data_docs")
    yield write_table(
        store,
        results_frame(results),
        VALIDATION_RESULTS,
        suites_failed=[r.name for r in results if not r.success],
        suites_skipped=[r.name for r in results if r.skipped],
    )
    yield dg.MaterializeResult(asset_key=key("data_docs"), metadata={"index": dg.MetadataValue.path(str(index))})
    for result in results:
        yield check_result(result)
