-- +goose Up
-- On hand per (warehouse, item, lot); lot_id 0 is stock of items without lots. "picked"
-- is what open shipping sessions hold of the lot. The sums are derived from the ledger and
-- always equal it (a test checks).
CREATE TABLE stock_levels (
  warehouse_id BIGINT      NOT NULL,
  item_id      BIGINT      NOT NULL,
  lot_id       BIGINT      NOT NULL,
  on_hand      BIGINT      NOT NULL DEFAULT 0,
  picked       BIGINT      NOT NULL DEFAULT 0,
  updated_at   DATETIME(6) NOT NULL,
  PRIMARY KEY (warehouse_id, item_id, lot_id),
  KEY ix_stock_levels_item (item_id, warehouse_id),
  KEY ix_stock_levels_lot (lot_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per (warehouse, item): on hand of all lots, what orders and open sessions hold
-- (reserved), and the stock value at moving average cost (value, fen). last_unit_cost is
-- the latest receipt's cost, used when stock goes below zero where that is allowed.
CREATE TABLE stock_items (
  warehouse_id   BIGINT      NOT NULL,
  item_id        BIGINT      NOT NULL,
  on_hand        BIGINT      NOT NULL DEFAULT 0,
  reserved       BIGINT      NOT NULL DEFAULT 0,
  value          BIGINT      NOT NULL DEFAULT 0,
  last_unit_cost BIGINT      NOT NULL DEFAULT 0,
  updated_at     DATETIME(6) NOT NULL,
  PRIMARY KEY (warehouse_id, item_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only: one row per posted movement of an item lot in a warehouse.
CREATE TABLE stock_ledger (
  id            BIGINT      NOT NULL AUTO_INCREMENT,
  document_id   BIGINT      NOT NULL,
  line_no       INT         NOT NULL,
  doc_type      VARCHAR(16) NOT NULL,
  warehouse_id  BIGINT      NOT NULL,
  item_id       BIGINT      NOT NULL,
  lot_id        BIGINT      NOT NULL,
  quantity      BIGINT      NOT NULL,
  value         BIGINT      NOT NULL,
  posted_at     DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_ledger_document_line (document_id, line_no),
  KEY ix_ledger_item (warehouse_id, item_id, lot_id, id),
  KEY ix_ledger_lot (lot_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Posted stock documents; they never change.
CREATE TABLE stock_documents (
  id          BIGINT       NOT NULL AUTO_INCREMENT,
  doc_no      VARCHAR(32)  NOT NULL,
  doc_type    VARCHAR(16)  NOT NULL,
  branch_id   BIGINT       NOT NULL,
  warehouse_id BIGINT      NOT NULL,
  source_type VARCHAR(24)  NOT NULL DEFAULT '',
  source_id   BIGINT       NOT NULL DEFAULT 0,
  session_id  BIGINT       NOT NULL DEFAULT 0,
  reason      VARCHAR(255) NOT NULL DEFAULT '',
  posted_by   BIGINT       NOT NULL DEFAULT 0,
  posted_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_stock_documents_no (doc_no),
  KEY ix_stock_documents_source (source_type, source_id),
  KEY ix_stock_documents_wh (warehouse_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE stock_documents;
DROP TABLE stock_ledger;
DROP TABLE stock_items;
DROP TABLE stock_levels;
