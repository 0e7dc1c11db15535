package warehouse

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/docno"
	"github.com/erphub/erphub/internal/outbox"
)

// TopicStockChanged tells which items' availability changed in a warehouse (postings,
// reservations, releases), so that shops can be told their new stock levels.
const TopicStockChanged = "warehouse.stock.changed"

// StockChanged is the payload of TopicStockChanged.
type StockChanged struct {
	Warehouse int64   `json:"warehouse"`
	Items     []int64 `json:"items"`
	// MayIncrease is set when availability may have grown (receipts, releases, gains),
	// so that orders waiting for stock are tried again.
	MayIncrease bool `json:"mayIncrease,omitempty"`
}

func stockChanged(wh int64, items []int64, mayIncrease bool) outbox.Event {
	return outbox.Event{Topic: TopicStockChanged, Key: fmt.Sprintf("warehouses/%d/stock", wh),
		Payload: StockChanged{Warehouse: wh, Items: items, MayIncrease: mayIncrease}}
}

// The order hub works with stock inside its own transactions (allocation reserves stock
// and creates the delivery order atomically with the order's new state); these are the
// warehouse's operations for that, each taking the caller's transaction.

// ReserveIn holds q milli-units of an item in a warehouse for an order, if that much is
// available (on hand − reserved), unless the warehouse allows negative stock.
func (s *Service) ReserveIn(ctx context.Context, tx *gorm.DB, warehouse, item, q int64) (bool, error) {
	w, err := s.catalog.WarehouseForScan(ctx, warehouse)
	if err != nil {
		return false, err
	}
	st := s.store.with(tx)
	if w.AllowNegativeStock {
		return true, tx.Exec(`INSERT INTO stock_items (warehouse_id, item_id, reserved, updated_at) VALUES (?,?,?,?)
			ON DUPLICATE KEY UPDATE reserved = reserved + VALUES(reserved), updated_at = VALUES(updated_at)`,
			warehouse, item, q, s.clock()).Error
	}
	res := st.db.Exec(`UPDATE stock_items SET reserved = reserved + ?, updated_at = ?
		WHERE warehouse_id = ? AND item_id = ? AND on_hand - reserved >= ?`, q, s.clock(), warehouse, item, q)
	return res.RowsAffected == 1, res.Error
}

// ReleaseIn gives back a reservation.
func (s *Service) ReleaseIn(tx *gorm.DB, warehouse, item, q int64) error {
	return s.store.with(tx).unreserve(warehouse, item, q, s.clock())
}

// CreateDeliveryOrdersIn creates delivery orders whose lines were reserved by the caller
// (Source names the caller's records, e.g. "orderHub"), with a few statements for the
// whole batch: numbers are taken per branch in one step, the documents and their lines
// are inserted in multi-row statements. The answer carries ids, numbers and line numbers
// in the order given. Errors: Invalid (naming the batch index).
func (s *Service) CreateDeliveryOrdersIn(ctx context.Context, tx *gorm.DB, ds []DeliveryOrder) ([]DeliveryOrder, error) {
	if len(ds) == 0 {
		return ds, nil
	}
	byBranch := map[int64][]int{}
	var branches []int64
	for i := range ds {
		d := &ds[i]
		if d.Source == "" {
			return ds, apperr.Invalid(fmt.Sprintf("delivery_orders[%d].source", i), "is required for a reserved delivery order")
		}
		for j := range d.Lines {
			d.Lines[j].Reserved = true
			d.Lines[j].LineNo = int32(j + 1)
		}
		if err := d.validate(); err != nil {
			return ds, err
		}
		w, err := s.catalog.WarehouseForScan(ctx, d.Warehouse)
		if err != nil {
			return ds, err
		}
		d.Branch = w.Branch
		if _, ok := byBranch[d.Branch]; !ok {
			branches = append(branches, d.Branch)
		}
		byBranch[d.Branch] = append(byBranch[d.Branch], i)
	}
	period := docno.Period(s.now(), s.loc)
	for _, b := range branches { // in first-seen order; callers lock few branches
		br, err := s.catalog.Branch(ctx, b)
		if err != nil {
			return ds, err
		}
		idx := byBranch[b]
		last, err := docno.NextN(tx, "DO", b, period, len(idx))
		if err != nil {
			return ds, err
		}
		for k, i := range idx {
			ds[i].Number = docno.Format("DO", br.Code, period, last-int64(len(idx)-1-k))
		}
	}
	now := s.clock()
	args := make([]any, 0, len(ds)*13)
	numbers := make([]string, len(ds))
	for i, d := range ds {
		args = append(args, d.Number, d.Branch, d.Warehouse, d.Customer, d.Outlet, d.RetailerPONumber, d.Source, StatusOpen,
			dateArg(d.RequestedDate), d.Remark, d.CreatedBy, now, now)
		numbers[i] = d.Number
	}
	if err := tx.Exec(`INSERT INTO delivery_orders (doc_no, branch_id, warehouse_id, customer_id, outlet_id, retailer_po_no,
		source, status, requested_date, remark, created_by, created_at, updated_at) VALUES `+db.Placeholders(len(ds), 13), args...).Error; err != nil {
		return ds, err
	}
	// ids by number: multi-row inserts need not get consecutive ids on every server
	var ids []struct {
		ID    int64
		DocNo string
	}
	if err := tx.Raw(`SELECT id, doc_no FROM delivery_orders WHERE doc_no IN ?`, numbers).Scan(&ids).Error; err != nil {
		return ds, err
	}
	idOf := make(map[string]int64, len(ids))
	for _, r := range ids {
		idOf[r.DocNo] = r.ID
	}
	const cols = 6
	var lineArgs []any
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		err := tx.Exec(`INSERT INTO delivery_order_lines (delivery_order_id, line_no, item_id, quantity, unit_price, reserved)
			VALUES `+db.Placeholders(rows, cols), lineArgs...).Error
		lineArgs, rows = lineArgs[:0], 0
		return err
	}
	for i := range ds {
		ds[i].ID, ds[i].Status, ds[i].CreateTime = idOf[ds[i].Number], StatusOpen, now
		for _, l := range ds[i].Lines {
			lineArgs = append(lineArgs, ds[i].ID, l.LineNo, l.Item, l.Quantity, l.UnitPrice, true)
			if rows++; rows == 1000 {
				if err := flush(); err != nil {
					return ds, err
				}
			}
		}
	}
	return ds, flush()
}

// AppendReservedLinesIn adds reserved lines to an open delivery order no one is scanning
// yet (the order hub merging a later order of the same buyer into it), and answers false
// when the document cannot take them: closed, being scanned, or full.
func (s *Service) AppendReservedLinesIn(ctx context.Context, tx *gorm.DB, id int64, lines []Line) (bool, error) {
	var d struct {
		Status    string
		LineCount int
	}
	if err := tx.Raw(`SELECT status, (SELECT COUNT(*) FROM delivery_order_lines WHERE delivery_order_id = d.id) AS line_count
		FROM delivery_orders d WHERE id = ? FOR UPDATE`, id).Scan(&d).Error; err != nil {
		return false, err
	}
	if d.Status != StatusOpen || d.LineCount+len(lines) > maxLines {
		return false, nil
	}
	st := s.store.with(tx)
	if n, err := st.openSessions("delivery_order", id); err != nil || n > 0 {
		return false, err
	}
	args := make([]any, 0, len(lines)*6)
	for i, l := range lines {
		args = append(args, id, d.LineCount+i+1, l.Item, l.Quantity, l.UnitPrice, true)
	}
	if err := tx.Exec(`INSERT INTO delivery_order_lines (delivery_order_id, line_no, item_id, quantity, unit_price, reserved)
		VALUES `+db.Placeholders(len(lines), 6), args...).Error; err != nil {
		return false, err
	}
	return true, tx.Exec(`UPDATE delivery_orders SET updated_at = ? WHERE id = ?`, s.clock(), id).Error
}

// CancelDeliveryOrderIn cancels a delivery order and releases its reserved lines. Errors:
// NotFound, ErrDocumentClosed, ErrInUse (a scan session is open on it).
func (s *Service) CancelDeliveryOrderIn(ctx context.Context, tx *gorm.DB, id int64) (DeliveryOrder, error) {
	return s.cancelDelivery(ctx, tx, id)
}

// NotifyStockChanged publishes that items' availability changed in a warehouse, in tx.
func (s *Service) NotifyStockChanged(ctx context.Context, tx *gorm.DB, warehouse int64, items []int64, mayIncrease bool) error {
	return s.outbox.Publish(ctx, tx, stockChanged(warehouse, items, mayIncrease))
}

// Available answers what is available (on hand − reserved) of an item over warehouses,
// in milli-units (never below zero).
func (s *Service) Available(ctx context.Context, warehouses []int64, item int64) (int64, error) {
	if len(warehouses) == 0 {
		return 0, nil
	}
	var n int64
	err := s.db.WithContext(ctx).Raw(`SELECT COALESCE(SUM(GREATEST(on_hand - reserved, 0)), 0) FROM stock_items
		WHERE item_id = ? AND warehouse_id IN ?`, item, warehouses).Scan(&n).Error
	return n, err
}
