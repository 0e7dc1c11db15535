package finance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/page"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/warehouse"
)

// States of a received business document.
const (
	DocPending   = "pending"
	DocDaily     = "daily"
	DocDone      = "done"
	DocException = "exception"
)

// Voucher generation (业财一体化) runs in two steps. An outbox event (a posted stock
// document, or a finance document of another service) is stored once in
// finance_documents: a repeated or late event finds its row and changes nothing. The
// generator loop then books pending documents in batches: template, lines, numbers,
// vouchers, sources, all in one transaction with multi-row statements. Documents whose
// template is in daily mode wait for the day's batch job.

// onStockDocument receives a posted stock document (outbox subscriber).
func (s *Service) onStockDocument(ctx context.Context, d outbox.Delivery) error {
	var ev warehouse.PostedEvent
	if err := d.Decode(&ev); err != nil {
		return err
	}
	doc := Document{Type: ev.Type, ID: ev.Document, Number: ev.Number, Date: s.localDate(ev.PostedAt).Format(time.DateOnly),
		Branch: ev.Branch, Warehouse: ev.Warehouse, CounterWarehouse: ev.CounterWarehouse, Supplier: ev.Supplier,
		Customer: ev.Customer, Reason: ev.Reason}
	if ev.Type == warehouse.DocDelivery {
		doc.Channel = "retail"
		if ev.OrderRef == "orderHub" {
			doc.Channel = "online"
		}
	}
	byItem := map[int64]int64{}
	var items []int64
	for _, l := range ev.Lines {
		if _, ok := byItem[l.Item]; !ok {
			items = append(items, l.Item)
		}
		byItem[l.Item] += l.Value
	}
	for _, it := range items {
		doc.Lines = append(doc.Lines, DocumentLine{Item: it, Value: byItem[it]})
	}
	return s.receive(ctx, doc)
}

// onDocument receives a business document of another service (outbox subscriber).
func (s *Service) onDocument(ctx context.Context, d outbox.Delivery) error {
	var doc Document
	if err := d.Decode(&doc); err != nil {
		return err
	}
	return s.receive(ctx, doc)
}

// receive stores a document once.
func (s *Service) receive(ctx context.Context, d Document) error {
	if d.Type == "" || d.ID == 0 {
		return nil // nothing to book
	}
	date, err := time.Parse(time.DateOnly, d.Date)
	if err != nil {
		date = s.today()
		d.Date = date.Format(time.DateOnly)
	}
	payload, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if err := s.db.WithContext(ctx).Exec(`INSERT IGNORE INTO finance_documents (source_type, source_id, source_number, branch_id,
		doc_date, payload, state, received_at) VALUES (?,?,?,?,?,?,?,?)`, d.Type, d.ID, text.Clip(d.Number, 40), d.Branch, date,
		string(payload), DocPending, s.clock()).Error; err != nil {
		return err
	}
	s.Kick()
	return nil
}

// PublishDocument queues a business document of another service for booking, in the
// caller's transaction.
func PublishDocument(ctx context.Context, ob *outbox.Outbox, tx *gorm.DB, d Document) error {
	return ob.Publish(ctx, tx, outbox.Event{Topic: TopicDocument, Key: d.Type + "/" + itoa(d.ID), Payload: d})
}

// RunGenerator books pending documents until ctx ends: in batches while there are some,
// then on a kick or every second.
func (s *Service) RunGenerator(ctx context.Context) {
	for {
		n, err := s.GenerateOnce(ctx, 500)
		if err != nil && ctx.Err() == nil && !errors.Is(err, ErrNoBooks) {
			s.log.ErrorContext(ctx, "voucher generation failed", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-time.After(time.Second):
		}
	}
}

type docRow struct {
	ID, SourceID, BranchID int64
	SourceType             string
	SourceNumber           string
	DocDate                time.Time
	Payload                string
	State                  string
}

// generation is one batch's work.
type generation struct {
	vouchers []*Voucher
	sources  [][]docRow // per voucher
	done     map[int64]int64
	versions map[int64]int32
	failed   map[int64]string
	daily    []int64
}

// GenerateOnce books up to limit pending documents in one transaction and answers how
// many it took.
func (s *Service) GenerateOnce(ctx context.Context, limit int) (int, error) {
	g := s.db.WithContext(ctx)
	if _, err := s.books(g); err != nil {
		return 0, err
	}
	var ids []int64
	if err := g.Raw(`SELECT id FROM finance_documents WHERE state = ? ORDER BY id LIMIT ?`, DocPending, limit).Scan(&ids).Error; err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	ctx = reqctx.WithCall(ctx, &reqctx.Call{RequestID: fmt.Sprintf("vouchers-%d", time.Now().UnixNano()), Method: "voucher generation",
		Principal: reqctx.System})
	err := txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		var rows []docRow
		if err := tx.Raw(`SELECT id, source_type, source_id, source_number, branch_id, doc_date, payload, state FROM finance_documents
			WHERE id IN ? ORDER BY id FOR UPDATE`, ids).Scan(&rows).Error; err != nil {
			return err
		}
		gen := &generation{done: map[int64]int64{}, versions: map[int64]int32{}, failed: map[int64]string{}}
		var batch []docRow
		for _, r := range rows {
			if r.State == DocPending {
				batch = append(batch, r)
			}
		}
		if err := s.generate(ctx, tx, batch, gen, false); err != nil {
			return err
		}
		return s.finish(tx, gen)
	})
	return len(ids), err
}

// generate books documents: one voucher each, or (summarise) one per type, branch and
// date from their templates.
func (s *Service) generate(ctx context.Context, tx *gorm.DB, rows []docRow, gen *generation, summarise bool) error {
	b, err := s.books(tx)
	if err != nil {
		return err
	}
	templates := map[string]*Template{}
	accounts := map[string]Account{}
	periods := map[Period]string{}
	type group struct {
		v    *Voucher
		rows []docRow
	}
	groups := map[string]*group{}
	var order []string
	for _, r := range rows {
		var d Document
		if err := json.Unmarshal([]byte(r.Payload), &d); err != nil {
			gen.failed[r.ID] = "the document cannot be read: " + err.Error()
			continue
		}
		tk := fmt.Sprintf("%s/%d", d.Type, d.Branch)
		t, ok := templates[tk]
		if !ok {
			if t, err = s.template(tx, d.Type, d.Branch); err != nil {
				return err
			}
			templates[tk] = t
			if t != nil {
				var codes []string
				for _, l := range t.Lines {
					codes = append(codes, l.Account)
					for _, rl := range l.Rules {
						codes = append(codes, rl.Account)
					}
				}
				more, err := accountsByCode(tx, codes, false)
				if err != nil {
					return err
				}
				for k, a := range more {
					accounts[k] = a
				}
			}
		}
		if t == nil {
			gen.failed[r.ID] = "no voucher template for " + d.Type
			continue
		}
		if t.Mode == ModeDaily && !summarise {
			gen.daily = append(gen.daily, r.ID)
			continue
		}
		p := PeriodOf(r.DocDate)
		status, ok := periods[p]
		if !ok {
			if p < b.StartPeriod {
				status = "before"
			} else if err := tx.Raw(`SELECT status FROM periods WHERE period = ?`, int(p)).Scan(&status).Error; err != nil {
				return err
			}
			periods[p] = status
		}
		switch status {
		case "before":
			gen.failed[r.ID] = fmt.Sprintf("dated %s, before the books start (%s)", d.Date, b.StartPeriod)
			continue
		case PeriodClosed:
			gen.failed[r.ID] = fmt.Sprintf("period %s is closed; reopen it or book the document by hand", p)
			continue
		}
		lines, err := s.book(ctx, t, d, accounts)
		var be bookingError
		if errors.As(err, &be) {
			gen.failed[r.ID] = be.reason
			continue
		}
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			gen.failed[r.ID] = "the template books nothing for this document (all amounts are zero)"
			continue
		}
		word := wordFor(t.Word, b.VoucherWords)
		gk := fmt.Sprintf("%d", r.ID)
		if summarise {
			gk = fmt.Sprintf("%s/%d/%s", d.Type, d.Branch, d.Date)
		}
		grp, ok := groups[gk]
		if !ok {
			summary := strings.NewReplacer("{number}", d.Number, "{type}", docTypeNames[d.Type], "{date}", d.Date, "{reason}", d.Reason).
				Replace(firstNonEmpty(t.Summary, "{type} {number}"))
			if summarise {
				summary = fmt.Sprintf("%s %s 汇总", docTypeNames[d.Type], d.Date)
			}
			v := &Voucher{Period: p, Date: r.DocDate, Word: word, Summary: text.Clip(strings.TrimSpace(summary), 255), Kind: KindGenerated,
				Status: StatusDraft, Branch: d.Branch, TemplateVersion: t.Version, MadeAt: s.clock(), Version: 1,
				Source: SourceRef{Type: d.Type, ID: d.ID, Number: d.Number}}
			if summarise {
				v.Source = SourceRef{Type: d.Type}
			}
			grp = &group{v: v}
			groups[gk] = grp
			order = append(order, gk)
		}
		grp.v.Lines = mergeLines(grp.v.Lines, lines)
		grp.rows = append(grp.rows, r)
		gen.versions[r.ID] = t.Version
	}
	for _, gk := range order {
		grp := groups[gk]
		for i := range grp.v.Lines {
			grp.v.Lines[i].LineNo = int32(i + 1)
		}
		grp.v.Total, _ = totals(grp.v.Lines)
		gen.vouchers = append(gen.vouchers, grp.v)
		gen.sources = append(gen.sources, grp.rows)
	}
	return nil
}

// mergeLines adds lines to a voucher's, summing those of the same side, account,
// dimensions and summary.
func mergeLines(into, more []VoucherLine) []VoucherLine {
	for _, l := range more {
		merged := false
		for i := range into {
			m := &into[i]
			if m.Account == l.Account && m.Dims == l.Dims && (m.Debit != 0) == (l.Debit != 0) && m.Summary == l.Summary {
				m.Debit += l.Debit
				m.Credit += l.Credit
				merged = true
				break
			}
		}
		if !merged {
			into = append(into, l)
		}
	}
	return into
}

func wordFor(word string, words []string) string {
	switch {
	case word != "" && slices.Contains(words, word):
		return word
	case slices.Contains(words, "转"):
		return "转"
	}
	return words[0]
}

// finish numbers and writes a batch's vouchers and records every document's outcome.
func (s *Service) finish(tx *gorm.DB, gen *generation) error {
	type pw struct {
		p Period
		w string
	}
	byNumber := map[pw][]*Voucher{}
	var keys []pw
	for _, v := range gen.vouchers {
		k := pw{v.Period, v.Word}
		if _, ok := byNumber[k]; !ok {
			keys = append(keys, k)
		}
		byNumber[k] = append(byNumber[k], v)
	}
	slices.SortFunc(keys, func(a, b pw) int {
		if a.p != b.p {
			return int(a.p) - int(b.p)
		}
		return strings.Compare(a.w, b.w)
	})
	for _, k := range keys {
		vs := byNumber[k]
		numbers, err := takeNumbers(tx, k.p, k.w, len(vs))
		if err != nil {
			return err
		}
		slices.Sort(numbers)
		for i, v := range vs {
			v.Number = numbers[i]
		}
	}
	if err := insertVouchers(tx, gen.vouchers); err != nil {
		return err
	}
	var sargs []any
	n := 0
	for i, v := range gen.vouchers {
		for _, r := range gen.sources[i] {
			sargs = append(sargs, r.SourceType, r.SourceID, gen.versions[r.ID], v.ID)
			gen.done[r.ID] = v.ID
			n++
		}
	}
	if n > 0 {
		if err := tx.Exec(`INSERT INTO voucher_sources (source_type, source_id, template_version, voucher_id) VALUES `+
			db.Placeholders(n, 4), sargs...).Error; err != nil {
			return err
		}
	}
	now := s.clock()
	if len(gen.done) > 0 {
		var vcase, tcase strings.Builder
		var vargs, targs []any
		ids := make([]int64, 0, len(gen.done))
		for id, vid := range gen.done {
			vcase.WriteString(" WHEN ? THEN ?")
			vargs = append(vargs, id, vid)
			tcase.WriteString(" WHEN ? THEN ?")
			targs = append(targs, id, gen.versions[id])
			ids = append(ids, id)
		}
		args := append(append(append([]any{DocDone, ""}, vargs...), targs...), now, ids)
		if err := tx.Exec(`UPDATE finance_documents SET state = ?, reason = ?, voucher_id = CASE id`+vcase.String()+` END,
			template_version = CASE id`+tcase.String()+` END, processed_at = ? WHERE id IN ?`, args...).Error; err != nil {
			return err
		}
	}
	for id, reason := range gen.failed {
		if err := tx.Exec(`UPDATE finance_documents SET state = ?, reason = ?, processed_at = ? WHERE id = ?`,
			DocException, text.Clip(reason, 1000), now, id).Error; err != nil {
			return err
		}
	}
	if len(gen.daily) > 0 {
		return tx.Exec(`UPDATE finance_documents SET state = ? WHERE id IN ?`, DocDaily, gen.daily).Error
	}
	return nil
}

// SummariseDaily is the voucher-batch job: documents of daily templates dated before
// today are booked as one voucher per document type, branch and day.
func (s *Service) SummariseDaily(ctx context.Context) error { return s.SummariseBefore(ctx, s.today()) }

// SummariseBefore books the waiting documents of daily templates dated before a day.
func (s *Service) SummariseBefore(ctx context.Context, day time.Time) error {
	for {
		var ids []int64
		if err := s.db.WithContext(ctx).Raw(`SELECT id FROM finance_documents WHERE state = ? AND doc_date < ? ORDER BY doc_date, id LIMIT 2000`,
			DocDaily, day).Scan(&ids).Error; err != nil || len(ids) == 0 {
			return err
		}
		err := txn.Run(ctx, s.db, func(tx *gorm.DB) error {
			var rows []docRow
			if err := tx.Raw(`SELECT id, source_type, source_id, source_number, branch_id, doc_date, payload, state FROM finance_documents
				WHERE id IN ? AND state = ? ORDER BY id FOR UPDATE`, ids, DocDaily).Scan(&rows).Error; err != nil {
				return err
			}
			gen := &generation{done: map[int64]int64{}, versions: map[int64]int32{}, failed: map[int64]string{}}
			if err := s.generate(ctx, tx, rows, gen, true); err != nil {
				return err
			}
			return s.finish(tx, gen)
		})
		if err != nil {
			return err
		}
	}
}

// DocumentInfo is a received business document and what became of it.
type DocumentInfo struct {
	ID              int64
	SourceType      string
	SourceID        int64
	SourceNumber    string
	Branch          int64
	Date            time.Time
	State           string
	Reason          string
	Voucher         int64
	TemplateVersion int32
	ReceivedAt      time.Time
}

// ResourceName names the document in the audit log.
func (d DocumentInfo) ResourceName() string { return "financeDocuments/" + itoa(d.ID) }

// ListDocuments pages through received documents, newest first; state "exception" is the
// exception list. Errors: Invalid.
func (s *Service) ListDocuments(ctx context.Context, size int32, token, state, sourceType string) ([]DocumentInfo, string, error) {
	pr, err := page.Parse(size, token, state, sourceType)
	if err != nil {
		return nil, "", err
	}
	if state != "" && !slices.Contains([]string{DocPending, DocDaily, DocDone, DocException}, state) {
		return nil, "", apperr.Invalid("state", "must be pending, daily, done or exception")
	}
	q := s.db.WithContext(ctx).Table("finance_documents").Select(`id, source_type, source_id, source_number, branch_id AS branch,
		doc_date AS date, state, reason, voucher_id AS voucher, template_version, received_at`)
	if state != "" {
		q = q.Where("state = ?", state)
	}
	if sourceType != "" {
		q = q.Where("source_type = ?", sourceType)
	}
	if scope := branchScope(ctx); scope != nil {
		q = q.Where("branch_id IN ?", scope)
	}
	if pr.After > 0 {
		q = q.Where("id < ?", pr.After)
	}
	var out []DocumentInfo
	if err := q.Order("id DESC").Limit(pr.Limit()).Scan(&out).Error; err != nil {
		return nil, "", err
	}
	ids := make([]int64, len(out))
	for i, d := range out {
		ids[i] = d.ID
	}
	next, n := pr.Next(ids)
	return out[:n], next, nil
}

// RetryDocument sends a document of the exception list back to generation (after the
// master data or the chart of accounts was fixed). Errors: NotFound, Refused.
func (s *Service) RetryDocument(ctx context.Context, id int64) (DocumentInfo, error) {
	out, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) (DocumentInfo, error) {
		res := tx.Exec(`UPDATE finance_documents SET state = ?, reason = '' WHERE id = ? AND state = ?`, DocPending, id, DocException)
		if res.Error != nil {
			return DocumentInfo{}, res.Error
		}
		if res.RowsAffected == 0 {
			return DocumentInfo{ID: id}, apperr.Refused("NOT_AN_EXCEPTION", "only a document in the exception list is retried")
		}
		return DocumentInfo{ID: id, State: DocPending}, nil
	})
	if err == nil {
		s.Kick()
	}
	return out, err
}
