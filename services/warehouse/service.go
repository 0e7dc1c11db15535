package warehouse

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/barcode"
	"github.com/erphub/erphub/internal/docno"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/page"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/catalog"
)

// TopicDocumentPosted is the outbox topic of every posted stock document.
const TopicDocumentPosted = "warehouse.document.posted"

// Options tune the service.
type Options struct {
	Location *time.Location   // periods of document numbers and "today" for expiry checks
	Now      func() time.Time // clock (tests)
	// Approvals routes purchase orders through approval; nil: none needs approval.
	Approvals Approvals
}

// Service holds the warehouse use cases.
type Service struct {
	db      *gorm.DB
	store   store
	catalog *catalog.Service
	outbox  *outbox.Outbox
	loc     *time.Location
	now     func() time.Time
	// approvals routes documents through approval (nil: none needs approval)
	approvals Approvals

	// sessions caches the fixed facts of scan sessions (kind, document, warehouse); only
	// their status changes, and that is read under a lock in every scan.
	sessions sync.Map // int64 -> Session
	// docLines caches document lines for the scan path; line ids, items and ordered
	// quantities never change once a document exists (only counters do).
	docLines sync.Map // string -> []Line
}

// New returns the service.
func New(g *gorm.DB, cat *catalog.Service, ob *outbox.Outbox, opt Options) *Service {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.Now == nil {
		opt.Now = func() time.Time { return time.Now().UTC() }
	}
	s := &Service{db: g, store: store{db: g, root: g}, catalog: cat, outbox: ob, loc: opt.Location, now: opt.Now,
		approvals: opt.Approvals}
	if ob != nil && s.approvals != nil {
		ob.Subscribe("warehouse-approval", []string{TopicApprovalDecided}, s.onApprovalDecided)
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func (s *Service) today() barcode.Date { return barcode.DateOf(s.now().In(s.loc)) }

func (s *Service) read(ctx context.Context) store { return s.store.withCtx(ctx) }

// warehouseFor answers a warehouse the caller may act in. Errors: Invalid (unknown or
// archived, naming field), Forbidden.
func (s *Service) warehouseFor(ctx context.Context, id int64, field string) (catalog.Warehouse, error) {
	w, err := s.catalog.Warehouse(ctx, id)
	if apperr.IsKind(err, apperr.KindNotFound) || err == nil && w.Archived {
		return w, apperr.Invalid(field, fmt.Sprintf("warehouse %d does not exist or is archived", id))
	}
	if err != nil {
		return w, err
	}
	return w, checkBranch(ctx, w.Branch)
}

func checkBranch(ctx context.Context, branch int64) error {
	if !reqctx.PrincipalFrom(ctx).CanAccessBranch(branch) {
		return apperr.Forbidden(fmt.Sprintf("you may not act in branch %d", branch))
	}
	return nil
}

// branchScope answers the caller's branches, nil for all.
func branchScope(ctx context.Context) []int64 {
	p := reqctx.PrincipalFrom(ctx)
	if p.Kind == reqctx.ActorSystem || p.AllBranches() {
		return nil
	}
	return p.Branches
}

// checkItems refuses lines whose items are unknown, archived or inactive.
func (s *Service) checkItems(ctx context.Context, prefix string, lines []Line) error {
	var v apperr.Violations
	for i, l := range lines {
		it, err := s.catalog.ItemForScan(ctx, l.Item)
		switch {
		case apperr.IsKind(err, apperr.KindNotFound):
			v.Addf(fmt.Sprintf("%s.lines[%d].item", prefix, i), "item %d does not exist", l.Item)
		case err != nil:
			return err
		case it.Archived || !it.Active:
			v.Addf(fmt.Sprintf("%s.lines[%d].item", prefix, i), "item %s is inactive or archived", it.SKU)
		}
	}
	return v.Err("invalid " + prefix)
}

// number allocates a document number of the branch in the current period.
func (s *Service) number(ctx context.Context, tx *gorm.DB, prefix string, branch int64) (string, error) {
	b, err := s.catalog.Branch(ctx, branch)
	if err != nil {
		return "", err
	}
	period := docno.Period(s.now(), s.loc)
	n, err := docno.Next(tx, prefix, branch, period)
	if err != nil {
		return "", err
	}
	return docno.Format(prefix, b.Code, period, n), nil
}

// ---- purchase orders ----

// CreatePurchaseOrder records a purchase order. Errors: Invalid (fields, unknown supplier,
// warehouse or items), Forbidden (another branch's warehouse).
func (s *Service) CreatePurchaseOrder(ctx context.Context, p PurchaseOrder) (PurchaseOrder, error) {
	p, err := s.preparePurchaseOrder(ctx, p)
	if err != nil {
		return p, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (PurchaseOrder, error) { return s.insertPurchaseOrder(ctx, tx, p) })
}

// CreatePurchaseOrderIn records a purchase order inside the caller's transaction, as part
// of the caller's unit of work (a confirmed replenishment suggestion): the same checks,
// number and approval as CreatePurchaseOrder; the caller's use case writes the
// idempotency record and the audit row. Errors: as CreatePurchaseOrder.
func (s *Service) CreatePurchaseOrderIn(ctx context.Context, tx *gorm.DB, p PurchaseOrder) (PurchaseOrder, error) {
	p, err := s.preparePurchaseOrder(ctx, p)
	if err != nil {
		return p, err
	}
	return s.insertPurchaseOrder(ctx, tx, p)
}

// preparePurchaseOrder checks a new purchase order and fills its branch and maker.
func (s *Service) preparePurchaseOrder(ctx context.Context, p PurchaseOrder) (PurchaseOrder, error) {
	if err := p.validate(); err != nil {
		return p, err
	}
	w, err := s.warehouseFor(ctx, p.Warehouse, "purchase_order.warehouse")
	if err != nil {
		return p, err
	}
	if sup, err := s.catalog.Supplier(ctx, p.Supplier); err != nil || sup.Archived {
		if err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
			return p, err
		}
		return p, apperr.Invalid("purchase_order.supplier", fmt.Sprintf("supplier %d does not exist or is archived", p.Supplier))
	}
	if err := s.checkItems(ctx, "purchase_order", p.Lines); err != nil {
		return p, err
	}
	p.Branch, p.CreatedBy = w.Branch, reqctx.PrincipalFrom(ctx).ID
	return p, nil
}

// insertPurchaseOrder numbers and writes a prepared order and sends it through approval, in tx.
func (s *Service) insertPurchaseOrder(ctx context.Context, tx *gorm.DB, p PurchaseOrder) (PurchaseOrder, error) {
	var err error
	if p.Number, err = s.number(ctx, tx, "PO", p.Branch); err != nil {
		return p, err
	}
	if p, err = s.store.with(tx).insertPurchaseOrder(p, s.clock()); err != nil {
		return p, err
	}
	return s.submitPurchaseOrder(ctx, tx, p)
}

// GetPurchaseOrder answers a purchase order. Errors: NotFound, Forbidden.
func (s *Service) GetPurchaseOrder(ctx context.Context, id int64) (PurchaseOrder, error) {
	p, err := s.read(ctx).purchaseOrder(id, false)
	if err != nil {
		return p, err
	}
	return p, checkBranch(ctx, p.Branch)
}

// ListPurchaseOrders pages through purchase orders, newest first.
func (s *Service) ListPurchaseOrders(ctx context.Context, size int32, token string, f OrderFilter) ([]PurchaseOrder, string, error) {
	pr, err := page.Parse(size, token, f.Warehouse, f.Party, f.Status)
	if err != nil {
		return nil, "", err
	}
	f.Branches = branchScope(ctx)
	ids, next, err := s.read(ctx).listIDs("purchase_orders", "supplier_id", pr, f)
	if err != nil {
		return nil, "", err
	}
	out := make([]PurchaseOrder, 0, len(ids))
	for _, id := range ids {
		p, err := s.read(ctx).purchaseOrder(id, false)
		if err != nil {
			return nil, "", err
		}
		out = append(out, p)
	}
	return out, next, nil
}

// CancelPurchaseOrder closes what is open on a purchase order. Errors: NotFound,
// Forbidden, ErrDocumentClosed, ErrInUse.
func (s *Service) CancelPurchaseOrder(ctx context.Context, id int64) (PurchaseOrder, error) {
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (PurchaseOrder, error) {
		st := s.store.with(tx)
		p, err := st.purchaseOrder(id, true)
		if err != nil {
			return p, err
		}
		if err := checkBranch(ctx, p.Branch); err != nil {
			return p, err
		}
		if p.Status == StatusCancelled || p.Status == StatusReceived {
			return p, ErrDocumentClosed
		}
		if err := noOpenSessions(st, "purchase_order", id); err != nil {
			return p, err
		}
		p.Status = StatusCancelled
		return p, st.setStatus("purchase_orders", id, StatusCancelled, s.clock())
	})
}

// ---- delivery orders ----

// CreateDeliveryOrder records a delivery order. Errors: Invalid (fields, unknown customer,
// outlet, warehouse or items), Forbidden.
func (s *Service) CreateDeliveryOrder(ctx context.Context, d DeliveryOrder) (DeliveryOrder, error) {
	if err := d.validate(); err != nil {
		return d, err
	}
	w, err := s.warehouseFor(ctx, d.Warehouse, "delivery_order.warehouse")
	if err != nil {
		return d, err
	}
	c, err := s.catalog.Customer(ctx, d.Customer)
	if apperr.IsKind(err, apperr.KindNotFound) || err == nil && c.Archived {
		return d, apperr.Invalid("delivery_order.customer", fmt.Sprintf("customer %d does not exist or is archived", d.Customer))
	}
	if err != nil {
		return d, err
	}
	if d.Outlet != 0 {
		o, err := s.catalog.Outlet(ctx, d.Customer, d.Outlet)
		if apperr.IsKind(err, apperr.KindNotFound) || err == nil && o.Archived {
			return d, apperr.Invalid("delivery_order.outlet", fmt.Sprintf("outlet %d is not a live outlet of customer %d", d.Outlet, d.Customer))
		}
		if err != nil {
			return d, err
		}
	}
	if err := s.checkItems(ctx, "delivery_order", d.Lines); err != nil {
		return d, err
	}
	d.Branch, d.CreatedBy = w.Branch, reqctx.PrincipalFrom(ctx).ID
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (DeliveryOrder, error) {
		d, err := s.insertDeliveryOrder(ctx, tx, d)
		if err != nil {
			return d, err
		}
		return s.submitDeliveryOrder(ctx, tx, d)
	})
}

func (s *Service) insertDeliveryOrder(ctx context.Context, tx *gorm.DB, d DeliveryOrder) (DeliveryOrder, error) {
	var err error
	if d.Number, err = s.number(ctx, tx, "DO", d.Branch); err != nil {
		return d, err
	}
	return s.store.with(tx).insertDeliveryOrder(d, s.clock())
}

// GetDeliveryOrder answers a delivery order. Errors: NotFound, Forbidden.
func (s *Service) GetDeliveryOrder(ctx context.Context, id int64) (DeliveryOrder, error) {
	d, err := s.read(ctx).deliveryOrder(id, false)
	if err != nil {
		return d, err
	}
	return d, checkBranch(ctx, d.Branch)
}

// ListDeliveryOrders pages through delivery orders, newest first.
func (s *Service) ListDeliveryOrders(ctx context.Context, size int32, token string, f OrderFilter) ([]DeliveryOrder, string, error) {
	pr, err := page.Parse(size, token, f.Warehouse, f.Party, f.Status)
	if err != nil {
		return nil, "", err
	}
	f.Branches = branchScope(ctx)
	ids, next, err := s.read(ctx).listIDs("delivery_orders", "customer_id", pr, f)
	if err != nil {
		return nil, "", err
	}
	out := make([]DeliveryOrder, 0, len(ids))
	for _, id := range ids {
		d, err := s.read(ctx).deliveryOrder(id, false)
		if err != nil {
			return nil, "", err
		}
		out = append(out, d)
	}
	return out, next, nil
}

// CancelDeliveryOrder closes what is open on a delivery order and releases the
// reservations of its reserved lines. Errors: NotFound, Forbidden, ErrDocumentClosed,
// ErrInUse.
func (s *Service) CancelDeliveryOrder(ctx context.Context, id int64) (DeliveryOrder, error) {
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (DeliveryOrder, error) {
		return s.cancelDelivery(ctx, tx, id)
	})
}

func (s *Service) cancelDelivery(ctx context.Context, tx *gorm.DB, id int64) (DeliveryOrder, error) {
	st := s.store.with(tx)
	d, err := st.deliveryOrder(id, true)
	if err != nil {
		return d, err
	}
	if err := checkBranch(ctx, d.Branch); err != nil {
		return d, err
	}
	if d.Status == StatusCancelled || d.Status == StatusShipped {
		return d, ErrDocumentClosed
	}
	if err := noOpenSessions(st, "delivery_order", id); err != nil {
		return d, err
	}
	now := s.clock()
	for _, l := range d.Lines {
		if open := l.Quantity - l.Done; l.Reserved && open > 0 {
			if err := st.unreserve(d.Warehouse, l.Item, open, now); err != nil {
				return d, err
			}
		}
	}
	d.Status = StatusCancelled
	if err := st.setStatus("delivery_orders", id, StatusCancelled, now); err != nil {
		return d, err
	}
	var items []int64
	for _, l := range d.Lines {
		if l.Reserved {
			items = append(items, l.Item)
		}
	}
	if len(items) == 0 {
		return d, nil
	}
	return d, s.outbox.Publish(ctx, tx, stockChanged(d.Warehouse, items, true))
}

// ---- transfers and stocktakes ----

// CreateTransfer records a transfer between warehouses. Errors: Invalid, Forbidden (the
// caller must be allowed in the source warehouse's branch).
func (s *Service) CreateTransfer(ctx context.Context, t Transfer) (Transfer, error) {
	t, err := s.prepareTransfer(ctx, t)
	if err != nil {
		return t, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Transfer, error) { return s.insertTransfer(ctx, tx, t) })
}

// CreateTransferIn records a transfer inside the caller's transaction, as part of the
// caller's unit of work (a confirmed replenishment suggestion); the caller's use case
// writes the idempotency record and the audit row. Errors: as CreateTransfer.
func (s *Service) CreateTransferIn(ctx context.Context, tx *gorm.DB, t Transfer) (Transfer, error) {
	t, err := s.prepareTransfer(ctx, t)
	if err != nil {
		return t, err
	}
	return s.insertTransfer(ctx, tx, t)
}

// prepareTransfer checks a new transfer and fills its branch and maker.
func (s *Service) prepareTransfer(ctx context.Context, t Transfer) (Transfer, error) {
	if err := t.validate(); err != nil {
		return t, err
	}
	from, err := s.warehouseFor(ctx, t.FromWarehouse, "transfer.from_warehouse")
	if err != nil {
		return t, err
	}
	to, err := s.catalog.Warehouse(ctx, t.ToWarehouse)
	if apperr.IsKind(err, apperr.KindNotFound) || err == nil && to.Archived {
		return t, apperr.Invalid("transfer.to_warehouse", fmt.Sprintf("warehouse %d does not exist or is archived", t.ToWarehouse))
	}
	if err != nil {
		return t, err
	}
	if err := s.checkItems(ctx, "transfer", t.Lines); err != nil {
		return t, err
	}
	t.Branch, t.CreatedBy = from.Branch, reqctx.PrincipalFrom(ctx).ID
	return t, nil
}

// insertTransfer numbers and writes a prepared transfer, in tx.
func (s *Service) insertTransfer(ctx context.Context, tx *gorm.DB, t Transfer) (Transfer, error) {
	var err error
	if t.Number, err = s.number(ctx, tx, "TR", t.Branch); err != nil {
		return t, err
	}
	return s.store.with(tx).insertTransfer(t, s.clock())
}

// GetTransfer answers a transfer. Errors: NotFound, Forbidden (neither end is the caller's).
func (s *Service) GetTransfer(ctx context.Context, id int64) (Transfer, error) {
	t, err := s.read(ctx).transfer(id, false)
	if err != nil {
		return t, err
	}
	if to, err := s.catalog.Warehouse(ctx, t.ToWarehouse); err == nil && checkBranch(ctx, to.Branch) == nil {
		return t, nil
	}
	return t, checkBranch(ctx, t.Branch)
}

// CreateStocktake starts a count. Errors: Invalid, Forbidden.
func (s *Service) CreateStocktake(ctx context.Context, x Stocktake) (Stocktake, error) {
	if len(x.Remark) > 255 {
		return x, apperr.Invalid("stocktake.remark", "must be at most 255 bytes")
	}
	w, err := s.warehouseFor(ctx, x.Warehouse, "stocktake.warehouse")
	if err != nil {
		return x, err
	}
	x.Branch, x.CreatedBy = w.Branch, reqctx.PrincipalFrom(ctx).ID
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Stocktake, error) {
		var err error
		if x.Number, err = s.number(ctx, tx, "ST", x.Branch); err != nil {
			return x, err
		}
		return s.store.with(tx).insertStocktake(x, s.clock())
	})
}

// GetStocktake answers a stocktake, with the differences of its last count that went
// through approval. Errors: NotFound, Forbidden.
func (s *Service) GetStocktake(ctx context.Context, id int64) (Stocktake, error) {
	rd := s.read(ctx)
	x, err := rd.stocktake(id, false)
	if err != nil {
		return x, err
	}
	if err := checkBranch(ctx, x.Branch); err != nil {
		return x, err
	}
	x.Differences, err = rd.countDifferences(id)
	return x, err
}

// noOpenSessions refuses to change a document that open scan sessions work on.
func noOpenSessions(st store, docType string, id int64) error {
	n, err := st.openSessions(docType, id)
	if err != nil {
		return err
	}
	if n > 0 {
		return ErrInUse
	}
	return nil
}

// newScanID makes up a scan id for clients that send none.
func newScanID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "srv-" + hex.EncodeToString(b[:])
}
