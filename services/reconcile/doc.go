// Package reconcile keeps the trading accounts with retailers and suppliers and matches
// them with the counterpart's own statement (对账): our side of every account (trade
// lines built from posted deliveries and receipts, and the returns recorded here), import
// profiles that read a retailer's statement file in its own layout, and matching that
// pairs each of their lines with ours and classifies their fees and deductions.
//
// Invariants:
//   - a posted stock document yields its trade lines once (unique key on kind, document
//     and line), however often the outbox delivers it;
//   - an imported file is stored with its SHA-256; the same file imported again for the
//     same counterpart changes nothing;
//   - a file that cannot be read is refused as a whole, naming its row and column;
//   - money is int64 fen, quantities milli-units, tax rates basis points; decimal text is
//     parsed exactly, never through floating point.
package reconcile
