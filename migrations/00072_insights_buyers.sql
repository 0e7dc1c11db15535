-- +goose Up
-- Buyers as numbers, and one summary row per buyer and shop.
--
-- insights_buyers gives each buyer key (platform and SHA-256 of the phone or buyer id) a
-- number; insights_orders carries it (0: no key), so buyer figures group and count
-- 8-byte numbers instead of 70-character keys.
--
-- insights_buyer_shops sums a buyer's order facts in a shop over all time: the first and
-- last day of any order, orders, paid orders, spend (paid less refunded) and the last day
-- of a paid order (-1: none); days are numbers, DATEDIFF(day, '1970-01-01'), which compare
-- faster than dates in a scan of every buyer. Folding adds the change of the sums and
-- looks the days up again (first or last in the order facts' index by buyer, shop and
-- day). A period that covers every order of a buyer in a shop takes the row as it is; only
-- the buyers with orders on both sides of the period's edge are summed from insights_orders.
CREATE TABLE insights_buyers (
  id        BIGINT      NOT NULL AUTO_INCREMENT,
  buyer_key VARCHAR(96) NOT NULL,
  channel   VARCHAR(16) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_insights_buyers_key (buyer_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE insights_buyer_shops (
  buyer_id      BIGINT NOT NULL,
  shop_id       BIGINT NOT NULL,
  first_day     INT    NOT NULL DEFAULT 0,
  last_day      INT    NOT NULL DEFAULT 0,
  orders        BIGINT NOT NULL DEFAULT 0,
  paid_orders   BIGINT NOT NULL DEFAULT 0,
  spend         BIGINT NOT NULL DEFAULT 0,
  last_paid_day INT    NOT NULL DEFAULT -1,
  PRIMARY KEY (buyer_id, shop_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The wide indexes on the 70-character key give way to narrow ones on the number: a buyer's
-- orders by shop and day (period sums of buyers across an edge, summary recomputation), and
-- counted orders by day (distinct buyers of a period per shop and platform).
ALTER TABLE insights_orders ADD COLUMN buyer_id BIGINT NOT NULL DEFAULT 0 AFTER buyer_key,
  DROP INDEX ix_insights_orders_channels, DROP INDEX ix_insights_orders_buyers,
  DROP INDEX ix_insights_orders_buyer, DROP INDEX ix_insights_orders_day,
  ADD INDEX ix_insights_orders_buyer_days (buyer_id, shop_id, day, counted, paid, refunded),
  ADD INDEX ix_insights_orders_day_buyers (counted, day, channel, shop_id, buyer_id);

-- Existing facts fill them (the rebuild does the same).
INSERT INTO insights_buyers (buyer_key, channel)
SELECT buyer_key, MIN(channel) FROM insights_orders WHERE buyer_key <> '' GROUP BY buyer_key;
UPDATE insights_orders o JOIN insights_buyers b ON b.buyer_key = o.buyer_key SET o.buyer_id = b.id;
INSERT INTO insights_buyer_shops (buyer_id, shop_id, first_day, last_day, orders, paid_orders, spend, last_paid_day)
SELECT buyer_id, shop_id, DATEDIFF(MIN(day), '1970-01-01'), DATEDIFF(MAX(day), '1970-01-01'), COUNT(*), SUM(counted),
  SUM(IF(counted = 1, paid - refunded, 0)), COALESCE(DATEDIFF(MAX(IF(counted = 1, day, NULL)), '1970-01-01'), -1)
FROM insights_orders WHERE buyer_id <> 0 GROUP BY buyer_id, shop_id;

-- +goose Down
ALTER TABLE insights_orders DROP INDEX ix_insights_orders_day_buyers, DROP INDEX ix_insights_orders_buyer_days,
  DROP COLUMN buyer_id,
  ADD INDEX ix_insights_orders_day (day, shop_id), ADD INDEX ix_insights_orders_buyer (buyer_key, day),
  ADD INDEX ix_insights_orders_channels (day, counted, shop_id, channel, buyer_key, goods, paid, refunded, refunded_lines, fees),
  ADD INDEX ix_insights_orders_buyers (buyer_key, channel, day, counted, paid, refunded);
DROP TABLE insights_buyer_shops;
DROP TABLE insights_buyers;
