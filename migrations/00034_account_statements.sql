-- +goose Up
-- Our statements of account (对账单) to customers: per customer and settlement period, the
-- opening balance, the period's deliveries (by outlet, with the retailer's PO number and
-- our delivery number), returns, price adjustments (accepted statement differences and red
-- invoice corrections), receipts (with their cash discounts), the invoices issued (for
-- information: the balance is on delivery basis) and the closing balance, with the lines
-- frozen once sent. status: DRAFT (regenerated in place), SENT, CONFIRMED or DISPUTED (by
-- the customer). Money in fen. Supplier statements (party_type supplier) are built the same
-- way from receipts (delivery basis: what we owe), purchase invoices (information) and
-- payments.
CREATE TABLE account_statements (
  id             BIGINT       NOT NULL AUTO_INCREMENT,
  doc_no         VARCHAR(40)  NOT NULL,
  party_type     VARCHAR(8)   NOT NULL,
  party_id       BIGINT       NOT NULL,
  period_from    DATE         NOT NULL,
  period_to      DATE         NOT NULL,
  status         VARCHAR(12)  NOT NULL,
  opening        BIGINT       NOT NULL,
  deliveries     BIGINT       NOT NULL,
  returns_amount BIGINT       NOT NULL,
  adjustments    BIGINT       NOT NULL,
  received       BIGINT       NOT NULL,
  invoiced       BIGINT       NOT NULL,
  closing        BIGINT       NOT NULL,
  line_count     INT          NOT NULL,
  outlet_count   INT          NOT NULL,
  note           VARCHAR(500) NOT NULL DEFAULT '',
  created_by     BIGINT       NOT NULL DEFAULT 0,
  created_at     DATETIME(6)  NOT NULL,
  sent_at        DATETIME(6)  NULL,
  answered_at    DATETIME(6)  NULL,
  updated_at     DATETIME(6)  NOT NULL,
  version        INT          NOT NULL DEFAULT 1,
  PRIMARY KEY (id),
  UNIQUE KEY uk_account_statements_no (doc_no),
  UNIQUE KEY uk_account_statements_period (party_type, party_id, period_from),
  KEY ix_account_statements_party (party_type, party_id, period_to)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- kind: delivery, return, adjust, receipt (source: trade lines), correct (a red invoice's price
-- correction line), payment (a customer's receipt or our payment to a supplier: amount with
-- the discount), invoice (for information, not in the balance); for suppliers receipt is
-- goods received. amount is signed as it moves the balance.
CREATE TABLE account_statement_lines (
  statement_id  BIGINT      NOT NULL,
  seq           INT         NOT NULL,
  source_id     BIGINT      NOT NULL,
  kind          VARCHAR(8)  NOT NULL,
  doc_date      DATE        NOT NULL,
  outlet_code   VARCHAR(32) NOT NULL DEFAULT '',
  po_no         VARCHAR(64) NOT NULL DEFAULT '',
  doc_no        VARCHAR(40) NOT NULL,
  their_doc_no  VARCHAR(64) NOT NULL DEFAULT '',
  item_id       BIGINT      NOT NULL,
  quantity      BIGINT      NOT NULL,
  unit_price    BIGINT      NOT NULL,
  amount        BIGINT      NOT NULL,
  PRIMARY KEY (statement_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE account_statement_lines;
DROP TABLE account_statements;
