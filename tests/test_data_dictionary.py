"""The data dictionary in docs/ is the one generated from the table declarations."""

from schemas.data_dictionary import TARGET, render


def test_data_dictionary_is_current():
    assert TARGET.read_text(encoding="utf-8") == render(), "run: python -m schemas.data_dictionary"


def test_every_published_column_is_documented():
    text = render()
    for col in ("ref_area", "series", "se", "ci_lower", "reliability", "obs_status", "method_edition", "input_vintage", "run_id", "difference_se"):
        assert f"| `{col}` |" in text
