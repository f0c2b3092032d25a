-- Statutory pensionable age in force, by sex (F, M): the one rule, used by the administrative
-- path (sql/sdg_1_3_1_admin.sql, for each SSI return) and the survey path
-- (engine/pensionable_age.py, for each survey), so that both split the population at the same
-- age. SDG 1.3.1 metadata (ILO, 2020+): SI_COV_PENSN and the life-cycle groups count persons
-- "above statutory pensionable age" as legislated in the reference year.
--
-- Rule: for each request (a country and a year) and each sex, among the rows of
-- pension_age_rules of that country and of that sex or of sex T (both sexes) with
-- from_year <= year, the row with the largest from_year; at equal from_year the sex-specific
-- row. A sex without such a row has no pensionable age (no output row).
--
-- Inputs (registered or defined by the caller):
--   pension_age_requests(request_id, country, year)
--   pension_age_rules(country, sex [F|M|T], from_year, age)   staging/pensionable_age
-- Output: pension_age_in_force(request_id, sex, age, from_year).

-- name: pension_age_in_force
SELECT request_id, sex, age, from_year
FROM (
    SELECT
        q.request_id,
        s.sex,
        a.age,
        a.from_year,
        ROW_NUMBER() OVER (
            PARTITION BY q.request_id, s.sex
            ORDER BY a.from_year DESC, CASE WHEN a.sex = s.sex THEN 0 ELSE 1 END
        ) AS rank_in_force
    FROM pension_age_requests AS q
    CROSS JOIN (VALUES ('F'), ('M')) AS s(sex)
    JOIN pension_age_rules AS a
        ON a.country = q.country AND a.from_year <= q.year AND (a.sex = s.sex OR a.sex = 'T')
) AS x
WHERE rank_in_force = 1
