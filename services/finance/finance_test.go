package finance_test

import (
	"context"
	"encoding/csv"

	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

// ledger is a company with books in January 2026, two finance users (a maker and a
// checker), a customer, an online platform customer, a supplier and a warehouse.
type ledger struct {
	e              *apptest.Env
	admin          context.Context
	maker, checker string
	manager        string
	branch         catalog.Branch
	warehouse      catalog.Warehouse
	market, tmall  catalog.Customer
	supplier       catalog.Supplier
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newLedger(t *testing.T) *ledger {
	t.Helper()
	e := apptest.Start(t)
	l := &ledger{e: e}
	l.admin = reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	var err error
	l.branch, err = cat.CreateBranch(l.admin, catalog.Branch{Code: "CQ", Name: "重庆"})
	must(t, err)
	l.warehouse, err = cat.CreateWarehouse(l.admin, catalog.Warehouse{Code: "CQ-01", Name: "重庆成品仓", Branch: l.branch.ID})
	must(t, err)
	l.market, err = cat.CreateCustomer(l.admin, catalog.Customer{Code: "YJ", Name: "渝佳超市", Kind: "retailer"})
	must(t, err)
	l.tmall, err = cat.CreateCustomer(l.admin, catalog.Customer{Code: "TMALL", Name: "天猫平台", Kind: "online"})
	must(t, err)
	l.supplier, err = cat.CreateSupplier(l.admin, catalog.Supplier{Code: "S1", Name: "渝北肉联"})
	must(t, err)
	l.maker = e.UserToken(t, "accountant", []string{reqctx.RoleFinance})
	l.checker = e.UserToken(t, "chief", []string{reqctx.RoleFinance})
	l.manager = e.UserToken(t, "boss", []string{reqctx.RoleManager})
	return l
}

// yuan converts "1234.56" to fen without floating point.
func yuan(s string) int64 {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	frac = (frac + "00")[:2]
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	if neg {
		return -(w*100 + f)
	}
	return w*100 + f
}

type line map[string]any

func dr(account string, amount string, dims ...any) line {
	l := line{"account": account, "debit": yuan(amount)}
	for i := 0; i+1 < len(dims); i += 2 {
		l[dims[i].(string)] = dims[i+1]
	}
	return l
}

func cr(account string, amount string, dims ...any) line {
	l := line{"account": account, "credit": yuan(amount)}
	for i := 0; i+1 < len(dims); i += 2 {
		l[dims[i].(string)] = dims[i+1]
	}
	return l
}

type voucherJSON struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Number     int32  `json:"number"`
	Word       string `json:"word"`
	Status     string `json:"status"`
	Kind       string `json:"kind"`
	Period     string `json:"period"`
	Total      int64  `json:"total"`
	ReversalOf int64  `json:"reversalOf"`
	Source     *struct {
		Type   string `json:"type"`
		ID     int64  `json:"id"`
		Number string `json:"number"`
	} `json:"source"`
	TemplateVersion int32 `json:"templateVersion"`
	Lines           []struct {
		Account   string `json:"account"`
		Debit     int64  `json:"debit"`
		Credit    int64  `json:"credit"`
		Customer  int64  `json:"customer"`
		Supplier  int64  `json:"supplier"`
		Warehouse int64  `json:"warehouse"`
		Summary   string `json:"summary"`
	} `json:"lines"`
}

// voucher makes a draft by the maker and answers it.
func (l *ledger) voucher(t *testing.T, date, word, summary string, lines ...line) voucherJSON {
	t.Helper()
	var v voucherJSON
	l.e.MustDo(t, 200, "POST", "/v1/vouchers", l.maker, map[string]any{"date": date, "word": word, "summary": summary,
		"attachmentCount": 1, "lines": lines}).Decode(t, &v)
	return v
}

// book makes, approves and posts a voucher.
func (l *ledger) book(t *testing.T, date, word, summary string, lines ...line) voucherJSON {
	t.Helper()
	v := l.voucher(t, date, word, summary, lines...)
	l.approveAndPost(t, v.ID)
	return v
}

type batchJSON struct {
	Results []struct {
		ID           int64       `json:"id"`
		Voucher      voucherJSON `json:"voucher"`
		ErrorReason  string      `json:"errorReason"`
		ErrorMessage string      `json:"errorMessage"`
	} `json:"results"`
}

func (l *ledger) approveAndPost(t *testing.T, ids ...int64) {
	t.Helper()
	for _, path := range []string{"/v1/vouchers:batchApprove", "/v1/vouchers:batchPost"} {
		var out batchJSON
		l.e.MustDo(t, 200, "POST", path, l.checker, map[string]any{"ids": ids}).Decode(t, &out)
		for _, r := range out.Results {
			if r.ErrorReason != "" {
				t.Fatalf("%s %d: %s %s", path, r.ID, r.ErrorReason, r.ErrorMessage)
			}
		}
	}
}

type trialJSON struct {
	Rows []struct {
		Account       string `json:"account"`
		Name          string `json:"name"`
		Level         int32  `json:"level"`
		OpeningDebit  int64  `json:"openingDebit"`
		OpeningCredit int64  `json:"openingCredit"`
		PeriodDebit   int64  `json:"periodDebit"`
		PeriodCredit  int64  `json:"periodCredit"`
		ClosingDebit  int64  `json:"closingDebit"`
		ClosingCredit int64  `json:"closingCredit"`
	} `json:"rows"`
	Balanced bool `json:"balanced"`
}

func (l *ledger) trial(t *testing.T, period string) (trialJSON, map[string]int64) {
	t.Helper()
	var tb trialJSON
	l.e.MustDo(t, 200, "GET", "/v1/reports/trialBalance?period="+period, l.manager, nil).Decode(t, &tb)
	closing := map[string]int64{}
	for _, r := range tb.Rows {
		closing[r.Account] = r.ClosingDebit - r.ClosingCredit
	}
	return tb, closing
}

type statementJSON struct {
	Lines []struct {
		Key           string `json:"key"`
		CurrentPeriod int64  `json:"currentPeriod"`
		YearToDate    int64  `json:"yearToDate"`
		Closing       int64  `json:"closing"`
		YearStart     int64  `json:"yearStart"`
	} `json:"lines"`
	Balanced   bool  `json:"balanced"`
	Difference int64 `json:"difference"`
}

func (s statementJSON) get(key string) (int64, int64) {
	for _, l := range s.Lines {
		if l.Key == key {
			return l.CurrentPeriod + l.Closing, l.YearToDate + l.YearStart
		}
	}
	return -1, -1
}

// TestWorkedMonth books January 2026 of a cured-meat maker by hand, as 小企业会计准则 and
// 财会〔2016〕22号 book it, and checks the trial balance, the statements, the period close
// with its carry-forward, and the exported journal against hledger.
//
// Hand computation (yuan):
//
//	revenue 5001     180,000 − 10,000 (red return) + 50,000                = 220,000.00
//	cost 5401        110,000 − 7,000 + 30,000                              = 133,000.00
//	output VAT       22,200 − 1,300 + 6,500 = 27,400; input 13,000 + 1,800 = 14,800;
//	                 transferred out 260; VAT payable 27,400 − 14,800 + 260 = 12,860.00
//	surcharges 5403  12,860 × (7 % + 3 % + 2 %) = 900.20 + 385.80 + 257.20  =   1,543.20
//	selling 5601     platform commission                                    =   2,500.00
//	admin 5602       depreciation 60,000 × 95 % / 60                        =     950.00
//	finance 5603     cash discount 2 % × 190,900                            =   3,818.00
//	operating profit 220,000 − 133,000 − 1,543.20 − 2,500 − 950 − 3,818     =  78,188.80
//	non-operating    + 800 (stocktake gain) − 2,260 (abnormal loss with VAT)
//	net profit       78,188.80 + 800 − 2,260                                =  76,728.80
func TestWorkedMonth(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	e := l.e
	// warehouse and sales staff see nothing of finance
	picker := e.UserToken(t, "picker", []string{reqctx.RoleWarehouse})
	e.MustDo(t, 403, "GET", "/v1/accounts", picker, nil)

	// the books: openings must balance
	openings := []map[string]any{
		{"account": "1001", "debit": yuan("5000.00")}, {"account": "1002", "debit": yuan("800000.00")},
		{"account": "1405", "debit": yuan("200000.00")}, {"account": "1601", "debit": yuan("300000.00")},
		{"account": "1602", "credit": yuan("60000.00")}, {"account": "2202", "credit": yuan("45000.00")},
		{"account": "3001", "credit": yuan("1000000.00")}, {"account": "3104", "credit": yuan("200000.00")},
	}
	r := e.Do(t, "POST", "/v1/books:initialize", l.maker, map[string]any{"startPeriod": "2026-01", "voucherWords": []string{"收", "付", "转"},
		"openingBalances": append(openings, map[string]any{"account": "1001", "debit": 1})})
	if r.Status != 400 || !strings.Contains(string(r.Body), "differ by 0.01") {
		t.Fatalf("unbalanced openings: %d %s", r.Status, r.Body)
	}
	e.MustDo(t, 200, "POST", "/v1/books:initialize", l.maker, map[string]any{"startPeriod": "2026-01",
		"voucherWords": []string{"收", "付", "转"}, "openingBalances": openings})
	e.MustDo(t, 400, "POST", "/v1/books:initialize", l.maker, map[string]any{"startPeriod": "2026-01"}) // once
	// detail accounts
	for code, name := range map[string]string{"101201": "支付宝", "222111": "应交城市维护建设税", "222112": "应交教育费附加",
		"222113": "应交地方教育附加"} {
		e.MustDo(t, 200, "POST", "/v1/accounts", l.maker, map[string]any{"code": code, "name": name})
	}
	e.MustDo(t, 409, "POST", "/v1/accounts", l.maker, map[string]any{"code": "101201", "name": "again"})
	e.MustDo(t, 400, "POST", "/v1/accounts", l.maker, map[string]any{"code": "100101", "name": "posted parent"}) // 1001 has an opening balance
	e.MustDo(t, 400, "DELETE", "/v1/accounts/1001", l.maker, nil)

	// refusals name the field and the reason
	r = e.Do(t, "POST", "/v1/vouchers", l.maker, map[string]any{"date": "2026-01-02", "word": "转", "summary": "x",
		"lines": []line{dr("5602", "100.00"), cr("1001", "90.00")}})
	if r.Status != 400 || !strings.Contains(string(r.Body), "differ by 10.00") {
		t.Fatalf("unbalanced voucher: %d %s", r.Status, r.Body)
	}
	r = e.Do(t, "POST", "/v1/vouchers", l.maker, map[string]any{"date": "2026-01-02", "word": "转", "summary": "x",
		"lines": []line{dr("1122", "100.00"), cr("5001", "100.00")}})
	if r.Status != 400 || !strings.Contains(string(r.Body), "voucher.lines[0].customer") {
		t.Fatalf("missing dimension: %d %s", r.Status, r.Body)
	}
	for _, bad := range []map[string]any{
		{"date": "2026-01-02", "word": "记", "lines": []line{dr("5602", "1.00"), cr("1001", "1.00")}}, // not a word of the books
		{"date": "2025-12-31", "word": "转", "lines": []line{dr("5602", "1.00"), cr("1001", "1.00")}}, // before the books
		{"date": "2026-01-02", "word": "转", "lines": []line{dr("2221", "1.00"), cr("1001", "1.00")}}, // has detail accounts
		{"date": "2026-01-02", "word": "转", "lines": []line{dr("9999", "1.00"), cr("1001", "1.00")}}, // no such account
		{"date": "2026-13-02", "word": "转", "lines": []line{dr("5602", "1.00"), cr("1001", "1.00")}}, // no such date
		{"date": "2026-01-02", "word": "转", "lines": []line{{"account": "5602", "debit": 100, "credit": 100}, cr("1001", "0.00")}},
	} {
		if r := e.Do(t, "POST", "/v1/vouchers", l.maker, bad); r.Status != 400 {
			t.Fatalf("accepted %v: %d %s", bad, r.Status, r.Body)
		}
	}
	// a maker does not approve their own voucher; nothing posts unapproved
	own := l.voucher(t, "2026-01-03", "付", "备用金", dr("5602", "300.00"), cr("1001", "300.00"))
	var out batchJSON
	e.MustDo(t, 200, "POST", "/v1/vouchers:batchApprove", l.maker, map[string]any{"ids": []int64{own.ID}}).Decode(t, &out)
	if out.Results[0].ErrorReason != "SAME_USER" {
		t.Fatalf("self-approval: %+v", out.Results[0])
	}
	e.MustDo(t, 400, "POST", fmt.Sprintf("/v1/vouchers/%d:post", own.ID), l.checker, map[string]any{})
	// deleting a draft gives its number to the next voucher of its word
	e.MustDo(t, 200, "DELETE", fmt.Sprintf("/v1/vouchers/%d", own.ID), l.maker, nil)

	d := func(day int) string { return fmt.Sprintf("2026-01-%02d", day) }
	// 1 purchase at 13 %, on account; 2 agricultural spices at 9 %, paid from the bank
	buy := l.book(t, d(3), "转", "采购肠衣猪肉", dr("1405", "100000.00"), dr("22210101", "13000.00"),
		cr("2202", "113000.00", "supplier", l.supplier.ID))
	if buy.Name != "转-1" {
		t.Fatalf("first 转 voucher is %s", buy.Name)
	}
	pay := l.book(t, d(4), "付", "采购花椒", dr("1405", "20000.00"), dr("22210101", "1800.00"), cr("1002", "21800.00"))
	if pay.Name != "付-1" {
		t.Fatalf("the deleted draft's number was not reused: %s", pay.Name)
	}
	// 3 sale to a supermarket at 13 % and 9 %, and its cost
	l.book(t, d(8), "转", "销售渝佳超市", dr("1122", "202200.00", "customer", l.market.ID), cr("5001", "150000.00"),
		cr("5001", "30000.00"), cr("22210107", "19500.00"), cr("22210107", "2700.00"))
	l.book(t, d(8), "转", "结转销售成本", dr("5401", "110000.00"), cr("1405", "110000.00"))
	// 4 a red return of part of it (红字: negative on the same side)
	l.book(t, d(12), "转", "销售退回", dr("1122", "-11300.00", "customer", l.market.ID), cr("5001", "-10000.00"),
		cr("22210107", "-1300.00"))
	l.book(t, d(12), "转", "退回成本", dr("5401", "-7000.00"), cr("1405", "-7000.00"))
	// 5 online sales and the platform's settlement with its commission
	l.book(t, d(15), "转", "天猫销售", dr("1122", "56500.00", "customer", l.tmall.ID), cr("5001", "50000.00"), cr("22210107", "6500.00"))
	l.book(t, d(15), "转", "天猫销售成本", dr("5401", "30000.00"), cr("1405", "30000.00"))
	l.book(t, d(20), "收", "天猫结算", dr("101201", "54000.00"), dr("5601", "2500.00"), cr("1122", "56500.00", "customer", l.tmall.ID))
	// 6 the supermarket pays with a 2 % cash discount; 7 we pay the supplier
	l.book(t, d(22), "收", "收渝佳货款", dr("1002", "187082.00"), dr("5603", "3818.00"), cr("1122", "190900.00", "customer", l.market.ID))
	l.book(t, d(23), "付", "付渝北肉联", dr("2202", "100000.00", "supplier", l.supplier.ID), cr("1002", "100000.00"))
	// 8 stocktake: a gain, and an abnormal loss with its input VAT transferred out, then resolved
	l.book(t, d(28), "转", "盘盈", dr("1405", "800.00"), cr("1901", "800.00"))
	l.book(t, d(28), "转", "盘亏", dr("1901", "2260.00"), cr("1405", "2000.00"), cr("22210109", "260.00"))
	l.book(t, d(30), "转", "盘盈盘亏处理", dr("1901", "800.00"), cr("5301", "800.00"))
	l.book(t, d(30), "转", "盘亏处理", dr("5711", "2260.00"), cr("1901", "2260.00"))
	// a mistake and its red reversal net to zero
	wrong := l.book(t, d(29), "付", "误记", dr("5602", "123.45"), cr("1001", "123.45"))
	var rev voucherJSON
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/vouchers/%d:reverse", wrong.ID), l.maker, map[string]any{"date": d(29)}).Decode(t, &rev)
	if rev.ReversalOf != wrong.ID || rev.Total != -12345 || rev.Status != "draft" {
		t.Fatalf("reversal %+v", rev)
	}
	e.MustDo(t, 400, "POST", fmt.Sprintf("/v1/vouchers/%d:reverse", wrong.ID), l.maker, map[string]any{}) // once
	l.approveAndPost(t, rev.ID)
	// 9 straight-line depreciation: 60,000.00 over 5 years, 5 % salvage → 950.00 a month
	var cat struct{ ID int64 }
	e.MustDo(t, 200, "POST", "/v1/assetCategories", l.maker, map[string]any{"code": "MACH", "name": "机器设备", "lifeMonths": 60,
		"salvageRateBp": 500, "method": "straight_line"}).Decode(t, &cat)
	var asset struct{ ID int64 }
	e.MustDo(t, 200, "POST", "/v1/assets", l.maker, map[string]any{"code": "FA-001", "name": "灌肠机", "category": cat.ID,
		"branch": l.branch.ID, "originalValue": yuan("60000.00"), "startDate": "2025-12-15"}).Decode(t, &asset)
	var period struct {
		DepreciationVoucher int64 `json:"depreciationVoucher"`
	}
	e.MustDo(t, 200, "POST", "/v1/periods/2026-01:depreciate", l.maker, map[string]any{}).Decode(t, &period)
	var dep voucherJSON
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/vouchers/%d", period.DepreciationVoucher), l.maker, nil).Decode(t, &dep)
	if dep.Total != 95000 || dep.Status != "posted" || dep.Kind != "depreciation" {
		t.Fatalf("depreciation %+v", dep)
	}
	e.MustDo(t, 200, "POST", "/v1/periods/2026-01:depreciate", l.maker, map[string]any{}) // again: nothing more
	// 10 month-end VAT and surcharges
	l.book(t, d(31), "转", "转出未交增值税", dr("22210104", "12860.00"), cr("222102", "12860.00"))
	l.book(t, d(31), "转", "计提税金及附加", dr("5403", "1543.20"), cr("222111", "900.20"), cr("222112", "385.80"), cr("222113", "257.20"))

	// before the close: the trial balance balances, 应交增值税 is cleared
	tb, closing := l.trial(t, "2026-01")
	if !tb.Balanced {
		t.Fatalf("trial balance does not balance: %+v", tb)
	}
	var sum int64
	for _, row := range tb.Rows {
		if row.Level == 1 {
			sum += row.ClosingDebit - row.ClosingCredit
		}
	}
	if sum != 0 || closing["222101"] != 0 || closing["222102"] != -yuan("12860.00") || closing["1405"] != yuan("185800.00") {
		t.Fatalf("sum %d, 222101 %d, 222102 %d, 1405 %d", sum, closing["222101"], closing["222102"], closing["1405"])
	}
	var is statementJSON
	e.MustDo(t, 200, "GET", "/v1/reports/incomeStatement?period=2026-01", l.manager, nil).Decode(t, &is)
	want := map[string]string{"OPERATING_REVENUE": "220000.00", "OPERATING_COST": "133000.00", "TAXES_AND_SURCHARGES": "1543.20",
		"SELLING_EXPENSES": "2500.00", "ADMINISTRATIVE_EXPENSES": "950.00", "FINANCIAL_EXPENSES": "3818.00",
		"OPERATING_PROFIT": "78188.80", "NON_OPERATING_INCOME": "800.00", "NON_OPERATING_EXPENSES": "2260.00",
		"TOTAL_PROFIT": "76728.80", "INCOME_TAX": "0.00", "NET_PROFIT": "76728.80"}
	for key, v := range want {
		if cur, ytd := is.get(key); cur != yuan(v) || ytd != yuan(v) {
			t.Errorf("income statement %s: %d / %d, want %s", key, cur, ytd, v)
		}
	}
	// closing: unposted vouchers stop it, then the carry-forward goes to 3103
	pending := l.voucher(t, d(31), "转", "待审", dr("5602", "1.00"), cr("1001", "1.00"))
	r = e.Do(t, "POST", "/v1/periods/2026-01:close", l.maker, map[string]any{})
	if r.Status != 400 || !strings.Contains(string(r.Body), "UNPOSTED_VOUCHERS") {
		t.Fatalf("close with a draft: %d %s", r.Status, r.Body)
	}
	e.MustDo(t, 200, "DELETE", fmt.Sprintf("/v1/vouchers/%d", pending.ID), l.maker, nil)
	e.MustDo(t, 200, "POST", "/v1/periods/2026-01:close", l.maker, map[string]any{})
	tb, closing = l.trial(t, "2026-01")
	if !tb.Balanced || closing["3103"] != -yuan("76728.80") || closing["5001"] != 0 || closing["5401"] != 0 || closing["5711"] != 0 {
		t.Fatalf("after the close: 3103 %d, 5001 %d, 5401 %d (balanced %v)", closing["3103"], closing["5001"], closing["5401"], tb.Balanced)
	}
	// the carry-forward is not the period's activity
	e.MustDo(t, 200, "GET", "/v1/reports/incomeStatement?period=2026-01", l.manager, nil).Decode(t, &is)
	if cur, _ := is.get("NET_PROFIT"); cur != yuan("76728.80") {
		t.Fatalf("net profit after the close %d", cur)
	}
	var bs statementJSON
	e.MustDo(t, 200, "GET", "/v1/reports/balanceSheet?period=2026-01", l.manager, nil).Decode(t, &bs)
	if total, _ := bs.get("TOTAL_ASSETS"); !bs.Balanced || total <= 0 {
		t.Fatalf("balance sheet %+v", bs)
	}
	if up, start := bs.get("UNDISTRIBUTED_PROFIT"); up != yuan("276728.80") || start != yuan("200000.00") {
		t.Fatalf("undistributed profit %d (year start %d)", up, start)
	}

	// a closed period refuses posting; reopening after a later close is refused
	late := l.voucher(t, "2026-02-01", "转", "二月", dr("5602", "10.00"), cr("1001", "10.00"))
	r = e.Do(t, "POST", "/v1/vouchers", l.maker, map[string]any{"date": d(31), "word": "转", "lines": []line{dr("5602", "1.00"), cr("1001", "1.00")}})
	if r.Status != 400 || !strings.Contains(string(r.Body), "PERIOD_CLOSED") {
		t.Fatalf("voucher into a closed period: %d %s", r.Status, r.Body)
	}
	l.approveAndPost(t, late.ID)
	e.MustDo(t, 200, "POST", "/v1/periods/2026-02:close", l.maker, map[string]any{})
	e.MustDo(t, 403, "POST", "/v1/periods/2026-01:reopen", l.maker, map[string]any{}) // admins only
	r = e.Do(t, "POST", "/v1/periods/2026-01:reopen", e.Admin, map[string]any{})
	if r.Status != 400 || !strings.Contains(string(r.Body), "LATER_PERIOD_CLOSED") {
		t.Fatalf("reopen before a later period: %d %s", r.Status, r.Body)
	}
	e.MustDo(t, 200, "POST", "/v1/periods/2026-02:reopen", e.Admin, map[string]any{})
	e.MustDo(t, 200, "POST", "/v1/periods/2026-01:reopen", e.Admin, map[string]any{})
	e.MustDo(t, 200, "POST", "/v1/periods/2026-01:close", l.maker, map[string]any{}) // nothing new to carry
	tb, closing = l.trial(t, "2026-01")
	if closing["3103"] != -yuan("76728.80") {
		t.Fatalf("3103 after reclosing %d", closing["3103"])
	}

	// exports: CSV with the rows, XLSX, and the journal hledger agrees with
	csvBody := e.MustDo(t, 200, "GET", "/v1/reports/trialBalance:export?period=2026-01&format=csv", l.manager, nil)
	reader := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(csvBody.Body), "\ufeff")))
	reader.FieldsPerRecord = -1 // a title row, then the table
	rows, err := reader.ReadAll()
	must(t, err)
	if len(rows) != len(tb.Rows)+3 || !strings.HasPrefix(csvBody.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d rows for %d accounts", len(rows), len(tb.Rows))
	}
	xlsx := e.MustDo(t, 200, "GET", "/v1/reports/balanceSheet:export?period=2026-01&format=xlsx", l.manager, nil)
	if len(xlsx.Body) < 1000 || string(xlsx.Body[:2]) != "PK" || !strings.Contains(xlsx.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("xlsx: %d bytes, %q", len(xlsx.Body), xlsx.Header.Get("Content-Disposition"))
	}
	journal := e.MustDo(t, 200, "GET", "/v1/reports/journal?period=2026-01", l.manager, nil).Body
	checkWithHledger(t, journal, tb)
}

// checkWithHledger has hledger read the journal and compares every account's balance with
// the trial balance's closing balance.
func checkWithHledger(t *testing.T, journal []byte, tb trialJSON) {
	t.Helper()
	bin, err := exec.LookPath("hledger")
	if err != nil {
		if os.Getenv("REQUIRE_HLEDGER") != "" {
			t.Fatal("hledger is required (apt-get install hledger)")
		}
		t.Log("hledger not installed: journal not checked")
		return
	}
	f := filepath.Join(t.TempDir(), "books.journal")
	must(t, os.WriteFile(f, journal, 0o600))
	out, err := exec.Command(bin, "-f", f, "balance", "--flat", "-O", "csv").CombinedOutput()
	if err != nil {
		t.Fatalf("hledger refused the journal: %v\n%s", err, out)
	}
	rows, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	must(t, err)
	got := map[string]int64{}
	for _, r := range rows[1:] {
		if r[0] == "total" {
			if r[1] != "0" {
				t.Fatalf("hledger total %s", r[1])
			}
			continue
		}
		name := r[0][strings.LastIndex(r[0], ":")+1:]
		code, _, _ := strings.Cut(name, " ")
		got[code] = yuan(r[1])
	}
	leaf := map[string]bool{}
	for _, r := range tb.Rows {
		leaf[r.Account] = true
	}
	for _, r := range tb.Rows {
		parent := false
		for other := range leaf {
			if other != r.Account && strings.HasPrefix(other, r.Account) {
				parent = true
			}
		}
		if parent {
			continue
		}
		if want := r.ClosingDebit - r.ClosingCredit; got[r.Account] != want {
			t.Errorf("account %s %s: hledger %d, trial balance %d", r.Account, r.Name, got[r.Account], want)
		}
		delete(got, r.Account)
	}
	for code, v := range got {
		if v != 0 {
			t.Errorf("hledger has %s = %d the trial balance lacks", code, v)
		}
	}
}
