package insights

import (
	"cmp"
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/txn"
)

// Demand is weighted over four weeks ending yesterday: the latest week weighs 4, the one
// before 3, then 2, then 1, so the average daily demand is Σ weight×shipped / 70 (7 days ×
// the weights' sum 10), rounded half away from zero.
const (
	demandWeeks   = 4
	demandDivisor = 7 * (4 + 3 + 2 + 1)
)

// Defaults of the computation.
const (
	DefaultLeadTimeDays = 7
	defaultSafetyDays   = 3
	defaultReviewDays   = 7
	expiryHorizonDays   = 90 // lots expiring later are not looked at
)

// ReplenishmentQuery tunes the computation.
type ReplenishmentQuery struct {
	Warehouse              int64
	SafetyDays, ReviewDays int32
}

// Position is one warehouse's position in an item.
type Position struct {
	WarehouseID, ItemID, SupplierID    int64
	DailyDemand                        int64
	LeadTimeDays                       int32
	SafetyStock, ReorderPoint, Maximum int64
	Available                          int64
	OrderQuantity, TransferQuantity    int64
	// OnOrder is ordered from suppliers and not received (open, pending approval or
	// partially received purchase orders); TransferIn is coming from other warehouses
	// (open or in-transit transfers, not received); TransferOut is promised to other
	// warehouses and not shipped yet.
	OnOrder, TransferIn, TransferOut int64

	ItemSKU, ItemName, WarehouseName, SupplierName string // from the catalog
}

// Projected is what the warehouse will have once what is on its way arrives and what it
// promised leaves: the reorder decision compares this, not the stock alone, with the
// reorder point, so a confirmed suggestion is not suggested again the next day.
func (p *Position) Projected() int64 { return p.Available + p.OnOrder + p.TransferIn - p.TransferOut }

// Transfer moves surplus between warehouses.
type Transfer struct {
	From, To, ItemID, Quantity int64

	ItemSKU, ItemName, FromName, ToName string // from the catalog
}

// ExpiryRisk is a lot that will outlive its sale.
type ExpiryRisk struct {
	WarehouseID, ItemID int64
	Lot, Expiry         string
	Quantity, AtRisk    int64

	ItemSKU, ItemName, WarehouseName string // from the catalog
}

// Replenishment is what to order, move and watch.
type Replenishment struct {
	AsOf      time.Time
	Positions []Position
	Transfers []Transfer
	Expiring  []ExpiryRisk
	// Suggestions are the latest run's stored suggestions (of the warehouse asked), with
	// the documents confirmed ones became.
	SuggestionsRunDate string
	Suggestions        []Suggestion
}

// GetReplenishment computes positions, orders, transfers and expiry risks now. Errors:
// Invalid naming the field.
func (s *Service) GetReplenishment(ctx context.Context, q ReplenishmentQuery) (Replenishment, error) {
	var v apperr.Violations
	if q.SafetyDays == 0 {
		q.SafetyDays = defaultSafetyDays
	}
	if q.ReviewDays == 0 {
		q.ReviewDays = defaultReviewDays
	}
	v.Check(q.SafetyDays >= 0 && q.SafetyDays <= 365, "safety_days", "must be 0-365")
	v.Check(q.ReviewDays >= 0 && q.ReviewDays <= 365, "review_days", "must be 0-365")
	v.Check(q.Warehouse >= 0, "warehouse", "must not be negative")
	if err := v.Err("invalid replenishment query"); err != nil {
		return Replenishment{}, err
	}
	g := s.db.WithContext(ctx)
	today := s.today()
	asOf := today.AddDate(0, 0, -1)
	type key struct{ wh, item int64 }
	var demand []struct {
		WarehouseID, ItemID, Weighted int64
	}
	if err := g.Raw(`SELECT warehouse_id, item_id, SUM(shipped_qty * (CASE WHEN day > ? THEN 4 WHEN day > ? THEN 3
		WHEN day > ? THEN 2 ELSE 1 END)) AS weighted FROM insights_daily_sales
		WHERE day BETWEEN ? AND ? AND warehouse_id <> 0 GROUP BY warehouse_id, item_id`,
		day(asOf.AddDate(0, 0, -7)), day(asOf.AddDate(0, 0, -14)), day(asOf.AddDate(0, 0, -21)),
		day(asOf.AddDate(0, 0, -7*demandWeeks+1)), day(asOf)).Scan(&demand).Error; err != nil {
		return Replenishment{}, err
	}
	// stock now, read-only from the warehouse's tables
	var stock []struct{ WarehouseID, ItemID, Available int64 }
	if err := g.Raw(`SELECT warehouse_id, item_id, on_hand - reserved AS available FROM stock_items`).Scan(&stock).Error; err != nil {
		return Replenishment{}, err
	}
	// the last supplier that delivered each item
	var sup []struct{ ItemID, SupplierID int64 }
	if err := g.Raw(`SELECT l.item_id, po.supplier_id FROM purchase_order_lines l JOIN purchase_orders po ON po.id = l.purchase_order_id
		WHERE l.received > 0 ORDER BY po.id`).Scan(&sup).Error; err != nil {
		return Replenishment{}, err
	}
	supplier := map[int64]int64{}
	for _, r := range sup {
		supplier[r.ItemID] = r.SupplierID
	}
	var leads []struct {
		SupplierID, ItemID int64
		Days               int32
	}
	if err := g.Raw(`SELECT supplier_id, item_id, days FROM insights_lead_times`).Scan(&leads).Error; err != nil {
		return Replenishment{}, err
	}
	byItem, bySupplier := map[int64]int32{}, map[int64]int32{}
	for _, l := range leads {
		if l.ItemID != 0 {
			byItem[l.ItemID] = l.Days
		} else {
			bySupplier[l.SupplierID] = l.Days
		}
	}
	pos := map[key]*Position{}
	get := func(k key) *Position {
		p, ok := pos[k]
		if !ok {
			p = &Position{WarehouseID: k.wh, ItemID: k.item, SupplierID: supplier[k.item], LeadTimeDays: DefaultLeadTimeDays}
			if d, ok := bySupplier[p.SupplierID]; ok && p.SupplierID != 0 {
				p.LeadTimeDays = d
			}
			if d, ok := byItem[k.item]; ok {
				p.LeadTimeDays = d
			}
			pos[k] = p
		}
		return p
	}
	for _, d := range demand {
		p := get(key{d.WarehouseID, d.ItemID})
		p.DailyDemand, _ = money.MulDiv(max(d.Weighted, 0), 1, demandDivisor)
	}
	for _, st := range stock {
		get(key{st.WarehouseID, st.ItemID}).Available = st.Available
	}
	// what is on its way, read-only from the warehouse's documents
	var onOrder []struct{ WarehouseID, ItemID, Quantity int64 }
	if err := g.Raw(`SELECT po.warehouse_id, l.item_id, SUM(GREATEST(l.quantity - l.received, 0)) AS quantity
		FROM purchase_orders po JOIN purchase_order_lines l ON l.purchase_order_id = po.id
		WHERE po.status IN ('open', 'pending_approval', 'partially_received') GROUP BY po.warehouse_id, l.item_id`).Scan(&onOrder).Error; err != nil {
		return Replenishment{}, err
	}
	for _, o := range onOrder {
		get(key{o.WarehouseID, o.ItemID}).OnOrder = o.Quantity
	}
	var moving []struct{ FromWarehouseID, ToWarehouseID, ItemID, Unshipped, Unreceived int64 }
	if err := g.Raw(`SELECT t.from_warehouse_id, t.to_warehouse_id, l.item_id, SUM(GREATEST(l.quantity - l.shipped, 0)) AS unshipped,
		SUM(GREATEST(l.quantity - l.received, 0)) AS unreceived FROM transfers t JOIN transfer_lines l ON l.transfer_id = t.id
		WHERE t.status IN ('open', 'in_transit') GROUP BY t.from_warehouse_id, t.to_warehouse_id, l.item_id`).Scan(&moving).Error; err != nil {
		return Replenishment{}, err
	}
	for _, m := range moving {
		get(key{m.FromWarehouseID, m.ItemID}).TransferOut += m.Unshipped
		get(key{m.ToWarehouseID, m.ItemID}).TransferIn += m.Unreceived
	}
	items := map[int64][]*Position{}
	for _, p := range pos {
		p.SafetyStock = p.DailyDemand * int64(q.SafetyDays)
		p.ReorderPoint = p.DailyDemand*int64(p.LeadTimeDays) + p.SafetyStock
		p.Maximum = p.ReorderPoint + p.DailyDemand*int64(q.ReviewDays)
		items[p.ItemID] = append(items[p.ItemID], p)
	}
	out := Replenishment{AsOf: asOf}
	for _, list := range items {
		slices.SortFunc(list, func(a, b *Position) int { return cmp.Compare(a.WarehouseID, b.WarehouseID) })
		// a warehouse above its maximum covers one at or below its reorder point first; it
		// gives only stock it holds and has not promised
		for _, to := range list {
			if to.DailyDemand == 0 || to.Projected() > to.ReorderPoint {
				continue
			}
			need := to.Maximum - to.Projected()
			for _, from := range list {
				surplus := from.Available - from.TransferOut - from.Maximum - moved(out.Transfers, from)
				if from == to || surplus <= 0 || need <= 0 {
					continue
				}
				qty := min(surplus, need)
				out.Transfers = append(out.Transfers, Transfer{From: from.WarehouseID, To: to.WarehouseID, ItemID: to.ItemID, Quantity: qty})
				to.TransferQuantity += qty
				need -= qty
			}
			to.OrderQuantity = need
		}
	}
	for _, p := range pos {
		if p.DailyDemand > 0 && (q.Warehouse == 0 || p.WarehouseID == q.Warehouse) {
			out.Positions = append(out.Positions, *p)
		}
	}
	slices.SortFunc(out.Positions, func(a, b Position) int {
		return cmp.Or(cmp.Compare(a.WarehouseID, b.WarehouseID), cmp.Compare(a.ItemID, b.ItemID))
	})
	if q.Warehouse != 0 {
		out.Transfers = slices.DeleteFunc(out.Transfers, func(t Transfer) bool { return t.From != q.Warehouse && t.To != q.Warehouse })
	}
	slices.SortFunc(out.Transfers, func(a, b Transfer) int {
		return cmp.Or(cmp.Compare(a.ItemID, b.ItemID), cmp.Compare(a.To, b.To), cmp.Compare(a.From, b.From))
	})
	// lots in FEFO order: what sells at the current rate before each lot's expiry
	var lots []struct {
		WarehouseID, ItemID int64
		LotNo, Expiry       string
		OnHand              int64
	}
	if err := g.Raw(`SELECT sl.warehouse_id, sl.item_id, l.lot_no, DATE_FORMAT(l.expiry_date, '%Y-%m-%d') AS expiry, sl.on_hand
		FROM stock_levels sl JOIN lots l ON l.id = sl.lot_id
		WHERE sl.on_hand > 0 AND l.expiry_date IS NOT NULL AND l.expiry_date <= ?
		ORDER BY sl.warehouse_id, sl.item_id, l.expiry_date, l.id`, day(today.AddDate(0, 0, expiryHorizonDays))).Scan(&lots).Error; err != nil {
		return Replenishment{}, err
	}
	var cum int64
	var last key
	for _, l := range lots {
		k := key{l.WarehouseID, l.ItemID}
		if k != last {
			cum, last = 0, k
		}
		cum += l.OnHand
		if q.Warehouse != 0 && l.WarehouseID != q.Warehouse {
			continue
		}
		exp, err := time.Parse(time.DateOnly, l.Expiry)
		if err != nil {
			continue
		}
		days := max(int64(exp.Sub(today).Hours()/24), 0)
		var d int64
		if p := pos[k]; p != nil {
			d = p.DailyDemand
		}
		if risk := min(cum-d*days, l.OnHand); risk > 0 {
			out.Expiring = append(out.Expiring, ExpiryRisk{WarehouseID: l.WarehouseID, ItemID: l.ItemID, Lot: l.LotNo,
				Expiry: l.Expiry, Quantity: l.OnHand, AtRisk: risk})
		}
	}
	var err error
	if out.SuggestionsRunDate, out.Suggestions, err = s.suggestionsOf(ctx, "", q.Warehouse); err != nil {
		return out, err
	}
	return out, s.nameReplenishment(ctx, &out)
}

// moved is how much a warehouse already gives of the item in the transfers so far.
func moved(ts []Transfer, from *Position) int64 {
	var n int64
	for _, t := range ts {
		if t.From == from.WarehouseID && t.ItemID == from.ItemID {
			n += t.Quantity
		}
	}
	return n
}

// Suggestion kinds and statuses.
const (
	KindOrder    = "order"
	KindTransfer = "transfer"
	KindExpiry   = "expiry"

	StatusDraft     = "draft"
	StatusConfirmed = "confirmed"
)

// Suggestion is a stored draft of the daily job.
type Suggestion struct {
	ID                                       int64
	RunDate                                  string
	Kind                                     string
	SupplierID, WarehouseID, FromWarehouseID int64
	ItemID                                   int64
	Lot                                      string
	Quantity                                 int64
	Status, ConfirmedBy                      string
	// The warehouse document a confirmed order or transfer suggestion became
	// (DocumentPurchaseOrder or DocumentTransfer; "" before confirmation and for expiry).
	DocumentType   string
	DocumentID     int64
	DocumentNumber string

	ItemSKU, ItemName, SupplierName, WarehouseName, FromWarehouseName string // from the catalog
}

// ResourceName names the suggestion in the audit log.
func (s Suggestion) ResourceName() string { return "insights/suggestions/" + itoa(s.ID) }

// SuggestReplenishment is the daily job: it computes replenishment with the defaults and
// stores the result as draft suggestions of today, replacing today's earlier drafts
// (confirmed ones stay).
func (s *Service) SuggestReplenishment(ctx context.Context) error {
	r, err := s.GetReplenishment(ctx, ReplenishmentQuery{})
	if err != nil {
		return err
	}
	run := day(s.today())
	now := s.now().UTC()
	var rows []Suggestion
	for _, p := range r.Positions {
		if p.OrderQuantity > 0 {
			rows = append(rows, Suggestion{Kind: KindOrder, SupplierID: p.SupplierID, WarehouseID: p.WarehouseID, ItemID: p.ItemID,
				Quantity: p.OrderQuantity})
		}
	}
	for _, t := range r.Transfers {
		rows = append(rows, Suggestion{Kind: KindTransfer, WarehouseID: t.To, FromWarehouseID: t.From, ItemID: t.ItemID, Quantity: t.Quantity})
	}
	for _, e := range r.Expiring {
		rows = append(rows, Suggestion{Kind: KindExpiry, WarehouseID: e.WarehouseID, ItemID: e.ItemID, Lot: e.Lot, Quantity: e.AtRisk})
	}
	return db.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM insights_suggestions WHERE run_date = ? AND status = ?`, run, StatusDraft).Error; err != nil {
			return err
		}
		for _, x := range rows {
			if err := tx.Exec(`INSERT IGNORE INTO insights_suggestions (run_date, kind, supplier_id, warehouse_id, from_warehouse_id,
				item_id, lot, quantity, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				run, x.Kind, x.SupplierID, x.WarehouseID, x.FromWarehouseID, x.ItemID, x.Lot, x.Quantity, StatusDraft, now, now).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

const suggestionColumns = `id, DATE_FORMAT(run_date, '%Y-%m-%d') AS run_date, kind, supplier_id, warehouse_id, from_warehouse_id,
	item_id, lot, quantity, status, confirmed_by, document_type, document_id, document_number`

// ListSuggestions answers the suggestions of a run day (default: the latest run), with
// names and the documents confirmed ones became. Errors: Invalid naming the field.
func (s *Service) ListSuggestions(ctx context.Context, runDate string) (string, []Suggestion, error) {
	if runDate != "" {
		if _, err := time.Parse(time.DateOnly, runDate); err != nil {
			return "", nil, apperr.Invalid("run_date", "must be a date YYYY-MM-DD")
		}
	}
	run, out, err := s.suggestionsOf(ctx, runDate, 0)
	if err != nil {
		return run, out, err
	}
	return run, out, s.nameSuggestions(ctx, out)
}

// suggestionsOf reads the suggestions of a run day (the latest when ""), of one warehouse
// (receiving or sending) or of all (0).
func (s *Service) suggestionsOf(ctx context.Context, runDate string, warehouse int64) (string, []Suggestion, error) {
	g := s.db.WithContext(ctx)
	if runDate == "" {
		var d []string
		if err := g.Raw(`SELECT COALESCE(DATE_FORMAT(MAX(run_date), '%Y-%m-%d'), '') FROM insights_suggestions`).Scan(&d).Error; err != nil {
			return "", nil, err
		}
		if len(d) == 0 || d[0] == "" {
			return "", nil, nil
		}
		runDate = d[0]
	}
	var out []Suggestion
	err := g.Raw(`SELECT `+suggestionColumns+` FROM insights_suggestions WHERE run_date = ?
		AND (? = 0 OR warehouse_id = ? OR from_warehouse_id = ?) ORDER BY kind, supplier_id, warehouse_id, item_id, id`,
		runDate, warehouse, warehouse, warehouse).Scan(&out).Error
	return runDate, out, err
}

// LeadTime is a lead time setting.
type LeadTime struct {
	SupplierID, ItemID int64
	Days               int32
}

// ResourceName names the setting in the audit log.
func (l LeadTime) ResourceName() string {
	return "insights/leadTimes/" + itoa(l.SupplierID) + "-" + itoa(l.ItemID)
}

// SetLeadTime stores (days > 0) or removes (days 0) a lead time of a supplier or an item.
// Errors: Invalid naming the field.
func (s *Service) SetLeadTime(ctx context.Context, l LeadTime) (LeadTime, error) {
	var v apperr.Violations
	v.Check((l.SupplierID == 0) != (l.ItemID == 0), "supplier_id", "give a supplier or an item, not both")
	v.Check(l.SupplierID >= 0 && l.ItemID >= 0, "item_id", "must not be negative")
	v.Check(l.Days >= 0 && l.Days <= 365, "days", "must be 0-365")
	if err := v.Err("invalid lead time"); err != nil {
		return LeadTime{}, err
	}
	if l.ItemID != 0 {
		l.SupplierID = 0
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (LeadTime, error) {
		if l.Days == 0 {
			return l, tx.Exec(`DELETE FROM insights_lead_times WHERE supplier_id = ? AND item_id = ?`, l.SupplierID, l.ItemID).Error
		}
		return l, tx.Exec(`INSERT INTO insights_lead_times (supplier_id, item_id, days, updated_at) VALUES (?, ?, ?, ?)
			ON DUPLICATE KEY UPDATE days = VALUES(days), updated_at = VALUES(updated_at)`, l.SupplierID, l.ItemID, l.Days, s.now().UTC()).Error
	})
}

// RebuildFacts is Rebuild as a use case: one call, audited, idempotent under the
// request id.
func (s *Service) RebuildFacts(ctx context.Context) (RebuildResult, error) {
	// The rebuild runs outside txn.Mutate's transaction (it works in many statements
	// and TRUNCATE commits implicitly); its audit row is written after it.
	res, err := s.Rebuild(ctx)
	if err != nil {
		return res, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (RebuildResult, error) { return res, nil })
}
