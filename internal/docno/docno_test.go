package docno_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/docno"
	"github.com/erphub/erphub/internal/testdb"
)

// 32 goroutines each create 10 documents, and every fourth creation rolls back: the
// committed numbers must be exactly 1..N with no gap and no repeat.
func TestNextIsGapFreeUnderConcurrency(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	ctx := context.Background()
	if err := g.Exec(`CREATE TABLE docs (no BIGINT NOT NULL PRIMARY KEY)`).Error; err != nil {
		t.Fatal(err)
	}
	errRollback := errors.New("rolled back on purpose")
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				err := db.Tx(ctx, g, func(tx *gorm.DB) error {
					n, err := docno.Next(tx, "SO", 7, "202611")
					if err != nil {
						return err
					}
					if err := tx.Exec(`INSERT INTO docs (no) VALUES (?)`, n).Error; err != nil {
						return err
					}
					if (w+i)%4 == 0 {
						return errRollback
					}
					return nil
				})
				if err != nil && !errors.Is(err, errRollback) {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	var got []int64
	if err := g.Raw(`SELECT no FROM docs ORDER BY no`).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	want := 32 * 10 * 3 / 4
	if len(got) != want {
		t.Fatalf("committed %d documents, want %d", len(got), want)
	}
	for i, n := range got {
		if n != int64(i+1) {
			t.Fatalf("number %d at position %d: gap or repeat in %v", n, i, got[:min(len(got), i+3)])
		}
	}
	// another branch and another period start their own sequences
	_ = db.Tx(ctx, g, func(tx *gorm.DB) error {
		a, _ := docno.Next(tx, "SO", 8, "202611")
		b, _ := docno.Next(tx, "SO", 7, "202612")
		if a != 1 || b != 1 {
			t.Errorf("new sequences start at %d and %d, want 1", a, b)
		}
		return nil
	})
	if !slices.IsSorted(got) {
		t.Fatal("not sorted")
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	if got := docno.Format("SO", "CQ", "202611", 123); got != "SO-CQ-202611-000123" {
		t.Errorf("Format = %q", got)
	}
	if got := docno.Format("记", "", "202611", 42); got != "记-202611-000042" {
		t.Errorf("Format = %q", got)
	}
}
