-- Registry read tables, kept in the same transaction as the events they come from
-- (adapters/views.py), plus facts learned from qc and enforcement events.
CREATE TABLE IF NOT EXISTS institutions_view (
    institution_id TEXT PRIMARY KEY,
    uscc           TEXT NOT NULL,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    website        TEXT,
    registered_at  TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS qualifications_view (
    qualification_id   TEXT PRIMARY KEY,
    institution_id     TEXT NOT NULL,
    certificate_number TEXT,
    kind               TEXT NOT NULL,
    status             TEXT NOT NULL,
    scope_codes        TEXT[] NOT NULL,
    valid_from         DATE,
    valid_until        DATE,
    renewal_pending    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS qualifications_view_expiry ON qualifications_view (valid_until)
    WHERE status = 'granted';
CREATE INDEX IF NOT EXISTS qualifications_view_certificate ON qualifications_view (certificate_number);
CREATE TABLE IF NOT EXISTS decisions (
    decision_event_id TEXT PRIMARY KEY,
    qualification_id  TEXT NOT NULL,
    institution_id    TEXT NOT NULL,
    decision_type     TEXT NOT NULL,
    decided_at        TIMESTAMPTZ NOT NULL,
    due_on            DATE NOT NULL,
    due_provisional   BOOLEAN NOT NULL,
    published_at      TIMESTAMPTZ,
    lag_working_days  INTEGER,
    lag_provisional   BOOLEAN
);
CREATE TABLE IF NOT EXISTS staff_view (
    staff_id          TEXT PRIMARY KEY,
    institution_id    TEXT NOT NULL,
    person_ref        TEXT NOT NULL,
    masked_name       TEXT NOT NULL,
    title             TEXT NOT NULL,
    specialty         TEXT NOT NULL,
    years             INTEGER NOT NULL,
    role              TEXT NOT NULL,
    full_time         BOOLEAN NOT NULL,
    assessment_date   DATE,
    active            BOOLEAN NOT NULL,
    registered_on     DATE NOT NULL,
    left_on           DATE
);
CREATE INDEX IF NOT EXISTS staff_view_institution ON staff_view (institution_id) WHERE active;
-- R6: a person is full-time at one institution at a time.
CREATE TABLE IF NOT EXISTS full_time_staff (
    person_ref     TEXT PRIMARY KEY,
    staff_id       TEXT NOT NULL,
    institution_id TEXT NOT NULL
);
-- Clear personal data, outside the event log so it can be erased.
CREATE TABLE IF NOT EXISTS personal_data (
    person_ref TEXT PRIMARY KEY,
    name       TEXT,
    id_number  TEXT,
    erased_at  TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS filings_view (
    filing_id          TEXT PRIMARY KEY,
    institution_id     TEXT NOT NULL,
    province_code      TEXT NOT NULL,
    certificate_number TEXT NOT NULL,
    filed_on           DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS work_summaries (
    filing_id    TEXT NOT NULL,
    period       TEXT NOT NULL,
    submitted_on DATE NOT NULL,
    due_on       DATE NOT NULL,
    late         BOOLEAN NOT NULL,
    PRIMARY KEY (filing_id, period)
);
CREATE TABLE IF NOT EXISTS report_cards (
    card_id         TEXT PRIMARY KEY,
    institution_id  TEXT NOT NULL,
    report_number   TEXT NOT NULL,
    completion_date DATE NOT NULL,
    filed_on        DATE NOT NULL,
    due_on          DATE NOT NULL,
    late            BOOLEAN NOT NULL,
    UNIQUE (institution_id, report_number)
);
CREATE TABLE IF NOT EXISTS unreported_projects (
    institution_id TEXT NOT NULL,
    report_number  TEXT NOT NULL,
    inspection_id  TEXT NOT NULL,
    client_name    TEXT NOT NULL,
    found_on       DATE NOT NULL,
    PRIMARY KEY (institution_id, report_number)
);
-- R4: unverified rectification items and open cases, learned from events only.
CREATE TABLE IF NOT EXISTS blocking_items (
    kind           TEXT NOT NULL,
    item_id        TEXT NOT NULL,
    institution_id TEXT NOT NULL,
    opened_on      DATE NOT NULL,
    PRIMARY KEY (kind, item_id)
);
CREATE INDEX IF NOT EXISTS blocking_items_institution ON blocking_items (institution_id);
CREATE TABLE IF NOT EXISTS blind_sample_passes (
    activity_id    TEXT NOT NULL,
    institution_id TEXT NOT NULL,
    passed_on      DATE NOT NULL,
    PRIMARY KEY (activity_id, institution_id)
);
CREATE TABLE IF NOT EXISTS full_inspections (
    inspection_id  TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL,
    ended_on       DATE NOT NULL
);
