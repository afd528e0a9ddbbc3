-- The penalty record in the 双公示 convention (issue 20): the facts found in the
-- investigation (违法事实) and the number of a revoked certificate (暂扣或吊销证照编号).
ALTER TABLE rp_cases ADD COLUMN IF NOT EXISTS facts TEXT;
ALTER TABLE rp_penalties ADD COLUMN IF NOT EXISTS certificate_number TEXT;
-- Trends count penalties and revocations by month; lists sort by name within a moment.
CREATE INDEX IF NOT EXISTS rp_qualifications_revoked ON rp_qualifications (changed_on)
    WHERE change = 'revoked';
