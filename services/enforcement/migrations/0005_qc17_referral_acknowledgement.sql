-- Q5: who of the receiving unit acknowledged a QC referral behind a lead, and when.
ALTER TABLE leads ADD COLUMN IF NOT EXISTS acknowledged_by TEXT;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS acknowledged_on DATE;
