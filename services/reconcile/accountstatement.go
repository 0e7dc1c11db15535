package reconcile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/docno"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/tabular"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/catalog"
)

// States of our statements of account.
const (
	AccountDraft     = "DRAFT"
	AccountSent      = "SENT"
	AccountConfirmed = "CONFIRMED"
	AccountDisputed  = "DISPUTED"
)

// AccountStatement is our statement of account (对账单) with a customer or a supplier for a
// period.
type AccountStatement struct {
	ID          int64
	Number      string
	Party       string // customer or supplier
	PartyID     int64
	From, To    time.Time
	Status      string
	Opening     int64 // fen, what the customer owed before the period (delivery basis)
	Deliveries  int64
	Returns     int64 // positive: what returns took off
	Adjustments int64 // signed: accepted differences of their statements, red invoice corrections
	Received    int64 // receipts with their cash discounts
	Invoiced    int64 // invoices issued in the period (information: not in the balance)
	Closing     int64
	LineCount   int
	OutletCount int
	Note        string
	Lines       []AccountLine // GetAccountStatement only
	CreatedAt   time.Time
	Version     int
}

// ResourceName names the statement in the audit log.
func (a AccountStatement) ResourceName() string { return fmt.Sprintf("accountStatements/%d", a.ID) }

// AccountLine is one line of our statement.
type AccountLine struct {
	Seq        int
	Kind       string // delivery, return, adjust, correct, payment, invoice; receipt (goods from a supplier)
	Date       time.Time
	OutletCode string
	PONo       string
	DocNo      string
	TheirDocNo string
	Item       int64
	Quantity   int64
	UnitPrice  int64
	Amount     int64 // signed as it moves the balance
}

// Other lines of our statements.
const (
	lineCorrection = "correct" // a red invoice's price correction
	lineReceipt    = "payment" // money received from a customer or paid to a supplier, with its cash discount
	lineInvoice    = "invoice" // an invoice issued (information)
)

// accountSources is the SQL of every line of a customer's account between two dates:
// trade lines, red invoice corrections, receipts and invoices, each with its signed
// effect on the balance (invoices 0: the balance is on delivery basis).
const accountSources = `
SELECT id AS source_id, kind, doc_date, outlet_code, po_no, doc_no, their_doc_no, item_id, quantity, unit_price,
	CASE WHEN kind = 'return' THEN -amount ELSE amount END AS effect, amount
  FROM trade_lines WHERE party_type = 'customer' AND party_id = @c AND doc_date BETWEEN @from AND @to
UNION ALL
SELECT i.id, 'correct', i.inv_date, '', '', i.doc_no, '', l.item_id, 0, 0, l.gross, l.gross
  FROM sales_invoices i JOIN sales_invoice_lines l ON l.invoice_id = i.id
 WHERE i.customer_id = @c AND i.red = 1 AND l.trade_line_id = 0 AND i.inv_date BETWEEN @from AND @to
UNION ALL
SELECT id, 'payment', pay_date, '', '', doc_no, reference, 0, 0, 0, -(amount + discount), amount + discount
  FROM payments WHERE party_type = 'customer' AND party_id = @c AND pay_date BETWEEN @from AND @to
UNION ALL
SELECT id, 'invoice', inv_date, '', '', doc_no, '', 0, 0, 0, 0, gross
  FROM sales_invoices WHERE customer_id = @c AND inv_date BETWEEN @from AND @to`

// supplierSources is the same for a supplier: receipts of goods (what we owe), recorded
// payments with their cash discounts (not those pending approval, rejected or cancelled),
// and purchase invoices for information.
const supplierSources = `
SELECT id AS source_id, kind, doc_date, outlet_code, po_no, doc_no, their_doc_no, item_id, quantity, unit_price,
	CASE WHEN kind = 'return' THEN -amount ELSE amount END AS effect, amount
  FROM trade_lines WHERE party_type = 'supplier' AND party_id = @c AND doc_date BETWEEN @from AND @to
UNION ALL
SELECT id, 'payment', pay_date, '', '', doc_no, reference, 0, 0, 0, -(amount + discount), amount + discount
  FROM payments WHERE party_type = 'supplier' AND party_id = @c AND pay_date BETWEEN @from AND @to AND status = 'RECORDED'
UNION ALL
SELECT id, 'invoice', inv_date, '', po_no, doc_no, their_no, 0, 0, 0, 0, gross
  FROM purchase_invoices WHERE supplier_id = @c AND inv_date BETWEEN @from AND @to`

// GenerateAccountStatement builds our statement of a customer (or supplier) for [from, to]
// from the trade lines, invoices and payments: the balance before from, the period's lines
// by outlet, date and document, and the closing balance. A draft of the same period is
// rebuilt in place; a sent one is refused. Errors: Invalid, NotFound, Refused.
func (s *Service) GenerateAccountStatement(ctx context.Context, party string, id int64, from, to time.Time) (AccountStatement, error) {
	var v apperr.Violations
	v.Check(party == PartyCustomer || party == PartySupplier, "party", "must be customer or supplier")
	v.Check(id > 0, party, "is required")
	v.Check(!from.IsZero(), "from", "is required (YYYY-MM-DD)")
	v.Check(!to.IsZero() && !to.Before(from), "to", "is required, not before from")
	v.Check(to.Sub(from) <= 366*24*time.Hour, "to", "the period may be at most a year")
	if err := v.Err("invalid statement period"); err != nil {
		return AccountStatement{}, err
	}
	if err := s.checkParty(ctx, party, id); err != nil {
		return AccountStatement{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (AccountStatement, error) {
		return s.generateIn(ctx, tx, party, id, from, to)
	})
}

func (s *Service) generateIn(ctx context.Context, tx *gorm.DB, party string, partyID int64, from, to time.Time) (AccountStatement, error) {
	now := s.clock()
	sources := accountSources
	if party == PartySupplier {
		sources = supplierSources
	}
	if err := lockParty(tx, party, partyID, now); err != nil {
		return AccountStatement{}, err
	}
	var prev struct {
		ID     int64
		DocNo  string
		Status string
	}
	if err := tx.Raw(`SELECT id, doc_no, status FROM account_statements WHERE party_type = ? AND party_id = ? AND period_from = ?
		FOR UPDATE`, party, partyID, from).Scan(&prev).Error; err != nil {
		return AccountStatement{}, err
	}
	if prev.ID != 0 && prev.Status != AccountDraft {
		return AccountStatement{}, apperr.Refused("STATEMENT_SENT", fmt.Sprintf("statement %s of this period was %s already",
			prev.DocNo, strings.ToLower(prev.Status)))
	}
	var overlap string
	if err := tx.Raw(`SELECT doc_no FROM account_statements WHERE party_type = ? AND party_id = ? AND period_from <> ?
		AND period_from <= ? AND period_to >= ? LIMIT 1`, party, partyID, from, to, from).Scan(&overlap).Error; err != nil {
		return AccountStatement{}, err
	}
	if overlap != "" {
		return AccountStatement{}, apperr.Refused("PERIOD_OVERLAPS", fmt.Sprintf("statement %s covers part of this period", overlap))
	}
	a := AccountStatement{ID: prev.ID, Number: prev.DocNo, Party: party, PartyID: partyID, From: from, To: to, Status: AccountDraft,
		CreatedAt: now, Version: 1}
	var opening struct{ Balance int64 }
	if err := tx.Raw(`SELECT COALESCE(SUM(effect), 0) AS balance FROM (`+sources+`) x`,
		map[string]any{"c": partyID, "from": time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), "to": from.AddDate(0, 0, -1)}).
		Scan(&opening).Error; err != nil {
		return a, err
	}
	a.Opening = opening.Balance
	rs, err := tx.Raw(`SELECT source_id, kind, doc_date, outlet_code, po_no, doc_no, their_doc_no, item_id, quantity, unit_price,
		effect, amount FROM (`+sources+`) x`, map[string]any{"c": partyID, "from": from, "to": to}).Rows()
	if err != nil {
		return a, err
	}
	type withID struct {
		AccountLine
		source int64
		gross  int64
	}
	var lines []withID
	for rs.Next() {
		var l withID
		if err := rs.Scan(&l.source, &l.Kind, &l.Date, &l.OutletCode, &l.PONo, &l.DocNo, &l.TheirDocNo, &l.Item, &l.Quantity,
			&l.UnitPrice, &l.Amount, &l.gross); err != nil {
			rs.Close()
			return a, err
		}
		lines = append(lines, l)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return a, err
	}
	// deliveries by outlet (then date and document), then returns, then adjustments
	order := map[string]int{KindDelivery: 0, KindReceipt: 0, KindReturn: 1, "adjust": 2, lineCorrection: 3, lineReceipt: 4, lineInvoice: 5}
	slices.SortFunc(lines, func(x, y withID) int {
		return cmp.Or(cmp.Compare(order[x.Kind], order[y.Kind]), strings.Compare(x.OutletCode, y.OutletCode),
			x.Date.Compare(y.Date), strings.Compare(x.DocNo, y.DocNo), cmp.Compare(x.source, y.source))
	})
	outlets := map[string]bool{}
	for i := range lines {
		l := &lines[i]
		switch l.Kind {
		case KindDelivery, KindReceipt:
			a.Deliveries += l.Amount
		case KindReturn:
			a.Returns -= l.Amount
		case lineReceipt:
			a.Received -= l.Amount
		case lineInvoice:
			a.Invoiced += l.gross
			l.Amount = l.gross // shown, not counted
		default:
			a.Adjustments += l.Amount
		}
		if l.OutletCode != "" {
			outlets[l.OutletCode] = true
		}
	}
	a.Closing = a.Opening + a.Deliveries - a.Returns + a.Adjustments - a.Received
	a.LineCount, a.OutletCount = len(lines), len(outlets)
	if a.ID == 0 {
		period := docno.Period(to, time.UTC)
		n, err := docno.NextN(tx, "acct_statement", 0, period, 1)
		if err != nil {
			return a, err
		}
		a.Number = fmt.Sprintf("AS-%s-%05d", period, n)
		res := tx.Exec(`INSERT INTO account_statements (doc_no, party_type, party_id, period_from, period_to, status, opening, deliveries,
			returns_amount, adjustments, received, invoiced, closing, line_count, outlet_count, created_by, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, a.Number, party, partyID, from, to, a.Status, a.Opening, a.Deliveries, a.Returns,
			a.Adjustments, a.Received, a.Invoiced, a.Closing, a.LineCount, a.OutletCount, reqctx.PrincipalFrom(ctx).ID, now, now)
		if res.Error != nil {
			if _, dup := db.IsDuplicate(res.Error); dup {
				return a, db.ErrRetry
			}
			return a, res.Error
		}
		if err := tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&a.ID).Error; err != nil {
			return a, err
		}
	} else {
		if err := tx.Exec(`UPDATE account_statements SET period_to = ?, opening = ?, deliveries = ?, returns_amount = ?,
			adjustments = ?, received = ?, invoiced = ?, closing = ?, line_count = ?, outlet_count = ?, updated_at = ?,
			version = version + 1 WHERE id = ?`, to, a.Opening, a.Deliveries, a.Returns, a.Adjustments, a.Received, a.Invoiced,
			a.Closing, a.LineCount, a.OutletCount, now, a.ID).Error; err != nil {
			return a, err
		}
		if err := tx.Exec(`DELETE FROM account_statement_lines WHERE statement_id = ?`, a.ID).Error; err != nil {
			return a, err
		}
	}
	const chunk = 2000
	for start := 0; start < len(lines); start += chunk {
		end := min(start+chunk, len(lines))
		args := make([]any, 0, (end-start)*13)
		for i := start; i < end; i++ {
			l := lines[i]
			args = append(args, a.ID, i+1, l.source, l.Kind, l.Date, l.OutletCode, l.PONo, l.DocNo, l.TheirDocNo, l.Item, l.Quantity,
				l.UnitPrice, l.Amount)
		}
		if err := tx.Exec(`INSERT INTO account_statement_lines (statement_id, seq, source_id, kind, doc_date, outlet_code,
			po_no, doc_no, their_doc_no, item_id, quantity, unit_price, amount) VALUES `+db.Placeholders(end-start, 13), args...).Error; err != nil {
			return a, err
		}
	}
	return a, nil
}

const accountCols = `id, doc_no, party_type, party_id, period_from, period_to, status, opening, deliveries, returns_amount, adjustments,
	received, invoiced, closing, line_count, outlet_count, note, created_at, version`

type accountRow struct {
	ID            int64
	DocNo         string
	PartyType     string
	PartyID       int64
	PeriodFrom    time.Time
	PeriodTo      time.Time
	Status        string
	Opening       int64
	Deliveries    int64
	ReturnsAmount int64
	Adjustments   int64
	Received      int64
	Invoiced      int64
	Closing       int64
	LineCount     int
	OutletCount   int
	Note          string
	CreatedAt     time.Time
	Version       int
}

func (r accountRow) statement() AccountStatement {
	return AccountStatement{ID: r.ID, Number: r.DocNo, Party: r.PartyType, PartyID: r.PartyID, From: r.PeriodFrom, To: r.PeriodTo, Status: r.Status,
		Opening: r.Opening, Deliveries: r.Deliveries, Returns: r.ReturnsAmount, Adjustments: r.Adjustments, Received: r.Received,
		Invoiced: r.Invoiced, Closing: r.Closing,
		LineCount: r.LineCount, OutletCount: r.OutletCount, Note: r.Note, CreatedAt: r.CreatedAt, Version: r.Version}
}

func (s *Service) accountStatement(g *gorm.DB, id int64, lock bool) (AccountStatement, error) {
	q := `SELECT ` + accountCols + ` FROM account_statements WHERE id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var r accountRow
	if err := g.Raw(q, id).Scan(&r).Error; err != nil {
		return AccountStatement{}, err
	}
	if r.ID == 0 {
		return AccountStatement{}, apperr.NotFound("account statement", id)
	}
	return r.statement(), nil
}

// GetAccountStatement answers our statement with up to limit lines after seq.
// Errors: NotFound.
func (s *Service) GetAccountStatement(ctx context.Context, id int64, after, limit int) (AccountStatement, error) {
	g := s.db.WithContext(ctx)
	a, err := s.accountStatement(g, id, false)
	if err != nil {
		return a, err
	}
	if limit <= 0 || limit > MaxStatementLinesShown {
		limit = MaxStatementLinesShown
	}
	a.Lines, err = accountLines(g, id, after, limit)
	return a, err
}

func accountLines(g *gorm.DB, id int64, after, limit int) ([]AccountLine, error) {
	var out []AccountLine
	err := g.Raw(`SELECT seq, kind, doc_date AS date, outlet_code, po_no, doc_no, their_doc_no, item_id AS item, quantity, unit_price,
		amount FROM account_statement_lines WHERE statement_id = ? AND seq > ? ORDER BY seq LIMIT ?`, id, after, limit).Scan(&out).Error
	return out, err
}

// ListAccountStatements answers a customer's (or supplier's) statements, latest period first.
func (s *Service) ListAccountStatements(ctx context.Context, party string, id int64, size int) ([]AccountStatement, error) {
	if size <= 0 || size > 200 {
		size = 50
	}
	var rows []accountRow
	if err := s.db.WithContext(ctx).Raw(`SELECT `+accountCols+` FROM account_statements WHERE party_type = ? AND party_id = ?
		ORDER BY period_from DESC LIMIT ?`, party, id, size).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]AccountStatement, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.statement())
	}
	return out, nil
}

// Transitions of our statements.
var accountMoves = map[string]struct{ from, to string }{
	"send":    {AccountDraft, AccountSent},
	"confirm": {AccountSent, AccountConfirmed},
	"dispute": {AccountSent, AccountDisputed},
}

// MoveAccountStatement sends a draft, or records the customer's confirmation or dispute
// of a sent statement (a dispute says why). Errors: Invalid, NotFound, Refused.
func (s *Service) MoveAccountStatement(ctx context.Context, id int64, move, note string) (AccountStatement, error) {
	m, ok := accountMoves[move]
	note = strings.TrimSpace(note)
	var v apperr.Violations
	v.Check(ok, "move", "must be send, confirm or dispute")
	v.Check(move != "dispute" || note != "", "note", "is required to record a dispute")
	v.Check(len(note) <= 500, "note", "must be at most 500 bytes")
	if err := v.Err("invalid statement change"); err != nil {
		return AccountStatement{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (AccountStatement, error) {
		a, err := s.accountStatement(tx, id, true)
		if err != nil {
			return a, err
		}
		if a.Status != m.from {
			return a, apperr.Refused("STATEMENT_STATE", fmt.Sprintf("statement %s is %s; only a %s one can be %s", a.Number,
				strings.ToLower(a.Status), strings.ToLower(m.from), map[string]string{"send": "sent", "confirm": "confirmed",
					"dispute": "disputed"}[move]))
		}
		now := s.clock()
		col := "answered_at"
		if move == "send" {
			col = "sent_at"
		}
		if err := tx.Exec(`UPDATE account_statements SET status = ?, note = IF(? = '', note, ?), `+col+` = ?, updated_at = ?,
			version = version + 1 WHERE id = ?`, m.to, note, note, now, now, id).Error; err != nil {
			return a, err
		}
		a.Status, a.Version = m.to, a.Version+1
		if note != "" {
			a.Note = note
		}
		return a, nil
	})
}

// ExportAccountStatement renders our statement as CSV or XLSX: a header with the period
// and balances, then every line with the outlet, PO number, our document, item, quantity,
// price and amount in yuan. Errors: Invalid, NotFound.
func (s *Service) ExportAccountStatement(ctx context.Context, id int64, format string) (tabular.Download, error) {
	if format != "csv" && format != "xlsx" {
		return tabular.Download{}, apperr.Invalid("format", "must be csv or xlsx")
	}
	g := s.db.WithContext(ctx)
	a, err := s.accountStatement(g, id, false)
	if err != nil {
		return tabular.Download{}, err
	}
	lines, err := accountLines(g, id, 0, a.LineCount+1)
	if err != nil {
		return tabular.Download{}, err
	}
	who := "客户"
	var code, name string
	if a.Party == PartySupplier {
		sp, err := s.catalog.Supplier(ctx, a.PartyID)
		if err != nil {
			return tabular.Download{}, err
		}
		who, code, name = "供应商", sp.Code, sp.Name
	} else {
		c, err := s.catalog.Customer(ctx, a.PartyID)
		if err != nil {
			return tabular.Download{}, err
		}
		code, name = c.Code, c.Name
	}
	kinds := map[string]string{KindDelivery: "送货", KindReturn: "退货", "adjust": "对账调整", lineCorrection: "红字发票调价",
		lineReceipt: "收款", lineInvoice: "开票(不计余额)"}
	if a.Party == PartySupplier {
		kinds = map[string]string{KindReceipt: "入库", lineReceipt: "付款", lineInvoice: "收票(不计余额)"}
	}
	rows := [][]string{
		{who, code + " " + name, "期间", date(a.From) + " ~ " + date(a.To), "状态", a.Status},
		{"期初余额", money.Yuan(a.Opening), "本期送货", money.Yuan(a.Deliveries), "本期退货", money.Yuan(-a.Returns),
			"调整", money.Yuan(a.Adjustments), "收款", money.Yuan(-a.Received), "期末余额", money.Yuan(a.Closing),
			"本期开票", money.Yuan(a.Invoiced)},
		{"类型", "日期", "门店", "订单号", "送货单号", "对方单号", "货号", "品名", "数量", "单价", "金额"},
	}
	items := map[int64]catalog.Item{}
	for _, l := range lines {
		it, ok := items[l.Item]
		if !ok && l.Item != 0 {
			if it, err = s.catalog.ItemForScan(ctx, l.Item); err != nil && !errors.Is(err, gorm.ErrRecordNotFound) &&
				!apperr.IsKind(err, apperr.KindNotFound) {
				return tabular.Download{}, err
			}
			items[l.Item] = it
		}
		rows = append(rows, []string{kinds[l.Kind], date(l.Date), l.OutletCode, l.PONo, l.DocNo, l.TheirDocNo, it.SKU, it.Name,
			money.Kilo(l.Quantity), money.Yuan(l.UnitPrice), money.Yuan(l.Amount)})
	}
	return tabular.Render(format, a.Number, "对账单 "+a.Number, rows)
}

// ---- the settlement-day job ----

// closingPeriod answers the settlement period that closes on day under the terms, if one
// does: monthly on the closing day (31: the month's last day); semimonthly on the closing
// day and on the month's last day; weekly on the closing weekday (Monday = 1).
func closingPeriod(t catalog.SettlementTerms, day time.Time) (from time.Time, ok bool) {
	closes := func(d time.Time) bool {
		dd, end := d.Day(), time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
		switch t.Cycle {
		case "monthly":
			return dd == int(t.ClosingDay) || t.ClosingDay == 31 && dd == end
		case "semimonthly":
			return dd == int(t.ClosingDay) || dd == end
		case "weekly":
			return int(d.Weekday()+6)%7+1 == int(t.ClosingDay)
		}
		return false
	}
	if !closes(day) {
		return time.Time{}, false
	}
	// the period starts the day after the previous closing
	for back := 1; back <= 31; back++ {
		d := day.AddDate(0, 0, -back)
		if closes(d) {
			return d.AddDate(0, 0, 1), true
		}
	}
	return day.AddDate(0, -1, 1), true
}

// GenerateDueStatements is the daily job: every customer on account whose settlement
// period closed yesterday gets its draft statement (once; a repeated run finds it).
func (s *Service) GenerateDueStatements(ctx context.Context) error {
	day := s.today().AddDate(0, 0, -1)
	token := ""
	ctx = reqctx.WithCall(ctx, &reqctx.Call{RequestID: fmt.Sprintf("statements-%s", day.Format("20060102")),
		Method: "account statements", Principal: reqctx.System})
	for {
		cs, next, err := s.catalog.ListCustomers(ctx, 500, token, "", "", false)
		if err != nil {
			return err
		}
		for _, c := range cs {
			from, ok := closingPeriod(c.Settlement, day)
			if !ok {
				continue
			}
			err := txn.Run(ctx, s.db, func(tx *gorm.DB) error {
				_, err := s.generateIn(ctx, tx, PartyCustomer, c.ID, from, day)
				return err
			})
			if err != nil && !apperr.IsKind(err, apperr.KindRefused) {
				return fmt.Errorf("statement of customer %d: %w", c.ID, err)
			}
		}
		if next == "" {
			return nil
		}
		token = next
	}
}

// Balance answers what a customer owes on delivery basis today: deliveries less returns,
// accepted adjustments and receipts (the closing balance our statement would show).
func (s *Service) Balance(ctx context.Context, customer int64) (int64, error) {
	var b struct{ Balance int64 }
	err := s.db.WithContext(ctx).Raw(`SELECT COALESCE(SUM(effect), 0) AS balance FROM (`+accountSources+`) x`,
		map[string]any{"c": customer, "from": time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), "to": s.today().AddDate(1, 0, 0)}).
		Scan(&b).Error
	return b.Balance, err
}
