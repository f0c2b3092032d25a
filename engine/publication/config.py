"""The publication edition (``config/methods/publication.yaml``) as a checked, typed object.

:func:`publication_config` turns a :class:`~engine.method_config.MethodEdition` into a
:class:`PublicationConfig`; a missing key, an unknown weighting, level or imputation model
raises :class:`~engine.method_config.MethodConfigError` naming the file and the key, before any
data is read. The YAML file documents every key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.method_config import MethodConfigError, MethodEdition

WEIGHTINGS = ("denominator", "population")
COUNTRY_LEVELS = ("ilo_region", "ilo_subregion", "sdg_region", "m49_subregion")
GROUP_LEVELS = ("m49_region", "un_group")  # staging/m49_groups
AGGREGATION_LEVELS = ("world", "income_group", *COUNTRY_LEVELS, *GROUP_LEVELS)
IMPUTATION_LEVELS = (
    "world",
    "income_group",
    "income_group_x_ilo_region",
    "income_group_x_sdg_region",
    *COUNTRY_LEVELS,
    *GROUP_LEVELS,
)
IMPUTATION_MODELS = ("group_median",)


@dataclass(frozen=True)
class FamilySpec:
    """One indicator family: its table in ``indicators/``, its weighting and aggregated sexes;
    ``series`` names the single series of a one-value-per-country table (SDG 3.8.1). The
    line-up keys (``window_years``, ``interpolation_years``, ``imputation``) override the
    edition's defaults for this family; None = the default.
    """

    name: str
    table: str
    weighting: str
    aggregate_sexes: tuple[str, ...]
    series: str | None = None
    window_years: int | None = None
    interpolation_years: int = 0
    imputation_levels: tuple[tuple[str, int], ...] | None = None
    imputation_covariates: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ProxySpec:
    """WPP ages (inclusive, whole 5-year bands; ``age_to`` None = open) and sex (None = both)
    whose population stands for a series' denominator, times the published rate ``rate`` (a
    series of staging/published_sdg, of the breakdown ``rate_breakdown``) where one is given.
    """

    age_from: int
    age_to: int | None
    sex: str | None = None
    rate: str | None = None
    rate_breakdown: str = "T"


@dataclass(frozen=True)
class Identity:
    """``part <= whole`` and, with ``remainder``, ``remainder = whole - part`` for every country
    cell of ``family`` (see ``identities`` in the YAML file).
    """

    family: str
    whole: str
    part: str
    remainder: str | None = None


@dataclass(frozen=True)
class PublicationConfig:
    """The publication edition (``config/methods/publication.yaml``), parsed and checked: years,
    family line-ups, source preference, windows, proxies, labels and the settings of each output.
    """

    edition: MethodEdition
    first_year: int
    last_year: int
    families: dict[str, FamilySpec]
    source_preference: tuple[str, ...]
    series_source_preference: dict[str, tuple[str, ...]]
    window_years: int
    window_after_years: int
    published_vintage: str
    published_families: dict[str, tuple[str, ...]]
    vintage_inputs: tuple[str, ...]
    aggregation_levels: tuple[str, ...]
    min_reported_share: float
    low_coverage_share: float
    identities: tuple[Identity, ...]
    imputation_model: str
    imputation_covariates: tuple[str, ...]
    imputation_levels: tuple[tuple[str, int], ...]
    proxies: dict[str, ProxySpec]
    approximate_proxies: tuple[str, ...]
    min_unweighted_n: int
    suppress_reliability: tuple[str, ...]
    caution_reliability: tuple[str, ...]
    quality: dict[str, Any]
    revisions: dict[str, Any]
    headline_levels: tuple[str, ...]
    annex_series: tuple[str, ...]
    series_labels: dict[str, str]
    sdmx: dict[str, Any]
    figures: dict[str, Any]
    catalog_layers: tuple[str, ...]
    published_inputs: dict[str, Any]
    comparison: dict[str, Any]

    @property
    def label(self) -> str:
        """The edition's label, ``family:edition``."""
        return self.edition.label

    @property
    def reference_years(self) -> list[int]:
        """The reference years published, ``first_year`` to ``last_year`` inclusive."""
        return list(range(self.first_year, self.last_year + 1))

    def proxy(self, series: str) -> ProxySpec:
        """The denominator proxy of ``series`` (the ``default`` proxy when the series has none of
        its own).
        """
        return self.proxies.get(series, self.proxies["default"])

    def series_sex(self, series: str) -> str:
        """The sex whose value stands for ``series`` in one-value-per-country tables (the
        statistical annex): the sex of its ``denominator_proxy`` for a series about one sex only
        (SI_COV_MATNL: F, published for women only), else T.
        """
        return self.proxy(series).sex or "T"

    def series_families(self) -> dict[str, str]:
        """Published series -> its indicator family (``published_series.families``)."""
        return {series: family for family, names in self.published_families.items() for series in names}

    def series_label(self, series: str) -> str:
        """The label of ``series`` in the outputs (the code itself when the edition gives none)."""
        return self.series_labels.get(series, series)

    def family_window(self, family: str) -> int:
        """Years before the reference year whose latest value a country is lined up with."""
        own = self.families[family].window_years
        return self.window_years if own is None else own

    def family_window_after(self, family: str) -> int:
        """Years after the reference year whose earliest value stands in for it when there is none
        before (0 for a family with its own window or interpolation, 3.8.2).
        """
        spec = self.families[family]
        return 0 if spec.window_years is not None or spec.interpolation_years else self.window_after_years

    def preference(self, series: str) -> tuple[str, ...]:
        """Source kinds of ``series`` in order of preference."""
        return self.series_source_preference.get(series, self.source_preference)

    def family_imputation(self, family: str) -> tuple[tuple[str, int], ...]:
        """The imputation levels (level, min_countries) of ``family``, in order."""
        return self.families[family].imputation_levels or self.imputation_levels

    def family_covariates(self, family: str) -> tuple[str, ...]:
        """Covariates of the imputation model of ``family`` (the edition's default when it sets
        none).
        """
        return self.families[family].imputation_covariates or self.imputation_covariates


def _fail(method: MethodEdition, message: str) -> MethodConfigError:
    return MethodConfigError(f"{method.source}: edition '{method.edition}': {message}")


def _levels(method: MethodEdition, where: str, raw: list) -> tuple[tuple[str, int], ...]:
    levels = tuple((lv["level"], int(lv["min_countries"])) for lv in raw)
    if unknown := [lv for lv, _ in levels if lv not in IMPUTATION_LEVELS]:
        raise _fail(method, f"{where}: unknown {unknown} (known: {IMPUTATION_LEVELS})")
    return levels


def _family(method: MethodEdition, name: str, spec: dict) -> FamilySpec:
    if spec.get("weighting") not in WEIGHTINGS:
        raise _fail(method, f"families.{name}.weighting must be one of {WEIGHTINGS}")
    imputation = spec.get("imputation") or {}
    family = FamilySpec(
        name,
        spec["table"],
        spec["weighting"],
        tuple(spec["aggregate_sexes"]),
        spec.get("series"),
        window_years=None if spec.get("window_years") is None else int(spec["window_years"]),
        interpolation_years=int(spec.get("interpolation_years") or 0),
        imputation_levels=_levels(method, f"families.{name}.imputation.levels", imputation["levels"])
        if imputation.get("levels")
        else None,
        imputation_covariates=tuple(imputation["covariates"]) if imputation.get("covariates") else None,
    )
    if family.interpolation_years and (family.weighting != "population" or family.aggregate_sexes != ("T",)):
        raise _fail(method, f"families.{name}.interpolation_years needs population weighting and aggregate_sexes [T]")
    return family


def _proxy(method: MethodEdition, series: str, raw: dict) -> ProxySpec:
    ages = raw.get("ages")
    if not isinstance(ages, list) or len(ages) != 2 or ages[0] is None:
        raise _fail(method, f"denominator_proxy.{series}.ages must be [from, to|null]")
    if raw.get("sex") not in (None, "F", "M"):
        raise _fail(method, f"denominator_proxy.{series}.sex must be F, M or absent")
    return ProxySpec(
        int(ages[0]),
        None if ages[1] is None else int(ages[1]),
        raw.get("sex"),
        raw.get("rate"),
        str(raw.get("rate_breakdown") or "T"),
    )


def _identities(method: MethodEdition, families: dict[str, FamilySpec]) -> tuple[Identity, ...]:
    out: list[Identity] = []
    seen: set[str] = set()
    for i, raw in enumerate(method.get("identities") or []):
        identity = Identity(raw.get("family"), raw.get("whole"), raw.get("part"), raw.get("remainder"))
        family = families.get(identity.family)
        if family is None or family.weighting != "population":
            raise _fail(
                method, f"identities[{i}]: family must be a population-weighted family, not {identity.family!r}"
            )
        if not identity.whole or not identity.part:
            raise _fail(method, f"identities[{i}]: whole and part are required")
        series = {s for s in (identity.whole, identity.part, identity.remainder) if s is not None}
        if twice := sorted(series & seen):
            raise _fail(method, f"identities[{i}]: {twice} already in another identity")
        seen |= series
        out.append(identity)
    return tuple(out)


def publication_config(m: MethodEdition) -> PublicationConfig:
    """The publication edition ``m`` (the one the settings chose, ``PipelineResource.method``),
    checked.
    """
    families = {name: _family(m, name, spec) for name, spec in m["families"].items()}
    levels = tuple(m["aggregation_levels"])
    if unknown := [lv for lv in levels if lv not in AGGREGATION_LEVELS]:
        raise _fail(m, f"aggregation_levels: unknown {unknown} (known: {AGGREGATION_LEVELS})")
    imputation = m["imputation"]
    if imputation.get("model") not in IMPUTATION_MODELS:
        raise _fail(m, f"imputation.model must be one of {IMPUTATION_MODELS}")
    imp_levels = _levels(m, "imputation.levels", imputation["levels"])
    proxies = {series: _proxy(m, series, raw) for series, raw in m["denominator_proxy"].items()}
    if "default" not in proxies:
        raise _fail(m, "denominator_proxy needs a 'default' entry")
    disclosure = m["disclosure"]
    years = m["reference_years"]
    published = m.get("published_series") or {}
    published_families = {f: tuple(series) for f, series in (published.get("families") or {}).items()}
    if unknown := [f for f in published_families if f not in families]:
        raise _fail(m, f"published_series.families: unknown families {unknown} (known: {list(families)})")
    min_share, low_share = float(m["min_reported_share"]), float(m["low_coverage_share"])
    if not 0 <= min_share <= low_share <= 1:
        raise _fail(m, f"need 0 <= min_reported_share ({min_share}) <= low_coverage_share ({low_share}) <= 1")
    custodians = m["sdmx"].get("custodians") or {}
    if missing := [name for name in families if not custodians.get(name)]:
        raise _fail(m, f"sdmx.custodians: no custodian agency for {missing}")
    return PublicationConfig(
        edition=m,
        first_year=int(years["first"]),
        last_year=int(years["last"]),
        families=families,
        source_preference=tuple(m["source_preference"]),
        series_source_preference={s: tuple(kinds) for s, kinds in (m.get("series_source_preference") or {}).items()},
        window_years=int(m["window_years"]),
        window_after_years=int(m.get("window_after_years") or 0),
        published_vintage=str(published.get("vintage") or "latest"),
        published_families=published_families,
        vintage_inputs=tuple(m["vintage_inputs"]),
        aggregation_levels=levels,
        min_reported_share=min_share,
        low_coverage_share=low_share,
        identities=_identities(m, families),
        imputation_model=imputation["model"],
        imputation_covariates=tuple(imputation.get("covariates", ())),
        imputation_levels=imp_levels,
        proxies=proxies,
        approximate_proxies=tuple(m.get("approximate_proxies") or ()),
        min_unweighted_n=int(disclosure["min_unweighted_n"]),
        suppress_reliability=tuple(disclosure.get("suppress_reliability", ())),
        caution_reliability=tuple(disclosure.get("caution_reliability", ())),
        quality=dict(m["quality"]),
        revisions=dict(m["revisions"]),
        headline_levels=tuple(m["headline_levels"]),
        annex_series=tuple(m["annex_series"]),
        series_labels=dict(m["series_labels"]),
        sdmx=dict(m["sdmx"]),
        figures=dict(m["figures"]),
        catalog_layers=tuple(m["catalog"]["layers"]),
        published_inputs=dict(m.get("published_inputs") or {}),
        comparison=dict(m["comparison"]),
    )
