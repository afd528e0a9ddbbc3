-- E2: the public record of each double-random draw, as enforcement published it.
CREATE TABLE IF NOT EXISTS rp_draws (
    draw_id           TEXT PRIMARY KEY,
    plan_id           TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    year              INTEGER,
    published_on      DATE NOT NULL,
    record            JSONB NOT NULL,
    known_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS rp_draws_jurisdiction ON rp_draws (jurisdiction_code, published_on);
