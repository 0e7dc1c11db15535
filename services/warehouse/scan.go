package warehouse

import (
	"fmt"
	"time"

	"github.com/erphub/erphub/internal/barcode"
	"github.com/erphub/erphub/services/catalog"
)

// SessionKind is what a scan session does.
type SessionKind string

// Session kinds.
const (
	KindReceive     SessionKind = "receive"
	KindShip        SessionKind = "ship"
	KindTransferOut SessionKind = "transfer_out"
	KindTransferIn  SessionKind = "transfer_in"
	KindStocktake   SessionKind = "stocktake"
)

// outbound kinds take stock out of the warehouse.
func (k SessionKind) outbound() bool { return k == KindShip || k == KindTransferOut }

// Scan refusal reasons (stable; clients branch on them).
const (
	ReasonUnknownBarcode    = "UNKNOWN_BARCODE"
	ReasonNotOnOrder        = "NOT_ON_ORDER"
	ReasonOverQuantity      = "OVER_QUANTITY"
	ReasonLotRequired       = "LOT_REQUIRED"
	ReasonLotExpired        = "LOT_EXPIRED"
	ReasonLotShortDated     = "LOT_SHORT_DATED"
	ReasonNotFEFO           = "NOT_FEFO"
	ReasonBadBarcode        = "BAD_BARCODE"
	ReasonQuantityRequired  = "QUANTITY_REQUIRED"
	ReasonInsufficientStock = "INSUFFICIENT_STOCK"
	ReasonLotMismatch       = "LOT_MISMATCH"
	ReasonItemInactive      = "ITEM_INACTIVE"
)

// LineProgress is how far one document line is.
type LineProgress struct {
	Line      int64
	Item      int64
	Ordered   int64
	Expected  int64 // still open when the session began (stocktake: book quantity)
	Scanned   int64 // accepted in this session
	TotalDone int64 // posted plus held by open sessions
}

// ScanResult is the answer to one scan.
type ScanResult struct {
	Accepted bool
	Reason   string
	Detail   string
	Warning  string
	Item     int64
	SKU      string
	Lot      string
	LotID    int64
	Expiry   *barcode.Date
	Quantity int64
	ScanID   string
	Line     *LineProgress
	Replayed bool
}

// refuse builds a refusal.
func refuse(reason, format string, args ...any) ScanResult {
	return ScanResult{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// reading is what one label says: lot, dates and quantity.
type reading struct {
	lot        string
	expiry     *barcode.Date
	production *barcode.Date
	quantity   int64
}

// readLabel derives the lot, expiry and quantity of a scan from the parsed code, the
// item, what one scan of the code stands for (perScan: a unit or a pack), a quantity
// carried by a variable-measure code (measured) and the quantity the client typed.
//
// Quantity, in this order: the weight in the code for weighed items (AI 310n/320n or a
// scale code), the client's quantity, a weighed item without either is refused; otherwise
// the code's pack quantity times the count in AI 37 (or 30), or one.
//
// Expiry: AI 17, else best-before AI 15, else production date AI 11 plus the item's shelf
// life (GS1 General Specifications 3.4: dates YYMMDD).
func readLabel(sc barcode.Scan, it catalog.Item, perScan, measured, clientQty int64) (reading, *ScanResult) {
	var r reading
	if it.LotTracked {
		r.lot = sc.Lot
	}
	switch {
	case !sc.Expiry.IsZero():
		d := sc.Expiry
		r.expiry = &d
	case !sc.BestBefore.IsZero():
		d := sc.BestBefore
		r.expiry = &d
	}
	if !sc.ProductionDate.IsZero() {
		d := sc.ProductionDate
		r.production = &d
		if r.expiry == nil && it.ShelfLifeDays > 0 {
			e := barcode.DateOf(d.Time().AddDate(0, 0, int(it.ShelfLifeDays)))
			r.expiry = &e
		}
	}
	switch {
	case it.Weighed && measured > 0:
		r.quantity = measured
	case it.Weighed && sc.NetWeight != nil:
		q, err := sc.NetWeight.Milli()
		if err != nil {
			res := refuse(ReasonBadBarcode, "net weight: %v", err)
			return r, &res
		}
		r.quantity = q
	case clientQty > 0:
		r.quantity = clientQty
	case it.Weighed:
		res := refuse(ReasonQuantityRequired, "%s is sold by weight: scan a label with the net weight or send the quantity", it.SKU)
		return r, &res
	default:
		count := int64(1)
		switch {
		case sc.Count >= 0:
			count = sc.Count
		case sc.VariableCount >= 0:
			count = sc.VariableCount
		}
		r.quantity = perScan * count
	}
	if r.quantity <= 0 || r.quantity > 1_000_000_000_000 {
		res := refuse(ReasonQuantityRequired, "quantity %d is not a positive number of milli-units", r.quantity)
		return r, &res
	}
	return r, nil
}

// lotStock is a lot with what is available of it in a warehouse.
type lotStock struct {
	ID        int64
	No        string
	Expiry    *barcode.Date
	Available int64
}

// shipRules are the rules a lot must meet to leave the warehouse.
type shipRules struct {
	today        barcode.Date
	minShelfDays int32  // the customer's minimum remaining shelf life (0 = none)
	fefo         string // block, warn or off
}

// shippable reports whether a lot may go to the customer at all (not expired, enough
// shelf life left).
func (r shipRules) shippable(l lotStock) bool {
	if l.Expiry == nil {
		return true
	}
	return !l.Expiry.Before(r.today) && daysBetween(r.today, *l.Expiry) >= int(r.minShelfDays)
}

// check decides on a scanned lot given the other lots of the item with stock here. It
// answers a refusal, or a warning for an accepted scan.
func (r shipRules) check(scanned lotStock, others []lotStock) (refusal *ScanResult, warning string) {
	if scanned.Expiry != nil {
		if scanned.Expiry.Before(r.today) {
			res := refuse(ReasonLotExpired, "lot %s expired on %s", scanned.No, scanned.Expiry)
			return &res, ""
		}
		if left := daysBetween(r.today, *scanned.Expiry); left < int(r.minShelfDays) {
			res := refuse(ReasonLotShortDated, "lot %s has %d days of shelf life left; the customer requires %d",
				scanned.No, left, r.minShelfDays)
			return &res, ""
		}
	}
	if r.fefo == "off" || scanned.Expiry == nil {
		return nil, ""
	}
	for _, o := range others {
		if o.ID == scanned.ID || o.Available <= 0 || o.Expiry == nil || !o.Expiry.Before(*scanned.Expiry) || !r.shippable(o) {
			continue
		}
		detail := fmt.Sprintf("lot %s (expires %s) is older and available: ship it first", o.No, o.Expiry)
		if r.fefo == "warn" {
			return nil, ReasonNotFEFO + ": " + detail
		}
		res := refuse(ReasonNotFEFO, "%s", detail)
		return &res, ""
	}
	return nil, ""
}

// daysBetween counts calendar days from a to b.
func daysBetween(a, b barcode.Date) int {
	return int(b.Time().Sub(a.Time()) / (24 * time.Hour))
}
