package platform

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erphub/erphub/services/orders/platform/platformfake"
)

// testNow is the injected clock of every adapter test: 2024-05-01 09:02:03 Beijing time.
var testNow = time.Date(2024, 5, 1, 1, 2, 3, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// refSignMD5 and refSignHMACMD5 recompute the signatures the way the platform documents
// spell them out, independently of the package's signing code.
var (
	refSignMD5     = platformfake.SignMD5
	refSignHMACMD5 = platformfake.SignHMACMD5
)

// fakeGateway stands in for a TOP, POP or JOS router: it reads the form, recomputes the
// signature with the shared secret and refuses a wrong one with the platform's own error
// body, throttles on demand, and answers each API from a handler.
type fakeGateway struct {
	secret    string
	methodKey string // "method" (TOP, JOS) or "type" (POP)
	sign      func(p map[string]string, secret string) string
	badSign   string // the platform's error body for a wrong signature
	throttled string // the platform's error body for a rate limit
	unknown   string // the platform's error body for an unknown API
	handlers  map[string]func(p map[string]string) any

	throttle atomic.Int32 // the next n calls are throttled
	status   atomic.Int32 // when set, the next call gets this HTTP status

	mu    sync.Mutex
	calls []map[string]string
}

func (g *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		http.Error(w, "form POST expected", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p := map[string]string{}
	for k, v := range r.PostForm {
		if len(v) != 1 {
			http.Error(w, "repeated parameter "+k, http.StatusBadRequest)
			return
		}
		p[k] = v[0]
	}
	g.mu.Lock()
	g.calls = append(g.calls, p)
	g.mu.Unlock()
	if s := g.status.Swap(0); s != 0 {
		w.WriteHeader(int(s))
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	if p["sign"] == "" || p["sign"] != g.sign(p, g.secret) {
		io.WriteString(w, g.badSign)
		return
	}
	if g.throttle.Load() > 0 {
		g.throttle.Add(-1)
		io.WriteString(w, g.throttled)
		return
	}
	h := g.handlers[p[g.methodKey]]
	if h == nil {
		io.WriteString(w, g.unknown)
		return
	}
	switch v := h(p).(type) {
	case string:
		io.WriteString(w, v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(b)
	}
}

// callsOf returns the recorded parameters of every call to method.
func (g *fakeGateway) callsOf(method string) []map[string]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []map[string]string
	for _, c := range g.calls {
		if c[g.methodKey] == method {
			out = append(out, c)
		}
	}
	return out
}

// count returns the number of calls received.
func (g *fakeGateway) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.calls)
}

func (g *fakeGateway) start(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv
}

// tamper changes one form parameter after the adapter signed the request, like a proxy
// rewriting it on the way.
type tamper struct {
	key, value string
}

func (tm tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, err
	}
	v.Set(tm.key, tm.value)
	body := v.Encode()
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(strings.NewReader(body))
	r2.ContentLength = int64(len(body))
	return http.DefaultTransport.RoundTrip(r2)
}

// pageSlice returns rows of 1-based page pageNo.
func pageSlice[T any](rows []T, pageNo, size int) []T {
	lo := (pageNo - 1) * size
	if lo >= len(rows) || lo < 0 {
		return []T{}
	}
	return rows[lo:min(lo+size, len(rows))]
}

// drain calls FetchChanged until next is "", returning every order and the number of calls.
func drain(t *testing.T, p Puller, from, to time.Time) ([]Order, int) {
	t.Helper()
	var all []Order
	page := ""
	for calls := 1; ; calls++ {
		orders, next, err := p.FetchChanged(t.Context(), from, to, page)
		if err != nil {
			t.Fatalf("FetchChanged(page %q): %v", page, err)
		}
		all = append(all, orders...)
		if next == "" {
			return all, calls
		}
		if calls > 20 {
			t.Fatal("paging does not end")
		}
		page = next
	}
}

// errorCase is one error-mapping expectation.
type errorCase struct {
	name        string
	rateLimited bool
	auth        bool
	temporary   bool
}

func checkErrorKind(t *testing.T, tc errorCase, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%v is not an *APIError", err)
	}
	if errors.Is(err, ErrRateLimited) != tc.rateLimited || errors.Is(err, ErrUnauthorized) != tc.auth || IsTemporary(err) != tc.temporary {
		t.Fatalf("%v: rate limited %v, unauthorized %v, temporary %v; want %v %v %v", err,
			errors.Is(err, ErrRateLimited), errors.Is(err, ErrUnauthorized), IsTemporary(err), tc.rateLimited, tc.auth, tc.temporary)
	}
}
