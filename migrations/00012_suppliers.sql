-- +goose Up
CREATE TABLE suppliers (
  id               BIGINT       NOT NULL AUTO_INCREMENT,
  code             VARCHAR(32)  NOT NULL,
  name             VARCHAR(255) NOT NULL,
  tax_id           VARCHAR(20)  NOT NULL DEFAULT '',
  payment_due_days INT          NOT NULL DEFAULT 0,
  contact          VARCHAR(64)  NOT NULL DEFAULT '',
  phone            VARCHAR(32)  NOT NULL DEFAULT '',
  address          VARCHAR(255) NOT NULL DEFAULT '',
  archived         TINYINT(1)   NOT NULL DEFAULT 0,
  version          INT          NOT NULL DEFAULT 1,
  created_at       DATETIME(6)  NOT NULL,
  updated_at       DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_suppliers_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE suppliers;
