-- Design-based estimation of domain proportions: Taylor linearisation with first-stage strata
-- and PSUs, with-replacement approximation, no finite population correction (methodology notes
-- section 6.2; the SAS SURVEYMEANS / Stata svy / R survey convention). Method constants and
-- their editions: config/methods/survey_estimation.yaml (every output row records the edition).
-- Generic: SDG 1.3.1 (sql/sdg_1_3_1_survey.sql) and SDG 3.8.2 (sql/sdg_3_8_2.sql) feed it;
-- differences and ratios of two domains are in sql/survey_gaps.sql, which runs after this file.
--
-- Formula. Domain d, persons i with weight w_i, outcome y_i in {0, 1} and domain indicator
-- I_i (1 when i is in the domain AND y_i is not missing). PSU totals of PSU j in stratum h:
--   a_hj = sum_i w_i I_i y_i,  b_hj = sum_i w_i I_i;   W = sum_hj b_hj,  p = sum_hj a_hj / W
--   z_hj = (a_hj - p b_hj) / W    (the PSU total of the score z_i = w_i I_i (y_i - p) / W; a PSU
--                                   without domain members has z_hj = 0 and stays in the design)
--   V(p) = sum_h n_h / (n_h - 1) * sum_j (z_hj - zbar_h)^2
--        = sum_h n_h / (n_h - 1) * (sum_j z_hj^2 - (sum_j z_hj)^2 / n_h)
-- with n_h the number of ALL PSUs of stratum h in the design (design_psus), not only those
-- holding domain members. The stratum sums come from the stratum moments of the PSU totals
-- (sa, sb, saa, sab, sbb = sums over j of a, b, a^2, ab, b^2):
--   sum_j z_hj = (sa - p sb) / W,   sum_j z_hj^2 = (saa - 2 p sab + p^2 sbb) / W^2
-- Strata with a single PSU (lonely_psu): 'certainty' adds 0 (R survey "certainty"/"remove",
-- svy SKIP); 'adjust' adds (z_h1 - zbar)^2 with zbar = sum_hj z_hj / #PSU, the grand mean of
-- the PSU totals (R "adjust", svy CENTER), and zbar = 0 for a linearised proportion, so it adds
-- z_h1^2; 'average' drops the lonely strata and multiplies V by #strata / #strata with several
-- PSUs (R "average", svy SCALE). ('fail' is checked before this file runs.)
-- df = #PSU - #strata of the whole design, for every domain (R survey and svy use the PSUs and
-- strata holding domain members instead: same SE, smaller df for small domains); SE = sqrt(V);
-- cv = SE / p.
-- CI with t = t_quantiles.t for df (two-sided, configured confidence level; no t when df < 1):
--   't':     p -/+ t SE, clipped to [0, 1];
--   'logit': expit(logit(p) -/+ t SE / (p (1 - p)))   (p = 0 or 1, or SE = 0: the interval is the
--            point p itself; expit(logit(p)) can differ from p in the last bit).
-- Design effect: deff = V / V_srs with V_srs = p (1 - p) / n, the variance of the proportion in a
-- simple random sample with replacement of the domain's n unweighted persons (Kish).
-- Reliability, tested in order: n < suppress_below_n -> 'suppress'; n < caution_below_n or
-- cv > caution_cv_above -> 'caution'; else 'reliable'.
--
-- Interface. Relations registered or built before this file runs:
--   domain_moments(series, domain_id, stratum, sa, sb, saa, sab, sbb, n, n_y)
--       one row per series, domain and stratum holding domain members: the stratum moments of
--       the PSU totals a_hj, b_hj above, and the unweighted persons n (domain members with y
--       not missing) and n_y (of whom y = 1). Other columns are ignored. A producer aggregates
--       its PSU totals once per stratum, e.g.
--       SELECT series, domain_id, stratum, SUM(a), SUM(b), SUM(a*a), SUM(a*b), SUM(b*b), ...
--       FROM <PSU x domain totals> GROUP BY series, domain_id, stratum;
--   design_psus(stratum, psu)   every PSU of the design once (PSUs identified by the pair);
--   params(ci_method, lonely_psu, suppress_below_n, caution_cv_above, caution_below_n);
--   t_quantiles(df, t)          the critical value of Student's t for the design's df.
-- Outputs: domain_estimates (below); design_strata, design_summary, domain_totals,
-- domain_strata and domain_variance are also read by sql/survey_gaps.sql.

-- name: design_strata
SELECT stratum, COUNT(*) AS n_h
FROM design_psus
GROUP BY stratum

-- name: design_summary
-- lonely_factor multiplies every variance: #strata / #strata with several PSUs under 'average'.
SELECT
    d.n_psu,
    d.n_strata,
    d.n_psu - d.n_strata AS df,
    d.n_lonely_strata,
    CASE
        WHEN p.lonely_psu = 'average' AND d.n_strata > d.n_lonely_strata
            THEN d.n_strata / (d.n_strata - d.n_lonely_strata * 1.0)
        ELSE 1.0
    END AS lonely_factor
FROM (
    SELECT SUM(n_h) AS n_psu, COUNT(*) AS n_strata, SUM(CASE WHEN n_h = 1 THEN 1 ELSE 0 END) AS n_lonely_strata
    FROM design_strata
) AS d
CROSS JOIN params AS p

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
-- Per stratum: sz = sum_j z_hj and szz = sum_j z_hj^2 of the domain's PSU scores.
SELECT
    m.series,
    m.domain_id,
    m.stratum,
    (m.sa - t.p * m.sb) / t.w_total AS sz,
    (m.saa - 2.0 * t.p * m.sab + t.p * t.p * m.sbb) / (t.w_total * t.w_total) AS szz
FROM domain_moments AS m
JOIN domain_totals AS t ON t.series = m.series AND t.domain_id = m.domain_id

-- name: domain_variance
SELECT
    s.series,
    s.domain_id,
    SUM(
        CASE
            WHEN h.n_h > 1 THEN h.n_h / (h.n_h - 1.0) * (s.szz - s.sz * s.sz / h.n_h)
            WHEN p.lonely_psu = 'adjust' THEN s.szz
            ELSE 0.0
        END
    ) * d.lonely_factor AS variance
FROM domain_strata AS s
JOIN design_strata AS h ON h.stratum = s.stratum
CROSS JOIN design_summary AS d
CROSS JOIN params AS p
GROUP BY s.series, s.domain_id, d.lonely_factor

-- name: domain_estimates
SELECT
    e.series,
    e.domain_id,
    e.p,
    e.wy_total AS numerator,
    e.w_total AS denominator,
    e.n,
    e.n_y,
    e.se,
    e.df,
    e.t,
    CASE
        WHEN e.t IS NULL THEN NULL
        WHEN e.ci_method = 't' THEN GREATEST(0.0, e.p - e.t * e.se)
        WHEN e.p <= 0 OR e.p >= 1 OR e.se = 0 THEN e.p
        ELSE 1.0 / (1.0 + EXP(-(LN(e.p / (1.0 - e.p)) - e.t * e.se / (e.p * (1.0 - e.p)))))
    END AS ci_lower,
    CASE
        WHEN e.t IS NULL THEN NULL
        WHEN e.ci_method = 't' THEN LEAST(1.0, e.p + e.t * e.se)
        WHEN e.p <= 0 OR e.p >= 1 OR e.se = 0 THEN e.p
        ELSE 1.0 / (1.0 + EXP(-(LN(e.p / (1.0 - e.p)) + e.t * e.se / (e.p * (1.0 - e.p)))))
    END AS ci_upper,
    CASE WHEN e.p > 0 AND e.p < 1 THEN e.se * e.se / (e.p * (1.0 - e.p) / e.n) END AS deff,
    CASE WHEN e.p > 0 THEN e.se / e.p END AS cv,
    CASE
        WHEN e.n < e.suppress_below_n THEN 'suppress'
        WHEN e.n < e.caution_below_n THEN 'caution'
        WHEN e.p > 0 AND e.se / e.p > e.caution_cv_above THEN 'caution'
        ELSE 'reliable'
    END AS reliability
FROM (
    SELECT
        t.*,
        SQRT(GREATEST(v.variance, 0.0)) AS se,
        d.df,
        q.t,
        p.ci_method,
        p.suppress_below_n,
        p.caution_below_n,
        p.caution_cv_above
    FROM domain_totals AS t
    JOIN domain_variance AS v ON v.series = t.series AND v.domain_id = t.domain_id
    CROSS JOIN design_summary AS d
    CROSS JOIN params AS p
    LEFT JOIN t_quantiles AS q ON q.df = d.df
) AS e
