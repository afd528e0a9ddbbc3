-- QC results on the registry's institutions from other provinces' QC centres (seed 001
-- §二(三)2), learned from qc events.
CREATE TABLE IF NOT EXISTS home_qc_notices (
    activity_id        TEXT NOT NULL,
    institution_id     TEXT NOT NULL,
    region_code        TEXT NOT NULL,
    activity_kind      TEXT NOT NULL,
    result             TEXT NOT NULL,
    qc_province_code   TEXT NOT NULL,
    home_province_code TEXT NOT NULL,
    finding_categories TEXT[] NOT NULL,
    sent_on            DATE NOT NULL,
    PRIMARY KEY (activity_id, institution_id)
);
