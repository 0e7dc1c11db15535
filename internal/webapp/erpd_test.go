package webapp_test

import (
	"strings"
	"testing"

	"github.com/erphub/erphub/internal/apptest"
)

// TestServedByErpd checks the app and its headers on a real erpd, next to the API, and
// that repeated failed sign-ins through the API are slowed with 429 and a stable reason.
func TestServedByErpd(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	r := e.MustDo(t, 200, "GET", "/app/", "", nil)
	if !strings.Contains(string(r.Body), `src="/app/app.js"`) || r.Header.Get("X-Frame-Options") != "DENY" ||
		!strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Fatalf("/app/ answers %v %s", r.Header, r.Body)
	}
	e.MustDo(t, 200, "GET", "/app/scan", "", nil)
	// the API is not shadowed by the app's fallback
	e.MustDo(t, 401, "GET", "/v1/currentUser", "", nil)

	login := map[string]string{"username": "admin", "password": "wrong"}
	for range 4 {
		e.MustDo(t, 401, "POST", "/v1/auth:login", "", login)
	}
	r = e.MustDo(t, 429, "POST", "/v1/auth:login", "", map[string]string{"username": "admin", "password": "test-password-123"})
	if !strings.Contains(string(r.Body), "LOGIN_THROTTLED") || !strings.Contains(string(r.Body), "try again in 1 s") ||
		!strings.Contains(string(r.Body), "retryAfterSeconds") {
		t.Fatalf("throttled answer %s", r.Body)
	}
}
