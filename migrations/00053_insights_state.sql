-- +goose Up
-- Watermarks of the insights catch-up job (the newest source change it has folded in).
CREATE TABLE insights_state (
  name       VARCHAR(32) NOT NULL,
  value      BIGINT      NOT NULL DEFAULT 0,
  at         DATETIME(6) NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE insights_state;
