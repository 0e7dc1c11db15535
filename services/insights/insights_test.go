package insights_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
	"github.com/erphub/erphub/services/insights"
	"github.com/erphub/erphub/services/warehouse"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func order(id, phone, status string, at time.Time, paid, fees int64, lines ...map[string]any) map[string]any {
	var goods int64
	for _, l := range lines {
		goods += l["quantity"].(int64) * l["unitPrice"].(int64) / 1000
	}
	return map[string]any{"platformOrderId": id, "status": status, "currency": "CNY",
		"buyer":   map[string]any{"name": "买家", "phone": phone},
		"address": map[string]any{"name": "买家", "phone": phone, "province": "重庆", "city": "重庆", "street": "解放碑 1 号"},
		"lines":   lines, "goods": goods, "paid": paid, "fees": fees,
		"createTime": at.Format(time.RFC3339Nano), "updateTime": at.Add(time.Minute).Format(time.RFC3339Nano)}
}

func line(sku string, qty, price int64, refund string) map[string]any {
	return map[string]any{"platformLineId": sku, "sku": sku, "title": sku, "quantity": qty, "unitPrice": price, "refundStatus": refund}
}

// waitFacts waits until the insights subscribers have nothing pending.
func waitFacts(t *testing.T, e *apptest.Env) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(15 * time.Second)
	for {
		var n int64
		must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM outbox_events WHERE pending = 1 AND subscriber LIKE 'insights-%'`).Scan(&n).Error)
		if n == 0 {
			return
		}
		select {
		case <-deadline:
			t.Fatal("insights events still pending")
		case <-tick.C:
		}
	}
}

type abcAnswer struct {
	Total int64 `json:"total"`
	Items []struct {
		ItemID       int64  `json:"itemId"`
		Class        string `json:"class"`
		Movement     string `json:"movement"`
		Value        int64  `json:"value"`
		ShareBp      int32  `json:"shareBp"`
		CumulativeBp int32  `json:"cumulativeBp"`
		SoldQuantity int64  `json:"soldQuantity"`
		ReturnRateBp int32  `json:"returnRateBp"`
		Velocity     int64  `json:"velocity"`
		OnHand       int64  `json:"onHand"`
		DaysOfCover  int64  `json:"daysOfCover"`
		ItemSku      string `json:"itemSku"`
		ItemName     string `json:"itemName"`
	} `json:"items"`
	FactsCurrentTo string `json:"factsCurrentTo"`
}

// The known history, on day D (yesterday in the company's zone):
//
//	TMALL o1 buyer P1 paid: A 2 × 10.00, fees 1.00      (counted)
//	TMALL o2 buyer +86 P1 paid: A 1 × 10.00, B 1 × 5.00, fees 0.50
//	TMALL o3 buyer P2 cancelled: C 1 × 3.00             (registered only)
//	JD    o4 buyer P3 paid: B 3 × 5.00, refunded        (return)
//	JD    o5 buyer P1 paid 3.01: C 1 × 3.00
//	delivery GI-1 (SQL) WH1 → chain/outlet: A 1 at 8.00, cost 5.00
//	delivery GI-2 (SQL) WH1, no order: B 7 shipped, cost 0
//
// Stock documents, stock and lots are inserted with SQL (building them by scanning is
// slow); the event that posting would publish is replaced by calling FoldDocument.
func TestInsightsFromKnownHistory(t *testing.T) {
	e := apptest.Start(t)
	ctx := reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	b, err := cat.CreateBranch(ctx, catalog.Branch{Code: "CQ", Name: "重庆"})
	must(t, err)
	var wh [3]catalog.Warehouse
	for i := range wh {
		wh[i], err = cat.CreateWarehouse(ctx, catalog.Warehouse{Code: fmt.Sprintf("W%d", i), Name: fmt.Sprintf("仓%d", i), Branch: b.ID})
		must(t, err)
	}
	tmall, err := cat.CreateShop(ctx, catalog.Shop{Code: "TMALL", Name: "天猫", Platform: "tmall", Branch: b.ID, DefaultWarehouse: wh[0].ID})
	must(t, err)
	jd, err := cat.CreateShop(ctx, catalog.Shop{Code: "JD", Name: "京东", Platform: "jd", Branch: b.ID, DefaultWarehouse: wh[0].ID})
	must(t, err)
	var items [3]catalog.Item
	for i, sku := range []string{"A", "B", "C"} {
		items[i], err = cat.CreateItem(ctx, catalog.Item{SKU: sku, Name: "香肠 " + sku, Unit: "bag", Active: true})
		must(t, err)
	}
	A, B, C := items[0].ID, items[1].ID, items[2].ID
	cust, err := cat.CreateCustomer(ctx, catalog.Customer{Code: "YJ", Name: "渝佳超市", Kind: "retailer"})
	must(t, err)
	outlet, err := cat.CreateOutlet(ctx, catalog.Outlet{Customer: cust.ID, Code: "YJ001", Name: "观音桥店", City: "重庆"})
	must(t, err)
	sup, err := cat.CreateSupplier(ctx, catalog.Supplier{Code: "S1", Name: "肉联厂"})
	must(t, err)

	loc := e.App.Cfg.TimeZone
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	D := today.AddDate(0, 0, -1)
	noon := D.Add(12 * time.Hour)
	dd := D.Format(time.DateOnly)

	e.MustDo(t, 200, "POST", "/v1/shops/TMALL/orders:push", e.Admin, map[string]any{"orders": []any{
		order("o1", "13800000001", "paid", noon, 2000, 100, line("A", 2000, 1000, "")),
		order("o2", "+86 138-0000-0001", "paid", noon, 1500, 50, line("A", 1000, 1000, ""), line("B", 1000, 500, "")),
		order("o3", "13800000002", "cancelled", noon, 300, 0, line("C", 1000, 300, "")),
	}})
	e.MustDo(t, 200, "POST", "/v1/shops/JD/orders:push", e.Admin, map[string]any{"orders": []any{
		order("o4", "13800000003", "paid", noon, 1500, 0, line("B", 3000, 500, "refunded")),
		order("o5", "13800000001", "paid", noon, 301, 0, line("C", 1000, 300, "")),
	}})

	g := e.App.DB.WithContext(ctx)
	posted := noon.UTC()
	ts := time.Now().UTC()
	exec := func(q string, args ...any) {
		t.Helper()
		must(t, g.Exec(q, args...).Error)
	}
	exec(`INSERT INTO delivery_orders (id, doc_no, branch_id, warehouse_id, customer_id, outlet_id, status, created_at, updated_at)
		VALUES (9001, 'DO-T-1', ?, ?, ?, ?, 'shipped', ?, ?)`, b.ID, wh[1].ID, cust.ID, outlet.ID, ts, ts)
	exec(`INSERT INTO delivery_order_lines (delivery_order_id, line_no, item_id, quantity, shipped, unit_price) VALUES (9001, 1, ?, 1000, 1000, 800)`, A)
	exec(`INSERT INTO stock_documents (id, doc_no, doc_type, branch_id, warehouse_id, source_type, source_id, posted_at)
		VALUES (8001, 'GI-T-1', 'delivery', ?, ?, 'delivery_order', 9001, ?), (8002, 'GI-T-2', 'delivery', ?, ?, '', 0, ?)`,
		b.ID, wh[1].ID, posted, b.ID, wh[1].ID, posted)
	exec(`INSERT INTO stock_ledger (document_id, line_no, doc_type, warehouse_id, item_id, lot_id, quantity, value, posted_at)
		VALUES (8001, 1, 'delivery', ?, ?, 0, -1000, -500, ?), (8002, 1, 'delivery', ?, ?, 0, -7000, 0, ?)`,
		wh[1].ID, A, posted, wh[1].ID, B, posted)
	exec(`INSERT INTO stock_items (warehouse_id, item_id, on_hand, reserved, value, updated_at) VALUES (?, ?, 100, 0, 0, ?), (?, ?, 2000, 0, 0, ?)`,
		wh[1].ID, A, ts, wh[2].ID, A, ts)
	exec(`INSERT INTO lots (id, item_id, lot_no, expiry_date, created_at) VALUES (7001, ?, 'L1', ?, ?), (7002, ?, 'L2', ?, ?)`,
		A, today.AddDate(0, 0, 10).Format(time.DateOnly), ts, A, today.AddDate(0, 0, 1).Format(time.DateOnly), ts)
	exec(`INSERT INTO stock_levels (warehouse_id, item_id, lot_id, on_hand, updated_at) VALUES (?, ?, 7001, 2000, ?), (?, ?, 7002, 100, ?)`,
		wh[2].ID, A, ts, wh[1].ID, A, ts)
	exec(`INSERT INTO purchase_orders (id, doc_no, branch_id, supplier_id, warehouse_id, status, created_at, updated_at)
		VALUES (6001, 'PO-T-1', ?, ?, ?, 'received', ?, ?)`, b.ID, sup.ID, wh[1].ID, ts, ts)
	exec(`INSERT INTO purchase_order_lines (purchase_order_id, line_no, item_id, quantity, received, unit_cost) VALUES (6001, 1, ?, 1000, 1000, 300)`, B)

	svc := e.App.Insights
	for _, doc := range []int64{8001, 8002, 8001} { // 8001 twice: a redelivered event
		must(t, svc.FoldDocument(ctx, doc))
	}
	waitFacts(t, e)
	var o2 int64
	must(t, g.Raw(`SELECT id FROM orders WHERE platform_order_id = 'o2'`).Scan(&o2).Error)
	must(t, svc.FoldOrder(ctx, o2)) // a replayed event changes nothing

	manager := e.UserToken(t, "boss", []string{reqctx.RoleManager})
	assertAll := func(t *testing.T, jdOrders int64) {
		t.Helper()
		var abc abcAnswer
		e.MustDo(t, 200, "GET", "/v1/insights/abc?from="+dd+"&to="+dd, manager, nil).Decode(t, &abc)
		if abc.FactsCurrentTo == "" {
			t.Error("no factsCurrentTo")
		}
		type want struct {
			item          int64
			class         string
			value         int64
			share, cum    int32
			sold          int64
			returnRate    int32
			velocity      int64
			onHand, cover int64
		}
		// JD o5 (C 1 × 3.00) counts only while it is paid
		wants := []want{{A, "A", 3800, 8261, 8261, 4000, 0, 4000, 2100, 0}, {B, "B", 500, 1087, 9348, 4000, 7500, 1000, 0, 0},
			{C, "C", 300, 652, 10000, 1000, 0, 1000, 0, 0}}
		total := int64(4600)
		if jdOrders == 1 {
			// B's share before it is now 88.37 % ≥ 85 %: C
			wants = []want{{A, "A", 3800, 8837, 8837, 4000, 0, 4000, 2100, 0}, {B, "C", 500, 1163, 10000, 4000, 7500, 1000, 0, 0}}
			total = 4300
		}
		if abc.Total != total || len(abc.Items) != len(wants) {
			t.Fatalf("abc total %d items %d: %+v", abc.Total, len(abc.Items), abc)
		}
		for i, w := range wants {
			it := abc.Items[i]
			if it.ItemID != w.item || it.Class != w.class || it.Value != w.value || it.ShareBp != w.share || it.CumulativeBp != w.cum ||
				it.SoldQuantity != w.sold || it.ReturnRateBp != w.returnRate || it.Velocity != w.velocity || it.OnHand != w.onHand ||
				it.DaysOfCover != w.cover || it.Movement != "new" {
				t.Errorf("abc item %d = %+v, want %+v", i, it, w)
			}
			// names come from the catalog
			if sku := map[int64]string{A: "A", B: "B", C: "C"}[w.item]; it.ItemSku != sku || it.ItemName != "香肠 "+sku {
				t.Errorf("abc item %d named %q %q", i, it.ItemSku, it.ItemName)
			}
		}

		var ch struct {
			Shops []struct {
				ShopID   int64  `json:"shopId"`
				ShopName string `json:"shopName"`
				Current  struct {
					Orders, Buyers, Gmv, Paid, AverageOrderValue, RefundedOrders, Refunded, Fees, MarginAfterFees int64
					RefundRateBp                                                                                  int32
				} `json:"current"`
			} `json:"shops"`
		}
		e.MustDo(t, 200, "GET", "/v1/insights/channels?from="+dd+"&to="+dd, manager, nil).Decode(t, &ch)
		got, names := map[int64]string{}, map[int64]string{}
		for _, s := range ch.Shops {
			got[s.ShopID], names[s.ShopID] = fmt.Sprintf("%+v", s.Current), s.ShopName
		}
		if names[tmall.ID] != "天猫" || names[jd.ID] != "京东" {
			t.Errorf("shop names %v", names)
		}
		wantTmall := "{Orders:2 Buyers:1 Gmv:3500 Paid:3500 AverageOrderValue:1750 RefundedOrders:0 Refunded:0 Fees:150 MarginAfterFees:3350 RefundRateBp:0}"
		wantJD := "{Orders:2 Buyers:2 Gmv:1800 Paid:1801 AverageOrderValue:901 RefundedOrders:1 Refunded:1500 Fees:0 MarginAfterFees:301 RefundRateBp:5000}"
		if jdOrders == 1 {
			wantJD = "{Orders:1 Buyers:1 Gmv:1500 Paid:1500 AverageOrderValue:1500 RefundedOrders:1 Refunded:1500 Fees:0 MarginAfterFees:0 RefundRateBp:10000}"
		}
		if got[tmall.ID] != wantTmall || got[jd.ID] != wantJD {
			t.Errorf("channels tmall %s\n jd %s", got[tmall.ID], got[jd.ID])
		}

		var cu struct {
			Registered, BoughtOnce, Repeat, Vip, SplitOrders, SplitSpend int64
			Quadrants                                                    []struct {
				Name    string
				Buyers  int64
				Spend   int64
				Members []struct {
					BuyerKey      string
					Orders, Spend int64
					R, F, M       int32
					Tier          string
				}
			}
			Outlets []struct {
				CustomerID, OutletID, Sales, Returns, Cost int64
				CustomerName, OutletName                   string
			}
			Chains []struct {
				CustomerID               int64
				CustomerName, OutletName string
			}
		}
		e.MustDo(t, 200, "GET", "/v1/insights/customers?from="+dd+"&to="+dd+"&vipSpend=3000", manager, nil).Decode(t, &cu)
		once, registered := int64(2), int64(1)
		if jdOrders == 1 { // P1 on JD has only a cancelled order now
			once, registered = 1, 2
		}
		if cu.Registered != registered || cu.BoughtOnce != once || cu.Repeat != 0 || cu.Vip != 1 {
			t.Errorf("tiers %+v", cu)
		}
		hh := cu.Quadrants[0]
		if hh.Name != insights.QuadrantHighHigh || hh.Buyers != 1 || hh.Spend != 3500 || len(hh.Members) != 1 ||
			hh.Members[0].Orders != 2 || hh.Members[0].Tier != "vip" || len(hh.Members[0].BuyerKey) != 6+64 {
			t.Errorf("high/high quadrant %+v", hh)
		}
		if jdOrders == 2 {
			if cu.SplitOrders != 1 || cu.SplitSpend != 301 || cu.Quadrants[3].Buyers != 2 || cu.Quadrants[3].Spend != 301 ||
				hh.Members[0].F != 4 || hh.Members[0].M != 4 || hh.Members[0].R != 1 {
				t.Errorf("splits or scores %+v", cu)
			}
		}
		if len(cu.Outlets) != 1 || cu.Outlets[0].CustomerID != cust.ID || cu.Outlets[0].OutletID != outlet.ID ||
			cu.Outlets[0].Sales != 800 || cu.Outlets[0].Cost != 500 || cu.Outlets[0].CustomerName != "渝佳超市" ||
			cu.Outlets[0].OutletName != "观音桥店" {
			t.Errorf("outlets %+v", cu.Outlets)
		}
		if len(cu.Chains) != 1 || cu.Chains[0].CustomerName != "渝佳超市" || cu.Chains[0].OutletName != "" {
			t.Errorf("chains %+v", cu.Chains)
		}
	}
	assertAll(t, 2)

	// the shop's traffic, imported, gives conversion rates; last year's same days are there
	// to compare (empty here)
	traffic := func(body string) apptest.Response {
		return e.Do(t, "POST", fmt.Sprintf("/v1/shops/%d/traffic:import", tmall.ID), manager, map[string]any{
			"content": base64.StdEncoding.EncodeToString([]byte(body))})
	}
	if r := traffic("日期,访客数,加购人数\n" + dd + ",400,50\n"); r.Status != 200 {
		t.Fatalf("traffic import: %d %s", r.Status, r.Body)
	}
	if r := traffic("date,visitors,addToCart\n" + dd + ",four hundred,50\n"); r.Status != 400 ||
		!strings.Contains(string(r.Body), "row 2, column visitors") {
		t.Fatalf("bad traffic: %d %s", r.Status, r.Body)
	}
	var conv struct {
		LastYearFrom string `json:"lastYearFrom"`
		Shops        []struct {
			ShopID  int64 `json:"shopId"`
			Current struct {
				Visitors, AddToCart      int64
				ConversionBp, CartRateBp int32
			} `json:"current"`
			LastYear struct {
				Orders int64
			} `json:"lastYear"`
		} `json:"shops"`
	}
	e.MustDo(t, 200, "GET", "/v1/insights/channels?from="+dd+"&to="+dd, manager, nil).Decode(t, &conv)
	if conv.LastYearFrom != D.AddDate(-1, 0, 0).Format(time.DateOnly) {
		t.Errorf("last year from %s", conv.LastYearFrom)
	}
	for _, sh := range conv.Shops {
		if sh.ShopID == tmall.ID && (sh.Current.Visitors != 400 || sh.Current.AddToCart != 50 || sh.Current.ConversionBp != 50 ||
			sh.Current.CartRateBp != 1250 || sh.LastYear.Orders != 0) {
			t.Errorf("tmall traffic %+v", sh)
		}
	}

	// replenishment: A at W1 ships 1000 on D (weight 4): 4000/70 = 57 a day; lead 7, safety
	// 3 days → reorder point 570, maximum 969; 100 available → 869 to W1 from W2's surplus.
	// B at W1: 7000 × 4 / 70 = 400 a day, lead time 10 days (item setting) → ROP 5200,
	// maximum 8000, nothing available, no surplus anywhere → order 8000 from S1.
	e.MustDo(t, 200, "PUT", "/v1/insights/leadTimes", manager, map[string]any{"itemId": B, "days": 10})
	var rp struct {
		Lines []struct {
			WarehouseID, ItemID, SupplierID, DailyDemand, ReorderPoint, Maximum, Available, OrderQuantity, TransferQuantity int64
			LeadTimeDays                                                                                                    int32
		}
		Orders []struct {
			SupplierID int64
			Lines      []struct{ WarehouseID, ItemID, Quantity int64 }
		}
		Transfers []struct{ FromWarehouseID, ToWarehouseID, ItemID, Quantity int64 }
		Expiring  []struct {
			WarehouseID, ItemID, Quantity, AtRiskQuantity int64
			Lot                                           string
		}
	}
	e.MustDo(t, 200, "GET", "/v1/insights/replenishment", manager, nil).Decode(t, &rp)
	lines := fmt.Sprintf("%+v", rp.Lines)
	wantLines := fmt.Sprintf("[{WarehouseID:%d ItemID:%d SupplierID:0 DailyDemand:57 ReorderPoint:570 Maximum:969 Available:100 OrderQuantity:0 TransferQuantity:869 LeadTimeDays:7} "+
		"{WarehouseID:%d ItemID:%d SupplierID:%d DailyDemand:400 ReorderPoint:5200 Maximum:8000 Available:0 OrderQuantity:8000 TransferQuantity:0 LeadTimeDays:10}]",
		wh[1].ID, A, wh[1].ID, B, sup.ID)
	if lines != wantLines {
		t.Errorf("replenishment lines\n got %s\nwant %s", lines, wantLines)
	}
	if len(rp.Orders) != 1 || rp.Orders[0].SupplierID != sup.ID || len(rp.Orders[0].Lines) != 1 || rp.Orders[0].Lines[0].Quantity != 8000 {
		t.Errorf("orders %+v", rp.Orders)
	}
	if len(rp.Transfers) != 1 || rp.Transfers[0].FromWarehouseID != wh[2].ID || rp.Transfers[0].ToWarehouseID != wh[1].ID || rp.Transfers[0].Quantity != 869 {
		t.Errorf("transfers %+v", rp.Transfers)
	}
	// W1's lot L2 (100, expires tomorrow: 57 sell) and W2's L1 (2000, no demand there)
	exp := fmt.Sprintf("%+v", rp.Expiring)
	wantExp := fmt.Sprintf("[{WarehouseID:%d ItemID:%d Quantity:100 AtRiskQuantity:43 Lot:L2} {WarehouseID:%d ItemID:%d Quantity:2000 AtRiskQuantity:2000 Lot:L1}]",
		wh[1].ID, A, wh[2].ID, A)
	if exp != wantExp {
		t.Errorf("expiring\n got %s\nwant %s", exp, wantExp)
	}
	var rpNames struct {
		Lines  []struct{ ItemSku, ItemName, WarehouseName, SupplierName string }
		Orders []struct {
			SupplierName string
			Lines        []struct{ WarehouseName, ItemSku, ItemName string }
		}
		Transfers []struct{ FromWarehouseName, ToWarehouseName, ItemSku, ItemName string }
		Expiring  []struct{ WarehouseName, ItemSku, ItemName string }
	}
	e.MustDo(t, 200, "GET", "/v1/insights/replenishment", manager, nil).Decode(t, &rpNames)
	if got := fmt.Sprintf("%+v", rpNames); got != "{Lines:[{ItemSku:A ItemName:香肠 A WarehouseName:仓1 SupplierName:} "+
		"{ItemSku:B ItemName:香肠 B WarehouseName:仓1 SupplierName:肉联厂}] "+
		"Orders:[{SupplierName:肉联厂 Lines:[{WarehouseName:仓1 ItemSku:B ItemName:香肠 B}]}] "+
		"Transfers:[{FromWarehouseName:仓2 ToWarehouseName:仓1 ItemSku:A ItemName:香肠 A}] "+
		"Expiring:[{WarehouseName:仓1 ItemSku:A ItemName:香肠 A} {WarehouseName:仓2 ItemSku:A ItemName:香肠 A}]}" {
		t.Errorf("replenishment names %s", got)
	}

	// the daily job stores drafts: exactly the order, the transfer and the two lots above
	must(t, svc.SuggestReplenishment(ctx))
	must(t, svc.SuggestReplenishment(ctx)) // a second run replaces its drafts
	type suggestion struct {
		ID                                               int64
		Kind                                             string
		SupplierID, WarehouseID, FromWarehouseID, ItemID int64
		Lot                                              string
		Quantity                                         int64
		Status                                           string
		Document                                         *struct {
			Type   string
			ID     int64
			Number string
		}
		SupplierName, WarehouseName, FromWarehouseName string
		ItemSku                                        string
	}
	var sg struct{ Suggestions []suggestion }
	e.MustDo(t, 200, "GET", "/v1/insights/suggestions", manager, nil).Decode(t, &sg)
	show := func(list []suggestion) string {
		var b strings.Builder
		for _, x := range list {
			fmt.Fprintf(&b, "%s %d/%s %d/%s<-%d/%s %s %s %d %s", x.Kind, x.SupplierID, x.SupplierName, x.WarehouseID, x.WarehouseName,
				x.FromWarehouseID, x.FromWarehouseName, x.ItemSku, x.Lot, x.Quantity, x.Status)
			if x.Document != nil {
				fmt.Fprintf(&b, " %s %d %s", x.Document.Type, x.Document.ID, x.Document.Number)
			}
			b.WriteString("; ")
		}
		return b.String()
	}
	want := fmt.Sprintf("expiry 0/ %d/仓1<-0/ A L2 43 draft; expiry 0/ %d/仓2<-0/ A L1 2000 draft; "+
		"order %d/肉联厂 %d/仓1<-0/ B  8000 draft; transfer 0/ %d/仓1<-%d/仓2 A  869 draft; ",
		wh[1].ID, wh[2].ID, sup.ID, wh[1].ID, wh[1].ID, wh[2].ID)
	if got := show(sg.Suggestions); got != want {
		t.Fatalf("suggestions\n got %s\nwant %s", got, want)
	}
	expiry, orderB, moveA := sg.Suggestions[0], sg.Suggestions[2], sg.Suggestions[3]
	type confirmation struct {
		Suggestion     suggestion
		Confirmed      []suggestion
		DocumentStatus string
	}
	confirm := func(id int64) confirmation {
		t.Helper()
		var c confirmation
		e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/insights/suggestions/%d:confirm", id), manager, map[string]any{}).Decode(t, &c)
		return c
	}
	// confirming the order makes a real purchase order in the warehouse: supplier S1, W1,
	// one line of B, 8000 milli-units at the 3.00 S1 charged last (PO-T-1); no approval
	// flow matches, so it is open
	c := confirm(orderB.ID)
	po := c.Suggestion.Document
	if po == nil || po.Type != insights.DocumentPurchaseOrder || c.DocumentStatus != "open" || c.Suggestion.Status != "confirmed" ||
		len(c.Confirmed) != 1 || c.Confirmed[0].ID != orderB.ID {
		t.Fatalf("order confirmation %+v", c)
	}
	var gotPO struct {
		Number              string
		Supplier, Warehouse int64
		Status, Remark      string
		Lines               []struct{ Item, Quantity, UnitPrice int64 }
	}
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/purchaseOrders/%d", po.ID), manager, nil).Decode(t, &gotPO)
	if got, want := fmt.Sprintf("%+v", gotPO), fmt.Sprintf("{Number:%s Supplier:%d Warehouse:%d Status:open Remark:replenishment suggestion of %s Lines:[{Item:%d Quantity:8000 UnitPrice:300}]}",
		po.Number, sup.ID, wh[1].ID, today.Format(time.DateOnly), B); got != want {
		t.Errorf("purchase order\n got %s\nwant %s", got, want)
	}
	// confirming again answers the same document and makes none
	if again := confirm(orderB.ID); again.Suggestion.Document == nil || *again.Suggestion.Document != *po || again.DocumentStatus != "" {
		t.Errorf("second confirmation %+v, want document %+v", again, po)
	}
	var pos int64
	must(t, g.Raw(`SELECT COUNT(*) FROM purchase_orders`).Scan(&pos).Error)
	if pos != 2 { // PO-T-1 and the confirmed one
		t.Errorf("%d purchase orders, want 2", pos)
	}
	// the transfer: 869 of A from W2 to W1
	c = confirm(moveA.ID)
	tr := c.Suggestion.Document
	if tr == nil || tr.Type != insights.DocumentTransfer || c.DocumentStatus != "open" {
		t.Fatalf("transfer confirmation %+v", c)
	}
	var gotTR struct {
		Number                     string
		FromWarehouse, ToWarehouse int64
		Status                     string
		Lines                      []struct{ Item, Quantity int64 }
	}
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/transfers/%d", tr.ID), manager, nil).Decode(t, &gotTR)
	if got, want := fmt.Sprintf("%+v", gotTR), fmt.Sprintf("{Number:%s FromWarehouse:%d ToWarehouse:%d Status:open Lines:[{Item:%d Quantity:869}]}",
		tr.Number, wh[2].ID, wh[1].ID, A); got != want {
		t.Errorf("transfer\n got %s\nwant %s", got, want)
	}
	if again := confirm(moveA.ID); again.Suggestion.Document == nil || *again.Suggestion.Document != *tr {
		t.Errorf("second transfer confirmation %+v", again)
	}
	// an expiry suggestion is only marked (and a second confirmation is no error either)
	if c := confirm(expiry.ID); c.Suggestion.Status != "confirmed" || c.Suggestion.Document != nil {
		t.Errorf("expiry confirmation %+v", c)
	}
	confirm(expiry.ID)
	e.MustDo(t, 404, "POST", "/v1/insights/suggestions/999999:confirm", manager, map[string]any{})

	// what is on its way counts: B at W1 has 8000 on order (nothing more to order), A at
	// W1 869 coming from W2 (no new transfer), W2 has promised it; the answer lists the
	// run's suggestions with their documents
	var after struct {
		Lines []struct {
			ItemID, OrderQuantity, TransferQuantity, OnOrder, TransferIn, TransferOut int64
		}
		Orders, Transfers  []struct{}
		SuggestionsRunDate string
		Suggestions        []suggestion
	}
	e.MustDo(t, 200, "GET", "/v1/insights/replenishment", manager, nil).Decode(t, &after)
	if got := fmt.Sprintf("%+v %d %d", after.Lines, len(after.Orders), len(after.Transfers)); got != fmt.Sprintf(
		"[{ItemID:%d OrderQuantity:0 TransferQuantity:0 OnOrder:0 TransferIn:869 TransferOut:0} "+
			"{ItemID:%d OrderQuantity:0 TransferQuantity:0 OnOrder:8000 TransferIn:0 TransferOut:0}] 0 0", A, B) {
		t.Errorf("replenishment after confirming: %s", got)
	}
	want = fmt.Sprintf("expiry 0/ %d/仓1<-0/ A L2 43 confirmed; expiry 0/ %d/仓2<-0/ A L1 2000 draft; "+
		"order %d/肉联厂 %d/仓1<-0/ B  8000 confirmed purchase_order %d %s; transfer 0/ %d/仓1<-%d/仓2 A  869 confirmed transfer %d %s; ",
		wh[1].ID, wh[2].ID, sup.ID, wh[1].ID, po.ID, po.Number, wh[1].ID, wh[2].ID, tr.ID, tr.Number)
	if got := show(after.Suggestions); after.SuggestionsRunDate != today.Format(time.DateOnly) || got != want {
		t.Errorf("replenishment suggestions of %s\n got %s\nwant %s", after.SuggestionsRunDate, got, want)
	}
	// the next run suggests neither again
	must(t, svc.SuggestReplenishment(ctx))
	e.MustDo(t, 200, "GET", "/v1/insights/suggestions", manager, nil).Decode(t, &sg)
	if got := show(sg.Suggestions); got != want {
		t.Errorf("suggestions after the next run\n got %s\nwant %s", got, want)
	}

	// exports
	if r := e.MustDo(t, 200, "GET", "/v1/insights/abc:export?format=csv&from="+dd+"&to="+dd, manager, nil); !strings.Contains(string(r.Body),
		fmt.Sprintf("\n%d,A,香肠 A,A,", A)) {
		t.Errorf("abc export without A's SKU and name: %s", r.Body)
	}
	if r := e.MustDo(t, 200, "GET", "/v1/insights/replenishment:export?format=csv", manager, nil); !strings.Contains(string(r.Body),
		fmt.Sprintf("\n%d,仓1,%d,B,香肠 B,%d,肉联厂,400,10,1200,5200,8000,0,8000,0,0,0,0", wh[1].ID, B, sup.ID)) {
		t.Errorf("replenishment export without B's line: %s", r.Body)
	}
	e.MustDo(t, 200, "GET", "/v1/insights/customers:export?format=xlsx&quadrant="+insights.QuadrantHighHigh, manager, nil)
	e.MustDo(t, 400, "GET", "/v1/insights/abc?basis=profit", manager, nil)
	e.MustDo(t, 403, "GET", "/v1/insights/abc", e.UserToken(t, "picker", []string{reqctx.RoleWarehouse}), nil)

	// a late event: JD cancels o5 with a newer version; the stale event folded after it
	// changes nothing
	e.MustDo(t, 200, "POST", "/v1/shops/JD/orders:push", e.Admin, map[string]any{"orders": []any{
		order("o5", "13800000001", "cancelled", noon.Add(time.Hour), 301, 0, line("C", 1000, 300, "")),
	}})
	waitFacts(t, e)
	var o5 int64
	must(t, g.Raw(`SELECT id FROM orders WHERE platform_order_id = 'o5'`).Scan(&o5).Error)
	must(t, svc.FoldOrder(ctx, o5))
	assertAll(t, 1)
	diffs, err := svc.Check(ctx)
	must(t, err)
	if len(diffs) != 0 {
		t.Errorf("check: %v", diffs)
	}
	// a full rebuild gives the same answers
	e.MustDo(t, 200, "POST", "/v1/insights:rebuild", e.Admin, map[string]any{})
	assertAll(t, 1)
	diffs, err = svc.Check(ctx)
	must(t, err)
	if len(diffs) != 0 {
		t.Errorf("check after rebuild: %v", diffs)
	}
	// a supermarket's return note, recorded in reconcile, reaches the outlet's facts once
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/customers/%d/returns", cust.ID), e.Admin, map[string]any{"outlet": outlet.ID,
		"theirNumber": "YJ-RT-1", "date": dd, "reason": "临期", "lines": []map[string]any{{"item": A, "quantity": 500, "unitPrice": 800}}})
	waitFacts(t, e)
	outletReturns := func() (int64, int32) {
		var cu struct {
			Outlets []struct {
				OutletID      int64 `json:"outletId"`
				Returns       int64 `json:"returns"`
				ReturnShareBp int32 `json:"returnShareBp"`
			} `json:"outlets"`
		}
		e.MustDo(t, 200, "GET", "/v1/insights/customers?from="+dd+"&to="+dd, manager, nil).Decode(t, &cu)
		for _, o := range cu.Outlets {
			if o.OutletID == outlet.ID {
				return o.Returns, o.ReturnShareBp
			}
		}
		return -1, -1
	}
	if r, share := outletReturns(); r != 400 || share != 5000 {
		t.Errorf("outlet returns %d (%d bp), want 400 (5000 bp of 800)", r, share)
	}
	must(t, svc.FoldDocument(ctx, 8001)) // unrelated refolds change nothing
	diffs, err = svc.Check(ctx)
	must(t, err)
	if len(diffs) != 0 {
		t.Errorf("check with the return: %v", diffs)
	}
	e.MustDo(t, 200, "POST", "/v1/insights:rebuild", e.Admin, map[string]any{})
	if r, _ := outletReturns(); r != 400 {
		t.Errorf("outlet returns after rebuild %d, want 400", r)
	}
	var zero int64
	must(t, g.Raw(`SELECT COUNT(*) FROM insights_orders WHERE buyer_key LIKE '%138%'`).Scan(&zero).Error)
	if zero != 0 {
		t.Error("a phone in clear in the buyer keys")
	}
}

// Insights keeps its own copies of the warehouse's event names (it does not import the
// warehouse): they must stay the warehouse's.
func TestWarehouseEventNames(t *testing.T) {
	if insights.TopicDocumentPosted != warehouse.TopicDocumentPosted || insights.DocDelivery != warehouse.DocDelivery {
		t.Fatalf("insights listens to %q/%q, the warehouse posts %q/%q", insights.TopicDocumentPosted, insights.DocDelivery,
			warehouse.TopicDocumentPosted, warehouse.DocDelivery)
	}
	b, err := json.Marshal(warehouse.PostedEvent{Document: 7, Type: warehouse.DocDelivery})
	must(t, err)
	if !strings.Contains(string(b), `"document":7`) || !strings.Contains(string(b), `"type":"delivery"`) {
		t.Fatalf("the posted event's fields changed: %s", b)
	}
}
