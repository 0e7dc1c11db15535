package warehouse

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/page"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/catalog"
)

// Manual adjustments. One that no stock_adjustment approval flow matches posts at once, as
// it always did, and is only its SA stock document. One that a flow matches (on its value
// at cost) is stored with its lines as asked (an AJ number, pending_approval) and moves
// nothing; approval posts it in one transaction with the same checks as at once (a removal
// must still be available); when it can no longer be posted it stays failed with the
// reason and nothing moves; rejection leaves it rejected with the approver's comment.

// CreateAdjustment posts a manual correction at once, or stores it to wait for approval
// when a stock_adjustment flow matches its value. Errors: Invalid, Forbidden,
// ErrInsufficient (a removal larger than what is available).
func (s *Service) CreateAdjustment(ctx context.Context, a Adjustment) (AdjustmentResult, error) {
	if err := a.validate(); err != nil {
		return AdjustmentResult{}, err
	}
	w, err := s.warehouseFor(ctx, a.Warehouse, "adjustment.warehouse")
	if err != nil {
		return AdjustmentResult{}, err
	}
	var v apperr.Violations
	for i, l := range a.Lines {
		it, err := s.catalog.ItemForScan(ctx, l.Item)
		switch {
		case apperr.IsKind(err, apperr.KindNotFound):
			v.Addf(fmt.Sprintf("adjustment.lines[%d].item", i), "item %d does not exist", l.Item)
		case err != nil:
			return AdjustmentResult{}, err
		case it.LotTracked && l.Lot == "":
			v.Add(fmt.Sprintf("adjustment.lines[%d].lot", i), "is required for a lot-tracked item")
		}
	}
	if err := v.Err("invalid adjustment"); err != nil {
		return AdjustmentResult{}, err
	}
	a.Branch, a.CreatedBy = w.Branch, reqctx.PrincipalFrom(ctx).ID
	res, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) (AdjustmentResult, error) {
		st := s.store.with(tx)
		if s.approvals != nil {
			amount, err := adjustmentValue(st, w.ID, a.Lines)
			if err != nil {
				return AdjustmentResult{}, err
			}
			a.Amount = amount
			need, err := s.approvals.Needed(ctx, tx, a.approvalDocument())
			if err != nil {
				return AdjustmentResult{}, err
			}
			if need {
				return s.holdAdjustment(ctx, tx, w, a)
			}
		}
		doc, err := s.postAdjustment(ctx, tx, w, a)
		if err != nil {
			return AdjustmentResult{}, err
		}
		a.Status, a.Document = StatusPosted, doc.ID
		return AdjustmentResult{Adjustment: a, Document: doc}, nil
	})
	if err == nil {
		s.outbox.Notify()
	}
	return res, err
}

func (a Adjustment) approvalDocument() ApprovalDocument {
	return ApprovalDocument{Type: approvalStockAdjustment, ID: a.ID, Number: a.Number, Amount: a.Amount, Branch: a.Branch,
		Warehouse: a.Warehouse, Maker: a.CreatedBy}
}

// holdAdjustment stores an adjustment that a flow matched and submits it, in tx. Its
// removals are checked against what is available now (without locking: approval checks
// again under locks), so an adjustment that could not be posted today is refused at once.
func (s *Service) holdAdjustment(ctx context.Context, tx *gorm.DB, w catalog.Warehouse, a Adjustment) (AdjustmentResult, error) {
	st := s.store.with(tx)
	if _, err := s.removalLots(ctx, st, w, a, false); err != nil {
		return AdjustmentResult{}, err
	}
	var err error
	if a.Number, err = s.number(ctx, tx, "AJ", a.Branch); err != nil {
		return AdjustmentResult{}, err
	}
	a.Status = StatusPendingApproval
	if a, err = st.insertAdjustment(a, s.clock()); err != nil {
		return AdjustmentResult{}, err
	}
	req, err := s.approvals.Submit(ctx, tx, []ApprovalDocument{a.approvalDocument()})
	if err != nil {
		return AdjustmentResult{}, err
	}
	if req == 0 {
		// Needed and Submit read the flows in one snapshot, so this does not happen; if it
		// did, no approval is needed and the adjustment posts now.
		doc, err := s.postAdjustment(ctx, tx, w, a)
		if err != nil {
			return AdjustmentResult{}, err
		}
		a.Status, a.Document = StatusPosted, doc.ID
		return AdjustmentResult{Adjustment: a, Document: doc}, st.settleAdjustment(a.ID, 0, StatusPosted, "", "", doc.ID, s.clock())
	}
	a.ApprovalRequest = req
	return AdjustmentResult{Adjustment: a}, st.setAdjustmentRequest(a.ID, req)
}

// adjustmentValue is what an adjustment's lines are worth at cost, absolute values summed,
// fen: additions at their unit cost (the current average cost when none is given),
// removals at the current average cost — the value each line would post at. The
// valuations are read without locks: the amount only picks an approval flow.
func adjustmentValue(st store, wh int64, lines []AdjustmentLine) (int64, error) {
	items := make([]int64, 0, len(lines))
	for _, l := range lines {
		items = append(items, l.Item)
	}
	vals, err := st.valuations(wh, items)
	if err != nil {
		return 0, err
	}
	var total int64
	for i, l := range lines {
		cost := l.UnitCost
		if l.Quantity < 0 || cost == 0 {
			cost = vals[l.Item].unitCost()
		}
		v, err := money.LineAmount(abs(l.Quantity), cost)
		if err != nil || v > math.MaxInt64-total {
			return 0, apperr.Invalid(fmt.Sprintf("adjustment.lines[%d]", i), "the adjustment's value at cost is too large")
		}
		total += v
	}
	return total, nil
}

// removalLots resolves the lot of every removal line (0 for items without lots) and checks
// that the quantity is available, unless the warehouse allows negative stock; lock takes
// the stock rows (posting), otherwise they are only read (an early check). It answers the
// lot id per line index. Errors: Invalid (a lot the item does not have), ErrInsufficient.
func (s *Service) removalLots(ctx context.Context, st store, w catalog.Warehouse, a Adjustment, lock bool) (map[int]int64, error) {
	lots := map[int]int64{}
	for i, l := range a.Lines {
		if l.Quantity > 0 {
			continue
		}
		it, err := s.catalog.ItemForScan(ctx, l.Item)
		if err != nil {
			return nil, err
		}
		var lot int64
		if it.LotTracked {
			known, found, err := st.lotByNo(l.Item, l.Lot)
			if err != nil {
				return nil, err
			}
			if !found {
				return nil, apperr.Invalid(fmt.Sprintf("adjustment.lines[%d].lot", i), "no such lot of the item")
			}
			lot = known.ID
		}
		lots[i] = lot
		if w.AllowNegativeStock {
			continue
		}
		ok, err := st.available(w.ID, l.Item, lot, -l.Quantity, lock)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrInsufficient.With("line", fmt.Sprint(i)).Withf(
				"line %d: not enough %s available to remove %s", i+1, it.SKU, qty(-l.Quantity))
		}
	}
	return lots, nil
}

// postAdjustment posts an adjustment's lines in tx: additions (a new lot is created as
// given) at their unit cost or the current average, removals at the moving average once
// they are found available. A stored adjustment's document names it as its source and
// its maker as who posted it. Errors: Invalid, ErrInsufficient.
func (s *Service) postAdjustment(ctx context.Context, tx *gorm.DB, w catalog.Warehouse, a Adjustment) (StockDocument, error) {
	st := s.store.with(tx)
	p := s.newPosting(st, Session{Warehouse: w.ID, Branch: w.Branch}, DocAdjustment, s.clock())
	p.doc.Reason = a.Reason
	if a.ID != 0 {
		p.doc.SourceType, p.doc.SourceID, p.doc.PostedBy = "adjustment", a.ID, a.CreatedBy
	}
	items := make([]int64, 0, len(a.Lines))
	for _, l := range a.Lines {
		items = append(items, l.Item)
	}
	// item rows first, then their lots (the one lock order)
	if err := p.lock(items); err != nil {
		return StockDocument{}, err
	}
	lots, err := s.removalLots(ctx, st, w, a, true)
	if err != nil {
		return StockDocument{}, err
	}
	// lines in the order given, as they always posted
	for i, l := range a.Lines {
		if l.Quantity < 0 {
			if _, err := p.out(l.Item, []lotQty{{lot: lots[i], q: -l.Quantity}}, false, 0, 0); err != nil {
				return StockDocument{}, err
			}
			continue
		}
		it, err := s.catalog.ItemForScan(ctx, l.Item)
		if err != nil {
			return StockDocument{}, err
		}
		var lot int64
		if it.LotTracked {
			if lot, err = st.ensureLot(l.Item, l.Lot, nil, l.Expiry, p.now); err != nil {
				return StockDocument{}, err
			}
		}
		cost := l.UnitCost
		if cost == 0 {
			cost = p.vals[l.Item].unitCost()
		}
		value, err := money.LineAmount(l.Quantity, cost)
		if err != nil {
			return StockDocument{}, err
		}
		p.in(l.Item, lot, l.Quantity, value, l.UnitCost, 0, 0)
	}
	if err := p.write(ctx, tx); err != nil {
		return StockDocument{}, err
	}
	return p.doc, nil
}

// decideAdjustment applies an outcome to a stored adjustment: approval posts it, in one
// transaction, if it is still waiting for this request; if it can no longer be posted
// (not enough stock by now) nothing moves and it is marked failed with the reason, in a
// transaction of its own; rejection marks it rejected with the comment.
func (s *Service) decideAdjustment(ctx context.Context, ev approvalDecided) error {
	err := txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		st := s.store.with(tx)
		a, err := st.adjustment(ev.Document, true)
		if apperr.IsKind(err, apperr.KindNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if a.Status != StatusPendingApproval || a.ApprovalRequest != ev.Request {
			return nil // decided already (a redelivery), or a superseded request
		}
		now := s.clock()
		if ev.Outcome != outcomeApproved {
			return st.settleAdjustment(a.ID, ev.Request, StatusRejected, ev.Comment, "", 0, now)
		}
		w, err := s.catalog.Warehouse(ctx, a.Warehouse)
		if err != nil {
			return err
		}
		doc, err := s.postAdjustment(ctx, tx, w, a)
		if err != nil {
			return notPostable(err)
		}
		return st.settleAdjustment(a.ID, ev.Request, StatusPosted, ev.Comment, "", doc.ID, now)
	})
	var np errNotPostable
	if errors.As(err, &np) {
		return txn.Run(ctx, s.db, func(tx *gorm.DB) error {
			return s.store.with(tx).settleAdjustment(ev.Document, ev.Request, StatusFailed, ev.Comment, np.reason, 0, s.clock())
		})
	}
	if err == nil {
		s.outbox.Notify()
	}
	return err
}

// GetAdjustment answers a stored adjustment (one that went through approval). Errors:
// NotFound, Forbidden.
func (s *Service) GetAdjustment(ctx context.Context, id int64) (Adjustment, error) {
	a, err := s.read(ctx).adjustment(id, false)
	if err != nil {
		return a, err
	}
	return a, checkBranch(ctx, a.Branch)
}

// ListAdjustments pages through stored adjustments, newest first. Errors: Invalid (page,
// status).
func (s *Service) ListAdjustments(ctx context.Context, size int32, token string, f OrderFilter) ([]Adjustment, string, error) {
	switch f.Status {
	case "", StatusPendingApproval, StatusPosted, StatusRejected, StatusFailed:
	default:
		return nil, "", apperr.Invalid("status", "must be pending_approval, posted, rejected or failed")
	}
	pr, err := page.Parse(size, token, f.Warehouse, f.Status)
	if err != nil {
		return nil, "", err
	}
	f.Branches, f.Party = branchScope(ctx), 0
	ids, next, err := s.read(ctx).listIDs("stock_adjustments", "", pr, f)
	if err != nil {
		return nil, "", err
	}
	out := make([]Adjustment, 0, len(ids))
	for _, id := range ids {
		a, err := s.read(ctx).adjustment(id, false)
		if err != nil {
			return nil, "", err
		}
		out = append(out, a)
	}
	return out, next, nil
}
