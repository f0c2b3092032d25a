"""The table registry (``schemas.registry``): lookups, the derived Polars schema, empty frame and
conformed frame, and the validation error that names the table, the column and the rule."""

from __future__ import annotations

import polars as pl
import pytest

from schemas.fields import FIELDS, Field
from schemas.registry import TABLES, ContractError, Table, partitioned_by, table, tables_in_layer

UHC = "indicators/sdg_3_8_1"


def uhc_rows(**changes) -> pl.DataFrame:
    """Two good rows of indicators/sdg_3_8_1, with ``changes`` applied to the second."""
    base = {
        "ref_area": "GHA",
        "year": 2021,
        "series": "SH_ACS_UNHC",
        "value": 45.5,
        "rmnch": 60.0,
        "infectious_diseases": 40.0,
        "ncd": 50.0,
        "capacity": 35.0,
        "n_tracers_used": 14,
        "n_tracers_imputed": 0,
        "n_tracers_missing": 0,
        "imputed_share": 0.0,
        "malaria_high_burden": True,
        "obs_status": "A",
        "method_edition": "sdg_3_8_1:2025",
        "input_vintage": "uhc_tracers@2024",
        "run_id": "run-1",
    }
    return pl.DataFrame([base, {**base, "year": 2022, **changes}], schema=table(UHC).polars_schema())


def test_a_table_is_found_by_name_or_by_asset_key_parts():
    assert table(UHC) is table(["indicators", "sdg_3_8_1"]) is TABLES[UHC]
    t = table(UHC)
    assert (t.layer, t.table, t.key, t.path()) == (
        "indicators",
        "sdg_3_8_1",
        ("indicators", "sdg_3_8_1"),
        f"{UHC}.parquet",
    )
    with pytest.raises(KeyError, match="no table 'indicators/nope' in the registry"):
        table("indicators/nope")


def test_layers_and_partitions_select_tables():
    indicators = tables_in_layer("indicators")
    assert table("indicators/sdg_1_3_1") in indicators and all(t.layer == "indicators" for t in indicators)
    assert tables_in_layer("nowhere") == []
    assert all(t.partitions == "surveys" for t in partitioned_by("surveys"))


def test_polars_schema_and_empty_frame_follow_the_declared_columns():
    t = table("indicators/sdg_1_3_1")
    schema = t.polars_schema()
    assert list(schema) == list(t.fields)
    assert schema["year"] == pl.Int64 and schema["value"] == pl.Float64 and schema["capped"] == pl.Boolean
    empty = t.empty()
    assert empty.height == 0 and empty.schema == pl.Schema(schema)


def test_conform_selects_the_columns_in_order_and_casts_them():
    t = table(UHC)
    good = uhc_rows()
    shuffled = good.select(reversed(good.columns)).with_columns(pl.col("year").cast(pl.Int32), pl.lit(1).alias("extra"))
    conformed = t.conform(shuffled)
    assert conformed.columns == list(t.fields) and conformed.schema == good.schema
    assert conformed.equals(good)


def test_conform_names_a_missing_column():
    with pytest.raises(ContractError, match=r"table indicators/sdg_3_8_1: column\(s\) imputed_share missing"):
        table(UHC).conform(uhc_rows().drop("imputed_share"))


def test_a_good_frame_validates():
    good = uhc_rows()
    assert table(UHC).validate(good).equals(good)
    assert table(UHC).validate(good.lazy()).equals(good)


@pytest.mark.parametrize(
    ("changes", "column", "rule"),
    [
        ({"value": 120.0}, "value", "less_than_or_equal_to(100)"),
        ({"obs_status": "X"}, "obs_status", "isin(['A', 'E', 'U'])"),
        ({"imputed_share": -0.5}, "imputed_share", "greater_than_or_equal_to(0)"),
        ({"run_id": None}, "run_id", "not_nullable"),
        ({"value": float("inf")}, "value", "finite"),
    ],
)
def test_a_broken_rule_is_named_with_table_and_column(changes, column, rule):
    with pytest.raises(ContractError) as err:
        table(UHC).validate(uhc_rows(**changes))
    message = str(err.value)
    assert message.startswith("table indicators/sdg_3_8_1 breaks its contract")
    assert f"column {column}: rule {rule} fails (1 case(s)" in message
    assert err.value.failures is not None and err.value.failures.height >= 1


def test_a_repeated_primary_key_is_named_with_its_columns_and_rows():
    rows = uhc_rows(year=2021)
    with pytest.raises(ContractError, match=r"columns ref_area, year, series \(primary key\): rule unique_key fails"):
        table(UHC).validate(rows)


def test_a_wrong_type_and_an_undeclared_column_are_errors():
    with pytest.raises(ContractError, match=r"column year: rule dtype\('Int64'\)"):
        table(UHC).validate(uhc_rows().with_columns(pl.col("year").cast(pl.String)))
    with pytest.raises(ContractError, match="column extra: rule column_in_schema"):
        table(UHC).validate(uhc_rows().with_columns(pl.lit(1).alias("extra")))


def test_a_table_override_narrows_a_shared_field():
    gaps = table("indicators/sdg_1_3_1_gaps")
    assert gaps.column("sex").codes == FIELDS["sex"].codes
    assert gaps.column("sex").description != FIELDS["sex"].description
    assert table("indicators/sdg_1_3_1").column("sex") is FIELDS["sex"]


def test_declarations_are_checked():
    with pytest.raises(KeyError, match="field 'nope' is not declared"):
        Table("indicators/x", "x", ("ref_area", "nope"))
    with pytest.raises(ValueError, match="primary key column"):
        Table("indicators/x", "x", ("ref_area",), primary_key=("year",))
    with pytest.raises(ValueError, match="listed twice"):
        Table("indicators/x", "x", ("ref_area", "ref_area"))
    with pytest.raises(ValueError, match="<layer>/<table>"):
        Table("sdg_1_3_1", "x", ("ref_area",))
    with pytest.raises(ValueError, match="partitions"):
        Table("indicators/x", "x", ("ref_area",), partitions="countries")
    with pytest.raises(ValueError, match="codes are given"):
        Field("x", "int", "x", codes=("a",))


def test_partitioned_paths_need_a_partition():
    t = Table("indicators/per_survey", "x", ("ref_area",), partitions="surveys")
    assert t.path("GHA_LFS_2022") == "indicators/per_survey/GHA_LFS_2022.parquet"
    with pytest.raises(ValueError, match="partitioned by surveys"):
        t.path()


def person_rows(**changes) -> pl.DataFrame:
    """One canonical person (staging/survey_persons), every optional variable missing."""
    persons = table("staging/survey_persons")
    row = dict.fromkeys(persons.fields)
    row.update(
        survey_id="GHA_LFS_2022",
        country="GHA",
        year=2022,
        survey_kind="LFS",
        hh_id="1",
        person_id="1",
        person_weight=120.5,
        sex="F",
        age=34,
        source_row=1,
    )
    row.update(changes)
    return pl.DataFrame([row], schema=persons.polars_schema())


def test_the_person_table_is_declared_once_with_its_survey_partitions():
    persons = table("staging/survey_persons")
    assert persons.partitions == "surveys" and persons.primary_key == ("survey_id", "hh_id", "person_id")
    assert persons.validate(person_rows()).height == 1
    with pytest.raises(ContractError, match=r"column sex: rule isin\(\['F', 'M'\]\)"):
        persons.validate(person_rows(sex="X"))
    with pytest.raises(ContractError, match=r"column person_weight: rule greater_than\(0\)"):
        persons.validate(person_rows(person_weight=0.0))


def test_ssi_and_context_tables_are_in_the_registry():
    by_return = {t.name for t in partitioned_by("ssi_returns")}
    assert {"staging/ssi_coverage", "staging/ssi_schemes", "staging/ssi_expenditure"} <= by_return
    assert table("raw/ssi_return").storage == "folder" and table("raw/ssi_return").path("GHA_2022") == (
        "raw/ssi_return/GHA_2022"
    )
    from schemas.resources.context import TABLES as CONTEXT

    for declared in CONTEXT:
        staged = table(["staging", declared.name])
        assert staged.fields == tuple(v.name for v in declared.columns) and staged.primary_key == declared.key
        assert table(["raw", declared.name]).as_read


def test_a_table_as_read_keeps_its_columns_but_needs_the_declared_ones():
    returns = table("staging/ssi_returns")
    frame = pl.DataFrame({"country": ["GHA"], "reference_year": ["2022"], "institution": ["SSNIT"]})
    assert returns.conform(frame).equals(frame) and returns.validate(frame).equals(frame)
    with pytest.raises(ContractError, match=r"column\(s\) reference_year missing"):
        returns.conform(frame.drop("reference_year"))
    with pytest.raises(ContractError, match="column reference_year"):
        returns.validate(frame.drop("reference_year"))


def test_every_shared_field_is_used_by_a_table():
    used = {c.name for t in TABLES.values() for c in t.columns}
    assert sorted(set(FIELDS) - used) == []


def test_every_table_of_the_survey_partitions_is_declared_once():
    names = {t.name for t in partitioned_by("surveys")}
    assert {
        "raw/survey_file",
        "staging/survey_persons",
        "indicators/survey_estimates",
        "indicators/survey_gaps",
        "indicators/survey_not_computable",
        "indicators/sdg_3_8_2_survey",
        "indicators/sdg_3_8_2_survey_exclusions",
        "indicators/sdg_3_8_2_survey_gaps",
        "indicators/sdg_3_8_2_survey_not_computable",
        "indicators/survey_groups",
        "indicators/survey_groups_gaps",
        "indicators/survey_groups_not_computable",
        "indicators/survey_adequacy",
        "indicators/survey_adequacy_gaps",
    } == names


def test_a_survey_estimate_breaking_its_contract_is_named():
    estimates = table("indicators/survey_estimates")
    row = dict.fromkeys(estimates.fields)
    row.update(
        survey_id="GHA_LFS_2022",
        country="GHA",
        year=2022,
        series="SI_COV_CHLD",
        sex="T",
        nationality="T",
        age_group="T",
        urban_rural="T",
        value=41.0,
        reliability="reliable",
        method_edition="sdg_1_3_1:ILO-2024",
    )
    good = pl.DataFrame([row], schema=estimates.polars_schema())
    assert estimates.validate(good).height == 1
    with pytest.raises(ContractError, match=r"indicators/survey_estimates.*\n  column reliability: rule isin"):
        estimates.validate(good.with_columns(pl.lit("solid").alias("reliability")))
    with pytest.raises(ContractError, match=r"column se: rule greater_than_or_equal_to\(0\)"):
        estimates.validate(good.with_columns(pl.lit(-0.1).alias("se")))


def test_the_gx_suites_take_their_keys_and_code_lists_from_the_registry():
    from schemas import gx_suites

    assert list(table("publication/country_values").primary_key) == gx_suites.COUNTRY_KEY
    assert list(table("publication/aggregates").primary_key) == gx_suites.AGGREGATE_KEY
    assert list(table("publication/gender_gaps").primary_key) == gx_suites.GAP_KEY
    assert list(table("publication/sdg_sdmx").primary_key) == gx_suites.SDMX_KEY
    assert list(table("publication/country_values").column("flag").codes) == gx_suites.FLAGS
    validated = {suite.table for suite in gx_suites.SUITES}
    assert {t.table for t in tables_in_layer("publication")} >= validated
