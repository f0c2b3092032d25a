"""Great Expectations suites on the publication tables, built in code.

A :class:`Suite` names the publication table it reads, a ``prepare`` function turning the
Polars frames of the run into the frame validated (the table itself, or a check view of it:
sex cells side by side, consecutive years, 3.8.2 series side by side) and its expectations as
``(GX expectation class, keyword arguments)``. GX objects are only built by
``engine.publication.quality`` (GX 1.x has no Polars engine: frames are validated as pandas
copies), so importing this module does not import GX.

Suites and what fails them (thresholds from ``quality`` in ``config/methods/publication.yaml``):

* ``aggregates_integrity``: duplicated keys; values outside [0, 100]; a published value missing;
  a withheld aggregate (``value_withheld``) with a value; shares outside [0, 1]; a published
  aggregate with less than ``min_reported_share`` of its denominator reported.
* ``aggregates_sex_consistency``: numerators of the sex cells (F + M) differing from the T
  numerator by more than ``sex_consistency_tolerance`` (relative), denominator-weighted series.
* ``headline_integrity``: duplicated keys; values outside [0, 100]; shares outside [0, 1]; a
  withheld aggregate with a value, a published one below ``min_reported_share``.
* ``country_values_integrity``: duplicated keys; negative values; values above 100 unless the
  method edition does not cap (``capped`` false); unknown flags; a suppressed cell with a value.
* ``country_values_sex_consistency`` (warning): F + M numerators against T, within the
  tolerance, for every source and breakdown with all three cells.
* ``year_on_year_review`` (warning): changes between consecutive years of a country series
  (breakdown totals, by sex) or of a headline aggregate (those not flagged low_coverage) beyond
  ``year_on_year_review_pp`` percentage points: listed for review.
* ``hardship_identities``: SH_XPD_EARN25 above SH_XPD_EARN10; SH_FIN_HARDSHIP differing from
  SH_FIN_IMPOVERISHING + SH_FIN_LARGE by more than ``hardship_identity_tolerance`` (country
  values, where the series exist).
* ``aggregates_hardship_identities``, ``headline_hardship_identities``: the ``identities`` of the
  edition (3.8.2: SH_XPD_EARN25 <= SH_XPD_EARN10; SH_FIN_IMPOVERISHING <= SH_FIN_HARDSHIP and
  SH_FIN_HARDSHIP = SH_FIN_IMPOVERISHING + SH_FIN_LARGE) on every published aggregate, within
  ``hardship_identity_tolerance``.
* ``lineup_imputation_range``: an imputed country cell whose value is its group's median
  (``imputation_level`` one of its family's imputation levels) outside the range of the values
  it was imputed from (the reported and interpolated cells of the same family, vintage, series,
  reference year and sex in that group, by more than ``imputation_range_tolerance``), or without
  any such value (group memberships from ``staging/countries`` and ``staging/income_groups``).
* ``annex_integrity``: a country listed twice; negative values; unknown flags; a suppressed
  cell with a value.
* ``gender_gaps_integrity``, ``nationality_gaps_integrity``: duplicated keys; differences
  outside [-100, 100]; a suppressed gap with a value.
* ``sdmx_integrity`` (``publication/sdg_sdmx.csv`` as loaded): a header other than the SDMX
  layout; duplicated observation keys; unknown SEX or OBS_STATUS codes; a REF_AREA that is not
  an M49 code; a percentage outside [0, 100]; a value where OBS_STATUS is Q (suppressed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:  # the suites read the edition's thresholds off the config object they are given
    from engine.publication.config import PublicationConfig
from schemas.resources.publication import AGGREGATES, COUNTRY_VALUES, GENDER_GAPS, SDG_SDMX

Expectation = tuple[str, dict[str, Any]]
Frames = dict[str, pl.DataFrame]

# Keys and code lists of the validated tables, from the table registry (schemas/resources/publication.py).
AGGREGATE_KEY = list(AGGREGATES.primary_key)
COUNTRY_KEY = list(COUNTRY_VALUES.primary_key)
GAP_KEY = list(GENDER_GAPS.primary_key)
SDMX_KEY = list(SDG_SDMX.primary_key)
FLAGS = list(COUNTRY_VALUES.column("flag").codes or ())
# A check view computed by the publication engine (engine.publication.quality.derived_views):
# each imputed line-up cell with the range of the values it was imputed from.
DONOR_RANGES = "imputation_donor_ranges"


@dataclass(frozen=True)
class Suite:
    """An expectation suite on one publication table: the view of the tables it checks
    (``prepare``), its expectations for an edition and its severity (ERROR blocks publication).
    """

    name: str
    table: str
    description: str
    severity: str  # "ERROR" or "WARN"
    prepare: Callable[[Frames, PublicationConfig], pl.DataFrame]
    expectations: Callable[[PublicationConfig], list[Expectation]]
    also_reads: tuple[str, ...] = ()  # tables besides ``table`` that ``prepare`` reads


def _table(name: str) -> Callable[[Frames, PublicationConfig], pl.DataFrame]:
    return lambda frames, config: frames[name]


def _sex_view(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """``keys``, ``numerator_total``, ``numerator_sexes`` and ``sex_residual`` =
    |sum of the F and M numerators - T numerator| / T numerator, where T and a sex cell exist.
    """
    cells = frame.filter(pl.col("numerator").is_not_null())
    total = cells.filter(pl.col("sex") == "T").select(*keys, pl.col("numerator").alias("numerator_total"))
    sexes = (
        cells.filter(pl.col("sex").is_in(["F", "M"]))
        .group_by(keys)
        .agg(pl.col("numerator").sum().alias("numerator_sexes"), pl.len().alias("n_sexes"))
    )
    return total.join(sexes, on=keys).with_columns(
        pl.when(pl.col("numerator_total") > 0)
        .then((pl.col("numerator_sexes") - pl.col("numerator_total")).abs() / pl.col("numerator_total"))
        .otherwise((pl.col("numerator_sexes") - pl.col("numerator_total")).abs())
        .alias("sex_residual")
    )


def aggregate_sex_view(frames: Frames, config: PublicationConfig) -> pl.DataFrame:
    """Aggregates of denominator-weighted series that have every sex cell of their series (a
    sex without a single reporting country in a year has no aggregate: nothing to compare).
    """
    frame = frames["aggregates"].filter(pl.col("weighting") == "denominator")
    sexes = (
        frame.filter(pl.col("sex") != "T")
        .group_by("family", "vintage", "series")
        .agg(pl.col("sex").n_unique().alias("_expected"))
    )
    view = _sex_view(frame, [k for k in AGGREGATE_KEY if k != "sex"])
    return (
        view.join(sexes, on=["family", "vintage", "series"])
        .filter(pl.col("n_sexes") == pl.col("_expected"))
        .drop("_expected")
    )


def country_sex_view(frames: Frames, config: PublicationConfig) -> pl.DataFrame:
    """The sex identity of country values (:func:`_sex_view`), for the cells whose women's and
    men's numerators are both given.
    """
    frame = frames["country_values"]
    full = frame.filter(pl.col("sex").is_in(["F", "M"]))
    keys = [k for k in COUNTRY_KEY if k != "sex"] + ["source_id"]
    both = (
        full.group_by(keys)
        .agg(pl.col("numerator").is_not_null().sum().alias("_n"))
        .filter(pl.col("_n") == 2)
        .drop("_n")
    )
    return _sex_view(frame.join(both, on=keys), keys)


def year_on_year_view(frames: Frames, config: PublicationConfig) -> pl.DataFrame:
    """``area, series, sex, year, previous_year, value, previous_value, change_pp``."""
    country = frames["country_values"]
    totals = country.filter(
        (pl.col("nationality") == "T")
        & (pl.col("age_group") == "T")
        & (pl.col("urban_rural") == "T")
        & (pl.col("quintile") == "T")
        & (pl.col("hh_composition") == "T")
        & pl.col("value").is_not_null()
    ).select(pl.col("ref_area").alias("area"), "series", "sex", "year", "value")
    headline = (
        frames["headline"]
        .filter(~pl.col("low_coverage"))
        .select(
            pl.concat_str([pl.col("level"), pl.col("region"), pl.col("vintage")], separator=":").alias("area"),
            "series",
            "sex",
            "year",
            "value",
        )
    )
    series = pl.concat([totals, headline]).sort("area", "series", "sex", "year")
    keys = ["area", "series", "sex"]
    return (
        series.with_columns(
            pl.col("year").shift(1).over(keys).alias("previous_year"),
            pl.col("value").shift(1).over(keys).alias("previous_value"),
        )
        .filter(pl.col("previous_year").is_not_null())
        .with_columns(
            (pl.col("value") - pl.col("previous_value")).alias("change_pp"),
        )
    )


def hardship_view(frames: Frames, config: PublicationConfig) -> pl.DataFrame:
    """3.8.2 series side by side per country cell, with ``identity_residual`` = HARDSHIP -
    IMPOVERISHING - LARGE (null where one is missing).
    """
    wanted = ["SH_XPD_EARN10", "SH_XPD_EARN25", "SH_FIN_HARDSHIP", "SH_FIN_IMPOVERISHING", "SH_FIN_LARGE"]
    cells = frames["country_values"].filter(pl.col("series").is_in(wanted) & pl.col("value").is_not_null())
    keys = [k for k in COUNTRY_KEY if k not in ("family", "series")] + ["source_id"]
    wide = cells.select(*keys, "series", "value").pivot(on="series", index=keys, values="value")
    for col in wanted:
        if col not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(col))
    return wide.with_columns(
        (pl.col("SH_FIN_HARDSHIP") - pl.col("SH_FIN_IMPOVERISHING") - pl.col("SH_FIN_LARGE")).alias("identity_residual")
    )


def aggregate_identity_view(table: str) -> Callable[[Frames, PublicationConfig], pl.DataFrame]:
    """For ``table`` (aggregates or headline): one row per aggregate key and identity of the
    edition with ``whole_value``, ``part_value``, ``remainder_value`` (null without a remainder
    or where it is not published), ``part_excess`` = part - whole and ``identity_residual`` =
    whole - part - remainder.
    """
    keys = [k for k in AGGREGATE_KEY if k != "series"]

    def prepare(frames: Frames, config: PublicationConfig) -> pl.DataFrame:
        cells = frames[table].filter(pl.col("value").is_not_null())
        out = []

        def values(family: str, series: str | None, name: str) -> pl.DataFrame:
            return cells.filter((pl.col("family") == family) & (pl.col("series") == series)).select(
                *keys, pl.col("value").alias(name)
            )

        for i in config.identities:
            wide = values(i.family, i.whole, "whole_value").join(values(i.family, i.part, "part_value"), on=keys)
            wide = (
                wide.join(values(i.family, i.remainder, "remainder_value"), on=keys, how="left")
                if i.remainder
                else wide.with_columns(pl.lit(None, dtype=pl.Float64).alias("remainder_value"))
            )
            out.append(
                wide.with_columns(
                    pl.lit(
                        f"{i.part} <= {i.whole}" + (f"; {i.remainder} = {i.whole} - {i.part}" if i.remainder else "")
                    ).alias("identity")
                )
            )
        schema = pl.Schema(
            {
                **{k: cells.schema[k] for k in keys},
                "whole_value": pl.Float64(),
                "part_value": pl.Float64(),
                "remainder_value": pl.Float64(),
                "identity": pl.String(),
            }
        )
        frame = pl.concat([f.select(list(schema)).cast(schema) for f in out]) if out else pl.DataFrame(schema=schema)
        return frame.with_columns(
            (pl.col("part_value") - pl.col("whole_value")).alias("part_excess"),
            (pl.col("whole_value") - pl.col("part_value") - pl.col("remainder_value")).alias("identity_residual"),
        )

    return prepare


def _identity_expectations(config: PublicationConfig) -> list[Expectation]:
    tolerance = config.quality["hardship_identity_tolerance"]
    return [_between("part_excess", None, tolerance), _between("identity_residual", -tolerance, tolerance)]


def sdmx_view(frames: Frames, config: PublicationConfig) -> pl.DataFrame:
    """The SDMX file as loaded (every column text), plus ``obs_value_number`` (number or null)."""
    frame = frames["sdg_sdmx"]
    return frame.with_columns(
        pl.col("OBS_VALUE").replace("", None).cast(pl.Float64, strict=False).alias("obs_value_number")
    )


def _unique(columns: list[str]) -> Expectation:
    return ("ExpectCompoundColumnsToBeUnique", {"column_list": columns})


def _between(column: str, low: float | None, high: float | None, **extra: Any) -> Expectation:
    return ("ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high, **extra})


def _when(condition: str) -> dict[str, str]:
    return {"row_condition": condition, "condition_parser": "pandas"}


def _withheld_expectations(config: PublicationConfig) -> list[Expectation]:
    """Aggregates on too little reported data carry no value; the others have enough."""
    return [
        ("ExpectColumnValuesToBeNull", {"column": "value", **_when("value_withheld == True")}),
        _between("denominator_share_reported", config.min_reported_share, 1, **_when("value_withheld == False")),
    ]


def _annex_expectations(config: PublicationConfig) -> list[Expectation]:
    out: list[Expectation] = [("ExpectColumnValuesToBeUnique", {"column": "iso3"})]
    for series in config.annex_series:
        prefix = series.lower()
        out += [
            _between(f"{prefix}_value", 0, None),
            ("ExpectColumnValuesToBeInSet", {"column": f"{prefix}_flag", "value_set": FLAGS}),
            ("ExpectColumnValuesToBeNull", {"column": f"{prefix}_value", **_when(f'{prefix}_flag == "suppressed"')}),
        ]
    return out


def _gap_expectations(config: PublicationConfig) -> list[Expectation]:
    return [
        _unique(GAP_KEY),
        _between("difference_pp", -100, 100),
        ("ExpectColumnValuesToBeNull", {"column": "difference_pp", **_when("suppressed == True")}),
    ]


SUITES: tuple[Suite, ...] = (
    Suite(
        "aggregates_integrity",
        "aggregates",
        "Aggregates: keys unique, values in [0, 100], shares in [0, 1]; published only with enough reported data, withheld ones empty.",
        "ERROR",
        _table("aggregates"),
        lambda c: [
            _unique(AGGREGATE_KEY),
            ("ExpectColumnValuesToNotBeNull", {"column": "value", **_when("value_withheld == False")}),
            _between("value", 0, 100),
            _between("denominator_share_reported", 0, 1),
            *_withheld_expectations(c),
        ],
    ),
    Suite(
        "aggregates_sex_consistency",
        "aggregates",
        "Aggregates: F + M numerators equal the T numerator within the tolerance.",
        "ERROR",
        aggregate_sex_view,
        lambda c: [_between("sex_residual", 0, c.quality["sex_consistency_tolerance"])],
    ),
    Suite(
        "headline_integrity",
        "headline",
        "Headline: keys unique, values in [0, 100], shares in [0, 1]; published only with enough reported data, withheld ones empty.",
        "ERROR",
        _table("headline"),
        lambda c: [
            _unique(AGGREGATE_KEY),
            _between("value", 0, 100),
            _between("denominator_share_reported", 0, 1),
            *_withheld_expectations(c),
        ],
    ),
    Suite(
        "country_values_integrity",
        "country_values",
        "Country values: keys unique, values in [0, 100] (above 100 only where the edition does not cap), flags known, suppressed cells empty.",
        "ERROR",
        _table("country_values"),
        lambda c: [
            _unique(COUNTRY_KEY),
            _between("value", 0, None),
            _between("value", None, 100, **_when("capped != False")),
            ("ExpectColumnValuesToBeInSet", {"column": "flag", "value_set": FLAGS}),
            ("ExpectColumnValuesToBeNull", {"column": "value", **_when("suppressed == True")}),
        ],
    ),
    Suite(
        "country_values_sex_consistency",
        "country_values",
        "Country values: F + M numerators equal T within the tolerance.",
        "WARN",
        country_sex_view,
        lambda c: [_between("sex_residual", 0, c.quality["sex_consistency_tolerance"])],
    ),
    Suite(
        "year_on_year_review",
        "country_values",
        "Changes between consecutive years (country series and headline aggregates) within the review threshold; the rest is listed for review.",
        "WARN",
        year_on_year_view,
        lambda c: [_between("change_pp", -c.quality["year_on_year_review_pp"], c.quality["year_on_year_review_pp"])],
        also_reads=("headline",),
    ),
    Suite(
        "hardship_identities",
        "country_values",
        "SDG 3.8.2: 25% share <= 10% share; hardship = impoverishing + large.",
        "ERROR",
        hardship_view,
        lambda c: [
            (
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "SH_XPD_EARN10",
                    "column_B": "SH_XPD_EARN25",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
            ),
            _between(
                "identity_residual", -c.quality["hardship_identity_tolerance"], c.quality["hardship_identity_tolerance"]
            ),
        ],
    ),
    Suite(
        "aggregates_hardship_identities",
        "aggregates",
        "Aggregates, SDG 3.8.2: 25% share <= 10% share; impoverishing <= hardship; hardship = impoverishing + large.",
        "ERROR",
        aggregate_identity_view("aggregates"),
        _identity_expectations,
    ),
    Suite(
        "headline_hardship_identities",
        "headline",
        "Headline, SDG 3.8.2: 25% share <= 10% share; impoverishing <= hardship; hardship = impoverishing + large.",
        "ERROR",
        aggregate_identity_view("headline"),
        _identity_expectations,
    ),
    Suite(
        "lineup_imputation_range",
        "country_lineup",
        "Line-up: every country value imputed with a group median lies within the range of the reported values it was imputed from.",
        "ERROR",
        _table(DONOR_RANGES),
        lambda c: [
            ("ExpectColumnValuesToNotBeNull", {"column": "donor_min"}),
            _between("outside_donor_range_pp", None, c.quality["imputation_range_tolerance"]),
        ],
        also_reads=(DONOR_RANGES,),
    ),
    Suite(
        "annex_integrity",
        "annex",
        "Statistical annex: one row per country, values >= 0, flags known, suppressed cells empty.",
        "ERROR",
        _table("annex"),
        _annex_expectations,
    ),
    Suite(
        "gender_gaps_integrity",
        "gender_gaps",
        "Gender gaps: keys unique, differences in [-100, 100], suppressed gaps empty.",
        "ERROR",
        _table("gender_gaps"),
        _gap_expectations,
    ),
    Suite(
        "nationality_gaps_integrity",
        "nationality_gaps",
        "Nationality gaps: keys unique, differences in [-100, 100], suppressed gaps empty.",
        "ERROR",
        _table("nationality_gaps"),
        _gap_expectations,
    ),
    Suite(
        "sdmx_integrity",
        "sdg_sdmx",
        "SDMX-CSV: header, unique observation keys, codes (UN SDG dimensions only: no age, area or "
        "nationality breakdown), percentages in [0, 100], suppressed values empty.",
        "ERROR",
        sdmx_view,
        lambda c: [
            ("ExpectTableColumnsToMatchOrderedList", {"column_list": [*SDG_SDMX.fields, "obs_value_number"]}),
            _unique(SDMX_KEY),
            ("ExpectColumnValuesToBeInSet", {"column": "SEX", "value_set": ["_T", "F", "M"]}),
            *[
                ("ExpectColumnValuesToBeInSet", {"column": c, "value_set": ["_T"]})
                for c in ("AGE", "URBANISATION", "CUST_BREAKDOWN")
            ],
            ("ExpectColumnValuesToBeInSet", {"column": "OBS_STATUS", "value_set": ["A", "E", "U", "Q"]}),
            ("ExpectColumnValuesToMatchRegex", {"column": "REF_AREA", "regex": r"^[0-9]{1,3}$"}),
            _between("obs_value_number", 0, 100, **_when('UNIT_MEASURE == "PT"')),
            ("ExpectColumnValuesToBeNull", {"column": "obs_value_number", **_when('OBS_STATUS == "Q"')}),
        ],
    ),
)
BY_NAME = {s.name: s for s in SUITES}
