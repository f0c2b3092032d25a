"""Structural errors in harmonisation specs: each one names the file, the variable and the value."""

from __future__ import annotations

import pytest

from engine.errors import SpecError
from engine.harmonise import ingest_survey
from engine.survey_spec import load_spec
from tests.conftest import write_survey


def _error(tmp_path, spec_dict, **kwargs) -> SpecError:
    path = write_survey(tmp_path, spec_dict, **kwargs)
    with pytest.raises(SpecError) as info:
        ingest_survey(load_spec(path))
    return info.value


def test_valid_spec_loads(tmp_path, spec_dict):
    spec = load_spec(write_survey(tmp_path, spec_dict))
    assert spec.survey_id == "TST_HIES_2021" and spec.country == "GHA" and spec.fmt == "csv"
    assert "gave_birth" in spec.absent and "household_weight" in spec.absent
    assert spec.psu_nested_in_strata


def test_unknown_canonical_variable(tmp_path, spec_dict):
    spec_dict["variables"]["shoe_size"] = "sx"
    err = _error(tmp_path, spec_dict)
    assert "spec.yaml" in err.file and err.where == "variables.shoe_size" and err.rule == "canonical_variable"
    assert "shoe_size" in str(err)


def test_unknown_canonical_code(tmp_path, spec_dict):
    spec_dict["variables"]["sex"] = {"source": "sx", "codes": {1: "M", 2: "X"}}
    err = _error(tmp_path, spec_dict)
    assert err.where == "variables.sex" and err.value == "X" and err.rule == "canonical_code"
    assert "'X'" in str(err) and "['F', 'M']" in str(err)


def test_source_variable_missing_from_file(tmp_path, spec_dict):
    spec_dict["variables"]["age"] = "age_years"
    err = _error(tmp_path, spec_dict)
    assert err.where == "variables.age" and err.value == "age_years" and err.rule == "source_variable_exists"
    assert "not in the data file data.csv" in str(err)


def test_expression_naming_a_missing_variable(tmp_path, spec_dict):
    spec_dict["variables"]["rec_social_assistance"] = {"expr": "benefit_xyz > 0"}
    err = _error(tmp_path, spec_dict)
    assert err.where == "variables.rec_social_assistance" and err.value == "benefit_xyz"


def test_expression_that_does_not_parse(tmp_path, spec_dict):
    spec_dict["variables"]["rec_social_assistance"] = {"expr": "amt_child >>> 2 ("}
    err = _error(tmp_path, spec_dict)
    assert err.rule == "expression" and "does not parse" in str(err)


def test_required_variable_cannot_be_absent(tmp_path, spec_dict):
    del spec_dict["variables"]["age"]
    spec_dict["absent"].append("age")
    err = _error(tmp_path, spec_dict)
    assert err.rule == "required_variable" and "age" in str(err)


def test_forgotten_variable_is_refused(tmp_path, spec_dict):
    spec_dict["absent"].remove("gave_birth")
    err = _error(tmp_path, spec_dict)
    assert err.rule == "absent_or_mapped" and "gave_birth" in str(err)


def test_unknown_key(tmp_path, spec_dict):
    spec_dict["survey"]["wave"] = 3
    err = _error(tmp_path, spec_dict)
    assert err.rule == "known_keys" and "wave" in str(err)


def test_id_must_match_folder(tmp_path, spec_dict):
    path = write_survey(tmp_path, spec_dict)
    text = path.read_text().replace("id: TST_HIES_2021", "id: OTHER_2021")
    path.write_text(text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.rule == "id_matches_folder" and info.value.value == "OTHER_2021"


def test_country_must_be_iso3(tmp_path, spec_dict):
    spec_dict["survey"]["country"] = "XXX"
    err = _error(tmp_path, spec_dict)
    assert err.where == "survey.country" and err.value == "XXX" and err.rule == "iso3166_alpha3"


def test_invalid_yaml(tmp_path, spec_dict):
    path = write_survey(tmp_path, spec_dict)
    path.write_text("survey: [unclosed\n")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.rule == "yaml" and str(path) in str(info.value)


def test_flag_mapped_to_non_boolean(tmp_path, spec_dict):
    spec_dict["variables"]["contributor"] = {"source": "ssc", "codes": {1: "maybe"}}
    err = _error(tmp_path, spec_dict)
    assert err.where == "variables.contributor" and err.value == "maybe"


def test_both_mapped_and_absent(tmp_path, spec_dict):
    spec_dict["absent"].append("sex")
    err = _error(tmp_path, spec_dict)
    assert err.rule == "absent_or_mapped" and "sex" in str(err)


@pytest.mark.parametrize(
    ("variable", "mapping", "where"),
    [
        ("age", {"source": "age", "missing": [999, ""]}, "variables.age.missing"),
        ("rec_oldage_contrib", {"source": "pens", "in": [1, " "]}, "variables.rec_oldage_contrib.in"),
        ("age", {"source": "age", "classes": {" ": "0_14", 2: "15_99"}}, "variables.age.classes"),
    ],
)
def test_a_blank_code_is_refused_where_the_spec_gives_it(tmp_path, spec_dict, variable, mapping, where):
    spec_dict["variables"][variable] = mapping
    err = _error(tmp_path, spec_dict)
    assert err.where == where and err.rule == "mapping_form" and "blank" in str(err)
