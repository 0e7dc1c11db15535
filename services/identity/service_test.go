package identity_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/mask"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/testdb"
	"github.com/erphub/erphub/services/catalog"
	"github.com/erphub/erphub/services/identity"
)

func as(p *reqctx.Principal) context.Context {
	return reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "t", Method: "/test", Principal: p})
}

type fixture struct {
	svc    *identity.Service
	cat    *catalog.Service
	admin  context.Context
	branch int64
	shop   int64
	clock  *time.Time
}

func setup(t *testing.T) fixture {
	t.Helper()
	g := testdb.New(t)
	cat := catalog.New(g)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	f := fixture{cat: cat, clock: &now}
	f.svc = identity.New(g, cat, identity.Options{TokenTTL: time.Hour, CacheTTL: time.Nanosecond,
		Now: func() time.Time { return *f.clock }})
	f.admin = as(&reqctx.Principal{Kind: reqctx.ActorUser, ID: 1000, Name: "root", Roles: []string{reqctx.RoleAdmin}})
	b, err := cat.CreateBranch(f.admin, catalog.Branch{Code: "CQ", Name: "重庆"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := cat.CreateWarehouse(f.admin, catalog.Warehouse{Code: "W", Name: "w", Branch: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	s, err := cat.CreateShop(f.admin, catalog.Shop{Code: "TM", Name: "tm", Platform: "tmall", Branch: b.ID, DefaultWarehouse: w.ID})
	if err != nil {
		t.Fatal(err)
	}
	f.branch, f.shop = b.ID, s.ID
	return f
}

func TestLoginAndTokens(t *testing.T) {
	t.Parallel()
	f := setup(t)
	u, err := f.svc.CreateUser(f.admin, identity.UserInput{User: identity.User{Username: "li.wei", Roles: []string{"warehouse"},
		Branches: []int64{f.branch}}, Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, bad := range [][2]string{{"li.wei", "wrong password"}, {"nobody", "correct horse"}} {
		if _, err := f.svc.Login(ctx, bad[0], bad[1]); !errors.Is(err, identity.ErrBadCredentials) {
			t.Fatalf("login %v: %v", bad, err)
		}
	}
	s, err := f.svc.Login(ctx, "li.wei", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Authenticate(ctx, s.Token)
	if err != nil || p.ID != u.ID || !p.HasRole("warehouse") || !p.CanAccessBranch(f.branch) || p.CanAccessBranch(f.branch+1) {
		t.Fatalf("principal %+v, %v", p, err)
	}
	// forged, truncated and foreign tokens
	for _, tok := range []string{s.Token + "x", s.Token[:len(s.Token)-3], "eat1.e30.AAAA", "Bearer", strings.Repeat("a", 600)} {
		if _, err := f.svc.Authenticate(ctx, tok); !apperr.IsKind(err, apperr.KindUnauthenticated) {
			t.Fatalf("token %q accepted: %v", tok, err)
		}
	}
	// changing the user's roles revokes the token
	if _, err := f.svc.UpdateUser(f.admin, identity.UserInput{User: identity.User{ID: u.ID, Roles: []string{"sales"}}}, mask.Set{"roles"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, s.Token); !apperr.IsKind(err, apperr.KindUnauthenticated) {
		t.Fatalf("token survived a role change: %v", err)
	}
	// tokens expire
	s2, _ := f.svc.Login(ctx, "li.wei", "correct horse")
	*f.clock = f.clock.Add(2 * time.Hour)
	if _, err := f.svc.Authenticate(ctx, s2.Token); !apperr.IsKind(err, apperr.KindUnauthenticated) {
		t.Fatalf("expired token accepted: %v", err)
	}
	// a deactivated user cannot sign in
	if _, err := f.svc.UpdateUser(f.admin, identity.UserInput{User: identity.User{ID: u.ID, Active: false}}, mask.Set{"active"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(ctx, "li.wei", "correct horse"); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("deactivated user signed in: %v", err)
	}
}

func TestUserValidation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		name  string
		in    identity.UserInput
		field string
	}{
		{"short password", identity.UserInput{User: identity.User{Username: "abc", Roles: []string{"sales"}}, Password: "short"}, "user.password"},
		{"bad username", identity.UserInput{User: identity.User{Username: "a b", Roles: []string{"sales"}}, Password: "long enough"}, "user.username"},
		{"connector role", identity.UserInput{User: identity.User{Username: "abc", Roles: []string{"connector"}}, Password: "long enough"}, "user.roles[0]"},
		{"no role", identity.UserInput{User: identity.User{Username: "abc"}, Password: "long enough"}, "user.roles"},
		{"unknown branch", identity.UserInput{User: identity.User{Username: "abc", Roles: []string{"sales"}, Branches: []int64{999}}, Password: "long enough"}, "user.branches"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.CreateUser(f.admin, tc.in)
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindInvalid {
				t.Fatalf("err = %v", err)
			}
			found := false
			for _, v := range e.Violations {
				found = found || v.Field == tc.field
			}
			if !found {
				t.Fatalf("%v does not name %s", err, tc.field)
			}
		})
	}
	in := identity.UserInput{User: identity.User{Username: "zhang", Roles: []string{"finance"}}, Password: "long enough"}
	if _, err := f.svc.CreateUser(f.admin, in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateUser(f.admin, in); !errors.Is(err, identity.ErrUsernameTaken) {
		t.Fatalf("duplicate username: %v", err)
	}
}

func TestAdminsCannotLockThemselvesOut(t *testing.T) {
	t.Parallel()
	f := setup(t)
	name, pw, err := f.svc.EnsureAdmin(f.admin)
	if err != nil || name != "admin" || len(pw) < 20 {
		t.Fatalf("EnsureAdmin = %q %q %v", name, pw, err)
	}
	if again, _, _ := f.svc.EnsureAdmin(f.admin); again != "" {
		t.Fatal("a second admin was created")
	}
	s, err := f.svc.Login(context.Background(), "admin", pw)
	if err != nil {
		t.Fatal(err)
	}
	me := as(s.User.Principal())
	_, err = f.svc.UpdateUser(me, identity.UserInput{User: identity.User{ID: s.User.ID, Roles: []string{"manager"}}}, mask.Set{"roles"})
	if !errors.Is(err, identity.ErrSelfLockout) {
		t.Fatalf("self demotion: %v", err)
	}
	// another admin may not remove the last admin either
	_, err = f.svc.UpdateUser(f.admin, identity.UserInput{User: identity.User{ID: s.User.ID, Active: false}}, mask.Set{"active"})
	if e, ok := apperr.As(err); !ok || e.Reason != "LAST_ADMIN" {
		t.Fatalf("deactivating the last admin: %v", err)
	}
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	f := setup(t)
	k, err := f.svc.CreateAPIKey(f.admin, "tmall connector", f.shop)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.Secret, "erk_") {
		t.Fatalf("secret %q", k.Secret)
	}
	ctx := context.Background()
	p, err := f.svc.Authenticate(ctx, k.Secret)
	if err != nil || p.Kind != reqctx.ActorAPIKey || !p.CanAccessShop(f.shop) || p.CanAccessShop(f.shop+1) || !p.HasRole("connector") {
		t.Fatalf("principal %+v, %v", p, err)
	}
	if _, err := f.svc.Authenticate(ctx, k.Secret[:len(k.Secret)-1]+"x"); !apperr.IsKind(err, apperr.KindUnauthenticated) {
		t.Fatalf("wrong secret accepted: %v", err)
	}
	if _, err := f.svc.CreateAPIKey(f.admin, "x", 4242); !apperr.IsKind(err, apperr.KindInvalid) {
		t.Fatalf("key for an unknown shop: %v", err)
	}
	if _, err := f.svc.RevokeAPIKey(f.admin, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, k.Secret); !apperr.IsKind(err, apperr.KindUnauthenticated) {
		t.Fatalf("revoked key accepted: %v", err)
	}
	keys, _, err := f.svc.ListAPIKeys(f.admin, 10, "", f.shop)
	if err != nil || len(keys) != 1 || keys[0].RevokeTime == nil {
		t.Fatalf("keys %+v %v", keys, err)
	}
}
