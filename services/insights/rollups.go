package insights

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/db"
)

// The read models the queries answer from (besides the facts), each kept by folding from
// the changes folding makes to the facts, rebuilt from the facts by Rebuild and compared
// with them by Check:
//
//   - insights_item_blocks and insights_outlet_blocks: the daily sales summed over aligned
//     blocks of 4^lvl days (lvl 0-4: 1, 4, 16, 64 and 256 days), per item and channel (and
//     channel allChannels) and per supermarket outlet. A period is the union of a few
//     blocks (blocksOf), so ABC over 30 days reads ~7 blocks of each item, not 30 days ×
//     every shop, customer, outlet, branch and warehouse.
//   - insights_shop_days: counted orders' sums and shipped cost per day and shop.
//   - insights_buyers (a number per buyer key), insights_buyer_shops (a buyer's orders in a
//     shop over all time, with the first and last day) and insights_buyer_days (the days on
//     which a buyer has had orders).
//   - insights_day_changes: a counter per day, raised by every fold that changes the day's
//     figures (see answerCache).

// blockLevels is the number of block levels; a block of level l spans 4^l days.
const blockLevels = 5

// allChannels is the channel of the item blocks that sum every channel (no platform or
// channel code is "*").
const allChannels = "*"

// blockSpan is the number of days of a block of level l.
func blockSpan(l int) int64 { return int64(1) << (2 * l) }

// dayNumberOf is the day number of a date YYYY-MM-DD.
func dayNumberOf(date string) (int64, error) {
	t, err := time.Parse(time.DateOnly, date)
	return dayNumber(t), err
}

// dayNumber is the number of a day (a date at UTC midnight) since 1970-01-01, as SQL's
// DATEDIFF(day, '1970-01-01').
func dayNumber(t time.Time) int64 { return t.Unix() / 86400 }

// blockRun is a run of consecutive blocks of one level, [from, to].
type blockRun struct {
	lvl      int
	from, to int64
}

// blocksOf decomposes a period into aligned blocks: from its first day, the largest block
// that starts there and ends within the period, and so on. Consecutive blocks of one level
// are merged into runs (at most two runs a level). Days before 1970 are taken one by one
// (block numbers there would not be aligned).
func blocksOf(p Period) []blockRun {
	var runs []blockRun
	last := dayNumber(p.To)
	for x := dayNumber(p.From); x <= last; {
		l := 0
		for x >= 0 && l+1 < blockLevels && x%blockSpan(l+1) == 0 && x+blockSpan(l+1)-1 <= last {
			l++
		}
		b := x / blockSpan(l)
		if n := len(runs); n > 0 && runs[n-1].lvl == l && runs[n-1].to == b-1 {
			runs[n-1].to = b
		} else {
			runs = append(runs, blockRun{lvl: l, from: b, to: b})
		}
		x += blockSpan(l)
	}
	return runs
}

// blockCondition is the WHERE condition (and its arguments) that selects a period's blocks.
func blockCondition(p Period) (string, []any) {
	runs := blocksOf(p)
	conds := make([]string, 0, len(runs))
	args := make([]any, 0, 3*len(runs))
	for _, r := range runs {
		conds = append(conds, "(lvl = ? AND block BETWEEN ? AND ?)")
		args = append(args, r.lvl, r.from, r.to)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

type itemBlock struct {
	channel    string
	lvl        int
	block      int64
	item       int64
	qty, amt   int64
	rqty, ramt int64
	cost       int64
}

type outletBlock struct {
	lvl                  int
	block                int64
	customer, outlet     int64
	sales, returns, cost int64
}

// shopDay is a row of insights_shop_days.
type shopDay struct {
	Day                               string
	ShopID                            int64
	Channel                           string
	Orders, GMV, Paid, RefundedOrders int64
	Refunded, Fees, Cost              int64
}

type shopDayKey struct {
	day     string
	shop    int64
	channel string
}

func (d shopDay) minus(o shopDay) shopDay {
	return shopDay{Day: d.Day, ShopID: d.ShopID, Channel: d.Channel, Orders: d.Orders - o.Orders, GMV: d.GMV - o.GMV,
		Paid: d.Paid - o.Paid, RefundedOrders: d.RefundedOrders - o.RefundedOrders, Refunded: d.Refunded - o.Refunded,
		Fees: d.Fees - o.Fees, Cost: d.Cost - o.Cost}
}

func (d shopDay) zero() bool { return d == shopDay{Day: d.Day, ShopID: d.ShopID, Channel: d.Channel} }

// upsertChunk bounds the rows of one INSERT … ON DUPLICATE KEY UPDATE.
const upsertChunk = 500

// upsertAdd adds rows to a table: INSERT … ON DUPLICATE KEY UPDATE col = col + VALUES(col)
// for the summed columns, in chunks, in the order given (callers sort, against deadlocks).
func upsertAdd(tx *gorm.DB, table string, keys, sums []string, rows [][]any) error {
	cols := append(slices.Clone(keys), sums...)
	set := make([]string, len(sums))
	for i, c := range sums {
		set[i] = c + " = " + c + " + VALUES(" + c + ")"
	}
	for lo := 0; lo < len(rows); lo += upsertChunk {
		chunk := rows[lo:min(lo+upsertChunk, len(rows))]
		args := make([]any, 0, len(chunk)*len(cols))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if err := tx.Exec(`INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES `+db.Placeholders(len(chunk), len(cols))+
			` ON DUPLICATE KEY UPDATE `+strings.Join(set, ", "), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// addToBlocks adds the changes of daily cells to the item and outlet blocks of every level
// and answers the changes of shipped cost per shop day.
func addToBlocks(tx *gorm.DB, delta map[Cell]Measures) ([]shopDay, error) {
	type itemKey struct {
		channel     string
		lvl         int
		block, item int64
	}
	type outletKey struct {
		lvl                     int
		block, customer, outlet int64
	}
	items := map[itemKey]*itemBlock{}
	outlets := map[outletKey]*outletBlock{}
	costs := map[shopDayKey]int64{}
	for c, m := range delta {
		d, err := time.Parse(time.DateOnly, c.Day)
		if err != nil {
			return nil, err
		}
		n := dayNumber(d)
		if m.SoldQty != 0 || m.SoldAmount != 0 || m.ReturnedQty != 0 || m.ReturnedAmount != 0 || m.Cost != 0 {
			for l := range blockLevels {
				b := n / blockSpan(l)
				if n < 0 && l > 0 {
					break // only days from 1970 on have blocks above a day
				}
				for _, ch := range []string{c.Channel, allChannels} {
					k := itemKey{ch, l, b, c.ItemID}
					r := items[k]
					if r == nil {
						r = &itemBlock{channel: ch, lvl: l, block: b, item: c.ItemID}
						items[k] = r
					}
					r.qty += m.SoldQty
					r.amt += m.SoldAmount
					r.rqty += m.ReturnedQty
					r.ramt += m.ReturnedAmount
					r.cost += m.Cost
				}
				if c.Channel == ChannelRetailer {
					k := outletKey{l, b, c.CustomerID, c.OutletID}
					r := outlets[k]
					if r == nil {
						r = &outletBlock{lvl: l, block: b, customer: c.CustomerID, outlet: c.OutletID}
						outlets[k] = r
					}
					r.sales += m.SoldAmount
					r.returns += m.ReturnedAmount
					r.cost += m.Cost
				}
			}
		}
		if c.ShopID != 0 && m.Cost != 0 {
			costs[shopDayKey{c.Day, c.ShopID, c.Channel}] += m.Cost
		}
	}
	ib := make([]*itemBlock, 0, len(items))
	for _, r := range items {
		if r.qty != 0 || r.amt != 0 || r.rqty != 0 || r.ramt != 0 || r.cost != 0 {
			ib = append(ib, r)
		}
	}
	slices.SortFunc(ib, func(a, b *itemBlock) int {
		return cmp.Or(strings.Compare(a.channel, b.channel), cmp.Compare(a.lvl, b.lvl), cmp.Compare(a.block, b.block),
			cmp.Compare(a.item, b.item))
	})
	rows := make([][]any, len(ib))
	for i, r := range ib {
		rows[i] = []any{r.channel, r.lvl, r.block, r.item, r.qty, r.amt, r.rqty, r.ramt, r.cost}
	}
	if err := upsertAdd(tx, "insights_item_blocks", []string{"channel", "lvl", "block", "item_id"},
		[]string{"sold_qty", "sold_amount", "returned_qty", "returned_amount", "cost"}, rows); err != nil {
		return nil, err
	}
	ob := make([]*outletBlock, 0, len(outlets))
	for _, r := range outlets {
		if r.sales != 0 || r.returns != 0 || r.cost != 0 {
			ob = append(ob, r)
		}
	}
	slices.SortFunc(ob, func(a, b *outletBlock) int {
		return cmp.Or(cmp.Compare(a.lvl, b.lvl), cmp.Compare(a.block, b.block), cmp.Compare(a.customer, b.customer),
			cmp.Compare(a.outlet, b.outlet))
	})
	rows = make([][]any, len(ob))
	for i, r := range ob {
		rows[i] = []any{r.lvl, r.block, r.customer, r.outlet, r.sales, r.returns, r.cost}
	}
	if err := upsertAdd(tx, "insights_outlet_blocks", []string{"lvl", "block", "customer_id", "outlet_id"},
		[]string{"sales", "returns", "cost"}, rows); err != nil {
		return nil, err
	}
	days := make([]shopDay, 0, len(costs))
	for k, c := range costs {
		days = append(days, shopDay{Day: k.day, ShopID: k.shop, Channel: k.channel, Cost: c})
	}
	return days, nil
}

// addToShopDays adds changes to the shop days (sorted by key, against deadlocks).
func addToShopDays(tx *gorm.DB, days []shopDay) error {
	days = slices.DeleteFunc(days, shopDay.zero)
	slices.SortFunc(days, func(a, b shopDay) int {
		return cmp.Or(strings.Compare(a.Day, b.Day), cmp.Compare(a.ShopID, b.ShopID), strings.Compare(a.Channel, b.Channel))
	})
	rows := make([][]any, len(days))
	for i, d := range days {
		rows[i] = []any{d.Day, d.ShopID, d.Channel, d.Orders, d.GMV, d.Paid, d.RefundedOrders, d.Refunded, d.Fees, d.Cost}
	}
	return upsertAdd(tx, "insights_shop_days", []string{"day", "shop_id", "channel"},
		[]string{"orders", "gmv", "paid", "refunded_orders", "refunded", "fees", "cost"}, rows)
}

// orderFact is the part of an insights_orders row that figures read.
type orderFact struct {
	OrderID                 int64
	Day                     string
	ShopID                  int64
	Channel                 string
	Counted                 bool
	BuyerID                 int64
	Goods, Paid, Fees       int64
	Refunded, RefundedLines int64
}

// orderFacts answers the facts of some orders by order id.
func orderFacts(tx *gorm.DB, ids []int64) (map[int64]orderFact, error) {
	var rows []orderFact
	if err := tx.Raw(`SELECT order_id, DATE_FORMAT(day, '%Y-%m-%d') AS day, shop_id, channel, counted, buyer_id, goods, paid,
		fees, refunded, refunded_lines FROM insights_orders WHERE order_id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]orderFact, len(rows))
	for _, r := range rows {
		out[r.OrderID] = r
	}
	return out, nil
}

// shopDayOf is a counted order's contribution to its shop day (zero for others).
func (f orderFact) shopDayOf() shopDay {
	d := shopDay{Day: f.Day, ShopID: f.ShopID, Channel: f.Channel}
	if f.Counted {
		d.Orders, d.GMV, d.Paid, d.Refunded, d.Fees = 1, f.Goods, f.Paid, f.Refunded, f.Fees
		if f.RefundedLines > 0 {
			d.RefundedOrders = 1
		}
	}
	return d
}

// buyerSummary sums order facts per buyer and shop over all time (days as day numbers).
const buyerSummary = `SELECT buyer_id, shop_id, DATEDIFF(MIN(day), '1970-01-01') AS first_day,
	DATEDIFF(MAX(day), '1970-01-01') AS last_day, COUNT(*) AS orders, SUM(counted) AS paid_orders,
	SUM(IF(counted = 1, paid - refunded, 0)) AS spend,
	COALESCE(DATEDIFF(MAX(IF(counted = 1, day, NULL)), '1970-01-01'), -1) AS last_paid_day
	FROM insights_orders`

const buyerSummaryColumns = `buyer_id, shop_id, first_day, last_day, orders, paid_orders, spend, last_paid_day`

// lockBuyers locks buyers' rows (in number order; 0 is no buyer), so that two folds of one
// buyer's orders change its facts and recompute its summary one after the other.
func lockBuyers(tx *gorm.DB, buyers []int64) error {
	buyers = slices.DeleteFunc(slices.Clone(buyers), func(id int64) bool { return id == 0 })
	if len(buyers) == 0 {
		return nil
	}
	slices.Sort(buyers)
	var locked []int64
	return tx.Raw(`SELECT id FROM insights_buyers WHERE id IN ? ORDER BY id FOR UPDATE`, slices.Compact(buyers)).Scan(&locked).Error
}

type buyerShop struct{ buyer, shop int64 }

// noDay is no day of a summary row (no paid order: last_paid_day).
const noDay = -1

// buyerSums is the change of a buyer's summary row in a shop: of the sums, the days its
// orders came to (earliest, latest, latest paid), and whether an order left a day (or
// stopped counting), which may move the row's first, last or last paid day.
type buyerSums struct {
	orders, paid, spend  int64
	first, last, paidDay int64 // of the days come to; first is maxDay for none
	left                 bool
}

const maxDay = 1<<31 - 1 // the largest INT

func newBuyerSums() *buyerSums { return &buyerSums{first: maxDay, last: noDay, paidDay: noDay} }

// add adds an order's facts (sign 1) or takes them away (sign -1; leaves: from a day it
// does not come back to).
func (b *buyerSums) add(f orderFact, day int64, sign int64, leaves bool) {
	b.orders += sign
	if f.Counted {
		b.paid += sign
		b.spend += sign * (f.Paid - f.Refunded)
	}
	if sign < 0 {
		b.left = b.left || leaves
		return
	}
	b.first, b.last = min(b.first, day), max(b.last, day)
	if f.Counted {
		b.paidDay = max(b.paidDay, day)
	}
}

// updateBuyerSummaries brings the summary rows of buyers (locked by lockBuyers) up to
// date by the changes of their folded orders, so that a buyer with ten thousand orders
// costs as little as one with one: the sums by addition, the days an order came to by
// LEAST and GREATEST. Where an order left a day (an order moved, stopped counting or went
// to another buyer), the row's first, last and last paid days are looked up again: the
// first or last of the buyer's order facts in the shop, in the index ordered by day. The
// look-ups are part of an UPDATE, so they read the latest committed facts (with shared
// locks), not the transaction's snapshot, which may be older than a fold of the same buyer
// that committed while this one waited for the buyer's lock. Rows left without orders go.
func updateBuyerSummaries(tx *gorm.DB, changes map[buyerShop]*buyerSums) error {
	keys := make([]buyerShop, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(a, b buyerShop) int { return cmp.Or(cmp.Compare(a.buyer, b.buyer), cmp.Compare(a.shop, b.shop)) })
	args := make([]any, 0, 8*len(keys))
	var left []int64 // buyers with an order that left a day
	for _, k := range keys {
		c := changes[k]
		args = append(args, k.buyer, k.shop, c.orders, c.paid, c.spend, c.first, c.last, c.paidDay)
		if c.left && (len(left) == 0 || left[len(left)-1] != k.buyer) {
			left = append(left, k.buyer)
		}
	}
	for lo := 0; lo < len(keys); lo += upsertChunk {
		n := min(upsertChunk, len(keys)-lo)
		if err := tx.Exec(`INSERT INTO insights_buyer_shops (buyer_id, shop_id, orders, paid_orders, spend, first_day, last_day,
			last_paid_day) VALUES `+db.Placeholders(n, 8)+` ON DUPLICATE KEY UPDATE orders = orders + VALUES(orders),
			paid_orders = paid_orders + VALUES(paid_orders), spend = spend + VALUES(spend),
			first_day = LEAST(first_day, VALUES(first_day)), last_day = GREATEST(last_day, VALUES(last_day)),
			last_paid_day = GREATEST(last_paid_day, VALUES(last_paid_day))`, args[8*lo:8*(lo+n)]...).Error; err != nil {
			return err
		}
	}
	if len(left) == 0 {
		return nil
	}
	if err := tx.Exec(`DELETE FROM insights_buyer_shops WHERE buyer_id IN ? AND orders = 0`, left).Error; err != nil {
		return err
	}
	const days = `SELECT DATEDIFF(o.day, '1970-01-01') FROM insights_orders o WHERE o.buyer_id = s.buyer_id AND o.shop_id = s.shop_id`
	return tx.Exec(`UPDATE insights_buyer_shops s SET first_day = (`+days+` ORDER BY o.day LIMIT 1),
		last_day = (`+days+` ORDER BY o.day DESC LIMIT 1),
		last_paid_day = COALESCE((`+days+` AND o.counted = 1 ORDER BY o.day DESC LIMIT 1), -1)
		WHERE s.buyer_id IN ?`, left).Error
}

// rebuildRollups builds the block sums, shop days and buyer summaries from the facts (the
// tables are empty).
func rebuildRollups(g *gorm.DB) error {
	const itemCols = `channel, lvl, block, item_id, sold_qty, sold_amount, returned_qty, returned_amount, cost`
	const itemSums = `SUM(sold_qty), SUM(sold_amount), SUM(returned_qty), SUM(returned_amount), SUM(cost)`
	const outletCols = `lvl, block, customer_id, outlet_id, sales, returns, cost`
	// days: grouped in the daily cells' key order (day, item, channel, …), without a
	// temporary table
	stmts := []string{
		`INSERT INTO insights_item_blocks (` + itemCols + `) SELECT channel, 0, DATEDIFF(day, '1970-01-01'), item_id, ` + itemSums + `
			FROM insights_daily_sales GROUP BY day, item_id, channel`,
		`INSERT INTO insights_item_blocks (` + itemCols + `) SELECT '` + allChannels + `', 0, DATEDIFF(day, '1970-01-01'), item_id, ` + itemSums + `
			FROM insights_daily_sales GROUP BY day, item_id`,
		`INSERT INTO insights_outlet_blocks (` + outletCols + `) SELECT 0, DATEDIFF(day, '1970-01-01'), customer_id, outlet_id,
			SUM(sold_amount), SUM(returned_amount), SUM(cost) FROM insights_daily_sales WHERE channel = '` + ChannelRetailer + `'
			GROUP BY day, customer_id, outlet_id`,
	}
	for l := 1; l < blockLevels; l++ {
		stmts = append(stmts,
			fmt.Sprintf(`INSERT INTO insights_item_blocks (`+itemCols+`) SELECT channel, %d, block DIV 4, item_id, `+itemSums+`
				FROM insights_item_blocks WHERE lvl = %d AND block >= 0 GROUP BY channel, block DIV 4, item_id`, l, l-1),
			fmt.Sprintf(`INSERT INTO insights_outlet_blocks (`+outletCols+`) SELECT %d, block DIV 4, customer_id, outlet_id,
				SUM(sales), SUM(returns), SUM(cost) FROM insights_outlet_blocks WHERE lvl = %d AND block >= 0
				GROUP BY block DIV 4, customer_id, outlet_id`, l, l-1))
	}
	stmts = append(stmts,
		`INSERT INTO insights_shop_days (day, shop_id, channel, orders, gmv, paid, refunded_orders, refunded, fees)
			SELECT day, shop_id, channel, COUNT(*), SUM(goods), SUM(paid), SUM(refunded_lines > 0), SUM(refunded), SUM(fees)
			FROM insights_orders WHERE counted = 1 GROUP BY day, shop_id, channel`,
		`INSERT INTO insights_shop_days (day, shop_id, channel, cost) SELECT day, shop_id, channel, SUM(cost)
			FROM insights_daily_sales WHERE shop_id <> 0 GROUP BY day, shop_id, channel ON DUPLICATE KEY UPDATE cost = VALUES(cost)`,
		`INSERT INTO insights_buyer_shops (`+buyerSummaryColumns+`) `+buyerSummary+` WHERE buyer_id <> 0 GROUP BY buyer_id, shop_id`,
		`INSERT INTO insights_buyer_days (day, buyer_id) SELECT DISTINCT day, buyer_id FROM insights_orders WHERE buyer_id <> 0`,
	)
	for _, q := range stmts {
		if err := g.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}

// rollupChecks are statements that answer one row per difference between a read model and
// what the facts give (at most maxDifferences): each sums the expected rows and the stored
// rows negated, by key, and keeps the keys whose sums are not all zero; the buyer summaries
// are compared row for row.
func rollupChecks() []struct{ name, query string } {
	const itemSums = `SUM(sold_qty) AS a, SUM(sold_amount) AS b, SUM(returned_qty) AS c, SUM(returned_amount) AS d, SUM(cost) AS e`
	const itemNeg = `-sold_qty, -sold_amount, -returned_qty, -returned_amount, -cost`
	const itemPos = `sold_qty, sold_amount, returned_qty, returned_amount, cost`
	const nonZero5 = `HAVING a <> 0 OR b <> 0 OR c <> 0 OR d <> 0 OR e <> 0`
	var out []struct{ name, query string }
	add := func(name, q string) { out = append(out, struct{ name, query string }{name, q}) }
	add("item blocks (days)", `SELECT CONCAT_WS(' ', channel, lvl, block, item_id) AS what, `+itemSums+` FROM (
		SELECT channel, 0 AS lvl, DATEDIFF(day, '1970-01-01') AS block, item_id, `+itemPos+` FROM insights_daily_sales
		UNION ALL SELECT '`+allChannels+`', 0, DATEDIFF(day, '1970-01-01'), item_id, `+itemPos+` FROM insights_daily_sales
		UNION ALL SELECT channel, lvl, block, item_id, `+itemNeg+` FROM insights_item_blocks WHERE lvl = 0) x
		GROUP BY channel, lvl, block, item_id `+nonZero5)
	for l := 1; l < blockLevels; l++ {
		add(fmt.Sprintf("item blocks (level %d)", l), fmt.Sprintf(`SELECT CONCAT_WS(' ', channel, lvl, block, item_id) AS what, `+itemSums+` FROM (
			SELECT channel, %d AS lvl, block DIV 4 AS block, item_id, `+itemPos+` FROM insights_item_blocks WHERE lvl = %d AND block >= 0
			UNION ALL SELECT channel, lvl, block, item_id, `+itemNeg+` FROM insights_item_blocks WHERE lvl = %d) x
			GROUP BY channel, lvl, block, item_id `+nonZero5, l, l-1, l))
	}
	const nonZero3 = `HAVING a <> 0 OR b <> 0 OR c <> 0`
	add("outlet blocks (days)", `SELECT CONCAT_WS(' ', lvl, block, customer_id, outlet_id) AS what, SUM(s) AS a, SUM(r) AS b, SUM(k) AS c,
		0 AS d, 0 AS e FROM (
		SELECT 0 AS lvl, DATEDIFF(day, '1970-01-01') AS block, customer_id, outlet_id, sold_amount AS s, returned_amount AS r, cost AS k
		FROM insights_daily_sales WHERE channel = '`+ChannelRetailer+`'
		UNION ALL SELECT lvl, block, customer_id, outlet_id, -sales, -returns, -cost FROM insights_outlet_blocks WHERE lvl = 0) x
		GROUP BY lvl, block, customer_id, outlet_id `+nonZero3)
	for l := 1; l < blockLevels; l++ {
		add(fmt.Sprintf("outlet blocks (level %d)", l), fmt.Sprintf(`SELECT CONCAT_WS(' ', lvl, block, customer_id, outlet_id) AS what,
			SUM(s) AS a, SUM(r) AS b, SUM(k) AS c, 0 AS d, 0 AS e FROM (
			SELECT %d AS lvl, block DIV 4 AS block, customer_id, outlet_id, sales AS s, returns AS r, cost AS k
			FROM insights_outlet_blocks WHERE lvl = %d AND block >= 0
			UNION ALL SELECT lvl, block, customer_id, outlet_id, -sales, -returns, -cost FROM insights_outlet_blocks WHERE lvl = %d) x
			GROUP BY lvl, block, customer_id, outlet_id `+nonZero3, l, l-1, l))
	}
	add("shop days", `SELECT CONCAT_WS(' ', day, shop_id, channel) AS what, SUM(o) AS a, SUM(p) AS b, SUM(r) AS c, SUM(f) AS d, SUM(k) AS e FROM (
		SELECT day, shop_id, channel, 1 AS o, paid AS p, refunded AS r, fees AS f, 0 AS k, goods AS g, (refunded_lines > 0) AS ro
		FROM insights_orders WHERE counted = 1
		UNION ALL SELECT day, shop_id, channel, 0, 0, 0, 0, cost, 0, 0 FROM insights_daily_sales WHERE shop_id <> 0
		UNION ALL SELECT day, shop_id, channel, -orders, -paid, -refunded, -fees, -cost, -gmv, -refunded_orders FROM insights_shop_days) x
		GROUP BY day, shop_id, channel HAVING a <> 0 OR b <> 0 OR c <> 0 OR d <> 0 OR e <> 0 OR SUM(g) <> 0 OR SUM(ro) <> 0`)
	add("buyer numbers", `SELECT CONCAT('order ', o.order_id) AS what, o.buyer_id AS a, 0 AS b, 0 AS c, 0 AS d, 0 AS e
		FROM insights_orders o LEFT JOIN insights_buyers b ON b.id = o.buyer_id
		WHERE IF(o.buyer_key = '', o.buyer_id <> 0, b.buyer_key IS NULL OR b.buyer_key <> o.buyer_key)`)
	add("buyer days", `SELECT CONCAT_WS(' ', o.day, o.buyer_id) AS what, 1 AS a, 0 AS b, 0 AS c, 0 AS d, 0 AS e
		FROM (SELECT DISTINCT day, buyer_id FROM insights_orders WHERE buyer_id <> 0) o
		LEFT JOIN insights_buyer_days d ON d.day = o.day AND d.buyer_id = o.buyer_id WHERE d.buyer_id IS NULL`)
	add("buyer summaries", `SELECT CONCAT_WS(' ', buyer_id, shop_id, first_day, last_day, last_paid_day) AS what, SUM(side) AS a,
		SUM(orders) AS b, SUM(paid_orders) AS c, SUM(spend) AS d, 0 AS e FROM (
		SELECT 1 AS side, x.* FROM (`+buyerSummary+` WHERE buyer_id <> 0 GROUP BY buyer_id, shop_id) x
		UNION ALL SELECT -1, buyer_id, shop_id, first_day, last_day, -orders, -paid_orders, -spend, last_paid_day
		FROM insights_buyer_shops) y
		GROUP BY buyer_id, shop_id, first_day, last_day, last_paid_day `+nonZero5)
	return out
}
