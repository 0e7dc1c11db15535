package finance

import (
	"context"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/text"
)

// Approval of manual vouchers. Finance does not import the approval service: it submits a
// voucher through the consumer-side Approvals interface (internal/app adapts the approval
// service to it) in the voucher's own transaction when it is made or changed, and hears
// the outcome on the approval service's outbox topic. A voucher whose flow matches can be
// neither approved (审核) nor posted until the flow approves it; a rejected one waits for
// its maker to change it (which submits it again).

// Approval states of a voucher.
const (
	ApprovalPending  = "pending"
	ApprovalApproved = "approved"
	ApprovalRejected = "rejected"
)

// TopicApprovalDecided is the approval service's outcome topic.
const TopicApprovalDecided = "approval.decided"

// ApprovalDocument is a voucher submitted for approval.
type ApprovalDocument struct {
	Type   string // "voucher"
	ID     int64
	Number string
	Amount int64 // fen: the voucher's total
	Branch int64
	Maker  int64
}

// Approvals starts approval of a document inside the caller's transaction; it answers
// the request id, or 0 when the document needs no approval.
type Approvals interface {
	Submit(ctx context.Context, tx *gorm.DB, d ApprovalDocument) (int64, error)
}

// Errors of vouchers under approval.
var (
	ErrAwaitingApproval = apperr.Refused("AWAITING_APPROVAL", "the voucher awaits approval in its flow; it can be approved and posted once the flow approves it")
	ErrApprovalRejected = apperr.Refused("APPROVAL_REJECTED", "the voucher was rejected in its approval flow; change it to submit it again")
)

// approvalBlock says why a voucher cannot progress, nil when it can.
func approvalBlock(v Voucher) error {
	switch v.ApprovalState {
	case ApprovalPending:
		return ErrAwaitingApproval
	case ApprovalRejected:
		return ErrApprovalRejected
	}
	return nil
}

// submitVoucher submits a manual voucher to its approval flow, if one applies, and records
// the request on it.
func (s *Service) submitVoucher(ctx context.Context, tx *gorm.DB, v *Voucher) error {
	if s.approvals == nil || v.Kind != KindManual {
		return nil
	}
	req, err := s.approvals.Submit(ctx, tx, ApprovalDocument{Type: "voucher", ID: v.ID, Number: v.Name(), Amount: v.Total,
		Branch: v.Branch, Maker: v.MadeBy})
	if err != nil {
		return err
	}
	v.ApprovalRequest, v.ApprovalState, v.ApprovalComment = req, "", ""
	if req != 0 {
		v.ApprovalState = ApprovalPending
	}
	return tx.Exec(`UPDATE vouchers SET approval_request = ?, approval_state = ?, approval_comment = '' WHERE id = ?`,
		req, v.ApprovalState, v.ID).Error
}

// approvalDecided is this service's copy of the approval outcome payload.
type approvalDecided struct {
	Request      int64  `json:"request"`
	DocumentType string `json:"documentType"`
	Document     int64  `json:"document"`
	Outcome      string `json:"outcome"` // approved or rejected
	Comment      string `json:"comment"`
}

// onApprovalDecided applies an outcome to its voucher, if it belongs to the voucher's
// latest request (a changed voucher's earlier request changes nothing).
func (s *Service) onApprovalDecided(ctx context.Context, d outbox.Delivery) error {
	var ev approvalDecided
	if err := d.Decode(&ev); err != nil {
		return err
	}
	if ev.DocumentType != "voucher" || (ev.Outcome != ApprovalApproved && ev.Outcome != ApprovalRejected) {
		return nil
	}
	return s.db.WithContext(ctx).Exec(`UPDATE vouchers SET approval_state = ?, approval_comment = ?, version = version + 1
		WHERE id = ? AND approval_request = ? AND approval_state = ?`, ev.Outcome, text.Clip(ev.Comment, 500), ev.Document, ev.Request,
		ApprovalPending).Error
}
