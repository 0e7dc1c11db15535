package catalog

import (
	"context"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/erphub/erphub/api/erp/catalog/v1"
	"github.com/erphub/erphub/internal/mask"
	"github.com/erphub/erphub/internal/money"
)

// GRPC is the transport of the catalog service: it converts, calls one use case, and
// converts back.
type GRPC struct {
	catalogv1.UnimplementedCatalogServiceServer
	svc *Service
}

// NewGRPC returns the transport of svc.
func NewGRPC(svc *Service) *GRPC { return &GRPC{svc: svc} }

// RegisterGRPC registers the gRPC service.
func (g *GRPC) RegisterGRPC(s *grpc.Server) { catalogv1.RegisterCatalogServiceServer(s, g) }

// RegisterGateway registers the HTTP routes.
func (g *GRPC) RegisterGateway(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
	return catalogv1.RegisterCatalogServiceHandlerClient(ctx, mux, catalogv1.NewCatalogServiceClient(cc))
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// listOf converts a page of domain values.
func listOf[D any, P any](in []D, conv func(D) *P) []*P {
	out := make([]*P, len(in))
	for i, d := range in {
		out[i] = conv(d)
	}
	return out
}

// ---- branches ----

func branchToProto(b Branch) *catalogv1.Branch {
	return &catalogv1.Branch{Id: b.ID, Code: b.Code, Name: b.Name, City: b.City, Address: b.Address,
		Archived: b.Archived, Etag: b.Etag(), CreateTime: ts(b.CreateTime), UpdateTime: ts(b.UpdateTime)}
}

func branchFromProto(p *catalogv1.Branch) Branch {
	return Branch{Meta: Meta{ID: p.GetId()}, Code: p.GetCode(), Name: p.GetName(), City: p.GetCity(), Address: p.GetAddress()}
}

// CreateBranch implements the RPC.
func (g *GRPC) CreateBranch(ctx context.Context, req *catalogv1.CreateBranchRequest) (*catalogv1.CreateBranchResponse, error) {
	b, err := g.svc.CreateBranch(ctx, branchFromProto(req.GetBranch()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateBranchResponse{Branch: branchToProto(b)}, nil
}

// GetBranch implements the RPC.
func (g *GRPC) GetBranch(ctx context.Context, req *catalogv1.GetBranchRequest) (*catalogv1.GetBranchResponse, error) {
	b, err := g.svc.GetBranch(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetBranchResponse{Branch: branchToProto(b)}, nil
}

// ListBranches implements the RPC.
func (g *GRPC) ListBranches(ctx context.Context, req *catalogv1.ListBranchesRequest) (*catalogv1.ListBranchesResponse, error) {
	list, next, err := g.svc.ListBranches(ctx, req.GetPageSize(), req.GetPageToken(), req.GetShowArchived())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ListBranchesResponse{Branches: listOf(list, branchToProto), NextPageToken: next}, nil
}

// UpdateBranch implements the RPC.
func (g *GRPC) UpdateBranch(ctx context.Context, req *catalogv1.UpdateBranchRequest) (*catalogv1.UpdateBranchResponse, error) {
	b, err := g.svc.UpdateBranch(ctx, branchFromProto(req.GetBranch()), req.GetBranch().GetEtag(), mask.From(req.GetUpdateMask(), req.GetBranch()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateBranchResponse{Branch: branchToProto(b)}, nil
}

// ArchiveBranch implements the RPC.
func (g *GRPC) ArchiveBranch(ctx context.Context, req *catalogv1.ArchiveBranchRequest) (*catalogv1.ArchiveBranchResponse, error) {
	b, err := g.svc.ArchiveBranch(ctx, req.GetId(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ArchiveBranchResponse{Branch: branchToProto(b)}, nil
}

// ---- warehouses ----

func warehouseToProto(w Warehouse) *catalogv1.Warehouse {
	return &catalogv1.Warehouse{Id: w.ID, Code: w.Code, Name: w.Name, Branch: w.Branch,
		AllowNegativeStock: w.AllowNegativeStock, Address: w.Address, Archived: w.Archived, Etag: w.Etag(),
		CreateTime: ts(w.CreateTime), UpdateTime: ts(w.UpdateTime), FefoPolicy: w.FEFOPolicy}
}

func warehouseFromProto(p *catalogv1.Warehouse) Warehouse {
	return Warehouse{Meta: Meta{ID: p.GetId()}, Code: p.GetCode(), Name: p.GetName(), Branch: p.GetBranch(),
		AllowNegativeStock: p.GetAllowNegativeStock(), Address: p.GetAddress(), FEFOPolicy: p.GetFefoPolicy()}
}

// CreateWarehouse implements the RPC.
func (g *GRPC) CreateWarehouse(ctx context.Context, req *catalogv1.CreateWarehouseRequest) (*catalogv1.CreateWarehouseResponse, error) {
	w, err := g.svc.CreateWarehouse(ctx, warehouseFromProto(req.GetWarehouse()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateWarehouseResponse{Warehouse: warehouseToProto(w)}, nil
}

// GetWarehouse implements the RPC.
func (g *GRPC) GetWarehouse(ctx context.Context, req *catalogv1.GetWarehouseRequest) (*catalogv1.GetWarehouseResponse, error) {
	w, err := g.svc.GetWarehouse(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetWarehouseResponse{Warehouse: warehouseToProto(w)}, nil
}

// ListWarehouses implements the RPC.
func (g *GRPC) ListWarehouses(ctx context.Context, req *catalogv1.ListWarehousesRequest) (*catalogv1.ListWarehousesResponse, error) {
	list, next, err := g.svc.ListWarehouses(ctx, req.GetPageSize(), req.GetPageToken(), req.GetBranch(), req.GetShowArchived())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ListWarehousesResponse{Warehouses: listOf(list, warehouseToProto), NextPageToken: next}, nil
}

// UpdateWarehouse implements the RPC.
func (g *GRPC) UpdateWarehouse(ctx context.Context, req *catalogv1.UpdateWarehouseRequest) (*catalogv1.UpdateWarehouseResponse, error) {
	w, err := g.svc.UpdateWarehouse(ctx, warehouseFromProto(req.GetWarehouse()), req.GetWarehouse().GetEtag(),
		mask.From(req.GetUpdateMask(), req.GetWarehouse()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateWarehouseResponse{Warehouse: warehouseToProto(w)}, nil
}

// ArchiveWarehouse implements the RPC.
func (g *GRPC) ArchiveWarehouse(ctx context.Context, req *catalogv1.ArchiveWarehouseRequest) (*catalogv1.ArchiveWarehouseResponse, error) {
	w, err := g.svc.ArchiveWarehouse(ctx, req.GetId(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ArchiveWarehouseResponse{Warehouse: warehouseToProto(w)}, nil
}

// ---- items ----

func itemToProto(it Item) *catalogv1.Item {
	p := &catalogv1.Item{Id: it.ID, Sku: it.SKU, Name: it.Name, Unit: it.Unit, Weighed: it.Weighed,
		LotTracked: it.LotTracked, ShelfLifeDays: it.ShelfLifeDays, VatRateBp: it.VATRateBp, Category: it.Category,
		Active: it.Active, Archived: it.Archived, Etag: it.Etag(), CreateTime: ts(it.CreateTime), UpdateTime: ts(it.UpdateTime),
		Barcodes: []string{}, PackBarcodes: []*catalogv1.PackBarcode{}, ScaleCodes: []*catalogv1.ScaleCode{}, FloorPrice: it.FloorPrice}
	for _, c := range it.ScaleCodes {
		p.ScaleCodes = append(p.ScaleCodes, &catalogv1.ScaleCode{Prefix: c.Prefix, ItemCode: c.ItemCode,
			ValueDigits: c.ValueDigits, Kind: c.Kind, PriceCheck: c.PriceCheck, UnitPrice: c.UnitPrice})
	}
	for _, b := range it.Barcodes {
		if b.Quantity == money.MilliPerUnit {
			p.Barcodes = append(p.Barcodes, b.Code)
		} else {
			p.PackBarcodes = append(p.PackBarcodes, &catalogv1.PackBarcode{Code: b.Code, Quantity: b.Quantity})
		}
	}
	return p
}

func itemFromProto(p *catalogv1.Item) Item {
	it := Item{Meta: Meta{ID: p.GetId()}, SKU: p.GetSku(), Name: p.GetName(), Unit: p.GetUnit(), Weighed: p.GetWeighed(),
		LotTracked: p.GetLotTracked(), ShelfLifeDays: p.GetShelfLifeDays(), VATRateBp: p.GetVatRateBp(),
		Category: p.GetCategory(), Active: p.GetActive(), FloorPrice: p.GetFloorPrice()}
	for _, c := range p.GetBarcodes() {
		it.Barcodes = append(it.Barcodes, Barcode{Code: c, Quantity: money.MilliPerUnit})
	}
	for _, pb := range p.GetPackBarcodes() {
		it.Barcodes = append(it.Barcodes, Barcode{Code: pb.GetCode(), Quantity: pb.GetQuantity()})
	}
	for _, c := range p.GetScaleCodes() {
		it.ScaleCodes = append(it.ScaleCodes, ScaleCode{Prefix: c.GetPrefix(), ItemCode: c.GetItemCode(),
			ValueDigits: c.GetValueDigits(), Kind: c.GetKind(), PriceCheck: c.GetPriceCheck(), UnitPrice: c.GetUnitPrice()})
	}
	return it
}

// CreateItem implements the RPC. A new item is active unless the request says otherwise
// explicitly (proto3 cannot tell an absent false, so creation always starts active).
func (g *GRPC) CreateItem(ctx context.Context, req *catalogv1.CreateItemRequest) (*catalogv1.CreateItemResponse, error) {
	in := itemFromProto(req.GetItem())
	in.Active = true
	it, err := g.svc.CreateItem(ctx, in)
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateItemResponse{Item: itemToProto(it)}, nil
}

// GetItem implements the RPC.
func (g *GRPC) GetItem(ctx context.Context, req *catalogv1.GetItemRequest) (*catalogv1.GetItemResponse, error) {
	it, err := g.svc.GetItem(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetItemResponse{Item: itemToProto(it)}, nil
}

// ListItems implements the RPC.
func (g *GRPC) ListItems(ctx context.Context, req *catalogv1.ListItemsRequest) (*catalogv1.ListItemsResponse, error) {
	list, next, err := g.svc.ListItems(ctx, req.GetPageSize(), req.GetPageToken(), ItemFilter{SKU: req.GetSku(),
		Barcode: req.GetBarcode(), Query: req.GetQuery(), Category: req.GetCategory(), ShowArchived: req.GetShowArchived()})
	if err != nil {
		return nil, err
	}
	return &catalogv1.ListItemsResponse{Items: listOf(list, itemToProto), NextPageToken: next}, nil
}

// UpdateItem implements the RPC.
func (g *GRPC) UpdateItem(ctx context.Context, req *catalogv1.UpdateItemRequest) (*catalogv1.UpdateItemResponse, error) {
	it, err := g.svc.UpdateItem(ctx, itemFromProto(req.GetItem()), req.GetItem().GetEtag(), mask.From(req.GetUpdateMask(), req.GetItem()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateItemResponse{Item: itemToProto(it)}, nil
}

// ArchiveItem implements the RPC.
func (g *GRPC) ArchiveItem(ctx context.Context, req *catalogv1.ArchiveItemRequest) (*catalogv1.ArchiveItemResponse, error) {
	it, err := g.svc.ArchiveItem(ctx, req.GetId(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ArchiveItemResponse{Item: itemToProto(it)}, nil
}

// ---- customers ----

func customerToProto(c Customer) *catalogv1.Customer {
	return &catalogv1.Customer{Id: c.ID, Code: c.Code, Name: c.Name, Kind: c.Kind, TaxId: c.TaxID, CreditLimit: c.CreditLimit,
		Settlement:                &catalogv1.SettlementTerms{Cycle: c.Settlement.Cycle, ClosingDay: c.Settlement.ClosingDay, DueDays: c.Settlement.DueDays},
		MinRemainingShelfLifeDays: c.MinRemainingShelfLifeDays, Contact: c.Contact, Phone: c.Phone, Address: c.Address,
		Archived: c.Archived, Etag: c.Etag(), CreateTime: ts(c.CreateTime), UpdateTime: ts(c.UpdateTime)}
}

func customerFromProto(p *catalogv1.Customer) Customer {
	st := p.GetSettlement()
	return Customer{Meta: Meta{ID: p.GetId()}, Code: p.GetCode(), Name: p.GetName(), Kind: p.GetKind(), TaxID: p.GetTaxId(),
		CreditLimit: p.GetCreditLimit(), Settlement: SettlementTerms{Cycle: st.GetCycle(), ClosingDay: st.GetClosingDay(), DueDays: st.GetDueDays()},
		MinRemainingShelfLifeDays: p.GetMinRemainingShelfLifeDays(), Contact: p.GetContact(), Phone: p.GetPhone(), Address: p.GetAddress()}
}

// CreateCustomer implements the RPC.
func (g *GRPC) CreateCustomer(ctx context.Context, req *catalogv1.CreateCustomerRequest) (*catalogv1.CreateCustomerResponse, error) {
	c, err := g.svc.CreateCustomer(ctx, customerFromProto(req.GetCustomer()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateCustomerResponse{Customer: customerToProto(c)}, nil
}

// GetCustomer implements the RPC.
func (g *GRPC) GetCustomer(ctx context.Context, req *catalogv1.GetCustomerRequest) (*catalogv1.GetCustomerResponse, error) {
	c, err := g.svc.GetCustomer(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetCustomerResponse{Customer: customerToProto(c)}, nil
}

// ListCustomers implements the RPC.
func (g *GRPC) ListCustomers(ctx context.Context, req *catalogv1.ListCustomersRequest) (*catalogv1.ListCustomersResponse, error) {
	list, next, err := g.svc.ListCustomers(ctx, req.GetPageSize(), req.GetPageToken(), req.GetKind(), req.GetQuery(), req.GetShowArchived())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ListCustomersResponse{Customers: listOf(list, customerToProto), NextPageToken: next}, nil
}

// UpdateCustomer implements the RPC.
func (g *GRPC) UpdateCustomer(ctx context.Context, req *catalogv1.UpdateCustomerRequest) (*catalogv1.UpdateCustomerResponse, error) {
	c, err := g.svc.UpdateCustomer(ctx, customerFromProto(req.GetCustomer()), req.GetCustomer().GetEtag(),
		mask.From(req.GetUpdateMask(), req.GetCustomer()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateCustomerResponse{Customer: customerToProto(c)}, nil
}

// ArchiveCustomer implements the RPC.
func (g *GRPC) ArchiveCustomer(ctx context.Context, req *catalogv1.ArchiveCustomerRequest) (*catalogv1.ArchiveCustomerResponse, error) {
	c, err := g.svc.ArchiveCustomer(ctx, req.GetId(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ArchiveCustomerResponse{Customer: customerToProto(c)}, nil
}

// ---- outlets ----

func outletToProto(o Outlet) *catalogv1.Outlet {
	return &catalogv1.Outlet{Id: o.ID, Customer: o.Customer, Code: o.Code, Name: o.Name, City: o.City, Address: o.Address,
		Contact: o.Contact, Phone: o.Phone, Archived: o.Archived, Etag: o.Etag(), CreateTime: ts(o.CreateTime), UpdateTime: ts(o.UpdateTime)}
}

func outletFromProto(p *catalogv1.Outlet) Outlet {
	return Outlet{Meta: Meta{ID: p.GetId()}, Customer: p.GetCustomer(), Code: p.GetCode(), Name: p.GetName(), City: p.GetCity(),
		Address: p.GetAddress(), Contact: p.GetContact(), Phone: p.GetPhone()}
}

// CreateOutlet implements the RPC.
func (g *GRPC) CreateOutlet(ctx context.Context, req *catalogv1.CreateOutletRequest) (*catalogv1.CreateOutletResponse, error) {
	o, err := g.svc.CreateOutlet(ctx, outletFromProto(req.GetOutlet()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateOutletResponse{Outlet: outletToProto(o)}, nil
}

// GetOutlet implements the RPC.
func (g *GRPC) GetOutlet(ctx context.Context, req *catalogv1.GetOutletRequest) (*catalogv1.GetOutletResponse, error) {
	o, err := g.svc.GetOutlet(ctx, req.GetCustomer(), req.GetId())
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetOutletResponse{Outlet: outletToProto(o)}, nil
}

// ListOutlets implements the RPC.
func (g *GRPC) ListOutlets(ctx context.Context, req *catalogv1.ListOutletsRequest) (*catalogv1.ListOutletsResponse, error) {
	list, next, err := g.svc.ListOutlets(ctx, req.GetCustomer(), req.GetPageSize(), req.GetPageToken(), req.GetQuery(), req.GetShowArchived())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ListOutletsResponse{Outlets: listOf(list, outletToProto), NextPageToken: next}, nil
}

// UpdateOutlet implements the RPC.
func (g *GRPC) UpdateOutlet(ctx context.Context, req *catalogv1.UpdateOutletRequest) (*catalogv1.UpdateOutletResponse, error) {
	o, err := g.svc.UpdateOutlet(ctx, outletFromProto(req.GetOutlet()), req.GetOutlet().GetEtag(), mask.From(req.GetUpdateMask(), req.GetOutlet()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateOutletResponse{Outlet: outletToProto(o)}, nil
}

// ArchiveOutlet implements the RPC.
func (g *GRPC) ArchiveOutlet(ctx context.Context, req *catalogv1.ArchiveOutletRequest) (*catalogv1.ArchiveOutletResponse, error) {
	o, err := g.svc.ArchiveOutlet(ctx, req.GetCustomer(), req.GetId(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ArchiveOutletResponse{Outlet: outletToProto(o)}, nil
}

// ---- suppliers ----

func supplierToProto(s Supplier) *catalogv1.Supplier {
	return &catalogv1.Supplier{Id: s.ID, Code: s.Code, Name: s.Name, TaxId: s.TaxID, PaymentDueDays: s.PaymentDueDays,
		Contact: s.Contact, Phone: s.Phone, Address: s.Address, Archived: s.Archived, Etag: s.Etag(),
		CreateTime: ts(s.CreateTime), UpdateTime: ts(s.UpdateTime)}
}

func supplierFromProto(p *catalogv1.Supplier) Supplier {
	return Supplier{Meta: Meta{ID: p.GetId()}, Code: p.GetCode(), Name: p.GetName(), TaxID: p.GetTaxId(),
		PaymentDueDays: p.GetPaymentDueDays(), Contact: p.GetContact(), Phone: p.GetPhone(), Address: p.GetAddress()}
}

// CreateSupplier implements the RPC.
func (g *GRPC) CreateSupplier(ctx context.Context, req *catalogv1.CreateSupplierRequest) (*catalogv1.CreateSupplierResponse, error) {
	s, err := g.svc.CreateSupplier(ctx, supplierFromProto(req.GetSupplier()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateSupplierResponse{Supplier: supplierToProto(s)}, nil
}

// GetSupplier implements the RPC.
func (g *GRPC) GetSupplier(ctx context.Context, req *catalogv1.GetSupplierRequest) (*catalogv1.GetSupplierResponse, error) {
	s, err := g.svc.GetSupplier(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetSupplierResponse{Supplier: supplierToProto(s)}, nil
}

// ListSuppliers implements the RPC.
func (g *GRPC) ListSuppliers(ctx context.Context, req *catalogv1.ListSuppliersRequest) (*catalogv1.ListSuppliersResponse, error) {
	list, next, err := g.svc.ListSuppliers(ctx, req.GetPageSize(), req.GetPageToken(), req.GetQuery(), req.GetShowArchived())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ListSuppliersResponse{Suppliers: listOf(list, supplierToProto), NextPageToken: next}, nil
}

// UpdateSupplier implements the RPC.
func (g *GRPC) UpdateSupplier(ctx context.Context, req *catalogv1.UpdateSupplierRequest) (*catalogv1.UpdateSupplierResponse, error) {
	s, err := g.svc.UpdateSupplier(ctx, supplierFromProto(req.GetSupplier()), req.GetSupplier().GetEtag(),
		mask.From(req.GetUpdateMask(), req.GetSupplier()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateSupplierResponse{Supplier: supplierToProto(s)}, nil
}

// ArchiveSupplier implements the RPC.
func (g *GRPC) ArchiveSupplier(ctx context.Context, req *catalogv1.ArchiveSupplierRequest) (*catalogv1.ArchiveSupplierResponse, error) {
	s, err := g.svc.ArchiveSupplier(ctx, req.GetId(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ArchiveSupplierResponse{Supplier: supplierToProto(s)}, nil
}

// ---- shops ----

func shopToProto(s Shop) *catalogv1.Shop {
	return &catalogv1.Shop{Id: s.ID, Code: s.Code, Name: s.Name, Platform: s.Platform, Branch: s.Branch,
		DefaultWarehouse: s.DefaultWarehouse, PlatformShopId: s.PlatformShopID, Archived: s.Archived, Etag: s.Etag(),
		CreateTime: ts(s.CreateTime), UpdateTime: ts(s.UpdateTime), HasWebhookSecret: s.HasWebhookSecret, Customer: s.Customer}
}

func shopFromProto(p *catalogv1.Shop) Shop {
	return Shop{Meta: Meta{ID: p.GetId()}, Code: p.GetCode(), Name: p.GetName(), Platform: p.GetPlatform(), Branch: p.GetBranch(),
		DefaultWarehouse: p.GetDefaultWarehouse(), PlatformShopID: p.GetPlatformShopId(), WebhookSecret: p.GetWebhookSecret(),
		HasWebhookSecret: p.GetWebhookSecret() != "", Customer: p.GetCustomer()}
}

// CreateShop implements the RPC.
func (g *GRPC) CreateShop(ctx context.Context, req *catalogv1.CreateShopRequest) (*catalogv1.CreateShopResponse, error) {
	s, err := g.svc.CreateShop(ctx, shopFromProto(req.GetShop()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateShopResponse{Shop: shopToProto(s)}, nil
}

// GetShop implements the RPC.
func (g *GRPC) GetShop(ctx context.Context, req *catalogv1.GetShopRequest) (*catalogv1.GetShopResponse, error) {
	s, err := g.svc.GetShop(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetShopResponse{Shop: shopToProto(s)}, nil
}

// ListShops implements the RPC.
func (g *GRPC) ListShops(ctx context.Context, req *catalogv1.ListShopsRequest) (*catalogv1.ListShopsResponse, error) {
	list, next, err := g.svc.ListShops(ctx, req.GetPageSize(), req.GetPageToken(), req.GetPlatform(), req.GetBranch(), req.GetShowArchived())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ListShopsResponse{Shops: listOf(list, shopToProto), NextPageToken: next}, nil
}

// UpdateShop implements the RPC.
func (g *GRPC) UpdateShop(ctx context.Context, req *catalogv1.UpdateShopRequest) (*catalogv1.UpdateShopResponse, error) {
	s, err := g.svc.UpdateShop(ctx, shopFromProto(req.GetShop()), req.GetShop().GetEtag(), mask.From(req.GetUpdateMask(), req.GetShop()))
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateShopResponse{Shop: shopToProto(s)}, nil
}

// ArchiveShop implements the RPC.
func (g *GRPC) ArchiveShop(ctx context.Context, req *catalogv1.ArchiveShopRequest) (*catalogv1.ArchiveShopResponse, error) {
	s, err := g.svc.ArchiveShop(ctx, req.GetId(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ArchiveShopResponse{Shop: shopToProto(s)}, nil
}
