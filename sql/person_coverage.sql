-- The person-level coverage rules shared by the survey estimations, written once: included by
-- sql/sdg_1_3_1_survey.sql (SDG 1.3.1, every series) and sql/groups_survey.sql (the groups at
-- risk), so that SI_COV_BENFTS and the contributor series count the same persons in both.
-- SDG 1.3.1 metadata (ILO, 2020+): "proportion of the population covered by at least one social
-- protection benefit" counts persons who actively contribute to a social insurance scheme or
-- receive at least one benefit (contributory or non-contributory).
--
-- Rules:
--   contributes = the contributor flag; contributions are usually asked of employed persons
--     only, so with the edition's contributor_unasked_as_no a missing flag outside employment
--     counts as "no".
--   covered_any = contributes, or receives a benefit of any of the ten functions (SI_COV_BENFTS).
--
-- Inputs (registered by the caller): persons (the canonical person table), params (one row of
-- the caller's edition settings, holding contributor_unasked_as_no).
-- Output: person_coverage, a view (evaluated inside the caller's one scan of the persons):
-- every column of persons and params, contributes and covered_any.

-- name: person_coverage [view]
SELECT
    p.*,
    p.contributes OR p.rec_child_family OR p.rec_maternity OR p.rec_sickness OR p.rec_disability
        OR p.rec_unemployment OR p.rec_oldage_contrib OR p.rec_oldage_noncontrib OR p.rec_survivors
        OR p.rec_employment_injury OR p.rec_social_assistance AS covered_any
FROM (
    SELECT
        persons.*, prm.*,
        CASE WHEN contributor IS NULL AND prm.contributor_unasked_as_no AND COALESCE(lf_status, '') <> 'employed'
             THEN FALSE ELSE contributor END AS contributes
    FROM persons
    CROSS JOIN params AS prm
) AS p
