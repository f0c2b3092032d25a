"""Figures for the report, drawn from the publication tables (PNG, 150 dpi).

* ``coverage_by_region_sex.png`` (headline): one panel per series of ``figures.series``,
  coverage of women, men and everyone in the world and each region of ``figures.region_level``
  in the latest reference year; a hatched bar marks an aggregate with low coverage by reported
  data (``low_coverage``); a cell without a value (no aggregate for that group and sex, or one
  withheld for too little reported data, ``value_withheld``) has no bar but an "n/a" mark, never
  a bar at 0%.
* ``gender_gap_by_series.png`` (gender gaps of the aggregates, the headline's vintage): female
  minus male, percentage points, world and regions, every sex-aggregated series, latest
  reference year.
* ``nationality_gap.png`` (nationality gaps, countries): non-nationals minus nationals,
  percentage points, each country and series with an unsuppressed gap in its latest year; the
  year of each point is written next to it (countries' latest years differ). Drawn only where
  such gaps exist.

Every figure has a title, axis labels with units and a source note (``figures.source_note``,
and ``figures.aggregate_note`` under figures of aggregates). The ``*_chart`` functions build a
:class:`Chart` (the matplotlib Figure and its source note) without writing anything;
:func:`save` writes one (the note is added to the figure then) and :func:`draw_figures` returns
the paths written.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
import polars as pl  # noqa: E402

from engine.publication.config import PublicationConfig  # noqa: E402
from engine.store import publish  # noqa: E402

SEX_STYLE = {"F": ("Women", "#b2182b"), "M": ("Men", "#2166ac"), "T": ("Total", "#7f7f7f")}
DPI = 150
MISSING = "n/a"


@dataclass
class Chart:
    figure: Figure
    note: str  # the source note, written under the figure by :func:`save`


def _finish(fig, path: Path, note: str) -> Path:
    fig.text(0.01, 0.01, textwrap.fill(note, 150), fontsize=7, color="#444444", va="bottom", ha="left")
    path.parent.mkdir(parents=True, exist_ok=True)
    # a temporary file of its own (concurrent runs never share one), renamed over the target:
    # never a half-written figure where the old one stood
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fig.savefig(fh, dpi=DPI, format="png")
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        plt.close(fig)
    return path


def _primary(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows of one vintage per series: the one with the most reporting countries (as in the
    SDMX export)."""
    best = (
        frame.group_by("series", "vintage").agg(pl.col("n_reported").sum().alias("_n"))
        .sort("_n", "vintage", descending=[True, False]).group_by("series", maintain_order=True).first()
        .select("series", "vintage")
    )
    return frame.join(best, on=["series", "vintage"])


def save(chart: Chart, path: Path) -> Path:
    """Write ``chart`` with its source note to ``path`` (PNG, atomically)."""
    return _finish(chart.figure, path, chart.note)


def coverage_by_region_sex_chart(headline: pl.DataFrame, config: PublicationConfig) -> Chart | None:
    level = config.figures["region_level"]
    series = [s for s in config.figures["series"] if s in headline["series"].unique().to_list()]
    frame = _primary(headline.filter(pl.col("latest") & pl.col("series").is_in(series) & pl.col("level").is_in(["world", level])))
    if frame.is_empty():
        return None
    year = int(frame["year"].max())
    regions = ["World"] + sorted(r for r in frame["region"].unique().to_list() if r != "World")
    fig, axes = plt.subplots(len(series), 1, figsize=(11, 2.6 * len(series) + 1.6), squeeze=False)
    width = 0.27
    for ax, name in zip(axes[:, 0], series):
        part = frame.filter((pl.col("series") == name) & ~pl.col("value_withheld") & pl.col("value").is_not_null())
        for i, sex in enumerate(("F", "M", "T")):
            label, colour = SEX_STYLE[sex]
            cells = {r["region"]: r for r in part.filter(pl.col("sex") == sex).iter_rows(named=True)}
            xs = [j + (i - 1) * width for j in range(len(regions))]
            shown = [(x, cells[r]) for x, r in zip(xs, regions) if r in cells]
            bars = ax.bar([x for x, _ in shown], [c["value"] for _, c in shown], width, color=colour, label=label)
            for bar, (_, c) in zip(bars, shown):
                bar.set_hatch("//" if c["low_coverage"] else "")
            for x, r in zip(xs, regions):
                if r not in cells:  # no value: a mark, not a bar at 0%
                    ax.text(x, 2, MISSING, rotation=90, ha="center", va="bottom", fontsize=7, color=colour)
        ax.set_title(config.series_label(name), fontsize=10, loc="left")
        ax.set_xlim(-0.6, len(regions) - 0.4)  # the same slots in every panel, whatever has a bar
        ax.set_ylim(0, 100)
        ax.set_ylabel("Coverage (%)")
        ax.set_xticks(range(len(regions)))
        ax.set_xticklabels([textwrap.fill(r, 16) for r in regions], fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    handles = [Patch(facecolor=SEX_STYLE[s][1], label=SEX_STYLE[s][0]) for s in ("F", "M", "T")]
    handles.append(Patch(facecolor="white", edgecolor="black", hatch="//", label=f"Reported data < {config.low_coverage_share:.0%} of denominator"))
    withheld = f"withheld below {config.min_reported_share:.0%} reported, or no data" if config.min_reported_share > 0 else "no data"
    handles.append(Patch(facecolor="none", edgecolor="none", label=f"{MISSING}: no value ({withheld})"))
    axes[0, 0].legend(handles=handles, ncol=3, fontsize=8, loc="upper right")
    fig.suptitle(f"Social protection coverage by region and sex, {year} (% of each series' population)", fontsize=12)
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    why = f"is not published (less than {config.min_reported_share:.0%} of its denominator reported) or " if config.min_reported_share > 0 else ""
    note = f"{config.figures['source_note']} {config.figures['aggregate_note']} {MISSING}: the aggregate {why}has no data for that sex."
    return Chart(fig, note)


def gender_gap_by_series_chart(gaps: pl.DataFrame, headline: pl.DataFrame, config: PublicationConfig) -> Chart | None:
    level = config.figures["region_level"]
    frame = gaps.filter((pl.col("area_kind") == "aggregate") & pl.col("level").is_in(["world", level]) & pl.col("difference_pp").is_not_null())
    if frame.is_empty():
        return None
    frame = frame.join(_primary(headline).select("series", "vintage").unique(), on=["series", "vintage"])
    frame = frame.filter(pl.col("year") == pl.col("year").max().over("series"))
    year = int(frame["year"].max())
    series = sorted(frame["series"].unique().to_list())
    regions = ["World"] + sorted(r for r in frame["ref_area"].unique().to_list() if r != "World")
    fig, ax = plt.subplots(figsize=(11, max(4.5, 0.45 * len(series) + 2.4)))
    markers = ["D", "o", "s", "^", "v", "P", "X", "*"]
    for i, region in enumerate(regions):
        part = {r["series"]: r["difference_pp"] for r in frame.filter(pl.col("ref_area") == region).iter_rows(named=True)}
        ys = [j for j, s in enumerate(series) if s in part]
        ax.scatter([part[series[j]] for j in ys], ys, marker=markers[i % len(markers)], s=60 if region == "World" else 30,
                   color="black" if region == "World" else None, label=region, zorder=3)
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_yticks(range(len(series)))
    ax.set_yticklabels([textwrap.fill(config.series_label(s), 48) for s in series], fontsize=8)
    ax.set_xlabel("Female minus male coverage (percentage points)")
    ax.set_title(f"Gender gap in coverage by series, world and regions, {year}", fontsize=12)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return Chart(fig, f"{config.figures['source_note']} {config.figures['aggregate_note']} Negative: women less covered than men.")


def nationality_gap_chart(gaps: pl.DataFrame, config: PublicationConfig) -> Chart | None:
    frame = gaps.filter(
        (pl.col("area_kind") == "country") & (pl.col("sex") == "T") & pl.col("difference_pp").is_not_null()
        & (pl.col("age_group") == "T") & (pl.col("urban_rural") == "T")
    )
    if frame.is_empty():
        return None
    frame = frame.filter(pl.col("year") == pl.col("year").max().over("ref_area", "series")).unique(["ref_area", "series"], keep="first")
    series = sorted(frame["series"].unique().to_list())
    countries = sorted(frame["ref_area"].unique().to_list())
    years = sorted(frame["year"].unique().to_list())
    fig, ax = plt.subplots(figsize=(11, max(4.5, 0.45 * len(series) + 2.4)))
    markers = ["o", "s", "^", "v", "D", "P", "X", "*"]
    for i, country in enumerate(countries):
        part = {r["series"]: (r["difference_pp"], r["year"]) for r in frame.filter(pl.col("ref_area") == country).iter_rows(named=True)}
        ys = [j for j, s in enumerate(series) if s in part]
        ax.scatter([part[series[j]][0] for j in ys], ys, marker=markers[i % len(markers)], s=30, label=country, zorder=3)
        for j in ys:  # the year of each point: countries' latest years differ
            ax.annotate(str(part[series[j]][1]), (part[series[j]][0], j), xytext=(4, 4), textcoords="offset points", fontsize=6, color="#444444")
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_yticks(range(len(series)))
    ax.set_yticklabels([textwrap.fill(config.series_label(s), 48) for s in series], fontsize=8)
    ax.set_xlabel("Non-nationals minus nationals coverage (percentage points)")
    span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
    ax.set_title(f"Nationality gap in coverage by series and country, latest year of each country ({span})", fontsize=12)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="center left", bbox_to_anchor=(1.0, 0.5), title="Country (ISO3)", title_fontsize=7)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return Chart(fig, config.figures["source_note"] + " Negative: non-nationals less covered than nationals. Next to each point: "
                 "the year of the country's latest gap. Suppressed gaps are not shown.")


def draw_figures(headline: pl.DataFrame, gender_gaps: pl.DataFrame, nationality_gaps: pl.DataFrame, config: PublicationConfig, folder: Path) -> list[Path]:
    charts = {
        "coverage_by_region_sex.png": coverage_by_region_sex_chart(headline, config),
        "gender_gap_by_series.png": gender_gap_by_series_chart(gender_gaps, headline, config),
        "nationality_gap.png": nationality_gap_chart(nationality_gaps, config),
    }
    return [save(chart, folder / name) for name, chart in charts.items() if chart is not None]
