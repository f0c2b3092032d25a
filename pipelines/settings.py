"""Where the pipeline reads and writes, and the defaults that make it run out of the box.

Input and output directories come from ``SP_INPUT_DIR`` / ``SP_OUTPUT_DIR`` (or the CLI's
``--input`` / ``--output``), defaulting to ``data/raw`` and ``output`` in the project folder.
Dagster's own storage (runs, events, check results) lives in ``DAGSTER_HOME``, defaulting to
``.dagster_home`` in the project folder so that the UI shows the runs the main command made.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_INPUT_DIR = PROJECT_DIR / "data" / "raw"
DEFAULT_OUTPUT_DIR = PROJECT_DIR / "output"
DEFAULT_DAGSTER_HOME = PROJECT_DIR / ".dagster_home"


def input_dir() -> Path:
    return Path(os.environ.get("SP_INPUT_DIR", DEFAULT_INPUT_DIR)).resolve()


def output_dir() -> Path:
    return Path(os.environ.get("SP_OUTPUT_DIR", DEFAULT_OUTPUT_DIR)).resolve()


def dagster_home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME", DEFAULT_DAGSTER_HOME)).resolve()
