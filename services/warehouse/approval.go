package warehouse

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
)

// Approval of warehouse documents. The warehouse does not import the approval service: it
// submits documents through the consumer-side Approvals interface (internal/app adapts
// approval.Service to it) inside the document's own transaction, and hears the outcome
// on the approval service's outbox topic, decoded into its own copy of the payload.
//
//   - An order under approval (purchase orders; delivery orders made by people, as
//     price_below_floor, over_credit_limit or delivery_order, the first type whose flow
//     matches) is pending_approval and refuses scan sessions (so it can neither be received
//     nor posted); approval opens it; rejection leaves it rejected with the comment (a
//     purchase order until it is resubmitted).
//   - An adjustment whose stock_adjustment flow matches is stored with its lines, nothing
//     moved; approval posts it (adjustment.go).
//   - A stocktake whose differences a stocktake flow matches records them and waits;
//     approval posts exactly those differences (stocktake.go).
//
// Only the document's latest request counts (approval_request on the row, checked in a
// guarded UPDATE or under the row's lock), so a redelivered outcome, or the late outcome of
// a superseded request, changes nothing.

// Statuses of documents under approval.
const (
	StatusPendingApproval = "pending_approval"
	StatusRejected        = "rejected"
)

// Document types as the approval service knows them.
const (
	approvalPurchaseOrder   = "purchase_order"
	approvalDeliveryOrder   = "delivery_order"
	approvalPriceBelowFloor = "price_below_floor"
	approvalOverCreditLimit = "over_credit_limit"
	approvalStockAdjustment = "stock_adjustment"
	approvalStocktake       = "stocktake"
)

// TopicApprovalDecided is the approval service's outcome topic (approval.TopicDecided).
const TopicApprovalDecided = "approval.decided"

// ApprovalDocument is a document submitted for approval.
type ApprovalDocument struct {
	// Type: purchase_order, delivery_order, price_below_floor, over_credit_limit,
	// stock_adjustment or stocktake.
	Type      string
	ID        int64
	Number    string
	Amount    int64 // fen
	Branch    int64
	Warehouse int64
	Maker     int64
	// DiscountBp is a delivery order's largest shortfall of a line's price below its item's
	// floor price, basis points of the floor (0 when no line is below).
	DiscountBp int64
	// CreditOver is by how much (fen) a delivery order takes its customer over the credit
	// limit (0 when within it, or the customer has no limit).
	CreditOver int64
	// Facts are shown to approvers with the request: for delivery orders the customer's
	// credit position (owed, creditLimit) and the goods' cost and margin at the current
	// unit cost (cost, margin, marginBp).
	Facts map[string]int64
}

// CreditPosition is a customer's account as a delivery order's approval sees it.
type CreditPosition struct {
	Owed  int64 // fen owed on delivery basis before this order
	Limit int64 // fen; 0: no limit
	Over  int64 // fen over the limit with this order (0 when within it or without a limit)
}

// Approvals starts approval of documents inside the caller's transaction.
type Approvals interface {
	// Submit starts approval of the first candidate whose type has a matching flow; the
	// candidates are one document under several types, in order of precedence, and a
	// pending request of the document under any of their types, or of the types in also,
	// is superseded. It answers the request id, or 0 when no flow matches (the document
	// needs no approval).
	Submit(ctx context.Context, tx *gorm.DB, candidates []ApprovalDocument, also ...string) (int64, error)
	// Needed reports whether a flow matches d (whether Submit would start a request),
	// without starting one.
	Needed(ctx context.Context, tx *gorm.DB, d ApprovalDocument) (bool, error)
	// Credit answers a customer's credit position with amount more on account.
	Credit(ctx context.Context, customer, amount int64) (CreditPosition, error)
}

// approvalDecided is this service's copy of the approval outcome payload.
type approvalDecided struct {
	Request      int64  `json:"request"`
	DocumentType string `json:"documentType"`
	Document     int64  `json:"document"`
	Outcome      string `json:"outcome"` // approved or rejected
	Comment      string `json:"comment"`
}

// Errors of documents under approval.
var (
	ErrAwaitingApproval = apperr.Refused("AWAITING_APPROVAL",
		"the order awaits approval; it can be scanned once it is approved")
	ErrApprovalRejected = apperr.Refused("APPROVAL_REJECTED",
		"the order was rejected in approval; change and resubmit (purchase orders) or cancel it")
	ErrNotRejected = apperr.Refused("NOT_REJECTED", "only a rejected or pending purchase order can be resubmitted")
	// ErrCountAwaitingApproval refuses a new count of a stocktake whose differences wait.
	ErrCountAwaitingApproval = apperr.Refused("AWAITING_APPROVAL",
		"the stocktake's differences await approval; it can be counted again if they are rejected")
)

// closedReason says why an order in status cannot be scanned.
func closedReason(status string) error {
	switch status {
	case StatusPendingApproval:
		return ErrAwaitingApproval
	case StatusRejected:
		return ErrApprovalRejected
	}
	return ErrDocumentClosed
}

func poAmount(lines []Line) (int64, error) {
	var total int64
	for _, l := range lines {
		a, err := money.LineAmount(l.Quantity, l.UnitPrice)
		if err != nil {
			return 0, err
		}
		total += a
	}
	return total, nil
}

// submitPurchaseOrder sends a just-written order through approval, in tx.
func (s *Service) submitPurchaseOrder(ctx context.Context, tx *gorm.DB, p PurchaseOrder) (PurchaseOrder, error) {
	if s.approvals == nil {
		return p, nil
	}
	amount, err := poAmount(p.Lines)
	if err != nil {
		return p, err
	}
	req, err := s.approvals.Submit(ctx, tx, []ApprovalDocument{{Type: approvalPurchaseOrder, ID: p.ID, Number: p.Number,
		Amount: amount, Branch: p.Branch, Warehouse: p.Warehouse, Maker: p.CreatedBy}})
	if err != nil {
		return p, err
	}
	p.Status, p.ApprovalComment = StatusOpen, ""
	if req != 0 {
		p.Status = StatusPendingApproval
	}
	return p, tx.Exec(`UPDATE purchase_orders SET status = ?, approval_request = ?, approval_comment = '', version = version + 1,
		updated_at = ? WHERE id = ?`, p.Status, req, s.clock(), p.ID).Error
}

// ResubmitPurchaseOrder replaces the lines (when given) and remark (when not empty) of a
// rejected or pending purchase order and sends it through approval again. Errors:
// Invalid, NotFound, Forbidden, ErrNotRejected.
func (s *Service) ResubmitPurchaseOrder(ctx context.Context, id int64, lines []Line, remark string) (PurchaseOrder, error) {
	if len(lines) > 0 {
		var v apperr.Violations
		validateLines(&v, "lines", lines, true)
		if err := v.Err("invalid purchase order"); err != nil {
			return PurchaseOrder{}, err
		}
		if err := s.checkItems(ctx, "purchase_order", lines); err != nil {
			return PurchaseOrder{}, err
		}
	}
	if len(remark) > 255 {
		return PurchaseOrder{}, apperr.Invalid("remark", "must be at most 255 bytes")
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (PurchaseOrder, error) {
		st := s.store.with(tx)
		p, err := st.purchaseOrder(id, true)
		if err != nil {
			return p, err
		}
		if err := checkBranch(ctx, p.Branch); err != nil {
			return p, err
		}
		if p.Status != StatusRejected && p.Status != StatusPendingApproval {
			return p, ErrNotRejected
		}
		if len(lines) > 0 {
			// never opened, so nothing was scanned or received against the old lines
			if err := tx.Exec(`DELETE FROM purchase_order_lines WHERE purchase_order_id = ?`, id).Error; err != nil {
				return p, err
			}
			if p.Lines, err = st.insertLines(poLines, id, lines); err != nil {
				return p, err
			}
			s.docLines.Delete(fmt.Sprintf("purchase_order/%d", id))
		}
		if remark != "" {
			p.Remark = remark
			if err := tx.Exec(`UPDATE purchase_orders SET remark = ? WHERE id = ?`, remark, id).Error; err != nil {
				return p, err
			}
		}
		return s.submitPurchaseOrder(ctx, tx, p)
	})
}

// submitDeliveryOrder sends a delivery order a person made through approval, in tx, as
// the first of these types whose flow matches: price_below_floor (a line is priced below
// its item's floor), over_credit_limit (the order takes the customer over its credit
// limit), delivery_order. Every candidate carries both facts (discountBp, creditOver).
func (s *Service) submitDeliveryOrder(ctx context.Context, tx *gorm.DB, d DeliveryOrder) (DeliveryOrder, error) {
	if s.approvals == nil {
		return d, nil
	}
	amount, err := poAmount(d.Lines)
	if err != nil {
		return d, err
	}
	below, discount, err := s.belowFloor(ctx, d.Lines)
	if err != nil {
		return d, err
	}
	var credit CreditPosition
	if d.Customer != 0 {
		if credit, err = s.approvals.Credit(ctx, d.Customer, amount); err != nil {
			return d, err
		}
	}
	over := credit.Over
	facts, err := s.marginFacts(tx, d.Warehouse, d.Lines, amount)
	if err != nil {
		return d, err
	}
	if d.Customer != 0 {
		facts["owed"], facts["creditLimit"] = credit.Owed, credit.Limit
	}
	doc := ApprovalDocument{ID: d.ID, Number: d.Number, Amount: amount, Branch: d.Branch, Warehouse: d.Warehouse,
		Maker: d.CreatedBy, DiscountBp: discount, CreditOver: over, Facts: facts}
	var candidates []ApprovalDocument
	for _, c := range []struct {
		typ     string
		applies bool
	}{{approvalPriceBelowFloor, below}, {approvalOverCreditLimit, over > 0}, {approvalDeliveryOrder, true}} {
		if c.applies {
			doc.Type = c.typ
			candidates = append(candidates, doc)
		}
	}
	// every type the order could wait under, so an earlier request under another is superseded
	req, err := s.approvals.Submit(ctx, tx, candidates, approvalPriceBelowFloor, approvalOverCreditLimit, approvalDeliveryOrder)
	if err != nil || req == 0 {
		return d, err
	}
	d.Status = StatusPendingApproval
	return d, tx.Exec(`UPDATE delivery_orders SET status = ?, approval_request = ?, approval_comment = '', version = version + 1,
		updated_at = ? WHERE id = ?`, d.Status, req, s.clock(), d.ID).Error
}

// marginFacts answers the cost of lines at the warehouse's current unit costs, and the
// margin of amount over it (fen, and basis points of amount), for approvers to see.
func (s *Service) marginFacts(tx *gorm.DB, warehouse int64, lines []Line, amount int64) (map[string]int64, error) {
	items := make([]int64, 0, len(lines))
	for _, l := range lines {
		items = append(items, l.Item)
	}
	vals, err := s.store.with(tx).valuations(warehouse, items)
	if err != nil {
		return nil, err
	}
	var cost int64
	for _, l := range lines {
		c, err := money.LineAmount(l.Quantity, vals[l.Item].unitCost())
		if err != nil {
			return nil, err
		}
		cost += c
	}
	facts := map[string]int64{"cost": cost, "margin": amount - cost}
	if amount > 0 {
		bp, err := money.MulDiv(amount-cost, 10000, amount)
		if err != nil {
			return nil, err
		}
		facts["marginBp"] = bp
	}
	return facts, nil
}

// belowFloor reports whether any line is priced below its item's floor price, and the
// largest shortfall as basis points of the floor (rounded half up; a line priced 0 under a
// floor is 10000).
func (s *Service) belowFloor(ctx context.Context, lines []Line) (bool, int64, error) {
	below, worst := false, int64(0)
	for _, l := range lines {
		it, err := s.catalog.ItemForScan(ctx, l.Item)
		if err != nil {
			return false, 0, err
		}
		if it.FloorPrice <= 0 || l.UnitPrice >= it.FloorPrice {
			continue
		}
		bp, err := money.MulDiv(it.FloorPrice-l.UnitPrice, 10000, it.FloorPrice)
		if err != nil {
			return false, 0, err
		}
		below, worst = true, max(worst, bp)
	}
	return below, worst, nil
}

// onApprovalDecided applies an outcome to its document: it opens an approved purchase or
// delivery order or marks it rejected, posts an approved adjustment or stocktake count, or
// marks it rejected. Only the document's latest request counts, so a redelivery or the
// late outcome of a superseded request changes nothing.
func (s *Service) onApprovalDecided(ctx context.Context, d outbox.Delivery) error {
	var ev approvalDecided
	if err := d.Decode(&ev); err != nil {
		return nil
	}
	if ev.Outcome != outcomeApproved && ev.Outcome != outcomeRejected {
		return nil
	}
	var table string
	switch ev.DocumentType {
	case approvalStockAdjustment:
		return s.decideAdjustment(ctx, ev)
	case approvalStocktake:
		return s.decideCount(ctx, ev)
	case approvalPurchaseOrder:
		table = "purchase_orders"
	case approvalDeliveryOrder, approvalPriceBelowFloor, approvalOverCreditLimit:
		table = "delivery_orders"
	default:
		return nil
	}
	status := StatusOpen
	if ev.Outcome != outcomeApproved {
		status = StatusRejected
	}
	return s.db.WithContext(ctx).Exec(`UPDATE `+table+` SET status = ?, approval_comment = ?, version = version + 1,
		updated_at = ? WHERE id = ? AND status = ? AND approval_request = ?`, status, text.Clip(ev.Comment, 500), s.clock(),
		ev.Document, StatusPendingApproval, ev.Request).Error
}

// Outcomes of approvalDecided.
const (
	outcomeApproved = "approved"
	outcomeRejected = "rejected"
)

// errNotPostable carries why an approved document can no longer be posted; the posting's
// transaction rolls back on it and the document is marked failed in another.
type errNotPostable struct{ reason string }

func (e errNotPostable) Error() string { return "cannot be posted: " + e.reason }

// notPostable turns a refusal of a posting (not enough stock now, a lot that is not there)
// into errNotPostable; other errors (the database) stay as they are, so the outcome is
// retried.
func notPostable(err error) error {
	if e, ok := apperr.As(err); ok && (e.Kind == apperr.KindRefused || e.Kind == apperr.KindInvalid || e.Kind == apperr.KindNotFound) {
		return errNotPostable{reason: text.Clip(e.Error(), 500)}
	}
	return err
}
