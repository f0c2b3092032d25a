-- SDG 1.3.1 from administrative data: ILO Social Security Inquiry (SSI) returns, by sex and
-- nationality, with gender and nationality gaps.
-- Follows UN SDG metadata 1.3.1 (ILO custodian; 2021-01 edition as mirrored, metadata update
-- 2022-03-31) and the ILO World Social Protection Report 2024-26 (methodology notes sections 1.3
-- to 1.8 and 4). The open choices are edition constants in config/methods/sdg_1_3_1.yaml: the keys
-- shared with the survey side (child_max_age, working_age_min, wkinjry_denominator, cap_at_100,
-- contributory_benefits_working_age) and the `admin:` sub-mapping. Every output row records method_edition = sdg_1_3_1:<edition>.
--
-- Coverage of series s for return r, sex x (T, F, M), nationality n (T, national, non_national):
--   value = 100 * N / D   (percent); with cap_at_100, value = 100 where 100 N / D > 100,
--   numerator N and denominator D kept uncapped.
-- Totals over both sexes (admin.sex_total_rule):
--   from_sexes  where the F and M cells of a nationality are computable (and its T cell):
--               N_T = N_F + N_M, D_T = D_F + D_M (numerator_reported likewise), and
--               value_T = 100 (N'_F + N'_M) / (D_F + D_M), N'_s = the numerator the published
--               value of sex s stands for (min(N_s, D_s) under cap_at_100, else N_s): T is the
--               denominator-weighted mean of the published F and M values; cap_applied of T
--               names the caps of each sex ('M: numerator_at_denominator'); elsewhere T on its own;
--   own         T from the T counts and T denominators, capped on its own (T may then differ
--               from the F and M values when a sex-specific cap binds).
--   admin.total_rate_for_sexes is a different choice: it applies a T prevalence or poverty rate
--   to a sex that has none (then D_F + D_M = D_T); with sex-specific rates, from_sexes uses them
--   for T too (the T rate only where a sex is not computable). adm_lifecycle_out keeps the
--   construction on the T counts for review.
-- Every row records the caps applied to it (cap_applied, comma-separated; null: none) and
-- capped = (cap_applied is not null):
--   value_at_100              cap_at_100 brought the value down to 100;
--   numerator_at_denominator  scheme_overlap sum_capped_at_denominator brought N below the sum
--                             of the schemes (to D, or to the largest scheme above D);
--   lifecycle_groups          SI_COV_BENFTS: a life-cycle group's count exceeded its population
--                             and was capped; SI_COV_VULN: the residual subtracted a capped group
--                             (contributory coverage above the working-age or older population).
--
-- Numerators N (persons, SSI stocks of the reference year):
-- | series          | SSI count                                                                  |
-- |-----------------|----------------------------------------------------------------------------|
-- | SI_COV_CHLD     | beneficiaries, benefit_type child_family                                   |
-- | SI_COV_MATNL    | beneficiaries, benefit_type maternity (women only)                         |
-- | SI_COV_DISAB    | beneficiaries, benefit_type disability                                     |
-- | SI_COV_UEMP     | beneficiaries, benefit_type unemployment                                   |
-- | SI_COV_PENSN    | beneficiaries, benefit_type old_age, contributory and non-contributory     |
-- | SI_COV_VULN     | beneficiaries of non-contributory (universal or means-tested) schemes with |
-- |                 | a benefit_type in vulnerable_numerator_benefits (shared with the survey;   |
-- |                 | default social_assistance, the metadata numerator)                         |
-- | SI_COV_POOR     | beneficiaries, benefit_type social_assistance                              |
-- | SI_COV_WKINJRY  | active contributors of schemes with function employment_injury: the       |
-- |                 | workers protected by injury insurance (injury-benefit recipients are the   |
-- |                 | victims, not the protected, and are not used)                              |
-- | SP_CONTRIB_LF   | active contributors of schemes with function old_age (pension schemes)     |
-- | SP_CONTRIB_WAP  | active contributors of schemes with function old_age                       |
-- | SP_HEALTH_PROT  | health_protected (publicly mandated health schemes)                        |
-- | SI_COV_BENFTS   | life-cycle construction, below                                             |
-- Several schemes of the same kind are combined by admin.scheme_overlap (a person may be in more
-- than one, e.g. a contributory and a social pension):
--   sum                        N = sum over schemes
--   largest_scheme             N = max over schemes (complete overlap, a lower bound)
--   sum_capped_at_denominator  N = max(largest scheme, min(sum, D)): overlap may bring the sum
--                              down to D, never below one scheme's own count (a single scheme
--                              above D is a data / denominator mismatch, left to cap_at_100).
--
-- Denominators D (persons, for the SSI reference year). WPP population is in thousands: x 1000.
-- Population in an age band = sum over single ages a of the band of P(g) * w(a - lo(g)), g the
-- WPP 5-year group holding a, w the admin.age_split weights (uniform: 0.2 at each age of the
-- group); the open group 100+ counts at age 100. T = F + M.
--   SI_COV_CHLD     population aged 0..child_max_age (0-14 or 0-15 by edition)
--   SI_COV_MATNL    women giving birth = deliveries = live_births / (1 + r2 + 2 r3), r2, r3 the
--                   twin and triplet delivery shares (our derivation: births = deliveries x
--                   (1 + r2 + 2 r3); a missing share counts as 0); where births has no row for
--                   the country-year: births = sum over g in 15_19 .. 45_49 of asfr_g x women_g
--                   (WPP, all seven groups required), deliveries = births / (1 + r2 + 2 r3) with
--                   the shares of the country's nearest births year within
--                   admin.multiple_delivery_max_year_gap (the earlier at equal distance); without
--                   shares there, births (not deliveries), said in denominator_source
--   SI_COV_DISAB    prevalence(sex) x population; with admin.total_rate_for_sexes the T
--                   prevalence is applied to F and M where no sex-specific prevalence is given
--   SI_COV_UEMP     unemployed 15+ (labour_force)
--   SI_COV_PENSN    population aged >= statutory pensionable age of the sex: the pensionable_age
--                   row in force, i.e. the largest from_year <= year among the rows of that sex and
--                   of sex T (at equal from_year the sex-specific row); T rows apply to both sexes
--   SI_COV_VULN     V = population - Wc - Oc   (metadata 1.3 h), where
--                     Wc = min(C + Rc, working-age population), Oc = min(Pc, older population),
--                     working age = child_max_age + 1 .. pensionable age - 1, older = pensionable
--                     age and above (life-cycle groups: children + working age + older = all),
--                     C  = active contributors of old-age schemes (contributors of other branches
--                          are largely the same workers and are not added),
--                     Rc = beneficiaries of contributory schemes with a benefit_type in
--                          contributory_benefits_working_age (shared with the survey side,
--                          which counts the rec_<type> flags of the same types),
--                     Pc = old_age beneficiaries of contributory schemes
--   SI_COV_POOR     poverty_rate / 100 x population; rate of the reference year or the nearest year
--                   within admin.poverty_max_year_gap (the earlier at equal distance); T rate for
--                   F and M under admin.total_rate_for_sexes
--   SI_COV_WKINJRY  employed 15+, or the labour force 15+ (wkinjry_denominator)
--   SP_CONTRIB_LF   labour force 15+
--   SP_CONTRIB_WAP  population aged working_age_min and above
--   SP_HEALTH_PROT  population
--
-- SI_COV_BENFTS, benefts_rule lifecycle_capped (methodology notes 1.4; our proposal [D]): each
-- person is counted in one life-cycle group, each group capped at its population, D = population:
--   N = min(K, children) + min(Wc + Aw, working-age population) + min(P, older population)
--   K  = child_family beneficiaries,   P = old_age beneficiaries of every scheme,
--   Wc = as for SI_COV_VULN (contributors or contributory-benefit recipients),
--   A  = beneficiaries of non-contributory schemes with a benefit_type in
--        admin.assistance_benefits_working_age (not counted in Wc: recipients are vulnerable),
--   Aw = their working-age part: admin.assistance_age_allocation
--          vulnerable_population_share  Aw = A x (working-age population - Wc) / V
--          all_working_age              Aw = A
-- A return without old-age contributors or old-age pension recipients gives no SI_COV_BENFTS.
-- The inputs and caps of every return and sex are published in adm_lifecycle_out, and the
-- numerator_reported column holds the plain sum K + C + Rc + A + P for comparison.
--
-- Breakdowns. A count enters a cell only when every scheme of its total (T, T) count reports the
-- cell: F and M from the men / women columns, national and non_national from the NonNationals
-- module; otherwise the cell is not computable (never guessed). Denominators by nationality come
-- from population_by_nationality (population, population_15plus, labour_force, employed,
-- unemployed); series whose denominator it lacks are not computable by nationality.
-- Gaps (on the published, capped, values): sex: F - M (percentage points) and F / M within each
-- nationality; nationality: non_national - national and non_national / national within each sex.
--
-- Inputs (registered by engine/admin_coverage.py):
--   adm_ssi(return_id, country, year, scheme_id, function, scheme_type, measure, benefit_type,
--           nationality, sex, persons)                    the canonical long SSI coverage table
--   adm_population(country [M49], time, age5yearinterval, gender, population [thousands])
--   adm_countries(iso3, m49), adm_wpp_groups(age5yearinterval, age_lo, open_ended, fertility)
--   adm_age_weights(open_ended, age_offset, weight)       admin.age_split
--   adm_benefit_lists(item, benefit_type, scheme_kind, description)   the edition's benefit lists
--   adm_labour_force, adm_births, adm_fertility, adm_pensionable_age, adm_disability,
--   adm_poverty, adm_nationality_population                context tables (may be empty)
--   params(child_max_age, working_age_min, wkinjry_labour_force, cap_at_100, scheme_overlap,
--          benefts_rule, assistance_age_allocation, total_rate_for_sexes, poverty_max_year_gap,
--          multiple_delivery_max_year_gap, sex_total_rule,
--          age_split_rule, method_edition, has_<table> (optional table given), src_<table> (source label))
-- Outputs: adm_coverage_out, adm_gaps_out, adm_not_computable_out, adm_lifecycle_out.

-- name: adm_returns
-- One row per SSI return; has_module: the return has the NonNationals module.
SELECT
    return_id,
    MIN(country) AS country,
    MIN(year) AS year,
    MAX(CASE WHEN nationality <> 'total' THEN 1 ELSE 0 END) = 1 AS has_module
FROM adm_ssi
GROUP BY return_id

-- name: adm_cells
-- The nationality x sex cells of the output.
SELECT * FROM (VALUES
    ('T', 'T'), ('T', 'F'), ('T', 'M'),
    ('national', 'T'), ('national', 'F'), ('national', 'M'),
    ('non_national', 'T'), ('non_national', 'F'), ('non_national', 'M')
) AS t(nationality, sex)

-- name: adm_series
-- female_only: published for women only. nationality_denominator: the population_by_nationality
-- column that is the denominator; null when there is none (lacking: what is missing).
SELECT * FROM (VALUES
    ('SI_COV_BENFTS', FALSE, CAST(NULL AS VARCHAR), 'population by life-cycle age group'),
    ('SI_COV_CHLD', FALSE, NULL, 'children''s population'),
    ('SI_COV_MATNL', TRUE, NULL, 'women giving birth'),
    ('SI_COV_DISAB', FALSE, NULL, 'severe-disability prevalence'),
    ('SI_COV_UEMP', FALSE, 'unemployed', NULL),
    ('SI_COV_PENSN', FALSE, NULL, 'population above pensionable age'),
    ('SI_COV_VULN', FALSE, NULL, 'population by age group (vulnerable residual)'),
    ('SI_COV_POOR', FALSE, NULL, 'poverty rate'),
    ('SI_COV_WKINJRY', FALSE, 'employed_or_labour_force', NULL),
    ('SP_CONTRIB_LF', FALSE, 'labour_force', NULL),
    ('SP_CONTRIB_WAP', FALSE, 'population_15plus', NULL),
    ('SP_HEALTH_PROT', FALSE, 'population', NULL)
) AS t(series, female_only, nationality_denominator, lacking)

-- name: adm_item_rules
-- The kinds of count ("items") built from SSI rows; '*' matches anything; scheme_kind any,
-- contributory or non_contributory (universal or means-tested). The benefit lists of the
-- edition (working-age contributory and assistance benefits, vulnerable numerator) arrive as
-- adm_benefit_lists.
SELECT * FROM (VALUES
    ('child_benefit', 'beneficiaries', 'child_family', '*', 'any', 'child/family benefit recipients'),
    ('maternity_benefit', 'beneficiaries', 'maternity', '*', 'any', 'maternity benefit recipients'),
    ('disability_benefit', 'beneficiaries', 'disability', '*', 'any', 'disability benefit recipients'),
    ('unemployment_benefit', 'beneficiaries', 'unemployment', '*', 'any', 'unemployment benefit recipients'),
    ('pension', 'beneficiaries', 'old_age', '*', 'any', 'old-age pension recipients'),
    ('pension_contributory', 'beneficiaries', 'old_age', '*', 'contributory', 'contributory old-age pension recipients'),
    ('social_assistance', 'beneficiaries', 'social_assistance', '*', 'any', 'social assistance recipients'),
    ('pension_contributors', 'active_contributors', '*', 'old_age', 'any', 'active contributors to old-age schemes'),
    ('injury_contributors', 'active_contributors', '*', 'employment_injury', 'any', 'active contributors to employment-injury schemes'),
    ('health_protected', 'health_protected', '*', '*', 'any', 'persons protected by a health scheme')
) AS t(item, measure, benefit_type, function, scheme_kind, description)
UNION ALL
SELECT item, 'beneficiaries', benefit_type, '*', scheme_kind, description FROM adm_benefit_lists

-- name: adm_item_rows
-- Every SSI count under each item it belongs to (nationality 'total' written T).
SELECT
    s.return_id,
    r.item,
    r.description,
    s.scheme_id,
    COALESCE(s.benefit_type, '') AS benefit_type,
    CASE WHEN s.nationality = 'total' THEN 'T' ELSE s.nationality END AS nationality,
    s.sex,
    CAST(s.persons AS DOUBLE) AS persons
FROM adm_ssi AS s
JOIN adm_item_rules AS r
    ON r.measure = s.measure
    AND (r.benefit_type = '*' OR r.benefit_type = s.benefit_type)
    AND (r.function = '*' OR r.function = s.function)
    AND (r.scheme_kind = 'any'
         OR r.scheme_kind = CASE WHEN s.scheme_type = 'contributory' THEN 'contributory' ELSE 'non_contributory' END)

-- name: adm_item_cells
-- For each item a return reports in total (T, T), and each cell: the sum and largest scheme of
-- the cell's counts, and the schemes of the total count missing from the cell (n_missing > 0:
-- the cell's count is incomplete and is not used).
SELECT
    t.return_id,
    t.item,
    MIN(t.description) AS description,
    c.nationality,
    c.sex,
    SUM(x.persons) AS persons,
    MAX(x.persons) AS largest_scheme,
    COUNT(*) - COUNT(x.persons) AS n_missing,
    STRING_AGG(CASE WHEN x.persons IS NULL THEN t.scheme_id END, ', ' ORDER BY t.scheme_id) AS missing_schemes
FROM adm_item_rows AS t
CROSS JOIN adm_cells AS c
LEFT JOIN adm_item_rows AS x
    ON x.return_id = t.return_id AND x.item = t.item AND x.scheme_id = t.scheme_id
    AND x.benefit_type = t.benefit_type AND x.nationality = c.nationality AND x.sex = c.sex
WHERE t.nationality = 'T' AND t.sex = 'T'
GROUP BY t.return_id, t.item, c.nationality, c.sex

-- name: adm_series_items
-- The items each series uses. role numerator: required, its count is the numerator; required:
-- the series cannot be computed without it; optional: absent means no one reported (0).
-- SI_COV_BENFTS requires old-age contributors and pension recipients: without them a whole
-- life-cycle group would be missing and the headline understated.
SELECT * FROM (VALUES
    ('SI_COV_BENFTS', 'child_benefit', 'optional'),
    ('SI_COV_BENFTS', 'pension_contributors', 'required'),
    ('SI_COV_BENFTS', 'contributory_wa_benefit', 'optional'),
    ('SI_COV_BENFTS', 'assistance_wa_benefit', 'optional'),
    ('SI_COV_BENFTS', 'pension', 'required'),
    ('SI_COV_CHLD', 'child_benefit', 'numerator'),
    ('SI_COV_MATNL', 'maternity_benefit', 'numerator'),
    ('SI_COV_DISAB', 'disability_benefit', 'numerator'),
    ('SI_COV_UEMP', 'unemployment_benefit', 'numerator'),
    ('SI_COV_PENSN', 'pension', 'numerator'),
    ('SI_COV_VULN', 'vulnerable_benefit', 'numerator'),
    ('SI_COV_VULN', 'pension_contributors', 'required'),
    ('SI_COV_VULN', 'contributory_wa_benefit', 'optional'),
    ('SI_COV_VULN', 'pension_contributory', 'optional'),
    ('SI_COV_POOR', 'social_assistance', 'numerator'),
    ('SI_COV_WKINJRY', 'injury_contributors', 'numerator'),
    ('SP_CONTRIB_LF', 'pension_contributors', 'numerator'),
    ('SP_CONTRIB_WAP', 'pension_contributors', 'numerator'),
    ('SP_HEALTH_PROT', 'health_protected', 'numerator')
) AS t(series, item, role)

-- name: adm_series_counts
-- Per return, series and cell: the numerator's sum and largest scheme, the required items
-- absent from the return, and the items incomplete in the cell.
SELECT
    r.return_id,
    si.series,
    c.nationality,
    c.sex,
    SUM(CASE WHEN si.role = 'numerator' THEN ic.persons END) AS numerator_sum,
    MAX(CASE WHEN si.role = 'numerator' THEN ic.largest_scheme END) AS numerator_largest,
    STRING_AGG(CASE WHEN si.role <> 'optional' AND ic.item IS NULL THEN d.description END, ', ' ORDER BY si.item) AS absent,
    STRING_AGG(CASE WHEN ic.n_missing > 0 THEN ic.description || ' (scheme ' || ic.missing_schemes || ')' END, '; ' ORDER BY si.item) AS incomplete
FROM adm_returns AS r
CROSS JOIN adm_series_items AS si
CROSS JOIN adm_cells AS c
JOIN (SELECT item, MIN(description) AS description FROM adm_item_rules GROUP BY item) AS d ON d.item = si.item
LEFT JOIN adm_item_cells AS ic
    ON ic.return_id = r.return_id AND ic.item = si.item AND ic.nationality = c.nationality AND ic.sex = c.sex
GROUP BY r.return_id, si.series, c.nationality, c.sex

-- name: adm_population_ages [view]
-- Single-year population (persons) of each return's country and year, by sex (F, M).
SELECT
    r.return_id,
    CASE WHEN p.gender = '1' THEN 'M' ELSE 'F' END AS sex,
    g.age_lo + w.age_offset AS age,
    p.population * 1000 * w.weight AS persons
FROM adm_returns AS r
JOIN adm_countries AS c ON c.iso3 = r.country
JOIN adm_population AS p ON p.country = c.m49 AND p.time = r.year
JOIN adm_wpp_groups AS g ON g.age5yearinterval = p.age5yearinterval
JOIN adm_age_weights AS w ON w.open_ended = g.open_ended

-- name: pension_age_requests [view]
-- Each return's country and year, for the pensionable-age rule (sql/pensionable_age.sql).
SELECT return_id AS request_id, country, year FROM adm_returns

-- name: pension_age_rules [view]
SELECT country, sex, from_year, age FROM adm_pensionable_age

-- include: pensionable_age.sql

-- name: adm_pension_age
-- Statutory pensionable age in force for each return and sex (F, M).
SELECT request_id AS return_id, sex, age, from_year FROM pension_age_in_force

-- name: adm_population_groups_fm
-- Population of each return by sex (F, M): total, children, working age and older (life-cycle
-- groups; the last two null without a pensionable age), and aged working_age_min and above.
SELECT
    p.return_id,
    p.sex,
    SUM(p.persons) AS pop_total,
    SUM(CASE WHEN p.age <= prm.child_max_age THEN p.persons ELSE 0 END) AS pop_child,
    SUM(CASE WHEN a.age IS NULL THEN NULL
             WHEN p.age > prm.child_max_age AND p.age < a.age THEN p.persons ELSE 0 END) AS pop_working,
    SUM(CASE WHEN a.age IS NULL THEN NULL WHEN p.age >= a.age THEN p.persons ELSE 0 END) AS pop_old,
    SUM(CASE WHEN p.age >= prm.working_age_min THEN p.persons ELSE 0 END) AS pop_wap,
    MIN(a.age) AS pension_age
FROM adm_population_ages AS p
CROSS JOIN params AS prm
LEFT JOIN adm_pension_age AS a ON a.return_id = p.return_id AND a.sex = p.sex
GROUP BY p.return_id, p.sex

-- name: adm_population_groups
-- The same for F, M and T = F + M; older_ages labels the pensionable ages used.
SELECT
    return_id, sex, pop_total, pop_child, pop_working, pop_old, pop_wap,
    CAST(pension_age AS VARCHAR) || '+' AS older_ages
FROM adm_population_groups_fm
UNION ALL
SELECT
    return_id,
    'T',
    SUM(pop_total),
    SUM(pop_child),
    CASE WHEN COUNT(pop_working) = 2 THEN SUM(pop_working) END,
    CASE WHEN COUNT(pop_old) = 2 THEN SUM(pop_old) END,
    SUM(pop_wap),
    'F ' || CAST(MAX(CASE WHEN sex = 'F' THEN pension_age END) AS VARCHAR) || '+, M '
        || CAST(MAX(CASE WHEN sex = 'M' THEN pension_age END) AS VARCHAR) || '+'
FROM adm_population_groups_fm
GROUP BY return_id
HAVING COUNT(*) = 2

-- name: adm_asfr_births
-- Births from age-specific fertility: sum of asfr x women of the age group (WPP, persons).
SELECT
    r.return_id,
    SUM(f.asfr * p.population * 1000) AS births,
    COUNT(*) AS n_groups
FROM adm_returns AS r
JOIN adm_countries AS c ON c.iso3 = r.country
JOIN adm_fertility AS f ON f.country = r.country AND f.year = r.year
JOIN adm_population AS p
    ON p.country = c.m49 AND p.time = r.year AND p.gender = '2' AND p.age5yearinterval = f.age_group
GROUP BY r.return_id

-- name: adm_delivery_shares
-- Twin and triplet delivery shares for the ASFR path: the country's births row nearest to the
-- reference year (the earlier at equal distance) within multiple_delivery_max_year_gap that
-- gives a share.
SELECT return_id, twin_delivery_share, triplet_delivery_share, share_year
FROM (
    SELECT
        r.return_id,
        b.twin_delivery_share,
        b.triplet_delivery_share,
        b.year AS share_year,
        ROW_NUMBER() OVER (PARTITION BY r.return_id ORDER BY ABS(b.year - r.year), b.year) AS nearest
    FROM adm_returns AS r
    CROSS JOIN params AS prm
    JOIN adm_births AS b
        ON b.country = r.country AND ABS(b.year - r.year) <= prm.multiple_delivery_max_year_gap
        AND (b.twin_delivery_share IS NOT NULL OR b.triplet_delivery_share IS NOT NULL)
) AS x
WHERE nearest = 1

-- name: adm_deliveries
-- Women giving birth: live births corrected for multiple deliveries, else births from ASFR
-- corrected with the nearest shares (uncorrected where there are none).
SELECT
    r.return_id,
    CASE
        WHEN b.live_births IS NOT NULL THEN b.live_births
            / (1 + COALESCE(b.twin_delivery_share, 0) + 2 * COALESCE(b.triplet_delivery_share, 0))
        WHEN a.n_groups = n.n_groups THEN a.births
            / (1 + COALESCE(sh.twin_delivery_share, 0) + 2 * COALESCE(sh.triplet_delivery_share, 0))
    END AS deliveries,
    CASE
        WHEN b.live_births IS NOT NULL THEN prm.src_births || ': live births ' || CAST(r.year AS VARCHAR)
            || ' / (1 + twin delivery share + 2 x triplet delivery share)'
        WHEN a.n_groups = n.n_groups THEN prm.src_fertility || ': sum of ASFR ' || CAST(r.year AS VARCHAR)
            || ' x women by 5-year age group 15-49 (' || prm.src_population || ')'
            || CASE WHEN sh.return_id IS NOT NULL
                    THEN ' / (1 + twin delivery share + 2 x triplet delivery share of ' || CAST(sh.share_year AS VARCHAR)
                         || ', ' || prm.src_births || ')'
                    ELSE '; no multiple-delivery shares within ' || CAST(prm.multiple_delivery_max_year_gap AS VARCHAR)
                         || ' year(s) of ' || CAST(r.year AS VARCHAR) || ': births, not deliveries' END
    END AS deliveries_source
FROM adm_returns AS r
CROSS JOIN params AS prm
CROSS JOIN (SELECT COUNT(*) AS n_groups FROM adm_wpp_groups WHERE fertility) AS n
LEFT JOIN adm_births AS b ON b.country = r.country AND b.year = r.year
LEFT JOIN adm_asfr_births AS a ON a.return_id = r.return_id
LEFT JOIN adm_delivery_shares AS sh ON sh.return_id = r.return_id

-- name: adm_poverty_nearest
-- Poverty rate of the reference year, else of the nearest year within poverty_max_year_gap.
SELECT return_id, sex, poverty_rate, poverty_year
FROM (
    SELECT
        r.return_id,
        v.sex,
        v.poverty_rate,
        v.year AS poverty_year,
        ROW_NUMBER() OVER (PARTITION BY r.return_id, v.sex ORDER BY ABS(v.year - r.year), v.year) AS nearest
    FROM adm_returns AS r
    CROSS JOIN params AS prm
    JOIN adm_poverty AS v ON v.country = r.country AND ABS(v.year - r.year) <= prm.poverty_max_year_gap
) AS x
WHERE nearest = 1

-- name: adm_rates
-- Severe-disability prevalence and poverty rate by return and sex, with the sex they were
-- given for (T for F or M under total_rate_for_sexes).
SELECT
    r.return_id,
    s.sex,
    CASE WHEN d.prevalence IS NOT NULL THEN d.prevalence
         WHEN prm.total_rate_for_sexes THEN dt.prevalence END AS prevalence,
    CASE WHEN d.prevalence IS NOT NULL THEN s.sex
         WHEN prm.total_rate_for_sexes AND dt.prevalence IS NOT NULL THEN 'T' END AS prevalence_sex,
    CASE WHEN v.poverty_rate IS NOT NULL THEN v.poverty_rate
         WHEN prm.total_rate_for_sexes THEN vt.poverty_rate END AS poverty_rate,
    CASE WHEN v.poverty_rate IS NOT NULL THEN s.sex
         WHEN prm.total_rate_for_sexes AND vt.poverty_rate IS NOT NULL THEN 'T' END AS poverty_sex,
    CASE WHEN v.poverty_rate IS NOT NULL THEN v.poverty_year
         WHEN prm.total_rate_for_sexes THEN vt.poverty_year END AS poverty_year
FROM adm_returns AS r
CROSS JOIN (VALUES ('T'), ('F'), ('M')) AS s(sex)
CROSS JOIN params AS prm
LEFT JOIN adm_disability AS d ON d.country = r.country AND d.sex = s.sex
LEFT JOIN adm_disability AS dt ON dt.country = r.country AND dt.sex = 'T'
LEFT JOIN adm_poverty_nearest AS v ON v.return_id = r.return_id AND v.sex = s.sex
LEFT JOIN adm_poverty_nearest AS vt ON vt.return_id = r.return_id AND vt.sex = 'T'

-- name: adm_context
-- Per return and sex (T, F, M): the denominators of the whole population (null where an input is
-- missing) and, for each input, why it is missing.
SELECT
    r.return_id,
    s.sex,
    g.pop_total,
    g.pop_child,
    g.pop_working,
    g.pop_old,
    g.pop_wap,
    g.older_ages,
    dl.deliveries,
    dl.deliveries_source,
    rt.prevalence * g.pop_total AS disabled,
    rt.prevalence_sex,
    rt.poverty_rate / 100 * g.pop_total AS poor,
    rt.poverty_sex,
    rt.poverty_year,
    lf.labour_force,
    lf.employed,
    lf.unemployed,
    CASE
        WHEN c.iso3 IS NULL THEN 'country ' || r.country || ' not in the countries table (no M49 code for the population)'
        WHEN g.pop_total IS NULL THEN prm.src_population || ': no rows for ' || r.country
            || ' (M49 ' || CAST(c.m49 AS VARCHAR) || ') in ' || CAST(r.year AS VARCHAR)
    END AS population_missing,
    CASE
        WHEN NOT prm.has_pensionable_age THEN 'pensionable_age table not provided'
        WHEN g.pop_old IS NULL THEN prm.src_pensionable_age || ': no pensionable age in force for '
            || r.country || ' in ' || CAST(r.year AS VARCHAR)
    END AS pension_age_missing,
    CASE
        WHEN dl.deliveries IS NULL THEN
            CASE WHEN prm.has_births THEN prm.src_births || ': no row for ' || r.country || ' ' || CAST(r.year AS VARCHAR)
                 ELSE 'births table not provided' END
            || '; '
            || CASE WHEN prm.has_fertility THEN prm.src_fertility || ': no complete ASFR (7 age groups with women) for '
                    || r.country || ' ' || CAST(r.year AS VARCHAR)
                    ELSE 'fertility table not provided' END
    END AS births_missing,
    CASE
        WHEN NOT prm.has_disability THEN 'disability_prevalence table not provided'
        WHEN rt.prevalence IS NULL THEN prm.src_disability || ': no prevalence for ' || r.country || ' sex ' || s.sex
    END AS disability_missing,
    CASE
        WHEN NOT prm.has_poverty THEN 'poverty table not provided'
        WHEN rt.poverty_rate IS NULL THEN prm.src_poverty || ': no poverty rate for ' || r.country || ' sex ' || s.sex
            || ' within ' || CAST(prm.poverty_max_year_gap AS VARCHAR) || ' year(s) of ' || CAST(r.year AS VARCHAR)
    END AS poverty_missing,
    CASE
        WHEN NOT prm.has_labour_force THEN 'labour_force table not provided'
        WHEN lf.labour_force IS NULL THEN prm.src_labour_force || ': no row for ' || r.country || ' '
            || CAST(r.year AS VARCHAR) || ' sex ' || s.sex
    END AS labour_force_missing
FROM adm_returns AS r
CROSS JOIN (VALUES ('T'), ('F'), ('M')) AS s(sex)
CROSS JOIN params AS prm
LEFT JOIN adm_countries AS c ON c.iso3 = r.country
LEFT JOIN adm_population_groups AS g ON g.return_id = r.return_id AND g.sex = s.sex
LEFT JOIN adm_deliveries AS dl ON dl.return_id = r.return_id
LEFT JOIN adm_rates AS rt ON rt.return_id = r.return_id AND rt.sex = s.sex
LEFT JOIN adm_labour_force AS lf ON lf.country = r.country AND lf.year = r.year AND lf.sex = s.sex

-- name: adm_lifecycle_counts
-- The counts of the life-cycle construction per return and sex (nationality T); an item the
-- return does not report counts 0; n_missing > 0 when an item is incomplete for the sex.
SELECT
    return_id,
    sex,
    COALESCE(SUM(CASE WHEN item = 'child_benefit' THEN persons END), 0) AS child_recipients,
    COALESCE(SUM(CASE WHEN item = 'pension_contributors' THEN persons END), 0) AS contributors,
    COALESCE(SUM(CASE WHEN item = 'contributory_wa_benefit' THEN persons END), 0) AS contributory_recipients,
    COALESCE(SUM(CASE WHEN item = 'assistance_wa_benefit' THEN persons END), 0) AS assistance_recipients,
    COALESCE(SUM(CASE WHEN item = 'pension' THEN persons END), 0) AS pension_recipients,
    COALESCE(SUM(CASE WHEN item = 'pension_contributory' THEN persons END), 0) AS contributory_pension_recipients,
    SUM(CASE WHEN item IN ('child_benefit', 'pension_contributors', 'contributory_wa_benefit',
                           'assistance_wa_benefit', 'pension', 'pension_contributory') THEN n_missing ELSE 0 END) AS n_missing
FROM adm_item_cells
WHERE nationality = 'T'
GROUP BY return_id, sex

-- name: adm_lifecycle_groups
-- Life-cycle groups capped at their populations; vulnerable = population - Wc - Oc.
SELECT
    k.*,
    g.pop_total,
    g.pop_child,
    g.pop_working,
    g.pop_old,
    LEAST(k.child_recipients, g.pop_child) AS children_covered,
    LEAST(k.contributors + k.contributory_recipients, g.pop_working) AS contributory_working,
    LEAST(k.contributory_pension_recipients, g.pop_old) AS contributory_older,
    g.pop_total - LEAST(k.contributors + k.contributory_recipients, g.pop_working)
        - LEAST(k.contributory_pension_recipients, g.pop_old) AS vulnerable,
    LEAST(k.pension_recipients, g.pop_old) AS older_covered
FROM adm_lifecycle_counts AS k
JOIN adm_population_groups AS g ON g.return_id = k.return_id AND g.sex = k.sex
WHERE g.pop_old IS NOT NULL

-- name: adm_lifecycle
-- Working-age part of the assistance recipients and the SI_COV_BENFTS numerator.
SELECT
    x.*,
    LEAST(x.contributory_working + x.assistance_working, x.pop_working) AS working_covered,
    x.children_covered + LEAST(x.contributory_working + x.assistance_working, x.pop_working)
        + x.older_covered AS covered
FROM (
    SELECT
        l.*,
        CASE WHEN prm.assistance_age_allocation = 'all_working_age' THEN l.assistance_recipients
             ELSE l.assistance_recipients * (l.pop_working - l.contributory_working) / NULLIF(l.vulnerable, 0)
        END AS assistance_working
    FROM adm_lifecycle_groups AS l
    CROSS JOIN params AS prm
) AS x

-- name: adm_nationality_context
-- Denominators by nationality (population_by_nationality) per return and cell, and why missing.
SELECT
    r.return_id,
    c.nationality,
    c.sex,
    n.population,
    n.population_15plus,
    n.labour_force,
    n.employed,
    n.unemployed,
    CASE
        WHEN NOT prm.has_nationality THEN 'population_by_nationality table not provided'
        WHEN n.country IS NULL THEN prm.src_nationality || ': no row for ' || r.country || ' '
            || CAST(r.year AS VARCHAR) || ' sex ' || c.sex || ' ' || c.nationality
    END AS nationality_missing
FROM adm_returns AS r
CROSS JOIN adm_cells AS c
CROSS JOIN params AS prm
LEFT JOIN adm_nationality_population AS n
    ON n.country = r.country AND n.year = r.year AND n.sex = c.sex AND n.nationality = c.nationality
WHERE c.nationality <> 'T'

-- name: adm_denominators
-- Denominator, its source and why it is missing, per return, series and cell.
SELECT
    return_id, series, nationality, sex, denominator, denominator_source,
    COALESCE(missing_input, CASE WHEN denominator IS NULL THEN src_nationality || ': ' || nationality_column
        || ' missing for ' || nationality || ' sex ' || sex END) AS missing
FROM (
    SELECT
        r.return_id,
        s.series,
        c.nationality,
        c.sex,
        prm.src_nationality,
        CASE WHEN s.nationality_denominator = 'employed_or_labour_force'
             THEN CASE WHEN prm.wkinjry_labour_force THEN 'labour_force' ELSE 'employed' END
             ELSE s.nationality_denominator END AS nationality_column,
        CASE
            WHEN c.nationality = 'T' THEN
                CASE s.series
                    WHEN 'SI_COV_BENFTS' THEN CASE WHEN d.pop_old IS NOT NULL THEN d.pop_total END
                    WHEN 'SI_COV_CHLD' THEN d.pop_child
                    WHEN 'SI_COV_MATNL' THEN d.deliveries
                    WHEN 'SI_COV_DISAB' THEN d.disabled
                    WHEN 'SI_COV_UEMP' THEN d.unemployed
                    WHEN 'SI_COV_PENSN' THEN d.pop_old
                    WHEN 'SI_COV_VULN' THEN l.vulnerable
                    WHEN 'SI_COV_POOR' THEN d.poor
                    WHEN 'SI_COV_WKINJRY' THEN CASE WHEN prm.wkinjry_labour_force THEN d.labour_force ELSE d.employed END
                    WHEN 'SP_CONTRIB_LF' THEN d.labour_force
                    WHEN 'SP_CONTRIB_WAP' THEN d.pop_wap
                    WHEN 'SP_HEALTH_PROT' THEN d.pop_total
                END
            ELSE
                CASE s.nationality_denominator
                    WHEN 'population' THEN n.population
                    WHEN 'population_15plus' THEN CASE WHEN prm.working_age_min = 15 THEN n.population_15plus END
                    WHEN 'labour_force' THEN n.labour_force
                    WHEN 'unemployed' THEN n.unemployed
                    WHEN 'employed_or_labour_force' THEN
                        CASE WHEN prm.wkinjry_labour_force THEN n.labour_force ELSE n.employed END
                END
        END AS denominator,
        CASE
            WHEN c.nationality = 'T' THEN
                CASE s.series
                    WHEN 'SI_COV_BENFTS' THEN prm.src_population || ': population, all ages (life-cycle groups 0-'
                        || CAST(prm.child_max_age AS VARCHAR) || ', working age, pensionable age ' || d.older_ages || ')'
                    WHEN 'SI_COV_CHLD' THEN prm.src_population || ': population aged 0-' || CAST(prm.child_max_age AS VARCHAR)
                        || ' (' || prm.age_split_rule || ' split of 5-year groups)'
                    WHEN 'SI_COV_MATNL' THEN d.deliveries_source
                    WHEN 'SI_COV_DISAB' THEN prm.src_disability || ': severe-disability prevalence (sex ' || d.prevalence_sex
                        || ') x ' || prm.src_population || ' population'
                    WHEN 'SI_COV_UEMP' THEN prm.src_labour_force || ': unemployed 15+'
                    WHEN 'SI_COV_PENSN' THEN prm.src_population || ': population aged ' || d.older_ages
                        || ' (' || prm.src_pensionable_age || '; ' || prm.age_split_rule || ' split of 5-year groups)'
                    WHEN 'SI_COV_VULN' THEN prm.src_population || ': population minus contributory coverage (SSI active'
                        || ' contributors to old-age schemes + contributory working-age benefit recipients, capped at ages '
                        || CAST(prm.child_max_age + 1 AS VARCHAR) || ' to pensionable age; contributory old-age pensioners,'
                        || ' capped at ages ' || d.older_ages || ')'
                    WHEN 'SI_COV_POOR' THEN prm.src_poverty || ': poverty rate ' || CAST(d.poverty_year AS VARCHAR)
                        || ' (sex ' || d.poverty_sex || ') x ' || prm.src_population || ' population'
                    WHEN 'SI_COV_WKINJRY' THEN prm.src_labour_force
                        || CASE WHEN prm.wkinjry_labour_force THEN ': labour force 15+' ELSE ': employed 15+' END
                    WHEN 'SP_CONTRIB_LF' THEN prm.src_labour_force || ': labour force 15+'
                    WHEN 'SP_CONTRIB_WAP' THEN prm.src_population || ': population aged '
                        || CAST(prm.working_age_min AS VARCHAR) || '+'
                    WHEN 'SP_HEALTH_PROT' THEN prm.src_population || ': population, all ages'
                END
            ELSE prm.src_nationality || ': ' || CASE WHEN s.nationality_denominator = 'employed_or_labour_force'
                THEN CASE WHEN prm.wkinjry_labour_force THEN 'labour_force' ELSE 'employed' END
                ELSE s.nationality_denominator END || ' (' || c.nationality || ')'
        END AS denominator_source,
        CASE
            WHEN c.nationality = 'T' THEN
                CASE s.series
                    WHEN 'SI_COV_BENFTS' THEN COALESCE(d.population_missing, d.pension_age_missing)
                    WHEN 'SI_COV_CHLD' THEN d.population_missing
                    WHEN 'SI_COV_MATNL' THEN d.births_missing
                    WHEN 'SI_COV_DISAB' THEN COALESCE(d.disability_missing, d.population_missing)
                    WHEN 'SI_COV_UEMP' THEN d.labour_force_missing
                    WHEN 'SI_COV_PENSN' THEN COALESCE(d.population_missing, d.pension_age_missing)
                    WHEN 'SI_COV_VULN' THEN COALESCE(d.population_missing, d.pension_age_missing)
                    WHEN 'SI_COV_POOR' THEN COALESCE(d.poverty_missing, d.population_missing)
                    WHEN 'SI_COV_WKINJRY' THEN d.labour_force_missing
                    WHEN 'SP_CONTRIB_LF' THEN d.labour_force_missing
                    WHEN 'SP_CONTRIB_WAP' THEN d.population_missing
                    WHEN 'SP_HEALTH_PROT' THEN d.population_missing
                END
            WHEN s.nationality_denominator IS NULL THEN s.lacking || ' not available by nationality'
            WHEN n.nationality_missing IS NOT NULL THEN n.nationality_missing
            WHEN s.nationality_denominator = 'population_15plus' AND prm.working_age_min <> 15 THEN
                'population_by_nationality gives ages 15+, the edition''s working age starts at '
                || CAST(prm.working_age_min AS VARCHAR)
        END AS missing_input
    FROM adm_returns AS r
    CROSS JOIN adm_series AS s
    CROSS JOIN adm_cells AS c
    CROSS JOIN params AS prm
    LEFT JOIN adm_context AS d ON d.return_id = r.return_id AND d.sex = c.sex AND c.nationality = 'T'
    LEFT JOIN adm_lifecycle AS l ON l.return_id = r.return_id AND l.sex = c.sex AND c.nationality = 'T'
    LEFT JOIN adm_nationality_context AS n
        ON n.return_id = r.return_id AND n.nationality = c.nationality AND n.sex = c.sex
    WHERE NOT s.female_only OR c.sex = 'F'
) AS x

-- name: adm_candidates
-- Every return x series x cell with its numerator (after the overlap rule or the life-cycle
-- rule), denominator, breakdown, parent cell, and the reason it cannot be computed (null: it can).
SELECT
    r.return_id,
    r.country,
    r.year,
    dn.series,
    dn.nationality,
    dn.sex,
    CASE
        WHEN dn.nationality = 'T' AND (dn.sex = 'T' OR s.female_only) THEN 'all'
        WHEN dn.nationality = 'T' THEN 'sex'
        WHEN dn.sex = 'T' OR s.female_only THEN 'nationality'
        ELSE 'nationality_by_sex'
    END AS breakdown,
    CASE WHEN dn.nationality <> 'T' AND dn.sex <> 'T' AND NOT s.female_only THEN dn.nationality ELSE 'T' END AS parent_nationality,
    CASE WHEN s.female_only THEN 'F' ELSE 'T' END AS parent_sex,
    CASE
        WHEN dn.series = 'SI_COV_BENFTS' THEN l.covered
        WHEN prm.scheme_overlap = 'sum' THEN sc.numerator_sum
        WHEN prm.scheme_overlap = 'largest_scheme' THEN sc.numerator_largest
        -- max(largest, min(sum, denominator)) as CASE: LEAST(sum, NULL) would be the sum
        WHEN prm.scheme_overlap = 'sum_capped_at_denominator' THEN
            CASE
                WHEN sc.numerator_sum <= dn.denominator THEN sc.numerator_sum
                WHEN sc.numerator_largest > dn.denominator THEN sc.numerator_largest
                WHEN sc.numerator_sum > dn.denominator THEN dn.denominator
            END
    END AS numerator,
    CASE
        WHEN dn.series = 'SI_COV_BENFTS' THEN l.child_recipients + l.contributors + l.contributory_recipients
            + l.assistance_recipients + l.pension_recipients
        ELSE sc.numerator_sum
    END AS numerator_reported,
    -- caps applied to the numerator or denominator (null: none); value_at_100 is added on output
    NULLIF(CONCAT_WS(', ',
        CASE WHEN dn.series = 'SI_COV_BENFTS' AND (l.child_recipients > l.pop_child
                  OR l.contributors + l.contributory_recipients > l.pop_working
                  OR l.contributory_working + l.assistance_working > l.pop_working OR l.pension_recipients > l.pop_old)
             THEN 'lifecycle_groups'
             WHEN dn.series = 'SI_COV_VULN' AND (l.contributors + l.contributory_recipients > l.pop_working
                  OR l.contributory_pension_recipients > l.pop_old)
             THEN 'lifecycle_groups' END,
        CASE WHEN dn.series <> 'SI_COV_BENFTS' AND prm.scheme_overlap = 'sum_capped_at_denominator'
                  AND sc.numerator_sum > dn.denominator AND sc.numerator_largest < sc.numerator_sum
             THEN 'numerator_at_denominator' END
    ), '') AS caps,
    dn.denominator,
    dn.denominator_source,
    CASE WHEN dn.series = 'SI_COV_BENFTS' THEN prm.benefts_rule ELSE prm.scheme_overlap END AS aggregation_rule,
    CASE
        WHEN dn.nationality <> 'T' AND NOT r.has_module THEN 'no NonNationals module in ' || r.return_id
        WHEN dn.nationality <> 'T' AND s.nationality_denominator IS NULL THEN dn.missing
        WHEN sc.absent IS NOT NULL THEN 'no ' || sc.absent || ' in ' || r.return_id
        WHEN dn.missing IS NOT NULL THEN dn.missing
        WHEN sc.incomplete IS NOT NULL THEN
            CASE WHEN dn.nationality = 'T' THEN 'not reported by sex: '
                 WHEN dn.sex = 'T' OR s.female_only THEN 'not in the NonNationals module: '
                 ELSE 'not reported by sex in the NonNationals module: ' END || sc.incomplete
        WHEN dn.denominator IS NULL THEN 'denominator not available'
        WHEN dn.denominator <= 0 THEN 'denominator is zero'
    END AS reason
FROM adm_denominators AS dn
JOIN adm_returns AS r ON r.return_id = dn.return_id
JOIN adm_series AS s ON s.series = dn.series
JOIN adm_series_counts AS sc
    ON sc.return_id = dn.return_id AND sc.series = dn.series AND sc.nationality = dn.nationality AND sc.sex = dn.sex
CROSS JOIN params AS prm
LEFT JOIN adm_lifecycle AS l ON l.return_id = dn.return_id AND l.sex = dn.sex AND dn.nationality = 'T'

-- name: adm_cell_values
-- Each computable cell on its own: value (capped at 100 where the edition says so), the
-- numerator that value stands for (published_numerator) and the caps applied.
SELECT
    x.*,
    CASE WHEN x.cap_at_100 AND x.value_uncapped > 100 THEN 100.0 ELSE x.value_uncapped END AS value,
    CASE WHEN x.cap_at_100 AND x.value_uncapped > 100 THEN x.denominator ELSE x.numerator END AS published_numerator,
    NULLIF(CONCAT_WS(', ', x.caps, CASE WHEN x.cap_at_100 AND x.value_uncapped > 100 THEN 'value_at_100' END), '') AS cap_applied
FROM (
    SELECT c.*, 100 * c.numerator / c.denominator AS value_uncapped, prm.cap_at_100, prm.method_edition
    FROM adm_candidates AS c
    CROSS JOIN params AS prm
    WHERE c.reason IS NULL
) AS x

-- name: adm_coverage_out
-- Coverage rows (percent): every computable cell, T built from F and M under sex_total_rule
-- from_sexes (header).
SELECT
    country,
    year,
    series,
    sex,
    nationality,
    'T' AS age_group,
    'T' AS urban_rural,
    value,
    numerator,
    numerator_reported,
    denominator,
    cap_applied IS NOT NULL AS capped,
    cap_applied,
    aggregation_rule,
    'administrative' AS source_kind,
    return_id AS source_id,
    denominator_source,
    method_edition
FROM (
    SELECT
        c.country, c.year, c.series, c.sex, c.nationality, c.aggregation_rule, c.return_id, c.method_edition,
        CASE WHEN m.return_id IS NULL THEN c.value
             ELSE 100 * (f.published_numerator + m.published_numerator) / (f.denominator + m.denominator) END AS value,
        CASE WHEN m.return_id IS NULL THEN c.numerator ELSE f.numerator + m.numerator END AS numerator,
        CASE WHEN m.return_id IS NULL THEN c.numerator_reported ELSE f.numerator_reported + m.numerator_reported END AS numerator_reported,
        CASE WHEN m.return_id IS NULL THEN c.denominator ELSE f.denominator + m.denominator END AS denominator,
        CASE WHEN m.return_id IS NULL THEN c.cap_applied
             ELSE NULLIF(CONCAT_WS('; ', 'F: ' || f.cap_applied, 'M: ' || m.cap_applied), '') END AS cap_applied,
        CASE WHEN m.return_id IS NULL THEN c.denominator_source
             WHEN f.denominator_source = m.denominator_source THEN f.denominator_source || '; T = F + M'
             ELSE 'F: ' || f.denominator_source || '; M: ' || m.denominator_source || '; T = F + M' END AS denominator_source
    FROM adm_cell_values AS c
    CROSS JOIN params AS prm
    LEFT JOIN adm_cell_values AS f
        ON prm.sex_total_rule = 'from_sexes' AND c.sex = 'T'
        AND f.return_id = c.return_id AND f.series = c.series AND f.nationality = c.nationality AND f.sex = 'F'
    LEFT JOIN adm_cell_values AS m
        ON m.return_id = f.return_id AND m.series = f.series AND m.nationality = f.nationality AND m.sex = 'M'
) AS x

-- name: adm_gaps_out
-- Sex gaps (F - M, F / M) within each nationality; nationality gaps (non_national - national,
-- non_national / national) within each sex.
SELECT
    f.country, f.year, f.series, 'sex' AS gap_type, 'T' AS sex, f.nationality,
    'T' AS age_group, 'T' AS urban_rural, f.source_kind, f.source_id,
    f.value AS value_group, m.value AS value_reference,
    f.value - m.value AS difference_pp,
    f.value / NULLIF(m.value, 0) AS ratio,
    f.method_edition
FROM adm_coverage_out AS f
JOIN adm_coverage_out AS m
    ON m.source_id = f.source_id AND m.series = f.series AND m.nationality = f.nationality
    AND f.sex = 'F' AND m.sex = 'M'
UNION ALL
SELECT
    x.country, x.year, x.series, 'nationality', x.sex, 'T',
    'T', 'T', x.source_kind, x.source_id,
    x.value, n.value,
    x.value - n.value,
    x.value / NULLIF(n.value, 0),
    x.method_edition
FROM adm_coverage_out AS x
JOIN adm_coverage_out AS n
    ON n.source_id = x.source_id AND n.series = x.series AND n.sex = x.sex
    AND x.nationality = 'non_national' AND n.nationality = 'national'

-- name: adm_not_computable_out
-- Cells that cannot be computed, with the reason; a breakdown is listed only when its parent
-- cell (the total, or the nationality's total over both sexes) is computable.
SELECT DISTINCT
    c.country, c.year, 'administrative' AS source_kind, c.return_id AS source_id, c.series, c.breakdown, c.reason
FROM adm_candidates AS c
LEFT JOIN adm_candidates AS p
    ON p.return_id = c.return_id AND p.series = c.series
    AND p.nationality = c.parent_nationality AND p.sex = c.parent_sex
WHERE c.reason IS NOT NULL AND (c.breakdown = 'all' OR p.reason IS NULL)

-- name: adm_lifecycle_out
-- The life-cycle construction of SI_COV_BENFTS and of the vulnerable residual, per return and
-- sex (persons), where every count it uses is complete for the sex.
SELECT
    r.country,
    r.year,
    l.return_id AS source_id,
    l.sex,
    l.pop_total,
    l.pop_child,
    l.pop_working,
    l.pop_old,
    l.child_recipients,
    l.contributors,
    l.contributory_recipients,
    l.assistance_recipients,
    l.pension_recipients,
    l.contributory_pension_recipients,
    l.children_covered,
    l.contributory_working,
    l.contributory_older,
    l.vulnerable,
    l.assistance_working,
    l.working_covered,
    l.older_covered,
    l.covered,
    prm.benefts_rule,
    prm.assistance_age_allocation,
    prm.method_edition
FROM adm_lifecycle AS l
JOIN adm_returns AS r ON r.return_id = l.return_id
CROSS JOIN params AS prm
WHERE l.n_missing = 0
