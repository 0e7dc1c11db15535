package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// jdGateway is the JOS routerjson gateway.
const jdGateway = "https://api.jd.com/routerjson"

// jdOrderFields are the optional_fields FetchChanged requests from jingdong.pop.order.search.
const jdOrderFields = "orderId,venderId,orderState,orderTotalPrice,orderSellerPrice,orderPayment," +
	"freightPrice,sellerDiscount,balanceUsed,orderRemark,venderRemark,orderStartTime," +
	"paymentConfirmTime,modified,consigneeInfo,itemInfoList,couponDetailList,pin,open_id_buyer"

// jdOrderStates are all the order_state values FetchChanged asks for.
const jdOrderStates = "WAIT_SELLER_STOCK_OUT,WAIT_SELLER_DELIVERY,WAIT_GOODS_RECEIVE_CONFIRM," +
	"FINISHED_L,TRADE_CANCELED,LOCKED,PAUSE,POP_ORDER_PAUSE"

// JD talks to JD's open platform (京东宙斯 / JOS) for a POP shop. It implements Puller,
// Shipper and StockSetter.
//
// Every call is an HTTP POST of form parameters to routerjson with method, access_token,
// app_key, timestamp ("2006-01-02 15:04:05", Beijing time), v=2.0, 360buy_param_json (the
// business parameters as one JSON object) and sign = upper(hex(md5(secret + k1v1k2v2… +
// secret))) over every parameter but sign, sorted by name — the developer guide's worked
// example (open.jd.com dev-guide listId=2643) is reproduced in the tests.
type JD struct {
	creds Credentials
	hc    *http.Client

	// PageSize is the order search page size (1..100, default 100).
	PageSize int
	// Now returns the current time for the timestamp parameter; nil means time.Now.
	Now func() time.Time
}

// NewJD returns a JOS adapter for one shop. hc nil means http.DefaultClient.
func NewJD(c Credentials, hc *http.Client) *JD { return &JD{creds: c, hc: clientOr(hc)} }

// Platform returns "jd".
func (j *JD) Platform() string { return "jd" }

// MaxWindow is the longest FetchChanged window. jingdong.pop.order.search limits one
// query by modification time to a month; 30 days is used.
func (j *JD) MaxWindow() time.Duration { return 30 * 24 * time.Hour }

func (j *JD) pageSize() int {
	if j.PageSize <= 0 || j.PageSize > 100 {
		return 100
	}
	return j.PageSize
}

// FetchChanged returns one page of orders modified in [from, to) with
// jingdong.pop.order.search: start_date, end_date, dateType=0 (by modification time),
// order_state (every state), optional_fields, page, page_size, sortType=0. Pages are read
// from the last back to the first using orderTotal, for the same reason as on TOP and POP
// (see backwardPage).
func (j *JD) FetchChanged(ctx context.Context, from, to time.Time, page string) ([]Order, string, error) {
	start, end, err := window(from, to, j.MaxWindow())
	if err != nil {
		return nil, "", err
	}
	size := j.pageSize()
	rows, next, err := backwardPage(page, size, func(pageNo int) ([]json.RawMessage, int, error) {
		var resp struct {
			Result struct {
				OrderTotal    int               `json:"orderTotal"`
				OrderInfoList []json.RawMessage `json:"orderInfoList"`
				APIResult     *jdAPIResult      `json:"apiResult"`
			} `json:"searchorderinfo_result"`
		}
		const method = "jingdong.pop.order.search"
		err := j.call(ctx, method, map[string]string{
			"start_date":      formatChinaTime(start),
			"end_date":        formatChinaTime(end),
			"order_state":     jdOrderStates,
			"optional_fields": jdOrderFields,
			"page":            strconv.Itoa(pageNo),
			"page_size":       strconv.Itoa(size),
			"dateType":        "0",
			"sortType":        "0",
		}, &resp)
		if err == nil {
			err = resp.Result.APIResult.err(method)
		}
		return resp.Result.OrderInfoList, resp.Result.OrderTotal, err
	})
	if err != nil {
		return nil, "", err
	}
	orders := make([]Order, 0, len(rows))
	seen := make(map[string]bool, len(rows))
	for _, raw := range rows {
		o, err := parseJDOrder(raw)
		if err != nil {
			return nil, "", err
		}
		if seen[o.PlatformOrderID] {
			continue
		}
		seen[o.PlatformOrderID] = true
		orders = append(orders, o)
	}
	return orders, next, nil
}

// ConfirmShipment calls jingdong.pop.order.shipment with order_id, logi_coprId
// (Shipment.Carrier: JD's logistics company id) and logi_no; several waybills are joined
// with "|". The API ships the whole order, so LineIDs must be empty.
func (j *JD) ConfirmShipment(ctx context.Context, s Shipment) error {
	if err := validateShipment(s); err != nil {
		return err
	}
	if len(s.LineIDs) > 0 {
		return fmt.Errorf("platform: jd: jingdong.pop.order.shipment ships whole orders only")
	}
	var resp struct {
		Result *jdAPIResult `json:"sopjosshipment_result"`
	}
	const method = "jingdong.pop.order.shipment"
	if err := j.call(ctx, method, map[string]string{
		"order_id":    s.PlatformOrderID,
		"logi_coprId": s.Carrier,
		"logi_no":     strings.Join(s.TrackingNumbers, "|"),
	}, &resp); err != nil {
		return err
	}
	if resp.Result == nil {
		return &APIError{Platform: "jd", Method: method, Kind: KindRejected, Message: "no sopjosshipment_result"}
	}
	return resp.Result.err(method)
}

// SetStock finds the JD skuIds whose 商家外部编码 (outerId) is sku with
// jingdong.sku.read.searchSkuList (outId) and sets their stock with
// jingdong.stock.write.updateSkuStock (skuId, stockNum). An unknown sku is ErrNotFound.
func (j *JD) SetStock(ctx context.Context, sku string, quantity int64) error {
	if err := validateStock(sku, quantity); err != nil {
		return err
	}
	var list struct {
		Page struct {
			Data []struct {
				SkuID   jsonText `json:"skuId"`
				OuterID string   `json:"outerId"`
			} `json:"data"`
		} `json:"page"`
	}
	if err := j.call(ctx, "jingdong.sku.read.searchSkuList", map[string]string{
		"outId": sku, "field": "skuId,outerId,wareId", "pageNo": "1", "page_size": "50",
	}, &list); err != nil {
		return err
	}
	found := false
	for _, d := range list.Page.Data {
		if d.OuterID != sku || d.SkuID == "" {
			continue
		}
		found = true
		var resp struct {
			Success flexBool `json:"success"`
		}
		const method = "jingdong.stock.write.updateSkuStock"
		if err := j.call(ctx, method, map[string]string{
			"skuId": string(d.SkuID), "stockNum": strconv.FormatInt(quantity, 10),
		}, &resp); err != nil {
			return err
		}
		if !resp.Success {
			return &APIError{Platform: "jd", Method: method, Kind: KindRejected, Message: "success is false"}
		}
	}
	if !found {
		return fmt.Errorf("platform: jd SKU %q: %w", sku, ErrNotFound)
	}
	return nil
}

// jdAPIResult is JD's in-body business result (apiResult, sopjosshipment_result).
type jdAPIResult struct {
	Success        flexBool `json:"success"`
	EnglishErrCode string   `json:"englishErrCode"`
	ChineseErrCode string   `json:"chineseErrCode"`
	ErrorCode      jsonText `json:"errorCode"`
	NumberCode     jsonText `json:"numberCode"`
}

func (r *jdAPIResult) err(method string) error {
	if r == nil || r.Success {
		return nil
	}
	return &APIError{Platform: "jd", Method: method, HTTPStatus: http.StatusOK, Kind: KindRejected,
		Code: firstNonEmpty(string(r.ErrorCode), string(r.NumberCode)), Message: joinNonEmpty(": ", r.ChineseErrCode, r.EnglishErrCode)}
}

// call signs and sends one JOS request; biz becomes 360buy_param_json (encoding/json writes
// object keys sorted, so the text is deterministic). The "<method with dots as
// underscores>_responce" object (JOS's spelling; "_response" is accepted too) is decoded
// into out.
func (j *JD) call(ctx context.Context, method string, biz map[string]string, out any) error {
	paramJSON, err := json.Marshal(biz)
	if err != nil {
		return fmt.Errorf("platform: jd %s: %w", method, err)
	}
	p := map[string]string{
		"method":            method,
		"app_key":           j.creds.AppKey,
		"timestamp":         formatChinaTime(nowFunc(j.Now)),
		"v":                 "2.0",
		"360buy_param_json": string(paramJSON),
	}
	if j.creds.AccessToken != "" {
		p["access_token"] = j.creds.AccessToken
	}
	p["sign"] = signMD5(p, j.creds.AppSecret)
	endpoint := j.creds.BaseURL
	if endpoint == "" {
		endpoint = jdGateway
	}
	body, err := postForm(ctx, j.hc, "jd", method, endpoint, p, nowFunc(j.Now))
	if err != nil {
		return err
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return &APIError{Platform: "jd", Method: method, HTTPStatus: http.StatusOK, Kind: KindTemporary, Message: snippet(body), Err: err}
	}
	if raw, ok := env["error_response"]; ok {
		var e struct {
			Code   jsonText `json:"code"`
			ZhDesc string   `json:"zh_desc"`
			EnDesc string   `json:"en_desc"`
		}
		_ = json.Unmarshal(raw, &e)
		return &APIError{Platform: "jd", Method: method, HTTPStatus: http.StatusOK, Code: string(e.Code),
			Message: joinNonEmpty(": ", e.ZhDesc, e.EnDesc), Kind: classifyJD(string(e.Code))}
	}
	base := strings.ReplaceAll(method, ".", "_")
	raw, ok := env[base+"_responce"]
	if !ok {
		raw, ok = env[base+"_response"]
	}
	if !ok {
		return &APIError{Platform: "jd", Method: method, HTTPStatus: http.StatusOK, Kind: KindRejected, Message: "no " + base + "_responce in response"}
	}
	var head struct {
		Code jsonText `json:"code"`
	}
	if err := json.Unmarshal(raw, &head); err == nil && head.Code != "" && head.Code != "0" {
		return &APIError{Platform: "jd", Method: method, HTTPStatus: http.StatusOK, Code: string(head.Code), Kind: classifyJD(string(head.Code))}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return &APIError{Platform: "jd", Method: method, HTTPStatus: http.StatusOK, Kind: KindRejected, Message: "decoding " + base, Err: err}
		}
	}
	return nil
}

// classifyJD maps JOS gateway error codes (网关系统错误码) to kinds: 2 App Call Limited is
// throttling; 1 (service unavailable) and 66/67 (platform/back-end service failures) are
// treated as temporary; 11/12 Missing/Invalid Signature, 18 (app key) and 19 (invalid
// access_token) are credential errors; the rest are rejections.
func classifyJD(code string) ErrorKind {
	switch code {
	case "2":
		return KindRateLimited
	case "1", "66", "67":
		return KindTemporary
	case "11", "12", "18", "19":
		return KindAuth
	}
	return KindRejected
}

type jdOrderJSON struct {
	OrderID            jsonText `json:"orderId"`
	OrderState         string   `json:"orderState"`
	OrderTotalPrice    jsonText `json:"orderTotalPrice"`
	OrderPayment       jsonText `json:"orderPayment"`
	FreightPrice       jsonText `json:"freightPrice"`
	OrderRemark        string   `json:"orderRemark"`
	VenderRemark       string   `json:"venderRemark"`
	OrderStartTime     string   `json:"orderStartTime"`
	PaymentConfirmTime string   `json:"paymentConfirmTime"`
	Modified           string   `json:"modified"`
	Pin                string   `json:"pin"`
	OpenIDBuyer        string   `json:"open_id_buyer"`
	ConsigneeInfo      struct {
		Fullname    string `json:"fullname"`
		Mobile      string `json:"mobile"`
		Telephone   string `json:"telephone"`
		FullAddress string `json:"fullAddress"`
		Province    string `json:"province"`
		City        string `json:"city"`
		County      string `json:"county"`
		Town        string `json:"town"`
	} `json:"consigneeInfo"`
	ItemInfoList []struct {
		SkuID      jsonText `json:"skuId"`
		OuterSkuID string   `json:"outerSkuId"`
		SkuName    string   `json:"skuName"`
		JdPrice    jsonText `json:"jdPrice"`
		ItemTotal  jsonText `json:"itemTotal"`
	} `json:"itemInfoList"`
	CouponDetailList []struct {
		SkuID       jsonText `json:"skuId"`
		CouponPrice jsonText `json:"couponPrice"`
	} `json:"couponDetailList"`
}

// jdStatus maps orderState (jingdong.pop.order.search) to Status. LOCKED (锁定, a pending
// cancellation or refund request) keeps paid and marks the lines requested.
var jdStatus = map[string]Status{
	"WAIT_SELLER_STOCK_OUT":      StatusPaid, // 等待出库
	"WAIT_SELLER_DELIVERY":       StatusPaid, // 等待发货
	"PAUSE":                      StatusPaid, // 暂停
	"POP_ORDER_PAUSE":            StatusPaid,
	"LOCKED":                     StatusPaid,
	"WAIT_GOODS_RECEIVE_CONFIRM": StatusShipped,   // 等待确认收货
	"FINISHED_L":                 StatusCompleted, // 完成
	"TRADE_CANCELED":             StatusCancelled, // 取消
}

// parseJDOrder maps one orderInfoList element of jingdong.pop.order.search.
//
// Amounts are yuan strings (CNY, tax-inclusive). Goods = Σ jdPrice × itemTotal; Shipping =
// freightPrice; Total = Paid = orderPayment (用户应付金额); Discount = Goods + Shipping −
// orderPayment (seller and platform discounts together), a negative result going to Fees.
// A line's Discount is the sum of its couponDetailList entries (matched by skuId). Times
// are Beijing time; PaidAt = paymentConfirmTime.
func parseJDOrder(raw []byte) (Order, error) {
	var j jdOrderJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return Order{}, fmt.Errorf("platform: jd order: %w", err)
	}
	id, err := j.OrderID.id()
	if err != nil {
		return Order{}, fmt.Errorf("platform: jd order: %w", err)
	}
	status, ok := jdStatus[j.OrderState]
	if !ok {
		return Order{}, fmt.Errorf("platform: jd order %s: unknown orderState %q", id, j.OrderState)
	}
	ap := amountParser{decimals: 2}
	var tp timeParser
	c := j.ConsigneeInfo
	o := Order{
		Platform:        "jd",
		PlatformOrderID: id,
		Status:          status,
		Currency:        "CNY",
		Shipping:        ap.money("freightPrice", j.FreightPrice),
		Total:           ap.money("orderPayment", j.OrderPayment),
		TaxIncluded:     true,
		CreatedAt:       tp.china("orderStartTime", j.OrderStartTime),
		PaidAt:          tp.china("paymentConfirmTime", j.PaymentConfirmTime),
		UpdatedAt:       tp.china("modified", j.Modified),
		Buyer:           Buyer{PlatformID: j.OpenIDBuyer, Nick: j.Pin},
		Address: Address{
			Name:     c.Fullname,
			Phone:    firstNonEmpty(c.Mobile, c.Telephone),
			Country:  "CN",
			Province: c.Province,
			City:     c.City,
			District: c.County,
			Street:   firstNonEmpty(c.FullAddress, c.Town),
		},
		BuyerRemark:  j.OrderRemark,
		SellerRemark: j.VenderRemark,
		Raw:          cloneRaw(raw),
	}
	if status != StatusPendingPayment {
		o.Paid = o.Total
	}
	coupons := map[string]int64{}
	for _, cd := range j.CouponDetailList {
		coupons[string(cd.SkuID)] = ap.add(coupons[string(cd.SkuID)], ap.money("couponDetailList.couponPrice", cd.CouponPrice))
	}
	for i, it := range j.ItemInfoList {
		lid, err := it.SkuID.id()
		if err != nil {
			return Order{}, fmt.Errorf("platform: jd order %s item %d: %w", id, i, err)
		}
		line := Line{
			PlatformLineID: lid,
			SKU:            it.OuterSkuID,
			Title:          it.SkuName,
			Quantity:       ap.qty("itemInfoList.itemTotal", it.ItemTotal),
			UnitPrice:      ap.money("itemInfoList.jdPrice", it.JdPrice),
			Discount:       coupons[lid],
		}
		if j.OrderState == "LOCKED" {
			line.RefundStatus = RefundRequested
		}
		o.Goods = ap.add(o.Goods, ap.line(line.Quantity, line.UnitPrice))
		o.Lines = append(o.Lines, line)
	}
	splitDiscount(&o, &ap)
	if ap.err != nil {
		return Order{}, fmt.Errorf("jd order %s: %w", id, ap.err)
	}
	if tp.err != nil {
		return Order{}, fmt.Errorf("jd order %s: %w", id, tp.err)
	}
	return o, nil
}
