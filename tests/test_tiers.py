"""The test tiers (tests/tiers.py): a module is ``integration`` when it uses the Dagster wiring,
directly, through a helper of tests/, or by running a ``pipelines`` module in a subprocess."""

from __future__ import annotations

from pathlib import Path

from tests import tiers

pytest_plugins = ("pytester",)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_suite_splits_by_what_each_module_uses():
    assert tiers.tier(tiers.TESTS_DIR / "test_store.py") == "unit"
    assert tiers.tier(tiers.TESTS_DIR / "test_survey_estimation.py") == "unit"
    assert tiers.tier(tiers.TESTS_DIR / "test_pipeline_ingest.py") == "integration"  # imports dagster
    assert tiers.tier(tiers.TESTS_DIR / "test_end_to_end.py") == "integration"  # runs the main command


def test_imports_inside_functions_helpers_and_subprocess_modules_count(tmp_path, monkeypatch):
    monkeypatch.setattr(tiers, "TESTS_DIR", tmp_path)
    write(tmp_path, "wiring_helper.py", "def run():\n    import dagster as dg\n    return dg\n")
    write(tmp_path, "plain_helper.py", "from tests.loop_helper import x\nimport polars\n")
    write(tmp_path, "loop_helper.py", "from tests.plain_helper import polars\nx = 1\n")
    cases = {
        "test_engine.py": ("from engine.store import ParquetStore\nfrom schemas import tables\n", False),
        "test_nested.py": ("def test_x():\n    from assets.raw.surveys import survey_file\n", True),
        "test_via_helper.py": ("from tests.wiring_helper import run\n", True),
        "test_plain_helpers.py": ("from tests.plain_helper import x\n", False),  # a cycle of plain helpers
        "test_cli.py": ("import subprocess, sys\nsubprocess.run([sys.executable, '-m', 'pipelines.runner'])\n", True),
        "test_mentions.py": ('"""Checks what the pipelines write (no wiring used)."""\nimport polars\n', False),
    }
    for name, (text, expected) in cases.items():
        assert tiers.uses_wiring(write(tmp_path, name, text)) is expected, name


def test_a_test_marked_integration_by_hand_leaves_the_unit_tier(pytester):
    pytester.makeconftest(
        "from tests.tiers import mark_tiers\n\n\ndef pytest_collection_modifyitems(items):\n    mark_tiers(items)\n"
    )
    pytester.makeini("[pytest]\nmarkers =\n    unit: fast tier\n    integration: wiring or whole data\n")
    pytester.makepyfile(
        test_engine="import pytest\n\n\ndef test_small_frame():\n    pass\n\n\n"
        "@pytest.mark.integration\ndef test_every_bundled_file():\n    pass\n"
    )
    unit = pytester.runpytest("-m", "unit", "-q", "-p", "no:cacheprovider")
    unit.assert_outcomes(passed=1, deselected=1)
    assert "test_every_bundled_file" not in unit.stdout.str()
    integration = pytester.runpytest("-m", "integration", "-v", "-p", "no:cacheprovider")
    integration.assert_outcomes(passed=1, deselected=1)
    assert "test_every_bundled_file PASSED" in integration.stdout.str()


def test_a_tier_run_does_not_import_the_modules_it_cannot_select(tmp_path, monkeypatch):
    monkeypatch.setattr(tiers, "TESTS_DIR", tmp_path)
    engine = write(tmp_path, "test_engine_only.py", "import polars\n\n\ndef test_x():\n    pass\n")
    by_hand = write(
        tmp_path, "test_bundle.py", "import pytest\n\n\n@pytest.mark.integration\ndef test_every_file():\n    pass\n"
    )
    wired = write(tmp_path, "test_wired.py", "import dagster\n")
    for markexpr, skipped in (
        ("unit", {wired}),
        ("not unit", {engine}),
        ("integration", {engine}),
        ("", set()),
        ("not slow", set()),
        ("unit or integration", set()),
    ):
        assert {p for p in (engine, by_hand, wired) if tiers.without_tests_of(markexpr, p)} == skipped, markexpr
