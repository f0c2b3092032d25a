"""A statistician adds a survey by following data/raw/README.md alone: a data file and a spec
written here by hand (an SPSS file, value codes of its own), no code change. The main command
picks it up, harmonises it and estimates it. Surveys as they are shipped (a household file and
a person file, numbers written 1.0, unquoted yes/no codes, missing citizenship; the real laeken
EU-SILC file split as EU-SILC ships it) go through their survey partition unedited."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pyreadstat
import pytest
import yaml

from engine.harmonise import ingest_survey
from engine.method_config import load_method
from engine.survey_estimation import estimate_survey
from engine.survey_spec import load_spec
from pipelines import cli
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


def test_new_survey_by_file_and_spec_only(tmp_path, capsys):
    input_dir = write_minimal_inputs(tmp_path / "in")
    folder = input_dir / "surveys" / "SEN_LFS_2023"
    folder.mkdir(parents=True)
    (folder / "spec.yaml").write_text(SPEC)
    n = 400
    frame = pl.DataFrame(
        {
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
        }
    )
    pyreadstat.write_sav(frame.to_pandas(), str(folder / "enquete_emploi_2023.sav"))
    (input_dir / "context" / "pensionable_age.csv").write_text(
        "country,sex,from_year,age\nGHA,T,1991,60\nSEN,T,2000,60\n"
    )
    (input_dir / "reference" / "countries.csv").write_text(
        (input_dir / "reference" / "countries.csv").read_text()
        + "SEN,686,Senegal,Africa,Sub-Saharan Africa,Sub-Saharan Africa,Western Africa\n"
    )

    # the main command (``python tasks.py pipeline``), in this process: its worker processes are
    # the ones the other pipeline tests use
    code = cli.main(
        [
            "run",
            "--input",
            str(input_dir),
            "--output",
            str(tmp_path / "out"),
            "--dagster-home",
            str(tmp_path / "home"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, out[-3000:] + err[-2000:]
    assert "survey_job[SEN_LFS_2023]: ok" in out
    persons = pl.read_parquet(tmp_path / "out" / "staging" / "survey_persons" / "SEN_LFS_2023.parquet")
    assert persons.height == n and set(persons["sex"]) == {"F", "M"} and persons["psu"][0] == "0/0"
    coverage = pl.read_parquet(tmp_path / "out" / "indicators" / "sdg_1_3_1.parquet").filter(
        pl.col("source_id") == "SEN_LFS_2023"
    )
    assert {"SI_COV_PENSN", "SP_CONTRIB_LF", "SP_HEALTH_PROT"} <= set(coverage["series"])
    assert set(coverage["nationality"]) == {"T", "national", "non_national"}
    missing = pl.read_parquet(tmp_path / "out" / "indicators" / "not_computable.parquet").filter(
        pl.col("source_id") == "SEN_LFS_2023"
    )
    reasons = dict(
        zip(
            missing.filter(pl.col("breakdown") == "all")["series"],
            missing.filter(pl.col("breakdown") == "all")["reason"],
            strict=True,
        )
    )
    assert reasons["SI_COV_MATNL"] == "gave_birth, rec_maternity absent in SEN_LFS_2023"


# --- A survey as shipped, through the survey partition (issue 9, "Done when") -----------------

NEW_USER_SPEC = """\
survey:
  id: GHA_HIES_2024
  country: GHA
  year: 2024
  kind: HIES
  file: persons_2024.csv          # one row per person
  join:
    - {file: households_2024.csv, on: [hhid]}   # one row per household
  vintage: "2025-01-31"
  synthetic: yes
  source: "Test file written by tests/test_add_a_survey.py"
design:
  psu_nested_in_strata: yes
variables:
  hh_id: hhid
  person_id: line
  person_weight: hhweight
  stratum: region
  psu: cluster
  sex: {source: sex, codes: {1: M, 2: F}}
  age: age
  contributor: {source: ssnit, codes: {yes: true, no: false}}
  health_protected: {source: nhis, codes: {yes: true, no: false}}
  nationality: {source: citizen, codes: {GHA: national}, other: non_national, missing: [99]}
  citizenship: {source: citizen, missing: [99]}
  urban_rural: {source: urban, codes: {1: urban, 2: rural}}
  hh_consumption: cons
absent: [household_weight, lf_status, rec_child_family, rec_maternity, rec_sickness, rec_disability,
         rec_unemployment, rec_oldage_contrib, rec_oldage_noncontrib, rec_survivors, rec_employment_injury,
         rec_social_assistance, injury_insured, severe_disability, gave_birth, hh_head, hh_oop_health, poor]
"""


def _new_user_files(folder: Path) -> pl.DataFrame:
    """48 households in 4 regions x 3 clusters, 1 to 4 members; every number written as R
    exports a numeric column (1.0, 34.0); citizenship empty below 16 (not asked) and 99 (not
    stated) for every 7th adult; variables of the household (weight, region, cluster, area,
    consumption) in a file of their own. Returns the persons with their expected nationality."""
    households = pl.DataFrame({"hhid": list(range(1, 49))}).with_columns(
        (pl.col("hhid") % 4 + 1).alias("region"),
        (pl.col("hhid") % 3 + 1).alias("cluster"),
        (100.0 + pl.col("hhid") % 5 * 10).alias("hhweight"),
        (pl.col("hhid") % 2 + 1).alias("urban"),
        (1000.0 * pl.col("hhid")).alias("cons"),
    )
    persons = (
        households.select("hhid", (pl.col("hhid") % 4 + 1).alias("size"))
        .with_columns(pl.int_ranges(1, pl.col("size") + 1).alias("line"))
        .explode("line")
        .drop("size")
        .with_row_index("i")
        .with_columns(
            (pl.col("i") % 2 + 1).alias("sex"),
            (pl.when(pl.col("line") == 1).then(30 + pl.col("i") % 40).otherwise((pl.col("i") * 7) % 70)).alias("age"),
            pl.when(pl.col("i") % 3 == 0).then(pl.lit("yes")).otherwise(pl.lit("no")).alias("ssnit"),
            pl.when(pl.col("i") % 4 == 0).then(pl.lit("no")).otherwise(pl.lit("yes")).alias("nhis"),
        )
        .with_columns(
            pl.when(pl.col("age") < 16)
            .then(pl.lit(""))
            .when(pl.col("i") % 7 == 0)
            .then(pl.lit("99"))
            .when(pl.col("i") % 5 == 0)
            .then(pl.lit("TGO"))
            .otherwise(pl.lit("GHA"))
            .alias("citizen")
        )
        .with_columns(
            pl.col("citizen")
            .replace_strict({"": None, "99": None, "TGO": "non_national", "GHA": "national"})
            .alias("expected")
        )
    )
    decimals = [
        pl.col(c).cast(pl.Float64).map_elements(lambda v: f"{v:.1f}", return_dtype=pl.String)
        for c in ("hhid", "line", "sex", "age")
    ]
    persons.select("hhid", "line", "sex", "age", "ssnit", "nhis", "citizen").with_columns(decimals).write_csv(
        folder / "persons_2024.csv"
    )
    households.with_columns(
        pl.col(c).cast(pl.Float64).map_elements(lambda v: f"{v:.1f}", return_dtype=pl.String)
        for c in ("hhid", "region", "cluster", "urban")
    ).write_csv(folder / "households_2024.csv")
    return persons


def _laeken_split(folder: Path) -> None:
    """The bundled laeken EU-SILC file split as EU-SILC ships it: a household file (db030 and
    the household variables, hy050n family allowances among them, one row per household) and a
    person file (pb030 person, px030 household, the personal variables)."""
    whole = pl.read_csv(
        PROJECT / "data" / "raw" / "surveys" / "AUT_SILC_2006" / "laeken_eusilc_synthetic_AT2006.csv",
        infer_schema=False,
    )
    household = [
        "db030",
        "hsize",
        "db040",
        *[c for c in whole.columns if c.startswith("hy")],
        "eqSS",
        "eqIncome",
        "db090",
    ]
    whole.select(household).unique("db030", keep="first", maintain_order=True).write_csv(folder / "silc_2006_h.csv")
    whole.select(
        pl.col("rb030").alias("pb030"),
        pl.col("db030").alias("px030"),
        *[c for c in whole.columns if c not in household and c != "rb030"],
    ).write_csv(folder / "silc_2006_p.csv")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """An input folder with the new user's survey and the split EU-SILC file, each run through
    its survey partition (raw -> staging -> indicators) as the main command runs it."""
    import dagster as dg

    from pipelines.jobs import SURVEY_JOB
    from pipelines.runner import execute, sync_partitions
    from tests.pipeline_settings import pipeline_settings

    base = tmp_path_factory.mktemp("shipped")
    input_dir = write_minimal_inputs(base / "in")
    new_user = input_dir / "surveys" / "GHA_HIES_2024"
    new_user.mkdir(parents=True)
    (new_user / "spec.yaml").write_text(NEW_USER_SPEC)
    expected = _new_user_files(new_user)

    silc = input_dir / "surveys" / "AUT_SILC_2006"
    silc.mkdir(parents=True)
    _laeken_split(silc)
    doc = yaml.safe_load((PROJECT / "data" / "raw" / "surveys" / "AUT_SILC_2006" / "spec.yaml").read_text())
    doc["survey"]["file"] = "silc_2006_p.csv"
    doc["survey"]["join"] = [{"file": "silc_2006_h.csv", "on": {"px030": "db030"}}]
    doc["variables"]["hh_id"], doc["variables"]["person_id"], doc["variables"]["psu"] = "px030", "pb030", "px030"
    (silc / "spec.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))

    pipeline = pipeline_settings(input_dir, base / "out")
    with dg.instance_for_test() as instance:
        sync_partitions(instance, pipeline)
        outcomes = {s: execute(instance, SURVEY_JOB, s, pipeline=pipeline) for s in ("GHA_HIES_2024", "AUT_SILC_2006")}
    return base / "out", outcomes, expected


def test_a_survey_as_a_new_user_writes_it_gives_the_right_domains(shipped):
    """Numeric codes written 1.0, unquoted yes/no keys, a household file and a person file, a
    missing-citizenship code with `other:`: no edit of the data files, nothing quarantined,
    every person in the right sex and nationality domains, and missing citizenship in the
    nationality totals only."""
    out, outcomes, expected = shipped
    assert outcomes["GHA_HIES_2024"].success, outcomes["GHA_HIES_2024"].failed_steps
    persons = pl.read_parquet(out / "staging" / "survey_persons" / "GHA_HIES_2024.parquet").sort("source_row")
    assert persons.height == expected.height == 120
    assert (
        not (out / "quarantine" / "survey" / "GHA_HIES_2024.parquet").exists()
        or pl.read_parquet(out / "quarantine" / "survey" / "GHA_HIES_2024.parquet").is_empty()
    )
    assert persons["nationality"].to_list() == expected["expected"].to_list()
    assert persons["sex"].to_list() == ["M" if s == 1 else "F" for s in expected["sex"]]
    assert persons["contributor"].to_list() == (expected["ssnit"] == "yes").to_list()
    assert (
        persons["urban_rural"].null_count() == 0
        and persons["stratum"].n_unique() == 4
        and persons["hh_consumption"].null_count() == 0
    )

    counts = dict(
        expected.group_by("sex", "expected")
        .len()
        .select(
            pl.concat_str(pl.col("sex").cast(pl.String), pl.col("expected").fill_null("missing"), separator="/"), "len"
        )
        .iter_rows()
    )
    estimates = pl.read_parquet(out / "indicators" / "survey_estimates" / "GHA_HIES_2024.parquet").filter(
        (pl.col("series") == "SP_HEALTH_PROT") & (pl.col("age_group") == "T") & (pl.col("urban_rural") == "T")
    )
    n = {(r["sex"], r["nationality"]): r["n_unweighted"] for r in estimates.iter_rows(named=True)}
    for sex, code in (("M", "1"), ("F", "2")):
        assert (
            n[(sex, "national")] == counts[f"{code}/national"]
            and n[(sex, "non_national")] == counts[f"{code}/non_national"]
        )
        assert n[(sex, "T")] == counts[f"{code}/national"] + counts[f"{code}/non_national"] + counts[f"{code}/missing"]
    assert counts == {
        "1/national": 41,
        "1/non_national": 10,
        "1/missing": 9,
        "2/national": 31,
        "2/non_national": 10,
        "2/missing": 19,
    }
    # the 28 persons without citizenship (children, 'not stated') are in the totals only
    assert n[("T", "T")] == 120 and n[("T", "national")] == 72 and n[("T", "non_national")] == 20


def test_the_eusilc_household_and_person_files_give_the_one_file_estimates(shipped):
    """The real laeken EU-SILC file split into its household file and person file: the
    household variables (hy050n family allowances, region, weights) reach every member, and the
    partition's estimates equal those of the bundled one-file survey (children's allowance
    coverage 98.16%, not the 0% of a person file without its household values)."""
    out, outcomes, _ = shipped
    assert outcomes["AUT_SILC_2006"].success, outcomes["AUT_SILC_2006"].failed_steps
    split = pl.read_parquet(out / "staging" / "survey_persons" / "AUT_SILC_2006.parquet")
    bundled = ingest_survey(load_spec(PROJECT / "data" / "raw" / "surveys" / "AUT_SILC_2006" / "spec.yaml")).persons
    assert split.equals(bundled)
    estimates = pl.read_parquet(out / "indicators" / "survey_estimates" / "AUT_SILC_2006.parquet")
    direct = estimate_survey(
        duckdb.connect(config={"threads": "1"}),
        bundled,
        pl.DataFrame(schema={"sex": pl.String, "age": pl.Int64}),
        load_method("sdg_1_3_1"),
        load_method("survey_estimation"),
    )
    assert estimates.drop("method_edition").equals(direct.estimates.drop("method_edition"))
    child = estimates.filter(
        (pl.col("series") == "SI_COV_CHLD")
        & (pl.col("sex") == "T")
        & (pl.col("age_group") == "T")
        & (pl.col("urban_rural") == "T")
    )
    assert child.select("nationality", "n_unweighted").rows() == [("T", 2_720)] and round(child["value"][0], 2) == 98.16


def test_a_household_value_on_the_reference_person_row_is_spread(tmp_path):
    """The laeken person file with the family allowances (hy050n) given on the first member's
    row only, as a file merged from the household register may carry it: without `spread` the
    children of those households have no allowance (child coverage collapses); with
    `spread: household` the canonical table equals the bundled one."""
    whole = pl.read_csv(
        PROJECT / "data" / "raw" / "surveys" / "AUT_SILC_2006" / "laeken_eusilc_synthetic_AT2006.csv",
        infer_schema=False,
    )
    first = pl.int_range(pl.len()).over("db030") == 0
    doc = yaml.safe_load((PROJECT / "data" / "raw" / "surveys" / "AUT_SILC_2006" / "spec.yaml").read_text())
    folder = tmp_path / "surveys" / "AUT_SILC_2006"
    folder.mkdir(parents=True)
    whole.with_columns(pl.when(first).then(pl.col("hy050n")).alias("hy050n")).write_csv(folder / doc["survey"]["file"])
    children = pl.col("age") <= 15
    plain = ingest_survey(load_spec(_write_spec(folder, doc))).persons
    assert plain.filter(children)["rec_child_family"].null_count() > 2_000
    doc["variables"]["rec_child_family"]["spread"] = "household"
    spread = ingest_survey(load_spec(_write_spec(folder, doc))).persons
    assert spread.equals(
        ingest_survey(load_spec(PROJECT / "data" / "raw" / "surveys" / "AUT_SILC_2006" / "spec.yaml")).persons
    )


def _write_spec(folder: Path, doc: dict) -> Path:
    (folder / "spec.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder / "spec.yaml"
