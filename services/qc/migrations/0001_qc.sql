-- What qc learns from registry events.
CREATE TABLE IF NOT EXISTS known_institutions (
    institution_id TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    registered_on  DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS known_qualifications (
    qualification_id TEXT PRIMARY KEY,
    institution_id   TEXT NOT NULL,
    status           TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS known_filings (
    filing_id      TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL,
    province_code  TEXT NOT NULL,
    filed_on       DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS known_report_cards (
    card_id        TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL,
    report_number  TEXT NOT NULL,
    filed_on       DATE NOT NULL
);

-- qc's own read tables, kept with its events.
CREATE TABLE IF NOT EXISTS plans (
    plan_id       TEXT PRIMARY KEY,
    province_code TEXT NOT NULL,
    year          INTEGER NOT NULL,
    UNIQUE (province_code, year)
);
CREATE TABLE IF NOT EXISTS plan_entries (
    plan_id        TEXT NOT NULL,
    institution_id TEXT NOT NULL,
    grp            TEXT NOT NULL,
    reason         TEXT NOT NULL,
    PRIMARY KEY (plan_id, grp, institution_id)
);
CREATE TABLE IF NOT EXISTS activities (
    activity_id   TEXT PRIMARY KEY,
    plan_id       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    province_code TEXT NOT NULL,
    year          INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    activity_id    TEXT NOT NULL,
    institution_id TEXT NOT NULL,
    kind           TEXT NOT NULL,
    result         TEXT NOT NULL,
    recorded_on    DATE NOT NULL,
    PRIMARY KEY (activity_id, institution_id)
);
CREATE TABLE IF NOT EXISTS findings (
    finding_id     TEXT PRIMARY KEY,
    activity_id    TEXT NOT NULL,
    institution_id TEXT NOT NULL,
    category       TEXT NOT NULL,
    severity       TEXT NOT NULL,
    violation_clue BOOLEAN NOT NULL,
    recorded_on    DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS rectification_items (
    item_id        TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL,
    finding_id     TEXT NOT NULL,
    state          TEXT NOT NULL,
    due_on         DATE NOT NULL,
    overdue        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE IF NOT EXISTS referrals (
    referral_id             TEXT PRIMARY KEY,
    institution_id          TEXT NOT NULL,
    supervision_region_code TEXT NOT NULL,
    reason                  TEXT NOT NULL,
    referred_on             DATE NOT NULL,
    acknowledged_on         DATE,
    lead_id                 TEXT
);
CREATE TABLE IF NOT EXISTS conclusions (
    institution_id TEXT NOT NULL,
    year           INTEGER NOT NULL,
    province_code  TEXT NOT NULL,
    result         TEXT NOT NULL,
    rectified      BOOLEAN NOT NULL,
    on_public_list BOOLEAN NOT NULL,
    PRIMARY KEY (institution_id, year)
);
