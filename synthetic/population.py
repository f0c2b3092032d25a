"""Population by age and sex from the bundled UN WPP 2019 table (``context/population_wpp.csv``).

``Population.load(path)`` reads the table once; ``by_age5(m49, year)`` returns persons (not
thousands) as an array of shape (2, 21): row 0 women, row 1 men, columns the 5-year groups
0-4 ... 95-99, 100+. The helpers count persons in an age range assuming ages are spread evenly
within each 5-year group.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

PROJECT_DIR = Path(__file__).resolve().parents[1]
BUNDLED_WPP = PROJECT_DIR / "data" / "raw" / "context" / "population_wpp.csv"
AGE5 = tuple(f"{a}_{a + 4}" for a in range(0, 100, 5)) + ("100plus",)
AGE5_LOWER = np.arange(0, 105, 5)
SEXES = ("F", "M")
WPP_GENDER = {"F": 2, "M": 1}


class Population:
    """WPP population by country (M49), year, 5-year age group and sex."""

    def __init__(self, frame: pl.DataFrame):
        self._frame = frame

    @staticmethod
    @lru_cache(maxsize=4)
    def load(path: Path = BUNDLED_WPP) -> Population:
        """The bundled WPP 2019 extract (cached: the few paths used are read once)."""
        frame = pl.read_csv(
            path, schema_overrides={"country": pl.Int64, "time": pl.Int64, "gender": pl.Int64, "population": pl.Float64}
        )
        return Population(frame)

    def by_age5(self, m49: int, year: int) -> np.ndarray:
        """Persons, shape (2, 21): [women, men] x [0-4 ... 100+]."""
        rows = self._frame.filter((pl.col("country") == m49) & (pl.col("time") == year))
        if rows.is_empty():
            raise KeyError(f"no WPP population for M49 {m49} in {year}")
        out = np.zeros((2, len(AGE5)))
        index = {a: i for i, a in enumerate(AGE5)}
        for age, gender, pop in rows.select("age5yearinterval", "gender", "population").iter_rows():
            out[0 if gender == WPP_GENDER["F"] else 1, index[age]] = pop * 1000.0
        return out


def between(pop5: np.ndarray, low: float, high: float = 200.0) -> np.ndarray:
    """Persons aged ``low`` <= age < ``high`` by sex (shape (2,)), ages even within groups."""
    upper = AGE5_LOWER + 5
    overlap = np.clip(np.minimum(upper, high) - np.maximum(AGE5_LOWER, low), 0, 5) / 5.0
    return pop5 @ overlap
