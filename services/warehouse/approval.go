package warehouse

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/txn"
)

// Approval of purchase orders. The warehouse does not import the approval service: it
// submits documents through the consumer-side Approvals interface (internal/app adapts
// approval.Service to it) inside the document's own transaction, and hears the outcome
// on the approval service's outbox topic, decoded into its own copy of the payload. An
// order under approval is pending_approval and refuses scan sessions (so it can neither
// be received nor posted); approval opens it; rejection leaves it rejected with the
// comment until it is resubmitted.

// Purchase order statuses under approval.
const (
	StatusPendingApproval = "pending_approval"
	StatusRejected        = "rejected"
)

// TopicApprovalDecided is the approval service's outcome topic (approval.TopicDecided).
const TopicApprovalDecided = "approval.decided"

// ApprovalDocument is a document submitted for approval.
type ApprovalDocument struct {
	Type      string // "purchase_order" or "delivery_order"
	ID        int64
	Number    string
	Amount    int64 // fen
	Branch    int64
	Warehouse int64
	Maker     int64
	Customer  int64 // delivery orders: whose credit position counts
}

// Approvals starts approval of a document inside the caller's transaction; it answers
// the request id, or 0 when the document needs no approval.
type Approvals interface {
	Submit(ctx context.Context, tx *gorm.DB, d ApprovalDocument) (int64, error)
}

// approvalDecided is this service's copy of the approval outcome payload.
type approvalDecided struct {
	Request      int64  `json:"request"`
	DocumentType string `json:"documentType"`
	Document     int64  `json:"document"`
	Outcome      string `json:"outcome"` // approved or rejected
	Comment      string `json:"comment"`
}

// Errors of purchase orders under approval.
var (
	ErrAwaitingApproval = apperr.Refused("AWAITING_APPROVAL",
		"the order awaits approval; it can be scanned once it is approved")
	ErrApprovalRejected = apperr.Refused("APPROVAL_REJECTED",
		"the order was rejected in approval; change and resubmit (purchase orders) or cancel it")
	ErrNotRejected = apperr.Refused("NOT_REJECTED", "only a rejected or pending purchase order can be resubmitted")
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
	req, err := s.approvals.Submit(ctx, tx, ApprovalDocument{Type: "purchase_order", ID: p.ID, Number: p.Number,
		Amount: amount, Branch: p.Branch, Warehouse: p.Warehouse, Maker: p.CreatedBy})
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

// submitDeliveryOrder sends a delivery order a person made through approval, in tx.
func (s *Service) submitDeliveryOrder(ctx context.Context, tx *gorm.DB, d DeliveryOrder) (DeliveryOrder, error) {
	if s.approvals == nil {
		return d, nil
	}
	amount, err := poAmount(d.Lines)
	if err != nil {
		return d, err
	}
	req, err := s.approvals.Submit(ctx, tx, ApprovalDocument{Type: "delivery_order", ID: d.ID, Number: d.Number,
		Amount: amount, Branch: d.Branch, Warehouse: d.Warehouse, Maker: d.CreatedBy, Customer: d.Customer})
	if err != nil || req == 0 {
		return d, err
	}
	d.Status = StatusPendingApproval
	return d, tx.Exec(`UPDATE delivery_orders SET status = ?, approval_request = ?, approval_comment = '', version = version + 1,
		updated_at = ? WHERE id = ?`, d.Status, req, s.clock(), d.ID).Error
}

// onApprovalDecided opens an approved purchase or delivery order or marks it rejected.
// Only the order's latest request counts (a guarded UPDATE), so a redelivery or the late
// outcome of a superseded request changes nothing.
func (s *Service) onApprovalDecided(ctx context.Context, d outbox.Delivery) error {
	var ev approvalDecided
	if err := d.Decode(&ev); err != nil {
		return nil
	}
	table := map[string]string{"purchase_order": "purchase_orders", "delivery_order": "delivery_orders"}[ev.DocumentType]
	if table == "" {
		return nil
	}
	status := StatusOpen
	if ev.Outcome != "approved" {
		status = StatusRejected
	}
	return s.db.WithContext(ctx).Exec(`UPDATE `+table+` SET status = ?, approval_comment = ?, version = version + 1,
		updated_at = ? WHERE id = ? AND status = ? AND approval_request = ?`, status, ev.Comment, s.clock(), ev.Document,
		StatusPendingApproval, ev.Request).Error
}
