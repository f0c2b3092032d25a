"""Finite numbers only, the test of an output table. An input number must be finite and at
most ``NUMBER_MAX_ABS`` in absolute value (the rule ``finite``: ``schemas.numbers``); ``inf``,
``nan`` and ``1e308`` are quarantined (``engine.typed_columns.convert``), so they never reach an
estimate. ``non_finite_cells`` is the backstop on outputs (asset check ``finite_numbers``): any
NaN or infinity in a float column of an indicator or publication table, or in the numbers of the
SDMX file.
"""

from __future__ import annotations

import polars as pl


def non_finite_cells(frame: pl.DataFrame, text_columns: tuple[str, ...] = ()) -> dict[str, int]:
    """Column -> number of NaN or infinite cells, for every float column of ``frame`` and the
    ``text_columns`` holding numbers as text (a CSV export); columns without any are left out.
    """
    exprs = [
        (pl.col(c).is_nan() | pl.col(c).is_infinite()).sum().alias(c) for c, t in frame.schema.items() if t.is_float()
    ]
    for c in text_columns:
        if c in frame.columns:
            number = pl.col(c).cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
            exprs.append((number.is_nan() | number.is_infinite()).sum().alias(c))
    if not exprs:
        return {}
    counts = frame.select(exprs).row(0, named=True)
    return {c: int(n) for c, n in counts.items() if n}
