package reconcile

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
)

// Approval of supplier payments and statement write-offs. Reconcile does not import the
// approval service: it submits documents through the consumer-side Approvals interface
// (internal/app adapts approval.Service to it) inside the document's own transaction, and
// hears the outcome on the approval service's outbox topic, decoded into its own copy of
// the payload. Only the outcome of the request a document waits for counts (the stored
// request id, under a row lock), so a redelivered outcome or that of a superseded request
// changes nothing.
//
// A supplier payment a flow matches is stored PENDING_APPROVAL with the allocations it
// asks for: nothing is allocated and nothing reaches finance. Approval allocates them
// (with the checks of RecordPayment) and books the payment, in one transaction. When the
// allocations can no longer apply (an invoice was settled or held meanwhile) the payment
// is booked all the same, unallocated, as a prepayment, with the reason in status_note:
// the money was approved for the supplier and is owed to or by it whatever it settles, and
// allocating a prepayment needs no approval (AllocatePayment). Nothing is half-applied:
// every allocation or none. Rejection leaves the payment REJECTED with the comment, to be
// changed and resubmitted, or cancelled.
//
// A write-off a flow matches (amount: the absolute difference written off) leaves its line
// undecided with a PENDING write-off; the statement cannot be confirmed until it is
// decided. Approval resolves the line WRITE_OFF (unless the counterpart's limit, a hard
// ceiling, was lowered below it meanwhile: FAILED); rejection leaves the line undecided,
// with the comment on it.

// Document types reconcile submits.
const (
	DocSupplierPayment   = "supplier_payment"
	DocStatementWriteOff = "statement_write_off"
)

// TopicApprovalDecided is the approval service's outcome topic (approval.TopicDecided).
const TopicApprovalDecided = "approval.decided"

// ApprovalDocument is a document submitted for approval.
type ApprovalDocument struct {
	Type   string // DocSupplierPayment or DocStatementWriteOff
	ID     int64  // the payment, or the statement_write_offs row
	Number string
	Amount int64 // fen
	Branch int64 // 0: payments and statements have no branch
	Maker  int64
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

// Approval outcomes.
const (
	outcomeApproved = "approved"
	outcomeRejected = "rejected"
)

// onApprovalDecided applies an approval outcome to its payment or write-off.
func (s *Service) onApprovalDecided(ctx context.Context, d outbox.Delivery) error {
	var ev approvalDecided
	if err := d.Decode(&ev); err != nil {
		s.log.WarnContext(ctx, "undecodable approval outcome ignored", "event", d.ID, "err", err)
		return nil
	}
	if ev.Outcome != outcomeApproved && ev.Outcome != outcomeRejected {
		return nil
	}
	ev.Comment = text.Clip(ev.Comment, 500)
	switch ev.DocumentType {
	case DocSupplierPayment:
		return txn.Run(ctx, s.db, func(tx *gorm.DB) error { return s.decidePayment(ctx, tx, ev) })
	case DocStatementWriteOff:
		return txn.Run(ctx, s.db, func(tx *gorm.DB) error { return s.decideWriteOff(tx, ev) })
	}
	return nil
}

// decidePayment books an approved payment (allocating what it asked for, or nothing) or
// marks it rejected, if it still waits for this request.
func (s *Service) decidePayment(ctx context.Context, tx *gorm.DB, ev approvalDecided) error {
	p, err := payment(tx, ev.Document, true)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if p.Party != PartySupplier || p.Status != PaymentPendingApproval || p.ApprovalRequest != ev.Request {
		return nil // redelivered, or the outcome of a superseded request
	}
	if ev.Outcome == outcomeRejected {
		p.Status, p.ApprovalComment = PaymentRejected, ev.Comment
		return markPayment(tx, p, ev.Request)
	}
	p.Status, p.ApprovalComment = PaymentRecorded, ev.Comment
	if len(p.Requested) > 0 {
		// every allocation or none: a refusal rolls the ones already made back
		if err := tx.SavePoint("allocate").Error; err != nil {
			return err
		}
		var refusal *apperr.Error
		if err := s.allocate(tx, &p, p.Requested, p.Date); errors.As(err, &refusal) && refusal.Kind == apperr.KindRefused {
			if err := tx.RollbackTo("allocate").Error; err != nil {
				return err
			}
			p.Allocated, p.Discount, p.Allocations = 0, 0, nil
			p.StatusNote = text.Clip("approved, but the allocations asked for no longer apply, so it is booked unallocated, "+
				"as a prepayment: "+refusal.Message, 500)
		} else if err != nil {
			return err
		}
	}
	if err := markPayment(tx, p, ev.Request); err != nil {
		return err
	}
	return s.publishPayment(ctx, tx, p)
}

// markPayment records a payment's approval outcome, guarded by the request it waited for.
// A rejected payment keeps the allocations it asked for (to be changed or resubmitted);
// a recorded one has made them (or says in its note why not).
func markPayment(tx *gorm.DB, p Payment, request int64) error {
	res := tx.Exec(`UPDATE payments SET status = ?, approval_comment = ?, status_note = ?,
		requested_allocations = IF(? = ?, NULL, requested_allocations) WHERE id = ? AND status = ? AND approval_request = ?`,
		p.Status, p.ApprovalComment, p.StatusNote, p.Status, PaymentRecorded, p.ID, PaymentPendingApproval, request)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("payment %d changed under its lock", p.ID)
	}
	return nil
}

// decideWriteOff completes an approved write-off or sends its line back to undecided, if
// the line still waits for this request. Locks the statement first, as ResolveLine and
// ConfirmStatement do.
func (s *Service) decideWriteOff(tx *gorm.DB, ev approvalDecided) error {
	var statement int64
	if err := tx.Raw(`SELECT statement_id FROM statement_write_offs WHERE id = ?`, ev.Document).Scan(&statement).Error; err != nil {
		return err
	}
	if statement == 0 {
		return nil
	}
	var st statementRow
	if err := tx.Raw(`SELECT `+statementCols+` FROM counterpart_statements WHERE id = ? FOR UPDATE`, statement).Scan(&st).Error; err != nil {
		return err
	}
	w, err := lockWriteOff(tx, ev.Document)
	if err != nil {
		return err
	}
	if w.State != WriteOffPending || w.ApprovalRequest != ev.Request {
		return nil // redelivered, or the outcome of a superseded request
	}
	state, comment := WriteOffRejected, ev.Comment
	if ev.Outcome == outcomeApproved {
		state = WriteOffApproved
		settings, err := s.settings(tx, st.PartyType, st.PartyID)
		if err != nil {
			return err
		}
		switch {
		case st.Status != StatementImported:
			state, comment = WriteOffFailed, fmt.Sprintf("approved, but the statement is %s already", st.Status)
		case w.Amount > settings.WriteOffLimit:
			// the limit is a hard ceiling, also when it was lowered while the request ran
			state, comment = WriteOffFailed, fmt.Sprintf("approved, but %s is over the write-off limit of %s now",
				money.Yuan(w.Amount), money.Yuan(settings.WriteOffLimit))
		}
	}
	if state == WriteOffApproved {
		if err := tx.Exec(`UPDATE counterpart_lines SET resolution = ?, resolution_note = ?, resolved_by = ?
			WHERE statement_id = ? AND row_no = ? AND resolution = ''`, ResolveWriteOff, w.Note, w.RequestedBy, w.Statement,
			w.Row).Error; err != nil {
			return err
		}
	}
	return tx.Exec(`UPDATE statement_write_offs SET state = ?, approval_comment = ?, updated_at = ? WHERE id = ? AND state = ?
		AND approval_request = ?`, state, text.Clip(comment, 500), s.clock(), w.ID, WriteOffPending, ev.Request).Error
}
