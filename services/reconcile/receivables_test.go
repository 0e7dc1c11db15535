package reconcile_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

type invoiceJSON struct {
	ID       int64  `json:"id"`
	Number   string `json:"number"`
	Outlet   int64  `json:"outlet"`
	Red      bool   `json:"red"`
	Original int64  `json:"original"`
	TaxRate  int32  `json:"taxRate"`
	DueDate  string `json:"dueDate"`
	Net      int64  `json:"net"`
	Tax      int64  `json:"tax"`
	Gross    int64  `json:"gross"`
	Settled  int64  `json:"settled"`
	Open     int64  `json:"open"`
	Lines    []struct {
		TradeLine int64 `json:"tradeLine"`
		Quantity  int64 `json:"quantity"`
		Net       int64 `json:"net"`
		Tax       int64 `json:"tax"`
		Gross     int64 `json:"gross"`
	} `json:"lines"`
}

type paymentJSON struct {
	ID          int64 `json:"id"`
	Amount      int64 `json:"amount"`
	Discount    int64 `json:"discount"`
	Allocated   int64 `json:"allocated"`
	Unallocated int64 `json:"unallocated"`
}

// exact checks net + tax = gross on every line and on the invoice, and the amounts.
func (i invoiceJSON) exact(t *testing.T, net, tax, gross int64) {
	t.Helper()
	var n, x, g int64
	for _, l := range i.Lines {
		if l.Net+l.Tax != l.Gross {
			t.Fatalf("%s line %+v: net + tax != gross", i.Number, l)
		}
		n, x, g = n+l.Net, x+l.Tax, g+l.Gross
	}
	if i.Net != n || i.Tax != x || i.Gross != g || i.Net+i.Tax != i.Gross {
		t.Fatalf("%s: totals %d/%d/%d, lines %d/%d/%d", i.Number, i.Net, i.Tax, i.Gross, n, x, g)
	}
	if i.Net != net || i.Tax != tax || i.Gross != gross {
		t.Fatalf("%s: net %d tax %d gross %d, want %d %d %d", i.Number, i.Net, i.Tax, i.Gross, net, tax, gross)
	}
}

var sourceSeq = map[*apptest.Env]int64{}

// tradeLine writes one of our trade lines as a posted delivery (or a recorded return)
// leaves it; trade lines from scanned deliveries are TestSupermarketMonth's subject.
func tradeLine(t *testing.T, e *apptest.Env, kind string, customer, outlet int64, item catalog.Item, units, price int64, day string) int64 {
	t.Helper()
	sourceSeq[e]++
	amount := units * price // whole units: exact
	must(t, e.App.DB.Exec(`INSERT INTO trade_lines (party_type, party_id, kind, source_id, line_no, doc_no, outlet_id, doc_date,
		item_id, quantity, unit_price, amount, vat_rate_bp, created_at) VALUES ('customer',?,?,?,1,?,?,?,?,?,?,?,?,NOW(6))`,
		customer, kind, 900000+sourceSeq[e], fmt.Sprintf("DO-%d", sourceSeq[e]), outlet, day, item.ID, units*1000, price, amount,
		item.VATRateBp).Error)
	var id int64
	must(t, e.App.DB.Raw(`SELECT LAST_INSERT_ID()`).Scan(&id).Error)
	return id
}

func refused(t *testing.T, r apptest.Response, reason, field string) {
	t.Helper()
	if r.Status != 400 || !strings.Contains(string(r.Body), reason) || !strings.Contains(string(r.Body), field) {
		t.Fatalf("want 400 %s naming %s, got %d %s", reason, field, r.Status, r.Body)
	}
}

// finance checks that every document of the types was booked into exactly one voucher.
func bookedOnce(t *testing.T, e *apptest.Env, want map[string]int) {
	t.Helper()
	waitUntil(t, "documents booked", func() bool {
		for typ, n := range want {
			var done int64
			must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM finance_documents WHERE source_type = ? AND state = 'done'`, typ).Scan(&done).Error)
			if done != int64(n) {
				var reasons []string
				must(t, e.App.DB.Raw(`SELECT reason FROM finance_documents WHERE source_type = ? AND state = 'exception'`, typ).Scan(&reasons).Error)
				if len(reasons) > 0 {
					t.Fatalf("%s in exception: %v", typ, reasons)
				}
				return false
			}
		}
		return true
	})
	for typ, n := range want {
		var vouchers, docs int64
		must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM voucher_sources WHERE source_type = ?`, typ).Scan(&vouchers).Error)
		must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM finance_documents WHERE source_type = ?`, typ).Scan(&docs).Error)
		if vouchers != int64(n) || docs != int64(n) {
			t.Fatalf("%s: %d documents, %d vouchers, want %d each", typ, docs, vouchers, n)
		}
	}
}

// voucherLines answers a document's voucher as "account debit/credit" strings.
func voucherLines(t *testing.T, e *apptest.Env, typ string, id int64) []string {
	t.Helper()
	var rows []struct {
		AccountCode   string
		Debit, Credit int64
	}
	must(t, e.App.DB.Raw(`SELECT l.account_code, l.debit, l.credit FROM voucher_sources s JOIN voucher_lines l ON l.voucher_id = s.voucher_id
		WHERE s.source_type = ? AND s.source_id = ? ORDER BY l.line_no`, typ, id).Scan(&rows).Error)
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s %d/%d", r.AccountCode, r.Debit, r.Credit))
	}
	return out
}

// TestSalesInvoicesAndReceipts invoices deliveries at 13 % and 9 % to two outlets (one
// line in two steps), refuses over-invoicing, issues a red invoice for a return and a
// price correction, takes one receipt over two invoices in part with a cash discount,
// keeps the rest as prepayment and allocates it later, refuses over-allocation, and
// checks that finance books every invoice and receipt exactly once, to the fen.
func TestSalesInvoicesAndReceipts(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	e := c.e
	ctx := reqctx.WithCall(t.Context(), &reqctx.Call{RequestID: "setup-r", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	rice, err := e.App.Catalog.CreateItem(ctx, catalog.Item{SKU: "DM-009", Name: "大米", Unit: "bag", Active: true, VATRateBp: 900})
	must(t, err)
	e.MustDo(t, 200, "POST", "/v1/books:initialize", c.finance, map[string]any{"startPeriod": c.today.Format("2006-01")})
	day := c.today.Format(time.DateOnly)
	cust := c.customer.ID
	l1 := tradeLine(t, e, "delivery", cust, c.s1.ID, c.sausage, 3, 3990, day) // 119.70 at 13 %
	l2 := tradeLine(t, e, "delivery", cust, c.s1.ID, rice, 2, 1099, day)      // 21.98 at 9 %
	l3 := tradeLine(t, e, "delivery", cust, c.s2.ID, c.sausage, 7, 3990, day) // 279.30 at 13 %

	var issued struct {
		Invoices []invoiceJSON `json:"invoices"`
	}
	e.MustDo(t, 200, "POST", "/v1/salesInvoices", c.finance, map[string]any{"customer": cust, "kind": "SPECIAL", "date": day,
		"lines": []map[string]any{{"tradeLine": l1}, {"tradeLine": l2}, {"tradeLine": l3, "quantity": 2000}}}).Decode(t, &issued)
	if len(issued.Invoices) != 3 {
		t.Fatalf("%d invoices, want one per outlet and rate", len(issued.Invoices))
	}
	inv1, inv2, inv3 := issued.Invoices[0], issued.Invoices[1], issued.Invoices[2]
	if inv1.Outlet != c.s1.ID || inv1.TaxRate != 1300 || inv2.Outlet != c.s1.ID || inv2.TaxRate != 900 || inv3.Outlet != c.s2.ID {
		t.Fatalf("grouping %+v", issued.Invoices)
	}
	inv1.exact(t, 10593, 1377, 11970)
	inv2.exact(t, 2017, 181, 2198)
	inv3.exact(t, 7062, 918, 7980) // 2 of 7 bags: 279.30 × 2/7
	if inv1.DueDate != day || inv1.Open != 11970 {
		t.Fatalf("no terms: due on the invoice date, all open: %+v", inv1)
	}

	// over-invoicing: 6 bags of the 5 left, and a line already invoiced in full
	refused(t, e.Do(t, "POST", "/v1/salesInvoices", c.finance, map[string]any{"customer": cust, "kind": "SPECIAL",
		"lines": []map[string]any{{"tradeLine": l3, "quantity": 6000}}}), "OVER_INVOICED", "lines[0].quantity")
	refused(t, e.Do(t, "POST", "/v1/salesInvoices", c.finance, map[string]any{"customer": cust, "kind": "ORDINARY",
		"lines": []map[string]any{{"tradeLine": l3}, {"tradeLine": l1}}}), "OVER_INVOICED", "lines[1].quantity")
	bad := e.Do(t, "POST", "/v1/salesInvoices", c.finance, map[string]any{"customer": cust, "kind": "RED", "lines": []map[string]any{}})
	if bad.Status != 400 || !strings.Contains(string(bad.Body), "kind") || !strings.Contains(string(bad.Body), "lines") {
		t.Fatalf("bad invoice: %d %s", bad.Status, bad.Body)
	}
	// the rest of l3: the two parts add up to the line's amount exactly
	e.MustDo(t, 200, "POST", "/v1/salesInvoices", c.finance, map[string]any{"customer": cust, "kind": "SPECIAL", "date": day,
		"lines": []map[string]any{{"tradeLine": l3}}}).Decode(t, &issued)
	inv4 := issued.Invoices[0]
	inv4.exact(t, 17655, 2295, 19950)
	if inv3.Gross+inv4.Gross != 27930 {
		t.Fatalf("parts of l3: %d + %d", inv3.Gross, inv4.Gross)
	}
	var stored int64
	must(t, e.App.DB.Raw(`SELECT invoiced_qty FROM trade_lines WHERE id = ?`, l3).Scan(&stored).Error)
	if stored != 7000 {
		t.Fatalf("l3 invoiced %d", stored)
	}

	// red invoice: a returned bag and 5.00 off the price
	r1 := tradeLine(t, e, "return", cust, c.s1.ID, c.sausage, 1, 3990, day)
	var red invoiceJSON
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/salesInvoices/%d:red", inv1.ID), c.finance, map[string]any{"reason": "退货及调价",
		"returns": []map[string]any{{"tradeLine": r1}}, "corrections": []map[string]any{{"item": c.sausage.ID, "amount": 500}}}).Decode(t, &red)
	red.exact(t, -3531-442, -459-58, -4490)
	if !red.Red || red.Original != inv1.ID || red.Open != 0 {
		t.Fatalf("red %+v", red)
	}
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/salesInvoices/%d", inv1.ID), c.finance, nil).Decode(t, &inv1)
	if inv1.Open != 11970-4490 {
		t.Fatalf("inv1 after red: open %d", inv1.Open)
	}
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/salesInvoices/%d:red", inv2.ID), c.finance, map[string]any{"reason": "x",
		"corrections": []map[string]any{{"item": rice.ID, "amount": 2199}}}), "RED_EXCEEDS_INVOICE", "returns")
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/salesInvoices/%d:red", inv2.ID), c.finance, map[string]any{"reason": "x",
		"returns": []map[string]any{{"tradeLine": r1}}}), "TAX_RATE_DIFFERS", "returns[0].tradeLine")

	// one receipt over two invoices in part, with a cash discount; 20.00 prepaid
	var rc paymentJSON
	e.MustDo(t, 200, "POST", "/v1/customerReceipts", c.finance, map[string]any{"party": cust, "date": day, "method": "bank",
		"amount": 10000, "allocations": []map[string]any{{"invoice": inv1.ID, "amount": 7000, "discount": 480},
			{"invoice": inv2.ID, "amount": 1000}}}, "Idempotency-Key: rc-1").Decode(t, &rc)
	if rc.Allocated != 8000 || rc.Discount != 480 || rc.Unallocated != 2000 {
		t.Fatalf("receipt %+v", rc)
	}
	var again paymentJSON
	e.MustDo(t, 200, "POST", "/v1/customerReceipts", c.finance, map[string]any{"party": cust, "date": day, "method": "bank",
		"amount": 10000, "allocations": []map[string]any{{"invoice": inv1.ID, "amount": 7000, "discount": 480},
			{"invoice": inv2.ID, "amount": 1000}}}, "Idempotency-Key: rc-1").Decode(t, &again)
	if again.ID != rc.ID {
		t.Fatalf("retry made receipt %d, first %d", again.ID, rc.ID)
	}
	open := func(id int64) int64 {
		var inv invoiceJSON
		e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/salesInvoices/%d", id), c.finance, nil).Decode(t, &inv)
		return inv.Open
	}
	if open(inv1.ID) != 0 || open(inv2.ID) != 1198 {
		t.Fatalf("open after receipt: %d %d", open(inv1.ID), open(inv2.ID))
	}
	// over-allocation: more than the invoice has open, more than the receipt brings, more
	// than its prepayment
	refused(t, e.Do(t, "POST", "/v1/customerReceipts", c.finance, map[string]any{"party": cust, "method": "bank", "amount": 5000,
		"allocations": []map[string]any{{"invoice": inv2.ID, "amount": 1199}}}), "OVER_ALLOCATED", "allocations[0].amount")
	bad = e.Do(t, "POST", "/v1/customerReceipts", c.finance, map[string]any{"party": cust, "method": "bank", "amount": 100,
		"allocations": []map[string]any{{"invoice": inv2.ID, "amount": 101}}})
	if bad.Status != 400 || !strings.Contains(string(bad.Body), "allocations") {
		t.Fatalf("allocating more than the amount: %d %s", bad.Status, bad.Body)
	}
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/customerReceipts/%d:allocate", rc.ID), c.finance, map[string]any{
		"allocations": []map[string]any{{"invoice": inv2.ID, "amount": 1198}}}).Decode(t, &rc)
	if rc.Unallocated != 802 || open(inv2.ID) != 0 {
		t.Fatalf("after later allocation: %+v", rc)
	}
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/customerReceipts/%d:allocate", rc.ID), c.finance, map[string]any{
		"allocations": []map[string]any{{"invoice": inv3.ID, "amount": 803}}}), "OVER_ALLOCATED", "allocations")
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/customerReceipts/%d:allocate", rc.ID), c.finance, map[string]any{
		"allocations": []map[string]any{{"invoice": inv3.ID, "amount": 802}}}).Decode(t, &rc)
	if rc.Unallocated != 0 || rc.Allocated != 10000 || open(inv3.ID) != 7980-802 {
		t.Fatalf("after allocating the rest: %+v, inv3 open %d", rc, open(inv3.ID))
	}
	// the unused failures changed nothing
	var settlements int64
	must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM invoice_settlements`).Scan(&settlements).Error)
	if settlements != 6 { // red ×2, receipt ×2, allocations ×2
		t.Fatalf("%d settlement rows", settlements)
	}

	// finance: five invoices (one red) and one receipt, each booked once
	bookedOnce(t, e, map[string]int{"sales_invoice": 5, "customer_receipt": 1})
	if got, want := strings.Join(voucherLines(t, e, "sales_invoice", inv1.ID), ", "), "1122 11970/0, 5001 0/10593, 22210107 0/1377"; got != want {
		t.Fatalf("inv1 voucher %s, want %s", got, want)
	}
	if got, want := strings.Join(voucherLines(t, e, "sales_invoice", red.ID), ", "), "1122 -4490/0, 5001 0/-3973, 22210107 0/-517"; got != want {
		t.Fatalf("red voucher %s, want %s", got, want)
	}
	if got, want := strings.Join(voucherLines(t, e, "customer_receipt", rc.ID), ", "), "1002 10000/0, 5603 480/0, 1122 0/10480"; got != want {
		t.Fatalf("receipt voucher %s, want %s", got, want)
	}
}

// TestAging ages a customer on monthly terms (closing on the 25th, due 30 days later)
// as of 2026-06-30: one invoice in each bucket across two outlets, a receipt dated after
// the date that does not count yet, and an unallocated receipt before it.
func TestAging(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	e := c.e
	ctx := reqctx.WithCall(t.Context(), &reqctx.Call{RequestID: "setup-a", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cust, err := e.App.Catalog.CreateCustomer(ctx, catalog.Customer{Code: "HR", Name: "华润万家", Kind: "retailer",
		Settlement: catalog.SettlementTerms{Cycle: "monthly", ClosingDay: 25, DueDays: 30}})
	must(t, err)
	o1, err := e.App.Catalog.CreateOutlet(ctx, catalog.Outlet{Customer: cust.ID, Code: "HR-01", Name: "华润一店"})
	must(t, err)
	o2, err := e.App.Catalog.CreateOutlet(ctx, catalog.Outlet{Customer: cust.ID, Code: "HR-02", Name: "华润二店"})
	must(t, err)
	invoice := func(outlet int64, units int64, day string) invoiceJSON {
		t.Helper()
		l := tradeLine(t, e, "delivery", cust.ID, outlet, c.sausage, units, 1000, day)
		var out struct {
			Invoices []invoiceJSON `json:"invoices"`
		}
		e.MustDo(t, 200, "POST", "/v1/salesInvoices", c.finance, map[string]any{"customer": cust.ID, "kind": "ORDINARY", "date": day,
			"lines": []map[string]any{{"tradeLine": l}}}).Decode(t, &out)
		return out.Invoices[0]
	}
	a := invoice(o1.ID, 1, "2026-06-10") // closes 06-25, due 07-25: not due
	b := invoice(o1.ID, 2, "2026-04-20") // closes 04-25, due 05-25: 36 days
	invoice(o2.ID, 4, "2026-04-26")      // closes 05-25, due 06-24: 6 days
	invoice(o2.ID, 8, "2026-02-10")      // closes 02-25, due 03-27: 95 days
	invoice(o2.ID, 16, "2026-03-10")     // closes 03-25, due 04-24: 67 days
	if a.DueDate != "2026-07-25" || b.DueDate != "2026-05-25" {
		t.Fatalf("due dates %s %s", a.DueDate, b.DueDate)
	}
	e.MustDo(t, 200, "POST", "/v1/customerReceipts", c.finance, map[string]any{"party": cust.ID, "date": "2026-07-02",
		"method": "bank", "amount": 1500, "allocations": []map[string]any{{"invoice": b.ID, "amount": 1500}}})
	e.MustDo(t, 200, "POST", "/v1/customerReceipts", c.finance, map[string]any{"party": cust.ID, "date": "2026-06-01",
		"method": "cash", "amount": 123})
	type buckets struct {
		NotDue, UpTo30, From31To60, From61To90, Over90, Total, Overdue int64
	}
	var aging struct {
		AsOf string `json:"asOf"`
		Rows []struct {
			Customer    int64   `json:"customer"`
			Outlet      int64   `json:"outlet"`
			Buckets     buckets `json:"buckets"`
			Unallocated int64   `json:"unallocated"`
		} `json:"rows"`
		Total buckets `json:"total"`
	}
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/aging?asOf=2026-06-30&customer=%d", cust.ID), c.finance, nil).Decode(t, &aging)
	want := []struct {
		outlet      int64
		b           buckets
		unallocated int64
	}{
		{0, buckets{1000, 4000, 2000, 16000, 8000, 31000, 30000}, 123},
		{o1.ID, buckets{NotDue: 1000, From31To60: 2000, Total: 3000, Overdue: 2000}, 0},
		{o2.ID, buckets{UpTo30: 4000, From61To90: 16000, Over90: 8000, Total: 28000, Overdue: 28000}, 0},
	}
	if len(aging.Rows) != len(want) || aging.AsOf != "2026-06-30" {
		t.Fatalf("aging %+v", aging)
	}
	for i, w := range want {
		r := aging.Rows[i]
		if r.Customer != cust.ID || r.Outlet != w.outlet || r.Buckets != w.b || r.Unallocated != w.unallocated {
			t.Fatalf("row %d: %+v, want %+v", i, r, w)
		}
	}
	if aging.Total != want[0].b {
		t.Fatalf("total %+v", aging.Total)
	}
	// on 07-03 the receipt of 07-02 counts: 15.00 off the 31-60 bucket
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/aging?asOf=2026-07-03&customer=%d", cust.ID), c.finance, nil).Decode(t, &aging)
	if aging.Rows[1].Buckets.From31To60 != 500 {
		t.Fatalf("after the receipt: %+v", aging.Rows[1])
	}
	bad := e.Do(t, "GET", "/v1/aging?asOf=30.06.2026", c.finance, nil)
	if bad.Status != 400 || !strings.Contains(string(bad.Body), "asOf") {
		t.Fatalf("bad date: %d %s", bad.Status, bad.Body)
	}
}

// TestPurchaseInvoiceMatch receives a purchase order by scanning, then enters the
// supplier's invoices: one within the price tolerance is MATCHED and booked (reversing
// the receipt's estimate), one with a price difference is HELD naming it and booked only
// when released; a duplicate is refused; a payment settles the matched one. Each booked
// invoice and the payment have exactly one voucher.
func TestPurchaseInvoiceMatch(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	e := c.e
	e.MustDo(t, 200, "POST", "/v1/books:initialize", c.finance, map[string]any{"startPeriod": c.today.Format("2006-01")})
	supplier := mustSupplier(t, c)
	e.MustDo(t, 200, "PUT", fmt.Sprintf("/v1/suppliers/%d/reconcileSettings", supplier), c.finance, map[string]any{
		"priceTolerance": 5})
	var po struct {
		ID int64 `json:"id"`
	}
	e.MustDo(t, 200, "POST", "/v1/purchaseOrders", c.picker, map[string]any{"supplier": supplier, "warehouse": c.warehouse.ID,
		"lines": []map[string]any{{"item": c.sausage.ID, "quantity": 100000, "unitPrice": 2000},
			{"item": c.bacon.ID, "quantity": 50000, "unitPrice": 3000}}}).Decode(t, &po)
	c.scan(t, "purchaseOrder", po.ID, map[string]int{c.caseA: 10, c.caseB: 5})
	waitUntil(t, "the receipt becomes trade lines", func() bool {
		var n int64
		must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM trade_lines WHERE party_id = ? AND kind = 'receipt'`, supplier).Scan(&n).Error)
		return n == 2
	})
	type pinv struct {
		ID          int64    `json:"id"`
		Status      string   `json:"status"`
		Differences []string `json:"differences"`
		Net         int64    `json:"net"`
		Tax         int64    `json:"tax"`
		Gross       int64    `json:"gross"`
		Estimate    int64    `json:"estimate"`
		Open        int64    `json:"open"`
	}
	var matched, held pinv
	// 60 bags at 20.03: within the 0.05 tolerance of the order's 20.00
	e.MustDo(t, 200, "POST", "/v1/purchaseInvoices", c.finance, map[string]any{"supplier": supplier, "theirNumber": "FP-0001",
		"purchaseOrder": po.ID, "lines": []map[string]any{{"item": c.sausage.ID, "quantity": 60000, "unitPrice": 2003}}}).Decode(t, &matched)
	if matched.Status != "MATCHED" || matched.Net != 120180 || matched.Tax != 15623 || matched.Gross != 135803 ||
		matched.Estimate != 120000 || len(matched.Differences) != 0 {
		t.Fatalf("matched %+v", matched)
	}
	// 50 bags of bacon at 31.00 against 30.00
	e.MustDo(t, 200, "POST", "/v1/purchaseInvoices", c.finance, map[string]any{"supplier": supplier, "theirNumber": "FP-0002",
		"purchaseOrder": po.ID, "lines": []map[string]any{{"item": c.bacon.ID, "quantity": 50000, "unitPrice": 3100}}}).Decode(t, &held)
	if held.Status != "HELD" || held.Gross != 175150 || held.Estimate != 0 || len(held.Differences) != 1 ||
		!strings.Contains(held.Differences[0], "lines[0]: unit price 3100, order 3000") {
		t.Fatalf("held %+v", held)
	}
	// 41 more bags of sausage: only 40 are received and not invoiced
	var over pinv
	e.MustDo(t, 200, "POST", "/v1/purchaseInvoices", c.finance, map[string]any{"supplier": supplier, "theirNumber": "FP-0003",
		"purchaseOrder": po.ID, "lines": []map[string]any{{"item": c.sausage.ID, "quantity": 41000, "unitPrice": 2000}}}).Decode(t, &over)
	if over.Status != "HELD" || len(over.Differences) != 1 || !strings.Contains(over.Differences[0], "received and not invoiced 40000") {
		t.Fatalf("over-quantity %+v", over)
	}
	dup := e.Do(t, "POST", "/v1/purchaseInvoices", c.finance, map[string]any{"supplier": supplier, "theirNumber": "FP-0001",
		"purchaseOrder": po.ID, "lines": []map[string]any{{"item": c.sausage.ID, "quantity": 1000, "unitPrice": 2000}}})
	if dup.Status != 409 || !strings.Contains(string(dup.Body), "theirNumber") {
		t.Fatalf("duplicate: %d %s", dup.Status, dup.Body)
	}
	refused(t, e.Do(t, "POST", "/v1/supplierPayments", c.finance, map[string]any{"party": supplier, "method": "bank", "amount": 100,
		"allocations": []map[string]any{{"invoice": held.ID, "amount": 100}}}), "NOT_ALLOCATABLE", "allocations[0].invoice")
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/purchaseInvoices/%d:release", held.ID), c.finance, map[string]any{}).Decode(t, &held)
	if held.Status != "RELEASED" || held.Estimate != 150000 {
		t.Fatalf("released %+v", held)
	}
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/purchaseInvoices/%d:release", held.ID), c.finance, map[string]any{}), "NOT_HELD", "id")
	var pay paymentJSON
	e.MustDo(t, 200, "POST", "/v1/supplierPayments", c.finance, map[string]any{"party": supplier, "method": "bank", "amount": 135000,
		"allocations": []map[string]any{{"invoice": matched.ID, "amount": 135000, "discount": 803}}}).Decode(t, &pay)
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/purchaseInvoices/%d", matched.ID), c.finance, nil).Decode(t, &matched)
	if pay.Unallocated != 0 || matched.Open != 0 {
		t.Fatalf("payment %+v, invoice open %d", pay, matched.Open)
	}

	bookedOnce(t, e, map[string]int{"purchase_invoice": 2, "supplier_payment": 1})
	if got, want := strings.Join(voucherLines(t, e, "purchase_invoice", matched.ID), ", "),
		"2202 120000/0, 1405 0/120000, 1405 120180/0, 22210101 15623/0, 2202 0/135803"; got != want {
		t.Fatalf("matched voucher %s, want %s", got, want)
	}
	if got, want := strings.Join(voucherLines(t, e, "supplier_payment", pay.ID), ", "), "2202 135803/0, 1002 0/135000, 5603 0/803"; got != want {
		t.Fatalf("payment voucher %s, want %s", got, want)
	}
}

// TestConcurrentInvoicing invoices one bag of a five-bag line from eight callers at once:
// exactly five succeed and the line's amount is invoiced exactly once.
func TestConcurrentInvoicing(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	e := c.e
	line := tradeLine(t, e, "delivery", c.customer.ID, c.s1.ID, c.sausage, 5, 3990, c.today.Format(time.DateOnly))
	codes := make(chan int, 8)
	for range 8 {
		go func() {
			r := e.Do(t, "POST", "/v1/salesInvoices", c.finance, map[string]any{"customer": c.customer.ID, "kind": "SPECIAL",
				"lines": []map[string]any{{"tradeLine": line, "quantity": 1000}}})
			codes <- r.Status
		}()
	}
	ok := 0
	for range 8 {
		if <-codes == 200 {
			ok++
		}
	}
	var sum struct{ Gross, Qty int64 }
	must(t, e.App.DB.Raw(`SELECT SUM(gross) AS gross, SUM(quantity) AS qty FROM sales_invoice_lines WHERE trade_line_id = ?`, line).Scan(&sum).Error)
	if ok != 5 || sum.Gross != 19950 || sum.Qty != 5000 {
		t.Fatalf("%d succeeded, invoiced %+v", ok, sum)
	}
}
