-- SDG 1.3.1 from survey microdata: every series x domain of one survey in one pass over the
-- canonical person table (schemas/survey_variables.py). UN SDG metadata 1.3.1 (ILO custodian;
-- 2021-01 edition, metadata update 2022-03-31), methodology notes section 1.3; the open choices
-- (child age band, working age, employment-injury denominator, age groups, breakdowns) are
-- editions in config/methods/sdg_1_3_1.yaml.
--
-- Effective coverage of series s in domain d = weighted share of the series population P_s in d
-- that is covered:  p_sd = sum_i w_i 1(i in P_s and d) y_si / sum_i w_i 1(i in P_s and d).
--
-- | series          | population P_s                                         | covered y_s                                   |
-- |-----------------|--------------------------------------------------------|-----------------------------------------------|
-- | SI_COV_BENFTS   | everyone                                               | contributor or any cash benefit (rec_*)       |
-- | SI_COV_CHLD     | age <= child_max_age                                   | rec_child_family                              |
-- | SI_COV_MATNL    | women who gave birth in the reference period           | rec_maternity  (female domains only)          |
-- | SI_COV_DISAB    | severe_disability                                      | rec_disability                                |
-- | SI_COV_UEMP     | unemployed aged working_age_min+                       | rec_unemployment                              |
-- | SI_COV_PENSN    | age >= statutory pensionable age of the person's sex   | rec_oldage_contrib or rec_oldage_noncontrib   |
-- | SI_COV_VULN     | vulnerable: children; persons below pensionable age    | a flag of vulnerable_numerator_benefits       |
-- |                 | who neither contribute nor receive a contributory      |                                               |
-- |                 | benefit (below); persons at or above it without a      | (default social_assistance: metadata          |
-- |                 | contributory pension (rec_oldage_contrib)              | numerator; old_age: rec_oldage_noncontrib)    |
-- | SI_COV_POOR     | poor (below the national poverty line)                 | rec_social_assistance                         |
-- | SI_COV_WKINJRY  | employed (or labour force, per edition) aged           | injury_insured                                |
-- |                 | working_age_min+                                       |                                               |
-- | SP_CONTRIB_LF   | labour force aged working_age_min+                     | contributor (active contributor)              |
-- | SP_CONTRIB_WAP  | population aged working_age_min+                       | contributor (active contributor)              |
-- | SP_HEALTH_PROT  | everyone                                               | health_protected                              |
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
-- Plan: one scan aggregates person x series rows to PSU x age group x area x sex-nationality
-- cell totals (psu_cells); everything after works on that PSU-level table: the six cells are
-- pivoted into one row per series, PSU and breakdown (psu_pivot), each domain is a 0/1
-- combination of the cells, and the per-stratum moments of the domains' PSU totals (and the
-- cross moments of compared pairs) are summed in one pass each.
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
-- pensionable_age(sex, age) for both sexes; age_bands(age, label), one row per
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

-- name: person_series [view]
-- One scan of the person table: each person x each series whose population it belongs to.
SELECT
    s.series,
    x.stratum,
    x.psu,
    x.person_weight AS w,
    x.cell,
    x.age_group,
    x.urban_rural_breakdown AS urban_rural,
    CAST(CASE s.series
        WHEN 'SI_COV_BENFTS' THEN x.covered_any
        WHEN 'SI_COV_CHLD' THEN x.rec_child_family
        WHEN 'SI_COV_MATNL' THEN x.rec_maternity
        WHEN 'SI_COV_DISAB' THEN x.rec_disability
        WHEN 'SI_COV_UEMP' THEN x.rec_unemployment
        WHEN 'SI_COV_PENSN' THEN (x.rec_oldage_contrib OR x.rec_oldage_noncontrib)
        WHEN 'SI_COV_VULN' THEN x.vulnerable_benefit
        WHEN 'SI_COV_POOR' THEN x.rec_social_assistance
        WHEN 'SI_COV_WKINJRY' THEN x.injury_insured
        WHEN 'SP_CONTRIB_LF' THEN x.contributes
        WHEN 'SP_CONTRIB_WAP' THEN x.contributes
        WHEN 'SP_HEALTH_PROT' THEN x.health_protected
    END AS INTEGER) AS y,
    CASE s.series
        WHEN 'SI_COV_BENFTS' THEN TRUE
        WHEN 'SI_COV_CHLD' THEN x.is_child
        WHEN 'SI_COV_MATNL' THEN x.sex = 'F' AND x.gave_birth
        WHEN 'SI_COV_DISAB' THEN x.severe_disability
        WHEN 'SI_COV_UEMP' THEN x.age >= x.working_age_min AND x.lf_status = 'unemployed'
        WHEN 'SI_COV_PENSN' THEN x.above_pension_age
        WHEN 'SI_COV_VULN' THEN x.is_child
            OR (NOT x.above_pension_age AND NOT (x.contributes OR x.contributory_benefit))
            OR (x.above_pension_age AND NOT x.rec_oldage_contrib)
        WHEN 'SI_COV_POOR' THEN x.poor
        WHEN 'SI_COV_WKINJRY' THEN x.age >= x.working_age_min
            AND (x.lf_status = 'employed' OR (x.wkinjry_labour_force AND x.lf_status = 'unemployed'))
        WHEN 'SP_CONTRIB_LF' THEN x.age >= x.working_age_min AND x.lf_status IN ('employed', 'unemployed')
        WHEN 'SP_CONTRIB_WAP' THEN x.age >= x.working_age_min
        WHEN 'SP_HEALTH_PROT' THEN TRUE
    END AS in_population
FROM (
    SELECT
        p.*,
        CASE WHEN prm.by_age_group THEN COALESCE(b.label, c.label) END AS age_group,
        -- sex x nationality cell: 1 fn, 2 fx, 3 fu, 4 mn, 5 mx, 6 mu (u = nationality unknown)
        CASE WHEN p.sex = 'F' THEN 0 ELSE 3 END
            + CASE p.nationality WHEN 'national' THEN 1 WHEN 'non_national' THEN 2 ELSE 3 END AS cell,
        CASE WHEN prm.by_urban_rural THEN p.urban_rural END AS urban_rural_breakdown,
        p.age <= prm.child_max_age AS is_child,
        p.age >= a.age AS above_pension_age,
        prm.working_age_min,
        prm.wkinjry_labour_force,
        -- contributions are usually asked of employed persons only: unasked counts as "no"
        -- when the edition says so (contributor_unasked_as_no)
        CASE WHEN p.contributor IS NULL AND prm.contributor_unasked_as_no AND COALESCE(p.lf_status, '') <> 'employed'
             THEN FALSE ELSE p.contributor END AS contributes,
        (CASE WHEN p.contributor IS NULL AND prm.contributor_unasked_as_no AND COALESCE(p.lf_status, '') <> 'employed'
              THEN FALSE ELSE p.contributor END
            OR p.rec_child_family OR p.rec_maternity OR p.rec_sickness OR p.rec_disability
            OR p.rec_unemployment OR p.rec_oldage_contrib OR p.rec_oldage_noncontrib OR p.rec_survivors
            OR p.rec_employment_injury OR p.rec_social_assistance) AS covered_any,
        -- contributory benefits: the contributory old-age pension and the listed types
        (p.rec_oldage_contrib
            OR (prm.cb_sickness AND p.rec_sickness) OR (prm.cb_maternity AND p.rec_maternity)
            OR (prm.cb_disability AND p.rec_disability) OR (prm.cb_unemployment AND p.rec_unemployment)
            OR (prm.cb_employment_injury AND p.rec_employment_injury)
            OR (prm.cb_survivors AND p.rec_survivors)) AS contributory_benefit,
        -- benefits counted for the vulnerable (SI_COV_VULN numerator): the listed types
        ((prm.vn_social_assistance AND p.rec_social_assistance) OR (prm.vn_old_age AND p.rec_oldage_noncontrib)
            OR (prm.vn_child_family AND p.rec_child_family) OR (prm.vn_disability AND p.rec_disability)
            OR (prm.vn_unemployment AND p.rec_unemployment) OR (prm.vn_maternity AND p.rec_maternity)
            OR (prm.vn_sickness AND p.rec_sickness) OR (prm.vn_survivors AND p.rec_survivors)
            OR (prm.vn_employment_injury AND p.rec_employment_injury)) AS vulnerable_benefit
    FROM persons AS p
    CROSS JOIN params AS prm
    LEFT JOIN pensionable_age AS a ON a.sex = p.sex
    LEFT JOIN age_bands AS b ON b.age = p.age
    LEFT JOIN age_class_bands AS c ON c.age_class = p.age_class
) AS x
CROSS JOIN active_series AS s

-- name: psu_cells
-- Totals per series, PSU, age group, area and sex x nationality cell: a = sum of w*y (covered),
-- b = sum of w (population), n = persons, n_y = persons covered: the one aggregation of person
-- rows for every series (design_psus below only lists the design's PSUs).
SELECT
    series, stratum, psu, age_group, urban_rural, cell,
    SUM(w * y) AS a, SUM(w) AS b, CAST(COUNT(*) AS INTEGER) AS n, CAST(SUM(y) AS INTEGER) AS n_y
FROM person_series
WHERE in_population AND y IS NOT NULL
GROUP BY series, stratum, psu, age_group, urban_rural, cell

-- name: psu_breakdowns [view]
-- The cell totals once for all ages and areas ('T') and again under each breakdown the edition
-- asks for (age_group / urban_rural is NULL when its breakdown is off, or for a person outside
-- the configured age bands or with the area missing: such rows count in the totals only).
SELECT series, stratum, psu, 'T' AS age_group, 'T' AS urban_rural, cell, a, b, n, n_y FROM psu_cells
UNION ALL
SELECT series, stratum, psu, age_group, 'T', cell, a, b, n, n_y FROM psu_cells WHERE age_group IS NOT NULL
UNION ALL
SELECT series, stratum, psu, 'T', urban_rural, cell, a, b, n, n_y FROM psu_cells WHERE urban_rural IS NOT NULL

-- name: psu_pivot
-- One row per series, PSU and breakdown with the six cells pivoted into columns (f/m =
-- female/male; n = national, x = non-national, u = nationality unknown).
SELECT
    series, stratum, psu, age_group, urban_rural,
    SUM(CASE WHEN cell = 1 THEN a ELSE 0 END) AS a_fn,
    SUM(CASE WHEN cell = 2 THEN a ELSE 0 END) AS a_fx,
    SUM(CASE WHEN cell = 3 THEN a ELSE 0 END) AS a_fu,
    SUM(CASE WHEN cell = 4 THEN a ELSE 0 END) AS a_mn,
    SUM(CASE WHEN cell = 5 THEN a ELSE 0 END) AS a_mx,
    SUM(CASE WHEN cell = 6 THEN a ELSE 0 END) AS a_mu,
    SUM(CASE WHEN cell = 1 THEN b ELSE 0 END) AS b_fn,
    SUM(CASE WHEN cell = 2 THEN b ELSE 0 END) AS b_fx,
    SUM(CASE WHEN cell = 3 THEN b ELSE 0 END) AS b_fu,
    SUM(CASE WHEN cell = 4 THEN b ELSE 0 END) AS b_mn,
    SUM(CASE WHEN cell = 5 THEN b ELSE 0 END) AS b_mx,
    SUM(CASE WHEN cell = 6 THEN b ELSE 0 END) AS b_mu,
    CAST(SUM(CASE WHEN cell = 1 THEN n ELSE 0 END) AS INTEGER) AS n_fn,
    CAST(SUM(CASE WHEN cell = 2 THEN n ELSE 0 END) AS INTEGER) AS n_fx,
    CAST(SUM(CASE WHEN cell = 3 THEN n ELSE 0 END) AS INTEGER) AS n_fu,
    CAST(SUM(CASE WHEN cell = 4 THEN n ELSE 0 END) AS INTEGER) AS n_mn,
    CAST(SUM(CASE WHEN cell = 5 THEN n ELSE 0 END) AS INTEGER) AS n_mx,
    CAST(SUM(CASE WHEN cell = 6 THEN n ELSE 0 END) AS INTEGER) AS n_mu,
    CAST(SUM(CASE WHEN cell = 1 THEN n_y ELSE 0 END) AS INTEGER) AS y_fn,
    CAST(SUM(CASE WHEN cell = 2 THEN n_y ELSE 0 END) AS INTEGER) AS y_fx,
    CAST(SUM(CASE WHEN cell = 3 THEN n_y ELSE 0 END) AS INTEGER) AS y_fu,
    CAST(SUM(CASE WHEN cell = 4 THEN n_y ELSE 0 END) AS INTEGER) AS y_mn,
    CAST(SUM(CASE WHEN cell = 5 THEN n_y ELSE 0 END) AS INTEGER) AS y_mx,
    CAST(SUM(CASE WHEN cell = 6 THEN n_y ELSE 0 END) AS INTEGER) AS y_mu
FROM psu_breakdowns
GROUP BY series, stratum, psu, age_group, urban_rural

-- name: sex_nationality_domains
-- The nine sex x nationality domains as 0/1 coefficients on the six pivoted cells
-- (fn, fx, fu, mn, mx, mu). Women-only series keep their female domains only.
SELECT * FROM (VALUES
    ('T', 'T', 1, 1, 1, 1, 1, 1),
    ('F', 'T', 1, 1, 1, 0, 0, 0),
    ('M', 'T', 0, 0, 0, 1, 1, 1),
    ('T', 'national', 1, 0, 0, 1, 0, 0),
    ('T', 'non_national', 0, 1, 0, 0, 1, 0),
    ('F', 'national', 1, 0, 0, 0, 0, 0),
    ('F', 'non_national', 0, 1, 0, 0, 0, 0),
    ('M', 'national', 0, 0, 0, 1, 0, 0),
    ('M', 'non_national', 0, 0, 0, 0, 1, 0)
) AS t(sex, nationality, c_fn, c_fx, c_fu, c_mn, c_mx, c_mu)

-- name: domain_pairs
-- Compared pairs: female vs male within each nationality group, non-nationals vs nationals
-- within each sex. Focus coefficients f_*, reference coefficients r_*.
SELECT * FROM (VALUES
    ('sex', 'T', 'T', 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1),
    ('sex', 'T', 'national', 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),
    ('sex', 'T', 'non_national', 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0),
    ('nationality', 'T', 'T', 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0),
    ('nationality', 'F', 'T', 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0),
    ('nationality', 'M', 'T', 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0)
) AS t(gap_type, sex, nationality, f_fn, f_fx, f_fu, f_mn, f_mx, f_mu, r_fn, r_fx, r_fu, r_mn, r_mx, r_mu)

-- name: domain_moments
-- Per domain and stratum: sums over PSUs of a, b, a^2, ab, b^2 (the interface of
-- survey_variance.sql). domain_id = sex|nationality|age_group|urban_rural.
SELECT
    series,
    sex || '|' || nationality || '|' || age_group || '|' || urban_rural AS domain_id,
    sex, nationality, age_group, urban_rural, stratum,
    SUM(a) AS sa, SUM(b) AS sb, SUM(a * a) AS saa, SUM(a * b) AS sab, SUM(b * b) AS sbb,
    SUM(n) AS n, SUM(ny) AS n_y
FROM (
    SELECT
        p.series, d.sex, d.nationality, p.age_group, p.urban_rural, p.stratum,
        d.c_fn * p.a_fn + d.c_fx * p.a_fx + d.c_fu * p.a_fu + d.c_mn * p.a_mn + d.c_mx * p.a_mx + d.c_mu * p.a_mu AS a,
        d.c_fn * p.b_fn + d.c_fx * p.b_fx + d.c_fu * p.b_fu + d.c_mn * p.b_mn + d.c_mx * p.b_mx + d.c_mu * p.b_mu AS b,
        d.c_fn * p.n_fn + d.c_fx * p.n_fx + d.c_fu * p.n_fu + d.c_mn * p.n_mn + d.c_mx * p.n_mx + d.c_mu * p.n_mu AS n,
        d.c_fn * p.y_fn + d.c_fx * p.y_fx + d.c_fu * p.y_fu + d.c_mn * p.y_mn + d.c_mx * p.y_mx + d.c_mu * p.y_mu AS ny
    FROM psu_pivot AS p
    CROSS JOIN sex_nationality_domains AS d
    WHERE NOT (p.series = 'SI_COV_MATNL' AND d.sex <> 'F')
) AS x
WHERE n > 0
GROUP BY series, sex, nationality, age_group, urban_rural, stratum

-- name: gap_pairs
SELECT DISTINCT
    m.series,
    c.gap_type || ':' || c.sex || '|' || c.nationality || '|' || m.age_group || '|' || m.urban_rural AS gap_id,
    c.gap_type,
    CASE WHEN c.gap_type = 'sex' THEN 'F' ELSE c.sex END || '|'
        || CASE WHEN c.gap_type = 'sex' THEN c.nationality ELSE 'non_national' END || '|' || m.age_group || '|' || m.urban_rural AS focus_id,
    CASE WHEN c.gap_type = 'sex' THEN 'M' ELSE c.sex END || '|'
        || CASE WHEN c.gap_type = 'sex' THEN c.nationality ELSE 'national' END || '|' || m.age_group || '|' || m.urban_rural AS reference_id
FROM domain_moments AS m
CROSS JOIN domain_pairs AS c
WHERE m.series <> 'SI_COV_MATNL' OR (c.gap_type = 'nationality' AND c.sex = 'F')

-- name: pair_moments
-- Cross moments of focus (f) and reference (r) PSU totals per stratum.
SELECT
    series,
    gap_type || ':' || sex || '|' || nationality || '|' || age_group || '|' || urban_rural AS gap_id,
    stratum,
    SUM(af * ar) AS s_afar, SUM(af * br) AS s_afbr, SUM(bf * ar) AS s_bfar, SUM(bf * br) AS s_bfbr
FROM (
    SELECT
        p.series, c.gap_type, c.sex, c.nationality, p.age_group, p.urban_rural, p.stratum,
        c.f_fn * p.a_fn + c.f_fx * p.a_fx + c.f_fu * p.a_fu + c.f_mn * p.a_mn + c.f_mx * p.a_mx + c.f_mu * p.a_mu AS af,
        c.f_fn * p.b_fn + c.f_fx * p.b_fx + c.f_fu * p.b_fu + c.f_mn * p.b_mn + c.f_mx * p.b_mx + c.f_mu * p.b_mu AS bf,
        c.r_fn * p.a_fn + c.r_fx * p.a_fx + c.r_fu * p.a_fu + c.r_mn * p.a_mn + c.r_mx * p.a_mx + c.r_mu * p.a_mu AS ar,
        c.r_fn * p.b_fn + c.r_fx * p.b_fx + c.r_fu * p.b_fu + c.r_mn * p.b_mn + c.r_mx * p.b_mx + c.r_mu * p.b_mu AS br
    FROM psu_pivot AS p
    CROSS JOIN domain_pairs AS c
    WHERE p.series <> 'SI_COV_MATNL' OR (c.gap_type = 'nationality' AND c.sex = 'F')
) AS x
WHERE bf > 0 OR br > 0
GROUP BY series, gap_type, sex, nationality, age_group, urban_rural, stratum

-- name: domains
SELECT DISTINCT series, domain_id, sex, nationality, age_group, urban_rural FROM domain_moments

-- name: design_psus
SELECT DISTINCT stratum, psu FROM persons
