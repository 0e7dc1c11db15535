-- +goose Up
-- Group chat robots (WeCom, DingTalk, Feishu) told of new requests and outcomes.
CREATE TABLE approval_robots (
  id         BIGINT        NOT NULL AUTO_INCREMENT,
  kind       VARCHAR(16)   NOT NULL,
  url        VARCHAR(1000) NOT NULL,
  secret     VARCHAR(255)  NOT NULL DEFAULT '',
  active     TINYINT(1)    NOT NULL DEFAULT 1,
  created_at DATETIME(6)   NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE approval_robots;
