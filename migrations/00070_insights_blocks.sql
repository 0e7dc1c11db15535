-- +goose Up
-- Sums of the daily sales facts over aligned blocks of days, so that a period's sums read a
-- handful of blocks instead of every day of it. A block of level l spans 4^l days (1, 4,
-- 16, 64, 256): block = DATEDIFF(day, '1970-01-01') DIV 4^l. A period of 30 days is the
-- union of about eight blocks, a year of about fifteen. Folding adds each daily cell's
-- change to its block at every level, so the blocks always equal the sums of the daily
-- facts (erpctl insights check compares them).
--
-- insights_item_blocks: per item and channel (and channel '*': every channel), for ABC.
CREATE TABLE insights_item_blocks (
  channel         VARCHAR(16) NOT NULL,
  lvl             TINYINT     NOT NULL,
  block           INT         NOT NULL,
  item_id         BIGINT      NOT NULL,
  sold_qty        BIGINT      NOT NULL DEFAULT 0,
  sold_amount     BIGINT      NOT NULL DEFAULT 0,
  returned_qty    BIGINT      NOT NULL DEFAULT 0,
  returned_amount BIGINT      NOT NULL DEFAULT 0,
  cost            BIGINT      NOT NULL DEFAULT 0,
  PRIMARY KEY (channel, lvl, block, item_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- insights_outlet_blocks: supermarket sales (channel 'retailer') per customer and outlet.
CREATE TABLE insights_outlet_blocks (
  lvl         TINYINT NOT NULL,
  block       INT     NOT NULL,
  customer_id BIGINT  NOT NULL,
  outlet_id   BIGINT  NOT NULL,
  sales       BIGINT  NOT NULL DEFAULT 0,
  returns     BIGINT  NOT NULL DEFAULT 0,
  cost        BIGINT  NOT NULL DEFAULT 0,
  PRIMARY KEY (lvl, block, customer_id, outlet_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Existing facts fill them (the rebuild does the same).
INSERT INTO insights_item_blocks (channel, lvl, block, item_id, sold_qty, sold_amount, returned_qty, returned_amount, cost)
SELECT channel, 0, DATEDIFF(day, '1970-01-01'), item_id, SUM(sold_qty), SUM(sold_amount), SUM(returned_qty),
  SUM(returned_amount), SUM(cost)
FROM insights_daily_sales GROUP BY channel, day, item_id;
INSERT INTO insights_item_blocks (channel, lvl, block, item_id, sold_qty, sold_amount, returned_qty, returned_amount, cost)
SELECT '*', 0, block, item_id, SUM(sold_qty), SUM(sold_amount), SUM(returned_qty), SUM(returned_amount), SUM(cost)
FROM insights_item_blocks WHERE lvl = 0 GROUP BY block, item_id;
INSERT INTO insights_item_blocks (channel, lvl, block, item_id, sold_qty, sold_amount, returned_qty, returned_amount, cost)
SELECT channel, 1, block DIV 4, item_id, SUM(sold_qty), SUM(sold_amount), SUM(returned_qty), SUM(returned_amount), SUM(cost)
FROM insights_item_blocks WHERE lvl = 0 AND block >= 0 GROUP BY channel, block DIV 4, item_id;
INSERT INTO insights_item_blocks (channel, lvl, block, item_id, sold_qty, sold_amount, returned_qty, returned_amount, cost)
SELECT channel, 2, block DIV 4, item_id, SUM(sold_qty), SUM(sold_amount), SUM(returned_qty), SUM(returned_amount), SUM(cost)
FROM insights_item_blocks WHERE lvl = 1 AND block >= 0 GROUP BY channel, block DIV 4, item_id;
INSERT INTO insights_item_blocks (channel, lvl, block, item_id, sold_qty, sold_amount, returned_qty, returned_amount, cost)
SELECT channel, 3, block DIV 4, item_id, SUM(sold_qty), SUM(sold_amount), SUM(returned_qty), SUM(returned_amount), SUM(cost)
FROM insights_item_blocks WHERE lvl = 2 AND block >= 0 GROUP BY channel, block DIV 4, item_id;
INSERT INTO insights_item_blocks (channel, lvl, block, item_id, sold_qty, sold_amount, returned_qty, returned_amount, cost)
SELECT channel, 4, block DIV 4, item_id, SUM(sold_qty), SUM(sold_amount), SUM(returned_qty), SUM(returned_amount), SUM(cost)
FROM insights_item_blocks WHERE lvl = 3 AND block >= 0 GROUP BY channel, block DIV 4, item_id;

INSERT INTO insights_outlet_blocks (lvl, block, customer_id, outlet_id, sales, returns, cost)
SELECT 0, DATEDIFF(day, '1970-01-01'), customer_id, outlet_id, SUM(sold_amount), SUM(returned_amount), SUM(cost)
FROM insights_daily_sales WHERE channel = 'retailer' GROUP BY day, customer_id, outlet_id;
INSERT INTO insights_outlet_blocks (lvl, block, customer_id, outlet_id, sales, returns, cost)
SELECT 1, block DIV 4, customer_id, outlet_id, SUM(sales), SUM(returns), SUM(cost)
FROM insights_outlet_blocks WHERE lvl = 0 AND block >= 0 GROUP BY block DIV 4, customer_id, outlet_id;
INSERT INTO insights_outlet_blocks (lvl, block, customer_id, outlet_id, sales, returns, cost)
SELECT 2, block DIV 4, customer_id, outlet_id, SUM(sales), SUM(returns), SUM(cost)
FROM insights_outlet_blocks WHERE lvl = 1 AND block >= 0 GROUP BY block DIV 4, customer_id, outlet_id;
INSERT INTO insights_outlet_blocks (lvl, block, customer_id, outlet_id, sales, returns, cost)
SELECT 3, block DIV 4, customer_id, outlet_id, SUM(sales), SUM(returns), SUM(cost)
FROM insights_outlet_blocks WHERE lvl = 2 AND block >= 0 GROUP BY block DIV 4, customer_id, outlet_id;
INSERT INTO insights_outlet_blocks (lvl, block, customer_id, outlet_id, sales, returns, cost)
SELECT 4, block DIV 4, customer_id, outlet_id, SUM(sales), SUM(returns), SUM(cost)
FROM insights_outlet_blocks WHERE lvl = 3 AND block >= 0 GROUP BY block DIV 4, customer_id, outlet_id;

-- +goose Down
DROP TABLE insights_outlet_blocks;
DROP TABLE insights_item_blocks;
