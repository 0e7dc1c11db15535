package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	insightsv1 "github.com/erphub/erphub/api/erp/insights/v1"
)

// Insights scenarios:
//
//   - insights-rebuild-1m: a year of online orders in two shops (250,000 orders of four
//     lines: 1,000,000 order lines, 500 items, 50,000 buyers) is written straight into the
//     order tables (pushing them through the API is measured by the order scenarios), then
//     one RebuildFacts call rebuilds every fact from them. units/s is order lines per second;
//     elapsed is the rebuild.
//   - insights-abc, insights-customers, insights-channels, insights-replenishment: 4 clients
//     ask over that history (ABC of the last 30 days, customers of the year, channels of the
//     last 30 days against the 30 before and the same days a year before, replenishment);
//     the latency is the figure. The clients ask the same question again and again with no
//     change to the facts, so after the first answer erpd answers from the period sums it
//     keeps (insights' answer cache).
//   - insights-abc-uncached, insights-customers-uncached, insights-channels-uncached: the
//     same questions, each client over its own period (ending 0-3 days before yesterday),
//     after changing, each time, the paid amount of an order inside every client's period
//     and waiting until insights has folded it: every measured answer is the first after a
//     change of its facts. ABC and channels sum their blocks and shop days again; customers
//     read again only the buyers of the changed day into the buyer sums kept for the period.
//     Only the question is timed; req/s counts change, fold and question.
//   - insights-customers-cold: customers over a period no one asked before (each ask reaches
//     one more day back, before the history begins, so every ask covers all 250,000
//     orders): every buyer's sums are read from the read models. insights-customers-cold-1
//     asks the same with one client (one manager at a time).
func init() {
	register(
		scenario{name: "insights-rebuild-1m", clients: 1, unitsOf: func() int { return *insightOrders * 4 },
			setup: setupInsights, op: rebuildOp, once: true},
		scenario{name: "insights-abc", clients: 4, setup: setupInsightFacts, op: insightQuery(func(to time.Time) string {
			return "/v1/insights/abc?from=" + day(to.AddDate(0, 0, -29)) + "&to=" + day(to)
		})},
		scenario{name: "insights-customers", clients: 4, setup: setupInsightFacts, op: insightQuery(func(to time.Time) string {
			return "/v1/insights/customers?from=" + day(to.AddDate(0, 0, -364)) + "&to=" + day(to) + "&limit=100"
		})},
		scenario{name: "insights-channels", clients: 4, setup: setupInsightFacts, op: insightQuery(func(to time.Time) string {
			return "/v1/insights/channels?from=" + day(to.AddDate(0, 0, -29)) + "&to=" + day(to)
		})},
		scenario{name: "insights-replenishment", clients: 4, setup: setupInsightFacts, op: insightQuery(func(time.Time) string {
			return "/v1/insights/replenishment"
		})},
		scenario{name: "insights-abc-uncached", clients: 4, setup: setupInsightChanges, timed: afterChange(func(to time.Time) string {
			return "/v1/insights/abc?from=" + day(to.AddDate(0, 0, -29)) + "&to=" + day(to)
		})},
		scenario{name: "insights-customers-uncached", clients: 4, setup: setupInsightChanges, timed: afterChange(func(to time.Time) string {
			return "/v1/insights/customers?from=" + day(to.AddDate(0, 0, -364)) + "&to=" + day(to) + "&limit=100"
		})},
		scenario{name: "insights-channels-uncached", clients: 4, setup: setupInsightChanges, timed: afterChange(func(to time.Time) string {
			return "/v1/insights/channels?from=" + day(to.AddDate(0, 0, -29)) + "&to=" + day(to)
		})},
		scenario{name: "insights-customers-cold", clients: 4, setup: setupInsightFacts, op: coldCustomers},
		scenario{name: "insights-customers-cold-1", clients: 1, setup: setupInsightFacts, op: coldCustomers},
	)
}

// coldCustomers asks customers over a period no one asked before.
func coldCustomers(ctx context.Context, e *env, _ int) error {
	to := time.Now().AddDate(0, 0, -1)
	back := int(coldAsks.Add(1) % 700)
	return e.call(ctx, "GET", "/v1/insights/customers?from="+day(to.AddDate(0, 0, -364-back))+"&to="+day(to)+"&limit=100", nil, nil)
}

// coldAsks counts the asks of insights-customers-cold (each reaches one more day back).
var coldAsks atomic.Int64

var insightOrders = flag.Int("insight-orders", 250_000, "orders (of four lines) for the insights scenarios")

var ins struct {
	once, facts, changes sync.Once
	err, ferr, cerr      error
	rebuilt              atomic.Bool
	db                   *sql.DB
	orders               []int64 // orders inside every client's period, to change
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

func setupInsights(ctx context.Context, e *env) error {
	ins.once.Do(func() { ins.err = seedOrders(ctx, e) })
	return ins.err
}

// setupInsightFacts seeds the history and rebuilds the facts once (when the rebuild
// scenario did not run first).
func setupInsightFacts(ctx context.Context, e *env) error {
	if err := setupInsights(ctx, e); err != nil {
		return err
	}
	ins.facts.Do(func() {
		if ins.rebuilt.Load() {
			return
		}
		ins.ferr = rebuildOp(ctx, e, 0)
	})
	return ins.ferr
}

func seedOrders(ctx context.Context, e *env) error {
	if err := prepareWorld(ctx, e); err != nil {
		return err
	}
	started := time.Now()
	var b struct{ ID int64 }
	if err := e.call(ctx, "POST", "/v1/branches", map[string]any{"code": "IX", "name": "insights"}, &b); err != nil {
		return err
	}
	var w struct{ ID int64 }
	if err := e.call(ctx, "POST", "/v1/warehouses", map[string]any{"code": "IX-01", "name": "insights", "branch": b.ID}, &w); err != nil {
		return err
	}
	shops := make([]int64, 2)
	for i, p := range []string{"tmall", "jd"} {
		var s struct{ ID int64 }
		if err := e.call(ctx, "POST", "/v1/shops", map[string]any{"code": fmt.Sprintf("IX-%s", p), "name": p, "platform": p,
			"branch": b.ID, "defaultWarehouse": w.ID}, &s); err != nil {
			return err
		}
		shops[i] = s.ID
	}
	const items = 500
	ids, err := createItems(ctx, e, "IX", items)
	if err != nil {
		return err
	}
	db, err := financeDB(e)
	if err != nil {
		return err
	}
	defer db.Close()
	var first int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM orders`).Scan(&first); err != nil {
		return err
	}
	n := *insightOrders
	now := time.Now().UTC()
	const chunk = 2000
	err = parallel(2, (n+chunk-1)/chunk, func(c int) error {
		var oq, lq strings.Builder
		oq.WriteString(`INSERT INTO orders (id, shop_id, platform_order_id, channel, status, currency, buyer_id, buyer_phone, goods,
			paid, fees, paid_at, platform_created_at, platform_updated_at, content_hash, created_at, updated_at) VALUES `)
		lq.WriteString(`INSERT INTO order_lines (order_id, line_no, sku, item_id, item_quantity, quantity, unit_price, refund_status) VALUES `)
		var oargs, largs []any
		lines := 0
		for k := c * chunk; k < min((c+1)*chunk, n); k++ {
			id := first + int64(k) + 1
			shop := shops[k%2]
			platform := []string{"tmall", "jd"}[k%2]
			// buyers repeat: a Zipf-like skew over 50,000
			buyer := int(50_000 * (1 - rand.Float64()*rand.Float64()))
			paidAt := now.Add(-time.Duration(rand.IntN(365*24)) * time.Hour)
			var goods int64
			for l := range 4 {
				item := (k*7 + l*131) % items
				if rand.IntN(3) == 0 {
					item = rand.IntN(20) // a few best sellers
				}
				qty := int64(1+rand.IntN(3)) * 1000
				price := int64(1990 + item*10)
				goods += qty * price / 1000
				refund := ""
				if rand.IntN(50) == 0 {
					refund = "refunded"
				}
				if lines > 0 {
					lq.WriteString(",")
				}
				lines++
				lq.WriteString("(?,?,?,?,?,?,?,?)")
				largs = append(largs, id, l+1, fmt.Sprintf("IX-%03d", item), ids[item], qty, qty, price, refund)
			}
			if len(oargs) > 0 {
				oq.WriteString(",")
			}
			oq.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,NOW(6),NOW(6))")
			hash := sha256.Sum256([]byte(fmt.Sprint(id)))
			oargs = append(oargs, id, shop, fmt.Sprintf("IX%012d", id), platform, "shipped", "CNY", fmt.Sprintf("b%d", buyer),
				fmt.Sprintf("139%08d", buyer), goods, goods, goods/20, paidAt, paidAt, paidAt, hash[:])
		}
		if _, err := db.ExecContext(ctx, oq.String(), oargs...); err != nil {
			return err
		}
		_, err := db.ExecContext(ctx, lq.String(), largs...)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("  (%d orders, %d order lines over a year in 2 shops written in %.1f s)\n", n, 4*n, time.Since(started).Seconds())
	return nil
}

func rebuildOp(ctx context.Context, e *env, w int) error {
	if ins.rebuilt.Swap(true) {
		return errExhausted
	}
	resp, err := insightsv1.NewInsightsServiceClient(e.conn(w)).RebuildFacts(e.auth(ctx), &insightsv1.RebuildFactsRequest{})
	if err != nil {
		return err
	}
	fmt.Printf("  (rebuilt %d orders, %d fact lines in %d ms)\n", resp.GetOrders(), resp.GetLines(), resp.GetTookMs())
	if resp.GetLines() < int64(*insightOrders)*3 {
		return fmt.Errorf("only %d fact lines", resp.GetLines())
	}
	return nil
}

func insightQuery(path func(to time.Time) string) func(ctx context.Context, e *env, w int) error {
	return func(ctx context.Context, e *env, _ int) error {
		return e.call(ctx, "GET", path(time.Now().AddDate(0, 0, -1)), nil, nil)
	}
}

// setupInsightChanges finds orders paid 4 to 26 days before yesterday (inside every
// uncached client's period) to change.
func setupInsightChanges(ctx context.Context, e *env) error {
	if err := setupInsightFacts(ctx, e); err != nil {
		return err
	}
	ins.changes.Do(func() {
		if ins.db, ins.cerr = financeDB(e); ins.cerr != nil {
			return
		}
		y := time.Now().AddDate(0, 0, -1)
		rows, err := ins.db.QueryContext(ctx, `SELECT order_id FROM insights_orders WHERE counted = 1 AND day BETWEEN ? AND ?
			ORDER BY order_id LIMIT 5000`, day(y.AddDate(0, 0, -26)), day(y.AddDate(0, 0, -4)))
		if err != nil {
			ins.cerr = err
			return
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if ins.cerr = rows.Scan(&id); ins.cerr != nil {
				return
			}
			ins.orders = append(ins.orders, id)
		}
		if ins.cerr = rows.Err(); ins.cerr == nil && len(ins.orders) == 0 {
			ins.cerr = errors.New("no orders to change")
		}
	})
	return ins.cerr
}

// afterChange changes an order's paid amount as a platform's update would (the source row,
// then the event the order hub publishes with it), waits until insights has folded it (the
// event is delivered), and times the question of the client's own period (ending w days
// before yesterday).
func afterChange(path func(to time.Time) string) func(ctx context.Context, e *env, w int) (time.Duration, error) {
	return func(ctx context.Context, e *env, w int) (time.Duration, error) {
		id := ins.orders[rand.IntN(len(ins.orders))]
		if _, err := ins.db.ExecContext(ctx, `UPDATE orders SET paid = paid + 1, updated_at = NOW(6) WHERE id = ?`, id); err != nil {
			return 0, err
		}
		res, err := ins.db.ExecContext(ctx, `INSERT INTO outbox_events (topic, subscriber, event_key, payload, created_at, next_attempt_at)
			SELECT 'orders.orders.changed', 'insights-orders', CONCAT('shops/', shop_id),
			JSON_OBJECT('shop', shop_id, 'channel', channel, 'orders', JSON_ARRAY(id)), NOW(6), NOW(6) FROM orders WHERE id = ?`, id)
		if err != nil {
			return 0, err
		}
		event, err := res.LastInsertId()
		if err != nil {
			return 0, err
		}
		for deadline := time.Now().Add(time.Minute); ; {
			var pending bool
			if err := ins.db.QueryRowContext(ctx, `SELECT pending FROM outbox_events WHERE id = ?`, event).Scan(&pending); err != nil {
				return 0, err
			}
			if !pending {
				break
			}
			if time.Now().After(deadline) {
				return 0, fmt.Errorf("order %d not folded after a minute", id)
			}
			time.Sleep(20 * time.Millisecond)
		}
		start := time.Now()
		err = e.call(ctx, "GET", path(time.Now().AddDate(0, 0, -1-w)), nil, nil)
		return time.Since(start), err
	}
}
