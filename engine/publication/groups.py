"""Publication of the groups at risk and of benefit adequacy (issue 11).

From the indicator tables ``groups_at_risk``, ``groups_at_risk_gaps``, ``benefit_adequacy`` and
``benefit_adequacy_gaps``:

* :func:`informality_gap_table`: per survey, series and sex, coverage of informal and of formal
  workers with their CIs and reliability, and informal minus formal with its design-based SE and
  CI; a gap whose either domain is suppressed (too few sample persons) is masked;
* :func:`benefit_level_gap_table`: per source and function, women's and men's mean benefit and
  women / men with its CI (surveys) and the recipients behind each, masked likewise;
* :func:`informality_gap_chart`: the coverage gap between informal and formal workers by sex,
  with 95% CIs, one row per survey (PNG);
* :func:`groups_sdmx_frame`: an SDMX-CSV extension file in the columns of the UN SDG file
  (``engine.publication.sdmx.HEADER``) under its own dataflow: the groups in the DSD's
  dimensions where it has one (AGE for youth, INCOME_WEALTH_QUANTILE for quintiles), the other
  groups and the benefit functions in CUST_BREAKDOWN (code = the group or function in capitals,
  label in CUST_BREAKDOWN_LB); suppressed estimates have OBS_STATUS Q and no value, those to use
  with caution U.
"""

from __future__ import annotations

import textwrap
from collections.abc import Set as AbstractSet

import matplotlib.pyplot as plt
import polars as pl

from engine.publication.figures import SEX_STYLE, Chart, synthetic_note
from engine.publication.sdmx import HEADER, SEX_CODES, SOURCE_LABELS, _fmt, _with_synthetic

INFORMALITY = "informality"


def _status(reliability: pl.Expr) -> pl.Expr:
    return (
        pl.when(reliability == "suppress")
        .then(pl.lit("Q"))
        .when(reliability == "caution")
        .then(pl.lit("U"))
        .otherwise(pl.lit("A"))
    )


def informality_gap_table(
    groups: pl.DataFrame, gaps: pl.DataFrame, synthetic: AbstractSet[str] = frozenset()
) -> pl.DataFrame:
    """Informal vs formal workers, per survey, series and sex (see the module docstring);
    ``synthetic``: the ids of synthetic sources (column ``synthetic``).
    """
    key = ["ref_area", "year", "source_id", "series", "sex"]
    domain = groups.filter(pl.col("breakdown") == INFORMALITY)

    def side(g: str) -> pl.DataFrame:
        return domain.filter(pl.col("group") == g).select(
            *key,
            *(pl.col(c).alias(f"{c}_{g}") for c in ("value", "ci_lower", "ci_upper", "n_unweighted", "reliability")),
        )

    contrast = gaps.filter((pl.col("gap_type") == "group") & (pl.col("breakdown") == INFORMALITY)).select(
        *key,
        "difference_pp",
        "difference_se",
        "difference_ci_lower",
        "difference_ci_upper",
        "method_edition",
        "input_vintage",
    )
    table = side("informal").join(side("formal"), on=key).join(contrast, on=key, how="left")
    suppressed = (pl.col("reliability_informal") == "suppress") | (pl.col("reliability_formal") == "suppress")
    masked = [
        pl.when(suppressed).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("difference_pp", "difference_se", "difference_ci_lower", "difference_ci_upper")
    ]
    return table.with_columns(
        *masked, suppressed.alias("suppressed"), pl.col("source_id").is_in(sorted(synthetic)).alias("synthetic")
    ).sort(key)


def benefit_level_gap_table(
    adequacy: pl.DataFrame, gaps: pl.DataFrame, synthetic: AbstractSet[str] = frozenset()
) -> pl.DataFrame:
    """Women's and men's mean benefit per source and function, women / men (module docstring);
    ``synthetic``: the ids of synthetic sources (column ``synthetic``).
    """
    key = ["ref_area", "year", "source_kind", "source_id", "function"]
    levels = adequacy.filter(pl.col("measure") == "mean_benefit")

    def side(sex: str, name: str) -> pl.DataFrame:
        return levels.filter(pl.col("sex") == sex).select(
            *key,
            pl.col("n_recipients").alias(f"n_recipients_{name}"),
            pl.col("reliability").alias(f"reliability_{name}"),
        )

    table = (
        gaps.filter(pl.col("measure") == "mean_benefit")
        .select(
            *key,
            "value_female",
            "value_male",
            "ratio",
            "ratio_se",
            "ratio_ci_lower",
            "ratio_ci_upper",
            "method_edition",
            "input_vintage",
        )
        .join(side("F", "female"), on=key, how="left")
        .join(side("M", "male"), on=key, how="left")
    )
    suppressed = (pl.col("reliability_female") == "suppress") | (pl.col("reliability_male") == "suppress")
    masked = [
        pl.when(suppressed).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("ratio", "ratio_se", "ratio_ci_lower", "ratio_ci_upper")
    ]
    return table.with_columns(
        *masked, suppressed.alias("suppressed"), pl.col("source_id").is_in(sorted(synthetic)).alias("synthetic")
    ).sort(key)


def informality_gap_chart(table: pl.DataFrame, series: str, label: str, source_note: str) -> Chart | None:
    """Informal minus formal coverage of ``series`` (``label``) by sex with 95% CIs, one row per
    survey.
    """
    frame = table.filter((pl.col("series") == series) & ~pl.col("suppressed") & pl.col("difference_pp").is_not_null())
    if frame.is_empty():
        return None
    surveys = sorted(frame["source_id"].unique().to_list())
    fig, ax = plt.subplots(figsize=(10, max(3.5, 0.9 * len(surveys) + 1.8)))
    offsets = {"F": 0.22, "T": 0.0, "M": -0.22}
    for sex, dy in offsets.items():
        sex_label, colour = SEX_STYLE[sex]
        part = {r["source_id"]: r for r in frame.filter(pl.col("sex") == sex).iter_rows(named=True)}
        ys = [i + dy for i, s in enumerate(surveys) if s in part]
        rows = [part[s] for s in surveys if s in part]
        xs = [r["difference_pp"] for r in rows]
        err = [
            [r["difference_pp"] - r["difference_ci_lower"] for r in rows],
            [r["difference_ci_upper"] - r["difference_pp"] for r in rows],
        ]
        ax.errorbar(xs, ys, xerr=err, fmt="o", color=colour, label=sex_label, capsize=3, markersize=5)
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_yticks(range(len(surveys)))
    ax.set_yticklabels(surveys, fontsize=8)
    ax.set_xlabel("Informal minus formal workers (percentage points; bars: 95% confidence interval)")
    ax.set_title(
        textwrap.fill(f"Coverage gap between informal and formal workers by sex: {label} ({series})", 90), fontsize=11
    )
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    note = (
        f"{source_note} Design-based SEs (Taylor linearisation, strata and PSUs of each survey). "
        "Gaps involving a suppressed estimate (too few sample persons) are not shown. Negative: informal workers less covered."
    )
    return Chart(fig, note + synthetic_note(frame.filter(pl.col("synthetic"))["source_id"].to_list()))


def _custom(group: pl.Expr) -> pl.Expr:
    return group.str.to_uppercase()


def groups_sdmx_frame(
    groups: pl.DataFrame,
    adequacy: pl.DataFrame,
    countries: pl.DataFrame,
    sdmx: dict,
    youth: tuple[int, int],
    updated: str,
    synthetic: AbstractSet[str] = frozenset(),
) -> pl.DataFrame:
    """The extension file's observations as text in the columns ``HEADER`` (module docstring).
    ``sdmx``: the edition's ``publication.sdmx`` block (dataflow, adequacy series codes of survey
    and SSI sources, units); ``youth``: the youth age band (AGE Y<a>T<b>, the adults Y_GE<b+1>);
    ``synthetic``: ids of synthetic sources, named in COMMENT_OBS as the UN file does.
    """
    m49 = countries.select(pl.col("iso3").alias("ref_area"), pl.col("m49").cast(pl.String).alias("REF_AREA"))
    in_age, in_quintile = pl.col("breakdown") == "youth", pl.col("breakdown") == "quintile"
    own_dimension = in_age | in_quintile | (pl.col("breakdown") == "all")
    coverage = groups.join(m49, on="ref_area").select(
        pl.col("series").alias("SERIES"),
        "REF_AREA",
        pl.col("sex").replace_strict(SEX_CODES).alias("SEX"),
        pl.when(in_age & (pl.col("group") == "youth"))
        .then(pl.lit(f"Y{youth[0]}T{youth[1]}"))
        .when(in_age)
        .then(pl.lit(f"Y_GE{youth[1] + 1}"))
        .otherwise(pl.lit("_T"))
        .alias("AGE"),
        pl.when(in_quintile).then(pl.col("group")).otherwise(pl.lit("_T")).alias("INCOME_WEALTH_QUANTILE"),
        pl.when(own_dimension).then(pl.lit("_T")).otherwise(_custom(pl.col("group"))).alias("CUST_BREAKDOWN"),
        pl.when(own_dimension)
        .then(pl.lit(""))
        .otherwise(pl.col("group").str.replace_all("_", " "))
        .alias("CUST_BREAKDOWN_LB"),
        pl.lit(sdmx["unit_measure"]["coverage"]).alias("UNIT_MEASURE"),
        "year",
        "value",
        "ci_lower",
        "ci_upper",
        "reliability",
        "source_kind",
        "source_id",
    )
    admin = pl.col("source_kind") == "administrative"
    levels = adequacy.join(m49, on="ref_area").select(
        pl.when(admin)
        .then(pl.col("measure").replace_strict(sdmx["adequacy_series_admin"], default=None))
        .otherwise(pl.col("measure").replace_strict(sdmx["adequacy_series"]))
        .alias("SERIES"),
        "REF_AREA",
        pl.col("sex").replace_strict(SEX_CODES).alias("SEX"),
        pl.lit("_T").alias("AGE"),
        pl.lit("_T").alias("INCOME_WEALTH_QUANTILE"),
        _custom(pl.col("function")).alias("CUST_BREAKDOWN"),
        pl.col("function").str.replace_all("_", " ").alias("CUST_BREAKDOWN_LB"),
        pl.col("measure")
        .replace_strict(sdmx["unit_measure"], default=sdmx["unit_measure"]["ratio"])
        .alias("UNIT_MEASURE"),
        "year",
        "value",
        "ci_lower",
        "ci_upper",
        "reliability",
        "source_kind",
        "source_id",
    )
    frame = pl.concat([coverage, levels])
    suppressed = pl.col("reliability") == "suppress"
    frame = frame.select(
        pl.lit(sdmx["dataflow"]).alias("DATAFLOW"),
        pl.lit("A").alias("FREQ"),
        pl.lit("N").alias("REPORTING_TYPE"),
        "SERIES",
        "REF_AREA",
        "SEX",
        "AGE",
        pl.lit("_T").alias("URBANISATION"),
        "INCOME_WEALTH_QUANTILE",
        *(pl.lit("_T").alias(c) for c in ("EDUCATION_LEV", "OCCUPATION")),
        "CUST_BREAKDOWN",
        *(pl.lit("_T").alias(c) for c in ("COMPOSITE_BREAKDOWN", "DISABILITY_STATUS", "ACTIVITY", "PRODUCT")),
        pl.col("year").cast(pl.String).alias("TIME_PERIOD"),
        pl.when(suppressed).then(pl.lit("")).otherwise(_fmt(pl.col("value"))).alias("OBS_VALUE"),
        _status(pl.col("reliability")).alias("OBS_STATUS"),
        pl.lit("0").alias("UNIT_MULT"),
        "UNIT_MEASURE",
        pl.lit("").alias("BASE_PER"),
        pl.lit("C").alias("NATURE"),
        pl.col("year").cast(pl.String).alias("TIME_DETAIL"),
        _with_synthetic(
            pl.when(suppressed)
            .then(pl.lit("Suppressed: too few sample persons"))
            .when(pl.col("reliability") == "caution")
            .then(pl.lit("Use with caution: low reliability"))
            .otherwise(pl.lit("")),
            pl.when(pl.col("source_id").is_in(sorted(synthetic))).then(pl.col("source_id")),
        ).alias("COMMENT_OBS"),
        pl.lit("").alias("TIME_COVERAGE"),
        pl.when(suppressed).then(pl.lit("")).otherwise(_fmt(pl.col("ci_upper"))).alias("UPPER_BOUND"),
        pl.when(suppressed).then(pl.lit("")).otherwise(_fmt(pl.col("ci_lower"))).alias("LOWER_BOUND"),
        pl.concat_str(
            [
                pl.col("source_kind").replace_strict(SOURCE_LABELS, default=pl.col("source_kind")),
                pl.lit(" "),
                pl.col("source_id"),
            ]
        ).alias("SOURCE_DETAIL"),
        *(pl.lit("").alias(c) for c in ("COMMENT_TS", "GEO_INFO_URL", "GEO_INFO_TYPE")),
        "CUST_BREAKDOWN_LB",
        pl.lit(updated).alias("DATA_LAST_UPDATE"),
    )
    return frame.select(list(HEADER)).sort(
        ["SERIES", "REF_AREA", "TIME_PERIOD", "SEX", "AGE", "INCOME_WEALTH_QUANTILE", "CUST_BREAKDOWN", "SOURCE_DETAIL"]
    )
