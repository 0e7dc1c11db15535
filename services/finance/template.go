package finance

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/catalog"
)

// Template says how a posted business document of a type is booked (业财一体化).
//
// Each template line takes one amount of the document and books it on one side of one
// account. Amounts are per document line (per item) or per document:
//
//	value      the stock value of the movement, at cost, positive
//	gain, loss the stock value of positive and of negative movements (stocktakes,
//	           adjustments), positive
//	lossVat    input VAT on losses: loss × the item's VAT rate (transferred out on
//	           abnormal losses, 财会〔2016〕22号)
//	lossGross  loss + lossVat
//	net, vat, gross   an invoice line's amounts
//	any other name    a document total (for example commission, received); a document
//	                  total of one of the names above takes precedence over its lines
//
// The account is the first matching rule's, else Account; a rule may match on the item's
// category, the warehouse, the channel (online or retail), the customer's kind or a word
// in the document's reason. A rule with Account "-" books nothing. Dimensions name what
// the line carries: customer, supplier, branch, warehouse, counterWarehouse (the other
// warehouse of a transfer, as warehouse), item.
type Template struct {
	ID        int64
	DocType   string
	Branch    int64
	Version   int32
	Mode      string // realtime or daily
	Word      string // "" = 转 when the books have it, else the first word
	Summary   string // {number}, {type}, {date}, {reason} are filled in
	Lines     []TemplateLine
	CreatedBy int64
	CreatedAt time.Time
}

// TemplateLine is one entry of a template.
type TemplateLine struct {
	Side       string         `json:"side"`
	Account    string         `json:"account"`
	Amount     string         `json:"amount"`
	Dimensions []string       `json:"dimensions,omitempty"`
	Summary    string         `json:"summary,omitempty"`
	Rules      []TemplateRule `json:"rules,omitempty"`
}

// TemplateRule picks another account when all its conditions hold.
type TemplateRule struct {
	ItemCategory   string `json:"itemCategory,omitempty"`
	Warehouse      int64  `json:"warehouse,omitempty"`
	Channel        string `json:"channel,omitempty"`
	CustomerKind   string `json:"customerKind,omitempty"`
	ReasonContains string `json:"reasonContains,omitempty"`
	Account        string `json:"account"`
}

// ResourceName names the template in the audit log.
func (t Template) ResourceName() string {
	return fmt.Sprintf("voucherTemplates/%s/branches/%d/versions/%d", t.DocType, t.Branch, t.Version)
}

// Template modes.
const (
	ModeRealtime = "realtime"
	ModeDaily    = "daily"
)

var lineAmounts = []string{"value", "gain", "loss", "lossVat", "lossGross", "net", "vat", "gross"}
var templateDims = []string{"customer", "supplier", "branch", "warehouse", "counterWarehouse", "item", "employee"}

func (t *Template) validate() error {
	var v apperr.Violations
	v.Check(t.DocType != "" && len(t.DocType) <= 24 && isIdent(t.DocType), "template.doc_type", "is required (letters and _, at most 24)")
	v.Check(t.Branch >= 0, "template.branch", "must be a branch id or 0 for all")
	if t.Mode == "" {
		t.Mode = ModeRealtime
	}
	v.Check(t.Mode == ModeRealtime || t.Mode == ModeDaily, "template.mode", "must be realtime or daily")
	v.Check(len(t.Word) <= 8, "template.word", "must be a voucher word")
	v.Check(len(t.Summary) <= 200, "template.summary", "must be at most 200 bytes")
	if len(t.Lines) < 2 || len(t.Lines) > 50 {
		v.Add("template.lines", "needs 2 to 50 lines")
	}
	for i, l := range t.Lines {
		f := fmt.Sprintf("template.lines[%d]", i)
		v.Check(l.Side == SideDebit || l.Side == SideCredit, f+".side", "must be debit or credit")
		v.Check(isDigits(l.Account), f+".account", "must be an account code")
		v.Check(l.Amount != "" && len(l.Amount) <= 32 && isIdent(l.Amount), f+".amount", "must name an amount (value, gain, loss, lossVat, lossGross, net, vat, gross or a document total)")
		v.Check(len(l.Summary) <= 200, f+".summary", "must be at most 200 bytes")
		for j, d := range l.Dimensions {
			v.Check(slices.Contains(templateDims, d), fmt.Sprintf("%s.dimensions[%d]", f, j), "must be one of "+strings.Join(templateDims, ", "))
		}
		for j, r := range l.Rules {
			v.Check(r.Account == "-" || isDigits(r.Account), fmt.Sprintf("%s.rules[%d].account", f, j), "must be an account code or - (book nothing)")
			v.Check(r.Channel == "" || r.Channel == "online" || r.Channel == "retail", fmt.Sprintf("%s.rules[%d].channel", f, j), "must be online or retail")
		}
	}
	return v.Err("invalid template")
}

func isIdent(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

type templateRow struct {
	ID                  int64
	DocType, Mode, Word string
	BranchID, CreatedBy int64
	Version             int32
	Summary, Entries    string
	CreatedAt           time.Time
}

func (r templateRow) template() (Template, error) {
	t := Template{ID: r.ID, DocType: r.DocType, Branch: r.BranchID, Version: r.Version, Mode: r.Mode, Word: r.Word,
		Summary: r.Summary, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	return t, json.Unmarshal([]byte(r.Entries), &t.Lines)
}

// template answers the newest template of a document type for a branch (else for all
// branches), or nil.
func (s *Service) template(g *gorm.DB, docType string, branch int64) (*Template, error) {
	var r templateRow
	res := g.Raw(`SELECT * FROM voucher_templates WHERE doc_type = ? AND branch_id IN (0, ?)
		ORDER BY branch_id DESC, version DESC LIMIT 1`, docType, branch).Scan(&r)
	if res.Error != nil || res.RowsAffected == 0 {
		return nil, res.Error
	}
	t, err := r.template()
	return &t, err
}

// SaveTemplate stores a new version of the template of a document type and branch, and
// sends the documents of that type waiting in the exception list back to generation.
// Errors: Invalid.
func (s *Service) SaveTemplate(ctx context.Context, t Template) (Template, error) {
	if err := t.validate(); err != nil {
		return t, err
	}
	t.CreatedBy, t.CreatedAt = userID(ctx), s.clock()
	out, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Template, error) {
		var last int32
		if err := tx.Raw(`SELECT COALESCE(MAX(version), 0) FROM voucher_templates WHERE doc_type = ? AND branch_id = ? FOR UPDATE`,
			t.DocType, t.Branch).Scan(&last).Error; err != nil {
			return t, err
		}
		t.Version = last + 1
		lines, err := json.Marshal(t.Lines)
		if err != nil {
			return t, err
		}
		if err := tx.Exec(`INSERT INTO voucher_templates (doc_type, branch_id, version, mode, word, summary, entries, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?,?)`, t.DocType, t.Branch, t.Version, t.Mode, t.Word, t.Summary, string(lines), t.CreatedBy,
			t.CreatedAt).Error; err != nil {
			return t, err
		}
		if err := tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&t.ID).Error; err != nil {
			return t, err
		}
		return t, tx.Exec(`UPDATE finance_documents SET state = ?, reason = '' WHERE state = ? AND source_type = ?`,
			DocPending, DocException, t.DocType).Error
	})
	if err == nil {
		s.Kick()
	}
	return out, err
}

// ListTemplates answers the newest version of every template (all versions with history).
func (s *Service) ListTemplates(ctx context.Context, history bool) ([]Template, error) {
	q := `SELECT * FROM voucher_templates t`
	if !history {
		q += ` WHERE version = (SELECT MAX(version) FROM voucher_templates u WHERE u.doc_type = t.doc_type AND u.branch_id = t.branch_id)`
	}
	var rows []templateRow
	if err := s.db.WithContext(ctx).Raw(q + ` ORDER BY doc_type, branch_id, version`).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Template, 0, len(rows))
	for _, r := range rows {
		t, err := r.template()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Document is a business document to book: a posted stock document, an invoice, a
// settlement, a receipt or payment.
type Document struct {
	Type             string           `json:"type"`
	ID               int64            `json:"id"`
	Number           string           `json:"number"`
	Date             string           `json:"date"` // YYYY-MM-DD, the company's date
	Branch           int64            `json:"branch"`
	Warehouse        int64            `json:"warehouse,omitempty"`
	CounterWarehouse int64            `json:"counterWarehouse,omitempty"`
	Supplier         int64            `json:"supplier,omitempty"`
	Customer         int64            `json:"customer,omitempty"`
	Channel          string           `json:"channel,omitempty"` // online or retail
	Reason           string           `json:"reason,omitempty"`
	Lines            []DocumentLine   `json:"lines,omitempty"`
	Totals           map[string]int64 `json:"totals,omitempty"`
}

// DocumentLine is one item line of a document.
type DocumentLine struct {
	Item  int64 `json:"item"`
	Value int64 `json:"value,omitempty"` // signed stock value at cost
	Net   int64 `json:"net,omitempty"`
	VAT   int64 `json:"vat,omitempty"`
}

// bookingError is a document that cannot be booked; it goes to the exception list.
type bookingError struct{ reason string }

func (e bookingError) Error() string { return e.reason }

func unbookable(format string, args ...any) error { return bookingError{fmt.Sprintf(format, args...)} }

// book turns a document into voucher lines with a template. Failures that people must fix
// (unknown or unusable accounts, missing dimensions, an unbalanced result) are
// bookingErrors.
func (s *Service) book(ctx context.Context, t *Template, d Document, accounts map[string]Account) ([]VoucherLine, error) {
	type key struct {
		side, account string
		dims          Dims
		summary       string
	}
	sums := map[key]int64{}
	var order []key
	add := func(k key, amount int64) {
		if amount == 0 {
			return
		}
		if _, ok := sums[k]; !ok {
			order = append(order, k)
		}
		sums[k] += amount
	}
	var customerKind string
	if d.Customer != 0 {
		c, err := s.catalog.Customer(ctx, d.Customer)
		if err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
			return nil, err
		}
		customerKind = c.Kind
	}
	items := map[int64]catalog.Item{}
	for _, l := range d.Lines {
		if _, ok := items[l.Item]; ok || l.Item == 0 {
			continue
		}
		it, err := s.catalog.ItemForScan(ctx, l.Item)
		if apperr.IsKind(err, apperr.KindNotFound) {
			return nil, unbookable("item %d does not exist", l.Item)
		}
		if err != nil {
			return nil, err
		}
		items[l.Item] = it
	}
	summary := func(tl TemplateLine) string {
		sm := firstNonEmpty(tl.Summary, t.Summary, "{type} {number}")
		return text.Clip(strings.NewReplacer("{number}", d.Number, "{type}", docTypeNames[d.Type], "{date}", d.Date,
			"{reason}", d.Reason).Replace(sm), 255)
	}
	for _, tl := range t.Lines {
		dims := Dims{}
		for _, dn := range tl.Dimensions {
			switch dn {
			case "customer":
				dims.Customer = d.Customer
			case "supplier":
				dims.Supplier = d.Supplier
			case "branch":
				dims.Branch = d.Branch
			case "warehouse":
				dims.Warehouse = d.Warehouse
			case "counterWarehouse":
				dims.Warehouse = d.CounterWarehouse
			}
		}
		pick := func(category string) string {
			for _, r := range tl.Rules {
				if (r.ItemCategory == "" || r.ItemCategory == category) && (r.Warehouse == 0 || r.Warehouse == d.Warehouse) &&
					(r.Channel == "" || r.Channel == d.Channel) && (r.CustomerKind == "" || r.CustomerKind == customerKind) &&
					(r.ReasonContains == "" || strings.Contains(d.Reason, r.ReasonContains)) {
					return r.Account
				}
			}
			return tl.Account
		}
		if _, total := d.Totals[tl.Amount]; total || !slices.Contains(lineAmounts, tl.Amount) {
			account := pick("")
			if account != "-" {
				add(key{tl.Side, account, dims, summary(tl)}, d.Totals[tl.Amount])
			}
			continue
		}
		for _, l := range d.Lines {
			it := items[l.Item]
			var amount int64
			switch tl.Amount {
			case "value":
				amount = abs(l.Value)
			case "gain":
				amount = max(l.Value, 0)
			case "loss", "lossVat", "lossGross":
				loss := max(-l.Value, 0)
				vat, err := money.MulDiv(loss, int64(it.VATRateBp), 10000)
				if err != nil {
					return nil, err
				}
				amount = map[string]int64{"loss": loss, "lossVat": vat, "lossGross": loss + vat}[tl.Amount]
			case "net":
				amount = l.Net
			case "vat":
				amount = l.VAT
			case "gross":
				amount = l.Net + l.VAT
			}
			account := pick(it.Category)
			if account == "-" {
				continue
			}
			ld := dims
			if slices.Contains(tl.Dimensions, "item") {
				ld.Item = l.Item
			}
			add(key{tl.Side, account, ld, summary(tl)}, amount)
		}
	}
	var lines []VoucherLine
	var debit, credit int64
	for _, k := range order {
		a, ok := accounts[k.account]
		switch {
		case !ok:
			return nil, unbookable("template %s v%d: account %s does not exist", t.DocType, t.Version, k.account)
		case !a.Leaf():
			return nil, unbookable("template %s v%d: account %s has detail accounts", t.DocType, t.Version, k.account)
		case !a.Enabled:
			return nil, unbookable("template %s v%d: account %s is disabled", t.DocType, t.Version, k.account)
		}
		for _, dn := range a.Dimensions {
			if k.dims.get(dn) == 0 {
				return nil, unbookable("account %s %s requires a %s, which the %s does not name (template %s v%d)",
					a.Code, a.Name, dn, docTypeNames[d.Type], t.DocType, t.Version)
			}
		}
		l := VoucherLine{LineNo: int32(len(lines) + 1), Summary: k.summary, Account: k.account, AccountName: a.Name, Dims: k.dims}
		if k.side == SideDebit {
			l.Debit, debit = sums[k], debit+sums[k]
		} else {
			l.Credit, credit = sums[k], credit+sums[k]
		}
		lines = append(lines, l)
	}
	if debit != credit {
		return nil, unbookable("template %s v%d does not balance for this document: debits %s, credits %s",
			t.DocType, t.Version, money.Yuan(debit), money.Yuan(credit))
	}
	return lines, nil
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// docTypeNames are the documents' names in summaries.
var docTypeNames = map[string]string{
	"receipt": "采购入库", "delivery": "销售出库", "transfer_out": "调拨出库", "transfer_in": "调拨入库", "stocktake": "盘点",
	"adjustment": "库存调整", "sales_invoice": "销售发票", "purchase_invoice": "采购发票", "platform_settlement": "平台结算",
	"customer_receipt": "收款", "supplier_payment": "付款", "retailer_statement": "对账确认",
}
