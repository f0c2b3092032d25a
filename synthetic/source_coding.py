"""Turn a synthetic ``Sample`` into a survey file as a statistics office delivers it: source
variable names and codes, value labels, missing-value codes, and the ``spec.yaml`` entries that
map them back onto the canonical variables (input contract, ``data/raw/README.md`` 1.2).

``SourceFile`` collects columns and spec entries; each bundled survey's codebook
(``synthetic.codebooks``) calls its methods once per canonical variable. The ``Issue`` classes
then damage a handful of rows the way real files are damaged, and say so in words that go to
the spec's ``known_issues``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from synthetic.countries import BENEFIT_LEVEL, EARNINGS_RELATED, FEMALE_BENEFIT_RATIO, ppp_factor
from synthetic.survey import Sample

NOT_ASKED = np.nan
WG_DOMAINS = ("seeing", "hearing", "walking", "remembering", "self-care", "communicating")
WG_LABELS = {1: "No difficulty", 2: "Some difficulty", 3: "A lot of difficulty", 4: "Cannot do at all"}
# Household relationship codes used by the codebooks: 1 head ... 7 non-relative.
RELATION_LABELS = {
    1: "Head",
    2: "Spouse",
    3: "Son/daughter",
    4: "Grandchild",
    5: "Parent",
    6: "Other relative",
    7: "Non-relative",
}
# Benefit kinds of the codebooks -> the benefit function whose level (synthetic.countries.BENEFIT_LEVEL) they pay.
BENEFIT_KINDS = {
    "pension": "oldage_contrib",
    "social_pension": "oldage_noncontrib",
    "child": "child_family",
    "assistance": "social_assistance",
    "disability": "disability",
    "unemployment": "unemployment",
    "maternity": "maternity",
    "sickness": "sickness",
    "survivors": "survivors",
    "injury": "employment_injury",
}


class SourceFile:
    """The columns of one survey file and the spec entries mapping them to canonical variables.

    Column values are person-level arrays: floats with NaN for a missing (system-missing) value,
    or lists of text with None. ``period`` divides annual money amounts (12 for monthly
    amounts).
    """

    def __init__(self, sample: Sample, rng: np.random.Generator, *, period: int = 1):
        self.sample = sample
        self.rng = rng
        self.period = period
        self.columns: dict[str, Any] = {}
        self.labels: dict[str, str] = {}
        self.value_labels: dict[str, dict] = {}
        self.variables: dict[str, Any] = {}
        self.comments: dict[str, str] = {}
        self.absent: list[str] = []
        self.psu_nested: bool | None = None  # set when the codebook numbers PSUs

    # -- person-level views of the sample ----------------------------------------------------
    @property
    def n(self) -> int:
        """Number of persons in the file."""
        return self.sample.n_persons

    def per_person(self, household_values: np.ndarray) -> np.ndarray:
        """Each person's value of a household-level array."""
        return household_values[self.sample.hh]

    @property
    def median_consumption(self) -> float:
        """Median annual per-capita consumption of the survey year, LCU."""
        s = self.sample
        return s.profile.median_consumption_ppp * 365 * ppp_factor(s.profile, s.year)

    # -- columns ------------------------------------------------------------------------------
    def add(self, column: str, values: Any, label: str | None = None, value_labels: dict | None = None) -> None:
        """A source column (mapped or not)."""
        assert column not in self.columns, column
        self.columns[column] = values
        if label:
            self.labels[column] = label
        if value_labels:
            self.value_labels[column] = value_labels

    def _map(self, var: str, entry: Any, comment: str | None) -> None:
        assert var not in self.variables and var not in self.absent, var
        self.variables[var] = entry
        if comment:
            self.comments[var] = comment

    # -- spec forms ---------------------------------------------------------------------------
    def copy(
        self,
        var: str,
        column: str,
        values: Any = None,
        label: str | None = None,
        comment: str | None = None,
        missing: tuple = (),
    ) -> None:
        """``var: column`` (values copied as they are), or ``{source: column, missing: [...]}``;
        ``values=None`` reuses a column.
        """
        if values is not None:
            self.add(column, values, label)
        assert column in self.columns, column
        self._map(var, {"source": column, "missing": list(missing)} if missing else column, comment)

    def codes(
        self,
        var: str,
        column: str,
        values: Any,
        codes: dict,
        *,
        other: Any = None,
        missing: tuple = (),
        label: str | None = None,
        value_labels: dict | None = None,
        comment: str | None = None,
        new: bool = True,
    ) -> None:
        """``{source: column, codes: {...}, other:, missing:}``; ``new=False`` reuses a column."""
        if new:
            self.add(column, values, label, value_labels)
        entry: dict[str, Any] = {"source": column, "codes": codes}
        if other is not None:
            entry["other"] = other
        if missing:
            entry["missing"] = list(missing)
        self._map(var, entry, comment)

    def positive(
        self, var: str, column: str, values: np.ndarray, label: str | None = None, comment: str | None = None
    ) -> None:
        """``{source: column, rule: positive}`` (a benefit amount)."""
        self.add(column, values, label)
        self._map(var, {"source": column, "rule": "positive"}, comment)

    def among(self, var: str, column: str, codes: list, *, missing: tuple = (), comment: str | None = None) -> None:
        """``{source: column, in: [...]}`` on a column added before."""
        assert column in self.columns, column
        entry: dict[str, Any] = {"source": column, "in": codes}
        if missing:
            entry["missing"] = list(missing)
        self._map(var, entry, comment)

    def expr(self, var: str, expression: str, comment: str | None = None, scale: float | None = None) -> None:
        """``{expr: "..."}`` over columns added before."""
        entry: dict[str, Any] = {"expr": expression}
        if scale is not None:
            entry["scale"] = scale
        self._map(var, entry, comment)

    def scaled(
        self,
        var: str,
        column: str,
        values: np.ndarray,
        scale: float,
        label: str | None = None,
        comment: str | None = None,
    ) -> None:
        """``{source: column, scale: k}`` (an amount stored in units of ``k``)."""
        self.add(column, values, label)
        self._map(var, {"source": column, "scale": scale}, comment)

    def value(self, var: str, value: Any, comment: str) -> None:
        """``{value: constant}``."""
        self._map(var, {"value": value}, comment)

    def absent_inline(self, var: str, comment: str) -> None:
        """``var: absent`` in the variables block."""
        self._map(var, "absent", comment)

    def declare_absent(self, *variables: str) -> None:
        """Listed under ``absent: [...]``."""
        for var in variables:
            assert var not in self.variables and var not in self.absent, var
            self.absent.append(var)

    # -- encoders -----------------------------------------------------------------------------
    def flag(
        self,
        flag: np.ndarray,
        true: Any = 1,
        false: Any = 2,
        asked: np.ndarray | None = None,
        not_asked: Any = NOT_ASKED,
        dont_know: Any = None,
        dont_know_share: float = 0.0,
    ) -> np.ndarray | list:
        """Codes of a yes/no question: ``true``/``false``, ``not_asked`` outside ``asked``, and
        ``dont_know`` for a random ``dont_know_share`` of the asked.
        """
        out = np.where(flag, true, false).astype(object if isinstance(true, str) else float)
        if dont_know is not None:
            out[self.rng.random(self.n) < dont_know_share] = dont_know
        if asked is not None:
            out[~asked] = None if isinstance(true, str) else not_asked
        return list(out) if isinstance(true, str) else out

    def amount(self, flag: np.ndarray, kind: str, asked: np.ndarray | None = None, decimals: int = 0) -> np.ndarray:
        """A benefit amount for the source period: positive for recipients, 0 for the others,
        missing outside ``asked``.
        """
        function = BENEFIT_KINDS[kind]
        women = np.where(self.sample.female, FEMALE_BENEFIT_RATIO, 1.0) if function in EARNINGS_RELATED else 1.0
        level = BENEFIT_LEVEL[function] * self.median_consumption / self.period * women
        amount = np.round(level * np.exp(self.rng.normal(0, 0.3, self.n)), decimals)
        out = np.where(flag, np.maximum(amount, 10.0**-decimals), 0.0)
        if asked is not None:
            out[~asked] = NOT_ASKED
        return out

    def money(self, household_values: np.ndarray, decimals: int = 2, scale: float = 1.0) -> np.ndarray:
        """A household amount for the source period, repeated on every member's row."""
        return np.round(self.per_person(household_values) / self.period / scale, decimals)

    # -- derived questionnaire items ----------------------------------------------------------
    def relationship(self) -> np.ndarray:
        """Relationship to the head (``RELATION_LABELS``), from ages and sexes."""
        s = self.sample
        head_age = s.age[s.hh_start][s.hh].astype(int)
        head_female = s.female[s.hh_start][s.hh]
        age = s.age.astype(int)
        rel = np.full(self.n, 6.0)
        rel[(age >= 16) & (s.female != head_female) & (np.abs(age - head_age) <= 12)] = 2
        rel[age <= head_age - 14] = 3
        rel[age <= head_age - 38] = 4
        rel[age >= head_age + 15] = 5
        rel[(rel == 6) & (self.rng.random(self.n) < 0.15)] = 7
        rel[s.head] = 1
        return rel

    def washington_group(self, min_age: int = 5) -> list[np.ndarray]:
        """Six Washington Group short-set items coded 1-4 (``WG_LABELS``): severely disabled
        persons have 3 or 4 in one random domain; missing below ``min_age``.
        """
        s = self.sample
        items = [np.where(self.rng.random(self.n) < 0.1, 2.0, 1.0) for _ in WG_DOMAINS]
        severe = s.severe_disability
        domain = self.rng.integers(0, len(WG_DOMAINS), self.n)
        level = np.where(self.rng.random(self.n) < 0.6, 3.0, 4.0)
        for d, item in enumerate(items):
            item[severe & (domain == d)] = level[severe & (domain == d)]
            item[s.age < min_age] = NOT_ASKED
        return items

    def add_washington_group(self, var: str, columns: list[str], comment: str | None = None) -> None:
        """The six items as columns and ``var`` = at least one item 3 or 4."""
        for column, domain, values in zip(columns, WG_DOMAINS, self.washington_group(), strict=True):
            self.add(column, values, f"Difficulty {domain}", WG_LABELS)
        self.expr(
            var,
            " OR ".join(f"{c} >= 3" for c in columns),
            comment or "Washington Group short set: a lot of difficulty or cannot do in any domain",
        )

    def map_washington_group(self, var: str, columns: list[str]) -> None:
        """``{washington_group: [...]}`` over the item columns added before."""
        assert all(c in self.columns for c in columns), columns
        self._map(
            var,
            {"washington_group": list(columns)},
            "Washington Group short set: highest difficulty level over the six domains",
        )

    # -- the file -----------------------------------------------------------------------------
    def frame(self) -> pl.DataFrame:
        """The columns as a Polars frame: float columns holding whole numbers become integers."""
        series = []
        for name, values in self.columns.items():
            if isinstance(values, np.ndarray) and values.dtype.kind == "f":
                s = pl.Series(name, values, nan_to_null=True)
                finite = values[np.isfinite(values)]
                if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 2**53:
                    s = s.cast(pl.Int64)
                series.append(s)
            elif isinstance(values, np.ndarray) and values.dtype.kind in "iub":
                series.append(pl.Series(name, values.astype(np.int64)))
            else:
                series.append(pl.Series(name, list(values), dtype=pl.String))
        return pl.DataFrame(series)


# -- known issues ---------------------------------------------------------------------------------
# Each issue damages rows not damaged before (``free``) and returns the damaged rows and a
# sentence for the spec's ``known_issues``.


def _pick(rng: np.random.Generator, candidates: np.ndarray, k: int) -> np.ndarray:
    return np.sort(rng.choice(candidates, size=k, replace=False))


def _rows(rows: np.ndarray) -> str:
    return ", ".join(str(int(r) + 1) for r in rows)


def _set(frame: pl.DataFrame, column: str, rows: Any, value: Any, dtype: pl.DataType | None = None) -> pl.DataFrame:
    """``frame`` with ``column[rows] = value`` (after a cast to ``dtype``)."""
    series = frame[column] if dtype is None else frame[column].cast(dtype)
    return frame.with_columns(series.clone().scatter(rows, value))


def _household_rows(
    frame: pl.DataFrame, household: str, rng: np.random.Generator, free: np.ndarray
) -> tuple[Any, np.ndarray]:
    """A random household all of whose rows are free, and its rows."""
    hh = frame[household].to_numpy()
    while True:
        target = hh[int(rng.choice(np.flatnonzero(free)))]
        rows = np.flatnonzero(hh == target)
        if free[rows].all():
            return target, rows


@dataclass(frozen=True)
class AgeCode:
    """``k`` persons whose age holds a not-stated code."""

    quarantines = True  # the damaged rows go to the quarantine

    column: str
    code: int
    k: int
    consequence: str

    def apply(
        self, frame: pl.DataFrame, rng: np.random.Generator, free: np.ndarray
    ) -> tuple[pl.DataFrame, str, np.ndarray]:
        """Plant the issue on rows among ``free``; returns the frame, the known-issue line and the
        rows damaged.
        """
        rows = _pick(rng, np.flatnonzero(free), self.k)
        frame = _set(frame, self.column, rows, self.code)
        return (
            frame,
            f"{self.k} persons have age {self.code} (not stated) in {self.column} (rows {_rows(rows)}): {self.consequence}",
            rows,
        )


@dataclass(frozen=True)
class NegativeWeight:
    """One person whose weight was keyed with a minus sign."""

    quarantines = True  # the damaged rows go to the quarantine

    column: str

    def apply(
        self, frame: pl.DataFrame, rng: np.random.Generator, free: np.ndarray
    ) -> tuple[pl.DataFrame, str, np.ndarray]:
        """Plant the issue on rows among ``free``; returns the frame, the known-issue line and the
        rows damaged.
        """
        row = int(rng.choice(np.flatnonzero(free)))
        value = -frame[self.column][row]
        frame = _set(frame, self.column, [row], value)
        return (
            frame,
            f"row {row + 1} has a negative person weight in {self.column} ({value}): quarantined (weights must be > 0)",
            np.array([row]),
        )


@dataclass(frozen=True)
class DuplicatePerson:
    """The second member of one household keyed with the first member's person number."""

    quarantines = True  # the damaged rows go to the quarantine

    household: str
    person: str

    def apply(
        self, frame: pl.DataFrame, rng: np.random.Generator, free: np.ndarray
    ) -> tuple[pl.DataFrame, str, np.ndarray]:
        """Plant the issue on rows among ``free``; returns the frame, the known-issue line and the
        rows damaged.
        """
        hh = frame[self.household].to_numpy()
        second = np.flatnonzero((hh[1:] == hh[:-1]) & free[1:] & free[:-1]) + 1
        row = int(rng.choice(second))
        value = frame[self.person][row - 1]
        frame = _set(frame, self.person, [row], value)
        return (
            frame,
            (
                f"household {hh[row]} lists person {value} twice (rows {row}, {row + 1}; the second was keyed with "
                f"the first member's {self.person}): both rows quarantined as a duplicated key"
            ),
            np.array([row - 1, row]),
        )


@dataclass(frozen=True)
class UnmappedCode:
    """``k`` rows with a code the spec does not map (no ``other``)."""

    quarantines = True  # the damaged rows go to the quarantine

    column: str
    code: Any
    k: int

    def apply(
        self, frame: pl.DataFrame, rng: np.random.Generator, free: np.ndarray
    ) -> tuple[pl.DataFrame, str, np.ndarray]:
        """Plant the issue on rows among ``free``; returns the frame, the known-issue line and the
        rows damaged.
        """
        rows = _pick(rng, np.flatnonzero(frame[self.column].is_not_null().to_numpy() & free), self.k)
        frame = _set(frame, self.column, rows, self.code)
        return (
            frame,
            f"{self.k} rows have {self.column} = {self.code!r}, a code not in the spec (rows {_rows(rows)}): quarantined (code_not_in_spec)",
            rows,
        )


@dataclass(frozen=True)
class TextInNumber:
    """One household's members with a text placeholder in a numeric column (CSV files only)."""

    quarantines = True  # the damaged rows go to the quarantine

    household: str
    column: str
    text: str

    def apply(
        self, frame: pl.DataFrame, rng: np.random.Generator, free: np.ndarray
    ) -> tuple[pl.DataFrame, str, np.ndarray]:
        """Plant the issue on rows among ``free``; returns the frame, the known-issue line and the
        rows damaged.
        """
        target, rows = _household_rows(frame, self.household, rng, free)
        frame = _set(frame, self.column, rows, self.text, pl.String)
        return (
            frame,
            f"household {target}: {self.column} = {self.text!r} on its {rows.size} rows (rows {_rows(rows)}): quarantined (not a number)",
            rows,
        )


@dataclass(frozen=True)
class SpendingAboveConsumption:
    """One household whose health spending exceeds its total consumption (keying error)."""

    quarantines = False  # the rows are kept; only SDG 3.8.2 excludes the household

    household: str
    consumption: str
    oop: str

    def apply(
        self, frame: pl.DataFrame, rng: np.random.Generator, free: np.ndarray
    ) -> tuple[pl.DataFrame, str, np.ndarray]:
        """Plant the issue on rows among ``free``; returns the frame, the known-issue line and the
        rows damaged.
        """
        target, rows = _household_rows(frame, self.household, rng, free)
        value = round(float(frame[self.consumption][int(rows[0])]) * 1.2, 2)
        frame = _set(frame, self.oop, rows, value, pl.Float64)
        return (
            frame,
            (
                f"household {target} reports {self.oop} = {value}, above its {self.consumption} (rows {_rows(rows)}): "
                f"kept, but excluded from SDG 3.8.2 (out-of-pocket spending above consumption)"
            ),
            rows,
        )


Issue = AgeCode | NegativeWeight | DuplicatePerson | UnmappedCode | TextInNumber | SpendingAboveConsumption
