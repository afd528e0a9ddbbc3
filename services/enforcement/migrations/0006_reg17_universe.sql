-- E1: where a filed institution works (the filing's work place and its report cards), how
-- long its filing is valid, and R6a flags ("conditions changed") that raise draw weights.
ALTER TABLE known_filings ADD COLUMN IF NOT EXISTS work_region_code TEXT;
ALTER TABLE known_filings ADD COLUMN IF NOT EXISTS valid_until DATE;
CREATE TABLE IF NOT EXISTS known_work_places (
    institution_id TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    PRIMARY KEY (institution_id, region_code)
);
CREATE TABLE IF NOT EXISTS known_conditions (
    institution_id TEXT PRIMARY KEY,
    conditions_met BOOLEAN NOT NULL,
    unmet          TEXT[] NOT NULL DEFAULT '{}',
    changed_on     DATE NOT NULL
);
