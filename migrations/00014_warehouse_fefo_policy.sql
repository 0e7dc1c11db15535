-- +goose Up
-- First-expiry-first-out policy of a warehouse when shipping: block, warn or off.
ALTER TABLE warehouses ADD COLUMN fefo_policy VARCHAR(8) NOT NULL DEFAULT 'block';

-- +goose Down
ALTER TABLE warehouses DROP COLUMN fefo_policy;
