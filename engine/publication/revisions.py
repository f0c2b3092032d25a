"""Revisions: this run's country values against the previously published vintage.

The previous values are ``staging/published_sdg`` (UN SDG Global Database extracts), vintage
``revisions.compare_vintage`` (``latest``: the last one), country rows whose other breakdowns
are total. This run's values are the published country totals (every breakdown T except sex)
of the sources chosen for publication. They are matched on series, country, year and sex.

:func:`revisions_table` compares the values *before* disclosure control and marks each row
with the disclosure flags of its cell (``suppressed``, ``flag``): the internal listing
(``indicators/revisions_unmasked``, for the report's authors). :func:`published_revisions` is
the table written to ``publication/revisions``: a suppressed cell keeps its row (a revision
exists) but its ``new_value`` and ``difference_pp`` are emptied, as in every published table.

Every pair whose absolute difference exceeds ``revisions.tolerance_pp``, and every value this
run has that the previous vintage did not, is listed with the old and new values and, where the
pipeline knows it, the reason (``reason_code`` joined by ``;`` and a sentence in ``reason``):

* ``new_source``: no value in the previous vintage, or the previous value was an agency estimate
  or model (NATURE E, M, G) and this one is country data;
* ``new_method_edition``: the family edition differs from the one declared for that vintage in
  ``revisions.previous_vintages.<vintage>.method_editions``;
* ``new_denominator_vintage``: the WPP vintage of the value's denominator (the ``population``
  inputs named in its ``input_vintage``, see ``vintage_inputs``) differs from the one declared
  in ``revisions.previous_vintages.<vintage>.population_vintage``. Only values of
  denominator-weighted families whose ``input_vintage`` names such an input (administrative
  rates over WPP populations) can get it: survey rates have their own weighted denominators and
  3.8.x country values do not depend on WPP;
* ``unexplained`` when none applies. Undeclared facts give no reason.

Previously published values that this run does not reproduce are not listed (they would list
every country without an input); :func:`revision_summary` counts them.
"""

from __future__ import annotations

import re

import polars as pl

from engine.publication.aggregates import denominator_inputs
from engine.publication.config import PublicationConfig
from engine.publication.country_values import at_totals
from engine.publication.disclosure import blank_suppressed, with_flags
from engine.publication.tables import REVISIONS

ESTIMATED_NATURE = ("E", "M", "G")
REVISION_SCHEMA = REVISIONS.dtypes()
MASKED_COLUMNS = ("new_value", "difference_pp")  # what would reveal a suppressed cell


def previous_vintage(published_sdg: pl.DataFrame, config: PublicationConfig) -> str | None:
    """The vintage compared against (None when there is no extract)."""
    wanted = config.revisions["compare_vintage"]
    vintages = sorted(published_sdg["vintage"].unique().to_list())
    if not vintages:
        return None
    return vintages[-1] if wanted == "latest" else str(wanted)


def _edition_of(family: str) -> pl.Expr:
    return pl.coalesce(pl.col("new_method_edition").str.extract(f"{re.escape(family)}:([^+;,]+)"), pl.col("new_method_edition"))


def revisions_table(selected: pl.DataFrame, published_sdg: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """The internal listing (values unmasked, disclosure flags set); ``selected``: country
    values of the published sources, before disclosure control."""
    vintage = previous_vintage(published_sdg, config)
    if vintage is None:
        return pl.DataFrame(schema=REVISION_SCHEMA)
    declared = (config.revisions.get("previous_vintages") or {}).get(vintage) or {}
    old = published_sdg.filter(
        (pl.col("vintage") == vintage) & (pl.col("area_kind") == "country") & (pl.col("breakdown") == "T")
    ).select("series", "ref_area", "year", "sex", pl.col("value").alias("old_value"), pl.col("nature").alias("old_nature"))
    new = with_flags(at_totals(selected, keep=("sex",)).filter(pl.col("value").is_not_null()), config).select(
        "series", "ref_area", "year", "sex", "family", pl.col("value").alias("new_value"),
        pl.col("source_kind").alias("new_source_kind"), pl.col("source_id").alias("new_source_id"),
        pl.col("method_edition").alias("new_method_edition"), "suppressed", "flag",
        denominator_inputs(config).str.split("; ").list.eval(pl.element().str.extract(r"@(.*)$").str.strip_chars())
        .list.drop_nulls().list.unique().list.sort().alias("_population_vintages"),
    )
    pairs = new.join(old, on=["series", "ref_area", "year", "sex"], how="left").with_columns(
        (pl.col("new_value") - pl.col("old_value")).alias("difference_pp"),
        pl.lit(vintage).alias("old_vintage"),
    )
    listed = pairs.filter(pl.col("old_value").is_null() | (pl.col("difference_pp").abs() > float(config.revisions["tolerance_pp"])))
    return _with_reasons(listed, declared, vintage, config).select(list(REVISION_SCHEMA)).cast(REVISION_SCHEMA).sort(
        "series", "ref_area", "year", "sex"
    )


def published_revisions(revisions: pl.DataFrame) -> pl.DataFrame:
    """The listing of :func:`revisions_table` with the values of suppressed cells emptied."""
    return blank_suppressed(revisions, MASKED_COLUMNS)


def _with_reasons(listed: pl.DataFrame, declared: dict, vintage: str, config: PublicationConfig) -> pl.DataFrame:
    reasons: list[tuple[pl.Expr, str, pl.Expr]] = [
        (pl.col("old_value").is_null(), "new_source", pl.lit(f"new source: no value in UN SDG {vintage}")),
        (
            pl.col("old_nature").is_in(list(ESTIMATED_NATURE)).fill_null(False) & (pl.col("new_source_kind") != "uhc_index"),
            "new_source",
            pl.concat_str([pl.lit(f"new source: UN SDG {vintage} value was an estimate (NATURE "), pl.col("old_nature"), pl.lit("), now country data")]),
        ),
    ]
    for family, edition in (declared.get("method_editions") or {}).items():
        now = _edition_of(family)
        reasons.append((
            (pl.col("family") == family) & (now != str(edition)),
            "new_method_edition",
            pl.concat_str([pl.lit(f"new method edition: {family}:{edition} -> {family}:"), now]),
        ))
    before = declared.get("population_vintage")
    if before:
        weighted = [f.name for f in config.families.values() if f.weighting == "denominator"]
        now = pl.col("_population_vintages")
        reasons.append((
            pl.col("family").is_in(weighted) & (now.list.len() > 0) & now.list.eval(pl.element() != str(before)).list.any(),
            "new_denominator_vintage",
            pl.concat_str([pl.lit(f"new denominator vintage: {before} -> "), now.list.join(", ")]),
        ))
    codes = [pl.when(cond).then(pl.lit(code)) for cond, code, _ in reasons]
    texts = [pl.when(cond).then(text) for cond, _, text in reasons]
    return listed.with_columns(
        pl.concat_list(codes).list.drop_nulls().list.unique(maintain_order=True).list.join(";").alias("reason_code"),
        pl.concat_str(texts, separator="; ", ignore_nulls=True).replace("", None).alias("reason"),
    ).with_columns(
        pl.when(pl.col("reason_code") == "").then(pl.lit("unexplained")).otherwise(pl.col("reason_code")).alias("reason_code"),
    )


def revision_summary(revisions: pl.DataFrame, selected: pl.DataFrame, published_sdg: pl.DataFrame, config: PublicationConfig) -> dict:
    """Counts for the asset metadata: revised, new, by reason, and previously published country
    values of the compared series that this run does not have."""
    vintage = previous_vintage(published_sdg, config)
    series = at_totals(selected, keep=("sex",))["series"].unique().to_list()
    old = published_sdg.filter(
        (pl.col("vintage") == vintage) & (pl.col("area_kind") == "country") & (pl.col("breakdown") == "T") & pl.col("series").is_in(series)
    ).select("series", "ref_area", "year", "sex")
    have = at_totals(selected, keep=("sex",)).select("series", "ref_area", "year", "sex")
    by_reason = revisions.select(pl.col("reason_code").str.split(";")).explode("reason_code")["reason_code"].value_counts()
    return {
        "compared_vintage": vintage,
        "listed": revisions.height,
        "new_values": revisions.filter(pl.col("old_value").is_null()).height,
        "revised_values": revisions.filter(pl.col("old_value").is_not_null()).height,
        "by_reason": dict(zip(by_reason["reason_code"].to_list(), by_reason["count"].to_list())),
        "previous_values_not_reproduced": old.join(have, on=["series", "ref_area", "year", "sex"], how="anti").height,
    }
