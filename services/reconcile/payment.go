package reconcile

import (
	"context"
	"encoding/json"
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

// Payment statuses. Customer receipts are always recorded; a supplier payment that an
// approval flow matches waits for it (see approval.go).
const (
	PaymentRecorded        = "RECORDED"         // booked; allocated in part or in full, the rest a prepayment
	PaymentPendingApproval = "PENDING_APPROVAL" // nothing allocated, nothing booked
	PaymentRejected        = "REJECTED"         // change and resubmit, or cancel
	PaymentCancelled       = "CANCELLED"        // never booked; kept with its number
)

// Errors of supplier payments under approval.
var (
	ErrPaymentAwaitingApproval = apperr.Refused("PAYMENT_AWAITING_APPROVAL",
		"the payment awaits approval; it can be allocated once it is approved")
	ErrPaymentRejected = apperr.Refused("PAYMENT_REJECTED",
		"the payment was rejected in approval; change and resubmit it, or cancel it")
	ErrPaymentCancelled   = apperr.Refused("PAYMENT_CANCELLED", "the payment was cancelled")
	ErrPaymentNotRejected = apperr.Refused("PAYMENT_NOT_REJECTED", "only a rejected (or still pending) supplier payment can be resubmitted")
)

// Payment is a customer receipt (收款, party customer) or a supplier payment (付款, party
// supplier): money, the cash discounts granted with it, and what it settled (核销). What is
// not allocated stays as a prepayment, allocatable later.
type Payment struct {
	ID              int64
	Number          string
	Party           string
	PartyID         int64
	Date            time.Time
	Method          string
	Reference       string
	Amount          int64
	Discount        int64
	Allocated       int64
	Allocations     []Allocation
	Status          string       // PaymentRecorded, …
	ApprovalRequest int64        // the request it went through, 0 when none
	ApprovalComment string       // the approver's comment
	Requested       []Allocation // pending or rejected: the allocations asked for, applied on approval
	StatusNote      string       // why it was cancelled, or why its allocations were not applied on approval
	CreatedBy       int64
	CreatedAt       time.Time
}

// progress says why a payment cannot be allocated, nil when it can.
func (p Payment) progress() error {
	switch p.Status {
	case PaymentPendingApproval:
		return ErrPaymentAwaitingApproval.Withf("%s awaits approval (request %d); it can be allocated once it is approved",
			p.Number, p.ApprovalRequest)
	case PaymentRejected:
		return ErrPaymentRejected.Withf("%s was rejected in approval; change and resubmit it, or cancel it", p.Number)
	case PaymentCancelled:
		return ErrPaymentCancelled.Withf("%s was cancelled", p.Number)
	}
	return nil
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
// gross = money + discounts, the receivable or payable it clears). A supplier payment that
// a supplier_payment approval flow matches (amount: the payment) is stored
// PENDING_APPROVAL instead, its allocations checked and kept but not made, and nothing is
// published until it is approved. Errors: Invalid, NotFound, Refused (OVER_ALLOCATED,
// NOT_ALLOCATABLE), ErrNoApprover (from the approval flow).
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
			docType, prefix = DocSupplierPayment, "PY"
		}
		n, err := docno.Next(tx, docType, 0, period)
		if err != nil {
			return p, err
		}
		p.Number = docno.Format(prefix, "", period, n)
		p.CreatedAt, p.CreatedBy, p.Status = s.clock(), reqctx.PrincipalFrom(ctx).ID, PaymentRecorded
		if err := tx.Exec(`INSERT INTO payments (doc_no, party_type, party_id, pay_date, method, reference, amount, status,
			created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)`, p.Number, p.Party, p.PartyID, p.Date, p.Method, p.Reference,
			p.Amount, p.Status, p.CreatedBy, p.CreatedAt).Error; err != nil {
			return p, err
		}
		if err := tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&p.ID).Error; err != nil {
			return p, err
		}
		allocs := p.Allocations
		p.Allocations = nil
		return p, s.submitOrBook(ctx, tx, &p, allocs)
	})
}

// submitOrBook sends a just-written (or resubmitted) supplier payment through approval, if
// a flow matches: it waits PENDING_APPROVAL with allocs checked and kept. Otherwise, and
// for customer receipts, it allocates allocs and books the payment now.
func (s *Service) submitOrBook(ctx context.Context, tx *gorm.DB, p *Payment, allocs []Allocation) error {
	if p.Party == PartySupplier && s.approvals != nil {
		// refuse what could never be allocated now, rather than after the approval
		if _, err := lockAllocations(tx, *p, allocs); err != nil {
			return err
		}
		req, err := s.approvals.Submit(ctx, tx, ApprovalDocument{Type: DocSupplierPayment, ID: p.ID, Number: p.Number,
			Amount: p.Amount, Maker: p.CreatedBy})
		if err != nil {
			return err
		}
		if req != 0 {
			requested, err := json.Marshal(storedAllocations(allocs))
			if err != nil {
				return err
			}
			p.Status, p.ApprovalRequest, p.ApprovalComment, p.Requested, p.StatusNote = PaymentPendingApproval, req, "", allocs, ""
			return tx.Exec(`UPDATE payments SET status = ?, approval_request = ?, approval_comment = '', requested_allocations = ?,
				status_note = '' WHERE id = ?`, p.Status, req, string(requested), p.ID).Error
		}
	}
	if p.Status != PaymentRecorded {
		// a resubmitted payment that no flow matches any more
		p.Status, p.ApprovalRequest, p.ApprovalComment, p.Requested = PaymentRecorded, 0, "", nil
		if err := tx.Exec(`UPDATE payments SET status = ?, approval_request = 0, approval_comment = '', requested_allocations = NULL
			WHERE id = ?`, p.Status, p.ID).Error; err != nil {
			return err
		}
	}
	if err := s.allocate(tx, p, allocs, p.Date); err != nil {
		return err
	}
	return s.publishPayment(ctx, tx, *p)
}

// publishPayment queues a recorded payment for booking, in tx.
func (s *Service) publishPayment(ctx context.Context, tx *gorm.DB, p Payment) error {
	docType, money := "customer_receipt", "received"
	if p.Party == PartySupplier {
		docType, money = DocSupplierPayment, "paid"
	}
	doc := finance.Document{Type: docType, ID: p.ID, Number: p.Number, Date: p.Date.Format(time.DateOnly),
		Totals: map[string]int64{money: p.Amount, "discount": p.Discount, "gross": p.Amount + p.Discount}}
	if p.Party == PartySupplier {
		doc.Supplier = p.PartyID
	} else {
		doc.Customer = p.PartyID
	}
	return finance.PublishDocument(ctx, s.outbox, tx, doc)
}

// PaymentChange is what resubmitting a supplier payment changes; zero fields keep theirs.
type PaymentChange struct {
	Amount           int64        // fen; 0 keeps
	Method           string       // "" keeps
	Reference        *string      // nil keeps
	Allocations      []Allocation // replace the allocations asked for, when given
	ClearAllocations bool         // ask for none: the payment becomes a prepayment
}

// ResubmitPayment changes a rejected (or still pending) supplier payment and submits it
// again; its earlier request is superseded. A payment no flow matches any more is
// allocated and booked at once. Errors: Invalid, NotFound, Refused (PAYMENT_NOT_REJECTED,
// OVER_ALLOCATED, NOT_ALLOCATABLE), ErrNoApprover.
func (s *Service) ResubmitPayment(ctx context.Context, id int64, c PaymentChange) (Payment, error) {
	var v apperr.Violations
	v.Check(id > 0, "id", "is required")
	v.Check(c.Amount >= 0 && c.Amount <= 1e15, "amount", "must be positive (fen), or 0 to keep it")
	v.Check(c.Method == "" || slices.Contains(PaymentMethods, c.Method), "method", "must be one of "+strings.Join(PaymentMethods, ", "))
	if c.Reference != nil {
		ref := strings.TrimSpace(*c.Reference)
		c.Reference = &ref
		v.Check(len(ref) <= 64, "reference", "must be at most 64 bytes")
	}
	v.Check(!c.ClearAllocations || len(c.Allocations) == 0, "clearAllocations", "give allocations or clear them, not both")
	checkAllocations(&v, c.Allocations, true)
	if err := v.Err("invalid payment"); err != nil {
		return Payment{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Payment, error) {
		p, err := payment(tx, id, true)
		if err != nil || p.Party != PartySupplier {
			return p, cmpErr(err, apperr.NotFound("supplier payment", id))
		}
		if p.Status != PaymentRejected && p.Status != PaymentPendingApproval {
			return p, ErrPaymentNotRejected.Withf("%s is %s; only a rejected (or still pending) supplier payment can be resubmitted",
				p.Number, strings.ToLower(p.Status))
		}
		if c.Amount != 0 {
			p.Amount = c.Amount
		}
		if c.Method != "" {
			p.Method = c.Method
		}
		if c.Reference != nil {
			p.Reference = *c.Reference
		}
		allocs := p.Requested
		switch {
		case c.ClearAllocations:
			allocs = nil
		case len(c.Allocations) > 0:
			allocs = c.Allocations
		}
		var sum int64
		for _, a := range allocs {
			sum += a.Amount
		}
		if sum > p.Amount {
			field := "amount"
			if len(c.Allocations) > 0 {
				field = "allocations"
			}
			return p, apperr.Invalid(field, fmt.Sprintf("allocate at most the amount (%d fen), not %d", p.Amount, sum))
		}
		if err := tx.Exec(`UPDATE payments SET amount = ?, method = ?, reference = ? WHERE id = ?`, p.Amount, p.Method,
			p.Reference, p.ID).Error; err != nil {
			return p, err
		}
		p.Allocations, p.Requested, p.StatusNote = nil, nil, ""
		if err := s.submitOrBook(ctx, tx, &p, allocs); err != nil {
			return p, err
		}
		return p, nil
	})
}

// CancelPayment cancels a rejected supplier payment: it keeps its number and the reason,
// and is never booked. Errors: Invalid, NotFound, Refused (PAYMENT_NOT_REJECTED).
func (s *Service) CancelPayment(ctx context.Context, id int64, reason string) (Payment, error) {
	reason = strings.TrimSpace(reason)
	var v apperr.Violations
	v.Check(id > 0, "id", "is required")
	v.Check(reason != "" && len(reason) <= 500, "reason", "is required, at most 500 bytes")
	if err := v.Err("invalid cancellation"); err != nil {
		return Payment{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Payment, error) {
		p, err := payment(tx, id, true)
		if err != nil || p.Party != PartySupplier {
			return p, cmpErr(err, apperr.NotFound("supplier payment", id))
		}
		if p.Status != PaymentRejected {
			return p, ErrPaymentNotRejected.Withf("%s is %s; only a rejected supplier payment can be cancelled", p.Number,
				strings.ToLower(p.Status))
		}
		if err := tx.Exec(`UPDATE payments SET status = ?, status_note = ? WHERE id = ? AND status = ?`, PaymentCancelled, reason,
			id, PaymentRejected).Error; err != nil {
			return p, err
		}
		p.Status, p.StatusNote = PaymentCancelled, reason
		return p, nil
	})
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// AllocatePayment allocates what is left of a payment (its prepayment) to open invoices
// of its party, without cash discount. Errors: Invalid, NotFound, Refused
// (OVER_ALLOCATED, NOT_ALLOCATABLE, ErrPaymentAwaitingApproval, ErrPaymentRejected,
// ErrPaymentCancelled).
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
		if err := p.progress(); err != nil {
			return p, err
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
	typ, err := lockAllocations(tx, *p, allocs)
	if err != nil {
		return err
	}
	var money, discount int64
	var settlements []settlementRow
	for _, a := range allocs {
		if err := settleInvoice(tx, typ, a.Invoice, a.Amount+a.Discount); err != nil {
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

// lockAllocations locks the invoices of allocs (in id order) and checks that each is an
// invoice of the payment's party that can take its allocation now; it answers the
// invoice type. Nothing is written.
func lockAllocations(tx *gorm.DB, p Payment, allocs []Allocation) (string, error) {
	typ := invoiceTypeOf(p.Party)
	if len(allocs) == 0 {
		return typ, nil
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
		return typ, err
	}
	byID := map[int64]open{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	for i, a := range allocs {
		f := fmt.Sprintf("allocations[%d]", i)
		inv, ok := byID[a.Invoice]
		if !ok || inv.Party != p.PartyID {
			return typ, refusedAt(ErrNotAllocatable, f+".invoice", "%s invoice %d of %s %d does not exist", typ, a.Invoice, p.Party, p.PartyID)
		}
		if !inv.Bookable {
			return typ, refusedAt(ErrNotAllocatable, f+".invoice", "invoice %d is held for review", a.Invoice)
		}
		if take, left := a.Amount+a.Discount, inv.Gross-inv.Settled; take > left {
			return typ, refusedAt(ErrOverAllocated, f+".amount", "invoice %d has %d fen open, not %d", a.Invoice, max(left, 0), take)
		}
	}
	return typ, nil
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

// storedAllocation is an allocation asked for, as payments.requested_allocations keeps it.
type storedAllocation struct {
	Invoice  int64 `json:"invoice"`
	Amount   int64 `json:"amount"`
	Discount int64 `json:"discount"`
}

func storedAllocations(as []Allocation) []storedAllocation {
	out := make([]storedAllocation, 0, len(as))
	for _, a := range as {
		out = append(out, storedAllocation{Invoice: a.Invoice, Amount: a.Amount, Discount: a.Discount})
	}
	return out
}

func payment(g *gorm.DB, id int64, lock bool) (Payment, error) {
	q := `SELECT id, doc_no, party_type, party_id, pay_date, method, reference, amount, discount, allocated, status,
		approval_request, approval_comment, requested_allocations, status_note, created_by, created_at FROM payments WHERE id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var r struct {
		ID, PartyID                 int64
		DocNo, PartyType, Method    string
		Reference                   string
		PayDate, CreatedAt          time.Time
		Amount, Discount, Allocated int64
		Status                      string
		ApprovalRequest             int64
		ApprovalComment             string
		RequestedAllocations        *string
		StatusNote                  string
		CreatedBy                   int64
	}
	res := g.Raw(q, id).Scan(&r)
	if res.Error != nil {
		return Payment{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Payment{}, apperr.NotFound("payment", id)
	}
	p := Payment{ID: r.ID, Number: r.DocNo, Party: r.PartyType, PartyID: r.PartyID, Date: r.PayDate, Method: r.Method,
		Reference: r.Reference, Amount: r.Amount, Discount: r.Discount, Allocated: r.Allocated, Status: r.Status,
		ApprovalRequest: r.ApprovalRequest, ApprovalComment: r.ApprovalComment, StatusNote: r.StatusNote, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt}
	if r.RequestedAllocations != nil && *r.RequestedAllocations != "" {
		var stored []storedAllocation
		if err := json.Unmarshal([]byte(*r.RequestedAllocations), &stored); err != nil {
			return p, fmt.Errorf("payment %d: requested allocations: %w", id, err)
		}
		for _, a := range stored {
			p.Requested = append(p.Requested, Allocation{Invoice: a.Invoice, Amount: a.Amount, Discount: a.Discount})
		}
	}
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
