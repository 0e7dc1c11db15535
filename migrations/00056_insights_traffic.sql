-- +goose Up
-- Daily traffic of a shop as the platform's back office reports it (imported as CSV):
-- visitors and buyers who added to cart, for conversion rates in the channel figures.
CREATE TABLE insights_traffic (
  shop_id     BIGINT      NOT NULL,
  day         DATE        NOT NULL,
  visitors    BIGINT      NOT NULL,
  add_to_cart BIGINT      NOT NULL,
  updated_at  DATETIME(6) NOT NULL,
  PRIMARY KEY (shop_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE insights_traffic;
