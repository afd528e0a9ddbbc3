-- A committed batch tells the portal processes what it was about (issue 22.5, a portal under
-- change): one line per distinct event type and institution of its rows, "type<TAB>institution",
-- the institution empty where the row names none. A batch too large for one notification
-- (8000 bytes) says '*': every kept answer is old. A statement whose rows were all
-- duplicates applied nothing and says nothing. Delivered at commit, on the channel
-- "<schema>_applied" (0011).
CREATE OR REPLACE FUNCTION notify_applied() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload TEXT;
BEGIN
    SELECT string_agg(DISTINCT event_type || E'\t' || coalesce(institution_id, ''), E'\n')
        INTO payload FROM fresh;
    IF payload IS NULL THEN
        RETURN NULL;
    END IF;
    -- An institution id holding a tab or a newline would be read as another line.
    IF octet_length(payload) > 7900
        OR EXISTS (SELECT 1 FROM fresh WHERE institution_id ~ E'[\\t\\n]') THEN
        payload := '*';
    END IF;
    PERFORM pg_notify(left(TG_TABLE_SCHEMA || '_applied', 63), payload);
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS inbox_applied ON inbox;
CREATE TRIGGER inbox_applied AFTER INSERT ON inbox REFERENCING NEW TABLE AS fresh
    FOR EACH STATEMENT EXECUTE FUNCTION notify_applied();
