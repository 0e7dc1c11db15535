-- +goose Up
-- Lead times per supplier or per item (supplier_id 0); an item's setting wins.
CREATE TABLE insights_lead_times (
  supplier_id BIGINT      NOT NULL,
  item_id     BIGINT      NOT NULL,
  days        INT         NOT NULL,
  updated_at  DATETIME(6) NOT NULL,
  PRIMARY KEY (supplier_id, item_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The daily job's suggestions: drafts until a person confirms them. A run replaces the
-- drafts of its day; confirmed ones stay.
CREATE TABLE insights_suggestions (
  id                BIGINT      NOT NULL AUTO_INCREMENT,
  run_date          DATE        NOT NULL,
  kind              VARCHAR(8)  NOT NULL,
  supplier_id       BIGINT      NOT NULL DEFAULT 0,
  warehouse_id      BIGINT      NOT NULL,
  from_warehouse_id BIGINT      NOT NULL DEFAULT 0,
  item_id           BIGINT      NOT NULL,
  lot               VARCHAR(20) NOT NULL DEFAULT '',
  quantity          BIGINT      NOT NULL,
  status            VARCHAR(10) NOT NULL,
  confirmed_by      VARCHAR(64) NOT NULL DEFAULT '',
  created_at        DATETIME(6) NOT NULL,
  updated_at        DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_insights_suggestions (run_date, kind, warehouse_id, from_warehouse_id, item_id, lot),
  KEY ix_insights_suggestions_status (status, run_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE insights_suggestions;
DROP TABLE insights_lead_times;
