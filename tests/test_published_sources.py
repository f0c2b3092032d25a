"""Published country series as an input: the UN SDG extracts (DDF), the UN SDG portal CSV, SDMX-CSV
and the ILOSTAT bulk layout read into one staging table with nature, status, source and vintage;
the same real values (UN SDG Global Database 2023-12, SI_COV_BENFTS and SI_COV_SOCAST) give the
same rows in every layout; bad files and rows are named, quarantined or left out alone."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.staging.published_sdg import PUBLISHED_SDG_ASSETS
from engine.errors import SourceError
from engine.method_config import load_method
from engine.publication.config import publication_config
from engine.publication.published_sdg import normalise, published_sources, read_source, read_sources
from engine.publication.sdmx import HEADER
from engine.store import ParquetStore
from pipelines.definitions import ASSETS
from pipelines.io_managers import parquet_io_manager
from tests.pipeline_settings import pipeline_settings
from tests.test_publication_builders import countries_frame

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "raw"
EXTRACT = BUNDLED / "reference" / "unsdg_2023-12"
BENFTS = "ddf--datapoints--si_cov_benfts--by--geo_area--nature--observation_status--sex--units--year.csv"
SOCAST = "ddf--datapoints--si_cov_socast--by--geo_area--nature--quantile--units--year.csv"
INPUTS = publication_config(load_method("publication")).published_inputs
COMPARED = ["series", "m49", "ref_area", "area_kind", "year", "sex", "breakdown", "value"]


def materialize_published(input_dir: Path, out: Path) -> dg.ExecuteInProcessResult:
    """The raw and staging published_sdg assets of the graph, on the tables written in ``out``."""
    return dg.materialize(
        ASSETS,
        selection=PUBLISHED_SDG_ASSETS,
        resources={"pipeline": pipeline_settings(input_dir, out), "io_manager": parquet_io_manager},
    )


def bundled_countries() -> pl.DataFrame:
    return pl.read_csv(BUNDLED / "reference" / "countries.csv")


def real_rows() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Real 2023-12 rows: SI_COV_BENFTS of the world, Ghana, Kenya and Cabo Verde (by sex), 2020-2021,
    and SI_COV_SOCAST of Ghana (total and poorest quintile)."""
    benfts = pl.read_csv(EXTRACT / BENFTS, infer_schema=False).filter(
        pl.col("geo_area").is_in(["1", "288", "404", "132"]) & pl.col("year").is_in(["2020", "2021"])
    )
    socast = pl.read_csv(EXTRACT / SOCAST, infer_schema=False).filter(pl.col("geo_area") == "288")
    assert benfts.height >= 6 and socast.height >= 2
    return benfts, socast


def write_ddf(root: Path, vintage: str, name: str, frame: pl.DataFrame | str) -> None:
    folder = root / "reference" / f"unsdg_{vintage}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_text(frame) if isinstance(frame, str) else frame.write_csv(target)


def declare(root: Path, entries: dict) -> None:
    folder = root / "published"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["files:"] + [
        f"  {name}:\n    vintage: '{vintage}'\n    synthetic: false" for name, vintage in entries.items()
    ]
    (folder / "sources.yaml").write_text("\n".join(lines) + "\n")


SEX_UN = {"bothsex": "BOTHSEX", "female": "FEMALE", "male": "MALE"}
SEX_SDMX = {"bothsex": "_T", "female": "F", "male": "M"}
SEX_ILO = {"bothsex": "SEX_T", "female": "SEX_F", "male": "SEX_M"}


def as_unsdg_csv(benfts: pl.DataFrame, socast: pl.DataFrame) -> str:
    """The UN SDG portal / SDG API CSV layout (dimensions in brackets)."""
    header = "Goal,Target,Indicator,SeriesCode,SeriesDescription,GeoAreaCode,GeoAreaName,TimePeriod,Value,Time_Detail,Source,FootNote,[Nature],[Observation Status],[Quantile],[Reporting Type],[Sex],[Units]"
    lines = [header]
    for r in benfts.iter_rows(named=True):
        lines.append(
            f'1,1.3,1.3.1,SI_COV_BENFTS,"Proportion of population covered by at least one social protection benefit, by sex (%)",{r["geo_area"]},X,'
            f"{r['year']},{r['si_cov_benfts']},{r['year']},ILO World Social Protection Database,,{r['nature'].upper()},A,,G,{SEX_UN[r['sex']]},PERCENT"
        )
    for r in socast.iter_rows(named=True):
        quantile = "_T" if r["quantile"] == "t" else r["quantile"].upper()
        lines.append(
            f"1,1.3,1.3.1,SI_COV_SOCAST,Social assistance,{r['geo_area']},Ghana,{r['year']},{r['si_cov_socast']},{r['year']},ASPIRE,,CA,,{quantile},G,,PERCENT"
        )
    return "\n".join(lines) + "\n"


def as_sdmx_csv(benfts: pl.DataFrame, socast: pl.DataFrame) -> str:
    """SDMX-CSV of the UN SDG dataflow (the header the pipeline exports)."""

    def row(**cells) -> str:
        base = (
            dict.fromkeys(HEADER, "")
            | dict.fromkeys(HEADER[1:17], "_T")
            | {"DATAFLOW": "IAEG-SDGs:DF_SDG_GLH(1.24)", "FREQ": "A", "REPORTING_TYPE": "G", "UNIT_MEASURE": "PT"}
        )
        base.update(cells)
        return ",".join(base[c] for c in HEADER)

    lines = [",".join(HEADER)]
    for r in benfts.iter_rows(named=True):
        lines.append(
            row(
                SERIES="SI_COV_BENFTS",
                REF_AREA=r["geo_area"],
                SEX=SEX_SDMX[r["sex"]],
                TIME_PERIOD=r["year"],
                OBS_VALUE=r["si_cov_benfts"],
                OBS_STATUS="A",
                NATURE=r["nature"].upper(),
                SOURCE_DETAIL="ILO World Social Protection Database",
            )
        )
    for r in socast.iter_rows(named=True):
        lines.append(
            row(
                SERIES="SI_COV_SOCAST",
                REF_AREA=r["geo_area"],
                INCOME_WEALTH_QUANTILE="_T" if r["quantile"] == "t" else r["quantile"].upper(),
                TIME_PERIOD=r["year"],
                OBS_VALUE=r["si_cov_socast"],
                NATURE="CA",
            )
        )
    return "\r\n".join(lines) + "\r\n"


def as_ilostat_csv(benfts: pl.DataFrame) -> str:
    """ILOSTAT bulk layout (ISO3 codes, X01 for the world, SDG_0131_SEX_SOC_RT with classif1)."""
    iso = {"288": "GHA", "404": "KEN", "132": "CPV", "1": "X01"}
    lines = ["ref_area,source,indicator,sex,classif1,time,obs_value,obs_status,note_classif,note_indicator,note_source"]
    for r in benfts.iter_rows(named=True):
        source = "ILO - Modelled Estimates" if r["geo_area"] == "1" else "ILO - Social Security Inquiry Database"
        lines.append(
            f"{iso[r['geo_area']]},{source},SDG_0131_SEX_SOC_RT_A,{SEX_ILO[r['sex']]},SOC_CONTIG_TOTAL,{r['year']},{r['si_cov_benfts']},,,,"
        )
    return "\n".join(lines) + "\n"


def test_the_same_real_values_give_the_same_rows_in_every_layout(tmp_path):
    benfts, socast = real_rows()
    write_ddf(tmp_path, "2023-12", BENFTS, benfts)
    write_ddf(tmp_path, "2023-12", SOCAST, socast)
    published = tmp_path / "published"
    published.mkdir()
    (published / "un_portal.csv").write_text(as_unsdg_csv(benfts, socast))
    (published / "un_sdmx.csv").write_text(as_sdmx_csv(benfts, socast))
    (published / "ilostat.csv").write_text(as_ilostat_csv(benfts))
    declare(tmp_path, {"un_portal.csv": "2023-12", "un_sdmx.csv": "2023-12", "ilostat.csv": "2024-06"})
    sources = {s.source_id: s for s in published_sources(tmp_path)}
    assert set(sources) == {"unsdg_2023-12", "un_portal", "un_sdmx", "ilostat"}
    raw = read_sources(tmp_path)
    kept, quarantine = normalise(raw, bundled_countries(), INPUTS)
    assert quarantine.is_empty() and kept.height == raw.height
    assert dict(kept.group_by("source_id", "layout").len().select("layout", "len").iter_rows()) == {
        "unsdg_ddf": benfts.height + socast.height,
        "unsdg_csv": benfts.height + socast.height,
        "sdmx_csv": benfts.height + socast.height,
        "ilostat_csv": benfts.height,
    }
    reference = kept.filter(pl.col("layout") == "unsdg_ddf").select(COMPARED).sort(COMPARED)
    for layout in ("unsdg_csv", "sdmx_csv"):
        assert kept.filter(pl.col("layout") == layout).select(COMPARED).sort(COMPARED).equals(reference), layout
    # ILOSTAT: countries by ISO3 (same values), the world is an ILOSTAT aggregate code without M49
    ilostat = kept.filter(pl.col("layout") == "ilostat_csv")
    countries_only = ["series", "ref_area", "year", "sex", "value"]
    assert (
        ilostat.filter(pl.col("area_kind") == "country")
        .select(countries_only)
        .sort(countries_only)
        .equals(
            reference.filter((pl.col("area_kind") == "country") & (pl.col("series") == "SI_COV_BENFTS"))
            .select(countries_only)
            .sort(countries_only)
        )
    )
    world = ilostat.filter(pl.col("area_code") == "X01").row(0, named=True)
    assert (world["m49"], world["area_kind"], world["nature"], world["source_detail"]) == (
        None,
        "other_area",
        "M",
        "ILO - Modelled Estimates",
    )
    assert set(ilostat.filter(pl.col("area_kind") == "country")["nature"]) == {"C"}
    # nature, status, source and vintage kept per value
    ghana = kept.filter((pl.col("ref_area") == "GHA") & (pl.col("series") == "SI_COV_BENFTS") & (pl.col("sex") == "T"))
    assert dict(zip(ghana["layout"], ghana["vintage"], strict=True)) == {
        "unsdg_ddf": "2023-12",
        "unsdg_csv": "2023-12",
        "sdmx_csv": "2023-12",
        "ilostat_csv": "2024-06",
    }
    portal = ghana.filter(pl.col("layout") == "unsdg_csv").row(0, named=True)
    assert (portal["nature"], portal["obs_status"], portal["unit"], portal["source_detail"]) == (
        "E",
        "A",
        "PERCENT",
        "ILO World Social Protection Database",
    )
    ddf = ghana.filter(pl.col("layout") == "unsdg_ddf").row(0, named=True)
    assert (ddf["nature"], ddf["source_detail"]) == ("E", "UN SDG Global Database 2023-12")
    q1 = kept.filter((pl.col("series") == "SI_COV_SOCAST") & (pl.col("breakdown") == "quantile=q1"))
    assert q1["layout"].n_unique() == 3 and q1["value"].n_unique() == socast.filter(pl.col("quantile") == "q1").height


def test_ddf_extracts_keep_regions_and_quarantine_bad_rows(tmp_path):
    write_ddf(
        tmp_path,
        "2023-12",
        "ddf--datapoints--si_cov_pensn--by--geo_area--nature--observation_status--sex--units--year.csv",
        "geo_area,nature,observation_status,sex,units,year,si_cov_pensn\n"
        "1,n,a,bothsex,percent,2020,77.5\n288,e,a,female,percent,2020,40\n288,e,a,o,percent,2020,41\n"
        "768,e,a,male,percent,20x0,12\n768,e,a,male,percent,2020,12\n768,e,a,male,percent,2020,13\nabc,e,a,male,percent,2020,1\n",
    )
    write_ddf(
        tmp_path,
        "2023-12",
        "ddf--datapoints--si_cov_lmkt--by--geo_area--nature--quantile--units--year.csv",
        "geo_area,nature,quantile,units,year,si_cov_lmkt\n288,ca,q1,percent,2019,3.5\n288,ca,t,percent,2019,2.5\n",
    )
    raw = read_sources(tmp_path)
    kept, quarantine = normalise(raw, countries_frame(), INPUTS)
    assert raw.height == 9 and kept.height + quarantine["row_number"].n_unique() == 9
    world = kept.filter(pl.col("m49") == 1).row(0, named=True)
    assert (world["ref_area"], world["area_kind"], world["sex"], world["nature"], world["obs_status"]) == (
        None,
        "other_area",
        "T",
        "N",
        "A",
    )
    gha = kept.filter((pl.col("m49") == 288) & (pl.col("series") == "SI_COV_PENSN")).row(0, named=True)
    assert (gha["ref_area"], gha["sex"], gha["value"], gha["unit"], gha["source_id"]) == (
        "GHA",
        "F",
        40.0,
        "PERCENT",
        "unsdg_2023-12",
    )
    lmkt = kept.filter(pl.col("series") == "SI_COV_LMKT")
    assert dict(zip(lmkt["breakdown"], lmkt["value"], strict=True)) == {"quantile=q1": 3.5, "T": 2.5}
    pensn = quarantine.filter(pl.col("source_file").str.contains("si_cov_pensn"))
    assert sorted(zip(pensn["row_number"], pensn["rule"], strict=True)) == [
        (3, "code_not_in_list"),
        (4, "not_a_year"),
        (5, "duplicated_key"),
        (6, "duplicated_key"),
        (7, "unknown_area_code"),
    ]


def test_ilostat_rows_outside_the_mapping_or_with_unknown_codes_are_quarantined(tmp_path):
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "ilo.csv").write_text(
        "ref_area,source,indicator,sex,classif1,time,obs_value,obs_status\n"
        "GHA,X,SDG_0131_SEX_SOC_RT,SEX_T,SOC_CONTIG_PENSION,2021,21.5,\n"
        "GHA,X,SDG_0131_SEX_SOC_RT,SEX_T,SOC_CONTIG_OLD,2019,19,B\n"
        "GHA,X,UNE_DEAP_SEX_AGE_RT,SEX_T,AGE_YTHADULT_YGE15,2021,4.5,\n"
        "ZZZ,X,SDG_0131_SEX_SOC_RT,SEX_T,SOC_CONTIG_TOTAL,2021,5,\n"
        "KEN,X,SDG_0131_SEX_SOC_RT,SEX_X,SOC_CONTIG_TOTAL,2021,5,\n"
    )
    declare(tmp_path, {"ilo.csv": "2024-06"})
    kept, quarantine = normalise(read_sources(tmp_path), countries_frame(), INPUTS)
    assert sorted(zip(kept["series"], kept["year"], kept["obs_status"].fill_null(""), strict=True)) == [
        ("SI_COV_PENSN", 2019, "B"),
        ("SI_COV_PENSN", 2021, ""),
    ]
    assert sorted(zip(quarantine["row_number"], quarantine["rule"], quarantine["value"], strict=True)) == [
        (3, "series_not_mapped", "UNE_DEAP_SEX_AGE_RT|AGE_YTHADULT_YGE15"),
        (4, "unknown_area_code", "ZZZ"),
        (5, "code_not_in_list", "SEX_X"),
    ]


def test_a_file_of_no_known_layout_or_without_a_vintage_is_named(tmp_path):
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "odd.csv").write_text("country,year,coverage\nGHA,2020,30\n")
    (folder / "undeclared.csv").write_text("ref_area,indicator,time,obs_value\nGHA,SDG_0131_SEX_SOC_RT,2020,30\n")
    declare(tmp_path, {"odd.csv": "2024-01"})
    sources = {s.source_id: s for s in published_sources(tmp_path)}
    with pytest.raises(
        SourceError, match=r"published/odd.csv: .*header matches no published-series layout.*\[rule: published_layout\]"
    ):
        read_source(tmp_path, sources["odd"])
    with pytest.raises(
        SourceError, match=r"published/undeclared.csv: no vintage declared .*\[rule: declared_vintage\]"
    ):
        read_source(tmp_path, sources["undeclared"])
    write_ddf(
        tmp_path, "2024-01", "ddf--datapoints--si_cov_chld--by--geo_area--year.csv", "geo_area,year,other\n1,2020,3\n"
    )
    with pytest.raises(
        SourceError, match="reference/unsdg_2024-01/ddf--datapoints--si_cov_chld.*ddf_datapoints_layout"
    ):
        read_sources(tmp_path)


def test_a_broken_published_file_is_left_out_alone_with_its_reason(tmp_path):
    benfts, socast = real_rows()
    write_ddf(tmp_path, "2023-12", BENFTS, benfts)
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "ilostat.csv").write_text(
        as_ilostat_csv(benfts) + "GHA,X,SDG_0131_SEX_SOC_RT,SEX_T,SOC_CONTIG_TOTAL,2021,n/a,\n"
    )
    (folder / "broken.csv").write_text("just,a,table\n1,2,3\n")
    declare(tmp_path, {"ilostat.csv": "2024-06", "broken.csv": "2024-06"})
    out = tmp_path / "out"
    store = ParquetStore(out)
    store.write(bundled_countries(), "staging", "countries")
    result = materialize_published(tmp_path, out)
    assert result.success
    staged = store.read("staging", "published_sdg")
    assert set(staged["source_id"]) == {"unsdg_2023-12", "ilostat"}
    failure = {r["source_id"]: r for r in store.read_records("failures", "published")}
    assert (
        set(failure) == {"broken"}
        and failure["broken"]["rule"] == "published_layout"
        and failure["broken"]["file"] == "published/broken.csv"
    )
    records = {r["source_id"]: r for r in store.read_records("sources", "published")}
    assert set(records) == {"unsdg_2023-12", "ilostat"}
    ilo = records["ilostat"]
    assert (ilo["layout"], ilo["vintage"], ilo["synthetic"]) == ("ilostat_csv", "2024-06", False)
    assert (ilo["rows_read"], ilo["rows_kept"], ilo["rows_quarantined"]) == (benfts.height + 1, benfts.height, 1)
    ddf = records["unsdg_2023-12"]
    assert ddf["rows_read"] == ddf["rows_kept"] == benfts.height and ddf["layout"] == "unsdg_ddf"
    quarantined = pl.read_parquet(store.quarantine_path("published", "ilostat"))
    assert quarantined.select("row_number", "rule").rows() == [(benfts.height + 1, "not_a_number")]
    # the broken file fixed: its failure record goes, its source record comes
    (folder / "broken.csv").write_text(as_ilostat_csv(benfts))
    assert materialize_published(tmp_path, out).success
    assert not store.read_records("failures", "published")
    assert {r["source_id"] for r in store.read_records("sources", "published")} == {
        "unsdg_2023-12",
        "ilostat",
        "broken",
    }


def test_the_bundled_extracts_are_read_whole():
    raw = read_sources(BUNDLED)
    kept, quarantine = normalise(raw, bundled_countries(), INPUTS)
    assert sorted(kept["source_id"].unique()) == ["unsdg_2020-10", "unsdg_2023-12"]
    assert kept.height + quarantine.select("source_id", "source_file", "row_number").n_unique() == raw.height
    # SI_COV_BENFTS 2020: 209 country estimates in the 2023-12 extract minus those outside countries.csv; world 46.9
    latest = kept.filter(
        (pl.col("source_id") == "unsdg_2023-12")
        & (pl.col("series") == "SI_COV_BENFTS")
        & (pl.col("sex") == "T")
        & (pl.col("year") == 2020)
    )
    assert latest.filter(pl.col("area_code") == "1")["value"].to_list() == [46.9]
    assert latest.filter(pl.col("area_kind") == "country").height >= 165
    series = set(kept.filter(pl.col("source_id") == "unsdg_2023-12")["series"])
    assert {
        "SI_COV_SOCAST",
        "SI_COV_SOCINS",
        "SI_COV_LMKT",
        "SH_ACS_UNHC",
        "SH_XPD_EARN10",
        "SH_XPD_EARN25",
        "SI_COV_MATNL",
    } <= series
