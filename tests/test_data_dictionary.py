"""The data dictionary in docs/ is the one generated from the table declarations."""

from schemas.data_dictionary import TARGET, render


def test_data_dictionary_is_current():
    assert TARGET.read_text(encoding="utf-8") == render(), "run: python -m schemas.data_dictionary"


def test_every_registry_table_is_in_the_written_dictionary():
    from schemas.registry import TABLES

    written = TARGET.read_text(encoding="utf-8")
    for table in TABLES.values():
        block = written.split(f"### `{table.name}` (`output/", 1)
        assert len(block) == 2, f"{table.name} is not in docs/data_dictionary.md"
        body = block[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
        assert table.description in body, table.name
        assert all(f"| `{c}` |" in body for c in table.fields), table.name
        if table.primary_key:
            assert f"Key: {', '.join(f'`{k}`' for k in table.primary_key)}." in body, table.name


def test_every_published_column_is_documented():
    text = render()
    for col in (
        "ref_area",
        "series",
        "se",
        "ci_lower",
        "reliability",
        "obs_status",
        "method_edition",
        "input_vintage",
        "run_id",
        "difference_se",
    ):
        assert f"| `{col}` |" in text
