-- Which round each edit or deletion touched, by rewrite number, so a cached history is
-- brought up to date by reading only the rounds from the lowest touched id on (an undo
-- reads nothing but the counters) instead of the whole history. Only the newest 1,000
-- rewrites are kept: a cache further behind reads everything, as before.
CREATE TABLE history_rewrites (
    rewrite   INTEGER PRIMARY KEY,
    round_id  INTEGER NOT NULL
);

DROP TRIGGER rounds_revision_update;
DROP TRIGGER rounds_revision_delete;

CREATE TRIGGER rounds_revision_update AFTER UPDATE ON rounds
BEGIN
    UPDATE history_revision SET revision = revision + 1, rewrites = rewrites + 1 WHERE id = 1;
    INSERT INTO history_rewrites (rewrite, round_id)
        SELECT rewrites, OLD.id FROM history_revision WHERE id = 1;
    DELETE FROM history_rewrites
        WHERE rewrite <= (SELECT rewrites FROM history_revision WHERE id = 1) - 1000;
END;

CREATE TRIGGER rounds_revision_delete AFTER DELETE ON rounds
BEGIN
    UPDATE history_revision SET revision = revision + 1, rewrites = rewrites + 1 WHERE id = 1;
    INSERT INTO history_rewrites (rewrite, round_id)
        SELECT rewrites, OLD.id FROM history_revision WHERE id = 1;
    DELETE FROM history_rewrites
        WHERE rewrite <= (SELECT rewrites FROM history_revision WHERE id = 1) - 1000;
END;

-- The play sessions read only the rounds recorded live; after an import of a year of
-- rounds the index on created_at alone made every limits check walk the imported rows
-- of the period (140 ms at 1,000,000 rounds). This one holds the live rounds only.
DROP INDEX rounds_created_at;
CREATE INDEX rounds_live_created_at ON rounds (created_at) WHERE source IN ('entry', 'api');
