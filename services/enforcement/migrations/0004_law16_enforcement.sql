-- law16 (issue 16): persons, bans, annulments, places of violation, late entry.
-- Staff as the registry announces them: a penalty on a person names the keyed hash (E6).
CREATE TABLE IF NOT EXISTS known_staff (
    staff_id       TEXT PRIMARY KEY,
    person_ref     TEXT NOT NULL,
    institution_id TEXT NOT NULL,
    masked_name    TEXT NOT NULL
);
ALTER TABLE penalties ADD COLUMN IF NOT EXISTS annulled_on DATE;
ALTER TABLE penalties ADD COLUMN IF NOT EXISTS person_ref TEXT;
ALTER TABLE penalties ADD COLUMN IF NOT EXISTS jurisdiction_region_code TEXT;
ALTER TABLE penalties ADD COLUMN IF NOT EXISTS recorded_on DATE;
ALTER TABLE penalties ADD COLUMN IF NOT EXISTS severity TEXT;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS jurisdiction_region_code TEXT;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS person_ref TEXT;
-- E6: practice bans, binding the person at every institution until ends_on.
CREATE TABLE IF NOT EXISTS practice_bans (
    case_id         TEXT PRIMARY KEY,
    person_ref      TEXT NOT NULL,
    masked_name     TEXT,
    institution_id  TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    starts_on       DATE NOT NULL,
    ends_on         DATE NOT NULL,
    annulled_on     DATE
);
