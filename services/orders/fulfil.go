package orders

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/page"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/orders/platform"
	"github.com/erphub/erphub/services/warehouse"
)

// Processing states of an order (Order.FulfilState).
const (
	FulfilNew            = ""
	FulfilHeld           = "held"
	FulfilAwaitingStock  = "awaiting_stock"
	FulfilAllocated      = "allocated"
	FulfilPartShipped    = "partially_shipped"
	FulfilShipped        = "shipped"
	FulfilCancelled      = "cancelled"
	FulfilReturnExpected = "return_expected"
)

// topicShipmentConfirm carries a shipment to the platform.
const topicShipmentConfirm = "orders.shipment.confirm"

// Policy says how a shop's orders are processed.
type Policy struct {
	Shop              int64
	HoldRemarks       bool
	HoldAmountAbove   int64
	DeliveryProvinces []string
	Merge             bool
	Split             bool
	Warehouses        []int64 // allocation priority; empty: the shop's default
	StockWarehouses   []int64 // offered to the shop; empty: the allocation warehouses
	SharePercent      int32
	SafetyStock       int64
}

// ResourceName names the policy in the audit log.
func (p Policy) ResourceName() string { return "shops/" + itoa(p.Shop) + "/policy" }

func defaultPolicy(shop int64) Policy {
	return Policy{Shop: shop, HoldRemarks: true, Merge: true, Split: true, SharePercent: 100}
}

// review answers why an order must wait for people, or "" to let it through.
func (p Policy) review(o *Order) string {
	var why []string
	if p.HoldRemarks && strings.TrimSpace(o.BuyerRemark) != "" {
		why = append(why, "buyer remark: "+clipText(o.BuyerRemark, 80))
	}
	if p.HoldAmountAbove > 0 && o.Paid > p.HoldAmountAbove {
		why = append(why, fmt.Sprintf("paid %d above the limit %d", o.Paid, p.HoldAmountAbove))
	}
	if len(p.DeliveryProvinces) > 0 && !slices.Contains(p.DeliveryProvinces, o.Address.Province) {
		why = append(why, "address outside the delivery area: "+o.Address.Province)
	}
	return clipText(strings.Join(why, "; "), 255)
}

func (p Policy) allocationWarehouses(def int64) []int64 {
	if len(p.Warehouses) > 0 {
		return p.Warehouses
	}
	return []int64{def}
}

func (p Policy) offerWarehouses(def int64) []int64 {
	if len(p.StockWarehouses) > 0 {
		return p.StockWarehouses
	}
	return p.allocationWarehouses(def)
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

func splitIDs(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func (s *Service) policy(g *gorm.DB, shop int64) (Policy, error) {
	var r struct {
		HoldRemarks                             bool
		HoldAmountAbove                         int64
		DeliveryProvinces, Warehouses, StockWhs string
		MergeOrders, SplitByWarehouse           bool
		StockSharePercent                       int32
		SafetyStock                             int64
	}
	res := g.Raw(`SELECT hold_remarks, hold_amount_above, delivery_provinces, warehouses, stock_warehouses AS stock_whs,
		merge_orders, split_by_warehouse, stock_share_percent, safety_stock FROM shop_policies WHERE shop_id = ?`, shop).Scan(&r)
	if res.Error != nil {
		return Policy{}, res.Error
	}
	if res.RowsAffected == 0 {
		return defaultPolicy(shop), nil
	}
	p := Policy{Shop: shop, HoldRemarks: r.HoldRemarks, HoldAmountAbove: r.HoldAmountAbove, Merge: r.MergeOrders,
		Split: r.SplitByWarehouse, Warehouses: splitIDs(r.Warehouses), StockWarehouses: splitIDs(r.StockWhs),
		SharePercent: r.StockSharePercent, SafetyStock: r.SafetyStock}
	if r.DeliveryProvinces != "" {
		p.DeliveryProvinces = strings.Split(r.DeliveryProvinces, ",")
	}
	return p, nil
}

// GetShopPolicy answers a shop's policy (the defaults when none was set). Errors:
// NotFound, Forbidden.
func (s *Service) GetShopPolicy(ctx context.Context, shopRef string) (Policy, error) {
	shop, err := s.shopFor(ctx, shopRef)
	if err != nil {
		return Policy{}, err
	}
	return s.policy(s.db.WithContext(ctx), shop.ID)
}

// SetShopPolicy replaces a shop's policy. Errors: Invalid, NotFound, Forbidden.
func (s *Service) SetShopPolicy(ctx context.Context, shopRef string, p Policy) (Policy, error) {
	shop, err := s.shopFor(ctx, shopRef)
	if err != nil {
		return p, err
	}
	var v apperr.Violations
	v.Check(p.SharePercent >= 0 && p.SharePercent <= 100, "policy.stock_share_percent", "must be 0-100")
	v.Check(p.SafetyStock >= 0, "policy.safety_stock", "must not be negative")
	v.Check(p.HoldAmountAbove >= 0, "policy.hold_amount_above", "must not be negative")
	v.Check(len(p.Warehouses) <= 20 && len(p.StockWarehouses) <= 20, "policy.warehouses", "at most 20")
	for i, prov := range p.DeliveryProvinces {
		v.Check(prov != "" && !strings.Contains(prov, ",") && len(prov) <= 64, fmt.Sprintf("policy.delivery_provinces[%d]", i), "must be a province name")
	}
	for i, wh := range append(slices.Clone(p.Warehouses), p.StockWarehouses...) {
		w, err := s.catalog.Warehouse(ctx, wh)
		if err != nil || w.Archived {
			v.Addf(fmt.Sprintf("policy.warehouses[%d]", i), "warehouse %d does not exist or is archived", wh)
		}
	}
	if err := v.Err("invalid policy"); err != nil {
		return p, err
	}
	p.Shop = shop.ID
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Policy, error) {
		return p, tx.Exec(`INSERT INTO shop_policies (shop_id, hold_remarks, hold_amount_above, delivery_provinces, merge_orders,
			split_by_warehouse, warehouses, stock_warehouses, stock_share_percent, safety_stock, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)
			ON DUPLICATE KEY UPDATE hold_remarks = VALUES(hold_remarks), hold_amount_above = VALUES(hold_amount_above),
			delivery_provinces = VALUES(delivery_provinces), merge_orders = VALUES(merge_orders),
			split_by_warehouse = VALUES(split_by_warehouse), warehouses = VALUES(warehouses),
			stock_warehouses = VALUES(stock_warehouses), stock_share_percent = VALUES(stock_share_percent),
			safety_stock = VALUES(safety_stock), updated_at = VALUES(updated_at)`, p.Shop, p.HoldRemarks, p.HoldAmountAbove,
			strings.Join(p.DeliveryProvinces, ","), p.Merge, p.Split, joinIDs(p.Warehouses), joinIDs(p.StockWarehouses),
			p.SharePercent, p.SafetyStock, s.now()).Error
	})
}

// allocation is what one order gets from one warehouse.
type allocation struct {
	order     *Order
	warehouse int64
	lines     []Line // with ItemQuantity to ship
}

// reserve reserves an order's items: all from the first warehouse that has everything,
// else (when the policy splits) each line from the first warehouse that has it. It
// answers nil when the order cannot be filled; what it reserved for a failed attempt is
// given back in the same transaction.
func (s *Service) reserve(ctx context.Context, tx *gorm.DB, o *Order, lines []Line, warehouses []int64, split bool, short shortages) ([]allocation, error) {
	type held struct{ wh, item, q int64 }
	tryReserve := func(wh, item, q int64) (bool, error) {
		if short.covers(wh, item, q) {
			return false, nil
		}
		got, err := s.warehouse.ReserveIn(ctx, tx, wh, item, q)
		if err == nil && !got {
			short.note(wh, item, q)
		}
		return got, err
	}
	wms := s.warehouse
	var taken []held
	undo := func() error {
		for _, h := range taken {
			if err := wms.ReleaseIn(tx, h.wh, h.item, h.q); err != nil {
				return err
			}
		}
		taken = nil
		return nil
	}
	needs := map[int64]int64{}
	for _, l := range lines {
		needs[l.Item] += l.ItemQuantity
	}
	items := slices.Sorted(maps.Keys(needs))
	if len(items) == 0 {
		return nil, nil
	}
	for _, wh := range warehouses {
		ok := true
		for _, it := range items {
			got, err := tryReserve(wh, it, needs[it])
			if err != nil {
				return nil, err
			}
			if !got {
				ok = false
				break
			}
			taken = append(taken, held{wh, it, needs[it]})
		}
		if ok {
			return []allocation{{order: o, warehouse: wh, lines: lines}}, nil
		}
		if err := undo(); err != nil {
			return nil, err
		}
	}
	if !split || len(warehouses) < 2 {
		return nil, nil
	}
	byWH := map[int64]*allocation{}
	for _, l := range lines {
		placed := false
		for _, wh := range warehouses {
			got, err := tryReserve(wh, l.Item, l.ItemQuantity)
			if err != nil {
				return nil, err
			}
			if got {
				taken = append(taken, held{wh, l.Item, l.ItemQuantity})
				if byWH[wh] == nil {
					byWH[wh] = &allocation{order: o, warehouse: wh}
				}
				byWH[wh].lines = append(byWH[wh].lines, l)
				placed = true
				break
			}
		}
		if !placed {
			return nil, undo()
		}
	}
	var out []allocation
	for _, wh := range slices.Sorted(maps.Keys(byWH)) {
		out = append(out, *byWH[wh])
	}
	return out, nil
}

// shortages remembers, within one allocation transaction, the smallest quantity of an item
// a warehouse could not reserve: availability only shrinks inside the transaction, so any
// larger need fails too and needs no statement. (Releases of a failed attempt give back
// only what that attempt took, which was available anyway.)
type shortages map[[2]int64]int64

func (m shortages) covers(wh, item, q int64) bool {
	min, ok := m[[2]int64{wh, item}]
	return ok && q >= min
}

func (m shortages) note(wh, item, q int64) {
	if min, ok := m[[2]int64{wh, item}]; !ok || q < min {
		m[[2]int64{wh, item}] = q
	}
}

// lineKey names an order line.
type lineKey struct {
	order  int64
	lineNo int32
}

// fulfilled answers, per order line, the item quantity already in live fulfilments
// (allocated or shipped), and which orders have shipped something.
func (s store) fulfilled(orders []int64) (map[lineKey]int64, map[int64]bool, error) {
	var rows []struct {
		OrderID  int64
		LineNo   int32
		Quantity int64
		Shipped  bool
	}
	if err := s.db.Raw(`SELECT l.order_id, l.line_no, SUM(l.quantity) AS quantity, MAX(f.state = ?) AS shipped
		FROM fulfilment_lines l JOIN fulfilments f ON f.id = l.fulfilment_id
		WHERE l.order_id IN ? AND f.state IN ? GROUP BY l.order_id, l.line_no`, FulfilShipped, orders,
		[]string{FulfilAllocated, FulfilShipped}).Scan(&rows).Error; err != nil {
		return nil, nil, err
	}
	done := make(map[lineKey]int64, len(rows))
	shipped := map[int64]bool{}
	for _, r := range rows {
		done[lineKey{r.OrderID, r.LineNo}] = r.Quantity
		shipped[r.OrderID] = shipped[r.OrderID] || r.Shipped
	}
	return done, shipped, nil
}

// toShip answers an order's lines still to be fulfilled: mapped, not refunded, less
// what live fulfilments already cover.
func toShip(o *Order, done map[lineKey]int64) []Line {
	var out []Line
	for _, l := range o.Lines {
		if l.Item == 0 || l.RefundStatus == string(platform.RefundRefunded) {
			continue
		}
		l.ItemQuantity -= done[lineKey{o.ID, l.LineNo}]
		if l.ItemQuantity > 0 {
			out = append(out, l)
		}
	}
	return out
}

// Allocate reviews and allocates up to limit orders waiting, oldest first, in one
// transaction, and answers how many it processed. Orders a rule holds go to the review
// queue; orders no warehouse can fill go to the out-of-stock queue (nothing is reserved
// for them); the others get their stock reserved and a delivery order in the warehouse —
// one per warehouse and, when the policy merges, per buyer and address.
func (s *Service) Allocate(ctx context.Context, limit int) (int, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(`SELECT id FROM orders WHERE fulfil_state = '' AND exception = '' AND shop_id > 0
		AND status = 'paid' ORDER BY id LIMIT ?`, limit).Scan(&ids).Error; err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	ctx = reqctx.WithCall(ctx, &reqctx.Call{RequestID: fmt.Sprintf("alloc-%d", time.Now().UnixNano()), Method: "allocator",
		Principal: reqctx.System})
	n, err := s.allocate(ctx, ids)
	if _, orderFault := apperr.As(err); !orderFault {
		return n, err
	}
	// Something about one order (an archived item or warehouse, say) stops the batch: go
	// one by one, and hold the orders that cannot be allocated for people to look at.
	n = 0
	for _, id := range ids {
		k, err := s.allocate(ctx, []int64{id})
		if _, orderFault := apperr.As(err); orderFault {
			s.log.WarnContext(ctx, "order cannot be allocated", "order", id, "err", err)
			err = s.hold(ctx, id, "allocation failed: "+err.Error())
			k = 1
		}
		if err != nil {
			return n, err
		}
		n += k
	}
	return n, nil
}

// hold puts a new order in the review queue with a reason.
func (s *Service) hold(ctx context.Context, id int64, why string) error {
	return txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		now := s.now()
		res := tx.Exec(`UPDATE orders SET fulfil_state = ?, hold_reason = ?, queued_at = COALESCE(queued_at, ?), version = version + 1,
			updated_at = ? WHERE id = ? AND fulfil_state = ''`, FulfilHeld, clipText(why, 255), now, now, id)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		var status string
		if err := tx.Raw(`SELECT status FROM orders WHERE id = ?`, id).Scan(&status).Error; err != nil {
			return err
		}
		return s.store.with(tx).appendHistory([]historyRow{{order: id, event: "held", from: status, to: status,
			source: "allocation", detail: clipText(why, 255)}}, now)
	})
}

// allocate reviews and allocates the given orders in one transaction.
func (s *Service) allocate(ctx context.Context, ids []int64) (int, error) {
	var processed int
	err := txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		processed = 0
		st := s.store.with(tx)
		var rows []orderRow
		if err := tx.Raw(`SELECT * FROM orders WHERE id IN ? ORDER BY id FOR UPDATE`, ids).Scan(&rows).Error; err != nil {
			return err
		}
		orders := make([]*Order, 0, len(rows))
		released := map[int64]bool{}
		for _, r := range rows {
			if r.FulfilState != FulfilNew || r.Exception != "" || r.Status != string(platform.StatusPaid) {
				continue // another allocator got here first, or the order changed since
			}
			o := r.order()
			orders = append(orders, &o)
			released[o.ID] = r.Released
		}
		if err := st.loadLines(orders); err != nil {
			return err
		}
		done, shippedAny, err := st.fulfilled(ids)
		if err != nil {
			return err
		}
		now := s.now()
		policies := map[int64]Policy{}
		defaults := map[int64]int64{}
		var allocs []allocation
		short := shortages{}
		var history []historyRow
		var events []outbox.Event
		touched := map[int64]map[int64]bool{} // warehouse -> items
		for _, o := range orders {
			processed++
			p, ok := policies[o.Shop]
			if !ok {
				var err error
				if p, err = s.policy(tx, o.Shop); err != nil {
					return err
				}
				policies[o.Shop] = p
				shop, err := s.catalog.Shop(ctx, o.Shop)
				if err != nil {
					return err
				}
				defaults[o.Shop] = shop.DefaultWarehouse
			}
			if why := p.review(o); why != "" && !released[o.ID] {
				o.FulfilState, o.HoldReason = FulfilHeld, why
				history = append(history, historyRow{order: o.ID, event: "held", from: o.Status, to: o.Status, source: "review", detail: why})
				events = append(events, changeEvent(o, "held", o.Status))
				continue
			}
			lines := toShip(o, done)
			if len(lines) == 0 { // every line refunded, or shipped before a change
				o.FulfilState = FulfilCancelled
				if shippedAny[o.ID] {
					o.FulfilState = FulfilShipped
				}
				history = append(history, historyRow{order: o.ID, event: o.FulfilState, from: o.Status, to: o.Status,
					source: "allocation", detail: "nothing (more) to ship"})
				continue
			}
			got, err := s.reserve(ctx, tx, o, lines, p.allocationWarehouses(defaults[o.Shop]), p.Split, short)
			if err != nil {
				return err
			}
			if got == nil {
				o.FulfilState = FulfilAwaitingStock
				history = append(history, historyRow{order: o.ID, event: "awaiting_stock", from: o.Status, to: o.Status,
					source: "allocation", detail: "no warehouse can fill it"})
				continue
			}
			o.FulfilState = FulfilAllocated
			if shippedAny[o.ID] {
				o.FulfilState = FulfilPartShipped
			}
			allocs = append(allocs, got...)
			for _, a := range got {
				if touched[a.warehouse] == nil {
					touched[a.warehouse] = map[int64]bool{}
				}
				for _, l := range a.lines {
					touched[a.warehouse][l.Item] = true
				}
			}
			events = append(events, changeEvent(o, "allocated", o.Status))
		}
		fulfilments, err := s.ship(ctx, tx, allocs, policies, now)
		if err != nil {
			return err
		}
		for _, f := range fulfilments {
			for _, o := range f.orders {
				history = append(history, historyRow{order: o.ID, event: "allocated", from: o.Status, to: o.Status,
					source: "allocation", detail: fmt.Sprintf("warehouse %d, delivery order %d", f.warehouse, f.deliveryOrder)})
			}
		}
		// one statement per outcome (the rows are locked already, so order does not matter)
		type outcome struct{ state, reason string }
		byOutcome := map[outcome][]int64{}
		var outcomes []outcome
		for _, o := range orders {
			k := outcome{o.FulfilState, o.HoldReason}
			if _, ok := byOutcome[k]; !ok {
				outcomes = append(outcomes, k)
			}
			byOutcome[k] = append(byOutcome[k], o.ID)
		}
		for _, k := range outcomes {
			if err := tx.Exec(`UPDATE orders SET fulfil_state = ?, hold_reason = ?, queued_at = COALESCE(queued_at, ?),
				version = version + 1, updated_at = ? WHERE id IN ?`, k.state, k.reason, now, now, byOutcome[k]).Error; err != nil {
				return err
			}
		}
		if err := st.appendHistory(history, now); err != nil {
			return err
		}
		for _, wh := range slices.Sorted(maps.Keys(touched)) {
			if err := s.warehouse.NotifyStockChanged(ctx, tx, wh, slices.Sorted(maps.Keys(touched[wh])), false); err != nil {
				return err
			}
		}
		return s.outbox.Publish(ctx, tx, events...)
	})
	if err == nil {
		s.outbox.Notify()
	}
	return processed, err
}

// fulfilment is one delivery order being created or added to.
type fulfilment struct {
	shop, warehouse, deliveryOrder int64
	mergeKey                       string
	existing                       bool // lines added to an open delivery order
	orders                         []*Order
	lines                          []allocation
}

// deliverySource is the Source of the delivery orders the hub creates; a fulfilment's id
// is its delivery order's id.
const deliverySource = "orderHub"

// mergeKey names what merges: the same buyer and the same address.
func mergeKey(o *Order) string {
	a := o.Address
	h := sha256.Sum256([]byte(strings.Join([]string{o.Buyer.PlatformID, o.Buyer.Nick, a.Name, a.Phone, a.Country, a.Province,
		a.City, a.District, a.Street}, "\x00")))
	return hex.EncodeToString(h[:16])
}

// ship groups allocations into fulfilments (per warehouse; per buyer and address when the
// shop merges, also with an earlier order's delivery order that is still open and not
// being scanned) and creates the delivery orders, all in a handful of statements.
func (s *Service) ship(ctx context.Context, tx *gorm.DB, allocs []allocation, policies map[int64]Policy, now time.Time) ([]*fulfilment, error) {
	groups := map[string]*fulfilment{}
	var out []*fulfilment
	var keys []string
	for i, a := range allocs {
		key := fmt.Sprintf("%d/%d/#%d", a.order.Shop, a.warehouse, i)
		mk := ""
		if policies[a.order.Shop].Merge {
			mk = mergeKey(a.order)
			key = fmt.Sprintf("%d/%d/%s", a.order.Shop, a.warehouse, mk)
		}
		f, ok := groups[key]
		if !ok || len(f.lines) >= 100 { // a delivery order takes up to 500 lines
			f = &fulfilment{shop: a.order.Shop, warehouse: a.warehouse, mergeKey: mk}
			groups[key] = f
			out = append(out, f)
			if mk != "" {
				keys = append(keys, mk)
			}
		}
		if !slices.Contains(f.orders, a.order) {
			f.orders = append(f.orders, a.order)
		}
		f.lines = append(f.lines, a)
	}
	if len(out) == 0 {
		return nil, nil
	}
	if err := s.mergeIntoOpen(ctx, tx, out, keys); err != nil {
		return nil, err
	}
	var fresh []*fulfilment
	var dos []warehouse.DeliveryOrder
	for _, f := range out {
		if f.existing {
			continue
		}
		o := f.orders[0]
		fresh = append(fresh, f)
		dos = append(dos, warehouse.DeliveryOrder{Warehouse: f.warehouse, Customer: o.Customer, Source: deliverySource,
			RetailerPONumber: clipText(o.PlatformOrderID, 64), Lines: deliveryLines(f)})
	}
	dos, err := s.warehouse.CreateDeliveryOrdersIn(ctx, tx, dos)
	if err != nil {
		return nil, err
	}
	fArgs := make([]any, 0, len(fresh)*6)
	for i, f := range fresh {
		f.deliveryOrder = dos[i].ID
		fArgs = append(fArgs, f.deliveryOrder, f.shop, f.warehouse, f.mergeKey, FulfilAllocated, now)
	}
	if len(fresh) > 0 {
		if err := tx.Exec(`INSERT INTO fulfilments (id, shop_id, warehouse_id, merge_key, state, created_at) VALUES `+row(len(fresh), 6),
			fArgs...).Error; err != nil {
			return nil, err
		}
	}
	var lArgs []any
	n := 0
	for _, f := range out {
		for _, a := range f.lines {
			for _, l := range a.lines {
				lArgs = append(lArgs, f.deliveryOrder, a.order.ID, l.LineNo, l.Item, l.ItemQuantity)
				n++
			}
		}
	}
	if err := tx.Exec(`INSERT INTO fulfilment_lines (fulfilment_id, order_id, line_no, item_id, quantity) VALUES `+row(n, 5), lArgs...).Error; err != nil {
		return nil, err
	}
	return out, nil
}

func deliveryLines(f *fulfilment) []warehouse.Line {
	var lines []warehouse.Line
	for _, a := range f.lines {
		for _, l := range a.lines {
			lines = append(lines, warehouse.Line{Item: l.Item, Quantity: l.ItemQuantity, UnitPrice: l.UnitPrice})
		}
	}
	return lines
}

// mergeIntoOpen adds merging groups to the open delivery orders of earlier orders of the
// same buyer and address, where the warehouse still lets them grow.
func (s *Service) mergeIntoOpen(ctx context.Context, tx *gorm.DB, out []*fulfilment, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	var open []struct {
		ID, ShopID, WarehouseID int64
		MergeKey                string
	}
	if err := tx.Raw(`SELECT id, shop_id, warehouse_id, merge_key FROM fulfilments WHERE merge_key IN ? AND state = ?
		ORDER BY id DESC`, keys, FulfilAllocated).Scan(&open).Error; err != nil {
		return err
	}
	for _, f := range out {
		if f.mergeKey == "" {
			continue
		}
		for _, o := range open {
			if o.MergeKey != f.mergeKey || o.ShopID != f.shop || o.WarehouseID != f.warehouse {
				continue
			}
			ok, err := s.warehouse.AppendReservedLinesIn(ctx, tx, o.ID, deliveryLines(f))
			if err != nil {
				return err
			}
			if ok {
				f.deliveryOrder, f.existing = o.ID, true
				break
			}
		}
	}
	return nil
}

// Requeue sends orders waiting for stock of items back to allocation (oldest first, as
// they keep their place), when stock of those items arrived in a warehouse.
func (s *Service) Requeue(ctx context.Context, items []int64) (int64, error) {
	if len(items) == 0 {
		return 0, nil
	}
	res := s.db.WithContext(ctx).Exec(`UPDATE orders SET fulfil_state = '' WHERE fulfil_state = ? AND id IN
		(SELECT DISTINCT order_id FROM order_lines WHERE item_id IN ?)`, FulfilAwaitingStock, items)
	return res.RowsAffected, res.Error
}

// onStockChanged reacts to stock changes (outbox subscriber): orders waiting for stock go
// back to allocation when it may have grown, and the shop SKUs of the items are marked for
// the stock pusher. Both are database writes only, so a slow platform cannot hold up the
// stream.
func (s *Service) onStockChanged(ctx context.Context, d outbox.Delivery) error {
	var ev warehouse.StockChanged
	if err := d.Decode(&ev); err != nil {
		return err
	}
	if ev.MayIncrease {
		n, err := s.Requeue(ctx, ev.Items)
		if err != nil {
			return err
		}
		if n > 0 {
			s.Kick()
		}
	}
	if err := s.markStockDirty(ctx, ev.Items); err != nil {
		return err
	}
	s.KickStock()
	return nil
}

// Kick wakes the local allocator.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// RunAllocator allocates waiting orders until ctx ends: in batches while there is work,
// then on a kick (a new paid order, stock arriving) or every second.
func (s *Service) RunAllocator(ctx context.Context) {
	for {
		n, err := s.Allocate(ctx, 200)
		if err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "allocation failed", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-time.After(time.Second):
		}
	}
}

// onOrderChanged reacts to orders that changed on the platform: a new paid order wakes the
// allocator; a cancelled one (or one whose every line was refunded) is cancelled here too.
func (s *Service) onOrderChanged(ctx context.Context, d outbox.Delivery) error {
	var ev OrderChanged
	if err := d.Decode(&ev); err != nil {
		return err
	}
	switch {
	case ev.Status == string(platform.StatusCancelled) && ev.Event == "status_changed":
		_, err := s.cancel(ctx, ev.Order, "cancelled on the platform")
		if apperr.IsKind(err, apperr.KindRefused) {
			return nil // nothing to undo (already shipped: a return is expected, or already cancelled)
		}
		return err
	case ev.Event == "updated" || ev.Event == "status_changed":
		if err := s.applyRefunds(ctx, ev.Order); err != nil {
			return err
		}
	}
	if ev.Status == string(platform.StatusPaid) || ev.Event == "resolved" {
		s.Kick()
	}
	return nil
}

// applyRefunds follows refunds of an order erphub is fulfilling: a refunded line not yet
// shipped gives its stock back (the open delivery orders are cancelled and the order goes
// back to allocation for what is left); a refunded line that shipped opens an expected
// return.
func (s *Service) applyRefunds(ctx context.Context, id int64) error {
	ctx = reqctx.WithCall(ctx, &reqctx.Call{RequestID: fmt.Sprintf("refund-%d-%d", id, time.Now().UnixNano()),
		Method: "refunds", Principal: reqctx.System})
	requeued := false
	err := txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		requeued = false
		var r orderRow
		res := tx.Raw(`SELECT * FROM orders WHERE id = ? FOR UPDATE`, id).Scan(&r)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		if r.FulfilState != FulfilAllocated && r.FulfilState != FulfilPartShipped && r.FulfilState != FulfilShipped {
			return nil
		}
		o := r.order()
		st := s.store.with(tx)
		if err := st.loadLines([]*Order{&o}); err != nil {
			return err
		}
		refunded := map[int32]bool{}
		for _, l := range o.Lines {
			if l.RefundStatus == string(platform.RefundRefunded) {
				refunded[l.LineNo] = true
			}
		}
		if len(refunded) == 0 {
			return nil
		}
		var lines []struct {
			LineNo int32
			State  string
		}
		if err := tx.Raw(`SELECT l.line_no, f.state FROM fulfilment_lines l JOIN fulfilments f ON f.id = l.fulfilment_id
			WHERE l.order_id = ? AND f.state IN ?`, id, []string{FulfilAllocated, FulfilShipped}).Scan(&lines).Error; err != nil {
			return err
		}
		var open, shipped bool
		for _, l := range lines {
			if refunded[l.LineNo] {
				open = open || l.State == FulfilAllocated
				shipped = shipped || l.State == FulfilShipped
			}
		}
		now := s.now()
		var history []historyRow
		state := r.FulfilState
		if open {
			if err := s.undoFulfilments(ctx, tx, id, now); err != nil {
				return err
			}
			state, requeued = FulfilNew, true
			history = append(history, historyRow{order: id, event: "reallocating", from: o.Status, to: o.Status,
				source: "refund", detail: "a line was refunded before shipping: its delivery was cancelled"})
		}
		if shipped {
			state, requeued = FulfilReturnExpected, false
			history = append(history, historyRow{order: id, event: "return_expected", from: o.Status, to: o.Status,
				source: "refund", detail: "a shipped line was refunded"})
		}
		if state == r.FulfilState {
			return nil
		}
		if err := tx.Exec(`UPDATE orders SET fulfil_state = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			state, now, id).Error; err != nil {
			return err
		}
		return st.appendHistory(history, now)
	})
	if err == nil && requeued {
		s.Kick()
	}
	return err
}

// ReleaseOrder lets a held order go on to allocation. Errors: NotFound, Forbidden,
// Refused (not held).
func (s *Service) ReleaseOrder(ctx context.Context, id int64) (Order, error) {
	o, err := s.GetOrder(ctx, id)
	if err != nil {
		return o, err
	}
	out, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Order, error) {
		res := tx.Exec(`UPDATE orders SET fulfil_state = '', hold_reason = '', released = 1, version = version + 1, updated_at = ?
			WHERE id = ? AND fulfil_state = ?`, s.now(), id, FulfilHeld)
		if res.Error != nil {
			return o, res.Error
		}
		if res.RowsAffected == 0 {
			return o, apperr.Refused("NOT_HELD", "only a held order can be released")
		}
		o.FulfilState, o.HoldReason = FulfilNew, ""
		return o, s.store.with(tx).appendHistory([]historyRow{{order: id, event: "released", from: o.Status, to: o.Status,
			source: "review", reqID: reqctx.RequestID(ctx), detail: "released by " + reqctx.PrincipalFrom(ctx).Name}}, s.now())
	})
	if err == nil {
		s.Kick()
	}
	return out, err
}

// CancelOrder cancels an order erphub has not shipped. Errors: NotFound, Forbidden,
// Refused (already shipped or cancelled), ErrInUse from the warehouse (being scanned).
func (s *Service) CancelOrder(ctx context.Context, id int64, reason string) (Order, error) {
	if _, err := s.GetOrder(ctx, id); err != nil {
		return Order{}, err
	}
	return s.cancel(ctx, id, firstNonEmpty(clipText(reason, 200), "cancelled by "+reqctx.PrincipalFrom(ctx).Name))
}

func (s *Service) cancel(ctx context.Context, id int64, reason string) (Order, error) {
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Order, error) {
		var r orderRow
		if err := tx.Raw(`SELECT * FROM orders WHERE id = ? FOR UPDATE`, id).Scan(&r).Error; err != nil {
			return Order{}, err
		}
		o := r.order()
		now := s.now()
		var history []historyRow
		switch r.FulfilState {
		case FulfilCancelled:
			return o, apperr.Refused("ALREADY_CANCELLED", "the order is cancelled already")
		case FulfilShipped, FulfilPartShipped, FulfilReturnExpected:
			if r.FulfilState != FulfilReturnExpected {
				if err := tx.Exec(`UPDATE orders SET fulfil_state = ?, version = version + 1, updated_at = ? WHERE id = ?`,
					FulfilReturnExpected, now, id).Error; err != nil {
					return o, err
				}
				history = append(history, historyRow{order: id, event: "return_expected", from: o.Status, to: o.Status,
					source: "cancellation", detail: reason})
			}
			if err := s.store.with(tx).appendHistory(history, now); err != nil {
				return o, err
			}
			return o, apperr.Refused("ALREADY_SHIPPED", "the order has shipped: a return is expected")
		case FulfilAllocated:
			if err := s.undoFulfilments(ctx, tx, id, now); err != nil {
				return o, err
			}
		}
		if err := tx.Exec(`UPDATE orders SET fulfil_state = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			FulfilCancelled, now, id).Error; err != nil {
			return o, err
		}
		o.FulfilState = FulfilCancelled
		history = append(history, historyRow{order: id, event: "cancelled", from: o.Status, to: o.Status, source: "cancellation",
			detail: reason, reqID: reqctx.RequestID(ctx)})
		return o, s.store.with(tx).appendHistory(history, now)
	})
}

// undoFulfilments cancels the delivery orders of an order's open fulfilments (releasing
// their reservations); orders merged into the same delivery go back to allocation.
func (s *Service) undoFulfilments(ctx context.Context, tx *gorm.DB, order int64, now time.Time) error {
	var fs []struct{ ID int64 }
	if err := tx.Raw(`SELECT DISTINCT f.id FROM fulfilments f JOIN fulfilment_lines l ON l.fulfilment_id = f.id
		WHERE l.order_id = ? AND f.state = ? ORDER BY f.id FOR UPDATE`, order, FulfilAllocated).Scan(&fs).Error; err != nil {
		return err
	}
	for _, f := range fs {
		if _, err := s.warehouse.CancelDeliveryOrderIn(ctx, tx, f.ID); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE fulfilments SET state = ? WHERE id = ?`, FulfilCancelled, f.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE orders SET fulfil_state = '', version = version + 1, updated_at = ? WHERE id <> ? AND id IN
			(SELECT order_id FROM fulfilment_lines WHERE fulfilment_id = ?)`, now, order, f.ID).Error; err != nil {
			return err
		}
	}
	return nil
}

// shipmentConfirm is the payload of topicShipmentConfirm.
type shipmentConfirm struct {
	Order      int64    `json:"order"`
	Fulfilment int64    `json:"fulfilment"`
	Carrier    string   `json:"carrier"`
	Tracking   []string `json:"tracking"`
}

// onDocumentPosted records shipments when the warehouse scans out a fulfilment's delivery
// order, and queues their tracking for the platforms.
func (s *Service) onDocumentPosted(ctx context.Context, d outbox.Delivery) error {
	var ev warehouse.PostedEvent
	if err := d.Decode(&ev); err != nil {
		return err
	}
	if ev.Type != warehouse.DocDelivery || ev.OrderRef != deliverySource || ev.DeliveryOrder == 0 {
		return nil
	}
	fid := ev.DeliveryOrder
	ctx = reqctx.WithCall(ctx, &reqctx.Call{RequestID: d.RequestID, Method: "shipment", Principal: reqctx.System})
	err := txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		var f struct {
			State, Tracking string
		}
		res := tx.Raw(`SELECT state, tracking FROM fulfilments WHERE id = ? FOR UPDATE`, fid).Scan(&f)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		tracking := ev.TrackingNumbers
		if f.Tracking != "" {
			for _, t := range strings.Split(f.Tracking, ",") {
				if slices.Contains(tracking, t) {
					return nil // this posting was recorded before (a redelivered event)
				}
			}
			tracking = append(strings.Split(f.Tracking, ","), tracking...)
		}
		now := s.now()
		if err := tx.Exec(`UPDATE fulfilments SET state = ?, carrier = ?, tracking = ?, shipped_at = COALESCE(shipped_at, ?) WHERE id = ?`,
			FulfilShipped, ev.Carrier, strings.Join(tracking, ","), now, fid).Error; err != nil {
			return err
		}
		var orderIDs []int64
		if err := tx.Raw(`SELECT DISTINCT order_id FROM fulfilment_lines WHERE fulfilment_id = ? ORDER BY order_id`, fid).Scan(&orderIDs).Error; err != nil {
			return err
		}
		var history []historyRow
		var events []outbox.Event
		for _, oid := range orderIDs {
			var open int64
			if err := tx.Raw(`SELECT COUNT(DISTINCT f.id) FROM fulfilments f JOIN fulfilment_lines l ON l.fulfilment_id = f.id
				WHERE l.order_id = ? AND f.state = ?`, oid, FulfilAllocated).Scan(&open).Error; err != nil {
				return err
			}
			state := FulfilShipped
			if open > 0 {
				state = FulfilPartShipped
			}
			if err := tx.Exec(`UPDATE orders SET fulfil_state = ?, version = version + 1, updated_at = ? WHERE id = ? AND fulfil_state IN (?, ?)`,
				state, now, oid, FulfilAllocated, FulfilPartShipped).Error; err != nil {
				return err
			}
			history = append(history, historyRow{order: oid, event: "shipped", source: "warehouse",
				detail: strings.TrimSpace(ev.Carrier + " " + strings.Join(ev.TrackingNumbers, " "))})
			events = append(events, outbox.Event{Topic: topicShipmentConfirm, Key: "orders/" + itoa(oid),
				Payload: shipmentConfirm{Order: oid, Fulfilment: fid, Carrier: ev.Carrier, Tracking: ev.TrackingNumbers}})
		}
		if err := s.store.with(tx).appendHistory(history, now); err != nil {
			return err
		}
		return s.outbox.Publish(ctx, tx, events...)
	})
	if err == nil {
		s.outbox.Notify()
	}
	return err
}

// Fulfilment is what ships together (for views).
type Fulfilment struct {
	ID, Shop, Warehouse, DeliveryOrder int64
	State, Carrier                     string
	Tracking                           []string
	ShipTime                           *time.Time
	Lines                              []FulfilmentLine
}

// FulfilmentLine is one order line in a fulfilment.
type FulfilmentLine struct {
	Order          int64
	LineNo         int32
	Item, Quantity int64
}

// PlatformPush is one attempt to tell a platform something.
type PlatformPush struct {
	At                           time.Time
	Kind, Outcome, Error, Detail string
}

func (s store) fulfilmentsOf(order int64) ([]Fulfilment, error) {
	var ids []int64
	if err := s.db.Raw(`SELECT DISTINCT fulfilment_id FROM fulfilment_lines WHERE order_id = ? ORDER BY fulfilment_id`, order).
		Scan(&ids).Error; err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.fulfilments(ids)
}

func (s store) fulfilments(ids []int64) ([]Fulfilment, error) {
	var rows []struct {
		ID, ShopID, WarehouseID  int64
		State, Carrier, Tracking string
		ShippedAt                *time.Time
	}
	if err := s.db.Raw(`SELECT id, shop_id, warehouse_id, state, carrier, tracking, shipped_at FROM fulfilments
		WHERE id IN ? ORDER BY id DESC`, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	var lines []struct {
		FulfilmentID, OrderID, ItemID, Quantity int64
		LineNo                                  int32
	}
	if err := s.db.Raw(`SELECT fulfilment_id, order_id, line_no, item_id, quantity FROM fulfilment_lines WHERE fulfilment_id IN ?
		ORDER BY fulfilment_id, order_id, line_no`, ids).Scan(&lines).Error; err != nil {
		return nil, err
	}
	out := make([]Fulfilment, len(rows))
	idx := map[int64]int{}
	for i, r := range rows {
		out[i] = Fulfilment{ID: r.ID, Shop: r.ShopID, Warehouse: r.WarehouseID, DeliveryOrder: r.ID, State: r.State,
			Carrier: r.Carrier, ShipTime: r.ShippedAt}
		if r.Tracking != "" {
			out[i].Tracking = strings.Split(r.Tracking, ",")
		}
		idx[r.ID] = i
	}
	for _, l := range lines {
		f := &out[idx[l.FulfilmentID]]
		f.Lines = append(f.Lines, FulfilmentLine{Order: l.OrderID, LineNo: l.LineNo, Item: l.ItemID, Quantity: l.Quantity})
	}
	return out, nil
}

func (s store) pushesOf(order int64) ([]PlatformPush, error) {
	var out []PlatformPush
	err := s.db.Raw(`SELECT at, kind, outcome, error, detail FROM platform_pushes WHERE order_id = ? ORDER BY id`, order).Scan(&out).Error
	return out, err
}

// ListShipments pages through a shop's shipped fulfilments, newest first. Errors: NotFound,
// Forbidden, Invalid.
func (s *Service) ListShipments(ctx context.Context, shopRef string, size int32, token string) ([]Fulfilment, string, error) {
	shop, err := s.shopFor(ctx, shopRef)
	if err != nil {
		return nil, "", err
	}
	pr, err := page.Parse(size, token, shop.ID)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT id FROM fulfilments WHERE shop_id = ? AND state = ?`
	args := []any{shop.ID, FulfilShipped}
	if pr.After > 0 {
		q += ` AND id < ?`
		args = append(args, pr.After)
	}
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(q+` ORDER BY id DESC LIMIT ?`, append(args, pr.Limit())...).Scan(&ids).Error; err != nil {
		return nil, "", err
	}
	next, n := pr.Next(ids)
	if n == 0 {
		return nil, next, nil
	}
	fs, err := s.store.with(s.db.WithContext(ctx)).fulfilments(ids[:n])
	return fs, next, err
}
