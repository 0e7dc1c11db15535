-- +goose Up
-- Receivables and payables (应收应付): our sales invoices (销项发票) drawn on delivered
-- trade lines, suppliers' purchase invoices matched three ways against the purchase order
-- and our receipt, customer receipts and supplier payments, and what settles each invoice.
-- Money is fen, quantities milli-units, tax rates basis points.

-- A sales invoice covers one outlet's lines at one tax rate (one invoice per rate and
-- outlet), so net + tax = gross holds per line and per invoice, and aging per outlet is
-- exact. kind: special (专票) or ordinary (普票). A red invoice (red = 1) has negative
-- amounts and names the invoice it corrects (original_id). settled is what receipts,
-- cash discounts and red invoices took off (signed like gross); credited is, on a blue
-- invoice, what red invoices corrected (positive, at most gross).
CREATE TABLE sales_invoices (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  doc_no       VARCHAR(40)  NOT NULL,
  customer_id  BIGINT       NOT NULL,
  outlet_id    BIGINT       NOT NULL DEFAULT 0,
  branch_id    BIGINT       NOT NULL DEFAULT 0,
  kind         VARCHAR(8)   NOT NULL,
  red          TINYINT(1)   NOT NULL DEFAULT 0,
  original_id  BIGINT       NOT NULL DEFAULT 0,
  tax_rate_bp  INT          NOT NULL,
  inv_date     DATE         NOT NULL,
  due_date     DATE         NOT NULL,
  net          BIGINT       NOT NULL,
  tax          BIGINT       NOT NULL,
  gross        BIGINT       NOT NULL,
  settled      BIGINT       NOT NULL DEFAULT 0,
  credited     BIGINT       NOT NULL DEFAULT 0,
  reason       VARCHAR(255) NOT NULL DEFAULT '',
  created_by   BIGINT       NOT NULL DEFAULT 0,
  created_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_sales_invoices_no (doc_no),
  KEY ix_sales_invoices_customer (customer_id, inv_date),
  KEY ix_sales_invoices_original (original_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An invoice's lines: a trade line's quantity (delivery, or return on a red invoice), or a
-- price correction (trade_line_id 0, quantity 0). gross = net + tax, signed like the invoice.
CREATE TABLE sales_invoice_lines (
  invoice_id     BIGINT      NOT NULL,
  line_no        INT         NOT NULL,
  trade_line_id  BIGINT      NOT NULL DEFAULT 0,
  item_id        BIGINT      NOT NULL,
  quantity       BIGINT      NOT NULL,
  net            BIGINT      NOT NULL,
  tax            BIGINT      NOT NULL,
  gross          BIGINT      NOT NULL,
  PRIMARY KEY (invoice_id, line_no),
  KEY ix_sales_invoice_lines_trade (trade_line_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A supplier's invoice as entered. status: MATCHED (booked), HELD (differences named in
-- differences, not booked), RELEASED (booked despite them). estimate is the receipt value
-- at purchase-order cost that the booking reverses (暂估冲回).
CREATE TABLE purchase_invoices (
  id            BIGINT        NOT NULL AUTO_INCREMENT,
  doc_no        VARCHAR(40)   NOT NULL,
  supplier_id   BIGINT        NOT NULL,
  their_no      VARCHAR(64)   NOT NULL,
  po_id         BIGINT        NOT NULL,
  po_no         VARCHAR(40)   NOT NULL,
  branch_id     BIGINT        NOT NULL DEFAULT 0,
  warehouse_id  BIGINT        NOT NULL DEFAULT 0,
  inv_date      DATE          NOT NULL,
  due_date      DATE          NOT NULL,
  status        VARCHAR(10)   NOT NULL,
  net           BIGINT        NOT NULL,
  tax           BIGINT        NOT NULL,
  gross         BIGINT        NOT NULL,
  estimate      BIGINT        NOT NULL DEFAULT 0,
  settled       BIGINT        NOT NULL DEFAULT 0,
  differences   VARCHAR(2000) NOT NULL DEFAULT '',
  created_by    BIGINT        NOT NULL DEFAULT 0,
  released_by   BIGINT        NOT NULL DEFAULT 0,
  created_at    DATETIME(6)   NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_purchase_invoices_no (doc_no),
  UNIQUE KEY uk_purchase_invoices_their (supplier_id, their_no),
  KEY ix_purchase_invoices_po (po_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Its lines with what the purchase order and our receipts said.
CREATE TABLE purchase_invoice_lines (
  invoice_id    BIGINT NOT NULL,
  line_no       INT    NOT NULL,
  item_id       BIGINT NOT NULL,
  quantity      BIGINT NOT NULL,
  unit_price    BIGINT NOT NULL,
  tax_rate_bp   INT    NOT NULL,
  net           BIGINT NOT NULL,
  tax           BIGINT NOT NULL,
  gross         BIGINT NOT NULL,
  ordered_qty   BIGINT NOT NULL DEFAULT 0,
  open_qty      BIGINT NOT NULL DEFAULT 0,
  po_price      BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (invoice_id, line_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Customer receipts (party_type customer) and supplier payments (supplier). amount is the
-- money received or paid; discount the cash discount granted with it; allocated what of
-- amount settles invoices; amount − allocated is a prepayment, allocatable later.
CREATE TABLE payments (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  doc_no       VARCHAR(40)  NOT NULL,
  party_type   VARCHAR(8)   NOT NULL,
  party_id     BIGINT       NOT NULL,
  pay_date     DATE         NOT NULL,
  method       VARCHAR(16)  NOT NULL,
  reference    VARCHAR(64)  NOT NULL DEFAULT '',
  amount       BIGINT       NOT NULL,
  discount     BIGINT       NOT NULL DEFAULT 0,
  allocated    BIGINT       NOT NULL DEFAULT 0,
  created_by   BIGINT       NOT NULL DEFAULT 0,
  created_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_payments_no (doc_no),
  KEY ix_payments_party (party_type, party_id, pay_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What settled an invoice, dated, so that aging as of a past date is exact: a payment's
-- allocation (核销, with its cash discount) or a red invoice's correction (source_type
-- red_invoice; the red invoice gets the opposite row). invoice_type: sales or purchase.
CREATE TABLE invoice_settlements (
  id            BIGINT      NOT NULL AUTO_INCREMENT,
  invoice_type  VARCHAR(8)  NOT NULL,
  invoice_id    BIGINT      NOT NULL,
  source_type   VARCHAR(12) NOT NULL,
  source_id     BIGINT      NOT NULL,
  amount        BIGINT      NOT NULL,
  discount      BIGINT      NOT NULL DEFAULT 0,
  settle_date   DATE        NOT NULL,
  created_at    DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_invoice_settlements_invoice (invoice_type, invoice_id, settle_date),
  KEY ix_invoice_settlements_source (source_type, source_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE invoice_settlements;
DROP TABLE payments;
DROP TABLE purchase_invoice_lines;
DROP TABLE purchase_invoices;
DROP TABLE sales_invoice_lines;
DROP TABLE sales_invoices;
