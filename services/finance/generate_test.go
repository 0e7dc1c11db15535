package finance_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
	"github.com/erphub/erphub/services/finance"
)

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

func (l *ledger) count(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	must(t, l.e.App.DB.Raw(q, args...).Scan(&n).Error)
	return n
}

// scanOut ships or receives a document by scanning a code units times.
func (l *ledger) scan(t *testing.T, token, field string, doc int64, code string, units int, extra map[string]any) {
	t.Helper()
	s := apptest.ID(t, l.e.MustDo(t, 200, "POST", "/v1/scanSessions", token, map[string]any{field: doc}))
	for i := range units {
		l.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:scan", s), token, map[string]any{"code": code, "scanId": fmt.Sprintf("%d-%d", s, i)})
	}
	l.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", s), token, extra)
}

// TestVouchersFromDocuments receives a purchase order by scanning, ships a supermarket
// delivery and a platform order, and adjusts a loss: each posted stock document becomes
// one draft voucher with the template's accounts and amounts, also when the outbox
// delivers every event twice more and in reverse order. A document whose account does not
// exist waits in the exception list until the account is made.
func TestVouchersFromDocuments(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	e := l.e
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	must(t, err)
	period := finance.PeriodOf(time.Now().In(shanghai))
	e.MustDo(t, 200, "POST", "/v1/books:initialize", l.maker, map[string]any{"startPeriod": period.String(), "voucherWords": []string{"记"}})
	sausage, err := e.App.Catalog.CreateItem(l.admin, catalog.Item{SKU: "XC-001", Name: "麻辣香肠", Unit: "bag", Active: true,
		VATRateBp: 1300, Category: "腊肠", Barcodes: []catalog.Barcode{{Code: "6923456000209", Quantity: 1000}}})
	must(t, err)
	shop, err := e.App.Catalog.CreateShop(l.admin, catalog.Shop{Code: "TMALL", Name: "天猫", Platform: "tmall", Branch: l.branch.ID,
		DefaultWarehouse: l.warehouse.ID, Customer: l.tmall.ID})
	must(t, err)
	picker := e.UserToken(t, "picker", []string{reqctx.RoleWarehouse}, l.branch.ID)

	// receipt: 10 bags at 20.00
	po := apptest.ID(t, e.MustDo(t, 200, "POST", "/v1/purchaseOrders", picker, map[string]any{"supplier": l.supplier.ID,
		"warehouse": l.warehouse.ID, "lines": []map[string]any{{"item": sausage.ID, "quantity": 10000, "unitPrice": 2000}}}))
	l.scan(t, picker, "purchaseOrder", po, "6923456000209", 10, map[string]any{})
	// a supermarket delivery of 4
	do := apptest.ID(t, e.MustDo(t, 200, "POST", "/v1/deliveryOrders", picker, map[string]any{"customer": l.market.ID,
		"warehouse": l.warehouse.ID, "retailerPoNumber": "YJ-PO-7", "lines": []map[string]any{{"item": sausage.ID, "quantity": 4000, "unitPrice": 3990}}}))
	l.scan(t, picker, "deliveryOrder", do, "6923456000209", 4, map[string]any{})
	// a platform order of 2, allocated by the hub and scanned out
	now := time.Now().UTC().Format(time.RFC3339)
	res := e.MustDo(t, 200, "POST", "/v1/shops/TMALL/orders:push", e.Admin, map[string]any{"orders": []map[string]any{{
		"platformOrderId": "3600000000009", "status": "paid", "currency": "CNY",
		"buyer":   map[string]any{"nick": "tb", "name": "张三", "phone": "13800000000"},
		"address": map[string]any{"name": "张三", "phone": "13800000000", "province": "重庆", "city": "重庆", "street": "解放碑 1 号"},
		"lines":   []map[string]any{{"platformLineId": "1", "sku": "XC-001", "title": "香肠", "quantity": 2000, "unitPrice": 3990}},
		"goods":   7980, "paid": 7980, "createTime": now, "payTime": now, "updateTime": now}}}).JSON(t)
	orderID := res["results"].([]any)[0].(map[string]any)["order"]
	var hubDO int64
	waitUntil(t, "platform order allocated", func() bool {
		var o struct {
			FulfilState string `json:"fulfilState"`
			Fulfilments []struct {
				DeliveryOrder int64 `json:"deliveryOrder"`
			} `json:"fulfilments"`
		}
		e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/orders/%v", orderID), e.Admin, nil).Decode(t, &o)
		if o.FulfilState == "allocated" {
			hubDO = o.Fulfilments[0].DeliveryOrder
		}
		return hubDO != 0
	})
	l.scan(t, picker, "deliveryOrder", hubDO, "6923456000209", 2, map[string]any{"carrier": "SF", "trackingNumbers": []string{"SF1"}})
	// an abnormal loss of 1: its input VAT is transferred out
	e.MustDo(t, 200, "POST", "/v1/adjustments", e.Admin, map[string]any{"warehouse": l.warehouse.ID, "reason": "霉变 管理不善",
		"lines": []map[string]any{{"item": sausage.ID, "quantity": -1000}}})

	docs := func() int64 { return l.count(t, `SELECT COUNT(*) FROM finance_documents WHERE state = 'done'`) }
	waitUntil(t, "four vouchers", func() bool { return docs() == 4 })
	check := func() {
		t.Helper()
		var list struct {
			Vouchers []voucherJSON `json:"vouchers"`
		}
		e.MustDo(t, 200, "GET", "/v1/vouchers?kind=generated&pageSize=100", l.maker, nil).Decode(t, &list)
		if len(list.Vouchers) != 4 {
			t.Fatalf("%d generated vouchers, want 4", len(list.Vouchers))
		}
		got := map[string][]string{}
		for _, v := range list.Vouchers {
			if v.Status != "draft" || v.Source == nil || v.TemplateVersion != 1 {
				t.Fatalf("voucher %+v", v)
			}
			var ls []string
			for _, ln := range v.Lines {
				ls = append(ls, fmt.Sprintf("%s:%d/%d:c%d s%d w%d", ln.Account, ln.Debit, ln.Credit, ln.Customer, ln.Supplier, ln.Warehouse))
			}
			got[v.Source.Type] = append(got[v.Source.Type], strings.Join(ls, " "))
		}
		wh := l.warehouse.ID
		exp := map[string][]string{
			"receipt": {fmt.Sprintf("1405:20000/0:c0 s0 w%d 2202:0/20000:c0 s%d w0", wh, l.supplier.ID)},
			"delivery": {fmt.Sprintf("5401:8000/0:c0 s0 w0 1405:0/8000:c0 s0 w%d", wh),
				fmt.Sprintf("5401:4000/0:c0 s0 w0 1405:0/4000:c0 s0 w%d", wh)},
			"adjustment": {fmt.Sprintf("1901:2260/0:c0 s0 w0 1405:0/2000:c0 s0 w%d 22210109:0/260:c0 s0 w0", wh)},
		}
		for typ, vs := range exp {
			if strings.Join(got[typ], "|") != strings.Join(vs, "|") {
				t.Errorf("%s vouchers:\n got %v\nwant %v", typ, got[typ], vs)
			}
		}
	}
	check()

	// the outbox delivers every event twice more, newest first: nothing changes
	var events []struct {
		Topic, EventKey, RequestID string
		Payload                    []byte
	}
	must(t, e.App.DB.Raw(`SELECT topic, event_key, request_id, payload FROM outbox_events
		WHERE subscriber = 'finance-stock-documents' ORDER BY id DESC`).Scan(&events).Error)
	for range 2 {
		for _, ev := range events {
			must(t, e.App.DB.Exec(`INSERT INTO outbox_events (topic, subscriber, event_key, payload, request_id, pending, attempts,
				next_attempt_at, created_at) VALUES (?, 'finance-stock-documents', ?, ?, ?, 1, 0, NOW(6), NOW(6))`,
				ev.Topic, ev.EventKey, ev.Payload, ev.RequestID).Error)
		}
	}
	e.App.Outbox.Notify()
	waitUntil(t, "redeliveries done", func() bool {
		return l.count(t, `SELECT COUNT(*) FROM outbox_events WHERE subscriber = 'finance-stock-documents' AND pending = 1`) == 0
	})
	e.App.Finance.Kick()
	time.Sleep(200 * time.Millisecond)
	check()
	if n := l.count(t, `SELECT COUNT(*) FROM voucher_sources`); n != 4 {
		t.Fatalf("%d voucher sources", n)
	}

	// drill down: from the document to its voucher and back
	var byDoc struct {
		Vouchers []voucherJSON `json:"vouchers"`
	}
	var receiptDoc int64
	must(t, e.App.DB.Raw(`SELECT id FROM stock_documents WHERE doc_type = 'receipt'`).Scan(&receiptDoc).Error)
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/vouchers?sourceType=receipt&sourceId=%d", receiptDoc), l.maker, nil).Decode(t, &byDoc)
	if len(byDoc.Vouchers) != 1 || byDoc.Vouchers[0].Source.ID != receiptDoc || !strings.HasPrefix(byDoc.Vouchers[0].Source.Number, "GR-") {
		t.Fatalf("vouchers of receipt %d: %+v", receiptDoc, byDoc.Vouchers)
	}

	// posted, the stock account agrees with the stock ledger per warehouse
	var ids []int64
	must(t, e.App.DB.Raw(`SELECT id FROM vouchers WHERE kind = 'generated'`).Scan(&ids).Error)
	l.approveAndPost(t, ids...)
	var diff struct {
		Differences []any `json:"differences"`
	}
	e.MustDo(t, 200, "GET", "/v1/reports/stockValueCheck?period="+period.String(), l.manager, nil).Decode(t, &diff)
	if len(diff.Differences) != 0 {
		t.Fatalf("stock value differences %+v", diff.Differences)
	}

	// a platform settlement names 101201, which does not exist yet: an exception, not lost
	must(t, e.App.DB.Transaction(func(tx *gorm.DB) error {
		return finance.PublishDocument(l.admin, e.App.Outbox, tx, finance.Document{Type: "platform_settlement", ID: 77,
			Number: "TM-SETTLE-77", Date: time.Now().In(shanghai).Format(time.DateOnly), Branch: l.branch.ID, Customer: shop.Customer,
			Totals: map[string]int64{"received": 7580, "commission": 400, "gross": 7980}})
	}))
	e.App.Outbox.Notify()
	var exceptions struct {
		Documents []struct {
			ID     int64  `json:"id"`
			Reason string `json:"reason"`
		} `json:"documents"`
	}
	waitUntil(t, "the settlement in the exception list", func() bool {
		e.MustDo(t, 200, "GET", "/v1/financeDocuments?state=exception", l.maker, nil).Decode(t, &exceptions)
		return len(exceptions.Documents) == 1
	})
	if !strings.Contains(exceptions.Documents[0].Reason, "101201") {
		t.Fatalf("exception reason %q", exceptions.Documents[0].Reason)
	}
	e.MustDo(t, 200, "POST", "/v1/accounts", l.maker, map[string]any{"code": "101201", "name": "支付宝"})
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/financeDocuments/%d:retry", exceptions.Documents[0].ID), l.maker, map[string]any{})
	waitUntil(t, "the settlement booked", func() bool { return docs() == 5 })
	e.MustDo(t, 200, "GET", "/v1/vouchers?sourceType=platform_settlement&sourceId=77", l.maker, nil).Decode(t, &byDoc)
	v := byDoc.Vouchers[0]
	if len(v.Lines) != 3 || v.Lines[0].Account != "101201" || v.Lines[0].Debit != 7580 || v.Lines[1].Debit != 400 ||
		v.Lines[2].Credit != 7980 || v.Lines[2].Customer != l.tmall.ID {
		t.Fatalf("settlement voucher %+v", v)
	}
}

// TestMonthlyAverageCostRun costs an item by monthly weighted average: receipts at 10.00
// and 13.00 with issues between them were booked at moving average (110.00 for 10 units);
// at the month's average of 11.50 they cost 115.00, so the run posts 5.00 more cost of
// sales, and the stock keeps 10 × 11.50. Running it again changes nothing.
func TestMonthlyAverageCostRun(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	e := l.e
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	must(t, err)
	period := finance.PeriodOf(time.Now().In(shanghai)).String()
	e.MustDo(t, 200, "POST", "/v1/books:initialize", l.maker, map[string]any{"startPeriod": period})
	ham, err := e.App.Catalog.CreateItem(l.admin, catalog.Item{SKU: "LR-001", Name: "腊肉", Unit: "bag", Active: true, VATRateBp: 1300})
	must(t, err)
	e.MustDo(t, 200, "POST", "/v1/itemCosting", l.maker, map[string]any{"item": ham.ID, "method": "monthly"})
	e.MustDo(t, 400, "POST", "/v1/itemCosting", l.maker, map[string]any{"item": ham.ID, "method": "fifo"})
	for _, mv := range []struct{ qty, cost int64 }{{10000, 1000}, {-5000, 0}, {10000, 1300}, {-5000, 0}} {
		e.MustDo(t, 200, "POST", "/v1/adjustments", e.Admin, map[string]any{"warehouse": l.warehouse.ID, "reason": "cost run test",
			"lines": []map[string]any{{"item": ham.ID, "quantity": mv.qty, "unitCost": mv.cost}}})
	}
	var run struct {
		Voucher     int64 `json:"voucher"`
		Adjustments []struct {
			Warehouse, Item, Value int64
		} `json:"adjustments"`
	}
	e.MustDo(t, 200, "POST", "/v1/periods/"+period+":runCosting", l.maker, map[string]any{}).Decode(t, &run)
	if len(run.Adjustments) != 1 || run.Adjustments[0].Value != -500 || run.Voucher == 0 {
		t.Fatalf("cost run %+v", run)
	}
	var v voucherJSON
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/vouchers/%d", run.Voucher), l.maker, nil).Decode(t, &v)
	if v.Status != "posted" || len(v.Lines) != 2 || v.Lines[0].Account != "5401" || v.Lines[0].Debit != 500 ||
		v.Lines[1].Account != "1405" || v.Lines[1].Credit != 500 || v.Lines[1].Warehouse != l.warehouse.ID {
		t.Fatalf("cost adjustment voucher %+v", v)
	}
	if value := l.count(t, `SELECT value FROM stock_items WHERE item_id = ?`, ham.ID); value != 11500 {
		t.Fatalf("stock value %d, want 11500 (10 × 11.50)", value)
	}
	problems, err := e.App.Warehouse.CheckLedger(l.admin)
	must(t, err)
	if len(problems) > 0 {
		t.Fatalf("ledger %v", problems)
	}
	e.MustDo(t, 200, "POST", "/v1/periods/"+period+":runCosting", l.maker, map[string]any{}).Decode(t, &run)
	if len(run.Adjustments) != 0 || run.Voucher != 0 {
		t.Fatalf("second run %+v", run)
	}
}

// TestDailySummary switches adjustments to one voucher a day: two adjustments wait for
// the batch, which books them as one voucher with both documents as its sources.
func TestDailySummary(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	e := l.e
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	must(t, err)
	today := time.Now().In(shanghai)
	e.MustDo(t, 200, "POST", "/v1/books:initialize", l.maker, map[string]any{"startPeriod": finance.PeriodOf(today).String()})
	ham, err := e.App.Catalog.CreateItem(l.admin, catalog.Item{SKU: "LR-001", Name: "腊肉", Unit: "bag", Active: true, VATRateBp: 900})
	must(t, err)
	var tmpl struct {
		Version int32 `json:"version"`
	}
	e.MustDo(t, 200, "POST", "/v1/voucherTemplates", l.maker, map[string]any{"docType": "adjustment", "mode": "daily",
		"summary": "库存调整", "lines": []map[string]any{
			{"side": "debit", "account": "1405", "amount": "gain", "dimensions": []string{"warehouse"}},
			{"side": "credit", "account": "1901", "amount": "gain"},
			{"side": "debit", "account": "1901", "amount": "loss"},
			{"side": "credit", "account": "1405", "amount": "loss", "dimensions": []string{"warehouse"}}}}).Decode(t, &tmpl)
	if tmpl.Version != 2 {
		t.Fatalf("template version %d, want 2", tmpl.Version)
	}
	e.MustDo(t, 400, "POST", "/v1/voucherTemplates", l.maker, map[string]any{"docType": "adjustment", "mode": "weekly",
		"lines": []map[string]any{{"side": "up", "account": "x", "amount": ""}}})
	for _, q := range []int64{3000, 2000} {
		e.MustDo(t, 200, "POST", "/v1/adjustments", e.Admin, map[string]any{"warehouse": l.warehouse.ID, "reason": "找到",
			"lines": []map[string]any{{"item": ham.ID, "quantity": q, "unitCost": 1500}}})
	}
	waitUntil(t, "both waiting for the day's batch", func() bool {
		return l.count(t, `SELECT COUNT(*) FROM finance_documents WHERE state = 'daily'`) == 2
	})
	must(t, e.App.Finance.SummariseBefore(l.admin, today.AddDate(0, 0, 1)))
	var list struct {
		Vouchers []voucherJSON `json:"vouchers"`
	}
	e.MustDo(t, 200, "GET", "/v1/vouchers?kind=generated", l.maker, nil).Decode(t, &list)
	if len(list.Vouchers) != 1 || list.Vouchers[0].Total != 7500 || len(list.Vouchers[0].Lines) != 2 {
		t.Fatalf("daily voucher %+v", list.Vouchers)
	}
	var v struct {
		Sources []struct {
			Type string `json:"type"`
		} `json:"sources"`
	}
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/vouchers/%d", list.Vouchers[0].ID), l.maker, nil).Decode(t, &v)
	if len(v.Sources) != 2 {
		t.Fatalf("sources %+v", v.Sources)
	}
	must(t, e.App.Finance.SummariseBefore(l.admin, today.AddDate(0, 0, 1))) // again: nothing
	if n := l.count(t, `SELECT COUNT(*) FROM vouchers`); n != 1 {
		t.Fatalf("%d vouchers after a second batch", n)
	}
}
