package reconcile

import (
	"context"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	reconcilev1 "github.com/erphub/erphub/api/erp/reconcile/v1"
	"github.com/erphub/erphub/internal/apperr"
)

// GRPC is the transport of reconcile: it converts, calls one use case, and converts back.
type GRPC struct {
	reconcilev1.UnimplementedReconcileServiceServer
	svc *Service
}

// NewGRPC returns the transport of svc.
func NewGRPC(svc *Service) *GRPC { return &GRPC{svc: svc} }

// RegisterGRPC registers the gRPC service.
func (g *GRPC) RegisterGRPC(s *grpc.Server) { reconcilev1.RegisterReconcileServiceServer(s, g) }

// RegisterGateway registers the HTTP routes.
func (g *GRPC) RegisterGateway(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
	return reconcilev1.RegisterReconcileServiceHandlerClient(ctx, mux, reconcilev1.NewReconcileServiceClient(cc))
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func datePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return date(*t)
}

// parseDate reads an optional YYYY-MM-DD field.
func parseDate(s, field string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, apperr.Invalid(field, "must be a date YYYY-MM-DD")
	}
	return t, nil
}

func profileToProto(p Profile) *reconcilev1.ImportProfile {
	out := &reconcilev1.ImportProfile{Id: p.ID, Name: p.Name, Format: p.Format, Columns: p.Columns, RecordTypes: p.RecordTypes,
		DateFormat: p.DateFormat, Sheet: p.Sheet, HeaderRow: int32(p.HeaderRow)}
	if !p.CreatedAt.IsZero() {
		out.CreateTime = timestamppb.New(p.CreatedAt)
	}
	return out
}

// CreateImportProfile saves a profile.
func (g *GRPC) CreateImportProfile(ctx context.Context, req *reconcilev1.CreateImportProfileRequest) (*reconcilev1.CreateImportProfileResponse, error) {
	in := req.GetProfile()
	if in == nil {
		return nil, apperr.Invalid("profile", "is required")
	}
	p := Profile{Name: in.GetName(), Format: in.GetFormat(), Columns: in.GetColumns(), RecordTypes: in.GetRecordTypes(),
		DateFormat: in.GetDateFormat(), Sheet: in.GetSheet(), HeaderRow: int(in.GetHeaderRow())}
	if p.Columns == nil {
		p.Columns = map[string]string{}
	}
	if p.RecordTypes == nil {
		p.RecordTypes = map[string]string{}
	}
	out, err := g.svc.CreateProfile(ctx, p)
	if err != nil {
		return nil, err
	}
	return &reconcilev1.CreateImportProfileResponse{Profile: profileToProto(out)}, nil
}

// GetImportProfile answers a profile.
func (g *GRPC) GetImportProfile(ctx context.Context, req *reconcilev1.GetImportProfileRequest) (*reconcilev1.GetImportProfileResponse, error) {
	p, err := g.svc.Profile(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.GetImportProfileResponse{Profile: profileToProto(p)}, nil
}

// ListImportProfiles answers every profile.
func (g *GRPC) ListImportProfiles(ctx context.Context, _ *reconcilev1.ListImportProfilesRequest) (*reconcilev1.ListImportProfilesResponse, error) {
	ps, err := g.svc.ListProfiles(ctx)
	if err != nil {
		return nil, err
	}
	out := &reconcilev1.ListImportProfilesResponse{}
	for _, p := range ps {
		out.Profiles = append(out.Profiles, profileToProto(p))
	}
	return out, nil
}

func (g *GRPC) importStatement(ctx context.Context, party string, id, profile int64, name string, content []byte, from, to string) (*reconcilev1.Statement, error) {
	f, err := parseDate(from, "from")
	if err != nil {
		return nil, err
	}
	t, err := parseDate(to, "to")
	if err != nil {
		return nil, err
	}
	st, err := g.svc.ImportStatement(ctx, Import{Party: party, PartyID: id, Profile: profile, FileName: name, Content: content,
		From: f, To: t})
	if err != nil {
		return nil, err
	}
	return statementToProto(st), nil
}

// ImportCustomerStatement imports a customer's statement.
func (g *GRPC) ImportCustomerStatement(ctx context.Context, req *reconcilev1.ImportCustomerStatementRequest) (*reconcilev1.ImportCustomerStatementResponse, error) {
	st, err := g.importStatement(ctx, PartyCustomer, req.GetCustomer(), req.GetProfile(), req.GetFileName(), req.GetContent(),
		req.GetFrom(), req.GetTo())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.ImportCustomerStatementResponse{Statement: st}, nil
}

// ImportSupplierStatement imports a supplier's statement.
func (g *GRPC) ImportSupplierStatement(ctx context.Context, req *reconcilev1.ImportSupplierStatementRequest) (*reconcilev1.ImportSupplierStatementResponse, error) {
	st, err := g.importStatement(ctx, PartySupplier, req.GetSupplier(), req.GetProfile(), req.GetFileName(), req.GetContent(),
		req.GetFrom(), req.GetTo())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.ImportSupplierStatementResponse{Statement: st}, nil
}

func statementToProto(st Statement) *reconcilev1.Statement {
	out := &reconcilev1.Statement{Id: st.ID, PartyType: st.Party, Party: st.PartyID, Profile: st.Profile, FileName: st.FileName,
		FileHash: st.FileHash, StatementNumber: st.StatementNumber, From: date(st.From), To: date(st.To), Status: st.Status,
		LineCount: int32(st.LineCount), OurTotal: st.OurTotal, NeedsReview: int32(st.NeedsReview), AlreadyImported: st.Existing,
		NetDue: st.NetDue, Totals: &reconcilev1.StatementTotals{Receipts: st.Totals.Receipts, Returns: st.Totals.Returns,
			Adjustments: st.Totals.Adjustments, Fees: st.Totals.Fees, Net: st.Totals.Net, Summary: st.Totals.Summary,
			Flag: st.Totals.Flag}, Counts: map[string]int32{}}
	for k, v := range st.Counts {
		out.Counts[k] = int32(v)
	}
	if !st.CreatedAt.IsZero() {
		out.CreateTime = timestamppb.New(st.CreatedAt)
	}
	for _, l := range st.Lines {
		out.Lines = append(out.Lines, &reconcilev1.StatementLine{Row: int32(l.Row.Row), RecordType: l.RecordType,
			DocumentNumber: l.DocumentNumber, DocumentDate: datePtr(l.DocumentDate), PoNumber: l.PONumber,
			DeliveryNumber: l.DeliveryNumber, OutletCode: l.OutletCode, ItemCode: l.ItemCode, Gtin: l.GTIN,
			SupplierItemCode: l.SupplierItem, Item: l.ItemID, OrderedQuantity: l.Ordered, ReceivedQuantity: l.Received,
			UnitPrice: l.UnitPrice, TaxRate: l.TaxRate, Amount: l.Amount, FeeType: l.FeeType, FeeBasis: l.FeeBasis,
			Remark: l.Remark, Match: l.Match, OurLine: l.TradeLine, QuantityDifference: l.QuantityDifference,
			AmountDifference: l.AmountDifference, FeeCategory: l.FeeCategory, NeedsReview: l.NeedsReview,
			ReviewReasons: l.ReviewReasons, Lot: l.Lot, AmountExclTax: l.AmountExclTax, TaxAmount: l.TaxAmount,
			Resolution: l.Resolution, ResolutionNote: l.ResolutionNote, WriteOffState: l.WriteOff.State,
			WriteOffRequest: l.WriteOff.ApprovalRequest, WriteOffComment: l.WriteOff.ApprovalComment})
	}
	for _, o := range st.OnlyOurs {
		out.OnlyOurs = append(out.OnlyOurs, &reconcilev1.OurLine{Id: o.ID, Kind: o.Kind, DocumentNumber: o.DocNo,
			TheirDocumentNumber: o.TheirDocNo, PoNumber: o.PONo, OutletCode: o.OutletCode, Date: date(o.Date), Item: o.Item,
			Quantity: o.Quantity, UnitPrice: o.UnitPrice, Amount: o.Amount})
	}
	return out
}

// GetStatement answers a statement with its lines.
func (g *GRPC) GetStatement(ctx context.Context, req *reconcilev1.GetStatementRequest) (*reconcilev1.GetStatementResponse, error) {
	st, err := g.svc.GetStatement(ctx, req.GetId(), req.GetState(), int(req.GetAfterRow()), int(req.GetLimit()))
	if err != nil {
		return nil, err
	}
	return &reconcilev1.GetStatementResponse{Statement: statementToProto(st)}, nil
}

// ListStatements answers statements.
func (g *GRPC) ListStatements(ctx context.Context, req *reconcilev1.ListStatementsRequest) (*reconcilev1.ListStatementsResponse, error) {
	if p := req.GetPartyType(); p != "" && p != PartyCustomer && p != PartySupplier {
		return nil, apperr.Invalid("partyType", "must be customer or supplier")
	}
	sts, err := g.svc.ListStatements(ctx, req.GetPartyType(), req.GetParty(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	out := &reconcilev1.ListStatementsResponse{}
	for _, st := range sts {
		out.Statements = append(out.Statements, statementToProto(st))
	}
	return out, nil
}

// RecordCustomerReturn records a return note.
func (g *GRPC) RecordCustomerReturn(ctx context.Context, req *reconcilev1.RecordCustomerReturnRequest) (*reconcilev1.RecordCustomerReturnResponse, error) {
	in := req.GetReturn()
	if in == nil {
		return nil, apperr.Invalid("return", "is required")
	}
	d, err := parseDate(in.GetDate(), "return.date")
	if err != nil {
		return nil, err
	}
	r := Return{Customer: req.GetCustomer(), Outlet: in.GetOutlet(), TheirNumber: in.GetTheirNumber(),
		DeliveryNumber: in.GetDeliveryNumber(), Date: d, Reason: in.GetReason()}
	for _, l := range in.GetLines() {
		r.Lines = append(r.Lines, ReturnLine{Item: l.GetItem(), Quantity: l.GetQuantity(), UnitPrice: l.GetUnitPrice()})
	}
	out, err := g.svc.RecordReturn(ctx, r)
	if err != nil {
		return nil, err
	}
	res := &reconcilev1.CustomerReturn{Id: out.ID, Number: out.Number, Outlet: out.Outlet, TheirNumber: out.TheirNumber,
		DeliveryNumber: out.DeliveryNumber, Date: date(out.Date), Reason: out.Reason}
	for _, l := range out.Lines {
		res.Lines = append(res.Lines, &reconcilev1.ReturnLine{Item: l.Item, Quantity: l.Quantity, UnitPrice: l.UnitPrice, Amount: l.Amount})
	}
	return &reconcilev1.RecordCustomerReturnResponse{Return: res}, nil
}

func settingsFromProto(in *reconcilev1.ReconcileSettings) (Settings, error) {
	if in == nil {
		return Settings{}, apperr.Invalid("settings", "is required")
	}
	st := Settings{QuantityTolerance: in.GetQuantityTolerance(), PriceTolerance: in.GetPriceTolerance(),
		DateWindowDays: int(in.GetDateWindowDays()), ContractFees: in.GetContractFees(), WriteOffLimit: in.GetWriteOffLimit(),
		FeesInvoiced: in.GetFeesInvoiced(), RebateVATBp: 1300}
	if in.RebateVatRate != nil {
		st.RebateVATBp = in.GetRebateVatRate()
	}
	return st, nil
}

func settingsToProto(s Settings) *reconcilev1.ReconcileSettings {
	return &reconcilev1.ReconcileSettings{QuantityTolerance: s.QuantityTolerance, PriceTolerance: s.PriceTolerance,
		DateWindowDays: int32(s.DateWindowDays), ContractFees: s.ContractFees, WriteOffLimit: s.WriteOffLimit,
		FeesInvoiced: s.FeesInvoiced, RebateVatRate: &s.RebateVATBp}
}

// SetCustomerReconcileSettings saves a customer's matching rules.
func (g *GRPC) SetCustomerReconcileSettings(ctx context.Context, req *reconcilev1.SetCustomerReconcileSettingsRequest) (*reconcilev1.SetCustomerReconcileSettingsResponse, error) {
	st, err := settingsFromProto(req.GetSettings())
	if err != nil {
		return nil, err
	}
	out, err := g.svc.SetSettings(ctx, PartyCustomer, req.GetCustomer(), st)
	if err != nil {
		return nil, err
	}
	return &reconcilev1.SetCustomerReconcileSettingsResponse{Settings: settingsToProto(out.Settings)}, nil
}

// SetSupplierReconcileSettings saves a supplier's matching rules.
func (g *GRPC) SetSupplierReconcileSettings(ctx context.Context, req *reconcilev1.SetSupplierReconcileSettingsRequest) (*reconcilev1.SetSupplierReconcileSettingsResponse, error) {
	st, err := settingsFromProto(req.GetSettings())
	if err != nil {
		return nil, err
	}
	out, err := g.svc.SetSettings(ctx, PartySupplier, req.GetSupplier(), st)
	if err != nil {
		return nil, err
	}
	return &reconcilev1.SetSupplierReconcileSettingsResponse{Settings: settingsToProto(out.Settings)}, nil
}

// SetCustomerItemCodes maps a customer's item codes.
func (g *GRPC) SetCustomerItemCodes(ctx context.Context, req *reconcilev1.SetCustomerItemCodesRequest) (*reconcilev1.SetCustomerItemCodesResponse, error) {
	var codes []ItemCode
	for _, c := range req.GetCodes() {
		codes = append(codes, ItemCode{TheirCode: c.GetTheirCode(), Item: c.GetItem()})
	}
	out, err := g.svc.SetItemCodes(ctx, PartyCustomer, req.GetCustomer(), codes)
	if err != nil {
		return nil, err
	}
	res := &reconcilev1.SetCustomerItemCodesResponse{}
	for _, c := range out {
		res.Codes = append(res.Codes, &reconcilev1.ItemCode{TheirCode: c.TheirCode, Item: c.Item})
	}
	return res, nil
}

// ListFeeRules answers the classification rules.
func (g *GRPC) ListFeeRules(ctx context.Context, _ *reconcilev1.ListFeeRulesRequest) (*reconcilev1.ListFeeRulesResponse, error) {
	rules, err := g.svc.ListFeeRules(ctx)
	if err != nil {
		return nil, err
	}
	out := &reconcilev1.ListFeeRulesResponse{}
	for _, r := range rules {
		out.Rules = append(out.Rules, &reconcilev1.FeeRule{Id: r.ID, Position: int32(r.Position), Pattern: r.Pattern, Category: r.Category})
	}
	return out, nil
}

// SaveFeeRule adds or changes a rule.
func (g *GRPC) SaveFeeRule(ctx context.Context, req *reconcilev1.SaveFeeRuleRequest) (*reconcilev1.SaveFeeRuleResponse, error) {
	in := req.GetRule()
	if in == nil {
		return nil, apperr.Invalid("rule", "is required")
	}
	r, err := g.svc.SaveFeeRule(ctx, FeeRule{Position: int(in.GetPosition()), Pattern: in.GetPattern(), Category: in.GetCategory()})
	if err != nil {
		return nil, err
	}
	return &reconcilev1.SaveFeeRuleResponse{Rule: &reconcilev1.FeeRule{Id: r.ID, Position: int32(r.Position), Pattern: r.Pattern,
		Category: r.Category}}, nil
}

// ResolveStatementLine records a decision on a line.
func (g *GRPC) ResolveStatementLine(ctx context.Context, req *reconcilev1.ResolveStatementLineRequest) (*reconcilev1.ResolveStatementLineResponse, error) {
	l, err := g.svc.ResolveLine(ctx, req.GetStatement(), int(req.GetRow()), req.GetAction(), req.GetNote())
	if err != nil {
		return nil, err
	}
	st := statementToProto(Statement{Lines: []StatementLine{l}})
	return &reconcilev1.ResolveStatementLineResponse{Line: st.Lines[0]}, nil
}

// ConfirmStatement books a decided statement.
func (g *GRPC) ConfirmStatement(ctx context.Context, req *reconcilev1.ConfirmStatementRequest) (*reconcilev1.ConfirmStatementResponse, error) {
	c, err := g.svc.ConfirmStatement(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.ConfirmStatementResponse{Statement: statementToProto(c.Statement), FeesNet: c.FeesNet, FeesVat: c.FeesVAT,
		Rebates: c.Rebates, Adjustments: c.Adjustments, WriteOffs: c.WriteOffs, ReceivableDecrease: c.ReceivableDecrease,
		Disputed: int32(c.Disputed)}, nil
}

func accountToProto(a AccountStatement) *reconcilev1.AccountStatement {
	out := &reconcilev1.AccountStatement{Id: a.ID, Number: a.Number, Party: a.PartyID, PartyType: a.Party, From: date(a.From), To: date(a.To),
		Status: a.Status, Opening: a.Opening, Deliveries: a.Deliveries, Returns: a.Returns, Adjustments: a.Adjustments,
		Received: a.Received, Invoiced: a.Invoiced, Closing: a.Closing, LineCount: int32(a.LineCount),
		OutletCount: int32(a.OutletCount), Note: a.Note}
	if !a.CreatedAt.IsZero() {
		out.CreateTime = timestamppb.New(a.CreatedAt)
	}
	for _, l := range a.Lines {
		out.Lines = append(out.Lines, &reconcilev1.AccountLine{Seq: int32(l.Seq), Kind: l.Kind, Date: date(l.Date),
			OutletCode: l.OutletCode, PoNumber: l.PONo, DocumentNumber: l.DocNo, TheirDocumentNumber: l.TheirDocNo, Item: l.Item,
			Quantity: l.Quantity, UnitPrice: l.UnitPrice, Amount: l.Amount})
	}
	return out
}

// generateAccount parses the period and builds our statement with a party.
func (g *GRPC) generateAccount(ctx context.Context, party string, id int64, from, to string) (*reconcilev1.AccountStatement, error) {
	f, err := parseDate(from, "from")
	if err != nil {
		return nil, err
	}
	t, err := parseDate(to, "to")
	if err != nil {
		return nil, err
	}
	a, err := g.svc.GenerateAccountStatement(ctx, party, id, f, t)
	if err != nil {
		return nil, err
	}
	return accountToProto(a), nil
}

// GenerateAccountStatement builds our statement of a customer.
func (g *GRPC) GenerateAccountStatement(ctx context.Context, req *reconcilev1.GenerateAccountStatementRequest) (*reconcilev1.GenerateAccountStatementResponse, error) {
	a, err := g.generateAccount(ctx, PartyCustomer, req.GetCustomer(), req.GetFrom(), req.GetTo())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.GenerateAccountStatementResponse{Statement: a}, nil
}

// GenerateSupplierAccountStatement builds our statement with a supplier.
func (g *GRPC) GenerateSupplierAccountStatement(ctx context.Context, req *reconcilev1.GenerateSupplierAccountStatementRequest) (*reconcilev1.GenerateSupplierAccountStatementResponse, error) {
	a, err := g.generateAccount(ctx, PartySupplier, req.GetSupplier(), req.GetFrom(), req.GetTo())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.GenerateSupplierAccountStatementResponse{Statement: a}, nil
}

// ListSupplierAccountStatements answers a supplier's statements.
func (g *GRPC) ListSupplierAccountStatements(ctx context.Context, req *reconcilev1.ListSupplierAccountStatementsRequest) (*reconcilev1.ListSupplierAccountStatementsResponse, error) {
	as, err := g.listAccounts(ctx, PartySupplier, req.GetSupplier(), req.GetPageSize())
	return &reconcilev1.ListSupplierAccountStatementsResponse{Statements: as}, err
}

// listAccounts answers a party's statements.
func (g *GRPC) listAccounts(ctx context.Context, party string, id int64, size int32) ([]*reconcilev1.AccountStatement, error) {
	as, err := g.svc.ListAccountStatements(ctx, party, id, int(size))
	if err != nil {
		return nil, err
	}
	out := make([]*reconcilev1.AccountStatement, 0, len(as))
	for _, a := range as {
		out = append(out, accountToProto(a))
	}
	return out, nil
}

// GetAccountStatement answers our statement with its lines.
func (g *GRPC) GetAccountStatement(ctx context.Context, req *reconcilev1.GetAccountStatementRequest) (*reconcilev1.GetAccountStatementResponse, error) {
	a, err := g.svc.GetAccountStatement(ctx, req.GetId(), int(req.GetAfterSeq()), int(req.GetLimit()))
	if err != nil {
		return nil, err
	}
	return &reconcilev1.GetAccountStatementResponse{Statement: accountToProto(a)}, nil
}

// ListAccountStatements answers a customer's statements.
func (g *GRPC) ListAccountStatements(ctx context.Context, req *reconcilev1.ListAccountStatementsRequest) (*reconcilev1.ListAccountStatementsResponse, error) {
	as, err := g.listAccounts(ctx, PartyCustomer, req.GetCustomer(), req.GetPageSize())
	return &reconcilev1.ListAccountStatementsResponse{Statements: as}, err
}

// SendAccountStatement sends a draft.
func (g *GRPC) SendAccountStatement(ctx context.Context, req *reconcilev1.SendAccountStatementRequest) (*reconcilev1.SendAccountStatementResponse, error) {
	a, err := g.svc.MoveAccountStatement(ctx, req.GetId(), "send", req.GetNote())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.SendAccountStatementResponse{Statement: accountToProto(a)}, nil
}

// ConfirmAccountStatement records the customer's confirmation.
func (g *GRPC) ConfirmAccountStatement(ctx context.Context, req *reconcilev1.ConfirmAccountStatementRequest) (*reconcilev1.ConfirmAccountStatementResponse, error) {
	a, err := g.svc.MoveAccountStatement(ctx, req.GetId(), "confirm", req.GetNote())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.ConfirmAccountStatementResponse{Statement: accountToProto(a)}, nil
}

// DisputeAccountStatement records the customer's dispute.
func (g *GRPC) DisputeAccountStatement(ctx context.Context, req *reconcilev1.DisputeAccountStatementRequest) (*reconcilev1.DisputeAccountStatementResponse, error) {
	a, err := g.svc.MoveAccountStatement(ctx, req.GetId(), "dispute", req.GetNote())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.DisputeAccountStatementResponse{Statement: accountToProto(a)}, nil
}

// ExportAccountStatement answers our statement as a download.
func (g *GRPC) ExportAccountStatement(ctx context.Context, req *reconcilev1.ExportAccountStatementRequest) (*httpbody.HttpBody, error) {
	d, err := g.svc.ExportAccountStatement(ctx, req.GetId(), req.GetFormat())
	if err != nil {
		return nil, err
	}
	_ = grpc.SetHeader(ctx, metadata.Pairs("content-disposition", `attachment; filename="`+d.FileName+`"`))
	return &httpbody.HttpBody{ContentType: d.ContentType, Data: d.Data}, nil
}

// ImportShopSettlement imports a platform's settlement bill.
func (g *GRPC) ImportShopSettlement(ctx context.Context, req *reconcilev1.ImportShopSettlementRequest) (*reconcilev1.ImportShopSettlementResponse, error) {
	shop, err := g.svc.ShopID(ctx, req.GetShop())
	if err != nil {
		return nil, err
	}
	st, err := g.importStatement(ctx, PartyShop, shop, req.GetProfile(), req.GetFileName(), req.GetContent(), req.GetFrom(), req.GetTo())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.ImportShopSettlementResponse{Statement: st}, nil
}

// InvoiceStatement invoices a confirmed statement's deliveries.
func (g *GRPC) InvoiceStatement(ctx context.Context, req *reconcilev1.InvoiceStatementRequest) (*reconcilev1.InvoiceStatementResponse, error) {
	invs, err := g.svc.InvoiceStatement(ctx, req.GetId(), req.GetKind())
	if err != nil {
		return nil, err
	}
	out := &reconcilev1.InvoiceStatementResponse{}
	for _, i := range invs {
		out.Invoices = append(out.Invoices, &reconcilev1.InvoiceRef{Id: i.ID, Number: i.Number, Outlet: i.Outlet, TaxRate: i.TaxRateBp,
			Net: i.Net, Tax: i.Tax, Gross: i.Gross})
	}
	return out, nil
}
