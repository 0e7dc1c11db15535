package warehouse

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/txn"
)

// Stock document types and their number prefixes.
const (
	DocReceipt     = "receipt"      // GR-…: goods received against a purchase order
	DocDelivery    = "delivery"     // GI-…: goods issued against a delivery order
	DocTransferOut = "transfer_out" // TO-…: sent to another warehouse, now in transit
	DocTransferIn  = "transfer_in"  // TI-…: received from transit
	DocStocktake   = "stocktake"    // SC-…: count differences, gains and losses
	DocAdjustment  = "adjustment"   // SA-…: manual correction with a reason
)

var docPrefix = map[string]string{DocReceipt: "GR", DocDelivery: "GI", DocTransferOut: "TO", DocTransferIn: "TI",
	DocStocktake: "SC", DocAdjustment: "SA"}

// PostedEvent is the payload of warehouse.document.posted: everything finance, the order
// hub and insights need without reading warehouse tables.
type PostedEvent struct {
	Document         int64        `json:"document"`
	Number           string       `json:"number"`
	Type             string       `json:"type"`
	Branch           int64        `json:"branch"`
	Warehouse        int64        `json:"warehouse"`
	Source           string       `json:"source,omitempty"` // e.g. purchaseOrders/7
	Supplier         int64        `json:"supplier,omitempty"`
	Customer         int64        `json:"customer,omitempty"`
	Outlet           int64        `json:"outlet,omitempty"`
	RetailerPO       string       `json:"retailerPoNumber,omitempty"`
	OrderRef         string       `json:"orderRef,omitempty"` // the order hub's order behind a delivery
	DeliveryOrder    int64        `json:"deliveryOrder,omitempty"`
	OrderNumber      string       `json:"orderNumber,omitempty"` // the purchase or delivery order's number
	CounterWarehouse int64        `json:"counterWarehouse,omitempty"`
	Reason           string       `json:"reason,omitempty"`
	Carrier          string       `json:"carrier,omitempty"`
	TrackingNumbers  []string     `json:"trackingNumbers,omitempty"`
	PostedAt         time.Time    `json:"postedAt"`
	Lines            []PostedLine `json:"lines"`
}

// PostedLine is one movement of a posted document.
type PostedLine struct {
	LineNo    int32  `json:"lineNo"`
	Item      int64  `json:"item"`
	LotID     int64  `json:"lotId,omitempty"`
	Lot       string `json:"lot,omitempty"`
	Quantity  int64  `json:"quantity"`            // signed milli-units
	Value     int64  `json:"value"`               // signed fen at cost
	UnitPrice int64  `json:"unitPrice,omitempty"` // the document's price per unit, fen (purchase cost or sales price)
	OrderLine int64  `json:"orderLine,omitempty"` // the purchase/delivery order line
}

// Completion is a completed session and its posted document, or, for a stocktake whose
// differences a flow matched, the approval request they wait for.
type Completion struct {
	Session         Session
	Document        StockDocument
	Status          string // posted or pending_approval
	ApprovalRequest int64
}

// ResourceName names the completion in the audit log.
func (c Completion) ResourceName() string { return c.Session.ResourceName() }

// posting collects what one document does to stock, then writes it in a few statements.
type posting struct {
	s       *Service
	st      store
	now     time.Time
	wh      int64
	doc     StockDocument
	event   PostedEvent
	vals    map[int64]valuation
	levels  []levelDelta
	entries []entry
	release map[int64]int64 // item-level reserved to give back
}

func (s *Service) newPosting(st store, x Session, docType string, now time.Time) *posting {
	return &posting{s: s, st: st, now: now, wh: x.Warehouse, release: map[int64]int64{},
		doc: StockDocument{Type: docType, Branch: x.Branch, Warehouse: x.Warehouse, Session: x.ID, PostTime: now,
			PostedBy: 0}}
}

// lock locks the valuations of the items involved.
func (p *posting) lock(items []int64) error {
	vals, err := p.st.lockValuations(p.wh, items, p.now)
	p.vals = vals
	return err
}

// in adds q of a lot worth value.
func (p *posting) in(item, lot, q, value, unitCost, unitPrice, orderLine int64) {
	p.vals[item] = p.vals[item].receive(q, value, unitCost)
	p.add(item, lot, q, value, 0, unitPrice, orderLine)
}

// out takes quantities of an item's lots out at moving average; picked says how much of
// each was held by scans. It answers the total value.
func (p *posting) out(item int64, lots []lotQty, picked bool, unitPrice, orderLine int64) (int64, error) {
	var total int64
	weights := make([]int64, len(lots))
	for i, l := range lots {
		total += l.q
		weights[i] = l.q
	}
	v, value, err := p.vals[item].issue(total)
	if err != nil {
		return 0, err
	}
	p.vals[item] = v
	parts, err := money.Allocate(value, weights)
	if err != nil {
		return 0, err
	}
	for i, l := range lots {
		held := int64(0)
		if picked {
			held = l.q
		}
		p.add(item, l.lot, -l.q, -parts[i], held, unitPrice, orderLine)
	}
	return value, nil
}

type lotQty struct {
	lot, q int64
}

func (p *posting) add(item, lot, q, value, picked, unitPrice, orderLine int64) {
	n := int32(len(p.entries) + 1)
	p.entries = append(p.entries, entry{lineNo: n, item: item, lot: lot, quantity: q, value: value})
	p.levels = append(p.levels, levelDelta{item: item, lot: lot, onHand: q, picked: picked})
	p.event.Lines = append(p.event.Lines, PostedLine{LineNo: n, Item: item, LotID: lot, Quantity: q, Value: value,
		UnitPrice: unitPrice, OrderLine: orderLine})
}

// write stores the valuations, levels, document and ledger entries.
func (p *posting) write(ctx context.Context, tx *gorm.DB) error {
	if len(p.entries) == 0 && p.doc.Type != DocStocktake {
		return ErrNothingScanned
	}
	if err := p.st.saveValuations(p.wh, p.vals, p.release, p.now); err != nil {
		return err
	}
	if err := p.st.applyLevels(p.wh, p.levels, p.now); err != nil {
		return err
	}
	num, err := p.s.number(ctx, tx, docPrefix[p.doc.Type], p.doc.Branch)
	if err != nil {
		return err
	}
	p.doc.Number = num
	if p.doc.PostedBy == 0 { // set beforehand when approval posts someone's document
		p.doc.PostedBy = reqctx.PrincipalFrom(ctx).ID
	}
	if p.doc, err = p.st.insertDocument(p.doc, p.entries); err != nil {
		return err
	}
	for i, l := range p.doc.Lines {
		p.event.Lines[i].Lot = l.Lot
	}
	ev := p.event
	ev.Document, ev.Number, ev.Type, ev.Branch, ev.Warehouse = p.doc.ID, p.doc.Number, p.doc.Type, p.doc.Branch, p.doc.Warehouse
	ev.PostedAt, ev.Reason, ev.Carrier, ev.TrackingNumbers = p.doc.PostTime, p.doc.Reason, p.doc.Carrier, p.doc.Tracking
	if p.doc.SourceType != "" {
		ev.Source = sourceName(p.doc.SourceType, p.doc.SourceID)
	}
	items := make([]int64, 0, len(p.vals))
	for it := range p.vals {
		items = append(items, it)
	}
	slices.Sort(items)
	return p.s.outbox.Publish(ctx, tx,
		outbox.Event{Topic: TopicDocumentPosted, Key: p.doc.ResourceName(), Payload: ev},
		stockChanged(p.doc.Warehouse, items, p.doc.Type != DocDelivery && p.doc.Type != DocTransferOut))
}

func sourceName(kind string, id int64) string {
	switch kind {
	case "purchase_order":
		return fmt.Sprintf("purchaseOrders/%d", id)
	case "delivery_order":
		return fmt.Sprintf("deliveryOrders/%d", id)
	case "transfer":
		return fmt.Sprintf("transfers/%d", id)
	case "stocktake":
		return fmt.Sprintf("stocktakes/%d", id)
	case "adjustment":
		return fmt.Sprintf("adjustments/%d", id)
	}
	return ""
}

// shortage refuses a completion that leaves lines short, unless partial is allowed.
func shortage(lines []Line, allowPartial bool) error {
	var short []string
	for _, l := range lines {
		if left := l.Quantity - l.Done - l.Held; left > 0 {
			short = append(short, fmt.Sprintf("line %d: %s short", l.LineNo, qty(left)))
		}
	}
	if len(short) == 0 || allowPartial {
		return nil
	}
	return ErrShortage.With("lines", strings.Join(short, "; ")).Withf("lines are short (%s): complete with allow_partial to post the rest later",
		strings.Join(short, "; "))
}

// Shipping describes a shipment when a delivery is scanned out.
type Shipping struct {
	Carrier         string
	TrackingNumbers []string
}

// CompleteScanSession posts a session's document atomically; a delivery records its
// carrier and tracking numbers. Errors: Invalid, NotFound, Forbidden, ErrSessionClosed,
// ErrNothingScanned, ErrShortage, ErrDocumentClosed.
func (s *Service) CompleteScanSession(ctx context.Context, id int64, allowPartial bool, ship Shipping) (Completion, error) {
	var v apperr.Violations
	v.Check(len(ship.Carrier) <= 64, "carrier", "must be at most 64 characters")
	v.Check(len(ship.TrackingNumbers) <= 20, "tracking_numbers", "at most 20 packages")
	for i, t := range ship.TrackingNumbers {
		v.Check(t != "" && len(t) <= 40 && !strings.Contains(t, ","), fmt.Sprintf("tracking_numbers[%d]", i), "must be 1-40 characters without commas")
	}
	if err := v.Err("invalid shipment"); err != nil {
		return Completion{}, err
	}
	x, err := s.sessionFacts(ctx, id)
	if err != nil {
		return Completion{}, err
	}
	if err := checkBranch(ctx, x.Branch); err != nil {
		return Completion{}, err
	}
	c, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Completion, error) {
		st := s.store.with(tx)
		live, err := st.session(id, " FOR UPDATE")
		if err != nil {
			return Completion{}, err
		}
		if live.Status != StatusOpen {
			return Completion{}, ErrSessionClosed
		}
		totals, err := st.sessionTotals(id)
		if err != nil {
			return Completion{}, err
		}
		if len(totals) == 0 && live.Kind != KindStocktake {
			return Completion{}, ErrNothingScanned
		}
		p := s.newPosting(st, live, "", s.clock())
		p.doc.Carrier, p.doc.Tracking = ship.Carrier, ship.TrackingNumbers
		var waiting int64 // a stocktake's approval request
		switch live.Kind {
		case KindReceive:
			err = s.postReceipt(st, live, p, totals, allowPartial)
		case KindShip:
			err = s.postDelivery(st, live, p, totals, allowPartial)
		case KindTransferOut:
			err = s.postTransferOut(st, live, p, totals, allowPartial)
		case KindTransferIn:
			err = s.postTransferIn(st, live, p, totals)
		case KindStocktake:
			waiting, err = s.completeCount(ctx, tx, live, p, totals)
		}
		if err != nil {
			return Completion{}, err
		}
		if waiting != 0 {
			// the count is done; its differences wait for approval, nothing is posted
			if err := st.finishSession(id, "completed", 0, p.now); err != nil {
				return Completion{}, err
			}
			live.Status = "completed"
			return Completion{Session: live, Status: StatusPendingApproval, ApprovalRequest: waiting}, nil
		}
		if err := p.write(ctx, tx); err != nil {
			return Completion{}, err
		}
		if live.Kind == KindStocktake {
			// posted at once: differences recorded for an earlier, refused count are void
			if err := tx.Exec(`DELETE FROM stocktake_differences WHERE stocktake_id = ?`, live.DocumentID).Error; err != nil {
				return Completion{}, err
			}
			if err := tx.Exec(`UPDATE stocktakes SET status = ?, document_id = ?, updated_at = ? WHERE id = ?`,
				StatusPosted, p.doc.ID, p.now, live.DocumentID).Error; err != nil {
				return Completion{}, err
			}
		}
		if err := st.finishSession(id, "completed", p.doc.ID, p.now); err != nil {
			return Completion{}, err
		}
		live.Status, live.StockDocument = "completed", p.doc.ID
		return Completion{Session: live, Document: p.doc, Status: StatusPosted}, nil
	})
	if err == nil {
		s.outbox.Notify()
	}
	return c, err
}

// byLine sums session totals per document line.
func byLine(totals []sessionTotal) map[int64]int64 {
	out := map[int64]int64{}
	for _, t := range totals {
		out[t.LineID] += t.Quantity
	}
	return out
}

func itemsOf(totals []sessionTotal) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, t := range totals {
		if !seen[t.ItemID] {
			seen[t.ItemID] = true
			out = append(out, t.ItemID)
		}
	}
	return out
}

func lineIndex(lines []Line) map[int64]*Line {
	out := make(map[int64]*Line, len(lines))
	for i := range lines {
		out[lines[i].ID] = &lines[i]
	}
	return out
}

func (s *Service) postReceipt(st store, x Session, p *posting, totals []sessionTotal, allowPartial bool) error {
	po, err := st.purchaseOrder(x.DocumentID, true)
	if err != nil {
		return err
	}
	if po.Status != StatusOpen && po.Status != StatusPartiallyReceived {
		return ErrDocumentClosed
	}
	if err := shortage(po.Lines, allowPartial); err != nil {
		return err
	}
	if err := p.lock(itemsOf(totals)); err != nil {
		return err
	}
	lines := lineIndex(po.Lines)
	for _, t := range totals {
		l := lines[t.LineID]
		value, err := money.LineAmount(t.Quantity, l.UnitPrice)
		if err != nil {
			return err
		}
		p.in(t.ItemID, t.LotID, t.Quantity, value, l.UnitPrice, l.UnitPrice, l.ID)
	}
	done := byLine(totals)
	if err := st.postLines(poLines, done); err != nil {
		return err
	}
	for i := range po.Lines {
		po.Lines[i].Done += done[po.Lines[i].ID]
	}
	if err := st.setStatus("purchase_orders", po.ID, receivingStatus(po.Lines), p.now); err != nil {
		return err
	}
	p.doc.Type, p.doc.SourceType, p.doc.SourceID = DocReceipt, "purchase_order", po.ID
	p.event.Supplier, p.event.OrderNumber = po.Supplier, po.Number
	return nil
}

// issueTotals takes the session's totals out of stock, item by item.
func (p *posting) issueTotals(totals []sessionTotal, lines map[int64]*Line) error {
	if err := p.lock(itemsOf(totals)); err != nil {
		return err
	}
	byItemLine := map[[2]int64][]lotQty{}
	var order [][2]int64
	for _, t := range totals {
		k := [2]int64{t.ItemID, t.LineID}
		if _, ok := byItemLine[k]; !ok {
			order = append(order, k)
		}
		byItemLine[k] = append(byItemLine[k], lotQty{lot: t.LotID, q: t.Quantity})
		p.release[t.ItemID] += t.Quantity
	}
	for _, k := range order {
		l := lines[k[1]]
		if _, err := p.out(k[0], byItemLine[k], true, l.UnitPrice, l.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) postDelivery(st store, x Session, p *posting, totals []sessionTotal, allowPartial bool) error {
	d, err := st.deliveryOrder(x.DocumentID, true)
	if err != nil {
		return err
	}
	if d.Status != StatusOpen && d.Status != StatusPartiallyShipped {
		return ErrDocumentClosed
	}
	if err := shortage(d.Lines, allowPartial); err != nil {
		return err
	}
	if err := p.issueTotals(totals, lineIndex(d.Lines)); err != nil {
		return err
	}
	done := byLine(totals)
	if err := st.postLines(doLines, done); err != nil {
		return err
	}
	for i := range d.Lines {
		d.Lines[i].Done += done[d.Lines[i].ID]
	}
	if err := st.setStatus("delivery_orders", d.ID, shippingStatus(d.Lines), p.now); err != nil {
		return err
	}
	p.doc.Type, p.doc.SourceType, p.doc.SourceID = DocDelivery, "delivery_order", d.ID
	p.event.Customer, p.event.Outlet, p.event.RetailerPO, p.event.OrderRef = d.Customer, d.Outlet, d.RetailerPONumber, d.Source
	p.event.DeliveryOrder, p.event.OrderNumber = d.ID, d.Number
	return nil
}

func (s *Service) postTransferOut(st store, x Session, p *posting, totals []sessionTotal, allowPartial bool) error {
	t, err := st.transfer(x.DocumentID, true)
	if err != nil {
		return err
	}
	if t.Status == StatusCancelled || t.Status == StatusReceived {
		return ErrDocumentClosed
	}
	if err := shortage(t.Lines, allowPartial); err != nil {
		return err
	}
	if err := p.issueTotals(totals, lineIndex(t.Lines)); err != nil {
		return err
	}
	// what left goes into transit with its value
	var transit []entry
	for _, e := range p.entries {
		transit = append(transit, entry{item: e.item, lot: e.lot, quantity: -e.quantity, value: -e.value})
	}
	if err := st.addTransit(t.ID, transit); err != nil {
		return err
	}
	if err := st.postLines(trLines, byLine(totals)); err != nil {
		return err
	}
	if err := st.setStatus("transfers", t.ID, StatusInTransit, p.now); err != nil {
		return err
	}
	p.doc.Type, p.doc.SourceType, p.doc.SourceID = DocTransferOut, "transfer", t.ID
	p.event.CounterWarehouse = t.ToWarehouse
	return nil
}

func (s *Service) postTransferIn(st store, x Session, p *posting, totals []sessionTotal) error {
	t, err := st.transfer(x.DocumentID, true)
	if err != nil {
		return err
	}
	transit, err := st.lockTransit(t.ID)
	if err != nil {
		return err
	}
	if err := p.lock(itemsOf(totals)); err != nil {
		return err
	}
	var moved []entry
	for _, tt := range totals {
		k := [2]int64{tt.ItemID, tt.LotID}
		tr, ok := transit[k]
		if !ok || tr.quantity < tt.Quantity {
			return apperr.Refused("TRANSIT_MISMATCH", fmt.Sprintf("item %d lot %d: more received than is in transit", tt.ItemID, tt.LotID))
		}
		value := tr.value
		if tt.Quantity < tr.quantity {
			if value, err = money.MulDiv(tr.value, tt.Quantity, tr.quantity); err != nil {
				return err
			}
		}
		tr.quantity -= tt.Quantity
		tr.value -= value
		transit[k] = tr
		moved = append(moved, entry{item: tt.ItemID, lot: tt.LotID, quantity: tt.Quantity, value: value})
		p.in(tt.ItemID, tt.LotID, tt.Quantity, value, 0, 0, tt.LineID)
	}
	if err := st.takeTransit(t.ID, moved); err != nil {
		return err
	}
	done := byLine(totals)
	if err := st.postLines(trInward, done); err != nil {
		return err
	}
	complete := true
	for _, l := range t.Lines {
		if l.Done < l.Quantity || l.Received+done[l.ID] < l.Done {
			complete = false
		}
	}
	status := StatusInTransit
	if complete {
		status = StatusReceived
	}
	if err := st.setStatus("transfers", t.ID, status, p.now); err != nil {
		return err
	}
	p.doc.Type, p.doc.SourceType, p.doc.SourceID = DocTransferIn, "transfer", t.ID
	p.event.CounterWarehouse = t.FromWarehouse
	return nil
}

// countDiffs compares a stocktake session's count with the book, under locks of the lot
// levels: counted minus on hand per (item, lot), zeros left out, in (item, lot) order; a
// full count takes lots it did not find as found empty. It locks the valuations of the
// items that differ (p.vals). Errors: ErrDocumentClosed, ErrCountAwaitingApproval,
// ErrNothingScanned.
func (s *Service) countDiffs(st store, x Session, p *posting, totals []sessionTotal) (Stocktake, []CountDifference, error) {
	stk, err := st.stocktake(x.DocumentID, true)
	if err != nil {
		return stk, nil, err
	}
	if err := stk.countable(); err != nil {
		return stk, nil, err
	}
	counted := map[[2]int64]int64{}
	var countedItems []int64
	seenItem := map[int64]bool{}
	for _, t := range totals {
		counted[[2]int64{t.ItemID, t.LotID}] += t.Quantity
		if !seenItem[t.ItemID] {
			seenItem[t.ItemID] = true
			countedItems = append(countedItems, t.ItemID)
		}
	}
	var scope []int64
	if stk.CountedOnly {
		scope = countedItems
		if len(scope) == 0 {
			return stk, nil, ErrNothingScanned
		}
	}
	book, err := st.lockLevels(x.Warehouse, scope)
	if err != nil {
		return stk, nil, err
	}
	diffs := map[[2]int64]int64{}
	for k, onHand := range book {
		diffs[k] = counted[k] - onHand
	}
	for k, c := range counted {
		if _, ok := book[k]; !ok {
			diffs[k] = c
		}
	}
	var items []int64
	seen := map[int64]bool{}
	var out []CountDifference
	for _, k := range sortedPairs(diffs) {
		if d := diffs[k]; d != 0 {
			out = append(out, CountDifference{Item: k[0], LotID: k[1], Quantity: d})
			if !seen[k[0]] {
				seen[k[0]] = true
				items = append(items, k[0])
			}
		}
	}
	return stk, out, p.lock(items)
}

// completeCount finishes a stocktake's count in tx. When a stocktake flow matches its
// differences (their value at the current unit cost, absolute values summed), they are
// recorded and the stocktake waits: it answers the approval request and posts nothing.
// Otherwise the differences go into p as gains and losses, and it answers 0.
func (s *Service) completeCount(ctx context.Context, tx *gorm.DB, x Session, p *posting, totals []sessionTotal) (int64, error) {
	st := s.store.with(tx)
	stk, diffs, err := s.countDiffs(st, x, p, totals)
	if err != nil {
		return 0, err
	}
	if s.approvals != nil {
		var amount int64
		for i, d := range diffs {
			v, err := money.LineAmount(abs(d.Quantity), p.vals[d.Item].unitCost())
			if err != nil {
				return 0, err
			}
			diffs[i].Value, amount = v, amount+v
			if d.Quantity < 0 {
				diffs[i].Value = -v
			}
		}
		maker := reqctx.PrincipalFrom(ctx).ID
		req, err := s.approvals.Submit(ctx, tx, []ApprovalDocument{{Type: approvalStocktake, ID: stk.ID, Number: stk.Number,
			Amount: amount, Branch: stk.Branch, Warehouse: stk.Warehouse, Maker: maker}})
		if err != nil {
			return 0, err
		}
		if req != 0 {
			return req, st.holdCount(stk, diffs, amount, x.ID, maker, req, p.now)
		}
	}
	// a count that matches the book posts an empty document: the count is on record
	p.doc.Type, p.doc.SourceType, p.doc.SourceID = DocStocktake, "stocktake", stk.ID
	return 0, p.applyDiffs(diffs)
}

// applyDiffs books count differences: gains at the current unit cost, losses at the
// moving average.
func (p *posting) applyDiffs(diffs []CountDifference) error {
	for _, d := range diffs {
		switch {
		case d.Quantity > 0:
			value, err := money.LineAmount(d.Quantity, p.vals[d.Item].unitCost())
			if err != nil {
				return err
			}
			p.in(d.Item, d.LotID, d.Quantity, value, 0, 0, 0)
		case d.Quantity < 0:
			if _, err := p.out(d.Item, []lotQty{{lot: d.LotID, q: -d.Quantity}}, false, 0, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

func sortedPairs(m map[[2]int64]int64) [][2]int64 {
	out := make([][2]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b [2]int64) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	return out
}
