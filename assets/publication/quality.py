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

from assets.publication.inputs import GROUP, config_of
from assets.resources import PipelineResource
from assets.tables import MaybePublication, MaybeStaging, PublicationFile, output_file, table_multi_asset
from assets.validation_results import SAMPLE_ROWS, _md_table
from engine.publication.quality import SuiteResult, gx_context, results_frame, run_suites, write_data_docs
from schemas.gx_suites import SUITES
from schemas.publication_tables import VALIDATION_RESULTS

RESULTS = dg.AssetKey([GROUP, VALIDATION_RESULTS.name])


def check_specs() -> list[dg.AssetCheckSpec]:
    """One check per GX suite."""
    return [
        dg.AssetCheckSpec(s.name, asset=RESULTS, description=f"{s.description} (table: {s.table}; {s.severity})")
        for s in SUITES
    ]


def check_result(result: SuiteResult) -> dg.AssetCheckResult:
    """The asset check result of one suite."""
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


@table_multi_asset(
    outs={
        VALIDATION_RESULTS.name: dg.AssetOut(
            key=RESULTS,
            group_name=GROUP,
            kinds={"great_expectations", "parquet"},
            description=VALIDATION_RESULTS.description,
        ),
        "data_docs": dg.AssetOut(
            key_prefix=GROUP,
            group_name=GROUP,
            kinds={"great_expectations", "html"},
            description="Great Expectations Data Docs of the publication suites (publication/data_docs/index.html).",
        ),
    },
    check_specs=check_specs(),
    can_subset=False,
)
def quality_reports(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    aggregates: MaybePublication,
    headline: MaybePublication,
    country_values: MaybePublication,
    country_lineup: MaybePublication,
    annex: MaybePublication,
    gender_gaps: MaybePublication,
    nationality_gaps: MaybePublication,
    sdg_sdmx: PublicationFile,
    countries: MaybeStaging,
    income_groups: MaybeStaging,
):
    """Run the GX suites: validation_results, Data Docs and one check result per suite."""
    validated = {
        "aggregates": aggregates,
        "headline": headline,
        "country_values": country_values,
        "country_lineup": country_lineup,
        "annex": annex,
        "gender_gaps": gender_gaps,
        "nationality_gaps": nationality_gaps,
        "countries": countries,  # the line-up suite reads the imputation groups from these two
        "income_groups": income_groups,
    }
    frames = {name: frame for name, frame in validated.items() if frame is not None}
    if sdg_sdmx.exists():
        frames["sdg_sdmx"] = pl.read_csv(io.StringIO(sdg_sdmx.read_text(encoding="utf-8")), infer_schema=False)
    gx = gx_context()
    results = run_suites(frames, config_of(pipeline), gx)
    index = write_data_docs(gx, output_file(pipeline.store().root, context.asset_key_for_output("data_docs"), ""))
    yield dg.Output(
        results_frame(results),
        output_name=VALIDATION_RESULTS.name,
        metadata={
            "suites_failed": [r.name for r in results if not r.success],
            "suites_skipped": [r.name for r in results if r.skipped],
        },
    )
    yield dg.Output(index.parent, output_name="data_docs", metadata={"index": dg.MetadataValue.path(str(index))})
    for result in results:
        yield check_result(result)
