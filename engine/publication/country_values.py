"""Country values of every indicator family in one long layout, and the choice of the source a
country-year is published from.

Inputs, as written to ``output/indicators/``:

* ``sdg_1_3_1`` and ``sdg_3_8_2``: the long layout of ``schemas.indicator_tables``
  (``COVERAGE_COLUMNS``; 3.8.2 adds ``quintile`` and ``hh_composition``);
* ``sdg_3_8_1``: one row per country and year, ``ref_area, year, value`` (the UHC service
  coverage index), ``imputed_share`` (0-1, share of imputed tracers), ``method_edition`` and,
  optionally, ``input_vintage`` and ``obs_status`` (``schemas.indicator_tables.UHC_COLUMNS``). The layout of ``engine.uhc_index`` (``country`` for
  ``ref_area``, ``sci`` for ``value``) is accepted as well.

:func:`country_rows` returns ``COUNTRY_SCHEMA``: every breakdown of every source, the family
and series, with ``quintile`` / ``hh_composition`` = ``T`` where a family has none and
``source_kind = 'uhc_index'`` for 3.8.1. :func:`select_sources` keeps, for every family,
series, country and year, the rows of one source: the first source kind of
``source_preference``, then the smallest ``source_id``.
"""

from __future__ import annotations

import polars as pl

from engine.publication.config import PublicationConfig

UHC_SOURCE_KIND = "uhc_index"
BREAKDOWNS = ("sex", "nationality", "age_group", "urban_rural", "quintile", "hh_composition")
COUNTRY_SCHEMA = {
    "family": pl.String, "series": pl.String, "ref_area": pl.String, "year": pl.Int64,
    "sex": pl.String, "nationality": pl.String, "age_group": pl.String, "urban_rural": pl.String,
    "quintile": pl.String, "hh_composition": pl.String,
    "source_kind": pl.String, "source_id": pl.String,
    "value": pl.Float64, "numerator": pl.Float64, "denominator": pl.Float64,
    "se": pl.Float64, "ci_lower": pl.Float64, "ci_upper": pl.Float64, "n_unweighted": pl.Int64,
    "reliability": pl.String, "capped": pl.Boolean, "obs_status": pl.String, "imputed_share": pl.Float64,
    "method_edition": pl.String, "input_vintage": pl.String,
}
KEY = ("family", "series", "ref_area", "year", *BREAKDOWNS)


def _with_defaults(frame: pl.DataFrame, family: str) -> pl.DataFrame:
    missing = {c: pl.lit("T") for c in BREAKDOWNS if c not in frame.columns}
    missing |= {c: pl.lit(None, dtype=t) for c, t in COUNTRY_SCHEMA.items() if c not in frame.columns and c not in BREAKDOWNS and c != "family"}
    return frame.with_columns(pl.lit(family).alias("family"), **missing).select(list(COUNTRY_SCHEMA)).cast(COUNTRY_SCHEMA)


def uhc_rows(index: pl.DataFrame, series: str) -> pl.DataFrame:
    """SDG 3.8.1 country-years in the long layout (see the module docstring for the input);
    the table's ``obs_status`` (E where tracers are imputed) is kept, A where it has none."""
    frame = index.rename({k: v for k, v in {"country": "ref_area", "sci": "value"}.items() if k in index.columns and v not in index.columns})
    status = pl.col("obs_status").fill_null("A") if "obs_status" in frame.columns else pl.lit("A")
    return frame.filter(pl.col("value").is_not_null()).with_columns(
        pl.lit(series).alias("series"),
        pl.lit(UHC_SOURCE_KIND).alias("source_kind"),
        pl.lit(UHC_SOURCE_KIND).alias("source_id"),
        pl.lit("not_applicable").alias("reliability"),
        status.alias("obs_status"),
    )


def country_rows(tables: dict[str, pl.DataFrame], config: PublicationConfig) -> pl.DataFrame:
    """Every family's country rows (``tables``: indicator table name -> frame; a table absent
    from the mapping contributes nothing)."""
    frames = []
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
        ranked.select("family", "series", "ref_area", "year", "_rank", "source_id").unique()
        .sort("_rank", "source_id")
        .group_by("family", "series", "ref_area", "year", maintain_order=True).first()
    )
    return ranked.join(best, on=["family", "series", "ref_area", "year", "_rank", "source_id"]).drop("_rank").sort(list(KEY))


def source_rank(config: PublicationConfig) -> pl.Expr:
    """Position of ``source_kind`` in ``source_preference`` (unlisted kinds last)."""
    ranks = {kind: i for i, kind in enumerate(config.source_preference)}
    return pl.col("source_kind").replace_strict(ranks, default=len(ranks), return_dtype=pl.Int64)


def at_totals(rows: pl.DataFrame, *, keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """Rows whose breakdowns are all ``T`` except those in ``keep``."""
    cond = pl.lit(True)
    for col in BREAKDOWNS:
        if col not in keep:
            cond = cond & (pl.col(col) == "T")
    return rows.filter(cond)
