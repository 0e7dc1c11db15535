package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/erphub/erphub/internal/barcode"
)

// Warehouse scenarios: scans over HTTP by 64 scanners on distinct items and on one hot
// item, and completions of 50-line delivery sessions.
func init() {
	register(
		scenario{name: "scan-distinct-http", clients: 64, setup: setupScans(false), op: scanOp},
		scenario{name: "scan-hot-item-http", clients: 64, setup: setupScans(true), op: scanOp},
		scenario{name: "complete-50-line-http", clients: 8, setup: setupCompletions, op: completeOp, once: true},
	)
}

// errExhausted tells a worker that the scenario's prepared work is used up.
var errExhausted = errors.New("prepared work used up")

type benchWorld struct {
	once      sync.Once
	err       error
	warehouse int64
	customer  int64
}

var world benchWorld

// ean makes a valid EAN-13 from a number.
func ean(n int64) string {
	body := fmt.Sprintf("69299%07d", n)
	cd, _ := barcode.CheckDigit(body)
	return body + string(cd)
}

// prepareWorld creates a branch, a warehouse and a customer once.
func prepareWorld(ctx context.Context, e *env) error {
	world.once.Do(func() {
		var b, w, c struct{ ID int64 }
		if world.err = e.call(ctx, "POST", "/v1/branches", map[string]any{"code": "BX", "name": "bench"}, &b); world.err != nil {
			return
		}
		if world.err = e.call(ctx, "POST", "/v1/warehouses", map[string]any{"code": "BX-01", "name": "bench", "branch": b.ID}, &w); world.err != nil {
			return
		}
		if world.err = e.call(ctx, "POST", "/v1/customers", map[string]any{"code": "BENCH", "name": "bench", "kind": "retailer"}, &c); world.err != nil {
			return
		}
		world.warehouse, world.customer = w.ID, c.ID
	})
	return world.err
}

// stockedItems creates n items with EAN-13 codes and plenty of stock.
func stockedItems(ctx context.Context, e *env, n int) (ids []int64, codes []string, err error) {
	var lines []map[string]any
	for range n {
		k := e.next()
		code := ean(k)
		var it struct{ ID int64 }
		if err := e.call(ctx, "POST", "/v1/items", map[string]any{"sku": fmt.Sprintf("SCAN-%07d", k), "name": "腊肠",
			"unit": "pcs", "barcodes": []string{code}}, &it); err != nil {
			return nil, nil, err
		}
		ids, codes = append(ids, it.ID), append(codes, code)
		lines = append(lines, map[string]any{"item": it.ID, "quantity": 100_000_000, "unitCost": 1200})
	}
	for i := 0; i < len(lines); i += 200 {
		batch := lines[i:min(i+200, len(lines))]
		if err := e.call(ctx, "POST", "/v1/adjustments", map[string]any{"warehouse": world.warehouse, "reason": "bench stock",
			"lines": batch}, nil); err != nil {
			return nil, nil, err
		}
	}
	return ids, codes, nil
}

// openDelivery creates a delivery order with these lines and opens a session on it.
func openDelivery(ctx context.Context, e *env, items []int64, qty int64) (int64, error) {
	lines := make([]map[string]any, len(items))
	for i, it := range items {
		lines[i] = map[string]any{"item": it, "quantity": qty}
	}
	var do, s struct{ ID int64 }
	if err := e.call(ctx, "POST", "/v1/deliveryOrders", map[string]any{"customer": world.customer, "warehouse": world.warehouse,
		"lines": lines}, &do); err != nil {
		return 0, err
	}
	if err := e.call(ctx, "POST", "/v1/scanSessions", map[string]any{"deliveryOrder": do.ID}, &s); err != nil {
		return 0, err
	}
	return s.ID, nil
}

// scanState is each scanner's session and code.
type scanState struct {
	sessions []int64
	codes    []string
}

var scanning scanState

func setupScans(hot bool) func(ctx context.Context, e *env) error {
	return func(ctx context.Context, e *env) error {
		if err := prepareWorld(ctx, e); err != nil {
			return err
		}
		n := 64
		if hot {
			n = 1
		}
		items, codes, err := stockedItems(ctx, e, n)
		if err != nil {
			return err
		}
		scanning = scanState{}
		for i := range 64 {
			k := i % n
			s, err := openDelivery(ctx, e, []int64{items[k]}, 100_000_000)
			if err != nil {
				return err
			}
			scanning.sessions = append(scanning.sessions, s)
			scanning.codes = append(scanning.codes, codes[k])
		}
		return nil
	}
}

func scanOp(ctx context.Context, e *env, w int) error {
	var out struct {
		Accepted bool   `json:"accepted"`
		Reason   string `json:"reason"`
	}
	err := e.call(ctx, "POST", fmt.Sprintf("/v1/scanSessions/%d:scan", scanning.sessions[w]),
		map[string]any{"code": scanning.codes[w], "scanId": fmt.Sprintf("b-%d", e.next())}, &out)
	if err == nil && !out.Accepted {
		return fmt.Errorf("scan refused: %s", out.Reason)
	}
	return err
}

// completion sessions prepared for the completion scenario
var (
	prepared []int64
	nextDone atomic.Int64
)

// setupCompletions prepares 50-line delivery sessions with every line scanned.
func setupCompletions(ctx context.Context, e *env) error {
	if err := prepareWorld(ctx, e); err != nil {
		return err
	}
	items, codes, err := stockedItems(ctx, e, 50)
	if err != nil {
		return err
	}
	const sessions = 120
	var mu sync.Mutex
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	work := make(chan struct{}, sessions)
	for range sessions {
		work <- struct{}{}
	}
	close(work)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				s, err := openDelivery(ctx, e, items, 1000)
				if err != nil {
					errc <- err
					return
				}
				for _, code := range codes {
					if err := e.call(ctx, "POST", fmt.Sprintf("/v1/scanSessions/%d:scan", s),
						map[string]any{"code": code, "scanId": fmt.Sprintf("p-%d", e.next())}, nil); err != nil {
						errc <- err
						return
					}
				}
				mu.Lock()
				prepared = append(prepared, s)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	nextDone.Store(0)
	return nil
}

func completeOp(ctx context.Context, e *env, _ int) error {
	i := nextDone.Add(1) - 1
	if i >= int64(len(prepared)) {
		return errExhausted
	}
	return e.call(ctx, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", prepared[i]), map[string]any{}, nil)
}
