package platformfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Shopify is a fake Shopify Admin API (REST 2024-07 paths plus graphql.json) for one
// shop. Register orders with AddOrder and variants with AddVariant; serve it with
// httptest.NewServer and give its URL as the connection's base URL.
//
// Documented behaviour it follows: requests carry X-Shopify-Access-Token (else 401);
// shipping goes through fulfillment orders (GET orders/{id}/fulfillment_orders.json, then
// POST fulfillments.json with line_items_by_fulfillment_order and tracking_info); a
// fulfillment order whose lines are all fulfilled is "closed"; inventory is set per
// location and inventory item (POST inventory_levels/set.json), inventory items found by
// SKU with the GraphQL productVariants query.
type Shopify struct {
	recorder
	Token string

	mu       sync.Mutex
	orders   map[string]*shopifyFO // order id -> its fulfillment order
	variants map[string]int64      // sku -> inventory item id
	nextID   int64
}

type shopifyFO struct {
	id    int64
	lines []*shopifyFOLine
}

type shopifyFOLine struct {
	id, lineItemID int64
	remaining      int64
}

// ShopifyLocation is the fake shop's only active location.
const ShopifyLocation = 655441491

// NewShopify returns a fake shop that accepts token.
func NewShopify(token string) *Shopify {
	return &Shopify{Token: token, orders: map[string]*shopifyFO{}, variants: map[string]int64{}, nextID: 1_000_000}
}

// AddOrder registers an order (its numeric id) with line items: line item id → quantity.
func (s *Shopify) AddOrder(orderID string, lineItems map[int64]int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	fo := &shopifyFO{id: s.nextID}
	for id, q := range lineItems {
		s.nextID++
		fo.lines = append(fo.lines, &shopifyFOLine{id: s.nextID, lineItemID: id, remaining: q})
	}
	s.orders[orderID] = fo
}

// AddVariant registers a variant's SKU.
func (s *Shopify) AddVariant(sku string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.variants[sku] = s.nextID
}

var shopifyFOPath = regexp.MustCompile(`^/admin/api/[0-9-]+/orders/([0-9]+)/fulfillment_orders\.json$`)

func (s *Shopify) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if r.Header.Get("X-Shopify-Access-Token") != s.Token {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`))
		return
	}
	path := r.URL.Path
	rest := path[strings.Index(path, "/admin/api/")+len("/admin/api/"):]
	if _, after, ok := strings.Cut(rest, "/"); ok {
		rest = after
	}
	switch {
	case r.Method == http.MethodGet && shopifyFOPath.MatchString(path):
		s.fulfillmentOrders(w, shopifyFOPath.FindStringSubmatch(path)[1])
	case r.Method == http.MethodPost && rest == "fulfillments.json":
		if s.failing(true) {
			unavailable(w)
			return
		}
		s.fulfil(w, r)
	case r.Method == http.MethodGet && rest == "locations.json":
		fmt.Fprintf(w, `{"locations":[{"id":%d,"name":"Warehouse","active":true}]}`, ShopifyLocation)
	case r.Method == http.MethodPost && rest == "graphql.json":
		s.variantQuery(w, r)
	case r.Method == http.MethodPost && rest == "inventory_levels/set.json":
		if s.failing(false) {
			unavailable(w)
			return
		}
		s.setLevel(w, r)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"errors":"Not Found"}`))
	}
}

func unavailable(w http.ResponseWriter) {
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(`{"errors":"Service Unavailable"}`))
}

func badRequest(w http.ResponseWriter, msg string) {
	w.WriteHeader(http.StatusUnprocessableEntity)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": map[string][]string{"base": {msg}}})
}

func (s *Shopify) fulfillmentOrders(w http.ResponseWriter, orderID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fo, ok := s.orders[orderID]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"errors":"Not Found"}`))
		return
	}
	status, open := "closed", false
	var lines []map[string]any
	for _, l := range fo.lines {
		lines = append(lines, map[string]any{"id": l.id, "line_item_id": l.lineItemID, "fulfillable_quantity": l.remaining})
		open = open || l.remaining > 0
	}
	actions := []string{}
	if open {
		status, actions = "open", []string{"create_fulfillment", "hold", "move"}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"fulfillment_orders": []map[string]any{{
		"id": fo.id, "order_id": json.Number(orderID), "status": status, "supported_actions": actions, "line_items": lines}}})
}

func (s *Shopify) fulfil(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Fulfillment struct {
			Groups []struct {
				FulfillmentOrderID json.Number `json:"fulfillment_order_id"`
				Lines              []struct {
					ID       json.Number `json:"id"`
					Quantity int64       `json:"quantity"`
				} `json:"fulfillment_order_line_items"`
			} `json:"line_items_by_fulfillment_order"`
			Tracking struct {
				Company string   `json:"company"`
				Number  string   `json:"number"`
				Numbers []string `json:"numbers"`
			} `json:"tracking_info"`
		} `json:"fulfillment"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Fulfillment.Groups) == 0 {
		badRequest(w, "fulfillment: line_items_by_fulfillment_order is required")
		return
	}
	s.mu.Lock()
	var orderID string
	var lineItems []string
	for _, g := range body.Fulfillment.Groups {
		foID, _ := g.FulfillmentOrderID.Int64()
		var fo *shopifyFO
		for id, o := range s.orders {
			if o.id == foID {
				fo, orderID = o, id
			}
		}
		if fo == nil {
			s.mu.Unlock()
			badRequest(w, "fulfillment order not found")
			return
		}
		for _, gl := range g.Lines {
			lid, _ := gl.ID.Int64()
			for _, l := range fo.lines {
				if l.id == lid {
					if gl.Quantity > l.remaining || gl.Quantity <= 0 {
						s.mu.Unlock()
						badRequest(w, "Invalid fulfillment order line item quantity requested.")
						return
					}
					l.remaining -= gl.Quantity
					lineItems = append(lineItems, strconv.FormatInt(l.lineItemID, 10))
				}
			}
		}
	}
	s.mu.Unlock()
	numbers := body.Fulfillment.Tracking.Numbers
	if len(numbers) == 0 && body.Fulfillment.Tracking.Number != "" {
		numbers = []string{body.Fulfillment.Tracking.Number}
	}
	s.ship(Shipment{OrderID: orderID, Carrier: body.Fulfillment.Tracking.Company, Tracking: numbers, Lines: lineItems})
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"fulfillment": map[string]any{"order_id": json.Number(orderID),
		"status": "success", "tracking_company": body.Fulfillment.Tracking.Company, "tracking_numbers": numbers}})
}

var shopifySKUQuery = regexp.MustCompile(`^sku:"((?:[^"\\]|\\.)*)"$`)

func (s *Shopify) variantQuery(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Query     string            `json:"query"`
		Variables map[string]string `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || !strings.Contains(body.Query, "productVariants") {
		_, _ = w.Write([]byte(`{"errors":[{"message":"Parse error","extensions":{"code":"BAD_REQUEST"}}]}`))
		return
	}
	m := shopifySKUQuery.FindStringSubmatch(body.Variables["q"])
	edges := []any{}
	if m != nil {
		sku := strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(m[1])
		s.mu.Lock()
		id, ok := s.variants[sku]
		s.mu.Unlock()
		if ok {
			edges = append(edges, map[string]any{"node": map[string]any{"sku": sku,
				"inventoryItem": map[string]any{"id": fmt.Sprintf("gid://shopify/InventoryItem/%d", id)}}})
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"productVariants": map[string]any{"edges": edges}}})
}

func (s *Shopify) setLevel(w http.ResponseWriter, r *http.Request) {
	var body struct {
		LocationID      json.Number `json:"location_id"`
		InventoryItemID json.Number `json:"inventory_item_id"`
		Available       *int64      `json:"available"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Available == nil {
		badRequest(w, "available is required")
		return
	}
	if loc, _ := body.LocationID.Int64(); loc != ShopifyLocation {
		badRequest(w, "location not found")
		return
	}
	item, _ := body.InventoryItemID.Int64()
	sku := ""
	s.mu.Lock()
	for k, id := range s.variants {
		if id == item {
			sku = k
		}
	}
	s.mu.Unlock()
	if sku == "" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"errors":"Not Found"}`))
		return
	}
	s.level(sku, *body.Available)
	_ = json.NewEncoder(w).Encode(map[string]any{"inventory_level": map[string]any{"inventory_item_id": item,
		"location_id": ShopifyLocation, "available": *body.Available}})
}
