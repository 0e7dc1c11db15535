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
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/finance"
)

// Payment methods.
var PaymentMethods = []string{"bank", "cash", "draft", "other"}

// Errors of allocation.
var (
	ErrOverAllocated  = apperr.Refused("OVER_ALLOCATED", "more than is open")
	ErrNotAllocatable = apperr.Refused("NOT_ALLOCATABLE", "the invoice cannot take an allocation from this payment")
)

// Payment is a customer receipt (收款, party customer) or a supplier payment (付款, party
// supplier): money, the cash discounts granted with it, and what it settled (核销). What is
// not allocated stays as a prepayment, allocatable later.
type Payment struct {
	ID          int64
	Number      string
	Party       string
	PartyID     int64
	Date        time.Time
	Method      string
	Reference   string
	Amount      int64
	Discount    int64
	Allocated   int64
	Allocations []Allocation
	CreatedAt   time.Time
}

// Unallocated is the prepayment left.
func (p Payment) Unallocated() int64 { return p.Amount - p.Allocated }

// ResourceName names the payment in the audit log.
func (p Payment) ResourceName() string {
	if p.Party == PartySupplier {
		return fmt.Sprintf("supplierPayments/%d", p.ID)
	}
	return fmt.Sprintf("customerReceipts/%d", p.ID)
}

// Allocation settles an invoice with money of a payment and, when the payment is
// recorded, a cash discount.
type Allocation struct {
	Invoice  int64
	Amount   int64
	Discount int64
	Date     time.Time // output
}

func invoiceTypeOf(party string) string {
	if party == PartySupplier {
		return "purchase"
	}
	return "sales"
}

func checkAllocations(v *apperr.Violations, as []Allocation, discount bool) int64 {
	var sum int64
	seen := map[int64]bool{}
	if !v.Check(len(as) <= 500, "allocations", "must hold at most 500") {
		return 0
	}
	for i, a := range as {
		f := fmt.Sprintf("allocations[%d]", i)
		v.Check(a.Invoice > 0, f+".invoice", "is required")
		v.Check(!seen[a.Invoice], f+".invoice", "appears twice")
		seen[a.Invoice] = true
		v.Check(a.Amount >= 0 && a.Amount <= 1e15, f+".amount", "must not be negative (fen)")
		if discount {
			v.Check(a.Discount >= 0 && a.Discount <= 1e15, f+".discount", "must not be negative (fen)")
		} else {
			v.Check(a.Discount == 0, f+".discount", "a cash discount is granted only when the payment is recorded")
		}
		v.Check(a.Amount+a.Discount > 0, f+".amount", "must be positive")
		sum += a.Amount
	}
	return sum
}

// RecordPayment records a customer receipt or supplier payment with its allocations to
// open invoices of the party and cash discounts, and publishes it once to finance
// (customer_receipt: received, discount, gross; supplier_payment: paid, discount, gross;
// gross = money + discounts, the receivable or payable it clears). Errors: Invalid,
// NotFound, Refused (OVER_ALLOCATED, NOT_ALLOCATABLE).
func (s *Service) RecordPayment(ctx context.Context, p Payment) (Payment, error) {
	var v apperr.Violations
	v.Check(p.Party == PartyCustomer || p.Party == PartySupplier, "party", "must be customer or supplier")
	v.Check(p.PartyID > 0, "party", "is required")
	v.Check(slices.Contains(PaymentMethods, p.Method), "method", "must be one of "+strings.Join(PaymentMethods, ", "))
	p.Reference = strings.TrimSpace(p.Reference)
	v.Check(len(p.Reference) <= 64, "reference", "must be at most 64 bytes")
	v.Check(p.Amount > 0 && p.Amount <= 1e15, "amount", "must be positive (fen)")
	if sum := checkAllocations(&v, p.Allocations, true); sum > p.Amount {
		v.Add("allocations", fmt.Sprintf("allocate at most the amount (%d fen), not %d", p.Amount, sum))
	}
	if err := v.Err("invalid payment"); err != nil {
		return p, err
	}
	if err := s.checkParty(ctx, p.Party, p.PartyID); err != nil {
		return p, err
	}
	if p.Date.IsZero() {
		p.Date = s.today()
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Payment, error) {
		period := docno.Period(p.Date, time.UTC)
		docType, prefix := "customer_receipt", "RC"
		if p.Party == PartySupplier {
			docType, prefix = "supplier_payment", "PY"
		}
		n, err := docno.Next(tx, docType, 0, period)
		if err != nil {
			return p, err
		}
		p.Number = docno.Format(prefix, "", period, n)
		p.CreatedAt = s.clock()
		if err := tx.Exec(`INSERT INTO payments (doc_no, party_type, party_id, pay_date, method, reference, amount, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?,?)`, p.Number, p.Party, p.PartyID, p.Date, p.Method, p.Reference, p.Amount,
			reqctx.PrincipalFrom(ctx).ID, p.CreatedAt).Error; err != nil {
			return p, err
		}
		if err := tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&p.ID).Error; err != nil {
			return p, err
		}
		allocs := p.Allocations
		p.Allocations = nil
		if err := s.allocate(tx, &p, allocs, p.Date); err != nil {
			return p, err
		}
		money := "received"
		if p.Party == PartySupplier {
			money = "paid"
		}
		doc := finance.Document{Type: docType, ID: p.ID, Number: p.Number, Date: p.Date.Format(time.DateOnly),
			Totals: map[string]int64{money: p.Amount, "discount": p.Discount, "gross": p.Amount + p.Discount}}
		if p.Party == PartySupplier {
			doc.Supplier = p.PartyID
		} else {
			doc.Customer = p.PartyID
		}
		return p, finance.PublishDocument(ctx, s.outbox, tx, doc)
	})
}

// AllocatePayment allocates what is left of a payment (its prepayment) to open invoices
// of its party, without cash discount. Errors: Invalid, NotFound, Refused
// (OVER_ALLOCATED, NOT_ALLOCATABLE).
func (s *Service) AllocatePayment(ctx context.Context, party string, id int64, allocs []Allocation, date time.Time) (Payment, error) {
	var v apperr.Violations
	v.Check(id > 0, "id", "is required")
	v.Check(len(allocs) > 0, "allocations", "is required")
	checkAllocations(&v, allocs, false)
	if err := v.Err("invalid allocation"); err != nil {
		return Payment{}, err
	}
	if date.IsZero() {
		date = s.today()
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Payment, error) {
		p, err := payment(tx, id, true)
		if err != nil {
			return p, err
		}
		if p.Party != party {
			return p, apperr.NotFound(strings.TrimSuffix(Payment{Party: party}.ResourceName(), "/0"), id)
		}
		if err := s.allocate(tx, &p, allocs, date); err != nil {
			return p, err
		}
		return payment(tx, id, false)
	})
}

// allocate settles invoices with a payment: each invoice row is locked and its settled
// amount raised by a guarded UPDATE (never past its gross), the payment's allocated
// amount likewise (never past its amount).
func (s *Service) allocate(tx *gorm.DB, p *Payment, allocs []Allocation, date time.Time) error {
	if len(allocs) == 0 {
		return nil
	}
	ids := make([]int64, len(allocs))
	for i, a := range allocs {
		ids[i] = a.Invoice
	}
	slices.Sort(ids)
	type open struct {
		ID, Party, Gross, Settled int64
		Bookable                  bool
		Date                      time.Time
	}
	var rows []open
	var err error
	if p.Party == PartySupplier {
		err = tx.Raw(`SELECT id, supplier_id AS party, gross, settled, status <> 'HELD' AS bookable, inv_date AS date
			FROM purchase_invoices WHERE id IN ? ORDER BY id FOR UPDATE`, ids).Scan(&rows).Error
	} else {
		err = tx.Raw(`SELECT id, customer_id AS party, gross, settled, TRUE AS bookable, inv_date AS date
			FROM sales_invoices WHERE id IN ? ORDER BY id FOR UPDATE`, ids).Scan(&rows).Error
	}
	if err != nil {
		return err
	}
	byID := map[int64]open{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	typ := invoiceTypeOf(p.Party)
	var money, discount int64
	var settlements []settlementRow
	for i, a := range allocs {
		f := fmt.Sprintf("allocations[%d]", i)
		inv, ok := byID[a.Invoice]
		if !ok || inv.Party != p.PartyID {
			return refusedAt(ErrNotAllocatable, f+".invoice", "%s invoice %d of %s %d does not exist", typ, a.Invoice, p.Party, p.PartyID)
		}
		if !inv.Bookable {
			return refusedAt(ErrNotAllocatable, f+".invoice", "invoice %d is held for review", a.Invoice)
		}
		take := a.Amount + a.Discount
		if left := inv.Gross - inv.Settled; take > left {
			return refusedAt(ErrOverAllocated, f+".amount", "invoice %d has %d fen open, not %d", a.Invoice, max(left, 0), take)
		}
		if err := settleInvoice(tx, typ, a.Invoice, take); err != nil {
			return err
		}
		money += a.Amount
		discount += a.Discount
		settlements = append(settlements, settlementRow{typ, a.Invoice, p.ID, a.Amount, a.Discount})
		p.Allocations = append(p.Allocations, Allocation{Invoice: a.Invoice, Amount: a.Amount, Discount: a.Discount, Date: date})
	}
	res := tx.Exec(`UPDATE payments SET allocated = allocated + ?, discount = discount + ? WHERE id = ? AND allocated + ? <= amount`,
		money, discount, p.ID, money)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return refusedAt(ErrOverAllocated, "allocations", "%s has %d fen left to allocate, not %d", p.Number, p.Unallocated(), money)
	}
	p.Allocated += money
	p.Discount += discount
	return recordSettlements(tx, s.clock(), date, "payment", settlements...)
}

// settleInvoice raises what is settled on an invoice, never past its gross (blue) or,
// with a negative amount, past zero.
func settleInvoice(tx *gorm.DB, typ string, id, amount int64) error {
	table := "sales_invoices"
	if typ == "purchase" {
		table = "purchase_invoices"
	}
	res := tx.Exec(`UPDATE `+table+` SET settled = settled + ? WHERE id = ? AND settled + ? <= gross`, amount, id, amount)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return ErrOverAllocated.Withf("invoice %d has less than %d fen open", id, amount)
	}
	return nil
}

type settlementRow struct {
	invoiceType      string
	invoice, source  int64
	amount, discount int64
}

func recordSettlements(tx *gorm.DB, now, date time.Time, sourceType string, rows ...settlementRow) error {
	if len(rows) == 0 {
		return nil
	}
	var args []any
	for _, r := range rows {
		args = append(args, r.invoiceType, r.invoice, sourceType, r.source, r.amount, r.discount, date, now)
	}
	return tx.Exec(`INSERT INTO invoice_settlements (invoice_type, invoice_id, source_type, source_id, amount, discount, settle_date,
		created_at) VALUES `+db.Placeholders(len(rows), 8), args...).Error
}

// GetPayment answers a receipt (party customer) or payment (supplier) with its
// allocations. Errors: NotFound.
func (s *Service) GetPayment(ctx context.Context, party string, id int64) (Payment, error) {
	p, err := payment(s.db.WithContext(ctx), id, false)
	if err == nil && p.Party != party {
		return Payment{}, apperr.NotFound(party+" payment", id)
	}
	return p, err
}

func payment(g *gorm.DB, id int64, lock bool) (Payment, error) {
	q := `SELECT id, doc_no, party_type, party_id, pay_date, method, reference, amount, discount, allocated, created_at
		FROM payments WHERE id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var r struct {
		ID, PartyID                 int64
		DocNo, PartyType, Method    string
		Reference                   string
		PayDate, CreatedAt          time.Time
		Amount, Discount, Allocated int64
	}
	res := g.Raw(q, id).Scan(&r)
	if res.Error != nil {
		return Payment{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Payment{}, apperr.NotFound("payment", id)
	}
	p := Payment{ID: r.ID, Number: r.DocNo, Party: r.PartyType, PartyID: r.PartyID, Date: r.PayDate, Method: r.Method,
		Reference: r.Reference, Amount: r.Amount, Discount: r.Discount, Allocated: r.Allocated, CreatedAt: r.CreatedAt}
	var as []struct {
		InvoiceID, Amount, Discount int64
		SettleDate                  time.Time
	}
	if err := g.Raw(`SELECT invoice_id, amount, discount, settle_date FROM invoice_settlements WHERE source_type = 'payment'
		AND source_id = ? ORDER BY id`, id).Scan(&as).Error; err != nil {
		return p, err
	}
	for _, a := range as {
		p.Allocations = append(p.Allocations, Allocation{Invoice: a.InvoiceID, Amount: a.Amount, Discount: a.Discount, Date: a.SettleDate})
	}
	return p, nil
}
