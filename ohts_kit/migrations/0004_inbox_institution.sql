-- The institution an applied event is about, as its payload names it (NULL when it names
-- none, or the consumer did not decode it): the reporting service tells its portal processes
-- which institutions' pages a committed batch changed (reporting migration 0012). NULL too
-- for rows written before this column.
ALTER TABLE inbox ADD COLUMN IF NOT EXISTS institution_id TEXT;
