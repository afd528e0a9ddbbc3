-- Self-inspection campaigns and who has reported (the console's campaign pages and the
-- institutions' to-do list), from the registry's own events.
CREATE TABLE IF NOT EXISTS campaigns_view (
    campaign_id   TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    region_prefix TEXT NOT NULL,
    period_from   DATE NOT NULL,
    period_to     DATE NOT NULL,
    deadline      DATE NOT NULL,
    launched_on   DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS campaign_reports (
    campaign_id    TEXT NOT NULL,
    institution_id TEXT NOT NULL,
    reported_on    DATE NOT NULL,
    PRIMARY KEY (campaign_id, institution_id)
);
