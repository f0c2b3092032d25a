"""The table registry: every table the pipeline writes, declared once in ``schemas/resources/``
with columns from ``schemas/fields.py`` (PUDL's metadata). Look a table up by its name
(``table("indicators/sdg_1_3_1")``) or asset-key parts (``table(["indicators", "sdg_1_3_1"])``);
the Pandera models, the data dictionary, the GX key lists and the catalog views are derived from
it.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemas.fields import FIELDS, Field
from schemas.resources import MODULES
from schemas.table import ContractError, Table

__all__ = [
    "FIELDS",
    "INDICATORS",
    "PUBLICATION",
    "RAW",
    "STAGING",
    "TABLES",
    "ContractError",
    "Field",
    "LayerTables",
    "Table",
    "partitioned_by",
    "table",
    "tables_in_layer",
]


def _merge() -> dict[str, Table]:
    out: dict[str, Table] = {}
    for module in MODULES:
        for t in module.RESOURCES:
            if t.name in out:
                raise ValueError(f"table {t.name} is declared twice (second time in {module.__name__})")
            out[t.name] = t
    return out


TABLES: dict[str, Table] = _merge()


def table(name: str | Sequence[str]) -> Table:
    """The table ``<layer>/<table>`` (or its asset-key parts ``[layer, table]``)."""
    key = name if isinstance(name, str) else "/".join(name)
    try:
        return TABLES[key]
    except KeyError:
        raise KeyError(f"no table {key!r} in the registry (schemas/resources/)") from None


def tables_in_layer(layer: str) -> list[Table]:
    """The tables of one layer, in declaration order."""
    return [t for t in TABLES.values() if t.layer == layer]


def partitioned_by(kind: str) -> list[Table]:
    """The tables written per partition of ``kind`` (``surveys`` or ``ssi_returns``)."""
    return [t for t in TABLES.values() if t.partitions == kind]


class LayerTables:
    """The tables of one layer as attributes (``INDICATORS.sdg_1_3_1`` is the table
    ``indicators/sdg_1_3_1``): code outside ``schemas/`` names a table through the registry, never
    by a string of its own, and a name that is not declared fails when the module is imported.
    """

    def __init__(self, layer: str) -> None:
        self._layer = layer

    def __getattr__(self, name: str) -> Table:
        try:
            return TABLES[f"{self._layer}/{name}"]
        except KeyError:
            raise AttributeError(f"no table {self._layer}/{name} in the registry (schemas/resources/)") from None

    def __iter__(self):
        return iter(tables_in_layer(self._layer))


RAW = LayerTables("raw")
STAGING = LayerTables("staging")
INDICATORS = LayerTables("indicators")
PUBLICATION = LayerTables("publication")
