-- +goose Up
-- An item's floor price: the lowest price, fen per unit before VAT, at which people may sell
-- it without approval (0 = no floor). A delivery order made by a person with a line priced
-- below its item's floor goes through the price_below_floor approval flow.
ALTER TABLE items ADD COLUMN floor_price BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE items DROP COLUMN floor_price;
