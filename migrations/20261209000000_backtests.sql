-- Backtests run as jobs: each one's settings, progress while it runs (JSON, renewed by
-- the server that runs it, so every server shows it), a cancel request, and its result
-- (JSON) once done, kept until the player deletes it.
CREATE TABLE backtests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    state       TEXT    NOT NULL
                CHECK (state IN ('running', 'done', 'failed', 'cancelled', 'interrupted')),
    settings    TEXT    NOT NULL,
    n_rounds    INTEGER NOT NULL,
    progress    TEXT    NOT NULL,
    error       TEXT,
    result      TEXT,
    cancel      INTEGER NOT NULL DEFAULT 0 CHECK (cancel IN (0, 1))
);
