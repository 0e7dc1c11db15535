package reconcile

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
)

// Statement states.
const (
	StatementImported  = "IMPORTED"
	StatementConfirmed = "CONFIRMED"
	StatementDisputed  = "DISPUTED"
)

// Import is a counterpart's statement file to import.
type Import struct {
	Party    string // customer or supplier
	PartyID  int64
	Profile  int64
	FileName string
	Content  []byte
	From, To time.Time // the period it covers; zero: the dates of its lines
}

// Statement is an imported statement with what matching made of it.
type Statement struct {
	ID              int64
	Party           string
	PartyID         int64
	Profile         int64
	FileName        string
	FileHash        string
	StatementNumber string
	From, To        time.Time
	Status          string
	LineCount       int
	Totals          Totals
	OurTotal        int64  // what our lines of the period come to (deliveries − returns)
	NetDue          *int64 // confirmed: their net plus what we claim back
	Counts          map[string]int
	NeedsReview     int
	Lines           []StatementLine // GetStatement only
	OnlyOurs        []OurLine       // GetStatement only
	CreatedAt       time.Time
	Version         int
	Existing        bool // the same file was imported before: nothing changed
}

// ResourceName names the statement in the audit log.
func (s Statement) ResourceName() string { return fmt.Sprintf("statements/%d", s.ID) }

// StatementLine is one line of their statement with its outcome.
type StatementLine struct {
	Row
	ItemID             int64
	Match              string
	TradeLine          int64
	QuantityDifference int64
	AmountDifference   int64
	FeeCategory        string
	NeedsReview        bool
	ReviewReasons      []string
	Resolution         string
	ResolutionNote     string
	WriteOff           WriteOff // the latest write-off that went through approval (State "" when none)
}

// OurLine is one of our trade lines.
type OurLine struct {
	ID         int64
	Kind       string
	DocNo      string
	TheirDocNo string
	PONo       string
	OutletCode string
	Date       time.Time
	Item       int64
	Quantity   int64
	UnitPrice  int64
	Amount     int64
}

// ImportStatement reads a counterpart's statement file through its profile, matches it
// against our trade lines and stores file, lines and outcomes in one transaction. The same
// file imported again answers the statement it made and changes nothing. Errors: Invalid
// (a cell that cannot be read names its row and column), NotFound, TooLarge.
func (s *Service) ImportStatement(ctx context.Context, in Import) (Statement, error) {
	var v apperr.Violations
	v.Check(in.Party == PartyCustomer || in.Party == PartySupplier || in.Party == PartyShop, "party", "must be customer, supplier or shop")
	v.Check(in.PartyID > 0, in.Party, "is required")
	v.Check(in.Profile > 0, "profile", "is required")
	in.FileName = strings.TrimSpace(in.FileName)
	v.Check(in.FileName != "" && len(in.FileName) <= 255, "fileName", "is required (at most 255 bytes)")
	v.Check(len(in.Content) > 0, "content", "is required (the file, base64 in JSON)")
	v.Check(in.From.IsZero() == in.To.IsZero() && !in.To.Before(in.From), "to", "give both from and to, to not before from")
	if err := v.Err("invalid statement import"); err != nil {
		return Statement{}, err
	}
	if err := s.checkParty(ctx, in.Party, in.PartyID); err != nil {
		return Statement{}, err
	}
	sum := sha256.Sum256(in.Content)
	hash := hex.EncodeToString(sum[:])
	if st, found, err := s.statementByHash(s.db.WithContext(ctx), in.Party, in.PartyID, hash); found || err != nil {
		return st, err
	}
	p, err := s.Profile(ctx, in.Profile)
	if err != nil {
		return Statement{}, err
	}
	began := time.Now()
	rows, err := parseStatement(p, in.Content)
	if err != nil {
		return Statement{}, apperr.Invalid("content", err.Error())
	}
	parsed := time.Now()
	items := make([]int64, len(rows))
	if in.Party != PartyShop {
		if items, err = s.resolveItems(ctx, in.Party, in.PartyID, rows); err != nil {
			return Statement{}, err
		}
	}
	if in.From.IsZero() {
		in.From, in.To = span(rows)
		if in.From.IsZero() {
			in.From, in.To = s.today(), s.today()
		}
	}
	settings, err := s.settings(s.db.WithContext(ctx), in.Party, in.PartyID)
	if err != nil {
		return Statement{}, err
	}
	rules, err := s.feeRules(ctx)
	if err != nil {
		return Statement{}, err
	}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	if _, err := w.Write(in.Content); err != nil {
		return Statement{}, err
	}
	if err := w.Close(); err != nil {
		return Statement{}, err
	}
	var loaded, matched time.Time
	st, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Statement, error) {
		// one import per counterpart at a time: the second waits here, then finds the file
		if err := lockParty(tx, in.Party, in.PartyID, s.clock()); err != nil {
			return Statement{}, err
		}
		if st, found, err := s.statementByHash(tx, in.Party, in.PartyID, hash); found || err != nil {
			return st, err
		}
		var outs []outcome
		var totals Totals
		var left []onlyOur
		var err error
		st := Statement{Party: in.Party, PartyID: in.PartyID, Profile: in.Profile, FileName: in.FileName, FileHash: hash,
			StatementNumber: statementNumber(rows), From: in.From, To: in.To, Status: StatementImported, LineCount: len(rows),
			CreatedAt: s.clock(), Version: 1}
		if in.Party == PartyShop {
			loaded = time.Now()
			if outs, totals, left, st.OurTotal, err = s.matchSettlement(ctx, in.PartyID, rows, rules, in.From, in.To); err != nil {
				return Statement{}, err
			}
		} else {
			window := time.Duration(settings.DateWindowDays+1) * 24 * time.Hour
			ours, err := loadTradeLines(tx, in.Party, in.PartyID, in.From.Add(-window), in.To.Add(24*time.Hour))
			if err != nil {
				return Statement{}, err
			}
			loaded = time.Now()
			m := newMatcher(ours, settings, rules)
			outs, totals = m.matchAll(rows, items, in.Party == PartySupplier)
			for _, l := range m.leftOver(in.From, in.To) {
				left = append(left, onlyOur{kind: l.Kind, id: l.ID, docNo: l.DocNo, date: l.DocDate, amount: l.Amount})
			}
			for _, l := range ours {
				if !l.DocDate.Before(in.From) && !l.DocDate.After(in.To) {
					if l.Kind == KindReturn {
						st.OurTotal -= l.Amount
					} else {
						st.OurTotal += l.Amount
					}
				}
			}
		}
		matched = time.Now()
		st.Totals = totals
		var summary any
		if totals.Summary != nil {
			summary = *totals.Summary
		}
		res := tx.Exec(`INSERT INTO counterpart_statements (party_type, party_id, profile_id, file_name, file_hash, file_gz,
			statement_no, period_from, period_to, status, line_count, receipts, returns_amount, adjustments, fees, net, summary_total,
			totals_flag, our_total, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			in.Party, in.PartyID, in.Profile, in.FileName, hash, gz.Bytes(), st.StatementNumber, in.From, in.To, st.Status,
			len(rows), totals.Receipts, totals.Returns, totals.Adjustments, totals.Fees, totals.Net, summary, text.Clip(totals.Flag, 255),
			st.OurTotal, reqctx.PrincipalFrom(ctx).ID, st.CreatedAt, st.CreatedAt)
		if res.Error != nil {
			if _, dup := db.IsDuplicate(res.Error); dup {
				return Statement{}, db.ErrRetry
			}
			return Statement{}, res.Error
		}
		if err := tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&st.ID).Error; err != nil {
			return Statement{}, err
		}
		if err := insertLines(tx, st.ID, rows, items, outs); err != nil {
			return Statement{}, err
		}
		for start := 0; start < len(left); start += 5000 {
			chunk := left[start:min(start+5000, len(left))]
			args := make([]any, 0, 6*len(chunk))
			for _, l := range chunk {
				args = append(args, st.ID, l.kind, l.id, text.Clip(l.docNo, 64), l.date, l.amount)
			}
			if err := tx.Exec(`INSERT INTO statement_only_ours (statement_id, kind, our_id, doc_no, doc_date, amount) VALUES `+
				db.Placeholders(len(chunk), 6), args...).Error; err != nil {
				return Statement{}, err
			}
		}
		st.Counts, st.NeedsReview = countOutcomes(rows, outs)
		st.Counts[OnlyOurs] = len(left)
		return st, nil
	})
	if err == nil && !st.Existing {
		s.log.InfoContext(ctx, "statement imported", "statement", st.ID, "lines", len(rows), "parseMs", parsed.Sub(began).Milliseconds(),
			"loadMs", loaded.Sub(parsed).Milliseconds(), "matchMs", matched.Sub(loaded).Milliseconds(),
			"storeMs", time.Since(matched).Milliseconds())
	}
	return st, err
}

func (s *Service) checkParty(ctx context.Context, party string, id int64) error {
	if party == PartyShop {
		_, err := s.catalog.Shop(ctx, id)
		return err
	}
	if party == PartySupplier {
		_, err := s.catalog.Supplier(ctx, id)
		return err
	}
	_, err := s.catalog.Customer(ctx, id)
	return err
}

// lockParty serialises work on one counterpart's account through its settings row.
func lockParty(tx *gorm.DB, party string, id int64, now time.Time) error {
	if err := tx.Exec(`INSERT IGNORE INTO reconcile_settings (party_type, party_id, updated_at) VALUES (?,?,?)`, party, id, now).Error; err != nil {
		return err
	}
	var one int
	return tx.Raw(`SELECT 1 FROM reconcile_settings WHERE party_type = ? AND party_id = ? FOR UPDATE`, party, id).Scan(&one).Error
}

func (s *Service) statementByHash(g *gorm.DB, party string, id int64, hash string) (Statement, bool, error) {
	var sid int64
	if err := g.Raw(`SELECT id FROM counterpart_statements WHERE party_type = ? AND party_id = ? AND file_hash = ?`,
		party, id, hash).Scan(&sid).Error; err != nil || sid == 0 {
		return Statement{}, false, err
	}
	st, err := s.statementHeader(g, sid)
	st.Existing = true
	return st, true, err
}

// resolveItems finds our item of each line: our SKU, else the GTIN, else their item code
// through the counterpart's item mapping; 0 when none says.
func (s *Service) resolveItems(ctx context.Context, party string, partyID int64, rows []Row) ([]int64, error) {
	var mapping []struct {
		TheirCode string
		ItemID    int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT their_code, item_id FROM party_item_codes WHERE party_type = ? AND party_id = ?`,
		party, partyID).Scan(&mapping).Error; err != nil {
		return nil, err
	}
	theirs := make(map[string]int64, len(mapping))
	for _, m := range mapping {
		theirs[m.TheirCode] = m.ItemID
	}
	bySKU, byGTIN := map[string]int64{}, map[string]int64{}
	out := make([]int64, len(rows))
	for i, r := range rows {
		if r.SupplierItem != "" {
			id, ok := bySKU[r.SupplierItem]
			if !ok {
				it, err := s.catalog.ItemBySKU(ctx, r.SupplierItem)
				if err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
					return nil, err
				}
				id = it.ID
				bySKU[r.SupplierItem] = id
			}
			if out[i] = id; id != 0 {
				continue
			}
		}
		if r.GTIN != "" {
			id, ok := byGTIN[r.GTIN]
			if !ok {
				it, _, err := s.catalog.ItemByBarcode(ctx, r.GTIN)
				if err != nil && !apperr.IsKind(err, apperr.KindNotFound) && !apperr.IsKind(err, apperr.KindRefused) {
					return nil, err
				}
				id = it.ID
				byGTIN[r.GTIN] = id
			}
			if out[i] = id; id != 0 {
				continue
			}
		}
		if r.ItemCode != "" {
			out[i] = theirs[r.ItemCode]
		}
	}
	return out, nil
}

// span answers the first and last document dates of the statement's receipts and returns
// (of any line when those have none).
func span(rows []Row) (from, to time.Time) {
	for pass := 0; pass < 2 && from.IsZero(); pass++ {
		for _, r := range rows {
			if r.DocumentDate == nil || pass == 0 && r.RecordType != RecordReceipt && r.RecordType != RecordReturn {
				continue
			}
			if from.IsZero() || r.DocumentDate.Before(from) {
				from = *r.DocumentDate
			}
			if r.DocumentDate.After(to) {
				to = *r.DocumentDate
			}
		}
	}
	return from, to
}

func statementNumber(rows []Row) string {
	for _, r := range rows {
		if r.StatementNumber != "" {
			return r.StatementNumber
		}
	}
	return ""
}

func loadTradeLines(tx *gorm.DB, party string, id int64, from, to time.Time) ([]*tradeLine, error) {
	rs, err := tx.Raw(`SELECT id, kind, doc_no, their_doc_no, po_no, outlet_code, doc_date, item_id, quantity, unit_price, amount
		FROM trade_lines WHERE party_type = ? AND party_id = ? AND doc_date BETWEEN ? AND ? ORDER BY doc_date, id`,
		party, id, from, to).Rows()
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*tradeLine
	for rs.Next() {
		l := &tradeLine{}
		if err := rs.Scan(&l.ID, &l.Kind, &l.DocNo, &l.TheirDocNo, &l.PONo, &l.OutletCode, &l.DocDate, &l.ItemID, &l.Quantity,
			&l.UnitPrice, &l.Amount); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rs.Err()
}

const lineColumns = 31

func insertLines(tx *gorm.DB, statement int64, rows []Row, items []int64, outs []outcome) error {
	const chunk = 5000
	for start := 0; start < len(rows); start += chunk {
		end := min(start+chunk, len(rows))
		args := make([]any, 0, (end-start)*lineColumns)
		for i := start; i < end; i++ {
			r, o := rows[i], outs[i]
			var date any
			if r.DocumentDate != nil {
				date = *r.DocumentDate
			}
			args = append(args, statement, r.Row, r.RecordType, r.DocumentNumber, date, r.PONumber, r.DeliveryNumber, r.OutletCode,
				r.ItemCode, r.GTIN, r.SupplierItem, items[i], ptr(r.Ordered), ptr(r.Received), ptr(r.UnitPrice), ptr32(r.TaxRate),
				r.Amount, ptr(r.AmountExclTax), ptr(r.TaxAmount), r.Lot, r.FeeType, r.FeeBasis, r.Remark, o.State, o.TradeLine,
				o.QtyDiff, o.AmountDiff, o.FeeCategory, len(o.Reasons) > 0, strings.Join(o.Reasons, ","), text.Clip(r.StatementNumber, 64))
		}
		if err := tx.Exec(`INSERT INTO counterpart_lines (statement_id, row_no, record_type, document_number, document_date,
			po_number, delivery_number, outlet_code, item_code, gtin, supplier_item_code, item_id, ordered_qty, received_qty,
			unit_price, tax_rate_bp, amount, amount_excl_tax, tax_amount, lot, fee_type, fee_basis, remark, match_state,
			trade_line_id, quantity_difference, amount_difference, fee_category, needs_review, review_reasons, statement_number)
			VALUES `+db.Placeholders(end-start, lineColumns), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

func ptr(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func ptr32(p *int32) any {
	if p == nil {
		return nil
	}
	return *p
}

func countOutcomes(rows []Row, outs []outcome) (map[string]int, int) {
	counts := map[string]int{}
	review := 0
	for i, o := range outs {
		if o.State != "" {
			counts[o.State]++
		} else {
			counts[rows[i].RecordType]++
		}
		if len(o.Reasons) > 0 {
			review++
		}
	}
	return counts, review
}

type statementRow struct {
	ID            int64
	PartyType     string
	PartyID       int64
	ProfileID     int64
	FileName      string
	FileHash      string
	StatementNo   string
	PeriodFrom    *time.Time
	PeriodTo      *time.Time
	Status        string
	LineCount     int
	Receipts      int64
	ReturnsAmount int64
	Adjustments   int64
	Fees          int64
	Net           int64
	SummaryTotal  *int64
	TotalsFlag    string
	OurTotal      int64
	NetDue        *int64
	CreatedAt     time.Time
	Version       int
}

func (r statementRow) statement() Statement {
	st := Statement{ID: r.ID, Party: r.PartyType, PartyID: r.PartyID, Profile: r.ProfileID, FileName: r.FileName,
		FileHash: r.FileHash, StatementNumber: r.StatementNo, Status: r.Status, LineCount: r.LineCount, OurTotal: r.OurTotal, NetDue: r.NetDue,
		CreatedAt: r.CreatedAt, Version: r.Version, Totals: Totals{Receipts: r.Receipts, Returns: r.ReturnsAmount,
			Adjustments: r.Adjustments, Fees: r.Fees, Net: r.Net, Summary: r.SummaryTotal, Flag: r.TotalsFlag}}
	if r.PeriodFrom != nil {
		st.From = *r.PeriodFrom
	}
	if r.PeriodTo != nil {
		st.To = *r.PeriodTo
	}
	return st
}

const statementCols = `id, party_type, party_id, profile_id, file_name, file_hash, statement_no, period_from, period_to, status,
	line_count, receipts, returns_amount, adjustments, fees, net, summary_total, totals_flag, our_total, net_due, created_at, version`

func (s *Service) statementHeader(g *gorm.DB, id int64) (Statement, error) {
	var r statementRow
	res := g.Raw(`SELECT `+statementCols+` FROM counterpart_statements WHERE id = ?`, id).Scan(&r)
	if res.Error != nil {
		return Statement{}, res.Error
	}
	if r.ID == 0 {
		return Statement{}, apperr.NotFound("statement", id)
	}
	st := r.statement()
	var counts []struct {
		MatchState string
		RecordType string
		Review     int
		N          int
	}
	if err := g.Raw(`SELECT match_state, record_type, needs_review AS review, COUNT(*) AS n FROM counterpart_lines
		WHERE statement_id = ? GROUP BY match_state, record_type, needs_review`, id).Scan(&counts).Error; err != nil {
		return st, err
	}
	st.Counts = map[string]int{}
	for _, c := range counts {
		if c.MatchState != "" {
			st.Counts[c.MatchState] += c.N
		} else {
			st.Counts[c.RecordType] += c.N
		}
		if c.Review > 0 {
			st.NeedsReview += c.N
		}
	}
	var ours int
	if err := g.Raw(`SELECT COUNT(*) FROM statement_only_ours WHERE statement_id = ?`, id).Scan(&ours).Error; err != nil {
		return st, err
	}
	st.Counts[OnlyOurs] = ours
	return st, nil
}

// MaxStatementLinesShown bounds the lines GetStatement answers at once.
const MaxStatementLinesShown = 5000

// GetStatement answers a statement with its lines (filtered by match state when given,
// from row after on, at most limit) and our lines missing from it. Errors: NotFound.
func (s *Service) GetStatement(ctx context.Context, id int64, state string, after, limit int) (Statement, error) {
	g := s.db.WithContext(ctx)
	st, err := s.statementHeader(g, id)
	if err != nil {
		return st, err
	}
	if limit <= 0 || limit > MaxStatementLinesShown {
		limit = MaxStatementLinesShown
	}
	q := g.Table("counterpart_lines").Where("statement_id = ? AND row_no > ?", id, after)
	if state != "" {
		if !slices.Contains([]string{Matched, QuantityDifference, PriceDifference, OnlyTheirs}, state) &&
			!slices.Contains(recordTypes, state) {
			return st, apperr.Invalid("state", "must be a match state or a record type")
		}
		q = q.Where("match_state = ? OR (match_state = '' AND record_type = ?)", state, state)
	}
	var rows []lineRow
	if err := q.Order("row_no").Limit(limit).Find(&rows).Error; err != nil {
		return st, err
	}
	var writeOffs map[int]WriteOff
	if len(rows) > 0 {
		if writeOffs, err = writeOffsOf(g, id, rows[0].RowNo, rows[len(rows)-1].RowNo); err != nil {
			return st, err
		}
	}
	for _, r := range rows {
		l := r.line()
		l.WriteOff = writeOffs[r.RowNo]
		st.Lines = append(st.Lines, l)
	}
	if state == "" || state == OnlyOurs {
		var ours []OurLine
		if err := g.Raw(`SELECT o.our_id AS id, o.kind, o.doc_no, COALESCE(t.their_doc_no, '') AS their_doc_no,
			COALESCE(t.po_no, '') AS po_no, COALESCE(t.outlet_code, '') AS outlet_code, o.doc_date AS date,
			COALESCE(t.item_id, 0) AS item, COALESCE(t.quantity, 0) AS quantity, COALESCE(t.unit_price, 0) AS unit_price, o.amount
			FROM statement_only_ours o LEFT JOIN trade_lines t ON t.id = o.our_id AND o.kind <> 'order'
			WHERE o.statement_id = ? ORDER BY o.doc_date, o.our_id LIMIT ?`, id, limit).Scan(&ours).Error; err != nil {
			return st, err
		}
		st.OnlyOurs = ours
	}
	return st, nil
}

type lineRow struct {
	RowNo              int
	RecordType         string
	StatementNumber    string
	DocumentNumber     string
	DocumentDate       *time.Time
	PoNumber           string
	DeliveryNumber     string
	OutletCode         string
	ItemCode           string
	Gtin               string
	SupplierItemCode   string
	ItemID             int64
	OrderedQty         *int64
	ReceivedQty        *int64
	UnitPrice          *int64
	TaxRateBp          *int32
	Amount             int64
	AmountExclTax      *int64
	TaxAmount          *int64
	Lot                string
	FeeType            string
	FeeBasis           string
	Remark             string
	MatchState         string
	TradeLineID        int64
	QuantityDifference int64
	AmountDifference   int64
	FeeCategory        string
	NeedsReview        bool
	ReviewReasons      string
	Resolution         string
	ResolutionNote     string
}

func (r lineRow) line() StatementLine {
	l := StatementLine{Row: Row{Row: r.RowNo, RecordType: r.RecordType, StatementNumber: r.StatementNumber,
		DocumentNumber: r.DocumentNumber, DocumentDate: r.DocumentDate, PONumber: r.PoNumber, DeliveryNumber: r.DeliveryNumber,
		OutletCode: r.OutletCode, ItemCode: r.ItemCode, GTIN: r.Gtin, SupplierItem: r.SupplierItemCode, Ordered: r.OrderedQty,
		Received: r.ReceivedQty, UnitPrice: r.UnitPrice, TaxRate: r.TaxRateBp, Amount: r.Amount, AmountExclTax: r.AmountExclTax,
		TaxAmount: r.TaxAmount, Lot: r.Lot, FeeType: r.FeeType, FeeBasis: r.FeeBasis, Remark: r.Remark},
		ItemID: r.ItemID, Match: r.MatchState, TradeLine: r.TradeLineID, QuantityDifference: r.QuantityDifference,
		AmountDifference: r.AmountDifference, FeeCategory: r.FeeCategory, NeedsReview: r.NeedsReview,
		Resolution: r.Resolution, ResolutionNote: r.ResolutionNote}
	if r.ReviewReasons != "" {
		l.ReviewReasons = strings.Split(r.ReviewReasons, ",")
	}
	return l
}

// ListStatements answers a counterpart's imported statements, newest first.
func (s *Service) ListStatements(ctx context.Context, party string, partyID int64, size int) ([]Statement, error) {
	if size <= 0 || size > 200 {
		size = 50
	}
	var rows []statementRow
	q := s.db.WithContext(ctx).Table("counterpart_statements").Select(statementCols)
	if party != "" {
		q = q.Where("party_type = ? AND party_id = ?", party, partyID)
	}
	if err := q.Order("id DESC").Limit(size).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Statement, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.statement())
	}
	return out, nil
}

// ---- settings, item codes, fee rules ----

// settings answers a counterpart's matching rules (defaults when none were set).
func (s *Service) settings(g *gorm.DB, party string, id int64) (Settings, error) {
	var r struct {
		QuantityTolerance int64
		PriceTolerance    int64
		DateWindowDays    int
		ContractFees      string
		WriteOffLimit     int64
		FeesInvoiced      bool
		RebateVatBp       int32
		Found             int
	}
	if err := g.Raw(`SELECT quantity_tolerance, price_tolerance, date_window_days, contract_fees, write_off_limit, fees_invoiced,
		rebate_vat_bp, 1 AS found
		FROM reconcile_settings WHERE party_type = ? AND party_id = ?`, party, id).Scan(&r).Error; err != nil {
		return Settings{}, err
	}
	if r.Found == 0 {
		return Settings{DateWindowDays: 7, RebateVATBp: 1300}, nil
	}
	st := Settings{QuantityTolerance: r.QuantityTolerance, PriceTolerance: r.PriceTolerance, DateWindowDays: r.DateWindowDays,
		WriteOffLimit: r.WriteOffLimit, FeesInvoiced: r.FeesInvoiced, RebateVATBp: r.RebateVatBp}
	if r.ContractFees != "" {
		st.ContractFees = strings.Split(r.ContractFees, ",")
	}
	return st, nil
}

// Settings answers a counterpart's matching rules. Errors: Invalid, NotFound.
func (s *Service) Settings(ctx context.Context, party string, id int64) (Settings, error) {
	if err := s.checkParty(ctx, party, id); err != nil {
		return Settings{}, err
	}
	return s.settings(s.db.WithContext(ctx), party, id)
}

// PartySettings is a counterpart's settings as saved.
type PartySettings struct {
	Party   string
	PartyID int64
	Settings
}

// ResourceName names the settings in the audit log.
func (p PartySettings) ResourceName() string {
	return fmt.Sprintf("%ss/%d/reconcileSettings", p.Party, p.PartyID)
}

// SetSettings saves a counterpart's matching rules. Errors: Invalid, NotFound.
func (s *Service) SetSettings(ctx context.Context, party string, id int64, st Settings) (PartySettings, error) {
	var v apperr.Violations
	v.Check(st.QuantityTolerance >= 0, "quantityTolerance", "must not be negative (milli-units)")
	v.Check(st.PriceTolerance >= 0, "priceTolerance", "must not be negative (fen)")
	v.Check(st.DateWindowDays >= 0 && st.DateWindowDays <= 90, "dateWindowDays", "must be between 0 and 90")
	v.Check(st.WriteOffLimit >= 0, "writeOffLimit", "must not be negative (fen)")
	v.Check(st.RebateVATBp >= 0 && st.RebateVATBp <= 10000, "rebateVatRate", "must be basis points between 0 and 10000")
	for i, c := range st.ContractFees {
		st.ContractFees[i] = strings.ToUpper(strings.TrimSpace(c))
		v.Check(slices.Contains(feeCategories, st.ContractFees[i]), fmt.Sprintf("contractFees[%d]", i),
			"must be one of "+strings.Join(feeCategories, ", "))
	}
	if err := v.Err("invalid reconcile settings"); err != nil {
		return PartySettings{}, err
	}
	if err := s.checkParty(ctx, party, id); err != nil {
		return PartySettings{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (PartySettings, error) {
		now := s.clock()
		fees := strings.Join(st.ContractFees, ",")
		err := tx.Exec(`INSERT INTO reconcile_settings (party_type, party_id, quantity_tolerance, price_tolerance, date_window_days,
			contract_fees, write_off_limit, fees_invoiced, rebate_vat_bp, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON DUPLICATE KEY UPDATE
			quantity_tolerance = VALUES(quantity_tolerance), price_tolerance = VALUES(price_tolerance),
			date_window_days = VALUES(date_window_days), contract_fees = VALUES(contract_fees),
			write_off_limit = VALUES(write_off_limit), fees_invoiced = VALUES(fees_invoiced),
			rebate_vat_bp = VALUES(rebate_vat_bp), version = version + 1, updated_at = VALUES(updated_at)`,
			party, id, st.QuantityTolerance, st.PriceTolerance, st.DateWindowDays, fees, st.WriteOffLimit, st.FeesInvoiced,
			st.RebateVATBp, now).Error
		return PartySettings{Party: party, PartyID: id, Settings: st}, err
	})
}

// ItemCode maps a counterpart's item code to our item.
type ItemCode struct {
	Party     string
	PartyID   int64
	TheirCode string
	Item      int64
}

// ResourceName names the mapping in the audit log.
func (c ItemCode) ResourceName() string {
	return fmt.Sprintf("%ss/%d/itemCodes/%s", c.Party, c.PartyID, c.TheirCode)
}

// SetItemCodes saves a counterpart's item codes (replacing a code's earlier item).
// Errors: Invalid, NotFound.
func (s *Service) SetItemCodes(ctx context.Context, party string, id int64, codes []ItemCode) ([]ItemCode, error) {
	var v apperr.Violations
	if v.Check(len(codes) > 0 && len(codes) <= 5000, "codes", "must hold 1 to 5000 codes") {
		for i := range codes {
			f := fmt.Sprintf("codes[%d]", i)
			codes[i].TheirCode = strings.TrimSpace(codes[i].TheirCode)
			v.Check(codes[i].TheirCode != "" && len(codes[i].TheirCode) <= 64, f+".theirCode", "is required (at most 64 bytes)")
			v.Check(codes[i].Item > 0, f+".item", "is required")
			codes[i].Party, codes[i].PartyID = party, id
		}
	}
	if err := v.Err("invalid item codes"); err != nil {
		return nil, err
	}
	if err := s.checkParty(ctx, party, id); err != nil {
		return nil, err
	}
	for i, c := range codes {
		if _, err := s.catalog.ItemForScan(ctx, c.Item); err != nil {
			return nil, apperr.Invalid(fmt.Sprintf("codes[%d].item", i), err.Error())
		}
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) ([]ItemCode, error) {
		args := make([]any, 0, 4*len(codes))
		for _, c := range codes {
			args = append(args, party, id, c.TheirCode, c.Item)
		}
		err := tx.Exec(`INSERT INTO party_item_codes (party_type, party_id, their_code, item_id) VALUES `+db.Placeholders(len(codes), 4)+
			` ON DUPLICATE KEY UPDATE item_id = VALUES(item_id)`, args...).Error
		return codes, err
	})
}

// FeeRule is one classification rule of fee type texts.
type FeeRule struct {
	ID       int64
	Position int
	Pattern  string
	Category string
}

// ResourceName names the rule in the audit log.
func (r FeeRule) ResourceName() string { return fmt.Sprintf("feeRules/%d", r.ID) }

func (s *Service) feeRules(ctx context.Context) ([]feeRule, error) {
	var rules []feeRule
	err := s.db.WithContext(ctx).Raw(`SELECT pattern, category FROM fee_rules ORDER BY position, id`).Scan(&rules).Error
	return rules, err
}

// ListFeeRules answers the classification rules in the order they apply.
func (s *Service) ListFeeRules(ctx context.Context) ([]FeeRule, error) {
	var out []FeeRule
	err := s.db.WithContext(ctx).Raw(`SELECT id, position, pattern, category FROM fee_rules ORDER BY position, id`).Scan(&out).Error
	return out, err
}

// SaveFeeRule adds a rule, or changes the category and position of the rule with the same
// pattern. Errors: Invalid.
func (s *Service) SaveFeeRule(ctx context.Context, r FeeRule) (FeeRule, error) {
	var v apperr.Violations
	r.Pattern = strings.TrimSpace(r.Pattern)
	r.Category = strings.ToUpper(strings.TrimSpace(r.Category))
	v.Check(r.Pattern != "" && len(r.Pattern) <= 64, "pattern", "is required (at most 64 bytes)")
	v.Check(slices.Contains(feeCategories, r.Category), "category", "must be one of "+strings.Join(feeCategories, ", "))
	v.Check(r.Position >= 0, "position", "must not be negative")
	if err := v.Err("invalid fee rule"); err != nil {
		return r, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (FeeRule, error) {
		if err := tx.Exec(`INSERT INTO fee_rules (position, pattern, category, created_at) VALUES (?,?,?,?)
			ON DUPLICATE KEY UPDATE position = VALUES(position), category = VALUES(category)`, r.Position, r.Pattern, r.Category,
			s.clock()).Error; err != nil {
			return r, err
		}
		err := tx.Raw(`SELECT id FROM fee_rules WHERE pattern = ?`, r.Pattern).Scan(&r.ID).Error
		return r, err
	})
}
