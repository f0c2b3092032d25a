-- Adequacy of benefits from survey microdata: benefit levels among recipients by function and
-- sex, and the gender gap in benefit levels (ILC.109 conclusions (2021) para. 18(b);
-- methodology notes section 11.2; World Bank ASPIRE adequacy, section 5.1). Method edition:
-- config/methods/groups_at_risk.yaml (in every output row).
--
-- Recipients R_f of function f: persons with rec_<f> true and amt_<f> > 0 (a recipient without
-- an amount, missing or 0, is covered but left out of the levels; counted in
-- n_recipients_without_amount). Measures, each a ratio of two weighted sums over the recipients
-- of f in domain d (sex T, F, M), a_i = annual amount amt_<f>:
--   mean_benefit            M_d = sum_i w_i a_i / sum_i w_i                  (local currency, per year)
--   benefit_to_poverty_line     = sum_i w_i a_i / sum_i w_i L_i              (L_i = poverty_line of the
--                                 person; a constant L gives M_d / L; recipients without L left out)
--   benefit_to_welfare          = sum_i w_i a_i / sum_i w_i Y_i              (Y_i = hh_welfare_pc: the
--                                 ASPIRE adequacy "transfers as a share of beneficiaries' welfare",
--                                 per capita; recipients without Y left out)
--   recipients_at_poverty_line  = sum_i w_i 1(a_i >= L_i) / sum_i w_i        (share of the recipients
--                                 whose benefit reaches the poverty line: a proportion, reported
--                                 in percent with a logit CI like the coverage rates)
-- Each is a domain ratio p = sum a / sum b with a_i = w_i a_i and b_i = w_i (resp. w_i L_i,
-- w_i Y_i): sql/survey_variance.sql gives its linearised SE from the PSU totals (score
-- z_i = (a_i - p b_i) / sum b), and sql/survey_gaps.sql the female - male difference and the
-- female / male ratio R = M_F / M_M with score z = (z_F - R z_M) / M_M (the covariance of the two
-- domains kept), as in methodology notes 11.2.
--
-- Plan: one scan of the person table crossed with the functions the survey gives (a view),
-- reduced to PSU x sex x function totals (psu_cells); domains add sexes up.
-- Inputs: persons (canonical person table of one survey), active_functions(function): the
-- functions whose rec_<f> and amt_<f> the survey has.
-- Outputs: domain_moments, design_psus, gap_pairs, pair_moments, domains, amount_counts.

-- name: person_functions [view]
-- One row per person and function: receipt, amount, poverty line and welfare of the person.
SELECT
    p.stratum, p.psu, p.sex, f.function, p.person_weight AS w, p.poverty_line, p.hh_welfare_pc,
    CASE f.function
        WHEN 'child_family' THEN p.rec_child_family WHEN 'maternity' THEN p.rec_maternity
        WHEN 'sickness' THEN p.rec_sickness WHEN 'disability' THEN p.rec_disability
        WHEN 'unemployment' THEN p.rec_unemployment WHEN 'oldage_contrib' THEN p.rec_oldage_contrib
        WHEN 'oldage_noncontrib' THEN p.rec_oldage_noncontrib WHEN 'survivors' THEN p.rec_survivors
        WHEN 'employment_injury' THEN p.rec_employment_injury WHEN 'social_assistance' THEN p.rec_social_assistance
    END AS receives,
    CASE f.function
        WHEN 'child_family' THEN p.amt_child_family WHEN 'maternity' THEN p.amt_maternity
        WHEN 'sickness' THEN p.amt_sickness WHEN 'disability' THEN p.amt_disability
        WHEN 'unemployment' THEN p.amt_unemployment WHEN 'oldage_contrib' THEN p.amt_oldage_contrib
        WHEN 'oldage_noncontrib' THEN p.amt_oldage_noncontrib WHEN 'survivors' THEN p.amt_survivors
        WHEN 'employment_injury' THEN p.amt_employment_injury WHEN 'social_assistance' THEN p.amt_social_assistance
    END AS amount
FROM persons AS p
CROSS JOIN active_functions AS f

-- name: psu_cells
-- The one scan: per PSU, sex and function, the sums of each measure over the recipients with an
-- amount (a_*: numerators, b_*: denominators), their count, and the recipients without amount.
SELECT
    stratum, psu, sex, function,
    SUM(CASE WHEN paid THEN w * amount END) AS a_mean,
    SUM(CASE WHEN paid THEN w END) AS b_mean,
    SUM(CASE WHEN paid AND poverty_line > 0 THEN w * amount END) AS a_line,
    SUM(CASE WHEN paid AND poverty_line > 0 THEN w * poverty_line END) AS b_line,
    SUM(CASE WHEN paid AND hh_welfare_pc > 0 THEN w * amount END) AS a_welfare,
    SUM(CASE WHEN paid AND hh_welfare_pc > 0 THEN w * hh_welfare_pc END) AS b_welfare,
    SUM(CASE WHEN paid AND poverty_line > 0 THEN w * CAST(amount >= poverty_line AS DOUBLE) END) AS a_reach,
    SUM(CASE WHEN paid AND poverty_line > 0 THEN w END) AS b_reach,
    SUM(CASE WHEN paid THEN 1 ELSE 0 END) AS n_mean,
    SUM(CASE WHEN paid AND poverty_line > 0 THEN 1 ELSE 0 END) AS n_line,
    SUM(CASE WHEN paid AND hh_welfare_pc > 0 THEN 1 ELSE 0 END) AS n_welfare,
    SUM(CASE WHEN paid AND poverty_line > 0 AND amount >= poverty_line THEN 1 ELSE 0 END) AS ny_reach,
    SUM(CASE WHEN receives AND COALESCE(amount, 0) = 0 THEN 1 ELSE 0 END) AS n_without_amount
FROM (
    SELECT *, COALESCE(receives AND amount > 0, FALSE) AS paid FROM person_functions
) AS x
GROUP BY stratum, psu, sex, function

-- name: domain_psus
-- Per measure x function (the 'series' of survey_variance.sql), sex domain and PSU holding
-- recipients: the PSU totals a, b and the count n.
SELECT x.measure || ':' || x.function AS series, x.measure, x.function, x.sex, x.sex AS domain_id, x.stratum, x.psu,
       SUM(x.a) AS a, SUM(x.b) AS b, SUM(x.n) AS n, SUM(x.n_y) AS n_y
FROM (
    SELECT 'mean_benefit' AS measure, c.function, s.sex, c.stratum, c.psu, c.a_mean AS a, c.b_mean AS b, c.n_mean AS n, c.n_mean AS n_y
    FROM psu_cells AS c JOIN (SELECT * FROM (VALUES ('F', 'F'), ('M', 'M'), ('F', 'T'), ('M', 'T')) AS t(cell_sex, sex)) AS s ON s.cell_sex = c.sex
    UNION ALL
    SELECT 'benefit_to_poverty_line', c.function, s.sex, c.stratum, c.psu, c.a_line, c.b_line, c.n_line, c.n_line
    FROM psu_cells AS c JOIN (SELECT * FROM (VALUES ('F', 'F'), ('M', 'M'), ('F', 'T'), ('M', 'T')) AS t(cell_sex, sex)) AS s ON s.cell_sex = c.sex
    UNION ALL
    SELECT 'benefit_to_welfare', c.function, s.sex, c.stratum, c.psu, c.a_welfare, c.b_welfare, c.n_welfare, c.n_welfare
    FROM psu_cells AS c JOIN (SELECT * FROM (VALUES ('F', 'F'), ('M', 'M'), ('F', 'T'), ('M', 'T')) AS t(cell_sex, sex)) AS s ON s.cell_sex = c.sex
    UNION ALL
    SELECT 'recipients_at_poverty_line', c.function, s.sex, c.stratum, c.psu, c.a_reach, c.b_reach, c.n_line, c.ny_reach
    FROM psu_cells AS c JOIN (SELECT * FROM (VALUES ('F', 'F'), ('M', 'M'), ('F', 'T'), ('M', 'T')) AS t(cell_sex, sex)) AS s ON s.cell_sex = c.sex
) AS x
WHERE x.n > 0
GROUP BY x.measure, x.function, x.sex, x.stratum, x.psu

-- name: domain_moments
SELECT series, domain_id, stratum,
       SUM(a) AS sa, SUM(b) AS sb, SUM(a * a) AS saa, SUM(a * b) AS sab, SUM(b * b) AS sbb,
       CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(n_y) AS BIGINT) AS n_y
FROM domain_psus
GROUP BY series, domain_id, stratum

-- name: domains
SELECT DISTINCT series, measure, function, sex, domain_id FROM domain_psus

-- name: gap_pairs
-- Women vs men: difference F - M and ratio F / M of every measure of every function.
SELECT DISTINCT f.series, 'sex' AS gap_id, 'sex' AS gap_type, 'F' AS focus_id, 'M' AS reference_id
FROM domains AS f
JOIN domains AS m ON m.series = f.series AND m.sex = 'M'
WHERE f.sex = 'F'

-- name: pair_moments
SELECT f.series, 'sex' AS gap_id, f.stratum,
       SUM(f.a * m.a) AS s_afar, SUM(f.a * m.b) AS s_afbr, SUM(f.b * m.a) AS s_bfar, SUM(f.b * m.b) AS s_bfbr
FROM domain_psus AS f
JOIN domain_psus AS m ON m.series = f.series AND m.sex = 'M' AND m.stratum = f.stratum AND m.psu = f.psu
WHERE f.sex = 'F'
GROUP BY f.series, f.stratum

-- name: amount_counts
-- Recipients without an amount (covered, left out of the levels), per function and sex.
SELECT c.function, s.sex, SUM(c.n_without_amount) AS n_without_amount
FROM psu_cells AS c
JOIN (SELECT * FROM (VALUES ('F', 'F'), ('M', 'M'), ('F', 'T'), ('M', 'T')) AS t(cell_sex, sex)) AS s ON s.cell_sex = c.sex
GROUP BY c.function, s.sex

-- name: design_psus
-- Every PSU of the design (psu_cells holds every person, crossed with each function).
SELECT DISTINCT stratum, psu FROM psu_cells
