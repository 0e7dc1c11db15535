package platform

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const shopifyPrefix = "/admin/api/2024-07/"

// shopifyFake serves the Admin REST endpoints the adapter uses, in Shopify's documented
// formats: cursor pagination with Link headers, 429 with Retry-After, 401 for a bad token.
type shopifyFake struct {
	t        *testing.T
	srv      *httptest.Server
	orders   []string // order JSON, three pages of limit-sized chunks
	throttle atomic.Int32

	mu       sync.Mutex
	requests []*http.Request
	bodies   map[string][]string // path → JSON bodies received
}

func shopifyTestOrder(i int) string {
	return fmt.Sprintf(`{"id": %d, "name": "#%d", "currency": "USD", "financial_status": "paid", "fulfillment_status": null,
	"created_at": "2024-05-01T08:00:00+08:00", "updated_at": "2024-05-01T08:%02d:00+08:00", "processed_at": "2024-05-01T08:00:00+08:00",
	"total_price": "25.00", "total_discounts": "0.00", "total_tax": "0.00",
	"total_shipping_price_set": {"shop_money": {"amount": "5.00", "currency_code": "USD"}, "presentment_money": {"amount": "5.00", "currency_code": "USD"}},
	"line_items": [{"id": %d, "sku": "LC-500", "title": "Lap cheong", "quantity": 2, "price": "10.00"}]}`, 5000+i, 1000+i, i, 9000+i)
}

func newShopifyFake(t *testing.T, n int) (*shopifyFake, *Shopify) {
	f := &shopifyFake{t: t, bodies: map[string][]string{}}
	for i := range n {
		f.orders = append(f.orders, shopifyTestOrder(i))
	}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	s := NewShopify(Credentials{BaseURL: f.srv.URL, AppKey: "erphub-test.myshopify.com", AccessToken: "shpat_test"}, f.srv.Client())
	s.Now = fixedNow
	return f, s
}

func (f *shopifyFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, shopifyPrefix)
	f.mu.Lock()
	f.requests = append(f.requests, r)
	if len(body) > 0 {
		f.bodies[path] = append(f.bodies[path], string(body))
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if r.Header.Get("X-Shopify-Access-Token") != "shpat_test" {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
		return
	}
	if f.throttle.Load() > 0 {
		f.throttle.Add(-1)
		w.Header().Set("Retry-After", "2.0")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`)
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "orders.json":
		f.serveOrders(w, r.URL.Query())
	case r.Method == http.MethodGet && path == "orders/5000/fulfillment_orders.json":
		io.WriteString(w, `{"fulfillment_orders":[
			{"id":1046000778,"order_id":5000,"status":"open","supported_actions":["create_fulfillment","move"],"line_items":[
				{"id":1025578633,"fulfillment_order_id":1046000778,"line_item_id":9000,"quantity":2,"fulfillable_quantity":2},
				{"id":1025578634,"fulfillment_order_id":1046000778,"line_item_id":9001,"quantity":1,"fulfillable_quantity":1}]},
			{"id":1046000779,"order_id":5000,"status":"closed","supported_actions":[],"line_items":[
				{"id":1025578635,"fulfillment_order_id":1046000779,"line_item_id":9002,"quantity":1,"fulfillable_quantity":0}]}]}`)
	case r.Method == http.MethodPost && path == "fulfillments.json":
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"fulfillment":{"id":255858046,"order_id":5000,"status":"success"}}`)
	case r.Method == http.MethodGet && path == "locations.json":
		io.WriteString(w, `{"locations":[{"id":655441491,"name":"Guangzhou warehouse","active":true},{"id":655441492,"name":"Old shop","active":false}]}`)
	case r.Method == http.MethodPost && path == "graphql.json":
		var q struct {
			Variables map[string]string `json:"variables"`
		}
		json.Unmarshal(body, &q)
		if q.Variables["q"] != `sku:"LC-500"` {
			io.WriteString(w, `{"data":{"productVariants":{"edges":[]}}}`)
			return
		}
		io.WriteString(w, `{"data":{"productVariants":{"edges":[
			{"node":{"sku":"LC-500","inventoryItem":{"id":"gid://shopify/InventoryItem/808950810"}}},
			{"node":{"sku":"LC-500-GIFT","inventoryItem":{"id":"gid://shopify/InventoryItem/808950811"}}}]}}}`)
	case r.Method == http.MethodPost && path == "inventory_levels/set.json":
		io.WriteString(w, `{"inventory_level":{"inventory_item_id":808950810,"location_id":655441491,"available":42}}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"errors":"Not Found"}`)
	}
}

// serveOrders pages orders with page_info cursors p2 and p3, as Shopify does.
func (f *shopifyFake) serveOrders(w http.ResponseWriter, q url.Values) {
	limit := 3
	page := 1
	switch q.Get("page_info") {
	case "":
		if q.Get("status") != "any" || q.Get("updated_at_min") == "" || q.Get("updated_at_max") == "" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"errors":"missing filters"}`)
			return
		}
	case "p2":
		page = 2
	case "p3":
		page = 3
	default:
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"errors":{"page_info":["Invalid value."]}}`)
		return
	}
	if q.Get("page_info") != "" && len(q) != 2 {
		// Shopify rejects filters next to page_info.
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"errors":{"page_info":["page_info cannot be combined with other filters"]}}`)
		return
	}
	rows := pageSlice(f.orders, page, limit)
	link := func(info, rel string) string {
		return fmt.Sprintf(`<%s%sorders.json?limit=3&page_info=%s>; rel="%s"`, f.srv.URL, shopifyPrefix, info, rel)
	}
	switch page {
	case 1:
		w.Header().Set("Link", link("p2", "next"))
	case 2:
		w.Header().Set("Link", link("p1", "previous")+", "+link("p3", "next"))
	case 3:
		w.Header().Set("Link", link("p2", "previous"))
	}
	io.WriteString(w, `{"orders":[`+strings.Join(rows, ",")+`]}`)
}

func (f *shopifyFake) bodiesOf(path string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies[path]...)
}

func (f *shopifyFake) count(suffix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if strings.HasSuffix(r.URL.Path, suffix) {
			n++
		}
	}
	return n
}

func (f *shopifyFake) ordersQueries() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []url.Values
	for _, r := range f.requests {
		if strings.HasSuffix(r.URL.Path, "/orders.json") {
			out = append(out, r.URL.Query())
		}
	}
	return out
}

func TestShopifyPagingAndWindow(t *testing.T) {
	t.Parallel()
	f, s := newShopifyFake(t, 8)
	s.PageSize = 3
	from := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(time.Hour)
	orders, calls := drain(t, s, from, to)
	if calls != 3 || len(orders) != 8 {
		t.Fatalf("%d calls, %d orders", calls, len(orders))
	}
	for i, o := range orders {
		if o.PlatformOrderID != fmt.Sprint(5000+i) || o.Goods != 2000 || o.Shipping != 500 || o.Total != 2500 || o.Imbalance() != 0 || o.Status != StatusPaid {
			t.Errorf("order %d: %+v", i, o)
		}
	}
	q := f.ordersQueries()
	if len(q) != 3 {
		t.Fatalf("%d requests", len(q))
	}
	if q[0].Get("updated_at_min") != "2024-05-01T00:00:00Z" || q[0].Get("updated_at_max") != "2024-05-01T01:00:00Z" ||
		q[0].Get("limit") != "3" || q[0].Get("status") != "any" {
		t.Errorf("first page query %v", q[0])
	}
	if q[1].Get("page_info") != "p2" || q[2].Get("page_info") != "p3" {
		t.Errorf("cursor queries %v %v", q[1], q[2])
	}
}

func TestShopifyConfirmShipment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		shipment  Shipment
		wantLines string
		wantTrack string
	}{
		{"whole order", Shipment{PlatformOrderID: "5000", Carrier: "SF Express", TrackingNumbers: []string{"SF123"}},
			`[{"fulfillment_order_id":1046000778,"fulfillment_order_line_items":[{"id":1025578633,"quantity":2},{"id":1025578634,"quantity":1}]}]`,
			`{"company":"SF Express","number":"SF123"}`},
		{"one line, two parcels", Shipment{PlatformOrderID: "5000", Carrier: "UPS", TrackingNumbers: []string{"1Z1", "1Z2"}, LineIDs: []string{"9001"}},
			`[{"fulfillment_order_id":1046000778,"fulfillment_order_line_items":[{"id":1025578634,"quantity":1}]}]`,
			`{"company":"UPS","number":"1Z1","numbers":["1Z1","1Z2"]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, s := newShopifyFake(t, 0)
			if err := s.ConfirmShipment(t.Context(), tc.shipment); err != nil {
				t.Fatal(err)
			}
			bodies := f.bodiesOf("fulfillments.json")
			if len(bodies) != 1 {
				t.Fatalf("%d fulfillment requests", len(bodies))
			}
			var got struct {
				Fulfillment struct {
					Lines          json.RawMessage `json:"line_items_by_fulfillment_order"`
					Tracking       json.RawMessage `json:"tracking_info"`
					NotifyCustomer *bool           `json:"notify_customer"`
				} `json:"fulfillment"`
			}
			if err := json.Unmarshal([]byte(bodies[0]), &got); err != nil {
				t.Fatal(err)
			}
			if string(got.Fulfillment.Lines) != tc.wantLines || string(got.Fulfillment.Tracking) != tc.wantTrack ||
				got.Fulfillment.NotifyCustomer == nil || *got.Fulfillment.NotifyCustomer {
				t.Fatalf("body %s", bodies[0])
			}
		})
	}
	_, s := newShopifyFake(t, 0)
	err := s.ConfirmShipment(t.Context(), Shipment{PlatformOrderID: "5000", Carrier: "UPS", TrackingNumbers: []string{"1Z"}, LineIDs: []string{"9002"}})
	if err == nil {
		t.Error("fulfilling a closed fulfillment order's line succeeded")
	}
}

func TestShopifySetStock(t *testing.T) {
	t.Parallel()
	f, s := newShopifyFake(t, 0)
	if err := s.SetStock(t.Context(), "LC-500", 42); err != nil {
		t.Fatal(err)
	}
	sets := f.bodiesOf("inventory_levels/set.json")
	if len(sets) != 1 || sets[0] != `{"available":42,"inventory_item_id":808950810,"location_id":655441491}` {
		t.Fatalf("inventory_levels/set bodies %v", sets)
	}
	if err := s.SetStock(t.Context(), "LC-500", 43); err != nil {
		t.Fatal(err)
	}
	if locationCalls := f.count("/locations.json"); locationCalls != 1 {
		t.Errorf("location looked up %d times, want once", locationCalls)
	}
	if err := s.SetStock(t.Context(), "NOPE", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown sku: %v", err)
	}
	s2 := NewShopify(Credentials{BaseURL: f.srv.URL, AccessToken: "shpat_test"}, f.srv.Client())
	s2.LocationID = "777"
	if err := s2.SetStock(t.Context(), "LC-500", 1); err != nil {
		t.Fatal(err)
	}
	if last := f.bodiesOf("inventory_levels/set.json"); !strings.Contains(last[len(last)-1], `"location_id":777`) {
		t.Errorf("configured location not used: %s", last[len(last)-1])
	}
}

func TestShopifyErrors(t *testing.T) {
	t.Parallel()
	f, s := newShopifyFake(t, 2)
	f.throttle.Store(1)
	_, _, err := s.FetchChanged(t.Context(), testNow.Add(-time.Hour), testNow, "")
	checkErrorKind(t, errorCase{"429", true, false, true}, err)
	var ae *APIError
	if errors.As(err, &ae) && ae.RetryAfter != 2*time.Second {
		t.Errorf("RetryAfter %v, want 2s", ae.RetryAfter)
	}
	bad := NewShopify(Credentials{BaseURL: f.srv.URL, AccessToken: "wrong"}, f.srv.Client())
	_, _, err = bad.FetchChanged(t.Context(), testNow.Add(-time.Hour), testNow, "")
	checkErrorKind(t, errorCase{"401", false, true, false}, err)
	_, _, err = s.FetchChanged(t.Context(), testNow.Add(-time.Hour), testNow, "bogus")
	checkErrorKind(t, errorCase{"400", false, false, false}, err)
}

func TestNextPageInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, link, want string
	}{
		{"next only", `<https://s.myshopify.com/admin/api/2024-07/orders.json?limit=250&page_info=abc>; rel="next"`, "abc"},
		{"previous and next", `<https://s/x.json?page_info=p1>; rel="previous", <https://s/x.json?limit=3&page_info=p3>; rel="next"`, "p3"},
		{"previous only", `<https://s/x.json?page_info=p1>; rel="previous"`, ""},
		{"none", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := nextPageInfo(tc.link); got != tc.want {
				t.Fatalf("nextPageInfo = %q, want %q", got, tc.want)
			}
		})
	}
}
