-- +goose Up
CREATE TABLE branches (
  id         BIGINT       NOT NULL AUTO_INCREMENT,
  code       VARCHAR(8)   NOT NULL,
  name       VARCHAR(128) NOT NULL,
  city       VARCHAR(64)  NOT NULL DEFAULT '',
  address    VARCHAR(255) NOT NULL DEFAULT '',
  archived   TINYINT(1)   NOT NULL DEFAULT 0,
  version    INT          NOT NULL DEFAULT 1,
  created_at DATETIME(6)  NOT NULL,
  updated_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_branches_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE warehouses (
  id                   BIGINT       NOT NULL AUTO_INCREMENT,
  code                 VARCHAR(32)  NOT NULL,
  name                 VARCHAR(128) NOT NULL,
  branch_id            BIGINT       NOT NULL,
  allow_negative_stock TINYINT(1)   NOT NULL DEFAULT 0,
  address              VARCHAR(255) NOT NULL DEFAULT '',
  archived             TINYINT(1)   NOT NULL DEFAULT 0,
  version              INT          NOT NULL DEFAULT 1,
  created_at           DATETIME(6)  NOT NULL,
  updated_at           DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_warehouses_code (code),
  KEY ix_warehouses_branch (branch_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE warehouses;
DROP TABLE branches;
