-- Issue 18.5: client retries of a command with an Idempotency-Key get the first answer.
-- One row per (caller, key); the response is filled in once the first request answered 2xx.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    caller        TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    status        INTEGER,
    content_type  TEXT,
    body          BYTEA,
    PRIMARY KEY (caller, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at);
