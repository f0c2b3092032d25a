"""Figures (engine/publication/figures.py) read from their matplotlib Figure objects: titles,
axis labels with units and source notes; a cell without a value is marked n/a and has no bar
(never a bar at 0%); the nationality gap shows one row per country with its year and the 95% CI
of survey gaps, and stays legible (no two texts overlap) with 40 countries x 3 years; the gender
gap marks low-coverage aggregates. The PNG files themselves are checked end to end in
test_publication_outputs.py."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from engine.publication.aggregates import compute_aggregates
from engine.publication.annex import GAP_SCHEMA, aggregate_gender_gaps, gap_table, headline_table
from engine.publication.country_values import country_rows, select_sources
from engine.publication.figures import (
    MISSING,
    coverage_by_region_sex_chart,
    gender_gap_by_series_chart,
    nationality_gap_chart,
    save,
)
from tests.test_publication_builders import (
    config_2021,
    countries_frame,
    coverage,
    coverage_frame,
    gap,
    gap_frame,
    income_groups_frame,
    population_frame,
)

COUNTRIES = ("GHA", "TGO", "KEN", "COL")


def headline_and_gaps(config):
    # Africa: GHA, TGO, KEN report every sex; the Americas: COL has no data (imputed, 0% reported:
    # withheld). SI_COV_CHLD: women only reported, so M and T exist for no country.
    rows = []
    for iso, (t, f, m) in {"GHA": (30, 10, 20), "TGO": (40, 15, 25), "KEN": (50, 20, 30)}.items():
        rows += [
            coverage(iso, "SI_COV_PENSN", t, 100),
            coverage(iso, "SI_COV_PENSN", f, 50, sex="F"),
            coverage(iso, "SI_COV_PENSN", m, 50, sex="M"),
        ]
    rows += [coverage("GHA", "SI_COV_CHLD", 10, 50, sex="F")]
    countries = countries_frame().filter(pl.col("iso3").is_in(list(COUNTRIES)))
    population = population_frame({(iso, 2021): 1000.0 for iso in COUNTRIES})
    aggregates = compute_aggregates(
        country_rows({"sdg_1_3_1": coverage_frame(rows)}, config), countries, income_groups_frame(), population, config
    ).aggregates
    return headline_table(aggregates, config), aggregate_gender_gaps(aggregates, config)


def source_note(fig) -> str:
    """The figure-level text that is the source note (the other one is the suptitle)."""
    notes = [t.get_text() for t in fig.texts if t.get_text().startswith("Source:")]
    assert len(notes) == 1, [t.get_text() for t in fig.texts]
    return notes[0]


def test_coverage_figure_titles_units_note_and_missing_cells(tmp_path):
    config = config_2021(min_reported_share=0.3)  # the Americas withheld (the default edition withholds nothing)
    headline, _ = headline_and_gaps(config)
    chart = coverage_by_region_sex_chart(headline, config)
    fig = chart.figure
    assert (
        fig._suptitle.get_text() == "Social protection coverage by region and sex, 2021 (% of each series' population)"
    )
    axes = {ax.get_title(loc="left"): ax for ax in fig.axes}
    assert set(axes) == {config.series_label("SI_COV_PENSN"), config.series_label("SI_COV_CHLD")}
    assert all(ax.get_ylabel() == "Coverage (%)" and ax.get_ylim() == (0, 100) for ax in fig.axes)
    pensn = axes[config.series_label("SI_COV_PENSN")]
    assert [t.get_text() for t in pensn.get_xticklabels()] == ["World", "Africa", "Americas"]
    # World and Africa: 3 bars each, at the headline values; the Americas (withheld): no bar, 3 n/a marks
    bars = {round(p.get_x() + p.get_width() / 2, 6): p.get_height() for p in pensn.patches}
    world = headline.filter((pl.col("series") == "SI_COV_PENSN") & (pl.col("level") == "world"))
    expected = dict(zip(world["sex"], world["value"], strict=True))
    assert [bars[round(0 + k * 0.27, 6)] for k in (-1, 0, 1)] == pytest.approx(
        [expected["F"], expected["M"], expected["T"]]
    )
    assert len(bars) == 6 and min(bars.values()) > 0
    assert not [x for x in bars if 1.5 < x < 2.5]
    marks = sorted(round(t.get_position()[0], 6) for t in pensn.texts if t.get_text() == MISSING)
    assert marks == pytest.approx([2 - 0.27, 2, 2 + 0.27])
    # SI_COV_CHLD: only the women's aggregates exist; men and total are n/a everywhere (World, Africa)
    chld = axes[config.series_label("SI_COV_CHLD")]
    assert len(chld.patches) == 2 and sum(t.get_text() == MISSING for t in chld.texts) == 7
    legend = [t.get_text() for t in pensn.get_legend().get_texts()]
    assert legend[:3] == ["Women", "Men", "Total"] and legend[-1].startswith(
        f"{MISSING}: no value (withheld below 30% reported"
    )
    (path,) = save(chart, tmp_path / "coverage.png")
    note = source_note(fig)
    assert (
        note.startswith("Source: social protection coverage pipeline")
        and "sum of numerators over sum of denominators" in note
    )
    assert (
        f"{MISSING}: the aggregate is not published (less than 30% of its denominator reported) or has no data" in note
    )
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_gender_gap_figure_titles_units_and_note(tmp_path):
    config = config_2021(min_reported_share=0.3)  # the Americas withheld (the default edition withholds nothing)
    headline, gaps = headline_and_gaps(config)
    chart = gender_gap_by_series_chart(gaps, headline, config)
    ax = chart.figure.axes[0]
    assert ax.get_title() == "Gender gap in coverage by series, world and regions, 2021"
    assert ax.get_xlabel() == "Female minus male coverage (percentage points)"
    assert [t.get_text() for t in ax.get_yticklabels()] == [config.series_label("SI_COV_PENSN")]
    # world: 100 * (45 - 75) / 150 = -20 pp; the withheld Americas have no gap, so no point
    points = {
        t.get_text(): c.get_offsets()[0][0]
        for t, c in zip(
            ax.get_legend().get_texts()[:-1], ax.collections, strict=True
        )  # the last entry: the hollow-marker key
    }
    assert points == {"World": pytest.approx(-20.0), "Africa": pytest.approx(-20.0)}
    save(chart, tmp_path / "gap.png")
    note = source_note(chart.figure)
    assert "Negative: women less covered than men." in note


def test_nationality_gap_figure_shows_the_year_of_each_country_and_the_ci_of_survey_gaps(tmp_path):
    config = config_2021(min_reported_share=0.3)  # the Americas withheld (the default edition withholds nothing)
    rows = []
    for iso, year in (("GHA", 2021), ("KEN", 2019), ("KEN", 2015)):
        rows += [
            coverage(iso, "SI_COV_PENSN", 30, 100, year=year, nationality="national"),
            coverage(iso, "SI_COV_PENSN", 20, 100, year=year, nationality="non_national"),
        ]
    selected = select_sources(country_rows({"sdg_1_3_1": coverage_frame(rows)}, config), config)
    gaps = gap_table(
        gap_frame(
            [
                gap("GHA", "SI_COV_PENSN", "nationality", 20, 30, year=2021, ci=(-14.0, -6.0)),
                gap("KEN", "SI_COV_PENSN", "nationality", 25, 40, year=2019, ci=(-20.0, -10.0)),
                gap("KEN", "SI_COV_PENSN", "nationality", 10, 40, year=2015),  # older: not drawn
            ]
        ),
        "sdg_1_3_1",
        selected,
        "nationality",
        config,
    )
    chart = nationality_gap_chart(gaps, config)
    fig = chart.figure
    assert (
        fig._suptitle.get_text()
        == "Nationality gap in coverage by series and country, latest year of each country (2019-2021)"
    )
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == config.series_label("SI_COV_PENSN")
    assert ax.get_xlabel() == "Non-nationals minus nationals coverage (percentage points)"
    # one row per country at its latest year (GHA 2021: -10 pp, KEN 2019: -15 pp), sorted by the gap, the year in its label
    assert [t.get_text() for t in ax.get_yticklabels()] == ["KEN (2019)", "GHA (2021)"]
    assert [(line.get_xdata()[0], line.get_ydata()[0]) for line in ax.lines if line.get_marker() == "o"] == [
        (-15.0, 0),
        (-10.0, 1),
    ]
    # the 95% confidence interval of each survey gap as an error bar
    assert sorted(tuple(s[:, 0]) for c in ax.collections for s in c.get_segments()) == [(-20.0, -10.0), (-14.0, -6.0)]
    assert not ax.texts  # no years written next to points any more
    save(chart, tmp_path / "nationality.png")
    note = source_note(fig)
    assert "95% confidence interval" in note and "latest gap" in note


def test_without_withholding_the_legend_and_note_speak_of_missing_data_only():
    config = config_2021()
    assert config.min_reported_share == 0.0
    chart = coverage_by_region_sex_chart(headline_and_gaps(config)[0], config)
    legend = [t.get_text() for t in chart.figure.axes[0].get_legend().get_texts()]
    assert legend[-1] == f"{MISSING}: no value (no data)"
    assert chart.note.endswith(f"{MISSING}: the aggregate has no data for that sex.")


def overlapping_texts(fig) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts of ``fig`` (titles, tick labels, legends, notes) whose
    drawn boxes overlap: what a reader cannot read."""
    canvas = FigureCanvasAgg(fig)  # also for a figure already saved (and closed)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [
        (t.get_text(), t.get_window_extent(renderer))
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip()
    ]
    return [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]


def many_country_gaps(
    n_countries: int = 40, years=(2019, 2020, 2021), series=("SI_COV_PENSN", "SI_COV_UEMP", "SP_CONTRIB_LF")
) -> pl.DataFrame:
    """Nationality gaps (the publication table's layout) of ``n_countries`` x ``years`` x
    ``series``: even countries from surveys (with a 95% CI, every fifth flagged caution), odd ones
    administrative (no CI); country i's latest year is years[i % len(years)] (later years absent)."""
    rows = []
    for i in range(n_countries):
        last = years[i % len(years)]
        for year in (y for y in years if y <= last):
            for k, name in enumerate(series):
                diff = -30 + (7 * i + 5 * k + year) % 40
                survey = i % 2 == 0
                half = 2 + i % 5 if survey else None
                rows.append(
                    {
                        "area_kind": "country",
                        "ref_area": f"C{i:02d}",
                        "family": "sdg_1_3_1",
                        "series": name,
                        "year": year,
                        "gap_type": "nationality",
                        "sex": "T",
                        "nationality": "T",
                        "age_group": "T",
                        "urban_rural": "T",
                        "quintile": "T",
                        "hh_composition": "T",
                        "source_kind": "survey" if survey else "administrative",
                        "source_id": f"C{i:02d}_{year}",
                        "difference_pp": float(diff),
                        "difference_ci_lower": diff - half if survey else None,
                        "difference_ci_upper": diff + half if survey else None,
                        "suppressed": False,
                        "flag": "caution" if survey and i % 5 == 0 else None,
                    }
                )
    return (
        pl.DataFrame(rows)
        .with_columns(*[pl.lit(None, dtype=t).alias(c) for c, t in GAP_SCHEMA.items() if c not in rows[0]])
        .select(list(GAP_SCHEMA))
        .cast(GAP_SCHEMA)
    )


def test_nationality_gap_figure_stays_legible_with_40_countries_and_3_years(tmp_path):
    # the figure once wrote every country's year next to its point on one row per series:
    # "2021202221" where points were close; with 40 countries nothing was readable
    config = config_2021()
    gaps = many_country_gaps()
    chart = nationality_gap_chart(gaps, config)
    fig = chart.figure
    assert not overlapping_texts(fig)
    panels = {ax.get_title(loc="left"): ax for ax in fig.axes}
    order = ("SI_COV_UEMP", "SI_COV_PENSN", "SP_CONTRIB_LF")  # the order of series_labels in the edition
    assert list(panels) == [config.series_label(s) for s in order]
    latest = {f"C{i:02d}": (2019, 2020, 2021)[i % 3] for i in range(40)}
    for name, ax in zip(order, panels.values(), strict=True):
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert sorted(labels) == sorted(
            f"{iso} ({year})" for iso, year in latest.items()
        )  # one row per country, its latest year
        # rows sorted by the gap; each point at its country's gap of the latest year
        drawn = {
            labels[round(line.get_ydata()[0])]: line.get_xdata()[0]
            for line in ax.lines
            if line.get_marker() in ("o", "s")
        }
        expected = gaps.filter((pl.col("series") == name) & (pl.col("year") == pl.col("year").max().over("ref_area")))
        assert drawn == {
            f"{r['ref_area']} ({r['year']})": pytest.approx(r["difference_pp"]) for r in expected.iter_rows(named=True)
        }
        # survey gaps carry their 95% CI as an error bar, administrative ones none
        bars = sorted((round(s[0][0], 6), round(s[1][0], 6)) for c in ax.collections for s in c.get_segments())
        survey = expected.filter(pl.col("source_kind") == "survey")
        assert bars == sorted(
            (round(r["difference_ci_lower"], 6), round(r["difference_ci_upper"], 6))
            for r in survey.iter_rows(named=True)
        )
        hollow = sorted(
            labels[round(line.get_ydata()[0])] for line in ax.lines if line.get_markerfacecolor() == "white"
        )
        assert hollow == sorted(
            f"{r['ref_area']} ({r['year']})" for r in expected.filter(pl.col("flag") == "caution").iter_rows(named=True)
        )
    save(chart, tmp_path / "nationality_40.png")
    assert not overlapping_texts(fig)  # the source note too
    assert "95% confidence interval" in chart.note


def test_gender_gap_figure_marks_low_coverage_aggregates():
    # without withholding, the Americas (COL only, imputed: 0% reported) are published with
    # low_coverage: their point is hollow; the world (75% reported) and Africa (100%) are filled
    config = config_2021()
    headline, gaps = headline_and_gaps(config)
    ax = gender_gap_by_series_chart(gaps, headline, config).figure.axes[0]
    fill = {
        t.get_text(): c.get_facecolors()[0][3]
        for t, c in zip(
            ax.get_legend().get_texts()[:-1], ax.collections, strict=True
        )  # the last entry: the hollow-marker key
    }
    assert fill == {"World": 1.0, "Africa": 1.0, "Americas": 0.0}
    assert ax.get_legend().get_texts()[-1].get_text().startswith("Hollow: low coverage")
    assert not overlapping_texts(ax.figure)
