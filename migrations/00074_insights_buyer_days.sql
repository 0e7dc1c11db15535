-- +goose Up
-- The days on which a buyer has had an order (day, buyer): every current (day, buyer) of
-- insights_orders and those an order has left (a payment moved to another day, a buyer key
-- changed); never removed but by a rebuild. A replica that keeps a period's buyer sums
-- reads here which buyers the days changed since then concern, and reads only theirs
-- again.
CREATE TABLE insights_buyer_days (
  day      DATE   NOT NULL,
  buyer_id BIGINT NOT NULL,
  PRIMARY KEY (day, buyer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO insights_buyer_days (day, buyer_id) SELECT DISTINCT day, buyer_id FROM insights_orders WHERE buyer_id <> 0;

-- +goose Down
DROP TABLE insights_buyer_days;
