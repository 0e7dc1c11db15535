// Package orders is the order hub: every order of every channel — platform shops through
// connector pushes, platform webhooks and scheduled pulls, supermarket chains through CSV
// purchase orders — lands in one canonical stream, once, in its newest state.
//
// Invariants:
//   - an order is keyed by (shop, platform order id), enforced by a unique key: every way
//     in is an upsert, and a repeated, retried, reordered or concurrent delivery of the
//     same version changes nothing;
//   - the stored version is the newest: by platform update time, then (for equal times)
//     by content hash, so that every replica and every arrival order converges on the same
//     state; an older version is answered "stale" and changes nothing;
//   - an order that cannot be processed (an unmapped SKU, no address, amounts that do not
//     add up) is kept and flagged with the reason, never dropped; fixing the SKU mapping
//     evaluates waiting orders again;
//   - every stored change appends to the order's history and publishes an outbox event;
//   - buyer and address data are masked in list views and never logged.
package orders

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/services/orders/platform"
)

// Channel of supermarket purchase orders.
const ChannelRetailer = "retailer"

// Statuses an order may have.
var Statuses = []string{string(platform.StatusPendingPayment), string(platform.StatusPaid),
	string(platform.StatusPartiallyShipped), string(platform.StatusShipped), string(platform.StatusCompleted),
	string(platform.StatusCancelled)}

// Exceptions an order may wait on.
const (
	ExceptionUnmappedSKU     = "UNMAPPED_SKU"
	ExceptionMissingAddress  = "MISSING_ADDRESS"
	ExceptionAmountsMismatch = "AMOUNTS_MISMATCH"
)

// Push outcomes.
const (
	OutcomeCreated   = "created"
	OutcomeUpdated   = "updated"
	OutcomeUnchanged = "unchanged"
	OutcomeStale     = "stale"
	OutcomeRejected  = "rejected"
)

// Limits of one order.
const (
	maxLines  = 200
	maxRaw    = 64 << 10
	maxBatch  = 500
	maxRemark = 512
)

// Line is one ordered item.
type Line struct {
	LineNo         int32
	PlatformLineID string
	SKU            string
	Barcode        string
	Title          string
	Quantity       int64 // milli-units of the platform SKU
	UnitPrice      int64 // minor units
	Discount       int64 // minor units, whole line
	RefundStatus   string
	Item           int64 // 0 while unmapped
	ItemQuantity   int64 // milli-units of the item
}

// Order is an order of any channel.
type Order struct {
	ID              int64
	Shop            int64
	Channel         string
	PlatformOrderID string
	Number          string
	Status          string
	Currency        string
	Buyer           platform.Buyer
	Address         platform.Address
	Lines           []Line
	Goods           int64
	Discount        int64
	Shipping        int64
	Tax             int64
	Fees            int64
	Paid            int64
	TaxIncluded     bool
	CreatedAt       time.Time
	PaidAt          time.Time
	UpdatedAt       time.Time // the platform's
	BuyerRemark     string
	SellerRemark    string
	Raw             []byte
	Customer        int64
	Outlet          int64
	RequestedDate   string
	Exception       string
	ExceptionDetail string
	Version         int
	History         []History
	FulfilState     string
	HoldReason      string
	Fulfilments     []Fulfilment
	Pushes          []PlatformPush
	hash            []byte
}

// ResourceName names the order in the audit log.
func (o Order) ResourceName() string { return "orders/" + strconv.FormatInt(o.ID, 10) }

// History is one stored change of an order.
type History struct {
	At                 time.Time
	Event              string
	FromStatus         string
	ToStatus           string
	PlatformUpdateTime time.Time
	Source             string
	Detail             string
}

// fromPlatform converts a parsed platform order.
func fromPlatform(p platform.Order) Order {
	o := Order{PlatformOrderID: p.PlatformOrderID, Number: p.Number, Status: string(p.Status), Currency: p.Currency,
		Buyer: p.Buyer, Address: p.Address, Goods: p.Goods, Discount: p.Discount, Shipping: p.Shipping, Tax: p.Tax,
		Fees: p.Fees, Paid: p.Paid, TaxIncluded: p.TaxIncluded, CreatedAt: p.CreatedAt, PaidAt: p.PaidAt,
		UpdatedAt: p.UpdatedAt, BuyerRemark: p.BuyerRemark, SellerRemark: p.SellerRemark, Raw: p.Raw}
	for i, l := range p.Lines {
		o.Lines = append(o.Lines, Line{LineNo: int32(i + 1), PlatformLineID: l.PlatformLineID, SKU: l.SKU, Barcode: l.Barcode,
			Title: l.Title, Quantity: l.Quantity, UnitPrice: l.UnitPrice, Discount: l.Discount, RefundStatus: string(l.RefundStatus)})
	}
	return o
}

// validate checks a pushed order and answers the reason it is rejected ("" if fine). The
// reason names the field.
func (o *Order) validate() string {
	var v apperr.Violations
	v.Check(o.PlatformOrderID != "" && len(o.PlatformOrderID) <= 64, "platform_order_id", "is required (at most 64 characters)")
	if !slices.Contains(Statuses, o.Status) {
		v.Addf("status", "must be one of %s", strings.Join(Statuses, ", "))
	}
	if o.Currency == "" {
		o.Currency = "CNY"
	}
	v.Check(len(o.Currency) == 3 && strings.ToUpper(o.Currency) == o.Currency, "currency", "must be an ISO 4217 code such as CNY")
	v.Check(!o.UpdatedAt.IsZero(), "update_time", "is required: it decides which version of the order is newer")
	v.Check(len(o.Lines) > 0 && len(o.Lines) <= maxLines, "lines", fmt.Sprintf("needs 1-%d lines", maxLines))
	for i, l := range o.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		v.Check(l.Quantity > 0 && l.Quantity <= 1_000_000_000_000, f+".quantity", "must be 1 to 10^12 milli-units")
		v.Check(l.UnitPrice >= 0 && l.Discount >= 0, f+".unit_price", "prices and discounts must not be negative")
		v.Check(len(l.SKU) <= 64 && len(l.Barcode) <= 64 && len(l.PlatformLineID) <= 64, f+".sku", "codes must be at most 64 characters")
		if len(l.Title) > 255 {
			o.Lines[i].Title = clipText(l.Title, 255)
		}
		if !slices.Contains([]string{"", "requested", "refunded", "refused"}, l.RefundStatus) {
			v.Add(f+".refund_status", `must be "", requested, refunded or refused`)
		}
	}
	for _, a := range []struct {
		f string
		v int64
	}{{"goods", o.Goods}, {"discount", o.Discount}, {"shipping", o.Shipping}, {"tax", o.Tax}, {"fees", o.Fees}, {"paid", o.Paid}} {
		v.Check(a.v >= 0 && a.v <= 1_000_000_000_000_00, a.f, "must be 0 to 10^14 minor units")
	}
	v.Check(len(o.Raw) <= maxRaw, "raw", fmt.Sprintf("must be at most %d bytes", maxRaw))
	if len(o.BuyerRemark) > maxRemark {
		o.BuyerRemark = clipText(o.BuyerRemark, maxRemark)
	}
	if len(o.SellerRemark) > maxRemark {
		o.SellerRemark = clipText(o.SellerRemark, maxRemark)
	}
	if err := v.Err("invalid order"); err != nil {
		return err.Error()
	}
	return ""
}

func clipText(s string, n int) string { return text.Clip(s, n) }

// contentHash is a digest of everything that makes a version — not the raw payload, not
// the platform's timestamps (a new update time alone is no change; payment shows in the
// status), nor erphub's own bookkeeping: equal digests mean an identical version.
func (o *Order) contentHash() []byte {
	c := struct {
		ID, Num, Status, Cur string
		B                    platform.Buyer
		A                    platform.Address
		L                    []Line
		M                    [6]int64
		TI                   bool
		T                    [3]int64
		R                    [2]string
		C, Out               int64
		RD                   string
	}{o.PlatformOrderID, o.Number, o.Status, o.Currency, o.Buyer, o.Address, nil,
		[6]int64{o.Goods, o.Discount, o.Shipping, o.Tax, o.Fees, o.Paid}, o.TaxIncluded,
		[3]int64{},
		[2]string{o.BuyerRemark, o.SellerRemark}, o.Customer, o.Outlet, o.RequestedDate}
	for _, l := range o.Lines {
		l.Item, l.ItemQuantity = 0, 0 // mapping is ours, not the platform's
		c.L = append(c.L, l)
	}
	b, _ := json.Marshal(c)
	h := sha256.Sum256(b)
	return h[:]
}

// newerThan decides whether version o replaces the stored one. An identical version (same
// content hash) changes nothing, whatever its time; otherwise a later platform update time
// wins, and for equal times the larger content hash does (any deterministic rule makes
// every replica and every arrival order converge). It answers the push outcome.
func (o *Order) newerThan(storedUpdated time.Time, storedHash []byte) string {
	if string(o.hash) == string(storedHash) {
		return OutcomeUnchanged
	}
	switch c := o.UpdatedAt.Compare(storedUpdated); {
	case c > 0:
		return OutcomeUpdated
	case c < 0:
		return OutcomeStale
	}
	if string(o.hash) > string(storedHash) {
		return OutcomeUpdated
	}
	return OutcomeStale
}

// evaluate sets the order's exception from its lines, address and amounts.
func (o *Order) evaluate() {
	o.Exception, o.ExceptionDetail = "", ""
	var unmapped []string
	for _, l := range o.Lines {
		if l.Item == 0 {
			unmapped = append(unmapped, firstNonEmpty(l.SKU, l.Barcode, l.Title))
		}
	}
	var reasons []string
	if len(unmapped) > 0 {
		o.Exception = ExceptionUnmappedSKU
		reasons = append(reasons, "unmapped SKU "+strings.Join(unmapped, ", "))
	}
	if o.needsAddress() && (o.Address.Name == "" || o.Address.Street == "" && o.Address.City == "") {
		if o.Exception == "" {
			o.Exception = ExceptionMissingAddress
		}
		reasons = append(reasons, "no delivery address")
	}
	if msg := o.amountsProblem(); msg != "" {
		if o.Exception == "" {
			o.Exception = ExceptionAmountsMismatch
		}
		reasons = append(reasons, msg)
	}
	o.ExceptionDetail = clipText(strings.Join(reasons, "; "), 255)
}

// needsAddress: platform orders that will ship need one; retailer orders go to outlets.
func (o *Order) needsAddress() bool {
	if o.Channel == ChannelRetailer {
		return false
	}
	return o.Status == string(platform.StatusPaid) || o.Status == string(platform.StatusPartiallyShipped)
}

// amountsProblem checks that the lines add up to the goods and the order's amounts to
// what was paid.
func (o *Order) amountsProblem() string {
	var goods int64
	for _, l := range o.Lines {
		a, err := money.LineAmount(l.Quantity, l.UnitPrice)
		if err != nil {
			return "line amounts overflow"
		}
		goods += a
	}
	if goods != o.Goods {
		return fmt.Sprintf("lines add up to %s, goods say %s", money.Yuan(goods), money.Yuan(o.Goods))
	}
	if o.Status == string(platform.StatusPendingPayment) || o.Status == string(platform.StatusCancelled) || o.Channel == ChannelRetailer {
		return ""
	}
	total := o.Goods - o.Discount + o.Shipping + o.Fees
	if !o.TaxIncluded {
		total += o.Tax
	}
	if total != o.Paid {
		tax := ""
		if !o.TaxIncluded {
			tax = " + tax"
		}
		return fmt.Sprintf("goods - discount + shipping + fees%s = %s, paid %s", tax, money.Yuan(total), money.Yuan(o.Paid))
	}
	return ""
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// phoneTail is the last four digits of a phone number, for searching without the number.
func phoneTail(phone string) string {
	var digits []byte
	for i := 0; i < len(phone); i++ {
		if phone[i] >= '0' && phone[i] <= '9' {
			digits = append(digits, phone[i])
		}
	}
	if len(digits) > 4 {
		digits = digits[len(digits)-4:]
	}
	return string(digits)
}

// PushResult is the outcome of one pushed order.
type PushResult struct {
	PlatformOrderID string
	Outcome         string
	Order           int64
	Reason          string
}

func maskName(s string) string  { return text.MaskName(s) }
func maskPhone(s string) string { return text.MaskPhone(s) }

// maskEmail keeps the first character and the domain: z***@example.com.
func maskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 1 {
		return text.MaskName(s)
	}
	return s[:1] + "***" + s[at:]
}
