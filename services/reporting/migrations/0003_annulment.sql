-- P2: an annulled or changed decision leaves public view as soon as it is known.
ALTER TABLE rp_penalties ADD COLUMN IF NOT EXISTS annulled_on DATE;
ALTER TABLE rp_penalties ADD COLUMN IF NOT EXISTS annulled_known_at TIMESTAMPTZ;
