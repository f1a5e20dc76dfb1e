-- One training job and one backtest at a time across every server that shares the
-- database: a server holds the lease of a kind while its job runs and renews it (a lease
-- not renewed by expires_at, Unix seconds, is free: its server stopped). The row keeps
-- the job's last status (JSON) for the other servers, and their cancel request.
CREATE TABLE job_leases (
    kind        TEXT    PRIMARY KEY CHECK (kind IN ('training', 'backtest')),
    holder      TEXT    NOT NULL,
    expires_at  BIGINT  NOT NULL,
    status      TEXT    NOT NULL,
    cancel      BIGINT  NOT NULL DEFAULT 0 CHECK (cancel IN (0, 1))
);
