-- +goose Up
-- Purchase orders to receive against. Per line: "scanned" is held by open receiving
-- sessions, "received" is posted.
CREATE TABLE purchase_orders (
  id            BIGINT       NOT NULL AUTO_INCREMENT,
  doc_no        VARCHAR(32)  NOT NULL,
  branch_id     BIGINT       NOT NULL,
  supplier_id   BIGINT       NOT NULL,
  warehouse_id  BIGINT       NOT NULL,
  status        VARCHAR(24)  NOT NULL,
  expected_date DATE         NULL,
  remark        VARCHAR(255) NOT NULL DEFAULT '',
  created_by    BIGINT       NOT NULL DEFAULT 0,
  version       INT          NOT NULL DEFAULT 1,
  created_at    DATETIME(6)  NOT NULL,
  updated_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_purchase_orders_no (doc_no),
  KEY ix_purchase_orders_wh (warehouse_id, status, id),
  KEY ix_purchase_orders_supplier (supplier_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE purchase_order_lines (
  id                BIGINT NOT NULL AUTO_INCREMENT,
  purchase_order_id BIGINT NOT NULL,
  line_no           INT    NOT NULL,
  item_id           BIGINT NOT NULL,
  quantity          BIGINT NOT NULL,
  scanned           BIGINT NOT NULL DEFAULT 0,
  received          BIGINT NOT NULL DEFAULT 0,
  unit_cost         BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY uk_purchase_order_lines (purchase_order_id, line_no),
  KEY ix_purchase_order_lines_item (item_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Delivery orders to ship against (direct, or created by the order hub). Per line:
-- "picked" is held by open shipping sessions, "shipped" is posted; "reserved" lines had
-- their stock reserved when the order was allocated.
CREATE TABLE delivery_orders (
  id                 BIGINT       NOT NULL AUTO_INCREMENT,
  doc_no             VARCHAR(32)  NOT NULL,
  branch_id          BIGINT       NOT NULL,
  warehouse_id       BIGINT       NOT NULL,
  customer_id        BIGINT       NOT NULL,
  outlet_id          BIGINT       NOT NULL DEFAULT 0,
  retailer_po_no     VARCHAR(64)  NOT NULL DEFAULT '',
  source             VARCHAR(64)  NOT NULL DEFAULT '',
  status             VARCHAR(24)  NOT NULL,
  requested_date     DATE         NULL,
  remark             VARCHAR(255) NOT NULL DEFAULT '',
  created_by         BIGINT       NOT NULL DEFAULT 0,
  version            INT          NOT NULL DEFAULT 1,
  created_at         DATETIME(6)  NOT NULL,
  updated_at         DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_delivery_orders_no (doc_no),
  KEY ix_delivery_orders_wh (warehouse_id, status, id),
  KEY ix_delivery_orders_customer (customer_id, id),
  KEY ix_delivery_orders_source (source)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE delivery_order_lines (
  id                BIGINT     NOT NULL AUTO_INCREMENT,
  delivery_order_id BIGINT     NOT NULL,
  line_no           INT        NOT NULL,
  item_id           BIGINT     NOT NULL,
  quantity          BIGINT     NOT NULL,
  picked            BIGINT     NOT NULL DEFAULT 0,
  shipped           BIGINT     NOT NULL DEFAULT 0,
  reserved          TINYINT(1) NOT NULL DEFAULT 0,
  unit_price        BIGINT     NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY uk_delivery_order_lines (delivery_order_id, line_no),
  KEY ix_delivery_order_lines_item (item_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE delivery_order_lines;
DROP TABLE delivery_orders;
DROP TABLE purchase_order_lines;
DROP TABLE purchase_orders;
