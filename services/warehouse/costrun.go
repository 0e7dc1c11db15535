package warehouse

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/docno"
)

// DocCostAdjustment is a value-only revaluation of stock (the period-end cost run of
// items costed by monthly weighted average): ledger lines with quantity 0.
const DocCostAdjustment = "cost_adjustment"

// Movement is an item's stock in a warehouse at the start of a period and its movements
// in it, from the ledger. Cost adjustments of the period are kept apart.
type Movement struct {
	Warehouse, Item                  int64
	OpenQty, OpenValue               int64
	InQty, InValue, OutQty, OutValue int64 // OutQty and OutValue are negative
	AdjustedValue                    int64 // cost adjustments posted in the period
}

// MovementsIn answers the movements of items in [from, to) per warehouse, read in tx.
func (s *Service) MovementsIn(tx *gorm.DB, from, to time.Time, items []int64) ([]Movement, error) {
	if len(items) == 0 {
		return nil, nil
	}
	var out []Movement
	err := tx.Raw(`SELECT warehouse_id AS warehouse, item_id AS item,
		COALESCE(SUM(CASE WHEN posted_at < ? THEN quantity END), 0) AS open_qty,
		COALESCE(SUM(CASE WHEN posted_at < ? THEN value END), 0) AS open_value,
		COALESCE(SUM(CASE WHEN posted_at >= ? AND doc_type <> ? AND quantity > 0 THEN quantity END), 0) AS in_qty,
		COALESCE(SUM(CASE WHEN posted_at >= ? AND doc_type <> ? AND quantity > 0 THEN value END), 0) AS in_value,
		COALESCE(SUM(CASE WHEN posted_at >= ? AND doc_type <> ? AND quantity < 0 THEN quantity END), 0) AS out_qty,
		COALESCE(SUM(CASE WHEN posted_at >= ? AND doc_type <> ? AND quantity < 0 THEN value END), 0) AS out_value,
		COALESCE(SUM(CASE WHEN posted_at >= ? AND doc_type = ? THEN value END), 0) AS adjusted_value
		FROM stock_ledger WHERE item_id IN ? AND posted_at < ? GROUP BY warehouse_id, item_id ORDER BY warehouse_id, item_id`,
		from, from, from, DocCostAdjustment, from, DocCostAdjustment, from, DocCostAdjustment, from, DocCostAdjustment,
		from, DocCostAdjustment, items, to).Scan(&out).Error
	return out, err
}

// CostAdjustment changes the stock value of an item in a warehouse by Value fen.
type CostAdjustment struct {
	Warehouse, Item, Value int64
}

// PostCostAdjustmentsIn posts value-only adjustments, one stock document per warehouse,
// dated at, in the caller's transaction; the stock value changes with them.
func (s *Service) PostCostAdjustmentsIn(ctx context.Context, tx *gorm.DB, adj []CostAdjustment, at time.Time, reason string) ([]StockDocument, error) {
	byWH := map[int64][]CostAdjustment{}
	var order []int64
	for _, a := range adj {
		if a.Value == 0 {
			continue
		}
		if _, ok := byWH[a.Warehouse]; !ok {
			order = append(order, a.Warehouse)
		}
		byWH[a.Warehouse] = append(byWH[a.Warehouse], a)
	}
	st := s.store.with(tx)
	var docs []StockDocument
	now := s.clock()
	for _, wh := range order {
		w, err := s.catalog.Warehouse(ctx, wh)
		if err != nil {
			return nil, err
		}
		b, err := s.catalog.Branch(ctx, w.Branch)
		if err != nil {
			return nil, err
		}
		period := docno.Period(at, s.loc)
		n, err := docno.Next(tx, "CA", w.Branch, period)
		if err != nil {
			return nil, err
		}
		var entries []entry
		for i, a := range byWH[wh] {
			entries = append(entries, entry{lineNo: int32(i + 1), item: a.Item, value: a.Value})
			if err := tx.Exec(`UPDATE stock_items SET value = value + ?, updated_at = ? WHERE warehouse_id = ? AND item_id = ?`,
				a.Value, now, wh, a.Item).Error; err != nil {
				return nil, err
			}
		}
		d, err := st.insertDocument(StockDocument{Number: docno.Format("CA", b.Code, period, n), Type: DocCostAdjustment,
			Branch: w.Branch, Warehouse: wh, Reason: reason, PostTime: at}, entries)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// StockValues answers the ledger's stock value per warehouse at the end of to (exclusive).
func (s *Service) StockValues(ctx context.Context, to time.Time) (map[int64]int64, error) {
	var rows []struct{ WarehouseID, Value int64 }
	if err := s.db.WithContext(ctx).Raw(`SELECT warehouse_id, COALESCE(SUM(value), 0) AS value FROM stock_ledger
		WHERE posted_at < ? GROUP BY warehouse_id`, to).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.WarehouseID] = r.Value
	}
	return out, nil
}
