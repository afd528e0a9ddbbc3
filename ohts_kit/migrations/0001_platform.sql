-- Platform tables every service schema has: event store, relay cursor, inbox, dead letters.
-- Applied inside the service's own schema (search_path), once; safe to run twice.

CREATE TABLE IF NOT EXISTS events (
    position          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The writing transaction's id: the relay publishes only below the oldest running
    -- transaction (pg_snapshot_xmin), so a late commit can never be skipped.
    tx_id             XID8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id          UUID NOT NULL UNIQUE,
    aggregate_type    TEXT NOT NULL,
    aggregate_id      TEXT NOT NULL,
    aggregate_version INTEGER NOT NULL CHECK (aggregate_version > 0),
    event_type        TEXT NOT NULL,
    schema_version    INTEGER NOT NULL,
    institution_id    TEXT NOT NULL,
    region_code       TEXT NOT NULL,
    occurred_at       TIMESTAMPTZ NOT NULL,
    recorded_at       TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    correlation_id    TEXT NOT NULL,
    causation_id      TEXT,
    actor             JSONB NOT NULL,
    payload           JSONB NOT NULL,
    -- Optimistic concurrency: two writers of the same version collide here.
    UNIQUE (aggregate_type, aggregate_id, aggregate_version)
);
CREATE INDEX IF NOT EXISTS events_tx_position ON events (tx_id, position);

CREATE TABLE IF NOT EXISTS relay_cursor (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    tx_id     XID8 NOT NULL,
    position  BIGINT NOT NULL,
    published BIGINT NOT NULL DEFAULT 0
);
INSERT INTO relay_cursor (id, tx_id, position) VALUES (1, '0', 0) ON CONFLICT DO NOTHING;

-- One row per applied incoming event: written in the same transaction as its effects.
CREATE TABLE IF NOT EXISTS inbox (
    consumer     TEXT NOT NULL,
    event_id     UUID NOT NULL,
    event_type   TEXT NOT NULL,
    topic        TEXT NOT NULL,
    partition    INTEGER NOT NULL,
    "offset"     BIGINT NOT NULL,
    applied_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (consumer, event_id)
);

CREATE TABLE IF NOT EXISTS dead_letters (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer    TEXT NOT NULL,
    topic       TEXT NOT NULL,
    partition   INTEGER NOT NULL,
    "offset"    BIGINT NOT NULL,
    event_id    UUID,
    reason      TEXT NOT NULL,
    error       TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    value       BYTEA,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (consumer, topic, partition, "offset")
);

-- A wake-up for the relay; it polls as well, because NOTIFY is not a delivery.
CREATE OR REPLACE FUNCTION notify_events_appended() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_events', '');
    RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS events_appended ON events;
CREATE TRIGGER events_appended AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION notify_events_appended();
