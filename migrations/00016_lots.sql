-- +goose Up
-- Production lots of lot-tracked items (GS1 AI 10), with their dates.
CREATE TABLE lots (
  id              BIGINT      NOT NULL AUTO_INCREMENT,
  item_id         BIGINT      NOT NULL,
  lot_no          VARCHAR(20) NOT NULL,
  production_date DATE        NULL,
  expiry_date     DATE        NULL,
  created_at      DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_lots_item_no (item_id, lot_no),
  KEY ix_lots_expiry (expiry_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE lots;
