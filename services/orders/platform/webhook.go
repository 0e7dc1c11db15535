package platform

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// MaxWebhookBody is the largest webhook body the parsers accept (2 MiB); larger bodies are
// refused with ErrBodyTooLarge before any decoding.
const MaxWebhookBody = 2 << 20

// VerifyShopifyWebhook reports whether hmacHeader (the X-Shopify-Hmac-Sha256 header) is the
// base64 HMAC-SHA256 of the raw body keyed with the app's client secret (or, for webhooks
// created in the Shopify admin, the secret shown under Settings → Notifications). The
// comparison is constant-time over the decoded digests. Shopify docs, "Deliver webhooks
// through HTTPS" → "Verify the webhook".
func VerifyShopifyWebhook(secret, body []byte, hmacHeader string) bool {
	return verifyBase64HMACSHA256(secret, body, hmacHeader)
}

// VerifyWooCommerceWebhook reports whether sigHeader (the X-WC-Webhook-Signature header) is
// base64(HMAC-SHA256(body, secret)), compared in constant time. WooCommerce REST API docs,
// "Webhooks" → "Delivery/payload": "X-WC-Webhook-Signature - a base64 encoded HMAC-SHA256
// hash of the payload" keyed with the webhook's secret.
func VerifyWooCommerceWebhook(secret, body []byte, sigHeader string) bool {
	return verifyBase64HMACSHA256(secret, body, sigHeader)
}

func verifyBase64HMACSHA256(secret, body []byte, header string) bool {
	if len(secret) == 0 {
		return false // an unset secret must never verify
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}
