// Package access is the one permission table of erphub: which roles may call which RPC,
// and which RPCs change data (those are idempotent under a client request id and audited).
// An RPC missing from the table is refused for everyone; a test checks that every
// registered RPC has a rule and every rule names a registered RPC.
//
// Branch limits are finer than an RPC and are checked by the use cases
// (reqctx.Principal.CanAccessBranch).
package access

import (
	"fmt"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/reqctx"
)

// Rule says who may call an RPC.
type Rule struct {
	Public        bool     // no credentials needed (login)
	Authenticated bool     // any signed-in caller
	Mutating      bool     // changes data: idempotent under requestId, audited
	Roles         []string // roles allowed (admin is always allowed unless Public/Authenticated)
}

const (
	admin     = reqctx.RoleAdmin
	manager   = reqctx.RoleManager
	finance   = reqctx.RoleFinance
	warehouse = reqctx.RoleWarehouse
	sales     = reqctx.RoleSales
	connector = reqctx.RoleConnector
)

func read(roles ...string) Rule  { return Rule{Roles: roles} }
func write(roles ...string) Rule { return Rule{Roles: roles, Mutating: true} }

// staff are the roles of people (everyone but connectors).
var staff = []string{manager, finance, warehouse, sales}

const (
	identity = "/erp.identity.v1.IdentityService/"
	catalog  = "/erp.catalog.v1.CatalogService/"
	wms      = "/erp.warehouse.v1.WarehouseService/"
	hub      = "/erp.orders.v1.OrderService/"
	fin      = "/erp.finance.v1.FinanceService/"
	rec      = "/erp.reconcile.v1.ReconcileService/"
	recv     = "/erp.reconcile.v1.ReceivablesService/"
	appr     = "/erp.approval.v1.ApprovalService/"
	ins      = "/erp.insights.v1.InsightsService/"
)

// Table maps full RPC names to rules.
var Table = map[string]Rule{
	// insights: managers and finance read; managers confirm suggestions and set lead
	// times; admins rebuild
	ins + "GetAbc":            read(manager, finance),
	ins + "GetCustomers":      read(manager, finance),
	ins + "GetChannels":       read(manager, finance),
	ins + "ImportShopTraffic": write(manager),
	ins + "GetReplenishment":  read(manager, finance),
	ins + "ExportInsight":     read(manager, finance),
	ins + "ListSuggestions":   read(manager, finance),
	ins + "ConfirmSuggestion": write(manager),
	ins + "SetLeadTime":       write(manager),
	ins + "RebuildFacts":      write(),
	ins + "CheckFacts":        read(finance),

	// infrastructure: health checks and server reflection are open, like /healthz
	"/grpc.health.v1.Health/Check":                                   {Public: true},
	"/grpc.health.v1.Health/List":                                    {Public: true},
	"/grpc.health.v1.Health/Watch":                                   {Public: true},
	"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo":      {Public: true},
	"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": {Public: true},

	identity + "Login":           {Public: true},
	identity + "GetCurrentUser":  {Authenticated: true},
	identity + "CreateUser":      write(),
	identity + "GetUser":         read(),
	identity + "ListUsers":       read(),
	identity + "UpdateUser":      write(),
	identity + "CreateApiKey":    write(),
	identity + "ListApiKeys":     read(),
	identity + "RevokeApiKey":    write(),
	identity + "ListAuditEvents": read(),

	catalog + "CreateBranch":  write(),
	catalog + "GetBranch":     read(staff...),
	catalog + "ListBranches":  read(staff...),
	catalog + "UpdateBranch":  write(),
	catalog + "ArchiveBranch": write(),

	catalog + "CreateWarehouse":  write(),
	catalog + "GetWarehouse":     read(staff...),
	catalog + "ListWarehouses":   read(staff...),
	catalog + "UpdateWarehouse":  write(manager),
	catalog + "ArchiveWarehouse": write(),

	catalog + "CreateItem":  write(manager),
	catalog + "GetItem":     read(append(staff, connector)...),
	catalog + "ListItems":   read(append(staff, connector)...),
	catalog + "UpdateItem":  write(manager),
	catalog + "ArchiveItem": write(manager),

	catalog + "CreateCustomer":  write(manager, sales, finance),
	catalog + "GetCustomer":     read(staff...),
	catalog + "ListCustomers":   read(staff...),
	catalog + "UpdateCustomer":  write(manager, sales, finance),
	catalog + "ArchiveCustomer": write(manager),

	catalog + "CreateOutlet":  write(manager, sales),
	catalog + "GetOutlet":     read(staff...),
	catalog + "ListOutlets":   read(staff...),
	catalog + "UpdateOutlet":  write(manager, sales),
	catalog + "ArchiveOutlet": write(manager, sales),

	catalog + "CreateSupplier":  write(manager, finance),
	catalog + "GetSupplier":     read(staff...),
	catalog + "ListSuppliers":   read(staff...),
	catalog + "UpdateSupplier":  write(manager, finance),
	catalog + "ArchiveSupplier": write(manager),

	catalog + "CreateShop":  write(),
	catalog + "GetShop":     read(append(staff, connector)...),
	catalog + "ListShops":   read(staff...),
	catalog + "UpdateShop":  write(manager),
	catalog + "ArchiveShop": write(),

	wms + "CreatePurchaseOrder":   write(manager, warehouse),
	wms + "GetPurchaseOrder":      read(staff...),
	wms + "ListPurchaseOrders":    read(staff...),
	wms + "CancelPurchaseOrder":   write(manager),
	wms + "ResubmitPurchaseOrder": write(manager, warehouse),
	wms + "CreateDeliveryOrder":   write(manager, sales, warehouse),
	wms + "GetDeliveryOrder":      read(staff...),
	wms + "ListDeliveryOrders":    read(staff...),
	wms + "CancelDeliveryOrder":   write(manager, sales),
	wms + "CreateTransfer":        write(manager, warehouse),
	wms + "GetTransfer":           read(staff...),
	wms + "CreateStocktake":       write(manager, warehouse),
	wms + "GetStocktake":          read(staff...),
	// manual corrections are restricted to managers
	wms + "CreateAdjustment":    write(manager),
	wms + "GetAdjustment":       read(staff...),
	wms + "ListAdjustments":     read(staff...),
	wms + "OpenScanSession":     write(manager, warehouse),
	wms + "GetScanSession":      read(manager, warehouse),
	wms + "Scan":                write(manager, warehouse),
	wms + "UndoScan":            write(manager, warehouse),
	wms + "ListScans":           read(manager, warehouse),
	wms + "CompleteScanSession": write(manager, warehouse),
	wms + "CancelScanSession":   write(manager, warehouse),
	wms + "ListStock":           read(staff...),
	wms + "ListExpiringLots":    read(staff...),
	wms + "TraceLot":            read(staff...),
	wms + "ListLedgerEntries":   read(manager, finance, warehouse),
	wms + "GetStockDocument":    read(staff...),
	wms + "ListStockDocuments":  read(staff...),

	// store connectors push and read their own shop's orders (checked in the service)
	hub + "PushOrders":           write(connector, manager, sales),
	hub + "GetOrder":             read(append(staff, connector)...),
	hub + "ListOrders":           read(append(staff, connector)...),
	hub + "SetSkuMapping":        write(manager, sales),
	hub + "ListSkuMappings":      read(staff...),
	hub + "DeleteSkuMapping":     write(manager, sales),
	hub + "SetShopConnection":    write(manager),
	hub + "GetShopConnection":    read(manager),
	hub + "ListPullRuns":         read(staff...),
	hub + "ImportRetailerOrders": write(manager, sales),
	// the review queue and cancellations are people's work
	hub + "ReleaseOrder":  write(manager, sales),
	hub + "CancelOrder":   write(manager, sales),
	hub + "GetShopPolicy": read(staff...),
	hub + "SetShopPolicy": write(manager),
	// connectors that pull read their shop's stock levels and shipments
	hub + "ListShopStock": read(append(staff, connector)...),
	hub + "ListShipments": read(append(staff, connector)...),

	// finance makes, approves and posts; managers read; warehouse and sales see nothing
	fin + "CreateAccount":        write(finance),
	fin + "GetAccount":           read(finance, manager),
	fin + "ListAccounts":         read(finance, manager),
	fin + "UpdateAccount":        write(finance),
	fin + "DeleteAccount":        write(finance),
	fin + "InitializeBooks":      write(finance),
	fin + "GetBooks":             read(finance, manager),
	fin + "ListPeriods":          read(finance, manager),
	fin + "ClosePeriod":          write(finance),
	fin + "ReopenPeriod":         write(), // admins only
	fin + "RunCosting":           write(finance),
	fin + "RunDepreciation":      write(finance),
	fin + "SetItemCosting":       write(finance),
	fin + "CreateVoucher":        write(finance),
	fin + "GetVoucher":           read(finance, manager),
	fin + "ListVouchers":         read(finance, manager),
	fin + "UpdateVoucher":        write(finance),
	fin + "DeleteVoucher":        write(finance),
	fin + "ApproveVoucher":       write(finance),
	fin + "UnapproveVoucher":     write(finance),
	fin + "PostVoucher":          write(finance),
	fin + "ReverseVoucher":       write(finance),
	fin + "BatchApproveVouchers": write(finance),
	fin + "BatchPostVouchers":    write(finance),
	fin + "ListVoucherTemplates": read(finance, manager),
	fin + "SaveVoucherTemplate":  write(finance),
	fin + "ListFinanceDocuments": read(finance, manager),
	fin + "RetryFinanceDocument": write(finance),
	fin + "CreateAssetCategory":  write(finance),
	fin + "ListAssetCategories":  read(finance, manager),
	fin + "CreateAsset":          write(finance),
	fin + "GetAsset":             read(finance, manager),
	fin + "ListAssets":           read(finance, manager),
	fin + "DisposeAsset":         write(finance),
	fin + "ImpairAsset":          write(finance),
	fin + "RecordAssetUsage":     write(finance),
	fin + "GetTrialBalance":      read(finance, manager),
	fin + "GetIncomeStatement":   read(finance, manager),
	fin + "GetBalanceSheet":      read(finance, manager),
	fin + "GetGeneralLedger":     read(finance, manager),
	fin + "GetAccountDetail":     read(finance, manager),
	fin + "CheckStockValue":      read(finance, manager),
	fin + "ExportJournal":        read(finance, manager),
	fin + "ExportReport":         read(finance, manager),

	// reconciliation is finance's work; managers read; sales record returns
	rec + "CreateImportProfile":              write(finance),
	rec + "GetImportProfile":                 read(finance, manager),
	rec + "ListImportProfiles":               read(finance, manager),
	rec + "ImportCustomerStatement":          write(finance),
	rec + "ImportSupplierStatement":          write(finance),
	rec + "ImportShopSettlement":             write(finance),
	rec + "GetStatement":                     read(finance, manager),
	rec + "ListStatements":                   read(finance, manager),
	rec + "ResolveStatementLine":             write(finance),
	rec + "ConfirmStatement":                 write(finance),
	rec + "InvoiceStatement":                 write(finance),
	rec + "GenerateAccountStatement":         write(finance),
	rec + "GetAccountStatement":              read(finance, manager, sales),
	rec + "ListAccountStatements":            read(finance, manager, sales),
	rec + "GenerateSupplierAccountStatement": write(finance),
	rec + "ListSupplierAccountStatements":    read(finance, manager),
	rec + "SendAccountStatement":             write(finance),
	rec + "ConfirmAccountStatement":          write(finance, sales),
	rec + "DisputeAccountStatement":          write(finance, sales),
	rec + "ExportAccountStatement":           read(finance, manager, sales),
	rec + "RecordCustomerReturn":             write(finance, sales),
	rec + "SetCustomerReconcileSettings":     write(finance),
	rec + "SetSupplierReconcileSettings":     write(finance),
	rec + "SetCustomerItemCodes":             write(finance, sales),
	rec + "ListFeeRules":                     read(finance, manager),
	rec + "SaveFeeRule":                      write(finance),

	// receivables and payables are finance's; managers read
	recv + "IssueSalesInvoices":      write(finance),
	recv + "GetSalesInvoice":         read(finance, manager),
	recv + "IssueRedInvoice":         write(finance),
	recv + "CreatePurchaseInvoice":   write(finance),
	recv + "GetPurchaseInvoice":      read(finance, manager),
	recv + "ReleasePurchaseInvoice":  write(finance),
	recv + "CreateCustomerReceipt":   write(finance),
	recv + "GetCustomerReceipt":      read(finance, manager),
	recv + "AllocateCustomerReceipt": write(finance),
	recv + "CreateSupplierPayment":   write(finance),
	recv + "AllocateSupplierPayment": write(finance),
	recv + "GetSupplierPayment":      read(finance, manager),
	recv + "ResubmitSupplierPayment": write(finance),
	recv + "CancelSupplierPayment":   write(finance),
	recv + "GetAging":                read(finance, manager),

	// approval: admins manage flows and robots; managers decide and delegate; the other
	// staff see the requests of their own documents (the use case limits what each sees)
	appr + "CreateApprovalFlow":       write(),
	appr + "UpdateApprovalFlow":       write(),
	appr + "GetApprovalFlow":          read(manager),
	appr + "ListApprovalFlows":        read(manager),
	appr + "ListApprovalRequests":     read(staff...),
	appr + "GetApprovalRequest":       read(staff...),
	appr + "ApproveApprovalRequest":   write(manager),
	appr + "RejectApprovalRequest":    write(manager),
	appr + "CreateApprovalDelegation": write(manager),
	appr + "ListApprovalDelegations":  read(manager),
	appr + "CreateApprovalRobot":      write(),
	appr + "ListApprovalRobots":       read(),
}

// Lookup answers the rule of an RPC.
func Lookup(method string) (Rule, bool) {
	r, ok := Table[method]
	return r, ok
}

// Allow checks a caller against an RPC's rule: nil, or a PermissionDenied error.
func Allow(method string, p *reqctx.Principal) error {
	r, ok := Table[method]
	if !ok {
		return apperr.Forbidden(fmt.Sprintf("%s has no access rule", method))
	}
	if r.Public || r.Authenticated {
		return nil
	}
	if p == nil {
		return apperr.Unauthenticated("sign in first")
	}
	if p.HasRole(admin) && p.Kind != reqctx.ActorAPIKey {
		return nil
	}
	for _, role := range r.Roles {
		if p.HasRole(role) {
			return nil
		}
	}
	return apperr.Forbidden(fmt.Sprintf("your roles %v may not call %s", p.Roles, method))
}
