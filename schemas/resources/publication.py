"""The publication tables in the registry: file, description, key and columns. Every table is
written through ``Table.conform``, which selects the declared columns in order with their
declared types, so a table cannot drift from its declaration.

Per-series columns of the statistical annex are declared once as a pattern (``<series>_value``
...): ``conform`` keeps them after the fixed columns. ``publication/sdg_sdmx`` is the SDMX-CSV
file of the UN SDG Global Database layout (``SDMX_HEADER``).
"""

from __future__ import annotations

from schemas.fields import NATIONALITY_T, SEX_TFM, URBAN_RURAL_T
from schemas.fields import Field as V
from schemas.table import Table

FLAG = ("suppressed", "caution")
STATUS = ("reported", "interpolated", "derived", "imputed")
_FAMILY = V("family", "id", "Indicator family: sdg_1_3_1, sdg_3_8_2 or sdg_3_8_1.", required=True)
_SERIES = V("series", "id", "Series code (UN SDG code, or a report series SP_*).", required=True)
_REF_AREA = V("ref_area", "id", "Country, ISO 3166-1 alpha-3.", required=True)
_YEAR = V("year", "int", "Year (reference year of an aggregate).", required=True)
_VINTAGE = V(
    "vintage",
    "id",
    "Vintage of the country values aggregated: the family's method edition and, when given, the denominator inputs; values of different vintages are never combined.",
    required=True,
)
_PROVENANCE = (
    V(
        "imputation_model",
        "id",
        "The imputation model and its covariates (config/methods/publication.yaml).",
        required=True,
    ),
    V("population_vintage", "id", "WPP vintage of the population weights and denominator proxies."),
    V("method_edition", "id", "Publication method edition (publication:<edition>).", required=True),
)
_BREAKDOWNS = (
    V("sex", "code", "T, F, M (3.8.2: sex of the household head).", codes=SEX_TFM, required=True),
    V("nationality", "code", "T, national, non_national.", codes=NATIONALITY_T, required=True),
    V("age_group", "id", "T or an age band.", required=True),
    V("urban_rural", "code", "T, urban, rural.", codes=URBAN_RURAL_T, required=True),
    V("quintile", "id", "T or a consumption quintile (3.8.2).", required=True),
    V("hh_composition", "id", "T or a household age composition (3.8.2).", required=True),
)
_WITHHELD = V(
    "value_withheld",
    "flag",
    "Not published: less than min_reported_share of the denominator reported (value and numerator empty).",
    required=True,
)
_WITHHELD_REASON = V(
    "withheld_reason", "id", "Why the value is withheld (share reported, countries reported, the minimum)."
)
_SYNTHETIC = (
    V(
        "synthetic",
        "flag",
        "The value rests on a synthetic input (a survey, SSI return or context table marked synthetic in its source record).",
        required=True,
    ),
    V(
        "synthetic_inputs",
        "id",
        "Names of those synthetic inputs (sources, context tables; imputed values: their donors'), joined by ', '.",
    ),
)
_AGG_LABELS = (
    V(
        "obs_status",
        "code",
        "SDMX observation status: E (estimated) when the aggregate rests mostly on imputed values (denominator_share_reported "
        "below low_coverage_share), else A.",
        codes=("A", "E"),
        required=True,
    ),
    V("status_comment", "id", "Why: the share of the denominator with reported data (and the countries reporting)."),
    V(
        "synthetic_share",
        "float",
        "Share of the denominator from country values resting on synthetic inputs (0-1).",
        min=0,
        max=1,
    ),
    V("synthetic_inputs", "id", "Names of the synthetic inputs the aggregate rests on, joined by ', ' (empty: none)."),
)
_DISCLOSURE = (
    V("suppressed", "flag", "Survey cell suppressed by disclosure control (value and bounds emptied).", required=True),
    V("flag", "code", "suppressed, or caution (low reliability), or empty.", codes=FLAG),
)


def _table(
    path: str, description: str, key: tuple[str, ...], columns: tuple[V, ...], extra_columns: str | None = None
) -> Table:
    """A table of the registry from its file (relative to the output directory)."""
    return Table(path.removesuffix(".parquet"), description, columns, primary_key=key, extra_columns=extra_columns)


COUNTRY_VALUES = _table(
    "publication/country_values.parquet",
    "Country values as published: for every family, series, country and year the rows of one source "
    "(administrative before survey, then the smallest source id), every breakdown, after disclosure control.",
    (
        "family",
        "series",
        "ref_area",
        "year",
        "sex",
        "nationality",
        "age_group",
        "urban_rural",
        "quintile",
        "hh_composition",
    ),
    (
        _FAMILY,
        _SERIES,
        _REF_AREA,
        V("year", "int", "Reference year of the value.", required=True),
        *_BREAKDOWNS,
        V(
            "source_kind",
            "code",
            "administrative, survey, uhc_index (3.8.1 computed here) or published (a published country series).",
            codes=("administrative", "survey", "uhc_index", "published"),
            required=True,
        ),
        V(
            "source_id",
            "id",
            "SSI return id, survey id, uhc_index, or the published source (unsdg_<vintage>, published file).",
            required=True,
        ),
        V("value", "float", "Percent (3.8.1: index 0-100); empty when suppressed."),
        V("numerator", "float", "Persons covered (weighted for surveys); empty when suppressed."),
        V("denominator", "float", "Persons in the series population; empty when suppressed."),
        V("se", "float", "Design-based standard error, percentage points (surveys)."),
        V("ci_lower", "float", "Lower 95% bound, percent (surveys)."),
        V("ci_upper", "float", "Upper 95% bound, percent (surveys)."),
        V("n_unweighted", "int", "Unweighted sample persons (surveys)."),
        V("reliability", "id", "reliable, caution, suppress, not_applicable."),
        V("capped", "flag", "Administrative value capped at 100 by the method edition."),
        V("obs_status", "id", "SDMX observation status of the indicator table (published values: as published)."),
        V("nature", "id", "UN SDG NATURE of a published value (C, CA, E, M, G); empty for values computed here."),
        V("imputed_share", "float", "Share of imputed tracers (3.8.1)."),
        V("method_edition", "id", "Method editions of the value.", required=True),
        V("input_vintage", "id", "Vintages of the inputs of the value."),
        *_SYNTHETIC,
        *_DISCLOSURE,
    ),
)

COUNTRY_LINEUP = _table(
    "publication/country_lineup.parquet",
    "Every country x reference year x sex value entering the aggregates, with its status: reported (the preferred source of "
    "the series, nearest year within the window), interpolated (3.8.2: between the country's values before and after the reference year), "
    "derived (exactly from reported cells of the country) or imputed (flagged, with the imputation group and its donors).",
    ("family", "vintage", "series", "ref_year", "ref_area", "sex"),
    (
        _FAMILY,
        _VINTAGE,
        _SERIES,
        V("ref_year", "int", "Reference year.", required=True),
        _REF_AREA,
        V("sex", "code", "T, F, M.", codes=SEX_TFM, required=True),
        V("status", "code", "reported, interpolated, derived or imputed.", codes=STATUS, required=True),
        V(
            "source_kind",
            "id",
            "Source kind of a reported value (of a derived sex cell: of the total it is derived from).",
        ),
        V("source_id", "id", "Source of a reported value (of a derived sex cell: of the total it is derived from)."),
        V(
            "obs_year",
            "int",
            "Year of the reported value (within window_years before ref_year, or window_after_years after it; interpolated: the earlier year).",
        ),
        V("value", "float", "Percent; empty where value_withheld."),
        V("numerator", "float", "value / 100 x denominator."),
        V("denominator", "float", "Series denominator carried to the reference year (population for 3.8.x)."),
        V("base_pop", "float", "WPP population of the series' base ages and sex, reference year (persons)."),
        V(
            "imputation_level",
            "id",
            "Imputation level of an imputed cell (its value is that group's median), or residual_of_total / "
            "residual_of_total_split (imputed sexes sharing a reported total) / sum_of_sexes, or linear_interpolation; 3.8.2 identities: "
            "'capped at <whole>', 'raised to <part>', '<whole> - <part>' (a remainder such as SH_FIN_LARGE).",
        ),
        V(
            "imputation_group",
            "id",
            "The group whose median was used (residual_of_total_split: whose medians set the shares; interpolated: the two years, <earlier>-<later>).",
        ),
        V("imputation_donors", "int", "Reporting countries in that group."),
        V(
            "computed_value",
            "float",
            "The value computed here (SSI return, survey, 3.8.1 index) for this country, sex and reference year, where one exists, percent.",
        ),
        V("computed_se", "float", "Its design-based standard error (survey values), percentage points."),
        V("computed_source_id", "id", "Its source."),
        V("computed_obs_year", "int", "Its year."),
        V(
            "published_value",
            "float",
            "The published value (source kind published) for this country, sex and reference year, where one exists, percent.",
        ),
        V("published_source_id", "id", "Its published source (unsdg_<vintage> or the published file)."),
        V("published_obs_year", "int", "Its year."),
        V("difference_pp", "float", "computed_value minus published_value, percentage points (where both exist)."),
        V(
            "difference_se",
            "float",
            "Standard error of the difference: the SE of a survey value (published values have none).",
        ),
        V(
            "value_withheld",
            "flag",
            "A derived sex cell (reported total minus the other sex) that would reproduce the suppressed survey cell of its source and year: its values are not shown.",
            required=True,
        ),
        *_SYNTHETIC,
        *_PROVENANCE,
    ),
)

AGGREGATES = _table(
    "publication/aggregates.parquet",
    "World, ILO regions and subregions, SDG regions and World Bank income groups (dated), by series, sex and reference year: "
    "100 x sum of numerators / sum of denominators (3.8.x: population-weighted), with the shares covered by reported data.",
    ("family", "vintage", "series", "level", "region", "year", "sex"),
    (
        _FAMILY,
        _VINTAGE,
        V(
            "weighting",
            "code",
            "denominator (SDG 1.3.1) or population (3.8.1, 3.8.2).",
            codes=("denominator", "population"),
            required=True,
        ),
        _SERIES,
        V("level", "id", "world, ilo_region, ilo_subregion, sdg_region or income_group.", required=True),
        V("region", "id", "Group name (income groups: L, LM, UM, H).", required=True),
        _YEAR,
        V("sex", "code", "T, F, M.", codes=SEX_TFM, required=True),
        V("value", "float", "Percent (3.8.1: index); empty where value_withheld.", min=0),
        V("numerator", "float", "Sum of the countries' numerators; empty where value_withheld."),
        V("denominator", "float", "Sum of the countries' denominators (population for 3.8.x)."),
        V(
            "denominator_share_reported",
            "float",
            "Share of the denominator from reported, interpolated or derived country values (0-1).",
            min=0,
            max=1,
        ),
        V(
            "population_share_reported",
            "float",
            "Share of the base population from reported or derived country values (0-1).",
            min=0,
            max=1,
        ),
        V("population", "float", "WPP population of the series' base ages (persons)."),
        V("n_countries", "int", "Countries in the group (with a WPP population)."),
        V("n_reported", "int", "Countries with a reported value."),
        V("n_derived", "int", "Countries with a value derived from reported cells."),
        V("n_interpolated", "int", "Countries with a value interpolated between their own values (3.8.2)."),
        V("n_imputed", "int", "Countries imputed."),
        V("low_coverage", "flag", "denominator_share_reported below low_coverage_share.", required=True),
        _WITHHELD,
        _WITHHELD_REASON,
        *_AGG_LABELS,
        *_PROVENANCE,
    ),
)

HEADLINE = _table(
    "publication/headline.parquet",
    "World and regional headline figures x series x sex, every reference year (time series) with the latest one marked.",
    ("family", "vintage", "series", "level", "region", "year", "sex"),
    (
        _FAMILY,
        _SERIES,
        V("series_label", "id", "Series label.", required=True),
        V("level", "id", "Grouping level.", required=True),
        V("region", "id", "Group.", required=True),
        V("region_code", "id", "UN M49 code of the group, where it has one."),
        V("sex", "code", "T, F, M.", codes=SEX_TFM, required=True),
        _YEAR,
        V("latest", "flag", "The latest reference year of the series.", required=True),
        V("value", "float", "Percent (3.8.1: index); empty where value_withheld."),
        V("denominator_share_reported", "float", "Share of the denominator from reported data (0-1)."),
        V("population_share_reported", "float", "Share of the base population from reported data (0-1)."),
        V("n_countries", "int", "Countries in the group."),
        V("n_reported", "int", "Reported."),
        V("n_derived", "int", "Derived."),
        V("n_interpolated", "int", "Interpolated."),
        V("n_imputed", "int", "Imputed."),
        V("low_coverage", "flag", "Less than low_coverage_share of the denominator reported.", required=True),
        _WITHHELD,
        _WITHHELD_REASON,
        *_AGG_LABELS,
        _VINTAGE,
        V("imputation_model", "id", "Imputation model."),
        V("method_edition", "id", "Publication edition."),
    ),
)

ANNEX = _table(
    "publication/annex.parquet",
    "Statistical annex: one row per country; for each series of annex_series the columns <series>_value (latest published "
    "total, percent; a series about one sex only, such as SI_COV_MATNL: that sex's value), <series>_year, <series>_source (<source_kind>:<source_id>), "
    "<series>_flag (suppressed / caution) and <series>_synthetic (the value rests on a synthetic input), series codes in lower case.",
    ("iso3",),
    (
        V("iso3", "id", "ISO3.", required=True),
        V("m49", "int", "UN M49 code.", required=True),
        V("name", "id", "Name.", required=True),
        V("ilo_region", "id", "ILO region."),
        V("ilo_subregion", "id", "ILO subregion."),
        V("sdg_region", "id", "SDG region."),
        V("income_group", "id", "World Bank income group of the latest classification year."),
        V("income_group_year", "int", "That year."),
    ),
    extra_columns="<series>_value, <series>_year, <series>_source, <series>_flag, <series>_synthetic",
)

_GAP_VALUES = (
    V("value_group", "float", "Focus group (female / non-national), percent."),
    V("value_reference", "float", "Reference group (male / national), percent."),
    V("difference_pp", "float", "Focus minus reference, percentage points."),
    V("difference_se", "float", "Design-based SE of the difference (surveys)."),
    V("difference_ci_lower", "float", "Lower 95% bound of the difference."),
    V("difference_ci_upper", "float", "Upper 95% bound of the difference."),
    V("ratio", "float", "Focus / reference."),
    V("ratio_se", "float", "SE of the ratio (surveys)."),
)
_GAP_COLUMNS = (
    V("area_kind", "code", "country or aggregate.", codes=("country", "aggregate"), required=True),
    V("ref_area", "id", "ISO3, or the group of an aggregate.", required=True),
    V("level", "id", "Grouping level of an aggregate."),
    _FAMILY,
    _SERIES,
    _YEAR,
    V("gap_type", "code", "sex or nationality.", codes=("sex", "nationality"), required=True),
    *_BREAKDOWNS,
    V("source_kind", "id", "administrative, survey or aggregate.", required=True),
    V("source_id", "id", "Source of a country gap."),
    *_GAP_VALUES,
    *_SYNTHETIC,
    *_DISCLOSURE,
    V("method_edition", "id", "Method editions."),
    V("vintage", "id", "Vintage of an aggregate."),
)
GAP_KEY = (
    "area_kind",
    "ref_area",
    "level",
    "vintage",
    "family",
    "series",
    "year",
    "gap_type",
    "sex",
    "nationality",
    "age_group",
    "urban_rural",
    "quintile",
    "hh_composition",
    "source_id",
)
GENDER_GAPS = _table(
    "publication/gender_gaps.parquet",
    "Gender gaps (female minus male), countries (published sources, with design-based SEs for surveys; 3.8.2: sex of the "
    "household head) and aggregates; gaps of suppressed cells are suppressed.",
    GAP_KEY,
    _GAP_COLUMNS,
)
NATIONALITY_GAPS = _table(
    "publication/nationality_gaps.parquet",
    "Nationality gaps (non-nationals minus nationals) by country, published sources; gaps of suppressed cells are suppressed.",
    GAP_KEY,
    _GAP_COLUMNS,
)

_REVISION_COLUMNS = (
    V(
        "comparison",
        "code",
        "vintage (a release of the published country series against the one before it) or run (this run's "
        "values computed here against the latest release).",
        codes=("vintage", "run"),
        required=True,
    ),
    V("old_vintage", "id", "Vintage compared against (the older release).", required=True),
    V("new_vintage", "id", "The newer release, or 'this run'.", required=True),
    _SERIES,
    _REF_AREA,
    V("year", "int", "Year.", required=True),
    V("sex", "code", "T, F, M.", codes=SEX_TFM, required=True),
    _FAMILY,
    V("old_value", "float", "Previously published value (empty: none)."),
    V(
        "new_value",
        "float",
        "The newer value (empty: withdrawn; in publication/revisions also when the cell is suppressed).",
    ),
    V(
        "difference_pp",
        "float",
        "New minus old, percentage points; empty in publication/revisions when the cell is suppressed.",
    ),
    V("old_nature", "id", "UN SDG NATURE of the previous value."),
    V("new_nature", "id", "NATURE of the newer value (C for values computed here)."),
    V("new_source_kind", "id", "Source kind of the new value (published for a newer release)."),
    V("new_source_id", "id", "Source of the new value."),
    V("new_method_edition", "id", "Method editions of a value computed here."),
    V(
        "reason_code",
        "id",
        "Observed in the data: new_value, withdrawn, re_referenced, new_source, series_revised, denominator_revised "
        "(joined by ;) or unexplained.",
        required=True,
    ),
    V("reason", "id", "The reason in words, with the numbers."),
    *_SYNTHETIC,
    *_DISCLOSURE,
)
REVISIONS = _table(
    "publication/revisions.parquet",
    "Revisions with reasons observed in the data: every country value a release of the published series changed, added or "
    "withdrew against the release before it, and every value of this run that differs from the latest release by more than "
    "the tolerance or was not in it; survey cells suppressed by disclosure control keep their row with new_value and "
    "difference_pp empty.",
    ("comparison", "old_vintage", "series", "ref_area", "year", "sex"),
    _REVISION_COLUMNS,
)
REVISIONS_UNMASKED = _table(
    "indicators/revisions_unmasked.parquet",
    "Internal (not published): the revisions listing before disclosure control, every new value shown, with the disclosure "
    "flags the published listing applies; for the report's authors reviewing revisions.",
    ("comparison", "old_vintage", "series", "ref_area", "year", "sex"),
    _REVISION_COLUMNS,
)

VALIDATION_RESULTS = _table(
    "publication/validation_results.parquet",
    "One row per expectation of every Great Expectations suite run on the publication tables.",
    (),  # a suite may hold two expectations of one class on one column (two bounds, two row conditions)
    (
        V("suite", "id", "Suite (schemas/gx_suites.py).", required=True),
        V("table", "id", "Table validated.", required=True),
        V("severity", "code", "ERROR or WARN.", codes=("ERROR", "WARN"), required=True),
        V("expectation", "id", "GX expectation class.", required=True),
        V("column", "id", "Column(s)."),
        V("success", "flag", "Passed.", required=True),
        V("element_count", "int", "Rows evaluated."),
        V("unexpected_count", "int", "Rows failing."),
        V("unexpected_sample", "id", "Sample of failing values (JSON)."),
        V("error", "id", "Exception raised by the expectation, if any."),
    ),
)

PUBLISHED_SDG = _table(
    "staging/published_sdg.parquet",
    "Published country series (every published source: UN SDG Global Database extracts reference/unsdg_<vintage>/ and the "
    "files of published/ in the UN SDG portal CSV, SDMX-CSV or ILOSTAT bulk layouts), long layout; every value with its "
    "nature, observation status, source and vintage. Areas that are not countries of reference/countries.csv (world, "
    "regions, ILOSTAT aggregates) are kept with an empty ref_area (area_kind other_area).",
    ("source_id", "series", "area_code", "year", "sex", "breakdown"),
    (
        V(
            "source_id",
            "id",
            "Published source: the extract folder (unsdg_<vintage>) or the file name of published/<id>.csv.",
            required=True,
        ),
        V(
            "layout",
            "code",
            "Layout read: unsdg_ddf, unsdg_csv, sdmx_csv or ilostat_csv.",
            codes=("unsdg_ddf", "unsdg_csv", "sdmx_csv", "ilostat_csv"),
            required=True,
        ),
        V(
            "vintage",
            "id",
            "Vintage of the source (extract folder name after unsdg_, or declared in published/sources.yaml).",
            required=True,
        ),
        V(
            "series",
            "id",
            "UN SDG series code, upper case (ILOSTAT indicators mapped by published_inputs.ilostat.series).",
            required=True,
        ),
        V(
            "area_code",
            "id",
            "The area code as published (M49 code, or the ILOSTAT ISO3 / X.. aggregate code).",
            required=True,
        ),
        V("m49", "int", "UN M49 code of the area (empty for ILOSTAT aggregates)."),
        V("ref_area", "id", "ISO3 of a country; empty for regions and other areas."),
        V("area_kind", "code", "country or other_area.", codes=("country", "other_area"), required=True),
        V("year", "int", "Year.", required=True),
        V("sex", "code", "T, F, M.", codes=SEX_TFM, required=True),
        V(
            "breakdown",
            "id",
            "T, or the non-total categories of other dimensions (quantile=q1, age=15_24), joined by ;.",
            required=True,
        ),
        V("value", "float", "Published value.", required=True),
        V("unit", "id", "Unit (PERCENT, INDEX...)."),
        V(
            "nature",
            "id",
            "UN SDG NATURE code (C country data, CA adjusted, E estimated, M modelled, G global monitoring, N aggregate).",
        ),
        V("obs_status", "id", "Observation status (absent before the 2023 extracts)."),
        V(
            "source_detail",
            "id",
            "Source as published (UN SDG Source / SOURCE_DETAIL, ILOSTAT source and note), or the extract.",
        ),
    ),
)

AGGREGATE_COMPARISON = _table(
    "publication/aggregate_comparison.parquet",
    "Every aggregate published in a published source (UN SDG extracts: world, M49 regions and subregions, SDG regions, LDC, "
    "LLDC, SIDS) against the pipeline's reproduction from the same source's country values (its line-up, imputation and "
    "weights, published values only), with the facts that explain a difference and, above comparison.explain_above_pp, the "
    "reason (docs/aggregate_comparison.md lists them).",
    ("source_id", "series", "year", "sex", "area_code"),
    (
        V("source_id", "id", "Published source of the aggregate and of the country values reproduced.", required=True),
        V("vintage", "id", "Its vintage.", required=True),
        _SERIES,
        V("year", "int", "Year of the aggregate.", required=True),
        V("sex", "code", "T, F, M.", codes=SEX_TFM, required=True),
        V("level", "id", "The pipeline's grouping level of the area (empty: not a grouping of the pipeline)."),
        V("region", "id", "The pipeline's group."),
        V("area_code", "id", "UN M49 code of the published area.", required=True),
        V("published_value", "float", "Published aggregate.", required=True),
        V(
            "reproduced_value",
            "float",
            "The pipeline's aggregate of the same source's country values (empty: not reproduced).",
        ),
        V("difference_pp", "float", "reproduced_value minus published_value (percentage points; 3.8.1: index points)."),
        V("n_countries", "int", "Countries in the group."),
        V("n_imputed", "int", "Countries imputed by the pipeline."),
        V("n_exact", "int", "Countries with a published value of that very year."),
        V("imputed_share", "float", "Share of the group's weight imputed (0-1)."),
        V("exact_share", "float", "Share of the group's weight with a published value of that year (0-1)."),
        V("feasible_min", "float", "Lowest aggregate possible from the year's published country values (others at 0)."),
        V("feasible_max", "float", "Highest aggregate possible from them (others at 100)."),
        V(
            "implied_imputed_mean",
            "float",
            "Weighted mean the published aggregate implies for the countries the pipeline imputes.",
        ),
        V("model_imputed_mean", "float", "Weighted mean the pipeline's imputation gives them."),
        V("unchanged_since", "id", "Oldest earlier vintage publishing the same aggregate with the same value."),
        V(
            "reason_code",
            "id",
            "Above the threshold: outside_feasible_range, unchanged_since_vintage, mostly_imputed, approximate_population, "
            "imputation_or_line_up, no_population, area_not_grouped (joined by ;).",
        ),
        V("explanation", "id", "The reason in words, with the numbers."),
    ),
)

RESOURCES = [
    COUNTRY_VALUES,
    COUNTRY_LINEUP,
    AGGREGATES,
    HEADLINE,
    ANNEX,
    GENDER_GAPS,
    NATIONALITY_GAPS,
    REVISIONS,
    REVISIONS_UNMASKED,
    VALIDATION_RESULTS,
    PUBLISHED_SDG,
    AGGREGATE_COMPARISON,
]


# The columns of publication/sdg_sdmx.csv: the UN SDG Global Database SDMX-CSV layout
# (written by engine/publication/sdmx.py).
SDMX_HEADER = (
    "DATAFLOW",
    "FREQ",
    "REPORTING_TYPE",
    "SERIES",
    "REF_AREA",
    "SEX",
    "AGE",
    "URBANISATION",
    "INCOME_WEALTH_QUANTILE",
    "EDUCATION_LEV",
    "OCCUPATION",
    "CUST_BREAKDOWN",
    "COMPOSITE_BREAKDOWN",
    "DISABILITY_STATUS",
    "ACTIVITY",
    "PRODUCT",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_STATUS",
    "UNIT_MULT",
    "UNIT_MEASURE",
    "BASE_PER",
    "NATURE",
    "TIME_DETAIL",
    "COMMENT_OBS",
    "TIME_COVERAGE",
    "UPPER_BOUND",
    "LOWER_BOUND",
    "SOURCE_DETAIL",
    "COMMENT_TS",
    "GEO_INFO_URL",
    "GEO_INFO_TYPE",
    "CUST_BREAKDOWN_LB",
    "DATA_LAST_UPDATE",
)
SDMX_DIMENSIONS = SDMX_HEADER[1:17]  # the dimensions in DSD order and TIME_PERIOD: the observation key
SDG_SDMX = Table(
    "publication/sdg_sdmx",
    "Every published value in the SDMX-CSV layout of the UN SDG Global Database (one row per observation; text, as "
    "the CSV holds it): DATAFLOW, the dimensions in DSD order with TIME_PERIOD (the observation key), the value and "
    "its attributes (engine/publication/sdmx.py).",
    tuple(
        V(
            column,
            "id",
            f"SDMX {'dimension' if column in SDMX_DIMENSIONS else 'attribute'} {column} (code list of the SDG DSD).",
            required=column in SDMX_DIMENSIONS,
        )
        for column in SDMX_HEADER
    ),
    primary_key=SDMX_DIMENSIONS,
    storage="csv",
)
RESOURCES.append(SDG_SDMX)
GROUPS_SDMX = Table(
    "publication/groups_sdmx",
    "SDMX-CSV extension file: coverage of the groups at risk and benefit levels in the UN SDG file's columns "
    "(SDMX_HEADER) under an extension dataflow (assets/publication/groups.py).",
    tuple(
        V(column, "id", f"SDMX {'dimension' if column in SDMX_DIMENSIONS else 'attribute'} {column}.")
        for column in SDMX_HEADER
    ),
    storage="csv",
)
SDMX_BREAKDOWN_HEADER = (
    "DATAFLOW",
    "FREQ",
    "SERIES",
    "REF_AREA",
    "SEX",
    "AGE",
    "AREA",
    "NATIONALITY",
    "QUINTILE",
    "HH_COMPOSITION",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_STATUS",
    "UNIT_MULT",
    "UNIT_MEASURE",
    "NATURE",
    "COMMENT_OBS",
    "UPPER_BOUND",
    "LOWER_BOUND",
    "SOURCE_DETAIL",
    "DATA_LAST_UPDATE",
)
SDG_SDMX_BREAKDOWNS = Table(
    "publication/sdg_sdmx_breakdowns",
    "The breakdowns the UN SDG layout lacks (nationality, area, quintile, household composition), SDMX-CSV with "
    "documented codes. Written by the publication/sdg_sdmx asset beside sdg_sdmx.csv (no asset of its own).",
    tuple(
        V(column, "id", f"SDMX column {column} (docs/publication.md lists the codes).")
        for column in SDMX_BREAKDOWN_HEADER
    ),
    storage="csv",
)
# Outputs that are not tables: their asset writes files.
OTHER_OUTPUTS = [
    Table(
        "publication/catalog",
        "DuckDB catalog: a view <layer>.<table> over every Parquet table of the configured layers and over the "
        "SDMX-CSV file (publication.sdg_sdmx), and main.catalog_tables listing them.",
        storage="other",
        file="publication/catalog.duckdb",
    ),
    Table(
        "publication/data_docs",
        "Great Expectations Data Docs of the publication suites (index.html).",
        storage="other",
        file="publication/data_docs",
    ),
    Table(
        "publication/figures",
        "Figures for the report (PNG, SVG and PDF): coverage by region and sex, the gender gap by series, the "
        "nationality gap where data exist.",
        storage="other",
        file="publication/figures",
    ),
    Table(
        "publication/groups_figures",
        "Coverage gap between informal and formal workers by sex, with 95% CIs (PNG, SVG and PDF).",
        storage="other",
        file="publication/figures/groups_at_risk",
    ),
    Table(
        "publication/report_tables",
        "Excel workbook of the headline table, the statistical annex and the aggregate comparison: one sheet per "
        "table, notes and sources under each table, numbers formatted.",
        storage="other",
        file="publication/report_tables.xlsx",
    ),
    Table(
        "raw/published_sdg",
        "Published country series as read (UN SDG extracts reference/unsdg_<vintage>/ and published/<id>.csv in the "
        "UN SDG portal CSV, SDMX-CSV or ILOSTAT bulk layout): every column as text, with source id, vintage, layout, "
        "file and row number.",
        as_read=True,
    ),
]
RESOURCES += [GROUPS_SDMX, SDG_SDMX_BREAKDOWNS, *OTHER_OUTPUTS]
