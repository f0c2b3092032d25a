-- SDG 3.8.1 UHC service coverage index (SCI), country-year values and population-weighted
-- regional values. Editions: config/methods/sdg_3_8_1.yaml (UN SDG metadata 3.8.1, metadata
-- update 2023-01-24; Hogan et al. 2018 for the 2017 edition).
--
--   rescaled tracer  t = clamp(r(x), clamp_min, clamp_max) with r per tracer (uhc_rules):
--                        natural       r = x
--                        linear        r = 100 (x' - min) / (max - min), x' = 100 - x for non-use,
--                                      or r = 100 (max - x) / (max - min) when lower is better
--                        capped_ratio  r = min(100, 100 x / threshold)
--   composite tracer = exp(avg(ln t_k)) over its components (health workforce)
--   category C       = exp(avg(ln t)) over its tracers (bed nets only for high malaria burden)
--   SCI              = (C_rmnch * C_id * C_ncd * C_cap)^(1/4) = exp(avg(ln C))
--   region           = sum(pop * SCI) / sum(pop) over the group's countries with an SCI
-- A mean lies within [min, max] of what it averages: each geometric mean is kept there, which
-- only removes floating-point excess (exp(avg(ln(100))) = 100.00000000000004, above the
-- [1, 100] range of the index), and so is each population-weighted regional mean.
--
-- Gap filling of the input value x, per country, indicator and year y (before rescaling):
--   observed in y -> observed; between observed years a < y < b -> x_a + (x_b - x_a)(y - a)/(b - a)
--   (interpolated); after the last observed year -> carried_forward; before the first ->
--   carried_back (if configured); no value in any year -> median of the same indicator and year
--   over the first grouping level with enough reporting countries (regional_median); else missing.
-- The median is the middle value (mean of the two middle values) by ROW_NUMBER, not quantile_cont.
--
-- Inputs (registered by engine/sdg_3_8_1.py):
--   uhc_obs(indicator, country, year, value)            validated tracer values
--   uhc_rules(indicator, tracer, category, category_order, tracer_order, component_order,
--             method, lo, hi, non_use, lower_is_better, threshold, high_burden_only)
--   uhc_burden(country, high_burden), uhc_years(year)
--   uhc_median_groups(country, level_rank, level, group_name, min_countries)
--   uhc_population(country, year, population), uhc_aggregate_groups(country, level, group_name)
--   params(clamp_min, clamp_max, carry_forward, carry_back, interpolate, median_observed_only,
--          unlisted_high_burden, method_edition)

-- name: uhc_country_set
-- Countries with at least one value of an indicator the edition uses.
SELECT DISTINCT
    o.country,
    COALESCE(b.high_burden, p.unlisted_high_burden) AS high_burden
FROM uhc_obs AS o
JOIN uhc_rules AS r ON r.indicator = o.indicator
LEFT JOIN uhc_burden AS b ON b.country = o.country
CROSS JOIN params AS p

-- name: uhc_expected
-- Country x indicator pairs the index needs.
SELECT
    c.country, c.high_burden, r.indicator, r.tracer, r.category, r.category_order, r.tracer_order,
    r.component_order, r.method, r.lo, r.hi, r.non_use, r.lower_is_better, r.threshold
FROM uhc_country_set AS c
CROSS JOIN uhc_rules AS r
WHERE c.high_burden OR NOT r.high_burden_only

-- name: uhc_used_obs
SELECT o.indicator, o.country, o.year, o.value
FROM uhc_obs AS o
JOIN uhc_expected AS e ON e.country = o.country AND e.indicator = o.indicator

-- name: uhc_grid
SELECT e.country, e.indicator, y.year
FROM uhc_expected AS e
CROSS JOIN uhc_years AS y

-- name: uhc_brackets
-- Nearest observed years at or before, and at or after, each year (pairs with any data only).
SELECT
    g.country, g.indicator, g.year,
    MAX(CASE WHEN o.year <= g.year THEN o.year END) AS prev_year,
    MIN(CASE WHEN o.year >= g.year THEN o.year END) AS next_year
FROM uhc_grid AS g
JOIN uhc_used_obs AS o ON o.country = g.country AND o.indicator = g.indicator
GROUP BY g.country, g.indicator, g.year

-- name: uhc_country_filled
SELECT
    country, indicator, year, imputation,
    CASE imputation
        WHEN 'observed' THEN prev_value
        WHEN 'interpolated' THEN prev_value + (next_value - prev_value)
            * CAST(year - prev_year AS DOUBLE) / CAST(next_year - prev_year AS DOUBLE)
        WHEN 'carried_forward' THEN prev_value
        WHEN 'carried_back' THEN next_value
    END AS value,
    CASE WHEN imputation IN ('observed', 'interpolated', 'carried_forward') THEN prev_year
         WHEN imputation = 'carried_back' THEN next_year END AS from_year,
    CASE WHEN imputation IN ('observed', 'interpolated', 'carried_back') THEN next_year
         WHEN imputation = 'carried_forward' THEN prev_year END AS to_year
FROM (
    SELECT
        b.country, b.indicator, b.year, b.prev_year, b.next_year,
        pv.value AS prev_value, nv.value AS next_value,
        CASE
            WHEN b.prev_year = b.year THEN 'observed'
            WHEN b.prev_year IS NOT NULL AND b.next_year IS NOT NULL AND p.interpolate THEN 'interpolated'
            WHEN b.prev_year IS NOT NULL AND b.next_year IS NULL AND p.carry_forward THEN 'carried_forward'
            WHEN b.prev_year IS NULL AND b.next_year IS NOT NULL AND p.carry_back THEN 'carried_back'
        END AS imputation
    FROM uhc_brackets AS b
    LEFT JOIN uhc_used_obs AS pv ON pv.country = b.country AND pv.indicator = b.indicator AND pv.year = b.prev_year
    LEFT JOIN uhc_used_obs AS nv ON nv.country = b.country AND nv.indicator = b.indicator AND nv.year = b.next_year
    CROSS JOIN params AS p
) AS x

-- name: uhc_median_values [view]
-- Reporting countries' values per indicator, year and group, ranked.
SELECT
    f.indicator, f.year, g.level_rank, g.level, g.group_name, g.min_countries, f.value,
    ROW_NUMBER() OVER (PARTITION BY f.indicator, f.year, g.level_rank, g.group_name ORDER BY f.value, f.country) AS rn,
    COUNT(*) OVER (PARTITION BY f.indicator, f.year, g.level_rank, g.group_name) AS n
FROM uhc_country_filled AS f
JOIN uhc_median_groups AS g ON g.country = f.country
CROSS JOIN params AS p
WHERE f.value IS NOT NULL AND (f.imputation = 'observed' OR NOT p.median_observed_only)

-- name: uhc_group_medians
-- Median = the middle value (n odd) or the mean of the two middle values (n even): 2 rn in [n, n + 2].
SELECT
    indicator, year, level_rank, level, group_name, min_countries,
    MAX(n) AS n_countries,
    AVG(value) AS median
FROM uhc_median_values
WHERE 2 * rn BETWEEN n AND n + 2
GROUP BY indicator, year, level_rank, level, group_name, min_countries

-- name: uhc_regional_fill
-- Country-indicator pairs without any value: the median of the first level with enough countries.
SELECT country, indicator, year, level, group_name, n_countries, median AS value
FROM (
    SELECT
        g.country, g.indicator, g.year, m.level, m.group_name, m.n_countries, m.median,
        ROW_NUMBER() OVER (PARTITION BY g.country, g.indicator, g.year ORDER BY m.level_rank) AS pick
    FROM uhc_grid AS g
    LEFT JOIN uhc_brackets AS b ON b.country = g.country AND b.indicator = g.indicator AND b.year = g.year
    JOIN uhc_median_groups AS cg ON cg.country = g.country
    JOIN uhc_group_medians AS m
        ON m.indicator = g.indicator AND m.year = g.year AND m.level_rank = cg.level_rank AND m.group_name = cg.group_name
    WHERE b.country IS NULL AND m.n_countries >= m.min_countries
) AS x
WHERE pick = 1

-- name: uhc_values
SELECT
    g.country, g.year, e.category, e.category_order, e.tracer, e.tracer_order, e.component_order,
    g.indicator, e.method, e.lo, e.hi, e.non_use, e.lower_is_better, e.threshold,
    COALESCE(f.value, r.value) AS raw_value,
    CASE
        WHEN f.imputation IS NOT NULL THEN f.imputation
        WHEN r.value IS NOT NULL THEN 'regional_median'
        ELSE 'missing'
    END AS imputation,
    f.from_year, f.to_year,
    CASE WHEN r.value IS NOT NULL THEN r.level || ':' || r.group_name END AS imputation_group,
    r.n_countries AS imputation_group_countries
FROM uhc_grid AS g
JOIN uhc_expected AS e ON e.country = g.country AND e.indicator = g.indicator
LEFT JOIN uhc_country_filled AS f ON f.country = g.country AND f.indicator = g.indicator AND f.year = g.year
LEFT JOIN uhc_regional_fill AS r ON r.country = g.country AND r.indicator = g.indicator AND r.year = g.year

-- name: uhc_rescaled
SELECT
    s.*,
    CASE WHEN s.scaled IS NOT NULL THEN GREATEST(p.clamp_min, LEAST(COALESCE(p.clamp_max, s.scaled), s.scaled)) END AS rescaled_value
FROM (
    SELECT
        v.*,
        CASE v.method
            WHEN 'natural' THEN v.raw_value
            WHEN 'linear' THEN 100.0 * (CASE
                WHEN v.lower_is_better THEN v.hi - (CASE WHEN v.non_use THEN 100.0 - v.raw_value ELSE v.raw_value END)
                ELSE (CASE WHEN v.non_use THEN 100.0 - v.raw_value ELSE v.raw_value END) - v.lo
            END) / (v.hi - v.lo)
            -- CASE, not LEAST: LEAST(100, NULL) is 100, which made a missing density 100
            WHEN 'capped_ratio' THEN CASE WHEN v.raw_value >= v.threshold THEN 100.0 ELSE 100.0 * v.raw_value / v.threshold END
        END AS scaled
    FROM uhc_values AS v
) AS s
CROSS JOIN params AS p

-- name: uhc_tracer_values
-- A tracer is missing when any component is; imputed when any component is not observed.
SELECT
    country, year, category, category_order, tracer, tracer_order,
    CASE
        WHEN n_values < n_rows THEN NULL
        WHEN gm < lo THEN lo
        WHEN gm > hi THEN hi
        ELSE gm
    END AS tracer_value,
    imputed
FROM (
    SELECT
        country, year, category, category_order, tracer, tracer_order,
        EXP(AVG(LN(rescaled_value))) AS gm, MIN(rescaled_value) AS lo, MAX(rescaled_value) AS hi,
        COUNT(rescaled_value) AS n_values, COUNT(*) AS n_rows,
        MAX(CASE WHEN imputation <> 'observed' THEN 1 ELSE 0 END) AS imputed
    FROM uhc_rescaled
    GROUP BY country, year, category, category_order, tracer, tracer_order
) AS t

-- name: uhc_tracer_detail
SELECT
    r.country, r.year, r.category, r.tracer, r.indicator, r.raw_value, r.rescaled_value,
    t.tracer_value, r.imputation, r.from_year, r.to_year, r.imputation_group,
    r.imputation_group_countries, p.method_edition,
    r.category_order, r.tracer_order, r.component_order
FROM uhc_rescaled AS r
JOIN uhc_tracer_values AS t ON t.country = r.country AND t.year = r.year AND t.tracer = r.tracer
CROSS JOIN params AS p

-- name: uhc_categories
SELECT
    country, year, category,
    CASE
        WHEN n_used < n_expected THEN NULL
        WHEN gm < lo THEN lo
        WHEN gm > hi THEN hi
        ELSE gm
    END AS value,
    n_expected, n_used, n_imputed
FROM (
    SELECT
        country, year, category,
        EXP(AVG(LN(tracer_value))) AS gm, MIN(tracer_value) AS lo, MAX(tracer_value) AS hi,
        COUNT(*) AS n_expected,
        COUNT(tracer_value) AS n_used,
        SUM(CASE WHEN tracer_value IS NOT NULL THEN imputed ELSE 0 END) AS n_imputed
    FROM uhc_tracer_values
    GROUP BY country, year, category
) AS c

-- name: uhc_index
SELECT
    c.country, c.year,
    CASE
        WHEN COUNT(c.value) <> 4 THEN NULL
        WHEN EXP(AVG(LN(c.value))) < MIN(c.value) THEN MIN(c.value)
        WHEN EXP(AVG(LN(c.value))) > MAX(c.value) THEN MAX(c.value)
        ELSE EXP(AVG(LN(c.value)))
    END AS sci,
    MAX(CASE WHEN c.category = 'rmnch' THEN c.value END) AS rmnch,
    MAX(CASE WHEN c.category = 'infectious_diseases' THEN c.value END) AS infectious_diseases,
    MAX(CASE WHEN c.category = 'ncd' THEN c.value END) AS ncd,
    MAX(CASE WHEN c.category = 'capacity' THEN c.value END) AS capacity,
    SUM(c.n_used) AS n_tracers_used,
    SUM(c.n_imputed) AS n_tracers_imputed,
    SUM(c.n_expected) - SUM(c.n_used) AS n_tracers_missing,
    CASE WHEN SUM(c.n_used) > 0 THEN CAST(SUM(c.n_imputed) AS DOUBLE) / SUM(c.n_used) END AS imputed_share,
    MAX(CASE WHEN s.high_burden THEN 1 ELSE 0 END) = 1 AS malaria_high_burden,
    MAX(p.method_edition) AS method_edition
FROM uhc_categories AS c
JOIN uhc_country_set AS s ON s.country = c.country
CROSS JOIN params AS p
GROUP BY c.country, c.year

-- name: uhc_regional
-- Every country of a group with a population that year; those with an SCI carry the weights.
-- The index and category means are kept within the range of the countries' values (w: the
-- weighted mean, lo / hi: the smallest and largest value weighted).
SELECT
    level, region, year,
    CASE WHEN w_sci < lo_sci THEN lo_sci WHEN w_sci > hi_sci THEN hi_sci ELSE w_sci END AS sci,
    CASE WHEN w_rmnch < lo_rmnch THEN lo_rmnch WHEN w_rmnch > hi_rmnch THEN hi_rmnch ELSE w_rmnch END AS rmnch,
    CASE WHEN w_id < lo_id THEN lo_id WHEN w_id > hi_id THEN hi_id ELSE w_id END AS infectious_diseases,
    CASE WHEN w_ncd < lo_ncd THEN lo_ncd WHEN w_ncd > hi_ncd THEN hi_ncd ELSE w_ncd END AS ncd,
    CASE WHEN w_cap < lo_cap THEN lo_cap WHEN w_cap > hi_cap THEN hi_cap ELSE w_cap END AS capacity,
    imputed_share, n_countries, n_countries_in_group, n_countries_without_population,
    population_covered, population_total, population_coverage, method_edition
FROM (
    SELECT
        g.level, g.group_name AS region, y.year,
        SUM(pop.population * i.sci) / SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population END) AS w_sci,
        SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population * i.rmnch END) / SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population END) AS w_rmnch,
        SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population * i.infectious_diseases END) / SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population END) AS w_id,
        SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population * i.ncd END) / SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population END) AS w_ncd,
        SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population * i.capacity END) / SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population END) AS w_cap,
        MIN(CASE WHEN pop.population IS NOT NULL THEN i.sci END) AS lo_sci,
        MAX(CASE WHEN pop.population IS NOT NULL THEN i.sci END) AS hi_sci,
        MIN(CASE WHEN pop.population IS NOT NULL AND i.sci IS NOT NULL THEN i.rmnch END) AS lo_rmnch,
        MAX(CASE WHEN pop.population IS NOT NULL AND i.sci IS NOT NULL THEN i.rmnch END) AS hi_rmnch,
        MIN(CASE WHEN pop.population IS NOT NULL AND i.sci IS NOT NULL THEN i.infectious_diseases END) AS lo_id,
        MAX(CASE WHEN pop.population IS NOT NULL AND i.sci IS NOT NULL THEN i.infectious_diseases END) AS hi_id,
        MIN(CASE WHEN pop.population IS NOT NULL AND i.sci IS NOT NULL THEN i.ncd END) AS lo_ncd,
        MAX(CASE WHEN pop.population IS NOT NULL AND i.sci IS NOT NULL THEN i.ncd END) AS hi_ncd,
        MIN(CASE WHEN pop.population IS NOT NULL AND i.sci IS NOT NULL THEN i.capacity END) AS lo_cap,
        MAX(CASE WHEN pop.population IS NOT NULL AND i.sci IS NOT NULL THEN i.capacity END) AS hi_cap,
        SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population * i.imputed_share END)
            / SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population END) AS imputed_share,
        COUNT(CASE WHEN i.sci IS NOT NULL AND pop.population IS NOT NULL THEN 1 END) AS n_countries,
        COUNT(pop.population) AS n_countries_in_group,
        COUNT(CASE WHEN i.sci IS NOT NULL AND pop.population IS NULL THEN 1 END) AS n_countries_without_population,
        SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population END) AS population_covered,
        SUM(pop.population) AS population_total,
        SUM(CASE WHEN i.sci IS NOT NULL THEN pop.population END) / SUM(pop.population) AS population_coverage,
        MAX(p.method_edition) AS method_edition
    FROM uhc_aggregate_groups AS g
    CROSS JOIN uhc_years AS y
    LEFT JOIN uhc_population AS pop ON pop.country = g.country AND pop.year = y.year
    LEFT JOIN uhc_index AS i ON i.country = g.country AND i.year = y.year
    CROSS JOIN params AS p
    GROUP BY g.level, g.group_name, y.year
    HAVING COUNT(CASE WHEN i.sci IS NOT NULL AND pop.population IS NOT NULL THEN 1 END) > 0
) AS w
