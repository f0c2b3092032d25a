"""SDMX-CSV export in the layout of the UN SDG harmonised global dataflow (``DF_SDG_GLH``).

One row per observation, the header :data:`HEADER` exactly (SDMX-CSV 1.0: ``DATAFLOW`` first,
then the dimensions in DSD order, ``TIME_PERIOD``, ``OBS_VALUE``, then the attributes). Content:

* country values (``publication/country_values``, after disclosure control) of the series
  mapped to a UN SDG code in ``sdmx.series``; ``REF_AREA`` is the country's M49 code;
  ``SEX`` _T/F/M, ``AGE`` _T or ``Y15T24`` / ``Y_GE65`` (a band ending at 100 or above is open),
  ``URBANISATION`` _T/U/R, ``INCOME_WEALTH_QUANTILE`` _T/Q1..Q5, nationality in the dimension
  named by ``sdmx.nationality`` (``CUST_BREAKDOWN``: _T, NAT, NONNAT; label in
  ``CUST_BREAKDOWN_LB``); SDG 3.8.2 rows by sex of the household head and by household
  composition are not exported (the DSD has no such dimension);
* aggregates of the areas with an M49 code (``sdmx.area_codes``), one vintage per series: the
  one with the most reporting countries; aggregates withheld for too little reported data
  (``value_withheld``) are not exported.

Attributes: ``OBS_STATUS`` A normal, E estimated (value capped at 100), U low reliability
(disclosure flag caution), Q missing value, suppressed (``OBS_VALUE`` empty); ``NATURE`` from
``sdmx.nature`` (C country data, CA capped, E 3.8.1 country estimates, N aggregates as in the UN
SDG Global Database); ``UNIT_MEASURE`` per family (PT percent, INDEX); ``UNIT_MULT`` 0;
``LOWER_BOUND`` / ``UPPER_BOUND`` the 95% confidence interval of survey estimates;
``SOURCE_DETAIL`` the source (aggregates: "Aggregate of country data; custodian: <agency>
(...)", the family's custodian from ``sdmx.custodians``: ILO, WHO, WHO and World Bank);
``COMMENT_OBS`` why a value is suppressed, flagged or how an
aggregate was formed; ``DATA_LAST_UPDATE`` the export date.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import date
from pathlib import Path

import polars as pl

from engine.publication.config import PublicationConfig
from engine.publication.country_values import at_totals
from engine.store import publish

HEADER = (
    "DATAFLOW", "FREQ", "REPORTING_TYPE", "SERIES", "REF_AREA", "SEX", "AGE", "URBANISATION",
    "INCOME_WEALTH_QUANTILE", "EDUCATION_LEV", "OCCUPATION", "CUST_BREAKDOWN", "COMPOSITE_BREAKDOWN",
    "DISABILITY_STATUS", "ACTIVITY", "PRODUCT", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "UNIT_MULT",
    "UNIT_MEASURE", "BASE_PER", "NATURE", "TIME_DETAIL", "COMMENT_OBS", "TIME_COVERAGE", "UPPER_BOUND",
    "LOWER_BOUND", "SOURCE_DETAIL", "COMMENT_TS", "GEO_INFO_URL", "GEO_INFO_TYPE", "CUST_BREAKDOWN_LB",
    "DATA_LAST_UPDATE",
)
DIMENSIONS = HEADER[1:17]  # the dimensions in DSD order and TIME_PERIOD: the observation key
NUMERIC = ("OBS_VALUE", "UPPER_BOUND", "LOWER_BOUND")  # the columns holding numbers (the rest are codes and text)
SEX_CODES = {"T": "_T", "F": "F", "M": "M"}
URBAN_CODES = {"T": "_T", "urban": "U", "rural": "R"}
SOURCE_LABELS = {"administrative": "ILO Social Security Inquiry return", "survey": "Household survey", "uhc_index": "UHC service coverage index from tracer indicators"}


def age_code(age_group: pl.Expr) -> pl.Expr:
    """``T`` -> ``_T``; ``a_b`` -> ``YaTb``; a band ending at 100 or above -> ``Y_GEa``."""
    lower = age_group.str.extract(r"^(\d+)_").cast(pl.Int64)
    upper = age_group.str.extract(r"_(\d+)$").cast(pl.Int64)
    return (
        pl.when(age_group == "T").then(pl.lit("_T"))
        .when(upper >= 100).then(pl.concat_str([pl.lit("Y_GE"), lower.cast(pl.String)]))
        .otherwise(pl.concat_str([pl.lit("Y"), lower.cast(pl.String), pl.lit("T"), upper.cast(pl.String)]))
    )


def _fmt(expr: pl.Expr) -> pl.Expr:
    """Numbers as text with up to 6 decimals, no trailing zeros; empty when null."""
    return expr.round(6).cast(pl.String).str.replace(r"\.0$", "").fill_null("")


def country_observations(published: pl.DataFrame, countries: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    sdmx = config.sdmx
    nat = sdmx["nationality"]
    frame = published.filter(pl.col("series").is_in(list(sdmx["series"])))
    frame = frame.filter((pl.col("hh_composition") == "T") & ((pl.col("family") != "sdg_3_8_2") | (pl.col("sex") == "T")))
    frame = frame.join(countries.select(pl.col("iso3").alias("ref_area"), pl.col("m49").cast(pl.String).alias("REF_AREA")), on="ref_area")
    status = (
        pl.when(pl.col("suppressed").fill_null(False)).then(pl.lit("Q"))
        .when(pl.col("flag") == "caution").then(pl.lit("U"))
        .when(pl.col("capped").fill_null(False)).then(pl.lit("E"))
        .otherwise(pl.lit("A"))
    )
    nature = sdmx["nature"]
    comment = (
        pl.when(pl.col("suppressed").fill_null(False)).then(pl.lit(f"Suppressed: fewer than {config.min_unweighted_n} sample persons or unreliable estimate"))
        .when(pl.col("flag") == "caution").then(pl.lit("Use with caution: low reliability (sample size or coefficient of variation)"))
        .when(pl.col("source_kind") == "uhc_index").then(pl.concat_str([pl.lit("Share of imputed tracers: "), _fmt(pl.col("imputed_share"))]))
        .otherwise(pl.lit(""))
    )
    return frame.select(
        pl.col("series").replace_strict(sdmx["series"]).alias("SERIES"),
        "REF_AREA",
        pl.col("sex").replace_strict(SEX_CODES).alias("SEX"),
        age_code(pl.col("age_group")).alias("AGE"),
        pl.col("urban_rural").replace_strict(URBAN_CODES).alias("URBANISATION"),
        pl.when(pl.col("quintile") == "T").then(pl.lit("_T")).otherwise(pl.concat_str([pl.lit("Q"), pl.col("quintile")])).alias("INCOME_WEALTH_QUANTILE"),
        pl.col("nationality").replace_strict(nat["codes"]).alias("_nationality"),
        pl.col("year").cast(pl.String).alias("TIME_PERIOD"),
        _fmt(pl.col("value")).alias("OBS_VALUE"),
        status.alias("OBS_STATUS"),
        pl.col("family").replace_strict(sdmx["unit_measure"]).alias("UNIT_MEASURE"),
        pl.when(pl.col("capped").fill_null(False)).then(pl.lit(nature["capped"]))
        .otherwise(pl.col("source_kind").replace_strict(nature, default=nature["survey"])).alias("NATURE"),
        pl.col("year").cast(pl.String).alias("TIME_DETAIL"),
        comment.alias("COMMENT_OBS"),
        _fmt(pl.col("ci_upper")).alias("UPPER_BOUND"),
        _fmt(pl.col("ci_lower")).alias("LOWER_BOUND"),
        pl.concat_str([pl.col("source_kind").replace_strict(SOURCE_LABELS, default=pl.col("source_kind")), pl.lit(" "), pl.col("source_id")]).alias("SOURCE_DETAIL"),
        pl.col("nationality").replace_strict(nat["labels"], default="").alias("CUST_BREAKDOWN_LB"),
    )


def aggregate_observations(aggregates: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    sdmx = config.sdmx
    codes = [(lv, region, str(code)) for lv, by_region in sdmx["area_codes"].items() for region, code in by_region.items()]
    code_frame = pl.DataFrame(codes, schema={"level": pl.String, "region": pl.String, "REF_AREA": pl.String}, orient="row")
    frame = aggregates.filter(pl.col("series").is_in(list(sdmx["series"]))).join(code_frame, on=["level", "region"])
    primary = (
        frame.group_by("series", "vintage").agg(pl.col("n_reported").sum().alias("_n"))
        .sort("_n", "vintage", descending=[True, False]).group_by("series", maintain_order=True).first()
        .select("series", "vintage")
    )
    frame = frame.join(primary, on=["series", "vintage"]).filter(~pl.col("value_withheld"))
    comment = pl.concat_str([
        pl.lit("Aggregate of "), pl.col("n_countries").cast(pl.String), pl.lit(" countries, "),
        pl.col("n_imputed").cast(pl.String), pl.lit(" imputed; share of the denominator with reported data "),
        (pl.col("denominator_share_reported") * 100).round(1).cast(pl.String), pl.lit("%"),
    ])
    return frame.select(
        pl.col("series").replace_strict(sdmx["series"]).alias("SERIES"),
        "REF_AREA",
        pl.col("sex").replace_strict(SEX_CODES).alias("SEX"),
        pl.lit("_T").alias("AGE"), pl.lit("_T").alias("URBANISATION"), pl.lit("_T").alias("INCOME_WEALTH_QUANTILE"),
        pl.lit("_T").alias("_nationality"),
        pl.col("year").cast(pl.String).alias("TIME_PERIOD"),
        _fmt(pl.col("value")).alias("OBS_VALUE"),
        pl.lit("A").alias("OBS_STATUS"),
        pl.col("family").replace_strict(sdmx["unit_measure"]).alias("UNIT_MEASURE"),
        pl.lit(sdmx["nature"]["aggregate"]).alias("NATURE"),
        pl.col("year").cast(pl.String).alias("TIME_DETAIL"),
        comment.alias("COMMENT_OBS"),
        pl.lit("").alias("UPPER_BOUND"), pl.lit("").alias("LOWER_BOUND"),
        pl.concat_str([
            pl.lit("Aggregate of country data; custodian: "), pl.col("family").replace_strict(sdmx["custodians"], return_dtype=pl.String),
            pl.lit(" ("), pl.col("method_edition"), pl.lit("; "), pl.col("vintage"), pl.lit(")"),
        ]).alias("SOURCE_DETAIL"),
        pl.lit("").alias("CUST_BREAKDOWN_LB"),
    )


def sdmx_frame(published: pl.DataFrame, aggregates: pl.DataFrame, countries: pl.DataFrame, config: PublicationConfig, *, updated: date | None = None) -> pl.DataFrame:
    """Every observation as text, columns :data:`HEADER`, sorted by the dimensions."""
    sdmx = config.sdmx
    nat_dimension = sdmx["nationality"]["dimension"]
    frame = pl.concat([country_observations(published, countries, config), aggregate_observations(aggregates, config)])
    fill = {c: pl.lit("_T") for c in DIMENSIONS if c not in frame.columns and c != "FREQ"}
    fill |= {c: pl.lit("") for c in HEADER if c not in frame.columns and c not in DIMENSIONS}
    frame = frame.with_columns(**fill).with_columns(
        pl.col("_nationality").alias(nat_dimension),
        pl.lit(sdmx["dataflow"]).alias("DATAFLOW"),
        pl.lit("A").alias("FREQ"),
        pl.lit(str(sdmx["reporting_type"])).alias("REPORTING_TYPE"),
        pl.lit("0").alias("UNIT_MULT"),
        pl.lit((updated or date.today()).isoformat()).alias("DATA_LAST_UPDATE"),
    )
    return frame.select(list(HEADER)).sort(list(DIMENSIONS))


def write_csv(frame: pl.DataFrame, target: Path) -> int:
    """Write :func:`to_csv` text to ``target`` atomically (temporary file, then rename);
    returns the number of observations."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)  # one per writer
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(to_csv(frame))
        publish(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return frame.height


def to_csv(frame: pl.DataFrame) -> str:
    """RFC 4180 text: header row, comma separator, double quotes where needed, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(frame.select(list(HEADER)).iter_rows())
    return buffer.getvalue()
