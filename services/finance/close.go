package finance

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/warehouse"
)

// profitAccount is 本年利润, where the period's profit and loss is carried.
const profitAccount = "3103"

// ClosePeriod closes a month (期末结账): the previous month must be closed; depreciation
// and the cost run are made if they were not; every voucher of the month must be posted;
// the profit-and-loss carry-forward voucher (期末结转损益, to 3103) is generated and posted;
// then nothing posts into the month. Errors: Invalid, Refused (books, previous period
// open, unposted vouchers, number gaps, closed already).
func (s *Service) ClosePeriod(ctx context.Context, period string) (PeriodInfo, error) {
	p, err := ParsePeriod(period, "period")
	if err != nil {
		return PeriodInfo{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (PeriodInfo, error) {
		b, err := s.books(tx)
		if err != nil {
			return PeriodInfo{}, err
		}
		if p > b.StartPeriod {
			var prev string
			if err := tx.Raw(`SELECT status FROM periods WHERE period = ?`, int(p.Prev())).Scan(&prev).Error; err != nil {
				return PeriodInfo{}, err
			}
			if prev != PeriodClosed {
				return PeriodInfo{}, apperr.Refused("PREVIOUS_PERIOD_OPEN", fmt.Sprintf("close %s first", p.Prev()))
			}
		}
		if err := s.openPeriodFor(tx, p, true); err != nil {
			return PeriodInfo{}, err
		}
		// period-end work that makes its own posted vouchers; each is idempotent
		if _, err := s.depreciateIn(ctx, tx, p); err != nil {
			return PeriodInfo{}, err
		}
		if _, err := s.runCostingIn(ctx, tx, p); err != nil {
			return PeriodInfo{}, err
		}
		var open []struct {
			Word   string
			Number int32
		}
		if err := tx.Raw(`SELECT word, number FROM vouchers WHERE period = ? AND status <> ? ORDER BY word, number LIMIT 11`,
			int(p), StatusPosted).Scan(&open).Error; err != nil {
			return PeriodInfo{}, err
		}
		if len(open) > 0 {
			names := make([]string, 0, len(open))
			for i, v := range open {
				if i == 10 {
					names = append(names, "…")
					break
				}
				names = append(names, fmt.Sprintf("%s-%d", v.Word, v.Number))
			}
			return PeriodInfo{}, apperr.Refused("UNPOSTED_VOUCHERS", fmt.Sprintf("post or delete every voucher of %s first: %s",
				p, strings.Join(names, ", ")))
		}
		var gaps []struct {
			Word   string
			Number int32
		}
		if err := tx.Raw(`SELECT word, number FROM voucher_free_numbers WHERE period = ? ORDER BY word, number`, int(p)).Scan(&gaps).Error; err != nil {
			return PeriodInfo{}, err
		}
		if len(gaps) > 0 {
			return PeriodInfo{}, apperr.Refused("NUMBER_GAP", fmt.Sprintf("number %s-%d of %s is free (a draft was deleted); make a voucher to take it first",
				gaps[0].Word, gaps[0].Number, p))
		}
		cf, err := s.carryForward(ctx, tx, p, wordFor("", b.VoucherWords))
		if err != nil {
			return PeriodInfo{}, err
		}
		now := s.clock()
		if err := tx.Exec(`UPDATE periods SET status = ?, carry_forward_voucher = IF(? = 0, carry_forward_voucher, ?), closed_by = ?,
			closed_at = ? WHERE period = ?`, PeriodClosed, cf, cf, userID(ctx), now, int(p)).Error; err != nil {
			return PeriodInfo{}, err
		}
		return s.periodInfo(tx, p)
	})
}

func (s *Service) periodInfo(g *gorm.DB, p Period) (PeriodInfo, error) {
	var r struct {
		Status                                   string
		CostRunAt, ClosedAt                      *time.Time
		CarryForwardVoucher, DepreciationVoucher int64
	}
	res := g.Raw(`SELECT status, cost_run_at, closed_at, carry_forward_voucher, depreciation_voucher FROM periods WHERE period = ?`,
		int(p)).Scan(&r)
	if res.Error != nil {
		return PeriodInfo{}, res.Error
	}
	if res.RowsAffected == 0 {
		return PeriodInfo{Period: p, Status: PeriodOpen}, nil
	}
	return PeriodInfo{Period: p, Status: r.Status, CostRun: r.CostRunAt, ClosedAt: r.ClosedAt,
		CarryForwardVoucher: r.CarryForwardVoucher, DepreciationVoucher: r.DepreciationVoucher}, nil
}

// carryForward books what the profit-and-loss accounts hold in the period to 3103 and
// posts it (the caller holds the period's lock). It answers the voucher id, 0 when there
// was nothing to carry.
func (s *Service) carryForward(ctx context.Context, tx *gorm.DB, p Period, word string) (int64, error) {
	var rows []struct {
		AccountCode                                                       string
		CustomerID, SupplierID, BranchID, ItemID, EmployeeID, WarehouseID int64
		Net                                                               int64
	}
	if err := tx.Raw(`SELECT b.account_code, b.customer_id, b.supplier_id, b.branch_id, b.item_id, b.employee_id, b.warehouse_id,
		SUM(b.debit) - SUM(b.credit) AS net FROM account_balances b JOIN accounts a ON a.code = b.account_code
		WHERE b.period = ? AND a.category = ? GROUP BY b.account_code, b.customer_id, b.supplier_id, b.branch_id, b.item_id,
		b.employee_id, b.warehouse_id HAVING net <> 0 ORDER BY b.account_code`, int(p), CategoryProfitLoss).Scan(&rows).Error; err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	summary := "结转本年利润 " + p.String()
	v := Voucher{Period: p, Date: p.Last(), Word: word, Summary: summary, Kind: KindCarryForward, Status: StatusDraft,
		MadeAt: s.clock(), Version: 1}
	var net int64
	for _, r := range rows {
		l := VoucherLine{Summary: summary, Account: r.AccountCode, Dims: Dims{Customer: r.CustomerID, Supplier: r.SupplierID,
			Branch: r.BranchID, Item: r.ItemID, Employee: r.EmployeeID, Warehouse: r.WarehouseID}}
		if r.Net > 0 { // a debit balance (expenses) leaves on the credit side
			l.Credit = r.Net
		} else { // a credit balance (revenue) leaves on the debit side
			l.Debit = -r.Net
		}
		net += r.Net
		v.Lines = append(v.Lines, l)
	}
	if net != 0 {
		l := VoucherLine{Summary: summary, Account: profitAccount}
		if net > 0 {
			l.Debit = net // a loss
		} else {
			l.Credit = -net // a profit
		}
		v.Lines = append(v.Lines, l)
	}
	as, err := accountsByCode(tx, []string{profitAccount}, false)
	if err != nil {
		return 0, err
	}
	if a := as[profitAccount]; !a.Leaf() || !a.Enabled {
		return 0, apperr.Refused("PROFIT_ACCOUNT_UNUSABLE", "3103 本年利润 must be an enabled account without detail accounts")
	}
	return s.insertPosted(ctx, tx, &v)
}

// insertPosted numbers, writes and posts a system voucher in a period whose lock the
// caller holds.
func (s *Service) insertPosted(ctx context.Context, tx *gorm.DB, v *Voucher) (int64, error) {
	for i := range v.Lines {
		v.Lines[i].LineNo = int32(i + 1)
	}
	debit, credit := totals(v.Lines)
	if debit != credit {
		return 0, fmt.Errorf("finance: %s voucher does not balance: %s / %s", v.Kind, money.Yuan(debit), money.Yuan(credit))
	}
	v.Total = debit
	n, err := takeNumbers(tx, v.Period, v.Word, 1)
	if err != nil {
		return 0, err
	}
	v.Number = n[0]
	now := s.clock()
	v.Status, v.ApprovedBy, v.ApprovedAt = StatusApproved, userID(ctx), &now
	if err := insertVouchers(tx, []*Voucher{v}); err != nil {
		return 0, err
	}
	return v.ID, s.post(ctx, tx, []*Voucher{v})
}

// ReopenPeriod reopens a closed month (admins; audited). Refused when a later month is
// closed. The carry-forward voucher stays; the next close carries what changed since.
func (s *Service) ReopenPeriod(ctx context.Context, period string) (PeriodInfo, error) {
	p, err := ParsePeriod(period, "period")
	if err != nil {
		return PeriodInfo{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (PeriodInfo, error) {
		info, err := s.periodInfo(tx, p)
		if err != nil {
			return info, err
		}
		if info.Status != PeriodClosed {
			return info, apperr.Refused("PERIOD_OPEN", fmt.Sprintf("period %s is not closed", p))
		}
		var later []int
		if err := tx.Raw(`SELECT period FROM periods WHERE period > ? AND status = ? ORDER BY period LIMIT 1 FOR UPDATE`,
			int(p), PeriodClosed).Scan(&later).Error; err != nil {
			return info, err
		}
		if len(later) > 0 {
			return info, apperr.Refused("LATER_PERIOD_CLOSED", fmt.Sprintf("reopen %s first", Period(later[0])))
		}
		if err := tx.Exec(`UPDATE periods SET status = ?, reopened_by = ?, reopened_at = ? WHERE period = ?`,
			PeriodOpen, userID(ctx), s.clock(), int(p)).Error; err != nil {
			return info, err
		}
		return s.periodInfo(tx, p)
	})
}

// ---- costing ----

// Costing methods.
const (
	CostingMoving  = "moving"
	CostingMonthly = "monthly"
)

// SetItemCosting sets how an item is costed. Errors: Invalid.
func (s *Service) SetItemCosting(ctx context.Context, item int64, method string) (ItemCosting, error) {
	if method != CostingMoving && method != CostingMonthly {
		return ItemCosting{}, apperr.Invalid("method", "must be moving or monthly")
	}
	if _, err := s.catalog.ItemForScan(ctx, item); apperr.IsKind(err, apperr.KindNotFound) {
		return ItemCosting{}, apperr.Invalid("item", fmt.Sprintf("item %d does not exist", item))
	} else if err != nil {
		return ItemCosting{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (ItemCosting, error) {
		c := ItemCosting{Item: item, Method: method}
		return c, tx.Exec(`INSERT INTO item_costing (item_id, method, updated_at) VALUES (?,?,?)
			ON DUPLICATE KEY UPDATE method = VALUES(method), updated_at = VALUES(updated_at)`, item, method, s.clock()).Error
	})
}

// ItemCosting is an item's costing method.
type ItemCosting struct {
	Item   int64
	Method string
}

// ResourceName names the setting in the audit log.
func (c ItemCosting) ResourceName() string { return "items/" + itoa(c.Item) + "/costing" }

// CostRun is the outcome of a period-end cost run.
type CostRun struct {
	Period      Period
	Voucher     int64
	Adjustments []warehouse.CostAdjustment
}

// ResourceName names the run in the audit log.
func (c CostRun) ResourceName() string { return "periods/" + c.Period.String() + "/costRun" }

// RunCosting runs the period-end cost run (see runCostingIn). Errors: Invalid, Refused.
func (s *Service) RunCosting(ctx context.Context, period string) (CostRun, error) {
	p, err := ParsePeriod(period, "period")
	if err != nil {
		return CostRun{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (CostRun, error) {
		if err := s.openPeriodFor(tx, p, true); err != nil {
			return CostRun{Period: p}, err
		}
		return s.runCostingIn(ctx, tx, p)
	})
}

// runCostingIn revalues the month's issues of items costed by monthly weighted average
// (全月一次加权平均): per item and warehouse, unit cost = (opening value + receipts value) /
// (opening quantity + receipts quantity); the closing stock is valued at that cost
// (rounded to the fen) and the issues take the rest, so the ledger value stays equal to
// the stock account. The difference from what the issues were booked at is posted as a
// cost adjustment in the stock ledger and a voucher (5401 against 1405). Running it again
// posts only what changed since. The caller holds the period's lock.
func (s *Service) runCostingIn(ctx context.Context, tx *gorm.DB, p Period) (CostRun, error) {
	run := CostRun{Period: p}
	var items []int64
	if err := tx.Raw(`SELECT item_id FROM item_costing WHERE method = ? ORDER BY item_id`, CostingMonthly).Scan(&items).Error; err != nil {
		return run, err
	}
	from := time.Date(p.Year(), p.Month(), 1, 0, 0, 0, 0, s.loc)
	to := from.AddDate(0, 1, 0)
	moves, err := s.warehouse.MovementsIn(tx, from, to, items)
	if err != nil {
		return run, err
	}
	for _, m := range moves {
		qty := m.OpenQty + m.InQty
		if qty <= 0 || m.OutQty == 0 {
			continue
		}
		base := m.OpenValue + m.InValue
		endQty := qty + m.OutQty
		endValue, err := money.MulDiv(base, endQty, qty)
		if err != nil {
			return run, err
		}
		target := base - endValue                 // what the issues cost at the month's average
		booked := -(m.OutValue + m.AdjustedValue) // what they were booked at so far
		if diff := target - booked; diff != 0 {
			run.Adjustments = append(run.Adjustments, warehouse.CostAdjustment{Warehouse: m.Warehouse, Item: m.Item, Value: -diff})
		}
	}
	b, err := s.books(tx)
	if err != nil {
		return run, err
	}
	if len(run.Adjustments) > 0 {
		if _, err := s.warehouse.PostCostAdjustmentsIn(ctx, tx, run.Adjustments, to.Add(-time.Microsecond),
			"月末一次加权平均成本调整 "+p.String()); err != nil {
			return run, err
		}
		summary := "成本调整 " + p.String() + " 全月一次加权平均"
		v := Voucher{Period: p, Date: p.Last(), Word: wordFor("", b.VoucherWords), Summary: summary, Kind: KindCostAdjustment,
			MadeAt: s.clock(), Version: 1}
		byWH := map[int64]int64{}
		var order []int64
		var total int64
		for _, a := range run.Adjustments {
			if _, ok := byWH[a.Warehouse]; !ok {
				order = append(order, a.Warehouse)
			}
			byWH[a.Warehouse] -= a.Value // issues cost this much more
			total -= a.Value
		}
		v.Lines = append(v.Lines, VoucherLine{Summary: summary, Account: "5401", Debit: total})
		for _, wh := range order {
			v.Lines = append(v.Lines, VoucherLine{Summary: summary, Account: "1405", Dims: Dims{Warehouse: wh}, Credit: byWH[wh]})
		}
		if v.Lines = nonZeroLines(v.Lines); len(v.Lines) > 1 {
			id, err := s.insertPosted(ctx, tx, &v)
			if err != nil {
				return run, err
			}
			run.Voucher = id
		}
	}
	return run, tx.Exec(`UPDATE periods SET cost_run_at = ? WHERE period = ?`, s.clock(), int(p)).Error
}

// nonZeroLines drops lines without an amount.
func nonZeroLines(lines []VoucherLine) []VoucherLine {
	out := lines[:0]
	for _, l := range lines {
		if l.Debit != 0 || l.Credit != 0 {
			out = append(out, l)
		}
	}
	return out
}
