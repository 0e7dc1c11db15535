-- +goose Up
-- Voucher templates: what a posted business document of a type books, per branch (0: all
-- branches). Saving a template adds a version; generation uses the newest active version
-- of the document's branch, else of branch 0. entries holds the lines as JSON (see services/finance
-- template.go). mode: realtime (a voucher per document as it posts) or daily (one voucher
-- per day, type and branch, made by the voucher-batch job).
CREATE TABLE voucher_templates (
  id         BIGINT       NOT NULL AUTO_INCREMENT,
  doc_type   VARCHAR(24)  NOT NULL,
  branch_id  BIGINT       NOT NULL DEFAULT 0,
  version    INT          NOT NULL,
  mode       VARCHAR(8)   NOT NULL DEFAULT 'realtime',
  word       VARCHAR(8)   NOT NULL DEFAULT '',
  summary    VARCHAR(255) NOT NULL DEFAULT '',
  entries    TEXT         NOT NULL,
  created_by BIGINT       NOT NULL DEFAULT 0,
  created_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_voucher_templates (doc_type, branch_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Business documents finance has received (from outbox events), once each: pending (to
-- generate), daily (waits for the day's batch), done, exception (reason says why; saving
-- the template sends them back to pending).
CREATE TABLE finance_documents (
  id               BIGINT        NOT NULL AUTO_INCREMENT,
  source_type      VARCHAR(24)   NOT NULL,
  source_id        BIGINT        NOT NULL,
  source_number    VARCHAR(40)   NOT NULL DEFAULT '',
  branch_id        BIGINT        NOT NULL DEFAULT 0,
  doc_date         DATE          NOT NULL,
  payload          MEDIUMTEXT    NOT NULL,
  state            VARCHAR(10)   NOT NULL,
  reason           VARCHAR(1000) NOT NULL DEFAULT '',
  voucher_id       BIGINT        NOT NULL DEFAULT 0,
  template_version INT           NOT NULL DEFAULT 0,
  received_at      DATETIME(6)   NOT NULL,
  processed_at     DATETIME(6)   NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_finance_documents (source_type, source_id),
  KEY ix_finance_documents_state (state, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- At most one voucher per source document and template version (a daily voucher has many
-- sources).
CREATE TABLE voucher_sources (
  source_type      VARCHAR(24) NOT NULL,
  source_id        BIGINT      NOT NULL,
  template_version INT         NOT NULL,
  voucher_id       BIGINT      NOT NULL,
  PRIMARY KEY (source_type, source_id, template_version),
  KEY ix_voucher_sources_voucher (voucher_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- How an item is costed: moving (the warehouse's moving average, default) or
-- monthly (全月一次加权平均, revalued by the period-end cost run).
CREATE TABLE item_costing (
  item_id    BIGINT      NOT NULL,
  method     VARCHAR(8)  NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (item_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Fixed assets (固定资产). method: straight_line, units_of_production,
-- double_declining, sum_of_years. salvage_rate_bp: basis points of the original value.
CREATE TABLE asset_categories (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  code            VARCHAR(20)  NOT NULL,
  name            VARCHAR(100) NOT NULL,
  life_months     INT          NOT NULL,
  salvage_rate_bp INT          NOT NULL,
  method          VARCHAR(20)  NOT NULL,
  created_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_asset_categories_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE assets (
  id               BIGINT       NOT NULL AUTO_INCREMENT,
  code             VARCHAR(32)  NOT NULL,
  name             VARCHAR(100) NOT NULL,
  category_id      BIGINT       NOT NULL,
  branch_id        BIGINT       NOT NULL,
  original_value   BIGINT       NOT NULL,
  start_date       DATE         NOT NULL,
  expense_account  VARCHAR(20)  NOT NULL,
  total_units      BIGINT       NOT NULL DEFAULT 0,
  status           VARCHAR(10)  NOT NULL,
  depreciated      BIGINT       NOT NULL DEFAULT 0,
  impaired         BIGINT       NOT NULL DEFAULT 0,
  last_period      INT          NOT NULL DEFAULT 0,
  disposed_period  INT          NOT NULL DEFAULT 0,
  disposal_voucher BIGINT       NOT NULL DEFAULT 0,
  created_at       DATETIME(6)  NOT NULL,
  updated_at       DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_assets_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Units of production used per asset and period (units-of-production method).
CREATE TABLE asset_usage (
  asset_id BIGINT NOT NULL,
  period   INT    NOT NULL,
  units    BIGINT NOT NULL,
  PRIMARY KEY (asset_id, period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Depreciation per asset and period, written with the period's depreciation voucher.
CREATE TABLE asset_depreciation (
  asset_id   BIGINT NOT NULL,
  period     INT    NOT NULL,
  amount     BIGINT NOT NULL,
  voucher_id BIGINT NOT NULL,
  PRIMARY KEY (asset_id, period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE asset_depreciation;
DROP TABLE asset_usage;
DROP TABLE assets;
DROP TABLE asset_categories;
DROP TABLE item_costing;
DROP TABLE voucher_sources;
DROP TABLE finance_documents;
DROP TABLE voucher_templates;
