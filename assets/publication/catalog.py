"""Publication layer, the DuckDB catalog: ``publication/catalog.duckdb``, one view per Parquet
table of the output directory and one over each SDMX-CSV file (``publication.sdg_sdmx``, its
breakdowns file and ``publication.groups_sdmx``: numbers typed, codes as text)
(engine/publication/catalog.py). Written by this one asset, in
the Dagster pool ``duckdb_catalog`` (limit 1 in deploy/dagster.yaml), to a temporary file then
renamed: never two writers, never a half-built file. Its inputs are the tables it lists (as
paths: it reads none of them), so it runs after every one of them.
"""

from pathlib import Path

import dagster as dg

from assets.publication.exports import BREAKDOWNS_SUFFIX
from assets.publication.inputs import GROUP, config_of
from assets.resources import PipelineResource
from assets.tables import IndicatorsFile, PublicationFile, StagingFile, output_file, table_asset
from engine.publication.catalog import build_catalog
from engine.publication.sdmx import NUMERIC


def csv_types(sdg_sdmx: Path, groups_sdmx: Path) -> dict[str, dict[str, str]]:
    """The SDMX-CSV files' numeric columns (view name -> column -> type); the rest is text."""
    names = (sdg_sdmx.stem, Path(sdg_sdmx.stem + BREAKDOWNS_SUFFIX).stem, groups_sdmx.stem)
    return {name: dict.fromkeys(NUMERIC, "DOUBLE") for name in names}


@table_asset(
    key_prefix=GROUP,
    group_name=GROUP,
    kinds={"duckdb"},
    pool="duckdb_catalog",
)
def catalog(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    country_values: PublicationFile,
    country_lineup: PublicationFile,
    aggregates: PublicationFile,
    headline: PublicationFile,
    annex: PublicationFile,
    gender_gaps: PublicationFile,
    nationality_gaps: PublicationFile,
    revisions: PublicationFile,
    validation_results: PublicationFile,
    sources: PublicationFile,
    quarantine: PublicationFile,
    aggregate_comparison: PublicationFile,
    informality_gaps: PublicationFile,
    benefit_level_gaps: PublicationFile,
    sdg_sdmx: PublicationFile,
    groups_sdmx: PublicationFile,
    sdg_1_3_1: IndicatorsFile,
    sdg_3_8_2: IndicatorsFile,
    sdg_3_8_1: IndicatorsFile,
    sdg_1_3_1_gaps: IndicatorsFile,
    sdg_3_8_2_gaps: IndicatorsFile,
    groups_at_risk: IndicatorsFile,
    groups_at_risk_gaps: IndicatorsFile,
    benefit_adequacy: IndicatorsFile,
    benefit_adequacy_gaps: IndicatorsFile,
    not_computable: IndicatorsFile,
    revisions_unmasked: IndicatorsFile,
    published_sdg: StagingFile,
) -> dg.Output[Path]:
    """The DuckDB catalog of the output directory."""
    store = pipeline.store()
    target = output_file(store.root, context.asset_key, ".duckdb")
    views = build_catalog(store.root, target, config_of(pipeline).catalog_layers, csv_types(sdg_sdmx, groups_sdmx))
    return dg.Output(
        target,
        metadata={
            "views": len(views),
            "view_names": dg.MetadataValue.md(
                "\n".join(f"- `{v.name}` ({v.files} file{'s' if v.files > 1 else ''})" for v in views) or "_none_"
            ),
        },
    )
