"""Figures (engine/publication/figures.py) read from their matplotlib Figure objects: titles,
axis labels with units and source notes; a cell without a value is marked n/a and has no bar
(never a bar at 0%); the nationality gap shows the year of each point. The PNG files themselves
are checked end to end in test_publication_outputs.py."""

from __future__ import annotations

import polars as pl
import pytest

from engine.publication.aggregates import compute_aggregates
from engine.publication.annex import aggregate_gender_gaps, gap_table, headline_table
from engine.publication.country_values import country_rows, select_sources
from engine.publication.figures import MISSING, coverage_by_region_sex_chart, gender_gap_by_series_chart, nationality_gap_chart, save
from tests.test_publication_builders import (
    config_2021, countries_frame, coverage, coverage_frame, gap, gap_frame, income_groups_frame, population_frame,
)

COUNTRIES = ("GHA", "TGO", "KEN", "COL")


def headline_and_gaps(config):
    # Africa: GHA, TGO, KEN report every sex; the Americas: COL has no data (imputed, 0% reported:
    # withheld). SI_COV_CHLD: women only reported, so M and T exist for no country.
    rows = []
    for iso, (t, f, m) in {"GHA": (30, 10, 20), "TGO": (40, 15, 25), "KEN": (50, 20, 30)}.items():
        rows += [coverage(iso, "SI_COV_PENSN", t, 100), coverage(iso, "SI_COV_PENSN", f, 50, sex="F"), coverage(iso, "SI_COV_PENSN", m, 50, sex="M")]
    rows += [coverage("GHA", "SI_COV_CHLD", 10, 50, sex="F")]
    countries = countries_frame().filter(pl.col("iso3").is_in(list(COUNTRIES)))
    population = population_frame({(iso, 2021): 1000.0 for iso in COUNTRIES})
    aggregates = compute_aggregates(country_rows({"sdg_1_3_1": coverage_frame(rows)}, config), countries, income_groups_frame(), population, config).aggregates
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
    assert fig._suptitle.get_text() == "Social protection coverage by region and sex, 2021 (% of each series' population)"
    axes = {ax.get_title(loc="left"): ax for ax in fig.axes}
    assert set(axes) == {config.series_label("SI_COV_PENSN"), config.series_label("SI_COV_CHLD")}
    assert all(ax.get_ylabel() == "Coverage (%)" and ax.get_ylim() == (0, 100) for ax in fig.axes)
    pensn = axes[config.series_label("SI_COV_PENSN")]
    assert [t.get_text() for t in pensn.get_xticklabels()] == ["World", "Africa", "Americas"]
    # World and Africa: 3 bars each, at the headline values; the Americas (withheld): no bar, 3 n/a marks
    bars = {round(p.get_x() + p.get_width() / 2, 6): p.get_height() for p in pensn.patches}
    world = headline.filter((pl.col("series") == "SI_COV_PENSN") & (pl.col("level") == "world"))
    expected = {s: v for s, v in zip(world["sex"], world["value"])}
    assert [bars[round(0 + k * 0.27, 6)] for k in (-1, 0, 1)] == pytest.approx([expected["F"], expected["M"], expected["T"]])
    assert len(bars) == 6 and min(bars.values()) > 0
    assert not [x for x in bars if 1.5 < x < 2.5]
    marks = sorted(round(t.get_position()[0], 6) for t in pensn.texts if t.get_text() == MISSING)
    assert marks == pytest.approx([2 - 0.27, 2, 2 + 0.27])
    # SI_COV_CHLD: only the women's aggregates exist; men and total are n/a everywhere (World, Africa)
    chld = axes[config.series_label("SI_COV_CHLD")]
    assert len(chld.patches) == 2 and sum(t.get_text() == MISSING for t in chld.texts) == 7
    legend = [t.get_text() for t in pensn.get_legend().get_texts()]
    assert legend[:3] == ["Women", "Men", "Total"] and legend[-1].startswith(f"{MISSING}: no value (withheld below 30% reported")
    path = save(chart, tmp_path / "coverage.png")
    note = source_note(fig)
    assert note.startswith("Source: social protection coverage pipeline") and "sum of numerators over sum of denominators" in note
    assert f"{MISSING}: the aggregate is not published (less than 30% of its denominator reported) or has no data" in note
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
    points = {t.get_text(): c.get_offsets()[0][0] for t, c in zip(ax.get_legend().get_texts(), ax.collections)}
    assert points == {"World": pytest.approx(-20.0), "Africa": pytest.approx(-20.0)}
    save(chart, tmp_path / "gap.png")
    note = source_note(chart.figure)
    assert "Negative: women less covered than men." in note


def test_nationality_gap_figure_shows_the_year_of_each_point(tmp_path):
    config = config_2021(min_reported_share=0.3)  # the Americas withheld (the default edition withholds nothing)
    rows = []
    for iso, year in (("GHA", 2021), ("KEN", 2019), ("KEN", 2015)):
        rows += [coverage(iso, "SI_COV_PENSN", 30, 100, year=year, nationality="national"),
                 coverage(iso, "SI_COV_PENSN", 20, 100, year=year, nationality="non_national")]
    selected = select_sources(country_rows({"sdg_1_3_1": coverage_frame(rows)}, config), config)
    gaps = gap_table(gap_frame([
        gap("GHA", "SI_COV_PENSN", "nationality", 20, 30, year=2021),
        gap("KEN", "SI_COV_PENSN", "nationality", 25, 40, year=2019),
        gap("KEN", "SI_COV_PENSN", "nationality", 10, 40, year=2015),  # older: not drawn
    ]), "sdg_1_3_1", selected, "nationality", config)
    chart = nationality_gap_chart(gaps, config)
    ax = chart.figure.axes[0]
    assert ax.get_title() == "Nationality gap in coverage by series and country, latest year of each country (2019-2021)"
    assert ax.get_xlabel() == "Non-nationals minus nationals coverage (percentage points)"
    # one point per country at its latest year (GHA 2021: -10 pp, KEN 2019: -15 pp), the year written next to it
    assert sorted((t.get_text(), *t.xy) for t in ax.texts) == [("2019", -15.0, 0), ("2021", -10.0, 0)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["GHA", "KEN"]
    save(chart, tmp_path / "nationality.png")
    note = source_note(chart.figure)
    assert "the year of the country's latest gap" in note


def test_without_withholding_the_legend_and_note_speak_of_missing_data_only():
    config = config_2021()
    assert config.min_reported_share == 0.0
    chart = coverage_by_region_sex_chart(headline_and_gaps(config)[0], config)
    legend = [t.get_text() for t in chart.figure.axes[0].get_legend().get_texts()]
    assert legend[-1] == f"{MISSING}: no value (no data)"
    assert chart.note.endswith(f"{MISSING}: the aggregate has no data for that sex.")
