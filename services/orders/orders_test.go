package orders_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
	"github.com/erphub/erphub/services/orders"
)

type world struct {
	e        *apptest.Env
	admin    context.Context
	tmall    catalog.Shop
	shopify  catalog.Shop
	woo      catalog.Shop
	sausage  catalog.Item
	customer catalog.Customer
	outlet   catalog.Outlet
	key      string // the Tmall shop's connector key
}

func setup(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	w := &world{e: e}
	w.admin = reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	b, err := cat.CreateBranch(w.admin, catalog.Branch{Code: "CQ", Name: "重庆"})
	must(t, err)
	wh, err := cat.CreateWarehouse(w.admin, catalog.Warehouse{Code: "CQ-01", Name: "仓", Branch: b.ID})
	must(t, err)
	w.tmall, err = cat.CreateShop(w.admin, catalog.Shop{Code: "TMALL", Name: "天猫", Platform: "tmall", Branch: b.ID, DefaultWarehouse: wh.ID})
	must(t, err)
	w.shopify, err = cat.CreateShop(w.admin, catalog.Shop{Code: "SHOPIFY", Name: "Shopify", Platform: "shopify", Branch: b.ID,
		DefaultWarehouse: wh.ID, WebhookSecret: "shopify-secret"})
	must(t, err)
	w.woo, err = cat.CreateShop(w.admin, catalog.Shop{Code: "WOO", Name: "Woo", Platform: "woocommerce", Branch: b.ID,
		DefaultWarehouse: wh.ID, WebhookSecret: "woo-secret"})
	must(t, err)
	w.sausage, err = cat.CreateItem(w.admin, catalog.Item{SKU: "XC-001", Name: "麻辣香肠", Unit: "bag", Active: true,
		Barcodes: []catalog.Barcode{{Code: "6923456000209", Quantity: 1000}}})
	must(t, err)
	w.customer, err = cat.CreateCustomer(w.admin, catalog.Customer{Code: "YJ", Name: "渝佳超市", Kind: "retailer"})
	must(t, err)
	w.outlet, err = cat.CreateOutlet(w.admin, catalog.Outlet{Customer: w.customer.ID, Code: "YJ001", Name: "观音桥店", City: "重庆"})
	must(t, err)
	k, err := e.App.Identity.CreateAPIKey(w.admin, "tmall connector", w.tmall.ID)
	must(t, err)
	w.key = k.Secret
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// pushed is an order as a connector pushes it over HTTP.
func pushed(id string, version int, status string, updated time.Time) map[string]any {
	qty := int64(1000 * version)
	return map[string]any{
		"platformOrderId": id, "status": status, "currency": "CNY",
		"buyer":   map[string]any{"nick": "tb_buyer", "name": "张三", "phone": "13812345678"},
		"address": map[string]any{"name": "张三", "phone": "13812345678", "province": "重庆", "city": "重庆", "street": "观音桥步行街 1 号"},
		"lines":   []map[string]any{{"platformLineId": id + "-1", "sku": "XC-001", "title": "麻辣香肠", "quantity": qty, "unitPrice": 3990}},
		"goods":   3990 * version, "shipping": 0, "paid": 3990 * version,
		"createTime": updated.Add(-time.Hour).Format(time.RFC3339Nano), "updateTime": updated.Format(time.RFC3339Nano),
		"buyerRemark": fmt.Sprintf("version %d", version),
	}
}

type pushResult struct {
	PlatformOrderID string `json:"platformOrderId"`
	Outcome         string `json:"outcome"`
	Order           int64  `json:"order"`
	Reason          string `json:"reason"`
}

func (w *world) push(t *testing.T, token string, shop string, orders ...map[string]any) []pushResult {
	t.Helper()
	r := w.e.MustDo(t, 200, "POST", "/v1/shops/"+shop+"/orders:push", token, map[string]any{"orders": orders})
	var out struct {
		Results []pushResult `json:"results"`
	}
	r.Decode(t, &out)
	return out.Results
}

type orderJSON struct {
	ID              int64  `json:"id"`
	Status          string `json:"status"`
	PlatformOrderID string `json:"platformOrderId"`
	Exception       string `json:"exception"`
	Goods           int64  `json:"goods"`
	Paid            int64  `json:"paid"`
	Shipping        int64  `json:"shipping"`
	Discount        int64  `json:"discount"`
	Tax             int64  `json:"tax"`
	Currency        string `json:"currency"`
	BuyerRemark     string `json:"buyerRemark"`
	Buyer           struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"buyer"`
	Lines []struct {
		SKU          string `json:"sku"`
		Item         int64  `json:"item"`
		Quantity     int64  `json:"quantity"`
		UnitPrice    int64  `json:"unitPrice"`
		ItemQuantity int64  `json:"itemQuantity"`
	} `json:"lines"`
	History []struct {
		Event      string `json:"event"`
		FromStatus string `json:"fromStatus"`
		ToStatus   string `json:"toStatus"`
		Update     string `json:"platformUpdateTime"`
	} `json:"history"`
	Raw string `json:"raw"`
}

func (w *world) find(t *testing.T, shop int64, platformID string) []orderJSON {
	t.Helper()
	r := w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/orders?shop=%d&platformOrderId=%s", shop, platformID), w.e.Admin, nil)
	var out struct {
		Orders []orderJSON `json:"orders"`
	}
	r.Decode(t, &out)
	return out.Orders
}

func (w *world) get(t *testing.T, id int64) orderJSON {
	t.Helper()
	var o orderJSON
	w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/orders/%d", id), w.e.Admin, nil).Decode(t, &o)
	return o
}

// Five versions of one order, pushed in every order, in parallel, several times each:
// exactly one order remains, in the newest state, with a consistent history.
func TestVersionsConvergeOnTheNewest(t *testing.T) {
	t.Parallel()
	w := setup(t)
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	statuses := []string{"pending_payment", "paid", "paid", "partially_shipped", "shipped"}
	versions := make([]map[string]any, 5)
	for v := range versions {
		versions[v] = pushed("TM-1001", v+1, statuses[v], base.Add(time.Duration(v)*time.Minute))
	}
	var wg sync.WaitGroup
	for rep := range 6 {
		for _, perm := range [][]int{{0, 1, 2, 3, 4}, {4, 3, 2, 1, 0}, {2, 0, 4, 1, 3}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, v := range perm {
					_ = rep
					for _, r := range w.push(t, w.key, "TMALL", versions[v]) {
						if r.Outcome == orders.OutcomeRejected {
							t.Errorf("rejected: %+v", r)
						}
					}
				}
			}()
		}
	}
	// and a batch with all five at once, shuffled
	shuffled := append([]map[string]any(nil), versions...)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	wg.Add(1)
	go func() { defer wg.Done(); w.push(t, w.key, "TMALL", shuffled...) }()
	wg.Wait()

	found := w.find(t, w.tmall.ID, "TM-1001")
	if len(found) != 1 {
		t.Fatalf("%d orders for one platform id", len(found))
	}
	o := w.get(t, found[0].ID)
	if o.Status != "shipped" || o.BuyerRemark != "version 5" || o.Goods != 5*3990 || o.Lines[0].Quantity != 5000 {
		t.Fatalf("final state %+v, want version 5", o)
	}
	// history: created first, then only forward moves, ending at version 5
	if len(o.History) == 0 || o.History[0].Event != "created" {
		t.Fatalf("history %+v", o.History)
	}
	// (the hub's own entries, such as a hold by review, carry no platform time)
	last, lastStatus := "", ""
	for i, h := range o.History {
		if h.Update == "" {
			continue
		}
		if h.Update < last {
			t.Fatalf("history goes back in time at %d: %+v", i, o.History)
		}
		last, lastStatus = h.Update, h.ToStatus
	}
	if lastStatus != "shipped" {
		t.Fatalf("history ends at %q: %+v", lastStatus, o.History)
	}
	var n int64
	w.e.App.DB.Raw(`SELECT COUNT(*) FROM orders`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d order rows", n)
	}
	// a repeat changes nothing; an older version is stale
	r := w.push(t, w.key, "TMALL", versions[4], versions[1])
	if r[0].Outcome != orders.OutcomeUnchanged || r[1].Outcome != orders.OutcomeStale {
		t.Fatalf("repeat/older: %+v", r)
	}
}

func TestPushAnswersAndExceptions(t *testing.T) {
	t.Parallel()
	w := setup(t)
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	good := pushed("TM-1", 1, "paid", now)
	unmapped := pushed("TM-2", 1, "paid", now)
	unmapped["lines"] = []map[string]any{{"sku": "TMALL-SKU-88", "quantity": 2000, "unitPrice": 1995}}
	noAddress := pushed("TM-3", 1, "paid", now)
	delete(noAddress, "address")
	badSum := pushed("TM-4", 1, "paid", now)
	badSum["paid"] = 100
	invalid := pushed("", 1, "teleported", now)
	delete(invalid, "updateTime")
	res := w.push(t, w.key, "TMALL", good, unmapped, noAddress, badSum, invalid)
	want := []struct{ outcome, reason string }{
		{"created", ""}, {"created", orders.ExceptionUnmappedSKU}, {"created", orders.ExceptionMissingAddress},
		{"created", orders.ExceptionAmountsMismatch}, {"rejected", "platform_order_id"},
	}
	for i, wnt := range want {
		if res[i].Outcome != wnt.outcome || !strings.Contains(res[i].Reason, wnt.reason) {
			t.Errorf("order %d: %+v, want %s %s", i, res[i], wnt.outcome, wnt.reason)
		}
	}
	if !strings.Contains(res[4].Reason, "status") || !strings.Contains(res[4].Reason, "update_time") {
		t.Errorf("rejection should name every bad field: %s", res[4].Reason)
	}
	// the exception queue
	r := w.e.MustDo(t, 200, "GET", "/v1/orders?exceptionsOnly=true", w.e.Admin, nil)
	var queue struct {
		Orders []orderJSON `json:"orders"`
	}
	r.Decode(t, &queue)
	if len(queue.Orders) != 3 {
		t.Fatalf("%d orders in the exception queue", len(queue.Orders))
	}
	// personal data is masked in lists, shown in the order itself
	list := w.find(t, w.tmall.ID, "TM-1")
	if list[0].Buyer.Phone != "138****5678" || list[0].Buyer.Name != "张*" || list[0].Raw != "" {
		t.Fatalf("list view not masked: %+v", list[0].Buyer)
	}
	if one := w.get(t, list[0].ID); one.Buyer.Phone != "13812345678" {
		t.Fatalf("order view: %+v", one.Buyer)
	}
	// search by phone tail
	r = w.e.MustDo(t, 200, "GET", "/v1/orders?buyerPhoneTail=5678", w.e.Admin, nil)
	r.Decode(t, &queue)
	if len(queue.Orders) != 4 {
		t.Fatalf("%d orders by phone tail, want the 4 stored", len(queue.Orders))
	}
	// fixing the mapping resolves the waiting order: 2 units of a "pack of 2" listing = 4 bags
	m := w.e.MustDo(t, 200, "POST", "/v1/shops/TMALL/skuMappings", w.e.Admin, map[string]any{"sku": "TMALL-SKU-88",
		"item": w.sausage.ID, "quantity": 2000})
	if !strings.Contains(string(m.Body), `"sku":"TMALL-SKU-88"`) {
		t.Fatalf("mapping answer %s", m.Body)
	}
	o := w.get(t, res[1].Order)
	if o.Exception != "" || o.Lines[0].Item != w.sausage.ID || o.Lines[0].ItemQuantity != 4000 {
		t.Fatalf("after mapping: %+v", o)
	}
	if last := o.History[len(o.History)-1]; last.Event != "resolved" {
		t.Fatalf("history %+v", o.History)
	}
	// the connector key works for its shop only
	w.e.MustDo(t, 403, "POST", "/v1/shops/SHOPIFY/orders:push", w.key, map[string]any{"orders": []any{good}})
	w.e.MustDo(t, 400, "POST", "/v1/shops/TMALL/orders:push", w.key, map[string]any{"orders": []any{}})
	w.e.MustDo(t, 404, "POST", "/v1/shops/NOPE/orders:push", w.e.Admin, map[string]any{"orders": []any{good}})
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (w *world) webhook(t *testing.T, path string, body []byte, headers map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", w.e.HTTP+path, bytes.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (w *world) waitFor(t *testing.T, shop int64, id string) orderJSON {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if found := w.find(t, shop, id); len(found) == 1 {
			return w.get(t, found[0].ID)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("order %s of shop %d never arrived", id, shop)
	return orderJSON{}
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	w := setup(t)
	shopifyBody, err := os.ReadFile("platform/testdata/shopify_orders_create.json")
	must(t, err)
	wooBody, err := os.ReadFile("platform/testdata/woocommerce_order_727.json")
	must(t, err)

	// tampered, unsigned, wrongly signed and unknown-shop deliveries store nothing
	tampered := bytes.Replace(shopifyBody, []byte(`"1575.90"`), []byte(`"1.00"`), 1)
	for _, c := range []struct {
		path string
		body []byte
		h    map[string]string
	}{
		{"/v1/webhooks/shopify/SHOPIFY", tampered, map[string]string{"X-Shopify-Hmac-Sha256": sign("shopify-secret", shopifyBody)}},
		{"/v1/webhooks/shopify/SHOPIFY", shopifyBody, map[string]string{}},
		{"/v1/webhooks/shopify/SHOPIFY", shopifyBody, map[string]string{"X-Shopify-Hmac-Sha256": sign("other", shopifyBody)}},
		{"/v1/webhooks/shopify/NOPE", shopifyBody, map[string]string{"X-Shopify-Hmac-Sha256": sign("shopify-secret", shopifyBody)}},
		{"/v1/webhooks/woocommerce/SHOPIFY", wooBody, map[string]string{"X-WC-Webhook-Signature": sign("shopify-secret", wooBody)}},
	} {
		if code := w.webhook(t, c.path, c.body, c.h); code != 401 {
			t.Errorf("%s: %d, want 401", c.path, code)
		}
	}
	var stored int64
	w.e.App.DB.Raw(`SELECT COUNT(*) FROM webhook_events`).Scan(&stored)
	if stored != 0 {
		t.Fatalf("%d events stored from bad deliveries", stored)
	}
	h := map[string]string{"X-Shopify-Hmac-Sha256": sign("shopify-secret", shopifyBody), "X-Shopify-Webhook-Id": "wh-1",
		"X-Shopify-Topic": "orders/create"}
	for range 3 { // Shopify retries: one event
		if code := w.webhook(t, "/v1/webhooks/shopify/"+strconv.FormatInt(w.shopify.ID, 10), shopifyBody, h); code != 200 {
			t.Fatalf("signed delivery: %d", code)
		}
	}
	w.e.App.DB.Raw(`SELECT COUNT(*) FROM webhook_events`).Scan(&stored)
	if stored != 1 {
		t.Fatalf("%d events for three deliveries of one", stored)
	}
	var sample struct {
		ID         json.Number `json:"id"`
		TotalPrice string      `json:"total_price"`
	}
	must(t, json.Unmarshal(shopifyBody, &sample))
	o := w.waitFor(t, w.shopify.ID, sample.ID.String())
	total := o.Goods - o.Discount + o.Shipping
	if o.Currency != "USD" || o.Status != "cancelled" || fmt.Sprintf("%d.%02d", total/100, total%100) != sample.TotalPrice || len(o.Lines) != 2 {
		t.Fatalf("shopify order %+v (total %s)", o, sample.TotalPrice)
	}
	if o.Raw == "" {
		t.Fatal("raw payload not kept")
	}
	// WooCommerce's documented order 727: 2 x 3.00 + 12.00 + 10.00 shipping + 1.35 tax = 29.35
	if code := w.webhook(t, "/v1/webhooks/woocommerce/WOO", wooBody, map[string]string{
		"X-WC-Webhook-Signature": sign("woo-secret", wooBody), "X-WC-Webhook-Delivery-ID": "d-1", "X-WC-Webhook-Topic": "order.created"}); code != 200 {
		t.Fatalf("woo delivery: %d", code)
	}
	o = w.waitFor(t, w.woo.ID, "727")
	if o.Paid != 2935 || o.Goods != 1800 || o.Shipping != 1000 || o.Tax != 135 || len(o.Lines) != 2 {
		t.Fatalf("woocommerce order %+v", o)
	}
}

func TestRetailerCSVImport(t *testing.T) {
	t.Parallel()
	w := setup(t)
	csv := "po_number,outlet_code,requested_date,sku,quantity,unit_price\n" +
		"YJ-PO-1,YJ001,2026-12-01,XC-001,24,39.90\n" +
		"YJ-PO-1,YJ001,2026-12-01,XX-404,6,10.00\n" +
		"YJ-PO-2,NOPE,2026-12-02,XC-001,1,39.90\n" +
		"YJ-PO-3,YJ001,2026-12-03,6923456000209,2.5,39.90\n"
	r := w.e.MustDo(t, 200, "POST", "/v1/retailerOrders:import", w.e.Admin, map[string]any{"customer": w.customer.ID, "csv": csv})
	var out struct {
		Results []pushResult `json:"results"`
	}
	r.Decode(t, &out)
	if len(out.Results) != 3 || out.Results[0].Outcome != "created" || out.Results[0].Reason != orders.ExceptionUnmappedSKU ||
		out.Results[1].Outcome != "rejected" || !strings.Contains(out.Results[1].Reason, "outlet_code") ||
		out.Results[2].Outcome != "created" || out.Results[2].Reason != "" {
		t.Fatalf("import results %+v", out.Results)
	}
	o := w.get(t, out.Results[2].Order)
	if o.Goods != 9975 || o.Lines[0].Item != w.sausage.ID || o.Lines[0].Quantity != 2500 {
		t.Fatalf("PO 3: %+v", o)
	}
	// importing the same file again changes nothing
	w.e.MustDo(t, 200, "POST", "/v1/retailerOrders:import", w.e.Admin, map[string]any{"customer": w.customer.ID, "csv": csv}).Decode(t, &out)
	if out.Results[0].Outcome != "unchanged" || out.Results[2].Outcome != "unchanged" {
		t.Fatalf("re-import %+v", out.Results)
	}
	w.e.MustDo(t, 400, "POST", "/v1/retailerOrders:import", w.e.Admin, map[string]any{"customer": w.customer.ID, "csv": "a,b\n1,2\n"})
}

// TestScheduledPull pulls a Shopify shop from a local fake that speaks the REST Admin
// API's orders.json with Link-header paging and checks the access token.
func TestScheduledPull(t *testing.T) {
	t.Parallel()
	w := setup(t)
	sample, err := os.ReadFile("platform/testdata/shopify_orders_create.json")
	must(t, err)
	var tmpl map[string]any
	must(t, json.Unmarshal(sample, &tmpl))
	now := time.Now().UTC()
	var mu sync.Mutex
	var requests []string
	fakeOrders := make([]map[string]any, 5)
	for i := range fakeOrders {
		o := map[string]any{}
		for k, v := range tmpl {
			o[k] = v
		}
		o["id"] = json.Number(strconv.Itoa(5000 + i))
		o["cancelled_at"] = nil
		o["financial_status"] = "paid"
		o["updated_at"] = now.Add(-time.Duration(30+i) * time.Minute).Format(time.RFC3339)
		fakeOrders[i] = o
	}
	fake := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests = append(requests, r.URL.RawQuery)
		mu.Unlock()
		if r.Header.Get("X-Shopify-Access-Token") != "shpat_test" {
			rw.WriteHeader(401)
			_, _ = rw.Write([]byte(`{"errors":"[API] Invalid API key or access token"}`))
			return
		}
		if !strings.HasSuffix(r.URL.Path, "/admin/api/2024-07/orders.json") {
			rw.WriteHeader(404)
			return
		}
		pageNo, _ := strconv.Atoi(r.URL.Query().Get("page_info"))
		from := pageNo * 2
		to := min(from+2, len(fakeOrders))
		if to < len(fakeOrders) {
			rw.Header().Set("Link", fmt.Sprintf(`<https://%s/admin/api/2024-07/orders.json?limit=2&page_info=%d>; rel="next"`, r.Host, pageNo+1))
		}
		_ = json.NewEncoder(rw).Encode(map[string]any{"orders": fakeOrders[from:to]})
	}))
	defer fake.Close()
	w.e.MustDo(t, 200, "POST", "/v1/shops/SHOPIFY/connection", w.e.Admin, map[string]any{"baseUrl": fake.URL,
		"appKey": "erphub.myshopify.com", "accessToken": "shpat_test", "enabled": true, "overlapSeconds": 600})
	must(t, w.e.App.Orders.PullDue(w.admin))
	var runs struct {
		Runs []struct {
			Seen, Created, Pages, Errors int32
			Error                        string
		} `json:"runs"`
	}
	w.e.MustDo(t, 200, "GET", "/v1/shops/SHOPIFY/pullRuns", w.e.Admin, nil).Decode(t, &runs)
	if len(runs.Runs) != 1 || runs.Runs[0].Seen != 5 || runs.Runs[0].Created != 5 || runs.Runs[0].Pages != 3 || runs.Runs[0].Error != "" {
		t.Fatalf("runs %+v", runs.Runs)
	}
	if !strings.Contains(requests[0], "updated_at_min=") || !strings.Contains(requests[0], "status=any") {
		t.Fatalf("first request %q", requests[0])
	}
	var conn struct {
		Cursor string `json:"cursor"`
	}
	w.e.MustDo(t, 200, "GET", "/v1/shops/SHOPIFY/connection", w.e.Admin, nil).Decode(t, &conn)
	if conn.Cursor == "" {
		t.Fatal("cursor not advanced")
	}
	// the next run overlaps the last window: the same orders come again and change nothing
	must(t, w.e.App.DB.Exec(`UPDATE shop_connections SET next_pull_at = NULL`).Error)
	must(t, w.e.App.Orders.PullDue(w.admin))
	var n int64
	w.e.App.DB.Raw(`SELECT COUNT(*) FROM orders WHERE shop_id = ?`, w.shopify.ID).Scan(&n)
	if n != 5 {
		t.Fatalf("%d orders after two pulls, want 5", n)
	}
	// a bad token fails the run, records it and backs off
	w.e.MustDo(t, 200, "POST", "/v1/shops/SHOPIFY/connection", w.e.Admin, map[string]any{"baseUrl": fake.URL,
		"appKey": "erphub.myshopify.com", "accessToken": "wrong", "enabled": true})
	if err := w.e.App.Orders.PullDue(w.admin); err == nil {
		t.Fatal("a failing pull reported no error")
	}
	w.e.MustDo(t, 200, "GET", "/v1/shops/SHOPIFY/connection", w.e.Admin, nil).Decode(t, &struct{}{})
	var failures int
	w.e.App.DB.Raw(`SELECT failures FROM shop_connections`).Scan(&failures)
	if failures != 1 {
		t.Fatalf("failures %d", failures)
	}
}
