// Command erpd serves erphub: gRPC (default :9090) and the HTTP/JSON gateway, health,
// readiness, metrics and OpenAPI (default :8080), plus the outbox dispatcher and the
// scheduled jobs. Configuration comes from ERP_* environment variables or flags (erpd -h).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

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
	log := logging.New(os.Stdout, cfg.LogLevel)
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
	}, server.Deps{Log: log, Auth: a.Identity, DB: a.DB, Ready: a.Ready}, a.Transports...)
	if err := srv.Listen(); err != nil {
		return err
	}

	// Background work stops after the servers have drained.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	dispatched := make(chan struct{})
	if cfg.JobsEnabled {
		a.Jobs.Start()
		go func() { a.Outbox.Run(bg); close(dispatched) }()
	} else {
		close(dispatched)
	}
	serveErr := srv.Serve(ctx)
	stopBG()
	<-dispatched
	if cfg.JobsEnabled {
		a.Jobs.Stop(context.Background())
	}
	if sqlDB, err := a.DB.DB(); err == nil {
		_ = sqlDB.Close()
	}
	return serveErr
}
