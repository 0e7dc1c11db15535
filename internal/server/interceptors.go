package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/access"
	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/txn"
)

// Authenticator turns a bearer credential (access token or connector key) into a caller.
type Authenticator interface {
	Authenticate(ctx context.Context, bearer string) (*reqctx.Principal, error)
}

// chain is the unary interceptor every RPC passes, in this order: request id and panic
// recovery, authentication and the permission table, the idempotency key, the handler;
// then on the way out error mapping and masking, the audit row of a refused mutation,
// metrics and one log line.
type chain struct {
	log     *slog.Logger
	auth    Authenticator
	db      *gorm.DB
	metrics *metrics
}

func (c *chain) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	start := time.Now()
	md, _ := metadata.FromIncomingContext(ctx)
	call := &reqctx.Call{
		RequestID: requestID(md),
		Method:    info.FullMethod,
		Peer:      peerAddr(ctx, md),
		Device:    firstMD(md, "x-device-id"),
	}
	ctx = reqctx.WithCall(ctx, call)
	_ = grpc.SetHeader(ctx, metadata.Pairs("x-request-id", call.RequestID))
	rule, known := access.Lookup(info.FullMethod)
	defer func() {
		if p := recover(); p != nil {
			c.log.ErrorContext(ctx, "panic in handler", "method", info.FullMethod,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp, err = nil, fmt.Errorf("panic: %v", p)
		}
		err = c.finish(ctx, call, rule, err, start)
		if err != nil {
			resp = nil
		}
	}()
	if !known {
		return nil, apperr.Forbidden(info.FullMethod + " has no access rule")
	}
	if !rule.Public {
		p, aerr := c.auth.Authenticate(ctx, bearer(md))
		if aerr != nil {
			return nil, aerr
		}
		call.Principal = p
		if aerr := access.Allow(info.FullMethod, p); aerr != nil {
			return nil, aerr
		}
	}
	if rule.Mutating {
		if ierr := idempotencyKey(call, req, md); ierr != nil {
			return nil, ierr
		}
	}
	return handler(ctx, req)
}

// stream guards streaming RPCs: only public ones (health watch, reflection) exist, and a
// streaming RPC without a public rule is refused rather than left unauthenticated.
func (c *chain) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if rule, ok := access.Lookup(info.FullMethod); !ok || !rule.Public {
		return status.Error(codes.PermissionDenied, info.FullMethod+": streaming RPCs need a public access rule")
	}
	return handler(srv, ss)
}

// finish maps err to the status the client sees, masks unexpected errors, writes the audit
// row of a mutation that did not commit, records metrics and logs the call.
func (c *chain) finish(ctx context.Context, call *reqctx.Call, rule access.Rule, err error, start time.Time) error {
	st, expected := apperr.ToStatus(err)
	if !expected {
		c.log.ErrorContext(ctx, "internal error", "method", call.Method, "err", err)
		st = status.New(codes.Internal, "internal error (request id "+call.RequestID+")")
	}
	code := st.Code()
	if rule.Mutating && !call.Audited && call.Principal != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if aerr := txn.WriteAudit(c.db.WithContext(actx), call, "", codeName(code), st.Message()); aerr != nil {
			c.log.ErrorContext(ctx, "audit write failed", "err", aerr)
		}
		cancel()
	}
	elapsed := time.Since(start)
	c.metrics.observe(call.Method, code, elapsed)
	level := slog.LevelInfo
	if code == codes.Internal || code == codes.Unknown || code == codes.DataLoss {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("method", call.Method),
		slog.String("code", codeName(code)),
		slog.Float64("elapsed_ms", float64(elapsed.Microseconds())/1000),
		slog.String("peer", call.Peer),
	}
	if p := call.Principal; p != nil {
		attrs = append(attrs, slog.String("actor", fmt.Sprintf("%s:%d", p.Kind, p.ID)))
	}
	if code != codes.OK {
		attrs = append(attrs, slog.String("error", st.Message()))
	}
	c.log.LogAttrs(ctx, level, "rpc", attrs...)
	if code == codes.OK {
		return nil
	}
	return st.Err()
}

// codeName renders a gRPC code the way the audit log stores it: INVALID_ARGUMENT.
func codeName(c codes.Code) string {
	name := c.String()
	var b strings.Builder
	for i, r := range name {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

// requestID keeps a sane client-sent X-Request-Id, or makes one.
func requestID(md metadata.MD) string {
	if id := firstMD(md, "x-request-id"); id != "" && len(id) <= 64 && printableToken(id) {
		return id
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func printableToken(s string) bool {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch <= ' ' || ch > '~' {
			return false
		}
	}
	return true
}

func firstMD(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

func bearer(md metadata.MD) string {
	h := firstMD(md, "authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// peerAddr is the client's address. Behind the in-process gateway the gRPC peer is erpd
// itself on loopback, and the gateway forwards the HTTP client in X-Forwarded-For; that
// header is trusted only from loopback, so a remote gRPC client cannot forge it.
func peerAddr(ctx context.Context, md metadata.MD) string {
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return ""
	}
	addr := p.Addr.String()
	if ap, err := netip.ParseAddrPort(addr); err == nil && ap.Addr().IsLoopback() {
		if f := firstMD(md, "x-forwarded-for"); f != "" {
			return strings.TrimSpace(strings.Split(f, ",")[0])
		}
	}
	return addr
}

// maxKeyLen bounds client idempotency keys.
const maxKeyLen = 128

// idempotencyKey reads the client's key from the request's request_id field or the
// Idempotency-Key header, and hashes the request without it, so that a retry can be told
// from a different request under the same key.
func idempotencyKey(call *reqctx.Call, req any, md metadata.MD) error {
	msg, ok := req.(proto.Message)
	if !ok {
		return nil
	}
	m := msg.ProtoReflect()
	var key string
	fd := m.Descriptor().Fields().ByName("request_id")
	if fd != nil && fd.Kind() == protoreflect.StringKind {
		key = m.Get(fd).String()
	}
	if key == "" {
		key = firstMD(md, "idempotency-key")
	}
	if key == "" {
		return nil
	}
	if len(key) > maxKeyLen || !printableToken(key) {
		return apperr.Invalid("request_id", fmt.Sprintf("must be 1-%d printable ASCII characters without spaces", maxKeyLen))
	}
	clone := proto.Clone(msg)
	if fd != nil && fd.Kind() == protoreflect.StringKind {
		clone.ProtoReflect().Clear(fd)
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(clone)
	if err != nil {
		return err
	}
	h := sha256.New()
	h.Write([]byte(call.Method))
	h.Write([]byte{0})
	h.Write(b)
	call.IdempotencyKey = key
	call.RequestHash = h.Sum(nil)
	return nil
}
