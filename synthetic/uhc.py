"""Synthetic UHC tracer indicators (input contract, section 4): ``uhc/tracers.csv`` (long layout,
2015-2023), ``uhc/malaria_high_burden.csv`` and ``uhc/sources.yaml``.

Levels follow each country's UHC service coverage index (SH_ACS_UNHC 2021, UN SDG Global
Database 2023-12, in ``synthetic.countries``) through the rules of ``TRACERS`` plus a fixed
country offset per tracer; gaps are realistic: survey-based tracers only in two survey years,
administrative ones with occasional missing years, NCD and workforce tracers sparse, and some
tracers missing entirely for some countries, so that interpolation, carry-forward and
regional-median imputation all have work to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from synthetic.countries import PROFILES
from synthetic.survey import rng_for
from synthetic.writers import write_csv, write_yaml

YEARS = tuple(range(2015, 2024))
MALARIA_HIGH_BURDEN = ("GHA", "KEN")
# Tracers a country never reports (so the pipeline must impute them).
NEVER_REPORTED = {
    "JOR": ("careseek_ari",),
    "ALB": ("art", "careseek_ari"),
    "KEN": ("psychiatrists",),
    "VNM": ("hypertension_treated",),
    "ZAF": ("surgeons",),
    "MEX": ("fp_demand_satisfied",),
}


@dataclass(frozen=True)
class Tracer:
    """How a tracer is generated: level from the service coverage index, bounds, decimals,
    which years are observed (``pattern``), sd of the fixed country offset (in the tracer's unit
    for additive tracers, on the log scale for ``multiplicative`` ones), yearly trend.
    """

    code: str
    level: Callable[[float], float]
    low: float
    high: float
    decimals: int
    pattern: str
    offset_sd: float
    trend: float = 0.0
    multiplicative: bool = False


TRACERS = (
    Tracer("fp_demand_satisfied", lambda u: u + 8, 15, 95, 1, "survey", 6, 0.6),
    Tracer("anc4", lambda u: u + 12, 20, 99, 1, "survey", 6, 0.6),
    Tracer("dtp3", lambda u: u + 22, 40, 99, 0, "annual", 4, 0.3),
    Tracer("careseek_ari", lambda u: u, 20, 95, 1, "survey", 8, 0.5),
    Tracer("tb_treatment", lambda u: u + 2, 30, 92, 0, "annual", 6, 0.4),
    Tracer("art", lambda u: u + 2, 10, 95, 0, "annual", 8, 1.5),
    Tracer("itn", lambda u: 45.0, 10, 90, 1, "survey", 8, 0.5),
    Tracer("basic_sanitation", lambda u: 1.3 * u - 15, 10, 99.5, 1, "annual", 12, 0.7),
    Tracer("hypertension_treated", lambda u: 0.55 * u, 5, 70, 1, "single", 5),
    Tracer("bp_nonraised", lambda u: 70.0, 55, 85, 1, "modelled", 4, 0.1),
    Tracer("fpg_mean", lambda u: 5.0 + 0.01 * (u - 50), 4.6, 6.8, 2, "modelled", 0.15),
    Tracer("tobacco_use", lambda u: 20.0, 5, 45, 1, "biennial", 8, -0.3),
    Tracer("hospital_beds", lambda u: 9 * np.exp((u - 50) / 25), 1, 80, 1, "workforce", 0.2, multiplicative=True),
    Tracer("physicians", lambda u: 0.12 * np.exp((u - 45) / 11), 0.02, 6, 2, "workforce", 0.2, multiplicative=True),
    Tracer("psychiatrists", lambda u: 0.1 * np.exp((u - 45) / 9), 0.01, 25, 2, "workforce", 0.3, multiplicative=True),
    Tracer("surgeons", lambda u: np.exp((u - 45) / 10), 0.2, 90, 1, "workforce", 0.3, multiplicative=True),
    Tracer("ihr", lambda u: u + 5, 20, 100, 0, "annual", 8, 0.5),
)


def _years(pattern: str, rng: np.random.Generator, survey_years: tuple[int, ...]) -> tuple[int, ...]:
    if pattern == "survey":
        return survey_years
    if pattern == "annual":
        return tuple(y for y in YEARS if rng.random() > 0.12)
    if pattern == "single":
        return (2019,)
    if pattern == "modelled":
        return tuple(y for y in YEARS if y <= 2019)
    if pattern == "biennial":
        return tuple(y for y in YEARS if y % 2 == 0)
    return tuple(sorted(rng.choice(YEARS, size=3, replace=False)))  # workforce: three returns


def tracer_rows(seed: int) -> list[dict]:
    """Synthetic SDG 3.8.1 tracer values for every profiled country over ``YEARS`` (two survey years
    each), reproducible from ``seed``.
    """
    rows = []
    for iso3, profile in PROFILES.items():
        rng = rng_for(seed, "uhc", iso3)
        index = profile.calibration.uhc_index.total
        survey_years = tuple(sorted(rng.choice(YEARS, size=2, replace=False)))
        for t in TRACERS:
            offset = rng.normal(0, t.offset_sd)
            years = _years(t.pattern, rng, survey_years)
            if t.code in NEVER_REPORTED.get(iso3, ()) or (t.code == "itn" and iso3 not in MALARIA_HIGH_BURDEN):
                continue
            for year in years:
                if t.multiplicative:
                    value = t.level(index) * np.exp(offset + 0.03 * (year - 2021) + rng.normal(0, 0.05))
                else:
                    value = (
                        t.level(index)
                        + offset
                        + t.trend * (year - 2021)
                        + rng.normal(0, 1.0 if t.decimals < 2 else 0.05)
                    )
                value = round(float(np.clip(value, t.low, t.high)), t.decimals)
                rows.append(
                    {"indicator": t.code, "country": iso3, "year": int(year), "value": value, "source": "synthetic"}
                )
    return rows


def write_uhc(out: Path, seed: int) -> None:
    """Write the UHC tracer table, the malaria high-burden list and their sources under ``out/uhc``."""
    write_csv(pl.DataFrame(tracer_rows(seed)), out / "uhc" / "tracers.csv")
    burden = [{"country": c, "high_burden": c in MALARIA_HIGH_BURDEN} for c in PROFILES] + [
        {"country": "AUT", "high_burden": False}
    ]
    write_csv(pl.DataFrame(burden), out / "uhc" / "malaria_high_burden.csv")
    never = "; ".join(f"{c}: {', '.join(t)}" for c, t in NEVER_REPORTED.items())
    entry = {
        "licence": "Apache-2.0 (generated by this project)",
        "vintage": f"synthetic seed {seed}",
        "synthetic": True,
    }
    files = {
        "tracers.csv": {
            "origin": "Synthetic: levels follow each country's UHC service coverage index (SH_ACS_UNHC 2021, UN SDG Global "
            "Database 2023-12) through the rules of synthetic/uhc.py, with a fixed country offset per tracer",
            **entry,
            "notes": "Years 2015-2023 with gaps; survey-based tracers in two survey years; some tracers never reported "
            f"({never}); both bp_nonraised (2017 edition) and hypertension_treated (2023 edition).",
        },
        "malaria_high_burden.csv": {
            "origin": "Assumed: GHA and KEN count as high malaria burden (bed-net tracer applies); the other bundled countries do not",
            **entry,
            "notes": "Synthetic countries and AUT.",
        },
    }
    header = "# Origin, licence and vintage of every file of data/raw/uhc (written by `python -m synthetic`).\n"
    write_yaml(out / "uhc" / "sources.yaml", {"files": files}, header)
