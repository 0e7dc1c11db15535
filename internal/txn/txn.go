// Package txn is the one way a use case changes the database: Mutate runs the use case in
// a single transaction, retried whole on deadlock, together with the bookkeeping every
// mutating call owes — the idempotency record of the client's request id and the audit row
// — so that both commit or roll back with the change itself.
//
// Idempotency: the interceptor puts the client's key (requestId / Idempotency-Key) and a
// hash of the request into the call. Mutate answers a stored result for a key it has seen
// (refusing a different request under the same key), and otherwise stores the result in the
// same transaction as the change. Two concurrent calls with one key meet on the primary key
// of idempotency_keys: the second waits for the first and then answers its result.
package txn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/text"
)

// Resourced results name the resource they changed in the audit log, e.g. "items/42".
type Resourced interface {
	ResourceName() string
}

// ErrKeyReused answers a request id that was first used for a different request.
var ErrKeyReused = &apperr.Error{Kind: apperr.KindConflict, Reason: "IDEMPOTENCY_KEY_REUSED",
	Message: "this requestId was already used for a different request"}

var errKeyTaken = errors.New("idempotency key taken by a concurrent call")

// Mutate runs fn in one transaction with the call's idempotency record and audit row.
// It returns fn's error unchanged, ErrKeyReused when the key answered another request, or
// a database error.
func Mutate[T any](ctx context.Context, g *gorm.DB, fn func(tx *gorm.DB) (T, error)) (T, error) {
	var zero T
	call := reqctx.CallFrom(ctx)
	key, actor := "", ""
	if call != nil && call.IdempotencyKey != "" {
		key, actor = call.IdempotencyKey, actorKey(call.Principal)
		if res, found, err := replay[T](ctx, g, actor, key, call); found || err != nil {
			return res, err
		}
	}
	var out T
	err := db.Tx(ctx, g, func(tx *gorm.DB) error {
		v, err := fn(tx)
		if err != nil {
			return err
		}
		if key != "" {
			b, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("idempotency: encode result: %w", err)
			}
			err = tx.Exec(`INSERT INTO idempotency_keys (actor, idem_key, method, request_hash, result, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, actor, key, call.Method, call.RequestHash, b, now()).Error
			if _, dup := db.IsDuplicate(err); dup {
				return errKeyTaken
			}
			if err != nil {
				return err
			}
		}
		if call != nil {
			if err := WriteAudit(tx, call, resourceOf(v), "OK", ""); err != nil {
				return err
			}
		}
		out = v
		return nil
	})
	if errors.Is(err, errKeyTaken) {
		res, found, rerr := replay[T](ctx, g, actor, key, call)
		if rerr != nil {
			return zero, rerr
		}
		if !found {
			return zero, fmt.Errorf("idempotency key %q vanished after a duplicate", key)
		}
		return res, nil
	}
	if err != nil {
		return zero, err
	}
	if call != nil {
		call.Audited = true
	}
	return out, nil
}

// Run runs fn in one transaction without idempotency or audit: for jobs and internal
// steps that are idempotent by construction.
func Run(ctx context.Context, g *gorm.DB, fn func(tx *gorm.DB) error) error {
	return db.Tx(ctx, g, fn)
}

func replay[T any](ctx context.Context, g *gorm.DB, actor, key string, call *reqctx.Call) (T, bool, error) {
	var zero T
	var row struct {
		Method      string
		RequestHash []byte
		Result      []byte
	}
	res := g.WithContext(ctx).Raw(`SELECT method, request_hash, result FROM idempotency_keys
		WHERE actor = ? AND idem_key = ?`, actor, key).Scan(&row)
	if res.Error != nil {
		return zero, false, res.Error
	}
	if res.RowsAffected == 0 {
		return zero, false, nil
	}
	if row.Method != call.Method || !bytes.Equal(row.RequestHash, call.RequestHash) {
		return zero, true, ErrKeyReused
	}
	var v T
	if err := json.Unmarshal(row.Result, &v); err != nil {
		return zero, true, fmt.Errorf("idempotency: decode stored result: %w", err)
	}
	return v, true, nil
}

// actorKey scopes idempotency keys to the caller, so that two connectors cannot collide.
func actorKey(p *reqctx.Principal) string {
	if p == nil {
		return "system:0"
	}
	return fmt.Sprintf("%s:%d", p.Kind, p.ID)
}

func resourceOf(v any) string {
	if r, ok := v.(Resourced); ok {
		return r.ResourceName()
	}
	return ""
}

func now() time.Time { return time.Now().UTC() }

// WriteAudit appends one audit row. Mutate calls it inside the use case's transaction;
// the interceptor calls it for refused calls.
func WriteAudit(tx *gorm.DB, call *reqctx.Call, resource, code, message string) error {
	p := call.Principal
	if p == nil {
		p = reqctx.System
	}
	message = text.Clip(message, 1000)
	return tx.Exec(`INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, method, resource,
		request_id, idempotency_key, code, message, peer, device) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		now(), string(p.Kind), p.ID, p.Name, call.Method, text.Clip(resource, 255), call.RequestID,
		call.IdempotencyKey, code, message, text.Clip(call.Peer, 64), text.Clip(call.Device, 128)).Error
}
