-- Average benefit per beneficiary from ILO Social Security Inquiry returns, by function and sex
-- (issue 11; methodology notes section 11.2: "benefit expenditure / beneficiaries, by sex where
-- both are reported by sex; no SE: administrative"). Method edition:
-- config/methods/groups_at_risk.yaml.
--
--   average benefit of function f, sex s = sum_k E_ks / sum_k B_ks
-- over the schemes k of the return that report, for f and s, both the expenditure E (optional
-- Expenditure table) and the beneficiaries B (Beneficiaries table, all nationalities). Old-age
-- benefits are split as the survey functions are: contributory schemes -> oldage_contrib, the
-- others -> oldage_noncontrib; every other benefit type keeps its code. Women vs men: the ratio
-- and the difference of the two averages, where both sexes are reported.
--
-- Inputs: ssi_expenditure (canonical, schemas/ssi_tables.py EXPENDITURE_COLUMNS), ssi_coverage
-- (canonical COVERAGE_COLUMNS), of any number of returns.
-- Outputs: admin_adequacy, admin_adequacy_gaps.

-- name: scheme_amounts
SELECT
    e.return_id, e.country, e.year, e.scheme_id, e.sex,
    CASE WHEN e.benefit_type <> 'old_age' THEN e.benefit_type
         WHEN e.scheme_type = 'contributory' THEN 'oldage_contrib'
         ELSE 'oldage_noncontrib' END AS function,
    e.expenditure,
    b.persons AS beneficiaries
FROM ssi_expenditure AS e
JOIN ssi_coverage AS b
    ON b.return_id = e.return_id AND b.scheme_id = e.scheme_id AND b.benefit_type = e.benefit_type
    AND b.sex = e.sex AND b.measure = 'beneficiaries' AND b.nationality = 'total'
WHERE b.persons > 0

-- name: admin_adequacy
SELECT
    return_id, country, year, function, sex,
    SUM(expenditure) / SUM(beneficiaries) AS value,
    SUM(expenditure) AS numerator,
    CAST(SUM(beneficiaries) AS DOUBLE) AS denominator,
    COUNT(*) AS n_schemes
FROM scheme_amounts
GROUP BY return_id, country, year, function, sex

-- name: admin_adequacy_gaps
SELECT
    f.return_id, f.country, f.year, f.function,
    f.value AS value_female, m.value AS value_male,
    f.value - m.value AS difference,
    f.value / m.value AS ratio
FROM admin_adequacy AS f
JOIN admin_adequacy AS m
    ON m.return_id = f.return_id AND m.function = f.function AND m.sex = 'M'
WHERE f.sex = 'F' AND m.value > 0
