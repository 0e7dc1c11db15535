package catalog

import (
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/page"
)

// store holds the catalog queries; with(tx) scopes them to a transaction.
type store struct{ db *gorm.DB }

func (s store) with(tx *gorm.DB) store { return store{db: tx} }

// RowMeta is the columns every catalog table has (exported so that gorm embeds it).
type RowMeta struct {
	ID        int64 `gorm:"primaryKey"`
	Archived  bool
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (r RowMeta) meta() Meta {
	return Meta{ID: r.ID, Archived: r.Archived, Version: r.Version, CreateTime: r.CreatedAt, UpdateTime: r.UpdatedAt}
}

func newMetaRow(now time.Time) RowMeta { return RowMeta{Version: 1, CreatedAt: now, UpdatedAt: now} }

// take loads one row by id, with a row lock when lock is set.
func take[R any](g *gorm.DB, id int64, lock bool, what string) (R, error) {
	var row R
	q := g.Where("id = ?", id)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return row, apperr.NotFound(what, id)
		}
		return row, err
	}
	return row, nil
}

// listPage runs q for one page (ids ascending after p.After) and answers the rows of the
// page and the next token.
func listPage[R any](q *gorm.DB, p page.Request, id func(R) int64) ([]R, string, error) {
	var rows []R
	if err := q.Where("id > ?", p.After).Order("id").Limit(p.Limit()).Find(&rows).Error; err != nil {
		return nil, "", err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = id(r)
	}
	next, n := p.Next(ids)
	return rows[:n], next, nil
}

// save writes the columns in set to table's row id, guarded by the version the caller
// read, and advances the version.
func save(g *gorm.DB, table string, m Meta, set map[string]any, now time.Time, what string) (Meta, error) {
	set["version"] = gorm.Expr("version + 1")
	set["updated_at"] = now
	res := g.Table(table).Where("id = ? AND version = ?", m.ID, m.Version).Updates(set)
	if res.Error != nil {
		return m, res.Error
	}
	if res.RowsAffected == 0 {
		return m, apperr.Stale(what)
	}
	m.Version++
	m.UpdateTime = now
	return m, nil
}

// archiveRow marks a row archived, guarded by its version.
func archiveRow(g *gorm.DB, table string, m Meta, now time.Time, what string) (Meta, error) {
	m, err := save(g, table, m, map[string]any{"archived": true}, now, what)
	m.Archived = true
	return m, err
}

// conflict maps a unique-key violation of insert or update to the 409 the client sees.
func conflict(err error, byKey map[string]*apperr.Error) error {
	if key, dup := db.IsDuplicate(err); dup {
		if e, ok := byKey[key]; ok {
			return e
		}
		return apperr.Conflict("", "a row with the same business key exists")
	}
	return err
}

var (
	errBranchCode    = apperr.Conflict("branch.code", "a branch with this code exists")
	errWarehouseCode = apperr.Conflict("warehouse.code", "a warehouse with this code exists")
	errSKU           = apperr.Conflict("item.sku", "an item with this SKU exists")
	errBarcode       = apperr.Conflict("item.barcodes", "a barcode is already used by another item")
	errCustomerCode  = apperr.Conflict("customer.code", "a customer with this code exists")
	errOutletCode    = apperr.Conflict("outlet.code", "this customer has an outlet with this code")
	errSupplierCode  = apperr.Conflict("supplier.code", "a supplier with this code exists")
	errShopCode      = apperr.Conflict("shop.code", "a shop with this code exists")
)

// ---- branches and warehouses ----

type branchRow struct {
	RowMeta
	Code, Name, City, Address string
}

func (branchRow) TableName() string { return "branches" }

func (r branchRow) branch() Branch {
	return Branch{Meta: r.meta(), Code: r.Code, Name: r.Name, City: r.City, Address: r.Address}
}

func (s store) insertBranch(b Branch, now time.Time) (Branch, error) {
	row := branchRow{RowMeta: newMetaRow(now), Code: b.Code, Name: b.Name, City: b.City, Address: b.Address}
	if err := s.db.Create(&row).Error; err != nil {
		return Branch{}, conflict(err, map[string]*apperr.Error{"uk_branches_code": errBranchCode})
	}
	return row.branch(), nil
}

func (s store) branch(id int64, lock bool) (Branch, error) {
	r, err := take[branchRow](s.db, id, lock, "branch")
	return r.branch(), err
}

func (s store) listBranches(p page.Request, only []int64, archived bool) ([]Branch, string, error) {
	q := s.db.Model(&branchRow{})
	if only != nil {
		q = q.Where("id IN ?", nonEmpty(only))
	}
	if !archived {
		q = q.Where("archived = 0")
	}
	rows, next, err := listPage(q, p, func(r branchRow) int64 { return r.ID })
	out := make([]Branch, len(rows))
	for i, r := range rows {
		out[i] = r.branch()
	}
	return out, next, err
}

func (s store) saveBranch(b Branch, now time.Time) (Branch, error) {
	m, err := save(s.db, "branches", b.Meta, map[string]any{"name": b.Name, "city": b.City, "address": b.Address}, now, "the branch")
	b.Meta = m
	return b, err
}

func (s store) countLiveWarehouses(branch int64) (int64, error) {
	var n int64
	err := s.db.Model(&warehouseRow{}).Where("branch_id = ? AND archived = 0", branch).Count(&n).Error
	return n, err
}

type warehouseRow struct {
	RowMeta
	Code               string
	Name               string
	BranchID           int64
	AllowNegativeStock bool
	Address            string
	FEFOPolicy         string `gorm:"column:fefo_policy"`
}

func (warehouseRow) TableName() string { return "warehouses" }

func (r warehouseRow) warehouse() Warehouse {
	return Warehouse{Meta: r.meta(), Code: r.Code, Name: r.Name, Branch: r.BranchID,
		AllowNegativeStock: r.AllowNegativeStock, Address: r.Address, FEFOPolicy: r.FEFOPolicy}
}

func (s store) insertWarehouse(w Warehouse, now time.Time) (Warehouse, error) {
	row := warehouseRow{RowMeta: newMetaRow(now), Code: w.Code, Name: w.Name, BranchID: w.Branch,
		AllowNegativeStock: w.AllowNegativeStock, Address: w.Address, FEFOPolicy: w.FEFOPolicy}
	if err := s.db.Create(&row).Error; err != nil {
		return Warehouse{}, conflict(err, map[string]*apperr.Error{"uk_warehouses_code": errWarehouseCode})
	}
	return row.warehouse(), nil
}

func (s store) warehouse(id int64, lock bool) (Warehouse, error) {
	r, err := take[warehouseRow](s.db, id, lock, "warehouse")
	return r.warehouse(), err
}

func (s store) listWarehouses(p page.Request, branch int64, only []int64, archived bool) ([]Warehouse, string, error) {
	q := s.db.Model(&warehouseRow{})
	if branch != 0 {
		q = q.Where("branch_id = ?", branch)
	}
	if only != nil {
		q = q.Where("branch_id IN ?", nonEmpty(only))
	}
	if !archived {
		q = q.Where("archived = 0")
	}
	rows, next, err := listPage(q, p, func(r warehouseRow) int64 { return r.ID })
	out := make([]Warehouse, len(rows))
	for i, r := range rows {
		out[i] = r.warehouse()
	}
	return out, next, err
}

func (s store) saveWarehouse(w Warehouse, now time.Time) (Warehouse, error) {
	m, err := save(s.db, "warehouses", w.Meta, map[string]any{"name": w.Name, "address": w.Address,
		"allow_negative_stock": w.AllowNegativeStock, "fefo_policy": w.FEFOPolicy}, now, "the warehouse")
	w.Meta = m
	return w, err
}

// nonEmpty keeps "IN ()" valid SQL: an empty scope matches no real id.
func nonEmpty(ids []int64) []int64 {
	if len(ids) == 0 {
		return []int64{0}
	}
	return ids
}

// ---- items ----

type itemRow struct {
	RowMeta
	SKU           string `gorm:"column:sku"`
	Name          string
	Unit          string
	Weighed       bool
	LotTracked    bool
	ShelfLifeDays int32
	VATRateBp     int32 `gorm:"column:vat_rate_bp"`
	Category      string
	Active        bool
	ScaleCodes    string // JSON of []ScaleCode, "" for none
	FloorPrice    int64  // fen per unit, 0 = none
}

func (itemRow) TableName() string { return "items" }

type barcodeRow struct {
	ItemID     int64
	Code       string
	LookupCode string
	Quantity   int64
	Position   int
}

func (barcodeRow) TableName() string { return "item_barcodes" }

func (r itemRow) item(codes []Barcode) Item {
	it := Item{Meta: r.meta(), SKU: r.SKU, Name: r.Name, Unit: r.Unit, Barcodes: codes, Weighed: r.Weighed,
		LotTracked: r.LotTracked, ShelfLifeDays: r.ShelfLifeDays, VATRateBp: r.VATRateBp, Category: r.Category, Active: r.Active,
		FloorPrice: r.FloorPrice}
	if r.ScaleCodes != "" {
		_ = json.Unmarshal([]byte(r.ScaleCodes), &it.ScaleCodes) // written by scaleCodesJSON only
	}
	return it
}

func scaleCodesJSON(codes []ScaleCode) string {
	if len(codes) == 0 {
		return ""
	}
	b, _ := json.Marshal(codes)
	return string(b)
}

func itemColumns(it Item) map[string]any {
	return map[string]any{"name": it.Name, "unit": it.Unit, "weighed": it.Weighed, "lot_tracked": it.LotTracked,
		"shelf_life_days": it.ShelfLifeDays, "vat_rate_bp": it.VATRateBp, "category": it.Category, "active": it.Active,
		"scale_codes": scaleCodesJSON(it.ScaleCodes), "floor_price": it.FloorPrice}
}

var errScaleCode = apperr.Conflict("item.scale_codes", "another item has this scale code (prefix and item code)")

// writeScaleCodes rewrites the scale-code lookup rows of an item.
func (s store) writeScaleCodes(item int64, codes []ScaleCode) error {
	if err := s.db.Exec(`DELETE FROM item_scale_codes WHERE item_id = ?`, item).Error; err != nil {
		return err
	}
	for i, c := range codes {
		err := s.db.Exec(`INSERT INTO item_scale_codes (item_id, prefix, item_code, value_digits, kind, price_check, unit_price, position)
			VALUES (?,?,?,?,?,?,?,?)`, item, c.Prefix, c.ItemCode, c.ValueDigits, c.Kind, c.PriceCheck, c.UnitPrice, i).Error
		if err != nil {
			return conflict(err, map[string]*apperr.Error{"uk_item_scale_codes": errScaleCode})
		}
	}
	return nil
}

func (s store) insertItem(it Item, now time.Time) (Item, error) {
	row := itemRow{RowMeta: newMetaRow(now), SKU: it.SKU, Name: it.Name, Unit: it.Unit, Weighed: it.Weighed,
		LotTracked: it.LotTracked, ShelfLifeDays: it.ShelfLifeDays, VATRateBp: it.VATRateBp, Category: it.Category,
		Active: it.Active, ScaleCodes: scaleCodesJSON(it.ScaleCodes), FloorPrice: it.FloorPrice}
	if err := s.db.Create(&row).Error; err != nil {
		return Item{}, conflict(err, map[string]*apperr.Error{"uk_items_sku": errSKU})
	}
	if err := s.insertBarcodes(row.ID, it.Barcodes); err != nil {
		return Item{}, err
	}
	if len(it.ScaleCodes) > 0 {
		if err := s.writeScaleCodes(row.ID, it.ScaleCodes); err != nil {
			return Item{}, err
		}
	}
	return row.item(it.Barcodes), nil
}

func (s store) insertBarcodes(item int64, codes []Barcode) error {
	if len(codes) == 0 {
		return nil
	}
	rows := make([]barcodeRow, len(codes))
	for i, b := range codes {
		rows[i] = barcodeRow{ItemID: item, Code: b.Code, LookupCode: LookupCode(b.Code), Quantity: b.Quantity, Position: i}
	}
	err := s.db.Create(&rows).Error
	if _, dup := db.IsDuplicate(err); dup {
		// name the barcodes that clash; the unique key already refused them
		if named := s.checkBarcodesFree(item, codes); named != nil {
			return named
		}
	}
	return conflict(err, map[string]*apperr.Error{"uk_item_barcodes_lookup": errBarcode})
}

// checkBarcodesFree names every barcode of an item that another item already carries.
func (s store) checkBarcodesFree(item int64, codes []Barcode) error {
	owners, err := s.barcodeOwners(codes, item)
	if err != nil || len(owners) == 0 {
		return err
	}
	v := apperr.Violations{}
	for i, b := range codes {
		if owner, taken := owners[LookupCode(b.Code)]; taken {
			v.Addf(barcodeField(codes, i), "%q is already used by item %d", b.Code, owner)
		}
	}
	e := v.Err("a barcode is already used by another item").(*apperr.Error)
	e.Kind, e.Reason = apperr.KindConflict, "BARCODE_TAKEN"
	return e
}

// barcodeOwners answers which other items already carry any of codes (lookup form ->
// item id), so that a clash can be named precisely before the unique key refuses it.
func (s store) barcodeOwners(codes []Barcode, except int64) (map[string]int64, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	lookups := make([]string, len(codes))
	for i, b := range codes {
		lookups[i] = LookupCode(b.Code)
	}
	var rows []barcodeRow
	if err := s.db.Where("lookup_code IN ? AND item_id <> ?", lookups, except).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.LookupCode] = r.ItemID
	}
	return out, nil
}

// item loads an item with its barcodes in one round trip (the hottest catalog read: every
// scan and order line resolves items). lock takes row locks for a read-modify-write.
func (s store) item(id int64, lock bool) (Item, error) {
	q := `SELECT i.id, i.archived, i.version, i.created_at, i.updated_at, i.sku, i.name, i.unit, i.weighed,
		i.lot_tracked, i.shelf_life_days, i.vat_rate_bp, i.category, i.active, i.scale_codes, i.floor_price, b.code, b.quantity
		FROM items i LEFT JOIN item_barcodes b ON b.item_id = i.id WHERE i.id = ? ORDER BY b.position`
	if lock {
		q += " FOR UPDATE"
	}
	rows, err := s.db.Raw(q, id).Rows()
	if err != nil {
		return Item{}, err
	}
	defer rows.Close()
	var (
		r     itemRow
		codes []Barcode
		found bool
	)
	for rows.Next() {
		var code sql.NullString
		var qty sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Archived, &r.Version, &r.CreatedAt, &r.UpdatedAt, &r.SKU, &r.Name, &r.Unit,
			&r.Weighed, &r.LotTracked, &r.ShelfLifeDays, &r.VATRateBp, &r.Category, &r.Active, &r.ScaleCodes, &r.FloorPrice, &code, &qty); err != nil {
			return Item{}, err
		}
		found = true
		if code.Valid {
			codes = append(codes, Barcode{Code: code.String, Quantity: qty.Int64})
		}
	}
	if err := rows.Err(); err != nil {
		return Item{}, err
	}
	if !found {
		return Item{}, apperr.NotFound("item", id)
	}
	return r.item(codes), nil
}

func (s store) withBarcodes(rows []itemRow) ([]Item, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var codes []barcodeRow
	if err := s.db.Where("item_id IN ?", ids).Order("item_id, position").Find(&codes).Error; err != nil {
		return nil, err
	}
	by := map[int64][]Barcode{}
	for _, c := range codes {
		by[c.ItemID] = append(by[c.ItemID], Barcode{Code: c.Code, Quantity: c.Quantity})
	}
	out := make([]Item, len(rows))
	for i, r := range rows {
		out[i] = r.item(by[r.ID])
	}
	return out, nil
}

// ItemFilter narrows an item list.
type ItemFilter struct {
	SKU, Barcode, Query, Category string
	ShowArchived                  bool
}

func (s store) listItems(p page.Request, f ItemFilter) ([]Item, string, error) {
	q := s.db.Model(&itemRow{})
	if f.SKU != "" {
		q = q.Where("sku = ?", f.SKU)
	}
	if f.Barcode != "" {
		q = q.Where("id IN (SELECT item_id FROM item_barcodes WHERE lookup_code = ?)", LookupCode(f.Barcode))
	}
	if f.Query != "" {
		like := "%" + escapeLike(f.Query) + "%"
		q = q.Where("(name LIKE ? OR sku LIKE ?)", like, like)
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if !f.ShowArchived {
		q = q.Where("archived = 0")
	}
	rows, next, err := listPage(q, p, func(r itemRow) int64 { return r.ID })
	if err != nil {
		return nil, "", err
	}
	items, err := s.withBarcodes(rows)
	return items, next, err
}

func (s store) saveItem(it Item, barcodesChanged, scaleChanged bool, now time.Time) (Item, error) {
	m, err := save(s.db, "items", it.Meta, itemColumns(it), now, "the item")
	if err != nil {
		return it, err
	}
	it.Meta = m
	if scaleChanged {
		if err := s.writeScaleCodes(it.ID, it.ScaleCodes); err != nil {
			return it, err
		}
	}
	if barcodesChanged {
		if err := s.db.Where("item_id = ?", it.ID).Delete(&barcodeRow{}).Error; err != nil {
			return it, err
		}
		if err := s.insertBarcodes(it.ID, it.Barcodes); err != nil {
			return it, err
		}
	}
	return it, nil
}

// ---- customers, outlets, suppliers ----

type customerRow struct {
	RowMeta
	Code                      string
	Name                      string
	Kind                      string
	TaxID                     string
	CreditLimit               int64
	SettlementCycle           string
	SettlementClosingDay      int32
	SettlementDueDays         int32
	MinRemainingShelfLifeDays int32
	Contact, Phone, Address   string
}

func (customerRow) TableName() string { return "customers" }

func (r customerRow) customer() Customer {
	return Customer{Meta: r.meta(), Code: r.Code, Name: r.Name, Kind: r.Kind, TaxID: r.TaxID, CreditLimit: r.CreditLimit,
		Settlement:                SettlementTerms{Cycle: r.SettlementCycle, ClosingDay: r.SettlementClosingDay, DueDays: r.SettlementDueDays},
		MinRemainingShelfLifeDays: r.MinRemainingShelfLifeDays, Contact: r.Contact, Phone: r.Phone, Address: r.Address}
}

func customerColumns(c Customer) map[string]any {
	return map[string]any{"name": c.Name, "kind": c.Kind, "tax_id": c.TaxID, "credit_limit": c.CreditLimit,
		"settlement_cycle": c.Settlement.Cycle, "settlement_closing_day": c.Settlement.ClosingDay,
		"settlement_due_days": c.Settlement.DueDays, "min_remaining_shelf_life_days": c.MinRemainingShelfLifeDays,
		"contact": c.Contact, "phone": c.Phone, "address": c.Address}
}

func (s store) insertCustomer(c Customer, now time.Time) (Customer, error) {
	row := customerRow{RowMeta: newMetaRow(now), Code: c.Code, Name: c.Name, Kind: c.Kind, TaxID: c.TaxID,
		CreditLimit: c.CreditLimit, SettlementCycle: c.Settlement.Cycle, SettlementClosingDay: c.Settlement.ClosingDay,
		SettlementDueDays: c.Settlement.DueDays, MinRemainingShelfLifeDays: c.MinRemainingShelfLifeDays,
		Contact: c.Contact, Phone: c.Phone, Address: c.Address}
	if err := s.db.Create(&row).Error; err != nil {
		return Customer{}, conflict(err, map[string]*apperr.Error{"uk_customers_code": errCustomerCode})
	}
	return row.customer(), nil
}

func (s store) customer(id int64, lock bool) (Customer, error) {
	r, err := take[customerRow](s.db, id, lock, "customer")
	return r.customer(), err
}

func (s store) listCustomers(p page.Request, kind, query string, archived bool) ([]Customer, string, error) {
	q := s.db.Model(&customerRow{})
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	if query != "" {
		like := "%" + escapeLike(query) + "%"
		q = q.Where("(name LIKE ? OR code LIKE ?)", like, like)
	}
	if !archived {
		q = q.Where("archived = 0")
	}
	rows, next, err := listPage(q, p, func(r customerRow) int64 { return r.ID })
	out := make([]Customer, len(rows))
	for i, r := range rows {
		out[i] = r.customer()
	}
	return out, next, err
}

func (s store) saveCustomer(c Customer, now time.Time) (Customer, error) {
	m, err := save(s.db, "customers", c.Meta, customerColumns(c), now, "the customer")
	c.Meta = m
	return c, err
}

type outletRow struct {
	RowMeta
	CustomerID                int64
	Code, Name, City, Address string
	Contact, Phone            string
}

func (outletRow) TableName() string { return "outlets" }

func (r outletRow) outlet() Outlet {
	return Outlet{Meta: r.meta(), Customer: r.CustomerID, Code: r.Code, Name: r.Name, City: r.City,
		Address: r.Address, Contact: r.Contact, Phone: r.Phone}
}

func (s store) insertOutlet(o Outlet, now time.Time) (Outlet, error) {
	row := outletRow{RowMeta: newMetaRow(now), CustomerID: o.Customer, Code: o.Code, Name: o.Name, City: o.City,
		Address: o.Address, Contact: o.Contact, Phone: o.Phone}
	if err := s.db.Create(&row).Error; err != nil {
		return Outlet{}, conflict(err, map[string]*apperr.Error{"uk_outlets_customer_code": errOutletCode})
	}
	return row.outlet(), nil
}

func (s store) outlet(customer, id int64, lock bool) (Outlet, error) {
	r, err := take[outletRow](s.db, id, lock, "outlet")
	if err == nil && r.CustomerID != customer {
		return Outlet{}, apperr.NotFound("outlet", id)
	}
	return r.outlet(), err
}

func (s store) listOutlets(p page.Request, customer int64, query string, archived bool) ([]Outlet, string, error) {
	q := s.db.Model(&outletRow{}).Where("customer_id = ?", customer)
	if query != "" {
		like := "%" + escapeLike(query) + "%"
		q = q.Where("(name LIKE ? OR code LIKE ? OR city LIKE ?)", like, like, like)
	}
	if !archived {
		q = q.Where("archived = 0")
	}
	rows, next, err := listPage(q, p, func(r outletRow) int64 { return r.ID })
	out := make([]Outlet, len(rows))
	for i, r := range rows {
		out[i] = r.outlet()
	}
	return out, next, err
}

func (s store) saveOutlet(o Outlet, now time.Time) (Outlet, error) {
	m, err := save(s.db, "outlets", o.Meta, map[string]any{"name": o.Name, "city": o.City, "address": o.Address,
		"contact": o.Contact, "phone": o.Phone}, now, "the outlet")
	o.Meta = m
	return o, err
}

type supplierRow struct {
	RowMeta
	Code, Name, TaxID       string
	PaymentDueDays          int32
	Contact, Phone, Address string
}

func (supplierRow) TableName() string { return "suppliers" }

func (r supplierRow) supplier() Supplier {
	return Supplier{Meta: r.meta(), Code: r.Code, Name: r.Name, TaxID: r.TaxID, PaymentDueDays: r.PaymentDueDays,
		Contact: r.Contact, Phone: r.Phone, Address: r.Address}
}

func (s store) insertSupplier(x Supplier, now time.Time) (Supplier, error) {
	row := supplierRow{RowMeta: newMetaRow(now), Code: x.Code, Name: x.Name, TaxID: x.TaxID,
		PaymentDueDays: x.PaymentDueDays, Contact: x.Contact, Phone: x.Phone, Address: x.Address}
	if err := s.db.Create(&row).Error; err != nil {
		return Supplier{}, conflict(err, map[string]*apperr.Error{"uk_suppliers_code": errSupplierCode})
	}
	return row.supplier(), nil
}

func (s store) supplier(id int64, lock bool) (Supplier, error) {
	r, err := take[supplierRow](s.db, id, lock, "supplier")
	return r.supplier(), err
}

func (s store) listSuppliers(p page.Request, query string, archived bool) ([]Supplier, string, error) {
	q := s.db.Model(&supplierRow{})
	if query != "" {
		like := "%" + escapeLike(query) + "%"
		q = q.Where("(name LIKE ? OR code LIKE ?)", like, like)
	}
	if !archived {
		q = q.Where("archived = 0")
	}
	rows, next, err := listPage(q, p, func(r supplierRow) int64 { return r.ID })
	out := make([]Supplier, len(rows))
	for i, r := range rows {
		out[i] = r.supplier()
	}
	return out, next, err
}

func (s store) saveSupplier(x Supplier, now time.Time) (Supplier, error) {
	m, err := save(s.db, "suppliers", x.Meta, map[string]any{"name": x.Name, "tax_id": x.TaxID,
		"payment_due_days": x.PaymentDueDays, "contact": x.Contact, "phone": x.Phone, "address": x.Address}, now, "the supplier")
	x.Meta = m
	return x, err
}

// ---- shops ----

type shopRow struct {
	RowMeta
	Code, Name, Platform string
	BranchID             int64
	DefaultWarehouseID   int64
	PlatformShopID       string
	WebhookSecret        string
	CustomerID           int64
}

func (shopRow) TableName() string { return "shops" }

func (r shopRow) shop() Shop {
	return Shop{Meta: r.meta(), Code: r.Code, Name: r.Name, Platform: r.Platform, Branch: r.BranchID,
		DefaultWarehouse: r.DefaultWarehouseID, PlatformShopID: r.PlatformShopID, Customer: r.CustomerID,
		WebhookSecret: r.WebhookSecret, HasWebhookSecret: r.WebhookSecret != ""}
}

func (s store) insertShop(x Shop, now time.Time) (Shop, error) {
	row := shopRow{RowMeta: newMetaRow(now), Code: x.Code, Name: x.Name, Platform: x.Platform, BranchID: x.Branch,
		DefaultWarehouseID: x.DefaultWarehouse, PlatformShopID: x.PlatformShopID, WebhookSecret: x.WebhookSecret,
		CustomerID: x.Customer}
	if err := s.db.Create(&row).Error; err != nil {
		return Shop{}, conflict(err, map[string]*apperr.Error{"uk_shops_code": errShopCode})
	}
	return row.shop(), nil
}

func (s store) shop(id int64, lock bool) (Shop, error) {
	r, err := take[shopRow](s.db, id, lock, "shop")
	return r.shop(), err
}

func (s store) shopByCode(code string) (Shop, error) {
	var r shopRow
	if err := s.db.Where("code = ?", code).Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Shop{}, apperr.NotFound("shop", code)
		}
		return Shop{}, err
	}
	return r.shop(), nil
}

func (s store) listShops(p page.Request, platform string, branch int64, only []int64, archived bool) ([]Shop, string, error) {
	q := s.db.Model(&shopRow{})
	if platform != "" {
		q = q.Where("platform = ?", platform)
	}
	if branch != 0 {
		q = q.Where("branch_id = ?", branch)
	}
	if only != nil {
		q = q.Where("branch_id IN ?", nonEmpty(only))
	}
	if !archived {
		q = q.Where("archived = 0")
	}
	rows, next, err := listPage(q, p, func(r shopRow) int64 { return r.ID })
	out := make([]Shop, len(rows))
	for i, r := range rows {
		out[i] = r.shop()
	}
	return out, next, err
}

func (s store) saveShop(x Shop, now time.Time) (Shop, error) {
	m, err := save(s.db, "shops", x.Meta, map[string]any{"name": x.Name, "platform_shop_id": x.PlatformShopID,
		"default_warehouse_id": x.DefaultWarehouse, "webhook_secret": x.WebhookSecret, "customer_id": x.Customer}, now, "the shop")
	x.Meta = m
	return x, err
}

func (s store) branchByCode(code string) (Branch, error) {
	var r branchRow
	if err := s.db.Where("code = ?", code).Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Branch{}, apperr.NotFound("branch", code)
		}
		return Branch{}, err
	}
	return r.branch(), nil
}

func (s store) countBranches(ids []int64) (int64, error) {
	var n int64
	err := s.db.Model(&branchRow{}).Where("id IN ? AND archived = 0", ids).Count(&n).Error
	return n, err
}

// escapeLike escapes LIKE wildcards in user text.
func escapeLike(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' || s[i] == '_' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}
