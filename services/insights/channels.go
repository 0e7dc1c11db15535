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
	for _, byShop := range []bool{true, false} {
		cur, err := s.channelFigures(ctx, p, byShop)
		if err != nil {
			return Channels{}, err
		}
		prev, err := s.channelFigures(ctx, out.Previous, byShop)
		if err != nil {
			return Channels{}, err
		}
		year, err := s.channelFigures(ctx, out.LastYear, byShop)
		if err != nil {
			return Channels{}, err
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

// channelFigures sums the order facts of a period per shop (or per platform), with the
// cost of goods shipped for the shops.
func (s *Service) channelFigures(ctx context.Context, p Period, byShop bool) (map[chanKey]Figures, error) {
	shop, group := "shop_id", "shop_id, channel"
	if !byShop {
		shop, group = "0", "channel"
	}
	var rows []struct {
		ShopID                                    int64
		Channel                                   string
		Orders, Buyers, GMV, Paid, RefundedOrders int64
		Refunded, Fees                            int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT `+shop+` AS shop_id, channel, COUNT(*) AS orders,
		COUNT(DISTINCT NULLIF(buyer_key, '')) AS buyers, SUM(goods) AS gmv, SUM(paid) AS paid,
		SUM(refunded_lines > 0) AS refunded_orders, SUM(refunded) AS refunded, SUM(fees) AS fees
		FROM insights_orders WHERE day BETWEEN ? AND ? AND counted = 1 GROUP BY `+group,
		day(p.From), day(p.To)).Scan(&rows).Error; err != nil {
		return nil, err
	}
	var costs []struct {
		ShopID  int64
		Channel string
		Cost    int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT `+shop+` AS shop_id, channel, SUM(cost) AS cost FROM insights_daily_sales
		WHERE day BETWEEN ? AND ? AND shop_id <> 0 GROUP BY `+group, day(p.From), day(p.To)).Scan(&costs).Error; err != nil {
		return nil, err
	}
	out := map[chanKey]Figures{}
	for _, r := range rows {
		f := Figures{Orders: r.Orders, Buyers: r.Buyers, GMV: r.GMV, Paid: r.Paid, RefundedOrders: r.RefundedOrders,
			Refunded: r.Refunded, Fees: r.Fees}
		out[chanKey{r.ShopID, r.Channel}] = f
	}
	for _, c := range costs {
		k := chanKey{c.ShopID, c.Channel}
		f := out[k]
		f.Cost = c.Cost
		out[k] = f
	}
	traffic, err := s.trafficOf(ctx, p, byShop)
	if err != nil {
		return nil, err
	}
	for k, t := range traffic {
		f := out[k]
		f.Visitors, f.AddToCart = t[0], t[1]
		out[k] = f
	}
	for k, f := range out {
		if f.Visitors > 0 {
			f.ConversionBp, f.CartRateBp = shareBp(f.Orders, f.Visitors), shareBp(f.AddToCart, f.Visitors)
		}
		if f.Orders > 0 {
			f.AverageOrderValue, _ = money.MulDiv(f.Paid, 1, f.Orders)
			f.RefundRateBp = shareBp(f.RefundedOrders, f.Orders)
		}
		f.MarginAfterFees = f.Paid - f.Refunded - f.Cost - f.Fees
		out[k] = f
	}
	return out, nil
}
