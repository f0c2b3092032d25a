"""Test oracle: ``engine/harmonise.py`` as it was on main 7962fad (harmonisation through the text
and code key of every source value), before the typed harmonisation of issue 13. Used only by
tests/test_harmonise_typed.py, which checks that the engine's typed path gives the same canonical
table, quarantine and errors on the bundled surveys and on adversarial inputs. Do not change it:
it is the reference the engine is compared with.
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
from engine.typed_columns import code_key, convert
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


TEXT_PREFIX = "__text_"
KEY_PREFIX = "__key_"


def _source_views(frame: pl.DataFrame, spec: SurveySpec) -> list[pl.Expr]:
    """Each source column the spec reads as text (``_text_of``, column ``__text_<col>``) and as
    code (``code_key``, column ``__key_<col>``), computed once: every mapping, issue and shown
    value below reads these columns (``_as_text``, ``_code``), instead of repeating the string
    conversions inside each expression that needs them (Polars evaluates a repeated
    sub-expression each time it appears).
    """
    columns = sorted(
        {c for m in spec.mappings.values() for c in m.source_columns()} | {a for j in spec.joins for a, _ in j.on}
    )
    return [
        e
        for c in columns
        if c in frame.columns
        for e in (_text_of(c, frame.schema[c]).alias(TEXT_PREFIX + c), code_key(pl.col(c)).alias(KEY_PREFIX + c))
    ]


def _as_text(col: str) -> pl.Expr:
    """The source column as the file gives it (``_text_of``), from ``_source_views``."""
    return pl.col(TEXT_PREFIX + col)


def _code(col: str) -> pl.Expr:
    """The source column's ``code_key``, from ``_source_views``."""
    return pl.col(KEY_PREFIX + col)


def _is_missing(col: str, missing: tuple[str, ...]) -> pl.Expr:
    """True where the source value of ``col`` is missing: null, empty, NaN, or one of the spec's
    ``missing`` codes (compared as codes: ``code_key``).
    """
    key = _code(col)
    return key.is_null() | key.is_in(list(missing)) if missing else key.is_null()


def _source_key(m: Mapping, schema: pl.Schema) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(present, text, code) of the mapping's source variable: present is false where the value
    is missing (missing stays missing: it never reaches a recode); text is the value as the file
    gives it and code its ``code_key``, both null where missing.
    """
    assert m.source is not None
    present = ~_is_missing(m.source, m.missing)
    return (
        present,
        pl.when(present).then(_as_text(m.source)),
        pl.when(present).then(_code(m.source)),
    )


def _mapping_exprs(m: Mapping, var: Field, schema: pl.Schema, spec: SurveySpec) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
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
        return _washington_group(m, var)
    if m.expr is not None:
        converted, issue, present, expr = _expression_exprs(m, var, schema)
    elif m.key is not None:
        parts = [pl.when(~_is_missing(c, m.missing)).then(_as_text(c)) for c in m.key]
        expr = pl.concat_str(parts, separator=KEY_SEPARATOR)
        converted, issue = convert(expr, expr, var)
        present = expr.is_not_null()
    else:
        converted, issue, present, expr = _source_exprs(m, var, schema)
    if var.required and var.nullable:  # e.g. age: given in years or in classes, never missing
        given = present if m.classes is not None else converted.is_not_null()
        issue = pl.when(issue.is_null() & ~given).then(pl.lit(REQUIRED_RULE)).otherwise(issue)
    if var.name in DESIGN_IDS:
        issue = pl.when(converted.is_null()).then(pl.lit(DESIGN_ID_RULE)).otherwise(issue)
        if m.source is not None:  # show the code read as missing, not the resulting null
            expr = _as_text(m.source)
    return _scaled(converted, m, var, spec).alias(var.name), issue, expr.cast(pl.String)


def _expression_exprs(m: Mapping, var: Field, schema: pl.Schema) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(canonical value, issue rule or null, value present, value shown) of a variable given by
    an expression (evaluated beforehand into ``EXPR_PREFIX + name``); a source variable the
    expression reads as a number that does not parse is a ``type_number`` issue.
    """
    numeric = [c for c in m.source_columns() if c + NUMERIC_SUFFIX in schema]
    expr = pl.col(EXPR_PREFIX + var.name)
    converted, issue = convert(expr, expr.cast(pl.String), var)
    for c in numeric:
        unparsed = (
            pl.col(c).is_not_null()
            & (pl.col(c).str.strip_chars() != "")
            & pl.col(c + NUMERIC_SUFFIX).is_null()
            & ~_is_missing(c, m.missing)
        )
        issue = pl.when(unparsed).then(pl.lit("type_number")).otherwise(issue)
    present = converted.is_not_null()
    return converted, issue, present, expr


def _source_exprs(m: Mapping, var: Field, schema: pl.Schema) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(canonical value, issue rule or null, value present, source value shown) of a variable
    read from one source variable: through ``codes``, ``classes``, ``rule``, ``in`` or as it is.
    """
    none = pl.lit(None, dtype=pl.String)
    present, text, key = _source_key(m, schema)
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
    elif m.rule == "positive":
        number = text.cast(pl.Float64, strict=False)
        converted = number > 0
        issue = pl.when(text.is_not_null() & number.is_null()).then(pl.lit("type_number"))
    elif m.in_codes is not None:
        converted = pl.when(present).then(key.is_in(list(m.in_codes)))
        issue = none
    else:
        converted, issue = convert(text, shown, var)
    return converted, issue, present, shown


def _scaled(converted: pl.Expr, m: Mapping, var: Field, spec: SurveySpec) -> pl.Expr:
    """A number times the mapping's ``scale`` and, for money amounts, the spec's amounts_period
    factor (to annual values).
    """
    scale = (m.scale or 1) * (spec.amounts_factor if var.name in sv.AMOUNTS else 1)
    return converted * scale if scale != 1 and var.kind in ("float", "int") else converted


def _washington_group(m: Mapping, var: Field) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The highest difficulty level over the items (``washington_group`` form): null when an item
    is missing (null, empty or a ``missing`` code); an item answered outside 1-4 is an issue
    (``washington_group_level``) showing the item and its value.
    """
    assert m.items is not None
    keys = [pl.when(~_is_missing(c, m.missing)).then(_code(c)) for c in m.items]
    answered = pl.all_horizontal([k.is_not_null() for k in keys])
    bad = [k.is_not_null() & ~k.is_in(list(WASHINGTON_GROUP_LEVELS)) for k in keys]
    highest = pl.max_horizontal([k.cast(pl.Int64, strict=False) for k in keys])
    shown = pl.coalesce([pl.when(b).then(pl.lit(f"{c}=") + k) for b, c, k in zip(bad, m.items, keys, strict=True)])
    issue = pl.when(pl.any_horizontal(bad)).then(pl.lit(WG_ITEM_RULE))
    return pl.when(answered & ~pl.any_horizontal(bad)).then(highest).alias(var.name), issue, shown


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


def _age_class(m: Mapping, schema: pl.Schema) -> pl.Expr:
    """``age_class`` ('<low>_<high>') from an age mapping with ``classes``; else missing."""
    if m.classes is None:
        return pl.lit(None, dtype=pl.String).alias("age_class")
    _, _, key = _source_key(m, schema)
    keys = list(m.classes)
    return key.replace_strict(keys, [m.classes[k] for k in keys], default=None, return_dtype=pl.String).alias(
        "age_class"
    )


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


def _numeric_view(raw: pl.DataFrame, columns: list[str]) -> list[pl.Expr]:
    """Numeric copies (``<col>__num``) of the text columns used in expressions whose values are
    mostly numbers, so that ``x > 0`` works on CSV input (read as text) as on Stata or Parquet
    input. A value that does not parse in such a column is null in the copy, and the row is
    quarantined (``type_number``) for every variable whose expression reads it.
    """
    exprs = []
    for col in columns:
        if raw.schema[col] == pl.String:
            text = raw[col].str.strip_chars()
            present = text.is_not_null() & (text != "")
            parsed = text.cast(pl.Float64, strict=False).is_not_null()
            if present.sum() and parsed.sum() * 2 > present.sum():
                exprs.append(pl.col(col).str.strip_chars().cast(pl.Float64, strict=False).alias(col + NUMERIC_SUFFIX))
    return exprs


def _evaluate_expressions(frame: pl.DataFrame, spec: SurveySpec) -> list[pl.Series]:
    """Each ``expr`` mapping evaluated on the source columns (numeric copies where they exist,
    the mapping's ``missing`` codes nulled), as a column ``__expr_<variable>``. ``frame`` holds
    the columns of ``_source_views``.
    """
    out = []
    for name, m in spec.mappings.items():
        if m.expr is None:
            continue
        inputs = [
            pl.when(_is_missing(c, m.missing))
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


def harmonise_survey(
    raw: pl.DataFrame, spec: SurveySpec, labels: dict[str, dict[str, str]] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Map ``raw`` (read by ``read_survey_files``) onto canonical columns; ``labels`` are the
    value labels of its variables (``read_value_labels``), by which codes may be named.
    Returns (canonical frame with ``__row``, issues with ``row_number, column, rule, value``).
    """
    check_against_columns(spec, dict(raw.schema))
    expr_cols = sorted({c for m in spec.mappings.values() if m.expr for c in m.source_columns()})
    frame = raw.with_row_index(ROW_ID, offset=1).with_columns(_numeric_view(raw, expr_cols))
    frame = frame.with_columns(_source_views(frame, spec))
    frame = frame.with_columns(_evaluate_expressions(frame, spec))
    mappings = {name: _with_labels(m, labels or {}, spec) for name, m in spec.mappings.items()}

    values, column_issues = [], []
    for var in sv.MAPPED:
        value, issue, shown = _mapping_exprs(mappings[var.name], var, frame.schema, spec)
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

    canonical = frame.select(
        pl.col(ROW_ID),
        pl.lit(spec.survey_id).alias("survey_id"),
        pl.lit(spec.country).alias("country"),
        pl.lit(spec.year, dtype=pl.Int64).alias("year"),
        pl.lit(spec.kind).alias("survey_kind"),
        *values,
        _age_class(mappings["age"], frame.schema),
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
                    pl.concat_str([_as_text(k).fill_null("") for k in keys], separator=KEY_SEPARATOR)
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
