"""The table registry and the asset graph agree: every asset of the Definitions is one table of
the registry and every table of the registry is an asset, except the tables listed here with the
asset that writes them."""

from __future__ import annotations

from pipelines.definitions import defs
from schemas.registry import TABLES

# Tables written beside another asset's table, with no asset of their own.
WRITTEN_WITHOUT_ASSET = {
    "publication/sdg_sdmx_breakdowns": "written by publication/sdg_sdmx beside sdg_sdmx.csv",
    "provenance/source_records": "one file per source, written by the step that reads it (engine/store.py write_record)",
    "provenance/failure_records": "one file per source left out, written by the step that leaves it out "
    "(assets/source_steps.py write_failure_record)",
}


def asset_names() -> set[str]:
    return {"/".join(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()}


def test_every_asset_is_one_registry_table_and_every_table_an_asset():
    assets = asset_names()
    assert sorted(assets - set(TABLES)) == [], "assets without a registry table (declare them in schemas/resources/)"
    assert sorted(set(TABLES) - assets - set(WRITTEN_WITHOUT_ASSET)) == [], "registry tables that no asset writes"
    assert set(WRITTEN_WITHOUT_ASSET) <= set(TABLES)
    assert not set(WRITTEN_WITHOUT_ASSET) & assets, "listed as written without an asset, but an asset now"


def test_partitioned_assets_are_partitioned_tables():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        declared = TABLES["/".join(key.path)].partitions
        actual = node.partitions_def.name if node.partitions_def is not None else None
        assert declared == actual, "/".join(key.path)


def test_every_asset_is_described_by_its_registry_table():
    """One description per table: the asset shows its registry declaration's (schemas/resources/)."""
    graph = defs.resolve_asset_graph()
    differ = [
        "/".join(key.path)
        for key in graph.get_all_asset_keys()
        if (graph.get(key).description or "").strip() != TABLES["/".join(key.path)].description.strip()
    ]
    assert differ == []
