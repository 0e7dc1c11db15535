package finance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/txn"
)

// Books is the company's set of books.
type Books struct {
	StartPeriod  Period
	VoucherWords []string
	Initialized  time.Time
}

// ResourceName names the books in the audit log.
func (Books) ResourceName() string { return "books" }

// ErrNoBooks answers use cases that need the books before they are set up.
var ErrNoBooks = apperr.Refused("BOOKS_NOT_INITIALIZED", "the books are not set up yet: POST /v1/books:initialize")

// Dims are a line's auxiliary dimensions (0: none).
type Dims struct {
	Customer, Supplier, Branch, Item, Employee, Warehouse int64
}

// get answers a dimension by name.
func (d Dims) get(name string) int64 {
	switch name {
	case "customer":
		return d.Customer
	case "supplier":
		return d.Supplier
	case "branch":
		return d.Branch
	case "item":
		return d.Item
	case "employee":
		return d.Employee
	case "warehouse":
		return d.Warehouse
	}
	return 0
}

// OpeningBalance is an account's balance when the books start.
type OpeningBalance struct {
	Account       string
	Debit, Credit int64
	Dims          Dims
}

func (s *Service) books(g *gorm.DB) (Books, error) {
	var r struct {
		StartPeriod   int
		VoucherWords  string
		InitializedAt time.Time
	}
	res := g.Raw(`SELECT start_period, voucher_words, initialized_at FROM books WHERE id = 1`).Scan(&r)
	if res.Error != nil {
		return Books{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Books{}, ErrNoBooks
	}
	return Books{StartPeriod: Period(r.StartPeriod), VoucherWords: strings.Split(r.VoucherWords, ","), Initialized: r.InitializedAt}, nil
}

// GetBooks answers the books. Errors: Refused (not set up).
func (s *Service) GetBooks(ctx context.Context) (Books, error) { return s.books(s.db.WithContext(ctx)) }

// InitializeBooks sets the books up once: the first period, the voucher words (default
// 记) and the opening balances, which must balance. Errors: Invalid, Refused (already set
// up, openings out of balance).
func (s *Service) InitializeBooks(ctx context.Context, start string, words []string, openings []OpeningBalance) (Books, error) {
	var v apperr.Violations
	p, err := ParsePeriod(start, "start_period")
	if err != nil {
		return Books{}, err
	}
	if len(words) == 0 {
		words = []string{"记"}
	}
	v.Check(len(words) <= 10, "voucher_words", "at most 10")
	for i, w := range words {
		v.Check(w != "" && utf8.RuneCountInString(w) <= 2 && len(w) <= 8 && !strings.Contains(w, ",") && !slices.Contains(words[:i], w),
			fmt.Sprintf("voucher_words[%d]", i), "must be a distinct word of one or two characters")
	}
	v.Check(len(openings) <= 10000, "opening_balances", "at most 10,000")
	var debit, credit int64
	codes := make([]string, 0, len(openings))
	for i, o := range openings {
		f := fmt.Sprintf("opening_balances[%d]", i)
		v.Check(o.Debit >= 0 && o.Credit >= 0, f, "debit and credit must not be negative")
		debit, credit = debit+o.Debit, credit+o.Credit
		codes = append(codes, o.Account)
	}
	if err := v.Err("invalid books"); err != nil {
		return Books{}, err
	}
	if debit != credit {
		return Books{}, apperr.Invalid("opening_balances", fmt.Sprintf("debits %s and credits %s differ by %s",
			money.Yuan(debit), money.Yuan(credit), money.Yuan(debit-credit)))
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Books, error) {
		if _, err := s.books(tx); err == nil {
			return Books{}, apperr.Refused("BOOKS_INITIALIZED", "the books are set up already")
		} else if err != ErrNoBooks {
			return Books{}, err
		}
		accounts, err := accountsByCode(tx, codes, true)
		if err != nil {
			return Books{}, err
		}
		var v apperr.Violations
		for i, o := range openings {
			a, ok := accounts[o.Account]
			f := fmt.Sprintf("opening_balances[%d].account", i)
			switch {
			case !ok:
				v.Addf(f, "account %s does not exist", o.Account)
			case !a.Leaf():
				v.Addf(f, "account %s has detail accounts; give the balance on them", o.Account)
			case !a.Enabled:
				v.Addf(f, "account %s is disabled", o.Account)
			}
		}
		if err := v.Err("invalid opening balances"); err != nil {
			return Books{}, err
		}
		b := Books{StartPeriod: p, VoucherWords: words, Initialized: s.clock()}
		if err := tx.Exec(`INSERT INTO books (id, start_period, voucher_words, initialized_by, initialized_at) VALUES (1,?,?,?,?)`,
			int(p), strings.Join(words, ","), userID(ctx), b.Initialized).Error; err != nil {
			return b, err
		}
		if err := tx.Exec(`INSERT INTO periods (period, status) VALUES (?, 'open')`, int(p)).Error; err != nil {
			return b, err
		}
		bal := balanceSet{}
		for _, o := range openings {
			bal.add(o.Account, p.Prev(), false, o.Dims, o.Debit, o.Credit)
		}
		return b, bal.write(tx, s.clock())
	})
}

// Period status.
const (
	PeriodOpen   = "open"
	PeriodClosed = "closed"
)

// PeriodInfo is a period's state.
type PeriodInfo struct {
	Period              Period
	Status              string
	CostRun             *time.Time
	CarryForwardVoucher int64
	DepreciationVoucher int64
	ClosedAt            *time.Time
}

// ResourceName names the period in the audit log.
func (p PeriodInfo) ResourceName() string { return "periods/" + p.Period.String() }

// openPeriodFor checks that vouchers may be made in the period of a date: the books are
// set up, the period is not before them and not closed. lock takes the period's row for
// posting.
func (s *Service) openPeriodFor(tx *gorm.DB, p Period, lock bool) error {
	b, err := s.books(tx)
	if err != nil {
		return err
	}
	if p < b.StartPeriod {
		return apperr.Refused("BEFORE_BOOKS", fmt.Sprintf("%s is before the books start (%s)", p, b.StartPeriod))
	}
	if lock {
		if err := tx.Exec(`INSERT IGNORE INTO periods (period, status) VALUES (?, 'open')`, int(p)).Error; err != nil {
			return err
		}
	}
	q := `SELECT status FROM periods WHERE period = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var status string
	if err := tx.Raw(q, int(p)).Scan(&status).Error; err != nil {
		return err
	}
	if status == PeriodClosed {
		return apperr.Refused("PERIOD_CLOSED", fmt.Sprintf("period %s is closed", p))
	}
	return nil
}

// ListPeriods answers the periods from the start of the books to the latest used.
func (s *Service) ListPeriods(ctx context.Context) ([]PeriodInfo, error) {
	b, err := s.books(s.db.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Period                                   int
		Status                                   string
		CostRunAt, ClosedAt                      *time.Time
		CarryForwardVoucher, DepreciationVoucher int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT period, status, cost_run_at, closed_at, carry_forward_voucher, depreciation_voucher
		FROM periods ORDER BY period`).Scan(&rows).Error; err != nil {
		return nil, err
	}
	known := map[Period]PeriodInfo{}
	last := b.StartPeriod
	for _, r := range rows {
		p := Period(r.Period)
		known[p] = PeriodInfo{Period: p, Status: r.Status, CostRun: r.CostRunAt, ClosedAt: r.ClosedAt,
			CarryForwardVoucher: r.CarryForwardVoucher, DepreciationVoucher: r.DepreciationVoucher}
		last = max(last, p)
	}
	last = max(last, PeriodOf(s.today()))
	var out []PeriodInfo
	for p := b.StartPeriod; p <= last; p = p.Next() {
		info, ok := known[p]
		if !ok {
			info = PeriodInfo{Period: p, Status: PeriodOpen}
		}
		out = append(out, info)
	}
	return out, nil
}
