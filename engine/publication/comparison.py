"""The pipeline's aggregation method checked against the aggregates the custodians published:
for every published source that holds aggregates (the UN SDG extracts: world, M49 regions and
subregions, SDG regions, LDC / LLDC / SIDS), its own country values are lined up, imputed and
aggregated exactly as the pipeline does (``engine.publication.aggregates``, the edition's
rules, ``published`` as the only source kind) and compared with the published aggregate of the
same series, year, sex and area (``sql/aggregate_comparison.sql``: the difference, the shares
imputed and published for that year, the feasible range and the mean the published value implies
for the imputed countries).

Every difference above ``comparison.explain_above_pp`` gets ``reason_code`` and ``explanation``
from what the data show (:func:`explain`), in this order:

* ``no_population``: the year has no WPP population in the inputs (nothing reproduced);
* ``area_not_grouped``: the published area is not a grouping of the pipeline (a former country,
  a group without members in ``reference/m49_groups.csv``);
* ``outside_feasible_range``: the published value lies outside the range any imputation of the
  other countries allows given the extract's own country values of that year: it was computed
  from other country values;
* ``unchanged_since_<vintage>``: the same aggregate, same value, is in an older extract, and the
  country values of that year cover less than ``comparison.sparse_share`` of the weight: it
  predates the country values now published;
* ``mostly_imputed``: at least ``comparison.mostly_imputed_share`` of the weight is imputed; the
  text gives the mean the published value implies for those countries and the model's;
* ``approximate_population``: the series' population group is an approximation
  (``approximate_proxies``);
* ``imputation_or_line_up``: otherwise (the mean implied for the imputed countries against the
  model's, or, without imputed countries, the years lined up or the weights).

:func:`comparison_summary` gives the targets of issue 10 (world SI_COV_BENFTS 2016 and 2020,
mean absolute difference of the regional 1.3.1 aggregates, world SH_ACS_UNHC) and
:func:`render_markdown` the table of the docs (``docs/aggregate_comparison.md``).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import duckdb
import polars as pl

from engine.publication.aggregates import compute_aggregates
from engine.publication.config import PublicationConfig
from engine.publication.country_values import published_rows
from engine.publication.imputation import aggregation_groups, area_codes
from engine.sql import fetch, run_sql_file
from schemas.resources.publication import AGGREGATE_COMPARISON

SQL_FILE = "aggregate_comparison.sql"
SCHEMA = AGGREGATE_COMPARISON.polars_schema()
DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "aggregate_comparison.md"
REGIONAL_131 = "SI_COV_"  # series prefix of the 1.3.1 targets


def published_aggregates(published: pl.DataFrame, codes: pl.DataFrame) -> pl.DataFrame:
    """Aggregates of the published sources (areas that are not countries, breakdown total), with
    the pipeline's level and region of their code (empty when the area is not one of its
    groupings).
    """
    rows = published.filter(
        (pl.col("area_kind") == "other_area") & (pl.col("breakdown") == "T") & pl.col("m49").is_not_null()
    )
    return rows.join(codes, left_on="area_code", right_on="region_code", how="left").select(
        "source_id",
        "vintage",
        "series",
        "year",
        "sex",
        "level",
        "region",
        "area_code",
        pl.col("value").alias("published_value"),
    )


def _source_config(config: PublicationConfig, vintage: str, years: list[int]) -> PublicationConfig:
    levels = tuple(
        dict.fromkeys((*config.aggregation_levels, "m49_subregion", "m49_region", "un_group", "sdg_region", "world"))
    )
    return dataclasses.replace(
        config,
        published_vintage=vintage,
        first_year=min(years),
        last_year=max(years),
        aggregation_levels=levels,
        source_preference=("published",),
        series_source_preference={},
    )


def compare_source(
    published: pl.DataFrame,
    source_id: str,
    countries: pl.DataFrame,
    income_groups: pl.DataFrame,
    population: pl.DataFrame,
    m49_groups: pl.DataFrame | None,
    config: PublicationConfig,
    con: duckdb.DuckDBPyConnection,
) -> pl.DataFrame:
    """The comparison rows (``SCHEMA`` without ``reason_code`` / ``explanation``) of one source."""
    codes = area_codes(config, m49_groups)
    own = published.filter(pl.col("source_id") == source_id)
    targets = published_aggregates(own, codes)
    wpp_years = set(population["time"].cast(pl.Int64).unique().to_list())
    years = sorted(set(targets["year"].to_list()) & wpp_years)
    if targets.is_empty() or not years:
        return targets.with_columns(
            *[pl.lit(None, dtype=SCHEMA[c]).alias(c) for c in SCHEMA if c not in targets.columns]
        )
    vintage = own["vintage"][0]
    cfg = _source_config(config, vintage, years)
    rows = published_rows(own, cfg)
    result = compute_aggregates(
        rows, countries, income_groups, population, cfg, m49_groups=m49_groups, published=published, con=con
    )
    lineup = result.lineup.select("series", "ref_year", "sex", "ref_area", "status", "value", "denominator")
    exact = rows.filter(
        pl.all_horizontal(
            [pl.col(c) == "T" for c in ("nationality", "age_group", "urban_rural", "quintile", "hh_composition")]
        )
    )
    relations = {
        "cmp_published": targets.filter(pl.col("level").is_not_null()),
        "cmp_lineup": lineup,
        "cmp_exact": exact.select("series", "year", "sex", "ref_area", "value"),
        "cmp_groups": lineup.select("ref_area", pl.col("ref_year").alias("year"))
        .unique()
        .join(aggregation_groups(countries, income_groups, cfg, m49_groups), on=["ref_area", "year"]),
        "cmp_reproduced": result.aggregates.select("series", "year", "sex", "level", "region", "value"),
    }
    run_sql_file(con, SQL_FILE, relations)
    table = fetch(con, "cmp_table")
    unmatched = targets.filter(pl.col("level").is_null())
    return pl.concat([table, unmatched], how="diagonal_relaxed")


def _previous_same(table: pl.DataFrame, published: pl.DataFrame) -> pl.DataFrame:
    """Add ``unchanged_since``: the oldest other vintage publishing the same aggregate with the
    same value.
    """
    older = published.filter((pl.col("area_kind") == "other_area") & (pl.col("breakdown") == "T")).select(
        "series", "year", "sex", "area_code", pl.col("vintage").alias("_old"), pl.col("value").alias("_old_value")
    )
    same = (
        table.select("source_id", "vintage", "series", "year", "sex", "area_code", "published_value")
        .join(older, on=["series", "year", "sex", "area_code"])
        .filter(
            (pl.col("_old") < pl.col("vintage")) & ((pl.col("_old_value") - pl.col("published_value")).abs() < 1e-9)
        )
    )
    first = same.group_by("source_id", "series", "year", "sex", "area_code").agg(
        pl.col("_old").min().alias("unchanged_since")
    )
    return table.join(first, on=["source_id", "series", "year", "sex", "area_code"], how="left")


def _pct(expr: pl.Expr) -> pl.Expr:
    return (expr * 100).round(0).cast(pl.Int64).cast(pl.String)


def _num(expr: pl.Expr) -> pl.Expr:
    return expr.round(1).cast(pl.String)


def explain(table: pl.DataFrame, config: PublicationConfig) -> pl.DataFrame:
    """Add ``reason_code`` and ``explanation`` to the rows whose absolute difference exceeds
    ``comparison.explain_above_pp`` (or that were not reproduced); see the module docstring.
    """
    rules = config.comparison
    above = float(rules["explain_above_pp"])
    tolerance = float(rules["feasibility_tolerance_pp"])
    big = (pl.col("difference_pp").abs() > above) | pl.col("reproduced_value").is_null()
    imputed = pl.col("imputed_share").fill_null(0.0)
    outside = (pl.col("published_value") < pl.col("feasible_min") - tolerance) | (
        pl.col("published_value") > pl.col("feasible_max") + tolerance
    )
    reasons = [
        (
            pl.col("level").is_null(),
            "area_not_grouped",
            pl.lit(
                "the published area is not a grouping of the pipeline (not in reference/m49_groups.csv or the edition's codes)"
            ),
        ),
        (
            pl.col("level").is_not_null() & pl.col("reproduced_value").is_null(),
            "no_population",
            pl.format(
                "no WPP population for {} in the inputs (the bundle has 2010-2023): not reproduced", pl.col("year")
            ),
        ),
        (
            outside.fill_null(False),
            "outside_feasible_range",
            pl.format(
                "published {} lies outside [{}, {}], the range of any aggregate of the extract's own {} country values ({}% of the weight, {} countries): it was computed from other country values",
                _num(pl.col("published_value")),
                _num(pl.col("feasible_min")),
                _num(pl.col("feasible_max")),
                pl.col("year"),
                _pct(pl.col("exact_share")),
                pl.col("n_exact"),
            ),
        ),
        (
            pl.col("unchanged_since").is_not_null()
            & (pl.col("exact_share") < float(rules["sparse_share"])).fill_null(False),
            "unchanged_since_vintage",
            pl.format(
                "the same aggregate and value are in the {} extract: it predates the country values now published, which cover {}% of the weight for {} ({} countries)",
                pl.col("unchanged_since"),
                _pct(pl.col("exact_share")),
                pl.col("year"),
                pl.col("n_exact"),
            ),
        ),
        (
            (imputed >= float(rules["mostly_imputed_share"])) & pl.col("implied_imputed_mean").is_not_null(),
            "mostly_imputed",
            pl.format(
                "{}% of the weight imputed ({} countries): the published value implies a mean of {} for them, this model gives {}",
                _pct(imputed),
                pl.col("n_imputed"),
                _num(pl.col("implied_imputed_mean")),
                _num(pl.col("model_imputed_mean")),
            ),
        ),
        (
            pl.col("series").is_in(list(config.approximate_proxies)),
            "approximate_population",
            pl.lit("the population of the series' group is approximated (denominator_proxy: see the edition)"),
        ),
    ]
    fallback = (
        pl.when(pl.col("n_imputed").fill_null(0) > 0)
        .then(
            pl.format(
                "imputation or line-up: {}% imputed, implied mean {} against {}; the rest from the years lined up",
                _pct(imputed),
                _num(pl.col("implied_imputed_mean")),
                _num(pl.col("model_imputed_mean")),
            )
        )
        .otherwise(pl.lit("line-up: no imputed country; the years lined up (carried values) or the weights differ"))
    )
    codes = [pl.when(big & cond).then(pl.lit(code)) for cond, code, _ in reasons]
    texts = [pl.when(big & cond).then(text) for cond, _, text in reasons]
    return table.with_columns(
        pl.concat_list(codes).list.drop_nulls().list.join(";").replace("", None).alias("reason_code"),
        pl.concat_str(texts, separator="; ", ignore_nulls=True).replace("", None).alias("explanation"),
    ).with_columns(
        pl.when(big & pl.col("reason_code").is_null())
        .then(pl.lit("imputation_or_line_up"))
        .otherwise(pl.col("reason_code"))
        .alias("reason_code"),
        pl.when(big & pl.col("explanation").is_null())
        .then(fallback)
        .otherwise(pl.col("explanation"))
        .alias("explanation"),
    )


def comparison_table(
    published: pl.DataFrame,
    countries: pl.DataFrame,
    income_groups: pl.DataFrame,
    population: pl.DataFrame,
    m49_groups: pl.DataFrame | None,
    config: PublicationConfig,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pl.DataFrame:
    """``publication/aggregate_comparison``: every published aggregate of every source, reproduced
    and explained.
    """
    con = con or duckdb.connect()
    sources = published.filter(pl.col("area_kind") == "other_area")["source_id"].unique().sort().to_list()
    frames = [
        compare_source(published, s, countries, income_groups, population, m49_groups, config, con) for s in sources
    ]
    if not frames:
        return pl.DataFrame(schema=SCHEMA)
    table = pl.concat([f.select([c for c in f.columns if c in SCHEMA]) for f in frames], how="diagonal_relaxed")
    table = _previous_same(table, published)
    return (
        explain(table, config).select(list(SCHEMA)).cast(SCHEMA).sort("source_id", "series", "year", "sex", "area_code")
    )


def comparison_summary(table: pl.DataFrame, vintage: str | None = None) -> dict:
    """The targets, on the latest source holding aggregates (or ``vintage``): world SI_COV_BENFTS
    2016 and 2020 (published, reproduced, difference), the mean absolute difference over the
    published regional 1.3.1 aggregates (all, and by year), the largest absolute difference of
    the world SH_ACS_UNHC, the counts above the threshold by reason.
    """
    if table.is_empty():
        return {}
    vintage = vintage or str(table["vintage"].max())
    own = table.filter(pl.col("vintage") == vintage)
    world = own.filter(pl.col("area_code") == "1")
    benfts = {
        str(r["year"]): {
            "published": r["published_value"],
            "reproduced": r["reproduced_value"],
            "difference_pp": r["difference_pp"],
        }
        for r in world.filter((pl.col("series") == "SI_COV_BENFTS") & (pl.col("sex") == "T")).iter_rows(named=True)
    }
    regional = own.filter(
        pl.col("series").str.starts_with(REGIONAL_131)
        & (pl.col("area_code") != "1")
        & pl.col("difference_pp").is_not_null()
    )
    by_year = (
        regional.group_by("year")
        .agg(pl.col("difference_pp").abs().mean().alias("mad"), pl.len().alias("n"))
        .sort("year")
    )
    uhc = world.filter((pl.col("series") == "SH_ACS_UNHC") & pl.col("difference_pp").is_not_null())
    reasons = (
        own.filter(pl.col("reason_code").is_not_null())
        .select(pl.col("reason_code").str.split(";"))
        .explode("reason_code")["reason_code"]
        .value_counts()
    )
    return {
        "vintage": vintage,
        "world_benfts": benfts,
        "regional_131_mad_pp": regional["difference_pp"].abs().mean(),
        "regional_131_n": regional.height,
        "regional_131_mad_by_year": {
            str(r["year"]): {"mad_pp": r["mad"], "n": r["n"]} for r in by_year.iter_rows(named=True)
        },
        "world_uhc_max_abs_pp": uhc["difference_pp"].abs().max() if uhc.height else None,
        "world_uhc": {str(r["year"]): r["difference_pp"] for r in uhc.sort("year").iter_rows(named=True)},
        "explained_by_reason": dict(zip(reasons["reason_code"].to_list(), reasons["count"].to_list(), strict=True)),
    }


def _fmt(value, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def render_markdown(table: pl.DataFrame) -> str:
    """``docs/aggregate_comparison.md``: the targets and every published aggregate explained
    (difference above the threshold, or not reproduced), by source.
    """
    summary = comparison_summary(table)
    lines = [
        "# Reproducing the published aggregates",
        "",
        "Generated from `publication/aggregate_comparison.parquet` of a run on the bundled inputs by",
        "`python -m engine.publication.comparison <output directory>`; do not edit by hand (the end-to-end",
        "test checks it against the run). How the aggregates are reproduced and what the differences show:",
        "[publication.md](publication.md#reproducing-the-published-aggregates).",
        "",
    ]
    if summary:
        benfts = summary["world_benfts"]
        lines += [
            f"## Targets (UN SDG extract {summary['vintage']})",
            "",
            "| target | published | reproduced | difference | target met |",
            "|---|---|---|---|---|",
        ]
        for year in ("2016", "2020"):
            cell = benfts.get(year)
            if cell:
                diff = cell["difference_pp"]
                lines.append(
                    f"| world SI_COV_BENFTS {year} within 0.5 pp | {_fmt(cell['published'])} | {_fmt(cell['reproduced'], 2)} | "
                    f"{_fmt(diff, 2)} | {'yes' if diff is not None and abs(diff) <= 0.5 else 'no'} |"
                )
        mad = summary["regional_131_mad_pp"]
        lines.append(
            f"| mean absolute difference, published regional 1.3.1 aggregates ({summary['regional_131_n']}), at most 1 pp | | | "
            f"{_fmt(mad, 2)} | {'yes' if mad is not None and mad <= 1 else 'no'} |"
        )
        for year, cell in summary["regional_131_mad_by_year"].items():
            lines.append(
                f"| - of which {year} ({cell['n']}) | | | {_fmt(cell['mad_pp'], 2)} | {'yes' if cell['mad_pp'] <= 1 else 'no'} |"
            )
        uhc = summary["world_uhc_max_abs_pp"]
        lines.append(
            f"| world SH_ACS_UNHC within 1 point (largest difference, {len(summary['world_uhc'])} years) | | | {_fmt(uhc, 2)} | "
            f"{'yes' if uhc is not None and uhc <= 1 else 'no'} |"
        )
        lines += [
            "",
            "Reasons of the differences above the threshold (a difference may have several): "
            + ", ".join(f"`{k}` {v}" for k, v in sorted(summary["explained_by_reason"].items()))
            + ".",
            "",
        ]
    explained = table.filter(pl.col("reason_code").is_not_null()).sort(
        "source_id", "series", "year", "sex", "area_code"
    )
    for source in explained["source_id"].unique(maintain_order=True).to_list():
        part = explained.filter(pl.col("source_id") == source)
        lines += [
            f"## {source}: {part.height} aggregates above the threshold or not reproduced",
            "",
            "| series | year | sex | area (M49) | published | reproduced | difference | reason |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in part.iter_rows(named=True):
            area = f"{r['region'] or '-'} ({r['area_code']})"
            lines.append(
                f"| {r['series']} | {r['year']} | {r['sex']} | {area} | {_fmt(r['published_value'], 2)} | {_fmt(r['reproduced_value'], 2)} | "
                f"{_fmt(r['difference_pp'], 2)} | {r['explanation']} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """``python -m engine.publication.comparison <output directory>``: rewrite the docs table from a run."""
    if len(argv) != 1:
        print("usage: python -m engine.publication.comparison <output directory>", file=sys.stderr)
        return 2
    table = pl.read_parquet(Path(argv[0]) / AGGREGATE_COMPARISON.path())
    DOC.write_text(render_markdown(table), encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
