package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/erphub/erphub/api/erp/orders/v1"
	"github.com/erphub/erphub/services/orders/platform/platformfake"
)

// Order processing scenarios:
//
//   - allocate-10k-waiting: 10,000 paid orders of one item wait in the out-of-stock queue;
//     one adjustment brings stock for all of them; measured is the time until every one
//     is reviewed again and allocated (stock reserved, fulfilment and delivery order
//     created). units/s is orders allocated per second.
//   - stock-push-lag: 8 clients each change the stock of their own item (an adjustment of
//     one unit) and wait until a local fake Shopify receives the new level; the latency is
//     the lag from sending the change to the platform accepting the push (default
//     debounce included).
func init() {
	register(
		scenario{name: "allocate-10k-waiting", clients: 1, units: allocOrders, setup: setupAllocation, op: allocateOp, once: true},
		scenario{name: "stock-push-lag", clients: 8, setup: setupLag, op: lagOp},
	)
}

const allocOrders = 10_000

var alloc struct {
	shop, item int64
	done       atomic.Bool
}

// sqlDB opens the benchmark database for counting (the API has no count call).
func sqlDB(e *env) (*sql.DB, error) { return sql.Open("mysql", e.dsn) }

func countState(ctx context.Context, db *sql.DB, shop int64, state string) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE shop_id = ? AND fulfil_state = ?`, shop, state).Scan(&n)
	return n, err
}

func setupAllocation(ctx context.Context, e *env) error {
	if err := prepareWorld(ctx, e); err != nil {
		return err
	}
	var b struct {
		Branches []struct{ ID int64 } `json:"branches"`
	}
	if err := e.call(ctx, "GET", "/v1/branches", nil, &b); err != nil {
		return err
	}
	var shop, item struct{ ID int64 }
	if err := e.call(ctx, "POST", "/v1/shops", map[string]any{"code": "BENCH-ALLOC", "name": "bench allocation", "platform": "tmall",
		"branch": b.Branches[len(b.Branches)-1].ID, "defaultWarehouse": world.warehouse}, &shop); err != nil {
		return err
	}
	if err := e.call(ctx, "POST", "/v1/items", map[string]any{"sku": "BENCH-ALLOC-001", "name": "腊肉", "unit": "bag"}, &item); err != nil {
		return err
	}
	alloc.shop, alloc.item = shop.ID, item.ID
	// 10,000 paid orders from different buyers, pushed while there is no stock
	client := ordersv1.NewOrderServiceClient(e.conn(0))
	now := time.Now()
	for i := 0; i < allocOrders; i += 500 {
		batch := make([]*ordersv1.PushedOrder, 500)
		for j := range batch {
			n := i + j
			batch[j] = &ordersv1.PushedOrder{PlatformOrderId: fmt.Sprintf("AL%08d", n), Status: "paid", Currency: "CNY",
				Buyer: &ordersv1.Buyer{Nick: fmt.Sprintf("buyer%d", n), Name: "李四", Phone: "13912345678"},
				Address: &ordersv1.Address{Name: "李四", Phone: "13912345678", Province: "四川", City: "成都",
					Street: fmt.Sprintf("春熙路 %d 号", n)},
				Lines: []*ordersv1.OrderLine{{PlatformLineId: "1", Sku: "BENCH-ALLOC-001", Title: "腊肉 500g", Quantity: 1000, UnitPrice: 5990}},
				Goods: 5990, Paid: 5990, CreateTime: timestamppb.New(now), PayTime: timestamppb.New(now), UpdateTime: timestamppb.New(now)}
		}
		resp, err := client.PushOrders(e.auth(ctx), &ordersv1.PushOrdersRequest{Shop: "BENCH-ALLOC", Orders: batch})
		if err != nil {
			return err
		}
		for _, r := range resp.GetResults() {
			if r.GetOutcome() != "created" {
				return fmt.Errorf("order %s: %s %s", r.GetPlatformOrderId(), r.GetOutcome(), r.GetReason())
			}
		}
	}
	db, err := sqlDB(e)
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		n, err := countState(ctx, db, alloc.shop, "awaiting_stock")
		if err != nil {
			return err
		}
		if n == allocOrders {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d orders reached the out-of-stock queue", n, allocOrders)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func allocateOp(ctx context.Context, e *env, _ int) error {
	if alloc.done.Swap(true) {
		return errExhausted
	}
	db, err := sqlDB(e)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := e.call(ctx, "POST", "/v1/adjustments", map[string]any{"warehouse": world.warehouse, "reason": "bench receipt",
		"lines": []map[string]any{{"item": alloc.item, "quantity": allocOrders * 1000, "unitCost": 3000}}}, nil); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Minute)
	for {
		n, err := countState(ctx, db, alloc.shop, "allocated")
		if err != nil {
			return err
		}
		if n == allocOrders {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d orders allocated after 10 minutes", n, allocOrders)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var lag struct {
	fake    *platformfake.Shopify
	srv     *httptest.Server
	items   []int64
	skus    []string
	mu      sync.Mutex
	waiters map[string]chan int64
	level   []int64 // per worker: the level expected next
}

const lagWorkers = 8

func setupLag(ctx context.Context, e *env) error {
	if err := prepareWorld(ctx, e); err != nil {
		return err
	}
	lag.fake = platformfake.NewShopify("shpat_bench")
	lag.srv = httptest.NewServer(lag.fake)
	lag.waiters = map[string]chan int64{}
	lag.fake.OnLevel(func(l platformfake.LevelSet) {
		lag.mu.Lock()
		ch := lag.waiters[l.SKU]
		lag.mu.Unlock()
		if ch != nil {
			select {
			case ch <- l.Quantity:
			default:
			}
		}
	})
	var b struct {
		Branches []struct{ ID int64 } `json:"branches"`
	}
	if err := e.call(ctx, "GET", "/v1/branches", nil, &b); err != nil {
		return err
	}
	if err := e.call(ctx, "POST", "/v1/shops", map[string]any{"code": "BENCH-SHOPIFY", "name": "bench shopify", "platform": "shopify",
		"branch": b.Branches[len(b.Branches)-1].ID, "defaultWarehouse": world.warehouse}, nil); err != nil {
		return err
	}
	if err := e.call(ctx, "POST", "/v1/shops/BENCH-SHOPIFY/connection", map[string]any{"baseUrl": lag.srv.URL,
		"appKey": "bench.myshopify.com", "accessToken": "shpat_bench"}, nil); err != nil {
		return err
	}
	for w := range lagWorkers {
		sku := fmt.Sprintf("LAG-%02d", w)
		var it struct{ ID int64 }
		if err := e.call(ctx, "POST", "/v1/items", map[string]any{"sku": sku, "name": "香肠", "unit": "bag"}, &it); err != nil {
			return err
		}
		if err := e.call(ctx, "POST", "/v1/shops/BENCH-SHOPIFY/skuMappings", map[string]any{"sku": sku, "item": it.ID, "quantity": 1000}, nil); err != nil {
			return err
		}
		lag.fake.AddVariant(sku)
		lag.items = append(lag.items, it.ID)
		lag.skus = append(lag.skus, sku)
		lag.waiters[sku] = make(chan int64, 16)
		lag.level = append(lag.level, 0)
	}
	return nil
}

func lagOp(ctx context.Context, e *env, w int) error {
	lag.level[w]++
	want := lag.level[w]
	if err := e.call(ctx, "POST", "/v1/adjustments", map[string]any{"warehouse": world.warehouse, "reason": "bench",
		"lines": []map[string]any{{"item": lag.items[w], "quantity": 1000, "unitCost": 1000}}}, nil); err != nil {
		return err
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case got := <-lag.waiters[lag.skus[w]]:
			if got == want {
				return nil
			}
		case <-timeout:
			return errors.New("the stock level did not reach the platform in 30 s")
		}
	}
}
