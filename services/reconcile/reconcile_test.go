package reconcile_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// withCheckDigit completes a GTIN with its GS1 mod-10 check digit (GS1 General
// Specifications, 7.9.1).
func withCheckDigit(body string) string {
	sum := 0
	for i := range len(body) {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return body + fmt.Sprint((10-sum%10)%10)
}

// chain is a supermarket chain with a distribution centre and two stores, two items with
// each-unit and ten-unit case barcodes, and stock to deliver.
type chain struct {
	e               *apptest.Env
	admin           string
	finance, picker string
	customer        catalog.Customer
	dc, s1, s2      catalog.Outlet
	sausage, bacon  catalog.Item
	gtinA, gtinB    string
	caseA, caseB    string
	warehouse       catalog.Warehouse
	today           time.Time
}

func newChain(t *testing.T) *chain {
	t.Helper()
	e := apptest.Start(t)
	c := &chain{e: e, admin: e.Admin}
	ctx := reqctx.WithCall(t.Context(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	branch, err := cat.CreateBranch(ctx, catalog.Branch{Code: "CQ", Name: "重庆"})
	must(t, err)
	c.warehouse, err = cat.CreateWarehouse(ctx, catalog.Warehouse{Code: "CQ-01", Name: "重庆成品仓", Branch: branch.ID})
	must(t, err)
	c.customer, err = cat.CreateCustomer(ctx, catalog.Customer{Code: "YH", Name: "永辉超市", Kind: "retailer"})
	must(t, err)
	for _, o := range []struct {
		p          *catalog.Outlet
		code, name string
	}{{&c.dc, "YH-DC01", "永辉重庆配送中心"}, {&c.s1, "YH-S001", "永辉解放碑店"}, {&c.s2, "YH-S002", "永辉观音桥店"}} {
		*o.p, err = cat.CreateOutlet(ctx, catalog.Outlet{Customer: c.customer.ID, Code: o.code, Name: o.name})
		must(t, err)
	}
	c.gtinA, c.caseA = withCheckDigit("692345600020"), withCheckDigit("1692345600020")
	c.gtinB, c.caseB = withCheckDigit("692345600021"), withCheckDigit("1692345600021")
	c.sausage, err = cat.CreateItem(ctx, catalog.Item{SKU: "XC-001", Name: "麻辣香肠", Unit: "bag", Active: true, VATRateBp: 1300,
		Barcodes: []catalog.Barcode{{Code: c.gtinA, Quantity: 1000}, {Code: c.caseA, Quantity: 10000}}})
	must(t, err)
	c.bacon, err = cat.CreateItem(ctx, catalog.Item{SKU: "LR-002", Name: "烟熏腊肉", Unit: "bag", Active: true, VATRateBp: 1300,
		Barcodes: []catalog.Barcode{{Code: c.gtinB, Quantity: 1000}, {Code: c.caseB, Quantity: 10000}}})
	must(t, err)
	c.finance = e.UserToken(t, "accountant", []string{reqctx.RoleFinance})
	c.picker = e.UserToken(t, "picker", []string{reqctx.RoleWarehouse}, branch.ID)
	now := time.Now().In(e.App.Cfg.TimeZone)
	c.today = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return c
}

// scan completes a document by scanning codes (code → times).
func (c *chain) scan(t *testing.T, field string, doc int64, codes map[string]int) {
	t.Helper()
	s := apptest.ID(t, c.e.MustDo(t, 200, "POST", "/v1/scanSessions", c.picker, map[string]any{field: doc}))
	n := 0
	for code, times := range codes {
		for range times {
			n++
			c.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:scan", s), c.picker, map[string]any{"code": code,
				"scanId": fmt.Sprintf("%d-%d", s, n)})
		}
	}
	c.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", s), c.picker, map[string]any{})
}

// deliver ships a delivery order to an outlet and answers its number.
func (c *chain) deliver(t *testing.T, outlet catalog.Outlet, po string, item catalog.Item, units int, price int64, codes map[string]int) string {
	t.Helper()
	var do struct {
		ID     int64  `json:"id"`
		Number string `json:"number"`
	}
	c.e.MustDo(t, 200, "POST", "/v1/deliveryOrders", c.picker, map[string]any{"customer": c.customer.ID, "outlet": outlet.ID,
		"warehouse": c.warehouse.ID, "retailerPoNumber": po, "lines": []map[string]any{{"item": item.ID, "quantity": units * 1000,
			"unitPrice": price}}}).Decode(t, &do)
	c.scan(t, "deliveryOrder", do.ID, codes)
	return do.Number
}

type statementJSON struct {
	ID              int64  `json:"id"`
	Status          string `json:"status"`
	AlreadyImported bool   `json:"alreadyImported"`
	StatementNumber string `json:"statementNumber"`
	Totals          struct {
		Receipts int64  `json:"receipts"`
		Returns  int64  `json:"returns"`
		Fees     int64  `json:"fees"`
		Net      int64  `json:"net"`
		Summary  *int64 `json:"summary"`
		Flag     string `json:"flag"`
	} `json:"totals"`
	OurTotal int64          `json:"ourTotal"`
	Counts   map[string]int `json:"counts"`
	Lines    []struct {
		Row                int      `json:"row"`
		RecordType         string   `json:"recordType"`
		DocumentNumber     string   `json:"documentNumber"`
		Match              string   `json:"match"`
		Item               int64    `json:"item"`
		FeeCategory        string   `json:"feeCategory"`
		NeedsReview        bool     `json:"needsReview"`
		ReviewReasons      []string `json:"reviewReasons"`
		QuantityDifference int64    `json:"quantityDifference"`
		AmountDifference   int64    `json:"amountDifference"`
		Amount             int64    `json:"amount"`
	} `json:"lines"`
	OnlyOurs []struct {
		DocumentNumber string `json:"documentNumber"`
		OutletCode     string `json:"outletCode"`
		Item           int64  `json:"item"`
		Quantity       int64  `json:"quantity"`
		Amount         int64  `json:"amount"`
	} `json:"onlyOurs"`
}

// theirRow is one line of the chain's statement in its own layout.
type theirRow struct {
	kind, doc, po, delivery, outlet, item, gtin, sku string
	ordered, received, price, rate, amount           string
	feeType, feeBasis, remark                        string
}

var header = []string{"类型", "结算单号", "单据号", "单据日期", "订单号", "送货单号", "门店编码", "商品编码", "条码", "供应商货号",
	"订货数量", "实收数量", "含税单价", "税率", "含税金额", "费用类型", "费用依据", "备注"}

func (r theirRow) cells(date string) []string {
	return []string{r.kind, "YH-JS-202611-07", r.doc, date, r.po, r.delivery, r.outlet, r.item, r.gtin, r.sku, r.ordered,
		r.received, r.price, r.rate, r.amount, r.feeType, r.feeBasis, r.remark}
}

func csvFile(rows []theirRow, date string) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff" + strings.Join(header, ",") + "\r\n")
	for _, r := range rows {
		cells := r.cells(date)
		for i, c := range cells {
			if strings.ContainsAny(c, ",\"") {
				cells[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
		}
		b.WriteString(strings.Join(cells, ",") + "\r\n")
	}
	return b.Bytes()
}

// xlsxFile writes the same lines as a spreadsheet would: amounts and quantities as
// numbers, dates as dates.
func xlsxFile(t *testing.T, rows []theirRow, date time.Time) []byte {
	t.Helper()
	f := excelize.NewFile()
	sheet := "结算单"
	must(t, f.SetSheetName("Sheet1", sheet))
	for j, h := range header {
		cell, _ := excelize.CoordinatesToCellName(j+1, 1)
		must(t, f.SetCellValue(sheet, cell, h))
	}
	style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(t, err)
	for i, r := range rows {
		for j, v := range r.cells("") {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			var val any = v
			switch {
			case j == 3:
				val = date
				must(t, f.SetCellStyle(sheet, cell, cell, style))
			case j >= 10 && j <= 14 && v != "" && j != 13:
				var x float64
				_, err := fmt.Sscan(strings.ReplaceAll(v, ",", ""), &x)
				must(t, err)
				val = x
			}
			must(t, f.SetCellValue(sheet, cell, val))
		}
	}
	var b bytes.Buffer
	must(t, f.Write(&b))
	return b.Bytes()
}

// TestSupermarketMonth delivers a month to a chain's distribution centre and stores, with
// a short-received line, a price the chain booked lower, a delivery still in transit, a
// near-expiry and a quality return, and a settlement statement with DM promotion, end-cap
// display, a logistics fee, a listing fee, a sales-linked rebate and a zero shortage line
// already deducted through quantity. The chain's file is imported as CSV and as XLSX
// through profiles; every line's state, classification and flag and the net payable are
// checked to the fen; re-importing changes nothing; a broken amount is refused naming its
// row and column, storing nothing.
func TestSupermarketMonth(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	e := c.e
	// stock: 330 bags of sausage and 106 of bacon, received by scanning cases
	var po struct {
		ID int64 `json:"id"`
	}
	e.MustDo(t, 200, "POST", "/v1/purchaseOrders", c.picker, map[string]any{"supplier": mustSupplier(t, c), "warehouse": c.warehouse.ID,
		"lines": []map[string]any{{"item": c.sausage.ID, "quantity": 330000, "unitPrice": 2000},
			{"item": c.bacon.ID, "quantity": 106000, "unitPrice": 3000}}}).Decode(t, &po)
	c.scan(t, "purchaseOrder", po.ID, map[string]int{c.caseA: 33, c.caseB: 10, c.gtinB: 6})

	// deliveries: sausage 39.90, bacon 58.00 a bag
	d1a := c.deliver(t, c.dc, "YH-PO-1001", c.sausage, 200, 3990, map[string]int{c.caseA: 20})
	d1b := c.deliver(t, c.dc, "YH-PO-1001", c.bacon, 100, 5800, map[string]int{c.caseB: 10})
	c.deliver(t, c.s1, "YH-PO-1002", c.sausage, 50, 3990, map[string]int{c.caseA: 5})
	c.deliver(t, c.s2, "YH-PO-1003", c.bacon, 6, 5800, map[string]int{c.gtinB: 6}) // in transit at month end
	c.deliver(t, c.s1, "YH-PO-1004", c.sausage, 80, 3990, map[string]int{c.caseA: 8})
	waitUntil(t, "five deliveries become trade lines", func() bool {
		var n int64
		must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM trade_lines WHERE party_id = ? AND kind = 'delivery'`, c.customer.ID).Scan(&n).Error)
		return n == 5
	})
	// the returns the stores handed over
	day := c.today.Format(time.DateOnly)
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/customers/%d/returns", c.customer.ID), c.finance, map[string]any{"outlet": c.s1.ID,
		"theirNumber": "YH-RT-01", "date": day, "reason": "临期退货", "lines": []map[string]any{{"item": c.sausage.ID, "quantity": 2000, "unitPrice": 3990}}})
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/customers/%d/returns", c.customer.ID), c.finance, map[string]any{"outlet": c.dc.ID,
		"theirNumber": "YH-RT-02", "date": day, "reason": "质量问题", "lines": []map[string]any{{"item": c.bacon.ID, "quantity": 1000, "unitPrice": 5800}}})
	r := e.Do(t, "POST", fmt.Sprintf("/v1/customers/%d/returns", c.customer.ID), c.finance, map[string]any{"date": day,
		"lines": []map[string]any{{"item": c.bacon.ID, "quantity": 0}}})
	if r.Status != 400 || !strings.Contains(string(r.Body), "lines[0].quantity") {
		t.Fatalf("return of nothing: %d %s", r.Status, r.Body)
	}
	// the chain's own item code for sausage; its contract provides for DM, display and rebates
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/customers/%d/itemCodes", c.customer.ID), c.finance, map[string]any{
		"codes": []map[string]any{{"theirCode": "YH-880001", "item": c.sausage.ID}}})
	e.MustDo(t, 200, "PUT", fmt.Sprintf("/v1/customers/%d/reconcileSettings", c.customer.ID), c.finance, map[string]any{
		"contractFees": []string{"PROMOTION", "DISPLAY", "REBATE"}, "dateWindowDays": 10, "writeOffLimit": 10000, "feesInvoiced": true})

	rows := []theirRow{
		{kind: "收货", doc: "YH-GR-01", po: "YH-PO-1001", delivery: d1a, outlet: "YH-DC01", sku: "XC-001", ordered: "200", received: "200", price: "39.90", rate: "13%", amount: "7,980.00"},
		{kind: "收货", doc: "YH-GR-01", po: "YH-PO-1001", delivery: d1b, outlet: "YH-DC01", sku: "LR-002", ordered: "100", received: "99", price: "58.00", rate: "13%", amount: "5,742.00", remark: "短收1"},
		{kind: "收货", doc: "YH-GR-02", po: "YH-PO-1002", outlet: "YH-S001", item: "YH-880001", ordered: "50", received: "50", price: "39.90", rate: "13%", amount: "1,995.00"},
		{kind: "收货", doc: "YH-GR-03", po: "YH-PO-1004", outlet: "YH-S001", gtin: c.gtinA, ordered: "80", received: "80", price: "38.00", rate: "13%", amount: "3,040.00"},
		{kind: "收货", doc: "YH-GR-09", po: "YH-PO-1999", outlet: "YH-S002", sku: "XC-001", ordered: "30", received: "30", price: "39.90", rate: "13%", amount: "1,197.00"},
		{kind: "退货", doc: "YH-RT-01", outlet: "YH-S001", sku: "XC-001", received: "-2", price: "39.90", rate: "13%", amount: "-79.80", remark: "临期"},
		{kind: "退货", doc: "YH-RT-02", outlet: "YH-DC01", gtin: c.gtinB, received: "-1", price: "58.00", rate: "13%", amount: "-58.00", remark: "质量问题"},
		{kind: "费用", doc: "YH-FY-01", feeType: "DM海报费", feeBasis: "11月DM档期", amount: "-500.00"},
		{kind: "费用", doc: "YH-FY-02", outlet: "YH-S001", feeType: "端架陈列费", feeBasis: "端架2个月", amount: "-800.00"},
		{kind: "费用", doc: "YH-FY-03", feeType: "物流配送费", amount: "-300.00"},
		{kind: "费用", doc: "YH-FY-04", feeType: "新品进场费", amount: "-1,000.00"},
		{kind: "费用", doc: "YH-FY-05", feeType: "销售返利", feeBasis: "销售额2%", amount: "-399.08"},
		{kind: "费用", doc: "YH-GR-01", sku: "LR-002", feeType: "短少扣款", amount: "0.00", remark: "短收1袋"},
		{kind: "合计", amount: "16,817.12"},
	}
	profile := func(name, format string) int64 {
		cols := map[string]string{}
		for i, f := range []string{"recordType", "statementNumber", "documentNumber", "documentDate", "poNumber", "deliveryNumber",
			"outletCode", "itemCode", "gtin", "supplierItemCode", "orderedQuantity", "receivedQuantity", "unitPrice", "taxRate",
			"amount", "feeType", "feeBasis", "remark"} {
			cols[f] = header[i]
		}
		return apptest.ID(t, e.MustDo(t, 200, "POST", "/v1/importProfiles", c.finance, map[string]any{"name": name, "format": format,
			"columns": cols, "dateFormat": "YYYY/MM/DD",
			"recordTypes": map[string]string{"收货": "RECEIPT", "退货": "RETURN", "调价": "PRICE_ADJUSTMENT", "费用": "FEE", "合计": "SUMMARY"}}))
	}
	csvProfile, xlsxProfile := profile("永辉结算单 CSV", "csv"), profile("永辉结算单 XLSX", "xlsx")
	bad := e.Do(t, "POST", "/v1/importProfiles", c.finance, map[string]any{"name": "x", "format": "pdf", "columns": map[string]string{"price": "单价"}})
	if bad.Status != 400 || !strings.Contains(string(bad.Body), "columns.price") || !strings.Contains(string(bad.Body), "format") {
		t.Fatalf("bad profile: %d %s", bad.Status, bad.Body)
	}
	from, to := c.today.AddDate(0, 0, -3).Format(time.DateOnly), c.today.AddDate(0, 0, 3).Format(time.DateOnly)
	importFile := func(profile int64, name string, content []byte) statementJSON {
		var st statementJSON
		e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/customers/%d/statements:import", c.customer.ID), c.finance, map[string]any{
			"profile": profile, "fileName": name, "content": base64.StdEncoding.EncodeToString(content), "from": from, "to": to}).Decode(t, &st)
		return st
	}
	check := func(id int64) {
		t.Helper()
		var st statementJSON
		e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/statements/%d", id), c.finance, nil).Decode(t, &st)
		if st.Status != "IMPORTED" || st.StatementNumber != "YH-JS-202611-07" {
			t.Fatalf("statement %+v", st)
		}
		if tt := st.Totals; tt.Receipts != 1995400 || tt.Returns != 13780 || tt.Fees != 299908 || tt.Net != 1681712 ||
			tt.Summary == nil || *tt.Summary != 1681712 || tt.Flag != "" {
			t.Fatalf("totals %+v", tt)
		}
		// ours: 7980 + 5800 + 1995 + 348 (in transit) + 3192 − 79.80 − 58.00
		if st.OurTotal != 1917720 {
			t.Fatalf("our total %d, want 1917720", st.OurTotal)
		}
		type want struct {
			match, fee string
			review     string
			qty, amt   int64
		}
		exp := []want{
			{match: "MATCHED"},
			{match: "QUANTITY_DIFFERENCE", review: "QUANTITY_DIFFERENCE", qty: -1000, amt: -5800},
			{match: "MATCHED"},
			{match: "PRICE_DIFFERENCE", review: "PRICE_DIFFERENCE", amt: -15200},
			{match: "ONLY_THEIRS", review: "NOT_IN_OUR_BOOKS", amt: 0},
			{match: "MATCHED"},
			{match: "MATCHED"},
			{fee: "PROMOTION"},
			{fee: "DISPLAY"},
			{fee: "LOGISTICS", review: "NOT_ALLOWED_WITHOUT_CONTRACT"},
			{fee: "LISTING", review: "NO_CONTRACT_BASIS"},
			{fee: "REBATE"},
			{fee: "SHORTAGE", review: "SHORTAGE_ALREADY_DEDUCTED"},
			{},
		}
		if len(st.Lines) != len(exp) {
			t.Fatalf("%d lines, want %d", len(st.Lines), len(exp))
		}
		for i, w := range exp {
			l := st.Lines[i]
			if l.Row != i+2 || l.Match != w.match || l.FeeCategory != w.fee || l.NeedsReview != (w.review != "") ||
				strings.Join(l.ReviewReasons, ",") != w.review || l.QuantityDifference != w.qty || l.AmountDifference != w.amt {
				t.Errorf("row %d: %+v, want %+v", l.Row, l, w)
			}
		}
		if st.Counts["MATCHED"] != 4 || st.Counts["ONLY_OURS"] != 1 || st.Counts["FEE"] != 6 {
			t.Errorf("counts %v", st.Counts)
		}
		if len(st.OnlyOurs) != 1 || st.OnlyOurs[0].OutletCode != "YH-S002" || st.OnlyOurs[0].Item != c.bacon.ID ||
			st.OnlyOurs[0].Quantity != 6000 || st.OnlyOurs[0].Amount != 34800 {
			t.Errorf("only ours %+v", st.OnlyOurs)
		}
	}
	csvContent := csvFile(rows, c.today.Format("2006/01/02"))
	first := importFile(csvProfile, "永辉结算单202611.csv", csvContent)
	if first.AlreadyImported || first.Counts["MATCHED"] != 4 {
		t.Fatalf("import %+v", first)
	}
	check(first.ID)
	count := func() (n int64) {
		must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM counterpart_lines`).Scan(&n).Error)
		return n
	}
	lines := count()
	again := importFile(csvProfile, "again.csv", csvContent)
	if again.ID != first.ID || !again.AlreadyImported || count() != lines {
		t.Fatalf("re-import made %d (already %v), %d lines, want %d and %d", again.ID, again.AlreadyImported, count(), first.ID, lines)
	}
	// the same statement as a spreadsheet
	xl := importFile(xlsxProfile, "永辉结算单202611.xlsx", xlsxFile(t, rows, c.today))
	if xl.ID == first.ID {
		t.Fatal("the spreadsheet was taken for the CSV")
	}
	check(xl.ID)

	// a broken amount refuses the whole file, naming row and column
	broken := append([]theirRow{}, rows...)
	broken[3].amount = "3,04O.00"
	r = e.Do(t, "POST", fmt.Sprintf("/v1/customers/%d/statements:import", c.customer.ID), c.finance, map[string]any{
		"profile": csvProfile, "fileName": "broken.csv", "content": base64.StdEncoding.EncodeToString(csvFile(broken, "2026/11/03"))})
	if r.Status != 400 || !strings.Contains(string(r.Body), `row 5, column \"含税金额\"`) {
		t.Fatalf("broken amount: %d %s", r.Status, r.Body)
	}
	if count() != 2*lines {
		t.Fatalf("a refused file stored lines: %d", count())
	}
	// a summary that does not add up is flagged
	off := append([]theirRow{}, rows...)
	off[len(off)-1].amount = "16,900.00"
	st := importFile(csvProfile, "off.csv", csvFile(off, c.today.Format("2006/01/02")))
	if !strings.Contains(st.Totals.Flag, "16900.00") || !strings.Contains(st.Totals.Flag, "82.88") {
		t.Fatalf("summary flag %q", st.Totals.Flag)
	}
	// warehouse staff see none of it
	e.MustDo(t, 403, "GET", fmt.Sprintf("/v1/statements/%d", first.ID), c.picker, nil)

	confirmStatement(t, c, first.ID)
}

// confirmStatement decides the statement's differences and flagged fees, confirms it and
// checks what is booked: fees with their 6 % input VAT, the rebate and the accepted
// short receipt as revenue reductions, against the receivable; the disputed lines are
// claimed back in the net due.
func confirmStatement(t *testing.T, c *chain, id int64) {
	e := c.e
	e.MustDo(t, 200, "POST", "/v1/books:initialize", c.finance, map[string]any{"startPeriod": c.today.Format("2006-01")})
	resolve := func(row int, action, note string) apptest.Response {
		return e.Do(t, "POST", fmt.Sprintf("/v1/statements/%d/lines/%d:resolve", id, row), c.finance, map[string]any{"action": action, "note": note})
	}
	refused := func(r apptest.Response, reason string) {
		t.Helper()
		if r.Status < 400 || !strings.Contains(string(r.Body), reason) {
			t.Fatalf("want %s: %d %s", reason, r.Status, r.Body)
		}
	}
	refused(resolve(2, "ACCEPT", ""), "NOTHING_TO_RESOLVE")       // matched
	refused(resolve(6, "ACCEPT", ""), "NO_OUR_DELIVERY")          // a receipt we never delivered
	refused(resolve(11, "WRITE_OFF", ""), "OVER_WRITE_OFF_LIMIT") // 300.00 over a 100.00 limit
	refused(resolve(5, "DISPUTE", ""), "note")                    // a dispute says why
	refused(e.Do(t, "POST", fmt.Sprintf("/v1/statements/%d:confirm", id), c.finance, map[string]any{}), "decide rows 3, 5, 6, 11, 12, 14")
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d/lines/3:resolve", id), c.finance, map[string]any{"action": "ACCEPT", "note": "短收1袋"})
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d/lines/5:resolve", id), c.finance, map[string]any{"action": "DISPUTE", "note": "合同价39.90"})
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d/lines/6:resolve", id), c.finance, map[string]any{"action": "DISPUTE", "note": "无此送货"})
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d/lines/11:resolve", id), c.finance, map[string]any{"action": "DISPUTE", "note": "合同无物流费"})
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d/lines/12:resolve", id), c.finance, map[string]any{"action": "ACCEPT", "note": "新品进场已谈妥"})
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d/lines/14:resolve", id), c.finance, map[string]any{"action": "WRITE_OFF"})

	var conf struct {
		Statement          statementJSON `json:"statement"`
		FeesNet            int64         `json:"feesNet"`
		FeesVat            int64         `json:"feesVat"`
		Rebates            int64         `json:"rebates"`
		Adjustments        int64         `json:"adjustments"`
		WriteOffs          int64         `json:"writeOffs"`
		ReceivableDecrease int64         `json:"receivableDecrease"`
		Disputed           int           `json:"disputed"`
	}
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d:confirm", id), c.finance, map[string]any{}).Decode(t, &conf)
	// fees 500 + 800 + 1,000 at 6 %: 471.70 + 754.72 + 943.40 net, 28.30 + 45.28 + 56.60 VAT
	if conf.FeesNet != 216982 || conf.FeesVat != 13018 || conf.Rebates != 39908 || conf.Adjustments != 5800 || conf.WriteOffs != 0 ||
		conf.ReceivableDecrease != 275708 || conf.Disputed != 3 || conf.Statement.Status != "DISPUTED" {
		t.Fatalf("confirmation %+v", conf)
	}
	var st struct {
		NetDue *int64 `json:"netDue"`
	}
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/statements/%d?state=MATCHED", id), c.finance, nil).Decode(t, &st)
	// their 16,817.12 + 152.00 (our price) − 1,197.00 (no such delivery) + 300.00 (logistics fee)
	if st.NetDue == nil || *st.NetDue != 1607212 {
		t.Fatalf("net due %v, want 1607212", st.NetDue)
	}
	refused(e.Do(t, "POST", fmt.Sprintf("/v1/statements/%d:confirm", id), c.finance, map[string]any{}), "STATEMENT_CONFIRMED")

	// invoices from the confirmed statement: the matched deliveries (the disputed one stays
	// out), one invoice per outlet and rate, at our figures
	var inv struct {
		Invoices []struct {
			Gross int64 `json:"gross"`
			Net   int64 `json:"net"`
			Tax   int64 `json:"tax"`
		} `json:"invoices"`
	}
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d:invoice", id), c.finance, map[string]any{"kind": "SPECIAL"}).Decode(t, &inv)
	var gross []int64
	for _, i := range inv.Invoices {
		if i.Net+i.Tax != i.Gross {
			t.Fatalf("invoice %+v does not add up", i)
		}
		gross = append(gross, i.Gross)
	}
	if fmt.Sprint(gross) != "[1378000 199500]" {
		t.Fatalf("invoices from the statement: %v, want [1378000 199500]", gross)
	}
	refused(e.Do(t, "POST", fmt.Sprintf("/v1/statements/%d:invoice", id), c.finance, map[string]any{"kind": "SPECIAL"}), "NOTHING_TO_INVOICE")

	// the voucher, once: revenue and output VAT reduced red on their credit side
	var v struct {
		Vouchers []struct {
			Lines []struct {
				Account  string `json:"account"`
				Debit    int64  `json:"debit"`
				Credit   int64  `json:"credit"`
				Customer int64  `json:"customer"`
			} `json:"lines"`
		} `json:"vouchers"`
	}
	waitUntil(t, "the statement's voucher", func() bool {
		e.MustDo(t, 200, "GET", "/v1/vouchers?kind=generated&pageSize=100&period="+c.today.Format("2006-01"), c.finance, nil).Decode(t, &v)
		for _, x := range v.Vouchers {
			if len(x.Lines) > 0 && x.Lines[0].Account == "5601" {
				return true
			}
		}
		return false
	})
	var got []string
	for _, x := range v.Vouchers {
		if x.Lines[0].Account != "5601" {
			continue
		}
		for _, l := range x.Lines {
			got = append(got, fmt.Sprintf("%s:%d/%d c%d", l.Account, l.Debit, l.Credit, l.Customer))
		}
	}
	want := fmt.Sprintf("5601:216982/0 c0 22210101:13018/0 c0 5001:0/-40450 c0 22210107:0/-5258 c0 1122:0/275708 c%d", c.customer.ID)
	if strings.Join(got, " ") != want {
		t.Fatalf("voucher lines\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	var adjust int64
	must(t, e.App.DB.Raw(`SELECT COALESCE(SUM(amount), 0) FROM trade_lines WHERE kind = 'adjust' AND party_id = ?`, c.customer.ID).Scan(&adjust).Error)
	if adjust != -5800 {
		t.Fatalf("accepted differences on our side: %d, want -5800", adjust)
	}
}

func mustSupplier(t *testing.T, c *chain) int64 {
	t.Helper()
	ctx := reqctx.WithCall(t.Context(), &reqctx.Call{RequestID: "setup-s", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	s, err := c.e.App.Catalog.CreateSupplier(ctx, catalog.Supplier{Code: "S1", Name: "渝北肉联"})
	must(t, err)
	return s.ID
}

// TestSupplierStatement matches a supplier's delivery statement against what we received
// by scanning: lines by our PO number and SKU, prices with VAT (our purchase prices are net).
func TestSupplierStatement(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	e := c.e
	supplier := mustSupplier(t, c)
	var po struct {
		ID     int64  `json:"id"`
		Number string `json:"number"`
	}
	e.MustDo(t, 200, "POST", "/v1/purchaseOrders", c.picker, map[string]any{"supplier": supplier, "warehouse": c.warehouse.ID,
		"lines": []map[string]any{{"item": c.sausage.ID, "quantity": 30000, "unitPrice": 2000},
			{"item": c.bacon.ID, "quantity": 16000, "unitPrice": 3000}}}).Decode(t, &po)
	c.scan(t, "purchaseOrder", po.ID, map[string]int{c.caseA: 3, c.caseB: 1, c.gtinB: 6})
	waitUntil(t, "the receipt becomes trade lines", func() bool {
		var n int64
		must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM trade_lines WHERE party_type = 'supplier' AND party_id = ?`, supplier).Scan(&n).Error)
		return n == 2
	})
	profile := apptest.ID(t, e.MustDo(t, 200, "POST", "/v1/importProfiles", c.finance, map[string]any{"name": "渝北肉联送货对账",
		"format": "csv", "columns": map[string]string{"documentNumber": "送货单", "documentDate": "日期", "poNumber": "采购单号",
			"supplierItemCode": "客户货号", "receivedQuantity": "数量", "unitPrice": "单价", "amount": "金额"}}))
	day := c.today.Format(time.DateOnly)
	file := "送货单,日期,采购单号,客户货号,数量,单价,金额\n" +
		"YB-001," + day + "," + po.Number + ",XC-001,30,22.60,678.00\n" +
		"YB-001," + day + "," + po.Number + ",LR-002,16,34.00,544.00\n"
	var st statementJSON
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/suppliers/%d/statements:import", supplier), c.finance, map[string]any{"profile": profile,
		"fileName": "yb.csv", "content": base64.StdEncoding.EncodeToString([]byte(file))}).Decode(t, &st)
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/statements/%d", st.ID), c.finance, nil).Decode(t, &st)
	// ours: 30 × 20.00 × 1.13 = 678.00; 16 × 30.00 × 1.13 = 542.40 (33.90 a bag)
	if len(st.Lines) != 2 || st.Lines[0].Match != "MATCHED" || st.Lines[1].Match != "PRICE_DIFFERENCE" ||
		st.Lines[1].AmountDifference != 160 || st.Totals.Net != 122200 || st.OurTotal != 122040 {
		t.Fatalf("supplier statement %+v", st)
	}

	// our statement with the supplier: what we received, what we paid
	e.MustDo(t, 200, "POST", "/v1/supplierPayments", c.finance, map[string]any{"party": supplier, "method": "bank", "amount": 50000})
	var a accountJSON
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/suppliers/%d/accountStatements:generate", supplier), c.finance, map[string]any{
		"from": c.today.AddDate(0, 0, -1).Format(time.DateOnly), "to": c.today.AddDate(0, 0, 1).Format(time.DateOnly)}).Decode(t, &a)
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/accountStatements/%d", a.ID), c.finance, nil).Decode(t, &a)
	var kinds []string
	for _, l := range a.Lines {
		kinds = append(kinds, fmt.Sprintf("%s %d", l.Kind, l.Amount))
	}
	if a.Opening != 0 || a.Deliveries != 122040 || a.Received != 50000 || a.Closing != 72040 ||
		strings.Join(kinds, ",") != "receipt 67800,receipt 54240,payment -50000" {
		t.Fatalf("supplier account %+v %q", a, kinds)
	}
	csv := string(e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/accountStatements/%d:export?format=csv", a.ID), c.finance, nil).Body)
	if !strings.Contains(csv, "供应商") || !strings.Contains(csv, "入库") || !strings.Contains(csv, "720.40") {
		t.Fatalf("supplier csv:\n%s", csv)
	}
}
