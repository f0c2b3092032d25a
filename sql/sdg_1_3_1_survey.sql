-- SDG 1.3.1 from survey microdata: every series, in one pass over the person table.
-- UN SDG metadata 1.3.1 (ILO; 2021-01 edition, update 2022-03-31), methodology notes section 1.3;
-- editions of the open choices in config/methods/sdg_1_3_1.yaml (child age band, employment-injury
-- denominator, age groups).
--
-- Effective coverage of series s in domain d = weighted share of the series population P_s in d
-- that is covered:  p_sd = sum_i w_i 1(i in P_s, i in d) y_si / sum_i w_i 1(i in P_s, i in d).
--
-- | series          | population P_s                                         | covered y_s                                   |
-- |-----------------|--------------------------------------------------------|-----------------------------------------------|
-- | SI_COV_BENFTS   | everyone                                               | contributor or any cash benefit               |
-- | SI_COV_CHLD     | age <= child_max_age                                    | rec_child_family                              |
-- | SI_COV_MATNL    | women who gave birth in the reference period           | rec_maternity  (published for women only)     |
-- | SI_COV_DISAB    | severe_disability                                      | rec_disability                                |
-- | SI_COV_UEMP     | lf_status = unemployed                                 | rec_unemployment                              |
-- | SI_COV_PENSN    | age >= statutory pensionable age of the person's sex   | rec_oldage_contrib or rec_oldage_noncontrib   |
-- | SI_COV_VULN     | vulnerable: children; adults below pensionable age who | rec_social_assistance                         |
-- |                 | neither contribute nor receive a contributory benefit;|                                               |
-- |                 | persons above it without a contributory pension        |                                               |
-- | SI_COV_POOR     | poor (below the national poverty line)                 | rec_social_assistance                         |
-- | SI_COV_WKINJRY  | employed (or labour force, per edition)                | injury_insured                                |
-- | SP_CONTRIB_LF   | labour force aged working_age_min+                     | contributor                                   |
-- | SP_CONTRIB_WAP  | population aged working_age_min+                       | contributor                                   |
-- | SP_HEALTH_PROT  | everyone                                               | health_protected                              |
--
-- Contributory benefits (for the vulnerable population) are taken to be the old-age
-- contributory pension and the social-insurance branches sickness, maternity, unemployment,
-- employment injury and survivors; disability benefits, which may be either, are not.
-- A person whose covered flag is missing is left out of that series' domains but stays in the
-- design. Domains: total, sex, nationality, sex x nationality, age group (x sex),
-- urban/rural (x sex); a breakdown whose variable is missing for a person puts that person in
-- no domain of that breakdown (but in the total).
-- The first block lists the variables each series needs: a survey where one of them is absent
-- (all missing) cannot give that series, and the series is reported as not computable.
-- Inputs: persons (canonical person table), params (child_max_age, working_age_min,
-- wkinjry_labour_force), pensionable_age(sex, age), age_bands(lo, hi, label),
-- active_series(series) (the series this survey can give).
-- Output: domain_psu, domains, gap_pairs, design_psus (the interface of survey_variance.sql).

-- name: series_requirements
SELECT series, variable FROM (VALUES
    ('SI_COV_BENFTS', 'contributor'), ('SI_COV_BENFTS', 'rec_child_family'), ('SI_COV_BENFTS', 'rec_maternity'),
    ('SI_COV_BENFTS', 'rec_sickness'), ('SI_COV_BENFTS', 'rec_disability'), ('SI_COV_BENFTS', 'rec_unemployment'),
    ('SI_COV_BENFTS', 'rec_oldage_contrib'), ('SI_COV_BENFTS', 'rec_oldage_noncontrib'), ('SI_COV_BENFTS', 'rec_survivors'),
    ('SI_COV_BENFTS', 'rec_employment_injury'), ('SI_COV_BENFTS', 'rec_social_assistance'),
    ('SI_COV_CHLD', 'rec_child_family'),
    ('SI_COV_MATNL', 'gave_birth'), ('SI_COV_MATNL', 'rec_maternity'),
    ('SI_COV_DISAB', 'severe_disability'), ('SI_COV_DISAB', 'rec_disability'),
    ('SI_COV_UEMP', 'lf_status'), ('SI_COV_UEMP', 'rec_unemployment'),
    ('SI_COV_PENSN', 'rec_oldage_contrib'), ('SI_COV_PENSN', 'rec_oldage_noncontrib'),
    ('SI_COV_VULN', 'contributor'), ('SI_COV_VULN', 'rec_oldage_contrib'), ('SI_COV_VULN', 'rec_sickness'),
    ('SI_COV_VULN', 'rec_maternity'), ('SI_COV_VULN', 'rec_unemployment'), ('SI_COV_VULN', 'rec_employment_injury'),
    ('SI_COV_VULN', 'rec_survivors'), ('SI_COV_VULN', 'rec_social_assistance'),
    ('SI_COV_POOR', 'poor'), ('SI_COV_POOR', 'rec_social_assistance'),
    ('SI_COV_WKINJRY', 'lf_status'), ('SI_COV_WKINJRY', 'injury_insured'),
    ('SP_CONTRIB_LF', 'lf_status'), ('SP_CONTRIB_LF', 'contributor'),
    ('SP_CONTRIB_WAP', 'contributor'),
    ('SP_HEALTH_PROT', 'health_protected')
) AS t(series, variable)

-- name: person_series [view]
-- One scan of the person table: each person x each series whose population it belongs to.
SELECT
    s.series,
    x.stratum,
    x.psu,
    x.person_weight AS w,
    x.sex,
    x.nationality,
    x.age_group,
    x.urban_rural,
    CAST(CASE s.series
        WHEN 'SI_COV_BENFTS' THEN x.covered_any
        WHEN 'SI_COV_CHLD' THEN x.rec_child_family
        WHEN 'SI_COV_MATNL' THEN x.rec_maternity
        WHEN 'SI_COV_DISAB' THEN x.rec_disability
        WHEN 'SI_COV_UEMP' THEN x.rec_unemployment
        WHEN 'SI_COV_PENSN' THEN (x.rec_oldage_contrib OR x.rec_oldage_noncontrib)
        WHEN 'SI_COV_VULN' THEN x.rec_social_assistance
        WHEN 'SI_COV_POOR' THEN x.rec_social_assistance
        WHEN 'SI_COV_WKINJRY' THEN x.injury_insured
        WHEN 'SP_CONTRIB_LF' THEN x.contributor
        WHEN 'SP_CONTRIB_WAP' THEN x.contributor
        WHEN 'SP_HEALTH_PROT' THEN x.health_protected
    END AS INTEGER) AS y,
    CASE s.series
        WHEN 'SI_COV_BENFTS' THEN TRUE
        WHEN 'SI_COV_CHLD' THEN x.is_child
        WHEN 'SI_COV_MATNL' THEN x.sex = 'F' AND x.gave_birth
        WHEN 'SI_COV_DISAB' THEN x.severe_disability
        WHEN 'SI_COV_UEMP' THEN x.lf_status = 'unemployed'
        WHEN 'SI_COV_PENSN' THEN x.above_pension_age
        WHEN 'SI_COV_VULN' THEN x.is_child
            OR (NOT x.above_pension_age AND NOT (x.contributor OR x.contributory_benefit))
            OR (x.above_pension_age AND NOT x.rec_oldage_contrib)
        WHEN 'SI_COV_POOR' THEN x.poor
        WHEN 'SI_COV_WKINJRY' THEN x.lf_status = 'employed'
            OR (x.wkinjry_labour_force AND x.lf_status = 'unemployed')
        WHEN 'SP_CONTRIB_LF' THEN x.age >= x.working_age_min AND x.lf_status IN ('employed', 'unemployed')
        WHEN 'SP_CONTRIB_WAP' THEN x.age >= x.working_age_min
        WHEN 'SP_HEALTH_PROT' THEN TRUE
    END AS in_population
FROM (
    SELECT
        p.*,
        b.label AS age_group,
        p.age <= prm.child_max_age AS is_child,
        p.age >= a.age AS above_pension_age,
        prm.working_age_min,
        prm.wkinjry_labour_force,
        (p.contributor OR p.rec_child_family OR p.rec_maternity OR p.rec_sickness OR p.rec_disability
            OR p.rec_unemployment OR p.rec_oldage_contrib OR p.rec_oldage_noncontrib OR p.rec_survivors
            OR p.rec_employment_injury OR p.rec_social_assistance) AS covered_any,
        (p.rec_oldage_contrib OR p.rec_sickness OR p.rec_maternity OR p.rec_unemployment
            OR p.rec_employment_injury OR p.rec_survivors) AS contributory_benefit
    FROM persons AS p
    CROSS JOIN params AS prm
    LEFT JOIN pensionable_age AS a ON a.sex = p.sex
    LEFT JOIN age_bands AS b ON p.age BETWEEN b.lo AND b.hi
) AS x
CROSS JOIN active_series AS s

-- name: psu_cells
SELECT
    series, stratum, psu, sex, nationality, age_group, urban_rural,
    SUM(w) AS sum_w,
    SUM(w * y) AS sum_wy,
    COUNT(*) AS n,
    SUM(y) AS n_y
FROM person_series
WHERE in_population AND y IS NOT NULL
GROUP BY series, stratum, psu, sex, nationality, age_group, urban_rural

-- name: domain_cells
SELECT
    series,
    stratum,
    psu,
    CASE WHEN GROUPING(sex) = 1 THEN 'T' ELSE COALESCE(sex, 'unknown') END AS sex,
    CASE WHEN GROUPING(nationality) = 1 THEN 'T' ELSE COALESCE(nationality, 'unknown') END AS nationality,
    CASE WHEN GROUPING(age_group) = 1 THEN 'T' ELSE COALESCE(age_group, 'unknown') END AS age_group,
    CASE WHEN GROUPING(urban_rural) = 1 THEN 'T' ELSE COALESCE(urban_rural, 'unknown') END AS urban_rural,
    SUM(sum_w) AS sum_w,
    SUM(sum_wy) AS sum_wy,
    SUM(n) AS n,
    SUM(n_y) AS n_y
FROM psu_cells
GROUP BY GROUPING SETS (
    (series, stratum, psu),
    (series, stratum, psu, sex),
    (series, stratum, psu, nationality),
    (series, stratum, psu, sex, nationality),
    (series, stratum, psu, age_group),
    (series, stratum, psu, age_group, sex),
    (series, stratum, psu, urban_rural),
    (series, stratum, psu, urban_rural, sex)
)

-- name: domain_psu
-- Domains with an unknown breakdown value are dropped; women-only series keep their female
-- domains only (their total is the female value).
SELECT
    series,
    sex || '|' || nationality || '|' || age_group || '|' || urban_rural AS domain_id,
    stratum, psu, sum_w, sum_wy, n, n_y
FROM domain_cells
WHERE sex <> 'unknown' AND nationality <> 'unknown' AND age_group <> 'unknown' AND urban_rural <> 'unknown'
  AND NOT (series = 'SI_COV_MATNL' AND sex <> 'F')

-- name: domains
SELECT DISTINCT
    series,
    sex || '|' || nationality || '|' || age_group || '|' || urban_rural AS domain_id,
    sex, nationality, age_group, urban_rural
FROM domain_cells
WHERE sex <> 'unknown' AND nationality <> 'unknown' AND age_group <> 'unknown' AND urban_rural <> 'unknown'
  AND NOT (series = 'SI_COV_MATNL' AND sex <> 'F')

-- name: gap_pairs
-- Sex gaps (F vs M within the same other breakdowns) and nationality gaps (non-nationals vs
-- nationals within the same sex).
SELECT f.series, 'sex:' || f.domain_id AS gap_id, 'sex' AS gap_type, f.domain_id AS focus_id, m.domain_id AS reference_id
FROM domains AS f
JOIN domains AS m
  ON m.series = f.series AND m.sex = 'M' AND m.nationality = f.nationality
 AND m.age_group = f.age_group AND m.urban_rural = f.urban_rural
WHERE f.sex = 'F'
UNION ALL
SELECT f.series, 'nationality:' || f.domain_id AS gap_id, 'nationality' AS gap_type, f.domain_id AS focus_id, m.domain_id AS reference_id
FROM domains AS f
JOIN domains AS m
  ON m.series = f.series AND m.nationality = 'national' AND m.sex = f.sex
 AND m.age_group = f.age_group AND m.urban_rural = f.urban_rural
WHERE f.nationality = 'non_national'

-- name: design_psus
SELECT DISTINCT stratum, psu FROM persons
