package insights

import (
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// periodBuyer is a buyer's sums over a period (over the shops asked).
type periodBuyer struct {
	id       int64
	orders   int64 // paid orders
	spend    int64 // paid less refunded, fen
	lastPaid int64 // day number of the last paid order, -1 for none
}

// add adds a buyer's sums in another shop.
func (b *periodBuyer) add(o periodBuyer) {
	b.orders += o.orders
	b.spend += o.spend
	b.lastPaid = max(b.lastPaid, o.lastPaid)
}

// spanChunk bounds the buyers of one query of buyers across a period's edge.
const spanChunk = 1000

// periodBuyers answers the sums of every buyer with an order in the period (in one shop, or
// all), by buyer number. A buyer's summary row of a shop is its sums in the period when
// all its orders there lie within the period; the buyers with orders on both sides of an
// edge are summed from their order facts in the period.
//
// The sums are kept per replica with the change counters of the period's days (see
// answerCache): when some days changed since, only the buyers whose figures of those days
// changed since (insights_buyer_days) are read again, unless they are more than a quarter
// of all.
func (s *Service) periodBuyers(ctx context.Context, p Period, shop int64) ([]periodBuyer, error) {
	if s.cache == nil {
		return s.readPeriodBuyers(ctx, p, shop, nil)
	}
	// the counters first: a change committed after them changes them for the next ask
	now, err := s.dayCounters(ctx, p)
	if err != nil {
		return nil, err
	}
	key := cacheKey("buyers", p, shop)
	v, err, _ := s.cache.flight.Do(key+"|"+now.stamp(), func() (any, error) {
		ctx := context.WithoutCancel(ctx) // the reading serves every waiter
		var buyers []periodBuyer
		if kept, ok := s.cache.peek(key).(*keptBuyers); ok && kept.generation == now.generation {
			changed := now.changedSince(kept.dayState)
			if len(changed) == 0 {
				return kept.buyers, nil
			}
			ids, err := s.buyersChanged(ctx, changed, kept.dayState)
			if err != nil {
				return nil, err
			}
			if len(ids) == 0 {
				buyers = kept.buyers // the days changed, none of their buyers
			} else if len(ids) <= len(kept.buyers)/4 {
				fresh, err := s.readPeriodBuyers(ctx, p, shop, ids)
				if err != nil {
					return nil, err
				}
				buyers = patchBuyers(kept.buyers, ids, fresh)
				s.buyersPatched.Add(1)
			}
		}
		if buyers == nil {
			if buyers, err = s.readPeriodBuyers(ctx, p, shop, nil); err != nil {
				return nil, err
			}
		}
		s.cache.put(key, now.stamp(), &keptBuyers{dayState: now, buyers: buyers})
		return buyers, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]periodBuyer), nil
}

// keptBuyers are a period's buyer sums and the counters of its days they were read at.
type keptBuyers struct {
	dayState
	buyers []periodBuyer
}

// dayState is the rebuild generation and the change counters of a period's days.
type dayState struct {
	generation int64
	seq        map[int64]int64 // by day number (a day without changes has none)
	sum        int64
}

func (d dayState) stamp() string { return fmt.Sprint(d.generation, " ", d.sum) }

// changedSince answers the days whose counters differ from an earlier state's.
func (d dayState) changedSince(before dayState) []int64 {
	var out []int64
	for n, v := range d.seq {
		if before.seq[n] != v {
			out = append(out, n)
		}
	}
	for n := range before.seq {
		if _, ok := d.seq[n]; !ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// dayCounters reads the generation and the change counters of a period's days.
func (s *Service) dayCounters(ctx context.Context, p Period) (dayState, error) {
	var rows []struct {
		Generation bool
		N, Seq     int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT 1 AS generation, 0 AS n, COALESCE(MAX(value), 0) AS seq FROM insights_state
		WHERE name = ? UNION ALL SELECT 0, DATEDIFF(day, '1970-01-01'), seq FROM insights_day_changes WHERE day BETWEEN ? AND ?`,
		stateGeneration, day(p.From), day(p.To)).Scan(&rows).Error; err != nil {
		return dayState{}, err
	}
	d := dayState{seq: make(map[int64]int64, len(rows))}
	for _, r := range rows {
		if r.Generation {
			d.generation = r.Seq
			continue
		}
		d.seq[r.N] = r.Seq
		d.sum += r.Seq
	}
	return d, nil
}

// buyersChanged answers, in order, the buyers whose figures of some days changed since an
// earlier state of the counters.
func (s *Service) buyersChanged(ctx context.Context, days []int64, since dayState) ([]int64, error) {
	conds := make([]string, len(days))
	args := make([]any, 0, 2*len(days))
	for i, n := range days {
		conds[i] = "(day = ? AND seq > ?)"
		args = append(args, day(time.Unix(n*86400, 0).UTC()), since.seq[n])
	}
	var ids []int64
	err := s.db.WithContext(ctx).Raw(`SELECT DISTINCT buyer_id FROM insights_buyer_days WHERE `+strings.Join(conds, " OR ")+`
		ORDER BY buyer_id`, args...).Scan(&ids).Error
	return ids, err
}

// patchBuyers answers kept buyer sums with those of some buyers (ids, in order) replaced
// by fresh ones (in order; a buyer of ids without fresh sums has none in the period).
func patchBuyers(kept []periodBuyer, ids []int64, fresh []periodBuyer) []periodBuyer {
	out := make([]periodBuyer, 0, len(kept)+len(fresh))
	i, j := 0, 0 // in ids, in fresh
	for _, b := range kept {
		for j < len(fresh) && fresh[j].id < b.id {
			out = append(out, fresh[j])
			j++
		}
		for i < len(ids) && ids[i] < b.id {
			i++
		}
		if i < len(ids) && ids[i] == b.id {
			continue // replaced (by fresh[j] when it has sums, appended above or below)
		}
		out = append(out, b)
	}
	return append(out, fresh[j:]...)
}

// readPeriodBuyers reads the buyers' sums of a period: every buyer's, or those of some
// buyers (ids, in order).
func (s *Service) readPeriodBuyers(ctx context.Context, p Period, shop int64, ids []int64) ([]periodBuyer, error) {
	if ids == nil {
		out, err := s.readBuyers(ctx, p, shop, "", nil, int(s.buyersSeen.Load())+1024)
		if err == nil {
			s.buyersSeen.Store(int64(len(out)))
		}
		return out, err
	}
	var out []periodBuyer
	for lo := 0; lo < len(ids); lo += spanChunk {
		chunk := ids[lo:min(lo+spanChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		part, err := s.readBuyers(ctx, p, shop, ` AND buyer_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")+`)`,
			args, len(chunk))
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

// readBuyers reads the buyers' sums of a period, of the summary rows that also meet a
// condition (with its arguments).
func (s *Service) readBuyers(ctx context.Context, p Period, shop int64, cond string, condArgs []any, capacity int) ([]periodBuyer, error) {
	from, to := day(p.From), day(p.To)
	first, last := dayNumber(p.From), dayNumber(p.To)
	// the shop only of a row across an edge (0 for one within the period), so that most
	// rows carry small numbers (the driver boxes every value, and small ones cost nothing)
	q := `SELECT buyer_id, IF(first_day >= ? AND last_day <= ?, 0, shop_id), paid_orders, spend, last_paid_day
		FROM insights_buyer_shops WHERE last_day >= ? AND first_day <= ?`
	args := []any{first, last, first, last}
	if shop != 0 {
		q += ` AND shop_id = ?`
		args = append(args, shop)
	}
	q += cond
	args = append(args, condArgs...)
	out := make([]periodBuyer, 0, capacity)
	type pair struct{ buyer, shop int64 }
	var spanning []pair
	var spanIDs []int64
	err := s.scanInts(ctx, q+` ORDER BY buyer_id, shop_id`, args, 5, func(v []int64) {
		if v[1] != 0 {
			spanning = append(spanning, pair{v[0], v[1]})
			if n := len(spanIDs); n == 0 || spanIDs[n-1] != v[0] {
				spanIDs = append(spanIDs, v[0])
			}
			return
		}
		b := periodBuyer{id: v[0], orders: v[2], spend: v[3], lastPaid: v[4]}
		if n := len(out); n > 0 && out[n-1].id == b.id {
			out[n-1].add(b)
			return
		}
		out = append(out, b)
	})
	if err != nil {
		return nil, err
	}
	if len(spanIDs) == 0 {
		return out, nil
	}
	// the buyers across an edge: their sums in the period, for the shops that span it
	var span []periodBuyer
	for lo := 0; lo < len(spanIDs); lo += spanChunk {
		ids := spanIDs[lo:min(lo+spanChunk, len(spanIDs))]
		q := `SELECT buyer_id, shop_id, SUM(counted), SUM(IF(counted = 1, paid - refunded, 0)),
			COALESCE(MAX(IF(counted = 1, DATEDIFF(day, '1970-01-01'), NULL)), -1) FROM insights_orders
			WHERE buyer_id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `) AND day BETWEEN ? AND ?`
		args := make([]any, 0, len(ids)+3)
		for _, id := range ids {
			args = append(args, id)
		}
		args = append(args, from, to)
		if shop != 0 {
			q += ` AND shop_id = ?`
			args = append(args, shop)
		}
		err := s.scanInts(ctx, q+` GROUP BY buyer_id, shop_id ORDER BY buyer_id, shop_id`, args, 5, func(v []int64) {
			if _, ok := slices.BinarySearchFunc(spanning, pair{v[0], v[1]}, func(a, b pair) int {
				return cmp.Or(cmp.Compare(a.buyer, b.buyer), cmp.Compare(a.shop, b.shop))
			}); !ok {
				return // a shop whose orders lie within the period: its summary row counted
			}
			b := periodBuyer{id: v[0], orders: v[2], spend: v[3], lastPaid: v[4]}
			if n := len(span); n > 0 && span[n-1].id == b.id {
				span[n-1].add(b)
				return
			}
			span = append(span, b)
		})
		if err != nil {
			return nil, err
		}
	}
	// merge the two lists, both by buyer number
	merged := make([]periodBuyer, 0, len(out)+len(span))
	i, j := 0, 0
	for i < len(out) || j < len(span) {
		switch {
		case j == len(span) || (i < len(out) && out[i].id < span[j].id):
			merged = append(merged, out[i])
			i++
		case i == len(out) || span[j].id < out[i].id:
			merged = append(merged, span[j])
			j++
		default:
			b := out[i]
			b.add(span[j])
			merged = append(merged, b)
			i, j = i+1, j+1
		}
	}
	return merged, nil
}

// scanInts runs a query whose columns are all integers (no NULLs) and hands each row to fn
// (the slice is reused). It reads tens of thousands of rows per answer, so it talks to the
// driver directly: a prepared statement (rows in MariaDB's binary protocol, about a third
// faster to read than the text of interpolated statements) read without database/sql's
// per-row locking and conversions (about 40 % of the reading's CPU time). Arguments are
// int64 or string.
func (s *Service) scanInts(ctx context.Context, query string, args []any, cols int, fn func([]int64)) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("insights: the driver's connection %T cannot prepare", dc)
		}
		stmt, err := prep.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		defer stmt.Close()
		q, ok := stmt.(driver.StmtQueryContext)
		if !ok {
			return fmt.Errorf("insights: the driver's statement %T cannot query", stmt)
		}
		named := make([]driver.NamedValue, len(args))
		for i, a := range args {
			named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		rows, err := q.QueryContext(ctx, named)
		if err != nil {
			return err
		}
		defer rows.Close()
		raw := make([]driver.Value, cols)
		v := make([]int64, cols)
		for {
			if err := rows.Next(raw); errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
			for i, r := range raw {
				switch x := r.(type) {
				case int64:
					v[i] = x
				case []byte: // sums (DECIMAL) arrive as their digits
					n, err := strconv.ParseInt(string(x), 10, 64)
					if err != nil {
						return fmt.Errorf("insights: column %d: %w", i, err)
					}
					v[i] = n
				default:
					return fmt.Errorf("insights: column %d is %T, not an integer", i, r)
				}
			}
			fn(v)
		}
	})
}

// buyerKeyRow is a buyer's key and platform.
type buyerKeyRow struct {
	ID       int64
	BuyerKey string
	Channel  string
}

// buyerKeys answers the keys of buyers by number.
func (s *Service) buyerKeys(ctx context.Context, ids []int64) (map[int64]buyerKeyRow, error) {
	out := make(map[int64]buyerKeyRow, len(ids))
	for lo := 0; lo < len(ids); lo += spanChunk {
		var rows []buyerKeyRow
		if err := s.db.WithContext(ctx).Raw(`SELECT id, buyer_key, channel FROM insights_buyers WHERE id IN ?`,
			ids[lo:min(lo+spanChunk, len(ids))]).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = r
		}
	}
	return out, nil
}
