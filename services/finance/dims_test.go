package finance_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

// TestDimensionsAndBranchScope: an account that requires a dimension refuses a line
// without it, naming the field; balances are kept per dimension; a manager limited to one
// branch sees that branch's amounts only and is refused another's.
func TestDimensionsAndBranchScope(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	e := l.e
	other, err := e.App.Catalog.CreateBranch(l.admin, catalog.Branch{Code: "CD", Name: "成都"})
	must(t, err)
	e.MustDo(t, 200, "POST", "/v1/books:initialize", l.maker, map[string]any{"startPeriod": "2026-01"})
	e.MustDo(t, 200, "POST", "/v1/accounts", l.maker, map[string]any{"code": "112201", "name": "超市客户",
		"dimensions": []string{"customer"}})
	e.MustDo(t, 200, "POST", "/v1/accounts", l.maker, map[string]any{"code": "560101", "name": "分公司运费",
		"dimensions": []string{"branch"}})

	r := e.Do(t, "POST", "/v1/vouchers", l.maker, map[string]any{"date": "2026-01-05", "word": "记", "summary": "赊销",
		"lines": []line{dr("112201", "100.00"), cr("5001", "100.00")}})
	if r.Status != 400 || !strings.Contains(string(r.Body), "lines[0].customer") || !strings.Contains(string(r.Body), "requires a customer") {
		t.Fatalf("line without the required customer: %d %s", r.Status, r.Body)
	}
	r = e.Do(t, "POST", "/v1/vouchers", l.maker, map[string]any{"date": "2026-01-05", "word": "记", "summary": "赊销",
		"lines": []line{dr("112201", "100.00", "customer", 999999), cr("5001", "100.00")}})
	if r.Status != 400 || !strings.Contains(string(r.Body), "lines[0].customer") {
		t.Fatalf("line naming no customer: %d %s", r.Status, r.Body)
	}
	l.book(t, "2026-01-05", "记", "赊销", dr("112201", "100.00", "customer", l.market.ID), cr("5001", "100.00"))
	l.book(t, "2026-01-06", "记", "赊销", dr("112201", "40.00", "customer", l.tmall.ID), cr("5001", "40.00"))
	l.book(t, "2026-01-07", "记", "运费", dr("560101", "30.00", "branch", l.branch.ID), cr("1001", "30.00"))
	l.book(t, "2026-01-07", "记", "运费", dr("560101", "12.00", "branch", other.ID), cr("1001", "12.00"))

	_, all := l.trial(t, "2026-01")
	if all["112201"] != yuan("140.00") || all["560101"] != yuan("42.00") {
		t.Fatalf("whole company: 112201 %d, 560101 %d", all["112201"], all["560101"])
	}
	// per customer: the detail ledger of 112201 for one customer
	var detail struct {
		Entries []struct {
			Debit    int64 `json:"debit"`
			Customer int64 `json:"customer"`
		} `json:"entries"`
		Closing int64 `json:"closing"`
	}
	e.MustDo(t, 200, "GET", "/v1/reports/accountDetail?period=2026-01&account=112201&customer="+strconv.FormatInt(l.tmall.ID, 10), l.manager, nil).Decode(t, &detail)
	if len(detail.Entries) != 1 || detail.Entries[0].Debit != yuan("40.00") || detail.Entries[0].Customer != l.tmall.ID ||
		detail.Closing != yuan("40.00") {
		t.Fatalf("detail of one customer: %+v", detail)
	}

	// a manager of branch CQ sees CQ's amounts only
	local := e.UserToken(t, "cq-boss", []string{reqctx.RoleManager}, l.branch.ID)
	var tb trialJSON
	e.MustDo(t, 200, "GET", "/v1/reports/trialBalance?period=2026-01", local, nil).Decode(t, &tb)
	got := map[string]int64{}
	for _, row := range tb.Rows {
		got[row.Account] = row.ClosingDebit - row.ClosingCredit
	}
	if got["560101"] != yuan("30.00") || got["112201"] != 0 {
		t.Fatalf("branch-scoped trial balance: 560101 %d, 112201 %d", got["560101"], got["112201"])
	}
	e.MustDo(t, 403, "GET", "/v1/reports/trialBalance?period=2026-01&branch="+strconv.FormatInt(other.ID, 10), local, nil)
}
