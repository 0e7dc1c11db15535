package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/erphub/erphub/api/erp/orders/v1"
)

// Order hub scenarios: PushOrders with 100-order batches and single orders, over gRPC and
// HTTP, and a backlog of 100,000 orders pushed in 500-order batches by 8 connectors.
func init() {
	register(
		scenario{name: "push-100-batch-grpc", clients: 8, units: 100, setup: setupShop, op: pushBatchGRPC},
		scenario{name: "push-100-batch-http", clients: 8, units: 100, setup: setupShop, op: pushBatchHTTP},
		scenario{name: "push-single-grpc", clients: 32, units: 1, setup: setupShop, op: pushSingleGRPC},
		scenario{name: "push-single-http", clients: 32, units: 1, setup: setupShop, op: pushSingleHTTP},
		scenario{name: "backlog-100k-orders", clients: 8, units: 500, setup: setupBacklog, op: pushBacklog, once: true},
	)
}

var hub struct {
	once sync.Once
	err  error
	shop string
}

func setupShop(ctx context.Context, e *env) error {
	hub.once.Do(func() {
		if hub.err = prepareWorld(ctx, e); hub.err != nil {
			return
		}
		var w struct{ ID int64 }
		if hub.err = e.call(ctx, "GET", "/v1/warehouses?pageSize=1", nil, &struct{}{}); hub.err != nil {
			return
		}
		w.ID = world.warehouse
		var b struct {
			Branches []struct{ ID int64 } `json:"branches"`
		}
		if hub.err = e.call(ctx, "GET", "/v1/branches", nil, &b); hub.err != nil {
			return
		}
		hub.err = e.call(ctx, "POST", "/v1/shops", map[string]any{"code": "BENCH-TMALL", "name": "bench", "platform": "tmall",
			"branch": b.Branches[len(b.Branches)-1].ID, "defaultWarehouse": w.ID}, nil)
		hub.shop = "BENCH-TMALL"
		if hub.err == nil {
			hub.err = e.call(ctx, "POST", "/v1/items", map[string]any{"sku": "BENCH-XC-001", "name": "麻辣香肠", "unit": "bag"}, nil)
		}
	})
	return hub.err
}

func benchOrder(n int64) *ordersv1.PushedOrder {
	now := time.Now()
	return &ordersv1.PushedOrder{
		PlatformOrderId: fmt.Sprintf("TB%012d", n), Status: "paid", Currency: "CNY",
		Buyer:   &ordersv1.Buyer{Nick: "tb_buyer", Name: "张三", Phone: "13812345678"},
		Address: &ordersv1.Address{Name: "张三", Phone: "13812345678", Province: "重庆", City: "重庆", Street: "观音桥步行街 1 号"},
		Lines: []*ordersv1.OrderLine{
			{PlatformLineId: "1", Sku: "BENCH-XC-001", Title: "麻辣香肠 500g", Quantity: 2000, UnitPrice: 3990},
			{PlatformLineId: "2", Sku: "BENCH-XC-001", Title: "麻辣香肠 250g", Quantity: 1000, UnitPrice: 2190},
		},
		Goods: 10170, Discount: 500, Shipping: 800, Paid: 10470,
		CreateTime: timestamppb.New(now.Add(-time.Minute)), PayTime: timestamppb.New(now), UpdateTime: timestamppb.New(now),
		Raw: `{"tid":` + fmt.Sprint(n) + `,"status":"WAIT_SELLER_SEND_GOODS"}`,
	}
}

func batchOf(e *env, n int) []*ordersv1.PushedOrder {
	out := make([]*ordersv1.PushedOrder, n)
	for i := range out {
		out[i] = benchOrder(e.next())
	}
	return out
}

func pushGRPC(ctx context.Context, e *env, w int, orders []*ordersv1.PushedOrder) error {
	resp, err := ordersv1.NewOrderServiceClient(e.conn(w)).PushOrders(e.auth(ctx), &ordersv1.PushOrdersRequest{Shop: hub.shop, Orders: orders})
	if err != nil {
		return err
	}
	for _, r := range resp.GetResults() {
		if r.GetOutcome() != "created" {
			return fmt.Errorf("order %s: %s %s", r.GetPlatformOrderId(), r.GetOutcome(), r.GetReason())
		}
	}
	return nil
}

func pushHTTP(ctx context.Context, e *env, orders []*ordersv1.PushedOrder) error {
	body := make([]map[string]any, len(orders))
	for i, o := range orders {
		lines := make([]map[string]any, len(o.Lines))
		for j, l := range o.Lines {
			lines[j] = map[string]any{"platformLineId": l.PlatformLineId, "sku": l.Sku, "title": l.Title, "quantity": l.Quantity, "unitPrice": l.UnitPrice}
		}
		body[i] = map[string]any{"platformOrderId": o.PlatformOrderId, "status": o.Status, "currency": o.Currency,
			"buyer":   map[string]any{"nick": o.Buyer.Nick, "name": o.Buyer.Name, "phone": o.Buyer.Phone},
			"address": map[string]any{"name": o.Address.Name, "phone": o.Address.Phone, "province": o.Address.Province, "city": o.Address.City, "street": o.Address.Street},
			"lines":   lines, "goods": o.Goods, "discount": o.Discount, "shipping": o.Shipping, "paid": o.Paid,
			"createTime": o.CreateTime.AsTime().Format(time.RFC3339Nano), "payTime": o.PayTime.AsTime().Format(time.RFC3339Nano),
			"updateTime": o.UpdateTime.AsTime().Format(time.RFC3339Nano), "raw": o.Raw}
	}
	var out struct {
		Results []struct{ Outcome, Reason string } `json:"results"`
	}
	if err := e.call(ctx, "POST", "/v1/shops/"+hub.shop+"/orders:push", map[string]any{"orders": body}, &out); err != nil {
		return err
	}
	for _, r := range out.Results {
		if r.Outcome != "created" {
			return fmt.Errorf("outcome %s %s", r.Outcome, r.Reason)
		}
	}
	return nil
}

func pushBatchGRPC(ctx context.Context, e *env, w int) error {
	return pushGRPC(ctx, e, w, batchOf(e, 100))
}
func pushBatchHTTP(ctx context.Context, e *env, _ int) error {
	return pushHTTP(ctx, e, batchOf(e, 100))
}
func pushSingleGRPC(ctx context.Context, e *env, w int) error {
	return pushGRPC(ctx, e, w, batchOf(e, 1))
}
func pushSingleHTTP(ctx context.Context, e *env, _ int) error { return pushHTTP(ctx, e, batchOf(e, 1)) }

var backlogLeft atomic.Int64

func setupBacklog(ctx context.Context, e *env) error {
	backlogLeft.Store(100_000)
	return setupShop(ctx, e)
}

func pushBacklog(ctx context.Context, e *env, w int) error {
	if backlogLeft.Add(-500) < 0 {
		return errExhausted
	}
	return pushGRPC(ctx, e, w, batchOf(e, 500))
}
