package orders_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
	"github.com/erphub/erphub/services/orders/platform/platformfake"
	"github.com/erphub/erphub/services/warehouse"
)

// hub is the order-hub world with a second warehouse in another city and a picker.
type hub struct {
	*world
	wh1, wh2 int64 // CQ-01 (every shop's default) and CD-01
	picker   string
}

func setupHub(t *testing.T) *hub {
	t.Helper()
	w := setup(t)
	h := &hub{world: w, wh1: w.tmall.DefaultWarehouse}
	cat := w.e.App.Catalog
	cq, err := cat.Warehouse(w.admin, h.wh1)
	must(t, err)
	cd, err := cat.CreateBranch(w.admin, catalog.Branch{Code: "CD", Name: "成都"})
	must(t, err)
	wh, err := cat.CreateWarehouse(w.admin, catalog.Warehouse{Code: "CD-01", Name: "成都仓", Branch: cd.ID})
	must(t, err)
	h.wh2 = wh.ID
	h.picker = w.e.UserToken(t, "picker", []string{reqctx.RoleWarehouse}, cq.Branch, cd.ID)
	return h
}

// stock adds units of the sausage to a warehouse with an adjustment.
func (h *hub) stock(t *testing.T, wh int64, units int64) {
	t.Helper()
	_, err := h.e.App.Warehouse.CreateAdjustment(h.admin, warehouse.Adjustment{Warehouse: wh, Reason: "opening stock",
		Lines: []warehouse.AdjustmentLine{{Item: h.sausage.ID, Quantity: units * 1000, UnitCost: 2000}}})
	must(t, err)
}

func (h *hub) policy(t *testing.T, shop string, p map[string]any) {
	t.Helper()
	h.e.MustDo(t, 200, "POST", "/v1/shops/"+shop+"/policy", h.e.Admin, p)
}

// paid is a paid order of units sausages from a buyer.
func paid(id string, units int64, buyer string) map[string]any {
	now := time.Now().UTC()
	return map[string]any{
		"platformOrderId": id, "status": "paid", "currency": "CNY",
		"buyer":   map[string]any{"nick": buyer, "name": "张三", "phone": "13812345678"},
		"address": map[string]any{"name": "张三", "phone": "13812345678", "province": "重庆", "city": "重庆", "street": buyer + " 街 1 号"},
		"lines":   []map[string]any{{"platformLineId": id + "1", "sku": "XC-001", "title": "麻辣香肠", "quantity": units * 1000, "unitPrice": 3990}},
		"goods":   3990 * units, "paid": 3990 * units,
		"createTime": now.Add(-time.Minute).Format(time.RFC3339Nano), "payTime": now.Format(time.RFC3339Nano),
		"updateTime": now.Format(time.RFC3339Nano),
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// states counts a shop's orders per processing state.
func (h *hub) states(t *testing.T, shop int64) map[string]int {
	t.Helper()
	var rows []struct {
		FulfilState string
		N           int
	}
	must(t, h.e.App.DB.Raw(`SELECT fulfil_state, COUNT(*) AS n FROM orders WHERE shop_id = ? GROUP BY fulfil_state`, shop).Scan(&rows).Error)
	out := map[string]int{}
	for _, r := range rows {
		out[r.FulfilState] = r.N
	}
	return out
}

type stockRow struct {
	WarehouseID, OnHand, Reserved int64
}

func (h *hub) stockRows(t *testing.T) []stockRow {
	t.Helper()
	var rows []stockRow
	must(t, h.e.App.DB.Raw(`SELECT warehouse_id, on_hand, reserved FROM stock_items WHERE item_id = ? ORDER BY warehouse_id`,
		h.sausage.ID).Scan(&rows).Error)
	return rows
}

func (h *hub) ordersIn(t *testing.T, shop int64, state string) []int64 {
	t.Helper()
	var ids []int64
	must(t, h.e.App.DB.Raw(`SELECT id FROM orders WHERE shop_id = ? AND fulfil_state = ? ORDER BY id`, shop, state).Scan(&ids).Error)
	return ids
}

// TestNoOverselling sends 200 paid orders of one unit at once, from 20 connectors, while
// three more allocators (other replicas) run beside erpd's own, for an item with 37 units
// in two warehouses: exactly 37 are reserved and allocated, the other 163 wait, nothing
// goes negative; 5 more units allocate the 5 oldest waiting orders.
func TestNoOverselling(t *testing.T) {
	t.Parallel()
	h := setupHub(t)
	h.stock(t, h.wh1, 20)
	h.stock(t, h.wh2, 17)
	h.policy(t, "TMALL", map[string]any{"holdBuyerRemarks": false, "mergeOrders": true, "splitByWarehouse": true,
		"warehouses": []int64{h.wh1, h.wh2}, "stockSharePercent": 100})

	stop := make(chan struct{})
	var replicas sync.WaitGroup
	for range 3 {
		replicas.Add(1)
		go func() {
			defer replicas.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := h.e.App.Orders.Allocate(context.Background(), 16); err != nil {
					t.Errorf("allocate: %v", err)
					return
				}
			}
		}()
	}
	var connectors sync.WaitGroup
	for c := range 20 {
		connectors.Add(1)
		go func() {
			defer connectors.Done()
			for i := range 10 {
				n := c*10 + i
				r := h.e.Do(t, "POST", "/v1/shops/TMALL/orders:push", h.key, map[string]any{
					"orders": []any{paid(fmt.Sprintf("OS%03d", n), 1, fmt.Sprintf("buyer%03d", n))}})
				if r.Status != 200 {
					t.Errorf("push %d: %d %s", n, r.Status, r.Body)
				}
			}
		}()
	}
	connectors.Wait()
	waitUntil(t, "every order reviewed", func() bool {
		s := h.states(t, h.tmall.ID)
		return s[""] == 0 && s["allocated"]+s["awaiting_stock"] == 200
	})
	close(stop)
	replicas.Wait()

	s := h.states(t, h.tmall.ID)
	if s["allocated"] != 37 || s["awaiting_stock"] != 163 {
		t.Fatalf("states %v, want 37 allocated and 163 awaiting stock", s)
	}
	var reserved int64
	for _, r := range h.stockRows(t) {
		if r.Reserved > r.OnHand || r.Reserved < 0 || r.OnHand < 0 {
			t.Fatalf("warehouse %d: on hand %d, reserved %d", r.WarehouseID, r.OnHand, r.Reserved)
		}
		reserved += r.Reserved
	}
	var inFulfilments, onDeliveries int64
	must(t, h.e.App.DB.Raw(`SELECT COALESCE(SUM(l.quantity), 0) FROM fulfilment_lines l JOIN fulfilments f ON f.id = l.fulfilment_id
		WHERE f.state = 'allocated'`).Scan(&inFulfilments).Error)
	must(t, h.e.App.DB.Raw(`SELECT COALESCE(SUM(l.quantity), 0) FROM delivery_order_lines l JOIN delivery_orders d ON d.id = l.delivery_order_id
		WHERE d.status = 'open' AND l.reserved = 1`).Scan(&onDeliveries).Error)
	if reserved != 37000 || inFulfilments != 37000 || onDeliveries != 37000 {
		t.Fatalf("reserved %d, in fulfilments %d, on delivery orders %d; want 37000 each", reserved, inFulfilments, onDeliveries)
	}
	problems, err := h.e.App.Warehouse.CheckLedger(h.admin)
	must(t, err)
	if len(problems) > 0 {
		t.Fatalf("ledger: %v", problems)
	}

	// stock arrives: the oldest waiting orders go first
	waiting := h.ordersIn(t, h.tmall.ID, "awaiting_stock")
	h.stock(t, h.wh2, 5)
	waitUntil(t, "5 more allocated", func() bool { return len(h.ordersIn(t, h.tmall.ID, "allocated")) == 42 })
	waitUntil(t, "the rest back in the queue", func() bool { return len(h.ordersIn(t, h.tmall.ID, "awaiting_stock")) == 158 })
	still := h.ordersIn(t, h.tmall.ID, "awaiting_stock")
	if !slices.Equal(still, waiting[5:]) {
		t.Fatalf("the 5 oldest waiting orders were not the ones allocated")
	}
	for _, r := range h.stockRows(t) {
		if r.Reserved != r.OnHand {
			t.Fatalf("warehouse %d: on hand %d, reserved %d; want everything reserved", r.WarehouseID, r.OnHand, r.Reserved)
		}
	}
}

// TestReviewQueueAndCancellation holds orders by the shop's rules, lets staff release or
// cancel them, and gives stock back when an allocated order is cancelled or refunded,
// here or on the platform.
func TestReviewQueueAndCancellation(t *testing.T) {
	t.Parallel()
	h := setupHub(t)
	h.stock(t, h.wh1, 10)
	h.policy(t, "TMALL", map[string]any{"holdBuyerRemarks": true, "holdAmountAbove": 10000,
		"deliveryProvinces": []string{"重庆", "四川"}, "mergeOrders": false, "stockSharePercent": 100})
	// a bad policy is refused, naming the field
	r := h.e.Do(t, "POST", "/v1/shops/TMALL/policy", h.e.Admin, map[string]any{"stockSharePercent": 101, "warehouses": []int64{999999}})
	if r.Status != 400 || !strings.Contains(string(r.Body), "policy.stock_share_percent") || !strings.Contains(string(r.Body), "policy.warehouses[0]") {
		t.Fatalf("bad policy: %d %s", r.Status, r.Body)
	}

	remark := paid("R1", 1, "a")
	remark["buyerRemark"] = "请周末送"
	big := paid("R2", 3, "b") // 119.70 > 100.00
	far := paid("R3", 1, "c")
	far["address"].(map[string]any)["province"] = "北京"
	plain := paid("R4", 2, "d")
	res := h.push(t, h.key, "TMALL", remark, big, far, plain)
	waitUntil(t, "reviewed", func() bool { return h.states(t, h.tmall.ID)[""] == 0 })
	if got := h.states(t, h.tmall.ID); got["held"] != 3 || got["allocated"] != 1 {
		t.Fatalf("states %v", got)
	}
	var held struct {
		Orders []struct {
			ID         int64  `json:"id"`
			HoldReason string `json:"holdReason"`
		} `json:"orders"`
	}
	h.e.MustDo(t, 200, "GET", "/v1/orders?shop="+strconv.FormatInt(h.tmall.ID, 10)+"&fulfilState=held", h.e.Admin, nil).Decode(t, &held)
	if len(held.Orders) != 3 {
		t.Fatalf("held queue %+v", held.Orders)
	}
	for _, o := range held.Orders {
		if o.HoldReason == "" {
			t.Fatalf("held without a reason: %+v", o)
		}
	}
	h.e.MustDo(t, 400, "GET", "/v1/orders?fulfilState=lost", h.e.Admin, nil)

	// release the remark (stock allows it), cancel the big one; a second cancel is refused
	h.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/orders/%d:release", res[0].Order), h.e.Admin, map[string]any{})
	h.e.MustDo(t, 400, "POST", fmt.Sprintf("/v1/orders/%d:release", res[3].Order), h.e.Admin, map[string]any{})
	h.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/orders/%d:cancel", res[1].Order), h.e.Admin, map[string]any{"reason": "buyer asked"})
	h.e.MustDo(t, 400, "POST", fmt.Sprintf("/v1/orders/%d:cancel", res[1].Order), h.e.Admin, map[string]any{})
	waitUntil(t, "released order allocated", func() bool { return h.fulfilState(t, res[0].Order) == "allocated" })
	if got := h.reserved(t); got != 3000 {
		t.Fatalf("reserved %d, want 3000 (R1 and R4)", got)
	}

	// staff cancel an allocated order: its delivery order is cancelled, its stock freed
	o := h.order(t, res[3].Order)
	if len(o.Fulfilments) != 1 || o.Fulfilments[0].DeliveryOrder == 0 {
		t.Fatalf("fulfilments %+v", o.Fulfilments)
	}
	h.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/orders/%d:cancel", res[3].Order), h.e.Admin, map[string]any{})
	var do struct {
		Status string `json:"status"`
	}
	h.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/deliveryOrders/%d", o.Fulfilments[0].DeliveryOrder), h.e.Admin, nil).Decode(t, &do)
	if do.Status != "cancelled" || h.reserved(t) != 1000 {
		t.Fatalf("after cancel: delivery order %q, reserved %d", do.Status, h.reserved(t))
	}

	// the platform cancels R1: its reservation goes too
	cancelled := paid("R1", 1, "a")
	cancelled["buyerRemark"] = "请周末送"
	cancelled["status"] = "cancelled"
	cancelled["updateTime"] = time.Now().UTC().Add(time.Minute).Format(time.RFC3339Nano)
	h.push(t, h.key, "TMALL", cancelled)
	waitUntil(t, "platform cancellation followed", func() bool { return h.fulfilState(t, res[0].Order) == "cancelled" })
	if got := h.reserved(t); got != 0 {
		t.Fatalf("reserved %d after every order was cancelled", got)
	}

	// a refund before shipping: the order is allocated again for what is left
	two := paid("R5", 1, "e")
	two["lines"] = []map[string]any{
		{"platformLineId": "R5-1", "sku": "XC-001", "title": "麻辣香肠", "quantity": 1000, "unitPrice": 3990},
		{"platformLineId": "R5-2", "sku": "XC-001", "title": "麻辣香肠", "quantity": 2000, "unitPrice": 3990}}
	two["goods"], two["paid"] = 3990*3, 3990*3
	h.policy(t, "TMALL", map[string]any{"holdBuyerRemarks": false, "stockSharePercent": 100})
	r5 := h.push(t, h.key, "TMALL", two)[0].Order
	waitUntil(t, "R5 allocated", func() bool { return h.fulfilState(t, r5) == "allocated" })
	if got := h.reserved(t); got != 3000 {
		t.Fatalf("reserved %d, want 3000", got)
	}
	refunded := paid("R5", 1, "e")
	refunded["lines"] = []map[string]any{
		{"platformLineId": "R5-1", "sku": "XC-001", "title": "麻辣香肠", "quantity": 1000, "unitPrice": 3990},
		{"platformLineId": "R5-2", "sku": "XC-001", "title": "麻辣香肠", "quantity": 2000, "unitPrice": 3990, "refundStatus": "refunded"}}
	refunded["goods"], refunded["paid"] = 3990*3, 3990*3 // the money goes back through the refund
	refunded["updateTime"] = time.Now().UTC().Add(time.Minute).Format(time.RFC3339Nano)
	h.push(t, h.key, "TMALL", refunded)
	waitUntil(t, "R5 reallocated without the refunded line", func() bool { return h.reserved(t) == 1000 && h.fulfilState(t, r5) == "allocated" })
	o = h.order(t, r5)
	var live []fulfilmentJSON
	for _, f := range o.Fulfilments {
		if f.State == "allocated" {
			live = append(live, f)
		}
	}
	if len(live) != 1 || len(live[0].Lines) != 1 || live[0].Lines[0].LineNo != 1 {
		t.Fatalf("fulfilments after the refund %+v", o.Fulfilments)
	}
}

func (h *hub) reserved(t *testing.T) int64 {
	t.Helper()
	var n int64
	must(t, h.e.App.DB.Raw(`SELECT COALESCE(SUM(reserved), 0) FROM stock_items WHERE item_id = ?`, h.sausage.ID).Scan(&n).Error)
	return n
}

func (h *hub) fulfilState(t *testing.T, id int64) string {
	t.Helper()
	var s string
	must(t, h.e.App.DB.Raw(`SELECT fulfil_state FROM orders WHERE id = ?`, id).Scan(&s).Error)
	return s
}

type fulfilmentJSON struct {
	ID              int64    `json:"id"`
	Warehouse       int64    `json:"warehouse"`
	DeliveryOrder   int64    `json:"deliveryOrder"`
	State           string   `json:"state"`
	Carrier         string   `json:"carrier"`
	TrackingNumbers []string `json:"trackingNumbers"`
	Lines           []struct {
		Order    int64 `json:"order"`
		LineNo   int32 `json:"lineNo"`
		Quantity int64 `json:"quantity"`
	} `json:"lines"`
}

type hubOrderJSON struct {
	ID          int64            `json:"id"`
	FulfilState string           `json:"fulfilState"`
	HoldReason  string           `json:"holdReason"`
	Fulfilments []fulfilmentJSON `json:"fulfilments"`
	Pushes      []struct {
		Kind    string `json:"kind"`
		Outcome string `json:"outcome"`
		Error   string `json:"error"`
		Detail  string `json:"detail"`
	} `json:"pushes"`
}

func (h *hub) order(t *testing.T, id int64) hubOrderJSON {
	t.Helper()
	var o hubOrderJSON
	h.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/orders/%d", id), h.e.Admin, nil).Decode(t, &o)
	return o
}

// scanOut ships a delivery order by scanning the sausage's EAN-13 units times and
// completing with a carrier and tracking numbers.
func (h *hub) scanOut(t *testing.T, deliveryOrder int64, units int, carrier string, tracking ...string) {
	t.Helper()
	r := h.e.MustDo(t, 200, "POST", "/v1/scanSessions", h.picker, map[string]any{"deliveryOrder": deliveryOrder, "device": "PDA-01"})
	session := apptest.ID(t, r)
	for i := range units {
		h.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:scan", session), h.picker,
			map[string]any{"code": "6923456000209", "scanId": fmt.Sprintf("s%d-%d", session, i)})
	}
	h.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", session), h.picker,
		map[string]any{"carrier": carrier, "trackingNumbers": tracking})
}

// shopifyPaidOrder is Shopify's documented orders/create sample, paid and not cancelled,
// with its two line items sold as the sausage.
func shopifyPaidOrder(t *testing.T) (body []byte, id string, lineItems map[int64]int64) {
	t.Helper()
	sample, err := os.ReadFile("platform/testdata/shopify_orders_create.json")
	must(t, err)
	var o map[string]any
	dec := json.NewDecoder(bytes.NewReader(sample))
	dec.UseNumber()
	must(t, dec.Decode(&o))
	o["cancelled_at"], o["cancel_reason"], o["financial_status"], o["note"] = nil, nil, "paid", nil
	lineItems = map[int64]int64{}
	for _, l := range o["line_items"].([]any) {
		line := l.(map[string]any)
		line["sku"] = "XC-001"
		lid, err := line["id"].(json.Number).Int64()
		must(t, err)
		q, err := line["quantity"].(json.Number).Int64()
		must(t, err)
		lineItems[lid] = q
	}
	body, err = json.Marshal(o)
	must(t, err)
	return body, o["id"].(json.Number).String(), lineItems
}

// shopifyOrderAllocated delivers the paid sample order by a signed webhook (and tells the
// fake shop about it) and waits until it is allocated.
func (h *hub) shopifyOrderAllocated(t *testing.T, shop *platformfake.Shopify, deliveryID string) (orderJSON, string) {
	t.Helper()
	body, id, lineItems := shopifyPaidOrder(t)
	shop.AddOrder(id, lineItems)
	if code := h.webhook(t, "/v1/webhooks/shopify/SHOPIFY", body, map[string]string{"X-Shopify-Hmac-Sha256": sign("shopify-secret", body),
		"X-Shopify-Webhook-Id": deliveryID, "X-Shopify-Topic": "orders/paid"}); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	o := h.waitFor(t, h.shopify.ID, id)
	waitUntil(t, "shopify order allocated", func() bool { return h.fulfilState(t, o.ID) == "allocated" })
	return o, id
}

// TestShipAndSyncBack runs the whole loop for a Shopify shop and a Tmall shop against
// fake platforms: order in (webhook, connector push), review, allocation, delivery order,
// scan-out with carrier and tracking, the shipment sent back, the stock level pushed;
// and a cancellation before shipping gives the stock back and pushes the new level.
func TestShipAndSyncBack(t *testing.T) {
	t.Parallel()
	h := setupHub(t)
	h.stock(t, h.wh1, 10)
	shopify := platformfake.NewShopify("shpat_fake")
	shopifySrv := httptest.NewServer(shopify)
	defer shopifySrv.Close()
	top := platformfake.NewTOP("12345678", "top-secret")
	topSrv := httptest.NewServer(top)
	defer topSrv.Close()
	h.e.MustDo(t, 200, "POST", "/v1/shops/SHOPIFY/connection", h.e.Admin, map[string]any{"baseUrl": shopifySrv.URL,
		"appKey": "erphub.myshopify.com", "accessToken": "shpat_fake"})
	h.e.MustDo(t, 200, "POST", "/v1/shops/TMALL/connection", h.e.Admin, map[string]any{"baseUrl": topSrv.URL,
		"appKey": "12345678", "appSecret": "top-secret", "accessToken": "session-1"})
	for _, shop := range []string{"SHOPIFY", "TMALL"} {
		h.policy(t, shop, map[string]any{"holdBuyerRemarks": false, "mergeOrders": true, "stockSharePercent": 50, "safetyStock": 1000})
		h.e.MustDo(t, 200, "POST", "/v1/shops/"+shop+"/skuMappings", h.e.Admin, map[string]any{"sku": "XC-001", "item": h.sausage.ID, "quantity": 1000})
	}
	shopify.AddVariant("XC-001")
	top.AddSKU("XC-001")

	// Shopify: webhook → allocated
	so, shopifyID := h.shopifyOrderAllocated(t, shopify, "wh-ship-1")
	o := h.order(t, so.ID)
	if len(o.Fulfilments) != 1 || o.Fulfilments[0].Warehouse != h.wh1 {
		t.Fatalf("fulfilments %+v", o.Fulfilments)
	}
	// two units leave in two parcels
	h.scanOut(t, o.Fulfilments[0].DeliveryOrder, 2, "UPS", "1Z999AA10123456784", "1Z999AA10123456785")
	waitUntil(t, "tracking at Shopify", func() bool { return len(shopify.Shipments()) == 1 })
	sh := shopify.Shipments()[0]
	if sh.OrderID != shopifyID || sh.Carrier != "UPS" || !slices.Equal(sh.Tracking, []string{"1Z999AA10123456784", "1Z999AA10123456785"}) {
		t.Fatalf("shopify got %+v", sh)
	}
	o = h.order(t, so.ID)
	if o.FulfilState != "shipped" || o.Fulfilments[0].State != "shipped" || len(o.Fulfilments[0].TrackingNumbers) != 2 {
		t.Fatalf("after shipping %+v", o)
	}
	waitUntil(t, "the push recorded", func() bool {
		o = h.order(t, so.ID)
		return len(o.Pushes) == 1 && o.Pushes[0].Outcome == "ok" && o.Pushes[0].Kind == "shipment"
	})
	// 8 on hand: 50 % is 4, less 1 of safety stock: 3 offered
	waitUntil(t, "stock level at Shopify", func() bool { return shopify.Level("XC-001") == 3 })

	// Tmall: connector push → allocated → shipped with one waybill
	tm := h.push(t, h.key, "TMALL", paid("3600000000001", 2, "tb_buyer"))[0].Order
	waitUntil(t, "tmall order allocated", func() bool { return h.fulfilState(t, tm) == "allocated" })
	waitUntil(t, "reservation pushed to Tmall", func() bool { return top.Level("XC-001") == 2 }) // (8-2)/2-1
	o = h.order(t, tm)
	h.scanOut(t, o.Fulfilments[0].DeliveryOrder, 2, "SF", "SF1234567890")
	waitUntil(t, "waybill at Tmall", func() bool { return len(top.Shipments()) == 1 })
	if s := top.Shipments()[0]; s.OrderID != "3600000000001" || s.Carrier != "SF" || s.Tracking[0] != "SF1234567890" || len(s.Lines) != 0 {
		t.Fatalf("tmall got %+v", s)
	}

	// cancel before shipping: stock back, levels pushed up again
	c := h.push(t, h.key, "TMALL", paid("3600000000002", 4, "tb_other"))[0].Order
	waitUntil(t, "third order allocated", func() bool { return h.fulfilState(t, c) == "allocated" })
	waitUntil(t, "level down to 0", func() bool { return top.Level("XC-001") == 0 && shopify.Level("XC-001") == 0 })
	h.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/orders/%d:cancel", c), h.e.Admin, map[string]any{"reason": "out of delivery range"})
	waitUntil(t, "level back up", func() bool { return top.Level("XC-001") == 2 && shopify.Level("XC-001") == 2 })
	if got := h.reserved(t); got != 0 {
		t.Fatalf("reserved %d after the cancellation", got)
	}

	// a pulling connector reads the same through the API
	var levels struct {
		Levels []struct {
			SKU       string `json:"sku"`
			Available int64  `json:"available"`
			Pushed    int64  `json:"pushed"`
		} `json:"levels"`
	}
	h.e.MustDo(t, 200, "GET", "/v1/shops/TMALL/stockLevels", h.key, nil).Decode(t, &levels)
	if len(levels.Levels) != 1 || levels.Levels[0].Available != 2 || levels.Levels[0].Pushed != 2 {
		t.Fatalf("stock levels %+v", levels.Levels)
	}
	var shipments struct {
		Shipments []fulfilmentJSON `json:"shipments"`
	}
	h.e.MustDo(t, 200, "GET", "/v1/shops/TMALL/shipments", h.key, nil).Decode(t, &shipments)
	if len(shipments.Shipments) != 1 || shipments.Shipments[0].TrackingNumbers[0] != "SF1234567890" {
		t.Fatalf("shipments %+v", shipments.Shipments)
	}
	// the Tmall connector's key reads nothing of another shop
	h.e.MustDo(t, 403, "GET", "/v1/shops/SHOPIFY/shipments", h.key, nil)
	var ready struct {
		Orders []struct {
			ID int64 `json:"id"`
		} `json:"orders"`
	}
	h.e.MustDo(t, 200, "GET", "/v1/orders?fulfilState=shipped", h.key, nil).Decode(t, &ready)
	if len(ready.Orders) != 1 || ready.Orders[0].ID != tm {
		t.Fatalf("shipped orders seen by the Tmall connector %+v", ready.Orders)
	}
}

// TestSyncSurvivesFailuresAndRestart makes the fake platform fail the first pushes of
// tracking and stock, stops erpd while they are failing, starts it again on the same
// database, and checks that each shipment and each stock change reached the platform
// exactly once.
func TestSyncSurvivesFailuresAndRestart(t *testing.T) {
	t.Parallel()
	h := setupHub(t)
	h.stock(t, h.wh1, 10)
	shopify := platformfake.NewShopify("shpat_fake")
	srv := httptest.NewServer(shopify)
	defer srv.Close()
	h.e.MustDo(t, 200, "POST", "/v1/shops/SHOPIFY/connection", h.e.Admin, map[string]any{"baseUrl": srv.URL,
		"appKey": "erphub.myshopify.com", "accessToken": "shpat_fake"})
	h.policy(t, "SHOPIFY", map[string]any{"holdBuyerRemarks": false, "stockSharePercent": 100})
	h.e.MustDo(t, 200, "POST", "/v1/shops/SHOPIFY/skuMappings", h.e.Admin, map[string]any{"sku": "XC-001", "item": h.sausage.ID, "quantity": 1000})
	shopify.AddVariant("XC-001")
	shopify.FailShipments(3)
	shopify.FailStock(3)

	so, _ := h.shopifyOrderAllocated(t, shopify, "wh-f-1")
	o := h.order(t, so.ID)
	h.scanOut(t, o.Fulfilments[0].DeliveryOrder, 2, "UPS", "1Z1")
	waitUntil(t, "a failed shipment push", func() bool {
		var n int
		h.e.App.DB.Raw(`SELECT COUNT(*) FROM platform_pushes WHERE kind = 'shipment' AND outcome = 'failed'`).Scan(&n)
		return n >= 1
	})

	// erpd goes down while pushes are failing, and comes back on the same database
	h.e.Stop()
	e2 := apptest.StartWith(t, apptest.Options{DSN: h.e.DSN})
	waitUntil(t, "the shipment through", func() bool { return len(shopify.Shipments()) >= 1 })
	waitUntil(t, "the stock level through", func() bool { return shopify.Level("XC-001") == 8 })
	// the order's every attempt is visible
	// the order's every attempt is visible: the injected failures (and one cut short by the
	// stop, if the stop came mid-call), then one success
	var pushes []struct{ Outcome string }
	waitUntil(t, "the success recorded", func() bool {
		must(t, e2.App.DB.Raw(`SELECT outcome FROM platform_pushes WHERE order_id = ? ORDER BY id`, so.ID).Scan(&pushes).Error)
		return len(pushes) > 0 && pushes[len(pushes)-1].Outcome == "ok"
	})
	failed := 0
	for _, p := range pushes[:len(pushes)-1] {
		if p.Outcome == "failed" {
			failed++
		}
	}
	if failed < 3 || failed != len(pushes)-1 {
		t.Fatalf("shipment attempts %+v, want at least 3 failures then one ok", pushes)
	}
	// a stock change after recovery is pushed once, and a full push changes nothing
	_, err := e2.App.Warehouse.CreateAdjustment(h.admin, warehouse.Adjustment{Warehouse: h.wh1, Reason: "found",
		Lines: []warehouse.AdjustmentLine{{Item: h.sausage.ID, Quantity: 1000, UnitCost: 2000}}})
	must(t, err)
	waitUntil(t, "the new level", func() bool { return shopify.Level("XC-001") == 9 })
	must(t, e2.App.Orders.PushAllStock(h.admin))
	time.Sleep(300 * time.Millisecond)
	if got := len(shopify.Shipments()); got != 1 {
		t.Fatalf("%d shipments at Shopify, want exactly 1", got)
	}
	var accepted []int64
	for _, l := range shopify.Levels() {
		accepted = append(accepted, l.Quantity)
	}
	if !slices.Equal(accepted, []int64{8, 9}) || shopify.Failed() != 6 {
		t.Fatalf("levels accepted %v (failed %d), want [8 9] after 6 failures", accepted, shopify.Failed())
	}
}

// TestMergeAndSplit merges a buyer's later order into the delivery order of an earlier one
// while no one scans it, starts a new one once scanning began, splits an order over two
// warehouses when neither has all of it, and cancels a merged order: the other order of
// its delivery goes back to allocation.
func TestMergeAndSplit(t *testing.T) {
	t.Parallel()
	h := setupHub(t)
	h.stock(t, h.wh1, 5)
	h.stock(t, h.wh2, 5)
	h.policy(t, "TMALL", map[string]any{"holdBuyerRemarks": false, "mergeOrders": true, "splitByWarehouse": true,
		"warehouses": []int64{h.wh1, h.wh2}, "stockSharePercent": 100})
	allocated := func(id int64) hubOrderJSON {
		t.Helper()
		waitUntil(t, "allocated", func() bool { return h.fulfilState(t, id) == "allocated" })
		return h.order(t, id)
	}
	m1 := allocated(h.push(t, h.key, "TMALL", paid("M1", 1, "same"))[0].Order)
	m2 := allocated(h.push(t, h.key, "TMALL", paid("M2", 1, "same"))[0].Order)
	if len(m1.Fulfilments) != 1 || len(m2.Fulfilments) != 1 || m2.Fulfilments[0].ID != m1.Fulfilments[0].ID {
		t.Fatalf("M2 not merged into M1's delivery: %+v / %+v", m1.Fulfilments, m2.Fulfilments)
	}
	do1 := m1.Fulfilments[0].DeliveryOrder
	if got := len(h.order(t, m1.ID).Fulfilments[0].Lines); got != 2 {
		t.Fatalf("merged fulfilment has %d lines", got)
	}
	// scanning starts: a third order of the buyer gets a delivery of its own
	session := apptest.ID(t, h.e.MustDo(t, 200, "POST", "/v1/scanSessions", h.picker, map[string]any{"deliveryOrder": do1}))
	m3 := allocated(h.push(t, h.key, "TMALL", paid("M3", 1, "same"))[0].Order)
	if m3.Fulfilments[0].DeliveryOrder == do1 {
		t.Fatal("merged into a delivery order being scanned")
	}
	// 6 units: neither warehouse has them all (2 and 5 left), so the lines split
	split := paid("S1", 2, "other")
	split["lines"] = []map[string]any{
		{"platformLineId": "S1-1", "sku": "XC-001", "title": "麻辣香肠", "quantity": 2000, "unitPrice": 3990},
		{"platformLineId": "S1-2", "sku": "XC-001", "title": "麻辣香肠", "quantity": 4000, "unitPrice": 3990}}
	split["goods"], split["paid"] = 3990*6, 3990*6
	s1 := allocated(h.push(t, h.key, "TMALL", split)[0].Order)
	if len(s1.Fulfilments) != 2 || s1.Fulfilments[0].Warehouse == s1.Fulfilments[1].Warehouse {
		t.Fatalf("split %+v", s1.Fulfilments)
	}
	// cancelling M1 is refused while its delivery is being scanned
	h.e.MustDo(t, 400, "POST", fmt.Sprintf("/v1/orders/%d:cancel", m1.ID), h.e.Admin, map[string]any{})
	if h.fulfilState(t, m1.ID) != "allocated" {
		t.Fatal("a refused cancellation changed the order")
	}
	h.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:cancel", session), h.picker, map[string]any{})
	h.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/orders/%d:cancel", m1.ID), h.e.Admin, map[string]any{})
	// M2 shared the delivery: it is allocated again, on a delivery of its own
	waitUntil(t, "M2 allocated again", func() bool {
		o := h.order(t, m2.ID)
		return o.FulfilState == "allocated" && len(o.Fulfilments) == 2 && o.Fulfilments[0].DeliveryOrder != do1 && o.Fulfilments[0].State == "allocated"
	})
	if got := h.reserved(t); got != 1000+1000+6000 {
		t.Fatalf("reserved %d, want M2, M3 and S1", got)
	}
}
