"""A failing ERROR check of an indicator table blocks the publication: on a planted value that
does not match its numerator and denominator, the blocking ``value_matches_ratio`` check of
``indicators/sdg_1_3_1`` fails and ``publication/country_values`` is not built from it; on the
same inputs without the planted value it is.
"""

import dagster as dg
import polars as pl
import pytest

from assets.indicators.publication_tables import indicator_tables
from assets.publication.aggregates import country_values
from engine.method_config import load_method
from engine.store import ParquetStore
from pipelines.definitions import ASSETS
from pipelines.io_managers import parquet_io_manager
from tests.pipeline_settings import pipeline_settings
from tests.test_indicator_tables import admin_row


def run(tmp_path, plant: bool) -> tuple[dg.ExecuteInProcessResult, ParquetStore]:
    store = ParquetStore(tmp_path / "out")
    rows = [admin_row(s, 300, 1000) for s in load_method("sdg_1_3_1")["series"]]
    if plant:
        rows[0]["value"] = 35.0  # 300 / 1000 is 30%: a value that is not its ratio
    store.write(pl.DataFrame(rows), "indicators", "admin_coverage")
    result = dg.materialize(
        ASSETS,
        selection=[indicator_tables, country_values],
        resources={"pipeline": pipeline_settings(tmp_path / "in", store.root), "io_manager": parquet_io_manager},
        raise_on_error=False,
    )
    return result, store


@pytest.mark.parametrize("plant", [False, True], ids=["clean", "planted"])
def test_a_failing_error_check_of_an_indicator_table_blocks_its_publication(tmp_path, plant):
    result, store = run(tmp_path, plant)
    checks = {e.check_name: e for e in result.get_asset_check_evaluations() if e.asset_key.path[-1] == "sdg_1_3_1"}
    assert checks["value_matches_ratio"].passed is not plant
    assert all(c.passed for name, c in checks.items() if name != "value_matches_ratio")
    assert store.exists("indicators", "sdg_1_3_1")
    assert result.success is not plant
    assert store.exists("publication", "country_values") is not plant
