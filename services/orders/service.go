package orders

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/page"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/catalog"
	"github.com/erphub/erphub/services/orders/platform"
	"github.com/erphub/erphub/services/warehouse"
)

// TopicOrderChanged is the outbox topic of every stored change of an order.
const TopicOrderChanged = "orders.order.changed"

// TopicOrdersChanged is the outbox topic of the orders of one shop whose content (status,
// amounts, lines, buyer, mapped items) one transaction changed: one event per shop and
// transaction, for consumers that re-read the orders and only need to know which ones
// changed (insights). A push of 100 orders costs such a consumer one outbox row instead of
// 100. Fulfilment moves (held, allocated, shipped) do not publish it.
const TopicOrdersChanged = "orders.orders.changed"

// topicWebhookReceived carries stored webhook events to their processing.
const topicWebhookReceived = "orders.webhook.received"

// Sources of changes.
const (
	SourcePush    = "push"
	SourceWebhook = "webhook"
	SourcePull    = "pull"
	SourceImport  = "import"
	SourceMapping = "mapping"
)

// OrderChanged is the payload of TopicOrderChanged.
type OrderChanged struct {
	Order          int64  `json:"order"`
	Shop           int64  `json:"shop"`
	Channel        string `json:"channel"`
	Event          string `json:"event"` // created, updated, status_changed, resolved
	Status         string `json:"status"`
	PreviousStatus string `json:"previousStatus,omitempty"`
	Exception      string `json:"exception,omitempty"`
	Version        int    `json:"version"`
}

// OrdersChanged is the payload of TopicOrdersChanged.
type OrdersChanged struct {
	Shop    int64   `json:"shop"`
	Channel string  `json:"channel"`
	Orders  []int64 `json:"orders"`
}

// Options tune the service.
type Options struct {
	Now        func() time.Time
	HTTPClient *http.Client // for platform pulls
	// Connect builds a platform connector (tests point it at fake servers).
	Connect func(platformName string, c platform.Credentials, hc *http.Client) (platform.Puller, error)
	// StockDebounce is how long a stock change waits for others before its shop SKUs are
	// pushed (default 250 ms); StockPoll how often the pusher looks without a local kick
	// (default 500 ms); StockRetryBase and StockRetryMax bound the backoff of a failed
	// push (default 1 s and 5 min).
	StockDebounce, StockPoll, StockRetryBase, StockRetryMax time.Duration
}

// Service holds the order hub's use cases.
type Service struct {
	db        *gorm.DB
	store     store
	catalog   *catalog.Service
	warehouse *warehouse.Service
	outbox    *outbox.Outbox
	opt       Options
	log       *slog.Logger
	kick      chan struct{}
	stockKick chan struct{}
	replica   string
	claimSeq  atomic.Int64

	mapMu    sync.Mutex
	mapCache map[int64]cachedMappings
}

type cachedMappings struct {
	m  map[string]Mapping
	at time.Time
}

// mappingTTL is how long a replica trusts its copy of a shop's SKU mappings (this replica
// forgets at once when they change).
const mappingTTL = 30 * time.Second

// New returns the service and subscribes its event handling to the outbox: webhook
// processing, order changes (allocation, cancellation), stock changes (the out-of-stock
// queue, shop stock levels), posted deliveries (shipments) and shipment confirmations.
func New(g *gorm.DB, cat *catalog.Service, wms *warehouse.Service, ob *outbox.Outbox, log *slog.Logger, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = func() time.Time { return time.Now().UTC() }
	}
	if opt.HTTPClient == nil {
		opt.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opt.Connect == nil {
		opt.Connect = func(name string, c platform.Credentials, hc *http.Client) (platform.Puller, error) {
			p, _, _, err := platform.ByPlatform(name, c, hc)
			return p, err
		}
	}
	if log == nil {
		log = slog.Default()
	}
	opt.StockDebounce = cmp.Or(opt.StockDebounce, 250*time.Millisecond)
	opt.StockPoll = cmp.Or(opt.StockPoll, 500*time.Millisecond)
	opt.StockRetryBase = cmp.Or(opt.StockRetryBase, time.Second)
	opt.StockRetryMax = cmp.Or(opt.StockRetryMax, 5*time.Minute)
	host, _ := os.Hostname()
	s := &Service{db: g, store: store{db: g}, catalog: cat, warehouse: wms, outbox: ob, opt: opt, log: log,
		kick: make(chan struct{}, 1), stockKick: make(chan struct{}, 1),
		replica: fmt.Sprintf("%s-%d-%04x", text.Clip(host, 32), os.Getpid(), rand.IntN(0xffff)), mapCache: map[int64]cachedMappings{}}
	ob.Subscribe("orders-webhooks", []string{topicWebhookReceived}, s.processWebhook)
	ob.Subscribe("orders-processing", []string{TopicOrderChanged}, s.onOrderChanged)
	ob.Subscribe("orders-stock", []string{warehouse.TopicStockChanged}, s.onStockChanged)
	ob.Subscribe("orders-shipments", []string{warehouse.TopicDocumentPosted}, s.onDocumentPosted)
	ob.Subscribe("platform-shipments", []string{topicShipmentConfirm}, s.confirmShipment)
	return s
}

func (s *Service) now() time.Time { return s.opt.Now().UTC().Truncate(time.Microsecond) }

// shopFor resolves a shop reference (id or code) the caller may act for. Errors:
// NotFound, Forbidden.
func (s *Service) shopFor(ctx context.Context, ref string) (catalog.Shop, error) {
	shop, err := s.catalog.ShopByRef(ctx, ref)
	if err != nil {
		return shop, err
	}
	p := reqctx.PrincipalFrom(ctx)
	if p.Kind == reqctx.ActorAPIKey {
		if !p.CanAccessShop(shop.ID) {
			return shop, apperr.Forbidden("this connector key acts for another shop")
		}
		return shop, nil
	}
	if !p.CanAccessBranch(shop.Branch) {
		return shop, apperr.Forbidden(fmt.Sprintf("you may not act in branch %d", shop.Branch))
	}
	return shop, nil
}

// PushOrders upserts up to 500 orders of a shop. Each order is answered created,
// updated, unchanged, stale or rejected (with the reason naming the field). Errors:
// Invalid (no or too many orders), NotFound (shop), Forbidden.
func (s *Service) PushOrders(ctx context.Context, shopRef string, in []Order) ([]PushResult, error) {
	if len(in) == 0 || len(in) > maxBatch {
		return nil, apperr.Invalid("orders", fmt.Sprintf("must hold 1-%d orders", maxBatch))
	}
	shop, err := s.shopFor(ctx, shopRef)
	if err != nil {
		return nil, err
	}
	if shop.Archived {
		return nil, apperr.Refused("SHOP_ARCHIVED", "the shop is archived")
	}
	for i := range in {
		in[i].Shop, in[i].Channel = shop.ID, shop.Platform
		if in[i].Customer == 0 {
			in[i].Customer = shop.Customer
		}
	}
	res, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) ([]PushResult, error) {
		return s.upsert(ctx, tx, shop.ID, in, SourcePush)
	})
	if err == nil {
		s.outbox.Notify()
	}
	return res, err
}

// upsert stores the newest version of each order, in one transaction.
func (s *Service) upsert(ctx context.Context, tx *gorm.DB, shop int64, in []Order, source string) ([]PushResult, error) {
	results := make([]PushResult, len(in))
	// the newest version of each key in the batch is the candidate
	best := map[string]int{}
	for i := range in {
		o := &in[i]
		results[i].PlatformOrderID = o.PlatformOrderID
		if reason := o.validate(); reason != "" {
			results[i].Outcome, results[i].Reason = OutcomeRejected, reason
			continue
		}
		if err := s.mapLines(ctx, shop, o); err != nil {
			return nil, err
		}
		o.evaluate()
		o.hash = o.contentHash()
		if j, seen := best[o.PlatformOrderID]; !seen || o.newerThan(in[j].UpdatedAt, in[j].hash) == OutcomeUpdated {
			best[o.PlatformOrderID] = i
		}
	}
	keys := make([]string, 0, len(best))
	for k := range best {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return results, nil
	}
	slices.Sort(keys)
	st := s.store.with(tx)
	stored, err := st.lockOrders(shop, keys)
	if err != nil {
		return nil, err
	}
	now := s.now()
	reqID := reqctx.RequestID(ctx)
	var created, updated []*Order
	var history []historyRow
	var events []outbox.Event
	outcome := map[string]string{}
	prev := map[string]storedVersion{}
	for _, k := range keys {
		o := &in[best[k]]
		sv, exists := stored[k]
		if !exists {
			o.Version = 1
			created = append(created, o)
			outcome[k] = OutcomeCreated
			continue
		}
		prev[k] = sv
		outcome[k] = o.newerThan(sv.PlatformUpdatedAt, sv.ContentHash)
		o.ID = sv.ID
		if outcome[k] == OutcomeUpdated {
			o.Version = sv.Version + 1
			updated = append(updated, o)
		}
	}
	if err := st.insertOrders(created, now); err != nil {
		if _, dup := db.IsDuplicate(err); dup {
			// another batch created one of these orders meanwhile: read again
			return nil, fmt.Errorf("%w: %v", db.ErrRetry, err)
		}
		return nil, err
	}
	if err := st.updateOrders(updated, now); err != nil {
		return nil, err
	}
	if err := st.writeLines(created, false); err != nil {
		return nil, err
	}
	if err := st.writeLines(updated, true); err != nil {
		return nil, err
	}
	for _, o := range created {
		history = append(history, historyRow{order: o.ID, event: "created", to: o.Status, platformUpdated: o.UpdatedAt,
			source: source, detail: o.ExceptionDetail, reqID: reqID})
		events = append(events, changeEvent(o, "created", ""))
	}
	for _, o := range updated {
		sv := prev[o.PlatformOrderID]
		event := "updated"
		if sv.Status != o.Status {
			event = "status_changed"
		}
		history = append(history, historyRow{order: o.ID, event: event, from: sv.Status, to: o.Status,
			platformUpdated: o.UpdatedAt, source: source, reqID: reqID})
		if sv.Exception != o.Exception {
			ev := "exception"
			if o.Exception == "" {
				ev = "resolved"
			}
			history = append(history, historyRow{order: o.ID, event: ev, from: o.Status, to: o.Status, source: source,
				detail: firstNonEmpty(o.ExceptionDetail, sv.Exception), reqID: reqID})
		}
		events = append(events, changeEvent(o, event, sv.Status))
	}
	events = append(events, setEvents(created, updated)...)
	if err := st.appendHistory(history, now); err != nil {
		return nil, err
	}
	if err := s.outbox.Publish(ctx, tx, events...); err != nil {
		return nil, err
	}
	for i := range in {
		if results[i].Outcome == OutcomeRejected {
			continue
		}
		k := in[i].PlatformOrderID
		w := &in[best[k]]
		results[i].Order = w.ID
		results[i].Reason = w.Exception
		if best[k] == i {
			results[i].Outcome = outcome[k]
			continue
		}
		// another version of the same order in this batch won
		if in[i].newerThan(w.UpdatedAt, w.hash) == OutcomeUnchanged {
			results[i].Outcome = OutcomeUnchanged
		} else {
			results[i].Outcome = OutcomeStale
		}
	}
	return results, nil
}

// setEvents answers the TopicOrdersChanged events of orders changed in one transaction: one
// per shop and channel, the orders in the order given.
func setEvents(lists ...[]*Order) []outbox.Event {
	type shopChannel struct {
		shop    int64
		channel string
	}
	var keys []shopChannel
	sets := map[shopChannel]*OrdersChanged{}
	for _, list := range lists {
		for _, o := range list {
			k := shopChannel{o.Shop, o.Channel}
			if sets[k] == nil {
				sets[k] = &OrdersChanged{Shop: o.Shop, Channel: o.Channel}
				keys = append(keys, k)
			}
			sets[k].Orders = append(sets[k].Orders, o.ID)
		}
	}
	events := make([]outbox.Event, 0, len(keys))
	for _, k := range keys {
		events = append(events, outbox.Event{Topic: TopicOrdersChanged, Key: "shops/" + itoa(k.shop), Payload: sets[k]})
	}
	return events
}

func changeEvent(o *Order, event, previous string) outbox.Event {
	return outbox.Event{Topic: TopicOrderChanged, Key: o.ResourceName(), Payload: OrderChanged{Order: o.ID, Shop: o.Shop,
		Channel: o.Channel, Event: event, Status: o.Status, PreviousStatus: previous, Exception: o.Exception, Version: o.Version}}
}

// shopMappings answers a shop's SKU mappings (cached for mappingTTL).
func (s *Service) shopMappings(ctx context.Context, shop int64) (map[string]Mapping, error) {
	now := time.Now()
	s.mapMu.Lock()
	c, ok := s.mapCache[shop]
	s.mapMu.Unlock()
	if ok && now.Sub(c.at) < mappingTTL {
		return c.m, nil
	}
	m, err := s.store.with(s.db.WithContext(ctx)).mappings(shop)
	if err != nil {
		return nil, err
	}
	s.mapMu.Lock()
	s.mapCache[shop] = cachedMappings{m: m, at: now}
	s.mapMu.Unlock()
	return m, nil
}

// mapLines resolves each line's item: the shop's SKU mapping first, then an item whose
// SKU is the platform SKU, then the line's barcode (or the SKU as a barcode).
func (s *Service) mapLines(ctx context.Context, shop int64, o *Order) error {
	var mappings map[string]Mapping
	if shop != 0 {
		var err error
		if mappings, err = s.shopMappings(ctx, shop); err != nil {
			return err
		}
	}
	return s.mapLinesWith(ctx, mappings, o)
}

// mapLinesWith is mapLines with the shop's mappings given (read inside a transaction that
// is changing them).
func (s *Service) mapLinesWith(ctx context.Context, mappings map[string]Mapping, o *Order) error {
	for i := range o.Lines {
		l := &o.Lines[i]
		l.Item, l.ItemQuantity = 0, 0
		if m, ok := mappings[l.SKU]; ok && l.SKU != "" {
			l.Item = m.Item
			q, err := money.MulDiv(l.Quantity, m.Quantity, money.MilliPerUnit)
			if err != nil {
				return err
			}
			l.ItemQuantity = q
			continue
		}
		if l.SKU != "" {
			it, err := s.catalog.ItemBySKU(ctx, l.SKU)
			switch {
			case err == nil:
				l.Item, l.ItemQuantity = it.ID, l.Quantity
				continue
			case !errors.Is(err, catalog.ErrUnknownBarcode):
				return err
			}
		}
		for _, code := range []string{l.Barcode, l.SKU} {
			if code == "" {
				continue
			}
			it, perScan, err := s.catalog.ItemByBarcode(ctx, code)
			if errors.Is(err, catalog.ErrUnknownBarcode) {
				continue
			}
			if err != nil {
				return err
			}
			q, err := money.MulDiv(l.Quantity, perScan, money.MilliPerUnit)
			if err != nil {
				return err
			}
			l.Item, l.ItemQuantity = it.ID, q
			break
		}
	}
	return nil
}

// GetOrder answers one order with lines, history and payload. Errors: NotFound, Forbidden.
func (s *Service) GetOrder(ctx context.Context, id int64) (Order, error) {
	st := s.store.with(s.db.WithContext(ctx))
	o, err := st.order(id)
	if err != nil {
		return o, err
	}
	if err := s.checkOrderAccess(ctx, o); err != nil {
		return o, err
	}
	if o.Fulfilments, err = st.fulfilmentsOf(id); err != nil {
		return o, err
	}
	o.Pushes, err = st.pushesOf(id)
	return o, err
}

func (s *Service) checkOrderAccess(ctx context.Context, o Order) error {
	p := reqctx.PrincipalFrom(ctx)
	if o.Shop == 0 {
		if p.Kind == reqctx.ActorAPIKey {
			return apperr.Forbidden("connector keys see their shop's orders only")
		}
		return nil
	}
	_, err := s.shopFor(ctx, itoa(o.Shop))
	return err
}

// ListOrders searches orders, newest first, with personal data masked. Errors: Invalid.
func (s *Service) ListOrders(ctx context.Context, size int32, token string, f OrderFilter) ([]Order, string, error) {
	pr, err := page.Parse(size, token, f.Shop, f.Channel, f.Status, f.PlatformOrderID, f.PhoneTail,
		f.CreatedAfter.UnixMicro(), f.CreatedBefore.UnixMicro(), f.ExceptionsOnly, f.Customer, f.FulfilState)
	if err != nil {
		return nil, "", err
	}
	switch f.FulfilState {
	case "", FulfilHeld, FulfilAwaitingStock, FulfilAllocated, FulfilPartShipped, FulfilShipped, FulfilCancelled, FulfilReturnExpected:
	case "new":
		f.FulfilState = FulfilNew
		f.FulfilNew = true
	default:
		return nil, "", apperr.Invalid("fulfil_state", "must be new, held, awaiting_stock, allocated, partially_shipped, shipped, cancelled or return_expected")
	}
	if f.PhoneTail != "" && (len(f.PhoneTail) < 3 || len(f.PhoneTail) > 4 || phoneTail(f.PhoneTail) != f.PhoneTail) {
		return nil, "", apperr.Invalid("buyer_phone_tail", "must be the last 3 or 4 digits of the phone")
	}
	p := reqctx.PrincipalFrom(ctx)
	if p.Kind == reqctx.ActorAPIKey {
		f.Shops = p.Shops
	}
	orders, next, err := s.store.with(s.db.WithContext(ctx)).listOrders(pr, f)
	if len(f.PhoneTail) == 3 {
		// the index holds four digits; three match their end
		orders = slices.DeleteFunc(orders, func(o Order) bool { return phoneTail(o.Buyer.Phone)[1:] != f.PhoneTail })
	}
	for i := range orders {
		orders[i].mask()
	}
	return orders, next, err
}

// SetSkuMapping maps a shop's SKU to an item and evaluates the shop's orders waiting on
// that SKU again. It answers the mapping and how many orders it resolved. Errors:
// Invalid, NotFound, Forbidden.
func (s *Service) SetSkuMapping(ctx context.Context, shopRef string, m Mapping) (Mapping, int, error) {
	shop, err := s.shopFor(ctx, shopRef)
	if err != nil {
		return m, 0, err
	}
	var v apperr.Violations
	v.Check(m.SKU != "" && len(m.SKU) <= 64, "mapping.sku", "is required (at most 64 characters)")
	v.Check(m.Item > 0, "mapping.item", "must be an item id")
	if m.Quantity == 0 {
		m.Quantity = money.MilliPerUnit
	}
	v.Check(m.Quantity > 0 && m.Quantity <= 1_000_000_000, "mapping.quantity", "must be 1 to 10^9 milli-units")
	if err := v.Err("invalid mapping"); err != nil {
		return m, 0, err
	}
	if _, err := s.catalog.ItemForScan(ctx, m.Item); err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			return m, 0, apperr.Invalid("mapping.item", fmt.Sprintf("item %d does not exist", m.Item))
		}
		return m, 0, err
	}
	m.Shop, m.UpdateTime = shop.ID, s.now()
	type answer struct {
		Mapping  Mapping
		Resolved int
	}
	a, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) (answer, error) {
		st := s.store.with(tx)
		if err := st.setMapping(m); err != nil {
			return answer{}, err
		}
		s.forgetMappings(shop.ID)
		waiting, err := st.waitingWithSKU(shop.ID, m.SKU)
		if err != nil {
			return answer{}, err
		}
		mappings, err := st.mappings(shop.ID)
		if err != nil {
			return answer{}, err
		}
		now := s.now()
		resolved := 0
		var history []historyRow
		var events []outbox.Event
		// every waiting order is saved with its lines mapped again, resolved or not
		events = append(events, setEvents(waiting)...)
		for _, o := range waiting {
			if err := s.mapLinesWith(ctx, mappings, o); err != nil {
				return answer{}, err
			}
			before := o.Exception
			o.evaluate()
			o.Version++
			if err := st.saveEvaluation(o, now); err != nil {
				return answer{}, err
			}
			if o.Exception == "" && before != "" {
				resolved++
				history = append(history, historyRow{order: o.ID, event: "resolved", from: o.Status, to: o.Status,
					source: SourceMapping, detail: "SKU " + m.SKU + " mapped", reqID: reqctx.RequestID(ctx)})
				events = append(events, changeEvent(o, "resolved", o.Status))
			}
		}
		if err := st.appendHistory(history, now); err != nil {
			return answer{}, err
		}
		return answer{Mapping: m, Resolved: resolved}, s.outbox.Publish(ctx, tx, events...)
	})
	s.forgetMappings(shop.ID)
	return a.Mapping, a.Resolved, err
}

func (s *Service) forgetMappings(shop int64) {
	s.mapMu.Lock()
	delete(s.mapCache, shop)
	s.mapMu.Unlock()
}

// ListSkuMappings pages through a shop's mappings. Errors: NotFound, Forbidden, Invalid.
func (s *Service) ListSkuMappings(ctx context.Context, shopRef string, size int32, token string) ([]Mapping, string, error) {
	shop, err := s.shopFor(ctx, shopRef)
	if err != nil {
		return nil, "", err
	}
	pr, err := page.Parse(size, token, shop.ID)
	if err != nil {
		return nil, "", err
	}
	return s.store.with(s.db.WithContext(ctx)).listMappings(shop.ID, pr)
}

// DeleteSkuMapping removes a mapping. Errors: NotFound, Forbidden.
func (s *Service) DeleteSkuMapping(ctx context.Context, shopRef, sku string) error {
	shop, err := s.shopFor(ctx, shopRef)
	if err != nil {
		return err
	}
	_, err = txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Mapping, error) {
		ok, err := s.store.with(tx).deleteMapping(shop.ID, sku)
		if err == nil && !ok {
			err = apperr.NotFound("SKU mapping", sku)
		}
		return Mapping{Shop: shop.ID, SKU: sku}, err
	})
	s.forgetMappings(shop.ID)
	return err
}

// mask hides personal data for list views: 张** / 138****5678 / street cut off.
func (o *Order) mask() {
	o.Buyer.Name = maskName(o.Buyer.Name)
	o.Buyer.Phone = maskPhone(o.Buyer.Phone)
	o.Buyer.Email = maskEmail(o.Buyer.Email)
	o.Address.Name = maskName(o.Address.Name)
	o.Address.Phone = maskPhone(o.Address.Phone)
	if o.Address.Street != "" {
		o.Address.Street = "***"
	}
	o.Address.PostalCode = ""
	o.Raw = nil
}
