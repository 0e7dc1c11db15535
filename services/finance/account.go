package finance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/txn"
)

// Account categories (会计科目类别) and balance sides.
const (
	CategoryAsset      = "asset"
	CategoryLiability  = "liability"
	CategoryEquity     = "equity"
	CategoryCost       = "cost"
	CategoryProfitLoss = "profit_loss"
	SideDebit          = "debit"
	SideCredit         = "credit"
)

// Dimensions an account may require on its lines.
var dimensionNames = []string{"customer", "supplier", "branch", "item", "employee", "warehouse"}

// Account is a ledger account.
type Account struct {
	Code        string
	Name        string
	Parent      string
	Level       int32
	Category    string
	BalanceSide string
	Dimensions  []string
	Enabled     bool
	Posted      bool // has postings: cannot be deleted, takes no detail accounts
	Children    int32
	UpdateTime  time.Time
}

// ResourceName names the account in the audit log.
func (a Account) ResourceName() string { return "accounts/" + a.Code }

// Leaf reports whether lines may post to the account.
func (a Account) Leaf() bool { return a.Children == 0 }

// Requires reports whether lines on the account must carry a dimension.
func (a Account) Requires(dim string) bool { return slices.Contains(a.Dimensions, dim) }

type accountRow struct {
	Code, Name, ParentCode, Category, BalanceSide, Dimensions string
	Level, Children                                           int32
	Enabled, Posted                                           bool
	UpdatedAt                                                 time.Time
}

func (r accountRow) account() Account {
	a := Account{Code: r.Code, Name: r.Name, Parent: r.ParentCode, Level: r.Level, Category: r.Category,
		BalanceSide: r.BalanceSide, Enabled: r.Enabled, Posted: r.Posted, Children: r.Children, UpdateTime: r.UpdatedAt}
	if r.Dimensions != "" {
		a.Dimensions = strings.Split(r.Dimensions, ",")
	}
	return a
}

func accountsByCode(g *gorm.DB, codes []string, lock bool) (map[string]Account, error) {
	out := map[string]Account{}
	if len(codes) == 0 {
		return out, nil
	}
	q := `SELECT * FROM accounts WHERE code IN ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var rows []accountRow
	if err := g.Raw(q, codes).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.Code] = r.account()
	}
	return out, nil
}

func validDimensions(field string, dims []string, v *apperr.Violations) {
	for i, d := range dims {
		v.Check(slices.Contains(dimensionNames, d), fmt.Sprintf("%s[%d]", field, i),
			"must be one of "+strings.Join(dimensionNames, ", "))
	}
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// CreateAccount adds a detail account under the account its code extends by two digits;
// it inherits category, balance side and (unless given) dimensions. Errors: Invalid,
// AlreadyExists, Refused (the parent has postings or is disabled).
func (s *Service) CreateAccount(ctx context.Context, a Account) (Account, error) {
	var v apperr.Violations
	a.Code, a.Name = strings.TrimSpace(a.Code), strings.TrimSpace(a.Name)
	v.Check(isDigits(a.Code) && len(a.Code) >= 6 && len(a.Code) <= 20 && len(a.Code)%2 == 0, "account.code",
		"must be digits extending a parent account's code by two (first-level accounts are the standard's)")
	v.Check(a.Name != "" && len(a.Name) <= 100, "account.name", "is required (at most 100 bytes)")
	validDimensions("account.dimensions", a.Dimensions, &v)
	if err := v.Err("invalid account"); err != nil {
		return a, err
	}
	parent := a.Code[:len(a.Code)-2]
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Account, error) {
		ps, err := accountsByCode(tx, []string{parent}, true)
		if err != nil {
			return a, err
		}
		p, ok := ps[parent]
		switch {
		case !ok:
			return a, apperr.Invalid("account.code", fmt.Sprintf("no parent account %s", parent))
		case p.Posted:
			return a, apperr.Refused("PARENT_HAS_POSTINGS", fmt.Sprintf("account %s has postings; detail accounts must exist before posting", parent))
		case !p.Enabled:
			return a, apperr.Refused("PARENT_DISABLED", fmt.Sprintf("account %s is disabled", parent))
		}
		if a.Dimensions == nil {
			a.Dimensions = p.Dimensions
		}
		a.Parent, a.Level, a.Category, a.BalanceSide, a.Enabled = parent, p.Level+1, p.Category, p.BalanceSide, true
		now := s.clock()
		err = tx.Exec(`INSERT INTO accounts (code, name, parent_code, level, category, balance_side, dimensions, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?)`, a.Code, a.Name, a.Parent, a.Level, a.Category, a.BalanceSide,
			strings.Join(a.Dimensions, ","), now, now).Error
		if _, dup := db.IsDuplicate(err); dup {
			return a, apperr.Conflict("account.code", "an account with code "+a.Code+" exists")
		}
		if err != nil {
			return a, err
		}
		a.UpdateTime = now
		return a, tx.Exec(`UPDATE accounts SET children = children + 1, updated_at = ? WHERE code = ?`, now, parent).Error
	})
}

// AccountChange is what UpdateAccount may change; nil fields stay.
type AccountChange struct {
	Name       *string
	Enabled    *bool
	Dimensions *[]string
}

// UpdateAccount renames, enables or disables an account or changes its dimensions.
// Errors: Invalid, NotFound.
func (s *Service) UpdateAccount(ctx context.Context, code string, c AccountChange) (Account, error) {
	var v apperr.Violations
	if c.Name != nil {
		v.Check(strings.TrimSpace(*c.Name) != "" && len(*c.Name) <= 100, "account.name", "is required (at most 100 bytes)")
	}
	if c.Dimensions != nil {
		validDimensions("account.dimensions", *c.Dimensions, &v)
	}
	if err := v.Err("invalid account"); err != nil {
		return Account{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Account, error) {
		as, err := accountsByCode(tx, []string{code}, true)
		if err != nil {
			return Account{}, err
		}
		a, ok := as[code]
		if !ok {
			return a, apperr.NotFound("account", code)
		}
		if c.Name != nil {
			a.Name = strings.TrimSpace(*c.Name)
		}
		if c.Enabled != nil {
			a.Enabled = *c.Enabled
		}
		if c.Dimensions != nil {
			a.Dimensions = *c.Dimensions
		}
		a.UpdateTime = s.clock()
		return a, tx.Exec(`UPDATE accounts SET name = ?, enabled = ?, dimensions = ?, updated_at = ? WHERE code = ?`,
			a.Name, a.Enabled, strings.Join(a.Dimensions, ","), a.UpdateTime, code).Error
	})
}

// DeleteAccount deletes a detail account without postings or detail accounts of its own.
// Errors: NotFound, Refused (postings, children, a first-level account).
func (s *Service) DeleteAccount(ctx context.Context, code string) error {
	_, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Account, error) {
		as, err := accountsByCode(tx, []string{code}, true)
		if err != nil {
			return Account{}, err
		}
		a, ok := as[code]
		switch {
		case !ok:
			return a, apperr.NotFound("account", code)
		case a.Level == 1:
			return a, apperr.Refused("STANDARD_ACCOUNT", "first-level accounts are the standard's; disable it instead")
		case a.Posted:
			return a, apperr.Refused("ACCOUNT_HAS_POSTINGS", "the account has postings; disable it instead")
		case a.Children > 0:
			return a, apperr.Refused("ACCOUNT_HAS_CHILDREN", "delete its detail accounts first")
		}
		var drafts int64
		if err := tx.Raw(`SELECT COUNT(*) FROM voucher_lines WHERE account_code = ?`, code).Scan(&drafts).Error; err != nil {
			return a, err
		}
		if drafts > 0 {
			return a, apperr.Refused("ACCOUNT_IN_USE", "unposted vouchers use the account")
		}
		if err := tx.Exec(`DELETE FROM accounts WHERE code = ?`, code).Error; err != nil {
			return a, err
		}
		return a, tx.Exec(`UPDATE accounts SET children = children - 1, updated_at = ? WHERE code = ?`, s.clock(), a.Parent).Error
	})
	return err
}

// ListAccounts answers the chart of accounts in code order.
func (s *Service) ListAccounts(ctx context.Context, category string, enabledOnly bool) ([]Account, error) {
	q := s.db.WithContext(ctx).Table("accounts").Order("code")
	if category != "" {
		q = q.Where("category = ?", category)
	}
	if enabledOnly {
		q = q.Where("enabled = 1")
	}
	var rows []accountRow
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Account, len(rows))
	for i, r := range rows {
		out[i] = r.account()
	}
	return out, nil
}

// GetAccount answers one account. Errors: NotFound.
func (s *Service) GetAccount(ctx context.Context, code string) (Account, error) {
	as, err := accountsByCode(s.db.WithContext(ctx), []string{code}, false)
	if err != nil {
		return Account{}, err
	}
	a, ok := as[code]
	if !ok {
		return a, apperr.NotFound("account", code)
	}
	return a, nil
}
