"""Finite numbers only: the one rule (``finite``) for every number read from an input (weights,
amounts, counts, context values) and the one test of an output table.

An input number must be finite and at most ``NUMBER_MAX_ABS`` in absolute value
(``engine.limits``); ``inf``, ``nan`` and ``1e308`` are quarantined with rule ``finite``
(``engine.typed_columns.convert``), so they never reach an estimate: products and sums of
numbers within the bound stay far from float64 overflow. ``non_finite_cells`` is the backstop
on outputs (asset check ``finite_numbers``): any NaN or infinity in a float column of an
indicator or publication table, or in the numbers of the SDMX file.
"""

from __future__ import annotations

import polars as pl

from engine.limits import NUMBER_MAX_ABS

FINITE_RULE = "finite"


def out_of_range(number: pl.Expr) -> pl.Expr:
    """True where a (Float64) number is given but not finite or beyond ``NUMBER_MAX_ABS``."""
    return number.is_not_null() & ~(number.is_finite() & (number.abs() <= NUMBER_MAX_ABS)).fill_null(False)


def non_finite_cells(frame: pl.DataFrame, text_columns: tuple[str, ...] = ()) -> dict[str, int]:
    """Column -> number of NaN or infinite cells, for every float column of ``frame`` and the
    ``text_columns`` holding numbers as text (a CSV export); columns without any are left out."""
    exprs = [(pl.col(c).is_nan() | pl.col(c).is_infinite()).sum().alias(c) for c, t in frame.schema.items() if t.is_float()]
    for c in text_columns:
        if c in frame.columns:
            number = pl.col(c).cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
            exprs.append((number.is_nan() | number.is_infinite()).sum().alias(c))
    if not exprs:
        return {}
    counts = frame.select(exprs).row(0, named=True)
    return {c: int(n) for c, n in counts.items() if n}
