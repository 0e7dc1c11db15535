package approval

import (
	"context"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	approvalv1 "github.com/erphub/erphub/api/erp/approval/v1"
	"github.com/erphub/erphub/internal/reqctx"
)

// GRPC is the transport of approval: it converts, calls one use case, and converts back.
type GRPC struct {
	approvalv1.UnimplementedApprovalServiceServer
	svc *Service
}

// NewGRPC returns the transport of svc.
func NewGRPC(svc *Service) *GRPC { return &GRPC{svc: svc} }

// RegisterGRPC registers the gRPC service.
func (g *GRPC) RegisterGRPC(s *grpc.Server) { approvalv1.RegisterApprovalServiceServer(s, g) }

// RegisterGateway registers the HTTP routes.
func (g *GRPC) RegisterGateway(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
	return approvalv1.RegisterApprovalServiceHandlerClient(ctx, mux, approvalv1.NewApprovalServiceClient(cc))
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func flowFromProto(in *approvalv1.Flow) Flow {
	f := Flow{ID: in.GetId(), Name: in.GetName(), DocumentType: in.GetDocumentType(), Priority: in.GetPriority(),
		Active: in.GetActive(), RemindAfterMinutes: in.GetRemindAfterMinutes(), EscalateAfterMinutes: in.GetEscalateAfterMinutes(),
		EscalateRole: in.GetEscalateRole()}
	for _, c := range in.GetConditions() {
		f.Conditions = append(f.Conditions, Condition{MinAmount: c.GetMinAmount(), MaxAmount: c.GetMaxAmount(),
			Branches: c.GetBranches(), Warehouses: c.GetWarehouses(), MinDiscountBp: c.GetMinDiscountBp(),
			MinCreditOver: c.GetMinCreditOver()})
	}
	for _, s := range in.GetSteps() {
		f.Steps = append(f.Steps, Step{Name: s.GetName(), Role: s.GetRole(), SameBranch: s.GetSameBranch(),
			Users: s.GetUsers(), Mode: s.GetMode()})
	}
	return f
}

func flowToProto(f Flow) *approvalv1.Flow {
	out := &approvalv1.Flow{Id: f.ID, Name: f.Name, DocumentType: f.DocumentType, Priority: f.Priority, Active: f.Active,
		RemindAfterMinutes: f.RemindAfterMinutes, EscalateAfterMinutes: f.EscalateAfterMinutes, EscalateRole: f.EscalateRole,
		Version: f.Version, UpdateTime: ts(f.UpdateTime)}
	for _, c := range f.Conditions {
		out.Conditions = append(out.Conditions, &approvalv1.Condition{MinAmount: c.MinAmount, MaxAmount: c.MaxAmount,
			Branches: c.Branches, Warehouses: c.Warehouses, MinDiscountBp: c.MinDiscountBp, MinCreditOver: c.MinCreditOver})
	}
	for _, s := range f.Steps {
		out.Steps = append(out.Steps, &approvalv1.Step{Name: s.Name, Role: s.Role, SameBranch: s.SameBranch, Users: s.Users, Mode: s.Mode})
	}
	return out
}

func requestToProto(r Request) *approvalv1.ApprovalRequest {
	out := &approvalv1.ApprovalRequest{Id: r.ID, DocumentType: r.DocumentType, Document: r.Document,
		DocumentNumber: r.DocumentNumber, Amount: r.Amount, Step: r.Step, StepName: r.StepName, State: r.State,
		Maker: r.Maker, Branch: r.Branch, Warehouse: r.Warehouse, Flow: r.Flow, FlowVersion: r.FlowVersion,
		FlowName: r.FlowName, Condition: r.Condition, Approvers: r.Approvers, CreateTime: ts(r.CreateTime), Comment: r.Comment,
		MakerName: r.MakerName, Facts: r.Facts}
	for _, d := range r.History {
		out.History = append(out.History, &approvalv1.Decision{Step: d.Step, User: d.User, OnBehalfOf: d.OnBehalfOf,
			Action: d.Action, Comment: d.Comment, Peer: d.Peer, Device: d.Device, Time: ts(d.Time), UserName: d.UserName})
	}
	return out
}

// client answers where the call came from: the peer the interceptor saw, and the device id
// the client sent (X-Device-Id), else its user agent.
func client(ctx context.Context) Client {
	var c Client
	if call := reqctx.CallFrom(ctx); call != nil {
		c.Peer, c.Device = call.Peer, call.Device
	}
	if c.Device == "" {
		md, _ := metadata.FromIncomingContext(ctx)
		for _, k := range []string{"grpcgateway-user-agent", "user-agent"} {
			if v := md.Get(k); len(v) > 0 && v[0] != "" {
				c.Device = v[0]
				break
			}
		}
	}
	return c
}

// CreateApprovalFlow implements the RPC.
func (g *GRPC) CreateApprovalFlow(ctx context.Context, req *approvalv1.CreateApprovalFlowRequest) (*approvalv1.CreateApprovalFlowResponse, error) {
	f, err := g.svc.CreateFlow(ctx, flowFromProto(req.GetFlow()))
	if err != nil {
		return nil, err
	}
	return &approvalv1.CreateApprovalFlowResponse{Flow: flowToProto(f)}, nil
}

// UpdateApprovalFlow implements the RPC.
func (g *GRPC) UpdateApprovalFlow(ctx context.Context, req *approvalv1.UpdateApprovalFlowRequest) (*approvalv1.UpdateApprovalFlowResponse, error) {
	f, err := g.svc.UpdateFlow(ctx, flowFromProto(req.GetFlow()))
	if err != nil {
		return nil, err
	}
	return &approvalv1.UpdateApprovalFlowResponse{Flow: flowToProto(f)}, nil
}

// GetApprovalFlow implements the RPC.
func (g *GRPC) GetApprovalFlow(ctx context.Context, req *approvalv1.GetApprovalFlowRequest) (*approvalv1.GetApprovalFlowResponse, error) {
	f, err := g.svc.GetFlow(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &approvalv1.GetApprovalFlowResponse{Flow: flowToProto(f)}, nil
}

// ListApprovalFlows implements the RPC.
func (g *GRPC) ListApprovalFlows(ctx context.Context, req *approvalv1.ListApprovalFlowsRequest) (*approvalv1.ListApprovalFlowsResponse, error) {
	fs, err := g.svc.ListFlows(ctx, req.GetDocumentType())
	if err != nil {
		return nil, err
	}
	out := &approvalv1.ListApprovalFlowsResponse{ApprovalFlows: make([]*approvalv1.Flow, 0, len(fs))}
	for _, f := range fs {
		out.ApprovalFlows = append(out.ApprovalFlows, flowToProto(f))
	}
	return out, nil
}

// ListApprovalRequests implements the RPC.
func (g *GRPC) ListApprovalRequests(ctx context.Context, req *approvalv1.ListApprovalRequestsRequest) (*approvalv1.ListApprovalRequestsResponse, error) {
	rs, next, err := g.svc.ListRequests(ctx, req.GetState(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &approvalv1.ListApprovalRequestsResponse{ApprovalRequests: make([]*approvalv1.ApprovalRequest, 0, len(rs)), NextPageToken: next}
	for _, r := range rs {
		out.ApprovalRequests = append(out.ApprovalRequests, requestToProto(r))
	}
	return out, nil
}

// GetApprovalRequest implements the RPC.
func (g *GRPC) GetApprovalRequest(ctx context.Context, req *approvalv1.GetApprovalRequestRequest) (*approvalv1.GetApprovalRequestResponse, error) {
	r, err := g.svc.GetRequest(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &approvalv1.GetApprovalRequestResponse{ApprovalRequest: requestToProto(r)}, nil
}

// ApproveApprovalRequest implements the RPC.
func (g *GRPC) ApproveApprovalRequest(ctx context.Context, req *approvalv1.ApproveApprovalRequestRequest) (*approvalv1.ApproveApprovalRequestResponse, error) {
	r, err := g.svc.Approve(ctx, req.GetId(), req.GetComment(), client(ctx))
	if err != nil {
		return nil, err
	}
	return &approvalv1.ApproveApprovalRequestResponse{ApprovalRequest: requestToProto(r)}, nil
}

// RejectApprovalRequest implements the RPC.
func (g *GRPC) RejectApprovalRequest(ctx context.Context, req *approvalv1.RejectApprovalRequestRequest) (*approvalv1.RejectApprovalRequestResponse, error) {
	r, err := g.svc.Reject(ctx, req.GetId(), req.GetComment(), client(ctx))
	if err != nil {
		return nil, err
	}
	return &approvalv1.RejectApprovalRequestResponse{ApprovalRequest: requestToProto(r)}, nil
}

func delegationToProto(d Delegation) *approvalv1.Delegation {
	return &approvalv1.Delegation{Id: d.ID, Delegator: d.Delegator, Delegate: d.Delegate, From: ts(d.From), To: ts(d.To)}
}

// CreateApprovalDelegation implements the RPC.
func (g *GRPC) CreateApprovalDelegation(ctx context.Context, req *approvalv1.CreateApprovalDelegationRequest) (*approvalv1.CreateApprovalDelegationResponse, error) {
	d := Delegation{Delegate: req.GetDelegate()}
	if req.GetFrom() != nil {
		d.From = req.GetFrom().AsTime()
	}
	if req.GetTo() != nil {
		d.To = req.GetTo().AsTime()
	}
	d, err := g.svc.CreateDelegation(ctx, d)
	if err != nil {
		return nil, err
	}
	return &approvalv1.CreateApprovalDelegationResponse{Delegation: delegationToProto(d)}, nil
}

// ListApprovalDelegations implements the RPC.
func (g *GRPC) ListApprovalDelegations(ctx context.Context, _ *approvalv1.ListApprovalDelegationsRequest) (*approvalv1.ListApprovalDelegationsResponse, error) {
	ds, err := g.svc.ListDelegations(ctx)
	if err != nil {
		return nil, err
	}
	out := &approvalv1.ListApprovalDelegationsResponse{Delegations: make([]*approvalv1.Delegation, 0, len(ds))}
	for _, d := range ds {
		out.Delegations = append(out.Delegations, delegationToProto(d))
	}
	return out, nil
}

// CreateApprovalRobot implements the RPC.
func (g *GRPC) CreateApprovalRobot(ctx context.Context, req *approvalv1.CreateApprovalRobotRequest) (*approvalv1.CreateApprovalRobotResponse, error) {
	r, err := g.svc.CreateRobot(ctx, Robot{Kind: req.GetKind(), URL: req.GetUrl(), Secret: req.GetSecret()})
	if err != nil {
		return nil, err
	}
	return &approvalv1.CreateApprovalRobotResponse{Robot: &approvalv1.Robot{Id: r.ID, Kind: r.Kind, Url: r.URL}}, nil
}

// ListApprovalRobots implements the RPC.
func (g *GRPC) ListApprovalRobots(ctx context.Context, _ *approvalv1.ListApprovalRobotsRequest) (*approvalv1.ListApprovalRobotsResponse, error) {
	rs, err := g.svc.ListRobots(ctx)
	if err != nil {
		return nil, err
	}
	out := &approvalv1.ListApprovalRobotsResponse{Robots: make([]*approvalv1.Robot, 0, len(rs))}
	for _, r := range rs {
		out.Robots = append(out.Robots, &approvalv1.Robot{Id: r.ID, Kind: r.Kind, Url: r.URL})
	}
	return out, nil
}
