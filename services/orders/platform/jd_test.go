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

// JOS error bodies in the documented error_response format (网关系统错误码).
const (
	jdBadSign   = `{"error_response":{"code":"12","zh_desc":"无效签名","en_desc":"Invalid Signature"}}`
	jdThrottled = `{"error_response":{"code":"2","zh_desc":"限制时间内调用失败次数","en_desc":"App Call Limited"}}`
	jdUnknown   = `{"error_response":{"code":"15","zh_desc":"不存在的方法名","en_desc":"Invalid Method"}}`
)

// jdOrder is one fixture element of searchorderinfo_result.orderInfoList.
func jdOrder(i int, modified time.Time) map[string]any {
	return map[string]any{
		"orderId":            fmt.Sprintf("2900000000%02d", i),
		"venderId":           "10001",
		"orderState":         "WAIT_SELLER_STOCK_OUT",
		"orderTotalPrice":    "176.00",
		"orderSellerPrice":   "166.00",
		"orderPayment":       "158.00",
		"freightPrice":       "0.00",
		"sellerDiscount":     "10.00",
		"orderRemark":        "周末送货",
		"venderRemark":       "",
		"orderStartTime":     "2024-05-01 07:00:00",
		"paymentConfirmTime": "2024-05-01 07:01:00",
		"modified":           formatChinaTime(modified),
		"pin":                "jd_***",
		"open_id_buyer":      "o-123",
		"consigneeInfo": map[string]any{"fullname": "李*", "mobile": "139****1111", "telephone": "", "fullAddress": "四川成都市武侯区某路1号",
			"province": "四川", "city": "成都市", "county": "武侯区", "town": ""},
		"itemInfoList": []any{
			map[string]any{"skuId": "100012345678", "outerSkuId": "XC-500", "skuName": "四川香肠 500g", "jdPrice": "58.00", "itemTotal": "2"},
			map[string]any{"skuId": "100012345679", "outerSkuId": "LR-300", "skuName": "烟熏腊肉 300g", "jdPrice": "60.00", "itemTotal": "1"},
		},
		"couponDetailList": []any{
			map[string]any{"skuId": "100012345678", "couponType": "20-满减", "couponPrice": "10.00"},
			map[string]any{"skuId": "100012345679", "couponType": "52-京券", "couponPrice": "8.00"},
		},
	}
}

type jdFake struct {
	*fakeGateway
	orders []map[string]any
}

func newJDFake(t *testing.T, n int) (*jdFake, *http.Client, string) {
	f := &jdFake{}
	for i := range n {
		f.orders = append(f.orders, jdOrder(i, testNow.Add(-time.Duration(i)*time.Minute)))
	}
	f.fakeGateway = &fakeGateway{
		secret: "jd-secret", methodKey: "method", sign: refSignMD5,
		badSign: jdBadSign, throttled: jdThrottled, unknown: jdUnknown,
		handlers: map[string]func(map[string]string) any{},
	}
	f.handlers["jingdong.pop.order.search"] = func(p map[string]string) any {
		var biz map[string]string
		if err := json.Unmarshal([]byte(p["360buy_param_json"]), &biz); err != nil {
			return `{"error_response":{"code":"61","zh_desc":"参数错误","en_desc":"bad 360buy_param_json"}}`
		}
		pageNo, _ := strconv.Atoi(biz["page"])
		size, _ := strconv.Atoi(biz["page_size"])
		return map[string]any{"jingdong_pop_order_search_responce": map[string]any{"code": "0", "searchorderinfo_result": map[string]any{
			"apiResult":  map[string]any{"success": true, "englishErrCode": "", "chineseErrCode": "", "numberCode": 0},
			"orderTotal": len(f.orders), "orderInfoList": pageSlice(f.orders, pageNo, size)}}}
	}
	srv := f.start(t)
	return f, srv.Client(), srv.URL
}

func newTestJD(url string, hc *http.Client) *JD {
	j := NewJD(Credentials{BaseURL: url, AppKey: "jd-app", AppSecret: "jd-secret", AccessToken: "jd-token"}, hc)
	j.Now = fixedNow
	return j
}

func jdBiz(t *testing.T, c map[string]string) map[string]string {
	t.Helper()
	var biz map[string]string
	if err := json.Unmarshal([]byte(c["360buy_param_json"]), &biz); err != nil {
		t.Fatalf("360buy_param_json %q: %v", c["360buy_param_json"], err)
	}
	return biz
}

func TestJDPagingAndWindow(t *testing.T) {
	t.Parallel()
	f, hc, url := newJDFake(t, 7)
	j := newTestJD(url, hc)
	j.PageSize = 3
	from := time.Date(2024, 4, 30, 16, 0, 0, 0, time.UTC)
	to := from.Add(2 * time.Hour)
	orders, calls := drain(t, j, from, to)
	if calls != 3 || len(orders) != 7 {
		t.Fatalf("%d calls, %d orders", calls, len(orders))
	}
	ids := map[string]bool{}
	for _, o := range orders {
		ids[o.PlatformOrderID] = true
	}
	if len(ids) != 7 {
		t.Errorf("%d distinct orders", len(ids))
	}
	var pages []string
	for _, c := range f.callsOf("jingdong.pop.order.search") {
		if c["app_key"] != "jd-app" || c["access_token"] != "jd-token" || c["v"] != "2.0" || c["timestamp"] != "2024-05-01 09:02:03" {
			t.Errorf("common parameters %v", c)
		}
		biz := jdBiz(t, c)
		pages = append(pages, biz["page"])
		if biz["start_date"] != "2024-05-01 00:00:00" || biz["end_date"] != "2024-05-01 02:00:00" || biz["dateType"] != "0" ||
			biz["page_size"] != "3" || biz["order_state"] != jdOrderStates || biz["optional_fields"] != jdOrderFields {
			t.Errorf("business parameters %v", biz)
		}
	}
	if fmt.Sprint(pages) != "[1 3 2 1]" {
		t.Errorf("pages %v", pages)
	}
	if _, _, err := j.FetchChanged(t.Context(), from, from.Add(31*24*time.Hour), ""); !errors.Is(err, ErrWindowTooLarge) {
		t.Errorf("31 day window: %v", err)
	}
}

func TestJDMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		state  string
		want   Status
		refund RefundStatus
	}{
		{"WAIT_SELLER_STOCK_OUT", StatusPaid, ""},
		{"WAIT_SELLER_DELIVERY", StatusPaid, ""},
		{"PAUSE", StatusPaid, ""},
		{"LOCKED", StatusPaid, RefundRequested},
		{"WAIT_GOODS_RECEIVE_CONFIRM", StatusShipped, ""},
		{"FINISHED_L", StatusCompleted, ""},
		{"TRADE_CANCELED", StatusCancelled, ""},
	}
	for _, tc := range tests {
		t.Run(tc.state, func(t *testing.T) {
			t.Parallel()
			o := jdOrder(1, testNow)
			o["orderState"] = tc.state
			raw, _ := json.Marshal(o)
			got, err := parseJDOrder(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.want || got.Lines[0].RefundStatus != tc.refund {
				t.Fatalf("status %s refund %q", got.Status, got.Lines[0].RefundStatus)
			}
			// 2 × 58.00 + 60.00 = 176.00 goods, paid 158.00: 18.00 of coupons.
			if got.Goods != 17600 || got.Discount != 1800 || got.Shipping != 0 || got.Total != 15800 || got.Paid != 15800 || got.Imbalance() != 0 {
				t.Fatalf("amounts %+v", got)
			}
			if got.Lines[0].Discount != 1000 || got.Lines[1].Discount != 800 || got.Lines[0].SKU != "XC-500" || got.Lines[0].Quantity != 2000 {
				t.Fatalf("lines %+v", got.Lines)
			}
			if got.Address.Phone != "139****1111" || got.Address.District != "武侯区" || got.Buyer.PlatformID != "o-123" || got.BuyerRemark != "周末送货" {
				t.Fatalf("address/buyer %+v %+v", got.Address, got.Buyer)
			}
		})
	}
	o := jdOrder(1, testNow)
	o["orderState"] = "SOMETHING_NEW"
	raw, _ := json.Marshal(o)
	if _, err := parseJDOrder(raw); err == nil {
		t.Error("unknown orderState accepted")
	}
}

func TestJDShipmentAndStock(t *testing.T) {
	t.Parallel()
	f, hc, url := newJDFake(t, 0)
	f.handlers["jingdong.pop.order.shipment"] = func(p map[string]string) any {
		return `{"jingdong_pop_order_shipment_responce":{"code":"0","sopjosshipment_result":{"success":true,"chineseErrCode":"","englishErrCode":""}}}`
	}
	f.handlers["jingdong.sku.read.searchSkuList"] = func(p map[string]string) any {
		return `{"jingdong_sku_read_searchSkuList_responce":{"code":"0","page":{"data":[{"skuId":100012345678,"outerId":"XC-500","wareId":1000},
			{"skuId":100012345600,"outerId":"XC-500-GIFT","wareId":1000}],"pageNo":1,"pageSize":50,"totalItem":2}}}`
	}
	f.handlers["jingdong.stock.write.updateSkuStock"] = func(map[string]string) any {
		return `{"jingdong_stock_write_updateSkuStock_responce":{"code":"0","success":true}}`
	}
	j := newTestJD(url, hc)
	if err := j.ConfirmShipment(t.Context(), Shipment{PlatformOrderID: "290000000001", Carrier: "467", TrackingNumbers: []string{"SF100", "SF101"}}); err != nil {
		t.Fatal(err)
	}
	c := f.callsOf("jingdong.pop.order.shipment")
	if len(c) != 1 {
		t.Fatalf("%d shipment calls", len(c))
	}
	if biz := jdBiz(t, c[0]); biz["order_id"] != "290000000001" || biz["logi_coprId"] != "467" || biz["logi_no"] != "SF100|SF101" {
		t.Errorf("shipment %v", biz)
	}
	if err := j.ConfirmShipment(t.Context(), Shipment{PlatformOrderID: "1", Carrier: "467", TrackingNumbers: []string{"x"}, LineIDs: []string{"2"}}); err == nil {
		t.Error("line-level shipment accepted")
	}
	if err := j.SetStock(t.Context(), "XC-500", 7); err != nil {
		t.Fatal(err)
	}
	if s := f.callsOf("jingdong.sku.read.searchSkuList"); len(s) != 1 || jdBiz(t, s[0])["outId"] != "XC-500" {
		t.Errorf("lookup %v", s)
	}
	u := f.callsOf("jingdong.stock.write.updateSkuStock")
	if len(u) != 1 {
		t.Fatalf("%d stock updates", len(u))
	}
	if biz := jdBiz(t, u[0]); biz["skuId"] != "100012345678" || biz["stockNum"] != "7" {
		t.Errorf("stock update %v", biz)
	}
	f.handlers["jingdong.pop.order.shipment"] = func(map[string]string) any {
		return `{"jingdong_pop_order_shipment_responce":{"code":"0","sopjosshipment_result":{"success":false,"chineseErrCode":"订单已出库","englishErrCode":"order already shipped"}}}`
	}
	err := j.ConfirmShipment(t.Context(), Shipment{PlatformOrderID: "1", Carrier: "467", TrackingNumbers: []string{"x"}})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Kind != KindRejected || ae.Message == "" {
		t.Errorf("business failure: %v", err)
	}
}

func TestJDErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		errorCase
		setup func(f *jdFake, hc *http.Client, url string) *JD
	}{
		{errorCase{"rate limited (code 2)", true, false, true}, func(f *jdFake, hc *http.Client, url string) *JD {
			f.throttle.Store(1)
			return newTestJD(url, hc)
		}},
		{errorCase{"tampered 360buy_param_json (code 12)", false, true, false}, func(_ *jdFake, _ *http.Client, url string) *JD {
			return newTestJD(url, &http.Client{Transport: tamper{"360buy_param_json", `{"page":"1"}`}})
		}},
		{errorCase{"invalid access_token (code 19)", false, true, false}, func(f *jdFake, hc *http.Client, url string) *JD {
			f.handlers["jingdong.pop.order.search"] = func(map[string]string) any {
				return `{"error_response":{"code":"19","zh_desc":"token已过期或者不存在，请重新授权访问。","en_desc":"Invalid access_token"}}`
			}
			return newTestJD(url, hc)
		}},
		{errorCase{"apiResult failure", false, false, false}, func(f *jdFake, hc *http.Client, url string) *JD {
			f.handlers["jingdong.pop.order.search"] = func(map[string]string) any {
				return `{"jingdong_pop_order_search_responce":{"code":"0","searchorderinfo_result":{"apiResult":{"success":false,"chineseErrCode":"查询时间跨度不能超过一个月","englishErrCode":"bad range","numberCode":10100}}}}`
			}
			return newTestJD(url, hc)
		}},
		{errorCase{"HTTP 503", false, false, true}, func(f *jdFake, hc *http.Client, url string) *JD {
			f.status.Store(http.StatusServiceUnavailable)
			return newTestJD(url, hc)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, hc, url := newJDFake(t, 2)
			_, _, err := tc.setup(f, hc, url).FetchChanged(t.Context(), testNow.Add(-time.Hour), testNow, "")
			checkErrorKind(t, tc.errorCase, err)
		})
	}
}
