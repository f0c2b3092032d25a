"""The flagship tables: headline, statistical annex, gender gaps and nationality gaps.

* :func:`headline_table`: world and regional aggregates (levels ``headline_levels``) x series x
  sex x reference year, with the series label, the region's M49 code where it has one, the
  shares covered by reported data and ``latest`` (the last reference year of the series).
* :func:`statistical_annex`: one row per country of ``staging/countries``, the layout of the
  WSPR annex tables: for each series of ``annex_series`` its latest published total (nationality
  and every other breakdown T; sex T, or the one sex of a series about one sex only, such as
  SI_COV_MATNL: :meth:`~engine.publication.config.PublicationConfig.series_sex`), the year, the
  source (``<source_kind>:<source_id>``) and the disclosure flag; empty where the country has
  no value.
* :func:`gap_table`: the published country gaps of one type (``sex``: female minus male;
  ``nationality``: non-nationals minus nationals) from ``indicators/*_gaps``, for the source each
  country-year is published from, with disclosure control: a gap is suppressed when its focus
  or reference cell is, and flagged ``caution`` when either is.
* :func:`aggregate_gender_gaps`: female minus male of the published aggregates (sex-aggregated
  families).

Country values passed in are those of :func:`engine.publication.country_values.select_sources`
(before disclosure, so that gap rows can look up their cells' sample sizes).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from engine.publication.config import PublicationConfig
from engine.publication.country_values import BREAKDOWNS, at_totals
from engine.publication.disclosure import caution_rule, suppression_rule
from engine.publication.imputation import area_codes
from engine.publication.labels import label_values
from schemas.resources.publication import GENDER_GAPS

GAP_VALUE_COLUMNS = (
    "value_group",
    "value_reference",
    "difference_pp",
    "difference_se",
    "difference_ci_lower",
    "difference_ci_upper",
    "ratio",
    "ratio_se",
)
GAP_SCHEMA = GENDER_GAPS.polars_schema()
# The focus and reference cells of a gap: (column compared, focus code, reference code).
GAP_CELLS = {"sex": ("sex", "F", "M"), "nationality": ("nationality", "non_national", "national")}


def primary_vintage(frame: pl.DataFrame) -> pl.DataFrame:
    """Aggregate rows of one vintage per series: the one with the most reporting countries (the
    vintage the SDMX file, the workbook and the figures show).
    """
    best = (
        frame.group_by("series", "vintage")
        .agg(pl.col("n_reported").sum().alias("_n"))
        .sort("_n", "vintage", descending=[True, False])
        .group_by("series", maintain_order=True)
        .first()
        .select("series", "vintage")
    )
    return frame.join(best, on=["series", "vintage"])


def headline_table(
    aggregates: pl.DataFrame, config: PublicationConfig, m49_groups: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The headline table: the aggregates of the edition's headline levels with their M49 area
    codes, series labels and a ``latest`` flag on the latest year of each family, vintage and
    series.
    """
    frame = aggregates.filter(pl.col("level").is_in(list(config.headline_levels)))
    return (
        frame.join(area_codes(config, m49_groups), on=["level", "region"], how="left")
        .with_columns(
            pl.col("series").replace_strict(config.series_labels, default=pl.col("series")).alias("series_label"),
            (pl.col("year") == pl.col("year").max().over("family", "vintage", "series")).alias("latest"),
        )
        .select(
            "family",
            "series",
            "series_label",
            "level",
            "region",
            "region_code",
            "sex",
            "year",
            "latest",
            "value",
            "denominator_share_reported",
            "population_share_reported",
            "n_countries",
            "n_reported",
            "n_derived",
            "n_interpolated",
            "n_imputed",
            "low_coverage",
            "value_withheld",
            "withheld_reason",
            "obs_status",
            "status_comment",
            "synthetic_share",
            "synthetic_inputs",
            "vintage",
            "imputation_model",
            "method_edition",
        )
    )


def statistical_annex(
    published: pl.DataFrame, countries: pl.DataFrame, income_groups: pl.DataFrame, config: PublicationConfig
) -> pl.DataFrame:
    """``published``: country values after disclosure control (``flag``, emptied values)."""
    sexes = pl.DataFrame(
        [(s, config.series_sex(s)) for s in config.annex_series],
        schema={"series": pl.String, "sex": pl.String},
        orient="row",
    )
    totals = at_totals(published, keep=("sex",)).join(sexes, on=["series", "sex"])
    latest = (
        totals.sort("year", descending=True)
        .group_by("series", "ref_area", maintain_order=True)
        .first()
        .select(
            "series",
            "ref_area",
            "value",
            "year",
            pl.concat_str([pl.col("source_kind"), pl.col("source_id")], separator=":").alias("source"),
            "flag",
            "synthetic",
        )
    )
    groups = (
        income_groups.sort("year")
        .group_by("iso3", maintain_order=True)
        .last()
        .select("iso3", "income_group", pl.col("year").alias("income_group_year"))
    )
    annex = countries.select("iso3", "m49", "name", "ilo_region", "ilo_subregion", "sdg_region").join(
        groups, on="iso3", how="left"
    )
    for series in config.annex_series:
        prefix = series.lower()
        cells = latest.filter(pl.col("series") == series).select(
            pl.col("ref_area").alias("iso3"),
            pl.col("value").alias(f"{prefix}_value"),
            pl.col("year").alias(f"{prefix}_year"),
            pl.col("source").alias(f"{prefix}_source"),
            pl.col("flag").alias(f"{prefix}_flag"),
            pl.col("synthetic").alias(f"{prefix}_synthetic"),
        )
        annex = annex.join(cells, on="iso3", how="left")
    return annex.sort("iso3")


def _cell_flags(rows: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    survey = pl.col("source_kind") == "survey"
    return rows.select(
        "family",
        "series",
        "ref_area",
        "year",
        "source_id",
        *BREAKDOWNS,
        (survey & suppression_rule(config, pl.col("n_unweighted"), pl.col("reliability"))).alias("_suppressed"),
        (survey & caution_rule(config, pl.col("reliability"))).alias("_caution"),
    )


def gap_table(
    gaps: pl.DataFrame,
    family: str,
    selected: pl.DataFrame,
    gap_type: str,
    config: PublicationConfig,
    synthetic: Sequence[str] = (),
) -> pl.DataFrame:
    """Published gaps of ``gap_type`` from one family's gap table (``GAP_COLUMNS`` of
    ``schemas/resources/sdg_1_3_1.py``, 3.8.2 with ``quintile`` and ``hh_composition``); ``selected``:
    that family's country values of the published sources (before disclosure); ``synthetic``:
    the names of synthetic sources and inputs (a gap rests on its source's and inputs').
    """
    if gaps.is_empty():
        return pl.DataFrame(schema=GAP_SCHEMA)
    frame = label_values(gaps.filter(pl.col("gap_type") == gap_type), list(synthetic)).with_columns(
        pl.lit(family).alias("family"),
        *[pl.lit("T").alias(c) for c in ("quintile", "hh_composition") if c not in gaps.columns],
    )
    sources = selected.select("family", "series", "ref_area", "year", "source_id").unique()
    frame = frame.join(sources, on=["family", "series", "ref_area", "year", "source_id"])
    column, focus, reference = GAP_CELLS[gap_type]
    cells = _cell_flags(selected, config)
    keys = ["family", "series", "ref_area", "year", "source_id", *[c for c in BREAKDOWNS if c != column]]
    for code, tag in ((focus, "_f"), (reference, "_r")):
        side = (
            cells.filter(pl.col(column) == code)
            .drop(column)
            .rename({"_suppressed": f"_suppressed{tag}", "_caution": f"_caution{tag}"})
        )
        frame = frame.join(side, on=keys, how="left")
    suppressed = pl.col("_suppressed_f").fill_null(False) | pl.col("_suppressed_r").fill_null(False)
    caution = pl.col("_caution_f").fill_null(False) | pl.col("_caution_r").fill_null(False)
    frame = frame.with_columns(
        suppressed.alias("suppressed"),
        pl.when(suppressed)
        .then(pl.lit("suppressed"))
        .when(caution)
        .then(pl.lit("caution"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("flag"),
        pl.lit("country").alias("area_kind"),
        pl.lit(None, dtype=pl.String).alias("level"),
        pl.lit(None, dtype=pl.String).alias("vintage"),
    ).with_columns([pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in GAP_VALUE_COLUMNS])
    return frame.select(list(GAP_SCHEMA)).cast(GAP_SCHEMA)


def aggregate_gender_gaps(aggregates: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """Female minus male (and female / male) of every aggregate with both sexes published (an
    aggregate withheld for too little reported data has no gap).
    """
    keys = ["family", "vintage", "series", "level", "region", "year"]
    levels = aggregates.filter(pl.col("level").is_in(list(config.headline_levels)) & ~pl.col("value_withheld"))
    female = levels.filter(pl.col("sex") == "F").select(
        *keys, pl.col("value").alias("value_group"), "method_edition", pl.col("synthetic_inputs").alias("_sf")
    )
    male = levels.filter(pl.col("sex") == "M").select(
        *keys, pl.col("value").alias("value_reference"), pl.col("synthetic_inputs").alias("_sm")
    )
    frame = (
        female.join(male, on=keys)
        .with_columns(
            (pl.col("value_group") - pl.col("value_reference")).alias("difference_pp"),
            (pl.col("value_group") / pl.col("value_reference")).alias("ratio"),
            pl.lit("aggregate").alias("area_kind"),
            pl.col("region").alias("ref_area"),
            pl.lit("sex").alias("gap_type"),
            *[
                pl.lit("T").alias(c)
                for c in ("sex", "nationality", "age_group", "urban_rural", "quintile", "hh_composition")
            ],
            pl.lit("aggregate").alias("source_kind"),
            pl.lit(None, dtype=pl.String).alias("source_id"),
            *[
                pl.lit(None, dtype=pl.Float64).alias(c)
                for c in ("difference_se", "difference_ci_lower", "difference_ci_upper", "ratio_se")
            ],
            pl.lit(False).alias("suppressed"),
            pl.lit(None, dtype=pl.String).alias("flag"),
            pl.concat_list([pl.col("_sf").fill_null("").str.split(", "), pl.col("_sm").fill_null("").str.split(", ")])
            .list.eval(pl.element().filter(pl.element() != ""))
            .list.unique()
            .list.sort()
            .list.join(", ")
            .replace("", None)
            .alias("synthetic_inputs"),
        )
        .with_columns(pl.col("synthetic_inputs").is_not_null().alias("synthetic"))
    )
    return frame.select(list(GAP_SCHEMA)).cast(GAP_SCHEMA)
