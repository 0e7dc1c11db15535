-- +goose Up
-- Supplier payments that an approval flow matches wait for it: status PENDING_APPROVAL
-- (nothing allocated, nothing booked) with the allocations they ask for kept as JSON in
-- requested_allocations ([{"invoice", "amount", "discount"}], fen), then RECORDED when
-- approved, REJECTED (with the approver's comment) or CANCELLED. approval_request is the
-- request the payment waits for, so a late outcome of an earlier, superseded request
-- changes nothing. status_note says why the payment stands as it does: the reason it was
-- cancelled, or why the allocations it asked for could not be applied when it was
-- approved. Every existing payment (and every customer receipt) is RECORDED.
ALTER TABLE payments
  ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'RECORDED',
  ADD COLUMN approval_request BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN approval_comment VARCHAR(500) NOT NULL DEFAULT '',
  ADD COLUMN requested_allocations TEXT NULL,
  ADD COLUMN status_note VARCHAR(500) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE payments DROP COLUMN status_note, DROP COLUMN requested_allocations, DROP COLUMN approval_comment,
  DROP COLUMN approval_request, DROP COLUMN status;
