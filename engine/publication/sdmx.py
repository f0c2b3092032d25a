"""SDMX-CSV exports: the UN file in the layout of the UN SDG harmonised global dataflow
(``DF_SDG_GLH``), and a second file with the breakdowns that layout lacks.

**The UN file** (``publication/sdg_sdmx.csv``): one row per observation, the header :data:`HEADER`
exactly (SDMX-CSV 1.0: ``DATAFLOW`` first, then the dimensions in DSD order, ``TIME_PERIOD``,
``OBS_VALUE``, then the attributes), only the dimensions and codes the UN SDG Global Database
publishes for each series (``sdmx.un_dimensions``: ``SEX`` _T/F/M for the ILO 1.3.1 series, none
for 3.8.1 and 3.8.2; every other dimension ``_T``). Content:

* country values computed here (``publication/country_values``, after disclosure control; values
  published by the custodians are already in the UN database and are not re-exported) of the
  series mapped to a UN SDG code in ``sdmx.series``, totals of every breakdown outside the
  series' UN dimensions; ``REF_AREA`` is the country's M49 code;
* aggregates of the areas with an M49 code (``area_codes``: world, SDG regions, M49 regions and
  subregions, LDC / LLDC / SIDS, income groups), one vintage per series: the one with the most
  reporting countries; aggregates withheld for too little reported data are not exported.

Attributes: ``OBS_STATUS`` A normal, E estimated (country: value capped at 100; aggregate:
resting mostly on imputed values, ``obs_status``), U low reliability (disclosure flag caution),
Q missing value, suppressed (``OBS_VALUE`` empty); ``NATURE`` from ``sdmx.nature`` (C country
data, CA capped, E 3.8.1 country estimates, N aggregates as in the UN SDG Global Database);
``UNIT_MEASURE`` per family (PT percent, INDEX); ``UNIT_MULT`` 0; ``LOWER_BOUND`` /
``UPPER_BOUND`` the 95% confidence interval of survey estimates; ``SOURCE_DETAIL`` the source
(aggregates: "Aggregate of country data; custodian: <agency> (...)", the family's custodian from
``sdmx.custodians``); ``COMMENT_OBS`` why a value is suppressed, flagged, estimated or how an
aggregate was formed, and the synthetic inputs it rests on ("Rests on synthetic inputs: ...");
``DATA_LAST_UPDATE`` the export date.

**The breakdowns file** (``publication/sdg_sdmx_breakdowns.csv``, header
:data:`BREAKDOWN_HEADER`, dataflow ``sdmx.breakdowns.dataflow``): the country observations with a
breakdown outside the series' UN dimensions, in dimensions of their own whose codes follow
ILOSTAT where ILOSTAT has them (``sdmx.breakdowns``): ``AGE`` ``AGE_AGGREGATE_Y<a>-<b>`` /
``AGE_AGGREGATE_YGE<a>``, ``AREA`` ``GEO_COV_URB`` / ``GEO_COV_RUR`` (``GEO_COV_NAT`` total),
``NATIONALITY`` ``NAT`` / ``NONNAT``, ``QUINTILE`` ``Q1``..``Q5``, ``HH_COMPOSITION`` the
pipeline's codes; ``_T`` for a total. Same attributes as the UN file.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import date, datetime
from pathlib import Path

import polars as pl

from engine.publication.annex import primary_vintage
from engine.publication.config import PublicationConfig
from engine.publication.country_values import PUBLISHED_SOURCE_KIND
from engine.publication.imputation import area_codes
from engine.store import publish
from schemas.resources.publication import SDMX_DIMENSIONS as DIMENSIONS
from schemas.resources.publication import SDMX_HEADER as HEADER

BREAKDOWN_DIMENSIONS = (
    "FREQ",
    "SERIES",
    "REF_AREA",
    "SEX",
    "AGE",
    "AREA",
    "NATIONALITY",
    "QUINTILE",
    "HH_COMPOSITION",
    "TIME_PERIOD",
)
BREAKDOWN_HEADER = (
    "DATAFLOW",
    *BREAKDOWN_DIMENSIONS,
    "OBS_VALUE",
    "OBS_STATUS",
    "UNIT_MULT",
    "UNIT_MEASURE",
    "NATURE",
    "COMMENT_OBS",
    "UPPER_BOUND",
    "LOWER_BOUND",
    "SOURCE_DETAIL",
    "DATA_LAST_UPDATE",
)
BREAKDOWNS_OUTSIDE_UN = ("nationality", "age_group", "urban_rural", "quintile", "hh_composition")
NUMERIC = ("OBS_VALUE", "UPPER_BOUND", "LOWER_BOUND")  # the columns holding numbers (the rest are codes and text)
SEX_CODES = {"T": "_T", "F": "F", "M": "M"}
SYNTHETIC_NOTE = "Rests on synthetic inputs: "
SOURCE_LABELS = {
    "administrative": "ILO Social Security Inquiry return",
    "survey": "Household survey",
    "uhc_index": "UHC service coverage index from tracer indicators",
}


def _today() -> date:
    """The export date of ``DATA_LAST_UPDATE`` when none is given: today on the local clock."""
    return datetime.now().astimezone().date()


def _with_synthetic(comment: pl.Expr, names: pl.Expr) -> pl.Expr:
    """``comment``, followed by ``Rests on synthetic inputs: <names>`` where ``names`` is set."""
    note = pl.concat_str([pl.lit(SYNTHETIC_NOTE), names])
    return (
        pl.when(names.is_null())
        .then(comment)
        .when(comment == "")
        .then(note)
        .otherwise(pl.concat_str([comment, pl.lit("; "), note]))
    )


def _fmt(expr: pl.Expr) -> pl.Expr:
    """Numbers as text with up to 6 decimals, no trailing zeros; empty when null."""
    return expr.round(6).cast(pl.String).str.replace(r"\.0$", "").fill_null("")


def _country_frame(published: pl.DataFrame, countries: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """Country values computed here of the exported series, with ``REF_AREA`` and the attributes
    shared by both files (3.8.2: sex of the household head not exported).
    """
    sdmx = config.sdmx
    # values published by the custodians are already in the UN SDG database: only values computed here are exported
    frame = published.filter(
        pl.col("series").is_in(list(sdmx["series"])) & (pl.col("source_kind") != PUBLISHED_SOURCE_KIND)
    )
    frame = frame.filter((pl.col("family") != "sdg_3_8_2") | (pl.col("sex") == "T"))
    frame = frame.join(
        countries.select(pl.col("iso3").alias("ref_area"), pl.col("m49").cast(pl.String).alias("REF_AREA")),
        on="ref_area",
    )
    status = (
        pl.when(pl.col("suppressed").fill_null(False))
        .then(pl.lit("Q"))
        .when(pl.col("flag") == "caution")
        .then(pl.lit("U"))
        .when(pl.col("capped").fill_null(False))
        .then(pl.lit("E"))
        .otherwise(pl.lit("A"))
    )
    nature = sdmx["nature"]
    comment = (
        pl.when(pl.col("suppressed").fill_null(False))
        .then(pl.lit(f"Suppressed: fewer than {config.min_unweighted_n} sample persons or unreliable estimate"))
        .when(pl.col("flag") == "caution")
        .then(pl.lit("Use with caution: low reliability (sample size or coefficient of variation)"))
        .when(pl.col("source_kind") == "uhc_index")
        .then(pl.concat_str([pl.lit("Share of imputed tracers: "), _fmt(pl.col("imputed_share"))]))
        .otherwise(pl.lit(""))
    )
    comment = _with_synthetic(comment, pl.col("synthetic_inputs"))
    return frame.with_columns(
        pl.col("series").replace_strict(sdmx["series"]).alias("SERIES"),
        pl.col("sex").replace_strict(SEX_CODES).alias("SEX"),
        pl.col("year").cast(pl.String).alias("TIME_PERIOD"),
        _fmt(pl.col("value")).alias("OBS_VALUE"),
        status.alias("OBS_STATUS"),
        pl.col("family").replace_strict(sdmx["unit_measure"]).alias("UNIT_MEASURE"),
        pl.when(pl.col("capped").fill_null(False))
        .then(pl.lit(nature["capped"]))
        .otherwise(pl.col("source_kind").replace_strict(nature, default=nature["survey"]))
        .alias("NATURE"),
        pl.col("year").cast(pl.String).alias("TIME_DETAIL"),
        comment.alias("COMMENT_OBS"),
        _fmt(pl.col("ci_upper")).alias("UPPER_BOUND"),
        _fmt(pl.col("ci_lower")).alias("LOWER_BOUND"),
        pl.concat_str(
            [
                pl.col("source_kind").replace_strict(SOURCE_LABELS, default=pl.col("source_kind")),
                pl.lit(" "),
                pl.col("source_id"),
            ]
        ).alias("SOURCE_DETAIL"),
    )


def _beyond_un(config: PublicationConfig) -> pl.Expr:
    """True for a row with a breakdown outside the UN dimensions of its series (every breakdown
    but ``sex`` is outside for the series the edition lists with SEX; all of them otherwise).
    """
    dims = config.sdmx["un_dimensions"]
    with_sex = [s for s, d in dims.items() if "SEX" in (d or [])]
    outside = pl.any_horizontal([pl.col(c) != "T" for c in BREAKDOWNS_OUTSIDE_UN])
    return outside | (~pl.col("series").is_in(with_sex) & (pl.col("sex") != "T"))


def country_observations(published: pl.DataFrame, countries: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """Rows of the UN file: the totals of every breakdown outside the series' UN dimensions."""
    frame = _country_frame(published, countries, config).filter(~_beyond_un(config))
    return frame.select(
        "SERIES",
        "REF_AREA",
        "SEX",
        "TIME_PERIOD",
        "OBS_VALUE",
        "OBS_STATUS",
        "UNIT_MEASURE",
        "NATURE",
        "TIME_DETAIL",
        "COMMENT_OBS",
        "UPPER_BOUND",
        "LOWER_BOUND",
        "SOURCE_DETAIL",
        pl.lit("").alias("CUST_BREAKDOWN_LB"),
    )


def breakdown_code(config: PublicationConfig) -> dict[str, pl.Expr]:
    """The codes of the breakdowns file (``sdmx.breakdowns``), by its dimension."""
    spec = config.sdmx["breakdowns"]
    lower = pl.col("age_group").str.extract(r"^(\d+)_").cast(pl.Int64)
    upper = pl.col("age_group").str.extract(r"_(\d+)$").cast(pl.Int64)
    age = (
        pl.when(pl.col("age_group") == "T")
        .then(pl.lit("_T"))
        .when(upper >= 100)
        .then(pl.concat_str([pl.lit(spec["age_prefix"] + "YGE"), lower.cast(pl.String)]))
        .otherwise(
            pl.concat_str([pl.lit(spec["age_prefix"] + "Y"), lower.cast(pl.String), pl.lit("-"), upper.cast(pl.String)])
        )
    )
    return {
        "AGE": age,
        "AREA": pl.col("urban_rural").replace_strict(spec["area"], default=pl.col("urban_rural")),
        "NATIONALITY": pl.col("nationality").replace_strict(spec["nationality"], default=pl.col("nationality")),
        "QUINTILE": pl.when(pl.col("quintile") == "T")
        .then(pl.lit("_T"))
        .otherwise(pl.concat_str([pl.lit("Q"), pl.col("quintile")])),
        "HH_COMPOSITION": pl.when(pl.col("hh_composition") == "T")
        .then(pl.lit("_T"))
        .otherwise(pl.col("hh_composition")),
    }


def breakdown_frame(
    published: pl.DataFrame, countries: pl.DataFrame, config: PublicationConfig, *, updated: date | None = None
) -> pl.DataFrame:
    """Rows of the breakdowns file (see the module docstring), columns :data:`BREAKDOWN_HEADER`."""
    frame = _country_frame(published, countries, config).filter(_beyond_un(config))
    codes = breakdown_code(config)
    return (
        frame.select(
            pl.lit(config.sdmx["breakdowns"]["dataflow"]).alias("DATAFLOW"),
            pl.lit("A").alias("FREQ"),
            "SERIES",
            "REF_AREA",
            "SEX",
            *[expr.alias(name) for name, expr in codes.items()],
            "TIME_PERIOD",
            "OBS_VALUE",
            "OBS_STATUS",
            pl.lit("0").alias("UNIT_MULT"),
            "UNIT_MEASURE",
            "NATURE",
            "COMMENT_OBS",
            "UPPER_BOUND",
            "LOWER_BOUND",
            "SOURCE_DETAIL",
            pl.lit((updated or _today()).isoformat()).alias("DATA_LAST_UPDATE"),
        )
        .select(list(BREAKDOWN_HEADER))
        .sort(list(BREAKDOWN_DIMENSIONS))
    )


def aggregate_observations(
    aggregates: pl.DataFrame, config: PublicationConfig, m49_groups: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The aggregates of the SDMX series as SDMX-CSV observations (primary vintage, withheld values
    left out), with the area codes and a comment on their synthetic share.
    """
    sdmx = config.sdmx
    code_frame = area_codes(config, m49_groups).rename({"region_code": "REF_AREA"})
    frame = aggregates.filter(pl.col("series").is_in(list(sdmx["series"]))).join(code_frame, on=["level", "region"])
    frame = primary_vintage(frame).filter(~pl.col("value_withheld"))
    comment = _with_synthetic(
        pl.concat_str(
            [
                pl.lit("Aggregate of "),
                pl.col("n_countries").cast(pl.String),
                pl.lit(" countries, "),
                pl.col("n_imputed").cast(pl.String),
                pl.lit(" imputed; "),
                pl.col("status_comment"),
            ]
        ),
        pl.col("synthetic_inputs"),
    )
    return frame.select(
        pl.col("series").replace_strict(sdmx["series"]).alias("SERIES"),
        "REF_AREA",
        pl.col("sex").replace_strict(SEX_CODES).alias("SEX"),
        pl.col("year").cast(pl.String).alias("TIME_PERIOD"),
        _fmt(pl.col("value")).alias("OBS_VALUE"),
        pl.col("obs_status").alias("OBS_STATUS"),
        pl.col("family").replace_strict(sdmx["unit_measure"]).alias("UNIT_MEASURE"),
        pl.lit(sdmx["nature"]["aggregate"]).alias("NATURE"),
        pl.col("year").cast(pl.String).alias("TIME_DETAIL"),
        comment.alias("COMMENT_OBS"),
        pl.lit("").alias("UPPER_BOUND"),
        pl.lit("").alias("LOWER_BOUND"),
        pl.concat_str(
            [
                pl.lit("Aggregate of country data; custodian: "),
                pl.col("family").replace_strict(sdmx["custodians"], return_dtype=pl.String),
                pl.lit(" ("),
                pl.col("method_edition"),
                pl.lit("; "),
                pl.col("vintage"),
                pl.lit(")"),
            ]
        ).alias("SOURCE_DETAIL"),
        pl.lit("").alias("CUST_BREAKDOWN_LB"),
    )


def sdmx_frame(
    published: pl.DataFrame,
    aggregates: pl.DataFrame,
    countries: pl.DataFrame,
    config: PublicationConfig,
    *,
    m49_groups: pl.DataFrame | None = None,
    updated: date | None = None,
) -> pl.DataFrame:
    """Every observation as text, columns :data:`HEADER`, sorted by the dimensions."""
    sdmx = config.sdmx
    frame = pl.concat(
        [country_observations(published, countries, config), aggregate_observations(aggregates, config, m49_groups)]
    )
    fill = {c: pl.lit("_T") for c in DIMENSIONS if c not in frame.columns and c != "FREQ"}
    fill |= {c: pl.lit("") for c in HEADER if c not in frame.columns and c not in DIMENSIONS}
    frame = frame.with_columns(**fill).with_columns(
        pl.lit(sdmx["dataflow"]).alias("DATAFLOW"),
        pl.lit("A").alias("FREQ"),
        pl.lit(str(sdmx["reporting_type"])).alias("REPORTING_TYPE"),
        pl.lit("0").alias("UNIT_MULT"),
        pl.lit((updated or _today()).isoformat()).alias("DATA_LAST_UPDATE"),
    )
    return frame.select(list(HEADER)).sort(list(DIMENSIONS))


def write_csv(frame: pl.DataFrame, target: Path, header: tuple[str, ...] = HEADER) -> int:
    """Write :func:`to_csv` text to ``target`` atomically (temporary file, then rename);
    returns the number of observations.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)  # one per writer
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(to_csv(frame, header))
        publish(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return frame.height


def to_csv(frame: pl.DataFrame, header: tuple[str, ...] = HEADER) -> str:
    """RFC 4180 text: header row, comma separator, double quotes where needed, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(frame.select(list(header)).iter_rows())
    return buffer.getvalue()
