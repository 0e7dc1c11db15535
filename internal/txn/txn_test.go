package txn_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/testdb"
	"github.com/erphub/erphub/internal/txn"
)

type created struct {
	ID   int64
	Name string
}

func (c created) ResourceName() string { return "things/" + c.Name }

func setup(t *testing.T) *gorm.DB {
	t.Helper()
	g := testdb.New(t)
	if err := g.Exec(`CREATE TABLE things (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(32) NOT NULL)`).Error; err != nil {
		t.Fatal(err)
	}
	return g
}

func callCtx(key string, hash byte, user int64) (context.Context, *reqctx.Call) {
	c := &reqctx.Call{RequestID: "r1", Method: "/test/Create", IdempotencyKey: key, RequestHash: bytes.Repeat([]byte{hash}, 32),
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: user, Name: "u"}}
	return reqctx.WithCall(context.Background(), c), c
}

func insert(tx *gorm.DB, name string) (created, error) {
	if err := tx.Exec(`INSERT INTO things (name) VALUES (?)`, name).Error; err != nil {
		return created{}, err
	}
	var id int64
	err := tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&id).Error
	return created{ID: id, Name: name}, err
}

func count(t *testing.T, g *gorm.DB, q string) int64 {
	t.Helper()
	var n int64
	if err := g.Raw(q).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMutateReplaysAndRefusesReuse(t *testing.T) {
	t.Parallel()
	g := setup(t)
	ctx, call := callCtx("k1", 1, 7)
	first, err := txn.Mutate(ctx, g, func(tx *gorm.DB) (created, error) { return insert(tx, "a") })
	if err != nil {
		t.Fatal(err)
	}
	if !call.Audited {
		t.Error("the call was not marked audited")
	}
	// the same key and request: the stored answer, no second row
	ctx2, _ := callCtx("k1", 1, 7)
	again, err := txn.Mutate(ctx2, g, func(tx *gorm.DB) (created, error) { return insert(tx, "a") })
	if err != nil || again != first {
		t.Fatalf("replay = %+v, %v; want %+v", again, err, first)
	}
	if n := count(t, g, `SELECT COUNT(*) FROM things`); n != 1 {
		t.Fatalf("%d rows after a replay, want 1", n)
	}
	// the same key with a different request: refused
	ctx3, _ := callCtx("k1", 2, 7)
	_, err = txn.Mutate(ctx3, g, func(tx *gorm.DB) (created, error) { return insert(tx, "b") })
	if !errors.Is(err, txn.ErrKeyReused) {
		t.Fatalf("reused key: err = %v, want ErrKeyReused", err)
	}
	// another caller may use the same key for its own request
	ctx4, _ := callCtx("k1", 2, 8)
	if _, err := txn.Mutate(ctx4, g, func(tx *gorm.DB) (created, error) { return insert(tx, "c") }); err != nil {
		t.Fatalf("another caller's key: %v", err)
	}
	if n := count(t, g, `SELECT COUNT(*) FROM audit_log WHERE resource LIKE 'things/%' AND code = 'OK'`); n != 2 {
		t.Fatalf("%d audit rows, want 2 (the replay writes none)", n)
	}
}

func TestMutateRollsBackEverythingOnError(t *testing.T) {
	t.Parallel()
	g := setup(t)
	ctx, call := callCtx("k2", 1, 7)
	boom := apperr.Refused("NO", "refused")
	_, err := txn.Mutate(ctx, g, func(tx *gorm.DB) (created, error) {
		if _, err := insert(tx, "x"); err != nil {
			return created{}, err
		}
		return created{}, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if call.Audited {
		t.Error("a rolled-back call was marked audited")
	}
	for _, q := range []string{`SELECT COUNT(*) FROM things`, `SELECT COUNT(*) FROM idempotency_keys`, `SELECT COUNT(*) FROM audit_log`} {
		if n := count(t, g, q); n != 0 {
			t.Errorf("%s = %d after a refused call, want 0", q, n)
		}
	}
	// the key is free again: a corrected retry goes through
	ctx2, _ := callCtx("k2", 1, 7)
	if _, err := txn.Mutate(ctx2, g, func(tx *gorm.DB) (created, error) { return insert(tx, "x") }); err != nil {
		t.Fatal(err)
	}
}

// Many concurrent calls with one key: exactly one change, everyone gets its answer.
func TestMutateConcurrentSameKey(t *testing.T) {
	t.Parallel()
	g := setup(t)
	var runs atomic.Int32
	var wg sync.WaitGroup
	answers := make([]created, 24)
	errs := make([]error, 24)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, _ := callCtx("same", 1, 7)
			answers[i], errs[i] = txn.Mutate(ctx, g, func(tx *gorm.DB) (created, error) {
				runs.Add(1)
				return insert(tx, "only-once")
			})
		}()
	}
	wg.Wait()
	for i := range answers {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if answers[i] != answers[0] {
			t.Fatalf("call %d answered %+v, call 0 %+v", i, answers[i], answers[0])
		}
	}
	if n := count(t, g, `SELECT COUNT(*) FROM things`); n != 1 {
		t.Fatalf("%d rows, want 1 (bodies ran %d times, the losers rolled back)", n, runs.Load())
	}
}
