"""Typed harmonisation (issue 13, ingestion) gives what main's text harmonisation gave.

``engine.harmonise`` maps codes once per distinct value of their column and reads numbers and ids
row by row from the column's type (no text per cell). ``tests/harmonise_main.py`` is main's
implementation (7962fad: every value through its text and code key), kept as the oracle: on the
bundled surveys, on their data read as text (as a CSV export gives it), and on adversarial frames
(mixed types, blanks, codes written ``01``/``1.0``/`` 1 ``/``1e0``, NaN and inf in number
columns, huge integers, value labels, missing codes on every form, several forms of the
contract) both give the same canonical table, the same row issues in the same order, the same
quarantine, or the same error.
"""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl
import pytest
import yaml
from polars.testing import assert_frame_equal

import engine.harmonise as typed
from engine.survey_files import read_survey_files, read_value_labels
from engine.survey_spec import load_spec
from tests import harmonise_main as main
from tests.conftest import BASE_SPEC, SOURCE_COLUMNS, SOURCE_ROWS, write_data

PROJECT = Path(__file__).resolve().parent.parent
BUNDLED_SPECS = sorted((PROJECT / "data" / "raw" / "surveys").glob("*/spec.yaml"))


def _outcome(module, raw: pl.DataFrame, spec, labels) -> tuple:
    """(canonical, issues, kept persons, quarantine, quarantined rows) or the error raised."""
    try:
        canonical, issues = module.harmonise_survey(raw, spec, labels)
        ingested = module.ingest_survey(spec, raw, labels=labels)
    except Exception as exc:  # the error itself is part of the contract
        return (type(exc).__name__, str(exc))
    return canonical, issues, ingested.persons, ingested.quarantine, ingested.quarantined_rows


def assert_as_main(raw: pl.DataFrame, spec, labels=None) -> tuple:
    """The typed path's outcome equals main's, value for value, in the same row order."""
    expected, got = _outcome(main, raw, spec, labels), _outcome(typed, raw, spec, labels)
    assert len(expected) == len(got), (expected, got)
    if isinstance(expected[0], str):
        assert got == expected
        return got
    for e, g in zip(expected, got, strict=True):
        if isinstance(e, pl.DataFrame):
            assert_frame_equal(g, e, check_exact=True)
            floats = [c for c, t in e.schema.items() if t.is_float()]  # -0.0 and 0.0 compare equal: as text too
            assert_frame_equal(g.select(pl.col(floats).cast(pl.String)), e.select(pl.col(floats).cast(pl.String)))
        else:
            assert g == e
    return got


@pytest.mark.integration  # every bundled file, twice: integration-level in cost (tests/tiers.py)
@pytest.mark.parametrize("spec_path", BUNDLED_SPECS, ids=lambda p: p.parent.name)
def test_bundled_surveys_as_main(spec_path):
    """Each bundled survey as read (CSV text, Parquet, Stata and SPSS numbers and labels), and
    the same data with every column as text."""
    spec = load_spec(spec_path)
    raw, labels = read_survey_files(spec), read_value_labels(spec)
    assert_as_main(raw, spec, labels)
    assert_as_main(raw.with_columns(pl.all().cast(pl.String)), spec, labels)


def test_one_bundled_survey_with_labels_and_every_form_it_uses_as_main():
    """GHA_HIES_2022 (Stata, value labels, codes, ``in``, ``rule: positive``, expressions,
    Washington Group items, missing codes), as read and as text: the unit-tier guard."""
    spec = load_spec(PROJECT / "data" / "raw" / "surveys" / "GHA_HIES_2022" / "spec.yaml")
    raw, labels = read_survey_files(spec), read_value_labels(spec)
    canonical = assert_as_main(raw, spec, labels)[0]
    assert canonical.height == raw.height
    assert_as_main(raw.with_columns(pl.all().cast(pl.String)), spec, labels)


# --- adversarial frames -------------------------------------------------------------------------

NUMBERS = [1, 2, 3, 0, -0.0, 4, 5, 9, 97, 999, -9, -1, 2.5, 1.0, 2.0, 35.5, 36, 12000.5, 1e-7, 1e16, 2.0**53 + 2]
FLOAT_ODD = [float("nan"), float("inf"), float("-inf"), 1e308, -1e300, 1.0000000000000002, 9007199254740993.0]
INTEGERS = [1, 2, 3, 0, 4, 5, 9, 97, 999, -9, -1, 36, 100, 2**62, 9007199254740993, -(2**63)]
TEXTS = [
    "1", "2", "3", "01", " 1", "1 ", "1.0", "1.", "+1", "1e0", "2.00", "02", "0", "-0", "0.0", "9", "97", "999",
    "-9", "-1", "2.5", "2.50", "35", "36", "12000.5", "", "  ", "nan", "NaN", "inf", "-inf", "1e400", "abc",
    "GHA", " GHA", "gha", "TGO", "NA", ".", "9007199254740993", "9007199254740992", "0x1", "1_0", "true",
    "Yes", "no", "Male", "female", "1e16", "1e-7",
]  # fmt: skip


def _pick(rng: random.Random, pool: list, rows: int, blank: float = 0.1) -> list:
    return [None if rng.random() < blank else rng.choice(pool) for _ in range(rows)]


def _column(rng: random.Random, name: str, mode: str, rows: int) -> pl.Series:
    """One source column of ``rows`` adversarial values: ``int``, ``float`` (with NaN and inf),
    ``text`` or ``odd`` types (Float32, UInt64, Boolean: read through text)."""
    if mode == "int":
        return pl.Series(name, _pick(rng, INTEGERS, rows), dtype=pl.Int64)
    if mode == "float":
        return pl.Series(name, [None if v is None else float(v) for v in _pick(rng, NUMBERS + FLOAT_ODD, rows)])
    if mode == "text":
        return pl.Series(name, _pick(rng, TEXTS + [str(v) for v in NUMBERS], rows), dtype=pl.String)
    odd = rng.choice([pl.Float32, pl.UInt64, pl.Boolean, pl.Int8])
    if odd == pl.Boolean:
        return pl.Series(name, _pick(rng, [True, False], rows), dtype=pl.Boolean)
    pool = [v for v in NUMBERS if v >= 0 and v == int(v)] if odd == pl.UInt64 else [1, 2, 3, 0, 9, 97, -1]
    values = _pick(rng, [*pool, 2.5] if odd == pl.Float32 else pool, rows)
    return pl.Series(name, values, dtype=pl.Float64, strict=False).cast(odd, strict=False)


def _frame(rng: random.Random, columns: list[str], rows: int, keep: float) -> pl.DataFrame:
    """SOURCE_ROWS repeated, each column replaced (with probability 1 - keep) by an adversarial
    column of a random type; kept columns get adversarial cells mixed in."""
    base = pl.DataFrame(SOURCE_ROWS * (rows // len(SOURCE_ROWS)), schema=SOURCE_COLUMNS, orient="row")
    extra = {c: pl.Series(c, [rng.choice([1, 2, 3, 4, 5, 9]) for _ in range(base.height)]) for c in columns}
    base = base.with_columns(**extra) if extra else base
    out = []
    for name in base.columns:
        if rng.random() < keep:
            col = base[name]
            if rng.random() < 0.5:  # as text, as a CSV gives it, with a few odd cells
                col = col.cast(pl.String)
                odd = _column(rng, name, "text", base.height)
                col = pl.select(
                    pl.when(pl.Series([rng.random() < 0.1 for _ in range(base.height)])).then(odd).otherwise(col)
                ).to_series()
            out.append(col.alias(name))
        else:
            out.append(_column(rng, name, rng.choice(["int", "float", "text", "odd"]), base.height))
    return pl.DataFrame(out)


SPEC_VARIANTS = {
    "base": {},
    "missing codes everywhere": {
        "person_weight": {"source": "wgt", "missing": [-9, "."]},
        "age": {"source": "age", "missing": [999, -1, "NA"]},
        "rec_child_family": {"source": "amt_child", "rule": "positive", "missing": [-1]},
        "hh_consumption": {"source": "cons", "missing": ["NA", -9, 0]},
        "hh_oop_health": {"source": "oop", "scale": 12, "missing": [2.5]},
        "sex": {"source": "sx", "codes": {1: "M", "02": "F"}, "missing": [9, "."]},
        "nationality": {
            "source": "citz",
            "codes": {"GHA": "national", 1: "national"},
            "other": "non_national",
            "missing": ["NA", 0],
        },
        "citizenship": {"source": "citz", "missing": ["NA"]},
        "rec_oldage_contrib": {"source": "pens", "in": [1, "1.0", 97], "missing": [9]},
        "rec_social_assistance": {"expr": "amt_child > 35 OR pens = 2", "missing": [-1, 9]},
        "stratum": {"source": "strat", "missing": [0]},
        "psu": {"source": "ea", "missing": [-9]},
        "hh_id": {"source": "hid", "missing": [-1]},
        "contributor": {"source": "ssc", "codes": {1: True, 2: False, 3: "yes", 4: "0"}, "missing": [9]},
        "urban_rural": {"source": "urb", "codes": {1: "urban", 2: "rural"}, "other": "rural"},
    },
    "ids composed, generated, spread, classes": {
        "hh_id": {"key": ["strat", "hid"], "missing": [0]},
        "person_id": {"generate": "row_in_household"},
        "hh_consumption": {"source": "cons", "spread": "household"},
        "hh_oop_health": {"source": "oop", "spread": "household", "missing": [0]},
        "age": {"source": "age", "classes": {1: "0_14", 2: "15_24", 3: [25, 64], 4: "65_120"}, "missing": [9]},
        "hh_head": {"value": False},
    },
    "washington group and flags as written": {
        "wg_difficulty": {"washington_group": ["d1", "d2", "d3", "d4", "d5", "d6"], "missing": [9]},
        "severe_disability": {"expr": "d1 >= 3 OR d2 >= 3"},
        "injury_insured": {"source": "ssc"},
        "gave_birth": {"source": "disab"},
        "hh_head": {"source": "pid", "in": [1]},
        "psu": {"source": "ea", "spread": "household"},
    },
}
WG_ITEMS = ["d1", "d2", "d3", "d4", "d5", "d6"]


def _variant_spec(tmp_path: Path, variant: str) -> object:
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["variables"].update(SPEC_VARIANTS[variant])
    spec["absent"] = [a for a in spec["absent"] if a not in spec["variables"]]
    folder = tmp_path / variant.replace(" ", "_").replace(",", "") / spec["survey"]["id"]
    columns = [*SOURCE_COLUMNS, *(WG_ITEMS if "washington" in variant else [])]
    frame = pl.DataFrame(SOURCE_ROWS, schema=SOURCE_COLUMNS, orient="row")
    write_data(frame.with_columns(pl.lit(1).alias(c) for c in columns if c not in frame.columns), folder / "data.csv")
    (folder / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return load_spec(folder / "spec.yaml")


@pytest.mark.parametrize("variant", list(SPEC_VARIANTS))
@pytest.mark.parametrize("seed", range(3))
def test_adversarial_frames_as_main(tmp_path, variant, seed):
    """Random mixes of types and odd values in every source column, under specs using missing
    codes on every form, composed and generated ids, spread values, age classes, Washington
    Group items and flags read as written; value labels on the sex and status columns."""
    rng = random.Random(f"{variant}-{seed}")
    spec = _variant_spec(tmp_path, variant)
    raw = _frame(rng, WG_ITEMS if "washington" in variant else [], 96, keep=[0.9, 0.6, 0.3][seed % 3])
    labels = {"sx": {"1": "Male", "2": "Female"}, "lfs": {"1": "employed", "3": "inactive"}} if seed % 2 else None
    assert_as_main(raw, spec, labels)


def test_codes_by_value_and_label(tmp_path):
    """Codes named by their label, and missing codes, on Stata-like float codes and on text."""
    spec = yaml.safe_load(yaml.safe_dump(BASE_SPEC))
    spec["variables"]["sex"] = {"source": "sx", "codes": {"male": "M", "Female": "F"}, "missing": ["refused"]}
    folder = tmp_path / "labels" / spec["survey"]["id"]
    write_data(pl.DataFrame(SOURCE_ROWS, schema=SOURCE_COLUMNS, orient="row"), folder / "data.csv")
    (folder / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    spec = load_spec(folder / "spec.yaml")
    labels = {"sx": {"1": "Male", "2": "Female", "9": "Refused"}}
    base = pl.DataFrame(SOURCE_ROWS * 4, schema=SOURCE_COLUMNS, orient="row")
    for values in (
        [1.0, 2.0, 9.0, float("nan"), None, -0.0, 1.5, 2.0],
        ["1", "2.0", "09", "", None, " 1", "Male", "2"],
        [1, 2, 9, 0, None, 2, 1, 3],
    ):
        raw = base.with_columns(pl.Series("sx", values * (base.height // len(values))))
        assert_as_main(raw, spec, labels)
