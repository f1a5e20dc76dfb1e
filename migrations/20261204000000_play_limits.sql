-- Responsible play: the limits the player set (one row per kind and window) and the
-- reality-check and cool-off settings (one row). A raise or removal waits in pending_*
-- until pending_at (Unix seconds); pending_at NULL means nothing waits.
CREATE TABLE play_limits (
    kind            TEXT    NOT NULL CHECK (kind IN ('loss', 'stake', 'time')),
    period          TEXT    NOT NULL CHECK (period IN ('day', 'week', 'month')),
    amount          REAL    CHECK (amount IS NULL OR amount > 0),
    pending_amount  REAL    CHECK (pending_amount IS NULL OR pending_amount > 0),
    pending_at      INTEGER CHECK (pending_at IS NOT NULL OR pending_amount IS NULL),
    PRIMARY KEY (kind, period)
);

CREATE TABLE play_settings (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    reality_check_s  INTEGER CHECK (reality_check_s IS NULL OR reality_check_s > 0),
    -- When the player last answered a reality check (Unix seconds).
    reality_ack_at   INTEGER,
    cool_off_until   INTEGER
);

INSERT INTO play_settings (id) VALUES (1);

-- Sessions are built from when rounds were recorded.
CREATE INDEX rounds_created_at ON rounds (created_at);
