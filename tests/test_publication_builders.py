"""Small frames for the publication tests, in exactly the columns of the tables the publication
layer reads (``schemas.registry``, ``schemas.resources.context``), and the tests that they
are. Other ``test_publication_*`` modules import the builders from here."""

from __future__ import annotations

import dataclasses

import polars as pl

from engine.method_config import load_method
from engine.publication.config import PublicationConfig, publication_config
from schemas.registry import table
from schemas.resources.context import BY_NAME as CONTEXT

COVERAGE_DTYPES = table("indicators/sdg_1_3_1").polars_schema()
HARDSHIP_DTYPES = table("indicators/sdg_3_8_2").polars_schema()
GAP_DTYPES = table("indicators/sdg_1_3_1_gaps").polars_schema()
EDITION_131 = "sdg_1_3_1:ILO-2024+survey_estimation:2026.1"
EDITION_382 = "sdg_3_8_2:2025+survey_estimation:2026.1"

# iso3, m49, ILO region, ILO subregion, SDG region, M49 subregion
COUNTRIES = [
    ("GHA", 288, "Africa", "Sub-Saharan Africa", "Sub-Saharan Africa", "Western Africa"),
    ("TGO", 768, "Africa", "Sub-Saharan Africa", "Sub-Saharan Africa", "Western Africa"),
    ("BEN", 204, "Africa", "Sub-Saharan Africa", "Sub-Saharan Africa", "Western Africa"),
    ("KEN", 404, "Africa", "Sub-Saharan Africa", "Sub-Saharan Africa", "Eastern Africa"),
    ("COL", 170, "Americas", "Latin America and the Caribbean", "Latin America and the Caribbean", "South America"),
]


def coverage(
    ref_area: str,
    series: str,
    numerator: float | None,
    denominator: float | None,
    *,
    year: int = 2021,
    sex: str = "T",
    source_kind: str = "survey",
    source_id: str | None = None,
    value: float | None = None,
    n: int | None = 500,
    reliability: str = "reliable",
    nationality: str = "T",
    age_group: str = "T",
    urban_rural: str = "T",
    method_edition: str = EDITION_131,
    input_vintage: str | None = None,
    capped: bool | None = None,
    **extra,
) -> dict:
    """One row of ``sdg_1_3_1`` (value = 100 numerator / denominator unless given)."""
    source_id = source_id or (f"{ref_area}_{year}" if source_kind == "administrative" else f"{ref_area}_LFS_{year}")
    if value is None and numerator is not None and denominator:
        value = 100 * numerator / denominator
    row = dict.fromkeys(COVERAGE_DTYPES)
    row.update(
        ref_area=ref_area,
        year=year,
        series=series,
        sex=sex,
        nationality=nationality,
        age_group=age_group,
        urban_rural=urban_rural,
        source_kind=source_kind,
        source_id=source_id,
        value=value,
        numerator=numerator,
        denominator=denominator,
        n_unweighted=n if source_kind == "survey" else None,
        reliability=reliability if source_kind == "survey" else "not_applicable",
        capped=capped,
        obs_status="A",
        method_edition=method_edition,
        input_vintage=input_vintage or f"{source_id}@2022-06-30",
        run_id="test",
    )
    row.update(extra)
    return row


def coverage_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=COVERAGE_DTYPES)


def hardship(
    ref_area: str,
    series: str,
    value: float,
    *,
    year: int = 2021,
    sex: str = "T",
    n: int = 800,
    quintile: str = "T",
    hh_composition: str = "T",
    source_id: str | None = None,
    **extra,
) -> dict:
    """One row of ``sdg_3_8_2`` (survey)."""
    row = coverage(
        ref_area,
        series,
        None,
        None,
        year=year,
        sex=sex,
        value=value,
        n=n,
        source_id=source_id or f"{ref_area}_HBS_{year}",
        method_edition=EDITION_382,
        **extra,
    )
    row.update(quintile=quintile, hh_composition=hh_composition)
    return {c: row.get(c) for c in HARDSHIP_DTYPES}


def hardship_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=HARDSHIP_DTYPES)


def gap(
    ref_area: str,
    series: str,
    gap_type: str,
    value_group: float,
    value_reference: float,
    *,
    year: int = 2021,
    sex: str = "T",
    nationality: str = "T",
    source_kind: str = "survey",
    source_id: str | None = None,
    se: float | None = 1.0,
    ci: tuple[float, float] | None = None,
) -> dict:
    """One row of ``sdg_1_3_1_gaps`` (``ci``: the 95% bounds of the difference, pp)."""
    source_id = source_id or f"{ref_area}_LFS_{year}"
    row = dict.fromkeys(GAP_DTYPES)
    row.update(
        ref_area=ref_area,
        year=year,
        series=series,
        gap_type=gap_type,
        sex=sex,
        nationality=nationality,
        age_group="T",
        urban_rural="T",
        source_kind=source_kind,
        source_id=source_id,
        value_group=value_group,
        value_reference=value_reference,
        difference_pp=value_group - value_reference,
        difference_se=se,
        ratio=value_group / value_reference,
        difference_ci_lower=ci[0] if ci else None,
        difference_ci_upper=ci[1] if ci else None,
        method_edition=EDITION_131,
        input_vintage=f"{source_id}@2022-06-30",
        run_id="test",
    )
    return row


def gap_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=GAP_DTYPES)


def countries_frame() -> pl.DataFrame:
    rows = [(iso, m49, iso.title(), r, sr, sdg, m49s) for iso, m49, r, sr, sdg, m49s in COUNTRIES]
    return pl.DataFrame(
        rows, schema=["iso3", "m49", "name", "ilo_region", "ilo_subregion", "sdg_region", "m49_subregion"], orient="row"
    )


def income_groups_frame(years=(2020, 2021), groups: dict[str, str] | None = None) -> pl.DataFrame:
    groups = groups or {"GHA": "LM", "TGO": "LM", "BEN": "LM", "KEN": "LM", "COL": "UM"}
    return pl.DataFrame(
        [(iso, y, g) for iso, g in groups.items() for y in years], schema=["iso3", "year", "income_group"], orient="row"
    )


def population_frame(thousands: dict[tuple[str, int], float], ages=("0_4", "15_19", "65_69")) -> pl.DataFrame:
    """WPP layout; ``thousands[(iso3, year)]`` is the total, split evenly over ``ages`` and the
    two sexes."""
    m49 = {iso: code for iso, code, *_ in COUNTRIES}
    rows = [
        (m49[iso], year, age, gender, total / len(ages) / 2)
        for (iso, year), total in thousands.items()
        for age in ages
        for gender in ("1", "2")
    ]
    return pl.DataFrame(
        rows,
        schema={
            "country": pl.Int64,
            "time": pl.Int64,
            "age5yearinterval": pl.String,
            "gender": pl.String,
            "population": pl.Float64,
        },
        orient="row",
    )


def config_2021(**changes) -> PublicationConfig:
    """The default edition for reference year 2021 only, with ``changes``."""
    return dataclasses.replace(
        publication_config(load_method("publication")), first_year=2021, last_year=2021, **changes
    )


def test_builders_give_exactly_the_indicator_and_context_columns():
    assert coverage_frame([coverage("GHA", "SI_COV_CHLD", 10, 100)]).columns == list(
        table("indicators/sdg_1_3_1").fields
    )
    assert hardship_frame([hardship("GHA", "SH_XPD_EARN10", 9.0)]).columns == list(table("indicators/sdg_3_8_2").fields)
    assert gap_frame([gap("GHA", "SI_COV_CHLD", "sex", 10, 12)]).columns == list(
        table("indicators/sdg_1_3_1_gaps").fields
    )
    for name, frame in (
        ("countries", countries_frame()),
        ("income_groups", income_groups_frame()),
        ("population", population_frame({("GHA", 2021): 10.0})),
    ):
        assert frame.columns == [v.name for v in CONTEXT[name].columns], name
