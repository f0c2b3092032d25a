"""Shared fixtures: small input directories written by the tests themselves."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import polars as pl
import pytest
import yaml

from tests.tiers import mark_tiers, without_tests_of

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# The small pipeline run shared by the integration tests that read it (tests/small_run.py).
pytest_plugins = ("tests.small_run",)

# A small survey in source coding, as a national statistics office might deliver it.
SOURCE_ROWS = [
    # hid, pid, wgt, strat, ea, sx, age, lfs, ssc, amt_child, pens, citz, urb, disab, cons, oop
    (1, 1, 100.0, 1, 1, 1, 34, 1, 1, 0.0, 0, "GHA", 1, 0, 12000.0, 300.0),
    (1, 2, 100.0, 1, 1, 2, 31, 3, 2, 40.0, 0, "GHA", 1, 0, 12000.0, 300.0),
    (1, 3, 100.0, 1, 1, 2, 4, 3, 2, 0.0, 0, "GHA", 1, 0, 12000.0, 300.0),
    (2, 1, 120.0, 1, 2, 1, 70, 3, 2, 0.0, 1, "TGO", 2, 1, 8000.0, 1500.0),
    (2, 2, 120.0, 1, 2, 2, 66, 3, 2, 0.0, 2, "TGO", 2, 0, 8000.0, 1500.0),
    (3, 1, 90.0, 2, 1, 1, 45, 2, 2, 0.0, 0, "GHA", 2, 0, 5000.0, 0.0),
    (3, 2, 90.0, 2, 1, 2, 12, 3, 2, 30.0, 0, "GHA", 2, 0, 5000.0, 0.0),
    (4, 1, 80.0, 2, 2, 2, 29, 1, 1, 0.0, 0, "NGA", 1, 0, 15000.0, 200.0),
]
SOURCE_COLUMNS = [
    "hid",
    "pid",
    "wgt",
    "strat",
    "ea",
    "sx",
    "age",
    "lfs",
    "ssc",
    "amt_child",
    "pens",
    "citz",
    "urb",
    "disab",
    "cons",
    "oop",
]

BASE_SPEC = {
    "survey": {
        "id": "TST_HIES_2021",
        "country": "GHA",
        "year": 2021,
        "kind": "HIES",
        "file": "data.csv",
        "vintage": "2022-03-01",
        "synthetic": True,
    },
    "design": {"psu_nested_in_strata": True},
    "variables": {
        "hh_id": "hid",
        "person_id": "pid",
        "person_weight": "wgt",
        "stratum": "strat",
        "psu": "ea",
        "sex": {"source": "sx", "codes": {1: "M", 2: "F"}},
        "age": {"source": "age", "missing": [999]},
        "lf_status": {"source": "lfs", "codes": {1: "employed", 2: "unemployed", 3: "outside_labour_force"}},
        "contributor": {"source": "ssc", "codes": {1: True, 2: False}},
        "rec_child_family": {"source": "amt_child", "rule": "positive"},
        "rec_oldage_contrib": {"source": "pens", "in": [1]},
        "rec_oldage_noncontrib": {"source": "pens", "in": [2]},
        "rec_social_assistance": {"expr": "amt_child > 35 OR pens = 2"},
        "severe_disability": {"source": "disab", "codes": {1: True, 0: False}},
        "nationality": {"source": "citz", "codes": {"GHA": "national"}, "other": "non_national"},
        "citizenship": "citz",
        "urban_rural": {"source": "urb", "codes": {1: "urban", 2: "rural"}},
        "hh_head": {"expr": "pid = 1"},
        "hh_consumption": "cons",
        "hh_oop_health": "oop",
        "health_protected": {"value": False},
    },
    "absent": [
        "household_weight",
        "rec_maternity",
        "rec_sickness",
        "rec_disability",
        "rec_unemployment",
        "rec_survivors",
        "rec_employment_injury",
        "injury_insured",
        "gave_birth",
        "poor",
    ],
}


def source_frame(rows=SOURCE_ROWS) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SOURCE_COLUMNS, orient="row")


def write_data(frame: pl.DataFrame, path: Path) -> None:
    """Write ``frame`` in the format given by the extension of ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        frame.write_csv(path)
    elif path.suffix == ".parquet":
        frame.write_parquet(path)
    else:
        import pyreadstat

        writer = pyreadstat.write_dta if path.suffix == ".dta" else pyreadstat.write_sav
        writer(frame.to_pandas(), str(path))


def write_survey(
    input_dir: Path, spec: dict | None = None, frame: pl.DataFrame | None = None, ext: str = ".csv"
) -> Path:
    """Write a survey folder (data file + spec.yaml) under ``input_dir/surveys``; returns the
    spec path."""
    spec = copy.deepcopy(spec or BASE_SPEC)
    survey_id = spec["survey"]["id"]
    folder = input_dir / "surveys" / survey_id
    folder.mkdir(parents=True, exist_ok=True)
    spec["survey"]["file"] = f"data{ext}"
    write_data(source_frame() if frame is None else frame, folder / spec["survey"]["file"])
    (folder / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return folder / "spec.yaml"


@pytest.fixture
def spec_dict() -> dict:
    return copy.deepcopy(BASE_SPEC)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test is ``unit`` or ``integration`` by its module (tests/tiers.py)."""
    mark_tiers(items)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With ``-m unit``, ``-m integration`` or ``-m "not unit"`` alone, the modules none of whose
    tests would run are not even imported (tests/tiers.py ``without_tests_of``)."""
    if collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
        return True if without_tests_of(config.getoption("markexpr", ""), collection_path) else None
    return None
