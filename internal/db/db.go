// Package db opens the shared MySQL schema through gorm, applies the embedded migrations,
// classifies driver errors and runs transactions that are retried whole when the database
// reports a deadlock or a write conflict (MySQL/MariaDB 1213 and 1205; a Galera or TiDB
// write conflict surfaces as 1213 at COMMIT).
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Options tune the connection pool.
type Options struct {
	MaxOpenConns int
	MaxIdleConns int
	SlowQuery    time.Duration // log statements slower than this (0: 200 ms)
	Logger       *slog.Logger
}

// NormalizeDSN fills in the driver parameters erphub relies on: parseTime, UTC, utf8mb4,
// interpolated parameters (one round trip per statement instead of prepare+execute) and
// multi-statements off.
func NormalizeDSN(dsn string) (*mysql.Config, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("ERP_MYSQL_DSN: %w", err)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true
	if cfg.Collation == "" {
		cfg.Collation = "utf8mb4_unicode_ci"
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	// Sessions run in UTC so that NOW() and DATETIME columns agree with Go's time.UTC.
	cfg.Params["time_zone"] = "'+00:00'"
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	return cfg, nil
}

// EnsureDatabase creates the DSN's database when it does not exist yet.
func EnsureDatabase(ctx context.Context, dsn string) error {
	cfg, err := NormalizeDSN(dsn)
	if err != nil {
		return err
	}
	name := cfg.DBName
	if name == "" {
		return errors.New("ERP_MYSQL_DSN names no database (…/erphub)")
	}
	if strings.ContainsAny(name, "`\\/") {
		return fmt.Errorf("database name %q has characters that are not allowed", name)
	}
	cfg.DBName = ""
	conn, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+name+
		"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	return err
}

// Open connects to the database named in dsn.
func Open(dsn string, opt Options) (*gorm.DB, error) {
	cfg, err := NormalizeDSN(dsn)
	if err != nil {
		return nil, err
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.SlowQuery == 0 {
		opt.SlowQuery = 200 * time.Millisecond
	}
	plain, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, err
	}
	txCfg := cfg.Clone()
	txCfg.Params["autocommit"] = "0"
	txDB, err := sql.Open("mysql", txCfg.FormatDSN())
	if err != nil {
		return nil, err
	}
	if opt.MaxOpenConns == 0 {
		opt.MaxOpenConns = 64
	}
	if opt.MaxIdleConns == 0 {
		opt.MaxIdleConns = opt.MaxOpenConns
	}
	for _, d := range []*sql.DB{plain, txDB} {
		d.SetMaxOpenConns(opt.MaxOpenConns)
		d.SetMaxIdleConns(opt.MaxIdleConns)
		d.SetConnMaxLifetime(30 * time.Minute)
		d.SetConnMaxIdleTime(5 * time.Minute)
	}
	g, err := gorm.Open(gormmysql.New(gormmysql.Config{Conn: &pool{DB: plain, tx: txDB}, DSNConfig: cfg}), &gorm.Config{
		// Every use case opens its own transaction; a hidden one per Create costs 30-45 %.
		SkipDefaultTransaction: true,
		Logger:                 slowLogger{log: opt.Logger, slow: opt.SlowQuery},
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		TranslateError:         false,
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// Ping checks that the database answers.
func Ping(ctx context.Context, g *gorm.DB) error {
	sqlDB, err := g.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// MySQL error numbers erphub reacts to.
const (
	errDupEntry        = 1062
	errLockWaitTimeout = 1205
	errDeadlock        = 1213
	errNoReferencedRow = 1452
)

// IsDuplicate reports whether err is a unique-key violation, and on which key.
func IsDuplicate(err error) (key string, ok bool) {
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != errDupEntry {
		return "", false
	}
	// Message: Duplicate entry 'x' for key 'items.uk_items_sku' (MySQL 8 prefixes the table).
	msg := me.Message
	if i := strings.LastIndex(msg, "for key '"); i >= 0 {
		key = strings.TrimSuffix(msg[i+len("for key '"):], "'")
		if j := strings.LastIndex(key, "."); j >= 0 {
			key = key[j+1:]
		}
	}
	return key, true
}

// ErrRetry asks Tx to run the transaction again from the start (for example after losing a
// race on a unique key that a fresh read resolves).
var ErrRetry = errors.New("db: run the transaction again")

// IsRetryable reports whether the whole transaction should be run again.
func IsRetryable(err error) bool {
	if errors.Is(err, ErrRetry) {
		return true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == errDeadlock || me.Number == errLockWaitTimeout
	}
	return false
}

// IsMissingReference reports a foreign-key violation.
func IsMissingReference(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == errNoReferencedRow
}

// maxAttempts bounds the whole-transaction retries on deadlock.
const maxAttempts = 8

// Tx runs fn in one transaction and commits it, running it again from the start when the
// database reports a deadlock, a lock wait timeout or a cluster write conflict. fn must
// not keep state between attempts outside the transaction.
func Tx(ctx context.Context, g *gorm.DB, fn func(tx *gorm.DB) error) error {
	return tx(ctx, g, nil, fn)
}

// TxReadCommitted is Tx at READ COMMITTED: its locking reads lock the rows they find and
// not the gaps between them, so inserts into those gaps (new rows of a queue it drains,
// say) do not wait for it. Each statement reads the latest committed rows.
func TxReadCommitted(ctx context.Context, g *gorm.DB, fn func(tx *gorm.DB) error) error {
	return tx(ctx, g, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, fn)
}

func tx(ctx context.Context, g *gorm.DB, opts *sql.TxOptions, fn func(tx *gorm.DB) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = g.WithContext(ctx).Transaction(fn, opts) // nil opts: the pool's default path
		if err == nil || !IsRetryable(err) || attempt == maxAttempts || ctx.Err() != nil {
			return err
		}
		// Jittered backoff: 1, 2, 4 … ms up to 64 ms, so that the losers spread out.
		backoff := time.Duration(1<<min(attempt-1, 6)) * time.Millisecond
		backoff += time.Duration(rand.Int64N(int64(backoff)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
	}
}

// slowLogger is a gorm logger that only reports slow statements and real errors, as JSON
// through slog, with the request id.
type slowLogger struct {
	log  *slog.Logger
	slow time.Duration
}

func (l slowLogger) LogMode(logger.LogLevel) logger.Interface { return l }
func (l slowLogger) Info(ctx context.Context, msg string, args ...any) {
	l.log.InfoContext(ctx, fmt.Sprintf(msg, args...))
}
func (l slowLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
}
func (l slowLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
}
func (l slowLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && !expected(err):
		sqlText, rows := fc()
		l.log.ErrorContext(ctx, "sql error", "err", err, "sql", truncate(sqlText, 2000), "rows", rows,
			"elapsed_ms", elapsed.Milliseconds())
	case elapsed > l.slow:
		sqlText, rows := fc()
		l.log.WarnContext(ctx, "slow sql", "sql", truncate(sqlText, 2000), "rows", rows,
			"elapsed_ms", elapsed.Milliseconds())
	}
}

// expected errors are part of normal control flow (a duplicate key answered as 409, a
// deadlock that is retried) and are not logged as SQL errors.
func expected(err error) bool {
	if _, dup := IsDuplicate(err); dup {
		return true
	}
	return IsRetryable(err) || errors.Is(err, context.Canceled)
}

// literals matches quoted SQL values; they are blanked in logged statements, which would
// otherwise carry buyers' names, phones and addresses into the logs.
var literals = regexp.MustCompile(`'(?:[^'\\]|\\.)*'|x'[0-9a-fA-F]*'`)

// truncate redacts a statement's literal values and shortens it for the log.
func truncate(s string, n int) string {
	s = literals.ReplaceAllString(s, "'…'")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Placeholders renders the VALUES list of a multi-row statement: "(?,?,?),(?,?,?)" for
// rows rows of cols columns.
func Placeholders(rows, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", rows), ",")
}
