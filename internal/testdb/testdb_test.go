package testdb_test

import (
	"testing"
	"time"

	"github.com/erphub/erphub/internal/testdb"
)

func TestNewMigrates(t *testing.T) {
	start := time.Now()
	g := testdb.New(t)
	t.Logf("migrated in %v", time.Since(start))
	var n int
	if err := g.Raw(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n < 15 {
		t.Fatalf("only %d tables after migrating", n)
	}
}
