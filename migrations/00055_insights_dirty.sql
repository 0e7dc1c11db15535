-- +goose Up
-- Sources (orders, stock documents) whose facts must be brought up to date: an event marks
-- its source here (seq counts the marks), and the folding loop folds them in batches,
-- set-based, then removes the marks it saw (a mark made meanwhile has a higher seq and
-- stays). This keeps the work an order change costs the order hub to one upsert.
CREATE TABLE insights_dirty (
  source    VARCHAR(8)  NOT NULL,
  source_id BIGINT      NOT NULL,
  seq       INT         NOT NULL DEFAULT 1,
  queued_at DATETIME(6) NOT NULL,
  PRIMARY KEY (source, source_id),
  KEY ix_insights_dirty_queued (queued_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE insights_dirty;
