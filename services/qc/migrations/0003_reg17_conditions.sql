-- R6a: institutions the registry flagged as no longer keeping their conditions (a QC
-- priority in the annual plan).
CREATE TABLE IF NOT EXISTS known_conditions (
    institution_id TEXT PRIMARY KEY,
    conditions_met BOOLEAN NOT NULL,
    changed_on     DATE NOT NULL
);
