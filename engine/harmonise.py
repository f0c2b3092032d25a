"""Apply a harmonisation spec to a raw survey file: raw columns -> canonical person table.

``harmonise_survey(raw, spec, labels)`` returns the canonical frame (every row of the file, in
order, with the internal row id ``__row``) and the row issues found while converting (a value
that is not of the canonical type, a code the spec does not map, a person without its row in a
joined file, a household whose rows disagree on a ``spread`` variable). ``raw`` is the main
file with its joined files (``engine.survey_files``); codes may be named by their value label.
Ids may be generated (row numbers, composite keys) and age given in classes (``age_class``).
Range, code-list and key rules are then checked by the Pandera model
(``staging/survey_persons`` of the registry, ``schemas.resources.survey``) in ``ingest_survey``, which also splits kept rows from quarantined
ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from engine.errors import AllRowsQuarantined, SourceError, SpecError
from engine.expressions import compile_expression
from engine.quarantine import ROW_ID, ROW_ISSUE_SCHEMA, issues_frame, split_rows, top_rules, validate_rows
from engine.survey_files import join_row_column, read_survey_files, read_value_labels
from engine.survey_spec import WASHINGTON_GROUP_LEVELS, Mapping, SurveySpec, check_against_columns
from engine.typed_columns import code_key, convert, convert_number
from schemas.fields import Field
from schemas.resources import survey as sv
from schemas.tables import polars_dtype

SINGLE_STRATUM = "all"
# A design variable the spec maps must be given on every row: a person without a stratum or
# PSU cannot be placed in the variance estimation (absent ones get the defaults of 1.2).
DESIGN_IDS = ("stratum", "psu")
DESIGN_ID_RULE = "design_id_present"
REQUIRED_RULE = "not_nullable"  # the rule name Pandera gives a missing required value
KEY_SEPARATOR = "/"  # between the parts of an id composed by `key: [...]` (as nested PSUs)
SPREAD_RULE = "household_value_unique"
JOIN_RULE = "join_match"
# A Washington Group item answered with a code that is not a difficulty level 1-4.
WG_ITEM_RULE = "washington_group_level"
# A benefit amount above 0 for a person whose receipt flag says "no": the file contradicts itself.
AMOUNT_RECEIPT_RULE = "amount_without_receipt"


@dataclass(frozen=True)
class IngestedSurvey:
    """Result of reading, harmonising and validating one survey."""

    spec: SurveySpec
    rows_read: int
    persons: pl.DataFrame  # kept rows, canonical columns only
    quarantine: pl.DataFrame  # row issues (one row per broken rule), issue layout
    quarantined_rows: int

    @property
    def rows_kept(self) -> int:
        """Number of persons kept (rows that broke no rule)."""
        return self.persons.height

    def require_rows_kept(self, shown_file: str) -> None:
        """Raise ``AllRowsQuarantined`` when no row was kept (a survey without persons cannot be
        estimated), naming the most frequent rules, e.g. "14,612 of 14,612 rows quarantined:
        code_not_in_spec on sex (14,612)".
        """
        if self.rows_kept == 0:
            raise AllRowsQuarantined(
                shown_file,
                f"{self.quarantined_rows:,} of {self.rows_read:,} rows quarantined: {top_rules(self.quarantine)}",
                rule="rows_kept",
            )


def _text_of(col: str, dtype: pl.DataType) -> pl.Expr:
    """Source values as text, as the file gives them: trimmed, null when empty or NaN; whole
    floats without their ``.0`` (a Stata or Parquet 1.0 is the id or code 1).
    """
    c = pl.col(col)
    if dtype.is_float():
        whole = (
            c.is_finite() & (c.abs() < 2.0**63) & (c == c.round(0))
        )  # inf and 1e308 stay as written, for the finite rule
        return (
            pl.when(c.is_nan())
            .then(None)
            .when(whole)
            .then(c.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(c.cast(pl.String))
        )
    if dtype == pl.Boolean:
        return pl.when(c).then(pl.lit("true")).when(~c).then(pl.lit("false"))
    if dtype == pl.String:
        text = c.str.strip_chars()
        return pl.when(text == "").then(None).otherwise(text)
    return c.cast(pl.String)


# Source types whose stored value alone decides how a code compares (``code_key``), so that codes
# are compared as numbers and numbers are read without text: every integer type that Int64
# holds, and Float64 (a Float32 reads through its shortest text, a UInt64 beyond 2^63 as a float).
INTEGER_TYPES = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32)


def _unsigned_zero(number: pl.Expr, dtype: pl.DataType | None = None) -> pl.Expr:
    """``number`` with -0.0 read as 0.0, as its text (``0``) reads (Polars keeps -0.0 + 0.0)."""
    return pl.when(number == 0).then(pl.lit(0.0, dtype=dtype or pl.Float64)).otherwise(number)


class _Source:
    """The source columns of ``frame`` as the mappings read them: text (``_text_of``), code
    (``code_key``) and missing values, without turning every value into text where the column's
    type allows. ``frame`` holds the rows, or the distinct values of one column (``_by_value``).
    """

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self._stored: dict[tuple[str, tuple[str, ...]], list[Any]] = {}

    def dtype(self, col: str) -> pl.DataType:
        return self.frame.schema[col]

    def text(self, col: str) -> pl.Expr:
        """The value as the file gives it (``_text_of``)."""
        return _text_of(col, self.dtype(col))

    def key(self, col: str) -> pl.Expr:
        """The value as a code (``code_key``)."""
        return code_key(pl.col(col))

    def is_missing(self, col: str, missing: tuple[str, ...]) -> pl.Expr:
        """True where the value of ``col`` is missing: null, empty, NaN, or one of the spec's
        ``missing`` codes compared as codes (``code_key``). Numbers and text are compared with
        the stored values that are those codes (``stored_values``), not through text.
        """
        dtype, c = self.dtype(col), pl.col(col)
        if dtype in INTEGER_TYPES:
            blank = c.is_null()
        elif dtype.is_float():
            blank = c.is_null() | c.is_nan()
        elif dtype == pl.String and NUMBER_PREFIX + col in self.frame.columns:
            blank = pl.col(EMPTY_PREFIX + col) | pl.col(NUMBER_PREFIX + col).is_nan().fill_null(False)
        elif dtype == pl.String:
            text = c.str.strip_chars()
            blank = c.is_null() | (text == "") | text.cast(pl.Float64, strict=False).is_nan().fill_null(False)
        else:
            key = self.key(col)
            return key.is_null() | key.is_in(list(missing)) if missing else key.is_null()
        return blank | c.is_in(self.stored_values(col, missing)) if missing else blank

    def stored_values(self, col: str, codes: tuple[str, ...]) -> list[Any]:
        """The values of ``col`` (as stored) whose ``code_key`` is one of ``codes``. Candidates
        are the values that read as the same number as a code (``code_key`` keeps a number's
        value) and, in a text column, the values that read as no number; each is then checked
        with ``code_key`` itself, so the comparison is exactly ``code_key(value) in codes``.
        """
        cached = self._stored.get((col, codes))
        if cached is not None:
            return cached
        dtype = self.dtype(col)
        given = pl.Series(list(codes), dtype=pl.String).str.strip_chars()
        if dtype == pl.String:
            targets = pl.select(_unsigned_zero(pl.lit(given.cast(pl.Float64, strict=False).drop_nulls().drop_nans())))
            read = NUMBER_PREFIX + col  # the text read once (_read_text_columns)
            parsed = (
                pl.col(read)
                if read in self.frame.columns
                else pl.col(col).str.strip_chars().cast(pl.Float64, strict=False)
            )
            number = _unsigned_zero(parsed)
            candidates = (
                self.frame.lazy()
                .filter(number.is_null() | number.is_in(targets.to_series().implode()))
                .select(col)
                .unique()
                .collect()
                .to_series()
            )
        else:
            candidates = pl.concat(
                [
                    given.cast(pl.Int64, strict=False).cast(dtype, strict=False),
                    given.cast(pl.Float64, strict=False).cast(dtype, strict=False),
                ]
            ).drop_nulls()
            if dtype.is_float():  # -0.0 is the code 0 too
                candidates = pl.concat([candidates, -candidates]).unique()
        keys = pl.DataFrame({col: candidates}).select(code_key(pl.col(col))).to_series()
        stored = candidates.filter(keys.is_in(list(codes)).fill_null(False)).to_list()
        self._stored[(col, codes)] = stored
        return stored


NUMBER_PREFIX = "__number_"
EMPTY_PREFIX = "__empty_"


def _read_text_columns(frame: pl.DataFrame, columns: set[str]) -> pl.DataFrame:
    """Each text column (CSV) of ``columns`` read once as a number (``NUMBER_PREFIX``: its
    trimmed text as Float64, null where it reads as no number) and as empty or not
    (``EMPTY_PREFIX``: null or blank), so that its typed mappings, missing values and
    expressions do not parse the text again.
    """
    read = {}
    for c in sorted(columns):
        if frame.schema[c] == pl.String:
            read[NUMBER_PREFIX + c], read[EMPTY_PREFIX + c] = _read_text(frame.get_column(c))
    return frame.with_columns(**read) if read else frame


def _read_text(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(number, empty) of a text column: its trimmed text as Float64 (null where it reads as no
    number), and whether it is null or blank. Only the values that do not read as a number as
    written are trimmed (a number has no blanks around it), so the column's text is not copied.
    """
    number = values.cast(pl.Float64, strict=False)
    empty = values.is_null()
    odd = (number.is_null() & ~empty).arg_true()
    if odd.len():
        trimmed = values.gather(odd).str.strip_chars()
        number = number.scatter(odd, trimmed.cast(pl.Float64, strict=False))
        empty = empty.scatter(odd, trimmed == "")
    return number, empty


def _source_key(m: Mapping, src: _Source) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(present, text, code) of the mapping's source variable: present is false where the value
    is missing (missing stays missing: it never reaches a recode); text is the value as the file
    gives it and code its ``code_key``, both null where missing.
    """
    assert m.source is not None
    present = ~src.is_missing(m.source, m.missing)
    return (
        present,
        pl.when(present).then(src.text(m.source)),
        pl.when(present).then(src.key(m.source)),
    )


def _recoded(m: Mapping) -> bool:
    """Whether the mapping recodes its source variable (``codes``, ``classes``, ``in``)."""
    return m.codes is not None or m.classes is not None or m.in_codes is not None


def _by_value(m: Mapping, var: Field, few: set[str]) -> bool:
    """Whether the mapping is evaluated once per distinct value of its source variable
    (``_by_value_table``): recodes, codes and flags read as they are, and ids read from a text
    column of ``few`` values (``_few_values``); not numbers and other ids (nearly as many values
    as rows: read row by row, typed, ``_typed_exprs``). Either way gives the same values: every
    mapping of one source variable is a function of its value.
    """
    if m.source is None:
        return False
    return _recoded(m) or (m.rule is None and (var.kind in ("code", "flag") or m.source in few))


def _few_values(frame: pl.DataFrame, mappings: dict[str, Mapping]) -> set[str]:
    """The text columns read as ids (stratum, PSU, nationality) with at most one distinct value
    in four rows: their text is then handled once per value.
    """
    ids = {m.source for v in sv.MAPPED if v.kind == "id" for m in [mappings[v.name]] if m.source and not _recoded(m)}
    return {c for c in ids if frame.schema[c] == pl.String and frame[c].n_unique() * 4 <= frame.height}


def _by_value_table(frame: pl.DataFrame, col: str, exprs: Any) -> pl.DataFrame:
    """``exprs(src)`` (named expressions over a ``_Source``) evaluated once per distinct value
    of ``col`` and given to each row, in row order: a code column holds a few values, so its
    text, code key, recode and issue are computed a few times instead of once per row. Whole
    numbers within ``DENSE_CODES`` of each other (integers written as text too:
    ``_integer_texts``) are looked up by position (every number from the least to the greatest,
    then null); other values by a join on the value. NaN reads as null and -0.0 as 0.0 for
    every mapping, so they are looked up as such.
    """
    c = pl.col(col)
    dtype = frame.schema[col]
    value = _unsigned_zero(c.fill_nan(None), dtype) if dtype.is_float() else c
    rows = frame.select(value.alias(col))
    integers = _integer_texts(rows.get_column(col)) if dtype == pl.String else None
    if integers is not None:  # the text of integers, as written by the integers themselves
        rows, dtype = integers.to_frame(), pl.Int64()
    span = _whole_span(rows.get_column(col)) if dtype in INTEGER_TYPES or dtype == pl.Float64 else None
    if span is None:
        table = _value_table(rows.unique(), col, exprs)
        return rows.join(table, on=col, how="left", nulls_equal=True, maintain_order="left").drop(col)
    low, high = span
    numbers = pl.int_range(low, high + 1, eager=True).cast(dtype)
    table = _value_table(pl.DataFrame({col: pl.concat([numbers, pl.Series([None], dtype=dtype)])}), col, exprs)
    position = rows.select((c.cast(pl.Int64) - low).fill_null(high - low + 1)).to_series()
    return table.drop(col).select(pl.all().gather(position))


DENSE_CODES = 1 << 16


def _integer_texts(values: pl.Series) -> pl.Series | None:
    """``values`` (text) as Int64 when each is an integer written as Polars writes it (``0``,
    ``-12``: no sign, blank or leading zero more): every mapping then reads the same text, code
    and number from the integer (a CSV code column of ``1``, ``2``, ... is looked up by
    position); None otherwise.
    """
    numbers = values.cast(pl.Int64, strict=False)
    if numbers.null_count() != values.null_count():
        return None
    return numbers if values.drop_nulls().str.contains(r"^(0|-?[1-9][0-9]*)$").all() else None


def _whole_span(values: pl.Series) -> tuple[int, int] | None:
    """(least, greatest) of ``values`` when they are whole numbers within ``DENSE_CODES`` of
    each other (nulls aside), else None.
    """
    given = values.drop_nulls()
    if given.is_empty() or (values.dtype.is_float() and not (given.is_finite() & (given == given.floor())).all()):
        return None
    low, high = given.min(), given.max()
    if not (isinstance(low, int | float) and isinstance(high, int | float)):
        return None
    if high - low >= DENSE_CODES or max(abs(low), abs(high)) >= 2**53:  # positions and numbers stay exact
        return None
    return int(low), int(high)


def _value_table(distinct: pl.DataFrame, col: str, exprs: Any) -> pl.DataFrame:
    """``exprs`` on the values of ``distinct``; issue columns without an issue on any value are
    left out (``_column_or_null``).
    """
    table = distinct.select(pl.col(col), *exprs(_Source(distinct)))
    return table.select(
        n for n in table.columns if not (n.startswith(OPTIONAL_PREFIXES) and table[n].null_count() == table.height)
    )


def _column_or_null(frame: pl.DataFrame, name: str) -> pl.Expr:
    """The column ``name`` of a ``_by_value_table``, or null text where it was left out."""
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype=pl.String)


VALUE_PREFIX = "__value_"
ISSUE_PREFIX = "__issue_"
SHOWN_PREFIX = "__shown_"
LEVEL_PREFIX = "__level_"
ITEM_PREFIX = "__item_"
OPTIONAL_PREFIXES = (ISSUE_PREFIX, SHOWN_PREFIX, ITEM_PREFIX)


def _mapping_exprs(m: Mapping, var: Field, src: _Source, spec: SurveySpec) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(canonical value, issue rule or null, source value shown in the quarantine)."""
    none = pl.lit(None, dtype=pl.String)
    if m.absent:
        return pl.lit(None, dtype=polars_dtype(var)).alias(var.name), none, none
    if m.has_value:
        value = pl.lit(m.value)
        converted, _ = convert(value, value, var)
        return _scaled(converted, m, var, spec).alias(var.name), none, none
    if m.generate is not None:  # row_in_household is numbered once hh_id is known (_generated_ids)
        value = pl.col(ROW_ID).cast(pl.String) if m.generate == "row_number" else none
        return value.alias(var.name), none, none
    if m.items is not None:
        return _washington_group(m, var, src.frame)
    if m.expr is not None:
        converted, issue, present, expr = _expression_exprs(m, var, src)
    elif m.key is not None:
        converted, issue, present, expr = _key_exprs(m, var, src)
    else:
        read = _source_exprs if _recoded(m) else _typed_exprs
        converted, issue, present, expr = read(m, var, src)
    if var.required and var.nullable:  # e.g. age: given in years or in classes, never missing
        given = present if m.classes is not None else converted.is_not_null()
        issue = pl.when(issue.is_null() & ~given).then(pl.lit(REQUIRED_RULE)).otherwise(issue)
    if var.name in DESIGN_IDS:
        issue = pl.when(converted.is_null()).then(pl.lit(DESIGN_ID_RULE)).otherwise(issue)
        if m.source is not None:  # show the code read as missing, not the resulting null
            expr = src.text(m.source)
    return _scaled(converted, m, var, spec).alias(var.name), issue, expr.cast(pl.String)


def _key_exprs(m: Mapping, var: Field, src: _Source) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(id, issue rule or null, value present, value shown) of an id composed of several source
    variables (``key: [...]``): their texts joined by ``KEY_SEPARATOR``, null when one is missing.
    """
    assert m.key is not None
    parts = [pl.when(~src.is_missing(c, m.missing)).then(src.text(c)) for c in m.key]
    expr = pl.concat_str(parts, separator=KEY_SEPARATOR)
    converted, issue = convert(expr, expr, var)
    return converted, issue, expr.is_not_null(), expr


def _expression_exprs(m: Mapping, var: Field, src: _Source) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(canonical value, issue rule or null, value present, value shown) of a variable given by
    an expression (evaluated beforehand into ``EXPR_PREFIX + name``); a source variable the
    expression reads as a number that does not parse is a ``type_number`` issue.
    """
    schema = src.frame.schema
    numeric = [c for c in m.source_columns() if c + NUMERIC_SUFFIX in schema]
    expr = pl.col(EXPR_PREFIX + var.name)
    dtype = schema[EXPR_PREFIX + var.name]
    if var.kind == "flag" and dtype == pl.Boolean:  # true/false: the flag itself
        converted, issue = expr, pl.lit(None, dtype=pl.String)
    elif var.kind in ("int", "float") and (dtype in INTEGER_TYPES or dtype == pl.Float64):  # a number: no text
        converted, issue = convert_number(expr.cast(pl.Float64), expr.is_not_null(), var)
    else:
        converted, issue = convert(expr, expr.cast(pl.String), var)
    for c in numeric:
        given = ~pl.col(EMPTY_PREFIX + c)  # a numeric view is of a text column (_read_text_columns)
        unparsed = given & pl.col(c + NUMERIC_SUFFIX).is_null() & ~src.is_missing(c, m.missing)
        issue = pl.when(unparsed).then(pl.lit("type_number")).otherwise(issue)
    present = converted.is_not_null()
    return converted, issue, present, expr


def _source_exprs(m: Mapping, var: Field, src: _Source) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(canonical value, issue rule or null, value present, source value shown) of a variable
    read from one source variable through ``codes``, ``classes`` or ``in`` (evaluated once per
    distinct value: ``_by_value_table``).
    """
    none = pl.lit(None, dtype=pl.String)
    present, text, key = _source_key(m, src)
    shown = text
    if m.codes is not None:
        keys = list(m.codes)
        mapped = key.replace_strict(
            keys,
            [m.codes[k] for k in keys],
            default=m.other,
            return_dtype=polars_dtype(var) if var.kind in ("flag", "code", "id") else None,
        )
        unmapped = present & ~key.is_in(keys) & pl.lit(m.other is None)
        converted, issue = convert(pl.when(present).then(mapped), pl.when(~unmapped).then(text), var)
        issue = pl.when(unmapped).then(pl.lit("code_not_in_spec")).otherwise(issue)
    elif m.classes is not None:  # single years missing; the class goes to age_class
        converted = pl.lit(None, dtype=polars_dtype(var))
        issue = pl.when(present & ~key.is_in(list(m.classes))).then(pl.lit("code_not_in_spec"))
    else:
        assert m.in_codes is not None
        converted = pl.when(present).then(key.is_in(list(m.in_codes)))
        issue = none
    return converted, issue, present, shown


def _typed_exprs(m: Mapping, var: Field, src: _Source) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(canonical value, issue rule or null, value present, source value shown) of a variable
    read as it is (or by ``rule: positive``) from one source variable, row by row: a number
    column (``INTEGER_TYPES``, Float64) is read as the number it stores (its text reads back as
    that number; -0.0 as 0.0), an integer id is the integer's digits; a text column (CSV) as
    the number its text reads as, parsed once (``_read_text_columns``). The text is only
    computed for the rows shown in the quarantine.
    """
    assert m.source is not None
    col = pl.col(m.source)
    dtype = src.dtype(m.source)
    present = ~src.is_missing(m.source, m.missing)
    shown = pl.when(present).then(src.text(m.source))
    number: pl.Expr | None = None
    if dtype in INTEGER_TYPES:
        number = pl.when(present).then(col.cast(pl.Float64))
    elif dtype == pl.Float64:
        number = pl.when(present).then(_unsigned_zero(col))
    elif NUMBER_PREFIX + m.source in src.frame.columns:  # text read once (_read_text_columns)
        number = pl.when(present).then(pl.col(NUMBER_PREFIX + m.source))
        if m.rule == "positive":  # a value that reads as no number is an issue
            return number > 0, pl.when(present & number.is_null()).then(pl.lit("type_number")), present, shown
    if m.rule == "positive":
        if number is None:  # text: a value that reads as no number is an issue
            number = shown.cast(pl.Float64, strict=False)
            return (
                number > 0,
                pl.when(shown.is_not_null() & number.is_null()).then(pl.lit("type_number")),
                present,
                shown,
            )
        return number > 0, pl.lit(None, dtype=pl.String), present, shown
    if var.kind == "id" and dtype in INTEGER_TYPES:
        return pl.when(present).then(col.cast(pl.String)), pl.lit(None, dtype=pl.String), present, shown
    if number is None or var.kind not in ("int", "float"):
        converted, issue = convert(shown, shown, var)
    else:
        converted, issue = convert_number(number, present, var)
    return converted, issue, present, shown


def _scaled(converted: pl.Expr, m: Mapping, var: Field, spec: SurveySpec) -> pl.Expr:
    """A number times the mapping's ``scale`` and, for money amounts, the spec's amounts_period
    factor (to annual values).
    """
    scale = (m.scale or 1) * (spec.amounts_factor if var.name in sv.AMOUNTS else 1)
    return converted * scale if scale != 1 and var.kind in ("float", "int") else converted


def _washington_group(m: Mapping, var: Field, frame: pl.DataFrame) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The highest difficulty level over the items (``washington_group`` form): null when an item
    is missing (null, empty or a ``missing`` code); an item answered outside 1-4 is an issue
    (``washington_group_level``) showing the item and its value. Each item's level is read once
    per distinct value (``_item_level``).
    """
    assert m.items is not None
    levels = [pl.col(LEVEL_PREFIX + c) for c in m.items]
    items = [_column_or_null(frame, ITEM_PREFIX + c) for c in m.items]
    bad = pl.any_horizontal([i.is_not_null() for i in items])
    shown = pl.coalesce(items)
    highest = pl.when(pl.all_horizontal([v.is_not_null() for v in levels])).then(pl.max_horizontal(levels))
    return highest.alias(var.name), pl.when(bad).then(pl.lit(WG_ITEM_RULE)), shown


def _item_level(col: str, missing: tuple[str, ...], src: _Source) -> list[pl.Expr]:
    """A Washington Group item's level (``LEVEL_PREFIX``: 1-4, null when missing or not a level)
    and, where it is answered outside 1-4, the item and its code (``ITEM_PREFIX``).
    """
    key = pl.when(~src.is_missing(col, missing)).then(src.key(col))
    bad = key.is_not_null() & ~key.is_in(list(WASHINGTON_GROUP_LEVELS))
    return [
        pl.when(~bad).then(key.cast(pl.Int64, strict=False)).alias(LEVEL_PREFIX + col),
        pl.when(bad).then(pl.lit(f"{col}=") + key).alias(ITEM_PREFIX + col),
    ]


def _amount_receipt_issues(canonical: pl.DataFrame, spec: SurveySpec) -> pl.DataFrame:
    """Rows whose benefit amount is above 0 while the receipt flag of the same function is false
    (rule ``amount_without_receipt``, on the amount column). A recipient without an amount (missing
    or 0) is kept: he or she counts as covered, and adequacy uses recipients with an amount > 0.
    """
    pairs = [
        (a, r) for a, r in sv.AMOUNT_RECEIPT.items() if not spec.mappings[a].absent and not spec.mappings[r].absent
    ]
    if not pairs:
        return pl.DataFrame(schema=ROW_ISSUE_SCHEMA)
    return pl.concat(
        [
            canonical.filter((pl.col(a) > 0) & (pl.col(r) == False)).select(  # noqa: E712 (three-valued: null is not "no")
                pl.col(ROW_ID).cast(pl.Int64).alias("row_number"),
                pl.lit(a).alias("column"),
                pl.lit(AMOUNT_RECEIPT_RULE).alias("rule"),
                (pl.lit(f"{r}=false {a}=") + pl.col(a).cast(pl.String)).alias("value"),
            )
            for a, r in pairs
        ]
    ).cast(ROW_ISSUE_SCHEMA)


def _age_class(m: Mapping, src: _Source) -> pl.Expr:
    """``age_class`` ('<low>_<high>') from an age mapping with ``classes``."""
    assert m.classes is not None
    _, _, key = _source_key(m, src)
    keys = list(m.classes)
    return key.replace_strict(keys, [m.classes[k] for k in keys], default=None, return_dtype=pl.String)


def _with_labels(m: Mapping, labels: dict[str, dict[str, str]], spec: SurveySpec) -> Mapping:
    """``m`` with every code it names by its value label (Stata, SPSS) replaced by the stored
    codes carrying that label (compared without case); a code that is no label is kept as it
    is. ``codes``, ``in``, ``missing`` and ``classes`` may name labels.
    """
    column = labels.get(m.source) if m.source is not None else None
    if not column:
        return m
    by_label: dict[str, list[str]] = {}
    for code, label in column.items():
        by_label.setdefault(label.strip().casefold(), []).append(code)

    def stored(code: str) -> list[str]:
        return [code, *(s for s in by_label.get(code.casefold(), []) if s != code)]

    def expand(mapping: dict[str, Any], key: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        named: dict[str, str] = {}
        for code, target in mapping.items():
            for s in stored(code):
                if out.get(s, target) != target:
                    raise SpecError(
                        str(spec.path),
                        f"the spec names the stored code {s} twice, as {named[s]!r} (-> {out[s]!r}) and as {code!r} (-> {target!r}): "
                        "name a code by its value or by its label, once",
                        where=f"variables.{m.target}.{key}",
                        value=code,
                        rule="mapping_form",
                    )
                out[s], named[s] = target, code
        return out

    return replace(
        m,
        codes=None if m.codes is None else expand(m.codes, "codes"),
        classes=None if m.classes is None else expand(m.classes, "classes"),
        in_codes=None if m.in_codes is None else tuple(s for c in m.in_codes for s in stored(c)),
        missing=tuple(s for c in m.missing for s in stored(c)),
    )


NUMERIC_SUFFIX = "__num"
EXPR_PREFIX = "__expr_"


def _numeric_view(raw: pl.DataFrame, columns: list[str]) -> list[pl.Series]:
    """Numeric copies (``<col>__num``) of the text columns used in expressions whose values are
    mostly numbers, so that ``x > 0`` works on CSV input (read as text) as on Stata or Parquet
    input. A value that does not parse in such a column is null in the copy, and the row is
    quarantined (``type_number``) for every variable whose expression reads it.
    """
    exprs = []
    for col in columns:
        if raw.schema[col] == pl.String:
            if NUMBER_PREFIX + col in raw.columns:  # read once (_read_text_columns)
                number, empty = raw[NUMBER_PREFIX + col], raw[EMPTY_PREFIX + col]
            else:
                text = raw[col].str.strip_chars()
                number, empty = text.cast(pl.Float64, strict=False), text.is_null() | (text == "")
            present, parsed = (~empty).sum(), number.is_not_null().sum()
            if present and parsed * 2 > present:
                exprs.append(number.alias(col + NUMERIC_SUFFIX))
    return exprs


def _evaluate_expressions(frame: pl.DataFrame, spec: SurveySpec, src: _Source) -> list[pl.Series]:
    """Each ``expr`` mapping evaluated on the source columns (numeric copies where they exist,
    the mapping's ``missing`` codes nulled), as a column ``__expr_<variable>``.
    """
    out = []
    for name, m in spec.mappings.items():
        if m.expr is None:
            continue
        inputs = [
            pl.when(src.is_missing(c, m.missing))
            .then(None)
            .otherwise(pl.col(c + NUMERIC_SUFFIX) if c + NUMERIC_SUFFIX in frame.columns else pl.col(c))
            .alias(c)
            for c in m.source_columns()
        ]
        view = frame.with_columns(inputs)
        try:
            out.append(view.select(compile_expression(m.expr).polars.alias(EXPR_PREFIX + name)).to_series())
        except pl.exceptions.PolarsError as exc:
            raise SpecError(
                str(spec.path),
                f"expression cannot be evaluated on the data: {exc}".split("\n")[0],
                where=f"variables.{name}",
                value=m.expr,
                rule="expression",
            ) from None
    return out


def _value_columns(
    frame: pl.DataFrame, mappings: dict[str, Mapping], spec: SurveySpec, few: set[str]
) -> list[pl.DataFrame]:
    """The mappings evaluated once per distinct value of their source variable (``_by_value``),
    one ``_by_value_table`` per source variable: columns ``VALUE_PREFIX``, ``ISSUE_PREFIX`` and
    ``SHOWN_PREFIX`` + variable (the value shown on the rows with an issue only), the age class,
    and the Washington Group items' levels (``_item_level``).
    """
    reads: dict[str, list[Field]] = {}
    items: dict[str, tuple[str, ...]] = {}
    for var in sv.MAPPED:
        m = mappings[var.name]
        if _by_value(m, var, few):
            assert m.source is not None
            reads.setdefault(m.source, []).append(var)
        for c in m.items or ():
            items[c] = m.missing
            reads.setdefault(c, [])

    def exprs(col: str) -> Any:
        def evaluate(src: _Source) -> list[pl.Expr]:
            out = []
            for var in reads[col]:
                m = mappings[var.name]
                value, issue, shown = _mapping_exprs(m, var, src, spec)
                out += [
                    value.alias(VALUE_PREFIX + var.name),
                    issue.alias(ISSUE_PREFIX + var.name),
                    pl.when(issue.is_not_null()).then(shown).alias(SHOWN_PREFIX + var.name),
                ]
                if m.classes is not None:
                    out.append(_age_class(m, src).alias(VALUE_PREFIX + "age_class"))
            if col in items:
                out += _item_level(col, items[col], src)
            return out

        return evaluate

    return [_by_value_table(frame, col, exprs(col)) for col in sorted(reads)]


def harmonise_survey(
    raw: pl.DataFrame, spec: SurveySpec, labels: dict[str, dict[str, str]] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Map ``raw`` (read by ``read_survey_files``) onto canonical columns; ``labels`` are the
    value labels of its variables (``read_value_labels``), by which codes may be named.
    Returns (canonical frame with ``__row``, issues with ``row_number, column, rule, value``).
    Codes are mapped once per distinct value of their column (``_by_value``), numbers and ids
    row by row from the column's type (``_typed_exprs``): only the values shown in the
    quarantine are turned into text.
    """
    check_against_columns(spec, dict(raw.schema))
    mappings = {name: _with_labels(m, labels or {}, spec) for name, m in spec.mappings.items()}
    expr_cols = sorted({c for m in spec.mappings.values() if m.expr for c in m.source_columns()})
    few = _few_values(raw, mappings)
    by_row = {
        c
        for v in sv.MAPPED
        if not _by_value(mappings[v.name], v, few) and mappings[v.name].items is None
        for c in mappings[v.name].source_columns()
    }
    frame = _read_text_columns(raw.with_row_index(ROW_ID, offset=1), by_row)
    frame = frame.with_columns(_numeric_view(frame, expr_cols))
    src = _Source(frame)
    frame = frame.with_columns(_evaluate_expressions(frame, spec, src))
    frame = pl.concat([frame, *_value_columns(frame, mappings, spec, few)], how="horizontal")
    src.frame = frame  # the same source columns, with the expressions' values

    values, column_issues = [], []
    for var in sv.MAPPED:
        m = mappings[var.name]
        if _by_value(m, var, few):
            value = pl.col(VALUE_PREFIX + var.name).alias(var.name)
            issue, shown = (
                _column_or_null(frame, ISSUE_PREFIX + var.name),
                _column_or_null(frame, SHOWN_PREFIX + var.name),
            )
        else:
            value, issue, shown = _mapping_exprs(m, var, src, spec)
        values.append(value)
        # the rows with an issue only (a table of every row x column would hold rows x columns)
        column_issues.append(
            frame.lazy()
            .with_columns(issue.alias("rule"))
            .filter(pl.col("rule").is_not_null())
            .select(
                pl.col(ROW_ID).cast(pl.Int64).alias("row_number"),
                pl.lit(var.name).alias("column"),
                "rule",
                shown.cast(pl.String).alias("value"),
            )
        )
    issues = pl.concat(column_issues).collect()

    age_class = VALUE_PREFIX + "age_class"
    canonical = frame.select(
        pl.col(ROW_ID),
        pl.lit(spec.survey_id).alias("survey_id"),
        pl.lit(spec.country).alias("country"),
        pl.lit(spec.year, dtype=pl.Int64).alias("year"),
        pl.lit(spec.kind).alias("survey_kind"),
        *values,
        (pl.col(age_class) if age_class in frame.columns else pl.lit(None, dtype=pl.String)).alias("age_class"),
        pl.col(ROW_ID).cast(pl.Int64).alias("source_row"),
    )
    canonical = _generated_ids(canonical, spec)
    canonical, spread_issues = _spread(canonical, spec)
    canonical = _design_defaults(canonical, spec)
    canonical = _household_size(canonical)
    # after the household values are spread: a receipt flag given on the head's row only counts for every member
    issues = pl.concat(
        [issues, _join_issues(frame, spec), spread_issues, _amount_receipt_issues(canonical, spec)],
        how="vertical_relaxed",
    )
    return canonical.select(ROW_ID, *sv.COLUMN_ORDER), issues


def _generated_ids(frame: pl.DataFrame, spec: SurveySpec) -> pl.DataFrame:
    """``person_id: {generate: row_in_household}``: 1, 2, ... within the household, in file
    order (missing where the household id is).
    """
    if spec.mappings["person_id"].generate != "row_in_household":
        return frame
    number = pl.col(ROW_ID).rank("ordinal").over("hh_id").cast(pl.String)
    return frame.with_columns(pl.when(pl.col("hh_id").is_not_null()).then(number).alias("person_id"))


def _spread(frame: pl.DataFrame, spec: SurveySpec) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``spread: household``: every member gets the one value its household's rows carry (the
    household file's value on the head's row only, for instance). A household whose rows carry
    different values has all its rows quarantined (rule ``household_value_unique``).
    """
    names = [n for n, m in spec.mappings.items() if m.spread == "household"]
    if not names:
        return frame, pl.DataFrame(schema=ROW_ISSUE_SCHEMA)
    in_household = pl.col("hh_id").is_not_null()
    distinct = {n: pl.col(n).drop_nulls().n_unique().over("hh_id") for n in names}
    issues = pl.concat(
        [
            frame.filter(in_household & (distinct[n] > 1)).select(
                pl.col(ROW_ID).cast(pl.Int64).alias("row_number"),
                pl.lit(n).alias("column"),
                pl.lit(SPREAD_RULE).alias("rule"),
                pl.col(n).cast(pl.String).alias("value"),
            )
            for n in names
        ]
    )
    spread = [
        pl.when(in_household & (distinct[n] == 1))
        .then(pl.col(n).drop_nulls().first().over("hh_id"))
        .otherwise(pl.col(n))
        .alias(n)
        for n in names
    ]
    return frame.with_columns(spread), issues.cast(ROW_ISSUE_SCHEMA)


def _join_issues(frame: pl.DataFrame, spec: SurveySpec) -> pl.DataFrame:
    """Rows without their row in a required joined file (rule ``join_match``), shown by their
    key and the file.
    """
    out = [pl.DataFrame(schema=ROW_ISSUE_SCHEMA)]
    for joined in spec.joins:
        if not joined.required:
            continue
        keys = [a for a, _ in joined.on]
        out.append(
            frame.filter(pl.col(join_row_column(joined)).is_null()).select(
                pl.col(ROW_ID).cast(pl.Int64).alias("row_number"),
                pl.lit("+".join(keys)).alias("column"),
                pl.lit(JOIN_RULE).alias("rule"),
                (
                    pl.concat_str([_text_of(k, frame.schema[k]).fill_null("") for k in keys], separator=KEY_SEPARATOR)
                    + pl.lit(f" not in {joined.path.name}")
                ).alias("value"),
            )
        )
    return pl.concat(out)


def _household_size(frame: pl.DataFrame) -> pl.DataFrame:
    """``hh_size``: the household's rows in the source file, counted before validation, so that
    a member quarantined later still counts (null where the household id is missing).
    """
    size = pl.len().over("hh_id").cast(pl.Int64)
    return frame.with_columns(pl.when(pl.col("hh_id").is_not_null()).then(size).alias("hh_size"))


def _design_defaults(frame: pl.DataFrame, spec: SurveySpec) -> pl.DataFrame:
    """Documented defaults for absent design variables and PSU nesting (input contract 1.2)."""
    absent = set(spec.absent)
    exprs = []
    if "household_weight" in absent:
        exprs.append(pl.col("person_weight").alias("household_weight"))
    if "stratum" in absent:
        exprs.append(pl.lit(SINGLE_STRATUM).alias("stratum"))
    frame = frame.with_columns(exprs) if exprs else frame
    # after the stratum default: nesting PSUs in an absent stratum must not null them
    if "psu" in absent:
        return frame.with_columns(pl.concat_str(["hh_id", "person_id"], separator="/").alias("psu"))
    if spec.psu_nested_in_strata:
        return frame.with_columns(pl.concat_str(["stratum", "psu"], separator="/").alias("psu"))
    return frame


def ingest_survey(
    spec: SurveySpec,
    raw: pl.DataFrame | None = None,
    *,
    labels: dict[str, dict[str, str]] | None = None,
    source_file: str | None = None,
) -> IngestedSurvey:
    """Harmonise the survey's raw table and validate every row. ``raw`` and ``labels`` are read
    from the survey's files when None (``read_survey_files``, ``read_value_labels``).

    Raises ``SourceError``/``SpecError`` for structural problems; returns kept rows and the
    quarantine otherwise. ``source_file`` is the path shown in the quarantine (defaults to the
    data file path).
    """
    if raw is None:
        raw = read_survey_files(spec)
    if labels is None:
        labels = read_value_labels(spec)
    shown_file = source_file or str(spec.data_file)
    if raw.height == 0:
        raise SourceError(shown_file, "the data file has no data rows", rule="rows_read")
    canonical, conversion_issues = harmonise_survey(raw, spec, labels)
    rule_issues = validate_rows(canonical, sv.PERSONS.pandera({ROW_ID: pl.UInt32()}), file=shown_file)
    # A value that failed conversion is null in the canonical frame; report the conversion,
    # not the resulting null.
    all_issues = (
        pl.concat([conversion_issues, rule_issues], how="vertical_relaxed")
        .unique(subset=["row_number", "column"], keep="first", maintain_order=True)
        .sort("row_number", "column")
    )
    kept, quarantined = split_rows(canonical, all_issues)
    return IngestedSurvey(
        spec=spec,
        rows_read=raw.height,
        persons=kept.drop(ROW_ID),
        quarantine=issues_frame(all_issues, source_kind="survey", source_id=spec.survey_id, source_file=shown_file),
        quarantined_rows=quarantined.height,
    )
