package insights

import (
	"context"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	insightsv1 "github.com/erphub/erphub/api/erp/insights/v1"
)

// GRPC is the transport of insights: it converts, calls one use case, and converts back.
type GRPC struct {
	insightsv1.UnimplementedInsightsServiceServer
	svc *Service
}

// NewGRPC returns the transport of svc.
func NewGRPC(svc *Service) *GRPC { return &GRPC{svc: svc} }

// RegisterGRPC registers the gRPC service.
func (g *GRPC) RegisterGRPC(s *grpc.Server) { insightsv1.RegisterInsightsServiceServer(s, g) }

// RegisterGateway registers the HTTP routes.
func (g *GRPC) RegisterGateway(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
	return insightsv1.RegisterInsightsServiceHandlerClient(ctx, mux, insightsv1.NewInsightsServiceClient(cc))
}

func (g *GRPC) currentTo(ctx context.Context) (*timestamppb.Timestamp, error) {
	t, err := g.svc.FactsCurrentTo(ctx)
	if err != nil {
		return nil, err
	}
	return timestamppb.New(t), nil
}

// GetAbc implements the RPC.
func (g *GRPC) GetAbc(ctx context.Context, req *insightsv1.GetAbcRequest) (*insightsv1.GetAbcResponse, error) {
	at, err := g.currentTo(ctx)
	if err != nil {
		return nil, err
	}
	r, err := g.svc.GetAbc(ctx, AbcQuery{From: req.GetFrom(), To: req.GetTo(), Channel: req.GetChannel(), Basis: req.GetBasis(),
		ABp: req.GetABp(), BBp: req.GetBBp()})
	if err != nil {
		return nil, err
	}
	out := &insightsv1.GetAbcResponse{FactsCurrentTo: at, From: day(r.Period.From), To: day(r.Period.To),
		PreviousFrom: day(r.Previous.From), PreviousTo: day(r.Previous.To), Basis: r.Basis, Total: r.Total}
	for _, it := range r.Items {
		out.Items = append(out.Items, &insightsv1.AbcItem{ItemId: it.ItemID, Class: it.Class, PreviousClass: it.PreviousClass,
			Movement: it.Movement, Value: it.Value, ShareBp: it.ShareBp, CumulativeBp: it.CumulativeBp, SoldQuantity: it.SoldQty,
			ReturnedQuantity: it.ReturnedQty, NetSales: it.NetSales(), Cost: it.Cost, GrossMargin: it.Margin(),
			MarginBp: it.MarginBp, ReturnRateBp: it.ReturnRateBp, Velocity: it.Velocity, OnHand: it.OnHand, DaysOfCover: it.DaysOfCover,
			ItemSku: it.ItemSKU, ItemName: it.ItemName})
	}
	return out, nil
}

// GetCustomers implements the RPC.
func (g *GRPC) GetCustomers(ctx context.Context, req *insightsv1.GetCustomersRequest) (*insightsv1.GetCustomersResponse, error) {
	at, err := g.currentTo(ctx)
	if err != nil {
		return nil, err
	}
	r, err := g.svc.GetCustomers(ctx, CustomerQuery{From: req.GetFrom(), To: req.GetTo(), Shop: req.GetShop(),
		VIPOrders: req.GetVipOrders(), VIPSpend: req.GetVipSpend(), SplitOrders: req.GetSplitOrders(),
		SplitSpend: req.GetSplitSpend(), Quadrant: req.GetQuadrant(), Limit: req.GetLimit()})
	if err != nil {
		return nil, err
	}
	out := &insightsv1.GetCustomersResponse{FactsCurrentTo: at, From: day(r.Period.From), To: day(r.Period.To),
		Registered: r.Registered, BoughtOnce: r.Once, Repeat: r.Repeat, Vip: r.VIP, SplitOrders: r.SplitOrders, SplitSpend: r.SplitSpend}
	for _, q := range r.Quadrants {
		pq := &insightsv1.Quadrant{Name: q.Name, Buyers: q.Buyers, Spend: q.Spend}
		for _, b := range q.Members {
			pq.Members = append(pq.Members, &insightsv1.Buyer{BuyerKey: b.BuyerKey, Channel: b.Channel, Orders: b.Orders,
				Spend: b.Spend, LastOrderDate: b.LastOrder, RecencyDays: b.RecencyDays, R: b.R, F: b.F, M: b.M, Tier: b.Tier})
		}
		out.Quadrants = append(out.Quadrants, pq)
	}
	conv := func(o OutletSales) *insightsv1.OutletSales {
		return &insightsv1.OutletSales{CustomerId: o.CustomerID, OutletId: o.OutletID, Sales: o.Sales, Returns: o.Returns,
			ReturnShareBp: o.ReturnShareBp, Cost: o.Cost, CustomerName: o.CustomerName, OutletName: o.OutletName}
	}
	for _, o := range r.Outlets {
		out.Outlets = append(out.Outlets, conv(o))
	}
	for _, o := range r.Chains {
		out.Chains = append(out.Chains, conv(o))
	}
	return out, nil
}

// GetChannels implements the RPC.
func (g *GRPC) GetChannels(ctx context.Context, req *insightsv1.GetChannelsRequest) (*insightsv1.GetChannelsResponse, error) {
	at, err := g.currentTo(ctx)
	if err != nil {
		return nil, err
	}
	r, err := g.svc.GetChannels(ctx, req.GetFrom(), req.GetTo())
	if err != nil {
		return nil, err
	}
	fig := func(f Figures) *insightsv1.Figures {
		return &insightsv1.Figures{Orders: f.Orders, Buyers: f.Buyers, Gmv: f.GMV, Paid: f.Paid, AverageOrderValue: f.AverageOrderValue,
			RefundedOrders: f.RefundedOrders, RefundRateBp: f.RefundRateBp, Refunded: f.Refunded, Fees: f.Fees, Cost: f.Cost,
			MarginAfterFees: f.MarginAfterFees, Visitors: f.Visitors, AddToCart: f.AddToCart, ConversionBp: f.ConversionBp,
			CartRateBp: f.CartRateBp}
	}
	conv := func(list []ChannelFigures) []*insightsv1.ChannelFigures {
		var out []*insightsv1.ChannelFigures
		for _, c := range list {
			out = append(out, &insightsv1.ChannelFigures{ShopId: c.ShopID, Channel: c.Channel, Current: fig(c.Current),
				Previous: fig(c.Previous), PaidChangeBp: c.PaidChangeBp, LastYear: fig(c.LastYear),
				PaidYearChangeBp: c.PaidYearChangeBp, ShopName: c.ShopName})
		}
		return out
	}
	return &insightsv1.GetChannelsResponse{FactsCurrentTo: at, From: day(r.Period.From), To: day(r.Period.To),
		PreviousFrom: day(r.Previous.From), PreviousTo: day(r.Previous.To), Shops: conv(r.Shops), Platforms: conv(r.Platforms),
		LastYearFrom: day(r.LastYear.From), LastYearTo: day(r.LastYear.To)}, nil
}

// ImportShopTraffic implements the RPC.
func (g *GRPC) ImportShopTraffic(ctx context.Context, req *insightsv1.ImportShopTrafficRequest) (*insightsv1.ImportShopTrafficResponse, error) {
	t, err := g.svc.ImportTraffic(ctx, req.GetShop(), req.GetContent())
	if err != nil {
		return nil, err
	}
	return &insightsv1.ImportShopTrafficResponse{Shop: t.Shop, Days: int32(t.Days)}, nil
}

// GetReplenishment implements the RPC.
func (g *GRPC) GetReplenishment(ctx context.Context, req *insightsv1.GetReplenishmentRequest) (*insightsv1.GetReplenishmentResponse, error) {
	at, err := g.currentTo(ctx)
	if err != nil {
		return nil, err
	}
	r, err := g.svc.GetReplenishment(ctx, ReplenishmentQuery{Warehouse: req.GetWarehouse(), SafetyDays: req.GetSafetyDays(),
		ReviewDays: req.GetReviewDays()})
	if err != nil {
		return nil, err
	}
	out := &insightsv1.GetReplenishmentResponse{FactsCurrentTo: at, AsOf: day(r.AsOf), SuggestionsRunDate: r.SuggestionsRunDate}
	bySupplier := map[int64]*insightsv1.SupplierOrder{}
	for _, p := range r.Positions {
		out.Lines = append(out.Lines, &insightsv1.ReplenishmentLine{WarehouseId: p.WarehouseID, ItemId: p.ItemID,
			SupplierId: p.SupplierID, DailyDemand: p.DailyDemand, LeadTimeDays: p.LeadTimeDays, SafetyStock: p.SafetyStock,
			ReorderPoint: p.ReorderPoint, Maximum: p.Maximum, Available: p.Available, OrderQuantity: p.OrderQuantity,
			TransferQuantity: p.TransferQuantity, OnOrder: p.OnOrder, TransferIn: p.TransferIn, TransferOut: p.TransferOut,
			ItemSku: p.ItemSKU, ItemName: p.ItemName, WarehouseName: p.WarehouseName, SupplierName: p.SupplierName})
		if p.OrderQuantity > 0 {
			so, ok := bySupplier[p.SupplierID]
			if !ok {
				so = &insightsv1.SupplierOrder{SupplierId: p.SupplierID, SupplierName: p.SupplierName}
				bySupplier[p.SupplierID] = so
				out.Orders = append(out.Orders, so)
			}
			so.Lines = append(so.Lines, &insightsv1.SupplierOrderLine{WarehouseId: p.WarehouseID, ItemId: p.ItemID, Quantity: p.OrderQuantity,
				WarehouseName: p.WarehouseName, ItemSku: p.ItemSKU, ItemName: p.ItemName})
		}
	}
	for _, t := range r.Transfers {
		out.Transfers = append(out.Transfers, &insightsv1.TransferSuggestion{FromWarehouseId: t.From, ToWarehouseId: t.To,
			ItemId: t.ItemID, Quantity: t.Quantity, FromWarehouseName: t.FromName, ToWarehouseName: t.ToName, ItemSku: t.ItemSKU,
			ItemName: t.ItemName})
	}
	for _, e := range r.Expiring {
		out.Expiring = append(out.Expiring, &insightsv1.ExpiryRisk{WarehouseId: e.WarehouseID, ItemId: e.ItemID, Lot: e.Lot,
			ExpiryDate: e.Expiry, Quantity: e.Quantity, AtRiskQuantity: e.AtRisk, WarehouseName: e.WarehouseName, ItemSku: e.ItemSKU,
			ItemName: e.ItemName})
	}
	for _, x := range r.Suggestions {
		out.Suggestions = append(out.Suggestions, suggestionToProto(x))
	}
	return out, nil
}

// ExportInsight implements the RPC.
func (g *GRPC) ExportInsight(ctx context.Context, req *insightsv1.ExportInsightRequest) (*httpbody.HttpBody, error) {
	d, err := g.svc.Export(ctx, ExportQuery{Report: req.GetReport(), Format: req.GetFormat(), From: req.GetFrom(), To: req.GetTo(),
		Abc: AbcQuery{From: req.GetFrom(), To: req.GetTo(), Channel: req.GetChannel(), Basis: req.GetBasis(), ABp: req.GetABp(), BBp: req.GetBBp()},
		Customers: CustomerQuery{From: req.GetFrom(), To: req.GetTo(), Shop: req.GetShop(), Quadrant: req.GetQuadrant(),
			SplitOrders: req.GetSplitOrders(), SplitSpend: req.GetSplitSpend()},
		Replenishment: ReplenishmentQuery{Warehouse: req.GetWarehouse()}})
	if err != nil {
		return nil, err
	}
	_ = grpc.SetHeader(ctx, metadata.Pairs("content-disposition", `attachment; filename="`+d.FileName+`"`))
	return &httpbody.HttpBody{ContentType: d.ContentType, Data: d.Data}, nil
}

func suggestionToProto(s Suggestion) *insightsv1.Suggestion {
	out := &insightsv1.Suggestion{Id: s.ID, RunDate: s.RunDate, Kind: s.Kind, SupplierId: s.SupplierID, WarehouseId: s.WarehouseID,
		FromWarehouseId: s.FromWarehouseID, ItemId: s.ItemID, Lot: s.Lot, Quantity: s.Quantity, Status: s.Status, ConfirmedBy: s.ConfirmedBy,
		SupplierName: s.SupplierName, WarehouseName: s.WarehouseName, FromWarehouseName: s.FromWarehouseName, ItemSku: s.ItemSKU,
		ItemName: s.ItemName}
	if s.DocumentID != 0 {
		out.Document = &insightsv1.CreatedDocument{Type: s.DocumentType, Id: s.DocumentID, Number: s.DocumentNumber}
	}
	return out
}

// ListSuggestions implements the RPC.
func (g *GRPC) ListSuggestions(ctx context.Context, req *insightsv1.ListSuggestionsRequest) (*insightsv1.ListSuggestionsResponse, error) {
	run, list, err := g.svc.ListSuggestions(ctx, req.GetRunDate())
	if err != nil {
		return nil, err
	}
	out := &insightsv1.ListSuggestionsResponse{RunDate: run}
	for _, s := range list {
		out.Suggestions = append(out.Suggestions, suggestionToProto(s))
	}
	return out, nil
}

// ConfirmSuggestion implements the RPC.
func (g *GRPC) ConfirmSuggestion(ctx context.Context, req *insightsv1.ConfirmSuggestionRequest) (*insightsv1.ConfirmSuggestionResponse, error) {
	in := ConfirmInput{ID: req.GetId(), SupplierID: req.GetSupplierId()}
	for _, p := range req.GetPrices() {
		if in.Prices == nil {
			in.Prices = map[int64]int64{}
		}
		in.Prices[p.GetItemId()] = p.GetUnitPrice()
	}
	c, err := g.svc.ConfirmSuggestion(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &insightsv1.ConfirmSuggestionResponse{Suggestion: suggestionToProto(c.Suggestion), DocumentStatus: c.DocumentStatus}
	for _, x := range c.Confirmed {
		out.Confirmed = append(out.Confirmed, suggestionToProto(x))
	}
	return out, nil
}

// SetLeadTime implements the RPC.
func (g *GRPC) SetLeadTime(ctx context.Context, req *insightsv1.SetLeadTimeRequest) (*insightsv1.SetLeadTimeResponse, error) {
	l, err := g.svc.SetLeadTime(ctx, LeadTime{SupplierID: req.GetSupplierId(), ItemID: req.GetItemId(), Days: req.GetDays()})
	if err != nil {
		return nil, err
	}
	return &insightsv1.SetLeadTimeResponse{SupplierId: l.SupplierID, ItemId: l.ItemID, Days: l.Days}, nil
}

// RebuildFacts implements the RPC.
func (g *GRPC) RebuildFacts(ctx context.Context, _ *insightsv1.RebuildFactsRequest) (*insightsv1.RebuildFactsResponse, error) {
	r, err := g.svc.RebuildFacts(ctx)
	if err != nil {
		return nil, err
	}
	return &insightsv1.RebuildFactsResponse{Orders: r.Orders, Lines: r.Lines, Documents: r.Documents, TookMs: r.Took.Milliseconds()}, nil
}

// CheckFacts implements the RPC.
func (g *GRPC) CheckFacts(ctx context.Context, _ *insightsv1.CheckFactsRequest) (*insightsv1.CheckFactsResponse, error) {
	d, err := g.svc.Check(ctx)
	if err != nil {
		return nil, err
	}
	return &insightsv1.CheckFactsResponse{Differences: d}, nil
}
