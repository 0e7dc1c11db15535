// Package catalog owns the master data every other service refers to: branches (logistics
// centres in a city), their warehouses, items with barcodes, customers with their outlets
// and settlement terms, suppliers and online shops.
//
// Invariants:
//   - business keys are unique (branch and warehouse codes, SKUs, customer, supplier and
//     shop codes, an outlet's code within its customer) and so is every barcode across
//     items, compared in normalised form (a GTIN as 14 digits);
//   - a GTIN barcode (8, 12, 13 or 14 digits) carries a correct GS1 check digit;
//   - rows that history refers to are archived, never deleted; changes are guarded by the
//     row's version (the etag), so a stale writer gets ABORTED instead of overwriting;
//   - warehouses and shops belong to a branch; branch-limited users see and change only
//     their branches' ones.
package catalog
