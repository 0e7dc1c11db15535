package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// topGateway is TOP's production HTTPS router (API调用方法详解, 调用入口: 正式环境).
const topGateway = "https://eco.taobao.com/router/rest"

// topTradeFields are the Trade fields FetchChanged requests (taobao.trade.fullinfo.get /
// taobao.trades.sold.increment.get "fields"; "orders" returns the sub-orders).
const topTradeFields = "tid,tid_str,status,payment,total_fee,post_fee,discount_fee,adjust_fee," +
	"created,pay_time,modified,buyer_nick,buyer_open_uid,buyer_message,seller_memo," +
	"receiver_name,receiver_mobile,receiver_phone,receiver_country,receiver_state," +
	"receiver_city,receiver_district,receiver_town,receiver_address,receiver_zip,orders"

// Taobao talks to the Taobao Open Platform (TOP) for a Taobao or Tmall shop. It implements
// Puller, Shipper and StockSetter.
//
// Every call is an HTTP POST of form parameters to the router with the common parameters of
// TOP "API调用方法详解": method, app_key, session (the shop's access token), timestamp
// ("2006-01-02 15:04:05" in Beijing time), format=json, v=2.0, sign_method and sign, where
// sign = upper(hex(md5(secret + k1v1k2v2… + secret))) for sign_method=md5 or
// upper(hex(hmac_md5(secret, k1v1k2v2…))) for sign_method=hmac, over every parameter but
// sign, sorted by name.
type Taobao struct {
	creds    Credentials
	hc       *http.Client
	platform string

	// SignMethod is "md5" (the default) or "hmac".
	SignMethod string
	// PageSize is the increment list page size (1..100, default 100).
	PageSize int
	// FullInfo makes FetchChanged list only tid and modified with
	// taobao.trades.sold.increment.get and read each trade with taobao.trade.fullinfo.get,
	// as TOP advises ("返回的数据结果只包含了订单的部分数据,可通过taobao.trade.fullinfo.get获取订单
	// 详情"). When false (the default) the Trade fields are requested from the increment list
	// directly: one call per page.
	FullInfo bool
	// Now returns the current time for the timestamp parameter; nil means time.Now.
	Now func() time.Time
}

// NewTaobao returns a TOP adapter for a Taobao shop. hc nil means http.DefaultClient.
func NewTaobao(c Credentials, hc *http.Client) *Taobao {
	return &Taobao{creds: c, hc: clientOr(hc), platform: "taobao"}
}

// NewTmall returns a TOP adapter for a Tmall shop (same API; Platform() is "tmall").
func NewTmall(c Credentials, hc *http.Client) *Taobao {
	return &Taobao{creds: c, hc: clientOr(hc), platform: "tmall"}
}

// Platform returns "taobao" or "tmall".
func (t *Taobao) Platform() string { return t.platform }

// MaxWaybills is 1: taobao.logistics.offline.send takes one waybill per call.
func (t *Taobao) MaxWaybills() int { return 1 }

// MaxWindow is the longest FetchChanged window: taobao.trades.sold.increment.get accepts
// end_modified − start_modified ≤ 1 day (TOP recommends 30 minutes for speed).
func (t *Taobao) MaxWindow() time.Duration { return 24 * time.Hour }

func (t *Taobao) pageSize() int {
	if t.PageSize <= 0 || t.PageSize > 100 {
		return 100
	}
	return t.PageSize
}

// FetchChanged returns one page of trades modified in [from, to) using
// taobao.trades.sold.increment.get (start_modified, end_modified, page_no, page_size,
// use_has_next). Pages are read from the last to the first as TOP advises, so the request
// asks for total_results (use_has_next=false); see backwardPage. The first call costs one
// extra request when there is more than one page.
func (t *Taobao) FetchChanged(ctx context.Context, from, to time.Time, page string) ([]Order, string, error) {
	start, end, err := window(from, to, t.MaxWindow())
	if err != nil {
		return nil, "", err
	}
	size := t.pageSize()
	fields := topTradeFields
	if t.FullInfo {
		fields = "tid,modified"
	}
	rows, next, err := backwardPage(page, size, func(pageNo int) ([]json.RawMessage, int, error) {
		var resp struct {
			TotalResults int `json:"total_results"`
			Trades       struct {
				Trade []json.RawMessage `json:"trade"`
			} `json:"trades"`
		}
		err := t.call(ctx, "taobao.trades.sold.increment.get", map[string]string{
			"fields":         fields,
			"start_modified": formatChinaTime(start),
			"end_modified":   formatChinaTime(end),
			"page_no":        strconv.Itoa(pageNo),
			"page_size":      strconv.Itoa(size),
			"use_has_next":   "false",
		}, &resp)
		return resp.Trades.Trade, resp.TotalResults, err
	})
	if err != nil {
		return nil, "", err
	}
	orders := make([]Order, 0, len(rows))
	seen := make(map[string]bool, len(rows))
	for _, raw := range rows {
		if t.FullInfo {
			var head struct {
				Tid jsonText `json:"tid"`
			}
			if err := json.Unmarshal(raw, &head); err != nil {
				return nil, "", fmt.Errorf("platform: %s trade list: %w", t.platform, err)
			}
			tid, err := head.Tid.id()
			if err != nil {
				return nil, "", fmt.Errorf("platform: %s trade list: %w", t.platform, err)
			}
			if seen[tid] {
				continue
			}
			if raw, err = t.fullInfo(ctx, tid); err != nil {
				return nil, "", err
			}
		}
		o, err := parseTOPTrade(t.platform, raw)
		if err != nil {
			return nil, "", err
		}
		if seen[o.PlatformOrderID] {
			continue // the same trade twice on one page
		}
		seen[o.PlatformOrderID] = true
		orders = append(orders, o)
	}
	return orders, next, nil
}

func (t *Taobao) fullInfo(ctx context.Context, tid string) (json.RawMessage, error) {
	var resp struct {
		Trade json.RawMessage `json:"trade"`
	}
	if err := t.call(ctx, "taobao.trade.fullinfo.get", map[string]string{"fields": topTradeFields, "tid": tid}, &resp); err != nil {
		return nil, err
	}
	if len(resp.Trade) == 0 {
		return nil, fmt.Errorf("platform: %s taobao.trade.fullinfo.get %s: no trade: %w", t.platform, tid, ErrNotFound)
	}
	return resp.Trade, nil
}

// ConfirmShipment calls taobao.logistics.offline.send (自己联系物流) with tid, out_sid (the
// tracking number) and company_code (Shipment.Carrier, a TOP logistics company code such as
// "YTO"). LineIDs ship only those sub-orders (sub_tid, is_split=1). TOP takes one waybill
// per call, so exactly one tracking number is required; ship further parcels as separate
// shipments of their sub-orders.
func (t *Taobao) ConfirmShipment(ctx context.Context, s Shipment) error {
	if err := validateShipment(s); err != nil {
		return err
	}
	if len(s.TrackingNumbers) != 1 {
		return fmt.Errorf("platform: %s: taobao.logistics.offline.send takes one tracking number, got %d", t.platform, len(s.TrackingNumbers))
	}
	p := map[string]string{
		"tid":          s.PlatformOrderID,
		"out_sid":      s.TrackingNumbers[0],
		"company_code": s.Carrier,
	}
	if len(s.LineIDs) > 0 {
		p["sub_tid"] = strings.Join(s.LineIDs, ",")
		p["is_split"] = "1"
	}
	var resp struct {
		Shipping struct {
			IsSuccess flexBool `json:"is_success"`
		} `json:"shipping"`
	}
	const method = "taobao.logistics.offline.send"
	if err := t.call(ctx, method, p, &resp); err != nil {
		return err
	}
	if !resp.Shipping.IsSuccess {
		return &APIError{Platform: t.platform, Method: method, Kind: KindRejected, Message: "shipping.is_success is false"}
	}
	return nil
}

// SetStock sets the quantity of every SKU whose 商家编码 (outer_id) is sku: it looks the SKU
// up with taobao.skus.custom.get (fields sku_id,num_iid,outer_id), falling back to
// taobao.items.custom.get for items without SKUs, then calls taobao.item.quantity.update
// with num_iid, sku_id (when a SKU), quantity and type=1 (全量更新). An unknown sku is
// ErrNotFound.
func (t *Taobao) SetStock(ctx context.Context, sku string, quantity int64) error {
	if err := validateStock(sku, quantity); err != nil {
		return err
	}
	type target struct{ numIID, skuID string }
	var targets []target
	var skus struct {
		Skus struct {
			Sku []struct {
				SkuID   jsonText `json:"sku_id"`
				NumIID  jsonText `json:"num_iid"`
				OuterID string   `json:"outer_id"`
			} `json:"sku"`
		} `json:"skus"`
	}
	err := t.call(ctx, "taobao.skus.custom.get", map[string]string{"outer_id": sku, "fields": "sku_id,num_iid,outer_id"}, &skus)
	if err != nil && !isTOPNotFound(err) {
		return err
	}
	for _, s := range skus.Skus.Sku {
		if s.OuterID == sku && s.NumIID != "" && s.SkuID != "" {
			targets = append(targets, target{string(s.NumIID), string(s.SkuID)})
		}
	}
	if len(targets) == 0 {
		var items struct {
			Items struct {
				Item []struct {
					NumIID  jsonText `json:"num_iid"`
					OuterID string   `json:"outer_id"`
				} `json:"item"`
			} `json:"items"`
		}
		err := t.call(ctx, "taobao.items.custom.get", map[string]string{"outer_id": sku, "fields": "num_iid,outer_id"}, &items)
		if err != nil && !isTOPNotFound(err) {
			return err
		}
		for _, it := range items.Items.Item {
			if it.OuterID == sku && it.NumIID != "" {
				targets = append(targets, target{numIID: string(it.NumIID)})
			}
		}
	}
	if len(targets) == 0 {
		return fmt.Errorf("platform: %s SKU %q: %w", t.platform, sku, ErrNotFound)
	}
	for _, tg := range targets {
		p := map[string]string{"num_iid": tg.numIID, "quantity": strconv.FormatInt(quantity, 10), "type": "1"}
		if tg.skuID != "" {
			p["sku_id"] = tg.skuID
		}
		if err := t.call(ctx, "taobao.item.quantity.update", p, nil); err != nil {
			return err
		}
	}
	return nil
}

// call signs and sends one TOP request and decodes "<method without taobao., dots as
// underscores>_response" into out. error_response becomes *APIError.
func (t *Taobao) call(ctx context.Context, method string, biz map[string]string, out any) error {
	signMethod := t.SignMethod
	if signMethod == "" {
		signMethod = "md5"
	}
	p := map[string]string{
		"method":      method,
		"app_key":     t.creds.AppKey,
		"timestamp":   formatChinaTime(nowFunc(t.Now)),
		"format":      "json",
		"v":           "2.0",
		"sign_method": signMethod,
	}
	if t.creds.AccessToken != "" {
		p["session"] = t.creds.AccessToken
	}
	for k, v := range biz {
		p[k] = v
	}
	switch signMethod {
	case "md5":
		p["sign"] = signMD5(p, t.creds.AppSecret)
	case "hmac":
		p["sign"] = signHMACMD5(p, t.creds.AppSecret)
	default:
		return fmt.Errorf("platform: %s: unsupported sign_method %q", t.platform, signMethod)
	}
	endpoint := t.creds.BaseURL
	if endpoint == "" {
		endpoint = topGateway
	}
	body, err := postForm(ctx, t.hc, t.platform, method, endpoint, p, nowFunc(t.Now))
	if err != nil {
		return err
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return &APIError{Platform: t.platform, Method: method, HTTPStatus: http.StatusOK, Kind: KindTemporary, Message: snippet(body), Err: err}
	}
	if raw, ok := env["error_response"]; ok {
		var e struct {
			Code    jsonText `json:"code"`
			Msg     string   `json:"msg"`
			SubCode string   `json:"sub_code"`
			SubMsg  string   `json:"sub_msg"`
		}
		_ = json.Unmarshal(raw, &e) // a malformed error body still is an error
		return &APIError{Platform: t.platform, Method: method, HTTPStatus: http.StatusOK,
			Code: string(e.Code), SubCode: e.SubCode, Message: joinNonEmpty(": ", e.Msg, e.SubMsg),
			Kind: classifyTOP(string(e.Code), e.SubCode)}
	}
	key := strings.ReplaceAll(strings.TrimPrefix(method, "taobao."), ".", "_") + "_response"
	raw, ok := env[key]
	if !ok {
		return &APIError{Platform: t.platform, Method: method, HTTPStatus: http.StatusOK, Kind: KindRejected, Message: "no " + key + " in response"}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return &APIError{Platform: t.platform, Method: method, HTTPStatus: http.StatusOK, Kind: KindRejected, Message: "decoding " + key, Err: err}
		}
	}
	return nil
}

// classifyTOP maps TOP error codes (TOP "错误码一览": platform errors < 100) to kinds:
// 4–8 are call-count and frequency limits (User/Session/Partner/App Call Limited, App Call
// Exceeds Limited Frequency) and sub_codes accesscontrol.* / *call-limited are throttling;
// 10 Service Currently Unavailable and sub_codes isp.* (server-side, "隔一段时间再重试") are
// temporary; 25 Invalid Signature, 26/27 Missing/Invalid Session and 28/29 Missing/Invalid
// App Key are credential errors; everything else (isv.* business errors, 40/41 arguments …)
// is a rejection.
func classifyTOP(code, subCode string) ErrorKind {
	switch code {
	case "4", "5", "6", "7", "8":
		return KindRateLimited
	case "10":
		return KindTemporary
	case "25", "26", "27", "28", "29":
		return KindAuth
	}
	switch {
	case strings.HasPrefix(subCode, "accesscontrol.") || strings.Contains(subCode, "call-limited"):
		return KindRateLimited
	case strings.HasPrefix(subCode, "isp."):
		return KindTemporary
	}
	return KindRejected
}

func isTOPNotFound(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) || ae.Kind != KindRejected {
		return false
	}
	s := strings.ToUpper(ae.SubCode)
	return strings.Contains(s, "NOT_FOUND") || strings.Contains(s, "NOT-FOUND") || strings.Contains(s, "NOT-EXIST")
}

type topOrderJSON struct {
	Oid          jsonText `json:"oid"`
	OidStr       string   `json:"oid_str"`
	Title        string   `json:"title"`
	Price        jsonText `json:"price"`
	Num          jsonText `json:"num"`
	TotalFee     jsonText `json:"total_fee"`
	OuterSkuID   string   `json:"outer_sku_id"`
	OuterIID     string   `json:"outer_iid"`
	Barcode      string   `json:"barcode"`
	RefundStatus string   `json:"refund_status"`
}

type topTradeJSON struct {
	Tid              jsonText `json:"tid"`
	TidStr           string   `json:"tid_str"`
	Status           string   `json:"status"`
	Payment          jsonText `json:"payment"`
	PostFee          jsonText `json:"post_fee"`
	Created          string   `json:"created"`
	PayTime          string   `json:"pay_time"`
	Modified         string   `json:"modified"`
	BuyerNick        string   `json:"buyer_nick"`
	BuyerOpenUID     string   `json:"buyer_open_uid"`
	BuyerMessage     string   `json:"buyer_message"`
	SellerMemo       string   `json:"seller_memo"`
	ReceiverName     string   `json:"receiver_name"`
	ReceiverMobile   string   `json:"receiver_mobile"`
	ReceiverPhone    string   `json:"receiver_phone"`
	ReceiverCountry  string   `json:"receiver_country"`
	ReceiverState    string   `json:"receiver_state"`
	ReceiverCity     string   `json:"receiver_city"`
	ReceiverDistrict string   `json:"receiver_district"`
	ReceiverTown     string   `json:"receiver_town"`
	ReceiverAddress  string   `json:"receiver_address"`
	ReceiverZip      string   `json:"receiver_zip"`
	Orders           struct {
		Order []topOrderJSON `json:"order"`
	} `json:"orders"`
}

// topStatus maps TOP Trade.status (taobao.trade.fullinfo.get, 交易状态) to Status.
var topStatus = map[string]Status{
	"TRADE_NO_CREATE_PAY":      StatusPendingPayment, // 没有创建支付宝交易
	"WAIT_BUYER_PAY":           StatusPendingPayment, // 等待买家付款
	"PAY_PENDING":              StatusPendingPayment, // 国际信用卡支付付款确认中
	"WAIT_PRE_AUTH_CONFIRM":    StatusPendingPayment, // 0元购合约中
	"WAIT_SELLER_SEND_GOODS":   StatusPaid,           // 等待卖家发货,即:买家已付款
	"PAID_FORBID_CONSIGN":      StatusPaid,           // 已付款但禁止发货 (拼团中等)
	"SELLER_CONSIGNED_PART":    StatusPartiallyShipped,
	"WAIT_BUYER_CONFIRM_GOODS": StatusShipped,   // 卖家已发货
	"TRADE_BUYER_SIGNED":       StatusShipped,   // 买家已签收,货到付款专用
	"TRADE_FINISHED":           StatusCompleted, // 交易成功
	"TRADE_CLOSED":             StatusCancelled, // 付款以后用户退款成功,交易自动关闭
	"TRADE_CLOSED_BY_TAOBAO":   StatusCancelled, // 付款以前,卖家或买家主动关闭交易
}

// topRefund maps TOP Order.refund_status (退款状态) to RefundStatus.
var topRefund = map[string]RefundStatus{
	"":                          RefundNone,
	"NO_REFUND":                 RefundNone,
	"CLOSED":                    RefundNone, // 退款关闭: the request was withdrawn or closed
	"WAIT_SELLER_AGREE":         RefundRequested,
	"WAIT_BUYER_RETURN_GOODS":   RefundRequested,
	"WAIT_SELLER_CONFIRM_GOODS": RefundRequested,
	"SELLER_REFUSE_BUYER":       RefundRefused,
	"SUCCESS":                   RefundRefunded,
}

// parseTOPTrade maps a TOP Trade (taobao.trade.fullinfo.get) to an Order.
//
// TOP amounts are yuan strings with 2 decimals ("200.07"), CNY, tax-inclusive. Goods = Σ
// order price × num; Shipping = post_fee; Total = payment (实付金额); because TOP spreads
// reductions over discount_fee, adjust_fee, coupons and promotion_details, Discount is
// derived as Goods + Shipping − payment, and a negative result (the seller raised the price
// with adjust_fee) is reported as Fees instead. Line Discount = price × num − total_fee
// (total_fee of a sub-order is 应付金额 after sub-order discounts and adjustments), never
// negative. Paid = payment once pay_time is set. Times are Beijing time.
func parseTOPTrade(platform string, raw []byte) (Order, error) {
	var j topTradeJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return Order{}, fmt.Errorf("platform: %s trade: %w", platform, err)
	}
	id, err := jsonText(firstNonEmpty(j.TidStr, string(j.Tid))).id()
	if err != nil {
		return Order{}, fmt.Errorf("platform: %s trade: %w", platform, err)
	}
	status, ok := topStatus[j.Status]
	if !ok {
		return Order{}, fmt.Errorf("platform: %s trade %s: unknown status %q", platform, id, j.Status)
	}
	ap := amountParser{decimals: 2}
	var tp timeParser
	o := Order{
		Platform:        platform,
		PlatformOrderID: id,
		Status:          status,
		Currency:        "CNY",
		Shipping:        ap.money("post_fee", j.PostFee),
		Total:           ap.money("payment", j.Payment),
		TaxIncluded:     true,
		CreatedAt:       tp.china("created", j.Created),
		PaidAt:          tp.china("pay_time", j.PayTime),
		UpdatedAt:       tp.china("modified", j.Modified),
		Buyer:           Buyer{PlatformID: j.BuyerOpenUID, Nick: j.BuyerNick},
		Address: Address{
			Name:       j.ReceiverName,
			Phone:      firstNonEmpty(j.ReceiverMobile, j.ReceiverPhone),
			Country:    countryOrCN(j.ReceiverCountry),
			Province:   j.ReceiverState,
			City:       j.ReceiverCity,
			District:   j.ReceiverDistrict,
			Street:     joinNonEmpty(" ", j.ReceiverTown, j.ReceiverAddress),
			PostalCode: j.ReceiverZip,
		},
		BuyerRemark:  j.BuyerMessage,
		SellerRemark: j.SellerMemo,
		Raw:          cloneRaw(raw),
	}
	for i, so := range j.Orders.Order {
		oid, err := jsonText(firstNonEmpty(so.OidStr, string(so.Oid))).id()
		if err != nil {
			return Order{}, fmt.Errorf("platform: %s trade %s order %d: %w", platform, id, i, err)
		}
		refund, ok := topRefund[so.RefundStatus]
		if !ok {
			return Order{}, fmt.Errorf("platform: %s trade %s order %s: unknown refund_status %q", platform, id, oid, so.RefundStatus)
		}
		line := Line{
			PlatformLineID: oid,
			SKU:            firstNonEmpty(so.OuterSkuID, so.OuterIID),
			Barcode:        so.Barcode,
			Title:          so.Title,
			Quantity:       ap.qty("orders.num", so.Num),
			UnitPrice:      ap.money("orders.price", so.Price),
			RefundStatus:   refund,
		}
		gross := ap.line(line.Quantity, line.UnitPrice)
		if due := ap.money("orders.total_fee", so.TotalFee); so.TotalFee != "" && due < gross {
			line.Discount = gross - due
		}
		o.Goods = ap.add(o.Goods, gross)
		o.Lines = append(o.Lines, line)
	}
	splitDiscount(&o, &ap)
	if !o.PaidAt.IsZero() && status != StatusPendingPayment {
		o.Paid = o.Total
	}
	if ap.err != nil {
		return Order{}, fmt.Errorf("%s trade %s: %w", platform, id, ap.err)
	}
	if tp.err != nil {
		return Order{}, fmt.Errorf("%s trade %s: %w", platform, id, tp.err)
	}
	return o, nil
}

// splitDiscount derives Discount (or, when negative, Fees) so that Goods − Discount +
// Shipping + Fees = Total, for platforms that state only the paid total.
func splitDiscount(o *Order, ap *amountParser) {
	gs := ap.add(o.Goods, o.Shipping)
	diff := ap.add(gs, -o.Total)
	if diff >= 0 {
		o.Discount = diff
	} else {
		o.Fees = -diff
	}
}

func countryOrCN(c string) string {
	switch strings.TrimSpace(c) {
	case "", "中国", "中华人民共和国":
		return "CN"
	}
	return strings.TrimSpace(c)
}
