-- +goose Up
-- What a decision needs at a glance, as the document's service saw it when submitting
-- (e.g. the customer's credit position, margin, shortfall below floor): a JSON object of
-- integer facts (fen, basis points).
ALTER TABLE approval_requests ADD COLUMN facts TEXT NULL;

-- +goose Down
ALTER TABLE approval_requests DROP COLUMN facts;
