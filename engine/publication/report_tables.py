"""The tables of the Excel workbook report authors open.

The workbook is ``publication/report_tables.xlsx``, written by
:func:`engine.publication.workbook.write_workbook`; its sheets:

* ``Headline``: world and regional aggregates of the latest reference year, one row per group and
  series with the values of everyone, women and men side by side, the observation status (E:
  estimated, resting mostly on imputed values), the share of the denominator reported and the
  share resting on synthetic inputs; one vintage per series (the one with most reporting
  countries, as in the SDMX file and the figures);
* ``Annex``: the statistical annex, one row per country, for each series its latest value, year,
  source, disclosure flag and whether it rests on a synthetic input;
* ``Aggregate comparison``: the published aggregates of the latest extract against their
  reproduction (``publication/aggregate_comparison``).

Under each table: its notes (what the values are, status and flag codes, the synthetic inputs
named, disclosure control) and its sources.
"""

from __future__ import annotations

import polars as pl

from engine.publication.annex import primary_vintage
from engine.publication.config import PublicationConfig
from engine.publication.workbook import Sheet

SEX_COLUMNS = {"T": "Total", "F": "Women", "M": "Men"}


def _synthetic_note(names: list[str]) -> str:
    if not names:
        return "Synthetic inputs: none of the values shown rests on a synthetic input."
    return (
        "Synthetic inputs: the values marked rest on synthetic inputs (generated or assumed data, not official statistics): "
        + ", ".join(sorted(set(names)))
        + "."
    )


def _names(column: pl.Series) -> list[str]:
    return [n for cell in column.drop_nulls().to_list() for n in cell.split(", ") if n]


def headline_sheet(headline: pl.DataFrame, config: PublicationConfig) -> Sheet:
    """The report's headline sheet: the latest value of each series and region, by sex in columns,
    with the observation status and the shares behind the totals.
    """
    latest = primary_vintage(headline.filter(pl.col("latest")))
    keys = ["series", "series_label", "level", "region", "region_code", "year"]
    wide = latest.pivot(on="sex", index=keys, values="value", aggregate_function="first")
    totals = latest.filter(pl.col("sex") == "T").select(
        *keys,
        "obs_status",
        "denominator_share_reported",
        "synthetic_share",
        "synthetic_inputs",
        "n_countries",
        "n_imputed",
    )
    level_order = {level: i for i, level in enumerate(config.headline_levels)}
    frame = (
        wide.join(totals, on=keys, how="left")
        .with_columns(
            pl.col("level").replace_strict(level_order, default=len(level_order), return_dtype=pl.Int64).alias("_order")
        )
        .sort("series", "_order", "region")
        .select(
            pl.col("series").alias("Series"),
            pl.col("series_label").alias("Series label"),
            pl.col("level").alias("Level"),
            pl.col("region").alias("Group"),
            pl.col("region_code").alias("M49 code"),
            pl.col("year").alias("Year"),
            *[
                pl.col(sex).alias(label) if sex in wide.columns else pl.lit(None, dtype=pl.Float64).alias(label)
                for sex, label in SEX_COLUMNS.items()
            ],
            pl.col("obs_status").alias("Status"),
            pl.col("denominator_share_reported").alias("Reported share of denominator"),
            pl.col("n_countries").alias("Countries"),
            pl.col("n_imputed").alias("Imputed countries"),
            pl.col("synthetic_share").alias("Share resting on synthetic inputs"),
            pl.col("synthetic_inputs").alias("Synthetic inputs"),
        )
    )
    formats = {
        "Year": "integer",
        "Total": "percent",
        "Women": "percent",
        "Men": "percent",
        "Reported share of denominator": "share",
        "Countries": "integer",
        "Imputed countries": "integer",
        "Share resting on synthetic inputs": "share",
    }
    notes = (
        "Notes:",
        "Values: percent of each series' population (SH_ACS_UNHC: index 0-100). "
        + str(config.figures["aggregate_note"]).strip(),
        f"Status: A normal; E estimated, the aggregate rests mostly on imputed values (less than {config.low_coverage_share:.0%} of its denominator reported).",
        _synthetic_note(_names(frame["Synthetic inputs"])),
        f"Method edition: {config.label}. Countries without data are imputed ({config.imputation_model}); see docs/publication.md.",
        "Sources:",
        str(config.figures["source_note"]).strip(),
        "Published country series: UN SDG Global Database (UNSD; custodians ILO, World Bank, WHO), CC BY 4.0; population: UN WPP 2019, CC BY 3.0 IGO.",
    )
    year = int(frame.select(pl.col("Year").max()).item()) if frame.height else ""
    return Sheet(
        "Headline",
        f"Social protection and health coverage: world and regional aggregates, {year}",
        frame,
        formats,
        notes,
    )


def annex_sheet(annex: pl.DataFrame, config: PublicationConfig) -> Sheet:
    """The statistical annex sheet: one row per country, its codes, regions and income group, and
    the latest value of each series.
    """
    columns = [
        pl.col("iso3").alias("ISO3"),
        pl.col("name").alias("Country"),
        pl.col("m49").alias("M49"),
        pl.col("ilo_region").alias("ILO region"),
        pl.col("sdg_region").alias("SDG region"),
        pl.col("income_group").alias("Income group"),
    ]
    formats = {"M49": "integer"}
    names: list[str] = []
    for series in config.annex_series:
        prefix = series.lower()
        if f"{prefix}_value" not in annex.columns:
            continue
        label = config.series_label(series)
        columns += [
            pl.col(f"{prefix}_value").alias(f"{label} (%)"),
            pl.col(f"{prefix}_year").alias(f"{series} year"),
            pl.col(f"{prefix}_source").alias(f"{series} source"),
            pl.col(f"{prefix}_flag").alias(f"{series} flag"),
            pl.when(pl.col(f"{prefix}_synthetic")).then(pl.lit("synthetic")).alias(f"{series} synthetic input"),
        ]
        formats |= {f"{label} (%)": "percent", f"{series} year": "integer"}
        names += [
            s.split(":", 1)[1]
            for s in annex.filter(pl.col(f"{prefix}_synthetic").fill_null(False))[f"{prefix}_source"]
            .drop_nulls()
            .to_list()
        ]
    frame = annex.sort("iso3").select(columns)
    notes = (
        "Notes:",
        "Latest value of each series for the country (total, both sexes; SI_COV_MATNL: women). Source: <kind>:<id> (administrative: SSI return; "
        "survey; uhc_index: computed from tracers; published: a published country series, e.g. the UN SDG Global Database extract).",
        f"Flag: suppressed (fewer than {config.min_unweighted_n} sample persons or unreliable: no value), caution (low reliability).",
        _synthetic_note(names),
        "Sources:",
        str(config.figures["source_note"]).strip(),
        "Published country series: UN SDG Global Database (UNSD; custodians ILO, World Bank, WHO), CC BY 4.0.",
    )
    return Sheet("Annex", "Statistical annex: latest value of each series by country", frame, formats, notes)


def comparison_sheet(comparison: pl.DataFrame) -> Sheet:
    """The sheet comparing this run's aggregates with the published ones, for the latest vintage."""
    latest = comparison.filter(pl.col("vintage") == comparison["vintage"].max()) if comparison.height else comparison
    frame = latest.sort("series", "year", "sex", "area_code").select(
        pl.col("series").alias("Series"),
        pl.col("year").alias("Year"),
        pl.col("sex").alias("Sex"),
        pl.col("region").alias("Group"),
        pl.col("area_code").alias("M49 code"),
        pl.col("published_value").alias("Published"),
        pl.col("reproduced_value").alias("Reproduced"),
        pl.col("difference_pp").alias("Difference"),
        pl.col("imputed_share").alias("Imputed share"),
        pl.col("explanation").alias("Explanation"),
    )
    formats = {
        "Year": "integer",
        "Published": "number",
        "Reproduced": "number",
        "Difference": "number",
        "Imputed share": "share",
    }
    vintage = latest["vintage"][0] if latest.height else ""
    notes = (
        "Notes:",
        "Reproduced: the pipeline's aggregate of the extract's own country values (its line-up, imputation and population weights); "
        "differences above 1 point are explained (docs/aggregate_comparison.md).",
        "Sources:",
        f"UN SDG Global Database extract {vintage} (UNSD), CC BY 4.0; population: UN WPP 2019, CC BY 3.0 IGO.",
    )
    return Sheet(
        "Aggregate comparison",
        f"Published aggregates (UN SDG {vintage}) against their reproduction",
        frame,
        formats,
        notes,
    )


def report_sheets(
    headline: pl.DataFrame, annex: pl.DataFrame, comparison: pl.DataFrame | None, config: PublicationConfig
) -> list[Sheet]:
    """The sheets of the report tables workbook: headline, annex and, when there is one, the
    comparison with the published values.
    """
    sheets = [headline_sheet(headline, config), annex_sheet(annex, config)]
    if comparison is not None and comparison.height:
        sheets.append(comparison_sheet(comparison))
    return sheets
