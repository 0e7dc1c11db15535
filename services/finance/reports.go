package finance

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
)

// Reports read account_balances (posted amounts per account, period and dimensions), so
// their cost does not grow with the number of voucher lines. Branch-scoped callers see the
// amounts of their branches' dimension only.

// TrialRow is one account of the trial balance (科目余额表). Balances are shown on the side
// of their sign: a debit balance as debit, a credit balance as credit.
type TrialRow struct {
	Account                     string
	Name                        string
	Level                       int32
	Category                    string
	OpeningDebit, OpeningCredit int64
	PeriodDebit, PeriodCredit   int64
	ClosingDebit, ClosingCredit int64
}

// TrialBalance is the trial balance of a period with the totals of the first-level
// accounts; it balances when the debit and credit totals agree.
type TrialBalance struct {
	Period Period
	Rows   []TrialRow
	Totals TrialRow
}

// scopeFilter answers the branch condition of the caller on account_balances.
func scopeFilter(ctx context.Context, branch int64) (string, []any, error) {
	scope := branchScope(ctx)
	switch {
	case branch != 0 && !canSeeBranch(ctx, branch):
		return "", nil, apperr.Forbidden(fmt.Sprintf("you may not see branch %d", branch))
	case branch != 0:
		return " AND branch_id = ?", []any{branch}, nil
	case scope != nil:
		return " AND branch_id IN ?", []any{scope}, nil
	}
	return "", nil, nil
}

type netRow struct {
	AccountCode string
	Opening     int64 // debit − credit before the period
	Debit       int64 // in the period
	Credit      int64
}

// nets answers per leaf account the net before from and the debits and credits in
// [from, to].
func (s *Service) nets(ctx context.Context, from, to Period, branch int64, withClosing bool) ([]netRow, error) {
	cond, args, err := scopeFilter(ctx, branch)
	if err != nil {
		return nil, err
	}
	closing := ""
	if !withClosing {
		closing = " AND closing = 0"
	}
	var rows []netRow
	q := `SELECT account_code,
		COALESCE(SUM(CASE WHEN period < ? THEN debit - credit END), 0) AS opening,
		COALESCE(SUM(CASE WHEN period >= ? THEN debit END), 0) AS debit,
		COALESCE(SUM(CASE WHEN period >= ? THEN credit END), 0) AS credit
		FROM account_balances WHERE period <= ?` + closing + cond + ` GROUP BY account_code ORDER BY account_code`
	err = s.db.WithContext(ctx).Raw(q, append([]any{int(from), int(from), int(from), int(to)}, args...)...).Scan(&rows).Error
	return rows, err
}

func sideOf(net int64) (debit, credit int64) {
	if net >= 0 {
		return net, 0
	}
	return 0, -net
}

// GetTrialBalance answers the trial balance of a period (open or closed). Errors:
// Invalid, Refused (no books), Forbidden.
func (s *Service) GetTrialBalance(ctx context.Context, period string, branch int64) (TrialBalance, error) {
	p, err := ParsePeriod(period, "period")
	if err != nil {
		return TrialBalance{}, err
	}
	if _, err := s.books(s.db.WithContext(ctx)); err != nil {
		return TrialBalance{}, err
	}
	rows, err := s.nets(ctx, p, p, branch, true)
	if err != nil {
		return TrialBalance{}, err
	}
	accounts, err := s.ListAccounts(ctx, "", false)
	if err != nil {
		return TrialBalance{}, err
	}
	byCode := make(map[string]Account, len(accounts))
	for _, a := range accounts {
		byCode[a.Code] = a
	}
	type sums struct{ opening, debit, credit int64 }
	agg := map[string]*sums{}
	for _, r := range rows {
		// the leaf and every account above it
		for code := r.AccountCode; code != ""; code = byCode[code].Parent {
			x := agg[code]
			if x == nil {
				x = &sums{}
				agg[code] = x
			}
			x.opening += r.Opening
			x.debit += r.Debit
			x.credit += r.Credit
			if _, ok := byCode[code]; !ok {
				break
			}
		}
	}
	tb := TrialBalance{Period: p, Totals: TrialRow{Account: "TOTAL", Name: "合计"}}
	codes := make([]string, 0, len(agg))
	for c := range agg {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, code := range codes {
		x := agg[code]
		a := byCode[code]
		row := TrialRow{Account: code, Name: a.Name, Level: a.Level, Category: a.Category, PeriodDebit: x.debit, PeriodCredit: x.credit}
		row.OpeningDebit, row.OpeningCredit = sideOf(x.opening)
		row.ClosingDebit, row.ClosingCredit = sideOf(x.opening + x.debit - x.credit)
		if row == (TrialRow{Account: code, Name: a.Name, Level: a.Level, Category: a.Category}) {
			continue
		}
		tb.Rows = append(tb.Rows, row)
		if a.Level == 1 {
			t := &tb.Totals
			t.OpeningDebit += row.OpeningDebit
			t.OpeningCredit += row.OpeningCredit
			t.PeriodDebit += row.PeriodDebit
			t.PeriodCredit += row.PeriodCredit
			t.ClosingDebit += row.ClosingDebit
			t.ClosingCredit += row.ClosingCredit
		}
	}
	return tb, nil
}

// StatementLine is one line of a statement.
type StatementLine struct {
	Key     string
	Name    string
	Current int64 // income statement: this period; balance sheet: at the end of the period
	Earlier int64 // income statement: year to date; balance sheet: at the start of the year
}

// incomeLines lays out the income statement (利润表) of 小企业会计准则: key, name, and the
// accounts whose net it takes (revenue accounts count credit − debit, the rest debit −
// credit), or a formula over earlier keys.
var incomeLines = []struct {
	key, name string
	accounts  []string
	credit    bool
	formula   []string // keys, "-" before a key subtracts it
}{
	{"OPERATING_REVENUE", "营业收入", []string{"5001", "5051"}, true, nil},
	{"OPERATING_COST", "营业成本", []string{"5401", "5402"}, false, nil},
	{"TAXES_AND_SURCHARGES", "税金及附加", []string{"5403"}, false, nil},
	{"SELLING_EXPENSES", "销售费用", []string{"5601"}, false, nil},
	{"ADMINISTRATIVE_EXPENSES", "管理费用", []string{"5602"}, false, nil},
	{"FINANCIAL_EXPENSES", "财务费用", []string{"5603"}, false, nil},
	{"INVESTMENT_INCOME", "投资收益", []string{"5111"}, true, nil},
	{"OPERATING_PROFIT", "营业利润", nil, false, []string{"OPERATING_REVENUE", "-OPERATING_COST", "-TAXES_AND_SURCHARGES",
		"-SELLING_EXPENSES", "-ADMINISTRATIVE_EXPENSES", "-FINANCIAL_EXPENSES", "INVESTMENT_INCOME"}},
	{"NON_OPERATING_INCOME", "营业外收入", []string{"5301"}, true, nil},
	{"NON_OPERATING_EXPENSES", "营业外支出", []string{"5711"}, false, nil},
	{"TOTAL_PROFIT", "利润总额", nil, false, []string{"OPERATING_PROFIT", "NON_OPERATING_INCOME", "-NON_OPERATING_EXPENSES"}},
	{"INCOME_TAX", "所得税费用", []string{"5801"}, false, nil},
	{"NET_PROFIT", "净利润", nil, false, []string{"TOTAL_PROFIT", "-INCOME_TAX"}},
}

// sumPrefixes adds the nets of leaf accounts under any of the prefixes.
func sumPrefixes(nets map[string]int64, prefixes []string) int64 {
	var total int64
	for code, n := range nets {
		for _, p := range prefixes {
			if strings.HasPrefix(code, p) {
				total += n
				break
			}
		}
	}
	return total
}

func evaluate(values map[string]int64, formula []string) int64 {
	var total int64
	for _, k := range formula {
		if strings.HasPrefix(k, "-") {
			total -= values[k[1:]]
		} else {
			total += values[k]
		}
	}
	return total
}

// GetIncomeStatement answers the income statement of a period and its year to date; the
// carry-forward voucher does not count as activity. Errors: Invalid, Refused, Forbidden.
func (s *Service) GetIncomeStatement(ctx context.Context, period string, branch int64) ([]StatementLine, error) {
	p, err := ParsePeriod(period, "period")
	if err != nil {
		return nil, err
	}
	if _, err := s.books(s.db.WithContext(ctx)); err != nil {
		return nil, err
	}
	activity := func(from Period) (map[string]int64, error) {
		rows, err := s.nets(ctx, from, p, branch, false)
		if err != nil {
			return nil, err
		}
		out := map[string]int64{}
		for _, r := range rows {
			out[r.AccountCode] = r.Debit - r.Credit
		}
		return out, nil
	}
	cur, err := activity(p)
	if err != nil {
		return nil, err
	}
	ytd, err := activity(p.YearStart())
	if err != nil {
		return nil, err
	}
	cv, yv := map[string]int64{}, map[string]int64{}
	out := make([]StatementLine, 0, len(incomeLines))
	for _, l := range incomeLines {
		var c, y int64
		if l.formula != nil {
			c, y = evaluate(cv, l.formula), evaluate(yv, l.formula)
		} else {
			c, y = sumPrefixes(cur, l.accounts), sumPrefixes(ytd, l.accounts)
			if l.credit {
				c, y = -c, -y
			}
		}
		cv[l.key], yv[l.key] = c, y
		out = append(out, StatementLine{Key: l.key, Name: l.name, Current: c, Earlier: y})
	}
	return out, nil
}

// balanceLines lays out the balance sheet (资产负债表) of 小企业会计准则. Asset lines take
// debit − credit of their accounts (a "-" before a code subtracts a contra account);
// liability and equity lines credit − debit. UNDISTRIBUTED_PROFIT includes the profit and
// loss not yet carried forward, so the sheet of an open period balances too.
var balanceLines = []struct {
	key, name string
	accounts  []string
	credit    bool
	formula   []string
}{
	{"CASH", "货币资金", []string{"1001", "1002", "1012"}, false, nil},
	{"SHORT_TERM_INVESTMENTS", "短期投资", []string{"1101"}, false, nil},
	{"NOTES_RECEIVABLE", "应收票据", []string{"1121"}, false, nil},
	{"ACCOUNTS_RECEIVABLE", "应收账款", []string{"1122"}, false, nil},
	{"PREPAYMENTS", "预付账款", []string{"1123"}, false, nil},
	{"DIVIDENDS_RECEIVABLE", "应收股利", []string{"1131"}, false, nil},
	{"INTEREST_RECEIVABLE", "应收利息", []string{"1132"}, false, nil},
	{"OTHER_RECEIVABLES", "其他应收款", []string{"1221"}, false, nil},
	{"INVENTORIES", "存货", []string{"1401", "1402", "1403", "1404", "1405", "1407", "1408", "1411", "1421", "4001", "4101", "4401", "4403"}, false, nil},
	{"OTHER_CURRENT_ASSETS", "其他流动资产", []string{"1901"}, false, nil},
	{"TOTAL_CURRENT_ASSETS", "流动资产合计", nil, false, []string{"CASH", "SHORT_TERM_INVESTMENTS", "NOTES_RECEIVABLE",
		"ACCOUNTS_RECEIVABLE", "PREPAYMENTS", "DIVIDENDS_RECEIVABLE", "INTEREST_RECEIVABLE", "OTHER_RECEIVABLES", "INVENTORIES",
		"OTHER_CURRENT_ASSETS"}},
	{"LONG_TERM_BOND_INVESTMENTS", "长期债券投资", []string{"1501"}, false, nil},
	{"LONG_TERM_EQUITY_INVESTMENTS", "长期股权投资", []string{"1511"}, false, nil},
	{"FIXED_ASSETS_COST", "固定资产原价", []string{"1601"}, false, nil},
	{"ACCUMULATED_DEPRECIATION", "减：累计折旧", []string{"1602"}, true, nil},
	{"FIXED_ASSETS_NET", "固定资产账面价值", nil, false, []string{"FIXED_ASSETS_COST", "-ACCUMULATED_DEPRECIATION"}},
	{"CONSTRUCTION_IN_PROGRESS", "在建工程", []string{"1604"}, false, nil},
	{"ENGINEERING_MATERIALS", "工程物资", []string{"1605"}, false, nil},
	{"FIXED_ASSETS_DISPOSAL", "固定资产清理", []string{"1606"}, false, nil},
	{"BIOLOGICAL_ASSETS", "生产性生物资产", []string{"1621", "1622"}, false, nil},
	{"INTANGIBLE_ASSETS", "无形资产", []string{"1701", "1702"}, false, nil},
	{"DEVELOPMENT_EXPENDITURE", "开发支出", []string{"4301"}, false, nil},
	{"LONG_TERM_PREPAID_EXPENSES", "长期待摊费用", []string{"1801"}, false, nil},
	{"TOTAL_NON_CURRENT_ASSETS", "非流动资产合计", nil, false, []string{"LONG_TERM_BOND_INVESTMENTS", "LONG_TERM_EQUITY_INVESTMENTS",
		"FIXED_ASSETS_NET", "CONSTRUCTION_IN_PROGRESS", "ENGINEERING_MATERIALS", "FIXED_ASSETS_DISPOSAL", "BIOLOGICAL_ASSETS",
		"INTANGIBLE_ASSETS", "DEVELOPMENT_EXPENDITURE", "LONG_TERM_PREPAID_EXPENSES"}},
	{"TOTAL_ASSETS", "资产总计", nil, false, []string{"TOTAL_CURRENT_ASSETS", "TOTAL_NON_CURRENT_ASSETS"}},
	{"SHORT_TERM_BORROWINGS", "短期借款", []string{"2001"}, true, nil},
	{"NOTES_PAYABLE", "应付票据", []string{"2201"}, true, nil},
	{"ACCOUNTS_PAYABLE", "应付账款", []string{"2202"}, true, nil},
	{"ADVANCES_FROM_CUSTOMERS", "预收账款", []string{"2203"}, true, nil},
	{"EMPLOYEE_BENEFITS_PAYABLE", "应付职工薪酬", []string{"2211"}, true, nil},
	{"TAXES_PAYABLE", "应交税费", []string{"2221"}, true, nil},
	{"INTEREST_PAYABLE", "应付利息", []string{"2231"}, true, nil},
	{"PROFITS_PAYABLE", "应付利润", []string{"2232"}, true, nil},
	{"OTHER_PAYABLES", "其他应付款", []string{"2241"}, true, nil},
	{"TOTAL_CURRENT_LIABILITIES", "流动负债合计", nil, false, []string{"SHORT_TERM_BORROWINGS", "NOTES_PAYABLE", "ACCOUNTS_PAYABLE",
		"ADVANCES_FROM_CUSTOMERS", "EMPLOYEE_BENEFITS_PAYABLE", "TAXES_PAYABLE", "INTEREST_PAYABLE", "PROFITS_PAYABLE", "OTHER_PAYABLES"}},
	{"LONG_TERM_BORROWINGS", "长期借款", []string{"2501"}, true, nil},
	{"LONG_TERM_PAYABLES", "长期应付款", []string{"2701"}, true, nil},
	{"DEFERRED_INCOME", "递延收益", []string{"2401"}, true, nil},
	{"TOTAL_NON_CURRENT_LIABILITIES", "非流动负债合计", nil, false, []string{"LONG_TERM_BORROWINGS", "LONG_TERM_PAYABLES", "DEFERRED_INCOME"}},
	{"TOTAL_LIABILITIES", "负债合计", nil, false, []string{"TOTAL_CURRENT_LIABILITIES", "TOTAL_NON_CURRENT_LIABILITIES"}},
	{"PAID_IN_CAPITAL", "实收资本", []string{"3001"}, true, nil},
	{"CAPITAL_RESERVE", "资本公积", []string{"3002"}, true, nil},
	{"SURPLUS_RESERVE", "盈余公积", []string{"3101"}, true, nil},
	{"UNDISTRIBUTED_PROFIT", "未分配利润", []string{"3103", "3104", "5"}, true, nil},
	{"TOTAL_EQUITY", "所有者权益合计", nil, false, []string{"PAID_IN_CAPITAL", "CAPITAL_RESERVE", "SURPLUS_RESERVE", "UNDISTRIBUTED_PROFIT"}},
	{"TOTAL_LIABILITIES_AND_EQUITY", "负债和所有者权益总计", nil, false, []string{"TOTAL_LIABILITIES", "TOTAL_EQUITY"}},
}

// BalanceSheet is the balance sheet at the end of a period, with the start of its year.
type BalanceSheet struct {
	Period     Period
	Lines      []StatementLine
	Balanced   bool
	Difference int64 // total assets − total liabilities and equity
}

// GetBalanceSheet answers the balance sheet at the end of a period. Errors: Invalid,
// Refused, Forbidden.
func (s *Service) GetBalanceSheet(ctx context.Context, period string, branch int64) (BalanceSheet, error) {
	p, err := ParsePeriod(period, "period")
	if err != nil {
		return BalanceSheet{}, err
	}
	if _, err := s.books(s.db.WithContext(ctx)); err != nil {
		return BalanceSheet{}, err
	}
	rows, err := s.nets(ctx, p.YearStart(), p, branch, true)
	if err != nil {
		return BalanceSheet{}, err
	}
	end, start := map[string]int64{}, map[string]int64{}
	for _, r := range rows {
		start[r.AccountCode] = r.Opening
		end[r.AccountCode] = r.Opening + r.Debit - r.Credit
	}
	bs := BalanceSheet{Period: p}
	ev, sv := map[string]int64{}, map[string]int64{}
	for _, l := range balanceLines {
		var e, st int64
		if l.formula != nil {
			e, st = evaluate(ev, l.formula), evaluate(sv, l.formula)
		} else {
			e, st = sumPrefixes(end, l.accounts), sumPrefixes(start, l.accounts)
			if l.credit {
				e, st = -e, -st
			}
		}
		ev[l.key], sv[l.key] = e, st
		bs.Lines = append(bs.Lines, StatementLine{Key: l.key, Name: l.name, Current: e, Earlier: st})
	}
	bs.Difference = ev["TOTAL_ASSETS"] - ev["TOTAL_LIABILITIES_AND_EQUITY"]
	bs.Balanced = bs.Difference == 0 && sv["TOTAL_ASSETS"] == sv["TOTAL_LIABILITIES_AND_EQUITY"]
	if bs.Difference == 0 {
		bs.Difference = sv["TOTAL_ASSETS"] - sv["TOTAL_LIABILITIES_AND_EQUITY"]
	}
	return bs, nil
}

// LedgerPeriod is one month of an account's general ledger (总账).
type LedgerPeriod struct {
	Period                      Period
	OpeningDebit, OpeningCredit int64
	Debit, Credit               int64
	ClosingDebit, ClosingCredit int64
}

// GetGeneralLedger answers an account's (with its detail accounts') months from one
// period to another. Errors: Invalid, NotFound, Refused, Forbidden.
func (s *Service) GetGeneralLedger(ctx context.Context, account, from, to string, branch int64) (Account, []LedgerPeriod, error) {
	a, err := s.GetAccount(ctx, account)
	if err != nil {
		return a, nil, err
	}
	pf, err := ParsePeriod(from, "from")
	if err != nil {
		return a, nil, err
	}
	pt, err := ParsePeriod(to, "to")
	if err != nil {
		return a, nil, err
	}
	if pt < pf || pt.Since(pf) > 120 {
		return a, nil, apperr.Invalid("to", "must be from `from` to ten years after")
	}
	cond, args, err := scopeFilter(ctx, branch)
	if err != nil {
		return a, nil, err
	}
	var rows []struct {
		Period        int
		Debit, Credit int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT period, SUM(debit) AS debit, SUM(credit) AS credit FROM account_balances
		WHERE account_code LIKE ? AND period <= ?`+cond+` GROUP BY period ORDER BY period`,
		append([]any{a.Code + "%", int(pt)}, args...)...).Scan(&rows).Error; err != nil {
		return a, nil, err
	}
	var net int64
	by := map[Period][2]int64{}
	for _, r := range rows {
		if Period(r.Period) < pf {
			net += r.Debit - r.Credit
			continue
		}
		by[Period(r.Period)] = [2]int64{r.Debit, r.Credit}
	}
	var out []LedgerPeriod
	for p := pf; p <= pt; p = p.Next() {
		lp := LedgerPeriod{Period: p, Debit: by[p][0], Credit: by[p][1]}
		lp.OpeningDebit, lp.OpeningCredit = sideOf(net)
		net += lp.Debit - lp.Credit
		lp.ClosingDebit, lp.ClosingCredit = sideOf(net)
		out = append(out, lp)
	}
	return a, out, nil
}

// DetailEntry is one posting in an account's detail ledger (明细账).
type DetailEntry struct {
	Date          time.Time
	Voucher       int64
	VoucherName   string
	Summary       string
	Account       string
	Dims          Dims
	Debit, Credit int64
	Balance       int64 // running, debit − credit
}

// Detail is an account's detail ledger for a period.
type Detail struct {
	Account Account
	Period  Period
	Opening int64 // debit − credit
	Entries []DetailEntry
	Closing int64
}

// GetAccountDetail answers the posted lines of an account (and its detail accounts) in a
// period, with the running balance; dims narrows to a dimension's lines. Errors: Invalid,
// NotFound, Refused, Forbidden.
func (s *Service) GetAccountDetail(ctx context.Context, account, period string, dims Dims) (Detail, error) {
	a, err := s.GetAccount(ctx, account)
	if err != nil {
		return Detail{}, err
	}
	p, err := ParsePeriod(period, "period")
	if err != nil {
		return Detail{}, err
	}
	cond, args, err := scopeFilter(ctx, dims.Branch)
	if err != nil {
		return Detail{}, err
	}
	for _, d := range []struct {
		col string
		v   int64
	}{{"customer_id", dims.Customer}, {"supplier_id", dims.Supplier}, {"item_id", dims.Item}, {"employee_id", dims.Employee},
		{"warehouse_id", dims.Warehouse}} {
		if d.v != 0 {
			cond += " AND " + d.col + " = ?"
			args = append(args, d.v)
		}
	}
	det := Detail{Account: a, Period: p}
	if err := s.db.WithContext(ctx).Raw(`SELECT COALESCE(SUM(debit - credit), 0) FROM account_balances WHERE account_code LIKE ?
		AND period < ?`+cond, append([]any{a.Code + "%", int(p)}, args...)...).Scan(&det.Opening).Error; err != nil {
		return det, err
	}
	lineCond := strings.ReplaceAll(cond, "branch_id", "l.branch_id")
	for _, c := range []string{"customer_id", "supplier_id", "item_id", "employee_id", "warehouse_id"} {
		lineCond = strings.ReplaceAll(lineCond, " "+c, " l."+c)
	}
	var rows []struct {
		Line        lineRow `gorm:"embedded"`
		VoucherDate time.Time
		Word        string
		Number      int32
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT l.*, v.voucher_date, v.word, v.number FROM voucher_lines l
		JOIN vouchers v ON v.id = l.voucher_id WHERE v.period = ? AND v.status = ? AND l.account_code LIKE ?`+lineCond+`
		ORDER BY v.voucher_date, v.word, v.number, l.line_no LIMIT 100000`, append([]any{int(p), StatusPosted, a.Code + "%"}, args...)...).
		Scan(&rows).Error; err != nil {
		return det, err
	}
	bal := det.Opening
	for _, r := range rows {
		l := r.Line.line()
		bal += l.Debit - l.Credit
		det.Entries = append(det.Entries, DetailEntry{Date: r.VoucherDate, Voucher: r.Line.VoucherID, VoucherName: fmt.Sprintf("%s-%d", r.Word, r.Number),
			Summary: l.Summary, Account: l.Account, Dims: l.Dims, Debit: l.Debit, Credit: l.Credit, Balance: bal})
	}
	det.Closing = bal
	return det, nil
}

// StockDifference is a warehouse whose stock ledger value and 1405 balance differ.
type StockDifference struct {
	Warehouse    int64
	LedgerValue  int64
	AccountValue int64
	Difference   int64 // ledger − account
}

// CheckStockValue compares the stock ledger's value per warehouse at the end of a period
// with the balance of 1405 库存商品 (by its warehouse dimension) and answers every
// difference; 1405 postings without a warehouse appear as warehouse 0. Errors: Invalid,
// Refused.
func (s *Service) CheckStockValue(ctx context.Context, period string) ([]StockDifference, error) {
	p, err := ParsePeriod(period, "period")
	if err != nil {
		return nil, err
	}
	if _, err := s.books(s.db.WithContext(ctx)); err != nil {
		return nil, err
	}
	to := time.Date(p.Year(), p.Month(), 1, 0, 0, 0, 0, s.loc).AddDate(0, 1, 0)
	ledger, err := s.warehouse.StockValues(ctx, to)
	if err != nil {
		return nil, err
	}
	var rows []struct{ WarehouseID, Net int64 }
	if err := s.db.WithContext(ctx).Raw(`SELECT warehouse_id, SUM(debit - credit) AS net FROM account_balances
		WHERE account_code LIKE '1405%' AND period <= ? GROUP BY warehouse_id`, int(p)).Scan(&rows).Error; err != nil {
		return nil, err
	}
	acct := map[int64]int64{}
	for _, r := range rows {
		acct[r.WarehouseID] = r.Net
	}
	whs := map[int64]bool{}
	for w := range ledger {
		whs[w] = true
	}
	for w := range acct {
		whs[w] = true
	}
	var out []StockDifference
	for _, w := range slices.Sorted(maps.Keys(whs)) {
		if ledger[w] != acct[w] {
			out = append(out, StockDifference{Warehouse: w, LedgerValue: ledger[w], AccountValue: acct[w], Difference: ledger[w] - acct[w]})
		}
	}
	return out, nil
}

// Journal renders a period's posted vouchers as a plain-text journal that hledger reads
// (hledger.org, "journal format"): an opening transaction with every account's balance
// at the start of the period, then one transaction per voucher; accounts are named by
// code and name along the hierarchy ("2221 应交税费:222101 应交增值税:22210101 进项税额");
// debits are positive, credits negative, in yuan with two decimals. Errors: Invalid,
// Refused.
func (s *Service) Journal(ctx context.Context, period string) ([]byte, error) {
	p, err := ParsePeriod(period, "period")
	if err != nil {
		return nil, err
	}
	if branchScope(ctx) != nil {
		return nil, apperr.Forbidden("the journal is for users of every branch")
	}
	if _, err := s.books(s.db.WithContext(ctx)); err != nil {
		return nil, err
	}
	accounts, err := s.ListAccounts(ctx, "", false)
	if err != nil {
		return nil, err
	}
	byCode := map[string]Account{}
	for _, a := range accounts {
		byCode[a.Code] = a
	}
	name := func(code string) string {
		var parts []string
		for c := code; c != ""; c = byCode[c].Parent {
			a, ok := byCode[c]
			if !ok {
				parts = append(parts, c)
				break
			}
			parts = append(parts, a.Code+" "+strings.ReplaceAll(a.Name, ":", "："))
		}
		slices.Reverse(parts)
		return strings.Join(parts, ":")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "; erphub journal of %s (posted vouchers), generated %s\n\n", p, s.clock().Format(time.RFC3339))
	rows, err := s.nets(ctx, p, p, 0, true)
	if err != nil {
		return nil, err
	}
	var opening []netRow
	for _, r := range rows {
		if r.Opening != 0 {
			opening = append(opening, r)
		}
	}
	if len(opening) > 0 {
		fmt.Fprintf(&b, "%s (期初) 期初余额 opening balances\n", p.First().Format(time.DateOnly))
		for _, r := range opening {
			fmt.Fprintf(&b, "    %s  %s\n", name(r.AccountCode), money.Yuan(r.Opening))
		}
		b.WriteString("\n")
	}
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(`SELECT id FROM vouchers WHERE period = ? AND status = ? ORDER BY voucher_date, word, number`,
		int(p), StatusPosted).Scan(&ids).Error; err != nil {
		return nil, err
	}
	for start := 0; start < len(ids); start += 500 {
		vs, err := loadVouchers(s.db.WithContext(ctx), ids[start:min(start+500, len(ids))], false)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			fmt.Fprintf(&b, "%s (%s) %s\n", v.Date.Format(time.DateOnly), v.Name(), oneLine(v.Summary))
			fmt.Fprintf(&b, "    ; voucher:%d kind:%s\n", v.ID, v.Kind)
			for _, l := range v.Lines {
				fmt.Fprintf(&b, "    %s  %s", name(l.Account), money.Yuan(l.Debit-l.Credit))
				if d := dimsComment(l.Dims); d != "" {
					b.WriteString("  ; " + d)
				}
				b.WriteString("\n")
			}
			b.WriteString("\n")
		}
	}
	return []byte(b.String()), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func dimsComment(d Dims) string {
	var parts []string
	for _, x := range []struct {
		n string
		v int64
	}{{"customer", d.Customer}, {"supplier", d.Supplier}, {"branch", d.Branch}, {"item", d.Item}, {"employee", d.Employee},
		{"warehouse", d.Warehouse}} {
		if x.v != 0 {
			parts = append(parts, fmt.Sprintf("%s:%d", x.n, x.v))
		}
	}
	return strings.Join(parts, ", ")
}

// Balanced reports whether the trial balance's debit and credit totals agree.
func (t TrialBalance) Balanced() bool {
	return t.Totals.OpeningDebit == t.Totals.OpeningCredit && t.Totals.PeriodDebit == t.Totals.PeriodCredit &&
		t.Totals.ClosingDebit == t.Totals.ClosingCredit
}
