// Package reconcile keeps the trading accounts with retailers and suppliers and matches
// them with the counterpart's own statement (对账): our side of every account (trade
// lines built from posted deliveries and receipts, and the returns recorded here), import
// profiles that read a retailer's statement file in its own layout, and matching that
// pairs each of their lines with ours and classifies their fees and deductions; sales and
// purchase invoices (three-way matched), receipts and payments allocated to invoices, aging,
// and our own statements of account per settlement period.
//
// Invariants:
//   - a posted stock document yields its trade lines once (unique key on kind, document
//     and line), however often the outbox delivers it;
//   - an imported file is stored with its SHA-256; the same file imported again for the
//     same counterpart changes nothing;
//   - a file that cannot be read is refused as a whole, naming its row and column;
//   - nothing is invoiced beyond what was delivered (guarded update of invoiced_qty), and
//     nothing is allocated beyond what an invoice has open or a payment has left;
//   - every invoice, receipt, payment and confirmed statement publishes its finance
//     document in its own transaction (booked once by finance); a supplier payment that
//     waits for approval publishes it in the transaction that applies the approval;
//   - a supplier payment or statement write-off under approval changes nothing until it is
//     approved, and an approval outcome applies only to the request the document waits
//     for (approval.go);
//   - money is int64 fen, quantities milli-units, tax rates basis points; decimal text is
//     parsed exactly, never through floating point.
package reconcile
