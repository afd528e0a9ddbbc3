-- Reporting read models (P1–P6). Each row says since when it is known (`known_at`, the
-- event's occurred_at); rows that change keep every version over [sys_from, sys_to), so
-- a page "as of" a past moment is a filter, and the live page is the same query at now().
-- Rows are keyed by the event that wrote them: a rebuild from the history gives equal rows.
DROP TABLE IF EXISTS directory_institutions;
DROP TABLE IF EXISTS directory_qualifications;

CREATE TABLE IF NOT EXISTS rp_institutions (
    event_id              UUID PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    uscc                  TEXT NOT NULL,
    name                  TEXT NOT NULL,
    address               TEXT NOT NULL,
    legal_representative  TEXT NOT NULL,
    nature                TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    region_code           TEXT NOT NULL,
    conditions_met        BOOLEAN NOT NULL,
    unmet                 TEXT[] NOT NULL,
    sys_from              TIMESTAMPTZ NOT NULL,
    sys_to                TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS rp_institutions_id ON rp_institutions (institution_id, sys_from);
CREATE INDEX IF NOT EXISTS rp_institutions_current ON rp_institutions (region_code)
    WHERE sys_to IS NULL;
CREATE INDEX IF NOT EXISTS rp_institutions_uscc ON rp_institutions (uscc);

CREATE TABLE IF NOT EXISTS rp_qualifications (
    event_id              UUID PRIMARY KEY,
    qualification_id      TEXT NOT NULL,
    institution_id        TEXT NOT NULL,
    certificate_number    TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    scope_codes           TEXT[] NOT NULL,
    valid_from            DATE NOT NULL,
    valid_until           DATE NOT NULL,
    status                TEXT NOT NULL,
    issuing_authority     TEXT NOT NULL,
    change                TEXT NOT NULL,
    changed_on            DATE NOT NULL,
    sys_from              TIMESTAMPTZ NOT NULL,
    sys_to                TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS rp_qualifications_id ON rp_qualifications (qualification_id, sys_from);
CREATE INDEX IF NOT EXISTS rp_qualifications_institution ON rp_qualifications (institution_id);
CREATE INDEX IF NOT EXISTS rp_qualifications_certificate ON rp_qualifications (certificate_number);

CREATE TABLE IF NOT EXISTS rp_filings (
    filing_id             TEXT PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    province_code         TEXT NOT NULL,
    certificate_number    TEXT NOT NULL,
    issuing_authority     TEXT NOT NULL,
    valid_until           DATE NOT NULL,
    scope_codes           TEXT[] NOT NULL,
    contacts              JSONB NOT NULL,
    receiving_qc_centre   TEXT NOT NULL,
    filed_on              DATE NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS rp_filings_institution ON rp_filings (institution_id);

CREATE TABLE IF NOT EXISTS rp_work_summaries (
    filing_id             TEXT NOT NULL,
    period                TEXT NOT NULL,
    institution_id        TEXT NOT NULL,
    projects              JSONB NOT NULL,
    submitted_on          DATE NOT NULL,
    late                  BOOLEAN NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (filing_id, period)
);

CREATE TABLE IF NOT EXISTS rp_staff (
    staff_id              TEXT PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    masked_name           TEXT NOT NULL,
    title                 TEXT NOT NULL,
    role                  TEXT NOT NULL,
    registered_on         DATE NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL,
    left_on               DATE,
    left_known_at         TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS rp_staff_institution ON rp_staff (institution_id);

CREATE TABLE IF NOT EXISTS rp_report_cards (
    card_id               TEXT PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    service_kind          TEXT NOT NULL,
    client_region_code    TEXT NOT NULL,
    completion_date       DATE NOT NULL,
    filed_on              DATE NOT NULL,
    late                  BOOLEAN NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS rp_report_cards_institution ON rp_report_cards (institution_id);

CREATE TABLE IF NOT EXISTS rp_unreported_projects (
    inspection_id         TEXT NOT NULL,
    report_number         TEXT NOT NULL,
    institution_id        TEXT NOT NULL,
    found_on              DATE NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (inspection_id, report_number)
);

CREATE TABLE IF NOT EXISTS rp_publications (
    decision_ref          TEXT PRIMARY KEY,
    source                TEXT NOT NULL,  -- qualification | inspection
    institution_id        TEXT NOT NULL,
    published_on          DATE NOT NULL,
    lag_working_days      INTEGER NOT NULL,
    provisional           BOOLEAN NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS rp_self_inspection_campaigns (
    campaign_id           TEXT PRIMARY KEY,
    title                 TEXT NOT NULL,
    region_code           TEXT NOT NULL,
    period_from           DATE NOT NULL,
    period_to             DATE NOT NULL,
    deadline              DATE NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS rp_self_inspections (
    campaign_id                 TEXT NOT NULL,
    institution_id              TEXT NOT NULL,
    technical_staff             INTEGER NOT NULL,
    detection_reports           INTEGER NOT NULL,
    evaluation_reports          INTEGER NOT NULL,
    detection_report_problems   INTEGER NOT NULL,
    evaluation_report_problems  INTEGER NOT NULL,
    problems                    TEXT[] NOT NULL,
    notes                       TEXT NOT NULL,
    submitted_on                DATE NOT NULL,
    late                        BOOLEAN NOT NULL,
    known_at                    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (campaign_id, institution_id)
);

CREATE TABLE IF NOT EXISTS rp_qc_results (
    activity_id           TEXT NOT NULL,
    institution_id        TEXT NOT NULL,
    activity_kind         TEXT NOT NULL,
    result                TEXT NOT NULL,
    recorded_on           DATE NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (activity_id, institution_id)
);
CREATE INDEX IF NOT EXISTS rp_qc_results_institution ON rp_qc_results (institution_id);

CREATE TABLE IF NOT EXISTS rp_qc_findings (
    finding_id            TEXT PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    category              TEXT NOT NULL,
    severity              TEXT NOT NULL,
    violation_clue        BOOLEAN NOT NULL,
    recorded_on           DATE NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS rp_rectifications (
    event_id              UUID PRIMARY KEY,
    item_id               TEXT NOT NULL,
    institution_id        TEXT NOT NULL,
    description           TEXT NOT NULL,
    status                TEXT NOT NULL,
    due_on                DATE NOT NULL,
    changed_on            DATE NOT NULL,
    sys_from              TIMESTAMPTZ NOT NULL,
    sys_to                TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS rp_rectifications_item ON rp_rectifications (item_id, sys_from);
CREATE INDEX IF NOT EXISTS rp_rectifications_institution ON rp_rectifications (institution_id);

CREATE TABLE IF NOT EXISTS rp_annual_qc (
    event_id              UUID PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    year                  INTEGER NOT NULL,
    province_code         TEXT NOT NULL,
    result                TEXT NOT NULL,
    rectified             BOOLEAN NOT NULL,
    on_public_list        BOOLEAN NOT NULL,
    concluded_on          DATE NOT NULL,
    sys_from              TIMESTAMPTZ NOT NULL,
    sys_to                TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS rp_annual_qc_key ON rp_annual_qc (institution_id, year, sys_from);

CREATE TABLE IF NOT EXISTS rp_leads (
    lead_id               TEXT PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    source                TEXT NOT NULL,
    category              TEXT NOT NULL,
    jurisdiction_code     TEXT NOT NULL,
    opened_on             DATE NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL,
    outcome               TEXT,
    closed_on             DATE,
    closed_known_at       TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS rp_cases (
    case_id               TEXT PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    violation             TEXT NOT NULL,
    jurisdiction_code     TEXT NOT NULL,
    opened_on             DATE NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL,
    closed_on             DATE,
    closed_known_at       TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS rp_penalties (
    case_id               TEXT PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    jurisdiction_code     TEXT NOT NULL,
    decision_number       TEXT NOT NULL,
    decided_on            DATE NOT NULL,
    authority             TEXT NOT NULL,
    violation             TEXT NOT NULL,
    legal_basis           TEXT NOT NULL,
    penalties             TEXT[] NOT NULL,
    fine_yuan             NUMERIC,
    confiscation_yuan     NUMERIC,
    banned_staff_id       TEXT,
    ban_years             INTEGER,
    severity              TEXT NOT NULL,
    published             BOOLEAN NOT NULL,
    public_until          DATE,
    publicity_rule        TEXT NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL,
    executed_on           DATE,
    executed_known_at     TIMESTAMPTZ,
    repaired_on           DATE,
    repaired_known_at     TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS rp_penalties_institution ON rp_penalties (institution_id);
CREATE INDEX IF NOT EXISTS rp_penalties_decided ON rp_penalties (decided_on DESC);

CREATE TABLE IF NOT EXISTS rp_inspections (
    inspection_id         TEXT PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    period                TEXT NOT NULL,
    jurisdiction_code     TEXT NOT NULL,
    scheduled_on          DATE NOT NULL,
    known_at              TIMESTAMPTZ NOT NULL,
    ended_on              DATE,
    result                TEXT,
    completed_known_at    TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS rp_credit_classes (
    event_id              UUID PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    credit_class          TEXT NOT NULL,
    reasons               TEXT[] NOT NULL,
    changed_on            DATE NOT NULL,
    sys_from              TIMESTAMPTZ NOT NULL,
    sys_to                TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS rp_credit_classes_id ON rp_credit_classes (institution_id, sys_from);
