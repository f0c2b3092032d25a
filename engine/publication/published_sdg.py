"""Previously published values: the UN SDG Global Database extracts bundled in
``reference/unsdg_<vintage>/`` (DDF layout, data/raw/README.md section 5).

Each extract folder holds ``ddf--datapoints--<series>--by--<dim>--...--year.csv`` files whose
columns are the dimensions (``geo_area`` = M49 code, ``nature``, ``observation_status``,
``sex`` in bothsex/female/male, ``quantile``, ``age``, ``units``), ``year`` and one measure
column named after the series (lower case).

:func:`read_extracts` (raw layer) reads every datapoint file as text, renames the measure column
to ``value`` and adds ``vintage`` (folder name after ``unsdg_``), ``series`` (upper case),
``file`` (relative to the input directory) and ``row_number`` (1 = first data row). A file that
cannot be read, or lacks ``geo_area`` or its measure column, raises ``SourceError``.

:func:`normalise` (staging layer) returns the long table ``vintage, series, m49, ref_area,
area_kind, year, sex, breakdown, value, unit, nature, obs_status``: ``ref_area`` is the ISO3
code of ``staging/countries`` with that M49 code, and for every other M49 area (world, regions,
areas not in the country list) ``ref_area`` is empty and ``area_kind = 'other_area'``: those rows
are kept, not dropped. ``sex`` is T/F/M (T also for series without a sex dimension);
``breakdown`` is ``T`` unless the row belongs to a non-total category of another dimension
(``quantile=q1``, ``age=15_24``; quantile ``t`` is the total). Codes are upper case. Rows with
a value or year that is not a number, an unknown sex code, or a duplicated key (every copy) are
quarantined with the file, row, column, rule and value.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from engine.errors import SourceError
from engine.paths import confined_file, confined_folder
from engine.readers import read_csv_text
from engine.quarantine import ISSUE_SCHEMA
from engine.publication.tables import PUBLISHED_SDG

FOLDER = re.compile(r"^unsdg_(.+)$")
DATAPOINTS = re.compile(r"^ddf--datapoints--([a-z0-9_]+)--by--(.+)\.csv$")
SEX_CODES = {"bothsex": "T", "female": "F", "male": "M"}
TOTAL_CODES = {"quantile": ("t", "_t")}
STANDARD_COLUMNS = ("geo_area", "nature", "observation_status", "sex", "units", "year", "value")
RAW_META = ("vintage", "series", "file", "row_number")
KEY = PUBLISHED_SDG.key
STAGING_SCHEMA = PUBLISHED_SDG.dtypes()


def extract_folders(input_dir: Path) -> list[tuple[str, Path]]:
    """(vintage, folder) of every ``reference/unsdg_<vintage>/``, sorted by vintage."""
    base = input_dir / "reference"
    found = [(m.group(1), p) for p in base.glob("unsdg_*") if p.is_dir() and (m := FOLDER.match(p.name))]
    return sorted(found)


def _datapoint_files(input_dir: Path, folder: Path) -> list[Path]:
    """The datapoint files of one extract folder, confined to it (``engine.paths``: a link
    leaving the folder, or a FIFO, raises ``SourceError``)."""
    base = confined_folder(input_dir, folder)
    return [confined_file(base, f.name, named_in=str(f.relative_to(input_dir))) for f in sorted(folder.glob("ddf--datapoints--*.csv"))]


def datapoint_files(input_dir: Path) -> list[Path]:
    return [f for _, folder in extract_folders(input_dir) for f in _datapoint_files(input_dir, folder)]


def read_extracts(input_dir: Path) -> pl.DataFrame:
    """Every datapoint file of every extract, as text (see the module docstring)."""
    frames = []
    for vintage, folder in extract_folders(input_dir):
        for path in _datapoint_files(input_dir, folder):
            match = DATAPOINTS.match(path.name)
            if not match:
                continue
            series = match.group(1)
            relative = str((folder / path.name).relative_to(input_dir))
            frame = read_csv_text(path, shown=relative)
            if series not in frame.columns or "geo_area" not in frame.columns:
                raise SourceError(relative, "no measure column named after the series, or no geo_area column",
                                  where=f"columns {frame.columns}", rule="ddf_datapoints_layout")
            frame = frame.rename({series: "value"})
            frames.append(
                frame.with_row_index("row_number", offset=1).with_columns(
                    pl.lit(vintage).alias("vintage"),
                    pl.lit(series.upper()).alias("series"),
                    pl.lit(relative).alias("file"),
                    pl.col("row_number").cast(pl.Int64),
                )
            )
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in (*RAW_META, *STANDARD_COLUMNS)} | {"row_number": pl.Int64})
    return pl.concat(frames, how="diagonal_relaxed")


def _breakdown(raw: pl.DataFrame) -> pl.Expr:
    """``T``, or ``<dimension>=<code>`` for each non-total category of a non-standard dimension."""
    extra = [c for c in raw.columns if c not in (*STANDARD_COLUMNS, *RAW_META)]
    parts = []
    for col in extra:
        totals = TOTAL_CODES.get(col, ())
        parts.append(
            pl.when(pl.col(col).is_null() | pl.col(col).str.to_lowercase().is_in(list(totals)))
            .then(pl.lit(None, dtype=pl.String))
            .otherwise(pl.concat_str([pl.lit(f"{col}="), pl.col(col)]))
        )
    if not parts:
        return pl.lit("T")
    return pl.concat_str(parts, separator=";", ignore_nulls=True).fill_null("").replace("", "T")


def _issues(frame: pl.DataFrame, column: str, rule: str, value: pl.Expr) -> pl.DataFrame:
    return frame.select(
        pl.lit("reference").alias("source_kind"),
        pl.lit("published_sdg").alias("source_id"),
        pl.col("file").alias("source_file"),
        pl.lit(None, dtype=pl.String).alias("sheet"),
        pl.col("row_number"),
        pl.lit(column).alias("column"),
        pl.lit(rule).alias("rule"),
        value.cast(pl.String).alias("value"),
    ).cast(ISSUE_SCHEMA)


def normalise(raw: pl.DataFrame, countries: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept rows in ``STAGING_SCHEMA``, quarantine in ``ISSUE_SCHEMA``); see the module docstring."""
    frame = raw
    for col in STANDARD_COLUMNS:
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(col))
    codes = countries.select(pl.col("m49").cast(pl.Int64), pl.col("iso3").alias("ref_area"))
    typed = frame.with_columns(
        pl.col("geo_area").cast(pl.Int64, strict=False).alias("m49"),
        pl.col("year").cast(pl.Int64, strict=False).alias("_year"),
        pl.col("value").cast(pl.Float64, strict=False).alias("_value"),
        pl.col("sex").fill_null("bothsex").replace_strict(SEX_CODES, default=None).alias("_sex"),
        _breakdown(frame).alias("breakdown"),
    )
    issues = [
        _issues(typed.filter(pl.col("m49").is_null()), "geo_area", "not_an_m49_code", pl.col("geo_area")),
        _issues(typed.filter(pl.col("_year").is_null()), "year", "not_a_year", pl.col("year")),
        _issues(typed.filter(pl.col("_value").is_null()), "value", "not_a_number", pl.col("value")),
        _issues(typed.filter(pl.col("_sex").is_null()), "sex", "code_not_in_list", pl.col("sex")),
    ]
    valid = typed.filter(pl.col("m49").is_not_null() & pl.col("_year").is_not_null() & pl.col("_value").is_not_null() & pl.col("_sex").is_not_null())
    valid = valid.with_columns(pl.col("_year").alias("year"), pl.col("_sex").alias("sex"))
    dupes = valid.filter(pl.len().over(list(KEY)) > 1)
    issues.append(_issues(dupes, "|".join(KEY), "duplicated_key", pl.concat_str([pl.col(c).cast(pl.String) for c in KEY], separator="|")))
    kept = (
        valid.filter(pl.len().over(list(KEY)) == 1)
        .join(codes, on="m49", how="left")
        .select(
            "vintage", "series", "m49", "ref_area",
            pl.when(pl.col("ref_area").is_null()).then(pl.lit("other_area")).otherwise(pl.lit("country")).alias("area_kind"),
            "year", "sex", "breakdown",
            pl.col("_value").alias("value"),
            pl.col("units").str.to_uppercase().alias("unit"),
            pl.col("nature").str.to_uppercase().alias("nature"),
            pl.col("observation_status").str.to_uppercase().alias("obs_status"),
        )
        .cast(STAGING_SCHEMA)
        .sort(list(KEY))
    )
    quarantine = pl.concat(issues).sort("source_file", "row_number", "column")
    return kept, quarantine
