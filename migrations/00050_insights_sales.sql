-- +goose Up
-- Sales facts of insights, built from outbox events (orders.order.changed,
-- warehouse.document.posted) and rebuilt from the source tables.
--
-- insights_sources has one row per source (an order or a stock document): folding a source
-- in locks its row first, so concurrent redeliveries of one source serialise.
CREATE TABLE insights_sources (
  source     VARCHAR(8)  NOT NULL,
  source_id  BIGINT      NOT NULL,
  line_count INT         NOT NULL DEFAULT 0,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (source, source_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per source line: a source's contribution, replaced as a whole when the source
-- changes, so that a replayed or late event corrects the facts exactly once.
-- source 'order': an online order line (sold and returned quantities and amounts);
-- source 'stock': a stock document line (shipped quantity and cost; sold quantity and
-- amount too for supermarket deliveries, channel 'retailer').
CREATE TABLE insights_sales_lines (
  source          VARCHAR(8)  NOT NULL,
  source_id       BIGINT      NOT NULL,
  line_no         INT         NOT NULL,
  day             DATE        NOT NULL,
  channel         VARCHAR(16) NOT NULL,
  shop_id         BIGINT      NOT NULL DEFAULT 0,
  customer_id     BIGINT      NOT NULL DEFAULT 0,
  outlet_id       BIGINT      NOT NULL DEFAULT 0,
  branch_id       BIGINT      NOT NULL DEFAULT 0,
  warehouse_id    BIGINT      NOT NULL DEFAULT 0,
  item_id         BIGINT      NOT NULL,
  sold_qty        BIGINT      NOT NULL DEFAULT 0,
  sold_amount     BIGINT      NOT NULL DEFAULT 0,
  returned_qty    BIGINT      NOT NULL DEFAULT 0,
  returned_amount BIGINT      NOT NULL DEFAULT 0,
  shipped_qty     BIGINT      NOT NULL DEFAULT 0,
  cost            BIGINT      NOT NULL DEFAULT 0,
  PRIMARY KEY (source, source_id, line_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Daily sums of the lines per cell (day x item x channel x shop x customer x outlet x
-- branch x warehouse), kept by adding each source's change (new minus old contribution).
CREATE TABLE insights_daily_sales (
  day             DATE        NOT NULL,
  item_id         BIGINT      NOT NULL,
  channel         VARCHAR(16) NOT NULL,
  shop_id         BIGINT      NOT NULL,
  customer_id     BIGINT      NOT NULL,
  outlet_id       BIGINT      NOT NULL,
  branch_id       BIGINT      NOT NULL,
  warehouse_id    BIGINT      NOT NULL,
  sold_qty        BIGINT      NOT NULL DEFAULT 0,
  sold_amount     BIGINT      NOT NULL DEFAULT 0,
  returned_qty    BIGINT      NOT NULL DEFAULT 0,
  returned_amount BIGINT      NOT NULL DEFAULT 0,
  shipped_qty     BIGINT      NOT NULL DEFAULT 0,
  cost            BIGINT      NOT NULL DEFAULT 0,
  PRIMARY KEY (day, item_id, channel, shop_id, customer_id, outlet_id, branch_id, warehouse_id),
  KEY ix_insights_daily_wh (warehouse_id, item_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE insights_daily_sales;
DROP TABLE insights_sales_lines;
DROP TABLE insights_sources;
