"""A minimal but complete input directory for pipeline tests (required context tables, one
survey, one SSI return), written by the tests themselves."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_survey
from tests.ssi_builders import write_return

AGES = [f"{a}_{a + 4}" for a in range(0, 100, 5)] + ["100plus"]


def write_minimal_inputs(input_dir: Path) -> Path:
    (input_dir / "context").mkdir(parents=True, exist_ok=True)
    (input_dir / "reference").mkdir(parents=True, exist_ok=True)
    lines = ["country,time,age5yearinterval,gender,population"]
    for year in (2021, 2022):
        for i, age in enumerate(AGES):
            for gender in (1, 2):
                lines.append(f"288,{year},{age},{gender},{max(1500 - 70 * i, 5) + gender}")
    (input_dir / "context" / "population_wpp.csv").write_text("\n".join(lines) + "\n")
    (input_dir / "reference" / "countries.csv").write_text(
        "iso3,m49,name,ilo_region,ilo_subregion,sdg_region,m49_subregion\n"
        "GHA,288,Ghana,Africa,Sub-Saharan Africa,Sub-Saharan Africa,Western Africa\n"
    )
    (input_dir / "context" / "pensionable_age.csv").write_text("country,sex,from_year,age\nGHA,T,1991,60\n")
    write_survey(input_dir)
    write_return(input_dir, "GHA_2022", workbook=True)
    return input_dir
