-- +goose Up
-- The secret a platform signs its webhooks with (write-only in the API), and the customer
-- a shop's sales are booked to.
ALTER TABLE shops ADD COLUMN webhook_secret VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE shops ADD COLUMN customer_id BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE shops DROP COLUMN customer_id;
ALTER TABLE shops DROP COLUMN webhook_secret;
