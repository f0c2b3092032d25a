"""The closed expression language of ``expr:`` mappings (input contract, data/raw/README.md 1.2).

An expression is parsed by sqlglot into a syntax tree; only the constructs below are accepted,
and the accepted tree is translated here, node by node, into a Polars expression over the
survey's own columns. Nothing else is ever executed: no SQL engine sees the text, so a spec
cannot read a file, open a connection or query a table.

Accepted:
- column references (``age``, ``"Weird name"``), number, text, ``TRUE``/``FALSE`` and ``NULL``
  literals;
- arithmetic ``+ - * / %`` and unary ``-``/``+`` (``/`` is true division), parentheses;
- comparisons ``= <> != < <= > >=``, ``BETWEEN a AND b``;
- ``AND``, ``OR``, ``NOT`` (SQL three-valued logic: a null operand gives null unless the
  other decides);
- ``x IN (literal, ...)`` and ``x NOT IN (...)`` over a list of literals;
- ``x IS NULL``, ``x IS NOT NULL``;
- ``CASE WHEN c THEN v ... [ELSE v] END`` and ``CASE x WHEN a THEN v ... END``;
- the scalar functions of ``FUNCTIONS``.

Everything else (sub-queries, table and file functions such as ``read_csv``, unknown
functions, ``LIKE``, casts, qualified names, parameters, several statements) is refused with
``ExpressionError`` naming the construct. The semantics are those of SQL as Polars SQL
evaluated these expressions before (``tests/test_expressions.py`` compares the two).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
import sqlglot
from sqlglot import exp

from engine.limits import EXPRESSION_MAX_CHARS, EXPRESSION_MAX_TERMS

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then

# Scalar functions: SQL name -> (sqlglot node, arity (min, max), Polars builder).
_UNARY = {
    "ABS": (exp.Abs, lambda a: a.abs()),
    "CEIL": (exp.Ceil, lambda a: a.ceil()),
    "FLOOR": (exp.Floor, lambda a: a.floor()),
    "EXP": (exp.Exp, lambda a: a.exp()),
    "LN": (exp.Ln, lambda a: a.log()),
    "SQRT": (exp.Sqrt, lambda a: a.sqrt()),
    "UPPER": (exp.Upper, lambda a: a.str.to_uppercase()),
    "LOWER": (exp.Lower, lambda a: a.str.to_lowercase()),
    "TRIM": (exp.Trim, lambda a: a.str.strip_chars()),
    "LENGTH": (exp.Length, lambda a: a.str.len_chars()),
}
FUNCTIONS: tuple[str, ...] = tuple(
    sorted((*_UNARY, "ROUND", "LOG10", "POWER", "COALESCE", "LEAST", "GREATEST", "NULLIF"))
)
_FUNCTION_NODES = {node: name for name, (node, _) in _UNARY.items()} | {
    exp.Round: "ROUND",
    exp.Log: "LOG10",
    exp.Pow: "POWER",
    exp.Coalesce: "COALESCE",
    exp.Least: "LEAST",
    exp.Greatest: "GREATEST",
    exp.Nullif: "NULLIF",
}

_BINARY: dict[type, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    exp.Add: lambda a, b: a + b,
    exp.Sub: lambda a, b: a - b,
    exp.Mul: lambda a, b: a * b,
    exp.Div: lambda a, b: a / b,
    exp.Mod: lambda a, b: _remainder(a, b),
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
    exp.And: lambda a, b: a & b,
    exp.Or: lambda a, b: a | b,
}


def _remainder(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """SQL ``a % b``: the sign of ``a`` (truncated division); Polars' ``%`` takes the sign of
    ``b`` (floored division), so the two differ by ``b`` when the signs differ.
    """
    floored = a % b
    return pl.when((floored != 0) & ((a < 0) != (b < 0))).then(floored - b).otherwise(floored)


GRAMMAR_SUMMARY = (
    "column names, literals, + - * / %, = <> < <= > >=, BETWEEN, AND/OR/NOT, IN (literal list), "
    "IS [NOT] NULL, CASE, and the functions " + ", ".join(FUNCTIONS)
)


class ExpressionError(ValueError):
    """An expression outside the language; ``construct`` names what was refused."""

    def __init__(self, construct: str, problem: str):
        self.construct = construct
        super().__init__(problem)


@dataclass(frozen=True)
class CompiledExpression:
    """An accepted expression: the source columns it reads and its Polars translation."""

    text: str
    columns: tuple[str, ...]
    polars: pl.Expr


def compile_expression(text: str) -> CompiledExpression:
    """Parse ``text``, check it against the language and translate it. Raises
    ``ExpressionError`` when it does not parse or uses a construct outside the language.
    """
    if len(text) > EXPRESSION_MAX_CHARS:
        raise ExpressionError("length", f"expression longer than {EXPRESSION_MAX_CHARS} characters")
    try:
        tree = sqlglot.parse_one(text)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError) as exc:
        raise ExpressionError("syntax", f"expression does not parse: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ExpressionError("nesting", "expression nested too deeply") from None
    nodes = list(tree.walk())
    if len(nodes) > EXPRESSION_MAX_TERMS:
        raise ExpressionError("size", f"expression has more than {EXPRESSION_MAX_TERMS} terms")
    columns: set[str] = set()
    polars = _translate(tree, columns)
    return CompiledExpression(text, tuple(sorted(columns)), polars)


def _refuse(node: exp.Expr) -> ExpressionError:
    if isinstance(node, (exp.Subquery, exp.Select, exp.Exists, exp.All, exp.Any, exp.Union, exp.Query)):
        construct = "sub-query"
    elif isinstance(node, exp.Table) or type(node).__name__.startswith("Read"):
        construct = f"table function {node.sql_name() if isinstance(node, exp.Func) else node.sql()}"
    elif isinstance(node, exp.Anonymous):
        construct = f"function {node.name.upper()}()"
    elif isinstance(node, exp.Func):
        construct = f"function {node.sql_name()}()"
    elif isinstance(node, exp.Column):
        construct = f"qualified name {node.sql()}"
    elif isinstance(node, (exp.Placeholder, exp.Parameter)):
        construct = "parameter"
    elif isinstance(node, exp.Block):
        construct = "several statements"
    elif isinstance(node, exp.Star):
        construct = "'*'"
    elif isinstance(node, exp.DPipe):
        construct = "'||' (text concatenation)"
    else:
        construct = node.key.upper()
    shown = node.sql()
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return ExpressionError(
        construct, f"{construct} is not allowed in an expression ({shown}); allowed: {GRAMMAR_SUMMARY}"
    )


def _literal(node: exp.Expr) -> object:  # noqa: C901 (one branch per literal form of the grammar)
    """The Python value of a literal (number, text, boolean, NULL), or raise."""
    if isinstance(node, exp.Paren):
        return _literal(node.this)
    if isinstance(node, exp.Neg):
        value = _literal(node.this)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
        raise _refuse(node)
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.this
        text = node.this
        try:
            value = int(text)
        except ValueError:
            value = float(text)
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            value = float(value)
        if isinstance(value, float) and not math.isfinite(value):
            raise ExpressionError("number", f"number {text} is not finite")
        return value
    raise _refuse(node)


def _is_literal(node: exp.Expr) -> bool:
    try:
        _literal(node)
    except ExpressionError:
        return False
    return True


def _translate(node: exp.Expr, columns: set[str]) -> pl.Expr:  # noqa: C901 (one branch per construct of the grammar)
    t = lambda n: _translate(n, columns)  # noqa: E731
    if isinstance(node, exp.Paren):
        return t(node.this)
    if isinstance(node, exp.Column):
        if node.table or not isinstance(node.this, exp.Identifier):
            raise _refuse(node)
        columns.add(node.name)
        return pl.col(node.name)
    if isinstance(node, (exp.Literal, exp.Boolean, exp.Null)):
        value = _literal(node)
        return pl.lit(value) if value is not None else pl.lit(None)
    if isinstance(node, exp.Neg):
        return -t(node.this)
    if type(node) in _BINARY:
        return _BINARY[type(node)](t(node.this), t(node.expression))
    if isinstance(node, exp.Not):
        return ~t(node.this)
    if isinstance(node, exp.Is):
        if not isinstance(node.expression, exp.Null):
            raise _refuse(node)
        return t(node.this).is_null()
    if isinstance(node, exp.Between):
        value = t(node.this)
        return (value >= t(node.args["low"])) & (value <= t(node.args["high"]))
    if isinstance(node, exp.In):
        return _in(node, columns)
    if isinstance(node, exp.Case):
        return _case(node, columns)
    if isinstance(node, exp.Func) and type(node) in _FUNCTION_NODES:
        return _function(node, columns)
    raise _refuse(node)


def _in(node: exp.In, columns: set[str]) -> pl.Expr:
    """``x IN (a, b)`` as ``x = a OR x = b``: SQL's result, null when x is null."""
    items = node.expressions
    extra = [k for k, v in node.args.items() if v and k not in ("this", "expressions")]
    if extra or not items:
        raise _refuse(node.args[extra[0]] if extra and isinstance(node.args[extra[0]], exp.Expression) else node)
    for item in items:
        if not _is_literal(item) or _literal(item) is None:
            raise ExpressionError("IN", f"IN takes a list of literal values (numbers or text), not {item.sql()}")
    value = _translate(node.this, columns)
    return pl.any_horizontal([value == pl.lit(_literal(item)) for item in items])


def _case(node: exp.Case, columns: set[str]) -> pl.Expr:
    operand = node.this
    chain: Then | ChainedThen | None = None
    for branch in node.args["ifs"]:
        condition = _translate(branch.this, columns)
        if operand is not None:
            condition = _translate(operand, columns) == condition
        then = _translate(branch.args["true"], columns)
        chain = pl.when(condition).then(then) if chain is None else chain.when(condition).then(then)
    default = node.args.get("default")
    if chain is None:  # the parser gives a CASE at least one WHEN
        raise _refuse(node)
    return chain.otherwise(_translate(default, columns) if default is not None else pl.lit(None))


def _function(node: exp.Func, columns: set[str]) -> pl.Expr:
    name = _FUNCTION_NODES[type(node)]
    t = lambda n: _translate(n, columns)  # noqa: E731
    if name in _UNARY:
        extra = [k for k, v in node.args.items() if v and k != "this"]
        if extra:
            raise ExpressionError(f"function {name}()", f"{name}() takes one argument ({node.sql()})")
        return _UNARY[name][1](t(node.this))
    if name == "ROUND":
        decimals = node.args.get("decimals")
        extra = [k for k, v in node.args.items() if v and k not in ("this", "decimals")]
        if extra or (decimals is not None and not isinstance(_literal_or_none(decimals), int)):
            raise ExpressionError("function ROUND()", f"ROUND(x) or ROUND(x, n) with a whole number n ({node.sql()})")
        places = _literal(decimals) if decimals is not None else 0
        assert isinstance(places, int)  # checked above
        return t(node.this).round(places)
    if name == "LOG10":
        base = node.this
        if node.expression is None or _literal_or_none(base) != 10:
            raise ExpressionError("function LOG()", f"only LOG10(x) is accepted ({node.sql()})")
        return t(node.expression).log(10)
    if name == "POWER":
        return t(node.this).pow(t(node.expression))
    if name == "NULLIF":
        value = t(node.this)
        return pl.when(value == t(node.expression)).then(pl.lit(None)).otherwise(value)
    args = [t(node.this), *(t(e) for e in node.expressions)]
    if name == "COALESCE":
        return pl.coalesce(args)
    return pl.min_horizontal(args) if name == "LEAST" else pl.max_horizontal(args)


def _literal_or_none(node: exp.Expr) -> object:
    try:
        return _literal(node)
    except ExpressionError:
        return object()
