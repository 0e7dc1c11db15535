package insights

import (
	"cmp"
	"context"
	"slices"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
)

// Bases of the ABC classification.
const (
	BasisSales  = "sales"
	BasisMargin = "margin"
)

// AbcQuery selects an ABC classification.
type AbcQuery struct {
	From, To string
	Channel  string
	Basis    string
	ABp, BBp int32 // cumulative share thresholds, basis points (defaults 6000 and 8500)
}

// ItemFigures are an item's sums over a period.
type ItemFigures struct {
	ItemID                                           int64
	SoldQty, SoldAmount, ReturnedQty, ReturnedAmount int64
	Cost                                             int64
}

// NetSales is sales less returns, fen.
func (f ItemFigures) NetSales() int64 { return f.SoldAmount - f.ReturnedAmount }

// Margin is net sales less cost, fen.
func (f ItemFigures) Margin() int64 { return f.NetSales() - f.Cost }

// AbcItem is one item's class and figures.
type AbcItem struct {
	ItemFigures
	Class, PreviousClass, Movement string
	Value                          int64
	ShareBp, CumulativeBp          int32
	MarginBp, ReturnRateBp         int32
	Velocity, OnHand, DaysOfCover  int64

	ItemSKU, ItemName string // from the catalog
}

// Abc is a classification.
type Abc struct {
	Period, Previous Period
	Basis            string
	Total            int64
	Items            []AbcItem
}

// classify sorts items by value descending (then id) and gives each its class by the
// cumulative share of the items before it: below aBp → A, below bBp → B, else C. So the
// item that crosses a threshold still belongs to the class below it (with the rule "the
// cumulative share including the item ≤ 60 %", a best seller that alone makes 70 % of
// sales would be B, and the only item C). Items with a value
// of zero or less are C and count nothing to the total. Shares are basis points, rounded
// half away from zero.
func classify(values map[int64]int64, aBp, bBp int32) (ordered []int64, class map[int64]string, share, cum map[int64]int32, total int64) {
	ordered = make([]int64, 0, len(values))
	for id, v := range values {
		ordered = append(ordered, id)
		if v > 0 {
			total += v
		}
	}
	slices.SortFunc(ordered, func(a, b int64) int {
		return cmp.Or(cmp.Compare(values[b], values[a]), cmp.Compare(a, b))
	})
	class, share, cum = map[int64]string{}, map[int64]int32{}, map[int64]int32{}
	var running int64
	for _, id := range ordered {
		v := values[id]
		if v <= 0 || total == 0 {
			class[id] = "C"
			continue
		}
		before := running
		running += v
		sh, _ := money.MulDiv(v, money.BasisPoints, total)
		share[id] = int32(sh)
		c, _ := money.MulDiv(running, money.BasisPoints, total)
		cum[id] = int32(c)
		// compare exactly: before/total < aBp/10000
		switch {
		case cmpShare(before, total, aBp) < 0:
			class[id] = "A"
		case cmpShare(before, total, bBp) < 0:
			class[id] = "B"
		default:
			class[id] = "C"
		}
	}
	return ordered, class, share, cum, total
}

// cmpShare compares part/total with bp/10000 without rounding.
func cmpShare(part, total int64, bp int32) int {
	// part*10000 vs total*bp; values are fen sums well below 2^49, so no overflow
	return cmp.Compare(part*money.BasisPoints, total*int64(bp))
}

func (q *AbcQuery) validate() error {
	var v apperr.Violations
	if q.Basis == "" {
		q.Basis = BasisSales
	}
	v.Check(q.Basis == BasisSales || q.Basis == BasisMargin, "basis", "must be sales or margin")
	if q.ABp == 0 {
		q.ABp = 6000
	}
	if q.BBp == 0 {
		q.BBp = 8500
	}
	v.Check(q.ABp > 0 && q.ABp < q.BBp && q.BBp <= money.BasisPoints, "a_bp", "needs 0 < a_bp < b_bp <= 10000")
	v.Check(len(q.Channel) <= 16, "channel", "at most 16 characters")
	return v.Err("invalid ABC query")
}

// GetAbc classifies the period's items and compares with the previous period of the same
// length. Errors: Invalid naming the field.
func (s *Service) GetAbc(ctx context.Context, q AbcQuery) (Abc, error) {
	p, err := s.period(q.From, q.To, 30)
	if err != nil {
		return Abc{}, err
	}
	if err := q.validate(); err != nil {
		return Abc{}, err
	}
	cur, err := s.itemFigures(ctx, p, q.Channel)
	if err != nil {
		return Abc{}, err
	}
	prev, err := s.itemFigures(ctx, p.Previous(), q.Channel)
	if err != nil {
		return Abc{}, err
	}
	value := func(f ItemFigures) int64 {
		if q.Basis == BasisMargin {
			return f.Margin()
		}
		return f.NetSales()
	}
	values, prevValues := map[int64]int64{}, map[int64]int64{}
	for id, f := range cur {
		values[id] = value(f)
	}
	for id, f := range prev {
		prevValues[id] = value(f)
	}
	ordered, class, share, cum, total := classify(values, q.ABp, q.BBp)
	_, prevClass, _, _, _ := classify(prevValues, q.ABp, q.BBp)
	onHand, err := s.onHandByItem(ctx)
	if err != nil {
		return Abc{}, err
	}
	out := Abc{Period: p, Previous: p.Previous(), Basis: q.Basis, Total: total}
	days := p.Days()
	for _, id := range ordered {
		f := cur[id]
		it := AbcItem{ItemFigures: f, Class: class[id], PreviousClass: prevClass[id], Value: values[id],
			ShareBp: share[id], CumulativeBp: cum[id], OnHand: onHand[id]}
		switch {
		case it.PreviousClass == "":
			it.Movement = "new"
		case it.PreviousClass != it.Class:
			it.Movement = it.PreviousClass + "->" + it.Class
		}
		if n := f.NetSales(); n != 0 {
			m, _ := money.MulDiv(f.Margin(), money.BasisPoints, n)
			it.MarginBp = int32(m)
		}
		if f.SoldQty != 0 {
			r, _ := money.MulDiv(f.ReturnedQty, money.BasisPoints, f.SoldQty)
			it.ReturnRateBp = int32(r)
		}
		it.Velocity, _ = money.MulDiv(f.SoldQty-f.ReturnedQty, 1, days)
		if it.Velocity > 0 {
			it.DaysOfCover = it.OnHand / it.Velocity
		}
		out.Items = append(out.Items, it)
	}
	return out, s.nameAbc(ctx, &out)
}

// itemFigures sums the item blocks of a period per item, for one channel or all.
func (s *Service) itemFigures(ctx context.Context, p Period, channel string) (map[int64]ItemFigures, error) {
	if channel == "" {
		channel = allChannels
	}
	return cached(ctx, s, cacheKey("items", p, channel), []Period{p}, func(ctx context.Context) (map[int64]ItemFigures, error) {
		return s.readItemFigures(ctx, p, channel)
	})
}

func (s *Service) readItemFigures(ctx context.Context, p Period, channel string) (map[int64]ItemFigures, error) {
	cond, args := blockCondition(p)
	var rows []ItemFigures
	if err := s.db.WithContext(ctx).Raw(`SELECT item_id, SUM(sold_qty) AS sold_qty, SUM(sold_amount) AS sold_amount,
		SUM(returned_qty) AS returned_qty, SUM(returned_amount) AS returned_amount, SUM(cost) AS cost
		FROM insights_item_blocks WHERE channel = ? AND `+cond+` GROUP BY item_id`, append([]any{channel}, args...)...).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]ItemFigures, len(rows))
	for _, r := range rows {
		if r != (ItemFigures{ItemID: r.ItemID}) {
			out[r.ItemID] = r
		}
	}
	return out, nil
}

// onHandByItem answers on-hand stock per item over every warehouse now (read from the
// warehouse's stock_items, read-only).
func (s *Service) onHandByItem(ctx context.Context) (map[int64]int64, error) {
	var rows []struct{ ItemID, OnHand int64 }
	if err := s.db.WithContext(ctx).Raw(`SELECT item_id, SUM(on_hand) AS on_hand FROM stock_items GROUP BY item_id`).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.ItemID] = r.OnHand
	}
	return out, nil
}
