-- +goose Up
-- Manual adjustments that a stock_adjustment approval flow matched: stored with their lines
-- as asked, nothing moved, until the flow decides. Approval posts the lines (an SA stock
-- document, recorded in document_id) or, when they can no longer be posted (not enough
-- stock by then), leaves the adjustment failed with the reason; rejection leaves it
-- rejected with the approver's comment. An adjustment no flow matches is posted at once and
-- has no row here (its stock document is the whole record).
CREATE TABLE stock_adjustments (
  id               BIGINT       NOT NULL AUTO_INCREMENT,
  doc_no           VARCHAR(32)  NOT NULL,
  branch_id        BIGINT       NOT NULL,
  warehouse_id     BIGINT       NOT NULL,
  status           VARCHAR(24)  NOT NULL,
  reason           VARCHAR(255) NOT NULL,
  amount           BIGINT       NOT NULL DEFAULT 0,
  approval_request BIGINT       NOT NULL DEFAULT 0,
  approval_comment VARCHAR(500) NOT NULL DEFAULT '',
  failure          VARCHAR(500) NOT NULL DEFAULT '',
  document_id      BIGINT       NOT NULL DEFAULT 0,
  created_by       BIGINT       NOT NULL DEFAULT 0,
  version          INT          NOT NULL DEFAULT 1,
  created_at       DATETIME(6)  NOT NULL,
  updated_at       DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_stock_adjustments_no (doc_no),
  KEY ix_stock_adjustments_wh (warehouse_id, status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The lines as asked: signed quantity in milli-units, the lot by number (a new lot is
-- created only when the adjustment posts), unit cost in fen per unit (0 = the average).
CREATE TABLE stock_adjustment_lines (
  adjustment_id BIGINT      NOT NULL,
  line_no       INT         NOT NULL,
  item_id       BIGINT      NOT NULL,
  lot_no        VARCHAR(20) NOT NULL DEFAULT '',
  quantity      BIGINT      NOT NULL,
  expiry_date   DATE        NULL,
  unit_cost     BIGINT      NOT NULL DEFAULT 0,
  PRIMARY KEY (adjustment_id, line_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE stock_adjustment_lines;
DROP TABLE stock_adjustments;
