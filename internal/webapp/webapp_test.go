package webapp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/erphub/erphub/internal/webapp"
)

func serve(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for pattern, h := range webapp.Routes() {
		mux.Handle(pattern, h)
	}
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestSecurityHeaders checks the headers every answer under /app/ carries, and that the
// policy forbids inline script, outside hosts and framing.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := serve(t)
	for _, path := range []string{"/app/", "/app/app.js", "/app/style.css", "/app/no/such/page"} {
		resp, _ := get(t, s.URL+path)
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self'", "img-src 'self' data:",
			"frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "http") {
			t.Errorf("%s: CSP %q allows inline code or outside hosts", path, csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if h.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", path, k, h.Get(k), v)
			}
		}
	}
}

// TestServesFiles checks content types, the index fallback for client routes, the
// redirect of /app, and that nothing in the app reaches outside hosts or runs inline.
func TestServesFiles(t *testing.T) {
	t.Parallel()
	s := serve(t)
	tests := []struct {
		name, path, ctype, contains string
	}{
		{"index", "/app/", "text/html", `<script type="module" src="/app/app.js">`},
		{"module", "/app/app.js", "text/javascript", "import * as api"},
		{"style", "/app/style.css", "text/css", ".verdict"},
		{"client route falls back", "/app/inbox/42", "text/html", `id="view"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, s.URL+tc.path)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) || !strings.Contains(body, tc.contains) {
				t.Fatalf("%s: %d %s %.200q", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
	// the handler itself never leaves its embedded tree, even for an unclean path
	rec := httptest.NewRecorder()
	webapp.Handler().ServeHTTP(rec, &http.Request{Method: "GET", URL: &url.URL{Path: "/app/../../go.mod"}})
	if !strings.Contains(rec.Body.String(), `id="view"`) {
		t.Fatalf("unclean path answered %q", rec.Body.String())
	}
	resp, _ := get(t, s.URL+"/app")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/app/" {
		t.Fatalf("/app answers %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// no outside URL and no inline script or style attribute in any file
	for _, f := range []string{"index.html", "app.js", "api.js", "i18n.js", "fmt.js", "inbox.js", "scan.js", "dash.js", "style.css"} {
		_, body := get(t, s.URL+"/app/"+f)
		for _, bad := range []string{"http://", "https://", "<script>", " style=", "onclick=", "eval(", "innerHTML"} {
			if strings.Contains(strings.ReplaceAll(body, "http://www.w3.org/2000/svg", ""), bad) {
				t.Errorf("%s contains %q", f, bad)
			}
		}
	}
}
