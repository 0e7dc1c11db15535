package platform

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TOP error bodies in the documented error_response format (TOP "API错误码").
const (
	topBadSign   = `{"error_response":{"code":25,"msg":"Invalid signature","request_id":"r1"}}`
	topThrottled = `{"error_response":{"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-app-access-count","sub_msg":"This ban will last for 1 more seconds","request_id":"r2"}}`
	topUnknown   = `{"error_response":{"code":22,"msg":"Invalid method","request_id":"r3"}}`
)

// topTrade is one fixture trade in TOP's Trade structure. Its tid has 19 digits, more than a
// float64 holds exactly.
func topTrade(i int, modified time.Time) map[string]any {
	return map[string]any{
		"tid":               json.Number(fmt.Sprintf("40123456789012345%02d", i)),
		"status":            "WAIT_SELLER_SEND_GOODS",
		"payment":           "290.00",
		"total_fee":         "296.90",
		"post_fee":          "10.00",
		"discount_fee":      "0.00",
		"created":           "2024-05-01 07:40:00",
		"pay_time":          "2024-05-01 07:41:30",
		"modified":          formatChinaTime(modified),
		"buyer_nick":        "t**1",
		"buyer_open_uid":    "AAHk5d-EAAeGwJedwSFu0XXX",
		"buyer_message":     "要送礼,包装好一点",
		"seller_memo":       "加急",
		"receiver_name":     "张*",
		"receiver_mobile":   "138****0000",
		"receiver_state":    "广东省",
		"receiver_city":     "广州市",
		"receiver_district": "越秀区",
		"receiver_town":     "北京街道",
		"receiver_address":  "北京路1号",
		"receiver_zip":      "510000",
		"orders": map[string]any{"order": []any{
			map[string]any{"oid": json.Number(fmt.Sprintf("40123456789012346%02d", i)), "title": "广式腊肠 500g", "price": "128.50", "num": 2,
				"total_fee": "250.00", "payment": "250.00", "outer_sku_id": "LC-500", "outer_iid": "LC", "refund_status": "NO_REFUND"},
			map[string]any{"oid": json.Number(fmt.Sprintf("40123456789012347%02d", i)), "title": "腊肉 250g", "price": "39.90", "num": 1,
				"total_fee": "39.90", "payment": "40.00", "outer_sku_id": "LR-250", "refund_status": "WAIT_SELLER_AGREE"},
		}},
	}
}

type topFake struct {
	*fakeGateway
	trades []map[string]any // sorted by modified, newest first, as TOP returns them
}

func newTOPFake(t *testing.T, n int) (*topFake, *http.Client, string) {
	f := &topFake{}
	for i := range n {
		f.trades = append(f.trades, topTrade(i, testNow.Add(-time.Duration(i)*time.Minute)))
	}
	f.fakeGateway = &fakeGateway{
		secret: "top-secret", methodKey: "method",
		sign: func(p map[string]string, secret string) string {
			if p["sign_method"] == "hmac" {
				return refSignHMACMD5(p, secret)
			}
			return refSignMD5(p, secret)
		},
		badSign: topBadSign, throttled: topThrottled, unknown: topUnknown,
		handlers: map[string]func(map[string]string) any{},
	}
	f.handlers["taobao.trades.sold.increment.get"] = func(p map[string]string) any {
		pageNo, _ := strconv.Atoi(p["page_no"])
		size, _ := strconv.Atoi(p["page_size"])
		rows := pageSlice(f.trades, pageNo, size)
		if p["fields"] == "tid,modified" {
			heads := make([]map[string]any, len(rows))
			for i, tr := range rows {
				heads[i] = map[string]any{"tid": tr["tid"], "modified": tr["modified"]}
			}
			return map[string]any{"trades_sold_increment_get_response": map[string]any{"total_results": len(f.trades), "trades": map[string]any{"trade": heads}}}
		}
		return map[string]any{"trades_sold_increment_get_response": map[string]any{"total_results": len(f.trades), "trades": map[string]any{"trade": rows}}}
	}
	f.handlers["taobao.trade.fullinfo.get"] = func(p map[string]string) any {
		for _, tr := range f.trades {
			if string(tr["tid"].(json.Number)) == p["tid"] {
				return map[string]any{"trade_fullinfo_get_response": map[string]any{"trade": tr}}
			}
		}
		return `{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.trade-not-exist","sub_msg":"交易不存在"}}`
	}
	srv := f.start(t)
	return f, srv.Client(), srv.URL
}

func newTestTaobao(url string, hc *http.Client) *Taobao {
	tb := NewTaobao(Credentials{BaseURL: url, AppKey: "12345678", AppSecret: "top-secret", AccessToken: "session-1"}, hc)
	tb.Now = fixedNow
	return tb
}

func TestTaobaoPagingAndWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fullInfo bool
		hmac     bool
	}{
		{"increment list with trade fields, md5", false, false},
		{"increment list then fullinfo, hmac", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, hc, url := newTOPFake(t, 7)
			tb := newTestTaobao(url, hc)
			tb.PageSize = 3
			tb.FullInfo = tc.fullInfo
			if tc.hmac {
				tb.SignMethod = "hmac"
			}
			from := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
			to := time.Date(2024, 5, 1, 0, 30, 0, 500_000_000, time.UTC)
			orders, calls := drain(t, tb, from, to)
			if calls != 3 {
				t.Errorf("%d FetchChanged calls for 3 pages", calls)
			}
			seen := map[string]int{}
			for _, o := range orders {
				seen[o.PlatformOrderID]++
			}
			for _, tr := range f.trades {
				if id := string(tr["tid"].(json.Number)); seen[id] != 1 {
					t.Errorf("trade %s returned %d times", id, seen[id])
				}
			}
			if len(orders) != 7 {
				t.Errorf("%d orders, want 7", len(orders))
			}
			list := f.callsOf("taobao.trades.sold.increment.get")
			var pages []string
			for _, c := range list {
				pages = append(pages, c["page_no"])
				// The window in Beijing time, to rounded up to the next second.
				if c["start_modified"] != "2024-05-01 08:00:00" || c["end_modified"] != "2024-05-01 08:30:01" {
					t.Errorf("window %s – %s", c["start_modified"], c["end_modified"])
				}
				if c["page_size"] != "3" || c["use_has_next"] != "false" || c["format"] != "json" || c["v"] != "2.0" ||
					c["app_key"] != "12345678" || c["session"] != "session-1" || c["timestamp"] != "2024-05-01 09:02:03" {
					t.Errorf("common parameters %v", c)
				}
			}
			// Probe page 1 for the total, then read backwards: 3, 2, 1.
			if fmt.Sprint(pages) != "[1 3 2 1]" {
				t.Errorf("pages read %v, want [1 3 2 1]", pages)
			}
			if n := len(f.callsOf("taobao.trade.fullinfo.get")); (n == 7) != tc.fullInfo {
				t.Errorf("%d fullinfo calls", n)
			}
		})
	}
}

func TestTaobaoSinglePage(t *testing.T) {
	t.Parallel()
	f, hc, url := newTOPFake(t, 2)
	tb := newTestTaobao(url, hc)
	orders, next, err := tb.FetchChanged(t.Context(), testNow.Add(-time.Hour), testNow, "")
	if err != nil || next != "" || len(orders) != 2 {
		t.Fatalf("%d orders, next %q, %v", len(orders), next, err)
	}
	if n := len(f.callsOf("taobao.trades.sold.increment.get")); n != 1 {
		t.Errorf("%d list calls for one page", n)
	}
}

func TestTaobaoWindowLimits(t *testing.T) {
	t.Parallel()
	tb := NewTaobao(Credentials{}, nil)
	if _, _, err := tb.FetchChanged(t.Context(), testNow, testNow.Add(25*time.Hour), ""); !errors.Is(err, ErrWindowTooLarge) {
		t.Errorf("25 h window: %v", err)
	}
	if _, _, err := tb.FetchChanged(t.Context(), testNow, testNow, ""); err == nil {
		t.Error("empty window accepted")
	}
	if _, _, err := tb.FetchChanged(t.Context(), testNow, testNow.Add(time.Minute), "x"); err == nil {
		t.Error("bad page token accepted")
	}
}

func TestTaobaoMapping(t *testing.T) {
	t.Parallel()
	raw, _ := json.Marshal(topTrade(1, testNow))
	o, err := parseTOPTrade("tmall", raw)
	if err != nil {
		t.Fatal(err)
	}
	// Goods 2 × 128.50 + 39.90 = 296.90; payment 290.00 with 10.00 post fee → 16.90 discount.
	if o.PlatformOrderID != "4012345678901234501" || o.Platform != "tmall" || o.Currency != "CNY" || o.Status != StatusPaid ||
		o.Goods != 29690 || o.Shipping != 1000 || o.Discount != 1690 || o.Total != 29000 || o.Paid != 29000 || !o.TaxIncluded || o.Imbalance() != 0 {
		t.Fatalf("order %+v", o)
	}
	if want := time.Date(2024, 4, 30, 23, 41, 30, 0, time.UTC); !o.PaidAt.Equal(want) {
		t.Errorf("PaidAt %v, want %v", o.PaidAt, want)
	}
	if !o.UpdatedAt.Equal(testNow.Truncate(time.Second)) {
		t.Errorf("UpdatedAt %v", o.UpdatedAt)
	}
	wantLines := []Line{
		{PlatformLineID: "4012345678901234601", SKU: "LC-500", Title: "广式腊肠 500g", Quantity: 2000, UnitPrice: 12850, Discount: 700},
		{PlatformLineID: "4012345678901234701", SKU: "LR-250", Title: "腊肉 250g", Quantity: 1000, UnitPrice: 3990, RefundStatus: RefundRequested},
	}
	for i, l := range wantLines {
		if o.Lines[i] != l {
			t.Errorf("line %d %+v, want %+v", i, o.Lines[i], l)
		}
	}
	wantAddr := Address{Name: "张*", Phone: "138****0000", Country: "CN", Province: "广东省", City: "广州市", District: "越秀区", Street: "北京街道 北京路1号", PostalCode: "510000"}
	if o.Address != wantAddr || o.Buyer.Nick != "t**1" || o.BuyerRemark != "要送礼,包装好一点" || o.SellerRemark != "加急" {
		t.Errorf("address/buyer %+v %+v", o.Address, o.Buyer)
	}
}

func TestTaobaoStatusMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status string
		want   Status
		paid   bool
	}{
		{"TRADE_NO_CREATE_PAY", StatusPendingPayment, false},
		{"WAIT_BUYER_PAY", StatusPendingPayment, false},
		{"PAY_PENDING", StatusPendingPayment, false},
		{"WAIT_SELLER_SEND_GOODS", StatusPaid, true},
		{"PAID_FORBID_CONSIGN", StatusPaid, true},
		{"SELLER_CONSIGNED_PART", StatusPartiallyShipped, true},
		{"WAIT_BUYER_CONFIRM_GOODS", StatusShipped, true},
		{"TRADE_BUYER_SIGNED", StatusShipped, true},
		{"TRADE_FINISHED", StatusCompleted, true},
		{"TRADE_CLOSED", StatusCancelled, true},
		{"TRADE_CLOSED_BY_TAOBAO", StatusCancelled, true},
	}
	for _, tc := range tests {
		t.Run(tc.status, func(t *testing.T) {
			t.Parallel()
			tr := topTrade(1, testNow)
			tr["status"] = tc.status
			if !tc.paid {
				delete(tr, "pay_time")
			}
			raw, _ := json.Marshal(tr)
			o, err := parseTOPTrade("taobao", raw)
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != tc.want || (o.Paid != 0) != tc.paid {
				t.Fatalf("status %s paid %d", o.Status, o.Paid)
			}
		})
	}
	for _, bad := range []map[string]any{
		{"status": "SHIPPED_BY_MAGIC"},
		{"payment": "290.005"},
		{"post_fee": "-1.00"},
		{"created": "2024/05/01"},
	} {
		tr := topTrade(1, testNow)
		for k, v := range bad {
			tr[k] = v
		}
		raw, _ := json.Marshal(tr)
		if _, err := parseTOPTrade("taobao", raw); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
	refunds := map[string]RefundStatus{"NO_REFUND": "", "CLOSED": "", "WAIT_SELLER_AGREE": RefundRequested,
		"WAIT_BUYER_RETURN_GOODS": RefundRequested, "WAIT_SELLER_CONFIRM_GOODS": RefundRequested,
		"SELLER_REFUSE_BUYER": RefundRefused, "SUCCESS": RefundRefunded}
	for in, want := range refunds {
		if topRefund[in] != want {
			t.Errorf("refund %s → %q, want %q", in, topRefund[in], want)
		}
	}
}

func TestTaobaoUpwardAdjustmentIsAFee(t *testing.T) {
	t.Parallel()
	tr := topTrade(1, testNow)
	tr["payment"] = "310.00" // seller raised the price by 3.10 with adjust_fee
	raw, _ := json.Marshal(tr)
	o, err := parseTOPTrade("taobao", raw)
	if err != nil {
		t.Fatal(err)
	}
	if o.Discount != 0 || o.Fees != 310 || o.Imbalance() != 0 {
		t.Fatalf("discount %d fees %d", o.Discount, o.Fees)
	}
}

func TestTaobaoShipment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		s       Shipment
		want    map[string]string
		wantErr bool
	}{
		{"whole order", Shipment{PlatformOrderID: "4012345678901234501", Carrier: "YTO", TrackingNumbers: []string{"YT1234567890"}},
			map[string]string{"tid": "4012345678901234501", "out_sid": "YT1234567890", "company_code": "YTO", "sub_tid": "", "is_split": ""}, false},
		{"split by sub-orders", Shipment{PlatformOrderID: "1", Carrier: "SF", TrackingNumbers: []string{"SF1"}, LineIDs: []string{"11", "12"}},
			map[string]string{"tid": "1", "out_sid": "SF1", "company_code": "SF", "sub_tid": "11,12", "is_split": "1"}, false},
		{"two waybills in one call", Shipment{PlatformOrderID: "1", Carrier: "SF", TrackingNumbers: []string{"a", "b"}}, nil, true},
		{"no carrier", Shipment{PlatformOrderID: "1", TrackingNumbers: []string{"a"}}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, hc, url := newTOPFake(t, 0)
			f.handlers["taobao.logistics.offline.send"] = func(map[string]string) any {
				return `{"logistics_offline_send_response":{"shipping":{"is_success":true}}}`
			}
			err := newTestTaobao(url, hc).ConfirmShipment(t.Context(), tc.s)
			if tc.wantErr {
				if err == nil || f.count() != 0 {
					t.Fatalf("err %v after %d calls", err, f.count())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := f.callsOf("taobao.logistics.offline.send")
			if len(c) != 1 {
				t.Fatalf("%d calls", len(c))
			}
			for k, v := range tc.want {
				if c[0][k] != v {
					t.Errorf("%s = %q, want %q", k, c[0][k], v)
				}
			}
		})
	}
	f, hc, url := newTOPFake(t, 0)
	f.handlers["taobao.logistics.offline.send"] = func(map[string]string) any {
		return `{"logistics_offline_send_response":{"shipping":{"is_success":false}}}`
	}
	if err := newTestTaobao(url, hc).ConfirmShipment(t.Context(), Shipment{PlatformOrderID: "1", Carrier: "YTO", TrackingNumbers: []string{"x"}}); err == nil {
		t.Error("is_success false accepted")
	}
}

func TestTaobaoSetStock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		skus    string
		items   string
		want    []map[string]string
		wantErr error
	}{
		{"sku by outer_id, other outer ids ignored",
			`{"skus_custom_get_response":{"skus":{"sku":[{"sku_id":3001,"num_iid":600001,"outer_id":"LC-500"},{"sku_id":3002,"num_iid":600001,"outer_id":"LC-500-X"}]}}}`, "",
			[]map[string]string{{"num_iid": "600001", "sku_id": "3001", "quantity": "42", "type": "1"}}, nil},
		{"item without SKUs",
			`{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.item-skus-custom-get-service-error:ITEM_NOT_FOUND","sub_msg":"没有找到宝贝"}}`,
			`{"items_custom_get_response":{"items":{"item":[{"num_iid":600002,"outer_id":"LC-500"}]}}}`,
			[]map[string]string{{"num_iid": "600002", "sku_id": "", "quantity": "42", "type": "1"}}, nil},
		{"unknown sku", `{"skus_custom_get_response":{}}`, `{"items_custom_get_response":{}}`, nil, ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, hc, url := newTOPFake(t, 0)
			f.handlers["taobao.skus.custom.get"] = func(p map[string]string) any {
				if p["outer_id"] != "LC-500" || p["fields"] != "sku_id,num_iid,outer_id" {
					return topUnknown
				}
				return tc.skus
			}
			f.handlers["taobao.items.custom.get"] = func(map[string]string) any { return tc.items }
			f.handlers["taobao.item.quantity.update"] = func(p map[string]string) any {
				return `{"item_quantity_update_response":{"item":{"num_iid":` + p["num_iid"] + `,"num":42}}}`
			}
			err := newTestTaobao(url, hc).SetStock(t.Context(), "LC-500", 42)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			got := f.callsOf("taobao.item.quantity.update")
			if len(got) != len(tc.want) {
				t.Fatalf("%d updates, want %d", len(got), len(tc.want))
			}
			for i, w := range tc.want {
				for k, v := range w {
					if got[i][k] != v {
						t.Errorf("update %d: %s = %q, want %q", i, k, got[i][k], v)
					}
				}
			}
		})
	}
	if err := NewTaobao(Credentials{}, nil).SetStock(t.Context(), "X", -1); err == nil {
		t.Error("negative stock accepted")
	}
}

func TestTaobaoErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		errorCase
		setup func(f *topFake, tb *Taobao, hc *http.Client, url string) *Taobao
	}{
		{errorCase{"rate limited (code 7)", true, false, true}, func(f *topFake, tb *Taobao, _ *http.Client, _ string) *Taobao {
			f.throttle.Store(1)
			return tb
		}},
		{errorCase{"tampered parameter fails the signature (code 25)", false, true, false}, func(_ *topFake, _ *Taobao, _ *http.Client, url string) *Taobao {
			return newTestTaobao(url, &http.Client{Transport: tamper{"page_size", "99"}})
		}},
		{errorCase{"wrong secret", false, true, false}, func(_ *topFake, _ *Taobao, hc *http.Client, url string) *Taobao {
			tb := NewTaobao(Credentials{BaseURL: url, AppKey: "12345678", AppSecret: "guess", AccessToken: "s"}, hc)
			tb.Now = fixedNow
			return tb
		}},
		{errorCase{"expired session (code 27)", false, true, false}, func(f *topFake, tb *Taobao, _ *http.Client, _ string) *Taobao {
			f.handlers["taobao.trades.sold.increment.get"] = func(map[string]string) any {
				return `{"error_response":{"code":27,"msg":"Invalid session","sub_code":"invalid-sessionkey"}}`
			}
			return tb
		}},
		{errorCase{"isp server error is temporary", false, false, true}, func(f *topFake, tb *Taobao, _ *http.Client, _ string) *Taobao {
			f.handlers["taobao.trades.sold.increment.get"] = func(map[string]string) any {
				return `{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isp.top-remote-connection-timeout"}}`
			}
			return tb
		}},
		{errorCase{"isv business error is final", false, false, false}, func(f *topFake, tb *Taobao, _ *http.Client, _ string) *Taobao {
			f.handlers["taobao.trades.sold.increment.get"] = func(map[string]string) any {
				return `{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.invalid-parameter"}}`
			}
			return tb
		}},
		{errorCase{"HTTP 502 is temporary", false, false, true}, func(f *topFake, tb *Taobao, _ *http.Client, _ string) *Taobao {
			f.status.Store(http.StatusBadGateway)
			return tb
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, hc, url := newTOPFake(t, 2)
			tb := tc.setup(f, newTestTaobao(url, hc), hc, url)
			_, _, err := tb.FetchChanged(t.Context(), testNow.Add(-time.Hour), testNow, "")
			checkErrorKind(t, tc.errorCase, err)
		})
	}
}
