-- +goose Up
-- The HMAC key that signs access tokens, shared by every erpd replica through the database.
CREATE TABLE signing_keys (
  id         INT           NOT NULL,
  secret     VARBINARY(64) NOT NULL,
  created_at DATETIME(6)   NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE signing_keys;
