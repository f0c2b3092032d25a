"""The closed expression language of ``expr:`` (engine/expressions.py): the accepted constructs
give what Polars SQL gave before (on data with nulls, and on every bundled spec), everything
else is refused naming the construct, and a refused expression never reads a file or opens a
connection."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import polars as pl
import pytest

from engine.errors import SpecError
from engine.expressions import FUNCTIONS, ExpressionError, compile_expression
from engine.harmonise import EXPR_PREFIX, _evaluate_expressions, _numeric_view, _Source
from engine.survey_files import read_survey_files
from engine.survey_spec import load_spec
from tests.conftest import write_survey

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_SPECS = [
    p
    for p in sorted((ROOT / "data" / "raw" / "surveys").glob("*/spec.yaml"))
    if "expr:" in p.read_text(encoding="utf-8")
]

FRAME = pl.DataFrame(
    {
        "a": [1, 2, None, 7, 0, -3],
        "b": [2, 0, 3, 2, None, 5],
        "f": [1.5, None, 2.5, 0.0, -3.25, 1e6],
        "s": ["x", "Y ", None, "1", "", "abc"],
    }
)

ACCEPTED = [
    "a / b",
    "f / b",
    "a % b",
    "-a",
    "+a",
    "(a + 1) * 2",
    "a - b",
    "a * f",
    "7 / 2",
    "a = 1 OR f > 1",
    "a = 1 AND f > 1",
    "NOT (a > 1)",
    "a <> 2",
    "a != 2",
    "a >= 2",
    "a <= 2",
    "a < b",
    "a > 1 OR NULL",
    "a BETWEEN 1 AND 2",
    "NOT a BETWEEN 1 AND 2",
    "a IN (1, 7)",
    "a NOT IN (1, 2)",
    "NOT a IN (1)",
    "f IN (1.5, -3.25)",
    "s IN ('x', '1')",
    "a IN (-3, 0)",
    "a IS NULL",
    "a IS NOT NULL",
    "NOT a IS NULL",
    "a = NULL",
    "TRUE",
    "CASE WHEN a > 1 THEN 1 END",
    "CASE a WHEN 1 THEN 10 WHEN 7 THEN 70 ELSE 0 END",
    "CASE WHEN f IS NULL THEN NULL ELSE f * 2 END",
    "CASE WHEN a < 0 THEN 0 ELSE a END",
    "ABS(a)",
    "CEIL(f)",
    "CEILING(f)",
    "FLOOR(f)",
    "EXP(f)",
    "LN(ABS(f) + 1)",
    "SQRT(ABS(f))",
    "LOG10(b)",
    "ROUND(f)",
    "ROUND(f, 1)",
    "POWER(a, 2)",
    "COALESCE(a, b)",
    "LEAST(a, b)",
    "GREATEST(a, f)",
    "NULLIF(a, 1)",
    "UPPER(s)",
    "LOWER(s)",
    "TRIM(s)",
    "LENGTH(s)",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_constructs_give_what_polars_sql_gave(text):
    compiled = compile_expression(text)
    mine = FRAME.select(compiled.polars.alias("r")).to_series()
    before = FRAME.select(pl.sql_expr(text).alias("r")).to_series()
    assert mine.dtype == before.dtype, text
    assert mine.equals(before, null_equal=True) or mine.cast(pl.Float64).equals(
        before.cast(pl.Float64), null_equal=True
    ), (mine, before)
    assert set(compiled.columns) == set(pl.sql_expr(text).meta.root_names())


def test_every_function_of_the_language_is_tested_and_documented():
    """The list in FUNCTIONS is the list in the input contract and in the tests above."""
    readme = (ROOT / "data" / "raw" / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("#### Expressions") :]
    for name in FUNCTIONS:
        assert any(t.startswith(name + "(") for t in ACCEPTED) or name in " ".join(ACCEPTED), name
        assert f"`{name}(" in section, name


@pytest.mark.parametrize("spec_path", BUNDLED_SPECS, ids=lambda p: p.parent.name)
def test_bundled_specs_evaluate_as_before(spec_path):
    """Every ``expr:`` of the bundled specs is accepted and gives, on its survey's data, what
    Polars SQL gave."""
    spec = load_spec(spec_path)
    exprs = {n: m for n, m in spec.mappings.items() if m.expr}
    assert exprs
    raw = read_survey_files(spec)
    cols = sorted({c for m in exprs.values() for c in m.source_columns()})
    frame = raw.with_row_index("__row", offset=1).with_columns(_numeric_view(raw, cols))
    for series in _evaluate_expressions(frame, spec, _Source(frame)):
        name = series.name.removeprefix(EXPR_PREFIX)
        m = exprs[name]
        view = frame.with_columns(
            pl.col(c + "__num").alias(c) for c in m.source_columns() if c + "__num" in frame.columns
        )
        if m.missing:
            continue  # missing codes are nulled first: covered by test_harmonise
        before = view.select(pl.sql_expr(m.expr)).to_series()
        assert series.equals(before.alias(series.name), null_equal=True), (spec.survey_id, name)


REFUSED = [
    # (expression, construct named in the error)
    ("hsnp IN (SELECT x FROM read_csv('/etc/hostname'))", "sub-query"),
    ("read_csv('http://127.0.0.1:9/x') IS NULL", "READ_CSV"),
    ("read_parquet('/tmp/x.parquet') IS NULL", "READ_PARQUET"),
    ("EXISTS (SELECT 1)", "sub-query"),
    ("x > ALL (SELECT 1)", "sub-query"),
    ("x IN (y, 2)", "IN"),
    ("x IN (1, NULL)", "IN"),
    ("x LIKE 'a%'", "LIKE"),
    ("CAST(x AS INT) = 1", "CAST"),
    ("foo(x) > 1", "FOO"),
    ("LOG(x) > 1", "LOG"),
    ("t.x > 1", "qualified name"),
    ("x > 1; DROP TABLE y", "several statements"),
    ("* > 1", "'*'"),
    ("? > 1", "parameter"),
    ("x || y = 'ab'", "'||'"),
    ("x IS TRUE", "IS"),
    ("CURRENT_DATE > x", "CURRENT_DATE"),
    ("ROUND(x, y)", "ROUND"),
    ("x >>> 2 (", "syntax"),
    ("1e999 > x", "number"),
    ("(" * 3000 + "x" + ")" * 3000, "length"),
]


@pytest.mark.parametrize("text, construct", REFUSED, ids=[r[1] for r in REFUSED])
def test_constructs_outside_the_language_are_refused(text, construct):
    with pytest.raises(ExpressionError) as err:
        compile_expression(text)
    assert construct in err.value.construct


def test_refusal_names_spec_variable_and_construct(tmp_path, spec_dict):
    spec_dict["variables"]["rec_social_assistance"] = {"expr": "pens IN (SELECT x FROM read_csv('/etc/hostname'))"}
    with pytest.raises(SpecError) as err:
        load_spec(write_survey(tmp_path, spec_dict))
    e = err.value
    assert (
        e.file.endswith("TST_HIES_2021/spec.yaml")
        and e.where == "variables.rec_social_assistance"
        and e.rule == "expression"
    )
    assert str(e).count("sub-query is not allowed") == 1


def test_a_refused_expression_reads_no_file_and_opens_no_connection(tmp_path, spec_dict):
    """The attacks of issue 15 point 1: nothing of a file outside the folder reaches the error,
    and a URL in the expression never opens a connection."""
    secret = tmp_path / "secret.csv"
    secret.write_text("x\nTOP-SECRET-LINE\n")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.setblocking(False)
    port = server.getsockname()[1]
    attacks = [
        f"pens IN (SELECT x FROM read_csv('{secret}'))",
        f"read_csv('http://127.0.0.1:{port}/x.csv') IS NULL",
        f"pens IN (SELECT x FROM read_csv('http://127.0.0.1:{port}/x.csv'))",
    ]
    try:
        for i, attack in enumerate(attacks):
            spec_dict["variables"]["rec_social_assistance"] = {"expr": attack}
            with pytest.raises(SpecError) as err:
                load_spec(write_survey(tmp_path / str(i), spec_dict))
            assert "TOP-SECRET" not in str(err.value)
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    finally:
        server.close()


def test_evaluation_uses_the_survey_columns_only(tmp_path, spec_dict):
    """A column the file lacks is refused before evaluation (no other frame is reachable)."""
    spec_dict["variables"]["rec_social_assistance"] = {"expr": "COALESCE(amt_child, other_table_col) > 0"}
    spec = load_spec(write_survey(tmp_path, spec_dict))
    from engine.harmonise import ingest_survey

    with pytest.raises(SpecError) as err:
        ingest_survey(spec)
    assert err.value.rule == "source_variable_exists" and "other_table_col" in str(err.value)


def test_readme_lists_what_is_refused():
    readme = (ROOT / "data" / "raw" / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("#### Expressions") :]
    section = section[: section.index("\n### ")]
    for word in ("sub-quer", "read_csv", "CASE", "IN (", "IS NULL", "refused"):
        assert re.search(re.escape(word), section), word
