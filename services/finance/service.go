package finance

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
	"github.com/erphub/erphub/services/warehouse"
)

// TopicDocument carries business documents of other services (invoices, settlements,
// receipts and payments) to voucher generation, as Document payloads.
const TopicDocument = "finance.document"

// Options tune the service.
type Options struct {
	Location *time.Location   // the company's time zone: document dates and periods
	Now      func() time.Time // clock (tests)
	Log      *slog.Logger
	// Approvals submits manual vouchers to their approval flows (nil: none).
	Approvals Approvals
}

// Service holds the finance use cases.
type Service struct {
	db        *gorm.DB
	catalog   *catalog.Service
	warehouse *warehouse.Service
	outbox    *outbox.Outbox
	loc       *time.Location
	now       func() time.Time
	log       *slog.Logger
	kick      chan struct{}
	approvals Approvals
}

// New returns the service and subscribes voucher generation to posted stock documents and
// to finance documents of other services.
func New(g *gorm.DB, cat *catalog.Service, wms *warehouse.Service, ob *outbox.Outbox, opt Options) *Service {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.Now == nil {
		opt.Now = func() time.Time { return time.Now().UTC() }
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	s := &Service{db: g, catalog: cat, warehouse: wms, outbox: ob, loc: opt.Location, now: opt.Now, log: opt.Log,
		kick: make(chan struct{}, 1), approvals: opt.Approvals}
	ob.Subscribe("finance-stock-documents", []string{warehouse.TopicDocumentPosted}, s.onStockDocument)
	ob.Subscribe("finance-documents", []string{TopicDocument}, s.onDocument)
	ob.Subscribe("finance-approvals", []string{TopicApprovalDecided}, s.onApprovalDecided)
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// today answers the company's date.
func (s *Service) today() time.Time {
	t := s.now().In(s.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// localDate answers the company's date of an instant.
func (s *Service) localDate(t time.Time) time.Time {
	t = t.In(s.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// branchScope answers the caller's branches, nil for all.
func branchScope(ctx context.Context) []int64 {
	p := reqctx.PrincipalFrom(ctx)
	if p.Kind == reqctx.ActorSystem || p.AllBranches() {
		return nil
	}
	return p.Branches
}

// checkBranch refuses a branch the caller may not see; branch 0 (company-wide) is for
// callers with every branch.
func checkBranch(ctx context.Context, branch int64) error {
	p := reqctx.PrincipalFrom(ctx)
	if branch == 0 && p.Kind != reqctx.ActorSystem && !p.AllBranches() {
		return apperr.Forbidden("company-wide vouchers are for users of every branch")
	}
	if branch != 0 && !p.CanAccessBranch(branch) {
		return apperr.Forbidden(fmt.Sprintf("you may not act in branch %d", branch))
	}
	return nil
}

// canSeeBranch reports whether the caller may see a branch's data.
func canSeeBranch(ctx context.Context, branch int64) bool {
	p := reqctx.PrincipalFrom(ctx)
	return p.Kind == reqctx.ActorSystem || p.CanAccessBranch(branch)
}

// userID answers the caller's user id (0 for the system).
func userID(ctx context.Context) int64 {
	p := reqctx.PrincipalFrom(ctx)
	if p.Kind == reqctx.ActorUser {
		return p.ID
	}
	return 0
}

// Kick wakes the local voucher generator.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}
