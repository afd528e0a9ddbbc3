-- Uniqueness the aggregates cannot see on their own; written in the append's transaction.
CREATE TABLE IF NOT EXISTS institution_usccs (
    uscc           TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS certificate_numbers (
    certificate_number TEXT PRIMARY KEY,
    qualification_id   TEXT NOT NULL UNIQUE
);
