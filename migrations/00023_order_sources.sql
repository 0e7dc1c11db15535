-- +goose Up
-- Platform webhooks as received (the body is stored before the platform gets its answer,
-- so a crash loses nothing); a repeated delivery id is ignored.
CREATE TABLE webhook_events (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  shop_id      BIGINT       NOT NULL,
  platform     VARCHAR(16)  NOT NULL,
  topic        VARCHAR(64)  NOT NULL DEFAULT '',
  delivery_id  VARCHAR(128) NOT NULL,
  body         MEDIUMBLOB   NOT NULL,
  received_at  DATETIME(6)  NOT NULL,
  processed_at DATETIME(6)  NULL,
  outcome      VARCHAR(16)  NOT NULL DEFAULT '',
  error        VARCHAR(255) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  UNIQUE KEY uk_webhook_events_delivery (shop_id, platform, delivery_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- How erphub reaches a shop's platform API for scheduled pulls, with the shop's cursor.
CREATE TABLE shop_connections (
  shop_id         BIGINT       NOT NULL,
  base_url        VARCHAR(255) NOT NULL DEFAULT '',
  app_key         VARCHAR(128) NOT NULL DEFAULT '',
  app_secret      VARCHAR(255) NOT NULL DEFAULT '',
  access_token    VARCHAR(512) NOT NULL DEFAULT '',
  enabled         TINYINT(1)   NOT NULL DEFAULT 0,
  overlap_seconds INT          NOT NULL DEFAULT 300,
  cursor_at       DATETIME(6)  NULL,
  next_pull_at    DATETIME(6)  NULL,
  failures        INT          NOT NULL DEFAULT 0,
  updated_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (shop_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every scheduled pull: its window and what it found.
CREATE TABLE pull_runs (
  id          BIGINT        NOT NULL AUTO_INCREMENT,
  shop_id     BIGINT        NOT NULL,
  window_from DATETIME(6)   NOT NULL,
  window_to   DATETIME(6)   NOT NULL,
  started_at  DATETIME(6)   NOT NULL,
  finished_at DATETIME(6)   NULL,
  pages       INT           NOT NULL DEFAULT 0,
  seen        INT           NOT NULL DEFAULT 0,
  created     INT           NOT NULL DEFAULT 0,
  updated     INT           NOT NULL DEFAULT 0,
  errors      INT           NOT NULL DEFAULT 0,
  error       VARCHAR(1024) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY ix_pull_runs_shop (shop_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE pull_runs;
DROP TABLE shop_connections;
DROP TABLE webhook_events;
