"""Disclosure control of published tables.

Rule (``disclosure`` in ``config/methods/publication.yaml``): a *survey* cell is suppressed
when its unweighted number of sample persons is below ``min_unweighted_n`` or its reliability is
in ``suppress_reliability``; a suppressed cell keeps its key and gets ``suppressed = true``,
``flag = 'suppressed'`` and empty values (the value and everything it could be recomputed or
bounded from: numerator, denominator, SE, confidence bounds). A cell whose reliability is in
``caution_reliability`` keeps its value with ``flag = 'caution'``. Administrative and modelled
cells are never suppressed. Internal tables (``indicators/``) are not touched: only the frames
written to ``publication/`` pass through :func:`apply_disclosure` (the revisions listing, whose
values are not those of the cells, through :func:`with_flags` and :func:`blank_suppressed`).
"""

from __future__ import annotations

import polars as pl

from engine.publication.config import PublicationConfig

SUPPRESSED_VALUE_COLUMNS = ("value", "numerator", "denominator", "se", "ci_lower", "ci_upper", "cv", "deff")


def suppression_rule(config: PublicationConfig, n: pl.Expr, reliability: pl.Expr) -> pl.Expr:
    """True where a survey cell with unweighted count ``n`` and ``reliability`` is suppressed."""
    return (n < config.min_unweighted_n).fill_null(False) | reliability.is_in(
        list(config.suppress_reliability)
    ).fill_null(False)


def caution_rule(config: PublicationConfig, reliability: pl.Expr) -> pl.Expr:
    """True where ``reliability`` is one of the edition's caution levels (a null reliability is
    not).
    """
    return reliability.is_in(list(config.caution_reliability)).fill_null(False)


def with_flags(frame: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """Add ``suppressed`` and ``flag`` to a frame of country cells (``source_kind``,
    ``n_unweighted``, ``reliability``); values are left as they are.
    """
    survey = pl.col("source_kind") == "survey"
    suppressed = survey & suppression_rule(config, pl.col("n_unweighted"), pl.col("reliability"))
    return frame.with_columns(
        suppressed.alias("suppressed"),
        pl.when(suppressed)
        .then(pl.lit("suppressed"))
        .when(survey & caution_rule(config, pl.col("reliability")))
        .then(pl.lit("caution"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("flag"),
    )


def blank_suppressed(frame: pl.DataFrame, columns) -> pl.DataFrame:
    """Empty ``columns`` (those present) where ``suppressed`` is true."""
    blank = [c for c in columns if c in frame.columns]
    return frame.with_columns(
        [pl.when(pl.col("suppressed")).then(pl.lit(None)).otherwise(pl.col(c)).alias(c) for c in blank]
    )


def apply_disclosure(frame: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """:func:`with_flags`, then the suppressed values emptied (``SUPPRESSED_VALUE_COLUMNS``)."""
    return blank_suppressed(with_flags(frame, config), SUPPRESSED_VALUE_COLUMNS)
