package db_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/testdb"
	"github.com/erphub/erphub/migrations"
)

// Migration 00081 turns the insights marks an earlier release left into outbox events of
// the topics the insights subscribers read, then drops the marks' table.
func TestInsightsMarksBecomeEvents(t *testing.T) {
	ctx := context.Background()
	g, err := db.Open(testdb.NewDSN(t), db.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(g) })
	sqlDB, err := g.DB()
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectMySQL, sqlDB, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 80); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO orders (id, shop_id, platform_order_id, channel, order_number, status, currency, platform_updated_at, content_hash, created_at, updated_at)
			VALUES (41, 7, 'p41', 'tmall', 'SO-41', 'paid', 'CNY', NOW(6), 'h', NOW(6), NOW(6))`,
		`INSERT INTO insights_dirty (source, source_id, seq, queued_at) VALUES ('order', 41, 2, '2026-12-01 08:00:00'),
			('stock', 5, 1, '2026-12-01 08:00:01'), ('return', 9, 1, '2026-12-01 08:00:02')`,
	} {
		if err := g.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Topic, Subscriber, EventKey string
		Payload                     []byte
		Pending                     bool
	}
	if err := g.Raw(`SELECT topic, subscriber, event_key, payload, pending FROM outbox_events ORDER BY id`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	want := []struct{ topic, subscriber, key, payload string }{
		{"orders.orders.changed", "insights-orders", "shops/7", `{"shop":7,"channel":"tmall","orders":[41]}`},
		{"warehouse.document.posted", "insights-stock", "stockDocuments/5", `{"document":5,"type":"delivery"}`},
		{"reconcile.return.recorded", "insights-returns", "customerReturns/9", `{"return":9}`},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d events; want %d: %+v", len(rows), len(want), rows)
	}
	for i, w := range want {
		r := rows[i]
		var got, exp any
		if err := json.Unmarshal(r.Payload, &got); err != nil {
			t.Fatalf("event %d payload %s: %v", i, r.Payload, err)
		}
		_ = json.Unmarshal([]byte(w.payload), &exp)
		gb, _ := json.Marshal(got)
		eb, _ := json.Marshal(exp)
		if r.Topic != w.topic || r.Subscriber != w.subscriber || r.EventKey != w.key || string(gb) != string(eb) || !r.Pending {
			t.Errorf("event %d: %+v %s; want %+v", i, r, r.Payload, w)
		}
	}
	var tables int
	if err := g.Raw(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'insights_dirty'`).
		Scan(&tables).Error; err != nil || tables != 0 {
		t.Errorf("insights_dirty still there (%d, %v)", tables, err)
	}
}
