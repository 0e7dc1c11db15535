-- +goose Up
-- Version 2 of the purchase invoice template. A receipt without the supplier's invoice
-- is booked at once as an estimate (暂估入库, template receipt: Dr 1405 / Cr 2202 at
-- purchase-order cost). Version 1 booked the invoice as if nothing had been booked
-- before, doubling stock and payables. Version 2 first reverses the estimate of the
-- invoiced quantity (document total "estimate": Dr 2202 / Cr 1405), then books the
-- invoice (Dr 1405 net, Dr 22210101 input VAT, Cr 2202 gross): what remains on 1405 is the
-- price difference, on 2202 the invoice. Migration 00028 stays as it was.
INSERT INTO voucher_templates (doc_type, branch_id, version, mode, word, summary, entries, created_at) VALUES
('purchase_invoice', 0, 2, 'realtime', '', '采购发票 {number}', '[{"side":"debit","account":"2202","amount":"estimate","dimensions":["supplier"],"summary":"冲回暂估 {number}"},{"side":"credit","account":"1405","amount":"estimate","dimensions":["warehouse"],"summary":"冲回暂估 {number}"},{"side":"debit","account":"1405","amount":"net","dimensions":["warehouse"]},{"side":"debit","account":"22210101","amount":"vat"},{"side":"credit","account":"2202","amount":"gross","dimensions":["supplier"]}]', NOW(6));

-- +goose Down
DELETE FROM voucher_templates WHERE doc_type = 'purchase_invoice' AND branch_id = 0 AND version = 2;
