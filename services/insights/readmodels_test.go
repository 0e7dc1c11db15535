package insights_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

// The read models (item and outlet blocks, shop days, buyer numbers and summaries) and the
// answers kept per replica must give exactly what the facts give. The oracles here are
// the queries the insights answered with before the read models existed, run over
// insights_daily_sales and insights_orders, and the former Go code of tiers, scores and
// quadrants.

type abcFigures struct{ Sold, Returned, Net, Cost int64 }

// abcOracle sums the daily facts per item.
func abcOracle(t *testing.T, g *gorm.DB, from, to, channel string) map[int64]abcFigures {
	t.Helper()
	q := `SELECT item_id, SUM(sold_qty) AS sold, SUM(returned_qty) AS returned, SUM(sold_amount - returned_amount) AS net,
		SUM(cost) AS cost FROM insights_daily_sales WHERE day BETWEEN ? AND ?`
	args := []any{from, to}
	if channel != "" {
		q += ` AND channel = ?`
		args = append(args, channel)
	}
	var rows []struct{ ItemID, Sold, Returned, Net, Cost int64 }
	must(t, g.Raw(q+` GROUP BY item_id HAVING SUM(sold_qty) <> 0 OR SUM(sold_amount) <> 0 OR SUM(returned_qty) <> 0
		OR SUM(returned_amount) <> 0 OR SUM(cost) <> 0`, args...).Scan(&rows).Error)
	out := map[int64]abcFigures{}
	for _, r := range rows {
		out[r.ItemID] = abcFigures{r.Sold, r.Returned, r.Net, r.Cost}
	}
	return out
}

type buyerAnswer struct {
	BuyerKey, Channel, LastOrderDate string
	Orders, Spend                    int64
	RecencyDays, R, F, M             int32
	Tier                             string
}

type quadrantAnswer struct {
	Name          string
	Buyers, Spend int64
	Members       []buyerAnswer
}

type customersAnswer struct {
	Registered, BoughtOnce, Repeat, Vip, SplitOrders, SplitSpend int64
	Quadrants                                                    []quadrantAnswer
}

// customersOracle is the former GetCustomers over insights_orders (defaults: VIP at 5
// orders or 1000.00, splits at the lower medians).
func customersOracle(t *testing.T, g *gorm.DB, from, to string, shop int64, limit int) customersAnswer {
	t.Helper()
	q := `SELECT buyer_key, channel, SUM(counted) AS orders, SUM(IF(counted = 1, paid - refunded, 0)) AS spend,
		COALESCE(DATE_FORMAT(MAX(IF(counted = 1, day, NULL)), '%Y-%m-%d'), '') AS last_order_date
		FROM insights_orders WHERE day BETWEEN ? AND ? AND buyer_key <> ''`
	args := []any{from, to}
	if shop != 0 {
		q += ` AND shop_id = ?`
		args = append(args, shop)
	}
	var all []buyerAnswer
	must(t, g.Raw(q+` GROUP BY buyer_key, channel`, args...).Scan(&all).Error)
	toDay, _ := time.Parse(time.DateOnly, to)
	var out customersAnswer
	var buyers []buyerAnswer
	for _, b := range all {
		switch {
		case b.Orders == 0:
			out.Registered++
			continue
		case b.Orders >= 5 || b.Spend >= 100000:
			b.Tier = "vip"
			out.Vip++
		case b.Orders == 1:
			b.Tier = "once"
			out.BoughtOnce++
		default:
			b.Tier = "repeat"
			out.Repeat++
		}
		last, _ := time.Parse(time.DateOnly, b.LastOrderDate)
		b.RecencyDays = int32(toDay.Sub(last).Hours() / 24)
		buyers = append(buyers, b)
	}
	n := len(buyers)
	scores := func(key func(int) int64) []int32 {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(key(a), key(b)) })
		s := make([]int32, n)
		rank := 0
		for r, i := range idx {
			if r == 0 || key(i) != key(idx[r-1]) {
				rank = r
			}
			s[i] = int32(1 + rank*5/n)
		}
		return s
	}
	if n > 0 {
		r := scores(func(i int) int64 { return -int64(buyers[i].RecencyDays) })
		f := scores(func(i int) int64 { return buyers[i].Orders })
		m := scores(func(i int) int64 { return buyers[i].Spend })
		for i := range buyers {
			buyers[i].R, buyers[i].F, buyers[i].M = r[i], f[i], m[i]
		}
		median := func(v func(buyerAnswer) int64) int64 {
			s := make([]int64, n)
			for i, b := range buyers {
				s[i] = v(b)
			}
			slices.Sort(s)
			return s[(n-1)/2]
		}
		out.SplitOrders = median(func(b buyerAnswer) int64 { return b.Orders })
		out.SplitSpend = median(func(b buyerAnswer) int64 { return b.Spend })
	}
	slices.SortFunc(buyers, func(a, b buyerAnswer) int {
		return cmp.Or(cmp.Compare(b.Spend, a.Spend), cmp.Compare(a.BuyerKey, b.BuyerKey))
	})
	names := []string{"high_frequency_high_spend", "high_frequency_low_spend", "low_frequency_high_spend", "low_frequency_low_spend"}
	quads := make([]quadrantAnswer, 4)
	for i := range quads {
		quads[i].Name = names[i]
	}
	for _, b := range buyers {
		i := 3
		switch hf, hs := b.Orders > out.SplitOrders, b.Spend > out.SplitSpend; {
		case hf && hs:
			i = 0
		case hf:
			i = 1
		case hs:
			i = 2
		}
		quads[i].Buyers++
		quads[i].Spend += b.Spend
		if len(quads[i].Members) < limit {
			quads[i].Members = append(quads[i].Members, b)
		}
	}
	out.Quadrants = quads
	return out
}

type channelAnswer struct {
	ShopID  int64  `json:"shopId"`
	Channel string `json:"channel"`
	Current struct {
		Orders, Buyers, Gmv, Paid, RefundedOrders, Refunded, Fees, Cost int64
	} `json:"current"`
}

// channelsOracle is the former channel figures over insights_orders and the daily facts.
func channelsOracle(t *testing.T, g *gorm.DB, from, to string, byShop bool) []string {
	t.Helper()
	shop, group := "shop_id", "shop_id, channel"
	if !byShop {
		shop, group = "0", "channel"
	}
	var rows []channelAnswer
	var orders []struct {
		ShopID                                                    int64
		Channel                                                   string
		Orders, Buyers, Gmv, Paid, RefundedOrders, Refunded, Fees int64
	}
	must(t, g.Raw(`SELECT `+shop+` AS shop_id, channel, COUNT(*) AS orders, COUNT(DISTINCT NULLIF(buyer_key, '')) AS buyers,
		SUM(goods) AS gmv, SUM(paid) AS paid, SUM(refunded_lines > 0) AS refunded_orders, SUM(refunded) AS refunded,
		SUM(fees) AS fees FROM insights_orders WHERE day BETWEEN ? AND ? AND counted = 1 GROUP BY `+group, from, to).Scan(&orders).Error)
	var costs []struct {
		ShopID  int64
		Channel string
		Cost    int64
	}
	must(t, g.Raw(`SELECT `+shop+` AS shop_id, channel, SUM(cost) AS cost FROM insights_daily_sales
		WHERE day BETWEEN ? AND ? AND shop_id <> 0 GROUP BY `+group+` HAVING SUM(cost) <> 0`, from, to).Scan(&costs).Error)
	byKey := map[string]*channelAnswer{}
	get := func(shop int64, ch string) *channelAnswer {
		k := fmt.Sprint(shop, ch)
		if byKey[k] == nil {
			byKey[k] = &channelAnswer{ShopID: shop, Channel: ch}
			rows = append(rows, channelAnswer{})
		}
		return byKey[k]
	}
	for _, o := range orders {
		c := get(o.ShopID, o.Channel)
		c.Current.Orders, c.Current.Buyers, c.Current.Gmv, c.Current.Paid = o.Orders, o.Buyers, o.Gmv, o.Paid
		c.Current.RefundedOrders, c.Current.Refunded, c.Current.Fees = o.RefundedOrders, o.Refunded, o.Fees
	}
	for _, k := range costs {
		get(k.ShopID, k.Channel).Current.Cost = k.Cost
	}
	var out []string
	for _, c := range byKey {
		out = append(out, fmt.Sprintf("%d %s %+v", c.ShopID, c.Channel, c.Current))
	}
	slices.Sort(out)
	return out
}

// TestReadModelsAgreeWithFacts builds a history of 240 online orders by 25 buyers in three
// shops (two on one platform) over 120 days, with cancellations, refunds and late changes,
// and compares ABC, customers and channels over several periods with the oracles: after
// folding, after a rebuild, and after changes made between two asks (the kept answers must
// follow). Check must stay clean, and catch read models changed behind its back.
func TestReadModelsAgreeWithFacts(t *testing.T) {
	e := apptest.Start(t)
	ctx := reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	b, err := cat.CreateBranch(ctx, catalog.Branch{Code: "CQ", Name: "重庆"})
	must(t, err)
	wh, err := cat.CreateWarehouse(ctx, catalog.Warehouse{Code: "W1", Name: "仓", Branch: b.ID})
	must(t, err)
	shops := map[string]int64{}
	for _, s := range []struct{ code, platform string }{{"T1", "tmall"}, {"T2", "tmall"}, {"JD", "jd"}} {
		sh, err := cat.CreateShop(ctx, catalog.Shop{Code: s.code, Name: s.code, Platform: s.platform, Branch: b.ID, DefaultWarehouse: wh.ID})
		must(t, err)
		shops[s.code] = sh.ID
	}
	const items = 8
	for i := range items {
		_, err := cat.CreateItem(ctx, catalog.Item{SKU: fmt.Sprintf("I%d", i), Name: fmt.Sprintf("香肠 %d", i), Unit: "bag", Active: true})
		must(t, err)
	}
	loc := e.App.Cfg.TimeZone
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	D := today.AddDate(0, 0, -1)

	rng := rand.New(rand.NewPCG(20, 26))
	type pushed struct {
		shop, id, phone, status string
		at                      time.Time
		lines                   []map[string]any
		paid, fees              int64
	}
	var all []*pushed
	codes := []string{"T1", "T2", "JD"}
	for k := range 240 {
		o := &pushed{shop: codes[rng.IntN(3)], id: fmt.Sprintf("o%d", k), status: "paid",
			phone: fmt.Sprintf("1390000%04d", rng.IntN(25)),
			at:    today.AddDate(0, 0, -rng.IntN(121)).Add(time.Duration(rng.IntN(24*60)) * time.Minute)}
		switch rng.IntN(10) {
		case 0:
			o.status = "cancelled"
		case 1, 2:
			o.status = "shipped"
		}
		for l := range 1 + rng.IntN(3) {
			refund := ""
			if rng.IntN(12) == 0 {
				refund = "refunded"
			}
			ln := line(fmt.Sprintf("I%d", rng.IntN(items)), int64(1+rng.IntN(3))*1000, int64(500+100*rng.IntN(20)), refund)
			ln["platformLineId"] = fmt.Sprint(l)
			o.lines = append(o.lines, ln)
		}
		for _, l := range o.lines {
			o.paid += l["quantity"].(int64) * l["unitPrice"].(int64) / 1000
		}
		o.fees = o.paid / 20
		all = append(all, o)
	}
	push := func(list []*pushed, bump time.Duration) {
		t.Helper()
		byShop := map[string][]any{}
		for _, o := range list {
			m := order(o.id, o.phone, o.status, o.at, o.paid, o.fees, o.lines...)
			m["updateTime"] = o.at.Add(time.Minute + bump).Format(time.RFC3339Nano)
			byShop[o.shop] = append(byShop[o.shop], m)
		}
		for code, orders := range byShop {
			for lo := 0; lo < len(orders); lo += 100 {
				e.MustDo(t, 200, "POST", "/v1/shops/"+code+"/orders:push", e.Admin, map[string]any{"orders": orders[lo:min(lo+100, len(orders))]})
			}
		}
		waitFacts(t, e)
	}
	push(all, 0)

	manager := e.UserToken(t, "boss", []string{reqctx.RoleManager})
	g := e.App.DB.WithContext(ctx)
	dd := func(days int) string { return D.AddDate(0, 0, days).Format(time.DateOnly) }
	periods := [][2]string{{dd(-29), dd(0)}, {dd(-59), dd(-30)}, {dd(-119), dd(0)}, {dd(-6), dd(-6)}, {dd(-90), dd(-10)},
		{dd(-364), dd(0)}, {dd(-45), dd(1)}}
	answers := func(t *testing.T) string {
		t.Helper()
		var all strings.Builder
		for _, p := range periods {
			for _, channel := range []string{"", "tmall"} {
				var abc struct {
					Items []struct {
						ItemID                                         int64
						SoldQuantity, ReturnedQuantity, NetSales, Cost int64
					}
				}
				e.MustDo(t, 200, "GET", "/v1/insights/abc?from="+p[0]+"&to="+p[1]+"&channel="+channel, manager, nil).Decode(t, &abc)
				want := abcOracle(t, g, p[0], p[1], channel)
				if len(abc.Items) != len(want) {
					t.Errorf("abc %v %q: %d items, want %d", p, channel, len(abc.Items), len(want))
				}
				for _, it := range abc.Items {
					if got := (abcFigures{it.SoldQuantity, it.ReturnedQuantity, it.NetSales, it.Cost}); got != want[it.ItemID] {
						t.Errorf("abc %v %q item %d: %+v, want %+v", p, channel, it.ItemID, got, want[it.ItemID])
					}
				}
				fmt.Fprintf(&all, "abc %v %q %+v\n", p, channel, abc)
			}
			for _, shop := range []int64{0, shops["T1"]} {
				for _, limit := range []int{3, 100} {
					var cu customersAnswer
					e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/insights/customers?from=%s&to=%s&shop=%d&limit=%d", p[0], p[1], shop, limit),
						manager, nil).Decode(t, &cu)
					want := customersOracle(t, g, p[0], p[1], shop, limit)
					if got, w := fmt.Sprintf("%+v", cu), fmt.Sprintf("%+v", want); got != w {
						t.Errorf("customers %v shop %d limit %d:\n got %s\nwant %s", p, shop, limit, got, w)
					}
					fmt.Fprintf(&all, "customers %v %d %d %+v\n", p, shop, limit, cu)
				}
			}
			var ch struct{ Shops, Platforms []channelAnswer }
			e.MustDo(t, 200, "GET", "/v1/insights/channels?from="+p[0]+"&to="+p[1], manager, nil).Decode(t, &ch)
			for _, side := range []struct {
				list   []channelAnswer
				byShop bool
			}{{ch.Shops, true}, {ch.Platforms, false}} {
				var got []string
				for _, c := range side.list {
					if c.Current != (channelAnswer{}).Current {
						got = append(got, fmt.Sprintf("%d %s %+v", c.ShopID, c.Channel, c.Current))
					}
				}
				slices.Sort(got)
				if want := channelsOracle(t, g, p[0], p[1], side.byShop); !slices.Equal(got, want) {
					t.Errorf("channels %v by shop %v:\n got %v\nwant %v", p, side.byShop, got, want)
				}
			}
			fmt.Fprintf(&all, "channels %v %+v\n", p, ch)
		}
		return all.String()
	}
	check := func(t *testing.T) {
		t.Helper()
		diffs, err := e.App.Insights.Check(ctx)
		must(t, err)
		if len(diffs) != 0 {
			t.Errorf("check: %v", diffs)
		}
	}
	first := answers(t)
	check(t)

	// late changes, between two asks of the same periods: refunds, cancellations, a payment
	// moved to another day, a buyer's new phone; and orders of today (after every period)
	for _, o := range all[:60] {
		switch rng.IntN(4) {
		case 0:
			o.status = "cancelled"
		case 1:
			o.lines[0]["refundStatus"] = "refunded"
		case 2:
			o.at = o.at.AddDate(0, 0, -rng.IntN(20))
		case 3:
			o.phone = fmt.Sprintf("1390000%04d", rng.IntN(30))
		}
	}
	var late []*pushed
	for k := range 10 {
		late = append(late, &pushed{shop: codes[k%3], id: fmt.Sprintf("late%d", k), status: "paid", phone: fmt.Sprintf("1390000%04d", k),
			at: today.Add(time.Hour), lines: []map[string]any{line("I1", 1000, 900, "")}, paid: 900})
	}
	push(append(all[:60:60], late...), time.Hour)
	second := answers(t)
	if second == first {
		t.Error("the changes changed no answer")
	}
	check(t)

	// one more change, of one order: the kept buyer sums are brought up to date by reading
	// again only the buyers of the days it changed
	patched := e.App.Insights.BuyersPatched()
	all[70].lines[0]["refundStatus"] = "refunded"
	all[70].status = "paid"
	push(all[70:71], 2*time.Hour)
	third := answers(t)
	if third == second {
		t.Error("the refund changed no answer")
	}
	if e.App.Insights.BuyersPatched() == patched {
		t.Error("no kept buyer sums were patched")
	}
	check(t)
	second = third

	// a rebuild gives the same answers
	e.MustDo(t, 200, "POST", "/v1/insights:rebuild", e.Admin, map[string]any{})
	if again := answers(t); again != second {
		t.Error("answers differ after the rebuild")
	}
	check(t)

	// read models changed behind folding's back are found, and a rebuild mends them
	for _, q := range []string{
		`UPDATE insights_item_blocks SET sold_amount = sold_amount + 1 WHERE lvl = 3 LIMIT 1`,
		`UPDATE insights_shop_days SET paid = paid - 7 LIMIT 1`,
		`UPDATE insights_buyer_shops SET last_day = last_day + 1 LIMIT 1`,
		`UPDATE insights_orders SET buyer_id = buyer_id + 1 WHERE buyer_id <> 0 LIMIT 1`,
	} {
		must(t, g.Exec(q).Error)
	}
	diffs, err := e.App.Insights.Check(ctx)
	must(t, err)
	found := strings.Join(diffs, "\n")
	for _, model := range []string{"item blocks (level 3)", "shop days", "buyer summaries", "buyer numbers"} {
		if !strings.Contains(found, model) {
			t.Errorf("check did not find the changed %s: %v", model, diffs)
		}
	}
	e.MustDo(t, 200, "POST", "/v1/insights:rebuild", e.Admin, map[string]any{})
	check(t)
}

// tmallShop starts an app with one branch, warehouse W1 and Tmall shop T1 (in the branch,
// shipping from W1) and items of the SKUs given, and answers it with an admin context.
func tmallShop(t *testing.T, skus ...string) (*apptest.Env, context.Context) {
	t.Helper()
	e := apptest.Start(t)
	ctx := reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	b, err := cat.CreateBranch(ctx, catalog.Branch{Code: "CQ", Name: "重庆"})
	must(t, err)
	wh, err := cat.CreateWarehouse(ctx, catalog.Warehouse{Code: "W1", Name: "仓", Branch: b.ID})
	must(t, err)
	_, err = cat.CreateShop(ctx, catalog.Shop{Code: "T1", Name: "T1", Platform: "tmall", Branch: b.ID, DefaultWarehouse: wh.ID})
	must(t, err)
	for _, sku := range skus {
		_, err = cat.CreateItem(ctx, catalog.Item{SKU: sku, Name: "香肠 " + sku, Unit: "bag", Active: true})
		must(t, err)
	}
	return e, ctx
}

// TestBuyerSummariesUnderConcurrentFolds folds the orders of one buyer in many goroutines
// at once, again and again, moving their days: the buyer's summary must end as its facts
// give it. Then the catch-up job folds orders no event announced.
func TestBuyerSummariesUnderConcurrentFolds(t *testing.T) {
	e, ctx := tmallShop(t, "A")
	loc := e.App.Cfg.TimeZone
	now := time.Now().In(loc)
	D := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, loc).AddDate(0, 0, -1)
	var orders []any
	for k := range 24 {
		orders = append(orders, order(fmt.Sprintf("c%d", k), "13900001111", "paid", D.AddDate(0, 0, -k), 1000+int64(k), 0,
			line("A", 1000, 1000+int64(k), "")))
	}
	e.MustDo(t, 200, "POST", "/v1/shops/T1/orders:push", e.Admin, map[string]any{"orders": orders})
	waitFacts(t, e)
	g := e.App.DB.WithContext(ctx)
	var ids []int64
	must(t, g.Raw(`SELECT id FROM orders ORDER BY id`).Scan(&ids).Error)
	// change every order's paid amount in the source, and pay every third 30 days earlier
	// (c0 → D-30, c21 → D-51: the first and last days move), then fold them all at once
	must(t, g.Exec(`UPDATE orders SET paid = paid + 100000`).Error)
	must(t, g.Exec(`UPDATE orders SET paid_at = DATE_SUB(COALESCE(paid_at, platform_created_at), INTERVAL 30 DAY)
		WHERE CAST(SUBSTRING(platform_order_id, 2) AS UNSIGNED) % 3 = 0`).Error)
	var wg sync.WaitGroup
	errs := make(chan error, len(ids)*3)
	for round := range 3 {
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if round == 0 || id%2 == 0 {
					errs <- e.App.Insights.FoldOrder(ctx, id)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	var s struct {
		Orders, PaidOrders, Spend int64
		FirstDay, LastDay         string
	}
	must(t, g.Raw(`SELECT orders, paid_orders, spend, DATE_FORMAT(DATE_ADD('1970-01-01', INTERVAL first_day DAY), '%Y-%m-%d') AS first_day,
		DATE_FORMAT(DATE_ADD('1970-01-01', INTERVAL last_day DAY), '%Y-%m-%d') AS last_day FROM insights_buyer_shops`).Scan(&s).Error)
	// Σ (1000 + k + 100000) over k = 0..23
	if s.Orders != 24 || s.PaidOrders != 24 || s.Spend != 24*101000+276 || s.FirstDay != D.AddDate(0, 0, -51).Format(time.DateOnly) ||
		s.LastDay != D.AddDate(0, 0, -1).Format(time.DateOnly) {
		t.Errorf("summary %+v", s)
	}
	diffs, err := e.App.Insights.Check(ctx)
	must(t, err)
	if len(diffs) != 0 {
		t.Errorf("check: %v", diffs)
	}

	// orders insights never heard of (written behind the order hub's back, as an import
	// before insights existed would be) are folded in by the catch-up job, in batches
	var last int64
	must(t, g.Raw(`SELECT MAX(id) FROM orders`).Scan(&last).Error)
	must(t, g.Exec(`CREATE TEMPORARY TABLE copied AS SELECT * FROM orders WHERE platform_order_id IN ('c0', 'c1', 'c2')`).Error)
	must(t, g.Exec(`UPDATE copied SET id = id + ?, platform_order_id = CONCAT('copy-', platform_order_id)`, last).Error)
	must(t, g.Exec(`INSERT INTO orders SELECT * FROM copied`).Error)
	must(t, g.Exec(`INSERT INTO order_lines SELECT l.order_id + ?, l.line_no, l.platform_line_id, l.sku, l.barcode, l.title,
		l.item_id, l.item_quantity, l.quantity, l.unit_price, l.discount, l.refund_status FROM order_lines l
		JOIN orders o ON o.id = l.order_id WHERE o.platform_order_id IN ('c0', 'c1', 'c2')`, last).Error)
	must(t, e.App.Insights.CatchUp(ctx))
	must(t, g.Raw(`SELECT orders, paid_orders, spend FROM insights_buyer_shops`).Scan(&s).Error)
	// c0, c1 and c2 again: 3 × 101000 + 0 + 1 + 2 more
	if s.Orders != 27 || s.PaidOrders != 27 || s.Spend != 27*101000+276+3 {
		t.Errorf("summary after the catch-up %+v", s)
	}
	if diffs, err := e.App.Insights.Check(ctx); err != nil || len(diffs) != 0 {
		t.Errorf("check after the catch-up: %v %v", diffs, err)
	}
}

// TestFoldsWhilePushing pushes orders from many clients while the outbox delivers their
// events to insights, which folds each delivered batch: no delivery to insights may fail
// (before, each event marked its order in a queue table, and the marks deadlocked with the
// loop draining it, each loser waiting a retry's backoff), insights gets one event per push,
// and the facts end as the check computes them from the orders.
func TestFoldsWhilePushing(t *testing.T) {
	e, ctx := tmallShop(t, "A", "B")
	at := time.Now().Add(-time.Hour)
	const clients, pushes, perPush = 8, 6, 25
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range pushes {
				var batch []any
				for k := range perPush {
					id := fmt.Sprintf("m%d-%d-%d", c, p, k)
					// every order twice in a row: the second push changes it, marking it again
					batch = append(batch, order(id, fmt.Sprintf("1390000%04d", k), "paid", at, 1500, 10,
						line("A", 1000, 1000, ""), line("B", 2000, 250, "")))
				}
				e.MustDo(t, 200, "POST", "/v1/shops/T1/orders:push", e.Admin, map[string]any{"orders": batch})
				for _, o := range batch {
					o.(map[string]any)["paid"] = int64(1400)
				}
				e.MustDo(t, 200, "POST", "/v1/shops/T1/orders:push", e.Admin, map[string]any{"orders": batch})
			}
		}()
	}
	wg.Wait()
	waitFacts(t, e)
	var failed int64
	must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM outbox_events WHERE subscriber LIKE 'insights-%' AND attempts > 0`).Scan(&failed).Error)
	if failed != 0 {
		t.Errorf("%d insights deliveries failed at least once", failed)
	}
	// one event per push (a transaction) naming its orders; allocating them adds none
	var events struct{ Events, Orders int64 }
	must(t, e.App.DB.Raw(`SELECT COUNT(*) AS events, SUM(JSON_LENGTH(payload, '$.orders')) AS orders FROM outbox_events
		WHERE subscriber = 'insights-orders'`).Scan(&events).Error)
	if events.Events != clients*pushes*2 || events.Orders != clients*pushes*2*perPush {
		t.Errorf("insights got %d events naming %d orders; want %d naming %d", events.Events, events.Orders,
			clients*pushes*2, clients*pushes*2*perPush)
	}
	var folded struct{ Orders, Paid int64 }
	must(t, e.App.DB.Raw(`SELECT COUNT(*) AS orders, SUM(paid) AS paid FROM insights_orders`).Scan(&folded).Error)
	if want := int64(clients * pushes * perPush); folded.Orders != want || folded.Paid != want*1400 {
		t.Errorf("order facts %+v; want %d orders paid 14.00 each", folded, want)
	}
	diffs, err := e.App.Insights.Check(ctx)
	must(t, err)
	if len(diffs) != 0 {
		t.Errorf("check: %v", diffs)
	}
}
