"""Country values of every indicator family in one long layout, and the choice of the source a
country-year is published from.

Inputs, as written to ``output/indicators/``:

* ``sdg_1_3_1`` and ``sdg_3_8_2``: the long layout of ``schemas/resources/sdg_1_3_1.py``
  (``COVERAGE_COLUMNS``; 3.8.2 adds ``quintile`` and ``hh_composition``);
* ``sdg_3_8_1``: one row per country and year, ``ref_area, year, value`` (the UHC service
  coverage index), ``imputed_share`` (0-1, share of imputed tracers), ``method_edition`` and,
  optionally, ``input_vintage`` and ``obs_status`` (``schemas/resources/sdg_3_8_1.py``). The layout of ``engine.sdg_3_8_1`` (``country`` for
  ``ref_area``, ``sci`` for ``value``) is accepted as well.

:func:`country_rows` returns ``COUNTRY_SCHEMA``: every breakdown of every source, the family
and series, with ``quintile`` / ``hh_composition`` = ``T`` where a family has none and
``source_kind = 'uhc_index'`` for 3.8.1, and, given ``staging/published_sdg``, the published
country series of ``published_series`` (:func:`published_rows`, source kind ``published``).
:func:`select_sources` keeps, for every family, series, country and year, the rows of one
source: the first source kind of the series' preference (``source_preference``, or its entry in
``series_source_preference``), then the smallest ``source_id``.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from engine.publication.config import PublicationConfig
from engine.publication.disclosure import apply_disclosure
from engine.publication.labels import label_values

UHC_SOURCE_KIND = "uhc_index"
PUBLISHED_SOURCE_KIND = "published"
BREAKDOWNS = ("sex", "nationality", "age_group", "urban_rural", "quintile", "hh_composition")
COUNTRY_SCHEMA = pl.Schema(
    {
        "family": pl.String,
        "series": pl.String,
        "ref_area": pl.String,
        "year": pl.Int64,
        "sex": pl.String,
        "nationality": pl.String,
        "age_group": pl.String,
        "urban_rural": pl.String,
        "quintile": pl.String,
        "hh_composition": pl.String,
        "source_kind": pl.String,
        "source_id": pl.String,
        "value": pl.Float64,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "se": pl.Float64,
        "ci_lower": pl.Float64,
        "ci_upper": pl.Float64,
        "n_unweighted": pl.Int64,
        "reliability": pl.String,
        "capped": pl.Boolean,
        "obs_status": pl.String,
        "nature": pl.String,
        "imputed_share": pl.Float64,
        "method_edition": pl.String,
        "input_vintage": pl.String,
    }
)
KEY = ("family", "series", "ref_area", "year", *BREAKDOWNS)


def _with_defaults(frame: pl.DataFrame, family: str) -> pl.DataFrame:
    missing = {c: pl.lit("T") for c in BREAKDOWNS if c not in frame.columns}
    missing |= {
        c: pl.lit(None, dtype=t)
        for c, t in COUNTRY_SCHEMA.items()
        if c not in frame.columns and c not in BREAKDOWNS and c != "family"
    }
    return (
        frame.with_columns(pl.lit(family).alias("family"), **missing).select(list(COUNTRY_SCHEMA)).cast(COUNTRY_SCHEMA)
    )


def uhc_rows(index: pl.DataFrame, series: str) -> pl.DataFrame:
    """SDG 3.8.1 country-years in the long layout (see the module docstring for the input);
    the table's ``obs_status`` (E where tracers are imputed) is kept, A where it has none.
    """
    frame = index.rename(
        {
            k: v
            for k, v in {"country": "ref_area", "sci": "value"}.items()
            if k in index.columns and v not in index.columns
        }
    )
    status = pl.col("obs_status").fill_null("A") if "obs_status" in frame.columns else pl.lit("A")
    return frame.filter(pl.col("value").is_not_null()).with_columns(
        pl.lit(series).alias("series"),
        pl.lit(UHC_SOURCE_KIND).alias("source_kind"),
        pl.lit(UHC_SOURCE_KIND).alias("source_id"),
        pl.lit("not_applicable").alias("reliability"),
        status.alias("obs_status"),
    )


def published_rows(published: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """The published country values of ``published_series`` in ``COUNTRY_SCHEMA``: country rows of
    ``staging/published_sdg`` whose breakdown is the total or a quintile (``quantile=q<k>`` ->
    quintile ``<k>``), each series from the latest vintage that has it (or the configured one),
    ``source_kind = 'published'``, ``source_id`` the published source, the published nature and
    observation status, ``input_vintage = <source_id>@<vintage>`` and ``method_edition =
    published:<source_id>``. A percentage published above 100 (Cabo Verde, men's pension coverage
    2021: 132.4 in the 2023-12 extract) is capped at 100 like an administrative value
    (``capped``).
    """
    families = config.series_families()
    rows = published.filter((pl.col("area_kind") == "country") & pl.col("series").is_in(list(families)))
    rows = rows.filter((pl.col("breakdown") == "T") | pl.col("breakdown").str.contains(r"^quantile=q\d$"))
    if config.published_vintage == "latest":
        rows = rows.filter(pl.col("vintage") == pl.col("vintage").max().over("series"))
    else:
        rows = rows.filter(pl.col("vintage") == config.published_vintage)
    percent = pl.col("unit").fill_null("PERCENT") == "PERCENT"
    frame = rows.select(
        pl.col("series").replace_strict(families, return_dtype=pl.String).alias("family"),
        "series",
        "ref_area",
        "year",
        "sex",
        pl.when(pl.col("breakdown") == "T")
        .then(pl.lit("T"))
        .otherwise(pl.col("breakdown").str.extract(r"q(\d)$"))
        .alias("quintile"),
        pl.lit(PUBLISHED_SOURCE_KIND).alias("source_kind"),
        "source_id",
        pl.when(percent & (pl.col("value") > 100)).then(pl.lit(100.0)).otherwise(pl.col("value")).alias("value"),
        (percent & (pl.col("value") > 100)).alias("capped"),
        pl.lit("not_applicable").alias("reliability"),
        pl.col("obs_status").fill_null("A").alias("obs_status"),
        "nature",
        pl.concat_str([pl.lit("published:"), pl.col("source_id")]).alias("method_edition"),
        pl.concat_str([pl.col("source_id"), pl.lit("@"), pl.col("vintage")]).alias("input_vintage"),
    )
    missing = {c: pl.lit("T") for c in BREAKDOWNS if c not in frame.columns}
    missing |= {
        c: pl.lit(None, dtype=t) for c, t in COUNTRY_SCHEMA.items() if c not in frame.columns and c not in BREAKDOWNS
    }
    return frame.with_columns(**missing).select(list(COUNTRY_SCHEMA)).cast(COUNTRY_SCHEMA)


def country_rows(
    tables: dict[str, pl.DataFrame], config: PublicationConfig, published: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Every family's country rows (``tables``: indicator table name -> frame; a table absent
    from the mapping contributes nothing), with the published country series of ``published``
    (``staging/published_sdg``) when given.
    """
    frames = [] if published is None or published.is_empty() else [published_rows(published, config)]
    for family in config.families.values():
        table = tables.get(family.table)
        if table is None or table.is_empty():
            continue
        frame = uhc_rows(table, family.series) if family.series else table
        frames.append(_with_defaults(frame, family.name))
    if not frames:
        return pl.DataFrame(schema=COUNTRY_SCHEMA)
    return pl.concat(frames)


def select_sources(rows: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """The rows of the preferred source of every family, series, country and year."""
    ranked = rows.with_columns(source_rank(config).alias("_rank"))
    best = (
        ranked.select("family", "series", "ref_area", "year", "_rank", "source_id")
        .unique()
        .sort("_rank", "source_id")
        .group_by("family", "series", "ref_area", "year", maintain_order=True)
        .first()
    )
    return (
        ranked.join(best, on=["family", "series", "ref_area", "year", "_rank", "source_id"])
        .drop("_rank")
        .sort(list(KEY))
    )


def source_rank(config: PublicationConfig) -> pl.Expr:
    """Position of ``source_kind`` in the preference of the row's series (``source_preference``,
    or its ``series_source_preference``); kinds not listed come after the listed ones.
    """

    def rank(kinds: tuple[str, ...]) -> pl.Expr:
        return pl.col("source_kind").replace_strict(
            {k: i for i, k in enumerate(kinds)}, default=len(kinds), return_dtype=pl.Int64
        )

    expr = rank(config.source_preference)
    for series, kinds in config.series_source_preference.items():
        expr = pl.when(pl.col("series") == series).then(rank(kinds)).otherwise(expr)
    return expr


def at_totals(rows: pl.DataFrame, *, keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """Rows whose breakdowns are all ``T`` except those in ``keep``."""
    cond = pl.lit(True)
    for col in BREAKDOWNS:
        if col not in keep:
            cond = cond & (pl.col(col) == "T")
    return rows.filter(cond)


def published_values(rows: pl.DataFrame, config: PublicationConfig, synthetic: Sequence[str] = ()) -> pl.DataFrame:
    """``publication/country_values``: the rows of the preferred sources (:func:`select_sources`),
    labelled with their synthetic inputs, after disclosure control.
    """
    return apply_disclosure(label_values(select_sources(rows, config), list(synthetic)), config)
