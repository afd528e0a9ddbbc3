-- Public directory read model (P1), built only from registry events.
CREATE TABLE IF NOT EXISTS directory_institutions (
    institution_id        TEXT PRIMARY KEY,
    uscc                  TEXT NOT NULL,
    name                  TEXT NOT NULL,
    address               TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    region_code           TEXT NOT NULL,
    region_name           TEXT NOT NULL,
    registered_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS directory_institutions_region ON directory_institutions (region_code);

CREATE TABLE IF NOT EXISTS directory_qualifications (
    qualification_id      TEXT PRIMARY KEY,
    institution_id        TEXT NOT NULL,
    certificate_number    TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    scope_codes           TEXT[] NOT NULL,
    valid_from            DATE NOT NULL,
    valid_until           DATE NOT NULL,
    status                TEXT NOT NULL,
    decided_at            TIMESTAMPTZ NOT NULL,
    issuing_authority     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS directory_qualifications_institution
    ON directory_qualifications (institution_id);
CREATE INDEX IF NOT EXISTS directory_qualifications_certificate
    ON directory_qualifications (certificate_number);
