-- +goose Up
-- The default voucher templates (version 1, every branch): one per business document type.
-- Receipts without the supplier's invoice book an estimate (暂估入库: inventory against
-- payables at cost); the invoice (reconciliation) books VAT. Stocktake and adjustment losses go
-- through 1901 with their input VAT transferred out (22210109, 财会〔2016〕22号: 非正常损失);
-- transfers between warehouses pass through 1402 in transit. Edit them with
-- POST /v1/voucherTemplates (a new version).
INSERT INTO voucher_templates (doc_type, branch_id, version, mode, word, summary, entries, created_at) VALUES
('receipt', 0, 1, 'realtime', '', '暂估入库 {number}', '[{"side":"debit","account":"1405","amount":"value","dimensions":["warehouse"]},{"side":"credit","account":"2202","amount":"value","dimensions":["supplier"],"summary":"暂估应付 {number}"}]', NOW(6)),
('delivery', 0, 1, 'realtime', '', '销售出库成本 {number}', '[{"side":"debit","account":"5401","amount":"value"},{"side":"credit","account":"1405","amount":"value","dimensions":["warehouse"]}]', NOW(6)),
('transfer_out', 0, 1, 'realtime', '', '调拨在途 {number}', '[{"side":"debit","account":"1402","amount":"value","dimensions":["counterWarehouse"]},{"side":"credit","account":"1405","amount":"value","dimensions":["warehouse"]}]', NOW(6)),
('transfer_in', 0, 1, 'realtime', '', '调拨入库 {number}', '[{"side":"debit","account":"1405","amount":"value","dimensions":["warehouse"]},{"side":"credit","account":"1402","amount":"value","dimensions":["warehouse"]}]', NOW(6)),
('stocktake', 0, 1, 'realtime', '', '盘点 {number}', '[{"side":"debit","account":"1405","amount":"gain","dimensions":["warehouse"],"summary":"盘盈 {number}"},{"side":"credit","account":"1901","amount":"gain","summary":"盘盈 {number}"},{"side":"debit","account":"1901","amount":"lossGross","summary":"盘亏 {number}"},{"side":"credit","account":"1405","amount":"loss","dimensions":["warehouse"],"summary":"盘亏 {number}"},{"side":"credit","account":"22210109","amount":"lossVat","summary":"盘亏进项税额转出 {number}"}]', NOW(6)),
('adjustment', 0, 1, 'realtime', '', '库存调整 {number} {reason}', '[{"side":"debit","account":"1405","amount":"gain","dimensions":["warehouse"]},{"side":"credit","account":"1901","amount":"gain"},{"side":"debit","account":"1901","amount":"lossGross"},{"side":"credit","account":"1405","amount":"loss","dimensions":["warehouse"]},{"side":"credit","account":"22210109","amount":"lossVat","summary":"进项税额转出 {number}"}]', NOW(6)),
('sales_invoice', 0, 1, 'realtime', '', '销售开票 {number}', '[{"side":"debit","account":"1122","amount":"gross","dimensions":["customer"]},{"side":"credit","account":"5001","amount":"net"},{"side":"credit","account":"22210107","amount":"vat"}]', NOW(6)),
('purchase_invoice', 0, 1, 'realtime', '', '采购发票 {number}', '[{"side":"debit","account":"1405","amount":"net","dimensions":["warehouse"]},{"side":"debit","account":"22210101","amount":"vat"},{"side":"credit","account":"2202","amount":"gross","dimensions":["supplier"]}]', NOW(6)),
('platform_settlement', 0, 1, 'realtime', '', '平台结算 {number}', '[{"side":"debit","account":"101201","amount":"received"},{"side":"debit","account":"5601","amount":"commission","summary":"平台佣金 {number}"},{"side":"credit","account":"1122","amount":"gross","dimensions":["customer"]}]', NOW(6)),
('customer_receipt', 0, 1, 'realtime', '', '收款 {number}', '[{"side":"debit","account":"1002","amount":"received"},{"side":"debit","account":"5603","amount":"discount","summary":"现金折扣 {number}"},{"side":"credit","account":"1122","amount":"gross","dimensions":["customer"]}]', NOW(6)),
('supplier_payment', 0, 1, 'realtime', '', '付款 {number}', '[{"side":"debit","account":"2202","amount":"gross","dimensions":["supplier"]},{"side":"credit","account":"1002","amount":"paid"},{"side":"credit","account":"5603","amount":"discount","summary":"现金折扣 {number}"}]', NOW(6));

-- +goose Down
DELETE FROM voucher_templates WHERE branch_id = 0 AND version = 1;
