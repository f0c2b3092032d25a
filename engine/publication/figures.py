"""Figures for the report, drawn from the publication tables (PNG at 150 dpi, and SVG and PDF
as ``figures.formats`` lists them).

* ``coverage_by_region_sex.png`` (headline): one panel per series of ``figures.series``,
  coverage of women, men and everyone in the world and each region of ``figures.region_level``
  in the latest reference year; a hatched bar marks an aggregate with low coverage by reported
  data (``low_coverage``); a cell without a value (no aggregate for that group and sex, or one
  withheld for too little reported data, ``value_withheld``) has no bar but an "n/a" mark, never
  a bar at 0%.
* ``gender_gap_by_series.png`` (gender gaps of the aggregates, the headline's vintage): female
  minus male, percentage points, world and regions, every sex-aggregated series, latest
  reference year; a hollow marker where the female or male aggregate has ``low_coverage``;
  the regions of a series side by side (a small vertical offset each), not on top of each other.
* ``nationality_gap.png`` (nationality gaps, countries): non-nationals minus nationals,
  percentage points, each country and series with an unsuppressed gap in its latest year: one
  panel per series (in the order of ``series_labels``), one row per country labelled
  ``<ISO3> (<year>)`` and sorted by the gap, the panels' heights growing with their countries
  (``ROW_INCHES`` a row) so that labels never overlap; survey gaps as circles with their 95%
  confidence interval as error bars, administrative gaps as squares, gaps flagged ``caution``
  hollow. Drawn only where such gaps exist.

Every figure has a title, axis labels with units and a source note (``figures.source_note``,
and ``figures.aggregate_note`` under figures of aggregates), which names the synthetic inputs the
values shown rest on. The ``*_chart`` functions build a
:class:`Chart` (the matplotlib Figure and its source note) without writing anything;
:func:`save` writes one (the note is added to the figure then) and :func:`draw_figures` returns
the paths written.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import matplotlib as mpl

mpl.use("Agg")
mpl.rcParams["svg.fonttype"] = "none"  # text stays text in SVG: searchable, editable by report designers
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from engine.publication.annex import primary_vintage  # noqa: E402
from engine.publication.config import PublicationConfig  # noqa: E402
from engine.store import publish  # noqa: E402

SEX_STYLE = {"F": ("Women", "#b2182b"), "M": ("Men", "#2166ac"), "T": ("Total", "#7f7f7f")}
NATIONALITY_STYLE = {"survey": "#1b7837", "administrative": "#762a83"}
ROW_INCHES = 0.2  # height of one country row in the nationality gap figure (labels 7 pt)
PANEL_TITLE_INCHES = 0.45  # a panel's title and the space above it
DPI = 150
MISSING = "n/a"


@dataclass
class Chart:
    """A matplotlib figure with the source note that :func:`save` writes under it."""

    figure: Figure
    note: str  # the source note, written under the figure by :func:`save`


def _finish(fig, path: Path, note: str, formats: tuple[str, ...] = ("png",)) -> list[Path]:
    """Write ``fig`` with ``note`` under it to ``path`` in each of ``formats`` (the suffix of
    ``path`` replaced: PNG at 150 dpi, SVG and PDF as vectors); returns the paths written.
    """
    fig.text(0.01, 0.01, textwrap.fill(note, 150), fontsize=7, color="#444444", va="bottom", ha="left")
    path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for fmt in formats:
            target = path.with_suffix(f".{fmt}")
            # a temporary file of its own (concurrent runs never share one), renamed over the target:
            # never a half-written figure where the old one stood
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fig.savefig(fh, dpi=DPI, format=fmt)
                publish(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            written.append(target)
    finally:
        plt.close(fig)
    return written


def synthetic_note(names: list[str]) -> str:
    """The footnote naming the synthetic inputs a figure rests on (empty when none)."""
    names = sorted({n for cell in names if cell for n in cell.split(", ") if n})
    return f" Synthetic inputs (not official statistics) under the values shown: {', '.join(names)}." if names else ""


def save(chart: Chart, path: Path, formats: tuple[str, ...] = ("png",)) -> list[Path]:
    """Write ``chart`` with its source note to ``path`` in each of ``formats`` (atomically)."""
    return _finish(chart.figure, path, chart.note, formats)


def coverage_by_region_sex_chart(headline: pl.DataFrame, config: PublicationConfig) -> Chart | None:
    """Coverage of the edition's figure series by region and sex in the latest year (world and the
    regions of the figure's level); None when the headline has no such value.
    """
    level = config.figures["region_level"]
    series = [s for s in config.figures["series"] if s in headline["series"].unique().to_list()]
    frame = primary_vintage(
        headline.filter(pl.col("latest") & pl.col("series").is_in(series) & pl.col("level").is_in(["world", level]))
    )
    if frame.is_empty():
        return None
    year = int(frame.select(pl.col("year").max()).item())
    regions = ["World"] + sorted(r for r in frame["region"].unique().to_list() if r != "World")
    fig, axes = plt.subplots(len(series), 1, figsize=(11, 2.6 * len(series) + 1.6), squeeze=False)
    width = 0.27
    for ax, name in zip(axes[:, 0], series, strict=True):
        part = frame.filter((pl.col("series") == name) & ~pl.col("value_withheld") & pl.col("value").is_not_null())
        for i, sex in enumerate(("F", "M", "T")):
            label, colour = SEX_STYLE[sex]
            cells = {r["region"]: r for r in part.filter(pl.col("sex") == sex).iter_rows(named=True)}
            xs = [j + (i - 1) * width for j in range(len(regions))]
            shown = [(x, cells[r]) for x, r in zip(xs, regions, strict=True) if r in cells]
            bars = ax.bar([x for x, _ in shown], [c["value"] for _, c in shown], width, color=colour, label=label)
            for bar, (_, c) in zip(bars, shown, strict=True):
                bar.set_hatch("//" if c["low_coverage"] else "")
            for x, r in zip(xs, regions, strict=True):
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
    handles.append(
        Patch(
            facecolor="white",
            edgecolor="black",
            hatch="//",
            label=f"Reported data < {config.low_coverage_share:.0%} of denominator",
        )
    )
    withheld = (
        f"withheld below {config.min_reported_share:.0%} reported, or no data"
        if config.min_reported_share > 0
        else "no data"
    )
    handles.append(Patch(facecolor="none", edgecolor="none", label=f"{MISSING}: no value ({withheld})"))
    axes[0, 0].legend(handles=handles, ncol=3, fontsize=8, loc="upper right")
    fig.suptitle(f"Social protection coverage by region and sex, {year} (% of each series' population)", fontsize=12)
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    why = (
        f"is not published (less than {config.min_reported_share:.0%} of its denominator reported) or "
        if config.min_reported_share > 0
        else ""
    )
    note = f"{config.figures['source_note']} {config.figures['aggregate_note']} {MISSING}: the aggregate {why}has no data for that sex."
    return Chart(fig, note)


def _region_colours(regions: list[str]) -> dict[str, Any]:
    """World in black, the regions in the qualitative tab10 colours, in order."""
    cmap = plt.get_cmap("tab10")
    assert isinstance(cmap, ListedColormap)  # a qualitative map: a list of colours
    palette = cast(Sequence[Any], cmap.colors)
    others = [r for r in regions if r != "World"]
    return {"World": "black", **{r: palette[i % len(palette)] for i, r in enumerate(others)}}


def _low_coverage_gaps(frame: pl.DataFrame, headline: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (aggregate gender gaps) with ``low_coverage``: the female or the male aggregate
    it is taken from has ``low_coverage`` in the headline.
    """
    flags = (
        headline.filter(pl.col("sex").is_in(["F", "M"]))
        .group_by("series", "vintage", "level", pl.col("region").alias("ref_area"), "year")
        .agg(pl.col("low_coverage").any())
    )
    return frame.join(flags, on=["series", "vintage", "level", "ref_area", "year"], how="left").with_columns(
        pl.col("low_coverage").fill_null(False)
    )


def gender_gap_by_series_chart(gaps: pl.DataFrame, headline: pl.DataFrame, config: PublicationConfig) -> Chart | None:
    """Women minus men in percentage points by series, for the world and the regions of the figure's
    level in the latest year; None when there is no gap to show.
    """
    level = config.figures["region_level"]
    frame = gaps.filter(
        (pl.col("area_kind") == "aggregate")
        & pl.col("level").is_in(["world", level])
        & pl.col("difference_pp").is_not_null()
    )
    if frame.is_empty():
        return None
    frame = frame.join(primary_vintage(headline).select("series", "vintage").unique(), on=["series", "vintage"])
    frame = _low_coverage_gaps(frame.filter(pl.col("year") == pl.col("year").max().over("series")), headline)
    year = int(frame.select(pl.col("year").max()).item())
    series = sorted(frame["series"].unique().to_list())
    regions = ["World"] + sorted(r for r in frame["ref_area"].unique().to_list() if r != "World")
    colours = _region_colours(regions)
    fig, ax = plt.subplots(figsize=(11, max(4.5, 0.45 * len(series) + 2.4)))
    markers = ["D", "o", "s", "^", "v", "P", "X", "*"]
    step = min(0.12, 0.8 / len(regions))  # regions side by side within a series' row, not on top of each other
    for i, region in enumerate(regions):
        part = {r["series"]: r for r in frame.filter(pl.col("ref_area") == region).iter_rows(named=True)}
        ys = [j for j, s in enumerate(series) if s in part]
        offset = (i - (len(regions) - 1) / 2) * step
        colour = colours[region]
        ax.scatter(
            [part[series[j]]["difference_pp"] for j in ys],
            [j + offset for j in ys],
            marker=markers[i % len(markers)],
            s=60 if region == "World" else 30,
            edgecolors=[colour] * len(ys),
            linewidths=1.2,
            facecolors=["none" if part[series[j]]["low_coverage"] else colour for j in ys],
            label=region,
            zorder=3,
        )
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_yticks(range(len(series)))
    ax.set_yticklabels([textwrap.fill(config.series_label(s), 48) for s in series], fontsize=8)
    ax.set_ylim(-0.6, len(series) - 0.4)
    ax.set_xlabel("Female minus male coverage (percentage points)")
    ax.set_title(f"Gender gap in coverage by series, world and regions, {year}", fontsize=12)
    ax.grid(axis="x", alpha=0.3)
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=markers[i % len(markers)],
            markersize=8 if r == "World" else 6,
            color=colours[r],
            label=r,
        )
        for i, r in enumerate(regions)
    ]
    handles.append(
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=6,
            markerfacecolor="none",
            markeredgecolor="#444444",
            label=f"Hollow: low coverage (< {config.low_coverage_share:.0%} reported)",
        )
    )
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    note = (
        f"{config.figures['source_note']} {config.figures['aggregate_note']} Negative: women less covered than men. "
        f"Hollow markers: the female or male aggregate rests on reported data for less than {config.low_coverage_share:.0%} of its "
        "denominator (low_coverage), the rest imputed."
    )
    return Chart(fig, note)


def _latest_country_gaps(gaps: pl.DataFrame) -> pl.DataFrame:
    """Unsuppressed country gaps of the totals (sex, age group, area T), the latest year of each
    country and series.
    """
    frame = gaps.filter(
        (pl.col("area_kind") == "country")
        & (pl.col("sex") == "T")
        & pl.col("difference_pp").is_not_null()
        & (pl.col("age_group") == "T")
        & (pl.col("urban_rural") == "T")
    )
    frame = frame.filter(pl.col("year") == pl.col("year").max().over("ref_area", "series"))
    return frame.sort("ref_area", "series", "source_kind", "source_id").unique(
        ["ref_area", "series"], keep="first", maintain_order=True
    )


def nationality_gap_chart(gaps: pl.DataFrame, config: PublicationConfig) -> Chart | None:
    """Nationals minus non-nationals in percentage points by country, one panel per series (latest
    year of each country); None when there is no such gap.
    """
    frame = _latest_country_gaps(gaps)
    order = {s: i for i, s in enumerate(config.series_labels)}
    series = sorted(frame["series"].unique().to_list(), key=lambda s: (order.get(s, len(order)), s))
    if not series:
        return None
    years = sorted(frame["year"].unique().to_list())
    rows = {s: frame.filter(pl.col("series") == s).sort("difference_pp", "ref_area") for s in series}
    heights = [ROW_INCHES * (rows[s].height + 0.6) for s in series]  # one row per country
    # inches: title and legend above; the x axis (ticks and label) and the source note below
    top_in, x_axis_in, note_in = 0.85, 0.6, 0.9
    fig, axes = plt.subplots(
        len(series),
        1,
        sharex=True,
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
        figsize=(11, max(4.5, top_in + x_axis_in + note_in + sum(heights) + PANEL_TITLE_INCHES * len(series))),
    )
    for ax, name in zip(axes[:, 0], series, strict=True):
        part = rows[name]
        for i, r in enumerate(part.iter_rows(named=True)):
            survey = r["source_kind"] == "survey"
            colour = NATIONALITY_STYLE["survey" if survey else "administrative"]
            if (
                r["difference_ci_lower"] is not None and r["difference_ci_upper"] is not None
            ):  # 95% CI of a survey-based gap
                ax.errorbar(
                    r["difference_pp"],
                    i,
                    xerr=[
                        [r["difference_pp"] - r["difference_ci_lower"]],
                        [r["difference_ci_upper"] - r["difference_pp"]],
                    ],
                    fmt="none",
                    ecolor=colour,
                    elinewidth=1.0,
                    capsize=2,
                    zorder=2,
                )
            ax.plot(
                r["difference_pp"],
                i,
                linestyle="none",
                marker="o" if survey else "s",
                markersize=5,
                markeredgecolor=colour,
                markerfacecolor="white" if r["flag"] == "caution" else colour,
                zorder=3,
            )
        ax.set_yticks(range(part.height))
        ax.set_yticklabels([f"{r['ref_area']} ({r['year']})" for r in part.iter_rows(named=True)], fontsize=7)
        ax.set_ylim(-0.7, part.height - 0.3)
        ax.set_title(config.series_label(name), fontsize=9, loc="left")
        ax.axvline(0, color="#444444", linewidth=0.8)
        ax.grid(axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel("Non-nationals minus nationals coverage (percentage points)")
    handles = [
        Line2D(
            [],
            [],
            color=NATIONALITY_STYLE["survey"],
            marker="o",
            markersize=5,
            label="Survey, with its 95% confidence interval",
        ),
        Line2D(
            [],
            [],
            linestyle="none",
            color=NATIONALITY_STYLE["administrative"],
            marker="s",
            markersize=5,
            label="Administrative (SSI), no sampling error",
        ),
        Line2D(
            [],
            [],
            linestyle="none",
            color="#444444",
            marker="o",
            markersize=5,
            markerfacecolor="white",
            label="Hollow: use with caution",
        ),
    ]
    span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
    height = fig.get_figheight()
    fig.suptitle(
        f"Nationality gap in coverage by series and country, latest year of each country ({span})",
        fontsize=12,
        y=1 - 0.2 / height,
        va="top",
    )
    fig.legend(handles=handles, loc="upper center", ncol=3, fontsize=8, bbox_to_anchor=(0.5, 1 - 0.55 / height))
    fig.tight_layout(rect=(0, note_in / height, 1, 1 - top_in / height))
    note = (
        f"{config.figures['source_note']} Negative: non-nationals less covered than nationals. Each country at the year of its latest "
        "gap (in brackets). Bars: 95% confidence interval of the survey estimate of the gap (design-based); administrative gaps have "
        "no sampling error. Hollow: flagged caution (small sample or high coefficient of variation). Suppressed gaps are not shown."
    )
    return Chart(fig, note)


def draw_figures(
    headline: pl.DataFrame,
    gender_gaps: pl.DataFrame,
    nationality_gaps: pl.DataFrame,
    config: PublicationConfig,
    folder: Path,
) -> list[Path]:
    """Draw every figure in every format of ``figures.formats``; each note names the synthetic
    inputs under the values of its table (the latest headline of the figure's vintage, the gap rows).
    """
    latest = primary_vintage(headline.filter(pl.col("latest")))
    charts = {
        "coverage_by_region_sex.png": (
            coverage_by_region_sex_chart(headline, config),
            latest["synthetic_inputs"].to_list(),
        ),
        "gender_gap_by_series.png": (
            gender_gap_by_series_chart(gender_gaps, headline, config),
            gender_gaps.filter(pl.col("area_kind") == "aggregate")["synthetic_inputs"].to_list(),
        ),
        "nationality_gap.png": (
            nationality_gap_chart(nationality_gaps, config),
            nationality_gaps["synthetic_inputs"].to_list(),
        ),
    }
    formats = tuple(config.figures.get("formats") or ("png",))
    written = []
    for name, (chart, names) in charts.items():
        if chart is not None:
            chart.note += synthetic_note(names)
            written += save(chart, folder / name, formats)
    return written
