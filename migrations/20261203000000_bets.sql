-- The bet ledger: real bets the player recorded, each on one stored round, whose crash
-- settles it (an edited round re-settles its bets; a deleted one takes them with it).
CREATE TABLE bets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id    INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    stake       REAL    NOT NULL CHECK (stake > 0),
    -- A target set before the round, a manual cash-out, or a manual bet the round crashed
    -- under (exit_at NULL).
    exit_kind   TEXT    NOT NULL CHECK (exit_kind IN ('target', 'cashed_out', 'lost')),
    exit_at     REAL    CHECK ((exit_kind = 'lost') = (exit_at IS NULL)),
    -- Unix seconds (UTC): the ledger's sessions, days, weeks and months.
    placed_at   INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))
);

CREATE INDEX bets_round ON bets (round_id);
CREATE INDEX bets_placed_at ON bets (placed_at);
