-- +goose Up
-- The item's scale codes as JSON, read with the item.
ALTER TABLE items ADD COLUMN scale_codes VARCHAR(2000) NOT NULL DEFAULT '';

-- How items appear in restricted-circulation variable-measure EAN-13 codes (prefix 20-29)
-- printed by scales: prefix + item code identify the item, the value is grams or fen.
-- Rewritten from items.scale_codes whenever they change; it is the unique lookup index.
CREATE TABLE item_scale_codes (
  item_id      BIGINT      NOT NULL,
  prefix       VARCHAR(4)  NOT NULL,
  item_code    VARCHAR(10) NOT NULL,
  value_digits INT         NOT NULL,
  kind         VARCHAR(8)  NOT NULL,
  price_check  TINYINT(1)  NOT NULL DEFAULT 0,
  unit_price   BIGINT      NOT NULL DEFAULT 0,
  position     INT         NOT NULL,
  PRIMARY KEY (item_id, position),
  UNIQUE KEY uk_item_scale_codes (prefix, item_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE item_scale_codes;
ALTER TABLE items DROP COLUMN scale_codes;
