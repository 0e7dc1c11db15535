package identity

import (
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/mask"
	"github.com/erphub/erphub/internal/reqctx"
)

// User is a person who signs in.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Roles       []string
	Branches    []int64
	Active      bool
	Version     int
	TokenEpoch  int
	CreateTime  time.Time
	UpdateTime  time.Time
}

// ResourceName names the user in the audit log.
func (u User) ResourceName() string { return "users/" + strconv.FormatInt(u.ID, 10) }

// Etag is the user's version as an opaque string.
func (u User) Etag() string { return strconv.Itoa(u.Version) }

// Principal is the caller this user is.
func (u User) Principal() *reqctx.Principal {
	return &reqctx.Principal{Kind: reqctx.ActorUser, ID: u.ID, Name: u.Username,
		Roles: slices.Clone(u.Roles), Branches: slices.Clone(u.Branches)}
}

// UserInput is a user as a client sends it, with the password in clear.
type UserInput struct {
	User
	Password string
	Etag     string
}

// Errors of the identity use cases.
var (
	ErrBadCredentials = apperr.Unauthenticated("wrong username or password")
	ErrUsernameTaken  = apperr.Conflict("user.username", "the username is taken")
	ErrSelfLockout    = apperr.Refused("SELF_LOCKOUT", "you cannot remove your own admin role or deactivate yourself")
)

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{3,64}$`)

// personRoles are the roles a user may hold (connector is for API keys).
var personRoles = []string{reqctx.RoleAdmin, reqctx.RoleManager, reqctx.RoleFinance,
	reqctx.RoleWarehouse, reqctx.RoleSales}

// validateNew checks a user to be created, every field at once.
func (in UserInput) validateNew() error {
	var v apperr.Violations
	v.Check(usernameRE.MatchString(in.Username), "user.username",
		"must be 3-64 letters, digits, '.', '_' or '-'")
	validatePassword(&v, in.Password, true)
	in.User.validate(&v)
	return v.Err("invalid user")
}

func (u User) validate(v *apperr.Violations) {
	v.Check(utf8.RuneCountInString(u.DisplayName) <= 128, "user.display_name", "must be at most 128 characters")
	if len(u.Roles) == 0 {
		v.Add("user.roles", "needs at least one role")
	}
	for i, r := range u.Roles {
		if !slices.Contains(personRoles, r) {
			v.Addf("user.roles["+strconv.Itoa(i)+"]", "%q is not a role of people (admin, manager, finance, warehouse, sales)", r)
		}
	}
	for i, b := range u.Branches {
		v.Check(b > 0, "user.branches["+strconv.Itoa(i)+"]", "must be a branch id")
	}
}

func validatePassword(v *apperr.Violations, pw string, required bool) {
	n := utf8.RuneCountInString(pw)
	switch {
	case n == 0 && !required:
	case n < 8:
		v.Add("user.password", "must be at least 8 characters")
	case len(pw) > 128:
		v.Add("user.password", "must be at most 128 bytes")
	}
}

// patch applies the masked fields of in to u. It reports whether the change must revoke
// the user's tokens, and whether the password changes.
func (u User) patch(in UserInput, m mask.Set) (next User, revoke, newPassword bool, err error) {
	var v apperr.Violations
	if m.Empty() {
		v.Add("update_mask", "names no field to change")
	}
	for _, p := range m {
		switch p {
		case "display_name":
			u.DisplayName = in.DisplayName
		case "roles":
			u.Roles, revoke = dedupe(in.Roles), true
		case "branches":
			u.Branches, revoke = dedupe(in.Branches), true
		case "active":
			u.Active, revoke = in.Active, true
		case "password":
			validatePassword(&v, in.Password, true)
			newPassword, revoke = true, true
		case "username":
			if in.Username != u.Username {
				v.Add("user.username", "cannot be changed")
			}
		case "create_time", "update_time":
		default:
			v.Addf("update_mask", "%q is not a field of user", p)
		}
	}
	u.validate(&v)
	return u, revoke, newPassword, v.Err("invalid user update")
}

func dedupe[T comparable](in []T) []T {
	out := make([]T, 0, len(in))
	for _, x := range in {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// APIKey authenticates a connector for one shop.
type APIKey struct {
	ID         int64
	Name       string
	Shop       int64
	Prefix     string
	CreateTime time.Time
	RevokeTime *time.Time
}

// ResourceName names the key in the audit log.
func (k APIKey) ResourceName() string { return "apiKeys/" + strconv.FormatInt(k.ID, 10) }

// Principal is the caller this key is.
func (k APIKey) Principal() *reqctx.Principal {
	return &reqctx.Principal{Kind: reqctx.ActorAPIKey, ID: k.ID, Name: k.Name,
		Roles: []string{reqctx.RoleConnector}, Shops: []int64{k.Shop}}
}

// IssuedKey is a new key with its secret, answered once.
type IssuedKey struct {
	APIKey
	Secret string `json:"-"` // never stored: a replayed create answers the key without it
}

// AuditEvent is one row of the audit log.
type AuditEvent struct {
	ID             int64
	At             time.Time
	ActorKind      string
	ActorID        int64
	ActorName      string
	Method         string
	Resource       string
	RequestID      string
	IdempotencyKey string
	Code           string
	Message        string
	Peer           string
}
