package reconcile

import (
	"context"
	"time"

	"github.com/erphub/erphub/services/orders"
)

// onlyOur is one of our documents missing from their statement.
type onlyOur struct {
	kind   string // delivery, return, receipt (trade lines) or order
	id     int64
	docNo  string
	date   time.Time
	amount int64
}

// Review reasons of platform settlement lines.
const (
	ReviewAlreadySettled   = "ALREADY_SETTLED"
	ReviewRefundNotOurs    = "REFUND_NOT_RECORDED"
	ReviewSettledCancelled = "ORDER_CANCELLED"
)

// matchSettlement matches a platform's settlement bill of a shop with the shop's orders:
// each settled order (RECEIPT, its platform order id in documentNumber, else poNumber) is
// MATCHED when the amount equals what the buyer paid, PRICE_DIFFERENCE when not (a refund
// or an adjustment the hub does not know), ONLY_THEIRS when no such order exists or it was
// settled already in the bill; a refund (RETURN) is matched with its order and flagged
// when the order shows no refund; fees are classified (a platform's commission is its
// terms, not a retailer's fee, so nothing else is flagged); orders shipped in the period
// and missing from the bill are ONLY_OURS. One map lookup per line.
func (s *Service) matchSettlement(ctx context.Context, shop int64, rows []Row, rules []feeRule, from, to time.Time) (
	[]outcome, Totals, []onlyOur, int64, error) {
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		if id := orderRef(r); id != "" && (r.RecordType == RecordReceipt || r.RecordType == RecordReturn) {
			ids = append(ids, id)
		}
	}
	found, err := s.orders.OrdersForSettlement(ctx, shop, ids)
	if err != nil {
		return nil, Totals{}, nil, 0, err
	}
	m := &matcher{rules: rules}
	settled := map[string]bool{}
	outs := make([]outcome, len(rows))
	for i, r := range rows {
		id := orderRef(r)
		o, ok := found[id]
		switch r.RecordType {
		case RecordReceipt:
			switch {
			case !ok:
				outs[i] = outcome{State: OnlyTheirs, Reasons: []string{ReviewNoOurDocument}}
			case settled[id]:
				outs[i] = outcome{State: OnlyTheirs, TradeLine: o.ID, Reasons: []string{ReviewAlreadySettled}}
			default:
				settled[id] = true
				outs[i] = outcome{State: Matched, TradeLine: o.ID, AmountDiff: abs(r.Amount) - o.Paid}
				if outs[i].AmountDiff != 0 {
					outs[i].State, outs[i].Reasons = PriceDifference, []string{ReviewPriceMismatch}
				}
				if o.Status == "cancelled" {
					outs[i].Reasons = append(outs[i].Reasons, ReviewSettledCancelled)
				}
			}
		case RecordReturn:
			switch {
			case !ok:
				outs[i] = outcome{State: OnlyTheirs, Reasons: []string{ReviewNoOurDocument}}
			default:
				outs[i] = outcome{State: Matched, TradeLine: o.ID}
				if !o.Refunded && o.Status != "cancelled" && o.FulfilState != orders.FulfilReturnExpected {
					outs[i].Reasons = []string{ReviewRefundNotOurs}
				}
			}
		case RecordPriceAdjustment:
			outs[i] = outcome{State: OnlyTheirs, Reasons: []string{ReviewPriceAdjustment}}
		case RecordFee:
			outs[i] = outcome{FeeCategory: m.classify(r.FeeType + " " + r.Remark)}
			if outs[i].FeeCategory == FeeOther {
				outs[i].Reasons = []string{ReviewUnclassified}
			}
		}
	}
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, s.loc)
	end := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, s.loc).AddDate(0, 0, 1)
	shipped, err := s.orders.OrdersShipped(ctx, shop, start, end)
	if err != nil {
		return nil, Totals{}, nil, 0, err
	}
	var left []onlyOur
	var ours int64
	for _, o := range shipped {
		ours += o.Paid
		if !settled[o.PlatformOrderID] {
			d := s.localDate(*o.ShippedAt)
			left = append(left, onlyOur{kind: "order", id: o.ID, docNo: o.PlatformOrderID, date: d, amount: o.Paid})
		}
	}
	return outs, totalsOf(rows), left, ours, nil
}

// orderRef is the platform order id a settlement line names.
func orderRef(r Row) string {
	if r.DocumentNumber != "" {
		return r.DocumentNumber
	}
	return r.PONumber
}

// ShopID answers the id of a shop named by id or code. Errors: NotFound.
func (s *Service) ShopID(ctx context.Context, ref string) (int64, error) {
	shop, err := s.catalog.ShopByRef(ctx, ref)
	return shop.ID, err
}
