package orders

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/services/catalog"
	"github.com/erphub/erphub/services/orders/platform"
)

// Telling the platforms: shipments with their tracking numbers, and the stock each shop
// may sell. Both go through the outbox (at least once, retried with backoff) and every
// attempt is recorded in platform_pushes.

// errNoConnection: the shop has no API connection; its connector pulls instead.
var errNoConnection = errors.New("the shop has no platform connection")

// adapters answers a shop's platform connectors.
func (s *Service) adapters(ctx context.Context, shop catalog.Shop) (platform.Shipper, platform.StockSetter, error) {
	c, err := s.connection(s.db.WithContext(ctx), shop.ID)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return nil, nil, errNoConnection
	}
	if err != nil {
		return nil, nil, err
	}
	_, shipper, setter, err := platform.ByPlatform(shop.Platform, platform.Credentials{BaseURL: c.BaseURL, AppKey: c.AppKey,
		AppSecret: c.AppSecret, AccessToken: c.AccessToken}, s.opt.HTTPClient)
	if err != nil {
		return nil, nil, errNoConnection
	}
	return shipper, setter, nil
}

func (s *Service) recordPush(ctx context.Context, shop, order int64, kind, sku, detail string, err error) {
	outcome, msg := "ok", ""
	switch {
	case errors.Is(err, errNoConnection):
		outcome, msg = "skipped", err.Error()
	case err != nil:
		outcome, msg = "failed", err.Error()
	}
	if werr := s.db.WithContext(context.WithoutCancel(ctx)).Exec(`INSERT INTO platform_pushes (shop_id, kind, order_id, sku, detail,
		outcome, error, at) VALUES (?,?,?,?,?,?,?,?)`, shop, kind, order, text.Clip(sku, 64), text.Clip(detail, 512), outcome,
		text.Clip(msg, 1000), s.now()).Error; werr != nil {
		s.log.ErrorContext(ctx, "record platform push", "err", werr)
	}
}

// confirmShipment sends a shipment's carrier and tracking numbers to the platform
// (outbox subscriber: a failure is retried with backoff).
func (s *Service) confirmShipment(ctx context.Context, d outbox.Delivery) error {
	var ev shipmentConfirm
	if err := d.Decode(&ev); err != nil {
		return err
	}
	o, err := s.store.with(s.db.WithContext(ctx)).order(ev.Order)
	if err != nil {
		return err
	}
	shop, err := s.catalog.Shop(ctx, o.Shop)
	if err != nil {
		return err
	}
	// A shipment of part of the order (split over warehouses) names its lines; one of the
	// whole order names none, so platforms that treat named lines as a split (Taobao's
	// is_split) see a plain shipment.
	fs, err := s.store.with(s.db.WithContext(ctx)).fulfilments([]int64{ev.Fulfilment})
	if err != nil {
		return err
	}
	shipped := map[int32]bool{}
	if len(fs) == 1 {
		for _, fl := range fs[0].Lines {
			if fl.Order == o.ID {
				shipped[fl.LineNo] = true
			}
		}
	}
	var lineIDs []string
	whole := true
	for _, l := range o.Lines {
		switch {
		case shipped[l.LineNo] && l.PlatformLineID != "":
			lineIDs = append(lineIDs, l.PlatformLineID)
		case !shipped[l.LineNo] && l.Item != 0 && l.RefundStatus != string(platform.RefundRefunded):
			whole = false
		}
	}
	if whole {
		lineIDs = nil
	}
	detail := strings.TrimSpace(ev.Carrier + " " + strings.Join(ev.Tracking, " "))
	shipper, _, err := s.adapters(ctx, shop)
	if err == nil {
		if len(ev.Tracking) == 0 {
			err = errors.New("the shipment has no tracking number")
		} else {
			tracking := ev.Tracking
			if l, ok := shipper.(platform.WaybillLimiter); ok && len(tracking) > l.MaxWaybills() {
				// the platform takes the first parcels' numbers; the rest stay in erphub
				tracking = tracking[:l.MaxWaybills()]
				detail += fmt.Sprintf(" (the platform takes %d tracking number(s))", l.MaxWaybills())
			}
			err = shipper.ConfirmShipment(ctx, platform.Shipment{PlatformOrderID: o.PlatformOrderID, Carrier: ev.Carrier,
				TrackingNumbers: tracking, LineIDs: lineIDs})
		}
	}
	if errors.Is(err, platform.ErrAlreadyShipped) {
		// a retry after a confirmation whose answer was lost: the platform has it
		detail += " (the platform had it already)"
		err = nil
	}
	s.recordPush(ctx, o.Shop, o.ID, "shipment", "", detail, err)
	if errors.Is(err, errNoConnection) {
		return nil // the connector reads shipments through the API
	}
	return err
}

// offer answers what a shop may sell of an item, in units of the SKU: the available stock
// of the shop's warehouses times its share, less the safety stock, never below zero.
func offer(available int64, p Policy, perUnit int64) int64 {
	share, _ := money.MulDiv(available, int64(p.SharePercent), 100)
	q := share - p.SafetyStock
	if q <= 0 || perUnit <= 0 {
		return 0
	}
	return q / perUnit // whole units: a shop never offers a part it cannot ship
}

// Stock levels reach the platforms in two steps. A stock change (an outbox event from the
// warehouse) marks the shop SKUs of its items dirty in shop_stock, in the database and
// without calling anyone, so a slow platform never holds up the event stream. The stock
// pusher then claims dirty rows once their debounce has passed, computes each level and
// pushes it when it differs from the last level pushed. A burst of changes becomes one
// push; a failed push backs off per SKU and pushes the then-current level; a mark that
// arrives while a push is in flight (changes moved on) makes the row due again.

// markStockDirty marks the SKUs that stand for these items in connected shops.
func (s *Service) markStockDirty(ctx context.Context, items []int64) error {
	if len(items) == 0 {
		return nil
	}
	now := s.now()
	return s.db.WithContext(ctx).Exec(`INSERT INTO shop_stock (shop_id, sku, item_id, changes, dirty_at, due_at)
		SELECT m.shop_id, m.sku, m.item_id, 1, ?, ? FROM sku_mappings m JOIN shop_connections c ON c.shop_id = m.shop_id
		WHERE m.item_id IN ?
		ON DUPLICATE KEY UPDATE item_id = VALUES(item_id), changes = changes + 1,
			due_at = COALESCE(due_at, VALUES(due_at)), dirty_at = COALESCE(dirty_at, VALUES(dirty_at))`,
		now, now.Add(s.opt.StockDebounce), items).Error
}

// PushAllStock is the scheduled job body: every mapped SKU of every connected shop is
// marked for a check, so levels that drifted (or were never pushed) are pushed.
func (s *Service) PushAllStock(ctx context.Context) error {
	now := s.now()
	err := s.db.WithContext(ctx).Exec(`INSERT INTO shop_stock (shop_id, sku, item_id, changes, dirty_at, due_at)
		SELECT m.shop_id, m.sku, m.item_id, 1, ?, ? FROM sku_mappings m JOIN shop_connections c ON c.shop_id = m.shop_id
		ON DUPLICATE KEY UPDATE item_id = VALUES(item_id), changes = changes + 1,
			due_at = COALESCE(due_at, VALUES(due_at)), dirty_at = COALESCE(dirty_at, VALUES(dirty_at))`, now, now).Error
	if err == nil {
		s.KickStock()
	}
	return err
}

// KickStock wakes the local stock pusher.
func (s *Service) KickStock() {
	select {
	case s.stockKick <- struct{}{}:
	default:
	}
}

// RunStockPusher pushes due stock levels until ctx ends.
func (s *Service) RunStockPusher(ctx context.Context) {
	for {
		n, err := s.PushStockOnce(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "stock push failed", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.stockKick:
			// let the debounce pass before looking
			select {
			case <-ctx.Done():
				return
			case <-time.After(s.opt.StockDebounce):
			}
		case <-time.After(s.opt.StockPoll):
		}
	}
}

// dueLevel is a claimed shop_stock row with its mapping.
type dueLevel struct {
	ShopID         int64
	SKU            string `gorm:"column:sku"`
	ItemID         int64
	PushedQuantity *int64
	Changes        int64
	Attempts       int
	PerUnit        *int64 // nil: the mapping is gone
}

// PushStockOnce claims the due stock levels (up to 500) and pushes the changed ones, shop
// by shop in parallel, and answers how many it claimed.
func (s *Service) PushStockOnce(ctx context.Context) (int, error) {
	now := s.now()
	claim := fmt.Sprintf("%s-%d", s.replica, s.claimSeq.Add(1))
	res := s.db.WithContext(ctx).Exec(`UPDATE shop_stock SET claimed_by = ?, claimed_until = ?
		WHERE due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY due_at LIMIT 500`,
		claim, now.Add(30*time.Second), now, now)
	if res.Error != nil || res.RowsAffected == 0 {
		return 0, res.Error
	}
	var rows []dueLevel
	if err := s.db.WithContext(ctx).Raw(`SELECT st.shop_id, st.sku, st.item_id, st.pushed_quantity, st.changes, st.attempts,
		m.quantity AS per_unit FROM shop_stock st LEFT JOIN sku_mappings m ON m.shop_id = st.shop_id AND m.sku = st.sku
		WHERE st.claimed_by = ? ORDER BY st.shop_id, st.sku`, claim).Scan(&rows).Error; err != nil {
		return 0, err
	}
	byShop := map[int64][]dueLevel{}
	for _, r := range rows {
		byShop[r.ShopID] = append(byShop[r.ShopID], r)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, 8)
	)
	for _, shop := range slices.Sorted(maps.Keys(byShop)) {
		wg.Add(1)
		sem <- struct{}{}
		go func(levels []dueLevel) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := s.pushShopLevels(ctx, claim, levels); err != nil {
				mu.Lock()
				first = cmp.Or(first, err)
				mu.Unlock()
			}
		}(byShop[shop])
	}
	wg.Wait()
	return len(rows), first
}

// pushShopLevels pushes one shop's claimed levels, one SKU at a time.
func (s *Service) pushShopLevels(ctx context.Context, claim string, levels []dueLevel) error {
	g := s.db.WithContext(context.WithoutCancel(ctx))
	release := func(l dueLevel) error {
		return g.Exec(`UPDATE shop_stock SET claimed_by = NULL, claimed_until = NULL WHERE shop_id = ? AND sku = ? AND claimed_by = ?`,
			l.ShopID, l.SKU, claim).Error
	}
	shop, err := s.catalog.Shop(ctx, levels[0].ShopID)
	if err != nil {
		for _, l := range levels {
			_ = release(l)
		}
		return err
	}
	p, err := s.policy(g, shop.ID)
	if err != nil {
		for _, l := range levels {
			_ = release(l)
		}
		return err
	}
	whs := p.offerWarehouses(shop.DefaultWarehouse)
	_, setter, connErr := s.adapters(ctx, shop)
	for i, l := range levels {
		if ctx.Err() != nil {
			// shutting down is not the platform's failure: give the rest back, due now and
			// without a backoff, for the next replica (or this one after a restart)
			for _, rest := range levels[i:] {
				_ = release(rest)
			}
			return ctx.Err()
		}
		if l.PerUnit == nil { // the mapping was deleted: nothing to offer under this SKU
			if err := g.Exec(`DELETE FROM shop_stock WHERE shop_id = ? AND sku = ? AND claimed_by = ?`, l.ShopID, l.SKU, claim).Error; err != nil {
				return err
			}
			continue
		}
		available, err := s.warehouse.Available(ctx, whs, l.ItemID)
		if err != nil {
			_ = release(l)
			return err
		}
		level := offer(available, p, *l.PerUnit)
		if l.PushedQuantity != nil && *l.PushedQuantity == level {
			if err := s.finishLevel(g, claim, l, nil, nil); err != nil {
				return err
			}
			continue
		}
		err = connErr
		if err == nil {
			err = setter.SetStock(ctx, l.SKU, level)
		}
		if ctx.Err() != nil {
			// cut short by the shutdown: pushed again after it, the level is idempotent
			for _, rest := range levels[i:] {
				_ = release(rest)
			}
			return ctx.Err()
		}
		s.recordPush(ctx, l.ShopID, 0, "stock", l.SKU, fmt.Sprintf("%s = %d", l.SKU, level), err)
		if errors.Is(err, errNoConnection) {
			err = nil // the shop's connector reads levels through the API
		}
		if err := s.finishLevel(g, claim, l, &level, err); err != nil {
			return err
		}
	}
	return nil
}

// finishLevel records a level's outcome: pushed (pushed != nil) or unchanged, or a
// failure to retry with backoff.
func (s *Service) finishLevel(g *gorm.DB, claim string, l dueLevel, pushed *int64, pushErr error) error {
	now := s.now()
	if pushErr != nil {
		return g.Exec(`UPDATE shop_stock SET attempts = attempts + 1, due_at = ?, last_error = ?, claimed_by = NULL,
			claimed_until = NULL WHERE shop_id = ? AND sku = ? AND claimed_by = ?`, now.Add(s.stockBackoff(l.Attempts+1)),
			text.Clip(pushErr.Error(), 1000), l.ShopID, l.SKU, claim).Error
	}
	// Assignments run left to right: due_at and dirty_at look at changes before anything
	// else is set. A change marked since the claim keeps the row dirty and due.
	q := `UPDATE shop_stock SET due_at = IF(changes = ?, NULL, ?), dirty_at = IF(changes = ?, NULL, dirty_at),
		attempts = 0, last_error = '', claimed_by = NULL, claimed_until = NULL`
	args := []any{l.Changes, now, l.Changes}
	if pushed != nil {
		q += `, pushed_quantity = ?, pushed_at = ?`
		args = append(args, *pushed, now)
	}
	return g.Exec(q+` WHERE shop_id = ? AND sku = ? AND claimed_by = ?`, append(args, l.ShopID, l.SKU, claim)...).Error
}

// stockBackoff is StockRetryBase·2^(n-1), capped at StockRetryMax.
func (s *Service) stockBackoff(n int) time.Duration {
	d := s.opt.StockRetryBase << min(n-1, 20)
	if d <= 0 || d > s.opt.StockRetryMax {
		d = s.opt.StockRetryMax
	}
	return d
}

// ShopStockLevel is what a shop is offered of one SKU.
type ShopStockLevel struct {
	SKU       string
	Item      int64
	Available int64
	Pushed    int64
	PushTime  *time.Time
}

// ListShopStock answers what a shop is offered per mapped SKU now and what was last
// pushed. Errors: NotFound, Forbidden.
func (s *Service) ListShopStock(ctx context.Context, shopRef string) ([]ShopStockLevel, error) {
	shop, err := s.shopFor(ctx, shopRef)
	if err != nil {
		return nil, err
	}
	p, err := s.policy(s.db.WithContext(ctx), shop.ID)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		SKU      string `gorm:"column:sku"`
		Item     int64
		PerUnit  int64
		Pushed   *int64
		PushedAt *time.Time
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT m.sku, m.item_id AS item, m.quantity AS per_unit, st.pushed_quantity AS pushed,
		st.pushed_at FROM sku_mappings m LEFT JOIN shop_stock st ON st.shop_id = m.shop_id AND st.sku = m.sku
		WHERE m.shop_id = ? ORDER BY m.sku LIMIT 5000`, shop.ID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]ShopStockLevel, 0, len(rows))
	for _, r := range rows {
		available, err := s.warehouse.Available(ctx, p.offerWarehouses(shop.DefaultWarehouse), r.Item)
		if err != nil {
			return nil, err
		}
		l := ShopStockLevel{SKU: r.SKU, Item: r.Item, Available: offer(available, p, r.PerUnit), PushTime: r.PushedAt}
		if r.Pushed != nil {
			l.Pushed = *r.Pushed
		}
		out = append(out, l)
	}
	return out, nil
}
