package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/testdb"
)

// clock is a settable clock for backoff tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func publish(t *testing.T, g *gorm.DB, o *outbox.Outbox, fail bool, evs ...outbox.Event) {
	t.Helper()
	errFail := errors.New("rollback")
	err := db.Tx(context.Background(), g, func(tx *gorm.DB) error {
		if err := o.Publish(context.Background(), tx, evs...); err != nil {
			return err
		}
		if fail {
			return errFail
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFail) {
		t.Fatal(err)
	}
}

func TestPublishIsTransactionalAndFansOut(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	o := outbox.New(g, outbox.Options{})
	var a, b atomic.Int32
	o.Subscribe("a", []string{"stock.posted"}, func(ctx context.Context, d outbox.Delivery) error { a.Add(1); return nil })
	o.Subscribe("b", []string{"stock.posted", "order.paid"}, func(ctx context.Context, d outbox.Delivery) error {
		var p struct{ N int }
		if err := d.Decode(&p); err != nil || p.N != 5 {
			t.Errorf("payload %s: %v", d.Payload, err)
		}
		b.Add(1)
		return nil
	})
	publish(t, g, o, true, outbox.Event{Topic: "stock.posted", Key: "k", Payload: map[string]int{"N": 5}})
	publish(t, g, o, false, outbox.Event{Topic: "stock.posted", Key: "k", Payload: map[string]int{"N": 5}},
		outbox.Event{Topic: "order.paid", Key: "o", Payload: map[string]int{"N": 5}},
		outbox.Event{Topic: "nobody.listens", Key: "z", Payload: 1})
	n, err := o.DispatchOnce(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("dispatched %d, %v; want 3 rows (the rolled-back event and the unheard topic store none)", n, err)
	}
	if a.Load() != 1 || b.Load() != 2 {
		t.Fatalf("a got %d, b got %d; want 1 and 2", a.Load(), b.Load())
	}
	if n, _ := o.DispatchOnce(context.Background()); n != 0 {
		t.Fatalf("a second dispatch claimed %d delivered rows", n)
	}
}

func TestFailedDeliveryIsRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	clk := &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	o := outbox.New(g, outbox.Options{Now: clk.now, BaseBackoff: time.Second, MaxBackoff: time.Minute})
	var calls atomic.Int32
	o.Subscribe("flaky", []string{"t"}, func(ctx context.Context, d outbox.Delivery) error {
		if calls.Add(1) <= 3 {
			return errors.New("platform down")
		}
		if d.Attempts != 3 {
			t.Errorf("attempts = %d at success, want 3 earlier failures", d.Attempts)
		}
		return nil
	})
	publish(t, g, o, false, outbox.Event{Topic: "t", Key: "k", Payload: 1})
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if n, err := o.DispatchOnce(ctx); err != nil || n != 1 {
			t.Fatalf("attempt %d: dispatched %d, %v", i+1, n, err)
		}
		if n, _ := o.DispatchOnce(ctx); n != 0 {
			t.Fatalf("attempt %d: retried before its backoff", i+1)
		}
		clk.add(time.Minute + 20*time.Second) // past the longest jittered backoff
	}
	if n, _ := o.DispatchOnce(ctx); n != 1 {
		t.Fatalf("fourth attempt not dispatched")
	}
	var row struct {
		Pending  bool
		Attempts int
	}
	g.Raw(`SELECT pending, attempts FROM outbox_events`).Scan(&row)
	if row.Pending || row.Attempts != 3 || calls.Load() != 4 {
		t.Fatalf("row %+v after %d calls; want delivered after 3 failures", row, calls.Load())
	}
	backlog, err := o.Backlog(ctx)
	if err != nil || len(backlog) != 0 {
		t.Fatalf("backlog %v, %v", backlog, err)
	}
}

// Four dispatchers (as on four replicas) drain 400 events: each is delivered once.
func TestConcurrentDispatchersDeliverEachOnce(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	var mu sync.Mutex
	seen := map[int64]int{}
	handler := func(ctx context.Context, d outbox.Delivery) error {
		mu.Lock()
		seen[d.ID]++
		mu.Unlock()
		return nil
	}
	var boxes []*outbox.Outbox
	for range 4 {
		o := outbox.New(g, outbox.Options{Batch: 25})
		o.Subscribe("s", []string{"t"}, handler)
		boxes = append(boxes, o)
	}
	for i := range 400 {
		publish(t, g, boxes[0], false, outbox.Event{Topic: "t", Key: string(rune('a' + i%7)), Payload: i})
	}
	var wg sync.WaitGroup
	for _, o := range boxes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := o.DispatchOnce(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != 400 {
		t.Fatalf("%d distinct events delivered, want 400", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("event %d delivered %d times", id, n)
		}
	}
}

func TestPanickingHandlerIsRetriedNotFatal(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	o := outbox.New(g, outbox.Options{})
	o.Subscribe("p", []string{"t"}, func(ctx context.Context, d outbox.Delivery) error { panic("bug") })
	publish(t, g, o, false, outbox.Event{Topic: "t", Payload: 1})
	if _, err := o.DispatchOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	var lastError string
	g.Raw(`SELECT last_error FROM outbox_events`).Scan(&lastError)
	if lastError == "" {
		t.Fatal("the panic was not recorded as a failed attempt")
	}
}

// A batch subscriber gets its claimed deliveries together, in id order, across keys, at
// most its limit (3) in a call; a failure or a panic schedules all of them again, and the
// retry delivers them once.
func TestBatchSubscriberGetsItsDeliveriesTogether(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	c := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	o := outbox.New(g, outbox.Options{Now: c.now})
	var calls [][]int
	var mode atomic.Int32 // 0 succeed, 1 fail, 2 panic
	o.SubscribeBatch("folder", []string{"order.changed"}, 3, func(ctx context.Context, ds []outbox.Delivery) error {
		var ns []int
		for _, d := range ds {
			var p struct{ N int }
			if err := d.Decode(&p); err != nil {
				return err
			}
			ns = append(ns, p.N)
		}
		switch mode.Load() {
		case 1:
			return errors.New("database away")
		case 2:
			panic("bug")
		}
		calls = append(calls, ns)
		return nil
	})
	var single atomic.Int32
	o.Subscribe("single", []string{"order.changed"}, func(ctx context.Context, d outbox.Delivery) error { single.Add(1); return nil })
	for _, n := range []int{1, 2, 3, 4, 5} {
		publish(t, g, o, false, outbox.Event{Topic: "order.changed", Key: "orders/" + string(rune('a'+n%2)), Payload: map[string]int{"N": n}})
	}
	for _, m := range []int32{1, 2} {
		mode.Store(m)
		if n, err := o.DispatchOnce(context.Background()); err != nil || n == 0 {
			t.Fatalf("mode %d: dispatched %d, %v", m, n, err)
		}
		if len(calls) != 0 {
			t.Fatalf("mode %d: a failed batch was recorded: %v", m, calls)
		}
		c.add(time.Hour) // past any backoff
	}
	mode.Store(0)
	if n, err := o.DispatchOnce(context.Background()); err != nil || n != 5 {
		t.Fatalf("retry dispatched %d, %v; want the 5 batch rows again", n, err)
	}
	if fmt.Sprint(calls) != "[[1 2 3] [4 5]]" {
		t.Fatalf("batch calls %v; want [[1 2 3] [4 5]]", calls)
	}
	if single.Load() != 5 {
		t.Fatalf("the per-event subscriber got %d deliveries; want 5", single.Load())
	}
	if n, _ := o.DispatchOnce(context.Background()); n != 0 {
		t.Fatalf("a further dispatch claimed %d delivered rows", n)
	}
}
