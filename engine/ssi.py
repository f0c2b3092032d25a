"""Read, validate and reshape one ILO Social Security Inquiry return.

A return is a workbook ``ssi/<RETURN_ID>.xlsx`` (one sheet per table) or a folder
``ssi/<RETURN_ID>/`` (one CSV per table); the tables are declared in ``schemas.resources.ssi``.
``ingest_return`` returns canonical tables (schemes, long coverage counts, legal provisions, the
return's metadata) and the quarantine; structural problems raise ``SourceError`` naming the
file, sheet and column.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandera.polars as pa
import polars as pl
import pycountry

from engine.errors import SourceError
from engine.limits import SHEET_MAX_COLUMNS, SHEET_MAX_ROWS, WORKBOOK_MAX_PARTS, WORKBOOK_MAX_UNCOMPRESSED_BYTES
from engine.paths import confined_file
from engine.quarantine import ROW_ID, column_check_issues, empty_issues, issues_frame, split_rows, validate_rows
from engine.readers import read_csv_text, unique_header
from engine.typed_columns import convert_table
from schemas import registry
from schemas.fields import NATIONALITY
from schemas.resources import ssi as st
from schemas.resources import survey as sv
from schemas.tables import polars_dtype, schema_for

# The canonical benefit expenditure table (optional Expenditure sheet), long by sex.
EXPENDITURE_SCHEMA = registry.table("staging/ssi_expenditure").polars_schema()


@dataclass(frozen=True)
class IngestedReturn:
    """One Social Security Inquiry return, read and validated: its metadata, the counts of rows
    read, kept and quarantined, and the kept rows of each of its tables.
    """

    return_id: str
    file: str
    metadata: dict[str, str | None]  # optional fields not given are None
    rows_read: int
    rows_kept: int
    quarantined_rows: int
    schemes: pl.DataFrame
    coverage: pl.DataFrame
    expenditure: pl.DataFrame
    legal_provisions: pl.DataFrame
    quarantine: pl.DataFrame
    tables_present: tuple[str, ...]
    table_rows: dict[str, tuple[int, int, int]]  # sheet -> (rows read, kept, quarantined)

    @property
    def country(self) -> str:
        """The ISO3 code of the return's country."""
        return str(self.metadata["country"])  # required

    @property
    def year(self) -> int:
        """The return's reference year."""
        return int(str(self.metadata["reference_year"]))  # required


def _read_sheets(path: Path) -> dict[str, pl.DataFrame]:
    """Sheet name -> table of text, for a workbook or a CSV folder (both already confined to
    the input directory by discovery).
    """
    if path.is_dir():
        by_csv = {t.csv: t.sheet for t in st.TABLES} | {st.RETURN_CSV: st.RETURN_SHEET}
        out = {}
        for csv_name, sheet in by_csv.items():
            f = confined_file(path, csv_name, missing_ok=True)
            if f is not None:
                out[sheet] = read_csv_text(f, shown=str(path / csv_name))
        return out
    check_workbook(path)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise SourceError(str(path), f"cannot read workbook: {exc}", rule="readable") from exc
    try:
        return {ws.title: _sheet_frame(ws, str(path)) for ws in wb.worksheets}
    finally:
        wb.close()


def check_workbook(path: Path) -> None:
    """Refuse a workbook whose parts would unzip to more than
    ``WORKBOOK_MAX_UNCOMPRESSED_BYTES`` (a zip bomb) before openpyxl opens it. The sizes are
    those the archive declares; Python's zip reader never inflates a part beyond its declared
    size.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(str(path), f"cannot read workbook: not an .xlsx file ({exc})", rule="readable") from None
    total = sum(p.file_size for p in parts)
    if len(parts) > WORKBOOK_MAX_PARTS or total > WORKBOOK_MAX_UNCOMPRESSED_BYTES:
        raise SourceError(
            str(path),
            f"workbook refused: {len(parts):,} parts unzipping to {total:,} bytes; the limits are {WORKBOOK_MAX_PARTS:,} parts "
            f"and {WORKBOOK_MAX_UNCOMPRESSED_BYTES:,} bytes (an SSI return is a few sheets of a few hundred rows)",
            rule="workbook_size",
        )


def _sheet_frame(ws, file: str) -> pl.DataFrame:
    """One sheet as text: the first non-empty row is the header. At most ``SHEET_MAX_ROWS``
    rows and ``SHEET_MAX_COLUMNS`` columns are read; a sheet that declares or holds more is
    refused (rule ``sheet_size``) instead of being expanded in memory.
    """
    declared_rows, declared_cols = ws.max_row or 0, ws.max_column or 0
    if declared_rows > SHEET_MAX_ROWS + 1 or declared_cols > SHEET_MAX_COLUMNS:
        raise SourceError(
            file,
            f"the sheet declares {declared_rows:,} rows x {declared_cols:,} columns; the limits are "
            f"{SHEET_MAX_ROWS:,} rows and {SHEET_MAX_COLUMNS} columns",
            where=f"sheet {ws.title}",
            rule="sheet_size",
        )
    rows = []
    for r in ws.iter_rows(max_row=SHEET_MAX_ROWS + 2, max_col=SHEET_MAX_COLUMNS, values_only=True):
        if any(c is not None and str(c).strip() != "" for c in r):
            rows.append(list(r))
        if len(rows) > SHEET_MAX_ROWS + 1:
            raise SourceError(
                file, f"the sheet has more than {SHEET_MAX_ROWS:,} rows", where=f"sheet {ws.title}", rule="sheet_size"
            )
    if not rows:
        return pl.DataFrame()
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    keep = [i for i, h in enumerate(header) if h]
    unique_header(file, [header[i] for i in keep], where=f"sheet {ws.title}")
    data = {header[i]: [_cell_text(r[i]) if i < len(r) else None for r in rows[1:]] for i in keep}
    return pl.DataFrame(data, schema={header[i]: pl.String for i in keep})


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _return_metadata(sheets: dict[str, pl.DataFrame], file: str) -> dict[str, str | None]:
    if st.RETURN_SHEET not in sheets:
        raise SourceError(
            file,
            f"missing table '{st.RETURN_SHEET}' ({st.RETURN_CSV})",
            where=f"sheet {st.RETURN_SHEET}",
            rule="required_table",
        )
    meta_frame = sheets[st.RETURN_SHEET]
    for col in ("field", "value"):
        if col not in meta_frame.columns:
            raise SourceError(file, f"missing column '{col}'", where=f"sheet {st.RETURN_SHEET}", rule="required_column")
    meta: dict[str, str | None] = {
        str(r["field"]).strip(): (None if r["value"] is None else str(r["value"]).strip())
        for r in meta_frame.iter_rows(named=True)
        if r["field"]
    }
    for key in st.RETURN_FIELDS_REQUIRED:
        if not meta.get(key):
            raise SourceError(
                file,
                f"the Return table must give '{key}'",
                where=f"sheet {st.RETURN_SHEET}, field {key}",
                rule="required_field",
            )
    year = sv.BY_NAME["year"]
    assert year.min is not None and year.max is not None  # the year variable is bounded
    try:
        number = float(str(meta["reference_year"]))  # required: given
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number.is_integer() and year.min <= number <= year.max):
        raise SourceError(
            file,
            f"reference_year must be a year from {year.min:.0f} to {year.max:.0f}",
            where=f"sheet {st.RETURN_SHEET}, field reference_year",
            value=meta["reference_year"],
            rule="type_integer",
        )
    meta["reference_year"] = str(int(number))
    country = str(meta["country"]).upper()  # required: given
    if len(country) != 3 or pycountry.countries.get(alpha_3=country) is None:
        raise SourceError(
            file,
            "country must be an ISO 3166-1 alpha-3 code",
            where=f"sheet {st.RETURN_SHEET}, field country",
            value=meta["country"],
            rule="iso3166_alpha3",
        )
    meta["country"] = country
    return meta


def _sum_check() -> pa.Check:
    """Men + women <= total wherever all three are reported."""

    def fn(data) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(
            (
                c("men").is_null()
                | c("women").is_null()
                | c("total").is_null()
                | ((c("men") + c("women")) <= c("total"))
            ).alias("men_plus_women_le_total")
        )

    return pa.Check(fn, name="men_plus_women_le_total", element_wise=False)


def _known_schemes_check(scheme_ids: list[str]) -> pa.Check:
    """The scheme_id of a count must be in the (kept) Schemes table."""

    def fn(data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_in(scheme_ids))

    return pa.Check(fn, name="scheme_in_inventory", element_wise=False)


# The count tables whose totals the non-nationals module splits, and the measure they count.
MEASURE_TABLES = (
    (st.CONTRIBUTORS, "active_contributors"),
    (st.BENEFICIARIES, "beneficiaries"),
    (st.HEALTH, "health_protected"),
)
COUNTS = ("total", "men", "women")
SPLIT_KEY = ("scheme_id", "measure", "benefit_type")
SPLIT_RULE = "nationality_split_le_total"


def _reported_counts(kept: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """``scheme_id, measure, benefit_type, total, men, women, sheet`` of the kept rows of the
    count tables: the totals that the non-nationals module splits by nationality.
    """
    parts = [
        kept[table.sheet].select(
            "scheme_id",
            pl.lit(measure).alias("measure"),
            (
                pl.col("benefit_type") if "benefit_type" in kept[table.sheet].columns else pl.lit(None, dtype=pl.String)
            ).alias("benefit_type"),
            *COUNTS,
            pl.lit(table.sheet).alias("sheet"),
        )
        for table, measure in MEASURE_TABLES
        if table.sheet in kept
    ]
    schema = {
        "scheme_id": pl.String,
        "measure": pl.String,
        "benefit_type": pl.String,
        **dict.fromkeys(COUNTS, pl.Int64),
        "sheet": pl.String,
    }
    return pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame(schema=schema)


def _split_issues(typed: pl.DataFrame, reported: pl.DataFrame) -> pl.DataFrame:
    """Rows of the non-nationals module whose national + non-national counts exceed the count
    reported for the same scheme, measure and benefit type (tolerance 0), compared for each of
    total, men and women where the reported count and at least one split are given (counts are
    not negative, so a single split above the total is as inconsistent as both). Every split
    row of a failing count is quarantined, once per failing column, the value showing the
    numbers (``national=.. non_national=.. reported=.. (sheet)``).
    """
    c = pl.col
    key = list(SPLIT_KEY)
    frame = typed.join(
        reported.rename({k: f"__reported_{k}" for k in (*COUNTS, "sheet")}),
        on=key,
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
    checks = {}
    for col in COUNTS:
        splits = {}
        for nat in NATIONALITY:
            given = ((c("nationality") == nat) & c(col).is_not_null()).sum().over(key) > 0
            splits[nat] = pl.when(given).then(c(col).filter(c("nationality") == nat).sum().over(key))
        reported_count = c(f"__reported_{col}")
        fails = (
            reported_count.is_not_null() & (pl.sum_horizontal(splits.values()) > reported_count) & c(col).is_not_null()
        )
        shown = pl.format(
            "national={} non_national={} reported={} ({})",
            *(splits[n].cast(pl.String).fill_null("not given") for n in NATIONALITY),
            reported_count,
            c("__reported_sheet"),
        )
        checks[col] = (fails, shown)
    return column_check_issues(frame, checks, SPLIT_RULE)


def _validate_table(
    table: st.ReturnTable,
    frame: pl.DataFrame,
    file: str,
    scheme_ids: list[str] | None,
    reported: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept typed rows, issues) for one table; ``reported`` (the non-nationals module only):
    the counts its rows split by nationality (``_reported_counts``).
    """
    missing = [v.name for v in table.columns if v.required and v.name not in frame.columns]
    if missing:
        raise SourceError(
            file,
            f"missing required column '{missing[0]}'",
            where=f"sheet {table.sheet}",
            value=missing[0],
            rule="required_column",
        )
    frame = frame.with_row_index(ROW_ID, offset=1)
    typed, conversion = convert_table(frame, table.columns, ROW_ID)
    schema = schema_for(
        table.columns,
        name=table.sheet,
        unique=list(table.key),
        checks=[_sum_check()] if table.has_counts else [],
        column_extra_checks={"scheme_id": [_known_schemes_check(scheme_ids)]} if scheme_ids is not None else None,
        extra_columns={ROW_ID: pl.UInt32()},
    )
    rules = validate_rows(typed, schema, file=file)
    if table.has_counts:  # show the three numbers, not the whole row, for the sum rule
        shown = typed.select(
            pl.col(ROW_ID).cast(pl.Int64).alias("row_number"),
            pl.format("men={} women={} total={}", "men", "women", "total").alias("__sum"),
        )
        is_sum = pl.col("rule") == "men_plus_women_le_total"
        rules = rules.join(shown, on="row_number", how="left").select(
            "row_number",
            pl.when(is_sum).then(pl.lit("men+women")).otherwise(pl.col("column")).alias("column"),
            "rule",
            pl.when(is_sum).then(pl.col("__sum")).otherwise(pl.col("value")).alias("value"),
        )
    if reported is not None:
        rules = pl.concat([rules, _split_issues(typed, reported)], how="vertical_relaxed")
    issues = pl.concat([conversion, rules], how="vertical_relaxed").unique(
        subset=["row_number", "column"], keep="first", maintain_order=True
    )
    kept, _ = split_rows(typed, issues)
    return kept.drop(ROW_ID), issues


def read_return(path: Path) -> dict[str, pl.DataFrame]:
    """The tables of a return (workbook or CSV folder) as text, by sheet name."""
    if not path.exists():
        raise SourceError(str(path), "SSI return not found", rule="file_exists")
    return _read_sheets(path)


def ingest_return(return_id: str, sheets: dict[str, pl.DataFrame], *, file: str) -> IngestedReturn:
    """Validate one SSI return given its tables (``read_return``). See the module docstring."""
    meta = _return_metadata(sheets, file)
    if st.SCHEMES.sheet not in sheets:
        raise SourceError(
            file,
            f"missing table '{st.SCHEMES.sheet}' ({st.SCHEMES.csv})",
            where=f"sheet {st.SCHEMES.sheet}",
            rule="required_table",
        )

    kept: dict[str, pl.DataFrame] = {}
    issues = []
    rows_read = 0
    table_rows: dict[str, tuple[int, int, int]] = {}
    scheme_ids: list[str] | None = None
    for table in st.TABLES:
        if table.sheet not in sheets:
            continue
        frame = sheets[table.sheet]
        rows_read += frame.height
        k, i = _validate_table(
            table, frame, file, scheme_ids, _reported_counts(kept) if table is st.NON_NATIONALS else None
        )
        if table is st.SCHEMES:
            scheme_ids = k["scheme_id"].to_list()
        kept[table.sheet] = k
        table_rows[table.sheet] = (frame.height, k.height, i["row_number"].n_unique())
        issues.append(issues_frame(i, source_kind="ssi", source_id=return_id, source_file=file, sheet=table.sheet))
    quarantine = pl.concat(issues, how="vertical_relaxed") if issues else empty_issues()
    quarantined_rows = quarantine.select(pl.struct("sheet", "row_number").n_unique()).item() if quarantine.height else 0
    rows_kept = sum(f.height for f in kept.values())

    schemes = kept[st.SCHEMES.sheet]
    coverage = _long_coverage(kept, schemes, return_id, meta)
    expenditure = _long_expenditure(kept, schemes, return_id, meta)
    legal = kept.get(st.LEGAL.sheet, pl.DataFrame(schema={v.name: polars_dtype(v) for v in st.LEGAL.columns}))
    legal = legal.select(
        pl.lit(return_id).alias("return_id"),
        pl.lit(meta["country"]).alias("country"),
        pl.lit(int(str(meta["reference_year"])), dtype=pl.Int64).alias("year"),
        pl.all(),
    )
    schemes = schemes.select(
        pl.lit(return_id).alias("return_id"),
        pl.lit(meta["country"]).alias("country"),
        pl.lit(int(str(meta["reference_year"])), dtype=pl.Int64).alias("year"),
        pl.all(),
    )
    return IngestedReturn(
        return_id=return_id,
        file=file,
        metadata=meta,
        rows_read=rows_read,
        rows_kept=rows_kept,
        quarantined_rows=quarantined_rows,
        schemes=schemes,
        coverage=coverage,
        expenditure=expenditure,
        legal_provisions=legal,
        quarantine=quarantine,
        tables_present=tuple(t.sheet for t in st.TABLES if t.sheet in sheets),
        table_rows=table_rows,
    )


DUPLICATE_RULE = "one_return_per_country_year"


def duplicate_returns(returns: pl.DataFrame) -> dict[str, list[str]]:
    """Return id -> the other returns giving the same country and reference year, for every
    such return (``returns``: ``return_id, country, reference_year``, one row per return). One
    return per country and year: copies would count the same schemes twice.
    """
    groups = (
        returns.group_by("country", "reference_year")
        .agg(pl.col("return_id").sort())
        .filter(pl.col("return_id").list.len() > 1)
    )
    out = {}
    for ids in groups["return_id"].to_list():
        for rid in ids:
            out[rid] = [o for o in ids if o != rid]
    return dict(sorted(out.items()))


def _long_coverage(
    kept: dict[str, pl.DataFrame], schemes: pl.DataFrame, return_id: str, meta: dict[str, str | None]
) -> pl.DataFrame:
    """Every count as one row: scheme x measure x benefit type x nationality x sex."""
    parts = []
    for table, measure in MEASURE_TABLES:
        if table.sheet in kept:
            f = kept[table.sheet]
            parts.append(
                f.select(
                    "scheme_id",
                    pl.lit(measure).alias("measure"),
                    (pl.col("benefit_type") if "benefit_type" in f.columns else pl.lit(None, dtype=pl.String)).alias(
                        "benefit_type"
                    ),
                    pl.lit("total").alias("nationality"),
                    "total",
                    "men",
                    "women",
                )
            )
    if st.NON_NATIONALS.sheet in kept:
        parts.append(
            kept[st.NON_NATIONALS.sheet].select(
                "scheme_id", "measure", "benefit_type", "nationality", "total", "men", "women"
            )
        )
    schema = {v.name: (pl.Int64 if v.kind == "int" else pl.String) for v in st.COVERAGE_COLUMNS}
    if not parts:
        return pl.DataFrame(schema=schema)
    wide = pl.concat(parts, how="vertical_relaxed")
    long = (
        wide.rename({"total": "T", "men": "M", "women": "F"})
        .unpivot(
            on=["T", "M", "F"],
            index=["scheme_id", "measure", "benefit_type", "nationality"],
            variable_name="sex",
            value_name="persons",
        )
        .filter(pl.col("persons").is_not_null())
        .join(schemes.select("scheme_id", "function", "scheme_type"), on="scheme_id", how="inner")
    )
    return long.select(
        pl.lit(return_id).alias("return_id"),
        pl.lit(meta["country"]).alias("country"),
        pl.lit(int(str(meta["reference_year"])), dtype=pl.Int64).alias("year"),
        "scheme_id",
        "function",
        "scheme_type",
        "measure",
        "benefit_type",
        "nationality",
        "sex",
        pl.col("persons").cast(pl.Int64),
    ).sort("scheme_id", "measure", "benefit_type", "nationality", "sex", nulls_last=True)


def _long_expenditure(
    kept: dict[str, pl.DataFrame], schemes: pl.DataFrame, return_id: str, meta: dict[str, str | None]
) -> pl.DataFrame:
    """Every expenditure amount as one row: scheme x benefit type x sex (empty without the
    optional Expenditure table).
    """
    if st.EXPENDITURE.sheet not in kept:
        return pl.DataFrame(schema=EXPENDITURE_SCHEMA)
    long = (
        kept[st.EXPENDITURE.sheet]
        .rename({"total": "T", "men": "M", "women": "F"})
        .unpivot(on=["T", "M", "F"], index=["scheme_id", "benefit_type"], variable_name="sex", value_name="expenditure")
        .filter(pl.col("expenditure").is_not_null())
        .join(schemes.select("scheme_id", "function", "scheme_type"), on="scheme_id", how="inner")
    )
    return (
        long.select(
            pl.lit(return_id).alias("return_id"),
            pl.lit(meta["country"]).alias("country"),
            pl.lit(int(str(meta["reference_year"])), dtype=pl.Int64).alias("year"),
            "scheme_id",
            "function",
            "scheme_type",
            "benefit_type",
            "sex",
            "expenditure",
        )
        .cast(EXPENDITURE_SCHEMA)
        .sort("scheme_id", "benefit_type", "sex")
    )
