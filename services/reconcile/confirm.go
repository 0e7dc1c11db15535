package reconcile

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
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/finance"
)

// Resolutions of a statement line.
const (
	ResolveAccept   = "ACCEPT"    // their figure stands: a price adjustment or the fee
	ResolveDispute  = "DISPUTE"   // our figure stands: claimed back, not booked
	ResolveWriteOff = "WRITE_OFF" // a small difference written off
)

// FeeVATBp is the VAT rate of a retailer's services (promotion, display, …) invoiced to
// us: modern services, 6 % (财税〔2016〕36号).
const FeeVATBp = 600

// needsResolution tells whether finance must decide a line before the statement is
// confirmed: differences, lines only they have, and flagged fees.
func needsResolution(l lineRow) bool {
	switch l.MatchState {
	case QuantityDifference, PriceDifference, OnlyTheirs:
		return true
	}
	return l.RecordType == RecordFee && l.NeedsReview
}

// ResolveLine records finance's decision on one line of an imported statement. A
// write-off that a statement_write_off approval flow matches (amount: the absolute
// difference) leaves the line undecided with a pending write-off until the flow decides.
// Errors: Invalid, NotFound, Refused (already confirmed, nothing to resolve, over the
// write-off limit, ErrWriteOffAwaitingApproval), ErrNoApprover (from the approval flow).
func (s *Service) ResolveLine(ctx context.Context, statement int64, row int, action, note string) (StatementLine, error) {
	var v apperr.Violations
	action = strings.ToUpper(strings.TrimSpace(action))
	note = strings.TrimSpace(note)
	v.Check(slices.Contains([]string{ResolveAccept, ResolveDispute, ResolveWriteOff}, action), "action", "must be ACCEPT, DISPUTE or WRITE_OFF")
	v.Check(len(note) <= 500, "note", "must be at most 500 bytes")
	v.Check(action != ResolveDispute || note != "", "note", "is required when disputing (say what we claim)")
	if err := v.Err("invalid resolution"); err != nil {
		return StatementLine{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (StatementLine, error) {
		st, err := s.lockStatement(tx, statement)
		if err != nil {
			return StatementLine{}, err
		}
		var l lineRow
		if err := tx.Table("counterpart_lines").Where("statement_id = ? AND row_no = ?", statement, row).Take(&l).Error; err != nil {
			if err == gorm.ErrRecordNotFound {
				return StatementLine{}, apperr.NotFound("statement line", row)
			}
			return StatementLine{}, err
		}
		if !needsResolution(l) {
			return StatementLine{}, apperr.Refused("NOTHING_TO_RESOLVE", fmt.Sprintf("row %d is %s and needs no decision", row,
				strings.ToLower(firstOf(l.MatchState, l.RecordType))))
		}
		if action == ResolveAccept && l.MatchState == OnlyTheirs && l.RecordType == RecordReceipt {
			return StatementLine{}, apperr.Refused("NO_OUR_DELIVERY", fmt.Sprintf(
				"row %d: we have no delivery for this receipt; record the delivery and import again, or dispute it", row))
		}
		w, err := lineWriteOff(tx, statement, row)
		if err != nil {
			return StatementLine{}, err
		}
		if w.State == WriteOffPending {
			return StatementLine{}, ErrWriteOffAwaitingApproval.Withf(
				"row %d: its write-off of %s awaits approval (request %d); it can be changed once that is decided", row,
				money.Yuan(w.Amount), w.ApprovalRequest)
		}
		resolvedBy := reqctx.PrincipalFrom(ctx).ID
		if action == ResolveWriteOff {
			settings, err := s.settings(tx, st.Party, st.PartyID)
			if err != nil {
				return StatementLine{}, err
			}
			amount := abs(effect(l))
			if amount > settings.WriteOffLimit {
				return StatementLine{}, apperr.Refused("OVER_WRITE_OFF_LIMIT", fmt.Sprintf(
					"row %d differs by %s; the write-off limit of this %s is %s", row, money.Yuan(amount), st.Party,
					money.Yuan(settings.WriteOffLimit)))
			}
			if s.approvals != nil {
				if w, err = s.submitWriteOff(ctx, tx, st, w, row, amount, note); err != nil {
					return StatementLine{}, err
				}
				if w.State == WriteOffPending {
					action, resolvedBy = "", 0 // undecided until the flow approves
				}
			}
		}
		if err := tx.Exec(`UPDATE counterpart_lines SET resolution = ?, resolution_note = ?, resolved_by = ?
			WHERE statement_id = ? AND row_no = ?`, action, note, resolvedBy, statement, row).Error; err != nil {
			return StatementLine{}, err
		}
		l.Resolution, l.ResolutionNote = action, note
		out := l.line()
		if w.State != "" {
			out.WriteOff = w
		}
		return out, nil
	})
}

// effect is what a line changes in the customer's receivable against our books, in fen
// (negative: they owe less than we say).
func effect(l lineRow) int64 {
	switch {
	case l.RecordType == RecordFee:
		return -abs(l.Amount)
	case l.MatchState == OnlyTheirs && l.RecordType == RecordReturn:
		return -abs(l.Amount)
	case l.MatchState == OnlyTheirs && l.RecordType == RecordPriceAdjustment:
		return l.Amount
	case l.MatchState == OnlyTheirs:
		return abs(l.Amount)
	}
	return l.AmountDifference
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// lockStatement locks an imported statement that is not confirmed yet.
func (s *Service) lockStatement(tx *gorm.DB, id int64) (Statement, error) {
	var r statementRow
	if err := tx.Raw(`SELECT `+statementCols+` FROM counterpart_statements WHERE id = ? FOR UPDATE`, id).Scan(&r).Error; err != nil {
		return Statement{}, err
	}
	if r.ID == 0 {
		return Statement{}, apperr.NotFound("statement", id)
	}
	if r.Status != StatementImported {
		return Statement{}, apperr.Refused("STATEMENT_CONFIRMED", fmt.Sprintf("statement %d is %s already", id, strings.ToLower(r.Status)))
	}
	return r.statement(), nil
}

// Confirmation is what confirming a statement booked.
type Confirmation struct {
	Statement
	FeesNet, FeesVAT   int64 // fees booked as selling expenses and their input VAT
	Rebates            int64 // sales-linked rebates (gross) booked as revenue reductions
	Adjustments        int64 // accepted differences (gross): positive reduces the receivable
	WriteOffs          int64 // differences written off: positive reduces the receivable
	Disputed           int   // lines disputed
	ReceivableDecrease int64 // what 1122 falls by
}

// ConfirmStatement confirms an imported customer statement once every line that needs a
// decision has one: fees (accepted or backed by the contract) become selling expenses,
// sales-linked rebates and accepted differences reduce revenue and output VAT, write-offs
// go to 5603, all against the customer's receivable, through one finance document
// (exactly once). Accepted differences are added to our trade lines. The statement ends
// CONFIRMED, or DISPUTED when a line was disputed (the rest is booked all the same); its
// net due is their net plus what we claim back. Errors: NotFound, Refused (among them
// ErrWriteOffAwaitingApproval while a write-off waits for its approval flow).
func (s *Service) ConfirmStatement(ctx context.Context, id int64) (Confirmation, error) {
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Confirmation, error) {
		st, err := s.lockStatement(tx, id)
		if err != nil {
			return Confirmation{}, err
		}
		if st.Party == PartySupplier {
			return Confirmation{}, apperr.Refused("CUSTOMER_STATEMENTS_ONLY", "supplier statements are matched but booked through purchase invoices")
		}
		if err := pendingWriteOffs(tx, id); err != nil {
			return Confirmation{}, err
		}
		settings, err := s.settings(tx, st.Party, st.PartyID)
		if err != nil {
			return Confirmation{}, err
		}
		var lines []lineRow
		if err := tx.Table("counterpart_lines").Where(`statement_id = ? AND (record_type = ? OR match_state IN ?)`, id, RecordFee,
			[]string{QuantityDifference, PriceDifference, OnlyTheirs}).Order("row_no").Find(&lines).Error; err != nil {
			return Confirmation{}, err
		}
		var open []string
		for _, l := range lines {
			if needsResolution(l) && l.Resolution == "" {
				open = append(open, fmt.Sprint(l.RowNo))
			}
		}
		if len(open) > 0 {
			if len(open) > 20 {
				open = append(open[:20], "…")
			}
			return Confirmation{}, apperr.Refused("LINES_UNRESOLVED", fmt.Sprintf("decide rows %s first (accept, dispute or write off)",
				strings.Join(open, ", ")))
		}
		if st.Party == PartyShop {
			return s.confirmSettlement(ctx, tx, st, lines)
		}
		c := Confirmation{Statement: st}
		claim := int64(0)
		var fees, rebates []int64
		var adjustments []lineRow
		for _, l := range lines {
			switch {
			case l.Resolution == ResolveDispute:
				c.Disputed++
				claim -= effect(l)
			case l.Resolution == ResolveWriteOff:
				c.WriteOffs -= effect(l)
			case l.RecordType == RecordFee && l.FeeCategory == FeeRebate:
				rebates = append(rebates, abs(l.Amount))
			case l.RecordType == RecordFee:
				fees = append(fees, abs(l.Amount))
			case l.Resolution == ResolveAccept:
				adjustments = append(adjustments, l)
			}
		}
		doc := finance.Document{Type: "retailer_statement", ID: id, Number: firstOf(st.StatementNumber, fmt.Sprintf("ST-%d", id)),
			Date: s.today().Format(time.DateOnly), Customer: st.PartyID, Totals: map[string]int64{}}
		for _, f := range fees {
			net, vat := f, int64(0)
			if settings.FeesInvoiced {
				if net, vat, err = money.SplitGross(f, FeeVATBp); err != nil {
					return c, err
				}
			}
			c.FeesNet, c.FeesVAT = c.FeesNet+net, c.FeesVAT+vat
		}
		var revenue, outputVAT int64
		for _, r := range rebates {
			net, vat, err := money.SplitGross(r, int32(settings.RebateVATBp))
			if err != nil {
				return c, err
			}
			c.Rebates += r
			revenue, outputVAT = revenue+net, outputVAT+vat
		}
		now := s.clock()
		var adjust []any
		for _, l := range adjustments {
			reduction := -effect(l)
			rate, err := s.lineRate(tx, l)
			if err != nil {
				return c, err
			}
			net, vat, err := money.SplitGross(reduction, rate)
			if err != nil {
				return c, err
			}
			c.Adjustments += reduction
			revenue, outputVAT = revenue+net, outputVAT+vat
			{
				adjust = append(adjust, PartyCustomer, st.PartyID, "adjust", id, l.RowNo, text.Clip(doc.Number, 40), l.DocumentNumber,
					l.PoNumber, l.OutletCode, s.today(), l.ItemID, l.QuantityDifference, 0, -reduction, rate,
					text.Clip("对账确认 "+l.ResolutionNote, 255), now)
			}
		}
		c.ReceivableDecrease = c.FeesNet + c.FeesVAT + c.Rebates + c.Adjustments + c.WriteOffs
		doc.Totals = map[string]int64{"feesNet": c.FeesNet, "feesVat": c.FeesVAT, "revenueRed": -revenue, "outputVatRed": -outputVAT,
			"writeOff": c.WriteOffs, "total": c.ReceivableDecrease}
		if len(adjust) > 0 {
			if err := tx.Exec(`INSERT INTO trade_lines (party_type, party_id, kind, source_id, line_no, doc_no, their_doc_no, po_no,
				outlet_code, doc_date, item_id, quantity, unit_price, amount, vat_rate_bp, reason, created_at) VALUES `+
				db.Placeholders(len(adjust)/17, 17), adjust...).Error; err != nil {
				return c, err
			}
		}
		if c.ReceivableDecrease != 0 {
			if err := finance.PublishDocument(ctx, s.outbox, tx, doc); err != nil {
				return c, err
			}
		}
		status := StatementConfirmed
		if c.Disputed > 0 {
			status = StatementDisputed
		}
		due := st.Totals.Net + claim
		if err := tx.Exec(`UPDATE counterpart_statements SET status = ?, net_due = ?, confirmed_by = ?, confirmed_at = ?,
			updated_at = ?, version = version + 1 WHERE id = ?`, status, due, reqctx.PrincipalFrom(ctx).ID, now, now, id).Error; err != nil {
			return c, err
		}
		c.Status, c.NetDue = status, &due
		return c, nil
	})
}

// lineRate answers the VAT rate of a line's goods: the file's rate, else the item's.
func (s *Service) lineRate(tx *gorm.DB, l lineRow) (int32, error) {
	if l.TaxRateBp != nil {
		return *l.TaxRateBp, nil
	}
	if l.ItemID == 0 {
		return 0, nil
	}
	var rate int32
	err := tx.Raw(`SELECT vat_rate_bp FROM trade_lines WHERE id = ?`, l.TradeLineID).Scan(&rate).Error
	return rate, err
}

// confirmSettlement books a platform's settlement bill as the platform paid it: the money
// received into the platform account (101201), its commission and other fees as selling
// expenses, against the receivable of the shop's customer (the platform_settlement
// template). Disputed lines are claimed back in the net due.
func (s *Service) confirmSettlement(ctx context.Context, tx *gorm.DB, st Statement, lines []lineRow) (Confirmation, error) {
	shop, err := s.catalog.Shop(ctx, st.PartyID)
	if err != nil {
		return Confirmation{}, err
	}
	if shop.Customer == 0 {
		return Confirmation{}, apperr.Refused("SHOP_WITHOUT_CUSTOMER", fmt.Sprintf(
			"shop %s has no customer to book its receivable on; set the shop's customer first", shop.Code))
	}
	c := Confirmation{Statement: st}
	var claim int64
	for _, l := range lines {
		if l.Resolution == ResolveDispute {
			c.Disputed++
			claim -= effect(l)
		}
	}
	t := st.Totals
	gross := t.Receipts - t.Returns + t.Adjustments
	c.FeesNet, c.ReceivableDecrease = t.Fees, gross
	if gross != 0 || t.Fees != 0 {
		doc := finance.Document{Type: "platform_settlement", ID: st.ID, Number: firstOf(st.StatementNumber, fmt.Sprintf("ST-%d", st.ID)),
			Date: s.today().Format(time.DateOnly), Customer: shop.Customer, Channel: "online",
			Totals: map[string]int64{"received": t.Net, "commission": t.Fees, "gross": gross}}
		if err := finance.PublishDocument(ctx, s.outbox, tx, doc); err != nil {
			return c, err
		}
	}
	status := StatementConfirmed
	if c.Disputed > 0 {
		status = StatementDisputed
	}
	due := t.Net + claim
	now := s.clock()
	if err := tx.Exec(`UPDATE counterpart_statements SET status = ?, net_due = ?, confirmed_by = ?, confirmed_at = ?,
		updated_at = ?, version = version + 1 WHERE id = ?`, status, due, reqctx.PrincipalFrom(ctx).ID, now, now, st.ID).Error; err != nil {
		return c, err
	}
	c.Status, c.NetDue = status, &due
	return c, nil
}

// InvoiceStatement issues the sales invoices of a confirmed customer statement: every
// delivery it matched (also those with an accepted difference; disputed ones stay out)
// that is not invoiced yet, at our figures — the accepted differences were booked as
// revenue reductions when the statement was confirmed. At most 1000 lines a call; call
// again for the rest. Errors: NotFound, Refused (not confirmed, nothing left).
func (s *Service) InvoiceStatement(ctx context.Context, id int64, kind string) (Invoices, error) {
	g := s.db.WithContext(ctx)
	st, err := s.statementHeader(g, id)
	if err != nil {
		return nil, err
	}
	if st.Party != PartyCustomer || (st.Status != StatementConfirmed && st.Status != StatementDisputed) {
		return nil, apperr.Refused("STATEMENT_NOT_CONFIRMED", fmt.Sprintf("statement %d is a %s statement, %s; invoice confirmed customer statements",
			id, st.Party, strings.ToLower(st.Status)))
	}
	var lines []int64
	if err := g.Raw(`SELECT DISTINCT t.id FROM counterpart_lines c JOIN trade_lines t ON t.id = c.trade_line_id
		WHERE c.statement_id = ? AND c.record_type = ? AND c.match_state IN ? AND c.resolution <> ? AND t.kind = ?
		AND t.invoiced_qty < t.quantity ORDER BY t.id LIMIT 1000`, id, RecordReceipt,
		[]string{Matched, QuantityDifference, PriceDifference}, ResolveDispute, KindDelivery).Scan(&lines).Error; err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, apperr.Refused("NOTHING_TO_INVOICE", fmt.Sprintf("every delivery of statement %d is invoiced", id))
	}
	in := IssueInvoices{Customer: st.PartyID, Kind: kind}
	for _, l := range lines {
		in.Lines = append(in.Lines, InvoiceQuantity{TradeLine: l})
	}
	return s.IssueInvoices(ctx, in)
}
