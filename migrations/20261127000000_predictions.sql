-- Counters bumped by every change of the round history. Caches (the loaded history, the
-- next-round prediction) key on `revision`, whichever program wrote the change; while
-- `rewrites` (edits and deletions) stays the same, new rounds were only appended, so a
-- cached history needs only the rows after its last id.
CREATE TABLE history_revision (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    revision  INTEGER NOT NULL,
    rewrites  INTEGER NOT NULL
);
INSERT INTO history_revision (id, revision, rewrites) VALUES (1, 0, 0);

CREATE TRIGGER rounds_revision_insert AFTER INSERT ON rounds
BEGIN UPDATE history_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER rounds_revision_update AFTER UPDATE ON rounds
BEGIN UPDATE history_revision SET revision = revision + 1, rewrites = rewrites + 1 WHERE id = 1; END;
CREATE TRIGGER rounds_revision_delete AFTER DELETE ON rounds
BEGIN UPDATE history_revision SET revision = revision + 1, rewrites = rewrites + 1 WHERE id = 1; END;

-- Every next-round prediction the app showed, and how it turned out.
CREATE TABLE predictions (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- The newest stored round when the prediction was made (0: no rounds yet); the
    -- predicted round is the first one stored after it.
    after_round_id      INTEGER NOT NULL,
    rounds_seen         INTEGER NOT NULL,
    -- Model version, or 'fair' when the fair baseline answered.
    model               TEXT    NOT NULL,
    cashout             REAL    NOT NULL,
    mode                TEXT    NOT NULL CHECK (mode IN ('normal', 'rolling')),
    -- JSON arrays aligned with each other.
    thresholds          TEXT    NOT NULL,
    probabilities       TEXT    NOT NULL,
    fair                TEXT    NOT NULL,
    ev                  REAL    NOT NULL,
    recommendation      TEXT    NOT NULL CHECK (recommendation IN ('play', 'wait')),
    reason              TEXT    NOT NULL,
    outcome_round_id    INTEGER,
    outcome_hundredths  INTEGER,
    UNIQUE (after_round_id, model, cashout, mode)
);
CREATE INDEX predictions_outcome ON predictions (outcome_round_id);

-- Scored when the next round is stored, by any writer.
CREATE TRIGGER predictions_score AFTER INSERT ON rounds
BEGIN
    UPDATE predictions SET outcome_round_id = NEW.id, outcome_hundredths = NEW.hundredths
    WHERE outcome_round_id IS NULL AND after_round_id < NEW.id;
END;

-- A corrected round corrects the score.
CREATE TRIGGER predictions_rescore AFTER UPDATE OF hundredths ON rounds
BEGIN
    UPDATE predictions SET outcome_hundredths = NEW.hundredths WHERE outcome_round_id = NEW.id;
END;

-- A removed round: predictions made right after it were made on a history that no longer
-- exists; predictions it scored move on to the next stored round (or wait for one).
CREATE TRIGGER predictions_unscore AFTER DELETE ON rounds
BEGIN
    DELETE FROM predictions WHERE after_round_id = OLD.id;
    UPDATE predictions SET
        outcome_round_id = (SELECT r.id FROM rounds r
                            WHERE r.id > predictions.after_round_id ORDER BY r.id LIMIT 1),
        outcome_hundredths = (SELECT r.hundredths FROM rounds r
                              WHERE r.id > predictions.after_round_id ORDER BY r.id LIMIT 1)
    WHERE outcome_round_id = OLD.id;
END;
