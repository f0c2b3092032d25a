"""The rules that label the rows of the indicator tables (engine/indicator_tables.py, one place):
observation status A/U of a survey estimate from its reliability, E of an administrative rate
whose numerator exceeds its denominator and of a UHC index with imputed tracers, A otherwise;
administrative rows are not subject to sampling error."""

from __future__ import annotations

import polars as pl

from engine.indicator_tables import COVERAGE_DTYPES, admin_coverage_rows, published_index, survey_coverage_rows

NO_VINTAGES = pl.DataFrame(schema={"source_kind": pl.String, "source_id": pl.String, "input_vintage": pl.String})
ADDED = ("source_kind", "capped", "cap_applied", "obs_status", "run_id", "input_vintage")


def _estimates(reliability: list[str]) -> pl.DataFrame:
    columns = [c for c in COVERAGE_DTYPES if c not in ADDED]
    rows = [
        dict.fromkeys(columns)
        | {"ref_area": "GHA", "source_id": "GHA_LFS_2021", "series": f"S{i}", "year": 2021, "reliability": r}
        for i, r in enumerate(reliability)
    ]
    return pl.DataFrame(rows, schema={c: COVERAGE_DTYPES[c] for c in columns}).rename(
        {"ref_area": "country", "source_id": "survey_id"}
    )


def test_a_survey_estimate_is_a_unless_it_is_not_reliable():
    rows = survey_coverage_rows(_estimates(["reliable", "unreliable", "suppressed"]), NO_VINTAGES, "run-1")
    assert rows["obs_status"].to_list() == ["A", "U", "U"]
    assert rows["input_vintage"].to_list() == ["GHA_LFS_2021"] * 3 and rows.columns == list(COVERAGE_DTYPES)


def test_an_administrative_rate_above_its_denominator_is_e():
    admin = pl.DataFrame(
        {
            "country": ["GHA", "GHA", "GHA"],
            "year": [2021] * 3,
            "series": ["SI_COV_PENSN", "SI_COV_POOR", "SI_COV_CHLD"],
            "value": [30.0, 100.0, 100.0],
            "numerator": [300.0, 1200.0, 1000.0],
            "denominator": [1000.0, 1000.0, 1000.0],
            "source_kind": ["administrative"] * 3,
            "source_id": ["GHA_2021"] * 3,
        }
    )
    rows = admin_coverage_rows(admin, NO_VINTAGES, "", "run-1")
    assert dict(zip(rows["series"], rows["obs_status"], strict=True)) == {
        "SI_COV_PENSN": "A",
        "SI_COV_POOR": "E",
        "SI_COV_CHLD": "A",
    }
    assert set(rows["reliability"]) == {"not_applicable"}


def test_a_uhc_index_with_imputed_tracers_is_e():
    index = pl.DataFrame(
        {
            "country": ["GHA", "KEN"],
            "year": [2021, 2021],
            "sci": [45.0, 50.0],
            "rmnch": [1.0, 1.0],
            "infectious_diseases": [1.0, 1.0],
            "ncd": [1.0, 1.0],
            "capacity": [1.0, 1.0],
            "n_tracers_used": [14, 14],
            "n_tracers_imputed": [0, 2],
            "n_tracers_missing": [0, 0],
            "imputed_share": [0.0, 2 / 14],
            "malaria_high_burden": [False, True],
            "method_edition": ["sdg_3_8_1:2017"] * 2,
        }
    )
    rows = published_index(index, "uhc@2024", "run-1")
    assert dict(zip(rows["ref_area"], rows["obs_status"], strict=True)) == {"GHA": "A", "KEN": "E"}
