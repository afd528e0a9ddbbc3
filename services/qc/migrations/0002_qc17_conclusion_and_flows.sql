-- Q6 living conclusion: open items counted as pending or overdue, and the public list's
-- entries and exits kept as history. Q5: receipt (automatic) apart from acknowledgement.
ALTER TABLE conclusions ADD COLUMN IF NOT EXISTS pending_items INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conclusions ADD COLUMN IF NOT EXISTS overdue_items INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS public_list_history (
    institution_id TEXT NOT NULL,
    year           INTEGER NOT NULL,
    province_code  TEXT NOT NULL,
    reason         TEXT NOT NULL,
    entered_on     DATE NOT NULL,
    left_on        DATE
);
CREATE INDEX IF NOT EXISTS public_list_history_key ON public_list_history (institution_id, year);
ALTER TABLE referrals ADD COLUMN IF NOT EXISTS received_on DATE;
ALTER TABLE referrals ADD COLUMN IF NOT EXISTS acknowledged_by TEXT;
-- Before acknowledgement by a person existed, the automatic receipt was stored as one: it
-- is a receipt, and the referral still waits for a person of the unit.
UPDATE referrals SET received_on = acknowledged_on, acknowledged_on = NULL
 WHERE received_on IS NULL AND acknowledged_by IS NULL;
-- Typical cases supervision sends back to QC (seed 001 §二(三)3), learned from its events.
CREATE TABLE IF NOT EXISTS typical_cases (
    case_id               TEXT PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    region_code           TEXT NOT NULL,
    violation             TEXT NOT NULL,
    summary               TEXT NOT NULL,
    marked_by_region_code TEXT NOT NULL,
    marked_on             DATE NOT NULL
);
-- QC follow-up measures: 约谈, 集中点评, 督办整改 with their dates and outcomes.
CREATE TABLE IF NOT EXISTS follow_ups (
    follow_up_id   TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL,
    province_code  TEXT NOT NULL,
    kind           TEXT NOT NULL,
    held_on        DATE NOT NULL,
    subject        TEXT NOT NULL,
    outcome        TEXT,
    due_on         DATE,
    concluded_on   DATE
);
