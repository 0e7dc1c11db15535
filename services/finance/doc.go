// Package finance keeps the books of the company under the Accounting Standard for Small
// Enterprises (小企业会计准则, 财会〔2011〕17号) with VAT booked as 财会〔2016〕22号 lays
// down: the chart of accounts with auxiliary dimensions, the books and their monthly
// periods, vouchers (记账凭证) from draft through approval to posting, vouchers generated
// from posted business documents by editable templates (业财一体化), the period-end cost
// run and profit-and-loss carry-forward, fixed assets with monthly depreciation, and the
// ledgers and statements.
//
// Invariants:
//   - every voucher balances (debits = credits); posted vouchers never change, a
//     correction is a red reversal referencing the original;
//   - voucher numbers are gap-free per period and word;
//   - balances (account_balances) change only by posting, with one guarded upsert per
//     key, under the lock of the period's row, so nothing posts into a closed period;
//   - a business document yields at most one voucher per template version (unique key);
//     one that cannot be booked waits in the exception list with the reason;
//   - money is int64 fen; nothing here uses floating point.
package finance
