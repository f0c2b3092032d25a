"""Publication layer, quality: the Great Expectations suites of ``schemas/gx_suites.py`` run on
the publication tables (and on the SDMX file as loaded), their Data Docs
(``publication/data_docs/index.html``) and ``publication/validation_results``. Each suite's
result is an asset check of the table it validates (``publication/headline``, ``annex``,
``sdg_sdmx`` ...), named after the suite, read from ``validation_results`` so that the suites run
once: pass or fail (severity ERROR, or WARN for review suites), rows, expectations failed,
unexpected counts and the failing expectations with a sample of unexpected values. They do not
block (a blocking check cannot read a table downstream of the one it checks); the blocking
checks of the tables that feed the publication are those of the indicator tables and
``finite_numbers``.
"""

import io

import dagster as dg
import polars as pl

from assets.publication.inputs import GROUP, config_of
from assets.resources import PipelineResource
from assets.tables import (
    MaybePublication,
    MaybeStaging,
    PublicationFile,
    output_file,
    table_multi_asset,
    table_outs,
    written,
)
from assets.validation_results import SAMPLE_ROWS, _md_table
from engine.publication.quality import gx_context, results_frame, run_suites, write_data_docs
from schemas.gx_suites import SUITES, Suite
from schemas.registry import PUBLICATION

VALIDATION_RESULTS, DATA_DOCS = PUBLICATION.validation_results, PUBLICATION.data_docs

RESULTS = dg.AssetKey(list(VALIDATION_RESULTS.key))


def suite_check_spec(suite: Suite) -> dg.AssetCheckSpec:
    """The check of one suite, on the table the suite validates."""
    return dg.AssetCheckSpec(
        suite.name,
        asset=dg.AssetKey([GROUP, suite.table]),
        additional_deps=[RESULTS],
        description=f"{suite.description} (Great Expectations suite, {suite.severity}; read from validation_results)",
    )


def suite_check_result(suite: Suite, results: pl.DataFrame) -> dg.AssetCheckResult:
    """The result of ``suite`` from its rows of ``publication/validation_results`` (none: the
    suite was skipped, its table absent): passed when every expectation passed.
    """
    rows = results.filter(pl.col("suite") == suite.name)
    failed = rows.filter(~pl.col("success"))
    columns = ("expectation", "column", "unexpected_count", "unexpected_sample", "error")
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey([GROUP, suite.table]),
        check_name=suite.name,
        passed=failed.is_empty(),
        severity=dg.AssetCheckSeverity.WARN if suite.severity == "WARN" else dg.AssetCheckSeverity.ERROR,
        metadata={
            "skipped": rows.is_empty(),
            "rows": int(rows["element_count"].max() or 0) if rows.height else 0,
            "expectations": rows.height,
            "expectations_failed": failed.height,
            "unexpected_rows": int(failed["unexpected_count"].sum() or 0),
            "failed": _md_table(failed.select(columns).head(SAMPLE_ROWS)),
        },
    )


@dg.multi_asset_check(
    specs=[suite_check_spec(s) for s in SUITES],
    ins={VALIDATION_RESULTS.table: dg.AssetIn(key=RESULTS)},
    can_subset=True,
)
def suite_checks(context: dg.AssetCheckExecutionContext, validation_results: pl.DataFrame):
    """Each Great Expectations suite as a check of the table it validates, from this run's
    ``publication/validation_results`` (the suites run once, in ``quality_reports``).
    """
    selected = {key.name for key in context.selected_asset_check_keys}
    for suite in SUITES:
        if suite.name in selected:
            yield suite_check_result(suite, validation_results)


@table_multi_asset(
    outs={
        **table_outs(VALIDATION_RESULTS, kinds={"great_expectations"}),
        **table_outs(DATA_DOCS, kinds={"great_expectations", "html"}),
    },
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
    frames = written(
        aggregates=aggregates,
        headline=headline,
        country_values=country_values,
        country_lineup=country_lineup,
        annex=annex,
        gender_gaps=gender_gaps,
        nationality_gaps=nationality_gaps,
        countries=countries,  # the line-up suite reads the imputation groups from these two
        income_groups=income_groups,
    )
    if sdg_sdmx.exists():
        frames[PUBLICATION.sdg_sdmx.table] = pl.read_csv(
            io.StringIO(sdg_sdmx.read_text(encoding="utf-8")), infer_schema=False
        )
    gx = gx_context()
    results = run_suites(frames, config_of(pipeline), gx)
    index = write_data_docs(gx, output_file(pipeline.store().root, context.asset_key_for_output(DATA_DOCS.table), ""))
    yield dg.Output(
        results_frame(results),
        output_name=VALIDATION_RESULTS.table,
        metadata={
            "suites_failed": [r.name for r in results if not r.success],
            "suites_skipped": [r.name for r in results if r.skipped],
        },
    )
    yield dg.Output(index.parent, output_name=DATA_DOCS.table, metadata={"index": dg.MetadataValue.path(str(index))})
