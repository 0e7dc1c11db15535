package catalog

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/mask"
	"github.com/erphub/erphub/internal/page"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/txn"
)

// Service holds the catalog use cases.
type Service struct {
	db    *gorm.DB
	store store
	now   func() time.Time
	cache lookups
}

// New returns the service.
func New(g *gorm.DB) *Service {
	return &Service{db: g, store: store{db: g}, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

func (s *Service) read(ctx context.Context) store { return s.store.with(s.db.WithContext(ctx)) }

// scope answers the branches the caller is limited to, or nil for every branch.
func scope(ctx context.Context) []int64 {
	p := reqctx.PrincipalFrom(ctx)
	if p.Kind == reqctx.ActorSystem || p.AllBranches() {
		return nil
	}
	return p.Branches
}

func checkBranchAccess(ctx context.Context, branch int64) error {
	if !reqctx.PrincipalFrom(ctx).CanAccessBranch(branch) {
		return apperr.Forbidden(fmt.Sprintf("you may not act in branch %d", branch))
	}
	return nil
}

// mutate validates in, then runs change in a transaction with idempotency and audit.
func mutate[T any](ctx context.Context, s *Service, validate func() error, change func(st store, now time.Time) (T, error)) (T, error) {
	if validate != nil {
		if err := validate(); err != nil {
			var zero T
			return zero, err
		}
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (T, error) {
		return change(s.store.with(tx), s.now())
	})
}

// ---- branches ----

// CreateBranch adds a branch. Errors: Invalid, Conflict (code taken).
func (s *Service) CreateBranch(ctx context.Context, b Branch) (Branch, error) {
	return mutate(ctx, s, b.validate, func(st store, now time.Time) (Branch, error) {
		return st.insertBranch(b, now)
	})
}

// GetBranch answers a branch. Errors: NotFound, Forbidden (another branch).
func (s *Service) GetBranch(ctx context.Context, id int64) (Branch, error) {
	b, err := s.read(ctx).branch(id, false)
	if err != nil {
		return b, err
	}
	return b, checkBranchAccess(ctx, b.ID)
}

// ListBranches pages through the branches the caller may see.
func (s *Service) ListBranches(ctx context.Context, size int32, token string, archived bool) ([]Branch, string, error) {
	p, err := page.Parse(size, token, archived)
	if err != nil {
		return nil, "", err
	}
	return s.read(ctx).listBranches(p, scope(ctx), archived)
}

// UpdateBranch changes the masked fields. Errors: Invalid, NotFound, Forbidden, Stale.
func (s *Service) UpdateBranch(ctx context.Context, in Branch, etag string, m mask.Set) (Branch, error) {
	return mutate(ctx, s, nil, func(st store, now time.Time) (Branch, error) {
		cur, err := st.branch(in.ID, true)
		if err != nil {
			return cur, err
		}
		if err := firstErr(checkBranchAccess(ctx, cur.ID), cur.checkEtag(etag, "the branch")); err != nil {
			return cur, err
		}
		next, err := cur.patch(in, m)
		if err != nil {
			return cur, err
		}
		return st.saveBranch(next, now)
	})
}

// ErrBranchInUse refuses to archive a branch that still has live warehouses.
var ErrBranchInUse = apperr.Refused("BRANCH_HAS_WAREHOUSES", "archive the branch's warehouses first")

// ArchiveBranch archives a branch. Errors: NotFound, Forbidden, Stale, ErrBranchInUse.
func (s *Service) ArchiveBranch(ctx context.Context, id int64, etag string) (Branch, error) {
	return mutate(ctx, s, nil, func(st store, now time.Time) (Branch, error) {
		cur, err := st.branch(id, true)
		if err != nil {
			return cur, err
		}
		if err := firstErr(checkBranchAccess(ctx, cur.ID), cur.checkEtag(etag, "the branch")); err != nil || cur.Archived {
			return cur, err
		}
		if n, err := st.countLiveWarehouses(id); err != nil {
			return cur, err
		} else if n > 0 {
			return cur, ErrBranchInUse
		}
		cur.Meta, err = archiveRow(st.db, "branches", cur.Meta, now, "the branch")
		return cur, err
	})
}

// ---- warehouses ----

// liveBranch checks that a branch exists, is not archived and is the caller's.
func liveBranch(ctx context.Context, st store, id int64, field string) error {
	b, err := st.branch(id, false)
	if apperr.IsKind(err, apperr.KindNotFound) || err == nil && b.Archived {
		return apperr.Invalid(field, fmt.Sprintf("branch %d does not exist or is archived", id))
	}
	if err != nil {
		return err
	}
	return checkBranchAccess(ctx, id)
}

// CreateWarehouse adds a warehouse to a branch. Errors: Invalid (also for an unknown
// branch), Forbidden, Conflict.
func (s *Service) CreateWarehouse(ctx context.Context, w Warehouse) (Warehouse, error) {
	if w.FEFOPolicy == "" {
		w.FEFOPolicy = "block"
	}
	return mutate(ctx, s, w.validate, func(st store, now time.Time) (Warehouse, error) {
		if err := liveBranch(ctx, st, w.Branch, "warehouse.branch"); err != nil {
			return w, err
		}
		return st.insertWarehouse(w, now)
	})
}

// GetWarehouse answers a warehouse. Errors: NotFound, Forbidden.
func (s *Service) GetWarehouse(ctx context.Context, id int64) (Warehouse, error) {
	w, err := s.read(ctx).warehouse(id, false)
	if err != nil {
		return w, err
	}
	return w, checkBranchAccess(ctx, w.Branch)
}

// ListWarehouses pages through the warehouses the caller may see, optionally of one branch.
func (s *Service) ListWarehouses(ctx context.Context, size int32, token string, branch int64, archived bool) ([]Warehouse, string, error) {
	p, err := page.Parse(size, token, branch, archived)
	if err != nil {
		return nil, "", err
	}
	return s.read(ctx).listWarehouses(p, branch, scope(ctx), archived)
}

// UpdateWarehouse changes the masked fields. Errors: Invalid, NotFound, Forbidden, Stale.
func (s *Service) UpdateWarehouse(ctx context.Context, in Warehouse, etag string, m mask.Set) (Warehouse, error) {
	defer s.cache.forget()
	return mutate(ctx, s, nil, func(st store, now time.Time) (Warehouse, error) {
		cur, err := st.warehouse(in.ID, true)
		if err != nil {
			return cur, err
		}
		if err := firstErr(checkBranchAccess(ctx, cur.Branch), cur.checkEtag(etag, "the warehouse")); err != nil {
			return cur, err
		}
		next, err := cur.patch(in, m)
		if err != nil {
			return cur, err
		}
		return st.saveWarehouse(next, now)
	})
}

// ArchiveWarehouse archives a warehouse. Errors: NotFound, Forbidden, Stale.
func (s *Service) ArchiveWarehouse(ctx context.Context, id int64, etag string) (Warehouse, error) {
	defer s.cache.forget()
	return mutate(ctx, s, nil, func(st store, now time.Time) (Warehouse, error) {
		cur, err := st.warehouse(id, true)
		if err != nil {
			return cur, err
		}
		if err := firstErr(checkBranchAccess(ctx, cur.Branch), cur.checkEtag(etag, "the warehouse")); err != nil || cur.Archived {
			return cur, err
		}
		cur.Meta, err = archiveRow(st.db, "warehouses", cur.Meta, now, "the warehouse")
		return cur, err
	})
}

// ---- items ----

// CreateItem adds an item with its barcodes. Errors: Invalid (bad fields, bad check
// digits), Conflict (SKU or a barcode taken).
func (s *Service) CreateItem(ctx context.Context, it Item) (Item, error) {
	defer s.cache.forget()
	return mutate(ctx, s, it.validate, func(st store, now time.Time) (Item, error) {
		return st.insertItem(it, now)
	})
}

// GetItem answers an item. Errors: NotFound.
func (s *Service) GetItem(ctx context.Context, id int64) (Item, error) {
	return s.read(ctx).item(id, false)
}

// ListItems pages through items.
func (s *Service) ListItems(ctx context.Context, size int32, token string, f ItemFilter) ([]Item, string, error) {
	p, err := page.Parse(size, token, f.SKU, f.Barcode, f.Query, f.Category, f.ShowArchived)
	if err != nil {
		return nil, "", err
	}
	return s.read(ctx).listItems(p, f)
}

// UpdateItem changes the masked fields. Errors: Invalid, NotFound, Conflict, Stale.
func (s *Service) UpdateItem(ctx context.Context, in Item, etag string, m mask.Set) (Item, error) {
	defer s.cache.forget()
	return mutate(ctx, s, nil, func(st store, now time.Time) (Item, error) {
		cur, err := st.item(in.ID, true)
		if err != nil {
			return cur, err
		}
		if err := cur.checkEtag(etag, "the item"); err != nil {
			return cur, err
		}
		next, err := cur.patch(in, m)
		if err != nil {
			return cur, err
		}
		return st.saveItem(next, m.Has("barcodes") || m.Has("pack_barcodes"), m.Has("scale_codes"), now)
	})
}

// ArchiveItem archives an item; its barcodes stay reserved. Errors: NotFound, Stale.
func (s *Service) ArchiveItem(ctx context.Context, id int64, etag string) (Item, error) {
	defer s.cache.forget()
	return mutate(ctx, s, nil, func(st store, now time.Time) (Item, error) {
		cur, err := st.item(id, true)
		if err != nil {
			return cur, err
		}
		if err := cur.checkEtag(etag, "the item"); err != nil || cur.Archived {
			return cur, err
		}
		cur.Meta, err = archiveRow(st.db, "items", cur.Meta, now, "the item")
		return cur, err
	})
}

// ---- customers and outlets ----

// CreateCustomer adds a customer. Errors: Invalid, Conflict.
func (s *Service) CreateCustomer(ctx context.Context, c Customer) (Customer, error) {
	if c.Kind == "" {
		c.Kind = "other"
	}
	return mutate(ctx, s, c.validate, func(st store, now time.Time) (Customer, error) {
		return st.insertCustomer(c, now)
	})
}

// GetCustomer answers a customer. Errors: NotFound.
func (s *Service) GetCustomer(ctx context.Context, id int64) (Customer, error) {
	return s.read(ctx).customer(id, false)
}

// ListCustomers pages through customers.
func (s *Service) ListCustomers(ctx context.Context, size int32, token, kind, query string, archived bool) ([]Customer, string, error) {
	p, err := page.Parse(size, token, kind, query, archived)
	if err != nil {
		return nil, "", err
	}
	return s.read(ctx).listCustomers(p, kind, query, archived)
}

// UpdateCustomer changes the masked fields. Errors: Invalid, NotFound, Stale.
func (s *Service) UpdateCustomer(ctx context.Context, in Customer, etag string, m mask.Set) (Customer, error) {
	defer s.cache.forget()
	return mutate(ctx, s, nil, func(st store, now time.Time) (Customer, error) {
		cur, err := st.customer(in.ID, true)
		if err != nil {
			return cur, err
		}
		if err := cur.checkEtag(etag, "the customer"); err != nil {
			return cur, err
		}
		next, err := cur.patch(in, m)
		if err != nil {
			return cur, err
		}
		return st.saveCustomer(next, now)
	})
}

// ArchiveCustomer archives a customer. Errors: NotFound, Stale.
func (s *Service) ArchiveCustomer(ctx context.Context, id int64, etag string) (Customer, error) {
	defer s.cache.forget()
	return mutate(ctx, s, nil, func(st store, now time.Time) (Customer, error) {
		cur, err := st.customer(id, true)
		if err != nil {
			return cur, err
		}
		if err := cur.checkEtag(etag, "the customer"); err != nil || cur.Archived {
			return cur, err
		}
		cur.Meta, err = archiveRow(st.db, "customers", cur.Meta, now, "the customer")
		return cur, err
	})
}

// CreateOutlet adds an outlet to a customer. Errors: Invalid, NotFound (customer), Conflict.
func (s *Service) CreateOutlet(ctx context.Context, o Outlet) (Outlet, error) {
	return mutate(ctx, s, o.validate, func(st store, now time.Time) (Outlet, error) {
		c, err := st.customer(o.Customer, false)
		if err != nil {
			return o, err
		}
		if c.Archived {
			return o, apperr.Invalid("outlet.customer", "the customer is archived")
		}
		return st.insertOutlet(o, now)
	})
}

// GetOutlet answers an outlet of a customer. Errors: NotFound.
func (s *Service) GetOutlet(ctx context.Context, customer, id int64) (Outlet, error) {
	return s.read(ctx).outlet(customer, id, false)
}

// ListOutlets pages through a customer's outlets.
func (s *Service) ListOutlets(ctx context.Context, customer int64, size int32, token, query string, archived bool) ([]Outlet, string, error) {
	p, err := page.Parse(size, token, customer, query, archived)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.read(ctx).customer(customer, false); err != nil {
		return nil, "", err
	}
	return s.read(ctx).listOutlets(p, customer, query, archived)
}

// UpdateOutlet changes the masked fields. Errors: Invalid, NotFound, Stale.
func (s *Service) UpdateOutlet(ctx context.Context, in Outlet, etag string, m mask.Set) (Outlet, error) {
	return mutate(ctx, s, nil, func(st store, now time.Time) (Outlet, error) {
		cur, err := st.outlet(in.Customer, in.ID, true)
		if err != nil {
			return cur, err
		}
		if err := cur.checkEtag(etag, "the outlet"); err != nil {
			return cur, err
		}
		next, err := cur.patch(in, m)
		if err != nil {
			return cur, err
		}
		return st.saveOutlet(next, now)
	})
}

// ArchiveOutlet archives an outlet. Errors: NotFound, Stale.
func (s *Service) ArchiveOutlet(ctx context.Context, customer, id int64, etag string) (Outlet, error) {
	return mutate(ctx, s, nil, func(st store, now time.Time) (Outlet, error) {
		cur, err := st.outlet(customer, id, true)
		if err != nil {
			return cur, err
		}
		if err := cur.checkEtag(etag, "the outlet"); err != nil || cur.Archived {
			return cur, err
		}
		cur.Meta, err = archiveRow(st.db, "outlets", cur.Meta, now, "the outlet")
		return cur, err
	})
}

// ---- suppliers ----

// CreateSupplier adds a supplier. Errors: Invalid, Conflict.
func (s *Service) CreateSupplier(ctx context.Context, x Supplier) (Supplier, error) {
	return mutate(ctx, s, x.validate, func(st store, now time.Time) (Supplier, error) {
		return st.insertSupplier(x, now)
	})
}

// GetSupplier answers a supplier. Errors: NotFound.
func (s *Service) GetSupplier(ctx context.Context, id int64) (Supplier, error) {
	return s.read(ctx).supplier(id, false)
}

// ListSuppliers pages through suppliers.
func (s *Service) ListSuppliers(ctx context.Context, size int32, token, query string, archived bool) ([]Supplier, string, error) {
	p, err := page.Parse(size, token, query, archived)
	if err != nil {
		return nil, "", err
	}
	return s.read(ctx).listSuppliers(p, query, archived)
}

// UpdateSupplier changes the masked fields. Errors: Invalid, NotFound, Stale.
func (s *Service) UpdateSupplier(ctx context.Context, in Supplier, etag string, m mask.Set) (Supplier, error) {
	return mutate(ctx, s, nil, func(st store, now time.Time) (Supplier, error) {
		cur, err := st.supplier(in.ID, true)
		if err != nil {
			return cur, err
		}
		if err := cur.checkEtag(etag, "the supplier"); err != nil {
			return cur, err
		}
		next, err := cur.patch(in, m)
		if err != nil {
			return cur, err
		}
		return st.saveSupplier(next, now)
	})
}

// ArchiveSupplier archives a supplier. Errors: NotFound, Stale.
func (s *Service) ArchiveSupplier(ctx context.Context, id int64, etag string) (Supplier, error) {
	return mutate(ctx, s, nil, func(st store, now time.Time) (Supplier, error) {
		cur, err := st.supplier(id, true)
		if err != nil {
			return cur, err
		}
		if err := cur.checkEtag(etag, "the supplier"); err != nil || cur.Archived {
			return cur, err
		}
		cur.Meta, err = archiveRow(st.db, "suppliers", cur.Meta, now, "the supplier")
		return cur, err
	})
}

// ---- shops ----

// shopRefs checks a shop's branch and default warehouse.
func shopRefs(ctx context.Context, st store, x Shop) error {
	if err := liveBranch(ctx, st, x.Branch, "shop.branch"); err != nil {
		return err
	}
	w, err := st.warehouse(x.DefaultWarehouse, false)
	switch {
	case apperr.IsKind(err, apperr.KindNotFound) || err == nil && w.Archived:
		return apperr.Invalid("shop.default_warehouse", fmt.Sprintf("warehouse %d does not exist or is archived", x.DefaultWarehouse))
	case err != nil:
		return err
	case w.Branch != x.Branch:
		return apperr.Invalid("shop.default_warehouse", fmt.Sprintf("warehouse %d belongs to another branch", x.DefaultWarehouse))
	}
	return nil
}

// CreateShop adds a shop. Errors: Invalid (also unknown branch or warehouse), Forbidden,
// Conflict.
func (s *Service) CreateShop(ctx context.Context, x Shop) (Shop, error) {
	return mutate(ctx, s, x.validate, func(st store, now time.Time) (Shop, error) {
		if err := shopRefs(ctx, st, x); err != nil {
			return x, err
		}
		return st.insertShop(x, now)
	})
}

// GetShop answers a shop. Errors: NotFound, Forbidden (another branch's, or not the
// connector's shop).
func (s *Service) GetShop(ctx context.Context, id int64) (Shop, error) {
	x, err := s.read(ctx).shop(id, false)
	if err != nil {
		return x, err
	}
	p := reqctx.PrincipalFrom(ctx)
	if p.Kind == reqctx.ActorAPIKey {
		if !p.CanAccessShop(id) {
			return Shop{}, apperr.Forbidden("this key may not read that shop")
		}
		return x, nil
	}
	return x, checkBranchAccess(ctx, x.Branch)
}

// ListShops pages through the shops the caller may see.
func (s *Service) ListShops(ctx context.Context, size int32, token, platform string, branch int64, archived bool) ([]Shop, string, error) {
	p, err := page.Parse(size, token, platform, branch, archived)
	if err != nil {
		return nil, "", err
	}
	return s.read(ctx).listShops(p, platform, branch, scope(ctx), archived)
}

// UpdateShop changes the masked fields. Errors: Invalid, NotFound, Forbidden, Stale.
func (s *Service) UpdateShop(ctx context.Context, in Shop, etag string, m mask.Set) (Shop, error) {
	return mutate(ctx, s, nil, func(st store, now time.Time) (Shop, error) {
		cur, err := st.shop(in.ID, true)
		if err != nil {
			return cur, err
		}
		if err := firstErr(checkBranchAccess(ctx, cur.Branch), cur.checkEtag(etag, "the shop")); err != nil {
			return cur, err
		}
		next, err := cur.patch(in, m)
		if err != nil {
			return cur, err
		}
		if m.Has("default_warehouse") {
			if err := shopRefs(ctx, st, next); err != nil {
				return cur, err
			}
		}
		return st.saveShop(next, now)
	})
}

// ArchiveShop archives a shop. Errors: NotFound, Forbidden, Stale.
func (s *Service) ArchiveShop(ctx context.Context, id int64, etag string) (Shop, error) {
	return mutate(ctx, s, nil, func(st store, now time.Time) (Shop, error) {
		cur, err := st.shop(id, true)
		if err != nil {
			return cur, err
		}
		if err := firstErr(checkBranchAccess(ctx, cur.Branch), cur.checkEtag(etag, "the shop")); err != nil || cur.Archived {
			return cur, err
		}
		cur.Meta, err = archiveRow(st.db, "shops", cur.Meta, now, "the shop")
		return cur, err
	})
}

// ---- lookups for other services (identity.Directory and the CLI) ----

// CheckBranches answers an Invalid error naming the first id that is not a live branch.
func (s *Service) CheckBranches(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	n, err := s.read(ctx).countBranches(ids)
	if err != nil {
		return err
	}
	if int(n) != len(ids) {
		return apperr.Invalid("user.branches", fmt.Sprintf("%v are not all live branch ids", ids))
	}
	return nil
}

// CheckShop answers an Invalid error when id is not a live shop.
func (s *Service) CheckShop(ctx context.Context, id int64) error {
	x, err := s.read(ctx).shop(id, false)
	if apperr.IsKind(err, apperr.KindNotFound) || err == nil && x.Archived {
		return apperr.Invalid("api_key.shop", fmt.Sprintf("shop %d does not exist or is archived", id))
	}
	return err
}

// BranchByCode answers a branch by its code. Errors: NotFound.
func (s *Service) BranchByCode(ctx context.Context, code string) (Branch, error) {
	return s.read(ctx).branchByCode(code)
}

// ShopByCode answers a shop by its code. Errors: NotFound.
func (s *Service) ShopByCode(ctx context.Context, code string) (Shop, error) {
	return s.read(ctx).shopByCode(code)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
