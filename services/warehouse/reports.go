package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/barcode"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/page"
)

// StockLevel is stock of one item lot in one warehouse.
type StockLevel struct {
	Warehouse, Item, LotID int64
	Lot                    string
	Expiry                 *barcode.Date
	OnHand, Reserved       int64
}

// ItemStock is stock of one item in one warehouse.
type ItemStock struct {
	Warehouse, Item         int64
	OnHand, Reserved, Value int64
}

// StockFilter narrows stock reports.
type StockFilter struct {
	Warehouse, Item int64
	ShowEmpty       bool
}

// ListStock answers stock per warehouse, item and lot (paged) and the item totals of the
// same items, for the warehouses the caller may see. Errors: Invalid (paging).
func (s *Service) ListStock(ctx context.Context, size int32, token string, f StockFilter) ([]StockLevel, []ItemStock, string, error) {
	pr, err := page.Parse(size, token, f.Warehouse, f.Item, f.ShowEmpty)
	if err != nil {
		return nil, nil, "", err
	}
	// keyset over a synthetic key: rows are paged in (warehouse, item, lot) order, and
	// the token carries a row number of that order
	where := []string{"1 = 1"}
	var args []any
	if f.Warehouse != 0 {
		where = append(where, "s.warehouse_id = ?")
		args = append(args, f.Warehouse)
	}
	if f.Item != 0 {
		where = append(where, "s.item_id = ?")
		args = append(args, f.Item)
	}
	if !f.ShowEmpty {
		where = append(where, "(s.on_hand <> 0 OR s.picked <> 0)")
	}
	if scope := branchScope(ctx); scope != nil {
		ws, err := s.scopedWarehouses(ctx, scope)
		if err != nil {
			return nil, nil, "", err
		}
		where = append(where, "s.warehouse_id IN ?")
		args = append(args, append([]int64{0}, ws...))
	}
	q := `SELECT s.warehouse_id, s.item_id, s.lot_id, COALESCE(l.lot_no, ''), l.expiry_date, s.on_hand, s.picked
		FROM stock_levels s LEFT JOIN lots l ON l.id = s.lot_id WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY s.warehouse_id, s.item_id, s.lot_id LIMIT ? OFFSET ?`
	args = append(args, pr.Limit(), pr.After)
	rows, err := s.db.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, nil, "", err
	}
	defer rows.Close()
	var levels []StockLevel
	for rows.Next() {
		var l StockLevel
		var exp sql.NullTime
		if err := rows.Scan(&l.Warehouse, &l.Item, &l.LotID, &l.Lot, &exp, &l.OnHand, &l.Reserved); err != nil {
			return nil, nil, "", err
		}
		l.Expiry = dateOf(exp)
		levels = append(levels, l)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, "", err
	}
	next := ""
	if len(levels) > pr.Size {
		levels = levels[:pr.Size]
		next = offsetToken(pr, int64(pr.Size)+pr.After)
	}
	items, err := s.itemTotals(ctx, levels)
	return levels, items, next, err
}

// offsetToken makes the token of the page starting at offset. Stock rows have a composite
// key, so this list pages by position in its fixed order (the token's "last id" is the
// offset); a row added meanwhile may shift a page by one, which a stock report tolerates.
func offsetToken(pr page.Request, offset int64) string {
	ids := make([]int64, pr.Size+1)
	ids[pr.Size-1] = offset
	t, _ := pr.Next(ids)
	return t
}

func (s *Service) itemTotals(ctx context.Context, levels []StockLevel) ([]ItemStock, error) {
	type key struct{ wh, item int64 }
	seen := map[key]bool{}
	var conds []string
	var args []any
	for _, l := range levels {
		k := key{l.Warehouse, l.Item}
		if !seen[k] {
			seen[k] = true
			conds = append(conds, "(warehouse_id = ? AND item_id = ?)")
			args = append(args, l.Warehouse, l.Item)
		}
	}
	if len(conds) == 0 {
		return nil, nil
	}
	var out []ItemStock
	err := s.db.WithContext(ctx).Raw(`SELECT warehouse_id AS warehouse, item_id AS item, on_hand, reserved, value FROM stock_items WHERE `+
		strings.Join(conds, " OR ")+` ORDER BY warehouse_id, item_id`, args...).Scan(&out).Error
	return out, err
}

func (s *Service) scopedWarehouses(ctx context.Context, branches []int64) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Raw(`SELECT id FROM warehouses WHERE branch_id IN ?`, append([]int64{0}, branches...)).Scan(&ids).Error
	return ids, err
}

// ExpiringLot is a lot with stock near its expiry.
type ExpiringLot struct {
	LotID, Item, Warehouse int64
	Lot                    string
	Expiry                 barcode.Date
	DaysLeft               int32
	OnHand, Value          int64
}

// ListExpiringLots answers lots with stock expiring within days (expired ones included),
// soonest first, with their value at the warehouse's average cost. Errors: Invalid.
func (s *Service) ListExpiringLots(ctx context.Context, within int32, warehouse int64) ([]ExpiringLot, error) {
	if within < 0 || within > 3650 {
		return nil, apperr.Invalid("within_days", "must be 0-3650")
	}
	today := s.today()
	limit := barcode.DateOf(today.Time().AddDate(0, 0, int(within)))
	q := `SELECT l.id, s.item_id, s.warehouse_id, l.lot_no, l.expiry_date, s.on_hand, i.on_hand, i.value
		FROM stock_levels s JOIN lots l ON l.id = s.lot_id
		JOIN stock_items i ON i.warehouse_id = s.warehouse_id AND i.item_id = s.item_id
		WHERE s.on_hand > 0 AND l.expiry_date IS NOT NULL AND l.expiry_date <= ?`
	args := []any{limit.Time()}
	if warehouse != 0 {
		q += " AND s.warehouse_id = ?"
		args = append(args, warehouse)
	}
	if scope := branchScope(ctx); scope != nil {
		ws, err := s.scopedWarehouses(ctx, scope)
		if err != nil {
			return nil, err
		}
		q += " AND s.warehouse_id IN ?"
		args = append(args, append([]int64{0}, ws...))
	}
	rows, err := s.db.WithContext(ctx).Raw(q+" ORDER BY l.expiry_date, l.id LIMIT 1000", args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExpiringLot
	for rows.Next() {
		var e ExpiringLot
		var exp time.Time
		var itemQty, itemValue int64
		if err := rows.Scan(&e.LotID, &e.Item, &e.Warehouse, &e.Lot, &exp, &e.OnHand, &itemQty, &itemValue); err != nil {
			return nil, err
		}
		e.Expiry = barcode.DateOf(exp)
		e.DaysLeft = int32(daysBetween(today, e.Expiry))
		if itemQty > 0 {
			e.Value, _ = money.MulDiv(itemValue, e.OnHand, itemQty)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// TraceMovement is one posted document that moved a lot.
type TraceMovement struct {
	Document             int64
	Number, Type, Source string
	Warehouse            int64
	Quantity             int64
	Supplier, Customer   int64
	Outlet               int64
	OrderReference       string
	PostTime             time.Time
}

// Trace is where a lot came from and where it went.
type Trace struct {
	LotID, Item       int64
	Lot               string
	Expiry            *barcode.Date
	Backward, Forward []TraceMovement
	Customers         []int64
	OnHand            []StockLevel
}

// TraceLot follows a lot, named by id or "ITEM:LOT", backward to its receipts (supplier,
// purchase order) and forward to deliveries (customer, outlet, retailer PO or platform
// order), transfers and other issues: what a food recall needs. Errors: NotFound, Invalid.
func (s *Service) TraceLot(ctx context.Context, name string) (Trace, error) {
	var t Trace
	st := s.read(ctx)
	if item, no, ok := strings.Cut(name, ":"); ok {
		id, err := strconv.ParseInt(item, 10, 64)
		if err != nil {
			return t, apperr.Invalid("lot", `must be a lot id or "ITEM_ID:LOT_NUMBER"`)
		}
		l, found, err := st.lotByNo(id, no)
		if err != nil {
			return t, err
		}
		if !found {
			return t, apperr.NotFound("lot", name)
		}
		t.LotID = l.ID
	} else {
		id, err := strconv.ParseInt(name, 10, 64)
		if err != nil {
			return t, apperr.Invalid("lot", `must be a lot id or "ITEM_ID:LOT_NUMBER"`)
		}
		t.LotID = id
	}
	var lot struct {
		ItemID int64
		LotNo  string
		Expiry sql.NullTime
	}
	res := s.db.WithContext(ctx).Raw(`SELECT item_id, lot_no, expiry_date AS expiry FROM lots WHERE id = ?`, t.LotID).Scan(&lot)
	if res.Error != nil {
		return t, res.Error
	}
	if res.RowsAffected == 0 {
		return t, apperr.NotFound("lot", name)
	}
	t.Item, t.Lot, t.Expiry = lot.ItemID, lot.LotNo, dateOf(lot.Expiry)
	rows, err := s.db.WithContext(ctx).Raw(`SELECT d.id, d.doc_no, d.doc_type, d.source_type, d.source_id, e.warehouse_id,
		SUM(e.quantity), COALESCE(po.supplier_id, 0), COALESCE(dl.customer_id, 0), COALESCE(dl.outlet_id, 0),
		COALESCE(NULLIF(dl.source, ''), dl.retailer_po_no, ''), d.posted_at
		FROM stock_ledger e JOIN stock_documents d ON d.id = e.document_id
		LEFT JOIN purchase_orders po ON d.source_type = 'purchase_order' AND po.id = d.source_id
		LEFT JOIN delivery_orders dl ON d.source_type = 'delivery_order' AND dl.id = d.source_id
		WHERE e.lot_id = ? AND e.item_id = ?
		GROUP BY d.id, d.doc_no, d.doc_type, d.source_type, d.source_id, e.warehouse_id, po.supplier_id, dl.customer_id,
		dl.outlet_id, dl.source, dl.retailer_po_no, d.posted_at ORDER BY d.id`, t.LotID, t.Item).Rows()
	if err != nil {
		return t, err
	}
	defer rows.Close()
	customers := map[int64]bool{}
	for rows.Next() {
		var m TraceMovement
		var srcType string
		var srcID int64
		if err := rows.Scan(&m.Document, &m.Number, &m.Type, &srcType, &srcID, &m.Warehouse, &m.Quantity, &m.Supplier,
			&m.Customer, &m.Outlet, &m.OrderReference, &m.PostTime); err != nil {
			return t, err
		}
		m.Source = sourceName(srcType, srcID)
		if m.Quantity > 0 && m.Type != DocTransferIn {
			t.Backward = append(t.Backward, m)
		} else {
			t.Forward = append(t.Forward, m)
		}
		if m.Customer != 0 && !customers[m.Customer] {
			customers[m.Customer] = true
			t.Customers = append(t.Customers, m.Customer)
		}
	}
	if err := rows.Err(); err != nil {
		return t, err
	}
	levels, _, _, err := s.ListStock(ctx, page.Max, "", StockFilter{Item: t.Item})
	if err != nil {
		return t, err
	}
	for _, l := range levels {
		if l.LotID == t.LotID {
			t.OnHand = append(t.OnHand, l)
		}
	}
	return t, nil
}

// LedgerEntry is one row of the stock ledger.
type LedgerEntry struct {
	ID, Document, Warehouse, Item int64
	Type, Lot                     string
	Quantity, Value               int64
	PostTime                      time.Time
}

// ListLedgerEntries pages through the ledger, oldest first. Errors: Invalid.
func (s *Service) ListLedgerEntries(ctx context.Context, size int32, token string, warehouse, item int64) ([]LedgerEntry, string, error) {
	pr, err := page.Parse(size, token, warehouse, item)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT e.id, e.document_id, e.warehouse_id, e.item_id, e.doc_type, COALESCE(l.lot_no, ''), e.quantity, e.value, e.posted_at
		FROM stock_ledger e LEFT JOIN lots l ON l.id = e.lot_id WHERE e.id > ?`
	args := []any{pr.After}
	if warehouse != 0 {
		q += " AND e.warehouse_id = ?"
		args = append(args, warehouse)
	}
	if item != 0 {
		q += " AND e.item_id = ?"
		args = append(args, item)
	}
	if scope := branchScope(ctx); scope != nil {
		ws, err := s.scopedWarehouses(ctx, scope)
		if err != nil {
			return nil, "", err
		}
		q += " AND e.warehouse_id IN ?"
		args = append(args, append([]int64{0}, ws...))
	}
	rows, err := s.db.WithContext(ctx).Raw(q+" ORDER BY e.id LIMIT ?", append(args, pr.Limit())...).Rows()
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []LedgerEntry
	var ids []int64
	for rows.Next() {
		var e LedgerEntry
		if err := rows.Scan(&e.ID, &e.Document, &e.Warehouse, &e.Item, &e.Type, &e.Lot, &e.Quantity, &e.Value, &e.PostTime); err != nil {
			return nil, "", err
		}
		out = append(out, e)
		ids = append(ids, e.ID)
	}
	next, n := pr.Next(ids)
	return out[:n], next, rows.Err()
}

// GetStockDocument answers a posted document. Errors: NotFound, Forbidden.
func (s *Service) GetStockDocument(ctx context.Context, id int64) (StockDocument, error) {
	d, err := s.read(ctx).document(id)
	if err != nil {
		return d, err
	}
	return d, checkBranch(ctx, d.Branch)
}

// ListStockDocuments pages through posted documents, newest first (without lines).
func (s *Service) ListStockDocuments(ctx context.Context, size int32, token string, warehouse int64, docType string) ([]StockDocument, string, error) {
	pr, err := page.Parse(size, token, warehouse, docType)
	if err != nil {
		return nil, "", err
	}
	q := s.db.WithContext(ctx).Table("stock_documents").Select(`id, doc_no AS number, doc_type AS type, branch_id AS branch,
		warehouse_id AS warehouse, source_type, source_id, session_id AS session, reason, posted_by, posted_at AS post_time`).
		Order("id DESC").Limit(pr.Limit())
	if pr.After > 0 {
		q = q.Where("id < ?", pr.After)
	}
	if warehouse != 0 {
		q = q.Where("warehouse_id = ?", warehouse)
	}
	if docType != "" {
		q = q.Where("doc_type = ?", docType)
	}
	if scope := branchScope(ctx); scope != nil {
		q = q.Where("branch_id IN ?", append([]int64{0}, scope...))
	}
	var docs []StockDocument
	if err := q.Scan(&docs).Error; err != nil {
		return nil, "", err
	}
	ids := make([]int64, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	next, n := pr.Next(ids)
	return docs[:n], next, nil
}

// ledgerCheck is a consistency check used by tests and operations: every level equals
// its ledger sum and every valuation its ledger value sum.
func (s *Service) ledgerCheck(ctx context.Context) ([]string, error) {
	var bad []string
	var lv []struct{ WarehouseID, ItemID, LotID, OnHand, Ledger int64 }
	if err := s.db.WithContext(ctx).Raw(`SELECT s.warehouse_id, s.item_id, s.lot_id, s.on_hand, COALESCE(SUM(e.quantity), 0) AS ledger
		FROM stock_levels s LEFT JOIN stock_ledger e ON e.warehouse_id = s.warehouse_id AND e.item_id = s.item_id AND e.lot_id = s.lot_id
		GROUP BY s.warehouse_id, s.item_id, s.lot_id, s.on_hand HAVING s.on_hand <> COALESCE(SUM(e.quantity), 0)`).Scan(&lv).Error; err != nil {
		return nil, err
	}
	for _, r := range lv {
		bad = append(bad, fmt.Sprintf("level w%d i%d l%d: on hand %d, ledger %d", r.WarehouseID, r.ItemID, r.LotID, r.OnHand, r.Ledger))
	}
	var iv []struct{ WarehouseID, ItemID, OnHand, Value, LedgerQty, LedgerValue int64 }
	if err := s.db.WithContext(ctx).Raw(`SELECT i.warehouse_id, i.item_id, i.on_hand, i.value,
		COALESCE(SUM(e.quantity), 0) AS ledger_qty, COALESCE(SUM(e.value), 0) AS ledger_value
		FROM stock_items i LEFT JOIN stock_ledger e ON e.warehouse_id = i.warehouse_id AND e.item_id = i.item_id
		GROUP BY i.warehouse_id, i.item_id, i.on_hand, i.value
		HAVING i.on_hand <> COALESCE(SUM(e.quantity), 0) OR i.value <> COALESCE(SUM(e.value), 0)`).Scan(&iv).Error; err != nil {
		return nil, err
	}
	for _, r := range iv {
		bad = append(bad, fmt.Sprintf("item w%d i%d: on hand %d value %d, ledger %d / %d", r.WarehouseID, r.ItemID, r.OnHand,
			r.Value, r.LedgerQty, r.LedgerValue))
	}
	return bad, nil
}

// CheckLedger answers every difference between stock levels or valuations and the ledger
// (none when the books are right).
func (s *Service) CheckLedger(ctx context.Context) ([]string, error) { return s.ledgerCheck(ctx) }
