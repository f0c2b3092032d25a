-- Design-based estimation of domain proportions and of their differences and ratios.
-- Taylor linearisation with first-stage strata and PSUs, with-replacement approximation
-- (methodology notes section 6.2; SAS SURVEYMEANS / Stata svy / R survey conventions).
-- Method constants: config/methods/survey_estimation.yaml.
--
-- For a domain d with weights w_i, outcome y_i in {0, 1} and domain indicator I_i:
--   W_d = sum_i w_i I_i,   p_d = sum_i w_i I_i y_i / W_d
--   z_i = w_i I_i (y_i - p_d) / W_d          (0 outside the domain: those rows stay in the design)
--   z_hj = sum_{i in PSU j of stratum h} z_i
--   V(p_d) = sum_h n_h / (n_h - 1) * sum_j (z_hj - zbar_h)^2
--          = sum_h n_h / (n_h - 1) * (sum_j z_hj^2 - (sum_j z_hj)^2 / n_h)
-- where n_h counts every PSU of stratum h in the design (PSUs without domain members have
-- z_hj = 0). Strata with one PSU: 'certainty' adds 0; 'adjust' adds (z_h1 - zbar)^2, zbar the
-- mean of all PSU totals (R survey lonely.psu = "adjust").
-- df = #PSU - #strata of the design; SE = sqrt(V).
-- CI: 't': p +/- t_df SE (clipped to [0, 1]);
--     'logit': expit(logit(p) +/- t_df SE / (p (1 - p))) (p = 0 or 1: the interval is the point).
-- deff = V / (p (1 - p) / n): design variance over the variance of a simple random sample
-- with replacement of the same unweighted size n. cv = SE / p.
--
-- Differences and ratios of two domains a (focus) and b (reference) that share the design:
--   difference a - b: z_hj = z_hj(a) - z_hj(b)
--   ratio r = p_a / p_b:  z_hj = (z_hj(a) - r z_hj(b)) / p_b   (linearisation of a ratio)
-- and the same variance formula: both domains' scores live in the same PSUs, so the covariance
-- of the two estimates is taken into account (not sqrt(V_a + V_b)).
--
-- Interface (relations registered before this file runs):
--   domain_psu(series, domain_id, stratum, psu, sum_w, sum_wy, n, n_y)
--       weighted and unweighted totals of each domain in each PSU (only PSUs with members);
--   design_psus(stratum, psu)      every PSU of the design, once;
--   gap_pairs(series, gap_id, focus_id, reference_id)   domain pairs to compare;
--   params(ci_method, lonely_psu, suppress_below_n, caution_cv_above, caution_below_n);
--   t_quantiles(df, t)             two-sided critical values of Student's t for the
--                                  configured confidence level.
-- Output relations: domain_estimates, gap_estimates.

-- name: design_strata
SELECT stratum, COUNT(*) AS n_h
FROM design_psus
GROUP BY stratum

-- name: design_summary
SELECT
    COUNT(*) AS n_psu,
    COUNT(DISTINCT stratum) AS n_strata,
    COUNT(*) - COUNT(DISTINCT stratum) AS df
FROM design_psus

-- name: domain_totals
SELECT
    series,
    domain_id,
    SUM(sum_w) AS w_total,
    SUM(sum_wy) AS wy_total,
    SUM(n) AS n,
    SUM(n_y) AS n_y,
    SUM(sum_wy) / SUM(sum_w) AS p
FROM domain_psu
GROUP BY series, domain_id
HAVING SUM(sum_w) > 0

-- name: domain_scores
SELECT
    c.series,
    c.domain_id,
    c.stratum,
    c.psu,
    (c.sum_wy - t.p * c.sum_w) / t.w_total AS z
FROM domain_psu AS c
JOIN domain_totals AS t ON t.series = c.series AND t.domain_id = c.domain_id

-- name: gap_scores
SELECT
    x.series,
    x.gap_id,
    x.stratum,
    x.psu,
    x.z_focus - x.z_reference AS z_difference,
    CASE WHEN tb.p > 0 THEN (x.z_focus - (ta.p / tb.p) * x.z_reference) / tb.p END AS z_ratio
FROM (
    SELECT
        g.series,
        g.gap_id,
        g.focus_id,
        g.reference_id,
        s.stratum,
        s.psu,
        SUM(CASE WHEN s.domain_id = g.focus_id THEN s.z ELSE 0.0 END) AS z_focus,
        SUM(CASE WHEN s.domain_id = g.reference_id THEN s.z ELSE 0.0 END) AS z_reference
    FROM gap_pairs AS g
    JOIN domain_scores AS s
      ON s.series = g.series AND (s.domain_id = g.focus_id OR s.domain_id = g.reference_id)
    GROUP BY g.series, g.gap_id, g.focus_id, g.reference_id, s.stratum, s.psu
) AS x
JOIN domain_totals AS ta ON ta.series = x.series AND ta.domain_id = x.focus_id
JOIN domain_totals AS tb ON tb.series = x.series AND tb.domain_id = x.reference_id

-- name: score_strata
-- Per stratum sums of the PSU scores of every quantity (domain estimates and gap contrasts).
SELECT 'domain' AS kind, series, domain_id AS quantity_id, stratum, SUM(z) AS s1, SUM(z * z) AS s2, COUNT(*) AS m
FROM domain_scores
GROUP BY series, domain_id, stratum
UNION ALL
SELECT 'difference' AS kind, series, gap_id AS quantity_id, stratum, SUM(z_difference), SUM(z_difference * z_difference), COUNT(*)
FROM gap_scores
GROUP BY series, gap_id, stratum
UNION ALL
SELECT 'ratio' AS kind, series, gap_id AS quantity_id, stratum, SUM(z_ratio), SUM(z_ratio * z_ratio), COUNT(*)
FROM gap_scores
WHERE z_ratio IS NOT NULL
GROUP BY series, gap_id, stratum

-- name: score_grand_means
-- Mean PSU total over every PSU of the design (for lonely strata under 'adjust').
SELECT s.kind, s.series, s.quantity_id, SUM(s.s1) / MAX(d.n_psu) AS zbar
FROM score_strata AS s
CROSS JOIN design_summary AS d
GROUP BY s.kind, s.series, s.quantity_id

-- name: score_variance
SELECT
    s.kind,
    s.series,
    s.quantity_id,
    SUM(
        CASE
            WHEN h.n_h > 1 THEN h.n_h / (h.n_h - 1.0) * (s.s2 - s.s1 * s.s1 / h.n_h)
            WHEN p.lonely_psu = 'adjust' THEN (s.s1 - g.zbar) * (s.s1 - g.zbar)
            ELSE 0.0
        END
    ) AS variance
FROM score_strata AS s
JOIN design_strata AS h ON h.stratum = s.stratum
JOIN score_grand_means AS g ON g.kind = s.kind AND g.series = s.series AND g.quantity_id = s.quantity_id
CROSS JOIN params AS p
GROUP BY s.kind, s.series, s.quantity_id

-- name: domain_estimates
SELECT
    e.series,
    e.domain_id,
    e.p,
    e.wy_total AS numerator,
    e.w_total AS denominator,
    e.n,
    e.n_y,
    SQRT(GREATEST(v.variance, 0.0)) AS se,
    d.df,
    q.t,
    CASE
        WHEN p.ci_method = 't' THEN GREATEST(0.0, e.p - q.t * SQRT(GREATEST(v.variance, 0.0)))
        WHEN e.p <= 0 OR e.p >= 1 THEN e.p
        ELSE 1.0 / (1.0 + EXP(-(LN(e.p / (1.0 - e.p)) - q.t * SQRT(GREATEST(v.variance, 0.0)) / (e.p * (1.0 - e.p)))))
    END AS ci_lower,
    CASE
        WHEN p.ci_method = 't' THEN LEAST(1.0, e.p + q.t * SQRT(GREATEST(v.variance, 0.0)))
        WHEN e.p <= 0 OR e.p >= 1 THEN e.p
        ELSE 1.0 / (1.0 + EXP(-(LN(e.p / (1.0 - e.p)) + q.t * SQRT(GREATEST(v.variance, 0.0)) / (e.p * (1.0 - e.p)))))
    END AS ci_upper,
    CASE WHEN e.p > 0 AND e.p < 1 THEN GREATEST(v.variance, 0.0) / (e.p * (1.0 - e.p) / e.n) END AS deff,
    CASE WHEN e.p > 0 THEN SQRT(GREATEST(v.variance, 0.0)) / e.p END AS cv,
    CASE
        WHEN e.n < p.suppress_below_n THEN 'suppress'
        WHEN e.n < p.caution_below_n THEN 'caution'
        WHEN e.p > 0 AND SQRT(GREATEST(v.variance, 0.0)) / e.p > p.caution_cv_above THEN 'caution'
        ELSE 'reliable'
    END AS reliability
FROM domain_totals AS e
JOIN score_variance AS v ON v.kind = 'domain' AND v.series = e.series AND v.quantity_id = e.domain_id
CROSS JOIN design_summary AS d
CROSS JOIN params AS p
JOIN t_quantiles AS q ON q.df = LEAST(GREATEST(d.df, 1), 100000)

-- name: gap_estimates
SELECT
    g.series,
    g.gap_id,
    g.focus_id,
    g.reference_id,
    a.p AS p_focus,
    b.p AS p_reference,
    a.p - b.p AS difference,
    SQRT(GREATEST(vd.variance, 0.0)) AS difference_se,
    a.p - b.p - q.t * SQRT(GREATEST(vd.variance, 0.0)) AS difference_ci_lower,
    a.p - b.p + q.t * SQRT(GREATEST(vd.variance, 0.0)) AS difference_ci_upper,
    CASE WHEN b.p > 0 THEN a.p / b.p END AS ratio,
    CASE WHEN b.p > 0 THEN SQRT(GREATEST(vr.variance, 0.0)) END AS ratio_se,
    SQRT(GREATEST(va.variance, 0.0) + GREATEST(vb.variance, 0.0)) AS difference_se_independent,
    d.df
FROM gap_pairs AS g
JOIN domain_totals AS a ON a.series = g.series AND a.domain_id = g.focus_id
JOIN domain_totals AS b ON b.series = g.series AND b.domain_id = g.reference_id
JOIN score_variance AS vd ON vd.kind = 'difference' AND vd.series = g.series AND vd.quantity_id = g.gap_id
LEFT JOIN score_variance AS vr ON vr.kind = 'ratio' AND vr.series = g.series AND vr.quantity_id = g.gap_id
JOIN score_variance AS va ON va.kind = 'domain' AND va.series = g.series AND va.quantity_id = g.focus_id
JOIN score_variance AS vb ON vb.kind = 'domain' AND vb.series = g.series AND vb.quantity_id = g.reference_id
CROSS JOIN design_summary AS d
JOIN t_quantiles AS q ON q.df = LEAST(GREATEST(d.df, 1), 100000)
