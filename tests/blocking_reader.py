"""Imported into the run workers by ``tests/test_run_limits.py`` (through
``pipelines.run_processes.PRELOAD``): reading a survey data file named ``blocked.csv`` opens the
FIFO named by ``SP_TEST_BLOCKING_FIFO`` instead, which nobody writes to, so the step blocks for
ever, as it did when a FIFO given as a data file reached the reader. The input checks now refuse
FIFOs before anything opens them; this keeps the process-level time limit, the backstop behind
them, tested on a step that really hangs."""

from __future__ import annotations

import os
from pathlib import Path

from engine import survey_files

_read_table = survey_files.read_table


def _read_table_blocking_on_a_fifo(path: Path, fmt: str, **options):
    if Path(path).name == "blocked.csv":
        with Path(os.environ["SP_TEST_BLOCKING_FIFO"]).open("rb") as fifo:
            fifo.read()
    return _read_table(path, fmt, **options)


survey_files.read_table = _read_table_blocking_on_a_fifo
