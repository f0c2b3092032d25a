"""Atomic writes: a failed or killed write never leaves a half-written table where the old one
stood, and identical frames give identical bytes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import polars as pl
import pytest

from engine.store import ParquetStore


def test_failed_write_keeps_the_old_table(tmp_path, monkeypatch):
    store = ParquetStore(tmp_path)
    old = pl.DataFrame({"a": [1, 2, 3]})
    store.write(old, "indicators", "t")

    def half_write(self, path, **kwargs):
        with open(path, "wb") as fh:
            fh.write(b"PAR1 half")
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", half_write)
    with pytest.raises(OSError):
        store.write(pl.DataFrame({"a": [9]}), "indicators", "t")
    monkeypatch.undo()
    assert store.read("indicators", "t").equals(old)
    assert [p.name for p in (tmp_path / "indicators").iterdir()] == ["t.parquet"]  # no temporary file left


def test_killed_process_leaves_the_old_table(tmp_path):
    store = ParquetStore(tmp_path)
    old = pl.DataFrame({"a": [1, 2, 3]})
    store.write(old, "indicators", "t")
    script = textwrap.dedent(f"""
        import os, signal, polars as pl
        from engine.store import ParquetStore
        def die(self, path, **kw):
            open(path, "wb").write(b"PAR1 partial")
            os.kill(os.getpid(), signal.SIGKILL)
        pl.DataFrame.write_parquet = die
        ParquetStore(__import__("pathlib").Path({str(tmp_path)!r})).write(pl.DataFrame({{"a": [9]}}), "indicators", "t")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    assert store.read("indicators", "t").equals(old)


def test_identical_frames_give_identical_bytes(tmp_path):
    frame = pl.DataFrame({"a": [1.5, 2.5], "b": ["x", "y"]})
    first = ParquetStore(tmp_path / "1").write(frame, "x", "t")
    second = ParquetStore(tmp_path / "2").write(frame, "x", "t")
    assert first.sha256 == second.sha256
