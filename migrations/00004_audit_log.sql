-- +goose Up
-- Every mutating call: who, which RPC, which resource, which request, when, outcome.
CREATE TABLE audit_log (
  id              BIGINT        NOT NULL AUTO_INCREMENT,
  at              DATETIME(6)   NOT NULL,
  actor_kind      VARCHAR(16)   NOT NULL,
  actor_id        BIGINT        NOT NULL,
  actor_name      VARCHAR(128)  NOT NULL,
  method          VARCHAR(160)  NOT NULL,
  resource        VARCHAR(255)  NOT NULL DEFAULT '',
  request_id      VARCHAR(64)   NOT NULL DEFAULT '',
  idempotency_key VARCHAR(128)  NOT NULL DEFAULT '',
  code            VARCHAR(32)   NOT NULL,
  message         VARCHAR(1024) NOT NULL DEFAULT '',
  peer            VARCHAR(64)   NOT NULL DEFAULT '',
  device          VARCHAR(128)  NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY ix_audit_resource (resource, id),
  KEY ix_audit_actor (actor_id, id),
  KEY ix_audit_method (method, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE audit_log;
