-- 移送司法: cases transferred to the judicial authorities and their status.
CREATE TABLE IF NOT EXISTS judicial_transfers (
    transfer_id              TEXT PRIMARY KEY,
    case_id                  TEXT NOT NULL,
    institution_id           TEXT NOT NULL,
    receiving_authority      TEXT NOT NULL,
    suspected_offence        TEXT NOT NULL,
    transferred_on           DATE NOT NULL,
    jurisdiction_region_code TEXT NOT NULL,
    status                   TEXT NOT NULL DEFAULT 'transferred',
    status_on                DATE NOT NULL,
    note                     TEXT NOT NULL DEFAULT ''
);
