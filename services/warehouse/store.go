package warehouse

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/barcode"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/page"
	"github.com/erphub/erphub/internal/text"
)

// store holds the warehouse queries; with(tx) scopes them to a transaction.
// store runs queries on db (the caller's transaction, or the pool); root is always the
// pool, for the few rows that must exist before a transaction locks them.
type store struct{ db, root *gorm.DB }

func (s store) with(tx *gorm.DB) store { return store{db: tx, root: s.root} }

func dateArg(d *barcode.Date) any {
	if d == nil {
		return nil
	}
	return d.Time()
}

func dateOf(t sql.NullTime) *barcode.Date {
	if !t.Valid {
		return nil
	}
	d := barcode.DateOf(t.Time)
	return &d
}

// ---- order documents (purchase orders, delivery orders, transfers) ----

// lineTable describes the line table of an order document: its counters of work held by
// open sessions ("held") and posted ("done").
type lineTable struct {
	table, docColumn, held, done string
	// received / receiving are the inbound counters of transfers ("" elsewhere)
	received, receiving string
	price               string
}

var (
	poLines  = lineTable{table: "purchase_order_lines", docColumn: "purchase_order_id", held: "scanned", done: "received", price: "unit_cost"}
	doLines  = lineTable{table: "delivery_order_lines", docColumn: "delivery_order_id", held: "picked", done: "shipped", price: "unit_price"}
	trLines  = lineTable{table: "transfer_lines", docColumn: "transfer_id", held: "picked", done: "shipped", received: "received", receiving: "receiving"}
	trInward = lineTable{table: "transfer_lines", docColumn: "transfer_id", held: "receiving", done: "received"}
)

func (s store) insertLines(t lineTable, doc int64, lines []Line) ([]Line, error) {
	cols := []string{t.docColumn, "line_no", "item_id", "quantity"}
	if t.price != "" {
		cols = append(cols, t.price)
	}
	if t == doLines {
		cols = append(cols, "reserved")
	}
	args := make([]any, 0, len(lines)*len(cols))
	for i := range lines {
		lines[i].LineNo = int32(i + 1)
		args = append(args, doc, lines[i].LineNo, lines[i].Item, lines[i].Quantity)
		if t.price != "" {
			args = append(args, lines[i].UnitPrice)
		}
		if t == doLines {
			args = append(args, lines[i].Reserved)
		}
	}
	q := "INSERT INTO " + t.table + " (" + strings.Join(cols, ",") + ") VALUES " + db.Placeholders(len(lines), len(cols))
	if err := s.db.Exec(q, args...).Error; err != nil {
		return nil, err
	}
	return s.lines(t, doc)
}

func (s store) lines(t lineTable, doc int64) ([]Line, error) {
	cols := "id, line_no, item_id, quantity, " + t.held + ", " + t.done
	if t.price != "" {
		cols += ", " + t.price
	} else {
		cols += ", 0"
	}
	if t.received != "" {
		cols += ", " + t.received + ", " + t.receiving
	} else {
		cols += ", 0, 0"
	}
	if t == doLines {
		cols += ", reserved"
	} else {
		cols += ", 0"
	}
	rows, err := s.db.Raw("SELECT "+cols+" FROM "+t.table+" WHERE "+t.docColumn+" = ? ORDER BY line_no", doc).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Line
	for rows.Next() {
		var l Line
		if err := rows.Scan(&l.ID, &l.LineNo, &l.Item, &l.Quantity, &l.Held, &l.Done, &l.UnitPrice, &l.Received, &l.Receiving, &l.Reserved); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// exec runs a statement and answers the driver's result (rows affected and the insert id,
// which LAST_INSERT_ID(expr) can set from an UPDATE).
func (s store) exec(query string, args ...any) (sql.Result, error) {
	return s.db.Statement.ConnPool.ExecContext(s.db.Statement.Context, query, args...)
}

// takeLine adds q to a line's held counter, in one statement that also checks the session
// is still open (reading its row under a shared lock, so a completion waits for this scan)
// and that the line has room: held + done + q must not pass the ordered quantity (for
// inbound transfer lines: what was shipped). It answers whether it took q, and the line's
// held + done before it (through LAST_INSERT_ID(expr), so no second read is needed).
func (s store) takeLine(t lineTable, session, line, q int64) (bool, int64, error) {
	limit := "quantity"
	if t == trInward {
		limit = "shipped"
	}
	res, err := s.exec("UPDATE scan_sessions s JOIN "+t.table+" l ON l.id = ? SET l."+t.held+" = l."+t.held+" + ?"+
		" WHERE s.id = ? AND s.status = 'open' AND l."+t.held+" + l."+t.done+" + ? <= l."+limit+
		" AND LAST_INSERT_ID(l."+t.held+" + l."+t.done+") >= 0", line, q, session, q)
	if err != nil {
		return false, 0, err
	}
	n, err := res.RowsAffected()
	if err != nil || n != 1 {
		return false, 0, err
	}
	before, err := res.LastInsertId()
	return true, before, err
}

// releaseLine gives back q of a line's held counter (undo, cancel).
func (s store) releaseLine(t lineTable, line, q int64) error {
	return s.db.Exec("UPDATE "+t.table+" SET "+t.held+" = "+t.held+" - ? WHERE id = ?", q, line).Error
}

// lineProgress reads one line's counters.
func (s store) lineProgress(t lineTable, line int64) (LineProgress, error) {
	var p struct {
		Item, Quantity, Held, Done, Shipped int64
	}
	extra := "0"
	if t == trInward {
		extra = "shipped"
	}
	err := s.db.Raw("SELECT item_id AS item, quantity, "+t.held+" AS held, "+t.done+" AS done, "+extra+" AS shipped FROM "+
		t.table+" WHERE id = ?", line).Scan(&p).Error
	ordered := p.Quantity
	if t == trInward {
		ordered = p.Shipped
	}
	return LineProgress{Line: line, Item: p.Item, Ordered: ordered, TotalDone: p.Held + p.Done}, err
}

// postLines moves posted quantities from held to done, in one statement.
func (s store) postLines(t lineTable, qty map[int64]int64) error {
	if len(qty) == 0 {
		return nil
	}
	var cases strings.Builder
	args := make([]any, 0, len(qty)*4+len(qty))
	ids := make([]int64, 0, len(qty))
	for id, q := range qty {
		cases.WriteString(" WHEN ? THEN ?")
		args = append(args, id, q)
		ids = append(ids, id)
	}
	args = append(args, args...)
	args = append(args, ids)
	q := "UPDATE " + t.table + " SET " + t.done + " = " + t.done + " + CASE id" + cases.String() + " ELSE 0 END, " +
		t.held + " = " + t.held + " - CASE id" + cases.String() + " ELSE 0 END WHERE id IN ?"
	return s.db.Exec(q, args...).Error
}

type poRow struct {
	ID, BranchID, SupplierID, WarehouseID, CreatedBy int64
	DocNo, Status, Remark, ApprovalComment           string
	ExpectedDate                                     sql.NullTime
	CreatedAt                                        time.Time
}

func (s store) insertPurchaseOrder(p PurchaseOrder, now time.Time) (PurchaseOrder, error) {
	res := s.db.Exec(`INSERT INTO purchase_orders (doc_no, branch_id, supplier_id, warehouse_id, status, expected_date, remark,
		created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)`, p.Number, p.Branch, p.Supplier, p.Warehouse,
		StatusOpen, dateArg(p.ExpectedDate), p.Remark, p.CreatedBy, now, now)
	if res.Error != nil {
		return p, res.Error
	}
	id, err := s.lastID()
	if err != nil {
		return p, err
	}
	p.ID, p.Status, p.CreateTime = id, StatusOpen, now
	p.Lines, err = s.insertLines(poLines, id, p.Lines)
	return p, err
}

func (s store) lastID() (int64, error) {
	var id int64
	err := s.db.Raw("SELECT LAST_INSERT_ID()").Scan(&id).Error
	return id, err
}

func (s store) purchaseOrder(id int64, lock bool) (PurchaseOrder, error) {
	q := `SELECT id, branch_id, supplier_id, warehouse_id, created_by, doc_no, status, remark, expected_date, created_at,
		approval_comment FROM purchase_orders WHERE id = ?`
	if lock {
		q += " FOR UPDATE"
	}
	var r poRow
	res := s.db.Raw(q, id).Scan(&r)
	if res.Error != nil {
		return PurchaseOrder{}, res.Error
	}
	if res.RowsAffected == 0 {
		return PurchaseOrder{}, apperr.NotFound("purchase order", id)
	}
	p := PurchaseOrder{ID: r.ID, Number: r.DocNo, Branch: r.BranchID, Supplier: r.SupplierID, Warehouse: r.WarehouseID,
		Status: r.Status, Remark: r.Remark, ExpectedDate: dateOf(r.ExpectedDate), CreatedBy: r.CreatedBy, CreateTime: r.CreatedAt,
		ApprovalComment: r.ApprovalComment}
	var err error
	p.Lines, err = s.lines(poLines, id)
	return p, err
}

func (s store) setStatus(table string, id int64, status string, now time.Time) error {
	return s.db.Exec("UPDATE "+table+" SET status = ?, version = version + 1, updated_at = ? WHERE id = ?", status, now, id).Error
}

// OrderFilter narrows lists of orders.
type OrderFilter struct {
	Warehouse, Party int64
	Status           string
	Branches         []int64 // nil: every branch
}

func (s store) listIDs(table, partyCol string, p page.Request, f OrderFilter) ([]int64, string, error) {
	q := s.db.Table(table).Select("id").Order("id DESC").Limit(p.Limit())
	if p.After > 0 {
		q = q.Where("id < ?", p.After)
	}
	if f.Warehouse != 0 {
		q = q.Where("warehouse_id = ?", f.Warehouse)
	}
	if f.Party != 0 && partyCol != "" {
		q = q.Where(partyCol+" = ?", f.Party)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Branches != nil {
		q = q.Where("branch_id IN ?", append([]int64{0}, f.Branches...))
	}
	var ids []int64
	if err := q.Pluck("id", &ids).Error; err != nil {
		return nil, "", err
	}
	next, n := p.Next(ids)
	return ids[:n], next, nil
}

type doRow struct {
	ID, BranchID, WarehouseID, CustomerID, OutletID, CreatedBy   int64
	DocNo, RetailerPoNo, Source, Status, Remark, ApprovalComment string
	RequestedDate                                                sql.NullTime
	CreatedAt                                                    time.Time
}

func (s store) insertDeliveryOrder(d DeliveryOrder, now time.Time) (DeliveryOrder, error) {
	if err := s.db.Exec(`INSERT INTO delivery_orders (doc_no, branch_id, warehouse_id, customer_id, outlet_id, retailer_po_no,
		source, status, requested_date, remark, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		d.Number, d.Branch, d.Warehouse, d.Customer, d.Outlet, d.RetailerPONumber, d.Source, StatusOpen,
		dateArg(d.RequestedDate), d.Remark, d.CreatedBy, now, now).Error; err != nil {
		return d, err
	}
	id, err := s.lastID()
	if err != nil {
		return d, err
	}
	d.ID, d.Status, d.CreateTime = id, StatusOpen, now
	d.Lines, err = s.insertLines(doLines, id, d.Lines)
	return d, err
}

func (s store) deliveryOrder(id int64, lock bool) (DeliveryOrder, error) {
	q := `SELECT id, branch_id, warehouse_id, customer_id, outlet_id, created_by, doc_no, retailer_po_no, source, status,
		remark, requested_date, created_at, approval_comment FROM delivery_orders WHERE id = ?`
	if lock {
		q += " FOR UPDATE"
	}
	var r doRow
	res := s.db.Raw(q, id).Scan(&r)
	if res.Error != nil {
		return DeliveryOrder{}, res.Error
	}
	if res.RowsAffected == 0 {
		return DeliveryOrder{}, apperr.NotFound("delivery order", id)
	}
	d := DeliveryOrder{ID: r.ID, Number: r.DocNo, Branch: r.BranchID, Warehouse: r.WarehouseID, Customer: r.CustomerID,
		Outlet: r.OutletID, RetailerPONumber: r.RetailerPoNo, Source: r.Source, Status: r.Status, Remark: r.Remark,
		RequestedDate: dateOf(r.RequestedDate), CreatedBy: r.CreatedBy, CreateTime: r.CreatedAt, ApprovalComment: r.ApprovalComment}
	var err error
	d.Lines, err = s.lines(doLines, id)
	return d, err
}

type trRow struct {
	ID, BranchID, FromWarehouseID, ToWarehouseID, CreatedBy int64
	DocNo, Status, Remark                                   string
	CreatedAt                                               time.Time
}

func (s store) insertTransfer(t Transfer, now time.Time) (Transfer, error) {
	if err := s.db.Exec(`INSERT INTO transfers (doc_no, branch_id, from_warehouse_id, to_warehouse_id, status, remark,
		created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)`, t.Number, t.Branch, t.FromWarehouse, t.ToWarehouse,
		StatusOpen, t.Remark, t.CreatedBy, now, now).Error; err != nil {
		return t, err
	}
	id, err := s.lastID()
	if err != nil {
		return t, err
	}
	t.ID, t.Status, t.CreateTime = id, StatusOpen, now
	t.Lines, err = s.insertLines(trLines, id, t.Lines)
	return t, err
}

func (s store) transfer(id int64, lock bool) (Transfer, error) {
	q := `SELECT id, branch_id, from_warehouse_id, to_warehouse_id, created_by, doc_no, status, remark, created_at
		FROM transfers WHERE id = ?`
	if lock {
		q += " FOR UPDATE"
	}
	var r trRow
	res := s.db.Raw(q, id).Scan(&r)
	if res.Error != nil {
		return Transfer{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Transfer{}, apperr.NotFound("transfer", id)
	}
	t := Transfer{ID: r.ID, Number: r.DocNo, Branch: r.BranchID, FromWarehouse: r.FromWarehouseID, ToWarehouse: r.ToWarehouseID,
		Status: r.Status, Remark: r.Remark, CreatedBy: r.CreatedBy, CreateTime: r.CreatedAt}
	var err error
	t.Lines, err = s.lines(trLines, id)
	return t, err
}

func (s store) insertStocktake(st Stocktake, now time.Time) (Stocktake, error) {
	if err := s.db.Exec(`INSERT INTO stocktakes (doc_no, branch_id, warehouse_id, status, remark, counted_only, created_by,
		created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)`, st.Number, st.Branch, st.Warehouse, StatusOpen, st.Remark,
		st.CountedOnly, st.CreatedBy, now, now).Error; err != nil {
		return st, err
	}
	id, err := s.lastID()
	st.ID, st.Status, st.CreateTime = id, StatusOpen, now
	return st, err
}

func (s store) stocktake(id int64, lock bool) (Stocktake, error) {
	q := `SELECT id, doc_no, branch_id, warehouse_id, status, remark, counted_only, document_id, created_by, created_at,
		approval_request, approval_comment, failure, session_id, counted_by, amount FROM stocktakes WHERE id = ?`
	if lock {
		q += " FOR UPDATE"
	}
	var r struct {
		ID, BranchID, WarehouseID, DocumentID, CreatedBy, ApprovalRequest, SessionID, CountedBy, Amount int64
		DocNo, Status, Remark, ApprovalComment, Failure                                                 string
		CountedOnly                                                                                     bool
		CreatedAt                                                                                       time.Time
	}
	res := s.db.Raw(q, id).Scan(&r)
	if res.Error != nil {
		return Stocktake{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Stocktake{}, apperr.NotFound("stocktake", id)
	}
	return Stocktake{ID: r.ID, Number: r.DocNo, Branch: r.BranchID, Warehouse: r.WarehouseID, Status: r.Status,
		Remark: r.Remark, CountedOnly: r.CountedOnly, Document: r.DocumentID, CreatedBy: r.CreatedBy, CreateTime: r.CreatedAt,
		ApprovalRequest: r.ApprovalRequest, ApprovalComment: r.ApprovalComment, Failure: r.Failure, Session: r.SessionID,
		CountedBy: r.CountedBy, Amount: r.Amount}, nil
}

// countDifferences answers the differences a stocktake's last count recorded for approval.
func (s store) countDifferences(stocktake int64) ([]CountDifference, error) {
	var rows []struct {
		ItemID, LotID, Quantity, Value int64
		LotNo                          string
	}
	if err := s.db.Raw(`SELECT d.item_id, d.lot_id, d.quantity, d.value, COALESCE(l.lot_no, '') AS lot_no
		FROM stocktake_differences d LEFT JOIN lots l ON l.id = d.lot_id WHERE d.stocktake_id = ? ORDER BY d.item_id, d.lot_id`,
		stocktake).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]CountDifference, len(rows))
	for i, r := range rows {
		out[i] = CountDifference{Item: r.ItemID, LotID: r.LotID, Lot: r.LotNo, Quantity: r.Quantity, Value: r.Value}
	}
	return out, nil
}

// holdCount records a count's differences (replacing an earlier count's) and marks the
// stocktake as waiting for request req.
func (s store) holdCount(stk Stocktake, diffs []CountDifference, amount, session, countedBy, req int64, now time.Time) error {
	if err := s.db.Exec(`DELETE FROM stocktake_differences WHERE stocktake_id = ?`, stk.ID).Error; err != nil {
		return err
	}
	if len(diffs) > 0 {
		args := make([]any, 0, len(diffs)*5)
		for _, d := range diffs {
			args = append(args, stk.ID, d.Item, d.LotID, d.Quantity, d.Value)
		}
		if err := s.db.Exec(`INSERT INTO stocktake_differences (stocktake_id, item_id, lot_id, quantity, value) VALUES `+
			db.Placeholders(len(diffs), 5), args...).Error; err != nil {
			return err
		}
	}
	return s.db.Exec(`UPDATE stocktakes SET status = ?, approval_request = ?, approval_comment = '', failure = '', session_id = ?,
		counted_by = ?, amount = ?, updated_at = ? WHERE id = ?`, StatusPendingApproval, req, session, countedBy, amount, now,
		stk.ID).Error
}

// settleCount records the outcome of a stocktake's count under approval, guarded: only
// while it still waits for request req.
func (s store) settleCount(id, req int64, status, comment, failure string, doc int64, now time.Time) error {
	return s.db.Exec(`UPDATE stocktakes SET status = ?, approval_comment = ?, failure = ?, document_id = ?, updated_at = ?
		WHERE id = ? AND status = ? AND approval_request = ?`, status, text.Clip(comment, 500), text.Clip(failure, 500), doc, now,
		id, StatusPendingApproval, req).Error
}

// ---- stored adjustments ----

func (s store) insertAdjustment(a Adjustment, now time.Time) (Adjustment, error) {
	if err := s.db.Exec(`INSERT INTO stock_adjustments (doc_no, branch_id, warehouse_id, status, reason, amount, created_by,
		created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)`, a.Number, a.Branch, a.Warehouse, a.Status, a.Reason, a.Amount,
		a.CreatedBy, now, now).Error; err != nil {
		return a, err
	}
	id, err := s.lastID()
	if err != nil {
		return a, err
	}
	a.ID, a.CreateTime = id, now
	args := make([]any, 0, len(a.Lines)*7)
	for i, l := range a.Lines {
		args = append(args, id, i+1, l.Item, l.Lot, l.Quantity, dateArg(l.Expiry), l.UnitCost)
	}
	return a, s.db.Exec(`INSERT INTO stock_adjustment_lines (adjustment_id, line_no, item_id, lot_no, quantity, expiry_date,
		unit_cost) VALUES `+db.Placeholders(len(a.Lines), 7), args...).Error
}

func (s store) setAdjustmentRequest(id, req int64) error {
	return s.db.Exec(`UPDATE stock_adjustments SET approval_request = ? WHERE id = ?`, req, id).Error
}

// settleAdjustment records the outcome of a stored adjustment, guarded: only while it
// still waits for request req.
func (s store) settleAdjustment(id, req int64, status, comment, failure string, doc int64, now time.Time) error {
	return s.db.Exec(`UPDATE stock_adjustments SET status = ?, approval_comment = ?, failure = ?, document_id = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND status = ? AND approval_request = ?`, status,
		text.Clip(comment, 500), text.Clip(failure, 500), doc, now, id, StatusPendingApproval, req).Error
}

func (s store) adjustment(id int64, lock bool) (Adjustment, error) {
	q := `SELECT id, doc_no, branch_id, warehouse_id, status, reason, amount, approval_request, approval_comment, failure,
		document_id, created_by, created_at FROM stock_adjustments WHERE id = ?`
	if lock {
		q += " FOR UPDATE"
	}
	var r struct {
		ID, BranchID, WarehouseID, Amount, ApprovalRequest, DocumentID, CreatedBy int64
		DocNo, Status, Reason, ApprovalComment, Failure                           string
		CreatedAt                                                                 time.Time
	}
	res := s.db.Raw(q, id).Scan(&r)
	if res.Error != nil {
		return Adjustment{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Adjustment{}, apperr.NotFound("adjustment", id)
	}
	a := Adjustment{ID: r.ID, Number: r.DocNo, Branch: r.BranchID, Warehouse: r.WarehouseID, Status: r.Status, Reason: r.Reason,
		Amount: r.Amount, ApprovalRequest: r.ApprovalRequest, ApprovalComment: r.ApprovalComment, Failure: r.Failure,
		Document: r.DocumentID, CreatedBy: r.CreatedBy, CreateTime: r.CreatedAt}
	var lines []struct {
		ItemID, Quantity, UnitCost int64
		LotNo                      string
		ExpiryDate                 sql.NullTime
	}
	if err := s.db.Raw(`SELECT item_id, lot_no, quantity, expiry_date, unit_cost FROM stock_adjustment_lines
		WHERE adjustment_id = ? ORDER BY line_no`, id).Scan(&lines).Error; err != nil {
		return a, err
	}
	for _, l := range lines {
		a.Lines = append(a.Lines, AdjustmentLine{Item: l.ItemID, Lot: l.LotNo, Quantity: l.Quantity, Expiry: dateOf(l.ExpiryDate),
			UnitCost: l.UnitCost})
	}
	return a, nil
}

// openSessions counts a document's open sessions.
func (s store) openSessions(docType string, doc int64) (int64, error) {
	var n int64
	err := s.db.Raw(`SELECT COUNT(*) FROM scan_sessions WHERE document_type = ? AND document_id = ? AND status = 'open'`,
		docType, doc).Scan(&n).Error
	return n, err
}

// ---- lots and stock ----

// lotByNo answers a lot of an item by its number.
func (s store) lotByNo(item int64, no string) (lotStock, bool, error) {
	var r struct {
		ID     int64
		LotNo  string
		Expiry sql.NullTime
	}
	res := s.db.Raw(`SELECT id, lot_no, expiry_date AS expiry FROM lots WHERE item_id = ? AND lot_no = ?`, item, no).Scan(&r)
	if res.Error != nil || res.RowsAffected == 0 {
		return lotStock{}, false, res.Error
	}
	return lotStock{ID: r.ID, No: r.LotNo, Expiry: dateOf(r.Expiry)}, true, nil
}

// ensureLot answers the lot of an item with this number, creating it with the dates
// given when it is new.
func (s store) ensureLot(item int64, no string, production, expiry *barcode.Date, now time.Time) (int64, error) {
	err := s.db.Exec(`INSERT INTO lots (item_id, lot_no, production_date, expiry_date, created_at) VALUES (?,?,?,?,?)
		ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)`, item, no, dateArg(production), dateArg(expiry), now).Error
	if err != nil {
		return 0, err
	}
	return s.lastID()
}

// lotsWithStock answers the lots of an item in a warehouse with stock, oldest expiry first.
func (s store) lotsWithStock(wh, item int64) ([]lotStock, error) {
	rows, err := s.db.Raw(`SELECT l.id, l.lot_no, l.expiry_date, s.on_hand - s.picked
		FROM stock_levels s JOIN lots l ON l.id = s.lot_id
		WHERE s.warehouse_id = ? AND s.item_id = ? AND s.on_hand - s.picked > 0
		ORDER BY l.expiry_date, l.id`, wh, item).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []lotStock
	for rows.Next() {
		var l lotStock
		var exp sql.NullTime
		if err := rows.Scan(&l.ID, &l.No, &exp, &l.Available); err != nil {
			return nil, err
		}
		l.Expiry = dateOf(exp)
		out = append(out, l)
	}
	return out, rows.Err()
}

// pick holds q of a lot (lot-level "picked") and, for unreserved lines, of the item
// (item-level "reserved"), through guarded UPDATEs that succeed only if q is available,
// unless the warehouse allows negative stock. Rows are always locked item first, then
// lot (STRAIGHT_JOIN fixes the order here; unpick and posting follow it too), so
// concurrent scanners of a hot item queue instead of deadlocking.
func (s store) pick(wh, item, lot, q int64, reserveItem, allowNegative bool, now time.Time) (bool, error) {
	if allowNegative {
		if reserveItem {
			if err := s.db.Exec(`INSERT INTO stock_items (warehouse_id, item_id, reserved, updated_at) VALUES (?,?,?,?)
				ON DUPLICATE KEY UPDATE reserved = reserved + VALUES(reserved), updated_at = VALUES(updated_at)`, wh, item, q, now).Error; err != nil {
				return false, err
			}
		}
		return true, s.db.Exec(`INSERT INTO stock_levels (warehouse_id, item_id, lot_id, picked, updated_at) VALUES (?,?,?,?,?)
			ON DUPLICATE KEY UPDATE picked = picked + VALUES(picked), updated_at = VALUES(updated_at)`, wh, item, lot, q, now).Error
	}
	if reserveItem {
		res := s.db.Exec(`UPDATE stock_items i STRAIGHT_JOIN stock_levels l
			ON l.warehouse_id = i.warehouse_id AND l.item_id = i.item_id AND l.lot_id = ?
			SET i.reserved = i.reserved + ?, i.updated_at = ?, l.picked = l.picked + ?, l.updated_at = ?
			WHERE i.warehouse_id = ? AND i.item_id = ? AND i.on_hand - i.reserved >= ? AND l.on_hand - l.picked >= ?`,
			lot, q, now, q, now, wh, item, q, q)
		return res.RowsAffected == 2, res.Error
	}
	res := s.db.Exec(`UPDATE stock_levels SET picked = picked + ?, updated_at = ?
		WHERE warehouse_id = ? AND item_id = ? AND lot_id = ? AND on_hand - picked >= ?`, q, now, wh, item, lot, q)
	return res.RowsAffected == 1, res.Error
}

// unpick gives back what pick held (item first, then lot: the same lock order).
func (s store) unpick(wh, item, lot, q int64, reservedItem bool, now time.Time) error {
	if reservedItem {
		if err := s.db.Exec(`UPDATE stock_items SET reserved = reserved - ?, updated_at = ? WHERE warehouse_id = ? AND item_id = ?`,
			q, now, wh, item).Error; err != nil {
			return err
		}
	}
	return s.db.Exec(`UPDATE stock_levels SET picked = picked - ?, updated_at = ? WHERE warehouse_id = ? AND item_id = ? AND lot_id = ?`,
		q, now, wh, item, lot).Error
}

// unreserve gives back an item-level reservation.
func (s store) unreserve(wh, item, q int64, now time.Time) error {
	return s.db.Exec(`UPDATE stock_items SET reserved = reserved - ?, updated_at = ? WHERE warehouse_id = ? AND item_id = ?`,
		q, now, wh, item).Error
}

// onHand answers an item's on-hand quantity in a warehouse.
func (s store) onHand(wh, item int64) (int64, error) {
	var n int64
	err := s.db.Raw(`SELECT COALESCE(SUM(on_hand), 0) FROM stock_levels WHERE warehouse_id = ? AND item_id = ?`, wh, item).Scan(&n).Error
	return n, err
}

// holdTransit holds q of a lot on its way with a transfer for a receiving session.
func (s store) holdTransit(transfer, item, lot, q int64) (bool, error) {
	res := s.db.Exec(`UPDATE transit_stock SET receiving = receiving + ?
		WHERE transfer_id = ? AND item_id = ? AND lot_id = ? AND receiving + ? <= quantity`, q, transfer, item, lot, q)
	return res.RowsAffected == 1, res.Error
}

// releaseTransit gives back what holdTransit held.
func (s store) releaseTransit(transfer, item, lot, q int64) error {
	return s.db.Exec(`UPDATE transit_stock SET receiving = receiving - ? WHERE transfer_id = ? AND item_id = ? AND lot_id = ?`,
		q, transfer, item, lot).Error
}

// available reports whether q of a lot (and of its item) is free to leave, locking both
// when lock is set (the caller has locked the item row first).
func (s store) available(wh, item, lot, q int64, lock bool) (bool, error) {
	var r struct {
		Lot, Item int64
	}
	q0 := `SELECT l.on_hand - l.picked AS lot, i.on_hand - i.reserved AS item
		FROM stock_levels l JOIN stock_items i ON i.warehouse_id = l.warehouse_id AND i.item_id = l.item_id
		WHERE l.warehouse_id = ? AND l.item_id = ? AND l.lot_id = ?`
	if lock {
		q0 += " FOR UPDATE"
	}
	res := s.db.Raw(q0, wh, item, lot).Scan(&r)
	if res.Error != nil || res.RowsAffected == 0 {
		return false, res.Error
	}
	return r.Lot >= q && r.Item >= q, nil
}

// lockLevels locks a warehouse's lot levels (of some items, or all with scope nil) and
// answers their on-hand quantities.
func (s store) lockLevels(wh int64, items []int64) (map[[2]int64]int64, error) {
	q := s.db.Table("stock_levels").Select("item_id, lot_id, on_hand").Where("warehouse_id = ?", wh)
	if items != nil {
		q = q.Where("item_id IN ?", items)
	}
	var rows []struct{ ItemID, LotID, OnHand int64 }
	if err := q.Set("gorm:query_option", "FOR UPDATE").Order("item_id, lot_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[[2]int64]int64, len(rows))
	for _, r := range rows {
		if r.OnHand != 0 {
			out[[2]int64{r.ItemID, r.LotID}] = r.OnHand
		}
	}
	return out, nil
}

// addTransit puts quantities and values in transit with a transfer.
func (s store) addTransit(transfer int64, rows []entry) error {
	if len(rows) == 0 {
		return nil
	}
	args := make([]any, 0, len(rows)*5)
	for _, r := range rows {
		args = append(args, transfer, r.item, r.lot, r.quantity, r.value)
	}
	return s.db.Exec(`INSERT INTO transit_stock (transfer_id, item_id, lot_id, quantity, value) VALUES `+db.Placeholders(len(rows), 5)+
		` ON DUPLICATE KEY UPDATE quantity = quantity + VALUES(quantity), value = value + VALUES(value)`, args...).Error
}

type transitRow struct{ quantity, value int64 }

// lockTransit locks what is in transit with a transfer, per item and lot.
func (s store) lockTransit(transfer int64) (map[[2]int64]transitRow, error) {
	var rows []struct{ ItemID, LotID, Quantity, Value int64 }
	if err := s.db.Raw(`SELECT item_id, lot_id, quantity, value FROM transit_stock WHERE transfer_id = ? ORDER BY item_id, lot_id FOR UPDATE`,
		transfer).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[[2]int64]transitRow, len(rows))
	for _, r := range rows {
		out[[2]int64{r.ItemID, r.LotID}] = transitRow{r.Quantity, r.Value}
	}
	return out, nil
}

// takeTransit removes received quantities and values from transit.
func (s store) takeTransit(transfer int64, rows []entry) error {
	for _, r := range rows {
		if err := s.db.Exec(`UPDATE transit_stock SET quantity = quantity - ?, value = value - ?, receiving = receiving - ?
			WHERE transfer_id = ? AND item_id = ? AND lot_id = ?`, r.quantity, r.value, r.quantity, transfer, r.item, r.lot).Error; err != nil {
			return err
		}
	}
	return nil
}

// lockValuations locks the valuation rows of items in a warehouse, in item order, creating
// missing ones. Existing rows are locked exclusively straight away: an INSERT IGNORE first
// would take shared locks that two postings then both try to upgrade (a deadlock). Missing
// rows are created first in a short transaction of their own: a locking read of a row
// that does not exist locks the gap, and two postings of new items into one gap then
// deadlock on their inserts.
func (s store) lockValuations(wh int64, items []int64, now time.Time) (map[int64]valuation, error) {
	out := map[int64]valuation{}
	if len(items) == 0 {
		return out, nil
	}
	if s.root != nil {
		var have []int64
		if err := s.db.Raw(`SELECT item_id FROM stock_items WHERE warehouse_id = ? AND item_id IN ?`, wh, items).Scan(&have).Error; err != nil {
			return nil, err
		}
		if len(have) < len(items) {
			var args []any
			n := 0
			for _, it := range items {
				if !slices.Contains(have, it) {
					args = append(args, wh, it, now)
					n++
				}
			}
			if err := s.root.Exec(`INSERT IGNORE INTO stock_items (warehouse_id, item_id, updated_at) VALUES `+db.Placeholders(n, 3), args...).Error; err != nil {
				return nil, err
			}
		}
	}
	read := func(ids []int64) error {
		var rows []struct {
			ItemID, OnHand, Value, LastUnitCost int64
		}
		if err := s.db.Raw(`SELECT item_id, on_hand, value, last_unit_cost FROM stock_items
			WHERE warehouse_id = ? AND item_id IN ? ORDER BY item_id FOR UPDATE`, wh, ids).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out[r.ItemID] = valuation{Quantity: r.OnHand, Value: r.Value, LastCost: r.LastUnitCost}
		}
		return nil
	}
	sorted := slices.Sorted(slices.Values(items))
	if err := read(sorted); err != nil {
		return nil, err
	}
	var missing []int64
	for _, it := range sorted {
		if _, ok := out[it]; !ok {
			missing = append(missing, it)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(missing)*3)
	for _, it := range missing {
		args = append(args, wh, it, now)
	}
	if err := s.db.Exec(`INSERT IGNORE INTO stock_items (warehouse_id, item_id, updated_at) VALUES `+db.Placeholders(len(missing), 3), args...).Error; err != nil {
		return nil, err
	}
	return out, read(missing)
}

// valuations reads the valuations of items in a warehouse without locking them (items
// without a row are absent).
func (s store) valuations(wh int64, items []int64) (map[int64]valuation, error) {
	out := map[int64]valuation{}
	if len(items) == 0 {
		return out, nil
	}
	var rows []struct {
		ItemID, OnHand, Value, LastUnitCost int64
	}
	if err := s.db.Raw(`SELECT item_id, on_hand, value, last_unit_cost FROM stock_items WHERE warehouse_id = ? AND item_id IN ?`,
		wh, items).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ItemID] = valuation{Quantity: r.OnHand, Value: r.Value, LastCost: r.LastUnitCost}
	}
	return out, nil
}

// saveValuations writes item-level on hand, value and reserved deltas.
func (s store) saveValuations(wh int64, vals map[int64]valuation, releaseReserved map[int64]int64, now time.Time) error {
	if len(vals) == 0 {
		return nil
	}
	args := make([]any, 0, len(vals)*7)
	// rows in item order, like every other statement that locks stock rows
	for _, item := range slices.Sorted(maps.Keys(vals)) {
		v := vals[item]
		args = append(args, wh, item, v.Quantity, v.Value, v.LastCost, releaseReserved[item], now)
	}
	return s.db.Exec(`INSERT INTO stock_items (warehouse_id, item_id, on_hand, value, last_unit_cost, reserved, updated_at) VALUES `+
		db.Placeholders(len(vals), 7)+` ON DUPLICATE KEY UPDATE on_hand = VALUES(on_hand), value = VALUES(value),
		last_unit_cost = VALUES(last_unit_cost), reserved = reserved - VALUES(reserved), updated_at = VALUES(updated_at)`, args...).Error
}

// levelDelta is a change of one lot's on hand and picked.
type levelDelta struct {
	item, lot      int64
	onHand, picked int64
}

// applyLevels adds on-hand and removes picked quantities per lot, in one statement.
func (s store) applyLevels(wh int64, deltas []levelDelta, now time.Time) error {
	if len(deltas) == 0 {
		return nil
	}
	// rows in (item, lot) order, like every other statement that locks stock rows
	deltas = slices.Clone(deltas)
	slices.SortStableFunc(deltas, func(a, b levelDelta) int {
		if c := cmp.Compare(a.item, b.item); c != 0 {
			return c
		}
		return cmp.Compare(a.lot, b.lot)
	})
	args := make([]any, 0, len(deltas)*6)
	for _, d := range deltas {
		args = append(args, wh, d.item, d.lot, d.onHand, -d.picked, now)
	}
	return s.db.Exec(`INSERT INTO stock_levels (warehouse_id, item_id, lot_id, on_hand, picked, updated_at) VALUES `+
		db.Placeholders(len(deltas), 6)+` ON DUPLICATE KEY UPDATE on_hand = on_hand + VALUES(on_hand),
		picked = picked + VALUES(picked), updated_at = VALUES(updated_at)`, args...).Error
}

// entry is one ledger row to append.
type entry struct {
	lineNo          int32
	item, lot       int64
	quantity, value int64
}

// StockDocument is a posted movement.
type StockDocument struct {
	ID         int64
	Number     string
	Type       string
	Branch     int64
	Warehouse  int64
	SourceType string
	SourceID   int64
	Session    int64
	Reason     string
	PostedBy   int64
	PostTime   time.Time
	Carrier    string
	Tracking   []string
	Lines      []DocumentLine
}

// ResourceName names the document in the audit log.
func (d StockDocument) ResourceName() string { return fmt.Sprintf("stockDocuments/%d", d.ID) }

// DocumentLine is one posted movement of a document.
type DocumentLine struct {
	LineNo    int32
	Item      int64
	Lot       string
	LotID     int64
	Quantity  int64
	Value     int64
	Warehouse int64
}

// insertDocument writes a posted document and its ledger entries.
func (s store) insertDocument(d StockDocument, entries []entry) (StockDocument, error) {
	if err := s.db.Exec(`INSERT INTO stock_documents (doc_no, doc_type, branch_id, warehouse_id, source_type, source_id,
		session_id, reason, posted_by, posted_at, carrier, tracking) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, d.Number, d.Type, d.Branch,
		d.Warehouse, d.SourceType, d.SourceID, d.Session, d.Reason, d.PostedBy, d.PostTime, d.Carrier,
		strings.Join(d.Tracking, ",")).Error; err != nil {
		return d, err
	}
	id, err := s.lastID()
	if err != nil {
		return d, err
	}
	d.ID = id
	if len(entries) == 0 {
		return d, nil
	}
	args := make([]any, 0, len(entries)*9)
	for _, e := range entries {
		args = append(args, id, e.lineNo, d.Type, d.Warehouse, e.item, e.lot, e.quantity, e.value, d.PostTime)
	}
	if err := s.db.Exec(`INSERT INTO stock_ledger (document_id, line_no, doc_type, warehouse_id, item_id, lot_id, quantity,
		value, posted_at) VALUES `+db.Placeholders(len(entries), 9), args...).Error; err != nil {
		return d, err
	}
	return s.document(id)
}

func (s store) document(id int64) (StockDocument, error) {
	var r struct {
		ID, BranchID, WarehouseID, SourceID, SessionID, PostedBy int64
		DocNo, DocType, SourceType, Reason, Carrier, Tracking    string
		PostedAt                                                 time.Time
	}
	res := s.db.Raw(`SELECT id, doc_no, doc_type, branch_id, warehouse_id, source_type, source_id, session_id, reason,
		posted_by, posted_at, carrier, tracking FROM stock_documents WHERE id = ?`, id).Scan(&r)
	if res.Error != nil {
		return StockDocument{}, res.Error
	}
	if res.RowsAffected == 0 {
		return StockDocument{}, apperr.NotFound("stock document", id)
	}
	d := StockDocument{ID: r.ID, Number: r.DocNo, Type: r.DocType, Branch: r.BranchID, Warehouse: r.WarehouseID,
		SourceType: r.SourceType, SourceID: r.SourceID, Session: r.SessionID, Reason: r.Reason, PostedBy: r.PostedBy, PostTime: r.PostedAt,
		Carrier: r.Carrier}
	if r.Tracking != "" {
		d.Tracking = strings.Split(r.Tracking, ",")
	}
	rows, err := s.db.Raw(`SELECT e.line_no, e.item_id, COALESCE(l.lot_no, ''), e.lot_id, e.quantity, e.value, e.warehouse_id
		FROM stock_ledger e LEFT JOIN lots l ON l.id = e.lot_id WHERE e.document_id = ? ORDER BY e.line_no`, id).Rows()
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var l DocumentLine
		if err := rows.Scan(&l.LineNo, &l.Item, &l.Lot, &l.LotID, &l.Quantity, &l.Value, &l.Warehouse); err != nil {
			return d, err
		}
		d.Lines = append(d.Lines, l)
	}
	return d, rows.Err()
}

// ---- sessions and scans ----

// Session is a scan session.
type Session struct {
	ID            int64
	Kind          SessionKind
	DocumentType  string
	DocumentID    int64
	Warehouse     int64
	Branch        int64
	Customer      int64
	Status        string
	Device        string
	OpenedBy      int64
	StockDocument int64
	CreateTime    time.Time
	Lines         []LineProgress
	AcceptedScans int32
}

// ResourceName names the session in the audit log.
func (s Session) ResourceName() string { return fmt.Sprintf("scanSessions/%d", s.ID) }

func (s store) insertSession(x Session) (Session, error) {
	if err := s.db.Exec(`INSERT INTO scan_sessions (kind, document_type, document_id, warehouse_id, branch_id, customer_id,
		status, device, opened_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)`, x.Kind, x.DocumentType, x.DocumentID,
		x.Warehouse, x.Branch, x.Customer, StatusOpen, x.Device, x.OpenedBy, x.CreateTime).Error; err != nil {
		return x, err
	}
	id, err := s.lastID()
	x.ID, x.Status = id, StatusOpen
	return x, err
}

func (s store) session(id int64, lock string) (Session, error) {
	q := `SELECT id, kind, document_type, document_id, warehouse_id, branch_id, customer_id, status, device, opened_by,
		stock_document, created_at FROM scan_sessions WHERE id = ?` + lock
	var r struct {
		ID, DocumentID, WarehouseID, BranchID, CustomerID, OpenedBy, StockDocument int64
		Kind, DocumentType, Status, Device                                         string
		CreatedAt                                                                  time.Time
	}
	res := s.db.Raw(q, id).Scan(&r)
	if res.Error != nil {
		return Session{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Session{}, apperr.NotFound("scan session", id)
	}
	return Session{ID: r.ID, Kind: SessionKind(r.Kind), DocumentType: r.DocumentType, DocumentID: r.DocumentID,
		Warehouse: r.WarehouseID, Branch: r.BranchID, Customer: r.CustomerID, Status: r.Status, Device: r.Device,
		OpenedBy: r.OpenedBy, StockDocument: r.StockDocument, CreateTime: r.CreatedAt}, nil
}

// sessionStatusForScan reads the session's status under a shared lock: completion takes
// the row exclusively, so it waits for the scans in flight. (A repeated scan id is found
// by the unique key when the scan is stored; locking the scans' index here would make
// concurrent scanners of one session deadlock on its gap.)
func (s store) sessionStatusForScan(id int64) (string, error) {
	var status string
	res := s.db.Raw(`SELECT status FROM scan_sessions WHERE id = ? LOCK IN SHARE MODE`, id).Scan(&status)
	if res.Error != nil {
		return "", res.Error
	}
	if res.RowsAffected == 0 {
		return "", apperr.NotFound("scan session", id)
	}
	return status, nil
}

func (s store) finishSession(id int64, status string, doc int64, now time.Time) error {
	return s.db.Exec(`UPDATE scan_sessions SET status = ?, stock_document = ?, completed_at = ? WHERE id = ?`, status, doc, now, id).Error
}

// scanRow is a stored scan.
type scanRow struct {
	ID        int64
	SessionID int64
	ScanID    string
	Code      string
	Device    string
	UserID    int64
	RequestID string
	Accepted  bool
	Reason    string
	Detail    string
	ItemID    int64
	LineID    int64
	LotID     int64
	LotNo     string
	Expiry    sql.NullTime
	Quantity  int64
	Undone    bool
	CreatedAt time.Time
}

func (r scanRow) result() ScanResult {
	res := ScanResult{Accepted: r.Accepted && !r.Undone, Item: r.ItemID, Lot: r.LotNo, LotID: r.LotID, Expiry: dateOf(r.Expiry),
		Quantity: r.Quantity, ScanID: r.ScanID}
	if r.Accepted {
		res.Warning = r.Reason
	} else {
		res.Reason = r.Reason
	}
	res.Detail = r.Detail
	return res
}

var errScanTaken = errors.New("scan id taken by a concurrent scan")

func (s store) insertScan(r scanRow) error {
	err := s.db.Exec(`INSERT INTO scans (session_id, scan_id, code, device, user_id, request_id, accepted, reason, detail,
		item_id, line_id, lot_id, lot_no, expiry, quantity, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.SessionID, r.ScanID, r.Code, r.Device, r.UserID, r.RequestID, r.Accepted, r.Reason, r.Detail, r.ItemID, r.LineID,
		r.LotID, r.LotNo, r.Expiry, r.Quantity, r.CreatedAt).Error
	if _, dup := db.IsDuplicate(err); dup {
		return errScanTaken
	}
	return err
}

func (s store) scanByID(session int64, scanID string, lock bool) (scanRow, error) {
	var r scanRow
	q := s.db.Table("scans").Where("session_id = ? AND scan_id = ?", session, scanID)
	if lock {
		q = q.Set("gorm:query_option", "FOR UPDATE")
	}
	res := q.Scan(&r)
	if res.Error == nil && res.RowsAffected == 0 {
		return r, apperr.NotFound("scan", scanID)
	}
	return r, res.Error
}

func (s store) markUndone(id int64) error {
	return s.db.Exec(`UPDATE scans SET undone = 1 WHERE id = ?`, id).Error
}

func (s store) listScans(session int64, p page.Request) ([]scanRow, string, error) {
	var rows []scanRow
	if err := s.db.Table("scans").Where("session_id = ? AND id > ?", session, p.After).Order("id").Limit(p.Limit()).
		Scan(&rows).Error; err != nil {
		return nil, "", err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	next, n := p.Next(ids)
	return rows[:n], next, nil
}

// sessionTotal is what a session accepted per line, item and lot.
type sessionTotal struct {
	LineID, ItemID, LotID int64
	Quantity              int64
}

func (s store) sessionTotals(session int64) ([]sessionTotal, error) {
	var out []sessionTotal
	err := s.db.Raw(`SELECT line_id, item_id, lot_id, SUM(quantity) AS quantity FROM scans
		WHERE session_id = ? AND accepted = 1 AND undone = 0 GROUP BY line_id, item_id, lot_id
		ORDER BY line_id, item_id, lot_id`, session).Scan(&out).Error
	return out, err
}

func (s store) acceptedCount(session int64) (int32, error) {
	var n int32
	err := s.db.Raw(`SELECT COUNT(*) FROM scans WHERE session_id = ? AND accepted = 1 AND undone = 0`, session).Scan(&n).Error
	return n, err
}

// withCtx is a convenience for reads outside a transaction.
func (s store) withCtx(ctx context.Context) store {
	return store{db: s.db.WithContext(ctx), root: s.root}
}
