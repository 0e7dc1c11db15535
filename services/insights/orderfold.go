package insights

import (
	"cmp"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/money"
)

// The fold computes the facts of online orders here, in Go, from one read of the
// orders and one of their lines: the same rules as orderLinesSQL, orderFactsSQL and
// buyerKey, which the rebuild and the check run set-based over all orders. The two are
// kept apart on purpose: a fold of a few hundred orders with the window functions of
// orderLinesSQL cost the database about as much as taking the orders in, where reading
// them by key and computing here costs it a fraction; and the check, which computes the
// facts with the SQL, then compares two implementations of the rules (the tests run it
// after every history they fold).

// onlineOrder is what the facts read of an online order.
type onlineOrder struct {
	id, shop                        int64
	channel, status, buyerID, phone string
	paidAt, platformCreated         sql.NullTime
	created                         time.Time
	goods, discount, fees, paid     int64
	lines                           []onlineLine
}

type onlineLine struct {
	lineNo                        int64
	item, itemQty, qty, unitPrice int64
	discount                      int64
	refunded                      bool
}

// readOnlineOrders reads the online orders among ids with their lines, in id order.
func readOnlineOrders(tx *gorm.DB, ids []int64) ([]*onlineOrder, error) {
	rows, err := tx.Raw(`SELECT id, shop_id, channel, status, buyer_id, buyer_phone, paid_at, platform_created_at, created_at,
		goods, discount, fees, paid FROM orders WHERE id IN ? AND shop_id <> 0 AND channel <> 'retailer' ORDER BY id`, ids).Rows()
	if err != nil {
		return nil, err
	}
	var out []*onlineOrder
	byID := map[int64]*onlineOrder{}
	for rows.Next() {
		o := &onlineOrder{}
		if err := rows.Scan(&o.id, &o.shop, &o.channel, &o.status, &o.buyerID, &o.phone, &o.paidAt, &o.platformCreated,
			&o.created, &o.goods, &o.discount, &o.fees, &o.paid); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, o)
		byID[o.id] = o
	}
	if err := cmp.Or(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	found := make([]int64, len(out))
	for i, o := range out {
		found[i] = o.id
	}
	rows, err = tx.Raw(`SELECT order_id, line_no, item_id, item_quantity, quantity, unit_price, discount, refund_status = 'refunded'
		FROM order_lines WHERE order_id IN ? ORDER BY order_id, line_no`, found).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var l onlineLine
		if err := rows.Scan(&id, &l.lineNo, &l.item, &l.itemQty, &l.qty, &l.unitPrice, &l.discount, &l.refunded); err != nil {
			return nil, err
		}
		if o := byID[id]; o != nil {
			o.lines = append(o.lines, l)
		}
	}
	return out, rows.Err()
}

// counted says an order's status counts as sales (orderCounted).
func (o *onlineOrder) counted() bool {
	switch o.status {
	case "paid", "partially_shipped", "shipped", "completed":
		return true
	}
	return false
}

// day dates the order when it was paid, else created, at the company's offset (orderDay).
func (o *onlineOrder) day(offset int) string {
	t := o.created
	switch {
	case o.paidAt.Valid:
		t = o.paidAt.Time
	case o.platformCreated.Valid:
		t = o.platformCreated.Time
	}
	return t.UTC().Add(time.Duration(offset) * time.Second).Format(time.DateOnly)
}

// buyerKey is the order's buyer key (the SQL buyerKey): the platform and a SHA-256 of the
// phone's digits (without a leading 86 of a 13-digit number), or of the platform's buyer
// id when the phone is masked or missing; "" when neither is known.
func (o *onlineOrder) buyerKey() string {
	var digits []byte
	if !strings.Contains(o.phone, "*") {
		for i := range len(o.phone) {
			if c := o.phone[i]; c >= '0' && c <= '9' {
				digits = append(digits, c)
			}
		}
	}
	if len(digits) == 13 && digits[0] == '8' && digits[1] == '6' {
		digits = digits[2:]
	}
	switch {
	case len(digits) > 0:
		sum := sha256.Sum256(digits)
		return o.channel + ":" + hex.EncodeToString(sum[:])
	case o.buyerID != "":
		sum := sha256.Sum256([]byte(o.buyerID))
		return o.channel + ":id:" + hex.EncodeToString(sum[:])
	}
	return ""
}

// amounts answers each line's amount (lineAmount) and its share of the order-level
// discount: the order's discount beyond its lines' own, at most the lines' positive
// amounts, spread over those amounts in whole fen by largest remainder (ties to the
// lower line number), as orderLinesSQL spreads it.
func (o *onlineOrder) amounts() (amount, share []int64, err error) {
	n := len(o.lines)
	amount, share = make([]int64, n), make([]int64, n)
	var base, lineDiscounts int64
	for i, l := range o.lines {
		a, err := money.LineAmount(l.qty, l.unitPrice)
		if err != nil {
			return nil, nil, fmt.Errorf("insights: order %d line %d: %w", o.id, l.lineNo, err)
		}
		amount[i] = a - l.discount
		base += max(amount[i], 0)
		lineDiscounts += l.discount
	}
	spread := min(max(o.discount-lineDiscounts, 0), base)
	if base <= 0 || spread == 0 {
		return amount, share, nil
	}
	rem := make([]uint64, n)
	left := spread
	for i := range o.lines {
		// spread ≤ base and weight ≤ base: the product's high word is below base
		hi, lo := bits.Mul64(uint64(spread), uint64(max(amount[i], 0)))
		q, r := bits.Div64(hi, lo, uint64(base))
		share[i], rem[i] = int64(q), r
		left -= int64(q)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(rem[b], rem[a]), cmp.Compare(o.lines[a].lineNo, o.lines[b].lineNo))
	})
	for _, i := range order[:left] {
		share[i]++
	}
	return amount, share, nil
}

// orderFold is what folding some orders writes: their fact lines and order facts.
type orderFold struct {
	lines []factLine
	facts map[int64]orderFact // by order id
	keys  map[int64]string    // buyer key by order id
	state map[int64]string    // status by order id
}

type factLine struct {
	source   int64
	lineNo   int64
	cell     Cell
	measures Measures
}

// foldOrders computes the fact lines and order facts of online orders (buyer numbers are
// filled in later, from the keys).
func foldOrders(orders []*onlineOrder, branches map[int64]int64, offset int) (orderFold, error) {
	f := orderFold{facts: make(map[int64]orderFact, len(orders)), keys: make(map[int64]string, len(orders)),
		state: make(map[int64]string, len(orders))}
	for _, o := range orders {
		day := o.day(offset)
		amount, share, err := o.amounts()
		if err != nil {
			return f, err
		}
		fact := orderFact{OrderID: o.id, Day: day, ShopID: o.shop, Channel: o.channel, Counted: o.counted(),
			Goods: o.goods, Paid: o.paid, Fees: o.fees}
		for i, l := range o.lines {
			if l.refunded {
				fact.Refunded += amount[i] - share[i]
				fact.RefundedLines++
			}
			if !fact.Counted || l.item == 0 {
				continue
			}
			m := Measures{SoldQty: l.itemQty, SoldAmount: amount[i] - share[i]}
			if l.refunded {
				m.ReturnedQty, m.ReturnedAmount = l.itemQty, amount[i]-share[i]
			}
			f.lines = append(f.lines, factLine{source: o.id, lineNo: l.lineNo, measures: m, cell: Cell{Day: day, ItemID: l.item,
				Channel: o.channel, ShopID: o.shop, BranchID: branches[o.shop]}})
		}
		f.facts[o.id] = fact
		f.keys[o.id] = o.buyerKey()
		f.state[o.id] = o.status
	}
	return f, nil
}

// shopBranches answers the branch of each shop of some orders.
func shopBranches(tx *gorm.DB, orders []*onlineOrder) (map[int64]int64, error) {
	var shops []int64
	for _, o := range orders {
		shops = append(shops, o.shop)
	}
	slices.Sort(shops)
	shops = slices.Compact(shops)
	out := map[int64]int64{}
	if len(shops) == 0 {
		return out, nil
	}
	var rows []struct{ ID, BranchID int64 }
	if err := tx.Raw(`SELECT id, branch_id FROM shops WHERE id IN ?`, shops).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.BranchID
	}
	return out, nil
}

// insertFactLines writes fact lines, in statements of at most 2,000 rows.
func insertFactLines(tx *gorm.DB, source string, lines []factLine) error {
	const perStatement = 2000
	for lo := 0; lo < len(lines); lo += perStatement {
		part := lines[lo:min(lo+perStatement, len(lines))]
		args := make([]any, 0, 17*len(part))
		for _, l := range part {
			c, m := l.cell, l.measures
			args = append(args, source, l.source, l.lineNo, c.Day, c.Channel, c.ShopID, c.CustomerID, c.OutletID, c.BranchID,
				c.WarehouseID, c.ItemID, m.SoldQty, m.SoldAmount, m.ReturnedQty, m.ReturnedAmount, m.ShippedQty, m.Cost)
		}
		if err := tx.Exec(`INSERT INTO insights_sales_lines (`+lineColumns+`) VALUES `+db.Placeholders(len(part), 17), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// numberBuyers gives the buyer keys of some orders their numbers (making the missing ones)
// and sets them on the order facts.
func numberBuyers(tx *gorm.DB, f orderFold) error {
	channel := map[string]string{}
	for id, k := range f.keys {
		if k != "" {
			channel[k] = f.facts[id].Channel
		}
	}
	if len(channel) == 0 {
		return nil
	}
	keys := make([]string, 0, len(channel))
	for k := range channel {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	args := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		args = append(args, k, channel[k])
	}
	if err := tx.Exec(`INSERT IGNORE INTO insights_buyers (buyer_key, channel) VALUES `+db.Placeholders(len(keys), 2), args...).Error; err != nil {
		return err
	}
	var rows []struct {
		ID       int64
		BuyerKey string
	}
	if err := tx.Raw(`SELECT id, buyer_key FROM insights_buyers WHERE buyer_key IN ?`, keys).Scan(&rows).Error; err != nil {
		return err
	}
	number := make(map[string]int64, len(rows))
	for _, r := range rows {
		number[r.BuyerKey] = r.ID
	}
	for id, k := range f.keys {
		if n := number[k]; n != 0 {
			fact := f.facts[id]
			fact.BuyerID = n
			f.facts[id] = fact
		}
	}
	return nil
}

// insertOrderFactRows writes order facts.
func insertOrderFactRows(tx *gorm.DB, f orderFold) error {
	ids := make([]int64, 0, len(f.facts))
	for id := range f.facts {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	args := make([]any, 0, 13*len(ids))
	for _, id := range ids {
		x := f.facts[id]
		args = append(args, id, x.ShopID, x.Channel, x.Day, f.state[id], x.Counted, f.keys[id], x.Goods, x.Paid, x.Fees,
			x.Refunded, x.RefundedLines, x.BuyerID)
	}
	return tx.Exec(`INSERT INTO insights_orders (`+orderFactColumns+`, buyer_id) VALUES `+db.Placeholders(len(ids), 13), args...).Error
}

// sumByCell sums fact lines per daily cell.
func sumByCell(lines []factLine) map[Cell]Measures {
	out := map[Cell]Measures{}
	for _, l := range lines {
		out[l.cell] = out[l.cell].plus(l.measures)
	}
	return out
}
