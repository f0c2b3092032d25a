"""Convert text or loosely typed source columns to declared types, recording every value that
does not convert as a row issue (rule ``type_flag``, ``type_integer`` or ``type_number``), and
every number that is not finite or beyond the documented bound as rule ``finite``
(``schemas.numbers``).

Column declarations reuse ``schemas.fields.Field`` (name, kind, codes, range), so
survey variables, SSI tables and context tables share one conversion and one way of building
their Pandera schema (``schemas.tables.schema_for``).
"""

from __future__ import annotations

import polars as pl

from schemas.fields import Field
from schemas.numbers import FINITE_RULE, out_of_range
from schemas.tables import polars_dtype

FLAG_WORDS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}
# Integers with at most 2^53 in magnitude are exact in Float64: beyond, a float code stays text.
_EXACT_INTEGER = 2.0**53


def code_key(value: pl.Expr) -> pl.Expr:
    """A code as the spec and the data file are compared: trimmed text, null when empty or NaN;
    a value that reads as a finite number becomes the text of that number, so that numbers
    compare by value whatever the file stores (``1``, ``1.0``, ``"01"``, ``" 1 "``, ``1e0`` ->
    ``"1"``; ``2.50`` -> ``"2.5"``). Integers keep every digit (no detour through Float64).
    The spec's codes go through the same expression (``code_keys``).
    """
    text = value.cast(pl.String).str.strip_chars()
    integer = text.str.replace(r"\.0*$", "").cast(pl.Int64, strict=False)
    number = text.cast(pl.Float64, strict=False)
    whole = number.is_finite() & (number == number.round(0)) & (number.abs() < _EXACT_INTEGER)
    return (
        pl.when((text == "") | number.is_nan())
        .then(None)
        .when(integer.is_not_null())
        .then(integer.cast(pl.String))
        .when(whole)
        .then(number.cast(pl.Int64, strict=False).cast(pl.String))
        .when(number.is_finite())
        .then(number.cast(pl.String))
        .otherwise(text)
    )


def code_keys(values: list) -> list[str | None]:
    """``code_key`` of Python values (a spec's codes): booleans as ``true``/``false``, numbers and
    text as above.
    """
    texts = [None if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return (
        pl.DataFrame({"code": texts}, schema={"code": pl.String}).select(code_key(pl.col("code"))).to_series().to_list()
    )


def convert(value: pl.Expr, shown: pl.Expr, var: Field) -> tuple[pl.Expr, pl.Expr]:
    """Convert ``value`` to the type of ``var``. ``shown`` is the original value (null when
    missing). Returns (converted, issue rule or null).
    """
    if var.kind == "id":  # a whole number exported with decimals (R, Stata: 12.0) is the id 12
        return value.cast(pl.String).str.replace(r"^([-+]?[0-9]+)\.0+$", "${1}"), pl.lit(None, dtype=pl.String)
    if var.kind == "code":
        return value.cast(pl.String).str.strip_chars(), pl.lit(None, dtype=pl.String)
    if var.kind == "flag":
        text = value.cast(pl.String).str.to_lowercase().str.strip_chars()
        text = pl.when(text == "1.0").then(pl.lit("1")).when(text == "0.0").then(pl.lit("0")).otherwise(text)
        converted = text.replace_strict(
            list(FLAG_WORDS), list(FLAG_WORDS.values()), default=None, return_dtype=pl.Boolean
        )
        return converted, pl.when(shown.is_not_null() & converted.is_null()).then(pl.lit("type_flag"))
    number = value.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
    return convert_number(number, shown.is_not_null(), var)


def convert_number(number: pl.Expr, given: pl.Expr, var: Field) -> tuple[pl.Expr, pl.Expr]:
    """``convert`` of a value already read as a number (Float64, null where it is missing or does
    not read as one) to a number variable (``int`` or ``float`` kind); ``given`` is true where the
    source gave a value. Typed source columns (Parquet, Stata and SPSS numbers) come here without
    a detour through text.
    """
    bad = out_of_range(number)
    if var.kind == "int":
        ok = number.is_not_null() & (number == number.round(0)) & ~bad
        converted = pl.when(ok).then(number.cast(pl.Int64, strict=False))
        return converted, pl.when(bad).then(pl.lit(FINITE_RULE)).when(given & ~ok.fill_null(False)).then(
            pl.lit("type_integer")
        )
    converted = pl.when(~bad).then(number.cast(polars_dtype(var)))
    return converted, pl.when(bad).then(pl.lit(FINITE_RULE)).when(given & converted.is_null()).then(
        pl.lit("type_number")
    )


def convert_table(frame: pl.DataFrame, variables: tuple[Field, ...], row_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Convert the columns of ``frame`` named by ``variables`` (missing optional columns become
    null). Returns (typed frame with ``row_id``, issues ``row_number, column, rule, value``).
    """
    values, issue_exprs = [], []
    for var in variables:
        if var.name in frame.columns:
            raw = pl.col(var.name)
            shown = raw.cast(pl.String).str.strip_chars()
            shown = pl.when(shown == "").then(None).otherwise(shown)
            converted, issue = convert(shown, shown, var)
        else:
            converted, issue, shown = (
                pl.lit(None, dtype=polars_dtype(var)),
                pl.lit(None, dtype=pl.String),
                pl.lit(None, dtype=pl.String),
            )
        values.append(converted.alias(var.name))
        issue_exprs.append(pl.struct(rule=issue, value=shown).alias(var.name))
    typed = frame.select(pl.col(row_id), *values)
    issues = (
        frame.select(pl.col(row_id).alias("row_number"), *issue_exprs)
        .unpivot(index="row_number", variable_name="column", value_name="issue")
        .unnest("issue")
        .filter(pl.col("rule").is_not_null())
        .select(pl.col("row_number").cast(pl.Int64), "column", "rule", "value")
    )
    return typed, issues
