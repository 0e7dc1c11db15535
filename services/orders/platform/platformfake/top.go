package platformfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// TOP is a fake Taobao Open Platform router (the gateway Taobao and Tmall shops call) that
// knows one app. Register the seller's SKUs with AddSKU; serve it with httptest.NewServer
// and give its URL as the connection's base URL.
//
// Documented behaviour it follows: every call is a form POST with method, app_key,
// timestamp, v=2.0, sign_method (md5 or hmac) and sign over all other parameters; a wrong
// signature is error code 25 and an unknown app key code 29; answers are JSON objects
// named "<method without taobao., dots as underscores>_response", or error_response with
// code, msg, sub_code and sub_msg. A server-side failure is an isp.* sub-code, which the
// documentation asks callers to retry later.
type TOP struct {
	recorder
	AppKey, Secret string

	mu     sync.Mutex
	skus   map[string][2]int64 // outer_id -> num_iid, sku_id
	calls  map[string]int
	nextID int64
}

// NewTOP returns a fake router for one app.
func NewTOP(appKey, secret string) *TOP {
	return &TOP{AppKey: appKey, Secret: secret, skus: map[string][2]int64{}, calls: map[string]int{}, nextID: 600_000_000_000}
}

// AddSKU registers a SKU whose 商家编码 (outer_id) is outerID.
func (t *TOP) AddSKU(outerID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nextID += 2
	t.skus[outerID] = [2]int64{t.nextID, t.nextID + 1}
}

// Calls answers how many calls of an API were received (signed or not).
func (t *TOP) Calls(method string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.calls[method]
}

func topError(w http.ResponseWriter, code int, msg, subCode, subMsg string) {
	_ = json.NewEncoder(w).Encode(map[string]any{"error_response": map[string]any{"code": code, "msg": msg,
		"sub_code": subCode, "sub_msg": subMsg, "request_id": "fake"}})
}

func (t *TOP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		http.Error(w, "form POST expected", http.StatusMethodNotAllowed)
		return
	}
	p := map[string]string{}
	for k, v := range r.PostForm {
		p[k] = v[0]
	}
	method := p["method"]
	t.mu.Lock()
	t.calls[method]++
	t.mu.Unlock()
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	if p["app_key"] != t.AppKey {
		topError(w, 29, "Invalid app Key", "", "")
		return
	}
	want := SignMD5(p, t.Secret)
	if p["sign_method"] == "hmac" {
		want = SignHMACMD5(p, t.Secret)
	}
	if p["sign"] != want {
		topError(w, 25, "Invalid signature", "", "")
		return
	}
	switch method {
	case "taobao.logistics.offline.send":
		if p["tid"] == "" || p["out_sid"] == "" || p["company_code"] == "" {
			topError(w, 40, "Missing required arguments", "isv.missing-parameter", "tid, out_sid and company_code are required")
			return
		}
		if t.failing(true) {
			topError(w, 15, "Remote service error", "isp.top-remote-connection-timeout", "fake outage")
			return
		}
		var lines []string
		if p["sub_tid"] != "" {
			lines = strings.Split(p["sub_tid"], ",")
		}
		t.ship(Shipment{OrderID: p["tid"], Carrier: p["company_code"], Tracking: []string{p["out_sid"]}, Lines: lines})
		_, _ = w.Write([]byte(`{"logistics_offline_send_response":{"shipping":{"is_success":true}}}`))
	case "taobao.skus.custom.get":
		t.mu.Lock()
		ids, ok := t.skus[p["outer_id"]]
		t.mu.Unlock()
		if !ok {
			topError(w, 15, "Remote service error", "isv.item-not-exist", "no SKU with this outer_id")
			return
		}
		fmt.Fprintf(w, `{"skus_custom_get_response":{"skus":{"sku":[{"sku_id":%d,"num_iid":%d,"outer_id":%q}]}}}`,
			ids[1], ids[0], p["outer_id"])
	case "taobao.items.custom.get":
		topError(w, 15, "Remote service error", "isv.item-not-exist", "no item with this outer_id")
	case "taobao.item.quantity.update":
		q, err := strconv.ParseInt(p["quantity"], 10, 64)
		if err != nil || q < 0 || p["num_iid"] == "" {
			topError(w, 41, "Invalid arguments", "isv.invalid-parameter", "num_iid and a quantity ≥ 0 are required")
			return
		}
		if t.failing(false) {
			topError(w, 15, "Remote service error", "isp.top-remote-connection-timeout", "fake outage")
			return
		}
		sku := ""
		t.mu.Lock()
		for outer, ids := range t.skus {
			if strconv.FormatInt(ids[0], 10) == p["num_iid"] && strconv.FormatInt(ids[1], 10) == p["sku_id"] {
				sku = outer
			}
		}
		t.mu.Unlock()
		if sku == "" {
			topError(w, 15, "Remote service error", "isv.item-not-exist", "no such item")
			return
		}
		t.level(sku, q)
		fmt.Fprintf(w, `{"item_quantity_update_response":{"item":{"num_iid":%s,"num":%d}}}`, p["num_iid"], q)
	default:
		topError(w, 22, "Invalid method", "", "")
	}
}
