package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/testdb"
	"github.com/erphub/erphub/services/orders/platform/platformfake"
)

// TestScanSessionSurvivesSIGKILL kills erpd with SIGKILL while a scanner streams scans
// into a session. After a restart the session and every acknowledged scan are intact, and
// retrying every scan id (acknowledged or not) counts each scan exactly once.
func TestScanSessionSurvivesSIGKILL(t *testing.T) {
	dsn := testdb.NewDSN(t)
	erpctl(t, dsn, "", "migrate", "up")
	erpctl(t, dsn, "", "seed", "demo")
	out := erpctl(t, dsn, "", "user", "ensure-admin")
	adminPW := strings.TrimSpace(strings.Fields(out[strings.Index(out, "password")+len("password"):])[0])
	erpctl(t, dsn, "picker-password\n", "user", "create", "--username", "picker", "--password-stdin", "--role", "warehouse", "--branch", "CQ")

	d := startErpd(t, dsn)
	h := httpClient{t: t, base: "http://" + d.http}
	_, login := h.do("POST", "/v1/auth:login", "", map[string]string{"username": "admin", "password": adminPW})
	admin := login["accessToken"].(string)
	_, login = h.do("POST", "/v1/auth:login", "", map[string]string{"username": "picker", "password": "picker-password"})
	picker := login["accessToken"].(string)

	// a non-lot item of the demo data with its EAN-13, and the Chongqing warehouse
	_, items := h.do("GET", "/v1/items?sku=PM-001", admin, nil)
	item := items["items"].([]any)[0].(map[string]any)
	itemID, code := item["id"], item["barcodes"].([]any)[0].(string)
	_, whs := h.do("GET", "/v1/warehouses?pageSize=100", admin, nil)
	var wh any
	for _, w := range whs["warehouses"].([]any) {
		if w.(map[string]any)["code"] == "CQ-01" {
			wh = w.(map[string]any)["id"]
		}
	}
	_, customers := h.do("GET", "/v1/customers?kind=retailer", admin, nil)
	customer := customers["customers"].([]any)[0].(map[string]any)["id"]

	if c, m := h.do("POST", "/v1/adjustments", admin, map[string]any{"warehouse": wh, "reason": "opening stock",
		"lines": []map[string]any{{"item": itemID, "quantity": 100000, "unitCost": 35}}}); c != 200 {
		t.Fatalf("stock: %d %v", c, m)
	}
	c, do := h.do("POST", "/v1/deliveryOrders", picker, map[string]any{"customer": customer, "warehouse": wh,
		"lines": []map[string]any{{"item": itemID, "quantity": 60000}}})
	if c != 200 {
		t.Fatalf("delivery order: %d %v", c, do)
	}
	c, sess := h.do("POST", "/v1/scanSessions", picker, map[string]any{"deliveryOrder": do["id"]})
	if c != 200 {
		t.Fatalf("session: %d %v", c, sess)
	}
	scanURL := fmt.Sprintf("http://%s/v1/scanSessions/%v:scan", d.http, sess["id"])

	// stream 60 scans; kill erpd after the 20th acknowledgement, mid-stream
	acked := make(chan int, 60)
	go func() {
		defer close(acked)
		for i := range 60 {
			body := fmt.Sprintf(`{"code":%q,"scanId":"crash-%d"}`, code, i)
			status, ok := postRaw(scanURL, picker, body)
			if status != 200 || !ok {
				return // erpd is gone
			}
			acked <- i
		}
	}()
	var acknowledged []int
	for i := range acked {
		acknowledged = append(acknowledged, i)
		if len(acknowledged) == 20 {
			_ = d.cmd.Process.Signal(syscall.SIGKILL)
		}
	}
	<-d.exited
	if len(acknowledged) < 20 || len(acknowledged) >= 60 {
		t.Fatalf("%d scans acknowledged before the kill", len(acknowledged))
	}

	d2 := startErpd(t, dsn)
	h2 := httpClient{t: t, base: "http://" + d2.http}
	_, s := h2.do("GET", fmt.Sprintf("/v1/scanSessions/%v", sess["id"]), picker, nil)
	scanned := acceptedScans(s)
	if s["status"] != "open" || scanned < len(acknowledged) {
		t.Fatalf("after restart: status %v, %d scans kept, %d were acknowledged", s["status"], scanned, len(acknowledged))
	}
	// retry everything, acknowledged or not: each scan id counts once
	scanURL = fmt.Sprintf("http://%s/v1/scanSessions/%v:scan", d2.http, sess["id"])
	for i := range 60 {
		if status, ok := postRaw(scanURL, picker, fmt.Sprintf(`{"code":%q,"scanId":"crash-%d"}`, code, i)); status != 200 || !ok {
			t.Fatalf("retry %d: status %d accepted %v", i, status, ok)
		}
	}
	_, s = h2.do("GET", fmt.Sprintf("/v1/scanSessions/%v", sess["id"]), picker, nil)
	if n := acceptedScans(s); n != 60 {
		t.Fatalf("%d accepted scans after retrying all 60 scan ids, want 60", n)
	}
	if c, m := h2.do("POST", fmt.Sprintf("/v1/scanSessions/%v:complete", sess["id"]), picker, map[string]any{}); c != 200 {
		t.Fatalf("complete: %d %v", c, m)
	}
	_, st := h2.do("GET", fmt.Sprintf("/v1/stock?warehouse=%v&item=%v", wh, itemID), picker, nil)
	level := st["levels"].([]any)[0].(map[string]any)
	if fmt.Sprint(level["onHand"]) != "40000" || fmt.Sprint(level["reserved"]) != "0" {
		t.Fatalf("stock after shipping 60 of 100: %v", level)
	}
}

func acceptedScans(session map[string]any) int {
	n, _ := session["acceptedScans"].(json.Number).Int64()
	return int(n)
}

// postRaw posts body and reports the status and whether the scan was accepted; status 0
// means the request failed (erpd is gone).
func postRaw(url, token, body string) (int, bool) {
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		return 0, false
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	var out struct {
		Accepted bool `json:"accepted"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Accepted
}

// TestPushesSurviveSIGKILL kills erpd with SIGKILL during a stream of order pushes. After a
// restart every acknowledged order is present exactly once, and retrying every push
// (acknowledged or not) completes the set without duplicates.
func TestPushesSurviveSIGKILL(t *testing.T) {
	dsn := testdb.NewDSN(t)
	erpctl(t, dsn, "", "migrate", "up")
	erpctl(t, dsn, "", "seed", "demo")
	key := strings.TrimSpace(erpctl(t, dsn, "", "apikey", "create", "--shop", "TMALL-FLAGSHIP"))
	d := startErpd(t, dsn)

	const total = 120
	body := func(i int) string {
		return fmt.Sprintf(`{"orders":[{"platformOrderId":"KILL-%03d","status":"paid","updateTime":"2026-11-25T10:00:00Z",
			"address":{"name":"李四","city":"重庆","street":"解放碑 8 号"},"goods":3990,"paid":3990,
			"lines":[{"sku":"PK-101","quantity":1000,"unitPrice":3990}]}]}`, i)
	}
	pushURL := func(d *daemon) string { return "http://" + d.http + "/v1/shops/TMALL-FLAGSHIP/orders:push" }
	acked := make(chan int, total)
	go func() {
		defer close(acked)
		for i := range total {
			if status, _ := postRaw(pushURL(d), key, body(i)); status != 200 {
				return
			}
			acked <- i
		}
	}()
	var acknowledged []int
	for i := range acked {
		acknowledged = append(acknowledged, i)
		if len(acknowledged) == 40 {
			_ = d.cmd.Process.Signal(syscall.SIGKILL)
		}
	}
	<-d.exited
	if len(acknowledged) < 40 || len(acknowledged) >= total {
		t.Fatalf("%d pushes acknowledged before the kill", len(acknowledged))
	}

	d2 := startErpd(t, dsn)
	h := httpClient{t: t, base: "http://" + d2.http}
	for _, i := range acknowledged {
		if _, found := h.do("GET", fmt.Sprintf("/v1/orders?platformOrderId=KILL-%03d", i), key, nil); len(found["orders"].([]any)) != 1 {
			t.Fatalf("acknowledged order KILL-%03d: %v", i, found)
		}
	}
	for i := range total {
		if status, _ := postRaw(pushURL(d2), key, body(i)); status != 200 {
			t.Fatalf("retry %d: %d", i, status)
		}
	}
	_, all := h.do("GET", "/v1/orders?pageSize=1000", key, nil)
	seen := map[string]int{}
	for _, o := range all["orders"].([]any) {
		seen[o.(map[string]any)["platformOrderId"].(string)]++
	}
	if len(seen) != total {
		t.Fatalf("%d distinct orders after retrying all %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("order %s stored %d times", id, n)
		}
	}
}

// TestPlatformPushesSurviveSIGKILL kills erpd with SIGKILL while a Taobao shop's platform
// (a local fake TOP router) refuses tracking and stock pushes. After a restart, with the
// platform back, the shipment and the stock level each arrive exactly once.
func TestPlatformPushesSurviveSIGKILL(t *testing.T) {
	dsn := testdb.NewDSN(t)
	erpctl(t, dsn, "", "migrate", "up")
	erpctl(t, dsn, "", "seed", "demo")
	out := erpctl(t, dsn, "", "user", "ensure-admin")
	adminPW := strings.TrimSpace(strings.Fields(out[strings.Index(out, "password")+len("password"):])[0])
	erpctl(t, dsn, "picker-password\n", "user", "create", "--username", "picker", "--password-stdin", "--role", "warehouse", "--branch", "CQ")
	// a short lease: events the killed process had claimed are free again soon after
	fast := []string{"ERP_OUTBOX_BACKOFF=100ms", "ERP_OUTBOX_MAX_BACKOFF=1s", "ERP_STOCK_MAX_BACKOFF=1s", "ERP_STOCK_DEBOUNCE=50ms",
		"ERP_OUTBOX_LEASE=3s"}

	top := platformfake.NewTOP("23456789", "top-secret")
	top.AddSKU("PM-001")
	top.FailShipments(1 << 30)
	top.FailStock(1 << 30)
	srv := httptest.NewServer(top)
	defer srv.Close()

	d := startErpd(t, dsn, fast...)
	h := httpClient{t: t, base: "http://" + d.http}
	_, login := h.do("POST", "/v1/auth:login", "", map[string]string{"username": "admin", "password": adminPW})
	admin := login["accessToken"].(string)
	_, login = h.do("POST", "/v1/auth:login", "", map[string]string{"username": "picker", "password": "picker-password"})
	picker := login["accessToken"].(string)
	_, items := h.do("GET", "/v1/items?sku=PM-001", admin, nil)
	item := items["items"].([]any)[0].(map[string]any)
	itemID, code := item["id"], item["barcodes"].([]any)[0].(string)
	var shop map[string]any
	_, shops := h.do("GET", "/v1/shops?pageSize=100", admin, nil)
	for _, s := range shops["shops"].([]any) {
		if s.(map[string]any)["code"] == "TAOBAO-CQ" {
			shop = s.(map[string]any)
		}
	}
	must := func(c int, m map[string]any) map[string]any {
		t.Helper()
		if c != 200 {
			t.Fatalf("%d %v", c, m)
		}
		return m
	}
	must(h.do("POST", "/v1/adjustments", admin, map[string]any{"warehouse": shop["defaultWarehouse"], "reason": "opening stock",
		"lines": []map[string]any{{"item": itemID, "quantity": 100000, "unitCost": 35}}}))
	must(h.do("POST", "/v1/shops/TAOBAO-CQ/connection", admin, map[string]any{"baseUrl": srv.URL, "appKey": "23456789",
		"appSecret": "top-secret", "accessToken": "session"}))
	must(h.do("POST", "/v1/shops/TAOBAO-CQ/policy", admin, map[string]any{"holdBuyerRemarks": false, "mergeOrders": true, "stockSharePercent": 100}))
	must(h.do("POST", "/v1/shops/TAOBAO-CQ/skuMappings", admin, map[string]any{"sku": "PM-001", "item": itemID, "quantity": 1000}))
	now := time.Now().UTC().Format(time.RFC3339)
	res := must(h.do("POST", "/v1/shops/TAOBAO-CQ/orders:push", admin, map[string]any{"orders": []map[string]any{{
		"platformOrderId": "4100000000001", "status": "paid", "currency": "CNY",
		"buyer":   map[string]any{"nick": "tb_crash", "name": "王五", "phone": "13700000000"},
		"address": map[string]any{"name": "王五", "phone": "13700000000", "province": "重庆", "city": "重庆", "street": "解放碑 8 号"},
		"lines":   []map[string]any{{"platformLineId": "4100000000002", "sku": "PM-001", "title": "腊肉", "quantity": 2000, "unitPrice": 4500}},
		"goods":   9000, "paid": 9000, "createTime": now, "payTime": now, "updateTime": now}}}))
	orderID := res["results"].([]any)[0].(map[string]any)["order"]
	orderPath := fmt.Sprintf("/v1/orders/%v", orderID)
	running := d
	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting: %s\n%s", what, running.logs())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	var o map[string]any
	wait("allocated", func() bool { _, o = h.do("GET", orderPath, admin, nil); return o["fulfilState"] == "allocated" })
	do := o["fulfilments"].([]any)[0].(map[string]any)["deliveryOrder"]
	sess := must(h.do("POST", "/v1/scanSessions", picker, map[string]any{"deliveryOrder": do}))
	for i := range 2 {
		must(h.do("POST", fmt.Sprintf("/v1/scanSessions/%v:scan", sess["id"]), picker, map[string]any{"code": code, "scanId": fmt.Sprint("s", i)}))
	}
	must(h.do("POST", fmt.Sprintf("/v1/scanSessions/%v:complete", sess["id"]), picker, map[string]any{"carrier": "SF", "trackingNumbers": []string{"SF7000000001"}}))
	wait("two failed attempts of each", func() bool {
		_, o = h.do("GET", orderPath, admin, nil)
		pushes, _ := o["pushes"].([]any)
		return len(pushes) >= 2 && top.Failed() >= 4
	})

	_ = d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.exited
	top.FailShipments(0)
	top.FailStock(0)
	d2 := startErpd(t, dsn, fast...)
	running = d2
	h2 := httpClient{t: t, base: "http://" + d2.http}
	wait("the shipment at Taobao", func() bool { return len(top.Shipments()) == 1 })
	wait("the stock level at Taobao", func() bool { return top.Level("PM-001") == 98 })
	time.Sleep(1500 * time.Millisecond) // room for a duplicate to show up
	if s := top.Shipments(); len(s) != 1 || s[0].OrderID != "4100000000001" || s[0].Tracking[0] != "SF7000000001" || s[0].Carrier != "SF" {
		t.Fatalf("shipments at Taobao %+v", s)
	}
	if l := top.Levels(); len(l) != 1 {
		t.Fatalf("stock levels accepted %+v, want one", l)
	}
	_, o = h2.do("GET", orderPath, admin, nil)
	pushes := o["pushes"].([]any)
	if last := pushes[len(pushes)-1].(map[string]any); last["outcome"] != "ok" || o["fulfilState"] != "shipped" {
		t.Fatalf("order after restart: %v", o)
	}
}
