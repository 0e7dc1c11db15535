package insights

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
)

// Tiers of online buyers.
const (
	TierRegistered = "registered" // ordered, but nothing paid in the period
	TierOnce       = "once"
	TierRepeat     = "repeat"
	TierVIP        = "vip"
)

// Quadrants by frequency and spend ("high" is above the split).
const (
	QuadrantHighHigh = "high_frequency_high_spend"
	QuadrantHighLow  = "high_frequency_low_spend"
	QuadrantLowHigh  = "low_frequency_high_spend"
	QuadrantLowLow   = "low_frequency_low_spend"
)

// Quadrants lists the quadrant names in answer order.
var Quadrants = []string{QuadrantHighHigh, QuadrantHighLow, QuadrantLowHigh, QuadrantLowLow}

// CustomerQuery selects a customer analysis.
type CustomerQuery struct {
	From, To                string
	Shop                    int64
	VIPOrders               int32
	VIPSpend                int64
	SplitOrders, SplitSpend int64 // 0: the median
	Quadrant                string
	Limit                   int32
}

// BuyerFigures are one buyer's figures over the period.
type BuyerFigures struct {
	BuyerKey    string
	Channel     string
	Orders      int64 // paid orders
	Spend       int64 // paid less refunded, fen
	LastOrder   string
	RecencyDays int32
	R, F, M     int32
	Tier        string
}

// Quadrant is a group of buyers.
type Quadrant struct {
	Name    string
	Buyers  int64
	Spend   int64
	Members []BuyerFigures
}

// OutletSales are supermarket sales of an outlet or a chain.
type OutletSales struct {
	CustomerID, OutletID int64
	Sales, Returns, Cost int64
	ReturnShareBp        int32

	CustomerName, OutletName string // from the catalog
}

// Customers is the customer analysis.
type Customers struct {
	Period                        Period
	Registered, Once, Repeat, VIP int64
	SplitOrders, SplitSpend       int64
	Quadrants                     []Quadrant
	Outlets, Chains               []OutletSales
}

func (q *CustomerQuery) validate() error {
	var v apperr.Violations
	if q.VIPOrders == 0 {
		q.VIPOrders = 5
	}
	if q.VIPSpend == 0 {
		q.VIPSpend = 100000
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	v.Check(q.VIPOrders > 1, "vip_orders", "must be at least 2")
	v.Check(q.VIPSpend > 0, "vip_spend", "must be positive")
	v.Check(q.SplitOrders >= 0, "split_orders", "must not be negative")
	v.Check(q.SplitSpend >= 0, "split_spend", "must not be negative")
	v.Check(q.Limit > 0 && q.Limit <= 10000, "limit", "must be 1-10000")
	v.Check(q.Quadrant == "" || slices.Contains(Quadrants, q.Quadrant), "quadrant", "must be one of the four quadrant names")
	return v.Err("invalid customer query")
}

// tier of a buyer with n paid orders and a spend.
func tier(n, spend int64, vipOrders int32, vipSpend int64) string {
	switch {
	case n == 0:
		return TierRegistered
	case n >= int64(vipOrders) || spend >= vipSpend:
		return TierVIP
	case n == 1:
		return TierOnce
	default:
		return TierRepeat
	}
}

// GetCustomers answers tiers, RFM scores and quadrants of online buyers, and supermarket
// sales by outlet and chain. Errors: Invalid naming the field.
//
// Scores are quintiles by rank among the period's buyers with a paid order: score = 1 +
// rank×5/n, where a buyer's rank is the number of buyers with a smaller key (ties share
// the lowest rank); the keys are the last paid day (R: the more recent, the higher), paid
// orders (F) and spend (M). The splits default to the lower medians of orders and spend.
// Members are listed by spend, then buyer key.
func (s *Service) GetCustomers(ctx context.Context, q CustomerQuery) (Customers, error) {
	p, err := s.period(q.From, q.To, 365)
	if err != nil {
		return Customers{}, err
	}
	if err := q.validate(); err != nil {
		return Customers{}, err
	}
	return cached(ctx, s, cacheKey("customers", p, q.Shop, q.VIPOrders, q.VIPSpend, q.SplitOrders, q.SplitSpend, q.Quadrant, q.Limit),
		[]Period{p}, func(ctx context.Context) (Customers, error) { return s.customers(ctx, p, q) })
}

func (s *Service) customers(ctx context.Context, p Period, q CustomerQuery) (Customers, error) {
	all, err := s.periodBuyers(ctx, p, q.Shop)
	if err != nil {
		return Customers{}, err
	}
	out := Customers{Period: p}
	buyers := make([]periodBuyer, 0, len(all)) // all is shared (cached): not changed here
	orders, spend, last := make([]int64, 0, len(all)), make([]int64, 0, len(all)), make([]int64, 0, len(all))
	for _, b := range all {
		switch tier(b.orders, b.spend, q.VIPOrders, q.VIPSpend) {
		case TierRegistered:
			out.Registered++
			continue
		case TierOnce:
			out.Once++
		case TierRepeat:
			out.Repeat++
		case TierVIP:
			out.VIP++
		}
		buyers = append(buyers, b)
		orders, spend, last = append(orders, b.orders), append(spend, b.spend), append(last, b.lastPaid)
	}
	n := len(buyers)
	byOrders, bySpend, byLast := newRanks(orders), newRanks(spend), newRanks(last)
	out.SplitOrders, out.SplitSpend = q.SplitOrders, q.SplitSpend
	if n > 0 && out.SplitOrders == 0 {
		out.SplitOrders = byOrders.lowerMedian()
	}
	if n > 0 && out.SplitSpend == 0 {
		out.SplitSpend = bySpend.lowerMedian()
	}
	// per quadrant: its count and spend, and the spend of its limit-th biggest spender (the
	// members are the buyers at or above it, cut to the limit once ordered by key too)
	type quadrant struct {
		Quadrant
		top   minHeap
		cands []int
	}
	quads := make([]quadrant, len(Quadrants))
	which := make([]uint8, n)
	for i, b := range buyers {
		w := quadrantIndex(b.orders > out.SplitOrders, b.spend > out.SplitSpend)
		which[i] = uint8(w)
		qd := &quads[w]
		qd.Buyers++
		qd.Spend += b.spend
		qd.top.keep(b.spend, int(q.Limit))
	}
	for i, b := range buyers {
		qd := &quads[which[i]]
		if len(qd.top) < int(q.Limit) || b.spend >= qd.top[0] {
			qd.cands = append(qd.cands, i)
		}
	}
	var members []int // candidates of the quadrants asked, by index
	for w := range quads {
		if q.Quadrant == "" || q.Quadrant == Quadrants[w] {
			members = append(members, quads[w].cands...)
		}
	}
	ids := make([]int64, len(members))
	mLast, mOrders, mSpend := make([]int64, len(members)), make([]int64, len(members)), make([]int64, len(members))
	for j, i := range members {
		b := buyers[i]
		ids[j], mLast[j], mOrders[j], mSpend[j] = b.id, b.lastPaid, b.orders, b.spend
	}
	keys, err := s.buyerKeys(ctx, ids)
	if err != nil {
		return Customers{}, err
	}
	r, f, m := byLast.smaller(mLast), byOrders.smaller(mOrders), bySpend.smaller(mSpend)
	score := func(smaller int) int32 { return int32(1 + smaller*5/n) }
	to := dayNumber(p.To)
	j := 0
	for w := range quads {
		qd := &quads[w]
		qd.Name = Quadrants[w]
		if q.Quadrant != "" && q.Quadrant != qd.Name {
			continue
		}
		for _, i := range qd.cands {
			b := buyers[i]
			k := keys[b.id]
			qd.Members = append(qd.Members, BuyerFigures{BuyerKey: k.BuyerKey, Channel: k.Channel, Orders: b.orders, Spend: b.spend,
				LastOrder: day(time.Unix(b.lastPaid*86400, 0).UTC()), RecencyDays: int32(to - b.lastPaid),
				R: score(r[j]), F: score(f[j]), M: score(m[j]), Tier: tier(b.orders, b.spend, q.VIPOrders, q.VIPSpend)})
			j++
		}
		slices.SortFunc(qd.Members, func(a, b BuyerFigures) int {
			return cmp.Or(cmp.Compare(b.Spend, a.Spend), cmp.Compare(a.BuyerKey, b.BuyerKey))
		})
		qd.Members = qd.Members[:min(len(qd.Members), int(q.Limit))]
		out.Quadrants = append(out.Quadrants, qd.Quadrant)
	}
	if out.Outlets, out.Chains, err = s.retailSales(ctx, p); err != nil {
		return out, err
	}
	return out, s.nameRetail(ctx, &out)
}

// ranks answers how many of a set of values are smaller than given values: from counts
// when the values lie in a narrow range (orders, days), else in one pass over the values.
type ranks struct {
	lo     int64
	below  []int   // narrow: below[v-lo] values are smaller than v, for v in [lo, hi+1]
	values []int64 // wide: the values
}

// countingSpan is the widest range of values counted, relative to their number.
const countingSpan = 4

// newRanks takes the values (and keeps them).
func newRanks(values []int64) ranks {
	if len(values) == 0 {
		return ranks{}
	}
	lo, hi := slices.Min(values), slices.Max(values)
	if hi-lo > int64(countingSpan*len(values)+1024) {
		return ranks{values: values}
	}
	below := make([]int, hi-lo+2)
	for _, v := range values {
		below[v-lo+1]++
	}
	for i := 1; i < len(below); i++ {
		below[i] += below[i-1]
	}
	return ranks{lo: lo, below: below}
}

// smaller answers, for each of vs, the number of values smaller than it.
func (r ranks) smaller(vs []int64) []int {
	out := make([]int, len(vs))
	if r.values == nil {
		for j, v := range vs {
			switch i := v - r.lo; {
			case i <= 0 || len(r.below) == 0:
			case i >= int64(len(r.below)):
				out[j] = r.below[len(r.below)-1]
			default:
				out[j] = r.below[i]
			}
		}
		return out
	}
	// one pass: count the values falling between consecutive asked values, then add up
	asked := slices.Clone(vs)
	slices.Sort(asked)
	asked = slices.Compact(asked)
	between := make([]int, len(asked)+1) // between[i]: values in [asked[i-1], asked[i])
	for _, v := range r.values {
		i, found := slices.BinarySearch(asked, v)
		if found {
			i++
		}
		between[i]++
	}
	for i := 1; i < len(between); i++ {
		between[i] += between[i-1]
	}
	for j, v := range vs {
		i, _ := slices.BinarySearch(asked, v)
		out[j] = between[i]
	}
	return out
}

// lowerMedian answers the value at (n-1)/2 in order (n > 0 values).
func (r ranks) lowerMedian() int64 {
	if r.values != nil {
		return nth(slices.Clone(r.values), (len(r.values)-1)/2)
	}
	k := (r.below[len(r.below)-1] - 1) / 2
	// the smallest v with more than k values at or below it
	i, _ := slices.BinarySearchFunc(r.below[1:], k+1, func(c, t int) int { return cmp.Compare(c, t) })
	return r.lo + int64(i)
}

// nth answers the value at index k of a in order, reordering a (quickselect).
func nth(a []int64, k int) int64 {
	lo, hi := 0, len(a)-1
	for lo < hi {
		// the median of three as pivot, then a three-way partition
		mid := lo + (hi-lo)/2
		p := max(min(a[lo], a[mid]), min(max(a[lo], a[mid]), a[hi]))
		lt, i, gt := lo, lo, hi
		for i <= gt {
			switch {
			case a[i] < p:
				a[lt], a[i] = a[i], a[lt]
				lt++
				i++
			case a[i] > p:
				a[i], a[gt] = a[gt], a[i]
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt - 1
		case k > gt:
			lo = gt + 1
		default:
			return p
		}
	}
	return a[k]
}

// minHeap keeps the biggest values seen, up to a number, with the smallest of them first.
type minHeap []int64

// keep offers a value to a heap of at most n values.
func (h *minHeap) keep(v int64, n int) {
	switch {
	case len(*h) < n:
		*h = append(*h, v)
		for i := len(*h) - 1; i > 0; {
			parent := (i - 1) / 2
			if (*h)[parent] <= (*h)[i] {
				break
			}
			(*h)[parent], (*h)[i] = (*h)[i], (*h)[parent]
			i = parent
		}
	case v > (*h)[0]:
		(*h)[0] = v
		for i := 0; ; {
			small, l, r := i, 2*i+1, 2*i+2
			if l < len(*h) && (*h)[l] < (*h)[small] {
				small = l
			}
			if r < len(*h) && (*h)[r] < (*h)[small] {
				small = r
			}
			if small == i {
				break
			}
			(*h)[small], (*h)[i] = (*h)[i], (*h)[small]
			i = small
		}
	}
}

func quadrantIndex(highFrequency, highSpend bool) int {
	switch {
	case highFrequency && highSpend:
		return 0
	case highFrequency:
		return 1
	case highSpend:
		return 2
	default:
		return 3
	}
}

// retailSales sums supermarket deliveries and returns by outlet and by chain (from the
// outlet blocks; outlets whose sums are all zero are left out).
func (s *Service) retailSales(ctx context.Context, p Period) (outlets, chains []OutletSales, err error) {
	cond, args := blockCondition(p)
	if err := s.db.WithContext(ctx).Raw(`SELECT customer_id, outlet_id, SUM(sales) AS sales, SUM(returns) AS returns,
		SUM(cost) AS cost FROM insights_outlet_blocks WHERE `+cond+` GROUP BY customer_id, outlet_id
		HAVING sales <> 0 OR returns <> 0 OR cost <> 0 ORDER BY customer_id, outlet_id`, args...).Scan(&outlets).Error; err != nil {
		return nil, nil, err
	}
	byChain := map[int64]*OutletSales{}
	for i := range outlets {
		o := &outlets[i]
		o.ReturnShareBp = shareBp(o.Returns, o.Sales)
		c, ok := byChain[o.CustomerID]
		if !ok {
			c = &OutletSales{CustomerID: o.CustomerID}
			byChain[o.CustomerID] = c
		}
		c.Sales += o.Sales
		c.Returns += o.Returns
		c.Cost += o.Cost
	}
	for _, c := range byChain {
		c.ReturnShareBp = shareBp(c.Returns, c.Sales)
		chains = append(chains, *c)
	}
	slices.SortFunc(chains, func(a, b OutletSales) int { return cmp.Compare(a.CustomerID, b.CustomerID) })
	return outlets, chains, nil
}

// shareBp is part/whole in basis points, rounded half away from zero (0 for no whole).
func shareBp(part, whole int64) int32 {
	if whole == 0 {
		return 0
	}
	v, _ := money.MulDiv(part, money.BasisPoints, whole)
	return int32(v)
}
