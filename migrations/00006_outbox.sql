-- +goose Up
-- Transactional outbox: one row per (event, subscriber), written in the transaction that
-- made the change; dispatchers on any replica claim due rows, deliver them at least once
-- and retry failures with backoff. Delivered rows are purged after a retention period.
CREATE TABLE outbox_events (
  id              BIGINT        NOT NULL AUTO_INCREMENT,
  topic           VARCHAR(64)   NOT NULL,
  subscriber      VARCHAR(64)   NOT NULL,
  event_key       VARCHAR(128)  NOT NULL DEFAULT '',
  payload         MEDIUMBLOB    NOT NULL,
  request_id      VARCHAR(64)   NOT NULL DEFAULT '',
  created_at      DATETIME(6)   NOT NULL,
  pending         TINYINT(1)    NOT NULL DEFAULT 1,
  next_attempt_at DATETIME(6)   NOT NULL,
  claimed_by      VARCHAR(64)   NULL,
  claimed_until   DATETIME(6)   NULL,
  attempts        INT           NOT NULL DEFAULT 0,
  last_error      VARCHAR(1024) NOT NULL DEFAULT '',
  delivered_at    DATETIME(6)   NULL,
  PRIMARY KEY (id),
  KEY ix_outbox_due (pending, next_attempt_at, id),
  KEY ix_outbox_claim (claimed_by, pending),
  KEY ix_outbox_key (event_key, id),
  KEY ix_outbox_delivered (delivered_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE outbox_events;
