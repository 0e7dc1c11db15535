// Package testdb gives each test its own freshly migrated database on a real MySQL or
// MariaDB server: the one in ERP_TEST_MYSQL_DSN (make test starts or finds it with
// deploy/local/mariadb.sh), else the one in ERP_MYSQL_DSN. There is no fallback to a fake:
// without a server the tests fail and say how to get one.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/db"
)

// ServerDSN answers the test server's DSN without a database name.
func ServerDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("ERP_TEST_MYSQL_DSN")
	if dsn == "" {
		dsn = os.Getenv("ERP_MYSQL_DSN")
	}
	if dsn == "" {
		t.Fatal("no database server: run `make test`, or set ERP_TEST_MYSQL_DSN=$(deploy/local/mariadb.sh)")
	}
	return dsn
}

// NewDSN creates an empty database for the test, drops it when the test ends, and
// answers its DSN.
func NewDSN(t testing.TB) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(ServerDSN(t))
	if err != nil {
		t.Fatalf("test DSN: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	cfg.DBName = "erpt_" + strings.ToLower(sanitize(t.Name(), 30)) + "_" + hex.EncodeToString(b[:])
	dsn := cfg.FormatDSN()
	if err := db.EnsureDatabase(context.Background(), dsn); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		server := *cfg
		server.DBName = ""
		conn, err := sql.Open("mysql", server.FormatDSN())
		if err != nil {
			return
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+cfg.DBName+"`")
	})
	return dsn
}

// New answers a migrated database of the test's own.
func New(t testing.TB) *gorm.DB {
	t.Helper()
	g, err := db.Open(NewDSN(t), db.Options{MaxOpenConns: 80})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	if _, err := db.Migrate(context.Background(), g); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close(g) })
	return g
}

func sanitize(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= n {
			break
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
