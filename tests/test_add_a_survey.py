"""A statistician adds a survey by following data/raw/README.md alone: a data file and a spec
written here by hand (an SPSS file, value codes of its own), no code change. The main command
picks it up, harmonises it and estimates it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pyreadstat
import pytest

from tests.pipeline_inputs import write_minimal_inputs

PROJECT = Path(__file__).resolve().parent.parent

SPEC = """\
survey:
  id: SEN_LFS_2023
  country: SEN
  year: 2023
  kind: LFS
  file: enquete_emploi_2023.sav
  vintage: "2024-02-15"
  synthetic: true
  source: "Test file written by tests/test_add_a_survey.py"
design:
  psu_nested_in_strata: true
variables:
  hh_id: menage
  person_id: individu
  person_weight: poids
  stratum: strate
  psu: dr
  sex: {source: sexe, codes: {1: M, 2: F}}
  age: {source: age, missing: [99]}
  lf_status: {source: statut, codes: {1: employed, 2: unemployed, 3: outside_labour_force}}
  contributor: {source: cotise, codes: {1: true, 2: false}}
  rec_oldage_contrib: {source: pension, in: [1]}
  rec_oldage_noncontrib: {source: pension, in: [2]}
  nationality: {source: nationalite, codes: {1: national, 2: non_national}}
  health_protected: {source: assurance_maladie, rule: positive}
absent: [household_weight, rec_child_family, rec_maternity, rec_sickness, rec_disability,
         rec_unemployment, rec_survivors, rec_employment_injury, rec_social_assistance,
         injury_insured, severe_disability, gave_birth, citizenship, urban_rural, hh_head,
         hh_consumption, hh_oop_health, poor]
"""


def test_new_survey_by_file_and_spec_only(tmp_path):
    input_dir = write_minimal_inputs(tmp_path / "in")
    folder = input_dir / "surveys" / "SEN_LFS_2023"
    folder.mkdir(parents=True)
    (folder / "spec.yaml").write_text(SPEC)
    n = 400
    frame = pl.DataFrame({
        "menage": [i // 4 for i in range(n)],
        "individu": [i % 4 for i in range(n)],
        "poids": [100.0 + (i % 7) for i in range(n)],
        "strate": [i % 4 for i in range(n)],
        "dr": [(i // 4) % 5 for i in range(n)],
        "sexe": [1 + i % 2 for i in range(n)],
        "age": [(i * 7) % 90 for i in range(n)],
        "statut": [1 + i % 3 for i in range(n)],
        "cotise": [1 + (i % 5 > 1) for i in range(n)],
        "pension": [(i % 3) if (i * 7) % 90 >= 60 else 0 for i in range(n)],
        "nationalite": [1 if i % 6 else 2 for i in range(n)],
        "assurance_maladie": [float(i % 4) for i in range(n)],
    })
    pyreadstat.write_sav(frame.to_pandas(), str(folder / "enquete_emploi_2023.sav"))
    (input_dir / "context" / "pensionable_age.csv").write_text("country,sex,from_year,age\nGHA,T,1991,60\nSEN,T,2000,60\n")
    (input_dir / "reference" / "countries.csv").write_text(
        (input_dir / "reference" / "countries.csv").read_text() + "SEN,686,Senegal,Africa,Sub-Saharan Africa,Sub-Saharan Africa,Western Africa\n"
    )

    env = dict(os.environ, GX_ANALYTICS_ENABLED="false")
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--input", str(input_dir), "--output", str(tmp_path / "out"), "--dagster-home", str(tmp_path / "home")],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "survey_job[SEN_LFS_2023]: ok" in proc.stdout
    persons = pl.read_parquet(tmp_path / "out" / "staging" / "survey_persons" / "SEN_LFS_2023.parquet")
    assert persons.height == n and set(persons["sex"]) == {"F", "M"} and persons["psu"][0] == "0/0"
    coverage = pl.read_parquet(tmp_path / "out" / "indicators" / "sdg_1_3_1.parquet").filter(pl.col("source_id") == "SEN_LFS_2023")
    assert {"SI_COV_PENSN", "SP_CONTRIB_LF", "SP_HEALTH_PROT"} <= set(coverage["series"])
    assert set(coverage["nationality"]) == {"T", "national", "non_national"}
    missing = pl.read_parquet(tmp_path / "out" / "indicators" / "not_computable.parquet").filter(pl.col("source_id") == "SEN_LFS_2023")
    reasons = dict(zip(missing.filter(pl.col("breakdown") == "all")["series"], missing.filter(pl.col("breakdown") == "all")["reason"]))
    assert reasons["SI_COV_MATNL"] == "gave_birth, rec_maternity absent in SEN_LFS_2023"
