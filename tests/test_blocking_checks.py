"""A failing ERROR check of an indicator table blocks the publication: on a planted value that
does not match its numerator and denominator, the blocking ``value_matches_ratio`` check of
``indicators/sdg_1_3_1`` fails and ``publication/country_values`` is not built from it; on the
same inputs without the planted value it is. Likewise a publication table that others are
computed from (``country_values``, ``aggregates``): a broken ``country_values`` fails its
blocking Great Expectations suite and nothing is computed from it.
"""

import dagster as dg
import polars as pl
import pytest

from assets.indicators.publication_tables import indicator_tables
from assets.publication.aggregates import country_values
from assets.publication.quality import GATE_CHECKS, REPORTED, gated
from assets.tables import asset_key
from engine.method_config import load_method
from engine.store import ParquetStore
from pipelines.definitions import ASSETS
from pipelines.io_managers import parquet_io_manager
from schemas.gx_suites import SUITES
from schemas.registry import PUBLICATION
from tests.pipeline_settings import pipeline_settings
from tests.test_indicator_tables import admin_row
from tests.test_publication_quality import bad_frames, frames  # noqa: F401 (frames: a fixture)


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


# --- the blocking Great Expectations suites of the publication tables others are computed from


def country_values_and_a_reader(frame: pl.DataFrame) -> list[dg.AssetsDefinition]:
    """``publication/country_values`` holding ``frame`` and an asset computed from it."""

    @dg.asset(key=asset_key(PUBLICATION.country_values))
    def written() -> pl.DataFrame:
        return frame

    @dg.asset(key=["publication", "computed_from_country_values"], ins={"cv": dg.AssetIn(key=written.key)})
    def reader(cv: pl.DataFrame) -> int:
        return cv.height

    return [written, reader]


@pytest.mark.parametrize("broken", [False, True], ids=["good", "broken"])
def test_a_failing_error_suite_of_country_values_blocks_what_is_computed_from_it(tmp_path, frames, broken):  # noqa: F811 (the fixture)
    frame = (bad_frames("country_values_integrity", frames) if broken else frames)["country_values"]
    [gate] = [c for c in GATE_CHECKS if {k.asset_key for k in c.check_keys} == {asset_key(PUBLICATION.country_values)}]
    result = dg.materialize(
        [*country_values_and_a_reader(frame), gate],
        resources={"pipeline": pipeline_settings(tmp_path / "in", tmp_path / "out")},
        raise_on_error=False,
    )
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(checks) == {"country_values_integrity", "hardship_identities"}
    assert checks["country_values_integrity"].passed is not broken
    assert checks["hardship_identities"].passed
    built = {m.asset_key.path[-1] for m in result.get_asset_materialization_events()}
    assert ("computed_from_country_values" in built) is not broken
    assert result.success is not broken


def test_the_gated_suites_are_the_error_suites_of_the_tables_others_are_computed_from():
    assert sorted(s.name for s in SUITES if gated(s)) == [
        "aggregates_hardship_identities",
        "aggregates_integrity",
        "aggregates_sex_consistency",
        "country_values_integrity",
        "hardship_identities",
    ]
    assert not [s.name for s in REPORTED if gated(s)]
