-- +goose Up
CREATE TABLE items (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  sku             VARCHAR(64)  NOT NULL,
  name            VARCHAR(255) NOT NULL,
  unit            VARCHAR(16)  NOT NULL,
  weighed         TINYINT(1)   NOT NULL DEFAULT 0,
  lot_tracked     TINYINT(1)   NOT NULL DEFAULT 0,
  shelf_life_days INT          NOT NULL DEFAULT 0,
  vat_rate_bp     INT          NOT NULL DEFAULT 0,
  category        VARCHAR(64)  NOT NULL DEFAULT '',
  active          TINYINT(1)   NOT NULL DEFAULT 1,
  archived        TINYINT(1)   NOT NULL DEFAULT 0,
  version         INT          NOT NULL DEFAULT 1,
  created_at      DATETIME(6)  NOT NULL,
  updated_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_items_sku (sku),
  KEY ix_items_category (category, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per barcode. lookup_code is the normalised form scanners are matched on (GTINs
-- as 14 digits, so an EAN-13 and the same GTIN from a GS1-128 label meet); it is unique
-- across items. quantity is what one scan stands for, in milli-units (1000 for a unit).
CREATE TABLE item_barcodes (
  item_id     BIGINT      NOT NULL,
  code        VARCHAR(64) NOT NULL,
  lookup_code VARCHAR(64) NOT NULL,
  quantity    BIGINT      NOT NULL,
  position    INT         NOT NULL,
  PRIMARY KEY (item_id, position),
  UNIQUE KEY uk_item_barcodes_lookup (lookup_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE item_barcodes;
DROP TABLE items;
