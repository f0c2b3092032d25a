"""Published country series: values published by the custodian agencies, read as an input like
any other source (input contract, data/raw/README.md section 5).

A *published source* is one of:

* a UN SDG Global Database extract in DDF layout, the folder ``reference/unsdg_<vintage>/``
  (``ddf--datapoints--<series>--by--<dim>--...--year.csv`` files; ``geo_area`` = M49 code,
  ``nature``, ``observation_status``, ``sex`` in bothsex/female/male, ``quantile``, ``age``,
  ``units``, ``year`` and one measure column named after the series in lower case); layout
  ``unsdg_ddf``, source id the folder name, vintage the part after ``unsdg_``;
* a file ``published/<SOURCE_ID>.csv`` in one of the layouts users download, recognised by its
  header (:data:`LAYOUTS`): ``unsdg_csv`` (the CSV of the UN SDG portal and SDG API:
  ``SeriesCode, GeoAreaCode, TimePeriod, Value, Source, ...`` and the dimensions in brackets,
  ``[Sex]``, ``[Nature]``, ``[Units]``, ``[Observation Status]``, ``[Quantile]``, ``[Age]``...),
  ``sdmx_csv`` (SDMX-CSV of the UN SDG dataflow ``DF_SDG_GLH``: ``SERIES, REF_AREA, SEX, AGE,
  ..., TIME_PERIOD, OBS_VALUE, OBS_STATUS, NATURE, SOURCE_DETAIL``; the layout the pipeline
  exports) or ``ilostat_csv`` (ILOSTAT bulk download: ``ref_area`` ISO3 or an ILOSTAT ``X..``
  aggregate code, ``indicator``, ``sex`` SEX_T/F/M, ``classif1``, ``time``, ``obs_value``,
  ``obs_status``, ``source``, ``note_source``, with or without the ``.label`` columns). Its
  entry in ``published/sources.yaml`` gives its ``vintage`` (required), origin, licence and
  whether it is ``synthetic``.

:func:`read_source` (raw layer) reads one source as text with ``source_id``, ``vintage``,
``layout``, ``file`` (relative to the input directory) and ``row_number`` (1 = first data row);
a file that cannot be read, whose header matches no layout, or a ``published/`` file without a
declared vintage raises ``SourceError`` naming the file and the rule: that source is left out,
the others are read.

:func:`normalise` (staging layer) turns the raw rows of every layout into one long table
(``STAGING_SCHEMA``): ``source_id, layout, vintage, series, area_code, m49, ref_area,
area_kind, year, sex, breakdown, value, unit, nature, obs_status, source_detail``. ``ref_area``
is the ISO3 code of ``staging/countries``; areas that are not countries (world, regions,
ILOSTAT aggregates) keep ``area_kind = 'other_area'`` and an empty ``ref_area``. ``sex`` is
T/F/M (T also for series without a sex dimension). ``breakdown`` is ``T`` unless the row
belongs to a non-total category of another dimension, written ``<dimension>=<code>`` in the
codes of the DDF extracts (``quantile=q1``, ``age=15_24``, ``age=15`` for 15+), joined by
``;``. Codes of nature and status are upper case; units PERCENT or INDEX. Every value keeps
its nature (C country data, CA adjusted, E estimated, M modelled, G global monitoring, N
aggregate), observation status, source and vintage. Rows with a value or year that is not a
number, an area code not known, an unknown sex code, a series the pipeline does not map
(ILOSTAT indicators and ``classif1`` outside ``published_inputs.ilostat_series``) or a
duplicated key (every copy) are quarantined with the file, row, column, rule and value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from engine.errors import SourceError
from engine.paths import OUTPUT_NAME, confined_file, confined_folder, valid_output_name
from engine.quarantine import ISSUE_SCHEMA
from engine.readers import read_csv_text
from engine.safe_yaml import load_yaml_file
from schemas.resources.publication import PUBLISHED_SDG

SOURCE_KIND = "published"
FOLDER = re.compile(r"^unsdg_(.+)$")
DATAPOINTS = re.compile(r"^ddf--datapoints--([a-z0-9_]+)--by--(.+)\.csv$")
PUBLISHED_DIR = "published"
SOURCES_FILE = "published/sources.yaml"
# layout -> the header columns that identify it (all must be present)
LAYOUTS = {
    "sdmx_csv": ("SERIES", "REF_AREA", "TIME_PERIOD", "OBS_VALUE"),
    "unsdg_csv": ("SeriesCode", "GeoAreaCode", "TimePeriod", "Value"),
    "ilostat_csv": ("ref_area", "indicator", "time", "obs_value"),
}
DDF = "unsdg_ddf"
RAW_META = ("source_id", "vintage", "layout", "file", "row_number")
EMPTY_RAW = pl.DataFrame(schema=dict.fromkeys(RAW_META, pl.String) | {"row_number": pl.Int64})
STAGING_SCHEMA = PUBLISHED_SDG.polars_schema()
KEY = PUBLISHED_SDG.primary_key
UNITS = {"percent": "PERCENT", "pt": "PERCENT", "index": "INDEX"}


@dataclass(frozen=True)
class PublishedSource:
    """One published source: its id, layout, vintage, files (absolute) and declared facts."""

    source_id: str
    layout: str
    vintage: str
    files: tuple[Path, ...]
    declared: dict


def _declarations(input_dir: Path, name: str) -> dict:
    """The entries of a ``sources.yaml`` (``files:`` mapping, or the document itself), read
    within the bounds of ``engine.safe_yaml``; empty when the file is absent.
    """
    path = input_dir / name
    if not path.exists():
        return {}
    doc = load_yaml_file(confined_file(input_dir, name), file=name) or {}
    entries = doc.get("files", doc) if isinstance(doc, dict) else {}
    return entries if isinstance(entries, dict) else {}


def published_sources(input_dir: Path) -> list[PublishedSource]:
    """Every published source of the input directory: the DDF extract folders, then the files of
    ``published/`` (layout still to be recognised: ``layout`` is empty until :func:`read_source`).
    """
    found = []
    reference = _declarations(input_dir, "reference/sources.yaml")
    for folder in sorted((input_dir / "reference").glob("unsdg_*")):
        match = FOLDER.match(folder.name)
        if folder.is_dir() and match:
            files = tuple(sorted(f for f in folder.glob("ddf--datapoints--*.csv") if DATAPOINTS.match(f.name)))
            declared = reference.get(f"{folder.name}/") or reference.get(folder.name) or {}
            found.append(
                PublishedSource(folder.name, DDF, match.group(1), files, declared if isinstance(declared, dict) else {})
            )
    declarations = _declarations(input_dir, SOURCES_FILE)
    for path in sorted((input_dir / PUBLISHED_DIR).glob("*.csv")):
        declared = declarations.get(path.name) or {}
        declared = declared if isinstance(declared, dict) else {}
        found.append(PublishedSource(path.stem, "", str(declared.get("vintage") or ""), (path,), declared))
    return found


def _read_text(input_dir: Path, path: Path, relative: str) -> pl.DataFrame:
    """One CSV file of a published source as text, confined to its folder under the input
    directory (``engine.paths``: no link leaving it, regular files only).
    """
    folder = confined_folder(input_dir, path.parent)
    return read_csv_text(confined_file(folder, path.name, named_in=relative), shown=relative)


def detect_layout(columns: list[str]) -> str | None:
    """The layout whose identifying columns the header has (None when none matches)."""
    for layout, needed in LAYOUTS.items():
        if all(c in columns for c in needed):
            return layout
    return None


def _with_meta(frame: pl.DataFrame, source: PublishedSource, layout: str, relative: str, **extra: str) -> pl.DataFrame:
    return frame.with_row_index("row_number", offset=1).with_columns(
        pl.lit(source.source_id).alias("source_id"),
        pl.lit(source.vintage).alias("vintage"),
        pl.lit(layout).alias("layout"),
        pl.lit(relative).alias("file"),
        pl.col("row_number").cast(pl.Int64),
        *[pl.lit(v).alias(k) for k, v in extra.items()],
    )


def read_source(input_dir: Path, source: PublishedSource) -> pl.DataFrame:
    """Every row of one published source as text, with ``RAW_META`` (see the module docstring)."""
    frames = []
    if source.layout == DDF:
        for path in source.files:
            match = DATAPOINTS.match(path.name)
            assert match is not None  # the files were listed by this pattern
            series = match.group(1)
            relative = str(path.relative_to(input_dir))
            frame = _read_text(input_dir, path, relative)
            if series not in frame.columns or "geo_area" not in frame.columns:
                raise SourceError(
                    relative,
                    "no measure column named after the series, or no geo_area column",
                    where=f"columns {frame.columns}",
                    rule="ddf_datapoints_layout",
                )
            frames.append(_with_meta(frame.rename({series: "value"}), source, DDF, relative, series=series.upper()))
    else:
        (path,) = source.files
        relative = str(path.relative_to(input_dir))
        if not valid_output_name(source.source_id):
            raise SourceError(
                relative,
                f"a published source id (the file name) uses letters, digits, '_' and '-' only ({OUTPUT_NAME.pattern})",
                rule="source_id",
            )
        if not source.vintage:
            raise SourceError(
                relative,
                f"no vintage declared for this file in {SOURCES_FILE} (files: {{{path.name}: {{vintage: ...}}}})",
                rule="declared_vintage",
            )
        frame = _read_text(input_dir, path, relative)
        layout = detect_layout(frame.columns)
        if layout is None:
            expected = "; ".join(f"{name}: {', '.join(cols)}" for name, cols in LAYOUTS.items())
            raise SourceError(
                relative,
                f"header matches no published-series layout (expected the columns of one of: {expected})",
                where=f"columns {frame.columns}",
                rule="published_layout",
            )
        frames.append(_with_meta(frame, source, layout, relative))
    return pl.concat(frames, how="diagonal_relaxed") if frames else EMPTY_RAW


# --- normalisation, one function per layout: the raw rows of that layout -> the long text layout

LONG = (
    "source_id",
    "vintage",
    "layout",
    "file",
    "row_number",
    "series",
    "area_code",
    "sex_code",
    "breakdown",
    "year",
    "value",
    "unit",
    "nature",
    "obs_status",
    "source_detail",
    "_unmapped",
)


def _col(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String) if name in frame.columns else pl.lit(None, dtype=pl.String)


def _breakdown(parts: list[pl.Expr]) -> pl.Expr:
    """``T`` or the non-total parts (``<dimension>=<code>``) joined by ``;``."""
    if not parts:
        return pl.lit("T")
    return pl.concat_str(parts, separator=";", ignore_nulls=True).fill_null("").replace("", "T")


def _part(name: str, code: pl.Expr, totals: tuple[str, ...]) -> pl.Expr:
    """``<name>=<code lower case>``, null for a total code (or an empty one)."""
    lower = code.str.to_lowercase().str.strip_chars()
    return (
        pl.when(code.is_null() | (lower == "") | lower.is_in(list(totals)))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.concat_str([pl.lit(f"{name}="), lower]))
    )


DDF_STANDARD = ("geo_area", "nature", "observation_status", "sex", "units", "year", "value", "series")
DDF_TOTALS = {"quantile": ("t", "_t")}


def _from_ddf(frame: pl.DataFrame) -> pl.DataFrame:
    extra = [c for c in frame.columns if c not in (*DDF_STANDARD, *RAW_META)]
    parts = [_part(c, _col(frame, c), DDF_TOTALS.get(c, ())) for c in extra]
    return frame.select(
        *RAW_META,
        "series",
        _col(frame, "geo_area").alias("area_code"),
        _col(frame, "sex").fill_null("bothsex").alias("sex_code"),
        _breakdown(parts).alias("breakdown"),
        _col(frame, "year").alias("year"),
        _col(frame, "value").alias("value"),
        _col(frame, "units").alias("unit"),
        _col(frame, "nature").alias("nature"),
        _col(frame, "observation_status").alias("obs_status"),
        pl.concat_str([pl.lit("UN SDG Global Database "), pl.col("vintage")]).alias("source_detail"),
        pl.lit(None, dtype=pl.String).alias("_unmapped"),
    )


UNSDG_ATTRIBUTES = ("[Sex]", "[Nature]", "[Units]", "[Observation Status]", "[Reporting Type]")
UNSDG_TOTALS = ("_t", "allage", "bothsex", "_z", "notspec")


def _age_code(code: pl.Expr) -> pl.Expr:
    """Ages in the codes of the DDF extracts: ``15-24``/``Y15T24`` -> ``15_24``, ``15+``/``Y_GE15`` -> ``15``."""
    text = code.str.strip_chars()
    return (
        pl.when(text.str.contains(r"^Y_GE\d+$"))
        .then(text.str.extract(r"(\d+)"))
        .when(text.str.contains(r"^Y\d+T\d+$"))
        .then(pl.concat_str([text.str.extract(r"^Y(\d+)T"), pl.lit("_"), text.str.extract(r"T(\d+)$")]))
        .when(text.str.contains(r"^\d+\+$"))
        .then(text.str.extract(r"(\d+)"))
        .otherwise(text.str.replace_all("-", "_"))
    )


def _from_unsdg_csv(frame: pl.DataFrame) -> pl.DataFrame:
    dims = [c for c in frame.columns if c.startswith("[") and c.endswith("]") and c not in UNSDG_ATTRIBUTES]
    parts = []
    for c in dims:
        name = c[1:-1].strip().lower().replace(" ", "_")
        code = _age_code(_col(frame, c)) if name == "age" else _col(frame, c)
        parts.append(_part(name, code, UNSDG_TOTALS))
    reporting = _col(frame, "[Reporting Type]")
    parts.append(_part("reporting_type", reporting, ("g",)))
    return frame.select(
        *RAW_META,
        _col(frame, "SeriesCode").str.to_uppercase().alias("series"),
        _col(frame, "GeoAreaCode").alias("area_code"),
        _col(frame, "[Sex]").fill_null("BOTHSEX").alias("sex_code"),
        _breakdown(parts).alias("breakdown"),
        _col(frame, "TimePeriod").alias("year"),
        _col(frame, "Value").str.replace_all(",", "").alias("value"),
        _col(frame, "[Units]").alias("unit"),
        _col(frame, "[Nature]").alias("nature"),
        _col(frame, "[Observation Status]").alias("obs_status"),
        _col(frame, "Source").alias("source_detail"),
        pl.lit(None, dtype=pl.String).alias("_unmapped"),
    )


SDMX_DIMENSIONS = (
    "AGE",
    "URBANISATION",
    "INCOME_WEALTH_QUANTILE",
    "EDUCATION_LEV",
    "OCCUPATION",
    "CUST_BREAKDOWN",
    "COMPOSITE_BREAKDOWN",
    "DISABILITY_STATUS",
    "ACTIVITY",
    "PRODUCT",
)
SDMX_NAMES = {"INCOME_WEALTH_QUANTILE": "quantile", "AGE": "age"}


def _from_sdmx_csv(frame: pl.DataFrame) -> pl.DataFrame:
    parts = []
    for dim in SDMX_DIMENSIONS:
        if dim in frame.columns:
            code = _age_code(_col(frame, dim)) if dim == "AGE" else _col(frame, dim)
            parts.append(_part(SDMX_NAMES.get(dim, dim.lower()), code, ("_t", "_z")))
    return frame.select(
        *RAW_META,
        _col(frame, "SERIES").str.to_uppercase().alias("series"),
        _col(frame, "REF_AREA").alias("area_code"),
        _col(frame, "SEX").fill_null("_T").alias("sex_code"),
        _breakdown(parts).alias("breakdown"),
        _col(frame, "TIME_PERIOD").alias("year"),
        _col(frame, "OBS_VALUE").alias("value"),
        _col(frame, "UNIT_MEASURE").alias("unit"),
        _col(frame, "NATURE").alias("nature"),
        _col(frame, "OBS_STATUS").alias("obs_status"),
        _col(frame, "SOURCE_DETAIL").alias("source_detail"),
        pl.lit(None, dtype=pl.String).alias("_unmapped"),
    )


def _from_ilostat_csv(frame: pl.DataFrame, ilostat: dict) -> pl.DataFrame:
    mapping = {str(k): str(v) for k, v in (ilostat.get("series") or {}).items()}
    indicator = _col(frame, "indicator").str.replace(r"_A$", "")
    key = pl.concat_str([indicator, pl.lit("|"), _col(frame, "classif1").fill_null("")])
    series = key.replace_strict(mapping, default=None, return_dtype=pl.String)
    source_text = pl.concat_str(
        [_col(frame, c) for c in ("source.label", "source", "note_source.label", "note_source")],
        separator=" | ",
        ignore_nulls=True,
    )
    modelled = source_text.str.contains(str(ilostat.get("modelled_pattern") or "(?i)model")).fill_null(False)
    return frame.select(
        *RAW_META,
        series.alias("series"),
        _col(frame, "ref_area").alias("area_code"),
        _col(frame, "sex").fill_null("SEX_T").alias("sex_code"),
        pl.lit("T").alias("breakdown"),
        _col(frame, "time").alias("year"),
        _col(frame, "obs_value").alias("value"),
        pl.lit("PERCENT").alias("unit"),
        pl.when(modelled).then(pl.lit("M")).otherwise(pl.lit("C")).alias("nature"),
        _col(frame, "obs_status").alias("obs_status"),
        source_text.alias("source_detail"),
        pl.when(series.is_null()).then(key).otherwise(pl.lit(None, dtype=pl.String)).alias("_unmapped"),
    )


SEX_CODES = {
    DDF: {"bothsex": "T", "female": "F", "male": "M"},
    "unsdg_csv": {"BOTHSEX": "T", "FEMALE": "F", "MALE": "M"},
    "sdmx_csv": {"_T": "T", "F": "F", "M": "M"},
    "ilostat_csv": {"SEX_T": "T", "SEX_F": "F", "SEX_M": "M"},
}


def _long(raw: pl.DataFrame, inputs: dict) -> pl.DataFrame:
    frames = []
    for layout in raw["layout"].unique().sort().to_list() if raw.height else []:
        part = raw.filter(pl.col("layout") == layout)
        part = part.select([c for c in part.columns if part[c].null_count() < part.height or c in RAW_META])
        if layout == DDF:
            long = _from_ddf(part)
        elif layout == "unsdg_csv":
            long = _from_unsdg_csv(part)
        elif layout == "sdmx_csv":
            long = _from_sdmx_csv(part)
        else:
            long = _from_ilostat_csv(part, inputs.get("ilostat") or {})
        frames.append(
            long.with_columns(pl.col("sex_code").replace_strict(SEX_CODES[layout], default=None).alias("_sex"))
        )
    if not frames:
        return pl.DataFrame(schema=dict.fromkeys((*LONG, "_sex"), pl.String) | {"row_number": pl.Int64})
    return pl.concat(frames, how="vertical_relaxed")


def _issues(frame: pl.DataFrame, column: str, rule: str, value: pl.Expr) -> pl.DataFrame:
    return frame.select(
        pl.lit(SOURCE_KIND).alias("source_kind"),
        pl.col("source_id"),
        pl.col("file").alias("source_file"),
        pl.lit(None, dtype=pl.String).alias("sheet"),
        pl.col("row_number"),
        pl.lit(column).alias("column"),
        pl.lit(rule).alias("rule"),
        value.cast(pl.String).alias("value"),
    ).cast(ISSUE_SCHEMA)


def normalise(
    raw: pl.DataFrame, countries: pl.DataFrame, inputs: dict | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept rows in ``STAGING_SCHEMA``, quarantine in ``ISSUE_SCHEMA``); see the module
    docstring. ``inputs``: the edition's ``published_inputs`` (ILOSTAT series mapping).
    """
    long = _long(raw, inputs or {})
    by_m49 = countries.select(pl.col("m49").cast(pl.Int64).alias("_m49"), pl.col("iso3").alias("_iso_m49"))
    by_iso = countries.select(pl.col("iso3").alias("_iso"), pl.col("m49").cast(pl.Int64).alias("_m49_iso"))
    is_ilostat = pl.col("layout") == "ilostat_csv"
    area = pl.col("area_code").str.strip_chars()
    typed = (
        long.with_columns(
            pl.col("year").str.strip_chars().cast(pl.Int64, strict=False).alias("_year"),
            pl.col("value").str.strip_chars().cast(pl.Float64, strict=False).alias("_value"),
            pl.when(is_ilostat).then(None).otherwise(area.cast(pl.Int64, strict=False)).alias("_m49"),
            pl.when(is_ilostat).then(area).alias("_iso"),
        )
        .join(by_m49, on="_m49", how="left")
        .join(by_iso, on="_iso", how="left")
    )
    typed = typed.with_columns(
        pl.when(is_ilostat)
        .then(pl.when(pl.col("_m49_iso").is_not_null()).then(pl.col("_iso")))
        .otherwise(pl.col("_iso_m49"))
        .alias("ref_area"),
        pl.when(is_ilostat).then(pl.col("_m49_iso")).otherwise(pl.col("_m49")).alias("m49"),
        # M49 layouts: any numeric code (a country, or a region kept as other_area); ILOSTAT: a
        # country ISO3 code of staging/countries, or an ILOSTAT aggregate code X..
        pl.when(is_ilostat)
        .then(pl.col("_m49_iso").is_null() & ~pl.col("_iso").str.starts_with("X").fill_null(False))
        .otherwise(pl.col("_m49").is_null())
        .alias("_bad_area"),
    )
    issues = [
        _issues(
            typed.filter(pl.col("series").is_null()), "indicator|classif1", "series_not_mapped", pl.col("_unmapped")
        ),
        _issues(typed.filter(pl.col("_bad_area")), "area", "unknown_area_code", pl.col("area_code")),
        _issues(typed.filter(pl.col("_year").is_null()), "year", "not_a_year", pl.col("year")),
        _issues(typed.filter(pl.col("_value").is_null()), "value", "not_a_number", pl.col("value")),
        _issues(typed.filter(pl.col("_sex").is_null()), "sex", "code_not_in_list", pl.col("sex_code")),
    ]
    valid = typed.filter(
        pl.col("series").is_not_null()
        & ~pl.col("_bad_area")
        & pl.col("_year").is_not_null()
        & pl.col("_value").is_not_null()
        & pl.col("_sex").is_not_null()
    ).with_columns(pl.col("_year").alias("year"), pl.col("_sex").alias("sex"), pl.col("area_code").str.strip_chars())
    dupes = valid.filter(pl.len().over(list(KEY)) > 1)
    issues.append(
        _issues(
            dupes,
            "|".join(KEY),
            "duplicated_key",
            pl.concat_str([pl.col(c).cast(pl.String) for c in KEY], separator="|"),
        )
    )
    unit = pl.col("unit").str.to_lowercase()
    kept = (
        valid.filter(pl.len().over(list(KEY)) == 1)
        .select(
            "source_id",
            "layout",
            "vintage",
            "series",
            "area_code",
            "m49",
            "ref_area",
            pl.when(pl.col("ref_area").is_null())
            .then(pl.lit("other_area"))
            .otherwise(pl.lit("country"))
            .alias("area_kind"),
            "year",
            "sex",
            "breakdown",
            pl.col("_value").alias("value"),
            unit.replace_strict(UNITS, default=pl.col("unit").str.to_uppercase()).alias("unit"),
            pl.col("nature").str.to_uppercase().alias("nature"),
            pl.col("obs_status").str.to_uppercase().alias("obs_status"),
            "source_detail",
        )
        .cast(STAGING_SCHEMA)
        .sort(list(KEY))
    )
    quarantine = pl.concat(issues).sort("source_id", "source_file", "row_number", "column")
    return kept, quarantine


def read_sources(input_dir: Path) -> pl.DataFrame:
    """Every published source of ``input_dir`` read with :func:`read_source` (the first broken
    one raises): the raw table of a run in which no source is left out.
    """
    frames = [read_source(input_dir, s) for s in published_sources(input_dir)]
    return pl.concat(frames, how="diagonal_relaxed") if frames else EMPTY_RAW
