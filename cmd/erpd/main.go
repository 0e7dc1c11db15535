// Command erpd serves erphub: gRPC (default :9090) and the HTTP/JSON gateway, health,
// readiness, metrics and OpenAPI (default :8080), plus the outbox dispatcher and the
// scheduled jobs. Configuration comes from ERP_* environment variables or flags (erpd -h).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	_ "time/tzdata" // time zones without the system database

	"github.com/erphub/erphub/internal/app"
	"github.com/erphub/erphub/internal/config"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/logging"
	"github.com/erphub/erphub/internal/server"
)

func main() {
	if err := realMain(); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "erpd:", err)
		os.Exit(1)
	}
}

func realMain() error {
	cfg, err := config.Load(os.Args[1:])
	if err != nil {
		return err
	}
	out := logging.NewBufferedWriter(os.Stdout)
	defer out.Close()
	log := logging.New(out, cfg.LogLevel)
	if os.Getenv("GOGC") == "" {
		// erpd's heap is small and short-lived; collecting less often trades a little
		// memory for CPU (override with GOGC).
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if cfg.MigrateOnStart {
		if err := db.EnsureDatabase(ctx, cfg.MySQLDSN); err != nil {
			return fmt.Errorf("create database: %w", err)
		}
	}
	a, err := app.New(cfg, log)
	if err != nil {
		return err
	}
	if cfg.MigrateOnStart {
		n, err := a.Migrate(ctx)
		if err != nil {
			return err
		}
		log.Info("migrations applied", "count", n)
	}
	if err := a.RegisterJobs(ctx); err != nil {
		return err
	}
	srv := server.New(server.Config{
		GRPCAddr: cfg.GRPCAddr, HTTPAddr: cfg.HTTPAddr, MaxBodyBytes: cfg.MaxBodyBytes,
		ShutdownTimeout: cfg.ShutdownTimeout, GatewayConns: cfg.GatewayConns,
	}, server.Deps{Log: log, Auth: a.Identity, DB: a.DB, Ready: a.Ready, Extra: a.HTTPRoutes()}, a.Transports...)
	if err := srv.Listen(); err != nil {
		return err
	}
	if cfg.DebugAddr != "" {
		go serveDebug(cfg.DebugAddr, log)
	}

	// Background work stops after the servers have drained.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	var dispatched <-chan struct{}
	if cfg.JobsEnabled {
		a.Jobs.Start()
		dispatched = a.Background(bg)
	} else {
		closed := make(chan struct{})
		close(closed)
		dispatched = closed
	}
	serveErr := srv.Serve(ctx)
	stopBG()
	<-dispatched
	if cfg.JobsEnabled {
		jctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		a.Jobs.Stop(jctx)
		cancel()
	}
	_ = db.Close(a.DB)
	return serveErr
}

// serveDebug serves Go's pprof profiles on a separate, private address.
func serveDebug(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("pprof serving", "addr", addr)
	if err := srv.ListenAndServe(); err != nil {
		log.Error("pprof server", "err", err)
	}
}
