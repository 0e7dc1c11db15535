-- +goose Up
-- Connector keys: "erk_<prefix>_<secret>"; only a SHA-256 of the whole key is kept.
CREATE TABLE api_keys (
  id          BIGINT       NOT NULL AUTO_INCREMENT,
  name        VARCHAR(128) NOT NULL,
  shop_id     BIGINT       NOT NULL,
  prefix      VARCHAR(16)  NOT NULL,
  secret_hash BINARY(32)   NOT NULL,
  created_by  BIGINT       NOT NULL DEFAULT 0,
  created_at  DATETIME(6)  NOT NULL,
  revoked_at  DATETIME(6)  NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_api_keys_prefix (prefix),
  KEY ix_api_keys_shop (shop_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE api_keys;
