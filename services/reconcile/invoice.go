package reconcile

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/docno"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/catalog"
	"github.com/erphub/erphub/services/finance"
)

// Invoice kinds.
const (
	InvoiceSpecial  = "SPECIAL"  // 增值税专用发票
	InvoiceOrdinary = "ORDINARY" // 增值税普通发票
)

// Errors of invoicing.
var (
	ErrOverInvoiced  = apperr.Refused("OVER_INVOICED", "more than is left to invoice")
	ErrRedExceeds    = apperr.Refused("RED_EXCEEDS_INVOICE", "red invoices would credit more than the invoice")
	ErrRedOfRed      = apperr.Refused("RED_OF_RED", "a red invoice cannot be corrected by another red invoice")
	ErrWrongTaxRate  = apperr.Refused("TAX_RATE_DIFFERS", "the line's tax rate differs from the invoice's")
	ErrNotOnInvoice  = apperr.Refused("ITEM_NOT_ON_INVOICE", "the item is not on the invoice")
	ErrNotInvoicable = apperr.Refused("NOT_INVOICEABLE", "the trade line is not this customer's of the right kind")
)

// refusedAt names the request field a refusal is about, in its message and metadata.
func refusedAt(e *apperr.Error, field, format string, args ...any) error {
	return e.Withf("%s: %s", field, fmt.Sprintf(format, args...)).With("field", field)
}

// SalesInvoice is one of our invoices to a customer (销项发票). It covers one outlet's
// lines at one tax rate: net + tax = gross on every line and so on the invoice.
type SalesInvoice struct {
	ID        int64
	Number    string
	Customer  int64
	Outlet    int64
	Branch    int64
	Kind      string
	Red       bool
	Original  int64
	TaxRateBp int32
	Date, Due time.Time
	Net, Tax  int64
	Gross     int64
	Settled   int64
	Credited  int64
	Reason    string
	Lines     []SalesInvoiceLine
	CreatedAt time.Time
}

// Open is what is still owed on the invoice (negative: a credit to the customer).
func (i SalesInvoice) Open() int64 { return i.Gross - i.Settled }

// SalesInvoiceLine is one line of an invoice.
type SalesInvoiceLine struct {
	TradeLine int64 // 0: a price correction
	Item      int64
	Quantity  int64
	Net, Tax  int64
	Gross     int64
}

// InvoiceQuantity names a trade line and how much of it to invoice (0: all left).
type InvoiceQuantity struct {
	TradeLine int64
	Quantity  int64
}

// IssueInvoices is what to invoice.
type IssueInvoices struct {
	Customer int64
	Kind     string
	Date     time.Time // zero: today
	Lines    []InvoiceQuantity
}

// Invoices are the invoices one request issued.
type Invoices []SalesInvoice

// ResourceName names the first invoice in the audit log.
func (v Invoices) ResourceName() string {
	if len(v) == 0 {
		return "salesInvoices"
	}
	return fmt.Sprintf("salesInvoices/%d", v[0].ID)
}

// ResourceName names the invoice in the audit log.
func (i SalesInvoice) ResourceName() string { return fmt.Sprintf("salesInvoices/%d", i.ID) }

// invoicedLine is a trade line as invoicing reads it.
type invoicedLine struct {
	ID, PartyID, OutletID, BranchID, ItemID int64
	PartyType, Kind, DocNo                  string
	Quantity, Amount, InvoicedQty           int64
	VatRateBp                               int32
}

// lockTradeLines reads trade lines FOR UPDATE, in id order (no deadlock between two
// invoicing calls).
func lockTradeLines(tx *gorm.DB, ids []int64) (map[int64]invoicedLine, error) {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	var rows []invoicedLine
	if err := tx.Raw(`SELECT id, party_id, outlet_id, branch_id, item_id, party_type, kind, doc_no, quantity, amount, invoiced_qty,
		vat_rate_bp FROM trade_lines WHERE id IN ? ORDER BY id FOR UPDATE`, sorted).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]invoicedLine, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// takeInvoiced draws q more of a trade line onto an invoice: a guarded UPDATE, so the
// invoiced quantity never passes the line's quantity. It answers the gross amount of the
// q units as the difference of cumulative shares of the line's amount, so that the parts
// of a line invoiced in steps add up to its amount exactly.
func takeInvoiced(tx *gorm.DB, l invoicedLine, q int64, field string) (int64, error) {
	res := tx.Exec(`UPDATE trade_lines SET invoiced_qty = invoiced_qty + ? WHERE id = ? AND invoiced_qty + ? <= quantity`, q, l.ID, q)
	if res.Error != nil {
		return 0, res.Error
	}
	if res.RowsAffected != 1 {
		return 0, refusedAt(ErrOverInvoiced, field, "at most %d milli-units are left to invoice", l.Quantity-l.InvoicedQty)
	}
	after, err := money.MulDiv(l.Amount, l.InvoicedQty+q, l.Quantity)
	if err != nil {
		return 0, err
	}
	before, err := money.MulDiv(l.Amount, l.InvoicedQty, l.Quantity)
	return after - before, err
}

// quantityToTake answers how much of a locked trade line to invoice.
func quantityToTake(l invoicedLine, asked int64, field string) (int64, error) {
	left := l.Quantity - l.InvoicedQty
	q := asked
	if q == 0 {
		q = left
	}
	if q <= 0 || q > left {
		return 0, refusedAt(ErrOverInvoiced, field, "at most %d milli-units are left to invoice", left)
	}
	return q, nil
}

func checkQuantities(v *apperr.Violations, field string, lines []InvoiceQuantity) {
	seen := map[int64]bool{}
	for i, l := range lines {
		f := fmt.Sprintf("%s[%d]", field, i)
		v.Check(l.TradeLine > 0, f+".tradeLine", "is required")
		v.Check(!seen[l.TradeLine], f+".tradeLine", "appears twice")
		v.Check(l.Quantity >= 0, f+".quantity", "must not be negative (0: all left)")
		seen[l.TradeLine] = true
	}
}

// IssueInvoices invoices delivered trade lines of a customer: one invoice per branch,
// outlet and tax rate, numbered gap-free, each split exactly (net + tax = gross per line,
// gross being the trade line's amount for the quantity) and published once to finance
// (sales_invoice). Errors: Invalid, NotFound, Refused (OVER_INVOICED, NOT_INVOICEABLE).
func (s *Service) IssueInvoices(ctx context.Context, in IssueInvoices) (Invoices, error) {
	var v apperr.Violations
	v.Check(in.Customer > 0, "customer", "is required")
	v.Check(in.Kind == InvoiceSpecial || in.Kind == InvoiceOrdinary, "kind", "must be SPECIAL or ORDINARY")
	if v.Check(len(in.Lines) > 0 && len(in.Lines) <= 1000, "lines", "must hold 1 to 1000 trade lines") {
		checkQuantities(&v, "lines", in.Lines)
	}
	if err := v.Err("invalid invoice"); err != nil {
		return nil, err
	}
	cust, err := s.catalog.Customer(ctx, in.Customer)
	if err != nil {
		return nil, err
	}
	if in.Date.IsZero() {
		in.Date = s.today()
	}
	due := dueDate(cust.Settlement, in.Date)
	ids := make([]int64, len(in.Lines))
	for i, l := range in.Lines {
		ids[i] = l.TradeLine
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Invoices, error) {
		locked, err := lockTradeLines(tx, ids)
		if err != nil {
			return nil, err
		}
		type key struct {
			branch, outlet int64
			rate           int32
		}
		var order []key
		groups := map[key]*SalesInvoice{}
		for i, want := range in.Lines {
			f := fmt.Sprintf("lines[%d]", i)
			l, ok := locked[want.TradeLine]
			if !ok {
				return nil, apperr.Invalid(f+".tradeLine", "does not exist")
			}
			if l.PartyType != PartyCustomer || l.PartyID != in.Customer || l.Kind != KindDelivery {
				return nil, refusedAt(ErrNotInvoicable, f+".tradeLine", "is not a delivery to customer %d", in.Customer)
			}
			q, err := quantityToTake(l, want.Quantity, f+".quantity")
			if err != nil {
				return nil, err
			}
			gross, err := takeInvoiced(tx, l, q, f+".quantity")
			if err != nil {
				return nil, err
			}
			net, tax, err := money.SplitGross(gross, l.VatRateBp)
			if err != nil {
				return nil, err
			}
			k := key{l.BranchID, l.OutletID, l.VatRateBp}
			g, ok := groups[k]
			if !ok {
				g = &SalesInvoice{Customer: in.Customer, Outlet: l.OutletID, Branch: l.BranchID, Kind: in.Kind, TaxRateBp: l.VatRateBp,
					Date: in.Date, Due: due}
				groups[k] = g
				order = append(order, k)
			}
			g.Lines = append(g.Lines, SalesInvoiceLine{TradeLine: l.ID, Item: l.ItemID, Quantity: q, Net: net, Tax: tax, Gross: gross})
			g.Net, g.Tax, g.Gross = g.Net+net, g.Tax+tax, g.Gross+gross
		}
		out := make(Invoices, 0, len(order))
		for _, k := range order {
			inv := groups[k]
			if err := s.insertSalesInvoice(ctx, tx, inv); err != nil {
				return nil, err
			}
			out = append(out, *inv)
		}
		return out, nil
	})
}

// insertSalesInvoice numbers, stores and publishes an invoice.
func (s *Service) insertSalesInvoice(ctx context.Context, tx *gorm.DB, inv *SalesInvoice) error {
	period := docno.Period(inv.Date, time.UTC)
	n, err := docno.Next(tx, "sales_invoice", 0, period)
	if err != nil {
		return err
	}
	inv.Number = docno.Format("SI", "", period, n)
	inv.CreatedAt = s.clock()
	if err := tx.Exec(`INSERT INTO sales_invoices (doc_no, customer_id, outlet_id, branch_id, kind, red, original_id, tax_rate_bp,
		inv_date, due_date, net, tax, gross, settled, reason, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		inv.Number, inv.Customer, inv.Outlet, inv.Branch, inv.Kind, inv.Red, inv.Original, inv.TaxRateBp, inv.Date, inv.Due,
		inv.Net, inv.Tax, inv.Gross, inv.Settled, text.Clip(inv.Reason, 255), reqctx.PrincipalFrom(ctx).ID, inv.CreatedAt).Error; err != nil {
		return err
	}
	if err := tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&inv.ID).Error; err != nil {
		return err
	}
	var args []any
	doc := finance.Document{Type: "sales_invoice", ID: inv.ID, Number: inv.Number, Date: inv.Date.Format(time.DateOnly),
		Branch: inv.Branch, Customer: inv.Customer, Reason: inv.Reason}
	for i, l := range inv.Lines {
		args = append(args, inv.ID, i+1, l.TradeLine, l.Item, l.Quantity, l.Net, l.Tax, l.Gross)
		doc.Lines = append(doc.Lines, finance.DocumentLine{Item: l.Item, Net: l.Net, VAT: l.Tax})
	}
	if err := tx.Exec(`INSERT INTO sales_invoice_lines (invoice_id, line_no, trade_line_id, item_id, quantity, net, tax, gross)
		VALUES `+db.Placeholders(len(inv.Lines), 8), args...).Error; err != nil {
		return err
	}
	return finance.PublishDocument(ctx, s.outbox, tx, doc)
}

// RedInvoice is what a red invoice corrects.
type RedInvoice struct {
	Original    int64
	Returns     []InvoiceQuantity // return trade lines of the customer
	Corrections []PriceCorrection
	Reason      string
	Date        time.Time // zero: today
}

// PriceCorrection credits an amount including VAT on an item of the invoice.
type PriceCorrection struct {
	Item   int64
	Amount int64 // fen, positive
}

// IssueRedInvoice issues a red (negative) invoice against a blue one, for the customer's
// returns (return trade lines at the invoice's tax rate) and price corrections (items on
// the invoice). All red invoices of an invoice together credit at most its gross. The
// credit settles what is open on the original first; the rest stays open, negative, on
// the red invoice (a credit for the customer). Published once (sales_invoice, negative).
// Errors: Invalid, NotFound, Refused (RED_OF_RED, RED_EXCEEDS_INVOICE, OVER_INVOICED,
// NOT_INVOICEABLE, TAX_RATE_DIFFERS, ITEM_NOT_ON_INVOICE).
func (s *Service) IssueRedInvoice(ctx context.Context, in RedInvoice) (SalesInvoice, error) {
	var v apperr.Violations
	v.Check(in.Original > 0, "id", "is required")
	in.Reason = strings.TrimSpace(in.Reason)
	v.Check(in.Reason != "" && len(in.Reason) <= 255, "reason", "is required (at most 255 bytes)")
	if v.Check(len(in.Returns)+len(in.Corrections) > 0 && len(in.Returns)+len(in.Corrections) <= 1000, "returns",
		"give 1 to 1000 returns or corrections") {
		checkQuantities(&v, "returns", in.Returns)
		for i, c := range in.Corrections {
			f := fmt.Sprintf("corrections[%d]", i)
			v.Check(c.Item > 0, f+".item", "is required")
			v.Check(c.Amount > 0, f+".amount", "must be positive (fen including VAT to credit)")
		}
	}
	if err := v.Err("invalid red invoice"); err != nil {
		return SalesInvoice{}, err
	}
	if in.Date.IsZero() {
		in.Date = s.today()
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (SalesInvoice, error) {
		orig, err := salesInvoice(tx, in.Original, true)
		if err != nil {
			return SalesInvoice{}, err
		}
		if orig.Red {
			return SalesInvoice{}, refusedAt(ErrRedOfRed, "id", "invoice %s is red", orig.Number)
		}
		red := SalesInvoice{Customer: orig.Customer, Outlet: orig.Outlet, Branch: orig.Branch, Kind: orig.Kind, Red: true,
			Original: orig.ID, TaxRateBp: orig.TaxRateBp, Date: in.Date, Due: in.Date, Reason: in.Reason}
		add := func(l SalesInvoiceLine) error {
			var err error
			l.Net, l.Tax, err = money.SplitGross(l.Gross, orig.TaxRateBp)
			red.Lines = append(red.Lines, l)
			red.Net, red.Tax, red.Gross = red.Net+l.Net, red.Tax+l.Tax, red.Gross+l.Gross
			return err
		}
		if len(in.Returns) > 0 {
			ids := make([]int64, len(in.Returns))
			for i, r := range in.Returns {
				ids[i] = r.TradeLine
			}
			locked, err := lockTradeLines(tx, ids)
			if err != nil {
				return SalesInvoice{}, err
			}
			for i, want := range in.Returns {
				f := fmt.Sprintf("returns[%d]", i)
				l, ok := locked[want.TradeLine]
				if !ok {
					return SalesInvoice{}, apperr.Invalid(f+".tradeLine", "does not exist")
				}
				if l.PartyType != PartyCustomer || l.PartyID != orig.Customer || l.Kind != KindReturn {
					return SalesInvoice{}, refusedAt(ErrNotInvoicable, f+".tradeLine", "is not a return of customer %d", orig.Customer)
				}
				if l.VatRateBp != orig.TaxRateBp {
					return SalesInvoice{}, refusedAt(ErrWrongTaxRate, f+".tradeLine", "rate %d bp, the invoice's is %d bp",
						l.VatRateBp, orig.TaxRateBp)
				}
				q, err := quantityToTake(l, want.Quantity, f+".quantity")
				if err != nil {
					return SalesInvoice{}, err
				}
				gross, err := takeInvoiced(tx, l, q, f+".quantity")
				if err != nil {
					return SalesInvoice{}, err
				}
				if err := add(SalesInvoiceLine{TradeLine: l.ID, Item: l.ItemID, Quantity: -q, Gross: -gross}); err != nil {
					return SalesInvoice{}, err
				}
			}
		}
		for i, c := range in.Corrections {
			if !slices.ContainsFunc(orig.Lines, func(l SalesInvoiceLine) bool { return l.Item == c.Item }) {
				return SalesInvoice{}, refusedAt(ErrNotOnInvoice, fmt.Sprintf("corrections[%d].item", i), "item %d is not on %s",
					c.Item, orig.Number)
			}
			if err := add(SalesInvoiceLine{Item: c.Item, Gross: -c.Amount}); err != nil {
				return SalesInvoice{}, err
			}
		}
		credit := -red.Gross
		res := tx.Exec(`UPDATE sales_invoices SET credited = credited + ? WHERE id = ? AND credited + ? <= gross`, credit, orig.ID, credit)
		if res.Error != nil {
			return SalesInvoice{}, res.Error
		}
		if res.RowsAffected != 1 {
			return SalesInvoice{}, refusedAt(ErrRedExceeds, "returns", "%s has %d fen left to credit, this red invoice is %d",
				orig.Number, orig.Gross-orig.Credited, credit)
		}
		settle := min(credit, max(orig.Open(), 0))
		red.Settled = -settle
		if err := s.insertSalesInvoice(ctx, tx, &red); err != nil {
			return SalesInvoice{}, err
		}
		if settle > 0 {
			if err := settleInvoice(tx, "sales", orig.ID, settle); err != nil {
				return SalesInvoice{}, err
			}
			if err := recordSettlements(tx, s.clock(), in.Date, "red_invoice",
				settlementRow{"sales", orig.ID, red.ID, settle, 0}, settlementRow{"sales", red.ID, orig.ID, -settle, 0}); err != nil {
				return SalesInvoice{}, err
			}
		}
		return red, nil
	})
}

// GetSalesInvoice answers an invoice with its lines. Errors: NotFound.
func (s *Service) GetSalesInvoice(ctx context.Context, id int64) (SalesInvoice, error) {
	return salesInvoice(s.db.WithContext(ctx), id, false)
}

type salesInvoiceRow struct {
	ID, CustomerID, OutletID, BranchID, OriginalID int64
	DocNo, Kind, Reason                            string
	Red                                            bool
	TaxRateBp                                      int32
	InvDate, DueDate, CreatedAt                    time.Time
	Net, Tax, Gross, Settled, Credited             int64
}

// salesInvoice reads an invoice with its lines, locking its row when lock is set.
func salesInvoice(g *gorm.DB, id int64, lock bool) (SalesInvoice, error) {
	q := `SELECT * FROM sales_invoices WHERE id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var r salesInvoiceRow
	res := g.Raw(q, id).Scan(&r)
	if res.Error != nil {
		return SalesInvoice{}, res.Error
	}
	if res.RowsAffected == 0 {
		return SalesInvoice{}, apperr.NotFound("sales invoice", id)
	}
	inv := SalesInvoice{ID: r.ID, Number: r.DocNo, Customer: r.CustomerID, Outlet: r.OutletID, Branch: r.BranchID, Kind: r.Kind,
		Red: r.Red, Original: r.OriginalID, TaxRateBp: r.TaxRateBp, Date: r.InvDate, Due: r.DueDate, Net: r.Net, Tax: r.Tax,
		Gross: r.Gross, Settled: r.Settled, Credited: r.Credited, Reason: r.Reason, CreatedAt: r.CreatedAt}
	var lines []struct {
		TradeLineID, ItemID, Quantity, Net, Tax, Gross int64
	}
	if err := g.Raw(`SELECT trade_line_id, item_id, quantity, net, tax, gross FROM sales_invoice_lines WHERE invoice_id = ?
		ORDER BY line_no`, id).Scan(&lines).Error; err != nil {
		return inv, err
	}
	for _, l := range lines {
		inv.Lines = append(inv.Lines, SalesInvoiceLine{TradeLine: l.TradeLineID, Item: l.ItemID, Quantity: l.Quantity, Net: l.Net,
			Tax: l.Tax, Gross: l.Gross})
	}
	return inv, nil
}

// dueDate answers when an invoice dated d falls due under a customer's settlement terms:
// the period closes on the first closing date on or after d (monthly: day N, 31 = the
// month's last day; semimonthly: the 15th and the month's last day; weekly: weekday N,
// Monday = 1; per delivery or no terms: the invoice date), and the invoice is due
// DueDays after the close.
func dueDate(t catalog.SettlementTerms, d time.Time) time.Time {
	closing := d
	lastDay := func(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }
	switch t.Cycle {
	case "monthly":
		day := min(int(t.ClosingDay), lastDay(d.Year(), d.Month()))
		closing = time.Date(d.Year(), d.Month(), day, 0, 0, 0, 0, time.UTC)
		if closing.Before(d) {
			next := time.Date(d.Year(), d.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			closing = time.Date(next.Year(), next.Month(), min(int(t.ClosingDay), lastDay(next.Year(), next.Month())), 0, 0, 0, 0, time.UTC)
		}
	case "semimonthly":
		if d.Day() <= 15 {
			closing = time.Date(d.Year(), d.Month(), 15, 0, 0, 0, 0, time.UTC)
		} else {
			closing = time.Date(d.Year(), d.Month(), lastDay(d.Year(), d.Month()), 0, 0, 0, 0, time.UTC)
		}
	case "weekly":
		wd := int(d.Weekday()+6)%7 + 1 // Monday = 1
		closing = d.AddDate(0, 0, (int(t.ClosingDay)-wd+7)%7)
	}
	return closing.AddDate(0, 0, int(t.DueDays))
}
