"""Reference tables of ``data/raw/reference`` (input contract, section 5): ``countries.csv``,
``income_groups.csv``, ``m49_groups.csv`` and ``sources.yaml``; the UN SDG extracts are real
files (``synthetic.real_files``).

Both tables are derived from the WPP 2019 country entities (``reference/wpp2019_countries.csv``),
which give for each location its M49 code, ISO3 code, WPP subregion and region codes, SDG region
code and World Bank income group codes. The tables below name those codes and map them onto the
ILO regions and subregions used in the World Social Protection Report.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pycountry

from synthetic.real_files import REAL_FILES, source_entry
from synthetic.writers import write_csv, write_yaml

WPP_COUNTRIES = "reference/wpp2019_countries.csv"
YEARS = tuple(range(2015, 2024))

# WPP 2019 subregion code -> (M49 subregion, ILO subregion, ILO region). Western Asia is split:
# the ILO's Arab States (ARAB_STATES) form their own region, the rest joins Central Asia.
WPP_SUBREGIONS = {
    "910": ("Eastern Africa", "Sub-Saharan Africa", "Africa"),
    "911": ("Middle Africa", "Sub-Saharan Africa", "Africa"),
    "913": ("Southern Africa", "Sub-Saharan Africa", "Africa"),
    "914": ("Western Africa", "Sub-Saharan Africa", "Africa"),
    "912": ("Northern Africa", "Northern Africa", "Africa"),
    "915": ("Caribbean", "Latin America and the Caribbean", "Americas"),
    "916": ("Central America", "Latin America and the Caribbean", "Americas"),
    "931": ("South America", "Latin America and the Caribbean", "Americas"),
    "905": ("Northern America", "Northern America", "Americas"),
    "906": ("Eastern Asia", "Eastern Asia", "Asia and the Pacific"),
    "920": ("South-Eastern Asia", "South-Eastern Asia and the Pacific", "Asia and the Pacific"),
    "927": ("Australia and New Zealand", "South-Eastern Asia and the Pacific", "Asia and the Pacific"),
    "928": ("Melanesia", "South-Eastern Asia and the Pacific", "Asia and the Pacific"),
    "954": ("Micronesia", "South-Eastern Asia and the Pacific", "Asia and the Pacific"),
    "957": ("Polynesia", "South-Eastern Asia and the Pacific", "Asia and the Pacific"),
    "5501": ("Southern Asia", "Southern Asia", "Asia and the Pacific"),
    "5500": ("Central Asia", "Central and Western Asia", "Europe and Central Asia"),
    "922": ("Western Asia", "Central and Western Asia", "Europe and Central Asia"),
    "923": ("Eastern Europe", "Eastern Europe", "Europe and Central Asia"),
    "924": ("Northern Europe", "Northern, Southern and Western Europe", "Europe and Central Asia"),
    "925": ("Southern Europe", "Northern, Southern and Western Europe", "Europe and Central Asia"),
    "926": ("Western Europe", "Northern, Southern and Western Europe", "Europe and Central Asia"),
}
NORTHERN_AMERICA_REGION = "905"  # WPP gives Northern America a region code but no subregion code
# ILO Arab States: the Arab countries of Western Asia (the Arab countries of Northern Africa are in Africa).
ARAB_STATES = ("BHR", "IRQ", "JOR", "KWT", "LBN", "OMN", "PSE", "QAT", "SAU", "SYR", "ARE", "YEM")
SDG_REGIONS = {
    "947": "Sub-Saharan Africa",
    "1833": "Northern Africa and Western Asia",
    "921": "Central and Southern Asia",
    "1832": "Eastern and South-Eastern Asia",
    "1830": "Latin America and the Caribbean",
    "927": "Australia and New Zealand",
    "1835": "Oceania (excluding Australia and New Zealand)",
    "1829": "Europe and Northern America",
}
# UN M49 codes of the groups the UN SDG Global Database publishes aggregates for, besides the
# world and the SDG regions (whose codes are in config/methods/publication.yaml): the M49
# regions, and the M49 subregions as countries.csv names them (intermediate regions in Africa
# and Latin America), each in its region.
M49_REGIONS = {"Africa": 2, "Americas": 19, "Asia": 142, "Europe": 150, "Oceania": 9}
M49_SUBREGIONS = {
    "Eastern Africa": (14, "Africa"),
    "Middle Africa": (17, "Africa"),
    "Southern Africa": (18, "Africa"),
    "Western Africa": (11, "Africa"),
    "Northern Africa": (15, "Africa"),
    "Caribbean": (29, "Americas"),
    "Central America": (13, "Americas"),
    "South America": (5, "Americas"),
    "Northern America": (21, "Americas"),
    "Central Asia": (143, "Asia"),
    "Eastern Asia": (30, "Asia"),
    "South-Eastern Asia": (35, "Asia"),
    "Southern Asia": (34, "Asia"),
    "Western Asia": (145, "Asia"),
    "Eastern Europe": (151, "Europe"),
    "Northern Europe": (154, "Europe"),
    "Southern Europe": (39, "Europe"),
    "Western Europe": (155, "Europe"),
    "Australia and New Zealand": (53, "Oceania"),
    "Melanesia": (54, "Oceania"),
    "Micronesia": (57, "Oceania"),
    "Polynesia": (61, "Oceania"),
}
# UN country groups (WPP 2019 membership codes -> group, M49 code): least developed countries
# (un_less_developed_region 941), landlocked developing countries (un_landlocked_group 1636),
# small island developing States (un_landlocked_group 1637).
UN_GROUPS = {
    ("un_less_developed_region", "941"): ("LDC", 199),
    ("un_landlocked_group", "1636"): ("LLDC", 432),
    ("un_landlocked_group", "1637"): ("SIDS", 722),
}
# WPP 2019 World Bank income group codes (the groups current when WPP 2019 was prepared, used
# here as the 2019 groups): 1500 low, 1503 high, 1517 middle (split by 1501 lower / 1502 upper
# middle in wb_middle_income_country); 1518 = no group (left out).
INCOME_CODES = {"1500": "L", "1503": "H", "1501": "LM", "1502": "UM"}
# Reclassifications applied to the 2019 groups: iso3 -> ((first year, group), ...). A year is the
# list the World Bank publishes on 1 July of that year. Following World Bank announcements:
# July 2020 (GNI 2019): Indonesia UM, Mauritius H, Romania H, Tanzania LM, Benin LM;
# July 2021 (GNI 2020): Indonesia LM, Mauritius UM, Sudan L, Iran LM;
# July 2023 (GNI 2022): Indonesia UM, Bulgaria H. Every other country keeps its 2019 group.
RECLASSIFICATIONS = {
    "IDN": ((2020, "UM"), (2021, "LM"), (2023, "UM")),
    "MUS": ((2020, "H"), (2021, "UM")),
    "ROU": ((2020, "H"),),
    "TZA": ((2020, "LM"),),
    "BEN": ((2020, "LM"),),
    "SDN": ((2021, "L"),),
    "IRN": ((2021, "LM"),),
    "BGR": ((2023, "H"),),
}


def countries(entities: pl.DataFrame) -> pl.DataFrame:
    """countries.csv: every WPP location with an ISO 3166-1 alpha-3 code (Channel Islands, CHI,
    has none and is left out).
    """
    iso = {c.alpha_3 for c in pycountry.countries}
    rows = []
    for r in entities.iter_rows(named=True):
        if r["iso3"] not in iso:
            continue
        code = r["geographic_subregion"] or (
            NORTHERN_AMERICA_REGION if r["geographic_region"] == NORTHERN_AMERICA_REGION else None
        )
        m49_sub, ilo_sub, ilo_region = WPP_SUBREGIONS[code]
        if r["iso3"] in ARAB_STATES:
            ilo_sub, ilo_region = "Arab States", "Arab States"
        rows.append(
            {
                "iso3": r["iso3"],
                "m49": int(r["country"]),
                "name": r["name"],
                "ilo_region": ilo_region,
                "ilo_subregion": ilo_sub,
                "sdg_region": SDG_REGIONS[r["sdg_region"]],
                "m49_subregion": m49_sub,
            }
        )
    return pl.DataFrame(rows).sort("iso3")


def income_groups(entities: pl.DataFrame) -> pl.DataFrame:
    """income_groups.csv: the 2019 group for every year 2015-2023, changed by RECLASSIFICATIONS
    (countries with an ISO3 code and a group only).
    """
    iso = {c.alpha_3 for c in pycountry.countries}
    rows = []
    for r in entities.sort("iso3").iter_rows(named=True):
        code = r["wb_middle_income_country"] if r["wb_income_group"] == "1517" else r["wb_income_group"]
        if code not in INCOME_CODES or r["iso3"] not in iso:
            continue
        changes = RECLASSIFICATIONS.get(r["iso3"], ())
        for year in YEARS:
            group = INCOME_CODES[code]
            for first, new in changes:
                if year >= first:
                    group = new
            rows.append({"iso3": r["iso3"], "year": year, "income_group": group})
    return pl.DataFrame(rows)


def m49_groups(entities: pl.DataFrame) -> pl.DataFrame:
    """m49_groups.csv: ``level, region, m49, iso3``, one row per group and member country:
    levels ``m49_region``, ``m49_subregion`` (the groups of countries.csv's column, with their
    code) and ``un_group`` (LDC, LLDC, SIDS), countries of countries.csv only.
    """
    members = countries(entities).select("iso3", "m49_subregion")
    codes = entities.select("iso3", *{column for column, _ in UN_GROUPS})
    rows = []
    for r in members.join(codes, on="iso3", how="left").iter_rows(named=True):
        code, region = M49_SUBREGIONS[r["m49_subregion"]]
        rows.append(("m49_region", region, M49_REGIONS[region], r["iso3"]))
        rows.append(("m49_subregion", r["m49_subregion"], code, r["iso3"]))
        for (column, value), (group, group_code) in UN_GROUPS.items():
            if r[column] == value:
                rows.append(("un_group", group, group_code, r["iso3"]))
    return pl.DataFrame(rows, schema=["level", "region", "m49", "iso3"], orient="row").sort("level", "region", "iso3")


def write_reference(out: Path) -> None:
    """Write the reference tables (countries, M49 groups, income groups) and their sources under
    ``out/reference``, from the WPP country entities already written there.
    """
    entities = pl.read_csv(out / WPP_COUNTRIES, infer_schema=False)
    write_csv(countries(entities), out / "reference" / "countries.csv")
    write_csv(m49_groups(entities), out / "reference" / "m49_groups.csv")
    write_csv(income_groups(entities), out / "reference" / "income_groups.csv")
    files = {e.path.split("/", 1)[1]: source_entry(e) for e in REAL_FILES if e.path.startswith("reference/")}
    files["countries.csv"] = {
        "origin": "Derived from reference/wpp2019_countries.csv (WPP 2019 country entities) with the mapping tables of synthetic/reference.py",
        "licence": "CC BY 3.0 IGO (WPP 2019)",
        "vintage": "WPP 2019",
        "synthetic": False,
        "notes": "ILO regions and subregions from the M49 subregions; Arab States = the ILO list of Arab countries of Western Asia; "
        "Channel Islands (no ISO3 code) left out.",
    }
    files["m49_groups.csv"] = {
        "origin": "Derived from reference/wpp2019_countries.csv (WPP 2019 country entities: subregion and UN group membership codes) "
        "with the M49 codes of synthetic/reference.py (M49_REGIONS, M49_SUBREGIONS, UN_GROUPS)",
        "licence": "CC BY 3.0 IGO (WPP 2019)",
        "vintage": "WPP 2019",
        "synthetic": False,
        "notes": "M49 regions and subregions (intermediate regions in Africa and Latin America) and the UN groups LDC, LLDC and "
        "SIDS as WPP 2019 lists them; the groups the UN SDG Global Database publishes aggregates for.",
    }
    files["income_groups.csv"] = {
        "origin": "Derived: World Bank income groups of the WPP 2019 country entities taken as the 2019 list, carried to 2015-2023, "
        "with the reclassifications listed in synthetic/reference.py (RECLASSIFICATIONS)",
        "licence": "CC BY 3.0 IGO (WPP 2019); World Bank classification CC BY 4.0",
        "vintage": "WPP 2019 + reclassifications",
        "synthetic": True,
        "notes": "Approximation of the World Bank historical classification (year = list published on 1 July); other countries' "
        "changes between 2015 and 2023 are not represented. Check against the World Bank OGHIST file before publication.",
    }
    header = "# Origin, licence and vintage of every file of data/raw/reference (written by `python -m synthetic`).\n"
    write_yaml(out / "reference" / "sources.yaml", {"files": files}, header)
