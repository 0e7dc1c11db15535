package platform

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Shopify REST Admin API, "Order" resource (the same object is the webhook payload of
// orders/create, orders/updated and orders/cancelled and an element of GET orders.json).

type shopifyMoney struct {
	Amount       jsonText `json:"amount"`
	CurrencyCode string   `json:"currency_code"`
}

type shopifyMoneySet struct {
	ShopMoney shopifyMoney `json:"shop_money"`
}

type shopifyAddress struct {
	Name        string `json:"name"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Phone       string `json:"phone"`
	Address1    string `json:"address1"`
	Address2    string `json:"address2"`
	City        string `json:"city"`
	Province    string `json:"province"`
	Country     string `json:"country"`
	CountryCode string `json:"country_code"`
	Zip         string `json:"zip"`
}

type shopifyLine struct {
	ID                  jsonText         `json:"id"`
	SKU                 string           `json:"sku"`
	Title               string           `json:"title"`
	Quantity            jsonText         `json:"quantity"`
	Price               jsonText         `json:"price"`
	PriceSet            *shopifyMoneySet `json:"price_set"`
	TotalDiscount       jsonText         `json:"total_discount"`
	TotalDiscountSet    *shopifyMoneySet `json:"total_discount_set"`
	DiscountAllocations []struct {
		Amount    jsonText         `json:"amount"`
		AmountSet *shopifyMoneySet `json:"amount_set"`
	} `json:"discount_allocations"`
}

type shopifyOrderJSON struct {
	ID                             jsonText         `json:"id"`
	Name                           string           `json:"name"`
	Email                          string           `json:"email"`
	ContactEmail                   string           `json:"contact_email"`
	Phone                          string           `json:"phone"`
	Note                           string           `json:"note"`
	Currency                       string           `json:"currency"`
	FinancialStatus                string           `json:"financial_status"`
	FulfillmentStatus              string           `json:"fulfillment_status"`
	CancelledAt                    string           `json:"cancelled_at"`
	ClosedAt                       string           `json:"closed_at"`
	CreatedAt                      string           `json:"created_at"`
	UpdatedAt                      string           `json:"updated_at"`
	ProcessedAt                    string           `json:"processed_at"`
	TaxesIncluded                  bool             `json:"taxes_included"`
	TotalPrice                     jsonText         `json:"total_price"`
	TotalPriceSet                  *shopifyMoneySet `json:"total_price_set"`
	TotalDiscounts                 jsonText         `json:"total_discounts"`
	TotalDiscountsSet              *shopifyMoneySet `json:"total_discounts_set"`
	TotalTax                       jsonText         `json:"total_tax"`
	TotalTaxSet                    *shopifyMoneySet `json:"total_tax_set"`
	TotalShippingPriceSet          *shopifyMoneySet `json:"total_shipping_price_set"`
	TotalOutstanding               jsonText         `json:"total_outstanding"`
	TotalTipReceived               jsonText         `json:"total_tip_received"`
	OriginalTotalDutiesSet         *shopifyMoneySet `json:"original_total_duties_set"`
	OriginalTotalAdditionalFeesSet *shopifyMoneySet `json:"original_total_additional_fees_set"`
	ShippingLines                  []struct {
		Price    jsonText         `json:"price"`
		PriceSet *shopifyMoneySet `json:"price_set"`
	} `json:"shipping_lines"`
	LineItems       []shopifyLine   `json:"line_items"`
	ShippingAddress *shopifyAddress `json:"shipping_address"`
	Customer        *struct {
		ID        jsonText `json:"id"`
		Email     string   `json:"email"`
		Phone     string   `json:"phone"`
		FirstName string   `json:"first_name"`
		LastName  string   `json:"last_name"`
	} `json:"customer"`
	Refunds []struct {
		RefundLineItems []struct {
			LineItemID jsonText `json:"line_item_id"`
			Quantity   jsonText `json:"quantity"`
		} `json:"refund_line_items"`
	} `json:"refunds"`
}

// shop returns the shop-currency amount of set, or fallback (the legacy top-level field,
// which Shopify documents in the shop currency) when the set is absent. Presentment money
// (what the buyer saw in their currency) is deliberately ignored.
func shop(set *shopifyMoneySet, fallback jsonText) jsonText {
	if set != nil && set.ShopMoney.Amount != "" {
		return set.ShopMoney.Amount
	}
	return fallback
}

// ParseShopifyOrder maps Shopify's Order resource (REST Admin API; the body of the
// orders/create, orders/updated and orders/cancelled webhooks) to an Order. Bodies above
// MaxWebhookBody are refused.
//
// Amounts are shop money (the *_set.shop_money amounts, falling back to the top-level
// fields, which are in the shop currency): Goods = Σ line quantity × price; Discount =
// total_discounts; Shipping = total_shipping_price_set (else Σ shipping_lines price); Tax =
// total_tax with TaxIncluded = taxes_included; Fees = original duties + additional fees +
// tips; Total = total_price. Paid = total_price for paid, partially_refunded and refunded
// orders, total_price − total_outstanding for partially_paid, else 0 (Paid is gross: later
// refunds do not reduce it).
//
// Status (first match wins):
//
//	cancelled_at set                                   → cancelled
//	financial_status pending, authorized, partially_paid,
//	  voided, expired or empty                         → pending_payment
//	fulfillment_status fulfilled and closed_at set     → completed
//	fulfillment_status fulfilled                       → shipped
//	fulfillment_status partial                         → partially_shipped
//	otherwise (paid, partially_refunded, refunded)     → paid
//
// authorized maps to pending_payment because the money is only reserved, not captured.
// Lines that appear in refunds[].refund_line_items get RefundStatus refunded (Shopify's
// refunds are completed refunds). PaidAt is processed_at once paid. Shopify line items
// carry no barcode.
func ParseShopifyOrder(body []byte) (Order, error) {
	if len(body) > MaxWebhookBody {
		return Order{}, ErrBodyTooLarge
	}
	var j shopifyOrderJSON
	if err := json.Unmarshal(body, &j); err != nil {
		return Order{}, fmt.Errorf("platform: shopify order: %w", err)
	}
	id, err := j.ID.id()
	if err != nil {
		return Order{}, fmt.Errorf("platform: shopify order: %w", err)
	}
	currency := strings.ToUpper(firstNonEmpty(shopCurrency(j.TotalPriceSet), j.Currency))
	if currency == "" {
		return Order{}, fmt.Errorf("platform: shopify order %s: no currency", id)
	}
	ap := amountParser{decimals: CurrencyDecimals(currency)}
	var tp timeParser
	o := Order{
		Platform:        "shopify",
		PlatformOrderID: id,
		Number:          j.Name,
		Currency:        currency,
		Discount:        ap.money("total_discounts", shop(j.TotalDiscountsSet, j.TotalDiscounts)),
		Tax:             ap.money("total_tax", shop(j.TotalTaxSet, j.TotalTax)),
		Total:           ap.money("total_price", shop(j.TotalPriceSet, j.TotalPrice)),
		TaxIncluded:     j.TaxesIncluded,
		CreatedAt:       tp.rfc3339("created_at", j.CreatedAt),
		UpdatedAt:       tp.rfc3339("updated_at", j.UpdatedAt),
		BuyerRemark:     j.Note,
		Raw:             cloneRaw(body),
	}
	if j.TotalShippingPriceSet != nil {
		o.Shipping = ap.money("total_shipping_price_set", j.TotalShippingPriceSet.ShopMoney.Amount)
	} else {
		for _, sl := range j.ShippingLines {
			o.Shipping = ap.add(o.Shipping, ap.money("shipping_lines.price", shop(sl.PriceSet, sl.Price)))
		}
	}
	if j.OriginalTotalDutiesSet != nil {
		o.Fees = ap.add(o.Fees, ap.money("original_total_duties_set", j.OriginalTotalDutiesSet.ShopMoney.Amount))
	}
	if j.OriginalTotalAdditionalFeesSet != nil {
		o.Fees = ap.add(o.Fees, ap.money("original_total_additional_fees_set", j.OriginalTotalAdditionalFeesSet.ShopMoney.Amount))
	}
	o.Fees = ap.add(o.Fees, ap.money("total_tip_received", j.TotalTipReceived))

	refunded := map[string]bool{}
	for _, r := range j.Refunds {
		for _, rl := range r.RefundLineItems {
			refunded[string(rl.LineItemID)] = true
		}
	}
	for i, l := range j.LineItems {
		lid, err := l.ID.id()
		if err != nil {
			return Order{}, fmt.Errorf("platform: shopify order %s line %d: %w", id, i, err)
		}
		line := Line{
			PlatformLineID: lid,
			SKU:            strings.TrimSpace(l.SKU),
			Title:          l.Title,
			Quantity:       ap.qty("line_items.quantity", l.Quantity),
			UnitPrice:      ap.money("line_items.price", shop(l.PriceSet, l.Price)),
		}
		if len(l.DiscountAllocations) > 0 {
			for _, da := range l.DiscountAllocations {
				line.Discount = ap.add(line.Discount, ap.money("discount_allocations.amount", shop(da.AmountSet, da.Amount)))
			}
		} else {
			line.Discount = ap.money("line_items.total_discount", shop(l.TotalDiscountSet, l.TotalDiscount))
		}
		if refunded[lid] {
			line.RefundStatus = RefundRefunded
		}
		o.Goods = ap.add(o.Goods, ap.line(line.Quantity, line.UnitPrice))
		o.Lines = append(o.Lines, line)
	}

	fin := strings.ToLower(j.FinancialStatus)
	switch {
	case j.CancelledAt != "":
		o.Status = StatusCancelled
	case fin == "" || fin == "pending" || fin == "authorized" || fin == "partially_paid" || fin == "voided" || fin == "expired":
		o.Status = StatusPendingPayment
	case j.FulfillmentStatus == "fulfilled" && j.ClosedAt != "":
		o.Status = StatusCompleted
	case j.FulfillmentStatus == "fulfilled":
		o.Status = StatusShipped
	case j.FulfillmentStatus == "partial":
		o.Status = StatusPartiallyShipped
	default:
		o.Status = StatusPaid
	}
	switch fin {
	case "paid", "partially_refunded", "refunded":
		o.Paid = o.Total
		o.PaidAt = tp.rfc3339("processed_at", firstNonEmpty(j.ProcessedAt, j.CreatedAt))
	case "partially_paid":
		outstanding := ap.money("total_outstanding", j.TotalOutstanding)
		if outstanding < o.Total {
			o.Paid = o.Total - outstanding
		}
		o.PaidAt = tp.rfc3339("processed_at", firstNonEmpty(j.ProcessedAt, j.CreatedAt))
	}

	o.Buyer.Email = firstNonEmpty(j.Email, j.ContactEmail)
	o.Buyer.Phone = j.Phone
	if c := j.Customer; c != nil {
		o.Buyer.PlatformID = string(c.ID)
		o.Buyer.Name = joinNonEmpty(" ", c.FirstName, c.LastName)
		o.Buyer.Email = firstNonEmpty(o.Buyer.Email, c.Email)
		o.Buyer.Phone = firstNonEmpty(o.Buyer.Phone, c.Phone)
	}
	if a := j.ShippingAddress; a != nil {
		o.Address = Address{
			Name:       firstNonEmpty(a.Name, joinNonEmpty(" ", a.FirstName, a.LastName)),
			Phone:      a.Phone,
			Country:    firstNonEmpty(a.CountryCode, a.Country),
			Province:   a.Province,
			City:       a.City,
			Street:     joinNonEmpty(", ", a.Address1, a.Address2),
			PostalCode: a.Zip,
		}
	}
	if ap.err != nil {
		return Order{}, fmt.Errorf("shopify order %s: %w", id, ap.err)
	}
	if tp.err != nil {
		return Order{}, fmt.Errorf("shopify order %s: %w", id, tp.err)
	}
	return o, nil
}

func shopCurrency(set *shopifyMoneySet) string {
	if set == nil {
		return ""
	}
	return set.ShopMoney.CurrencyCode
}
