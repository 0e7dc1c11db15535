-- +goose Up
-- Channel figures per day and shop: the sums of the counted (paid, not cancelled) order
-- facts and the cost of goods shipped for the shop. Folding adds each order's and each
-- delivery's change; a month of a shop is thirty rows. Buyers are not here: distinct buyers
-- of a period are not a sum of days (they are counted from insights_orders).
CREATE TABLE insights_shop_days (
  day             DATE        NOT NULL,
  shop_id         BIGINT      NOT NULL,
  channel         VARCHAR(16) NOT NULL,
  orders          BIGINT      NOT NULL DEFAULT 0,
  gmv             BIGINT      NOT NULL DEFAULT 0,
  paid            BIGINT      NOT NULL DEFAULT 0,
  refunded_orders BIGINT      NOT NULL DEFAULT 0,
  refunded        BIGINT      NOT NULL DEFAULT 0,
  fees            BIGINT      NOT NULL DEFAULT 0,
  cost            BIGINT      NOT NULL DEFAULT 0,
  PRIMARY KEY (day, shop_id, channel)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Existing facts fill it (the rebuild does the same).
INSERT INTO insights_shop_days (day, shop_id, channel, orders, gmv, paid, refunded_orders, refunded, fees)
SELECT day, shop_id, channel, COUNT(*), SUM(goods), SUM(paid), SUM(refunded_lines > 0), SUM(refunded), SUM(fees)
FROM insights_orders WHERE counted = 1 GROUP BY day, shop_id, channel;
INSERT INTO insights_shop_days (day, shop_id, channel, cost)
SELECT day, shop_id, channel, SUM(cost) FROM insights_daily_sales WHERE shop_id <> 0 GROUP BY day, shop_id, channel
ON DUPLICATE KEY UPDATE cost = VALUES(cost);

-- +goose Down
DROP TABLE insights_shop_days;
