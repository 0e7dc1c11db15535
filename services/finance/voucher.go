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
	"github.com/erphub/erphub/internal/money"
)

// Voucher status and kinds.
const (
	StatusDraft    = "draft"
	StatusApproved = "approved"
	StatusPosted   = "posted"

	KindManual         = "manual"
	KindGenerated      = "generated"
	KindReversal       = "reversal"
	KindCarryForward   = "carry_forward"
	KindDepreciation   = "depreciation"
	KindCostAdjustment = "cost_adjustment"
	KindAsset          = "asset"
)

// maxVoucherLines bounds a voucher.
const maxVoucherLines = 1000

// Voucher is a 记账凭证.
type Voucher struct {
	ID              int64
	Period          Period
	Date            time.Time
	Word            string
	Number          int32
	Summary         string
	AttachmentCount int32
	Status          string
	Kind            string
	Branch          int64
	ReversalOf      int64
	ReversedBy      int64
	Source          SourceRef
	TemplateVersion int32
	Lines           []VoucherLine
	Total           int64 // sum of debits
	MadeBy          int64
	ApprovedBy      int64
	PostedBy        int64
	MadeAt          time.Time
	ApprovedAt      *time.Time
	PostedAt        *time.Time
	Version         int32
	ApprovalRequest int64  // the approval flow's request, 0 when none applied
	ApprovalState   string // pending, approved, rejected, or '' (no flow applied)
	ApprovalComment string
}

// SourceRef names the business document behind a generated voucher.
type SourceRef struct {
	Type   string
	ID     int64
	Number string
}

// VoucherLine is one line.
type VoucherLine struct {
	LineNo      int32
	Summary     string
	Account     string
	AccountName string // output only
	Dims        Dims
	Debit       int64
	Credit      int64
}

// ResourceName names the voucher in the audit log.
func (v Voucher) ResourceName() string { return "vouchers/" + itoa(v.ID) }

// Name renders the voucher's word and number, e.g. 转-12.
func (v Voucher) Name() string { return fmt.Sprintf("%s-%d", v.Word, v.Number) }

// totals answers the sums of debits and credits.
func totals(lines []VoucherLine) (debit, credit int64) {
	for _, l := range lines {
		debit += l.Debit
		credit += l.Credit
	}
	return debit, credit
}

// check validates a voucher's own fields and its lines against the chart of accounts and
// the master data; words are the books' voucher words.
func (s *Service) check(ctx context.Context, g *gorm.DB, v *Voucher, words []string) error {
	var bad apperr.Violations
	bad.Check(slices.Contains(words, v.Word), "voucher.word", "must be one of the books' voucher words: "+strings.Join(words, ", "))
	bad.Check(len(v.Summary) <= 255, "voucher.summary", "must be at most 255 bytes")
	bad.Check(v.AttachmentCount >= 0 && v.AttachmentCount <= 9999, "voucher.attachment_count", "must be 0-9999")
	if len(v.Lines) < 2 || len(v.Lines) > maxVoucherLines {
		bad.Addf("voucher.lines", "needs 2 to %d lines", maxVoucherLines)
		return bad.Err("invalid voucher")
	}
	codes := make([]string, 0, len(v.Lines))
	for _, l := range v.Lines {
		codes = append(codes, l.Account)
	}
	accounts, err := accountsByCode(g, codes, false)
	if err != nil {
		return err
	}
	for i := range v.Lines {
		l := &v.Lines[i]
		f := fmt.Sprintf("voucher.lines[%d]", i)
		l.LineNo = int32(i + 1)
		if strings.TrimSpace(l.Summary) == "" {
			l.Summary = v.Summary
		}
		bad.Check(len(l.Summary) <= 255, f+".summary", "must be at most 255 bytes")
		a, ok := accounts[l.Account]
		switch {
		case !ok:
			bad.Addf(f+".account", "account %q does not exist", l.Account)
		case !a.Leaf():
			bad.Addf(f+".account", "account %s has detail accounts; post to one of them", l.Account)
		case !a.Enabled:
			bad.Addf(f+".account", "account %s is disabled", l.Account)
		default:
			l.AccountName = a.Name
			for _, d := range a.Dimensions {
				bad.Check(l.Dims.get(d) != 0, f+"."+d, fmt.Sprintf("account %s %s requires a %s", a.Code, a.Name, d))
			}
		}
		bad.Check((l.Debit == 0) != (l.Credit == 0), f, "needs an amount on exactly one side (debit or credit; red amounts are negative)")
		if err := s.checkDims(ctx, f, l.Dims, &bad); err != nil {
			return err
		}
	}
	if err := bad.Err("invalid voucher"); err != nil {
		return err
	}
	debit, credit := totals(v.Lines)
	if debit != credit {
		return apperr.Invalid("voucher.lines", fmt.Sprintf("debits %s and credits %s differ by %s",
			money.Yuan(debit), money.Yuan(credit), money.Yuan(debit-credit)))
	}
	if debit == 0 {
		return apperr.Invalid("voucher.lines", "the voucher moves no money")
	}
	v.Total = debit
	return nil
}

// checkDims refuses dimensions that name nothing.
func (s *Service) checkDims(ctx context.Context, f string, d Dims, bad *apperr.Violations) error {
	type probe struct {
		name string
		id   int64
		look func() error
	}
	for _, p := range []probe{
		{"customer", d.Customer, func() error { _, err := s.catalog.Customer(ctx, d.Customer); return err }},
		{"supplier", d.Supplier, func() error { _, err := s.catalog.Supplier(ctx, d.Supplier); return err }},
		{"branch", d.Branch, func() error { _, err := s.catalog.Branch(ctx, d.Branch); return err }},
		{"warehouse", d.Warehouse, func() error { _, err := s.catalog.Warehouse(ctx, d.Warehouse); return err }},
		{"item", d.Item, func() error { _, err := s.catalog.ItemForScan(ctx, d.Item); return err }},
	} {
		if p.id == 0 {
			continue
		}
		if p.id < 0 {
			bad.Add(f+"."+p.name, "must be an id")
			continue
		}
		err := p.look()
		if apperr.IsKind(err, apperr.KindNotFound) {
			bad.Addf(f+"."+p.name, "%s %d does not exist", p.name, p.id)
			continue
		}
		if err != nil {
			return err
		}
	}
	if d.Employee < 0 {
		bad.Add(f+".employee", "must be an id")
	}
	if d.Branch != 0 && !canSeeBranch(ctx, d.Branch) {
		bad.Addf(f+".branch", "you may not book for branch %d", d.Branch)
	}
	return nil
}

// ---- storage ----

type voucherRow struct {
	ID                               int64
	Period                           int
	VoucherDate                      time.Time
	Word                             string
	Number                           int32
	Summary                          string
	AttachmentCount                  int32
	Status, Kind                     string
	BranchID, ReversalOf, ReversedBy int64
	SourceType                       string
	SourceID                         int64
	SourceNumber                     string
	TemplateID                       int64
	TemplateVersion                  int32
	Total                            int64
	MadeBy, ApprovedBy, PostedBy     int64
	MadeAt                           time.Time
	ApprovedAt, PostedAt             *time.Time
	Version                          int32
	ApprovalRequest                  int64
	ApprovalState, ApprovalComment   string
}

func (r voucherRow) voucher() Voucher {
	return Voucher{ID: r.ID, Period: Period(r.Period), Date: r.VoucherDate, Word: r.Word, Number: r.Number, Summary: r.Summary,
		AttachmentCount: r.AttachmentCount, Status: r.Status, Kind: r.Kind, Branch: r.BranchID, ReversalOf: r.ReversalOf,
		ReversedBy: r.ReversedBy, Source: SourceRef{Type: r.SourceType, ID: r.SourceID, Number: r.SourceNumber},
		TemplateVersion: r.TemplateVersion, Total: r.Total, MadeBy: r.MadeBy, ApprovedBy: r.ApprovedBy, PostedBy: r.PostedBy,
		MadeAt: r.MadeAt, ApprovedAt: r.ApprovedAt, PostedAt: r.PostedAt, Version: r.Version, ApprovalRequest: r.ApprovalRequest,
		ApprovalState: r.ApprovalState, ApprovalComment: r.ApprovalComment}
}

type lineRow struct {
	VoucherID                                                         int64
	LineNo                                                            int32
	Summary, AccountCode                                              string
	CustomerID, SupplierID, BranchID, ItemID, EmployeeID, WarehouseID int64
	Debit, Credit                                                     int64
}

func (r lineRow) line() VoucherLine {
	return VoucherLine{LineNo: r.LineNo, Summary: r.Summary, Account: r.AccountCode, Debit: r.Debit, Credit: r.Credit,
		Dims: Dims{Customer: r.CustomerID, Supplier: r.SupplierID, Branch: r.BranchID, Item: r.ItemID, Employee: r.EmployeeID,
			Warehouse: r.WarehouseID}}
}

// loadVouchers reads vouchers with their lines, in the order of ids.
func loadVouchers(g *gorm.DB, ids []int64, lock bool) ([]Voucher, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q := `SELECT * FROM vouchers WHERE id IN ? ORDER BY id`
	if lock {
		q += ` FOR UPDATE`
	}
	var rows []voucherRow
	if err := g.Raw(q, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	var lines []lineRow
	if err := g.Raw(`SELECT * FROM voucher_lines WHERE voucher_id IN ? ORDER BY voucher_id, line_no`, ids).Scan(&lines).Error; err != nil {
		return nil, err
	}
	byID := map[int64]*Voucher{}
	out := make([]Voucher, len(rows))
	for i, r := range rows {
		out[i] = r.voucher()
		byID[r.ID] = &out[i]
	}
	codes := map[string]bool{}
	for _, l := range lines {
		if v := byID[l.VoucherID]; v != nil {
			v.Lines = append(v.Lines, l.line())
			codes[l.AccountCode] = true
		}
	}
	names, err := accountsByCode(g, keys(codes), false)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for j := range out[i].Lines {
			out[i].Lines[j].AccountName = names[out[i].Lines[j].Account].Name
		}
	}
	// answer in the order asked
	pos := map[int64]int{}
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(out, func(a, b Voucher) int { return pos[a.ID] - pos[b.ID] })
	return out, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// insertVouchers writes new vouchers (numbers already taken) and their lines, and sets
// their ids.
func insertVouchers(tx *gorm.DB, vs []*Voucher) error {
	if len(vs) == 0 {
		return nil
	}
	args := make([]any, 0, len(vs)*22)
	for _, v := range vs {
		args = append(args, int(v.Period), v.Date, v.Word, v.Number, v.Summary, v.AttachmentCount, v.Status, v.Kind, v.Branch,
			v.ReversalOf, v.Source.Type, v.Source.ID, v.Source.Number, v.TemplateVersion, v.Total, v.MadeBy, v.ApprovedBy,
			v.PostedBy, v.MadeAt, v.ApprovedAt, v.PostedAt, 1)
	}
	if err := tx.Exec(`INSERT INTO vouchers (period, voucher_date, word, number, summary, attachment_count, status, kind,
		branch_id, reversal_of, source_type, source_id, source_number, template_version, total, made_by, approved_by, posted_by,
		made_at, approved_at, posted_at, version) VALUES `+db.Placeholders(len(vs), 22), args...).Error; err != nil {
		return err
	}
	// ids by (period, word, number), which is unique
	conds := make([]string, 0, len(vs))
	cargs := make([]any, 0, len(vs)*3)
	for _, v := range vs {
		conds = append(conds, "(period = ? AND word = ? AND number = ?)")
		cargs = append(cargs, int(v.Period), v.Word, v.Number)
	}
	var ids []struct {
		ID     int64
		Period int
		Word   string
		Number int32
	}
	for start := 0; start < len(conds); start += 300 {
		end := min(start+300, len(conds))
		var part []struct {
			ID     int64
			Period int
			Word   string
			Number int32
		}
		if err := tx.Raw(`SELECT id, period, word, number FROM vouchers WHERE `+strings.Join(conds[start:end], " OR "),
			cargs[start*3:end*3]...).Scan(&part).Error; err != nil {
			return err
		}
		ids = append(ids, part...)
	}
	type key struct {
		p int
		w string
		n int32
	}
	idOf := make(map[key]int64, len(ids))
	for _, r := range ids {
		idOf[key{r.Period, r.Word, r.Number}] = r.ID
	}
	var largs []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		err := tx.Exec(`INSERT INTO voucher_lines (voucher_id, line_no, summary, account_code, customer_id, supplier_id,
			branch_id, item_id, employee_id, warehouse_id, debit, credit) VALUES `+db.Placeholders(n, 12), largs...).Error
		largs, n = largs[:0], 0
		return err
	}
	for _, v := range vs {
		v.ID = idOf[key{int(v.Period), v.Word, v.Number}]
		for _, l := range v.Lines {
			largs = append(largs, v.ID, l.LineNo, l.Summary, l.Account, l.Dims.Customer, l.Dims.Supplier, l.Dims.Branch,
				l.Dims.Item, l.Dims.Employee, l.Dims.Warehouse, l.Debit, l.Credit)
			if n++; n == 400 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// takeNumbers gives n numbers of (period, word): freed numbers of deleted drafts first,
// smallest first, then new ones.
func takeNumbers(tx *gorm.DB, p Period, word string, n int) ([]int32, error) {
	var free []int32
	if err := tx.Raw(`SELECT number FROM voucher_free_numbers WHERE period = ? AND word = ? ORDER BY number LIMIT ? FOR UPDATE`,
		int(p), word, n).Scan(&free).Error; err != nil {
		return nil, err
	}
	if len(free) > 0 {
		if err := tx.Exec(`DELETE FROM voucher_free_numbers WHERE period = ? AND word = ? AND number IN ?`, int(p), word, free).Error; err != nil {
			return nil, err
		}
	}
	rest := n - len(free)
	if rest == 0 {
		return free, nil
	}
	// UPDATE first, INSERT only for a new (period, word): see docno.NextN on why not
	// INSERT … ON DUPLICATE KEY UPDATE
	res := tx.Exec(`UPDATE voucher_numbers SET last_no = last_no + ? WHERE period = ? AND word = ?`, rest, int(p), word)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		err := tx.Exec(`INSERT INTO voucher_numbers (period, word, last_no) VALUES (?, ?, ?)`, int(p), word, rest).Error
		if _, dup := db.IsDuplicate(err); dup {
			return nil, db.ErrRetry
		}
		if err != nil {
			return nil, err
		}
	}
	var last int32
	if err := tx.Raw(`SELECT last_no FROM voucher_numbers WHERE period = ? AND word = ? FOR UPDATE`, int(p), word).Scan(&last).Error; err != nil {
		return nil, err
	}
	for k := int32(rest) - 1; k >= 0; k-- {
		free = append(free, last-k)
	}
	return free, nil
}

// releaseNumber gives a deleted draft's number back: the last number shrinks the
// sequence, any other waits in voucher_free_numbers for the next voucher.
func releaseNumber(tx *gorm.DB, p Period, word string, number int32) error {
	res := tx.Exec(`UPDATE voucher_numbers SET last_no = last_no - 1 WHERE period = ? AND word = ? AND last_no = ?`, int(p), word, number)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return tx.Exec(`INSERT INTO voucher_free_numbers (period, word, number) VALUES (?, ?, ?)`, int(p), word, number).Error
	}
	// the sequence shrank onto numbers that were free: they leave the free list with it
	for n := number - 1; n > 0; n-- {
		res := tx.Exec(`DELETE FROM voucher_free_numbers WHERE period = ? AND word = ? AND number = ?`, int(p), word, n)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil
		}
		if err := tx.Exec(`UPDATE voucher_numbers SET last_no = ? WHERE period = ? AND word = ?`, n-1, int(p), word).Error; err != nil {
			return err
		}
	}
	return nil
}
