package reconcile

import (
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/services/catalog"
	"github.com/erphub/erphub/services/orders"
	"github.com/erphub/erphub/services/warehouse"
)

// Options tune the service.
type Options struct {
	Location *time.Location   // the company's time zone: document dates
	Now      func() time.Time // clock (tests)
	Log      *slog.Logger
	// Approvals routes supplier payments and statement write-offs through approval flows
	// (nil: none needs approval).
	Approvals Approvals
}

// Service holds the reconciliation use cases.
type Service struct {
	db        *gorm.DB
	catalog   *catalog.Service
	warehouse *warehouse.Service
	orders    *orders.Service
	outbox    *outbox.Outbox
	loc       *time.Location
	now       func() time.Time
	log       *slog.Logger
	approvals Approvals
}

// New returns the service and subscribes it to posted stock documents, which become trade
// lines, and (with Approvals) to approval outcomes.
func New(g *gorm.DB, cat *catalog.Service, wms *warehouse.Service, ord *orders.Service, ob *outbox.Outbox, opt Options) *Service {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.Now == nil {
		opt.Now = func() time.Time { return time.Now().UTC() }
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	s := &Service{db: g, catalog: cat, warehouse: wms, orders: ord, outbox: ob, loc: opt.Location, now: opt.Now, log: opt.Log,
		approvals: opt.Approvals}
	ob.Subscribe("reconcile-trade-lines", []string{warehouse.TopicDocumentPosted}, s.onStockDocument)
	if s.approvals != nil {
		ob.Subscribe("reconcile-approvals", []string{TopicApprovalDecided}, s.onApprovalDecided)
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// localDate answers the company's date of an instant.
func (s *Service) localDate(t time.Time) time.Time {
	t = t.In(s.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (s *Service) today() time.Time { return s.localDate(s.now()) }
