"""The one rule for every number read from an input (weights, amounts, counts, context values):
finite and at most ``NUMBER_MAX_ABS`` in absolute value, so that products and sums of such
numbers stay far from the float64 overflow at 1.8e308. A number breaking it is quarantined with
rule ``finite`` (``engine.typed_columns``), refused in a spec (``engine.survey_spec``) and
fails the ``finite`` check of every number column (``schemas.tables``).
"""

from __future__ import annotations

import polars as pl

NUMBER_MAX_ABS = 1e15
FINITE_RULE = "finite"


def out_of_range(number: pl.Expr) -> pl.Expr:
    """True where a (Float64) number is given but not finite or beyond ``NUMBER_MAX_ABS``."""
    return number.is_not_null() & ~(number.is_finite() & (number.abs() <= NUMBER_MAX_ABS)).fill_null(False)
