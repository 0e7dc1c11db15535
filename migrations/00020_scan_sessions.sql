-- +goose Up
-- A scan session executes one document. Scans are kept, accepted or refused, with the
-- client's scan id (unique per session), so a retried scan counts once and an answer can
-- be replayed; together with the session they are the trail of who scanned what, when,
-- on which device and in which request.
CREATE TABLE scan_sessions (
  id             BIGINT      NOT NULL AUTO_INCREMENT,
  kind           VARCHAR(16) NOT NULL,
  document_type  VARCHAR(24) NOT NULL,
  document_id    BIGINT      NOT NULL,
  warehouse_id   BIGINT      NOT NULL,
  branch_id      BIGINT      NOT NULL,
  customer_id    BIGINT      NOT NULL DEFAULT 0,
  status         VARCHAR(16) NOT NULL,
  device         VARCHAR(64) NOT NULL DEFAULT '',
  opened_by      BIGINT      NOT NULL DEFAULT 0,
  stock_document BIGINT      NOT NULL DEFAULT 0,
  created_at     DATETIME(6) NOT NULL,
  completed_at   DATETIME(6) NULL,
  PRIMARY KEY (id),
  KEY ix_scan_sessions_document (document_type, document_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE scans (
  id         BIGINT        NOT NULL AUTO_INCREMENT,
  session_id BIGINT        NOT NULL,
  scan_id    VARCHAR(64)   NOT NULL,
  code       VARCHAR(1024) NOT NULL,
  device     VARCHAR(64)   NOT NULL DEFAULT '',
  user_id    BIGINT        NOT NULL DEFAULT 0,
  request_id VARCHAR(64)   NOT NULL DEFAULT '',
  accepted   TINYINT(1)    NOT NULL,
  reason     VARCHAR(32)   NOT NULL DEFAULT '',
  detail     VARCHAR(255)  NOT NULL DEFAULT '',
  item_id    BIGINT        NOT NULL DEFAULT 0,
  line_id    BIGINT        NOT NULL DEFAULT 0,
  lot_id     BIGINT        NOT NULL DEFAULT 0,
  lot_no     VARCHAR(20)   NOT NULL DEFAULT '',
  expiry     DATE          NULL,
  quantity   BIGINT        NOT NULL DEFAULT 0,
  undone     TINYINT(1)    NOT NULL DEFAULT 0,
  created_at DATETIME(6)   NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_scans_session_scan (session_id, scan_id),
  KEY ix_scans_session (session_id, accepted, undone)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE scans;
DROP TABLE scan_sessions;
