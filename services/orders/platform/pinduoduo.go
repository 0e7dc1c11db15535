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

// pddGateway is the POP router ("请求地址": 正式环境 HTTPS).
const pddGateway = "https://gw-api.pinduoduo.com/api/router"

// Pinduoduo talks to the Pinduoduo open platform (POP). It implements Puller, Shipper and
// StockSetter.
//
// Every call is an HTTP POST of form parameters with the common parameters of every POP API
// page ("公共请求参数"): type (the API name), client_id, access_token, timestamp (Unix
// seconds), data_type=JSON and sign = upper(hex(md5(client_secret + k1v1k2v2… +
// client_secret))) over every parameter but sign, sorted by name (接入指南, 签名规则).
//
// Amount units: the order APIs used here (pdd.order.number.list.increment.get) give
// pay_amount, goods_amount, discount_amount, postage, platform_discount, seller_discount,
// capital_free_discount and item_list goods_price in yuan as JSON numbers ("支付金额（元）");
// the goods APIs (pdd.goods.add, pdd.goods.sku.price.update …: multi_price, single_price,
// market_price) use fen. Only the yuan fields are read here.
type Pinduoduo struct {
	creds Credentials
	hc    *http.Client

	// PageSize is the increment list page size (1..100, default 100).
	PageSize int
	// Now returns the current time for the timestamp parameter; nil means time.Now.
	Now func() time.Time
}

// NewPinduoduo returns a POP adapter for one shop (Credentials.AppKey is the client_id).
// hc nil means http.DefaultClient.
func NewPinduoduo(c Credentials, hc *http.Client) *Pinduoduo {
	return &Pinduoduo{creds: c, hc: clientOr(hc)}
}

// Platform returns "pinduoduo".
func (p *Pinduoduo) Platform() string { return "pinduoduo" }

// MaxWaybills is 1: pdd.logistics.online.send takes one tracking number per order.
func (p *Pinduoduo) MaxWaybills() int { return 1 }

// MaxWindow is the longest FetchChanged window: pdd.order.number.list.increment.get allows
// end_updated_at − start_updated_at ≤ 30 minutes.
func (p *Pinduoduo) MaxWindow() time.Duration { return 30 * time.Minute }

func (p *Pinduoduo) pageSize() int {
	if p.PageSize <= 0 || p.PageSize > 100 {
		return 100
	}
	return p.PageSize
}

// FetchChanged returns one page of orders updated in [from, to) with
// pdd.order.number.list.increment.get: start_updated_at and end_updated_at in Unix seconds,
// is_lucky_flag=0 (all), order_status=5 and refund_status=5 (all), page, page_size. Pages
// are read from the last back to the first as POP advises ("必须采用倒序的分页方式"), so
// use_has_next=false to get total_count; see backwardPage.
func (p *Pinduoduo) FetchChanged(ctx context.Context, from, to time.Time, page string) ([]Order, string, error) {
	start, end, err := window(from, to, p.MaxWindow())
	if err != nil {
		return nil, "", err
	}
	size := p.pageSize()
	rows, next, err := backwardPage(page, size, func(pageNo int) ([]json.RawMessage, int, error) {
		var resp struct {
			TotalCount  int               `json:"total_count"`
			OrderSnList []json.RawMessage `json:"order_sn_list"`
		}
		err := p.call(ctx, "pdd.order.number.list.increment.get", "order_sn_increment_get_response", map[string]string{
			"start_updated_at": strconv.FormatInt(start.Unix(), 10),
			"end_updated_at":   strconv.FormatInt(end.Unix(), 10),
			"is_lucky_flag":    "0",
			"order_status":     "5",
			"refund_status":    "5",
			"page":             strconv.Itoa(pageNo),
			"page_size":        strconv.Itoa(size),
			"use_has_next":     "false",
		}, &resp)
		return resp.OrderSnList, resp.TotalCount, err
	})
	if err != nil {
		return nil, "", err
	}
	orders := make([]Order, 0, len(rows))
	seen := make(map[string]bool, len(rows))
	for _, raw := range rows {
		o, err := parsePDDOrder(raw)
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

// ConfirmShipment calls pdd.logistics.online.send with order_sn, logistics_id
// (Shipment.Carrier: POP's numeric logistics company id, from pdd.logistics.companies.get)
// and tracking_number. POP ships whole orders with one waybill per call, so LineIDs must be
// empty and exactly one tracking number is required.
func (p *Pinduoduo) ConfirmShipment(ctx context.Context, s Shipment) error {
	if err := validateShipment(s); err != nil {
		return err
	}
	if len(s.TrackingNumbers) != 1 || len(s.LineIDs) > 0 {
		return fmt.Errorf("platform: pinduoduo: pdd.logistics.online.send ships a whole order with one tracking number")
	}
	if _, err := strconv.ParseInt(s.Carrier, 10, 64); err != nil {
		return fmt.Errorf("platform: pinduoduo: logistics_id %q is not a number", s.Carrier)
	}
	var resp struct {
		IsSuccess flexBool `json:"is_success"`
	}
	const method = "pdd.logistics.online.send"
	if err := p.call(ctx, method, "logistics_online_send_response", map[string]string{
		"order_sn":        s.PlatformOrderID,
		"logistics_id":    s.Carrier,
		"tracking_number": s.TrackingNumbers[0],
	}, &resp); err != nil {
		return err
	}
	if !resp.IsSuccess {
		return &APIError{Platform: "pinduoduo", Method: method, Kind: KindRejected, Message: "is_success is false"}
	}
	return nil
}

// SetStock finds the goods and SKU whose 商家外部编码 (outer_id) is sku with
// pdd.goods.list.get (outer_id filter) and sets their stock with pdd.goods.quantity.update
// (goods_id, sku_id, quantity, update_type=1 全量更新). An unknown sku is ErrNotFound.
func (p *Pinduoduo) SetStock(ctx context.Context, sku string, quantity int64) error {
	if err := validateStock(sku, quantity); err != nil {
		return err
	}
	var list struct {
		GoodsList []struct {
			GoodsID jsonText `json:"goods_id"`
			SkuList []struct {
				SkuID   jsonText `json:"sku_id"`
				OuterID string   `json:"outer_id"`
			} `json:"sku_list"`
		} `json:"goods_list"`
	}
	if err := p.call(ctx, "pdd.goods.list.get", "goods_list_get_response", map[string]string{
		"outer_id": sku, "page": "1", "page_size": "100",
	}, &list); err != nil {
		return err
	}
	found := false
	for _, g := range list.GoodsList {
		for _, s := range g.SkuList {
			if s.OuterID != sku || g.GoodsID == "" || s.SkuID == "" {
				continue
			}
			found = true
			var resp struct {
				IsSuccess flexBool `json:"is_success"`
			}
			const method = "pdd.goods.quantity.update"
			if err := p.call(ctx, method, "goods_quantity_update_response", map[string]string{
				"goods_id":    string(g.GoodsID),
				"sku_id":      string(s.SkuID),
				"quantity":    strconv.FormatInt(quantity, 10),
				"update_type": "1",
			}, &resp); err != nil {
				return err
			}
			if !resp.IsSuccess {
				return &APIError{Platform: "pinduoduo", Method: method, Kind: KindRejected, Message: "is_success is false"}
			}
		}
	}
	if !found {
		return fmt.Errorf("platform: pinduoduo SKU %q: %w", sku, ErrNotFound)
	}
	return nil
}

// call signs and sends one POP request and decodes the respKey object into out.
func (p *Pinduoduo) call(ctx context.Context, typ, respKey string, biz map[string]string, out any) error {
	params := map[string]string{
		"type":      typ,
		"client_id": p.creds.AppKey,
		"timestamp": strconv.FormatInt(nowFunc(p.Now).Unix(), 10),
		"data_type": "JSON",
	}
	if p.creds.AccessToken != "" {
		params["access_token"] = p.creds.AccessToken
	}
	for k, v := range biz {
		params[k] = v
	}
	params["sign"] = signMD5(params, p.creds.AppSecret)
	endpoint := p.creds.BaseURL
	if endpoint == "" {
		endpoint = pddGateway
	}
	body, err := postForm(ctx, p.hc, "pinduoduo", typ, endpoint, params, nowFunc(p.Now))
	if err != nil {
		return err
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return &APIError{Platform: "pinduoduo", Method: typ, HTTPStatus: http.StatusOK, Kind: KindTemporary, Message: snippet(body), Err: err}
	}
	if raw, ok := env["error_response"]; ok {
		var e struct {
			ErrorCode jsonText `json:"error_code"`
			ErrorMsg  string   `json:"error_msg"`
			SubCode   jsonText `json:"sub_code"`
			SubMsg    string   `json:"sub_msg"`
		}
		_ = json.Unmarshal(raw, &e)
		return &APIError{Platform: "pinduoduo", Method: typ, HTTPStatus: http.StatusOK,
			Code: string(e.ErrorCode), SubCode: string(e.SubCode), Message: joinNonEmpty(": ", e.ErrorMsg, e.SubMsg),
			Kind: classifyPDD(string(e.ErrorCode))}
	}
	raw, ok := env[respKey]
	if !ok {
		return &APIError{Platform: "pinduoduo", Method: typ, HTTPStatus: http.StatusOK, Kind: KindRejected, Message: "no " + respKey + " in response"}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return &APIError{Platform: "pinduoduo", Method: typ, HTTPStatus: http.StatusOK, Kind: KindRejected, Message: "decoding " + respKey, Err: err}
		}
	}
	return nil
}

// classifyPDD maps POP's common error codes (the "返回错误码说明" table on every API page) to
// kinds: 52101 当前接口被限流, 70031 调用过于频繁 and 70036 测试应用调用次数被限制 are
// throttling; 50000/50001/50002 系统/业务服务错误, 52001/52002 网关错误, 52102/52103 接口
// 暂时不可用 and 70033 系统维护 are temporary; 10016 client_id, 10019 access_token已过期,
// 20004 签名sign校验失败, 20005 ip白名单, 20031 用户没有授权 and 20032 access_token或
// client_id错误 are credential errors; the rest are rejections.
func classifyPDD(code string) ErrorKind {
	switch code {
	case "52101", "70031", "70036":
		return KindRateLimited
	case "50000", "50001", "50002", "52001", "52002", "52102", "52103", "70033":
		return KindTemporary
	case "10016", "10019", "20004", "20005", "20031", "20032":
		return KindAuth
	}
	return KindRejected
}

type pddOrderJSON struct {
	OrderSn       jsonText `json:"order_sn"`
	OrderStatus   int      `json:"order_status"`
	RefundStatus  int      `json:"refund_status"`
	ConfirmStatus int      `json:"confirm_status"`
	PayAmount     jsonText `json:"pay_amount"`
	Postage       jsonText `json:"postage"`
	CreatedTime   string   `json:"created_time"`
	PayTime       string   `json:"pay_time"`
	ConfirmTime   string   `json:"confirm_time"`
	UpdatedAt     string   `json:"updated_at"`
	ReceiverName  string   `json:"receiver_name"`
	ReceiverPhone string   `json:"receiver_phone"`
	Country       string   `json:"country"`
	Province      string   `json:"province"`
	City          string   `json:"city"`
	Town          string   `json:"town"`
	Address       string   `json:"address"`
	BuyerMemo     string   `json:"buyer_memo"`
	Remark        string   `json:"remark"`
	ItemList      []struct {
		GoodsID      jsonText `json:"goods_id"`
		SkuID        jsonText `json:"sku_id"`
		OuterID      string   `json:"outer_id"`
		OuterGoodsID string   `json:"outer_goods_id"`
		GoodsName    string   `json:"goods_name"`
		GoodsSpec    string   `json:"goods_spec"`
		GoodsPrice   jsonText `json:"goods_price"`
		GoodsCount   jsonText `json:"goods_count"`
	} `json:"item_list"`
}

// parsePDDOrder maps one order_sn_list element of pdd.order.number.list.increment.get.
//
// Amounts are yuan (CNY, tax-inclusive). Goods = Σ goods_price × goods_count; Shipping =
// postage; Total = Paid = pay_amount (POP: 支付金额 = 商品金额 − 折扣金额 + 邮费; the list only
// holds 成交 orders, which are paid); Discount = Goods + Shipping − pay_amount, which covers
// discount_amount (平台优惠 + 商家优惠 + 团长免单) and seller price changes; a negative result
// goes to Fees. PaidAt = pay_time, else confirm_time.
//
// Status: confirm_status 2 (已取消) → cancelled; order_status 1 (待发货) → paid, 2 (已发货待签收)
// → shipped, 3 (已签收) → completed; a refund_status of 4 (退款成功) before shipping →
// cancelled. refund_status is order-level and applies to every line: 2 (售后处理中) and 3
// (退款中) → requested, 4 → refunded.
//
// POP gives discounts per order only; a single-line order's line carries the whole
// Discount. POP has no line ids; PlatformLineID is the sku_id. Receiver fields are passed through as
// POP returns them (masked or encrypted for most apps).
func parsePDDOrder(raw []byte) (Order, error) {
	var j pddOrderJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return Order{}, fmt.Errorf("platform: pinduoduo order: %w", err)
	}
	id := strings.TrimSpace(string(j.OrderSn))
	if id == "" {
		return Order{}, fmt.Errorf("platform: pinduoduo order without order_sn")
	}
	var refund RefundStatus
	switch j.RefundStatus {
	case 0, 1:
	case 2, 3:
		refund = RefundRequested
	case 4:
		refund = RefundRefunded
	default:
		return Order{}, fmt.Errorf("platform: pinduoduo order %s: unknown refund_status %d", id, j.RefundStatus)
	}
	var status Status
	switch j.OrderStatus {
	case 1:
		status = StatusPaid
	case 2:
		status = StatusShipped
	case 3:
		status = StatusCompleted
	default:
		return Order{}, fmt.Errorf("platform: pinduoduo order %s: unknown order_status %d", id, j.OrderStatus)
	}
	if j.ConfirmStatus == 2 || (refund == RefundRefunded && status == StatusPaid) {
		status = StatusCancelled
	}
	ap := amountParser{decimals: 2}
	var tp timeParser
	o := Order{
		Platform:        "pinduoduo",
		PlatformOrderID: id,
		Status:          status,
		Currency:        "CNY",
		Shipping:        ap.money("postage", j.Postage),
		Total:           ap.money("pay_amount", j.PayAmount),
		TaxIncluded:     true,
		CreatedAt:       tp.china("created_time", j.CreatedTime),
		PaidAt:          tp.china("pay_time", firstNonEmpty(j.PayTime, j.ConfirmTime)),
		UpdatedAt:       tp.china("updated_at", j.UpdatedAt),
		Address: Address{
			Name:     j.ReceiverName,
			Phone:    j.ReceiverPhone,
			Country:  countryOrCN(j.Country),
			Province: j.Province,
			City:     j.City,
			District: j.Town,
			Street:   j.Address,
		},
		BuyerRemark:  j.BuyerMemo,
		SellerRemark: j.Remark,
		Raw:          cloneRaw(raw),
	}
	o.Paid = o.Total
	for i, it := range j.ItemList {
		lid, err := it.SkuID.id()
		if err != nil {
			return Order{}, fmt.Errorf("platform: pinduoduo order %s item %d: %w", id, i, err)
		}
		line := Line{
			PlatformLineID: lid,
			SKU:            firstNonEmpty(it.OuterID, it.OuterGoodsID),
			Title:          joinNonEmpty(" ", it.GoodsName, it.GoodsSpec),
			Quantity:       ap.qty("item_list.goods_count", it.GoodsCount),
			UnitPrice:      ap.money("item_list.goods_price", it.GoodsPrice),
			RefundStatus:   refund,
		}
		o.Goods = ap.add(o.Goods, ap.line(line.Quantity, line.UnitPrice))
		o.Lines = append(o.Lines, line)
	}
	splitDiscount(&o, &ap)
	if len(o.Lines) == 1 {
		o.Lines[0].Discount = o.Discount // POP gives discounts per order only
	}
	if ap.err != nil {
		return Order{}, fmt.Errorf("pinduoduo order %s: %w", id, ap.err)
	}
	if tp.err != nil {
		return Order{}, fmt.Errorf("pinduoduo order %s: %w", id, tp.err)
	}
	return o, nil
}
