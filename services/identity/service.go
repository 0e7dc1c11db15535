package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/mask"
	"github.com/erphub/erphub/internal/page"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/txn"
)

// Directory answers whether the branches and shops a user or key refers to exist; the
// catalog service implements it.
type Directory interface {
	CheckBranches(ctx context.Context, ids []int64) error
	CheckShop(ctx context.Context, id int64) error
}

// Options tune the service.
type Options struct {
	TokenTTL time.Duration // access token lifetime (default 12 h)
	CacheTTL time.Duration // how long a verified caller is trusted without a lookup (default 5 s)
	Throttle Throttle      // how repeated failed sign-ins are slowed and locked
	Now      func() time.Time
}

// Service holds the identity use cases.
type Service struct {
	db    *gorm.DB
	store store
	dir   Directory
	opt   Options

	keyMu sync.Mutex
	key   []byte

	cacheMu sync.RWMutex
	users   map[int64]cachedUser
	keys    map[string]cachedKey
	tokens  map[string]claims // verified tokens: signature checks once per token, not per call
}

type cachedUser struct {
	user User
	at   time.Time
}

type cachedKey struct {
	key  APIKey
	hash []byte
	at   time.Time
}

// New returns the service.
func New(g *gorm.DB, dir Directory, opt Options) *Service {
	if opt.TokenTTL == 0 {
		opt.TokenTTL = 12 * time.Hour
	}
	if opt.CacheTTL == 0 {
		opt.CacheTTL = 5 * time.Second
	}
	if opt.Now == nil {
		opt.Now = func() time.Time { return time.Now().UTC() }
	}
	opt.Throttle = opt.Throttle.withDefaults()
	return &Service{db: g, store: store{db: g}, dir: dir, opt: opt,
		users: map[int64]cachedUser{}, keys: map[string]cachedKey{}, tokens: map[string]claims{}}
}

func (s *Service) now() time.Time { return s.opt.Now().Truncate(time.Microsecond) }

func (s *Service) signingKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	key, err := s.store.with(s.db.WithContext(ctx)).signingKey(fresh, s.now())
	if err != nil {
		return nil, err
	}
	s.key = key
	return key, nil
}

// Session is a signed-in user's token.
type Session struct {
	Token   string
	Expires time.Time
	User    User
}

// Login checks a username and password and issues a token. It returns ErrBadCredentials
// for an unknown user, a wrong password or a deactivated user (the same answer for all
// three, in the same time), and ErrLoginThrottled or ErrLoginLocked (naming the wait)
// when the username failed too often lately (see Throttle). Failed attempts are audited.
func (s *Service) Login(ctx context.Context, username, password string) (Session, error) {
	key := throttleKey(username)
	// The failure is counted before the password is checked, in a short transaction, so
	// that concurrent guesses each see the ones before them; a success clears it.
	if err := txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		now := s.now()
		st := s.store.with(tx)
		r, err := st.lockLoginRecord(key, now)
		if err != nil {
			return err
		}
		if err := r.admit(now); err != nil {
			return err
		}
		return st.saveLoginRecord(key, r.fail(s.opt.Throttle, now), now)
	}); err != nil {
		if apperr.IsKind(err, apperr.KindExhausted) {
			s.auditLogin(ctx, username, User{}, "RESOURCE_EXHAUSTED")
		}
		return Session{}, err
	}
	st := s.store.with(s.db.WithContext(ctx))
	u, hash, err := st.userByUsername(username)
	known := err == nil
	if err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
		return Session{}, err
	}
	if !known {
		hash = dummyHash
	}
	ok, verr := verifyPassword(hash, password)
	if verr != nil {
		return Session{}, verr
	}
	if !known || !ok || !u.Active {
		s.auditLogin(ctx, username, u, "UNAUTHENTICATED")
		return Session{}, ErrBadCredentials
	}
	if err := st.clearLoginFailures(key); err != nil {
		return Session{}, err
	}
	signKey, err := s.signingKey(ctx)
	if err != nil {
		return Session{}, err
	}
	exp := s.now().Add(s.opt.TokenTTL).Truncate(time.Second)
	tok := signToken(signKey, claims{User: u.ID, Epoch: u.TokenEpoch, Expires: exp.Unix()})
	s.auditLogin(ctx, username, u, "OK")
	return Session{Token: tok, Expires: exp, User: u}, nil
}

// throttleKey is the username failures are counted under: at most 191 characters (the
// key's column; longer names cannot exist, so they share a counter harmlessly).
func throttleKey(username string) string {
	r := []rune(username)
	if len(r) > 191 {
		r = r[:191]
	}
	return string(r)
}

// auditLogin records a sign-in attempt (a security event) under the attempted name.
func (s *Service) auditLogin(ctx context.Context, username string, u User, code string) {
	call := reqctx.CallFrom(ctx)
	if call == nil {
		return
	}
	c := *call
	c.Principal = &reqctx.Principal{Kind: reqctx.ActorUser, ID: u.ID, Name: username}
	_ = txn.WriteAudit(s.db.WithContext(context.WithoutCancel(ctx)), &c, u.ResourceName(), code, "login")
}

// Authenticate turns a bearer credential into the caller. It returns an Unauthenticated
// error for a missing, malformed, forged, expired or revoked credential.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*reqctx.Principal, error) {
	switch {
	case bearer == "":
		return nil, apperr.Unauthenticated("missing credentials: send Authorization: Bearer <token>")
	case len(bearer) > 4 && bearer[:4] == keyScheme:
		return s.authenticateKey(ctx, bearer)
	}
	c, err := s.verifiedToken(ctx, bearer)
	if err != nil {
		return nil, err
	}
	u, err := s.cachedUser(ctx, c.User)
	if err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			return nil, apperr.Unauthenticated("the token's user no longer exists")
		}
		return nil, err
	}
	if !u.Active || u.TokenEpoch != c.Epoch {
		return nil, apperr.Unauthenticated("the token was revoked; sign in again")
	}
	return u.Principal(), nil
}

// maxCachedTokens bounds the verified-token cache; it is emptied when full.
const maxCachedTokens = 100_000

// verifiedToken checks a token's signature and expiry, remembering tokens it verified.
func (s *Service) verifiedToken(ctx context.Context, tok string) (claims, error) {
	now := s.opt.Now()
	s.cacheMu.RLock()
	c, ok := s.tokens[tok]
	s.cacheMu.RUnlock()
	if ok {
		if now.Unix() >= c.Expires {
			return c, apperr.Unauthenticated("the access token has expired; sign in again")
		}
		return c, nil
	}
	key, err := s.signingKey(ctx)
	if err != nil {
		return c, err
	}
	c, err = parseToken(key, tok, now)
	if err != nil {
		return c, apperr.Unauthenticated(err.Error())
	}
	s.cacheMu.Lock()
	if len(s.tokens) >= maxCachedTokens {
		clear(s.tokens)
	}
	s.tokens[tok] = c
	s.cacheMu.Unlock()
	return c, nil
}

func (s *Service) cachedUser(ctx context.Context, id int64) (User, error) {
	now := s.opt.Now()
	s.cacheMu.RLock()
	c, ok := s.users[id]
	s.cacheMu.RUnlock()
	if ok && now.Sub(c.at) < s.opt.CacheTTL {
		return c.user, nil
	}
	u, _, err := s.store.with(s.db.WithContext(ctx)).userByID(id, false)
	if err != nil {
		return User{}, err
	}
	s.cacheMu.Lock()
	s.users[id] = cachedUser{user: u, at: now}
	s.cacheMu.Unlock()
	return u, nil
}

func (s *Service) authenticateKey(ctx context.Context, full string) (*reqctx.Principal, error) {
	prefix, ok := splitAPIKey(full)
	if !ok {
		return nil, apperr.Unauthenticated("the API key is malformed")
	}
	now := s.opt.Now()
	s.cacheMu.RLock()
	c, ok := s.keys[prefix]
	s.cacheMu.RUnlock()
	if !ok || now.Sub(c.at) >= s.opt.CacheTTL {
		k, hash, err := s.store.with(s.db.WithContext(ctx)).apiKeyByPrefix(prefix)
		if err != nil {
			if apperr.IsKind(err, apperr.KindNotFound) {
				return nil, apperr.Unauthenticated("unknown API key")
			}
			return nil, err
		}
		c = cachedKey{key: k, hash: hash, at: now}
		s.cacheMu.Lock()
		s.keys[prefix] = c
		s.cacheMu.Unlock()
	}
	if !keyMatches(full, c.hash) {
		return nil, apperr.Unauthenticated("unknown API key")
	}
	if c.key.RevokeTime != nil {
		return nil, apperr.Unauthenticated("the API key was revoked")
	}
	return c.key.Principal(), nil
}

// CreateUser creates a user. It returns an Invalid error for bad fields or unknown
// branches and ErrUsernameTaken for a taken username.
func (s *Service) CreateUser(ctx context.Context, in UserInput) (User, error) {
	in.Roles, in.Branches = dedupe(in.Roles), dedupe(in.Branches)
	if err := in.validateNew(); err != nil {
		return User{}, err
	}
	if err := s.dir.CheckBranches(ctx, in.Branches); err != nil {
		return User{}, err
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (User, error) {
		return s.store.with(tx).insertUser(in.User, hash, s.now())
	})
}

// GetUser answers a user or a NotFound error.
func (s *Service) GetUser(ctx context.Context, id int64) (User, error) {
	u, _, err := s.store.with(s.db.WithContext(ctx)).userByID(id, false)
	return u, err
}

// Names answers the names people are shown by (display name, else username) of users, in
// one query; unknown ids are left out.
func (s *Service) Names(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.WithContext(ctx).Raw(`SELECT id, COALESCE(NULLIF(display_name, ''), username) FROM users WHERE id IN ?`, ids).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// ListUsers pages through users, optionally holding role.
func (s *Service) ListUsers(ctx context.Context, size int32, token, role string) ([]User, string, error) {
	p, err := page.Parse(size, token, role)
	if err != nil {
		return nil, "", err
	}
	return s.store.with(s.db.WithContext(ctx)).listUsers(p, role)
}

// UpdateUser changes the masked fields. It returns Invalid, NotFound, Stale (etag),
// ErrSelfLockout, or a refusal to leave the system without an active admin.
func (s *Service) UpdateUser(ctx context.Context, in UserInput, m mask.Set) (User, error) {
	var hash string
	if m.Has("password") {
		var v apperr.Violations
		validatePassword(&v, in.Password, true)
		if err := v.Err("invalid user update"); err != nil {
			return User{}, err
		}
		h, err := hashPassword(in.Password)
		if err != nil {
			return User{}, err
		}
		hash = h
	}
	if m.Has("branches") {
		if err := s.dir.CheckBranches(ctx, in.Branches); err != nil {
			return User{}, err
		}
	}
	me := reqctx.PrincipalFrom(ctx)
	u, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) (User, error) {
		st := s.store.with(tx)
		cur, _, err := st.userByID(in.ID, true)
		if err != nil {
			return User{}, err
		}
		if in.Etag != "" && in.Etag != cur.Etag() {
			return User{}, apperr.Stale("the user")
		}
		next, revoke, _, err := cur.patch(in, m)
		if err != nil {
			return User{}, err
		}
		if me.Kind == reqctx.ActorUser && me.ID == cur.ID && (!next.Active || !slices.Contains(next.Roles, reqctx.RoleAdmin) && slices.Contains(cur.Roles, reqctx.RoleAdmin)) {
			return User{}, ErrSelfLockout
		}
		saved, err := st.saveUser(next, hash, revoke, s.now())
		if err != nil {
			return User{}, err
		}
		if isActiveAdmin(cur) && !isActiveAdmin(next) {
			if n, err := st.countAdmins(); err != nil {
				return User{}, err
			} else if n == 0 {
				return User{}, apperr.Refused("LAST_ADMIN", "the system needs at least one active admin")
			}
		}
		return saved, nil
	})
	if err == nil {
		s.forgetUser(u.ID)
	}
	return u, err
}

func (s *Service) forgetUser(id int64) {
	s.cacheMu.Lock()
	delete(s.users, id)
	s.cacheMu.Unlock()
}

func isActiveAdmin(u User) bool { return u.Active && slices.Contains(u.Roles, reqctx.RoleAdmin) }

// CreateAPIKey issues a connector key for a shop. It returns Invalid for a missing name
// or unknown shop.
func (s *Service) CreateAPIKey(ctx context.Context, name string, shop int64) (IssuedKey, error) {
	var v apperr.Violations
	v.Check(name != "" && len(name) <= 128, "api_key.name", "must be 1-128 characters")
	v.Check(shop > 0, "api_key.shop", "must be a shop id")
	if err := v.Err("invalid api key"); err != nil {
		return IssuedKey{}, err
	}
	if err := s.dir.CheckShop(ctx, shop); err != nil {
		return IssuedKey{}, err
	}
	full, prefix, hash, err := newAPIKey()
	if err != nil {
		return IssuedKey{}, err
	}
	by := reqctx.PrincipalFrom(ctx).ID
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (IssuedKey, error) {
		k, err := s.store.with(tx).insertAPIKey(APIKey{Name: name, Shop: shop, Prefix: prefix, CreateTime: s.now()}, hash, by)
		return IssuedKey{APIKey: k, Secret: full}, err
	})
}

// ListAPIKeys pages through keys, optionally of one shop.
func (s *Service) ListAPIKeys(ctx context.Context, size int32, token string, shop int64) ([]APIKey, string, error) {
	p, err := page.Parse(size, token, shop)
	if err != nil {
		return nil, "", err
	}
	return s.store.with(s.db.WithContext(ctx)).listAPIKeys(p, shop)
}

// RevokeAPIKey stops a key from working (within the cache TTL on other replicas).
func (s *Service) RevokeAPIKey(ctx context.Context, id int64) (APIKey, error) {
	k, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) (APIKey, error) {
		return s.store.with(tx).revokeAPIKey(id, s.now())
	})
	if err == nil {
		s.cacheMu.Lock()
		delete(s.keys, k.Prefix)
		s.cacheMu.Unlock()
	}
	return k, err
}

// ListAuditEvents pages through the audit log, newest first.
func (s *Service) ListAuditEvents(ctx context.Context, size int32, token string, f AuditFilter) ([]AuditEvent, string, error) {
	p, err := page.Parse(size, token, f.Method, f.Resource, f.ActorID)
	if err != nil {
		return nil, "", err
	}
	return s.store.with(s.db.WithContext(ctx)).listAudit(p, f)
}

// EnsureAdmin creates the user "admin" with a random password when no admin exists, and
// answers the password (once). It answers "" when an admin already exists.
func (s *Service) EnsureAdmin(ctx context.Context) (username, password string, err error) {
	n, err := s.store.with(s.db.WithContext(ctx)).countAdmins()
	if err != nil || n > 0 {
		return "", "", err
	}
	pw, err := randomPassword()
	if err != nil {
		return "", "", err
	}
	_, err = s.CreateUser(ctx, UserInput{User: User{Username: "admin", DisplayName: "Administrator",
		Roles: []string{reqctx.RoleAdmin}}, Password: pw})
	if errors.Is(err, ErrUsernameTaken) {
		return "", "", fmt.Errorf("no active admin exists but the username admin is taken: give that user the admin role with erpctl")
	}
	if err != nil {
		return "", "", err
	}
	return "admin", pw, nil
}

// SetPassword sets a user's password by username (erpctl) and revokes the user's tokens.
func (s *Service) SetPassword(ctx context.Context, username, password string) error {
	u, _, err := s.store.with(s.db.WithContext(ctx)).userByUsername(username)
	if err != nil {
		return err
	}
	_, err = s.UpdateUser(ctx, UserInput{User: User{ID: u.ID}, Password: password}, mask.Set{"password"})
	return err
}

// randomPassword is 26 base32 characters: 128 random bits.
func randomPassword() (string, error) { return rand.Text(), nil }
