package warehouse

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
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

// CreateDeliveryOrderIn creates a delivery order whose lines were reserved by the caller
// (source names the caller's record, e.g. "fulfilments/9"). Errors: Invalid.
func (s *Service) CreateDeliveryOrderIn(ctx context.Context, tx *gorm.DB, d DeliveryOrder) (DeliveryOrder, error) {
	if d.Source == "" {
		return d, apperr.Invalid("delivery_order.source", "is required for a reserved delivery order")
	}
	for i := range d.Lines {
		d.Lines[i].Reserved = true
	}
	if err := d.validate(); err != nil {
		return d, err
	}
	w, err := s.catalog.WarehouseForScan(ctx, d.Warehouse)
	if err != nil {
		return d, err
	}
	d.Branch = w.Branch
	return s.insertDeliveryOrder(ctx, tx, d)
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
