-- Yunnan 附表1 (能力提升底档库): capability assessments of technical-support institutions.
CREATE TABLE IF NOT EXISTS rp_capability (
    event_id         UUID PRIMARY KEY,
    institution_id   TEXT NOT NULL,
    year             INTEGER NOT NULL,
    meets            JSONB NOT NULL,
    gaps             TEXT NOT NULL,
    improvement_plan TEXT NOT NULL,
    note             TEXT,
    assessed_on      DATE NOT NULL,
    known_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS rp_capability_key ON rp_capability (institution_id, year, known_at);
