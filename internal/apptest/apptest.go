// Package apptest starts a whole erpd in-process for tests: a fresh migrated database,
// every service, the gRPC server with its interceptors and the HTTP gateway on loopback
// ports, plus helpers to sign in and call the HTTP API.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/erphub/erphub/internal/app"
	"github.com/erphub/erphub/internal/config"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/server"
	"github.com/erphub/erphub/internal/testdb"
	"github.com/erphub/erphub/services/identity"
)

// Env is a running erpd.
type Env struct {
	App    *app.App
	Server *server.Server
	HTTP   string // base URL, e.g. http://127.0.0.1:41234
	Conn   *grpc.ClientConn
	Admin  string // an admin's bearer token
	DSN    string // the database, for a restart on it
	client *http.Client
	stop   func()
}

// Options change how Start runs erpd.
type Options struct {
	// DSN reuses a database (a restart); empty makes a fresh one.
	DSN string
	// Args are extra erpd flags.
	Args []string
}

// Start runs erpd on a fresh database for the test and stops it when the test ends.
func Start(t testing.TB) *Env { return StartWith(t, Options{}) }

// StartWith runs erpd as o says and stops it when the test ends (or at Stop).
func StartWith(t testing.TB, o Options) *Env {
	t.Helper()
	dsn, admin := o.DSN, "admin"
	if dsn == "" {
		dsn = testdb.NewDSN(t)
	} else {
		admin = fmt.Sprintf("admin-%d", time.Now().UnixNano())
	}
	// Retries and debounces are short so that failure tests run in seconds.
	args := append([]string{"-mysql-dsn", dsn, "-grpc-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0",
		"-outbox-poll", "20ms", "-auth-cache-ttl", "1ns", "-outbox-backoff", "50ms", "-outbox-max-backoff", "1s",
		"-stock-debounce", "50ms", "-stock-max-backoff", "1s"}, o.Args...)
	cfg, err := config.Load(args)
	if err != nil {
		t.Fatal(err)
	}
	level := slog.LevelWarn
	if os.Getenv("ERP_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	a, err := app.New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.RegisterJobs(ctx); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{GRPCAddr: cfg.GRPCAddr, HTTPAddr: cfg.HTTPAddr, MaxBodyBytes: cfg.MaxBodyBytes,
		ShutdownTimeout: 5 * time.Second}, server.Deps{Log: log, Auth: a.Identity, DB: a.DB, Ready: a.Ready, Extra: a.HTTPRoutes()}, a.Transports...)
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { _ = srv.Serve(ctx); close(served) }()
	background := a.Background(ctx)
	conn, err := grpc.NewClient("passthrough:///"+srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{App: a, Server: srv, HTTP: "http://" + srv.HTTPAddr(), Conn: conn, DSN: dsn, client: &http.Client{Timeout: 30 * time.Second}}
	var once sync.Once
	e.stop = func() {
		once.Do(func() {
			_ = conn.Close()
			cancel()
			<-served
			<-background
			_ = db.Close(a.DB)
		})
	}
	t.Cleanup(e.stop)
	e.waitReady(t)
	e.Admin = e.UserToken(t, admin, []string{reqctx.RoleAdmin})
	return e
}

// Stop shuts erpd down as SIGTERM would: servers drain, background work stops, the
// database closes. The test's clean-up calls it too.
func (e *Env) Stop() { e.stop() }

func (e *Env) waitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := e.client.Get(e.HTTP + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("erpd did not become ready")
}

// UserToken creates a user with roles (limited to branches, if any) and signs it in.
func (e *Env) UserToken(t testing.TB, username string, roles []string, branches ...int64) string {
	t.Helper()
	const pw = "test-password-123"
	ctx := reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "apptest", Method: "apptest"})
	if _, err := e.App.Identity.CreateUser(ctx, identity.UserInput{User: identity.User{Username: username,
		Roles: roles, Branches: branches}, Password: pw}); err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	s, err := e.App.Identity.Login(context.Background(), username, pw)
	if err != nil {
		t.Fatal(err)
	}
	return s.Token
}

// GRPCContext carries token as gRPC metadata.
func GRPCContext(token string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

// Response is an HTTP answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map (numbers as json.Number).
func (r Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(r.Body))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("answer is not a JSON object (%d): %s", r.Status, r.Body)
	}
	return m
}

// Decode decodes the body into v.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Do calls the HTTP API. body may be nil, a string (sent as is) or a value (JSON-encoded);
// headers are "Key: value" strings.
func (e *Env) Do(t testing.TB, method, path, token string, body any, headers ...string) Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.HTTP+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// MustDo is Do that fails the test unless the status is want.
func (e *Env) MustDo(t testing.TB, want int, method, path, token string, body any, headers ...string) Response {
	t.Helper()
	r := e.Do(t, method, path, token, body, headers...)
	if r.Status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// ID reads a numeric "id" from a JSON answer.
func ID(t testing.TB, r Response) int64 {
	t.Helper()
	m := r.JSON(t)
	n, ok := m["id"].(json.Number)
	if !ok {
		t.Fatalf("no numeric id in %s", r.Body)
	}
	v, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Path formats a path.
func Path(format string, args ...any) string { return fmt.Sprintf(format, args...) }
