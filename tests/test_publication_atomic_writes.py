"""Publication files written by two runs at once: each writer has a temporary file of its own,
so one run renaming its file into place never takes away (or mixes into) the other's."""

from __future__ import annotations

import os

import matplotlib.pyplot as plt
import polars as pl

from engine.publication import figures, sdmx


def _interleaved(module, monkeypatch, second_writer):
    """Make the first writer's rename wait until a second writer has written and renamed the
    same target (what two concurrent runs can do)."""
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append(str(src))
        if len(calls) == 1:
            second_writer()
        real(src, dst)

    monkeypatch.setattr(module.os, "replace", replace)
    return calls


def test_concurrent_sdmx_writers_do_not_collide(tmp_path, monkeypatch):
    target = tmp_path / "sdg.csv"
    first = pl.DataFrame({c: ["first"] for c in sdmx.HEADER})
    second = pl.DataFrame({c: ["second"] for c in sdmx.HEADER})
    calls = _interleaved(sdmx, monkeypatch, lambda: sdmx.write_csv(second, target))
    assert sdmx.write_csv(first, target) == 1
    assert len(set(calls)) == 2
    assert target.read_bytes().decode("utf-8") == sdmx.to_csv(first)  # the last rename wins, whole
    assert [p.name for p in tmp_path.iterdir()] == ["sdg.csv"]


def test_concurrent_figure_writers_do_not_collide(tmp_path, monkeypatch):
    target = tmp_path / "figure.png"

    def figure():
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        return fig

    calls = _interleaved(figures, monkeypatch, lambda: figures._finish(figure(), target, "second"))
    figures._finish(figure(), target, "first")
    assert len(set(calls)) == 2
    assert target.read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in tmp_path.iterdir()] == ["figure.png"]
