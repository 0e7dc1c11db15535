package orders

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/orders/platform"
)

// webhookKind is what differs between the platforms' webhooks.
type webhookKind struct {
	platform   string
	signature  string // header with base64 HMAC-SHA256 of the body
	deliveryID []string
	topic      string
	verify     func(secret, body []byte, sig string) bool
	parse      func(body []byte) (platform.Order, error)
}

var webhookKinds = map[string]webhookKind{
	// Shopify: HMAC-SHA256 of the raw body with the app's secret, base64, in
	// X-Shopify-Hmac-Sha256; X-Shopify-Webhook-Id identifies a delivery (retries repeat it).
	"shopify": {platform: "shopify", signature: "X-Shopify-Hmac-Sha256",
		deliveryID: []string{"X-Shopify-Webhook-Id", "X-Shopify-Event-Id"}, topic: "X-Shopify-Topic",
		verify: platform.VerifyShopifyWebhook, parse: platform.ParseShopifyOrder},
	// WooCommerce: base64 HMAC-SHA256 of the body with the webhook's secret in
	// X-WC-Webhook-Signature; X-WC-Webhook-Delivery-ID identifies a delivery.
	"woocommerce": {platform: "woocommerce", signature: "X-WC-Webhook-Signature",
		deliveryID: []string{"X-WC-Webhook-Delivery-ID"}, topic: "X-WC-Webhook-Topic",
		verify: platform.VerifyWooCommerceWebhook, parse: platform.ParseWooCommerceOrder},
}

// webhookReceived is the outbox payload that carries a stored webhook to its processing.
type webhookReceived struct {
	Event int64 `json:"event"`
}

// WebhookHandler answers a platform's webhook deliveries at
// POST /v1/webhooks/{platform}/{shop}. A bad or missing signature gets 401 and stores
// nothing; a good one is stored (with its delivery id: repeats are acknowledged and
// ignored) before the answer, and processed afterwards through the outbox, so the answer
// is fast and a failure in processing loses nothing.
func (s *Service) WebhookHandler(platformName string, log *slog.Logger) http.Handler {
	kind := webhookKinds[platformName]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		reply := func(code int, status, detail string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			b, _ := json.Marshal(map[string]string{"status": status, "detail": detail})
			_, _ = w.Write(b)
			log.InfoContext(ctx, "webhook", "platform", platformName, "shop", r.PathValue("shop"), "code", code, "status", status)
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, platform.MaxWebhookBody))
		if err != nil {
			reply(http.StatusRequestEntityTooLarge, "refused", fmt.Sprintf("body over %d bytes or unreadable", platform.MaxWebhookBody))
			return
		}
		shop, err := s.catalog.ShopByRef(ctx, r.PathValue("shop"))
		if err != nil || shop.WebhookSecret == "" || shop.Archived || shop.Platform != kind.platform ||
			!kind.verify([]byte(shop.WebhookSecret), body, r.Header.Get(kind.signature)) {
			// one answer for an unknown shop and a bad signature: no probing of shops
			reply(http.StatusUnauthorized, "refused", "unknown shop or bad signature")
			return
		}
		delivery := ""
		for _, h := range kind.deliveryID {
			if delivery = r.Header.Get(h); delivery != "" {
				break
			}
		}
		if delivery == "" {
			sum := sha256.Sum256(body)
			delivery = "sha256:" + hex.EncodeToString(sum[:])
		}
		var duplicate bool
		err = txn.Run(ctx, s.db, func(tx *gorm.DB) error {
			res := tx.Exec(`INSERT IGNORE INTO webhook_events (shop_id, platform, topic, delivery_id, body, received_at)
				VALUES (?,?,?,?,?,?)`, shop.ID, kind.platform, text.Clip(r.Header.Get(kind.topic), 64),
				text.Clip(delivery, 128), body, s.now())
			if res.Error != nil {
				return res.Error
			}
			if duplicate = res.RowsAffected == 0; duplicate {
				return nil
			}
			var id int64
			if err := tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&id).Error; err != nil {
				return err
			}
			return s.outbox.Publish(ctx, tx, outbox.Event{Topic: topicWebhookReceived,
				Key: fmt.Sprintf("shops/%d/orders", shop.ID), Payload: webhookReceived{Event: id}})
		})
		switch {
		case err != nil:
			log.ErrorContext(ctx, "webhook not stored", "platform", platformName, "err", err)
			reply(http.StatusServiceUnavailable, "error", "not stored; the platform will retry")
		case duplicate:
			reply(http.StatusOK, "duplicate", "this delivery was received before")
		default:
			s.outbox.Notify()
			reply(http.StatusOK, "accepted", "")
		}
	})
}

// processWebhook turns a stored webhook into an order upsert (outbox subscriber; it may
// run more than once per event, and the upsert is idempotent).
func (s *Service) processWebhook(ctx context.Context, d outbox.Delivery) error {
	var p webhookReceived
	if err := d.Decode(&p); err != nil {
		return err
	}
	var ev struct {
		ID          int64
		ShopID      int64
		Platform    string
		Body        []byte
		ProcessedAt *time.Time
	}
	res := s.db.WithContext(ctx).Raw(`SELECT id, shop_id, platform, body, processed_at FROM webhook_events WHERE id = ?`, p.Event).Scan(&ev)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 || ev.ProcessedAt != nil {
		return nil
	}
	kind, ok := webhookKinds[ev.Platform]
	if !ok {
		return s.markWebhook(ctx, ev.ID, "rejected", "unknown platform")
	}
	po, err := kind.parse(ev.Body)
	if err != nil {
		// the body will not change: record why and do not retry
		return s.markWebhook(ctx, ev.ID, "rejected", err.Error())
	}
	shop, err := s.catalog.Shop(ctx, ev.ShopID)
	if err != nil {
		return err
	}
	o := fromPlatform(po)
	o.Shop, o.Channel, o.Customer = shop.ID, shop.Platform, shop.Customer
	var outcome string
	err = txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		results, err := s.upsert(ctx, tx, shop.ID, []Order{o}, SourceWebhook)
		if err != nil {
			return err
		}
		outcome = results[0].Outcome
		detail := results[0].Reason
		return tx.Exec(`UPDATE webhook_events SET processed_at = ?, outcome = ?, error = ? WHERE id = ?`,
			s.now(), outcome, text.Clip(detail, 255), ev.ID).Error
	})
	if err != nil && !db.IsRetryable(err) {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return s.markWebhook(ctx, ev.ID, "rejected", ae.Error())
		}
	}
	return err
}

func (s *Service) markWebhook(ctx context.Context, id int64, outcome, detail string) error {
	return s.db.WithContext(ctx).Exec(`UPDATE webhook_events SET processed_at = ?, outcome = ?, error = ? WHERE id = ?`,
		s.now(), outcome, text.Clip(detail, 255), id).Error
}
