-- +goose Up
-- Delivery orders made by people go through their approval flow (a customer over its
-- credit limit, a large order): pending_approval until approved, rejected with the comment.
ALTER TABLE delivery_orders ADD COLUMN approval_request BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN approval_comment VARCHAR(500) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE delivery_orders DROP COLUMN approval_comment, DROP COLUMN approval_request;
