package insights_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

// dumpFacts answers the order fact lines and order facts, one text line per row.
func dumpFacts(t *testing.T, g *gorm.DB) (lines, orders string) {
	t.Helper()
	var ls []string
	must(t, g.Raw(`SELECT CONCAT_WS(' ', source_id, line_no, day, channel, shop_id, customer_id, outlet_id, branch_id, warehouse_id,
		item_id, sold_qty, sold_amount, returned_qty, returned_amount, shipped_qty, cost) FROM insights_sales_lines
		WHERE source = 'order' ORDER BY source_id, line_no`).Scan(&ls).Error)
	var os []string
	must(t, g.Raw(`SELECT CONCAT_WS(' ', o.order_id, o.shop_id, o.channel, o.day, o.status, o.counted, o.buyer_key, o.goods, o.paid,
		o.fees, o.refunded, o.refunded_lines, COALESCE(b.buyer_key, '-')) FROM insights_orders o
		LEFT JOIN insights_buyers b ON b.id = o.buyer_id ORDER BY o.order_id`).Scan(&os).Error)
	return strings.Join(ls, "\n"), strings.Join(os, "\n")
}

// TestFoldAgreesWithRebuild folds orders of every kind the rules tell apart through the
// folding loop (computed in Go) and compares its fact lines and order facts, row by row,
// with what the rebuild (the same rules in SQL) makes of the same orders: rounding of
// fractional quantities, line and order discounts with remainders and ties, refunds, an
// unmapped line, statuses that do not count, paid and unpaid dates, phones with +86,
// separators or a mask, a buyer known by platform id only or not at all, shops of two
// branches; then the same after the orders change.
func TestFoldAgreesWithRebuild(t *testing.T) {
	e := apptest.Start(t)
	ctx := reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	for i, code := range []string{"CQ", "CD"} {
		b, err := cat.CreateBranch(ctx, catalog.Branch{Code: code, Name: code})
		must(t, err)
		w, err := cat.CreateWarehouse(ctx, catalog.Warehouse{Code: "W" + code, Name: code, Branch: b.ID})
		must(t, err)
		_, err = cat.CreateShop(ctx, catalog.Shop{Code: []string{"TM", "JD"}[i], Name: code, Platform: []string{"tmall", "jd"}[i],
			Branch: b.ID, DefaultWarehouse: w.ID})
		must(t, err)
	}
	for _, sku := range []string{"A", "B", "C"} {
		_, err := cat.CreateItem(ctx, catalog.Item{SKU: sku, Name: sku, Unit: "bag", Active: true})
		must(t, err)
	}
	at := time.Now().Add(-26 * time.Hour)
	disc := func(l map[string]any, fen int64) map[string]any { l["discount"] = fen; return l }
	with := func(o map[string]any, kv ...any) map[string]any {
		for i := 0; i < len(kv); i += 2 {
			o[kv[i].(string)] = kv[i+1]
		}
		return o
	}
	batches := func(round int64) map[string][]any {
		return map[string][]any{
			"TM": {
				// 1.5 × 3.33 = 4.995 → 5.00; 0.333 × 0.07 rounds to 0.02; order discount 0.07 over three lines
				with(order("f1", "13900001111", "paid", at, 1000, 10, line("A", 1500, 333, ""), line("B", 333, 7, ""),
					disc(line("C", 2000, 250, "refunded"), 30)), "discount", 37+round),
				// the same buyer as f1 (+86, separators); a line without an item (unmapped SKU) shares the discount
				with(order("f2", "+86 139-0000-1111", "shipped", at.Add(-48*time.Hour), 900, 0, line("A", 1000, 600, ""),
					line("ZZ", 1000, 400, "")), "discount", 101),
				// masked phone: the platform id is the buyer
				with(order("f3", "139****2222", "paid", at, 300, 0, line("B", 1000, 300, "")),
					"buyer", map[string]any{"platformId": "open-uid-3", "phone": "139****2222"}),
				// nobody known; cancelled (registered, not counted)
				order("f4", "", "cancelled", at, 0, 0, line("A", 1000, 100, "")),
				// a pending order dates from its creation
				order("f5", "13900005555", "pending_payment", at.Add(-72*time.Hour), 0, 0, line("C", 2000, 100, "")),
			},
			"JD": {
				// ties: three equal lines share 0.02, the lowest line numbers first
				with(order("g1", "13900001111", "completed", at, 2998, 5, line("A", 1000, 1000, ""), line("B", 1000, 1000, ""),
					line("C", 1000, 1000, "refunded")), "discount", 2*round),
				// the discount exceeds the goods
				with(order("g2", "13900006666", "paid", at, 0, 0, line("A", 1000, 100, "")), "discount", 500),
			},
		}
	}
	compare := func(step string) {
		t.Helper()
		waitFacts(t, e)
		g := e.App.DB.WithContext(ctx)
		foldLines, foldOrders := dumpFacts(t, g)
		if n := strings.Count(foldOrders, "\n") + 1; n != 7 {
			t.Fatalf("%s: %d orders folded; want all 7:\n%s", step, n, foldOrders)
		}
		e.MustDo(t, 200, "POST", "/v1/insights:rebuild", e.Admin, map[string]any{})
		sqlLines, sqlOrders := dumpFacts(t, g)
		if foldLines != sqlLines {
			t.Errorf("%s: fact lines differ\nfolded:\n%s\nrebuilt:\n%s", step, foldLines, sqlLines)
		}
		if foldOrders != sqlOrders {
			t.Errorf("%s: order facts differ\nfolded:\n%s\nrebuilt:\n%s", step, foldOrders, sqlOrders)
		}
		if diffs, err := e.App.Insights.Check(ctx); err != nil || len(diffs) != 0 {
			t.Errorf("%s: check: %v %v", step, diffs, err)
		}
	}
	for shop, orders := range batches(0) {
		e.MustDo(t, 200, "POST", "/v1/shops/"+shop+"/orders:push", e.Admin, map[string]any{"orders": orders})
	}
	compare("pushed")
	// a later version of every order: other discounts; f5 paid now, f4 reopened
	later := batches(1)
	for shop, orders := range later {
		for _, o := range orders {
			o := o.(map[string]any)
			o["updateTime"] = at.Add(2 * time.Hour).Format(time.RFC3339Nano)
			switch o["platformOrderId"] {
			case "f5":
				o["status"], o["paid"], o["payTime"] = "paid", int64(200), at.Add(time.Hour).Format(time.RFC3339Nano)
			case "f4":
				o["status"] = "paid"
			}
		}
		e.MustDo(t, 200, "POST", "/v1/shops/"+shop+"/orders:push", e.Admin, map[string]any{"orders": orders})
	}
	compare("changed")
}
