package catalog

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/barcode"
)

// Lookups for the scanning paths of other services. Every scan resolves a barcode to an
// item, so these answers are cached in the process for lookupTTL: a barcode moved to
// another item, or an item's flags changed, reach scanners on other replicas within that
// time (this replica forgets at once). The API's own reads never use the cache.
const lookupTTL = 30 * time.Second

// maxCached bounds each cache; it is emptied when full.
const maxCached = 50_000

type cached[T any] struct {
	v  T
	at time.Time
}

// ttlCache is a small map with expiry, safe for concurrent use.
type ttlCache[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]cached[V]
}

func (c *ttlCache[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || now.Sub(e.at) > lookupTTL {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *ttlCache[K, V]) put(k K, v V, now time.Time) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = map[K]cached[V]{}
	}
	c.m[k] = cached[V]{v, now}
	c.mu.Unlock()
}

func (c *ttlCache[K, V]) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

// lookups holds the caches.
type lookups struct {
	items      ttlCache[int64, Item]
	warehouses ttlCache[int64, Warehouse]
	customers  ttlCache[int64, Customer]
	barcodes   ttlCache[string, codeHit]
	layouts    ttlCache[struct{}, []ScaleCode]
}

type codeHit struct {
	item    int64
	perScan int64
	found   bool
}

// forget drops every cached answer (after any item change in this process).
func (l *lookups) forget() {
	l.items.clear()
	l.warehouses.clear()
	l.customers.clear()
	l.barcodes.clear()
	l.layouts.clear()
}

// ErrUnknownBarcode says no item carries the code.
var ErrUnknownBarcode = apperr.Refused("UNKNOWN_BARCODE", "no item carries this barcode")

// ItemForScan answers an item by id for a scanning path (cached). Errors: NotFound.
func (s *Service) ItemForScan(ctx context.Context, id int64) (Item, error) {
	now := time.Now()
	if it, ok := s.cache.items.get(id, now); ok {
		return it, nil
	}
	it, err := s.read(ctx).item(id, false)
	if err != nil {
		return it, err
	}
	s.cache.items.put(id, it, now)
	return it, nil
}

// ItemByBarcode answers the item carrying code (a GTIN in any of its forms, or an internal
// code) and the quantity one scan of it stands for, in milli-units. Errors:
// ErrUnknownBarcode.
func (s *Service) ItemByBarcode(ctx context.Context, code string) (Item, int64, error) {
	key := LookupCode(code)
	now := time.Now()
	hit, ok := s.cache.barcodes.get(key, now)
	if !ok {
		var row barcodeRow
		err := s.db.WithContext(ctx).Where("lookup_code = ?", key).Take(&row).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			hit = codeHit{}
		case err != nil:
			return Item{}, 0, err
		default:
			hit = codeHit{item: row.ItemID, perScan: row.Quantity, found: true}
		}
		at := now
		if !hit.found {
			// an unknown code may be created any moment on another replica: remember
			// the miss for two seconds only
			at = now.Add(-lookupTTL + 2*time.Second)
		}
		s.cache.barcodes.put(key, hit, at)
	}
	if !hit.found {
		return Item{}, 0, ErrUnknownBarcode
	}
	it, err := s.ItemForScan(ctx, hit.item)
	return it, hit.perScan, err
}

// ItemBySKU answers the item with this SKU (cached like ItemByBarcode). Errors:
// ErrUnknownBarcode when no item has it.
func (s *Service) ItemBySKU(ctx context.Context, sku string) (Item, error) {
	key := "sku\x00" + sku
	now := time.Now()
	hit, ok := s.cache.barcodes.get(key, now)
	if !ok {
		var id int64
		res := s.db.WithContext(ctx).Raw(`SELECT id FROM items WHERE sku = ?`, sku).Scan(&id)
		if res.Error != nil {
			return Item{}, res.Error
		}
		hit = codeHit{item: id, perScan: 1000, found: res.RowsAffected > 0}
		at := now
		if !hit.found {
			at = now.Add(-lookupTTL + 2*time.Second)
		}
		s.cache.barcodes.put(key, hit, at)
	}
	if !hit.found {
		return Item{}, ErrUnknownBarcode
	}
	return s.ItemForScan(ctx, hit.item)
}

// ScaleMatch is a variable-measure code resolved to its item.
type ScaleMatch struct {
	Item     Item
	Code     ScaleCode
	Quantity int64 // milli-units in the code: grams of a weight code, or price / unit price
}

// ItemByScaleCode decodes a restricted-circulation EAN-13 (prefix 20-29) with the scale
// codes on file. Errors: ErrUnknownBarcode, or an Invalid error from the decoder.
func (s *Service) ItemByScaleCode(ctx context.Context, ean13 string) (ScaleMatch, error) {
	layouts, err := s.scaleLayouts(ctx)
	if err != nil {
		return ScaleMatch{}, err
	}
	for _, l := range layouts {
		if !strings.HasPrefix(ean13, l.Prefix) {
			continue
		}
		vm, err := barcode.ParseVariableMeasure(ean13, l.Layout())
		if err != nil {
			continue
		}
		var row struct {
			ItemID    int64
			UnitPrice int64
		}
		res := s.db.WithContext(ctx).Raw(`SELECT item_id, unit_price FROM item_scale_codes WHERE prefix = ? AND item_code = ?`,
			l.Prefix, vm.ItemCode).Scan(&row)
		if res.Error != nil {
			return ScaleMatch{}, res.Error
		}
		if res.RowsAffected == 0 {
			continue
		}
		it, err := s.ItemForScan(ctx, row.ItemID)
		if err != nil {
			return ScaleMatch{}, err
		}
		m := ScaleMatch{Item: it, Code: l}
		m.Code.ItemCode = vm.ItemCode
		if vm.Kind == barcode.Price {
			m.Code.UnitPrice = row.UnitPrice
			if row.UnitPrice <= 0 {
				return ScaleMatch{}, apperr.Refused("BAD_BARCODE", "the price code has no unit price on file")
			}
			// quantity = price / price per unit, in milli-units, half up
			m.Quantity = (vm.Fen*1000*2 + row.UnitPrice) / (2 * row.UnitPrice)
		} else {
			m.Quantity = vm.Grams
		}
		return m, nil
	}
	return ScaleMatch{}, ErrUnknownBarcode
}

// scaleLayouts answers the distinct layouts of the scale codes on file.
func (s *Service) scaleLayouts(ctx context.Context) ([]ScaleCode, error) {
	now := time.Now()
	if l, ok := s.cache.layouts.get(struct{}{}, now); ok {
		return l, nil
	}
	var rows []struct {
		Prefix      string
		Digits      int
		ValueDigits int32
		Kind        string
		PriceCheck  bool
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT DISTINCT prefix, CHAR_LENGTH(item_code) AS digits, value_digits, kind, price_check
		FROM item_scale_codes ORDER BY CHAR_LENGTH(prefix) DESC, prefix`).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]ScaleCode, len(rows))
	for i, r := range rows {
		out[i] = ScaleCode{Prefix: r.Prefix, ItemCode: strings.Repeat("0", r.Digits), ValueDigits: r.ValueDigits,
			Kind: r.Kind, PriceCheck: r.PriceCheck}
	}
	s.cache.layouts.put(struct{}{}, out, now)
	return out, nil
}

// Warehouse answers a warehouse (no branch check: for other services' use cases, which
// check the caller's branch themselves). Errors: NotFound.
func (s *Service) Warehouse(ctx context.Context, id int64) (Warehouse, error) {
	return s.read(ctx).warehouse(id, false)
}

// WarehouseForScan is Warehouse for a scanning path (cached like ItemForScan).
func (s *Service) WarehouseForScan(ctx context.Context, id int64) (Warehouse, error) {
	now := time.Now()
	if w, ok := s.cache.warehouses.get(id, now); ok {
		return w, nil
	}
	w, err := s.Warehouse(ctx, id)
	if err == nil {
		s.cache.warehouses.put(id, w, now)
	}
	return w, err
}

// Customer answers a customer. Errors: NotFound.
func (s *Service) Customer(ctx context.Context, id int64) (Customer, error) {
	return s.read(ctx).customer(id, false)
}

// CustomerForScan is Customer for a scanning path (cached like ItemForScan).
func (s *Service) CustomerForScan(ctx context.Context, id int64) (Customer, error) {
	now := time.Now()
	if c, ok := s.cache.customers.get(id, now); ok {
		return c, nil
	}
	c, err := s.Customer(ctx, id)
	if err == nil {
		s.cache.customers.put(id, c, now)
	}
	return c, err
}

// Supplier answers a supplier. Errors: NotFound.
func (s *Service) Supplier(ctx context.Context, id int64) (Supplier, error) {
	return s.read(ctx).supplier(id, false)
}

// Outlet answers an outlet of a customer. Errors: NotFound.
func (s *Service) Outlet(ctx context.Context, customer, id int64) (Outlet, error) {
	return s.read(ctx).outlet(customer, id, false)
}

// Branch answers a branch. Errors: NotFound.
func (s *Service) Branch(ctx context.Context, id int64) (Branch, error) {
	return s.read(ctx).branch(id, false)
}

// Shop answers a shop. Errors: NotFound.
func (s *Service) Shop(ctx context.Context, id int64) (Shop, error) {
	return s.read(ctx).shop(id, false)
}

// ShopByRef answers a shop named by id ("42") or code ("TMALL-FLAGSHIP"), with its
// webhook secret (for the order hub). Errors: NotFound.
func (s *Service) ShopByRef(ctx context.Context, ref string) (Shop, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return s.read(ctx).shop(id, false)
	}
	return s.read(ctx).shopByCode(ref)
}

// OutletByCode answers a customer's outlet by the customer's own store code. Errors:
// NotFound.
func (s *Service) OutletByCode(ctx context.Context, customer int64, code string) (Outlet, error) {
	var r outletRow
	err := s.db.WithContext(ctx).Where("customer_id = ? AND code = ?", customer, code).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Outlet{}, apperr.NotFound("outlet", code)
	}
	return r.outlet(), err
}
