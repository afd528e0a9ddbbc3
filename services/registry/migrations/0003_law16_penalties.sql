-- law16 (issue 16): what the registry keeps of enforcement decisions.
-- E6: practice bans bind the person (keyed hash) at every institution until ends_on.
CREATE TABLE IF NOT EXISTS practice_bans (
    case_id         TEXT PRIMARY KEY,
    person_ref      TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    starts_on       DATE NOT NULL,
    ends_on         DATE NOT NULL,
    annulled_on     DATE
);
CREATE INDEX IF NOT EXISTS practice_bans_person ON practice_bans (person_ref);
-- F2: penalty decisions on the home institution's record, seen by its licensing authority
-- wherever they were decided.
CREATE TABLE IF NOT EXISTS penalty_notices (
    case_id                TEXT PRIMARY KEY,
    institution_id         TEXT NOT NULL,
    decision_number        TEXT NOT NULL,
    decided_on             DATE NOT NULL,
    authority              TEXT NOT NULL,
    deciding_region_code   TEXT NOT NULL,
    violation              TEXT NOT NULL,
    penalties              TEXT[] NOT NULL,
    fine_yuan              NUMERIC,
    on_person              BOOLEAN NOT NULL,
    annulled_on            DATE
);
CREATE INDEX IF NOT EXISTS penalty_notices_institution ON penalty_notices (institution_id);
