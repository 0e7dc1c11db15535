-- +goose Up
-- A purchase order under approval: the request it waits for (so that a late outcome of an
-- earlier, superseded request changes nothing) and the approver's comment (shown to the
-- maker when it was rejected).
ALTER TABLE purchase_orders
  ADD COLUMN approval_request BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN approval_comment VARCHAR(500) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE purchase_orders DROP COLUMN approval_comment, DROP COLUMN approval_request;
