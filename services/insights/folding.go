package insights

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/db"
)

// The set-based variants of the fact queries of stock documents and returns: sources by id
// list instead of id range. Orders are folded in Go (orderfold.go).
var (
	stockLinesByIDs  = strings.Replace(stockLinesSQL, "d.id BETWEEN ? AND ?", "d.id IN ?", 1)
	returnLinesByIDs = strings.Replace(returnLinesSQL, "r.id BETWEEN ? AND ?", "r.id IN ?", 1)
)

// foldBatchSize bounds the sources folded in one transaction.
const foldBatchSize = 500

// eventsPerCall bounds the outbox events an insights subscriber folds in one call: 20 pushes
// of at most 500 orders fold in well under the outbox's per-delivery timeout.
const eventsPerCall = 20

// foldSources brings the facts of sources of one kind up to date, set-based, in
// transactions of at most foldBatchSize sources. It runs on the outbox's batch deliveries:
// one fold for the sources of all the events of a call, in place of one per event. The
// transactions read at READ COMMITTED, so that their reads of orders and documents take no
// shared locks that the order hub's updates would wait for. A failure leaves the events to
// the outbox's retry; the folds already committed are redone then, which changes nothing.
func (s *Service) foldSources(ctx context.Context, source string, ids []int64) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for lo := 0; lo < len(ids); lo += foldBatchSize {
		batch := ids[lo:min(lo+foldBatchSize, len(ids))]
		if err := db.TxReadCommitted(ctx, s.db, func(tx *gorm.DB) error { return s.foldMany(tx, source, batch) }); err != nil {
			return err
		}
	}
	return nil
}

// foldMany replaces the fact lines of sources of one kind and adds the difference to the
// daily cells and their blocks; for orders it also replaces the order facts, adds their
// difference to the shop days and recomputes the summaries of their buyers (before and
// after). The sources' rows are locked first (in id order), so that two folds of one
// source run one after the other; different sources meet only in the daily cells, blocks
// and shop days, which they change by atomic increments (in a fixed order, against
// deadlocks), and in buyers, whose rows they lock.
func (s *Service) foldMany(tx *gorm.DB, source string, ids []int64) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	now := s.now().UTC()
	args := make([]any, 0, 3*len(ids))
	for _, id := range ids {
		args = append(args, source, id, now)
	}
	if err := tx.Exec(`INSERT INTO insights_sources (source, source_id, line_count, updated_at) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?, ?, 0, ?), ", len(ids)), ", ")+
		` ON DUPLICATE KEY UPDATE updated_at = VALUES(updated_at)`, args...).Error; err != nil {
		return err
	}
	old, err := contributions(tx, source, ids)
	if err != nil {
		return err
	}
	if err := tx.Exec(`DELETE FROM insights_sales_lines WHERE source = ? AND source_id IN ?`, source, ids).Error; err != nil {
		return err
	}
	off := s.offsetSeconds()
	var days []shopDay        // changes of the shop days
	var changed []string      // days whose figures changed
	var buyerDays []orderFact // (day, buyer) whose buyer's figures changed
	var cur map[Cell]Measures
	switch source {
	case sourceOrder:
		orders, err := readOnlineOrders(tx, ids)
		if err != nil {
			return err
		}
		branches, err := shopBranches(tx, orders)
		if err != nil {
			return err
		}
		fold, err := foldOrders(orders, branches, off)
		if err != nil {
			return err
		}
		if err := insertFactLines(tx, sourceOrder, fold.lines); err != nil {
			return err
		}
		if days, changed, buyerDays, err = s.refoldOrders(tx, ids, fold); err != nil {
			return err
		}
		cur = sumByCell(fold.lines)
	case sourceStock, sourceReturn:
		query := stockLinesByIDs
		if source == sourceReturn {
			query = returnLinesByIDs
		}
		if err := tx.Exec(`INSERT INTO insights_sales_lines (`+lineColumns+`) `+query, off, ids).Error; err != nil {
			return err
		}
		if cur, err = contributions(tx, source, ids); err != nil {
			return err
		}
	default:
		return errors.New("insights: unknown source " + source)
	}
	delta := map[Cell]Measures{}
	for c, m := range cur {
		delta[c] = m.minus(old[c])
	}
	for c, m := range old {
		if _, ok := cur[c]; !ok {
			delta[c] = Measures{}.minus(m)
		}
	}
	if err := addToDaily(tx, delta); err != nil {
		return err
	}
	costs, err := addToBlocks(tx, delta)
	if err != nil {
		return err
	}
	if err := addToShopDays(tx, append(days, costs...)); err != nil {
		return err
	}
	for c, m := range delta {
		if !m.zero() {
			changed = append(changed, c.Day)
		}
	}
	return noteChanges(tx, changed, buyerDays)
}

// refoldOrders replaces the order facts of some orders and brings the summaries of the
// buyers they had and have up to date; it answers their change of the shop days, the
// days whose figures changed, and the (day, buyer) of the changed orders, before and
// after.
func (s *Service) refoldOrders(tx *gorm.DB, ids []int64, fold orderFold) ([]shopDay, []string, []orderFact, error) {
	before, err := orderFacts(tx, ids)
	if err != nil {
		return nil, nil, nil, err
	}
	// the buyers the orders had and have are locked before their order facts change: a
	// concurrent fold of another order of theirs waits here, not holding order facts that
	// this fold's recomputation would wait for
	if err := numberBuyers(tx, fold); err != nil {
		return nil, nil, nil, err
	}
	var buyers []int64
	for _, f := range fold.facts {
		buyers = append(buyers, f.BuyerID)
	}
	for _, f := range before {
		buyers = append(buyers, f.BuyerID)
	}
	if err := lockBuyers(tx, buyers); err != nil {
		return nil, nil, nil, err
	}
	if err := tx.Exec(`DELETE FROM insights_orders WHERE order_id IN ?`, ids).Error; err != nil {
		return nil, nil, nil, err
	}
	if err := insertOrderFactRows(tx, fold); err != nil {
		return nil, nil, nil, err
	}
	after := fold.facts
	var days []shopDay
	var changed []string
	var buyerDays []orderFact
	summaries := map[buyerShop]*buyerSums{}
	for _, id := range ids {
		b, hadFacts := before[id]
		a, hasFacts := after[id]
		if b == a {
			continue // the order's figures stay as they were (a status of no count, say)
		}
		for _, f := range []struct {
			fact orderFact
			ok   bool
			sign int64
		}{{b, hadFacts, -1}, {a, hasFacts, 1}} {
			if !f.ok {
				continue
			}
			d := f.fact.shopDayOf()
			if f.sign < 0 {
				d = shopDay{Day: d.Day, ShopID: d.ShopID, Channel: d.Channel}.minus(d)
			}
			days = append(days, d)
			changed = append(changed, f.fact.Day)
			if f.fact.BuyerID == 0 {
				continue
			}
			k := buyerShop{f.fact.BuyerID, f.fact.ShopID}
			if summaries[k] == nil {
				summaries[k] = newBuyerSums()
			}
			n, err := dayNumberOf(f.fact.Day)
			if err != nil {
				return nil, nil, nil, err
			}
			// an order that comes back to its day, counted as it was, leaves no day
			stays := hasFacts && a.BuyerID == b.BuyerID && a.ShopID == b.ShopID && a.Day == b.Day && a.Counted == b.Counted
			summaries[k].add(f.fact, n, f.sign, f.sign < 0 && !stays)
			buyerDays = append(buyerDays, f.fact)
		}
	}
	return days, changed, buyerDays, updateBuyerSummaries(tx, summaries)
}

// noteChanges raises the change counters of days (see insights_day_changes), and records
// the (day, buyer) whose buyer's figures changed with the day's new counter
// (insights_buyer_days), so that a replica that kept a period's buyer sums at an older
// counter reads again only those buyers. It is the last work of a fold, so that the
// counters' row locks, which every fold of today's facts takes, are held the shortest
// time; they make the counters of a day count in the order the folds commit.
func noteChanges(tx *gorm.DB, days []string, buyers []orderFact) error {
	slices.Sort(days)
	days = slices.Compact(days)
	if len(days) == 0 {
		return nil
	}
	args := make([]any, len(days))
	for i, d := range days {
		args[i] = d
	}
	if err := tx.Exec(`INSERT INTO insights_day_changes (day, seq) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?, 1),", len(days)), ",")+` ON DUPLICATE KEY UPDATE seq = seq + 1`, args...).Error; err != nil {
		return err
	}
	if len(buyers) == 0 {
		return nil
	}
	var counters []struct {
		Day string
		Seq int64
	}
	if err := tx.Raw(`SELECT DATE_FORMAT(day, '%Y-%m-%d') AS day, seq FROM insights_day_changes WHERE day IN ?`, days).
		Scan(&counters).Error; err != nil {
		return err
	}
	seq := make(map[string]int64, len(counters))
	for _, c := range counters {
		seq[c.Day] = c.Seq
	}
	slices.SortFunc(buyers, func(a, b orderFact) int {
		return cmp.Or(strings.Compare(a.Day, b.Day), cmp.Compare(a.BuyerID, b.BuyerID))
	})
	buyers = slices.CompactFunc(buyers, func(a, b orderFact) bool { return a.Day == b.Day && a.BuyerID == b.BuyerID })
	rows := make([]any, 0, 3*len(buyers))
	for _, b := range buyers {
		rows = append(rows, b.Day, b.BuyerID, seq[b.Day])
	}
	return tx.Exec(`INSERT INTO insights_buyer_days (day, buyer_id, seq) VALUES `+db.Placeholders(len(buyers), 3)+`
		ON DUPLICATE KEY UPDATE seq = VALUES(seq)`, rows...).Error
}

// contributions answers the summed sums per daily Cell of many sources of one kind.
func contributions(tx *gorm.DB, source string, ids []int64) (map[Cell]Measures, error) {
	var rows []cellRow
	if err := tx.Raw(`SELECT DATE_FORMAT(day, '%Y-%m-%d') AS day, item_id, channel, shop_id, customer_id, outlet_id, branch_id,
		warehouse_id, `+sumMeasures+` FROM insights_sales_lines WHERE source = ? AND source_id IN ?
		GROUP BY day, item_id, channel, shop_id, customer_id, outlet_id, branch_id, warehouse_id`, source, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[Cell]Measures, len(rows))
	for _, r := range rows {
		out[r.Cell] = r.Measures
	}
	return out, nil
}
