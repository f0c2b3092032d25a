"""Indicators layer, groups at risk and adequacy (issue 11): per survey (one partition), coverage
by status in employment, informality, agriculture, domestic and platform work, disability, youth
and quintile x sex with its gaps, the World Bank household series, and benefit levels among
recipients by function and sex; then the long country tables over every survey (and SSI returns
for the average benefit per beneficiary).
"""

import dagster as dg
import polars as pl

from assets.partitions import SURVEYS
from assets.resources import PipelineResource
from assets.source_steps import source_step
from assets.tables import Indicators, Staging, StagingFile, asset_key, table_multi_asset, table_outs
from engine.benefit_adequacy import ADEQUACY_GAP_SCHEMA, ADEQUACY_SCHEMA, admin_adequacy, estimate_adequacy
from engine.groups_at_risk import GROUP_ESTIMATE_SCHEMA, GROUP_GAP_SCHEMA, estimate_groups
from engine.indicator_tables import source_rows, source_vintages
from engine.method_config import GROUPS_AT_RISK as GROUPS_METHOD
from engine.method_config import SURVEY_ESTIMATION
from engine.ssi import EXPENDITURE_SCHEMA
from schemas.registry import INDICATORS

SURVEY_TABLES = (
    INDICATORS.survey_groups,
    INDICATORS.survey_groups_gaps,
    INDICATORS.survey_adequacy,
    INDICATORS.survey_adequacy_gaps,
    INDICATORS.survey_groups_not_computable,
)


@table_multi_asset(
    outs=table_outs(*SURVEY_TABLES, kinds={"duckdb", "sql"}),
    partitions_def=SURVEYS,
    can_subset=False,
)
def survey_groups(context: dg.AssetExecutionContext, pipeline: PipelineResource, survey_persons: StagingFile):
    """Coverage of the groups at risk, benefit levels and their gaps for one survey."""
    survey_id = context.partition_key
    store = pipeline.store()
    method, estimation = pipeline.method(GROUPS_METHOD), pipeline.method(SURVEY_ESTIMATION)
    with source_step(context, store, "survey", survey_id, SURVEY_TABLES[0].name):
        with pipeline.estimation_duckdb().connect() as con:
            groups = estimate_groups(con, str(survey_persons), method, estimation)
        with pipeline.estimation_duckdb().connect() as con:
            adequacy = estimate_adequacy(con, str(survey_persons), method, estimation)
        missing = pl.concat([groups.not_computable, adequacy.not_computable])
    context.log.info(
        f"{survey_id}: {groups.estimates.height:,} group estimates, {groups.gaps.height:,} gaps, "
        f"{adequacy.estimates.height} benefit levels, {missing.height} not computable"
    )
    for t, frame in zip(
        SURVEY_TABLES, (groups.estimates, groups.gaps, adequacy.estimates, adequacy.gaps, missing), strict=True
    ):
        yield dg.Output(frame, output_name=t.table)


GROUPS = INDICATORS.groups_at_risk
GROUPS_GAPS = INDICATORS.groups_at_risk_gaps
ADEQUACY = INDICATORS.benefit_adequacy
ADEQUACY_GAPS = INDICATORS.benefit_adequacy_gaps
GROUPS_AT_RISK, GROUPS_AT_RISK_GAPS, BENEFIT_ADEQUACY, BENEFIT_ADEQUACY_GAPS = (
    asset_key(t) for t in (GROUPS, GROUPS_GAPS, ADEQUACY, ADEQUACY_GAPS)
)


def _or_empty(frame: pl.DataFrame, schema: dict) -> pl.DataFrame:
    """The partitions read, or an empty table in ``schema`` when there is none."""
    return frame if frame.width else pl.DataFrame(schema=schema)


@table_multi_asset(
    outs={
        **table_outs(GROUPS, GROUPS_GAPS, kinds={"polars"}),
        **table_outs(ADEQUACY, ADEQUACY_GAPS, kinds={"duckdb", "sql"}),
    },
    check_specs=[
        *(
            dg.AssetCheckSpec(
                "keys_unique",
                asset=k,
                blocking=True,
                description="One row per key of the table (docs/data_dictionary.md).",
            )
            for k in (GROUPS_AT_RISK, GROUPS_AT_RISK_GAPS, BENEFIT_ADEQUACY, BENEFIT_ADEQUACY_GAPS)
        ),
        dg.AssetCheckSpec(
            "values_in_range",
            asset=GROUPS_AT_RISK,
            blocking=True,
            description="Coverage within [0, 100] and value = 100 x numerator / denominator.",
        ),
    ],
    can_subset=False,
)
def groups_tables(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    survey_groups: Indicators,
    survey_groups_gaps: Indicators,
    survey_adequacy: Indicators,
    survey_adequacy_gaps: Indicators,
    ssi_expenditure: Staging,
    ssi_coverage: Staging,
):
    """The long country tables of the groups at risk and of benefit adequacy, every source."""
    vintages, run_id = source_vintages(pipeline.store()), context.run_id
    groups = _or_empty(survey_groups, GROUP_ESTIMATE_SCHEMA)
    gaps = _or_empty(survey_groups_gaps, GROUP_GAP_SCHEMA)
    adequacy = _or_empty(survey_adequacy, ADEQUACY_SCHEMA)
    adequacy_gaps = _or_empty(survey_adequacy_gaps, ADEQUACY_GAP_SCHEMA)
    with pipeline.estimation_duckdb().connect() as con:
        admin, admin_gaps = admin_adequacy(
            con, _or_empty(ssi_expenditure, EXPENDITURE_SCHEMA), ssi_coverage, pipeline.method(GROUPS_METHOD)
        )
    tables = {
        GROUPS_AT_RISK: (source_rows(groups, "survey", vintages, run_id, GROUPS), GROUPS.primary_key),
        GROUPS_AT_RISK_GAPS: (source_rows(gaps, "survey", vintages, run_id, GROUPS_GAPS), GROUPS_GAPS.primary_key),
        BENEFIT_ADEQUACY: (
            pl.concat(
                [
                    source_rows(admin, "administrative", vintages, run_id, ADEQUACY),
                    source_rows(adequacy, "survey", vintages, run_id, ADEQUACY),
                ]
            ),
            ADEQUACY.primary_key,
        ),
        BENEFIT_ADEQUACY_GAPS: (
            pl.concat(
                [
                    source_rows(admin_gaps, "administrative", vintages, run_id, ADEQUACY_GAPS),
                    source_rows(adequacy_gaps, "survey", vintages, run_id, ADEQUACY_GAPS),
                ]
            ),
            ADEQUACY_GAPS.primary_key,
        ),
    }
    for key, (frame, table_key) in tables.items():
        yield dg.Output(frame.sort(list(table_key)), output_name=key.path[-1])
        dupes = frame.group_by(list(table_key)).len().filter(pl.col("len") > 1).height
        yield dg.AssetCheckResult(
            asset_key=key, check_name="keys_unique", passed=dupes == 0, metadata={"duplicated_keys": dupes}
        )
    coverage = tables[GROUPS_AT_RISK][0]
    ratio = 100 * pl.col("numerator") / pl.col("denominator")
    bad = coverage.filter(
        (pl.col("value") < 0)
        | (pl.col("value") > 100)
        | ((pl.col("value") - ratio).abs() > 1e-9 * pl.max_horizontal(pl.lit(1.0), ratio))
    )
    yield dg.AssetCheckResult(
        asset_key=GROUPS_AT_RISK, check_name="values_in_range", passed=bad.is_empty(), metadata={"failures": bad.height}
    )


GROUP_INDICATOR_ASSETS = [survey_groups, groups_tables]
