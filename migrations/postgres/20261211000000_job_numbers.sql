-- Job numbers shared by every server: each lease taken counts one more job of its kind,
-- so a job started on any server has a higher number than every job before it (the
-- browser keeps the newest job's status by this number).
ALTER TABLE job_leases ADD COLUMN jobs BIGINT NOT NULL DEFAULT 0;
