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
