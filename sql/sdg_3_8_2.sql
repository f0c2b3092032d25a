-- SDG 3.8.2 financial hardship, household budget survey microdata.
-- Editions: config/methods/sdg_3_8_2.yaml. Each series records the metadata edition of its
-- definition (method_edition = sdg_3_8_2:<edition>/<definition edition>+...): legacy metadata
-- update 2023-05-15 for SH_XPD_EARN10/25; 2025 definition, WHO GHO imr-details/376, for SH_FIN_*.
--
-- Household i, household sampling weight w_i, size m_i, person weight p_i = w_i * m_i.
-- C_i annual consumption, OOP_i annual out-of-pocket health spending (local currency). C_i is
-- hh_consumption: consumption, or income mapped there by the spec when the survey has no
-- consumption (data/raw/README.md 1.3); which one is not recorded in the output.
--
--   legacy:   SH_XPD_EARN10 = sum_i p_i 1(OOP_i / C_i > 0.10) / sum_i p_i     (and 0.25: EARN25)
--   2025:     c_i = C_i / m_i / 365 / PPP, o_i = OOP_i / m_i / 365 / PPP   (per capita per day, PPP $)
--             SPL = max(2.15, 1.15 + 0.5 * median_p(c))            (person-weighted median)
--             D_i = c_i - SPL                                       (discretionary budget)
--             SH_FIN_HARDSHIP = sum p_i 1(o_i > 0 AND o_i > 0.40 D_i) / sum p_i
--             SH_FIN_IMPOVERISHING = sum p_i 1(o_i > 0 AND o_i >= 1.00 D_i) / sum p_i
--                 (includes every household already below the SPL with positive OOP)
--             SH_FIN_LARGE = hardship AND NOT impoverishing
-- m_i is the household's size recorded at harmonisation (hh_size: its rows in the source file,
-- quarantined members included). A household whose kept members are fewer than m_i is left
-- out: with a member missing, its per-capita values would still be right with m_i, but its age
-- composition and its head could not be known, and nothing is guessed (the household is listed
-- with 'household roster incomplete: k of m member rows quarantined'). The estimates then
-- cover households with a complete roster, without reweighting.
-- The head is the one member flagged hh_head: a household with none or several (when the survey
-- flags heads) is left out; MAX(sex) would have called a man-and-woman pair a man.
-- Household values (consumption, OOP, size, area, stratum, PSU) must be the same on every
-- member's row: a household whose members disagree (or where some lack the value) is left out,
-- naming the variables, instead of taking MAX over members. So must a household weight the spec
-- declares. Where the spec declares none, the harmoniser sets household_weight = person_weight
-- on every row; if those person weights differ within a household, p_i is the sum of its
-- members' person weights (the persons it represents; = w_i m_i when they are equal), not the
-- largest weight times m_i.
-- Households with missing or non-positive consumption, or missing or negative OOP (negative
-- amounts are quarantined at harmonisation; this guards other inputs), are excluded from every
-- 3.8.2 estimate and listed with the reason (block hardship_exclusions).
-- OOP above consumption (edition key oop_above_consumption): 'count' (default) keeps the
-- household: its budget share OOP_i / C_i > 1 is above every threshold, so it is in the
-- numerator of every series (o_i > c_i > D_i: hardship and impoverishing); 'exclude' leaves it
-- out like the households above, with its reason. Either way their number is reported
-- (hardship_oop_above_consumption: households kept above 1 plus households excluded for it).
-- Domains: total, sex of the household head, urban/rural (and head's sex within it),
-- consumption quintile (person-weighted, per-capita consumption), household age composition
-- (WHO groups: only members under 20; adults 20-59 only; adults with children; adults with
-- older persons 60+; older persons only; multigenerational = every other mix; a household with
-- a member whose single year of age is missing, i.e. a survey giving age in classes only, has
-- no composition domain and counts in the other breakdowns).
-- Quintiles: households ranked by per-capita consumption (ties by hh_id); cum_i = share of
-- persons (p_i) up to and including household i; quintile = ceil(5 cum_i) in 1..5 (a household
-- ending exactly on a fifth stays below it). Whole households are assigned, never split, so a
-- quintile holds about, not exactly, 20% of persons.
-- Variance: sql/survey_variance.sql on the households' PSUs (a household is the unit, weighted
-- by w_i m_i); the gender gap (female minus male head) with its design-based SE, within every
-- breakdown. The SEs treat the SPL (so the median it comes from) and the quintile cut-points as
-- fixed: their own sampling variability is not included, so SH_FIN_* and quintile SEs are
-- conditional on them.
-- Counts: n_unweighted and n_numerator_unweighted count sample households (the sampled units of
-- 3.8.2: a household is in or out as a whole), not persons as in sdg_1_3_1.
-- Inputs: persons (canonical person table of one survey), params (one row, from the edition and
-- the survey's PPP: ppp_private_consumption), active_series(series).

-- name: hardship_members
SELECT
    hh_id,
    MAX(household_weight) AS household_weight,
    COUNT(DISTINCT household_weight) AS n_household_weights,
    SUM(person_weight) AS sum_person_weight,
    COUNT(*) AS n_members,
    MAX(hh_size) AS hh_size,
    MAX(stratum) AS stratum,
    MAX(psu) AS psu,
    MAX(urban_rural) AS urban_rural,
    MAX(hh_consumption) AS consumption,
    MAX(hh_oop_health) AS oop,
    SUM(CASE WHEN hh_head THEN 1 ELSE 0 END) AS n_heads,
    MAX(CASE WHEN hh_head THEN sex END) AS head_sex,
    SUM(CASE WHEN age < p.child_age_below THEN 1 ELSE 0 END) AS n_young,
    SUM(CASE WHEN age >= p.child_age_below AND age < p.older_age_from THEN 1 ELSE 0 END) AS n_adult,
    SUM(CASE WHEN age >= p.older_age_from THEN 1 ELSE 0 END) AS n_older,
    COUNT(age) AS n_aged,
    -- household values that are not the same on every member (several values, or missing on some)
    NULLIF(CONCAT_WS(', ',
        CASE WHEN COUNT(DISTINCT hh_consumption) > 1 OR (COUNT(hh_consumption) > 0 AND COUNT(hh_consumption) < COUNT(*)) THEN 'hh_consumption' END,
        CASE WHEN COUNT(DISTINCT hh_oop_health) > 1 OR (COUNT(hh_oop_health) > 0 AND COUNT(hh_oop_health) < COUNT(*)) THEN 'hh_oop_health' END,
        CASE WHEN COUNT(DISTINCT hh_size) > 1 OR (COUNT(hh_size) > 0 AND COUNT(hh_size) < COUNT(*)) THEN 'hh_size' END,
        CASE WHEN COUNT(DISTINCT urban_rural) > 1 OR (COUNT(urban_rural) > 0 AND COUNT(urban_rural) < COUNT(*)) THEN 'urban_rural' END,
        CASE WHEN COUNT(DISTINCT stratum) > 1 THEN 'stratum' END,
        CASE WHEN COUNT(DISTINCT psu) > 1 THEN 'psu' END,
        -- a declared household weight differing between members (the person-weight default may)
        CASE WHEN COUNT(DISTINCT household_weight) > 1
             AND MIN(CASE WHEN household_weight = person_weight THEN 1 ELSE 0 END) = 0 THEN 'household_weight' END
    ), '') AS differing
FROM persons
CROSS JOIN params AS p
GROUP BY hh_id

-- name: hardship_exclusions
-- One row per household left out, with the first reason that applies. The head rules apply
-- when the survey flags heads at all (without hh_head, the sex of the head is 'unknown').
SELECT hh_id, reason, consumption, oop
FROM (
    SELECT
        h.hh_id,
        CASE
            WHEN differing IS NOT NULL THEN 'household values differ between members: ' || differing
            WHEN hh_size IS NULL THEN 'household size not recorded'
            WHEN n_members < hh_size THEN 'household roster incomplete: ' || CAST(hh_size - n_members AS VARCHAR)
                || ' of ' || CAST(hh_size AS VARCHAR) || ' member rows quarantined'
            WHEN n_members > hh_size THEN 'household roster larger than its size: ' || CAST(n_members AS VARCHAR)
                || ' members, size ' || CAST(hh_size AS VARCHAR)
            WHEN s.n_head_flags > 0 AND n_heads = 0 THEN 'no household head among its members'
            WHEN n_heads > 1 THEN CAST(n_heads AS VARCHAR) || ' household heads'
            WHEN consumption IS NULL THEN 'missing consumption'
            WHEN consumption <= 0 THEN 'consumption not positive'
            WHEN oop IS NULL THEN 'missing out-of-pocket spending'
            WHEN oop < 0 THEN 'out-of-pocket spending negative'
            WHEN oop > consumption AND p.oop_above_consumption = 'exclude' THEN 'out-of-pocket spending above consumption'
        END AS reason,
        consumption,
        oop
    FROM hardship_members AS h
    CROSS JOIN (SELECT COUNT(hh_head) AS n_head_flags FROM persons) AS s
    CROSS JOIN params AS p
) AS x
WHERE reason IS NOT NULL

-- name: hardship_households
SELECT
    h.hh_id,
    h.stratum,
    h.psu,
    CASE WHEN h.n_household_weights = 1 THEN h.household_weight * h.hh_size ELSE h.sum_person_weight END AS person_weight,
    h.hh_size,
    COALESCE(h.urban_rural, 'unknown') AS urban_rural,
    COALESCE(h.head_sex, 'unknown') AS head_sex,
    CASE
        -- a member without a single year of age (age given in classes only): composition unknown
        WHEN h.n_aged < h.n_members THEN 'unknown'
        WHEN h.n_young > 0 AND h.n_adult = 0 AND h.n_older = 0 THEN 'only_under_20'
        WHEN h.n_young = 0 AND h.n_adult > 0 AND h.n_older = 0 THEN 'adults_only'
        WHEN h.n_young > 0 AND h.n_adult > 0 AND h.n_older = 0 THEN 'adults_with_children'
        WHEN h.n_young = 0 AND h.n_adult > 0 AND h.n_older > 0 THEN 'adults_with_older'
        WHEN h.n_young = 0 AND h.n_adult = 0 AND h.n_older > 0 THEN 'older_only'
        ELSE 'multigenerational'
    END AS hh_composition,
    h.oop / h.consumption AS oop_share,
    h.consumption / h.hh_size AS pc_consumption_lcu,
    h.consumption / h.hh_size / p.days_per_year / p.ppp_private_consumption AS pc_consumption,
    h.oop / h.hh_size / p.days_per_year / p.ppp_private_consumption AS pc_oop
FROM hardship_members AS h
CROSS JOIN params AS p
WHERE h.hh_id NOT IN (SELECT hh_id FROM hardship_exclusions)

-- name: hardship_oop_above_consumption
-- Households whose OOP exceeds their consumption: counted above every threshold, or excluded.
SELECT
    (SELECT COUNT(*) FROM hardship_households WHERE oop_share > 1)
    + (SELECT COUNT(*) FROM hardship_exclusions WHERE reason = 'out-of-pocket spending above consumption') AS n_households

-- name: hardship_ranked
-- Households ranked by per-capita consumption (local currency: the ranking does not depend on
-- the PPP), with the cumulative share of persons up to and including each household.
SELECT
    hh_id,
    pc_consumption_lcu,
    person_weight,
    SUM(person_weight) OVER (ORDER BY pc_consumption_lcu, hh_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        / SUM(person_weight) OVER () AS cum_share
FROM hardship_households

-- name: hardship_spl
-- Person-weighted median: the lowest per-capita consumption at which the cumulative person
-- share reaches one half; converted to PPP dollars per day.
SELECT
    m.median_lcu / p.days_per_year / p.ppp_private_consumption AS median_pc_consumption,
    GREATEST(p.spl_floor, p.spl_base + p.spl_median_share * m.median_lcu / p.days_per_year / p.ppp_private_consumption) AS spl
FROM (SELECT MIN(pc_consumption_lcu) AS median_lcu FROM hardship_ranked WHERE cum_share >= 0.5) AS m
CROSS JOIN params AS p

-- name: hardship_flags
-- Quintile from the cumulative person share (header); flags against the fixed SPL.
SELECT
    h.hh_id,
    h.stratum,
    h.psu,
    h.person_weight,
    h.urban_rural,
    h.head_sex,
    h.hh_composition,
    CAST(LEAST(p.quintiles, GREATEST(1, CAST(CEIL(r.cum_share * p.quintiles - 1e-12) AS INTEGER))) AS VARCHAR) AS quintile,
    CASE WHEN h.oop_share > p.legacy_10 THEN 1 ELSE 0 END AS y_earn10,
    CASE WHEN h.oop_share > p.legacy_25 THEN 1 ELSE 0 END AS y_earn25,
    CASE WHEN h.pc_oop > 0 AND h.pc_oop > p.hardship_share * (h.pc_consumption - s.spl) THEN 1 ELSE 0 END AS y_hardship,
    CASE WHEN h.pc_oop > 0 AND h.pc_oop >= p.impoverishing_share * (h.pc_consumption - s.spl) THEN 1 ELSE 0 END AS y_impoverishing
FROM hardship_households AS h
JOIN hardship_ranked AS r ON r.hh_id = h.hh_id
CROSS JOIN hardship_spl AS s
CROSS JOIN params AS p

-- name: hardship_series [view]
SELECT
    s.series,
    f.stratum,
    f.psu,
    f.person_weight AS w,
    CASE f.head_sex WHEN 'F' THEN 1 WHEN 'M' THEN 2 ELSE 3 END AS cell,
    f.urban_rural,
    f.quintile,
    f.hh_composition,
    CASE s.series
        WHEN 'SH_XPD_EARN10' THEN f.y_earn10
        WHEN 'SH_XPD_EARN25' THEN f.y_earn25
        WHEN 'SH_FIN_HARDSHIP' THEN f.y_hardship
        WHEN 'SH_FIN_IMPOVERISHING' THEN f.y_impoverishing
        WHEN 'SH_FIN_LARGE' THEN f.y_hardship - f.y_impoverishing
    END AS y
FROM hardship_flags AS f
CROSS JOIN active_series AS s

-- name: hardship_pivot
-- PSU totals for every breakdown (all households 'T', each area, each quintile, each household
-- composition), with the sex of the head pivoted into columns (f, m, u = unknown):
-- a_* = sum of w*y, b_* = sum of w, n_* = households, y_* = households with y = 1.
SELECT
    series,
    stratum,
    psu,
    CASE WHEN GROUPING(urban_rural) = 1 THEN 'T' ELSE urban_rural END AS urban_rural,
    CASE WHEN GROUPING(quintile) = 1 THEN 'T' ELSE quintile END AS quintile,
    CASE WHEN GROUPING(hh_composition) = 1 THEN 'T' ELSE hh_composition END AS hh_composition,
    COALESCE(SUM(w * y) FILTER (WHERE cell = 1), 0) AS a_f,
    COALESCE(SUM(w * y) FILTER (WHERE cell = 2), 0) AS a_m,
    COALESCE(SUM(w * y) FILTER (WHERE cell = 3), 0) AS a_u,
    COALESCE(SUM(w) FILTER (WHERE cell = 1), 0) AS b_f,
    COALESCE(SUM(w) FILTER (WHERE cell = 2), 0) AS b_m,
    COALESCE(SUM(w) FILTER (WHERE cell = 3), 0) AS b_u,
    COUNT(*) FILTER (WHERE cell = 1) AS n_f,
    COUNT(*) FILTER (WHERE cell = 2) AS n_m,
    COUNT(*) FILTER (WHERE cell = 3) AS n_u,
    COALESCE(SUM(y) FILTER (WHERE cell = 1), 0) AS y_f,
    COALESCE(SUM(y) FILTER (WHERE cell = 2), 0) AS y_m,
    COALESCE(SUM(y) FILTER (WHERE cell = 3), 0) AS y_u
FROM hardship_series
GROUP BY GROUPING SETS (
    (series, stratum, psu),
    (series, stratum, psu, urban_rural),
    (series, stratum, psu, quintile),
    (series, stratum, psu, hh_composition)
)

-- name: head_sex_domains
-- Domains by sex of the household head as coefficients on the pivoted cells (f, m, u).
SELECT * FROM (VALUES ('T', 1, 1, 1), ('F', 1, 0, 0), ('M', 0, 1, 0)) AS t(head_sex, c_f, c_m, c_u)

-- name: domain_moments
-- Per domain and stratum: sums over PSUs of a, b, a^2, ab, b^2 (the interface of
-- survey_variance.sql). domain_id = head_sex|urban_rural|quintile|hh_composition.
SELECT
    series,
    head_sex || '|' || urban_rural || '|' || quintile || '|' || hh_composition AS domain_id,
    head_sex, urban_rural, quintile, hh_composition, stratum,
    SUM(a) AS sa, SUM(b) AS sb, SUM(a * a) AS saa, SUM(a * b) AS sab, SUM(b * b) AS sbb,
    SUM(n) AS n, SUM(ny) AS n_y
FROM (
    SELECT
        p.series, d.head_sex, p.urban_rural, p.quintile, p.hh_composition, p.stratum,
        d.c_f * p.a_f + d.c_m * p.a_m + d.c_u * p.a_u AS a,
        d.c_f * p.b_f + d.c_m * p.b_m + d.c_u * p.b_u AS b,
        d.c_f * p.n_f + d.c_m * p.n_m + d.c_u * p.n_u AS n,
        d.c_f * p.y_f + d.c_m * p.y_m + d.c_u * p.y_u AS ny
    FROM hardship_pivot AS p
    CROSS JOIN head_sex_domains AS d
    WHERE p.urban_rural <> 'unknown' AND p.hh_composition <> 'unknown'
) AS x
WHERE n > 0
GROUP BY series, head_sex, urban_rural, quintile, hh_composition, stratum

-- name: gap_pairs
-- Gender gap: households headed by a woman vs by a man, for every breakdown.
SELECT DISTINCT
    series,
    'sex:' || urban_rural || '|' || quintile || '|' || hh_composition AS gap_id,
    'sex' AS gap_type,
    'F|' || urban_rural || '|' || quintile || '|' || hh_composition AS focus_id,
    'M|' || urban_rural || '|' || quintile || '|' || hh_composition AS reference_id
FROM domain_moments

-- name: pair_moments
SELECT
    series,
    'sex:' || urban_rural || '|' || quintile || '|' || hh_composition AS gap_id,
    stratum,
    SUM(a_f * a_m) AS s_afar, SUM(a_f * b_m) AS s_afbr, SUM(b_f * a_m) AS s_bfar, SUM(b_f * b_m) AS s_bfbr
FROM hardship_pivot
WHERE urban_rural <> 'unknown' AND hh_composition <> 'unknown' AND (n_f > 0 OR n_m > 0)
GROUP BY series, urban_rural, quintile, hh_composition, stratum

-- name: domains
SELECT DISTINCT series, domain_id, head_sex, urban_rural, quintile, hh_composition FROM domain_moments

-- name: design_psus
SELECT DISTINCT stratum, psu FROM persons
