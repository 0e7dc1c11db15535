package warehouse

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/catalog"
)

// Stocktakes under approval. Completing a count whose differences a stocktake flow
// matches records the differences (item, lot, signed quantity, and their value when
// counted) and leaves the stocktake pending_approval; nothing moves. Approval posts exactly
// those quantities as the stocktake's SC document, valued like any posting at the cost of
// the moment. Rejection leaves the stocktake rejected with the comment, and it can be
// counted again (a new session); so can a failed one, whose approved differences could no
// longer be posted because a loss is larger than what is on hand by then (unless the
// warehouse allows negative stock). A new count replaces the recorded differences.

// decideCount applies an outcome to a stocktake whose count waits for request
// ev.Request: approval posts the recorded differences in one transaction (or, when they
// can no longer be posted, marks the stocktake failed with the reason in another);
// rejection marks it rejected with the comment.
func (s *Service) decideCount(ctx context.Context, ev approvalDecided) error {
	err := txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		st := s.store.with(tx)
		stk, err := st.stocktake(ev.Document, true)
		if apperr.IsKind(err, apperr.KindNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if stk.Status != StatusPendingApproval || stk.ApprovalRequest != ev.Request {
			return nil // decided already (a redelivery), or a superseded request
		}
		now := s.clock()
		if ev.Outcome != outcomeApproved {
			return st.settleCount(stk.ID, ev.Request, StatusRejected, ev.Comment, "", 0, now)
		}
		w, err := s.catalog.Warehouse(ctx, stk.Warehouse)
		if err != nil {
			return err
		}
		doc, err := s.postCounted(ctx, tx, w, stk)
		if err != nil {
			return notPostable(err)
		}
		return st.settleCount(stk.ID, ev.Request, StatusPosted, ev.Comment, "", doc.ID, now)
	})
	var np errNotPostable
	if errors.As(err, &np) {
		return txn.Run(ctx, s.db, func(tx *gorm.DB) error {
			return s.store.with(tx).settleCount(ev.Document, ev.Request, StatusFailed, ev.Comment, np.reason, 0, s.clock())
		})
	}
	if err == nil {
		s.outbox.Notify()
	}
	return err
}

// postCounted posts a stocktake's recorded differences in tx, as the one who counted.
// Errors: ErrInsufficient (a loss larger than the lot's stock now, where stock may not go
// below zero).
func (s *Service) postCounted(ctx context.Context, tx *gorm.DB, w catalog.Warehouse, stk Stocktake) (StockDocument, error) {
	st := s.store.with(tx)
	diffs, err := st.countDifferences(stk.ID)
	if err != nil {
		return StockDocument{}, err
	}
	p := s.newPosting(st, Session{ID: stk.Session, Warehouse: stk.Warehouse, Branch: stk.Branch}, DocStocktake, s.clock())
	p.doc.SourceType, p.doc.SourceID, p.doc.PostedBy = "stocktake", stk.ID, stk.CountedBy
	var items []int64
	for _, d := range diffs {
		if len(items) == 0 || items[len(items)-1] != d.Item { // sorted by item
			items = append(items, d.Item)
		}
	}
	// item rows first, then their lots (the one lock order)
	if err := p.lock(items); err != nil {
		return StockDocument{}, err
	}
	if !w.AllowNegativeStock && len(items) > 0 {
		onHand, err := st.lockLevels(stk.Warehouse, items)
		if err != nil {
			return StockDocument{}, err
		}
		for _, d := range diffs {
			if have := onHand[[2]int64{d.Item, d.LotID}]; d.Quantity < 0 && have+d.Quantity < 0 {
				lot := d.Lot
				if lot == "" {
					lot = "-"
				}
				return StockDocument{}, ErrInsufficient.With("item", fmt.Sprint(d.Item)).Withf(
					"item %d lot %s: the count found %s less than the book, but only %s is on hand now; count again",
					d.Item, lot, qty(-d.Quantity), qty(have))
			}
		}
	}
	if err := p.applyDiffs(diffs); err != nil {
		return StockDocument{}, err
	}
	if err := p.write(ctx, tx); err != nil {
		return StockDocument{}, err
	}
	return p.doc, nil
}
