-- Hosted mode (`accounts = true`): players, their server-side sessions, API tokens and
-- failed logins. These live in the configured database; each player's rounds, models and
-- jobs live in a database of their own (see server/src/accounts/tenants.rs), so a query
-- can never reach another player's rows. Times are Unix seconds.
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_s     BIGINT  NOT NULL
);

-- tower-sessions records (JSON); a record past expires_s is gone.
CREATE TABLE sessions (
    id        TEXT    PRIMARY KEY,
    data      TEXT    NOT NULL,
    expires_s BIGINT  NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_s);

-- Only the SHA-256 of a token is kept: it is shown once, at creation.
CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_sha256 TEXT    NOT NULL UNIQUE,
    created_s    BIGINT  NOT NULL,
    last_used_s  BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

-- Failed logins, counted per account and per address over a window.
CREATE TABLE login_failures (
    id       BIGSERIAL PRIMARY KEY,
    username TEXT    NOT NULL,
    address  TEXT    NOT NULL,
    at_s     BIGINT  NOT NULL
);
CREATE INDEX login_failures_by_user ON login_failures (username, at_s);
CREATE INDEX login_failures_by_address ON login_failures (address, at_s);
