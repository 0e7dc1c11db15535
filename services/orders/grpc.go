package orders

import (
	"context"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/erphub/erphub/api/erp/orders/v1"
	"github.com/erphub/erphub/services/orders/platform"
)

// GRPC is the transport of the order hub: it converts, calls one use case, and converts
// back.
type GRPC struct {
	ordersv1.UnimplementedOrderServiceServer
	svc *Service
}

// NewGRPC returns the transport of svc.
func NewGRPC(svc *Service) *GRPC { return &GRPC{svc: svc} }

// RegisterGRPC registers the gRPC service.
func (g *GRPC) RegisterGRPC(s *grpc.Server) { ordersv1.RegisterOrderServiceServer(s, g) }

// RegisterGateway registers the HTTP routes.
func (g *GRPC) RegisterGateway(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
	return ordersv1.RegisterOrderServiceHandlerClient(ctx, mux, ordersv1.NewOrderServiceClient(cc))
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

func timeOf(p *timestamppb.Timestamp) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.AsTime().UTC()
}

func pushedToOrder(p *ordersv1.PushedOrder) Order {
	o := Order{PlatformOrderID: p.GetPlatformOrderId(), Number: p.GetNumber(), Status: p.GetStatus(), Currency: p.GetCurrency(),
		Buyer: platform.Buyer{PlatformID: p.GetBuyer().GetPlatformId(), Nick: p.GetBuyer().GetNick(), Name: p.GetBuyer().GetName(),
			Phone: p.GetBuyer().GetPhone(), Email: p.GetBuyer().GetEmail()},
		Address: addressFromProto(p.GetAddress()), Goods: p.GetGoods(), Discount: p.GetDiscount(), Shipping: p.GetShipping(),
		Tax: p.GetTax(), Fees: p.GetFees(), Paid: p.GetPaid(), TaxIncluded: !p.GetTaxExcluded(), CreatedAt: timeOf(p.GetCreateTime()),
		PaidAt: timeOf(p.GetPayTime()), UpdatedAt: timeOf(p.GetUpdateTime()), BuyerRemark: p.GetBuyerRemark(),
		SellerRemark: p.GetSellerRemark()}
	if p.GetRaw() != "" {
		o.Raw = []byte(p.GetRaw())
	}
	for i, l := range p.GetLines() {
		o.Lines = append(o.Lines, Line{LineNo: int32(i + 1), PlatformLineID: l.GetPlatformLineId(), SKU: l.GetSku(),
			Barcode: l.GetBarcode(), Title: l.GetTitle(), Quantity: l.GetQuantity(), UnitPrice: l.GetUnitPrice(),
			Discount: l.GetDiscount(), RefundStatus: l.GetRefundStatus()})
	}
	return o
}

func addressFromProto(a *ordersv1.Address) platform.Address {
	return platform.Address{Name: a.GetName(), Phone: a.GetPhone(), Country: a.GetCountry(), Province: a.GetProvince(),
		City: a.GetCity(), District: a.GetDistrict(), Street: a.GetStreet(), PostalCode: a.GetPostalCode()}
}

func orderToProto(o Order) *ordersv1.Order {
	out := &ordersv1.Order{Id: o.ID, Shop: o.Shop, Channel: o.Channel, PlatformOrderId: o.PlatformOrderID, Status: o.Status,
		Currency: o.Currency, Buyer: &ordersv1.Buyer{PlatformId: o.Buyer.PlatformID, Nick: o.Buyer.Nick, Name: o.Buyer.Name,
			Phone: o.Buyer.Phone, Email: o.Buyer.Email},
		Address: &ordersv1.Address{Name: o.Address.Name, Phone: o.Address.Phone, Country: o.Address.Country,
			Province: o.Address.Province, City: o.Address.City, District: o.Address.District, Street: o.Address.Street,
			PostalCode: o.Address.PostalCode},
		Goods: o.Goods, Discount: o.Discount, Shipping: o.Shipping, Tax: o.Tax, Paid: o.Paid, Fees: o.Fees,
		CreateTime: ts(o.CreatedAt), PayTime: ts(o.PaidAt), PlatformUpdateTime: ts(o.UpdatedAt), BuyerRemark: o.BuyerRemark,
		SellerRemark: o.SellerRemark, Exception: o.Exception, ExceptionDetail: o.ExceptionDetail, Customer: o.Customer,
		Outlet: o.Outlet, RequestedDate: o.RequestedDate, Raw: string(o.Raw), Number: o.Number, Version: int32(o.Version),
		Lines: []*ordersv1.OrderLine{}, FulfilState: o.FulfilState, HoldReason: o.HoldReason}
	for _, f := range o.Fulfilments {
		out.Fulfilments = append(out.Fulfilments, fulfilmentToProto(f))
	}
	for _, p := range o.Pushes {
		out.Pushes = append(out.Pushes, &ordersv1.PlatformPush{Time: ts(p.At), Kind: p.Kind, Outcome: p.Outcome, Error: p.Error,
			Detail: p.Detail})
	}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, &ordersv1.OrderLine{LineNo: l.LineNo, PlatformLineId: l.PlatformLineID, Sku: l.SKU,
			Barcode: l.Barcode, Title: l.Title, Item: l.Item, Quantity: l.Quantity, UnitPrice: l.UnitPrice, Discount: l.Discount,
			RefundStatus: l.RefundStatus, ItemQuantity: l.ItemQuantity})
	}
	for _, h := range o.History {
		out.History = append(out.History, &ordersv1.HistoryEntry{Time: ts(h.At), Event: h.Event, FromStatus: h.FromStatus,
			ToStatus: h.ToStatus, PlatformUpdateTime: ts(h.PlatformUpdateTime), Source: h.Source, Detail: h.Detail})
	}
	return out
}

func resultsToProto(rs []PushResult) []*ordersv1.PushResult {
	out := make([]*ordersv1.PushResult, len(rs))
	for i, r := range rs {
		out[i] = &ordersv1.PushResult{PlatformOrderId: r.PlatformOrderID, Outcome: r.Outcome, Order: r.Order, Reason: r.Reason}
	}
	return out
}

// PushOrders implements the RPC.
func (g *GRPC) PushOrders(ctx context.Context, req *ordersv1.PushOrdersRequest) (*ordersv1.PushOrdersResponse, error) {
	in := make([]Order, len(req.GetOrders()))
	for i, p := range req.GetOrders() {
		in[i] = pushedToOrder(p)
	}
	rs, err := g.svc.PushOrders(ctx, req.GetShop(), in)
	if err != nil {
		return nil, err
	}
	return &ordersv1.PushOrdersResponse{Results: resultsToProto(rs)}, nil
}

// GetOrder implements the RPC.
func (g *GRPC) GetOrder(ctx context.Context, req *ordersv1.GetOrderRequest) (*ordersv1.GetOrderResponse, error) {
	o, err := g.svc.GetOrder(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &ordersv1.GetOrderResponse{Order: orderToProto(o)}, nil
}

// ListOrders implements the RPC.
func (g *GRPC) ListOrders(ctx context.Context, req *ordersv1.ListOrdersRequest) (*ordersv1.ListOrdersResponse, error) {
	list, next, err := g.svc.ListOrders(ctx, req.GetPageSize(), req.GetPageToken(), OrderFilter{Shop: req.GetShop(),
		Channel: req.GetChannel(), Status: req.GetStatus(), PlatformOrderID: req.GetPlatformOrderId(),
		PhoneTail: req.GetBuyerPhoneTail(), CreatedAfter: timeOf(req.GetCreatedAfter()), CreatedBefore: timeOf(req.GetCreatedBefore()),
		ExceptionsOnly: req.GetExceptionsOnly(), Customer: req.GetCustomer(), FulfilState: req.GetFulfilState()})
	if err != nil {
		return nil, err
	}
	out := &ordersv1.ListOrdersResponse{NextPageToken: next, Orders: []*ordersv1.Order{}}
	for _, o := range list {
		out.Orders = append(out.Orders, orderToProto(o))
	}
	return out, nil
}

func mappingToProto(m Mapping) *ordersv1.SkuMapping {
	return &ordersv1.SkuMapping{Shop: m.Shop, Sku: m.SKU, Item: m.Item, Quantity: m.Quantity, UpdateTime: ts(m.UpdateTime)}
}

// SetSkuMapping implements the RPC.
func (g *GRPC) SetSkuMapping(ctx context.Context, req *ordersv1.SetSkuMappingRequest) (*ordersv1.SetSkuMappingResponse, error) {
	m := req.GetMapping()
	out, resolved, err := g.svc.SetSkuMapping(ctx, req.GetShop(), Mapping{SKU: m.GetSku(), Item: m.GetItem(), Quantity: m.GetQuantity()})
	if err != nil {
		return nil, err
	}
	return &ordersv1.SetSkuMappingResponse{Mapping: mappingToProto(out), ResolvedOrders: int32(resolved)}, nil
}

// ListSkuMappings implements the RPC.
func (g *GRPC) ListSkuMappings(ctx context.Context, req *ordersv1.ListSkuMappingsRequest) (*ordersv1.ListSkuMappingsResponse, error) {
	list, next, err := g.svc.ListSkuMappings(ctx, req.GetShop(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &ordersv1.ListSkuMappingsResponse{NextPageToken: next}
	for _, m := range list {
		out.Mappings = append(out.Mappings, mappingToProto(m))
	}
	return out, nil
}

// DeleteSkuMapping implements the RPC.
func (g *GRPC) DeleteSkuMapping(ctx context.Context, req *ordersv1.DeleteSkuMappingRequest) (*ordersv1.DeleteSkuMappingResponse, error) {
	if err := g.svc.DeleteSkuMapping(ctx, req.GetShop(), req.GetSku()); err != nil {
		return nil, err
	}
	return &ordersv1.DeleteSkuMappingResponse{}, nil
}

func connectionToProto(c Connection) *ordersv1.ShopConnection {
	return &ordersv1.ShopConnection{Shop: c.Shop, BaseUrl: c.BaseURL, AppKey: c.AppKey, Enabled: c.Enabled,
		Cursor: tsPtr(c.Cursor), NextPullTime: tsPtr(c.NextPull), Failures: c.Failures, OverlapSeconds: c.OverlapSeconds}
}

// SetShopConnection implements the RPC.
func (g *GRPC) SetShopConnection(ctx context.Context, req *ordersv1.SetShopConnectionRequest) (*ordersv1.SetShopConnectionResponse, error) {
	c := req.GetConnection()
	out, err := g.svc.SetShopConnection(ctx, req.GetShop(), Connection{BaseURL: c.GetBaseUrl(), AppKey: c.GetAppKey(),
		AppSecret: c.GetAppSecret(), AccessToken: c.GetAccessToken(), Enabled: c.GetEnabled(), OverlapSeconds: c.GetOverlapSeconds()})
	if err != nil {
		return nil, err
	}
	return &ordersv1.SetShopConnectionResponse{Connection: connectionToProto(out)}, nil
}

// GetShopConnection implements the RPC.
func (g *GRPC) GetShopConnection(ctx context.Context, req *ordersv1.GetShopConnectionRequest) (*ordersv1.GetShopConnectionResponse, error) {
	c, err := g.svc.GetShopConnection(ctx, req.GetShop())
	if err != nil {
		return nil, err
	}
	return &ordersv1.GetShopConnectionResponse{Connection: connectionToProto(c)}, nil
}

// ListPullRuns implements the RPC.
func (g *GRPC) ListPullRuns(ctx context.Context, req *ordersv1.ListPullRunsRequest) (*ordersv1.ListPullRunsResponse, error) {
	runs, err := g.svc.ListPullRuns(ctx, req.GetShop(), req.GetPageSize())
	if err != nil {
		return nil, err
	}
	out := &ordersv1.ListPullRunsResponse{}
	for _, r := range runs {
		out.Runs = append(out.Runs, &ordersv1.PullRun{Id: r.ID, WindowFrom: ts(r.WindowFrom), WindowTo: ts(r.WindowTo),
			StartTime: ts(r.StartedAt), FinishTime: tsPtr(r.FinishedAt), Seen: r.Seen, Created: r.Created, Updated: r.Updated,
			Errors: r.Errors, Error: r.Error, Pages: r.Pages})
	}
	return out, nil
}

// ImportRetailerOrders implements the RPC.
func (g *GRPC) ImportRetailerOrders(ctx context.Context, req *ordersv1.ImportRetailerOrdersRequest) (*ordersv1.ImportRetailerOrdersResponse, error) {
	rs, err := g.svc.ImportRetailerOrders(ctx, req.GetCustomer(), req.GetCsv())
	if err != nil {
		return nil, err
	}
	return &ordersv1.ImportRetailerOrdersResponse{Results: resultsToProto(rs)}, nil
}

func fulfilmentToProto(f Fulfilment) *ordersv1.Fulfilment {
	out := &ordersv1.Fulfilment{Id: f.ID, Shop: f.Shop, Warehouse: f.Warehouse, DeliveryOrder: f.DeliveryOrder, State: f.State,
		Carrier: f.Carrier, TrackingNumbers: f.Tracking, ShipTime: tsPtr(f.ShipTime)}
	for _, l := range f.Lines {
		out.Lines = append(out.Lines, &ordersv1.FulfilmentLine{Order: l.Order, LineNo: l.LineNo, Item: l.Item, Quantity: l.Quantity})
	}
	return out
}

// ReleaseOrder implements the RPC.
func (g *GRPC) ReleaseOrder(ctx context.Context, req *ordersv1.ReleaseOrderRequest) (*ordersv1.ReleaseOrderResponse, error) {
	o, err := g.svc.ReleaseOrder(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &ordersv1.ReleaseOrderResponse{Order: orderToProto(o)}, nil
}

// CancelOrder implements the RPC.
func (g *GRPC) CancelOrder(ctx context.Context, req *ordersv1.CancelOrderRequest) (*ordersv1.CancelOrderResponse, error) {
	o, err := g.svc.CancelOrder(ctx, req.GetId(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &ordersv1.CancelOrderResponse{Order: orderToProto(o)}, nil
}

func policyToProto(p Policy) *ordersv1.ShopPolicy {
	return &ordersv1.ShopPolicy{Shop: p.Shop, HoldBuyerRemarks: p.HoldRemarks, HoldAmountAbove: p.HoldAmountAbove,
		DeliveryProvinces: p.DeliveryProvinces, MergeOrders: p.Merge, SplitByWarehouse: p.Split, Warehouses: p.Warehouses,
		StockWarehouses: p.StockWarehouses, StockSharePercent: p.SharePercent, SafetyStock: p.SafetyStock}
}

// GetShopPolicy implements the RPC.
func (g *GRPC) GetShopPolicy(ctx context.Context, req *ordersv1.GetShopPolicyRequest) (*ordersv1.GetShopPolicyResponse, error) {
	p, err := g.svc.GetShopPolicy(ctx, req.GetShop())
	if err != nil {
		return nil, err
	}
	return &ordersv1.GetShopPolicyResponse{Policy: policyToProto(p)}, nil
}

// SetShopPolicy implements the RPC.
func (g *GRPC) SetShopPolicy(ctx context.Context, req *ordersv1.SetShopPolicyRequest) (*ordersv1.SetShopPolicyResponse, error) {
	in := req.GetPolicy()
	p, err := g.svc.SetShopPolicy(ctx, req.GetShop(), Policy{HoldRemarks: in.GetHoldBuyerRemarks(),
		HoldAmountAbove: in.GetHoldAmountAbove(), DeliveryProvinces: in.GetDeliveryProvinces(), Merge: in.GetMergeOrders(),
		Split: in.GetSplitByWarehouse(), Warehouses: in.GetWarehouses(), StockWarehouses: in.GetStockWarehouses(),
		SharePercent: in.GetStockSharePercent(), SafetyStock: in.GetSafetyStock()})
	if err != nil {
		return nil, err
	}
	return &ordersv1.SetShopPolicyResponse{Policy: policyToProto(p)}, nil
}

// ListShopStock implements the RPC.
func (g *GRPC) ListShopStock(ctx context.Context, req *ordersv1.ListShopStockRequest) (*ordersv1.ListShopStockResponse, error) {
	levels, err := g.svc.ListShopStock(ctx, req.GetShop())
	if err != nil {
		return nil, err
	}
	out := &ordersv1.ListShopStockResponse{Levels: []*ordersv1.ShopStockLevel{}}
	for _, l := range levels {
		out.Levels = append(out.Levels, &ordersv1.ShopStockLevel{Sku: l.SKU, Item: l.Item, Available: l.Available,
			Pushed: l.Pushed, PushTime: tsPtr(l.PushTime)})
	}
	return out, nil
}

// ListShipments implements the RPC.
func (g *GRPC) ListShipments(ctx context.Context, req *ordersv1.ListShipmentsRequest) (*ordersv1.ListShipmentsResponse, error) {
	list, next, err := g.svc.ListShipments(ctx, req.GetShop(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &ordersv1.ListShipmentsResponse{NextPageToken: next, Shipments: []*ordersv1.Fulfilment{}}
	for _, f := range list {
		out.Shipments = append(out.Shipments, fulfilmentToProto(f))
	}
	return out, nil
}
