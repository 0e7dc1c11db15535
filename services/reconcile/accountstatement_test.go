package reconcile_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

type accountJSON struct {
	ID          int64  `json:"id"`
	Number      string `json:"number"`
	Status      string `json:"status"`
	Opening     int64  `json:"opening"`
	Deliveries  int64  `json:"deliveries"`
	Returns     int64  `json:"returns"`
	Adjustments int64  `json:"adjustments"`
	Received    int64  `json:"received"`
	Invoiced    int64  `json:"invoiced"`
	Closing     int64  `json:"closing"`
	LineCount   int    `json:"lineCount"`
	OutletCount int    `json:"outletCount"`
	Lines       []struct {
		Kind           string `json:"kind"`
		OutletCode     string `json:"outletCode"`
		PoNumber       string `json:"poNumber"`
		DocumentNumber string `json:"documentNumber"`
		Amount         int64  `json:"amount"`
	} `json:"lines"`
}

// TestAccountStatement builds our statement of a chain from scanned deliveries, a return,
// an invoice and a receipt, with an opening balance from an earlier delivery; sends it,
// records the chain's dispute, downloads it; and the settlement-day job makes the draft of
// a customer whose weekly period closed yesterday.
func TestAccountStatement(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	e := c.e
	supplier := mustSupplier(t, c)
	po := struct {
		ID int64 `json:"id"`
	}{}
	e.MustDo(t, 200, "POST", "/v1/purchaseOrders", c.picker, map[string]any{"supplier": supplier, "warehouse": c.warehouse.ID,
		"lines": []map[string]any{{"item": c.sausage.ID, "quantity": 20000, "unitPrice": 2000}}}).Decode(t, &po)
	c.scan(t, "purchaseOrder", po.ID, map[string]int{c.caseA: 2})
	d1 := c.deliver(t, c.s1, "YH-PO-2001", c.sausage, 10, 3990, map[string]int{c.caseA: 1})
	d2 := c.deliver(t, c.dc, "YH-PO-2002", c.sausage, 5, 3990, map[string]int{c.gtinA: 5})
	waitUntil(t, "deliveries become trade lines", func() bool {
		var n int64
		must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM trade_lines WHERE party_id = ? AND kind = 'delivery'`, c.customer.ID).Scan(&n).Error)
		return n == 2
	})
	// an older delivery (before the period): the opening balance
	must(t, e.App.DB.Exec(`INSERT INTO trade_lines (party_type, party_id, kind, source_id, line_no, doc_no, outlet_code, doc_date,
		item_id, quantity, unit_price, amount, created_at) VALUES ('customer', ?, 'delivery', 999999, 1, 'DO-OLD', 'YH-S001', ?, ?, 2000, 5000, 10000, NOW(6))`,
		c.customer.ID, c.today.AddDate(0, 0, -40), c.sausage.ID).Error)
	day := c.today.Format(time.DateOnly)
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/customers/%d/returns", c.customer.ID), c.finance, map[string]any{"outlet": c.s1.ID,
		"theirNumber": "YH-RT-09", "date": day, "reason": "破袋", "lines": []map[string]any{{"item": c.sausage.ID, "quantity": 1000, "unitPrice": 3990}}})
	var line int64
	must(t, e.App.DB.Raw(`SELECT id FROM trade_lines WHERE doc_no = ?`, d1).Scan(&line).Error)
	var inv struct {
		Invoices []struct {
			ID    int64 `json:"id"`
			Gross int64 `json:"gross"`
		} `json:"invoices"`
	}
	e.MustDo(t, 200, "POST", "/v1/salesInvoices", c.finance, map[string]any{"customer": c.customer.ID, "kind": "SPECIAL",
		"lines": []map[string]any{{"tradeLine": line}}}).Decode(t, &inv)
	e.MustDo(t, 200, "POST", "/v1/customerReceipts", c.finance, map[string]any{"party": c.customer.ID, "method": "bank", "amount": 20000,
		"allocations": []map[string]any{{"invoice": inv.Invoices[0].ID, "amount": 20000}}})

	from, to := c.today.AddDate(0, 0, -5).Format(time.DateOnly), c.today.AddDate(0, 0, 5).Format(time.DateOnly)
	var a accountJSON
	gen := func() apptest.Response {
		return e.Do(t, "POST", fmt.Sprintf("/v1/customers/%d/accountStatements:generate", c.customer.ID), c.finance,
			map[string]any{"from": from, "to": to})
	}
	r := gen()
	if r.Status != 200 {
		t.Fatalf("generate: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &a)
	// 100.00 + 399.00 + 199.50 − 39.90 − 200.00
	if a.Opening != 10000 || a.Deliveries != 59850 || a.Returns != 3990 || a.Received != 20000 || a.Invoiced != 39900 ||
		a.Closing != 45860 || a.LineCount != 5 || a.OutletCount != 2 || a.Status != "DRAFT" {
		t.Fatalf("statement %+v", a)
	}
	var got accountJSON
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/accountStatements/%d", a.ID), c.finance, nil).Decode(t, &got)
	var kinds []string
	for _, l := range got.Lines {
		kinds = append(kinds, fmt.Sprintf("%s %s %s %d", l.Kind, l.OutletCode, l.DocumentNumber, l.Amount))
	}
	want := []string{"delivery YH-DC01 " + d2 + " 19950", "delivery YH-S001 " + d1 + " 39900"}
	if len(kinds) != 5 || kinds[0] != want[0] || kinds[1] != want[1] || !strings.HasPrefix(kinds[2], "return YH-S001 CR-") ||
		!strings.HasSuffix(kinds[2], " -3990") || !strings.HasSuffix(kinds[3], " -20000") || !strings.HasPrefix(kinds[3], "payment") ||
		!strings.HasPrefix(kinds[4], "invoice") || !strings.HasSuffix(kinds[4], " 39900") {
		t.Fatalf("lines %q", kinds)
	}
	// a draft is rebuilt in place; a sent statement is frozen
	var again accountJSON
	gen().Decode(t, &again)
	if again.ID != a.ID || again.Number != a.Number {
		t.Fatalf("regenerated draft %d %s, want %d %s", again.ID, again.Number, a.ID, a.Number)
	}
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/accountStatements/%d:send", a.ID), c.finance, map[string]any{})
	if r := gen(); r.Status < 400 || !strings.Contains(string(r.Body), "STATEMENT_SENT") {
		t.Fatalf("regenerating a sent statement: %d %s", r.Status, r.Body)
	}
	e.MustDo(t, 400, "POST", fmt.Sprintf("/v1/accountStatements/%d:dispute", a.ID), c.finance, map[string]any{})
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/accountStatements/%d:dispute", a.ID), c.finance, map[string]any{"note": "退货单YH-RT-09金额有误"})
	if r := e.Do(t, "POST", fmt.Sprintf("/v1/accountStatements/%d:confirm", a.ID), c.finance, map[string]any{}); r.Status < 400 {
		t.Fatalf("confirmed a disputed statement: %d", r.Status)
	}
	csv := string(e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/accountStatements/%d:export?format=csv", a.ID), c.finance, nil).Body)
	for _, s := range []string{"对账单 " + a.Number, "458.60", "YH-PO-2001", d1, "XC-001", "麻辣香肠", "10.000", "39.90"} {
		if !strings.Contains(csv, s) {
			t.Fatalf("csv lacks %q:\n%s", s, csv)
		}
	}
	x := e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/accountStatements/%d:export?format=xlsx", a.ID), c.finance, nil).Body
	f, err := excelize.OpenReader(strings.NewReader(string(x)))
	must(t, err)
	rows, err := f.GetRows("Sheet1")
	must(t, err)
	if len(rows) != 1+3+5 || rows[2][11] != "458.6" {
		t.Fatalf("xlsx rows %d: %q", len(rows), rows[2])
	}
	e.MustDo(t, 403, "GET", fmt.Sprintf("/v1/accountStatements/%d", a.ID), c.picker, nil)

	// the settlement-day job: a customer settling weekly on yesterday's weekday
	yesterday := c.today.AddDate(0, 0, -1)
	ctx := reqctx.WithCall(t.Context(), &reqctx.Call{RequestID: "setup-w", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	weekly, err := e.App.Catalog.CreateCustomer(ctx, catalog.Customer{Code: "WK", Name: "周结超市", Kind: "retailer",
		Settlement: catalog.SettlementTerms{Cycle: "weekly", ClosingDay: int32(yesterday.Weekday()+6)%7 + 1, DueDays: 30}})
	must(t, err)
	for range 2 { // a second run finds the draft
		must(t, e.App.Reconcile.GenerateDueStatements(t.Context()))
	}
	var list struct {
		Statements []accountJSON `json:"statements"`
	}
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/customers/%d/accountStatements", weekly.ID), c.finance, nil).Decode(t, &list)
	var period struct{ From, To time.Time }
	must(t, e.App.DB.Raw(`SELECT period_from AS "from", period_to AS "to" FROM account_statements WHERE party_type = 'customer' AND party_id = ?`, weekly.ID).Scan(&period).Error)
	if len(list.Statements) != 1 || !period.To.Equal(yesterday) || !period.From.Equal(yesterday.AddDate(0, 0, -6)) {
		t.Fatalf("job made %d statements, period %v–%v", len(list.Statements), period.From, period.To)
	}
}
