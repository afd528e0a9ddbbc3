CREATE TABLE IF NOT EXISTS leads (
    lead_id                  TEXT PRIMARY KEY,
    institution_id           TEXT NOT NULL,
    source                   TEXT NOT NULL,
    source_ref               TEXT,
    category                 TEXT NOT NULL,
    description              TEXT NOT NULL,
    jurisdiction_region_code TEXT NOT NULL,
    status                   TEXT NOT NULL DEFAULT 'open',
    opened_on                DATE NOT NULL
);
-- One lead per referral, whatever the redelivery.
CREATE UNIQUE INDEX IF NOT EXISTS leads_source_ref ON leads (source, source_ref)
    WHERE source_ref IS NOT NULL;
