package finance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/page"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
)

// Refusals of the voucher lifecycle.
var (
	ErrNotDraft      = apperr.Refused("NOT_DRAFT", "only a draft voucher can be changed or deleted")
	ErrNotApproved   = apperr.Refused("NOT_APPROVED", "only an approved voucher can be posted")
	ErrNotPosted     = apperr.Refused("NOT_POSTED", "only a posted voucher can be reversed")
	ErrOwnVoucher    = apperr.Refused("SAME_USER", "a voucher is approved by someone other than its maker")
	ErrReversed      = apperr.Refused("ALREADY_REVERSED", "the voucher was reversed already")
	ErrNotApprovable = apperr.Refused("NOT_DRAFT", "only a draft voucher can be approved")
)

// CreateVoucher makes a draft voucher with the next number of its word in its period.
// Errors: Invalid (naming the field; an unbalanced voucher names the difference), Refused
// (books not set up, period closed or before the books), Forbidden.
func (s *Service) CreateVoucher(ctx context.Context, v Voucher) (Voucher, error) {
	b, err := s.books(s.db.WithContext(ctx))
	if err != nil {
		return v, err
	}
	v.Kind, v.Status = KindManual, StatusDraft
	if v.Date.IsZero() {
		return v, apperr.Invalid("voucher.date", "is required (YYYY-MM-DD)")
	}
	if err := checkBranch(ctx, v.Branch); err != nil {
		return v, err
	}
	if err := s.check(ctx, s.db.WithContext(ctx), &v, b.VoucherWords); err != nil {
		return v, err
	}
	v.Period = PeriodOf(v.Date)
	v.MadeBy, v.MadeAt = userID(ctx), s.clock()
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Voucher, error) {
		if err := s.openPeriodFor(tx, v.Period, false); err != nil {
			return v, err
		}
		n, err := takeNumbers(tx, v.Period, v.Word, 1)
		if err != nil {
			return v, err
		}
		v.Number, v.Version = n[0], 1
		if err := insertVouchers(tx, []*Voucher{&v}); err != nil {
			return v, err
		}
		return v, s.submitVoucher(ctx, tx, &v)
	})
}

// lockVoucher reads a voucher for change and checks the caller may act on it.
func (s *Service) lockVoucher(ctx context.Context, tx *gorm.DB, id int64) (Voucher, error) {
	vs, err := loadVouchers(tx, []int64{id}, true)
	if err != nil {
		return Voucher{}, err
	}
	if len(vs) == 0 {
		return Voucher{}, apperr.NotFound("voucher", id)
	}
	return vs[0], checkBranch(ctx, vs[0].Branch)
}

// UpdateVoucher replaces a draft's date, word, summary, attachments and lines; version,
// when given, must be the voucher's current one. A new period or word takes a new number
// and gives the old one back. Errors: as CreateVoucher, NotFound, Refused (not a draft),
// Stale.
func (s *Service) UpdateVoucher(ctx context.Context, id int64, in Voucher, version int32) (Voucher, error) {
	b, err := s.books(s.db.WithContext(ctx))
	if err != nil {
		return in, err
	}
	if in.Date.IsZero() {
		return in, apperr.Invalid("voucher.date", "is required (YYYY-MM-DD)")
	}
	if err := s.check(ctx, s.db.WithContext(ctx), &in, b.VoucherWords); err != nil {
		return in, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Voucher, error) {
		v, err := s.lockVoucher(ctx, tx, id)
		if err != nil {
			return v, err
		}
		if v.Status != StatusDraft || v.Kind != KindManual && v.Kind != KindGenerated && v.Kind != KindReversal {
			return v, ErrNotDraft
		}
		if version != 0 && version != v.Version {
			return v, apperr.Stale("voucher " + v.Name())
		}
		p := PeriodOf(in.Date)
		if err := s.openPeriodFor(tx, p, false); err != nil {
			return v, err
		}
		if p != v.Period || in.Word != v.Word {
			if err := releaseNumber(tx, v.Period, v.Word, v.Number); err != nil {
				return v, err
			}
			n, err := takeNumbers(tx, p, in.Word, 1)
			if err != nil {
				return v, err
			}
			v.Number = n[0]
		}
		v.Period, v.Date, v.Word, v.Summary, v.AttachmentCount = p, in.Date, in.Word, in.Summary, in.AttachmentCount
		v.Lines, v.Total = in.Lines, in.Total
		v.Version++
		if err := tx.Exec(`UPDATE vouchers SET period = ?, voucher_date = ?, word = ?, number = ?, summary = ?, attachment_count = ?,
			total = ?, version = ? WHERE id = ?`, int(v.Period), v.Date, v.Word, v.Number, v.Summary, v.AttachmentCount, v.Total,
			v.Version, id).Error; err != nil {
			return v, err
		}
		if err := tx.Exec(`DELETE FROM voucher_lines WHERE voucher_id = ?`, id).Error; err != nil {
			return v, err
		}
		if err := insertLines(tx, v); err != nil {
			return v, err
		}
		if v.ApprovalState != "" { // a changed voucher starts a new request
			return v, s.submitVoucher(ctx, tx, &v)
		}
		return v, nil
	})
}

func insertLines(tx *gorm.DB, v Voucher) error {
	args := make([]any, 0, len(v.Lines)*12)
	for _, l := range v.Lines {
		args = append(args, v.ID, l.LineNo, l.Summary, l.Account, l.Dims.Customer, l.Dims.Supplier, l.Dims.Branch,
			l.Dims.Item, l.Dims.Employee, l.Dims.Warehouse, l.Debit, l.Credit)
	}
	return tx.Exec(`INSERT INTO voucher_lines (voucher_id, line_no, summary, account_code, customer_id, supplier_id,
		branch_id, item_id, employee_id, warehouse_id, debit, credit) VALUES `+db.Placeholders(len(v.Lines), 12), args...).Error
}

// DeleteVoucher deletes a draft; its number goes to the next voucher of its word and
// period. A generated draft's document goes back to generation. Errors: NotFound,
// Refused (not a draft), Forbidden.
func (s *Service) DeleteVoucher(ctx context.Context, id int64) error {
	_, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Voucher, error) {
		v, err := s.lockVoucher(ctx, tx, id)
		if err != nil {
			return v, err
		}
		if v.Status != StatusDraft {
			return v, ErrNotDraft
		}
		for _, q := range []string{`DELETE FROM voucher_lines WHERE voucher_id = ?`, `DELETE FROM vouchers WHERE id = ?`,
			`DELETE FROM voucher_sources WHERE voucher_id = ?`} {
			if err := tx.Exec(q, id).Error; err != nil {
				return v, err
			}
		}
		if v.ReversalOf != 0 {
			if err := tx.Exec(`UPDATE vouchers SET reversed_by = 0 WHERE id = ?`, v.ReversalOf).Error; err != nil {
				return v, err
			}
		}
		// a deleted generated voucher leaves its documents as exceptions, not to be made again unasked
		if err := tx.Exec(`UPDATE finance_documents SET state = ?, reason = ?, voucher_id = 0 WHERE voucher_id = ?`,
			DocException, "its voucher "+v.Name()+" was deleted; save the template or retry to make it again", id).Error; err != nil {
			return v, err
		}
		return v, releaseNumber(tx, v.Period, v.Word, v.Number)
	})
	return err
}

// Outcome is one voucher's result in a batch. Reason and Message describe Err, so that
// a replayed answer (stored as JSON) still carries them.
type Outcome struct {
	ID      int64
	Voucher Voucher
	Err     error `json:"-"`
	Reason  string
	Message string
}

// described fills Reason and Message from Err.
func described(out []Outcome) []Outcome {
	for i := range out {
		if e, ok := apperr.As(out[i].Err); ok {
			out[i].Reason, out[i].Message = e.Reason, e.Message
		} else if out[i].Err != nil {
			out[i].Reason, out[i].Message = "INTERNAL", "internal error"
		}
	}
	return out
}

// outcomeErr answers an outcome's error (also for a replayed answer, which has only its
// description).
func outcomeErr(o Outcome) error {
	switch {
	case o.Err != nil:
		return o.Err
	case o.Reason == "NOT_FOUND":
		return apperr.NotFound("voucher", o.ID)
	case o.Reason == "FORBIDDEN":
		return apperr.Forbidden(o.Message)
	case o.Reason != "":
		return apperr.Refused(o.Reason, o.Message)
	}
	return nil
}

// ApproveVoucher approves (审核) a draft made by someone else. Errors: NotFound, Refused,
// Forbidden.
func (s *Service) ApproveVoucher(ctx context.Context, id int64) (Voucher, error) {
	out, err := s.BatchApprove(ctx, []int64{id})
	if err != nil {
		return Voucher{}, err
	}
	return out[0].Voucher, outcomeErr(out[0])
}

// BatchApprove approves drafts; each answers its own outcome.
func (s *Service) BatchApprove(ctx context.Context, ids []int64) ([]Outcome, error) {
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	me := userID(ctx)
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) ([]Outcome, error) {
		vs, err := s.lockBatch(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		now := s.clock()
		out := make([]Outcome, len(ids))
		var ok []int64
		for i, id := range ids {
			v, found := vs[id]
			out[i] = Outcome{ID: id, Voucher: v}
			switch {
			case !found:
				out[i].Err = apperr.NotFound("voucher", id)
			case checkBranch(ctx, v.Branch) != nil:
				out[i].Err = checkBranch(ctx, v.Branch)
			case v.Status != StatusDraft:
				out[i].Err = ErrNotApprovable
			case approvalBlock(v) != nil:
				out[i].Err = approvalBlock(v)
			case me != 0 && v.MadeBy == me:
				out[i].Err = ErrOwnVoucher
			default:
				out[i].Voucher.Status, out[i].Voucher.ApprovedBy, out[i].Voucher.ApprovedAt = StatusApproved, me, &now
				ok = append(ok, id)
			}
		}
		if len(ok) > 0 {
			if err := tx.Exec(`UPDATE vouchers SET status = ?, approved_by = ?, approved_at = ?, version = version + 1
				WHERE id IN ?`, StatusApproved, me, now, ok).Error; err != nil {
				return nil, err
			}
		}
		return described(out), nil
	})
}

// UnapproveVoucher takes an approval back (取消审核) before posting. Errors: NotFound,
// Refused, Forbidden.
func (s *Service) UnapproveVoucher(ctx context.Context, id int64) (Voucher, error) {
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Voucher, error) {
		v, err := s.lockVoucher(ctx, tx, id)
		if err != nil {
			return v, err
		}
		if v.Status != StatusApproved {
			return v, apperr.Refused("NOT_APPROVED", "only an approved voucher can be unapproved")
		}
		v.Status, v.ApprovedBy, v.ApprovedAt = StatusDraft, 0, nil
		v.Version++
		return v, tx.Exec(`UPDATE vouchers SET status = ?, approved_by = 0, approved_at = NULL, version = version + 1 WHERE id = ?`,
			StatusDraft, id).Error
	})
}

// PostVoucher posts (记账) an approved voucher. Errors: NotFound, Refused (not approved,
// period closed), Forbidden.
func (s *Service) PostVoucher(ctx context.Context, id int64) (Voucher, error) {
	out, err := s.BatchPost(ctx, []int64{id})
	if err != nil {
		return Voucher{}, err
	}
	return out[0].Voucher, outcomeErr(out[0])
}

// BatchPost posts approved vouchers in one transaction: balances are written once per
// key for the whole batch. Each voucher answers its own outcome.
func (s *Service) BatchPost(ctx context.Context, ids []int64) ([]Outcome, error) {
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) ([]Outcome, error) {
		vs, err := s.lockBatch(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		out := make([]Outcome, len(ids))
		var ready []*Voucher
		periods := map[Period]error{}
		for i, id := range ids {
			v, found := vs[id]
			out[i] = Outcome{ID: id, Voucher: v}
			switch {
			case !found:
				out[i].Err = apperr.NotFound("voucher", id)
				continue
			case checkBranch(ctx, v.Branch) != nil:
				out[i].Err = checkBranch(ctx, v.Branch)
				continue
			case v.Status != StatusApproved:
				out[i].Err = ErrNotApproved
				continue
			case approvalBlock(v) != nil:
				out[i].Err = approvalBlock(v)
				continue
			}
			perr, seen := periods[v.Period]
			if !seen {
				perr = s.openPeriodFor(tx, v.Period, true)
				if _, refused := apperr.As(perr); perr != nil && !refused {
					return nil, perr
				}
				periods[v.Period] = perr
			}
			if perr != nil {
				out[i].Err = perr
				continue
			}
			ready = append(ready, &out[i].Voucher)
		}
		if err := s.post(ctx, tx, ready); err != nil {
			return nil, err
		}
		return described(out), nil
	})
}

// post books vouchers whose periods the caller locked: balances, status.
func (s *Service) post(ctx context.Context, tx *gorm.DB, vs []*Voucher) error {
	if len(vs) == 0 {
		return nil
	}
	now := s.clock()
	me := userID(ctx)
	bal := balanceSet{}
	ids := make([]int64, len(vs))
	for i, v := range vs {
		for _, l := range v.Lines {
			bal.add(l.Account, v.Period, v.Kind == KindCarryForward, l.Dims, l.Debit, l.Credit)
		}
		v.Status, v.PostedBy, v.PostedAt = StatusPosted, me, &now
		ids[i] = v.ID
	}
	if err := tx.Exec(`UPDATE vouchers SET status = ?, posted_by = ?, posted_at = ?, version = version + 1 WHERE id IN ?`,
		StatusPosted, me, now, ids).Error; err != nil {
		return err
	}
	return bal.write(tx, now)
}

func checkBatch(ids []int64) error {
	if len(ids) == 0 || len(ids) > 1000 {
		return apperr.Invalid("ids", "give 1 to 1000 voucher ids")
	}
	seen := map[int64]bool{}
	for i, id := range ids {
		if id <= 0 || seen[id] {
			return apperr.Invalid(fmt.Sprintf("ids[%d]", i), "must be a distinct voucher id")
		}
		seen[id] = true
	}
	return nil
}

func (s *Service) lockBatch(ctx context.Context, tx *gorm.DB, ids []int64) (map[int64]Voucher, error) {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	vs, err := loadVouchers(tx, sorted, true)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Voucher, len(vs))
	for _, v := range vs {
		out[v.ID] = v
	}
	return out, nil
}

// ReverseVoucher makes a red reversal (红字冲销) of a posted voucher: the same lines with
// negated amounts on the same sides, a draft in the period of date (default today) that
// references the original. Errors: NotFound, Refused (not posted, reversed already,
// period closed), Forbidden.
func (s *Service) ReverseVoucher(ctx context.Context, id int64, date time.Time, summary string) (Voucher, error) {
	if date.IsZero() {
		date = s.today()
	}
	b, err := s.books(s.db.WithContext(ctx))
	if err != nil {
		return Voucher{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Voucher, error) {
		orig, err := s.lockVoucher(ctx, tx, id)
		if err != nil {
			return orig, err
		}
		switch {
		case orig.Status != StatusPosted:
			return orig, ErrNotPosted
		case orig.ReversedBy != 0:
			return orig, ErrReversed
		case orig.Kind == KindReversal:
			return orig, apperr.Refused("IS_REVERSAL", "a reversal is not reversed again; make a new voucher")
		}
		r := Voucher{Date: date, Period: PeriodOf(date), Word: orig.Word, Kind: KindReversal, Status: StatusDraft,
			Branch: orig.Branch, ReversalOf: orig.ID, AttachmentCount: 0, MadeBy: userID(ctx), MadeAt: s.clock(), Version: 1,
			Summary: text.Clip(firstNonEmpty(summary, "冲销 "+orig.Period.String()+" "+orig.Name()+" "+orig.Summary), 255)}
		if !slices.Contains(b.VoucherWords, r.Word) {
			r.Word = b.VoucherWords[0]
		}
		for _, l := range orig.Lines {
			l.Debit, l.Credit = -l.Debit, -l.Credit
			l.Summary = text.Clip("冲销 "+l.Summary, 255)
			r.Lines = append(r.Lines, l)
		}
		r.Total = -orig.Total
		if err := s.openPeriodFor(tx, r.Period, false); err != nil {
			return r, err
		}
		n, err := takeNumbers(tx, r.Period, r.Word, 1)
		if err != nil {
			return r, err
		}
		r.Number = n[0]
		if err := insertVouchers(tx, []*Voucher{&r}); err != nil {
			return r, err
		}
		return r, tx.Exec(`UPDATE vouchers SET reversed_by = ? WHERE id = ?`, r.ID, orig.ID).Error
	})
}

// GetVoucher answers a voucher with its lines and source. Errors: NotFound, Forbidden.
func (s *Service) GetVoucher(ctx context.Context, id int64) (Voucher, error) {
	vs, err := loadVouchers(s.db.WithContext(ctx), []int64{id}, false)
	if err != nil {
		return Voucher{}, err
	}
	if len(vs) == 0 {
		return Voucher{}, apperr.NotFound("voucher", id)
	}
	return vs[0], checkBranch(ctx, vs[0].Branch)
}

// VoucherFilter narrows voucher lists.
type VoucherFilter struct {
	Period     Period
	Status     string
	Word       string
	Kind       string
	SourceType string
	SourceID   int64
	Account    string // lines on this account or its detail accounts
}

// ListVouchers pages through vouchers in number order within a period (by id otherwise),
// with their lines. Errors: Invalid.
func (s *Service) ListVouchers(ctx context.Context, size int32, token string, f VoucherFilter) ([]Voucher, string, error) {
	pr, err := page.Parse(size, token, int(f.Period), f.Status, f.Word, f.Kind, f.SourceType, f.SourceID, f.Account)
	if err != nil {
		return nil, "", err
	}
	var v apperr.Violations
	v.Check(f.Status == "" || slices.Contains([]string{StatusDraft, StatusApproved, StatusPosted}, f.Status), "status",
		"must be draft, approved or posted")
	if err := v.Err("invalid filter"); err != nil {
		return nil, "", err
	}
	q := s.db.WithContext(ctx).Table("vouchers").Select("id")
	if f.Period != 0 {
		q = q.Where("period = ?", int(f.Period))
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Word != "" {
		q = q.Where("word = ?", f.Word)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.SourceType != "" {
		q = q.Where("id IN (SELECT voucher_id FROM voucher_sources WHERE source_type = ? AND (? = 0 OR source_id = ?))",
			f.SourceType, f.SourceID, f.SourceID)
	}
	if f.Account != "" {
		q = q.Where("id IN (SELECT voucher_id FROM voucher_lines WHERE account_code LIKE ?)", strings.ReplaceAll(f.Account, "%", "")+"%")
	}
	if scope := branchScope(ctx); scope != nil {
		q = q.Where("branch_id IN ?", scope)
	}
	if pr.After > 0 {
		q = q.Where("id > ?", pr.After)
	}
	var ids []int64
	if err := q.Order("id").Limit(pr.Limit()).Scan(&ids).Error; err != nil {
		return nil, "", err
	}
	next, n := pr.Next(ids)
	vs, err := loadVouchers(s.db.WithContext(ctx), ids[:n], false)
	return vs, next, err
}

// VoucherSources answers the documents behind a voucher (several for a daily summary).
func (s *Service) VoucherSources(ctx context.Context, id int64) ([]SourceRef, error) {
	var rows []struct {
		SourceType   string
		SourceID     int64
		SourceNumber string
	}
	err := s.db.WithContext(ctx).Raw(`SELECT s.source_type, s.source_id, COALESCE(d.source_number, '') AS source_number
		FROM voucher_sources s LEFT JOIN finance_documents d ON d.source_type = s.source_type AND d.source_id = s.source_id
		WHERE s.voucher_id = ? ORDER BY s.source_type, s.source_id`, id).Scan(&rows).Error
	out := make([]SourceRef, len(rows))
	for i, r := range rows {
		out[i] = SourceRef{Type: r.SourceType, ID: r.SourceID, Number: r.SourceNumber}
	}
	return out, err
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
