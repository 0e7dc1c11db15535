// Package outbox carries events from the transaction that caused them to the services and
// platforms that must hear about them, at least once, surviving crashes and restarts.
//
// Publish writes one row per (event, subscriber) in the caller's transaction, so an event
// exists exactly when its change committed. A dispatcher on every erpd replica claims due
// rows with a guarded UPDATE (claimed_until in the past), delivers them, and marks them
// delivered or schedules a retry with exponential backoff. A crash between delivery and the
// mark redelivers: handlers must be idempotent (a unique key on what they create, or a
// guarded update). Events with the same key are delivered in id order within a batch. A
// batch subscriber (SubscribeBatch) receives its claimed events together instead, for
// set-based work, in calls of at most its limit.
//
// Subscribers are registered in code at start-up, before any Publish; an event published
// for a topic nobody subscribes to is not stored (consumers that need history rebuild it
// from the source documents).
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/text"
)

// Event is something that happened, published inside the transaction that made it happen.
type Event struct {
	Topic   string // e.g. "warehouse.document.posted"
	Key     string // the aggregate it concerns, e.g. "stockDocuments/42"; orders delivery
	Payload any    // JSON-encoded
}

// Delivery is one event as a subscriber receives it.
type Delivery struct {
	ID        int64
	Topic     string
	Key       string
	Payload   []byte
	Attempts  int // earlier failed attempts
	CreatedAt time.Time
	RequestID string // the request that published it, for log correlation
}

// Decode unmarshals the payload into v.
func (d Delivery) Decode(v any) error { return json.Unmarshal(d.Payload, v) }

// Handler receives one delivery; a non-nil error schedules a retry.
type Handler func(ctx context.Context, d Delivery) error

// BatchHandler receives deliveries of one subscriber that a dispatcher claimed together,
// in id order, at most the subscriber's limit at a time; a non-nil error schedules a retry
// of all of them. It suits a subscriber whose work is better done set-based (a statement
// for the batch in place of one per event). Deliveries are not ordered by key across calls.
type BatchHandler func(ctx context.Context, ds []Delivery) error

type batchSubscriber struct {
	handle BatchHandler
	limit  int
}

// Options tune the dispatcher.
type Options struct {
	Poll        time.Duration // idle poll interval (default 100 ms)
	Batch       int           // rows claimed at once (default 200)
	Lease       time.Duration // how long a claim lasts before another replica may retry (default 60 s)
	Timeout     time.Duration // per-delivery deadline (default 30 s)
	MaxBackoff  time.Duration // ceiling of the retry delay (default 10 min)
	BaseBackoff time.Duration // first retry delay (default 1 s)
	Workers     int           // parallel deliveries (default 8)
	Logger      *slog.Logger
	Now         func() time.Time
}

// Outbox publishes and dispatches events.
type Outbox struct {
	db       *gorm.DB
	opt      Options
	topics   map[string][]string // topic -> subscriber names
	handlers map[string]Handler  // subscriber -> handler
	batched  map[string]batchSubscriber
	wake     chan struct{}
	replica  string
	batchSeq atomic.Int64
	mu       sync.RWMutex
}

// New returns an outbox on g.
func New(g *gorm.DB, opt Options) *Outbox {
	if opt.Poll == 0 {
		opt.Poll = 100 * time.Millisecond
	}
	if opt.Batch == 0 {
		opt.Batch = 200
	}
	if opt.Lease == 0 {
		opt.Lease = 60 * time.Second
	}
	if opt.Timeout == 0 {
		opt.Timeout = 30 * time.Second
	}
	if opt.MaxBackoff == 0 {
		opt.MaxBackoff = 10 * time.Minute
	}
	if opt.BaseBackoff == 0 {
		opt.BaseBackoff = time.Second
	}
	if opt.Workers == 0 {
		opt.Workers = 8
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = func() time.Time { return time.Now().UTC() }
	}
	host, _ := os.Hostname()
	return &Outbox{
		db: g, opt: opt,
		topics:   map[string][]string{},
		handlers: map[string]Handler{},
		batched:  map[string]batchSubscriber{},
		wake:     make(chan struct{}, 1),
		replica:  fmt.Sprintf("%s-%d-%04x", text.Clip(host, 32), os.Getpid(), rand.IntN(0xffff)),
	}
}

// Subscribe registers a named subscriber for topics. Call it at start-up, before events
// are published; the name is stored with every row, so keep it stable across releases.
func (o *Outbox) Subscribe(name string, topics []string, h Handler) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.handlers[name] = h
	for _, t := range topics {
		o.topics[t] = append(o.topics[t], name)
	}
}

// SubscribeBatch is Subscribe for a handler that takes a subscriber's claimed deliveries
// together, at most limit in a call (see BatchHandler); the calls of one claim run one
// after the other, each with the per-delivery Timeout.
func (o *Outbox) SubscribeBatch(name string, topics []string, limit int, h BatchHandler) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.batched[name] = batchSubscriber{h, max(limit, 1)}
	for _, t := range topics {
		o.topics[t] = append(o.topics[t], name)
	}
}

// Publish stores events for every subscriber of their topics, in tx.
func (o *Outbox) Publish(ctx context.Context, tx *gorm.DB, events ...Event) error {
	o.mu.RLock()
	defer o.mu.RUnlock()
	now := o.opt.Now()
	reqID := reqctx.RequestID(ctx)
	type row struct {
		Topic, Subscriber, EventKey string
		Payload                     []byte
		RequestID                   string
		CreatedAt, NextAttemptAt    time.Time
	}
	rows := make([]row, 0, len(events))
	for _, ev := range events {
		subs := o.topics[ev.Topic]
		if len(subs) == 0 {
			continue
		}
		b, err := json.Marshal(ev.Payload)
		if err != nil {
			return fmt.Errorf("outbox: encode %s: %w", ev.Topic, err)
		}
		for _, s := range subs {
			rows = append(rows, row{ev.Topic, s, text.Clip(ev.Key, 128), b, reqID, now, now})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	var sb strings.Builder
	args := make([]any, 0, len(rows)*7)
	sb.WriteString(`INSERT INTO outbox_events (topic, subscriber, event_key, payload, request_id, created_at, next_attempt_at) VALUES `)
	for i, r := range rows {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("(?,?,?,?,?,?,?)")
		args = append(args, r.Topic, r.Subscriber, r.EventKey, r.Payload, r.RequestID, r.CreatedAt, r.NextAttemptAt)
	}
	return tx.Exec(sb.String(), args...).Error
}

// Notify wakes the local dispatcher (call it after committing a publish for low latency).
func (o *Outbox) Notify() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run dispatches until ctx ends.
func (o *Outbox) Run(ctx context.Context) {
	for {
		n, err := o.DispatchOnce(ctx)
		if err != nil && ctx.Err() == nil {
			o.opt.Logger.ErrorContext(ctx, "outbox dispatch failed", "err", err)
		}
		if n > 0 && err == nil {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-o.wake:
		case <-time.After(o.opt.Poll):
		}
	}
}

type claimed struct {
	ID         int64
	Topic      string
	Subscriber string
	EventKey   string
	Payload    []byte
	RequestID  string
	Attempts   int
	CreatedAt  time.Time
}

// DispatchOnce claims one batch of due rows, delivers them and records the outcomes.
// It answers how many rows it claimed.
func (o *Outbox) DispatchOnce(ctx context.Context) (int, error) {
	now := o.opt.Now()
	claim := fmt.Sprintf("%s-%d", o.replica, o.batchSeq.Add(1))
	// Claims of several replicas may deadlock on the due index; the claim is one
	// statement, so it is simply tried again.
	var claimedRows int64
	err := db.Tx(ctx, o.db, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE outbox_events SET claimed_by = ?, claimed_until = ?
			WHERE pending = 1 AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)
			ORDER BY next_attempt_at, id LIMIT ?`, claim, now.Add(o.opt.Lease), now, now, o.opt.Batch)
		claimedRows = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, err
	}
	if claimedRows == 0 {
		return 0, nil
	}
	var rows []claimed
	if err := o.db.WithContext(ctx).Raw(`SELECT id, topic, subscriber, event_key, payload, request_id, attempts, created_at
		FROM outbox_events WHERE claimed_by = ? AND pending = 1 ORDER BY id`, claim).Scan(&rows).Error; err != nil {
		return 0, err
	}
	// Group by (subscriber, key), or by subscriber for a batch handler: each group in
	// order, groups in parallel.
	o.mu.RLock()
	batched := o.batched
	o.mu.RUnlock()
	groups := map[string][]claimed{}
	var order []string
	for _, r := range rows {
		g := r.Subscriber + "\x00" + r.EventKey
		if _, ok := batched[r.Subscriber]; ok {
			g = r.Subscriber
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], r)
	}
	var (
		mu        sync.Mutex
		delivered []int64
		failed    []failure
		wg        sync.WaitGroup
		sem       = make(chan struct{}, o.opt.Workers)
	)
	for _, g := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func(batch []claimed) {
			defer wg.Done()
			defer func() { <-sem }()
			if b, ok := batched[batch[0].Subscriber]; ok {
				for lo := 0; lo < len(batch); lo += b.limit {
					part := batch[lo:min(lo+b.limit, len(batch))]
					err := o.deliverBatch(ctx, b.handle, part)
					mu.Lock()
					for _, r := range part {
						if err != nil {
							failed = append(failed, failure{r, err})
						} else {
							delivered = append(delivered, r.ID)
						}
					}
					mu.Unlock()
				}
				return
			}
			for i, r := range batch {
				if err := o.deliver(ctx, r); err != nil {
					mu.Lock()
					// this one and the rest of its group wait for the retry, in order
					for _, rest := range batch[i:] {
						failed = append(failed, failure{rest, err})
					}
					mu.Unlock()
					return
				}
				mu.Lock()
				delivered = append(delivered, r.ID)
				mu.Unlock()
			}
		}(groups[g])
	}
	wg.Wait()
	// Outcomes are recorded with a fresh context: a shutdown must not lose them.
	rctx := context.WithoutCancel(ctx)
	// Outcome updates race with other replicas' claims on the due index and may deadlock;
	// each is a single guarded statement and is retried.
	if len(delivered) > 0 {
		if err := db.Tx(rctx, o.db, func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE outbox_events SET pending = 0, delivered_at = ?,
				claimed_by = NULL, claimed_until = NULL WHERE id IN ? AND claimed_by = ?`,
				o.opt.Now(), delivered, claim).Error
		}); err != nil {
			return len(rows), err
		}
	}
	for _, f := range failed {
		next := o.opt.Now().Add(o.backoff(f.row.Attempts + 1))
		if err := db.Tx(rctx, o.db, func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE outbox_events SET attempts = attempts + 1,
				next_attempt_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL
				WHERE id = ? AND claimed_by = ?`, next, text.Clip(f.err.Error(), 1000), f.row.ID, claim).Error
		}); err != nil {
			return len(rows), err
		}
	}
	return len(rows), nil
}

type failure struct {
	row claimed
	err error
}

func (o *Outbox) deliver(ctx context.Context, r claimed) (err error) {
	o.mu.RLock()
	h := o.handlers[r.Subscriber]
	o.mu.RUnlock()
	if h == nil {
		return fmt.Errorf("no handler registered for subscriber %q", r.Subscriber)
	}
	dctx, cancel := context.WithTimeout(ctx, o.opt.Timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
			o.opt.Logger.ErrorContext(ctx, "outbox handler panicked", "subscriber", r.Subscriber,
				"topic", r.Topic, "event", r.ID, "panic", fmt.Sprint(p))
		}
	}()
	err = h(dctx, Delivery{ID: r.ID, Topic: r.Topic, Key: r.EventKey, Payload: r.Payload,
		Attempts: r.Attempts, CreatedAt: r.CreatedAt, RequestID: r.RequestID})
	if err != nil {
		o.opt.Logger.WarnContext(ctx, "outbox delivery failed", "subscriber", r.Subscriber,
			"topic", r.Topic, "event", r.ID, "attempt", r.Attempts+1, "err", err, "request_id", r.RequestID)
	}
	return err
}

func (o *Outbox) deliverBatch(ctx context.Context, h BatchHandler, batch []claimed) (err error) {
	dctx, cancel := context.WithTimeout(ctx, o.opt.Timeout)
	defer cancel()
	first := batch[0]
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
			o.opt.Logger.ErrorContext(ctx, "outbox handler panicked", "subscriber", first.Subscriber,
				"events", len(batch), "first", first.ID, "panic", fmt.Sprint(p))
		}
	}()
	ds := make([]Delivery, len(batch))
	for i, r := range batch {
		ds[i] = Delivery{ID: r.ID, Topic: r.Topic, Key: r.EventKey, Payload: r.Payload,
			Attempts: r.Attempts, CreatedAt: r.CreatedAt, RequestID: r.RequestID}
	}
	if err = h(dctx, ds); err != nil {
		o.opt.Logger.WarnContext(ctx, "outbox delivery failed", "subscriber", first.Subscriber,
			"events", len(batch), "first", first.ID, "attempt", first.Attempts+1, "err", err)
	}
	return err
}

// backoff is BaseBackoff·2^(n-1), capped, with up to 25 % jitter.
func (o *Outbox) backoff(n int) time.Duration {
	d := o.opt.BaseBackoff << min(n-1, 20)
	if d <= 0 || d > o.opt.MaxBackoff {
		d = o.opt.MaxBackoff
	}
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
}

// Purge deletes delivered rows older than the retention, in bounded batches.
func (o *Outbox) Purge(ctx context.Context, olderThan time.Duration) (int64, error) {
	cutoff := o.opt.Now().Add(-olderThan)
	var total int64
	for {
		res := o.db.WithContext(ctx).Exec(`DELETE FROM outbox_events WHERE pending = 0 AND delivered_at < ? LIMIT 5000`, cutoff)
		if res.Error != nil {
			return total, res.Error
		}
		total += res.RowsAffected
		if res.RowsAffected < 5000 {
			return total, nil
		}
	}
}

// Backlog answers how many rows wait for delivery, per subscriber.
func (o *Outbox) Backlog(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Subscriber string
		N          int64
	}
	if err := o.db.WithContext(ctx).Raw(`SELECT subscriber, COUNT(*) AS n FROM outbox_events WHERE pending = 1 GROUP BY subscriber`).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Subscriber] = r.N
	}
	return out, nil
}

// OldestPending answers the creation time of the oldest row still waiting for delivery to
// any of the subscribers, and false when none waits: a read model fed by them holds every
// event created before that time.
func (o *Outbox) OldestPending(ctx context.Context, subscribers ...string) (time.Time, bool, error) {
	var at []time.Time
	if err := o.db.WithContext(ctx).Raw(`SELECT created_at FROM outbox_events WHERE pending = 1 AND subscriber IN ?
		ORDER BY created_at LIMIT 1`, subscribers).Scan(&at).Error; err != nil {
		return time.Time{}, false, err
	}
	if len(at) == 0 {
		return time.Time{}, false, nil
	}
	return at[0].UTC(), true, nil
}
