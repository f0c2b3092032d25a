"""Publication of the groups at risk (issue 11): the informal vs formal gap table (masked where an
estimate is suppressed), the gender gap in benefit levels, the figure, and the SDMX extension
file (unique observation keys, the groups in the DSD's dimensions or CUST_BREAKDOWN, suppressed
values withheld), on hand-made indicator rows."""

from __future__ import annotations

import csv

import polars as pl
import pytest

from engine.method_config import load_method
from engine.publication.figures import save
from engine.publication.groups import (
    benefit_level_gap_table,
    groups_sdmx_frame,
    informality_gap_chart,
    informality_gap_table,
)
from engine.publication.sdmx import HEADER, write_csv

ID = {
    "ref_area": "GHA",
    "year": 2022,
    "source_kind": "survey",
    "source_id": "GHA_HIES_2022",
    "series": "SP_CONTRIB_EMP",
}


def _groups() -> pl.DataFrame:
    rows = []
    for sex, informal, formal, rel in (
        ("T", 9.0, 94.0, "reliable"),
        ("F", 10.0, 92.0, "suppress"),
        ("M", 8.0, 95.0, "reliable"),
    ):
        for group, value in (("informal", informal), ("formal", formal)):
            rows.append(
                {
                    **ID,
                    "breakdown": "informality",
                    "group": group,
                    "sex": sex,
                    "value": value,
                    "ci_lower": value - 2,
                    "ci_upper": value + 2,
                    "n_unweighted": 40 if rel == "suppress" and group == "formal" else 500,
                    "reliability": rel if group == "formal" else "reliable",
                }
            )
    rows.append(
        {
            **ID,
            "breakdown": "youth",
            "group": "youth",
            "sex": "T",
            "value": 12.0,
            "ci_lower": 10.0,
            "ci_upper": 14.0,
            "n_unweighted": 300,
            "reliability": "caution",
        }
    )
    rows.append(
        {
            **ID,
            "series": "SI_COV_SOCAST",
            "breakdown": "quintile",
            "group": "Q1",
            "sex": "T",
            "value": 45.0,
            "ci_lower": 40.0,
            "ci_upper": 50.0,
            "n_unweighted": 900,
            "reliability": "reliable",
        }
    )
    return pl.DataFrame(rows)


def _gaps() -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                **ID,
                "gap_type": "group",
                "breakdown": "informality",
                "group": "informal",
                "reference_group": "formal",
                "sex": s,
                "reference_sex": s,
                "difference_pp": d,
                "difference_se": 1.5,
                "difference_ci_lower": d - 3,
                "difference_ci_upper": d + 3,
                "method_edition": "m",
                "input_vintage": "v",
            }
            for s, d in (("T", -85.0), ("F", -82.0), ("M", -87.0))
        ]
    )


def test_informality_gap_table_masks_gaps_of_suppressed_estimates():
    t = informality_gap_table(_groups(), _gaps())
    got = {r["sex"]: r for r in t.iter_rows(named=True)}
    assert got["T"]["value_informal"] == 9.0 and got["T"]["value_formal"] == 94.0 and got["T"]["difference_pp"] == -85.0
    assert got["F"]["suppressed"] and got["F"]["difference_pp"] is None and got["F"]["value_informal"] == 10.0
    assert not got["M"]["suppressed"] and got["M"]["difference_ci_upper"] == -84.0
    assert not t["synthetic"].any() and informality_gap_table(_groups(), _gaps(), {"GHA_HIES_2022"})["synthetic"].all()


def test_benefit_level_gap_table():
    key = {
        "ref_area": "MEX",
        "year": 2022,
        "source_kind": "survey",
        "source_id": "MEX_HIES_2022",
        "function": "oldage_contrib",
        "measure": "mean_benefit",
    }
    levels = pl.DataFrame(
        [
            {**key, "sex": s, "n_recipients": n, "reliability": r}
            for s, n, r in (("F", 120, "reliable"), ("M", 210, "reliable"))
        ]
    )
    gaps = pl.DataFrame(
        [
            {
                **key,
                "value_female": 28_000.0,
                "value_male": 36_000.0,
                "ratio": 28 / 36,
                "ratio_se": 0.04,
                "ratio_ci_lower": 0.7,
                "ratio_ci_upper": 0.86,
                "method_edition": "m",
                "input_vintage": "v",
            }
        ]
    )
    t = benefit_level_gap_table(levels, gaps).row(0, named=True)
    assert t["ratio"] == pytest.approx(28 / 36) and t["n_recipients_female"] == 120 and not t["suppressed"]
    masked = benefit_level_gap_table(levels.with_columns(pl.lit("suppress").alias("reliability")), gaps).row(
        0, named=True
    )
    assert masked["suppressed"] and masked["ratio"] is None


def test_informality_figure_is_drawn_with_confidence_intervals(tmp_path):
    chart = informality_gap_chart(
        informality_gap_table(_groups(), _gaps(), {"GHA_HIES_2022"}), "SP_CONTRIB_EMP", "contributors", "Source: test."
    )
    assert chart.note.endswith("Synthetic inputs (not official statistics) under the values shown: GHA_HIES_2022.")
    ax = chart.figure.axes[0]
    assert ax.get_xlabel().startswith("Informal minus formal") and "contributors" in ax.get_title()
    paths = save(chart, tmp_path / "f.png", ("png", "svg"))
    assert [p.suffix for p in paths] == [".png", ".svg"] and all(p.stat().st_size > 1000 for p in paths)
    assert (
        informality_gap_chart(informality_gap_table(_groups().head(0), _gaps().head(0)), "SP_CONTRIB_EMP", "x", "y")
        is None
    )


def test_sdmx_extension_file(tmp_path):
    adequacy = pl.DataFrame(
        [
            {
                "ref_area": "GHA",
                "year": 2022,
                "function": "oldage_contrib",
                "measure": "mean_benefit",
                "sex": "F",
                "source_kind": s,
                "source_id": i,
                "value": v,
                "ci_lower": None,
                "ci_upper": None,
                "reliability": r,
            }
            for s, i, v, r in (
                ("survey", "GHA_HIES_2022", 4476.7, "reliable"),
                ("administrative", "GHA_2022", 4000.0, "not_applicable"),
            )
        ]
    )
    countries = pl.DataFrame({"iso3": ["GHA"], "m49": [288]})
    sdmx = load_method("groups_at_risk")["publication"]["sdmx"]
    frame = groups_sdmx_frame(_groups(), adequacy, countries, sdmx, (15, 24), "2026-12-06", {"GHA_2022"})
    assert frame.columns == list(HEADER)
    key = ["SERIES", "REF_AREA", "TIME_PERIOD", "SEX", "AGE", "INCOME_WEALTH_QUANTILE", "CUST_BREAKDOWN"]
    assert not frame.select(key).is_duplicated().any()
    rows = {
        (r["SERIES"], r["SEX"], r["AGE"], r["INCOME_WEALTH_QUANTILE"], r["CUST_BREAKDOWN"]): r
        for r in frame.iter_rows(named=True)
    }
    assert rows[("SP_CONTRIB_EMP", "_T", "Y15T24", "_T", "_T")]["OBS_STATUS"] == "U"
    assert rows[("SI_COV_SOCAST", "_T", "_T", "Q1", "_T")]["OBS_VALUE"] == "45"
    formal_f = rows[("SP_CONTRIB_EMP", "F", "_T", "_T", "FORMAL")]
    assert (formal_f["OBS_STATUS"], formal_f["OBS_VALUE"], formal_f["UPPER_BOUND"]) == ("Q", "", "")
    assert rows[("SP_BEN_MEAN", "F", "_T", "_T", "OLDAGE_CONTRIB")]["UNIT_MEASURE"] == "CUR_LCU"
    ssi = rows[("SP_BEN_MEAN_SSI", "F", "_T", "_T", "OLDAGE_CONTRIB")]
    assert ssi["OBS_VALUE"] == "4000" and ssi["COMMENT_OBS"].endswith("GHA_2022")  # a synthetic source is named
    assert "GHA_2022" not in rows[("SP_BEN_MEAN", "F", "_T", "_T", "OLDAGE_CONTRIB")]["COMMENT_OBS"]
    assert set(frame["DATAFLOW"]) == {sdmx["dataflow"]} and set(frame["REF_AREA"]) == {"288"}
    assert write_csv(frame, tmp_path / "g.csv") == frame.height
    with (tmp_path / "g.csv").open(newline="", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == list(HEADER)
