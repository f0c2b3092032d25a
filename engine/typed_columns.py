"""Convert text or loosely typed source columns to declared types, recording every value that
does not convert as a row issue (rule ``type_flag``, ``type_integer`` or ``type_number``).

Column declarations reuse ``schemas.survey_variables.Variable`` (name, kind, codes, range), so
survey variables, SSI tables and context tables share one conversion and one way of building
their Pandera schema (``schemas.tables.schema_for``).
"""

from __future__ import annotations

import polars as pl

from schemas.survey_variables import Variable
from schemas.tables import polars_dtype

FLAG_WORDS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}


def convert(value: pl.Expr, shown: pl.Expr, var: Variable) -> tuple[pl.Expr, pl.Expr]:
    """Convert ``value`` to the type of ``var``. ``shown`` is the original value (null when
    missing). Returns (converted, issue rule or null)."""
    dtype = polars_dtype(var)
    if var.kind in ("id", "code"):
        text = value.cast(pl.String)
        if var.kind == "code":
            text = text.str.strip_chars()
        return text, pl.lit(None, dtype=pl.String)
    if var.kind == "flag":
        text = value.cast(pl.String).str.to_lowercase().str.strip_chars()
        text = pl.when(text == "1.0").then(pl.lit("1")).when(text == "0.0").then(pl.lit("0")).otherwise(text)
        converted = text.replace_strict(list(FLAG_WORDS), list(FLAG_WORDS.values()), default=None, return_dtype=pl.Boolean)
        return converted, pl.when(shown.is_not_null() & converted.is_null()).then(pl.lit("type_flag"))
    number = value.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
    if var.kind == "int":
        ok = number.is_not_null() & (number == number.round(0))
        converted = pl.when(ok).then(number.cast(pl.Int64, strict=False))
        return converted, pl.when(shown.is_not_null() & ~ok.fill_null(False)).then(pl.lit("type_integer"))
    converted = number.cast(dtype)
    return converted, pl.when(shown.is_not_null() & converted.is_null()).then(pl.lit("type_number"))


def convert_table(frame: pl.DataFrame, variables: tuple[Variable, ...], row_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Convert the columns of ``frame`` named by ``variables`` (missing optional columns become
    null). Returns (typed frame with ``row_id``, issues ``row_number, column, rule, value``)."""
    values, issue_exprs = [], []
    for var in variables:
        if var.name in frame.columns:
            raw = pl.col(var.name)
            shown = raw.cast(pl.String).str.strip_chars()
            shown = pl.when(shown == "").then(None).otherwise(shown)
            converted, issue = convert(shown, shown, var)
        else:
            converted, issue, shown = pl.lit(None, dtype=polars_dtype(var)), pl.lit(None, dtype=pl.String), pl.lit(None, dtype=pl.String)
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
