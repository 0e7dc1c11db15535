-- +goose Up
-- Transfers between warehouses: scanned out at the source (picked -> shipped, stock moves
-- to transit_stock), scanned in at the destination (receiving -> received).
CREATE TABLE transfers (
  id                BIGINT       NOT NULL AUTO_INCREMENT,
  doc_no            VARCHAR(32)  NOT NULL,
  branch_id         BIGINT       NOT NULL,
  from_warehouse_id BIGINT       NOT NULL,
  to_warehouse_id   BIGINT       NOT NULL,
  status            VARCHAR(24)  NOT NULL,
  remark            VARCHAR(255) NOT NULL DEFAULT '',
  created_by        BIGINT       NOT NULL DEFAULT 0,
  version           INT          NOT NULL DEFAULT 1,
  created_at        DATETIME(6)  NOT NULL,
  updated_at        DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_transfers_no (doc_no),
  KEY ix_transfers_from (from_warehouse_id, status, id),
  KEY ix_transfers_to (to_warehouse_id, status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE transfer_lines (
  id          BIGINT NOT NULL AUTO_INCREMENT,
  transfer_id BIGINT NOT NULL,
  line_no     INT    NOT NULL,
  item_id     BIGINT NOT NULL,
  quantity    BIGINT NOT NULL,
  picked      BIGINT NOT NULL DEFAULT 0,
  shipped     BIGINT NOT NULL DEFAULT 0,
  receiving   BIGINT NOT NULL DEFAULT 0,
  received    BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY uk_transfer_lines (transfer_id, line_no),
  KEY ix_transfer_lines_item (item_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Stock on its way: per transfer, item and lot, with its value at the source's cost;
-- "receiving" is what open receiving sessions at the destination hold of it.
CREATE TABLE transit_stock (
  transfer_id BIGINT NOT NULL,
  item_id     BIGINT NOT NULL,
  lot_id      BIGINT NOT NULL,
  quantity    BIGINT NOT NULL,
  value       BIGINT NOT NULL,
  receiving   BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (transfer_id, item_id, lot_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE stocktakes (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  doc_no       VARCHAR(32)  NOT NULL,
  branch_id    BIGINT       NOT NULL,
  warehouse_id BIGINT       NOT NULL,
  status       VARCHAR(24)  NOT NULL,
  remark       VARCHAR(255) NOT NULL DEFAULT '',
  counted_only TINYINT(1)   NOT NULL DEFAULT 0,
  document_id  BIGINT       NOT NULL DEFAULT 0,
  created_by   BIGINT       NOT NULL DEFAULT 0,
  created_at   DATETIME(6)  NOT NULL,
  updated_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_stocktakes_no (doc_no),
  KEY ix_stocktakes_wh (warehouse_id, status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE stocktakes;
DROP TABLE transit_stock;
DROP TABLE transfer_lines;
DROP TABLE transfers;
