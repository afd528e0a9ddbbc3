-- Each certificate belongs to one qualification, and each qualification ends on its own
-- (revoked, expired, cancelled, withdrawn): an institution stays in the draw universe (E1)
-- while any of its qualifications is granted. Rows learned before this migration have no
-- qualification_id; the registry's next grant or renewal of theirs fills it in.
ALTER TABLE known_certificates ADD COLUMN IF NOT EXISTS qualification_id TEXT;
CREATE INDEX IF NOT EXISTS known_certificates_qualification
    ON known_certificates (qualification_id);
