-- Coverage of the groups at risk from survey microdata: every series x group x sex domain of one
-- survey in one pass over the canonical person table (schemas/survey_variables.py). ILC.109
-- conclusions (2021) para. 8 and 18(b); classifications of methodology notes section 11.1
-- (ICSE-18, 20th ICLS 2018; informal employment, 17th ICLS 2003 / 21st ICLS 2023; ISIC Rev.4;
-- Washington Group short set); World Bank series of UN SDG metadata 1.3.1b (methodology notes
-- 5.1). Method constants: config/methods/groups_at_risk.yaml (edition in every output row).
--
-- Coverage of series s in domain d (weighted share of the series population P_s in d covered):
--   p_sd = sum_i w_i 1(i in P_s and d) y_si / sum_i w_i 1(i in P_s and d)
--
-- | series (columns)             | population P_s                            | covered y_s                                   |
-- |------------------------------|-------------------------------------------|-----------------------------------------------|
-- | SP_CONTRIB_EMP (contrib_emp) | employed aged working_age_min+            | contributor (active contributor)              |
-- | SP_CONTRIB_LF (contrib_lf)   | labour force aged working_age_min+        | contributor (groups of persons: all,          |
-- |                              |                                           | disability, youth, quintile)                  |
-- | SI_COV_BENFTS (benfts)       | everyone                                  | contributor or any cash benefit (rec_*)       |
-- | SI_COV_SOCINS (socins)       | everyone                                  | a member of the household receives a benefit  |
-- | SI_COV_SOCAST (socast)       | everyone                                  | of the programme group (ASPIRE): functions of |
-- | SI_COV_LMKT (lmkt)           | everyone                                  | <group>_functions (params si_/sa_/lm_<f>)     |
--
-- The World Bank series count direct and indirect beneficiaries (ASPIRE): y = 1 when any member
-- of the person's household receives a listed function, else 0 (a receipt flag missing for a
-- member, e.g. a question not asked of him or her, counts as not received); functions the
-- survey lacks are left out (ASPIRE counts the programmes a survey captures). They are given
-- for sex 'T', in total and by welfare quintile only (quintile Q1: the poorest-quintile series
-- SI_COV_*PQ).
-- With contributor_unasked_as_no, a missing contributor flag outside employment counts as "no".
--
-- Groups (breakdown -> group values; a person whose group is unknown is left out of that
-- breakdown's domains but stays in the design):
--   all                   T (everyone in the series population)
--   status_in_employment  employer | independent_without_employees | dependent_contractor |
--                         employee | contributing_family_worker              (employed only)
--   informality           informal | formal                                   (employed only)
--   agriculture           agriculture (ISIC section A) | non_agriculture      (employed only)
--   domestic_work         domestic | non_domestic                             (employed only)
--   platform_work         platform | non_platform                             (employed only)
--   disability            with_disability (wg_difficulty >= wg_disability_cutoff) | without_disability
--   youth                 youth (youth_min_age..youth_max_age) | adult (older, aged working_age_min+)
--   quintile              Q1 (poorest) ... Q5: welfare_quintile, or, where the survey gives none,
--                         persons ranked by hh_welfare_pc (below)
-- each crossed with sex (T, F, M).
-- Gaps (differences focus - reference, ratios focus / reference, design-based SEs from
-- sql/survey_gaps.sql): women vs men within every group ('sex'); within every sex, the group
-- contrasts of group_contrasts ('group'): informal - formal, agriculture - non_agriculture,
-- domestic - non_domestic, platform - non_platform, with_disability - without_disability,
-- youth - adult, Q1 - Q5, and each status in employment - employee.
--
-- Quintiles from hh_welfare_pc: households ranked by welfare per capita (ties by hh_id), each
-- weighted by the sum of its members' person weights; a household is in quintile
-- q = 1 + floor(5 (C - W_h / 2) / W), C the cumulative weight up to and including it, W_h its
-- weight, W the total (the quintile holding the household's midpoint): about 20% of persons in
-- each, households never split.
--
-- Plan: one scan of the person table (psu_cells, after the household values of person_values)
-- into the totals of every series per PSU and cell (sex x the eight group values); psu_domains
-- adds the cells of each domain up per PSU in one aggregation (series as columns), domain_psus
-- turns the series into rows; domain_moments and pair_moments are per stratum.
--
-- Inputs: persons (canonical person table of one survey); params (working_age_min,
-- youth_min_age, youth_max_age, wg_disability_cutoff, contributor_unasked_as_no,
-- si_<f>, sa_<f>, lm_<f> for each benefit function f: listed in the edition and present in the
-- survey); active_series(series), the series this survey can give.
-- Outputs: domain_moments, design_psus (the interface of sql/survey_variance.sql), gap_pairs,
-- pair_moments (of sql/survey_gaps.sql) and domains (domain_id -> breakdown, group, sex).

-- name: series_requirements
-- The variables each series needs (the World Bank series need their required functions: checked
-- by the caller from the edition's lists). The labour-market populations and the youth breakdown
-- need single years of age: a survey giving age in classes only cannot give them.
SELECT series, variable FROM (VALUES
    ('SP_CONTRIB_EMP', 'lf_status'), ('SP_CONTRIB_EMP', 'contributor'), ('SP_CONTRIB_EMP', 'age'),
    ('SP_CONTRIB_LF', 'lf_status'), ('SP_CONTRIB_LF', 'contributor'), ('SP_CONTRIB_LF', 'age'),
    ('SI_COV_BENFTS', 'contributor'), ('SI_COV_BENFTS', 'rec_child_family'),
    ('SI_COV_BENFTS', 'rec_maternity'), ('SI_COV_BENFTS', 'rec_sickness'), ('SI_COV_BENFTS', 'rec_disability'),
    ('SI_COV_BENFTS', 'rec_unemployment'), ('SI_COV_BENFTS', 'rec_oldage_contrib'),
    ('SI_COV_BENFTS', 'rec_oldage_noncontrib'), ('SI_COV_BENFTS', 'rec_survivors'),
    ('SI_COV_BENFTS', 'rec_employment_injury'), ('SI_COV_BENFTS', 'rec_social_assistance')
) AS t(series, variable)

-- name: breakdown_requirements
-- The variables each breakdown needs (an absent one: the breakdown is not computable).
SELECT breakdown, variable FROM (VALUES
    ('status_in_employment', 'status_in_employment'), ('status_in_employment', 'lf_status'),
    ('informality', 'informal_employment'), ('informality', 'lf_status'),
    ('agriculture', 'isic_section'), ('agriculture', 'lf_status'),
    ('domestic_work', 'domestic_worker'), ('domestic_work', 'lf_status'),
    ('platform_work', 'platform_worker'), ('platform_work', 'lf_status'),
    ('disability', 'wg_difficulty'), ('youth', 'age')
) AS t(breakdown, variable)

-- name: household_quintiles
-- Quintile of each household ranked by welfare per capita (header), for surveys whose persons
-- hold no welfare_quintile; empty otherwise.
SELECT
    hh_id,
    LEAST(5, 1 + CAST(FLOOR(5.0 * (cum_w - hh_w / 2.0) / total_w) AS INTEGER)) AS quintile
FROM (
    SELECT
        hh_id, hh_w,
        SUM(hh_w) OVER (ORDER BY welfare, hh_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_w,
        SUM(hh_w) OVER () AS total_w
    FROM (
        SELECT hh_id, MIN(hh_welfare_pc) AS welfare, SUM(person_weight) AS hh_w
        FROM persons
        WHERE hh_welfare_pc IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM persons AS q WHERE q.welfare_quintile IS NOT NULL)
        GROUP BY hh_id
    ) AS h
) AS r

-- include: person_coverage.sql
-- (person_coverage: each person with contributes and covered_any, the rules shared with
-- sql/sdg_1_3_1_survey.sql)

-- name: person_values [view]
-- Per person: weight, design, sex, the eight group values and, for every series, p_s (1 in the
-- population, 0 outside, NULL unknown) and y_s (covered, NULL unknown).
SELECT
    stratum, psu, w, sex,
    CASE WHEN employed THEN status_in_employment END AS g_status,
    CASE WHEN employed THEN CASE WHEN informal_employment THEN 'informal' WHEN NOT informal_employment THEN 'formal' END END AS g_informality,
    CASE WHEN employed THEN CASE WHEN isic_section = 'A' THEN 'agriculture' WHEN isic_section IS NOT NULL THEN 'non_agriculture' END END AS g_agriculture,
    CASE WHEN employed THEN CASE WHEN domestic_worker THEN 'domestic' WHEN NOT domestic_worker THEN 'non_domestic' END END AS g_domestic,
    CASE WHEN employed THEN CASE WHEN platform_worker THEN 'platform' WHEN NOT platform_worker THEN 'non_platform' END END AS g_platform,
    CASE WHEN wg_difficulty >= wg_disability_cutoff THEN 'with_disability' WHEN wg_difficulty < wg_disability_cutoff THEN 'without_disability' END AS g_disability,
    CASE WHEN age BETWEEN youth_min_age AND youth_max_age THEN 'youth' WHEN age > youth_max_age AND age >= working_age_min THEN 'adult' END AS g_youth,
    'Q' || CAST(quintile AS VARCHAR) AS g_quintile,
    CAST(employed AND working_age AS DOUBLE) AS p_contrib_emp,                 contributes AS y_contrib_emp,
    CAST((employed OR unemployed) AND working_age AS DOUBLE) AS p_contrib_lf,  contributes AS y_contrib_lf,
    1.0 AS p_benfts,                                                           y_benfts,
    1.0 AS p_socins,                                                           y_socins,
    1.0 AS p_socast,                                                           y_socast,
    1.0 AS p_lmkt,                                                             y_lmkt
FROM (
    SELECT
        p.*,
        p.person_weight AS w,
        p.lf_status = 'employed' AS employed,
        p.lf_status = 'unemployed' AS unemployed,
        p.age >= p.working_age_min AS working_age,
        COALESCE(p.welfare_quintile, hq.quintile) AS quintile,
        p.covered_any AS y_benfts,
        -- household values of the World Bank series: does any member receive (a flag missing for a
        -- member, e.g. not asked, counts as not received: ASPIRE counts the transfers recorded)
        MAX(CASE WHEN p.socins THEN 1 ELSE 0 END) OVER (PARTITION BY p.hh_id) = 1 AS y_socins,
        MAX(CASE WHEN p.socast THEN 1 ELSE 0 END) OVER (PARTITION BY p.hh_id) = 1 AS y_socast,
        MAX(CASE WHEN p.lmkt THEN 1 ELSE 0 END) OVER (PARTITION BY p.hh_id) = 1 AS y_lmkt
    FROM (
        SELECT
            persons.*,  -- person_coverage: persons, params, contributes, covered_any (sql/person_coverage.sql)
            (si_oldage_contrib AND rec_oldage_contrib) OR (si_survivors AND rec_survivors)
                OR (si_disability AND rec_disability) OR (si_employment_injury AND rec_employment_injury)
                OR (si_sickness AND rec_sickness) OR (si_maternity AND rec_maternity)
                OR (si_unemployment AND rec_unemployment) OR (si_child_family AND rec_child_family)
                OR (si_oldage_noncontrib AND rec_oldage_noncontrib) OR (si_social_assistance AND rec_social_assistance) AS socins,
            (sa_oldage_contrib AND rec_oldage_contrib) OR (sa_survivors AND rec_survivors)
                OR (sa_disability AND rec_disability) OR (sa_employment_injury AND rec_employment_injury)
                OR (sa_sickness AND rec_sickness) OR (sa_maternity AND rec_maternity)
                OR (sa_unemployment AND rec_unemployment) OR (sa_child_family AND rec_child_family)
                OR (sa_oldage_noncontrib AND rec_oldage_noncontrib) OR (sa_social_assistance AND rec_social_assistance) AS socast,
            (lm_oldage_contrib AND rec_oldage_contrib) OR (lm_survivors AND rec_survivors)
                OR (lm_disability AND rec_disability) OR (lm_employment_injury AND rec_employment_injury)
                OR (lm_sickness AND rec_sickness) OR (lm_maternity AND rec_maternity)
                OR (lm_unemployment AND rec_unemployment) OR (lm_child_family AND rec_child_family)
                OR (lm_oldage_noncontrib AND rec_oldage_noncontrib) OR (lm_social_assistance AND rec_social_assistance) AS lmkt
        FROM person_coverage AS persons
    ) AS p
    LEFT JOIN household_quintiles AS hq ON hq.hh_id = p.hh_id
) AS x

-- name: psu_cells
-- The one scan: per PSU and cell (sex x group values) and for every series s: b_s = sum of w and
-- n_s = persons over the members of P_s whose outcome is known, a_s and ny_s over those covered
-- (m_s = p_s [y_s known], c_s = p_s y_s; SUM skips NULL).
SELECT
    stratum, psu, sex, g_status, g_informality, g_agriculture, g_domestic, g_platform, g_disability, g_youth, g_quintile,
    SUM(w * m_contrib_emp) AS b_contrib_emp, SUM(w * c_contrib_emp) AS a_contrib_emp, SUM(m_contrib_emp) AS n_contrib_emp, SUM(c_contrib_emp) AS ny_contrib_emp,
    SUM(w * m_contrib_lf) AS b_contrib_lf,   SUM(w * c_contrib_lf) AS a_contrib_lf,   SUM(m_contrib_lf) AS n_contrib_lf,   SUM(c_contrib_lf) AS ny_contrib_lf,
    SUM(w * m_benfts) AS b_benfts,           SUM(w * c_benfts) AS a_benfts,           SUM(m_benfts) AS n_benfts,           SUM(c_benfts) AS ny_benfts,
    SUM(w * m_socins) AS b_socins,           SUM(w * c_socins) AS a_socins,           SUM(m_socins) AS n_socins,           SUM(c_socins) AS ny_socins,
    SUM(w * m_socast) AS b_socast,           SUM(w * c_socast) AS a_socast,           SUM(m_socast) AS n_socast,           SUM(c_socast) AS ny_socast,
    SUM(w * m_lmkt) AS b_lmkt,               SUM(w * c_lmkt) AS a_lmkt,               SUM(m_lmkt) AS n_lmkt,               SUM(c_lmkt) AS ny_lmkt
FROM (
    SELECT
        stratum, psu, w, sex, g_status, g_informality, g_agriculture, g_domestic, g_platform, g_disability, g_youth, g_quintile,
        p_contrib_emp * CAST(y_contrib_emp IS NOT NULL AS DOUBLE) AS m_contrib_emp, p_contrib_emp * CAST(y_contrib_emp AS DOUBLE) AS c_contrib_emp,
        p_contrib_lf * CAST(y_contrib_lf IS NOT NULL AS DOUBLE) AS m_contrib_lf,    p_contrib_lf * CAST(y_contrib_lf AS DOUBLE) AS c_contrib_lf,
        p_benfts * CAST(y_benfts IS NOT NULL AS DOUBLE) AS m_benfts,                p_benfts * CAST(y_benfts AS DOUBLE) AS c_benfts,
        p_socins * CAST(y_socins IS NOT NULL AS DOUBLE) AS m_socins,                p_socins * CAST(y_socins AS DOUBLE) AS c_socins,
        p_socast * CAST(y_socast IS NOT NULL AS DOUBLE) AS m_socast,                p_socast * CAST(y_socast AS DOUBLE) AS c_socast,
        p_lmkt * CAST(y_lmkt IS NOT NULL AS DOUBLE) AS m_lmkt,                      p_lmkt * CAST(y_lmkt AS DOUBLE) AS c_lmkt
    FROM person_values
) AS v
GROUP BY stratum, psu, sex, g_status, g_informality, g_agriculture, g_domestic, g_platform, g_disability, g_youth, g_quintile

-- name: breakdowns
SELECT * FROM (VALUES
    ('all'), ('status_in_employment'), ('informality'), ('agriculture'), ('domestic_work'),
    ('platform_work'), ('disability'), ('youth'), ('quintile')
) AS t(breakdown)

-- name: domain_cells [view]
-- Each cell in the domains that hold it: its group value in every breakdown, sex T and its own.
SELECT
    c.*, k.breakdown,
    CASE k.breakdown
        WHEN 'all' THEN 'T'
        WHEN 'status_in_employment' THEN c.g_status
        WHEN 'informality' THEN c.g_informality
        WHEN 'agriculture' THEN c.g_agriculture
        WHEN 'domestic_work' THEN c.g_domestic
        WHEN 'platform_work' THEN c.g_platform
        WHEN 'disability' THEN c.g_disability
        WHEN 'youth' THEN c.g_youth
        WHEN 'quintile' THEN c.g_quintile
    END AS grp,
    CASE WHEN s.own THEN c.sex ELSE 'T' END AS domain_sex
FROM psu_cells AS c
CROSS JOIN breakdowns AS k
CROSS JOIN (SELECT * FROM (VALUES (TRUE), (FALSE)) AS t(own)) AS s

-- name: psu_domains
-- Per PSU and domain (breakdown, group, sex): the totals of every series, adding up the cells
-- the domain holds (one aggregation; series stay columns).
SELECT
    stratum, psu, breakdown, grp, domain_sex AS sex,
    SUM(a_contrib_emp) AS a_contrib_emp, SUM(b_contrib_emp) AS b_contrib_emp, SUM(n_contrib_emp) AS n_contrib_emp, SUM(ny_contrib_emp) AS ny_contrib_emp,
    SUM(a_contrib_lf) AS a_contrib_lf,   SUM(b_contrib_lf) AS b_contrib_lf,   SUM(n_contrib_lf) AS n_contrib_lf,   SUM(ny_contrib_lf) AS ny_contrib_lf,
    SUM(a_benfts) AS a_benfts,           SUM(b_benfts) AS b_benfts,           SUM(n_benfts) AS n_benfts,           SUM(ny_benfts) AS ny_benfts,
    SUM(a_socins) AS a_socins,           SUM(b_socins) AS b_socins,           SUM(n_socins) AS n_socins,           SUM(ny_socins) AS ny_socins,
    SUM(a_socast) AS a_socast,           SUM(b_socast) AS b_socast,           SUM(n_socast) AS n_socast,           SUM(ny_socast) AS ny_socast,
    SUM(a_lmkt) AS a_lmkt,               SUM(b_lmkt) AS b_lmkt,               SUM(n_lmkt) AS n_lmkt,               SUM(ny_lmkt) AS ny_lmkt
FROM domain_cells
WHERE grp IS NOT NULL
GROUP BY stratum, psu, breakdown, grp, domain_sex

-- name: domain_psus
-- One row per series, domain and PSU holding domain members: the PSU totals a, b and the counts
-- (the interface rows of the variance and gap SQL). SP_CONTRIB_LF is kept for the groups of
-- persons (all, disability, youth, quintile); the World Bank series for sex T, in total and by
-- quintile.
SELECT x.series, x.breakdown, x.grp, x.sex, x.breakdown || '|' || x.grp || '|' || x.sex AS domain_id,
       x.stratum, x.psu, x.a, x.b, x.n, x.n_y
FROM (
    SELECT 'SP_CONTRIB_EMP', breakdown, grp, sex, stratum, psu, a_contrib_emp, b_contrib_emp, n_contrib_emp, ny_contrib_emp FROM psu_domains
    UNION ALL
    SELECT 'SP_CONTRIB_LF', breakdown, grp, sex, stratum, psu, a_contrib_lf, b_contrib_lf, n_contrib_lf, ny_contrib_lf FROM psu_domains
    WHERE breakdown IN ('all', 'disability', 'youth', 'quintile')
    UNION ALL
    SELECT 'SI_COV_BENFTS', breakdown, grp, sex, stratum, psu, a_benfts, b_benfts, n_benfts, ny_benfts FROM psu_domains
    UNION ALL
    SELECT 'SI_COV_SOCINS', breakdown, grp, sex, stratum, psu, a_socins, b_socins, n_socins, ny_socins FROM psu_domains
    WHERE sex = 'T' AND breakdown IN ('all', 'quintile')
    UNION ALL
    SELECT 'SI_COV_SOCAST', breakdown, grp, sex, stratum, psu, a_socast, b_socast, n_socast, ny_socast FROM psu_domains
    WHERE sex = 'T' AND breakdown IN ('all', 'quintile')
    UNION ALL
    SELECT 'SI_COV_LMKT', breakdown, grp, sex, stratum, psu, a_lmkt, b_lmkt, n_lmkt, ny_lmkt FROM psu_domains
    WHERE sex = 'T' AND breakdown IN ('all', 'quintile')
) AS x(series, breakdown, grp, sex, stratum, psu, a, b, n, n_y)
JOIN active_series AS s ON s.series = x.series
WHERE x.n > 0

-- name: domain_moments
-- The interface of survey_variance.sql: per series, domain and stratum, the moments of the PSU
-- totals.
SELECT series, domain_id, stratum,
       SUM(a) AS sa, SUM(b) AS sb, SUM(a * a) AS saa, SUM(a * b) AS sab, SUM(b * b) AS sbb,
       CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(n_y) AS BIGINT) AS n_y
FROM domain_psus
GROUP BY series, domain_id, stratum

-- name: domains
SELECT DISTINCT series, domain_id, breakdown, grp, sex FROM domain_psus

-- name: group_contrasts
-- The groups compared within each breakdown and sex: focus minus reference.
SELECT * FROM (VALUES
    ('informality', 'informal', 'formal'),
    ('agriculture', 'agriculture', 'non_agriculture'),
    ('domestic_work', 'domestic', 'non_domestic'),
    ('platform_work', 'platform', 'non_platform'),
    ('disability', 'with_disability', 'without_disability'),
    ('youth', 'youth', 'adult'),
    ('quintile', 'Q1', 'Q5'),
    ('status_in_employment', 'employer', 'employee'),
    ('status_in_employment', 'independent_without_employees', 'employee'),
    ('status_in_employment', 'dependent_contractor', 'employee'),
    ('status_in_employment', 'contributing_family_worker', 'employee')
) AS t(breakdown, focus, reference)

-- name: gap_pairs
-- Women vs men within every group; the group contrasts within every sex. Both domains must exist.
SELECT g.series, g.gap_id, g.gap_type, g.focus_id, g.reference_id
FROM (
    SELECT DISTINCT d.series, 'sex:' || d.breakdown || '|' || d.grp AS gap_id, 'sex' AS gap_type,
           d.breakdown || '|' || d.grp || '|F' AS focus_id, d.breakdown || '|' || d.grp || '|M' AS reference_id
    FROM domains AS d
    UNION ALL
    SELECT DISTINCT d.series, 'group:' || c.breakdown || '|' || c.focus || '|' || d.sex, 'group',
           c.breakdown || '|' || c.focus || '|' || d.sex, c.breakdown || '|' || c.reference || '|' || d.sex
    FROM domains AS d
    JOIN group_contrasts AS c ON c.breakdown = d.breakdown AND c.focus = d.grp
) AS g
JOIN domains AS f ON f.series = g.series AND f.domain_id = g.focus_id
JOIN domains AS r ON r.series = g.series AND r.domain_id = g.reference_id

-- name: pair_moments
-- Per pair and stratum: the cross moments of the focus's and the reference's PSU totals over
-- the PSUs holding both.
SELECT g.series, g.gap_id, f.stratum,
       SUM(f.a * r.a) AS s_afar, SUM(f.a * r.b) AS s_afbr, SUM(f.b * r.a) AS s_bfar, SUM(f.b * r.b) AS s_bfbr
FROM gap_pairs AS g
JOIN domain_psus AS f ON f.series = g.series AND f.domain_id = g.focus_id
JOIN domain_psus AS r ON r.series = g.series AND r.domain_id = g.reference_id AND r.stratum = f.stratum AND r.psu = f.psu
GROUP BY g.series, g.gap_id, f.stratum

-- name: design_psus
-- Every PSU of the design (psu_cells holds every person).
SELECT DISTINCT stratum, psu FROM psu_cells
