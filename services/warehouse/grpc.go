package warehouse

import (
	"context"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	warehousev1 "github.com/erphub/erphub/api/erp/warehouse/v1"
	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/barcode"
)

// GRPC is the transport of the warehouse service: it converts, calls one use case, and
// converts back.
type GRPC struct {
	warehousev1.UnimplementedWarehouseServiceServer
	svc *Service
}

// NewGRPC returns the transport of svc.
func NewGRPC(svc *Service) *GRPC { return &GRPC{svc: svc} }

// RegisterGRPC registers the gRPC service.
func (g *GRPC) RegisterGRPC(s *grpc.Server) { warehousev1.RegisterWarehouseServiceServer(s, g) }

// RegisterGateway registers the HTTP routes.
func (g *GRPC) RegisterGateway(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
	return warehousev1.RegisterWarehouseServiceHandlerClient(ctx, mux, warehousev1.NewWarehouseServiceClient(cc))
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func dateText(d *barcode.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func linesToProto(lines []Line) []*warehousev1.OrderLine {
	out := make([]*warehousev1.OrderLine, len(lines))
	for i, l := range lines {
		out[i] = &warehousev1.OrderLine{Id: l.ID, LineNo: l.LineNo, Item: l.Item, Quantity: l.Quantity, Done: l.Done,
			InProgress: l.Held, UnitPrice: l.UnitPrice, Received: l.Received}
	}
	return out
}

func linesFromProto(in []*warehousev1.OrderLine) []Line {
	out := make([]Line, len(in))
	for i, l := range in {
		out[i] = Line{Item: l.GetItem(), Quantity: l.GetQuantity(), UnitPrice: l.GetUnitPrice()}
	}
	return out
}

func poToProto(p PurchaseOrder) *warehousev1.PurchaseOrder {
	return &warehousev1.PurchaseOrder{Id: p.ID, Number: p.Number, Supplier: p.Supplier, Warehouse: p.Warehouse, Status: p.Status,
		ExpectedDate: dateText(p.ExpectedDate), Remark: p.Remark, Lines: linesToProto(p.Lines), CreateTime: ts(p.CreateTime), Branch: p.Branch,
		ApprovalComment: p.ApprovalComment}
}

func doToProto(d DeliveryOrder) *warehousev1.DeliveryOrder {
	return &warehousev1.DeliveryOrder{Id: d.ID, Number: d.Number, Customer: d.Customer, Warehouse: d.Warehouse, Status: d.Status,
		Outlet: d.Outlet, RetailerPoNumber: d.RetailerPONumber, RequestedDate: dateText(d.RequestedDate), Remark: d.Remark,
		Lines: linesToProto(d.Lines), CreateTime: ts(d.CreateTime), Branch: d.Branch, Source: d.Source,
		ApprovalComment: d.ApprovalComment}
}

func trToProto(t Transfer) *warehousev1.Transfer {
	return &warehousev1.Transfer{Id: t.ID, Number: t.Number, FromWarehouse: t.FromWarehouse, ToWarehouse: t.ToWarehouse,
		Status: t.Status, Lines: linesToProto(t.Lines), Remark: t.Remark, CreateTime: ts(t.CreateTime)}
}

func stToProto(x Stocktake) *warehousev1.Stocktake {
	out := &warehousev1.Stocktake{Id: x.ID, Number: x.Number, Warehouse: x.Warehouse, Status: x.Status, Remark: x.Remark,
		CreateTime: ts(x.CreateTime), Document: x.Document, CountedOnly: x.CountedOnly, ApprovalRequest: x.ApprovalRequest,
		ApprovalComment: x.ApprovalComment, Failure: x.Failure, Amount: x.Amount,
		Differences: make([]*warehousev1.StocktakeDifference, 0, len(x.Differences))}
	for _, d := range x.Differences {
		out.Differences = append(out.Differences, &warehousev1.StocktakeDifference{Item: d.Item, Lot: d.Lot,
			Quantity: d.Quantity, Value: d.Value})
	}
	return out
}

func adjustmentToProto(a Adjustment) *warehousev1.Adjustment {
	out := &warehousev1.Adjustment{Id: a.ID, Number: a.Number, Warehouse: a.Warehouse, Reason: a.Reason, Status: a.Status,
		Amount: a.Amount, ApprovalRequest: a.ApprovalRequest, ApprovalComment: a.ApprovalComment, Failure: a.Failure,
		Document: a.Document, Branch: a.Branch, CreatedBy: a.CreatedBy, CreateTime: ts(a.CreateTime)}
	for _, l := range a.Lines {
		out.Lines = append(out.Lines, &warehousev1.AdjustmentLine{Item: l.Item, Lot: l.Lot, Quantity: l.Quantity,
			Expiry: dateText(l.Expiry), UnitCost: l.UnitCost})
	}
	return out
}

func docToProto(d StockDocument) *warehousev1.StockDocument {
	out := &warehousev1.StockDocument{Id: d.ID, Number: d.Number, Type: d.Type, Warehouse: d.Warehouse, Branch: d.Branch,
		Source: sourceName(d.SourceType, d.SourceID), Reason: d.Reason, PostTime: ts(d.PostTime), PostedBy: d.PostedBy, Session: d.Session,
		Carrier: d.Carrier, TrackingNumbers: d.Tracking}
	for _, l := range d.Lines {
		out.Lines = append(out.Lines, &warehousev1.DocumentLine{LineNo: l.LineNo, Item: l.Item, Lot: l.Lot, Quantity: l.Quantity,
			Value: l.Value, Warehouse: l.Warehouse})
	}
	return out
}

func progressToProto(p *LineProgress) *warehousev1.LineProgress {
	if p == nil {
		return nil
	}
	return &warehousev1.LineProgress{Line: p.Line, Item: p.Item, Expected: p.Expected, Scanned: p.Scanned,
		TotalDone: p.TotalDone, Ordered: p.Ordered}
}

func sessionToProto(x Session) *warehousev1.ScanSession {
	out := &warehousev1.ScanSession{Id: x.ID, Kind: string(x.Kind), Warehouse: x.Warehouse, Status: x.Status,
		Document: x.StockDocument, Device: x.Device, CreateTime: ts(x.CreateTime), AcceptedScans: x.AcceptedScans}
	switch x.DocumentType {
	case "purchase_order":
		out.PurchaseOrder = x.DocumentID
	case "delivery_order":
		out.DeliveryOrder = x.DocumentID
	case "transfer":
		out.Transfer = x.DocumentID
	case "stocktake":
		out.Stocktake = x.DocumentID
	}
	for i := range x.Lines {
		out.Lines = append(out.Lines, progressToProto(&x.Lines[i]))
	}
	return out
}

func resultToProto(r ScanResult) *warehousev1.ScanResult {
	reason := r.Reason
	if r.Accepted && r.Warning != "" {
		reason = ReasonNotFEFO
	}
	return &warehousev1.ScanResult{Accepted: r.Accepted, Reason: reason, Item: r.Item, Lot: r.Lot, Expiry: dateText(r.Expiry),
		Quantity: r.Quantity, ScanId: r.ScanID, Detail: r.Detail, Line: progressToProto(r.Line), Warning: r.Warning, Sku: r.SKU,
		Replayed: r.Replayed}
}

// CreatePurchaseOrder implements the RPC.
func (g *GRPC) CreatePurchaseOrder(ctx context.Context, req *warehousev1.CreatePurchaseOrderRequest) (*warehousev1.CreatePurchaseOrderResponse, error) {
	in := req.GetPurchaseOrder()
	var v apperr.Violations
	p := PurchaseOrder{Supplier: in.GetSupplier(), Warehouse: in.GetWarehouse(), Remark: in.GetRemark(), Lines: linesFromProto(in.GetLines()),
		ExpectedDate: parseDate(&v, "purchase_order.expected_date", in.GetExpectedDate())}
	if err := v.Err("invalid purchase order"); err != nil {
		return nil, err
	}
	out, err := g.svc.CreatePurchaseOrder(ctx, p)
	if err != nil {
		return nil, err
	}
	return &warehousev1.CreatePurchaseOrderResponse{PurchaseOrder: poToProto(out)}, nil
}

// GetPurchaseOrder implements the RPC.
func (g *GRPC) GetPurchaseOrder(ctx context.Context, req *warehousev1.GetPurchaseOrderRequest) (*warehousev1.GetPurchaseOrderResponse, error) {
	p, err := g.svc.GetPurchaseOrder(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &warehousev1.GetPurchaseOrderResponse{PurchaseOrder: poToProto(p)}, nil
}

// ListPurchaseOrders implements the RPC.
func (g *GRPC) ListPurchaseOrders(ctx context.Context, req *warehousev1.ListPurchaseOrdersRequest) (*warehousev1.ListPurchaseOrdersResponse, error) {
	list, next, err := g.svc.ListPurchaseOrders(ctx, req.GetPageSize(), req.GetPageToken(),
		OrderFilter{Warehouse: req.GetWarehouse(), Party: req.GetSupplier(), Status: req.GetStatus()})
	if err != nil {
		return nil, err
	}
	out := &warehousev1.ListPurchaseOrdersResponse{NextPageToken: next}
	for _, p := range list {
		out.PurchaseOrders = append(out.PurchaseOrders, poToProto(p))
	}
	return out, nil
}

// CancelPurchaseOrder implements the RPC.
func (g *GRPC) CancelPurchaseOrder(ctx context.Context, req *warehousev1.CancelPurchaseOrderRequest) (*warehousev1.CancelPurchaseOrderResponse, error) {
	p, err := g.svc.CancelPurchaseOrder(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &warehousev1.CancelPurchaseOrderResponse{PurchaseOrder: poToProto(p)}, nil
}

// ResubmitPurchaseOrder implements the RPC.
func (g *GRPC) ResubmitPurchaseOrder(ctx context.Context, req *warehousev1.ResubmitPurchaseOrderRequest) (*warehousev1.ResubmitPurchaseOrderResponse, error) {
	p, err := g.svc.ResubmitPurchaseOrder(ctx, req.GetId(), linesFromProto(req.GetLines()), req.GetRemark())
	if err != nil {
		return nil, err
	}
	return &warehousev1.ResubmitPurchaseOrderResponse{PurchaseOrder: poToProto(p)}, nil
}

// CreateDeliveryOrder implements the RPC.
func (g *GRPC) CreateDeliveryOrder(ctx context.Context, req *warehousev1.CreateDeliveryOrderRequest) (*warehousev1.CreateDeliveryOrderResponse, error) {
	in := req.GetDeliveryOrder()
	var v apperr.Violations
	d := DeliveryOrder{Customer: in.GetCustomer(), Warehouse: in.GetWarehouse(), Outlet: in.GetOutlet(),
		RetailerPONumber: in.GetRetailerPoNumber(), Remark: in.GetRemark(), Lines: linesFromProto(in.GetLines()),
		RequestedDate: parseDate(&v, "delivery_order.requested_date", in.GetRequestedDate())}
	if err := v.Err("invalid delivery order"); err != nil {
		return nil, err
	}
	out, err := g.svc.CreateDeliveryOrder(ctx, d)
	if err != nil {
		return nil, err
	}
	return &warehousev1.CreateDeliveryOrderResponse{DeliveryOrder: doToProto(out)}, nil
}

// GetDeliveryOrder implements the RPC.
func (g *GRPC) GetDeliveryOrder(ctx context.Context, req *warehousev1.GetDeliveryOrderRequest) (*warehousev1.GetDeliveryOrderResponse, error) {
	d, err := g.svc.GetDeliveryOrder(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &warehousev1.GetDeliveryOrderResponse{DeliveryOrder: doToProto(d)}, nil
}

// ListDeliveryOrders implements the RPC.
func (g *GRPC) ListDeliveryOrders(ctx context.Context, req *warehousev1.ListDeliveryOrdersRequest) (*warehousev1.ListDeliveryOrdersResponse, error) {
	list, next, err := g.svc.ListDeliveryOrders(ctx, req.GetPageSize(), req.GetPageToken(),
		OrderFilter{Warehouse: req.GetWarehouse(), Party: req.GetCustomer(), Status: req.GetStatus()})
	if err != nil {
		return nil, err
	}
	out := &warehousev1.ListDeliveryOrdersResponse{NextPageToken: next}
	for _, d := range list {
		out.DeliveryOrders = append(out.DeliveryOrders, doToProto(d))
	}
	return out, nil
}

// CancelDeliveryOrder implements the RPC.
func (g *GRPC) CancelDeliveryOrder(ctx context.Context, req *warehousev1.CancelDeliveryOrderRequest) (*warehousev1.CancelDeliveryOrderResponse, error) {
	d, err := g.svc.CancelDeliveryOrder(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &warehousev1.CancelDeliveryOrderResponse{DeliveryOrder: doToProto(d)}, nil
}

// CreateTransfer implements the RPC.
func (g *GRPC) CreateTransfer(ctx context.Context, req *warehousev1.CreateTransferRequest) (*warehousev1.CreateTransferResponse, error) {
	in := req.GetTransfer()
	t, err := g.svc.CreateTransfer(ctx, Transfer{FromWarehouse: in.GetFromWarehouse(), ToWarehouse: in.GetToWarehouse(),
		Remark: in.GetRemark(), Lines: linesFromProto(in.GetLines())})
	if err != nil {
		return nil, err
	}
	return &warehousev1.CreateTransferResponse{Transfer: trToProto(t)}, nil
}

// GetTransfer implements the RPC.
func (g *GRPC) GetTransfer(ctx context.Context, req *warehousev1.GetTransferRequest) (*warehousev1.GetTransferResponse, error) {
	t, err := g.svc.GetTransfer(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &warehousev1.GetTransferResponse{Transfer: trToProto(t)}, nil
}

// CreateStocktake implements the RPC.
func (g *GRPC) CreateStocktake(ctx context.Context, req *warehousev1.CreateStocktakeRequest) (*warehousev1.CreateStocktakeResponse, error) {
	in := req.GetStocktake()
	x, err := g.svc.CreateStocktake(ctx, Stocktake{Warehouse: in.GetWarehouse(), Remark: in.GetRemark(), CountedOnly: in.GetCountedOnly()})
	if err != nil {
		return nil, err
	}
	return &warehousev1.CreateStocktakeResponse{Stocktake: stToProto(x)}, nil
}

// GetStocktake implements the RPC.
func (g *GRPC) GetStocktake(ctx context.Context, req *warehousev1.GetStocktakeRequest) (*warehousev1.GetStocktakeResponse, error) {
	x, err := g.svc.GetStocktake(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &warehousev1.GetStocktakeResponse{Stocktake: stToProto(x)}, nil
}

// CreateAdjustment implements the RPC.
func (g *GRPC) CreateAdjustment(ctx context.Context, req *warehousev1.CreateAdjustmentRequest) (*warehousev1.CreateAdjustmentResponse, error) {
	in := req.GetAdjustment()
	a := Adjustment{Warehouse: in.GetWarehouse(), Reason: in.GetReason()}
	var v apperr.Violations
	for _, l := range in.GetLines() {
		a.Lines = append(a.Lines, AdjustmentLine{Item: l.GetItem(), Lot: l.GetLot(), Quantity: l.GetQuantity(),
			UnitCost: l.GetUnitCost(), Expiry: parseDate(&v, "adjustment.lines.expiry", l.GetExpiry())})
	}
	if err := v.Err("invalid adjustment"); err != nil {
		return nil, err
	}
	r, err := g.svc.CreateAdjustment(ctx, a)
	if err != nil {
		return nil, err
	}
	out := &warehousev1.CreateAdjustmentResponse{Status: r.Adjustment.Status, ApprovalRequest: r.Adjustment.ApprovalRequest}
	if r.Document.ID != 0 {
		out.Document = docToProto(r.Document)
	}
	if r.Adjustment.ID != 0 {
		out.Adjustment = adjustmentToProto(r.Adjustment)
	}
	return out, nil
}

// GetAdjustment implements the RPC.
func (g *GRPC) GetAdjustment(ctx context.Context, req *warehousev1.GetAdjustmentRequest) (*warehousev1.GetAdjustmentResponse, error) {
	a, err := g.svc.GetAdjustment(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &warehousev1.GetAdjustmentResponse{Adjustment: adjustmentToProto(a)}, nil
}

// ListAdjustments implements the RPC.
func (g *GRPC) ListAdjustments(ctx context.Context, req *warehousev1.ListAdjustmentsRequest) (*warehousev1.ListAdjustmentsResponse, error) {
	list, next, err := g.svc.ListAdjustments(ctx, req.GetPageSize(), req.GetPageToken(),
		OrderFilter{Warehouse: req.GetWarehouse(), Status: req.GetStatus()})
	if err != nil {
		return nil, err
	}
	out := &warehousev1.ListAdjustmentsResponse{NextPageToken: next, Adjustments: []*warehousev1.Adjustment{}}
	for _, a := range list {
		out.Adjustments = append(out.Adjustments, adjustmentToProto(a))
	}
	return out, nil
}

// OpenScanSession implements the RPC.
func (g *GRPC) OpenScanSession(ctx context.Context, req *warehousev1.OpenScanSessionRequest) (*warehousev1.OpenScanSessionResponse, error) {
	in := req.GetScanSession()
	x, err := g.svc.OpenScanSession(ctx, SessionTarget{PurchaseOrder: in.GetPurchaseOrder(), DeliveryOrder: in.GetDeliveryOrder(),
		Transfer: in.GetTransfer(), Stocktake: in.GetStocktake(), Device: in.GetDevice()})
	if err != nil {
		return nil, err
	}
	return &warehousev1.OpenScanSessionResponse{ScanSession: sessionToProto(x)}, nil
}

// GetScanSession implements the RPC.
func (g *GRPC) GetScanSession(ctx context.Context, req *warehousev1.GetScanSessionRequest) (*warehousev1.GetScanSessionResponse, error) {
	x, err := g.svc.GetScanSession(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &warehousev1.GetScanSessionResponse{ScanSession: sessionToProto(x)}, nil
}

// Scan implements the RPC.
func (g *GRPC) Scan(ctx context.Context, req *warehousev1.ScanRequest) (*warehousev1.ScanResponse, error) {
	r, err := g.svc.Scan(ctx, ScanInput{Session: req.GetSession(), Code: req.GetCode(), ScanID: req.GetScanId(),
		Quantity: req.GetQuantity(), Device: req.GetDevice()})
	if err != nil {
		return nil, err
	}
	p := resultToProto(r)
	return &warehousev1.ScanResponse{Accepted: p.Accepted, Reason: p.Reason, Item: p.Item, Lot: p.Lot, Expiry: p.Expiry,
		Quantity: p.Quantity, ScanId: p.ScanId, Detail: p.Detail, Line: p.Line, Warning: p.Warning, Sku: p.Sku, Replayed: p.Replayed}, nil
}

// UndoScan implements the RPC.
func (g *GRPC) UndoScan(ctx context.Context, req *warehousev1.UndoScanRequest) (*warehousev1.UndoScanResponse, error) {
	r, err := g.svc.UndoScan(ctx, req.GetSession(), req.GetScanId())
	if err != nil {
		return nil, err
	}
	return &warehousev1.UndoScanResponse{Scan: resultToProto(r)}, nil
}

// ListScans implements the RPC.
func (g *GRPC) ListScans(ctx context.Context, req *warehousev1.ListScansRequest) (*warehousev1.ListScansResponse, error) {
	list, next, err := g.svc.ListScans(ctx, req.GetSession(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &warehousev1.ListScansResponse{NextPageToken: next}
	for _, r := range list {
		out.Scans = append(out.Scans, resultToProto(r))
	}
	return out, nil
}

// CompleteScanSession implements the RPC.
func (g *GRPC) CompleteScanSession(ctx context.Context, req *warehousev1.CompleteScanSessionRequest) (*warehousev1.CompleteScanSessionResponse, error) {
	c, err := g.svc.CompleteScanSession(ctx, req.GetId(), req.GetAllowPartial(),
		Shipping{Carrier: req.GetCarrier(), TrackingNumbers: req.GetTrackingNumbers()})
	if err != nil {
		return nil, err
	}
	out := &warehousev1.CompleteScanSessionResponse{ScanSession: sessionToProto(c.Session), Status: c.Status,
		ApprovalRequest: c.ApprovalRequest}
	if c.Document.ID != 0 {
		out.Document = docToProto(c.Document)
	}
	return out, nil
}

// CancelScanSession implements the RPC.
func (g *GRPC) CancelScanSession(ctx context.Context, req *warehousev1.CancelScanSessionRequest) (*warehousev1.CancelScanSessionResponse, error) {
	x, err := g.svc.CancelScanSession(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &warehousev1.CancelScanSessionResponse{ScanSession: sessionToProto(x)}, nil
}

// ListStock implements the RPC.
func (g *GRPC) ListStock(ctx context.Context, req *warehousev1.ListStockRequest) (*warehousev1.ListStockResponse, error) {
	levels, items, next, err := g.svc.ListStock(ctx, req.GetPageSize(), req.GetPageToken(),
		StockFilter{Warehouse: req.GetWarehouse(), Item: req.GetItem(), ShowEmpty: req.GetShowEmpty()})
	if err != nil {
		return nil, err
	}
	out := &warehousev1.ListStockResponse{NextPageToken: next, Levels: []*warehousev1.StockLevel{}, Items: []*warehousev1.ItemStock{}}
	for _, l := range levels {
		out.Levels = append(out.Levels, levelToProto(l))
	}
	for _, i := range items {
		out.Items = append(out.Items, &warehousev1.ItemStock{Item: i.Item, Warehouse: i.Warehouse, OnHand: i.OnHand,
			Reserved: i.Reserved, Available: i.OnHand - i.Reserved, Value: i.Value})
	}
	return out, nil
}

func levelToProto(l StockLevel) *warehousev1.StockLevel {
	return &warehousev1.StockLevel{Item: l.Item, Warehouse: l.Warehouse, Lot: l.Lot, Expiry: dateText(l.Expiry),
		OnHand: l.OnHand, Reserved: l.Reserved, Available: l.OnHand - l.Reserved}
}

// ListExpiringLots implements the RPC.
func (g *GRPC) ListExpiringLots(ctx context.Context, req *warehousev1.ListExpiringLotsRequest) (*warehousev1.ListExpiringLotsResponse, error) {
	lots, err := g.svc.ListExpiringLots(ctx, req.GetWithinDays(), req.GetWarehouse())
	if err != nil {
		return nil, err
	}
	out := &warehousev1.ListExpiringLotsResponse{Lots: []*warehousev1.ExpiringLot{}}
	for _, l := range lots {
		out.Lots = append(out.Lots, &warehousev1.ExpiringLot{LotId: l.LotID, Lot: l.Lot, Item: l.Item, Warehouse: l.Warehouse,
			Expiry: l.Expiry.String(), DaysLeft: l.DaysLeft, OnHand: l.OnHand, Value: l.Value})
	}
	return out, nil
}

func movementsToProto(in []TraceMovement) []*warehousev1.TraceMovement {
	out := make([]*warehousev1.TraceMovement, len(in))
	for i, m := range in {
		out[i] = &warehousev1.TraceMovement{Document: m.Document, Number: m.Number, Type: m.Type, Warehouse: m.Warehouse,
			Quantity: m.Quantity, Source: m.Source, Supplier: m.Supplier, Customer: m.Customer, Outlet: m.Outlet,
			OrderReference: m.OrderReference, PostTime: ts(m.PostTime)}
	}
	return out
}

// TraceLot implements the RPC.
func (g *GRPC) TraceLot(ctx context.Context, req *warehousev1.TraceLotRequest) (*warehousev1.TraceLotResponse, error) {
	t, err := g.svc.TraceLot(ctx, req.GetLot())
	if err != nil {
		return nil, err
	}
	out := &warehousev1.TraceLotResponse{LotId: t.LotID, Lot: t.Lot, Item: t.Item, Expiry: dateText(t.Expiry),
		Backward: movementsToProto(t.Backward), Forward: movementsToProto(t.Forward), Customers: t.Customers}
	for _, l := range t.OnHand {
		out.OnHand = append(out.OnHand, levelToProto(l))
	}
	return out, nil
}

// ListLedgerEntries implements the RPC.
func (g *GRPC) ListLedgerEntries(ctx context.Context, req *warehousev1.ListLedgerEntriesRequest) (*warehousev1.ListLedgerEntriesResponse, error) {
	list, next, err := g.svc.ListLedgerEntries(ctx, req.GetPageSize(), req.GetPageToken(), req.GetWarehouse(), req.GetItem())
	if err != nil {
		return nil, err
	}
	out := &warehousev1.ListLedgerEntriesResponse{NextPageToken: next}
	for _, e := range list {
		out.Entries = append(out.Entries, &warehousev1.LedgerEntry{Id: e.ID, Document: e.Document, Type: e.Type,
			Warehouse: e.Warehouse, Item: e.Item, Lot: e.Lot, Quantity: e.Quantity, Value: e.Value, PostTime: ts(e.PostTime)})
	}
	return out, nil
}

// GetStockDocument implements the RPC.
func (g *GRPC) GetStockDocument(ctx context.Context, req *warehousev1.GetStockDocumentRequest) (*warehousev1.GetStockDocumentResponse, error) {
	d, err := g.svc.GetStockDocument(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &warehousev1.GetStockDocumentResponse{Document: docToProto(d)}, nil
}

// ListStockDocuments implements the RPC.
func (g *GRPC) ListStockDocuments(ctx context.Context, req *warehousev1.ListStockDocumentsRequest) (*warehousev1.ListStockDocumentsResponse, error) {
	list, next, err := g.svc.ListStockDocuments(ctx, req.GetPageSize(), req.GetPageToken(), req.GetWarehouse(), req.GetType())
	if err != nil {
		return nil, err
	}
	out := &warehousev1.ListStockDocumentsResponse{NextPageToken: next}
	for _, d := range list {
		out.Documents = append(out.Documents, docToProto(d))
	}
	return out, nil
}
