// Package server runs erpd's two faces in one process: the gRPC server with the interceptor
// chain (request id, panic recovery, authentication and permissions, idempotency keys,
// error mapping and masking, audit of refused mutations, metrics, logs), and the HTTP/JSON
// face for web and mobile: grpc-gateway reaching the gRPC server through a real gRPC
// connection (so HTTP callers pass the same chain), plus /healthz, /readyz, /metrics and
// /openapi.json.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	goruntime "runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
	"gorm.io/gorm"

	"github.com/erphub/erphub/api/openapi"
)

// Service is one bounded context's transport: its gRPC server and its gateway routes.
type Service interface {
	RegisterGRPC(s *grpc.Server)
	RegisterGateway(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error
}

// Config is the server's share of erpd's configuration.
type Config struct {
	GRPCAddr        string
	HTTPAddr        string
	MaxBodyBytes    int64         // largest HTTP body and gRPC message accepted
	ShutdownTimeout time.Duration // how long in-flight calls may drain on SIGTERM
	GatewayConns    int           // gRPC connections from the gateway to the server
}

// Deps are what the server needs from the rest of erpd.
type Deps struct {
	Log   *slog.Logger
	Auth  Authenticator
	DB    *gorm.DB
	Ready func(ctx context.Context) error // nil when the database is reachable and migrated
	Extra map[string]http.Handler         // more HTTP routes (pattern -> handler), e.g. webhooks
}

// Server is a running erpd front.
type Server struct {
	cfg      Config
	deps     Deps
	services []Service
	grpc     *grpc.Server
	health   *health.Server
	metrics  *metrics
	grpcLis  net.Listener
	httpLis  net.Listener
	stopping atomic.Bool
}

// New builds the gRPC server and its interceptors; Listen and Serve start it.
func New(cfg Config, deps Deps, services ...Service) *Server {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 8 << 20
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 20 * time.Second
	}
	if cfg.GatewayConns == 0 {
		cfg.GatewayConns = 2
	}
	s := &Server{cfg: cfg, deps: deps, services: services, metrics: newMetrics(), health: health.NewServer()}
	c := &chain{log: deps.Log, auth: deps.Auth, db: deps.DB, metrics: s.metrics}
	s.grpc = grpc.NewServer(
		grpc.ChainUnaryInterceptor(c.unary),
		grpc.ChainStreamInterceptor(c.stream),
		grpc.MaxRecvMsgSize(int(cfg.MaxBodyBytes)),
		// A fixed pool of stream workers instead of a goroutine (and its stack growth) per RPC.
		grpc.NumStreamWorkers(uint32(goruntime.NumCPU())),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: 10 * time.Minute}),
	)
	for _, svc := range services {
		svc.RegisterGRPC(s.grpc)
	}
	healthpb.RegisterHealthServer(s.grpc, s.health)
	reflection.Register(s.grpc)
	return s
}

// GRPC exposes the gRPC server (tests list its services).
func (s *Server) GRPC() *grpc.Server { return s.grpc }

// Listen opens both listeners, so that callers learn the real addresses (":0" in tests).
func (s *Server) Listen() error {
	var err error
	if s.grpcLis, err = net.Listen("tcp", s.cfg.GRPCAddr); err != nil {
		return fmt.Errorf("gRPC listen on %s: %w", s.cfg.GRPCAddr, err)
	}
	if s.httpLis, err = net.Listen("tcp", s.cfg.HTTPAddr); err != nil {
		_ = s.grpcLis.Close()
		return fmt.Errorf("HTTP listen on %s: %w", s.cfg.HTTPAddr, err)
	}
	return nil
}

// GRPCAddr and HTTPAddr answer the bound addresses after Listen.
func (s *Server) GRPCAddr() string { return s.grpcLis.Addr().String() }

// HTTPAddr answers the bound HTTP address after Listen.
func (s *Server) HTTPAddr() string { return s.httpLis.Addr().String() }

// Serve serves until ctx ends, then shuts down gracefully: readiness turns false, no new
// connections are accepted, in-flight HTTP requests and RPCs drain (up to
// ShutdownTimeout), then Serve returns.
func (s *Server) Serve(ctx context.Context) error {
	if s.grpcLis == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	conns, err := s.dialSelf()
	if err != nil {
		return err
	}
	defer conns.close()
	handler, err := s.httpHandler(ctx, conns)
	if err != nil {
		return err
	}
	httpSrv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(s.deps.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 2)
	go func() { errc <- s.grpc.Serve(s.grpcLis) }()
	go func() {
		if err := httpSrv.Serve(s.httpLis); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
			return
		}
		errc <- nil
	}()
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	s.deps.Log.Info("erpd serving", "grpc", s.GRPCAddr(), "http", s.HTTPAddr())

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	s.stopping.Store(true)
	s.health.Shutdown()
	s.deps.Log.Info("erpd shutting down", "drain_timeout", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	// HTTP first: its in-flight requests still need the gRPC server behind the gateway.
	if err := httpSrv.Shutdown(sctx); err != nil {
		s.deps.Log.Warn("HTTP drain cut short", "err", err)
	}
	stopped := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-sctx.Done():
		s.deps.Log.Warn("gRPC drain cut short")
		s.grpc.Stop()
	}
	s.deps.Log.Info("erpd stopped")
	return serveErr
}

// connPool spreads gateway calls over a few HTTP/2 connections to the local gRPC server,
// so that one connection's flow control does not cap HTTP throughput.
type connPool struct {
	conns []*grpc.ClientConn
	next  atomic.Uint64
}

func (p *connPool) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	return p.pick().Invoke(ctx, method, args, reply, opts...)
}

func (p *connPool) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return p.pick().NewStream(ctx, desc, method, opts...)
}

func (p *connPool) pick() *grpc.ClientConn {
	return p.conns[p.next.Add(1)%uint64(len(p.conns))]
}

func (p *connPool) close() {
	for _, c := range p.conns {
		_ = c.Close()
	}
}

func (s *Server) dialSelf() (*connPool, error) {
	target := s.GRPCAddr()
	if host, port, err := net.SplitHostPort(target); err == nil {
		if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
			target = net.JoinHostPort("127.0.0.1", port)
		}
	}
	p := &connPool{}
	for range s.cfg.GatewayConns {
		cc, err := grpc.NewClient("passthrough:///"+target,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(int(s.cfg.MaxBodyBytes)*4),
				grpc.MaxCallSendMsgSize(int(s.cfg.MaxBodyBytes))))
		if err != nil {
			p.close()
			return nil, err
		}
		p.conns = append(p.conns, cc)
	}
	return p, nil
}

// forwardedHeaders are the HTTP headers that reach the gRPC chain as metadata.
var forwardedHeaders = map[string]string{
	"Authorization":   "authorization",
	"Idempotency-Key": "idempotency-key",
	"X-Request-Id":    "x-request-id",
	"X-Device-Id":     "x-device-id",
	"User-Agent":      "user-agent",
}

func (s *Server) httpHandler(ctx context.Context, conns *connPool) (http.Handler, error) {
	gw := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.HTTPBodyMarshaler{Marshaler: newJSONMarshaler()}),
		runtime.WithIncomingHeaderMatcher(func(key string) (string, bool) {
			v, ok := forwardedHeaders[http.CanonicalHeaderKey(key)]
			return v, ok
		}),
		runtime.WithOutgoingHeaderMatcher(func(key string) (string, bool) {
			switch key {
			case "x-request-id":
				return "X-Request-Id", true
			case "content-disposition": // downloads name their file
				return "Content-Disposition", true
			}
			return "", false
		}),
	)
	for _, svc := range s.services {
		if err := svc.RegisterGateway(ctx, gw, conns); err != nil {
			return nil, err
		}
	}
	doc, err := openAPIDocument(openapi.Document)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, `{"status":"ok"}`)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if s.stopping.Load() {
			writeJSON(w, http.StatusServiceUnavailable, `{"status":"shutting down"}`)
			return
		}
		rctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if s.deps.Ready != nil {
			if err := s.deps.Ready(rctx); err != nil {
				writeJSON(w, http.StatusServiceUnavailable, fmt.Sprintf(`{"status":"not ready","reason":%q}`, err.Error()))
				return
			}
		}
		writeJSON(w, http.StatusOK, `{"status":"ready"}`)
	})
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
	for pattern, h := range s.deps.Extra {
		mux.Handle(pattern, h)
	}
	mux.Handle("/", gw)
	return s.limitBody(mux), nil
}

// limitBody refuses bodies over MaxBodyBytes: at once when Content-Length says so, and by
// cutting the stream otherwise (the gateway then answers 400).
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > s.cfg.MaxBodyBytes {
			writeJSON(w, http.StatusRequestEntityTooLarge, fmt.Sprintf(
				`{"code":3,"message":"request body is %d bytes, more than the limit of %d","details":[]}`,
				r.ContentLength, s.cfg.MaxBodyBytes))
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(strings.TrimSpace(body) + "\n"))
}
