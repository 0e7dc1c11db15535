-- +goose Up
-- The canonical order stream. One row per (shop, platform order id) — the unique key that
-- makes every push, webhook and pull an upsert. shop_id 0 holds supermarket purchase
-- orders (platform_order_id "<customer id>/<PO number>"). The stored version is the newest
-- by platform update time, then content hash.
CREATE TABLE orders (
  id                  BIGINT        NOT NULL AUTO_INCREMENT,
  shop_id             BIGINT        NOT NULL,
  platform_order_id   VARCHAR(64)   NOT NULL,
  channel             VARCHAR(16)   NOT NULL,
  order_number        VARCHAR(64)   NOT NULL DEFAULT '',
  status              VARCHAR(24)   NOT NULL,
  currency            CHAR(3)       NOT NULL,
  buyer_id            VARCHAR(64)   NOT NULL DEFAULT '',
  buyer_nick          VARCHAR(128)  NOT NULL DEFAULT '',
  buyer_name          VARCHAR(128)  NOT NULL DEFAULT '',
  buyer_phone         VARCHAR(32)   NOT NULL DEFAULT '',
  buyer_phone_tail    VARCHAR(4)    NOT NULL DEFAULT '',
  buyer_email         VARCHAR(128)  NOT NULL DEFAULT '',
  ship_name           VARCHAR(128)  NOT NULL DEFAULT '',
  ship_phone          VARCHAR(32)   NOT NULL DEFAULT '',
  ship_country        VARCHAR(64)   NOT NULL DEFAULT '',
  ship_province       VARCHAR(64)   NOT NULL DEFAULT '',
  ship_city           VARCHAR(64)   NOT NULL DEFAULT '',
  ship_district       VARCHAR(64)   NOT NULL DEFAULT '',
  ship_street         VARCHAR(255)  NOT NULL DEFAULT '',
  ship_postal_code    VARCHAR(16)   NOT NULL DEFAULT '',
  goods               BIGINT        NOT NULL DEFAULT 0,
  discount            BIGINT        NOT NULL DEFAULT 0,
  shipping            BIGINT        NOT NULL DEFAULT 0,
  tax                 BIGINT        NOT NULL DEFAULT 0,
  fees                BIGINT        NOT NULL DEFAULT 0,
  paid                BIGINT        NOT NULL DEFAULT 0,
  tax_included        TINYINT(1)    NOT NULL DEFAULT 1,
  platform_created_at DATETIME(6)   NULL,
  paid_at             DATETIME(6)   NULL,
  platform_updated_at DATETIME(6)   NOT NULL,
  buyer_remark        VARCHAR(512)  NOT NULL DEFAULT '',
  seller_remark       VARCHAR(512)  NOT NULL DEFAULT '',
  customer_id         BIGINT        NOT NULL DEFAULT 0,
  outlet_id           BIGINT        NOT NULL DEFAULT 0,
  requested_date      DATE          NULL,
  exception           VARCHAR(24)   NOT NULL DEFAULT '',
  exception_detail    VARCHAR(255)  NOT NULL DEFAULT '',
  content_hash        BINARY(32)    NOT NULL,
  raw                 MEDIUMBLOB    NULL,
  version             INT           NOT NULL DEFAULT 1,
  created_at          DATETIME(6)   NOT NULL,
  updated_at          DATETIME(6)   NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_orders_shop_platform_id (shop_id, platform_order_id),
  KEY ix_orders_shop (shop_id, id),
  KEY ix_orders_status (status, id),
  KEY ix_orders_exception (exception, id),
  KEY ix_orders_phone_tail (buyer_phone_tail, id),
  KEY ix_orders_customer (customer_id, id),
  KEY ix_orders_created (platform_created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE order_lines (
  order_id         BIGINT       NOT NULL,
  line_no          INT          NOT NULL,
  platform_line_id VARCHAR(64)  NOT NULL DEFAULT '',
  sku              VARCHAR(64)  NOT NULL DEFAULT '',
  barcode          VARCHAR(64)  NOT NULL DEFAULT '',
  title            VARCHAR(255) NOT NULL DEFAULT '',
  item_id          BIGINT       NOT NULL DEFAULT 0,
  item_quantity    BIGINT       NOT NULL DEFAULT 0,
  quantity         BIGINT       NOT NULL,
  unit_price       BIGINT       NOT NULL,
  discount         BIGINT       NOT NULL DEFAULT 0,
  refund_status    VARCHAR(16)  NOT NULL DEFAULT '',
  PRIMARY KEY (order_id, line_no),
  KEY ix_order_lines_sku (sku)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The timeline: one row per stored change, in the order it happened.
CREATE TABLE order_history (
  id                   BIGINT       NOT NULL AUTO_INCREMENT,
  order_id             BIGINT       NOT NULL,
  at                   DATETIME(6)  NOT NULL,
  event                VARCHAR(24)  NOT NULL,
  from_status          VARCHAR(24)  NOT NULL DEFAULT '',
  to_status            VARCHAR(24)  NOT NULL DEFAULT '',
  platform_updated_at  DATETIME(6)  NULL,
  source               VARCHAR(16)  NOT NULL,
  detail               VARCHAR(255) NOT NULL DEFAULT '',
  request_id           VARCHAR(64)  NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY ix_order_history_order (order_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per-shop mapping of platform SKUs to items; quantity is milli-units of the item per
-- unit of the SKU.
CREATE TABLE sku_mappings (
  shop_id    BIGINT      NOT NULL,
  sku        VARCHAR(64) NOT NULL,
  item_id    BIGINT      NOT NULL,
  quantity   BIGINT      NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (shop_id, sku)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE sku_mappings;
DROP TABLE order_history;
DROP TABLE order_lines;
DROP TABLE orders;
