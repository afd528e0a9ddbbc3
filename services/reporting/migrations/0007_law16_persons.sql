-- law16 (issue 16, E6): a penalty on a person is recorded with the institution as context
-- only; it never shows on the institution's credit page.
ALTER TABLE rp_penalties ADD COLUMN IF NOT EXISTS on_person BOOLEAN NOT NULL DEFAULT FALSE;
