-- +goose Up
-- The carrier and tracking numbers recorded when a delivery is scanned out.
ALTER TABLE stock_documents ADD COLUMN carrier VARCHAR(64) NOT NULL DEFAULT '';
ALTER TABLE stock_documents ADD COLUMN tracking VARCHAR(512) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE stock_documents DROP COLUMN tracking;
ALTER TABLE stock_documents DROP COLUMN carrier;
