-- +goose Up
-- A stocktake whose differences a stocktake approval flow matched waits (pending_approval)
-- for the request in approval_request, with the differences of that count recorded in
-- stocktake_differences; approval posts exactly those (the count's session in session_id,
-- who completed it in counted_by: the maker, who cannot approve it);
-- rejection (approval_comment) or a posting that is no longer possible (failure) lets the
-- stocktake be counted again, which replaces the differences.
ALTER TABLE stocktakes ADD COLUMN approval_request BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN approval_comment VARCHAR(500) NOT NULL DEFAULT '',
  ADD COLUMN failure VARCHAR(500) NOT NULL DEFAULT '',
  ADD COLUMN session_id BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN counted_by BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN amount BIGINT NOT NULL DEFAULT 0;

-- One counted difference: signed quantity (counted - book) in milli-units and its value
-- at the unit cost when counted, fen.
CREATE TABLE stocktake_differences (
  stocktake_id BIGINT NOT NULL,
  item_id      BIGINT NOT NULL,
  lot_id       BIGINT NOT NULL,
  quantity     BIGINT NOT NULL,
  value        BIGINT NOT NULL,
  PRIMARY KEY (stocktake_id, item_id, lot_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE stocktake_differences;
ALTER TABLE stocktakes DROP COLUMN amount, DROP COLUMN counted_by, DROP COLUMN session_id, DROP COLUMN failure,
  DROP COLUMN approval_comment, DROP COLUMN approval_request;
