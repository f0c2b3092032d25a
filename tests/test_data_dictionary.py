"""The data dictionary in docs/ is the one generated from the table declarations."""

from schemas.data_dictionary import TARGET, render


def test_data_dictionary_is_current():
    assert TARGET.read_text(encoding="utf-8") == render(), "run: python -m schemas.data_dictionary"


def test_the_publication_tables_are_in_the_written_dictionary():
    from schemas.resources.publication import RESOURCES

    written = TARGET.read_text(encoding="utf-8")
    section = written.split("## Publication tables", 1)[1].split("\n## ", 1)[0]
    for table in RESOURCES:
        block = section.split(f"### `{table.name}` (`output/{table.path()}`)", 1)
        assert len(block) == 2, f"{table.name} is not in docs/data_dictionary.md"
        body = block[1].split("\n### ", 1)[0]
        assert table.description in body
        assert all(f"| `{v.name}` |" in body for v in table.columns), table.name


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
