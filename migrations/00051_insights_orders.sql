-- +goose Up
-- Per-order facts of online orders for channel and buyer metrics. buyer_key is the
-- platform and the SHA-256 of the normalised phone (or of the platform's buyer id): the
-- phone is never stored here in clear. counted = 1 when the order is paid and not
-- cancelled.
CREATE TABLE insights_orders (
  order_id        BIGINT      NOT NULL,
  shop_id         BIGINT      NOT NULL,
  channel         VARCHAR(16) NOT NULL,
  day             DATE        NOT NULL,
  status          VARCHAR(24) NOT NULL,
  counted         TINYINT(1)  NOT NULL,
  buyer_key       VARCHAR(96) NOT NULL DEFAULT '',
  goods           BIGINT      NOT NULL DEFAULT 0,
  paid            BIGINT      NOT NULL DEFAULT 0,
  fees            BIGINT      NOT NULL DEFAULT 0,
  refunded        BIGINT      NOT NULL DEFAULT 0,
  refunded_lines  INT         NOT NULL DEFAULT 0,
  PRIMARY KEY (order_id),
  KEY ix_insights_orders_day (day, shop_id),
  KEY ix_insights_orders_buyer (buyer_key, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE insights_orders;
