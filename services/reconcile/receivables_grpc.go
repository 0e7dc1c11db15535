package reconcile

import (
	"context"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	reconcilev1 "github.com/erphub/erphub/api/erp/reconcile/v1"
	"github.com/erphub/erphub/internal/apperr"
)

// ReceivablesGRPC is the transport of invoices, payments and aging: it converts, calls
// one use case, and converts back.
type ReceivablesGRPC struct {
	reconcilev1.UnimplementedReceivablesServiceServer
	svc *Service
}

// NewReceivablesGRPC returns the transport of svc.
func NewReceivablesGRPC(svc *Service) *ReceivablesGRPC { return &ReceivablesGRPC{svc: svc} }

// RegisterGRPC registers the gRPC service.
func (g *ReceivablesGRPC) RegisterGRPC(s *grpc.Server) {
	reconcilev1.RegisterReceivablesServiceServer(s, g)
}

// RegisterGateway registers the HTTP routes.
func (g *ReceivablesGRPC) RegisterGateway(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
	return reconcilev1.RegisterReceivablesServiceHandlerClient(ctx, mux, reconcilev1.NewReceivablesServiceClient(cc))
}

func quantitiesFromProto(in []*reconcilev1.InvoiceQuantity) []InvoiceQuantity {
	out := make([]InvoiceQuantity, 0, len(in))
	for _, l := range in {
		out = append(out, InvoiceQuantity{TradeLine: l.GetTradeLine(), Quantity: l.GetQuantity()})
	}
	return out
}

func salesInvoiceToProto(i SalesInvoice) *reconcilev1.SalesInvoice {
	out := &reconcilev1.SalesInvoice{Id: i.ID, Number: i.Number, Customer: i.Customer, Outlet: i.Outlet, Kind: i.Kind, Red: i.Red,
		Original: i.Original, TaxRate: i.TaxRateBp, Date: date(i.Date), DueDate: date(i.Due), Net: i.Net, Tax: i.Tax, Gross: i.Gross,
		Settled: i.Settled, Open: i.Open(), Reason: i.Reason}
	for _, l := range i.Lines {
		out.Lines = append(out.Lines, &reconcilev1.SalesInvoiceLine{TradeLine: l.TradeLine, Item: l.Item, Quantity: l.Quantity,
			Net: l.Net, Tax: l.Tax, Gross: l.Gross})
	}
	if !i.CreatedAt.IsZero() {
		out.CreateTime = timestamppb.New(i.CreatedAt)
	}
	return out
}

// IssueSalesInvoices invoices delivered trade lines.
func (g *ReceivablesGRPC) IssueSalesInvoices(ctx context.Context, req *reconcilev1.IssueSalesInvoicesRequest) (*reconcilev1.IssueSalesInvoicesResponse, error) {
	d, err := parseDate(req.GetDate(), "date")
	if err != nil {
		return nil, err
	}
	invs, err := g.svc.IssueInvoices(ctx, IssueInvoices{Customer: req.GetCustomer(), Kind: strings.ToUpper(req.GetKind()), Date: d,
		Lines: quantitiesFromProto(req.GetLines())})
	if err != nil {
		return nil, err
	}
	out := &reconcilev1.IssueSalesInvoicesResponse{}
	for _, i := range invs {
		out.Invoices = append(out.Invoices, salesInvoiceToProto(i))
	}
	return out, nil
}

// GetSalesInvoice answers an invoice.
func (g *ReceivablesGRPC) GetSalesInvoice(ctx context.Context, req *reconcilev1.GetSalesInvoiceRequest) (*reconcilev1.GetSalesInvoiceResponse, error) {
	i, err := g.svc.GetSalesInvoice(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.GetSalesInvoiceResponse{Invoice: salesInvoiceToProto(i)}, nil
}

// IssueRedInvoice issues a red invoice.
func (g *ReceivablesGRPC) IssueRedInvoice(ctx context.Context, req *reconcilev1.IssueRedInvoiceRequest) (*reconcilev1.IssueRedInvoiceResponse, error) {
	d, err := parseDate(req.GetDate(), "date")
	if err != nil {
		return nil, err
	}
	in := RedInvoice{Original: req.GetId(), Returns: quantitiesFromProto(req.GetReturns()), Reason: req.GetReason(), Date: d}
	for _, c := range req.GetCorrections() {
		in.Corrections = append(in.Corrections, PriceCorrection{Item: c.GetItem(), Amount: c.GetAmount()})
	}
	i, err := g.svc.IssueRedInvoice(ctx, in)
	if err != nil {
		return nil, err
	}
	return &reconcilev1.IssueRedInvoiceResponse{Invoice: salesInvoiceToProto(i)}, nil
}

func purchaseInvoiceToProto(p PurchaseInvoice) *reconcilev1.PurchaseInvoice {
	out := &reconcilev1.PurchaseInvoice{Id: p.ID, Number: p.Number, Supplier: p.Supplier, TheirNumber: p.TheirNumber,
		PurchaseOrder: p.PurchaseOrder, Date: date(p.Date), Status: p.Status, Differences: p.Differences, Net: p.Net, Tax: p.Tax,
		Gross: p.Gross, Estimate: p.Estimate, Settled: p.Settled, Open: p.Open(), DueDate: date(p.Due)}
	for _, l := range p.Lines {
		out.Lines = append(out.Lines, &reconcilev1.PurchaseInvoiceLine{Item: l.Item, Quantity: l.Quantity, UnitPrice: l.UnitPrice,
			TaxRate: l.TaxRateBp, Net: l.Net, Tax: l.Tax, Gross: l.Gross, OrderedQuantity: l.Ordered, OpenQuantity: l.OpenQty,
			OrderPrice: l.POPrice})
	}
	return out
}

// CreatePurchaseInvoice enters and matches a supplier's invoice.
func (g *ReceivablesGRPC) CreatePurchaseInvoice(ctx context.Context, req *reconcilev1.CreatePurchaseInvoiceRequest) (*reconcilev1.CreatePurchaseInvoiceResponse, error) {
	in := req.GetInvoice()
	if in == nil {
		return nil, apperr.Invalid("invoice", "is required")
	}
	d, err := parseDate(in.GetDate(), "date")
	if err != nil {
		return nil, err
	}
	p := PurchaseInvoice{Supplier: in.GetSupplier(), TheirNumber: in.GetTheirNumber(), PurchaseOrder: in.GetPurchaseOrder(), Date: d}
	for _, l := range in.GetLines() {
		p.Lines = append(p.Lines, PurchaseInvoiceLine{Item: l.GetItem(), Quantity: l.GetQuantity(), UnitPrice: l.GetUnitPrice(),
			TaxRateBp: l.GetTaxRate(), Net: l.GetNet(), Tax: l.GetTax()})
	}
	out, err := g.svc.CreatePurchaseInvoice(ctx, p)
	if err != nil {
		return nil, err
	}
	return &reconcilev1.CreatePurchaseInvoiceResponse{Invoice: purchaseInvoiceToProto(out)}, nil
}

// GetPurchaseInvoice answers a supplier's invoice.
func (g *ReceivablesGRPC) GetPurchaseInvoice(ctx context.Context, req *reconcilev1.GetPurchaseInvoiceRequest) (*reconcilev1.GetPurchaseInvoiceResponse, error) {
	p, err := g.svc.GetPurchaseInvoice(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.GetPurchaseInvoiceResponse{Invoice: purchaseInvoiceToProto(p)}, nil
}

// ReleasePurchaseInvoice books a held invoice.
func (g *ReceivablesGRPC) ReleasePurchaseInvoice(ctx context.Context, req *reconcilev1.ReleasePurchaseInvoiceRequest) (*reconcilev1.ReleasePurchaseInvoiceResponse, error) {
	p, err := g.svc.ReleasePurchaseInvoice(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.ReleasePurchaseInvoiceResponse{Invoice: purchaseInvoiceToProto(p)}, nil
}

func allocationsFromProto(in []*reconcilev1.Allocation) []Allocation {
	out := make([]Allocation, 0, len(in))
	for _, a := range in {
		out = append(out, Allocation{Invoice: a.GetInvoice(), Amount: a.GetAmount(), Discount: a.GetDiscount()})
	}
	return out
}

func paymentToProto(p Payment) *reconcilev1.Payment {
	out := &reconcilev1.Payment{Id: p.ID, Number: p.Number, Party: p.PartyID, Date: date(p.Date), Method: p.Method,
		Reference: p.Reference, Amount: p.Amount, Discount: p.Discount, Allocated: p.Allocated, Unallocated: p.Unallocated(),
		Status: p.Status, ApprovalRequest: p.ApprovalRequest, ApprovalComment: p.ApprovalComment, StatusNote: p.StatusNote}
	for _, a := range p.Allocations {
		out.Allocations = append(out.Allocations, &reconcilev1.Allocation{Invoice: a.Invoice, Amount: a.Amount, Discount: a.Discount,
			Date: date(a.Date)})
	}
	for _, a := range p.Requested {
		out.RequestedAllocations = append(out.RequestedAllocations, &reconcilev1.Allocation{Invoice: a.Invoice, Amount: a.Amount,
			Discount: a.Discount})
	}
	return out
}

func (g *ReceivablesGRPC) recordPayment(ctx context.Context, party, field string, in *reconcilev1.Payment) (*reconcilev1.Payment, error) {
	if in == nil {
		return nil, apperr.Invalid(field, "is required")
	}
	d, err := parseDate(in.GetDate(), "date")
	if err != nil {
		return nil, err
	}
	p, err := g.svc.RecordPayment(ctx, Payment{Party: party, PartyID: in.GetParty(), Date: d, Method: in.GetMethod(),
		Reference: in.GetReference(), Amount: in.GetAmount(), Allocations: allocationsFromProto(in.GetAllocations())})
	if err != nil {
		return nil, err
	}
	return paymentToProto(p), nil
}

func (g *ReceivablesGRPC) allocate(ctx context.Context, party string, id int64, allocs []*reconcilev1.Allocation, day string) (*reconcilev1.Payment, error) {
	d, err := parseDate(day, "date")
	if err != nil {
		return nil, err
	}
	p, err := g.svc.AllocatePayment(ctx, party, id, allocationsFromProto(allocs), d)
	if err != nil {
		return nil, err
	}
	return paymentToProto(p), nil
}

// CreateCustomerReceipt records a receipt.
func (g *ReceivablesGRPC) CreateCustomerReceipt(ctx context.Context, req *reconcilev1.CreateCustomerReceiptRequest) (*reconcilev1.CreateCustomerReceiptResponse, error) {
	p, err := g.recordPayment(ctx, PartyCustomer, "receipt", req.GetReceipt())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.CreateCustomerReceiptResponse{Receipt: p}, nil
}

// GetCustomerReceipt answers a receipt.
func (g *ReceivablesGRPC) GetCustomerReceipt(ctx context.Context, req *reconcilev1.GetCustomerReceiptRequest) (*reconcilev1.GetCustomerReceiptResponse, error) {
	p, err := g.svc.GetPayment(ctx, PartyCustomer, req.GetId())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.GetCustomerReceiptResponse{Receipt: paymentToProto(p)}, nil
}

// AllocateCustomerReceipt allocates a receipt's prepayment.
func (g *ReceivablesGRPC) AllocateCustomerReceipt(ctx context.Context, req *reconcilev1.AllocateCustomerReceiptRequest) (*reconcilev1.AllocateCustomerReceiptResponse, error) {
	p, err := g.allocate(ctx, PartyCustomer, req.GetId(), req.GetAllocations(), req.GetDate())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.AllocateCustomerReceiptResponse{Receipt: p}, nil
}

// CreateSupplierPayment records a payment.
func (g *ReceivablesGRPC) CreateSupplierPayment(ctx context.Context, req *reconcilev1.CreateSupplierPaymentRequest) (*reconcilev1.CreateSupplierPaymentResponse, error) {
	p, err := g.recordPayment(ctx, PartySupplier, "payment", req.GetPayment())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.CreateSupplierPaymentResponse{Payment: p}, nil
}

// AllocateSupplierPayment allocates a payment's prepayment.
func (g *ReceivablesGRPC) AllocateSupplierPayment(ctx context.Context, req *reconcilev1.AllocateSupplierPaymentRequest) (*reconcilev1.AllocateSupplierPaymentResponse, error) {
	p, err := g.allocate(ctx, PartySupplier, req.GetId(), req.GetAllocations(), req.GetDate())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.AllocateSupplierPaymentResponse{Payment: p}, nil
}

// GetSupplierPayment answers a payment.
func (g *ReceivablesGRPC) GetSupplierPayment(ctx context.Context, req *reconcilev1.GetSupplierPaymentRequest) (*reconcilev1.GetSupplierPaymentResponse, error) {
	p, err := g.svc.GetPayment(ctx, PartySupplier, req.GetId())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.GetSupplierPaymentResponse{Payment: paymentToProto(p)}, nil
}

// ResubmitSupplierPayment changes a rejected payment and submits it again.
func (g *ReceivablesGRPC) ResubmitSupplierPayment(ctx context.Context, req *reconcilev1.ResubmitSupplierPaymentRequest) (*reconcilev1.ResubmitSupplierPaymentResponse, error) {
	c := PaymentChange{Amount: req.GetAmount(), Method: req.GetMethod(), Reference: req.Reference,
		Allocations: allocationsFromProto(req.GetAllocations()), ClearAllocations: req.GetClearAllocations()}
	p, err := g.svc.ResubmitPayment(ctx, req.GetId(), c)
	if err != nil {
		return nil, err
	}
	return &reconcilev1.ResubmitSupplierPaymentResponse{Payment: paymentToProto(p)}, nil
}

// CancelSupplierPayment cancels a rejected payment.
func (g *ReceivablesGRPC) CancelSupplierPayment(ctx context.Context, req *reconcilev1.CancelSupplierPaymentRequest) (*reconcilev1.CancelSupplierPaymentResponse, error) {
	p, err := g.svc.CancelPayment(ctx, req.GetId(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &reconcilev1.CancelSupplierPaymentResponse{Payment: paymentToProto(p)}, nil
}

func bucketsToProto(b AgingBuckets) *reconcilev1.AgingBuckets {
	return &reconcilev1.AgingBuckets{NotDue: b.NotDue, UpTo_30: b.Days0_30, From_31To_60: b.Days31_60, From_61To_90: b.Days61_90,
		Over_90: b.Over90, Total: b.Total, Overdue: b.Overdue}
}

// GetAging answers receivables by days past due.
func (g *ReceivablesGRPC) GetAging(ctx context.Context, req *reconcilev1.GetAgingRequest) (*reconcilev1.GetAgingResponse, error) {
	asOf, err := parseDate(req.GetAsOf(), "asOf")
	if err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		asOf = g.svc.today()
	}
	rows, total, err := g.svc.Aging(ctx, asOf, req.GetCustomer())
	if err != nil {
		return nil, err
	}
	out := &reconcilev1.GetAgingResponse{AsOf: date(asOf), Total: bucketsToProto(total)}
	for _, r := range rows {
		out.Rows = append(out.Rows, &reconcilev1.AgingRow{Customer: r.Customer, Outlet: r.Outlet, Buckets: bucketsToProto(r.Buckets),
			Unallocated: r.Unallocated})
	}
	return out, nil
}
