package insights

import (
	"context"
	"strconv"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/tabular"
)

// ExportQuery names an analysis, its format and its query fields.
type ExportQuery struct {
	Report, Format string
	Abc            AbcQuery
	Customers      CustomerQuery
	From, To       string
	Replenishment  ReplenishmentQuery
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }

// Export answers an analysis as CSV or XLSX: abc (one row per item), customers (the
// members of the quadrants asked, every member), channels (one row per shop and
// platform) or replenishment (one row per position). Errors: Invalid naming the field.
func (s *Service) Export(ctx context.Context, q ExportQuery) (tabular.Download, error) {
	if q.Format != "csv" && q.Format != "xlsx" {
		return tabular.Download{}, apperr.Invalid("format", "must be csv or xlsx")
	}
	var rows [][]string
	var title string
	switch q.Report {
	case "abc":
		r, err := s.GetAbc(ctx, q.Abc)
		if err != nil {
			return tabular.Download{}, err
		}
		title = "ABC " + day(r.Period.From) + " - " + day(r.Period.To) + " (" + r.Basis + ")"
		rows = append(rows, []string{"item", "SKU", "name", "class", "previous class", "value (fen)", "share (bp)", "cumulative (bp)",
			"sold (milli)", "returned (milli)", "net sales (fen)", "cost (fen)", "gross margin (fen)", "return rate (bp)",
			"velocity (milli/day)", "on hand (milli)", "days of cover"})
		for _, it := range r.Items {
			rows = append(rows, []string{i64(it.ItemID), it.ItemSKU, it.ItemName, it.Class, it.PreviousClass, i64(it.Value), i64(int64(it.ShareBp)),
				i64(int64(it.CumulativeBp)), i64(it.SoldQty), i64(it.ReturnedQty), i64(it.NetSales()), i64(it.Cost),
				i64(it.Margin()), i64(int64(it.ReturnRateBp)), i64(it.Velocity), i64(it.OnHand), i64(it.DaysOfCover)})
		}
	case "customers":
		q.Customers.Limit = 10000
		r, err := s.GetCustomers(ctx, q.Customers)
		if err != nil {
			return tabular.Download{}, err
		}
		title = "Buyers " + day(r.Period.From) + " - " + day(r.Period.To)
		rows = append(rows, []string{"quadrant", "buyer key", "platform", "orders", "spend (fen)", "last order", "recency (days)",
			"R", "F", "M", "tier"})
		for _, qd := range r.Quadrants {
			for _, b := range qd.Members {
				rows = append(rows, []string{qd.Name, b.BuyerKey, b.Channel, i64(b.Orders), i64(b.Spend), b.LastOrder,
					i64(int64(b.RecencyDays)), i64(int64(b.R)), i64(int64(b.F)), i64(int64(b.M)), b.Tier})
			}
		}
	case "channels":
		r, err := s.GetChannels(ctx, q.From, q.To)
		if err != nil {
			return tabular.Download{}, err
		}
		title = "Channels " + day(r.Period.From) + " - " + day(r.Period.To)
		rows = append(rows, []string{"shop", "shop name", "platform", "orders", "buyers", "GMV (fen)", "paid (fen)", "average order (fen)",
			"refund rate (bp)", "refunded (fen)", "fees (fen)", "cost (fen)", "margin after fees (fen)", "previous paid (fen)",
			"paid change (bp)"})
		for _, c := range append(r.Shops, r.Platforms...) {
			f := c.Current
			rows = append(rows, []string{i64(c.ShopID), c.ShopName, c.Channel, i64(f.Orders), i64(f.Buyers), i64(f.GMV), i64(f.Paid),
				i64(f.AverageOrderValue), i64(int64(f.RefundRateBp)), i64(f.Refunded), i64(f.Fees), i64(f.Cost),
				i64(f.MarginAfterFees), i64(c.Previous.Paid), i64(int64(c.PaidChangeBp))})
		}
	case "replenishment":
		r, err := s.GetReplenishment(ctx, q.Replenishment)
		if err != nil {
			return tabular.Download{}, err
		}
		title = "Replenishment as of " + day(r.AsOf)
		rows = append(rows, []string{"warehouse", "warehouse name", "item", "SKU", "name", "supplier", "supplier name",
			"daily demand (milli)", "lead time (days)", "safety stock", "reorder point", "maximum", "available", "on order",
			"transfers in", "transfers out", "order", "transfer in"})
		for _, p := range r.Positions {
			rows = append(rows, []string{i64(p.WarehouseID), p.WarehouseName, i64(p.ItemID), p.ItemSKU, p.ItemName,
				i64(p.SupplierID), p.SupplierName, i64(p.DailyDemand), i64(int64(p.LeadTimeDays)), i64(p.SafetyStock),
				i64(p.ReorderPoint), i64(p.Maximum), i64(p.Available), i64(p.OnOrder), i64(p.TransferIn), i64(p.TransferOut),
				i64(p.OrderQuantity), i64(p.TransferQuantity)})
		}
	default:
		return tabular.Download{}, apperr.Invalid("report", "must be abc, customers, channels or replenishment")
	}
	return tabular.Render(q.Format, "insights-"+q.Report, title, rows)
}
