-- Each committed batch of applied events tells every process serving the portal that its
-- kept answers are old (issue 22.5, several worker processes): one notification per
-- transaction, delivered at commit, on the channel "<schema>_applied".
CREATE OR REPLACE FUNCTION notify_applied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(left(TG_TABLE_SCHEMA || '_applied', 63), '');
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS inbox_applied ON inbox;
CREATE TRIGGER inbox_applied AFTER INSERT ON inbox
    FOR EACH STATEMENT EXECUTE FUNCTION notify_applied();
