"""The catalog's views are the registry's tables: every table of the configured layers whose
file(s) exist, a partitioned table as one view over its partitions, and nothing else."""

from __future__ import annotations

import duckdb

from engine.publication.catalog import build_catalog, discover
from schemas.registry import table


def write(root, name, partition=None):
    t = table(name)
    path = root / t.path(partition)
    path.parent.mkdir(parents=True, exist_ok=True)
    if t.storage == "csv":
        path.write_text(",".join(t.fields) + "\n", encoding="utf-8")
    else:
        t.empty().write_parquet(path)
    return path


def test_views_come_from_the_registry(tmp_path):
    write(tmp_path, "publication/country_values")
    write(tmp_path, "publication/sdg_sdmx")
    write(tmp_path, "indicators/survey_estimates", "GHA_LFS_2022")
    write(tmp_path, "indicators/survey_estimates", "KEN_LFS_2021")
    table("publication/country_values").empty().write_parquet(tmp_path / "publication" / "stray_copy.parquet")
    (tmp_path / "raw").mkdir()
    table("raw/input_layout").empty().write_parquet(tmp_path / "raw" / "input_layout.parquet")
    views = discover(tmp_path, ("indicators", "publication"))
    assert [(v.name, v.files, v.format) for v in views] == [
        ("indicators.survey_estimates", 2, "parquet"),
        ("publication.country_values", 1, "parquet"),
        ("publication.sdg_sdmx", 1, "csv"),
    ]
    target = tmp_path / "publication" / "catalog.duckdb"
    build_catalog(tmp_path, target, ("indicators", "publication"))
    with duckdb.connect(str(target), read_only=True) as con:
        columns = [r[0] for r in con.execute("DESCRIBE indicators.survey_estimates").fetchall()]
        listed = con.execute("SELECT count(*) FROM main.catalog_tables").fetchone()[0]
    assert columns == list(table("indicators/survey_estimates").fields) and listed == 3
