"""SDG 1.3.1 from administrative data: coverage rates from ILO Social Security Inquiry (SSI)
returns, by sex and nationality, with gender and nationality gaps.

The formulas (every numerator, denominator, the scheme-overlap rule and the life-cycle rule of
SI_COV_BENFTS) are stated in the header of ``sql/sdg_1_3_1_admin.sql``, which does all the
computing. Method constants come from ``config/methods/sdg_1_3_1.yaml``: the keys the survey side
shares (``child_max_age``, ``working_age_min``, ``wkinjry_denominator``, ``cap_at_100``,
``contributory_benefits_working_age``, ``vulnerable_numerator_benefits``) and the edition's
``admin:`` sub-mapping. This module checks the inputs, registers them as relations with
the one-row ``params`` relation, runs the SQL and returns Polars frames.

Inputs of :func:`compute_admin_coverage` (validated frames of ``schemas.resources.ssi`` and
``schemas.resources.context``; other columns are ignored):

* ``ssi_coverage``: the canonical long SSI table (``schemas.resources.ssi.COVERAGE_COLUMNS``), one
  or several returns. A missing column, an unknown code, a missing, non-integer or negative
  ``persons``, a duplicated key or a return with two countries or years raises
  :class:`AdminInputError` naming the rows: the ingestion quarantines such rows, so one here is a
  broken contract, not data to skip.
* ``population``: WPP layout (``country`` M49, ``time``, ``age5yearinterval``, ``gender`` 1/2,
  ``population`` in thousands); ``countries``: ``iso3``, ``m49``. Both required.
* ``labour_force``, ``births``, ``fertility``, ``pensionable_age``, ``disability_prevalence``,
  ``poverty``, ``population_by_nationality``: may be None (table not provided): the series that
  need them are then listed as not computable with that reason.
* ``method``: an edition of ``sdg_1_3_1``; ``vintages``: optional table name -> vintage label
  (from ``context/sources.yaml``), written into ``denominator_source``.

Outputs (:class:`AdminCoverage`), long format:

* ``coverage``: ``country`` (ISO3), ``year``, ``series``, ``sex`` (T/F/M), ``nationality``
  (T/national/non_national), ``age_group`` ('T'), ``urban_rural`` ('T'), ``value`` (percent,
  capped at 100 when the edition caps), ``numerator`` (persons, after the overlap or life-cycle
  rule, not capped), ``numerator_reported`` (plain sum of the SSI counts used), ``denominator``,
  ``capped`` (a cap was applied to the row: never null), ``cap_applied`` (which caps,
  comma-separated: ``value_at_100``, ``numerator_at_denominator``, ``lifecycle_groups``; null
  when none; on a T row built from the sexes, per sex: ``M: value_at_100``), ``aggregation_rule``
  (the scheme-overlap rule, or the BENFTS rule),
  ``source_kind`` ('administrative'), ``source_id`` (the return id), ``denominator_source``,
  ``method_edition`` (``sdg_1_3_1:<edition>``).
* ``gaps``: ``country, year, series, gap_type`` (sex: F - M within ``nationality``; nationality:
  non_national - national within ``sex``), ``sex, nationality, age_group, urban_rural,
  source_kind, source_id, value_group, value_reference, difference_pp, ratio, method_edition``.
* ``not_computable``: ``country, year, source_kind, source_id, series, breakdown`` (all, sex,
  nationality, nationality_by_sex), ``reason``. A breakdown is listed only when its parent cell
  is computable.
* ``lifecycle``: the life-cycle construction per return and sex (populations, counts, caps,
  vulnerable residual, BENFTS numerator), for review of the overlap assumptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import polars as pl

from engine.method_config import MethodConfigError, MethodEdition
from engine.sql import fetch, params_frame, run_sql_file
from schemas import registry
from schemas.resources import context as ct
from schemas.resources import ssi as st
from schemas.tables import polars_dtype

FAMILY = "sdg_1_3_1"
SQL_FILE = "sdg_1_3_1_admin.sql"
SCHEME_OVERLAP_RULES = ("sum", "largest_scheme", "sum_capped_at_denominator")
BENFTS_RULES = ("lifecycle_capped",)
ASSISTANCE_ALLOCATIONS = ("vulnerable_population_share", "all_working_age")
WKINJRY_DENOMINATORS = ("employed", "labour_force")
SEX_TOTAL_RULES = ("from_sexes", "own")
# Benefit types that cannot be contributory benefits of working-age persons: the older-age term
# (contributory old-age pensions), the children's group and non-contributory by definition.
NOT_WORKING_AGE_CONTRIBUTORY = ("old_age", "child_family", "social_assistance")

COVERAGE_COLUMNS = registry.table("indicators/admin_coverage").fields
GAP_COLUMNS = registry.table("indicators/admin_gaps").fields
NOT_COMPUTABLE_COLUMNS = registry.table("indicators/admin_not_computable").fields
LIFECYCLE_COLUMNS = registry.table("indicators/admin_lifecycle").fields

# Optional context tables (argument = declaration name in schemas.resources.context): the relation
# they are registered as and the columns read.
_CONTEXT = {
    "labour_force": ("adm_labour_force", ("country", "year", "sex", "labour_force", "employed", "unemployed")),
    "births": ("adm_births", ("country", "year", "live_births", "twin_delivery_share", "triplet_delivery_share")),
    "fertility": ("adm_fertility", ("country", "year", "age_group", "asfr")),
    "pensionable_age": ("adm_pensionable_age", ("country", "sex", "from_year", "age")),
    "disability_prevalence": ("adm_disability", ("country", "sex", "prevalence")),
    "poverty": ("adm_poverty", ("country", "year", "sex", "poverty_rate")),
    "population_by_nationality": (
        "adm_nationality_population",
        (
            "country",
            "year",
            "sex",
            "nationality",
            "population",
            "population_15plus",
            "labour_force",
            "employed",
            "unemployed",
        ),
    ),
}
# params column suffix of each context table: src_<x> (source label), has_<x> (optional table given).
_PARAM_NAME = {
    "population": "population",
    "labour_force": "labour_force",
    "births": "births",
    "fertility": "fertility",
    "pensionable_age": "pensionable_age",
    "disability_prevalence": "disability",
    "poverty": "poverty",
    "population_by_nationality": "nationality",
}


class AdminInputError(ValueError):
    """An input frame breaks its contract (missing column, negative count, duplicated key...)."""


@dataclass(frozen=True)
class AdminCoverage:
    """The administrative coverage of one run: rates, their gaps, the cells that could not be
    computed (with the reason) and the life-cycle table.
    """

    coverage: pl.DataFrame
    gaps: pl.DataFrame
    not_computable: pl.DataFrame
    lifecycle: pl.DataFrame


# --- method --------------------------------------------------------------------------------


def _admin(method: MethodEdition) -> dict:
    """The ``admin`` block of a coverage edition, its rules and limits checked."""
    where = f"{method.source}, edition {method.edition}"
    if method.family != FAMILY:
        raise MethodConfigError(f"{where}: expected a {FAMILY} edition, got family {method.family!r}")
    admin = method["admin"]
    if not isinstance(admin, dict):
        raise MethodConfigError(f"{where}: 'admin' must be a mapping")
    for key, allowed in (
        ("scheme_overlap", SCHEME_OVERLAP_RULES),
        ("benefts_rule", BENFTS_RULES),
        ("assistance_age_allocation", ASSISTANCE_ALLOCATIONS),
        ("sex_total_rule", SEX_TOTAL_RULES),
    ):
        if admin.get(key) not in allowed:
            raise MethodConfigError(f"{where}: admin.{key} must be one of {list(allowed)}, got {admin.get(key)!r}")
    if method["wkinjry_denominator"] not in WKINJRY_DENOMINATORS:
        raise MethodConfigError(f"{where}: wkinjry_denominator must be one of {list(WKINJRY_DENOMINATORS)}")
    split = admin.get("age_split") or {}
    weights = split.get("weights")
    if (
        not split.get("rule")
        or not isinstance(weights, list)
        or len(weights) != 5
        or any(float(w) < 0 for w in weights)
        or abs(sum(float(w) for w in weights) - 1) > 1e-9
    ):
        raise MethodConfigError(f"{where}: admin.age_split needs a rule name and 5 non-negative weights summing to 1")
    _check_benefit_lists(where, method, admin)
    for key in ("poverty_max_year_gap", "multiple_delivery_max_year_gap"):
        if not isinstance(admin.get(key), int) or isinstance(admin.get(key), bool) or admin[key] < 0:
            raise MethodConfigError(f"{where}: admin.{key} must be a whole number >= 0, got {admin.get(key)!r}")
    if not isinstance(admin.get("total_rate_for_sexes"), bool):
        raise MethodConfigError(f"{where}: admin.total_rate_for_sexes must be true or false")
    return admin


def _check_benefit_lists(where: str, method: MethodEdition, admin: dict) -> None:
    """The benefit-type lists of the edition name known benefit types, and those shared by
    survey and administrative sources are set at the top of the edition, not under ``admin``.
    """
    if unknown := set(admin.get("assistance_benefits_working_age") or ()) - set(st.BENEFIT_TYPES):
        raise MethodConfigError(
            f"{where}: admin.assistance_benefits_working_age has unknown benefit types {sorted(unknown)}"
        )
    for key in ("contributory_benefits_working_age", "vulnerable_numerator_benefits"):
        if key in admin:
            raise MethodConfigError(
                f"{where}: {key} is shared by both sources: set it at the top of the edition, not under admin"
            )
    numerator = method["vulnerable_numerator_benefits"]
    if not isinstance(numerator, list) or not numerator or set(numerator) - set(st.BENEFIT_TYPES):
        raise MethodConfigError(
            f"{where}: vulnerable_numerator_benefits must list at least one of {list(st.BENEFIT_TYPES)}, got {numerator!r}"
        )
    contributory = method["contributory_benefits_working_age"]
    allowed = [t for t in st.BENEFIT_TYPES if t not in NOT_WORKING_AGE_CONTRIBUTORY]
    if not isinstance(contributory, list) or set(contributory) - set(allowed):
        raise MethodConfigError(
            f"{where}: contributory_benefits_working_age must list benefit types among {allowed}, got {contributory!r}"
        )


def _params(method: MethodEdition, admin: dict, present: dict[str, bool], vintages: Mapping[str, str]) -> pl.DataFrame:
    values = {
        "child_max_age": int(method["child_max_age"]),
        "working_age_min": int(method["working_age_min"]),
        "wkinjry_labour_force": method["wkinjry_denominator"] == "labour_force",
        "cap_at_100": bool(method["cap_at_100"]),
        "scheme_overlap": admin["scheme_overlap"],
        "benefts_rule": admin["benefts_rule"],
        "assistance_age_allocation": admin["assistance_age_allocation"],
        "total_rate_for_sexes": admin["total_rate_for_sexes"],
        "poverty_max_year_gap": int(admin["poverty_max_year_gap"]),
        "multiple_delivery_max_year_gap": int(admin["multiple_delivery_max_year_gap"]),
        "sex_total_rule": admin["sex_total_rule"],
        "age_split_rule": str(admin["age_split"]["rule"]),
        "method_edition": method.label,
    }
    for table, name in _PARAM_NAME.items():
        if table in _CONTEXT:
            values[f"has_{name}"] = present[table]
        values[f"src_{name}"] = f"{table} ({vintages[table]})" if vintages.get(table) else table
    return params_frame(values)


def _benefit_lists(method: MethodEdition, admin: dict) -> pl.DataFrame:
    rows = []
    for types, item, kind, what, role in (
        (
            method["contributory_benefits_working_age"],
            "contributory_wa_benefit",
            "contributory",
            "contributory-scheme recipients",
            "",
        ),
        (
            admin.get("assistance_benefits_working_age"),
            "assistance_wa_benefit",
            "non_contributory",
            "non-contributory-scheme recipients",
            "",
        ),
        (
            method["vulnerable_numerator_benefits"],
            "vulnerable_benefit",
            "non_contributory",
            "non-contributory-scheme recipients",
            " (vulnerable numerator)",
        ),
    ):
        types = list(types or ())
        rows += [(item, t, kind, f"{what} of {', '.join(types)} benefits{role}") for t in types]
    return pl.DataFrame(
        rows,
        schema={"item": pl.String, "benefit_type": pl.String, "scheme_kind": pl.String, "description": pl.String},
        orient="row",
    )


def _age_relations(admin: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    """WPP 5-year groups (first age, open-ended, fertility group) and the split weights."""
    groups = pl.DataFrame(
        {
            "age5yearinterval": list(ct.WPP_AGE5),
            "age_lo": [int(g.split("_")[0].removesuffix("plus")) for g in ct.WPP_AGE5],
            "open_ended": [g.endswith("plus") for g in ct.WPP_AGE5],
            "fertility": [g in ct.FERTILITY_AGES for g in ct.WPP_AGE5],
        },
        schema={"age5yearinterval": pl.String, "age_lo": pl.Int64, "open_ended": pl.Boolean, "fertility": pl.Boolean},
    )
    weights = [(False, k, float(w)) for k, w in enumerate(admin["age_split"]["weights"])] + [(True, 0, 1.0)]
    return groups, pl.DataFrame(
        weights, schema={"open_ended": pl.Boolean, "age_offset": pl.Int64, "weight": pl.Float64}, orient="row"
    )


# --- inputs --------------------------------------------------------------------------------


def _require(frame: pl.DataFrame, columns, name: str) -> None:
    if missing := [c for c in columns if c not in frame.columns]:
        raise AdminInputError(f"{name}: missing column(s) {missing} (has {frame.columns})")


def _typed(frame: pl.DataFrame, schema: dict[str, pl.DataType], name: str) -> pl.DataFrame:
    _require(frame, schema, name)
    try:
        return frame.select(pl.col(c).cast(t) for c, t in schema.items())
    except pl.exceptions.PolarsError as exc:
        raise AdminInputError(f"{name}: a column has values of the wrong type ({exc})") from exc


def _fail_rows(bad: pl.DataFrame, name: str, what: str) -> None:
    if bad.height:
        example = ", ".join(f"{k}={v}" for k, v in bad.row(0, named=True).items())
        raise AdminInputError(f"{name}: {bad.height} row(s) with {what}, e.g. {example}")


def _ssi(frame: pl.DataFrame) -> pl.DataFrame:
    schema = {v.name: (pl.Float64() if v.name == "persons" else polars_dtype(v)) for v in st.COVERAGE_COLUMNS}
    ssi = _typed(frame, schema, "ssi_coverage")
    codes = {v.name: v.codes for v in st.COVERAGE_COLUMNS if v.codes}
    for col, allowed in codes.items():
        nullable = col == "benefit_type"
        bad = ssi.filter(
            ~pl.col(col).is_in(list(allowed))
            if nullable
            else (pl.col(col).is_null() | ~pl.col(col).is_in(list(allowed)))
        )
        _fail_rows(bad, "ssi_coverage", f"{col} not in {list(allowed)}")
    persons = pl.col("persons")
    _fail_rows(
        ssi.filter(persons.is_null() | persons.is_nan() | (persons != persons.floor())),
        "ssi_coverage",
        "missing or non-integer persons",
    )
    _fail_rows(ssi.filter(persons < 0), "ssi_coverage", "negative persons")
    _fail_rows(
        ssi.filter(pl.struct(list(st.COVERAGE_KEY)).is_duplicated()),
        "ssi_coverage",
        f"a duplicated key {list(st.COVERAGE_KEY)}",
    )
    _fail_rows(
        ssi.filter(
            (pl.col("country").n_unique().over("return_id") > 1) | (pl.col("year").n_unique().over("return_id") > 1)
        ),
        "ssi_coverage",
        "a return_id with several countries or years",
    )
    return ssi


def _context(frame: pl.DataFrame | None, table: str, columns: tuple[str, ...]) -> pl.DataFrame:
    """A context table typed as declared in ``schemas.resources.context``, with the columns read
    (an optional column absent from the frame is all null); empty when not provided.
    """
    decl = ct.BY_NAME[table]
    declared = {v.name: v for v in decl.columns if v.name in columns}
    schema = {name: polars_dtype(v) for name, v in declared.items()}
    if frame is None:
        return pl.DataFrame(schema=schema)
    _require(frame, [name for name, v in declared.items() if v.required], table)
    typed = _typed(frame.with_columns(pl.lit(None).alias(c) for c in schema if c not in frame.columns), schema, table)
    numeric = [c for c, t in schema.items() if t == pl.Float64]
    if numeric:
        _fail_rows(typed.filter(pl.any_horizontal(pl.col(c) < 0 for c in numeric)), table, "negative values")
    _fail_rows(typed.filter(pl.struct(list(decl.key)).is_duplicated()), table, f"a duplicated key {list(decl.key)}")
    return typed


# --- computation ---------------------------------------------------------------------------


def compute_admin_coverage(
    con: duckdb.DuckDBPyConnection,
    ssi_coverage: pl.DataFrame,
    population: pl.DataFrame,
    labour_force: pl.DataFrame | None,
    births: pl.DataFrame | None,
    fertility: pl.DataFrame | None,
    pensionable_age: pl.DataFrame | None,
    disability_prevalence: pl.DataFrame | None,
    poverty: pl.DataFrame | None,
    population_by_nationality: pl.DataFrame | None,
    countries: pl.DataFrame,
    method: MethodEdition,
    *,
    vintages: Mapping[str, str] | None = None,
) -> AdminCoverage:
    """Every SDG 1.3.1 series (and SP_CONTRIB_LF, SP_CONTRIB_WAP, SP_HEALTH_PROT) for every SSI
    return in ``ssi_coverage``, by sex and nationality, with gaps. See the module docstring.
    """
    admin = _admin(method)
    context = {
        "population": population,
        "labour_force": labour_force,
        "births": births,
        "fertility": fertility,
        "pensionable_age": pensionable_age,
        "disability_prevalence": disability_prevalence,
        "poverty": poverty,
        "population_by_nationality": population_by_nationality,
    }
    present = {name: context[name] is not None for name in _CONTEXT}
    groups, weights = _age_relations(admin)
    relations = {
        "adm_ssi": _ssi(ssi_coverage),
        "adm_population": _context(
            population, "population", ("country", "time", "age5yearinterval", "gender", "population")
        ),
        "adm_countries": _context(countries, "countries", ("iso3", "m49")),
        "adm_wpp_groups": groups,
        "adm_age_weights": weights,
        "adm_benefit_lists": _benefit_lists(method, admin),
        **{rel: _context(context[table], table, cols) for table, (rel, cols) in _CONTEXT.items()},
        "params": _params(method, admin, present, dict(vintages or {})),
    }
    if relations["adm_countries"]["m49"].is_duplicated().any():
        raise AdminInputError("countries: an M49 code is given to several ISO3 codes")
    run_sql_file(con, SQL_FILE, relations)
    coverage = (
        fetch(con, "adm_coverage_out")
        .select(COVERAGE_COLUMNS)
        .cast({"year": pl.Int64, "value": pl.Float64, "capped": pl.Boolean})
    )
    gaps = fetch(con, "adm_gaps_out").select(GAP_COLUMNS).cast({"year": pl.Int64})
    not_computable = fetch(con, "adm_not_computable_out").select(NOT_COMPUTABLE_COLUMNS).cast({"year": pl.Int64})
    lifecycle = fetch(con, "adm_lifecycle_out").select(LIFECYCLE_COLUMNS).cast({"year": pl.Int64})
    return AdminCoverage(
        coverage=coverage.sort("source_id", "series", "nationality", "sex"),
        gaps=gaps.sort("source_id", "series", "gap_type", "sex", "nationality"),
        not_computable=not_computable.sort("source_id", "series", "breakdown", "reason"),
        lifecycle=lifecycle.sort("source_id", "sex"),
    )
