-- +goose Up
CREATE TABLE customers (
  id                            BIGINT       NOT NULL AUTO_INCREMENT,
  code                          VARCHAR(32)  NOT NULL,
  name                          VARCHAR(255) NOT NULL,
  kind                          VARCHAR(16)  NOT NULL,
  tax_id                        VARCHAR(20)  NOT NULL DEFAULT '',
  credit_limit                  BIGINT       NOT NULL DEFAULT 0,
  settlement_cycle              VARCHAR(16)  NOT NULL DEFAULT '',
  settlement_closing_day        INT          NOT NULL DEFAULT 0,
  settlement_due_days           INT          NOT NULL DEFAULT 0,
  min_remaining_shelf_life_days INT          NOT NULL DEFAULT 0,
  contact                       VARCHAR(64)  NOT NULL DEFAULT '',
  phone                         VARCHAR(32)  NOT NULL DEFAULT '',
  address                       VARCHAR(255) NOT NULL DEFAULT '',
  archived                      TINYINT(1)   NOT NULL DEFAULT 0,
  version                       INT          NOT NULL DEFAULT 1,
  created_at                    DATETIME(6)  NOT NULL,
  updated_at                    DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_customers_code (code),
  KEY ix_customers_kind (kind, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Delivery points of a customer (supermarket stores), keyed by the customer's store code.
CREATE TABLE outlets (
  id          BIGINT       NOT NULL AUTO_INCREMENT,
  customer_id BIGINT       NOT NULL,
  code        VARCHAR(32)  NOT NULL,
  name        VARCHAR(255) NOT NULL,
  city        VARCHAR(64)  NOT NULL DEFAULT '',
  address     VARCHAR(255) NOT NULL DEFAULT '',
  contact     VARCHAR(64)  NOT NULL DEFAULT '',
  phone       VARCHAR(32)  NOT NULL DEFAULT '',
  archived    TINYINT(1)   NOT NULL DEFAULT 0,
  version     INT          NOT NULL DEFAULT 1,
  created_at  DATETIME(6)  NOT NULL,
  updated_at  DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_outlets_customer_code (customer_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE outlets;
DROP TABLE customers;
