package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ShopifyAPIVersion is the Admin API version the adapter speaks.
const ShopifyAPIVersion = "2024-07"

// Shopify talks to the Shopify Admin REST API of one shop. It implements Puller, Shipper and
// StockSetter. Requests carry the X-Shopify-Access-Token header; a 429 response (Retry-After
// gives the wait) is ErrRateLimited ("Shopify API rate limits"), 401/403 are
// ErrUnauthorized, 5xx are temporary.
type Shopify struct {
	creds Credentials
	hc    *http.Client

	// PageSize is the orders.json limit (1..250, default 250).
	PageSize int
	// LocationID is the location whose stock SetStock sets. Empty means the shop's only
	// active location (GET locations.json); with several active locations it must be set.
	LocationID string
	// NotifyCustomer asks Shopify to e-mail the buyer when a fulfillment is created.
	NotifyCustomer bool
	// Now returns the current time (used for Retry-After dates); nil means time.Now.
	Now func() time.Time

	mu         sync.Mutex
	locationID string // resolved LocationID
}

// NewShopify returns an adapter for the shop Credentials.AppKey ("example.myshopify.com")
// using the Admin API access token in Credentials.AccessToken. BaseURL, when set, replaces
// "https://<AppKey>". hc nil means http.DefaultClient.
func NewShopify(c Credentials, hc *http.Client) *Shopify { return &Shopify{creds: c, hc: clientOr(hc)} }

// Platform returns "shopify".
func (s *Shopify) Platform() string { return "shopify" }

func (s *Shopify) base() string {
	if s.creds.BaseURL != "" {
		return strings.TrimRight(s.creds.BaseURL, "/")
	}
	return "https://" + s.creds.AppKey
}

func (s *Shopify) path(p string) string {
	return s.base() + "/admin/api/" + ShopifyAPIVersion + "/" + p
}

// FetchChanged returns one page of orders updated in [from, to): GET orders.json with
// status=any, limit, updated_at_min and updated_at_max for the first page, then the
// page_info cursor of the Link header's rel="next" URL (Shopify, "Make paginated requests to
// the REST Admin API": with page_info only limit may accompany it). The page token is that
// page_info value.
func (s *Shopify) FetchChanged(ctx context.Context, from, to time.Time, page string) ([]Order, string, error) {
	start, end, err := window(from, to, 0)
	if err != nil {
		return nil, "", err
	}
	limit := s.PageSize
	if limit <= 0 || limit > 250 {
		limit = 250
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if page == "" {
		q.Set("status", "any")
		q.Set("updated_at_min", start.UTC().Format(time.RFC3339))
		q.Set("updated_at_max", end.UTC().Format(time.RFC3339))
	} else {
		q.Set("page_info", page)
	}
	var resp struct {
		Orders []json.RawMessage `json:"orders"`
	}
	h, err := s.do(ctx, http.MethodGet, "orders.json?"+q.Encode(), nil, &resp)
	if err != nil {
		return nil, "", err
	}
	orders := make([]Order, 0, len(resp.Orders))
	for _, raw := range resp.Orders {
		o, err := ParseShopifyOrder(raw)
		if err != nil {
			return nil, "", err
		}
		orders = append(orders, o)
	}
	return orders, nextPageInfo(h.Get("Link")), nil
}

// nextPageInfo extracts page_info from the rel="next" link of a Link header.
func nextPageInfo(link string) string {
	for _, part := range strings.Split(link, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if !ok || !strings.Contains(strings.ReplaceAll(params, " ", ""), `rel="next"`) {
			continue
		}
		u, err := url.Parse(strings.Trim(strings.TrimSpace(target), "<>"))
		if err != nil {
			return ""
		}
		return u.Query().Get("page_info")
	}
	return ""
}

type shopifyFulfillmentOrder struct {
	ID               jsonText `json:"id"`
	Status           string   `json:"status"`
	SupportedActions []string `json:"supported_actions"`
	LineItems        []struct {
		ID                  jsonText `json:"id"`
		LineItemID          jsonText `json:"line_item_id"`
		FulfillableQuantity int64    `json:"fulfillable_quantity"`
	} `json:"line_items"`
}

// ConfirmShipment fulfils the order through fulfillment orders: GET
// orders/{id}/fulfillment_orders.json, then POST fulfillments.json with
// line_items_by_fulfillment_order (every open or in-progress fulfillment order that
// supports create_fulfillment, all fulfillable quantities; with LineIDs only those order
// line items) and tracking_info {company: Carrier, number, numbers}. PlatformOrderID is the
// numeric order id (not the "#1001" name). An order with nothing left to fulfil answers an
// error matching ErrAlreadyShipped.
func (s *Shopify) ConfirmShipment(ctx context.Context, sh Shipment) error {
	if err := validateShipment(sh); err != nil {
		return err
	}
	orderID, err := jsonText(sh.PlatformOrderID).id()
	if err != nil {
		return fmt.Errorf("platform: shopify: %w", err)
	}
	var fos struct {
		FulfillmentOrders []shopifyFulfillmentOrder `json:"fulfillment_orders"`
	}
	if _, err := s.do(ctx, http.MethodGet, "orders/"+orderID+"/fulfillment_orders.json", nil, &fos); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, id := range sh.LineIDs {
		want[id] = true
	}
	type foLine struct {
		ID       jsonText `json:"id"`
		Quantity int64    `json:"quantity"`
	}
	type foGroup struct {
		FulfillmentOrderID jsonText `json:"fulfillment_order_id"`
		Lines              []foLine `json:"fulfillment_order_line_items"`
	}
	var groups []foGroup
	for _, fo := range fos.FulfillmentOrders {
		if (fo.Status != "open" && fo.Status != "in_progress") || !slices.Contains(fo.SupportedActions, "create_fulfillment") {
			continue
		}
		g := foGroup{FulfillmentOrderID: fo.ID}
		for _, li := range fo.LineItems {
			if li.FulfillableQuantity <= 0 || (len(want) > 0 && !want[string(li.LineItemID)]) {
				continue
			}
			g.Lines = append(g.Lines, foLine{ID: li.ID, Quantity: li.FulfillableQuantity})
		}
		if len(g.Lines) > 0 {
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 {
		return &APIError{Platform: "shopify", Method: "POST fulfillments.json", Kind: KindRejected,
			Message: "order " + orderID + " has nothing left to fulfil", Err: ErrAlreadyShipped}
	}
	tracking := map[string]any{"company": sh.Carrier, "number": sh.TrackingNumbers[0]}
	if len(sh.TrackingNumbers) > 1 {
		tracking["numbers"] = sh.TrackingNumbers
	}
	body := map[string]any{"fulfillment": map[string]any{
		"line_items_by_fulfillment_order": groups,
		"tracking_info":                   tracking,
		"notify_customer":                 s.NotifyCustomer,
	}}
	_, err = s.do(ctx, http.MethodPost, "fulfillments.json", body, nil)
	return err
}

// SetStock sets the available quantity of the variant whose SKU is sku at LocationID.
// The REST API cannot search variants by SKU, so the inventory item is looked up with the
// GraphQL Admin API (POST graphql.json, productVariants(query: "sku:…"), exact matches
// only); then POST inventory_levels/set.json {location_id, inventory_item_id, available}
// for every matching variant. An unknown sku is ErrNotFound.
func (s *Shopify) SetStock(ctx context.Context, sku string, quantity int64) error {
	if err := validateStock(sku, quantity); err != nil {
		return err
	}
	location, err := s.location(ctx)
	if err != nil {
		return err
	}
	items, err := s.inventoryItems(ctx, sku)
	if err != nil {
		return err
	}
	for _, item := range items {
		body := map[string]any{
			"location_id":       json.Number(location),
			"inventory_item_id": json.Number(item),
			"available":         quantity,
		}
		if _, err := s.do(ctx, http.MethodPost, "inventory_levels/set.json", body, nil); err != nil {
			return err
		}
	}
	return nil
}

// location resolves LocationID (cached).
func (s *Shopify) location(ctx context.Context) (string, error) {
	if s.LocationID != "" {
		return jsonText(s.LocationID).id()
	}
	s.mu.Lock()
	cached := s.locationID
	s.mu.Unlock()
	if cached != "" {
		return cached, nil
	}
	var resp struct {
		Locations []struct {
			ID     jsonText `json:"id"`
			Active bool     `json:"active"`
		} `json:"locations"`
	}
	if _, err := s.do(ctx, http.MethodGet, "locations.json", nil, &resp); err != nil {
		return "", err
	}
	var active []string
	for _, l := range resp.Locations {
		if l.Active {
			active = append(active, string(l.ID))
		}
	}
	if len(active) != 1 {
		return "", fmt.Errorf("platform: shopify: %d active locations; set Shopify.LocationID", len(active))
	}
	s.mu.Lock()
	s.locationID = active[0]
	s.mu.Unlock()
	return active[0], nil
}

const shopifyVariantQuery = `query($q: String!) { productVariants(first: 20, query: $q) { edges { node { sku inventoryItem { id } } } } }`

// inventoryItems returns the numeric inventory item ids of the variants whose SKU is sku.
func (s *Shopify) inventoryItems(ctx context.Context, sku string) ([]string, error) {
	q := `sku:"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(sku) + `"`
	var resp struct {
		Data struct {
			ProductVariants struct {
				Edges []struct {
					Node struct {
						SKU           string `json:"sku"`
						InventoryItem struct {
							ID string `json:"id"`
						} `json:"inventoryItem"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"productVariants"`
		} `json:"data"`
		Errors []struct {
			Message    string `json:"message"`
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	body := map[string]any{"query": shopifyVariantQuery, "variables": map[string]string{"q": q}}
	const method = "POST graphql.json"
	if _, err := s.do(ctx, http.MethodPost, "graphql.json", body, &resp); err != nil {
		return nil, err
	}
	if len(resp.Errors) > 0 {
		e := resp.Errors[0]
		kind := KindRejected
		if e.Extensions.Code == "THROTTLED" {
			kind = KindRateLimited
		}
		return nil, &APIError{Platform: "shopify", Method: method, HTTPStatus: http.StatusOK, Code: e.Extensions.Code, Message: e.Message, Kind: kind}
	}
	var ids []string
	for _, e := range resp.Data.ProductVariants.Edges {
		if e.Node.SKU != sku {
			continue // the search is a prefix/token match; keep exact SKUs only
		}
		gid := e.Node.InventoryItem.ID
		id, err := jsonText(gid[strings.LastIndexByte(gid, '/')+1:]).id()
		if err != nil {
			return nil, fmt.Errorf("platform: shopify inventory item %q: %w", gid, err)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("platform: shopify SKU %q: %w", sku, ErrNotFound)
	}
	return ids, nil
}

// do sends one Admin API request (in is JSON-encoded when not nil) and decodes a 2xx JSON
// body into out. It returns the response headers.
func (s *Shopify) do(ctx context.Context, method, rel string, in, out any) (http.Header, error) {
	name := method + " " + strings.SplitN(rel, "?", 2)[0]
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("platform: shopify %s: %w", name, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.path(rel), body)
	if err != nil {
		return nil, fmt.Errorf("platform: shopify %s: %w", name, err)
	}
	req.Header.Set("X-Shopify-Access-Token", s.creds.AccessToken)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	b, resp, err := do(ctx, s.hc, "shopify", name, req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &APIError{Platform: "shopify", Method: name, HTTPStatus: resp.StatusCode,
			Kind: kindForHTTP(resp.StatusCode), RetryAfter: retryAfter(resp.Header, nowFunc(s.Now)),
			Message: shopifyErrors(b)}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return nil, &APIError{Platform: "shopify", Method: name, HTTPStatus: resp.StatusCode, Kind: KindRejected, Message: snippet(b), Err: err}
		}
	}
	return resp.Header, nil
}

// shopifyErrors renders the {"errors": …} body Shopify returns with 4xx/5xx.
func shopifyErrors(b []byte) string {
	var e struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(b, &e) == nil && len(e.Errors) > 0 {
		return snippet(e.Errors)
	}
	return snippet(b)
}
