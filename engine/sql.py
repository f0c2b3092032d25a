"""Run the indicator SQL in ``sql/`` with DuckDB, in process.

Convention for ``sql/*.sql`` files: a header comment stating the formula and the metadata
edition, then a sequence of blocks, each introduced by a line ``-- name: <relation>`` and holding
exactly one ``SELECT`` (``WITH`` allowed). A line ``-- include: <file>.sql`` runs the blocks of
that file at that place: a rule used by several indicator families is written once (e.g.
``sql/pensionable_age.sql``); the including file defines the relations the included one reads. Blocks refer to relations registered by the caller
(input tables, a one-row ``params`` relation built from method configuration) and to earlier
blocks. Each block becomes a temporary table of that name, or a view when the name line ends
with ``[view]`` (for a block that only streams into the next one, e.g. person x series rows
that are aggregated at once: a view is never materialised). The SQL stays within the subset that
``sqlglot`` transpiles to Spark (no DuckDB table functions, no macros): inputs arrive as named
relations, never as file paths inside the SQL.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

# The ``sql`` package: the project folder in a clone or editable install, site-packages from a wheel.
SQL_DIR = Path(str(importlib.resources.files("sql")))
_log = logging.getLogger(__name__)
_BLOCK = re.compile(r"^--\s*name:\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\[view\])?\s*$", re.MULTILINE)
_INCLUDE = re.compile(r"^--\s*include:\s*(\S+)\s*$", re.MULTILINE)
_SQL_FILE = re.compile(r"[A-Za-z0-9_]+\.sql")


@dataclass(frozen=True)
class SqlBlock:
    """One named block of a SQL file: a relation (or a view when ``view``) and its SQL."""

    name: str
    sql: str
    view: bool = False
    file: str = ""  # the file of sql/ that holds it (set by load_blocks)


def sql_path(filename: str) -> Path:
    """The path of ``filename`` in ``sql/``."""
    return SQL_DIR / filename


def parse_blocks(text: str, source: str = "<sql>") -> list[SqlBlock]:
    """Split a SQL file into its named blocks, in order."""
    matches = list(_BLOCK.finditer(text))
    if not matches:
        raise ValueError(f"{source}: no '-- name: <relation>' block found")
    blocks = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[m.end() : end].strip().rstrip(";").strip()
        if not body:
            raise ValueError(f"{source}: block '{m.group(1)}' is empty")
        blocks.append(SqlBlock(m.group(1), body, view=m.group(2) is not None))
    return blocks


def load_blocks(filename: str, _including: tuple[str, ...] = ()) -> list[SqlBlock]:
    """The blocks of ``sql/<filename>`` in order, those of its included files in their place."""
    path = sql_path(filename)
    if filename in _including:
        raise ValueError(f"{path}: included by itself ({' -> '.join((*_including, filename))})")
    text = path.read_text(encoding="utf-8")
    blocks: list[SqlBlock] = []
    start = 0
    for include in _INCLUDE.finditer(text):
        blocks += _segment_blocks(text[start : include.start()], filename, first=start == 0)
        name = include.group(1)
        if not _SQL_FILE.fullmatch(name):
            raise ValueError(f"{path}: '-- include: {name}' must name a .sql file of sql/")
        blocks += load_blocks(name, (*_including, filename))
        start = include.end()
    blocks += _segment_blocks(text[start:], filename, first=start == 0, last=True)
    names = [b.name for b in blocks]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: blocks named twice: {sorted({n for n in names if names.count(n) > 1})}")
    return blocks


def _segment_blocks(text: str, filename: str, first: bool, last: bool = False) -> list[SqlBlock]:
    """Blocks of the part of ``sql/<filename>`` between includes. Text before its first block is
    a comment (the file's header, or the lines after an include); a part without a block is
    allowed only around an include.
    """
    source = str(sql_path(filename))
    found = _BLOCK.search(text)
    if found is None and first and last:
        return parse_blocks(text, source)  # raises: a file needs a block
    lead = text[: found.start()] if found else text
    if not first and any(line.strip() and not line.strip().startswith("--") for line in lead.splitlines()):
        raise ValueError(f"{source}: SQL after an include outside any '-- name:' block")
    return [dataclasses.replace(b, file=filename) for b in parse_blocks(text, source)] if found else []


def params_frame(params: Mapping[str, Any]) -> pl.DataFrame:
    """A one-row frame holding method constants, registered as the ``params`` relation."""
    return pl.DataFrame({k: [v] for k, v in params.items()})


def run_sql_file(
    con: duckdb.DuckDBPyConnection,
    filename: str,
    relations: Mapping[str, Any] | None = None,
    *,
    only: tuple[str, ...] | None = None,
    skip: tuple[str, ...] = (),
) -> dict[str, str]:
    """Register ``relations`` (name -> Polars frame, Arrow table or DuckDB relation) and run
    the blocks of ``sql/<filename>`` in order (all of them, or ``only`` those, minus ``skip``).
    Returns block name -> SQL. Each block's elapsed time is logged at DEBUG level (logger
    ``engine.sql``: file, block, seconds).
    """
    for name, rel in (relations or {}).items():
        con.register(name, rel)
    done = {}
    for block in load_blocks(filename):
        if (only is not None and block.name not in only) or block.name in skip:
            continue
        started = time.perf_counter()
        try:
            kind = "VIEW" if block.view else "TABLE"
            con.execute(f"CREATE OR REPLACE TEMP {kind} {block.name} AS {block.sql}")
        except duckdb.Error as exc:  # name the block: the SQL file is the place to look
            raise RuntimeError(f"sql/{block.file or filename}, block '{block.name}': {exc}") from exc
        _log.debug("sql/%s %s: %.3f s", block.file or filename, block.name, time.perf_counter() - started)
        done[block.name] = block.sql
    return done


def fetch(con: duckdb.DuckDBPyConnection, relation: str) -> pl.DataFrame:
    """Return a temporary table as a Polars frame."""
    return con.sql(f"SELECT * FROM {relation}").pl()  # noqa: S608 (a relation named in code or sql/, never input)
