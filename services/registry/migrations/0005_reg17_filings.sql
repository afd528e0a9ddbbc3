-- R7: a filing is valid from its date while its certificate is (the report-card check for
-- unfiled work reads it), and where the work is (Yunnan 附表2).
ALTER TABLE filings_view ADD COLUMN IF NOT EXISTS valid_until DATE;
ALTER TABLE filings_view ADD COLUMN IF NOT EXISTS work_region_code TEXT;
