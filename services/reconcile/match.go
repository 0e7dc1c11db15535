package reconcile

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/erphub/erphub/internal/money"
)

// Match states of a statement line.
const (
	Matched            = "MATCHED"
	QuantityDifference = "QUANTITY_DIFFERENCE"
	PriceDifference    = "PRICE_DIFFERENCE"
	OnlyTheirs         = "ONLY_THEIRS"
	OnlyOurs           = "ONLY_OURS"
)

// Fee categories.
const (
	FeePromotion  = "PROMOTION"
	FeeDisplay    = "DISPLAY"
	FeeListing    = "LISTING"
	FeeBarcode    = "BARCODE"
	FeeLogistics  = "LOGISTICS"
	FeeRebate     = "REBATE"
	FeeShortage   = "SHORTAGE"
	FeePenalty    = "PENALTY"
	FeeCommission = "COMMISSION"
	FeeOther      = "OTHER"
)

var feeCategories = []string{FeePromotion, FeeDisplay, FeeListing, FeeBarcode, FeeLogistics, FeeRebate, FeeShortage, FeePenalty,
	FeeCommission, FeeOther}

// Review reasons of a line.
const (
	ReviewNotAllowed       = "NOT_ALLOWED_WITHOUT_CONTRACT" // 零售商供应商公平交易管理办法 (2006) art. 13, 2011 清理整顿 list
	ReviewNoContract       = "NO_CONTRACT_BASIS"
	ReviewUnconditional    = "UNCONDITIONAL_REBATE"
	ReviewDoubleShortage   = "SHORTAGE_ALREADY_DEDUCTED"
	ReviewUnclassified     = "UNCLASSIFIED_FEE"
	ReviewUnknownItem      = "UNKNOWN_ITEM"
	ReviewNoOurDocument    = "NOT_IN_OUR_BOOKS"
	ReviewPriceAdjustment  = "PRICE_ADJUSTMENT_WITHOUT_CREDIT_NOTE"
	ReviewAmountMismatch   = "AMOUNT_DIFFERENCE"
	ReviewTotalsMismatch   = "SUMMARY_DIFFERS"
	ReviewQuantityMismatch = "QUANTITY_DIFFERENCE"
	ReviewPriceMismatch    = "PRICE_DIFFERENCE"
)

// tradeLine is one of our lines as matching sees it.
type tradeLine struct {
	ID         int64
	Kind       string // delivery, return, receipt
	DocNo      string
	TheirDocNo string
	PONo       string
	OutletCode string
	DocDate    time.Time
	ItemID     int64
	Quantity   int64
	UnitPrice  int64
	Amount     int64
	used       bool
}

// Settings are a counterpart's matching rules.
type Settings struct {
	QuantityTolerance int64 // milli-units
	PriceTolerance    int64 // fen per unit
	DateWindowDays    int
	ContractFees      []string // fee categories the contract provides for
	WriteOffLimit     int64    // fen
	FeesInvoiced      bool     // it invoices its fees as services (6 % VAT we may deduct)
	RebateVATBp       int32    // the VAT rate of its rebates (red invoices on our sales)
}

// feeRule classifies fee type texts.
type feeRule struct {
	Pattern  string
	Category string
}

// outcome is what matching made of one statement line.
type outcome struct {
	State       string
	TradeLine   int64
	QtyDiff     int64
	AmountDiff  int64
	FeeCategory string
	Reasons     []string
}

// Totals of a statement, in fen: what the counterpart owes is net.
type Totals struct {
	Receipts    int64
	Returns     int64 // positive: what returns take off
	Adjustments int64 // signed as the file writes them
	Fees        int64 // positive: what fees take off
	Net         int64
	Summary     *int64 // the file's own summary rows, if any
	Flag        string // why the file's totals do not add up, empty when they do
}

// matcher pairs a statement's lines with ours by hash lookups: each of their lines costs a
// few map probes, so a statement of n lines against m of ours is O(n + m).
type matcher struct {
	settings Settings
	rules    []feeRule
	ours     []*tradeLine
	byDoc    map[docKey][]*tradeLine // our delivery / return number + item
	byTheirs map[docKey][]*tradeLine // their return note number + item (returns we recorded)
	byPO     map[poKey][]*tradeLine  // PO number + outlet + item
	byOutlet map[poKey][]*tradeLine  // outlet + item (date window), PO empty
}

type docKey struct {
	doc  string
	item int64
}

type poKey struct {
	po, outlet, kind string
	item             int64
}

func newMatcher(ours []*tradeLine, st Settings, rules []feeRule) *matcher {
	m := &matcher{settings: st, rules: rules, ours: ours, byDoc: map[docKey][]*tradeLine{},
		byTheirs: map[docKey][]*tradeLine{}, byPO: map[poKey][]*tradeLine{}, byOutlet: map[poKey][]*tradeLine{}}
	for _, l := range ours {
		m.byDoc[docKey{l.DocNo, l.ItemID}] = append(m.byDoc[docKey{l.DocNo, l.ItemID}], l)
		if l.TheirDocNo != "" {
			m.byTheirs[docKey{l.TheirDocNo, l.ItemID}] = append(m.byTheirs[docKey{l.TheirDocNo, l.ItemID}], l)
		}
		if l.PONo != "" {
			k := poKey{l.PONo, l.OutletCode, l.Kind, l.ItemID}
			m.byPO[k] = append(m.byPO[k], l)
		}
		k := poKey{"", l.OutletCode, l.Kind, l.ItemID}
		m.byOutlet[k] = append(m.byOutlet[k], l)
	}
	return m
}

// ourKind is the kind of our line a record type pairs with.
func ourKind(recordType string, supplier bool) string {
	switch {
	case recordType == RecordReturn && supplier:
		return "sreturn"
	case recordType == RecordReturn:
		return "return"
	case supplier:
		return "receipt"
	}
	return "delivery"
}

// matchAll matches every row (rows[i] has item items[i], 0 when unknown) and answers the
// outcomes, our lines left over, and the totals.
func (m *matcher) matchAll(rows []Row, items []int64, supplier bool) ([]outcome, Totals) {
	out := make([]outcome, len(rows))
	// document lines first, so that fee checks can see how each document was received
	for i, r := range rows {
		switch r.RecordType {
		case RecordReceipt, RecordReturn:
			out[i] = m.matchLine(r, items[i], ourKind(r.RecordType, supplier))
		case RecordPriceAdjustment:
			out[i] = outcome{State: OnlyTheirs, Reasons: []string{ReviewPriceAdjustment}}
		}
	}
	short := m.shortReceived(rows, items, out)
	for i, r := range rows {
		if r.RecordType == RecordFee {
			out[i] = m.fee(r, items[i], short)
		}
	}
	return out, totalsOf(rows)
}

// matchLine finds our line for one of theirs: by our document number, by their return note
// number, by PO number and outlet, then by outlet within the date window; among several
// candidates the first unused one with the same quantity wins, else the first unused.
func (m *matcher) matchLine(r Row, item int64, kind string) outcome {
	if item == 0 {
		return outcome{State: OnlyTheirs, Reasons: []string{ReviewUnknownItem}}
	}
	qty := theirQuantity(r)
	var found *tradeLine
	try := func(cands []*tradeLine, window bool) {
		if found != nil {
			return
		}
		var first *tradeLine
		for _, c := range cands {
			if c.used || c.Kind != kind {
				continue
			}
			if window && !m.inWindow(r.DocumentDate, c.DocDate) {
				continue
			}
			if c.Quantity == qty {
				found = c
				return
			}
			if first == nil {
				first = c
			}
		}
		found = first
	}
	if r.DeliveryNumber != "" {
		try(m.byDoc[docKey{r.DeliveryNumber, item}], false)
	}
	if kind == "return" && r.DocumentNumber != "" {
		try(m.byTheirs[docKey{r.DocumentNumber, item}], false)
	}
	if r.PONumber != "" {
		try(m.byPO[poKey{r.PONumber, r.OutletCode, kind, item}], false)
	}
	try(m.byOutlet[poKey{"", r.OutletCode, kind, item}], true)
	if found == nil {
		return outcome{State: OnlyTheirs, Reasons: []string{ReviewNoOurDocument}}
	}
	found.used = true
	o := outcome{State: Matched, TradeLine: found.ID}
	o.QtyDiff = qty - found.Quantity
	o.AmountDiff = abs(r.Amount) - found.Amount
	price := theirUnitPrice(r, qty)
	switch {
	case abs(o.QtyDiff) > m.settings.QuantityTolerance:
		o.State = QuantityDifference
		o.Reasons = []string{ReviewQuantityMismatch}
	case price >= 0 && abs(price-found.UnitPrice) > m.settings.PriceTolerance:
		o.State = PriceDifference
		o.Reasons = []string{ReviewPriceMismatch}
	}
	return o
}

func (m *matcher) inWindow(theirs *time.Time, ours time.Time) bool {
	if theirs == nil {
		return false
	}
	d := theirs.Sub(ours)
	w := time.Duration(m.settings.DateWindowDays) * 24 * time.Hour
	return d >= -24*time.Hour && d <= w // received the day before (time zones) up to the window after
}

// theirQuantity is the received quantity, else the ordered one, as a positive number.
func theirQuantity(r Row) int64 {
	switch {
	case r.Received != nil:
		return abs(*r.Received)
	case r.Ordered != nil:
		return abs(*r.Ordered)
	}
	return 0
}

// theirUnitPrice is the line's unit price, else amount / quantity; -1 when neither is known.
func theirUnitPrice(r Row, qty int64) int64 {
	if r.UnitPrice != nil {
		return abs(*r.UnitPrice)
	}
	if qty == 0 {
		return -1
	}
	p, err := money.MulDiv(abs(r.Amount), money.MilliPerUnit, qty)
	if err != nil {
		return -1
	}
	return p
}

// shortReceived answers the documents (their receiving note, PO or our delivery number,
// with the item) whose receipt line already took a shortage off: received below ordered,
// or below what we delivered.
func (m *matcher) shortReceived(rows []Row, items []int64, out []outcome) map[docKey]bool {
	short := map[docKey]bool{}
	for i, r := range rows {
		if r.RecordType != RecordReceipt {
			continue
		}
		less := r.Received != nil && r.Ordered != nil && abs(*r.Received) < abs(*r.Ordered) || out[i].QtyDiff < 0
		if !less {
			continue
		}
		for _, doc := range []string{r.DocumentNumber, r.PONumber, r.DeliveryNumber} {
			if doc != "" {
				short[docKey{doc, items[i]}] = true
				short[docKey{doc, 0}] = true
			}
		}
	}
	return short
}

// fee classifies a fee line and flags what needs review.
func (m *matcher) fee(r Row, item int64, short map[docKey]bool) outcome {
	o := outcome{FeeCategory: m.classify(r.FeeType + " " + r.Remark)}
	contract := slices.Contains(m.settings.ContractFees, o.FeeCategory)
	switch o.FeeCategory {
	case FeeLogistics, FeeBarcode:
		if !contract {
			o.Reasons = append(o.Reasons, ReviewNotAllowed)
		}
	case FeeRebate:
		if !salesLinked(r.FeeBasis) {
			o.Reasons = append(o.Reasons, ReviewUnconditional)
		} else if !contract {
			o.Reasons = append(o.Reasons, ReviewNoContract)
		}
	case FeeShortage:
		for _, doc := range []string{r.DocumentNumber, r.PONumber, r.DeliveryNumber} {
			if doc != "" && (short[docKey{doc, item}] || short[docKey{doc, 0}]) {
				o.Reasons = append(o.Reasons, ReviewDoubleShortage)
				break
			}
		}
	case FeeOther:
		o.Reasons = append(o.Reasons, ReviewUnclassified)
	default:
		if !contract {
			o.Reasons = append(o.Reasons, ReviewNoContract)
		}
	}
	return o
}

// salesLinked tells whether a rebate's basis ties it to sales (a rate of sales or a
// turnover target), as opposed to an unconditional deduction.
func salesLinked(basis string) bool {
	b := strings.ToLower(basis)
	for _, w := range []string{"销售", "销量", "sales", "turnover", "%", "％", "达成", "目标"} {
		if strings.Contains(b, w) {
			return true
		}
	}
	return false
}

func (m *matcher) classify(text string) string {
	t := strings.ToLower(text)
	for _, r := range m.rules {
		if r.Pattern != "" && strings.Contains(t, strings.ToLower(r.Pattern)) {
			return r.Category
		}
	}
	return FeeOther
}

// totalsOf adds up a statement: receipts, returns and fees by their size whatever sign the
// file gives them, price adjustments as signed, and checks the file's summary rows against
// the net (or against the plain sum of the signed amounts, for files that write returns
// and fees negative).
func totalsOf(rows []Row) Totals {
	var t Totals
	var signed int64
	for _, r := range rows {
		switch r.RecordType {
		case RecordReceipt:
			t.Receipts += abs(r.Amount)
		case RecordReturn:
			t.Returns += abs(r.Amount)
		case RecordFee:
			t.Fees += abs(r.Amount)
		case RecordPriceAdjustment:
			t.Adjustments += r.Amount
		case RecordSummary:
			s := r.Amount
			if t.Summary != nil {
				s += *t.Summary
			}
			t.Summary = &s
			continue
		}
		signed += r.Amount
	}
	t.Net = t.Receipts - t.Returns + t.Adjustments - t.Fees
	if t.Summary != nil && abs(*t.Summary) != abs(t.Net) && *t.Summary != signed {
		t.Flag = fmt.Sprintf("the summary rows say %s but the lines come to %s (difference %s)", money.Yuan(*t.Summary),
			money.Yuan(t.Net), money.Yuan(*t.Summary-t.Net))
	}
	return t
}

// leftOver answers our lines in [from, to] that no line of theirs took, by date.
func (m *matcher) leftOver(from, to time.Time) []*tradeLine {
	var out []*tradeLine
	for _, l := range m.ours {
		if !l.used && !l.DocDate.Before(from) && !l.DocDate.After(to) {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b *tradeLine) int { return cmp.Or(a.DocDate.Compare(b.DocDate), cmp.Compare(a.ID, b.ID)) })
	return out
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
