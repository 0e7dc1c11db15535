// Package insights answers operational analyses — ABC classes of products, online buyers'
// tiers, RFM scores and quadrants, supermarket sales by outlet and chain, channel figures,
// and replenishment suggestions — from read models, not from scans of the source tables.
//
// Facts and their invariants:
//   - insights_sales_lines holds each source's contribution (an online order's lines, a
//     posted stock document's lines), keyed by (source, source id, line). Folding a source
//     in locks its insights_sources row, replaces its lines and adds the difference (new
//     minus old contribution) to insights_daily_sales, so a redelivered, replayed, late or
//     reordered event leaves exactly one contribution: the one of the source's current
//     state. insights_daily_sales always equals the sum of the lines per cell.
//   - insights_orders holds one row per online order for channel and buyer metrics; the
//     buyer key is the platform and a SHA-256 of the normalised phone (or of the platform's
//     buyer id), never the phone in clear.
//   - The answers read read models kept from the facts by the same folds (see rollups.go):
//     daily sales summed over aligned blocks of 1-256 days per item and channel and per
//     supermarket outlet (a period is a few blocks), counted orders per day and shop, buyers
//     numbered and summed per shop over all time, the days on which buyers had orders, and
//     a change counter per day. Each equals what the facts give (Check compares them); a
//     replica keeps recent answers while the change counters of their days stay
//     (cache.go).
//   - A fact is derived from the source's current rows. Events are folded in batches as
//     the outbox delivers them (one event per push of orders). Online orders are folded in
//     Go (orderfold.go), and stock documents and returns with the SQL the rebuild runs over
//     id ranges. The rebuild and the check compute orders with the SQL: the check compares
//     the two implementations of the order rules, and a test compares them row by row.
//     The sources (orders, order_lines, stock documents and ledger,
//     delivery orders, fulfilments, shops; for replenishment stock, lots, purchase orders
//     and transfers) are read, never written. This crosses the
//     "through the Go API" rule on purpose, read-only: the rebuild must run set-based over
//     millions of lines.
//
// Which facts count: an online order counts when it is paid and not cancelled (paid,
// partially_shipped, shipped, completed), on the day it was paid (else created) in the
// company's time zone; its lines give sold quantity (item milli-units) and amount (line
// amount less line discount, less the line's share of the order-level discount, spread
// in proportion to line amounts in whole fen by the largest remainder, fen); refunded
// lines give returns at the same amount, and the channel refunds count them at it too. Posted deliveries give
// shipped quantity and cost per warehouse (demand and cost of goods); deliveries to
// supermarket customers (channel "retailer") also give sold quantity and amount at the
// delivery order's price.
//
// Insights writes nothing of other services directly: a confirmed replenishment suggestion
// becomes a purchase order or transfer through the consumer-side Warehouse interface, in
// the confirmation's transaction (a suggestion's document is made once), and names in the
// answers come from the catalog through the Directory interface, one batch per answer;
// internal/app adapts both.
package insights
