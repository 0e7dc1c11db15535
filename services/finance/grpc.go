package finance

import (
	"context"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	financev1 "github.com/erphub/erphub/api/erp/finance/v1"
	"github.com/erphub/erphub/internal/apperr"
)

// GRPC is the transport of finance: it converts, calls one use case, and converts back.
type GRPC struct {
	financev1.UnimplementedFinanceServiceServer
	svc *Service
}

// NewGRPC returns the transport of svc.
func NewGRPC(svc *Service) *GRPC { return &GRPC{svc: svc} }

// RegisterGRPC registers the gRPC service.
func (g *GRPC) RegisterGRPC(s *grpc.Server) { financev1.RegisterFinanceServiceServer(s, g) }

// RegisterGateway registers the HTTP routes.
func (g *GRPC) RegisterGateway(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
	return financev1.RegisterFinanceServiceHandlerClient(ctx, mux, financev1.NewFinanceServiceClient(cc))
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func tsPtr(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func optionalDate(s, field string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return ParseDate(s, field)
}

// ---- accounts ----

func accountToProto(a Account) *financev1.Account {
	return &financev1.Account{Code: a.Code, Name: a.Name, Parent: a.Parent, Level: a.Level, Category: a.Category,
		BalanceSide: a.BalanceSide, Dimensions: a.Dimensions, Enabled: a.Enabled, Posted: a.Posted, Leaf: a.Leaf()}
}

// CreateAccount implements the RPC.
func (g *GRPC) CreateAccount(ctx context.Context, req *financev1.CreateAccountRequest) (*financev1.CreateAccountResponse, error) {
	in := req.GetAccount()
	a, err := g.svc.CreateAccount(ctx, Account{Code: in.GetCode(), Name: in.GetName(), Dimensions: nilIfEmpty(in.GetDimensions())})
	if err != nil {
		return nil, err
	}
	return &financev1.CreateAccountResponse{Account: accountToProto(a)}, nil
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// GetAccount implements the RPC.
func (g *GRPC) GetAccount(ctx context.Context, req *financev1.GetAccountRequest) (*financev1.GetAccountResponse, error) {
	a, err := g.svc.GetAccount(ctx, req.GetCode())
	if err != nil {
		return nil, err
	}
	return &financev1.GetAccountResponse{Account: accountToProto(a)}, nil
}

// ListAccounts implements the RPC.
func (g *GRPC) ListAccounts(ctx context.Context, req *financev1.ListAccountsRequest) (*financev1.ListAccountsResponse, error) {
	list, err := g.svc.ListAccounts(ctx, req.GetCategory(), req.GetEnabledOnly())
	if err != nil {
		return nil, err
	}
	out := &financev1.ListAccountsResponse{Accounts: []*financev1.Account{}}
	for _, a := range list {
		out.Accounts = append(out.Accounts, accountToProto(a))
	}
	return out, nil
}

// UpdateAccount implements the RPC.
func (g *GRPC) UpdateAccount(ctx context.Context, req *financev1.UpdateAccountRequest) (*financev1.UpdateAccountResponse, error) {
	in := req.GetAccount()
	var c AccountChange
	paths := req.GetUpdateMask().GetPaths()
	if len(paths) == 0 {
		return nil, apperr.Invalid("update_mask", "name the fields to change: name, enabled, dimensions")
	}
	for _, p := range paths {
		switch p {
		case "name":
			n := in.GetName()
			c.Name = &n
		case "enabled":
			e := in.GetEnabled()
			c.Enabled = &e
		case "dimensions":
			d := in.GetDimensions()
			c.Dimensions = &d
		default:
			return nil, apperr.Invalid("update_mask", "cannot change "+p+" (only name, enabled, dimensions)")
		}
	}
	a, err := g.svc.UpdateAccount(ctx, req.GetCode(), c)
	if err != nil {
		return nil, err
	}
	return &financev1.UpdateAccountResponse{Account: accountToProto(a)}, nil
}

// DeleteAccount implements the RPC.
func (g *GRPC) DeleteAccount(ctx context.Context, req *financev1.DeleteAccountRequest) (*financev1.DeleteAccountResponse, error) {
	if err := g.svc.DeleteAccount(ctx, req.GetCode()); err != nil {
		return nil, err
	}
	return &financev1.DeleteAccountResponse{}, nil
}

// ---- books and periods ----

func booksToProto(b Books) *financev1.Books {
	return &financev1.Books{StartPeriod: b.StartPeriod.String(), VoucherWords: b.VoucherWords, InitializeTime: ts(b.Initialized)}
}

// InitializeBooks implements the RPC.
func (g *GRPC) InitializeBooks(ctx context.Context, req *financev1.InitializeBooksRequest) (*financev1.InitializeBooksResponse, error) {
	var openings []OpeningBalance
	for _, o := range req.GetOpeningBalances() {
		openings = append(openings, OpeningBalance{Account: o.GetAccount(), Debit: o.GetDebit(), Credit: o.GetCredit(),
			Dims: Dims{Customer: o.GetCustomer(), Supplier: o.GetSupplier(), Branch: o.GetBranch(), Item: o.GetItem(),
				Employee: o.GetEmployee(), Warehouse: o.GetWarehouse()}})
	}
	b, err := g.svc.InitializeBooks(ctx, req.GetStartPeriod(), req.GetVoucherWords(), openings)
	if err != nil {
		return nil, err
	}
	return &financev1.InitializeBooksResponse{Books: booksToProto(b)}, nil
}

// GetBooks implements the RPC.
func (g *GRPC) GetBooks(ctx context.Context, _ *financev1.GetBooksRequest) (*financev1.GetBooksResponse, error) {
	b, err := g.svc.GetBooks(ctx)
	if err != nil {
		return nil, err
	}
	return &financev1.GetBooksResponse{Books: booksToProto(b)}, nil
}

func periodToProto(p PeriodInfo) *financev1.PeriodInfo {
	return &financev1.PeriodInfo{Period: p.Period.String(), Status: p.Status, CostRunTime: tsPtr(p.CostRun),
		CarryForwardVoucher: p.CarryForwardVoucher, DepreciationVoucher: p.DepreciationVoucher, CloseTime: tsPtr(p.ClosedAt)}
}

// ListPeriods implements the RPC.
func (g *GRPC) ListPeriods(ctx context.Context, _ *financev1.ListPeriodsRequest) (*financev1.ListPeriodsResponse, error) {
	list, err := g.svc.ListPeriods(ctx)
	if err != nil {
		return nil, err
	}
	out := &financev1.ListPeriodsResponse{Periods: []*financev1.PeriodInfo{}}
	for _, p := range list {
		out.Periods = append(out.Periods, periodToProto(p))
	}
	return out, nil
}

// ClosePeriod implements the RPC.
func (g *GRPC) ClosePeriod(ctx context.Context, req *financev1.ClosePeriodRequest) (*financev1.ClosePeriodResponse, error) {
	p, err := g.svc.ClosePeriod(ctx, req.GetPeriod())
	if err != nil {
		return nil, err
	}
	return &financev1.ClosePeriodResponse{PeriodInfo: periodToProto(p)}, nil
}

// ReopenPeriod implements the RPC.
func (g *GRPC) ReopenPeriod(ctx context.Context, req *financev1.ReopenPeriodRequest) (*financev1.ReopenPeriodResponse, error) {
	p, err := g.svc.ReopenPeriod(ctx, req.GetPeriod())
	if err != nil {
		return nil, err
	}
	return &financev1.ReopenPeriodResponse{PeriodInfo: periodToProto(p)}, nil
}

// RunCosting implements the RPC.
func (g *GRPC) RunCosting(ctx context.Context, req *financev1.RunCostingRequest) (*financev1.RunCostingResponse, error) {
	run, err := g.svc.RunCosting(ctx, req.GetPeriod())
	if err != nil {
		return nil, err
	}
	out := &financev1.RunCostingResponse{Period: run.Period.String(), Voucher: run.Voucher, Adjustments: []*financev1.CostAdjustment{}}
	for _, a := range run.Adjustments {
		out.Adjustments = append(out.Adjustments, &financev1.CostAdjustment{Warehouse: a.Warehouse, Item: a.Item, Value: a.Value})
	}
	return out, nil
}

// RunDepreciation implements the RPC.
func (g *GRPC) RunDepreciation(ctx context.Context, req *financev1.RunDepreciationRequest) (*financev1.RunDepreciationResponse, error) {
	p, err := g.svc.RunDepreciation(ctx, req.GetPeriod())
	if err != nil {
		return nil, err
	}
	return &financev1.RunDepreciationResponse{PeriodInfo: periodToProto(p)}, nil
}

// SetItemCosting implements the RPC.
func (g *GRPC) SetItemCosting(ctx context.Context, req *financev1.SetItemCostingRequest) (*financev1.SetItemCostingResponse, error) {
	c, err := g.svc.SetItemCosting(ctx, req.GetItem(), req.GetMethod())
	if err != nil {
		return nil, err
	}
	return &financev1.SetItemCostingResponse{Item: c.Item, Method: c.Method}, nil
}

// ---- vouchers ----

func voucherFromProto(in *financev1.Voucher) (Voucher, error) {
	d, err := optionalDate(in.GetDate(), "voucher.date")
	if err != nil {
		return Voucher{}, err
	}
	v := Voucher{Date: d, Word: in.GetWord(), Summary: in.GetSummary(), AttachmentCount: in.GetAttachmentCount(), Branch: in.GetBranch()}
	for _, l := range in.GetLines() {
		v.Lines = append(v.Lines, VoucherLine{Summary: l.GetSummary(), Account: l.GetAccount(), Debit: l.GetDebit(), Credit: l.GetCredit(),
			Dims: Dims{Customer: l.GetCustomer(), Supplier: l.GetSupplier(), Branch: l.GetBranch(), Item: l.GetItem(),
				Employee: l.GetEmployee(), Warehouse: l.GetWarehouse()}})
	}
	return v, nil
}

func sourceToProto(s SourceRef) *financev1.SourceDocument {
	if s.Type == "" {
		return nil
	}
	return &financev1.SourceDocument{Type: s.Type, Id: s.ID, Number: s.Number}
}

func voucherToProto(v Voucher) *financev1.Voucher {
	out := &financev1.Voucher{Id: v.ID, Date: date(v.Date), Word: v.Word, Number: v.Number, Name: v.Name(), Period: v.Period.String(),
		Summary: v.Summary, AttachmentCount: v.AttachmentCount, Status: v.Status, Kind: v.Kind, Branch: v.Branch,
		ReversalOf: v.ReversalOf, ReversedBy: v.ReversedBy, Source: sourceToProto(v.Source), TemplateVersion: v.TemplateVersion,
		Total: v.Total, MadeBy: v.MadeBy, ApprovedBy: v.ApprovedBy, PostedBy: v.PostedBy, CreateTime: ts(v.MadeAt),
		ApproveTime: tsPtr(v.ApprovedAt), PostTime: tsPtr(v.PostedAt), Version: v.Version, Lines: []*financev1.VoucherLine{},
		ApprovalState: v.ApprovalState, ApprovalComment: v.ApprovalComment, ApprovalRequest: v.ApprovalRequest}
	for _, l := range v.Lines {
		out.Lines = append(out.Lines, &financev1.VoucherLine{LineNo: l.LineNo, Summary: l.Summary, Account: l.Account,
			AccountName: l.AccountName, Debit: l.Debit, Credit: l.Credit, Customer: l.Dims.Customer, Supplier: l.Dims.Supplier,
			Branch: l.Dims.Branch, Item: l.Dims.Item, Employee: l.Dims.Employee, Warehouse: l.Dims.Warehouse})
	}
	return out
}

// CreateVoucher implements the RPC.
func (g *GRPC) CreateVoucher(ctx context.Context, req *financev1.CreateVoucherRequest) (*financev1.CreateVoucherResponse, error) {
	in, err := voucherFromProto(req.GetVoucher())
	if err != nil {
		return nil, err
	}
	v, err := g.svc.CreateVoucher(ctx, in)
	if err != nil {
		return nil, err
	}
	return &financev1.CreateVoucherResponse{Voucher: voucherToProto(v)}, nil
}

// GetVoucher implements the RPC.
func (g *GRPC) GetVoucher(ctx context.Context, req *financev1.GetVoucherRequest) (*financev1.GetVoucherResponse, error) {
	v, err := g.svc.GetVoucher(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	out := voucherToProto(v)
	sources, err := g.svc.VoucherSources(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	for _, s := range sources {
		out.Sources = append(out.Sources, sourceToProto(s))
	}
	return &financev1.GetVoucherResponse{Voucher: out}, nil
}

// ListVouchers implements the RPC.
func (g *GRPC) ListVouchers(ctx context.Context, req *financev1.ListVouchersRequest) (*financev1.ListVouchersResponse, error) {
	f := VoucherFilter{Status: req.GetStatus(), Word: req.GetWord(), Kind: req.GetKind(), SourceType: req.GetSourceType(),
		SourceID: req.GetSourceId(), Account: req.GetAccount()}
	if req.GetPeriod() != "" {
		p, err := ParsePeriod(req.GetPeriod(), "period")
		if err != nil {
			return nil, err
		}
		f.Period = p
	}
	list, next, err := g.svc.ListVouchers(ctx, req.GetPageSize(), req.GetPageToken(), f)
	if err != nil {
		return nil, err
	}
	out := &financev1.ListVouchersResponse{NextPageToken: next, Vouchers: []*financev1.Voucher{}}
	for _, v := range list {
		out.Vouchers = append(out.Vouchers, voucherToProto(v))
	}
	return out, nil
}

// UpdateVoucher implements the RPC.
func (g *GRPC) UpdateVoucher(ctx context.Context, req *financev1.UpdateVoucherRequest) (*financev1.UpdateVoucherResponse, error) {
	in, err := voucherFromProto(req.GetVoucher())
	if err != nil {
		return nil, err
	}
	v, err := g.svc.UpdateVoucher(ctx, req.GetId(), in, req.GetVoucher().GetVersion())
	if err != nil {
		return nil, err
	}
	return &financev1.UpdateVoucherResponse{Voucher: voucherToProto(v)}, nil
}

// DeleteVoucher implements the RPC.
func (g *GRPC) DeleteVoucher(ctx context.Context, req *financev1.DeleteVoucherRequest) (*financev1.DeleteVoucherResponse, error) {
	if err := g.svc.DeleteVoucher(ctx, req.GetId()); err != nil {
		return nil, err
	}
	return &financev1.DeleteVoucherResponse{}, nil
}

// ApproveVoucher implements the RPC.
func (g *GRPC) ApproveVoucher(ctx context.Context, req *financev1.ApproveVoucherRequest) (*financev1.ApproveVoucherResponse, error) {
	v, err := g.svc.ApproveVoucher(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &financev1.ApproveVoucherResponse{Voucher: voucherToProto(v)}, nil
}

// UnapproveVoucher implements the RPC.
func (g *GRPC) UnapproveVoucher(ctx context.Context, req *financev1.UnapproveVoucherRequest) (*financev1.UnapproveVoucherResponse, error) {
	v, err := g.svc.UnapproveVoucher(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &financev1.UnapproveVoucherResponse{Voucher: voucherToProto(v)}, nil
}

// PostVoucher implements the RPC.
func (g *GRPC) PostVoucher(ctx context.Context, req *financev1.PostVoucherRequest) (*financev1.PostVoucherResponse, error) {
	v, err := g.svc.PostVoucher(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &financev1.PostVoucherResponse{Voucher: voucherToProto(v)}, nil
}

// ReverseVoucher implements the RPC.
func (g *GRPC) ReverseVoucher(ctx context.Context, req *financev1.ReverseVoucherRequest) (*financev1.ReverseVoucherResponse, error) {
	d, err := optionalDate(req.GetDate(), "date")
	if err != nil {
		return nil, err
	}
	v, err := g.svc.ReverseVoucher(ctx, req.GetId(), d, req.GetSummary())
	if err != nil {
		return nil, err
	}
	return &financev1.ReverseVoucherResponse{Voucher: voucherToProto(v)}, nil
}

func outcomesToProto(list []Outcome) []*financev1.BatchOutcome {
	out := make([]*financev1.BatchOutcome, len(list))
	for i, o := range list {
		out[i] = &financev1.BatchOutcome{Id: o.ID, ErrorReason: o.Reason, ErrorMessage: o.Message}
		if o.Voucher.ID != 0 {
			out[i].Voucher = voucherToProto(o.Voucher)
		}
	}
	return out
}

// BatchApproveVouchers implements the RPC.
func (g *GRPC) BatchApproveVouchers(ctx context.Context, req *financev1.BatchApproveVouchersRequest) (*financev1.BatchApproveVouchersResponse, error) {
	list, err := g.svc.BatchApprove(ctx, req.GetIds())
	if err != nil {
		return nil, err
	}
	return &financev1.BatchApproveVouchersResponse{Results: outcomesToProto(list)}, nil
}

// BatchPostVouchers implements the RPC.
func (g *GRPC) BatchPostVouchers(ctx context.Context, req *financev1.BatchPostVouchersRequest) (*financev1.BatchPostVouchersResponse, error) {
	list, err := g.svc.BatchPost(ctx, req.GetIds())
	if err != nil {
		return nil, err
	}
	return &financev1.BatchPostVouchersResponse{Results: outcomesToProto(list)}, nil
}

// ---- templates and documents ----

func templateToProto(t Template) *financev1.VoucherTemplate {
	out := &financev1.VoucherTemplate{DocType: t.DocType, Branch: t.Branch, Version: t.Version, Mode: t.Mode, Word: t.Word,
		Summary: t.Summary, CreateTime: ts(t.CreatedAt)}
	for _, l := range t.Lines {
		pl := &financev1.TemplateLine{Side: l.Side, Account: l.Account, Amount: l.Amount, Dimensions: l.Dimensions, Summary: l.Summary}
		for _, r := range l.Rules {
			pl.Rules = append(pl.Rules, &financev1.TemplateRule{ItemCategory: r.ItemCategory, Warehouse: r.Warehouse,
				Channel: r.Channel, CustomerKind: r.CustomerKind, ReasonContains: r.ReasonContains, Account: r.Account})
		}
		out.Lines = append(out.Lines, pl)
	}
	return out
}

// ListVoucherTemplates implements the RPC.
func (g *GRPC) ListVoucherTemplates(ctx context.Context, req *financev1.ListVoucherTemplatesRequest) (*financev1.ListVoucherTemplatesResponse, error) {
	list, err := g.svc.ListTemplates(ctx, req.GetHistory())
	if err != nil {
		return nil, err
	}
	out := &financev1.ListVoucherTemplatesResponse{Templates: []*financev1.VoucherTemplate{}}
	for _, t := range list {
		out.Templates = append(out.Templates, templateToProto(t))
	}
	return out, nil
}

// SaveVoucherTemplate implements the RPC.
func (g *GRPC) SaveVoucherTemplate(ctx context.Context, req *financev1.SaveVoucherTemplateRequest) (*financev1.SaveVoucherTemplateResponse, error) {
	in := req.GetTemplate()
	t := Template{DocType: in.GetDocType(), Branch: in.GetBranch(), Mode: in.GetMode(), Word: in.GetWord(), Summary: in.GetSummary()}
	for _, l := range in.GetLines() {
		tl := TemplateLine{Side: l.GetSide(), Account: l.GetAccount(), Amount: l.GetAmount(), Dimensions: l.GetDimensions(), Summary: l.GetSummary()}
		for _, r := range l.GetRules() {
			tl.Rules = append(tl.Rules, TemplateRule{ItemCategory: r.GetItemCategory(), Warehouse: r.GetWarehouse(), Channel: r.GetChannel(),
				CustomerKind: r.GetCustomerKind(), ReasonContains: r.GetReasonContains(), Account: r.GetAccount()})
		}
		t.Lines = append(t.Lines, tl)
	}
	out, err := g.svc.SaveTemplate(ctx, t)
	if err != nil {
		return nil, err
	}
	return &financev1.SaveVoucherTemplateResponse{Template: templateToProto(out)}, nil
}

func documentToProto(d DocumentInfo) *financev1.FinanceDocument {
	return &financev1.FinanceDocument{Id: d.ID, Source: sourceToProto(SourceRef{Type: d.SourceType, ID: d.SourceID, Number: d.SourceNumber}),
		Branch: d.Branch, Date: date(d.Date), State: d.State, Reason: d.Reason, Voucher: d.Voucher, TemplateVersion: d.TemplateVersion,
		ReceiveTime: ts(d.ReceivedAt)}
}

// ListFinanceDocuments implements the RPC.
func (g *GRPC) ListFinanceDocuments(ctx context.Context, req *financev1.ListFinanceDocumentsRequest) (*financev1.ListFinanceDocumentsResponse, error) {
	list, next, err := g.svc.ListDocuments(ctx, req.GetPageSize(), req.GetPageToken(), req.GetState(), req.GetSourceType())
	if err != nil {
		return nil, err
	}
	out := &financev1.ListFinanceDocumentsResponse{NextPageToken: next, Documents: []*financev1.FinanceDocument{}}
	for _, d := range list {
		out.Documents = append(out.Documents, documentToProto(d))
	}
	return out, nil
}

// RetryFinanceDocument implements the RPC.
func (g *GRPC) RetryFinanceDocument(ctx context.Context, req *financev1.RetryFinanceDocumentRequest) (*financev1.RetryFinanceDocumentResponse, error) {
	d, err := g.svc.RetryDocument(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &financev1.RetryFinanceDocumentResponse{Document: documentToProto(d)}, nil
}

// ---- fixed assets ----

func categoryToProto(c AssetCategory) *financev1.AssetCategory {
	return &financev1.AssetCategory{Id: c.ID, Code: c.Code, Name: c.Name, LifeMonths: c.LifeMonths, SalvageRateBp: c.SalvageRateBp, Method: c.Method}
}

func assetToProto(a Asset) *financev1.Asset {
	out := &financev1.Asset{Id: a.ID, Code: a.Code, Name: a.Name, Category: a.Category, Branch: a.Branch, OriginalValue: a.OriginalValue,
		StartDate: date(a.StartDate), ExpenseAccount: a.ExpenseAccount, TotalUnits: a.TotalUnits, Status: a.Status,
		Depreciated: a.Depreciated, Impaired: a.Impaired, NetBookValue: a.NetBookValue()}
	if a.DisposedPeriod != 0 {
		out.DisposedPeriod = a.DisposedPeriod.String()
	}
	return out
}

// CreateAssetCategory implements the RPC.
func (g *GRPC) CreateAssetCategory(ctx context.Context, req *financev1.CreateAssetCategoryRequest) (*financev1.CreateAssetCategoryResponse, error) {
	in := req.GetCategory()
	c, err := g.svc.CreateAssetCategory(ctx, AssetCategory{Code: in.GetCode(), Name: in.GetName(), LifeMonths: in.GetLifeMonths(),
		SalvageRateBp: in.GetSalvageRateBp(), Method: in.GetMethod()})
	if err != nil {
		return nil, err
	}
	return &financev1.CreateAssetCategoryResponse{Category: categoryToProto(c)}, nil
}

// ListAssetCategories implements the RPC.
func (g *GRPC) ListAssetCategories(ctx context.Context, _ *financev1.ListAssetCategoriesRequest) (*financev1.ListAssetCategoriesResponse, error) {
	list, err := g.svc.ListAssetCategories(ctx)
	if err != nil {
		return nil, err
	}
	out := &financev1.ListAssetCategoriesResponse{Categories: []*financev1.AssetCategory{}}
	for _, c := range list {
		out.Categories = append(out.Categories, categoryToProto(c))
	}
	return out, nil
}

// CreateAsset implements the RPC.
func (g *GRPC) CreateAsset(ctx context.Context, req *financev1.CreateAssetRequest) (*financev1.CreateAssetResponse, error) {
	in := req.GetAsset()
	start, err := optionalDate(in.GetStartDate(), "asset.start_date")
	if err != nil {
		return nil, err
	}
	a, err := g.svc.CreateAsset(ctx, Asset{Code: in.GetCode(), Name: in.GetName(), Category: in.GetCategory(), Branch: in.GetBranch(),
		OriginalValue: in.GetOriginalValue(), StartDate: start, ExpenseAccount: in.GetExpenseAccount(), TotalUnits: in.GetTotalUnits()})
	if err != nil {
		return nil, err
	}
	return &financev1.CreateAssetResponse{Asset: assetToProto(a)}, nil
}

// GetAsset implements the RPC.
func (g *GRPC) GetAsset(ctx context.Context, req *financev1.GetAssetRequest) (*financev1.GetAssetResponse, error) {
	a, err := g.svc.GetAsset(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &financev1.GetAssetResponse{Asset: assetToProto(a)}, nil
}

// ListAssets implements the RPC.
func (g *GRPC) ListAssets(ctx context.Context, _ *financev1.ListAssetsRequest) (*financev1.ListAssetsResponse, error) {
	list, err := g.svc.ListAssets(ctx)
	if err != nil {
		return nil, err
	}
	out := &financev1.ListAssetsResponse{Assets: []*financev1.Asset{}}
	for _, a := range list {
		out.Assets = append(out.Assets, assetToProto(a))
	}
	return out, nil
}

// DisposeAsset implements the RPC.
func (g *GRPC) DisposeAsset(ctx context.Context, req *financev1.DisposeAssetRequest) (*financev1.DisposeAssetResponse, error) {
	d, err := optionalDate(req.GetDate(), "date")
	if err != nil {
		return nil, err
	}
	a, err := g.svc.DisposeAsset(ctx, req.GetId(), d)
	if err != nil {
		return nil, err
	}
	return &financev1.DisposeAssetResponse{Asset: assetToProto(a)}, nil
}

// ImpairAsset implements the RPC.
func (g *GRPC) ImpairAsset(ctx context.Context, req *financev1.ImpairAssetRequest) (*financev1.ImpairAssetResponse, error) {
	d, err := optionalDate(req.GetDate(), "date")
	if err != nil {
		return nil, err
	}
	a, err := g.svc.ImpairAsset(ctx, req.GetId(), req.GetAmount(), d)
	if err != nil {
		return nil, err
	}
	return &financev1.ImpairAssetResponse{Asset: assetToProto(a)}, nil
}

// RecordAssetUsage implements the RPC.
func (g *GRPC) RecordAssetUsage(ctx context.Context, req *financev1.RecordAssetUsageRequest) (*financev1.RecordAssetUsageResponse, error) {
	a, err := g.svc.RecordUsage(ctx, req.GetId(), req.GetPeriod(), req.GetUnits())
	if err != nil {
		return nil, err
	}
	return &financev1.RecordAssetUsageResponse{Asset: assetToProto(a)}, nil
}

// ---- reports ----

func trialRowToProto(r TrialRow) *financev1.TrialBalanceRow {
	return &financev1.TrialBalanceRow{Account: r.Account, Name: r.Name, Level: r.Level, OpeningDebit: r.OpeningDebit,
		OpeningCredit: r.OpeningCredit, PeriodDebit: r.PeriodDebit, PeriodCredit: r.PeriodCredit, ClosingDebit: r.ClosingDebit,
		ClosingCredit: r.ClosingCredit}
}

// GetTrialBalance implements the RPC.
func (g *GRPC) GetTrialBalance(ctx context.Context, req *financev1.GetTrialBalanceRequest) (*financev1.GetTrialBalanceResponse, error) {
	tb, err := g.svc.GetTrialBalance(ctx, req.GetPeriod(), req.GetBranch())
	if err != nil {
		return nil, err
	}
	out := &financev1.GetTrialBalanceResponse{Period: tb.Period.String(), Totals: trialRowToProto(tb.Totals), Balanced: tb.Balanced(),
		Rows: []*financev1.TrialBalanceRow{}}
	for _, r := range tb.Rows {
		out.Rows = append(out.Rows, trialRowToProto(r))
	}
	return out, nil
}

// GetIncomeStatement implements the RPC.
func (g *GRPC) GetIncomeStatement(ctx context.Context, req *financev1.GetIncomeStatementRequest) (*financev1.GetIncomeStatementResponse, error) {
	lines, err := g.svc.GetIncomeStatement(ctx, req.GetPeriod(), req.GetBranch())
	if err != nil {
		return nil, err
	}
	out := &financev1.GetIncomeStatementResponse{Period: req.GetPeriod()}
	for _, l := range lines {
		out.Lines = append(out.Lines, &financev1.IncomeStatementLine{Key: l.Key, Name: l.Name, CurrentPeriod: l.Current, YearToDate: l.Earlier})
	}
	return out, nil
}

// GetBalanceSheet implements the RPC.
func (g *GRPC) GetBalanceSheet(ctx context.Context, req *financev1.GetBalanceSheetRequest) (*financev1.GetBalanceSheetResponse, error) {
	bs, err := g.svc.GetBalanceSheet(ctx, req.GetPeriod(), req.GetBranch())
	if err != nil {
		return nil, err
	}
	out := &financev1.GetBalanceSheetResponse{Period: bs.Period.String(), Balanced: bs.Balanced, Difference: bs.Difference}
	for _, l := range bs.Lines {
		out.Lines = append(out.Lines, &financev1.BalanceSheetLine{Key: l.Key, Name: l.Name, Closing: l.Current, YearStart: l.Earlier})
		switch l.Key {
		case "TOTAL_ASSETS":
			out.TotalAssets = l.Current
		case "TOTAL_LIABILITIES_AND_EQUITY":
			out.TotalLiabilitiesAndEquity = l.Current
		}
	}
	return out, nil
}

// GetGeneralLedger implements the RPC.
func (g *GRPC) GetGeneralLedger(ctx context.Context, req *financev1.GetGeneralLedgerRequest) (*financev1.GetGeneralLedgerResponse, error) {
	a, months, err := g.svc.GetGeneralLedger(ctx, req.GetAccount(), req.GetFrom(), req.GetTo(), req.GetBranch())
	if err != nil {
		return nil, err
	}
	out := &financev1.GetGeneralLedgerResponse{Account: accountToProto(a)}
	for _, m := range months {
		out.Months = append(out.Months, &financev1.LedgerMonth{Period: m.Period.String(), OpeningDebit: m.OpeningDebit,
			OpeningCredit: m.OpeningCredit, Debit: m.Debit, Credit: m.Credit, ClosingDebit: m.ClosingDebit, ClosingCredit: m.ClosingCredit})
	}
	return out, nil
}

// GetAccountDetail implements the RPC.
func (g *GRPC) GetAccountDetail(ctx context.Context, req *financev1.GetAccountDetailRequest) (*financev1.GetAccountDetailResponse, error) {
	d, err := g.svc.GetAccountDetail(ctx, req.GetAccount(), req.GetPeriod(), Dims{Customer: req.GetCustomer(), Supplier: req.GetSupplier(),
		Branch: req.GetBranch(), Item: req.GetItem(), Employee: req.GetEmployee(), Warehouse: req.GetWarehouse()})
	if err != nil {
		return nil, err
	}
	out := &financev1.GetAccountDetailResponse{Account: accountToProto(d.Account), Period: d.Period.String(), Opening: d.Opening,
		Closing: d.Closing, Entries: []*financev1.DetailEntry{}}
	for _, e := range d.Entries {
		out.Entries = append(out.Entries, &financev1.DetailEntry{Date: date(e.Date), Voucher: e.Voucher, VoucherName: e.VoucherName,
			Summary: e.Summary, Account: e.Account, Debit: e.Debit, Credit: e.Credit, Balance: e.Balance, Customer: e.Dims.Customer,
			Supplier: e.Dims.Supplier, Branch: e.Dims.Branch, Item: e.Dims.Item, Employee: e.Dims.Employee, Warehouse: e.Dims.Warehouse})
	}
	return out, nil
}

// CheckStockValue implements the RPC.
func (g *GRPC) CheckStockValue(ctx context.Context, req *financev1.CheckStockValueRequest) (*financev1.CheckStockValueResponse, error) {
	diffs, err := g.svc.CheckStockValue(ctx, req.GetPeriod())
	if err != nil {
		return nil, err
	}
	out := &financev1.CheckStockValueResponse{Differences: []*financev1.StockValueDifference{}}
	for _, d := range diffs {
		out.Differences = append(out.Differences, &financev1.StockValueDifference{Warehouse: d.Warehouse, LedgerValue: d.LedgerValue,
			AccountValue: d.AccountValue, Difference: d.Difference})
	}
	return out, nil
}

// ExportJournal implements the RPC.
func (g *GRPC) ExportJournal(ctx context.Context, req *financev1.ExportJournalRequest) (*httpbody.HttpBody, error) {
	b, err := g.svc.Journal(ctx, req.GetPeriod())
	if err != nil {
		return nil, err
	}
	_ = grpc.SetHeader(ctx, metadata.Pairs("content-disposition", `attachment; filename="journal-`+req.GetPeriod()+`.journal"`))
	return &httpbody.HttpBody{ContentType: "text/plain; charset=utf-8", Data: b}, nil
}

// ExportReport implements the RPC.
func (g *GRPC) ExportReport(ctx context.Context, req *financev1.ExportReportRequest) (*httpbody.HttpBody, error) {
	d, err := g.svc.ExportReport(ctx, ReportRequest{Report: req.GetReport(), Period: req.GetPeriod(), Format: req.GetFormat(),
		Account: req.GetAccount(), From: req.GetFrom(), Branch: req.GetBranch()})
	if err != nil {
		return nil, err
	}
	_ = grpc.SetHeader(ctx, metadata.Pairs("content-disposition", `attachment; filename="`+d.FileName+`"`))
	return &httpbody.HttpBody{ContentType: d.ContentType, Data: d.Data}, nil
}
