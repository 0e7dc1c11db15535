package reconcile

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// AgingBuckets are open amounts by days past due, fen.
type AgingBuckets struct {
	NotDue                       int64 // due date not passed
	Days0_30                     int64 // 1–30 days past due
	Days31_60, Days61_90, Over90 int64
	Total, Overdue               int64
}

func (b *AgingBuckets) add(daysPastDue int, amount int64) {
	switch {
	case daysPastDue <= 0:
		b.NotDue += amount
	case daysPastDue <= 30:
		b.Days0_30 += amount
	case daysPastDue <= 60:
		b.Days31_60 += amount
	case daysPastDue <= 90:
		b.Days61_90 += amount
	default:
		b.Over90 += amount
	}
	b.Total += amount
	if daysPastDue > 0 {
		b.Overdue += amount
	}
}

// AgingRow is a customer's (Outlet 0) or one of its outlets' open invoices.
type AgingRow struct {
	Customer    int64
	Outlet      int64
	Buckets     AgingBuckets
	Unallocated int64 // the customer's row: receipts not allocated as of the date
}

// Aging answers customers' receivables as of a date: each invoice dated on or before it,
// less what settled it on or before it (receipts, discounts, red invoices), in the bucket
// of its days past due (due dates come from the customer's settlement terms when the
// invoice was issued). Rows: per customer, then its outlets; a red invoice's credit not
// yet used counts negative. customer 0: all customers. Errors: none but the database's.
func (s *Service) Aging(ctx context.Context, asOf time.Time, customer int64) ([]AgingRow, AgingBuckets, error) {
	if asOf.IsZero() {
		asOf = s.today()
	}
	g := s.db.WithContext(ctx)
	var open []struct {
		CustomerID, OutletID int64
		DueDate              time.Time
		Open                 int64
	}
	q := `SELECT i.customer_id, i.outlet_id, i.due_date, i.gross - COALESCE(SUM(st.amount + st.discount), 0) AS open
		FROM sales_invoices i LEFT JOIN invoice_settlements st ON st.invoice_type = 'sales' AND st.invoice_id = i.id
		AND st.settle_date <= ? WHERE i.inv_date <= ?`
	args := []any{asOf, asOf}
	if customer != 0 {
		q += ` AND i.customer_id = ?`
		args = append(args, customer)
	}
	if err := g.Raw(q+` GROUP BY i.id HAVING open <> 0`, args...).Scan(&open).Error; err != nil {
		return nil, AgingBuckets{}, err
	}
	var prepaid []struct {
		PartyID, Unallocated int64
	}
	q = `SELECT p.party_id, SUM(p.amount - COALESCE((SELECT SUM(st.amount) FROM invoice_settlements st WHERE st.source_type = 'payment'
		AND st.source_id = p.id AND st.settle_date <= ?), 0)) AS unallocated FROM payments p WHERE p.party_type = ? AND p.pay_date <= ?`
	args = []any{asOf, PartyCustomer, asOf}
	if customer != 0 {
		q += ` AND p.party_id = ?`
		args = append(args, customer)
	}
	if err := g.Raw(q+` GROUP BY p.party_id`, args...).Scan(&prepaid).Error; err != nil {
		return nil, AgingBuckets{}, err
	}
	type key struct{ customer, outlet int64 }
	rows := map[key]*AgingRow{}
	row := func(k key) *AgingRow {
		r, ok := rows[k]
		if !ok {
			r = &AgingRow{Customer: k.customer, Outlet: k.outlet}
			rows[k] = r
		}
		return r
	}
	var total AgingBuckets
	for _, o := range open {
		days := int(asOf.Sub(o.DueDate).Hours() / 24)
		row(key{o.CustomerID, 0}).Buckets.add(days, o.Open)
		if o.OutletID != 0 {
			row(key{o.CustomerID, o.OutletID}).Buckets.add(days, o.Open)
		}
		total.add(days, o.Open)
	}
	for _, p := range prepaid {
		if p.Unallocated != 0 {
			row(key{p.PartyID, 0}).Unallocated = p.Unallocated
		}
	}
	out := make([]AgingRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b AgingRow) int {
		return cmp.Or(cmp.Compare(a.Customer, b.Customer), cmp.Compare(a.Outlet, b.Outlet))
	})
	return out, total, nil
}
