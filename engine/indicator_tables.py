"""The country-level indicator tables in their published layout (``schemas.registry``),
with the rules that label their rows: observation status ``A``/``U`` of a survey estimate from
its reliability, ``E`` of an administrative rate whose numerator exceeds its denominator (the
value is then capped at 100 by the edition, or shown uncapped by an edition that does not cap)
and of a UHC index with imputed tracers, ``A`` otherwise; administrative rows have no sampling
error (reliability ``not_applicable``). Dagster-free: ``assets/indicators/publication_tables.py``
and ``uhc.py`` read the inputs, call these and write the tables.
"""

from __future__ import annotations

import polars as pl

from engine.publication.population import persons
from engine.quarantine import issues_frame
from engine.store import SOURCE_RECORDS, ParquetStore
from schemas.registry import Table, table
from schemas.resources.sdg_3_8_1 import UHC_SERIES

COVERAGE_DTYPES = table("indicators/sdg_1_3_1").polars_schema()
HARDSHIP_DTYPES = table("indicators/sdg_3_8_2").polars_schema()
HARDSHIP_GAP_DTYPES = table("indicators/sdg_3_8_2_gaps").polars_schema()
GAP_DTYPES = table("indicators/sdg_1_3_1_gaps").polars_schema()
NOT_COMPUTABLE_DTYPES = table("indicators/not_computable").polars_schema()


def source_vintages(store: ParquetStore) -> pl.DataFrame:
    """source_kind, source_id -> input_vintage label ('<id>@<vintage or file hash>')."""
    rows = []
    for rec in store.read_records(SOURCE_RECORDS):
        if rec["source_kind"] in ("survey", "ssi"):
            stamp = rec.get("vintage") or (rec.get("fingerprint") or "")[:12]
            rows.append(
                {
                    "source_kind": "survey" if rec["source_kind"] == "survey" else "administrative",
                    "source_id": rec["source_id"],
                    "input_vintage": f"{rec['source_id']}@{stamp}",
                }
            )
    return pl.DataFrame(rows, schema={"source_kind": pl.String, "source_id": pl.String, "input_vintage": pl.String})


def source_rows(
    frame: pl.DataFrame, source_kind: str, vintages: pl.DataFrame, run_id: str, table: Table
) -> pl.DataFrame:
    """Engine rows of the groups-at-risk and adequacy tables (``survey_id`` = the survey or SSI
    return) in the published columns of ``table``: source, observation status (a survey estimate
    not flagged reliable: U; administrative and reliable: A), input vintage and run id.
    """
    dtypes = table.polars_schema()
    if frame.is_empty():
        return pl.DataFrame(schema=dtypes)
    out = frame.rename({"country": "ref_area", "survey_id": "source_id"}).with_columns(
        pl.lit(source_kind).alias("source_kind"), pl.lit(run_id).alias("run_id")
    )
    if "reliability" in out.columns:
        out = out.with_columns(
            pl.when(pl.col("reliability").is_in(["reliable", "not_applicable"]))
            .then(pl.lit("A"))
            .otherwise(pl.lit("U"))
            .alias("obs_status")
        )
    out = out.join(vintages, on=["source_kind", "source_id"], how="left").with_columns(
        pl.col("input_vintage").fill_null(pl.col("source_id"))
    )
    return out.select(list(dtypes)).cast(dtypes)


def survey_coverage_rows(
    estimates: pl.DataFrame,
    vintages: pl.DataFrame,
    run_id: str,
    extra_dims: dict[str, str] | None = None,
    dtypes: dict = COVERAGE_DTYPES,
) -> pl.DataFrame:
    """Per-survey estimates -> the published long layout (``dtypes``: its columns)."""
    if estimates.is_empty():
        return pl.DataFrame(schema=dtypes)
    frame = estimates.rename({"country": "ref_area", "survey_id": "source_id"}).with_columns(
        pl.lit("survey").alias("source_kind"),
        pl.lit(None, dtype=pl.Boolean).alias("capped"),
        pl.lit(None, dtype=pl.String).alias("cap_applied"),
        pl.when(pl.col("reliability") == "reliable").then(pl.lit("A")).otherwise(pl.lit("U")).alias("obs_status"),
        pl.lit(run_id).alias("run_id"),
        *[pl.lit(v).alias(k) for k, v in (extra_dims or {}).items()],
    )
    frame = frame.join(vintages, on=["source_kind", "source_id"], how="left").with_columns(
        pl.col("input_vintage").fill_null(pl.col("source_id"))
    )
    return frame.select(list(dtypes)).cast(dtypes)


def survey_gap_rows(
    gaps: pl.DataFrame,
    vintages: pl.DataFrame,
    run_id: str,
    extra_dims: dict[str, str] | None = None,
    dtypes: dict = GAP_DTYPES,
) -> pl.DataFrame:
    """Survey gaps in the published long layout of ``dtypes``: ``country``/``survey_id`` renamed to
    ``ref_area``/``source_id``, the run id, the input vintage of each survey (its id when it has
    none) and the constant ``extra_dims`` added.
    """
    if gaps.is_empty():
        return pl.DataFrame(schema=dtypes)
    frame = gaps.rename({"country": "ref_area", "survey_id": "source_id"}).with_columns(
        pl.lit("survey").alias("source_kind"),
        pl.lit(run_id).alias("run_id"),
        *[pl.lit(v).alias(k) for k, v in (extra_dims or {}).items()],
    )
    frame = frame.join(vintages, on=["source_kind", "source_id"], how="left").with_columns(
        pl.col("input_vintage").fill_null(pl.col("source_id"))
    )
    return frame.select(list(dtypes)).cast(dtypes)


def admin_coverage_rows(
    admin: pl.DataFrame, vintages: pl.DataFrame, context_vintages: str, run_id: str
) -> pl.DataFrame:
    """The administrative rates (``indicators/admin_coverage``) in the published long layout."""
    if admin.is_empty():
        return pl.DataFrame(schema=COVERAGE_DTYPES)
    rates = admin.with_columns(
        pl.lit("not_applicable").alias("reliability"),
        pl.when(pl.col("numerator") > pl.col("denominator"))
        .then(pl.lit("E"))
        .otherwise(pl.lit("A"))
        .alias("obs_status"),
    )
    return _admin_layout(rates, COVERAGE_DTYPES, vintages, context_vintages, run_id)


def admin_gap_rows(gaps: pl.DataFrame, vintages: pl.DataFrame, context_vintages: str, run_id: str) -> pl.DataFrame:
    """The administrative gaps (``indicators/admin_gaps``) in the published gap layout."""
    if gaps.is_empty():
        return pl.DataFrame(schema=GAP_DTYPES)
    return _admin_layout(gaps, GAP_DTYPES, vintages, context_vintages, run_id)


def _admin_layout(
    frame: pl.DataFrame, dtypes: dict, vintages: pl.DataFrame, context_vintages: str, run_id: str
) -> pl.DataFrame:
    """An engine output in the columns ``dtypes`` (those it lacks empty), with the run id and
    the input vintage '<return>@<vintage>; <context table>@<vintage>; ...'.
    """
    source = pl.col("input_vintage").fill_null(pl.col("source_id"))
    joined = (
        frame.rename({"country": "ref_area"})
        .join(vintages, on=["source_kind", "source_id"], how="left")
        .with_columns(
            (pl.concat_str([source, pl.lit(context_vintages)], separator="; ") if context_vintages else source).alias(
                "input_vintage"
            ),
            pl.lit(run_id).alias("run_id"),
        )
    )
    return joined.select([pl.col(c) if c in joined.columns else pl.lit(None).alias(c) for c in dtypes]).cast(dtypes)


def not_computable_rows(frame: pl.DataFrame, source_kind: str) -> pl.DataFrame:
    """Cells not computable of ``source_kind`` in the layout of ``NOT_COMPUTABLE_DTYPES`` (country
    and survey or source id renamed to ``ref_area`` and ``source_id``).
    """
    if frame.is_empty():
        return pl.DataFrame(schema=NOT_COMPUTABLE_DTYPES)
    id_col = "survey_id" if "survey_id" in frame.columns else "source_id"
    return (
        frame.rename({"country": "ref_area", id_col: "source_id"})
        .with_columns(pl.lit(source_kind).alias("source_kind"))
        .select(list(NOT_COMPUTABLE_DTYPES))
        .cast(NOT_COMPUTABLE_DTYPES)
    )


def sorted_rows(frame: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    """``frame`` sorted by ``key``, nulls last: the row order in which tables are written."""
    return frame.sort(list(key), nulls_last=True)


UHC = table("indicators/sdg_3_8_1")
UHC_DTYPES = UHC.polars_schema()


def total_population(population: pl.DataFrame, countries: pl.DataFrame) -> pl.DataFrame:
    """``country, year, population``: WPP persons of all ages and both sexes."""
    return (
        persons(population, countries)
        .group_by("ref_area", "year")
        .agg(pl.col("persons").sum().alias("population"))
        .rename({"ref_area": "country"})
        .sort("country", "year")
    )


def published_index(index: pl.DataFrame, input_vintage: str, run_id: str) -> pl.DataFrame:
    """The engine's index table in the published layout."""
    return (
        index.select(
            pl.col("country").alias("ref_area"),
            "year",
            pl.lit(UHC_SERIES).alias("series"),
            pl.col("sci").alias("value"),
            "rmnch",
            "infectious_diseases",
            "ncd",
            "capacity",
            "n_tracers_used",
            "n_tracers_imputed",
            "n_tracers_missing",
            "imputed_share",
            "malaria_high_burden",
            pl.when(pl.col("n_tracers_imputed") > 0).then(pl.lit("E")).otherwise(pl.lit("A")).alias("obs_status"),
            "method_edition",
            pl.lit(input_vintage).alias("input_vintage"),
            pl.lit(run_id).alias("run_id"),
        )
        .cast(UHC_DTYPES)
        .sort(list(UHC.primary_key))
    )


REASON_COLUMN = {
    "unknown indicator code": "indicator",
    "missing country": "country",
    "country not in the country table": "country",
    "missing or non-integer year": "year",
    "missing or non-numeric value": "value",
    "negative value": "value",
    "duplicate (indicator, country, year)": "indicator, country, year",
}


def quarantine_issues(quarantine: pl.DataFrame) -> pl.DataFrame:
    """The tracer rows the index sets aside, one issue per broken rule, in the common quarantine
    layout (engine.quarantine.ISSUE_SCHEMA). The rows are rows of the staged table (which has
    passed the row rules of uhc/tracers.csv), so they are named by their key and value, not by a
    file row number.
    """
    issues = (
        quarantine.with_columns(pl.col("reason").str.split("; "))
        .explode("reason")
        .select(
            pl.lit(None, dtype=pl.Int64).alias("row_number"),
            pl.col("reason").replace_strict(REASON_COLUMN, default="indicator, country, year").alias("column"),
            pl.col("reason").alias("rule"),
            pl.concat_str(
                [
                    pl.lit("indicator="),
                    pl.col("indicator"),
                    pl.lit(", country="),
                    pl.col("country"),
                    pl.lit(", year="),
                    pl.col("year"),
                    pl.lit(", value="),
                    pl.col("value"),
                ],
                ignore_nulls=True,
            ).alias("value"),
        )
    )
    return issues_frame(
        issues, source_kind="uhc", source_id="sdg_3_8_1", source_file="uhc/tracers.csv", sheet="staging/uhc_tracers"
    )
