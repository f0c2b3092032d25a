"""Indicators layer, surveys: design-based estimates for one survey (one partition): every SDG
1.3.1 series and SDG 3.8.2, with their gaps and the series the survey cannot give.

Each asset reads its survey's staged persons by path (the estimation scans the Parquet file in
DuckDB) and returns its tables, one file per survey written by the IO manager. A failure of any
kind is recorded and the survey's partitions removed (``assets.source_steps.source_step``).
"""

import time

import dagster as dg
import polars as pl

from assets.partitions import SURVEYS
from assets.resources import PipelineResource
from assets.source_steps import source_step
from assets.tables import MaybeStaging, StagingFile, table_multi_asset, table_outs
from engine.method_config import SDG_1_3_1, SDG_3_8_2, SURVEY_ESTIMATION
from engine.pensionable_age import pension_age_in_force
from engine.sdg_3_8_2 import estimate_hardship, ppp_for
from engine.survey_estimation import estimate_survey
from schemas.registry import INDICATORS, STAGING

ESTIMATES = (INDICATORS.survey_estimates, INDICATORS.survey_gaps, INDICATORS.survey_not_computable)
HARDSHIP = (
    INDICATORS.sdg_3_8_2_survey,
    INDICATORS.sdg_3_8_2_survey_gaps,
    INDICATORS.sdg_3_8_2_survey_exclusions,
    INDICATORS.sdg_3_8_2_survey_not_computable,
)


def _country_year(persons: str) -> tuple[str, int]:
    first = pl.scan_parquet(persons).select("country", "year").head(1).collect()
    return first["country"][0], int(first["year"][0])


def _reasons(not_computable: pl.DataFrame) -> dg.MetadataValue:
    return dg.MetadataValue.md(
        "\n".join(f"- {r['series']}: {r['reason']}" for r in not_computable.iter_rows(named=True)) or "_none_"
    )


@table_multi_asset(
    outs=table_outs(*ESTIMATES, kinds={"duckdb", "sql"}),
    partitions_def=SURVEYS,
    can_subset=False,
)
def survey_estimates(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    survey_persons: StagingFile,
    pensionable_age: MaybeStaging,
):
    """Every SDG 1.3.1 estimate of one survey, its gaps and the series it cannot give."""
    survey_id = context.partition_key
    store = pipeline.store()
    started = time.perf_counter()
    estimates, gaps, not_computable = ESTIMATES
    with source_step(context, store, "survey", survey_id, estimates.name):
        country, year = _country_year(str(survey_persons))
        with pipeline.duckdb().connect() as con:
            ages_in_force = pension_age_in_force(con, pensionable_age, country, year)
        with pipeline.survey_estimation_connection() as con:
            result = estimate_survey(
                con,
                str(survey_persons),
                ages_in_force,
                method=pipeline.method(SDG_1_3_1),
                estimation=pipeline.method(SURVEY_ESTIMATION),
            )
    context.log.info(
        f"{survey_id}: {result.estimates.height:,} estimates, {result.gaps.height:,} gaps, "
        f"{result.not_computable.height} series not computable in {time.perf_counter() - started:.1f}s"
    )
    flags = (
        result.estimates.group_by("reliability").agg(pl.len()).sort("reliability")
        if result.estimates.height
        else pl.DataFrame()
    )
    yield dg.Output(
        result.estimates,
        output_name=estimates.table,
        metadata={
            "series": result.estimates["series"].n_unique() if result.estimates.height else 0,
            "reliability": dg.MetadataValue.json(
                dict(zip(flags["reliability"].to_list(), flags["len"].to_list(), strict=True)) if flags.height else {}
            ),
            "country": country,
            "year": year,
            "engine": pipeline.survey_estimation_engine(),
        },
    )
    yield dg.Output(result.gaps, output_name=gaps.table)
    yield dg.Output(
        result.not_computable,
        output_name=not_computable.table,
        metadata={"reasons": _reasons(result.not_computable)},
    )


@table_multi_asset(
    outs=table_outs(*HARDSHIP, kinds={"duckdb", "sql"}),
    partitions_def=SURVEYS,
    can_subset=False,
)
def sdg_3_8_2_survey(
    context: dg.AssetExecutionContext, pipeline: PipelineResource, survey_persons: StagingFile, ppp: MaybeStaging
):
    """SDG 3.8.2 of one survey, its gaps, exclusions and the series it cannot give."""
    survey_id = context.partition_key
    store = pipeline.store()
    method = pipeline.method(SDG_3_8_2)
    estimates, gaps, exclusions, not_computable = HARDSHIP
    with source_step(context, store, "survey", survey_id, estimates.name):
        country, year = _country_year(str(survey_persons))
        prices = ppp if ppp is not None else STAGING.ppp.empty()
        with pipeline.estimation_duckdb().connect() as con:
            result = estimate_hardship(
                con,
                str(survey_persons),
                ppp_for(prices, country, year, int(method["ppp_vintage"])),
                method,
                pipeline.method(SURVEY_ESTIMATION),
            )
    context.log.info(
        f"{survey_id}: {result.estimates.height:,} 3.8.2 estimates, {result.exclusions.height} households excluded, "
        f"{result.not_computable.height} series not computable"
    )
    yield dg.Output(
        result.estimates,
        output_name=estimates.table,
        metadata={
            "societal_poverty_line": result.spl if result.spl is not None else "not computable",
            "median_daily_consumption_ppp": result.median_consumption
            if result.median_consumption is not None
            else "not computable",
            "households_oop_above_consumption": result.oop_above_consumption
            if result.oop_above_consumption is not None
            else "not computed",
            "not_computable": _reasons(result.not_computable),
        },
    )
    yield dg.Output(result.gaps, output_name=gaps.table)
    yield dg.Output(
        result.exclusions,
        output_name=exclusions.table,
        metadata={"households_excluded": result.exclusions.height},
    )
    yield dg.Output(result.not_computable, output_name=not_computable.table)


SURVEY_INDICATOR_ASSETS = [survey_estimates, sdg_3_8_2_survey]
