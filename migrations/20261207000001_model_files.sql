-- Trained models shared through the database, for servers with a models folder each
-- (server/src/registry_sync.rs; used on PostgreSQL, the same schema on both): every file
-- of every version folder, and the active version.
CREATE TABLE model_files (
    version  TEXT NOT NULL,
    path     TEXT NOT NULL,
    bytes    BLOB NOT NULL,
    PRIMARY KEY (version, path)
);

CREATE TABLE model_registry (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    active  TEXT
);
INSERT INTO model_registry (id) VALUES (1);
