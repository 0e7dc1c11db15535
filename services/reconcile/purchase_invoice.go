package reconcile

import (
	"context"
	"fmt"
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
	"github.com/erphub/erphub/services/finance"
)

// States of a purchase invoice.
const (
	PurchaseMatched  = "MATCHED"  // matched within tolerance and booked
	PurchaseHeld     = "HELD"     // differences found: waits for review, not booked
	PurchaseReleased = "RELEASED" // booked despite its differences
)

// ErrNotHeld answers a release of an invoice that is not held.
var ErrNotHeld = apperr.Refused("NOT_HELD", "only a held invoice can be released")

// PurchaseInvoice is a supplier's invoice, matched three ways: against the purchase
// order (price, quantity ordered) and our receipts of that order not invoiced yet
// (quantity), within the supplier's tolerances (reconcile settings).
type PurchaseInvoice struct {
	ID            int64
	Number        string
	Supplier      int64
	TheirNumber   string
	PurchaseOrder int64
	PONumber      string
	Branch        int64
	Warehouse     int64
	Date, Due     time.Time
	Status        string
	Differences   []string
	Lines         []PurchaseInvoiceLine
	Net, Tax      int64
	Gross         int64
	Estimate      int64 // the receipts' estimate (暂估) reversed when booked, fen
	Settled       int64
	CreatedAt     time.Time
}

// Open is what we still owe on it.
func (p PurchaseInvoice) Open() int64 { return p.Gross - p.Settled }

// ResourceName names the invoice in the audit log.
func (p PurchaseInvoice) ResourceName() string { return fmt.Sprintf("purchaseInvoices/%d", p.ID) }

// PurchaseInvoiceLine is one line of a supplier's invoice with what the order and the
// receipts said.
type PurchaseInvoiceLine struct {
	Item      int64
	Quantity  int64 // milli-units
	UnitPrice int64 // fen per unit without VAT
	TaxRateBp int32
	Net, Tax  int64
	Gross     int64
	Ordered   int64 // output: the order's quantity of the item
	OpenQty   int64 // output: received and not invoiced when entered
	POPrice   int64 // output: the order's unit cost
}

// CreatePurchaseInvoice enters a supplier's invoice for a purchase order. Amounts not
// given are computed: net = quantity × unit price, tax = net × rate (the item's rate by
// default). Matching names each difference beyond tolerance (an item not ordered, more
// than received and not yet invoiced, a unit price off the order's); without differences
// the invoice is MATCHED and booked at once, with them HELD. Booking takes the invoiced
// quantity off the receipts' open quantity and publishes purchase_invoice once, with the
// estimate to reverse. Errors: Invalid, NotFound, Conflict (theirNumber).
func (s *Service) CreatePurchaseInvoice(ctx context.Context, in PurchaseInvoice) (PurchaseInvoice, error) {
	var v apperr.Violations
	v.Check(in.Supplier > 0, "supplier", "is required")
	in.TheirNumber = strings.TrimSpace(in.TheirNumber)
	v.Check(in.TheirNumber != "" && len(in.TheirNumber) <= 64, "theirNumber", "is required (at most 64 bytes)")
	v.Check(in.PurchaseOrder > 0, "purchaseOrder", "is required")
	if v.Check(len(in.Lines) > 0 && len(in.Lines) <= 500, "lines", "must hold 1 to 500 lines") {
		for i, l := range in.Lines {
			f := fmt.Sprintf("lines[%d]", i)
			v.Check(l.Item > 0, f+".item", "is required")
			v.Check(l.Quantity > 0, f+".quantity", "must be positive (milli-units)")
			v.Check(l.UnitPrice >= 0, f+".unitPrice", "must not be negative (fen without VAT)")
			v.Check(l.TaxRateBp >= 0 && l.TaxRateBp <= 10000, f+".taxRate", "must be 0-10000 basis points")
			v.Check(l.Net >= 0 && l.Tax >= 0, f+".net", "amounts must not be negative")
		}
	}
	if err := v.Err("invalid purchase invoice"); err != nil {
		return in, err
	}
	if _, err := s.catalog.Supplier(ctx, in.Supplier); err != nil {
		return in, err
	}
	po, err := s.warehouse.GetPurchaseOrder(ctx, in.PurchaseOrder)
	if err != nil {
		return in, err
	}
	if po.Supplier != in.Supplier {
		return in, apperr.Invalid("purchaseOrder", fmt.Sprintf("is not an order of supplier %d", in.Supplier))
	}
	in.PONumber, in.Branch, in.Warehouse = po.Number, po.Branch, po.Warehouse
	if in.Date.IsZero() {
		in.Date = s.today()
	}
	in.Due = in.Date
	for i := range in.Lines {
		l := &in.Lines[i]
		f := fmt.Sprintf("lines[%d]", i)
		if l.TaxRateBp == 0 {
			it, err := s.catalog.ItemForScan(ctx, l.Item)
			if err != nil {
				return in, apperr.Invalid(f+".item", err.Error())
			}
			l.TaxRateBp = it.VATRateBp
		}
		if l.Net == 0 {
			if l.Net, err = money.LineAmount(l.Quantity, l.UnitPrice); err != nil {
				return in, apperr.Invalid(f+".quantity", "is too large")
			}
		}
		if l.Tax == 0 {
			if l.Tax, err = money.TaxOnNet(l.Net, l.TaxRateBp); err != nil {
				return in, apperr.Invalid(f+".net", "is too large")
			}
		}
		l.Gross = l.Net + l.Tax
		in.Net, in.Tax, in.Gross = in.Net+l.Net, in.Tax+l.Tax, in.Gross+l.Gross
		for _, pl := range po.Lines {
			if pl.Item == l.Item {
				if l.Ordered == 0 {
					l.POPrice = pl.UnitPrice
				}
				l.Ordered += pl.Quantity
			}
		}
	}
	settings, err := s.settings(s.db.WithContext(ctx), PartySupplier, in.Supplier)
	if err != nil {
		return in, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (PurchaseInvoice, error) {
		receipts, err := lockReceipts(tx, in.Supplier, in.PONumber)
		if err != nil {
			return in, err
		}
		open := map[int64]int64{}
		for _, r := range receipts {
			open[r.ItemID] += r.Quantity - r.InvoicedQty
		}
		for i := range in.Lines {
			l := &in.Lines[i]
			f := fmt.Sprintf("lines[%d]", i)
			l.OpenQty = open[l.Item]
			open[l.Item] -= l.Quantity // a second line of the item sees what the first left
			switch {
			case l.Ordered == 0:
				in.Differences = append(in.Differences, fmt.Sprintf("%s: item %d is not on order %s", f, l.Item, in.PONumber))
				continue
			case l.Quantity > l.OpenQty+settings.QuantityTolerance:
				in.Differences = append(in.Differences, fmt.Sprintf("%s: quantity %d, received and not invoiced %d (tolerance %d)",
					f, l.Quantity, l.OpenQty, settings.QuantityTolerance))
			}
			if d := l.UnitPrice - l.POPrice; d > settings.PriceTolerance || -d > settings.PriceTolerance {
				in.Differences = append(in.Differences, fmt.Sprintf("%s: unit price %d, order %d (tolerance %d)", f, l.UnitPrice,
					l.POPrice, settings.PriceTolerance))
			}
		}
		in.Status = PurchaseMatched
		if len(in.Differences) > 0 {
			in.Status = PurchaseHeld
		}
		period := docno.Period(in.Date, time.UTC)
		n, err := docno.Next(tx, "purchase_invoice", 0, period)
		if err != nil {
			return in, err
		}
		in.Number = docno.Format("PI", "", period, n)
		in.CreatedAt = s.clock()
		res := tx.Exec(`INSERT INTO purchase_invoices (doc_no, supplier_id, their_no, po_id, po_no, branch_id, warehouse_id, inv_date,
			due_date, status, net, tax, gross, differences, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			in.Number, in.Supplier, in.TheirNumber, in.PurchaseOrder, in.PONumber, in.Branch, in.Warehouse, in.Date, in.Due, in.Status,
			in.Net, in.Tax, in.Gross, text.Clip(strings.Join(in.Differences, "\n"), 2000), reqctx.PrincipalFrom(ctx).ID, in.CreatedAt)
		if res.Error != nil {
			if _, dup := db.IsDuplicate(res.Error); dup {
				return in, apperr.Conflict("theirNumber", fmt.Sprintf("supplier %d's invoice %s is already entered", in.Supplier, in.TheirNumber))
			}
			return in, res.Error
		}
		if err := tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&in.ID).Error; err != nil {
			return in, err
		}
		var args []any
		for i, l := range in.Lines {
			args = append(args, in.ID, i+1, l.Item, l.Quantity, l.UnitPrice, l.TaxRateBp, l.Net, l.Tax, l.Gross, l.Ordered, l.OpenQty, l.POPrice)
		}
		if err := tx.Exec(`INSERT INTO purchase_invoice_lines (invoice_id, line_no, item_id, quantity, unit_price, tax_rate_bp, net,
			tax, gross, ordered_qty, open_qty, po_price) VALUES `+db.Placeholders(len(in.Lines), 12), args...).Error; err != nil {
			return in, err
		}
		if in.Status == PurchaseMatched {
			return in, s.bookPurchaseInvoice(ctx, tx, &in, receipts)
		}
		return in, nil
	})
}

// ReleasePurchaseInvoice books a held invoice despite its differences (a guarded UPDATE
// from HELD). Receipts give what they have open; the rest of a quantity invoiced beyond
// them books no estimate reversal. Errors: NotFound, Refused (NOT_HELD).
func (s *Service) ReleasePurchaseInvoice(ctx context.Context, id int64) (PurchaseInvoice, error) {
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (PurchaseInvoice, error) {
		in, err := purchaseInvoice(tx, id, true)
		if err != nil {
			return in, err
		}
		res := tx.Exec(`UPDATE purchase_invoices SET status = ?, released_by = ? WHERE id = ? AND status = ?`, PurchaseReleased,
			reqctx.PrincipalFrom(ctx).ID, id, PurchaseHeld)
		if res.Error != nil {
			return in, res.Error
		}
		if res.RowsAffected != 1 {
			return in, refusedAt(ErrNotHeld, "id", "invoice %s is %s", in.Number, in.Status)
		}
		in.Status = PurchaseReleased
		receipts, err := lockReceipts(tx, in.Supplier, in.PONumber)
		if err != nil {
			return in, err
		}
		return in, s.bookPurchaseInvoice(ctx, tx, &in, receipts)
	})
}

// lockReceipts locks our receipt lines of a purchase order (the order's number is their
// doc_no), in id order.
func lockReceipts(tx *gorm.DB, supplier int64, poNo string) ([]invoicedLine, error) {
	var rows []invoicedLine
	err := tx.Raw(`SELECT id, party_id, outlet_id, branch_id, item_id, party_type, kind, doc_no, quantity, amount, invoiced_qty,
		vat_rate_bp FROM trade_lines WHERE party_type = ? AND party_id = ? AND kind = ? AND doc_no = ? ORDER BY id FOR UPDATE`,
		PartySupplier, supplier, KindReceipt, poNo).Scan(&rows).Error
	return rows, err
}

// bookPurchaseInvoice takes the invoiced quantities off the receipts (guarded UPDATEs),
// computes the estimate they carried (quantity × the order's unit cost, as the receipt
// was booked) and publishes the invoice to finance.
func (s *Service) bookPurchaseInvoice(ctx context.Context, tx *gorm.DB, in *PurchaseInvoice, receipts []invoicedLine) error {
	in.Estimate = 0
	doc := finance.Document{Type: "purchase_invoice", ID: in.ID, Number: in.Number, Date: in.Date.Format(time.DateOnly),
		Branch: in.Branch, Warehouse: in.Warehouse, Supplier: in.Supplier}
	for _, l := range in.Lines {
		doc.Lines = append(doc.Lines, finance.DocumentLine{Item: l.Item, Net: l.Net, VAT: l.Tax})
		want := l.Quantity
		var took int64
		for i := range receipts {
			r := &receipts[i]
			if r.ItemID != l.Item || want == 0 {
				continue
			}
			q := min(want, r.Quantity-r.InvoicedQty)
			if q <= 0 {
				continue
			}
			res := tx.Exec(`UPDATE trade_lines SET invoiced_qty = invoiced_qty + ? WHERE id = ? AND invoiced_qty + ? <= quantity`, q, r.ID, q)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return db.ErrRetry // the lock makes this unreachable; retry rather than book wrong
			}
			r.InvoicedQty += q
			want -= q
			took += q
		}
		est, err := money.LineAmount(took, l.POPrice)
		if err != nil {
			return err
		}
		in.Estimate += est
	}
	doc.Totals = map[string]int64{"estimate": in.Estimate}
	if err := tx.Exec(`UPDATE purchase_invoices SET estimate = ? WHERE id = ?`, in.Estimate, in.ID).Error; err != nil {
		return err
	}
	return finance.PublishDocument(ctx, s.outbox, tx, doc)
}

// GetPurchaseInvoice answers a supplier's invoice. Errors: NotFound.
func (s *Service) GetPurchaseInvoice(ctx context.Context, id int64) (PurchaseInvoice, error) {
	return purchaseInvoice(s.db.WithContext(ctx), id, false)
}

func purchaseInvoice(g *gorm.DB, id int64, lock bool) (PurchaseInvoice, error) {
	q := `SELECT * FROM purchase_invoices WHERE id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var r struct {
		ID, SupplierID, PoID, BranchID, WarehouseID int64
		DocNo, TheirNo, PoNo, Status, Differences   string
		InvDate, DueDate, CreatedAt                 time.Time
		Net, Tax, Gross, Estimate, Settled          int64
	}
	res := g.Raw(q, id).Scan(&r)
	if res.Error != nil {
		return PurchaseInvoice{}, res.Error
	}
	if res.RowsAffected == 0 {
		return PurchaseInvoice{}, apperr.NotFound("purchase invoice", id)
	}
	p := PurchaseInvoice{ID: r.ID, Number: r.DocNo, Supplier: r.SupplierID, TheirNumber: r.TheirNo, PurchaseOrder: r.PoID,
		PONumber: r.PoNo, Branch: r.BranchID, Warehouse: r.WarehouseID, Date: r.InvDate, Due: r.DueDate, Status: r.Status,
		Net: r.Net, Tax: r.Tax, Gross: r.Gross, Estimate: r.Estimate, Settled: r.Settled, CreatedAt: r.CreatedAt}
	if r.Differences != "" {
		p.Differences = strings.Split(r.Differences, "\n")
	}
	var lines []struct {
		ItemID, Quantity, UnitPrice, Net, Tax, Gross, OrderedQty, OpenQty, PoPrice int64
		TaxRateBp                                                                  int32
	}
	if err := g.Raw(`SELECT * FROM purchase_invoice_lines WHERE invoice_id = ? ORDER BY line_no`, id).Scan(&lines).Error; err != nil {
		return p, err
	}
	for _, l := range lines {
		p.Lines = append(p.Lines, PurchaseInvoiceLine{Item: l.ItemID, Quantity: l.Quantity, UnitPrice: l.UnitPrice, TaxRateBp: l.TaxRateBp,
			Net: l.Net, Tax: l.Tax, Gross: l.Gross, Ordered: l.OrderedQty, OpenQty: l.OpenQty, POPrice: l.PoPrice})
	}
	return p, nil
}
