package warehouse

import (
	"fmt"
	"strconv"
	"time"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/barcode"
)

// Document statuses.
const (
	StatusOpen              = "open"
	StatusPartiallyReceived = "partially_received"
	StatusReceived          = "received"
	StatusPartiallyShipped  = "partially_shipped"
	StatusShipped           = "shipped"
	StatusInTransit         = "in_transit"
	StatusCancelled         = "cancelled"
	StatusPosted            = "posted"
	// StatusFailed: approved, but the document could no longer be posted (adjustments,
	// stocktakes); nothing moved, the reason is kept.
	StatusFailed = "failed"
)

// maxLines bounds the lines of one document.
const maxLines = 500

// Line is a line of a purchase order, delivery order or transfer.
type Line struct {
	ID        int64
	LineNo    int32
	Item      int64
	Quantity  int64 // ordered, milli-units
	Done      int64 // received / shipped (posted)
	Held      int64 // scanned / picked in open sessions
	UnitPrice int64 // fen per unit (cost for purchases, price for sales)
	Received  int64 // transfers: received at the destination
	Receiving int64 // transfers: scanned in at the destination, not posted
	Reserved  bool  // delivery lines whose stock the order hub reserved
}

// PurchaseOrder is what a supplier delivers.
type PurchaseOrder struct {
	ID           int64
	Number       string
	Branch       int64
	Supplier     int64
	Warehouse    int64
	Status       string
	ExpectedDate *barcode.Date
	Remark       string
	Lines        []Line
	CreatedBy    int64
	CreateTime   time.Time
	// ApprovalComment is the approver's comment of the last approval outcome.
	ApprovalComment string
}

// ResourceName names the order in the audit log.
func (p PurchaseOrder) ResourceName() string { return "purchaseOrders/" + strconv.FormatInt(p.ID, 10) }

// DeliveryOrder is what we ship to a customer.
type DeliveryOrder struct {
	ID               int64
	Number           string
	Branch           int64
	Warehouse        int64
	Customer         int64
	Outlet           int64
	RetailerPONumber string
	Source           string
	Status           string
	RequestedDate    *barcode.Date
	Remark           string
	Lines            []Line
	CreatedBy        int64
	CreateTime       time.Time
	// ApprovalComment is the approver's comment of the last approval outcome.
	ApprovalComment string
}

// ResourceName names the order in the audit log.
func (d DeliveryOrder) ResourceName() string { return "deliveryOrders/" + strconv.FormatInt(d.ID, 10) }

// Transfer moves stock between warehouses.
type Transfer struct {
	ID            int64
	Number        string
	Branch        int64
	FromWarehouse int64
	ToWarehouse   int64
	Status        string
	Remark        string
	Lines         []Line
	CreatedBy     int64
	CreateTime    time.Time
}

// ResourceName names the transfer in the audit log.
func (t Transfer) ResourceName() string { return "transfers/" + strconv.FormatInt(t.ID, 10) }

// Stocktake is a count of one warehouse.
type Stocktake struct {
	ID          int64
	Number      string
	Branch      int64
	Warehouse   int64
	Status      string // open, pending_approval, rejected, failed, posted
	Remark      string
	CountedOnly bool
	Document    int64
	CreatedBy   int64
	CreateTime  time.Time
	// The last count that went through approval: its request, the approver's comment, why
	// it could not be posted (failed), the session counted and who completed it, its
	// differences and their value at cost (absolute values summed, fen).
	ApprovalRequest int64
	ApprovalComment string
	Failure         string
	Session         int64
	CountedBy       int64
	Differences     []CountDifference
	Amount          int64
}

// CountDifference is one difference a count found: counted minus book, per item and lot.
type CountDifference struct {
	Item     int64
	LotID    int64
	Lot      string // shown, not stored
	Quantity int64  // signed milli-units; positive is a gain
	Value    int64  // signed fen at the unit cost when counted
}

// countable says whether a stocktake takes a (new) count: open, or its last count was
// rejected in approval or could not be posted. Errors: ErrCountAwaitingApproval,
// ErrDocumentClosed.
func (s Stocktake) countable() error {
	switch s.Status {
	case StatusOpen, StatusRejected, StatusFailed:
		return nil
	case StatusPendingApproval:
		return ErrCountAwaitingApproval
	}
	return ErrDocumentClosed
}

// ResourceName names the stocktake in the audit log.
func (s Stocktake) ResourceName() string { return "stocktakes/" + strconv.FormatInt(s.ID, 10) }

// AdjustmentLine is one manual correction.
type AdjustmentLine struct {
	Item     int64
	Lot      string
	Quantity int64 // signed milli-units
	Expiry   *barcode.Date
	UnitCost int64 // fen per unit for additions; 0 = current average
}

// Adjustment is a manual correction with a reason. One that no approval flow matches is
// posted at once and is only its stock document; one that a flow matches is stored (ID,
// Number) with its lines and waits for the outcome.
type Adjustment struct {
	ID        int64
	Number    string
	Branch    int64
	Warehouse int64
	Reason    string
	Lines     []AdjustmentLine
	// Status is posted, pending_approval, rejected or failed (approved, but it could no
	// longer be posted: Failure says why; nothing moved).
	Status          string
	Amount          int64 // the lines' value at cost, absolute values summed, fen
	ApprovalRequest int64
	ApprovalComment string
	Failure         string
	Document        int64 // the posted stock document
	CreatedBy       int64
	CreateTime      time.Time
}

// ResourceName names a stored adjustment in the audit log.
func (a Adjustment) ResourceName() string { return "adjustments/" + strconv.FormatInt(a.ID, 10) }

// AdjustmentResult answers CreateAdjustment: the adjustment (its Status says posted or
// pending_approval) and, when it was posted at once, its document.
type AdjustmentResult struct {
	Adjustment Adjustment
	Document   StockDocument
}

// ResourceName names what was made: the posted document, or the stored adjustment.
func (r AdjustmentResult) ResourceName() string {
	if r.Document.ID != 0 {
		return r.Document.ResourceName()
	}
	return r.Adjustment.ResourceName()
}

// validateLines checks order lines: 1-500, items given, positive quantities, prices not
// negative.
func validateLines(v *apperr.Violations, prefix string, lines []Line, priced bool) {
	if len(lines) == 0 {
		v.Add(prefix+".lines", "needs at least one line")
	}
	if len(lines) > maxLines {
		v.Addf(prefix+".lines", "at most %d lines", maxLines)
		return
	}
	for i, l := range lines {
		f := fmt.Sprintf("%s.lines[%d]", prefix, i)
		v.Check(l.Item > 0, f+".item", "must be an item id")
		v.Check(l.Quantity > 0 && l.Quantity <= 1_000_000_000_000, f+".quantity", "must be 1 to 10^12 milli-units")
		if priced {
			v.Check(l.UnitPrice >= 0 && l.UnitPrice <= 1_000_000_000_00, f+".unit_price", "must be 0 to 10^11 fen")
		}
	}
}

func (p PurchaseOrder) validate() error {
	var v apperr.Violations
	v.Check(p.Supplier > 0, "purchase_order.supplier", "must be a supplier id")
	v.Check(p.Warehouse > 0, "purchase_order.warehouse", "must be a warehouse id")
	v.Check(len(p.Remark) <= 255, "purchase_order.remark", "must be at most 255 bytes")
	validateLines(&v, "purchase_order", p.Lines, true)
	return v.Err("invalid purchase order")
}

func (d DeliveryOrder) validate() error {
	var v apperr.Violations
	v.Check(d.Customer > 0 || d.Customer == 0 && d.Source != "", "delivery_order.customer", "must be a customer id")
	v.Check(d.Warehouse > 0, "delivery_order.warehouse", "must be a warehouse id")
	v.Check(d.Outlet >= 0, "delivery_order.outlet", "must be an outlet id")
	v.Check(len(d.RetailerPONumber) <= 64, "delivery_order.retailer_po_number", "must be at most 64 characters")
	v.Check(len(d.Remark) <= 255, "delivery_order.remark", "must be at most 255 bytes")
	v.Check(len(d.Source) <= 64, "delivery_order.source", "must be at most 64 characters")
	validateLines(&v, "delivery_order", d.Lines, true)
	return v.Err("invalid delivery order")
}

func (t Transfer) validate() error {
	var v apperr.Violations
	v.Check(t.FromWarehouse > 0, "transfer.from_warehouse", "must be a warehouse id")
	v.Check(t.ToWarehouse > 0, "transfer.to_warehouse", "must be a warehouse id")
	v.Check(t.FromWarehouse != t.ToWarehouse, "transfer.to_warehouse", "must differ from the source warehouse")
	v.Check(len(t.Remark) <= 255, "transfer.remark", "must be at most 255 bytes")
	validateLines(&v, "transfer", t.Lines, false)
	return v.Err("invalid transfer")
}

func (a Adjustment) validate() error {
	var v apperr.Violations
	v.Check(a.Warehouse > 0, "adjustment.warehouse", "must be a warehouse id")
	v.Check(a.Reason != "" && len(a.Reason) <= 255, "adjustment.reason", "is required (at most 255 bytes)")
	if len(a.Lines) == 0 || len(a.Lines) > 200 {
		v.Add("adjustment.lines", "needs 1-200 lines")
	}
	for i, l := range a.Lines {
		f := fmt.Sprintf("adjustment.lines[%d]", i)
		v.Check(l.Item > 0, f+".item", "must be an item id")
		v.Check(l.Quantity != 0 && l.Quantity > -1_000_000_000_000 && l.Quantity < 1_000_000_000_000, f+".quantity",
			"must be a non-zero signed quantity in milli-units")
		v.Check(len(l.Lot) <= 20, f+".lot", "must be at most 20 characters")
		v.Check(l.UnitCost >= 0 && l.UnitCost <= 1_000_000_000_00, f+".unit_cost", "must be 0 to 10^11 fen")
	}
	return v.Err("invalid adjustment")
}

// receivingStatus is a purchase order's status from its lines.
func receivingStatus(lines []Line) string {
	return progressStatus(lines, StatusReceived, StatusPartiallyReceived)
}

// shippingStatus is a delivery order's status from its lines.
func shippingStatus(lines []Line) string {
	return progressStatus(lines, StatusShipped, StatusPartiallyShipped)
}

func progressStatus(lines []Line, done, partial string) string {
	all, any := true, false
	for _, l := range lines {
		if l.Done < l.Quantity {
			all = false
		}
		if l.Done > 0 {
			any = true
		}
	}
	switch {
	case all:
		return done
	case any:
		return partial
	}
	return StatusOpen
}

// parseDate reads an optional YYYY-MM-DD.
func parseDate(v *apperr.Violations, field, s string) *barcode.Date {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		v.Add(field, "must be a date YYYY-MM-DD")
		return nil
	}
	d := barcode.DateOf(t)
	return &d
}

// Errors of the warehouse use cases.
var (
	ErrDocumentClosed = apperr.Refused("DOCUMENT_CLOSED", "the document is not open")
	ErrSessionClosed  = apperr.Refused("SESSION_CLOSED", "the scan session is not open")
	ErrShortage       = apperr.Refused("SHORTAGE", "lines are short: complete with allow_partial to post a partial delivery and leave the rest open")
	ErrNothingScanned = apperr.Refused("NOTHING_SCANNED", "the session has no accepted scans to post")
	ErrInsufficient   = apperr.Refused("INSUFFICIENT_STOCK", "not enough stock")
	ErrInUse          = apperr.Refused("DOCUMENT_IN_USE", "the document has open scan sessions")
)
