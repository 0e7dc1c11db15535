package insights

import "context"

// NameRefs lists the ids whose names an answer shows (repeats and zeros allowed).
type NameRefs struct {
	Items, Warehouses, Suppliers, Customers, Outlets, Shops []int64
}

// ItemName is an item's SKU and name.
type ItemName struct {
	SKU, Name string
}

// Names are the catalog's names of NameRefs' ids; an unknown id is absent.
type Names struct {
	Items                                            map[int64]ItemName
	Warehouses, Suppliers, Customers, Outlets, Shops map[int64]string
}

// Directory answers the names of many ids at once; the catalog implements it (adapted in
// internal/app), so insights neither imports the catalog nor reads its tables. An answer
// asks once, for all its rows: never a lookup per row.
type Directory interface {
	Names(ctx context.Context, refs NameRefs) (Names, error)
}

// names resolves refs in one batch; without a directory every name is empty.
func (s *Service) names(ctx context.Context, refs NameRefs) (Names, error) {
	if s.directory == nil {
		return Names{}, nil
	}
	return s.directory.Names(ctx, refs)
}

// nameAbc fills the items' SKUs and names.
func (s *Service) nameAbc(ctx context.Context, a *Abc) error {
	var refs NameRefs
	for _, it := range a.Items {
		refs.Items = append(refs.Items, it.ItemID)
	}
	n, err := s.names(ctx, refs)
	if err != nil {
		return err
	}
	for i := range a.Items {
		it := &a.Items[i]
		it.ItemSKU, it.ItemName = n.Items[it.ItemID].SKU, n.Items[it.ItemID].Name
	}
	return nil
}

// nameRetail fills the customers' (chains') and outlets' names.
func (s *Service) nameRetail(ctx context.Context, c *Customers) error {
	var refs NameRefs
	for _, list := range [][]OutletSales{c.Outlets, c.Chains} {
		for _, o := range list {
			refs.Customers = append(refs.Customers, o.CustomerID)
			refs.Outlets = append(refs.Outlets, o.OutletID)
		}
	}
	n, err := s.names(ctx, refs)
	if err != nil {
		return err
	}
	for _, list := range [][]OutletSales{c.Outlets, c.Chains} {
		for i := range list {
			list[i].CustomerName, list[i].OutletName = n.Customers[list[i].CustomerID], n.Outlets[list[i].OutletID]
		}
	}
	return nil
}

// nameChannels fills the shops' names (platform totals have none).
func (s *Service) nameChannels(ctx context.Context, c *Channels) error {
	var refs NameRefs
	for _, f := range c.Shops {
		refs.Shops = append(refs.Shops, f.ShopID)
	}
	n, err := s.names(ctx, refs)
	if err != nil {
		return err
	}
	for i := range c.Shops {
		c.Shops[i].ShopName = n.Shops[c.Shops[i].ShopID]
	}
	return nil
}

// nameReplenishment fills the names of positions, transfers, expiring lots and stored
// suggestions.
func (s *Service) nameReplenishment(ctx context.Context, r *Replenishment) error {
	var refs NameRefs
	for _, p := range r.Positions {
		refs.Items, refs.Warehouses = append(refs.Items, p.ItemID), append(refs.Warehouses, p.WarehouseID)
		refs.Suppliers = append(refs.Suppliers, p.SupplierID)
	}
	for _, t := range r.Transfers {
		refs.Items, refs.Warehouses = append(refs.Items, t.ItemID), append(refs.Warehouses, t.From, t.To)
	}
	for _, e := range r.Expiring {
		refs.Items, refs.Warehouses = append(refs.Items, e.ItemID), append(refs.Warehouses, e.WarehouseID)
	}
	suggestionRefs(&refs, r.Suggestions)
	n, err := s.names(ctx, refs)
	if err != nil {
		return err
	}
	for i := range r.Positions {
		p := &r.Positions[i]
		p.ItemSKU, p.ItemName = n.Items[p.ItemID].SKU, n.Items[p.ItemID].Name
		p.WarehouseName, p.SupplierName = n.Warehouses[p.WarehouseID], n.Suppliers[p.SupplierID]
	}
	for i := range r.Transfers {
		t := &r.Transfers[i]
		t.ItemSKU, t.ItemName = n.Items[t.ItemID].SKU, n.Items[t.ItemID].Name
		t.FromName, t.ToName = n.Warehouses[t.From], n.Warehouses[t.To]
	}
	for i := range r.Expiring {
		e := &r.Expiring[i]
		e.ItemSKU, e.ItemName = n.Items[e.ItemID].SKU, n.Items[e.ItemID].Name
		e.WarehouseName = n.Warehouses[e.WarehouseID]
	}
	applySuggestionNames(n, r.Suggestions)
	return nil
}

// nameSuggestions fills the names of stored suggestions.
func (s *Service) nameSuggestions(ctx context.Context, list []Suggestion) error {
	var refs NameRefs
	suggestionRefs(&refs, list)
	n, err := s.names(ctx, refs)
	if err != nil {
		return err
	}
	applySuggestionNames(n, list)
	return nil
}

func suggestionRefs(refs *NameRefs, list []Suggestion) {
	for _, x := range list {
		refs.Items, refs.Suppliers = append(refs.Items, x.ItemID), append(refs.Suppliers, x.SupplierID)
		refs.Warehouses = append(refs.Warehouses, x.WarehouseID, x.FromWarehouseID)
	}
}

func applySuggestionNames(n Names, list []Suggestion) {
	for i := range list {
		x := &list[i]
		x.ItemSKU, x.ItemName = n.Items[x.ItemID].SKU, n.Items[x.ItemID].Name
		x.SupplierName, x.WarehouseName = n.Suppliers[x.SupplierID], n.Warehouses[x.WarehouseID]
		x.FromWarehouseName = n.Warehouses[x.FromWarehouseID]
	}
}
