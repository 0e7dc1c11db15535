package insights

import (
	"cmp"
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/services/orders"
)

// Subscribers of the outbox (stable names: they are stored with every row).
const (
	subscriberOrders = "insights-orders"
	subscriberStock  = "insights-stock"
	subscriberReturn = "insights-returns"
)

// TopicDocumentPosted is the warehouse's topic of posted stock documents
// (warehouse.TopicDocumentPosted). Insights reads its own copy of the payload's few
// fields it needs, so it does not import the warehouse (a test compares the names).
const TopicDocumentPosted = "warehouse.document.posted"

// DocDelivery is the warehouse's type of a posted delivery (warehouse.DocDelivery).
const DocDelivery = "delivery"

// documentPosted is insights' copy of the posted-document payload (warehouse.PostedEvent).
type documentPosted struct {
	Document int64  `json:"document"`
	Type     string `json:"type"`
}

// Options tune the service.
type Options struct {
	Location *time.Location // the company's time zone (days of facts)
	Now      func() time.Time
	Log      *slog.Logger
	// Warehouse makes the purchase orders and transfers that confirmed suggestions
	// become (nil: such a confirmation fails).
	Warehouse Warehouse
	// Directory answers names for the answers (nil: names are empty).
	Directory Directory
	// CacheBytes bounds the memory of the answers and period sums kept in this replica,
	// roughly (0: 64 MiB; negative: none are kept).
	CacheBytes int64
}

// Service holds the insights use cases.
type Service struct {
	db     *gorm.DB
	outbox *outbox.Outbox
	loc    *time.Location
	now    func() time.Time
	log    *slog.Logger

	warehouse Warehouse
	directory Directory
	cache     *answerCache // nil: off
	// buyersSeen is the number of buyers of the last period read (a capacity hint)
	buyersSeen atomic.Int64
	// buyersPatched counts kept buyer sums brought up to date by reading some buyers again
	buyersPatched atomic.Int64
}

// New returns the service and subscribes its read models to order changes and posted
// stock documents.
func New(g *gorm.DB, ob *outbox.Outbox, opt Options) *Service {
	s := &Service{db: g, outbox: ob, loc: cmp.Or(opt.Location, time.UTC), now: opt.Now, log: opt.Log,
		warehouse: opt.Warehouse, directory: opt.Directory}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if opt.CacheBytes >= 0 {
		s.cache = newAnswerCache(opt.CacheBytes)
	}
	ob.SubscribeBatch(subscriberOrders, []string{orders.TopicOrdersChanged}, eventsPerCall, s.onOrdersChanged)
	ob.SubscribeBatch(subscriberStock, []string{TopicDocumentPosted}, eventsPerCall, s.onDocumentsPosted)
	ob.SubscribeBatch(subscriberReturn, []string{TopicReturnRecorded}, eventsPerCall, s.onReturnsRecorded)
	return s
}

// today is the current day in the company's time zone, as a date at UTC midnight.
func (s *Service) today() time.Time {
	n := s.now().In(s.loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// offsetSeconds is the company's UTC offset now; facts are dated in SQL with it (a zone
// with daylight saving dates events near the change by the current offset).
func (s *Service) offsetSeconds() int {
	_, off := s.now().In(s.loc).Zone()
	return off
}

// FactsCurrentTo answers the time the read models are current to: the creation time of
// the oldest event still waiting for them, or now when none waits.
func (s *Service) FactsCurrentTo(ctx context.Context) (time.Time, error) {
	at, ok, err := s.outbox.OldestPending(ctx, subscriberOrders, subscriberStock, subscriberReturn)
	if err != nil || !ok {
		return s.now().UTC(), err
	}
	return at, nil
}

// Period is an inclusive range of days (dates at UTC midnight).
type Period struct {
	From, To time.Time
}

// Days is the period's length in days.
func (p Period) Days() int64 { return int64(p.To.Sub(p.From).Hours()/24) + 1 }

// Previous is the period of the same length just before p.
func (p Period) Previous() Period {
	n := p.Days()
	return Period{From: p.From.AddDate(0, 0, -int(n)), To: p.From.AddDate(0, 0, -1)}
}

// maxPeriodDays bounds a period (about three years).
const maxPeriodDays = 1100

// period parses from/to (YYYY-MM-DD, inclusive); to defaults to yesterday, from to
// defaultDays-1 days before to. Errors: Invalid naming the field.
func (s *Service) period(from, to string, defaultDays int) (Period, error) {
	var v apperr.Violations
	var p Period
	var err error
	if to == "" {
		p.To = s.today().AddDate(0, 0, -1)
	} else if p.To, err = time.Parse(time.DateOnly, to); err != nil {
		v.Add("to", "must be a date YYYY-MM-DD")
	}
	if from == "" {
		p.From = p.To.AddDate(0, 0, -(defaultDays - 1))
	} else if p.From, err = time.Parse(time.DateOnly, from); err != nil {
		v.Add("from", "must be a date YYYY-MM-DD")
	}
	if v.Empty() {
		v.Check(!p.From.After(p.To), "from", "must not be after to")
		v.Check(p.Days() <= maxPeriodDays, "from", "the period may span at most 1100 days")
	}
	return p, v.Err("invalid period")
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
