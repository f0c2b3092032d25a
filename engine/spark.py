"""The indicator SQL of ``sql/`` on Apache Spark, for surveys too large for one machine.

``SparkConnection`` stands in for the DuckDB connection that the estimation modules receive
(``engine/survey_estimation.py``, ``engine/sql.py``): it takes the same calls (``register``,
``execute(...).fetchall()``, ``sql(...).pl()``, ``read_parquet(...).create_view(...)``) and the
same DuckDB SQL, transpiles every statement with sqlglot (DuckDB -> Spark) and runs it on a
Spark session. So whatever blocks the estimation runs, in whatever order, run on Spark without a
second copy of the statistics: ``estimate_survey(SparkConnection(spark), ...)`` gives the survey
estimates, and the survey estimates asset writes them to the same Parquet outputs when
``PipelineResource.survey_engine`` is ``spark`` (job ``survey_spark_job``, docs/deployment.md).

A ``CREATE [OR REPLACE] TEMP TABLE name AS SELECT ...`` becomes a temporary view over the
transpiled query, materialised at once (``localCheckpoint``) as DuckDB materialises a table; a
``TEMP VIEW`` stays lazy. Spark runs with ``spark.sql.ansi.enabled=false`` so that division by
zero gives NULL, as in DuckDB. Each connection is a Spark session of its own (its own temporary
views) on the shared Spark context.

pyspark is an optional extra (``pip install -e .[spark]``) and needs Java 17 or later. The
session's master, shuffle partitions and log level are a ``SparkSettings`` (from the settings
resource; ``pipelines/settings.py`` reads them from ``SP_SPARK_*``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

# Spark settings that make Spark SQL answer as DuckDB does for the SQL of sql/.
DUCKDB_SEMANTICS = {
    "spark.sql.ansi.enabled": "false",  # x / 0 -> NULL (ANSI mode raises)
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
INSTALL_HINT = (
    "pyspark is not installed: `pip install -e .[spark]` (Java 17 or later must be on the PATH or in JAVA_HOME)"
)


def transpile(sql: str) -> str:
    """One DuckDB statement in Spark SQL; raises on what sqlglot cannot express in Spark."""
    (out,) = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
    return out


@dataclass(frozen=True)
class SparkSettings:
    """Where and how the Spark session runs: its master (``local[<threads>]``, ``spark://host:7077``,
    ``k8s://...``), the partitions of a shuffle and the log level of the Spark context.
    """

    master: str = "local[2]"
    shuffle_partitions: int = 200
    log_level: str = "ERROR"


def spark_session(settings: SparkSettings, app_name: str = "sp-pipeline", config: dict[str, str] | None = None):
    """Get or create the Spark session of ``settings`` with DUCKDB_SEMANTICS and ``config`` on
    top.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # the optional extra
        raise RuntimeError(INSTALL_HINT) from exc
    builder = SparkSession.builder.master(settings.master).appName(app_name)
    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(settings.shuffle_partitions),
        **DUCKDB_SEMANTICS,
        **(config or {}),
    }
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel(settings.log_level)
    for key, value in DUCKDB_SEMANTICS.items():  # an existing session gets them too
        session.conf.set(key, value)
    return session


class _Result:
    """What ``execute`` and ``sql`` return: rows or a Polars frame of a Spark DataFrame."""

    def __init__(self, frame):
        self._frame = frame

    def fetchall(self) -> list[tuple]:
        return [tuple(row) for row in self._frame.collect()] if self._frame is not None else []

    def pl(self) -> pl.DataFrame:
        frame = pl.from_arrow(self._frame.toArrow())
        assert isinstance(frame, pl.DataFrame)  # a table, not a column
        return frame


class _ParquetRelation:
    def __init__(self, session, path: str):
        self._session, self._path = session, path

    def create_view(self, name: str, replace: bool = True) -> None:
        self._session.read.parquet(self._path).createOrReplaceTempView(name)


class SparkConnection:
    """A DuckDB-connection look-alike over a Spark session (see the module docstring)."""

    def __init__(self, spark):
        self.spark = spark.newSession()
        self.statements: list[tuple[str, str]] = []  # (DuckDB SQL, Spark SQL) as run, for inspection

    def register(self, name: str, obj: Any) -> None:
        """A Polars frame, Arrow table or DuckDB relation as the temporary view ``name``."""
        if isinstance(obj, pl.DataFrame):
            table = obj.to_arrow()
        elif isinstance(obj, pa.Table):
            table = obj
        elif hasattr(obj, "to_arrow_table"):  # a DuckDB relation
            table = obj.to_arrow_table()
        else:
            raise TypeError(f"cannot register {type(obj).__name__} as {name}")
        self.spark.createDataFrame(_spark_compatible(table)).createOrReplaceTempView(name)

    def read_parquet(self, path: str | Path) -> _ParquetRelation:
        """A relation over the Parquet file(s) at ``path``, as ``duckdb.read_parquet`` gives."""
        return _ParquetRelation(self.spark, str(path))

    def execute(self, sql: str) -> _Result:
        """Run one DuckDB statement (see the module docstring for CREATE TEMP TABLE/VIEW)."""
        tree = sqlglot.parse_one(sql, read="duckdb")
        if isinstance(tree, exp.Create) and tree.kind in ("TABLE", "VIEW"):
            name = tree.this.name if isinstance(tree.this, exp.Table) else tree.this.this.name
            query = transpile(tree.expression.sql(dialect="duckdb"))
            self.statements.append((sql, query))
            frame = self.spark.sql(query)
            if tree.kind == "TABLE":
                frame = frame.localCheckpoint(eager=True)
            frame.createOrReplaceTempView(name)
            return _Result(None)
        query = transpile(sql)
        self.statements.append((sql, query))
        return _Result(self.spark.sql(query))

    def sql(self, sql: str) -> _Result:
        """The same as :meth:`execute` (DuckDB's spelling)."""
        return self.execute(sql)

    def close(self) -> None:
        """Drop the temporary views this connection created; the Spark session stays open."""
        for table in self.spark.catalog.listTables():
            if table.isTemporary:
                self.spark.catalog.dropTempView(table.name)

    def __enter__(self) -> SparkConnection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _spark_compatible(table: pa.Table) -> pa.Table:
    """Arrow types Spark reads: large strings/lists as their 32-bit forms, null columns as strings."""
    fields = []
    for field in table.schema:
        t = field.type
        if pa.types.is_large_string(t) or pa.types.is_string_view(t) or pa.types.is_null(t):
            t = pa.string()
        fields.append(pa.field(field.name, t))
    return table.cast(pa.schema(fields))


@contextmanager
def spark_connection(settings: SparkSettings) -> Iterator[SparkConnection]:
    """A ``SparkConnection`` on the process's Spark session, its temporary views dropped after."""
    with SparkConnection(spark_session(settings)) as con:
        yield con
