package approval

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/txn"
)

// RemindDue reminds the approvers of steps waiting longer than their flow's reminder time
// and escalates steps waiting longer than its escalation time (adding the escalation
// role's holders as approvers). Each (request, step) is reminded and escalated at most
// once, claimed by a guarded UPDATE, so runs on several replicas (or a rerun) send nothing
// twice. It handles at most 1000 requests per run.
func (s *Service) RemindDue(ctx context.Context) error {
	st := store{s.db.WithContext(ctx)}
	rows, err := st.requests(`SELECT `+requestCols+` FROM approval_requests r
		WHERE r.state = ? AND (r.reminded_step < r.step OR r.escalated_step < r.step) ORDER BY r.step_started_at LIMIT 1000`,
		StatePending)
	if err != nil {
		return err
	}
	now := s.clock()
	for _, r := range rows {
		f, err := s.flowVersion(st, r.FlowID, r.FlowVersion)
		if err != nil {
			return err
		}
		waited := now.Sub(r.StepStartedAt)
		if f.RemindAfterMinutes > 0 && r.RemindedStep < r.Step && waited >= time.Duration(f.RemindAfterMinutes)*time.Minute {
			if err := s.remind(ctx, r, f, now); err != nil {
				return err
			}
		}
		if f.EscalateAfterMinutes > 0 && r.EscalatedStep < r.Step && waited >= time.Duration(f.EscalateAfterMinutes)*time.Minute {
			if err := s.escalate(ctx, r, f, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) stepName(f Flow, step int32) string {
	if int(step) >= 1 && int(step) <= len(f.Steps) {
		return f.Steps[step-1].Name
	}
	return ""
}

func (s *Service) remind(ctx context.Context, r requestRow, f Flow, now time.Time) error {
	return txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE approval_requests SET reminded_step = step WHERE id = ? AND step = ? AND state = ?
			AND reminded_step < step`, r.ID, r.Step, StatePending)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // another replica reminded it, or it moved on
		}
		if err := (store{tx}).insertDecision(r.ID, Decision{Step: r.Step, Action: ActionRemind, Time: now}, ""); err != nil {
			return err
		}
		req := r.request()
		return s.notify(ctx, tx, "审批提醒 Approval reminder", req, s.stepName(f, r.Step), "")
	})
}

func (s *Service) escalate(ctx context.Context, r requestRow, f Flow, now time.Time) error {
	users, err := s.holders(ctx, f.EscalateRole, r.BranchID, false, r.MakerID)
	if err != nil {
		return err
	}
	return txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE approval_requests SET escalated_step = step WHERE id = ? AND step = ? AND state = ?
			AND escalated_step < step`, r.ID, r.Step, StatePending)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		st := store{tx}
		if err := st.assign(r.ID, r.Step, users); err != nil {
			return err
		}
		if err := st.insertDecision(r.ID, Decision{Step: r.Step, Action: ActionEscalate, Time: now,
			Comment: "escalated to " + f.EscalateRole}, ""); err != nil {
			return err
		}
		return s.notify(ctx, tx, "审批升级 Approval escalated", r.request(), s.stepName(f, r.Step), "")
	})
}
