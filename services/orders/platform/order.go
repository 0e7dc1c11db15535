package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Status is the canonical order status.
type Status string

// The canonical order statuses.
const (
	// StatusPendingPayment: the order exists but the buyer has not (fully) paid.
	StatusPendingPayment Status = "pending_payment"
	// StatusPaid: paid (or payment reserved by the platform), nothing shipped yet.
	StatusPaid Status = "paid"
	// StatusPartiallyShipped: some lines or packages shipped.
	StatusPartiallyShipped Status = "partially_shipped"
	// StatusShipped: everything shipped, the buyer has not confirmed receipt.
	StatusShipped Status = "shipped"
	// StatusCompleted: the platform considers the trade finished.
	StatusCompleted Status = "completed"
	// StatusCancelled: closed without (or with fully refunded) fulfilment.
	StatusCancelled Status = "cancelled"
)

// RefundStatus is the after-sales state of one order line.
type RefundStatus string

// The canonical line refund states.
const (
	// RefundNone: no refund or the refund request was withdrawn/closed.
	RefundNone RefundStatus = ""
	// RefundRequested: the buyer asked for a refund (or return) and it is being handled.
	RefundRequested RefundStatus = "requested"
	// RefundRefunded: money went back to the buyer for this line.
	RefundRefunded RefundStatus = "refunded"
	// RefundRefused: the seller refused the refund request.
	RefundRefused RefundStatus = "refused"
)

// MilliPerUnit is the number of milli-units in one piece: quantities are int64 milli-units.
const MilliPerUnit = 1000

// Order is erphub's canonical view of a platform order. Money is in minor units of
// Currency (fen for CNY, cents for USD), quantities in milli-units (1 piece = 1000).
type Order struct {
	// Platform names the source: "taobao", "tmall", "pinduoduo", "jd", "shopify" or
	// "woocommerce".
	Platform string
	// PlatformOrderID is the platform's own order key (TOP tid, PDD order_sn, JD orderId,
	// Shopify/WooCommerce id), always as decimal text so that 19-digit ids stay exact.
	PlatformOrderID string
	// Number is the human-facing order number when it differs from the id (Shopify "name"
	// such as "#1001", WooCommerce "number"); empty otherwise.
	Number string
	// Status is the mapped order status; each parser documents its mapping.
	Status Status
	// Currency is the ISO 4217 alphabetic code, e.g. "CNY".
	Currency string
	// Buyer is who placed the order.
	Buyer Buyer
	// Address is where the goods go.
	Address Address
	// Lines are the ordered items in platform order.
	Lines []Line
	// Goods is the sum over Lines of Quantity × UnitPrice (before discounts).
	Goods int64
	// Discount is every reduction of the order total (line and order level, platform and
	// seller funded), so that Goods − Discount + Shipping + Fees (+ Tax) = Total.
	Discount int64
	// Shipping is the freight charged to the buyer.
	Shipping int64
	// Tax is the tax the platform reports; see TaxIncluded.
	Tax int64
	// Fees are other charges included in Total that are neither goods, shipping nor tax:
	// WooCommerce fee lines, Shopify duties, tips and additional fees, and upward manual
	// price adjustments on the Chinese platforms.
	Fees int64
	// Total is the order total the platform states (what the buyer owes for the order).
	Total int64
	// Paid is what the buyer has paid so far (zero while unpaid).
	Paid int64
	// TaxIncluded is true when Tax is already contained in the prices (Chinese platforms,
	// Shopify stores with taxes_included); then Tax is not added again to reach Total.
	TaxIncluded bool
	// CreatedAt is when the buyer placed the order (UTC).
	CreatedAt time.Time
	// PaidAt is when payment was confirmed (UTC); zero if unpaid.
	PaidAt time.Time
	// UpdatedAt is the platform's last-modified time (UTC), used to order versions of the
	// same order.
	UpdatedAt time.Time
	// BuyerRemark is the buyer's note/message.
	BuyerRemark string
	// SellerRemark is the seller's memo on the platform.
	SellerRemark string
	// Raw is the platform's own JSON for this order, kept for audit.
	Raw json.RawMessage
}

// Imbalance returns Goods − Discount + Shipping + Fees + Tax (Tax only when not
// TaxIncluded) − Total. It is zero when the parts add up to the total the platform states.
func (o *Order) Imbalance() int64 {
	sum := o.Goods - o.Discount + o.Shipping + o.Fees - o.Total
	if !o.TaxIncluded {
		sum += o.Tax
	}
	return sum
}

// Buyer identifies the customer. Chinese platforms mask or encrypt most of it.
type Buyer struct {
	// PlatformID is the platform's customer id (TOP buyer_open_uid, JD open_id_buyer,
	// Shopify customer id, WooCommerce customer_id); empty for guests.
	PlatformID string
	// Nick is the platform nickname (TOP buyer_nick, JD pin).
	Nick string
	// Name is the customer's name when given (Shopify customer, WooCommerce billing).
	Name string
	// Phone is the customer's phone when given.
	Phone string
	// Email is the customer's e-mail when given.
	Email string
}

// Address is a delivery address.
type Address struct {
	// Name is the recipient.
	Name string
	// Phone is the recipient's phone (mobile preferred).
	Phone string
	// Country is an ISO 3166-1 alpha-2 code where the platform gives one, else its text;
	// the Chinese platforms default to "CN".
	Country string
	// Province is the province/state.
	Province string
	// City is the city.
	City string
	// District is the district/county (区/县).
	District string
	// Street is the rest of the address (town, street, building).
	Street string
	// PostalCode is the postcode.
	PostalCode string
}

// Line is one ordered item.
type Line struct {
	// PlatformLineID is the platform's line id (TOP oid, Shopify/WooCommerce line item id,
	// PDD and JD sku id since they have no line ids).
	PlatformLineID string
	// SKU is the seller's SKU code on the platform (outer_sku_id / sku / outer_id /
	// outerSkuId).
	SKU string
	// Barcode is the item's barcode if the platform gives one.
	Barcode string
	// Title is the item title as sold.
	Title string
	// Quantity is in milli-units.
	Quantity int64
	// UnitPrice is in minor units per whole unit, before discount.
	UnitPrice int64
	// Discount is the discount on the whole line, in minor units.
	Discount int64
	// RefundStatus is the line's after-sales state.
	RefundStatus RefundStatus
}

// Puller fetches orders changed in [from, to) — the platform's "incremental" order list —
// one page at a time. page "" is the first page; next "" means no more pages.
type Puller interface {
	// Platform names the platform ("taobao", "tmall", "pinduoduo", "jd", "shopify").
	Platform() string
	// FetchChanged returns one page of orders changed in [from, to).
	FetchChanged(ctx context.Context, from, to time.Time, page string) (orders []Order, next string, err error)
}

// Shipper confirms shipment of an order with carrier and tracking numbers (sync tracking
// back to the platform).
type Shipper interface {
	// ConfirmShipment tells the platform that s was shipped.
	ConfirmShipment(ctx context.Context, s Shipment) error
}

// WaybillLimiter is implemented by shippers whose platform takes at most MaxWaybills
// tracking numbers per shipment.
type WaybillLimiter interface {
	MaxWaybills() int
}

// Shipment is a shipped parcel (or set of parcels) of one order.
type Shipment struct {
	// PlatformOrderID is the order's platform id.
	PlatformOrderID string
	// Carrier is the carrier code as the platform knows it (TOP company_code such as
	// "YTO", PDD logistics_id, JD logi_coprId, Shopify tracking company name).
	Carrier string
	// TrackingNumbers are the waybill numbers.
	TrackingNumbers []string
	// LineIDs restricts the shipment to these PlatformLineIDs; empty means the whole order.
	LineIDs []string
}

// StockSetter sets the sellable quantity of one platform SKU.
type StockSetter interface {
	// SetStock sets the sellable quantity of sku; quantity is in whole units.
	SetStock(ctx context.Context, sku string, quantity int64) error
}

// Credentials are what an adapter needs to call a platform on a shop's behalf.
type Credentials struct {
	// BaseURL is the API gateway URL (tests point it at a local fake server); empty means
	// the platform's production gateway.
	BaseURL string
	// AppKey is the TOP app_key / PDD client_id / JD app_key / Shopify shop domain
	// ("example.myshopify.com").
	AppKey string
	// AppSecret is the app secret used for signing (unused by Shopify's Admin API).
	AppSecret string
	// AccessToken is the TOP session / PDD access_token / JD access_token / Shopify Admin
	// API access token.
	AccessToken string
}

// ByPlatform returns the adapter for platform ("taobao", "tmall", "pinduoduo", "jd" or
// "shopify") as its three roles. hc nil means http.DefaultClient.
func ByPlatform(platform string, c Credentials, hc *http.Client) (Puller, Shipper, StockSetter, error) {
	switch strings.ToLower(strings.TrimSpace(platform)) {
	case "taobao":
		a := NewTaobao(c, hc)
		return a, a, a, nil
	case "tmall":
		a := NewTmall(c, hc)
		return a, a, a, nil
	case "pinduoduo":
		a := NewPinduoduo(c, hc)
		return a, a, a, nil
	case "jd":
		a := NewJD(c, hc)
		return a, a, a, nil
	case "shopify":
		a := NewShopify(c, hc)
		return a, a, a, nil
	}
	return nil, nil, nil, fmt.Errorf("platform: unknown platform %q", platform)
}
