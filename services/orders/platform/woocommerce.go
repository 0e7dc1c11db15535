package platform

import (
	"encoding/json"
	"fmt"
	"strings"
)

// WooCommerce REST API v3, "Orders" → "Order properties" (the webhook payload of
// order.created/order.updated is "exactly the same as if requested via the REST API").

type wooAddress struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
}

type wooOrderJSON struct {
	ID              jsonText   `json:"id"`
	Number          string     `json:"number"`
	Status          string     `json:"status"`
	Currency        string     `json:"currency"`
	DateCreatedGMT  string     `json:"date_created_gmt"`
	DateModifiedGMT string     `json:"date_modified_gmt"`
	DatePaidGMT     string     `json:"date_paid_gmt"`
	DiscountTotal   jsonText   `json:"discount_total"`
	ShippingTotal   jsonText   `json:"shipping_total"`
	Total           jsonText   `json:"total"`
	TotalTax        jsonText   `json:"total_tax"`
	CustomerID      jsonText   `json:"customer_id"`
	CustomerNote    string     `json:"customer_note"`
	Billing         wooAddress `json:"billing"`
	Shipping        wooAddress `json:"shipping"`
	LineItems       []struct {
		ID       jsonText `json:"id"`
		Name     string   `json:"name"`
		SKU      string   `json:"sku"`
		Quantity jsonText `json:"quantity"`
		Price    jsonText `json:"price"`
		Subtotal jsonText `json:"subtotal"`
		Total    jsonText `json:"total"`
	} `json:"line_items"`
	FeeLines []struct {
		Total jsonText `json:"total"`
	} `json:"fee_lines"`
}

// ParseWooCommerceOrder maps a WooCommerce REST API v3 order (also the webhook payload) to
// an Order. Bodies above MaxWebhookBody are refused.
//
// WooCommerce amounts are strings with the store's decimals (2 by default, the "dp"
// parameter); line "price" is a JSON number computed as total ÷ quantity and is therefore
// not used. Line amounts exclude tax, so: Goods = Σ line subtotal (before discounts);
// UnitPrice = subtotal ÷ quantity (rounded half away from zero if it does not divide);
// line Discount = subtotal − total; Discount = discount_total; Shipping = shipping_total;
// Tax = total_tax (TaxIncluded false); Fees = Σ fee_lines total; Total = total; Paid =
// total once date_paid_gmt is set.
//
// Status:
//
//	pending, failed, on-hold, checkout-draft → pending_payment (on-hold waits for a
//	                                           manual payment such as bank transfer)
//	processing                               → paid
//	completed                                → completed
//	cancelled, trash                         → cancelled
//	refunded                                 → cancelled, every line refunded
//
// The order resource lists refunds only as order-level amounts, so lines of partially
// refunded orders keep RefundStatus "".
func ParseWooCommerceOrder(body []byte) (Order, error) {
	if len(body) > MaxWebhookBody {
		return Order{}, ErrBodyTooLarge
	}
	var j wooOrderJSON
	if err := json.Unmarshal(body, &j); err != nil {
		return Order{}, fmt.Errorf("platform: woocommerce order: %w", err)
	}
	id, err := j.ID.id()
	if err != nil {
		return Order{}, fmt.Errorf("platform: woocommerce order: %w", err)
	}
	currency := strings.ToUpper(strings.TrimSpace(j.Currency))
	if currency == "" {
		return Order{}, fmt.Errorf("platform: woocommerce order %s: no currency", id)
	}
	ap := amountParser{decimals: CurrencyDecimals(currency)}
	var tp timeParser
	o := Order{
		Platform:        "woocommerce",
		PlatformOrderID: id,
		Currency:        currency,
		Discount:        ap.money("discount_total", j.DiscountTotal),
		Shipping:        ap.money("shipping_total", j.ShippingTotal),
		Tax:             ap.money("total_tax", j.TotalTax),
		Total:           ap.money("total", j.Total),
		CreatedAt:       tp.gmt("date_created_gmt", j.DateCreatedGMT),
		UpdatedAt:       tp.gmt("date_modified_gmt", j.DateModifiedGMT),
		PaidAt:          tp.gmt("date_paid_gmt", j.DatePaidGMT),
		BuyerRemark:     j.CustomerNote,
		Raw:             cloneRaw(body),
	}
	if j.Number != id {
		o.Number = j.Number
	}
	for _, f := range j.FeeLines {
		// Fee lines may be negative (a discount added as a fee); they still add up to total.
		o.Fees = ap.add(o.Fees, ap.signed("fee_lines.total", f.Total))
	}
	if !o.PaidAt.IsZero() {
		o.Paid = o.Total
	}
	status := strings.ToLower(j.Status)
	for i, l := range j.LineItems {
		lid, err := l.ID.id()
		if err != nil {
			return Order{}, fmt.Errorf("platform: woocommerce order %s line %d: %w", id, i, err)
		}
		qty := ap.qty("line_items.quantity", l.Quantity)
		subtotal := ap.money("line_items.subtotal", l.Subtotal)
		total := ap.money("line_items.total", l.Total)
		line := Line{
			PlatformLineID: lid,
			SKU:            strings.TrimSpace(l.SKU),
			Title:          l.Name,
			Quantity:       qty,
		}
		if qty > 0 {
			line.UnitPrice = ap.unit(subtotal, qty)
		}
		if total <= subtotal {
			line.Discount = subtotal - total
		}
		if status == "refunded" {
			line.RefundStatus = RefundRefunded
		}
		o.Goods = ap.add(o.Goods, subtotal)
		o.Lines = append(o.Lines, line)
	}
	switch status {
	case "pending", "failed", "on-hold", "checkout-draft":
		o.Status = StatusPendingPayment
	case "processing":
		o.Status = StatusPaid
	case "completed":
		o.Status = StatusCompleted
	case "cancelled", "trash", "refunded":
		o.Status = StatusCancelled
	default:
		return Order{}, fmt.Errorf("platform: woocommerce order %s: unknown status %q", id, j.Status)
	}
	o.Buyer = Buyer{
		Name:  joinNonEmpty(" ", j.Billing.FirstName, j.Billing.LastName),
		Phone: j.Billing.Phone,
		Email: j.Billing.Email,
	}
	if cid := string(j.CustomerID); cid != "" && cid != "0" {
		o.Buyer.PlatformID = cid
	}
	a := j.Shipping
	if a.Address1 == "" && a.Country == "" {
		a = j.Billing // virtual goods: WooCommerce leaves the shipping address empty
	}
	o.Address = Address{
		Name:       joinNonEmpty(" ", a.FirstName, a.LastName),
		Phone:      firstNonEmpty(a.Phone, j.Billing.Phone),
		Country:    a.Country,
		Province:   a.State,
		City:       a.City,
		Street:     joinNonEmpty(", ", a.Address1, a.Address2),
		PostalCode: a.Postcode,
	}
	if ap.err != nil {
		return Order{}, fmt.Errorf("woocommerce order %s: %w", id, ap.err)
	}
	if tp.err != nil {
		return Order{}, fmt.Errorf("woocommerce order %s: %w", id, tp.err)
	}
	return o, nil
}
