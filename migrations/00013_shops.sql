-- +goose Up
CREATE TABLE shops (
  id                   BIGINT       NOT NULL AUTO_INCREMENT,
  code                 VARCHAR(32)  NOT NULL,
  name                 VARCHAR(128) NOT NULL,
  platform             VARCHAR(16)  NOT NULL,
  branch_id            BIGINT       NOT NULL,
  default_warehouse_id BIGINT       NOT NULL,
  platform_shop_id     VARCHAR(64)  NOT NULL DEFAULT '',
  archived             TINYINT(1)   NOT NULL DEFAULT 0,
  version              INT          NOT NULL DEFAULT 1,
  created_at           DATETIME(6)  NOT NULL,
  updated_at           DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_shops_code (code),
  KEY ix_shops_branch (branch_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE shops;
