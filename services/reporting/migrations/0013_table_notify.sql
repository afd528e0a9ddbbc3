-- The tables that a search reads tell, at commit, that a statement wrote them (issue 22.5, a
-- portal under change): the institution search reads rp_institutions and rp_qualifications
-- only, so it stays kept through batches of penalties, cards or leads. pg_notify sends one
-- notification per distinct payload per transaction, so a batch of many statements on the
-- table is one notification. `cache.WATCHED` lists these tables.
CREATE OR REPLACE FUNCTION notify_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(left(TG_TABLE_SCHEMA || '_applied', 63), 'table:' || TG_TABLE_NAME);
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS institutions_written ON rp_institutions;
CREATE TRIGGER institutions_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON rp_institutions FOR EACH STATEMENT EXECUTE FUNCTION notify_written();

DROP TRIGGER IF EXISTS qualifications_written ON rp_qualifications;
CREATE TRIGGER qualifications_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON rp_qualifications FOR EACH STATEMENT EXECUTE FUNCTION notify_written();
