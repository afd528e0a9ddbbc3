-- 0012's payload, but '*' (every kept answer old) when an institution id would break its
-- lines: one holding a tab or a newline would otherwise be read as another line.
CREATE OR REPLACE FUNCTION notify_applied() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload TEXT;
BEGIN
    SELECT string_agg(DISTINCT event_type || E'\t' || coalesce(institution_id, ''), E'\n')
        INTO payload FROM fresh;
    IF payload IS NULL THEN
        RETURN NULL;
    END IF;
    IF octet_length(payload) > 7900
        OR EXISTS (SELECT 1 FROM fresh WHERE institution_id ~ E'[\\t\\n]') THEN
        payload := '*';
    END IF;
    PERFORM pg_notify(left(TG_TABLE_SCHEMA || '_applied', 63), payload);
    RETURN NULL;
END
$$;
