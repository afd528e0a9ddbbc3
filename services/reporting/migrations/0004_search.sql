-- Portal search matches any part of a name, USCC or certificate number (ILIKE '%…%'). On the
-- national dataset (2,000 institutions) a sequential scan cost ~4 ms a query, most of the
-- portal's time under load; trigram indexes answer patterns of three or more characters
-- from the index (bench/RESULTS.md). An extension is per database, so it lives in a schema
-- of its own, shared by every service namespace; if an operator installed pg_trgm elsewhere,
-- that installation is used.
DO $$
DECLARE
    trgm text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('ohts:extensions'));
    CREATE SCHEMA IF NOT EXISTS ohts_extensions;
    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA ohts_extensions;
    SELECT n.nspname INTO trgm
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_trgm';
    EXECUTE format(
        'CREATE INDEX IF NOT EXISTS rp_institutions_text ON rp_institutions'
        ' USING gin (name %1$I.gin_trgm_ops, uscc %1$I.gin_trgm_ops)', trgm);
    EXECUTE format(
        'CREATE INDEX IF NOT EXISTS rp_qualifications_text ON rp_qualifications'
        ' USING gin (certificate_number %I.gin_trgm_ops)', trgm);
END
$$;
