package identity

import (
	"context"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	identityv1 "github.com/erphub/erphub/api/erp/identity/v1"
	"github.com/erphub/erphub/internal/mask"
	"github.com/erphub/erphub/internal/reqctx"
)

// GRPC is the transport of the identity service: it converts, calls one use case, and
// converts back.
type GRPC struct {
	identityv1.UnimplementedIdentityServiceServer
	svc *Service
}

// NewGRPC returns the transport of svc.
func NewGRPC(svc *Service) *GRPC { return &GRPC{svc: svc} }

// RegisterGRPC registers the gRPC service.
func (g *GRPC) RegisterGRPC(s *grpc.Server) { identityv1.RegisterIdentityServiceServer(s, g) }

// RegisterGateway registers the HTTP routes.
func (g *GRPC) RegisterGateway(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
	return identityv1.RegisterIdentityServiceHandlerClient(ctx, mux, identityv1.NewIdentityServiceClient(cc))
}

// Login implements the RPC.
func (g *GRPC) Login(ctx context.Context, req *identityv1.LoginRequest) (*identityv1.LoginResponse, error) {
	s, err := g.svc.Login(ctx, req.GetUsername(), req.GetPassword())
	if err != nil {
		return nil, err
	}
	return &identityv1.LoginResponse{AccessToken: s.Token, ExpireTime: timestamppb.New(s.Expires),
		TokenType: "Bearer", User: userToProto(s.User)}, nil
}

// GetCurrentUser implements the RPC.
func (g *GRPC) GetCurrentUser(ctx context.Context, _ *identityv1.GetCurrentUserRequest) (*identityv1.GetCurrentUserResponse, error) {
	p := reqctx.PrincipalFrom(ctx)
	if p.Kind == reqctx.ActorAPIKey {
		return &identityv1.GetCurrentUserResponse{ApiKey: &identityv1.ApiKey{Id: p.ID, Name: p.Name, Shop: p.Shops[0]}}, nil
	}
	u, err := g.svc.GetUser(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return &identityv1.GetCurrentUserResponse{User: userToProto(u)}, nil
}

// CreateUser implements the RPC.
func (g *GRPC) CreateUser(ctx context.Context, req *identityv1.CreateUserRequest) (*identityv1.CreateUserResponse, error) {
	u, err := g.svc.CreateUser(ctx, userFromProto(req.GetUser()))
	if err != nil {
		return nil, err
	}
	return &identityv1.CreateUserResponse{User: userToProto(u)}, nil
}

// GetUser implements the RPC.
func (g *GRPC) GetUser(ctx context.Context, req *identityv1.GetUserRequest) (*identityv1.GetUserResponse, error) {
	u, err := g.svc.GetUser(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &identityv1.GetUserResponse{User: userToProto(u)}, nil
}

// ListUsers implements the RPC.
func (g *GRPC) ListUsers(ctx context.Context, req *identityv1.ListUsersRequest) (*identityv1.ListUsersResponse, error) {
	users, next, err := g.svc.ListUsers(ctx, req.GetPageSize(), req.GetPageToken(), req.GetRole())
	if err != nil {
		return nil, err
	}
	out := &identityv1.ListUsersResponse{NextPageToken: next, Users: make([]*identityv1.User, len(users))}
	for i, u := range users {
		out.Users[i] = userToProto(u)
	}
	return out, nil
}

// UpdateUser implements the RPC.
func (g *GRPC) UpdateUser(ctx context.Context, req *identityv1.UpdateUserRequest) (*identityv1.UpdateUserResponse, error) {
	u, err := g.svc.UpdateUser(ctx, userFromProto(req.GetUser()), mask.From(req.GetUpdateMask(), req.GetUser()))
	if err != nil {
		return nil, err
	}
	return &identityv1.UpdateUserResponse{User: userToProto(u)}, nil
}

// CreateApiKey implements the RPC.
func (g *GRPC) CreateApiKey(ctx context.Context, req *identityv1.CreateApiKeyRequest) (*identityv1.CreateApiKeyResponse, error) {
	k, err := g.svc.CreateAPIKey(ctx, req.GetApiKey().GetName(), req.GetApiKey().GetShop())
	if err != nil {
		return nil, err
	}
	return &identityv1.CreateApiKeyResponse{ApiKey: keyToProto(k.APIKey), Secret: k.Secret}, nil
}

// ListApiKeys implements the RPC.
func (g *GRPC) ListApiKeys(ctx context.Context, req *identityv1.ListApiKeysRequest) (*identityv1.ListApiKeysResponse, error) {
	keys, next, err := g.svc.ListAPIKeys(ctx, req.GetPageSize(), req.GetPageToken(), req.GetShop())
	if err != nil {
		return nil, err
	}
	out := &identityv1.ListApiKeysResponse{NextPageToken: next, ApiKeys: make([]*identityv1.ApiKey, len(keys))}
	for i, k := range keys {
		out.ApiKeys[i] = keyToProto(k)
	}
	return out, nil
}

// RevokeApiKey implements the RPC.
func (g *GRPC) RevokeApiKey(ctx context.Context, req *identityv1.RevokeApiKeyRequest) (*identityv1.RevokeApiKeyResponse, error) {
	k, err := g.svc.RevokeAPIKey(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &identityv1.RevokeApiKeyResponse{ApiKey: keyToProto(k)}, nil
}

// ListAuditEvents implements the RPC.
func (g *GRPC) ListAuditEvents(ctx context.Context, req *identityv1.ListAuditEventsRequest) (*identityv1.ListAuditEventsResponse, error) {
	evs, next, err := g.svc.ListAuditEvents(ctx, req.GetPageSize(), req.GetPageToken(),
		AuditFilter{Method: req.GetMethod(), Resource: req.GetResource(), ActorID: req.GetActorId()})
	if err != nil {
		return nil, err
	}
	out := &identityv1.ListAuditEventsResponse{NextPageToken: next, AuditEvents: make([]*identityv1.AuditEvent, len(evs))}
	for i, e := range evs {
		out.AuditEvents[i] = &identityv1.AuditEvent{Id: e.ID, Time: timestamppb.New(e.At), ActorKind: e.ActorKind,
			ActorId: e.ActorID, ActorName: e.ActorName, Method: e.Method, Resource: e.Resource,
			RequestId: e.RequestID, IdempotencyKey: e.IdempotencyKey, Code: e.Code, Message: e.Message, Peer: e.Peer}
	}
	return out, nil
}

func userToProto(u User) *identityv1.User {
	return &identityv1.User{Id: u.ID, Username: u.Username, DisplayName: u.DisplayName, Roles: u.Roles,
		Branches: u.Branches, Active: u.Active, Etag: u.Etag(), CreateTime: ts(u.CreateTime), UpdateTime: ts(u.UpdateTime)}
}

func userFromProto(p *identityv1.User) UserInput {
	return UserInput{User: User{ID: p.GetId(), Username: p.GetUsername(), DisplayName: p.GetDisplayName(),
		Roles: p.GetRoles(), Branches: p.GetBranches(), Active: p.GetActive()}, Password: p.GetPassword(), Etag: p.GetEtag()}
}

func keyToProto(k APIKey) *identityv1.ApiKey {
	out := &identityv1.ApiKey{Id: k.ID, Name: k.Name, Shop: k.Shop, Prefix: k.Prefix, CreateTime: ts(k.CreateTime)}
	if k.RevokeTime != nil {
		out.RevokeTime = ts(*k.RevokeTime)
	}
	return out
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}
