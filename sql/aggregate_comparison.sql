-- Comparison of reproduced aggregates with the aggregates published in the same extract.
-- Edition: config/methods/publication.yaml (publication edition, key comparison; aggregation of
-- sql/aggregates.sql, UN SDG metadata 1.3.1, 3.8.1, 3.8.2); docs/publication.md "Reproducing the
-- published aggregates". For each published aggregate A (series s, year T, sex x, group g) the country
-- values of that extract are lined up and aggregated by sql/aggregates.sql (the reproduction R)
-- and compared here, with the facts that explain a difference:
--
--   difference            = R - A
--   W                     = sum_c w_c over the group's countries, w_c the line-up weight (the
--                           population of the series' group, or the value's denominator)
--   imputed_share         = sum_{c imputed} w_c / W
--   exact_share           = sum_{c with a value of year T in the extract} w_c / W
--   feasible_min, _max    = (sum_{c exact} v_c w_c + {0, 100} * (W - sum_{c exact} w_c)) / W:
--                           the range of every aggregate of the year-T country values of the
--                           extract, whatever the other countries get (0 to 100)
--   implied_imputed_mean  = (A * W - sum_{c not imputed} v_c w_c) / sum_{c imputed} w_c: the mean
--                           the published aggregate implies for the countries this line-up imputes
--   model_imputed_mean    = sum_{c imputed} v_c w_c / sum_{c imputed} w_c: the mean the model gives
--
-- Inputs (registered by engine/publication/comparison.py):
--   cmp_published(source_id, vintage, series, year, sex, level, region, area_code, published_value)
--   cmp_lineup(series, ref_year, sex, ref_area, status, value, denominator)
--   cmp_exact(series, year, sex, ref_area, value)                 country values of year T
--   cmp_groups(ref_area, year, level, region)
--   cmp_reproduced(series, year, sex, level, region, value)

-- name: cmp_weights
SELECT
    l.series, l.ref_year AS year, l.sex, g.level, g.region,
    SUM(l.denominator) AS w_total,
    SUM(CASE WHEN l.status = 'imputed' THEN l.denominator ELSE 0 END) AS w_imputed,
    SUM(CASE WHEN l.status <> 'imputed' THEN l.value * l.denominator ELSE 0 END) AS vw_kept,
    SUM(CASE WHEN l.status = 'imputed' THEN l.value * l.denominator ELSE 0 END) AS vw_imputed,
    SUM(CASE WHEN e.ref_area IS NOT NULL THEN l.denominator ELSE 0 END) AS w_exact,
    SUM(CASE WHEN e.ref_area IS NOT NULL THEN e.value * l.denominator ELSE 0 END) AS vw_exact,
    COUNT(*) AS n_countries,
    SUM(CASE WHEN l.status = 'imputed' THEN 1 ELSE 0 END) AS n_imputed,
    SUM(CASE WHEN e.ref_area IS NOT NULL THEN 1 ELSE 0 END) AS n_exact
FROM cmp_lineup AS l
JOIN cmp_groups AS g ON g.ref_area = l.ref_area AND g.year = l.ref_year
LEFT JOIN cmp_exact AS e
  ON e.series = l.series AND e.year = l.ref_year AND e.sex = l.sex AND e.ref_area = l.ref_area
WHERE l.denominator > 0
GROUP BY l.series, l.ref_year, l.sex, g.level, g.region

-- name: cmp_table
SELECT
    p.source_id, p.vintage, p.series, p.year, p.sex, p.level, p.region, p.area_code, p.published_value,
    r.value AS reproduced_value,
    r.value - p.published_value AS difference_pp,
    w.n_countries, w.n_imputed, w.n_exact,
    w.w_imputed / w.w_total AS imputed_share,
    w.w_exact / w.w_total AS exact_share,
    w.vw_exact / w.w_total AS feasible_min,
    (w.vw_exact + 100 * (w.w_total - w.w_exact)) / w.w_total AS feasible_max,
    CASE WHEN w.w_imputed > 0 THEN (p.published_value * w.w_total - w.vw_kept) / w.w_imputed END AS implied_imputed_mean,
    CASE WHEN w.w_imputed > 0 THEN w.vw_imputed / w.w_imputed END AS model_imputed_mean
FROM cmp_published AS p
LEFT JOIN cmp_reproduced AS r
  ON r.series = p.series AND r.year = p.year AND r.sex = p.sex AND r.level = p.level AND r.region = p.region
LEFT JOIN cmp_weights AS w
  ON w.series = p.series AND w.year = p.year AND w.sex = p.sex AND w.level = p.level AND w.region = p.region
