// Package app wires erphub together, top to bottom, for erpd and erpctl: the database,
// the outbox, the job runner and every service. No DI framework: reading New shows the
// whole system.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/config"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/jobs"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/server"
	"github.com/erphub/erphub/internal/webapp"
	"github.com/erphub/erphub/services/approval"
	"github.com/erphub/erphub/services/catalog"
	"github.com/erphub/erphub/services/finance"
	"github.com/erphub/erphub/services/identity"
	"github.com/erphub/erphub/services/insights"
	"github.com/erphub/erphub/services/orders"
	"github.com/erphub/erphub/services/reconcile"
	"github.com/erphub/erphub/services/warehouse"
)

// App is a wired erphub.
type App struct {
	Cfg       config.Config
	Log       *slog.Logger
	DB        *gorm.DB
	Outbox    *outbox.Outbox
	Jobs      *jobs.Runner
	Catalog   *catalog.Service
	Identity  *identity.Service
	Approval  *approval.Service
	Warehouse *warehouse.Service
	Orders    *orders.Service
	Finance   *finance.Service
	Reconcile *reconcile.Service
	Insights  *insights.Service
	// Transports are the gRPC/HTTP faces of the services, in registration order.
	Transports []server.Service
}

// New opens the database and builds every service. It does not migrate or start anything.
func New(cfg config.Config, log *slog.Logger) (*App, error) {
	g, err := db.Open(cfg.MySQLDSN, db.Options{MaxOpenConns: cfg.DBMaxConns, Logger: log})
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: log, DB: g}
	a.Outbox = outbox.New(g, outbox.Options{Poll: cfg.OutboxPoll, Workers: cfg.OutboxWorkers,
		MaxBackoff: cfg.OutboxMaxBackoff, BaseBackoff: cfg.OutboxBackoff, Lease: cfg.OutboxLease, Logger: log})
	a.Jobs = jobs.New(g, cfg.TimeZone, log)
	a.Catalog = catalog.New(g)
	a.Identity = identity.New(g, a.Catalog, identity.Options{TokenTTL: cfg.TokenTTL, CacheTTL: cfg.AuthCacheTTL,
		Throttle: identity.Throttle{FreeFailures: cfg.LoginFreeFails, MaxDelay: cfg.LoginMaxDelay, LockAfter: cfg.LoginLockAfter,
			LockFor: cfg.LoginLockFor}})
	a.Approval = approval.New(g, a.Identity, a.Outbox, approval.Options{Log: log})
	a.Warehouse = warehouse.New(g, a.Catalog, a.Outbox, warehouse.Options{Location: cfg.TimeZone,
		Approvals: warehouseApprovals{a}})
	a.Orders = orders.New(g, a.Catalog, a.Warehouse, a.Outbox, log, orders.Options{StockDebounce: cfg.StockDebounce,
		StockRetryBase: cfg.OutboxBackoff, StockRetryMax: cfg.StockMaxBackoff})
	a.Finance = finance.New(g, a.Catalog, a.Warehouse, a.Outbox, finance.Options{Location: cfg.TimeZone, Log: log,
		Approvals: financeApprovals{a.Approval}})
	a.Reconcile = reconcile.New(g, a.Catalog, a.Warehouse, a.Orders, a.Outbox, reconcile.Options{Location: cfg.TimeZone, Log: log,
		Approvals: reconcileApprovals{a.Approval}})
	a.Insights = insights.New(g, a.Outbox, insights.Options{Location: cfg.TimeZone, Log: log,
		Warehouse: insightsWarehouse{a.Warehouse}, Directory: insightsDirectory{a.Catalog}})
	a.Transports = []server.Service{identity.NewGRPC(a.Identity), catalog.NewGRPC(a.Catalog), warehouse.NewGRPC(a.Warehouse),
		orders.NewGRPC(a.Orders), finance.NewGRPC(a.Finance), reconcile.NewGRPC(a.Reconcile),
		reconcile.NewReceivablesGRPC(a.Reconcile), approval.NewGRPC(a.Approval), insights.NewGRPC(a.Insights)}
	return a, nil
}

// Migrate creates the database if needed and applies pending migrations.
func (a *App) Migrate(ctx context.Context) (int, error) {
	return db.Migrate(ctx, a.DB)
}

// Ready is nil when the database answers and every migration is applied.
func (a *App) Ready(ctx context.Context) error {
	if err := db.Ping(ctx, a.DB); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	ok, err := db.MigrationsCurrent(ctx, a.DB)
	if err != nil {
		return fmt.Errorf("migration state: %w", err)
	}
	if !ok {
		return fmt.Errorf("migrations pending: run erpctl migrate up")
	}
	return nil
}

// RegisterJobs adds every scheduled job; schedules may be overridden by configuration.
func (a *App) RegisterJobs(ctx context.Context) error {
	for _, j := range a.jobList() {
		if spec, ok := a.Cfg.Schedules[j.Name]; ok {
			j.Schedule = spec
		}
		if err := a.Jobs.Add(ctx, j); err != nil {
			return err
		}
	}
	return nil
}

func (a *App) jobList() []jobs.Job {
	return []jobs.Job{{
		Name:     "housekeeping",
		Schedule: "30 3 * * *",
		Timeout:  30 * time.Minute,
		Run:      a.housekeeping,
	}, {
		Name:     "stock-push",
		Schedule: "*/15 * * * *",
		Timeout:  10 * time.Minute,
		Run:      a.Orders.PushAllStock,
	}, {
		Name:     "order-pull",
		Schedule: "@every 1m",
		Timeout:  10 * time.Minute,
		Run:      a.Orders.PullDue,
	}, {
		Name:     "voucher-batch",
		Schedule: "30 0 * * *",
		Timeout:  30 * time.Minute,
		Run:      a.Finance.SummariseDaily,
	}, {
		Name:     "depreciation",
		Schedule: "0 2 1 * *",
		Timeout:  30 * time.Minute,
		Run:      a.Finance.DepreciateLastMonth,
	}, {
		Name:     "account-statements",
		Schedule: "30 1 * * *",
		Timeout:  30 * time.Minute,
		Run:      a.Reconcile.GenerateDueStatements,
	}, {
		Name:     "approval-reminders",
		Schedule: "*/5 * * * *",
		Timeout:  5 * time.Minute,
		Run:      a.Approval.RemindDue,
	}, {
		Name:     "insights-catchup",
		Schedule: "*/5 * * * *",
		Timeout:  10 * time.Minute,
		Run:      a.Insights.CatchUp,
	}, {
		Name:     "insights-replenishment",
		Schedule: "0 5 * * *",
		Timeout:  30 * time.Minute,
		Run:      a.Insights.SuggestReplenishment,
	}}
}

// warehouseApprovals adapts the approval service to the warehouse's consumer-side
// interface, so that warehouse does not import approval, and answers the credit position
// of a customer from reconcile.
type warehouseApprovals struct{ a *App }

func approvalDocument(d warehouse.ApprovalDocument) approval.Document {
	doc := approval.Document{Type: d.Type, ID: d.ID, Number: d.Number, Amount: d.Amount, Branch: d.Branch,
		Warehouse: d.Warehouse, Maker: d.Maker, Facts: d.Facts}
	if d.DiscountBp != 0 || d.CreditOver != 0 {
		doc.Attributes = map[string]int64{approval.AttrDiscountBp: d.DiscountBp, approval.AttrCreditOver: d.CreditOver}
	}
	return doc
}

func (w warehouseApprovals) Submit(ctx context.Context, tx *gorm.DB, candidates []warehouse.ApprovalDocument, also ...string) (int64, error) {
	docs := make([]approval.Document, len(candidates))
	for i, d := range candidates {
		docs[i] = approvalDocument(d)
	}
	id, _, err := w.a.Approval.SubmitFirst(ctx, tx, docs, also...)
	return id, err
}

func (w warehouseApprovals) Needed(ctx context.Context, tx *gorm.DB, d warehouse.ApprovalDocument) (bool, error) {
	return w.a.Approval.Matches(ctx, tx, approvalDocument(d))
}

// Credit is what the customer owes on delivery basis (reconcile's Balance, what our
// statements show), its limit, and by how much amount more takes it over the limit.
func (w warehouseApprovals) Credit(ctx context.Context, customer, amount int64) (warehouse.CreditPosition, error) {
	var p warehouse.CreditPosition
	if w.a.Reconcile == nil {
		return p, nil
	}
	c, err := w.a.Catalog.Customer(ctx, customer)
	if err != nil {
		return p, err
	}
	if p.Owed, err = w.a.Reconcile.Balance(ctx, customer); err != nil {
		return p, err
	}
	p.Limit = c.CreditLimit
	if p.Limit > 0 {
		p.Over = max(0, p.Owed+amount-p.Limit)
	}
	return p, nil
}

// financeApprovals adapts the approval service to finance's consumer-side interface.
type financeApprovals struct{ s *approval.Service }

func (f financeApprovals) Submit(ctx context.Context, tx *gorm.DB, d finance.ApprovalDocument) (int64, error) {
	return f.s.Submit(ctx, tx, approval.Document{Type: d.Type, ID: d.ID, Number: d.Number, Amount: d.Amount, Branch: d.Branch,
		Maker: d.Maker})
}

// reconcileApprovals adapts the approval service to reconcile's consumer-side interface
// (supplier payments and statement write-offs).
type reconcileApprovals struct{ s *approval.Service }

func (r reconcileApprovals) Submit(ctx context.Context, tx *gorm.DB, d reconcile.ApprovalDocument) (int64, error) {
	return r.s.Submit(ctx, tx, approval.Document{Type: d.Type, ID: d.ID, Number: d.Number, Amount: d.Amount, Branch: d.Branch,
		Maker: d.Maker})
}

// insightsWarehouse adapts the warehouse service to insights' consumer-side interface:
// confirmed replenishment suggestions become purchase orders and transfers through the
// warehouse's own use cases, in the confirmation's transaction.
type insightsWarehouse struct{ w *warehouse.Service }

func warehouseLines(lines []insights.DraftLine) []warehouse.Line {
	out := make([]warehouse.Line, len(lines))
	for i, l := range lines {
		out[i] = warehouse.Line{Item: l.ItemID, Quantity: l.Quantity, UnitPrice: l.UnitPrice}
	}
	return out
}

func (iw insightsWarehouse) CreatePurchaseOrderIn(ctx context.Context, tx *gorm.DB, o insights.PurchaseOrderDraft) (insights.Document, error) {
	p, err := iw.w.CreatePurchaseOrderIn(ctx, tx, warehouse.PurchaseOrder{Supplier: o.SupplierID, Warehouse: o.WarehouseID,
		Remark: o.Remark, Lines: warehouseLines(o.Lines)})
	return insights.Document{Type: insights.DocumentPurchaseOrder, ID: p.ID, Number: p.Number, Status: p.Status}, err
}

func (iw insightsWarehouse) CreateTransferIn(ctx context.Context, tx *gorm.DB, t insights.TransferDraft) (insights.Document, error) {
	x, err := iw.w.CreateTransferIn(ctx, tx, warehouse.Transfer{FromWarehouse: t.FromWarehouseID, ToWarehouse: t.ToWarehouseID,
		Remark: t.Remark, Lines: warehouseLines(t.Lines)})
	return insights.Document{Type: insights.DocumentTransfer, ID: x.ID, Number: x.Number, Status: x.Status}, err
}

// insightsDirectory adapts the catalog's batch name lookup to insights' interface.
type insightsDirectory struct{ c *catalog.Service }

func (d insightsDirectory) Names(ctx context.Context, r insights.NameRefs) (insights.Names, error) {
	n, err := d.c.Names(ctx, catalog.NameRefs{Items: r.Items, Warehouses: r.Warehouses, Suppliers: r.Suppliers,
		Customers: r.Customers, Outlets: r.Outlets, Shops: r.Shops})
	out := insights.Names{Items: make(map[int64]insights.ItemName, len(n.Items)), Warehouses: n.Warehouses,
		Suppliers: n.Suppliers, Customers: n.Customers, Outlets: n.Outlets, Shops: n.Shops}
	for id, it := range n.Items {
		out.Items[id] = insights.ItemName{SKU: it.SKU, Name: it.Name}
	}
	return out, err
}

// housekeeping drops delivered outbox rows and idempotency records past the retention.
func (a *App) housekeeping(ctx context.Context) error {
	n, err := a.Outbox.Purge(ctx, a.Cfg.Retention)
	if err != nil {
		return err
	}
	cutoff := time.Now().UTC().Add(-a.Cfg.Retention)
	var total int64
	for {
		res := a.DB.WithContext(ctx).Exec(`DELETE FROM idempotency_keys WHERE created_at < ? LIMIT 5000`, cutoff)
		if res.Error != nil {
			return res.Error
		}
		total += res.RowsAffected
		if res.RowsAffected < 5000 {
			break
		}
	}
	a.Log.InfoContext(ctx, "housekeeping", "outbox_purged", n, "idempotency_purged", total)
	return nil
}

// Background starts the loops every replica runs until ctx ends: the outbox dispatcher
// (which also folds the insights facts), the order allocator, the stock pusher and the
// voucher generator. It answers a channel closed when all have stopped.
func (a *App) Background(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(4)
	go func() { defer wg.Done(); a.Outbox.Run(ctx) }()
	go func() { defer wg.Done(); a.Finance.RunGenerator(ctx) }()
	go func() { defer wg.Done(); a.Orders.RunAllocator(ctx) }()
	go func() { defer wg.Done(); a.Orders.RunStockPusher(ctx) }()
	go func() { wg.Wait(); close(done) }()
	return done
}

// HTTPRoutes are the routes outside the gRPC gateway: platform webhooks, which carry their
// own signatures instead of bearer tokens, and the phone web app's static files at /app/.
func (a *App) HTTPRoutes() map[string]http.Handler {
	routes := map[string]http.Handler{
		"POST /v1/webhooks/shopify/{shop}":     a.Orders.WebhookHandler("shopify", a.Log),
		"POST /v1/webhooks/woocommerce/{shop}": a.Orders.WebhookHandler("woocommerce", a.Log),
	}
	for pattern, h := range webapp.Routes() {
		routes[pattern] = h
	}
	return routes
}
