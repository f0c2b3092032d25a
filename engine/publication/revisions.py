"""Revisions, with reasons observed in the data (not declared in configuration).

Two comparisons, one listing (``comparison``):

* ``vintage``: every pair of consecutive vintages of the published country series
  (``staging/published_sdg``, country rows, other breakdowns total): what the newer release
  changed in the older one's values, added and withdrew;
* ``run``: this run's country values computed here (SSI returns, surveys, the 3.8.1 index; totals
  of every breakdown but sex, of the sources chosen for publication) against the latest vintage
  (``revisions.compare_vintage``), before disclosure control, each row marked with the disclosure
  flags of its cell (``suppressed``, ``flag``): the internal listing
  (``indicators/revisions_unmasked``); :func:`published_revisions` empties the new value and the
  difference of a suppressed cell for ``publication/revisions``.

Listed: every pair whose absolute difference exceeds ``revisions.tolerance_pp``, every new value,
and (``vintage``) every withdrawn value. ``reason_code`` (joined by ``;``) and ``reason`` say what
the data show (:func:`with_reasons`):

* ``new_value``: no value before for that country, series, year and sex;
* ``withdrawn``: the older release had the value, the newer one has none for that year;
* ``re_referenced``: a withdrawn (or new) value equals, within the tolerance, the country's value
  of the same series and sex for another year in the other release (the same estimate published
  for another year);
* ``new_source``: the nature of the value changed (e.g. E estimated -> C country data), or, for
  ``run``, the new value is country data computed here where the release had an agency estimate
  (NATURE E, M or G);
* ``series_revised``: at least ``revisions.series_revised_share`` of the values the two sides
  have in common for the series were revised, over at least ``revisions.series_revised_years``
  years: the whole series was re-estimated, a change of method;
* ``denominator_revised``: the relative change new / old of the value equals (within
  ``revisions.denominator_tolerance``) that of another series of the same country, year and sex
  with the same population group (``denominator_proxy``; series of denominator-weighted
  families, 1.3.1): the common denominator, a population estimate, changed;
* ``unexplained``: none of these.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Literal

import polars as pl

from engine.publication.config import PublicationConfig
from engine.publication.country_values import PUBLISHED_SOURCE_KIND, at_totals
from engine.publication.disclosure import blank_suppressed, with_flags
from engine.publication.labels import label_values
from schemas.resources.publication import REVISIONS

ESTIMATED_NATURE = ("E", "M", "G")
REVISION_SCHEMA = REVISIONS.polars_schema()
MASKED_COLUMNS = ("new_value", "difference_pp")  # what would reveal a suppressed cell
KEY = ["series", "ref_area", "year", "sex"]


def vintages(published_sdg: pl.DataFrame) -> list[str]:
    """The vintages of the published UN SDG extract, sorted (empty when there is no extract)."""
    return sorted(published_sdg["vintage"].unique().to_list()) if published_sdg.height else []


def previous_vintage(published_sdg: pl.DataFrame, config: PublicationConfig) -> str | None:
    """The vintage this run is compared against (None when there is no extract)."""
    wanted = config.revisions["compare_vintage"]
    found = vintages(published_sdg)
    if not found:
        return None
    return found[-1] if wanted == "latest" else str(wanted)


def _country_values(published_sdg: pl.DataFrame, vintage: str) -> pl.DataFrame:
    return published_sdg.filter(
        (pl.col("vintage") == vintage) & (pl.col("area_kind") == "country") & (pl.col("breakdown") == "T")
    ).select(*KEY, "value", "nature", "source_id")


def _pairs(old: pl.DataFrame, new: pl.DataFrame, *, withdrawn: bool) -> pl.DataFrame:
    """Outer (or, without ``withdrawn``, left on ``new``) join of the two sides on the key."""
    how: Literal["full", "left"] = "full" if withdrawn else "left"
    joined = new.join(old, on=KEY, how=how, coalesce=True)
    return joined.with_columns((pl.col("new_value") - pl.col("old_value")).alias("difference_pp"))


def _listed(pairs: pl.DataFrame, tolerance: float) -> pl.DataFrame:
    return pairs.filter(
        pl.col("old_value").is_null() | pl.col("new_value").is_null() | (pl.col("difference_pp").abs() > tolerance)
    )


def with_reasons(pairs: pl.DataFrame, listed: pl.DataFrame, config: PublicationConfig, *, run: bool) -> pl.DataFrame:
    """``listed`` with ``reason_code`` and ``reason`` (see the module docstring); ``pairs``: every
    pair of the comparison (for the series-wide and denominator patterns).
    """
    rules = config.revisions
    tolerance = float(rules["tolerance_pp"])
    # series revised as a whole: share of the common values revised, and the years they span
    common = pairs.filter(pl.col("old_value").is_not_null() & pl.col("new_value").is_not_null())
    by_series = (
        common.group_by("series")
        .agg(
            ((pl.col("difference_pp").abs() > tolerance).sum() / pl.len()).alias("_revised_share"),
            pl.len().alias("_common"),
            pl.col("year").filter(pl.col("difference_pp").abs() > tolerance).n_unique().alias("_revised_years"),
        )
        .with_columns(
            (
                (pl.col("_revised_share") >= float(rules["series_revised_share"]))
                & (pl.col("_revised_years") >= int(rules["series_revised_years"]))
            ).alias("_series_revised")
        )
    )
    # same relative change as another series with the same population group, same country, year and sex
    groups = {s: (p.age_from, p.age_to, p.sex, p.rate) for s, p in config.proxies.items() if s != "default"}
    default = config.proxy("default")
    # series of the denominator-weighted families (1.3.1): published ones by their family, this run's by its column
    weighted = [
        s
        for f, names in config.published_families.items()
        if config.families[f].weighting == "denominator"
        for s in names
    ]
    in_weighted = pl.col("series").is_in(weighted)
    if "family" in common.columns:
        in_weighted = in_weighted | pl.col("family").is_in(
            [f.name for f in config.families.values() if f.weighting == "denominator"]
        )
    ratio = common.filter((pl.col("old_value") != 0) & in_weighted).with_columns(
        (pl.col("new_value") / pl.col("old_value")).alias("_ratio"),
        pl.col("series")
        .replace_strict(
            {s: str(g) for s, g in groups.items()},
            default=str((default.age_from, default.age_to, default.sex, default.rate)),
        )
        .alias("_group"),
    )
    rtol = float(rules["denominator_tolerance"])
    partners = ratio.join(
        ratio.select(
            "ref_area",
            "year",
            "sex",
            "_group",
            pl.col("series").alias("_other"),
            pl.col("_ratio").alias("_other_ratio"),
        ),
        on=["ref_area", "year", "sex", "_group"],
    )
    denominator = (
        partners.filter(
            (pl.col("series") != pl.col("_other"))
            & ((pl.col("_ratio") - 1).abs() > rtol)
            & ((pl.col("_ratio") / pl.col("_other_ratio") - 1).abs() <= rtol)
        )
        .group_by(KEY)
        .agg(pl.col("_other").sort().str.join(", ").alias("_with"), pl.col("_ratio").first().alias("_factor"))
    )
    # the same value published for another year on the other side
    values = pairs.select("series", "ref_area", "sex", "year", "old_value", "new_value")
    old_elsewhere = values.filter(pl.col("old_value").is_not_null()).select(
        "series", "ref_area", "sex", pl.col("year").alias("_year"), pl.col("old_value").alias("_v")
    )
    new_elsewhere = values.filter(pl.col("new_value").is_not_null()).select(
        "series", "ref_area", "sex", pl.col("year").alias("_year"), pl.col("new_value").alias("_v")
    )
    frame = listed.with_row_index("_row")

    def moved(side: pl.DataFrame, value: str) -> pl.DataFrame:
        hits = (
            frame.filter(pl.col(value).is_not_null())
            .join(side, on=["series", "ref_area", "sex"])
            .filter((pl.col("_year") != pl.col("year")) & ((pl.col("_v") - pl.col(value)).abs() <= tolerance))
        )
        return hits.group_by("_row").agg(pl.col("_year").min().alias("_moved_year"))

    withdrawn_moved = moved(new_elsewhere, "old_value")
    new_moved = moved(old_elsewhere, "new_value")
    frame = (
        frame.join(by_series.select("series", "_series_revised", "_revised_share", "_common"), on="series", how="left")
        .join(denominator, on=KEY, how="left")
        .join(withdrawn_moved.rename({"_moved_year": "_to_year"}), on="_row", how="left")
        .join(new_moved.rename({"_moved_year": "_from_year"}), on="_row", how="left")
    )
    nature_changed = (
        pl.col("old_nature").is_not_null()
        & pl.col("new_nature").is_not_null()
        & (pl.col("old_nature") != pl.col("new_nature"))
    )
    computed_over_estimate = pl.col("old_nature").is_in(list(ESTIMATED_NATURE)).fill_null(False) & (
        pl.col("new_source_kind") != "uhc_index"
    )
    reasons = [
        (pl.col("old_value").is_null(), "new_value", pl.lit("no value before for this country, year and sex")),
        (pl.col("new_value").is_null(), "withdrawn", pl.lit("the newer release has no value for this year")),
        (
            pl.col("_to_year").is_not_null() & pl.col("new_value").is_null(),
            "re_referenced",
            pl.format("the same value is now published for {}", pl.col("_to_year")),
        ),
        (
            pl.col("_from_year").is_not_null() & pl.col("old_value").is_null(),
            "re_referenced",
            pl.format("the same value was published for {} before", pl.col("_from_year")),
        ),
        (
            (computed_over_estimate if run else nature_changed)
            & pl.col("old_value").is_not_null()
            & pl.col("new_value").is_not_null(),
            "new_source",
            pl.format("new source: NATURE {} before, now {}", pl.col("old_nature"), pl.col("new_nature")),
        ),
        (
            pl.col("_series_revised").fill_null(False)
            & pl.col("old_value").is_not_null()
            & pl.col("new_value").is_not_null(),
            "series_revised",
            pl.format(
                "series re-estimated as a whole: {}% of its {} common values revised (a change of method)",
                (pl.col("_revised_share") * 100).round(0).cast(pl.Int64),
                pl.col("_common"),
            ),
        ),
        (
            pl.col("_with").is_not_null(),
            "denominator_revised",
            pl.format(
                "same relative change (x{}) as {}, same population group: the denominator changed",
                pl.col("_factor").round(3),
                pl.col("_with"),
            ),
        ),
    ]
    codes = [pl.when(c).then(pl.lit(code)) for c, code, _ in reasons]
    texts = [pl.when(c).then(t) for c, _, t in reasons]
    return frame.with_columns(
        pl.concat_list(codes)
        .list.drop_nulls()
        .list.unique(maintain_order=True)
        .list.join(";")
        .replace("", None)
        .alias("reason_code"),
        pl.concat_str(texts, separator="; ", ignore_nulls=True).replace("", None).alias("reason"),
    ).with_columns(pl.col("reason_code").fill_null("unexplained"))


def _finish(frame: pl.DataFrame) -> pl.DataFrame:
    for column, dtype in REVISION_SCHEMA.items():
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(column))
    return frame.select(list(REVISION_SCHEMA)).cast(REVISION_SCHEMA)


def vintage_revisions(published_sdg: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """``comparison = 'vintage'``: each release against the one before it."""
    found = vintages(published_sdg)
    frames = []
    for older, newer in itertools.pairwise(found):
        old = _country_values(published_sdg, older).rename(
            {"value": "old_value", "nature": "old_nature", "source_id": "_old_source"}
        )
        new = _country_values(published_sdg, newer).rename(
            {"value": "new_value", "nature": "new_nature", "source_id": "new_source_id"}
        )
        pairs = _pairs(old, new, withdrawn=True).with_columns(pl.lit(PUBLISHED_SOURCE_KIND).alias("new_source_kind"))
        listed = _listed(pairs, float(config.revisions["tolerance_pp"]))
        frames.append(
            with_reasons(pairs, listed, config, run=False).with_columns(
                pl.lit("vintage").alias("comparison"),
                pl.lit(older).alias("old_vintage"),
                pl.lit(newer).alias("new_vintage"),
                pl.col("series")
                .replace_strict(config.series_families(), default=None, return_dtype=pl.String)
                .alias("family"),
                pl.lit(False).alias("synthetic"),
                pl.lit(False).alias("suppressed"),
            )
        )
    return _finish(pl.concat(frames, how="diagonal_relaxed")) if frames else pl.DataFrame(schema=REVISION_SCHEMA)


def run_revisions(
    selected: pl.DataFrame, published_sdg: pl.DataFrame, config: PublicationConfig, synthetic: Sequence[str] = ()
) -> pl.DataFrame:
    """``comparison = 'run'``: this run's values computed here against the latest vintage
    (unmasked, disclosure flags set); ``selected``: country values of the sources chosen for
    publication, before disclosure control; ``synthetic``: names of the synthetic inputs.
    """
    vintage = previous_vintage(published_sdg, config)
    if vintage is None:
        return pl.DataFrame(schema=REVISION_SCHEMA)
    old = _country_values(published_sdg, vintage).select(
        *KEY, pl.col("value").alias("old_value"), pl.col("nature").alias("old_nature")
    )
    computed = label_values(selected.filter(pl.col("source_kind") != PUBLISHED_SOURCE_KIND), list(synthetic))
    new = with_flags(at_totals(computed, keep=("sex",)).filter(pl.col("value").is_not_null()), config).select(
        *KEY,
        "family",
        pl.col("value").alias("new_value"),
        pl.lit("C").alias("new_nature"),
        pl.col("source_kind").alias("new_source_kind"),
        pl.col("source_id").alias("new_source_id"),
        pl.col("method_edition").alias("new_method_edition"),
        "suppressed",
        "flag",
        "synthetic",
        "synthetic_inputs",
    )
    pairs = _pairs(old, new, withdrawn=False)
    listed = _listed(pairs, float(config.revisions["tolerance_pp"]))
    table = with_reasons(pairs, listed, config, run=True).with_columns(
        pl.lit("run").alias("comparison"), pl.lit(vintage).alias("old_vintage"), pl.lit("this run").alias("new_vintage")
    )
    return _finish(table).sort(*KEY)


def revisions_table(
    selected: pl.DataFrame, published_sdg: pl.DataFrame, config: PublicationConfig, synthetic: Sequence[str] = ()
) -> pl.DataFrame:
    """The internal listing: the vintage comparisons and this run's (see the module docstring)."""
    return pl.concat(
        [vintage_revisions(published_sdg, config), run_revisions(selected, published_sdg, config, synthetic)]
    ).sort("comparison", "old_vintage", *KEY)


def published_revisions(revisions: pl.DataFrame) -> pl.DataFrame:
    """The listing of :func:`revisions_table` with the values of suppressed cells emptied."""
    return blank_suppressed(revisions, MASKED_COLUMNS)


def revision_summary(revisions: pl.DataFrame) -> dict:
    """Counts for the asset metadata: listed, by comparison and reason."""
    out: dict[str, object] = {"listed": revisions.height}
    for comparison in ("vintage", "run"):
        part = revisions.filter(pl.col("comparison") == comparison)
        reasons = part.select(pl.col("reason_code").str.split(";")).explode("reason_code")["reason_code"].value_counts()
        out[comparison] = {
            "listed": part.height,
            "vintages": sorted(set(part["old_vintage"].to_list()) | set(part["new_vintage"].to_list())),
            "by_reason": dict(zip(reasons["reason_code"].to_list(), reasons["count"].to_list(), strict=True)),
        }
    return out
