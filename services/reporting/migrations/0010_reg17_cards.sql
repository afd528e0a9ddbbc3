-- P5: a project found unreported and carded afterwards counts once (as a late card): the
-- card's report number matches the finding's.
ALTER TABLE rp_report_cards ADD COLUMN IF NOT EXISTS report_number TEXT;
