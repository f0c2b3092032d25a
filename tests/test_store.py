"""Atomic writes: a failed or killed write never leaves a half-written table where the old one
stood, and identical frames give identical bytes."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

from engine.store import ParquetStore


def test_failed_write_keeps_the_old_table(tmp_path, monkeypatch):
    store = ParquetStore(tmp_path)
    old = pl.DataFrame({"a": [1, 2, 3]})
    store.write(old, "indicators", "t")

    def half_write(self, path, **kwargs):
        with Path(path).open("wb") as fh:
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


SHEETS = {
    "Metadata": pl.DataFrame({"k": ["v"]}),
    "Schemes": pl.DataFrame({"id": [1, 2]}),
    "Coverage": pl.DataFrame({"n": [10]}),
}


def _folder(store) -> dict[str, pl.DataFrame]:
    folder = store.partition_dir("raw", "ssi_return", "GHA_2022")
    return {p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def test_folder_partition_is_replaced_whole(tmp_path):
    store = ParquetStore(tmp_path)
    store.write_folder(SHEETS, "raw", "ssi_return", "GHA_2022")
    new = {"Metadata": pl.DataFrame({"k": ["w"]}), "Schemes": pl.DataFrame({"id": [3]})}
    written = store.write_folder(new, "raw", "ssi_return", "GHA_2022")
    assert sorted(_folder(store)) == ["Metadata", "Schemes"]  # the old Coverage sheet is gone
    assert all(_folder(store)[k].equals(v) for k, v in new.items())
    assert written["Schemes"].path == store.partition_dir("raw", "ssi_return", "GHA_2022") / "Schemes.parquet"
    assert [p.name for p in (tmp_path / "raw" / "ssi_return").iterdir()] == ["GHA_2022"]  # no temporary folder left


def test_failed_folder_write_keeps_the_old_folder(tmp_path, monkeypatch):
    store = ParquetStore(tmp_path)
    store.write_folder(SHEETS, "raw", "ssi_return", "GHA_2022")
    real = pl.DataFrame.write_parquet
    seen = []

    def fail_on_second(self, path, **kwargs):
        seen.append(path)
        if len(seen) == 2:
            raise OSError("disk full")
        real(self, path, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", fail_on_second)
    with pytest.raises(OSError):
        store.write_folder({k: pl.DataFrame({"x": [0]}) for k in SHEETS}, "raw", "ssi_return", "GHA_2022")
    monkeypatch.undo()
    assert sorted(_folder(store)) == sorted(SHEETS) and all(_folder(store)[k].equals(v) for k, v in SHEETS.items())
    assert [p.name for p in (tmp_path / "raw" / "ssi_return").iterdir()] == ["GHA_2022"]


def test_killed_folder_write_leaves_the_old_folder_whole(tmp_path):
    store = ParquetStore(tmp_path)
    store.write_folder(SHEETS, "raw", "ssi_return", "GHA_2022")
    script = textwrap.dedent(f"""
        import os, signal, polars as pl
        from pathlib import Path
        from engine.store import ParquetStore
        real, n = pl.DataFrame.write_parquet, []
        def die_on_second(self, path, **kw):
            n.append(path)
            if len(n) == 2:
                os.kill(os.getpid(), signal.SIGKILL)
            real(self, path, **kw)
        pl.DataFrame.write_parquet = die_on_second
        sheets = {{k: pl.DataFrame({{"x": [0]}}) for k in ("Metadata", "Schemes", "Coverage")}}
        ParquetStore(Path({str(tmp_path)!r})).write_folder(sheets, "raw", "ssi_return", "GHA_2022")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    assert sorted(_folder(store)) == sorted(SHEETS) and all(_folder(store)[k].equals(v) for k, v in SHEETS.items())
    assert store.partition_ids("raw", "ssi_return") == ["GHA_2022"]  # the unfinished folder is hidden


def test_outputs_get_ordinary_permissions_not_those_of_a_private_temporary_file(tmp_path):
    # mkstemp creates 0600 files and mkdtemp 0700 folders; outputs are handed to colleagues
    # (with the usual umask 022: 0644 and 0755)
    import stat

    from engine import store as store_module

    umask = store_module._UMASK
    store = ParquetStore(tmp_path)
    table = store.write(pl.DataFrame({"a": [1]}), "indicators", "t").path
    store.write_record(
        "sources", "survey", "S1", {"source_kind": "survey", "source_id": "S1", "run_id": "r", "at": "t"}
    )
    store.write_folder({"Sheet": pl.DataFrame({"a": [1]})}, "raw", "ssi_return", "R1")
    assert stat.S_IMODE(table.stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE((tmp_path / "sources" / "survey" / "S1.parquet").stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(store.partition_dir("raw", "ssi_return", "R1").stat().st_mode) == 0o777 & ~umask
