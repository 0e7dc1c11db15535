package insights

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/txn"
)

// Confirming a suggestion turns it into a warehouse document, made through the warehouse
// service's own use case (its checks, its gap-free number, its approval flow) inside the
// confirmation's transaction: the document and the suggestions' link to it commit
// together or not at all. The warehouse has no draft purchase orders: the created order
// is open, or pending_approval when a flow matches, exactly as if a person had entered it.

// Types of the documents confirmed suggestions become.
const (
	DocumentPurchaseOrder = "purchase_order"
	DocumentTransfer      = "transfer"
)

// DraftLine is one line of a document to create.
type DraftLine struct {
	ItemID    int64
	Quantity  int64 // milli-units
	UnitPrice int64 // fen per unit (purchase orders)
}

// PurchaseOrderDraft is a purchase order to create.
type PurchaseOrderDraft struct {
	SupplierID, WarehouseID int64
	Remark                  string
	Lines                   []DraftLine
}

// TransferDraft is a transfer to create.
type TransferDraft struct {
	FromWarehouseID, ToWarehouseID int64
	Remark                         string
	Lines                          []DraftLine
}

// Document is a created warehouse document.
type Document struct {
	Type   string
	ID     int64
	Number string
	Status string // at creation: open, or pending_approval
}

// Warehouse creates the documents confirmed suggestions become, inside the caller's
// transaction; the warehouse service implements it (adapted in internal/app), so
// insights does not import it. Errors: the warehouse's (Invalid naming the field,
// Forbidden for another branch's warehouse).
type Warehouse interface {
	CreatePurchaseOrderIn(ctx context.Context, tx *gorm.DB, o PurchaseOrderDraft) (Document, error)
	CreateTransferIn(ctx context.Context, tx *gorm.DB, t TransferDraft) (Document, error)
}

// ConfirmInput names a suggestion and, for an order, what the person changes.
type ConfirmInput struct {
	ID int64
	// SupplierID orders from this supplier instead of the suggested one (required when the
	// suggestion names none); 0 keeps the suggestion's.
	SupplierID int64
	// Prices are unit prices (fen per unit) by item for the order's lines; an item without
	// one here costs what the supplier charged last.
	Prices map[int64]int64
}

// Confirmation is the outcome of a confirmation.
type Confirmation struct {
	Suggestion Suggestion   // the one named
	Confirmed  []Suggestion // every suggestion of its document (an order's supplier group), itself included
	// DocumentStatus is the created document's status (open or pending_approval); "" when
	// the suggestion was confirmed before (the document may have moved on since).
	DocumentStatus string
}

// ResourceName names the confirmation in the audit log.
func (c Confirmation) ResourceName() string { return c.Suggestion.ResourceName() }

// ConfirmSuggestion confirms a suggestion for the caller and creates its document:
//   - an order suggestion confirms its supplier group, every draft order suggestion of the
//     same run, supplier and warehouse, as one purchase order (lines by item, at the
//     supplier's last price unless the input gives one);
//   - a transfer suggestion becomes a transfer of its item and quantity;
//   - an expiry suggestion is only marked confirmed (what to do with the lot is a
//     person's decision: a promotion, a return, a write-off).
//
// It is idempotent: the suggestions are locked and their document is stored in the
// transaction that creates it, so a second confirmation, or a concurrent one, answers the
// same document and creates none. Errors: Invalid naming the field (supplier_id, prices),
// NotFound, and the warehouse's (Invalid, Forbidden).
func (s *Service) ConfirmSuggestion(ctx context.Context, in ConfirmInput) (Confirmation, error) {
	var v apperr.Violations
	v.Check(in.SupplierID >= 0, "supplier_id", "must not be negative")
	for item, price := range in.Prices {
		v.Check(item > 0 && price >= 0 && price <= 1_000_000_000_00, "prices", "items must be ids, prices 0 to 10^11 fen")
	}
	if err := v.Err("invalid confirmation"); err != nil {
		return Confirmation{}, err
	}
	who := reqctx.PrincipalFrom(ctx).Name
	c, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Confirmation, error) {
		var first []Suggestion
		if err := tx.Raw(`SELECT `+suggestionColumns+` FROM insights_suggestions WHERE id = ?`, in.ID).Scan(&first).Error; err != nil {
			return Confirmation{}, err
		}
		if len(first) == 0 {
			return Confirmation{}, apperr.NotFound("suggestion", in.ID)
		}
		// lock the whole group in id order (two people confirming two suggestions of one
		// group queue instead of deadlocking), then decide on what the locks show
		x := first[0]
		q := tx.Raw(`SELECT `+suggestionColumns+` FROM insights_suggestions WHERE id = ? FOR UPDATE`, x.ID)
		if x.Kind == KindOrder {
			q = tx.Raw(`SELECT `+suggestionColumns+` FROM insights_suggestions WHERE run_date = ? AND kind = ? AND warehouse_id = ?
				AND supplier_id = ? ORDER BY id FOR UPDATE`, x.RunDate, KindOrder, x.WarehouseID, x.SupplierID)
		}
		var group []Suggestion
		if err := q.Scan(&group).Error; err != nil {
			return Confirmation{}, err
		}
		i := slices.IndexFunc(group, func(g Suggestion) bool { return g.ID == x.ID })
		if i < 0 {
			return Confirmation{}, apperr.NotFound("suggestion", in.ID) // replaced by a new run meanwhile
		}
		x = group[i]
		if x.Status != StatusDraft {
			return confirmed(x, group, ""), nil
		}
		drafts := slices.DeleteFunc(slices.Clone(group), func(g Suggestion) bool { return g.Status != StatusDraft })
		if x.Kind != KindOrder {
			drafts = []Suggestion{x}
		}
		supplier := x.SupplierID
		if x.Kind == KindOrder && in.SupplierID != 0 {
			supplier = in.SupplierID // the suggestion then names the supplier it was ordered from
		}
		var doc Document
		var err error
		switch x.Kind {
		case KindOrder:
			doc, err = s.order(ctx, tx, x.WarehouseID, supplier, x.RunDate, drafts, in.Prices)
		case KindTransfer:
			doc, err = s.transfer(ctx, tx, x)
		}
		if err != nil {
			return Confirmation{}, err
		}
		ids := make([]int64, len(drafts))
		for k := range drafts {
			ids[k] = drafts[k].ID
		}
		if err := tx.Exec(`UPDATE insights_suggestions SET status = ?, confirmed_by = ?, supplier_id = ?, document_type = ?,
			document_id = ?, document_number = ?, updated_at = ? WHERE id IN ? AND status = ?`, StatusConfirmed, who, supplier,
			doc.Type, doc.ID, doc.Number, s.now().UTC(), ids, StatusDraft).Error; err != nil {
			return Confirmation{}, err
		}
		for k := range group {
			if slices.Contains(ids, group[k].ID) {
				g := &group[k]
				g.Status, g.ConfirmedBy, g.SupplierID = StatusConfirmed, who, supplier
				g.DocumentType, g.DocumentID, g.DocumentNumber = doc.Type, doc.ID, doc.Number
			}
		}
		return confirmed(group[i], group, doc.Status), nil
	})
	if err != nil {
		return c, err
	}
	// names are not stored with the outcome (a replay names them as they are now)
	list := append([]Suggestion{c.Suggestion}, c.Confirmed...)
	if err := s.nameSuggestions(ctx, list); err != nil {
		return c, err
	}
	c.Suggestion, c.Confirmed = list[0], list[1:]
	return c, nil
}

// confirmed answers x with the suggestions of the group that share its document (x alone
// when it has none).
func confirmed(x Suggestion, group []Suggestion, status string) Confirmation {
	c := Confirmation{Suggestion: x, DocumentStatus: status}
	for _, g := range group {
		if g.ID == x.ID || x.DocumentID != 0 && g.DocumentType == x.DocumentType && g.DocumentID == x.DocumentID {
			c.Confirmed = append(c.Confirmed, g)
		}
	}
	return c
}

// order creates the purchase order of a supplier group: one line per suggestion, by item.
func (s *Service) order(ctx context.Context, tx *gorm.DB, warehouse, supplier int64, run string, drafts []Suggestion,
	prices map[int64]int64) (Document, error) {
	if s.warehouse == nil {
		return Document{}, fmt.Errorf("insights: no warehouse to create purchase orders in")
	}
	if supplier == 0 {
		return Document{}, apperr.Invalid("supplier_id", "no supplier has delivered this item yet: name the supplier to order from")
	}
	slices.SortFunc(drafts, func(a, b Suggestion) int { return cmp.Compare(a.ItemID, b.ItemID) })
	items := make([]int64, len(drafts))
	for k, d := range drafts {
		items[k] = d.ItemID
	}
	price, err := lastPrices(tx, supplier, items)
	if err != nil {
		return Document{}, err
	}
	o := PurchaseOrderDraft{SupplierID: supplier, WarehouseID: warehouse, Remark: "replenishment suggestion of " + run}
	var v apperr.Violations
	for _, d := range drafts {
		p, ok := prices[d.ItemID]
		if !ok {
			p, ok = price[d.ItemID]
		}
		v.Check(ok, "prices", fmt.Sprintf("item %d has no earlier price from supplier %d: give its unit price", d.ItemID, supplier))
		o.Lines = append(o.Lines, DraftLine{ItemID: d.ItemID, Quantity: d.Quantity, UnitPrice: p})
	}
	if err := v.Err("invalid confirmation"); err != nil {
		return Document{}, err
	}
	return s.warehouse.CreatePurchaseOrderIn(ctx, tx, o)
}

// transfer creates the transfer of a transfer suggestion.
func (s *Service) transfer(ctx context.Context, tx *gorm.DB, x Suggestion) (Document, error) {
	if s.warehouse == nil {
		return Document{}, fmt.Errorf("insights: no warehouse to create transfers in")
	}
	return s.warehouse.CreateTransferIn(ctx, tx, TransferDraft{FromWarehouseID: x.FromWarehouseID, ToWarehouseID: x.WarehouseID,
		Remark: "replenishment suggestion of " + x.RunDate, Lines: []DraftLine{{ItemID: x.ItemID, Quantity: x.Quantity}}})
}

// lastPrices answers what the supplier charged last for each item (its latest purchase
// order line not cancelled or rejected; read-only from the warehouse's tables, like the
// supplier of the suggestion).
func lastPrices(tx *gorm.DB, supplier int64, items []int64) (map[int64]int64, error) {
	var rows []struct{ ItemID, UnitCost int64 }
	if err := tx.Raw(`SELECT l.item_id, l.unit_cost FROM purchase_order_lines l JOIN purchase_orders po ON po.id = l.purchase_order_id
		WHERE po.supplier_id = ? AND l.item_id IN ? AND po.status NOT IN ('cancelled', 'rejected') ORDER BY po.id, l.line_no`,
		supplier, items).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.ItemID] = r.UnitCost
	}
	return out, nil
}
