-- +goose Up
-- Where an order is in its processing: '' (to review), held (waits for people),
-- awaiting_stock (the out-of-stock queue), allocated, partially_shipped, shipped, cancelled,
-- return_expected. queued_at orders the queues: oldest first.
ALTER TABLE orders ADD COLUMN fulfil_state VARCHAR(16) NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN hold_reason VARCHAR(255) NOT NULL DEFAULT '';
-- Set when staff release a held order: it is not reviewed again.
ALTER TABLE orders ADD COLUMN released TINYINT(1) NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN queued_at DATETIME(6) NULL;
CREATE INDEX ix_orders_fulfil ON orders (fulfil_state, queued_at, id);

-- Per-shop processing policy.
CREATE TABLE shop_policies (
  shop_id             BIGINT        NOT NULL,
  hold_remarks        TINYINT(1)    NOT NULL DEFAULT 1,
  hold_amount_above   BIGINT        NOT NULL DEFAULT 0,
  delivery_provinces  VARCHAR(2000) NOT NULL DEFAULT '',
  merge_orders        TINYINT(1)    NOT NULL DEFAULT 1,
  split_by_warehouse  TINYINT(1)    NOT NULL DEFAULT 1,
  warehouses          VARCHAR(512)  NOT NULL DEFAULT '',
  stock_warehouses    VARCHAR(512)  NOT NULL DEFAULT '',
  stock_share_percent INT           NOT NULL DEFAULT 100,
  safety_stock        BIGINT        NOT NULL DEFAULT 0,
  updated_at          DATETIME(6)   NOT NULL,
  PRIMARY KEY (shop_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A fulfilment is what ships together from one warehouse: one delivery order, one or
-- more orders (merged), and for an order possibly several fulfilments (split).
-- Its id is its delivery order's id.
CREATE TABLE fulfilments (
  id                BIGINT       NOT NULL,
  shop_id           BIGINT       NOT NULL,
  warehouse_id      BIGINT       NOT NULL,
  -- hash of buyer and address when the shop merges orders ('' otherwise)
  merge_key         VARCHAR(32)  NOT NULL DEFAULT '',
  state             VARCHAR(16)  NOT NULL,
  carrier           VARCHAR(64)  NOT NULL DEFAULT '',
  tracking          VARCHAR(512) NOT NULL DEFAULT '',
  created_at        DATETIME(6)  NOT NULL,
  shipped_at        DATETIME(6)  NULL,
  PRIMARY KEY (id),
  KEY ix_fulfilments_shop (shop_id, state, id),
  KEY ix_fulfilments_merge (merge_key, state)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE fulfilment_lines (
  fulfilment_id BIGINT NOT NULL,
  order_id      BIGINT NOT NULL,
  line_no       INT    NOT NULL,
  item_id       BIGINT NOT NULL,
  quantity      BIGINT NOT NULL,
  PRIMARY KEY (fulfilment_id, order_id, line_no),
  KEY ix_fulfilment_lines_order (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every attempt to tell a platform something (a shipment's tracking, a stock level), with
-- its outcome: visible per order and per shop SKU.
CREATE TABLE platform_pushes (
  id         BIGINT        NOT NULL AUTO_INCREMENT,
  shop_id    BIGINT        NOT NULL,
  kind       VARCHAR(16)   NOT NULL,
  order_id   BIGINT        NOT NULL DEFAULT 0,
  sku        VARCHAR(64)   NOT NULL DEFAULT '',
  detail     VARCHAR(512)  NOT NULL DEFAULT '',
  outcome    VARCHAR(16)   NOT NULL,
  error      VARCHAR(1024) NOT NULL DEFAULT '',
  at         DATETIME(6)   NOT NULL,
  PRIMARY KEY (id),
  KEY ix_platform_pushes_order (order_id, id),
  KEY ix_platform_pushes_shop (shop_id, kind, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Stock levels per shop SKU: the level last pushed, and whether a change waits to be
-- pushed. A stock change marks the row dirty (changes + 1, due after the debounce); the
-- pusher claims due rows, pushes the current level when it differs from the last one
-- pushed, and on failure backs off (attempts, due_at). Coalescing many changes into one
-- push is what makes it debounced; the row surviving a restart is what makes it durable.
CREATE TABLE shop_stock (
  shop_id         BIGINT        NOT NULL,
  sku             VARCHAR(64)   NOT NULL,
  item_id         BIGINT        NOT NULL,
  pushed_quantity BIGINT        NULL,
  pushed_at       DATETIME(6)   NULL,
  changes         BIGINT        NOT NULL DEFAULT 0,
  dirty_at        DATETIME(6)   NULL,
  due_at          DATETIME(6)   NULL,
  attempts        INT           NOT NULL DEFAULT 0,
  last_error      VARCHAR(1024) NOT NULL DEFAULT '',
  claimed_by      VARCHAR(64)   NULL,
  claimed_until   DATETIME(6)   NULL,
  PRIMARY KEY (shop_id, sku),
  KEY ix_shop_stock_due (due_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE shop_stock;
DROP TABLE platform_pushes;
DROP TABLE fulfilment_lines;
DROP TABLE fulfilments;
DROP TABLE shop_policies;
DROP INDEX ix_orders_fulfil ON orders;
ALTER TABLE orders DROP COLUMN queued_at;
ALTER TABLE orders DROP COLUMN released;
ALTER TABLE orders DROP COLUMN hold_reason;
ALTER TABLE orders DROP COLUMN fulfil_state;
