package identity

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/page"
)

// store holds the identity queries; with(tx) scopes them to a transaction.
type store struct{ db *gorm.DB }

func (s store) with(tx *gorm.DB) store { return store{db: tx} }

type userRow struct {
	ID           int64 `gorm:"primaryKey"`
	Username     string
	DisplayName  string
	PasswordHash string
	Active       bool
	TokenEpoch   int
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) user(roles []string, branches []int64) User {
	return User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Roles: roles,
		Branches: branches, Active: r.Active, Version: r.Version, TokenEpoch: r.TokenEpoch,
		CreateTime: r.CreatedAt, UpdateTime: r.UpdatedAt}
}

// insertUser creates a user with its roles and branches.
func (s store) insertUser(u User, hash string, now time.Time) (User, error) {
	row := userRow{Username: u.Username, DisplayName: u.DisplayName, PasswordHash: hash, Active: true,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.db.Create(&row).Error; err != nil {
		if _, dup := db.IsDuplicate(err); dup {
			return User{}, ErrUsernameTaken
		}
		return User{}, err
	}
	if err := s.replaceGrants(row.ID, u.Roles, u.Branches); err != nil {
		return User{}, err
	}
	return row.user(u.Roles, u.Branches), nil
}

func (s store) replaceGrants(id int64, roles []string, branches []int64) error {
	if err := s.db.Exec(`DELETE FROM user_roles WHERE user_id = ?`, id).Error; err != nil {
		return err
	}
	if err := s.db.Exec(`DELETE FROM user_branches WHERE user_id = ?`, id).Error; err != nil {
		return err
	}
	for _, r := range roles {
		if err := s.db.Exec(`INSERT INTO user_roles (user_id, role) VALUES (?, ?)`, id, r).Error; err != nil {
			return err
		}
	}
	for _, b := range branches {
		if err := s.db.Exec(`INSERT INTO user_branches (user_id, branch_id) VALUES (?, ?)`, id, b).Error; err != nil {
			return err
		}
	}
	return nil
}

// userByID loads a user; lock takes a row lock for a read-modify-write.
func (s store) userByID(id int64, lock bool) (User, string, error) {
	var row userRow
	q := s.db.Where("id = ?", id)
	if lock {
		q = q.Set("gorm:query_option", "FOR UPDATE")
	}
	if err := q.Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return User{}, "", apperr.NotFound("user", id)
		}
		return User{}, "", err
	}
	users, err := s.withGrants([]userRow{row})
	if err != nil {
		return User{}, "", err
	}
	return users[0], row.PasswordHash, nil
}

func (s store) userByUsername(name string) (User, string, error) {
	var row userRow
	if err := s.db.Where("username = ?", name).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return User{}, "", apperr.NotFound("user", name)
		}
		return User{}, "", err
	}
	users, err := s.withGrants([]userRow{row})
	if err != nil {
		return User{}, "", err
	}
	return users[0], row.PasswordHash, nil
}

// withGrants loads the roles and branches of rows in two queries.
func (s store) withGrants(rows []userRow) ([]User, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var roles []struct {
		UserID int64
		Role   string
	}
	if err := s.db.Raw(`SELECT user_id, role FROM user_roles WHERE user_id IN ? ORDER BY user_id, role`, ids).Scan(&roles).Error; err != nil {
		return nil, err
	}
	var branches []struct {
		UserID   int64
		BranchID int64
	}
	if err := s.db.Raw(`SELECT user_id, branch_id FROM user_branches WHERE user_id IN ? ORDER BY user_id, branch_id`, ids).Scan(&branches).Error; err != nil {
		return nil, err
	}
	rolesOf := map[int64][]string{}
	for _, r := range roles {
		rolesOf[r.UserID] = append(rolesOf[r.UserID], r.Role)
	}
	branchesOf := map[int64][]int64{}
	for _, b := range branches {
		branchesOf[b.UserID] = append(branchesOf[b.UserID], b.BranchID)
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.user(rolesOf[r.ID], branchesOf[r.ID])
	}
	return out, nil
}

func (s store) listUsers(p page.Request, role string) ([]User, string, error) {
	q := s.db.Model(&userRow{}).Where("id > ?", p.After).Order("id").Limit(p.Limit())
	if role != "" {
		q = q.Where("id IN (SELECT user_id FROM user_roles WHERE role = ?)", role)
	}
	var rows []userRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	next, n := p.Next(ids)
	users, err := s.withGrants(rows[:n])
	return users, next, err
}

// saveUser writes a changed user, guarded by its version.
func (s store) saveUser(u User, hash string, bumpEpoch bool, now time.Time) (User, error) {
	set := map[string]any{"display_name": u.DisplayName, "active": u.Active, "updated_at": now,
		"version": gorm.Expr("version + 1")}
	if hash != "" {
		set["password_hash"] = hash
	}
	if bumpEpoch {
		set["token_epoch"] = gorm.Expr("token_epoch + 1")
	}
	res := s.db.Model(&userRow{}).Where("id = ? AND version = ?", u.ID, u.Version).Updates(set)
	if res.Error != nil {
		return User{}, res.Error
	}
	if res.RowsAffected == 0 {
		return User{}, apperr.Stale("the user")
	}
	if err := s.replaceGrants(u.ID, u.Roles, u.Branches); err != nil {
		return User{}, err
	}
	u.Version++
	if bumpEpoch {
		u.TokenEpoch++
	}
	u.UpdateTime = now
	return u, nil
}

func (s store) countAdmins() (int64, error) {
	var n int64
	err := s.db.Raw(`SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.role = 'admin' AND u.active = 1`).Scan(&n).Error
	return n, err
}

// signingKey answers the token key, creating it on first use (every replica agrees: the
// first INSERT wins and everyone reads it back).
func (s store) signingKey(fresh []byte, now time.Time) ([]byte, error) {
	if err := s.db.Exec(`INSERT IGNORE INTO signing_keys (id, secret, created_at) VALUES (1, ?, ?)`, fresh, now).Error; err != nil {
		return nil, err
	}
	var key []byte
	err := s.db.Raw(`SELECT secret FROM signing_keys WHERE id = 1`).Row().Scan(&key)
	return key, err
}

type apiKeyRow struct {
	ID         int64 `gorm:"primaryKey"`
	Name       string
	ShopID     int64
	Prefix     string
	SecretHash []byte
	CreatedBy  int64
	CreatedAt  time.Time
	RevokedAt  *time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }

func (r apiKeyRow) key() APIKey {
	return APIKey{ID: r.ID, Name: r.Name, Shop: r.ShopID, Prefix: r.Prefix, CreateTime: r.CreatedAt, RevokeTime: r.RevokedAt}
}

func (s store) insertAPIKey(k APIKey, hash []byte, by int64) (APIKey, error) {
	row := apiKeyRow{Name: k.Name, ShopID: k.Shop, Prefix: k.Prefix, SecretHash: hash, CreatedBy: by, CreatedAt: k.CreateTime}
	if err := s.db.Create(&row).Error; err != nil {
		return APIKey{}, err
	}
	return row.key(), nil
}

func (s store) apiKeyByPrefix(prefix string) (APIKey, []byte, error) {
	var row apiKeyRow
	if err := s.db.Where("prefix = ?", prefix).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return APIKey{}, nil, apperr.NotFound("api key", prefix)
		}
		return APIKey{}, nil, err
	}
	return row.key(), row.SecretHash, nil
}

func (s store) listAPIKeys(p page.Request, shop int64) ([]APIKey, string, error) {
	q := s.db.Where("id > ?", p.After).Order("id").Limit(p.Limit())
	if shop != 0 {
		q = q.Where("shop_id = ?", shop)
	}
	var rows []apiKeyRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	next, n := p.Next(ids)
	out := make([]APIKey, n)
	for i := range out {
		out[i] = rows[i].key()
	}
	return out, next, nil
}

// revokeAPIKey marks a key revoked; revoking twice keeps the first time.
func (s store) revokeAPIKey(id int64, now time.Time) (APIKey, error) {
	if err := s.db.Exec(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, now, id).Error; err != nil {
		return APIKey{}, err
	}
	var row apiKeyRow
	if err := s.db.Where("id = ?", id).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return APIKey{}, apperr.NotFound("api key", id)
		}
		return APIKey{}, err
	}
	return row.key(), nil
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Method   string
	Resource string
	ActorID  int64
}

func (s store) listAudit(p page.Request, f AuditFilter) ([]AuditEvent, string, error) {
	q := s.db.Table("audit_log").Order("id DESC").Limit(p.Limit())
	if p.After > 0 {
		q = q.Where("id < ?", p.After)
	}
	if f.Method != "" {
		q = q.Where("method = ?", f.Method)
	}
	if f.Resource != "" {
		q = q.Where("resource = ?", f.Resource)
	}
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	var rows []AuditEvent
	if err := q.Select("id, at, actor_kind, actor_id, actor_name, method, resource, request_id, idempotency_key, code, message, peer").
		Scan(&rows).Error; err != nil {
		return nil, "", err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	next, n := p.Next(ids)
	return rows[:n], next, nil
}

type loginFailureRow struct {
	Username      string `gorm:"primaryKey"`
	Failures      int
	NextAttemptAt time.Time
	LockedUntil   *time.Time
	UpdatedAt     time.Time
}

func (loginFailureRow) TableName() string { return "login_failures" }

// lockLoginRecord reads a username's failed attempts under a row lock, making the row
// first so that concurrent attempts on one name queue on it.
func (s store) lockLoginRecord(username string, now time.Time) (loginRecord, error) {
	if err := s.db.Exec(`INSERT IGNORE INTO login_failures (username, failures, next_attempt_at, updated_at)
		VALUES (?, 0, ?, ?)`, username, now, now).Error; err != nil {
		return loginRecord{}, err
	}
	var row loginFailureRow
	if err := s.db.Set("gorm:query_option", "FOR UPDATE").Where("username = ?", username).Take(&row).Error; err != nil {
		return loginRecord{}, err
	}
	r := loginRecord{Failures: row.Failures, NextAttempt: row.NextAttemptAt.UTC()}
	if row.LockedUntil != nil {
		r.LockedUntil = row.LockedUntil.UTC()
	}
	return r, nil
}

// saveLoginRecord writes a username's failed attempts back.
func (s store) saveLoginRecord(username string, r loginRecord, now time.Time) error {
	var locked *time.Time
	if !r.LockedUntil.IsZero() {
		locked = &r.LockedUntil
	}
	return s.db.Exec(`UPDATE login_failures SET failures = ?, next_attempt_at = ?, locked_until = ?, updated_at = ?
		WHERE username = ?`, r.Failures, r.NextAttempt, locked, now, username).Error
}

// clearLoginFailures forgets a username's failed attempts after a successful sign-in.
func (s store) clearLoginFailures(username string) error {
	return s.db.Exec(`DELETE FROM login_failures WHERE username = ?`, username).Error
}
