-- The staff console's own data (issue 19): accounts, sessions, audit. No service reads it.
CREATE TABLE accounts (
    login           TEXT PRIMARY KEY,
    person_name     TEXT NOT NULL,
    unit_name       TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL,
    region_code     TEXT NOT NULL,
    institution_id  TEXT,
    admin           BOOLEAN NOT NULL DEFAULT false,
    password_hash   TEXT NOT NULL,
    disabled        BOOLEAN NOT NULL DEFAULT false,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per login; the cookie's token is renewed, the session id and CSRF token stay.
CREATE TABLE sessions (
    sid        TEXT PRIMARY KEY,
    login      TEXT NOT NULL REFERENCES accounts (login),
    csrf       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    seen_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    ended_at   TIMESTAMPTZ
);

-- Every login, logout, failure, lock, disable and reset (who, when, by whom, from where).
CREATE TABLE audit (
    id       BIGSERIAL PRIMARY KEY,
    at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    login    TEXT NOT NULL,
    action   TEXT NOT NULL,
    by_login TEXT,
    client   TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_login ON audit (login, at);
