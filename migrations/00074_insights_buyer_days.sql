-- +goose Up
-- The days on which a buyer has had an order (day, buyer): every current (day, buyer) of
-- insights_orders and those an order has left (a payment moved to another day, a buyer key
-- changed); never removed but by a rebuild. seq is the day's change counter
-- (insights_day_changes) after the last fold that changed the buyer's figures of that day
-- (0: before the last rebuild). A replica that keeps a period's buyer sums at some
-- counters reads here the buyers changed since (seq above them), and reads only theirs
-- again.
CREATE TABLE insights_buyer_days (
  day      DATE   NOT NULL,
  buyer_id BIGINT NOT NULL,
  seq      BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (day, buyer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO insights_buyer_days (day, buyer_id) SELECT DISTINCT day, buyer_id FROM insights_orders WHERE buyer_id <> 0;

-- +goose Down
DROP TABLE insights_buyer_days;
