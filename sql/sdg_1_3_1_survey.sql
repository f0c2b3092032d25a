-- SDG 1.3.1 from survey microdata: every series x domain of one survey in one pass over the
-- canonical person table (schemas/survey_variables.py). UN SDG metadata 1.3.1 (ILO custodian;
-- 2021-01 edition, metadata update 2022-03-31), methodology notes section 1.3; the open choices
-- (child age band, working age, employment-injury denominator, age groups, breakdowns) are
-- editions in config/methods/sdg_1_3_1.yaml.
--
-- Effective coverage of series s in domain d = weighted share of the series population P_s in d
-- that is covered:  p_sd = sum_i w_i 1(i in P_s and d) y_si / sum_i w_i 1(i in P_s and d).
--
-- | series (columns)            | population P_s                                         | covered y_s                                   |
-- |-----------------------------|--------------------------------------------------------|-----------------------------------------------|
-- | SI_COV_BENFTS (benfts)      | everyone                                               | contributor or any cash benefit (rec_*)       |
-- | SI_COV_CHLD (chld)          | age <= child_max_age                                   | rec_child_family                              |
-- | SI_COV_MATNL (matnl)        | women who gave birth in the reference period           | rec_maternity  (female domains only)          |
-- | SI_COV_DISAB (disab)        | severe_disability                                      | rec_disability                                |
-- | SI_COV_UEMP (uemp)          | unemployed aged working_age_min+                       | rec_unemployment                              |
-- | SI_COV_PENSN (pensn)        | age >= statutory pensionable age of the person's sex   | rec_oldage_contrib or rec_oldage_noncontrib   |
-- | SI_COV_VULN (vuln)          | vulnerable: children; persons below pensionable age    | a flag of vulnerable_numerator_benefits       |
-- |                             | who neither contribute nor receive a contributory      |                                               |
-- |                             | benefit (below); persons at or above it without a      | (default social_assistance: metadata          |
-- |                             | contributory pension (rec_oldage_contrib)              | numerator; old_age: rec_oldage_noncontrib)    |
-- | SI_COV_POOR (poor)          | poor (below the national poverty line)                 | rec_social_assistance                         |
-- | SI_COV_WKINJRY (wkinjry)    | employed (or labour force, per edition) aged           | injury_insured                                |
-- |                             | working_age_min+                                       |                                               |
-- | SP_CONTRIB_LF (contrib_lf)  | labour force aged working_age_min+                     | contributor (active contributor)              |
-- | SP_CONTRIB_WAP (contrib_wap)| population aged working_age_min+                       | contributor (active contributor)              |
-- | SP_HEALTH_PROT (health)     | everyone                                               | health_protected                              |
--
-- SP_* are report series of the World Social Protection Report, not UN SDG series.
-- The labour-market populations (SI_COV_UEMP, SI_COV_WKINJRY, SP_CONTRIB_LF) are limited to
-- working_age_min+, as the administrative denominators (labour force statistics of persons 15+).
-- Contributory benefits (for the vulnerable population, as on the administrative side: config
-- contributory_benefits_working_age, shared by both sources) are the contributory old-age
-- pension (rec_oldage_contrib) and the rec_<type> flags of the benefit types the edition lists
-- (params cb_<type>); a survey flag does not say which scheme pays, so a listed type counts as
-- contributory for every recipient. With the edition's contributor_unasked_as_no, a missing
-- contributor flag outside employment counts as "no".
-- Flags combine with SQL's three-valued logic: a person whose covered flag (or population
-- membership) is unknown is left out of that series' domains but stays in the design.
--
-- Domains: sex (T, F, M) x nationality (T, national, non_national), for all ages and areas
-- ('T'), and again within each age group and each area when the edition's breakdowns ask for
-- them. A person whose nationality is missing counts in the nationality 'T' domains only; one
-- whose area is missing, or whose age is outside the age bands, in the 'T' breakdown only. A
-- person whose age is given as a class (age_class) is in the age group holding the class.
-- Gaps: female vs male within each nationality group, non-nationals vs nationals within each
-- sex, in every breakdown (SI_COV_MATNL: non-nationals vs nationals among women only).
--
-- Plan: one scan, then small tables. psu_cells reads the person table once and reduces it to the
-- totals of every series per PSU and cell, a cell being a combination of age group, area, sex and
-- nationality: b_<s> = sum of w over the members of the population of series s whose outcome is
-- known, a_<s> = the same over those covered, n_<s> and ny_<s> their unweighted counts (one column
-- per series: suffixes in the table above). A domain's PSU total is the sum of its cells', so
-- every moment the variance needs is a sum over cells or over pairs of cells of one PSU:
--   sum_j a_dj = sum_{c in d} sum_j a_cj                    (stratum_cells: per stratum and cell)
--   sum_j a_dj b_dj = sum_{c1, c2 in d} sum_j a_c1j b_c2j   (stratum_cell_pairs: per stratum and
--                                                            ordered pair of cells of one PSU)
-- and likewise a^2, b^2, and the cross moments of two compared domains f and r (c1 in f, c2 in r).
-- stratum_moments and stratum_pairs add them up per domain and per compared pair. Series stay
-- columns up to these per-stratum tables (thousands of rows), where domain_moments and
-- pair_moments turn them into rows and keep the series the survey can give.
-- The first block lists the variables each series needs: a survey where one of them is absent
-- (entirely missing) cannot give that series, which is then reported as not computable.
-- needed_for: NULL (always), contributory:<type> or vulnerable_numerator:<type> (needed only
-- when the edition lists <type> in contributory_benefits_working_age, resp.
-- vulnerable_numerator_benefits; these rows are the types an edition may list).
--
-- Inputs: persons (canonical person table of one survey); params (child_max_age,
-- working_age_min, wkinjry_labour_force, contributor_unasked_as_no, by_age_group,
-- by_urban_rural, cb_<type> / vn_<type> for each contributory:<type> /
-- vulnerable_numerator:<type> of series_requirements);
-- pensionable_age(sex, age), at most one row per sex; age_bands(age, label), one row per
-- single year of age; age_class_bands(age_class, label), the age group holding each age
-- class of a survey that gives age in classes only (age_class '<low>_<high>'; empty when a
-- class straddles two groups); active_series(series), the series this survey can give.
-- Outputs: domain_moments, design_psus (the interface of sql/survey_variance.sql), gap_pairs,
-- pair_moments (of sql/survey_gaps.sql) and domains (domain_id -> breakdown columns).

-- name: series_requirements

SELECT series, variable, needed_for FROM (VALUES
    ('SI_COV_BENFTS', 'contributor', CAST(NULL AS VARCHAR)), ('SI_COV_BENFTS', 'rec_child_family', NULL),
    ('SI_COV_BENFTS', 'rec_maternity', NULL), ('SI_COV_BENFTS', 'rec_sickness', NULL), ('SI_COV_BENFTS', 'rec_disability', NULL),
    ('SI_COV_BENFTS', 'rec_unemployment', NULL), ('SI_COV_BENFTS', 'rec_oldage_contrib', NULL),
    ('SI_COV_BENFTS', 'rec_oldage_noncontrib', NULL), ('SI_COV_BENFTS', 'rec_survivors', NULL),
    ('SI_COV_BENFTS', 'rec_employment_injury', NULL), ('SI_COV_BENFTS', 'rec_social_assistance', NULL),
    ('SI_COV_CHLD', 'rec_child_family', NULL),
    ('SI_COV_MATNL', 'gave_birth', NULL), ('SI_COV_MATNL', 'rec_maternity', NULL),
    ('SI_COV_DISAB', 'severe_disability', NULL), ('SI_COV_DISAB', 'rec_disability', NULL),
    ('SI_COV_UEMP', 'lf_status', NULL), ('SI_COV_UEMP', 'rec_unemployment', NULL),
    ('SI_COV_PENSN', 'rec_oldage_contrib', NULL), ('SI_COV_PENSN', 'rec_oldage_noncontrib', NULL),
    ('SI_COV_VULN', 'contributor', NULL), ('SI_COV_VULN', 'rec_oldage_contrib', NULL),
    ('SI_COV_VULN', 'rec_sickness', 'contributory:sickness'), ('SI_COV_VULN', 'rec_maternity', 'contributory:maternity'),
    ('SI_COV_VULN', 'rec_disability', 'contributory:disability'), ('SI_COV_VULN', 'rec_unemployment', 'contributory:unemployment'),
    ('SI_COV_VULN', 'rec_employment_injury', 'contributory:employment_injury'),
    ('SI_COV_VULN', 'rec_survivors', 'contributory:survivors'),
    ('SI_COV_VULN', 'rec_social_assistance', 'vulnerable_numerator:social_assistance'),
    ('SI_COV_VULN', 'rec_oldage_noncontrib', 'vulnerable_numerator:old_age'),
    ('SI_COV_VULN', 'rec_child_family', 'vulnerable_numerator:child_family'),
    ('SI_COV_VULN', 'rec_disability', 'vulnerable_numerator:disability'),
    ('SI_COV_VULN', 'rec_unemployment', 'vulnerable_numerator:unemployment'),
    ('SI_COV_VULN', 'rec_maternity', 'vulnerable_numerator:maternity'),
    ('SI_COV_VULN', 'rec_sickness', 'vulnerable_numerator:sickness'),
    ('SI_COV_VULN', 'rec_survivors', 'vulnerable_numerator:survivors'),
    ('SI_COV_VULN', 'rec_employment_injury', 'vulnerable_numerator:employment_injury'),
    ('SI_COV_POOR', 'poor', NULL), ('SI_COV_POOR', 'rec_social_assistance', NULL),
    ('SI_COV_WKINJRY', 'lf_status', NULL), ('SI_COV_WKINJRY', 'injury_insured', NULL),
    ('SP_CONTRIB_LF', 'lf_status', NULL), ('SP_CONTRIB_LF', 'contributor', NULL),
    ('SP_CONTRIB_WAP', 'contributor', NULL),
    ('SP_HEALTH_PROT', 'health_protected', NULL),
    -- populations bounded by single years of age (a survey giving age in classes cannot say)
    ('SI_COV_CHLD', 'age', NULL), ('SI_COV_UEMP', 'age', NULL), ('SI_COV_PENSN', 'age', NULL),
    ('SI_COV_VULN', 'age', NULL), ('SI_COV_WKINJRY', 'age', NULL), ('SP_CONTRIB_LF', 'age', NULL),
    ('SP_CONTRIB_WAP', 'age', NULL)
) AS t(series, variable, needed_for)

-- include: person_coverage.sql
-- (person_coverage: each person with contributes and covered_any, the rules shared with
-- sql/groups_survey.sql)

-- name: psu_cells
-- The one scan of the person table. Per PSU and cell (age group and area: NULL when their
-- breakdown is off, the age outside the configured bands or the area missing; nationality: NULL
-- when missing) and for every series s: b_s = sum of w and n_s = persons over the members of P_s
-- whose outcome is known, a_s = sum of w and ny_s = persons over those covered.
-- Per person, p_s = 1 in the population P_s, 0 outside it, NULL when membership is unknown
-- (three-valued logic, then a number); y_s = the outcome (NULL unknown); m_s = p_s * [y_s known]
-- and c_s = p_s * y_s: 1 for a member with a known outcome (covered), 0 or NULL otherwise. SUM
-- skips NULL and adds 0, so unknown membership or outcome leaves a person out of the series.
-- (Products of 0/1 doubles cost DuckDB a fraction of a three-valued AND: same sums.)
SELECT
    stratum, psu, age_group, urban_rural, sex, nationality,
    SUM(w * m_benfts) AS b_benfts,           SUM(w * c_benfts) AS a_benfts,           SUM(m_benfts) AS n_benfts,           SUM(c_benfts) AS ny_benfts,
    SUM(w * m_chld) AS b_chld,               SUM(w * c_chld) AS a_chld,               SUM(m_chld) AS n_chld,               SUM(c_chld) AS ny_chld,
    SUM(w * m_matnl) AS b_matnl,             SUM(w * c_matnl) AS a_matnl,             SUM(m_matnl) AS n_matnl,             SUM(c_matnl) AS ny_matnl,
    SUM(w * m_disab) AS b_disab,             SUM(w * c_disab) AS a_disab,             SUM(m_disab) AS n_disab,             SUM(c_disab) AS ny_disab,
    SUM(w * m_uemp) AS b_uemp,               SUM(w * c_uemp) AS a_uemp,               SUM(m_uemp) AS n_uemp,               SUM(c_uemp) AS ny_uemp,
    SUM(w * m_pensn) AS b_pensn,             SUM(w * c_pensn) AS a_pensn,             SUM(m_pensn) AS n_pensn,             SUM(c_pensn) AS ny_pensn,
    SUM(w * m_vuln) AS b_vuln,               SUM(w * c_vuln) AS a_vuln,               SUM(m_vuln) AS n_vuln,               SUM(c_vuln) AS ny_vuln,
    SUM(w * m_poor) AS b_poor,               SUM(w * c_poor) AS a_poor,               SUM(m_poor) AS n_poor,               SUM(c_poor) AS ny_poor,
    SUM(w * m_wkinjry) AS b_wkinjry,         SUM(w * c_wkinjry) AS a_wkinjry,         SUM(m_wkinjry) AS n_wkinjry,         SUM(c_wkinjry) AS ny_wkinjry,
    SUM(w * m_contrib_lf) AS b_contrib_lf,   SUM(w * c_contrib_lf) AS a_contrib_lf,   SUM(m_contrib_lf) AS n_contrib_lf,   SUM(c_contrib_lf) AS ny_contrib_lf,
    SUM(w * m_contrib_wap) AS b_contrib_wap, SUM(w * c_contrib_wap) AS a_contrib_wap, SUM(m_contrib_wap) AS n_contrib_wap, SUM(c_contrib_wap) AS ny_contrib_wap,
    SUM(w * m_health) AS b_health,           SUM(w * c_health) AS a_health,           SUM(m_health) AS n_health,           SUM(c_health) AS ny_health
FROM (
    SELECT
        stratum, psu, w, age_group, urban_rural, sex, nationality,
        p_benfts * CAST(y_benfts IS NOT NULL AS DOUBLE) AS m_benfts,                p_benfts * CAST(y_benfts AS DOUBLE) AS c_benfts,
        p_chld * CAST(y_chld IS NOT NULL AS DOUBLE) AS m_chld,                      p_chld * CAST(y_chld AS DOUBLE) AS c_chld,
        p_matnl * CAST(y_matnl IS NOT NULL AS DOUBLE) AS m_matnl,                   p_matnl * CAST(y_matnl AS DOUBLE) AS c_matnl,
        p_disab * CAST(y_disab IS NOT NULL AS DOUBLE) AS m_disab,                   p_disab * CAST(y_disab AS DOUBLE) AS c_disab,
        p_uemp * CAST(y_uemp IS NOT NULL AS DOUBLE) AS m_uemp,                      p_uemp * CAST(y_uemp AS DOUBLE) AS c_uemp,
        p_pensn * CAST(y_pensn IS NOT NULL AS DOUBLE) AS m_pensn,                   p_pensn * CAST(y_pensn AS DOUBLE) AS c_pensn,
        p_vuln * CAST(y_vuln IS NOT NULL AS DOUBLE) AS m_vuln,                      p_vuln * CAST(y_vuln AS DOUBLE) AS c_vuln,
        p_poor * CAST(y_poor IS NOT NULL AS DOUBLE) AS m_poor,                      p_poor * CAST(y_poor AS DOUBLE) AS c_poor,
        p_wkinjry * CAST(y_wkinjry IS NOT NULL AS DOUBLE) AS m_wkinjry,             p_wkinjry * CAST(y_wkinjry AS DOUBLE) AS c_wkinjry,
        p_contrib_lf * CAST(y_contrib_lf IS NOT NULL AS DOUBLE) AS m_contrib_lf,    p_contrib_lf * CAST(y_contrib_lf AS DOUBLE) AS c_contrib_lf,
        p_contrib_wap * CAST(y_contrib_wap IS NOT NULL AS DOUBLE) AS m_contrib_wap, p_contrib_wap * CAST(y_contrib_wap AS DOUBLE) AS c_contrib_wap,
        p_health * CAST(y_health IS NOT NULL AS DOUBLE) AS m_health,                p_health * CAST(y_health AS DOUBLE) AS c_health
    FROM (
        SELECT
            stratum, psu, w, age_group, urban_rural, sex, nationality,
            1.0 AS p_benfts,                                                                                                                                               y_benfts,
            CAST(is_child AS DOUBLE) AS p_chld,                                                                                                                            rec_child_family AS y_chld,
            CAST(sex = 'F' AS DOUBLE) * CAST(gave_birth AS DOUBLE) AS p_matnl,                                                                                             rec_maternity AS y_matnl,
            CAST(severe_disability AS DOUBLE) AS p_disab,                                                                                                                  rec_disability AS y_disab,
            CAST(working_age AS DOUBLE) * CAST(unemployed AS DOUBLE) AS p_uemp,                                                                                            rec_unemployment AS y_uemp,
            CAST(above_pension_age AS DOUBLE) AS p_pensn,                                                                                                                  y_pensn,
            CAST(is_child OR (NOT above_pension_age AND NOT (contributes OR contributory_benefit)) OR (above_pension_age AND NOT rec_oldage_contrib) AS DOUBLE) AS p_vuln, y_vuln,
            CAST(poor AS DOUBLE) AS p_poor,                                                                                                                                rec_social_assistance AS y_poor,
            CAST(working_age AS DOUBLE) * CAST(employed OR (wkinjry_labour_force AND unemployed) AS DOUBLE) AS p_wkinjry,                                                  injury_insured AS y_wkinjry,
            CAST(working_age AS DOUBLE) * CAST(employed OR unemployed AS DOUBLE) AS p_contrib_lf,                                                                          contributes AS y_contrib_lf,
            CAST(working_age AS DOUBLE) AS p_contrib_wap,                                                                                                                  contributes AS y_contrib_wap,
            1.0 AS p_health,                                                                                                                                               health_protected AS y_health
        FROM (
            SELECT
                p.stratum, p.psu, p.person_weight AS w, p.sex, p.nationality, p.gave_birth, p.severe_disability, p.poor,
                p.rec_child_family, p.rec_maternity, p.rec_disability, p.rec_unemployment, p.rec_oldage_contrib,
                p.rec_social_assistance, p.injury_insured, p.health_protected, p.wkinjry_labour_force, p.contributes,
                p.lf_status = 'employed' AS employed,
                p.lf_status = 'unemployed' AS unemployed,
                CASE WHEN p.by_age_group THEN COALESCE(b.label, c.label) END AS age_group,
                CASE WHEN p.by_urban_rural THEN p.urban_rural END AS urban_rural,
                p.age <= p.child_max_age AS is_child,
                p.age >= p.working_age_min AS working_age,
                p.age >= CASE WHEN p.sex = 'F' THEN a.pension_age_f ELSE a.pension_age_m END AS above_pension_age,
                p.rec_oldage_contrib OR p.rec_oldage_noncontrib AS y_pensn,
                p.covered_any AS y_benfts,
                -- contributory benefits: the contributory old-age pension and the listed types
                p.rec_oldage_contrib
                    OR (p.cb_sickness AND p.rec_sickness) OR (p.cb_maternity AND p.rec_maternity)
                    OR (p.cb_disability AND p.rec_disability) OR (p.cb_unemployment AND p.rec_unemployment)
                    OR (p.cb_employment_injury AND p.rec_employment_injury)
                    OR (p.cb_survivors AND p.rec_survivors) AS contributory_benefit,
                -- benefits counted for the vulnerable (SI_COV_VULN numerator): the listed types
                (p.vn_social_assistance AND p.rec_social_assistance) OR (p.vn_old_age AND p.rec_oldage_noncontrib)
                    OR (p.vn_child_family AND p.rec_child_family) OR (p.vn_disability AND p.rec_disability)
                    OR (p.vn_unemployment AND p.rec_unemployment) OR (p.vn_maternity AND p.rec_maternity)
                    OR (p.vn_sickness AND p.rec_sickness) OR (p.vn_survivors AND p.rec_survivors)
                    OR (p.vn_employment_injury AND p.rec_employment_injury) AS y_vuln
            -- contributes and covered_any: sql/person_coverage.sql
            FROM person_coverage AS p
            -- the statutory pensionable age of each sex
            CROSS JOIN (
                SELECT MAX(CASE WHEN sex = 'F' THEN age END) AS pension_age_f, MAX(CASE WHEN sex = 'M' THEN age END) AS pension_age_m
                FROM pensionable_age
            ) AS a
            LEFT JOIN age_bands AS b ON b.age = p.age
            LEFT JOIN age_class_bands AS c ON c.age_class = p.age_class
        ) AS x
    ) AS s
) AS c
GROUP BY stratum, psu, age_group, urban_rural, sex, nationality

-- name: cell_domains
-- The sex x nationality domains, sex (T, F, M) x nationality (T, national, non_national), that
-- hold each cell. A person whose nationality is missing counts in the nationality 'T' domains
-- only.
SELECT * FROM (VALUES
    ('F', 'national', 'T', 'T'), ('F', 'national', 'F', 'T'), ('F', 'national', 'T', 'national'), ('F', 'national', 'F', 'national'),
    ('F', 'non_national', 'T', 'T'), ('F', 'non_national', 'F', 'T'), ('F', 'non_national', 'T', 'non_national'), ('F', 'non_national', 'F', 'non_national'),
    ('F', NULL, 'T', 'T'), ('F', NULL, 'F', 'T'),
    ('M', 'national', 'T', 'T'), ('M', 'national', 'M', 'T'), ('M', 'national', 'T', 'national'), ('M', 'national', 'M', 'national'),
    ('M', 'non_national', 'T', 'T'), ('M', 'non_national', 'M', 'T'), ('M', 'non_national', 'T', 'non_national'), ('M', 'non_national', 'M', 'non_national'),
    ('M', NULL, 'T', 'T'), ('M', NULL, 'M', 'T')
) AS t(cell_sex, cell_nationality, sex, nationality)

-- name: breakdowns
-- The breakdowns of every domain: all ages and areas ('all'), the age group, the area. A cell
-- counts in a breakdown when psu_cells holds its value (age group, area); in 'all' always.
SELECT * FROM (VALUES ('all'), ('age_group'), ('urban_rural')) AS t(breakdown)

-- name: stratum_cells
-- Per stratum, breakdown value and cell: the linear sums of the PSU totals and the counts.
SELECT
    c.stratum,
    CASE WHEN k.breakdown = 'age_group' THEN c.age_group ELSE 'T' END AS age_group,
    CASE WHEN k.breakdown = 'urban_rural' THEN c.urban_rural ELSE 'T' END AS urban_rural,
    c.sex, c.nationality,
    SUM(c.a_benfts) AS sa_benfts,           SUM(c.b_benfts) AS sb_benfts,           SUM(c.n_benfts) AS n_benfts,           SUM(c.ny_benfts) AS ny_benfts,
    SUM(c.a_chld) AS sa_chld,               SUM(c.b_chld) AS sb_chld,               SUM(c.n_chld) AS n_chld,               SUM(c.ny_chld) AS ny_chld,
    SUM(c.a_matnl) AS sa_matnl,             SUM(c.b_matnl) AS sb_matnl,             SUM(c.n_matnl) AS n_matnl,             SUM(c.ny_matnl) AS ny_matnl,
    SUM(c.a_disab) AS sa_disab,             SUM(c.b_disab) AS sb_disab,             SUM(c.n_disab) AS n_disab,             SUM(c.ny_disab) AS ny_disab,
    SUM(c.a_uemp) AS sa_uemp,               SUM(c.b_uemp) AS sb_uemp,               SUM(c.n_uemp) AS n_uemp,               SUM(c.ny_uemp) AS ny_uemp,
    SUM(c.a_pensn) AS sa_pensn,             SUM(c.b_pensn) AS sb_pensn,             SUM(c.n_pensn) AS n_pensn,             SUM(c.ny_pensn) AS ny_pensn,
    SUM(c.a_vuln) AS sa_vuln,               SUM(c.b_vuln) AS sb_vuln,               SUM(c.n_vuln) AS n_vuln,               SUM(c.ny_vuln) AS ny_vuln,
    SUM(c.a_poor) AS sa_poor,               SUM(c.b_poor) AS sb_poor,               SUM(c.n_poor) AS n_poor,               SUM(c.ny_poor) AS ny_poor,
    SUM(c.a_wkinjry) AS sa_wkinjry,         SUM(c.b_wkinjry) AS sb_wkinjry,         SUM(c.n_wkinjry) AS n_wkinjry,         SUM(c.ny_wkinjry) AS ny_wkinjry,
    SUM(c.a_contrib_lf) AS sa_contrib_lf,   SUM(c.b_contrib_lf) AS sb_contrib_lf,   SUM(c.n_contrib_lf) AS n_contrib_lf,   SUM(c.ny_contrib_lf) AS ny_contrib_lf,
    SUM(c.a_contrib_wap) AS sa_contrib_wap, SUM(c.b_contrib_wap) AS sb_contrib_wap, SUM(c.n_contrib_wap) AS n_contrib_wap, SUM(c.ny_contrib_wap) AS ny_contrib_wap,
    SUM(c.a_health) AS sa_health,           SUM(c.b_health) AS sb_health,           SUM(c.n_health) AS n_health,           SUM(c.ny_health) AS ny_health
FROM psu_cells AS c
CROSS JOIN breakdowns AS k
WHERE k.breakdown = 'all' OR (k.breakdown = 'age_group' AND c.age_group IS NOT NULL) OR (k.breakdown = 'urban_rural' AND c.urban_rural IS NOT NULL)
GROUP BY
    c.stratum,
    CASE WHEN k.breakdown = 'age_group' THEN c.age_group ELSE 'T' END,
    CASE WHEN k.breakdown = 'urban_rural' THEN c.urban_rural ELSE 'T' END,
    c.sex, c.nationality

-- name: psu_parts [view]
-- The parts of the PSU totals that the cell pairs below multiply: for the domains over all ages
-- (age_group 'T'), each PSU's cells added up over the age groups (rows of psu_cells without an
-- age group are already such cells); for each age group, the rows of psu_cells of that group.
-- A part may be one of several rows adding up to a cell (e.g. a PSU spanning both areas).
SELECT
    stratum, psu, 'T' AS age_group, urban_rural, sex, nationality,
    a_benfts, b_benfts, a_chld, b_chld, a_matnl, b_matnl, a_disab, b_disab,
    a_uemp, b_uemp, a_pensn, b_pensn, a_vuln, b_vuln, a_poor, b_poor,
    a_wkinjry, b_wkinjry, a_contrib_lf, b_contrib_lf, a_contrib_wap, b_contrib_wap, a_health, b_health
FROM psu_cells
WHERE age_group IS NULL
UNION ALL
SELECT
    stratum, psu, 'T', urban_rural, sex, nationality,
    SUM(a_benfts) AS a_benfts, SUM(b_benfts) AS b_benfts, SUM(a_chld) AS a_chld, SUM(b_chld) AS b_chld, SUM(a_matnl) AS a_matnl, SUM(b_matnl) AS b_matnl,
    SUM(a_disab) AS a_disab, SUM(b_disab) AS b_disab, SUM(a_uemp) AS a_uemp, SUM(b_uemp) AS b_uemp, SUM(a_pensn) AS a_pensn, SUM(b_pensn) AS b_pensn,
    SUM(a_vuln) AS a_vuln, SUM(b_vuln) AS b_vuln, SUM(a_poor) AS a_poor, SUM(b_poor) AS b_poor, SUM(a_wkinjry) AS a_wkinjry, SUM(b_wkinjry) AS b_wkinjry,
    SUM(a_contrib_lf) AS a_contrib_lf, SUM(b_contrib_lf) AS b_contrib_lf, SUM(a_contrib_wap) AS a_contrib_wap, SUM(b_contrib_wap) AS b_contrib_wap, SUM(a_health) AS a_health, SUM(b_health) AS b_health
FROM psu_cells
WHERE age_group IS NOT NULL
GROUP BY stratum, psu, urban_rural, sex, nationality
UNION ALL
SELECT
    stratum, psu, age_group, urban_rural, sex, nationality,
    a_benfts, b_benfts, a_chld, b_chld, a_matnl, b_matnl, a_disab, b_disab,
    a_uemp, b_uemp, a_pensn, b_pensn, a_vuln, b_vuln, a_poor, b_poor,
    a_wkinjry, b_wkinjry, a_contrib_lf, b_contrib_lf, a_contrib_wap, b_contrib_wap, a_health, b_health
FROM psu_cells
WHERE age_group IS NOT NULL

-- name: stratum_cell_pairs
-- Per stratum, breakdown value and ordered pair of sex x nationality cells (c1, c2): the sums
-- over PSUs of the products of their PSU totals, sum_j a_c1 a_c2, a_c1 b_c2, b_c1 a_c2, b_c1 b_c2.
-- Where a PSU total adds up several parts, the product of two totals is the sum of the products
-- of their parts, so the pairs are taken between the parts of one PSU and age group ('T': all
-- ages): all of them for the domains over all ages and areas, those of the same area for the
-- area breakdown, and those of one age group for the age breakdown.
SELECT
    c1.stratum,
    c1.age_group,
    CASE WHEN k.breakdown = 'urban_rural' THEN c1.urban_rural ELSE 'T' END AS urban_rural,
    c1.sex AS sex1, c1.nationality AS nationality1, c2.sex AS sex2, c2.nationality AS nationality2,
    SUM(c1.a_benfts * c2.a_benfts) AS aa_benfts,                SUM(c1.a_benfts * c2.b_benfts) AS ab_benfts,                SUM(c1.b_benfts * c2.a_benfts) AS ba_benfts,                SUM(c1.b_benfts * c2.b_benfts) AS bb_benfts,
    SUM(c1.a_chld * c2.a_chld) AS aa_chld,                      SUM(c1.a_chld * c2.b_chld) AS ab_chld,                      SUM(c1.b_chld * c2.a_chld) AS ba_chld,                      SUM(c1.b_chld * c2.b_chld) AS bb_chld,
    SUM(c1.a_matnl * c2.a_matnl) AS aa_matnl,                   SUM(c1.a_matnl * c2.b_matnl) AS ab_matnl,                   SUM(c1.b_matnl * c2.a_matnl) AS ba_matnl,                   SUM(c1.b_matnl * c2.b_matnl) AS bb_matnl,
    SUM(c1.a_disab * c2.a_disab) AS aa_disab,                   SUM(c1.a_disab * c2.b_disab) AS ab_disab,                   SUM(c1.b_disab * c2.a_disab) AS ba_disab,                   SUM(c1.b_disab * c2.b_disab) AS bb_disab,
    SUM(c1.a_uemp * c2.a_uemp) AS aa_uemp,                      SUM(c1.a_uemp * c2.b_uemp) AS ab_uemp,                      SUM(c1.b_uemp * c2.a_uemp) AS ba_uemp,                      SUM(c1.b_uemp * c2.b_uemp) AS bb_uemp,
    SUM(c1.a_pensn * c2.a_pensn) AS aa_pensn,                   SUM(c1.a_pensn * c2.b_pensn) AS ab_pensn,                   SUM(c1.b_pensn * c2.a_pensn) AS ba_pensn,                   SUM(c1.b_pensn * c2.b_pensn) AS bb_pensn,
    SUM(c1.a_vuln * c2.a_vuln) AS aa_vuln,                      SUM(c1.a_vuln * c2.b_vuln) AS ab_vuln,                      SUM(c1.b_vuln * c2.a_vuln) AS ba_vuln,                      SUM(c1.b_vuln * c2.b_vuln) AS bb_vuln,
    SUM(c1.a_poor * c2.a_poor) AS aa_poor,                      SUM(c1.a_poor * c2.b_poor) AS ab_poor,                      SUM(c1.b_poor * c2.a_poor) AS ba_poor,                      SUM(c1.b_poor * c2.b_poor) AS bb_poor,
    SUM(c1.a_wkinjry * c2.a_wkinjry) AS aa_wkinjry,             SUM(c1.a_wkinjry * c2.b_wkinjry) AS ab_wkinjry,             SUM(c1.b_wkinjry * c2.a_wkinjry) AS ba_wkinjry,             SUM(c1.b_wkinjry * c2.b_wkinjry) AS bb_wkinjry,
    SUM(c1.a_contrib_lf * c2.a_contrib_lf) AS aa_contrib_lf,    SUM(c1.a_contrib_lf * c2.b_contrib_lf) AS ab_contrib_lf,    SUM(c1.b_contrib_lf * c2.a_contrib_lf) AS ba_contrib_lf,    SUM(c1.b_contrib_lf * c2.b_contrib_lf) AS bb_contrib_lf,
    SUM(c1.a_contrib_wap * c2.a_contrib_wap) AS aa_contrib_wap, SUM(c1.a_contrib_wap * c2.b_contrib_wap) AS ab_contrib_wap, SUM(c1.b_contrib_wap * c2.a_contrib_wap) AS ba_contrib_wap, SUM(c1.b_contrib_wap * c2.b_contrib_wap) AS bb_contrib_wap,
    SUM(c1.a_health * c2.a_health) AS aa_health,                SUM(c1.a_health * c2.b_health) AS ab_health,                SUM(c1.b_health * c2.a_health) AS ba_health,                SUM(c1.b_health * c2.b_health) AS bb_health
FROM psu_parts AS c1
JOIN psu_parts AS c2 ON c2.stratum = c1.stratum AND c2.psu = c1.psu AND c2.age_group = c1.age_group
CROSS JOIN breakdowns AS k
WHERE (k.breakdown = 'all' AND c1.age_group = 'T')
    OR (k.breakdown = 'urban_rural' AND c1.age_group = 'T' AND c1.urban_rural IS NOT NULL AND c2.urban_rural = c1.urban_rural)
    OR (k.breakdown = 'age_group' AND c1.age_group <> 'T')
GROUP BY
    c1.stratum,
    c1.age_group,
    CASE WHEN k.breakdown = 'urban_rural' THEN c1.urban_rural ELSE 'T' END,
    c1.sex, c1.nationality, c2.sex, c2.nationality

-- name: stratum_moments
-- Per stratum and domain (sex x nationality x age group x area): sa = sum_j a_j, sb = sum_j b_j,
-- the counts, and the quadratic moments saa = sum_j a_j^2, sab = sum_j a_j b_j, sbb = sum_j b_j^2
-- of the domain's PSU totals a_j = sum over its cells (a_j^2 = sum over pairs of its cells).
SELECT
    l.*,
    q.saa_benfts,      q.sab_benfts,      q.sbb_benfts,
    q.saa_chld,        q.sab_chld,        q.sbb_chld,
    q.saa_matnl,       q.sab_matnl,       q.sbb_matnl,
    q.saa_disab,       q.sab_disab,       q.sbb_disab,
    q.saa_uemp,        q.sab_uemp,        q.sbb_uemp,
    q.saa_pensn,       q.sab_pensn,       q.sbb_pensn,
    q.saa_vuln,        q.sab_vuln,        q.sbb_vuln,
    q.saa_poor,        q.sab_poor,        q.sbb_poor,
    q.saa_wkinjry,     q.sab_wkinjry,     q.sbb_wkinjry,
    q.saa_contrib_lf,  q.sab_contrib_lf,  q.sbb_contrib_lf,
    q.saa_contrib_wap, q.sab_contrib_wap, q.sbb_contrib_wap,
    q.saa_health,      q.sab_health,      q.sbb_health
FROM (
    SELECT
        c.stratum, c.age_group, c.urban_rural, d.sex, d.nationality,
        SUM(c.sa_benfts) AS sa_benfts,           SUM(c.sb_benfts) AS sb_benfts,           SUM(c.n_benfts) AS n_benfts,           SUM(c.ny_benfts) AS ny_benfts,
        SUM(c.sa_chld) AS sa_chld,               SUM(c.sb_chld) AS sb_chld,               SUM(c.n_chld) AS n_chld,               SUM(c.ny_chld) AS ny_chld,
        SUM(c.sa_matnl) AS sa_matnl,             SUM(c.sb_matnl) AS sb_matnl,             SUM(c.n_matnl) AS n_matnl,             SUM(c.ny_matnl) AS ny_matnl,
        SUM(c.sa_disab) AS sa_disab,             SUM(c.sb_disab) AS sb_disab,             SUM(c.n_disab) AS n_disab,             SUM(c.ny_disab) AS ny_disab,
        SUM(c.sa_uemp) AS sa_uemp,               SUM(c.sb_uemp) AS sb_uemp,               SUM(c.n_uemp) AS n_uemp,               SUM(c.ny_uemp) AS ny_uemp,
        SUM(c.sa_pensn) AS sa_pensn,             SUM(c.sb_pensn) AS sb_pensn,             SUM(c.n_pensn) AS n_pensn,             SUM(c.ny_pensn) AS ny_pensn,
        SUM(c.sa_vuln) AS sa_vuln,               SUM(c.sb_vuln) AS sb_vuln,               SUM(c.n_vuln) AS n_vuln,               SUM(c.ny_vuln) AS ny_vuln,
        SUM(c.sa_poor) AS sa_poor,               SUM(c.sb_poor) AS sb_poor,               SUM(c.n_poor) AS n_poor,               SUM(c.ny_poor) AS ny_poor,
        SUM(c.sa_wkinjry) AS sa_wkinjry,         SUM(c.sb_wkinjry) AS sb_wkinjry,         SUM(c.n_wkinjry) AS n_wkinjry,         SUM(c.ny_wkinjry) AS ny_wkinjry,
        SUM(c.sa_contrib_lf) AS sa_contrib_lf,   SUM(c.sb_contrib_lf) AS sb_contrib_lf,   SUM(c.n_contrib_lf) AS n_contrib_lf,   SUM(c.ny_contrib_lf) AS ny_contrib_lf,
        SUM(c.sa_contrib_wap) AS sa_contrib_wap, SUM(c.sb_contrib_wap) AS sb_contrib_wap, SUM(c.n_contrib_wap) AS n_contrib_wap, SUM(c.ny_contrib_wap) AS ny_contrib_wap,
        SUM(c.sa_health) AS sa_health,           SUM(c.sb_health) AS sb_health,           SUM(c.n_health) AS n_health,           SUM(c.ny_health) AS ny_health
    FROM stratum_cells AS c
    JOIN cell_domains AS d ON d.cell_sex = c.sex AND d.cell_nationality IS NOT DISTINCT FROM c.nationality
    GROUP BY c.stratum, c.age_group, c.urban_rural, d.sex, d.nationality
) AS l
JOIN (
    SELECT
        q.stratum, q.age_group, q.urban_rural, d1.sex, d1.nationality,
        SUM(q.aa_benfts) AS saa_benfts,           SUM(q.ab_benfts) AS sab_benfts,           SUM(q.bb_benfts) AS sbb_benfts,
        SUM(q.aa_chld) AS saa_chld,               SUM(q.ab_chld) AS sab_chld,               SUM(q.bb_chld) AS sbb_chld,
        SUM(q.aa_matnl) AS saa_matnl,             SUM(q.ab_matnl) AS sab_matnl,             SUM(q.bb_matnl) AS sbb_matnl,
        SUM(q.aa_disab) AS saa_disab,             SUM(q.ab_disab) AS sab_disab,             SUM(q.bb_disab) AS sbb_disab,
        SUM(q.aa_uemp) AS saa_uemp,               SUM(q.ab_uemp) AS sab_uemp,               SUM(q.bb_uemp) AS sbb_uemp,
        SUM(q.aa_pensn) AS saa_pensn,             SUM(q.ab_pensn) AS sab_pensn,             SUM(q.bb_pensn) AS sbb_pensn,
        SUM(q.aa_vuln) AS saa_vuln,               SUM(q.ab_vuln) AS sab_vuln,               SUM(q.bb_vuln) AS sbb_vuln,
        SUM(q.aa_poor) AS saa_poor,               SUM(q.ab_poor) AS sab_poor,               SUM(q.bb_poor) AS sbb_poor,
        SUM(q.aa_wkinjry) AS saa_wkinjry,         SUM(q.ab_wkinjry) AS sab_wkinjry,         SUM(q.bb_wkinjry) AS sbb_wkinjry,
        SUM(q.aa_contrib_lf) AS saa_contrib_lf,   SUM(q.ab_contrib_lf) AS sab_contrib_lf,   SUM(q.bb_contrib_lf) AS sbb_contrib_lf,
        SUM(q.aa_contrib_wap) AS saa_contrib_wap, SUM(q.ab_contrib_wap) AS sab_contrib_wap, SUM(q.bb_contrib_wap) AS sbb_contrib_wap,
        SUM(q.aa_health) AS saa_health,           SUM(q.ab_health) AS sab_health,           SUM(q.bb_health) AS sbb_health
    FROM stratum_cell_pairs AS q
    JOIN cell_domains AS d1 ON d1.cell_sex = q.sex1 AND d1.cell_nationality IS NOT DISTINCT FROM q.nationality1
    JOIN cell_domains AS d2 ON d2.cell_sex = q.sex2 AND d2.cell_nationality IS NOT DISTINCT FROM q.nationality2
        AND d2.sex = d1.sex AND d2.nationality = d1.nationality
    GROUP BY q.stratum, q.age_group, q.urban_rural, d1.sex, d1.nationality
) AS q
    ON q.stratum = l.stratum AND q.age_group = l.age_group AND q.urban_rural = l.urban_rural
    AND q.sex = l.sex AND q.nationality = l.nationality

-- name: domain_moments
-- One row per series, domain and stratum holding members of the domain: the interface of
-- survey_variance.sql. domain_id = sex|nationality|age_group|urban_rural. SI_COV_MATNL keeps its
-- female domains only.
SELECT
    x.series,
    x.sex || '|' || x.nationality || '|' || x.age_group || '|' || x.urban_rural AS domain_id,
    x.sex, x.nationality, x.age_group, x.urban_rural, x.stratum,
    x.sa, x.sb, x.saa, x.sab, x.sbb, CAST(x.n AS BIGINT) AS n, CAST(x.n_y AS BIGINT) AS n_y
FROM (
    SELECT 'SI_COV_BENFTS',  stratum, age_group, urban_rural, sex, nationality, sa_benfts, sb_benfts, saa_benfts, sab_benfts, sbb_benfts, n_benfts, ny_benfts FROM stratum_moments
    UNION ALL
    SELECT 'SI_COV_CHLD',    stratum, age_group, urban_rural, sex, nationality, sa_chld, sb_chld, saa_chld, sab_chld, sbb_chld, n_chld, ny_chld FROM stratum_moments
    UNION ALL
    SELECT 'SI_COV_MATNL',   stratum, age_group, urban_rural, sex, nationality, sa_matnl, sb_matnl, saa_matnl, sab_matnl, sbb_matnl, n_matnl, ny_matnl FROM stratum_moments
    UNION ALL
    SELECT 'SI_COV_DISAB',   stratum, age_group, urban_rural, sex, nationality, sa_disab, sb_disab, saa_disab, sab_disab, sbb_disab, n_disab, ny_disab FROM stratum_moments
    UNION ALL
    SELECT 'SI_COV_UEMP',    stratum, age_group, urban_rural, sex, nationality, sa_uemp, sb_uemp, saa_uemp, sab_uemp, sbb_uemp, n_uemp, ny_uemp FROM stratum_moments
    UNION ALL
    SELECT 'SI_COV_PENSN',   stratum, age_group, urban_rural, sex, nationality, sa_pensn, sb_pensn, saa_pensn, sab_pensn, sbb_pensn, n_pensn, ny_pensn FROM stratum_moments
    UNION ALL
    SELECT 'SI_COV_VULN',    stratum, age_group, urban_rural, sex, nationality, sa_vuln, sb_vuln, saa_vuln, sab_vuln, sbb_vuln, n_vuln, ny_vuln FROM stratum_moments
    UNION ALL
    SELECT 'SI_COV_POOR',    stratum, age_group, urban_rural, sex, nationality, sa_poor, sb_poor, saa_poor, sab_poor, sbb_poor, n_poor, ny_poor FROM stratum_moments
    UNION ALL
    SELECT 'SI_COV_WKINJRY', stratum, age_group, urban_rural, sex, nationality, sa_wkinjry, sb_wkinjry, saa_wkinjry, sab_wkinjry, sbb_wkinjry, n_wkinjry, ny_wkinjry FROM stratum_moments
    UNION ALL
    SELECT 'SP_CONTRIB_LF',  stratum, age_group, urban_rural, sex, nationality, sa_contrib_lf, sb_contrib_lf, saa_contrib_lf, sab_contrib_lf, sbb_contrib_lf, n_contrib_lf, ny_contrib_lf FROM stratum_moments
    UNION ALL
    SELECT 'SP_CONTRIB_WAP', stratum, age_group, urban_rural, sex, nationality, sa_contrib_wap, sb_contrib_wap, saa_contrib_wap, sab_contrib_wap, sbb_contrib_wap, n_contrib_wap, ny_contrib_wap FROM stratum_moments
    UNION ALL
    SELECT 'SP_HEALTH_PROT', stratum, age_group, urban_rural, sex, nationality, sa_health, sb_health, saa_health, sab_health, sbb_health, n_health, ny_health FROM stratum_moments
) AS x(series, stratum, age_group, urban_rural, sex, nationality, sa, sb, saa, sab, sbb, n, n_y)
JOIN active_series AS s ON s.series = x.series
WHERE x.n > 0 AND (x.series <> 'SI_COV_MATNL' OR x.sex = 'F')

-- name: domain_pairs
-- Compared pairs: female vs male within each nationality group, non-nationals vs nationals
-- within each sex. (sex, nationality) name the group within which the pair is compared.
SELECT * FROM (VALUES
    ('sex', 'T', 'T', 'F', 'T', 'M', 'T'),
    ('sex', 'T', 'national', 'F', 'national', 'M', 'national'),
    ('sex', 'T', 'non_national', 'F', 'non_national', 'M', 'non_national'),
    ('nationality', 'T', 'T', 'T', 'non_national', 'T', 'national'),
    ('nationality', 'F', 'T', 'F', 'non_national', 'F', 'national'),
    ('nationality', 'M', 'T', 'M', 'non_national', 'M', 'national')
) AS t(gap_type, sex, nationality, focus_sex, focus_nationality, reference_sex, reference_nationality)

-- name: gap_pairs
-- Every pair within every breakdown of the series' domains (SI_COV_MATNL: non-nationals vs
-- nationals among women only).
SELECT DISTINCT
    m.series,
    c.gap_type || ':' || c.sex || '|' || c.nationality || '|' || m.age_group || '|' || m.urban_rural AS gap_id,
    c.gap_type,
    c.focus_sex || '|' || c.focus_nationality || '|' || m.age_group || '|' || m.urban_rural AS focus_id,
    c.reference_sex || '|' || c.reference_nationality || '|' || m.age_group || '|' || m.urban_rural AS reference_id
FROM domain_moments AS m
CROSS JOIN domain_pairs AS c
WHERE m.series <> 'SI_COV_MATNL' OR (c.gap_type = 'nationality' AND c.sex = 'F')

-- name: stratum_pairs
-- Per compared pair and stratum: the cross moments of the focus (f) and reference (r) domains'
-- PSU totals, sum_j a_f a_r, a_f b_r, b_f a_r, b_f b_r: the cell pairs with c1 in f and c2 in r.
SELECT
    c.gap_type || ':' || c.sex || '|' || c.nationality || '|' || q.age_group || '|' || q.urban_rural AS gap_id,
    q.stratum,
    SUM(q.aa_benfts) AS afar_benfts,           SUM(q.ab_benfts) AS afbr_benfts,           SUM(q.ba_benfts) AS bfar_benfts,           SUM(q.bb_benfts) AS bfbr_benfts,
    SUM(q.aa_chld) AS afar_chld,               SUM(q.ab_chld) AS afbr_chld,               SUM(q.ba_chld) AS bfar_chld,               SUM(q.bb_chld) AS bfbr_chld,
    SUM(q.aa_matnl) AS afar_matnl,             SUM(q.ab_matnl) AS afbr_matnl,             SUM(q.ba_matnl) AS bfar_matnl,             SUM(q.bb_matnl) AS bfbr_matnl,
    SUM(q.aa_disab) AS afar_disab,             SUM(q.ab_disab) AS afbr_disab,             SUM(q.ba_disab) AS bfar_disab,             SUM(q.bb_disab) AS bfbr_disab,
    SUM(q.aa_uemp) AS afar_uemp,               SUM(q.ab_uemp) AS afbr_uemp,               SUM(q.ba_uemp) AS bfar_uemp,               SUM(q.bb_uemp) AS bfbr_uemp,
    SUM(q.aa_pensn) AS afar_pensn,             SUM(q.ab_pensn) AS afbr_pensn,             SUM(q.ba_pensn) AS bfar_pensn,             SUM(q.bb_pensn) AS bfbr_pensn,
    SUM(q.aa_vuln) AS afar_vuln,               SUM(q.ab_vuln) AS afbr_vuln,               SUM(q.ba_vuln) AS bfar_vuln,               SUM(q.bb_vuln) AS bfbr_vuln,
    SUM(q.aa_poor) AS afar_poor,               SUM(q.ab_poor) AS afbr_poor,               SUM(q.ba_poor) AS bfar_poor,               SUM(q.bb_poor) AS bfbr_poor,
    SUM(q.aa_wkinjry) AS afar_wkinjry,         SUM(q.ab_wkinjry) AS afbr_wkinjry,         SUM(q.ba_wkinjry) AS bfar_wkinjry,         SUM(q.bb_wkinjry) AS bfbr_wkinjry,
    SUM(q.aa_contrib_lf) AS afar_contrib_lf,   SUM(q.ab_contrib_lf) AS afbr_contrib_lf,   SUM(q.ba_contrib_lf) AS bfar_contrib_lf,   SUM(q.bb_contrib_lf) AS bfbr_contrib_lf,
    SUM(q.aa_contrib_wap) AS afar_contrib_wap, SUM(q.ab_contrib_wap) AS afbr_contrib_wap, SUM(q.ba_contrib_wap) AS bfar_contrib_wap, SUM(q.bb_contrib_wap) AS bfbr_contrib_wap,
    SUM(q.aa_health) AS afar_health,           SUM(q.ab_health) AS afbr_health,           SUM(q.ba_health) AS bfar_health,           SUM(q.bb_health) AS bfbr_health
FROM stratum_cell_pairs AS q
JOIN cell_domains AS d1 ON d1.cell_sex = q.sex1 AND d1.cell_nationality IS NOT DISTINCT FROM q.nationality1
JOIN cell_domains AS d2 ON d2.cell_sex = q.sex2 AND d2.cell_nationality IS NOT DISTINCT FROM q.nationality2
JOIN domain_pairs AS c
    ON c.focus_sex = d1.sex AND c.focus_nationality = d1.nationality
    AND c.reference_sex = d2.sex AND c.reference_nationality = d2.nationality
GROUP BY c.gap_type, c.sex, c.nationality, q.age_group, q.urban_rural, q.stratum

-- name: pair_moments
-- One row per series, compared pair and stratum (the interface of survey_gaps.sql); strata
-- where no PSU holds both domains are left out (their cross moments are 0).
SELECT x.series, x.gap_id, x.stratum, x.s_afar, x.s_afbr, x.s_bfar, x.s_bfbr
FROM (
    SELECT 'SI_COV_BENFTS',  gap_id, stratum, afar_benfts, afbr_benfts, bfar_benfts, bfbr_benfts FROM stratum_pairs
    UNION ALL
    SELECT 'SI_COV_CHLD',    gap_id, stratum, afar_chld, afbr_chld, bfar_chld, bfbr_chld FROM stratum_pairs
    UNION ALL
    SELECT 'SI_COV_MATNL',   gap_id, stratum, afar_matnl, afbr_matnl, bfar_matnl, bfbr_matnl FROM stratum_pairs
    UNION ALL
    SELECT 'SI_COV_DISAB',   gap_id, stratum, afar_disab, afbr_disab, bfar_disab, bfbr_disab FROM stratum_pairs
    UNION ALL
    SELECT 'SI_COV_UEMP',    gap_id, stratum, afar_uemp, afbr_uemp, bfar_uemp, bfbr_uemp FROM stratum_pairs
    UNION ALL
    SELECT 'SI_COV_PENSN',   gap_id, stratum, afar_pensn, afbr_pensn, bfar_pensn, bfbr_pensn FROM stratum_pairs
    UNION ALL
    SELECT 'SI_COV_VULN',    gap_id, stratum, afar_vuln, afbr_vuln, bfar_vuln, bfbr_vuln FROM stratum_pairs
    UNION ALL
    SELECT 'SI_COV_POOR',    gap_id, stratum, afar_poor, afbr_poor, bfar_poor, bfbr_poor FROM stratum_pairs
    UNION ALL
    SELECT 'SI_COV_WKINJRY', gap_id, stratum, afar_wkinjry, afbr_wkinjry, bfar_wkinjry, bfbr_wkinjry FROM stratum_pairs
    UNION ALL
    SELECT 'SP_CONTRIB_LF',  gap_id, stratum, afar_contrib_lf, afbr_contrib_lf, bfar_contrib_lf, bfbr_contrib_lf FROM stratum_pairs
    UNION ALL
    SELECT 'SP_CONTRIB_WAP', gap_id, stratum, afar_contrib_wap, afbr_contrib_wap, bfar_contrib_wap, bfbr_contrib_wap FROM stratum_pairs
    UNION ALL
    SELECT 'SP_HEALTH_PROT', gap_id, stratum, afar_health, afbr_health, bfar_health, bfbr_health FROM stratum_pairs
) AS x(series, gap_id, stratum, s_afar, s_afbr, s_bfar, s_bfbr)
JOIN gap_pairs AS g ON g.series = x.series AND g.gap_id = x.gap_id
WHERE x.s_bfbr > 0

-- name: domains
SELECT DISTINCT series, domain_id, sex, nationality, age_group, urban_rural FROM domain_moments

-- name: design_psus
-- Every PSU of the design (psu_cells holds every person).
SELECT DISTINCT stratum, psu FROM psu_cells
