"""Honest labels of the published tables: which values rest on synthetic inputs, and which
aggregates are estimates.

* A source or input is *synthetic* when its source record says so (``sources/<kind>/<id>.parquet``,
  ``synthetic: true``: a survey spec or SSI return marked synthetic, a context table whose
  ``sources.yaml`` entry is). :func:`synthetic_names` collects their names (source ids, context
  table names).
* A country value rests on the synthetic inputs among its source and the inputs its
  ``input_vintage`` names (``<source>@<vintage>; <input>@<vintage>; ...``):
  :func:`label_values` adds ``synthetic`` and ``synthetic_inputs`` (names joined by ``, ``).
* A line-up cell (:func:`label_lineup`) rests on the synthetic inputs of the country values it
  is made of (its source and year), and an imputed cell on those of its imputation donors (the
  cells of the group whose median it takes); every cell of a country, series and reference year
  carries the union of its cells' (the sexes are made from each other).
* An aggregate (:func:`label_aggregates`) carries ``synthetic_share`` (share of its denominator
  from cells resting on synthetic inputs) and ``synthetic_inputs`` (their names), and
  ``obs_status``: ``E`` (estimated) when it rests mostly on imputed values, i.e. its
  ``denominator_share_reported`` is below ``low_coverage_share`` (the threshold of the
  ``low_coverage`` flag), else ``A``; ``status_comment`` says why, with the reported share.
"""

from __future__ import annotations

import polars as pl

from engine.publication.config import PublicationConfig

SYNTHETIC_COLUMNS = ("synthetic", "synthetic_inputs")


def synthetic_names(records: list[dict]) -> list[str]:
    """Names of the sources and inputs whose record says ``synthetic: true``, sorted."""
    return sorted(
        {
            str(r["source_id"])
            for r in records
            if r.get("synthetic") is True or str(r.get("synthetic")).lower() == "true"
        }
    )


def _input_names() -> pl.Expr:
    """The source and the inputs named in ``input_vintage``, as a list."""
    tokens = (
        pl.col("input_vintage")
        .fill_null("")
        .str.split(";")
        .list.eval(pl.element().str.split("@").list.first().str.strip_chars())
    )
    return (
        pl.concat_list([pl.col("source_id").cast(pl.String), tokens])
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.unique()
    )


def label_values(rows: pl.DataFrame, synthetic: list[str]) -> pl.DataFrame:
    """Add ``synthetic`` and ``synthetic_inputs`` to country rows (``source_id``, ``input_vintage``)."""
    names = _input_names().list.eval(pl.element().filter(pl.element().is_in(synthetic))).list.sort()
    return (
        rows.with_columns(names.alias("_names"))
        .with_columns(
            (pl.col("_names").list.len() > 0).alias("synthetic"),
            pl.when(pl.col("_names").list.len() > 0).then(pl.col("_names").list.join(", ")).alias("synthetic_inputs"),
        )
        .drop("_names")
    )


def _names_list(column: str) -> pl.Expr:
    return pl.col(column).fill_null("").str.split(", ").list.eval(pl.element().filter(pl.element() != ""))


def label_lineup(lineup: pl.DataFrame, rows: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """Add ``synthetic`` and ``synthetic_inputs`` to the line-up. ``rows``: the labelled country
    rows (:func:`label_values`); ``groups``: the imputation groups (``family, ref_area, year,
    level, region``).
    """
    cells = lineup.with_row_index("_row")
    by_source = (
        rows.filter(pl.col("synthetic"))
        .select(
            "family",
            "series",
            "ref_area",
            pl.col("source_id").alias("_source"),
            pl.col("year").alias("obs_year"),
            _names_list("synthetic_inputs").alias("_n"),
        )
        .explode("_n")
        .drop_nulls("_n")
        .unique()
    )
    # a cell's own sources (an interpolated cell names two, "A + B"), then its names
    own = (
        cells.with_columns(pl.col("source_id").str.split(" + ").alias("_source"))
        .explode("_source")
        .join(by_source, on=["family", "series", "ref_area", "_source", "obs_year"])
        .select("_row", "_n")
    )
    keys = ["family", "vintage", "series", "ref_year", "sex"]
    # donors of an imputed cell: the cells that are not imputed, same key and sex, in its imputation group
    donors = (
        cells.filter(pl.col("status") != "imputed")
        .drop("imputation_level", "imputation_group")
        .join(own, on="_row")
        .join(
            groups.select(
                "family",
                "ref_area",
                pl.col("year").alias("ref_year"),
                pl.col("level").alias("imputation_level"),
                pl.col("region").alias("imputation_group"),
            ),
            on=["family", "ref_area", "ref_year"],
        )
        .select(*keys, "imputation_level", "imputation_group", "_n")
        .unique()
    )
    imputed = (
        cells.filter(pl.col("status") == "imputed")
        .join(donors, on=[*keys, "imputation_level", "imputation_group"])
        .select("_row", "_n")
    )
    per_country = (
        pl.concat([own, imputed])
        .join(cells.select("_row", "family", "vintage", "series", "ref_year", "ref_area"), on="_row")
        .group_by("family", "vintage", "series", "ref_year", "ref_area")
        .agg(pl.col("_n").unique().sort().str.join(", ").alias("synthetic_inputs"))
    )
    return lineup.join(
        per_country, on=["family", "vintage", "series", "ref_year", "ref_area"], how="left"
    ).with_columns(pl.col("synthetic_inputs").is_not_null().alias("synthetic"))


def label_aggregates(
    aggregates: pl.DataFrame, lineup: pl.DataFrame, groups: pl.DataFrame, config: PublicationConfig
) -> pl.DataFrame:
    """Add ``synthetic_share``, ``synthetic_inputs``, ``obs_status`` and ``status_comment``.
    ``lineup``: labelled (:func:`label_lineup`); ``groups``: the aggregation groups (``ref_area,
    year, level, region``).
    """
    members = (
        lineup.filter(pl.col("denominator").is_not_null())
        .select(
            "family",
            "vintage",
            "series",
            pl.col("ref_year").alias("year"),
            "sex",
            "ref_area",
            "denominator",
            "synthetic",
            "synthetic_inputs",
        )
        .join(groups, on=["ref_area", "year"])
    )
    per_group = (
        members.group_by("family", "vintage", "series", "level", "region", "year", "sex")
        .agg(
            (pl.col("denominator").filter(pl.col("synthetic")).sum() / pl.col("denominator").sum()).alias(
                "synthetic_share"
            ),
            _names_list("synthetic_inputs")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .str.join(", ")
            .alias("synthetic_inputs"),
        )
        .with_columns(pl.col("synthetic_inputs").replace("", None))
    )
    labelled = aggregates.join(
        per_group, on=["family", "vintage", "series", "level", "region", "year", "sex"], how="left"
    ).with_columns(pl.col("synthetic_share").fill_null(0.0))
    share = pl.col("denominator_share_reported")
    estimated = (share < config.low_coverage_share).fill_null(True)
    return labelled.with_columns(
        pl.when(estimated).then(pl.lit("E")).otherwise(pl.lit("A")).alias("obs_status"),
        pl.when(estimated)
        .then(
            pl.format(
                "Estimated: rests mostly on imputed values; reported data cover {}% of the denominator ({} of {} countries)",
                (share * 100).round(1),
                pl.col("n_countries") - pl.col("n_imputed"),
                pl.col("n_countries"),
            )
        )
        .otherwise(pl.format("Reported data cover {}% of the denominator", (share * 100).round(1)))
        .alias("status_comment"),
    )
