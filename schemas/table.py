"""One table's contract (PUDL's resource metadata): its name, layer, partitioning, storage,
columns (fields of ``schemas.fields``) and primary key, and what is derived from them: the
Polars schema, an empty frame, the conformed frame written, the Pandera model and a validation
whose error names the table, the column and the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandera.errors
import pandera.polars as pa
import polars as pl
from pandera.config import ValidationDepth, config_context

from schemas.fields import FIELDS, Field
from schemas.tables import schema_for

LAYERS = ("raw", "staging", "indicators", "publication", "provenance")
PARTITIONS = (None, "surveys", "ssi_returns")
STORAGES = ("parquet", "folder", "csv", "other")


class ContractError(ValueError):
    """A frame breaks its table's contract; the message names the table, the column and the rule
    (``failures`` holds one row per failing check and value).
    """

    def __init__(self, message: str, failures: pl.DataFrame | None = None) -> None:
        super().__init__(message)
        self.failures = failures


@dataclass(frozen=True)
class Table:
    """A table the pipeline writes.

    ``name`` is ``<layer>/<table>``: the asset key and the path under the output directory
    (``<name>.parquet``, or ``<name>/<partition>.parquet`` when ``partitions`` names the
    partition set). ``fields`` lists its columns in order, each a name of ``schemas.fields.FIELDS``
    or a :class:`Field` of its own (a narrower meaning in this table); after construction it
    holds the names and :attr:`columns` the resolved fields. ``primary_key`` columns identify a
    row (unique together). ``storage`` is ``parquet``, ``folder`` (a folder of files per
    partition), ``csv`` or ``other`` (files that are not a table). An ``as_read`` table keeps the
    columns of its input file as read (raw layer): ``fields`` then names only the columns the
    contract requires, and other columns may follow. ``extra_columns`` describes columns that may
    follow the declared ones (the annex's per-series columns, ``<series>_value`` ...). ``file``
    is where an output that is not ``<name>.parquet``/``.csv`` lives (a workbook, a folder of
    figures), relative to the output directory.
    """

    name: str
    description: str
    fields: tuple[str, ...] = ()
    primary_key: tuple[str, ...] = ()
    partitions: str | None = None
    storage: str = "parquet"
    as_read: bool = False
    extra_columns: str | None = None
    file: str | None = None
    columns: tuple[Field, ...] = field(default=(), init=False, repr=False, compare=False)

    def __init__(
        self,
        name: str,
        description: str,
        fields: Iterable[str | Field] = (),
        primary_key: Sequence[str] = (),
        partitions: str | None = None,
        storage: str = "parquet",
        as_read: bool = False,
        extra_columns: str | None = None,
        file: str | None = None,
    ) -> None:
        columns = tuple(f if isinstance(f, Field) else _shared(name, f) for f in fields)
        for attr, value in (
            ("name", name),
            ("description", description),
            ("fields", tuple(c.name for c in columns)),
            ("primary_key", tuple(primary_key)),
            ("partitions", partitions),
            ("storage", storage),
            ("as_read", as_read),
            ("extra_columns", extra_columns),
            ("file", file),
            ("columns", columns),
        ):
            object.__setattr__(self, attr, value)
        self._check()

    def _check(self) -> None:
        layer, _, table = self.name.partition("/")
        if layer not in LAYERS or not table or "/" in table:
            raise ValueError(f"table {self.name!r}: the name must be <layer>/<table> with a layer of {LAYERS}")
        if self.partitions not in PARTITIONS:
            raise ValueError(f"table {self.name}: partitions {self.partitions!r} is not one of {PARTITIONS}")
        if self.storage not in STORAGES:
            raise ValueError(f"table {self.name}: storage {self.storage!r} is not one of {STORAGES}")
        seen = set()
        for c in self.fields:
            if c in seen:
                raise ValueError(f"table {self.name}: column {c!r} is listed twice")
            seen.add(c)
        missing = [k for k in self.primary_key if k not in seen]
        if missing:
            raise ValueError(f"table {self.name}: primary key column(s) {missing} are not among its fields")

    @property
    def layer(self) -> str:
        """``raw``, ``staging``, ``indicators`` or ``publication``."""
        return self.name.split("/")[0]

    @property
    def table(self) -> str:
        """The name within its layer."""
        return self.name.split("/")[1]

    @property
    def key(self) -> tuple[str, str]:
        """The asset key parts, ``(layer, table)``."""
        return (self.layer, self.table)

    def path(self, partition: str | None = None) -> str:
        """Where the table is written, relative to the output directory."""
        if (partition is None) != (self.partitions is None):
            raise ValueError(f"table {self.name} is partitioned by {self.partitions}; partition given: {partition!r}")
        if self.file is not None:
            return self.file
        if self.storage == "folder":
            return f"{self.name}/{partition}" if partition else self.name
        suffix = ".csv" if self.storage == "csv" else ".parquet"
        return f"{self.name}/{partition}{suffix}" if partition else f"{self.name}{suffix}"

    def column(self, name: str) -> Field:
        """The declaration of one column."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name} has no column {name!r}")

    def polars_schema(self) -> pl.Schema:
        """Column name -> Polars type, in order."""
        return pl.Schema({c.name: c.dtype for c in self.columns})

    def empty(self) -> pl.DataFrame:
        """The table with no rows."""
        return pl.DataFrame(schema=self.polars_schema())

    def conform(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with the declared columns in order, cast to their declared types, then, where
        the table allows ``extra_columns``, the frame's other columns (an ``as_read`` table:
        unchanged); a declared column that is absent is an error naming the table and the column.
        """
        absent = [c for c in self.fields if c not in frame.columns]
        if absent:
            raise ContractError(f"table {self.name}: column(s) {', '.join(absent)} missing (rule: declared_columns)")
        if self.as_read:
            return frame
        schema = self.polars_schema()
        extra = [c for c in frame.columns if c not in schema] if self.extra_columns else []
        return frame.select([*schema, *extra]).cast(schema)

    def pandera(self, extra_columns: dict[str, pl.DataType] | None = None) -> pa.DataFrameSchema:
        """The Pandera (Polars) model: strict columns with types, code lists, bounds, nullability,
        and the primary key unique (every copy reported); ``extra_columns`` (e.g. a row id used
        while validating) are allowed without checks. An ``as_read`` table allows other columns.
        """
        return schema_for(
            self.columns,
            name=self.name,
            unique=list(self.primary_key) or None,
            extra_columns=extra_columns,
            strict=not (self.as_read or self.extra_columns),
        )

    def validate(self, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
        """``frame`` if it keeps the contract (types and data); otherwise :class:`ContractError`
        naming the table and, for each failing rule, the column, the rule and a few values.
        """
        data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
        try:
            with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
                return self.pandera().validate(data, lazy=True)
        except pandera.errors.SchemaErrors as err:
            failures = (
                pl.DataFrame(err.failure_cases)
                if not isinstance(err.failure_cases, pl.DataFrame)
                else err.failure_cases
            )
            raise ContractError(_describe(self, failures), failures) from None
        except pandera.errors.SchemaError as err:
            raise ContractError(f"table {self.name}: {err}") from None


def _shared(table: str, name: str) -> Field:
    try:
        return FIELDS[name]
    except KeyError:
        raise KeyError(f"table {table}: field {name!r} is not declared in schemas.fields.FIELDS") from None


_COLUMN_RULES = ("column_in_dataframe", "column_in_schema", "column_ordered")


def _describe(table: Table, failures: pl.DataFrame) -> str:
    """One line per failing (column, rule): the count and up to three offending values (for the
    primary key, the rows).
    """
    lines = [f"table {table.name} breaks its contract:"]
    cases = failures.with_columns(
        pl.col("failure_case").cast(pl.String),
        pl.col("column").cast(pl.String).fill_null(""),
        pl.col("schema_context").cast(pl.String),
        pl.col("index").cast(pl.String).fill_null(""),
    ).with_columns(
        # A missing, undeclared or misplaced column: the failure case is the column's name.
        pl.when(pl.col("check").is_in(list(_COLUMN_RULES)))
        .then(pl.col("failure_case"))
        .otherwise(pl.col("column"))
        .alias("column")
    )
    grouped = cases.group_by(["schema_context", "column", "check"], maintain_order=True).agg(
        pl.len().alias("n"), pl.col("failure_case").head(3).alias("values"), pl.col("index").head(3).alias("rows")
    )
    for row in grouped.iter_rows(named=True):
        if row["schema_context"] == "DataFrameSchema" and row["check"] == "multiple_fields_uniqueness":
            where = f"columns {', '.join(table.primary_key)} (primary key)"
            rule, examples = "unique_key", "rows " + ", ".join(row["rows"])
        else:
            where = f"column {row['column']}" if row["column"] != table.name else "table"
            rule, examples = row["check"], "e.g. " + ", ".join(str(v) for v in row["values"])
        lines.append(f"  {where}: rule {rule} fails ({row['n']} case(s), {examples})")
    return "\n".join(lines)
