package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/orders/platform"
)

// Connection is how erphub pulls a shop's orders.
type Connection struct {
	Shop           int64
	BaseURL        string
	AppKey         string
	AppSecret      string `json:"-"`
	AccessToken    string `json:"-"`
	Enabled        bool
	OverlapSeconds int32
	Cursor         *time.Time
	NextPull       *time.Time
	Failures       int32
}

// ResourceName names the connection in the audit log.
func (c Connection) ResourceName() string { return fmt.Sprintf("shops/%d/connection", c.Shop) }

// PullRun is one scheduled pull of a shop.
type PullRun struct {
	ID                                    int64
	Shop                                  int64
	WindowFrom, WindowTo                  time.Time
	StartedAt                             time.Time
	FinishedAt                            *time.Time
	Pages, Seen, Created, Updated, Errors int32
	Error                                 string
}

// pull settings
const (
	firstPullSpan = 24 * time.Hour   // the first pull of a shop looks back this far
	settleLag     = 10 * time.Second // platforms index changes with a delay: the window ends this long ago
	maxBackoff    = 30 * time.Minute
	maxPages      = 200 // per shop and run
)

// SetShopConnection stores how to pull a shop (secrets kept when sent empty). Errors:
// Invalid, NotFound, Forbidden.
func (s *Service) SetShopConnection(ctx context.Context, shopRef string, c Connection) (Connection, error) {
	shop, err := s.shopFor(ctx, shopRef)
	if err != nil {
		return c, err
	}
	var v apperr.Violations
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		v.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "", "connection.base_url", "must be an http(s) URL")
	}
	v.Check(len(c.BaseURL) <= 255 && len(c.AppKey) <= 128 && len(c.AppSecret) <= 255 && len(c.AccessToken) <= 512,
		"connection", "a value is too long")
	if c.OverlapSeconds == 0 {
		c.OverlapSeconds = 300
	}
	v.Check(c.OverlapSeconds >= 0 && c.OverlapSeconds <= 86400, "connection.overlap_seconds", "must be 0-86400")
	if _, _, _, err := platform.ByPlatform(shop.Platform, platform.Credentials{}, nil); err != nil && c.Enabled {
		v.Add("connection.enabled", fmt.Sprintf("orders of %s shops cannot be pulled: push them or use webhooks", shop.Platform))
	}
	if err := v.Err("invalid connection"); err != nil {
		return c, err
	}
	c.Shop = shop.ID
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Connection, error) {
		err := tx.Exec(`INSERT INTO shop_connections (shop_id, base_url, app_key, app_secret, access_token, enabled, overlap_seconds, updated_at)
			VALUES (?,?,?,?,?,?,?,?) ON DUPLICATE KEY UPDATE base_url = VALUES(base_url), app_key = VALUES(app_key),
			app_secret = IF(VALUES(app_secret) = '', app_secret, VALUES(app_secret)),
			access_token = IF(VALUES(access_token) = '', access_token, VALUES(access_token)),
			enabled = VALUES(enabled), overlap_seconds = VALUES(overlap_seconds), updated_at = VALUES(updated_at)`,
			c.Shop, c.BaseURL, c.AppKey, c.AppSecret, c.AccessToken, c.Enabled, c.OverlapSeconds, s.now()).Error
		if err != nil {
			return c, err
		}
		return s.connection(tx, c.Shop)
	})
}

// GetShopConnection answers a shop's connection without secrets. Errors: NotFound,
// Forbidden.
func (s *Service) GetShopConnection(ctx context.Context, shopRef string) (Connection, error) {
	shop, err := s.shopFor(ctx, shopRef)
	if err != nil {
		return Connection{}, err
	}
	return s.connection(s.db.WithContext(ctx), shop.ID)
}

type connectionRow struct {
	ShopID                 int64
	BaseURL, AppKey        string
	AppSecret, AccessToken string
	Enabled                bool
	OverlapSeconds         int32
	CursorAt, NextPullAt   sql.NullTime
	Failures               int32
}

func (r connectionRow) connection() Connection {
	c := Connection{Shop: r.ShopID, BaseURL: r.BaseURL, AppKey: r.AppKey, AppSecret: r.AppSecret, AccessToken: r.AccessToken,
		Enabled: r.Enabled, OverlapSeconds: r.OverlapSeconds, Failures: r.Failures}
	if r.CursorAt.Valid {
		t := r.CursorAt.Time
		c.Cursor = &t
	}
	if r.NextPullAt.Valid {
		t := r.NextPullAt.Time
		c.NextPull = &t
	}
	return c
}

func (s *Service) connection(g *gorm.DB, shop int64) (Connection, error) {
	var r connectionRow
	res := g.Raw(`SELECT * FROM shop_connections WHERE shop_id = ?`, shop).Scan(&r)
	if res.Error != nil {
		return Connection{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Connection{}, apperr.NotFound("connection of shop", shop)
	}
	return r.connection(), nil
}

// ListPullRuns answers a shop's latest pulls, newest first. Errors: NotFound, Forbidden.
func (s *Service) ListPullRuns(ctx context.Context, shopRef string, limit int32) ([]PullRun, error) {
	shop, err := s.shopFor(ctx, shopRef)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 200)
	var runs []PullRun
	err = s.db.WithContext(ctx).Raw(`SELECT id, shop_id AS shop, window_from, window_to, started_at, finished_at, pages, seen,
		created, updated, errors, error FROM pull_runs WHERE shop_id = ? ORDER BY id DESC LIMIT ?`, shop.ID, limit).Scan(&runs).Error
	return runs, err
}

// PullDue is the scheduled job body: it pulls every enabled shop whose next pull is due,
// each with its own cursor and a look-back overlap, and answers the first error (the
// other shops still run).
func (s *Service) PullDue(ctx context.Context) error {
	var rows []connectionRow
	if err := s.db.WithContext(ctx).Raw(`SELECT * FROM shop_connections WHERE enabled = 1
		AND (next_pull_at IS NULL OR next_pull_at <= ?) ORDER BY shop_id`, s.now()).Scan(&rows).Error; err != nil {
		return err
	}
	var first error
	for _, r := range rows {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if _, err := s.PullShop(ctx, r.connection()); err != nil && first == nil {
			first = fmt.Errorf("shop %d: %w", r.ShopID, err)
		}
	}
	return first
}

// PullShop pulls one shop's changed orders in the window from its cursor (less the
// overlap) to now (less a settle lag), page by page, upserting each page; it advances the
// cursor only when the whole window was read, and backs off exponentially after failures
// (or as long as the platform's Retry-After says). Every run is recorded.
func (s *Service) PullShop(ctx context.Context, c Connection) (PullRun, error) {
	ctx = reqctx.WithCall(ctx, &reqctx.Call{RequestID: fmt.Sprintf("pull-%d-%d", c.Shop, time.Now().UnixNano()),
		Method: "job order-pull", Principal: reqctx.System})
	shop, err := s.catalog.Shop(ctx, c.Shop)
	if err != nil {
		return PullRun{}, err
	}
	puller, err := s.opt.Connect(shop.Platform, platform.Credentials{BaseURL: c.BaseURL, AppKey: c.AppKey,
		AppSecret: c.AppSecret, AccessToken: c.AccessToken}, s.opt.HTTPClient)
	if err != nil {
		return PullRun{}, err
	}
	now := s.now()
	to := now.Add(-settleLag)
	from := to.Add(-firstPullSpan)
	if c.Cursor != nil {
		from = c.Cursor.Add(-time.Duration(c.OverlapSeconds) * time.Second)
	}
	if mw, ok := puller.(interface{ MaxWindow() time.Duration }); ok && mw.MaxWindow() > 0 && to.Sub(from) > mw.MaxWindow() {
		to = from.Add(mw.MaxWindow()) // catch up window by window
	}
	run := PullRun{Shop: c.Shop, WindowFrom: from, WindowTo: to, StartedAt: now}
	if err := s.db.WithContext(ctx).Exec(`INSERT INTO pull_runs (shop_id, window_from, window_to, started_at) VALUES (?,?,?,?)`,
		c.Shop, from, to, now).Error; err != nil {
		return run, err
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT LAST_INSERT_ID()`).Scan(&run.ID).Error; err != nil {
		return run, err
	}
	pageToken := ""
	var pullErr error
	for range maxPages {
		var got []platform.Order
		got, pageToken, pullErr = puller.FetchChanged(ctx, from, to, pageToken)
		if pullErr != nil {
			break
		}
		run.Pages++
		run.Seen += int32(len(got))
		if len(got) > 0 {
			batch := make([]Order, len(got))
			for i, p := range got {
				batch[i] = fromPlatform(p)
				batch[i].Shop, batch[i].Channel, batch[i].Customer = shop.ID, shop.Platform, shop.Customer
			}
			var results []PushResult
			if err := txn.Run(ctx, s.db, func(tx *gorm.DB) error {
				var err error
				results, err = s.upsert(ctx, tx, shop.ID, batch, SourcePull)
				return err
			}); err != nil {
				pullErr = err
				break
			}
			for _, r := range results {
				switch r.Outcome {
				case OutcomeCreated:
					run.Created++
				case OutcomeUpdated:
					run.Updated++
				case OutcomeRejected:
					run.Errors++
				}
			}
			s.outbox.Notify()
		}
		if pageToken == "" {
			break
		}
	}
	if pullErr == nil && pageToken != "" {
		pullErr = fmt.Errorf("more than %d pages in one window: the rest is read next run", maxPages)
	}
	finished := s.now()
	run.FinishedAt = &finished
	if pullErr != nil {
		run.Errors++
		run.Error = text.Clip(pullErr.Error(), 1000)
	}
	err = txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE pull_runs SET finished_at = ?, pages = ?, seen = ?, created = ?, updated = ?, errors = ?, error = ?
			WHERE id = ?`, finished, run.Pages, run.Seen, run.Created, run.Updated, run.Errors, run.Error, run.ID).Error; err != nil {
			return err
		}
		if pullErr != nil {
			failures := c.Failures + 1
			return tx.Exec(`UPDATE shop_connections SET failures = ?, next_pull_at = ? WHERE shop_id = ?`,
				failures, finished.Add(backoff(failures, pullErr)), c.Shop).Error
		}
		return tx.Exec(`UPDATE shop_connections SET cursor_at = ?, failures = 0, next_pull_at = NULL WHERE shop_id = ?`, to, c.Shop).Error
	})
	if err != nil {
		return run, err
	}
	return run, pullErr
}

// backoff is how long a failing shop waits: the platform's Retry-After when it sent one,
// else 30 s doubling per consecutive failure up to 30 min, with jitter.
func backoff(failures int32, err error) time.Duration {
	var ae *platform.APIError
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		return ae.RetryAfter
	}
	d := 30 * time.Second << min(failures-1, 6)
	if d > maxBackoff {
		d = maxBackoff
	}
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
}
