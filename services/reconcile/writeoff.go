package reconcile

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/reqctx"
)

// Write-off states of a statement line under approval (statement_write_offs.state).
const (
	WriteOffPending  = "PENDING"
	WriteOffApproved = "APPROVED"
	WriteOffRejected = "REJECTED"
	WriteOffFailed   = "FAILED"
)

// Errors of write-offs under approval.
var (
	ErrWriteOffAwaitingApproval = apperr.Refused("WRITE_OFF_AWAITING_APPROVAL",
		"a write-off awaits approval; it can be changed, and the statement confirmed, once it is decided")
)

// WriteOff is the latest write-off of a statement line that went through approval.
type WriteOff struct {
	ID              int64
	Statement       int64
	Row             int
	Amount          int64 // fen, the absolute difference written off
	Note            string
	State           string // WriteOffPending, …; "" when the latest write-off needed no approval
	ApprovalRequest int64
	ApprovalComment string
	RequestedBy     int64
}

type writeOffRow struct {
	ID              int64
	StatementID     int64
	RowNo           int
	Amount          int64
	Note            string
	State           string
	ApprovalRequest int64
	ApprovalComment string
	RequestedBy     int64
}

func (r writeOffRow) writeOff() WriteOff {
	return WriteOff{ID: r.ID, Statement: r.StatementID, Row: r.RowNo, Amount: r.Amount, Note: r.Note, State: r.State,
		ApprovalRequest: r.ApprovalRequest, ApprovalComment: r.ApprovalComment, RequestedBy: r.RequestedBy}
}

const writeOffCols = `id, statement_id, row_no, amount, note, state, approval_request, approval_comment, requested_by`

// lockWriteOff locks a write-off by id; the zero WriteOff when there is none.
func lockWriteOff(tx *gorm.DB, id int64) (WriteOff, error) {
	var r writeOffRow
	err := tx.Raw(`SELECT `+writeOffCols+` FROM statement_write_offs WHERE id = ? FOR UPDATE`, id).Scan(&r).Error
	return r.writeOff(), err
}

// lineWriteOff locks the write-off of a statement line; the zero WriteOff when there is none.
func lineWriteOff(tx *gorm.DB, statement int64, row int) (WriteOff, error) {
	var r writeOffRow
	err := tx.Raw(`SELECT `+writeOffCols+` FROM statement_write_offs WHERE statement_id = ? AND row_no = ? FOR UPDATE`,
		statement, row).Scan(&r).Error
	return r.writeOff(), err
}

// writeOffsOf answers the write-offs of a statement's rows in [from, to] that went through
// approval, by row.
func writeOffsOf(g *gorm.DB, statement int64, from, to int) (map[int]WriteOff, error) {
	var rows []writeOffRow
	if err := g.Raw(`SELECT `+writeOffCols+` FROM statement_write_offs WHERE statement_id = ? AND row_no BETWEEN ? AND ?
		AND state <> ''`, statement, from, to).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int]WriteOff, len(rows))
	for _, r := range rows {
		out[r.RowNo] = r.writeOff()
	}
	return out, nil
}

// pendingWriteOffs refuses while any write-off of the statement awaits approval, naming
// the rows.
func pendingWriteOffs(tx *gorm.DB, statement int64) error {
	var rows []int
	if err := tx.Raw(`SELECT row_no FROM statement_write_offs WHERE statement_id = ? AND state = ? ORDER BY row_no`,
		statement, WriteOffPending).Scan(&rows).Error; err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	names := make([]string, 0, min(len(rows), 21))
	for i, r := range rows {
		if i == 20 {
			names = append(names, "…")
			break
		}
		names = append(names, fmt.Sprint(r))
	}
	return ErrWriteOffAwaitingApproval.Withf("the write-off of rows %s awaits approval; confirm the statement once it is decided",
		strings.Join(names, ", "))
}

// submitWriteOff sends the write-off of a line through approval, in tx (the statement is
// locked). It answers the write-off; State is WriteOffPending when a flow matched, "" when
// none did (the write-off applies at once).
func (s *Service) submitWriteOff(ctx context.Context, tx *gorm.DB, st Statement, w WriteOff, row int, amount int64,
	note string) (WriteOff, error) {
	now, me := s.clock(), reqctx.PrincipalFrom(ctx).ID
	if w.ID == 0 {
		if err := tx.Exec(`INSERT INTO statement_write_offs (statement_id, row_no, amount, note, requested_by, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?)`, st.ID, row, amount, note, me, now, now).Error; err != nil {
			return w, err
		}
		if err := tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&w.ID).Error; err != nil {
			return w, err
		}
	}
	req, err := s.approvals.Submit(ctx, tx, ApprovalDocument{Type: DocStatementWriteOff, ID: w.ID,
		Number: fmt.Sprintf("%s row %d", firstOf(st.StatementNumber, fmt.Sprintf("ST-%d", st.ID)), row), Amount: amount, Maker: me})
	if err != nil {
		return w, err
	}
	w.Statement, w.Row, w.Amount, w.Note, w.RequestedBy = st.ID, row, amount, note, me
	w.State, w.ApprovalRequest, w.ApprovalComment = "", req, ""
	if req != 0 {
		w.State = WriteOffPending
	}
	return w, tx.Exec(`UPDATE statement_write_offs SET amount = ?, note = ?, state = ?, approval_request = ?, approval_comment = '',
		requested_by = ?, updated_at = ? WHERE id = ?`, amount, note, w.State, req, me, now, w.ID).Error
}
