-- +goose Up
-- The first answer to each (caller, client request id), written in the same transaction
-- as the change it answers, so that a retry replays it and changes nothing.
CREATE TABLE idempotency_keys (
  actor        VARCHAR(40)  NOT NULL,
  idem_key     VARCHAR(128) NOT NULL,
  method       VARCHAR(160) NOT NULL,
  request_hash BINARY(32)   NOT NULL,
  result       MEDIUMBLOB   NOT NULL,
  created_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (actor, idem_key),
  KEY ix_idempotency_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE idempotency_keys;
