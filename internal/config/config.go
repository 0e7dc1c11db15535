// Package config reads erpd's settings from environment variables and matching flags
// (a flag given on the command line wins over the variable). Every setting is listed in
// Settings, which also feeds `erpd -h` and the README's table.
package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is erpd's configuration.
type Config struct {
	MySQLDSN         string
	GRPCAddr         string
	HTTPAddr         string
	LogLevel         string
	TimeZone         *time.Location
	TokenTTL         time.Duration
	MaxBodyBytes     int64
	DBMaxConns       int
	MigrateOnStart   bool
	ShutdownTimeout  time.Duration
	JobsEnabled      bool
	OutboxPoll       time.Duration
	Retention        time.Duration
	Schedules        map[string]string // job name -> cron spec overrides
	GatewayConns     int
	AuthCacheTTL     time.Duration
	OutboxWorkers    int
	OutboxMaxBackoff time.Duration
	OutboxLease      time.Duration
	OutboxBackoff    time.Duration
	StockDebounce    time.Duration
	StockMaxBackoff  time.Duration
	DebugAddr        string
	LoginFreeFails   int
	LoginMaxDelay    time.Duration
	LoginLockAfter   int
	LoginLockFor     time.Duration
}

// Setting describes one environment variable.
type Setting struct {
	Env     string
	Flag    string
	Default string
	Usage   string
	set     func(c *Config, v string) error
}

// Settings are every setting erpd reads.
var Settings = []Setting{
	{"ERP_MYSQL_DSN", "mysql-dsn", "", "MySQL/MariaDB DSN with the database name, e.g. user:pass@tcp(host:3306)/erphub (required)",
		func(c *Config, v string) error { c.MySQLDSN = v; return nil }},
	{"ERP_GRPC_ADDR", "grpc-addr", ":9090", "gRPC listen address",
		func(c *Config, v string) error { c.GRPCAddr = v; return nil }},
	{"ERP_HTTP_ADDR", "http-addr", ":8080", "HTTP/JSON (gateway, health, metrics) listen address",
		func(c *Config, v string) error { c.HTTPAddr = v; return nil }},
	{"ERP_LOG_LEVEL", "log-level", "info", "debug, info, warn or error",
		func(c *Config, v string) error { c.LogLevel = v; return nil }},
	{"ERP_TIMEZONE", "timezone", "Asia/Shanghai", "time zone of document periods and job schedules",
		func(c *Config, v string) (err error) { c.TimeZone, err = time.LoadLocation(v); return err }},
	{"ERP_TOKEN_TTL", "token-ttl", "12h", "lifetime of access tokens",
		func(c *Config, v string) (err error) { c.TokenTTL, err = duration(v); return err }},
	{"ERP_AUTH_CACHE_TTL", "auth-cache-ttl", "5s", "how long a verified caller is trusted before its user or key is read again (revocation delay)",
		func(c *Config, v string) (err error) { c.AuthCacheTTL, err = duration(v); return err }},
	{"ERP_MAX_BODY_BYTES", "max-body-bytes", "33554432", "largest HTTP body and gRPC message accepted, in bytes",
		func(c *Config, v string) (err error) { c.MaxBodyBytes, err = positive(v); return err }},
	{"ERP_DB_MAX_CONNS", "db-max-conns", "64", "database connection pool size",
		func(c *Config, v string) error { n, err := positive(v); c.DBMaxConns = int(n); return err }},
	{"ERP_MIGRATE_ON_START", "migrate-on-start", "true", "apply pending migrations when erpd starts (turn off with several replicas and run erpctl migrate up once)",
		func(c *Config, v string) (err error) { c.MigrateOnStart, err = strconv.ParseBool(v); return err }},
	{"ERP_SHUTDOWN_TIMEOUT", "shutdown-timeout", "20s", "how long in-flight calls may drain after SIGTERM",
		func(c *Config, v string) (err error) { c.ShutdownTimeout, err = duration(v); return err }},
	{"ERP_JOBS_ENABLED", "jobs-enabled", "true", "run scheduled jobs and the outbox dispatcher in this replica",
		func(c *Config, v string) (err error) { c.JobsEnabled, err = strconv.ParseBool(v); return err }},
	{"ERP_OUTBOX_POLL", "outbox-poll", "100ms", "idle poll interval of the outbox dispatcher",
		func(c *Config, v string) (err error) { c.OutboxPoll, err = duration(v); return err }},
	{"ERP_OUTBOX_WORKERS", "outbox-workers", "8", "parallel outbox deliveries per replica",
		func(c *Config, v string) error { n, err := positive(v); c.OutboxWorkers = int(n); return err }},
	{"ERP_OUTBOX_MAX_BACKOFF", "outbox-max-backoff", "10m", "longest delay between retries of a failing delivery",
		func(c *Config, v string) (err error) { c.OutboxMaxBackoff, err = duration(v); return err }},
	{"ERP_OUTBOX_LEASE", "outbox-lease", "60s", "how long a replica's claim on outbox events lasts; after a crash, its claimed events wait this long",
		func(c *Config, v string) (err error) { c.OutboxLease, err = duration(v); return err }},
	{"ERP_OUTBOX_BACKOFF", "outbox-backoff", "1s", "delay before the first retry of a failing delivery (doubling after each failure)",
		func(c *Config, v string) (err error) { c.OutboxBackoff, err = duration(v); return err }},
	{"ERP_STOCK_DEBOUNCE", "stock-debounce", "250ms", "how long a stock change waits for others before shop stock levels are pushed",
		func(c *Config, v string) (err error) { c.StockDebounce, err = duration(v); return err }},
	{"ERP_STOCK_MAX_BACKOFF", "stock-max-backoff", "5m", "longest delay between retries of a failing stock level push",
		func(c *Config, v string) (err error) { c.StockMaxBackoff, err = duration(v); return err }},
	{"ERP_RETENTION", "retention", "168h", "how long delivered outbox rows and idempotency records are kept",
		func(c *Config, v string) (err error) { c.Retention, err = duration(v); return err }},
	{"ERP_SCHEDULES", "schedules", "", "job schedule overrides: name=cron spec;name=cron spec (e.g. housekeeping=0 4 * * *)",
		func(c *Config, v string) (err error) { c.Schedules, err = schedules(v); return err }},
	{"ERP_DEBUG_ADDR", "debug-addr", "", "if set, serve Go pprof profiles on this address (keep it private, e.g. 127.0.0.1:6060)",
		func(c *Config, v string) error { c.DebugAddr = v; return nil }},
	{"ERP_LOGIN_FREE_FAILURES", "login-free-failures", "3", "failed sign-ins of a username answered without a wait; later ones wait 1 s, 2 s, 4 s, …",
		func(c *Config, v string) error { n, err := positive(v); c.LoginFreeFails = int(n); return err }},
	{"ERP_LOGIN_MAX_DELAY", "login-max-delay", "30s", "longest wait between sign-in attempts of a username that keeps failing",
		func(c *Config, v string) (err error) { c.LoginMaxDelay, err = duration(v); return err }},
	{"ERP_LOGIN_LOCK_AFTER", "login-lock-after", "10", "failed sign-ins in a row that lock a username",
		func(c *Config, v string) error { n, err := positive(v); c.LoginLockAfter = int(n); return err }},
	{"ERP_LOGIN_LOCK_FOR", "login-lock-for", "15m", "how long a locked username stays locked",
		func(c *Config, v string) (err error) { c.LoginLockFor, err = duration(v); return err }},
	{"ERP_GATEWAY_CONNS", "gateway-conns", "2", "gRPC connections from the HTTP gateway to the local gRPC server",
		func(c *Config, v string) error { n, err := positive(v); c.GatewayConns = int(n); return err }},
}

// Load reads the environment and args (without the program name).
func Load(args []string) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("erpd", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "erpd serves erphub over gRPC and HTTP/JSON. Settings (environment variable, flag, default):")
		for _, s := range Settings {
			fmt.Fprintf(fs.Output(), "  %-24s -%-20s %-14q %s\n", s.Env, s.Flag, s.Default, s.Usage)
		}
	}
	values := make(map[string]*string, len(Settings))
	for _, s := range Settings {
		def := s.Default
		if v, ok := os.LookupEnv(s.Env); ok {
			def = v
		}
		values[s.Env] = fs.String(s.Flag, def, s.Usage)
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var errs []error
	for _, s := range Settings {
		if err := s.set(&c, *values[s.Env]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.Env, err))
		}
	}
	if c.MySQLDSN == "" {
		errs = append(errs, errors.New("ERP_MYSQL_DSN is required (user:pass@tcp(host:3306)/erphub)"))
	}
	return c, errors.Join(errs...)
}

func duration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err == nil && d <= 0 {
		err = errors.New("must be positive")
	}
	return d, err
}

func positive(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err == nil && n <= 0 {
		err = errors.New("must be positive")
	}
	return n, err
}

func schedules(v string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(v, ";") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name, spec, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(spec) == "" {
			return nil, fmt.Errorf("%q is not name=cron spec", part)
		}
		out[strings.TrimSpace(name)] = strings.TrimSpace(spec)
	}
	return out, nil
}
