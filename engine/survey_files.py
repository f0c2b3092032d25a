"""A survey's data as the harmoniser reads it: the main data file with its joined files, and
the value labels of its Stata and SPSS files.

``read_survey_files(spec)`` reads the main file (one row per person) and joins each file of
``survey.join`` in turn (data/raw/README.md 1.2): every row gets the variables of the joined
file's row whose key equals its own, keys compared as codes (``code_key``: ``17`` matches
``17.0``), so household variables reach every member. A joined file must have one row per key
(else ``SourceError``, rule ``join_key_unique``); its variables must not repeat a name already
read (else ``SpecError``). The column ``__row:<file>`` records the row of the joined file each
row was given (missing when there is none), so that the harmoniser can quarantine a row without
its household (rule ``join_match``) and the raw snapshot stays traceable.

``read_value_labels(spec)`` returns, for every labelled variable of the survey's files,
``{code: label}`` with codes as ``code_key`` writes them.
"""

from __future__ import annotations

from typing import cast

import polars as pl

from engine.errors import SourceError, SpecError
from engine.readers import read_table
from engine.readers import read_value_labels as file_value_labels
from engine.survey_spec import JoinedFile, SurveySpec
from engine.typed_columns import code_key, code_keys

JOIN_ROW_PREFIX = "__row:"


def join_row_column(joined: JoinedFile) -> str:
    """The column holding, for each row, the row number of ``joined`` it was given."""
    return JOIN_ROW_PREFIX + joined.path.name


def _read(spec: SurveySpec, path, fmt: str) -> pl.DataFrame:
    return read_table(path, fmt, separator=spec.csv_separator, encoding=spec.csv_encoding)


def read_survey_files(spec: SurveySpec) -> pl.DataFrame:
    """The main data file with every joined file's variables (see the module docstring)."""
    frame = _read(spec, spec.data_file, spec.fmt)
    for i, joined in enumerate(spec.joins):
        frame = _join(frame, _read(spec, joined.path, joined.fmt), joined, spec, f"survey.join[{i}]")
    return frame


def _join(frame: pl.DataFrame, other: pl.DataFrame, joined: JoinedFile, spec: SurveySpec, where: str) -> pl.DataFrame:
    left = [a for a, _ in joined.on]
    right = [b for _, b in joined.on]
    name = joined.path.name
    for cols, have, what in ((left, frame.columns, "the files before it"), (right, other.columns, name)):
        missing = [c for c in cols if c not in have]
        if missing:
            raise SpecError(
                str(spec.path),
                f"join key {missing[0]!r} is not in {what}",
                where=f"{where}.on",
                value=missing[0],
                rule="source_variable_exists",
            )
    taken = list(joined.columns) if joined.columns is not None else [c for c in other.columns if c not in right]
    absent = [c for c in taken if c not in other.columns]
    if absent:
        raise SpecError(
            str(spec.path),
            f"variable {absent[0]!r} is not in {name}",
            where=f"{where}.columns",
            value=absent[0],
            rule="source_variable_exists",
        )
    clash = [c for c in taken if c in frame.columns]
    if clash:
        raise SpecError(
            str(spec.path),
            f"{name} repeats variables already read ({', '.join(clash)}): list the variables to take from it with 'columns: [...]'",
            where=where,
            value=clash[0],
            rule="join_columns",
        )
    keys = [f"__key{i}" for i in range(len(joined.on))]
    row = join_row_column(joined)
    other = other.select(
        *[code_key(pl.col(c)).alias(k) for c, k in zip(right, keys, strict=True)],
        *taken,
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(row),
    )
    repeated = (
        other.drop_nulls(keys)
        .group_by(keys)
        .agg(pl.len().alias("rows"), pl.col(row).min().alias("first"))
        .filter(pl.col("rows") > 1)
    )
    if repeated.height:
        first = repeated.sort("first").row(0, named=True)
        shown = ", ".join(f"{c}={first[k]}" for c, k in zip(right, keys, strict=True))
        raise SourceError(
            str(joined.path),
            f"{repeated.height:,} keys occur on several rows (e.g. {shown} on {first['rows']} rows): a joined file needs one row per key",
            where=", ".join(right),
            value=shown,
            rule="join_key_unique",
        )
    return (
        frame.with_columns(code_key(pl.col(c)).alias(k) for c, k in zip(left, keys, strict=True))
        .join(other, on=keys, how="left", maintain_order="left")
        .drop(keys)
    )


def read_value_labels(spec: SurveySpec) -> dict[str, dict[str, str]]:
    """``{variable: {code: label}}`` over the survey's files (codes as ``code_key``)."""
    out: dict[str, dict[str, str]] = {}
    for path, fmt in ((spec.data_file, spec.fmt), *((j.path, j.fmt) for j in spec.joins)):
        for var, labels in file_value_labels(path, fmt).items():
            codes = cast(list[str], code_keys(list(labels)))  # stored values are numbers: never blank
            out.setdefault(var, dict(zip(codes, map(str, labels.values()), strict=True)))
    return out
