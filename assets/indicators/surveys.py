"""Indicators layer, surveys: design-based estimates for one survey (one partition): every SDG
1.3.1 series and SDG 3.8.2, with their gaps and the series the survey cannot give.
"""

import time

import dagster as dg
import polars as pl

from assets.partitions import SURVEYS
from assets.resources import PipelineResource
from assets.source_steps import source_step
from assets.staging.surveys import survey_persons
from engine.financial_hardship import estimate_hardship, ppp_for
from engine.pensionable_age import pension_age_in_force
from engine.survey_estimation import estimate_survey

ESTIMATES = dg.AssetKey(["indicators", "survey_estimates"])
GAPS = dg.AssetKey(["indicators", "survey_gaps"])
NOT_COMPUTABLE = dg.AssetKey(["indicators", "survey_not_computable"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ESTIMATES,
            deps=[survey_persons, dg.AssetKey(["staging", "pensionable_age"])],
            group_name="indicators",
            kinds={"duckdb", "sql", "parquet"},
            description="Every SDG 1.3.1 series x sex x nationality x age group x urban/rural for one survey: weighted estimate, Taylor-linearised SE, CI, df, deff, CV, unweighted n, reliability (sql/sdg_1_3_1_survey.sql, sql/survey_variance.sql).",
        ),
        dg.AssetSpec(
            GAPS,
            deps=[survey_persons],
            group_name="indicators",
            kinds={"duckdb", "sql", "parquet"},
            description="Gender and nationality gaps of one survey's estimates, with the design-based SE of the difference (sql/survey_gaps.sql).",
        ),
        dg.AssetSpec(
            NOT_COMPUTABLE,
            deps=[survey_persons],
            group_name="indicators",
            kinds={"parquet"},
            description="Series this survey cannot give, with the reason (a variable declared absent in its spec, or nobody of the sample in the series' population).",
        ),
    ],
    partitions_def=SURVEYS,
    can_subset=False,
)
def survey_estimates(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    """Every SDG 1.3.1 estimate of one survey, its gaps and the series it cannot give."""
    survey_id = context.partition_key
    store = pipeline.store()
    started = time.perf_counter()
    with source_step(context, store, "survey", survey_id, "indicators/survey_estimates"):
        persons_path = store.table_path("staging", "survey_persons", survey_id)
        first = pl.scan_parquet(persons_path).select("country", "year").head(1).collect()
        country, year = first["country"][0], int(first["year"][0])
        rules = store.read("staging", "pensionable_age") if store.exists("staging", "pensionable_age") else None
        with pipeline.duckdb().connect() as con:
            ages_in_force = pension_age_in_force(con, rules, country, year)
        with pipeline.survey_estimation_connection() as con:
            result = estimate_survey(
                con,
                str(persons_path),
                ages_in_force,
                method=pipeline.method("sdg_1_3_1"),
                estimation=pipeline.method("survey_estimation"),
            )
        estimates = store.write(result.estimates, "indicators", "survey_estimates", survey_id)
        gaps = store.write(result.gaps, "indicators", "survey_gaps", survey_id)
        missing = store.write(result.not_computable, "indicators", "survey_not_computable", survey_id)
    context.log.info(
        f"{survey_id}: {estimates.rows:,} estimates, {gaps.rows:,} gaps, {missing.rows} series not computable "
        f"in {time.perf_counter() - started:.1f}s"
    )
    flags = (
        result.estimates.group_by("reliability").agg(pl.len()).sort("reliability")
        if result.estimates.height
        else pl.DataFrame()
    )
    yield dg.MaterializeResult(
        asset_key=ESTIMATES,
        metadata={
            "rows": estimates.rows,
            "series": result.estimates["series"].n_unique() if result.estimates.height else 0,
            "reliability": dg.MetadataValue.json(
                dict(zip(flags["reliability"].to_list(), flags["len"].to_list(), strict=True)) if flags.height else {}
            ),
            "country": country,
            "year": year,
            "engine": pipeline.survey_estimation_engine(),
            "path": dg.MetadataValue.path(str(estimates.path)),
        },
    )
    yield dg.MaterializeResult(
        asset_key=GAPS, metadata={"rows": gaps.rows, "path": dg.MetadataValue.path(str(gaps.path))}
    )
    yield dg.MaterializeResult(
        asset_key=NOT_COMPUTABLE,
        metadata={
            "rows": missing.rows,
            "reasons": dg.MetadataValue.md(
                "\n".join(f"- {r['series']}: {r['reason']}" for r in result.not_computable.iter_rows(named=True))
                or "_none_"
            ),
            "path": dg.MetadataValue.path(str(missing.path)),
        },
    )


HARDSHIP = dg.AssetKey(["indicators", "survey_financial_hardship"])
HARDSHIP_GAPS = dg.AssetKey(["indicators", "survey_financial_hardship_gaps"])
HARDSHIP_EXCLUSIONS = dg.AssetKey(["indicators", "survey_financial_hardship_exclusions"])
HARDSHIP_NOT_COMPUTABLE = dg.AssetKey(["indicators", "survey_financial_hardship_not_computable"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            HARDSHIP,
            deps=[survey_persons, dg.AssetKey(["staging", "ppp"])],
            group_name="indicators",
            kinds={"duckdb", "sql", "parquet"},
            description="SDG 3.8.2 for one survey: OOP above 10%/25% of consumption, and financial hardship (2025 definition) split into impoverishing and large, by sex of head, area, quintile and household composition, with design-based SEs (sql/sdg_3_8_2.sql).",
        ),
        dg.AssetSpec(
            HARDSHIP_GAPS,
            deps=[survey_persons],
            group_name="indicators",
            kinds={"duckdb", "sql", "parquet"},
            description="Households headed by women minus households headed by men, with the design-based SE of the difference.",
        ),
        dg.AssetSpec(
            HARDSHIP_EXCLUSIONS,
            deps=[survey_persons],
            group_name="indicators",
            kinds={"parquet"},
            description="Households left out of 3.8.2 and why (missing consumption, an incomplete roster; spending above consumption only under an edition that excludes it).",
        ),
        dg.AssetSpec(
            HARDSHIP_NOT_COMPUTABLE,
            deps=[survey_persons],
            group_name="indicators",
            kinds={"parquet"},
            description="SDG 3.8.2 series this survey cannot give, with the reason.",
        ),
    ],
    partitions_def=SURVEYS,
    can_subset=False,
)
def survey_financial_hardship(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    """SDG 3.8.2 of one survey, its gaps, exclusions and the series it cannot give."""
    survey_id = context.partition_key
    store = pipeline.store()
    method = pipeline.method("sdg_3_8_2")
    with source_step(context, store, "survey", survey_id, "indicators/survey_financial_hardship"):
        persons_path = store.table_path("staging", "survey_persons", survey_id)
        first = pl.scan_parquet(persons_path).select("country", "year").head(1).collect()
        country, year = first["country"][0], int(first["year"][0])
        ppp = (
            store.read("staging", "ppp")
            if store.exists("staging", "ppp")
            else pl.DataFrame(
                schema={
                    "country": pl.String,
                    "year": pl.Int64,
                    "ppp_vintage": pl.Int64,
                    "ppp_private_consumption": pl.Float64,
                }
            )
        )
        with pipeline.estimation_duckdb().connect() as con:
            result = estimate_hardship(
                con,
                str(persons_path),
                ppp_for(ppp, country, year, int(method["ppp_vintage"])),
                method,
                pipeline.method("survey_estimation"),
            )
        estimates = store.write(result.estimates, "indicators", "survey_financial_hardship", survey_id)
        gaps = store.write(result.gaps, "indicators", "survey_financial_hardship_gaps", survey_id)
        exclusions = store.write(result.exclusions, "indicators", "survey_financial_hardship_exclusions", survey_id)
        missing = store.write(
            result.not_computable, "indicators", "survey_financial_hardship_not_computable", survey_id
        )
    context.log.info(
        f"{survey_id}: {estimates.rows:,} 3.8.2 estimates, {exclusions.rows} households excluded, {result.not_computable.height} series not computable"
    )
    yield dg.MaterializeResult(
        asset_key=HARDSHIP,
        metadata={
            "rows": estimates.rows,
            "societal_poverty_line": result.spl if result.spl is not None else "not computable",
            "median_daily_consumption_ppp": result.median_consumption
            if result.median_consumption is not None
            else "not computable",
            "households_oop_above_consumption": result.oop_above_consumption
            if result.oop_above_consumption is not None
            else "not computed",
            "not_computable": dg.MetadataValue.md(
                "\n".join(f"- {r['series']}: {r['reason']}" for r in result.not_computable.iter_rows(named=True))
                or "_none_"
            ),
            "path": dg.MetadataValue.path(str(estimates.path)),
        },
    )
    yield dg.MaterializeResult(
        asset_key=HARDSHIP_GAPS, metadata={"rows": gaps.rows, "path": dg.MetadataValue.path(str(gaps.path))}
    )
    yield dg.MaterializeResult(
        asset_key=HARDSHIP_EXCLUSIONS,
        metadata={"households_excluded": exclusions.rows, "path": dg.MetadataValue.path(str(exclusions.path))},
    )
    yield dg.MaterializeResult(
        asset_key=HARDSHIP_NOT_COMPUTABLE,
        metadata={"rows": missing.rows, "path": dg.MetadataValue.path(str(missing.path))},
    )


SURVEY_INDICATOR_ASSETS = [survey_estimates, survey_financial_hardship]
