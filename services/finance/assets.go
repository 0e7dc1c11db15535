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
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/txn"
)

// Depreciation methods.
const (
	StraightLine      = "straight_line"
	UnitsOfProduction = "units_of_production"
	DoubleDeclining   = "double_declining"
	SumOfYears        = "sum_of_years"
)

var methods = []string{StraightLine, UnitsOfProduction, DoubleDeclining, SumOfYears}

// Accounts of fixed assets.
const (
	accountFixedAssets  = "1601"
	accountDepreciation = "1602"
	accountDisposal     = "1606"
	accountNonOperating = "5711"
)

// AssetCategory groups assets that depreciate alike.
type AssetCategory struct {
	ID            int64
	Code, Name    string
	LifeMonths    int32
	SalvageRateBp int32
	Method        string
}

// ResourceName names the category in the audit log.
func (c AssetCategory) ResourceName() string { return "assetCategories/" + itoa(c.ID) }

// Asset is a fixed asset (固定资产).
type Asset struct {
	ID             int64
	Code, Name     string
	Category       int64
	Branch         int64
	OriginalValue  int64
	StartDate      time.Time
	ExpenseAccount string
	TotalUnits     int64
	Status         string // active, disposed
	Depreciated    int64
	Impaired       int64
	DisposedPeriod Period
}

// ResourceName names the asset in the audit log.
func (a Asset) ResourceName() string { return "assets/" + itoa(a.ID) }

// NetBookValue is the original value less depreciation and impairment.
func (a Asset) NetBookValue() int64 { return a.OriginalValue - a.Depreciated - a.Impaired }

// CreateAssetCategory adds a category. Errors: Invalid, AlreadyExists.
func (s *Service) CreateAssetCategory(ctx context.Context, c AssetCategory) (AssetCategory, error) {
	var v apperr.Violations
	v.Check(c.Code != "" && len(c.Code) <= 20, "category.code", "is required (at most 20 characters)")
	v.Check(c.Name != "" && len(c.Name) <= 100, "category.name", "is required (at most 100 bytes)")
	v.Check(c.LifeMonths >= 1 && c.LifeMonths <= 1200, "category.life_months", "must be 1 to 1200")
	v.Check(c.SalvageRateBp >= 0 && c.SalvageRateBp < 10000, "category.salvage_rate_bp", "must be 0 to 9999 basis points")
	v.Check(slices.Contains(methods, c.Method), "category.method", "must be one of "+strings.Join(methods, ", "))
	if c.Method == DoubleDeclining || c.Method == SumOfYears {
		v.Check(c.LifeMonths%12 == 0 && c.LifeMonths >= 24, "category.life_months", "must be whole years, at least 2, for this method")
	}
	if err := v.Err("invalid asset category"); err != nil {
		return c, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (AssetCategory, error) {
		err := tx.Exec(`INSERT INTO asset_categories (code, name, life_months, salvage_rate_bp, method, created_at) VALUES (?,?,?,?,?,?)`,
			c.Code, c.Name, c.LifeMonths, c.SalvageRateBp, c.Method, s.clock()).Error
		if _, dup := db.IsDuplicate(err); dup {
			return c, apperr.Conflict("category.code", "an asset category with code "+c.Code+" exists")
		}
		if err != nil {
			return c, err
		}
		return c, tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&c.ID).Error
	})
}

// ListAssetCategories answers every category.
func (s *Service) ListAssetCategories(ctx context.Context) ([]AssetCategory, error) {
	var out []AssetCategory
	err := s.db.WithContext(ctx).Raw(`SELECT id, code, name, life_months, salvage_rate_bp, method FROM asset_categories ORDER BY code`).
		Scan(&out).Error
	return out, err
}

// CreateAsset registers an asset in service from its start date; it depreciates from the
// month after. Booking its purchase is a voucher of its own. Errors: Invalid,
// AlreadyExists, Forbidden.
func (s *Service) CreateAsset(ctx context.Context, a Asset) (Asset, error) {
	var v apperr.Violations
	v.Check(a.Code != "" && len(a.Code) <= 32, "asset.code", "is required (at most 32 characters)")
	v.Check(a.Name != "" && len(a.Name) <= 100, "asset.name", "is required (at most 100 bytes)")
	v.Check(a.OriginalValue > 0, "asset.original_value", "must be positive (fen)")
	v.Check(!a.StartDate.IsZero(), "asset.start_date", "is required (YYYY-MM-DD)")
	v.Check(a.TotalUnits >= 0, "asset.total_units", "must not be negative")
	if a.ExpenseAccount == "" {
		a.ExpenseAccount = "5602"
	}
	var c AssetCategory
	if err := s.db.WithContext(ctx).Raw(`SELECT id, code, name, life_months, salvage_rate_bp, method FROM asset_categories WHERE id = ?`,
		a.Category).Scan(&c).Error; err != nil {
		return a, err
	}
	v.Check(c.ID != 0, "asset.category", "must be an asset category id")
	if c.Method == UnitsOfProduction {
		v.Check(a.TotalUnits > 0, "asset.total_units", "is required for units-of-production depreciation")
	}
	if _, err := s.catalog.Branch(ctx, a.Branch); err != nil {
		if !apperr.IsKind(err, apperr.KindNotFound) {
			return a, err
		}
		v.Add("asset.branch", "must be a branch id")
	}
	as, err := accountsByCode(s.db.WithContext(ctx), []string{a.ExpenseAccount}, false)
	if err != nil {
		return a, err
	}
	if e, ok := as[a.ExpenseAccount]; !ok || !e.Leaf() || !e.Enabled {
		v.Add("asset.expense_account", "must be an enabled account without detail accounts")
	}
	if err := v.Err("invalid asset"); err != nil {
		return a, err
	}
	if err := checkBranch(ctx, a.Branch); err != nil {
		return a, err
	}
	a.Status = "active"
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Asset, error) {
		now := s.clock()
		err := tx.Exec(`INSERT INTO assets (code, name, category_id, branch_id, original_value, start_date, expense_account, total_units,
			status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`, a.Code, a.Name, a.Category, a.Branch, a.OriginalValue,
			a.StartDate, a.ExpenseAccount, a.TotalUnits, a.Status, now, now).Error
		if _, dup := db.IsDuplicate(err); dup {
			return a, apperr.Conflict("asset.code", "an asset with code "+a.Code+" exists")
		}
		if err != nil {
			return a, err
		}
		return a, tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&a.ID).Error
	})
}

type assetRow struct {
	ID, CategoryID, BranchID, OriginalValue, TotalUnits, Depreciated, Impaired int64
	Code, Name, ExpenseAccount, Status                                         string
	StartDate                                                                  time.Time
	DisposedPeriod                                                             int
}

func (r assetRow) asset() Asset {
	return Asset{ID: r.ID, Code: r.Code, Name: r.Name, Category: r.CategoryID, Branch: r.BranchID, OriginalValue: r.OriginalValue,
		StartDate: r.StartDate, ExpenseAccount: r.ExpenseAccount, TotalUnits: r.TotalUnits, Status: r.Status,
		Depreciated: r.Depreciated, Impaired: r.Impaired, DisposedPeriod: Period(r.DisposedPeriod)}
}

// ListAssets answers the assets the caller may see.
func (s *Service) ListAssets(ctx context.Context) ([]Asset, error) {
	q := s.db.WithContext(ctx).Table("assets").Order("code")
	if scope := branchScope(ctx); scope != nil {
		q = q.Where("branch_id IN ?", scope)
	}
	var rows []assetRow
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Asset, len(rows))
	for i, r := range rows {
		out[i] = r.asset()
	}
	return out, nil
}

// GetAsset answers an asset. Errors: NotFound, Forbidden.
func (s *Service) GetAsset(ctx context.Context, id int64) (Asset, error) {
	var r assetRow
	res := s.db.WithContext(ctx).Raw(`SELECT * FROM assets WHERE id = ?`, id).Scan(&r)
	if res.Error != nil {
		return Asset{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Asset{}, apperr.NotFound("asset", id)
	}
	return r.asset(), checkBranch(ctx, r.BranchID)
}

// RecordUsage records the units an asset produced in a period (units-of-production).
// Errors: Invalid, NotFound.
func (s *Service) RecordUsage(ctx context.Context, id int64, period string, units int64) (Asset, error) {
	p, err := ParsePeriod(period, "period")
	if err != nil {
		return Asset{}, err
	}
	if units < 0 {
		return Asset{}, apperr.Invalid("units", "must not be negative")
	}
	a, err := s.GetAsset(ctx, id)
	if err != nil {
		return a, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Asset, error) {
		return a, tx.Exec(`INSERT INTO asset_usage (asset_id, period, units) VALUES (?,?,?) ON DUPLICATE KEY UPDATE units = VALUES(units)`,
			id, int(p), units).Error
	})
}

// monthly answers an asset's depreciation for period p (0 when none is due): from the
// month after it came into service, through the month it is disposed of, never beyond
// original value less salvage (and impairment).
func monthly(a Asset, c AssetCategory, p Period, units int64) (int64, error) {
	first := PeriodOf(a.StartDate).Next()
	if p < first || a.DisposedPeriod != 0 && p > a.DisposedPeriod {
		return 0, nil
	}
	k := int64(p.Since(first)) // months already due before p
	life := int64(c.LifeMonths)
	salvage, err := money.MulDiv(a.OriginalValue, int64(c.SalvageRateBp), 10000)
	if err != nil {
		return 0, err
	}
	base := a.OriginalValue - salvage
	remaining := base - a.Depreciated - a.Impaired
	if remaining <= 0 || k >= life {
		return 0, nil
	}
	var amount int64
	switch c.Method {
	case StraightLine:
		// what is left over the months left: 60,000.00 × 95 % / 60 = 950.00 a month, and
		// rounding never leaves a remainder at the end
		amount, err = money.MulDiv(remaining, 1, life-k)
	case UnitsOfProduction:
		amount, err = money.MulDiv(base, units, a.TotalUnits)
	case SumOfYears, DoubleDeclining:
		var before, after int64
		if before, err = cumulative(c.Method, a.OriginalValue, salvage, life/12, k); err == nil {
			after, err = cumulative(c.Method, a.OriginalValue, salvage, life/12, k+1)
		}
		amount = after - before
	}
	if err != nil {
		return 0, err
	}
	return max(0, min(amount, remaining)), nil
}

// cumulative answers the depreciation of the first m months by an accelerated method over
// years years: 年数总和法 (the remaining life over the sum of the years' digits of the
// depreciable amount, a year at a time) or 双倍余额递减法 (twice the straight-line rate on
// the net book value at the start of each year, then straight-line over the last two
// years). Within a year the year's amount spreads evenly over its months.
func cumulative(method string, original, salvage, years, m int64) (int64, error) {
	var full int64
	for y := int64(0); y < years; y++ {
		var annual int64
		var err error
		switch method {
		case SumOfYears:
			annual, err = money.MulDiv(original-salvage, years-y, years*(years+1)/2)
		default:
			nbv := original - full
			if y >= years-2 {
				annual, err = money.MulDiv(nbv-salvage, 1, years-y)
			} else {
				annual, err = money.MulDiv(nbv, 2, years)
			}
		}
		if err != nil {
			return 0, err
		}
		if m < (y+1)*12 {
			part, err := money.MulDiv(annual, m-y*12, 12)
			return full + part, err
		}
		full += annual
	}
	return full, nil
}

// RunDepreciation depreciates a period (the monthly job, or by hand). Errors: Invalid,
// Refused (period closed).
func (s *Service) RunDepreciation(ctx context.Context, period string) (PeriodInfo, error) {
	p, err := ParsePeriod(period, "period")
	if err != nil {
		return PeriodInfo{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (PeriodInfo, error) {
		if err := s.openPeriodFor(tx, p, true); err != nil {
			return PeriodInfo{}, err
		}
		if _, err := s.depreciateIn(ctx, tx, p); err != nil {
			return PeriodInfo{}, err
		}
		return s.periodInfo(tx, p)
	})
}

// DepreciateLastMonth is the monthly job: the previous month is depreciated if it is
// still open and the books exist.
func (s *Service) DepreciateLastMonth(ctx context.Context) error {
	p := PeriodOf(s.today()).Prev()
	ctx = reqctx.WithCall(ctx, &reqctx.Call{RequestID: "depreciation-" + p.String(), Method: "depreciation job", Principal: reqctx.System})
	_, err := s.RunDepreciation(ctx, p.String())
	if apperr.IsKind(err, apperr.KindRefused) {
		return nil // no books yet, before them, or closed already
	}
	return err
}

// depreciateIn posts one depreciation voucher for the assets not yet depreciated in p
// (idempotent: asset_depreciation has one row per asset and period). The caller holds the
// period's lock. It answers the voucher id (0 when nothing was due).
func (s *Service) depreciateIn(ctx context.Context, tx *gorm.DB, p Period) (int64, error) {
	var rows []struct {
		Asset                     assetRow `gorm:"embedded"`
		LifeMonths, SalvageRateBp int32
		Method                    string
		Units                     int64
	}
	if err := tx.Raw(`SELECT a.*, c.life_months, c.salvage_rate_bp, c.method, COALESCE(u.units, 0) AS units
		FROM assets a JOIN asset_categories c ON c.id = a.category_id
		LEFT JOIN asset_usage u ON u.asset_id = a.id AND u.period = ?
		WHERE a.start_date < ? AND (a.disposed_period = 0 OR a.disposed_period >= ?)
		AND NOT EXISTS (SELECT 1 FROM asset_depreciation d WHERE d.asset_id = a.id AND d.period = ?)
		ORDER BY a.id FOR UPDATE`, int(p), p.First(), int(p), int(p)).Scan(&rows).Error; err != nil {
		return 0, err
	}
	type due struct {
		id, amount int64
	}
	var dues []due
	byKey := map[[2]string]int64{}
	var keys [][2]string
	for _, r := range rows {
		a := r.Asset.asset()
		amount, err := monthly(a, AssetCategory{LifeMonths: r.LifeMonths, SalvageRateBp: r.SalvageRateBp, Method: r.Method}, p, r.Units)
		if err != nil {
			return 0, err
		}
		if amount == 0 {
			continue
		}
		dues = append(dues, due{a.ID, amount})
		k := [2]string{a.ExpenseAccount, itoa(a.Branch)}
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] += amount
	}
	if len(dues) == 0 {
		return 0, nil
	}
	b, err := s.books(tx)
	if err != nil {
		return 0, err
	}
	summary := "计提折旧 " + p.String()
	v := Voucher{Period: p, Date: p.Last(), Word: wordFor("", b.VoucherWords), Summary: summary, Kind: KindDepreciation,
		MadeAt: s.clock(), Version: 1, Source: SourceRef{Type: "depreciation", Number: p.String()}}
	for _, k := range keys {
		var branch int64
		fmt.Sscan(k[1], &branch)
		v.Lines = append(v.Lines, VoucherLine{Summary: summary, Account: k[0], Dims: Dims{Branch: branch}, Debit: byKey[k]},
			VoucherLine{Summary: summary, Account: accountDepreciation, Dims: Dims{Branch: branch}, Credit: byKey[k]})
	}
	id, err := s.insertPosted(ctx, tx, &v)
	if err != nil {
		return 0, err
	}
	args := make([]any, 0, len(dues)*4)
	for _, d := range dues {
		args = append(args, d.id, int(p), d.amount, id)
		if err := tx.Exec(`UPDATE assets SET depreciated = depreciated + ?, last_period = ?, updated_at = ? WHERE id = ?`,
			d.amount, int(p), s.clock(), d.id).Error; err != nil {
			return 0, err
		}
	}
	if err := tx.Exec(`INSERT INTO asset_depreciation (asset_id, period, amount, voucher_id) VALUES `+db.Placeholders(len(dues), 4), args...).Error; err != nil {
		return 0, err
	}
	return id, tx.Exec(`UPDATE periods SET depreciation_voucher = IF(depreciation_voucher = 0, ?, depreciation_voucher) WHERE period = ?`,
		id, int(p)).Error
}

// DisposeAsset takes an asset out of service on a date (出售、报废): it depreciates that
// month too, then its cost and accumulated depreciation go to 1606 固定资产清理 (proceeds
// and costs of the disposal are booked against 1606 by hand). Errors: Invalid, NotFound,
// Refused (disposed already, period closed), Forbidden.
func (s *Service) DisposeAsset(ctx context.Context, id int64, date time.Time) (Asset, error) {
	if date.IsZero() {
		date = s.today()
	}
	p := PeriodOf(date)
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Asset, error) {
		a, c, err := s.lockAsset(ctx, tx, id)
		if err != nil {
			return a, err
		}
		if a.Status != "active" {
			return a, apperr.Refused("ASSET_DISPOSED", "the asset is disposed of already")
		}
		if !date.After(a.StartDate) && !date.Equal(a.StartDate) {
			return a, apperr.Invalid("date", "must not be before the asset's start date")
		}
		if err := s.openPeriodFor(tx, p, true); err != nil {
			return a, err
		}
		a.DisposedPeriod = p
		// the month of disposal still depreciates
		var done int64
		if err := tx.Raw(`SELECT COUNT(*) FROM asset_depreciation WHERE asset_id = ? AND period = ?`, id, int(p)).Scan(&done).Error; err != nil {
			return a, err
		}
		var units int64
		if err := tx.Raw(`SELECT COALESCE(MAX(units), 0) FROM asset_usage WHERE asset_id = ? AND period = ?`, id, int(p)).Scan(&units).Error; err != nil {
			return a, err
		}
		var last int64
		if done == 0 {
			if last, err = monthly(a, c, p, units); err != nil {
				return a, err
			}
		}
		b, err := s.books(tx)
		if err != nil {
			return a, err
		}
		summary := fmt.Sprintf("固定资产清理 %s %s", a.Code, a.Name)
		acc := a.Depreciated + last + a.Impaired
		v := Voucher{Period: p, Date: date, Word: wordFor("", b.VoucherWords), Summary: summary, Kind: KindAsset, MadeAt: s.clock(),
			Version: 1, Branch: 0, Source: SourceRef{Type: "asset_disposal", ID: a.ID, Number: a.Code}}
		br := Dims{Branch: a.Branch}
		if last > 0 {
			v.Lines = append(v.Lines, VoucherLine{Summary: "计提折旧 " + p.String() + " " + a.Code, Account: a.ExpenseAccount, Dims: br, Debit: last},
				VoucherLine{Summary: "计提折旧 " + p.String() + " " + a.Code, Account: accountDepreciation, Dims: br, Credit: last})
		}
		v.Lines = append(v.Lines, VoucherLine{Summary: summary, Account: accountDisposal, Dims: br, Debit: a.OriginalValue - acc},
			VoucherLine{Summary: summary, Account: accountDepreciation, Dims: br, Debit: acc},
			VoucherLine{Summary: summary, Account: accountFixedAssets, Dims: br, Credit: a.OriginalValue})
		v.Lines = nonZeroLines(v.Lines)
		vid, err := s.insertPosted(ctx, tx, &v)
		if err != nil {
			return a, err
		}
		if last > 0 {
			if err := tx.Exec(`INSERT INTO asset_depreciation (asset_id, period, amount, voucher_id) VALUES (?,?,?,?)`,
				id, int(p), last, vid).Error; err != nil {
				return a, err
			}
		}
		a.Depreciated += last
		a.Status = "disposed"
		return a, tx.Exec(`UPDATE assets SET status = ?, depreciated = ?, disposed_period = ?, disposal_voucher = ?, updated_at = ? WHERE id = ?`,
			a.Status, a.Depreciated, int(p), vid, s.clock(), id).Error
	})
}

// ImpairAsset books a loss on an asset that has actually occurred (小企业会计准则 does not
// provide for impairment allowances: the loss is recognised as 营业外支出 when incurred), and
// reduces what is left to depreciate. Errors: Invalid, NotFound, Refused, Forbidden.
func (s *Service) ImpairAsset(ctx context.Context, id int64, amount int64, date time.Time) (Asset, error) {
	if date.IsZero() {
		date = s.today()
	}
	p := PeriodOf(date)
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Asset, error) {
		a, _, err := s.lockAsset(ctx, tx, id)
		if err != nil {
			return a, err
		}
		if a.Status != "active" {
			return a, apperr.Refused("ASSET_DISPOSED", "the asset is disposed of already")
		}
		if amount <= 0 || amount > a.NetBookValue() {
			return a, apperr.Invalid("amount", fmt.Sprintf("must be positive and at most the net book value %s", money.Yuan(a.NetBookValue())))
		}
		if err := s.openPeriodFor(tx, p, true); err != nil {
			return a, err
		}
		b, err := s.books(tx)
		if err != nil {
			return a, err
		}
		summary := fmt.Sprintf("固定资产损失 %s %s", a.Code, a.Name)
		br := Dims{Branch: a.Branch}
		v := Voucher{Period: p, Date: date, Word: wordFor("", b.VoucherWords), Summary: summary, Kind: KindAsset, MadeAt: s.clock(),
			Version: 1, Source: SourceRef{Type: "asset_impairment", ID: a.ID, Number: a.Code},
			Lines: []VoucherLine{{Summary: summary, Account: accountNonOperating, Dims: br, Debit: amount},
				{Summary: summary, Account: accountDepreciation, Dims: br, Credit: amount}}}
		if _, err := s.insertPosted(ctx, tx, &v); err != nil {
			return a, err
		}
		a.Impaired += amount
		return a, tx.Exec(`UPDATE assets SET impaired = ?, updated_at = ? WHERE id = ?`, a.Impaired, s.clock(), id).Error
	})
}

func (s *Service) lockAsset(ctx context.Context, tx *gorm.DB, id int64) (Asset, AssetCategory, error) {
	var r assetRow
	res := tx.Raw(`SELECT * FROM assets WHERE id = ? FOR UPDATE`, id).Scan(&r)
	if res.Error != nil {
		return Asset{}, AssetCategory{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Asset{}, AssetCategory{}, apperr.NotFound("asset", id)
	}
	var c AssetCategory
	if err := tx.Raw(`SELECT id, code, name, life_months, salvage_rate_bp, method FROM asset_categories WHERE id = ?`, r.CategoryID).
		Scan(&c).Error; err != nil {
		return Asset{}, c, err
	}
	return r.asset(), c, checkBranch(ctx, r.BranchID)
}
