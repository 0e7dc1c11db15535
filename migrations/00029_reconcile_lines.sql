-- +goose Up
-- Our side of every trading account, one row per document line with a party, built from
-- posted warehouse documents (deliveries to customers, receipts from suppliers) and from
-- returns recorded here. Reconciliation matches the counterpart's statement against these
-- rows; invoicing draws on them. party_type: customer or supplier; kind: delivery, return
-- (customer), receipt (supplier), adjust (a difference accepted on a confirmed statement:
-- amount signed, unit_price 0). quantity is positive milli-units; unit_price is fen per
-- unit including VAT; amount = quantity × unit_price / 1000 rounded half away from zero.
CREATE TABLE trade_lines (
  id            BIGINT       NOT NULL AUTO_INCREMENT,
  party_type    VARCHAR(8)   NOT NULL,
  party_id      BIGINT       NOT NULL,
  kind          VARCHAR(8)   NOT NULL,
  source_id     BIGINT       NOT NULL,
  line_no       INT          NOT NULL,
  doc_no        VARCHAR(40)  NOT NULL,
  their_doc_no  VARCHAR(64)  NOT NULL DEFAULT '',
  po_no         VARCHAR(64)  NOT NULL DEFAULT '',
  branch_id     BIGINT       NOT NULL DEFAULT 0,
  warehouse_id  BIGINT       NOT NULL DEFAULT 0,
  outlet_id     BIGINT       NOT NULL DEFAULT 0,
  outlet_code   VARCHAR(32)  NOT NULL DEFAULT '',
  doc_date      DATE         NOT NULL,
  item_id       BIGINT       NOT NULL,
  lot           VARCHAR(64)  NOT NULL DEFAULT '',
  quantity      BIGINT       NOT NULL,
  unit_price    BIGINT       NOT NULL,
  amount        BIGINT       NOT NULL,
  vat_rate_bp   INT          NOT NULL DEFAULT 0,
  invoiced_qty  BIGINT       NOT NULL DEFAULT 0,
  reason        VARCHAR(255) NOT NULL DEFAULT '',
  created_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_trade_lines_source (kind, source_id, line_no),
  KEY ix_trade_lines_party (party_type, party_id, doc_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Customer returns recorded by us (the return note the retailer hands over); their lines
-- are trade_lines of kind return.
CREATE TABLE customer_returns (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  doc_no       VARCHAR(40)  NOT NULL,
  customer_id  BIGINT       NOT NULL,
  outlet_id    BIGINT       NOT NULL DEFAULT 0,
  their_doc_no VARCHAR(64)  NOT NULL DEFAULT '',
  delivery_no  VARCHAR(40)  NOT NULL DEFAULT '',
  doc_date     DATE         NOT NULL,
  reason       VARCHAR(255) NOT NULL DEFAULT '',
  created_by   BIGINT       NOT NULL DEFAULT 0,
  created_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_customer_returns_no (doc_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- How a counterpart's statement file is laid out: columns maps canonical field names to
-- the file's header texts, record_types maps the file's record type values to RECEIPT,
-- RETURN, PRICE_ADJUSTMENT, FEE or SUMMARY (JSON objects).
CREATE TABLE import_profiles (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  name         VARCHAR(64)  NOT NULL,
  format       VARCHAR(8)   NOT NULL,
  columns      TEXT         NOT NULL,
  record_types TEXT         NOT NULL,
  date_format  VARCHAR(32)  NOT NULL DEFAULT '',
  sheet        VARCHAR(64)  NOT NULL DEFAULT '',
  header_row   INT          NOT NULL DEFAULT 1,
  created_by   BIGINT       NOT NULL DEFAULT 0,
  created_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_import_profiles_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A counterpart's statement as imported, with the file (gzip) and its SHA-256: the same
-- file imported again for the same party finds this row and changes nothing. party_type:
-- customer, supplier, or shop (a platform's settlement bill of one of our shops).
CREATE TABLE counterpart_statements (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  party_type      VARCHAR(8)   NOT NULL,
  party_id        BIGINT       NOT NULL,
  profile_id      BIGINT       NOT NULL,
  file_name       VARCHAR(255) NOT NULL,
  file_hash       CHAR(64)     NOT NULL,
  file_gz         LONGBLOB     NOT NULL,
  statement_no    VARCHAR(64)  NOT NULL DEFAULT '',
  period_from     DATE         NULL,
  period_to       DATE         NULL,
  status          VARCHAR(12)  NOT NULL,
  line_count      INT          NOT NULL,
  receipts        BIGINT       NOT NULL DEFAULT 0,
  returns_amount  BIGINT       NOT NULL DEFAULT 0,
  adjustments     BIGINT       NOT NULL DEFAULT 0,
  fees            BIGINT       NOT NULL DEFAULT 0,
  net             BIGINT       NOT NULL DEFAULT 0,
  summary_total   BIGINT       NULL,
  totals_flag     VARCHAR(255) NOT NULL DEFAULT '',
  our_total       BIGINT       NOT NULL DEFAULT 0,
  net_due         BIGINT       NULL,
  confirmed_by    BIGINT       NOT NULL DEFAULT 0,
  confirmed_at    DATETIME(6)  NULL,
  created_by      BIGINT       NOT NULL DEFAULT 0,
  created_at      DATETIME(6)  NOT NULL,
  updated_at      DATETIME(6)  NOT NULL,
  version         INT          NOT NULL DEFAULT 1,
  PRIMARY KEY (id),
  UNIQUE KEY uk_counterpart_statements_file (party_type, party_id, file_hash),
  KEY ix_counterpart_statements_party (party_type, party_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The statement's lines with what matching made of them. Money in fen, quantities in
-- milli-units, tax rates in basis points; NULL where the file left the field empty.
CREATE TABLE counterpart_lines (
  statement_id        BIGINT       NOT NULL,
  row_no              INT          NOT NULL,
  record_type         VARCHAR(16)  NOT NULL,
  statement_number    VARCHAR(64)  NOT NULL DEFAULT '',
  document_number     VARCHAR(64)  NOT NULL DEFAULT '',
  document_date       DATE         NULL,
  po_number           VARCHAR(64)  NOT NULL DEFAULT '',
  delivery_number     VARCHAR(64)  NOT NULL DEFAULT '',
  outlet_code         VARCHAR(32)  NOT NULL DEFAULT '',
  item_code           VARCHAR(64)  NOT NULL DEFAULT '',
  gtin                VARCHAR(14)  NOT NULL DEFAULT '',
  supplier_item_code  VARCHAR(64)  NOT NULL DEFAULT '',
  item_id             BIGINT       NOT NULL DEFAULT 0,
  ordered_qty         BIGINT       NULL,
  received_qty        BIGINT       NULL,
  unit_price          BIGINT       NULL,
  tax_rate_bp         INT          NULL,
  amount              BIGINT       NOT NULL DEFAULT 0,
  amount_excl_tax     BIGINT       NULL,
  tax_amount          BIGINT       NULL,
  lot                 VARCHAR(64)  NOT NULL DEFAULT '',
  fee_type            VARCHAR(64)  NOT NULL DEFAULT '',
  fee_basis           VARCHAR(64)  NOT NULL DEFAULT '',
  remark              VARCHAR(255) NOT NULL DEFAULT '',
  match_state         VARCHAR(24)  NOT NULL DEFAULT '',
  trade_line_id       BIGINT       NOT NULL DEFAULT 0,
  quantity_difference BIGINT       NOT NULL DEFAULT 0,
  amount_difference   BIGINT       NOT NULL DEFAULT 0,
  fee_category        VARCHAR(16)  NOT NULL DEFAULT '',
  needs_review        TINYINT(1)   NOT NULL DEFAULT 0,
  review_reasons      VARCHAR(500) NOT NULL DEFAULT '',
  resolution          VARCHAR(12)  NOT NULL DEFAULT '',
  resolution_note     VARCHAR(500) NOT NULL DEFAULT '',
  resolved_by         BIGINT       NOT NULL DEFAULT 0,
  PRIMARY KEY (statement_id, row_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Our lines of the statement's period that are not on it (ONLY_OURS): trade lines
-- (kind delivery, return, receipt) or, for a platform's settlement bill, orders (kind
-- order), with the number, date and amount shown.
CREATE TABLE statement_only_ours (
  statement_id BIGINT      NOT NULL,
  kind         VARCHAR(8)  NOT NULL,
  our_id       BIGINT      NOT NULL,
  doc_no       VARCHAR(64) NOT NULL,
  doc_date     DATE        NOT NULL,
  amount       BIGINT      NOT NULL,
  PRIMARY KEY (statement_id, kind, our_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A customer's own item codes for our items.
CREATE TABLE party_item_codes (
  party_type VARCHAR(8)  NOT NULL,
  party_id   BIGINT      NOT NULL,
  their_code VARCHAR(64) NOT NULL,
  item_id    BIGINT      NOT NULL,
  PRIMARY KEY (party_type, party_id, their_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per counterpart: tolerances of matching, the date window, the fee categories its
-- contract provides for (comma-separated), the write-off threshold, whether it invoices
-- its fees as services (6 % VAT special invoices, deductible input VAT), and the VAT rate
-- of its rebates (red invoices against our sales).
CREATE TABLE reconcile_settings (
  party_type          VARCHAR(8)   NOT NULL,
  party_id            BIGINT       NOT NULL,
  quantity_tolerance  BIGINT       NOT NULL DEFAULT 0,
  price_tolerance     BIGINT       NOT NULL DEFAULT 0,
  date_window_days    INT          NOT NULL DEFAULT 7,
  contract_fees       VARCHAR(255) NOT NULL DEFAULT '',
  write_off_limit     BIGINT       NOT NULL DEFAULT 0,
  fees_invoiced       TINYINT(1)   NOT NULL DEFAULT 0,
  rebate_vat_bp       INT          NOT NULL DEFAULT 1300,
  version             INT          NOT NULL DEFAULT 1,
  updated_at          DATETIME(6)  NOT NULL,
  PRIMARY KEY (party_type, party_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- How fee type texts are classified: the first rule (lowest position) whose pattern occurs
-- in the fee type (case-insensitive) gives the category.
CREATE TABLE fee_rules (
  id         BIGINT      NOT NULL AUTO_INCREMENT,
  position   INT         NOT NULL,
  pattern    VARCHAR(64) NOT NULL,
  category   VARCHAR(16) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_fee_rules_pattern (pattern)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Default classification of the fee names Chinese retailers use. Categories: PROMOTION
-- (DM, posters, promotions), DISPLAY (end caps, stacks, displays), LISTING (entry, new
-- item, slotting), BARCODE, LOGISTICS (distribution, warehousing), REBATE, SHORTAGE,
-- PENALTY, COMMISSION (a platform's or retailer's percentage of sales), OTHER.
INSERT INTO fee_rules (position, pattern, category, created_at) VALUES
(10, '条码', 'BARCODE', NOW(6)), (11, 'barcode', 'BARCODE', NOW(6)),
(20, '物流', 'LOGISTICS', NOW(6)), (21, '配送', 'LOGISTICS', NOW(6)), (22, '仓储', 'LOGISTICS', NOW(6)),
(23, 'logistic', 'LOGISTICS', NOW(6)),
(30, 'DM', 'PROMOTION', NOW(6)), (31, '海报', 'PROMOTION', NOW(6)), (32, '促销', 'PROMOTION', NOW(6)),
(33, '快讯', 'PROMOTION', NOW(6)), (34, 'promotion', 'PROMOTION', NOW(6)),
(40, '端架', 'DISPLAY', NOW(6)), (41, '堆头', 'DISPLAY', NOW(6)), (42, '陈列', 'DISPLAY', NOW(6)),
(43, 'display', 'DISPLAY', NOW(6)),
(50, '进场', 'LISTING', NOW(6)), (51, '新品', 'LISTING', NOW(6)), (52, '上架', 'LISTING', NOW(6)),
(53, '开店', 'LISTING', NOW(6)), (54, 'listing', 'LISTING', NOW(6)),
(60, '返利', 'REBATE', NOW(6)), (61, '返点', 'REBATE', NOW(6)), (62, '折扣', 'REBATE', NOW(6)),
(63, 'rebate', 'REBATE', NOW(6)),
(70, '短少', 'SHORTAGE', NOW(6)), (71, '短缺', 'SHORTAGE', NOW(6)), (72, '损耗', 'SHORTAGE', NOW(6)),
(73, '缺货', 'SHORTAGE', NOW(6)), (74, 'shortage', 'SHORTAGE', NOW(6)),
(80, '罚款', 'PENALTY', NOW(6)), (81, '违约', 'PENALTY', NOW(6)), (82, 'penalty', 'PENALTY', NOW(6)),
(5, '佣金', 'COMMISSION', NOW(6)), (6, 'commission', 'COMMISSION', NOW(6)), (7, '技术服务费', 'COMMISSION', NOW(6)),
(8, '扣点', 'COMMISSION', NOW(6));

-- +goose Down
DROP TABLE fee_rules;
DROP TABLE reconcile_settings;
DROP TABLE party_item_codes;
DROP TABLE statement_only_ours;
DROP TABLE counterpart_lines;
DROP TABLE import_profiles;
DROP TABLE counterpart_statements;
DROP TABLE customer_returns;
DROP TABLE trade_lines;
