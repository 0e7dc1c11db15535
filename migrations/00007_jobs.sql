-- +goose Up
-- Scheduled jobs: one lease row per job decides which replica runs each scheduled slot;
-- job_runs keeps the history of every run.
CREATE TABLE job_leases (
  name        VARCHAR(64)  NOT NULL,
  holder      VARCHAR(128) NOT NULL DEFAULT '',
  lease_until DATETIME(6)  NOT NULL,
  last_slot   DATETIME(6)  NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE job_runs (
  id          BIGINT        NOT NULL AUTO_INCREMENT,
  name        VARCHAR(64)   NOT NULL,
  slot        DATETIME(6)   NOT NULL,
  holder      VARCHAR(128)  NOT NULL,
  started_at  DATETIME(6)   NOT NULL,
  finished_at DATETIME(6)   NULL,
  outcome     VARCHAR(16)   NOT NULL DEFAULT 'running',
  detail      VARCHAR(2048) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  UNIQUE KEY uk_job_runs_slot (name, slot),
  KEY ix_job_runs_started (started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE job_runs;
DROP TABLE job_leases;
