// Package webapp serves the phone web app at /app/: plain HTML, CSS and JavaScript modules
// embedded in the erpd binary (no build step, nothing loaded from elsewhere) that use the
// public HTTP API only. Sign-in, the approvals inbox, warehouse scanning and the manager
// dashboard are client-side screens behind hash routes; any unknown path under /app/
// answers index.html so that links and reloads land in the app.
//
// Every answer carries a strict Content-Security-Policy (same-origin scripts, styles,
// images and fetches only; no inline script; no framing), nosniff and a no-referrer policy.
// The access token lives in the page's memory and sessionStorage, never in a URL.
package webapp

import (
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var files embed.FS

// Security headers on every /app/ answer.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Referrer-Policy":              "no-referrer",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           "camera=(self), microphone=(), geolocation=()",
}

// Routes are the app's HTTP routes (pattern -> handler) for erpd's mux.
func Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"GET /app":  http.RedirectHandler("/app/", http.StatusMovedPermanently),
		"GET /app/": Handler(),
	}
}

// Handler serves the embedded files under /app/, falling back to index.html.
func Handler() http.Handler {
	root, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range securityHeaders {
			w.Header().Set(k, v)
		}
		name := strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(r.URL.Path, "/app")), "/")
		b, err := fs.ReadFile(root, name)
		if name == "" || err != nil {
			name = "index.html"
			if b, err = fs.ReadFile(root, name); err != nil {
				http.Error(w, "the app is missing from this build", http.StatusInternalServerError)
				return
			}
		}
		ctype := mime.TypeByExtension(path.Ext(name))
		if strings.HasSuffix(name, ".js") {
			ctype = "text/javascript; charset=utf-8"
		}
		w.Header().Set("Content-Type", ctype)
		// The files change only with erpd itself: revalidate, so an upgrade is seen at once.
		w.Header().Set("Cache-Control", "no-cache")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(b)
	})
}
