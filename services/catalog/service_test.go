package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/mask"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/testdb"
	"github.com/erphub/erphub/services/catalog"
)

func as(p *reqctx.Principal) context.Context {
	return reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "t", Method: "/test", Principal: p})
}

var admin = as(&reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "admin", Roles: []string{reqctx.RoleAdmin}})

func violation(t *testing.T, err error, kind apperr.Kind, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != kind {
		t.Fatalf("err = %v, want kind %d", err, kind)
	}
	if field == "" {
		return
	}
	for _, v := range e.Violations {
		if v.Field == field {
			return
		}
	}
	if e.Metadata["field"] == field {
		return
	}
	t.Fatalf("err %v does not name %s", err, field)
}

type fixture struct {
	svc    *catalog.Service
	cq, cd catalog.Branch
	wcq    catalog.Warehouse
}

func setup(t *testing.T) fixture {
	t.Helper()
	svc := catalog.New(testdb.New(t))
	cq, err := svc.CreateBranch(admin, catalog.Branch{Code: "CQ", Name: "重庆"})
	if err != nil {
		t.Fatal(err)
	}
	cd, err := svc.CreateBranch(admin, catalog.Branch{Code: "CD", Name: "成都"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := svc.CreateWarehouse(admin, catalog.Warehouse{Code: "CQ-01", Name: "成品仓", Branch: cq.ID})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{svc: svc, cq: cq, cd: cd, wcq: w}
}

func TestItemValidationNamesEveryField(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		name  string
		item  catalog.Item
		field string
	}{
		{"bad EAN-13 check digit", catalog.Item{SKU: "A", Name: "a", Unit: "pcs", Barcodes: []catalog.Barcode{{Code: "4006381333932", Quantity: 1000}}}, "item.barcodes[0]"},
		{"bad ITF-14 pack", catalog.Item{SKU: "A", Name: "a", Unit: "pcs", Barcodes: []catalog.Barcode{{Code: "4006381333931", Quantity: 1000}, {Code: "10012345678903", Quantity: 12000}}}, "item.pack_barcodes[0]"},
		{"same GTIN twice in two forms", catalog.Item{SKU: "A", Name: "a", Unit: "pcs", Barcodes: []catalog.Barcode{{Code: "036000291452", Quantity: 1000}, {Code: "0036000291452", Quantity: 1000}}}, "item.barcodes[1]"},
		{"unknown unit", catalog.Item{SKU: "A", Name: "a", Unit: "furlong"}, "item.unit"},
		{"weighed not in kg", catalog.Item{SKU: "A", Name: "a", Unit: "pcs", Weighed: true}, "item.unit"},
		{"lots without shelf life", catalog.Item{SKU: "A", Name: "a", Unit: "kg", LotTracked: true}, "item.shelf_life_days"},
		{"missing name", catalog.Item{SKU: "A", Unit: "kg"}, "item.name"},
		{"sku with spaces", catalog.Item{SKU: "A B", Name: "a", Unit: "kg"}, "item.sku"},
		{"absurd VAT", catalog.Item{SKU: "A", Name: "a", Unit: "kg", VATRateBp: 13000}, "item.vat_rate_bp"},
		{"pack without quantity", catalog.Item{SKU: "A", Name: "a", Unit: "kg", Barcodes: []catalog.Barcode{{Code: "X-1", Quantity: 0}}}, "item.pack_barcodes[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.CreateItem(admin, tc.item)
			violation(t, err, apperr.KindInvalid, tc.field)
		})
	}
	// several bad fields at once: all named
	_, err := f.svc.CreateItem(admin, catalog.Item{SKU: "", Unit: "x"})
	e, _ := apperr.As(err)
	if e == nil || len(e.Violations) < 3 {
		t.Fatalf("want every bad field named, got %v", err)
	}
}

func TestItemUniqueness(t *testing.T) {
	t.Parallel()
	f := setup(t)
	first, err := f.svc.CreateItem(admin, catalog.Item{SKU: "PK-1", Name: "香肠", Unit: "bag", Active: true,
		Barcodes: []catalog.Barcode{{Code: "036000291452", Quantity: 1000}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CreateItem(admin, catalog.Item{SKU: "pk-1", Name: "dup", Unit: "bag"})
	violation(t, err, apperr.KindConflict, "item.sku")
	// the same GTIN written as EAN-13 on another item is the same barcode
	_, err = f.svc.CreateItem(admin, catalog.Item{SKU: "PK-2", Name: "other", Unit: "bag",
		Barcodes: []catalog.Barcode{{Code: "0036000291452", Quantity: 1000}}})
	violation(t, err, apperr.KindConflict, "item.barcodes[0]")
	// listing by barcode in any GTIN form finds the owner
	got, _, err := f.svc.ListItems(admin, 10, "", catalog.ItemFilter{Barcode: "0036000291452"})
	if err != nil || len(got) != 1 || got[0].ID != first.ID {
		t.Fatalf("lookup by barcode: %v %v", got, err)
	}
}

// Concurrent creates racing for one SKU: one wins, the rest get Conflict.
func TestConcurrentCreatesOneSKU(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.CreateItem(admin, catalog.Item{SKU: "HOT", Name: "x", Unit: "kg",
				Barcodes: []catalog.Barcode{{Code: fmt.Sprintf("INT-%d", i), Quantity: 1000}}})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !apperr.IsKind(err, apperr.KindConflict):
			t.Fatalf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d creates succeeded, want 1", ok)
	}
}

func TestUpdateWithMaskAndEtag(t *testing.T) {
	t.Parallel()
	f := setup(t)
	it, err := f.svc.CreateItem(admin, catalog.Item{SKU: "U-1", Name: "old", Unit: "kg", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	up, err := f.svc.UpdateItem(admin, catalog.Item{Meta: catalog.Meta{ID: it.ID}, Name: "new", Unit: "pcs"}, it.Etag(), mask.Set{"name"})
	if err != nil || up.Name != "new" || up.Unit != "kg" || up.Etag() == it.Etag() {
		t.Fatalf("update = %+v, %v", up, err)
	}
	_, err = f.svc.UpdateItem(admin, catalog.Item{Meta: catalog.Meta{ID: it.ID}, Name: "stale"}, it.Etag(), mask.Set{"name"})
	violation(t, err, apperr.KindStale, "")
	_, err = f.svc.UpdateItem(admin, catalog.Item{Meta: catalog.Meta{ID: it.ID}, SKU: "OTHER"}, "", mask.Set{"sku"})
	violation(t, err, apperr.KindInvalid, "item.sku")
	_, err = f.svc.UpdateItem(admin, catalog.Item{Meta: catalog.Meta{ID: it.ID}}, "", mask.Set{"colour"})
	violation(t, err, apperr.KindInvalid, "update_mask")
	// same SKU sent back unchanged, output-only fields sent back: fine
	_, err = f.svc.UpdateItem(admin, catalog.Item{Meta: catalog.Meta{ID: it.ID}, SKU: "U-1", Category: "腊肉"}, "",
		mask.Set{"sku", "category", "create_time", "archived"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.UpdateItem(admin, catalog.Item{Meta: catalog.Meta{ID: 999999}}, "", mask.Set{"name"})
	violation(t, err, apperr.KindNotFound, "")
	// barcodes: replacing unit codes keeps pack codes
	up, err = f.svc.UpdateItem(admin, catalog.Item{Meta: catalog.Meta{ID: it.ID}, Barcodes: []catalog.Barcode{{Code: "16923456001005", Quantity: 12000}}}, "", mask.Set{"pack_barcodes"})
	if err != nil {
		t.Fatal(err)
	}
	up, err = f.svc.UpdateItem(admin, catalog.Item{Meta: catalog.Meta{ID: it.ID}, Barcodes: []catalog.Barcode{{Code: "96385074", Quantity: 1000}}}, "", mask.Set{"barcodes"})
	if err != nil || len(up.Barcodes) != 2 {
		t.Fatalf("barcodes after two updates: %+v %v", up.Barcodes, err)
	}
	got, err := f.svc.GetItem(admin, it.ID)
	if err != nil || len(got.Barcodes) != 2 || got.Category != "腊肉" {
		t.Fatalf("stored item %+v %v", got, err)
	}
}

// Listing 250 items in pages of 100 answers every item exactly once, even while new
// items are being added.
func TestPagingAnswersEachItemOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for i := range 250 {
		if _, err := f.svc.CreateItem(admin, catalog.Item{SKU: fmt.Sprintf("P-%03d", i), Name: "x", Unit: "kg"}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int64]bool{}
	token, pages := "", 0
	for {
		items, next, err := f.svc.ListItems(admin, 100, token, catalog.ItemFilter{})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range items {
			if seen[it.ID] {
				t.Fatalf("item %d answered twice", it.ID)
			}
			seen[it.ID] = true
		}
		if next == "" {
			break
		}
		token = next
	}
	if len(seen) != 250 || pages != 3 {
		t.Fatalf("%d items in %d pages, want 250 in 3", len(seen), pages)
	}
	if _, _, err := f.svc.ListItems(admin, 100, token, catalog.ItemFilter{Query: "x"}); err == nil && token != "" {
		t.Fatal("a token was accepted with other filters")
	}
}

func TestBranchScope(t *testing.T) {
	t.Parallel()
	f := setup(t)
	wcd, err := f.svc.CreateWarehouse(admin, catalog.Warehouse{Code: "CD-01", Name: "成都仓", Branch: f.cd.ID})
	if err != nil {
		t.Fatal(err)
	}
	cqStaff := as(&reqctx.Principal{Kind: reqctx.ActorUser, ID: 5, Roles: []string{reqctx.RoleManager}, Branches: []int64{f.cq.ID}})
	list, _, err := f.svc.ListWarehouses(cqStaff, 100, "", 0, false)
	if err != nil || len(list) != 1 || list[0].ID != f.wcq.ID {
		t.Fatalf("scoped list = %+v, %v", list, err)
	}
	_, err = f.svc.GetWarehouse(cqStaff, wcd.ID)
	violation(t, err, apperr.KindForbidden, "")
	_, err = f.svc.UpdateWarehouse(cqStaff, catalog.Warehouse{Meta: catalog.Meta{ID: wcd.ID}, Name: "mine now"}, "", mask.Set{"name"})
	violation(t, err, apperr.KindForbidden, "")
	_, err = f.svc.CreateShop(cqStaff, catalog.Shop{Code: "S1", Name: "s", Platform: "jd", Branch: f.cd.ID, DefaultWarehouse: wcd.ID})
	violation(t, err, apperr.KindForbidden, "")
	branches, _, err := f.svc.ListBranches(cqStaff, 10, "", false)
	if err != nil || len(branches) != 1 {
		t.Fatalf("scoped branches = %+v %v", branches, err)
	}
}

func TestShopReferences(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, err := f.svc.CreateShop(admin, catalog.Shop{Code: "S1", Name: "s", Platform: "lazada", Branch: f.cq.ID, DefaultWarehouse: f.wcq.ID})
	violation(t, err, apperr.KindInvalid, "shop.platform")
	_, err = f.svc.CreateShop(admin, catalog.Shop{Code: "S1", Name: "s", Platform: "jd", Branch: f.cd.ID, DefaultWarehouse: f.wcq.ID})
	violation(t, err, apperr.KindInvalid, "shop.default_warehouse")
	_, err = f.svc.CreateShop(admin, catalog.Shop{Code: "S1", Name: "s", Platform: "jd", Branch: 4242, DefaultWarehouse: f.wcq.ID})
	violation(t, err, apperr.KindInvalid, "shop.branch")
	s, err := f.svc.CreateShop(admin, catalog.Shop{Code: "S1", Name: "s", Platform: "jd", Branch: f.cq.ID, DefaultWarehouse: f.wcq.ID})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.UpdateShop(admin, catalog.Shop{Meta: catalog.Meta{ID: s.ID}, Platform: "tmall"}, "", mask.Set{"platform"})
	violation(t, err, apperr.KindInvalid, "shop.platform")
}

func TestArchive(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, err := f.svc.ArchiveBranch(admin, f.cq.ID, "")
	if !errors.Is(err, catalog.ErrBranchInUse) {
		t.Fatalf("archiving a branch with warehouses: %v", err)
	}
	w, err := f.svc.ArchiveWarehouse(admin, f.wcq.ID, f.wcq.Etag())
	if err != nil || !w.Archived {
		t.Fatalf("archive warehouse: %+v %v", w, err)
	}
	list, _, _ := f.svc.ListWarehouses(admin, 10, "", 0, false)
	all, _, _ := f.svc.ListWarehouses(admin, 10, "", 0, true)
	if len(list) != 0 || len(all) != 1 {
		t.Fatalf("lists after archive: %d live, %d all", len(list), len(all))
	}
	if _, err := f.svc.ArchiveBranch(admin, f.cq.ID, ""); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CreateWarehouse(admin, catalog.Warehouse{Code: "CQ-09", Name: "x", Branch: f.cq.ID})
	violation(t, err, apperr.KindInvalid, "warehouse.branch")
}

func TestCustomersAndOutlets(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, err := f.svc.CreateCustomer(admin, catalog.Customer{Code: "YJ", Name: "渝佳", Kind: "retailer",
		Settlement: catalog.SettlementTerms{Cycle: "monthly", ClosingDay: 30, DueDays: 60}})
	violation(t, err, apperr.KindInvalid, "customer.settlement.closing_day")
	_, err = f.svc.CreateCustomer(admin, catalog.Customer{Code: "YJ", Name: "渝佳", Kind: "retailer", TaxID: "abc"})
	violation(t, err, apperr.KindInvalid, "customer.tax_id")
	c, err := f.svc.CreateCustomer(admin, catalog.Customer{Code: "YJ", Name: "渝佳", Kind: "retailer", CreditLimit: 5_000_000,
		Settlement: catalog.SettlementTerms{Cycle: "monthly", ClosingDay: 25, DueDays: 60}, MinRemainingShelfLifeDays: 60})
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.svc.CreateOutlet(admin, catalog.Outlet{Customer: c.ID, Code: "YJ001", Name: "观音桥店"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CreateOutlet(admin, catalog.Outlet{Customer: c.ID, Code: "YJ001", Name: "again"})
	violation(t, err, apperr.KindConflict, "outlet.code")
	if _, err := f.svc.GetOutlet(admin, c.ID+1, o.ID); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Fatalf("outlet under the wrong customer: %v", err)
	}
	up, err := f.svc.UpdateCustomer(admin, catalog.Customer{Meta: catalog.Meta{ID: c.ID},
		Settlement: catalog.SettlementTerms{Cycle: "weekly", ClosingDay: 5, DueDays: 7}}, c.Etag(), mask.Set{"settlement"})
	if err != nil || up.Settlement.Cycle != "weekly" || up.CreditLimit != 5_000_000 {
		t.Fatalf("update settlement: %+v %v", up, err)
	}
}

// Names answers many kinds at once, ignores zeros, repeats and unknown ids, and keeps the
// names of archived rows.
func TestNamesInOneBatch(t *testing.T) {
	t.Parallel()
	f := setup(t)
	it, err := f.svc.CreateItem(admin, catalog.Item{SKU: "XC-1", Name: "香肠", Unit: "bag", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.CreateCustomer(admin, catalog.Customer{Code: "YJ", Name: "渝佳", Kind: "retailer"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.svc.CreateOutlet(admin, catalog.Outlet{Customer: c.ID, Code: "YJ001", Name: "观音桥店"})
	if err != nil {
		t.Fatal(err)
	}
	sup, err := f.svc.CreateSupplier(admin, catalog.Supplier{Code: "S1", Name: "肉联厂"})
	if err != nil {
		t.Fatal(err)
	}
	shop, err := f.svc.CreateShop(admin, catalog.Shop{Code: "TM", Name: "天猫店", Platform: "tmall", Branch: f.cq.ID, DefaultWarehouse: f.wcq.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ArchiveSupplier(admin, sup.ID, ""); err != nil {
		t.Fatal(err)
	}
	n, err := f.svc.Names(admin, catalog.NameRefs{Items: []int64{it.ID, it.ID, 0, 999999}, Warehouses: []int64{f.wcq.ID},
		Suppliers: []int64{sup.ID}, Customers: []int64{c.ID}, Outlets: []int64{o.ID}, Shops: []int64{shop.ID}})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%v %v %v %v %v %v", n.Items, n.Warehouses, n.Suppliers, n.Customers, n.Outlets, n.Shops)
	want := fmt.Sprintf("map[%d:{XC-1 香肠}] map[%d:成品仓] map[%d:肉联厂] map[%d:渝佳] map[%d:观音桥店] map[%d:天猫店]",
		it.ID, f.wcq.ID, sup.ID, c.ID, o.ID, shop.ID)
	if got != want {
		t.Fatalf("names\n got %s\nwant %s", got, want)
	}
}
