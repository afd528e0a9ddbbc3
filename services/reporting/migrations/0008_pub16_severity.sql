-- P2: the severity class as the rule in force names it, whether the deciding authority chose
-- it (or it is the suggested default for an event recorded before the choice existed), and
-- the basis the authority gave.
ALTER TABLE rp_penalties ADD COLUMN IF NOT EXISTS severity_name TEXT NOT NULL DEFAULT '';
ALTER TABLE rp_penalties ADD COLUMN IF NOT EXISTS severity_chosen BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE rp_penalties ADD COLUMN IF NOT EXISTS severity_basis TEXT;
