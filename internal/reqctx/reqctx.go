// Package reqctx carries what the edge learned about a call (its request id, the caller,
// the client's idempotency key) down to the use cases through the context.
package reqctx

import (
	"context"
	"slices"
)

// Role names; the permission table in internal/auth says which may call what.
const (
	RoleAdmin     = "admin"
	RoleManager   = "manager"
	RoleFinance   = "finance"
	RoleWarehouse = "warehouse"
	RoleSales     = "sales"
	RoleConnector = "connector"
)

// Roles lists every role, in the order shown to people.
var Roles = []string{RoleAdmin, RoleManager, RoleFinance, RoleWarehouse, RoleSales, RoleConnector}

// ActorKind says what kind of caller a Principal is.
type ActorKind string

// The actor kinds.
const (
	ActorUser   ActorKind = "user"
	ActorAPIKey ActorKind = "api_key"
	ActorSystem ActorKind = "system"
)

// Principal is the authenticated caller.
type Principal struct {
	Kind     ActorKind
	ID       int64
	Name     string
	Roles    []string
	Branches []int64 // empty: every branch
	Shops    []int64 // connector keys: the shops they act for
}

// System is the principal of scheduled jobs and the CLI.
var System = &Principal{Kind: ActorSystem, Name: "system", Roles: []string{RoleAdmin}}

// HasRole reports whether the principal holds role.
func (p *Principal) HasRole(role string) bool {
	return p != nil && slices.Contains(p.Roles, role)
}

// AllBranches reports whether the principal is unrestricted by branch.
func (p *Principal) AllBranches() bool {
	return p != nil && p.Kind != ActorAPIKey && len(p.Branches) == 0
}

// CanAccessBranch reports whether the principal may act in branch.
func (p *Principal) CanAccessBranch(branch int64) bool {
	if p == nil {
		return false
	}
	if p.Kind == ActorSystem || p.AllBranches() {
		return true
	}
	return slices.Contains(p.Branches, branch)
}

// CanAccessShop reports whether the principal may act for shop. Users are limited by the
// shop's branch elsewhere; connector keys only by their shop list.
func (p *Principal) CanAccessShop(shop int64) bool {
	if p == nil {
		return false
	}
	if p.Kind != ActorAPIKey {
		return true
	}
	return slices.Contains(p.Shops, shop)
}

// Call is what the interceptors know about the current call.
type Call struct {
	RequestID      string // log correlation id: the client's X-Request-Id or a generated one
	Method         string // full gRPC method name
	Peer           string // client address
	Device         string // client device id (X-Device-Id), if sent
	Principal      *Principal
	IdempotencyKey string // the client's requestId / Idempotency-Key, if any
	RequestHash    []byte // hash of the request without its idempotency key
	Audited        bool   // set when the use case wrote the audit row inside its transaction
}

type callKey struct{}

// WithCall stores c in ctx.
func WithCall(ctx context.Context, c *Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// CallFrom returns the call in ctx, or nil outside an RPC.
func CallFrom(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey{}).(*Call)
	return c
}

// PrincipalFrom returns the caller, or System outside an RPC (CLI, jobs).
func PrincipalFrom(ctx context.Context) *Principal {
	if c := CallFrom(ctx); c != nil && c.Principal != nil {
		return c.Principal
	}
	return System
}

// RequestID returns the call's request id, or "".
func RequestID(ctx context.Context) string {
	if c := CallFrom(ctx); c != nil {
		return c.RequestID
	}
	return ""
}
