-- Gaps between two domains of the same survey: difference (focus minus reference) and ratio
-- (focus / reference) of their proportions, with design-based standard errors by Taylor
-- linearisation (methodology notes sections 1.5 and 6.2; edition of the variance method in
-- config/methods/survey_estimation.yaml). Runs after sql/survey_variance.sql in the same
-- connection and reuses its relations.
--
-- Formula. Focus domain f and reference domain r have PSU scores z_f,hj and z_r,hj (see
-- sql/survey_variance.sql: z_hj = (a_hj - p b_hj) / W). Both domains are subsets of the same
-- design, so a PSU can hold members of both and the two estimates covary. Linearised scores:
--   difference D = p_f - p_r:        z_D = z_f - z_r
--   ratio      Q = p_f / p_r:        z_Q = (z_f - Q z_r) / p_r
-- and V(D), V(Q) follow the stratified formula of survey_variance.sql applied to the PSU totals
-- of z_D, z_Q (same n_h, same lonely-PSU policy), i.e. per stratum
--   sum_j z_D^2 = sum_j z_f^2 + sum_j z_r^2 - 2 sum_j z_f z_r, and
--   sum_j z_f z_r = (s_afar - p_r s_afbr - p_f s_bfar + p_f p_r s_bfbr) / (W_f W_r)
-- from the cross moments of the PSU totals (s_afbr = sum_j a_f,hj b_r,hj etc.). This equals
-- V(p_f) + V(p_r) - 2 Cov(p_f, p_r); the naive sqrt(V(p_f) + V(p_r)), which ignores the
-- covariance, is returned as difference_se_independent for comparison only.
-- CI of the difference: D -/+ t SE(D) with the design's df.
--
-- Interface. Relations registered or built before this file runs, besides the outputs of
-- sql/survey_variance.sql (design_strata, design_summary, domain_totals, domain_strata,
-- domain_variance), params and t_quantiles:
--   gap_pairs(series, gap_id, gap_type, focus_id, reference_id)   the compared pairs;
--   pair_moments(series, gap_id, stratum, s_afar, s_afbr, s_bfar, s_bfbr)
--       per compared pair and stratum, the sums over the stratum's PSUs of the products of the
--       focus's and the reference's PSU totals (a = weighted covered, b = weighted population);
--       a stratum may be left out where these are all 0.
-- Output: gap_estimates.

-- name: gap_strata
-- Per pair and stratum holding members of either domain: the stratum sums of the difference
-- and ratio scores and of their squares.
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
        k.series,
        k.gap_id,
        k.stratum,
        tf.p AS p_f,
        tr.p AS p_r,
        COALESCE(f.sz, 0.0) AS sz_f,
        COALESCE(r.sz, 0.0) AS sz_r,
        COALESCE(f.szz, 0.0) AS szz_f,
        COALESCE(r.szz, 0.0) AS szz_r,
        COALESCE(
            (c.s_afar - tr.p * c.s_afbr - tf.p * c.s_bfar + tf.p * tr.p * c.s_bfbr) / (tf.w_total * tr.w_total),
            0.0
        ) AS szfr
    FROM (
        SELECT g.series, g.gap_id, s.stratum
        FROM gap_pairs AS g
        JOIN domain_strata AS s ON s.series = g.series AND s.domain_id = g.focus_id
        UNION
        SELECT g.series, g.gap_id, s.stratum
        FROM gap_pairs AS g
        JOIN domain_strata AS s ON s.series = g.series AND s.domain_id = g.reference_id
    ) AS k
    JOIN gap_pairs AS g ON g.series = k.series AND g.gap_id = k.gap_id
    JOIN domain_totals AS tf ON tf.series = g.series AND tf.domain_id = g.focus_id
    JOIN domain_totals AS tr ON tr.series = g.series AND tr.domain_id = g.reference_id
    LEFT JOIN domain_strata AS f ON f.series = g.series AND f.domain_id = g.focus_id AND f.stratum = k.stratum
    LEFT JOIN domain_strata AS r ON r.series = g.series AND r.domain_id = g.reference_id AND r.stratum = k.stratum
    LEFT JOIN pair_moments AS c ON c.series = k.series AND c.gap_id = k.gap_id AND c.stratum = k.stratum
) AS x

-- name: gap_variance
-- The stratified variance of survey_variance.sql (domain_variance), on the gap scores.
SELECT
    s.series,
    s.gap_id,
    SUM(
        CASE
            WHEN h.n_h > 1 THEN h.n_h / (h.n_h - 1.0) * (s.szz_difference - s.sz_difference * s.sz_difference / h.n_h)
            WHEN p.lonely_psu = 'adjust' THEN s.szz_difference
            ELSE 0.0
        END
    ) * d.lonely_factor AS variance_difference,
    SUM(
        CASE
            WHEN h.n_h > 1 THEN h.n_h / (h.n_h - 1.0) * (s.szz_ratio - s.sz_ratio * s.sz_ratio / h.n_h)
            WHEN p.lonely_psu = 'adjust' THEN s.szz_ratio
            ELSE 0.0
        END
    ) * d.lonely_factor AS variance_ratio
FROM gap_strata AS s
JOIN design_strata AS h ON h.stratum = s.stratum
CROSS JOIN design_summary AS d
CROSS JOIN params AS p
GROUP BY s.series, s.gap_id, d.lonely_factor

-- name: gap_estimates
SELECT
    g.series,
    g.gap_id,
    g.focus_id,
    g.reference_id,
    f.p AS p_focus,
    r.p AS p_reference,
    f.p - r.p AS difference,
    SQRT(GREATEST(v.variance_difference, 0.0)) AS difference_se,
    f.p - r.p - q.t * SQRT(GREATEST(v.variance_difference, 0.0)) AS difference_ci_lower,
    f.p - r.p + q.t * SQRT(GREATEST(v.variance_difference, 0.0)) AS difference_ci_upper,
    CASE WHEN r.p > 0 THEN f.p / r.p END AS ratio,
    CASE WHEN r.p > 0 THEN SQRT(GREATEST(v.variance_ratio, 0.0)) END AS ratio_se,
    SQRT(GREATEST(vf.variance, 0.0) + GREATEST(vr.variance, 0.0)) AS difference_se_independent,
    d.df
FROM gap_pairs AS g
JOIN domain_totals AS f ON f.series = g.series AND f.domain_id = g.focus_id
JOIN domain_totals AS r ON r.series = g.series AND r.domain_id = g.reference_id
JOIN gap_variance AS v ON v.series = g.series AND v.gap_id = g.gap_id
JOIN domain_variance AS vf ON vf.series = g.series AND vf.domain_id = g.focus_id
JOIN domain_variance AS vr ON vr.series = g.series AND vr.domain_id = g.reference_id
CROSS JOIN design_summary AS d
LEFT JOIN t_quantiles AS q ON q.df = d.df
