package insights

import (
	"cmp"
	"context"
	"slices"

	"github.com/erphub/erphub/internal/money"
)

// Figures are a shop's or platform's sums over a period.
type Figures struct {
	Orders, Buyers, GMV, Paid, AverageOrderValue int64
	RefundedOrders                               int64
	RefundRateBp                                 int32
	Refunded, Fees, Cost, MarginAfterFees        int64
	Visitors, AddToCart                          int64 // imported traffic
	ConversionBp, CartRateBp                     int32 // orders / visitors, add-to-cart / visitors
}

// ChannelFigures compare a shop or platform with the previous period.
type ChannelFigures struct {
	ShopID       int64
	Channel      string
	Current      Figures
	Previous     Figures
	LastYear     Figures // the same days a year before
	PaidChangeBp int32
	// PaidYearChangeBp is the change of paid against the same days a year before.
	PaidYearChangeBp int32

	ShopName string // from the catalog ("" in platform totals)
}

// Channels is the channel comparison.
type Channels struct {
	Period, Previous, LastYear Period
	Shops, Platforms           []ChannelFigures
}

// GetChannels answers per-shop and per-platform figures of the period and the previous
// one of the same length. Errors: Invalid naming the field.
func (s *Service) GetChannels(ctx context.Context, from, to string) (Channels, error) {
	p, err := s.period(from, to, 30)
	if err != nil {
		return Channels{}, err
	}
	out := Channels{Period: p, Previous: p.Previous(), LastYear: Period{From: p.From.AddDate(-1, 0, 0), To: p.To.AddDate(-1, 0, 0)}}
	change := func(cur, before int64) int32 {
		if before == 0 {
			return 0
		}
		v, _ := money.MulDiv(cur-before, money.BasisPoints, before)
		return int32(v)
	}
	periods := []Period{p, out.Previous, out.LastYear}
	var shops, platforms [3]map[chanKey]Figures
	for i, per := range periods {
		if shops[i], platforms[i], err = s.periodFigures(ctx, per); err != nil {
			return Channels{}, err
		}
	}
	for _, byShop := range []bool{true, false} {
		cur, prev, year := shops[0], shops[1], shops[2]
		if !byShop {
			cur, prev, year = platforms[0], platforms[1], platforms[2]
		}
		keys := map[chanKey]bool{}
		for _, m := range []map[chanKey]Figures{cur, prev, year} {
			for k := range m {
				keys[k] = true
			}
		}
		var list []ChannelFigures
		for k := range keys {
			c := ChannelFigures{ShopID: k.shop, Channel: k.channel, Current: cur[k], Previous: prev[k], LastYear: year[k]}
			c.PaidChangeBp = change(c.Current.Paid, c.Previous.Paid)
			c.PaidYearChangeBp = change(c.Current.Paid, c.LastYear.Paid)
			list = append(list, c)
		}
		slices.SortFunc(list, func(a, b ChannelFigures) int {
			return cmp.Or(cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.ShopID, b.ShopID))
		})
		if byShop {
			out.Shops = list
		} else {
			out.Platforms = list
		}
	}
	return out, s.nameChannels(ctx, &out)
}

type chanKey struct {
	shop    int64
	channel string
}

// periodFigures sums a period's shop days per shop and per platform, with the distinct
// buyers of the counted orders and the imported traffic.
func (s *Service) periodFigures(ctx context.Context, p Period) (shops, platforms map[chanKey]Figures, err error) {
	v, err := cached(ctx, s, cacheKey("channels", p), []Period{p}, func(ctx context.Context) ([2]map[chanKey]Figures, error) {
		shops, platforms, err := s.readPeriodFigures(ctx, p)
		return [2]map[chanKey]Figures{shops, platforms}, err
	})
	return v[0], v[1], err
}

func (s *Service) readPeriodFigures(ctx context.Context, p Period) (shops, platforms map[chanKey]Figures, err error) {
	g := s.db.WithContext(ctx)
	var rows []struct {
		ShopID                            int64
		Channel                           string
		Orders, GMV, Paid, RefundedOrders int64
		Refunded, Fees, Cost              int64
	}
	if err := g.Raw(`SELECT shop_id, channel, SUM(orders) AS orders, SUM(gmv) AS gmv, SUM(paid) AS paid,
		SUM(refunded_orders) AS refunded_orders, SUM(refunded) AS refunded, SUM(fees) AS fees, SUM(cost) AS cost
		FROM insights_shop_days WHERE day BETWEEN ? AND ? GROUP BY shop_id, channel`, day(p.From), day(p.To)).Scan(&rows).Error; err != nil {
		return nil, nil, err
	}
	shops, platforms = map[chanKey]Figures{}, map[chanKey]Figures{}
	shopsOf := map[string]int{} // shops with orders per platform
	for _, r := range rows {
		f := Figures{Orders: r.Orders, GMV: r.GMV, Paid: r.Paid, RefundedOrders: r.RefundedOrders, Refunded: r.Refunded,
			Fees: r.Fees, Cost: r.Cost}
		if f == (Figures{}) {
			continue
		}
		shops[chanKey{r.ShopID, r.Channel}] = f
		k := chanKey{0, r.Channel}
		t := platforms[k]
		t.Orders, t.GMV, t.Paid, t.RefundedOrders = t.Orders+f.Orders, t.GMV+f.GMV, t.Paid+f.Paid, t.RefundedOrders+f.RefundedOrders
		t.Refunded, t.Fees, t.Cost = t.Refunded+f.Refunded, t.Fees+f.Fees, t.Cost+f.Cost
		platforms[k] = t
		if f.Orders != 0 {
			shopsOf[r.Channel]++
		}
	}
	// Distinct buyers are no sum of days: counted from the order facts (a buyer key names its
	// platform, so a platform with orders in one shop has that shop's buyers).
	var buyers []struct {
		ShopID  int64
		Channel string
		Buyers  int64
	}
	if err := g.Raw(`SELECT shop_id, channel, COUNT(DISTINCT buyer_id) AS buyers FROM insights_orders
		WHERE counted = 1 AND day BETWEEN ? AND ? AND buyer_id <> 0 GROUP BY channel, shop_id`, day(p.From), day(p.To)).
		Scan(&buyers).Error; err != nil {
		return nil, nil, err
	}
	var shared []string // platforms with orders in several shops
	for _, b := range buyers {
		k := chanKey{b.ShopID, b.Channel}
		f := shops[k]
		f.Buyers = b.Buyers
		shops[k] = f
		if shopsOf[b.Channel] > 1 {
			if !slices.Contains(shared, b.Channel) {
				shared = append(shared, b.Channel)
			}
			continue
		}
		pk := chanKey{0, b.Channel}
		pf := platforms[pk]
		pf.Buyers = b.Buyers
		platforms[pk] = pf
	}
	if len(shared) > 0 {
		buyers = buyers[:0]
		if err := g.Raw(`SELECT channel, COUNT(DISTINCT buyer_id) AS buyers FROM insights_orders
			WHERE counted = 1 AND day BETWEEN ? AND ? AND buyer_id <> 0 AND channel IN ? GROUP BY channel`,
			day(p.From), day(p.To), shared).Scan(&buyers).Error; err != nil {
			return nil, nil, err
		}
		for _, b := range buyers {
			pk := chanKey{0, b.Channel}
			pf := platforms[pk]
			pf.Buyers = b.Buyers
			platforms[pk] = pf
		}
	}
	traffic, err := s.trafficOf(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	for k, t := range traffic {
		for _, m := range []struct {
			figures map[chanKey]Figures
			key     chanKey
		}{{shops, k}, {platforms, chanKey{0, k.channel}}} {
			f := m.figures[m.key]
			f.Visitors, f.AddToCart = f.Visitors+t[0], f.AddToCart+t[1]
			m.figures[m.key] = f
		}
	}
	for _, m := range []map[chanKey]Figures{shops, platforms} {
		for k, f := range m {
			if f.Visitors > 0 {
				f.ConversionBp, f.CartRateBp = shareBp(f.Orders, f.Visitors), shareBp(f.AddToCart, f.Visitors)
			}
			if f.Orders > 0 {
				f.AverageOrderValue, _ = money.MulDiv(f.Paid, 1, f.Orders)
				f.RefundRateBp = shareBp(f.RefundedOrders, f.Orders)
			}
			f.MarginAfterFees = f.Paid - f.Refunded - f.Cost - f.Fees
			m[k] = f
		}
	}
	return shops, platforms, nil
}
