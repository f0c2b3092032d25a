-- Regional and global aggregates of the country indicators, with the imputation of countries
-- without data. Edition: config/methods/publication.yaml (UN SDG metadata 1.3.1, aggregation
-- and imputation, 2021 edition; UN SDG metadata 3.8.1 update 2023-01-24 and 3.8.2 update
-- 2023-05-15, population-weighted regional values; methodology notes 1.6, 2.2 and 3.4).
--
--   aggregate value = 100 * sum_c num_c / sum_c den_c over the countries c of the group (kept
--     within [min_c value_c, max_c value_c], where it lies but for rounding), where
--     weighting 'denominator' (SDG 1.3.1): den_c = the series' own denominator of the country
--        value, carried to the reference year T: den_c(T) = den_c(t) * P_c(T) / P_c(t), P the
--        population of the series' group (denominator_proxy), both sexes (one factor for every
--        sex of the value), t the observation year;
--     weighting 'population' (3.8.1, 3.8.2): den_c = P_c(T), the WPP total population;
--     num_c = value_c / 100 * den_c (the published, possibly capped, value).
--   The country value for T is one of a year in [T - window_years, T] (the family's window; 0: T
--   itself) or, only where there is none, of a year in (T, T + window_after_years]; among those
--   the preferred source kind (source_rank, per series), then the nearest year; every sex of that
--   source is used. Published country values (source kind 'published') carry no denominator:
--   the population of the series' group stands for it, den_c = P_c(T).
--   Where a value computed here (any other source kind) and a published value both exist for a
--   country and T, both are kept in the line-up with difference = computed - published (and the
--   SE of a survey value). Families with interpolation_years k > 0 (3.8.2, line-up of methodology
--   notes 3.4): without a value in T, value = v(t1) + (v(t2) - v(t1)) * (T - t1) / (t2 - t1), t1
--   the latest year before T and t2 the earliest after T with a value, both within k years
--   (status 'interpolated'; it counts as reported data for the shares).
--   A country-sex cell without one is imputed: value = median of the reporting countries'
--   values in the first imputation group of its family (level_rank order) with >= min_countries;
--   den = P_c(T) * median(den / P) of the same donors (1 for population weighting).
--   Sex coherence (sexes F and M aggregated, 1.3.1): when T is reported, imputed F/M cells share
--   the residual T - reported sexes in proportion to their imputed values (one missing sex gets
--   it exactly: status 'derived', imputation_level 'residual_of_total', the source and year of
--   the T cell); when T is not reported but a sex is, T is the sum of its sex cells
--   (imputation_level 'sum_of_sexes'; status 'derived' when all of them are reported, else
--   'imputed'); when nothing is reported, T is imputed from the countries reporting T and the
--   imputed sex cells are scaled to it (imputation_level 'scaled_to_imputed_total').
--   A series reported for one sex only (SI_COV_MATNL) has no T cell: its imputed sex cells keep
--   their group median. So every cell whose imputation_level is a group level holds that group's
--   median, within the range of its donors' values (checked by the suite lineup_imputation_range).
--   Identities (pub_identities, 3.8.2): part <= whole in every country cell (an imputed part
--   above its whole lowered to it, an imputed whole below a part that is not imputed raised to
--   it) and remainder = whole - part replacing the remainder's own cell, so that with one
--   denominator (population weighting) the aggregates satisfy them exactly.
--   Shares covered: denominator_share_reported = sum den (reported, interpolated or derived) / sum den;
--   population_share_reported = the same with the base population P.
-- Every relation is keyed by (family, vintage, series): values of different input vintages are
-- never combined (engine/publication/aggregates.py builds the vintage key).
-- The median is the middle value (mean of the two middle values) by ROW_NUMBER.
-- NULLs: GREATEST and LEAST skip NULL arguments (GREATEST(NULL, 0) = 0 in DuckDB and Spark), so
-- bounds over values that may be missing are written as CASE, which keeps them missing.
--
-- Inputs (registered by engine/publication/aggregates.py):
--   pub_obs(family, vintage, weighting, series, ref_area, year, sex, source_kind, source_id,
--           source_rank, value, numerator, denominator, se)   country values, breakdown totals
--   pub_ref_years(ref_year)
--   pub_persons(ref_area, year, sex, age_from, persons)       WPP, sex F/M, 5-year bands
--   pub_proxies(family, series, age_from, age_to, sex, rate_series, rate_breakdown)
--                                                             ages and sex standing for each series'
--                                                             denominator (null: open / both), and the
--                                                             published rate applied to them (or null)
--   pub_rates(series, breakdown, ref_area, year, sex, rate)   published rates of countries (percent)
--   pub_agg_groups(ref_area, year, level, region)
--   pub_imp_groups(family, ref_area, year, level_rank, level, region, min_countries)
--   pub_identities(family, whole, part, remainder)            remainder may be null
--   pub_families(family, window_years, window_after_years, interpolation_years)

-- name: pub_proxy_rates
-- Proxies with a rate (rate_series; SI_COV_UEMP: unemployed persons = the unemployment rate
-- SL_TLF_UEM of persons 15+ x the WPP population 15+): the published rate of each country, year
-- and sex of pub_persons: that year's, else the nearest year's (the earlier one on a tie), else
-- the mean rate of the countries that have one that year; a proxy without any rate keeps its
-- population (rate 100).
SELECT
    k.family, k.series, k.ref_area, k.year, k.sex,
    COALESCE(n.rate, m.mean_rate, 100.0) AS rate
FROM (
    SELECT DISTINCT x.family, x.series, x.rate_series, x.rate_breakdown, p.ref_area, p.year, p.sex
    FROM pub_proxies AS x
    CROSS JOIN (SELECT DISTINCT ref_area, year, sex FROM pub_persons) AS p
    WHERE x.rate_series IS NOT NULL
) AS k
LEFT JOIN (
    SELECT series, breakdown, ref_area, year, sex, rate
    FROM (
        SELECT
            r.series, r.breakdown, r.ref_area, y.year, r.sex, r.rate,
            ROW_NUMBER() OVER (
                PARTITION BY r.series, r.breakdown, r.ref_area, y.year, r.sex
                ORDER BY ABS(r.year - y.year), r.year
            ) AS rn
        FROM pub_rates AS r
        CROSS JOIN (SELECT DISTINCT year FROM pub_persons) AS y
    ) AS ranked
    WHERE rn = 1
) AS n
  ON n.series = k.rate_series AND n.breakdown = k.rate_breakdown AND n.ref_area = k.ref_area AND n.year = k.year AND n.sex = k.sex
LEFT JOIN (
    SELECT series, breakdown, year, sex, AVG(rate) AS mean_rate
    FROM pub_rates
    GROUP BY series, breakdown, year, sex
) AS m
  ON m.series = k.rate_series AND m.breakdown = k.rate_breakdown AND m.year = k.year AND m.sex = k.sex

-- name: pub_base_population_by_sex
-- P by sex: the WPP persons of the whole 5-year bands within [age_from, age_to] of the proxy's
-- sex, times the proxy's rate / 100 where it has one.
SELECT
    x.family, x.series, p.ref_area, p.year, p.sex,
    SUM(p.persons) * COALESCE(MAX(r.rate), 100.0) / 100.0 AS base_pop
FROM pub_proxies AS x
JOIN pub_persons AS p
  ON p.age_from >= x.age_from AND (x.age_to IS NULL OR p.age_from + 4 <= x.age_to) AND (x.sex IS NULL OR p.sex = x.sex)
LEFT JOIN pub_proxy_rates AS r
  ON r.family = x.family AND r.series = x.series AND r.ref_area = p.ref_area AND r.year = p.year AND r.sex = p.sex
GROUP BY x.family, x.series, p.ref_area, p.year, p.sex

-- name: pub_base_population
-- P: the population of each series' group, by sex and in total T (the sum of the sexes); with
-- the proxy's sex set, T is that sex's population and the other sex has no row.
SELECT family, series, ref_area, year, sex, base_pop FROM pub_base_population_by_sex
UNION ALL
SELECT family, series, ref_area, year, 'T' AS sex, SUM(base_pop) AS base_pop
FROM pub_base_population_by_sex
GROUP BY family, series, ref_area, year

-- name: pub_candidates
-- Sources with a value for a year in the window of each reference year: [T - window_years, T],
-- or (T, T + window_after_years] (after = true; used only where nothing is in the first part).
SELECT DISTINCT
    o.family, o.vintage, o.weighting, o.series, o.ref_area, r.ref_year,
    o.source_kind, o.source_id, o.source_rank, o.year, o.year > r.ref_year AS after
FROM pub_obs AS o
JOIN pub_families AS f ON f.family = o.family
JOIN pub_ref_years AS r
  ON o.year <= r.ref_year + f.window_after_years AND o.year >= r.ref_year - f.window_years

-- name: pub_chosen
SELECT family, vintage, weighting, series, ref_area, ref_year, source_kind, source_id, year
FROM (
    SELECT
        c.*,
        ROW_NUMBER() OVER (
            PARTITION BY c.family, c.vintage, c.series, c.ref_area, c.ref_year
            ORDER BY c.after, c.source_rank, ABS(c.year - c.ref_year), c.source_id
        ) AS rn
    FROM pub_candidates AS c
) AS ranked
WHERE rn = 1

-- name: pub_alternatives
-- Per country and reference year, the best candidate of each class, computed here (every source
-- kind but 'published') and published, by the same order as pub_chosen, with its cells by sex.
SELECT
    a.family, a.vintage, a.series, a.ref_area, a.ref_year, o.sex,
    MAX(CASE WHEN a.source_class = 'computed' THEN o.value END) AS computed_value,
    MAX(CASE WHEN a.source_class = 'computed' THEN o.se END) AS computed_se,
    MAX(CASE WHEN a.source_class = 'computed' THEN o.source_id END) AS computed_source_id,
    MAX(CASE WHEN a.source_class = 'computed' THEN o.year END) AS computed_obs_year,
    MAX(CASE WHEN a.source_class = 'published' THEN o.value END) AS published_value,
    MAX(CASE WHEN a.source_class = 'published' THEN o.source_id END) AS published_source_id,
    MAX(CASE WHEN a.source_class = 'published' THEN o.year END) AS published_obs_year
FROM (
    SELECT *
    FROM (
        SELECT
            c.*,
            CASE WHEN c.source_kind = 'published' THEN 'published' ELSE 'computed' END AS source_class,
            ROW_NUMBER() OVER (
                PARTITION BY c.family, c.vintage, c.series, c.ref_area, c.ref_year,
                             CASE WHEN c.source_kind = 'published' THEN 'published' ELSE 'computed' END
                ORDER BY c.after, c.source_rank, ABS(c.year - c.ref_year), c.source_id
            ) AS rn
        FROM pub_candidates AS c
    ) AS ranked
    WHERE rn = 1
) AS a
JOIN pub_obs AS o
  ON o.family = a.family AND o.vintage = a.vintage AND o.series = a.series
 AND o.ref_area = a.ref_area AND o.source_id = a.source_id AND o.year = a.year
GROUP BY a.family, a.vintage, a.series, a.ref_area, a.ref_year, o.sex

-- name: pub_observed
-- Reported cells (every sex of the chosen source), denominators carried to the reference year
-- with the growth of the group's total population (one factor for every sex, so that reported
-- sexes keep adding up to their total).
SELECT
    c.family, c.vintage, c.weighting, c.series, c.ref_year, o.ref_area, o.sex, 'reported' AS status,
    o.source_kind, o.source_id, o.year AS obs_year, o.value,
    b.base_pop,
    CASE
        WHEN c.weighting = 'population' OR o.denominator IS NULL THEN b.base_pop
        ELSE o.denominator * COALESCE(bt.base_pop / NULLIF(bo.base_pop, 0), 1)
    END AS den,
    CAST(NULL AS VARCHAR) AS imputation_level, CAST(NULL AS VARCHAR) AS imputation_group
FROM pub_chosen AS c
JOIN pub_obs AS o
  ON o.family = c.family AND o.vintage = c.vintage AND o.series = c.series
 AND o.ref_area = c.ref_area AND o.source_id = c.source_id AND o.year = c.year
JOIN pub_base_population AS b
  ON b.family = c.family AND b.series = c.series AND b.ref_area = o.ref_area
 AND b.year = c.ref_year AND b.sex = o.sex
LEFT JOIN pub_base_population AS bt
  ON bt.family = c.family AND bt.series = c.series AND bt.ref_area = o.ref_area
 AND bt.year = c.ref_year AND bt.sex = 'T'
LEFT JOIN pub_base_population AS bo
  ON bo.family = c.family AND bo.series = c.series AND bo.ref_area = o.ref_area
 AND bo.year = o.year AND bo.sex = 'T'
WHERE o.value IS NOT NULL

-- name: pub_year_sources
-- Families with interpolation_years > 0: the preferred source of each observation year.
SELECT family, vintage, weighting, series, ref_area, year, source_kind, source_id
FROM (
    SELECT
        o.family, o.vintage, o.weighting, o.series, o.ref_area, o.year, o.source_kind, o.source_id,
        ROW_NUMBER() OVER (
            PARTITION BY o.family, o.vintage, o.series, o.ref_area, o.year ORDER BY o.source_rank, o.source_id
        ) AS rn
    FROM pub_obs AS o
    JOIN pub_families AS f ON f.family = o.family AND f.interpolation_years > 0
) AS ranked
WHERE rn = 1

-- name: pub_brackets
-- Reference years without an observed value: the nearest observation years before and after,
-- both within interpolation_years (no bracket on one side: no interpolation).
SELECT
    y.family, y.vintage, y.weighting, y.series, y.ref_area, r.ref_year,
    MAX(CASE WHEN y.year < r.ref_year THEN y.year END) AS year_before,
    MIN(CASE WHEN y.year > r.ref_year THEN y.year END) AS year_after
FROM pub_year_sources AS y
JOIN pub_families AS f ON f.family = y.family
JOIN pub_ref_years AS r
  ON y.year >= r.ref_year - f.interpolation_years AND y.year <= r.ref_year + f.interpolation_years
LEFT JOIN pub_chosen AS c
  ON c.family = y.family AND c.vintage = y.vintage AND c.series = y.series AND c.ref_area = y.ref_area
 AND c.ref_year = r.ref_year
WHERE c.ref_area IS NULL
GROUP BY y.family, y.vintage, y.weighting, y.series, y.ref_area, r.ref_year
HAVING MAX(CASE WHEN y.year < r.ref_year THEN y.year END) IS NOT NULL
   AND MIN(CASE WHEN y.year > r.ref_year THEN y.year END) IS NOT NULL

-- name: pub_interpolated
-- value(T) = v_before + (v_after - v_before) * (T - year_before) / (year_after - year_before) for
-- every sex both years' sources have; den = the WPP population of T (population weighting).
SELECT
    b.family, b.vintage, b.weighting, b.series, b.ref_year, b.ref_area, ob.sex, 'interpolated' AS status,
    sb.source_kind, sb.source_id || ' + ' || sa.source_id AS source_id, b.year_before AS obs_year,
    ob.value + (oa.value - ob.value) * CAST(b.ref_year - b.year_before AS DOUBLE) / CAST(b.year_after - b.year_before AS DOUBLE) AS value,
    p.base_pop,
    p.base_pop AS den,
    'linear_interpolation' AS imputation_level,
    CAST(b.year_before AS VARCHAR) || '-' || CAST(b.year_after AS VARCHAR) AS imputation_group
FROM pub_brackets AS b
JOIN pub_year_sources AS sb
  ON sb.family = b.family AND sb.vintage = b.vintage AND sb.series = b.series AND sb.ref_area = b.ref_area
 AND sb.year = b.year_before
JOIN pub_year_sources AS sa
  ON sa.family = b.family AND sa.vintage = b.vintage AND sa.series = b.series AND sa.ref_area = b.ref_area
 AND sa.year = b.year_after
JOIN pub_obs AS ob
  ON ob.family = b.family AND ob.vintage = b.vintage AND ob.series = b.series AND ob.ref_area = b.ref_area
 AND ob.source_id = sb.source_id AND ob.year = b.year_before
JOIN pub_obs AS oa
  ON oa.family = b.family AND oa.vintage = b.vintage AND oa.series = b.series AND oa.ref_area = b.ref_area
 AND oa.source_id = sa.source_id AND oa.year = b.year_after AND oa.sex = ob.sex
JOIN pub_base_population AS p
  ON p.family = b.family AND p.series = b.series AND p.ref_area = b.ref_area AND p.year = b.ref_year AND p.sex = ob.sex

-- name: pub_sex_trios
-- Published values (no denominators) reported for T, F and M from one source and year. Their
-- numerators add up when the share of women in the denominator is the one the values imply,
-- s_F = (v_T - v_M) / (v_F - v_M): used where 0 < s_F < 1. Otherwise (T outside the range of its
-- sexes, or equal sexes) the published sexes are not a split of the published total: each keeps
-- the population of its group and both are shifted by the same amount, shift = v_T - (v_F P_F +
-- v_M P_M) / (P_F + P_M), so that they add up to the total and keep their difference; where a
-- shifted value would leave [0, 100], both take the value of the total.
SELECT
    family, vintage, series, ref_year, ref_area, v_t, den_t,
    CASE WHEN v_f <> v_m AND (v_t - v_m) / (v_f - v_m) > 0 AND (v_t - v_m) / (v_f - v_m) < 1 THEN (v_t - v_m) / (v_f - v_m) END AS share_f,
    v_t - (v_f * den_f + v_m * den_m) / (den_f + den_m) AS shift,
    v_f + v_t - (v_f * den_f + v_m * den_m) / (den_f + den_m) BETWEEN 0 AND 100
    AND v_m + v_t - (v_f * den_f + v_m * den_m) / (den_f + den_m) BETWEEN 0 AND 100 AS shift_in_range
FROM (
    SELECT
        family, vintage, series, ref_year, ref_area,
        MAX(CASE WHEN sex = 'T' THEN value END) AS v_t, MAX(CASE WHEN sex = 'F' THEN value END) AS v_f,
        MAX(CASE WHEN sex = 'M' THEN value END) AS v_m, MAX(CASE WHEN sex = 'T' THEN den END) AS den_t,
        MAX(CASE WHEN sex = 'F' THEN den END) AS den_f, MAX(CASE WHEN sex = 'M' THEN den END) AS den_m
    FROM pub_observed
    WHERE source_kind = 'published'
    GROUP BY family, vintage, series, ref_year, ref_area
    HAVING COUNT(DISTINCT sex) = 3
) AS trios
WHERE den_f + den_m > 0

-- name: pub_reported
-- The cells of countries with data in or around the reference year: observed (published sexes
-- made to add up to their total, pub_sex_trios: on the denominators their values imply, or
-- shifted, imputation_level shifted_to_published_total) or interpolated.
SELECT
    o.family, o.vintage, o.weighting, o.series, o.ref_year, o.ref_area, o.sex, o.status, o.source_kind, o.source_id, o.obs_year,
    CASE
        WHEN t.ref_area IS NULL OR o.sex = 'T' OR t.share_f IS NOT NULL THEN o.value
        WHEN t.shift_in_range THEN o.value + t.shift
        ELSE t.v_t
    END AS value,
    o.base_pop,
    CASE
        WHEN t.share_f IS NOT NULL AND o.sex = 'F' THEN t.den_t * t.share_f
        WHEN t.share_f IS NOT NULL AND o.sex = 'M' THEN t.den_t * (1 - t.share_f)
        ELSE o.den
    END AS den,
    CASE WHEN t.ref_area IS NOT NULL AND o.sex <> 'T' AND t.share_f IS NULL THEN 'shifted_to_published_total' ELSE o.imputation_level END AS imputation_level,
    o.imputation_group
FROM pub_observed AS o
LEFT JOIN pub_sex_trios AS t
  ON t.family = o.family AND t.vintage = o.vintage AND t.series = o.series AND t.ref_year = o.ref_year AND t.ref_area = o.ref_area
 AND o.source_kind = 'published'
UNION ALL
SELECT
    family, vintage, weighting, series, ref_year, ref_area, sex, status, source_kind, source_id, obs_year,
    value, base_pop, den, imputation_level, imputation_group
FROM pub_interpolated

-- name: pub_keys
SELECT DISTINCT family, vintage, weighting, series FROM pub_obs

-- name: pub_series_sexes
-- Sexes aggregated for each key besides T: those with reported values.
SELECT DISTINCT family, vintage, series, sex FROM pub_obs WHERE sex <> 'T'

-- name: pub_universe
-- Every country-sex cell of every key and reference year (countries with a WPP population).
SELECT k.family, k.vintage, k.weighting, k.series, r.ref_year, b.ref_area, s.sex, b.base_pop
FROM pub_keys AS k
CROSS JOIN pub_ref_years AS r
JOIN (
    SELECT family, vintage, series, 'T' AS sex FROM pub_keys
    UNION ALL
    SELECT family, vintage, series, sex FROM pub_series_sexes
) AS s
  ON s.family = k.family AND s.vintage = k.vintage AND s.series = k.series
JOIN pub_base_population AS b
  ON b.family = k.family AND b.series = k.series AND b.sex = s.sex AND b.year = r.ref_year

-- name: pub_donors [view]
SELECT
    d.family, d.vintage, d.series, d.ref_year, d.sex, g.level, g.region, d.ref_area,
    d.value, d.den / NULLIF(d.base_pop, 0) AS ratio
FROM pub_reported AS d
JOIN pub_imp_groups AS g ON g.family = d.family AND g.ref_area = d.ref_area AND g.year = d.ref_year

-- name: pub_donor_medians
SELECT
    v.family, v.vintage, v.series, v.ref_year, v.sex, v.level, v.region, v.n_donors,
    v.median_value, r.median_ratio
FROM (
    SELECT family, vintage, series, ref_year, sex, level, region,
           MAX(n) AS n_donors, AVG(value) AS median_value
    FROM (
        SELECT
            d.*,
            ROW_NUMBER() OVER (PARTITION BY family, vintage, series, ref_year, sex, level, region ORDER BY value, ref_area) AS rn,
            COUNT(*) OVER (PARTITION BY family, vintage, series, ref_year, sex, level, region) AS n
        FROM pub_donors AS d
    ) AS ranked
    WHERE rn IN (FLOOR((n + 1) / 2), FLOOR((n + 2) / 2))
    GROUP BY family, vintage, series, ref_year, sex, level, region
) AS v
JOIN (
    SELECT family, vintage, series, ref_year, sex, level, region, AVG(ratio) AS median_ratio
    FROM (
        SELECT
            d.*,
            ROW_NUMBER() OVER (PARTITION BY family, vintage, series, ref_year, sex, level, region ORDER BY ratio, ref_area) AS rn,
            COUNT(*) OVER (PARTITION BY family, vintage, series, ref_year, sex, level, region) AS n
        FROM pub_donors AS d
        WHERE ratio IS NOT NULL
    ) AS ranked
    WHERE rn IN (FLOOR((n + 1) / 2), FLOOR((n + 2) / 2))
    GROUP BY family, vintage, series, ref_year, sex, level, region
) AS r
  ON r.family = v.family AND r.vintage = v.vintage AND r.series = v.series AND r.ref_year = v.ref_year
 AND r.sex = v.sex AND r.level = v.level AND r.region = v.region

-- name: pub_imputed
-- Cells without a reported value: the median of the first group with enough donors.
SELECT
    family, vintage, weighting, series, ref_year, ref_area, sex, base_pop,
    median_value AS value,
    CASE WHEN weighting = 'population' THEN base_pop ELSE base_pop * median_ratio END AS den,
    level AS imputation_level, region AS imputation_group, n_donors AS imputation_donors
FROM (
    SELECT
        u.*, m.median_value, m.median_ratio, m.level, m.region, m.n_donors,
        ROW_NUMBER() OVER (
            PARTITION BY u.family, u.vintage, u.series, u.ref_year, u.ref_area, u.sex
            ORDER BY g.level_rank
        ) AS rn
    FROM pub_universe AS u
    LEFT JOIN pub_reported AS r
      ON r.family = u.family AND r.vintage = u.vintage AND r.series = u.series
     AND r.ref_year = u.ref_year AND r.ref_area = u.ref_area AND r.sex = u.sex
    JOIN pub_imp_groups AS g ON g.family = u.family AND g.ref_area = u.ref_area AND g.year = u.ref_year
    JOIN pub_donor_medians AS m
      ON m.family = u.family AND m.vintage = u.vintage AND m.series = u.series
     AND m.ref_year = u.ref_year AND m.sex = u.sex AND m.level = g.level AND m.region = g.region
    WHERE r.ref_area IS NULL AND m.n_donors >= g.min_countries
) AS ranked
WHERE rn = 1

-- name: pub_cells
SELECT
    family, vintage, weighting, series, ref_year, ref_area, sex, status,
    source_kind, source_id, obs_year, value, base_pop, value / 100 * den AS num, den,
    imputation_level, imputation_group, CAST(NULL AS BIGINT) AS imputation_donors
FROM pub_reported
UNION ALL
SELECT
    family, vintage, weighting, series, ref_year, ref_area, sex, 'imputed' AS status,
    CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS BIGINT), value, base_pop,
    value / 100 * den AS num, den, imputation_level, imputation_group, imputation_donors
FROM pub_imputed

-- name: pub_sex_summary
-- Per country: the T cell and the totals of its sex cells, by status.
SELECT
    c.family, c.vintage, c.series, c.ref_year, c.ref_area,
    MAX(CASE WHEN c.sex = 'T' THEN c.status END) AS t_status,
    MAX(CASE WHEN c.sex = 'T' THEN c.source_kind END) AS t_source_kind,
    MAX(CASE WHEN c.sex = 'T' THEN c.source_id END) AS t_source_id,
    MAX(CASE WHEN c.sex = 'T' THEN c.obs_year END) AS t_obs_year,
    SUM(CASE WHEN c.sex = 'T' THEN c.num END) AS t_num,
    SUM(CASE WHEN c.sex = 'T' THEN c.den END) AS t_den,
    COALESCE(SUM(CASE WHEN c.sex <> 'T' AND c.status = 'reported' THEN c.num END), 0) AS rep_num,
    COALESCE(SUM(CASE WHEN c.sex <> 'T' AND c.status = 'reported' THEN c.den END), 0) AS rep_den,
    SUM(CASE WHEN c.sex <> 'T' AND c.status = 'imputed' THEN c.num END) AS imp_num,
    SUM(CASE WHEN c.sex <> 'T' AND c.status = 'imputed' THEN c.den END) AS imp_den,
    SUM(CASE WHEN c.sex <> 'T' AND c.status = 'imputed' THEN 1 ELSE 0 END) AS n_sex_imputed,
    SUM(CASE WHEN c.sex <> 'T' AND c.status = 'reported' THEN 1 ELSE 0 END) AS n_sex_reported,
    SUM(CASE WHEN c.sex <> 'T' THEN 1 ELSE 0 END) AS n_sex,
    MAX(n.n_series_sexes) AS n_series_sexes
FROM pub_cells AS c
JOIN (
    SELECT family, vintage, series, COUNT(*) AS n_series_sexes
    FROM pub_series_sexes GROUP BY family, vintage, series
) AS n
  ON n.family = c.family AND n.vintage = c.vintage AND n.series = c.series
GROUP BY c.family, c.vintage, c.series, c.ref_year, c.ref_area

-- name: pub_sex_cells
-- F and M cells; imputed ones take their share of the residual of a reported T (a single missing
-- sex is derived from the T cell's source: its source and year are those of the T cell; several
-- share it: imputation_level residual_of_total_split, the group whose medians set the shares
-- kept). A country without any reported cell has its T imputed from the countries reporting T
-- (more of them than report by sex): its imputed sex cells are brought to that T
-- (imputation_level scaled_to_imputed_total). Sharing: each imputed sex keeps its group
-- population's share of the residual denominator, and its imputed value is shifted by the
-- residual's value minus the imputed cells' mean value, so that the cells add up to the total and
-- the donors' difference between the sexes is kept; where a shifted value would leave [0, 100],
-- every imputed sex of the country takes the residual's value instead (bounded to [0, 100]). Without a T with a numerator and a denominator (rescale false,
-- never null) an imputed cell keeps its own value. The residual is floored at 0 by CASE, not
-- GREATEST: GREATEST(NULL, 0) is 0 in DuckDB and Spark.
SELECT
    c.family, c.vintage, c.weighting, c.series, c.ref_year, c.ref_area, c.sex,
    CASE WHEN c.derive THEN 'derived' WHEN c.rescale THEN 'imputed' ELSE c.status END AS status,
    CASE WHEN c.derive THEN s.t_source_kind ELSE c.source_kind END AS source_kind,
    CASE WHEN c.derive THEN s.t_source_id ELSE c.source_id END AS source_id,
    CASE WHEN c.derive THEN s.t_obs_year ELSE c.obs_year END AS obs_year,
    c.base_pop,
    CASE
        WHEN NOT c.rescale THEN c.num
        WHEN c.in_range THEN c.shifted * c.res_den * c.den / s.imp_den
        ELSE (
            CASE WHEN c.res_mean < 0 THEN 0 WHEN c.res_mean > 1 THEN 1 ELSE c.res_mean END
        ) * c.res_den * c.den / s.imp_den
    END AS num,
    CASE WHEN NOT c.rescale THEN c.den ELSE c.res_den * c.den / s.imp_den END AS den,
    CASE
        WHEN c.derive THEN 'residual_of_total'
        WHEN c.rescale AND s.t_status = 'imputed' THEN 'scaled_to_imputed_total'
        WHEN c.rescale THEN 'residual_of_total_split'
        ELSE c.imputation_level
    END AS imputation_level,
    CASE WHEN c.derive THEN CAST(NULL AS VARCHAR) ELSE c.imputation_group END AS imputation_group,
    CASE WHEN c.derive THEN CAST(NULL AS BIGINT) ELSE c.imputation_donors END AS imputation_donors
FROM (
    SELECT
        c.*,
        -- every shifted imputed cell of the country within [0, 1]: else all take the residual's mean
        COALESCE(MIN(CASE WHEN c.rescale THEN c.shifted END) OVER (PARTITION BY c.family, c.vintage, c.series, c.ref_year, c.ref_area) >= 0
                 AND MAX(CASE WHEN c.rescale THEN c.shifted END) OVER (PARTITION BY c.family, c.vintage, c.series, c.ref_year, c.ref_area) <= 1,
                 FALSE) AS in_range
    FROM (
        SELECT
            c.*,
            COALESCE(
                s.t_num IS NOT NULL AND s.t_den IS NOT NULL AND c.status = 'imputed' AND s.n_sex = s.n_series_sexes AND s.imp_den > 0
                AND (s.t_status = 'reported' OR (s.t_status = 'imputed' AND s.n_sex_reported = 0)),
                FALSE
            ) AS rescale,
            COALESCE(
                s.t_num IS NOT NULL AND s.t_den IS NOT NULL AND c.status = 'imputed' AND s.n_sex = s.n_series_sexes AND s.imp_den > 0
                AND s.t_status = 'reported' AND s.n_sex_imputed = 1,
                FALSE
            ) AS derive,
            -- the residual denominator, its mean value, and the imputed value shifted by the
            -- residual's mean minus the imputed cells' mean (fractions): the donors' difference
            -- between the sexes is kept
            CASE WHEN s.t_den < s.rep_den THEN 0 ELSE s.t_den - s.rep_den END AS res_den,
            (CASE WHEN s.t_num < s.rep_num THEN 0 ELSE s.t_num - s.rep_num END)
            / NULLIF(CASE WHEN s.t_den < s.rep_den THEN 0 ELSE s.t_den - s.rep_den END, 0) AS res_mean,
            c.num / NULLIF(c.den, 0)
            + (CASE WHEN s.t_num < s.rep_num THEN 0 ELSE s.t_num - s.rep_num END)
              / NULLIF(CASE WHEN s.t_den < s.rep_den THEN 0 ELSE s.t_den - s.rep_den END, 0)
            - s.imp_num / NULLIF(s.imp_den, 0) AS shifted
        FROM pub_cells AS c
        JOIN pub_sex_summary AS s
          ON s.family = c.family AND s.vintage = c.vintage AND s.series = c.series
         AND s.ref_year = c.ref_year AND s.ref_area = c.ref_area
        WHERE c.sex <> 'T'
    ) AS c
) AS c
JOIN pub_sex_summary AS s
  ON s.family = c.family AND s.vintage = c.vintage AND s.series = c.series
 AND s.ref_year = c.ref_year AND s.ref_area = c.ref_area

-- name: pub_total_cells
-- T cells: reported as they are; otherwise the sum of the sex cells when every aggregated sex
-- has one, else the imputed T cell.
SELECT
    k.family, k.vintage, k.weighting, k.series, k.ref_year, k.ref_area, 'T' AS sex,
    CASE
        WHEN k.t_status = 'reported' THEN 'reported'
        WHEN k.from_sexes AND k.n_sex_imputed = 0 THEN 'derived'
        WHEN k.from_sexes THEN 'imputed'
        ELSE t.status
    END AS status,
    t.source_kind, t.source_id, t.obs_year,
    COALESCE(t.base_pop, k.sex_base_pop) AS base_pop,
    CASE WHEN k.from_sexes THEN k.sex_num ELSE t.num END AS num,
    CASE WHEN k.from_sexes THEN k.sex_den ELSE t.den END AS den,
    CASE WHEN k.from_sexes THEN 'sum_of_sexes' ELSE t.imputation_level END AS imputation_level,
    CASE WHEN k.from_sexes THEN CAST(NULL AS VARCHAR) ELSE t.imputation_group END AS imputation_group,
    CASE WHEN k.from_sexes THEN CAST(NULL AS BIGINT) ELSE t.imputation_donors END AS imputation_donors
FROM (
    SELECT
        s.family, s.vintage, w.weighting, s.series, s.ref_year, s.ref_area, s.t_status,
        (s.n_sex > 0 AND s.n_sex = s.n_series_sexes
         AND (s.t_status IS NULL OR (s.t_status <> 'reported' AND s.n_sex_reported > 0))) AS from_sexes,
        s.n_sex_imputed,
        x.sex_num, x.sex_den, x.sex_base_pop
    FROM pub_sex_summary AS s
    JOIN pub_keys AS w ON w.family = s.family AND w.vintage = s.vintage AND w.series = s.series
    LEFT JOIN (
        SELECT family, vintage, series, ref_year, ref_area,
               SUM(num) AS sex_num, SUM(den) AS sex_den, SUM(base_pop) AS sex_base_pop
        FROM pub_sex_cells
        GROUP BY family, vintage, series, ref_year, ref_area
    ) AS x
      ON x.family = s.family AND x.vintage = s.vintage AND x.series = s.series
     AND x.ref_year = s.ref_year AND x.ref_area = s.ref_area
) AS k
LEFT JOIN pub_cells AS t
  ON t.family = k.family AND t.vintage = k.vintage AND t.series = k.series
 AND t.ref_year = k.ref_year AND t.ref_area = k.ref_area AND t.sex = 'T'
UNION ALL
-- keys without aggregated sexes (population weighting, or no sex rows): T cells as they are
SELECT
    c.family, c.vintage, c.weighting, c.series, c.ref_year, c.ref_area, 'T' AS sex, c.status,
    c.source_kind, c.source_id, c.obs_year, c.base_pop, c.num, c.den,
    c.imputation_level, c.imputation_group, c.imputation_donors
FROM pub_cells AS c
LEFT JOIN (SELECT DISTINCT family, vintage, series FROM pub_series_sexes) AS x
  ON x.family = c.family AND x.vintage = c.vintage AND x.series = c.series
WHERE c.sex = 'T' AND x.series IS NULL

-- name: pub_country_cells
SELECT * FROM (
    SELECT * FROM pub_sex_cells
    UNION ALL
    SELECT * FROM pub_total_cells
) AS cells
WHERE den IS NOT NULL

-- name: pub_bounded
-- Identities part <= whole (pub_identities): an imputed part above its whole is lowered to the
-- whole's value; an imputed whole below a part that is not imputed is raised to the part's.
SELECT
    family, vintage, weighting, series, ref_year, ref_area, sex, status,
    source_kind, source_id, obs_year, base_pop,
    CASE WHEN lower_part THEN w_num * den / w_den WHEN raise_whole THEN p_num * den / p_den ELSE num END AS num,
    den,
    CASE
        WHEN lower_part THEN 'capped at ' || w_series
        WHEN raise_whole THEN 'raised to ' || p_series
        ELSE imputation_level
    END AS imputation_level,
    imputation_group, imputation_donors
FROM (
    SELECT
        c.*,
        w.series AS w_series, w.num AS w_num, w.den AS w_den,
        p.series AS p_series, p.num AS p_num, p.den AS p_den,
        COALESCE(c.status = 'imputed' AND w.den > 0 AND c.num * w.den > w.num * c.den, FALSE) AS lower_part,
        COALESCE(c.status = 'imputed' AND p.status <> 'imputed' AND p.den > 0 AND p.num * c.den > c.num * p.den, FALSE) AS raise_whole
    FROM pub_country_cells AS c
    LEFT JOIN pub_identities AS iw ON iw.family = c.family AND iw.part = c.series
    LEFT JOIN pub_country_cells AS w
      ON w.family = c.family AND w.vintage = c.vintage AND w.series = iw.whole AND w.ref_year = c.ref_year
     AND w.ref_area = c.ref_area AND w.sex = c.sex
    LEFT JOIN pub_identities AS ip ON ip.family = c.family AND ip.whole = c.series
    LEFT JOIN pub_country_cells AS p
      ON p.family = c.family AND p.vintage = c.vintage AND p.series = ip.part AND p.ref_year = c.ref_year
     AND p.ref_area = c.ref_area AND p.sex = c.sex
) AS bounded

-- name: pub_remainders
-- remainder = whole - part (the value of the whole minus the value of the part, on the whole's
-- denominator) for every country cell that has both; status reported when both come from the
-- same source and year, derived when neither is imputed, else imputed.
SELECT
    family, vintage, weighting, series, ref_year, ref_area, sex,
    CASE
        WHEN same_source THEN w_status
        WHEN w_status <> 'imputed' AND p_status <> 'imputed' THEN 'derived'
        ELSE 'imputed'
    END AS status,
    CASE WHEN same_source THEN source_kind END AS source_kind,
    CASE WHEN same_source THEN source_id END AS source_id,
    CASE WHEN same_source THEN obs_year END AS obs_year,
    base_pop, num, den,
    CASE WHEN same_source THEN CAST(NULL AS VARCHAR) ELSE whole || ' - ' || part END AS imputation_level,
    CAST(NULL AS VARCHAR) AS imputation_group,
    CAST(NULL AS BIGINT) AS imputation_donors
FROM (
    SELECT
        w.family, w.vintage, w.weighting, i.remainder AS series, w.ref_year, w.ref_area, w.sex,
        w.status AS w_status, p.status AS p_status, w.source_kind, w.source_id, w.obs_year, w.base_pop,
        w.num - p.num * w.den / p.den AS num, w.den, i.whole, i.part,
        COALESCE(w.status <> 'imputed' AND w.status = p.status AND w.source_id = p.source_id AND w.obs_year = p.obs_year, FALSE) AS same_source
    FROM pub_identities AS i
    JOIN pub_bounded AS w ON w.family = i.family AND w.series = i.whole
    JOIN pub_bounded AS p
      ON p.family = w.family AND p.vintage = w.vintage AND p.series = i.part AND p.ref_year = w.ref_year
     AND p.ref_area = w.ref_area AND p.sex = w.sex
    WHERE i.remainder IS NOT NULL AND p.den > 0
) AS pairs

-- name: pub_lineup
-- Country x reference year values entering the aggregates, with their status: the bounded
-- cells, a remainder's own cell replaced where it is derived from its whole and part; and the
-- computed and published alternatives of the cell with their difference.
SELECT
    cells.family, cells.vintage, cells.weighting, cells.series, cells.ref_year, cells.ref_area, cells.sex, cells.status,
    cells.source_kind, cells.source_id, cells.obs_year,
    CASE WHEN cells.den > 0 THEN 100 * (cells.num / cells.den) END AS value,  -- (100 * x) / x is not always 100
    cells.num AS numerator, cells.den AS denominator, cells.base_pop,
    cells.imputation_level, cells.imputation_group, cells.imputation_donors,
    a.computed_value, a.computed_se, a.computed_source_id, a.computed_obs_year,
    a.published_value, a.published_source_id, a.published_obs_year,
    a.computed_value - a.published_value AS difference_pp,
    CASE WHEN a.published_value IS NOT NULL THEN a.computed_se END AS difference_se
FROM (
    SELECT b.*
    FROM pub_bounded AS b
    LEFT JOIN pub_remainders AS r
      ON r.family = b.family AND r.vintage = b.vintage AND r.series = b.series AND r.ref_year = b.ref_year
     AND r.ref_area = b.ref_area AND r.sex = b.sex
    WHERE r.series IS NULL
    UNION ALL
    SELECT * FROM pub_remainders
) AS cells
LEFT JOIN pub_alternatives AS a
  ON a.family = cells.family AND a.vintage = cells.vintage AND a.series = cells.series AND a.ref_year = cells.ref_year
 AND a.ref_area = cells.ref_area AND a.sex = cells.sex

-- name: pub_aggregates
SELECT
    l.family, l.vintage, l.weighting, l.series, g.level, g.region, l.ref_year AS year, l.sex,
    -- a denominator-weighted mean lies within the range of its country values: the bounds only
    -- remove floating-point excess (a group of countries all at 100 summed to 100 + 1.4e-14);
    -- CASE, not GREATEST / LEAST, which skip NULLs: an empty ratio stays empty
    CASE
        WHEN 100 * (SUM(l.numerator) / SUM(l.denominator)) < MIN(l.value) THEN MIN(l.value)
        WHEN 100 * (SUM(l.numerator) / SUM(l.denominator)) > MAX(l.value) THEN MAX(l.value)
        ELSE 100 * (SUM(l.numerator) / SUM(l.denominator))
    END AS value,
    SUM(l.numerator) AS numerator,
    SUM(l.denominator) AS denominator,
    SUM(CASE WHEN l.status <> 'imputed' THEN l.denominator ELSE 0 END) / SUM(l.denominator) AS denominator_share_reported,
    SUM(CASE WHEN l.status <> 'imputed' THEN l.base_pop ELSE 0 END) / NULLIF(SUM(l.base_pop), 0) AS population_share_reported,
    SUM(l.base_pop) AS population,
    COUNT(*) AS n_countries,
    SUM(CASE WHEN l.status = 'reported' THEN 1 ELSE 0 END) AS n_reported,
    SUM(CASE WHEN l.status = 'derived' THEN 1 ELSE 0 END) AS n_derived,
    SUM(CASE WHEN l.status = 'interpolated' THEN 1 ELSE 0 END) AS n_interpolated,
    SUM(CASE WHEN l.status = 'imputed' THEN 1 ELSE 0 END) AS n_imputed
FROM pub_lineup AS l
JOIN pub_agg_groups AS g ON g.ref_area = l.ref_area AND g.year = l.ref_year
GROUP BY l.family, l.vintage, l.weighting, l.series, g.level, g.region, l.ref_year, l.sex
HAVING SUM(l.denominator) > 0
