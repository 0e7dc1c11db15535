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

// quintileScores gives each index a score 1-5 by its rank in ascending order of key (ties
// share the lowest rank's score): score = 1 + rank×5/n, integer arithmetic.
func quintileScores(n int, key func(i int) int64) []int32 {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(key(a), key(b)) })
	out := make([]int32, n)
	rank := 0
	for r, i := range idx {
		if r == 0 || key(i) != key(idx[r-1]) {
			rank = r
		}
		out[i] = int32(1 + rank*5/n)
	}
	return out
}

// lowerMedian is the lower middle of the values (0 for none).
func lowerMedian(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// GetCustomers answers tiers, RFM scores and quadrants of online buyers, and supermarket
// sales by outlet and chain. Errors: Invalid naming the field.
func (s *Service) GetCustomers(ctx context.Context, q CustomerQuery) (Customers, error) {
	p, err := s.period(q.From, q.To, 365)
	if err != nil {
		return Customers{}, err
	}
	if err := q.validate(); err != nil {
		return Customers{}, err
	}
	g := s.db.WithContext(ctx).Table("insights_orders").
		Select(`buyer_key, channel, SUM(counted) AS orders, SUM(IF(counted = 1, paid - refunded, 0)) AS spend,
			COALESCE(DATE_FORMAT(MAX(IF(counted = 1, day, NULL)), '%Y-%m-%d'), '') AS last_order`).
		Where("day BETWEEN ? AND ? AND buyer_key <> ''", day(p.From), day(p.To)).Group("buyer_key, channel")
	if q.Shop != 0 {
		g = g.Where("shop_id = ?", q.Shop)
	}
	var all []BuyerFigures
	if err := g.Scan(&all).Error; err != nil {
		return Customers{}, err
	}
	out := Customers{Period: p}
	var buyers []BuyerFigures
	for _, b := range all {
		b.Tier = tier(b.Orders, b.Spend, q.VIPOrders, q.VIPSpend)
		switch b.Tier {
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
		if last, err := time.Parse(time.DateOnly, b.LastOrder); err == nil {
			b.RecencyDays = int32(p.To.Sub(last).Hours() / 24)
		}
		buyers = append(buyers, b)
	}
	n := len(buyers)
	if n > 0 {
		r := quintileScores(n, func(i int) int64 { return -int64(buyers[i].RecencyDays) })
		f := quintileScores(n, func(i int) int64 { return buyers[i].Orders })
		m := quintileScores(n, func(i int) int64 { return buyers[i].Spend })
		for i := range buyers {
			buyers[i].R, buyers[i].F, buyers[i].M = r[i], f[i], m[i]
		}
	}
	out.SplitOrders, out.SplitSpend = q.SplitOrders, q.SplitSpend
	if out.SplitOrders == 0 || out.SplitSpend == 0 {
		ords, spends := make([]int64, n), make([]int64, n)
		for i, b := range buyers {
			ords[i], spends[i] = b.Orders, b.Spend
		}
		if out.SplitOrders == 0 {
			out.SplitOrders = lowerMedian(ords)
		}
		if out.SplitSpend == 0 {
			out.SplitSpend = lowerMedian(spends)
		}
	}
	slices.SortFunc(buyers, func(a, b BuyerFigures) int {
		return cmp.Or(cmp.Compare(b.Spend, a.Spend), cmp.Compare(a.BuyerKey, b.BuyerKey))
	})
	quads := map[string]*Quadrant{}
	for _, name := range Quadrants {
		quads[name] = &Quadrant{Name: name}
	}
	for _, b := range buyers {
		name := quadrantOf(b.Orders > out.SplitOrders, b.Spend > out.SplitSpend)
		qd := quads[name]
		qd.Buyers++
		qd.Spend += b.Spend
		if len(qd.Members) < int(q.Limit) {
			qd.Members = append(qd.Members, b)
		}
	}
	for _, name := range Quadrants {
		if q.Quadrant == "" || q.Quadrant == name {
			out.Quadrants = append(out.Quadrants, *quads[name])
		}
	}
	if out.Outlets, out.Chains, err = s.retailSales(ctx, p); err != nil {
		return out, err
	}
	return out, s.nameRetail(ctx, &out)
}

func quadrantOf(highFrequency, highSpend bool) string {
	switch {
	case highFrequency && highSpend:
		return QuadrantHighHigh
	case highFrequency:
		return QuadrantHighLow
	case highSpend:
		return QuadrantLowHigh
	default:
		return QuadrantLowLow
	}
}

// retailSales sums supermarket deliveries and returns by outlet and by chain.
func (s *Service) retailSales(ctx context.Context, p Period) (outlets, chains []OutletSales, err error) {
	if err := s.db.WithContext(ctx).Raw(`SELECT customer_id, outlet_id, SUM(sold_amount) AS sales,
		SUM(returned_amount) AS returns, SUM(cost) AS cost FROM insights_daily_sales
		WHERE day BETWEEN ? AND ? AND channel = ? GROUP BY customer_id, outlet_id ORDER BY customer_id, outlet_id`,
		day(p.From), day(p.To), ChannelRetailer).Scan(&outlets).Error; err != nil {
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
