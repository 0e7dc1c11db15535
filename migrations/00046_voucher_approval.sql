-- +goose Up
-- Manual vouchers whose approval flow matches wait for it: approval_state pending while the
-- request runs, approved or rejected after (with the comment); '' when no flow applies.
-- Such a voucher can be neither approved (审核) nor posted while pending or rejected.
ALTER TABLE vouchers ADD COLUMN approval_request BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN approval_state VARCHAR(10) NOT NULL DEFAULT '',
  ADD COLUMN approval_comment VARCHAR(500) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE vouchers DROP COLUMN approval_comment, DROP COLUMN approval_state, DROP COLUMN approval_request;
