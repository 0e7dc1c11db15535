-- +goose Up
-- The warehouse document a confirmed suggestion became: a purchase order (one per
-- supplier and warehouse of a run, shared by the suggestions it orders) or a transfer.
-- Written in the transaction that creates the document, so a suggestion is confirmed
-- once and a second confirmation answers the same document.
ALTER TABLE insights_suggestions
  ADD COLUMN document_type   VARCHAR(16) NOT NULL DEFAULT '',
  ADD COLUMN document_id     BIGINT      NOT NULL DEFAULT 0,
  ADD COLUMN document_number VARCHAR(32) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE insights_suggestions DROP COLUMN document_number, DROP COLUMN document_id, DROP COLUMN document_type;
