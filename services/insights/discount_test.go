package insights_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

// An order-level discount is spread over the order's lines in proportion to their amounts,
// in whole fen that add up to the discount (largest remainder):
//
//	d1 paid 18.00: A 1 × 10.00 = 1000; B 2 × 3.50 = 700 less its own 1.00 = 600;
//	   C 1 × 3.00 = 300 (refunded). Discount 2.00 = B's 1.00 + 1.00 for the order.
//	   Shares of 100 over 1900: A 100000/1900 = 52 r 1200, B 60000/1900 = 31 r 1100,
//	   C 30000/1900 = 15 r 1500; 98 given, the 2 fen left go to C (1500) and A (1200):
//	   A 53, B 31, C 16 → sold A 947, B 569, C 284 (= 1800, what was paid); C's refund
//	   returns 284.
//	d2 paid 2.00: A 1 × 5.00, discount 6.00 (it also covered the 3.00 shipping): the
//	   line takes at most its amount, 500 → sold 0.
//	d3 paid 29.00: A, B, C 1 × 10.00 each, discount 1.00: 33 r 1000 each, the fen left
//	   goes to the lowest line number: A 967 - 1 = 966, B 967, C 967.
//	d4 paid 0.00: A 1 × 0.00, a gift with nothing to spread over (no division by zero).
func TestOrderDiscountSpread(t *testing.T) {
	e := apptest.Start(t)
	ctx := reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	b, err := cat.CreateBranch(ctx, catalog.Branch{Code: "CQ", Name: "重庆"})
	must(t, err)
	w, err := cat.CreateWarehouse(ctx, catalog.Warehouse{Code: "W0", Name: "仓", Branch: b.ID})
	must(t, err)
	_, err = cat.CreateShop(ctx, catalog.Shop{Code: "TMALL", Name: "天猫", Platform: "tmall", Branch: b.ID, DefaultWarehouse: w.ID})
	must(t, err)
	ids := map[string]int64{}
	for _, sku := range []string{"A", "B", "C"} {
		it, err := cat.CreateItem(ctx, catalog.Item{SKU: sku, Name: "香肠 " + sku, Unit: "bag", Active: true})
		must(t, err)
		ids[sku] = it.ID
	}
	loc := e.App.Cfg.TimeZone
	now := time.Now().In(loc)
	noon := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, loc).AddDate(0, 0, -1)
	dd := noon.Format(time.DateOnly)
	withDiscount := func(l map[string]any, fen int64) map[string]any { l["discount"] = fen; return l }
	d1 := order("d1", "13800000001", "paid", noon, 1800, 0, line("A", 1000, 1000, ""),
		withDiscount(line("B", 2000, 350, ""), 100), line("C", 1000, 300, "refunded"))
	d1["discount"] = 200
	d2 := order("d2", "13800000002", "paid", noon, 200, 0, line("A", 1000, 500, ""))
	d2["discount"], d2["shipping"] = 600, 300
	d3 := order("d3", "13800000003", "paid", noon, 2900, 0, line("A", 1000, 1000, ""), line("B", 1000, 1000, ""),
		line("C", 1000, 1000, ""))
	d3["discount"] = 100
	d4 := order("d4", "13800000004", "paid", noon, 0, 0, line("A", 1000, 0, ""))
	var pushed struct {
		Results []struct{ Outcome, Reason string }
	}
	e.MustDo(t, 200, "POST", "/v1/shops/TMALL/orders:push", e.Admin, map[string]any{"orders": []any{d1, d2, d3, d4}}).Decode(t, &pushed)
	for _, r := range pushed.Results {
		if r.Outcome != "created" {
			t.Fatalf("push: %+v", pushed)
		}
	}
	waitFacts(t, e)

	g := e.App.DB.WithContext(ctx)
	lines := func() string {
		t.Helper()
		var rows []struct {
			Order                        string
			LineNo                       int
			SoldAmount, ReturnedAmount   int64
			SoldQty, ReturnedQty, ItemID int64
		}
		must(t, g.Raw(`SELECT o.platform_order_id AS `+"`order`"+`, f.line_no, f.sold_amount, f.returned_amount, f.sold_qty,
			f.returned_qty, f.item_id FROM insights_sales_lines f JOIN orders o ON o.id = f.source_id
			WHERE f.source = 'order' ORDER BY o.platform_order_id, f.line_no`).Scan(&rows).Error)
		return fmt.Sprintf("%+v", rows)
	}
	want := fmt.Sprintf("[{Order:d1 LineNo:1 SoldAmount:947 ReturnedAmount:0 SoldQty:1000 ReturnedQty:0 ItemID:%d} "+
		"{Order:d1 LineNo:2 SoldAmount:569 ReturnedAmount:0 SoldQty:2000 ReturnedQty:0 ItemID:%d} "+
		"{Order:d1 LineNo:3 SoldAmount:284 ReturnedAmount:284 SoldQty:1000 ReturnedQty:1000 ItemID:%d} "+
		"{Order:d2 LineNo:1 SoldAmount:0 ReturnedAmount:0 SoldQty:1000 ReturnedQty:0 ItemID:%d} "+
		"{Order:d3 LineNo:1 SoldAmount:966 ReturnedAmount:0 SoldQty:1000 ReturnedQty:0 ItemID:%d} "+
		"{Order:d3 LineNo:2 SoldAmount:967 ReturnedAmount:0 SoldQty:1000 ReturnedQty:0 ItemID:%d} "+
		"{Order:d3 LineNo:3 SoldAmount:967 ReturnedAmount:0 SoldQty:1000 ReturnedQty:0 ItemID:%d} "+
		"{Order:d4 LineNo:1 SoldAmount:0 ReturnedAmount:0 SoldQty:1000 ReturnedQty:0 ItemID:%d}]",
		ids["A"], ids["B"], ids["C"], ids["A"], ids["A"], ids["B"], ids["C"], ids["A"])
	if got := lines(); got != want {
		t.Fatalf("fact lines\n got %s\nwant %s", got, want)
	}

	// the answers carry the shares: net sales (and margin, no cost here) per item:
	// A 947 + 0 + 966, B 569 + 967, C 284 - 284 + 967
	manager := e.UserToken(t, "boss", []string{reqctx.RoleManager})
	abc := func(basis string) string {
		var a abcAnswer
		e.MustDo(t, 200, "GET", "/v1/insights/abc?basis="+basis+"&from="+dd+"&to="+dd, manager, nil).Decode(t, &a)
		s := fmt.Sprint(a.Total)
		for _, it := range a.Items {
			s += fmt.Sprintf(" %s:%d", it.ItemSku, it.Value)
		}
		return s
	}
	for _, basis := range []string{"sales", "margin"} {
		if got := abc(basis); got != "4416 A:1913 B:1536 C:967" {
			t.Errorf("abc by %s: %s, want 4416 A:1913 B:1536 C:967", basis, got)
		}
	}

	// the channel's refunds are what the refunded line was paid: C's 300 less its 16 of the
	// order discount; one of four orders refunded
	var ch struct {
		Shops []struct {
			Current struct {
				Refunded       int64 `json:"refunded"`
				RefundedOrders int64 `json:"refundedOrders"`
				RefundRateBp   int32 `json:"refundRateBp"`
			} `json:"current"`
		} `json:"shops"`
	}
	e.MustDo(t, 200, "GET", "/v1/insights/channels?from="+dd+"&to="+dd, manager, nil).Decode(t, &ch)
	if len(ch.Shops) != 1 || ch.Shops[0].Current.Refunded != 284 || ch.Shops[0].Current.RefundedOrders != 1 ||
		ch.Shops[0].Current.RefundRateBp != 2500 {
		t.Errorf("channel refunds %+v; want 284 in 1 order of 4 (2500 bp)", ch.Shops)
	}

	// facts folded by the rules before version 2 (a refund before its share) are refolded
	// by the next catch-up, once
	var d1ID int64
	must(t, g.Raw(`SELECT id FROM orders WHERE platform_order_id = 'd1'`).Scan(&d1ID).Error)
	must(t, g.Exec(`UPDATE insights_orders SET refunded = 300 WHERE order_id = ?`, d1ID).Error)
	must(t, g.Exec(`UPDATE insights_shop_days SET refunded = refunded + 16`).Error)
	must(t, g.Exec(`UPDATE insights_buyer_shops b JOIN insights_orders o ON o.buyer_id = b.buyer_id AND o.shop_id = b.shop_id
		SET b.spend = b.spend - 16 WHERE o.order_id = ?`, d1ID).Error)
	must(t, g.Exec(`DELETE FROM insights_state WHERE name = 'rules'`).Error)
	if diffs, err := e.App.Insights.Check(ctx); err != nil || len(diffs) == 0 {
		t.Fatalf("check of the older facts found nothing (%v)", err)
	}
	must(t, e.App.Insights.CatchUp(ctx))
	var refunded int64
	must(t, g.Raw(`SELECT SUM(refunded) FROM insights_shop_days`).Scan(&refunded).Error)
	if refunded != 284 {
		t.Errorf("shop days refunded %d after the catch-up; want 284", refunded)
	}

	// the check agrees, and a rebuild gives the same lines
	diffs, err := e.App.Insights.Check(ctx)
	must(t, err)
	if len(diffs) != 0 {
		t.Errorf("check: %v", diffs)
	}
	e.MustDo(t, 200, "POST", "/v1/insights:rebuild", e.Admin, map[string]any{})
	if got := lines(); got != want {
		t.Errorf("fact lines after rebuild\n got %s\nwant %s", got, want)
	}
}
