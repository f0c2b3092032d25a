"""The synthetic-data generator and the bundled inputs of data/raw.

One build into a temporary folder is shared by the tests; a second build checks determinism,
and the bundled data/raw is checked to be exactly what the generator writes.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pyreadstat
import pytest
import yaml

from engine.context import ingest_context_table
from engine.harmonise import ingest_survey
from engine.readers import read_table
from engine.sources import discover_ssi
from engine.ssi import ingest_return, read_return
from engine.survey_spec import check_against_columns, load_spec
from schemas.resources import ssi as st
from schemas.resources import survey as sv
from schemas.resources.context import TABLES
from schemas.tables import polars_dtype
from synthetic.__main__ import main
from synthetic.build import DEFAULT_SEED, build_inputs
from synthetic.census import write_census
from synthetic.countries import PROFILES, Published, pensionable_age
from synthetic.population import Population, between
from synthetic.real_files import BUNDLE_DIR
from synthetic.ssi import RETURNS
from synthetic.survey import generate_persons
from synthetic.survey_files import SURVEYS, build_survey

c = pl.col


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "README.md"
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("inputs")
    return out, build_inputs(out, DEFAULT_SEED)


@pytest.fixture(scope="module")
def specs(built):
    out, _ = built
    return {p.parent.name: load_spec(p) for p in sorted((out / "surveys").glob("*/spec.yaml"))}


@pytest.fixture(scope="module")
def ingested(specs):
    """Every survey of the build, ingested once for the module."""
    return {survey_id: ingest_survey(spec) for survey_id, spec in specs.items()}


def test_same_seed_same_bytes_and_bundle_is_fresh(built, tmp_path):
    out, _ = built
    again = tmp_path / "again"
    build_inputs(again, DEFAULT_SEED)
    first, second = _files(out), _files(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    bundled = _files(BUNDLE_DIR)
    stale = [k for k in first if first[k] != bundled.get(k)]
    assert stale == [], f"data/raw is stale, run `python -m synthetic --out data/raw --seed {DEFAULT_SEED}`: {stale}"


@pytest.mark.integration  # builds every synthetic survey through the command line and ingests each (tests/tiers.py)
def test_persons_per_survey_scales_every_synthetic_survey(tmp_path, capsys, monkeypatch):
    """One build of every synthetic survey at 120 persons through the command line (the build it
    makes is kept to know the issues planted in each survey): each reads back with 120 rows,
    the planted issues quarantined at this size too, in every file format."""
    import synthetic.__main__ as command

    builds = []
    monkeypatch.setattr(
        command, "build_inputs", lambda *args, **kwargs: builds.append(build_inputs(*args, **kwargs)) or builds[-1]
    )
    out = tmp_path / "scaled"
    assert main(["--out", str(out), "--persons-per-survey", "120"]) == 0
    assert capsys.readouterr().out.count("      120 persons") == len(SURVEYS)
    formats = set()
    for b in builds[0].surveys:
        spec = load_spec(out / "surveys" / b.survey.survey_id / "spec.yaml")
        result = ingest_survey(spec)
        assert result.rows_read == 120 == result.rows_kept + result.quarantined_rows, b.survey.survey_id
        assert result.quarantined_rows == b.quarantined_rows, b.survey.survey_id
        formats.add(spec.fmt)
    assert formats == {"csv", "parquet", "stata", "spss"}
    assert sum(b.quarantined_rows for b in builds[0].surveys) > 0
    assert (
        ingest_survey(load_spec(out / "surveys" / "AUT_SILC_2006" / "spec.yaml")).rows_read == 14_827
    )  # real file, not scaled
    notes = yaml.safe_load((out / "surveys" / "sources.yaml").read_text(encoding="utf-8"))["files"][
        "GHA_LFS_2015/gha_lfs_2015.sav"
    ]["notes"]
    assert notes.startswith("spss file, 120 persons")
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path / "tiny"), "--persons-per-survey", "50"])


def test_another_seed_other_data():
    survey = SURVEYS[0]
    a = build_survey(survey, 1, Population.load())
    b = build_survey(survey, 2, Population.load())
    assert not a.frame.equals(b.frame)


def test_every_format_reads_back(built):
    out, build = built
    fmts = {}
    for b in build.surveys:
        path = b.path
        assert path == out / "surveys" / b.survey.survey_id / b.survey.file_name
        fmts[b.survey.fmt] = fmts.get(b.survey.fmt, 0) + 1
        if b.survey.fmt == "stata":
            frame, meta = pyreadstat.read_dta(str(path))
            assert meta.file_label.endswith("(synthetic)") and meta.variable_value_labels
        elif b.survey.fmt == "spss":
            frame, meta = pyreadstat.read_sav(str(path))
            assert meta.variable_value_labels
        elif b.survey.fmt == "csv":
            frame = pl.read_csv(
                path,
                separator=b.survey.csv_separator,
                encoding=b.survey.csv_encoding.replace("-", ""),
                infer_schema=False,
            )
        else:
            frame = pl.read_parquet(path)
        assert (len(frame), tuple(frame.columns)) == (b.survey.n_persons, b.columns)
    assert all(fmts.get(f, 0) >= 2 for f in ("csv", "parquet", "stata", "spss")), fmts
    workbooks = sorted((out / "ssi").glob("*.xlsx"))
    folders = [p for p in (out / "ssi").iterdir() if p.is_dir()]
    assert len(workbooks) >= 5 and len(folders) >= 5
    allowed = {t.sheet for t in st.TABLES} | {st.RETURN_SHEET}
    for path in workbooks:
        wb = openpyxl.load_workbook(path, read_only=True)
        assert {st.RETURN_SHEET, st.SCHEMES.sheet} <= set(wb.sheetnames) <= allowed
        wb.close()


def test_specs_use_only_their_files_variables_and_every_spec_form(built, specs):
    out, _ = built
    forms = set()
    for survey_id, spec in specs.items():
        raw = read_table(spec.data_file, spec.fmt, separator=spec.csv_separator, encoding=spec.csv_encoding)
        check_against_columns(spec, dict(raw.schema))
        doc = yaml.safe_load((out / "surveys" / survey_id / "spec.yaml").read_text(encoding="utf-8"))
        forms |= {"absent list"} if doc.get("absent") else set()
        for entry in doc["variables"].values():
            if entry == "absent":
                forms.add("absent inline")
            elif isinstance(entry, str):
                forms.add("copy")
            else:
                forms |= {k for k in ("rule", "in", "expr", "value", "scale", "missing", "other") if k in entry}
                forms |= {"codes"} if "codes" in entry else set()
        assert spec.synthetic
    assert forms >= {
        "copy",
        "codes",
        "other",
        "missing",
        "rule",
        "in",
        "expr",
        "value",
        "scale",
        "absent inline",
        "absent list",
    }
    nested = {s.psu_nested_in_strata for s in specs.values() if not s.mappings["psu"].absent}
    assert nested == {True, False}
    assert any(s.csv_separator != "," and s.csv_encoding != "utf8" for s in specs.values())


@pytest.mark.integration  # ingests every bundled survey (tests/tiers.py)
def test_surveys_ingest_with_exactly_the_documented_quarantine(built, specs, ingested):
    _, build = built
    expected = {b.survey.survey_id: b.quarantined_rows for b in build.surveys}
    expected["AUT_SILC_2006"] = 0  # the 64 persons aged -1 in the laeken file are recoded to 0 by the spec
    for survey_id, spec in specs.items():
        result = ingested[survey_id]
        assert result.quarantined_rows == expected[survey_id], (survey_id, result.quarantine.head())
        assert bool(spec.known_issues) == (expected[survey_id] > 0 or survey_id == "AUT_SILC_2006")
        assert result.quarantined_rows <= 0.005 * result.rows_read
    kept = ingested["KEN_HBS_2015"].persons
    single = kept.filter(c("stratum") == "North Eastern Urban")["psu"].n_unique()
    assert single == 1


@pytest.mark.integration  # ingests every bundled survey (tests/tiers.py)
def test_harmonised_rates_follow_the_calibration(ingested):
    persons = ingested["JOR_HIES_2018"].persons
    w = c("person_weight")
    share = persons.select(((c("nationality") == "non_national") * w).sum() / w.sum()).item()
    assert 0.25 < share < 0.35
    households = persons.group_by("hh_id").agg(
        c("household_weight").first(),
        pl.len().alias("m"),
        (c("hh_oop_health") / c("hh_consumption")).first().alias("s"),
    )
    above = households.select(
        ((c("s") > 0.1) * c("household_weight") * c("m")).sum() / (c("household_weight") * c("m")).sum()
    ).item()
    assert 0.02 < above < 0.15  # SH_XPD_EARN10 Jordan 2018: 6.36%


def test_generate_persons_shape_dtypes_and_rates():
    frame = generate_persons("GHA", n_persons=200_000, seed=7)
    assert frame.height == 200_000
    assert frame.columns == list(sv.COLUMN_ORDER)
    assert all(frame.schema[v.name] == polars_dtype(v) for v in sv.ALL)
    assert frame.select(pl.struct("hh_id", "person_id").n_unique()).item() == 200_000
    assert frame.filter(c("hh_head")).height == frame["hh_id"].n_unique()
    year = PROFILES["GHA"].default_year
    older = ((c("sex") == "F") & (c("age") >= pensionable_age("GHA", "F", year))) | (
        (c("sex") == "M") & (c("age") >= pensionable_age("GHA", "M", year))
    )
    pension = (
        frame.filter(older)
        .select(
            ((c("rec_oldage_contrib") | c("rec_oldage_noncontrib")) * c("person_weight")).sum()
            / c("person_weight").sum()
        )
        .item()
    )
    assert abs(100 * pension - PROFILES["GHA"].calibration.pensn.total) < 2.5
    employed = frame.filter(c("lf_status") == "employed")
    injury = employed.select((c("injury_insured") * c("person_weight")).sum() / c("person_weight").sum()).item()
    assert abs(100 * injury - PROFILES["GHA"].calibration.wkinjry.total) < 2.0
    assert abs(frame["person_weight"].sum() / 1e6 - 31.07) < 0.1  # WPP 2019: Ghana 2020
    assert generate_persons("GHA", n_persons=1_000, seed=7).equals(generate_persons("GHA", n_persons=1_000, seed=7))


def test_census_is_written_chunk_by_chunk_as_one_table(tmp_path):
    """Three samples of 6,667, 6,667 and 6,666 persons in one Parquet file: canonical columns,
    rows numbered across samples, PSUs and households distinct across samples (same strata),
    weights adding up to the population, the same file for the same seed."""
    path = write_census(tmp_path / "census.parquet", "GHA", n_persons=20_000, seed=3, chunk_persons=7_000)
    frame = pl.read_parquet(path)
    assert frame.height == 20_000 and frame.columns == list(sv.COLUMN_ORDER)
    assert all(frame.schema[v.name] == polars_dtype(v) for v in sv.ALL)
    assert frame["source_row"].to_list() == list(range(1, 20_001))
    assert frame.group_by(c("psu").str.slice(0, 4)).len().sort("psu")["len"].to_list() == [6_667, 6_667, 6_666]
    assert frame.select(pl.struct("hh_id", "person_id").n_unique()).item() == 20_000
    psus = frame.group_by("psu").agg(
        c("hh_id").str.slice(0, 4).n_unique().alias("samples"), c("stratum").n_unique().alias("strata")
    )
    assert (psus["samples"] == 1).all() and (psus["strata"] == 1).all()
    assert frame.group_by(c("psu").str.slice(0, 4)).agg(c("stratum").n_unique())["stratum"].min() > 1
    assert abs(frame["person_weight"].sum() / 1e6 - 31.07) < 0.1  # WPP 2019: Ghana 2020, as one sample
    assert not (tmp_path / "census.parquet.partial").exists()
    again = write_census(tmp_path / "again.parquet", "GHA", n_persons=20_000, seed=3, chunk_persons=7_000)
    assert pl.read_parquet(again).equals(frame)


def _published(folder: Path, series: str, m49: int) -> dict:
    """Latest both-sexes value and year, and latest female/male values and their year."""
    path = next(folder.glob(f"ddf--datapoints--{series}--by--*.csv"))
    frame = pl.read_csv(path, infer_schema=False).filter(c("geo_area") == str(m49))
    if "age" in frame.columns:
        frame = frame.filter(c("age") == "15")
    frame = frame.with_columns(c("year").cast(pl.Int64), c(series).cast(pl.Float64))
    out = {}
    for sex in ("bothsex", "female", "male"):
        rows = frame.filter(c("sex") == sex).sort("year") if "sex" in frame.columns else frame.sort("year")
        if rows.height:
            out[sex] = (rows[series][-1], rows["year"][-1])
    return out


def test_calibration_table_cites_the_bundled_extract():
    folder = BUNDLE_DIR / "reference" / "unsdg_2023-12"
    for profile in PROFILES.values():
        cal = profile.calibration
        for name in (
            "chld",
            "matnl",
            "disab",
            "uemp",
            "pensn",
            "vuln",
            "wkinjry",
            "unemployment",
            "earn10",
            "earn25",
            "uhc_index",
        ):
            target = getattr(cal, name)
            if not isinstance(target, Published):
                continue
            series = {
                "unemployment": "sl_tlf_uem",
                "earn10": "sh_xpd_earn10",
                "earn25": "sh_xpd_earn25",
                "uhc_index": "sh_acs_unhc",
            }.get(name, f"si_cov_{name}")
            found = _published(folder, series, profile.m49)
            total_key = "female" if name == "matnl" else "bothsex"
            assert found[total_key] == (target.total, target.year), (profile.iso3, name)
            if target.female is not None:
                assert found["female"] == (target.female, target.sex_year) and found["male"] == (
                    target.male,
                    target.sex_year,
                ), (profile.iso3, name)


def test_context_uhc_and_reference_tables_validate(built):
    out, _ = built
    for table in TABLES:
        result = ingest_context_table(table, out)
        assert result.present and result.quarantined_rows == 0, (table.name, result.quarantine.head())
    countries = pl.read_csv(out / "reference" / "countries.csv")
    regions = {r["iso3"]: (r["ilo_region"], r["ilo_subregion"]) for r in countries.iter_rows(named=True)}
    assert regions["JOR"] == ("Arab States", "Arab States")
    assert regions["EGY"] == ("Africa", "Northern Africa")
    assert regions["TUR"] == ("Europe and Central Asia", "Central and Western Asia")
    assert regions["USA"] == ("Americas", "Northern America")
    assert regions["IRN"] == ("Asia and the Pacific", "Southern Asia")
    assert regions["FJI"] == ("Asia and the Pacific", "South-Eastern Asia and the Pacific")
    assert countries.height == 234
    groups = pl.read_csv(out / "reference" / "income_groups.csv")
    assert groups.filter(c("iso3") == "IDN").sort("year")["income_group"].to_list() == ["LM"] * 5 + [
        "UM",
        "LM",
        "LM",
        "UM",
    ]
    tracers = pl.read_csv(out / "uhc" / "tracers.csv")
    per_country = tracers.group_by("country").agg(c("indicator").n_unique())
    assert per_country.height == len(PROFILES) and per_country["indicator"].min() < per_country["indicator"].max()
    assert {"bp_nonraised", "hypertension_treated"} <= set(tracers["indicator"])
    for folder in ("context", "uhc", "reference"):
        doc = yaml.safe_load((out / folder / "sources.yaml").read_text(encoding="utf-8"))["files"]
        listed = {p.name for p in (out / folder).iterdir() if p.is_file() and p.name != "sources.yaml"}
        listed |= {p.name + "/" for p in (out / folder).iterdir() if p.is_dir()}
        assert listed == set(doc), folder
        assert all({"origin", "licence", "vintage", "synthetic"} <= set(e) for e in doc.values())


def test_every_survey_and_ssi_file_is_labelled_in_its_sources_yaml(built):
    out, build = built
    surveys = yaml.safe_load((out / "surveys" / "sources.yaml").read_text(encoding="utf-8"))["files"]
    folders = [p for p in (out / "surveys").iterdir() if p.is_dir()]
    assert set(surveys) == {f"{d.name}/{f.name}" for d in folders for f in d.iterdir() if f.is_file()}
    ssi = yaml.safe_load((out / "ssi" / "sources.yaml").read_text(encoding="utf-8"))["files"]
    assert set(ssi) == {
        p.name + ("/" if p.is_dir() else "") for p in (out / "ssi").iterdir() if p.name != "sources.yaml"
    }
    for entry in (*surveys.values(), *ssi.values()):
        assert {"origin", "licence", "vintage", "synthetic"} <= set(entry)
    # every bundled data file is synthetic (AUT_SILC_2006 by its authors), and says so
    for b in build.surveys:
        assert surveys[f"{b.survey.survey_id}/{b.survey.file_name}"]["synthetic"] is True
    assert surveys["AUT_SILC_2006/laeken_eusilc_synthetic_AT2006.csv"]["licence"] == "GPL (>= 2)"
    assert surveys["AUT_SILC_2006/spec.yaml"]["synthetic"] is False
    assert all(e["synthetic"] is True for e in ssi.values()) and len(ssi) == len(RETURNS)


def test_ssi_returns_validate_and_agree_with_the_calibration(built):
    out, build = built
    issues = {ret.return_id: found for ret, found in build.returns}
    found = {return_id: source.path for return_id, source in discover_ssi(out).items()}
    assert set(found) == {r.return_id for r in RETURNS}
    for return_id, path in found.items():
        result = ingest_return(return_id, read_return(path), file=str(path))
        assert (result.quarantined_rows > 0) == bool(issues[return_id]), return_id
        assert result.metadata["synthetic"] == "true"
        assert ("NonNationals" in result.tables_present) == next(r.module for r in RETURNS if r.return_id == return_id)
        cov = result.coverage
        split = (
            cov.filter(c("nationality") != "total")
            .group_by("scheme_id", "measure", "benefit_type", "sex")
            .agg(c("persons").sum())
        )
        total = cov.filter(c("nationality") == "total").select(
            "scheme_id", "measure", "benefit_type", "sex", c("persons").alias("total")
        )
        joined = split.join(total, on=["scheme_id", "measure", "benefit_type", "sex"], nulls_equal=True)
        assert (joined["persons"] == joined["total"]).all(), return_id
    # Old-age beneficiaries / persons above the pensionable age = SI_COV_PENSN (Ghana 2020: 19.0%).
    result = ingest_return("GHA_2020", read_return(found["GHA_2020"]), file="GHA_2020")
    old_age = result.coverage.filter(
        (c("benefit_type") == "old_age") & (c("nationality") == "total") & (c("sex") == "T")
    )["persons"].sum()
    pop5 = Population.load(out / "context" / "population_wpp.csv").by_age5(288, 2020)
    assert abs(100 * old_age / between(pop5, 60).sum() - 19.0) < 0.2
    assert abs(sum(r.workbook for r in RETURNS) - len(RETURNS) / 2) <= 1
