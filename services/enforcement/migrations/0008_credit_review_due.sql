-- E7: when each institution's credit class must be reviewed again because time alone may
-- change it (a fact's duration ends, a dated decision or annulment takes effect). Written by
-- every review; the daily sweep reviews only the rows due. due_on NULL: nothing is due by
-- time alone.
CREATE TABLE IF NOT EXISTS credit_review_due (
    institution_id TEXT PRIMARY KEY,
    due_on         DATE
);
CREATE INDEX IF NOT EXISTS credit_review_due_on ON credit_review_due (due_on);
