-- What enforcement learns from registry and qc events.
CREATE TABLE IF NOT EXISTS known_institutions (
    institution_id TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    region_code    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS known_certificates (
    certificate_number TEXT PRIMARY KEY,
    institution_id     TEXT NOT NULL,
    status             TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS known_filings (
    filing_id      TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL,
    province_code  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS qc_facts (
    institution_id        TEXT PRIMARY KEY,
    on_public_list        BOOLEAN NOT NULL DEFAULT FALSE,
    overdue_items         TEXT[] NOT NULL DEFAULT '{}',
    failures              DATE[] NOT NULL DEFAULT '{}'
);

-- Enforcement's own read tables, kept with its events.
CREATE TABLE IF NOT EXISTS inspection_plans (
    plan_id                  TEXT PRIMARY KEY,
    jurisdiction_region_code TEXT NOT NULL,
    year                     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS inspections (
    inspection_id  TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL,
    period         TEXT NOT NULL,
    kinds          TEXT[] NOT NULL,
    inspectors     TEXT[] NOT NULL,
    scheduled_on   DATE NOT NULL,
    ended_on       DATE,
    result         TEXT,
    published_on   DATE
);
CREATE INDEX IF NOT EXISTS inspections_institution ON inspections (institution_id, period);
CREATE TABLE IF NOT EXISTS cases (
    case_id        TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL,
    violation      TEXT NOT NULL,
    stage          TEXT NOT NULL,
    opened_on      DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS penalties (
    case_id            TEXT PRIMARY KEY,
    institution_id     TEXT NOT NULL,
    decision_number    TEXT NOT NULL UNIQUE,
    decided_on         DATE NOT NULL,
    violation          TEXT NOT NULL,
    penalties          TEXT[] NOT NULL,
    fine_yuan          NUMERIC,
    confiscation_yuan  NUMERIC
);
CREATE TABLE IF NOT EXISTS credit_classes (
    institution_id TEXT PRIMARY KEY,
    credit_class   TEXT NOT NULL,
    reasons        TEXT[] NOT NULL
);
