-- Every recorded round, oldest first by id. Multipliers are stored exactly as hundredths.
CREATE TABLE rounds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    hundredths  INTEGER NOT NULL CHECK (hundredths >= 100),
    -- How the round got here: typed, pasted, imported or generated demo data.
    source      TEXT    NOT NULL CHECK (source IN ('entry', 'paste', 'import', 'api', 'demo')),
    -- Demo rounds come from the synthetic generator, never from the game.
    synthetic   INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT
);

CREATE INDEX rounds_synthetic ON rounds (synthetic);

-- How the current demo history was generated, so the UI can label it.
CREATE TABLE demo_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    seed        INTEGER NOT NULL,
    house_edge  REAL    NOT NULL,
    rounds      INTEGER NOT NULL,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
