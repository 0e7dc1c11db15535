// Package warehouse owns stock and everything that moves it: purchase orders received,
// delivery orders shipped, transfers between warehouses through in-transit stock,
// stocktakes and manual adjustments; the barcode scan sessions that execute them; lots
// with their expiry dates; the append-only stock ledger; and moving-average costing.
//
// Invariants:
//   - every movement follows a document and is posted atomically when its scan session
//     completes (or, for adjustments, when it is made); a document whose approval flow
//     matches (an adjustment, a stocktake count, an order) moves nothing until approved,
//     and an approved adjustment or count posts once, whole, or not at all (failed);
//     posted documents never change;
//   - the stock ledger is append-only; on hand per (warehouse, item, lot) and per
//     (warehouse, item) always equals the ledger's sum, and the stock value per
//     (warehouse, item) always equals the ledger's value sum (moving average: an issue
//     takes value·q/Q rounded half up, so the remainder stays in stock and a warehouse
//     emptied of an item is emptied of its value exactly);
//   - stock never goes below zero unless the warehouse allows it: every quantity and
//     reservation changes through a guarded UPDATE (… WHERE on_hand - reserved >= ?), so
//     concurrent scanners cannot oversell a hot item;
//   - a scan counts once per client scan id, also across retries and crashes;
//   - shipping follows first-expiry-first-out per the warehouse's policy, never ships an
//     expired lot or one with less remaining shelf life than the customer requires;
//   - warehouse staff see and scan only their branch's warehouses;
//   - every posted document emits warehouse.document.posted through the outbox.
package warehouse
