"""Build Pandera (Polars backend) schemas from column declarations.

A declaration is a ``schemas.fields.Field``: kind -> dtype, ``codes`` -> isin,
``min``/``max`` -> ge/le, ``positive`` -> gt(0), ``required`` -> not nullable (unless
``nullable``); every number column also gets the ``finite`` check (``schemas.numbers``: finite and
within the documented bound), which catches a number made non-finite after conversion (a spec's
``scale``, an expression).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandera.polars as pa
import polars as pl

from schemas.fields import Field
from schemas.numbers import FINITE_RULE, out_of_range


def polars_dtype(var: Field) -> pl.DataType:
    """The Polars type of a declared column."""
    return var.dtype


def finite_check() -> pa.Check:
    """A Pandera check that a numeric column holds no NaN, infinity or number beyond ``NUMBER_MAX_ABS``."""
    return pa.Check(
        lambda data: data.lazyframe.select(~out_of_range(pl.col(data.key).cast(pl.Float64))),
        name=FINITE_RULE,
        element_wise=False,
    )


def column_checks(var: Field) -> list[pa.Check]:
    """The Pandera checks of a column: finite numbers, its codes and its bounds."""
    checks = [finite_check()] if var.kind in ("int", "float") else []
    if var.codes:
        checks.append(pa.Check.isin(list(var.codes)))
    if var.min is not None:
        checks.append(pa.Check.ge(var.min))
    if var.max is not None:
        checks.append(pa.Check.le(var.max))
    if var.positive:
        checks.append(pa.Check.gt(0))
    return checks


def schema_for(
    variables: Iterable[Field],
    *,
    name: str,
    unique: list[str] | None = None,
    checks: list[pa.Check] | None = None,
    column_extra_checks: dict[str, list[pa.Check]] | None = None,
    extra_columns: dict[str, pl.DataType] | None = None,
    strict: bool = True,
) -> pa.DataFrameSchema:
    """A strict schema with one column per declaration plus unchecked ``extra_columns``;
    ``checks`` are frame-level, ``column_extra_checks`` add to the declared column checks.
    """
    more = column_extra_checks or {}
    columns = {
        v.name: pa.Column(polars_dtype(v), checks=column_checks(v) + more.get(v.name, []), nullable=v.may_be_missing)
        for v in variables
    }
    for col, dtype in (extra_columns or {}).items():
        columns[col] = pa.Column(dtype, nullable=True)
    return pa.DataFrameSchema(
        columns,
        checks=checks or [],
        strict=strict,
        unique=unique,
        report_duplicates="all",
        name=name,
    )
