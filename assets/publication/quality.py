"""Publication layer, quality: the Great Expectations suites of ``schemas/gx_suites.py`` run on
the publication tables (and on the SDMX file as loaded), their Data Docs
(``publication/data_docs/index.html``) and ``publication/validation_results``. Each suite's
result is an asset check of the table it validates (``publication/headline``, ``annex``,
``sdg_sdmx`` ...), named after the suite: pass or fail (severity ERROR, or WARN for review
suites), rows, expectations failed, unexpected counts and the failing expectations with a sample
of unexpected values.

Two kinds of suite check:

* **Blocking** (``GATED``): the ERROR suites of the publication tables that others are computed
  from, ``country_values`` and ``aggregates``, run in a check of their own on that table alone
  (``gate_checks``: one per table, blocking), right after it is written: a table that fails
  them stops the run there, and nothing is computed from it (aggregates, headline, annex, gaps,
  exports, validation_results and Data Docs are not rewritten; the run fails, exit 1).
* **Reporting** (``suite_checks``): every other suite (the tables nothing is computed from, the
  WARN suites, and suites that read a table downstream of theirs: ``year_on_year_review`` reads
  the headline), read from this run's ``validation_results`` (a blocking check cannot read a
  table downstream of the one it checks).

``quality_reports`` runs every suite once more for ``validation_results`` and the Data Docs, so
that they stay the complete record of the run (the gated suites cost about 1.5 s of CPU twice).
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
    asset_key,
    output_file,
    table_multi_asset,
    table_outs,
    written,
)
from assets.validation_results import SAMPLE_ROWS, _md_table
from engine.publication.quality import gx_context, results_frame, run_suites, write_data_docs
from schemas.gx_suites import SUITES, Suite
from schemas.registry import PUBLICATION, Table

VALIDATION_RESULTS, DATA_DOCS = PUBLICATION.validation_results, PUBLICATION.data_docs

RESULTS = dg.AssetKey(list(VALIDATION_RESULTS.key))

# The publication tables that others are computed from: their ERROR suites block.
GATED = (PUBLICATION.country_values, PUBLICATION.aggregates)


def gated(suite: Suite) -> bool:
    """A suite that blocks: ERROR, on a gated table, reading that table only."""
    return suite.severity == "ERROR" and suite.table in {t.table for t in GATED} and not suite.also_reads


REPORTED = tuple(s for s in SUITES if not gated(s))


def suite_check_spec(suite: Suite) -> dg.AssetCheckSpec:
    """The check of one suite, on the table the suite validates."""
    return dg.AssetCheckSpec(
        suite.name,
        asset=dg.AssetKey([GROUP, suite.table]),
        additional_deps=[RESULTS],
        description=f"{suite.description} (Great Expectations suite, {suite.severity}; read from validation_results)",
    )


def gate_check(table: Table) -> dg.AssetChecksDefinition:
    """The blocking check of ``table``: its gated suites, run on the table as written."""
    suites = tuple(s for s in SUITES if s.table == table.table and gated(s))

    @dg.multi_asset_check(
        name=f"{table.table}_suites",
        specs=[
            dg.AssetCheckSpec(
                s.name,
                asset=asset_key(table),
                blocking=True,
                description=f"{s.description} (Great Expectations suite, ERROR, blocking: nothing is computed "
                "from a table that fails it)",
            )
            for s in suites
        ],
        ins={"frame": dg.AssetIn(key=asset_key(table))},
        can_subset=True,
    )
    def _gate(context: dg.AssetCheckExecutionContext, pipeline: PipelineResource, frame: pl.DataFrame):
        selected = {key.name for key in context.selected_asset_check_keys}
        chosen = tuple(s for s in suites if s.name in selected)
        results = results_frame(run_suites({table.table: frame}, config_of(pipeline), gx_context(), suites=chosen))
        for suite in chosen:
            yield suite_check_result(suite, results)

    return _gate


GATE_CHECKS = [gate_check(t) for t in GATED]


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
    specs=[suite_check_spec(s) for s in REPORTED],
    ins={VALIDATION_RESULTS.table: dg.AssetIn(key=RESULTS)},
    can_subset=True,
)
def suite_checks(context: dg.AssetCheckExecutionContext, validation_results: pl.DataFrame):
    """Each reported Great Expectations suite as a check of the table it validates, from this
    run's ``publication/validation_results`` (the suites run in ``quality_reports``).
    """
    selected = {key.name for key in context.selected_asset_check_keys}
    for suite in REPORTED:
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
