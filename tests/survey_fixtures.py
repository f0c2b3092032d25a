"""Small canonical person tables with stratified cluster designs, for estimation tests."""

from __future__ import annotations

import numpy as np
import polars as pl

from schemas.resources import survey as sv
from schemas.tables import polars_dtype


def make_persons(
    n_strata: int = 6,
    psus_per_stratum: int = 5,
    persons_per_psu: int = 40,
    seed: int = 7,
    survey_id: str = "TST_LFS_2022",
) -> pl.DataFrame:
    """A canonical person table. PSU codes restart in every stratum (1, 2, ...): the estimation
    must identify a PSU by (stratum, psu). Coverage depends on the PSU (so design effects are
    real), on sex and on nationality; some outcomes are missing."""
    rng = np.random.default_rng(seed)
    rows = n_strata * psus_per_stratum * persons_per_psu
    stratum = np.repeat(np.arange(n_strata), psus_per_stratum * persons_per_psu)
    psu = np.tile(np.repeat(np.arange(psus_per_stratum), persons_per_psu), n_strata)
    psu_effect = rng.normal(0, 0.8, n_strata * psus_per_stratum)[stratum * psus_per_stratum + psu]
    sex = rng.choice(["F", "M"], rows)
    nationality = rng.choice(["national", "non_national"], rows, p=[0.8, 0.2])
    age = rng.integers(0, 90, rows)
    logit = -0.3 + psu_effect + 0.4 * (sex == "M") - 0.7 * (nationality == "non_national")
    covered = rng.random(rows) < 1 / (1 + np.exp(-logit))
    health = pl.Series(covered).set(pl.Series(rng.random(rows) < 0.05), None)
    lf = np.where(
        age < 15,
        "outside_labour_force",
        rng.choice(["employed", "unemployed", "outside_labour_force"], rows, p=[0.6, 0.1, 0.3]),
    )
    frame = {v.name: pl.Series(v.name, [None] * rows, dtype=polars_dtype(v)) for v in sv.ALL}
    frame.update(
        survey_id=pl.Series([survey_id] * rows),
        country=pl.Series(["GHA"] * rows),
        year=pl.Series([2022] * rows, dtype=pl.Int64),
        survey_kind=pl.Series(["LFS"] * rows),
        hh_id=pl.Series((np.arange(rows) // 4).astype(str)),
        person_id=pl.Series((np.arange(rows) % 4).astype(str)),
        person_weight=pl.Series(rng.uniform(50, 400, rows) * (1 + stratum)),
        stratum=pl.Series(stratum.astype(str)),
        psu=pl.Series((psu + 1).astype(str)),
        sex=pl.Series(sex),
        age=pl.Series(age, dtype=pl.Int64),
        lf_status=pl.Series(lf),
        contributor=pl.Series(covered & (lf == "employed")),
        nationality=pl.Series(nationality),
        health_protected=health.alias("health_protected"),
        urban_rural=pl.Series(rng.choice(["urban", "rural"], rows)),
        source_row=pl.Series(np.arange(1, rows + 1), dtype=pl.Int64),
    )
    return pl.DataFrame(frame).select(sv.COLUMN_ORDER)
