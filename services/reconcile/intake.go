package reconcile

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/docno"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/warehouse"
)

// Kinds of trade lines.
const (
	KindDelivery = "delivery" // goods we delivered to a customer
	KindReturn   = "return"   // goods a customer returned
	KindReceipt  = "receipt"  // goods we received from a supplier
)

// Party types.
const (
	PartyCustomer = "customer"
	PartySupplier = "supplier"
	PartyShop     = "shop" // a platform's settlement bill of one of our shops
)

// onStockDocument turns a posted delivery to a customer or receipt from a supplier into
// trade lines, one per order line (lots of one line are added up), once: a redelivered
// event meets the unique key and changes nothing.
func (s *Service) onStockDocument(ctx context.Context, d outbox.Delivery) error {
	var ev warehouse.PostedEvent
	if err := d.Decode(&ev); err != nil {
		return err
	}
	var party, kind string
	var partyID int64
	switch {
	case ev.Type == warehouse.DocDelivery && ev.Customer != 0:
		party, partyID, kind = PartyCustomer, ev.Customer, KindDelivery
	case ev.Type == warehouse.DocReceipt && ev.Supplier != 0:
		party, partyID, kind = PartySupplier, ev.Supplier, KindReceipt
	default:
		return nil
	}
	outlet := ""
	if ev.Outlet != 0 {
		o, err := s.catalog.Outlet(ctx, ev.Customer, ev.Outlet)
		if err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
			return err
		}
		outlet = o.Code
	}
	type agg struct {
		line       int32
		item       int64
		qty, price int64
		lot        string
		lots       int
	}
	var order []int64
	byLine := map[int64]*agg{}
	for _, l := range ev.Lines {
		key := l.OrderLine
		if key == 0 {
			key = -int64(l.LineNo)
		}
		a, ok := byLine[key]
		if !ok {
			a = &agg{line: l.LineNo, item: l.Item, price: l.UnitPrice, lot: l.Lot}
			byLine[key] = a
			order = append(order, key)
		}
		a.qty += abs(l.Quantity)
		if l.Lot != a.lot {
			a.lots++
		}
	}
	date := s.localDate(ev.PostedAt)
	now := s.clock()
	var args []any
	n := 0
	for _, key := range order {
		a := byLine[key]
		it, err := s.catalog.ItemForScan(ctx, a.item)
		if err != nil {
			return err
		}
		price := a.price
		if kind == KindReceipt { // purchase prices are net: the trade line carries the gross
			if price, err = money.MulDiv(price, int64(money.BasisPoints+it.VATRateBp), money.BasisPoints); err != nil {
				return err
			}
		}
		amount, err := money.LineAmount(a.qty, price)
		if err != nil {
			return err
		}
		lot := a.lot
		if a.lots > 0 {
			lot = ""
		}
		args = append(args, party, partyID, kind, ev.Document, a.line, text.Clip(ev.OrderNumber, 40), text.Clip(ev.RetailerPO, 64), ev.Branch,
			ev.Warehouse, ev.Outlet, outlet, date, a.item, text.Clip(lot, 64), a.qty, price, amount, it.VATRateBp, now)
		n++
	}
	if n == 0 {
		return nil
	}
	return s.db.WithContext(ctx).Exec(`INSERT IGNORE INTO trade_lines (party_type, party_id, kind, source_id, line_no, doc_no, po_no,
		branch_id, warehouse_id, outlet_id, outlet_code, doc_date, item_id, lot, quantity, unit_price, amount, vat_rate_bp, created_at)
		VALUES `+db.Placeholders(n, 19), args...).Error
}

// TopicReturnRecorded carries recorded customer returns (payload {"return", "customer"}).
const TopicReturnRecorded = "reconcile.return.recorded"

// Return is a customer's return of goods, as its return note says.
type Return struct {
	ID             int64
	Number         string
	Customer       int64
	Outlet         int64
	TheirNumber    string // the retailer's return note number
	DeliveryNumber string // our delivery the goods came from, if known
	Date           time.Time
	Reason         string
	Lines          []ReturnLine
	CreatedAt      time.Time
}

// ReturnLine is one item of a return.
type ReturnLine struct {
	Item      int64
	Quantity  int64 // milli-units
	UnitPrice int64 // fen per unit including VAT
	Amount    int64 // output
}

// ResourceName names the return in the audit log.
func (r Return) ResourceName() string { return fmt.Sprintf("customerReturns/%d", r.ID) }

// RecordReturn records a customer's return note: its lines become trade lines of kind
// return. It does not move stock (goods come back through a warehouse adjustment or
// receipt). Errors: Invalid, NotFound.
func (s *Service) RecordReturn(ctx context.Context, r Return) (Return, error) {
	var v apperr.Violations
	v.Check(r.Customer > 0, "customer", "is required")
	r.TheirNumber, r.DeliveryNumber, r.Reason = strings.TrimSpace(r.TheirNumber), strings.TrimSpace(r.DeliveryNumber), strings.TrimSpace(r.Reason)
	v.Check(len(r.TheirNumber) <= 64, "theirNumber", "must be at most 64 bytes")
	v.Check(len(r.DeliveryNumber) <= 40, "deliveryNumber", "must be at most 40 bytes")
	v.Check(len(r.Reason) <= 255, "reason", "must be at most 255 bytes")
	v.Check(!r.Date.IsZero(), "date", "is required (YYYY-MM-DD)")
	if v.Check(len(r.Lines) > 0 && len(r.Lines) <= 500, "lines", "must hold 1 to 500 lines") {
		for i, l := range r.Lines {
			f := fmt.Sprintf("lines[%d]", i)
			v.Check(l.Item > 0, f+".item", "is required")
			v.Check(l.Quantity > 0, f+".quantity", "must be positive (milli-units)")
			v.Check(l.UnitPrice >= 0, f+".unitPrice", "must not be negative")
		}
	}
	if err := v.Err("invalid return"); err != nil {
		return r, err
	}
	if _, err := s.catalog.Customer(ctx, r.Customer); err != nil {
		return r, err
	}
	outlet := ""
	if r.Outlet != 0 {
		o, err := s.catalog.Outlet(ctx, r.Customer, r.Outlet)
		if err != nil {
			return r, err
		}
		outlet = o.Code
	}
	vat := make([]int32, len(r.Lines))
	for i := range r.Lines {
		it, err := s.catalog.ItemForScan(ctx, r.Lines[i].Item)
		if err != nil {
			return r, apperr.Invalid(fmt.Sprintf("lines[%d].item", i), err.Error())
		}
		vat[i] = it.VATRateBp
		if r.Lines[i].Amount, err = money.LineAmount(r.Lines[i].Quantity, r.Lines[i].UnitPrice); err != nil {
			return r, apperr.Invalid(fmt.Sprintf("lines[%d].quantity", i), "is too large")
		}
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Return, error) {
		now := s.clock()
		no, err := docno.NextN(tx, "customer_return", 0, docno.Period(r.Date, time.UTC), 1)
		if err != nil {
			return r, err
		}
		r.Number = fmt.Sprintf("CR-%s-%05d", docno.Period(r.Date, time.UTC), no)
		r.CreatedAt = now
		res := tx.Exec(`INSERT INTO customer_returns (doc_no, customer_id, outlet_id, their_doc_no, delivery_no, doc_date, reason,
			created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?)`, r.Number, r.Customer, r.Outlet, r.TheirNumber, r.DeliveryNumber,
			r.Date, r.Reason, reqctx.PrincipalFrom(ctx).ID, now)
		if res.Error != nil {
			return r, res.Error
		}
		if err := tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&r.ID).Error; err != nil {
			return r, err
		}
		var args []any
		for i, l := range r.Lines {
			args = append(args, PartyCustomer, r.Customer, KindReturn, r.ID, i+1, r.Number, r.TheirNumber, r.Outlet, outlet,
				r.Date, l.Item, l.Quantity, l.UnitPrice, l.Amount, vat[i], text.Clip(r.Reason, 255), now)
		}
		if err := tx.Exec(`INSERT INTO trade_lines (party_type, party_id, kind, source_id, line_no, doc_no, their_doc_no, outlet_id,
			outlet_code, doc_date, item_id, quantity, unit_price, amount, vat_rate_bp, reason, created_at) VALUES `+
			db.Placeholders(len(r.Lines), 17), args...).Error; err != nil {
			return r, err
		}
		return r, s.outbox.Publish(ctx, tx, outbox.Event{Topic: TopicReturnRecorded, Key: r.ResourceName(),
			Payload: map[string]int64{"return": r.ID, "customer": r.Customer}})
	})
}
