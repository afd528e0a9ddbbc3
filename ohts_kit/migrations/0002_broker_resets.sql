-- How often the relay found the broker had lost its data and republished from the start.
ALTER TABLE relay_cursor ADD COLUMN IF NOT EXISTS broker_resets INTEGER NOT NULL DEFAULT 0;
