package catalog

import (
	"context"
	"slices"
)

// NameRefs lists the ids whose names another service's answer shows. Ids may repeat and
// may be 0 (none); both are ignored.
type NameRefs struct {
	Items, Warehouses, Suppliers, Customers, Outlets, Shops []int64
}

// ItemName is an item's SKU and name.
type ItemName struct {
	SKU, Name string
}

// Names are the names of NameRefs' ids. An id the catalog does not know is absent;
// archived rows keep their names (history refers to them).
type Names struct {
	Items                                            map[int64]ItemName
	Warehouses, Suppliers, Customers, Outlets, Shops map[int64]string
}

// namesChunk bounds the ids of one IN list.
const namesChunk = 1000

// Names answers the names of many ids at once: one query per kind (per 1000 ids), never
// one per row, and no cache (an answer shows the names as they are now).
func (s *Service) Names(ctx context.Context, r NameRefs) (Names, error) {
	out := Names{Items: map[int64]ItemName{}, Warehouses: map[int64]string{}, Suppliers: map[int64]string{},
		Customers: map[int64]string{}, Outlets: map[int64]string{}, Shops: map[int64]string{}}
	st := s.read(ctx)
	for _, chunk := range idChunks(r.Items) {
		var rows []struct {
			ID        int64
			SKU, Name string
		}
		if err := st.db.Raw(`SELECT id, sku, name FROM items WHERE id IN ?`, chunk).Scan(&rows).Error; err != nil {
			return out, err
		}
		for _, x := range rows {
			out.Items[x.ID] = ItemName{SKU: x.SKU, Name: x.Name}
		}
	}
	for _, k := range []struct {
		table string
		ids   []int64
		into  map[int64]string
	}{{"warehouses", r.Warehouses, out.Warehouses}, {"suppliers", r.Suppliers, out.Suppliers},
		{"customers", r.Customers, out.Customers}, {"outlets", r.Outlets, out.Outlets}, {"shops", r.Shops, out.Shops}} {
		for _, chunk := range idChunks(k.ids) {
			var rows []struct {
				ID   int64
				Name string
			}
			if err := st.db.Raw(`SELECT id, name FROM `+k.table+` WHERE id IN ?`, chunk).Scan(&rows).Error; err != nil {
				return out, err
			}
			for _, x := range rows {
				k.into[x.ID] = x.Name
			}
		}
	}
	return out, nil
}

// idChunks answers the distinct positive ids in sorted chunks of at most namesChunk.
func idChunks(ids []int64) [][]int64 {
	u := slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id <= 0 })
	slices.Sort(u)
	u = slices.Compact(u)
	var out [][]int64
	for len(u) > 0 {
		n := min(len(u), namesChunk)
		out = append(out, u[:n])
		u = u[n:]
	}
	return out
}
