-- +goose Up
-- The voucher of a confirmed retailer statement (对账确认): the retailer's fees are selling
-- expenses (5601) with their 6 % input VAT when it invoices them as services (财会〔2016〕
-- 22号: 进项税额); sales-linked rebates and accepted price or quantity differences reduce
-- revenue and output VAT, booked red on their credit side (销售折让); small differences
-- written off go to 5603; the customer's receivable (1122) falls by all of it. Amounts are
-- the document's totals (services/reconcile confirm.go).
INSERT INTO voucher_templates (doc_type, branch_id, version, mode, word, summary, entries, created_at) VALUES
('retailer_statement', 0, 1, 'realtime', '', '对账确认 {number}', '[{"side":"debit","account":"5601","amount":"feesNet","summary":"超市费用 {number}"},{"side":"debit","account":"22210101","amount":"feesVat","summary":"超市费用进项税额 {number}"},{"side":"credit","account":"5001","amount":"revenueRed","summary":"销售折让 {number}"},{"side":"credit","account":"22210107","amount":"outputVatRed","summary":"销售折让销项税额 {number}"},{"side":"debit","account":"5603","amount":"writeOff","summary":"对账差异核销 {number}"},{"side":"credit","account":"1122","amount":"total","dimensions":["customer"]}]', NOW(6));

-- +goose Down
DELETE FROM voucher_templates WHERE doc_type = 'retailer_statement';
