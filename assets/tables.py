"""How an asset names the tables it reads: an argument is a table, named after it.

Its annotation says the layer and how it is read (pipelines/io_managers.py does the reading)::

    @table_asset(key_prefix="publication", group_name="publication")
    def annex(country_values: Publication, countries: Staging, income_groups: Staging) -> pl.DataFrame:
        ...

reads ``publication/country_values``, ``staging/countries`` and ``staging/income_groups`` and
returns ``publication/annex``: the lineage Dagster shows is what the body reads, with no name
spelled twice. ``Maybe*`` annotations admit a table that was never written (``None``); ``*File``
annotations give the path of a table or of a file output (``<layer>/<table>.<ext>`` or the
folder ``<layer>/<table>/``; for a partitioned table read by an unpartitioned asset, the folder of
its partitions) instead of reading it.
"""

import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import dagster as dg
import polars as pl

from schemas.registry import Table
from schemas.registry import table as registry_table


class Layer(str):
    """The layer of the table an argument reads (the first part of its asset key)."""


Raw = Annotated[pl.DataFrame, Layer("raw")]
Staging = Annotated[pl.DataFrame, Layer("staging")]
Indicators = Annotated[pl.DataFrame, Layer("indicators")]
Publication = Annotated[pl.DataFrame, Layer("publication")]
MaybeStaging = Annotated[pl.DataFrame | None, Layer("staging")]
MaybeIndicators = Annotated[pl.DataFrame | None, Layer("indicators")]
MaybePublication = Annotated[pl.DataFrame | None, Layer("publication")]
PublicationFile = Annotated[Path, Layer("publication")]
IndicatorsFile = Annotated[Path, Layer("indicators")]
StagingFile = Annotated[Path, Layer("staging")]


def table_ins(fn: Callable) -> dict[str, dg.AssetIn]:
    """One input per argument annotated with a ``Layer``: the table ``<layer>/<argument>``."""
    ins = {}
    for name, hint in typing.get_type_hints(fn, include_extras=True).items():
        if typing.get_origin(hint) is not Annotated:
            continue
        base, *meta = typing.get_args(hint)
        layer = next((m for m in meta if isinstance(m, Layer)), None)
        if layer is None:
            continue
        optional = type(None) in typing.get_args(base)
        wanted = next(a for a in typing.get_args(base) if a is not type(None)) if optional else base
        ins[name] = dg.AssetIn(key_prefix=str(layer), dagster_type=typing.Optional[wanted] if optional else wanted)  # noqa: UP045 (a type object, resolved by Dagster)
    return ins


def table_asset(**kwargs) -> Callable[[Callable], dg.AssetsDefinition]:
    """``dg.asset`` whose inputs are the annotated arguments (:func:`table_ins`), plus ``ins``,
    described by the registry's declaration of its table (no second description).
    """

    def decorate(fn: Callable) -> dg.AssetsDefinition:
        if "description" in kwargs:
            raise TypeError(f"{fn.__name__}: the description of a table is its registry declaration's")
        key = kwargs.get("key") or dg.AssetKey([kwargs["key_prefix"], kwargs.get("name", fn.__name__)])
        described = registry_table(dg.AssetKey.from_coercible(key).path).description
        return dg.asset(ins={**table_ins(fn), **kwargs.pop("ins", {})}, description=described, **kwargs)(fn)

    return decorate


def table_multi_asset(**kwargs) -> Callable[[Callable], dg.AssetsDefinition]:
    """``dg.multi_asset`` whose inputs are the annotated arguments (:func:`table_ins`)."""

    def decorate(fn: Callable) -> dg.AssetsDefinition:
        return dg.multi_asset(ins={**table_ins(fn), **kwargs.pop("ins", {})}, **kwargs)(fn)

    return decorate


def table_out(key: dg.AssetKey, **kwargs) -> dg.AssetOut:
    """The output of a multi-asset that is the table ``key`` (written by the IO manager)."""
    return dg.AssetOut(key=key, **kwargs)


def asset_key(table: Table) -> dg.AssetKey:
    """The asset key of a registry table (``indicators/sdg_1_3_1`` -> ``["indicators", "sdg_1_3_1"]``)."""
    return dg.AssetKey(list(table.key))


STORAGE_KINDS = {"parquet": "parquet", "folder": "parquet", "csv": "csv"}


def table_outs(
    *tables: Table, kinds: frozenset[str] | set[str] = frozenset(), group_name: str | None = None
) -> dict[str, dg.AssetOut]:
    """The outputs of a multi-asset that returns ``tables``, named by each table's name within its
    layer, each described by its registry declaration (description; kind of storage, with the
    asset's computing ``kinds``, e.g. ``{"duckdb", "sql"}``); group: the table's layer.
    """
    return {
        t.table: dg.AssetOut(
            key=asset_key(t),
            group_name=group_name or t.layer,
            kinds={*kinds, *([STORAGE_KINDS[t.storage]] if t.storage in STORAGE_KINDS else [])},
            description=t.description,
        )
        for t in tables
    }


def output_file(store_root: Path, key: dg.AssetKey, suffix: str) -> Path:
    """Where the file output of asset ``key`` goes: ``<layer>/<table><suffix>`` (``suffix`` empty:
    a folder), the place the IO manager finds it.
    """
    return store_root.joinpath(*key.path[:-1], key.path[-1] + suffix)


def written(**tables: pl.DataFrame | None) -> dict[str, pl.DataFrame]:
    """The tables given as keyword arguments named after them (an asset passes its own arguments
    on: ``written(headline=headline, annex=annex)``), less those never written (``None``): the
    frames by table name that engine functions take.
    """
    return {name: frame for name, frame in tables.items() if frame is not None}
