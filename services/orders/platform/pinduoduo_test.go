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

// POP error bodies in the documented error_response format ("异常示例", "返回错误码说明").
const (
	pddBadSign   = `{"error_response":{"error_msg":"签名sign校验失败","sub_msg":"","sub_code":null,"error_code":20004,"request_id":"15440104776643887"}}`
	pddThrottled = `{"error_response":{"error_msg":"调用过于频繁，请调整调用频率","sub_msg":"","sub_code":null,"error_code":70031,"request_id":"15440104776643888"}}`
	pddUnknown   = `{"error_response":{"error_msg":"type不正确","sub_msg":"","sub_code":null,"error_code":10017,"request_id":"15440104776643889"}}`
)

// pddOrder is one fixture element of order_sn_list. PDD writes yuan amounts as JSON numbers.
func pddOrder(i int, updated time.Time) map[string]any {
	return map[string]any{
		"order_sn":        fmt.Sprintf("240501-0123456789%02d", i),
		"order_status":    1,
		"refund_status":   1,
		"confirm_status":  1,
		"group_status":    1,
		"pay_amount":      json.Number("59.9"),
		"goods_amount":    json.Number("69.8"),
		"discount_amount": json.Number("12.9"),
		"postage":         json.Number("3"),
		"created_time":    "2024-05-01 08:10:00",
		"confirm_time":    "2024-05-01 08:11:00",
		"pay_time":        "2024-05-01 08:10:30",
		"updated_at":      formatChinaTime(updated),
		"receiver_name":   "~AgAAAAXYZ~",
		"receiver_phone":  "~AgAAAAPHONE~",
		"country":         "中国",
		"province":        "湖南省",
		"city":            "长沙市",
		"town":            "岳麓区",
		"address":         "~AgAAAAADDR~",
		"buyer_memo":      "",
		"remark":          "VIP",
		"item_list": []any{map[string]any{
			"goods_id": json.Number("3000000001"), "sku_id": json.Number(fmt.Sprintf("9000000%03d", i)),
			"outer_id": "LR-500", "outer_goods_id": "LR", "goods_name": "湘西腊肉", "goods_spec": "500g",
			"goods_price": json.Number("34.9"), "goods_count": 2,
		}},
	}
}

type pddFake struct {
	*fakeGateway
	orders []map[string]any
}

func newPDDFake(t *testing.T, n int) (*pddFake, *http.Client, string) {
	f := &pddFake{}
	for i := range n {
		f.orders = append(f.orders, pddOrder(i, testNow.Add(-time.Duration(i)*time.Minute)))
	}
	f.fakeGateway = &fakeGateway{
		secret: "pdd-secret", methodKey: "type", sign: refSignMD5,
		badSign: pddBadSign, throttled: pddThrottled, unknown: pddUnknown,
		handlers: map[string]func(map[string]string) any{},
	}
	f.handlers["pdd.order.number.list.increment.get"] = func(p map[string]string) any {
		pageNo, _ := strconv.Atoi(p["page"])
		size, _ := strconv.Atoi(p["page_size"])
		return map[string]any{"order_sn_increment_get_response": map[string]any{
			"total_count": len(f.orders), "order_sn_list": pageSlice(f.orders, pageNo, size)}}
	}
	srv := f.start(t)
	return f, srv.Client(), srv.URL
}

func newTestPDD(url string, hc *http.Client) *Pinduoduo {
	p := NewPinduoduo(Credentials{BaseURL: url, AppKey: "client-1", AppSecret: "pdd-secret", AccessToken: "token-1"}, hc)
	p.Now = fixedNow
	return p
}

func TestPinduoduoPagingAndWindow(t *testing.T) {
	t.Parallel()
	f, hc, url := newPDDFake(t, 7)
	p := newTestPDD(url, hc)
	p.PageSize = 3
	from := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(30 * time.Minute)
	orders, calls := drain(t, p, from, to)
	if calls != 3 || len(orders) != 7 {
		t.Fatalf("%d calls, %d orders", calls, len(orders))
	}
	seen := map[string]bool{}
	for _, o := range orders {
		if seen[o.PlatformOrderID] {
			t.Errorf("%s twice", o.PlatformOrderID)
		}
		seen[o.PlatformOrderID] = true
	}
	var pages []string
	for _, c := range f.callsOf("pdd.order.number.list.increment.get") {
		pages = append(pages, c["page"])
		if c["start_updated_at"] != strconv.FormatInt(from.Unix(), 10) || c["end_updated_at"] != strconv.FormatInt(to.Unix(), 10) {
			t.Errorf("window %s – %s", c["start_updated_at"], c["end_updated_at"])
		}
		want := map[string]string{"client_id": "client-1", "access_token": "token-1", "data_type": "JSON",
			"timestamp": strconv.FormatInt(testNow.Unix(), 10), "is_lucky_flag": "0", "order_status": "5",
			"refund_status": "5", "page_size": "3", "use_has_next": "false"}
		for k, v := range want {
			if c[k] != v {
				t.Errorf("%s = %q, want %q", k, c[k], v)
			}
		}
	}
	if fmt.Sprint(pages) != "[1 3 2 1]" {
		t.Errorf("pages %v", pages)
	}
	if _, _, err := p.FetchChanged(t.Context(), from, from.Add(31*time.Minute), ""); !errors.Is(err, ErrWindowTooLarge) {
		t.Errorf("31 min window: %v", err)
	}
}

func TestPinduoduoMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		change  map[string]any
		status  Status
		refund  RefundStatus
		wantErr bool
	}{
		{"awaiting shipment", nil, StatusPaid, "", false},
		{"shipped", map[string]any{"order_status": 2}, StatusShipped, "", false},
		{"received", map[string]any{"order_status": 3}, StatusCompleted, "", false},
		{"after-sale in progress", map[string]any{"refund_status": 2}, StatusPaid, RefundRequested, false},
		{"refunding", map[string]any{"refund_status": 3, "order_status": 2}, StatusShipped, RefundRequested, false},
		{"refunded before shipping", map[string]any{"refund_status": 4}, StatusCancelled, RefundRefunded, false},
		{"refunded after shipping", map[string]any{"refund_status": 4, "order_status": 3}, StatusCompleted, RefundRefunded, false},
		{"cancelled", map[string]any{"confirm_status": 2}, StatusCancelled, "", false},
		{"exponent amount", map[string]any{"pay_amount": json.Number("5.99E1")}, StatusPaid, "", false},
		{"unknown order_status", map[string]any{"order_status": 9}, "", "", true},
		{"float noise", map[string]any{"pay_amount": json.Number("59.900000000000006")}, "", "", true},
		{"negative postage", map[string]any{"postage": json.Number("-3")}, "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := pddOrder(1, testNow)
			for k, v := range tc.change {
				o[k] = v
			}
			raw, _ := json.Marshal(o)
			got, err := parsePDDOrder(raw)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("accepted %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.status || got.Lines[0].RefundStatus != tc.refund {
				t.Fatalf("status %s refund %q", got.Status, got.Lines[0].RefundStatus)
			}
			// 2 × 34.90 = 69.80 goods + 3.00 postage − 12.90 discount = 59.90 paid (yuan → fen).
			if got.Goods != 6980 || got.Shipping != 300 || got.Discount != 1290 || got.Total != 5990 || got.Paid != 5990 || got.Imbalance() != 0 {
				t.Fatalf("amounts %+v", got)
			}
			l := got.Lines[0]
			if l != (Line{PlatformLineID: "9000000001", SKU: "LR-500", Title: "湘西腊肉 500g", Quantity: 2000, UnitPrice: 3490, Discount: 1290, RefundStatus: tc.refund}) {
				t.Fatalf("line %+v", l)
			}
			if got.PlatformOrderID != "240501-012345678901" || got.Address.Country != "CN" || got.Address.District != "岳麓区" ||
				!got.PaidAt.Equal(time.Date(2024, 5, 1, 0, 10, 30, 0, time.UTC)) {
				t.Fatalf("order %+v", got)
			}
		})
	}
}

func TestPinduoduoShipmentAndStock(t *testing.T) {
	t.Parallel()
	f, hc, url := newPDDFake(t, 0)
	f.handlers["pdd.logistics.online.send"] = func(map[string]string) any {
		return `{"logistics_online_send_response":{"is_success":true}}`
	}
	f.handlers["pdd.goods.list.get"] = func(p map[string]string) any {
		if p["outer_id"] != "LR-500" {
			return `{"goods_list_get_response":{"goods_list":[],"total_count":0}}`
		}
		return `{"goods_list_get_response":{"goods_list":[{"goods_id":3000000001,"goods_name":"湘西腊肉","sku_list":[
			{"sku_id":9000000001,"outer_id":"LR-500","sku_quantity":3},{"sku_id":9000000002,"outer_id":"LR-1000","sku_quantity":1}]}],"total_count":1}}`
	}
	f.handlers["pdd.goods.quantity.update"] = func(map[string]string) any {
		return `{"goods_quantity_update_response":{"is_success":true}}`
	}
	p := newTestPDD(url, hc)
	if err := p.ConfirmShipment(t.Context(), Shipment{PlatformOrderID: "240501-012345678901", Carrier: "85", TrackingNumbers: []string{"YT7000000001"}}); err != nil {
		t.Fatal(err)
	}
	c := f.callsOf("pdd.logistics.online.send")
	if len(c) != 1 || c[0]["order_sn"] != "240501-012345678901" || c[0]["logistics_id"] != "85" || c[0]["tracking_number"] != "YT7000000001" {
		t.Fatalf("shipment calls %v", c)
	}
	for _, bad := range []Shipment{
		{PlatformOrderID: "1", Carrier: "YTO", TrackingNumbers: []string{"x"}},
		{PlatformOrderID: "1", Carrier: "85", TrackingNumbers: []string{"x", "y"}},
		{PlatformOrderID: "1", Carrier: "85", TrackingNumbers: []string{"x"}, LineIDs: []string{"1"}},
	} {
		if err := p.ConfirmShipment(t.Context(), bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	if err := p.SetStock(t.Context(), "LR-500", 120); err != nil {
		t.Fatal(err)
	}
	u := f.callsOf("pdd.goods.quantity.update")
	if len(u) != 1 || u[0]["goods_id"] != "3000000001" || u[0]["sku_id"] != "9000000001" || u[0]["quantity"] != "120" || u[0]["update_type"] != "1" {
		t.Fatalf("stock calls %v", u)
	}
	if err := p.SetStock(t.Context(), "NOPE", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown sku: %v", err)
	}
}

func TestPinduoduoErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		errorCase
		setup func(f *pddFake, hc *http.Client, url string) *Pinduoduo
	}{
		{errorCase{"rate limited (70031)", true, false, true}, func(f *pddFake, hc *http.Client, url string) *Pinduoduo {
			f.throttle.Store(1)
			return newTestPDD(url, hc)
		}},
		{errorCase{"tampered parameter (20004)", false, true, false}, func(_ *pddFake, _ *http.Client, url string) *Pinduoduo {
			return newTestPDD(url, &http.Client{Transport: tamper{"order_status", "1"}})
		}},
		{errorCase{"expired access_token (10019)", false, true, false}, func(f *pddFake, hc *http.Client, url string) *Pinduoduo {
			f.handlers["pdd.order.number.list.increment.get"] = func(map[string]string) any {
				return `{"error_response":{"error_msg":"access_token已过期","sub_msg":"","sub_code":null,"error_code":10019}}`
			}
			return newTestPDD(url, hc)
		}},
		{errorCase{"gateway throttling (52101)", true, false, true}, func(f *pddFake, hc *http.Client, url string) *Pinduoduo {
			f.handlers["pdd.order.number.list.increment.get"] = func(map[string]string) any {
				return `{"error_response":{"error_msg":"当前接口被限流，请稍后重试","error_code":52101}}`
			}
			return newTestPDD(url, hc)
		}},
		{errorCase{"system error (50000)", false, false, true}, func(f *pddFake, hc *http.Client, url string) *Pinduoduo {
			f.handlers["pdd.order.number.list.increment.get"] = func(map[string]string) any {
				return `{"error_response":{"error_msg":"系统内部错误","error_code":50000}}`
			}
			return newTestPDD(url, hc)
		}},
		{errorCase{"parameter error (10000)", false, false, false}, func(f *pddFake, hc *http.Client, url string) *Pinduoduo {
			f.handlers["pdd.order.number.list.increment.get"] = func(map[string]string) any {
				return `{"error_response":{"error_msg":"参数错误","error_code":10000}}`
			}
			return newTestPDD(url, hc)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, hc, url := newPDDFake(t, 2)
			_, _, err := tc.setup(f, hc, url).FetchChanged(t.Context(), testNow.Add(-10*time.Minute), testNow, "")
			checkErrorKind(t, tc.errorCase, err)
		})
	}
}
