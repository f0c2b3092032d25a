-- Design-based estimation of domain proportions and of their differences and ratios, from
-- per-stratum moments of PSU totals.
-- Taylor linearisation with first-stage strata and PSUs, with-replacement approximation
-- (methodology notes section 6.2; SAS SURVEYMEANS / Stata svy / R survey conventions).
-- Method constants: config/methods/survey_estimation.yaml (each output row records its edition).
--
-- For a domain d with weights w_i, outcome y_i in {0, 1} and domain indicator I_i, let
-- a_hj = sum_{i in PSU j of stratum h} w_i I_i y_i and b_hj = sum w_i I_i (the PSU totals), and
--   W = sum_hj b_hj,   p = sum_hj a_hj / W
--   z_hj = (a_hj - p b_hj) / W                      (the PSU total of z_i = w_i I_i (y_i - p) / W;
--                                                    PSUs without domain members have z_hj = 0
--                                                    and stay in the design)
--   V(p) = sum_h n_h / (n_h - 1) * (sum_j z_hj^2 - (sum_j z_hj)^2 / n_h)
-- where n_h counts every PSU of stratum h in the design. From the stratum moments
-- (sa, sb, saa, sab, sbb = sums over j of a, b, a^2, ab, b^2):
--   sum_j z_hj   = (sa - p sb) / W
--   sum_j z_hj^2 = (saa - 2 p sab + p^2 sbb) / W^2
-- Strata with one PSU: 'certainty' adds 0; 'adjust' adds (z_h1 - zbar)^2 with zbar the mean
-- PSU total over the design (R survey lonely.psu = "adjust"), which is 0 for a linearised
-- proportion, difference or ratio, so it adds z_h1^2.
-- df = #PSU - #strata of the design; SE = sqrt(V).
-- CI: 't': p +/- t_df SE (clipped to [0, 1]);
--     'logit': expit(logit(p) +/- t_df SE / (p (1 - p))) (p = 0 or 1: the interval is the point).
-- deff = V / (p (1 - p) / n): design variance over the variance of a simple random sample
-- with replacement of the same unweighted size n. cv = SE / p.
--
-- Differences and ratios of two domains f (focus) and r (reference) sharing the design:
--   difference: z = z_f - z_r;   ratio q = p_f / p_r: z = (z_f - q z_r) / p_r
-- with the cross moment sum_j z_f z_r = (s_afar - p_r s_afbr - p_f s_bfar + p_f p_r s_bfbr) / (W_f W_r),
-- so the covariance of the two estimates through the shared PSUs is taken into account (not
-- sqrt(V_f + V_r), which is also returned for comparison).
--
-- Interface (relations registered or built before this file runs):
--   domain_moments(series, domain_id, stratum, sa, sb, saa, sab, sbb, n, n_y)
--       one row per domain and stratum where the domain has members (n, n_y unweighted counts);
--   pair_moments(series, gap_id, stratum, s_afar, s_afbr, s_bfar, s_bfbr)
--       cross moments of the focus and reference PSU totals of each compared pair;
--   gap_pairs(series, gap_id, gap_type, focus_id, reference_id);
--   design_psus(stratum, psu)      every PSU of the design, once;
--   params(ci_method, lonely_psu, suppress_below_n, caution_cv_above, caution_below_n);
--   t_quantiles(df, t)             two-sided critical values of Student's t.
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
    SUM(sb) AS w_total,
    SUM(sa) AS wy_total,
    SUM(n) AS n,
    SUM(n_y) AS n_y,
    SUM(sa) / SUM(sb) AS p
FROM domain_moments
GROUP BY series, domain_id
HAVING SUM(sb) > 0

-- name: domain_strata
SELECT
    m.series,
    m.domain_id,
    m.stratum,
    (m.sa - t.p * m.sb) / t.w_total AS sz,
    (m.saa - 2.0 * t.p * m.sab + t.p * t.p * m.sbb) / (t.w_total * t.w_total) AS szz
FROM domain_moments AS m
JOIN domain_totals AS t ON t.series = m.series AND t.domain_id = m.domain_id

-- name: gap_strata
SELECT
    series,
    gap_id,
    stratum,
    sz_f - sz_r AS sz_difference,
    szz_f + szz_r - 2.0 * szfr AS szz_difference,
    CASE WHEN p_r > 0 THEN (sz_f - (p_f / p_r) * sz_r) / p_r END AS sz_ratio,
    CASE WHEN p_r > 0 THEN (szz_f - 2.0 * (p_f / p_r) * szfr + (p_f / p_r) * (p_f / p_r) * szz_r) / (p_r * p_r) END AS szz_ratio
FROM (
    SELECT
        g.series,
        g.gap_id,
        c.stratum,
        tf.p AS p_f,
        tr.p AS p_r,
        COALESCE(f.sz, 0.0) AS sz_f,
        COALESCE(r.sz, 0.0) AS sz_r,
        COALESCE(f.szz, 0.0) AS szz_f,
        COALESCE(r.szz, 0.0) AS szz_r,
        (c.s_afar - tr.p * c.s_afbr - tf.p * c.s_bfar + tf.p * tr.p * c.s_bfbr) / (tf.w_total * tr.w_total) AS szfr
    FROM gap_pairs AS g
    JOIN pair_moments AS c ON c.series = g.series AND c.gap_id = g.gap_id
    JOIN domain_totals AS tf ON tf.series = g.series AND tf.domain_id = g.focus_id
    JOIN domain_totals AS tr ON tr.series = g.series AND tr.domain_id = g.reference_id
    LEFT JOIN domain_strata AS f ON f.series = g.series AND f.domain_id = g.focus_id AND f.stratum = c.stratum
    LEFT JOIN domain_strata AS r ON r.series = g.series AND r.domain_id = g.reference_id AND r.stratum = c.stratum
) AS x

-- name: score_strata
-- Per-stratum sums of the PSU scores (sz) and of their squares (szz) of every quantity.
SELECT 'domain' AS kind, series, domain_id AS quantity_id, stratum, sz, szz FROM domain_strata
UNION ALL
SELECT 'difference', series, gap_id, stratum, sz_difference, szz_difference FROM gap_strata
UNION ALL
SELECT 'ratio', series, gap_id, stratum, sz_ratio, szz_ratio FROM gap_strata WHERE sz_ratio IS NOT NULL

-- name: score_variance
SELECT
    s.kind,
    s.series,
    s.quantity_id,
    SUM(
        CASE
            WHEN h.n_h > 1 THEN h.n_h / (h.n_h - 1.0) * (s.szz - s.sz * s.sz / h.n_h)
            WHEN p.lonely_psu = 'adjust' THEN s.szz
            ELSE 0.0
        END
    ) AS variance
FROM score_strata AS s
JOIN design_strata AS h ON h.stratum = s.stratum
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
