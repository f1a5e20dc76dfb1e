-- Bulk stores at the speed of the table: the per-row insert triggers ran two UPDATEs for
-- every stored row (2,000,000 statements for a 1,000,000-row import). The one code path
-- that inserts rounds (app/src/db/rounds.rs, `append`) now bumps the revision once per
-- batch and scores the waiting predictions itself, with the same statement as before.
DROP TRIGGER rounds_revision_insert;
DROP TRIGGER predictions_score;

-- Real rounds are never synthetic: index only the demo ones ("is there demo data?").
DROP INDEX rounds_synthetic;
CREATE INDEX rounds_synthetic ON rounds (id) WHERE synthetic = 1;
